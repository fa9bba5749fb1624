// SPDX-License-Identifier: GPL-2.0
/*
 * Round-level (between-boot) analysis: Student's two-sample t-test and
 * t interval on the log of the per-round medians. A round's median already
 * carries that boot's layout/placement luck, so these are valid whatever
 * the correlation of the samples within a boot (the "summary statistic"
 * approach to clustered data), and, being parametric, they still give
 * usable p-values and intervals with 2 rounds per arm when the rounds
 * agree closely (deterministic mode), unlike any rank or permutation test
 * on 2 + 2 values.
 */
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>

#include "stats/stats.h"

/* Continued fraction of the incomplete beta (modified Lentz). */
static double betacf(double a, double b, double x)
{
	const double tiny = 1e-300;
	double qab = a + b, qap = a + 1, qam = a - 1;
	double c = 1, d = 1 - qab * x / qap, h;

	if (fabs(d) < tiny)
		d = tiny;
	d = 1 / d;
	h = d;
	for (int m = 1; m <= 10000; m++) {
		double m2 = 2.0 * m, aa, del;

		aa = m * (b - m) * x / ((qam + m2) * (a + m2));
		d = 1 + aa * d;
		if (fabs(d) < tiny)
			d = tiny;
		c = 1 + aa / c;
		if (fabs(c) < tiny)
			c = tiny;
		d = 1 / d;
		h *= d * c;
		aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
		d = 1 + aa * d;
		if (fabs(d) < tiny)
			d = tiny;
		c = 1 + aa / c;
		if (fabs(c) < tiny)
			c = tiny;
		d = 1 / d;
		del = d * c;
		h *= del;
		if (fabs(del - 1) < 4 * DBL_EPSILON)
			break;
	}
	return h;
}

/* Regularized incomplete beta I_x(a, b). */
static double betai(double a, double b, double x)
{
	int s;

	if (x <= 0)
		return 0;
	if (x >= 1)
		return 1;
	double lbt = lgamma_r(a + b, &s) - lgamma_r(a, &s) - lgamma_r(b, &s) +
		     a * log(x) + b * log1p(-x);
	if (x < (a + 1) / (a + b + 2))
		return exp(lbt) * betacf(a, b, x) / a;
	return 1 - exp(lbt) * betacf(b, a, 1 - x) / b;
}

double rb_stats_t_p2(double t, double df)
{
	if (isnan(t) || !(df > 0))
		return NAN;
	if (isinf(t))
		return 0;
	return betai(df / 2, 0.5, df / (df + t * t));
}

double rb_stats_t_quantile(double p, double df)
{
	double lo = 0, hi = 1, target;

	if (!(p > 0 && p < 1) || !(df > 0))
		return NAN;
	if (p == 0.5)
		return 0;
	/* |q| solves P(|T| > q) = 2 min(p, 1-p); the two-sided tail falls
	 * monotonically in q, so bracket and bisect. */
	target = 2 * fmin(p, 1 - p);
	while (rb_stats_t_p2(hi, df) > target && hi < 1e300)
		hi *= 2;
	for (int i = 0; i < 2000 && hi - lo > 1e-15 * hi; i++) {
		double mid = lo + (hi - lo) / 2;

		if (rb_stats_t_p2(mid, df) > target)
			lo = mid;
		else
			hi = mid;
	}
	return p < 0.5 ? -(lo + (hi - lo) / 2) : lo + (hi - lo) / 2;
}

int rb_stats_ttest(const double *x, size_t nx, const double *y, size_t ny,
		   struct rb_ttest *out)
{
	double mx, my, ss = 0;

	if (!x || !y || !out || nx == 0 || ny == 0 || nx + ny < 3)
		return -EINVAL;
	for (size_t i = 0; i < nx; i++)
		if (!isfinite(x[i]))
			return -EINVAL;
	for (size_t i = 0; i < ny; i++)
		if (!isfinite(y[i]))
			return -EINVAL;
	mx = rb_stats_mean(x, nx);
	my = rb_stats_mean(y, ny);
	for (size_t i = 0; i < nx; i++)
		ss += (x[i] - mx) * (x[i] - mx);
	for (size_t i = 0; i < ny; i++)
		ss += (y[i] - my) * (y[i] - my);
	out->df = (double)(nx + ny - 2);
	out->diff = mx - my;
	out->se = sqrt(ss / out->df * (1.0 / (double)nx + 1.0 / (double)ny));
	if (out->se > 0) {
		out->t = out->diff / out->se;
		out->p = rb_stats_t_p2(out->t, out->df);
	} else {
		/* no spread at all: any difference is certain, none is none */
		out->t = out->diff == 0 ? 0 : copysign(INFINITY, out->diff);
		out->p = out->diff == 0 ? 1 : 0;
	}
	return 0;
}

int rb_stats_ttest_ci(const struct rb_ttest *t, double conf, struct rb_ci *ci)
{
	if (!t || !ci || !(conf > 0 && conf < 1) || !(t->df > 0))
		return -EINVAL;
	double h = rb_stats_t_quantile((1 + conf) / 2, t->df) * t->se;

	ci->lo = t->diff - h;
	ci->hi = t->diff + h;
	return 0;
}

int rb_stats_rounds_ttest(const struct rb_arm *a, const struct rb_arm *b,
			  struct rb_ttest *out)
{
	double *la, *lb;
	int rc;

	if (rb_stats_arm_check(a) || rb_stats_arm_check(b) || !out)
		return -EINVAL;
	if (a->n_rounds + b->n_rounds < 3)
		return -EDOM;
	la = malloc(a->n_rounds * sizeof(*la));
	lb = malloc(b->n_rounds * sizeof(*lb));
	if (!la || !lb) {
		rc = -ENOMEM;
		goto out;
	}
	rc = rb_stats_round_medians(a, la);
	if (!rc)
		rc = rb_stats_round_medians(b, lb);
	if (rc)
		goto out;
	for (unsigned r = 0; r < a->n_rounds; r++) {
		if (!(la[r] > 0)) {
			rc = -EDOM;
			goto out;
		}
		la[r] = log(la[r]);
	}
	for (unsigned r = 0; r < b->n_rounds; r++) {
		if (!(lb[r] > 0)) {
			rc = -EDOM;
			goto out;
		}
		lb[r] = log(lb[r]);
	}
	rc = rb_stats_ttest(lb, b->n_rounds, la, a->n_rounds, out);
out:
	free(la);
	free(lb);
	return rc;
}

int rb_stats_rounds_ci(const struct rb_ttest *t, double conf, struct rb_ci *ci)
{
	int rc = rb_stats_ttest_ci(t, conf, ci);

	if (rc)
		return rc;
	ci->lo = exp(ci->lo);
	ci->hi = exp(ci->hi);
	return 0;
}
