// SPDX-License-Identifier: GPL-2.0
/*
 * The plan a comparison's runs came from (refbench-plan/1, written by
 * app/plan, docs/plan.md): the boots a resume reused and the boots that
 * failed, each with its reason. A plan is named (--plan) or found beside
 * the runs: plan.json in the directory that holds a run, or in the one
 * above it (a host A/B's STATE/runs/A1), when it lists that run as one of
 * its boots. Runs made before the plan existed have none: for them
 * --resumed and --missing say the same.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app/compare/plan.h"
#include "lib/json.h"
#include "lib/refbench.h"
#include "lib/userfile.h"

#define PLAN_FORMAT "refbench-plan"
#define PLAN_MAX (16u << 20)

static struct json_object *get(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;

	if (o)
		json_object_object_get_ex(o, key, &v);
	return v;
}

/* the plan.json of path (a file, or a directory that holds one), or NULL */
static struct json_object *load(const char *path, char *file, size_t n, char *err, size_t en)
{
	struct stat st;
	struct json_object *p;
	char why[512];

	snprintf(file, n, "%s%s", path, !stat(path, &st) && S_ISDIR(st.st_mode) ? "/plan.json" : "");
	if (!(p = rb_json_load(file, PLAN_MAX, true, why, sizeof(why)))) {
		snprintf(err, en, "%s: %s", file, why);
		return NULL;
	}
	if (!rb_json_get_str(p, "format") || strcmp(rb_json_get_str(p, "format"), PLAN_FORMAT) ||
	    !json_object_is_type(get(p, "boots"), json_type_array)) {
		snprintf(err, en, "%s is not a plan of this refbench (format %s)", file, PLAN_FORMAT);
		json_object_put(p);
		return NULL;
	}
	return p;
}

/* does the plan list run (a path, compared by what it resolves to) as a boot's run? */
static bool lists(struct json_object *plan, const char *run)
{
	struct json_object *boots = get(plan, "boots");
	char want[PATH_MAX], have[PATH_MAX];

	if (!realpath(run, want))
		return false;
	for (size_t i = 0; i < json_object_array_length(boots); i++) {
		const char *r = rb_json_get_str(json_object_array_get_idx(boots, i), "run");

		if (r && realpath(r, have) && !strcmp(have, want))
			return true;
	}
	return false;
}

/* the plan beside one run: in its directory, or the one above */
static struct json_object *beside(const char *run, char *file, size_t n)
{
	char dir[PATH_MAX], err[RB_ERR_LEN], *slash;
	struct json_object *p;

	if (!realpath(run, dir))
		return NULL;
	for (int up = 0; up < 2 && (slash = strrchr(dir, '/')) && slash != dir; up++) {
		*slash = '\0';
		snprintf(file, n, "%s/plan.json", dir);
		if (access(file, F_OK))
			continue;
		if ((p = load(dir, file, n, err, sizeof(err))) && lists(p, run))
			return p;
		json_object_put(p);
	}
	return NULL;
}

static void take(struct rb_cmp_plan *cp, struct json_object *plan)
{
	struct json_object *boots = get(plan, "boots"), *kernels = get(plan, "kernels");
	size_t len = 0;

	for (size_t i = 0; i < json_object_array_length(boots); i++) {
		struct json_object *b = json_object_array_get_idx(boots, i), *reused = get(b, "reused");
		const char *run = rb_json_get_str(b, "run"), *st = rb_json_get_str(b, "status");

		if (run && reused && json_object_get_boolean(reused)) {
			cp->resumed = realloc(cp->resumed, len + strlen(run) + 2);
			if (!cp->resumed)
				abort();
			len += (size_t)sprintf(cp->resumed + len, "%s%s", len ? "," : "", run);
		}
		if (st && !strcmp(st, "failed") && cp->nmissing < RB_CMP_PLAN_MISSING) {
			/* LABEL (KERNEL): reason, on one line */
			struct json_object *k = json_object_array_get_idx(kernels, (size_t)json_object_get_int(get(b, "kernel")));
			const char *kname = rb_json_get_str(k, "release") ? rb_json_get_str(k, "release") :
					    rb_json_get_str(k, "label") ? rb_json_get_str(k, "label") : "?";
			const char *why = rb_json_get_str(b, "reason") ? rb_json_get_str(b, "reason") : "failed";
			char *line;

			if (asprintf(&line, "%s (%s): %s", rb_json_get_str(b, "label"), kname, why) < 0)
				abort();
			for (char *c = line; *c; c++)
				if (*c == '\n')
					*c = ' ';
			cp->missing[cp->nmissing++] = line;
		}
	}
}

int rb_cmp_plan_find(const char *given, const char *list_a, const char *list_b, bool look, struct rb_cmp_plan *cp,
		     char *err, size_t n)
{
	const char *lists_[2] = { list_a, list_b };
	struct json_object *plan = NULL;

	memset(cp, 0, sizeof(*cp));
	if (given && !(plan = load(given, cp->path, sizeof(cp->path), err, n)))
		return -1;
	for (int a = 0; a < 2 && (given || look); a++) {
		char *copy = strdup(lists_[a]), *save = NULL;

		if (!copy)
			abort();
		for (char *run = strtok_r(copy, ",", &save); run; run = strtok_r(NULL, ",", &save)) {
			if (given && !lists(plan, run)) {
				snprintf(err, n, "%s is not a boot's run in the plan %s: compare a plan's runs with it, "
					 "or other runs without --plan", run, cp->path);
				free(copy);
				json_object_put(plan);
				return -1;
			}
			if (!plan)
				plan = beside(run, cp->path, sizeof(cp->path));
		}
		free(copy);
	}
	if (!plan)
		return 0;
	take(cp, plan);
	json_object_put(plan);
	return 1;
}

void rb_cmp_plan_free(struct rb_cmp_plan *cp)
{
	free(cp->resumed);
	for (unsigned i = 0; i < cp->nmissing; i++)
		free(cp->missing[i]);
	memset(cp, 0, sizeof(*cp));
}
