// SPDX-License-Identifier: GPL-2.0
/*
 * TOST equivalence on the ratio, and the per-metric A/B verdict of a
 * report (see stats.h and README.md for the decision rule and why).
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stats/stats.h"

const char *rb_verdict_name(enum rb_verdict v)
{
	switch (v) {
	case RB_VERDICT_INCONCLUSIVE:
		return "inconclusive";
	case RB_VERDICT_EQUIVALENT:
		return "equivalent";
	case RB_VERDICT_FASTER:
		return "faster";
	case RB_VERDICT_SLOWER:
		return "slower";
	}
	return "?";
}

int rb_stats_opts_check(const struct rb_stats_opts *o)
{
	if (!o || o->iters < 100 || !(o->conf > 0 && o->conf < 1) ||
	    !(o->alpha > 0 && o->alpha < 0.5) ||
	    !(o->margin > 0 && o->margin < 1) ||
	    (o->correction != RB_CORR_HOLM && o->correction != RB_CORR_BH &&
	     o->correction != RB_CORR_NONE))
		return -EINVAL;
	return 0;
}

int rb_stats_tost_ci(const struct rb_ci *ci, double margin, bool *equiv)
{
	if (!ci || !equiv || !(margin > 0 && margin < 1))
		return -EINVAL;
	*equiv = ci->lo >= 1 - margin && ci->hi <= 1 + margin;
	return 0;
}

int rb_stats_tost(const struct rb_arm *a, const struct rb_arm *b,
		  unsigned iters, uint64_t seed, double alpha, double margin,
		  bool *equiv, struct rb_ci *ci)
{
	struct rb_ci c;
	int rc;

	if (!equiv || !(margin > 0 && margin < 1) || !(alpha > 0 && alpha < 0.5))
		return -EINVAL;
	rc = rb_stats_ratio_ci(a, b, iters, seed, 1 - 2 * alpha, NULL, &c);
	if (rc)
		return rc;
	if (ci)
		*ci = c;
	return rb_stats_tost_ci(&c, margin, equiv);
}

static uint64_t mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

static uint64_t metric_seed(uint64_t seed, const char *name, size_t i)
{
	uint64_t h = UINT64_C(0xcbf29ce484222325);	/* FNV-1a 64 */

	if (name) {
		for (const unsigned char *s = (const unsigned char *)name; *s; s++)
			h = (h ^ *s) * UINT64_C(0x100000001b3);
	} else {
		h ^= mix64(i + 1);
	}
	return mix64(seed ^ mix64(h));
}

static struct rb_ci hull(struct rb_ci x, struct rb_ci y)
{
	return (struct rb_ci){ fmin(x.lo, y.lo), fmax(x.hi, y.hi) };
}

/* One metric, everything but p_adj and the verdict. 0, -EINVAL, -EDOM
 * (stored in r->status) or -ENOMEM (returned, aborts the report). */
static int one_metric(const struct rb_ab_metric *m, const struct rb_stats_opts *o,
		      double *reps, struct rb_ab_result *r)
{
	const struct rb_ci none = { NAN, NAN };
	struct rb_ci rt;
	int rc;

	r->med_a = r->med_b = r->ratio = r->p = r->p_adj = NAN;
	r->ci = r->ci_tost = r->ci_boot = r->ci_rounds = none;
	r->mwu.p = r->rounds.p = NAN;
	if (rb_stats_arm_check(&m->a) || rb_stats_arm_check(&m->b))
		return -EINVAL;
	r->rounds_a = m->a.n_rounds;
	r->rounds_b = m->b.n_rounds;
	r->n_a = rb_stats_arm_total(&m->a);
	r->n_b = rb_stats_arm_total(&m->b);
	r->med_a = rb_stats_pooled_median(&m->a);
	r->med_b = rb_stats_pooled_median(&m->b);
	if (isnan(r->med_a) || isnan(r->med_b))
		return -ENOMEM;
	rc = rb_stats_mwu_arms(&m->a, &m->b, RB_MWU_POOLED, &r->mwu);
	if (rc)
		return rc;
	rc = rb_stats_boot_ratio(&m->a, &m->b, o->iters, r->seed, reps, &r->ratio);
	if (rc)
		return rc;
	rb_stats_ci_from_reps(reps, o->iters, o->conf, &r->ci_boot);
	rb_stats_ci_from_reps(reps, o->iters, 1 - 2 * o->alpha, &r->ci_tost);
	r->ci = r->ci_boot;
	r->p = r->mwu.p;
	if (r->rounds_a + r->rounds_b >= 3) {
		/* Between-boot evidence: a round median of 0 leaves no log
		 * scale and so no verdict (-EDOM). */
		rc = rb_stats_rounds_ttest(&m->a, &m->b, &r->rounds);
		if (rc)
			return rc;
		rb_stats_rounds_ci(&r->rounds, o->conf, &r->ci_rounds);
		rb_stats_rounds_ci(&r->rounds, 1 - 2 * o->alpha, &rt);
		/* se == 0: the boots of each arm agree exactly, so there is
		 * no boot spread for the bootstrap to miss; its interval
		 * (which then collapses onto the point ratio exactly, not to
		 * within an ulp of exp(log)) stands alone. */
		if (r->rounds.se > 0) {
			r->ci = hull(r->ci, r->ci_rounds);
			r->ci_tost = hull(r->ci_tost, rt);
		}
		r->p = fmax(r->p, r->rounds.p);
	}
	rb_stats_tost_ci(&r->ci_tost, o->margin, &r->equivalent);
	return 0;
}

int rb_stats_compare(const struct rb_ab_metric *m, size_t n,
		     const struct rb_stats_opts *o, struct rb_ab_result *res)
{
	double *reps, *p = NULL, *adj = NULL;
	int rc = 0;

	if (rb_stats_opts_check(o) || (n && (!m || !res)))
		return -EINVAL;
	if (n == 0)
		return 0;
	reps = malloc(o->iters * sizeof(*reps));
	p = malloc(n * sizeof(*p));
	adj = malloc(n * sizeof(*adj));
	if (!reps || !p || !adj) {
		rc = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		struct rb_ab_result *r = &res[i];

		memset(r, 0, sizeof(*r));
		r->seed = metric_seed(o->seed, m[i].name, i);
		r->status = one_metric(&m[i], o, reps, r);
		if (r->status == -ENOMEM) {
			rc = -ENOMEM;
			goto out;
		}
		/* A metric with no verdict takes no share of alpha. */
		p[i] = r->status ? NAN : r->p;
	}
	rc = rb_stats_p_adjust(o->correction, p, n, adj);
	if (rc)
		goto out;
	for (size_t i = 0; i < n; i++) {
		struct rb_ab_result *r = &res[i];
		double half = (double)r->n_a * (double)r->n_b / 2;

		r->verdict = RB_VERDICT_INCONCLUSIVE;
		if (r->status)
			continue;
		r->p_adj = adj[i];
		if (r->equivalent)
			r->verdict = RB_VERDICT_EQUIVALENT;
		else if (r->ci.lo > 1 && r->p_adj < o->alpha && r->mwu.u > half)
			r->verdict = RB_VERDICT_SLOWER;
		else if (r->ci.hi < 1 && r->p_adj < o->alpha && r->mwu.u < half)
			r->verdict = RB_VERDICT_FASTER;
	}
out:
	free(reps);
	free(p);
	free(adj);
	return rc;
}
