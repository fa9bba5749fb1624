/* SPDX-License-Identifier: GPL-2.0 */
#ifndef REFBENCH_COMPARE_H
#define REFBENCH_COMPARE_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>

/* One loaded run: its meta.json and records. */
struct rb_loaded_run {
	char dir[4096];
	struct json_object *meta;
	struct json_object *records;	/* array */
};

/* Resolves DIR or DIR/run (a lab run keeps refbench's run in run/). */
int rb_run_load(const char *dir, struct rb_loaded_run *r, char *err, size_t n);
void rb_run_unload(struct rb_loaded_run *r);

/* The provenance fields that must agree between A and B (and within an
 * arm); exported for the tests. Each is a dotted path into meta.json. */
extern const char *const rb_prov_match_paths[];
extern const char *const rb_prov_arm_paths[];
/* Value of a dotted path as text ("(absent)" when missing). */
const char *rb_json_path_text(struct json_object *o, const char *path, char *buf, size_t n);
/* Appends one line per mismatching path to out; returns the count. */
unsigned rb_prov_mismatches(struct rb_loaded_run *a, size_t na, struct rb_loaded_run *b,
			    size_t nb, char *out, size_t n);

/* Throughput-like units (higher is better): "GB/s", "IOPS", "ops/s". */
bool rb_unit_higher_is_better(const char *unit);

#endif
