/* SPDX-License-Identifier: GPL-2.0 */
/* The plan a comparison's runs came from: resumed and missing boots (plan.c). */
#ifndef REFBENCH_COMPARE_PLAN_H
#define REFBENCH_COMPARE_PLAN_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#define RB_CMP_PLAN_MISSING 64

struct rb_cmp_plan {
	char path[PATH_MAX + 16];		/* its plan.json */
	char *resumed;				/* runs a resume reused, comma-separated, or NULL */
	char *missing[RB_CMP_PLAN_MISSING];	/* failed boots: "LABEL (KERNEL): reason" */
	unsigned nmissing;
};

/* The plan of these runs: given (a plan.json, or the directory that holds
 * one; every run must be one of its boots' runs), else, when look, one
 * beside a run that lists it. 1 with cp filled, 0 when there is none, -1
 * with err. rb_cmp_plan_free after 1. */
int rb_cmp_plan_find(const char *given, const char *list_a, const char *list_b, bool look, struct rb_cmp_plan *cp,
		     char *err, size_t n);
void rb_cmp_plan_free(struct rb_cmp_plan *cp);

#endif
