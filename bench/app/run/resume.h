/* SPDX-License-Identifier: GPL-2.0 */
/*
 * refbench run --resume DIR: a new run that reuses the points of DIR that
 * are complete and verified, and runs only the rest.
 *
 * DIR must be a valid run that is not complete (interrupted, failed, or
 * never closed), with the same suite (text and --repeat/--warmup) and the
 * same provenance (the fields compare matches, and the kernel). A point of
 * DIR is reused when meta.json certifies it and it measured (outcome
 * "measured" or "rejected"); a point that was skipped, unsupported or
 * failed runs again. The new run's points_done[].from names the run each
 * reused point was measured in (kept along a chain of resumes) and its
 * "resumed_from" the run it started from. DIR is never changed.
 */
#ifndef REFBENCH_RESUME_H
#define REFBENCH_RESUME_H

#include <limits.h>
#include <json-c/json.h>

#include "app/run/runner.h"
#include "app/rundir/read.h"

struct rb_resume {
	char dir[PATH_MAX];	/* realpath of DIR */
	struct json_object *meta, *records;
	struct rb_run_check c;
	unsigned reused, records_reused;
};

/* Loads and verifies DIR; refuses a complete, live or unresumable run. */
int rb_resume_open(const char *dir, struct rb_resume *rs, char *err, size_t n);
/* The earlier run's suite: its text, name, and --repeat/--warmup (or NULL). */
const char *rb_resume_suite_text(const struct rb_resume *rs);
const char *rb_resume_suite_name(const struct rb_resume *rs);
const char *rb_resume_override(const struct rb_resume *rs, const char *key);
/* The new run's meta must match: suite and provenance. */
int rb_resume_check(const struct rb_resume *rs, struct json_object *meta, char *err, size_t n);
/* Gives the plan's points their earlier records; notes "resumed_from" in
 * meta. -1 with err when points_done does not fit the plan. */
int rb_resume_attach(struct rb_resume *rs, struct rb_plan *plan, struct json_object *meta,
		     char *err, size_t n);
void rb_resume_close(struct rb_resume *rs);

#endif
