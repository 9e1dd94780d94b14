/* producer-consumer: items through a bounded queue from producers to consumers.
 * Tests "threads hand work to each other cheaply through shared memory; processes pay for
 * a pipe (multiprocessing.Queue)" and gives the cost of a blocking handoff.
 *
 * Workers 0..P-1 produce, P..P+C-1 consume, any others idle (P, C: knobs, default half and
 * half). Queues (knob `queue`):
 *   lock  a ring in shared memory under a task_mutex, blocking on full/empty through two
 *         wait words (not_full/not_empty sequence counters), waking only waiters not yet
 *         signalled: the classic mutex + two condition variables queue (queue.Queue);
 *         workloads/queue.c's QUEUE_RING;
 *   spsc  a lock-free single-producer single-consumer ring (Lamport, with cached indices),
 *         polling the other side `spin` times before blocking on a wait word (P = C = 1);
 *   pipe  items through a pipe made in setup, one write()/read() each, waiting through the
 *         driver when full/empty (needs workers that have setup's descriptors: every driver
 *         here): queue.c's QUEUE_PIPE, multiprocessing.Queue's transport.
 * Shutdown: after the stop request producers stop producing; consumers drain the queue and
 * return once it is empty and every producer is done (a shared counter; pipe: the last
 * producer writes one end-of-stream item per consumer). This relies on every producer's
 * run() being called, which task_main guarantees once the gate opened. Every item that
 * went in comes out: verify checks exactly-once (count + checksum per producer), per
 * producer FIFO order (per producer/consumer pair) and the check field of every item.
 * Ops = items consumed. Metrics: handoff latency percentiles (into the queue -> out of it). */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "workloads/loghist.h"
#include "workloads/pc.h"
#include "workloads/queue.h"
#include "workloads/workload.h"

enum { Q_LOCK, Q_SPSC, Q_PIPE };
enum { FAULT_NONE, FAULT_LOSE, FAULT_DUP, FAULT_REORDER };
#define FAULT_ITEM 1           /* lose/dup: each consumer's first item */
#define FAULT_SEQ 0            /* reorder: producer 0 sends seq 1 before seq 0 */
#define PAIR_LIMIT (1u << 20)  /* beyond this many producer x consumer pairs, count per bucket */

struct pc_spsc {
	_Atomic uint64_t tail;                  /* items pushed: written by the producer */
	char pad0[TASK_CACHELINE - 8];
	_Atomic uint64_t head;                  /* items popped: written by the consumer */
	char pad1[TASK_CACHELINE - 8];
	_Atomic unsigned data_seq, cons_waiting;   /* the consumer sleeps on data_seq */
	char pad2[TASK_CACHELINE - 8];
	_Atomic unsigned space_seq, prod_waiting;  /* the producer sleeps on space_seq */
	char pad3[TASK_CACHELINE - 8];
} __attribute__((aligned(TASK_CACHELINE)));

/* One consumer's accounts, in shared memory so verify sees them under every driver. */
struct pc_cons {
	struct pc_faults f;
	struct loghist hist;                    /* handoff latencies, ns */
	struct pc_acct acct[];                  /* nacct */
};

struct pc_shared {
	struct queue q;                         /* lock and pipe (workloads/queue.h) */
	struct pc_spsc sq;
	_Atomic unsigned producers_done;
	unsigned queue, fault, spin;
	uint32_t nprod, ncons, nacct, cap;
	int fifo;                               /* nacct == nprod: FIFO per pair is checked */
	size_t cons_size;                       /* bytes per pc_cons, cache-line multiple */
	struct pc_item *ring;                   /* spsc: cap */
	uint64_t *prod_count, *prod_sum;        /* nprod: written by each producer at its end */
	char *cons;                             /* ncons x cons_size */
};

/* Private to one worker: its side of the spsc ring. */
struct pc_side {
	uint64_t mine, other;                   /* my index; cached copy of the other side's */
	uint32_t pos;                           /* my slot in the ring */
};

static const struct knob pc_knobs[] = {
	{ "queue", KNOB_ENUM, "lock", 0, 0, "lock|spsc|pipe",
	  "lock: ring + mutex + wait/wake; spsc: lock-free ring (1 producer, 1 consumer); pipe: a pipe (multiprocessing.Queue)" },
	{ "capacity", KNOB_INT, PC_DEFAULT_CAPACITY_S, 1, 1 << 20, NULL,
	  "queue slots (pipe: the kernel rounds up to a power-of-two number of pages)" },
	{ "producers", KNOB_INT, "0", 0, TASK_MAX_WORKERS, NULL, "producing workers (0: half the workers)" },
	{ "consumers", KNOB_INT, "0", 0, TASK_MAX_WORKERS, NULL, "consuming workers (0: the other workers)" },
	{ "spin", KNOB_INT, PC_DEFAULT_SPIN_S, 0, 1000000, NULL, "spsc: polls of the other side before blocking" },
	{ "share", KNOB_ENUM, "memory", 0, 0, "memory|messages",
	  "memory: the queue of `queue`; messages: a channel per consumer of the task API's messages style "
	  "(under mpi: MPI messages), producers send to the consumers in turn" },
	{ "defect", KNOB_ENUM, "none", 0, 0, "none|lose|dup|reorder",
	  "inject a bug (a consumer drops/duplicates an item, producer 0 swaps two) to show verify catches it" },
	{ 0 }
};

static struct pc_cons *cons_of(struct pc_shared *s, uint32_t c)
{
	return (struct pc_cons *)(s->cons + (size_t)c * s->cons_size);
}

/* ------------------------------------------------------------------ spsc ring */

/* A sleeper announces itself in *waiting (seq_cst) and re-checks; the other side publishes
 * its index (seq_cst) and then looks at *waiting: one of the two sees the other. */
static int spsc_push(struct task *t, struct pc_shared *s, struct pc_side *me, struct pc_item *it)
{
	struct pc_spsc *q = &s->sq;
	if (me->mine - me->other == s->cap) {
		me->other = atomic_load_explicit(&q->head, memory_order_acquire);
		for (unsigned i = 0; i < s->spin && me->mine - me->other == s->cap; i++) {
			pc_relax();
			task_checkpoint(t);
			me->other = atomic_load_explicit(&q->head, memory_order_acquire);
		}
		while (me->mine - me->other == s->cap) {
			if (task_should_stop(t))
				return -ECANCELED;
			unsigned seq = atomic_load(&q->space_seq);
			atomic_store(&q->prod_waiting, 1);
			me->other = atomic_load(&q->head);
			if (me->mine - me->other != s->cap) {
				atomic_store_explicit(&q->prod_waiting, 0, memory_order_relaxed);
				break;
			}
			task_wait(t, &q->space_seq, seq, TASK_FOREVER);
			atomic_store_explicit(&q->prod_waiting, 0, memory_order_relaxed);
			me->other = atomic_load_explicit(&q->head, memory_order_acquire);
		}
	}
	it->t_ns = task_now_ns();
	s->ring[me->pos] = *it;
	me->pos = me->pos + 1 == s->cap ? 0 : me->pos + 1;
	atomic_store(&q->tail, ++me->mine);
	/* The waker takes the flag down, so a sleeper that is slow to get up costs one wake. */
	if (atomic_load(&q->cons_waiting) && atomic_exchange(&q->cons_waiting, 0)) {
		atomic_fetch_add(&q->data_seq, 1);
		task_wake(t, &q->data_seq, 1);
	}
	return 0;
}

static int spsc_pop(struct task *t, struct pc_shared *s, struct pc_side *me, struct pc_item *it)
{
	struct pc_spsc *q = &s->sq;
	if (me->mine == me->other) {
		me->other = atomic_load_explicit(&q->tail, memory_order_acquire);
		for (unsigned i = 0; i < s->spin && me->mine == me->other; i++) {
			pc_relax();
			task_checkpoint(t);
			me->other = atomic_load_explicit(&q->tail, memory_order_acquire);
		}
		while (me->mine == me->other) {
			unsigned seq = atomic_load(&q->data_seq);
			atomic_store(&q->cons_waiting, 1);
			me->other = atomic_load(&q->tail);
			if (me->mine != me->other) {
				atomic_store_explicit(&q->cons_waiting, 0, memory_order_relaxed);
				break;
			}
			if (atomic_load(&s->producers_done) == s->nprod) {
				/* The producer published its last item before it counted itself done. */
				atomic_store_explicit(&q->cons_waiting, 0, memory_order_relaxed);
				me->other = atomic_load(&q->tail);
				if (me->mine != me->other)
					break;
				return 1;
			}
			if (task_should_stop(t))
				task_yield(t);
			else
				task_wait(t, &q->data_seq, seq, TASK_FOREVER);
			atomic_store_explicit(&q->cons_waiting, 0, memory_order_relaxed);
			me->other = atomic_load_explicit(&q->tail, memory_order_acquire);
		}
	}
	*it = s->ring[me->pos];
	me->pos = me->pos + 1 == s->cap ? 0 : me->pos + 1;
	atomic_store(&q->head, ++me->mine);
	if (atomic_load(&q->prod_waiting) && atomic_exchange(&q->prod_waiting, 0)) {
		atomic_fetch_add(&q->space_seq, 1);
		task_wake(t, &q->space_seq, 1);
	}
	return 0;
}

/* ------------------------------------------------------------------ workers */

/* Every producer exit path comes here, so consumers never wait for a producer that left. */
static int producer_done(struct task *t, struct pc_shared *s, int rc)
{
	if (s->queue != Q_SPSC) {
		int crc = queue_close(t, &s->q);
		return rc ? rc : crc;
	}
	atomic_fetch_add(&s->producers_done, 1);
	atomic_fetch_add(&s->sq.data_seq, 1);
	task_wake(t, &s->sq.data_seq, INT_MAX);
	return rc;
}

static int producer(struct task *t, struct pc_shared *s, uint32_t p)
{
	struct pc_side side = { 0 };
	struct pc_item it;
	uint64_t seq = 0, sum = 0;
	int rc = 0;
	while (!task_should_stop(t)) {
		uint64_t q = seq;
		if (s->fault == FAULT_REORDER && p == 0 && (seq == FAULT_SEQ || seq == FAULT_SEQ + 1))
			q = seq ^ 1; /* FAULT_SEQ is even */
		uint64_t m = pc_produce(&it, p, q);
		rc = s->queue == Q_SPSC ? spsc_push(t, s, &side, &it) : queue_put(t, &s->q, &it, QUEUE_CANCEL);
		if (rc) {
			if (rc == -ECANCELED)
				rc = 0; /* stopped while the queue was full: this item was never produced */
			break;
		}
		sum += m;
		seq++;
		task_checkpoint(t);
	}
	s->prod_count[p] = seq;
	s->prod_sum[p] = sum;
	return producer_done(t, s, rc);
}

static int consumer(struct task *t, struct pc_shared *s, uint32_t c)
{
	struct pc_cons *me = cons_of(s, c);
	struct pc_side side = { 0 };
	struct pc_item it;
	uint64_t n = 0;
	int rc;
	for (;;) {
		rc = s->queue == Q_SPSC ? spsc_pop(t, s, &side, &it) : queue_get(t, &s->q, &it, 0);
		if (rc)
			break;
		uint64_t now = task_now_ns();
		if (++n != FAULT_ITEM || s->fault != FAULT_LOSE)
			pc_consume(&it, now, s->nprod, me->acct, s->nacct, s->fifo, &me->hist, &me->f);
		if (n == FAULT_ITEM && s->fault == FAULT_DUP)
			pc_consume(&it, now, s->nprod, me->acct, s->nacct, s->fifo, &me->hist, &me->f);
		task_ops(t, 1);
		task_checkpoint(t);
	}
	return rc < 0 ? rc : 0;
}

static int pc_run(struct task *t)
{
	struct pc_shared *s = t->run->wl_shared;
	if (t->id < s->nprod)
		return producer(t, s, t->id);
	if (t->id < s->nprod + s->ncons)
		return consumer(t, s, t->id - s->nprod);
	return 0; /* more workers than producers + consumers: idle */
}

/* ------------------------------------------------------------------ parent side */

static int pc_setup(struct run *r)
{
	unsigned n = r->nworkers, queue = (unsigned)run_knob_enum(r, "queue");
	uint64_t np = (uint64_t)run_knob_int(r, "producers"), nc = (uint64_t)run_knob_int(r, "consumers");
	if (!np && !nc)
		np = n / 2;
	if (!np)
		np = nc < n ? n - nc : 0;
	if (!nc)
		nc = np < n ? n - np : 0;
	if (!np || !nc || np + nc > n) {
		run_fail(r, "%llu producers + %llu consumers do not fit in %u workers (each needs one)",
		         (unsigned long long)np, (unsigned long long)nc, n);
		return -ENOTSUP;
	}
	if (queue == Q_SPSC && (np != 1 || nc != 1)) {
		run_fail(r, "queue=spsc needs exactly 1 producer and 1 consumer (have %llu and %llu)",
		         (unsigned long long)np, (unsigned long long)nc);
		return -ENOTSUP;
	}
	int rc;
	if (queue == Q_PIPE && (rc = run_need_caps(r, TASK_CAP_INHERIT_FDS, "queue=pipe")))
		return rc;
	if (run_knob_enum(r, "share") == 1 && queue != Q_LOCK)
		return run_fail(r, "share=messages replaces the queue: queue=%s does not apply",
		                queue == Q_PIPE ? "pipe" : "spsc"), -ENOTSUP;
	if (run_knob_enum(r, "share") == 1 && (rc = run_need_caps(r, TASK_CAP_MESSAGES, "share=messages")))
		return rc;
	uint32_t cap = (uint32_t)run_knob_int(r, "capacity");
	uint32_t nacct = np * nc <= PAIR_LIMIT ? (uint32_t)np : (uint32_t)(PAIR_LIMIT / nc ? PAIR_LIMIT / nc : 1);
	size_t cons_size = sizeof(struct pc_cons) + nacct * sizeof(struct pc_acct);
	cons_size = (cons_size + TASK_CACHELINE - 1) / TASK_CACHELINE * TASK_CACHELINE;
	size_t ring_off = (sizeof(struct pc_shared) + TASK_CACHELINE - 1) / TASK_CACHELINE * TASK_CACHELINE;
	size_t prod_off = ring_off + (queue == Q_SPSC ? cap * sizeof(struct pc_item) : 0);
	size_t cons_off = prod_off + 2 * np * sizeof(uint64_t);
	cons_off = (cons_off + TASK_CACHELINE - 1) / TASK_CACHELINE * TASK_CACHELINE;
	char *base = task_shm_alloc(r, cons_off + nc * cons_size);
	if (!base)
		return run_fail(r, "out of shared memory");
	struct pc_shared *s = (struct pc_shared *)base;
	s->queue = queue;
	s->fault = (unsigned)run_knob_enum(r, "defect");
	s->spin = (unsigned)run_knob_int(r, "spin");
	s->nprod = (uint32_t)np;
	s->ncons = (uint32_t)nc;
	s->nacct = nacct;
	s->fifo = nacct == np;
	s->cap = cap;
	s->cons_size = cons_size;
	s->ring = (struct pc_item *)(base + ring_off);
	s->prod_count = (uint64_t *)(base + prod_off);
	s->prod_sum = s->prod_count + np;
	s->cons = base + cons_off;
	if (queue != Q_SPSC) {
		struct queue_config qc = { .kind = queue == Q_PIPE ? QUEUE_PIPE : QUEUE_RING, .cap = cap,
			                   .item_size = sizeof(struct pc_item), .nput = s->nprod, .nget = s->ncons,
			                   .stamp_off = offsetof(struct pc_item, t_ns),
			                   .tag_off = offsetof(struct pc_item, producer) /* PC_POISON is the tag */,
			                   .first_get = s->nprod };
		if (run_knob_enum(r, "share") == 1)
			qc.kind = QUEUE_MSG;
		if ((rc = queue_init(r, &s->q, &qc)) == -ENOSPC)
			return -ENOTSUP; /* more consumers than channels: task_chan_new said so */
		if (rc)
			return run_fail(r, "%s queue: %s", queue == Q_PIPE ? "pipe" : "lock", strerror(-rc));
	}
	r->wl_shared = s;
	return 0;
}

int pc_check(uint32_t nprod, const uint64_t *prod_count, const uint64_t *prod_sum, uint32_t nacct,
             const uint64_t *cons_count, const uint64_t *cons_sum, const struct pc_faults *f, char *err,
             size_t len)
{
	for (uint32_t b = 0; b < nacct; b++) {
		uint64_t want = 0, wsum = 0;
		for (uint32_t p = b; p < nprod; p += nacct) {
			want += prod_count[p];
			wsum += prod_sum[p];
		}
		const char *who = nacct == nprod ? "producer" : "producer bucket";
		if (cons_count[b] < want) {
			snprintf(err, len, "%s %u: %llu item(s) lost (produced %llu, consumed %llu)", who, b,
			         (unsigned long long)(want - cons_count[b]), (unsigned long long)want,
			         (unsigned long long)cons_count[b]);
			return -1;
		}
		if (cons_count[b] > want) {
			snprintf(err, len, "%s %u: %llu item(s) duplicated (produced %llu, consumed %llu)", who, b,
			         (unsigned long long)(cons_count[b] - want), (unsigned long long)want,
			         (unsigned long long)cons_count[b]);
			return -1;
		}
		if (cons_sum[b] != wsum) {
			snprintf(err, len, "%s %u: checksum of consumed items %#llx != produced %#llx (an item lost and "
			         "another duplicated)", who, b, (unsigned long long)cons_sum[b], (unsigned long long)wsum);
			return -1;
		}
	}
	if (f->corrupt) {
		snprintf(err, len, "%llu corrupt item(s) (first: producer %u seq %llu, bad check field or producer id)",
		         (unsigned long long)f->corrupt, f->corrupt_producer, (unsigned long long)f->corrupt_seq);
		return -1;
	}
	if (f->fifo) {
		snprintf(err, len, "%llu item(s) out of FIFO order (first: producer %u seq %llu after seq %llu)",
		         (unsigned long long)f->fifo, f->fifo_producer, (unsigned long long)f->fifo_seq,
		         (unsigned long long)f->fifo_prev);
		return -1;
	}
	return 0;
}

static int pc_verify(struct run *r)
{
	struct pc_shared *s = r->wl_shared;
	uint64_t *cnt = calloc(2 * (size_t)s->nacct, sizeof *cnt), *sum = cnt + s->nacct;
	struct loghist hist = { 0 };
	struct pc_faults f = { 0 };
	if (!cnt)
		return run_fail(r, "out of memory");
	for (uint32_t c = s->ncons; c-- > 0;) { /* backwards: the first fault of consumer 0 wins */
		struct pc_cons *k = cons_of(s, c);
		for (uint32_t b = 0; b < s->nacct; b++) {
			cnt[b] += k->acct[b].count;
			sum[b] += k->acct[b].sum;
		}
		loghist_merge(&hist, &k->hist);
		if (k->f.fifo) {
			f.fifo_producer = k->f.fifo_producer;
			f.fifo_prev = k->f.fifo_prev;
			f.fifo_seq = k->f.fifo_seq;
		}
		if (k->f.corrupt) {
			f.corrupt_producer = k->f.corrupt_producer;
			f.corrupt_seq = k->f.corrupt_seq;
		}
		f.fifo += k->f.fifo;
		f.corrupt += k->f.corrupt;
	}
	int rc = pc_check(s->nprod, s->prod_count, s->prod_sum, s->nacct, cnt, sum, &f, r->err, sizeof r->err);
	uint64_t items = 0;
	for (uint32_t p = 0; p < s->nprod; p++)
		items += s->prod_count[p];
	run_metric(r, "items", (double)items);
	run_metric(r, "producers", s->nprod);
	run_metric(r, "consumers", s->ncons);
	run_metric(r, "capacity", s->queue == Q_SPSC ? s->cap : queue_capacity(&s->q));
	run_metric(r, "fifo_checked", s->fifo);
	run_metric(r, "latency_p50_ns", loghist_quantile(&hist, 0.50));
	run_metric(r, "latency_p90_ns", loghist_quantile(&hist, 0.90));
	run_metric(r, "latency_p99_ns", loghist_quantile(&hist, 0.99));
	run_metric(r, "latency_p999_ns", loghist_quantile(&hist, 0.999));
	free(cnt);
	return rc;
}

static void pc_teardown(struct run *r)
{
	struct pc_shared *s = r->wl_shared;
	if (s)
		queue_destroy(&s->q);
}

const struct workload workload_producer_consumer = {
	.name = "producer-consumer",
	.summary = "items through a bounded queue (lock, lock-free spsc, pipe): items/s, handoff latency",
	.version = WORKLOAD_API_VERSION,
	.min_workers = 2,
	.knobs = pc_knobs,
	.primary_metric = "ops_per_s",
	.op_unit = "items",
	.symmetric = 0,
	.higher_is_better = 1,
	.ci_target = 0.03, /* hand-offs: repetitions vary by 5-50% on a shared VM (issue 15) */
	.setup = pc_setup,
	.run = pc_run,
	.verify = pc_verify,
	.teardown = pc_teardown,
};
