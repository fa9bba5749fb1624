// SPDX-License-Identifier: GPL-2.0
/*
 * refbench compare RUNS_A RUNS_B: the A/B decision.
 *
 * Each run is one boot (the unit of replication); its samples of a metric
 * are the within-boot repeats. Runs must be complete and their provenance
 * must match (host, suite, pmem set-up, mode, accel, counters, kernel
 * profile and paging depth), or the comparison is refused, naming the
 * difference (--force prints it in the report instead). Deterministic
 * runs (clock icount) are judged by the exact rule, timed runs by the
 * per-boot test (bench/stats/README.md). Everything is computed in memory
 * and written at the end into a fresh directory, so a refused comparison
 * leaves nothing behind; a comparison that lost metrics is written, says
 * so loudly, and exits 1 unless --allow-missing. Runs with per-symbol
 * counts beside them (attribution.h) add where each metric changed.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "app/compare/compare.h"
#include "app/compare/plan.h"
#include "app/rundir/cases.h"
#include "app/rundir/read.h"
#include "app/rundir/rundir.h"
#include "lib/refbench.h"
#include "lib/userfile.h"
#include "mem/mem.h"

static const char compare_usage[] =
"usage: refbench compare [options] RUNS_A RUNS_B\n"
"  RUNS_X: run directories separated by commas (one per boot of that kernel);\n"
"          a lab boot's DIR/attribution.jsonl (scripts/lab --attribute) is read\n"
"          too: report.txt then names the symbols where each metric changed\n"
"  -o DIR            output directory (must not exist); default\n"
"                    results/YYYYmmdd-HHMMSS-ab-XXXX\n"
"  --margin M        equivalence margin, a fraction in (0, 1) (default 0.02)\n"
"  --alpha A         family error rate and interval level 1-A (default 0.05)\n"
"  --correction C    holm (default) or bh, within each family (timed mode)\n"
"  --bounds FILE     declared A/A bounds (refbench bounds), deterministic mode\n"
"  --code-diff FILE  kernels/code-diff KERNEL_A KERNEL_B's output: each symbol\n"
"                    of a where: line is marked as in code the patch changed\n"
"                    [p], in code that code calls [c], or neither [-]\n"
"  --normalize K     anon or thp: each DAX kind's B/A over that kind's B/A\n"
"  --sequential R/RMAX  look R (boots per kernel so far) of at most RMAX:\n"
"                    decide at this look's alpha (O'Brien-Fleming spending);\n"
"                    report.json .sequential.stop says whether to stop\n"
"  --allow-missing   a metric present in only one arm is listed, not an error\n"
"  --seed N          bootstrap seed (default fixed: the report is reproducible)\n"
"  --iters N         bootstrap resamples (default 10000, at most 1000000)\n"
"  --label-a T, --label-b T   names for the header\n"
"  --command CMD     the command that reproduces this comparison (footer)\n"
"  --plan STATE      the plan the runs came from (its plan.json, or the\n"
"                    directory holding it); without it, a plan.json beside\n"
"                    a run (in its directory or the one above) that lists\n"
"                    it is read: the boots a resume reused are named in the\n"
"                    header and report.json, the failed ones listed missing\n"
"  --resumed RUN,... for runs made before the plan existed: the runs an\n"
"                    interrupted A/B left and this one reused\n"
"  --missing TEXT    for runs made before the plan existed: a boot the runs\n"
"                    lack, and why; repeatable\n"
"  --force           compare despite a provenance mismatch (printed in the report)\n"
"  --no-plots        skip gnuplot\n";

static double fraction_arg(const char *opt, const char *arg, double hi)
{
	double v;

	if (rb_stats_parse_fraction(arg, hi, &v))
		rb_die_usage("%s %s: give a fraction in (0, %g), e.g. 0.02 or 2%%", opt, arg, hi);
	return v;
}

static void parse_opts(int argc, char **argv, struct rb_cmp_opts *o)
{
	static const struct option lo[] = {
		{ "margin", required_argument, NULL, 'm' }, { "alpha", required_argument, NULL, 'a' },
		{ "seed", required_argument, NULL, 's' }, { "iters", required_argument, NULL, 'i' },
		{ "label-a", required_argument, NULL, 'A' }, { "label-b", required_argument, NULL, 'B' },
		{ "command", required_argument, NULL, 'c' }, { "force", no_argument, NULL, 'f' },
		{ "no-plots", no_argument, NULL, 'P' }, { "output", required_argument, NULL, 'o' },
		{ "correction", required_argument, NULL, 'C' }, { "bounds", required_argument, NULL, 'b' },
		{ "normalize", required_argument, NULL, 'N' }, { "sequential", required_argument, NULL, 'S' },
		{ "allow-missing", no_argument, NULL, 'M' }, { "help", no_argument, NULL, 'h' },
		{ "resumed", required_argument, NULL, 'R' },
		{ "missing", required_argument, NULL, 'm' + 256 },
		{ "plan", required_argument, NULL, 'p' + 256 },
		{ "code-diff", required_argument, NULL, 'c' + 256 },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	int opt, c;

	while ((opt = getopt_long(argc, argv, "o:h", lo, NULL)) != -1) {
		switch (opt) {
		case 'm': o->margin = fraction_arg("--margin", optarg, 1); break;
		case 'a': o->alpha = fraction_arg("--alpha", optarg, 0.5); break;
		case 's': o->seed = strtoull(optarg, NULL, 0); break;
		case 'i':
		{
			unsigned long long v;

			errno = 0;
			v = strtoull(optarg, &end, 10);
			/* each resample costs time and memory per metric: bounded */
			if (!isdigit((unsigned char)optarg[0]) || *end || errno || v < 100 ||
			    v > RB_CMP_ITERS_MAX)
				rb_die_usage("--iters %s: give a number of resamples from 100 to %u "
					     "(default %u)", optarg, RB_CMP_ITERS_MAX, RB_STATS_ITERS_DEFAULT);
			o->iters = (unsigned)v;
		}
			break;
		case 'C':
			if ((c = rb_correction_parse(optarg)) < 0 || c == RB_CORR_NONE)
				rb_die_usage("--correction %s: use holm or bh", optarg);
			o->correction = (enum rb_correction)c;
			break;
		case 'N':
			if (strcmp(optarg, "anon") && strcmp(optarg, "thp"))
				rb_die_usage("--normalize %s: use anon or thp (the baseline kind)", optarg);
			o->normalize = rb_kind_parse(optarg);
			break;
		case 'S':
			if (sscanf(optarg, "%u/%u%c", &o->look, &o->max_looks, (char[2]){ 0 }) != 2 ||
			    !o->look || o->look > o->max_looks || o->max_looks > 1000)
				rb_die_usage("--sequential %s: give R/RMAX, 1 <= R <= RMAX <= 1000 (boots per "
					     "kernel so far / at most)", optarg);
			break;
		case 'b': o->bounds_path = optarg; break;
		case 'c' + 256: o->code_diff_path = optarg; break;
		case 'M': o->allow_missing = true; break;
		case 'A': o->label_a = optarg; break;
		case 'B': o->label_b = optarg; break;
		case 'c': o->command = optarg; break;
		case 'R': o->resumed = optarg; break;
		case 'm' + 256:
			if (o->nmissing == sizeof(o->missing) / sizeof(o->missing[0]))
				rb_die_usage("at most %zu --missing", sizeof(o->missing) / sizeof(o->missing[0]));
			o->missing[o->nmissing++] = optarg;
			break;
		case 'p' + 256: o->plan = optarg; break;
		case 'f': o->force = true; break;
		case 'P': o->plots = false; break;
		case 'o': o->out = optarg; break;
		case 'h': fputs(compare_usage, stdout); exit(0);
		default: fputs(compare_usage, stderr); exit(RB_EXIT_USAGE);
		}
	}
	if (argc - optind != 2) {
		fputs(compare_usage, stderr);
		exit(RB_EXIT_USAGE);
	}
}

/* Each DAX kind's metric against the same case, metric and parameters on
 * the baseline kind. */
static void normalize(struct rb_report *r, const struct rb_ab_metric *ms)
{
	const char *base = rb_kind_name(r->o->normalize);

	r->norm = calloc(r->n, sizeof(*r->norm));
	if (!r->norm)
		abort();
	for (size_t i = 0; i < r->n; i++) {
		const struct rb_samples *s = r->ss[i];
		int k = rb_kind_parse(s->id.kind);

		if (k < 0 || !(RB_KIND_BIT(k) & rb_kind_mask(RB_CLASS_DAX)))
			continue;
		for (size_t j = 0; j < r->n; j++) {
			const struct rb_samples *b = r->ss[j];

			struct rb_metric_id want = s->id;

			/* the same metric at the baseline kind */
			rb_strlcpy(want.kind, base, sizeof(want.kind));
			if (!rb_metric_id_equal(&b->id, &want))
				continue;
			r->norm[i].base = j;
			r->norm[i].has = !rb_stats_normalized(&ms[i], &ms[j], &r->res[i], &r->res[j], r->exact,
							      1 - r->o->look_alpha, &r->norm[i].ratio,
							      &r->norm[i].ci);
			break;
		}
	}
}

static int write_into(const struct rb_report *r, char *names[2][RB_MAX_RUNS], const char *tmpdir)
{
	char path[PATH_MAX + 64];
	const char *out = r->o->out;
	struct json_object *rj;
	FILE *f;
	int e;

	snprintf(path, sizeof(path), "%s/report.txt", tmpdir);
	if (!(f = fopen(path, "we"))) {
		fprintf(stderr, "refbench: error: cannot write %s: %s\n", path, strerror(errno));
		return -1;
	}
	rb_report_txt(f, r);
	if (fclose(f)) {
		fprintf(stderr, "refbench: error: writing %s: %s\n", path, strerror(errno));
		return -1;
	}
	rj = rb_report_json(r);
	snprintf(path, sizeof(path), "%s/report.json", tmpdir);
	errno = 0;
	if (json_object_to_file_ext(path, rj, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE)) {
		fprintf(stderr, "refbench: error: writing %s: %s\n", path, strerror(errno ? errno : EIO));
		json_object_put(rj);
		return -1;
	}
	json_object_put(rj);
	/* the functions the where: lines were marked from, kept with them */
	snprintf(path, sizeof(path), "%s/code-diff.json", tmpdir);
	if (r->code && json_object_to_file_ext(path, r->code->root, JSON_C_TO_STRING_PLAIN |
					       JSON_C_TO_STRING_NOSLASHESCAPE)) {
		fprintf(stderr, "refbench: error: writing %s: %s\n", path, strerror(errno ? errno : EIO));
		return -1;
	}
	snprintf(path, sizeof(path), "%s/runs", tmpdir);
	mkdir(path, 0755);
	for (int a = 0; a < 2; a++)
		for (unsigned i = 0; i < r->nr[a]; i++) {
			char link[PATH_MAX + 96], *target = realpath(names[a][i], NULL);

			snprintf(link, sizeof(link), "%s/runs/%c%u", tmpdir, 'A' + a, i + 1);
			if (target && symlink(target, link))
				rb_warn("link %s: %s", link, strerror(errno));
			free(target);
		}
	snprintf(path, sizeof(path), "%s/plots", tmpdir);
	mkdir(path, 0755);
	if ((e = rb_report_plots(path, r)))
		rb_warn("plot data could not be written: %s; plots/ is incomplete", strerror(-e));
	if (rename(tmpdir, out)) {
		if (errno == ENOTEMPTY || errno == EEXIST || errno == EISDIR)
			fprintf(stderr, "refbench: error: output %s appeared while this compare ran (another "
				"compare on the same -o?): comparisons are never overwritten, this one is not "
				"written: choose a new -o DIR\n", out);
		else
			fprintf(stderr, "refbench: error: cannot create %s: %s\n", out, strerror(errno));
		return -1;
	}
	return 0;
}

/* Everything is known: write into a temp dir, then rename into place; a
 * failure leaves neither the output nor the temp dir. */
static int write_out(const struct rb_report *r, char *names[2][RB_MAX_RUNS])
{
	char tmpdir[PATH_MAX + 32];

	snprintf(tmpdir, sizeof(tmpdir), "%s.tmp-XXXXXX", r->o->out);
	if (!mkdtemp(tmpdir)) {
		fprintf(stderr, "refbench: error: cannot create %s: %s\n", tmpdir, strerror(errno));
		return -1;
	}
	if (write_into(r, names, tmpdir)) {
		rb_remove_tree(tmpdir);
		return -1;
	}
	return 0;
}

/* The run directories named on the command line, for the runs/ links. */
static unsigned split_names(char *list, char **out)
{
	unsigned n = 0;
	char *save = NULL;

	for (char *t = strtok_r(list, ",", &save); t && n < RB_MAX_RUNS; t = strtok_r(NULL, ",", &save))
		out[n++] = t;
	return n;
}

int rb_cmd_compare(int argc, char **argv)
{
	struct rb_cmp_opts o = RB_CMP_OPTS_INIT;
	char outbuf[PATH_MAX];

	parse_opts(argc, argv, &o);
	if (!o.out)
		o.out = rb_default_output("ab", "the report", outbuf, sizeof(outbuf));
	if (!access(o.out, F_OK))
		rb_die_usage("output %s exists; comparisons are never overwritten: choose a new -o DIR", o.out);
	if (o.plan && (o.resumed || o.nmissing))
		rb_die_usage("--plan %s names the resumed and missing boots itself: drop --resumed and --missing",
			     o.plan);
	{
		/* the plan of these runs says what was resumed and what is missing */
		struct rb_cmp_plan cp;
		char err[RB_ERR_LEN];
		int found = rb_cmp_plan_find(o.plan, argv[optind], argv[optind + 1], !o.resumed && !o.nmissing, &cp,
					     err, sizeof(err)), rc;

		if (found < 0)
			return rb_error(RB_EXIT_USAGE, "--plan: %s", err);
		if (found) {
			o.resumed = cp.resumed;
			for (unsigned i = 0; i < cp.nmissing; i++)
				o.missing[i] = cp.missing[i];
			o.nmissing = cp.nmissing;
		}
		rc = rb_compare(&o, argv[optind], argv[optind + 1], NULL, NULL);
		if (found)
			rb_cmp_plan_free(&cp);
		return rc;
	}
}

int rb_compare(struct rb_cmp_opts *op, const char *list_a, const char *list_b,
	       rb_compare_seen_fn *seen, void *ctx)
{
	struct rb_cmp_opts o = *op;
	static struct rb_loaded_run runs[2][RB_MAX_RUNS];
	char err[RB_ERR_LEN], mismatch[8192], *names[2][RB_MAX_RUNS];
	const char *arg[2] = { list_a, list_b };
	char *lists[2] = { NULL, NULL };
	struct rb_report r = { .o = &o, .mismatch = mismatch, .run = { runs[0], runs[1] } };
	struct rb_samples_set set = { 0 };
	struct rb_ab_metric *ms = NULL;
	struct rb_bounds bounds = { .n = 0 };
	struct rb_code_diff code = { .n = 0 };
	int rc = RB_EXIT_FAIL, e;

	mismatch[0] = '\0';
	for (int a = 0; a < 2; a++)
		if (rb_runs_load(arg[a], runs[a], &r.nr[a], err, sizeof(err))) {
			fprintf(stderr, "refbench: error: RUNS_%c: %s\n", 'A' + a, err);
			rb_runs_unload(runs[0], r.nr[0]);
			return RB_EXIT_FAIL;
		}
	for (int a = 0; a < 2; a++) {
		lists[a] = strdup(arg[a]);
		if (!lists[a])
			abort();
		split_names(lists[a], names[a]);
	}
	/* one boot counted twice: the same run (or a copy) in A and B, or twice in an arm */
	for (int a = 0; a < 2; a++)
		for (unsigned i = 0; i < r.nr[a]; i++)
			for (int b = a; b < 2; b++)
				for (unsigned j = b == a ? i + 1 : 0; j < r.nr[b]; j++)
					if (rb_runs_same(runs[a][i].dir, runs[a][i].meta, runs[b][j].dir, runs[b][j].meta)) {
						fprintf(stderr, "refbench: error: %s is the same run as %s: one boot "
							"cannot be counted twice\n", names[b][j], names[a][i]);
						goto out;
					}
	if (rb_prov_mismatches(runs[0], r.nr[0], runs[1], r.nr[1], mismatch, sizeof(mismatch))) {
		if (!o.force) {
			fprintf(stderr, "refbench: error: these runs do not share their provenance, so "
				"their numbers are not comparable:\n%s(use --force to compare anyway; the "
				"report then lists the differences)\n", mismatch);
			goto out;
		}
		fprintf(stderr, "refbench: warning: comparing despite:\n%s", mismatch);
	}
	r.exact = rb_runs_exact(runs[0], r.nr[0]) && rb_runs_exact(runs[1], r.nr[1]);
	if (r.exact)
		for (int a = 0; a < 2; a++)
			rb_runs_warn_unproven(runs[a], r.nr[a]);
	if (o.bounds_path) {
		if (!r.exact) {
			fprintf(stderr, "refbench: error: --bounds applies to deterministic runs (clock "
				"icount); timed runs are decided by the per-boot test: drop --bounds\n");
			goto out;
		}
		if (rb_bounds_load(o.bounds_path, &bounds, err, sizeof(err))) {
			fprintf(stderr, "refbench: error: %s\n", err);
			rb_bounds_free(&bounds);
			goto out;
		}
		r.bounds = &bounds;
	}
	if (o.code_diff_path) {
		if (!r.exact) {
			fprintf(stderr, "refbench: error: --code-diff marks the symbols of where: lines, "
				"which only deterministic runs with the plugin have: drop --code-diff\n");
			goto out;
		}
		if (rb_code_diff_load(o.code_diff_path, &code, err, sizeof(err))) {
			fprintf(stderr, "refbench: error: %s\n", err);
			goto out;
		}
		r.code = &code;
	}
	o.first_look = r.exact ? 1 : 2;
	o.look_alpha = o.alpha;
	if (o.max_looks) {
		if (r.nr[0] != o.look || r.nr[1] != o.look) {
			fprintf(stderr, "refbench: error: --sequential %u/%u: look %u needs %u boots of each "
				"kernel, not %u A + %u B\n", o.look, o.max_looks, o.look, o.look, r.nr[0], r.nr[1]);
			goto out;
		}
		if (o.look < o.first_look) {
			fprintf(stderr, "refbench: error: --sequential: timed mode decides from %u boots per "
				"kernel on; look again after the next round\n", o.first_look);
			goto out;
		}
		o.look_alpha = rb_stats_look_alpha(o.look, o.max_looks, o.first_look, o.alpha);
	}

	r.cases = rb_run_cases(runs[0][0].meta);
	rb_samples_collect(&set, r.run, r.nr, 2);
	rb_samples_explain_missing(&set, r.run, (const char *const[]){ "A", "B" });
	r.primaries_marked = rb_samples_mark_families(&set, runs[0][0].meta);
	rb_samples_sort(&set);
	r.ss = calloc(set.n + 1, sizeof(*r.ss));
	r.lost = calloc(set.n + 1, sizeof(*r.lost));
	ms = calloc(set.n + 1, sizeof(*ms));
	r.res = calloc(set.n + 1, sizeof(*r.res));
	if (!r.ss || !r.lost || !ms || !r.res)
		abort();
	for (size_t i = 0; i < set.n; i++) {
		struct rb_samples *s = &set.s[i];

		if (!rb_samples_complete(s)) {
			r.lost[r.nlost++] = s;
			continue;
		}
		r.ss[r.n++] = s;
		r.spp = s->g[0].n[0] > r.spp ? s->g[0].n[0] : r.spp;
	}
	if (!r.n) {
		fprintf(stderr, "refbench: error: no metric has samples in every run of both arms "
			"(different suites or all samples rejected?)\n");
		goto out;
	}
	for (size_t i = 0; i < r.n; i++) {
		struct rb_samples *s = r.ss[i];
		const struct rb_bound_entry *be = r.bounds ? rb_bounds_find(r.bounds, s) : NULL;

		ms[i] = (struct rb_ab_metric){
			/* the name seeds the metric's bootstrap stream: stable across reports */
			.name = s->seedname, .a = rb_samples_arm(s, 0), .b = rb_samples_arm(s, 1),
			.family = s->family, .has_bound = be != NULL, .bound = be ? rb_bound_for(be, s) : 0,
			.resolution = s->resolution,
		};
		if (s->family == RB_FAMILY_DERIVED) {
			ms[i].parent = rb_report_parent(&r, i);
			/* its time metric was lost: then the rate is tested itself */
			if (ms[i].parent == i)
				ms[i].family = s->family = RB_FAMILY_PRIMARY;
		}
	}
	{
		struct rb_stats_opts so = RB_STATS_OPTS_INIT;

		so.margin = o.margin;
		so.alpha = o.look_alpha;
		so.seed = o.seed;
		so.iters = o.iters;
		so.correction = o.correction;
		e = r.exact ? rb_stats_exact(ms, r.n, &so, r.res) : rb_stats_compare(ms, r.n, &so, r.res);
		if (e) {
			fprintf(stderr, "refbench: error: statistics failed: %s\n", strerror(-e));
			goto out;
		}
	}
	if (o.normalize >= 0)
		normalize(&r, ms);
	if ((r.attr = rb_attr_load(r.run, r.nr, r.exact)))
		rb_attr_summarise(r.attr, r.ss, r.res, r.n);
	for (size_t i = 0; i < r.n; i++)
		r.undecided += r.ss[i]->family == RB_FAMILY_PRIMARY &&
			       r.res[i].verdict == RB_VERDICT_INCONCLUSIVE;
	r.stop = !r.undecided || o.look == o.max_looks;
	if (write_out(&r, names))
		goto out;
	rc = 0;
	if (seen) {
		seen(&r, ctx);
		goto out;
	}
	fprintf(stderr, "refbench: report: %s/report.txt\n", o.out);
	printf("%s\n", o.out);
	if (r.nlost && !o.allow_missing) {
		fprintf(stderr, "refbench: error: %zu metrics were measured in one arm (or some boots) "
			"only, so the comparison is incomplete; %s/report.txt lists them and why. Fix "
			"the runs, or accept the loss with --allow-missing (ALLOW_MISSING=1 for make ab)\n",
			r.nlost, o.out);
		rc = RB_EXIT_FAIL;
	}
out:
	for (int a = 0; a < 2; a++) {
		rb_runs_unload(runs[a], r.nr[a]);
		free(lists[a]);
	}
	if (r.bounds)
		rb_bounds_free(&bounds);
	rb_code_diff_free(&code);
	rb_attr_free(r.attr);
	rb_samples_free(&set);
	free(r.ss);
	free(r.lost);
	free(r.norm);
	free(ms);
	free(r.res);
	return rc;
}
