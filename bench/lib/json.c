// SPDX-License-Identifier: GPL-2.0
#include <string.h>

#include "lib/json.h"
#include "lib/refbench.h"

struct json_object *rb_json_get(struct json_object *o, const char *key, json_type t)
{
	struct json_object *v = NULL;

	if (!o || !json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, t))
		return NULL;
	return v;
}

const char *rb_json_get_str(struct json_object *o, const char *key)
{
	struct json_object *v = rb_json_get(o, key, json_type_string);

	return v ? json_object_get_string(v) : NULL;
}

const char *rb_json_text(struct json_object *o, const char *key)
{
	const char *s = o ? json_object_get_string(json_object_object_get(o, key)) : NULL;

	return s ? s : "";
}

bool rb_json_get_num(struct json_object *o, const char *key, double *out)
{
	struct json_object *v = NULL;

	if (!o || !json_object_object_get_ex(o, key, &v) ||
	    !(json_object_is_type(v, json_type_double) || json_object_is_type(v, json_type_int)))
		return false;
	*out = json_object_get_double(v);
	return true;
}

bool rb_json_get_count(struct json_object *o, const char *key, uint64_t *out)
{
	struct json_object *v = rb_json_get(o, key, json_type_int);

	if (!v || json_object_get_int64(v) < 0)
		return false;
	*out = (uint64_t)json_object_get_int64(v);
	return true;
}

struct json_object *rb_json_path(struct json_object *o, const char *path)
{
	char tmp[256], *save = NULL;

	rb_strlcpy(tmp, path, sizeof(tmp));
	for (char *t = strtok_r(tmp, ".", &save); t && o; t = strtok_r(NULL, ".", &save))
		if (!json_object_object_get_ex(o, t, &o))
			o = NULL;
	return o;
}

const char *rb_json_path_text(struct json_object *o, const char *path, char *buf, size_t n)
{
	o = rb_json_path(o, path);
	if (!o)
		return rb_strlcpy(buf, "(absent)", n), buf;
	rb_strlcpy(buf, json_object_is_type(o, json_type_string) ? json_object_get_string(o)
			: json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN), n);
	return buf;
}
