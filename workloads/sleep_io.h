/* sleep-io: what its verify checks, as a function of plain numbers, so a test can show it
 * failing on fabricated figures (workloads/sleep_io.c). */
#ifndef BENCH_SLEEP_IO_H
#define BENCH_SLEEP_IO_H

#include <stddef.h>
#include <stdint.h>

/* What the waiters of one repetition did, gathered by verify. */
struct sleep_io_tally {
	unsigned nwaiters, count, limit;  /* the knobs (limit 0: unlimited) */
	unsigned short_waiters;           /* waiters that did fewer than count waits */
	uint64_t waits;                   /* waits counted by the workload */
	uint64_t ops;                     /* waits counted by the harness (task_ops) */
	uint64_t recorded;                /* waits in the overshoot histograms */
	uint64_t early;                   /* waits that returned before wait_us had passed */
	unsigned max_inside;              /* most waiters inside the limited section at once */
	uint64_t rounds;                  /* structural rounds (see sleep_io.c) */
};

/* Rounds a correct limiter needs at least: ceil(nwaiters / limit), 1 when unlimited. */
uint64_t sleep_io_ideal_rounds(unsigned nwaiters, unsigned limit);
/* 0 if the tally is consistent; -1 with a one-line reason in why. */
int sleep_io_check(const struct sleep_io_tally *t, char *why, size_t len);

#endif
