// SPDX-License-Identifier: GPL-2.0
/*
 * refbench series RUNS_0 RUNS_1 ... RUNS_K: the walk of a patch series.
 *
 * RUNS_0 are the runs (comma-separated, one per boot) of the base kernel,
 * RUNS_k those of the base plus the series' first k patches. Step k
 * compares kernel k-1 with kernel k exactly as `refbench compare` does
 * (same rule, bounds and margin; its report is kept in steps/NN/), so a
 * cell is the change patch k introduced over its predecessor. The walk
 * refuses kernels that are not one series applied patch by patch: every
 * kernel's build-info must name the same source, and kernel k's patches
 * must be kernel k-1's plus one. Everything is written into a temporary
 * directory and renamed into place at the end: a refused walk leaves
 * nothing, a written one is whole.
 */
#include <errno.h>
#include <ftw.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app/compare/load.h"
#include "app/rundir/rundir.h"
#include "app/walk/walk.h"
#include "lib/refbench.h"
#include "lib/userfile.h"

static const char series_usage[] =
"usage: refbench series [options] RUNS_0 RUNS_1 ... RUNS_K\n"
"  RUNS_0: the runs of the base kernel; RUNS_k: of the base + patches 1..k\n"
"          (run directories separated by commas, one per boot)\n"
"  Step k compares kernel k-1 with kernel k as refbench compare does; the\n"
"  table's rows are the metrics that changed in some step beyond their A/A\n"
"  bound, its columns the patches, its cells the change per op.\n"
"  -o DIR            output directory (must not exist); default\n"
"                    results/YYYYmmdd-HHMMSS-series-XXXX\n"
"  --bounds FILE     declared A/A bounds (refbench bounds), deterministic mode\n"
"  --margin M        equivalence margin, a fraction (default 0.02)\n"
"  --stopped N       the walk stopped at patch N (K+1): it did not apply or\n"
"                    its kernel did not build; the table says so\n"
"  --stop-reason T   why (with --stopped)\n"
"  --command CMD     the command that reproduces the walk (footer)\n"
"  --force           compare despite a provenance mismatch (printed)\n"
"  --no-plots        skip gnuplot (the plot data is still written)\n"
"Writes DIR/series.txt (72 columns), series.json (" RB_WALK_SCHEMA "),\n"
"plots/heatmap.{dat,gp,png,svg} and steps/NN/ (each step's compare report).\n";

/* ---- the provenance of the walk ----------------------------------------- */

static struct json_object *build_info(struct json_object *meta)
{
	struct json_object *o = NULL;

	if (json_object_object_get_ex(meta, "lab", &o) && json_object_object_get_ex(o, "kernel", &o) &&
	    json_object_object_get_ex(o, "build_info", &o) && json_object_is_type(o, json_type_object))
		return o;
	return NULL;
}

static const char *str_at(struct json_object *o, const char *k1, const char *k2)
{
	struct json_object *x = NULL;

	if (!json_object_object_get_ex(o, k1, &x))
		return NULL;
	if (k2 && !json_object_object_get_ex(x, k2, &x))
		return NULL;
	return json_object_is_type(x, json_type_string) ? json_object_get_string(x) : NULL;
}

static struct json_object *patches_of(struct json_object *bi)
{
	struct json_object *p = NULL;

	return json_object_object_get_ex(bi, "patches", &p) && json_object_is_type(p, json_type_array) ? p : NULL;
}

/*
 * Every kernel of the walk from the same source, kernel k's patches
 * kernel k-1's plus one (by the sha256 of each diff); the subjects from
 * there. Runs without build-info (not booted by the lab) cannot be
 * checked: all or none must have it. 0, or -1 with err.
 */
static int check_walk(struct rb_walk *w, struct rb_loaded_run *first, char *err, size_t n)
{
	struct json_object *bi0 = build_info(first[0].meta);
	const char *src0 = bi0 ? str_at(bi0, "source", "sha256") : NULL;
	const char *ref0 = bi0 ? str_at(bi0, "source", "ref") : NULL;

	w->provenance_known = bi0 != NULL;
	for (unsigned k = 0; k <= w->nsteps; k++) {
		struct json_object *bi = build_info(first[k].meta), *p = bi ? patches_of(bi) : NULL;
		const char *src = bi ? str_at(bi, "source", "sha256") : NULL;
		const char *ref = bi ? str_at(bi, "source", "ref") : NULL;
		size_t np = p ? json_object_array_length(p) : 0;

		if (!bi != !bi0) {
			snprintf(err, n, "%s has %sbuild-info (lab.kernel.build_info) and %s %s: a walk's "
				 "kernels all come from kernels/build, or none do", first[k].dir,
				 bi ? "" : "no ", first[0].dir, bi0 ? "has" : "has not");
			return -1;
		}
		if (!bi) {
			if (k)
				snprintf(w->step[k - 1].subject, sizeof(w->step[0].subject), "patch %u", k);
			continue;
		}
		if ((src || src0) && (!src || !src0 || strcmp(src, src0) || (ref && ref0 && strcmp(ref, ref0)))) {
			snprintf(err, n, "kernel %u (%s) is not built from the base's source (source sha256 "
				 "%.12s against %.12s): every kernel of a walk is the base plus patches",
				 k, first[k].dir, src ? src : "none", src0 ? src0 : "none");
			return -1;
		}
		if (np != k) {
			snprintf(err, n, "kernel %u (%s) carries %zu patches, not %u: give the runs in walk "
				 "order, the base first, then base + 1, base + 2 ...", k, first[k].dir, np, k);
			return -1;
		}
		for (unsigned j = 0; k && j + 1 < k; j++) {
			struct json_object *prev = patches_of(build_info(first[k - 1].meta));
			const char *x = str_at(json_object_array_get_idx(p, j), "sha256", NULL);
			const char *y = str_at(json_object_array_get_idx(prev, j), "sha256", NULL);

			if (!x || !y || strcmp(x, y)) {
				snprintf(err, n, "kernel %u (%s) differs from kernel %u in patch %u (%s): kernel "
					 "k must be kernel k-1 plus one patch", k, first[k].dir, k - 1, j + 1,
					 str_at(json_object_array_get_idx(p, j), "subject", NULL) ?: "?");
				return -1;
			}
		}
		if (k) {
			const char *s = str_at(json_object_array_get_idx(p, k - 1), "subject", NULL);

			snprintf(w->step[k - 1].subject, sizeof(w->step[0].subject), "%s", s ? s : "(no subject)");
		}
	}
	if (bi0)
		snprintf(w->source, sizeof(w->source), "%s%s%s", str_at(bi0, "source", "path") ?: "?",
			 ref0 ? " " : "", ref0 ? ref0 : "");
	return 0;
}

/* ---- one step --------------------------------------------------------------- */

struct step_ctx {
	struct rb_walk *w;
	unsigned k;		/* step index, 0-based */
};

static struct rb_walk_row *row_for(struct rb_walk *w, const struct rb_samples *s)
{
	struct rb_walk_row *r;

	for (size_t i = 0; i < w->nrows; i++)
		if (!strcmp(w->rows[i]->label, s->label) && !strcmp(w->rows[i]->id.metric, s->id.metric) &&
		    !strcmp(w->rows[i]->id.unit, s->id.unit))
			return w->rows[i];
	if (w->nrows == w->cap) {
		w->cap = w->cap ? 2 * w->cap : 64;
		w->rows = realloc(w->rows, w->cap * sizeof(*w->rows));
		if (!w->rows)
			abort();
	}
	r = calloc(1, sizeof(*r));
	if (!r)
		abort();
	rb_strlcpy(r->label, s->label, sizeof(r->label));
	r->id = s->id;
	r->family = s->family;
	w->rows[w->nrows++] = r;
	return r;
}

static void copy_count(struct rb_walk_count *d, const struct rb_attr_count *c)
{
	rb_strlcpy(d->name, c->name, sizeof(d->name));
	d->delta = c->delta;
	d->within_spread = !isnan(c->spread) && fabs(c->delta) <= c->spread;
}

/* compare's report of step k, before it is freed: one cell per metric */
static void step_seen(const struct rb_report *r, void *arg)
{
	struct step_ctx *c = arg;
	struct rb_walk_step *st = &c->w->step[c->k];

	st->exact = r->exact;
	st->metrics = (unsigned)r->n;
	st->lost = (unsigned)r->nlost;
	st->attributed = r->attr && r->attr->m && r->attr->runs[0] == r->attr->nr[0] &&
			 r->attr->runs[1] == r->attr->nr[1];
	for (size_t i = 0; i < r->n; i++) {
		const struct rb_ab_result *x = &r->res[i];
		const struct rb_attr_metric *m = r->attr && r->attr->m ? &r->attr->m[i] : NULL;
		struct rb_walk_row *row = row_for(c->w, r->ss[i]);
		struct rb_walk_cell *cell = &row->cell[c->k];
		enum rb_verdict v = rb_report_verdict(r, i);

		*cell = (struct rb_walk_cell){
			.has = !x->status, .a = x->med_a, .b = x->med_b, .delta = x->delta, .bound = x->bound,
			.verdict = v,
		};
		/* as the exact rule knows it: declared, or the spread of >= 2 boots */
		cell->bound_known = !r->exact || x->rounds_a >= 2 || x->rounds_b >= 2 ||
				    x->bound_source == RB_BOUND_IDENTICAL ||
				    (r->bounds && rb_bounds_find(r->bounds, r->ss[i]));
		/* the exact rule: beyond the bound; the timed rule: detected */
		cell->changed = cell->has && (r->exact ? x->significant :
					      v == RB_VERDICT_SLOWER || v == RB_VERDICT_FASTER);
		if (r->ss[i]->family == RB_FAMILY_DERIVED)
			cell->changed = false;	/* shown with its time metric, as compare does */
		row->changed |= cell->changed;
		row->unknown |= cell->has && !cell->bound_known && x->delta != 0 &&
				r->ss[i]->family != RB_FAMILY_DERIVED;
		st->changed += cell->changed;
		if (m && m->has) {
			cell->attributed = true;
			rb_strlcpy(cell->window_of, m->window_of ? m->window_of : "", sizeof(cell->window_of));
			for (size_t s = 0; s < m->nsym && cell->nsym < RB_WALK_SYMS; s++)
				copy_count(&cell->sym[cell->nsym++], &m->sym[s]);
			for (size_t s = 0; s < m->ncan && cell->ncan < RB_WALK_CANARIES; s++)
				copy_count(&cell->can[cell->ncan++], &m->can[s]);
		}
	}
	for (size_t i = 0; i < r->nlost; i++)
		row_for(c->w, r->lost[i]);	/* a row, its cell not measured */
}

/* ---- writing ----------------------------------------------------------------- */

static int write_walk(const char *tmp, const struct rb_walk *w)
{
	char path[PATH_MAX + 64];
	struct json_object *j;
	FILE *f;

	snprintf(path, sizeof(path), "%s/series.txt", tmp);
	if (!(f = fopen(path, "we"))) {
		fprintf(stderr, "refbench: error: cannot write %s: %s\n", path, strerror(errno));
		return -1;
	}
	rb_walk_txt(f, w);
	if (fflush(f) || fsync(fileno(f)) || fclose(f)) {
		fprintf(stderr, "refbench: error: writing %s: %s\n", path, strerror(errno));
		return -1;
	}
	j = rb_walk_json(w);
	snprintf(path, sizeof(path), "%s/series.json", tmp);
	{
		const char *s = json_object_to_json_string_ext(j, JSON_C_TO_STRING_PRETTY |
							       JSON_C_TO_STRING_NOSLASHESCAPE);
		int e = rb_write_atomic(path, s, strlen(s));

		json_object_put(j);
		if (e) {
			fprintf(stderr, "refbench: error: writing %s: %s\n", path, strerror(-e));
			return -1;
		}
	}
	snprintf(path, sizeof(path), "%s/plots", tmp);
	if (mkdir(path, 0755) || rb_walk_plots(path, w)) {
		fprintf(stderr, "refbench: error: writing the plot data in %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

static void free_walk(struct rb_walk *w)
{
	for (size_t i = 0; i < w->nrows; i++)
		free(w->rows[i]);
	free(w->rows);
}

int rb_cmd_series(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "output", required_argument, NULL, 'o' }, { "bounds", required_argument, NULL, 'b' },
		{ "margin", required_argument, NULL, 'm' }, { "stopped", required_argument, NULL, 'S' },
		{ "stop-reason", required_argument, NULL, 'R' }, { "command", required_argument, NULL, 'c' },
		{ "force", no_argument, NULL, 'f' }, { "no-plots", no_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	struct rb_cmp_opts o = RB_CMP_OPTS_INIT;
	static struct rb_walk w;
	static struct rb_loaded_run first[RB_WALK_MAX_STEPS + 1];
	char outbuf[PATH_MAX], tmp[PATH_MAX + 32], err[RB_ERR_LEN];
	unsigned nload = 0;
	int opt, rc = RB_EXIT_FAIL;
	char *end;

	memset(&w, 0, sizeof(w));
	w.o = &o;
	while ((opt = getopt_long(argc, argv, "o:h", lo, NULL)) != -1) {
		switch (opt) {
		case 'o': o.out = optarg; break;
		case 'b': o.bounds_path = optarg; break;
		case 'm':
			o.margin = strtod(optarg, &end);
			if (*end || !(o.margin > 0 && o.margin < 1))
				rb_die_usage("--margin %s: give a fraction in (0, 1), e.g. 0.02", optarg);
			break;
		case 'S':
			w.stopped = (unsigned)strtoul(optarg, &end, 10);
			if (*end || !w.stopped)
				rb_die_usage("--stopped %s: the number of the patch the walk stopped at (1, 2 ...)", optarg);
			break;
		case 'R': w.stopped_reason = optarg; break;
		case 'c': w.command = optarg; break;
		case 'f': o.force = true; break;
		case 'P': o.plots = false; break;
		case 'h': fputs(series_usage, stdout); return 0;
		default: fputs(series_usage, stderr); return RB_EXIT_USAGE;
		}
	}
	w.nsteps = (unsigned)(argc - optind - 1);
	if (argc - optind < 1) {
		fputs(series_usage, stderr);
		return RB_EXIT_USAGE;
	}
	if (w.nsteps > RB_WALK_MAX_STEPS)
		rb_die_usage("%u patches: a walk has at most %d", w.nsteps, RB_WALK_MAX_STEPS);
	if (!w.nsteps && !w.stopped)
		rb_die_usage("give the runs of the base and of at least one patched kernel "
			     "(RUNS_0 RUNS_1 ...), or --stopped 1 when the first patch failed");
	if (w.stopped && w.stopped != w.nsteps + 1)
		rb_die_usage("--stopped %u with %u patched kernels: the walk stops at the patch after the "
			     "last kernel it has (--stopped %u)", w.stopped, w.nsteps, w.nsteps + 1);
	if (w.stopped_reason && !w.stopped)
		rb_die_usage("--stop-reason without --stopped N");
	if (!o.out)
		o.out = rb_default_output("series", "the series", outbuf, sizeof(outbuf));
	if (!access(o.out, F_OK))
		rb_die_usage("output %s exists; results are never overwritten: choose a new -o DIR", o.out);
	o.allow_missing = true;		/* a metric lost in one step is a "-" cell */
	rb_strlcpy(w.base_runs, argv[optind], sizeof(w.base_runs));

	/* the first run of each kernel: its build-info says which kernel it is */
	for (unsigned k = 0; k <= w.nsteps; k++, nload++) {
		char one[PATH_MAX];

		rb_strlcpy(one, argv[optind + k], sizeof(one));
		one[strcspn(one, ",")] = '\0';
		if (rb_run_load(one, &first[k], err, sizeof(err))) {
			fprintf(stderr, "refbench: error: RUNS_%u: %s\n", k, err);
			goto out;
		}
		if (k)
			rb_strlcpy(w.step[k - 1].runs, argv[optind + k], sizeof(w.step[0].runs));
	}
	if (check_walk(&w, first, err, sizeof(err))) {
		if (!o.force) {
			fprintf(stderr, "refbench: error: %s (--force walks anyway)\n", err);
			goto out;
		}
		fprintf(stderr, "refbench: warning: walking despite: %s\n", err);
	}
	rb_report_kernel_text(first[0].meta, w.base_text, sizeof(w.base_text));

	snprintf(tmp, sizeof(tmp), "%s.tmp-XXXXXX", o.out);
	if (!mkdtemp(tmp)) {
		fprintf(stderr, "refbench: error: cannot create %s: %s\n", tmp, strerror(errno));
		goto out;
	}
	{
		char steps[PATH_MAX + 64];

		snprintf(steps, sizeof(steps), "%s/steps", tmp);
		if (w.nsteps && mkdir(steps, 0755)) {
			fprintf(stderr, "refbench: error: cannot create %s: %s\n", steps, strerror(errno));
			goto fail;
		}
	}
	for (unsigned k = 0; k < w.nsteps; k++) {
		struct rb_cmp_opts so = o;
		struct step_ctx c = { .w = &w, .k = k };
		char sout[PATH_MAX + 96];

		w.step[k].patch = k + 1;
		snprintf(w.step[k].report, sizeof(w.step[k].report), "steps/%02u", k + 1);
		snprintf(sout, sizeof(sout), "%s/%s", tmp, w.step[k].report);
		so.out = sout;
		so.label_a = k ? w.step[k - 1].subject : "base";
		so.label_b = w.step[k].subject;
		fprintf(stderr, "refbench: step %u of %u: %s\n", k + 1, w.nsteps, w.step[k].subject);
		if (rb_compare(&so, k ? w.step[k - 1].runs : w.base_runs, w.step[k].runs, step_seen, &c)) {
			fprintf(stderr, "refbench: error: step %u (kernel %u against kernel %u) could not be "
				"compared; nothing is written\n", k + 1, k + 1, k);
			goto fail;
		}
	}
	if (write_walk(tmp, &w))
		goto fail;
	if (rename(tmp, o.out)) {
		fprintf(stderr, "refbench: error: %s exists or cannot be created: %s\n", o.out, strerror(errno));
		goto fail;
	}
	fprintf(stderr, "refbench: series: %s/series.txt\n", o.out);
	printf("%s\n", o.out);
	rc = 0;
	goto out;
fail:
	rb_remove_tree(tmp);
out:
	for (unsigned k = 0; k < nload; k++)
		rb_run_unload(&first[k]);
	free_walk(&w);
	return rc;
}
