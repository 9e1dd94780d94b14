/* changepoint: E-divisive means with Welch's t-test in windows (see changepoint.h, after
 * Apache Otava's analysis.py and change_point_divisive/). */
#include "bench/stats/changepoint.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CP_MAX_WINDOW 1000

/* ---- Student's t: the tail through the regularized incomplete beta function ---- */

/* The continued fraction of I_x(a, b) (modified Lentz), for x < (a + 1) / (a + b + 2). */
static double beta_cf(double a, double b, double x)
{
	const double tiny = 1e-300;
	double c = 1, d = 1 - (a + b) * x / (a + 1), h;
	d = 1 / (fabs(d) < tiny ? tiny : d);
	h = d;
	for (int m = 1; m <= 300; m++) {
		double aa = m * (b - m) * x / ((a - 1 + 2 * m) * (a + 2 * m));
		d = 1 + aa * d;
		c = 1 + aa / c;
		d = 1 / (fabs(d) < tiny ? tiny : d);
		h *= d * (fabs(c) < tiny ? tiny : c);
		aa = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 1 + 2 * m));
		d = 1 + aa * d;
		c = 1 + aa / c;
		d = 1 / (fabs(d) < tiny ? tiny : d);
		double del = d * (fabs(c) < tiny ? tiny : c);
		h *= del;
		if (fabs(del - 1) < 1e-15)
			break;
	}
	return h;
}

static double beta_inc(double a, double b, double x)
{
	if (x <= 0)
		return 0;
	if (x >= 1)
		return 1;
	double bt = exp(lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x));
	return x < (a + 1) / (a + b + 2) ? bt * beta_cf(a, b, x) / a : 1 - bt * beta_cf(b, a, 1 - x) / b;
}

double cp_t_sf(double t, double df)
{
	if (isnan(t) || !(df > 0))
		return NAN;
	if (isinf(t))
		return t > 0 ? 0 : 1;
	double tail = 0.5 * beta_inc(df / 2, 0.5, df / (df + t * t));
	return t >= 0 ? tail : 1 - tail;
}

/* q with P(T > q) = tail (0 < tail < 0.5), by bisection. */
static double t_quantile_upper(double tail, double df)
{
	double lo = 0, hi = 1;
	while (cp_t_sf(hi, df) > tail && hi < 1e12)
		hi *= 2;
	for (int i = 0; i < 200 && hi - lo > 1e-12 * hi; i++) {
		double mid = (lo + hi) / 2;
		if (cp_t_sf(mid, df) > tail)
			lo = mid;
		else
			hi = mid;
	}
	return (lo + hi) / 2;
}

static void mean_var(const double *x, size_t n, double *mean, double *var)
{
	double s = 0, ss = 0;
	for (size_t i = 0; i < n; i++)
		s += x[i];
	*mean = s / (double)n;
	for (size_t i = 0; i < n; i++)
		ss += (x[i] - *mean) * (x[i] - *mean);
	*var = ss / (double)(n - 1);
}

/* Welch's test; floor: each side's variance at least the pooled one (see changepoint.h). */
static int welch(const double *x, size_t nx, const double *y, size_t ny, double level, int floor,
                 struct cp_welch *out)
{
	double vx, vy;
	if (nx < 2 || ny < 2 || !(level > 0 && level < 1))
		return -EINVAL;
	for (size_t i = 0; i < nx + ny; i++)
		if (!isfinite(i < nx ? x[i] : y[i - nx]))
			return -EINVAL;
	mean_var(x, nx, &out->mean_x, &vx);
	mean_var(y, ny, &out->mean_y, &vy);
	if (floor) {
		double pooled = ((double)(nx - 1) * vx + (double)(ny - 1) * vy) / (double)(nx + ny - 2);
		vx = fmax(vx, pooled);
		vy = fmax(vy, pooled);
	}
	double ax = vx / (double)nx, ay = vy / (double)ny, se = sqrt(ax + ay), diff = out->mean_y - out->mean_x;
	if (se == 0) { /* both sides constant */
		out->df = (double)(nx + ny - 2);
		out->t = diff == 0 ? 0 : copysign(INFINITY, diff);
		out->p = diff == 0 ? 1 : 0;
		out->diff_lo = out->diff_hi = diff;
		return 0;
	}
	out->t = diff / se;
	out->df = (ax + ay) * (ax + ay) / (ax * ax / (double)(nx - 1) + ay * ay / (double)(ny - 1));
	out->p = fmin(1, 2 * cp_t_sf(fabs(out->t), out->df));
	double q = t_quantile_upper((1 - level) / 2, out->df);
	out->diff_lo = diff - q * se;
	out->diff_hi = diff + q * se;
	return 0;
}

int cp_welch_test(const double *x, size_t nx, const double *y, size_t ny, double level, struct cp_welch *out)
{
	return welch(x, nx, y, ny, level, 0, out);
}

/* ---- Q-hat ---- */

/* Q-hat of X (n points) and Y (m points) from the sum of the distances between them and the
 * sums within each (Matteson and James, alpha = 1; Otava's QQ). */
static double q_of(unsigned n, unsigned m, double between, double within_x, double within_y)
{
	double q = 2.0 / (n + m) * between;
	if (n > 1)
		q -= 2.0 * m / ((double)(n + m) * (n - 1)) * within_x;
	if (m > 1)
		q -= 2.0 * n / ((double)(n + m) * (m - 1)) * within_y;
	return q;
}

double cp_qhat(const double *x, unsigned s, unsigned tau, unsigned kappa)
{
	double between = 0, wx = 0, wy = 0;
	for (unsigned i = s; i < kappa; i++)
		for (unsigned j = i + 1; j < kappa; j++) {
			double d = fabs(x[i] - x[j]);
			if (j < tau)
				wx += d;
			else if (i >= tau)
				wy += d;
			else
				between += d;
		}
	return q_of(tau - s, kappa - tau, between, wx, wy);
}

/* A window x[0..m) with the 2-D prefix sums of its distance matrix: every Q-hat in O(1). */
struct win {
	const double *x;
	unsigned m, minseg;
	double *p;                  /* (m+1) x (m+1): p[i][j] = sum of |x_a - x_b|, a < i, b < j */
};

static double rect(const struct win *w, unsigned a, unsigned b, unsigned c, unsigned d)
{
	size_t s = w->m + 1;
	return w->p[b * s + d] - w->p[a * s + d] - w->p[b * s + c] + w->p[a * s + c];
}

static int win_init(struct win *w, const double *x, unsigned m, unsigned minseg)
{
	size_t s = (size_t)m + 1;
	*w = (struct win){ x, m, minseg, calloc(s * s, sizeof *w->p) };
	if (!w->p)
		return -ENOMEM;
	for (unsigned i = 1; i <= m; i++)
		for (unsigned j = 1; j <= m; j++)
			w->p[i * s + j] = fabs(x[i - 1] - x[j - 1]) + w->p[(i - 1) * s + j] + w->p[i * s + j - 1] -
			                  w->p[(i - 1) * s + j - 1];
	return 0;
}

/* The best split tau of the segment [s, e) of the window (both X and Y of at least minseg
 * points), and its Q-hat; 0 when the segment is too short. */
static unsigned best_split(const struct win *w, unsigned s, unsigned e, double *qbest)
{
	unsigned best = 0, L = w->minseg;
	for (unsigned tau = s + L; tau + L <= e; tau++) {
		double wx = rect(w, s, tau, s, tau) / 2;
		for (unsigned kappa = tau + L; kappa <= e; kappa++) {
			double q = q_of(tau - s, kappa - tau, rect(w, s, tau, tau, kappa), wx,
			                rect(w, tau, kappa, tau, kappa) / 2);
			if (!best || q > *qbest) {
				best = tau;
				*qbest = q;
			}
		}
	}
	return best;
}

/* ---- split and merge ---- */

struct cplist {
	unsigned *v, n, cap;
};

static int cpl_insert(struct cplist *l, unsigned idx)
{
	unsigned i = 0;
	while (i < l->n && l->v[i] < idx)
		i++;
	if (i < l->n && l->v[i] == idx)
		return 0;
	if (l->n == l->cap) {
		unsigned cap = l->cap ? 2 * l->cap : 16;
		unsigned *nv = realloc(l->v, cap * sizeof *nv);
		if (!nv)
			return -ENOMEM;
		l->v = nv;
		l->cap = cap;
	}
	memmove(l->v + i + 1, l->v + i, (l->n - i) * sizeof *l->v);
	l->v[i] = idx;
	l->n++;
	return 0;
}

/* The test of change point k of l over x[0..n): the segments between its neighbours. p = 1
 * when a segment is shorter than minseg (such a point is the first to go). */
static void cpl_test(const struct cplist *l, unsigned k, const double *x, unsigned n, unsigned minseg,
                     double level, struct cp_welch *w)
{
	unsigned a = k ? l->v[k - 1] : 0, i = l->v[k], b = k + 1 < l->n ? l->v[k + 1] : n;
	if (i - a < minseg || b - i < minseg || welch(x + a, i - a, x + i, b - i, level, 1, w))
		*w = (struct cp_welch){ .p = 1, .mean_x = NAN, .mean_y = NAN, .diff_lo = NAN, .diff_hi = NAN };
}

/* Otava's ChangePointDetector on one window x[0..m): the change points found, added to out
 * (offset by base); *last: the last of them (0: none). */
static int detect_window(const double *x, unsigned m, unsigned base, unsigned minseg, double p_weak,
                         struct cplist *out, unsigned *last)
{
	struct win w;
	struct cplist l = { 0 };
	int rc = win_init(&w, x, m, minseg);
	while (!rc) {
		unsigned tau = 0, k = 0;
		double qbest = -INFINITY;
		for (unsigned i = 0; i <= l.n; i++) {
			unsigned s = i ? l.v[i - 1] : 0, e = i < l.n ? l.v[i] : m;
			double q;
			unsigned t = best_split(&w, s, e, &q);
			if (t && q > qbest) {
				qbest = q;
				tau = t;
			}
		}
		if (!tau || (rc = cpl_insert(&l, tau)))
			break;
		while (l.v[k] != tau)
			k++;
		struct cp_welch t;
		cpl_test(&l, k, x, m, minseg, 0.95, &t);
		if (t.p > p_weak) {
			memmove(l.v + k, l.v + k + 1, (l.n - k - 1) * sizeof *l.v);
			l.n--;
			break;
		}
	}
	*last = l.n ? base + l.v[l.n - 1] : 0;
	for (unsigned i = 0; !rc && i < l.n; i++)
		rc = cpl_insert(out, base + l.v[i]);
	free(l.v);
	free(w.p);
	return rc;
}

/* Otava's split: windows every half window (or from the last change point found). */
static int split(const double *x, unsigned n, const struct cp_opts *o, double p_weak, struct cplist *weak)
{
	unsigned start = 0, step = o->window / 2 ? o->window / 2 : 1;
	while (start < n) {
		unsigned end = start + o->window < n ? start + o->window : n, last;
		int rc = detect_window(x + start, end - start, start, o->min_segment, p_weak, weak, &last);
		if (rc)
			return rc;
		start = last > start + step ? last : start + step;
	}
	return 0;
}

/* Otava's merge: drop the weakest point while it is not significant. */
static void merge(struct cplist *l, const double *x, unsigned n, const struct cp_opts *o)
{
	while (l->n) {
		unsigned worst = 0;
		double pworst = -1;
		for (unsigned k = 0; k < l->n; k++) {
			struct cp_welch w;
			cpl_test(l, k, x, n, o->min_segment, o->confidence, &w);
			if (w.p > pworst) {
				pworst = w.p;
				worst = k;
			}
		}
		if (pworst < o->pvalue)
			return;
		memmove(l->v + worst, l->v + worst + 1, (l->n - worst - 1) * sizeof *l->v);
		l->n--;
	}
}

/* Each change point moved to the least-squares split of the segment between its neighbours
 * (the split that maximises the between-segments sum of squares n1 n2 / (n1 + n2) (m1 - m2)^2,
 * the maximum-likelihood location of one mean shift in Gaussian noise), keeping min_segment
 * points on each side. E-divisive finds the change; its location is then the one that best
 * explains the means (Q-hat's L1 distances place it less precisely in Gaussian noise). */
static void refine(struct cplist *l, const double *x, unsigned n, unsigned minseg)
{
	for (unsigned k = 0; k < l->n; k++) {
		unsigned a = k ? l->v[k - 1] : 0, b = k + 1 < l->n ? l->v[k + 1] : n, best = l->v[k];
		double total = 0, left = 0, score = -1;
		for (unsigned i = a; i < b; i++)
			total += x[i];
		for (unsigned t = a + 1; t + minseg <= b; t++) {
			left += x[t - 1];
			unsigned n1 = t - a, n2 = b - t;
			if (n1 < minseg)
				continue;
			double d = left / n1 - (total - left) / n2, sc = (double)n1 * n2 / (n1 + n2) * d * d;
			if (sc > score) {
				score = sc;
				best = t;
			}
		}
		l->v[k] = best;
	}
}

void cp_opts_default(struct cp_opts *o)
{
	*o = (struct cp_opts){ CP_DEFAULT_PVALUE, CP_DEFAULT_WINDOW, CP_DEFAULT_MIN_SEGMENT, CP_DEFAULT_CONFIDENCE };
}

int cp_opts_check(const struct cp_opts *o, char *err, size_t errlen)
{
	if (!(o->pvalue > 0 && o->pvalue < 1))
		snprintf(err, errlen, "the p-value %g is not between 0 and 1", o->pvalue);
	else if (!(o->confidence > 0 && o->confidence < 1))
		snprintf(err, errlen, "the confidence %g is not between 0 and 1", o->confidence);
	else if (o->min_segment < 2)
		snprintf(err, errlen, "the minimum segment %u is below 2 points", o->min_segment);
	else if (o->window < 2 * o->min_segment || o->window > CP_MAX_WINDOW)
		snprintf(err, errlen, "the window %u is not between 2 x the minimum segment (%u) and %u points",
		         o->window, 2 * o->min_segment, CP_MAX_WINDOW);
	else
		return 0;
	return -EINVAL;
}

static void fill_change(const struct cplist *l, unsigned k, const double *x, unsigned n, const struct cp_opts *o,
                        struct cp_change *c)
{
	struct cp_welch w;
	unsigned a = k ? l->v[k - 1] : 0, i = l->v[k], b = k + 1 < l->n ? l->v[k + 1] : n;
	cpl_test(l, k, x, n, o->min_segment, o->confidence, &w);
	double base = w.mean_x;
	*c = (struct cp_change){ .index = i, .nbefore = i - a, .nafter = b - i, .mean_before = w.mean_x,
		                 .mean_after = w.mean_y, .pvalue = w.p };
	c->change = base != 0 ? w.mean_y / base - 1 : NAN;
	c->ci_lo = base > 0 ? w.diff_lo / base : NAN;
	c->ci_hi = base > 0 ? w.diff_hi / base : NAN;
}

int cp_detect(const double *x, unsigned n, const struct cp_opts *o, struct cp_change **out, unsigned *nout)
{
	char err[160];
	struct cplist l = { 0 };
	*out = NULL;
	*nout = 0;
	if (cp_opts_check(o, err, sizeof err) || n > CP_MAX_POINTS)
		return -EINVAL;
	for (unsigned i = 0; i < n; i++)
		if (!isfinite(x[i]))
			return -EINVAL;
	double pw = o->pvalue < 0.05 ? o->pvalue * 10 : o->pvalue < 0.5 ? o->pvalue * 2 : o->pvalue;
	int rc = split(x, n, o, pw, &l);
	if (!rc) {
		merge(&l, x, n, o);
		refine(&l, x, n, o->min_segment);
		merge(&l, x, n, o);
	}
	if (!rc && l.n && !(*out = calloc(l.n, sizeof **out)))
		rc = -ENOMEM;
	for (unsigned k = 0; !rc && k < l.n; k++)
		fill_change(&l, k, x, n, o, &(*out)[k]);
	if (!rc)
		*nout = l.n;
	free(l.v);
	return rc;
}
