/* SPDX-License-Identifier: GPL-2.0 */
#ifndef REFBENCH_RUNNER_H
#define REFBENCH_RUNNER_H

#include "app/run/suite.h"
#include "app/rundir/rundir.h"

struct rb_plan_point {
	struct rb_point pt;
	unsigned repeat, warmup;
	/* resume: this point's records from an earlier run, and where they
	 * were measured ({dir, sha256}); the runner copies them, runs nothing */
	struct json_object *reuse, *from;
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
/* A point as meta.json's points_done lists it: index, case, kind, params,
 * repeat, warmup (the runner adds records, outcome and from). */
struct json_object *rb_plan_point_json(const struct rb_plan *plan, unsigned i);
/* What the kernel must reserve at boot for the plan, as command-line
 * arguments ("hugepagesz=2M hugepages=64"); "" when nothing. */
const char *rb_plan_boot_args(const struct rb_plan *plan, char *buf, size_t n);
/* Setup and teardown of every point whose case asks for a preflight; the
 * first RB_ERR is returned with its reason in err (nothing is written). */
int rb_plan_preflight(struct rb_plan *plan, char *err, size_t n);

/* repeat= and warmup= (and --repeat, --warmup): at most this many */
#define RB_MAX_REPEAT 100000u

struct rb_runner_opts {
	const struct rb_env *env;
	bool progress;
};

/* How the run went: the CLI closes it from this. */
struct rb_runner_result {
	unsigned points_run, points_reused;
	bool point_errors;	/* a point ended in an "error" record */
	int signal;		/* SIGINT/SIGTERM/SIGHUP that stopped it, or 0 */
	int write_err;		/* -errno of the commit that failed, or 0 */
	char why[RB_ERR_LEN];	/* where it stopped, or what could not be written */
};

/* SIGINT, SIGTERM and SIGHUP stop the run after the current iteration (its
 * point is dropped, every committed one kept); a second signal exits at
 * once with 128 + its number. */
void rb_runner_catch_signals(void);

/* Runs (or copies, for resumed points) every point, committing each; stops
 * at a signal or at the first commit that fails. */
void rb_runner_run(struct rb_plan *plan, struct rb_run *run, struct rb_counters *ctr,
		   const struct rb_runner_opts *o, struct rb_runner_result *res);

#endif
