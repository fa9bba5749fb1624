/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a number is a number of: the point it was measured at (case, kind,
 * every parameter) and the metric with its unit. Samples carry it, and so
 * do report.json's metrics, a bounds file's entries and series.json's rows:
 * each writes it with rb_metric_id_write and reads it with
 * rb_metric_id_read, and two are the same metric when rb_metric_id_equal.
 *
 *   "case":"gup-fast","kind":"anon","params":{"cmd":"pin",...},
 *   "metric":"get","unit":"insn/page"
 */
#ifndef REFBENCH_METRIC_H
#define REFBENCH_METRIC_H

#include <json-c/json.h>
#include <stdbool.h>

struct rb_metric_id {
	char casename[32], kind[16];
	char params[512];	/* every parameter, plain JSON, in the order recorded */
	char params_key[512];	/* "k=v" sorted by key: what equality compares */
	char metric[32], unit[24];
};

/* From an object with those five fields (a sample record, an entry of a
 * report or bounds file): 0, or -1 when one is missing or of the wrong
 * type (id then holds what was there). */
int rb_metric_id_read(struct json_object *o, struct rb_metric_id *id);
/* Adds the five fields to o, in the order above. */
void rb_metric_id_write(const struct rb_metric_id *id, struct json_object *o);
/* Same parameter keys with the same values (as text), in any order. */
bool rb_metric_id_same_params(const struct rb_metric_id *a, const struct rb_metric_id *b);
/* Same case, kind, parameters, metric and unit. */
bool rb_metric_id_equal(const struct rb_metric_id *a, const struct rb_metric_id *b);

#endif
