/* Bare producer-consumer, queue=lock: the textbook bounded queue (a ring under a pthread
 * mutex, two condition variables, signalled after unlock), one producer thread on pus[0] and
 * one consumer thread on pus[1]. Same item, same per-item work (workloads/pc.h: check field,
 * checksum, FIFO, latency histogram), same capacity and the same shutdown (the producer stops,
 * the consumer drains) as the harness cell producer-consumer/thread/n=2 queue=lock. The run
 * around the queue is bare/pc.h's. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "bench/bare/bare.h"
#include "bench/bare/pc.h"

struct lockq {
	pthread_mutex_t m;
	pthread_cond_t not_empty, not_full;
	unsigned in, out, count;
	struct bpc c;                 /* ring, stop, producer_done (under m), results */
};

static void *producer(void *arg)
{
	struct lockq *q = arg;
	bpc_enter(&q->c, 0);
	uint64_t seq = 0, sum = 0;
	struct pc_item it;
	while (!atomic_load_explicit(&q->c.stop, memory_order_relaxed)) {
		uint64_t m = pc_produce(&it, 0, seq);
		pthread_mutex_lock(&q->m);
		while (q->count == q->c.cap && !atomic_load(&q->c.stop))
			pthread_cond_wait(&q->not_full, &q->m);
		if (q->count == q->c.cap) {
			pthread_mutex_unlock(&q->m);
			break;
		}
		it.t_ns = task_now_ns();
		q->c.ring[q->in] = it;
		q->in = q->in + 1 == q->c.cap ? 0 : q->in + 1;
		q->count++;
		pthread_mutex_unlock(&q->m);
		pthread_cond_signal(&q->not_empty);
		sum += m;
		seq++;
	}
	pthread_mutex_lock(&q->m);
	q->c.produced = seq;
	q->c.psum = sum;
	q->c.producer_done = 1;
	pthread_mutex_unlock(&q->m);
	pthread_cond_broadcast(&q->not_empty);
	return NULL;
}

static void *consumer(void *arg)
{
	struct lockq *q = arg;
	bpc_enter(&q->c, 1);
	uint64_t n = 0;
	struct pc_item it;
	for (;;) {
		pthread_mutex_lock(&q->m);
		while (q->count == 0 && !q->c.producer_done)
			pthread_cond_wait(&q->not_empty, &q->m);
		if (q->count == 0) {
			pthread_mutex_unlock(&q->m);
			break;
		}
		it = q->c.ring[q->out];
		q->out = q->out + 1 == q->c.cap ? 0 : q->out + 1;
		q->count--;
		pthread_mutex_unlock(&q->m);
		pthread_cond_signal(&q->not_full);
		pc_consume(&it, task_now_ns(), 1, &q->c.acct, 1, 1, &q->c.hist, &q->c.f);
		n++;
	}
	bpc_consumer_end(&q->c, n);
	return NULL;
}

static void stop(void *arg)
{
	struct lockq *q = arg;
	pthread_mutex_lock(&q->m);
	atomic_store(&q->c.stop, 1);
	pthread_mutex_unlock(&q->m);
	pthread_cond_broadcast(&q->not_full);
}

static double run_pc_lock(double duration_s, const int *pus, unsigned workers)
{
	(void)workers;
	struct lockq *q = calloc(1, sizeof *q);
	if (!q)
		return -1;
	pthread_mutex_init(&q->m, NULL);
	pthread_cond_init(&q->not_empty, NULL);
	pthread_cond_init(&q->not_full, NULL);
	return bpc_run(&q->c, q, producer, consumer, stop, duration_s, pus);
}

const struct bare bare_pc_lock = {
	.name = "pc-lock",
	.summary = "producer-consumer queue=lock, 1+1 thread workers vs a pthread mutex+condvar bounded queue",
	.unit = "items/s",
	.workload = "producer-consumer",
	.driver = "thread",
	.workers = 2,
	.pin = "spread",
	.knobs = { "queue=lock", "capacity=" PC_DEFAULT_CAPACITY_S, NULL },
	.higher_is_better = 1,
	.bare = run_pc_lock,
};
