// SPDX-License-Identifier: GPL-2.0
/*
 * Multiplicity: Holm (1979) step-down FWER and Benjamini-Hochberg (1995)
 * step-up FDR adjusted p-values, with R's p.adjust conventions: the
 * adjusted values are monotone in p, capped at 1, and NaN entries are
 * left out (they stay NaN and do not count towards n).
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "stats/stats.h"

struct pi {
	double p;
	size_t i;
};

static int cmp_pi(const void *pa, const void *pb)
{
	const struct pi *a = pa, *b = pb;

	if (a->p != b->p)
		return (a->p > b->p) - (a->p < b->p);
	return (a->i > b->i) - (a->i < b->i);
}

/* Sorted copy of the non-NaN p-values; *m = their number. */
static int collect(const double *p, size_t n, struct pi **out, size_t *m)
{
	struct pi *s;
	size_t k = 0;

	if (!p || (n && !out))
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		if (!isnan(p[i]) && !(p[i] >= 0 && p[i] <= 1))
			return -EINVAL;
	s = malloc((n ? n : 1) * sizeof(*s));
	if (!s)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		if (!isnan(p[i]))
			s[k++] = (struct pi){ p[i], i };
	qsort(s, k, sizeof(*s), cmp_pi);
	*out = s;
	*m = k;
	return 0;
}

static void fill_nan(const double *p, size_t n, double *adj)
{
	for (size_t i = 0; i < n; i++)
		if (isnan(p[i]))
			adj[i] = NAN;
}

int rb_stats_p_holm(const double *p, size_t n, double *adj)
{
	struct pi *s;
	size_t m;
	double run = 0;
	int rc;

	if (!adj)
		return -EINVAL;
	rc = collect(p, n, &s, &m);
	if (rc)
		return rc;
	fill_nan(p, n, adj);
	/* adj(k) = max_{j <= k} min(1, (m - j + 1) p(j)), k = 1..m */
	for (size_t k = 0; k < m; k++) {
		double v = fmin(1.0, (double)(m - k) * s[k].p);

		run = fmax(run, v);
		adj[s[k].i] = run;
	}
	free(s);
	return 0;
}

int rb_stats_p_bh(const double *p, size_t n, double *adj)
{
	struct pi *s;
	size_t m;
	double run = 1;
	int rc;

	if (!adj)
		return -EINVAL;
	rc = collect(p, n, &s, &m);
	if (rc)
		return rc;
	fill_nan(p, n, adj);
	/* adj(k) = min_{j >= k} min(1, m / j p(j)), k = 1..m */
	for (size_t k = m; k > 0; k--) {
		double v = fmin(1.0, (double)m / (double)k * s[k - 1].p);

		run = fmin(run, v);
		adj[s[k - 1].i] = run;
	}
	free(s);
	return 0;
}

int rb_stats_p_adjust(enum rb_correction c, const double *p, size_t n, double *adj)
{
	switch (c) {
	case RB_CORR_HOLM:
		return rb_stats_p_holm(p, n, adj);
	case RB_CORR_BH:
		return rb_stats_p_bh(p, n, adj);
	case RB_CORR_NONE:
		if (!p || !adj)
			return -EINVAL;
		for (size_t i = 0; i < n; i++) {
			if (!isnan(p[i]) && !(p[i] >= 0 && p[i] <= 1))
				return -EINVAL;
		}
		for (size_t i = 0; i < n; i++)
			adj[i] = p[i];
		return 0;
	}
	return -EINVAL;
}
