/* futex: thin wrappers over the Linux futex syscall, for the drivers and the runner.
 * `shared` selects process-shared futexes (needed on MAP_SHARED memory across fork);
 * private futexes are cheaper and used by the thread driver. Workloads never call these:
 * they use task_wait()/task_wake(), which go through the driver. */
#ifndef BENCH_FUTEX_H
#define BENCH_FUTEX_H

#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define FUTEX_FOREVER UINT64_MAX

/* Returns 0 when woken (or spuriously), -EAGAIN if *word != expected,
 * -ETIMEDOUT on timeout, -EINTR on a signal. */
static inline int futex_wait(_Atomic unsigned *word, unsigned expected, uint64_t timeout_ns, int shared)
{
	struct timespec ts, *tsp = NULL;
	if (timeout_ns != FUTEX_FOREVER) {
		ts.tv_sec = (time_t)(timeout_ns / 1000000000u);
		ts.tv_nsec = (long)(timeout_ns % 1000000000u);
		tsp = &ts;
	}
	long rc = syscall(SYS_futex, (unsigned *)word, shared ? FUTEX_WAIT : FUTEX_WAIT_PRIVATE,
	                  expected, tsp, NULL, 0);
	return rc == 0 ? 0 : -errno;
}

/* Wakes up to n waiters (INT_MAX: all); returns the number woken or -errno. */
static inline int futex_wake(_Atomic unsigned *word, int n, int shared)
{
	long rc = syscall(SYS_futex, (unsigned *)word, shared ? FUTEX_WAKE : FUTEX_WAKE_PRIVATE, n,
	                  NULL, NULL, 0);
	return rc >= 0 ? (int)rc : -errno;
}

#endif
