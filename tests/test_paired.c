/* paired: the Wilcoxon signed-rank test and the Hodges-Lehmann interval of bench ab against
 * independent references: brute-force enumeration of every sign assignment (computed here),
 * and R 4.2's wilcox.test / psignrank (the R commands and their output are quoted above each
 * check; R was run once to get them, it is not needed to run the tests). */
#include <errno.h>
#include <math.h>
#include <stdint.h>

#include "bench/stats/compare.h"
#include "bench/stats/paired.h"
#include "tests/test.h"

/* P(V <= v) for n differences by enumerating the 2^n sign assignments of the ranks 1..n. */
static double brute_signrank_cdf(unsigned n, double v)
{
	double below = 0;
	for (uint32_t mask = 0; mask < (1u << n); mask++) {
		unsigned V = 0;
		for (unsigned r = 1; r <= n; r++)
			V += mask & (1u << (r - 1)) ? r : 0;
		below += V <= v;
	}
	return below / (double)(1u << n);
}

TEST(paired, exact_distribution_matches_enumeration)
{
	for (unsigned n = 1; n <= 14; n++)
		for (unsigned v = 0; v <= n * (n + 1) / 2; v++)
			CHECK_NEAR(paired_signrank_cdf(n, v), brute_signrank_cdf(n, v), 1e-12);
	CHECK_NEAR(paired_signrank_cdf(5, -1), 0, 0);
	CHECK_NEAR(paired_signrank_cdf(5, 15), 1, 0);
	/* R: for (n in c(6, 10)) print(psignrank(0:3, n))
	 *    0.015625 0.03125 0.046875 0.078125
	 *    0.0009765625 0.001953125 0.0029296875 0.0048828125 */
	CHECK_NEAR(paired_signrank_cdf(6, 3), 0.078125, 1e-15);
	CHECK_NEAR(paired_signrank_cdf(10, 2), 0.0029296875, 1e-15);
}

TEST(paired, smallest_p_and_minimum_pairs)
{
	/* R: wilcox.test(c(0.01, 0.02, 0.03, 0.04, 0.05))$p.value        0.0625
	 *    wilcox.test(c(0.01, 0.02, 0.03, 0.04, 0.05, 0.06))$p.value  0.03125 */
	CHECK_NEAR(paired_min_p(5), 0.0625, 1e-15);
	CHECK_NEAR(paired_min_p(6), 0.03125, 1e-15);
	CHECK_NEAR(paired_min_p(0), 1, 0);
	CHECK_EQ_INT(paired_min_pairs(0.05), 6);  /* 5 pairs can never reach 0.05 */
	CHECK_EQ_INT(paired_min_pairs(0.01), 8);  /* 2/2^7 = 0.0156 */
	CHECK_EQ_INT(paired_min_pairs(0.001), 11);
	double five[] = { 0.01, 0.02, 0.03, 0.04, 0.05 }, six[] = { 0.01, 0.02, 0.03, 0.04, 0.05, 0.06 };
	struct paired_wsr w;
	CHECK_EQ_INT(paired_wilcoxon(five, 5, &w), 0);
	CHECK_NEAR(w.p, 0.0625, 1e-15);
	CHECK_EQ_INT(paired_wilcoxon(six, 6, &w), 0);
	CHECK_NEAR(w.p, 0.03125, 1e-15);
	CHECK(w.exact && w.v == 21);
}

/* Checks a test and an interval against R's values. */
static void check_r(const double *d, size_t n, double v, double p, int exact, double est, double lo, double hi,
                    double tol_ci)
{
	struct paired_wsr w;
	double e, l, h;
	CHECK_EQ_INT(paired_wilcoxon(d, n, &w), 0);
	CHECK_NEAR(w.v, v, 0);
	CHECK_NEAR(w.p, p, 1e-12);
	CHECK_EQ_INT(w.exact, exact);
	CHECK_EQ_INT(paired_hodges_lehmann(d, n, 0.95, &e, &l, &h), 0);
	CHECK_NEAR(e, est, tol_ci);
	CHECK_NEAR(l, lo, tol_ci);
	CHECK_NEAR(h, hi, tol_ci);
}

TEST(paired, r_wilcox_test_exact)
{
	/* R's own example (?wilcox.test, Hollander & Wolfe p. 29, depression scale):
	 * x <- c(1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30)
	 * y <- c(0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29)
	 * wilcox.test(x - y, conf.int = TRUE)
	 *   V = 40, p-value = 0.0390625, (pseudo)median 0.46, 95% CI 0.01 0.786 */
	double x[] = { 1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30 };
	double y[] = { 0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29 }, d[9];
	for (int i = 0; i < 9; i++)
		d[i] = x[i] - y[i];
	check_r(d, 9, 40, 0.0390625, 1, 0.46, 0.01, 0.786, 1e-12);
	/* d2 <- c(0.012, -0.004, 0.021, 0.008, -0.011, 0.015, 0.003, 0.019, -0.002, 0.009, 0.017, 0.006)
	 * wilcox.test(d2, conf.int = TRUE): V = 67, p = 0.02685546875, est 0.00825, CI 0.001 0.0145 */
	double d2[] = { 0.012, -0.004, 0.021, 0.008, -0.011, 0.015, 0.003, 0.019, -0.002, 0.009, 0.017, 0.006 };
	check_r(d2, 12, 67, 0.02685546875, 1, 0.00825, 0.001, 0.0145, 1e-12);
}

TEST(paired, r_wilcox_test_normal_approximation)
{
	/* Ties: wilcox.test(c(1, 2, 2, -3, 4, 5, 5, 6), conf.int = TRUE)
	 *   V = 32, p-value = 0.0580886263985633 (normal, tie-corrected, continuity-corrected);
	 *   R's estimate 3.00005 and CI -0.49999 5.00004 come from uniroot: ours are the Walsh
	 *   averages 3, -0.5, 5 (within a neighbouring Walsh average, see paired.h). */
	double t[] = { 1, 2, 2, -3, 4, 5, 5, 6 };
	check_r(t, 8, 32, 0.0580886263985633, 0, 3, -0.5, 5, 1e-4);
	/* 60 pairs: d <- sin((1:60) * 1.7) + 0.3; wilcox.test(d, conf.int = TRUE)
	 *   V = 1335, p-value = 0.0020137800739605, est 0.313514, CI 0.139488 0.488087 */
	double s[60];
	for (int i = 0; i < 60; i++)
		s[i] = sin((i + 1) * 1.7) + 0.3;
	check_r(s, 60, 1335, 0.0020137800739605, 0, 0.313514403167676, 0.139488275741168, 0.488087310934821, 2e-3);
}

TEST(paired, zeros_dropped_as_r_does)
{
	/* wilcox.test(c(0, 1.5, -0.5, 2, 3, 2.5), conf.int = TRUE)
	 *   V = 14, p-value = 0.105645429201877 (a zero: normal approximation on the 5 others);
	 *   R's CI 0.74994 2.50007 (uniroot; R warns that the level is not achievable with 5).
	 *   Ours, from the normal rank at n = 5, is the widest Walsh interval, -0.5 .. 3: it holds
	 *   R's. */
	double z[] = { 0, 1.5, -0.5, 2, 3, 2.5 }, e, l, h;
	struct paired_wsr w;
	CHECK_EQ_INT(paired_wilcoxon(z, 6, &w), 0);
	CHECK_EQ_INT(w.n, 5);
	CHECK_EQ_INT(w.zeros, 1);
	CHECK_NEAR(w.v, 14, 0);
	CHECK_NEAR(w.p, 0.105645429201877, 1e-12);
	CHECK_EQ_INT(paired_hodges_lehmann(z, 6, 0.95, &e, &l, &h), 0);
	CHECK(l <= 0.74994 && h >= 2.50007 && e == 2);
	double zeros[] = { 0, 0, 0 };
	CHECK_EQ_INT(paired_wilcoxon(zeros, 3, &w), 0);
	CHECK(w.n == 0 && w.p == 1 && w.min_p == 1);
	CHECK_EQ_INT(paired_hodges_lehmann(zeros, 3, 0.95, &e, &l, &h), 0);
	CHECK(e == 0 && l == 0 && h == 0);
}

TEST(paired, ratio_of_pairs)
{
	/* new = base x (1.1 + i/1000): whatever the (strong) drift of base, the ratio is about
	 * 1.1 and every sign the same way: p is the smallest possible, 2 / 2^8. */
	double base[8], new[8];
	for (int i = 0; i < 8; i++) {
		base[i] = 100 + 40 * i;
		new[i] = base[i] * (1.1 + i / 1000.0);
	}
	struct paired_result r;
	CHECK_EQ_INT(paired_analyze(base, new, 8, 0.95, &r), 0);
	CHECK(r.wsr.exact);
	CHECK_NEAR(r.wsr.p, 2.0 / 256, 1e-15);
	CHECK(r.ratio > 1.1 && r.ratio < 1.107 && r.ratio_lo >= 1.1 && r.ratio_hi <= 1.107 + 1e-12);
	CHECK(r.ratio_lo < r.ratio && r.ratio < r.ratio_hi);
	/* every ratio exactly 1.1: all |d| tie, the normal approximation as R does:
	 * wilcox.test(rep(log(1.1), 8))$p.value  0.00596207853209371 */
	for (int i = 0; i < 8; i++)
		new[i] = base[i] * 1.1;
	CHECK_EQ_INT(paired_analyze(base, new, 8, 0.95, &r), 0);
	CHECK_NEAR(r.wsr.p, 0.00596207853209371, 1e-12);
	CHECK_NEAR(r.ratio, 1.1, 1e-12);
	base[3] = 0;
	CHECK_EQ_INT(paired_analyze(base, new, 8, 0.95, &r), -EINVAL);
	base[3] = NAN;
	CHECK_EQ_INT(paired_analyze(base, new, 8, 0.95, &r), -EINVAL);
	CHECK_EQ_INT(paired_analyze(base, new, 0, 0.95, &r), -EINVAL);
	double inf[] = { 1, INFINITY };
	struct paired_wsr w;
	CHECK_EQ_INT(paired_wilcoxon(inf, 2, &w), -EINVAL);
}

/* bench ab may look at a cell's pairs after --pairs and after every 2 more up to --max-pairs,
 * and stops at the first look that settles it: each look tests at alpha / looks (Bonferroni),
 * so an A/A job gets no extra false alarms from looking again. 10 pairs all 20% slower: p is
 * 2 / 2^10 = 0.00195, below alpha 0.01 in one look, not below 0.01 / 6; 12 such pairs
 * (2 / 2^12) are. */
TEST(paired, looks_split_alpha)
{
	double base[12], new[12];
	for (int i = 0; i < 12; i++) {
		base[i] = 100 + 7 * i;
		new[i] = base[i] * (0.8 + i / 1000.0);
	}
	struct compare_opts o;
	compare_opts_default(&o);
	CHECK_NEAR(compare_test_alpha(&o), 0.01, 1e-15);
	CHECK(compare_pairs_settled(&o, base, new, 10));
	o.looks = 6; /* --pairs 10 --max-pairs 20: looks at 10, 12, ..., 20 pairs */
	CHECK_NEAR(compare_test_alpha(&o), 0.01 / 6, 1e-15);
	CHECK(!compare_pairs_settled(&o, base, new, 10));
	CHECK(compare_pairs_settled(&o, base, new, 12));
}
