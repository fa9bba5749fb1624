// SPDX-License-Identifier: GPL-2.0
/* Several ssh targets sharing a plan's boots: a target's one form
 * (rb_plan_target_url), which target boots what (rb_plan_assign), a path
 * as a target's tree holds it (rb_plan_target_path), and plan.json with
 * targets written and read back. */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "app/plan/plan.h"
#include "app/plan/state.h"

static const char *url(const char *given)
{
	static char buf[512];
	char err[512] = "";

	if (rb_plan_target_url(given, buf, sizeof(buf), err, sizeof(err))) {
		/* every refusal names the accepted form */
		assert_non_null(strstr(err, "[ssh://][user@]host[:port]"));
		return "error";
	}
	return buf;
}

static void test_target_url(void **state)
{
	(void)state;
	assert_string_equal(url("lab1"), "ssh://lab1");
	assert_string_equal(url("a"), "ssh://a");
	assert_string_equal(url("a:2"), "ssh://a:2");
	assert_string_equal(url("ssh://lab1"), "ssh://lab1");
	assert_string_equal(url("ssh://lab1/"), "ssh://lab1");
	assert_string_equal(url("me@lab1.example.org"), "ssh://me@lab1.example.org");
	assert_string_equal(url("ssh://me@10.0.0.2:2222"), "ssh://me@10.0.0.2:2222");
	/* the default port is no port: one target, one name */
	assert_string_equal(url("lab1:22"), "ssh://lab1");
	assert_string_equal(url("lab1:022"), "ssh://lab1");
	assert_string_equal(url("my_box-2"), "ssh://my_box-2");

	assert_string_equal(url(""), "error");
	assert_string_equal(url("ssh://"), "error");
	assert_string_equal(url("lab 1"), "error");
	assert_string_equal(url(" lab1"), "error");
	assert_string_equal(url("/srv/lab"), "error");
	assert_string_equal(url("ssh://lab1/srv/x"), "error");
	assert_string_equal(url("lab1:"), "error");
	assert_string_equal(url("lab1:ssh"), "error");
	assert_string_equal(url("lab1:0"), "error");
	assert_string_equal(url("lab1:65536"), "error");
	assert_string_equal(url("lab1:1234567"), "error");
	assert_string_equal(url("me@"), "error");
	assert_string_equal(url("@lab1"), "error");
	assert_string_equal(url("a@b@c"), "error");
	assert_string_equal(url("http://lab1"), "error");
	/* a host or user that ssh would read as an option */
	assert_string_equal(url("-oProxyCommand"), "error");
	assert_string_equal(url("me@-lab1"), "error");
}

/* the targets of n boots (-1: none) as a string: "0 0 1 1" */
static const char *targets(const struct rb_plan_slot *b, size_t n)
{
	static char buf[256];

	buf[0] = '\0';
	for (size_t i = 0; i < n; i++)
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s%d", i ? " " : "", b[i].target);
	return buf;
}

static void test_assign(void **state)
{
	bool up2[] = { true, true }, down0[] = { false, true }, none[] = { false, false };
	/* an A/B of 4 rounds: A1 B1 A2 B2 ... */
	struct rb_plan_slot ab[8];

	(void)state;
	for (size_t i = 0; i < 8; i++)
		ab[i] = (struct rb_plan_slot){ .group = (long)i / 2 + 1, .pending = true, .target = -1 };
	/* a round on one target; the rounds spread */
	assert_int_equal(rb_plan_assign(ab, 8, up2, 2), 0);
	assert_string_equal(targets(ab, 8), "0 0 1 1 0 0 1 1");
	/* again: each keeps its target */
	assert_int_equal(rb_plan_assign(ab, 8, up2, 2), 0);
	assert_string_equal(targets(ab, 8), "0 0 1 1 0 0 1 1");

	/* round 1 done on 0; target 0 goes down: its pending boots go to 1 */
	ab[0].pending = ab[1].pending = false;
	assert_int_equal(rb_plan_assign(ab, 8, down0, 2), 0);
	assert_string_equal(targets(ab, 8), "0 0 1 1 1 1 1 1");

	/* every target down: an error, and nothing is assigned to a down one */
	for (size_t i = 2; i < 8; i++)
		ab[i].target = -1;
	assert_int_equal(rb_plan_assign(ab, 8, none, 2), -1);

	/* least loaded: target 0 holds 3 pending boots, so the new round goes to 1 */
	{
		struct rb_plan_slot b[] = {
			{ .group = 1, .pending = true, .target = 0 }, { .group = 1, .pending = true, .target = 0 },
			{ .group = 2, .pending = true, .target = 0 }, { .group = 3, .pending = true, .target = -1 },
			{ .group = 3, .pending = true, .target = -1 },
		};
		bool up3[] = { true, true, true };

		assert_int_equal(rb_plan_assign(b, 5, up3, 3), 0);
		assert_string_equal(targets(b, 5), "0 0 0 1 1");
	}
	/* of equal loads, the target that booted least: ROUNDS=auto adds a
	 * round at a time */
	{
		struct rb_plan_slot b[] = {
			{ .group = 1, .pending = false, .target = 0 }, { .group = 1, .pending = false, .target = 0 },
			{ .group = 2, .pending = true, .target = -1 }, { .group = 2, .pending = true, .target = -1 },
		};

		assert_int_equal(rb_plan_assign(b, 4, up2, 2), 0);
		assert_string_equal(targets(b, 4), "0 0 1 1");
	}
	/* a group whose done boot ran on a live target joins it */
	{
		struct rb_plan_slot b[] = {
			{ .group = 1, .pending = false, .target = 1 }, { .group = 1, .pending = true, .target = -1 },
		};

		assert_int_equal(rb_plan_assign(b, 2, up2, 2), 0);
		assert_string_equal(targets(b, 2), "1 1");
	}
	/* a target index that is out of range is none */
	{
		struct rb_plan_slot b[] = { { .group = 1, .pending = true, .target = 7 } };

		assert_int_equal(rb_plan_assign(b, 1, up2, 2), 0);
		assert_string_equal(targets(b, 1), "0");
	}
	/* done boots need no target, even with every target down */
	{
		struct rb_plan_slot b[] = { { .group = 1, .pending = false, .target = 0 } };

		assert_int_equal(rb_plan_assign(b, 1, none, 2), 0);
	}
}

static void test_target_path(void **state)
{
	char b[PATH_MAX];

	(void)state;
	assert_string_equal(rb_plan_target_path("/r", "/r/configs/suites/quick.suite", false, b, sizeof(b)),
			    "configs/suites/quick.suite");
	assert_string_equal(rb_plan_target_path("/r", "/r/kA", true, b, sizeof(b)), "kA");
	/* a cached kernel outside the tree: kernels/pushed/NAME there */
	assert_string_equal(rb_plan_target_path("/r", "/c/kernels/6.1.192-ab12", true, b, sizeof(b)),
			    "kernels/pushed/6.1.192-ab12");
	assert_string_equal(rb_plan_target_path("/r", "/r/kernels/../../c/k", true, b, sizeof(b)), "kernels/pushed/k");
	assert_null(rb_plan_target_path("/r", "/elsewhere/x.suite", false, b, sizeof(b)));
	assert_null(rb_plan_target_path("/r", "/rr/x.suite", false, b, sizeof(b)));
	assert_null(rb_plan_target_path("/r", "/c/..", true, b, sizeof(b)));
}

static void test_plan_round_trip(void **state)
{
	char dir[] = "/tmp/rb-plan-targets.XXXXXX", err[1024] = "", path[PATH_MAX];
	struct json_object *p = json_object_new_object(), *s = json_object_new_object(), *t = json_object_new_array();
	struct json_object *back = NULL, *down = json_object_new_array(), *d = json_object_new_object();
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	rb_plan_set_int(p, "schema", RB_PLAN_SCHEMA);
	rb_plan_set_str(p, "format", RB_PLAN_FORMAT);
	rb_plan_set_str(p, "job", "ab");
	rb_plan_set_str(p, "mode", "deterministic");
	rb_plan_set_str(s, "repo", "/r");
	rb_plan_set_str(s, "suite", "/r/configs/suites/quick.suite");
	json_object_object_add(s, "lab_args", json_object_new_array());
	json_object_array_add(t, json_object_new_string("ssh://a"));
	json_object_array_add(t, json_object_new_string("ssh://me@b:2222"));
	json_object_object_add(s, "targets", t);
	json_object_object_add(p, "settings", s);
	json_object_object_add(p, "kernels", json_object_new_array());
	json_object_object_add(p, "boots", json_object_new_array());
	rb_plan_add_kernel(p, "A", "stock", json_object_new_array());
	rb_plan_set_str(rb_plan_kernel(p, 0), "dir", "/c/kernels/6.1.192-ab12");
	rb_plan_add_boot(p, "A1", 0, 1, 0);
	rb_plan_set_str(rb_plan_boot(p, "A1", NULL), "target", "ssh://me@b:2222");
	rb_plan_set_str(d, "target", "ssh://a");
	rb_plan_set_str(d, "reason", "ssh: connect to host a port 22: Connection refused");
	json_object_array_add(down, d);
	json_object_object_add(p, "targets_down", down);

	assert_int_equal(rb_plan_save(dir, p, err, sizeof(err)), 0);
	if (rb_plan_load(dir, &back, err, sizeof(err)))
		fail_msg("%s", err);
	assert_string_equal(json_object_to_json_string(back), json_object_to_json_string(p));
	/* a boot on a target boots the tree copied there: paths relative to it */
	snprintf(path, sizeof(path), "%s/argv", dir);
	assert_non_null(f = fopen(path, "w+"));
	assert_int_equal(rb_plan_lab_argv(back, rb_plan_boot(back, "A1", NULL), f), 0);
	rewind(f);
	{
		char text[1024] = "";

		assert_true(fread(text, 1, sizeof(text) - 1, f) > 0);
		assert_non_null(strstr(text, "--kernel\nkernels/pushed/6.1.192-ab12\n--suite\nconfigs/suites/quick.suite\n"));
	}
	fclose(f);
	unlink(path);
	json_object_put(back);

	/* a target not in the one form is not read */
	json_object_array_put_idx(t, 1, json_object_new_string("b:22"));
	assert_int_equal(rb_plan_save(dir, p, err, sizeof(err)), 0);
	assert_int_equal(rb_plan_load(dir, &back, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "settings.targets[1]"));
	json_object_array_put_idx(t, 1, json_object_new_int(3));
	assert_int_equal(rb_plan_save(dir, p, err, sizeof(err)), 0);
	assert_int_equal(rb_plan_load(dir, &back, err, sizeof(err)), -1);

	snprintf(path, sizeof(path), "%s/%s", dir, RB_PLAN_FILE);
	unlink(path);
	rmdir(dir);
	json_object_put(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_target_url), cmocka_unit_test(test_assign),
		cmocka_unit_test(test_target_path), cmocka_unit_test(test_plan_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
