// SPDX-License-Identifier: GPL-2.0
/*
 * The plan's state machine (plan.h): what the next step of an A/B, a
 * series walk or a bounds measurement is, and what each outcome changes.
 * plan.json is the whole state; `next` and `record` load it, decide, and
 * write it back atomically, so an executor killed at any point resumes.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "app/compare/bounds.h"
#include "app/plan/plan.h"
#include "app/plan/state.h"
#include "app/rundir/read.h"
#include "app/rundir/rundir.h"
#include "lib/refbench.h"
#include "lib/json.h"
#include "lib/userfile.h"

/* ---- small json helpers over the plan object ---- */

struct json_object *rb_plan_get(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;

	if (o)
		json_object_object_get_ex(o, key, &v);
	return v;
}

long rb_plan_int(struct json_object *o, const char *key, long dflt)
{
	struct json_object *v = rb_plan_get(o, key);

	return v && json_object_is_type(v, json_type_int) ? (long)json_object_get_int64(v) : dflt;
}

bool rb_plan_bool(struct json_object *o, const char *key)
{
	struct json_object *v = rb_plan_get(o, key);

	return v && json_object_get_boolean(v);
}

void rb_plan_set_str(struct json_object *o, const char *key, const char *val)
{
	json_object_object_add(o, key, val ? json_object_new_string(val) : NULL);
}

void rb_plan_set_int(struct json_object *o, const char *key, long val)
{
	json_object_object_add(o, key, json_object_new_int64(val));
}

void rb_plan_say(struct json_object *plan, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", rb_json_get_str(plan, "job") ? rb_json_get_str(plan, "job") : "plan");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int rb_plan_error(const char *job, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: error: ", job);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return RB_EXIT_FAIL;
}

const char *rb_plan_resume_cmd(const char *job, const char *out, char *buf, size_t n)
{
	snprintf(buf, n, "%s%s", !strcmp(job, "ab") ? "make ab RESUME=" : !strcmp(job, "series") ?
		 "make series RESUME=" : !strcmp(job, "host-ab") ? "make ab TARGET=host RESUME=" :
		 "scripts/bounds --resume ", out);
	return buf;
}

/* ---- load, save, lock ---- */

int rb_plan_lock(const char *state)
{
	char path[PATH_MAX + 16];
	int fd;

	snprintf(path, sizeof(path), "%s/plan.lock", state);
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644)) < 0)
		return -errno;
	if (flock(fd, LOCK_EX)) {
		int e = -errno;

		close(fd);
		return e;
	}
	return fd;
}

int rb_plan_load(const char *state, struct json_object **plan, char *err, size_t n)
{
	char path[PATH_MAX + 16], why[512];
	struct json_object *p, *targets;

	snprintf(path, sizeof(path), "%s/%s", state, RB_PLAN_FILE);
	if (!(p = rb_json_load(path, 16u << 20, true, why, sizeof(why)))) {
		snprintf(err, n, "%s: %s", path, why);
		return -1;
	}
	if (rb_json_get_str(p, "format") && !strcmp(rb_json_get_str(p, "format"), "refbench-host-plan")) {
		/* host mode's own format before host-ab became a job of this one */
		snprintf(err, n, "%s is a host plan of the old format refbench-host-plan, which this refbench no "
			 "longer reads: finish that A/B with the refbench that started it, or start it again "
			 "with scripts/host-ab and a new --state", path);
		json_object_put(p);
		return -1;
	}
	if (rb_plan_int(p, "schema", 0) != RB_PLAN_SCHEMA || !rb_json_get_str(p, "format") ||
	    strcmp(rb_json_get_str(p, "format"), RB_PLAN_FORMAT) || !rb_json_get_str(p, "job") ||
	    !json_object_is_type(rb_plan_get(p, "settings"), json_type_object) ||
	    !json_object_is_type(rb_plan_get(p, "kernels"), json_type_array) ||
	    !json_object_is_type(rb_plan_get(p, "boots"), json_type_array)) {
		snprintf(err, n, "%s is not a plan of this refbench (format %s, schema %d)", path, RB_PLAN_FORMAT,
			 RB_PLAN_SCHEMA);
		json_object_put(p);
		return -1;
	}
	/* the targets are the plan's own: each in the form init gave it */
	targets = rb_plan_get(rb_plan_get(p, "settings"), "targets");
	for (size_t i = 0; targets && i < (json_object_is_type(targets, json_type_array) ? json_object_array_length(targets) : 1);
	     i++) {
		struct json_object *t = json_object_is_type(targets, json_type_array) ? json_object_array_get_idx(targets, i)
										     : NULL;
		char url[512], why2[RB_ERR_LEN];

		if (!json_object_is_type(t, json_type_string) ||
		    rb_plan_target_url(json_object_get_string(t), url, sizeof(url), why2, sizeof(why2)) ||
		    strcmp(url, json_object_get_string(t))) {
			snprintf(err, n, "%s: settings.targets[%zu] is not a target of the form ssh://[user@]host[:port]",
				 path, i);
			json_object_put(p);
			return -1;
		}
	}
	*plan = p;
	return 0;
}

int rb_plan_save(const char *state, struct json_object *plan, char *err, size_t n)
{
	char path[PATH_MAX + 16];
	const char *txt = json_object_to_json_string_ext(plan, JSON_C_TO_STRING_PRETTY |
							  JSON_C_TO_STRING_NOSLASHESCAPE);
	int e;

	snprintf(path, sizeof(path), "%s/%s", state, RB_PLAN_FILE);
	if ((e = rb_write_atomic(path, txt, strlen(txt))))
		snprintf(err, n, "writing %s: %s (the plan is as it was)", path, strerror(-e));
	return e;
}

/* ---- kernels and boots ---- */

struct json_object *rb_plan_kernel(struct json_object *plan, size_t i)
{
	return json_object_array_get_idx(rb_plan_get(plan, "kernels"), i);
}

struct json_object *rb_plan_boot(struct json_object *plan, const char *label, size_t *idx)
{
	struct json_object *boots = rb_plan_get(plan, "boots");

	for (size_t i = 0; i < json_object_array_length(boots); i++) {
		struct json_object *b = json_object_array_get_idx(boots, i);

		if (!strcmp(rb_json_get_str(b, "label"), label)) {
			if (idx)
				*idx = i;
			return b;
		}
	}
	return NULL;
}

struct json_object *rb_plan_add_kernel(struct json_object *plan, const char *label, const char *spec,
				       struct json_object *build)
{
	struct json_object *k = json_object_new_object();

	rb_plan_set_str(k, "label", label);
	rb_plan_set_str(k, "spec", spec);
	json_object_object_add(k, "build", build);
	rb_plan_set_str(k, "status", "pending");
	json_object_object_add(k, "dir", NULL);
	json_object_array_add(rb_plan_get(plan, "kernels"), k);
	return k;
}

void rb_plan_add_boot(struct json_object *plan, const char *label, long kernel, long round, long perturb)
{
	struct json_object *b = json_object_new_object();

	rb_plan_set_str(b, "label", label);
	rb_plan_set_int(b, "kernel", kernel);
	rb_plan_set_int(b, "round", round);
	rb_plan_set_int(b, "perturb", perturb);
	rb_plan_set_str(b, "status", "pending");
	json_object_object_add(b, "run", NULL);
	json_object_array_add(rb_plan_get(plan, "boots"), b);
}

/* A boot's run can be reused when it is complete and its checksums verify. */
bool rb_plan_run_reusable(const char *run)
{
	char err[RB_ERR_LEN], dir[PATH_MAX + 8];
	struct json_object *meta = NULL;
	int r;

	if (!run || !*run)
		return false;
	/* a lab boot's run is RUN/run, as refbench validate takes it */
	r = rb_validate_dir(rb_run_resolve(run, dir, sizeof(dir)), true, &meta, NULL, err, sizeof(err));
	json_object_put(meta);
	return r == 0;
}

const char *rb_plan_target_path(const char *repo, const char *p, bool kernel, char *buf, size_t n)
{
	size_t l = repo ? strlen(repo) : 0;
	char real[PATH_MAX];
	const char *name;

	if (!p || !l)
		return NULL;
	if (!strncmp(p, repo, l) && p[l] == '/' && !strstr(p + l, "/../"))
		return snprintf(buf, n, "%s", p + l + 1) < (int)n ? buf : NULL;
	/* a kernel of the cache ($RB_CACHE/kernels/VERSION-KEY: its name is
	 * its inputs; kernels/default is a link to one) goes to
	 * kernels/pushed/ there; anything else must be in the tree */
	name = strrchr(kernel && realpath(p, real) ? real : p, '/');
	if (!kernel || !name || !name[1] || name[1] == '.')
		return NULL;
	return snprintf(buf, n, "kernels/pushed/%s", name + 1) < (int)n ? buf : NULL;
}

/* A path as the boot's machine sees it: here, as it is; on an ssh target,
 * where the tree copied there holds it (rb_plan_target_path). */
static const char *where_booted(struct json_object *plan, struct json_object *boot, const char *p, bool kernel,
				char *buf, size_t n)
{
	if (!p || !rb_json_get_str(boot, "target"))
		return p;
	return rb_plan_target_path(rb_json_get_str(rb_plan_get(plan, "settings"), "repo"), p, kernel, buf, n);
}

/* The lab's arguments for one boot: the kernel, the suite, the mode, the
 * perturbation, the user's lab arguments. */
int rb_plan_lab_argv(struct json_object *plan, struct json_object *boot, FILE *out)
{
	struct json_object *s = rb_plan_get(plan, "settings");
	struct json_object *k = rb_plan_kernel(plan, (size_t)rb_plan_int(boot, "kernel", 0));
	struct json_object *extra = rb_plan_get(s, "lab_args");
	long perturb = rb_plan_int(boot, "perturb", 0);
	char kbuf[PATH_MAX], sbuf[PATH_MAX];
	const char *kdir = k ? where_booted(plan, boot, rb_json_get_str(k, "dir"), true, kbuf, sizeof(kbuf)) : NULL;
	const char *suite = where_booted(plan, boot, rb_json_get_str(s, "suite"), false, sbuf, sizeof(sbuf));

	if (!kdir || !suite)
		return -1;
	fprintf(out, "--kernel\n%s\n--suite\n%s\n--mode\n%s\n", kdir, suite, rb_json_get_str(plan, "mode"));
	if (perturb)
		fprintf(out, "--perturb\n%ld\n", perturb);
	for (size_t i = 0; i < json_object_array_length(extra); i++)
		fprintf(out, "%s\n", json_object_get_string(json_object_array_get_idx(extra, i)));
	return 0;
}

long rb_plan_mem_wait_s(void)
{
	return getenv("RB_PLAN_MEM_WAIT") ? atol(getenv("RB_PLAN_MEM_WAIT")) : 600;
}

bool rb_plan_boots_elsewhere(void)
{
	return getenv("RB_PLAN_BOOTS_ELSEWHERE") && *getenv("RB_PLAN_BOOTS_ELSEWHERE");
}

long rb_plan_mem_available_mib(void)
{
	FILE *f = fopen(getenv("RB_PLAN_MEMINFO") ? getenv("RB_PLAN_MEMINFO") : "/proc/meminfo", "re");
	char line[256];
	long kib = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "MemAvailable: %ld kB", &kib) == 1)
			break;
	fclose(f);
	return kib < 0 ? -1 : kib / 1024;
}
