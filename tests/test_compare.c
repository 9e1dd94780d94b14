/* compare: the statistics behind `bench compare` against independent references: brute-force
 * enumeration of every arrangement for small samples (computed here, not by the code under
 * test), published critical values of U, R's wilcox.test on its own documented example, and
 * values computed by an independent Python implementation of the same formulas (noted). */
#include <errno.h>
#include <jansson.h>
#include <stdint.h>

#include <unistd.h>

#include "bench/stats/compare.h"
#include "bench/stats/compare_print.h"
#include "bench/stats/fmt.h"
#include "bench/store/escape.h"
#include "bench/store/results.h"
#include "bench/stats/stats.h"
#include "tests/test.h"

/* P(U <= u) for sizes m, n by enumerating every placement of the m x's among the m+n ranks:
 * U = sum over the x's of the number of y's below them. */
static double brute_cdf(unsigned m, unsigned n, double u)
{
	unsigned N = m + n;
	double below = 0, total = 0;
	for (uint32_t mask = 0; mask < (1u << N); mask++) {
		if ((unsigned)__builtin_popcount(mask) != m)
			continue;
		unsigned ys = 0, U = 0;
		for (unsigned pos = 0; pos < N; pos++) {
			if (mask & (1u << pos))
				U += ys;
			else
				ys++;
		}
		total++;
		below += U <= u;
	}
	return below / total;
}

TEST(compare, exact_distribution_matches_enumeration)
{
	for (unsigned m = 1; m <= 8; m++)
		for (unsigned n = 1; n <= 8; n++)
			for (unsigned u = 0; u <= m * n; u++)
				CHECK_NEAR(stats_mw_cdf(m, n, u), brute_cdf(m, n, u), 1e-12);
	CHECK_NEAR(stats_mw_cdf(3, 4, -1), 0, 0);
	CHECK_NEAR(stats_mw_cdf(3, 4, 12), 1, 0);
	CHECK_NEAR(stats_mw_cdf(3, 4, 2.5), brute_cdf(3, 4, 2), 1e-12);
}

/* Largest u with two-sided P = 2 P(U <= u) <= alpha: the critical value of printed tables. */
static int critical_u(unsigned m, unsigned n, double alpha)
{
	int c = -1;
	for (unsigned u = 0; u <= m * n; u++)
		if (2 * stats_mw_cdf(m, n, u) <= alpha + 1e-15)
			c = (int)u;
	return c;
}

TEST(compare, critical_values_of_published_table)
{
	/* Two-tailed critical values of U for n1 = n2 = 5..10 (standard Mann-Whitney tables;
	 * also checked by enumeration): alpha 0.05 and 0.01. */
	static const int c05[] = { 2, 5, 8, 13, 17, 23 }, c01[] = { 0, 2, 4, 7, 11, 16 };
	for (unsigned n = 5; n <= 10; n++) {
		CHECK_EQ_INT(critical_u(n, n, 0.05), c05[n - 5]);
		CHECK_EQ_INT(critical_u(n, n, 0.01), c01[n - 5]);
	}
	CHECK_EQ_INT(critical_u(5, 10, 0.05), 8);
	CHECK_EQ_INT(critical_u(5, 10, 0.01), 4);
	CHECK_EQ_INT(critical_u(4, 4, 0.01), -1); /* n = 4 can never reach 0.01 */
}

TEST(compare, smallest_possible_p)
{
	CHECK_NEAR(stats_mw_min_p(3, 3), 0.1, 1e-12);
	CHECK_NEAR(stats_mw_min_p(4, 4), 2.0 / 70, 1e-12);  /* 0.029 > 0.01: never significant */
	CHECK_NEAR(stats_mw_min_p(5, 5), 2.0 / 252, 1e-12); /* 0.0079 < 0.01: just possible */
	CHECK_NEAR(stats_mw_min_p(10, 10), 2.0 / 184756, 1e-15);
	CHECK_NEAR(stats_mw_min_p(1, 1), 1, 0);
	CHECK(stats_mw_min_p(60, 60) < 1e-10);
	/* and the test reaches it on perfectly separated samples */
	double a[] = { 1, 2, 3, 4, 5 }, b[] = { 6, 7, 8, 9, 10 };
	struct stats_mw mw;
	CHECK(stats_mann_whitney(a, 5, b, 5, &mw) == 0);
	CHECK(mw.exact);
	CHECK_NEAR(mw.u, 0, 0);
	CHECK_NEAR(mw.p, 2.0 / 252, 1e-12);
	CHECK(stats_mann_whitney(b, 5, a, 5, &mw) == 0);
	CHECK_NEAR(mw.u, 25, 0);
	CHECK_NEAR(mw.p, 2.0 / 252, 1e-12);
}

TEST(compare, r_wilcox_test_example)
{
	/* R ?wilcox.test, Hollander & Wolfe (1973) p. 69: wilcox.test(x, y, alternative = "g")
	 * gives W = 35, p-value = 0.1272; two-sided is twice that (enumeration: 0.254412...). */
	double x[] = { 0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46 };
	double y[] = { 1.15, 0.88, 0.90, 0.74, 1.21 };
	struct stats_mw mw;
	CHECK(stats_mann_whitney(x, 10, y, 5, &mw) == 0);
	CHECK(mw.exact);
	CHECK_EQ_INT(mw.ties, 0);
	CHECK_NEAR(mw.u, 35, 0);
	CHECK_NEAR(mw.p, 0.2544122544122544, 1e-12);
	CHECK_NEAR(mw.p / 2, 0.1272, 5e-5);
	/* swapping the samples: U' = mn - U, same p */
	CHECK(stats_mann_whitney(y, 5, x, 10, &mw) == 0);
	CHECK_NEAR(mw.u, 15, 0);
	CHECK_NEAR(mw.p, 0.2544122544122544, 1e-12);
}

TEST(compare, exact_with_ties)
{
	/* Ties, 17 values: the exact permutation p of the mid-rank sum. Reference from an
	 * independent Python enumeration of all C(17, 8) = 24310 splits with exact fractions:
	 * 821 of them are at least as far from the mean, p = 821/24310. (The normal
	 * approximation, R's wilcox.test here, gives 0.0371.) */
	double x[] = { 1, 2, 2, 3, 4, 5, 5, 6 }, y[] = { 3, 4, 4, 5, 6, 7, 7, 8, 9 };
	struct stats_mw mw;
	CHECK(stats_mann_whitney(x, 8, y, 9, &mw) == 0);
	CHECK(mw.exact);
	CHECK_EQ_INT(mw.ties, 14); /* values in tie groups: 2x2 3x2 4x3 5x3 6x2 7x2 */
	CHECK_NEAR(mw.u, 14, 0);
	CHECK_NEAR(mw.p, 821.0 / 24310, 1e-12);
	/* 5 against 5, completely apart, two tied values on one side (repetitions that did no
	 * op): p = 2/252 as without ties, below 0.01 (the approximation said 0.012: no verdict) */
	double big[] = { 1e12, 1.01e12, 0.99e12, 1.005e12, 0.995e12 }, zero[] = { 0, 0, 9e4, 9.2e4, 9.5e4 };
	CHECK(stats_mann_whitney(big, 5, zero, 5, &mw) == 0);
	CHECK(mw.exact);
	CHECK_NEAR(mw.p, 2.0 / 252, 1e-12);
	/* every value tied: no evidence at all */
	double c1[] = { 5, 5, 5 }, c2[] = { 5, 5, 5, 5 };
	CHECK(stats_mann_whitney(c1, 3, c2, 4, &mw) == 0);
	CHECK_NEAR(mw.p, 1, 0);
}

TEST(compare, normal_approximation_with_ties)
{
	/* Ties in more than STATS_MW_EXACT_TIES_MAX values: normal approximation, tie-corrected
	 * variance, continuity correction. The 17 values above, each three times (51): U = 126,
	 * reference from an independent Python implementation of R's formula. */
	double b[] = { 1, 2, 2, 3, 4, 5, 5, 6 }, c[] = { 3, 4, 4, 5, 6, 7, 7, 8, 9 }, x[24], y[27];
	for (int i = 0; i < 24; i++)
		x[i] = b[i % 8];
	for (int i = 0; i < 27; i++)
		y[i] = c[i % 9];
	struct stats_mw mw;
	CHECK(stats_mann_whitney(x, 24, y, 27, &mw) == 0);
	CHECK(!mw.exact);
	CHECK_EQ_INT(mw.ties, 51);
	CHECK_NEAR(mw.u, 126, 0);
	CHECK_NEAR(mw.z, -3.760579537842708, 1e-12);
	CHECK_NEAR(mw.p, 0.00016952016206359913, 1e-12);
}

TEST(compare, normal_approximation_close_to_exact)
{
	/* Large samples (>= 50) use the approximation; near the exact value for moderate n. */
	double x[60], y[60];
	for (int i = 0; i < 60; i++) {
		x[i] = i * 1.0;
		y[i] = i * 1.0 + 9.5;
	}
	struct stats_mw mw;
	CHECK(stats_mann_whitney(x, 60, y, 60, &mw) == 0);
	CHECK(!mw.exact);
	/* U = sum over x_i of #{y_j < x_i}: y_j < x_i iff j < i - 9.5 */
	double u = 0;
	for (int i = 0; i < 60; i++)
		u += i >= 10 ? i - 9 : 0;
	CHECK_NEAR(mw.u, u, 0);
	double sigma = sqrt(60.0 * 60 / 12 * 121), z = (u - 1800 + 0.5) / sigma;
	CHECK_NEAR(mw.p, 2 * 0.5 * erfc(-z / sqrt(2.0)), 1e-12);
	/* n = 12 vs 11, no ties: approximation within 0.01 of the exact p at several shifts */
	for (int shift = 0; shift <= 8; shift += 2) {
		double a[12], b[11];
		for (int i = 0; i < 12; i++)
			a[i] = i + 0.25;
		for (int i = 0; i < 11; i++)
			b[i] = i + shift + 0.5;
		CHECK(stats_mann_whitney(a, 12, b, 11, &mw) == 0);
		CHECK(mw.exact);
		double exact = mw.p, d = mw.u - 66, sg = sqrt(132.0 / 12 * 24);
		double zz = (d - (d > 0 ? 0.5 : d < 0 ? -0.5 : 0)) / sg;
		double approx = fmin(1, 2 * 0.5 * erfc(fabs(zz) / sqrt(2.0)));
		CHECK_NEAR(approx, exact, 0.01);
	}
}

TEST(compare, errors)
{
	double x[] = { 1, 2 }, bad[] = { 1, NAN };
	struct stats_mw mw;
	double lo, hi, est;
	CHECK(stats_mann_whitney(x, 0, x, 2, &mw) != 0);
	CHECK(stats_mann_whitney(x, 2, bad, 2, &mw) != 0);
	CHECK(stats_bootstrap_ratio_ci(x, 2, bad, 2, 0.95, 100, 1, &lo, &hi) != 0);
	double neg[] = { -1, 2 };
	CHECK(stats_bootstrap_ratio_ci(neg, 2, x, 2, 0.95, 100, 1, &lo, &hi) != 0);
	CHECK(stats_bootstrap_ratio_ci(x, 2, x, 2, 1.5, 100, 1, &lo, &hi) != 0);
	CHECK(stats_hodges_lehmann_ratio(neg, 2, x, 2, 0.95, &est, &lo, &hi) != 0);
}

TEST(compare, normal_quantile)
{
	CHECK_NEAR(stats_norm_quantile(0.975), 1.959963984540054, 1e-9);
	CHECK_NEAR(stats_norm_quantile(0.5), 0, 1e-12);
	CHECK_NEAR(stats_norm_cdf(stats_norm_quantile(0.01)), 0.01, 1e-12);
	CHECK_NEAR(stats_norm_cdf(1.959963984540054), 0.975, 1e-12);
}

TEST(compare, median)
{
	double odd[] = { 3, 9, 1 }, even[] = { 4, 1, 3, 2 };
	CHECK_NEAR(stats_median(odd, 3), 3, 0);
	CHECK_NEAR(stats_median(even, 4), 2.5, 0);
	CHECK(odd[0] == 3);
	CHECK(isnan(stats_median(odd, 0)));
}

TEST(compare, bootstrap_ratio_ci)
{
	double lo, hi, lo2, hi2;
	/* constant samples: every resample has the same medians */
	double a[] = { 100, 100, 100, 100, 100 }, b[] = { 90, 90, 90, 90, 90, 90 };
	CHECK(stats_bootstrap_ratio_ci(a, 5, b, 6, 0.95, 2000, STATS_BOOT_SEED, &lo, &hi) == 0);
	CHECK_NEAR(lo, 0.9, 1e-12);
	CHECK_NEAR(hi, 0.9, 1e-12);
	/* noisy samples: reproducible (fixed seed), contains the ratio of medians, a wider level
	 * gives a wider interval, separated samples exclude 1 */
	double x[] = { 100, 103, 97, 101, 99, 102, 98, 100.5, 99.5, 101.5 };
	double y[] = { 91, 93, 89, 92, 90, 94, 88, 90.5, 91.5, 92.5 };
	CHECK(stats_bootstrap_ratio_ci(x, 10, y, 10, 0.95, 10000, STATS_BOOT_SEED, &lo, &hi) == 0);
	CHECK(stats_bootstrap_ratio_ci(x, 10, y, 10, 0.95, 10000, STATS_BOOT_SEED, &lo2, &hi2) == 0);
	CHECK(lo == lo2 && hi == hi2);
	double r = stats_median(y, 10) / stats_median(x, 10);
	CHECK(lo <= r && r <= hi);
	CHECK(hi < 1);
	CHECK(lo > 0.85);
	CHECK(stats_bootstrap_ratio_ci(x, 10, y, 10, 0.99, 10000, STATS_BOOT_SEED, &lo2, &hi2) == 0);
	CHECK(lo2 <= lo && hi2 >= hi);
	/* zeros (a starved repetition) are allowed: an unbounded interval rather than none */
	double z[] = { 0, 0, 0, 100, 100 }, w[] = { 100, 100, 100, 100, 100 };
	CHECK(stats_bootstrap_ratio_ci(z, 5, w, 5, 0.95, 2000, STATS_BOOT_SEED, &lo, &hi) == 0);
	CHECK(hi == INFINITY);
	CHECK_NEAR(lo, 1, 1e-12);
	/* the same sample against itself: the interval contains 1 */
	CHECK(stats_bootstrap_ratio_ci(x, 10, x, 10, 0.95, 10000, STATS_BOOT_SEED, &lo, &hi) == 0);
	CHECK(lo < 1 && hi > 1);
}

TEST(compare, bootstrap_coverage)
{
	/* Coverage of the 95% interval over 400 simulated A/B pairs with a known ratio of 1.1
	 * (lognormal-ish noise, n = 10): a correct interval covers the truth most of the time. The
	 * percentile bootstrap of a median is known to under-cover a little at n = 10; accept
	 * 85%..100%. Counts, not timings: deterministic. */
	struct stats_rng rng = { 42 };
	unsigned cover = 0, trials = 400;
	for (unsigned t = 0; t < trials; t++) {
		double x[10], y[10];
		for (int i = 0; i < 10; i++) {
			double u1 = (stats_rng_next(&rng) >> 11) * 0x1p-53, u2 = (stats_rng_next(&rng) >> 11) * 0x1p-53;
			double u3 = (stats_rng_next(&rng) >> 11) * 0x1p-53, u4 = (stats_rng_next(&rng) >> 11) * 0x1p-53;
			x[i] = 100 * exp(0.05 * sqrt(-2 * log(u1 + 1e-300)) * cos(2 * M_PI * u2));
			y[i] = 110 * exp(0.05 * sqrt(-2 * log(u3 + 1e-300)) * cos(2 * M_PI * u4));
		}
		double lo, hi;
		CHECK(stats_bootstrap_ratio_ci(x, 10, y, 10, 0.95, 2000, STATS_BOOT_SEED + t, &lo, &hi) == 0);
		cover += lo <= 1.1 && 1.1 <= hi;
	}
	CHECK(cover >= trials * 85 / 100);
}

TEST(compare, rng_below_in_range)
{
	struct stats_rng r = { 7 };
	unsigned hist[5] = { 0 };
	for (int i = 0; i < 50000; i++) {
		size_t k = stats_rng_below(&r, 5);
		CHECK(k < 5);
		hist[k]++;
	}
	for (int k = 0; k < 5; k++)
		CHECK(hist[k] > 9000 && hist[k] < 11000);
}

TEST(compare, hodges_lehmann)
{
	/* Reference: an independent Python implementation of R's wilcox.test(conf.int = TRUE)
	 * on the logs, with the exact U distribution by enumeration. */
	double x[] = { 0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46 };
	double y[] = { 1.15, 0.88, 0.90, 0.74, 1.21 };
	double est, lo, hi;
	CHECK(stats_hodges_lehmann_ratio(x, 10, y, 5, 0.95, &est, &lo, &hi) == 0);
	CHECK_NEAR(est, 0.7623304256784819, 1e-12);
	CHECK_NEAR(lo, 0.5103448275862069, 1e-12);
	CHECK_NEAR(hi, 1.1634615384615383, 1e-12);
	double a[] = { 100, 102, 98, 101, 99, 103, 97 }, b[] = { 90, 93, 91, 89, 92, 88, 94, 90.5 };
	CHECK(stats_hodges_lehmann_ratio(a, 7, b, 8, 0.95, &est, &lo, &hi) == 0);
	CHECK_NEAR(est, 0.9095453409658734, 1e-12);
	CHECK_NEAR(lo, 0.8834951456310676, 1e-12);
	CHECK_NEAR(hi, 0.9329896907216497, 1e-12);
	/* the estimate is the median of the pairwise ratios, by brute force */
	double r[56];
	for (int i = 0; i < 7; i++)
		for (int j = 0; j < 8; j++)
			r[i * 8 + j] = log(b[j]) - log(a[i]);
	CHECK_NEAR(est, exp(stats_median(r, 56)), 1e-12);
}

/* One SI-prefix rule, two renderings: bench run's column (3 decimals, k from 1,000) and the
 * reports' short form (4 significant digits, k from 10,000), as each wrote them before they
 * shared the rule; the prefix goes by |v| in both (a rate is never negative). */
TEST(compare, fmt_si_both_styles)
{
	static const struct { double v; const char *column, *shrt; } t[] = {
		{ 0, "0.000", "0" },
		{ 908.1274, "908.127", "908.1" },
		{ 999.9996, "1000.000", "1000" },
		{ 1000, "1.000k", "1000" },
		{ 9999.4, "9.999k", "9999" },
		{ 10000, "10.000k", "10k" },
		{ 874484.2, "874.484k", "874.5k" },
		{ 1744321, "1.744M", "1.744M" },
		{ 1e12, "1000.000G", "1000G" },
		{ -12345, "-12.345k", "-12.35k" },
		{ 0.000123, "0.000", "0.000123" },
		{ NAN, "-", "-" },
		{ INFINITY, "-", "-" },
	};
	char buf[32];
	for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
		fmt_si(t[i].v, FMT_SI_COLUMN, buf, sizeof buf);
		CHECK_STR(buf, t[i].column);
		fmt_si(t[i].v, FMT_SI_SHORT, buf, sizeof buf);
		CHECK_STR(buf, t[i].shrt);
	}
	fmt_si(874484.2, FMT_SI_COLUMN, buf, 5); /* bounded */
	CHECK_STR(buf, "874.");
}

/* ---- the comparison itself, on results files written here ---- */


struct fake_cell {
	const char *workload, *driver, *knobs, *metric, *better, *status;
	unsigned workers;
	double vals[12];
	unsigned n;
};

/* Write a minimal valid results file (what results.c writes, reduced to what readers use). */
static char *fake_file(const struct fake_cell *cells, unsigned ncells, const char *governor)
{
	static int seq;
	char *path = malloc(64);
	snprintf(path, 64, "/tmp/bench-cmp-%d-%d.json", (int)getpid(), seq++);
	FILE *f = fopen(path, "w");
	CHECK(f);
	fprintf(f, "{\"schema_version\": %d, \"tool\": {\"name\": \"bench\", \"version\": \"0\", \"git\": \"x\"},"
	           "\"interrupted\": false, \"machine\": {\"governor\": \"%s\", \"cpu\": {\"brand\": \"X\"}},"
	           "\"config\": {\"duration_s\": 0.1, \"warmup\": 1, \"reps\": 5}, \"cells\": [",
	        RESULTS_SCHEMA_VERSION, governor);
	for (unsigned i = 0; i < ncells; i++) {
		const struct fake_cell *c = &cells[i];
		fprintf(f, "%s{\"workload\": \"%s\", \"driver\": \"%s\", \"workers\": %u, \"pin\": \"spread\","
		           "\"knobs\": {%s}, \"primary\": {\"metric\": \"%s\", \"better\": \"%s\"},"
		           "\"status\": \"%s\", \"error\": null, \"reps\": [",
		        i ? "," : "", c->workload, c->driver, c->workers ? c->workers : 1, c->knobs ? c->knobs : "",
		        c->metric ? c->metric : "ops_per_s", c->better ? c->better : "higher", c->status ? c->status : "ok");
		for (unsigned k = 0; k < c->n; k++)
			fprintf(f, "%s{\"status\": \"ok\", \"%s\": %.17g}", k ? "," : "", c->metric ? c->metric : "ops_per_s",
			        c->vals[k]);
		fprintf(f, "]}");
	}
	fprintf(f, "]}\n");
	fclose(f);
	return path;
}

/* Load the file fake_file() wrote, then remove it (and its malloc'd path). */
static struct results_file *load(char *path)
{
	struct results_file *f;
	char err[600];
	if (results_file_load(path, &f, err, sizeof err))
		TEST_FAIL("load %s: %s", path, err);
	unlink(path);
	free(path);
	return f;
}

#define V5(a) { a, a * 1.01, a * 0.99, a * 1.005, a * 0.995 }, 5

/* Two fake files (governor "x") compared with the default options. */
struct fake_pair {
	struct results_file *a, *b;
	struct compare_opts o;
	struct compare_result r;
	char err[600];
};

static int fake_compare(struct fake_pair *p, const struct fake_cell *a, unsigned na, const struct fake_cell *b,
                        unsigned nb)
{
	p->a = load(fake_file(a, na, "x"));
	p->b = load(fake_file(b, nb, "x"));
	compare_opts_default(&p->o);
	return compare_files(p->a, p->b, &p->o, &p->r, p->err, sizeof p->err);
}

static void fake_pair_free(struct fake_pair *p)
{
	compare_result_free(&p->r);
	results_file_free(p->a);
	results_file_free(p->b);
}

TEST(compare, loader_accessors)
{
	struct fake_cell c[] = { { "cpu-spin", "thread", "\"iters\": 600, \"ratio\": 0.5, \"on\": true, \"mode\": \"x\"",
		                   NULL, NULL, NULL, 2, V5(100.0) } };
	struct results_file *f = load(fake_file(c, 1, "performance"));
	CHECK_EQ_INT(f->ncells, 1);
	const struct results_file_cell *in = &f->cells[0];
	CHECK_STR(in->workload, "cpu-spin");
	CHECK_EQ_INT(in->workers, 2);
	CHECK_EQ_INT(in->nknobs, 4);
	/* in file order, and sorted by name; canonical text */
	CHECK_STR(in->knobs[0].key, "iters");
	CHECK_STR(in->knobs[1].key, "ratio");
	CHECK_STR(in->knobs[3].key, "mode");
	CHECK_STR(results_file_knob(in, "on"), "1");
	CHECK_STR(in->knobs_by_name[0].key, "iters");
	CHECK_STR(in->knobs_by_name[0].value, "600");
	CHECK_STR(in->knobs_by_name[1].key, "mode");
	CHECK_STR(in->knobs_by_name[1].value, "x");
	CHECK_STR(in->knobs_by_name[2].key, "on");
	CHECK_STR(in->knobs_by_name[2].value, "1");
	CHECK_STR(in->knobs_by_name[3].key, "ratio");
	CHECK_STR(in->knobs_by_name[3].value, "0.5");
	double v[8];
	CHECK_EQ_INT(results_file_values(in, "ops_per_s", v, 8), 5);
	CHECK_NEAR(v[1], 101, 1e-9);
	CHECK_EQ_INT(results_file_values(in, "ops_per_s", v, 2), 2);
	CHECK_EQ_INT(results_file_values(in, "nope", v, 8), -ENOENT);
	char buf[64];
	CHECK(results_file_scalar(f, "machine.governor", buf, sizeof buf) == 0);
	CHECK_STR(buf, "performance");
	CHECK(results_file_scalar(f, "config.duration_s", buf, sizeof buf) == 0);
	CHECK_STR(buf, "0.1");
	CHECK(results_file_scalar(f, "machine", buf, sizeof buf) == -ENOENT);
	CHECK(results_file_scalar(f, "machine.nope.x", buf, sizeof buf) == -ENOENT);
	results_file_free(f);
}

TEST(compare, verdicts_geomean_and_direction)
{
	/* three cells: -20% throughput (regression), wall_s +25% (regression, lower is better),
	 * +25% throughput (improvement). Performance ratios 0.8, 0.8, 1.25: geomean 0.8^(2/3)*1.25^(1/3). */
	struct fake_cell a[] = { { "cpu-spin", "thread", NULL, NULL, NULL, NULL, 1, V5(100.0) },
		                 { "cpu-spin", "process", NULL, "wall_s", "lower", NULL, 1, V5(1.0) },
		                 { "cpu-spin", "thread", NULL, NULL, NULL, NULL, 2, V5(100.0) } };
	struct fake_cell b[] = { { "cpu-spin", "thread", NULL, NULL, NULL, NULL, 1, V5(80.0) },
		                 { "cpu-spin", "process", NULL, "wall_s", "lower", NULL, 1, V5(1.25) },
		                 { "cpu-spin", "thread", NULL, NULL, NULL, NULL, 2, V5(125.0) } };
	struct fake_pair fp;
	struct compare_result *r = &fp.r;
	CHECK(fake_compare(&fp, a, 3, b, 3) == 0);
	CHECK_EQ_INT(r->nrows, 3);
	CHECK_EQ_INT(r->rows[0].verdict, CMP_REGRESSION);
	CHECK_NEAR(r->rows[0].change_pct, -20, 1e-9);
	CHECK(r->rows[0].ci_hi_pct < -3);
	CHECK_EQ_INT(r->rows[1].verdict, CMP_REGRESSION);
	CHECK_NEAR(r->rows[1].change_pct, 25, 1e-9);
	CHECK_EQ_INT(r->rows[2].verdict, CMP_IMPROVEMENT);
	CHECK_EQ_INT(r->geo_cells, 3);
	CHECK_NEAR(r->geo_pct, (pow(0.8, 2.0 / 3) * pow(1.25, 1.0 / 3) - 1) * 100, 1e-9);
	CHECK(r->geo_lo_pct <= r->geo_pct && r->geo_pct <= r->geo_hi_pct);
	CHECK_EQ_INT(r->counts[CMP_REGRESSION], 2);
	CHECK_EQ_INT(compare_exit_code(r), 1);
	CHECK_STR(r->machine_diff, "");
	compare_result_free(r);
	fp.o.fail_on = COMPARE_FAIL_NEVER;
	CHECK(compare_files(fp.a, fp.b, &fp.o, r, fp.err, sizeof fp.err) == 0);
	CHECK_EQ_INT(compare_exit_code(r), 0);
	compare_result_free(r);
	/* swapped: the two regressions become improvements */
	compare_opts_default(&fp.o);
	CHECK(compare_files(fp.b, fp.a, &fp.o, r, fp.err, sizeof fp.err) == 0);
	CHECK_EQ_INT(r->counts[CMP_IMPROVEMENT], 2);
	CHECK_EQ_INT(r->counts[CMP_REGRESSION], 1);
	fake_pair_free(&fp);
}

/* The geometric mean's bootstrap resamples each side of each cell into one buffer: sized for
 * the larger side of every cell, whichever side that is (here the first cell's new run has
 * 6x its baseline's repetitions; every resample is -20%, so the CI is that point). */
TEST(compare, geomean_with_unequal_repetitions)
{
	struct fake_cell a[] = { { "w", "thread", NULL, NULL, NULL, NULL, 1, { 100, 100 }, 2 },
		                 { "w", "process", NULL, NULL, NULL, NULL, 1, { 100, 100, 100 }, 3 } };
	struct fake_cell b[] = { { "w", "thread", NULL, NULL, NULL, NULL, 1, { 80, 80, 80, 80, 80, 80, 80, 80, 80, 80, 80, 80 }, 12 },
		                 { "w", "process", NULL, NULL, NULL, NULL, 1, { 80, 80, 80 }, 3 } };
	struct fake_pair fp;
	CHECK(fake_compare(&fp, a, 2, b, 2) == 0);
	CHECK_EQ_INT(fp.r.geo_cells, 2);
	CHECK_NEAR(fp.r.geo_pct, -20, 1e-9);
	CHECK_NEAR(fp.r.geo_lo_pct, -20, 1e-9);
	CHECK_NEAR(fp.r.geo_hi_pct, -20, 1e-9);
	fake_pair_free(&fp);
}

TEST(compare, matching_ignore_knob_and_labels)
{
	struct fake_cell a[] = { { "cpu-spin", "thread", "\"iters\": 600, \"extra_work_pct\": 0", NULL, NULL, NULL, 1, V5(100.0) },
		                 { "cpu-spin", "thread", "\"iters\": 1200, \"extra_work_pct\": 0", NULL, NULL, NULL, 1, V5(50.0) },
		                 { "cpu-spin", "process", "\"iters\": 600, \"extra_work_pct\": 0", NULL, NULL, NULL, 1, V5(90.0) } };
	struct fake_cell b[] = { { "cpu-spin", "thread", "\"iters\": 1200, \"extra_work_pct\": 10", NULL, NULL, NULL, 1, V5(45.0) },
		                 { "cpu-spin", "thread", "\"iters\": 600, \"extra_work_pct\": 10", NULL, NULL, NULL, 1, V5(90.0) } };
	struct results_file *fa = load(fake_file(a, 3, "performance")), *fb = load(fake_file(b, 2, "powersave"));
	struct compare_opts o;
	struct compare_result r;
	char err[600];
	compare_opts_default(&o);
	/* every knob counts: nothing matches, a clear error */
	CHECK(compare_files(fa, fb, &o, &r, err, sizeof err) == -EINVAL);
	CHECK_CONTAINS(err, "no cell of");
	CHECK_CONTAINS(err, "--ignore-knob");
	o.ignore[o.nignore++] = "extra_work_pct";
	CHECK(compare_files(fa, fb, &o, &r, err, sizeof err) == 0);
	CHECK_EQ_INT(r.nrows, 2);
	/* matched by iters, whatever the order in the files */
	CHECK_EQ_INT(r.rows[0].base_cell, 0);
	CHECK_EQ_INT(r.rows[0].new_cell, 1);
	CHECK_EQ_INT(r.rows[1].base_cell, 1);
	CHECK_EQ_INT(r.rows[1].new_cell, 0);
	CHECK_STR(r.rows[0].label, "cpu-spin/thread/n=1 extra_work_pct=0->10 iters=600");
	CHECK_EQ_INT(r.nonly_base, 1);
	CHECK_STR(r.only_base[0], "cpu-spin/process/n=1 extra_work_pct=0 iters=600"); /* both vary */
	CHECK_EQ_INT(r.nonly_new, 0);
	CHECK_CONTAINS(r.machine_diff, "governor (performance vs powersave)");
	compare_result_free(&r);
	/* ignoring iters too makes two cells of a file identical: an error, not a guess */
	o.ignore[o.nignore++] = "iters";
	CHECK(compare_files(fa, fb, &o, &r, err, sizeof err) == -EINVAL);
	CHECK_CONTAINS(err, "are the same cell");
	results_file_free(fa);
	results_file_free(fb);
}

TEST(compare, too_few_and_failed_cells)
{
	struct fake_cell a[] = { { "w", "thread", NULL, NULL, NULL, NULL, 1, { 100, 101, 99, 100.5 }, 4 },
		                 { "w", "process", NULL, NULL, NULL, NULL, 1, V5(100.0) },
		                 { "w", "coro", NULL, NULL, NULL, "skipped", 1, { 0 }, 0 } };
	struct fake_cell b[] = { { "w", "thread", NULL, NULL, NULL, NULL, 1, { 50, 51, 49, 50.5 }, 4 },
		                 { "w", "process", NULL, NULL, NULL, "failed", 1, { 0 }, 0 },
		                 { "w", "coro", NULL, NULL, NULL, "skipped", 1, { 0 }, 0 } };
	struct fake_pair fp;
	struct compare_result *r = &fp.r;
	CHECK(fake_compare(&fp, a, 3, b, 3) == 0);
	CHECK_EQ_INT(r->min_reps_needed, 5);
	CHECK_EQ_INT(r->rows[0].verdict, CMP_TOO_FEW);
	CHECK_NEAR(r->rows[0].mw.min_p, 2.0 / 70, 1e-12);
	CHECK_CONTAINS(r->rows[0].note, "at least 5 repetitions");
	CHECK_NEAR(r->rows[0].change_pct, -50, 0.5);
	CHECK_EQ_INT(r->rows[1].verdict, CMP_FAILED_NEW);
	CHECK_EQ_INT(r->rows[2].verdict, CMP_SKIPPED);
	CHECK_EQ_INT(r->geo_cells, 1);
	CHECK_EQ_INT(compare_exit_code(r), 1); /* the failure, not the too-few cell */
	compare_result_free(r);
	fp.o.alpha = 0.05; /* 4 vs 4 can reach 0.029 < 0.05 */
	CHECK(compare_files(fp.a, fp.b, &fp.o, r, fp.err, sizeof fp.err) == 0);
	CHECK_EQ_INT(r->rows[0].verdict, CMP_REGRESSION);
	fake_pair_free(&fp);
}

/* Free text of a file (here the machine's governor, reported when the machines differ) reaches
 * every format escaped for it: JSON that parses back to the same text, Markdown without a raw
 * '|' or line break, text without a raw control character. */
TEST(compare, reports_are_well_formed)
{
	static const char governor[] = "a|b\\\"c\\n\\u001b[31m`x`";   /* JSON for a|b"c<LF><ESC>[31m`x` */
	struct fake_cell a[] = { { "cpu-spin", "thread", "\"mode\": \"wait\"", NULL, NULL, NULL, 1, V5(100.0) } };
	struct fake_cell b[] = { { "cpu-spin", "thread", "\"mode\": \"wait\"", NULL, NULL, NULL, 1, V5(80.0) } };
	struct results_file *fa = load(fake_file(a, 1, "x")), *fb = load(fake_file(b, 1, governor));
	struct compare_opts o;
	struct compare_result r;
	char err[600], *out[3] = { NULL, NULL, NULL };
	compare_opts_default(&o);
	CHECK(compare_files(fa, fb, &o, &r, err, sizeof err) == 0);
	for (int fmt = COMPARE_TEXT; fmt <= COMPARE_JSON; fmt++) {
		size_t len = 0;
		FILE *m = open_memstream(&out[fmt], &len);
		compare_print(m, &r, (enum compare_format)fmt);
		fclose(m);
		CHECK(!strchr(out[fmt], '\x1b'));
	}
	json_error_t je;
	json_t *j = json_loads(out[COMPARE_JSON], 0, &je);
	if (!j)
		TEST_FAIL("compare JSON does not parse: %s: %s", je.text, out[COMPARE_JSON]);
	json_t *c0 = json_array_get(json_object_get(j, "cells"), 0);
	CHECK_STR(json_string_value(json_object_get(c0, "verdict")), "regression");
	CHECK_STR(json_string_value(json_object_get(json_object_get(c0, "knobs"), "mode")), "wait");
	CHECK_CONTAINS(json_string_value(json_object_get(j, "machine_differs")), "(x vs a|b\"c\n\x1b[31m`x`)");
	json_decref(j);
	CHECK_CONTAINS(out[COMPARE_MARKDOWN], "| cell | metric |");
	CHECK_CONTAINS(out[COMPARE_MARKDOWN], "**REGRESSION**");
	CHECK_CONTAINS(out[COMPARE_MARKDOWN], "the machines differ: governor (x vs a\\|b\"c ?\\[31m\\`x\\`)\n");
	CHECK_CONTAINS(out[COMPARE_TEXT], "governor (x vs a|b\"c\\x0a\\x1b[31m`x`)\n");
	for (int fmt = COMPARE_TEXT; fmt <= COMPARE_JSON; fmt++)
		free(out[fmt]);
	compare_result_free(&r);
	results_file_free(fa);
	results_file_free(fb);
}

/* Every sink of escape.h on the same hostile text, byte for byte. */
TEST(compare, escape_every_sink)
{
	static const char in[] = "a\"b\\c\nd`e@f|<g>&h\x1b[1m\x7f\xc2\x9b\xe2\x80\xaei\xff\xc3\xa9.";
	static const struct { enum esc_sink sink; const char *want; } t[] = {
		{ ESC_GP, "\"a\\\"b\\\\c\\nd\\140e\\100f|<g>&h?[1m???i?\xc3\xa9.\"" },
		{ ESC_GP_COMMENT, "a\"b\\x5cc\\x0ad`e@f|<g>&h\\x1b[1m\\x7f\\xc2\\x9b\\xe2\\x80\\xaei\\xff\xc3\xa9." },
		{ ESC_TERM, "a\"b\\c\\x0ad`e@f|<g>&h\\x1b[1m\\x7f\\xc2\\x9b\\xe2\\x80\\xaei\\xff\xc3\xa9." },
		{ ESC_MD, "a\"b\\\\c d\\`e@f\\|&lt;g&gt;&amp;h?\\[1m???i?\xc3\xa9." },
		{ ESC_JSON, "\"a\\\"b\\\\c\\nd`e@f|<g>&h\\u001b[1m\\u007f\\u009b\\u202ei\\ufffd\xc3\xa9.\"" },
		{ ESC_FILENAME, "a_b_c_d_e_f__g__h__1m___i__." },
	};
	for (unsigned i = 0; i < sizeof t / sizeof *t; i++) {
		char buf[256], *mem = NULL;
		size_t len = 0;
		const char *(*fn[])(char *, size_t, const char *) = { esc_gp, esc_gp_comment, esc_term, esc_md, esc_json,
			                                              esc_filename };
		CHECK_STR(fn[t[i].sink](buf, sizeof buf, in), t[i].want);
		FILE *m = open_memstream(&mem, &len);
		esc_fputs(m, t[i].sink, in);
		fclose(m);
		CHECK_STR(mem, t[i].want); /* the stream writes what the buffer holds */
		free(mem);
	}
}

/* A buffer too small cuts between whole escapes and keeps a quoted sink's closing quote. */
TEST(compare, escape_bounds)
{
	char b[8];
	CHECK_STR(esc_gp(b, sizeof b, "ab\"cdefgh"), "\"ab\\\"c\"");
	CHECK_STR(esc_gp(b, sizeof b, "abc`"), "\"abc\"");     /* \140 does not fit: left out whole */
	CHECK_STR(esc_json(b, 3, "xyz"), "\"\"");
	CHECK_STR(esc_json(b, 2, "xyz"), "");
	CHECK_STR(esc_term(b, 6, "ab\x1b"), "ab");               /* never half of \x1b */
	CHECK_STR(esc_term(b, 7, "ab\x1b"), "ab\\x1b");
	CHECK_STR(esc_filename(b, sizeof b, ""), "_");
	CHECK_STR(esc_filename(b, sizeof b, ".."), "_.");
	CHECK_STR(esc_filename(b, sizeof b, "../../etc/passwd"), "_._.._e"); /* no / left */
	CHECK_STR(esc_md(b, sizeof b, NULL), "");
}

TEST(compare, escape_names_and_values)
{
	static const char *const names[] = { "cpu-spin", "wait_us", "p99", "gil", "ops_per_s" };
	static const char *const not_names[] = { "", "Cpu", "a b", "a/b", "a.b", "-x", "_x", "a\n", "é", "x`",
		                                 "0123456789012345678901234567890123456789012345678" };
	static const char *const values[] = { "600", "0.5", "1e-05", "-3", "1e+06", "mutex", "pus:0,1", "true" };
	static const char *const not_values[] = { "", "a b", "a|b", "a\"b", "$(x)", "a/b", "x\x1b" };
	for (unsigned i = 0; i < sizeof names / sizeof *names; i++)
		CHECK(esc_name_ok(names[i]) && esc_value_ok(names[i]));
	for (unsigned i = 0; i < sizeof not_names / sizeof *not_names; i++)
		if (esc_name_ok(not_names[i]))
			TEST_FAIL("'%s' passes as a name", not_names[i]);
	for (unsigned i = 0; i < sizeof values / sizeof *values; i++)
		CHECK(esc_value_ok(values[i]));
	for (unsigned i = 0; i < sizeof not_values / sizeof *not_values; i++)
		if (esc_value_ok(not_values[i]))
			TEST_FAIL("'%s' passes as a value", not_values[i]);
	CHECK(!esc_name_ok(NULL) && !esc_value_ok(NULL));
}

/* A repetition in which no op completed is what bench writes when a short repetition stalls
 * (seen: cpu-spin, 0.05 s, under ASan on a loaded machine): the loader takes it. */
TEST(compare, loader_accepts_a_repetition_with_no_ops)
{
	struct fake_cell c = { "cpu-spin", "thread", "", NULL, NULL, "ok", 1, { 0 }, 1 };
	char *path = fake_file(&c, 1, "x"), err[600];
	struct results_file *f = NULL;
	int rc = results_file_load(path, &f, err, sizeof err);
	unlink(path);
	free(path);
	if (rc)
		TEST_FAIL("refused: %s", err);
	results_file_free(f);
}

/* The loader refuses names outside the charset and impossible numbers, with the key named. */
TEST(compare, loader_refuses_bad_names_and_numbers)
{
	static const struct { const char *workload, *knobs, *status; unsigned workers; double v; const char *want; } t[] = {
		{ "cpu spin", "", "ok", 1, 100, "cells[0].workload is not a name" },
		{ "cpu-spin", "\"a b\": 1", "ok", 1, 100, "cells[0].knobs has a key that is not a knob name" },
		{ "cpu-spin", "\"mode\": \"a|b\"", "ok", 1, 100, "cells[0].knobs.mode is not a knob value" },
		{ "cpu-spin", "\"mode\": \"" "vvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvv" "\"", "ok", 1, 100,
		  "cells[0].knobs.mode is not a knob value ([A-Za-z0-9._+:,-], 1 to 47 characters)" },
		{ "cpu-spin", "", "fine", 1, 100, "cells[0].status should be ok, unstable, failed, skipped or running" },
		{ "cpu-spin", "", "ok", 1000001, 100, "cells[0].workers is 1000001, should be from 1 to 1000000" },
		{ "cpu-spin", "", "ok", 1, -1, "cells[0].reps[0].ops_per_s is -1, should be at least 0" },
		{ "cpu-spin", "", "ok", 1, 1e308 * 10, "not valid JSON" },
	};
	for (unsigned i = 0; i < sizeof t / sizeof *t; i++) {
		struct fake_cell c = { t[i].workload, "thread", t[i].knobs, NULL, NULL, t[i].status, t[i].workers,
			               { t[i].v }, 1 };
		char *path = fake_file(&c, 1, "x"), err[600];
		struct results_file *f = NULL;
		int rc = results_file_load(path, &f, err, sizeof err);
		unlink(path);
		free(path);
		if (rc != -EINVAL || f)
			TEST_FAIL("case %u: loaded (rc %d), want: %s", i, rc, t[i].want);
		CHECK_CONTAINS(err, t[i].want);
		CHECK(!strchr(err, '\n'));
	}
}

/* ---- verdicts that do not lie: their exit statuses, unstable cells, paired rows ---- */

TEST(compare, exit_status_of_every_verdict)
{
	struct fake_cell base[] = { { "w", "thread", NULL, NULL, NULL, NULL, 1, V5(100.0) },
		                    { "w", "process", NULL, NULL, NULL, NULL, 1, { 100, 101, 99, 100.5 }, 4 },
		                    { "w", "coro", NULL, NULL, NULL, NULL, 1, V5(100.0) } };
	struct fake_cell slow[] = { { "w", "thread", NULL, NULL, NULL, NULL, 1, V5(80.0) },
		                    { "w", "process", NULL, NULL, NULL, NULL, 1, { 100, 101, 99, 100.5 }, 4 },
		                    { "w", "coro", NULL, NULL, NULL, NULL, 1, V5(100.0) } };
	struct fake_pair fp;
	struct compare_result *r = &fp.r;
	CHECK(fake_compare(&fp, base, 3, slow, 3) == 0);
	CHECK_EQ_INT(r->rows[1].verdict, CMP_TOO_FEW);
	CHECK_EQ_INT(compare_exit_code(r), COMPARE_EXIT_REGRESSION); /* the regression comes first */
	fake_pair_free(&fp);
	CHECK(fake_compare(&fp, base, 3, base, 3) == 0);              /* no regression left */
	CHECK_EQ_INT(compare_exit_code(r), COMPARE_EXIT_TOO_FEW);     /* today's exit 0 */
	compare_result_free(r);
	fp.b->cells[2].status = "unstable";                           /* the contract's cell status */
	CHECK(compare_files(fp.a, fp.b, &fp.o, r, fp.err, sizeof fp.err) == 0);
	CHECK_EQ_INT(r->rows[2].verdict, CMP_UNSTABLE);
	CHECK_CONTAINS(r->rows[2].note, "unstable in the new run");
	CHECK_NEAR(r->rows[2].base_median, 100, 1e-9);                /* what it has is shown */
	CHECK(isnan(r->rows[2].mw.p));                                /* but not tested */
	CHECK_EQ_INT(compare_exit_code(r), COMPARE_EXIT_UNSTABLE);    /* unstable before too few */
	compare_result_free(r);
	/* every repetition of the unstable cell was disturbed: nothing counts, and it is still
	 * UNSTABLE (exit 3), never "no data" (exit 0: a hog during the new run once passed so) */
	for (unsigned k = 0; k < fp.b->cells[2].nreps; k++)
		fp.b->cells[2].reps[k].counted = 0;
	CHECK(compare_files(fp.a, fp.b, &fp.o, r, fp.err, sizeof fp.err) == 0);
	CHECK_EQ_INT(r->rows[2].verdict, CMP_UNSTABLE);
	CHECK_EQ_INT(compare_exit_code(r), COMPARE_EXIT_UNSTABLE);
	compare_result_free(r);
	static const struct { const char *arg; int exit; } f[] = {
		{ "regression", 0 }, { "regression,too-few", COMPARE_EXIT_TOO_FEW }, { "too-few", COMPARE_EXIT_TOO_FEW },
		{ "unstable", COMPARE_EXIT_UNSTABLE }, { "never", 0 }, { "any", COMPARE_EXIT_UNSTABLE },
		{ "regression,unstable,too-few", COMPARE_EXIT_UNSTABLE },
	};
	for (size_t i = 0; i < sizeof f / sizeof *f; i++) {
		CHECK_EQ_INT(compare_parse_fail_on(f[i].arg, &fp.o.fail_on), 0);
		CHECK(compare_files(fp.a, fp.b, &fp.o, r, fp.err, sizeof fp.err) == 0);
		if (compare_exit_code(r) != f[i].exit)
			TEST_FAIL("--fail-on %s: exit %d, want %d", f[i].arg, compare_exit_code(r), f[i].exit);
		compare_result_free(r);
	}
	unsigned m;
	CHECK_EQ_INT(compare_parse_fail_on("regression,sometimes", &m), -EINVAL);
	CHECK_EQ_INT(compare_parse_fail_on("", &m), -EINVAL);
	CHECK_EQ_INT(compare_parse_fail_on("regression,", &m), -EINVAL);
	char buf[80];
	compare_fail_on_text(COMPARE_FAIL_DEFAULT, buf, sizeof buf);
	CHECK_STR(buf, "regression,unstable,too-few");
	fake_pair_free(&fp);
}

/* Eight pairs whose base side drifts from 100 to 170 (a machine getting busier) while new is
 * 10% slower than the base of its own pair: the unpaired test sees two overlapping samples,
 * the paired one sees eight pairs all 10% down. */
TEST(compare, paired_rows_cancel_drift)
{
	struct fake_cell a[] = { { "w", "thread", NULL, NULL, NULL, NULL, 1, { 0 }, 8 } };
	struct fake_cell b[] = { { "w", "thread", NULL, NULL, NULL, NULL, 1, { 0 }, 8 } };
	for (int i = 0; i < 8; i++) {
		a[0].vals[i] = 100 + 10 * i;
		b[0].vals[i] = a[0].vals[i] * (0.9 - 0.001 * i);
	}
	struct fake_pair fp;
	struct compare_result *r = &fp.r;
	CHECK(fake_compare(&fp, a, 1, b, 1) == 0);
	CHECK(r->rows[0].verdict != CMP_REGRESSION); /* unpaired: drowned in the drift */
	compare_result_free(r);
	unsigned idx[8] = { 0, 1, 2, 3, 4, 5, 6, 7 };
	struct compare_pairs cp = { .n = 8, .base_rep = idx, .new_rep = idx };
	struct compare_pairing pairing = { .ncells = 1, .cells = &cp };
	fp.o.pairing = &pairing;
	CHECK(compare_files(fp.a, fp.b, &fp.o, r, fp.err, sizeof fp.err) == 0);
	CHECK_EQ_INT(r->rows[0].npairs, 8);
	CHECK_EQ_INT(r->rows[0].verdict, CMP_REGRESSION);
	CHECK_NEAR(r->rows[0].mw.p, 2.0 / 256, 1e-15);                 /* Wilcoxon signed-rank, exact */
	CHECK(r->rows[0].change_pct < -9.3 && r->rows[0].change_pct > -10.8); /* HL median ratio */
	CHECK(r->rows[0].ci_hi_pct < -3);
	/* the geometric mean resamples the pairs: as tight as they are (unpaired it spans the drift) */
	CHECK(r->geo_lo_pct > -11 && r->geo_hi_pct < -9);
	CHECK_EQ_INT(compare_exit_code(r), COMPARE_EXIT_REGRESSION);
	compare_result_free(r);
	/* 5 pairs can never reach alpha 0.01 (2/2^5): too few, with the number of pairs needed */
	cp.n = 5;
	CHECK(compare_files(fp.a, fp.b, &fp.o, r, fp.err, sizeof fp.err) == 0);
	CHECK_EQ_INT(r->rows[0].verdict, CMP_TOO_FEW);
	CHECK_EQ_INT(r->min_reps_needed, 8);
	CHECK_CONTAINS(r->rows[0].note, "at least 8 pairs");
	compare_result_free(r);
	/* ab set the cell aside as unstable (too many disturbed pairs): no verdict */
	cp.n = 8;
	cp.unstable = 1;
	CHECK(compare_files(fp.a, fp.b, &fp.o, r, fp.err, sizeof fp.err) == 0);
	CHECK_EQ_INT(r->rows[0].verdict, CMP_UNSTABLE);
	compare_result_free(r);
	/* ... also when every pair was set aside (none left to test) */
	cp.n = 0;
	CHECK(compare_files(fp.a, fp.b, &fp.o, r, fp.err, sizeof fp.err) == 0);
	CHECK_EQ_INT(r->rows[0].verdict, CMP_UNSTABLE);
	compare_result_free(r);
	fake_pair_free(&fp);
}

/* Pairs that disagree beyond the threshold: half say +8%, half -8% (a ratio CI reaching past
 * +-3% on both sides, p far from alpha). Not "no change": unstable. Pairs within +-1% are
 * unchanged. */
TEST(compare, paired_rows_that_disagree_are_unstable)
{
	struct fake_cell a[] = { { "w", "thread", NULL, NULL, NULL, NULL, 1, { 0 }, 10 } };
	struct fake_cell b[] = { { "w", "thread", NULL, NULL, NULL, NULL, 1, { 0 }, 10 } };
	for (int i = 0; i < 10; i++) {
		a[0].vals[i] = 100;
		b[0].vals[i] = 100 * exp((i % 2 ? 1 : -1) * (0.08 + 0.001 * i));
	}
	unsigned idx[10] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9 };
	struct compare_pairs cp = { .n = 10, .base_rep = idx, .new_rep = idx };
	struct compare_pairing pairing = { .ncells = 1, .cells = &cp };
	struct fake_pair fp;
	fp.a = load(fake_file(a, 1, "x"));
	fp.b = load(fake_file(b, 1, "x"));
	compare_opts_default(&fp.o);
	fp.o.pairing = &pairing;
	CHECK(compare_files(fp.a, fp.b, &fp.o, &fp.r, fp.err, sizeof fp.err) == 0);
	CHECK(fp.r.rows[0].mw.p > 0.5);
	CHECK_EQ_INT(fp.r.rows[0].verdict, CMP_UNSTABLE);
	CHECK_CONTAINS(fp.r.rows[0].note, "disagree");
	CHECK_EQ_INT(compare_exit_code(&fp.r), COMPARE_EXIT_UNSTABLE);
	fake_pair_free(&fp);
	for (int i = 0; i < 10; i++)
		b[0].vals[i] = 100 * (i % 2 ? 1.008 + 0.0001 * i : 0.992 - 0.0001 * i);
	fp.a = load(fake_file(a, 1, "x"));
	fp.b = load(fake_file(b, 1, "x"));
	CHECK(compare_files(fp.a, fp.b, &fp.o, &fp.r, fp.err, sizeof fp.err) == 0);
	CHECK_EQ_INT(fp.r.rows[0].verdict, CMP_UNCHANGED);
	CHECK_EQ_INT(compare_exit_code(&fp.r), 0);
	fake_pair_free(&fp);
}
