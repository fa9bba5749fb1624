// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of bench/kabi: the kernel test ABI layouts and ioctl numbers
 * against values from the kernel sources, the version -> variant tables, and
 * the pure rules gup-fast and hmm-migrate decide by.
 *
 * Every literal names its source. Struct layouts: torvalds/linux
 * mm/gup_benchmark.c (5.6-5.10), mm/gup_test.h (5.11, 5.13+, 6.2+),
 * lib/test_hmm_uapi.h (5.8, 5.14, 6.0, 6.1, 7.2), lib/test_hmm.c (6.1, 6.12,
 * 7.2), kernel/Kconfig.preempt and kernel/sched/debug.c (6.1, 7.2).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "kabi/gup_test.h"
#include "kabi/kmodel.h"
#include "kabi/kpaths.h"
#include "kabi/test_hmm.h"

/* The same facts at compile time: a wrong layout does not build. */
_Static_assert(sizeof(struct rb_gup_test_5_13) == 80, "6.1 struct gup_test: 80 bytes");
_Static_assert(offsetof(struct rb_gup_test_5_13, size) == 24, "gup_test.size at 24");
_Static_assert(offsetof(struct rb_gup_test_5_13, which_pages) == 44, "which_pages at 44");
_Static_assert(sizeof(struct rb_gup_test_5_11) == 72, "5.11 struct gup_test: 72 bytes");
_Static_assert(sizeof(struct rb_gup_benchmark_5_6) == 120, "struct gup_benchmark: 120 bytes");
_Static_assert(sizeof(struct rb_hmm_dmirror_cmd) == 40, "struct hmm_dmirror_cmd: 40 bytes");

#define KV(a, b) ((struct rb_kver){ (a), (b), 0 })

static bool contains(const char *hay, const char *needle)
{
	return strstr(hay, needle) != NULL;
}

/* ---------------------------------------------------------------- */
/* layouts                                                          */

static void test_gup_test_5_13_layout(void **state)
{
	(void)state;
	/* mm/gup_test.h since 5.13: 4 x __u64, nr_pages_per_call, gup_flags,
	 * test_flags, which_pages[8] = 76 bytes, padded to 80 by the u64s */
	assert_int_equal(sizeof(struct rb_gup_test_5_13), 80);
	assert_int_equal(offsetof(struct rb_gup_test_5_13, get_delta_usec), 0);
	assert_int_equal(offsetof(struct rb_gup_test_5_13, put_delta_usec), 8);
	assert_int_equal(offsetof(struct rb_gup_test_5_13, addr), 16);
	assert_int_equal(offsetof(struct rb_gup_test_5_13, size), 24);
	assert_int_equal(offsetof(struct rb_gup_test_5_13, nr_pages_per_call), 32);
	assert_int_equal(offsetof(struct rb_gup_test_5_13, gup_flags), 36);
	assert_int_equal(offsetof(struct rb_gup_test_5_13, test_flags), 40);
	assert_int_equal(offsetof(struct rb_gup_test_5_13, which_pages), 44);
}

static void test_gup_test_5_11_layout(void **state)
{
	(void)state;
	/* mm/gup_test.h in 5.11/5.12: one `flags`, no test_flags: 72 bytes */
	assert_int_equal(sizeof(struct rb_gup_test_5_11), 72);
	assert_int_equal(offsetof(struct rb_gup_test_5_11, nr_pages_per_call), 32);
	assert_int_equal(offsetof(struct rb_gup_test_5_11, flags), 36);
	assert_int_equal(offsetof(struct rb_gup_test_5_11, which_pages), 40);
}

static void test_gup_benchmark_layout(void **state)
{
	(void)state;
	/* mm/gup_benchmark.c 5.6-5.10: ..., __u32 flags, __u64 expansion[10] */
	assert_int_equal(sizeof(struct rb_gup_benchmark_5_6), 120);
	assert_int_equal(offsetof(struct rb_gup_benchmark_5_6, flags), 36);
	assert_int_equal(offsetof(struct rb_gup_benchmark_5_6, expansion), 40);
}

static void test_pin_longterm_and_hmm_layout(void **state)
{
	(void)state;
	/* mm/gup_test.h 6.2+: struct pin_longterm_test { u64 addr, size; u32 flags } */
	assert_int_equal(sizeof(struct rb_pin_longterm_test), 24);
	assert_int_equal(offsetof(struct rb_pin_longterm_test, flags), 16);
	/* lib/test_hmm_uapi.h, unchanged 5.8..6.x: addr, ptr, npages, cpages, faults */
	assert_int_equal(sizeof(struct rb_hmm_dmirror_cmd), 40);
	assert_int_equal(offsetof(struct rb_hmm_dmirror_cmd, ptr), 8);
	assert_int_equal(offsetof(struct rb_hmm_dmirror_cmd, npages), 16);
	assert_int_equal(offsetof(struct rb_hmm_dmirror_cmd, cpages), 24);
	assert_int_equal(offsetof(struct rb_hmm_dmirror_cmd, faults), 32);
}

/* ---------------------------------------------------------------- */
/* ioctl numbers (asm-generic encoding: x86, arm64, riscv)           */

#if defined(__x86_64__) || defined(__aarch64__) || defined(__riscv)
static void test_gup_ioctl_numbers(void **state)
{
	const struct rb_gup_abi *t62 = &rb_gup_abis[RB_GUP_ABI_TEST_6_2];
	const struct rb_gup_abi *t513 = &rb_gup_abis[RB_GUP_ABI_TEST_5_13];
	const struct rb_gup_abi *t511 = &rb_gup_abis[RB_GUP_ABI_TEST_5_11];
	const struct rb_gup_abi *b56 = &rb_gup_abis[RB_GUP_ABI_BENCHMARK_5_6];

	(void)state;
	/* _IOWR('g', 1, struct gup_test), 80 bytes: seen on a 6.1 guest (lab notes) */
	assert_int_equal(rb_gup_ioctl(t513, RB_GUP_CMD_GUP_FAST), 0xc0506701);
	assert_int_equal(rb_gup_ioctl(t62, RB_GUP_CMD_GUP_FAST), 0xc0506701);
	/* PIN_FAST_BENCHMARK 'g' 2, PIN_LONGTERM_BENCHMARK 'g' 3 (mm/gup_test.h) */
	assert_int_equal(rb_gup_ioctl(t62, RB_GUP_CMD_PIN_FAST), 0xc0506702);
	assert_int_equal(rb_gup_ioctl(t62, RB_GUP_CMD_PIN_LONGTERM), 0xc0506703);
	/* 5.11/5.12: the same numbers on a 72-byte struct */
	assert_int_equal(rb_gup_ioctl(t511, RB_GUP_CMD_GUP_FAST), 0xc0486701);
	assert_int_equal(rb_gup_ioctl(t511, RB_GUP_CMD_PIN_FAST), 0xc0486702);
	/* 5.6-5.10 gup_benchmark: GUP_FAST=1, PIN_FAST=3, PIN_LONGTERM=5, 120 bytes */
	assert_int_equal(rb_gup_ioctl(b56, RB_GUP_CMD_GUP_FAST), 0xc0786701);
	assert_int_equal(rb_gup_ioctl(b56, RB_GUP_CMD_PIN_FAST), 0xc0786703);
	assert_int_equal(rb_gup_ioctl(b56, RB_GUP_CMD_PIN_LONGTERM), 0xc0786705);
	/* 6.2: PIN_LONGTERM_TEST_START _IOW('g', 7, 24 bytes), STOP _IO('g', 8) */
	assert_int_equal(rb_gup_longterm_start_ioctl(), 0x40186707);
	assert_int_equal(rb_gup_longterm_stop_ioctl(), 0x6708);
}

static void test_hmm_ioctl_numbers(void **state)
{
	const struct rb_hmm_abi *v61 = &rb_hmm_abis[RB_HMM_ABI_6_1];
	const struct rb_hmm_abi *v58 = &rb_hmm_abis[RB_HMM_ABI_5_8];

	(void)state;
	/* _IOWR('H', n, struct hmm_dmirror_cmd), 40 bytes = 0xc0284800 | n */
	assert_int_equal(rb_hmm_ioctl(v61->read), 0xc0284800);
	assert_int_equal(rb_hmm_ioctl(v61->migrate_to_dev), 0xc0284802);
	assert_int_equal(rb_hmm_ioctl(v61->migrate_to_sys), 0xc0284803);
	assert_int_equal(rb_hmm_ioctl(v61->snapshot), 0xc0284804);
	assert_int_equal(rb_hmm_ioctl(v61->release), 0xc0284807);
	/* 5.8 HMM_DMIRROR_MIGRATE 0x02 and SNAPSHOT 0x03 */
	assert_int_equal(rb_hmm_ioctl(v58->migrate_to_dev), 0xc0284802);
	assert_int_equal(rb_hmm_ioctl(v58->snapshot), 0xc0284803);
}
#else
static void test_gup_ioctl_numbers(void **state) { (void)state; skip(); }
static void test_hmm_ioctl_numbers(void **state) { (void)state; skip(); }
#endif

/* ---------------------------------------------------------------- */
/* version -> variant                                               */

static void test_kver_parse(void **state)
{
	struct rb_kver v;

	(void)state;
	assert_int_equal(rb_kver_parse("6.1.0-18-amd64", &v), 0);	/* Debian 12 */
	assert_int_equal(v.major, 6);
	assert_int_equal(v.minor, 1);
	assert_int_equal(v.patch, 0);
	assert_int_equal(rb_kver_parse("5.14.0-362.8.1.el9_3.x86_64", &v), 0);	/* RHEL 9 */
	assert_int_equal(v.minor, 14);
	assert_int_equal(rb_kver_parse("6.15.0-rc3+", &v), 0);
	assert_int_equal(v.minor, 15);
	assert_int_equal(rb_kver_parse("6.18.44-fc-v595", &v), 0);
	assert_int_equal(v.patch, 44);
	assert_int_equal(rb_kver_parse("6.2", &v), 0);
	assert_int_equal(v.patch, 0);
	assert_int_equal(rb_kver_parse("linux", &v), -EINVAL);
	assert_int_equal(rb_kver_parse("6", &v), -EINVAL);
	assert_int_equal(rb_kver_parse(NULL, &v), -EINVAL);
	assert_true(rb_kver_cmp(KV(5, 13), KV(5, 9)) > 0);	/* numeric, not lexical */
	assert_true(rb_kver_cmp(KV(6, 0), KV(5, 19)) > 0);
	assert_int_equal(rb_kver_cmp(KV(6, 1), KV(6, 1)), 0);
}

static void test_gup_version_table(void **state)
{
	static const struct { unsigned maj, min; int id; } table[] = {
		{ 5, 6, RB_GUP_ABI_BENCHMARK_5_6 },	/* PIN_* in gup_benchmark */
		{ 5, 10, RB_GUP_ABI_BENCHMARK_5_6 },
		{ 5, 11, RB_GUP_ABI_TEST_5_11 },	/* renamed to gup_test */
		{ 5, 12, RB_GUP_ABI_TEST_5_11 },
		{ 5, 13, RB_GUP_ABI_TEST_5_13 },	/* gup_flags/test_flags split */
		{ 5, 15, RB_GUP_ABI_TEST_5_13 },
		{ 6, 1, RB_GUP_ABI_TEST_5_13 },		/* the lab's default kernel */
		{ 6, 2, RB_GUP_ABI_TEST_6_2 },		/* PIN_LONGTERM_TEST_* */
		{ 6, 15, RB_GUP_ABI_TEST_6_2 },		/* FS DAX refcount rework */
		{ 6, 17, RB_GUP_ABI_TEST_6_2 },		/* pXX_devmap removal */
	};
	char why[256] = "";

	(void)state;
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		const struct rb_gup_abi *a = rb_gup_abi_for(KV(table[i].maj, table[i].min),
							    why, sizeof(why));

		assert_non_null(a);
		assert_int_equal(a->id, table[i].id);
	}
	assert_false(rb_gup_abis[RB_GUP_ABI_TEST_5_13].has_longterm_test);
	assert_true(rb_gup_abis[RB_GUP_ABI_TEST_6_2].has_longterm_test);
	assert_true(rb_gup_abis[RB_GUP_ABI_TEST_5_11].flags_write_only);
	assert_false(rb_gup_abis[RB_GUP_ABI_TEST_5_13].flags_write_only);
	assert_string_equal(rb_gup_abis[RB_GUP_ABI_BENCHMARK_5_6].path,
			    "/sys/kernel/debug/gup_benchmark");
	assert_string_equal(rb_gup_abis[RB_GUP_ABI_TEST_6_2].path, "/sys/kernel/debug/gup_test");
}

static void test_gup_refuses_pre_5_6(void **state)
{
	char why[256] = "";

	(void)state;
	/* 4.15-5.5 gup_benchmark: GUP_LONGTERM=2 GUP=3, no PIN_*: refused by name */
	assert_null(rb_gup_abi_for(KV(5, 4), why, sizeof(why)));
	assert_true(contains(why, "kernel 5.4"));
	assert_true(contains(why, "5.6"));
	assert_null(rb_gup_abi_for(KV(4, 19), why, sizeof(why)));
	assert_true(contains(why, "kernel 4.19"));
}

static void test_hmm_version_table(void **state)
{
	static const struct { unsigned maj, min; int id; } table[] = {
		{ 4, 19, RB_HMM_ABI_5_8 },	/* older than the driver: oldest numbering */
		{ 5, 8, RB_HMM_ABI_5_8 },
		{ 5, 13, RB_HMM_ABI_5_8 },
		{ 5, 14, RB_HMM_ABI_5_14 },	/* + EXCLUSIVE */
		{ 5, 19, RB_HMM_ABI_5_14 },
		{ 6, 0, RB_HMM_ABI_6_0 },	/* MIGRATE_TO_SYS inserted at 3 */
		{ 6, 1, RB_HMM_ABI_6_1 },	/* + RELEASE */
		{ 6, 12, RB_HMM_ABI_6_1 },	/* read: still 4K device pages */
		{ 6, 18, RB_HMM_ABI_6_1 },
		{ 6, 19, RB_HMM_ABI_THP },	/* + FLAGS, device THPs */
		{ 7, 2, RB_HMM_ABI_THP },	/* read */
		{ 7, 3, RB_HMM_ABI_THP },	/* read: + READ_UNLOCKED=9, counts as 7.2 */
	};
	char why[256];

	(void)state;
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		assert_int_equal(rb_hmm_abi_for(KV(table[i].maj, table[i].min), why, sizeof(why))->id,
				 table[i].id);
	/* newer than any source read: no row, and the reason names what is known */
	assert_null(rb_hmm_abi_for(KV(7, 4), why, sizeof(why)));
	assert_true(contains(why, "test_hmm"));
	assert_true(contains(why, "5.8 .. 7.3"));
	assert_true(contains(why, "7.4 is newer"));
	assert_null(rb_hmm_abi_for(KV(8, 0), why, sizeof(why)));
}

static void test_hmm_numbering(void **state)
{
	const struct rb_hmm_abi *v61 = &rb_hmm_abis[RB_HMM_ABI_6_1];
	const struct rb_hmm_abi *v60 = &rb_hmm_abis[RB_HMM_ABI_6_0];
	const struct rb_hmm_abi *v514 = &rb_hmm_abis[RB_HMM_ABI_5_14];
	const struct rb_hmm_abi *v58 = &rb_hmm_abis[RB_HMM_ABI_5_8];

	(void)state;
	/* 6.1 lib/test_hmm_uapi.h: READ=0 WRITE=1 MIGRATE_TO_DEV=2 MIGRATE_TO_SYS=3
	 * SNAPSHOT=4 EXCLUSIVE=5 CHECK_EXCLUSIVE=6 RELEASE=7 */
	assert_int_equal(v61->read, 0);
	assert_int_equal(v61->write, 1);
	assert_int_equal(v61->migrate_to_dev, 2);
	assert_int_equal(v61->migrate_to_sys, 3);
	assert_int_equal(v61->snapshot, 4);
	assert_int_equal(v61->exclusive, 5);
	assert_int_equal(v61->check_exclusive, 6);
	assert_int_equal(v61->release, 7);
	assert_true(v61->to_sys_counts_cpages);
	assert_int_equal(v61->to_sys_count, RB_HMM_COUNT_PAGES);
	assert_int_equal(v61->flags, -1);
	/* 7.2 lib/test_hmm_uapi.h: 0..7 as 6.1, + FLAGS=8; counts per entry */
	{
		const struct rb_hmm_abi *thp = &rb_hmm_abis[RB_HMM_ABI_THP];

		assert_int_equal(thp->migrate_to_sys, 3);
		assert_int_equal(thp->release, 7);
		assert_int_equal(thp->flags, 8);
		assert_int_equal(thp->to_sys_count, RB_HMM_COUNT_ENTRIES);
		assert_int_equal(thp->faultback, RB_HMM_COUNT_ENTRIES);
		assert_int_equal(rb_hmm_ioctl(thp->flags), 0xc0284808);
	}
	/* 6.0: the same minus RELEASE */
	assert_int_equal(v60->migrate_to_sys, 3);
	assert_int_equal(v60->snapshot, 4);
	assert_int_equal(v60->release, -1);
	/* 5.14: MIGRATE=2 (to device only), SNAPSHOT=3, EXCLUSIVE=4, CHECK=5 */
	assert_int_equal(v514->migrate_to_dev, 2);
	assert_int_equal(v514->migrate_to_sys, -1);
	assert_int_equal(v514->snapshot, 3);
	assert_int_equal(v514->exclusive, 4);
	assert_int_equal(v514->check_exclusive, 5);
	/* 5.8: READ WRITE MIGRATE SNAPSHOT only */
	assert_int_equal(v58->snapshot, 3);
	assert_int_equal(v58->exclusive, -1);
	assert_int_equal(v58->migrate_to_sys, -1);
}

static void test_hmm_nr3_probe(void **state)
{
	(void)state;
	/* SNAPSHOT (pre-6.0) writes PROT_WRITE for a written anon page */
	assert_int_equal(rb_hmm_nr3_verdict(0, 0xa5, RB_HMM_PROT_WRITE, 1), RB_HMM_NR3_SNAPSHOT);
	/* MIGRATE_TO_SYS on a system page: ptr untouched, nothing migrated */
	assert_int_equal(rb_hmm_nr3_verdict(0, 0xa5, 0xa5, 0), RB_HMM_NR3_MIGRATE_TO_SYS);
	assert_int_equal(rb_hmm_nr3_verdict(-1, 0xa5, 0xa5, 0), RB_HMM_NR3_UNKNOWN);
	assert_int_equal(rb_hmm_nr3_verdict(0, 0xa5, 0xa5, 1), RB_HMM_NR3_UNKNOWN);

	/* behaviour overrides the version where they disagree (backports) */
	assert_int_equal(rb_hmm_abi_resolve(KV(5, 14), RB_HMM_NR3_MIGRATE_TO_SYS, false)->id,
			 RB_HMM_ABI_6_0);
	assert_int_equal(rb_hmm_abi_resolve(KV(6, 1), RB_HMM_NR3_SNAPSHOT, false)->id,
			 RB_HMM_ABI_5_14);
	assert_int_equal(rb_hmm_abi_resolve(KV(5, 10), RB_HMM_NR3_SNAPSHOT, false)->id,
			 RB_HMM_ABI_5_8);
	assert_int_equal(rb_hmm_abi_resolve(KV(6, 1), RB_HMM_NR3_MIGRATE_TO_SYS, false)->id,
			 RB_HMM_ABI_6_1);
	assert_int_equal(rb_hmm_abi_resolve(KV(6, 0), RB_HMM_NR3_UNKNOWN, false)->id,
			 RB_HMM_ABI_6_0);
	/* FLAGS tells the THP driver from 6.1's, either way round */
	assert_int_equal(rb_hmm_abi_resolve(KV(7, 2), RB_HMM_NR3_MIGRATE_TO_SYS, true)->id,
			 RB_HMM_ABI_THP);
	assert_int_equal(rb_hmm_abi_resolve(KV(7, 2), RB_HMM_NR3_MIGRATE_TO_SYS, false)->id,
			 RB_HMM_ABI_6_1);
	assert_int_equal(rb_hmm_abi_resolve(KV(6, 15), RB_HMM_NR3_MIGRATE_TO_SYS, true)->id,
			 RB_HMM_ABI_THP);
	assert_int_equal(rb_hmm_abi_resolve(KV(6, 12), RB_HMM_NR3_MIGRATE_TO_SYS, false)->id,
			 RB_HMM_ABI_6_1);
}

/* ---------------------------------------------------------------- */
/* marshalling                                                      */

static uint32_t u32_at(const unsigned char *b, size_t off)
{
	uint32_t v;

	memcpy(&v, b + off, sizeof(v));
	return v;
}

static uint64_t u64_at(const unsigned char *b, size_t off)
{
	uint64_t v;

	memcpy(&v, b + off, sizeof(v));
	return v;
}

static void test_gup_encode_decode(void **state)
{
	struct rb_gup_args in = { .addr = 0x7f0000200000, .size = 64 << 20,
				  .nr_pages_per_call = 512, .gup_flags = RB_FOLL_WRITE };

	(void)state;
	for (int i = 0; i < RB_GUP_ABI__COUNT; i++) {
		const struct rb_gup_abi *abi = &rb_gup_abis[i];
		unsigned char buf[RB_GUP_ARGS_MAX];
		struct rb_gup_args out;
		uint64_t shrunk = 12 * 4096;

		memset(buf, 0xee, sizeof(buf));
		rb_gup_encode(abi, &in, buf);
		assert_int_equal(u64_at(buf, 0), 0);		/* outputs start at zero */
		assert_int_equal(u64_at(buf, 16), in.addr);
		assert_int_equal(u64_at(buf, 24), in.size);
		assert_int_equal(u32_at(buf, 32), 512);
		assert_int_equal(u32_at(buf, 36), RB_FOLL_WRITE);	/* flags / gup_flags */
		for (size_t off = 40; off < abi->struct_size; off++)
			assert_int_equal(buf[off], 0);	/* test_flags, which_pages, expansion */

		/* what the kernel writes back: deltas and a shrunk size */
		memcpy(buf + 0, &(uint64_t){ 1234 }, 8);
		memcpy(buf + 8, &(uint64_t){ 567 }, 8);
		memcpy(buf + 24, &shrunk, 8);
		rb_gup_decode(abi, buf, &out);
		assert_int_equal(out.get_delta_usec, 1234);
		assert_int_equal(out.put_delta_usec, 567);
		assert_int_equal(out.size, shrunk);
		assert_int_equal(out.addr, in.addr);
		assert_int_equal(out.nr_pages_per_call, 512);
		assert_int_equal(out.gup_flags, RB_FOLL_WRITE);
	}
}

static void test_gup_flags_and_cmds(void **state)
{
	(void)state;
	for (int i = 0; i < RB_GUP_ABI__COUNT; i++) {
		/* FOLL_WRITE is 0x01 in include/linux/mm.h and the 6.2+ mm_types.h enum */
		assert_int_equal(rb_gup_flags(&rb_gup_abis[i], true), 0x01);
		assert_int_equal(rb_gup_flags(&rb_gup_abis[i], false), 0);
	}
	assert_int_equal(rb_gup_cmd_parse("gup"), RB_GUP_CMD_GUP_FAST);
	assert_int_equal(rb_gup_cmd_parse("pin"), RB_GUP_CMD_PIN_FAST);
	assert_int_equal(rb_gup_cmd_parse("pin-longterm"), RB_GUP_CMD_PIN_LONGTERM);
	assert_int_equal(rb_gup_cmd_parse("pin_fast"), -1);
	assert_int_equal(rb_gup_cmd_parse(NULL), -1);
	assert_string_equal(rb_gup_cmd_name(RB_GUP_CMD_PIN_LONGTERM), "pin-longterm");
}

/* ---------------------------------------------------------------- */
/* gup-fast decisions                                               */

static void test_gup_truncation(void **state)
{
	char why[256];

	(void)state;
	assert_false(rb_gup_truncation(64 << 20, 64 << 20, 4096, why, sizeof(why)));
	assert_string_equal(why, "");
	/* the kernel stopped after 100 pages of 16384 */
	assert_true(rb_gup_truncation(64 << 20, 100 * 4096, 4096, why, sizeof(why)));
	assert_true(contains(why, "after 100 of 16384 pages"));
	assert_true(contains(why, "shrank size from 67108864 to 409600"));
	/* pin-longterm on fsdax: nothing at all */
	assert_true(rb_gup_truncation(2 << 20, 0, 4096, why, sizeof(why)));
	assert_true(contains(why, "after 0 of 512 pages"));
	/* a size that grows is no truncation but still wrong */
	assert_true(rb_gup_truncation(4096, 8192, 4096, why, sizeof(why)));
	assert_true(contains(why, "larger"));
}

static void test_gup_plan_calls(void **state)
{
	(void)state;
	assert_int_equal(rb_gup_plan_calls(0, 0, 0, 1000, 10000), 1);	/* nothing seen yet */
	/* one call: get 400 us, put 200 us; want >= 1000 us + 25%: put decides */
	assert_int_equal(rb_gup_plan_calls(400, 200, 1, 1000, 10000), 10);
	assert_true(7 * 200 >= 1000);
	/* already long enough: one call per sample */
	assert_int_equal(rb_gup_plan_calls(5000, 3000, 1, 1000, 10000), 1);
	/* averages over several calibration calls: 30 calls gave 90 us of put */
	assert_int_equal(rb_gup_plan_calls(300, 90, 30, 1000, 10000), 667);
	/* below the µs tick: grow tenfold and measure again */
	assert_int_equal(rb_gup_plan_calls(0, 0, 3, 1000, 10000), 30);
	assert_int_equal(rb_gup_plan_calls(3, 0, 10, 1000, 10000), 100);
	/* clamped */
	assert_int_equal(rb_gup_plan_calls(1, 1, 1, 1000, 500), 500);
	assert_int_equal(rb_gup_plan_calls(0, 0, 5000, 1000, 10000), 10000);
	assert_int_equal(rb_gup_plan_calls(1, 1, 1, 1000, 0), 1);
}

static void test_gup_timing_math(void **state)
{
	(void)state;
	/* < 1 µs lost per call to truncation */
	assert_float_equal(rb_gup_tick_error_pct(10, 1000), 1.0, 1e-9);
	assert_float_equal(rb_gup_tick_error_pct(1, 2000), 0.05, 1e-9);
	assert_float_equal(rb_gup_tick_error_pct(3, 0), 100.0, 1e-9);
	/* 1000 µs over 2 calls x 16384 pages = 30.52 ns/page */
	assert_float_equal(rb_gup_ns_per_page(1000, 2, 16384), 1e6 / 32768.0, 1e-9);
	assert_float_equal(rb_gup_ns_per_page(1000, 0, 16384), 0.0, 1e-12);
	assert_float_equal(rb_gup_ns_per_page(1000, 1, 0), 0.0, 1e-12);
}

static void test_gup_absent_reason(void **state)
{
	char buf[512];
	struct rb_gup_absence a = { .debugfs_mounted = -1, .config_gup_test = -1 };

	(void)state;
	/* nothing known: the combined message, with the fix for debugfs */
	rb_gup_absent_reason(&a, buf, sizeof(buf));
	assert_string_equal(buf, "no /sys/kernel/debug/gup_test: CONFIG_GUP_TEST is off or "
			    "debugfs is not mounted (mount -t debugfs none /sys/kernel/debug)");
	/* debugfs missing, config fine */
	a = (struct rb_gup_absence){ .debugfs_mounted = 0, .config_gup_test = 1,
				     .config_source = "/proc/config.gz" };
	rb_gup_absent_reason(&a, buf, sizeof(buf));
	assert_true(contains(buf, "debugfs is not mounted (mount -t debugfs"));
	assert_true(contains(buf, "CONFIG_GUP_TEST=y per /proc/config.gz"));
	/* config off, debugfs mounted */
	a = (struct rb_gup_absence){ .debugfs_mounted = 1, .config_gup_test = 0,
				     .config_source = "/boot/config-6.1.0-18-amd64" };
	rb_gup_absent_reason(&a, buf, sizeof(buf));
	assert_true(contains(buf, "CONFIG_GUP_TEST is not set (/boot/config-6.1.0-18-amd64)"));
	assert_false(contains(buf, "mount -t"));
	/* both */
	a.debugfs_mounted = 0;
	rb_gup_absent_reason(&a, buf, sizeof(buf));
	assert_true(contains(buf, "CONFIG_GUP_TEST is not set"));
	assert_true(contains(buf, "mount -t debugfs none /sys/kernel/debug"));
	/* both present, file absent: point at restrictions */
	a = (struct rb_gup_absence){ .debugfs_mounted = 1, .config_gup_test = 1 };
	rb_gup_absent_reason(&a, buf, sizeof(buf));
	assert_true(contains(buf, "lockdown"));
}

/* ---------------------------------------------------------------- */
/* kernel config                                                    */

static void test_kconfig_lookup(void **state)
{
	static const char text[] =
		"#\n# Automatically generated file; DO NOT EDIT.\n#\n"
		"CONFIG_GUP_TEST_EXTRA=y\n"
		"CONFIG_GUP_TEST=y\n"
		"# CONFIG_TEST_HMM is not set\n"
		"CONFIG_DEVICE_PRIVATE=y\n"
		"CONFIG_FS_DAX=m\n"
		"CONFIG_HANDWRITTEN=n\n"
		"CONFIG_LOG_BUF_SHIFT=17";	/* last line without a newline */
	char val[16];

	(void)state;
	assert_int_equal(rb_kconfig_lookup(text, "GUP_TEST", val, sizeof(val)), 1);
	assert_string_equal(val, "y");
	assert_int_equal(rb_kconfig_lookup(text, "CONFIG_FS_DAX", val, sizeof(val)), 1);
	assert_string_equal(val, "m");
	assert_int_equal(rb_kconfig_lookup(text, "TEST_HMM", val, sizeof(val)), 0);
	assert_int_equal(rb_kconfig_lookup(text, "HANDWRITTEN", val, sizeof(val)), 0);
	assert_int_equal(rb_kconfig_lookup(text, "GUP", val, sizeof(val)), 0);	/* no prefix match */
	assert_int_equal(rb_kconfig_lookup(text, "NOT_THERE", val, sizeof(val)), 0);
	assert_string_equal(val, "");
	assert_int_equal(rb_kconfig_lookup(text, "LOG_BUF_SHIFT", val, sizeof(val)), 1);
	assert_string_equal(val, "17");
}

static void test_kconfig_running_kernel(void **state)
{
	char val[16];
	const char *src = NULL;
	int r;

	(void)state;
	/* whatever this machine says, the answer is well formed */
	r = rb_kconfig("DEBUG_FS", val, sizeof(val), &src);
	assert_true(r >= -1 && r <= 1);
	if (r >= 0)
		assert_non_null(src);
}

/* ---------------------------------------------------------------- */
/* hmm-migrate decisions                                            */

static void test_hmm_counts(void **state)
{
	const enum rb_hmm_count P = RB_HMM_COUNT_PAGES, E = RB_HMM_COUNT_ENTRIES;
	char why[256];

	(void)state;
	/* 32 MiB of 4K: one per page, whatever the driver */
	assert_int_equal(rb_hmm_count_explain(P, false, 8192, 8192, 512, "faults", why, sizeof(why)), 0);
	assert_int_equal(rb_hmm_count_explain(E, true, 8192, 8192, 512, "faults", why, sizeof(why)), 0);
	assert_true(contains(why, "faults 8192 for 8192 pages: one per 4K page"));
	/* 7.2's test_hmm, 8 MiB of THPs: MIGRATE_TO_SYS counts 4 (the lab's
	 * "4 of 2048 pages"), one per device THP */
	assert_int_equal(rb_hmm_count_explain(E, true, 2048, 4, 512, "cpages", why, sizeof(why)), 4);
	assert_true(contains(why, "4 device THPs (counted once each) and 0 4K pages"));
	/* the driver fell back to 4K device pages for one of them: 3 + 512 */
	assert_int_equal(rb_hmm_count_explain(E, true, 2048, 515, 512, "faults", why, sizeof(why)), 3);
	assert_true(contains(why, "3 device THPs (counted once each) and 512 4K pages"));
	/* a 6.1 driver counts per page: 4 is 2044 pages short */
	assert_int_equal(rb_hmm_count_explain(P, true, 2048, 4, 512, "cpages", why, sizeof(why)), -1);
	assert_true(contains(why, "expected one per 4K page; some pages were not moved"));
	/* never THPs for a 4K source */
	assert_int_equal(rb_hmm_count_explain(E, false, 2048, 4, 512, "faults", why, sizeof(why)), -1);
	/* no mix explains 5 (5 = base + thps, base + 512 thps = 2048: no) */
	assert_int_equal(rb_hmm_count_explain(E, true, 2048, 5, 512, "faults", why, sizeof(why)), -1);
	assert_true(contains(why, "expected 4 to 2048"));
	assert_int_equal(rb_hmm_count_explain(P, false, 8192, 8193, 512, "faults", why, sizeof(why)), -1);
	assert_true(contains(why, "counted twice"));
	assert_int_equal(rb_hmm_count_explain(P, false, 0, 0, 512, "faults", why, sizeof(why)), -1);
}

static void test_hmm_bandwidth(void **state)
{
	(void)state;
	/* 32 MiB in 10 ms = 3.355 GB/s (decimal) */
	assert_float_equal(rb_hmm_gbps(32u << 20, 10000000), 3.3554432, 1e-9);
	assert_float_equal(rb_hmm_gbps(4096, 0), 0.0, 1e-12);
}

static void test_hmm_absence(void **state)
{
	static const char devices[] =
		"Character devices:\n  1 mem\n  4 /dev/vc/0\n236 HMM_DMIRROR\n254 gpiochip\n\n"
		"Block devices:\n  7 loop\n";
	static const char block_only[] =
		"Character devices:\n  1 mem\n\nBlock devices:\n240 HMM_DMIRROR\n";
	struct rb_hmm_absence a = { .chrdev_major = -1, .config_test_hmm = -1,
				    .config_device_private = -1 };
	char buf[512];

	(void)state;
	assert_int_equal(rb_hmm_chrdev_major(devices), 236);
	assert_int_equal(rb_hmm_chrdev_major(block_only), -1);
	assert_int_equal(rb_hmm_chrdev_major(""), -1);

	rb_hmm_absent_reason(&a, buf, sizeof(buf));
	assert_true(contains(buf, "no /dev/hmm_dmirror0"));
	assert_true(contains(buf, "modprobe test_hmm"));
	a.chrdev_major = 236;	/* loaded, node missing (5.x created none) */
	rb_hmm_absent_reason(&a, buf, sizeof(buf));
	assert_true(contains(buf, "mknod /dev/hmm_dmirror0 c 236 0"));
	a = (struct rb_hmm_absence){ .chrdev_major = -1, .config_test_hmm = 0,
				     .config_device_private = 0, .config_source = "/proc/config.gz" };
	rb_hmm_absent_reason(&a, buf, sizeof(buf));
	assert_true(contains(buf, "CONFIG_TEST_HMM is not set (/proc/config.gz)"));
	assert_true(contains(buf, "CONFIG_DEVICE_PRIVATE, which is off too"));
	a.config_test_hmm = 2;
	rb_hmm_absent_reason(&a, buf, sizeof(buf));
	assert_true(contains(buf, "CONFIG_TEST_HMM=m but test_hmm is not loaded"));
}

/* ---------------------------------------------------------------- */
/* probes, where this host allows                                   */

static void test_probes_fail_cleanly(void **state)
{
	const struct rb_gup_abi *gabi = NULL;
	const struct rb_hmm_abi *habi = NULL;
	char detail[256] = "", rel[128];
	int fd;

	(void)state;
	fd = rb_hmm_open_detect("/nonexistent/hmm_dmirror0", "6.1.0", &habi, detail,
				sizeof(detail));
	assert_int_equal(fd, -ENOENT);
	assert_null(habi);
	assert_true(contains(detail, "/nonexistent/hmm_dmirror0"));

	/* pre-5.6 is refused before any file is touched */
	fd = rb_gup_open_detect("5.4.0-150-generic", &gabi, detail, sizeof(detail));
	assert_int_equal(fd, -EOPNOTSUPP);
	assert_true(contains(detail, "kernel 5.4"));

	/* the running kernel: a usable fd and a variant, or an error with a reason */
	fd = rb_gup_open_detect(rb_kernel_release(rel, sizeof(rel)), &gabi, detail,
				sizeof(detail));
	if (fd >= 0) {
		assert_non_null(gabi);
		close(fd);
	} else {
		assert_null(gabi);
		assert_true(strlen(detail) > 0);
	}
}

/* ---------------------------------------------------------------- */
/* the booted kernel's model                                        */

static void test_kmodel_pgtable_levels(void **state)
{
	const char *c5 = "CONFIG_X86_64=y\nCONFIG_PGTABLE_LEVELS=5\n";
	const char *c4 = "CONFIG_PGTABLE_LEVELS=4\n# CONFIG_X86_5LEVEL is not set\n";
	char why[160];

	(void)state;
	/* 5-level compiled in: la57 in the flags only when the boot used it */
	assert_int_equal(rb_kmodel_pgtable_levels(c5, true, why, sizeof(why)), 5);
	assert_int_equal(rb_kmodel_pgtable_levels(c5, false, why, sizeof(why)), 4);
	assert_true(contains(why, "no5lvl"));
	/* 4 compiled: 4, whatever the CPU offers */
	assert_int_equal(rb_kmodel_pgtable_levels(c4, true, why, sizeof(why)), 4);
	assert_true(contains(why, "CONFIG_PGTABLE_LEVELS=4"));
	/* no config: the flag alone (x86-64 clears la57 unless it runs 5 levels) */
	assert_int_equal(rb_kmodel_pgtable_levels(NULL, false, why, sizeof(why)), 4);
	assert_int_equal(rb_kmodel_pgtable_levels(NULL, true, why, sizeof(why)), 5);
}

static void test_kmodel_preempt(void **state)
{
	/* Debian 6.1/6.12: dynamic, voluntary by default */
	const char *deb61 = "CONFIG_PREEMPT_BUILD=y\nCONFIG_PREEMPT_VOLUNTARY=y\n"
			    "# CONFIG_PREEMPT is not set\nCONFIG_PREEMPT_DYNAMIC=y\n";
	/* Debian 7.2 (x86 has lazy, no voluntary) */
	const char *deb72 = "# CONFIG_PREEMPT is not set\nCONFIG_PREEMPT_LAZY=y\n"
			    "CONFIG_PREEMPT_DYNAMIC=y\n";
	const char *none = "CONFIG_PREEMPT_NONE_BUILD=y\nCONFIG_PREEMPT_NONE=y\n"
			   "# CONFIG_PREEMPT_DYNAMIC is not set\n";
	const char *full = "CONFIG_PREEMPT=y\nCONFIG_PREEMPTION=y\n";
	const char *rt = "CONFIG_PREEMPT_RT=y\nCONFIG_PREEMPT_DYNAMIC=y\nCONFIG_PREEMPT_LAZY=y\n";
	const char *src;
	char b[48];

	(void)state;
	/* debugfs sched/preempt names the mode in use in parentheses */
	assert_string_equal(rb_kmodel_preempt(deb61, "", "none (voluntary) full\n", b, sizeof(b),
					      &src), "dynamic(voluntary)");
	assert_true(contains(src, "sched/preempt"));
	assert_string_equal(rb_kmodel_preempt(deb72, "", "none voluntary full (lazy)\n", b,
					      sizeof(b), &src), "dynamic(lazy)");
	/* without debugfs: preempt= on the command line, else the config default */
	assert_string_equal(rb_kmodel_preempt(deb61, "ro preempt=full quiet", NULL, b, sizeof(b),
					      &src), "dynamic(full)");
	assert_string_equal(rb_kmodel_preempt(deb61, "ro nopreempt=x", NULL, b, sizeof(b), &src),
			    "dynamic(voluntary)");
	assert_string_equal(rb_kmodel_preempt(deb72, NULL, NULL, b, sizeof(b), &src),
			    "dynamic(lazy)");
	/* static models */
	assert_string_equal(rb_kmodel_preempt(none, "", NULL, b, sizeof(b), &src), "none");
	assert_string_equal(rb_kmodel_preempt(full, "", NULL, b, sizeof(b), &src), "full");
	assert_string_equal(rb_kmodel_preempt(rt, "preempt=none", NULL, b, sizeof(b), &src), "rt");
	assert_string_equal(rb_kmodel_preempt(NULL, "", NULL, b, sizeof(b), &src), "unknown");
}

static void test_kmodel_nr_cpus(void **state)
{
	(void)state;
	assert_int_equal(rb_kmodel_nr_cpus("CONFIG_NR_CPUS_DEFAULT=64\nCONFIG_NR_CPUS=8192\n"), 8192);
	assert_int_equal(rb_kmodel_nr_cpus("CONFIG_NR_CPUS=2\n"), 2);
	assert_int_equal(rb_kmodel_nr_cpus("CONFIG_SMP=y\n"), -1);
	assert_int_equal(rb_kmodel_nr_cpus(NULL), -1);
}

/* ---------------------------------------------------------------- */
/* per-version kernel paths                                         */

static size_t names_of(const char *c, const char *metric, struct rb_kver v,
		       const struct rb_ksyms *s, const char **out)
{
	const struct rb_kpaths_case *kc = rb_kpaths_case(c);
	const struct rb_kpath *pr[64], *ab[64];
	size_t np = 0, na;

	assert_non_null(kc);
	for (const struct rb_kpaths_metric *m = kc->metrics; m->metric; m++)
		if (!strcmp(m->metric, metric))
			np = rb_kpaths_select(m->path, v, s, pr, ab, 64, &na);
	for (size_t i = 0; i < np; i++)
		out[i] = pr[i]->fn;
	return np;
}

static bool has_name(const char **l, size_t n, const char *fn)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(l[i], fn))
			return true;
	return false;
}

static void test_kpaths_versions(void **state)
{
	/* kallsyms lines as 6.1 and 7.2 lab kernels list them (one of each
	 * kind of line: text, a GCC clone, a module symbol) */
	const char *k61 = "ffffffff81234560 T get_user_pages_fast\n"
			  "ffffffff81234600 T internal_get_user_pages_fast\n"
			  "ffffffff81234700 t try_grab_folio\n"
			  "ffffffff81234800 T __put_devmap_managed_page_refs\n"
			  "ffffffff81234900 t gup_put_folio.isra.0\n";
	const char *k72 = "0000000000000000 T get_user_pages_fast\n"
			  "0000000000000000 t gup_fast_fallback\n"
			  "0000000000000000 t try_grab_folio\n"
			  "0000000000000000 t try_grab_folio_fast\n"
			  "0000000000000000 T free_zone_device_folio\n"
			  "0000000000000000 t dmirror_devmem_fault\t[test_hmm]\n";
	struct rb_ksyms s61, s72;
	const char *l[64];
	size_t n;
	char why[256];

	(void)state;
	assert_int_equal(rb_ksyms_parse(&s61, k61), 0);
	assert_int_equal(s61.symbols, 5);
	assert_true(rb_ksyms_has(&s61, "gup_put_folio"));	/* the .isra.0 clone */
	assert_false(rb_ksyms_has(&s61, "gup_fast_fallback"));
	assert_int_equal(rb_ksyms_parse(&s72, k72), 0);
	assert_true(rb_ksyms_has(&s72, "dmirror_devmem_fault"));

	/* 6.1: try_grab_folio is GUP-fast's grab */
	n = names_of("gup-fast", "get", KV(6, 1), &s61, l);
	assert_true(has_name(l, n, "internal_get_user_pages_fast"));
	assert_true(has_name(l, n, "try_grab_folio"));
	assert_false(has_name(l, n, "gup_fast_fallback"));	/* not in 6.1 */
	n = names_of("gup-fast", "put", KV(6, 1), &s61, l);
	assert_true(has_name(l, n, "__put_devmap_managed_page_refs"));
	assert_true(has_name(l, n, "gup_put_folio"));
	/* 7.2: the grab is try_grab_folio_fast; the devmap branch is gone */
	n = names_of("gup-fast", "get", KV(7, 2), &s72, l);
	assert_true(has_name(l, n, "gup_fast_fallback"));
	assert_true(has_name(l, n, "try_grab_folio_fast"));
	n = names_of("gup-fast", "put", KV(7, 2), &s72, l);
	assert_true(has_name(l, n, "free_zone_device_folio"));
	assert_false(has_name(l, n, "__put_devmap_managed_page_refs"));
	/* a name not in the kernel is never listed, whatever the table says */
	n = names_of("hmm-migrate", "fault-back", KV(6, 1), &s61, l);
	assert_int_equal(n, 0);
	n = names_of("hmm-migrate", "fault-back", KV(7, 2), &s72, l);
	assert_true(has_name(l, n, "dmirror_devmem_fault"));

	/* the table's range */
	assert_null(rb_kpaths_unknown(KV(6, 1), why, sizeof(why)));
	assert_null(rb_kpaths_unknown(KV(7, 2), why, sizeof(why)));
	assert_non_null(rb_kpaths_unknown(KV(7, 3), why, sizeof(why)));
	assert_true(contains(why, "6.1 .. 7.2"));
	assert_non_null(rb_kpaths_unknown(KV(5, 15), why, sizeof(why)));
	/* no symbols at all (CONFIG_KALLSYMS off) */
	rb_ksyms_free(&s61);
	assert_int_equal(rb_ksyms_parse(&s61, ""), -ENODATA);
	rb_ksyms_free(&s61);
	rb_ksyms_free(&s72);
}

static void test_kpaths_table_is_sane(void **state)
{
	(void)state;
	/* every case with a table exists by that name, every entry has a name,
	 * and bounds are ordered */
	for (const struct rb_kpaths_case *c = rb_kpaths_cases; c->name; c++)
		for (const struct rb_kpaths_metric *m = c->metrics; m->metric; m++)
			for (const struct rb_kpath *p = m->path; p->fn; p++) {
				assert_true(strlen(p->fn) > 2);
				if (p->since.major && p->until.major)
					assert_true(rb_kver_cmp(p->since, p->until) <= 0);
			}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gup_test_5_13_layout),
		cmocka_unit_test(test_gup_test_5_11_layout),
		cmocka_unit_test(test_gup_benchmark_layout),
		cmocka_unit_test(test_pin_longterm_and_hmm_layout),
		cmocka_unit_test(test_gup_ioctl_numbers),
		cmocka_unit_test(test_hmm_ioctl_numbers),
		cmocka_unit_test(test_kver_parse),
		cmocka_unit_test(test_gup_version_table),
		cmocka_unit_test(test_gup_refuses_pre_5_6),
		cmocka_unit_test(test_hmm_version_table),
		cmocka_unit_test(test_hmm_numbering),
		cmocka_unit_test(test_hmm_nr3_probe),
		cmocka_unit_test(test_gup_encode_decode),
		cmocka_unit_test(test_gup_flags_and_cmds),
		cmocka_unit_test(test_gup_truncation),
		cmocka_unit_test(test_gup_plan_calls),
		cmocka_unit_test(test_gup_timing_math),
		cmocka_unit_test(test_gup_absent_reason),
		cmocka_unit_test(test_kconfig_lookup),
		cmocka_unit_test(test_kconfig_running_kernel),
		cmocka_unit_test(test_hmm_counts),
		cmocka_unit_test(test_hmm_bandwidth),
		cmocka_unit_test(test_hmm_absence),
		cmocka_unit_test(test_probes_fail_cleanly),
		cmocka_unit_test(test_kmodel_pgtable_levels),
		cmocka_unit_test(test_kmodel_preempt),
		cmocka_unit_test(test_kmodel_nr_cpus),
		cmocka_unit_test(test_kpaths_versions),
		cmocka_unit_test(test_kpaths_table_is_sane),
	};

	return cmocka_run_group_tests_name("kabi", tests, NULL, NULL);
}
