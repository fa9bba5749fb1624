// SPDX-License-Identifier: GPL-2.0
/*
 * The exact rule: deterministic mode counts instructions, so a difference
 * is a number with a stated resolution (the A/A bound), not a sample
 * from a distribution. See stats.h for the rule and README.md for why.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "stats/impl.h"

/* max - min of the round medians; NaN with one round. */
static int round_spread(const struct rb_arm *a, double *spread)
{
	double *med, lo = INFINITY, hi = -INFINITY;
	int rc;

	*spread = NAN;
	if (a->n_rounds < 2)
		return 0;
	med = malloc(a->n_rounds * sizeof(*med));
	if (!med)
		return -ENOMEM;
	rc = rb_stats_round_medians(a, med);
	for (unsigned r = 0; !rc && r < a->n_rounds; r++) {
		lo = fmin(lo, med[r]);
		hi = fmax(hi, med[r]);
	}
	if (!rc)
		*spread = hi - lo;
	free(med);
	return rc;
}

static bool all_equal(const struct rb_arm *a, double v)
{
	for (unsigned r = 0; r < a->n_rounds; r++)
		for (unsigned i = 0; i < a->n[r]; i++)
			if (a->x[r][i] != v)
				return false;
	return true;
}

/* Sets bound and bound_source; *known is false when there is no bound. */
static int find_bound(const struct rb_ab_metric *m, struct rb_ab_result *r, bool *known)
{
	double sa, sb;
	int rc = round_spread(&m->a, &sa);

	if (!rc)
		rc = round_spread(&m->b, &sb);
	if (rc)
		return rc;
	*known = m->has_bound || !isnan(sa) || !isnan(sb);
	r->bound = 0;
	r->bound_source = RB_BOUND_NONE;
	if (m->has_bound) {
		r->bound = m->bound;
		r->bound_source = RB_BOUND_DECLARED;
	}
	for (int k = 0; k < 3; k++) {
		double v = k == 0 ? sa : k == 1 ? sb : m->resolution;
		enum rb_bound_source s = k < 2 ? RB_BOUND_BOOTS : RB_BOUND_RESOLUTION;

		if (isnan(v) || (k == 2 && v == 0))	/* resolution 0: none given */
			continue;
		if (v > r->bound || r->bound_source == RB_BOUND_NONE) {
			r->bound = v;
			r->bound_source = s;
		}
	}
	return 0;
}

static int one_metric(const struct rb_ab_metric *m, double margin, struct rb_ab_result *r)
{
	bool known;
	double ad, lim;
	int rc = rb__result_init(m, r);

	/* a count can be 0 (a path without an atomic): a value, judged by B-A alone */
	if (rc == -EDOM && r->med_a == 0 && r->med_b >= 0) {
		rc = 0;
		r->ratio = r->med_b == 0 ? 1 : NAN;
		r->pct_change = r->med_b == 0 ? 0 : NAN;
	}
	if (rc)
		return rc;
	if ((m->has_bound && !(m->bound >= 0 && isfinite(m->bound))) ||
	    !(m->resolution >= 0 && isfinite(m->resolution)))
		return -EINVAL;
	rc = find_bound(m, r, &known);
	if (rc)
		return rc;
	if (!known) {
		if (r->delta == 0 && all_equal(&m->a, r->med_a) && all_equal(&m->b, r->med_a)) {
			r->bound = 0;
			r->bound_source = RB_BOUND_IDENTICAL;
		} else {
			r->bound = NAN;
			r->reason = "no A/A bound: give --bounds or >= 2 boots of one arm";
			r->verdict = RB_VERDICT_INCONCLUSIVE;
			return 0;
		}
	}
	ad = fabs(r->delta);
	/* A = 0 has no relative margin: within it only as far as the bound itself */
	lim = r->med_a ? margin * fabs(r->med_a) : r->bound;
	r->delta_ci = (struct rb_ci){ r->delta - r->bound, r->delta + r->bound };
	r->ci.lo = r->med_a ? (r->med_a + r->delta_ci.lo) / r->med_a : NAN;
	r->ci.hi = r->med_a ? (r->med_a + r->delta_ci.hi) / r->med_a : NAN;
	r->ci_tost = r->ci;
	r->significant = ad > r->bound;
	r->within_margin = ad + r->bound <= lim;
	r->equivalent = !r->significant && r->within_margin;
	if (r->significant)
		r->verdict = r->delta > 0 ? RB_VERDICT_SLOWER : RB_VERDICT_FASTER;
	else
		r->verdict = r->equivalent ? RB_VERDICT_EQUIVALENT : RB_VERDICT_INCONCLUSIVE;
	return 0;
}

int rb_stats_exact(const struct rb_ab_metric *m, size_t n,
		   const struct rb_stats_opts *o, struct rb_ab_result *res)
{
	if (rb_stats_opts_check(o) || (n && (!m || !res)) || rb__check_parents(m, n))
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		res[i].seed = 0;
		res[i].status = one_metric(&m[i], o->margin, &res[i]);
		if (res[i].status == -ENOMEM)
			return -ENOMEM;
		if (res[i].status)
			res[i].verdict = RB_VERDICT_INCONCLUSIVE;
	}
	rb__copy_derived(m, n, res);
	return 0;
}
