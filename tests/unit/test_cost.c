// SPDX-License-Identifier: GPL-2.0
/* The cost vector's x86 knowledge (plugin/x86_cost.h): which instructions
 * are atomic, the kernel's LOCK sites from an ELF's .smp_locks, the
 * vmemmap ranges and the per-window set of distinct cache lines. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "x86_cost.h"
#include "x86_rep.h"

/* This binary's own .smp_locks, as the kernel's is made: s32 offsets from
 * each entry to its target; the targets here are 0x100 and 0x40 bytes past
 * their entries, and one entry is 0 (skipped, as the kernel skips it). */
__asm__(".pushsection .smp_locks,\"a\"\n"
	".balign 4\n"
	".long 0x100\n"
	".long 0\n"
	".long 0x40\n"
	".popsection\n");

static uint64_t site;
static bool one_site(uint64_t va)
{
	return va == site;
}

static void test_atomic_decode(void **st)
{
	/* lock xadd %eax,(%rdx); lock incq (%rdi) with REX after LOCK */
	static const uint8_t lock_xadd[] = { 0xf0, 0x0f, 0xc1, 0x02 };
	static const uint8_t lock_rex[] = { 0xf0, 0x48, 0xff, 0x07 };
	/* the same after uniproc patching: DS instead of LOCK */
	static const uint8_t ds_xadd[] = { 0x3e, 0x0f, 0xc1, 0x02 };
	/* xchg %eax,(%rdi) is atomic; xchg %eax,%edi (mod 3) is not */
	static const uint8_t xchg_mem[] = { 0x87, 0x07 }, xchg_reg[] = { 0x87, 0xc7 };
	static const uint8_t xchg_rex[] = { 0x48, 0x87, 0x07 };
	/* nopl 0x0(%rax) and a marker are not */
	static const uint8_t nopl[] = { 0x0f, 0x1f, 0x80, 0x52, 0x42, 0x57, 0x31 };
	/* 0x66 then LOCK: a 16-bit locked op */
	static const uint8_t lock16[] = { 0x66, 0xf0, 0x0f, 0xc1, 0x02 };

	(void)st;
	assert_true(rb_x86_atomic(lock_xadd, sizeof(lock_xadd), 0x1000, NULL));
	assert_true(rb_x86_atomic(lock_rex, sizeof(lock_rex), 0x1000, NULL));
	assert_true(rb_x86_atomic(lock16, sizeof(lock16), 0x1000, NULL));
	assert_false(rb_x86_atomic(ds_xadd, sizeof(ds_xadd), 0x1000, NULL));
	site = 0x1000;
	assert_true(rb_x86_atomic(ds_xadd, sizeof(ds_xadd), 0x1000, one_site));
	assert_false(rb_x86_atomic(ds_xadd, sizeof(ds_xadd), 0x2000, one_site));
	assert_true(rb_x86_atomic(xchg_mem, sizeof(xchg_mem), 0, NULL));
	assert_true(rb_x86_atomic(xchg_rex, sizeof(xchg_rex), 0, NULL));
	assert_false(rb_x86_atomic(xchg_reg, sizeof(xchg_reg), 0, NULL));
	assert_false(rb_x86_atomic(nopl, sizeof(nopl), 0, NULL));
	assert_false(rb_x86_atomic(lock_xadd, 0, 0, NULL));
}

static void test_smp_locks(void **st)
{
	uint64_t *v;
	size_t n;
	const char *why;

	(void)st;
	assert_int_equal(rb_smp_locks_read("/proc/self/exe", &v, &n, &why), 0);
	assert_int_equal(n, 2);
	/* entry 0 at S points to S + 0x100, entry 2 at S + 8 to S + 0x48 */
	assert_true(v[1] - v[0] == 0x100 - 0x48);
	free(v);
	assert_int_equal(rb_smp_locks_read("/nonexistent/vmlinux", &v, &n, &why), -ENOENT);
	assert_string_equal(why, "open");
	assert_int_equal(rb_smp_locks_read("/proc/self/status", &v, &n, &why), -ENOEXEC);
	assert_int_equal(rb_smp_locks_read("/dev/null", &v, &n, &why), -EINVAL);
	assert_null(v);
}

static void test_smp_locks_absent(void **st)
{
	char path[] = "/tmp/rb-test-cost-XXXXXX";
	int fd = mkstemp(path);
	uint64_t *v;
	size_t n;
	const char *why;

	(void)st;
	assert_true(fd >= 0);
	/* not an ELF */
	assert_int_equal(write(fd, "hello, world, not an ELF file at all; long enough for a header....",
			       66), 66);
	assert_int_equal(rb_smp_locks_read(path, &v, &n, &why), -ENOEXEC);
	close(fd);
	unlink(path);
	/* an ELF without .smp_locks: the dynamic loader */
	if (!access("/lib64/ld-linux-x86-64.so.2", R_OK)) {
		assert_int_equal(rb_smp_locks_read("/lib64/ld-linux-x86-64.so.2", &v, &n, &why), -ENOENT);
		assert_string_equal(why, "no .smp_locks section");
	}
}

static void test_vmemmap(void **st)
{
	(void)st;
	assert_true(rb_in_vmemmap(0xffffea0000000000ull));
	assert_true(rb_in_vmemmap(0xffffea0000040000ull + 63));
	assert_false(rb_in_vmemmap(0xffffe9ffffffffffull));
	assert_false(rb_in_vmemmap(0xffffeb0000000000ull));
	assert_true(rb_in_vmemmap(0xffd4000000000000ull));
	assert_false(rb_in_vmemmap(0xffff888000000000ull));	/* the direct map */
	assert_false(rb_in_vmemmap(0x7f0000000000ull));
}

static void test_lineset(void **st)
{
	struct rb_lineset s;

	(void)st;
	assert_int_equal(rb_lineset_init(&s, 4), 0);
	for (uint64_t i = 0; i < 1000; i++)	/* grows from 4 slots */
		assert_int_equal(rb_lineset_add(&s, i % 300, i % 300 < 10), 0);
	assert_int_equal(s.n, 300);
	assert_int_equal(s.n_pstruct, 10);
	rb_lineset_next(&s);	/* a new window starts empty */
	assert_int_equal(s.n, 0);
	assert_int_equal(rb_lineset_add(&s, 5, false), 0);
	assert_int_equal(rb_lineset_add(&s, 5, true), 0);	/* the same line, now via the vmemmap */
	assert_int_equal(rb_lineset_add(&s, 7, false), 0);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.n_pstruct, 1);
	/* lines of the old window left in the table are not found */
	for (uint64_t i = 0; i < 300; i++)
		assert_int_equal(rb_lineset_add(&s, 1000 + i, false), 0);
	assert_int_equal(s.n, 302);
	rb_lineset_free(&s);
}

/* Which instructions TCG executes once per iteration (x86_rep.h) */
static void test_rep_decode(void **st)
{
	static const struct {
		uint8_t b[6];
		size_t n;
		bool rep;
	} c[] = {
		{ { 0xf3, 0xaa }, 2, true },			/* rep stosb */
		{ { 0xf3, 0x48, 0xab }, 3, true },		/* rep stosq */
		{ { 0xf3, 0xa4 }, 2, true },			/* rep movsb */
		{ { 0xf3, 0x48, 0xa5 }, 3, true },		/* rep movsq */
		{ { 0x66, 0xf3, 0xab }, 3, true },		/* rep stosw */
		{ { 0xf2, 0xae }, 2, true },			/* repne scasb */
		{ { 0xf3, 0xa6 }, 2, true },			/* repe cmpsb */
		{ { 0xf3, 0x6c }, 2, true },			/* rep insb */
		{ { 0xf3, 0x6f }, 2, true },			/* rep outsd */
		{ { 0xaa }, 1, false },				/* stosb: once anyway */
		{ { 0x48, 0xa5 }, 2, false },			/* movsq */
		{ { 0xf3, 0x90 }, 2, false },			/* pause */
		{ { 0xf3, 0xc3 }, 2, false },			/* rep ret */
		{ { 0xf3, 0x0f, 0x1e, 0xfa }, 4, false },	/* endbr64 */
		{ { 0xf3, 0x48, 0x0f, 0xb8, 0xc0 }, 5, false },	/* popcnt */
		{ { 0xf3 }, 1, false },				/* cut short */
		{ { 0xf3, 0xa8, 0x01 }, 3, false },		/* test al,1: not a string op */
	};

	(void)st;
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++)
		assert_int_equal(rb_x86_rep_string(c[i].b, c[i].n), c[i].rep);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_atomic_decode),
		cmocka_unit_test(test_smp_locks),
		cmocka_unit_test(test_smp_locks_absent),
		cmocka_unit_test(test_vmemmap),
		cmocka_unit_test(test_lineset),
		cmocka_unit_test(test_rep_decode),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
