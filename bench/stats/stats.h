/* stats: descriptive statistics over repetitions. Small and specific, written by hand. */
#ifndef BENCH_STATS_H
#define BENCH_STATS_H

#include <stddef.h>
#include <stdint.h>

struct stats_summary {
	size_t n;
	double median, mean, stddev, cv, min, max;
	double ci_lo, ci_hi;          /* 95% CI of the mean (Student t) */
	double q1, q3;
	unsigned outliers;            /* outside Tukey's fences (1.5 IQR) */
};

/* Summarize x[0..n) (x is not modified). Returns 0, or -EINVAL for n == 0 or non-finite values. */
int stats_summarize(const double *x, size_t n, struct stats_summary *out);
/* Quantile (type 7, as R's default) of sorted data. */
double stats_quantile_sorted(const double *sorted, size_t n, double q);
/* Two-sided 95% Student t critical value for df degrees of freedom. */
double stats_t95(size_t df);
/* Jain's fairness index of x[0..n): (sum x)^2 / (n sum x^2); 1 = perfectly fair, 1/n = one gets all. */
double stats_jain(const double *x, size_t n);
int stats_cmp_double(const void *a, const void *b);
/* Median of x[0..n) (x is not modified); NAN for n == 0. */
double stats_median(const double *x, size_t n);
/* The same, sorting v in place (no allocation: for resampling loops). */
double stats_median_inplace(double *v, size_t n);

/* Half-width of an approximate 95% confidence interval of the median of x[0..n) (bench run
 * --reps auto stops on it): t95(n-1) x sqrt(pi/2) x stddev / sqrt(n), the median's standard
 * error for normal data. The standard deviation, not a robust spread: the MAD is 0 for a
 * two-valued series (1,2,1,2,1), which would stop a bimodal cell at once; outliers a
 * disturbance explains are left out before (interference.h). 0 for constant data, NAN for
 * n < 2. */
double stats_median_ci95_halfwidth(const double *x, size_t n);

/* ---- two-sample comparison (bench compare) ---- */

/* Standard normal CDF and its inverse (q in (0,1)). */
double stats_norm_cdf(double z);
double stats_norm_quantile(double q);

/* Mann-Whitney U test (two-sided) of x[0..nx) against y[0..ny).
 * u is U of x: the number of pairs (x_i, y_j) with x_i > y_j, plus half the ties. The p-value
 * is exact (the null distribution by the counting recursion) when there are no ties and both
 * samples have fewer than STATS_MW_EXACT_MAX values, as R's wilcox.test does; with ties it is
 * exact too when the two have at most STATS_MW_EXACT_TIES_MAX values together (the
 * permutation distribution of the mid-rank sum, as R's coin::wilcox_test(distribution =
 * "exact") gives; R's wilcox.test falls back to the approximation there, and for 5 against 5
 * repetitions with two tied values that turned p = 0.0079 into 0.012 and a -100% change into
 * "no change"); otherwise the normal approximation with the tie correction of the variance
 * and a continuity correction.
 * min_p is the smallest two-sided p-value that samples of these sizes can give at all (when
 * it is >= alpha, no data can be significant at alpha). */
#define STATS_MW_EXACT_MAX 50
#define STATS_MW_EXACT_TIES_MAX 40
struct stats_mw {
	double u, p, min_p;
	double z;                     /* normal score (continuity-corrected); NAN when exact */
	int exact;                    /* p is exact */
	unsigned ties;                /* values that share their rank with another */
};
/* 0, or -EINVAL (an empty sample, a non-finite value), -ENOMEM. */
int stats_mann_whitney(const double *x, size_t nx, const double *y, size_t ny, struct stats_mw *out);
/* Exact null distribution of U for samples of sizes m and n without ties: P(U <= u). */
double stats_mw_cdf(unsigned m, unsigned n, double u);
/* Smallest two-sided p-value samples of sizes m and n can reach (exact: 2 / C(m+n, m)). */
double stats_mw_min_p(unsigned m, unsigned n);

/* Reproducible pseudo-random numbers (splitmix64): same seed, same sequence everywhere. */
struct stats_rng { uint64_t s; };
uint64_t stats_rng_next(struct stats_rng *r);
/* Uniform integer in [0, n). */
size_t stats_rng_below(struct stats_rng *r, size_t n);

/* Percentile bootstrap confidence interval of median(y) / median(x) at the given level
 * (e.g. 0.95), from nboot resamples drawn with a fixed seed (same data, same interval).
 * Values must be >= 0; a resample whose x median is 0 gives an infinite ratio (so the interval
 * may reach INFINITY: no bound can be claimed). 0, or -EINVAL, -ENOMEM. */
#define STATS_BOOT_SEED 0x62656e6368ull   /* "bench" */
int stats_bootstrap_ratio_ci(const double *x, size_t nx, const double *y, size_t ny, double level,
                             unsigned nboot, uint64_t seed, double *lo, double *hi);
/* Hodges-Lehmann estimate of the ratio y/x (exp of the median of the pairwise differences
 * log y_j - log x_i) and its distribution-free confidence interval at level (from the exact
 * U distribution when stats_mann_whitney would be exact, else its normal approximation).
 * Values must be positive. 0, or -EINVAL, -ENOMEM. */
int stats_hodges_lehmann_ratio(const double *x, size_t nx, const double *y, size_t ny, double level,
                               double *est, double *lo, double *hi);

#endif
