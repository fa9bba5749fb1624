/* SPDX-License-Identifier: GPL-2.0 */
/* Inside the plan folder: plan.json's accessors, its lock, and the three
 * parts of `refbench plan` (init.c starts a job, next.c decides, cmd.c). */
#ifndef REFBENCH_PLAN_STATE_H
#define REFBENCH_PLAN_STATE_H

#include <stdbool.h>
#include <stdio.h>
#include <json-c/json.h>

#include "lib/json.h"

struct json_object *rb_plan_get(struct json_object *o, const char *key);
long rb_plan_int(struct json_object *o, const char *key, long dflt);
bool rb_plan_bool(struct json_object *o, const char *key);
void rb_plan_set_str(struct json_object *o, const char *key, const char *val);
void rb_plan_set_int(struct json_object *o, const char *key, long val);
/* "JOB: message" on stderr, as the scripts' own messages read */
void rb_plan_say(struct json_object *plan, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* "JOB: error: message" on stderr; returns RB_EXIT_FAIL */
int rb_plan_error(const char *job, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* how a stopped job goes on: "make ab RESUME=OUT", "scripts/bounds --resume OUT", ... */
const char *rb_plan_resume_cmd(const char *job, const char *out, char *buf, size_t n);
int rb_plan_lock(const char *state);	/* an fd holding the flock, or -errno */
int rb_plan_load(const char *state, struct json_object **plan, char *err, size_t n);
int rb_plan_save(const char *state, struct json_object *plan, char *err, size_t n);

struct json_object *rb_plan_kernel(struct json_object *plan, size_t i);
struct json_object *rb_plan_boot(struct json_object *plan, const char *label, size_t *idx);
/* a pending kernel: kernels/build's arguments (build: an array, taken);
 * returns it, the plan's */
struct json_object *rb_plan_add_kernel(struct json_object *plan, const char *label, const char *spec, struct json_object *build);
void rb_plan_add_boot(struct json_object *plan, const char *label, long kernel, long round, long perturb);
bool rb_plan_run_reusable(const char *run);
int rb_plan_lab_argv(struct json_object *plan, struct json_object *boot, FILE *out);
long rb_plan_mem_available_mib(void);
/* how long a boot waits for memory other jobs hold (RB_PLAN_MEM_WAIT s,
 * default 600) */
long rb_plan_mem_wait_s(void);
/* the boots run elsewhere (a LAVA server's workers: RB_PLAN_BOOTS_ELSEWHERE):
 * this machine's memory bounds none of them */
bool rb_plan_boots_elsewhere(void);

/* init.c: a new plan (or the one to resume) from a job's command line;
 * prints STATE. */
int rb_plan_init(const char *job, int argc, char **argv);
/* next.c: the next step on stdout (one word per line), 0; or 1 after an
 * error message, when the job cannot go on. */
int rb_plan_next(const char *state);
/* next.c: an outcome: what (probe|build|mailsplit|size|boot|look|compare|
 * waited) and its words. */
int rb_plan_record(const char *state, const char *what, int argc, char **argv);

#endif
