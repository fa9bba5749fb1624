// SPDX-License-Identifier: GPL-2.0
/* Unit tests of the core: parameters, suites, plans, counters (with a fake
 * PMU), verification logic and results. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>
#include <cmocka.h>

#include "app/run/runner.h"
#include "app/run/suite.h"
#include "app/rundir/read.h"
#include "app/rundir/rundir.h"
#include "lib/icount.h"
#include "mem/kind.h"
#include "mem/mem.h"

static void test_sizes(void **st)
{
	uint64_t v;

	(void)st;
	assert_int_equal(rb_parse_size("64M", &v), 0); assert_int_equal(v, 64ull << 20);
	assert_int_equal(rb_parse_size("2MiB", &v), 0); assert_int_equal(v, 2ull << 20);
	assert_int_equal(rb_parse_size("1G", &v), 0); assert_int_equal(v, 1ull << 30);
	assert_int_equal(rb_parse_size("4096", &v), 0); assert_int_equal(v, 4096);
	/* sizes are decimal with a unit: hex and a leading zero (octal in C)
	 * are refused, never read as something else (was: 0x10 read as 16) */
	assert_int_equal(rb_parse_size("0x10", &v), -EINVAL);
	assert_int_equal(rb_parse_size("0x800000", &v), -EINVAL);
	assert_int_equal(rb_parse_size("010M", &v), -EINVAL);
	assert_int_equal(rb_parse_size("00", &v), -EINVAL);
	assert_int_equal(rb_parse_size(" 1", &v), -EINVAL);
	assert_int_equal(rb_parse_size("+1", &v), -EINVAL);
	assert_int_equal(rb_parse_size("0", &v), 0); assert_int_equal(v, 0);
	assert_int_equal(rb_parse_size("10M", &v), 0); assert_int_equal(v, 10ull << 20);
	assert_int_not_equal(rb_parse_size("12X", &v), 0);
	assert_int_not_equal(rb_parse_size("", &v), 0);
	assert_int_not_equal(rb_parse_size("-1", &v), 0);
	assert_int_not_equal(rb_parse_size("99999999999999999999G", &v), 0);
	/* durations: seconds bare or with s, milliseconds with ms */
	assert_int_equal(rb_parse_ms("1", &v), 0); assert_int_equal(v, 1000);
	assert_int_equal(rb_parse_ms("2s", &v), 0); assert_int_equal(v, 2000);
	assert_int_equal(rb_parse_ms("250ms", &v), 0); assert_int_equal(v, 250);
	assert_int_equal(rb_parse_ms("0", &v), 0); assert_int_equal(v, 0);
	assert_int_equal(rb_parse_ms("250us", &v), -EINVAL);
	assert_int_equal(rb_parse_ms("1.5", &v), -EINVAL);
	assert_int_equal(rb_parse_ms("1M", &v), -EINVAL);
	assert_int_equal(rb_parse_ms("ms", &v), -EINVAL);
	assert_int_equal(rb_parse_ms("", &v), -EINVAL);
	assert_int_equal(rb_parse_ms("010", &v), -EINVAL);
	assert_int_not_equal(rb_parse_ms("99999999999999999999", &v), 0);
}

/* a value a sample cannot hold: negative, or zero where the unit is a time */
static void test_value_possible(void **st)
{
	char why[160];

	(void)st;
	assert_true(rb_value_possible("ns/page", 12.5, why, sizeof(why)));
	assert_true(rb_value_possible("insn/window", 84, why, sizeof(why)));
	assert_true(rb_value_possible("GB/s", 0, why, sizeof(why)));	/* a rate may be 0 */
	assert_false(rb_value_possible("ns/page", -1, why, sizeof(why)));
	assert_non_null(strstr(why, "negative"));
	assert_false(rb_value_possible("GB/s", -0.5, why, sizeof(why)));
	assert_false(rb_value_possible("ns/page", 0, why, sizeof(why)));
	assert_non_null(strstr(why, "a time cannot be zero"));
	assert_false(rb_value_possible("insn/io", 0, why, sizeof(why)));
	assert_true(rb_value_possible("nsx/page", 0, why, sizeof(why)));	/* not a time unit */
}

/* The icount verdict on measured deltas: what a TCG -icount guest gives
 * passes (exact repeats, the TSC-to-ns rounding of 1 ns, a timer tick in
 * one window), what a host gives does not. */
static void test_icount_judge(void **st)
{
	struct rb_icount_proof p = { .insns = { 40000, 80000 } };
	/* as measured in a Debian 6.1 guest under qemu -icount shift=0,sleep=off,
	 * with a timer tick put into one window of each loop */
	static const uint64_t guest[2][RB_ICOUNT_SAMPLES] = {
		{ 40079, 40080, 40079, 40079, 40079, 52190, 40079, 40079, 40080 },
		{ 80079, 80079, 80080, 80079, 80079, 80079, 80080, 80079, 93311 },
	};
	static const uint64_t host[2][RB_ICOUNT_SAMPLES] = {
		{ 6181, 6190, 6181, 6202, 6181, 6185, 6181, 6181, 6240 },
		{ 12353, 12353, 12353, 12353, 12353, 12360, 12353, 12400, 12353 },
	};
	static const uint64_t jitter[2][RB_ICOUNT_SAMPLES] = {
		{ 40072, 40300, 40110, 40095, 40500, 40190, 40180, 40077, 40140 },
		{ 80072, 80150, 80300, 80101, 80099, 80230, 80080, 80290, 80111 },
	};

	(void)st;
	memcpy(p.delta, guest, sizeof(guest));
	assert_true(rb_icount_judge(&p));
	assert_int_equal(p.repeats[0], 8);
	memcpy(p.delta, host, sizeof(host));	/* steady, but 0.15 ns an instruction */
	assert_false(rb_icount_judge(&p));
	assert_non_null(strstr(p.why, "not 1 ns"));
	memcpy(p.delta, jitter, sizeof(jitter));	/* 1 ns each, but no repeats */
	assert_false(rb_icount_judge(&p));
	assert_non_null(strstr(p.why, "where icount repeats them"));
}

/* The harness out of descriptors is an error of the harness: the smaps
 * check then says so, and the iteration is not a rejection. */
static void test_harness_error(void **st)
{
	struct rb_iter it = { .status = RB_OK };
	struct rb_mem m = { .size = 4096, .fd = -1 };
	struct rb_smaps_vma v;
	struct rlimit old, lim;
	int fds[64], nfd = 0;

	(void)st;
	m.addr = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(m.addr != MAP_FAILED);
	assert_true(rb_smaps_of(&it, &m, &v));		/* found, with descriptors to spare */
	assert_int_equal(it.status, RB_OK);
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &old), 0);
	lim = old;
	lim.rlim_cur = 48;
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &lim), 0);
	while (nfd < 64 && (fds[nfd] = open("/dev/null", O_RDONLY | O_CLOEXEC)) >= 0)
		nfd++;
	assert_false(rb_smaps_of(&it, &m, &v));
	while (nfd)
		close(fds[--nfd]);
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &old), 0);
	assert_int_equal(it.status, RB_ERR);
	assert_non_null(strstr(it.reason, "Too many open files"));
	rb_reject(&it, "a later reject");		/* does not hide the error */
	assert_int_equal(it.status, RB_ERR);
	assert_non_null(strstr(it.reason, "smaps"));
	munmap(m.addr, 4096);
}

static void test_kinds(void **st)
{
	(void)st;
	assert_int_equal(rb_kind_parse("fsdax-pmd"), RB_KIND_FSDAX_PMD);
	assert_int_equal(rb_kind_parse("devdax-1g"), RB_KIND_DEVDAX_1G);
	assert_int_equal(rb_kind_parse("pmd"), -1);
	assert_int_equal(rb_kind_gran(RB_KIND_THP), 2u << 20);
	assert_int_equal(rb_kind_gran(RB_KIND_DEVDAX_1G), 1u << 30);
	assert_string_equal(rb_kind_name(RB_KIND_SHMEM), "shmem");
	assert_int_equal(rb_kind_parse("hugetlb-1g"), RB_KIND_HUGETLB_1G);
	assert_int_equal(rb_kind_gran(RB_KIND_HUGETLB_2M), 2u << 20);
	assert_true(rb_kind_mask(RB_CLASS_BASELINE) & RB_KIND_BIT(RB_KIND_HUGETLB_1G));
	assert_int_equal(rb_kind_mask(RB_CLASS_BASELINE) & rb_kind_mask(RB_CLASS_DAX), 0);
	assert_int_equal(rb_kind_mask(RB_CLASS_BASELINE) | rb_kind_mask(RB_CLASS_DAX), RB_KINDS_ALL);
	assert_true(rb_kind_mask(RB_CLASS_DAX) & RB_KIND_BIT(RB_KIND_DEVDAX_2M));
}

/* Every kind is a complete row: a name of its own, a page size, a class
 * and a provider that maps and unmaps. */
static void test_kind_rows(void **st)
{
	(void)st;
	for (int k = RB_KIND_NONE + 1; k < RB_KIND__COUNT; k++) {
		const struct rb_mem_kind *row = &rb_mem_kinds[k];

		assert_non_null(row->name);
		assert_int_equal(rb_kind_parse(row->name), k);
		assert_true(row->gran >= 4096 && !(row->gran & (row->gran - 1)));
		assert_int_not_equal(row->class, RB_CLASS_NONE);
		assert_non_null(row->ops);
		assert_non_null(row->ops->map);
		assert_non_null(row->ops->unmap);
		assert_true(!row->fallback.what || (row->fallback.to < row->gran && row->fallback.why));
	}
	assert_null(rb_mem_kinds[RB_KIND_NONE].ops);
}

static int parse(const char *text, struct rb_suite *s, char *err)
{
	memset(s, 0, sizeof(*s));
	return rb_suite_parse(text, "t.suite", s, err, 512);
}

static void test_suite_ok(void **st)
{
	struct rb_suite s;
	struct rb_plan plan;
	struct rb_env env = { 0 };
	char err[512] = "";

	(void)st;
	assert_int_equal(parse("# comment\n\nfault anon,thp size=8M access=read,write repeat=2\n"
			       "null - loops=10\n", &s, err), 0);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.e[0].n_kinds, 2);
	assert_int_equal(rb_plan_build(&s, &env, &plan, err, sizeof(err)), 0);
	assert_int_equal(plan.n, 2 * 2 + 1);
	assert_int_equal(plan.p[0].repeat, 2);
	assert_string_equal(rb_param_str(&plan.p[0].pt.params, "access"), "read");
	assert_string_equal(rb_param_str(&plan.p[1].pt.params, "access"), "write");
	/* a case default fills what the suite leaves out */
	assert_string_equal(rb_param_str(&plan.p[0].pt.params, "sync"), "0");
	rb_plan_free(&plan);
	rb_suite_free(&s);

	/* the non-DAX kinds: anon, thp, shmem, hugetlb-2m, hugetlb-1g */
	assert_int_equal(parse("fault baseline size=1G\n", &s, err), 0);
	assert_int_equal(s.e[0].n_kinds, 5);
	rb_suite_free(&s);
}

static void test_suite_errors(void **st)
{
	static const struct { const char *text, *want; } bad[] = {
		{ "nosuch anon\n", "unknown case 'nosuch'" },
		{ "fault pmd\n", "unknown kind 'pmd'" },
		{ "fault anon bogus=1\n", "unknown parameter 'bogus'" },
		{ "fault anon size\n", "is not key=value" },
		{ "fault\n", "missing kinds column" },
		{ "null anon\n", "does not support kind anon" },
		{ "fault -\n", "needs memory kinds" },
		{ "fault anon size=1M size=2M\n", "given twice" },
		{ "fault anon primary=fault primary=munmap\n", "primary= given twice" },
		{ "# nothing\n", "no entries" },
	};
	struct rb_suite s;
	char err[512];

	(void)st;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		assert_int_not_equal(parse(bad[i].text, &s, err), 0);
		if (!strstr(err, bad[i].want))
			fail_msg("'%s': got '%s', want '%s'", bad[i].text, err, bad[i].want);
		rb_suite_free(&s);
	}
}

static void test_suite_primary(void **st)
{
	/* primary= names a line's headline metrics for compare; the runner
	 * never sees it as a parameter */
	struct rb_suite s;
	struct rb_plan plan;
	struct rb_env env = { 0 };
	struct rb_params p = { .n = 0 };
	const struct rb_suite_entry *e;
	char err[512] = "";

	(void)st;
	assert_int_equal(parse("fault anon,thp size=8M access=read,write primary=fault\n"
			       "gup-fast anon cmd=gup,pin\n", &s, err), 0);
	assert_int_equal(rb_plan_build(&s, &env, &plan, err, sizeof(err)), 0);
	assert_null(rb_param_str(&plan.p[0].pt.params, "primary"));
	rb_plan_free(&plan);
	rb_params_set(&p, "size", "8M");
	rb_params_set(&p, "access", "write");
	e = rb_suite_entry_of(&s, "fault", RB_KIND_THP, &p);
	assert_ptr_equal(e, &s.e[0]);
	assert_true(rb_suite_entry_primary(e, "fault"));
	assert_false(rb_suite_entry_primary(e, "munmap"));
	rb_params_set(&p, "size", "16M");	/* not a value of the line */
	assert_null(rb_suite_entry_of(&s, "fault", RB_KIND_THP, &p));
	assert_null(rb_suite_entry_of(&s, "fault", RB_KIND_SHMEM, &p));
	rb_params_set(&p, "cmd", "pin");
	e = rb_suite_entry_of(&s, "gup-fast", RB_KIND_ANON, &p);
	assert_ptr_equal(e, &s.e[1]);
	assert_true(rb_suite_entry_primary(e, "put"));	/* no primary=: all are */
	rb_suite_free(&s);
}

static void test_plan_size_errors(void **st)
{
	struct rb_suite s;
	struct rb_plan plan;
	struct rb_env env = { 0 };
	char err[512];

	(void)st;
	assert_int_equal(parse("fault thp size=3M\n", &s, err), 0);
	assert_int_not_equal(rb_plan_build(&s, &env, &plan, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "not a multiple of the 2 MiB"));
	rb_suite_free(&s);
	assert_int_equal(parse("fault anon size=lots\n", &s, err), 0);
	assert_int_not_equal(rb_plan_build(&s, &env, &plan, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "is not a size"));
	rb_suite_free(&s);
	assert_int_equal(parse("fault anon repeat=0\n", &s, err), 0);
	assert_int_not_equal(rb_plan_build(&s, &env, &plan, err, sizeof(err)), 0);
	rb_suite_free(&s);
}

/* A fake PMU behind rb_perf_ops: the hardware path's logic, testable here. */
struct fake {
	bool hw_opens, hw_counts, sw_opens;
	unsigned enabled;
	uint64_t tick;
	unsigned opened_n;
	bool opened_hw;
	int hw_err;		/* what opening hardware events fails with (0: ENOENT) */
};
static struct fake F;

static int f_open(struct rb_counters *c, const struct rb_ctr_def *const *d, unsigned n)
{
	(void)c;
	bool hw = d[0]->src == RB_SRC_HW;
	if (hw ? !F.hw_opens : !F.sw_opens)
		return hw && F.hw_err ? -F.hw_err : -ENOENT;
	F.opened_n = n;
	F.opened_hw = hw;
	return 0;
}
static void f_enable(struct rb_counters *c) { (void)c; F.enabled++; F.tick += 1000; }
static void f_disable(struct rb_counters *c) { (void)c; F.tick += 1000; }
static int f_read(struct rb_counters *c, struct rb_ctr_set *o)
{
	(void)c;
	o->n = F.opened_n;
	for (unsigned i = 0; i < o->n; i++) {
		o->val[i] = F.tick * (i + 1);
		o->ena[i] = F.tick;
		/* the last event is multiplexed: runs half the time */
		o->run[i] = (F.opened_hw && !F.hw_counts) ? 0 : (i == o->n - 1 ? F.tick / 2 : F.tick);
	}
	return 0;
}
static void f_close(struct rb_counters *c) { (void)c; }
static const struct rb_perf_ops fake_ops = { f_open, f_enable, f_disable, f_read, f_close };

static void test_counters_fallback(void **st)
{
	struct rb_counters c;

	(void)st;
	F = (struct fake){ .hw_opens = false, .sw_opens = true };
	assert_int_equal(rb_counters_open(&c, RB_CTR_AUTO, &fake_ops), 0);
	assert_int_equal(c.source, RB_SRC_SW);
	assert_int_equal(c.n, rb_ctr_sw_n);
	assert_non_null(strstr(c.fallback, "hardware events unavailable"));
	assert_string_equal(c.defs[0]->name, "task-clock");
	rb_counters_close(&c);

	/* a PMU that perf_event_paranoid keeps: the sysctl and the capability named */
	F = (struct fake){ .hw_opens = false, .sw_opens = true, .hw_err = EACCES };
	assert_int_equal(rb_counters_open(&c, RB_CTR_AUTO, &fake_ops), 0);
	assert_int_equal(c.source, RB_SRC_SW);
	assert_non_null(strstr(c.fallback, "hardware events refused"));
	assert_non_null(strstr(c.fallback, "kernel.perf_event_paranoid=1"));
	assert_non_null(strstr(c.fallback, "CAP_PERFMON"));
	rb_counters_close(&c);

	/* HW explicitly asked for and absent: an error, not a silent fallback */
	F = (struct fake){ .hw_opens = false, .sw_opens = true };
	assert_int_not_equal(rb_counters_open(&c, RB_CTR_HW, &fake_ops), 0);

	/* opens but never counts (NMI watchdog holds a counter) */
	F = (struct fake){ .hw_opens = true, .hw_counts = false, .sw_opens = true };
	assert_int_equal(rb_counters_open(&c, RB_CTR_AUTO, &fake_ops), 0);
	assert_int_equal(c.source, RB_SRC_SW);
	assert_non_null(strstr(c.fallback, "nmi_watchdog"));
	rb_counters_close(&c);

	/* nothing at all: still runs, on the clock alone, and says why */
	F = (struct fake){ 0 };
	assert_int_equal(rb_counters_open(&c, RB_CTR_AUTO, &fake_ops), 0);
	assert_int_equal(c.source, RB_SRC_NONE);
	assert_non_null(strstr(c.fallback, "software events unavailable too"));

	assert_int_equal(rb_counters_open(&c, RB_CTR_OFF, &fake_ops), 0);
	assert_int_equal(c.source, RB_SRC_NONE);
}

static void test_counters_hw(void **st)
{
	struct rb_counters c;
	struct rb_ctr_set s;
	double v;

	(void)st;
	F = (struct fake){ .hw_opens = true, .hw_counts = true, .sw_opens = true };
	assert_int_equal(rb_counters_open(&c, RB_CTR_AUTO, &fake_ops), 0);
	assert_int_equal(c.source, RB_SRC_HW);
	assert_int_equal(c.n, rb_ctr_hw_n);
	assert_string_equal(c.defs[0]->name, "cycles:k");
	assert_true(c.defs[0]->exclude_user && c.defs[0]->grouped);
	assert_false(c.defs[rb_ctr_hw_n - 1]->exclude_user);	/* user+kernel variant */
	assert_string_equal(c.fallback, "");

	rb_counters_start(&c, &s);
	rb_counters_stop(&c, &s);
	/* window = one enable + one disable tick of 1000 */
	assert_int_equal(s.n, rb_ctr_hw_n);
	assert_int_equal(s.ena[0], 2000);
	assert_int_equal(s.val[1], 4000);
	assert_true(rb_ctr_per_op(&s, 1, 100, &v));
	assert_true(v > 39.99 && v < 40.01);
	/* multiplexed event: scaled by enabled/running (x2) */
	assert_true(rb_ctr_per_op(&s, rb_ctr_hw_n - 1, 1000, &v));
	assert_true(v > 2.0 * rb_ctr_hw_n * 2000 / 1000 - 0.01 && v < 2.0 * rb_ctr_hw_n * 2000 / 1000 + 0.01);
	assert_false(rb_ctr_per_op(&s, 0, 0, &v));		/* no ops */
	s.run[0] = 0;
	assert_false(rb_ctr_per_op(&s, 0, 10, &v));		/* never ran */
	rb_counters_close(&c);
}

static void test_fault_diagnosis(void **st)
{
	char b[256];

	(void)st;
	rb_mem_fault_diagnosis(RB_KIND_THP, 8 << 20, 2 << 20, 2048, b, sizeof(b));
	assert_non_null(strstr(b, "fell back to 4K"));
	rb_mem_fault_diagnosis(RB_KIND_FSDAX_PMD, 8 << 20, 2 << 20, 2048, b, sizeof(b));
	assert_non_null(strstr(b, "fell back to PTE"));
	rb_mem_fault_diagnosis(RB_KIND_DEVDAX_1G, 1u << 30, 1u << 30, 512, b, sizeof(b));
	assert_non_null(strstr(b, "PUD fell back to PMD"));
	rb_mem_fault_diagnosis(RB_KIND_ANON, 8 << 20, 4096, 4, b, sizeof(b));
	assert_non_null(strstr(b, "MADV_NOHUGEPAGE"));
	rb_mem_fault_diagnosis(RB_KIND_ANON, 8 << 20, 4096, 2048, b, sizeof(b));
	assert_non_null(strstr(b, "2048 faults = size"));
	rb_mem_fault_diagnosis(RB_KIND_SHMEM, 8 << 20, 4096, 100, b, sizeof(b));
	assert_non_null(strstr(b, "fewer than"));
}

static void test_extents(void **st)
{
	const uint64_t M2 = 2 << 20;
	struct rb_extent ok[] = { { 0, 10 * M2, 4 * M2 }, { 4 * M2, 20 * M2, 2 * M2 } };
	struct rb_extent bad[] = { { 0, 10 * M2, 4 * M2 }, { 4 * M2, 20 * M2 + 4096, 2 * M2 } };
	struct rb_extent short_len[] = { { 0, 0, M2 + 4096 } };

	(void)st;
	assert_int_equal(rb_extents_misaligned(ok, 2, M2), -1);
	assert_int_equal(rb_extents_misaligned(bad, 2, M2), 1);
	assert_int_equal(rb_extents_misaligned(short_len, 1, M2), 0);
}

static void test_checks_reject(void **st)
{
	struct rb_env env = { 0 };
	struct rb_point pt = { .env = &env };
	struct rb_iter it = { .pt = &pt };
	struct rb_mem m = { .kind = RB_KIND_THP, .size = 8 << 20, .gran = 2 << 20 };

	(void)st;
	assert_true(rb_mem_check_faults(&it, &m, 4));
	assert_int_equal(it.status, RB_OK);
	assert_false(rb_mem_check_faults(&it, &m, 2048));
	assert_int_equal(it.status, RB_REJECT);
	assert_non_null(strstr(it.reason, "fell back to 4K"));
	assert_int_equal(it.n_checks, 2);
	assert_true(it.checks[0].ok);
	assert_false(it.checks[1].ok);
}

static void test_word_in(void **st)
{
	const char *flags = "flags\t\t: fpu pse36 pdpe1gb hypervisor\n";

	(void)st;
	assert_false(rb_word_in(flags, "pse"));		/* only pse36 */
	assert_true(rb_word_in(flags, "pse36"));
	assert_true(rb_word_in(flags, "fpu"));
	assert_true(rb_word_in(flags, "hypervisor"));	/* before the newline */
	assert_false(rb_word_in(flags, "pdpe1"));
	assert_false(rb_word_in(NULL, "fpu"));
}

static void test_time_unit(void **st)
{
	struct rb_env env = { .clock = RB_CLOCK_ICOUNT };
	char b[24];

	(void)st;
	assert_string_equal(rb_time_unit(&env, "page", b, sizeof(b)), "insn/page");
	env.clock = RB_CLOCK_NS;
	assert_string_equal(rb_time_unit(&env, "page", b, sizeof(b)), "ns/page");
}

static void test_output(void **st)
{
	char dir[] = "/tmp/rbtest-XXXXXX", err[512], path[600];
	struct rb_run run;
	struct json_object *meta = json_object_new_object();

	(void)st;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(rb_run_check_dir(dir, err, sizeof(err)), 0);	/* empty dir is fine */
	assert_int_equal(rb_run_create(&run, dir, meta, err, sizeof(err)), 0);
	assert_int_equal(rb_run_check_dir(dir, err, sizeof(err)), -EEXIST);
	assert_non_null(strstr(err, "never overwritten"));
	assert_int_equal(rb_run_finish(&run, "complete", NULL, err, sizeof(err)), 0);
	snprintf(path, sizeof(path), "%s/meta.json", dir);
	struct json_object *back = json_object_from_file(path);
	assert_string_equal(json_object_get_string(json_object_object_get(back, "status")), "complete");
	json_object_put(back);
	rb_run_free(&run);
	json_object_put(meta);
	snprintf(path, sizeof(path), "rm -rf %s", dir);
	assert_int_equal(system(path), 0);
}

static void test_validate_record(void **st)
{
	char err[256];
	struct json_object *ok = json_tokener_parse(
		"{\"schema\":1,\"type\":\"sample\",\"case\":\"fault\",\"kind\":\"thp\",\"params\":{},"
		"\"metric\":\"fault\",\"unit\":\"ns/page\",\"value\":12.5,\"clock\":\"CLOCK_MONOTONIC\","
		"\"counters\":{\"source\":\"sw\",\"values\":{\"task-clock\":{\"source\":\"sw\",\"scope\":\"all\"}}},"
		"\"verify\":{\"ok\":true,\"checks\":[{\"what\":\"faults\"}]}}");
	struct json_object *unverified = json_tokener_parse(
		"{\"schema\":1,\"type\":\"sample\",\"case\":\"fault\",\"kind\":\"thp\",\"params\":{},"
		"\"metric\":\"fault\",\"unit\":\"ns/page\",\"value\":12.5,\"clock\":\"x\","
		"\"counters\":{\"source\":\"sw\",\"values\":{}},\"verify\":{\"ok\":false,\"checks\":[{}]}}");
	struct json_object *noreason = json_tokener_parse(
		"{\"schema\":1,\"type\":\"skipped\",\"case\":\"fault\",\"kind\":\"thp\",\"params\":{}}");

	(void)st;
	assert_int_equal(rb_validate_record(ok, err, sizeof(err)), 0);
	assert_int_not_equal(rb_validate_record(unverified, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "verification failed"));
	assert_int_not_equal(rb_validate_record(noreason, err, sizeof(err)), 0);
	json_object_put(ok);
	json_object_put(unverified);
	json_object_put(noreason);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_kinds),
		cmocka_unit_test(test_kind_rows),
		cmocka_unit_test(test_suite_ok),
		cmocka_unit_test(test_suite_errors),
		cmocka_unit_test(test_suite_primary),
		cmocka_unit_test(test_plan_size_errors),
		cmocka_unit_test(test_counters_fallback),
		cmocka_unit_test(test_counters_hw),
		cmocka_unit_test(test_fault_diagnosis),
		cmocka_unit_test(test_extents),
		cmocka_unit_test(test_checks_reject),
		cmocka_unit_test(test_word_in),
		cmocka_unit_test(test_time_unit),
		cmocka_unit_test(test_output),
		cmocka_unit_test(test_validate_record),
		cmocka_unit_test(test_value_possible),
		cmocka_unit_test(test_icount_judge),
		cmocka_unit_test(test_harness_error),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
