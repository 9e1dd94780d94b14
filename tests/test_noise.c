/* noise: the interference record and rule (bench/core/interference.h), what a disturbed
 * repetition does, --reps auto (bench/core/reps.h), and the results files that carry them. */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tests/test.h"
#include "tests/util.h"
#include "bench/cli/run_plan.h"
#include "bench/core/interference.h"
#include "bench/core/reps.h"
#include "drivers/driver.h"
#include "workloads/workload.h"

/* ---- run --all: every workload under every available driver ---- */

TEST(noise, run_all_has_every_workload_and_driver)
{
	char *argv[] = { "run", "--all", NULL };
	struct run_plan p;
	struct run_cells c;
	CHECK_EQ_INT(run_plan_parse(2, argv, &p), 0);
	CHECK_EQ_INT(run_plan_expand(&p, &c), 0);
	unsigned ndrv = 0;
	for (unsigned d = 0; d < driver_count; d++)
		ndrv += !driver_table[d]->unsupported;
	CHECK_EQ_INT(p.nwl, workload_count);
	CHECK_EQ_INT(p.ndrv, ndrv);
	CHECK_EQ_INT(c.n, workload_count * ndrv * p.nworkers);
	free(c.v);
	run_plan_free(&p);
}

/* ---- the rule, on synthetic figures ---- */

/* A quiet repetition: 0.2 s, 2 threads on 2 PUs, nothing else. */
static struct interference_in quiet(void)
{
	return (struct interference_in){ .wall_s = 0.2, .tick_s = 0.01, .npus = 2, .nthreads = 2 };
}

static const char *judge(const struct interference_in *in)
{
	static struct interference_verdict v;
	interference_judge(in, &v);
	CHECK_EQ_INT(v.disturbed, v.reasons != 0);
	return v.by;
}

TEST(noise, rule_quiet_is_not_disturbed)
{
	struct interference_in in = quiet();
	CHECK_STR(judge(&in), "");
	/* below every threshold at once: tick-sized steal, tick noise of other load, 4% run
	 * delay, a 15 ms late wake-up, migrations (never judged) */
	in.steal_s = 0.01;
	in.other_load_pu_cores = 0.24;
	in.other_load_cores = 1.5;
	in.run_delay_s = 0.04 * 2 * 0.2;
	in.stall_s = 0.015;
	in.migrations = 1000;
	CHECK_STR(judge(&in), "");
	/* oversubscription explains run delay: 4 threads on 2 PUs wait half the time */
	in = quiet();
	in.nthreads = 4;
	in.run_delay_s = 2 * 0.2 + 0.01;
	CHECK_STR(judge(&in), "");
	/* nothing ran: nothing to judge */
	in = quiet();
	in.wall_s = 0;
	in.stall_s = 1;
	CHECK_STR(judge(&in), "");
}

TEST(noise, rule_each_reason)
{
	struct interference_in in = quiet();
	in.steal_s = 0.02; /* 2 ticks, 5% of 0.4 PU-s */
	CHECK_STR(judge(&in), "steal");
	in = quiet();
	in.other_load_pu_cores = 0.26; /* a pinned spinner is 1.0 */
	CHECK_STR(judge(&in), "other_load");
	in = quiet();
	in.run_delay_s = 0.06 * 2 * 0.2;
	CHECK_STR(judge(&in), "run_delay");
	in = quiet();
	in.stall_s = 0.05; /* the 50 ms SIGSTOP of -O fault=stall */
	CHECK_STR(judge(&in), "stall");
	/* a long repetition: 20 ms is under 5% of 10 s */
	in.wall_s = 10;
	in.stall_s = 0.4;
	CHECK_STR(judge(&in), "");
	in.stall_s = 0.6;
	CHECK_STR(judge(&in), "stall");
	/* all four, in the documented order */
	in = quiet();
	in.steal_s = 1;
	in.other_load_pu_cores = 1;
	in.run_delay_s = 1;
	in.stall_s = 1;
	CHECK_STR(judge(&in), "steal,other_load,run_delay,stall");
}

/* ---- --reps auto: the stopping rule on fake series (bench/core/reps.h) ---- */

/* Feed series x to the rule as a cell would, one repetition of rep_s at a time; the number of
 * repetitions measured when it stops, and why in *why. disturbed_every: every k-th is
 * disturbed (0: none). */
static unsigned feed(const struct reps_policy *pol, const double *x, unsigned n, double rep_s, unsigned disturbed_every,
                     enum reps_reason *why)
{
	double good[200];
	struct reps_state st = { .good = good, .last_rep_s = rep_s };
	for (unsigned i = 0; i < n; i++) {
		st.measured++;
		st.elapsed_s += rep_s;
		if (disturbed_every && (i + 1) % disturbed_every == 0)
			st.disturbed++;
		else
			good[st.ngood++] = x[i];
		if ((*why = reps_decide(pol, &st)) != REPS_GO_ON)
			return st.measured;
	}
	*why = REPS_GO_ON;
	return n;
}

static const struct reps_policy auto_pol = { .automatic = 1, .reps = REPS_AUTO_MIN, .max_reps = REPS_AUTO_MAX,
	                                     .target = REPS_AUTO_TARGET, .budget_s = 10 };

TEST(noise, auto_stops_at_the_minimum_on_a_constant_metric)
{
	double x[200];
	enum reps_reason why;
	for (unsigned i = 0; i < 200; i++)
		x[i] = 1234.5;
	CHECK_EQ_INT(feed(&auto_pol, x, 200, 0.2, 0, &why), REPS_AUTO_MIN);
	CHECK_EQ_INT(why, REPS_CI_TARGET);
	CHECK_STR(reps_reason_name(why), "ci_target");
	/* a tight one (+-0.1%) too */
	for (unsigned i = 0; i < 200; i++)
		x[i] = 1000 + (i % 3);
	CHECK_EQ_INT(feed(&auto_pol, x, 200, 0.2, 0, &why), REPS_AUTO_MIN);
	/* disturbed repetitions are run again: the minimum counts undisturbed ones */
	CHECK_EQ_INT(feed(&auto_pol, x, 200, 0.2, 2, &why), 2 * REPS_AUTO_MIN - 1);
	CHECK_EQ_INT(why, REPS_CI_TARGET);
}

TEST(noise, auto_stops_at_the_budget_on_a_hopeless_metric)
{
	double x[200];
	enum reps_reason why;
	for (unsigned i = 0; i < 200; i++)
		x[i] = i % 2 ? 1000 : 2000; /* +-50%: no CI ever gets within 1% */
	/* 10.1 s of 0.2 s repetitions: 50 end at 10.0 s, a 51st would end past the budget */
	struct reps_policy pol = auto_pol;
	pol.budget_s = 10.1;
	CHECK_EQ_INT(feed(&pol, x, 200, 0.2, 0, &why), 50);
	CHECK_EQ_INT(why, REPS_BUDGET);
	pol.budget_s = 1e9;
	CHECK_EQ_INT(feed(&pol, x, 200, 0.2, 0, &why), REPS_AUTO_MAX);
	CHECK_EQ_INT(why, REPS_MAX_REPS);
	/* the minimum is run whatever the budget */
	pol.budget_s = 0;
	CHECK_EQ_INT(feed(&pol, x, 200, 0.2, 0, &why), REPS_AUTO_MIN);
	CHECK_EQ_INT(why, REPS_BUDGET);
}

TEST(noise, fixed_reruns_disturbed_and_says_unstable)
{
	double x[40] = { 0 };
	enum reps_reason why;
	struct reps_policy pol = { .reps = 5 };
	CHECK_EQ_INT(feed(&pol, x, 40, 0.2, 0, &why), 5);
	CHECK_EQ_INT(why, REPS_FIXED);
	/* every 3rd disturbed: 5 good ones after 7 */
	CHECK_EQ_INT(feed(&pol, x, 40, 0.2, 3, &why), 7);
	/* every one disturbed: the re-runs stop after 5 more, and the cell is unstable */
	CHECK_EQ_INT(feed(&pol, x, 40, 0.2, 1, &why), 10);
	CHECK_EQ_INT(why, REPS_FIXED);
	CHECK_EQ_INT(feed(&auto_pol, x, 40, 0.2, 1, &why), 2 * REPS_AUTO_MIN);
	CHECK_EQ_INT(why, REPS_MAX_REPS);
	struct reps_state st = { .measured = 10, .disturbed = 10, .ngood = 0 };
	CHECK(reps_unstable(&pol, &st));
	st = (struct reps_state){ .measured = 6, .disturbed = 1, .ngood = 5 };
	CHECK(!reps_unstable(&pol, &st));
	/* --keep-disturbed: nothing re-run, unstable when more than half were disturbed */
	pol.keep_disturbed = 1;
	st = (struct reps_state){ .measured = 5, .disturbed = 3, .ngood = 5 };
	CHECK(reps_unstable(&pol, &st));
	st.disturbed = 2;
	CHECK(!reps_unstable(&pol, &st));
}
