/* bare/pc.h: what the bare producer-consumer programs (bare_pc_lock.c,
 * bare_pc_spsc.c) share, so that each file keeps only its queue: the common tail of their
 * queue struct (ring, stop flag, start barrier, results), the threads' start-up, and the run
 * itself (start both threads, let them run for the duration, stop, join, the workload's
 * verdict, items/s). Plain pthreads and the clock, no task API (see bare.h). */
#ifndef BENCH_BASELINE_PC_H
#define BENCH_BASELINE_PC_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

#include "bench/core/task.h"
#include "bench/machine/topo.h"
#include "workloads/pc.h"

/* Embedded in each queue's struct. The producer reads stop, cap and ring every item; on
 * x86-64 and arm64 (a 32-byte pthread_barrier_t) the results begin 64 bytes after them, so
 * the consumer's per-item writes (acct, hist) stay off that line when the struct starts on a
 * line boundary (pc-spsc). */
struct bpc {
	_Atomic unsigned stop;        /* set once the duration is over */
	_Atomic unsigned producer_done; /* lock: read and written under the mutex; spsc: atomic */
	uint32_t cap;                 /* ring slots: PC_DEFAULT_CAPACITY */
	struct pc_item *ring;
	pthread_barrier_t go;         /* producer, consumer and bpc_run start together */
	const int *pus;               /* producer on pus[0], consumer on pus[1] */
	/* results: the producer's at its end, the consumer's per item and at its end */
	uint64_t produced, psum, consumed, t_end;
	struct pc_acct acct;
	struct pc_faults f;
	struct loghist hist;
};

/* The first thing the producer (side 0) and the consumer (side 1) do: pin, wait for the start. */
static inline void bpc_enter(struct bpc *b, unsigned side)
{
	topo_bind_self(b->pus[side], 0);
	pthread_barrier_wait(&b->go);
}

/* The consumer's last act: its count and when it finished. */
static inline void bpc_consumer_end(struct bpc *b, uint64_t consumed)
{
	b->consumed = consumed;
	b->t_end = task_now_ns();
}

/* Runs producer(q) and consumer(q) for duration_s, then stop(q): set b->stop and wake
 * whoever waits for space. q is the queue's struct, from malloc, set up but for b (which it
 * embeds, zeroed); bpc_run frees it, unless the threads could not start (one may be parked at
 * the barrier in it). Returns the consumer's items/s, or -1 if the threads could not start or
 * the workload's verify would fail the run (items lost, duplicated, out of order or corrupt:
 * a bare run that loses items does not count). */
static inline double bpc_run(struct bpc *b, void *q, void *(*producer)(void *), void *(*consumer)(void *),
                             void (*stop)(void *), double duration_s, const int *pus)
{
	b->cap = PC_DEFAULT_CAPACITY;
	b->pus = pus;
	b->ring = calloc(b->cap, sizeof *b->ring);
	pthread_barrier_init(&b->go, NULL, 3);
	pthread_t p, c;
	if (!b->ring || pthread_create(&p, NULL, producer, q) || pthread_create(&c, NULL, consumer, q))
		return -1;
	pthread_barrier_wait(&b->go);
	uint64_t t0 = task_now_ns();
	struct timespec d = { (time_t)duration_s, (long)((duration_s - (double)(time_t)duration_s) * 1e9) };
	nanosleep(&d, NULL);
	stop(q);
	pthread_join(p, NULL);
	pthread_join(c, NULL);
	char err[200];
	int bad = pc_check(1, &b->produced, &b->psum, 1, &b->acct.count, &b->acct.sum, &b->f, err, sizeof err);
	double r = bad ? -1 : (double)b->consumed / ((double)(b->t_end - t0) / 1e9);
	free(b->ring);
	free(q);
	return r;
}

#endif
