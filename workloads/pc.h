/* pc: the item of producer-consumer and the work done on it, shared by the workload
 * (workloads/producer_consumer.c), the bare C bares (bench/bare/pc_*.c) and the tests,
 * so that harness and bare programs do exactly the same work per item:
 *   producer: seq++, mix(producer, seq) -> check field and a running checksum, a timestamp;
 *   consumer: a timestamp, the latency into a histogram (workloads/loghist.h), the check
 *             field, the per-producer FIFO check, a count and a checksum per producer (bucket).
 * Everything here is plain C with no task API, usable on both sides. */
#ifndef BENCH_PC_H
#define BENCH_PC_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "workloads/loghist.h"

#define PC_DEFAULT_CAPACITY 256       /* ring slots: the default of the capacity knob */
#define PC_DEFAULT_CAPACITY_S "256"
#define PC_DEFAULT_SPIN 100           /* spsc: polls before blocking */
#define PC_DEFAULT_SPIN_S "100"
#define PC_POISON UINT32_MAX          /* producer id of an end-of-stream item (pipe) */

/* 24 bytes: written whole into a slot (or a pipe: far below PIPE_BUF, so atomic). */
struct pc_item {
	uint64_t seq;                 /* 0, 1, 2, ... per producer */
	uint64_t t_ns;                /* CLOCK_MONOTONIC when it went into the queue */
	uint32_t producer;
	uint32_t check;               /* low 32 bits of pc_mix(producer, seq) */
};

/* splitmix64 finaliser of (producer, seq): the checksum term of one item. */
static inline uint64_t pc_mix(uint32_t producer, uint64_t seq)
{
	uint64_t z = seq + ((uint64_t)producer << 40) + 0x9e3779b97f4a7c15ull;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* ---- the consumer's accounts ---- */

/* Per producer (or per bucket of producers when there are too many pairs to keep one each). */
struct pc_acct {
	uint64_t next;                /* lowest seq allowed next from this producer (FIFO) */
	uint64_t count, sum;          /* items and sum of pc_mix() received */
};

/* What one consumer found wrong; the first case of each kind is kept for the message. */
struct pc_faults {
	uint64_t fifo, corrupt;
	uint32_t fifo_producer;
	uint64_t fifo_prev, fifo_seq;
	uint32_t corrupt_producer;
	uint64_t corrupt_seq;
};

/* The per-item work of a consumer. `fifo`: acct is per producer (index = producer), so the
 * FIFO order can be checked; else acct[producer % nacct] only counts. The handoff latency
 * goes into hist (a clock that went backwards counts 0). */
static inline void pc_consume(const struct pc_item *it, uint64_t now_ns, uint32_t nproducers, struct pc_acct *acct,
                              uint32_t nacct, int fifo, struct loghist *hist, struct pc_faults *f)
{
	loghist_add(hist, now_ns >= it->t_ns ? now_ns - it->t_ns : 0);
	uint64_t m = pc_mix(it->producer, it->seq);
	if (it->producer >= nproducers || (uint32_t)m != it->check) {
		if (!f->corrupt++) {
			f->corrupt_producer = it->producer;
			f->corrupt_seq = it->seq;
		}
		return;
	}
	struct pc_acct *a = &acct[fifo ? it->producer : it->producer % nacct];
	if (fifo) {
		if (it->seq < a->next && !f->fifo++) {
			f->fifo_producer = it->producer;
			f->fifo_prev = a->next - 1;
			f->fifo_seq = it->seq;
		}
		a->next = it->seq + 1;
	}
	a->count++;
	a->sum += m;
}

/* The per-item work of a producer: fill the item; returns its checksum term, which the
 * producer adds to its running sum once the item is in the queue. The timestamp is taken by
 * the queue when the item goes in. */
static inline uint64_t pc_produce(struct pc_item *it, uint32_t producer, uint64_t seq)
{
	uint64_t m = pc_mix(producer, seq);
	it->seq = seq;
	it->producer = producer;
	it->check = (uint32_t)m;
	return m;
}

/* The verdict of producer-consumer's verify, as a pure function (unit-tested): producer p
 * put prod_count[p] items with checksum prod_sum[p] into the queue; consumers received
 * cons_count[b]/cons_sum[b] for bucket b (producers p with p % nacct == b; nacct == nprod
 * when fifo); f sums the consumers' faults. 0, or -1 with one line in err. */
int pc_check(uint32_t nprod, const uint64_t *prod_count, const uint64_t *prod_sum, uint32_t nacct,
             const uint64_t *cons_count, const uint64_t *cons_sum, const struct pc_faults *f, char *err,
             size_t len);

#if defined(__x86_64__) || defined(__i386__)
#define pc_relax() __builtin_ia32_pause()
#elif defined(__aarch64__)
#define pc_relax() __asm__ __volatile__("yield")
#else
#define pc_relax() ((void)0)
#endif

#endif
