/* sleep-io end to end under both OS drivers: counts, the semaphore limit and its rounds,
 * spinners, many workers; its verify on fabricated tallies; and the harness's memory figure. */
#include "drivers/driver.h"
#include "tests/test.h"
#include "tests/util.h"
#include "workloads/sleep_io.h"
#include "workloads/workload.h"

static const char *drivers[] = { "thread", "process" };

TEST(sleep_io, counts_and_percentiles_under_both_drivers)
{
	for (unsigned d = 0; d < 2; d++) {
		json_t *root = tcell_run(&(struct tcell){ .workload = "sleep-io", .driver = drivers[d], .workers = 3,
		                                          .knobs = { "count=5", "wait_us=2000" } });
		json_t *cell = tcell_cell(root), *rep = tcell_rep0(cell);
		if (strcmp(tcell_status(cell), "ok"))
			TEST_FAIL("%s: %s", drivers[d], tcell_error(cell));
		CHECK_EQ_INT(tcell_num(rep, "ops"), 15);                 /* ops are waits */
		CHECK_EQ_INT(tcell_num(rep, "waiters"), 3);
		CHECK_EQ_INT(tcell_num(rep, "spinners"), 0);
		CHECK_NEAR(tcell_num(rep, "ideal_wall_s"), 0.010, 1e-12); /* 5 x 2 ms, one round */
		CHECK_EQ_INT(tcell_num(rep, "rounds"), 1);
		CHECK(json_object_get(rep, "max_inside") == NULL); /* no limit */
		/* no wait can be shorter than asked (verify checks every one), so neither the wall */
		CHECK(tcell_num(rep, "waiter_wall_s") >= 0.010);
		CHECK(tcell_num(rep, "overlap_efficiency") > 0 && tcell_num(rep, "overlap_efficiency") <= 1);
		double p50 = tcell_num(rep, "waiter_overshoot_p50_us"), p90 = tcell_num(rep, "waiter_overshoot_p90_us"),
		       p99 = tcell_num(rep, "waiter_overshoot_p99_us"), p999 = tcell_num(rep, "waiter_overshoot_p999_us"),
		       max = tcell_num(rep, "waiter_overshoot_max_us");
		CHECK(p50 >= 0 && p50 <= p90 && p90 <= p99 && p99 <= p999 && p999 <= max);
		CHECK(tcell_num(rep, "waiter_cpu_s") >= 0);
		CHECK(tcell_num(rep, "waiter_cpu_per_wait_us") >= 0);
		CHECK(json_object_get(rep, "spinner_units") == NULL);
		json_decref(root);
	}
}

/* 20 waiters, limit 5: never more than 5 inside, and the structural round count is at least
 * ceil(20/5) = 4 (verify enforces it) and about 4 (each round is a 50 ms session, so only a
 * scheduling delay of that order could add one). */
TEST(sleep_io, semaphore_limit_holds_and_takes_four_rounds)
{
	for (unsigned d = 0; d < 2; d++) {
		json_t *root = tcell_run(&(struct tcell){ .workload = "sleep-io", .driver = drivers[d], .workers = 20,
		                                          .knobs = { "count=1", "wait_us=50000", "limit=5" } });
		json_t *cell = tcell_cell(root), *rep = tcell_rep0(cell);
		if (strcmp(tcell_status(cell), "ok"))
			TEST_FAIL("%s: %s", drivers[d], tcell_error(cell));
		CHECK(tcell_num(rep, "max_inside") >= 1);
		CHECK(tcell_num(rep, "max_inside") <= 5);
		CHECK_EQ_INT(tcell_num(rep, "ideal_rounds"), 4);
		CHECK(tcell_num(rep, "rounds") >= 4);
		CHECK(tcell_num(rep, "rounds") <= 6);
		CHECK_NEAR(tcell_num(rep, "ideal_wall_s"), 0.2, 1e-12);
		/* 20 sessions of 50 ms through 5 slots cannot take less than 4 x 50 ms */
		CHECK(tcell_num(rep, "waiter_wall_s") >= 0.2);
		json_decref(root);
	}
	/* the same without a limit: one round */
	json_t *root = tcell_run(&(struct tcell){ .workload = "sleep-io", .driver = "thread", .workers = 20,
	                                          .knobs = { "count=1", "wait_us=50000" } });
	json_t *rep = tcell_rep0(tcell_cell(root));
	CHECK_STR(tcell_status(tcell_cell(root)), "ok");
	CHECK_EQ_INT(tcell_num(rep, "rounds"), 1);
	CHECK_EQ_INT(tcell_num(rep, "ideal_rounds"), 1);
	json_decref(root);
}

TEST(sleep_io, spinners_are_reported_apart_and_stop_with_the_waiters)
{
	for (unsigned d = 0; d < 2; d++) {
		/* a short timeout: spinners that did not stop would fail the cell quickly */
		json_t *root = tcell_run(&(struct tcell){ .workload = "sleep-io", .driver = drivers[d], .workers = 3,
		                                          .timeout_s = 10,
		                                          .knobs = { "count=50", "wait_us=1000", "spinners=1" } });
		json_t *cell = tcell_cell(root), *rep = tcell_rep0(cell);
		if (strcmp(tcell_status(cell), "ok"))
			TEST_FAIL("%s: %s", drivers[d], tcell_error(cell));
		CHECK_EQ_INT(tcell_num(rep, "waiters"), 2);
		CHECK_EQ_INT(tcell_num(rep, "spinners"), 1);
		CHECK_EQ_INT(tcell_num(rep, "ops"), 100); /* the waiters' waits only */
		CHECK(tcell_num(rep, "spinner_units") > 0);
		CHECK(tcell_num(rep, "spinner_cpu_s") >= 0);
		/* worker 2 is the spinner: it counted no waits */
		CHECK_EQ_INT(json_number_value(json_array_get(json_object_get(rep, "worker_ops"), 2)), 0);
		json_decref(root);
	}
	json_t *root = tcell_run(&(struct tcell){ .workload = "sleep-io", .driver = "thread", .workers = 2,
	                                          .knobs = { "spinners=2" } });
	CHECK_STR(tcell_status(tcell_cell(root)), "skipped");
	CHECK_CONTAINS(tcell_error(tcell_cell(root)), "leaves no waiter");
	json_decref(root);
}

TEST_T(sleep_io, a_thousand_workers, 300)
{
	for (unsigned d = 0; d < 2; d++) {
		json_t *root = tcell_run(&(struct tcell){ .workload = "sleep-io", .driver = drivers[d], .workers = 1000,
		                                          .timeout_s = 120,
		                                          .knobs = { "count=2", "wait_us=1000", "limit=500" } });
		json_t *cell = tcell_cell(root), *rep = tcell_rep0(cell);
		if (strcmp(tcell_status(cell), "ok"))
			TEST_FAIL("%s: %s", drivers[d], tcell_error(cell));
		CHECK_EQ_INT(tcell_num(rep, "ops"), 2000);
		CHECK(tcell_num(rep, "max_inside") <= 500);
		CHECK(tcell_num(rep, "rounds") >= 2);
		json_decref(root);
		CHECK_EQ_INT(tcount_children(), 0);
	}
}

/* Every way the checker must fail, on fabricated tallies. */
TEST(sleep_io, verify_fails_on_inconsistent_tallies)
{
	char why[256];
	const struct sleep_io_tally good = { .nwaiters = 20, .count = 3, .limit = 5, .waits = 60, .ops = 60,
		                             .recorded = 60, .max_inside = 5, .rounds = 4 };
	struct sleep_io_tally t = good;
	CHECK(sleep_io_check(&t, why, sizeof why) == 0);
	t.rounds = 9; /* more rounds than ideal: slow, not wrong */
	CHECK(sleep_io_check(&t, why, sizeof why) == 0);

	t = good;
	t.max_inside = 6;
	CHECK(sleep_io_check(&t, why, sizeof why) == -1);
	CHECK_CONTAINS(why, "limit=5 but 6 waiters were inside at once");
	t = good;
	t.rounds = 3;
	CHECK(sleep_io_check(&t, why, sizeof why) == -1);
	CHECK_CONTAINS(why, "needs at least 4");
	t = good;
	t.early = 1;
	CHECK(sleep_io_check(&t, why, sizeof why) == -1);
	CHECK_CONTAINS(why, "returned before wait_us");
	t = good;
	t.waits = t.ops = t.recorded = 59;
	t.short_waiters = 1;
	CHECK(sleep_io_check(&t, why, sizeof why) == -1);
	CHECK_CONTAINS(why, "did not finish");
	t = good;
	t.ops = 61;
	CHECK(sleep_io_check(&t, why, sizeof why) == -1);
	CHECK_CONTAINS(why, "bookkeeping");
	t = good;
	t.recorded = 10;
	CHECK(sleep_io_check(&t, why, sizeof why) == -1);

	/* unlimited: any max_inside, one round is enough */
	t = good;
	t.limit = 0;
	t.max_inside = 20;
	t.rounds = 1;
	CHECK(sleep_io_check(&t, why, sizeof why) == 0);
	CHECK_EQ_INT(sleep_io_ideal_rounds(20, 5), 4);
	CHECK_EQ_INT(sleep_io_ideal_rounds(21, 5), 5);
	CHECK_EQ_INT(sleep_io_ideal_rounds(5, 5), 1);
	CHECK_EQ_INT(sleep_io_ideal_rounds(5, 0), 1);
}

/* The harness's memory figure (every workload, every driver): recorded per repetition, the
 * same in later repetitions (glibc reuses the stacks of joined threads: measured against the
 * current repetition's start, threads would look free from the second one on), and a process
 * costs more memory than a thread. */
TEST(sleep_io, memory_per_worker_is_recorded)
{
	double kb[2];
	for (unsigned d = 0; d < 2; d++) {
		json_t *root = tcell_run(&(struct tcell){ .workload = "sleep-io", .driver = drivers[d], .workers = 50,
		                                          .reps = 2, .knobs = { "count=1", "wait_us=1000" } });
		json_t *rep = tcell_rep0(tcell_cell(root));
		CHECK_STR(tcell_status(tcell_cell(root)), "ok");
		kb[d] = tcell_num(rep, "mem_per_worker_kb");
		CHECK_NEAR(tcell_num(rep, "mem_delta_kb") / 50, kb[d], 1e-9);
		CHECK(kb[d] > 0);
		double again = tcell_num(json_array_get(json_object_get(tcell_cell(root), "reps"), 1), "mem_per_worker_kb");
		if (!(again > kb[d] / 2))
			TEST_FAIL("%s: %.2f kB per worker in repetition 1, %.2f in repetition 2", drivers[d], kb[d], again);
		json_decref(root);
	}
	CHECK(kb[1] > kb[0]);
	json_t *root = tcell_run(&(struct tcell){ .workload = "cpu-spin", .driver = "process", .workers = 2 });
	CHECK(tcell_num(tcell_rep0(tcell_cell(root)), "mem_per_worker_kb") > 0);
	json_decref(root);
}

/* A waiter that dies leaves the spinners spinning (they stop when every waiter is done) and
 * would leave other waiters blocked on the limiter: the runner ends a self-bounded repetition
 * as soon as a worker failed, and reports that worker, not a timeout. */
TEST(sleep_io, a_failed_waiter_ends_the_repetition_with_its_reason)
{
	json_t *root = tcell_run(&(struct tcell){ .workload = "sleep-io", .driver = "process", .workers = 4,
	                                          .timeout_s = 40,
	                                          .knobs = { "spinners=1", "limit=1", "fault=exit1", "fault_worker=0",
	                                                     "fault_after_ms=20" } });
	json_t *cell = tcell_cell(root);
	CHECK_STR(tcell_status(cell), "failed");
	CHECK_CONTAINS(tcell_error(cell), "worker 0");
	CHECK_CONTAINS(tcell_error(cell), "exited with status 1");
	json_decref(root);
	CHECK_EQ_INT(tcount_children(), 0);
}

/* Under run-until-block scheduling (coroutine, no slices) a spinner starves the waiters: it must
 * give up after spin_max_ms instead of waiting for them forever, and the results say so. */
TEST(sleep_io, spinner_gives_up_under_cooperative_scheduling)
{
	json_t *root = tcell_run(&(struct tcell){ .workload = "sleep-io", .driver = "coroutine", .workers = 2,
	                                          .knobs = { "spinners=1", "count=5", "wait_us=1000", "spin_max_ms=20" } });
	json_t *cell = tcell_cell(root);
	CHECK_STR(tcell_status(cell), "ok");
	CHECK_NEAR(tcell_median(cell, "spinners_gave_up"), 1, 0);
	/* The waiter's first wait overlaps the spinner; the other 4 (each >= 1 ms, verify checks
	 * no wait ends early) can only start after the spinner's >= 20 ms: a structural bound.
	 * Unstarved (threads on 2 cores) the cell takes about 5 ms. */
	CHECK(tcell_median(cell, "wall_s") >= 0.020 + 4 * 0.001);
	json_decref(root);
}
