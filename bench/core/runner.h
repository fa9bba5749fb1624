/* SPDX-License-Identifier: GPL-2.0 */
#ifndef REFBENCH_RUNNER_H
#define REFBENCH_RUNNER_H

#include "output.h"
#include "suite.h"

struct rb_plan_point {
	struct rb_point pt;
	unsigned repeat, warmup;
};

struct rb_plan {
	unsigned n;
	struct rb_plan_point *p;
};

/* Expand a suite into points and validate every one of them (cases, kinds,
 * parameters, sizes, pmem paths) before anything is written. */
int rb_plan_build(const struct rb_suite *s, const struct rb_env *env, struct rb_plan *plan,
		  char *err, size_t n);
void rb_plan_free(struct rb_plan *plan);
/* Setup and teardown of every point whose case asks for a preflight; the
 * first RB_ERR is returned with its reason in err (nothing is written). */
int rb_plan_preflight(struct rb_plan *plan, char *err, size_t n);

struct rb_runner_opts {
	const struct rb_env *env;
	int cpu;		/* pin the measuring thread; -1: don't */
	bool progress;
};

/* Runs every point; returns 0 when all points ran (samples, skips and
 * rejections are results), 1 when any point failed with an error. */
int rb_runner_run(struct rb_plan *plan, struct rb_run *run, struct rb_counters *ctr,
		  const struct rb_runner_opts *o);

#endif
