/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The hardware counters' self-check, run before the suite whenever the
 * hardware events opened (a real machine's first chance to show them
 * wrong): a loop of known length, retired in user space, counted by the
 * run's own counter set.
 *   counting     instructions:uk minus instructions:k is the loop's length
 *                within 1%;
 *   kernel-only  instructions:k saw less than 1% of it (exclude_user holds);
 *   multiplexed  an event ran less than the whole window (its values are
 *                scaled by enabled/running: less exact; recorded, not failed).
 * The judging is apart from the loop, so tests feed it counts through the
 * fake PMU behind rb_perf_ops.
 */
#ifndef REFBENCH_SELFCHECK_H
#define REFBENCH_SELFCHECK_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/counters.h"

#define RB_SELFCHECK_LOOPS 5000000ULL	/* 10 M instructions: ~3 ms */
#define RB_SELFCHECK_TOLERANCE 0.01

struct rb_selfcheck {
	bool ran;
	char skipped[224];		/* why it did not run */
	uint64_t expected;		/* user instructions the loop retires */
	double user_insn, kernel_insn;	/* counted, scaled for multiplexing */
	double error;			/* (user_insn - expected) / expected */
	bool counting, kernel_only, multiplexed;
	double least_running;		/* smallest running/enabled fraction */
	const char *least_running_event;
	char verdict[256];		/* "ok" or what failed */
};

/* Judges one window of the loop: d from rb_counters_stop. */
void rb_selfcheck_judge(const struct rb_counters *c, const struct rb_ctr_set *d, uint64_t expected,
			struct rb_selfcheck *out);
/* Runs the loop inside a window of c and judges it; skips (with the
 * reason) unless c counts hardware events. */
void rb_selfcheck_run(struct rb_counters *c, struct rb_selfcheck *out);

#endif
