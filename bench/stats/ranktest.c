// SPDX-License-Identifier: GPL-2.0
/*
 * Mann-Whitney U / Wilcoxon rank-sum test, two-sided, following R's
 * wilcox.test(x, y, exact = NULL, correct = TRUE): exact null distribution
 * when both samples have fewer than 50 values and no ties, else the normal
 * approximation with tie-corrected variance and continuity correction.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stats/stats.h"

struct obs {
	double v;
	int from_x;
};

static int cmp_obs(const void *pa, const void *pb)
{
	const struct obs *a = pa, *b = pb;

	return (a->v > b->v) - (a->v < b->v);
}

/*
 * P(U = u), u = 0..m*n, for sample sizes m and n under H0, by the
 * recurrence P_{i,j}(u) = i/(i+j) P_{i-1,j}(u-j) + j/(i+j) P_{i,j-1}(u)
 * (the largest observation is an x with probability i/(i+j), and then
 * it exceeds all j y's). Two rows of n+1 vectors of m*n+1 doubles.
 */
static int mwu_exact_pmf(unsigned m, unsigned n, double *pmf)
{
	size_t w = (size_t)m * n + 1;
	double *prev = calloc((size_t)(n + 1) * w, sizeof(double));
	double *cur = calloc((size_t)(n + 1) * w, sizeof(double));

	if (!prev || !cur) {
		free(prev);
		free(cur);
		return -ENOMEM;
	}
	for (unsigned j = 0; j <= n; j++)
		prev[j * w] = 1;			/* P_{0,j}(0) = 1 */
	for (unsigned i = 1; i <= m; i++) {
		memset(cur, 0, (size_t)(n + 1) * w * sizeof(double));
		cur[0] = 1;				/* P_{i,0}(0) = 1 */
		for (unsigned j = 1; j <= n; j++) {
			double *c = cur + j * w;
			const double *up = prev + j * w;	/* P_{i-1,j} */
			const double *left = cur + (j - 1) * w;	/* P_{i,j-1} */
			double px = (double)i / (i + j), py = (double)j / (i + j);
			size_t top = (size_t)i * j;

			for (size_t u = 0; u <= top; u++)
				c[u] = py * left[u] + (u >= j ? px * up[u - j] : 0);
		}
		double *t = prev;
		prev = cur;
		cur = t;
	}
	memcpy(pmf, prev + (size_t)n * w, w * sizeof(double));
	free(prev);
	free(cur);
	return 0;
}

int rb_stats_mwu(const double *x, size_t nx, const double *y, size_t ny,
		 struct rb_mwu *out)
{
	size_t N = nx + ny;
	struct obs *o;
	double r1 = 0, tie = 0;

	if (!x || !y || !out || nx == 0 || ny == 0)
		return -EINVAL;
	for (size_t i = 0; i < nx; i++)
		if (isnan(x[i]))
			return -EINVAL;
	for (size_t i = 0; i < ny; i++)
		if (isnan(y[i]))
			return -EINVAL;
	o = malloc(N * sizeof(*o));
	if (!o)
		return -ENOMEM;
	for (size_t i = 0; i < nx; i++)
		o[i] = (struct obs){ x[i], 1 };
	for (size_t i = 0; i < ny; i++)
		o[nx + i] = (struct obs){ y[i], 0 };
	qsort(o, N, sizeof(*o), cmp_obs);
	/* mid-ranks; sum of t^3 - t over tie groups */
	for (size_t i = 0; i < N;) {
		size_t j = i + 1;
		while (j < N && o[j].v == o[i].v)
			j++;
		double t = (double)(j - i), mid = (double)(i + 1 + j) / 2;
		for (size_t k = i; k < j; k++)
			if (o[k].from_x)
				r1 += mid;
		tie += t * t * t - t;
		i = j;
	}
	free(o);

	memset(out, 0, sizeof(*out));
	out->u = r1 - (double)nx * (double)(nx + 1) / 2;
	out->ties = tie > 0;
	double mn = (double)nx * (double)ny;

	if (!out->ties && nx < RB_MWU_EXACT_MAX && ny < RB_MWU_EXACT_MAX) {
		unsigned m = (unsigned)(nx < ny ? nx : ny);
		unsigned n = (unsigned)(nx < ny ? ny : nx);
		size_t w = (size_t)m * n + 1, uu = (size_t)llround(out->u);
		double *pmf = malloc(w * sizeof(*pmf)), lo = 0, hi = 0;

		if (!pmf)
			return -ENOMEM;
		if (mwu_exact_pmf(m, n, pmf)) {
			free(pmf);
			return -ENOMEM;
		}
		/* The null distribution is symmetric and the same for (m, n)
		 * and (n, m), so U of x can be looked up whichever is smaller. */
		for (size_t u = 0; u < w; u++) {
			if (u <= uu)
				lo += pmf[u];
			if (u >= uu)
				hi += pmf[u];
		}
		free(pmf);
		out->exact = true;
		out->p = fmin(1.0, 2 * fmin(lo, hi));
		return 0;
	}

	double var = mn / 12 * (((double)N + 1) - tie / ((double)N * ((double)N - 1)));
	double d = out->u - mn / 2;

	if (!(var > 0)) {		/* every value tied */
		out->p = 1;
		return 0;
	}
	d -= d > 0 ? 0.5 : (d < 0 ? -0.5 : 0);
	out->z = d / sqrt(var);
	out->p = fmin(1.0, erfc(fabs(out->z) / M_SQRT2));
	return 0;
}

int rb_stats_mwu_arms(const struct rb_arm *a, const struct rb_arm *b,
		      enum rb_mwu_on on, struct rb_mwu *out)
{
	size_t na, nb;
	double *xa, *xb;
	int rc;

	if (rb_stats_arm_check(a) || rb_stats_arm_check(b) || !out)
		return -EINVAL;
	if (on == RB_MWU_ROUND_MEDIANS) {
		na = a->n_rounds;
		nb = b->n_rounds;
	} else if (on == RB_MWU_POOLED) {
		na = rb_stats_arm_total(a);
		nb = rb_stats_arm_total(b);
	} else {
		return -EINVAL;
	}
	xa = malloc(na * sizeof(*xa));
	xb = malloc(nb * sizeof(*xb));
	if (!xa || !xb) {
		rc = -ENOMEM;
		goto out;
	}
	if (on == RB_MWU_ROUND_MEDIANS) {
		rc = rb_stats_round_medians(a, xa);
		if (!rc)
			rc = rb_stats_round_medians(b, xb);
		if (rc)
			goto out;
	} else {
		const struct rb_arm *arm[2] = { a, b };
		double *dst[2] = { xa, xb };

		for (int s = 0; s < 2; s++) {
			size_t k = 0;
			for (unsigned r = 0; r < arm[s]->n_rounds; r++) {
				memcpy(dst[s] + k, arm[s]->x[r], arm[s]->n[r] * sizeof(double));
				k += arm[s]->n[r];
			}
		}
	}
	rc = rb_stats_mwu(xb, nb, xa, na, out);
out:
	free(xa);
	free(xb);
	return rc;
}
