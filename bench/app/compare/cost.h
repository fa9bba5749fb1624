/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The cost vector of a window (docs/cost.md): atomics, loads, stores,
 * struct-page accesses, distinct lines and distinct struct-page lines,
 * each a metric of its own beside the window's instructions.
 */
#ifndef REFBENCH_COMPARE_COST_H
#define REFBENCH_COMPARE_COST_H

#include <stdbool.h>
#include <stddef.h>

#include "app/compare/load.h"
#include "app/compare/samples.h"


/* The plugin's file beside a lab boot's run: every window's counts, per
 * symbol (attribution.h reads them per metric, this file as samples). */
#define RB_ATTR_FILE "attribution.jsonl"
/* DIR/attribution.jsonl when the run is DIR/run (a lab boot); false otherwise. */
bool rb_attr_path(const char *rundir, char *out, size_t n);

/* The window's sub-object holding a metric's per-symbol counts (sub), and
 * those to take away from them (minus, "" when none) for the own part;
 * sub "-" when the window has none (lines). */
void rb_window_syms(const char *unit, bool own, char sub[64], char minus[2][64]);

struct rb_cost_note {
	bool expanded;		/* the run's plugin counted the cost vector */
	bool split;		/* the vmemmap was at its fixed base (nokaslr) */
	size_t samples;		/* component samples added */
	size_t withheld;	/* not added: no struct-page split, or a lost line count */
	size_t own;		/* samples whose value became the task's own count */
	bool ctx_seen;		/* the plugin split some window */
	char why_not_own[600];	/* why a split in the file was not used */
	char skipped[600];	/* why the file was not used at all */
};

/* Where a lab boot's attribution.jsonl has them: the own counts and the
 * interrupts' and other tasks' beside them, and the cost components
 * (cost.c). 0, or -errno with note->skipped saying why the file was not
 * used (a file that is not the run's): the run is then as measured. */
int rb_cost_expand(struct rb_loaded_run *r, struct rb_cost_note *note);

#endif
