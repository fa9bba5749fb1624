/* SPDX-License-Identifier: GPL-2.0 */
/* A run on disk: DIR/meta.json and DIR/samples.jsonl, schema-versioned,
 * each written atomically (temp file + rename); an existing run is never
 * overwritten. samples.jsonl is rewritten after every sweep point, so a
 * crash keeps every completed point. */
#ifndef REFBENCH_OUTPUT_H
#define REFBENCH_OUTPUT_H

#include <limits.h>
#include <json-c/json.h>

#include "refbench.h"

struct rb_run {
	char dir[PATH_MAX];
	struct json_object *meta;
	struct json_object *records;	/* array, one per line of samples.jsonl */
	unsigned samples, rejected, skipped, unsupported, errors;
};

int rb_write_atomic(const char *path, const char *data, size_t len);
/* Refuses a DIR that already holds a run (meta.json or samples.jsonl). */
int rb_run_check_dir(const char *dir, char *err, size_t n);
int rb_run_create(struct rb_run *r, const char *dir, struct json_object *meta,
		  char *err, size_t n);
void rb_run_add(struct rb_run *r, struct json_object *rec);
int rb_run_flush(struct rb_run *r);
int rb_run_finish(struct rb_run *r, const char *status, const char *reason);
void rb_run_free(struct rb_run *r);

/* JSON records from an iteration / a point. */
struct json_object *rb_record_point(const struct rb_point *pt, const char *type,
				    const char *reason);
void rb_records_from_iter(struct rb_run *r, const struct rb_iter *it,
			  const struct rb_counters *ctr);
struct json_object *rb_json_checks(const struct rb_iter *it);
char *rb_iso_time(char *buf, size_t n);

#endif
