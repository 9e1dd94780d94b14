/* Bare producer-consumer, queue=spsc: a lock-free single-producer single-consumer ring
 * (Lamport, cached indices) that polls PC_DEFAULT_SPIN times and then sleeps on a private
 * futex, with the same announce-and-recheck protocol as the workload; one producer thread on
 * pus[0], one consumer thread on pus[1]. Same item and per-item work (workloads/pc.h) as the
 * harness cell producer-consumer/thread/n=2 queue=spsc. */
#define _GNU_SOURCE
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

#include "baseline.h"
#include "futex.h"
#include "task.h"
#include "topo.h"
#include "workloads/pc.h"

#define LINE 64

struct spsc {
	_Atomic uint64_t tail;
	char pad0[LINE - 8];
	_Atomic uint64_t head;
	char pad1[LINE - 8];
	_Atomic unsigned data_seq, cons_waiting;
	char pad2[LINE - 8];
	_Atomic unsigned space_seq, prod_waiting;
	char pad3[LINE - 8];
	_Atomic unsigned stop, producer_done;
	uint32_t cap;
	struct pc_item *ring;
	pthread_barrier_t go;
	const int *pus;
	uint64_t produced, psum, consumed, t_end;
	struct pc_acct acct;
	struct pc_faults f;
	uint64_t hist[PC_NBUCKETS];
};

static void *producer(void *arg)
{
	struct spsc *q = arg;
	topo_bind_self(q->pus[0], 0);
	pthread_barrier_wait(&q->go);
	uint64_t seq = 0, sum = 0, tail = 0, head = 0;
	uint32_t pos = 0;
	struct pc_item it;
	while (!atomic_load_explicit(&q->stop, memory_order_relaxed)) {
		uint64_t m = pc_produce(&it, 0, seq);
		if (tail - head == q->cap) {
			head = atomic_load_explicit(&q->head, memory_order_acquire);
			for (unsigned i = 0; i < PC_DEFAULT_SPIN && tail - head == q->cap; i++) {
				pc_relax();
				head = atomic_load_explicit(&q->head, memory_order_acquire);
			}
			while (tail - head == q->cap && !atomic_load(&q->stop)) {
				unsigned s = atomic_load(&q->space_seq);
				atomic_store(&q->prod_waiting, 1);
				head = atomic_load(&q->head);
				if (tail - head != q->cap) {
					atomic_store_explicit(&q->prod_waiting, 0, memory_order_relaxed);
					break;
				}
				futex_wait(&q->space_seq, s, FUTEX_FOREVER, 0);
				atomic_store_explicit(&q->prod_waiting, 0, memory_order_relaxed);
				head = atomic_load_explicit(&q->head, memory_order_acquire);
			}
			if (tail - head == q->cap)
				break; /* stopped while full */
		}
		it.t_ns = task_now_ns();
		q->ring[pos] = it;
		pos = pos + 1 == q->cap ? 0 : pos + 1;
		atomic_store(&q->tail, ++tail);
		if (atomic_load(&q->cons_waiting) && atomic_exchange(&q->cons_waiting, 0)) {
			atomic_fetch_add(&q->data_seq, 1);
			futex_wake(&q->data_seq, 1, 0);
		}
		sum += m;
		seq++;
	}
	q->produced = seq;
	q->psum = sum;
	atomic_store(&q->producer_done, 1);
	atomic_fetch_add(&q->data_seq, 1);
	futex_wake(&q->data_seq, INT_MAX, 0);
	return NULL;
}

static void *consumer(void *arg)
{
	struct spsc *q = arg;
	topo_bind_self(q->pus[1], 0);
	pthread_barrier_wait(&q->go);
	uint64_t n = 0, head = 0, tail = 0;
	uint32_t pos = 0;
	struct pc_item it;
	for (;;) {
		if (head == tail) {
			tail = atomic_load_explicit(&q->tail, memory_order_acquire);
			for (unsigned i = 0; i < PC_DEFAULT_SPIN && head == tail; i++) {
				pc_relax();
				tail = atomic_load_explicit(&q->tail, memory_order_acquire);
			}
			while (head == tail) {
				unsigned s = atomic_load(&q->data_seq);
				atomic_store(&q->cons_waiting, 1);
				tail = atomic_load(&q->tail);
				if (head != tail) {
					atomic_store_explicit(&q->cons_waiting, 0, memory_order_relaxed);
					break;
				}
				if (atomic_load(&q->producer_done)) {
					atomic_store_explicit(&q->cons_waiting, 0, memory_order_relaxed);
					tail = atomic_load(&q->tail);
					break;
				}
				futex_wait(&q->data_seq, s, FUTEX_FOREVER, 0);
				atomic_store_explicit(&q->cons_waiting, 0, memory_order_relaxed);
				tail = atomic_load_explicit(&q->tail, memory_order_acquire);
			}
			if (head == tail)
				break; /* empty and the producer is done */
		}
		it = q->ring[pos];
		pos = pos + 1 == q->cap ? 0 : pos + 1;
		atomic_store(&q->head, ++head);
		if (atomic_load(&q->prod_waiting) && atomic_exchange(&q->prod_waiting, 0)) {
			atomic_fetch_add(&q->space_seq, 1);
			futex_wake(&q->space_seq, 1, 0);
		}
		pc_consume(&it, task_now_ns(), 1, &q->acct, 1, 1, q->hist, &q->f);
		n++;
	}
	q->consumed = n;
	q->t_end = task_now_ns();
	return NULL;
}

static double bare_pc_spsc(double duration_s, const int *pus, unsigned workers)
{
	(void)workers;
	struct spsc *q = aligned_alloc(LINE, (sizeof *q + LINE - 1) / LINE * LINE);
	if (!q)
		return -1;
	*q = (struct spsc){ .cap = PC_DEFAULT_CAPACITY, .pus = pus };
	q->ring = calloc(q->cap, sizeof *q->ring);
	pthread_barrier_init(&q->go, NULL, 3);
	pthread_t p, c;
	if (!q->ring || pthread_create(&p, NULL, producer, q) || pthread_create(&c, NULL, consumer, q))
		return -1;
	pthread_barrier_wait(&q->go);
	uint64_t t0 = task_now_ns();
	struct timespec d = { (time_t)duration_s, (long)((duration_s - (double)(time_t)duration_s) * 1e9) };
	nanosleep(&d, NULL);
	atomic_store(&q->stop, 1);
	atomic_fetch_add(&q->space_seq, 1);
	futex_wake(&q->space_seq, INT_MAX, 0);
	pthread_join(p, NULL);
	pthread_join(c, NULL);
	char err[200];
	int bad = pc_check(1, &q->produced, &q->psum, 1, &q->acct.count, &q->acct.sum, &q->f, err, sizeof err);
	double r = bad ? -1 : (double)q->consumed / ((double)(q->t_end - t0) / 1e9);
	free(q->ring);
	free(q);
	return r;
}

const struct baseline baseline_pc_spsc = {
	.name = "pc-spsc",
	.summary = "producer-consumer queue=spsc, 1+1 thread workers vs a bare lock-free SPSC ring",
	.unit = "items/s",
	.workload = "producer-consumer",
	.driver = "thread",
	.workers = 2,
	.pin = "spread",
	.knobs = { "queue=spsc", "capacity=" PC_DEFAULT_CAPACITY_S, "spin=" PC_DEFAULT_SPIN_S, NULL },
	.higher_is_better = 1,
	.bare = bare_pc_spsc,
};
