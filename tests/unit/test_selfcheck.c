// SPDX-License-Identifier: GPL-2.0
/* The hardware counters' self-check (lib/selfcheck.h) through a fake PMU
 * behind rb_perf_ops: what a real machine's counters may do, judged here. */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "lib/counters.h"
#include "lib/selfcheck.h"

/* Per window, what the fake PMU counts: instructions:uk and :k, and the
 * fraction of the window every event ran (1: not multiplexed). */
static struct {
	bool hw;
	double uk, k, running;
	uint64_t window;	/* reads: 0 at start, the counts at stop */
} P;

static int p_open(struct rb_counters *c, const struct rb_ctr_def *const *d, unsigned n)
{
	(void)c, (void)n;
	return d[0]->src == RB_SRC_HW && !P.hw ? -ENOENT : 0;
}
static void p_nop(struct rb_counters *c) { (void)c; }
static int p_read(struct rb_counters *c, struct rb_ctr_set *o)
{
	o->n = c->n;
	for (unsigned i = 0; i < c->n; i++) {
		const char *name = c->defs[i]->name;
		double v = !strcmp(name, "instructions:uk") ? P.uk : !strcmp(name, "instructions:k") ? P.k : 1000;

		/* the counted value is the running share of the scaled one */
		o->val[i] = P.window ? (uint64_t)llround(v * P.running) : 0;
		o->ena[i] = P.window ? 1000000 : 0;
		o->run[i] = P.window ? (uint64_t)llround(1000000 * P.running) : 0;
	}
	P.window = !P.window;
	return 0;
}
static const struct rb_perf_ops pmu = { p_open, p_nop, p_nop, p_read, p_nop };

static void check(double uk, double k, double running, struct rb_selfcheck *sc)
{
	struct rb_counters c;

	P.hw = true, P.uk = uk, P.k = k, P.running = running, P.window = 0;
	assert_int_equal(rb_counters_open(&c, RB_CTR_AUTO, &pmu), 0);
	assert_int_equal(c.source, RB_SRC_HW);
	rb_selfcheck_run(&c, sc);
	rb_counters_close(&c);
}

static void test_selfcheck_ok(void **st)
{
	const double loop = 2.0 * RB_SELFCHECK_LOOPS;
	struct rb_selfcheck sc;

	(void)st;
	/* the loop and 40 k kernel instructions (a tick, the ioctls) */
	check(loop * 1.002 + 40000, 40000, 1, &sc);
	assert_true(sc.ran && sc.counting && sc.kernel_only && !sc.multiplexed);
	assert_string_equal(sc.verdict, "ok");
	assert_int_equal(sc.expected, 2 * RB_SELFCHECK_LOOPS);
	assert_true(fabs(sc.error - 0.002) < 1e-6);
	assert_true(fabs(sc.kernel_insn - 40000) < 1);

	/* multiplexed: counted a third of the window, scaled back, recorded */
	check(loop + 30000, 30000, 1.0 / 3, &sc);
	assert_true(sc.counting && sc.kernel_only && sc.multiplexed);
	assert_true(fabs(sc.least_running - 1.0 / 3) < 1e-6);
	assert_non_null(sc.least_running_event);
	assert_string_equal(sc.verdict, "ok");
}

static void test_selfcheck_wrong(void **st)
{
	const double loop = 2.0 * RB_SELFCHECK_LOOPS;
	struct rb_selfcheck sc;

	(void)st;
	/* 5% short: events lost (a counter stolen, a frequency-scaled count) */
	check(loop * 0.95, 0, 1, &sc);
	assert_true(sc.ran && !sc.counting && sc.kernel_only);
	assert_non_null(strstr(sc.verdict, "instructions off by -5.00%"));

	/* kernel-only events that count user space: exclude_user ignored */
	check(loop * 2, loop, 1, &sc);
	assert_true(sc.counting && !sc.kernel_only);
	assert_non_null(strstr(sc.verdict, "exclude_user not honoured"));

	/* both wrong at once: both named */
	check(loop * 3, loop * 1.5, 1, &sc);
	assert_true(!sc.counting && !sc.kernel_only);
	assert_non_null(strstr(sc.verdict, "off by +50.00%"));
	assert_non_null(strstr(sc.verdict, "; kernel-only events counted"));
}

static void test_selfcheck_skips(void **st)
{
	struct rb_counters c;
	struct rb_selfcheck sc;

	(void)st;
	P.hw = false;
	assert_int_equal(rb_counters_open(&c, RB_CTR_AUTO, &pmu), 0);
	assert_int_equal(c.source, RB_SRC_SW);
	rb_selfcheck_run(&c, &sc);
	assert_false(sc.ran);
	assert_non_null(strstr(sc.skipped, "no hardware events (hardware events unavailable"));
	rb_counters_close(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_selfcheck_ok),
		cmocka_unit_test(test_selfcheck_wrong),
		cmocka_unit_test(test_selfcheck_skips),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
