/* stats: median, mean, spread and confidence intervals over repetitions; Jain's index.
 * Written by hand: a few dozen lines specific to us, no library needed. */
#include "stats.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

int stats_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

double stats_quantile_sorted(const double *s, size_t n, double q)
{
	if (n == 0)
		return NAN;
	double h = (double)(n - 1) * q;
	size_t lo = (size_t)floor(h);
	if (lo + 1 >= n)
		return s[n - 1];
	return s[lo] + (h - (double)lo) * (s[lo + 1] - s[lo]);
}

double stats_t95(size_t df)
{
	/* Two-sided 95% quantiles of Student's t, df 1..30, then the normal limit approached. */
	static const double t[] = { 0, 12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262,
		2.228, 2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074,
		2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042 };
	if (df == 0)
		return NAN;
	if (df <= 30)
		return t[df];
	if (df <= 40)
		return 2.021;
	if (df <= 60)
		return 2.000;
	if (df <= 120)
		return 1.980;
	return 1.960;
}

int stats_summarize(const double *x, size_t n, struct stats_summary *o)
{
	memset(o, 0, sizeof *o);
	if (n == 0)
		return -EINVAL;
	double *s = malloc(n * sizeof *s);
	if (!s)
		return -ENOMEM;
	double sum = 0;
	for (size_t i = 0; i < n; i++) {
		if (!isfinite(x[i])) {
			free(s);
			return -EINVAL;
		}
		s[i] = x[i];
		sum += x[i];
	}
	qsort(s, n, sizeof *s, stats_cmp_double);
	o->n = n;
	o->mean = sum / (double)n;
	o->min = s[0];
	o->max = s[n - 1];
	o->median = stats_quantile_sorted(s, n, 0.5);
	o->q1 = stats_quantile_sorted(s, n, 0.25);
	o->q3 = stats_quantile_sorted(s, n, 0.75);
	double ss = 0;
	for (size_t i = 0; i < n; i++)
		ss += (x[i] - o->mean) * (x[i] - o->mean);
	o->stddev = n > 1 ? sqrt(ss / (double)(n - 1)) : 0;
	o->cv = o->mean != 0 ? o->stddev / fabs(o->mean) : 0;
	if (n > 1) {
		double h = stats_t95(n - 1) * o->stddev / sqrt((double)n);
		o->ci_lo = o->mean - h;
		o->ci_hi = o->mean + h;
	} else {
		o->ci_lo = o->ci_hi = o->mean;
	}
	double iqr = o->q3 - o->q1, lo = o->q1 - 1.5 * iqr, hi = o->q3 + 1.5 * iqr;
	for (size_t i = 0; i < n; i++)
		o->outliers += s[i] < lo || s[i] > hi;
	free(s);
	return 0;
}

double stats_jain(const double *x, size_t n)
{
	double s = 0, s2 = 0;
	for (size_t i = 0; i < n; i++) {
		s += x[i];
		s2 += x[i] * x[i];
	}
	if (n == 0 || s2 == 0)
		return n ? 1.0 / (double)n : 0; /* nobody did anything: report the worst case */
	return s * s / ((double)n * s2);
}
