// SPDX-License-Identifier: GPL-2.0
/* What the plan decides from its inputs alone (app/plan/spec.c): SPEC ->
 * kernels/build's arguments, a boot's memory, boots at once, durations,
 * the major.minor of a version. */
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

static char *joined(const char *spec, const char *ksrc, int *rc)
{
	static char buf[4096];
	char *argv[16], err[512] = "";

	*rc = rb_plan_build_args(spec, ksrc, argv, 16, err, sizeof(err));
	if (*rc) {
		snprintf(buf, sizeof(buf), "error: %s", err);
		return buf;
	}
	buf[0] = '\0';
	for (char **a = argv; *a; a++) {
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s%s", *buf ? " " : "", *a);
		free(*a);
	}
	return buf;
}

static void test_build_args(void **state)
{
	int rc;
	char cwd[4096], want[8192];

	(void)state;
	assert_string_equal(joined("stock", NULL, &rc), "");
	assert_string_equal(joined("", NULL, &rc), "");
	assert_string_equal(joined("6.12", NULL, &rc), "--src 6.12");
	assert_string_equal(joined("v6.14", "/src/linux", &rc), "--src /src/linux --ref v6.14");
	assert_string_equal(joined("v6.14", NULL, &rc),
			    "error: 'v6.14' is neither X.Y, a tarball nor a tree; for a git ref give --ksrc TREE (KSRC=)");
	assert_int_equal(rc, -1);
	assert_string_equal(joined("/no/such.tar.xz", NULL, &rc), "error: tarball '/no/such.tar.xz' not found");
	assert_string_equal(joined("+/no/such/dir", NULL, &rc), "error: patches '/no/such/dir' (in '+/no/such/dir') not found");
	/* +PATCHES: an absolute path, whatever the directory the user gave */
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	snprintf(want, sizeof(want), "--src 7.2 --patches %s", cwd);
	assert_string_equal(joined("7.2+.", NULL, &rc), want);
	snprintf(want, sizeof(want), "--src /tmp --patches %s", cwd);
	assert_string_equal(joined("/tmp+.", NULL, &rc), want);
}

/* a kernels/build directory is a SPEC of make ab: booted as it was built */
static void test_kernel_dir(void **state)
{
	char dir[] = "/tmp/rb-test-kdir.XXXXXX", path[64], ver[64];
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_false(rb_plan_kernel_dir(dir, ver, sizeof(ver)));	/* a tree, not a build */
	snprintf(path, sizeof(path), "%s/bzImage", dir);
	assert_non_null(f = fopen(path, "w"));
	fclose(f);
	assert_false(rb_plan_kernel_dir(dir, ver, sizeof(ver)));	/* no build-info.json */
	snprintf(path, sizeof(path), "%s/build-info.json", dir);
	assert_non_null(f = fopen(path, "w"));
	fputs("{\"kernelversion\": \"6.1.192\"}", f);
	fclose(f);
	assert_true(rb_plan_kernel_dir(dir, ver, sizeof(ver)));
	assert_string_equal(ver, "6.1.192");
	unlink(path);
	snprintf(path, sizeof(path), "%s/bzImage", dir);
	unlink(path);
	rmdir(dir);
	assert_false(rb_plan_kernel_dir("/no/such/kernel", ver, sizeof(ver)));
}

static void test_boot_mib(void **state)
{
	char err[256];
	struct json_object *d = json_tokener_parse(
		"{\"qemu\": {\"mem_mib\": 2048}, \"pmem\": {\"size_mib\": 4096, \"label_size_mib\": 2},"
		" \"root\": {\"kind\": \"initramfs\"}}");

	(void)state;
	assert_int_equal(rb_plan_boot_mib(d, err, sizeof(err)), 2048 + 4096 + 2 + 1024 + 128);
	json_object_put(d);
	d = json_tokener_parse("{\"qemu\": {\"mem_mib\": 512}, \"pmem\": {\"size_mib\": 64}, \"root\": {\"kind\": \"disk\"}}");
	assert_int_equal(rb_plan_boot_mib(d, err, sizeof(err)), 512 + 64 + 1024);
	json_object_put(d);
	d = json_tokener_parse("{\"qemu\": {}}");
	assert_int_equal(rb_plan_boot_mib(d, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "qemu.mem_mib"));
	json_object_put(d);
}

static void test_njobs(void **state)
{
	char err[512];

	(void)state;
	/* auto: one per core, capped by what is useful and by memory */
	assert_int_equal(rb_plan_njobs(0, 2, 0, 1000, 24000, err, sizeof(err)), 2);
	assert_int_equal(rb_plan_njobs(0, 16, 4, 1000, 24000, err, sizeof(err)), 4);
	assert_int_equal(rb_plan_njobs(0, 16, 0, 7000, 24000, err, sizeof(err)), 3);
	/* given: taken as is when it fits, refused when it does not */
	assert_int_equal(rb_plan_njobs(3, 2, 0, 1000, 24000, err, sizeof(err)), 3);
	assert_int_equal(rb_plan_njobs(4, 2, 0, 7000, 24000, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "4 boot(s) at once need 28000 MiB (7000 MiB each"));
	assert_int_equal(rb_plan_njobs(0, 2, 0, 7000, 5000, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "1 boot(s) at once need 7000 MiB"));
}

static void test_duration(void **state)
{
	(void)state;
	assert_int_equal(rb_plan_duration("900"), 900);
	assert_int_equal(rb_plan_duration("900s"), 900);
	assert_int_equal(rb_plan_duration("30m"), 1800);
	assert_int_equal(rb_plan_duration("2h"), 7200);
	assert_int_equal(rb_plan_duration("soon"), -1);
	assert_int_equal(rb_plan_duration("0"), -1);
	assert_int_equal(rb_plan_duration("5d"), -1);
	assert_int_equal(rb_plan_duration("-5m"), -1);
}

static void test_series_of(void **state)
{
	char b[32];

	(void)state;
	assert_string_equal(rb_plan_series_of("6.1.192", b, sizeof(b)), "6.1");
	assert_string_equal(rb_plan_series_of("6.12.5", b, sizeof(b)), "6.12");
	assert_string_equal(rb_plan_series_of("7.3-rc2", b, sizeof(b)), "7.3");
	assert_string_equal(rb_plan_series_of("7.2", b, sizeof(b)), "7.2");
	assert_string_equal(rb_plan_series_of("", b, sizeof(b)), "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_build_args), cmocka_unit_test(test_kernel_dir), cmocka_unit_test(test_boot_mib), cmocka_unit_test(test_njobs),
		cmocka_unit_test(test_duration), cmocka_unit_test(test_series_of),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
