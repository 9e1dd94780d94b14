/* paired: statistics of paired repetitions (bench ab: base and new run interleaved, one pair
 * at a time). The verdict uses the per-pair log ratios d_i = log(new_i / base_i), so load or
 * drift that hits both repetitions of a pair cancels.
 *
 *  - The Wilcoxon signed-rank test of d against 0, two-sided, as R's
 *    wilcox.test(d, exact = NULL, correct = TRUE) computes it: zero differences are dropped;
 *    the p-value is exact (the null distribution of V by counting subsets of ranks) when fewer
 *    than PAIRED_EXACT_MAX differences remain and no |d| ties; otherwise the normal
 *    approximation with the tie correction of the variance and a continuity correction.
 *  - The Hodges-Lehmann estimate of the median ratio, exp(median of the Walsh averages
 *    (d_i + d_j) / 2, i <= j), and its distribution-free confidence interval: the Walsh
 *    averages of ranks qu and n(n+1)/2 + 1 - qu, with qu from the exact signed-rank
 *    distribution (R's wilcox.test(conf.int = TRUE) in its exact case) or, when the test is
 *    not exact, from its normal approximation, qu = floor(n(n+1)/4 - z sigma) (Hollander and
 *    Wolfe; R inverts the corrected statistic with uniroot instead: the bounds then agree to
 *    within a neighbouring Walsh average). Why not a bootstrap: with 6-20 pairs a bootstrap
 *    of the median is coarse and undercovers; the Walsh interval has exact coverage for a
 *    symmetric distribution of d and is consistent with the test (it excludes 0 exactly when
 *    the exact test rejects at the same level).
 *
 * The smallest two-sided p-value n differences can give is 2 / 2^n: at alpha 0.05 a verdict
 * needs at least 6 pairs (p >= 0.0625 with 5), at alpha 0.01 at least 8 (0.0156 with 7). */
#ifndef BENCH_PAIRED_H
#define BENCH_PAIRED_H

#include <stddef.h>

#define PAIRED_EXACT_MAX 50

struct paired_wsr {
	unsigned n;                   /* non-zero differences tested */
	unsigned zeros;               /* differences equal to 0, dropped */
	unsigned ties;                /* differences whose |d| shares its rank with another */
	double v;                     /* V: the sum of the ranks of the positive differences */
	double p, min_p;              /* two-sided p; the smallest p n differences can give */
	double z;                     /* normal score (continuity-corrected); NAN when exact */
	int exact;
};

/* The Wilcoxon signed-rank test of d[0..n) against 0. 0, or -EINVAL (a non-finite value),
 * -ENOMEM. With no non-zero difference: p = min_p = 1. */
int paired_wilcoxon(const double *d, size_t n, struct paired_wsr *out);
/* Exact null distribution of V for n differences without ties: P(V <= v). */
double paired_signrank_cdf(unsigned n, double v);
/* The smallest two-sided p-value n differences can give (exact: 2 / 2^n, capped at 1). */
double paired_min_p(unsigned n);
/* The smallest number of pairs with which p < alpha is possible at all. */
unsigned paired_min_pairs(double alpha);

/* Hodges-Lehmann estimate of the centre of d[0..n) (median of the Walsh averages) and its
 * confidence interval at level (see above). 0, or -EINVAL (n == 0, a non-finite value, level
 * outside (0,1)), -ENOMEM. */
int paired_hodges_lehmann(const double *d, size_t n, double level, double *est, double *lo, double *hi);

/* The whole paired analysis of n pairs (base[i], new[i]), all positive: the log ratios, the
 * test and the interval of the ratio new/base (est, lo, hi are ratios, 1 = no change). */
struct paired_result {
	struct paired_wsr wsr;
	double ratio, ratio_lo, ratio_hi;
};
int paired_analyze(const double *base, const double *new, size_t n, double level, struct paired_result *out);

#endif
