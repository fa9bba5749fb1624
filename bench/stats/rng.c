// SPDX-License-Identifier: GPL-2.0
/*
 * xoshiro256** 1.0 (Blackman & Vigna, public domain reference at
 * https://prng.di.unimi.it/xoshiro256starstar.c), seeded by splitmix64 so
 * that any 64-bit seed, including 0, gives a well-mixed non-zero state.
 */
#include "stats/stats.h"

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

static inline uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

void rb_rng_seed(struct rb_rng *g, uint64_t seed)
{
	uint64_t x = seed;

	for (int i = 0; i < 4; i++)
		g->s[i] = splitmix64(&x);
}

uint64_t rb_rng_next(struct rb_rng *g)
{
	uint64_t *s = g->s;
	uint64_t r = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return r;
}

/* Lemire, "Fast random integer generation in an interval", TOMACS 2019:
 * multiply-shift with rejection of the biased low region. */
uint64_t rb_rng_below(struct rb_rng *g, uint64_t bound)
{
	if (bound <= 1)
		return 0;
	unsigned __int128 m = (unsigned __int128)rb_rng_next(g) * bound;
	uint64_t l = (uint64_t)m;

	if (l < bound) {
		uint64_t t = -bound % bound;

		while (l < t) {
			m = (unsigned __int128)rb_rng_next(g) * bound;
			l = (uint64_t)m;
		}
	}
	return (uint64_t)(m >> 64);
}

double rb_rng_uniform(struct rb_rng *g)
{
	return (double)(rb_rng_next(g) >> 11) * 0x1.0p-53;
}
