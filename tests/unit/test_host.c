// SPDX-License-Identifier: GPL-2.0
/* The host-ab job's state machine (app/plan/host.c): which round a boot
 * is, what a boot left unfinished, and the command lines it kexecs with. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "app/plan/host.h"
#include "app/plan/plan.h"
#include "app/plan/state.h"

static struct json_object *plan_of(int rounds, const char *cmdline)
{
	struct json_object *s = json_object_new_object(), *ks = json_object_new_array(), *k;

	json_object_object_add(s, "suite", json_object_new_string("/s.suite"));
	json_object_object_add(s, "rounds", json_object_new_int(rounds));
	json_object_object_add(s, "fsdax", json_object_new_array());
	json_object_object_add(s, "devdax", json_object_new_array());
	json_object_object_add(s, "run_args", json_object_new_string(""));
	for (int i = 0; i < 2; i++) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "label", json_object_new_string(i ? "B" : "A"));
		json_object_object_add(o, "image", json_object_new_string(i ? "/k/b" : "/k/a"));
		json_object_object_add(o, "release", json_object_new_string(i ? "6.1-b" : "6.1-a"));
		json_object_object_add(o, "append", json_object_new_string(i ? "mitigations=off" : ""));
		json_object_array_add(ks, o);
	}
	k = json_object_new_object();
	json_object_object_add(k, "image", json_object_new_string("/boot/vmlinuz"));
	json_object_object_add(k, "release", json_object_new_string("6.0"));
	json_object_object_add(k, "cmdline", json_object_new_string(cmdline));
	json_object_object_add(s, "original", k);
	return rb_host_new(s, ks, "test");
}

static const char *status(struct json_object *p, int i)
{
	return json_object_get_string(json_object_object_get(
		json_object_array_get_idx(json_object_object_get(p, "boots"), (size_t)i), "status"));
}

static void test_cmdline(void **st)
{
	/* an original booted by an earlier plan's return: its marks do not stack */
	struct json_object *p = plan_of(1, "ro  quiet panic=-1 refbench.host=/old refbench.round=B9\n");
	char buf[256];

	(void)st;
	assert_string_equal(json_object_get_string(json_object_object_get(p, "format")), RB_PLAN_FORMAT);
	assert_string_equal(json_object_get_string(json_object_object_get(p, "job")), "host-ab");
	assert_int_equal(rb_host_cmdline(p, 0, "/st", NULL, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "ro quiet panic=10 refbench.host=/st refbench.round=A1");
	assert_int_equal(rb_host_cmdline(p, 1, "/st", NULL, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "ro quiet mitigations=off panic=10 refbench.host=/st refbench.round=B1");
	/* back to the original: its own panic= stays */
	assert_int_equal(rb_host_cmdline(p, -1, "/st", NULL, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "ro quiet panic=-1");
	assert_int_equal(rb_host_cmdline(p, 0, "/st", NULL, buf, 20), -E2BIG);
	json_object_put(p);
}

static void test_rounds_by_label(void **st)
{
	/* round A1 is not round A10: labels are matched as whole words */
	struct json_object *p = plan_of(10, "ro");
	struct rb_host_boot b0 = { "b0", "6.0", "ro" };
	struct rb_host_boot b1 = { "b1", "6.1-a", "ro panic=10 refbench.host=/st refbench.round=A10" };
	char err[256];
	int a1 = rb_host_boot_index(p, "A1"), a10 = rb_host_boot_index(p, "A10");

	(void)st;
	assert_int_equal(a1, 0);
	assert_int_equal(a10, 18);
	assert_int_equal(rb_host_boot_index(p, "C1"), -1);
	assert_int_equal(rb_host_switch(p, a1, &b0, err, sizeof(err)), 0);
	assert_int_equal(rb_host_reconcile(p, &b1, NULL, NULL), 1);
	assert_string_equal(status(p, a1), "failed");
	/* a transition from the wrong state is refused and named */
	assert_int_equal(rb_host_start(p, a1, &b1, "/r", err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "round A1 is failed, not booted"));
	json_object_put(p);
}

static void test_same_boot(void **st)
{
	/* host-ab run again in the boot that issued a switch: switch again,
	 * and nothing of that boot's rounds is failed */
	struct json_object *p = plan_of(1, "ro");
	struct rb_host_boot b0 = { "b0", "6.0", "ro" };
	struct rb_host_step s;
	char err[256];

	(void)st;
	assert_int_equal(rb_host_switch(p, 0, &b0, err, sizeof(err)), 0);
	assert_int_equal(rb_host_reconcile(p, &b0, NULL, NULL), 0);
	s = rb_host_next(p, &b0);
	assert_int_equal(s.action, RB_HOST_SWITCH);
	assert_int_equal(s.boot, 0);
	assert_string_equal(status(p, 0), "switching");
	json_object_put(p);
}

/* writes text to dir/name, creating dir */
static void put(const char *dir, const char *name, const char *text)
{
	char p[512], cmd[600];
	FILE *f;

	snprintf(cmd, sizeof(cmd), "mkdir -p '%s'", dir);
	assert_int_equal(system(cmd), 0);
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	assert_non_null(f = fopen(p, "w"));
	fputs(text, f);
	fclose(f);
}

static void test_watchdog(void **st)
{
	/* watchdog0 from sysfs: softdog is software, anything else hardware;
	 * only hardware gets the next kernel's arguments, and only its
	 * WDIOF_CARDRESET (0x20) bootstatus names a reset */
	char root[] = "/tmp/rb-test-wd.XXXXXX", dir[256], par[256], buf[512], cmd[300];
	struct rb_watchdog w;
	struct json_object *p = plan_of(1, "ro watchdog.stop_on_reboot=1 quiet");
	struct rb_host_boot b0 = { "b0", "6.0", "ro" }, b1 = { "b1", "6.0", "ro" };
	const char *reason;

	(void)st;
	assert_non_null(mkdtemp(root));
	rb_watchdog_probe(root, &w);
	assert_int_equal(w.kind, RB_WD_NONE);
	rb_watchdog_kexec_args(&w, buf, sizeof(buf));
	assert_string_equal(buf, "");
	snprintf(dir, sizeof(dir), "%s/class/watchdog/watchdog0", root);
	snprintf(par, sizeof(par), "%s/module/watchdog/parameters", root);
	put(dir, "identity", "Software Watchdog\n");
	put(dir, "bootstatus", "32\n");
	rb_watchdog_probe(root, &w);
	assert_int_equal(w.kind, RB_WD_SOFTWARE);
	assert_false(rb_watchdog_reset_last_boot(&w));	/* softdog's is not a reset of the machine */
	put(dir, "identity", "i6300ESB timer\n");
	put(dir, "bootstatus", "0\n");
	put(par, "stop_on_reboot", "-1\n");
	rb_watchdog_probe(root, &w);
	assert_int_equal(w.kind, RB_WD_HARDWARE);
	assert_string_equal(w.identity, "i6300ESB timer");
	assert_int_equal(w.stop_on_reboot, -1);
	assert_false(rb_watchdog_reset_last_boot(&w));
	rb_watchdog_reset_note(&w, buf, sizeof(buf));
	assert_string_equal(buf, "");
	/* the next kernel's arguments replace the original's own */
	rb_watchdog_kexec_args(&w, buf, sizeof(buf));
	assert_string_equal(buf, "watchdog.stop_on_reboot=0 watchdog.open_timeout=300");
	{
		char line[512];

		assert_int_equal(rb_host_cmdline(p, 0, "/st", buf, line, sizeof(line)), 0);
		assert_string_equal(line, "ro quiet watchdog.stop_on_reboot=0 watchdog.open_timeout=300 "
				    "panic=10 refbench.host=/st refbench.round=A1");
		assert_int_equal(rb_host_cmdline(p, -1, "/st", buf, line, sizeof(line)), 0);
		assert_string_equal(line, "ro watchdog.stop_on_reboot=1 quiet");
	}
	put(dir, "bootstatus", "0x20\n");
	rb_watchdog_probe(root, &w);
	assert_true(rb_watchdog_reset_last_boot(&w));
	rb_watchdog_reset_note(&w, buf, sizeof(buf));
	assert_int_equal(rb_host_switch(p, 0, &b0, buf + 500, 10), 0);
	assert_int_equal(rb_host_reconcile(p, &b1, NULL, buf), 1);
	reason = json_object_get_string(json_object_object_get(
		json_object_array_get_idx(json_object_object_get(p, "boots"), 0), "reason"));
	assert_non_null(strstr(reason, "did not come up"));
	assert_non_null(strstr(reason, "; watchdog0 (i6300ESB timer) reset the machine: its bootstatus has "
				       "WDIOF_CARDRESET (0x20)"));
	json_object_put(p);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	assert_int_equal(system(cmd), 0);
}

static void test_modules(void **st)
{
	/* A has modules, B not: A's install is due while rounds are pending;
	 * its failure fails A's pending rounds and nothing else; the removal
	 * is due once compared, only for what was installed */
	struct json_object *p = plan_of(2, "ro"), *a;

	(void)st;
	a = rb_plan_kernel(p, 0);
	json_object_object_add(a, "modules", json_object_new_string("/k/a/modules/lib/modules/6.1-a"));
	assert_int_equal(rb_host_install_due(p), 0);
	assert_int_equal(rb_host_uninstall_due(p), -1);
	assert_int_equal(rb_host_installed(p, "6.1-x", true, NULL), 0);	/* no such release */
	assert_int_equal(rb_host_installed(p, "6.1-a", false, "no room"), 1);
	assert_int_equal(rb_host_install_due(p), -1);
	assert_string_equal(status(p, 0), "failed");
	assert_string_equal(status(p, 1), "pending");
	assert_string_equal(status(p, 2), "failed");
	assert_string_equal(status(p, 3), "pending");
	assert_non_null(strstr(json_object_get_string(json_object_object_get(
		json_object_array_get_idx(json_object_object_get(p, "boots"), 0), "reason")), "6.1-a could not be installed: no room"));
	rb_host_compared(p, NULL);
	assert_int_equal(rb_host_uninstall_due(p), -1);	/* nothing was installed */
	json_object_put(p);

	p = plan_of(1, "ro");
	json_object_object_add(rb_plan_kernel(p, 1), "modules", json_object_new_string("/k/b/m"));
	assert_int_equal(rb_host_install_due(p), 1);
	assert_int_equal(rb_host_installed(p, "6.1-b", true, NULL), 1);
	assert_int_equal(rb_host_install_due(p), -1);
	assert_int_equal(rb_host_uninstall_due(p), -1);	/* rounds still to run */
	rb_host_compared(p, "/r");
	assert_int_equal(rb_host_uninstall_due(p), 1);
	assert_int_equal(rb_host_uninstalled(p, "6.1-b", true, NULL), 1);
	assert_int_equal(rb_host_uninstall_due(p), -1);
	json_object_put(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cmdline),
		cmocka_unit_test(test_rounds_by_label),
		cmocka_unit_test(test_same_boot),
		cmocka_unit_test(test_watchdog),
		cmocka_unit_test(test_modules),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
