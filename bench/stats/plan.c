// SPDX-License-Identifier: GPL-2.0
/*
 * Power of the per-boot tests, the boot plan built on it, and the alpha a
 * sequential look may spend (Lan-DeMets, O'Brien-Fleming type).
 *
 * Powers are exact for normal round values: conditioned on the estimated
 * sd (sigma times a chi variate over sqrt(df)) the test statistic is a
 * normal event, so the power is one integral over the chi density,
 * done by Simpson's rule (2400 panels over +-12 sd of the chi).
 */
#include <math.h>
#include <stdlib.h>

#include "stats/stats.h"

double rb_stats_norm_cdf(double z)
{
	return 0.5 * erfc(-z / M_SQRT2);
}

/* Acklam's rational approximation, then one Halley step on erfc. */
double rb_stats_norm_quantile(double p)
{
	static const double a[] = { -3.969683028665376e+01, 2.209460984245205e+02,
		-2.759285104469687e+02, 1.383577518672690e+02, -3.066479806614716e+01,
		2.506628277459239e+00 };
	static const double b[] = { -5.447609879822406e+01, 1.615858368580409e+02,
		-1.556989798598866e+02, 6.680131188771972e+01, -1.328068155288572e+01 };
	static const double c[] = { -7.784894002430293e-03, -3.223964580411365e-01,
		-2.400758277161838e+00, -2.549732539343734e+00, 4.374664141464968e+00,
		2.938163982698783e+00 };
	static const double d[] = { 7.784695709041462e-03, 3.224671290700398e-01,
		2.445134137142996e+00, 3.754408661907416e+00 };
	double q, r, x, e, u;

	if (!(p > 0 && p < 1))
		return NAN;
	if (p < 0.02425 || p > 1 - 0.02425) {
		q = sqrt(-2 * log(p < 0.5 ? p : 1 - p));
		x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
		    ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
		if (p > 0.5)
			x = -x;
	} else {
		q = p - 0.5;
		r = q * q;
		x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
		    (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
	}
	e = rb_stats_norm_cdf(x) - p;
	u = e * sqrt(2 * M_PI) * exp(x * x / 2);
	return x - u / (1 + x * u / 2);
}

/* E[f(s)], s = chi_nu / sqrt(nu): the estimated sd over the true one. */
static double expect_over_sd(double nu, double (*f)(double s, const double *k), const double *k)
{
	enum { PANELS = 2400 };
	double mid = sqrt(nu), lo = fmax(0, mid - 12), hi = mid + 12;
	double h = (hi - lo) / PANELS, sum = 0;
	/* log of the chi density's constant, 2^(1 - nu/2) / Gamma(nu/2) */
	double lc = (1 - nu / 2) * log(2) - lgamma(nu / 2);

	for (int i = 0; i <= PANELS; i++) {
		double w = lo + i * h, wt = (i == 0 || i == PANELS) ? 1 : (i & 1) ? 4 : 2;
		double pdf = w > 0 ? exp(lc + (nu - 1) * log(w) - w * w / 2) : nu == 1 ? exp(lc) : 0;

		sum += wt * pdf * f(w / sqrt(nu), k);
	}
	return sum * h / 3;
}

/* k = { lambda, t_crit }: P(|Z + lambda| > t s) */
static double reject_two_sided(double s, const double *k)
{
	return rb_stats_norm_cdf(k[0] - k[1] * s) + rb_stats_norm_cdf(-k[0] - k[1] * s);
}

/* k = { delta/sd_d, eq/sd_d, t_crit }: P(-eq + t s < delta + Z < eq - t s) */
static double inside_both(double s, const double *k)
{
	double hi = k[1] - k[2] * s - k[0], lo = -k[1] + k[2] * s - k[0];

	return hi > lo ? rb_stats_norm_cdf(hi) - rb_stats_norm_cdf(lo) : 0;
}

static bool power_args_ok(double sigma, unsigned ra, unsigned rb, double alpha)
{
	return sigma >= 0 && isfinite(sigma) && ra >= 1 && rb >= 1 && ra + rb >= 3 &&
	       alpha > 0 && alpha < 1;
}

double rb_stats_t_power(double delta, double sigma, unsigned ra, unsigned rb, double alpha)
{
	double nu = (double)ra + rb - 2, sd_d = sigma * sqrt(1.0 / ra + 1.0 / rb), k[2];

	if (!power_args_ok(sigma, ra, rb, alpha) || !isfinite(delta))
		return NAN;
	if (sigma == 0)
		return delta != 0;
	k[0] = delta / sd_d;
	k[1] = rb_stats_t_quantile(1 - alpha / 2, nu);
	return fmin(1, expect_over_sd(nu, reject_two_sided, k));
}

double rb_stats_tost_power(double delta, double eq, double sigma, unsigned ra,
			   unsigned rb, double alpha)
{
	double nu = (double)ra + rb - 2, sd_d = sigma * sqrt(1.0 / ra + 1.0 / rb), k[3];

	if (!power_args_ok(sigma, ra, rb, alpha) || alpha >= 0.5 || !isfinite(delta) || !(eq > 0))
		return NAN;
	if (sigma == 0)
		return fabs(delta) < eq;
	k[0] = delta / sd_d;
	k[1] = eq / sd_d;
	k[2] = rb_stats_t_quantile(1 - alpha, nu);
	return fmin(1, expect_over_sd(nu, inside_both, k));
}

static bool plan_enough(unsigned r, double sigma, double eq, double alpha_test, double alpha,
			double power)
{
	return rb_stats_t_power(eq, sigma, r, r, alpha_test) >= power &&
	       rb_stats_tost_power(0, eq, sigma, r, r, alpha) >= power;
}

unsigned rb_stats_plan_rounds(double sigma, double margin, double alpha_test,
			      double alpha, double power, unsigned max)
{
	/* log(1 + m) is the narrower side of the band on the log scale */
	double eq = log1p(margin);
	unsigned lo = 1, hi = 2;

	if (!(sigma >= 0) || !(margin > 0 && margin < 1) || !(alpha_test > 0 && alpha_test < 1) ||
	    !(alpha > 0 && alpha < 0.5) || !(power > 0 && power < 1) || max < 2)
		return 0;
	/* both powers grow with r: double until enough, then bisect */
	while (!plan_enough(hi, sigma, eq, alpha_test, alpha, power)) {
		if (hi >= max)
			return 0;
		lo = hi;
		hi = hi * 2 > max ? max : hi * 2;
	}
	while (hi - lo > 1) {
		unsigned mid = lo + (hi - lo) / 2;

		if (plan_enough(mid, sigma, eq, alpha_test, alpha, power))
			hi = mid;
		else
			lo = mid;
	}
	return hi;
}

double rb_stats_spend_obf(double t, double alpha)
{
	if (!(alpha > 0 && alpha < 1) || isnan(t))
		return NAN;
	if (t <= 0)
		return 0;
	if (t >= 1)
		return alpha;
	return 2 * rb_stats_norm_cdf(-rb_stats_norm_quantile(1 - alpha / 2) / sqrt(t));
}

double rb_stats_look_alpha(unsigned r, unsigned rmax, unsigned first, double alpha)
{
	if (first < 1 || r < first || r > rmax)
		return NAN;
	if (r == first)
		return rb_stats_spend_obf((double)r / rmax, alpha);
	return rb_stats_spend_obf((double)r / rmax, alpha) -
	       rb_stats_spend_obf((double)(r - 1) / rmax, alpha);
}

int rb_stats_parse_fraction(const char *s, double hi, double *v)
{
	char *end;
	double x = strtod(s, &end);

	if (end == s)
		return -1;
	if (*end == '%')
		x /= 100, end++;
	if (*end || !(x > 0 && x < hi))
		return -1;
	*v = x;
	return 0;
}
