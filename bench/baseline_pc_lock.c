/* Bare producer-consumer, queue=lock: the textbook bounded queue (a ring under a pthread
 * mutex, two condition variables, signalled after unlock), one producer thread on pus[0] and
 * one consumer thread on pus[1]. Same item, same per-item work (workloads/pc.h: check field,
 * checksum, FIFO, latency histogram), same capacity and the same shutdown (the producer stops,
 * the consumer drains) as the harness cell producer-consumer/thread/n=2 queue=lock. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

#include "baseline.h"
#include "task.h"
#include "topo.h"
#include "workloads/pc.h"

struct lockq {
	pthread_mutex_t m;
	pthread_cond_t not_empty, not_full;
	unsigned in, out, count, cap;
	int producer_done;
	struct pc_item *ring;
	atomic_int stop;
	pthread_barrier_t go;
	const int *pus;
	/* results */
	uint64_t produced, psum, consumed, t_end;
	struct pc_acct acct;
	struct pc_faults f;
	uint64_t hist[PC_NBUCKETS];
};

static void *producer(void *arg)
{
	struct lockq *q = arg;
	topo_bind_self(q->pus[0], 0);
	pthread_barrier_wait(&q->go);
	uint64_t seq = 0, sum = 0;
	struct pc_item it;
	while (!atomic_load_explicit(&q->stop, memory_order_relaxed)) {
		uint64_t m = pc_produce(&it, 0, seq);
		pthread_mutex_lock(&q->m);
		while (q->count == q->cap && !atomic_load(&q->stop))
			pthread_cond_wait(&q->not_full, &q->m);
		if (q->count == q->cap) {
			pthread_mutex_unlock(&q->m);
			break;
		}
		it.t_ns = task_now_ns();
		q->ring[q->in] = it;
		q->in = q->in + 1 == q->cap ? 0 : q->in + 1;
		q->count++;
		pthread_mutex_unlock(&q->m);
		pthread_cond_signal(&q->not_empty);
		sum += m;
		seq++;
	}
	pthread_mutex_lock(&q->m);
	q->produced = seq;
	q->psum = sum;
	q->producer_done = 1;
	pthread_mutex_unlock(&q->m);
	pthread_cond_broadcast(&q->not_empty);
	return NULL;
}

static void *consumer(void *arg)
{
	struct lockq *q = arg;
	topo_bind_self(q->pus[1], 0);
	pthread_barrier_wait(&q->go);
	uint64_t n = 0;
	struct pc_item it;
	for (;;) {
		pthread_mutex_lock(&q->m);
		while (q->count == 0 && !q->producer_done)
			pthread_cond_wait(&q->not_empty, &q->m);
		if (q->count == 0) {
			pthread_mutex_unlock(&q->m);
			break;
		}
		it = q->ring[q->out];
		q->out = q->out + 1 == q->cap ? 0 : q->out + 1;
		q->count--;
		pthread_mutex_unlock(&q->m);
		pthread_cond_signal(&q->not_full);
		pc_consume(&it, task_now_ns(), 1, &q->acct, 1, 1, q->hist, &q->f);
		n++;
	}
	q->consumed = n;
	q->t_end = task_now_ns();
	return NULL;
}

static double bare_pc_lock(double duration_s, const int *pus, unsigned workers)
{
	(void)workers;
	struct lockq *q = calloc(1, sizeof *q);
	if (!q)
		return -1;
	q->cap = PC_DEFAULT_CAPACITY;
	q->ring = calloc(q->cap, sizeof *q->ring);
	q->pus = pus;
	pthread_mutex_init(&q->m, NULL);
	pthread_cond_init(&q->not_empty, NULL);
	pthread_cond_init(&q->not_full, NULL);
	pthread_barrier_init(&q->go, NULL, 3);
	pthread_t p, c;
	if (!q->ring || pthread_create(&p, NULL, producer, q) || pthread_create(&c, NULL, consumer, q))
		return -1;
	pthread_barrier_wait(&q->go);
	uint64_t t0 = task_now_ns();
	struct timespec d = { (time_t)duration_s, (long)((duration_s - (double)(time_t)duration_s) * 1e9) };
	nanosleep(&d, NULL);
	pthread_mutex_lock(&q->m);
	atomic_store(&q->stop, 1);
	pthread_mutex_unlock(&q->m);
	pthread_cond_broadcast(&q->not_full);
	pthread_join(p, NULL);
	pthread_join(c, NULL);
	char err[200];
	/* The same verdict as the workload's verify: a bare run that loses items does not count. */
	int bad = pc_check(1, &q->produced, &q->psum, 1, &q->acct.count, &q->acct.sum, &q->f, err, sizeof err);
	double r = bad ? -1 : (double)q->consumed / ((double)(q->t_end - t0) / 1e9);
	free(q->ring);
	free(q);
	return r;
}

const struct baseline baseline_pc_lock = {
	.name = "pc-lock",
	.summary = "producer-consumer queue=lock, 1+1 thread workers vs a pthread mutex+condvar bounded queue",
	.unit = "items/s",
	.workload = "producer-consumer",
	.driver = "thread",
	.workers = 2,
	.pin = "spread",
	.knobs = { "queue=lock", "capacity=" PC_DEFAULT_CAPACITY_S, NULL },
	.higher_is_better = 1,
	.bare = bare_pc_lock,
};
