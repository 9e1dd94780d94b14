/* changepoint: where does a series of measurements (one cell's metric, run after run) step to
 * another level? E-divisive means with a significance test in sliding windows, as Apache Otava
 * (ex DataStax Hunter) does it:
 *   - Apache Otava, docs/MATH.md and otava/analysis.py (split, merge),
 *     otava/change_point_divisive/{calculator,detector}.py (github.com/apache/otava);
 *   - D. S. Matteson, N. A. James, "A Nonparametric Approach for Multiple Change Point
 *     Analysis of Multivariate Data", JASA 2014 (arXiv:1306.4933): the divergence Q-hat;
 *   - M. Fleming et al., "Hunter: Using Change Point Detection to Hunt for Performance
 *     Regressions", ICPE 2023 (arXiv:2301.03034): a t-test instead of the permutation test,
 *     fixed windows, weak change points.
 *
 * The algorithm (Otava's compute_change_points, window_len, max_pvalue):
 *   split: windows of `window` points, each starting half a window after the previous one (or
 *     at the last change point found); in each window, repeatedly take the (tau, kappa) that
 *     maximises Q-hat(x[s:tau], x[tau:kappa]) over the current segments and keep tau while the
 *     test of the two segments either side of it gives p <= the weak p-value (10 x pvalue
 *     when pvalue < 0.05, as Otava). The union over the windows are the weak change points.
 *   merge: test every weak point against its neighbours' segments; drop the one with the
 *     largest p while that p >= pvalue, recomputing its neighbours, until all are significant.
 * Where bench differs from Otava, and why:
 *   - min_segment: both segments either side of a change point (and every candidate's X and Y
 *     in the Q-hat search) have at least min_segment points, so a single spike, or a step that
 *     has not lasted min_segment runs yet, is not a step (Otava's users' first complaint).
 *   - the test is Welch's t-test (unequal variances), not Student's pooled one: a short
 *     segment holding a spike has a large variance, and Welch does not let the long quiet
 *     segment's small variance stand for it. But each side's variance is at least the pooled
 *     variance of the two: a short segment that is quiet by chance (4 points of 200) would
 *     otherwise make a tiny standard error and a false change.
 *   - after the merge, each change point moves to the least-squares split of the segment
 *     between its neighbours (the maximum-likelihood location of a mean shift), and the merge
 *     runs once more: E-divisive finds a step, least squares places it (5% in 2% noise: 95%
 *     within +-1 point instead of 93%, tests/experiments/changepoint.sh).
 *   - the default p-value is 1e-4, not Otava's 1e-3: the test is made after choosing the most
 *     different split, so its p-value is optimistic; at 1e-3, 0.5-1.5% of stationary series of
 *     200 points get a false change, at 1e-4 none of 600 (tests/experiments/changepoint.sh).
 * Each change gets the mean before and after (the segments between it and its neighbours),
 * the relative change after/before - 1 and its CI at `confidence` (Welch's interval of the
 * difference of means, divided by the mean before). Regression or improvement is the
 * caller's, by the metric's direction.
 *
 * Pure computation, no allocation visible to the caller but *out (free()). Deterministic. */
#ifndef BENCH_CHANGEPOINT_H
#define BENCH_CHANGEPOINT_H

#include <stddef.h>

#define CP_DEFAULT_PVALUE 0.0001    /* Otava's max_pvalue default is 0.001: see above */
#define CP_DEFAULT_WINDOW 50        /* Otava's window_len default */
#define CP_DEFAULT_MIN_SEGMENT 3
#define CP_DEFAULT_CONFIDENCE 0.95
#define CP_MAX_POINTS 1000000

struct cp_opts {
	double pvalue;              /* significance of a change, (0, 1) */
	unsigned window;            /* points per window of the split step, >= 2 * min_segment */
	unsigned min_segment;       /* >= 2 */
	double confidence;          /* of the CI of the change, (0, 1) */
};

struct cp_change {
	unsigned index;             /* first point after the step (x[index] is at the new level) */
	unsigned nbefore, nafter;   /* points of the segments either side */
	double mean_before, mean_after;
	double change;              /* mean_after / mean_before - 1 */
	double ci_lo, ci_hi;        /* CI of change */
	double pvalue;              /* Welch's t-test of the two segments */
};

/* Welch's two-sample t-test of y against x, with the CI of mean(y) - mean(x) at level (the
 * plain test, without the variance floor the detector uses). */
struct cp_welch {
	double mean_x, mean_y, t, df, p, diff_lo, diff_hi;
};
/* 0, or -EINVAL (fewer than 2 points on a side, a non-finite value, level outside (0,1)). */
int cp_welch_test(const double *x, size_t nx, const double *y, size_t ny, double level, struct cp_welch *out);
/* P(T > t) for Student's t with df > 0 degrees of freedom (df need not be an integer). */
double cp_t_sf(double t, double df);

/* Matteson and James's Q-hat(x[s:tau], x[tau:kappa]) with alpha = 1, s < tau < kappa. */
double cp_qhat(const double *x, unsigned s, unsigned tau, unsigned kappa);

void cp_opts_default(struct cp_opts *o);
/* 0 or -EINVAL with a one-line reason in err ("--window 4 is below 2 x --min-segment 3"). */
int cp_opts_check(const struct cp_opts *o, char *err, size_t errlen);

/* The change points of x[0..n), in index order: *out (malloc'd, NULL when none) and *nout.
 * 0, or -EINVAL (bad options, a non-finite value, n > CP_MAX_POINTS), -ENOMEM. */
int cp_detect(const double *x, unsigned n, const struct cp_opts *o, struct cp_change **out, unsigned *nout);

#endif
