/* Knob parsing and its errors. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/driver.h"
#include "bench/core/opt.h"
#include "bench/cli/run_plan.h"
#include "bench/machine/topo.h"
#include "bench/core/task.h"
#include "tests/test.h"
#include "workloads/workload.h"

static const struct knob tbl[] = {
	{ "count", KNOB_INT, "10", 1, 1000, NULL, "how many" },
	{ "ratio", KNOB_DOUBLE, "0.5", 0, 1, NULL, "a fraction" },
	{ "sync", KNOB_ENUM, "none", 0, 0, "none|atomic|mutex", "mode" },
	{ "on", KNOB_BOOL, "false", 0, 1, NULL, "switch" },
	{ 0 }
};

TEST(opt, parse_each_type)
{
	struct knobval v;
	char err[200];
	CHECK(opt_parse_value(&tbl[0], "42", &v, err, sizeof err) == 0);
	CHECK_NEAR(v.num, 42, 0);
	CHECK(opt_parse_value(&tbl[1], "0.25", &v, err, sizeof err) == 0);
	CHECK_NEAR(v.num, 0.25, 0);
	CHECK(opt_parse_value(&tbl[2], "mutex", &v, err, sizeof err) == 0);
	CHECK_EQ_INT(v.choice, 2);
	CHECK_STR(v.text, "mutex");
	CHECK(opt_parse_value(&tbl[3], "yes", &v, err, sizeof err) == 0);
	CHECK_NEAR(v.num, 1, 0);
}

TEST(opt, errors_name_the_knob)
{
	struct knobval v;
	char err[200];
	CHECK(opt_parse_value(&tbl[0], "12x", &v, err, sizeof err) == -EINVAL);
	CHECK_CONTAINS(err, "count");
	CHECK_CONTAINS(err, "not an integer");
	CHECK(opt_parse_value(&tbl[0], "0", &v, err, sizeof err) == -EINVAL);
	CHECK_CONTAINS(err, "out of range");
	CHECK(opt_parse_value(&tbl[0], "", &v, err, sizeof err) == -EINVAL);
	CHECK(opt_parse_value(&tbl[0], "99999999999999999999999", &v, err, sizeof err) == -EINVAL);
	CHECK(opt_parse_value(&tbl[1], "1.5", &v, err, sizeof err) == -EINVAL);
	CHECK(opt_parse_value(&tbl[1], "nan", &v, err, sizeof err) == -EINVAL);
	CHECK(opt_parse_value(&tbl[2], "spin", &v, err, sizeof err) == -EINVAL);
	CHECK_CONTAINS(err, "none|atomic|mutex");
	CHECK(opt_parse_value(&tbl[3], "maybe", &v, err, sizeof err) == -EINVAL);
}

TEST(opt, split_and_sweep)
{
	struct knob_assign a;
	char err[200];
	CHECK(opt_split_assign("count=1,10,100", &a, err, sizeof err) == 0);
	CHECK_STR(a.name, "count");
	CHECK_EQ_INT(a.nvals, 3);
	CHECK_STR(a.vals[2], "100");
	CHECK(opt_split_assign("count", &a, err, sizeof err) == -EINVAL);
	CHECK(opt_split_assign("=5", &a, err, sizeof err) == -EINVAL);
	CHECK(opt_split_assign("count=1,,2", &a, err, sizeof err) == -EINVAL);
	CHECK(opt_split_assign("count=", &a, err, sizeof err) == -EINVAL);
}

TEST(opt, defaults_and_set)
{
	struct knobset s = { 0 };
	struct knobval v;
	char err[200];
	CHECK(opt_defaults(&s, tbl) == 0);
	CHECK_EQ_INT(s.n, 4);
	CHECK_NEAR(opt_get(&s, "count")->num, 10, 0);
	CHECK(opt_parse_value(&tbl[0], "7", &v, err, sizeof err) == 0);
	CHECK(opt_set(&s, &v) == 0);
	CHECK_EQ_INT(s.n, 4);
	CHECK_NEAR(opt_get(&s, "count")->num, 7, 0);
	CHECK(opt_get(&s, "nope") == NULL);
}

TEST(opt, strict_numbers)
{
	uint64_t u;
	double d;
	CHECK(opt_parse_u64("12", 1, 100, &u) == 0 && u == 12);
	CHECK(opt_parse_u64("-1", 0, 100, &u) != 0);
	CHECK(opt_parse_u64("1e3", 0, 10000, &u) != 0);
	CHECK(opt_parse_u64("101", 1, 100, &u) == -ERANGE);
	CHECK(opt_parse_double("0.5", 0, 1, &d) == 0 && d == 0.5);
	CHECK(opt_parse_double("inf", 0, 1e300, &d) != 0);
}

/* ---- the plan of bench run (run_plan.h): the command line -> cells, nothing run ---- */

/* Parse and expand "run ARGS..." (a NULL-terminated list); returns the expand/parse code. */
static int plan_of(struct run_cells *cells, const char *const *args)
{
	char *argv[200];
	int argc = 0;
	argv[argc++] = "run";
	for (; *args; args++)
		argv[argc++] = (char *)*args;
	argv[argc] = NULL;
	struct run_plan p;
	memset(cells, 0, sizeof *cells);
	int rc = run_plan_parse(argc, argv, &p);
	if (!rc && !p.help)
		rc = run_plan_expand(&p, cells);
	run_plan_free(&p);
	return rc;
}

/* "first,first+1,...": n numbers */
static char *seq(char *buf, size_t len, unsigned first, unsigned n)
{
	size_t o = 0;
	for (unsigned i = 0; i < n && o < len; i++)
		o += (size_t)snprintf(buf + o, len - o, i ? ",%u" : "%u", first + i);
	return buf;
}

TEST(opt, plan_cap_is_counted_before_expanding)
{
	char n[600], a[300] = "iters=";
	struct run_cells c;
	seq(a + 6, sizeof a - 6, 1, 50);
	/* exactly the cap: 100 worker counts x 50 iters x 2 fault_after_ms = 10000 cells */
	const char *at_cap[] = { "-w", "cpu-spin", "-d", "thread", "-n", seq(n, sizeof n, 1, 100), "-O", a,
		                 "-O", "fault_after_ms=1,2", NULL };
	CHECK_EQ_INT(plan_of(&c, at_cap), 0);
	CHECK_EQ_INT(c.n, RUN_PLAN_MAX_CELLS);
	free(c.v);
	/* one sweep value more: 100 x 50 x 3 = 15000, refused before any cell is made */
	const char *over[] = { "-w", "cpu-spin", "-d", "thread", "-n", n, "-O", a, "-O", "fault_after_ms=1,2,3", NULL };
	CHECK_EQ_INT(plan_of(&c, over), -E2BIG);
	CHECK(c.v == NULL && c.n == 0);
}

/* --all is every workload under every available driver at 1 and the PU count of workers; -w
 * alone every such driver, -d alone every workload. "Every driver" leaves out those that
 * launch a program per repetition (DRIVER_FOREIGN: the python drivers' interpreter;
 * DRIVER_EXEC: mpi's mpirun job), which would stretch the minute of run --all (70 s with mpi);
 * -d names them. */
TEST(opt, plan_all_is_every_workload_and_driver)
{
	struct run_cells c;
	const unsigned launches = DRIVER_FOREIGN | DRIVER_EXEC;
	unsigned nw = topo_npus() > 1 ? 2 : 1, ndrv = 0;
	for (unsigned d = 0; d < driver_count; d++)
		ndrv += !driver_table[d]->unsupported && !(driver_table[d]->flags & launches);
	const char *all[] = { "--all", NULL }, *w[] = { "-w", "pingpong", NULL }, *d[] = { "--all", "-d", "process", NULL };
	CHECK_EQ_INT(plan_of(&c, all), 0);
	CHECK_EQ_INT(c.n, workload_count * ndrv * nw);
	for (unsigned i = 0; i < c.n; i++)
		if (c.v[i].drv->flags & launches)
			TEST_FAIL("--all runs %s, which launches a program per repetition, without being asked", c.v[i].drv->name);
	free(c.v);
	CHECK_EQ_INT(plan_of(&c, w), 0);
	CHECK_EQ_INT(c.n, ndrv * nw);
	free(c.v);
	CHECK_EQ_INT(plan_of(&c, d), 0);
	CHECK_EQ_INT(c.n, workload_count * nw);
	free(c.v);
	for (unsigned k = 0; k < driver_count; k++) /* named, such a driver runs */
		if (!driver_table[k]->unsupported && (driver_table[k]->flags & launches)) {
			const char *named[] = { "-w", "cpu-spin", "-d", driver_table[k]->name, NULL };
			CHECK_EQ_INT(plan_of(&c, named), 0);
			CHECK_EQ_INT(c.n, nw);
			free(c.v);
		}
}

TEST(opt, plan_merges_duplicates)
{
	struct run_cells c;
	const char *dup[] = { "-w", "cpu-spin,cpu-spin", "-w", "cpu-spin", "-d", "thread", "-d", "thread,thread",
		              "-n", "2,2", "-n", "2", "-O", "iters=300,0300,300,301", NULL };
	CHECK_EQ_INT(plan_of(&c, dup), 0);
	CHECK_EQ_INT(c.n, 2);
	CHECK_NEAR(opt_get(&c.v[0].knobs, "iters")->num, 300, 0);
	CHECK_NEAR(opt_get(&c.v[1].knobs, "iters")->num, 301, 0);
	CHECK_EQ_INT(c.v[0].workers, 2);
	free(c.v);
	/* an ENUM value given twice */
	const char *en[] = { "-w", "shared-counter", "-d", "thread", "-n", "2", "-O", "sync=mutex,atomic,mutex", NULL };
	CHECK_EQ_INT(plan_of(&c, en), 0);
	CHECK_EQ_INT(c.n, 2);
	free(c.v);
}

TEST(opt, plan_has_no_fixed_size_lists)
{
	char n[1200], name[300];
	struct run_cells c;
	/* 300 worker counts (the old arrays held 64) in one -n, each a cell with its own count */
	const char *many[] = { "-w", "cpu-spin", "-d", "thread", "-n", seq(n, sizeof n, 2, 300), NULL };
	CHECK_EQ_INT(plan_of(&c, many), 0);
	CHECK_EQ_INT(c.n, 300);
	for (unsigned i = 0; i < c.n; i++)
		CHECK_EQ_INT(c.v[i].workers, i + 2);
	free(c.v);
	/* a 299-character name is an unknown workload, not a "bad list" */
	memset(name, 'x', sizeof name - 1);
	name[sizeof name - 1] = 0;
	const char *longname[] = { "-w", name, NULL };
	CHECK_EQ_INT(plan_of(&c, longname), -EINVAL);
}

TEST(opt, plan_help_prefixes_and_limits)
{
	char *argv[] = { "run", "-qh", NULL }, *argv2[] = { "run", "--he", NULL };
	struct run_plan p;
	CHECK_EQ_INT(run_plan_parse(2, argv, &p), 0);
	CHECK(p.help && p.quiet);
	run_plan_free(&p);
	CHECK_EQ_INT(run_plan_parse(2, argv2, &p), 0);
	CHECK(p.help);
	run_plan_free(&p);
	/* the worker limit holds for cells from anywhere (a --baseline file) */
	struct cell_spec cs = { .wl = workload_find("cpu-spin"), .drv = driver_find("thread"), .workers = 1 };
	CHECK_EQ_INT(run_plan_check(&cs, 1, "f.json"), 0);
	cs.workers = TASK_MAX_WORKERS + 1;
	CHECK_EQ_INT(run_plan_check(&cs, 1, "f.json"), -E2BIG);
	cs.workers = 0;
	CHECK_EQ_INT(run_plan_check(&cs, 1, "f.json"), -E2BIG);
	cs.workers = 1;
	CHECK_EQ_INT(run_plan_check(&cs, RUN_PLAN_MAX_CELLS + 1, "f.json"), -E2BIG);
}
