// SPDX-License-Identifier: GPL-2.0
/* Descriptive statistics: mean, sd, type-7 quantiles, medians of arms. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stats/stats.h"

int rb_stats_arm_check(const struct rb_arm *a)
{
	if (!a || a->n_rounds == 0 || !a->x || !a->n)
		return -EINVAL;
	for (unsigned r = 0; r < a->n_rounds; r++) {
		if (a->n[r] == 0 || !a->x[r])
			return -EINVAL;
		for (unsigned i = 0; i < a->n[r]; i++) {
			double v = a->x[r][i];

			if (!isfinite(v) || v < 0)
				return -EINVAL;
		}
	}
	return 0;
}

size_t rb_stats_arm_total(const struct rb_arm *a)
{
	size_t t = 0;

	if (!a || !a->n)
		return 0;
	for (unsigned r = 0; r < a->n_rounds; r++)
		t += a->n[r];
	return t;
}

double rb_stats_mean(const double *x, size_t n)
{
	if (!x || n == 0)
		return NAN;
	/* Two passes: the correction term keeps the mean exact for
	 * constant data and accurate for data with a large offset. */
	double s = 0;
	for (size_t i = 0; i < n; i++)
		s += x[i];
	double m = s / (double)n, c = 0;
	for (size_t i = 0; i < n; i++)
		c += x[i] - m;
	return m + c / (double)n;
}

double rb_stats_sd(const double *x, size_t n)
{
	if (!x || n < 2)
		return NAN;
	double m = rb_stats_mean(x, n), ss = 0, c = 0;
	for (size_t i = 0; i < n; i++) {
		double d = x[i] - m;
		ss += d * d;
		c += d;
	}
	/* corrected two-pass algorithm (Chan, Golub & LeVeque 1983) */
	return sqrt((ss - c * c / (double)n) / (double)(n - 1));
}

static int cmp_double(const void *pa, const void *pb)
{
	double a = *(const double *)pa, b = *(const double *)pb;

	return (a > b) - (a < b);
}

void rb_stats_sort(double *x, size_t n)
{
	if (x && n > 1)
		qsort(x, n, sizeof(*x), cmp_double);
}

double rb_stats_quantile_sorted(const double *s, size_t n, double p)
{
	if (!s || n == 0 || !(p >= 0 && p <= 1))
		return NAN;
	double h = (double)(n - 1) * p;
	size_t lo = (size_t)floor(h);
	if (lo >= n - 1)
		return s[n - 1];
	double f = h - (double)lo;
	/* Exactly x[lo] when f is 0 or the two agree (also for infinities,
	 * which the bootstrap can produce: no 0 * inf, no inf - inf). */
	if (f == 0 || s[lo] == s[lo + 1])
		return s[lo];
	return s[lo] + f * (s[lo + 1] - s[lo]);
}

double rb_stats_quantile(const double *x, size_t n, double p)
{
	if (!x || n == 0)
		return NAN;
	double *c = malloc(n * sizeof(*c));
	if (!c)
		return NAN;
	memcpy(c, x, n * sizeof(*c));
	rb_stats_sort(c, n);
	double q = rb_stats_quantile_sorted(c, n, p);
	free(c);
	return q;
}

double rb_stats_median(const double *x, size_t n)
{
	return rb_stats_quantile(x, n, 0.5);
}

int rb_stats_round_medians(const struct rb_arm *a, double *out)
{
	int rc = rb_stats_arm_check(a);

	if (rc)
		return rc;
	if (!out)
		return -EINVAL;
	for (unsigned r = 0; r < a->n_rounds; r++) {
		out[r] = rb_stats_median(a->x[r], a->n[r]);
		if (isnan(out[r]))
			return -ENOMEM;
	}
	return 0;
}

double rb_stats_pooled_median(const struct rb_arm *a)
{
	if (rb_stats_arm_check(a))
		return NAN;
	size_t n = rb_stats_arm_total(a), k = 0;
	double *c = malloc(n * sizeof(*c));
	if (!c)
		return NAN;
	for (unsigned r = 0; r < a->n_rounds; r++) {
		memcpy(c + k, a->x[r], a->n[r] * sizeof(*c));
		k += a->n[r];
	}
	rb_stats_sort(c, n);
	double m = rb_stats_quantile_sorted(c, n, 0.5);
	free(c);
	return m;
}
