/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Attribution: which kernel functions a metric's instructions ran in.
 *
 * In deterministic mode, `scripts/lab --attribute` loads the QEMU plugin
 * plugin/insn_attr.c (the owner and only writer of the format), which
 * leaves DIR/attribution.jsonl beside the boot's run DIR/run, one line
 * per measurement window in the guest's refbench process:
 *   {"w":N,"insns":T,"restarts":R,"syms":{"name":count,...},"canaries":{"K":n}}
 * This file reads it for compare: it joins each window to the samples
 * whose "window" is N (a sample without a window through the window of
 * the windowed metric of its iteration), checks every windowed sample
 * against its window (T - R, the exact count, within max(0.1%, 200) of
 * value x ops) and summarises each metric's per-symbol counts per op as
 * the metric itself is summarised: pooled medians per arm, delta B - A.
 */
#ifndef REFBENCH_ATTRIBUTION_H
#define REFBENCH_ATTRIBUTION_H

#include <stdbool.h>
#include <stddef.h>

#include "app/compare/samples.h"
#include "stats/stats.h"

/* The check: |(T - R) - value x ops| <= max(REL x value x ops, ABS) */
#define RB_ATTR_CHECK_REL 0.001
#define RB_ATTR_CHECK_ABS 200.0

struct rb_attr_join;	/* a sample joined to its window (attribution.c) */
struct rb_attr_win;	/* a window a sample refers to */

/* One run's attribution.jsonl, joined to its samples. */
struct rb_attr_run {
	bool present;		/* the run has an attribution.jsonl beside it */
	bool usable;		/* present, well-formed, and every sample agrees with it */
	char path[4160];
	char why[1024];		/* present but not usable: what is wrong */
	size_t windows;		/* lines in the file */
	size_t checked;		/* windowed samples checked against their window */
	double worst;		/* the largest |(T - R) - value x ops| among them */
	size_t nj, nw;
	struct rb_attr_join *j;
	struct rb_attr_win *w;
};

/* A symbol's (a canary's, the restarts') count per op in each arm. */
struct rb_attr_count {
	char *name;
	double a, b, delta;	/* pooled medians of count / ops; b - a */
	double spread;		/* the largest max - min of boot medians in one arm; NAN: one boot each */
};

struct rb_attr_metric {
	bool has;
	const char *window_of;		/* NULL: the metric's own window; else the metric whose window */
	size_t nsym, ncan;
	struct rb_attr_count *sym;	/* every symbol with delta != 0, largest |delta| first */
	struct rb_attr_count *can;	/* every canary seen, by number */
	struct rb_attr_count restarts;	/* page-fault entries (counted twice by the plugin) */
	double sum_delta;		/* the sum of the symbols' deltas */
	double unattributed;		/* the metric's delta - sum_delta */
};

struct rb_attr {
	unsigned nr[2], runs[2];	/* runs per arm; those whose attribution is used */
	struct rb_attr_run *run[2];	/* beside the compared runs, in their order */
	size_t checked;			/* samples checked in the runs used */
	double worst;			/* the largest difference among them */
	size_t n;
	struct rb_attr_metric *m;	/* n, one per compared metric; NULL: an arm has none */
};

/* The attribution beside each run of the two arms; NULL when no run has
 * one. exact: the runs are deterministic (a timed run's file is flagged). */
struct rb_attr *rb_attr_load(struct rb_loaded_run *const *runs, const unsigned *nr, bool exact);
/* Fills at->m for the n compared metrics ss[] whose results are res[]. */
void rb_attr_summarise(struct rb_attr *at, struct rb_samples *const *ss,
		       const struct rb_ab_result *res, size_t n);
void rb_attr_free(struct rb_attr *at);

#endif
