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
