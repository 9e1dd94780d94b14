/* producer-consumer: exactly-once and FIFO under every queue and driver (pipes under all of
 * them), at capacity 1 and at a large capacity, with producers/consumers out of balance;
 * shutdown never hangs; verify fails on injected faults; the pipe is refused by capability,
 * not by driver name; the checker, the per-item accounting and the histogram alone. */
#include <errno.h>

#include "drivers/driver.h"
#include "tests/faulty.h"
#include "tests/test.h"
#include "tests/util.h"
#include "workloads/pc.h"

static const char *drivers[] = { "thread", "process" };
static const char *every[] = { "thread", "process", "coroutine", "gil" };

/* Run one cell that must pass, and check from the outside what verify checked inside: every
 * item produced was consumed once (ops = consumed, items = produced). Returns the items: each
 * test checks that its cells moved some (not each cell: a starved worker may move none). */
static double run_ok(const char *drv, unsigned n, const char *k0, const char *k1, const char *k2, const char *k3)
{
	json_t *root = tcell_run_ok(&(struct tcell){ .workload = "producer-consumer", .driver = drv, .workers = n,
	                                             .knobs = { k0, k1, k2, k3 } });
	json_t *r = tcell_rep0(tcell_cell(root));
	double items = tcell_num(r, "items");
	CHECK_EQ_INT(tcell_num(r, "ops"), items);
	CHECK(tcell_num(r, "latency_p50_ns") <= tcell_num(r, "latency_p90_ns"));
	CHECK(tcell_num(r, "latency_p90_ns") <= tcell_num(r, "latency_p99_ns"));
	CHECK(tcell_num(r, "latency_p99_ns") <= tcell_num(r, "latency_p999_ns"));
	CHECK_EQ_INT(tcell_num(r, "fifo_checked"), 1);
	json_decref(root);
	return items;
}

TEST(producer_consumer, lock_exactly_once_at_capacity_1)
{
	double items = 0;
	for (unsigned d = 0; d < 2; d++) {
		items += run_ok(drivers[d], 2, "queue=lock", "capacity=1", NULL, NULL);
		items += run_ok(drivers[d], 4, "queue=lock", "capacity=1", NULL, NULL);                   /* 2 + 2 */
		items += run_ok(drivers[d], 4, "queue=lock", "capacity=1", "producers=3", NULL);          /* 3 + 1 */
		items += run_ok(drivers[d], 4, "queue=lock", "capacity=1", "consumers=3", NULL);          /* 1 + 3 */
		items += run_ok(drivers[d], 5, "queue=lock", "capacity=1", "producers=1", "consumers=1"); /* 3 idle */
	}
	CHECK(items > 0);
}

TEST(producer_consumer, lock_exactly_once_at_large_capacity)
{
	double items = 0;
	for (unsigned d = 0; d < 2; d++) {
		items += run_ok(drivers[d], 2, "queue=lock", "capacity=1000000", NULL, NULL);
		items += run_ok(drivers[d], 4, "queue=lock", "capacity=1000000", "producers=3", NULL);
		items += run_ok(drivers[d], 4, "queue=lock", "capacity=1000000", "consumers=3", NULL);
	}
	CHECK(items > 0);
}

TEST(producer_consumer, spsc_exactly_once)
{
	double items = 0;
	for (unsigned d = 0; d < 2; d++) {
		items += run_ok(drivers[d], 2, "queue=spsc", "capacity=1", NULL, NULL);
		items += run_ok(drivers[d], 2, "queue=spsc", "capacity=1", "spin=0", NULL); /* always blocks */
		items += run_ok(drivers[d], 2, "queue=spsc", "capacity=1000000", NULL, NULL);
		items += run_ok(drivers[d], 3, "queue=spsc", "capacity=7", "producers=1", "consumers=1"); /* 1 idle */
	}
	CHECK(items > 0);
}

static void expect_skip(const struct driver_ops *drv, unsigned n, const char *k0, const char *k1, const char *why);

/* Pipes under every driver: the pipe is made in setup, before spawn, so the workers of every
 * driver have it, and a full or empty pipe waits through the driver (task_wait_fd): a
 * coroutine parks, the GIL is released. Coroutines also on two scheduler threads. */
TEST_T(producer_consumer, pipe_exactly_once_under_every_driver, 300)
{
	double items = 0;
	for (unsigned d = 0; d < driver_count; d++) {
		const char *drv = driver_table[d]->name;
		if (driver_table[d]->unsupported || (driver_table[d]->flags & DRIVER_FOREIGN)) /* no C run() */
			continue;
		if (!(driver_table[d]->flags & DRIVER_INHERIT_FDS)) /* skipped: the next test */
			continue;
		items += run_ok(drv, 2, "queue=pipe", "capacity=1", NULL, NULL);
		items += run_ok(drv, 2, "queue=pipe", "capacity=100000", NULL, NULL);
		items += run_ok(drv, 4, "queue=pipe", "capacity=1", "producers=3", NULL);
		items += run_ok(drv, 4, "queue=pipe", "capacity=1", "consumers=3", NULL);
	}
	if (driver_find("coroutine"))
		items += run_ok("coroutine", 5, "queue=pipe", "capacity=1", "producers=2", "threads=2");
	CHECK(items > 0);
	/* The pipe is at least a page however small the capacity asked for. */
	json_t *root = tcell_run(&(struct tcell){ .workload = "producer-consumer", .driver = "process", .workers = 2,
	                                          .knobs = { "queue=pipe", "capacity=1" } });
	CHECK(tcell_num(tcell_rep0(tcell_cell(root)), "capacity") >= 4096 / sizeof(struct pc_item));
	json_decref(root);
}

/* What a pipe needs is asked by capability, not by driver name: a driver that forks like the
 * process driver runs it whatever its name; one whose workers would not have the descriptors
 * setup opened (a driver without TASK_CAP_INHERIT_FDS, even named "process") skips it with
 * the reason, and still runs the other queues. */
TEST(producer_consumer, pipe_asks_for_a_capability_not_a_driver_name)
{
	static struct driver_ops renamed, nofds;
	renamed = driver_process;
	renamed.name = "forked";
	json_decref(tcell_run_ok(&(struct tcell){ .workload = "producer-consumer", .drv = &renamed, .workers = 2,
	                                          .knobs = { "queue=pipe" } }));
	nofds = driver_process;
	nofds.flags &= ~(unsigned)TASK_CAP_INHERIT_FDS;
	expect_skip(&nofds, 2, "queue=pipe", NULL,
	            "queue=pipe needs workers that have the descriptors setup opened (inherit-fds), which driver "
	            "process does not give");
	json_decref(tcell_run_ok(&(struct tcell){ .workload = "producer-consumer", .drv = &nofds, .workers = 2,
	                                          .knobs = { "queue=lock" } }));
}

/* Many blocked workers on either side when the stop comes: the cell must still end, with
 * everything produced consumed. Several repetitions to meet the stop in different states. */
TEST(producer_consumer, shutdown_with_many_blocked_workers)
{
	static const char *shapes[][2] = { { "producers=7", "consumers=1" }, { "producers=1", "consumers=7" } };
	for (unsigned d = 0; d < 4; d++)
		for (unsigned s = 0; s < 2; s++)
			for (unsigned q = 0; q < 2; q++) {
				if (!driver_find(every[d]) || (q == 0 && d >= 2)) /* lock: thread, process */
					continue;
				json_decref(tcell_run_ok(&(struct tcell){
					.workload = "producer-consumer", .driver = every[d], .workers = 8, .reps = 3,
					.duration_s = 0.02, .stop_grace_s = 5,
					.knobs = { q ? "queue=pipe" : "queue=lock", "capacity=1", shapes[s][0], shapes[s][1] } }));
			}
}

/* A worker that gets no CPU until the stop request (faulty_late_driver: it misses the whole
 * duration). Its run() is still called so that the others can finish: a late producer must not
 * leave the consumers waiting for it, a late consumer must still drain the queue. */
TEST(producer_consumer, a_worker_that_starts_after_the_stop_does_not_hang_the_others)
{
	static const char *queues[] = { "queue=lock", "queue=spsc" };
	for (unsigned q = 0; q < 2; q++)
		for (unsigned late_id = 0; late_id < 2; late_id++) {
			json_t *root = tcell_run(&(struct tcell){ .workload = "producer-consumer",
			                                          .drv = faulty_late_driver(late_id), .workers = 2,
			                                          .duration_s = 0.05, .stop_grace_s = 3,
			                                          .knobs = { queues[q], "capacity=16" } });
			json_t *cell = tcell_cell(root);
			if (strcmp(tcell_status(cell), "ok"))
				TEST_FAIL("%s, worker %u late: %s", queues[q], late_id, tcell_error(cell));
			json_t *r = tcell_rep0(cell);
			/* late producer: nothing produced; late consumer: at most a full queue plus the item
			 * the producer held while it waited for room (it goes in if the late consumer makes
			 * room before the producer sees the stop), all drained */
			if (late_id == 0)
				CHECK_EQ_INT(tcell_num(r, "items"), 0);
			else if (!(tcell_num(r, "items") <= 16 + 1))
				TEST_FAIL("%s, late consumer: %.0f items, ops %.0f", queues[q], tcell_num(r, "items"),
				          tcell_num(r, "ops"));
			CHECK_EQ_INT(tcell_num(r, "ops"), tcell_num(r, "items"));
			json_decref(root);
		}
}

static void expect_skip(const struct driver_ops *drv, unsigned n, const char *k0, const char *k1, const char *why)
{
	json_t *root = tcell_run(&(struct tcell){ .workload = "producer-consumer", .drv = drv, .workers = n,
	                                          .knobs = { k0, k1 } });
	json_t *cell = tcell_cell(root);
	CHECK_STR(tcell_status(cell), "skipped");
	CHECK_CONTAINS(tcell_error(cell), why);
	json_decref(root);
}

TEST(producer_consumer, unsupported_shapes_are_skipped)
{
	expect_skip(&driver_thread, 1, NULL, NULL, "at least 2 workers");
	expect_skip(&driver_thread, 4, "queue=spsc", NULL, "exactly 1 producer and 1 consumer");
	expect_skip(&driver_process, 3, "queue=spsc", NULL, "exactly 1 producer and 1 consumer");
	expect_skip(&driver_thread, 4, "producers=3", "consumers=2", "do not fit in 4 workers");
	expect_skip(&driver_process, 4, "producers=4", NULL, "do not fit in 4 workers");
}

/* The deliberately broken variants: verify must catch each, under every queue. */
TEST(producer_consumer, verify_catches_injected_faults)
{
	static const char *faults[][2] = { { "defect=lose", "1 item(s) lost" },
		                           { "defect=dup", "1 item(s) duplicated" },
		                           { "defect=reorder", "out of FIFO order (first: producer 0 seq 0 after seq 1)" } };
	static const char *queues[][2] = { { "thread", "queue=lock" }, { "process", "queue=lock" },
		                           { "thread", "queue=spsc" }, { "process", "queue=spsc" },
		                           { "process", "queue=pipe" }, { "thread", "queue=pipe" },
		                           { "coroutine", "queue=pipe" }, { "gil", "queue=pipe" } };
	for (unsigned q = 0; q < 8; q++)
		for (unsigned f = 0; f < 3 && driver_find(queues[q][0]); f++) {
			json_t *root = NULL, *cell = NULL;
			/* The faults hit the first items: retry the rare run that moved fewer than 2. */
			for (int k = 0; k < 5; k++) {
				json_decref(root);
				root = tcell_run(&(struct tcell){ .workload = "producer-consumer", .driver = queues[q][0],
				                                  .workers = 2, .duration_s = 0.1,
				                                  .knobs = { queues[q][1], faults[f][0] } });
				cell = tcell_cell(root);
				json_t *r = tcell_rep0(cell);
				if (strcmp(tcell_status(cell), "ok") || !r || tcell_num(r, "items") >= 2)
					break;
			}
			CHECK_STR(tcell_status(cell), "failed");
			CHECK_CONTAINS(tcell_error(cell), "verify failed");
			CHECK_CONTAINS(tcell_error(cell), faults[f][1]);
			json_decref(root);
		}
}

/* ---- the pieces alone ---- */

TEST(producer_consumer, checker_verdicts)
{
	uint64_t pc[2] = { 10, 20 }, ps[2] = { 111, 222 }, cc[2] = { 10, 20 }, cs[2] = { 111, 222 };
	struct pc_faults f = { 0 };
	char err[256];
	CHECK(pc_check(2, pc, ps, 2, cc, cs, &f, err, sizeof err) == 0);
	cc[1] = 19;
	CHECK(pc_check(2, pc, ps, 2, cc, cs, &f, err, sizeof err) == -1);
	CHECK_CONTAINS(err, "producer 1: 1 item(s) lost (produced 20, consumed 19)");
	cc[1] = 22;
	CHECK(pc_check(2, pc, ps, 2, cc, cs, &f, err, sizeof err) == -1);
	CHECK_CONTAINS(err, "producer 1: 2 item(s) duplicated");
	cc[1] = 20;
	cs[0] = 112; /* right count, wrong items: one lost and another duplicated */
	CHECK(pc_check(2, pc, ps, 2, cc, cs, &f, err, sizeof err) == -1);
	CHECK_CONTAINS(err, "producer 0: checksum");
	cs[0] = 111;
	f.corrupt = 3;
	f.corrupt_producer = 7;
	CHECK(pc_check(2, pc, ps, 2, cc, cs, &f, err, sizeof err) == -1);
	CHECK_CONTAINS(err, "3 corrupt item(s) (first: producer 7");
	f.corrupt = 0;
	f.fifo = 1;
	f.fifo_producer = 1;
	f.fifo_prev = 5;
	f.fifo_seq = 4;
	CHECK(pc_check(2, pc, ps, 2, cc, cs, &f, err, sizeof err) == -1);
	CHECK_CONTAINS(err, "1 item(s) out of FIFO order (first: producer 1 seq 4 after seq 5)");
	/* bucketed (too many pairs): producers 0 and 2 share bucket 0 */
	uint64_t p3[3] = { 1, 2, 3 }, s3[3] = { 10, 20, 30 }, bc[2] = { 4, 2 }, bs[2] = { 40, 20 };
	f.fifo = 0;
	CHECK(pc_check(3, p3, s3, 2, bc, bs, &f, err, sizeof err) == 0);
	bc[0] = 3;
	CHECK(pc_check(3, p3, s3, 2, bc, bs, &f, err, sizeof err) == -1);
	CHECK_CONTAINS(err, "producer bucket 0: 1 item(s) lost");
}

TEST(producer_consumer, consume_accounts_and_detects)
{
	struct pc_acct acct[2] = { { 0 } };
	struct pc_faults f = { 0 };
	static struct loghist hist;
	struct pc_item it;
	uint64_t sum = 0;
	for (uint64_t s = 0; s < 5; s++) {
		sum += pc_produce(&it, 1, s);
		it.t_ns = 1000;
		pc_consume(&it, 1000 + 100 * s, 2, acct, 2, 1, &hist, &f);
	}
	CHECK_EQ_INT(acct[1].count, 5);
	CHECK(acct[1].sum == sum);
	CHECK_EQ_INT(f.fifo + f.corrupt, 0);
	pc_produce(&it, 1, 3); /* seq 3 again after 4 */
	pc_consume(&it, 0, 2, acct, 2, 1, &hist, &f);
	CHECK_EQ_INT(f.fifo, 1);
	CHECK_EQ_INT(f.fifo_prev, 4);
	CHECK_EQ_INT(f.fifo_seq, 3);
	pc_produce(&it, 0, 9);
	it.check ^= 1; /* a torn or overwritten slot */
	pc_consume(&it, 0, 2, acct, 2, 1, &hist, &f);
	CHECK_EQ_INT(f.corrupt, 1);
	CHECK_EQ_INT(acct[0].count, 0);
	pc_produce(&it, 5, 0); /* no such producer */
	pc_consume(&it, 0, 2, acct, 2, 1, &hist, &f);
	CHECK_EQ_INT(f.corrupt, 2);
	/* a clock that went backwards counts as 0, not as 2^64 */
	CHECK_EQ_INT(hist.n, 8);
	CHECK(hist.b[0] >= 3);
	CHECK_EQ_INT(hist.max, 400);
}

TEST(producer_consumer, latency_histogram_percentiles)
{
	/* Handoff latencies 1..10000 ns through pc_consume: the percentiles the workload reports
	 * (workloads/loghist.h) come back within half a bucket, 1/(2*LOGHIST_SUB) = 3.1 %. */
	struct pc_acct acct[1] = { { 0 } };
	struct pc_faults f = { 0 };
	static struct loghist h;
	struct pc_item it;
	for (uint64_t s = 0; s < 10000; s++) {
		pc_produce(&it, 0, s);
		it.t_ns = 1000000;
		pc_consume(&it, it.t_ns + s + 1, 1, acct, 1, 1, &h, &f);
	}
	CHECK_EQ_INT(f.fifo + f.corrupt, 0);
	CHECK_EQ_INT(h.n, 10000);
	CHECK_EQ_INT(h.max, 10000);
	double tol = 1.0 / (2 * LOGHIST_SUB);
	CHECK_NEAR(loghist_quantile(&h, 0.5) / 5000, 1, tol);
	CHECK_NEAR(loghist_quantile(&h, 0.9) / 9000, 1, tol);
	CHECK_NEAR(loghist_quantile(&h, 0.99) / 9900, 1, tol);
	CHECK_NEAR(loghist_quantile(&h, 0.999) / 9990, 1, tol);
	static struct loghist empty;
	CHECK(loghist_quantile(&empty, 0.5) == 0);
}

/* Spin-then-block in task_wait (thread/process, -O wait_spin_us): the lock queue's mutex and
 * wait words still deliver every item exactly once, across PUs (the spin is on) and on one
 * PU (off), at capacity 1 (a wait per item) and with producers and consumers out of balance. */
TEST(producer_consumer, lock_exactly_once_with_wait_spin)
{
	static const char *pins[] = { "spread", "pus:0" };
	double items = 0;
	for (unsigned d = 0; d < 2; d++)
		for (unsigned p = 0; p < 2; p++) {
			const char *k[][2] = { { "capacity=1", NULL }, { "capacity=256", NULL }, { "capacity=1", "producers=1" } };
			for (unsigned i = 0; i < 3; i++) {
				json_t *root = tcell_run_ok(&(struct tcell){ .workload = "producer-consumer", .driver = drivers[d],
				                                             .workers = i == 2 ? 3 : 2, .pin = pins[p],
				                                             .knobs = { "queue=lock", "wait_spin_us=200", k[i][0], k[i][1] } });
				json_t *r = tcell_rep0(tcell_cell(root));
				CHECK_EQ_INT(tcell_num(r, "ops"), tcell_num(r, "items"));
				items += tcell_num(r, "items");
				json_decref(root);
			}
		}
	CHECK(items > 0);
}
