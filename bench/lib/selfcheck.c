// SPDX-License-Identifier: GPL-2.0
/* The hardware counters' self-check (selfcheck.h). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "lib/refbench.h"
#include "lib/selfcheck.h"

static int find(const struct rb_counters *c, const char *name)
{
	for (unsigned i = 0; i < c->n; i++)
		if (!strcmp(c->defs[i]->name, name))
			return (int)i;
	return -1;
}

static double scaled(const struct rb_ctr_set *d, int i)
{
	return d->run[i] ? (double)d->val[i] * ((double)d->ena[i] / (double)d->run[i]) : NAN;
}

void rb_selfcheck_judge(const struct rb_counters *c, const struct rb_ctr_set *d, uint64_t expected,
			struct rb_selfcheck *o)
{
	int uk = find(c, "instructions:uk"), k = find(c, "instructions:k");
	size_t len = 0;

	memset(o, 0, sizeof(*o));
	o->expected = expected;
	o->least_running = 1;
	if (uk < 0 || k < 0 || d->n != c->n) {
		snprintf(o->skipped, sizeof(o->skipped), "the counter set has no instructions:uk and "
			 "instructions:k, or the window was not read");
		return;
	}
	o->ran = true;
	for (unsigned i = 0; i < d->n; i++) {
		double f = d->ena[i] ? (double)d->run[i] / (double)d->ena[i] : 0;

		if (f < o->least_running) {
			o->least_running = f;
			o->least_running_event = c->defs[i]->name;
		}
	}
	o->multiplexed = o->least_running < 1;
	o->kernel_insn = scaled(d, k);
	o->user_insn = scaled(d, uk) - o->kernel_insn;
	o->error = (o->user_insn - (double)expected) / (double)expected;
	o->counting = isfinite(o->error) && fabs(o->error) <= RB_SELFCHECK_TOLERANCE;
	o->kernel_only = isfinite(o->kernel_insn) &&
			 o->kernel_insn <= RB_SELFCHECK_TOLERANCE * (double)expected;
	if (!o->counting)
		len += snprintf(o->verdict + len, sizeof(o->verdict) - len, "%sinstructions off by %+.2f%% "
				"(%.0f counted in user space for a loop of %llu)", len ? "; " : "",
				100 * o->error, o->user_insn, (unsigned long long)expected);
	if (!o->kernel_only && len < sizeof(o->verdict))
		len += snprintf(o->verdict + len, sizeof(o->verdict) - len, "%skernel-only events counted "
				"%.0f instructions of a user-space loop (exclude_user not honoured?)",
				len ? "; " : "", o->kernel_insn);
	if (!len)
		snprintf(o->verdict, sizeof(o->verdict), "ok");
}

/* 2 instructions an iteration, all in user space */
static void known_loop(uint64_t n)
{
#if defined(__x86_64__)
	__asm__ volatile("1: dec %0\n\tjnz 1b" : "+r"(n) : : "cc");
#else
	(void)n;
#endif
}

void rb_selfcheck_run(struct rb_counters *c, struct rb_selfcheck *o)
{
	struct rb_ctr_set d;

	memset(o, 0, sizeof(*o));
	if (c->source != RB_SRC_HW) {
		snprintf(o->skipped, sizeof(o->skipped), "no hardware events (%s)",
			 c->fallback[0] ? c->fallback : "counters off");
		return;
	}
#if !defined(__x86_64__)
	snprintf(o->skipped, sizeof(o->skipped), "the known loop is x86-64 code");
	return;
#endif
	known_loop(RB_SELFCHECK_LOOPS / 10);	/* warm: page in, train the predictor */
	rb_counters_start(c, &d);
	known_loop(RB_SELFCHECK_LOOPS);
	rb_counters_stop(c, &d);
	rb_selfcheck_judge(c, &d, 2 * RB_SELFCHECK_LOOPS, o);
}
