/* SPDX-License-Identifier: GPL-2.0 */
/*
 * refbench statistics: descriptives, a seeded PRNG, a hierarchical
 * bootstrap CI of the ratio B/A of medians, the Mann-Whitney U test, a
 * round-level t-test, TOST equivalence, Holm/BH correction and the
 * per-metric A/B verdict.
 *
 * Data model. Per metric, each arm (A = base kernel, B = patched kernel)
 * has R rounds; a round is one boot and is the unit of replication. Round
 * r holds n[r] >= 1 samples x[r][0..n[r]-1] (e.g. ns per page; lower is
 * better). Samples must be finite and >= 0 (costs); the ratio also needs
 * a median of A > 0.
 *
 * Conventions. Functions that can fail return 0 or a negative errno
 * (-EINVAL: bad argument or data, -EDOM: ratio undefined, -ENOMEM).
 * Nothing here keeps global state; randomness comes only from the
 * struct rb_rng passed in or from the seed in struct rb_stats_opts, so
 * the same input and seed always give bit-identical output.
 * The statistic is the pooled median; the methods, the decision rule and
 * why are in bench/stats/README.md.
 */
#ifndef RB_STATS_H
#define RB_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- data ------------------------------------------------------------ */

struct rb_arm {
	unsigned n_rounds;		/* R >= 1 */
	const double *const *x;		/* x[r][i], i < n[r] */
	const unsigned *n;		/* n[r] >= 1 */
};

/* 0 when the arm is usable: R >= 1, every n[r] >= 1, samples finite
 * and >= 0; else -EINVAL. */
int rb_stats_arm_check(const struct rb_arm *a);
size_t rb_stats_arm_total(const struct rb_arm *a);	/* sum of n[r] */

/* ---- descriptives ---------------------------------------------------- */
/* NAN for empty input (and for sd with n < 2). Only rb_stats_sort
 * modifies its input. */

double rb_stats_mean(const double *x, size_t n);
double rb_stats_sd(const double *x, size_t n);		/* n - 1 denominator */
void rb_stats_sort(double *x, size_t n);		/* ascending, in place */
/* Hyndman-Fan type 7 (R's default): h = (n-1)p, linear between order
 * statistics. p in [0, 1]. The _sorted variant needs ascending input. */
double rb_stats_quantile_sorted(const double *sorted, size_t n, double p);
double rb_stats_quantile(const double *x, size_t n, double p);
double rb_stats_median(const double *x, size_t n);
/* out[r] = median of round r; 0 or -EINVAL/-ENOMEM. */
int rb_stats_round_medians(const struct rb_arm *a, double *out);
/* Median of all samples of the arm pooled; NAN on bad arm or no memory. */
double rb_stats_pooled_median(const struct rb_arm *a);

/* ---- PRNG: xoshiro256** seeded by splitmix64 ------------------------- */

struct rb_rng {
	uint64_t s[4];
};

void rb_rng_seed(struct rb_rng *g, uint64_t seed);
uint64_t rb_rng_next(struct rb_rng *g);
uint64_t rb_rng_below(struct rb_rng *g, uint64_t bound);	/* [0, bound), unbiased */
double rb_rng_uniform(struct rb_rng *g);			/* [0, 1), 53 bits */

/* ---- options --------------------------------------------------------- */

enum rb_correction { RB_CORR_HOLM = 0, RB_CORR_BH = 1, RB_CORR_NONE = 2 };

#define RB_STATS_ITERS_DEFAULT 10000u
#define RB_STATS_MARGIN_DEFAULT 0.02
#define RB_STATS_ALPHA_DEFAULT 0.05
#define RB_STATS_CONF_DEFAULT 0.95
#define RB_STATS_SEED_DEFAULT UINT64_C(0x5eed0f4efbe4c4)

/* There is no "0 means default": a margin of 0 is an error, never a
 * silent 2%. Start from RB_STATS_OPTS_INIT and override fields. */
struct rb_stats_opts {
	unsigned iters;			/* bootstrap resamples, >= 100 */
	uint64_t seed;
	double conf;			/* reported CI level, (0, 1) */
	double alpha;			/* family error rate, (0, 0.5) */
	double margin;			/* equivalence margin m, (0, 1) */
	enum rb_correction correction;	/* across the metrics of a report */
};

#define RB_STATS_OPTS_INIT {						\
	.iters = RB_STATS_ITERS_DEFAULT, .seed = RB_STATS_SEED_DEFAULT,	\
	.conf = RB_STATS_CONF_DEFAULT, .alpha = RB_STATS_ALPHA_DEFAULT,	\
	.margin = RB_STATS_MARGIN_DEFAULT, .correction = RB_CORR_HOLM }

/* 0 or -EINVAL, checking every range above. */
int rb_stats_opts_check(const struct rb_stats_opts *o);

/* ---- bootstrap of the ratio of pooled medians ------------------------ */

struct rb_ci {
	double lo, hi;
};

/*
 * Hierarchical bootstrap of med(B)/med(A), med = median of the pooled
 * samples. Per resample and arm: draw R rounds with replacement, then
 * n[r] samples with replacement within each drawn round, and take the
 * median of everything drawn (with R == 1 this resamples samples only).
 * reps[0..iters-1] receives the resampled ratios sorted ascending; a
 * resample whose A median is 0 gives +inf (or 1 when B's is 0 too).
 * *ratio (may be NULL) receives the point estimate. -EDOM when the
 * median of A is 0.
 */
int rb_stats_boot_ratio(const struct rb_arm *a, const struct rb_arm *b,
			unsigned iters, uint64_t seed, double *reps, double *ratio);
/* Percentile interval: type-7 quantiles (1-conf)/2 and (1+conf)/2. */
int rb_stats_ci_from_reps(const double *sorted_reps, unsigned n, double conf,
			  struct rb_ci *ci);
/* The two above in one call (allocates the replicates). */
int rb_stats_ratio_ci(const struct rb_arm *a, const struct rb_arm *b,
		      unsigned iters, uint64_t seed, double conf,
		      double *ratio, struct rb_ci *ci);

/* ---- Mann-Whitney U (Wilcoxon rank-sum), two-sided ------------------- */

struct rb_mwu {
	double u;		/* U of x: #(x_i > y_j) + #(x_i == y_j)/2 */
	double p;		/* two-sided */
	double z;		/* normal score (0 when exact) */
	bool exact;		/* exact null distribution was used */
	bool ties;
};

/*
 * Exact p (the DP recurrence for the null distribution of U) when both
 * samples have fewer than RB_MWU_EXACT_MAX values and there are no ties,
 * as R's wilcox.test does; otherwise the normal approximation with the
 * tie correction of the variance and a continuity correction of 0.5.
 * Every value tied (zero variance of the ranks) gives p = 1.
 */
#define RB_MWU_EXACT_MAX 50
int rb_stats_mwu(const double *x, size_t nx, const double *y, size_t ny,
		 struct rb_mwu *out);

enum rb_mwu_on {
	RB_MWU_POOLED = 0,		/* all samples of each arm */
	RB_MWU_ROUND_MEDIANS = 1,	/* one value per round */
};
/* x = arm B, y = arm A: U > nA*nB/2 means B tends to be larger (slower). */
int rb_stats_mwu_arms(const struct rb_arm *a, const struct rb_arm *b,
		      enum rb_mwu_on on, struct rb_mwu *out);

/* ---- round level: Student t on log per-round medians ----------------- */

struct rb_ttest {
	double diff;		/* mean(x) - mean(y) */
	double se;		/* pooled-variance standard error of diff */
	double df;		/* nx + ny - 2 */
	double t, p;		/* two-sided; se == 0 gives p = (diff ? 0 : 1) */
};

/* Two-sided P(|T| >= |t|) for Student's t with df > 0 degrees of freedom. */
double rb_stats_t_p2(double t, double df);
/* q with P(T <= q) = p. */
double rb_stats_t_quantile(double p, double df);
/* Student's two-sample t-test, equal variances (R: t.test(var.equal=TRUE)).
 * Needs nx + ny >= 3. */
int rb_stats_ttest(const double *x, size_t nx, const double *y, size_t ny,
		   struct rb_ttest *out);
/* diff -/+ t_{(1+conf)/2, df} se */
int rb_stats_ttest_ci(const struct rb_ttest *t, double conf, struct rb_ci *ci);
/*
 * The t-test of log(per-round medians of B) against those of A: diff is
 * the log of the ratio of the geometric means of the round medians, and
 * its spread is the boot-to-boot spread. -EDOM when there are fewer than
 * 3 rounds in all (no degrees of freedom) or a round median is 0.
 */
int rb_stats_rounds_ttest(const struct rb_arm *a, const struct rb_arm *b,
			  struct rb_ttest *out);
/* That test's interval, as a ratio: exp(diff -/+ t se). */
int rb_stats_rounds_ci(const struct rb_ttest *t, double conf, struct rb_ci *ci);

/* ---- TOST equivalence on the ratio ----------------------------------- */

/* *equiv = the CI lies inside [1-margin, 1+margin] (inclusive). The CI
 * must be the (1-2*alpha) interval. -EINVAL unless 0 < margin < 1. */
int rb_stats_tost_ci(const struct rb_ci *ci, double margin, bool *equiv);
/* Bootstraps the (1-2*alpha) CI of B/A and applies the above. */
int rb_stats_tost(const struct rb_arm *a, const struct rb_arm *b,
		  unsigned iters, uint64_t seed, double alpha, double margin,
		  bool *equiv, struct rb_ci *ci);

/* ---- multiplicity ---------------------------------------------------- */

/* As R's p.adjust: NaN entries stay NaN and do not count in n. p and adj
 * may alias. -EINVAL for a p outside [0, 1]. */
int rb_stats_p_holm(const double *p, size_t n, double *adj);
int rb_stats_p_bh(const double *p, size_t n, double *adj);
int rb_stats_p_adjust(enum rb_correction c, const double *p, size_t n, double *adj);

/* ---- verdict --------------------------------------------------------- */

enum rb_verdict {
	RB_VERDICT_INCONCLUSIVE = 0,
	RB_VERDICT_EQUIVALENT,
	RB_VERDICT_FASTER,
	RB_VERDICT_SLOWER,
};
/* "inconclusive", "equivalent", "faster", "slower"; "?" if out of range. */
const char *rb_verdict_name(enum rb_verdict v);

struct rb_ab_metric {
	const char *name;	/* optional; seeds the metric's own stream */
	struct rb_arm a, b;
};

struct rb_ab_result {
	int status;		/* 0, or -EINVAL/-EDOM: verdict inconclusive */
	unsigned rounds_a, rounds_b;
	size_t n_a, n_b;	/* pooled sample counts */
	double med_a, med_b;	/* pooled medians */
	double ratio;		/* med_b / med_a */
	/* Intervals of the ratio. ci and ci_tost are the ones the verdict
	 * uses and the report shows: the hull of the bootstrap interval and,
	 * when there are rounds to compare, the round-level t interval. */
	struct rb_ci ci;		/* opts.conf (95%) */
	struct rb_ci ci_tost;		/* 1 - 2 alpha (90%) */
	struct rb_ci ci_boot;		/* opts.conf, hierarchical bootstrap */
	struct rb_ci ci_rounds;		/* opts.conf, t on log round medians */
	bool equivalent;		/* ci_tost inside [1-m, 1+m] */
	struct rb_mwu mwu;		/* pooled samples, x = B, y = A */
	struct rb_ttest rounds;		/* log round medians, x = B; df 0: none */
	double p;		/* max(mwu.p, rounds.p): both must agree */
	double p_adj;		/* p corrected across the metrics with status 0 */
	uint64_t seed;		/* the metric's bootstrap seed */
	enum rb_verdict verdict;
};

/*
 * For each metric: pooled medians and their ratio; the hierarchical
 * bootstrap CIs; the MWU on pooled samples; the t-test and t interval on
 * log round medians (when rounds_a + rounds_b >= 3); then the p-values
 * corrected across metrics (opts.correction); then the verdict:
 *   equivalent   if ci_tost lies inside [1-m, 1+m];
 *   slower       else if ci.lo > 1, p_adj < alpha and U_B > nA*nB/2;
 *   faster       else if ci.hi < 1, p_adj < alpha and U_B < nA*nB/2;
 *   inconclusive otherwise, and for a metric whose status is not 0.
 * With one round per arm nothing measures the boot-to-boot spread:
 * rounds.df is 0 (rounds.p and ci_rounds NaN), ci = ci_boot, p = mwu.p,
 * and the verdict assumes there is none (the report should say so).
 * When the rounds of each arm all have the same median (rounds.se == 0)
 * the round interval is a point and is left out of the hulls, so
 * zero-variance data give ci == ci_tost == [ratio, ratio] exactly.
 * The seed of metric i is derived from opts.seed and its name, or from i
 * when name is NULL: give names, and adding or reordering metrics leaves
 * the others' results unchanged.
 * Returns 0 (per-metric problems are in res[i].status), -EINVAL for bad
 * options, -ENOMEM.
 */
int rb_stats_compare(const struct rb_ab_metric *m, size_t n,
		     const struct rb_stats_opts *opts, struct rb_ab_result *res);

#endif /* RB_STATS_H */
