/* task-pool: every task runs once and every result reaches the callback, under every driver
 * and transport, at capacity 1 and with large payloads; sync mode never has more than one task
 * in flight and async mode never more than `inflight`; shutdown with long tasks, long waits and
 * late workers; verify catches a lost and a duplicated result; the pipe transport under every
 * driver, refused by capability (not by driver name) where the workers would not have it. */
#include <errno.h>

#include "drivers/driver.h"
#include "tests/faulty.h"
#include "tests/test.h"
#include "tests/util.h"

/* The drivers of this build that can run a pool: thread, process, coroutine, and gil once it
 * is there. */
static const char *const all_drivers[] = { "thread", "process", "coroutine", "gil" };

static int have(const char *drv)
{
	return driver_find(drv) != NULL;
}

/* Run one cell that must pass and check from the outside what verify checked inside:
 * tasks = submitted = ops (every task came back through the callback), in-flight bounds.
 * Returns the repetition's tasks. */
static double run_ok(const struct tcell *c)
{
	json_t *root = tcell_run_ok(c);
	json_t *r = tcell_rep0(tcell_cell(root));
	double tasks = tcell_num(r, "tasks");
	CHECK_EQ_INT(tcell_num(r, "submitted"), tasks);
	CHECK_EQ_INT(tcell_num(r, "ops"), tasks);
	CHECK_EQ_INT(tcell_num(r, "pool_workers"), c->workers - 1);
	CHECK(tcell_num(r, "max_in_flight") <= tcell_num(r, "inflight"));
	CHECK(tcell_num(r, "start_latency_p50_us") <= tcell_num(r, "start_latency_p99_us"));
	CHECK(tcell_num(r, "result_latency_p50_us") <= tcell_num(r, "result_latency_p99_us"));
	json_decref(root);
	return tasks;
}

TEST_T(task_pool, exactly_once_under_every_driver, 300)
{
	static const char *modes[] = { "mode=async", "mode=sync" };
	static const unsigned ns[] = { 2, 3, 5 };
	double tasks = 0;
	for (unsigned d = 0; d < 4; d++) {
		if (!have(all_drivers[d]))
			continue;
		for (unsigned m = 0; m < 2; m++)
			for (unsigned i = 0; i < 3; i++)
				tasks += run_ok(&(struct tcell){ .workload = "task-pool", .driver = all_drivers[d],
				                                 .workers = ns[i], .knobs = { modes[m], "task_us=5" } });
	}
	/* pipes under every driver, and coroutines on two scheduler threads (wakes across threads) */
	for (unsigned m = 0; m < 2; m++) {
		for (unsigned d = 0; d < 4; d++)
			if (have(all_drivers[d]))
				tasks += run_ok(&(struct tcell){ .workload = "task-pool", .driver = all_drivers[d],
				                                 .workers = 3, .knobs = { modes[m], "transport=pipe" } });
		if (have("coroutine")) {
			tasks += run_ok(&(struct tcell){ .workload = "task-pool", .driver = "coroutine", .workers = 5,
			                                 .knobs = { modes[m], "threads=2" } });
			tasks += run_ok(&(struct tcell){ .workload = "task-pool", .driver = "coroutine", .workers = 5,
			                                 .knobs = { modes[m], "threads=2", "transport=pipe" } });
		}
	}
	CHECK(tasks > 0);
}

/* A submission queue of one slot: the submitter waits for room before nearly every task. */
TEST_T(task_pool, exactly_once_at_capacity_1, 300)
{
	static const char *inflight[] = { "inflight=1", "inflight=8" };
	double tasks = 0;
	for (unsigned d = 0; d < 4; d++) {
		if (!have(all_drivers[d]))
			continue;
		for (unsigned f = 0; f < 2; f++)
			for (unsigned n = 2; n <= 4; n += 2)
				tasks += run_ok(&(struct tcell){ .workload = "task-pool", .driver = all_drivers[d],
				                                 .workers = n,
				                                 .knobs = { "capacity=1", inflight[f], "task_us=1" } });
	}
	for (unsigned d = 0; d < 4; d++)
		for (unsigned f = 0; f < 2 && have(all_drivers[d]); f++)
			tasks += run_ok(&(struct tcell){ .workload = "task-pool", .driver = all_drivers[d], .workers = 4,
			                                 .knobs = { "capacity=1", inflight[f], "transport=pipe" } });
	CHECK(tasks > 0);
}

/* 64 KiB of payload each way: through shared memory, and through pipes where several readers
 * and writers must not interleave (items above PIPE_BUF are split by the kernel). */
TEST_T(task_pool, large_payloads_cross_intact, 200)
{
	static const char *transports[] = { "transport=shm", "transport=pipe" };
	double tasks = 0;
	for (unsigned t = 0; t < 2; t++)
		for (unsigned n = 2; n <= 5; n += 3)
			tasks += run_ok(&(struct tcell){ .workload = "task-pool", .driver = "process", .workers = n,
			                                 .knobs = { transports[t], "arg_bytes=65536", "task_us=0" } });
	tasks += run_ok(&(struct tcell){ .workload = "task-pool", .driver = "thread", .workers = 3,
	                                 .knobs = { "arg_bytes=65536", "capacity=1" } });
	CHECK(tasks > 0);
	json_t *root = tcell_run(&(struct tcell){ .workload = "task-pool", .driver = "thread", .workers = 2,
	                                          .knobs = { "arg_bytes=1" } });
	CHECK_EQ_INT(tcell_num(tcell_rep0(tcell_cell(root)), "arg_bytes"), 8); /* whole words */
	json_decref(root);
}

/* sync waits for each result before the next task: one in flight, whatever `inflight` says,
 * under every driver and transport. */
TEST_T(task_pool, sync_mode_never_has_more_than_one_task_in_flight, 200)
{
	for (unsigned d = 0; d < 4; d++) {
		if (!have(all_drivers[d]))
			continue;
		for (unsigned n = 2; n <= 5; n += 3) {
			json_t *root = tcell_run(&(struct tcell){ .workload = "task-pool", .driver = all_drivers[d],
			                                          .workers = n, .knobs = { "mode=sync", "inflight=8", "task_us=1" } });
			json_t *cell = tcell_cell(root);
			CHECK_STR(tcell_status(cell), "ok");
			json_t *r = tcell_rep0(cell);
			CHECK_EQ_INT(tcell_num(r, "inflight"), 1);
			if (tcell_num(r, "tasks") > 0)
				CHECK_EQ_INT(tcell_num(r, "max_in_flight"), 1);
			json_decref(root);
		}
	}
	json_t *root = tcell_run(&(struct tcell){ .workload = "task-pool", .driver = "process", .workers = 4,
	                                          .knobs = { "mode=sync", "transport=pipe" } });
	CHECK_STR(tcell_status(tcell_cell(root)), "ok");
	CHECK_EQ_INT(tcell_num(tcell_rep0(tcell_cell(root)), "max_in_flight"), 1);
	json_decref(root);
}

/* async keeps at most `inflight` outstanding, and does fill up to it (the submitter submits
 * `inflight` tasks before it waits for the first result, unless the stop came first: retried). */
TEST(task_pool, async_mode_keeps_at_most_inflight_outstanding)
{
	for (unsigned d = 0; d < 4; d++) {
		if (!have(all_drivers[d]))
			continue;
		double most = 0;
		for (int k = 0; k < 5 && most < 3; k++) {
			json_t *root = tcell_run(&(struct tcell){ .workload = "task-pool", .driver = all_drivers[d],
			                                          .workers = 3, .knobs = { "inflight=3", "task_us=20" } });
			json_t *cell = tcell_cell(root);
			CHECK_STR(tcell_status(cell), "ok");
			json_t *r = tcell_rep0(cell);
			CHECK_EQ_INT(tcell_num(r, "inflight"), 3);
			if (!(tcell_num(r, "max_in_flight") <= 3))
				TEST_FAIL("%s: %.0f tasks in flight, inflight=3", all_drivers[d], tcell_num(r, "max_in_flight"));
			most = tcell_num(r, "max_in_flight");
			json_decref(root);
		}
		CHECK_EQ_INT(most, 3);
	}
	/* the default: two per pool worker */
	json_t *root = tcell_run(&(struct tcell){ .workload = "task-pool", .driver = "thread", .workers = 4 });
	CHECK_EQ_INT(tcell_num(tcell_rep0(tcell_cell(root)), "inflight"), 6);
	json_decref(root);
}

/* The stop meets tasks much longer than the run, and waits: the submitter stops submitting,
 * the pool finishes every task it was given (waits are cut short), every result comes back,
 * the cell ends. Several repetitions meet the stop in different states. */
TEST_T(task_pool, shutdown_with_long_tasks_and_waits, 200)
{
	static const char *shapes[][2] = { { "task_us=3000", "wait_us=0" }, { "task_us=0", "wait_us=100000" },
		                           { "task_us=500", "wait_us=500" } };
	for (unsigned d = 0; d < 4; d++) {
		if (!have(all_drivers[d]))
			continue;
		for (unsigned s = 0; s < 3; s++) {
			json_decref(tcell_run_ok(&(struct tcell){ .workload = "task-pool", .driver = all_drivers[d],
			                                          .workers = 8, .reps = 3, .duration_s = 0.01,
			                                          .stop_grace_s = 10,
			                                          .knobs = { shapes[s][0], shapes[s][1], "capacity=1" } }));
		}
	}
}

/* Waits overlap in a pool whatever the driver (I/O-bound tasks): with 4 pool workers and
 * 20 ms waits the pool gets several inline workers' worth of tasks done. Generous: 1.5 of 4. */
TEST_T(task_pool, waits_overlap_in_the_pool, 200)
{
	for (unsigned d = 0; d < 4; d++) {
		if (!have(all_drivers[d]))
			continue;
		double best = 0;
		for (int k = 0; k < 3 && best <= 1.5; k++) {
			json_t *root = tcell_run(&(struct tcell){ .workload = "task-pool", .driver = all_drivers[d],
			                                          .workers = 5, .duration_s = 0.2,
			                                          .knobs = { "task_us=0", "wait_us=20000" } });
			CHECK_STR(tcell_status(tcell_cell(root)), "ok");
			double s = tcell_num(tcell_rep0(tcell_cell(root)), "speedup_vs_inline");
			best = s > best ? s : best;
			json_decref(root);
		}
		if (!(best > 1.5))
			TEST_FAIL("%s: speedup_vs_inline %.2f with 4 pool workers waiting", all_drivers[d], best);
	}
}

/* A worker that gets no CPU until the stop request (faulty_late_driver: it misses the whole
 * duration). A late submitter submits nothing and must still close the submission queue for
 * the pool; a late pool worker must still run the tasks waiting for it, so that their results
 * come back. */
TEST(task_pool, a_worker_that_starts_after_the_stop_does_not_hang_the_others)
{
	static const char *modes[] = { "mode=async", "mode=sync" };
	for (unsigned m = 0; m < 2; m++)
		for (unsigned late_id = 0; late_id < 2; late_id++) {
			json_t *root = tcell_run(&(struct tcell){ .workload = "task-pool", .drv = faulty_late_driver(late_id),
			                                          .workers = 2, .duration_s = 0.05, .stop_grace_s = 3,
			                                          .knobs = { modes[m], "inflight=4" } });
			json_t *cell = tcell_cell(root);
			if (strcmp(tcell_status(cell), "ok"))
				TEST_FAIL("%s, worker %u late: %s", modes[m], late_id, tcell_error(cell));
			json_t *r = tcell_rep0(cell);
			/* late submitter: nothing submitted; late pool worker: what the submitter put in
			 * before it waited (inflight, or one in sync mode), all run and back */
			if (late_id == 0)
				CHECK_EQ_INT(tcell_num(r, "submitted"), 0);
			else
				CHECK(tcell_num(r, "submitted") <= (m ? 1 : 4));
			CHECK_EQ_INT(tcell_num(r, "tasks"), tcell_num(r, "submitted"));
			json_decref(root);
		}
}

/* The deliberately broken variants: verify must catch each, under every driver and transport.
 * Two workers, so the one pool worker runs the first task (lose drops its result). */
TEST_T(task_pool, verify_catches_a_lost_and_a_duplicated_result, 200)
{
	static const char *defects[][2] = { { "defect=lose", "1 task(s) never reached the callback" },
		                            { "defect=dup", "1 task(s) reached the callback more than once" } };
	static const char *where[][2] = { { "thread", "transport=shm" }, { "process", "transport=shm" },
		                          { "process", "transport=pipe" }, { "coroutine", "transport=shm" },
		                          { "gil", "transport=shm" }, { "thread", "transport=pipe" },
		                          { "coroutine", "transport=pipe" }, { "gil", "transport=pipe" } };
	static const char *modes[] = { "mode=async", "mode=sync" };
	for (unsigned w = 0; w < 8; w++) {
		if (!have(where[w][0]))
			continue;
		for (unsigned f = 0; f < 2; f++)
			for (unsigned m = 0; m < 2; m++) {
				json_t *root = NULL, *cell = NULL;
				/* A run that submitted nothing (the stop came first) cannot show it: retry. */
				for (int k = 0; k < 5; k++) {
					json_decref(root);
					root = tcell_run(&(struct tcell){ .workload = "task-pool", .driver = where[w][0],
					                                  .workers = 2, .duration_s = 0.05,
					                                  .knobs = { where[w][1], defects[f][0], modes[m] } });
					cell = tcell_cell(root);
					json_t *r = tcell_rep0(cell);
					if (!strcmp(tcell_status(cell), "failed") || !r || tcell_num(r, "submitted") >= 1)
						break;
				}
				CHECK_STR(tcell_status(cell), "failed");
				CHECK_CONTAINS(tcell_error(cell), "verify failed");
				CHECK_CONTAINS(tcell_error(cell), defects[f][1]);
				json_decref(root);
			}
	}
}

/* Pipes are asked for by capability, not by driver name: a driver that forks like the
 * process driver runs them whatever its name; without TASK_CAP_INHERIT_FDS (even named
 * "process") the cell is skipped with the reason. One worker is too few for a pool. */
TEST(task_pool, pipe_asks_for_a_capability_and_one_worker_is_too_few)
{
	static struct driver_ops renamed, nofds;
	renamed = driver_process;
	renamed.name = "forked";
	run_ok(&(struct tcell){ .workload = "task-pool", .drv = &renamed, .workers = 2, .knobs = { "transport=pipe" } });
	nofds = driver_process;
	nofds.flags &= ~(unsigned)TASK_CAP_INHERIT_FDS;
	json_t *root = tcell_run(&(struct tcell){ .workload = "task-pool", .drv = &nofds, .workers = 2,
	                                          .knobs = { "transport=pipe" } });
	CHECK_STR(tcell_status(tcell_cell(root)), "skipped");
	CHECK_CONTAINS(tcell_error(tcell_cell(root)), "transport=pipe needs workers that have the descriptors setup "
	                                              "opened (inherit-fds), which driver process does not give");
	json_decref(root);
	run_ok(&(struct tcell){ .workload = "task-pool", .drv = &nofds, .workers = 2, .knobs = { "transport=shm" } });
	root = tcell_run(&(struct tcell){ .workload = "task-pool", .driver = "thread", .workers = 1 });
	CHECK_STR(tcell_status(tcell_cell(root)), "skipped");
	CHECK_CONTAINS(tcell_error(tcell_cell(root)), "at least 2 workers");
	json_decref(root);
}

/* Spin-then-block in task_wait (thread/process, -O wait_spin_us): every task and result still
 * crosses exactly once, sync and async, across PUs (spin on) and on one PU (off). */
TEST_T(task_pool, exactly_once_with_wait_spin, 200)
{
	static const char *drivers[] = { "thread", "process" }, *pins[] = { "spread", "pus:0" };
	static const char *modes[] = { "mode=async", "mode=sync" };
	double tasks = 0;
	for (unsigned d = 0; d < 2; d++)
		for (unsigned p = 0; p < 2; p++)
			for (unsigned m = 0; m < 2; m++)
				tasks += run_ok(&(struct tcell){ .workload = "task-pool", .driver = drivers[d], .workers = 2,
				                                 .pin = pins[p], .knobs = { modes[m], "task_us=5", "wait_spin_us=200" } });
	CHECK(tasks > 0);
}
