/* SPDX-License-Identifier: GPL-2.0 */
/*
 * refbench statistics: descriptives, a seeded PRNG, a hierarchical
 * bootstrap CI of the ratio B/A of medians, the Mann-Whitney U test, a
 * round-level t-test, TOST equivalence, Holm/BH correction, the
 * per-metric A/B verdict (the timed rule and the exact rule), power and
 * the boot plan, alpha spending for sequential looks, and the
 * baseline-normalised ratio.
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
/* "holm", "bh", "none"; "?" if out of range */
const char *rb_correction_name(enum rb_correction c);
/* -1 when s names none of them */
int rb_correction_parse(const char *s);

#define RB_STATS_ITERS_DEFAULT 10000u
#define RB_STATS_MARGIN_DEFAULT 0.02
#define RB_STATS_ALPHA_DEFAULT 0.05
#define RB_STATS_SEED_DEFAULT UINT64_C(0x5eed0f4efbe4c4)
#define RB_STATS_POWER_DEFAULT 0.8

/* A fraction as a user writes it, "0.02" or "2%": 0 and *v, or -1 when
 * it is not a number in (0, hi). --margin takes (0, 1), --alpha (0, 0.5). */
int rb_stats_parse_fraction(const char *s, double hi, double *v);

/* There is no "0 means default": a margin of 0 is an error, never a
 * silent 2%. Start from RB_STATS_OPTS_INIT and override fields.
 * alpha sets every level: intervals are (1 - alpha), the equivalence
 * test uses the (1 - 2 alpha) interval. */
struct rb_stats_opts {
	unsigned iters;			/* bootstrap resamples, >= 100 */
	uint64_t seed;
	double alpha;			/* family error rate, (0, 0.5) */
	double margin;			/* equivalence margin m, (0, 1) */
	enum rb_correction correction;	/* within each family of a report */
	double power;			/* the boot plan's target, (0, 1) */
	bool plan;			/* compute boot plans (simulations skip them) */
};

#define RB_STATS_OPTS_INIT {						\
	.iters = RB_STATS_ITERS_DEFAULT, .seed = RB_STATS_SEED_DEFAULT,	\
	.alpha = RB_STATS_ALPHA_DEFAULT, .margin = RB_STATS_MARGIN_DEFAULT, \
	.correction = RB_CORR_HOLM, .power = RB_STATS_POWER_DEFAULT, .plan = true }

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

/* ---- verdicts -------------------------------------------------------- */

enum rb_verdict {
	RB_VERDICT_INCONCLUSIVE = 0,
	RB_VERDICT_EQUIVALENT,
	RB_VERDICT_FASTER,
	RB_VERDICT_SLOWER,
};
/* "inconclusive", "equivalent", "faster", "slower"; "?" if out of range. */
const char *rb_verdict_name(enum rb_verdict v);

/* Which family a metric's test belongs to (README.md, "The family"). */
enum rb_family {
	RB_FAMILY_PRIMARY = 0,	/* the headline: corrected together */
	RB_FAMILY_SECONDARY,	/* shown; corrected as a family of its own */
	RB_FAMILY_DERIVED,	/* a rate from another metric's window: not tested twice */
};
const char *rb_family_name(enum rb_family f);	/* "primary", ... */

/* Where the exact rule's A/A bound came from. */
enum rb_bound_source {
	RB_BOUND_NONE = 0,	/* unknown: no declared bound, one boot per arm */
	RB_BOUND_DECLARED,	/* declared (refbench bounds file) */
	RB_BOUND_BOOTS,		/* between-boot spread seen in this comparison */
	RB_BOUND_RESOLUTION,	/* the samples' own resolution */
	RB_BOUND_IDENTICAL,	/* unknown, but every sample of both arms identical */
};
const char *rb_bound_source_name(enum rb_bound_source s);	/* "declared", ... */

struct rb_ab_metric {
	const char *name;	/* optional; seeds the metric's own stream */
	struct rb_arm a, b;
	enum rb_family family;
	size_t parent;		/* DERIVED: index of the metric it is derived from */
	/* exact rule only */
	bool has_bound;		/* bound holds a declared A/A bound */
	double bound;		/* >= 0, in the metric's unit */
	double resolution;	/* largest per-sample resolution (unit); 0: none */
};

struct rb_ab_result {
	int status;		/* 0, or -EINVAL/-EDOM: verdict inconclusive */
	const char *reason;	/* why inconclusive for want of data; NULL else */
	unsigned rounds_a, rounds_b;
	size_t n_a, n_b;	/* pooled sample counts */
	double med_a, med_b;	/* pooled medians */
	double ratio;		/* med_b / med_a */
	double delta;		/* med_b - med_a, in the unit */
	double pct_change;	/* 100 (ratio - 1), as lkp prints it */
	/* The intervals the verdict uses (the timed rule: the round-level t
	 * interval; the exact rule: delta -/+ bound). */
	struct rb_ci ci;		/* ratio, 1 - alpha */
	struct rb_ci ci_tost;		/* ratio, 1 - 2 alpha (exact: = ci) */
	struct rb_ci delta_ci;		/* B - A in the unit: med_a (ci - 1) */
	/* descriptive (timed rule) */
	struct rb_ci ci_boot;		/* 1 - alpha, hierarchical bootstrap */
	struct rb_ci ci_rounds;		/* 1 - alpha, t on log round medians */
	struct rb_mwu mwu;		/* pooled samples, x = B, y = A */
	struct rb_ttest rounds;		/* log round medians, x = B; df 0: none */
	double sd_rounds;	/* pooled sd of log round medians (NaN: < 2 per arm) */
	double sd_within;	/* pooled sd of log samples within rounds */
	double p;		/* rounds.p: the test that decides */
	double p_adj;		/* p corrected within the metric's family */
	size_t family_size;	/* metrics tested in that family */
	bool equivalent;	/* ci_tost inside [1-m, 1+m] */
	bool significant;	/* p_adj < alpha (exact: |delta| > bound) */
	bool within_margin;	/* ci_tost inside [1-m, 1+m] */
	/* the exact rule */
	double bound;		/* b, in the unit */
	enum rb_bound_source bound_source;
	/* the boot plan (timed, inconclusive): boots per kernel that would
	 * decide the metric at +-m with opts.power; 0: none found <= 1000,
	 * or no estimate of the boot spread (reason says which) */
	unsigned plan_rounds;
	uint64_t seed;		/* the metric's bootstrap seed */
	enum rb_verdict verdict;
};

/*
 * The timed rule (clock in ns; bench/stats/README.md has why):
 *   the per-boot test decides: Student's t on log round medians, B
 *   against A, p = rounds.p, corrected within the metric's family;
 *   ci = its (1 - alpha) interval, ci_tost its (1 - 2 alpha) one;
 *     significant   p_adj < alpha
 *     slower/faster significant, by the sign of the shift, with
 *                   within_margin = ci_tost inside [1-m, 1+m];
 *     equivalent    not significant and ci_tost inside [1-m, 1+m];
 *     inconclusive  otherwise, and whenever an arm has < 2 rounds
 *                   (reason "needs >= 2 boots per kernel").
 * The pooled Mann-Whitney test and the hierarchical bootstrap are
 * computed and reported, but decide nothing (pseudo-replication).
 * A DERIVED metric gets its own ratio and intervals, takes no share of
 * alpha, and copies the verdict of m[parent] (which must not be DERIVED).
 * Inconclusive metrics get a boot plan.
 * The seed of metric i is derived from opts.seed and its name, or from i
 * when name is NULL: give names, and adding or reordering metrics leaves
 * the others' results unchanged.
 * Returns 0 (per-metric problems are in res[i].status), -EINVAL for bad
 * options or a bad parent, -ENOMEM.
 */
int rb_stats_compare(const struct rb_ab_metric *m, size_t n,
		     const struct rb_stats_opts *opts, struct rb_ab_result *res);

/*
 * The exact rule (deterministic mode: every value an instruction count).
 * Not statistical: no p-values, no correction. Per metric
 *   delta = med_b - med_a; the bound b >= 0 is the largest of the
 *   declared bound, the between-boot spread (max - min of the round
 *   medians, in each arm with >= 2 rounds) and the resolution;
 *   bound_source names the one that set it (ties: declared first).
 *   Known bound (declared, or an arm with >= 2 rounds):
 *     |delta| > b   slower/faster by the sign of delta, within_margin
 *                   = |delta| + b <= m |med_a|;
 *     |delta| <= b  equivalent if |delta| + b <= m |med_a|, else
 *                   inconclusive.
 *     delta_ci = [delta - b, delta + b]; ci = ci_tost = 1 + delta_ci/med_a.
 *   Unknown bound: equivalent (bound 0, source IDENTICAL) when every
 *   sample of both arms is the same number, else inconclusive with the
 *   reason "no A/A bound: give --bounds or >= 2 boots of one arm".
 * DERIVED metrics copy their parent's verdict, as in the timed rule.
 * opts: margin is used; alpha, iters and correction are not.
 */
int rb_stats_exact(const struct rb_ab_metric *m, size_t n,
		   const struct rb_stats_opts *opts, struct rb_ab_result *res);

/* ---- the normal distribution ----------------------------------------- */

double rb_stats_norm_cdf(double z);
double rb_stats_norm_quantile(double p);	/* NaN outside (0, 1) */

/* ---- power, the boot plan and sequential looks ----------------------- */

/*
 * Power of the two-sided pooled two-sample t-test at level alpha
 * (df = ra + rb - 2) when the true shift of the means is delta and one
 * round's value has sd sigma: P(|T'| > t_{1-alpha/2, df}), T' noncentral
 * t with lambda = delta / (sigma sqrt(1/ra + 1/rb)). Computed by
 * quadrature over the chi distribution of the estimated sd, so exact to
 * about 1e-7. NaN for bad input.
 */
double rb_stats_t_power(double delta, double sigma, unsigned ra, unsigned rb, double alpha);
/* Power of TOST (two one-sided t-tests at alpha, bounds -/+ eq) when the
 * true shift is delta: P(the (1 - 2 alpha) t interval lies in (-eq, eq)). */
double rb_stats_tost_power(double delta, double eq, double sigma, unsigned ra,
			   unsigned rb, double alpha);
/*
 * The boot plan: the smallest R >= 2 (boots per kernel, both arms) such
 * that, with round sd sigma on the log scale, a true change of +-m is
 * detected with probability >= power by the t-test at alpha_test (the
 * metric's share of its family's alpha), and no change is shown
 * equivalent within +-m with probability >= power by TOST at alpha.
 * 0 when no R <= max does it.
 */
unsigned rb_stats_plan_rounds(double sigma, double margin, double alpha_test,
			      double alpha, double power, unsigned max);
/* Lan-DeMets O'Brien-Fleming-type spending: 2 - 2 Phi(z_{1-alpha/2} / sqrt(t)),
 * t in (0, 1] the information fraction. */
double rb_stats_spend_obf(double t, double alpha);
/*
 * The alpha a sequential look may use: looks at every round from
 * `first` to rmax (rounds per arm), information fraction r / rmax;
 * look r gets spend(r/rmax) - spend((r-1)/rmax), the first look all of
 * spend(first/rmax). Their sum over all looks is alpha, so by the union
 * bound the error rate over every look stays <= alpha (conservative:
 * the looks' correlation is not used). NaN when r < first or r > rmax.
 */
double rb_stats_look_alpha(unsigned r, unsigned rmax, unsigned first, double alpha);

/* ---- baseline-normalised ratio --------------------------------------- */

/*
 * x's B/A divided by its baseline's B/A (the same boots: arms must have
 * the same round counts), point = rx->ratio / rbase->ratio. Interval at
 * conf: with >= 2 rounds per arm and exact == false, from the per-round
 * log ratios log(median_x,r / median_base,r) compared between arms by
 * the round t-test (the boot's luck cancels within a boot); otherwise
 * interval arithmetic on the two ci: [x.lo / base.hi, x.hi / base.lo].
 */
int rb_stats_normalized(const struct rb_ab_metric *x, const struct rb_ab_metric *base,
			const struct rb_ab_result *rx, const struct rb_ab_result *rbase,
			bool exact, double conf, double *ratio, struct rb_ci *ci);

#endif /* RB_STATS_H */
