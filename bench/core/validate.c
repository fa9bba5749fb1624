// SPDX-License-Identifier: GPL-2.0
/*
 * refbench validate DIR...: a run against the schema. Every sample must
 * carry a unit, a finite value, counters with their source, and a
 * verification record whose checks all passed; every non-sample record a
 * reason. Used by the tests and by compare before it trusts a run.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "output.h"
#include "validate.h"
#include <stdlib.h>

#define BAD(...) do { snprintf(err, n, __VA_ARGS__); return -1; } while (0)

static struct json_object *get(struct json_object *o, const char *k, json_type t)
{
	struct json_object *v = NULL;

	if (!o || !json_object_object_get_ex(o, k, &v) || !json_object_is_type(v, t))
		return NULL;
	return v;
}

int rb_validate_record(struct json_object *r, char *err, size_t n)
{
	struct json_object *v, *c, *vals;
	const char *type;

	if (!get(r, "schema", json_type_int) || json_object_get_int(get(r, "schema", json_type_int)) != RB_SCHEMA_VERSION)
		BAD("schema is not %d", RB_SCHEMA_VERSION);
	if (!(v = get(r, "type", json_type_string)))
		BAD("no type");
	type = json_object_get_string(v);
	if (!get(r, "case", json_type_string) || !get(r, "kind", json_type_string) ||
	    !get(r, "params", json_type_object))
		BAD("no case, kind or params");
	if (strcmp(type, "sample")) {
		if (strcmp(type, "rejected") && strcmp(type, "skipped") && strcmp(type, "unsupported") &&
		    strcmp(type, "error"))
			BAD("unknown type '%s'", type);
		if (!get(r, "reason", json_type_string) || !*json_object_get_string(get(r, "reason", json_type_string)))
			BAD("%s record without a reason", type);
		return 0;
	}
	if (!get(r, "metric", json_type_string) || !get(r, "unit", json_type_string))
		BAD("sample without metric or unit");
	v = json_object_object_get(r, "value");
	if (!v || !(json_object_is_type(v, json_type_double) || json_object_is_type(v, json_type_int)) ||
	    !isfinite(json_object_get_double(v)))
		BAD("sample value missing or not finite");
	if (!(c = get(r, "counters", json_type_object)) || !get(c, "source", json_type_string) ||
	    !(vals = get(c, "values", json_type_object)))
		BAD("sample without counters {source, values}");
	json_object_object_foreach(vals, name, cv) {
		if (!get(cv, "source", json_type_string) || !get(cv, "scope", json_type_string))
			BAD("counter %s without source or scope", name);
	}
	if (!get(r, "clock", json_type_string))
		BAD("sample without clock source");
	if (!(v = get(r, "verify", json_type_object)) || !get(v, "ok", json_type_boolean) ||
	    !(c = get(v, "checks", json_type_array)))
		BAD("sample without verification record");
	if (!json_object_get_boolean(get(v, "ok", json_type_boolean)) || !json_object_array_length(c))
		BAD("sample reported although its verification failed or is empty");
	return 0;
}

int rb_validate_meta(struct json_object *m, char *err, size_t n)
{
	static const char *const objs[] = { "kernel", "host", "pmem", "counters", "suite", "refbench", NULL };

	if (!m)
		BAD("meta.json missing or not JSON");
	if (!get(m, "schema", json_type_int) || json_object_get_int(get(m, "schema", json_type_int)) != RB_SCHEMA_VERSION)
		BAD("meta.json schema is not %d", RB_SCHEMA_VERSION);
	for (const char *const *k = objs; *k; k++)
		if (!get(m, *k, json_type_object))
			BAD("meta.json has no '%s' object", *k);
	if (!get(m, "status", json_type_string))
		BAD("meta.json has no status");
	if (!get(get(m, "kernel", json_type_object), "release", json_type_string))
		BAD("meta.json kernel.release missing");
	if (!get(get(m, "counters", json_type_object), "source", json_type_string))
		BAD("meta.json counters.source missing");
	return 0;
}

int rb_validate_dir(const char *dir, bool need_complete, struct json_object **meta_out,
		    struct json_object **records_out, char *err, size_t n)
{
	char path[4096 + 32], line_err[256];
	struct json_object *meta, *records = NULL, *st;
	FILE *f;
	char *line = NULL;
	size_t cap = 0;
	unsigned lineno = 0;
	int r = 0;

	snprintf(path, sizeof(path), "%s/meta.json", dir);
	meta = json_object_from_file(path);
	if (rb_validate_meta(meta, line_err, sizeof(line_err))) {
		snprintf(err, n, "%s: %s", path, line_err);
		json_object_put(meta);
		return -1;
	}
	st = get(meta, "status", json_type_string);
	if (need_complete && strcmp(json_object_get_string(st), "complete")) {
		snprintf(err, n, "%s: run status is '%s', not complete%s%s", dir,
			 json_object_get_string(st), get(meta, "reason", json_type_string) ? ": " : "",
			 get(meta, "reason", json_type_string) ?
			 json_object_get_string(get(meta, "reason", json_type_string)) : "");
		json_object_put(meta);
		return -1;
	}
	snprintf(path, sizeof(path), "%s/samples.jsonl", dir);
	if (!(f = fopen(path, "re"))) {
		snprintf(err, n, "%s: missing", path);
		json_object_put(meta);
		return -1;
	}
	records = json_object_new_array();
	while (!r && getline(&line, &cap, f) > 0) {
		struct json_object *rec = json_tokener_parse(line);

		lineno++;
		if (!rec || rb_validate_record(rec, line_err, sizeof(line_err))) {
			snprintf(err, n, "%s line %u: %s", path, lineno, rec ? line_err : "not JSON");
			json_object_put(rec);
			r = -1;
			break;
		}
		json_object_array_add(records, rec);
	}
	free(line);
	fclose(f);
	/* hand over what was parsed, so a caller never reads the run twice */
	if (!r && meta_out) {
		*meta_out = meta;
		meta = NULL;
	}
	if (!r && records_out) {
		*records_out = records;
		records = NULL;
	}
	json_object_put(meta);
	json_object_put(records);
	return r;
}

int rb_cmd_validate(int argc, char **argv)
{
	char err[1024];
	int bad = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: refbench validate RUN_DIR...\n");
		return RB_EXIT_USAGE;
	}
	for (int i = 1; i < argc; i++) {
		if (rb_validate_dir(argv[i], false, NULL, NULL, err, sizeof(err))) {
			fprintf(stderr, "refbench: invalid: %s\n", err);
			bad = 1;
		} else {
			printf("%s: valid\n", argv[i]);
		}
	}
	return bad;
}
