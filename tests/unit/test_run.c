// SPDX-License-Identifier: GPL-2.0
/* Unit tests of a run's integrity: what meta.json certifies after each
 * committed point, and how validation treats certified bytes, an
 * uncertified tail, truncation, edits and records in the wrong point. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "app/run/provenance.h"
#include "app/rundir/read.h"
#include "app/rundir/rundir.h"
#include "lib/digest.h"

#define REC(case_, iter) "{\"schema\":1,\"type\":\"skipped\",\"case\":\"" case_ "\",\"kind\":\"anon\"," \
	"\"params\":{\"size\":\"8M\"},\"iter\":" #iter ",\"reason\":\"test\"}\n"

static struct json_object *point(const char *c)
{
	struct json_object *p = json_object_new_object(), *params = json_object_new_object();

	json_object_object_add(params, "size", json_object_new_string("8M"));
	json_object_object_add(p, "case", json_object_new_string(c));
	json_object_object_add(p, "kind", json_object_new_string("anon"));
	json_object_object_add(p, "params", params);
	return p;
}

static struct json_object *rec(const char *text)
{
	return json_tokener_parse(text);
}

/* meta certifying the first `bytes` of buf as `records` in the given points */
static struct json_object *meta_for(const char *buf, size_t bytes, unsigned records,
				    const char *const *cases, const int *counts, unsigned npoints)
{
	struct json_object *m = json_tokener_parse(
		"{\"schema\":1,\"status\":\"complete\",\"kernel\":{\"release\":\"6.1\"},\"host\":{},"
		"\"pmem\":{},\"counters\":{\"source\":\"sw\"},\"suite\":{},\"refbench\":{}}");
	struct json_object *pd = json_object_new_array();

	for (unsigned i = 0; i < npoints; i++) {
		struct json_object *p = point(cases[i]);

		json_object_object_add(p, "records", json_object_new_int(counts[i]));
		json_object_object_add(p, "outcome", json_object_new_string("skipped"));
		json_object_array_add(pd, p);
	}
	json_object_object_add(m, "points_done", pd);
	json_object_object_add(m, "integrity", rb_integrity_json(buf, bytes, records));
	return m;
}

static void test_commit_certifies(void **st)
{
	char dir[] = "/tmp/rbtest-run-XXXXXX", err[512], path[600], hex[65];
	struct json_object *meta = json_object_new_object(), *back, *in;
	struct rb_run run;

	(void)st;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(rb_run_create(&run, dir, meta, err, sizeof(err)), 0);
	/* a second writer is refused while the first holds the lock */
	assert_true(rb_run_locked(dir));
	assert_true(rb_run_lock(dir, err, sizeof(err)) < 0);
	assert_non_null(strstr(err, "another refbench is writing"));
	rb_run_add(&run, rec(REC("fault", 0)));
	rb_run_add(&run, rec(REC("fault", 1)));
	assert_int_equal(rb_run_commit_point(&run, point("fault"), err, sizeof(err)), 0);
	/* an interrupted point leaves nothing */
	rb_run_add(&run, rec(REC("null", 0)));
	rb_run_drop_point(&run);
	rb_run_add(&run, rec(REC("gup-fast", 0)));
	assert_int_equal(rb_run_commit_point(&run, point("gup-fast"), err, sizeof(err)), 0);
	assert_int_equal(rb_run_finish(&run, "complete", NULL, err, sizeof(err)), 0);
	rb_run_free(&run);
	assert_false(rb_run_locked(dir));

	snprintf(path, sizeof(path), "%s/samples.jsonl", dir);
	assert_int_equal(rb_sha256_file(path, hex), 0);
	snprintf(path, sizeof(path), "%s/meta.json", dir);
	back = json_object_from_file(path);
	in = json_object_object_get(back, "integrity");
	assert_int_equal(json_object_get_int(json_object_object_get(in, "records")), 3);
	assert_string_equal(json_object_get_string(json_object_object_get(in, "sha256")), hex);
	assert_int_equal(json_object_array_length(json_object_object_get(back, "points_done")), 2);
	assert_string_equal(json_object_get_string(json_object_object_get(
		json_object_array_get_idx(json_object_object_get(back, "points_done"), 1), "outcome")),
		"skipped");
	json_object_put(back);
	json_object_put(meta);
	snprintf(path, sizeof(path), "rm -rf %s", dir);
	assert_int_equal(system(path), 0);
}

/* A commit that cannot be written loses that point, nothing before it. */
static void test_commit_failure_keeps_before(void **st)
{
	char dir[] = "/tmp/rbtest-run-XXXXXX", err[512], path[600];
	struct json_object *meta = json_object_new_object();
	struct rb_run run;

	(void)st;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(rb_run_create(&run, dir, meta, err, sizeof(err)), 0);
	rb_run_add(&run, rec(REC("fault", 0)));
	assert_int_equal(rb_run_commit_point(&run, point("fault"), err, sizeof(err)), 0);
	/* the directory vanishes under the run: every write fails */
	snprintf(path, sizeof(path), "rm -rf %s", dir);
	assert_int_equal(system(path), 0);
	rb_run_add(&run, rec(REC("null", 0)));
	assert_int_equal(rb_run_commit_point(&run, point("null"), err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "this point's 1 records are lost; the 1 records of 1 points"));
	assert_int_equal(run.records, 1);
	assert_int_not_equal(rb_run_finish(&run, "failed", "test", err, sizeof(err)), 0);
	assert_non_null(strstr(err, "validate reports as incomplete"));
	rb_run_free(&run);
	json_object_put(meta);
}

static void test_validate_samples(void **st)
{
	static const char buf[] = REC("fault", 0) REC("fault", 1) REC("null", 0);
	const char *const cases[] = { "fault", "null" };
	const int counts[] = { 2, 1 };
	size_t two = strlen(REC("fault", 0) REC("fault", 1));
	struct rb_run_check c;
	struct json_object *m, *recs = NULL;
	char err[512], edited[sizeof(buf)];

	(void)st;
	m = meta_for(buf, strlen(buf), 3, cases, counts, 2);
	assert_int_equal(rb_validate_meta(m, err, sizeof(err)), 0);
	assert_int_equal(rb_validate_samples(m, buf, strlen(buf), true, &recs, &c, err, sizeof(err)), 0);
	assert_int_equal(c.records, 3);
	assert_int_equal(c.points, 2);
	assert_int_equal(json_object_array_length(recs), 3);
	json_object_put(recs);
	/* truncated at a line boundary: named, with what is left */
	assert_int_not_equal(rb_validate_samples(m, buf, two, false, NULL, &c, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "truncated: 2 of 3 certified records"));
	/* one byte changed */
	memcpy(edited, buf, sizeof(buf));
	edited[strlen(REC("fault", 0)) - 3] = 'X';
	assert_int_not_equal(rb_validate_samples(m, edited, strlen(buf), false, NULL, &c, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "does not match the sha256"));
	json_object_put(m);

	/* two points certified, a third written after: a tail, unless exact */
	m = meta_for(buf, two, 2, cases, counts, 1);
	assert_int_equal(rb_validate_samples(m, buf, strlen(buf), false, NULL, &c, err, sizeof(err)), 0);
	assert_int_equal(c.records, 2);
	assert_int_equal(c.tail, strlen(REC("null", 0)));
	assert_int_not_equal(rb_validate_samples(m, buf, strlen(buf), true, NULL, &c, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "bytes after the 2 certified records"));
	json_object_put(m);

	/* points_done must account for the records, point by point */
	m = meta_for(buf, strlen(buf), 3, (const char *const[]){ "fault", "null" }, (const int[]){ 1, 2 }, 2);
	assert_int_not_equal(rb_validate_samples(m, buf, strlen(buf), true, NULL, &c, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "line 2 is not a record of points_done[1]"));
	json_object_put(m);
	m = meta_for(buf, strlen(buf), 3, cases, (const int[]){ 2, 2 }, 2);
	assert_int_not_equal(rb_validate_meta(m, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "account for 4 records, integrity.records says 3"));
	json_object_put(m);
	/* a certified last line without its newline */
	m = meta_for(buf, strlen(buf) - 1, 3, cases, counts, 2);
	assert_int_not_equal(rb_validate_samples(m, buf, strlen(buf) - 1, true, NULL, &c, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "does not end in a newline"));
	json_object_put(m);
}

static void test_validate_meta_status(void **st)
{
	struct json_object *m = meta_for("", 0, 0, NULL, NULL, 0);
	char err[512];

	(void)st;
	json_object_object_add(m, "status", json_object_new_string("done"));
	assert_int_not_equal(rb_validate_meta(m, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "status 'done' is not one of"));
	json_object_object_add(m, "status", json_object_new_string("interrupted"));
	assert_int_equal(rb_validate_meta(m, err, sizeof(err)), 0);
	json_object_object_del(m, "integrity");
	assert_int_not_equal(rb_validate_meta(m, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "no integrity record"));
	json_object_put(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_commit_certifies),
		cmocka_unit_test(test_commit_failure_keeps_before),
		cmocka_unit_test(test_validate_samples),
		cmocka_unit_test(test_validate_meta_status),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
