/* changepoint against values computed by hand (Q-hat from its definition, Welch's test and
 * Student's t tail by numerical integration of the t density, see the comments) and small
 * series whose change points are known. */
#include <errno.h>
#include <stdlib.h>

#include "bench/stats/changepoint.h"
#include "tests/test.h"

/* x = 0 0 1 1. Q(s=0, tau=2, kappa=4): X = {0,0}, Y = {1,1}: 2/(n+m) * sum|X-Y| = 2/4 * 4 = 2,
 * no distance within X or within Y. Q(0, 1, 4): X = {0}, Y = {0,1,1}: 2/4 * (0+1+1) = 1, minus
 * 2n/((n+m)(m-1)) * sum within Y = 2/(4*2) * 2 = 0.5: 0.5. */
TEST(changepoint, qhat_by_hand)
{
	double x[] = { 0, 0, 1, 1 };
	CHECK_NEAR(cp_qhat(x, 0, 2, 4), 2, 1e-12);
	CHECK_NEAR(cp_qhat(x, 0, 1, 4), 0.5, 1e-12);
	CHECK_NEAR(cp_qhat(x, 0, 2, 3), 2.0 / 3 * 2, 1e-12); /* X={0,0} Y={1}: 2/3*2 */
	CHECK_NEAR(cp_qhat(x, 1, 2, 4), 2.0 / 3 * 2, 1e-12); /* X={0} Y={1,1}: 2/3*2 */
}

/* Student t tail: nu = 3 has a closed form, 1/2 - (atan(t/sqrt3) + (t/sqrt3)/(1+t^2/3))/pi. */
TEST(changepoint, t_tail)
{
	CHECK_NEAR(cp_t_sf(2, 3), 0.06966298427941765, 1e-9);
	CHECK_NEAR(cp_t_sf(0, 7), 0.5, 1e-12);
	CHECK_NEAR(cp_t_sf(-2, 3), 1 - 0.06966298427941765, 1e-9);
}

/* 1..5 vs 6..10: means 3 and 8, variances 2.5, t = 5, df = 8, p = 2 P(T8 > 5) = 0.0010528258
 * (numerical integral of the t density). 1,2,3 vs 2,4,6,8: se^2 = 1/3 + (20/3)/4 = 2,
 * t = 3/sqrt2, df = 4/((1/3)^2/2 + (5/3)^2/3) = 4.0754717, p = 0.0999128643. */
TEST(changepoint, welch_by_hand)
{
	double a[] = { 1, 2, 3, 4, 5 }, b[] = { 6, 7, 8, 9, 10 }, c[] = { 1, 2, 3 }, d[] = { 2, 4, 6, 8 };
	struct cp_welch w;
	CHECK(cp_welch_test(a, 5, b, 5, 0.95, &w) == 0);
	CHECK_NEAR(w.t, 5, 1e-12);
	CHECK_NEAR(w.df, 8, 1e-12);
	CHECK_NEAR(w.p, 0.001052825793366481, 1e-9);
	CHECK(w.diff_lo < 5 && w.diff_hi > 5 && w.diff_lo > 0);
	CHECK_NEAR(w.diff_hi - 5, 5 - w.diff_lo, 1e-9);
	CHECK(cp_welch_test(c, 3, d, 4, 0.95, &w) == 0);
	CHECK_NEAR(w.t, 2.1213203435596424, 1e-12);
	CHECK_NEAR(w.df, 4.075471698113207, 1e-9);
	CHECK_NEAR(w.p, 0.09991286431179928, 1e-8);
	CHECK(cp_welch_test(a, 1, b, 5, 0.95, &w) == -EINVAL);
}

/* A series at 100 (+-0.5, alternating) then at 110 from index 20: one change, at 20, +10%. */
static void level(double *x, unsigned from, unsigned to, double v)
{
	for (unsigned i = from; i < to; i++)
		x[i] = v + ((int)(i * 7 % 5) - 2) * 0.25;
}

TEST(changepoint, one_step)
{
	double x[40];
	level(x, 0, 20, 100);
	level(x, 20, 40, 110);
	struct cp_opts o;
	cp_opts_default(&o);
	struct cp_change *c;
	unsigned n;
	CHECK(cp_detect(x, 40, &o, &c, &n) == 0);
	CHECK_EQ_INT(n, 1);
	CHECK_EQ_INT(c[0].index, 20);
	CHECK_EQ_INT(c[0].nbefore, 20);
	CHECK_EQ_INT(c[0].nafter, 20);
	CHECK_NEAR(c[0].change, 0.10, 0.002);
	CHECK(c[0].ci_lo < c[0].change && c[0].change < c[0].ci_hi && c[0].ci_lo > 0.09);
	CHECK(c[0].pvalue < o.pvalue);
	free(c);
}

/* Two steps in a long series (more than one window): both found. */
TEST(changepoint, two_steps_over_windows)
{
	double x[150];
	level(x, 0, 60, 100);
	level(x, 60, 110, 90);
	level(x, 110, 150, 95);
	struct cp_opts o;
	cp_opts_default(&o);
	struct cp_change *c;
	unsigned n;
	CHECK(cp_detect(x, 150, &o, &c, &n) == 0);
	CHECK_EQ_INT(n, 2);
	CHECK_EQ_INT(c[0].index, 60);
	CHECK_EQ_INT(c[1].index, 110);
	CHECK(c[0].change < 0 && c[1].change > 0);
	free(c);
}

/* One point 30% up is not a step; nor are two; a step of min_segment points at the end is. */
TEST(changepoint, spike_and_min_segment)
{
	double x[40];
	struct cp_opts o;
	struct cp_change *c;
	unsigned n;
	cp_opts_default(&o);
	level(x, 0, 40, 100);
	x[17] = 130;
	CHECK(cp_detect(x, 40, &o, &c, &n) == 0);
	CHECK_EQ_INT(n, 0);
	CHECK(c == NULL);
	x[18] = 130;
	CHECK(cp_detect(x, 40, &o, &c, &n) == 0);
	CHECK_EQ_INT(n, 0);
	level(x, 0, 40, 100);
	level(x, 40 - o.min_segment + 1, 40, 150); /* min_segment - 1 points at the new level */
	CHECK(cp_detect(x, 40, &o, &c, &n) == 0);
	CHECK_EQ_INT(n, 0);
	level(x, 40 - o.min_segment - 3, 40, 150);
	CHECK(cp_detect(x, 40, &o, &c, &n) == 0);
	CHECK_EQ_INT(n, 1);
	CHECK_EQ_INT(c[0].index, 40 - o.min_segment - 3);
	free(c);
}

TEST(changepoint, flat_and_bad_input)
{
	double x[60];
	struct cp_opts o;
	struct cp_change *c;
	unsigned n;
	char err[200];
	cp_opts_default(&o);
	for (unsigned i = 0; i < 60; i++)
		x[i] = 5;
	CHECK(cp_detect(x, 60, &o, &c, &n) == 0);
	CHECK_EQ_INT(n, 0);
	CHECK(cp_detect(x, 1, &o, &c, &n) == 0);
	CHECK_EQ_INT(n, 0);
	x[3] = NAN;
	CHECK(cp_detect(x, 60, &o, &c, &n) == -EINVAL);
	o.window = 5;
	CHECK(cp_opts_check(&o, err, sizeof err) == -EINVAL);
	CHECK_CONTAINS(err, "window");
	cp_opts_default(&o);
	o.pvalue = 1.5;
	CHECK(cp_opts_check(&o, err, sizeof err) == -EINVAL);
	CHECK_CONTAINS(err, "p-value");
}

/* A short segment quiet by chance: 4 points at 0.977 (almost no spread) before 196 points of
 * 1 +- 2%: Welch alone trusts the 4 points' tiny variance (t ~ 16) and calls it a change; with
 * each side's variance at least the pooled one it is 2.3 standard errors, not a change. */
TEST(changepoint, quiet_short_segment_is_not_a_change)
{
	double x[200];
	struct cp_opts o;
	struct cp_change *c;
	unsigned n;
	cp_opts_default(&o);
	for (unsigned i = 0; i < 200; i++)
		x[i] = i < 4 ? 0.977 + 0.0005 * i : 1 + 0.02 * ((int)(i * 37 % 11) - 5) / 5.0;
	CHECK(cp_detect(x, 200, &o, &c, &n) == 0);
	CHECK_EQ_INT(n, 0);
}
