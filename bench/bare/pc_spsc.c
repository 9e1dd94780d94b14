/* Bare producer-consumer, queue=spsc: a lock-free single-producer single-consumer ring
 * (Lamport, cached indices) that polls PC_DEFAULT_SPIN times and then sleeps on a private
 * futex, with the same announce-and-recheck protocol as the workload; one producer thread on
 * pus[0], one consumer thread on pus[1]. Same item and per-item work (workloads/pc.h) as the
 * harness cell producer-consumer/thread/n=2 queue=spsc. The run around the queue is
 * bare/pc.h's. */
#define _GNU_SOURCE
#include <limits.h>
#include <stddef.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "bench/bare/bare.h"
#include "bench/bare/pc.h"
#include "bench/core/futex.h"

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
	struct bpc c;                 /* from a line boundary: stop, producer_done, cap, ring, ..., results */
};
_Static_assert(offsetof(struct spsc, c) % LINE == 0, "struct bpc starts a line (see bare/pc.h)");

static void *producer(void *arg)
{
	struct spsc *q = arg;
	bpc_enter(&q->c, 0);
	uint64_t seq = 0, sum = 0, tail = 0, head = 0;
	uint32_t pos = 0;
	struct pc_item it;
	while (!atomic_load_explicit(&q->c.stop, memory_order_relaxed)) {
		uint64_t m = pc_produce(&it, 0, seq);
		if (tail - head == q->c.cap) {
			head = atomic_load_explicit(&q->head, memory_order_acquire);
			for (unsigned i = 0; i < PC_DEFAULT_SPIN && tail - head == q->c.cap; i++) {
				pc_relax();
				head = atomic_load_explicit(&q->head, memory_order_acquire);
			}
			while (tail - head == q->c.cap && !atomic_load(&q->c.stop)) {
				unsigned s = atomic_load(&q->space_seq);
				atomic_store(&q->prod_waiting, 1);
				head = atomic_load(&q->head);
				if (tail - head != q->c.cap) {
					atomic_store_explicit(&q->prod_waiting, 0, memory_order_relaxed);
					break;
				}
				futex_wait(&q->space_seq, s, FUTEX_FOREVER, 0);
				atomic_store_explicit(&q->prod_waiting, 0, memory_order_relaxed);
				head = atomic_load_explicit(&q->head, memory_order_acquire);
			}
			if (tail - head == q->c.cap)
				break; /* stopped while full */
		}
		it.t_ns = task_now_ns();
		q->c.ring[pos] = it;
		pos = pos + 1 == q->c.cap ? 0 : pos + 1;
		atomic_store(&q->tail, ++tail);
		if (atomic_load(&q->cons_waiting) && atomic_exchange(&q->cons_waiting, 0)) {
			atomic_fetch_add(&q->data_seq, 1);
			futex_wake(&q->data_seq, 1, 0);
		}
		sum += m;
		seq++;
	}
	q->c.produced = seq;
	q->c.psum = sum;
	atomic_store(&q->c.producer_done, 1);
	atomic_fetch_add(&q->data_seq, 1);
	futex_wake(&q->data_seq, INT_MAX, 0);
	return NULL;
}

static void *consumer(void *arg)
{
	struct spsc *q = arg;
	bpc_enter(&q->c, 1);
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
				if (atomic_load(&q->c.producer_done)) {
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
		it = q->c.ring[pos];
		pos = pos + 1 == q->c.cap ? 0 : pos + 1;
		atomic_store(&q->head, ++head);
		if (atomic_load(&q->prod_waiting) && atomic_exchange(&q->prod_waiting, 0)) {
			atomic_fetch_add(&q->space_seq, 1);
			futex_wake(&q->space_seq, 1, 0);
		}
		pc_consume(&it, task_now_ns(), 1, &q->c.acct, 1, 1, &q->c.hist, &q->c.f);
		n++;
	}
	bpc_consumer_end(&q->c, n);
	return NULL;
}

static void stop(void *arg)
{
	struct spsc *q = arg;
	atomic_store(&q->c.stop, 1);
	atomic_fetch_add(&q->space_seq, 1);
	futex_wake(&q->space_seq, INT_MAX, 0);
}

static double run_pc_spsc(double duration_s, const int *pus, unsigned workers)
{
	(void)workers;
	struct spsc *q = aligned_alloc(LINE, (sizeof *q + LINE - 1) / LINE * LINE);
	if (!q)
		return -1;
	*q = (struct spsc){ 0 };
	return bpc_run(&q->c, q, producer, consumer, stop, duration_s, pus);
}

const struct bare bare_pc_spsc = {
	.name = "pc-spsc",
	.summary = "producer-consumer queue=spsc, 1+1 thread workers vs a bare lock-free SPSC ring",
	.unit = "items/s",
	.workload = "producer-consumer",
	.driver = "thread",
	.workers = 2,
	.pin = "spread",
	.knobs = { "queue=spsc", "capacity=" PC_DEFAULT_CAPACITY_S, "spin=" PC_DEFAULT_SPIN_S, NULL },
	.higher_is_better = 1,
	.bare = run_pc_spsc,
};
