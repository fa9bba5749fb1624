// SPDX-License-Identifier: GPL-2.0
/*
 * series.txt: what each patch of a series changed, in 72 columns. The
 * patches are columns, six to a block: a wider series wraps into further
 * blocks of the same rows (never transposed, so a row reads the same in
 * every block).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "app/compare/text72.h"
#include "app/walk/walk.h"
#include "lib/refbench.h"

#define RULE "------------------------------------------------------------------------"
#define NAME_W 17
#define CELL_W 8
#define PER_BLOCK 6	/* NAME_W + 6 x (1 + CELL_W) = 71 columns */

const char *rb_walk_cell_text(const struct rb_walk_cell *c, char *buf, size_t n)
{
	if (!c->has)
		return rb_strlcpy(buf, "-", n), buf;
	if (c->changed)
		return rb_text_num(buf, n, c->delta, CELL_W, true);
	if (!c->bound_known && c->delta != 0)
		return rb_strlcpy(buf, "?", n), buf;
	return rb_strlcpy(buf, ".", n), buf;
}

static bool in_table(const struct rb_walk_row *r)
{
	return r->changed || r->unknown;
}

static void header(FILE *f, const struct rb_walk *w)
{
	char date[16], buf[1400];
	time_t t = time(NULL);
	bool exact = w->nsteps && w->step[0].exact;

	strftime(date, sizeof(date), "%Y-%m-%d", gmtime(&t));
	fprintf(f, "%-60s%12s\n", "refbench series: what each patch changed", date);
	rb_text_wrap(f, "base: ", 6, w->base_text);
	fprintf(f, "patches (the columns, in the order applied):\n");
	for (unsigned k = 0; k < w->nsteps; k++) {
		char first[16];

		snprintf(first, sizeof(first), "  [%u] ", k + 1);
		rb_text_wrap(f, first, 6, w->step[k].subject);
	}
	if (w->stopped) {
		char first[16];

		snprintf(first, sizeof(first), "  [%u] ", w->stopped);
		rb_text_wrap(f, first, 6, "STOPPED: the walk ends here; see below");
	}
	if (exact)
		snprintf(buf, sizeof(buf), "exact (deterministic mode: instruction counts): a cell is "
			 "B-A per op of that patch over its predecessor, shown where |B-A| is beyond "
			 "the A/A bound");
	else
		snprintf(buf, sizeof(buf), "per-boot test (timed mode): a cell is B-A per op of that "
			 "patch over its predecessor, shown where the step's verdict is slower or faster");
	rb_text_wrap(f, "rule: ", 6, buf);
	snprintf(buf, sizeof(buf), "%s%s", w->o->bounds_path ? w->o->bounds_path : "none declared",
		 w->o->bounds_path ? "" : " (the spread between boots of each kernel, if any)");
	rb_text_wrap(f, "bounds: ", 8, buf);
	if (!w->provenance_known)
		rb_text_wrap(f, "note: ", 6, "the runs carry no kernel build-info, so the walk could "
			       "not check that kernel k is kernel k-1 plus one patch");
}

static void block(FILE *f, const struct rb_walk *w, unsigned from, unsigned to)
{
	const char *prev_case = "", *prev_point = "", *pt_unit = "";
	char buf[64];

	fprintf(f, "\n%-*s", NAME_W, "metric [unit]");
	for (unsigned k = from; k < to; k++) {
		snprintf(buf, sizeof(buf), "[%u]", k + 1);
		fprintf(f, " %*s", CELL_W, buf);
	}
	fprintf(f, "\n%s\n", RULE);
	for (size_t i = 0; i < w->nrows; i++) {
		const struct rb_walk_row *r = w->rows[i];
		char name[96];

		if (!in_table(r))
			continue;
		if (strcmp(prev_case, r->id.casename)) {
			fprintf(f, "%s\n", r->id.casename);
			prev_case = r->id.casename;
		}
		if (strcmp(prev_point, r->label)) {
			char pt[320];

			snprintf(pt, sizeof(pt), "%s [%s]", r->label + strlen(r->id.casename) + 1, r->id.unit);
			rb_text_wrap(f, " ", 3, pt);
			prev_point = r->label;
			pt_unit = r->id.unit;
		}
		/* a row in another unit than its point's (a cost component, the
		 * interrupts' part of a window) names it */
		snprintf(name, sizeof(name), "  %s%s%s%s%s", r->id.metric, strcmp(r->id.unit, pt_unit) ? " [" : "",
			 strcmp(r->id.unit, pt_unit) ? r->id.unit : "", strcmp(r->id.unit, pt_unit) ? "]" : "",
			 r->family == RB_FAMILY_SECONDARY ? "*" : "");
		if (strlen(name) > NAME_W) {
			fprintf(f, "%s\n", name);
			name[0] = '\0';
		}
		fprintf(f, "%-*s", NAME_W, name);
		for (unsigned k = from; k < to; k++)
			fprintf(f, " %*s", CELL_W, rb_walk_cell_text(&r->cell[k], buf, sizeof(buf)));
		fputc('\n', f);
	}
	fprintf(f, "%s\n", RULE);
}

/* Under the table: per step, the symbols where each changed metric moved. */
static void where(FILE *f, const struct rb_walk *w)
{
	bool any = false;

	for (unsigned k = 0; k < w->nsteps; k++)
		for (size_t i = 0; i < w->nrows; i++) {
			const struct rb_walk_row *r = w->rows[i];
			const struct rb_walk_cell *c = &r->cell[k];
			double min = fmin(0.01 * fabs(c->delta), 0.01);
			char buf[1536], first[32], d[48];
			size_t len;
			unsigned shown = 0;

			if (!c->changed || !c->attributed)
				continue;
			if (!any)
				fprintf(f, "\nWhere (per step, the symbols whose count per op moved; inlined "
					"code\ncounts toward its caller; ~: within the boots' spread):\n");
			any = true;
			len = (size_t)snprintf(buf, sizeof(buf), "%s %s%s%s%s:", r->label, r->id.metric,
					       c->window_of[0] ? " (" : "", c->window_of,
					       c->window_of[0] ? " window)" : "");
			for (unsigned s = 0; s < c->nsym && len < sizeof(buf); s++) {
				if (fabs(c->sym[s].delta) < min)
					break;	/* largest first */
				len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s %s %s%s", shown ? "," : "",
							c->sym[s].name,
							rb_text_per_op(d, sizeof(d), c->sym[s].delta, r->id.unit),
							c->sym[s].within_spread ? "~" : "");
				shown++;
			}
			if (!shown && len < sizeof(buf))
				len += (size_t)snprintf(buf + len, sizeof(buf) - len, " no symbol moved by 1%% of "
							"B-A or by 0.01 per op");
			for (unsigned s = 0; s < c->ncan && len < sizeof(buf); s++)
				if (c->can[s].delta != 0)
					len += (size_t)snprintf(buf + len, sizeof(buf) - len, "; canary %s %s",
								c->can[s].name,
								rb_text_per_op(d, sizeof(d), c->can[s].delta, r->id.unit));
			snprintf(first, sizeof(first), "  [%u] ", k + 1);
			rb_text_wrap(f, first, 6, buf);
		}
}

void rb_walk_txt(FILE *f, const struct rb_walk *w)
{
	size_t shown = 0, compared = 0;
	char buf[2048];
	size_t len = 0;

	header(f, w);
	for (size_t i = 0; i < w->nrows; i++) {
		shown += in_table(w->rows[i]);
		compared += w->rows[i]->family != RB_FAMILY_DERIVED;
	}
	if (shown)
		for (unsigned from = 0; from < w->nsteps; from += PER_BLOCK)
			block(f, w, from, from + PER_BLOCK < w->nsteps ? from + PER_BLOCK : w->nsteps);
	else
		fprintf(f, "\n%s\n", RULE);
	snprintf(buf, sizeof(buf), "%zu of %zu metrics changed in some step%s.", shown, compared,
		 w->nsteps > PER_BLOCK ? " (the patches wrap, six to a block)" : "");
	rb_text_wrap(f, "", 0, buf);
	len = (size_t)snprintf(buf, sizeof(buf), "Per patch, metrics changed:");
	for (unsigned k = 0; k < w->nsteps && len < sizeof(buf); k++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, " [%u] %u%s%s%s", k + 1, w->step[k].changed,
					w->step[k].lost ? " (" : "", w->step[k].lost ? "lost some" : "",
					w->step[k].lost ? ")" : "");
	rb_text_wrap(f, "", 2, buf);
	if (shown)
		rb_text_wrap(f, "", 0, "A number is B-A, to within its A/A bound (series.json: "
			       "bound); . = within the bound (|B-A| <= bound), ? = moved, but no A/A "
			       "bound is known (declare one: --bounds), - = not measured in both "
			       "kernels; * = secondary metric. Rates derived from a time metric are "
			       "not rows.");
	where(f, w);
	if (w->stopped) {
		snprintf(buf, sizeof(buf), "the walk stopped at patch [%u]: %s. The table is the walk up "
			 "to there.", w->stopped, w->stopped_reason ? w->stopped_reason : "(no reason given)");
		fputc('\n', f);
		rb_text_wrap(f, "STOPPED: ", 4, buf);
	}
	fprintf(f, "\nEach step's report: steps/NN/report.txt (kernel N-1 against N).\n");
	if (w->command)
		rb_text_wrap(f, "Reproduce: ", 4, w->command);
}
