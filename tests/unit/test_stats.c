// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of bench/stats: reference values from independent tools are
 * embedded as literals, each with its source:
 *   [R]    R 4.2.2 (Debian bookworm r-base-core 4.2.2.20221110-2):
 *          quantile(type = 7), median, mean, sd, wilcox.test, p.adjust,
 *          t.test(var.equal = TRUE), pt, qt. Printed with digits = 17.
 *   [doc]  the example of R's ?wilcox.test (Hollander & Wolfe 1973) and
 *          ?t.test (the sleep data, Student 1908).
 *   [BH95] Benjamini & Hochberg (1995), JRSS B 57:289, the 15 p-values of
 *          their worked example; adjusted values from [R] p.adjust.
 *   [xo]   rust-random/rngs, rand_xoshiro xoshiro256starstar.rs test
 *          "reference" ("produced with the reference implementation").
 *   [sm]   splitmix64 from 0, the first outputs published with Vigna's
 *          splitmix64.c (also in many ports, e.g. Java's SplittableRandom).
 * The rest are property tests on synthetic data made with a fixed seed.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "stats/stats.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* |got - want| <= rel * max(|want|, tiny) */
#define assert_close(got, want, rel) do {					\
	double g_ = (got), w_ = (want), r_ = (rel);				\
	double tol_ = r_ * fmax(fabs(w_), 1e-300);				\
	if (!(fabs(g_ - w_) <= tol_))						\
		fail_msg("%s = %.17g, want %.17g (rel %g)", #got, g_, w_, r_);	\
} while (0)

/* ---- synthetic data -------------------------------------------------- */

static double gauss(struct rb_rng *g)
{
	double u1 = rb_rng_uniform(g), u2 = rb_rng_uniform(g);

	return sqrt(-2 * log(1 - u1)) * cos(2 * M_PI * u2);
}

/* An arm whose data the test owns: R rounds of n samples each,
 * x = level * exp(boot effect + noise), both log-normal. */
struct synth {
	struct rb_arm arm;
	double *buf;
	const double **rows;
	unsigned *n;
};

static void synth_make(struct synth *s, struct rb_rng *g, unsigned R, unsigned n,
		       double level, double sd_within, double sd_boot)
{
	s->buf = malloc(sizeof(double) * R * n);
	s->rows = malloc(sizeof(double *) * R);
	s->n = malloc(sizeof(unsigned) * R);
	assert_non_null(s->buf);
	assert_non_null(s->rows);
	assert_non_null(s->n);
	for (unsigned r = 0; r < R; r++) {
		double b = sd_boot * gauss(g);

		s->rows[r] = s->buf + (size_t)r * n;
		s->n[r] = n;
		for (unsigned i = 0; i < n; i++)
			s->buf[(size_t)r * n + i] = level * exp(b + sd_within * gauss(g));
	}
	s->arm = (struct rb_arm){ R, s->rows, s->n };
}

/* Rounds given explicitly: round r holds n copies of level[r]
 * times (1 + jitter * u), u uniform in [-1, 1). */
static void synth_levels(struct synth *s, struct rb_rng *g, unsigned R, unsigned n,
			 const double *level, double jitter)
{
	synth_make(s, g, R, n, 1, 0, 0);
	for (unsigned r = 0; r < R; r++)
		for (unsigned i = 0; i < n; i++)
			s->buf[(size_t)r * n + i] = level[r] *
				(1 + jitter * (2 * rb_rng_uniform(g) - 1));
}

static void synth_free(struct synth *s)
{
	free(s->buf);
	free(s->rows);
	free(s->n);
}

/* ---- PRNG ------------------------------------------------------------ */

static void test_rng_reference(void **st)
{
	/* [xo] state {1, 2, 3, 4} */
	static const uint64_t want[] = {
		11520u, 0u, 1509978240u, UINT64_C(1215971899390074240),
		UINT64_C(1216172134540287360), UINT64_C(607988272756665600),
		UINT64_C(16172922978634559625), UINT64_C(8476171486693032832),
		UINT64_C(10595114339597558777), UINT64_C(2904607092377533576),
	};
	struct rb_rng g = { { 1, 2, 3, 4 } };

	(void)st;
	for (size_t i = 0; i < N_OF(want); i++)
		assert_true(rb_rng_next(&g) == want[i]);
	/* [sm] seeding with 0 fills the state with splitmix64's outputs */
	rb_rng_seed(&g, 0);
	assert_true(g.s[0] == UINT64_C(0xe220a8397b1dcdaf));
	assert_true(g.s[1] == UINT64_C(0x6e789e6aa1b965f4));
	assert_true(g.s[2] == UINT64_C(0x06c45d188009454f));
	assert_true(g.s[3] == UINT64_C(0xf88bb8a8724c81ec));
}

static void test_rng_ranges(void **st)
{
	struct rb_rng g, h;
	unsigned hits[7] = { 0 };

	(void)st;
	rb_rng_seed(&g, 42);
	rb_rng_seed(&h, 42);
	for (int i = 0; i < 100; i++)
		assert_true(rb_rng_next(&g) == rb_rng_next(&h));
	for (int i = 0; i < 70000; i++) {
		uint64_t v = rb_rng_below(&g, 7);
		double u = rb_rng_uniform(&g);

		assert_true(v < 7);
		assert_true(u >= 0 && u < 1);
		hits[v]++;
	}
	/* each face ~10000, sd ~92: 6 sd either side */
	for (int i = 0; i < 7; i++)
		assert_in_range(hits[i], 9450, 10550);
	assert_true(rb_rng_below(&g, 0) == 0);
	assert_true(rb_rng_below(&g, 1) == 0);
}

/* ---- descriptives ---------------------------------------------------- */

static const double X8[] = { 2.3, 1.1, 5.7, 3.3, 9.0, 4.4, 7.1, 0.5 };

static void test_quantile_type7(void **st)
{
	/* [R] quantile(c(2.3,1.1,5.7,3.3,9.0,4.4,7.1,0.5),
	 *              c(0,.1,.25,.5,.9,1), type = 7) */
	static const double p[] = { 0, .1, .25, .5, .9, 1 };
	static const double want[] = {
		0.5, 0.92000000000000015, 2.0, 3.85, 7.66999999999999904, 9.0,
	};
	double s[8];

	(void)st;
	for (size_t i = 0; i < N_OF(p); i++)
		assert_close(rb_stats_quantile(X8, 8, p[i]), want[i], 1e-14);
	memcpy(s, X8, sizeof(s));
	rb_stats_sort(s, 8);
	for (size_t i = 1; i < 8; i++)
		assert_true(s[i - 1] <= s[i]);
	assert_close(rb_stats_quantile_sorted(s, 8, 0.25), 2.0, 1e-15);
	assert_true(isnan(rb_stats_quantile(X8, 0, 0.5)));
	assert_true(isnan(rb_stats_quantile(X8, 8, -0.1)));
	assert_true(isnan(rb_stats_quantile(X8, 8, 1.1)));
	assert_close(rb_stats_quantile(X8, 1, 0.3), 2.3, 0);
}

static void test_median_mean_sd(void **st)
{
	static const double c[] = { 7.25, 7.25, 7.25, 7.25 };

	(void)st;
	/* [R] median(x[1:7]) = 4.4, median(x) = 3.85, mean(x) = 4.175,
	 *     sd(x) = 2.9629859456780614 */
	assert_close(rb_stats_median(X8, 7), 4.4, 1e-15);
	assert_close(rb_stats_median(X8, 8), 3.85, 1e-15);
	assert_close(rb_stats_mean(X8, 8), 4.175, 1e-15);
	assert_close(rb_stats_sd(X8, 8), 2.9629859456780614, 1e-14);
	/* constant data: exact */
	assert_true(rb_stats_median(c, 4) == 7.25);
	assert_true(rb_stats_mean(c, 4) == 7.25);
	assert_true(rb_stats_sd(c, 4) == 0);
	assert_true(isnan(rb_stats_mean(c, 0)));
	assert_true(isnan(rb_stats_sd(c, 1)));
}

static void test_round_and_pooled_medians(void **st)
{
	static const double r0[] = { 3, 1, 2 }, r1[] = { 10, 20, 30, 40 };
	const double *rows[] = { r0, r1 };
	static const unsigned n[] = { 3, 4 };
	struct rb_arm a = { 2, rows, n };
	double med[2];

	(void)st;
	assert_int_equal(rb_stats_arm_check(&a), 0);
	assert_int_equal(rb_stats_arm_total(&a), 7);
	assert_int_equal(rb_stats_round_medians(&a, med), 0);
	assert_close(med[0], 2, 0);
	assert_close(med[1], 25, 0);
	/* pooled {1,2,3,10,20,30,40} */
	assert_close(rb_stats_pooled_median(&a), 10, 0);
}

static void test_arm_check(void **st)
{
	static const double ok[] = { 1, 2 }, neg[] = { 1, -2 }, nan_[] = { 1, NAN },
		inf_[] = { 1, INFINITY };
	const double *rows[] = { ok };
	static const unsigned n2[] = { 2 }, n0[] = { 0 };
	struct rb_arm a = { 1, rows, n2 };

	(void)st;
	assert_int_equal(rb_stats_arm_check(&a), 0);
	assert_int_equal(rb_stats_arm_check(NULL), -EINVAL);
	a.n_rounds = 0;
	assert_int_equal(rb_stats_arm_check(&a), -EINVAL);
	a.n_rounds = 1;
	a.n = n0;
	assert_int_equal(rb_stats_arm_check(&a), -EINVAL);
	a.n = n2;
	rows[0] = neg;
	assert_int_equal(rb_stats_arm_check(&a), -EINVAL);
	rows[0] = nan_;
	assert_int_equal(rb_stats_arm_check(&a), -EINVAL);
	rows[0] = inf_;
	assert_int_equal(rb_stats_arm_check(&a), -EINVAL);
	assert_true(isnan(rb_stats_pooled_median(&a)));
}

/* ---- Mann-Whitney U -------------------------------------------------- */

static void test_mwu_exact(void **st)
{
	/* [doc] ?wilcox.test: x = c(0.80, ...), y = c(1.15, ...);
	 * [R] W = 35, p-value = 0.2544122544122544 (exact) */
	static const double x[] = { 0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46 };
	static const double y[] = { 1.15, 0.88, 0.90, 0.74, 1.21 };
	/* [R] wilcox.test(b, a): W = 25, p = 0.0079365079365079361 (= 2/252) */
	static const double a[] = { 10.1, 10.4, 10.7, 10.2, 10.9 };
	static const double b[] = { 11.0, 11.5, 11.2, 12.0, 11.8 };
	/* [R] wilcox.test(a2, b2): W = 13, p = 0.53626373626373625 */
	static const double a2[] = { 3.1, 4.7, 5.2 };
	static const double b2[] = { 1.0, 2.2, 3.3, 3.9, 4.1, 4.9, 5.5, 6.1, 6.6, 7.0, 7.4, 8.8 };
	struct rb_mwu m;

	(void)st;
	assert_int_equal(rb_stats_mwu(x, N_OF(x), y, N_OF(y), &m), 0);
	assert_true(m.exact);
	assert_false(m.ties);
	assert_close(m.u, 35, 0);
	assert_close(m.p, 0.2544122544122544, 1e-12);
	/* swapped: U_y = nx ny - U_x, same p ([R] W = 15) */
	assert_int_equal(rb_stats_mwu(y, N_OF(y), x, N_OF(x), &m), 0);
	assert_close(m.u, 15, 0);
	assert_close(m.p, 0.2544122544122544, 1e-12);

	assert_int_equal(rb_stats_mwu(b, 5, a, 5, &m), 0);
	assert_true(m.exact);
	assert_close(m.u, 25, 0);
	assert_close(m.p, 0.0079365079365079361, 1e-12);

	assert_int_equal(rb_stats_mwu(a2, 3, b2, 12, &m), 0);
	assert_close(m.u, 13, 0);
	assert_close(m.p, 0.53626373626373625, 1e-12);
}

static void test_mwu_ties_normal(void **st)
{
	/* [R] wilcox.test(c(1,2,2,3,3,3,4,5), c(3,4,4,5,5,6,6,7,7)):
	 * ties, so normal approximation with correction:
	 * W = 7.5, p = 0.0063400747424890757 */
	static const double x[] = { 1, 2, 2, 3, 3, 3, 4, 5 };
	static const double y[] = { 3, 4, 4, 5, 5, 6, 6, 7, 7 };
	/* [R] wilcox.test(rep(140, 20), rep(100, 20)): W = 400,
	 * p = 4.6826823587420694e-10 (each arm fully tied: the
	 * deterministic-mode canary, one value per arm) */
	double b[20], a[20], c[6] = { 5, 5, 5, 5, 5, 5 };
	struct rb_mwu m;

	(void)st;
	assert_int_equal(rb_stats_mwu(x, N_OF(x), y, N_OF(y), &m), 0);
	assert_false(m.exact);
	assert_true(m.ties);
	assert_close(m.u, 7.5, 0);
	assert_close(m.p, 0.0063400747424890757, 1e-9);

	for (int i = 0; i < 20; i++) {
		b[i] = 140;
		a[i] = 100;
	}
	assert_int_equal(rb_stats_mwu(b, 20, a, 20, &m), 0);
	assert_close(m.u, 400, 0);
	assert_close(m.p, 4.6826823587420694e-10, 1e-9);
	assert_true(m.z > 0);

	/* everything tied: no evidence at all, p = 1 (R gives NaN) */
	assert_int_equal(rb_stats_mwu(c, 3, c + 3, 3, &m), 0);
	assert_close(m.u, 4.5, 0);
	assert_close(m.p, 1, 0);
	assert_int_equal(rb_stats_mwu(c, 0, c, 3, &m), -EINVAL);
}

static void test_mwu_large_normal(void **st)
{
	/* [R] set.seed(1); big1 <- round(rnorm(60, 10, 1), 6);
	 *     big2 <- round(rnorm(55, 10.4, 1), 6); no ties; n >= 50 so
	 *     wilcox.test(big1, big2) uses the normal approximation:
	 *     W = 1282, p = 0.03962806843901067 */
	static const double big1[] = {
		9.373546, 10.183643, 9.164371, 11.595281, 10.329508, 9.179532,
		10.487429, 10.738325, 10.575781, 9.694612, 11.511781, 10.389843,
		9.378759, 7.785300, 11.124931, 9.955066, 9.983810, 10.943836,
		10.821221, 10.593901, 10.918977, 10.782136, 10.074565, 8.010648,
		10.619826, 9.943871, 9.844204, 8.529248, 9.521850, 10.417942,
		11.358680, 9.897212, 10.387672, 9.946195, 8.622940, 9.585005,
		9.605710, 9.940687, 11.100025, 10.763176, 9.835476, 9.746638,
		10.696963, 10.556663, 9.311244, 9.292505, 10.364582, 10.768533,
		9.887654, 10.881108, 10.398106, 9.387974, 10.341120, 8.870637,
		11.433024, 11.980400, 9.632779, 8.955865, 10.569720, 9.864945,
	};
	static const double big2[] = {
		12.801618, 10.360760, 11.089739, 10.428002, 9.656727, 10.588792,
		8.595041, 11.865555, 10.553253, 12.572612, 10.875510, 9.690054,
		11.010726, 9.465902, 9.146367, 10.691446, 9.956708, 10.401105,
		10.474341, 9.810479, 9.831331, 10.264821, 11.578087, 8.876433,
		10.993946, 10.732950, 11.463100, 10.095816, 10.770019, 10.667099,
		9.857480, 11.607868, 11.560403, 11.100214, 11.986833, 10.958486,
		9.123408, 9.826735, 9.175387, 9.926599, 9.779633, 10.442116,
		9.489078, 10.558029, 9.745415, 12.167287, 11.116707, 11.310174,
		10.784185, 12.082176, 9.764264, 9.938355, 11.832282, 9.749304,
		10.192619,
	};
	struct rb_mwu m;

	(void)st;
	assert_int_equal(N_OF(big1), 60);
	assert_int_equal(N_OF(big2), 55);
	assert_int_equal(rb_stats_mwu(big1, 60, big2, 55, &m), 0);
	assert_false(m.exact);
	assert_false(m.ties);
	assert_close(m.u, 1282, 0);
	assert_close(m.p, 0.03962806843901067, 1e-9);
	/* 49 + 49 without ties stays exact */
	assert_int_equal(rb_stats_mwu(big1, 49, big2, 49, &m), 0);
	assert_true(m.exact);
	assert_true(m.p > 0 && m.p <= 1);
}

static void test_mwu_arms(void **st)
{
	/* 2 rounds per arm, B entirely above A */
	static const double a0[] = { 100, 101, 102 }, a1[] = { 100.5, 101.5, 99.5 };
	static const double b0[] = { 140, 141, 142 }, b1[] = { 140.5, 141.5, 139.5 };
	const double *ra[] = { a0, a1 }, *rbs[] = { b0, b1 };
	static const unsigned n[] = { 3, 3 };
	struct rb_arm a = { 2, ra, n }, b = { 2, rbs, n };
	struct rb_mwu m;

	(void)st;
	/* per-round medians, 2 v 2: the smallest two-sided exact p is
	 * 2 / choose(4, 2) = 1/3, never below 0.05 */
	assert_int_equal(rb_stats_mwu_arms(&a, &b, RB_MWU_ROUND_MEDIANS, &m), 0);
	assert_true(m.exact);
	assert_close(m.u, 4, 0);
	assert_close(m.p, 1.0 / 3, 1e-12);
	/* pooled, 6 v 6, complete separation: 2 / choose(12, 6) */
	assert_int_equal(rb_stats_mwu_arms(&a, &b, RB_MWU_POOLED, &m), 0);
	assert_true(m.exact);
	assert_close(m.u, 36, 0);
	assert_close(m.p, 2.0 / 924, 1e-12);
	assert_int_equal(rb_stats_mwu_arms(&a, &b, (enum rb_mwu_on)7, &m), -EINVAL);
}

/* ---- multiplicity ---------------------------------------------------- */

static const double BH95[] = {
	0.0001, 0.0004, 0.0019, 0.0095, 0.0201, 0.0278, 0.0298, 0.0344,
	0.0459, 0.3240, 0.4262, 0.5719, 0.6528, 0.7590, 1.000,
};

static void test_holm(void **st)
{
	/* [BH95] + [R] p.adjust(p, "holm") */
	static const double want[] = {
		0.0015, 0.0056, 0.0247, 0.114, 0.2211, 0.278, 0.278, 0.278,
		0.3213, 1, 1, 1, 1, 1, 1,
	};
	/* [R] p.adjust(c(0.04, 0.01, NA, 0.03, 0.04, 0.5), "holm") */
	static const double q[] = { 0.04, 0.01, NAN, 0.03, 0.04, 0.5 };
	static const double wq[] = { 0.12, 0.05, NAN, 0.12, 0.12, 0.5 };
	double adj[15], rev[15];

	(void)st;
	assert_int_equal(rb_stats_p_holm(BH95, 15, adj), 0);
	for (int i = 0; i < 15; i++)
		assert_close(adj[i], want[i], 1e-12);
	/* order of input does not matter */
	for (int i = 0; i < 15; i++)
		rev[i] = BH95[14 - i];
	assert_int_equal(rb_stats_p_holm(rev, 15, rev), 0);	/* in place */
	for (int i = 0; i < 15; i++)
		assert_close(rev[i], want[14 - i], 1e-12);
	assert_int_equal(rb_stats_p_holm(q, 6, adj), 0);
	for (int i = 0; i < 6; i++) {
		if (isnan(wq[i]))
			assert_true(isnan(adj[i]));
		else
			assert_close(adj[i], wq[i], 1e-12);
	}
	rev[0] = 1.5;
	assert_int_equal(rb_stats_p_holm(rev, 2, adj), -EINVAL);
	assert_int_equal(rb_stats_p_holm(BH95, 0, adj), 0);
}

static void test_bh(void **st)
{
	/* [BH95] + [R] p.adjust(p, "BH"); BH95 reject the first 4 at 0.05 */
	static const double want[] = {
		0.0015, 0.003, 0.0095, 0.035625, 0.0603, 0.063857142857142862,
		0.063857142857142862, 0.0645, 0.0765, 0.486, 0.58118181818181813,
		0.714875, 0.75323076923076926, 0.81321428571428567, 1,
	};
	/* [R] p.adjust(c(0.04, 0.01, NA, 0.03, 0.04, 0.5), "BH") */
	static const double q[] = { 0.04, 0.01, NAN, 0.03, 0.04, 0.5 };
	static const double wq[] = { 0.05, 0.05, NAN, 0.05, 0.05, 0.5 };
	double adj[15];
	int rejected = 0;

	(void)st;
	assert_int_equal(rb_stats_p_bh(BH95, 15, adj), 0);
	for (int i = 0; i < 15; i++) {
		assert_close(adj[i], want[i], 1e-12);
		rejected += adj[i] <= 0.05;
	}
	assert_int_equal(rejected, 4);
	assert_int_equal(rb_stats_p_adjust(RB_CORR_BH, q, 6, adj), 0);
	for (int i = 0; i < 6; i++) {
		if (isnan(wq[i]))
			assert_true(isnan(adj[i]));
		else
			assert_close(adj[i], wq[i], 1e-12);
	}
	assert_int_equal(rb_stats_p_adjust(RB_CORR_NONE, q, 6, adj), 0);
	assert_close(adj[1], 0.01, 0);
	assert_int_equal(rb_stats_p_adjust((enum rb_correction)9, q, 6, adj), -EINVAL);
}

/* ---- t (round level) ------------------------------------------------- */

static void test_ttest(void **st)
{
	/* [doc] ?t.test sleep data; [R] t.test(extra ~ group, sleep,
	 * var.equal = TRUE): t = -1.8608134674868528, df = 18,
	 * p = 0.079186714215938175, 95% CI -3.3638740322875984 0.20387403228759859 */
	static const double g1[] = { 0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0 };
	static const double g2[] = { 1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4 };
	struct rb_ttest t;
	struct rb_ci ci;

	(void)st;
	assert_int_equal(rb_stats_ttest(g1, 10, g2, 10, &t), 0);
	assert_close(t.t, -1.8608134674868528, 1e-12);
	assert_close(t.df, 18, 0);
	assert_close(t.p, 0.079186714215938175, 1e-10);
	assert_int_equal(rb_stats_ttest_ci(&t, 0.95, &ci), 0);
	assert_close(ci.lo, -3.3638740322875984, 1e-10);
	assert_close(ci.hi, 0.20387403228759859, 1e-10);
	/* [R] 2*pt(-2.5, 3), 2*pt(-31.6, 2), 2*pt(-0.3, 1), 2*pt(-4, 40) */
	assert_close(rb_stats_t_p2(2.5, 3), 0.087706647008065505, 1e-10);
	assert_close(rb_stats_t_p2(-31.6, 2), 0.000999940253679947, 1e-10);
	assert_close(rb_stats_t_p2(0.3, 1), 0.81445284184451539, 1e-10);
	assert_close(rb_stats_t_p2(4, 40), 0.00026591239566669817, 1e-10);
	/* [R] qt(0.975, 2), qt(0.95, 8), qt(0.975, 1), qt(0.05, 18) */
	assert_close(rb_stats_t_quantile(0.975, 2), 4.3026527297494619, 1e-10);
	assert_close(rb_stats_t_quantile(0.95, 8), 1.8595480375308966, 1e-10);
	assert_close(rb_stats_t_quantile(0.975, 1), 12.706204736174694, 1e-10);
	assert_close(rb_stats_t_quantile(0.05, 18), -1.7340636066175386, 1e-10);
	/* no spread */
	static const double c1[] = { 2, 2 }, c2[] = { 3, 3 };
	assert_int_equal(rb_stats_ttest(c2, 2, c1, 2, &t), 0);
	assert_close(t.p, 0, 0);
	assert_int_equal(rb_stats_ttest(c1, 2, c1, 2, &t), 0);
	assert_close(t.p, 1, 0);
	assert_int_equal(rb_stats_ttest(c1, 1, c2, 1, &t), -EINVAL);
}

static void test_rounds_ttest(void **st)
{
	/* round medians A {100, 200}, B {300}: logs; diff = log 300 -
	 * (log 100 + log 200) / 2 */
	static const double a0[] = { 100 }, a1[] = { 200 }, b0[] = { 300 }, z[] = { 0 };
	const double *ra[] = { a0, a1 }, *rbs[] = { b0 };
	static const unsigned n[] = { 1, 1 };
	struct rb_arm a = { 2, ra, n }, b = { 1, rbs, n };
	struct rb_ttest t;
	struct rb_ci ci;

	(void)st;
	assert_int_equal(rb_stats_rounds_ttest(&a, &b, &t), 0);
	assert_close(t.diff, log(300) - (log(100) + log(200)) / 2, 1e-14);
	assert_close(t.df, 1, 0);
	assert_int_equal(rb_stats_rounds_ci(&t, 0.95, &ci), 0);
	assert_true(ci.lo < exp(t.diff) && exp(t.diff) < ci.hi);
	a.n_rounds = 1;
	assert_int_equal(rb_stats_rounds_ttest(&a, &b, &t), -EDOM);	/* df 0 */
	a.n_rounds = 2;
	rbs[0] = z;
	assert_int_equal(rb_stats_rounds_ttest(&a, &b, &t), -EDOM);	/* log 0 */
}

/* ---- bootstrap ------------------------------------------------------- */

static void test_boot_deterministic(void **st)
{
	struct rb_rng g;
	struct synth a, b;
	double *r1 = malloc(sizeof(double) * 2000), *r2 = malloc(sizeof(double) * 2000);
	double q1, q2;
	struct rb_ci c1, c2, c3;

	(void)st;
	assert_non_null(r1);
	assert_non_null(r2);
	rb_rng_seed(&g, 7);
	synth_make(&a, &g, 5, 20, 100, 0.02, 0.01);
	synth_make(&b, &g, 5, 20, 110, 0.02, 0.01);
	assert_int_equal(rb_stats_boot_ratio(&a.arm, &b.arm, 2000, 99, r1, &q1), 0);
	assert_int_equal(rb_stats_boot_ratio(&a.arm, &b.arm, 2000, 99, r2, &q2), 0);
	assert_memory_equal(r1, r2, sizeof(double) * 2000);
	assert_true(q1 == q2);
	for (int i = 1; i < 2000; i++)
		assert_true(r1[i - 1] <= r1[i]);
	/* point estimate = ratio of pooled medians */
	assert_close(q1, rb_stats_pooled_median(&b.arm) / rb_stats_pooled_median(&a.arm), 1e-15);

	assert_int_equal(rb_stats_ratio_ci(&a.arm, &b.arm, 10000, 1, 0.95, NULL, &c1), 0);
	assert_int_equal(rb_stats_ratio_ci(&a.arm, &b.arm, 10000, 1, 0.95, NULL, &c3), 0);
	assert_true(c1.lo == c3.lo && c1.hi == c3.hi);
	assert_int_equal(rb_stats_ratio_ci(&a.arm, &b.arm, 10000, 2, 0.95, NULL, &c2), 0);
	/* another seed: not identical, but close (Monte Carlo error only) */
	assert_false(c1.lo == c2.lo && c1.hi == c2.hi);
	assert_close(c2.lo, c1.lo, 0.003);
	assert_close(c2.hi, c1.hi, 0.003);
	assert_true(c1.lo < q1 && q1 < c1.hi);
	free(r1);
	free(r2);
	synth_free(&a);
	synth_free(&b);
}

static void test_boot_coverage(void **st)
{
	/* True ratio 1.25 (the log-normal medians are level * 1 each).
	 * 40 independent data sets; a 95% CI should miss ~2 of them.
	 * The outcome is fixed by the seeds; the bound leaves room. */
	struct rb_rng g;
	int covered = 0;

	(void)st;
	rb_rng_seed(&g, 2024);
	for (int k = 0; k < 40; k++) {
		struct synth a, b;
		struct rb_ci ci;
		double q;

		synth_make(&a, &g, 5, 15, 100, 0.03, 0.01);
		synth_make(&b, &g, 5, 15, 125, 0.03, 0.01);
		assert_int_equal(rb_stats_ratio_ci(&a.arm, &b.arm, 2000, (uint64_t)k,
						   0.95, &q, &ci), 0);
		covered += ci.lo <= 1.25 && 1.25 <= ci.hi;
		assert_true(ci.lo <= q && q <= ci.hi);
		synth_free(&a);
		synth_free(&b);
	}
	print_message("coverage of the true ratio: %d/40\n", covered);
	assert_in_range(covered, 35, 40);
}

static void test_boot_vs_numpy(void **st)
{
	/* The resampling scheme against an independent implementation:
	 * [np] numpy 1.24.2 (Debian python3-numpy 1:1.24.2-1), 400000
	 * resamples of med(B*)/med(A*), rounds drawn with
	 * rng.integers(0, R, R), samples with rng.integers(0, n, n),
	 * np.median of the concatenation, np.quantile (linear = type 7):
	 *   one round  2.5% 0.88235294  50% 1.13793103  97.5% 1.46153846
	 *   two level  2.5% 1.0430622   50% 1.08706468  97.5% 1.11898734
	 * The distributions are discrete (ratios of medians of a few
	 * values), so a quantile can sit on a jump between two atoms: the
	 * tolerance covers one atom of Monte Carlo difference. */
	static const double a0[] = { 10, 11, 12, 13, 14, 15, 16, 17, 18, 19 };
	static const double b0[] = { 12, 13, 14, 15, 16, 17, 18, 19, 20, 21 };
	static const double x0[] = { 100, 101, 102, 99 }, x1[] = { 104, 103, 105, 106 },
		x2[] = { 98, 97, 99.5, 100.5 };
	static const double y0[] = { 108, 107, 109, 110 }, y1[] = { 111, 112, 110.5, 109.5 };
	const double *ra[] = { a0 }, *rbs[] = { b0 }, *rx[] = { x0, x1, x2 }, *ry[] = { y0, y1 };
	static const unsigned n1[] = { 10 }, n4[] = { 4, 4, 4 };
	struct rb_arm a = { 1, ra, n1 }, b = { 1, rbs, n1 };
	struct rb_arm x = { 3, rx, n4 }, y = { 2, ry, n4 };
	const unsigned N = 400000;
	double *r = malloc(N * sizeof(*r)), q;

	(void)st;
	assert_non_null(r);
	assert_int_equal(rb_stats_boot_ratio(&a, &b, N, 1, r, &q), 0);
	assert_close(rb_stats_quantile_sorted(r, N, 0.025), 0.88235294, 0.01);
	assert_close(rb_stats_quantile_sorted(r, N, 0.5), 1.13793103, 0.005);
	assert_close(rb_stats_quantile_sorted(r, N, 0.975), 1.46153846, 0.01);
	assert_int_equal(rb_stats_boot_ratio(&x, &y, N, 1, r, &q), 0);
	assert_close(rb_stats_quantile_sorted(r, N, 0.025), 1.0430622, 0.002);
	assert_close(rb_stats_quantile_sorted(r, N, 0.5), 1.08706468, 0.002);
	assert_close(rb_stats_quantile_sorted(r, N, 0.975), 1.11898734, 0.002);
	free(r);
}

static void test_boot_zero_variance(void **st)
{
	/* deterministic mode: every sample identical within an arm */
	static const double a0[] = { 1000, 1000, 1000 }, b0[] = { 1400, 1400, 1400 };
	const double *ra[] = { a0, a0 }, *rbs[] = { b0, b0 };
	static const unsigned n[] = { 3, 3 };
	struct rb_arm a = { 2, ra, n }, b = { 2, rbs, n };
	struct rb_ci ci;
	double q;

	(void)st;
	assert_int_equal(rb_stats_ratio_ci(&a, &b, 1000, 5, 0.95, &q, &ci), 0);
	assert_true(q == 1400.0 / 1000.0);
	assert_true(ci.lo == q && ci.hi == q);
	assert_int_equal(rb_stats_ratio_ci(&a, &a, 1000, 5, 0.9, &q, &ci), 0);
	assert_true(q == 1 && ci.lo == 1 && ci.hi == 1);
}

static void test_boot_one_round_and_ties(void **st)
{
	/* one round per arm: samples only are resampled */
	static const double a0[] = { 10, 11, 12, 13, 14, 15, 16, 17, 18, 19 };
	static const double b0[] = { 12, 13, 14, 15, 16, 17, 18, 19, 20, 21 };
	/* heavy ties */
	static const double t0[] = { 5, 5, 5, 6, 6, 6, 6, 7 }, t1[] = { 5, 6, 6, 6, 7, 7, 7, 7 };
	const double *ra[] = { a0 }, *rbs[] = { b0 }, *ta[] = { t0, t0 }, *tb[] = { t1, t1 };
	static const unsigned n[] = { 10 }, nt[] = { 8, 8 };
	struct rb_arm a = { 1, ra, n }, b = { 1, rbs, n };
	struct rb_arm x = { 2, ta, nt }, y = { 2, tb, nt };
	struct rb_ci ci;
	double q;

	(void)st;
	assert_int_equal(rb_stats_ratio_ci(&a, &b, 4000, 3, 0.95, &q, &ci), 0);
	assert_close(q, 16.5 / 14.5, 1e-15);
	assert_true(ci.lo < q && q < ci.hi);
	assert_true(ci.lo > 0.8 && ci.hi < 1.6);	/* see test_boot_vs_numpy */
	assert_int_equal(rb_stats_ratio_ci(&x, &y, 4000, 3, 0.95, &q, &ci), 0);
	assert_close(q, 6.5 / 6.0, 1e-15);
	assert_true(ci.lo <= q && q <= ci.hi);
	/* every resampled median is a value or a midpoint of two */
	assert_true(ci.lo >= 5.0 / 7 && ci.hi <= 7.0 / 5);
}

static void test_boot_bad_input(void **st)
{
	static const double a0[] = { 0, 0, 0, 1, 9 }, a5[] = { 0, 0, 1, 2, 3 };
	static const double b0[] = { 1, 2, 3 }, neg[] = { 1, -1, 2 };
	const double *ra[] = { a0 }, *rbs[] = { b0 };
	static const unsigned na[] = { 5 }, nb[] = { 3 };
	struct rb_arm a = { 1, ra, na }, b = { 1, rbs, nb };
	struct rb_ci ci;
	double reps[200], q;

	(void)st;
	/* median of A is 0: the ratio is undefined */
	assert_int_equal(rb_stats_ratio_ci(&a, &b, 100, 1, 0.95, &q, &ci), -EDOM);
	assert_true(isnan(q));
	/* B/A with A's median 0 is undefined, A/B = 0 is fine */
	assert_int_equal(rb_stats_boot_ratio(&b, &a, 10, 1, reps, &q), 0);
	assert_close(q, 0, 0);
	/* A = {0, 0, 1, 2, 3}: median 1, but a resample's median can be 0
	 * (P ~ 0.32); that resample gives +inf, never NaN */
	ra[0] = a5;
	assert_int_equal(rb_stats_boot_ratio(&a, &b, 200, 1, reps, &q), 0);
	assert_close(q, 2, 0);
	for (int i = 0; i < 200; i++)
		assert_false(isnan(reps[i]));
	assert_true(isinf(reps[199]));
	assert_int_equal(rb_stats_ci_from_reps(reps, 200, 0.95, &ci), 0);
	assert_true(isinf(ci.hi) && isfinite(ci.lo));
	rbs[0] = neg;
	assert_int_equal(rb_stats_ratio_ci(&b, &b, 100, 1, 0.95, &q, &ci), -EINVAL);
	rbs[0] = b0;
	assert_int_equal(rb_stats_ratio_ci(&b, &b, 0, 1, 0.95, &q, &ci), -EINVAL);
	assert_int_equal(rb_stats_ratio_ci(&b, &b, 100, 1, 1.0, &q, &ci), -EINVAL);
	assert_int_equal(rb_stats_ratio_ci(&b, &b, 100, 1, 0.0, &q, &ci), -EINVAL);
	assert_int_equal(rb_stats_ci_from_reps(reps, 0, 0.95, &ci), -EINVAL);
}

/* ---- TOST ------------------------------------------------------------ */

static void test_tost_edges(void **st)
{
	struct rb_ci in = { 0.985, 1.015 }, edge = { 0.98, 1.02 }, out = { 0.99, 1.03 };
	static const double a0[] = { 100, 100, 100 }, b0[] = { 101, 101, 101 };
	const double *ra[] = { a0 }, *rbs[] = { b0 };
	static const unsigned n[] = { 3 };
	struct rb_arm a = { 1, ra, n }, b = { 1, rbs, n };
	bool eq = true;
	struct rb_ci ci;

	(void)st;
	assert_int_equal(rb_stats_tost_ci(&in, 0.02, &eq), 0);
	assert_true(eq);
	assert_int_equal(rb_stats_tost_ci(&edge, 0.025, &eq), 0);
	assert_true(eq);
	assert_int_equal(rb_stats_tost_ci(&out, 0.02, &eq), 0);
	assert_false(eq);
	/* margin must be in (0, 1) */
	assert_int_equal(rb_stats_tost_ci(&in, 0, &eq), -EINVAL);
	assert_int_equal(rb_stats_tost_ci(&in, -0.02, &eq), -EINVAL);
	assert_int_equal(rb_stats_tost_ci(&in, 1, &eq), -EINVAL);
	assert_int_equal(rb_stats_tost_ci(&in, 1.5, &eq), -EINVAL);
	assert_int_equal(rb_stats_tost_ci(&in, NAN, &eq), -EINVAL);
	assert_int_equal(rb_stats_tost(&a, &b, 500, 1, 0.05, 0, &eq, &ci), -EINVAL);
	assert_int_equal(rb_stats_tost(&a, &b, 500, 1, 0.5, 0.02, &eq, &ci), -EINVAL);
	/* zero-variance +1%: CI collapses to 1.01, inside 2%, outside 0.5% */
	assert_int_equal(rb_stats_tost(&a, &b, 500, 1, 0.05, 0.02, &eq, &ci), 0);
	assert_true(eq);
	assert_true(ci.lo == 1.01 && ci.hi == 1.01);
	assert_int_equal(rb_stats_tost(&a, &b, 500, 1, 0.05, 0.005, &eq, &ci), 0);
	assert_false(eq);
}

/* ---- verdicts: options and names -------------------------------------- */

static void test_opts_and_names(void **st)
{
	struct rb_stats_opts o = RB_STATS_OPTS_INIT, bad;

	(void)st;
	assert_int_equal(rb_stats_opts_check(&o), 0);
	assert_int_equal(o.iters, 10000);
	assert_close(o.margin, 0.02, 0);
	assert_close(o.power, 0.8, 0);
	bad = o; bad.margin = 0;
	assert_int_equal(rb_stats_opts_check(&bad), -EINVAL);
	bad = o; bad.margin = -0.01;
	assert_int_equal(rb_stats_opts_check(&bad), -EINVAL);
	bad = o; bad.margin = 1;
	assert_int_equal(rb_stats_opts_check(&bad), -EINVAL);
	bad = o; bad.alpha = 0;
	assert_int_equal(rb_stats_opts_check(&bad), -EINVAL);
	bad = o; bad.alpha = 0.5;
	assert_int_equal(rb_stats_opts_check(&bad), -EINVAL);
	bad = o; bad.power = 1;
	assert_int_equal(rb_stats_opts_check(&bad), -EINVAL);
	bad = o; bad.iters = 10;
	assert_int_equal(rb_stats_opts_check(&bad), -EINVAL);
	bad = o; bad.correction = (enum rb_correction)7;
	assert_int_equal(rb_stats_opts_check(&bad), -EINVAL);
	assert_int_equal(rb_stats_compare(NULL, 0, &bad, NULL), -EINVAL);
	assert_int_equal(rb_stats_compare(NULL, 0, &o, NULL), 0);
	assert_int_equal(rb_stats_exact(NULL, 0, &o, NULL), 0);
	assert_string_equal(rb_verdict_name(RB_VERDICT_FASTER), "faster");
	assert_string_equal(rb_verdict_name(RB_VERDICT_SLOWER), "slower");
	assert_string_equal(rb_verdict_name(RB_VERDICT_EQUIVALENT), "equivalent");
	assert_string_equal(rb_verdict_name(RB_VERDICT_INCONCLUSIVE), "inconclusive");
	assert_string_equal(rb_verdict_name((enum rb_verdict)42), "?");
	assert_string_equal(rb_correction_name(RB_CORR_BH), "bh");
	assert_int_equal(rb_correction_parse("holm"), RB_CORR_HOLM);
	assert_int_equal(rb_correction_parse("bh"), RB_CORR_BH);
	assert_int_equal(rb_correction_parse("bonferroni"), -1);
	assert_string_equal(rb_family_name(RB_FAMILY_DERIVED), "derived");
	assert_string_equal(rb_bound_source_name(RB_BOUND_BOOTS), "boots");
	assert_string_equal(rb_bound_source_name(RB_BOUND_IDENTICAL), "identical");
}

/* ---- the timed rule ----------------------------------------------------- */

/* K metrics, arm B = arm A's level times ratio[k]; o may be NULL */
static void run_report_opts(unsigned K, unsigned R, unsigned n, const double *ratio,
			    double sd_within, double sd_boot, uint64_t data_seed,
			    struct rb_ab_result *res, const struct rb_stats_opts *o)
{
	struct synth *sa = calloc(K, sizeof(*sa)), *sb = calloc(K, sizeof(*sb));
	struct rb_ab_metric *m = calloc(K, sizeof(*m));
	char (*names)[24] = calloc(K, 24);
	struct rb_rng g;

	assert_non_null(sa);
	assert_non_null(sb);
	assert_non_null(m);
	assert_non_null(names);
	rb_rng_seed(&g, data_seed);
	for (unsigned k = 0; k < K; k++) {
		synth_make(&sa[k], &g, R, n, 1000, sd_within, sd_boot);
		synth_make(&sb[k], &g, R, n, 1000 * ratio[k], sd_within, sd_boot);
		snprintf(names[k], 24, "metric%u", k);
		m[k] = (struct rb_ab_metric){ .name = names[k], .a = sa[k].arm, .b = sb[k].arm };
	}
	assert_int_equal(rb_stats_compare(m, K, o, res), 0);
	for (unsigned k = 0; k < K; k++) {
		synth_free(&sa[k]);
		synth_free(&sb[k]);
	}
	free(sa);
	free(sb);
	free(m);
	free(names);
}

static void run_report(unsigned K, unsigned R, unsigned n, const double *ratio,
		       double sd_within, double sd_boot, uint64_t data_seed,
		       struct rb_ab_result *res, unsigned iters)
{
	struct rb_stats_opts o = RB_STATS_OPTS_INIT;

	o.iters = iters;
	run_report_opts(K, R, n, ratio, sd_within, sd_boot, data_seed, res, &o);
}

static void test_verdict_aa(void **st)
{
	/* A/A: 30 metrics, timed-mode-like noise, 5 rounds, with and
	 * without boot-to-boot variance; 4 reports each. None may say
	 * faster or slower. */
	enum { K = 30 };
	double one[K];
	struct rb_ab_result res[K];
	unsigned counts[4] = { 0 };

	(void)st;
	for (int k = 0; k < K; k++)
		one[k] = 1;
	for (uint64_t s = 0; s < 4; s++) {
		for (int boot = 0; boot < 2; boot++) {
			run_report(K, 5, 10, one, 0.01, boot ? 0.02 : 0, 100 + s, res, 500);
			for (int k = 0; k < K; k++) {
				assert_int_equal(res[k].status, 0);
				assert_int_equal(res[k].family_size, K);
				assert_true(res[k].verdict == RB_VERDICT_EQUIVALENT ||
					    res[k].verdict == RB_VERDICT_INCONCLUSIVE);
				counts[res[k].verdict]++;
			}
		}
	}
	print_message("A/A verdicts: %u equivalent, %u inconclusive\n",
		      counts[RB_VERDICT_EQUIVALENT], counts[RB_VERDICT_INCONCLUSIVE]);
	/* without boot effects 1% noise x 50 samples is well within +-2% */
	assert_true(counts[RB_VERDICT_EQUIVALENT] >= 4 * K);
}

static void test_verdict_shifted(void **st)
{
	/* +40% and -40% among unchanged metrics, timed-mode-like data */
	double ratio[6] = { 1.4, 1, 1, 0.6, 1, 1 };
	struct rb_ab_result res[6];

	(void)st;
	run_report(6, 5, 10, ratio, 0.02, 0.01, 7, res, RB_STATS_ITERS_DEFAULT);
	assert_int_equal(res[0].verdict, RB_VERDICT_SLOWER);
	assert_int_equal(res[3].verdict, RB_VERDICT_FASTER);
	assert_false(res[0].within_margin);
	assert_false(res[3].within_margin);
	assert_true(res[0].significant && res[3].significant);
	assert_true(res[0].ci.lo > 1.3 && res[0].ci.hi < 1.5);
	assert_true(res[3].ci.lo > 0.55 && res[3].ci.hi < 0.65);
	assert_true(res[0].p_adj < 0.05 && res[3].p_adj < 0.05);
	/* the per-boot test decides: p is its p, the interval is its interval */
	assert_true(res[0].p == res[0].rounds.p);
	assert_true(res[0].ci.lo == res[0].ci_rounds.lo && res[0].ci.hi == res[0].ci_rounds.hi);
	/* delta in the unit, from the pooled medians; its interval from ci */
	assert_close(res[0].delta, res[0].med_b - res[0].med_a, 1e-15);
	assert_close(res[0].pct_change, 100 * (res[0].ratio - 1), 1e-12);
	assert_close(res[0].delta_ci.lo, res[0].med_a * (res[0].ci.lo - 1), 1e-12);
	assert_close(res[0].delta_ci.hi, res[0].med_a * (res[0].ci.hi - 1), 1e-12);
	for (int k = 0; k < 6; k++) {
		assert_int_equal(res[k].status, 0);
		assert_int_equal(res[k].rounds_a, 5);
		assert_int_equal(res[k].n_b, 50);
		assert_true(res[k].p_adj >= res[k].p);
		assert_true(res[k].ci.lo <= res[k].ci_tost.lo && res[k].ci_tost.hi <= res[k].ci.hi);
		assert_true(res[k].sd_rounds > 0 && res[k].sd_within > 0.015 && res[k].sd_within < 0.025);
		if (ratio[k] == 1)
			assert_true(res[k].verdict == RB_VERDICT_EQUIVALENT ||
				    res[k].verdict == RB_VERDICT_INCONCLUSIVE);
	}
}

static void test_verdict_slower_in_margin(void **st)
{
	/* +0.5%, clearly real (p tiny) and inside +-2%: slower, flagged
	 * within the margin, never hidden as "equivalent" */
	double ratio[1] = { 1.005 };
	struct rb_ab_result r;

	(void)st;
	run_report(1, 5, 20, ratio, 0.002, 0.0005, 3, &r, RB_STATS_ITERS_DEFAULT);
	assert_true(r.p < 1e-3);
	assert_true(r.significant);
	assert_int_equal(r.verdict, RB_VERDICT_SLOWER);
	assert_true(r.within_margin);
	assert_true(r.ci_tost.lo >= 0.98 && r.ci_tost.hi <= 1.02);
	assert_true(r.ci.lo > 1);
	assert_close(r.pct_change, 0.5, 0.25);
	/* the same change, faster */
	ratio[0] = 1 / 1.005;
	run_report(1, 5, 20, ratio, 0.002, 0.0005, 3, &r, RB_STATS_ITERS_DEFAULT);
	assert_int_equal(r.verdict, RB_VERDICT_FASTER);
	assert_true(r.within_margin);
}

static void test_verdict_boot_effect_not_a_regression(void **st)
{
	/* 2 rounds per arm; boots differ by 4% (A: 100, 104) and B's two
	 * boots (105, 109) both happen to land above A's. Samples within a
	 * boot are tight, so the pooled MWU is overwhelming and the plain
	 * hierarchical bootstrap CI excludes 1, yet the shift (4.9%) is no
	 * bigger than the boot-to-boot spread: with 2 boots it is not
	 * evidence of a slowdown. The round-level t-test says so. */
	static const double la[] = { 100, 104 }, lb[] = { 105, 109 };
	struct synth a, b;
	struct rb_rng g;
	struct rb_stats_opts o = RB_STATS_OPTS_INIT;
	struct rb_ab_result r;

	(void)st;
	rb_rng_seed(&g, 5);
	synth_levels(&a, &g, 2, 10, la, 0.001);
	synth_levels(&b, &g, 2, 10, lb, 0.001);
	struct rb_ab_metric m = { .name = "x", .a = a.arm, .b = b.arm };

	assert_int_equal(rb_stats_compare(&m, 1, &o, &r), 0);
	assert_true(r.mwu.p < 1e-6);		/* descriptive only */
	assert_true(r.ci_boot.lo > 1);		/* descriptive only */
	assert_true(r.rounds.p > 0.05);
	assert_true(r.ci.lo < 1);
	assert_false(r.significant);
	assert_int_equal(r.verdict, RB_VERDICT_INCONCLUSIVE);
	/* the plan: more boots than 2, and the plan's own closed form */
	assert_true(r.plan_rounds > 2);
	assert_int_equal(r.plan_rounds, rb_stats_plan_rounds(r.sd_rounds, o.margin, o.alpha, o.alpha,
							     o.power, 1000));
	synth_free(&a);
	synth_free(&b);
}

static void test_verdict_one_boot_timed(void **st)
{
	/* one boot per arm (or per one arm): nothing measures the boot
	 * spread, so a +30% change is shown but not decided */
	double ratio[1] = { 1.3 };
	struct rb_ab_result r;
	struct synth a, b;
	struct rb_rng g;
	struct rb_stats_opts o = RB_STATS_OPTS_INIT;

	(void)st;
	run_report(1, 1, 20, ratio, 0.01, 0, 9, &r, 2000);
	assert_int_equal(r.status, 0);
	assert_close(r.rounds.df, 0, 0);
	assert_true(r.ci.lo == r.ci_boot.lo && r.ci.hi == r.ci_boot.hi);
	assert_true(r.ci_boot.lo > 1.2);
	assert_int_equal(r.verdict, RB_VERDICT_INCONCLUSIVE);
	assert_string_equal(r.reason, "needs >= 2 boots per kernel");
	assert_true(isnan(r.p) && isnan(r.p_adj));
	assert_int_equal(r.family_size, 0);
	assert_int_equal(r.plan_rounds, 0);
	/* 1 + 3 boots: a t-test exists (df 2) but A has no spread of its own */
	rb_rng_seed(&g, 19);
	synth_make(&a, &g, 1, 10, 100, 0.01, 0.01);
	synth_make(&b, &g, 3, 10, 130, 0.01, 0.01);
	struct rb_ab_metric m = { .name = "y", .a = a.arm, .b = b.arm };
	assert_int_equal(rb_stats_compare(&m, 1, &o, &r), 0);
	assert_close(r.rounds.df, 2, 0);
	assert_int_equal(r.verdict, RB_VERDICT_INCONCLUSIVE);
	assert_string_equal(r.reason, "needs >= 2 boots per kernel");
	synth_free(&a);
	synth_free(&b);
}

static void test_verdict_alpha_sets_levels(void **st)
{
	/* --alpha sets the interval level: 0.2 gives the 80% interval */
	double ratio[1] = { 1.01 };
	struct rb_ab_result r5, r20;
	struct rb_stats_opts o = RB_STATS_OPTS_INIT;

	(void)st;
	o.iters = 2000;
	run_report_opts(1, 4, 10, ratio, 0.01, 0.005, 21, &r5, &o);
	o.alpha = 0.2;
	run_report_opts(1, 4, 10, ratio, 0.01, 0.005, 21, &r20, &o);
	assert_true(r5.rounds.p == r20.rounds.p);
	assert_true(r20.ci.hi - r20.ci.lo < r5.ci.hi - r5.ci.lo);
	assert_true(r20.ci_boot.hi - r20.ci_boot.lo < r5.ci_boot.hi - r5.ci_boot.lo);
	/* the t interval at 1 - alpha is exp(diff -/+ t_{1-alpha/2} se) */
	assert_close(log(r20.ci.hi) - r20.rounds.diff,
		     rb_stats_t_quantile(0.9, r20.rounds.df) * r20.rounds.se, 1e-9);
	assert_close(log(r20.ci_tost.hi) - r20.rounds.diff,
		     rb_stats_t_quantile(0.8, r20.rounds.df) * r20.rounds.se, 1e-9);
}

static void test_verdict_families(void **st)
{
	/* Primary metrics form the headline family; a secondary metric is
	 * corrected on its own; a derived rate copies its time metric's
	 * verdict and takes no share of alpha. BH differs from Holm. */
	struct synth a[4], b[4];
	struct rb_rng g;
	struct rb_stats_opts o = RB_STATS_OPTS_INIT;
	struct rb_ab_result r[4], rbh[4];
	static const double lev[4] = { 100, 100, 100, 100 }, shift[4] = { 1.03, 1.0, 1.03, 0.97 };

	(void)st;
	rb_rng_seed(&g, 23);
	for (int k = 0; k < 4; k++) {
		synth_make(&a[k], &g, 5, 10, lev[k], 0.005, 0.004);
		synth_make(&b[k], &g, 5, 10, lev[k] * shift[k], 0.005, 0.004);
	}
	struct rb_ab_metric m[4] = {
		{ .name = "lat", .a = a[0].arm, .b = b[0].arm },
		{ .name = "other", .a = a[1].arm, .b = b[1].arm },
		{ .name = "side", .a = a[2].arm, .b = b[2].arm, .family = RB_FAMILY_SECONDARY },
		/* a rate: falls when lat rises; its data is not consulted */
		{ .name = "iops", .a = a[3].arm, .b = b[3].arm, .family = RB_FAMILY_DERIVED,
		  .parent = 0 },
	};
	o.iters = 1000;
	assert_int_equal(rb_stats_compare(m, 4, &o, r), 0);
	assert_int_equal(r[0].family_size, 2);
	assert_int_equal(r[1].family_size, 2);
	assert_int_equal(r[2].family_size, 1);
	assert_close(r[2].p_adj, r[2].p, 0);		/* alone in its family */
	assert_true(r[0].p_adj == fmin(1, 2 * fmin(r[0].p, r[1].p)) || r[0].p_adj >= r[0].p);
	assert_int_equal(r[0].verdict, RB_VERDICT_SLOWER);
	assert_int_equal(r[3].verdict, r[0].verdict);
	assert_true(isnan(r[3].p) && isnan(r[3].p_adj));
	assert_true(r[3].ratio < 1);			/* its own numbers are shown */
	o.correction = RB_CORR_BH;
	assert_int_equal(rb_stats_compare(m, 4, &o, rbh), 0);
	/* BH with 2 p-values: max p stays, the min one is min(2 p1, p2) */
	double lo = fmin(r[0].p, r[1].p), hi = fmax(r[0].p, r[1].p);
	assert_close(fmin(rbh[0].p_adj, rbh[1].p_adj), fmin(2 * lo, hi), 1e-12);
	assert_close(fmax(rbh[0].p_adj, rbh[1].p_adj), hi, 1e-12);
	/* a derived metric must point at a tested one */
	m[3].parent = 3;
	assert_int_equal(rb_stats_compare(m, 4, &o, r), -EINVAL);
	m[3].parent = 9;
	assert_int_equal(rb_stats_compare(m, 4, &o, r), -EINVAL);
	assert_int_equal(rb_stats_exact(m, 4, &o, r), -EINVAL);
	for (int k = 0; k < 4; k++) {
		synth_free(&a[k]);
		synth_free(&b[k]);
	}
}

static void test_compare_seeds_and_bad_metric(void **st)
{
	struct rb_rng g;
	struct synth a, b;
	static const double z[] = { 0, 0, 0 }, nan_[] = { 1, NAN, 2 };
	const double *rz[] = { z }, *rn[] = { nan_ };
	static const unsigned n3[] = { 3 };
	struct rb_stats_opts o = RB_STATS_OPTS_INIT;
	struct rb_ab_result r1[3], r2[3];

	(void)st;
	rb_rng_seed(&g, 77);
	synth_make(&a, &g, 3, 8, 100, 0.02, 0.005);
	synth_make(&b, &g, 3, 8, 103, 0.02, 0.005);
	struct rb_ab_metric m[3] = {
		{ .name = "good", .a = a.arm, .b = b.arm },
		{ .name = "zero", .a = { 1, rz, n3 }, .b = b.arm },	/* median A = 0: -EDOM */
		{ .name = "nan", .a = a.arm, .b = { 1, rn, n3 } },	/* bad sample: -EINVAL */
	};
	struct rb_ab_metric swapped[3] = { m[2], m[1], m[0] };

	o.iters = 2000;
	assert_int_equal(rb_stats_compare(m, 3, &o, r1), 0);
	assert_int_equal(r1[0].status, 0);
	assert_int_equal(r1[1].status, -EDOM);
	assert_int_equal(r1[2].status, -EINVAL);
	assert_int_equal(r1[1].verdict, RB_VERDICT_INCONCLUSIVE);
	assert_int_equal(r1[2].verdict, RB_VERDICT_INCONCLUSIVE);
	assert_true(isnan(r1[1].p_adj) && isnan(r1[2].p_adj));
	/* only the good metric counts for Holm */
	assert_close(r1[0].p_adj, r1[0].p, 0);
	assert_int_equal(r1[0].family_size, 1);
	/* the seed comes from the name: order does not matter */
	assert_int_equal(rb_stats_compare(swapped, 3, &o, r2), 0);
	assert_true(r1[0].seed == r2[2].seed);
	assert_true(r1[0].ci.lo == r2[2].ci.lo && r1[0].ci.hi == r2[2].ci.hi);
	assert_true(r1[0].ci_boot.lo == r2[2].ci_boot.lo && r1[0].ci_boot.hi == r2[2].ci_boot.hi);
	assert_true(r1[0].p == r2[2].p && r1[0].p_adj == r2[2].p_adj);
	assert_int_equal(r1[0].verdict, r2[2].verdict);
	assert_true(r1[0].seed != r1[1].seed);
	/* a different report seed changes the bootstrap a little, not the answer */
	o.seed = 12345;
	assert_int_equal(rb_stats_compare(m, 1, &o, r2), 0);
	assert_false(r1[0].ci_boot.lo == r2[0].ci_boot.lo);
	assert_close(r2[0].ci_boot.lo, r1[0].ci_boot.lo, 0.005);
	assert_int_equal(r2[0].verdict, r1[0].verdict);
	/* bad options are refused outright */
	o.margin = 0;
	assert_int_equal(rb_stats_compare(m, 3, &o, r2), -EINVAL);
	synth_free(&a);
	synth_free(&b);
}

/* ---- the exact rule ----------------------------------------------------- */

/* An arm of R rounds whose round r holds n copies of v[r] (+ jitter[i]). */
struct fixed_arm {
	double buf[4][8];
	const double *rows[4];
	unsigned n[4];
};

static struct rb_arm fixed(struct fixed_arm *f, unsigned R, unsigned n, const double *v,
			   const double *jitter)
{
	for (unsigned r = 0; r < R; r++) {
		for (unsigned i = 0; i < n; i++)
			f->buf[r][i] = v[r] + (jitter ? jitter[i] : 0);
		f->rows[r] = f->buf[r];
		f->n[r] = n;
	}
	return (struct rb_arm){ R, f->rows, f->n };
}

static void exact1(struct rb_ab_metric *m, struct rb_ab_result *r)
{
	struct rb_stats_opts o = RB_STATS_OPTS_INIT;

	assert_int_equal(rb_stats_exact(m, 1, &o, r), 0);
	assert_int_equal(r->status, 0);
}

static void test_exact_declared_bound(void **st)
{
	/* One boot per kernel, A/A bound 0.25 insn/page declared: the
	 * one-instruction-per-page patch (81.6 -> 82.58) is slower, and
	 * inside +-2% of 81.6 (1.632) even with the bound added. */
	struct fixed_arm fa, fb;
	static const double va[] = { 81.6 }, vb[] = { 82.58 };
	struct rb_ab_metric m = { .name = "get", .a = fixed(&fa, 1, 5, va, NULL),
				  .b = fixed(&fb, 1, 5, vb, NULL), .has_bound = true, .bound = 0.25 };
	struct rb_ab_result r;

	(void)st;
	exact1(&m, &r);
	assert_int_equal(r.verdict, RB_VERDICT_SLOWER);
	assert_true(r.significant && r.within_margin);
	assert_int_equal(r.bound_source, RB_BOUND_DECLARED);
	assert_close(r.bound, 0.25, 0);
	assert_close(r.delta, 0.98, 1e-12);
	assert_close(r.delta_ci.lo, 0.73, 1e-12);
	assert_close(r.delta_ci.hi, 1.23, 1e-12);
	assert_close(r.ci.lo, (81.6 + 0.73) / 81.6, 1e-14);
	assert_close(r.ci.hi, (81.6 + 1.23) / 81.6, 1e-14);
	assert_true(r.ci_tost.lo == r.ci.lo && r.ci_tost.hi == r.ci.hi);
	assert_close(r.pct_change, 100 * 0.98 / 81.6, 1e-12);
	assert_true(isnan(r.p) && isnan(r.p_adj));
	/* +2 instructions with a bound of 0.5: 2.5 > 1.632, out of the margin */
	static const double vb2[] = { 83.6 };
	m.b = fixed(&fb, 1, 5, vb2, NULL);
	m.bound = 0.5;
	exact1(&m, &r);
	assert_int_equal(r.verdict, RB_VERDICT_SLOWER);
	assert_false(r.within_margin);
	/* -2 instructions: faster */
	static const double vb3[] = { 79.6 };
	m.b = fixed(&fb, 1, 5, vb3, NULL);
	exact1(&m, &r);
	assert_int_equal(r.verdict, RB_VERDICT_FASTER);
	/* within the bound: 81.6 -> 81.7 with bound 0.25: equivalent */
	static const double vb4[] = { 81.7 };
	m.b = fixed(&fb, 1, 5, vb4, NULL);
	m.bound = 0.25;
	exact1(&m, &r);
	assert_int_equal(r.verdict, RB_VERDICT_EQUIVALENT);
	assert_false(r.significant);
	assert_true(r.within_margin);
	/* |delta| <= b but the bound is wider than the margin: inconclusive */
	m.bound = 2;
	exact1(&m, &r);
	assert_int_equal(r.verdict, RB_VERDICT_INCONCLUSIVE);
	assert_null(r.reason);
	/* a bound of exactly |delta| is no difference */
	m.bound = 0.1 + 1e-12;
	exact1(&m, &r);
	assert_false(r.significant);
	/* a declared bound of 0 makes every change a difference */
	static const double vb5[] = { 81.60001 };
	m.b = fixed(&fb, 1, 5, vb5, NULL);
	m.bound = 0;
	exact1(&m, &r);
	assert_int_equal(r.verdict, RB_VERDICT_SLOWER);
	assert_true(r.within_margin);
	/* a bad bound is a per-metric error */
	struct rb_stats_opts o = RB_STATS_OPTS_INIT;
	m.bound = -1;
	assert_int_equal(rb_stats_exact(&m, 1, &o, &r), 0);
	assert_int_equal(r.status, -EINVAL);
	assert_int_equal(r.verdict, RB_VERDICT_INCONCLUSIVE);
}

static void test_exact_zero(void **st)
{
	/* A count of 0 (no atomic on the path) is a value: 0 and 0 are
	 * equivalent, one more per page than 0 is slower, with no ratio. */
	struct fixed_arm fa, fb;
	static const double z[] = { 0 }, one[] = { 1 };
	struct rb_ab_metric m = { .name = "atomic", .a = fixed(&fa, 1, 5, z, NULL),
				  .b = fixed(&fb, 1, 5, z, NULL), .has_bound = true, .bound = 0.01 };
	struct rb_ab_result r;

	(void)st;
	exact1(&m, &r);
	assert_int_equal(r.status, 0);
	assert_int_equal(r.verdict, RB_VERDICT_EQUIVALENT);
	assert_close(r.pct_change, 0, 0);
	m.b = fixed(&fb, 1, 5, one, NULL);
	exact1(&m, &r);
	assert_int_equal(r.status, 0);
	assert_int_equal(r.verdict, RB_VERDICT_SLOWER);
	assert_close(r.delta, 1, 0);
	assert_true(isnan(r.pct_change) && isnan(r.ci.lo));
	/* below the bound: not equivalent, since A has no relative margin */
	static const double tiny[] = { 0.005 };
	m.b = fixed(&fb, 1, 5, tiny, NULL);
	exact1(&m, &r);
	assert_int_equal(r.verdict, RB_VERDICT_INCONCLUSIVE);
}

static void test_exact_in_run_aa(void **st)
{
	/* Two boots of each kernel and no declared bound: the between-boot
	 * spread seen here is the bound (the larger arm's). */
	struct fixed_arm fa, fb;
	static const double va[] = { 1000, 1004 }, vb[] = { 1001, 1002 };
	struct rb_ab_metric m = { .name = "munmap", .a = fixed(&fa, 2, 5, va, NULL),
				  .b = fixed(&fb, 2, 5, vb, NULL) };
	struct rb_ab_result r;

	(void)st;
	exact1(&m, &r);
	assert_int_equal(r.bound_source, RB_BOUND_BOOTS);
	assert_close(r.bound, 4, 0);
	assert_close(r.delta, 1501.5 - 1502 + 0.0, 1);	/* pooled medians 1002 and 1001.5 */
	assert_close(r.med_a, 1002, 0);
	assert_close(r.med_b, 1001.5, 0);
	assert_int_equal(r.verdict, RB_VERDICT_EQUIVALENT);	/* 0.5 + 4 <= 20 */
	/* spread 60 (6%) on A: no difference shown, none excluded */
	static const double va2[] = { 1000, 1060 }, vb2[] = { 1040, 1040 };
	m.a = fixed(&fa, 2, 5, va2, NULL);
	m.b = fixed(&fb, 2, 5, vb2, NULL);
	exact1(&m, &r);
	assert_close(r.bound, 60, 0);
	assert_int_equal(r.verdict, RB_VERDICT_INCONCLUSIVE);
	/* identical boots, +40%: the canary */
	static const double va3[] = { 1000, 1000 }, vb3[] = { 1400, 1400 };
	m.a = fixed(&fa, 2, 5, va3, NULL);
	m.b = fixed(&fb, 2, 5, vb3, NULL);
	exact1(&m, &r);
	assert_close(r.bound, 0, 0);
	assert_int_equal(r.bound_source, RB_BOUND_BOOTS);
	assert_int_equal(r.verdict, RB_VERDICT_SLOWER);
	assert_false(r.within_margin);
	assert_true(r.ci.lo == 1.4 && r.ci.hi == 1.4);
	/* one arm with 2 boots is enough to know a bound */
	m.b = fixed(&fb, 1, 5, vb3, NULL);
	exact1(&m, &r);
	assert_int_equal(r.verdict, RB_VERDICT_SLOWER);
	/* a declared bound below the spread seen here: the spread wins */
	m.a = fixed(&fa, 2, 5, va, NULL);
	m.b = fixed(&fb, 2, 5, vb, NULL);
	m.has_bound = true;
	m.bound = 1;
	exact1(&m, &r);
	assert_int_equal(r.bound_source, RB_BOUND_BOOTS);
	assert_close(r.bound, 4, 0);
	/* ... and the resolution when it is larger still */
	m.resolution = 5;
	exact1(&m, &r);
	assert_int_equal(r.bound_source, RB_BOUND_RESOLUTION);
	assert_close(r.bound, 5, 0);
	/* a tie keeps the declared source */
	m.resolution = 0;
	m.bound = 4;
	exact1(&m, &r);
	assert_int_equal(r.bound_source, RB_BOUND_DECLARED);
}

static void test_exact_unknown_bound(void **st)
{
	/* One boot each, no declared bound: identical numbers are
	 * equivalent ("identical"); anything else cannot be judged. */
	struct fixed_arm fa, fb;
	static const double v[] = { 50 }, w[] = { 51 }, jit[] = { 0, 0.5, 0, 0, 0 };
	struct rb_ab_metric m = { .name = "fault", .a = fixed(&fa, 1, 5, v, NULL),
				  .b = fixed(&fb, 1, 5, v, NULL) };
	struct rb_ab_result r;

	(void)st;
	exact1(&m, &r);
	assert_int_equal(r.verdict, RB_VERDICT_EQUIVALENT);
	assert_int_equal(r.bound_source, RB_BOUND_IDENTICAL);
	assert_close(r.bound, 0, 0);
	assert_true(r.ci.lo == 1 && r.ci.hi == 1);
	/* same median, one sample differs: not identical */
	m.b = fixed(&fb, 1, 5, v, jit);
	exact1(&m, &r);
	assert_close(r.delta, 0, 0);
	assert_int_equal(r.verdict, RB_VERDICT_INCONCLUSIVE);
	assert_string_equal(r.reason, "no A/A bound: give --bounds or >= 2 boots of one arm");
	assert_int_equal(r.bound_source, RB_BOUND_NONE);
	assert_true(isnan(r.ci.lo));
	/* +1 per page, no bound: inconclusive, even with a resolution */
	m.b = fixed(&fb, 1, 5, w, NULL);
	m.resolution = 0.01;
	exact1(&m, &r);
	assert_int_equal(r.verdict, RB_VERDICT_INCONCLUSIVE);
	assert_close(r.delta, 1, 0);
	assert_non_null(r.reason);
}

static void test_exact_derived(void **st)
{
	struct fixed_arm fa[2], fb[2];
	static const double la[] = { 100 }, lb[] = { 110 }, ia[] = { 10 }, ib[] = { 9.09 };
	struct rb_ab_metric m[2] = {
		{ .name = "lat", .a = fixed(&fa[0], 1, 3, la, NULL), .b = fixed(&fb[0], 1, 3, lb, NULL),
		  .has_bound = true, .bound = 0 },
		{ .name = "iops", .a = fixed(&fa[1], 1, 3, ia, NULL), .b = fixed(&fb[1], 1, 3, ib, NULL),
		  .family = RB_FAMILY_DERIVED, .parent = 0 },
	};
	struct rb_stats_opts o = RB_STATS_OPTS_INIT;
	struct rb_ab_result r[2];

	(void)st;
	assert_int_equal(rb_stats_exact(m, 2, &o, r), 0);
	assert_int_equal(r[0].verdict, RB_VERDICT_SLOWER);
	assert_int_equal(r[1].verdict, RB_VERDICT_SLOWER);	/* as lat */
	assert_close(r[1].ratio, 0.909, 1e-12);
	/* without a bound of its own it would have been inconclusive */
	assert_int_equal(r[1].bound_source, RB_BOUND_NONE);
}

/* ---- power, plans, sequential looks ------------------------------------- */

static void test_normal_and_power(void **st)
{
	(void)st;
	assert_close(rb_stats_norm_quantile(0.975), 1.959963984540054, 1e-14);
	assert_close(rb_stats_norm_quantile(0.8), 0.8416212335729143, 1e-14);
	assert_close(rb_stats_norm_quantile(1e-10), -6.361340902404056, 1e-12);
	assert_close(rb_stats_norm_cdf(-1.959963984540054), 0.025, 1e-13);
	assert_true(isnan(rb_stats_norm_quantile(0)) && isnan(rb_stats_norm_quantile(1)));
	/* [R] power.t.test(n = 20, delta = 1) -> power 0.86895280169249778:
	 * the upper tail only (strict = FALSE); the lower tail adds
	 * 2.2603e-7 ([py] the same integral in Python, which gives the
	 * upper tail as 0.8689528016921289) */
	assert_close(rb_stats_t_power(1, 1, 20, 20, 0.05), 0.86895280169249778 + 2.2603e-7, 1e-10);
	/* [R] power.t.test(power = .90, delta = 1) -> n = 22.02110 */
	assert_true(rb_stats_t_power(1, 1, 22, 22, 0.05) < 0.9);
	assert_true(rb_stats_t_power(1, 1, 23, 23, 0.05) > 0.9);
	/* no shift: the power is the level (both tails) */
	assert_close(rb_stats_t_power(0, 1, 5, 5, 0.05), 0.05, 1e-6);
	assert_close(rb_stats_t_power(0, 0.3, 2, 3, 0.1), 0.1, 1e-6);
	/* TOST at the margin itself rejects with probability <= alpha */
	assert_true(rb_stats_tost_power(0.02, 0.02, 0.01, 10, 10, 0.05) <= 0.05 + 1e-6);
	assert_true(rb_stats_tost_power(0, 0.02, 0.001, 5, 5, 0.05) > 0.999);
	assert_close(rb_stats_tost_power(0, 0.02, 0, 2, 2, 0.05), 1, 0);
	assert_true(isnan(rb_stats_t_power(1, 1, 1, 1, 0.05)));	/* df 0 */
	assert_true(isnan(rb_stats_t_power(1, -1, 5, 5, 0.05)));
}

static void test_plan_rounds(void **st)
{
	/* the plan is the smallest R at which both powers reach the target */
	static const double sig[] = { 0.002, 0.01, 0.02 };
	const double eq = log1p(0.02);

	(void)st;
	for (unsigned i = 0; i < N_OF(sig); i++) {
		unsigned R = rb_stats_plan_rounds(sig[i], 0.02, 0.05 / 20, 0.05, 0.8, 1000);

		assert_true(R >= 2);
		assert_true(rb_stats_t_power(eq, sig[i], R, R, 0.05 / 20) >= 0.8);
		assert_true(rb_stats_tost_power(0, eq, sig[i], R, R, 0.05) >= 0.8);
		if (R > 2)
			assert_true(rb_stats_t_power(eq, sig[i], R - 1, R - 1, 0.05 / 20) < 0.8 ||
				    rb_stats_tost_power(0, eq, sig[i], R - 1, R - 1, 0.05) < 0.8);
		print_message("plan: boot sd %.1f%% -> %u boots per kernel\n", 100 * sig[i], R);
	}
	/* normal approximation as a sanity check: 2 (z_a/2 + z_b)^2 s^2/d^2 */
	unsigned R = rb_stats_plan_rounds(0.01, 0.02, 0.05, 0.05, 0.8, 1000);
	double approx = 2 * pow(1.959964 + 0.841621, 2) * 1e-4 / (eq * eq);
	assert_true(R >= approx && R <= approx + 3);
	assert_int_equal(rb_stats_plan_rounds(0.5, 0.02, 0.05, 0.05, 0.8, 100), 0);
	assert_int_equal(rb_stats_plan_rounds(0, 0.02, 0.05, 0.05, 0.8, 100), 2);
	assert_int_equal(rb_stats_plan_rounds(0.01, 0, 0.05, 0.05, 0.8, 100), 0);
}

static void test_alpha_spending(void **st)
{
	double sum = 0, prev = 0;

	(void)st;
	/* [py] 2 * Phi(-z_{0.975} / sqrt(t)) with Python's math.erfc */
	assert_close(rb_stats_spend_obf(0.2, 0.05), 1.172644684252118e-05, 1e-9);
	assert_close(rb_stats_spend_obf(0.5, 0.05), 0.005574596680784421, 1e-11);
	assert_close(rb_stats_spend_obf(0.8, 0.05), 0.02842963075307273, 1e-11);
	assert_close(rb_stats_spend_obf(1, 0.05), 0.05, 0);
	assert_close(rb_stats_spend_obf(0, 0.05), 0, 0);
	for (unsigned r = 2; r <= 10; r++) {
		double a = rb_stats_look_alpha(r, 10, 2, 0.05);

		assert_true(a > 0);
		assert_true(r == 2 || a > prev);	/* O'Brien-Fleming spends late */
		prev = a;
		sum += a;
	}
	assert_close(sum, 0.05, 1e-14);
	assert_true(isnan(rb_stats_look_alpha(1, 10, 2, 0.05)));
	assert_true(isnan(rb_stats_look_alpha(11, 10, 2, 0.05)));
}

static void test_normalized(void **st)
{
	/* base and x share each boot's luck (A: 1.00, 1.04; B: 0.98, 1.03):
	 * per boot, x/base is 0.5 in A and 0.5 * 1.1 in B */
	struct fixed_arm xa, xb, ba, bb;
	static const double base_a[] = { 100, 104 }, base_b[] = { 98 * 1.2, 103 * 1.2 };
	static const double x_a[] = { 50, 52 }, x_b[] = { 49 * 1.2 * 1.1, 51.5 * 1.2 * 1.1 };
	static const double jit[] = { 0, 0.01, -0.01 };
	struct rb_ab_metric m[2] = {
		{ .name = "x", .a = fixed(&xa, 2, 3, x_a, jit), .b = fixed(&xb, 2, 3, x_b, jit) },
		{ .name = "base", .a = fixed(&ba, 2, 3, base_a, jit), .b = fixed(&bb, 2, 3, base_b, jit) },
	};
	struct rb_stats_opts o = RB_STATS_OPTS_INIT;
	struct rb_ab_result r[2];
	struct rb_ci ci;
	double q;

	(void)st;
	o.iters = 500;
	assert_int_equal(rb_stats_compare(m, 2, &o, r), 0);
	assert_int_equal(rb_stats_normalized(&m[0], &m[1], &r[0], &r[1], false, 0.95, &q, &ci), 0);
	assert_close(q, r[0].ratio / r[1].ratio, 1e-15);
	assert_close(q, 1.1, 1e-3);
	assert_true(ci.lo <= q && q <= ci.hi);
	/* the boot luck cancels: far narrower than either arm's own interval */
	assert_true(ci.hi / ci.lo < 1.001);
	assert_true(r[0].ci.hi / r[0].ci.lo > 1.05);
	/* exact: interval arithmetic on the two intervals */
	assert_int_equal(rb_stats_exact(m, 2, &o, r), 0);
	assert_int_equal(rb_stats_normalized(&m[0], &m[1], &r[0], &r[1], true, 0.95, &q, &ci), 0);
	assert_close(ci.lo, r[0].ci.lo / r[1].ci.hi, 1e-15);
	assert_close(ci.hi, r[0].ci.hi / r[1].ci.lo, 1e-15);
	/* different boots cannot be paired */
	m[1].b.n_rounds = 1;
	assert_int_equal(rb_stats_normalized(&m[0], &m[1], &r[0], &r[1], false, 0.95, &q, &ci), -EINVAL);
}

/* ---- seeded simulations ------------------------------------------------- */

static void test_sim_aa_false_positives(void **st)
{
	/* 500 A/A reports of 10 primary metrics, 5 boots x 10 samples per
	 * arm, 1% within-boot and 1% between-boot noise. The family error
	 * (any metric slower or faster) must stay within alpha plus its
	 * binomial margin (2.58 sd, one-sided 99.5%). */
	enum { REPORTS = 500, K = 10 };
	double one[K];
	struct rb_ab_result res[K];
	struct rb_stats_opts o = RB_STATS_OPTS_INIT;
	unsigned bad = 0, equiv = 0;

	(void)st;
	for (int k = 0; k < K; k++)
		one[k] = 1;
	o.iters = 100;		/* the bootstrap decides nothing here */
	o.plan = false;
	for (unsigned s = 0; s < REPORTS; s++) {
		bool any = false;

		run_report_opts(K, 5, 10, one, 0.01, 0.01, 1000 + s, res, &o);
		for (int k = 0; k < K; k++) {
			any |= res[k].verdict == RB_VERDICT_SLOWER || res[k].verdict == RB_VERDICT_FASTER;
			equiv += res[k].verdict == RB_VERDICT_EQUIVALENT;
		}
		bad += any;
	}
	double rate = (double)bad / REPORTS, margin = 2.58 * sqrt(0.05 * 0.95 / REPORTS);
	print_message("A/A: %u of %u reports with a false verdict (%.1f%%, bound %.1f%%); "
		      "%.1f%% of metrics equivalent\n", bad, REPORTS, 100 * rate,
		      100 * (0.05 + margin), 100.0 * equiv / (REPORTS * K));
	assert_true(rate <= 0.05 + margin);
}

static void test_sim_power_matches_closed_form(void **st)
{
	/* +3% planted, 5 boots per arm, one value per boot with 1% boot and
	 * 2% within-boot noise (log-normal, so the boot value's log sd is
	 * sqrt(1% ^ 2 + 2% ^ 2)); 1000 reports of one metric. The share
	 * called slower must match rb_stats_t_power within 0.05 (3 binomial
	 * sd at p = 0.5 is 0.047; the formula itself is exact here). */
	static const struct { double shift; unsigned R; } cases[] = { { 1.03, 5 }, { 1.02, 8 } };
	struct rb_stats_opts o = RB_STATS_OPTS_INIT;
	struct rb_ab_result r;

	(void)st;
	o.iters = 100;
	o.plan = false;
	for (unsigned c = 0; c < N_OF(cases); c++) {
		double sigma = sqrt(0.01 * 0.01 + 0.02 * 0.02), ratio[1] = { cases[c].shift };
		double want = rb_stats_t_power(log(cases[c].shift), sigma, cases[c].R, cases[c].R, 0.05);
		unsigned hits = 0, N = 1000;

		for (unsigned s = 0; s < N; s++) {
			run_report_opts(1, cases[c].R, 1, ratio, 0.02, 0.01, 5000 + s + 7919 * c, &r, &o);
			hits += r.verdict == RB_VERDICT_SLOWER;
		}
		print_message("power at +%.0f%%, %u boots: simulated %.3f, closed form %.3f\n",
			      100 * (cases[c].shift - 1), cases[c].R, (double)hits / N, want);
		assert_true(fabs((double)hits / N - want) <= 0.05);
	}
}

static void test_sim_sequential_aa(void **st)
{
	/* Sequential A/A: looks after every round from 2 to 8 (5 metrics, 3
	 * samples per boot,
	 * Holm within each look at the look's spent alpha); 400 runs. Any
	 * false verdict at any look counts. The union bound keeps it <= alpha. */
	enum { RUNS = 400, K = 5, RMAX = 8 };
	struct rb_stats_opts o = RB_STATS_OPTS_INIT;
	struct rb_ab_result res[K];
	unsigned bad = 0;

	(void)st;
	o.iters = 100;
	o.plan = false;
	for (unsigned s = 0; s < RUNS; s++) {
		struct synth a[K], b[K];
		struct rb_ab_metric m[K];
		struct rb_rng g;
		bool any = false;

		rb_rng_seed(&g, 9000 + s);
		for (int k = 0; k < K; k++) {
			synth_make(&a[k], &g, RMAX, 3, 100, 0.01, 0.01);
			synth_make(&b[k], &g, RMAX, 3, 100, 0.01, 0.01);
			m[k] = (struct rb_ab_metric){ .name = NULL, .a = a[k].arm, .b = b[k].arm };
		}
		for (unsigned r = 2; r <= RMAX && !any; r++) {
			o.alpha = rb_stats_look_alpha(r, RMAX, 2, 0.05);
			for (int k = 0; k < K; k++)
				m[k].a.n_rounds = m[k].b.n_rounds = r;
			assert_int_equal(rb_stats_compare(m, K, &o, res), 0);
			for (int k = 0; k < K; k++)
				any |= res[k].significant;
		}
		bad += any;
		for (int k = 0; k < K; k++) {
			synth_free(&a[k]);
			synth_free(&b[k]);
		}
	}
	double rate = (double)bad / RUNS, margin = 2.58 * sqrt(0.05 * 0.95 / RUNS);
	print_message("sequential A/A: %u of %u runs with a false verdict at some look (%.1f%%)\n",
		      bad, RUNS, 100 * rate);
	assert_true(rate <= 0.05 + margin);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rng_reference),
		cmocka_unit_test(test_rng_ranges),
		cmocka_unit_test(test_quantile_type7),
		cmocka_unit_test(test_median_mean_sd),
		cmocka_unit_test(test_round_and_pooled_medians),
		cmocka_unit_test(test_arm_check),
		cmocka_unit_test(test_mwu_exact),
		cmocka_unit_test(test_mwu_ties_normal),
		cmocka_unit_test(test_mwu_large_normal),
		cmocka_unit_test(test_mwu_arms),
		cmocka_unit_test(test_holm),
		cmocka_unit_test(test_bh),
		cmocka_unit_test(test_ttest),
		cmocka_unit_test(test_rounds_ttest),
		cmocka_unit_test(test_boot_deterministic),
		cmocka_unit_test(test_boot_coverage),
		cmocka_unit_test(test_boot_vs_numpy),
		cmocka_unit_test(test_boot_zero_variance),
		cmocka_unit_test(test_boot_one_round_and_ties),
		cmocka_unit_test(test_boot_bad_input),
		cmocka_unit_test(test_tost_edges),
		cmocka_unit_test(test_opts_and_names),
		cmocka_unit_test(test_verdict_aa),
		cmocka_unit_test(test_verdict_shifted),
		cmocka_unit_test(test_verdict_slower_in_margin),
		cmocka_unit_test(test_verdict_boot_effect_not_a_regression),
		cmocka_unit_test(test_verdict_one_boot_timed),
		cmocka_unit_test(test_verdict_alpha_sets_levels),
		cmocka_unit_test(test_verdict_families),
		cmocka_unit_test(test_compare_seeds_and_bad_metric),
		cmocka_unit_test(test_exact_declared_bound),
		cmocka_unit_test(test_exact_zero),
		cmocka_unit_test(test_exact_in_run_aa),
		cmocka_unit_test(test_exact_unknown_bound),
		cmocka_unit_test(test_exact_derived),
		cmocka_unit_test(test_normal_and_power),
		cmocka_unit_test(test_plan_rounds),
		cmocka_unit_test(test_alpha_spending),
		cmocka_unit_test(test_normalized),
		cmocka_unit_test(test_sim_aa_false_positives),
		cmocka_unit_test(test_sim_power_matches_closed_form),
		cmocka_unit_test(test_sim_sequential_aa),
	};

	/* RB_TEST_FILTER=test_sim_* runs a subset (cmocka's glob) */
	if (getenv("RB_TEST_FILTER"))
		cmocka_set_test_filter(getenv("RB_TEST_FILTER"));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
