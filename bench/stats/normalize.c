// SPDX-License-Identifier: GPL-2.0
/*
 * A metric's B/A set against a baseline's B/A: when two kernels are far
 * apart, "fsdax-pmd get 0.112x" means little until the same case on anon
 * (or THP) memory says how far the whole path moved.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "stats/stats.h"

/* out[r] = log(median of x's round r / median of base's round r) */
static int paired_logs(const struct rb_arm *x, const struct rb_arm *base, double *out)
{
	double *mb = malloc(base->n_rounds * sizeof(*mb));
	int rc;

	if (!mb)
		return -ENOMEM;
	rc = rb_stats_round_medians(x, out);
	if (!rc)
		rc = rb_stats_round_medians(base, mb);
	for (unsigned r = 0; !rc && r < x->n_rounds; r++) {
		if (!(out[r] > 0 && mb[r] > 0))
			rc = -EDOM;
		else
			out[r] = log(out[r] / mb[r]);
	}
	free(mb);
	return rc;
}

static int paired_ci(const struct rb_ab_metric *x, const struct rb_ab_metric *base, double point,
		     double conf, struct rb_ci *ci)
{
	double *la = malloc(x->a.n_rounds * sizeof(*la)), *lb = malloc(x->b.n_rounds * sizeof(*lb));
	struct rb_ttest t;
	int rc = la && lb ? 0 : -ENOMEM;

	if (!rc)
		rc = paired_logs(&x->a, &base->a, la);
	if (!rc)
		rc = paired_logs(&x->b, &base->b, lb);
	if (!rc)
		rc = rb_stats_ttest(lb, x->b.n_rounds, la, x->a.n_rounds, &t);
	if (!rc) {
		/* the paired spread, centred on the point the table shows */
		double h = rb_stats_t_quantile((1 + conf) / 2, t.df) * t.se;

		ci->lo = point * exp(-h);
		ci->hi = point * exp(h);
	}
	free(la);
	free(lb);
	return rc;
}

int rb_stats_normalized(const struct rb_ab_metric *x, const struct rb_ab_metric *base,
			const struct rb_ab_result *rx, const struct rb_ab_result *rbase,
			bool exact, double conf, double *ratio, struct rb_ci *ci)
{
	if (!x || !base || !rx || !rbase || !ratio || !ci || !(conf > 0 && conf < 1) ||
	    x->a.n_rounds != base->a.n_rounds || x->b.n_rounds != base->b.n_rounds)
		return -EINVAL;
	if (rx->status || rbase->status || !(rbase->ratio > 0))
		return -EDOM;
	*ratio = rx->ratio / rbase->ratio;
	if (!exact && x->a.n_rounds >= 2 && x->b.n_rounds >= 2)
		return paired_ci(x, base, *ratio, conf, ci);
	if (!(rbase->ci.lo > 0) || isnan(rx->ci.lo))
		return -EDOM;
	ci->lo = rx->ci.lo / rbase->ci.hi;
	ci->hi = rx->ci.hi / rbase->ci.lo;
	return 0;
}
