/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A/A bounds for the exact rule: the owner of the file format
 * refbench-bounds/1, and `refbench bounds`, which measures it.
 *
 *   {"schema":"refbench-bounds/1","suite":"NAME","suite_sha256":"...",
 *    "created":"ISO time","how":"free text","kernels":["release", ...],
 *    "metrics":[{"case":"gup-fast","kind":"anon","params":{...all...},
 *      "metric":"get","unit":"insn/page","bound":0.25,"seen":0.12,
 *      "why":"optional text"}]}
 *
 * A metric's entry applies to the samples of a metric whose identity is
 * equal (compare/metric.h: case, kind, every parameter's key and value,
 * metric and unit). bound >= 0 is in the unit;
 * seen is the spread measured (max over kernels of max - min of boot
 * medians). A windowed metric measured with the plugin's split
 * (docs/attribution.md) has two: "bound"/"seen" on what the clock
 * measured (the total: a run without the split compares against it) and
 * "bound_own"/"seen_own" on the measured task's own count (a run with the
 * split compares against that); an entry without bound_own has one bound
 * for both, which is never tighter than the totals'.
 */
#ifndef REFBENCH_BOUNDS_H
#define REFBENCH_BOUNDS_H

#include <json-c/json.h>
#include <limits.h>
#include <stddef.h>

#include "app/compare/samples.h"

#define RB_BOUNDS_SCHEMA "refbench-bounds/1"

struct rb_bound_entry {
	struct json_object *o;		/* the metric's object in the file */
	struct rb_metric_id id;
	double bound, seen;
	double bound_own, seen_own;	/* NAN: not declared */
};

struct rb_bounds {
	char path[PATH_MAX];
	struct json_object *root;
	const char *suite, *suite_sha256, *created, *how;
	char kernels[512];		/* "6.1.192, 7.2.13" */
	size_t n;
	struct rb_bound_entry *e;
};

/* 0, or -1 with err naming the file and what is wrong with it. */
int rb_bounds_load(const char *path, struct rb_bounds *b, char *err, size_t n);
void rb_bounds_free(struct rb_bounds *b);
/* The entry that applies to s, or NULL. */
const struct rb_bound_entry *rb_bounds_find(const struct rb_bounds *b, const struct rb_samples *s);
/* e's bound for s: bound_own when s's values are own counts and e has one. */
double rb_bound_for(const struct rb_bound_entry *e, const struct rb_samples *s);

int rb_cmd_bounds(int argc, char **argv);

#endif
