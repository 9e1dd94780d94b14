/* Faulty test workloads and a driver with a late worker, shared by the test suites that check
 * how the harness reports and survives them (harness, coroutine, gil, producer_consumer,
 * task_pool). The workloads use the task API alone, like real ones; none is registered in
 * WORKLOADS: a test passes one as tcell.wl (and the driver as tcell.drv). */
#ifndef BENCH_TEST_FAULTY_H
#define BENCH_TEST_FAULTY_H

struct workload;
struct driver_ops;

/* "test-crash": worker 1 raises SIGSEGV at once; the others count an op and sleep 1 ms until
 * stopped. At least 2 workers. */
extern const struct workload faulty_crash;
/* "test-fail": worker fail_worker (a knob, default 0) returns task_fail("deliberate failure
 * 42") at once; the others sleep 1 ms until stopped. */
extern const struct workload faulty_fail;
/* "test-hang": every worker counts ops forever; it ignores the stop and never reaches a
 * checkpoint (so under the GIL it keeps the GIL). */
extern const struct workload faulty_hang;
/* "test-verify": workers count ops to the stop; verify fails ("invariant broken on purpose"). */
extern const struct workload faulty_verify;

/* The thread driver, except that worker late_id parks at the start gate until the run stops:
 * a worker that gets no CPU until the stop request, as on a loaded machine. start() opens the
 * gate only once that worker is parked, so it always misses the whole duration; its run() is
 * still called (task_main's guarantee), and the others must not hang waiting for it. The
 * driver is the same object at every call: one cell at a time. */
const struct driver_ops *faulty_late_driver(unsigned late_id);

#endif
