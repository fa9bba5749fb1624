// SPDX-License-Identifier: GPL-2.0
/* What a case learns while it runs (a tool's version, the job file it ran),
 * kept in env->prov; the runner merges it into meta.json when the run ends. */
#include <json-c/json.h>

#include "lib/refbench.h"

void rb_prov_note(const struct rb_env *env, const char *section, const char *key,
		  const char *field, const char *value)
{
	struct json_object *root = env ? env->prov : NULL, *sec, *ent;

	if (!root)
		return;
	if (!json_object_object_get_ex(root, section, &sec)) {
		sec = json_object_new_object();
		json_object_object_add(root, section, sec);
	}
	if (!json_object_object_get_ex(sec, key, &ent)) {
		ent = json_object_new_object();
		json_object_object_add(sec, key, ent);
	}
	json_object_object_add(ent, field, value ? json_object_new_string(value) : NULL);
}
