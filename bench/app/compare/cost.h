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

enum {
	RB_COST_ATOMIC, RB_COST_LOADS, RB_COST_STORES, RB_COST_PSTRUCT, RB_COST_LINES,
	RB_COST_PSTRUCT_LINES, RB_COST_NR
};
/* Also the plugin's keys in "cost" and, for the first four, "<name>_syms". */
extern const char *const rb_cost_components[RB_COST_NR];
/* The largest attribution.jsonl read for it. */
#define RB_COST_FILE_MAX (1 << 30)

/* What the component of a unit is ("atomic/page": RB_COST_ATOMIC), or -1. */
int rb_cost_component(const char *unit);

struct rb_cost_note {
	bool expanded;		/* the run's plugin counted the cost vector */
	bool split;		/* the vmemmap was at its fixed base (nokaslr) */
	size_t samples;		/* component samples added */
	size_t withheld;	/* not added: no struct-page split, or a lost line count */
};

/* Adds the component samples of a run whose attribution.jsonl has them
 * (none otherwise): 0, or -errno with err for a file that is not the run's. */
int rb_cost_expand(struct rb_loaded_run *r, struct rb_cost_note *note, char *err, size_t n);

#endif
