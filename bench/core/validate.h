/* SPDX-License-Identifier: GPL-2.0 */
#ifndef REFBENCH_VALIDATE_H
#define REFBENCH_VALIDATE_H

#include <stdbool.h>
#include <json-c/json.h>

int rb_validate_record(struct json_object *rec, char *err, size_t n);
int rb_validate_meta(struct json_object *meta, char *err, size_t n);
/* Checks a run directory; with meta_out/records_out (may be NULL) the
 * caller receives the parsed meta.json and samples.jsonl records. */
int rb_validate_dir(const char *dir, bool need_complete, struct json_object **meta_out,
		    struct json_object **records_out, char *err, size_t n);

#endif
