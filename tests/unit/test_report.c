// SPDX-License-Identifier: GPL-2.0
/* Unit tests of what a report is made from: a metric's identity (one
 * reader, one writer, equality in any key order), the cases a run
 * records (or the description of runs that record none), and a stored
 * suite read by its syntax only. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "app/compare/metric.h"
#include "app/run/suite.h"
#include "app/rundir/cases.h"

static void test_metric_id(void **st)
{
	struct json_object *a = json_tokener_parse(
		"{\"case\":\"gup-fast\",\"kind\":\"anon\",\"params\":{\"cmd\":\"pin\",\"size\":\"16M\"},"
		"\"metric\":\"get\",\"unit\":\"insn/page\",\"value\":1}");
	struct json_object *b = json_tokener_parse(
		"{\"metric\":\"get\",\"unit\":\"insn/page\",\"params\":{\"size\":\"16M\",\"cmd\":\"pin\"},"
		"\"kind\":\"anon\",\"case\":\"gup-fast\"}");
	struct json_object *out = json_object_new_object();
	struct rb_metric_id x, y, z;

	(void)st;
	assert_int_equal(rb_metric_id_read(a, &x), 0);
	assert_int_equal(rb_metric_id_read(b, &y), 0);
	assert_true(rb_metric_id_equal(&x, &y));	/* parameter order does not matter */
	/* the writer writes what the reader read, in the recorded order */
	rb_metric_id_write(&x, out);
	assert_string_equal(json_object_to_json_string_ext(out, JSON_C_TO_STRING_PLAIN |
							    JSON_C_TO_STRING_NOSLASHESCAPE),
			    "{\"case\":\"gup-fast\",\"kind\":\"anon\",\"params\":{\"cmd\":\"pin\","
			    "\"size\":\"16M\"},\"metric\":\"get\",\"unit\":\"insn/page\"}");
	assert_int_equal(rb_metric_id_read(out, &z), 0);
	assert_true(rb_metric_id_equal(&x, &z));
	/* one value, one field apart: not the same metric */
	z = x;
	strcpy(z.unit, "ns/page");
	assert_false(rb_metric_id_equal(&x, &z));
	json_object_object_add(json_object_object_get(b, "params"), "size", json_object_new_string("8M"));
	assert_int_equal(rb_metric_id_read(b, &y), 0);
	assert_false(rb_metric_id_same_params(&x, &y));
	assert_false(rb_metric_id_equal(&x, &y));
	/* a field missing or of the wrong type */
	json_object_object_del(b, "unit");
	assert_int_equal(rb_metric_id_read(b, &y), -1);
	json_object_object_add(b, "unit", json_object_new_int(3));
	assert_int_equal(rb_metric_id_read(b, &y), -1);
	json_object_put(a);
	json_object_put(b);
	json_object_put(out);
}

static void test_run_cases(void **st)
{
	struct json_object *old = json_tokener_parse("{\"schema\":1}");
	struct json_object *now = json_object_new_object(), *c;

	(void)st;
	/* a run without a record: the description of runs before (cmd=gup default) */
	c = rb_run_cases(old);
	assert_true(rb_run_case_default(c, "gup-fast", "cmd", "gup"));
	assert_false(rb_run_case_default(c, "gup-fast", "cmd", "pin"));
	assert_non_null(rb_run_case_kernel_paths(c, "gup-fast"));
	assert_null(rb_run_case_kernel_paths(c, "no-such-case"));
	/* a run with one: that record, whatever it says */
	json_object_object_add(now, "cases", json_tokener_parse(
		"{\"gup-fast\":{\"kernel_paths\":\"recorded\",\"params\":{\"cmd\":\"pin\"}}}"));
	c = rb_run_cases(now);
	assert_true(rb_run_case_default(c, "gup-fast", "cmd", "pin"));
	assert_false(rb_run_case_default(c, "gup-fast", "cmd", "gup"));
	assert_false(rb_run_case_default(c, "fault", "size", "64M"));
	assert_string_equal(rb_run_case_kernel_paths(c, "gup-fast"), "recorded");
	/* what a new run records: every case of this refbench */
	c = rb_cases_record();
	assert_non_null(json_object_object_get(c, "gup-fast"));
	assert_non_null(json_object_object_get(c, "null"));
	json_object_put(c);
	json_object_put(old);
	json_object_put(now);
}

static void test_stored_suite(void **st)
{
	/* a case and a parameter this refbench does not know (renamed since) */
	const char *text = "# stored\ngup-fast-old  all  cmd=gup,pin size=16M primary=get\n"
			   "gup-fast      dax  oldkey=1 repeat=2\nnull - loops=10\n";
	struct rb_suite s = { .n = 0 };
	struct rb_params p = { .n = 0 };
	const struct rb_suite_entry *e;
	char err[512];

	(void)st;
	assert_int_not_equal(rb_suite_parse(text, "live", &s, err, sizeof(err)), 0);
	rb_suite_free(&s);
	assert_int_equal(rb_suite_parse_stored(text, "stored", &s, err, sizeof(err)), 0);
	assert_int_equal(s.n, 3);
	assert_null(s.e[0].c);
	rb_params_set(&p, "cmd", "pin");
	rb_params_set(&p, "size", "16M");
	e = rb_suite_entry_of(&s, "gup-fast-old", RB_KIND_THP, &p);
	assert_ptr_equal(e, &s.e[0]);
	assert_true(rb_suite_entry_primary(e, "get"));
	assert_false(rb_suite_entry_primary(e, "put"));
	assert_null(rb_suite_entry_of(&s, "gup-fast-old", RB_KIND_NONE, &p));	/* all: not "-" */
	memset(&p, 0, sizeof(p));
	rb_params_set(&p, "oldkey", "1");
	assert_ptr_equal(rb_suite_entry_of(&s, "gup-fast", RB_KIND_DEVDAX_2M, &p), &s.e[1]);
	assert_null(rb_suite_entry_of(&s, "gup-fast", RB_KIND_ANON, &p));	/* dax only */
	rb_params_set(&p, "loops", "10");
	assert_ptr_equal(rb_suite_entry_of(&s, "null", RB_KIND_NONE, &p), &s.e[2]);
	rb_suite_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_metric_id),
		cmocka_unit_test(test_run_cases),
		cmocka_unit_test(test_stored_suite),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
