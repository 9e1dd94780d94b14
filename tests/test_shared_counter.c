/* shared-counter under both OS drivers: the safe modes lose nothing (also oversubscribed and
 * with a gap inside the critical section), the racy mode loses updates and they are counted
 * exactly; its verify on fabricated numbers. */
#include "drivers/driver.h"
#include "tests/test.h"
#include "tests/util.h"
#include "workloads/shared_counter.h"
#include "workloads/workload.h"

static const char *drivers[] = { "thread", "process" };

/* The sum of the per-worker ops the harness recorded: an independent count of increments. */
static double harness_ops(json_t *rep)
{
	double s = 0;
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(rep, "worker_ops"), i, v) s += json_number_value(v);
	return s;
}

static void check_safe(const char *driver, const char *sync, const char *gap, unsigned workers)
{
	char k1[32], k2[32];
	snprintf(k1, sizeof k1, "sync=%s", sync);
	snprintf(k2, sizeof k2, "gap_us=%s", gap);
	json_t *root = tcell_run(&(struct tcell){ .workload = "shared-counter", .driver = driver, .workers = workers,
	                                          .knobs = { k1, k2 } });
	json_t *cell = tcell_cell(root), *rep = tcell_rep0(cell);
	if (strcmp(tcell_status(cell), "ok"))
		TEST_FAIL("%s/%s/gap %s: %s", driver, sync, gap, tcell_error(cell));
	CHECK(tcell_num(rep, "expected") > 0);
	CHECK_EQ_INT(tcell_num(rep, "lost_updates"), 0);
	CHECK_EQ_INT(tcell_num(rep, "final"), tcell_num(rep, "expected"));
	CHECK_EQ_INT(tcell_num(rep, "expected"), harness_ops(rep));
	/* (Not every worker need have incremented: with a gap inside an unfair lock, the holder
	 * often re-takes it before a woken waiter runs, and a waiter can starve for a whole run.) */
	json_decref(root);
}

/* 3 workers on this 2-PU machine: the spinlock must cope with a preempted holder. */
TEST(shared_counter, safe_modes_lose_nothing)
{
	static const char *modes[] = { "atomic", "mutex", "spin", "local" };
	for (unsigned d = 0; d < 2; d++)
		for (unsigned m = 0; m < 4; m++)
			check_safe(drivers[d], modes[m], "0", 3);
}

/* A blocking wait inside the critical section: the lock is held while its holder sleeps. */
TEST(shared_counter, safe_modes_lose_nothing_with_a_gap)
{
	static const char *modes[] = { "atomic", "mutex", "spin", "local" };
	for (unsigned d = 0; d < 2; d++)
		for (unsigned m = 0; m < 4; m++)
			check_safe(drivers[d], modes[m], "200", 3);
}

/* With a gap between load and store two workers overlap nearly every increment: updates are
 * lost (as long as both get to run: over two repetitions of 0.2 s, even on a loaded machine),
 * and lost_updates is exactly expected - final, where expected agrees with the harness's own
 * count. A single worker cannot lose any. */
TEST(shared_counter, racy_mode_loses_updates_counted_exactly)
{
	for (unsigned d = 0; d < 2; d++) {
		json_t *root = tcell_run(&(struct tcell){ .workload = "shared-counter", .driver = drivers[d],
		                                          .workers = 2, .duration_s = 0.2, .reps = 2,
		                                          .knobs = { "sync=none", "gap_us=500" } });
		json_t *cell = tcell_cell(root), *rep;
		if (strcmp(tcell_status(cell), "ok")) /* losing updates is the measurement, not a failure */
			TEST_FAIL("%s: %s", drivers[d], tcell_error(cell));
		double lost_total = 0;
		size_t i;
		json_array_foreach(json_object_get(cell, "reps"), i, rep) {
			double expected = tcell_num(rep, "expected"), final = tcell_num(rep, "final"), lost = tcell_num(rep, "lost_updates");
			CHECK_EQ_INT(expected, harness_ops(rep));
			CHECK_EQ_INT(lost, expected - final);
			CHECK_NEAR(tcell_num(rep, "lost_fraction"), lost / expected, 1e-12);
			lost_total += lost;
			if (lost > 0) {
				/* the verify of any safe mode would have failed on these very numbers */
				char why[256];
				CHECK(shared_counter_check(SHARED_COUNTER_ATOMIC, (uint64_t)expected, (uint64_t)final,
				                           (uint64_t)expected, why, sizeof why) == -1);
				CHECK_CONTAINS(why, "lost");
			}
		}
		if (!(lost_total > 0))
			TEST_FAIL("%s: no update lost in 2 x 0.2 s of racy increments with a 500 us gap", drivers[d]);
		json_decref(root);

		root = tcell_run(&(struct tcell){ .workload = "shared-counter", .driver = drivers[d], .workers = 1,
		                                  .knobs = { "sync=none" } });
		rep = tcell_rep0(tcell_cell(root));
		CHECK_STR(tcell_status(tcell_cell(root)), "ok");
		CHECK(tcell_num(rep, "expected") > 0);
		CHECK_EQ_INT(tcell_num(rep, "lost_updates"), 0);
		json_decref(root);
	}
}

TEST(shared_counter, verify_fails_on_wrong_counts)
{
	char why[256];
	/* none may lose updates */
	CHECK(shared_counter_check(SHARED_COUNTER_NONE, 1000, 600, 1000, why, sizeof why) == 0);
	CHECK(shared_counter_check(SHARED_COUNTER_NONE, 1000, 1000, 1000, why, sizeof why) == 0);
	/* no other mode may */
	for (int m = SHARED_COUNTER_ATOMIC; m <= SHARED_COUNTER_LOCAL; m++) {
		CHECK(shared_counter_check((enum shared_counter_sync)m, 1000, 1000, 1000, why, sizeof why) == 0);
		CHECK(shared_counter_check((enum shared_counter_sync)m, 1000, 999, 1000, why, sizeof why) == -1);
		CHECK_CONTAINS(why, "lost 1 of 1000 updates");
	}
	CHECK(shared_counter_check(SHARED_COUNTER_MUTEX, 1000, 999, 1000, why, sizeof why) == -1);
	CHECK_CONTAINS(why, "sync=mutex");
	/* nothing may invent updates, not even none */
	CHECK(shared_counter_check(SHARED_COUNTER_NONE, 1000, 1001, 1000, why, sizeof why) == -1);
	CHECK_CONTAINS(why, "more than were made");
	/* the workload's count and the harness's must agree */
	CHECK(shared_counter_check(SHARED_COUNTER_ATOMIC, 1000, 1000, 1002, why, sizeof why) == -1);
	CHECK_CONTAINS(why, "bookkeeping");
}

TEST(shared_counter, unknown_sync_value_is_a_knob_error)
{
	const struct workload *w = workload_find("shared-counter");
	CHECK(w);
	char err[200];
	struct knobval v;
	CHECK(opt_parse_value(opt_find(w->knobs, "sync"), "magic", &v, err, sizeof err) != 0);
	CHECK(opt_parse_value(opt_find(w->knobs, "sync"), "spin", &v, err, sizeof err) == 0);
	CHECK_EQ_INT(v.choice, SHARED_COUNTER_SPIN);
}
