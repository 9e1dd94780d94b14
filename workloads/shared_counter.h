/* shared-counter: the sync modes and what its verify checks, as a function of plain numbers,
 * so a test can show it failing on fabricated figures (workloads/shared_counter.c). */
#ifndef BENCH_SHARED_COUNTER_H
#define BENCH_SHARED_COUNTER_H

#include <stddef.h>
#include <stdint.h>

/* The `sync` knob, in the order of its choices. */
enum shared_counter_sync {
	SHARED_COUNTER_NONE,           /* plain load, add, store: racy on purpose */
	SHARED_COUNTER_ATOMIC,         /* fetch-add */
	SHARED_COUNTER_MUTEX,          /* task_mutex around load/add/store */
	SHARED_COUNTER_SPIN,           /* test-and-test-and-set spinlock around it */
	SHARED_COUNTER_LOCAL,          /* per-worker counters, summed at the end */
};
#define SHARED_COUNTER_CHOICES "none|atomic|mutex|spin|local"

/* 0 if `final` is a correct outcome of `expected` increments under `sync` (none may lose
 * updates, nothing may invent them, every other mode must lose none) and the harness counted
 * the same number of increments (ops); -1 with a one-line reason in why. */
int shared_counter_check(enum shared_counter_sync sync, uint64_t expected, uint64_t final, uint64_t ops,
                         char *why, size_t len);

#endif
