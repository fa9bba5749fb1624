// SPDX-License-Identifier: GPL-2.0
/*
 * Hierarchical (two-level) bootstrap of the ratio of pooled medians.
 *
 * Speed: each arm's samples are sorted once and every sample is replaced
 * by its rank in the pooled order. A resample is then a multiset of ranks,
 * counted in a histogram; its median is found by a prefix scan, with no
 * sorting per resample. One resample of an arm costs O(N) (N = samples in
 * the arm), so 10000 resamples of 2 x 500 samples take some 20 ms.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stats/stats.h"

struct prep {
	unsigned R;
	size_t N;
	unsigned *off;		/* R + 1 offsets into rank[] */
	const unsigned *n;	/* samples per round */
	uint32_t *rank;		/* global rank of each sample, by round */
	double *sorted;		/* the arm's samples, ascending */
	uint32_t *cnt;		/* histogram of drawn ranks */
	unsigned *pick;		/* rounds drawn in this resample */
};

struct vr {
	double v;
	uint32_t r;
};

static int cmp_vr(const void *pa, const void *pb)
{
	const struct vr *a = pa, *b = pb;

	if (a->v != b->v)
		return (a->v > b->v) - (a->v < b->v);
	return (a->r > b->r) - (a->r < b->r);
}

static void prep_free(struct prep *p)
{
	free(p->off);
	free(p->rank);
	free(p->sorted);
	free(p->cnt);
	free(p->pick);
	memset(p, 0, sizeof(*p));
}

static int prep_init(struct prep *p, const struct rb_arm *a)
{
	struct vr *t;
	size_t k = 0;

	memset(p, 0, sizeof(*p));
	p->R = a->n_rounds;
	p->n = a->n;
	p->N = rb_stats_arm_total(a);
	if (p->N > UINT32_MAX)
		return -EINVAL;
	p->off = malloc((p->R + 1) * sizeof(*p->off));
	p->rank = malloc(p->N * sizeof(*p->rank));
	p->sorted = malloc(p->N * sizeof(*p->sorted));
	p->cnt = malloc(p->N * sizeof(*p->cnt));
	p->pick = malloc(p->R * sizeof(*p->pick));
	t = malloc(p->N * sizeof(*t));
	if (!p->off || !p->rank || !p->sorted || !p->cnt || !p->pick || !t) {
		free(t);
		prep_free(p);
		return -ENOMEM;
	}
	for (unsigned r = 0; r < p->R; r++)
		for (unsigned i = 0; i < a->n[r]; i++)
			t[k++] = (struct vr){ a->x[r][i], r };
	qsort(t, p->N, sizeof(*t), cmp_vr);
	p->off[0] = 0;
	for (unsigned r = 0; r < p->R; r++)
		p->off[r + 1] = p->off[r] + a->n[r];
	/* Scan in pooled order: each round's ranks come out ascending. Use
	 * off[] as fill cursors, then restore it. */
	for (size_t g = 0; g < p->N; g++) {
		p->sorted[g] = t[g].v;
		p->rank[p->off[t[g].r]++] = (uint32_t)g;
	}
	for (unsigned r = p->R; r > 0; r--)
		p->off[r] = p->off[r - 1];
	p->off[0] = 0;
	free(t);
	return 0;
}

/* Median of the values at the ranks counted in cnt[], M of them. */
static double hist_median(const struct prep *p, size_t M)
{
	size_t lo = (M - 1) / 2, seen = 0, g = 0;
	double vlo;

	while (seen + p->cnt[g] <= lo)
		seen += p->cnt[g++];
	vlo = p->sorted[g];
	if ((M & 1) || seen + p->cnt[g] > lo + 1)
		return vlo;		/* odd M, or rank lo+1 is the same g */
	seen += p->cnt[g++];
	while (p->cnt[g] == 0)
		g++;
	/* the same formula as rb_stats_quantile_sorted(.., 0.5) */
	return vlo + 0.5 * (p->sorted[g] - vlo);
}

/* Uniform on [0, bound) from 32 random bits u, by Lemire's multiply-shift;
 * rejects (returns false) in the rare biased region, u < t(bound). */
static inline bool lemire32(uint32_t u, uint32_t bound, uint32_t t, uint32_t *out)
{
	uint64_t m = (uint64_t)u * bound;

	*out = (uint32_t)(m >> 32);
	return (uint32_t)m >= t;
}

static uint32_t below32(struct rb_rng *g, uint32_t bound, uint32_t t)
{
	uint32_t v;

	while (!lemire32((uint32_t)rb_rng_next(g), bound, t, &v))
		;
	return v;
}

static double resample_median(struct prep *p, struct rb_rng *g)
{
	uint32_t *cnt = p->cnt;
	size_t M = 0;

	memset(cnt, 0, p->N * sizeof(*cnt));
	for (unsigned k = 0; k < p->R; k++)
		p->pick[k] = below32(g, p->R, -p->R % p->R);
	for (unsigned k = 0; k < p->R; k++) {
		unsigned r = p->pick[k];
		uint32_t nr = p->n[r], t = -nr % nr, i = 0, v1, v2;
		const uint32_t *rk = p->rank + p->off[r];

		/* two draws per 64-bit output; a rejected half is redrawn */
		for (; i + 1 < nr; i += 2) {
			uint64_t x = rb_rng_next(g);

			if (!lemire32((uint32_t)x, nr, t, &v1))
				v1 = below32(g, nr, t);
			if (!lemire32((uint32_t)(x >> 32), nr, t, &v2))
				v2 = below32(g, nr, t);
			cnt[rk[v1]]++;
			cnt[rk[v2]]++;
		}
		if (i < nr)
			cnt[rk[below32(g, nr, t)]]++;
		M += nr;
	}
	return hist_median(p, M);
}

static double ratio_of(double mb, double ma)
{
	if (ma > 0)
		return mb / ma;
	return mb > 0 ? INFINITY : 1.0;
}

int rb_stats_boot_ratio(const struct rb_arm *a, const struct rb_arm *b,
			unsigned iters, uint64_t seed, double *reps, double *ratio)
{
	struct prep pa, pb;
	struct rb_rng g;
	double ma, mb;
	int rc;

	if (rb_stats_arm_check(a) || rb_stats_arm_check(b) || !reps || iters == 0)
		return -EINVAL;
	rc = prep_init(&pa, a);
	if (rc)
		return rc;
	rc = prep_init(&pb, b);
	if (rc) {
		prep_free(&pa);
		return rc;
	}
	ma = rb_stats_quantile_sorted(pa.sorted, pa.N, 0.5);
	mb = rb_stats_quantile_sorted(pb.sorted, pb.N, 0.5);
	if (ratio)
		*ratio = ma > 0 ? mb / ma : NAN;
	if (!(ma > 0)) {
		rc = -EDOM;
		goto out;
	}
	rb_rng_seed(&g, seed);
	for (unsigned it = 0; it < iters; it++) {
		double ra = resample_median(&pa, &g);
		double rb = resample_median(&pb, &g);

		reps[it] = ratio_of(rb, ra);
	}
	rb_stats_sort(reps, iters);
out:
	prep_free(&pa);
	prep_free(&pb);
	return rc;
}

int rb_stats_ci_from_reps(const double *s, unsigned n, double conf, struct rb_ci *ci)
{
	if (!s || n == 0 || !ci || !(conf > 0 && conf < 1))
		return -EINVAL;
	ci->lo = rb_stats_quantile_sorted(s, n, (1 - conf) / 2);
	ci->hi = rb_stats_quantile_sorted(s, n, (1 + conf) / 2);
	return 0;
}

int rb_stats_ratio_ci(const struct rb_arm *a, const struct rb_arm *b,
		      unsigned iters, uint64_t seed, double conf,
		      double *ratio, struct rb_ci *ci)
{
	double *reps;
	int rc;

	if (!ci || !(conf > 0 && conf < 1) || iters == 0)
		return -EINVAL;
	reps = malloc(iters * sizeof(*reps));
	if (!reps)
		return -ENOMEM;
	rc = rb_stats_boot_ratio(a, b, iters, seed, reps, ratio);
	if (!rc)
		rc = rb_stats_ci_from_reps(reps, iters, conf, ci);
	free(reps);
	return rc;
}
