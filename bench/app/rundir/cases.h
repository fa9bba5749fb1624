/* SPDX-License-Identifier: GPL-2.0 */
/*
 * meta.json's "cases": what a report says about the cases, as the refbench
 * that made the run described them, so that a report on a run reads the
 * same whatever the case table says later (a default changed, a kernel
 * path reworded):
 *
 *   "cases": {"gup-fast": {"summary": "...", "kernel_paths": "...",
 *             "params": {"cmd": "gup", "size": "64M", ...}}, ...}
 *
 * params are the defaults, which a report's labels leave out. A run
 * written before refbench recorded them is described by the table as it
 * stood then (cases_before.c), never by today's.
 */
#ifndef REFBENCH_RUNDIR_CASES_H
#define REFBENCH_RUNDIR_CASES_H

#include <json-c/json.h>
#include <stdbool.h>

/* Every case of this refbench, for a new run's meta.json. */
struct json_object *rb_cases_record(void);
/* The run's "cases", or the description of runs that have none; borrowed
 * from meta (or static): never NULL. */
struct json_object *rb_run_cases(struct json_object *meta);
/* The case's kernel paths text, or NULL when the description lacks it. */
const char *rb_run_case_kernel_paths(struct json_object *cases, const char *casename);
/* Is val the default of the case's parameter key? */
bool rb_run_case_default(struct json_object *cases, const char *casename, const char *key,
			 const char *val);

#endif
