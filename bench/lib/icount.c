// SPDX-License-Identifier: GPL-2.0
/* The proof that the clock counts instructions (lib/icount.h). */
#include <stdio.h>

#include "lib/icount.h"
#include "lib/refbench.h"

#define RB_ICOUNT_NEED 5u	/* samples that must repeat the least delta */
#define RB_ICOUNT_SLACK 2u	/* ns: TSC-to-ns rounding in the guest */
#define RB_ICOUNT_TRIES 3u
/* 40000 and 80000 instructions: 40 and 80 us of guest time, so a timer
 * tick (every 4 ms at HZ=250) lands in 1 or 2 of 100 windows; a tick only
 * lengthens a window, so the least delta of nine is a clean one */
static const uint64_t loops[2] = { 20000, 40000 };

#if defined(__x86_64__)
#define RB_ICOUNT_ARCH 1
/* exactly 2 instructions an iteration (dec, jnz) */
static void spin(uint64_t n)
{
	__asm__ volatile("1: dec %0\n\tjnz 1b" : "+r"(n) : : "cc", "memory");
}
#else
#define RB_ICOUNT_ARCH 0
static void spin(uint64_t n) { (void)n; }
#endif

static void time_loop(unsigned which, struct rb_icount_proof *p)
{
	for (unsigned i = 0; i < RB_ICOUNT_SAMPLES; i++) {
		uint64_t t0 = rb_now_ns();

		spin(loops[which]);
		p->delta[which][i] = rb_now_ns() - t0;
	}
	p->insns[which] = 2 * loops[which];
}

bool rb_icount_judge(struct rb_icount_proof *p)
{
	unsigned bad;

	p->samples = RB_ICOUNT_SAMPLES;
	for (unsigned w = 0; w < 2; w++) {
		uint64_t least = UINT64_MAX;
		unsigned rep = 0;

		for (unsigned i = 0; i < RB_ICOUNT_SAMPLES; i++)
			least = p->delta[w][i] < least ? p->delta[w][i] : least;
		for (unsigned i = 0; i < RB_ICOUNT_SAMPLES; i++)
			rep += p->delta[w][i] - least <= RB_ICOUNT_SLACK;
		p->least[w] = least;
		p->repeats[w] = rep;
	}
	p->slope = p->least[1] > p->least[0] && p->insns[1] > p->insns[0] ?
		   (double)(p->least[1] - p->least[0]) / (double)(p->insns[1] - p->insns[0]) : 0;
	p->ok = false;
	/* the rate first: it is what a host cannot fake */
	if (p->slope < 0.99 || p->slope > 1.01) {
		snprintf(p->why, sizeof(p->why), "%llu more instructions took %.3f ns each, not 1 ns "
			 "(least deltas %llu and %llu ns for loops of %llu and %llu instructions)",
			 (unsigned long long)(p->insns[1] - p->insns[0]), p->slope,
			 (unsigned long long)p->least[0], (unsigned long long)p->least[1],
			 (unsigned long long)p->insns[0], (unsigned long long)p->insns[1]);
		return false;
	}
	bad = p->repeats[0] < RB_ICOUNT_NEED ? 0 : p->repeats[1] < RB_ICOUNT_NEED ? 1 : 2;
	if (bad < 2) {
		snprintf(p->why, sizeof(p->why), "a loop of %llu instructions timed %u times: only %u "
			 "deltas within %u ns of the least (%llu ns), where icount repeats them",
			 (unsigned long long)p->insns[bad], RB_ICOUNT_SAMPLES, p->repeats[bad],
			 RB_ICOUNT_SLACK, (unsigned long long)p->least[bad]);
		return false;
	}
	snprintf(p->why, sizeof(p->why), "loops of %llu and %llu instructions: %u and %u of %u "
		 "deltas repeat (%llu, %llu ns), %.4f ns per instruction",
		 (unsigned long long)p->insns[0], (unsigned long long)p->insns[1], p->repeats[0],
		 p->repeats[1], RB_ICOUNT_SAMPLES, (unsigned long long)p->least[0],
		 (unsigned long long)p->least[1], p->slope);
	return p->ok = true;
}

bool rb_icount_prove(struct rb_icount_proof *p)
{
	*p = (struct rb_icount_proof){ .ok = false };
	if (!RB_ICOUNT_ARCH) {
		snprintf(p->why, sizeof(p->why), "the proof's loop is written for x86-64 only");
		return false;
	}
	for (unsigned t = 0; t < RB_ICOUNT_TRIES && !p->ok; t++) {
		time_loop(0, p);
		time_loop(1, p);
		rb_icount_judge(p);
	}
	return p->ok;
}
