// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <string.h>

#include "app/rundir/cases.h"
#include "lib/json.h"
#include "lib/refbench.h"

/* cases_before.c: the description of runs made before refbench recorded one */
extern const char rb_cases_before_json[];

struct json_object *rb_cases_record(void)
{
	struct json_object *all = json_object_new_object();
	size_t n;
	const struct rb_case *const *cs = rb_cases(&n);

	for (size_t i = 0; i < n; i++) {
		struct json_object *c = json_object_new_object(), *p = json_object_new_object();

		json_object_object_add(c, "summary", json_object_new_string(cs[i]->summary));
		json_object_object_add(c, "kernel_paths", json_object_new_string(cs[i]->kernel_paths));
		for (const struct rb_param_def *d = cs[i]->params; d && d->key; d++)
			json_object_object_add(p, d->key, json_object_new_string(d->def));
		json_object_object_add(c, "params", p);
		json_object_object_add(all, cs[i]->name, c);
	}
	return all;
}

struct json_object *rb_run_cases(struct json_object *meta)
{
	static struct json_object *before;
	struct json_object *c = rb_json_get(meta, "cases", json_type_object);

	if (c)
		return c;
	/* parsed once, kept for the process: it is the same for every such run */
	if (!before && !(before = json_tokener_parse(rb_cases_before_json)))
		abort();
	return before;
}

const char *rb_run_case_kernel_paths(struct json_object *cases, const char *casename)
{
	return rb_json_get_str(rb_json_get(cases, casename, json_type_object), "kernel_paths");
}

bool rb_run_case_default(struct json_object *cases, const char *casename, const char *key,
			 const char *val)
{
	struct json_object *c = rb_json_get(cases, casename, json_type_object);
	const char *def = rb_json_get_str(rb_json_get(c, "params", json_type_object), key);

	return def && !strcmp(def, val);
}
