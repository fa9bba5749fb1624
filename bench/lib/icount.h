/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Proof, by behaviour, that CLOCK_MONOTONIC counts instructions: a run may
 * label its clock "icount" (1 ns of guest time == 1 instruction) only in
 * a QEMU TCG guest under -icount shift=0,sleep=off (scripts/lab --mode
 * deterministic). Nothing passed in can prove that; this measures it.
 */
#ifndef REFBENCH_ICOUNT_H
#define REFBENCH_ICOUNT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RB_ICOUNT_SAMPLES 9u

struct rb_icount_proof {
	bool ok;
	uint64_t delta[2][RB_ICOUNT_SAMPLES];	/* clock deltas, ns, per loop */
	uint64_t insns[2];	/* instructions of the two loops timed */
	uint64_t least[2];	/* the least clock delta of each */
	unsigned repeats[2];	/* samples within RB_ICOUNT_SLACK ns of it */
	unsigned samples;	/* per loop */
	double slope;		/* ns of clock per instruction between the two */
	char why[256];		/* what failed, or what was seen */
};

/* Times a loop of a known instruction count, several times at two sizes:
 * under icount the deltas repeat (within the clock's rounding, a few ns)
 * and grow by 1 ns per added instruction; on a host or a KVM guest they
 * jitter and follow the CPU's speed. Tries a few times before it says no. */
bool rb_icount_prove(struct rb_icount_proof *p);
/* The verdict on p->insns and p->delta as measured: fills the rest. */
bool rb_icount_judge(struct rb_icount_proof *p);

#endif
