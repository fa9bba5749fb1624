/* SPDX-License-Identifier: GPL-2.0 */
/*
 * refbench series: the walk of a patch series. Given the runs of the base
 * kernel and of base + patches 1..K (one kernel per step of the walk), it
 * compares each kernel with its predecessor (app/compare: every step's
 * report is kept) and writes one table: rows the metrics that changed in
 * some step beyond their A/A bound, columns the patches, cells the change
 * per op that patch introduced. By job: cmd.c (the command: options, the
 * provenance of the walk, each step's comparison, writing it all), text.c
 * (series.txt), json.c (series.json, the owner of its format), plot.c
 * (plots/heatmap.*).
 */
#ifndef REFBENCH_WALK_H
#define REFBENCH_WALK_H

#include <json-c/json.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>

#include "app/compare/compare.h"

#define RB_WALK_SCHEMA "refbench-series/1"
#define RB_WALK_MAX_STEPS 64
/* symbols kept per cell (the largest moves), as compare names them */
#define RB_WALK_SYMS 5
#define RB_WALK_CANARIES 9

struct rb_walk_count {
	char name[96];
	double delta;		/* per op, in the metric's unit */
	bool within_spread;	/* no larger than its spread between boots of one kernel */
};

/* One metric in one step: kernel k-1 (a) against kernel k (b). */
struct rb_walk_cell {
	bool has;		/* measured in both kernels of the step */
	bool changed;		/* exact: |delta| > bound; timed: slower or faster */
	bool bound_known;	/* exact rule: a bound was declared or measured */
	double a, b, delta, bound;
	enum rb_verdict verdict;	/* as the reader means it (rates flipped) */
	bool attributed;	/* per-symbol counts of both kernels */
	char window_of[32];	/* "" or the metric whose window it was attributed through */
	unsigned nsym, ncan;
	struct rb_walk_count sym[RB_WALK_SYMS], can[RB_WALK_CANARIES];
};

struct rb_walk_row {
	char label[256];
	struct rb_metric_id id;
	enum rb_family family;
	bool changed;		/* in some step */
	bool unknown;		/* in some step its bound was unknown and it moved */
	struct rb_walk_cell cell[RB_WALK_MAX_STEPS];
};

struct rb_walk_step {
	unsigned patch;		/* 1..K: this step adds patch `patch` */
	char subject[256];	/* from the kernel's build-info, else "patch N" */
	char runs[8192];	/* the runs of kernel `patch` */
	char report[64];	/* its comparison, relative to the output: steps/NN */
	bool exact;
	unsigned metrics, lost, changed;
	bool attributed;	/* attribution used in both kernels */
};

struct rb_walk {
	const struct rb_cmp_opts *o;
	char base_runs[8192];
	char base_text[1024];	/* the base kernel, as compare's header names it */
	char source[512];	/* source and ref of every kernel */
	unsigned nsteps;
	struct rb_walk_step step[RB_WALK_MAX_STEPS];
	size_t nrows, cap;
	struct rb_walk_row **rows;	/* report order of the first step that has them */
	unsigned stopped;	/* the patch the walk stopped at (0: it did not) */
	const char *stopped_reason;
	const char *command;
	bool provenance_known;	/* every run carries its kernel's build-info */
};

/* What a cell prints: "+1", "-2.5", "." (within the bound), "?" (no
 * bound), "-" (not measured). */
const char *rb_walk_cell_text(const struct rb_walk_cell *c, char *buf, size_t n);

void rb_walk_txt(FILE *f, const struct rb_walk *w);
struct json_object *rb_walk_json(const struct rb_walk *w);
/* plots/heatmap.{dat,gp} and, unless o->plots is false, gnuplot on them:
 * 0, or -errno for the data files. */
int rb_walk_plots(const char *dir, const struct rb_walk *w);

/* refbench series RUNS_0 RUNS_1 ... RUNS_K */
int rb_cmd_series(int argc, char **argv);

#endif
