/* stats against values computed by hand / by R. */
#include "bench/stats/stats.h"
#include "tests/test.h"

TEST(stats, odd_count)
{
	double x[] = { 5, 1, 4, 2, 3 };
	struct stats_summary s;
	CHECK(stats_summarize(x, 5, &s) == 0);
	CHECK_NEAR(s.median, 3, 1e-12);
	CHECK_NEAR(s.mean, 3, 1e-12);
	CHECK_NEAR(s.stddev, 1.5811388300841898, 1e-12); /* sd(1:5) */
	CHECK_NEAR(s.cv, 1.5811388300841898 / 3, 1e-12);
	CHECK_NEAR(s.min, 1, 0);
	CHECK_NEAR(s.max, 5, 0);
	/* mean +- qt(.975,4)*sd/sqrt(5) = 3 +- 2.776*0.7071068 */
	CHECK_NEAR(s.ci_lo, 3 - 2.776 * 0.7071067811865476, 1e-9);
	CHECK_NEAR(s.ci_hi, 3 + 2.776 * 0.7071067811865476, 1e-9);
	CHECK_EQ_INT(s.outliers, 0);
	CHECK(x[0] == 5); /* input untouched */
}

TEST(stats, even_count_and_quantiles)
{
	double x[] = { 10, 20, 30, 40 };
	struct stats_summary s;
	CHECK(stats_summarize(x, 4, &s) == 0);
	CHECK_NEAR(s.median, 25, 1e-12);
	CHECK_NEAR(s.q1, 17.5, 1e-12); /* quantile(c(10,20,30,40), .25) in R, type 7 */
	CHECK_NEAR(s.q3, 32.5, 1e-12);
	CHECK_NEAR(s.stddev, 12.909944487358056, 1e-12);
}

TEST(stats, outlier_counted)
{
	double x[] = { 100, 101, 99, 100, 102, 98, 100, 250 };
	struct stats_summary s;
	CHECK(stats_summarize(x, 8, &s) == 0);
	CHECK_EQ_INT(s.outliers, 1);
	CHECK_NEAR(s.median, 100, 1e-12);
}

TEST(stats, single_value_and_errors)
{
	double one = 7, bad[] = { 1, NAN };
	struct stats_summary s;
	CHECK(stats_summarize(&one, 1, &s) == 0);
	CHECK_NEAR(s.median, 7, 0);
	CHECK_NEAR(s.stddev, 0, 0);
	CHECK_NEAR(s.ci_lo, 7, 0);
	CHECK(stats_summarize(&one, 0, &s) != 0);
	CHECK(stats_summarize(bad, 2, &s) != 0);
}

TEST(stats, t_table)
{
	CHECK_NEAR(stats_t95(1), 12.706, 1e-9);
	CHECK_NEAR(stats_t95(10), 2.228, 1e-9);
	CHECK_NEAR(stats_t95(1000), 1.96, 1e-9);
}

TEST(stats, jain_fairness)
{
	double fair[] = { 5, 5, 5, 5 }, starved[] = { 8, 0, 0, 0 }, half[] = { 1, 1, 0, 0 };
	CHECK_NEAR(stats_jain(fair, 4), 1.0, 1e-12);
	CHECK_NEAR(stats_jain(starved, 4), 0.25, 1e-12);
	CHECK_NEAR(stats_jain(half, 4), 0.5, 1e-12);
}
