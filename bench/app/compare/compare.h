/* SPDX-License-Identifier: GPL-2.0 */
/*
 * refbench compare: the A/B decision and the report it writes. By job:
 * cmd.c (the command: options, the decision, writing the report),
 * load.c (runs and whether they may be compared), metric.c (a metric's
 * identity, as every file writes it), samples.c (samples grouped by point
 * and metric), cost.c (the plugin's file beside a run, as samples),
 * attribution.c (per-symbol counts beside a run), bounds.c (the A/A
 * bounds file), plan.c (the plan the runs came from: resumed and missing
 * boots); and the report: report.c (what all its forms share),
 * text.c (report.txt), text72.c (the 72-column text of every report),
 * json.c (report.json), plots.c (plots/). What a report says of a case
 * comes from its runs (rundir/cases.h), never from today's case table.
 */
#ifndef REFBENCH_COMPARE_H
#define REFBENCH_COMPARE_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdio.h>

#include "app/compare/attribution.h"
#include "app/compare/bounds.h"
#include "app/compare/codediff.h"
#include "app/compare/samples.h"
#include "stats/stats.h"

/* --iters: 100x the default, minutes and some hundred MB at most */
#define RB_CMP_ITERS_MAX 1000000u

struct rb_cmp_opts {
	double margin, alpha;		/* alpha: the family error rate */
	double look_alpha;		/* what this report decides at (alpha, or a look's share) */
	unsigned look, max_looks, first_look;	/* --sequential R/RMAX; 0: not sequential */
	enum rb_correction correction;
	uint64_t seed;
	unsigned iters;			/* bootstrap resamples, 100 to RB_CMP_ITERS_MAX */
	bool force, plots, allow_missing;
	int normalize;			/* enum rb_kind of the baseline, or -1 */
	const char *out, *label_a, *label_b, *command, *bounds_path, *code_diff_path;
	const char *plan;		/* --plan: the plan the runs came from */
	const char *resumed;		/* runs reused from an interrupted A/B (the plan, or --resumed) */
	const char *missing[64];	/* --missing: boots the runs lack, and why */
	unsigned nmissing;
};

/* --normalize: a metric's B/A over its baseline's B/A */
struct rb_norm {
	bool has;
	size_t base;			/* index of the baseline metric */
	double ratio;
	struct rb_ci ci;
};

/* Everything a report says; the report's files only format it. */
struct rb_report {
	const struct rb_cmp_opts *o;
	struct rb_loaded_run *run[2];
	unsigned nr[2];
	bool exact;			/* the exact rule (every clock icount) */
	struct rb_samples **ss;		/* compared metrics, report order */
	size_t n;
	struct rb_ab_result *res;
	struct rb_norm *norm;		/* n entries; NULL without --normalize */
	struct rb_samples **lost;	/* in one arm (or some boots) only */
	size_t nlost;
	const struct rb_bounds *bounds;	/* --bounds FILE, or NULL */
	struct rb_attr *attr;		/* per-symbol counts; NULL: no run has them */
	const struct rb_code_diff *code;	/* --code-diff FILE, or NULL */
	struct json_object *cases;	/* as the first A run describes them (rundir/cases.h) */
	const char *mismatch;		/* provenance differences (--force) or "" */
	int primaries_marked;		/* suite lines with primary= (-1: suite unreadable) */
	unsigned spp;			/* samples per point per boot (about) */
	unsigned undecided;		/* primary metrics left inconclusive */
	bool stop;			/* --sequential: nothing left to decide */
};

/* The verdict as a reader means it: for rates (higher is better) a
 * larger B is faster; a derived metric shows its time metric's verdict. */
enum rb_verdict rb_report_verdict(const struct rb_report *r, size_t i);
/* The index of metric i's parent in r->ss (derived metrics), else i. */
size_t rb_report_parent(const struct rb_report *r, size_t i);

/* Verdicts counted over one family. */
struct rb_tally {
	unsigned n, slower, slower_in, faster, faster_in, equivalent, inconclusive;
};
struct rb_tally rb_report_tally(const struct rb_report *r, enum rb_family fam);
/* Exact rule: metrics whose bound is this comparison's own between-boot
 * spread (1 x over the boots here), weaker than a declared bound (3 x over
 * >= 6 perturbed boots, scripts/bounds); the header says so. */
#define RB_WEAK_BOUND_WHY "a declared bound is 3 x the spread of >= 6 perturbed boots " \
	"(scripts/bounds); this one is 1 x the spread of the boots compared here, so " \
	"noise in a path the patch does not touch can pass it"
unsigned rb_report_weak_bounds(const struct rb_report *r);
/* "Linux 6.1.192 from linux-source-6.1.tar.xz 4d41... + 1 patch: [1] ..."
 * from the lab's build-info when there is one, else uname's release. */
void rb_report_kernel_text(struct json_object *meta, char *buf, size_t n);

void rb_report_txt(FILE *f, const struct rb_report *r);
struct json_object *rb_report_json(const struct rb_report *r);
/* plots/: forest and dist data for the whole report and per case, then
 * gnuplot on them unless --no-plots; 0, or -errno for the data files. */
int rb_report_plots(const char *dir, const struct rb_report *r);
/* gnuplot -e VARS scripts/plots/TMPL: its exit code, -1 if it cannot run
 * (not installed, or not started); why says which. What it says goes to
 * stderr. */
int rb_plot_gnuplot(const char *tmpl, const char *vars, char *why, size_t n);

/* refbench compare RUNS_A RUNS_B */
int rb_cmd_compare(int argc, char **argv);

#define RB_CMP_OPTS_INIT { .margin = RB_STATS_MARGIN_DEFAULT, .alpha = RB_STATS_ALPHA_DEFAULT, \
			   .seed = RB_STATS_SEED_DEFAULT, .iters = RB_STATS_ITERS_DEFAULT, \
			   .plots = true, .normalize = -1, .correction = RB_CORR_HOLM }
/* The comparison rb_cmd_compare makes, for other commands (refbench
 * series compares each patch with its predecessor): RUNS_A and RUNS_B are
 * comma-separated run lists, o->out a directory that does not exist yet.
 * Writes the report there; with seen, hands it the report once written
 * (before it is freed) instead of naming it on stdout, and lost metrics
 * (r->nlost) are the caller's to judge. 0 written; else RB_EXIT_FAIL
 * (refused, with the reason on stderr; or, without seen, written but
 * lost metrics without allow_missing). */
typedef void rb_compare_seen_fn(const struct rb_report *r, void *ctx);
int rb_compare(struct rb_cmp_opts *o, const char *runs_a, const char *runs_b,
	       rb_compare_seen_fn *seen, void *ctx);

#endif
