// SPDX-License-Identifier: GPL-2.0
/* plots/: the data the gnuplot templates in scripts/plots/ draw (a forest
 * of B/A with its intervals, the distributions), for all metrics and per
 * case, and gnuplot run on them. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/compare/compare.h"
#include "lib/exec.h"
#include "lib/refbench.h"

/* 0 inconclusive, 1 equivalent, 2 faster, 3 slower, 4 faster within
 * the margin, 5 slower within the margin (scripts/plots/forest.gp) */
static int plot_code(const struct rb_report *r, size_t i)
{
	enum rb_verdict v = rb_report_verdict(r, i);
	bool in = r->res[i].within_margin;

	if (v == RB_VERDICT_FASTER || v == RB_VERDICT_SLOWER)
		return (int)v + (in ? 2 : 0);
	return (int)v;
}

/* One forest/dist data pair: the metrics of one case (casename) or all
 * of them ordered by effect (NULL). Returns the rows written, -errno. */
static int plot_data(const char *dir, const char *tag, const struct rb_report *r, const char *casename)
{
	char path[PATH_MAX + 64];
	size_t *idx = calloc(r->n + 1, sizeof(*idx)), k = 0;
	FILE *f, *g;

	if (!idx)
		abort();
	for (size_t i = 0; i < r->n; i++)
		if (!r->res[i].status && !isnan(r->res[i].ci.lo) &&
		    (!casename || !strcmp(r->ss[i]->id.casename, casename)))
			idx[k++] = i;
	if (!casename)	/* the overview: the largest effects first */
		for (size_t a = 1; a < k; a++)
			for (size_t b = a; b > 0 && fabs(log(r->res[idx[b]].ratio)) >
						    fabs(log(r->res[idx[b - 1]].ratio)); b--) {
				size_t t = idx[b];
				idx[b] = idx[b - 1];
				idx[b - 1] = t;
			}
	snprintf(path, sizeof(path), "%s/forest%s.dat", dir, tag);
	f = fopen(path, "we");
	snprintf(path, sizeof(path), "%s/dist%s.dat", dir, tag);
	g = fopen(path, "we");
	if (!f || !g) {
		int e = -errno;
		if (f)
			fclose(f);
		if (g)
			fclose(g);
		free(idx);
		return e;
	}
	fprintf(f, "# idx ratio lo hi verdict(0 inconcl,1 equiv,2 faster,3 slower,4/5 faster/slower "
		"within the margin) \"label\"\n");
	fprintf(g, "# idx arm(0=A,1=B) value/median(A)\n");
	for (size_t row = 0; row < k; row++) {
		size_t i = idx[row];
		const struct rb_samples *s = r->ss[i];

		fprintf(f, "%zu %.6f %.6f %.6f %d \"%s %s\"\n", row, r->res[i].ratio, r->res[i].ci.lo,
			r->res[i].ci.hi, plot_code(r, i), casename ? s->label + strlen(s->id.casename) + 1 :
			s->label, s->id.metric);
		for (int a = 0; a < 2; a++)
			for (unsigned run = 0; run < s->g[a].nruns; run++)
				for (unsigned x = 0; x < s->g[a].n[run]; x++)
					fprintf(g, "%zu %d %.6f\n", row, a, r->res[i].med_a > 0 ?
						s->g[a].x[run][x] / r->res[i].med_a : 0);
	}
	fclose(f);
	fclose(g);
	free(idx);
	return (int)k;
}

/* Is prog an executable on $PATH? */
static bool on_path(const char *prog)
{
	const char *path = getenv("PATH");
	char dir[PATH_MAX], full[PATH_MAX * 2];

	for (const char *p = path ? path : "/usr/bin:/bin"; *p;) {
		size_t len = strcspn(p, ":");

		snprintf(dir, sizeof(dir), "%.*s", (int)len, p);
		snprintf(full, sizeof(full), "%s/%s", len ? dir : ".", prog);
		if (!access(full, X_OK))
			return true;
		p += len + (p[len] == ':');
	}
	return false;
}

int rb_plot_gnuplot(const char *tmpl, const char *vars, char *why, size_t n)
{
	char exe[PATH_MAX], tpath[PATH_MAX + 64], err[256];
	char *const argv[] = { "gnuplot", "-e", (char *)vars, tpath, NULL };
	struct rb_exec ex;
	int rc;

	snprintf(tpath, sizeof(tpath), "%s/%s", rb_repo_path("scripts/plots", exe, sizeof(exe)), tmpl);
	/* only a gnuplot that is not there is a reason to install one */
	if (!on_path("gnuplot")) {
		snprintf(why, n, "gnuplot is not installed (install gnuplot-nox: make deps)");
		return -1;
	}
	if (rb_exec(argv, &(struct rb_exec_opts){ .timeout_s = 300 }, &ex, err, sizeof(err))) {
		snprintf(why, n, "gnuplot could not be started: %s", err);
		return -1;
	}
	/* gnuplot's complaints belong on stderr, as before */
	fputs(ex.errtext, stderr);
	rc = rb_exec_code(&ex);
	if (ex.timed_out)
		snprintf(why, n, "gnuplot ran past 300 s on %s and was stopped", tpath);
	else if (rc)
		snprintf(why, n, "gnuplot exited %d on %s (its messages are above)", rc, tpath);
	rb_exec_free(&ex);
	return rc;
}

static int run_gnuplot(const char *tmpl, const char *dir, const char *tag, const char *title,
		       double margin, int rows, char *why, size_t n)
{
	char args[PATH_MAX * 2];

	snprintf(args, sizeof(args), "dir='%s'; tag='%s'; what='%s'; margin=%g; nmetrics=%d", dir, tag,
		 title, margin, rows);
	return rb_plot_gnuplot(tmpl, args, why, n);
}

int rb_report_plots(const char *dir, const struct rb_report *r)
{
	bool failed = false;
	char why[PATH_MAX + 128] = "";
	int rows = plot_data(dir, "", r, NULL);

	if (rows < 0)
		return rows;
	if (r->o->plots && rows > 0)
		failed |= run_gnuplot("forest.gp", dir, "", "all metrics, largest effect first", r->o->margin,
				      rows, why, sizeof(why)) ||
			  run_gnuplot("dist.gp", dir, "", "all metrics, largest effect first", r->o->margin,
				      rows, why, sizeof(why));
	for (size_t i = 0; i < r->n; i++) {
		char tag[64];

		if (i && !strcmp(r->ss[i]->id.casename, r->ss[i - 1]->id.casename))
			continue;
		snprintf(tag, sizeof(tag), "-%s", r->ss[i]->id.casename);
		rows = plot_data(dir, tag, r, r->ss[i]->id.casename);
		if (rows < 0)
			return rows;
		/* one failure says why; the rest would say the same */
		if (r->o->plots && rows > 0 && !failed)
			failed |= run_gnuplot("forest.gp", dir, tag, r->ss[i]->id.casename, r->o->margin,
					      rows, why, sizeof(why)) ||
				  run_gnuplot("dist.gp", dir, tag, r->ss[i]->id.casename, r->o->margin,
					      rows, why, sizeof(why));
	}
	if (failed)
		rb_warn("plots are incomplete: %s", why);
	return 0;
}
