/* paired: the Wilcoxon signed-rank test and the Hodges-Lehmann interval of paired
 * repetitions (see paired.h). */
#include "bench/stats/paired.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bench/stats/stats.h"

/* Null distribution of V for n differences without ties: counts[k] = the number of the 2^n
 * sign assignments with V = k, k = 0..n(n+1)/2 (subsets of the ranks 1..n summing to k, by
 * adding one rank at a time). Only additions: doubles keep full relative precision. */
static double *signrank_counts(unsigned n, size_t *K)
{
	*K = (size_t)n * (n + 1) / 2 + 1;
	double *c = calloc(*K, sizeof *c);
	if (!c)
		return NULL;
	c[0] = 1;
	for (unsigned r = 1; r <= n; r++)
		for (size_t k = (size_t)r * (r + 1) / 2; k >= r; k--)
			c[k] += c[k - r];
	return c;
}

double paired_signrank_cdf(unsigned n, double v)
{
	size_t K;
	if (v < 0)
		return 0;
	if (v >= (double)n * (n + 1) / 2)
		return 1;
	double *c = signrank_counts(n, &K);
	if (!c)
		return NAN;
	double below = 0, total = 0;
	size_t top = (size_t)floor(v);
	for (size_t k = 0; k < K; k++) {
		total += c[k];
		if (k <= top)
			below += c[k];
	}
	free(c);
	return below / total;
}

static double wsr_sigma(unsigned n, double tie_term)
{
	double N = n, v = N * (N + 1) * (2 * N + 1) / 24 - tie_term / 48;
	return v > 0 ? sqrt(v) : 0;
}

/* Two-sided p from the normal approximation with a continuity correction (R's wilcox.test). */
static double wsr_normal_p(double v, unsigned n, double sigma, double *zout)
{
	double d = v - (double)n * (n + 1) / 4;
	if (sigma <= 0) {
		*zout = 0;
		return 1;
	}
	double z = (d - (d > 0 ? 0.5 : d < 0 ? -0.5 : 0)) / sigma;
	*zout = z;
	return fmin(1, 2 * fmin(stats_norm_cdf(z), stats_norm_cdf(-z)));
}

double paired_min_p(unsigned n)
{
	if (n == 0)
		return 1;
	if (n < PAIRED_EXACT_MAX)
		return fmin(1, ldexp(2, -(int)n));
	double z;
	return wsr_normal_p((double)n * (n + 1) / 2, n, wsr_sigma(n, 0), &z);
}

unsigned paired_min_pairs(double alpha)
{
	unsigned n;
	for (n = 1; n < 1000; n++)
		if (paired_min_p(n) < alpha)
			break;
	return n;
}

/* The non-zero values of d (into nz) by increasing |d|; their count. */
static unsigned nonzero_by_abs(const double *d, size_t n, double *nz)
{
	unsigned k = 0;
	for (size_t i = 0; i < n; i++)
		if (d[i] != 0)
			nz[k++] = d[i];
	/* insertion sort by |d|: n is a number of pairs (tens) */
	for (unsigned i = 1; i < k; i++) {
		double t = nz[i];
		unsigned j = i;
		for (; j > 0 && fabs(nz[j - 1]) > fabs(t); j--)
			nz[j] = nz[j - 1];
		nz[j] = t;
	}
	return k;
}

int paired_wilcoxon(const double *d, size_t n, struct paired_wsr *o)
{
	memset(o, 0, sizeof *o);
	o->p = o->min_p = 1;
	o->z = NAN;
	for (size_t i = 0; i < n; i++)
		if (!isfinite(d[i]))
			return -EINVAL;
	double *a = malloc((n ? n : 1) * sizeof *a), tie_term = 0;
	if (!a)
		return -ENOMEM;
	unsigned m = nonzero_by_abs(d, n, a);
	o->n = m;
	o->zeros = (unsigned)n - m;
	for (unsigned lo = 0; lo < m;) { /* mid-ranks of |d| (1-based); V sums the positive ones */
		unsigned hi = lo + 1;
		while (hi < m && fabs(a[hi]) == fabs(a[lo]))
			hi++;
		double t = hi - lo, mid = (lo + 1 + hi) / 2.0;
		if (hi - lo > 1) {
			o->ties += hi - lo;
			tie_term += t * t * t - t;
		}
		for (unsigned k = lo; k < hi; k++)
			o->v += a[k] > 0 ? mid : 0;
		lo = hi;
	}
	free(a);
	o->min_p = paired_min_p(m);
	if (!m)
		return 0;
	if (!o->ties && !o->zeros && m < PAIRED_EXACT_MAX) {
		double p = o->v > (double)m * (m + 1) / 4 ? 1 - paired_signrank_cdf(m, o->v - 1)
		                                          : paired_signrank_cdf(m, o->v);
		if (isnan(p))
			return -ENOMEM;
		o->p = fmin(1, 2 * p);
		o->exact = 1;
		return 0;
	}
	o->p = wsr_normal_p(o->v, m, wsr_sigma(m, tie_term), &o->z);
	return 0;
}

/* qu (1-based) of the interval: the smallest q with P(V <= q) >= a2 (R's qsignrank), at
 * least 1; exact when the test is, else from the normal approximation. 0 on out of memory. */
static size_t walsh_rank(unsigned n, double a2, int exact)
{
	size_t K, qu = 0;
	if (exact) {
		double *c = signrank_counts(n, &K), total = 0, cum = 0;
		if (!c)
			return 0;
		for (size_t k = 0; k < K; k++)
			total += c[k];
		for (qu = 0; qu < K - 1; qu++) {
			cum += c[qu];
			if (cum / total >= a2)
				break;
		}
		free(c);
	} else {
		double q = floor((double)n * (n + 1) / 4 + stats_norm_quantile(a2) * wsr_sigma(n, 0));
		qu = q < 0 ? 0 : (size_t)q;
	}
	return qu < 1 ? 1 : qu;
}

int paired_hodges_lehmann(const double *d, size_t n, double level, double *est, double *lo, double *hi)
{
	*est = *lo = *hi = NAN;
	if (n == 0 || !(level > 0 && level < 1))
		return -EINVAL;
	struct paired_wsr w;
	int rc = paired_wilcoxon(d, n, &w);
	if (rc)
		return rc;
	if (!w.n) { /* every difference is 0 */
		*est = *lo = *hi = 0;
		return 0;
	}
	double *x = malloc(n * sizeof *x);
	size_t m = w.n, nw = m * (m + 1) / 2, k = 0;
	double *walsh = malloc(nw * sizeof *walsh);
	if (!x || !walsh) {
		free(x);
		free(walsh);
		return -ENOMEM;
	}
	nonzero_by_abs(d, n, x);
	for (size_t i = 0; i < m; i++)
		for (size_t j = i; j < m; j++)
			walsh[k++] = (x[i] + x[j]) / 2;
	qsort(walsh, nw, sizeof *walsh, stats_cmp_double);
	*est = stats_quantile_sorted(walsh, nw, 0.5);
	size_t qu = walsh_rank((unsigned)m, (1 - level) / 2, w.exact);
	if (qu && qu > (nw + 1) / 2)
		qu = (nw + 1) / 2;
	if (qu) {
		*lo = walsh[qu - 1];
		*hi = walsh[nw - qu];
	}
	free(x);
	free(walsh);
	return qu ? 0 : -ENOMEM;
}

int paired_analyze(const double *base, const double *new, size_t n, double level, struct paired_result *out)
{
	memset(out, 0, sizeof *out);
	out->ratio = out->ratio_lo = out->ratio_hi = NAN;
	if (n == 0)
		return -EINVAL;
	double *d = malloc(n * sizeof *d), est, lo, hi;
	if (!d)
		return -ENOMEM;
	int rc = 0;
	for (size_t i = 0; i < n && !rc; i++) {
		if (!(base[i] > 0 && new[i] > 0 && isfinite(base[i]) && isfinite(new[i])))
			rc = -EINVAL;
		else
			d[i] = log(new[i] / base[i]);
	}
	if (!rc)
		rc = paired_wilcoxon(d, n, &out->wsr);
	if (!rc)
		rc = paired_hodges_lehmann(d, n, level, &est, &lo, &hi);
	free(d);
	if (rc)
		return rc;
	out->ratio = exp(est);
	out->ratio_lo = exp(lo);
	out->ratio_hi = exp(hi);
	return 0;
}
