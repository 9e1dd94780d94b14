/* stats: descriptive statistics over repetitions. Small and specific, written by hand. */
#ifndef BENCH_STATS_H
#define BENCH_STATS_H

#include <stddef.h>

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

#endif
