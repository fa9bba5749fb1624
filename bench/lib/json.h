/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reading fields of JSON that refbench wrote (meta.json, samples, reports,
 * bounds files): the one set of getters, so that "absent" and "of the
 * wrong type" mean the same thing in every reader.
 */
#ifndef REFBENCH_JSON_H
#define REFBENCH_JSON_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* o[key] when it is of type t; NULL when o is NULL, key is absent, or
 * its value is of another type. */
struct json_object *rb_json_get(struct json_object *o, const char *key, json_type t);
/* o[key] when it is a string, else NULL. */
const char *rb_json_get_str(struct json_object *o, const char *key);
/* o[key] as text, "" when absent: for fields a reader only compares. */
const char *rb_json_text(struct json_object *o, const char *key);
/* o[key] when it is a number (int or double): true and *out. */
bool rb_json_get_num(struct json_object *o, const char *key, double *out);
/* o[key] when it is an integer >= 0: true and *out. */
bool rb_json_get_count(struct json_object *o, const char *key, uint64_t *out);
/* The value at a dotted path ("lab.pmem.fs"), or NULL. */
struct json_object *rb_json_path(struct json_object *o, const char *path);
/* Value of a dotted path as text ("(absent)" when missing). */
const char *rb_json_path_text(struct json_object *o, const char *path, char *buf, size_t n);

#endif
