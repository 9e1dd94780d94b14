/* cp_synth: the change-point detector (bench/stats/changepoint) on synthetic series of known
 * truth, fixed seeds. Run by tests/experiments/changepoint.sh; not a ctest test.
 *   cp-synth [SERIES [LENGTH [SEED [PVALUE [MIN_SEGMENT]]]]]   (defaults 200 200 1, then bench
 *                                                           history's defaults)
 * Series: level 1 with Gaussian noise of sd 2%;
 *   step:       +5% (or -5%, alternating) from a point drawn uniformly in [L/4, 3L/4)
 *   stationary: no change
 *   spike:      one point 30% up, drawn uniformly in [L/4, 3L/4)
 * The detector runs with its defaults (bench history's). Then the plain alternative: a Welch
 * t-test of the N points before each point against the N from it, the series flagged at the
 * point of the smallest p when that p is below a threshold set so that as many stationary
 * series are flagged as the detector flagged (the same false-positive rate). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "bench/stats/changepoint.h"
#include "bench/stats/stats.h"

static double gauss(struct stats_rng *r)
{
	double u1 = ((double)(stats_rng_next(r) >> 11) + 0.5) / 9007199254740992.0;
	double u2 = ((double)(stats_rng_next(r) >> 11) + 0.5) / 9007199254740992.0;
	return sqrt(-2 * log(u1)) * cos(2 * M_PI * u2);
}

enum kind { STEP, FLAT, SPIKE };

/* Series i of a kind; *truth: the step's or the spike's index (-1: none). */
static void make(enum kind k, unsigned i, unsigned len, unsigned long long seed, double *x, int *truth)
{
	struct stats_rng r = { seed * 1000003ull + (unsigned long long)k * 7919ull + i };
	unsigned at = len / 4 + (unsigned)stats_rng_below(&r, len / 2);
	double step = i % 2 ? 0.95 : 1.05;
	*truth = k == FLAT ? -1 : (int)at;
	for (unsigned j = 0; j < len; j++) {
		double level = k == STEP && j >= at ? step : 1;
		x[j] = level * (1 + 0.02 * gauss(&r));
		if (k == SPIKE && j == at)
			x[j] = 1.3;
	}
}

static struct cp_opts opts;

/* The detector on one series: changes found, and whether one is within +-1 of truth. */
static unsigned detect(const double *x, unsigned len, int truth, int *hit)
{
	struct cp_opts o = opts;
	struct cp_change *c;
	unsigned n;
	*hit = 0;
	if (cp_detect(x, len, &o, &c, &n)) {
		fprintf(stderr, "cp_detect failed\n");
		exit(2);
	}
	for (unsigned k = 0; k < n; k++)
		*hit |= truth >= 0 && abs((int)c[k].index - truth) <= 1;
	free(c);
	return n;
}

/* The t-test scan: the smallest p over the points and where. */
static double ttest_scan(const double *x, unsigned len, unsigned w, unsigned *at)
{
	double best = 1;
	*at = 0;
	for (unsigned k = w; k + w <= len; k++) {
		struct cp_welch t;
		if (!cp_welch_test(x + k - w, w, x + k, w, 0.95, &t) && t.p < best) {
			best = t.p;
			*at = k;
		}
	}
	return best;
}

int main(int argc, char **argv)
{
	unsigned ns = argc > 1 ? (unsigned)atoi(argv[1]) : 200, len = argc > 2 ? (unsigned)atoi(argv[2]) : 200;
	unsigned long long seed = argc > 3 ? strtoull(argv[3], NULL, 10) : 1;
	double *x = malloc(len * sizeof *x), *flatp[3];
	cp_opts_default(&opts);
	if (argc > 4)
		opts.pvalue = atof(argv[4]);
	if (argc > 5)
		opts.min_segment = (unsigned)atoi(argv[5]);
	unsigned found[3] = { 0 }, series_with[3] = { 0 }, total[3] = { 0 }, windows[3] = { 5, 10, 20 };
	for (unsigned w = 0; w < 3; w++)
		flatp[w] = malloc(ns * sizeof *flatp[w]);
	if (!x || ns < 1 || len < 20) {
		fprintf(stderr, "usage: cp-synth [SERIES >= 1 [LENGTH >= 20 [SEED]]]\n");
		return 2;
	}
	for (int k = STEP; k <= SPIKE; k++)
		for (unsigned i = 0; i < ns; i++) {
			int truth, hit;
			make((enum kind)k, i, len, seed, x, &truth);
			unsigned n = detect(x, len, k == STEP ? truth : -1, &hit);
			found[k] += hit;
			series_with[k] += n > 0;
			total[k] += n;
			for (unsigned w = 0; k == FLAT && w < 3; w++) {
				unsigned at;
				flatp[w][i] = ttest_scan(x, len, windows[w], &at);
			}
		}
	printf("series: %u of %u points each, noise sd 2%%, seed %llu; detector: p < %g, window %u, min segment %u\n", ns,
	       len, seed, opts.pvalue, opts.window, opts.min_segment);
	printf("step 5%%:     found within +-1 point in %u/%u series (%.1f%%); %u series with a change, %u changes in all\n",
	       found[STEP], ns, 100.0 * found[STEP] / ns, series_with[STEP], total[STEP]);
	printf("stationary:  a (false) change in %u/%u series (%.1f%%)\n", series_with[FLAT], ns,
	       100.0 * series_with[FLAT] / ns);
	printf("spike 30%%:   a change in %u/%u series (%.1f%%)\n", series_with[SPIKE], ns, 100.0 * series_with[SPIKE] / ns);
	for (unsigned w = 0; w < 3; w++) {
		qsort(flatp[w], ns, sizeof *flatp[w], stats_cmp_double);
		double thr = flatp[w][series_with[FLAT] < ns ? series_with[FLAT] : ns - 1];
		unsigned hits = 0;
		for (unsigned i = 0; i < ns; i++) {
			int truth;
			unsigned at;
			make(STEP, i, len, seed, x, &truth);
			if (ttest_scan(x, len, windows[w], &at) < thr && abs((int)at - truth) <= 1)
				hits++;
		}
		printf("t-test of the last %2u vs the previous %2u, same false-positive count (%u/%u, p < %.3g): step found "
		       "within +-1 in %u/%u (%.1f%%)\n",
		       windows[w], windows[w], series_with[FLAT], ns, thr, hits, ns, 100.0 * hits / ns);
		free(flatp[w]);
	}
	free(x);
	return 0;
}
