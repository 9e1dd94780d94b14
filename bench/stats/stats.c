/* stats: median, mean, spread and confidence intervals over repetitions; Jain's index.
 * Written by hand: a few dozen lines specific to us, no library needed. */
#include "bench/stats/stats.h"

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
	if (s[lo] == s[lo + 1])
		return s[lo]; /* also for infinite values, where the interpolation would give NaN */
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

double stats_median(const double *x, size_t n)
{
	if (n == 0)
		return NAN;
	double *s = malloc(n * sizeof *s);
	if (!s)
		return NAN;
	memcpy(s, x, n * sizeof *s);
	qsort(s, n, sizeof *s, stats_cmp_double);
	double m = stats_quantile_sorted(s, n, 0.5);
	free(s);
	return m;
}

/* ---- two-sample comparison ---- */

double stats_norm_cdf(double z)
{
	return 0.5 * erfc(-z / sqrt(2.0));
}

double stats_norm_quantile(double q)
{
	if (!(q > 0 && q < 1))
		return q == 0 ? -INFINITY : q == 1 ? INFINITY : NAN;
	double lo = -40, hi = 40;
	for (int i = 0; i < 200 && hi - lo > 1e-15; i++) {
		double mid = (lo + hi) / 2;
		if (stats_norm_cdf(mid) < q)
			lo = mid;
		else
			hi = mid;
	}
	return (lo + hi) / 2;
}

/* Null distribution of U for sizes m, n without ties: counts[k] = number of the C(m+n, m)
 * arrangements with U = k, k = 0..m*n. Counting recursion on the largest of the m+n values:
 * an x beats all n y's, a y beats nothing, so w(m,n,k) = w(m-1,n,k-n) + w(m,n-1,k). One
 * table of rows i = 0..m is updated in place for j = 1..n (row i-1 already holds layer j).
 * Only additions: doubles keep full relative precision even past 2^53. */
static double *mw_counts(unsigned m, unsigned n)
{
	size_t K = (size_t)m * n + 1;
	double *w = calloc((size_t)(m + 1) * K, sizeof *w);
	if (!w)
		return NULL;
	for (unsigned i = 0; i <= m; i++)
		w[i * K] = 1;
	for (unsigned j = 1; j <= n; j++)
		for (unsigned i = 1; i <= m; i++) {
			double *row = w + i * K, *prev = w + (i - 1) * K;
			for (size_t k = (size_t)i * j; k >= j; k--)
				row[k] += prev[k - j];
		}
	memmove(w, w + (size_t)m * K, K * sizeof *w);
	return w;
}

double stats_mw_cdf(unsigned m, unsigned n, double u)
{
	if (u < 0)
		return 0;
	if (u >= (double)m * n)
		return 1;
	double *w = mw_counts(m, n);
	if (!w)
		return NAN;
	double below = 0, total = 0;
	size_t K = (size_t)m * n + 1, top = (size_t)floor(u);
	for (size_t k = 0; k < K; k++) {
		total += w[k];
		if (k <= top)
			below += w[k];
	}
	free(w);
	return below / total;
}

static double mw_sigma(size_t nx, size_t ny, double tie_term)
{
	double N = (double)(nx + ny), mn = (double)nx * (double)ny;
	double v = mn / 12.0 * ((N + 1) - (N > 1 ? tie_term / (N * (N - 1)) : 0));
	return v > 0 ? sqrt(v) : 0;
}

/* Two-sided p from the normal approximation with a continuity correction (R's wilcox.test). */
static double mw_normal_p(double u, size_t nx, size_t ny, double sigma, double *zout)
{
	double d = u - (double)nx * (double)ny / 2;
	if (sigma <= 0) {
		*zout = 0;
		return 1;
	}
	double z = (d - (d > 0 ? 0.5 : d < 0 ? -0.5 : 0)) / sigma;
	*zout = z;
	double p = 2 * fmin(stats_norm_cdf(z), stats_norm_cdf(-z));
	return p > 1 ? 1 : p;
}

double stats_mw_min_p(unsigned m, unsigned n)
{
	if (m == 0 || n == 0)
		return 1;
	if (m < STATS_MW_EXACT_MAX && n < STATS_MW_EXACT_MAX) {
		double c = exp(lgamma(m + n + 1.0) - lgamma(m + 1.0) - lgamma(n + 1.0));
		return fmin(1, 2 / c);
	}
	double z;
	return mw_normal_p(0, m, n, mw_sigma(m, n, 0), &z);
}

struct ranked { double v; size_t i; };

static int cmp_ranked(const void *a, const void *b)
{
	return stats_cmp_double(&((const struct ranked *)a)->v, &((const struct ranked *)b)->v);
}

/* Exact two-sided p-value with ties: the permutation distribution of the rank sum of x, by
 * counting. r2 holds the N values' doubled mid-ranks (integers), s2 the doubled rank sum of x;
 * ways[k][s]: the ways k of the values seen so far have the doubled rank sum s. Two-sided:
 * the probability of a sum at least as far from its mean, nx (N + 1), as the one observed.
 * Exact because C(N, nx) < 2^53 for N <= STATS_MW_EXACT_TIES_MAX. NAN when out of memory. */
static double mw_exact_ties_p(const unsigned *r2, size_t N, size_t nx, unsigned s2)
{
	size_t smax = N * (N + 1), w = smax + 1;
	double *ways = calloc((nx + 1) * w, sizeof *ways);
	if (!ways)
		return NAN;
	ways[0] = 1;
	for (size_t i = 0; i < N; i++)
		for (size_t k = i + 1 < nx ? i + 1 : nx; k >= 1; k--)
			for (size_t s = smax; s >= r2[i]; s--)
				ways[k * w + s] += ways[(k - 1) * w + s - r2[i]];
	long mean = (long)(nx * (N + 1)), far = labs((long)s2 - mean);
	double hit = 0, all = 0;
	for (size_t s = 0; s <= smax; s++) {
		all += ways[nx * w + s];
		if (labs((long)s - mean) >= far)
			hit += ways[nx * w + s];
	}
	free(ways);
	return fmin(1, hit / all);
}

int stats_mann_whitney(const double *x, size_t nx, const double *y, size_t ny, struct stats_mw *o)
{
	memset(o, 0, sizeof *o);
	o->p = o->min_p = 1;
	o->z = NAN;
	if (nx == 0 || ny == 0)
		return -EINVAL;
	size_t N = nx + ny;
	struct ranked *r = malloc(N * sizeof *r);
	if (!r)
		return -ENOMEM;
	for (size_t i = 0; i < N; i++) {
		r[i].v = i < nx ? x[i] : y[i - nx];
		r[i].i = i;
		if (!isfinite(r[i].v)) {
			free(r);
			return -EINVAL;
		}
	}
	qsort(r, N, sizeof *r, cmp_ranked);
	/* Mid-ranks (1-based) for ties; the rank sum of x gives U. r2: the doubled mid-ranks, for
	 * the exact test with ties (N <= STATS_MW_EXACT_TIES_MAX). */
	unsigned r2[STATS_MW_EXACT_TIES_MAX], s2 = 0;
	double rank_sum_x = 0, tie_term = 0;
	for (size_t a = 0; a < N;) {
		size_t b = a + 1;
		while (b < N && r[b].v == r[a].v)
			b++;
		double t = (double)(b - a), mid = (double)(a + 1 + b) / 2;
		if (b - a > 1) {
			o->ties += (unsigned)(b - a);
			tie_term += t * t * t - t;
		}
		for (size_t k = a; k < b; k++) {
			if (N <= STATS_MW_EXACT_TIES_MAX)
				r2[k] = (unsigned)(a + 1 + b);
			if (r[k].i < nx) {
				rank_sum_x += mid;
				s2 += (unsigned)(a + 1 + b);
			}
		}
		a = b;
	}
	free(r);
	o->u = rank_sum_x - (double)nx * (double)(nx + 1) / 2;
	o->min_p = stats_mw_min_p((unsigned)nx, (unsigned)ny);
	if (o->ties && N <= STATS_MW_EXACT_TIES_MAX) {
		o->p = mw_exact_ties_p(r2, N, nx, s2);
		if (isnan(o->p))
			return -ENOMEM;
		o->exact = 1;
		return 0;
	}
	if (!o->ties && nx < STATS_MW_EXACT_MAX && ny < STATS_MW_EXACT_MAX) {
		unsigned m = (unsigned)nx, n = (unsigned)ny;
		double p = o->u > (double)m * n / 2 ? 1 - stats_mw_cdf(m, n, o->u - 1) : stats_mw_cdf(m, n, o->u);
		if (isnan(p))
			return -ENOMEM;
		o->p = fmin(1, 2 * p);
		o->exact = 1;
		return 0;
	}
	o->p = mw_normal_p(o->u, nx, ny, mw_sigma(nx, ny, tie_term), &o->z);
	return 0;
}

uint64_t stats_rng_next(struct stats_rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

size_t stats_rng_below(struct stats_rng *r, size_t n)
{
	return (size_t)(((unsigned __int128)stats_rng_next(r) * n) >> 64);
}

double stats_median_inplace(double *v, size_t n)
{
	if (n == 0)
		return NAN;
	if (n > 64) {
		qsort(v, n, sizeof *v, stats_cmp_double);
		return stats_quantile_sorted(v, n, 0.5);
	}
	for (size_t i = 1; i < n; i++) {
		double t = v[i];
		size_t j = i;
		for (; j > 0 && v[j - 1] > t; j--)
			v[j] = v[j - 1];
		v[j] = t;
	}
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int stats_bootstrap_ratio_ci(const double *x, size_t nx, const double *y, size_t ny, double level,
                             unsigned nboot, uint64_t seed, double *lo, double *hi)
{
	*lo = *hi = NAN;
	if (nx == 0 || ny == 0 || nboot < 2 || !(level > 0 && level < 1))
		return -EINVAL;
	for (size_t i = 0; i < nx + ny; i++) {
		double v = i < nx ? x[i] : y[i - nx];
		if (!isfinite(v) || v < 0)
			return -EINVAL;
	}
	double *bx = malloc((nx + ny) * sizeof *bx), *ratio = malloc(nboot * sizeof *ratio);
	if (!bx || !ratio) {
		free(bx);
		free(ratio);
		return -ENOMEM;
	}
	double *by = bx + nx;
	struct stats_rng rng = { seed };
	for (unsigned b = 0; b < nboot; b++) {
		for (size_t i = 0; i < nx; i++)
			bx[i] = x[stats_rng_below(&rng, nx)];
		for (size_t i = 0; i < ny; i++)
			by[i] = y[stats_rng_below(&rng, ny)];
		double my = stats_median_inplace(by, ny), mx = stats_median_inplace(bx, nx);
		/* a zero median (a repetition starved of CPU) makes the ratio unbounded, not undefined */
		ratio[b] = mx > 0 ? my / mx : my > 0 ? INFINITY : 1;
	}
	qsort(ratio, nboot, sizeof *ratio, stats_cmp_double);
	*lo = stats_quantile_sorted(ratio, nboot, (1 - level) / 2);
	*hi = stats_quantile_sorted(ratio, nboot, 1 - (1 - level) / 2);
	free(bx);
	free(ratio);
	return 0;
}

int stats_hodges_lehmann_ratio(const double *x, size_t nx, const double *y, size_t ny, double level,
                               double *est, double *lo, double *hi)
{
	*est = *lo = *hi = NAN;
	if (nx == 0 || ny == 0 || !(level > 0 && level < 1))
		return -EINVAL;
	for (size_t i = 0; i < nx + ny; i++) {
		double v = i < nx ? x[i] : y[i - nx];
		if (!isfinite(v) || v <= 0)
			return -EINVAL;
	}
	size_t mn = nx * ny;
	double *d = malloc(mn * sizeof *d);
	if (!d)
		return -ENOMEM;
	for (size_t i = 0; i < nx; i++)
		for (size_t j = 0; j < ny; j++)
			d[i * ny + j] = log(y[j]) - log(x[i]);
	qsort(d, mn, sizeof *d, stats_cmp_double);
	*est = exp(stats_quantile_sorted(d, mn, 0.5));
	/* qu (1-based) = the smallest q with P(U <= q) >= (1-level)/2, at least 1 (R's
	 * wilcox.test(conf.int = TRUE)); the interval is [d_(qu), d_(mn+1-qu)]. */
	double a2 = (1 - level) / 2;
	size_t qu;
	struct stats_mw mw;
	int rc = stats_mann_whitney(x, nx, y, ny, &mw);
	if (rc) {
		free(d);
		return rc;
	}
	if (mw.exact) {
		double *w = mw_counts((unsigned)nx, (unsigned)ny);
		if (!w) {
			free(d);
			return -ENOMEM;
		}
		double total = 0, cum = 0;
		for (size_t k = 0; k <= mn; k++)
			total += w[k];
		for (qu = 0; qu < mn; qu++) {
			cum += w[qu];
			if (cum / total >= a2)
				break;
		}
		free(w);
	} else {
		double q = ceil((double)mn / 2 - 0.5 + stats_norm_quantile(a2) * mw_sigma(nx, ny, 0));
		qu = q < 0 ? 0 : (size_t)q;
	}
	if (qu < 1)
		qu = 1;
	if (qu > (mn + 1) / 2)
		qu = (mn + 1) / 2;
	*lo = exp(d[qu - 1]);
	*hi = exp(d[mn - qu]);
	free(d);
	return 0;
}

double stats_median_ci95_halfwidth(const double *x, size_t n)
{
	struct stats_summary s;
	if (n < 2 || stats_summarize(x, n, &s))
		return NAN;
	/* sqrt(pi/2): the median's standard error over the mean's, for normal data */
	return stats_t95(n - 1) * 1.2533141373155 * s.stddev / sqrt((double)n);
}
