// SPDX-License-Identifier: GPL-2.0
/* Unit tests of the library's system-facing parts: running a program
 * (lib/exec), counting a tracepoint on it (lib/tracepoint) and the system
 * facts (lib/sysfacts). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "lib/exec.h"
#include "lib/sysfacts.h"
#include "lib/tracepoint.h"
#include "lib/userfile.h"

static int run(char *const argv[], const char *in, unsigned timeout_s, struct rb_exec *ex)
{
	char err[256];

	return rb_exec(argv, &(struct rb_exec_opts){ .stdin_text = in, .timeout_s = timeout_s }, ex,
		       err, sizeof(err));
}

static void test_exec(void **st)
{
	char *const cat[] = { "/bin/sh", "-c", "cat; echo oops >&2; exit 3", NULL };
	char *const sleeper[] = { "/bin/sh", "-c", "sleep 30", NULL };
	char *const missing[] = { "/nonexistent/tool", NULL };
	struct rb_exec ex;
	size_t big_len = 300000;
	char *big = malloc(big_len + 1);

	(void)st;
	assert_int_equal(run(cat, "hello\n", 30, &ex), 0);
	assert_string_equal(ex.out, "hello\n");
	assert_string_equal(ex.errtext, "oops\n");
	assert_true(WIFEXITED(ex.status));
	assert_int_equal(WEXITSTATUS(ex.status), 3);
	assert_false(ex.timed_out);
	rb_exec_free(&ex);

	/* more than a pipe holds goes in and comes out whole */
	memset(big, 'j', big_len);
	big[big_len] = '\0';
	assert_int_equal(run(cat, big, 30, &ex), 0);
	assert_int_equal(strlen(ex.out), big_len);
	rb_exec_free(&ex);
	free(big);

	/* a hung child is killed at the timeout, with its process group */
	assert_int_equal(run(sleeper, NULL, 1, &ex), 0);
	assert_true(ex.timed_out);
	assert_true(WIFSIGNALED(ex.status));
	assert_true(ex.wall_ns < 10000000000ull);
	rb_exec_free(&ex);

	assert_int_equal(run(missing, NULL, 5, &ex), 0);
	assert_int_equal(WEXITSTATUS(ex.status), 127);
	rb_exec_free(&ex);

	/* a child that ignores its stdin and exits: EPIPE, not SIGPIPE for us */
	{
		char *const quits[] = { "/bin/true", NULL };
		char *text = malloc(1 << 20);

		memset(text, 'x', (1 << 20) - 1);
		text[(1 << 20) - 1] = '\0';
		assert_int_equal(run(quits, text, 10, &ex), 0);
		assert_int_equal(WEXITSTATUS(ex.status), 0);
		rb_exec_free(&ex);
		free(text);
	}
}

static void test_vmstat_and_tracepoints(void **st)
{
	uint64_t v = 0;
	bool exact;
	char why[256];

	(void)st;
	assert_int_equal(rb_vmstat_read("nr_free_pages", &v, &exact), 0);
	assert_true(v > 0);
	assert_int_equal(rb_vmstat_read("nr_free", &v, &exact), -ENOENT);	/* whole names only */
	assert_int_equal(rb_vmstat_read("no_such_counter", &v, &exact), -ENOENT);
	assert_false(rb_tp_available("no_such_sys/no_such_event", why, sizeof(why)));
	assert_non_null(strstr(why, "tracefs"));
}

/* Tracepoints counted on the child and everything it forks (inherit),
 * attached before it execs: sh's own exec plus two children's. Needs
 * tracefs (the lab mounts it). */
static void attach(pid_t child, void *arg)
{
	char why[256];

	assert_int_equal(rb_tp_open(arg, "sched/sched_process_exec", child, true, why, sizeof(why)), 0);
}

static void test_exec_tracepoint(void **st)
{
	char *const sh[] = { "/bin/sh", "-c", "/bin/true; /bin/true; :", NULL };
	struct rb_tp tp = { .fd = -1 };
	struct rb_exec ex;
	char why[256], err[256];
	uint64_t count = 0;

	(void)st;
	if (!rb_tp_available("sched/sched_process_exec", why, sizeof(why)))
		skip();
	assert_int_equal(rb_exec(sh, &(struct rb_exec_opts){ .timeout_s = 30, .started = attach,
							     .arg = &tp }, &ex, err, sizeof(err)), 0);
	assert_int_equal(rb_exec_code(&ex), 0);
	assert_int_equal(rb_tp_read(&tp, &count), 0);
	assert_int_equal(count, 3);
	rb_tp_close(&tp);
	assert_int_equal(tp.fd, -1);
	rb_exec_free(&ex);
}

static void test_read_text(void **st)
{
	char buf[64], mode[32];
	char *flags = rb_cpuinfo_field("flags");

	(void)st;
	assert_int_equal(rb_read_text("/proc/sys/kernel/ostype", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "Linux");		/* the newline cut */
	assert_int_equal(rb_read_text("/nonexistent", buf, sizeof(buf)), -ENOENT);
	assert_null(rb_read_file("/nonexistent", 64));
	assert_non_null(flags);
	assert_true(strlen(flags) > 0 && !strchr(flags, '\n'));
	/* a flag is a whole word of that line */
	assert_false(rb_cpu_has("no_such_flag"));
	if (strstr(flags, "fpu"))
		assert_true(rb_cpu_has("fpu"));
	free(flags);
	if (!rb_thp_mode(mode, sizeof(mode)))
		assert_true(!strcmp(mode, "always") || !strcmp(mode, "madvise") || !strcmp(mode, "never"));
}

/* Files a user names: regular files of a bounded size only. */
static void test_user_files(void **st)
{
	char dir[] = "/tmp/rb-userfile-XXXXXX", p[128], q[128], err[256], *buf;
	size_t len;
	FILE *f;

	(void)st;
	assert_non_null(mkdtemp(dir));
	snprintf(p, sizeof(p), "%s/small", dir);
	assert_non_null(f = fopen(p, "w"));
	fputs("{\"a\": 1}\n", f);
	fclose(f);
	assert_int_equal(rb_user_file_read(p, 100, &buf, &len, err, sizeof(err)), 0);
	assert_int_equal(len, 9);
	assert_string_equal(buf, "{\"a\": 1}\n");
	free(buf);
	/* larger than the limit: refused by its size, not read */
	assert_int_equal(rb_user_file_read(p, 4, &buf, &len, err, sizeof(err)), -EFBIG);
	assert_null(buf);
	assert_non_null(strstr(err, "more than the 4"));
	/* /dev/zero, directly or through a symlink; a FIFO; a directory */
	assert_int_equal(rb_user_file_read("/dev/zero", 100, &buf, &len, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "not a regular file (a character device)"));
	snprintf(q, sizeof(q), "%s/zero", dir);
	assert_int_equal(symlink("/dev/zero", q), 0);
	assert_int_equal(rb_user_file_read(q, 100, &buf, &len, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "a character device"));
	unlink(q);
	snprintf(q, sizeof(q), "%s/fifo", dir);
	assert_int_equal(mkfifo(q, 0600), 0);
	assert_int_equal(rb_user_file_read(q, 100, &buf, &len, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "a FIFO"));
	unlink(q);
	assert_int_equal(rb_user_file_read(dir, 100, &buf, &len, err, sizeof(err)), -EISDIR);
	snprintf(q, sizeof(q), "%s/loop", dir);
	assert_int_equal(symlink(q, q), 0);
	assert_int_equal(rb_user_file_read(q, 100, &buf, &len, err, sizeof(err)), -ELOOP);
	assert_non_null(strstr(err, "Too many levels of symbolic links"));
	unlink(q);
	assert_int_equal(rb_user_file_read("/nonexistent", 100, &buf, &len, err, sizeof(err)), -ENOENT);
	assert_string_equal(err, "No such file or directory");
	unlink(p);
	rmdir(dir);
}

/* JSON text: UTF-8, no NUL in a string, one value, an object when meant */
static void test_json_text(void **st)
{
	static const struct { const char *text; size_t len; bool obj; const char *why; } bad[] = {
		{ "{\"r\": \"6.1\xff\"}", 0, true, "invalid UTF-8 at byte 10" },
		{ "{\"r\": \"\xc0\xaf\"}", 0, true, "invalid UTF-8" },		/* overlong "/" */
		{ "{\"r\": \"\xed\xa0\x80\"}", 0, true, "invalid UTF-8" },	/* a surrogate */
		{ "{\"cpu\": \"A\\u0000B\"}", 0, true, "a NUL (\\u0000) inside a string" },
		{ "{\"c\\u0000\": 1}", 0, true, "a NUL (\\u0000)" },
		{ "{\"a\": 1}\0{\"b\": 2}", 16, true, "a NUL byte at byte 8" },
		{ "[1, 2]", 0, true, "JSON, but an array where an object is meant" },
		{ "\"x\"", 0, true, "JSON, but a string" },
		{ "{\"a\": 1} {\"b\": 2}", 0, true, "at byte 9" },
		{ "{\"a\": ", 0, true, "not JSON" },
		{ "not json", 0, false, "not JSON" },
	};
	char err[256];
	struct json_object *o;

	(void)st;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		size_t len = bad[i].len ? bad[i].len : strlen(bad[i].text);

		o = rb_json_parse(bad[i].text, len, bad[i].obj, err, sizeof(err));
		if (o || !strstr(err, bad[i].why))
			fail_msg("%zu: '%s' gave '%s', want '%s'", i, bad[i].text, o ? "an object" : err,
				 bad[i].why);
	}
	/* an escaped backslash before u0000 is text, not a NUL; UTF-8 is fine */
	{
		static const char ok_text[] = "{\"p\": \"C:\\\\u0000\", \"m\": \"caf\xc3\xa9 \xf0\x9f\x99\x82\"}";

		o = rb_json_parse(ok_text, strlen(ok_text), true, err, sizeof(err));
	}
	assert_non_null(o);
	assert_string_equal(json_object_get_string(json_object_object_get(o, "p")), "C:\\u0000");
	json_object_put(o);
	o = rb_json_parse("[1]", 3, false, err, sizeof(err));
	assert_non_null(o);
	json_object_put(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exec),
		cmocka_unit_test(test_vmstat_and_tracepoints),
		cmocka_unit_test(test_exec_tracepoint),
		cmocka_unit_test(test_read_text),
		cmocka_unit_test(test_user_files),
		cmocka_unit_test(test_json_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
