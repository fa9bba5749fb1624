// SPDX-License-Identifier: GPL-2.0
/*
 * TOST equivalence on the ratio, and the timed rule: the per-metric A/B
 * verdict decided by the per-boot test (see stats.h and README.md for the
 * rule and why).
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stats/impl.h"

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

const char *rb_family_name(enum rb_family f)
{
	switch (f) {
	case RB_FAMILY_PRIMARY:
		return "primary";
	case RB_FAMILY_SECONDARY:
		return "secondary";
	case RB_FAMILY_DERIVED:
		return "derived";
	}
	return "?";
}

const char *rb_bound_source_name(enum rb_bound_source s)
{
	switch (s) {
	case RB_BOUND_NONE:
		return "none";
	case RB_BOUND_DECLARED:
		return "declared";
	case RB_BOUND_BOOTS:
		return "boots";
	case RB_BOUND_RESOLUTION:
		return "resolution";
	case RB_BOUND_IDENTICAL:
		return "identical";
	}
	return "?";
}

static const char *const correction_names[] = {
	[RB_CORR_HOLM] = "holm", [RB_CORR_BH] = "bh", [RB_CORR_NONE] = "none",
};

const char *rb_correction_name(enum rb_correction c)
{
	return (unsigned)c < sizeof(correction_names) / sizeof(correction_names[0]) ?
	       correction_names[c] : "?";
}

int rb_correction_parse(const char *s)
{
	for (unsigned i = 0; i < sizeof(correction_names) / sizeof(correction_names[0]); i++)
		if (s && !strcmp(s, correction_names[i]))
			return (int)i;
	return -1;
}

int rb_stats_opts_check(const struct rb_stats_opts *o)
{
	if (!o || o->iters < 100 || !(o->alpha > 0 && o->alpha < 0.5) ||
	    !(o->margin > 0 && o->margin < 1) || !(o->power > 0 && o->power < 1) ||
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

/* ---- shared with the exact rule ---------------------------------------- */

int rb__result_init(const struct rb_ab_metric *m, struct rb_ab_result *r)
{
	const struct rb_ci none = { NAN, NAN };
	uint64_t seed = r->seed;

	memset(r, 0, sizeof(*r));
	r->seed = seed;
	r->med_a = r->med_b = r->ratio = r->delta = r->pct_change = NAN;
	r->p = r->p_adj = r->sd_rounds = r->sd_within = r->bound = NAN;
	r->ci = r->ci_tost = r->delta_ci = r->ci_boot = r->ci_rounds = none;
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
	r->delta = r->med_b - r->med_a;
	if (!(r->med_a > 0))
		return -EDOM;
	r->ratio = r->med_b / r->med_a;
	r->pct_change = 100 * (r->ratio - 1);
	return 0;
}

int rb__check_parents(const struct rb_ab_metric *m, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (m[i].family == RB_FAMILY_DERIVED &&
		    (m[i].parent >= n || m[m[i].parent].family == RB_FAMILY_DERIVED))
			return -EINVAL;
	return 0;
}

void rb__copy_derived(const struct rb_ab_metric *m, size_t n, struct rb_ab_result *res)
{
	for (size_t i = 0; i < n; i++) {
		const struct rb_ab_result *p = &res[m[i].parent];

		if (m[i].family != RB_FAMILY_DERIVED)
			continue;
		res[i].verdict = res[i].status ? RB_VERDICT_INCONCLUSIVE : p->verdict;
		res[i].significant = p->significant;
		res[i].within_margin = p->within_margin;
		res[i].equivalent = p->equivalent;
		res[i].reason = p->reason;
		res[i].p = res[i].p_adj = NAN;
		res[i].plan_rounds = 0;
	}
}

void rb__delta_ci(struct rb_ab_result *r)
{
	r->delta_ci.lo = r->med_a * (r->ci.lo - 1);
	r->delta_ci.hi = r->med_a * (r->ci.hi - 1);
}

/* ---- the timed rule ------------------------------------------------------ */

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

/* Pooled sd of log samples within rounds: the within-boot noise, for the
 * report and the plan. NaN without a positive sample pair to use. */
static double sd_within_log(const struct rb_arm *a, const struct rb_arm *b)
{
	double ss = 0;
	size_t df = 0;

	for (int arm = 0; arm < 2; arm++) {
		const struct rb_arm *x = arm ? b : a;

		for (unsigned r = 0; r < x->n_rounds; r++) {
			double mean = 0;

			for (unsigned i = 0; i < x->n[r]; i++) {
				if (!(x->x[r][i] > 0))
					return NAN;
				mean += log(x->x[r][i]) / x->n[r];
			}
			for (unsigned i = 0; i < x->n[r]; i++)
				ss += (log(x->x[r][i]) - mean) * (log(x->x[r][i]) - mean);
			df += x->n[r] - 1;
		}
	}
	return df ? sqrt(ss / (double)df) : NAN;
}

/* One metric, everything but p_adj and the verdict. 0, -EINVAL, -EDOM
 * (stored in r->status) or -ENOMEM (returned, aborts the report). */
static int one_metric(const struct rb_ab_metric *m, const struct rb_stats_opts *o,
		      double *reps, struct rb_ab_result *r)
{
	struct rb_ci boot_tost;
	int rc = rb__result_init(m, r);

	if (rc)
		return rc;
	rc = rb_stats_mwu_arms(&m->a, &m->b, RB_MWU_POOLED, &r->mwu);
	if (rc)
		return rc;
	rc = rb_stats_boot_ratio(&m->a, &m->b, o->iters, r->seed, reps, &r->ratio);
	if (rc)
		return rc;
	rb_stats_ci_from_reps(reps, o->iters, 1 - o->alpha, &r->ci_boot);
	rb_stats_ci_from_reps(reps, o->iters, 1 - 2 * o->alpha, &boot_tost);
	r->sd_within = sd_within_log(&m->a, &m->b);
	if (r->rounds_a + r->rounds_b >= 3) {
		/* a round median of 0 leaves no log scale: no verdict (-EDOM) */
		rc = rb_stats_rounds_ttest(&m->a, &m->b, &r->rounds);
		if (rc)
			return rc;
		rb_stats_rounds_ci(&r->rounds, 1 - o->alpha, &r->ci_rounds);
		r->sd_rounds = r->rounds.se / sqrt(1.0 / r->rounds_a + 1.0 / r->rounds_b);
	}
	if (r->rounds_a < 2 || r->rounds_b < 2) {
		/* no boot spread on one side: shown, never decided */
		r->ci = r->ci_boot;
		r->ci_tost = boot_tost;
		r->reason = "needs >= 2 boots per kernel";
		rb__delta_ci(r);
		return 0;
	}
	r->ci = r->ci_rounds;
	rb_stats_rounds_ci(&r->rounds, 1 - 2 * o->alpha, &r->ci_tost);
	rb__delta_ci(r);
	r->p = r->rounds.p;
	rb_stats_tost_ci(&r->ci_tost, o->margin, &r->equivalent);
	r->within_margin = r->equivalent;
	return 0;
}

/* p_adj within each tested family; family_size = how many were tested. */
static int adjust_families(const struct rb_ab_metric *m, size_t n, const struct rb_stats_opts *o,
			   struct rb_ab_result *res, double *p, double *adj)
{
	for (int fam = RB_FAMILY_PRIMARY; fam <= RB_FAMILY_SECONDARY; fam++) {
		size_t k = 0;
		int rc;

		for (size_t i = 0; i < n; i++) {
			bool in = m[i].family == (enum rb_family)fam && !res[i].status && !isnan(res[i].p);

			p[i] = in ? res[i].p : NAN;
			k += in;
		}
		rc = rb_stats_p_adjust(o->correction, p, n, adj);
		if (rc)
			return rc;
		for (size_t i = 0; i < n; i++)
			if (m[i].family == (enum rb_family)fam) {
				res[i].p_adj = adj[i];
				res[i].family_size = k;
			}
	}
	return 0;
}

static void decide(const struct rb_stats_opts *o, struct rb_ab_result *r)
{
	r->verdict = RB_VERDICT_INCONCLUSIVE;
	if (r->status || isnan(r->p_adj))
		return;
	r->significant = r->p_adj < o->alpha;
	if (r->significant)
		r->verdict = r->rounds.diff > 0 ? RB_VERDICT_SLOWER : RB_VERDICT_FASTER;
	else if (r->equivalent)
		r->verdict = RB_VERDICT_EQUIVALENT;
	if (r->verdict != RB_VERDICT_INCONCLUSIVE || isnan(r->sd_rounds) || !o->plan)
		return;
	/* the metric's share of its family's alpha: Holm's first step */
	r->plan_rounds = rb_stats_plan_rounds(r->sd_rounds, o->margin,
					      o->alpha / (double)(r->family_size ? r->family_size : 1),
					      o->alpha, o->power, 1000);
	if (!r->plan_rounds)
		r->reason = "boot spread too large: more than 1000 boots per kernel";
}

int rb_stats_compare(const struct rb_ab_metric *m, size_t n,
		     const struct rb_stats_opts *o, struct rb_ab_result *res)
{
	double *reps, *p = NULL, *adj = NULL;
	int rc = 0;

	if (rb_stats_opts_check(o) || (n && (!m || !res)) || rb__check_parents(m, n))
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
		res[i].seed = metric_seed(o->seed, m[i].name, i);
		res[i].status = one_metric(&m[i], o, reps, &res[i]);
		if (res[i].status == -ENOMEM) {
			rc = -ENOMEM;
			goto out;
		}
	}
	rc = adjust_families(m, n, o, res, p, adj);
	if (rc)
		goto out;
	for (size_t i = 0; i < n; i++)
		if (m[i].family != RB_FAMILY_DERIVED)
			decide(o, &res[i]);
	rb__copy_derived(m, n, res);
out:
	free(reps);
	free(p);
	free(adj);
	return rc;
}
