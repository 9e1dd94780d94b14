/* Faulty test workloads, shared by the test suites that check how the harness reports and
 * survives them (harness, coroutine, gil). Like real workloads they use the task API alone;
 * none is registered in WORKLOADS, a test passes it as tcell.wl. */
#ifndef BENCH_TEST_FAULTY_H
#define BENCH_TEST_FAULTY_H

struct workload;

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

#endif
