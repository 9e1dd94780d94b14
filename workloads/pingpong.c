/* pingpong: two workers hand a token back and forth; the cost of one switch.
 * Tests "thread switches are cheaper than process switches" (run pinned to one PU: every
 * handoff is a context switch; across PUs: a wake-up on another core) and, under the
 * coroutine driver, the cost of a user-space switch.
 *
 * Workers pair up: (0,1), (2,3), ...; with an odd count the last worker idles. Each pair
 * has a token word in shared memory on its own cache line: side 0 moves when it is even,
 * side 1 when it is odd, a move adds 1. Modes (knob `mode`):
 *   wait  block on the token with task_wait, wake the other side with task_wake (a futex
 *         pair under threads/processes, a park/unpark under coroutines);
 *   spin  poll the token, task_yield() after every `yield_every` failed polls (so that it
 *         also works on one PU and under cooperative drivers, where a pure spinner would
 *         hold the CPU until the time slice ends, or forever).
 * Across PUs, a blocking handoff wakes a worker whose PU went idle: in a VM that is a halted
 * vCPU woken through the host (~30 us of a 35 us handoff on a 2-vCPU KVM guest, against 3 us
 * on one PU), which varies with the host and makes most of the spread between repetitions.
 * The thread/process drivers' -O wait_spin_us=N polls the token first (spin-then-block): the
 * handoff then costs a cache-line transfer, and the waiter burns CPU (util) meanwhile.
 * Ops = round trips (counted by side 0). Metric handoff_ns = the pair's time per one-way
 * handoff (wall / handoffs, averaged over pairs). Verify: each side saw the token exactly
 * two moves after its previous move (strict alternation), and the moves of both sides add
 * up to the token's final value.
 * share=messages: the token travels as a message (the messages style of task.h, two channels
 * per pair): side 0 sends move 2k, side 1 answers 2k+1; under mpi an MPI
 * message each way, bench's analogue of osu_latency. Each side checks the value it receives
 * and, when it returns, raises the pair's token word to the count of moves it has seen, so
 * verify is the same. mode=spin has no counterpart (a receive polls anyway under mpi). */
#include <errno.h>
#include <stdio.h>

#include "workloads/pc.h" /* pc_relax */
#include "workloads/workload.h"

enum { MODE_WAIT, MODE_SPIN };
enum { FAULT_NONE, FAULT_SKIP };
#define FAULT_AT 0             /* side 0's first move: made even if the run stops at once */

struct pp_pair {
	_Atomic unsigned token;
	char pad[TASK_CACHELINE - sizeof(unsigned)];
} __attribute__((aligned(TASK_CACHELINE)));

/* Written by each worker when it returns. */
struct pp_side {
	uint64_t moves;               /* handoffs made */
	uint64_t bad;                 /* turns where the token was not previous + 2 */
	unsigned bad_got, bad_want;   /* the first such turn */
} __attribute__((aligned(TASK_CACHELINE)));

struct pp_shared {
	unsigned mode, fault, yield_every, npairs;
	struct task_chan **chan;      /* share=messages: 2 per pair, to side 0 and to side 1; else NULL */
	struct pp_pair *pair;         /* npairs */
	struct pp_side *side;         /* nworkers */
};

static const struct knob pp_knobs[] = {
	{ "mode", KNOB_ENUM, "wait", 0, 0, "wait|spin", "wait: task_wait/task_wake on the token; spin: poll it" },
	{ "yield_every", KNOB_INT, "8", 1, 1000000000, NULL,
	  "spin: task_yield() after this many failed polls (1: every poll)" },
	{ "defect", KNOB_ENUM, "none", 0, 0, "none|skip",
	  "inject a bug (side 0 moves the token by 3 once) to show verify catches it" },
	{ "share", KNOB_ENUM, "memory", 0, 0, "memory|messages",
	  "memory: a token word in shared memory; messages: the token is a message (under mpi: MPI point-to-point)" },
	{ 0 }
};

/* Strict alternation never has more than one message in a channel; a larger capacity only
 * spares the credits of a bounded channel under mpi (one per cap/2 messages). */
#define PP_CHAN_CAP 64

static int pp_setup_messages(struct run *r, struct pp_shared *s)
{
	if (run_need_caps(r, TASK_CAP_MESSAGES, "share=messages"))
		return -ENOTSUP;
	if (s->mode != MODE_WAIT)
		return run_fail(r, "mode=spin has no share=messages counterpart"), -ENOTSUP;
	if (2 * s->npairs > TASK_MSG_OBJS)
		return run_fail(r, "share=messages: at most %d workers (two channels per pair)", TASK_MSG_OBJS), -ENOTSUP;
	s->chan = task_shm_alloc(r, 2 * s->npairs * sizeof *s->chan + 1);
	if (!s->chan)
		return run_fail(r, "out of shared memory");
	for (unsigned i = 0; i < 2 * s->npairs; i++)
		if (!(s->chan[i] = task_chan_new(r, i, PP_CHAN_CAP, sizeof(uint64_t))))
			return -1;
	return 0;
}

static int pp_setup(struct run *r)
{
	unsigned npairs = r->nworkers / 2;
	size_t pairs = (size_t)npairs * sizeof(struct pp_pair), sides = (size_t)r->nworkers * sizeof(struct pp_side);
	size_t head = (sizeof(struct pp_shared) + TASK_CACHELINE - 1) / TASK_CACHELINE * TASK_CACHELINE;
	char *base = task_shm_alloc(r, head + pairs + sides);
	if (!base)
		return run_fail(r, "out of shared memory");
	struct pp_shared *s = (struct pp_shared *)base;
	s->mode = (unsigned)run_knob_enum(r, "mode");
	s->fault = (unsigned)run_knob_enum(r, "defect");
	s->yield_every = (unsigned)run_knob_int(r, "yield_every");
	s->npairs = npairs;
	s->pair = (struct pp_pair *)(base + head);
	s->side = (struct pp_side *)(base + head + pairs);
	r->wl_shared = s;
	return run_knob_enum(r, "share") == 1 ? pp_setup_messages(r, s) : 0;
}

/* One side's loop; `wait` is a constant in each of the two copies pp_run makes, so neither
 * carries the other mode's code and registers (a hand-off between coroutines is ~40 cycles,
 * and spills in this loop were a visible part of it). */
static inline __attribute__((always_inline)) int pp_loop(struct task *t, struct pp_shared *s, const int wait)
{
	_Atomic unsigned *token = &s->pair[t->id / 2].token;
	struct pp_side *me = &s->side[t->id];
	const unsigned side = t->id & 1, yield_every = s->yield_every;
	/* The injected defect: side 0's first move adds 3 instead of 1. */
	const int defect = s->fault == FAULT_SKIP && side == 0;
	unsigned want = side;         /* the token value of my next turn */
	uint64_t moves = 0, bad = 0;
	for (;;) {
		unsigned v = atomic_load_explicit(token, memory_order_acquire), polls = 0;
		while ((v & 1) != side) {
			if (task_should_stop(t))
				goto out;
			if (wait) {
				task_wait(t, token, v, TASK_FOREVER);
			} else {
				pc_relax();
				task_checkpoint(t);
				if (++polls == yield_every) {
					polls = 0;
					task_yield(t);
				}
			}
			v = atomic_load_explicit(token, memory_order_acquire);
		}
		if (task_unlikely(v != want) && !bad++) {
			me->bad_got = v;
			me->bad_want = want;
		}
		want = v + 2;
		unsigned step = task_unlikely(defect) && moves == FAULT_AT ? 3 : 1;
		atomic_store_explicit(token, v + step, memory_order_release);
		if (wait)
			task_wake(t, token, 1);
		moves++;
		if (side == 0 && v != 0)
			task_ops(t, 1); /* the token came back: one round trip */
		task_checkpoint(t);
	}
out:
	me->moves = moves;
	me->bad = bad;
	return 0;
}

/* The pair's token word ends at the number of moves: each side raises it to what it saw. */
static void pp_token_at_least(_Atomic unsigned *token, unsigned v)
{
	unsigned cur = atomic_load(token);
	while (cur < v && !atomic_compare_exchange_weak(token, &cur, v))
		;
}

#define PP_END UINT64_MAX           /* side 0 to side 1: the run is over */

/* A received move: it must be the one expected (strict alternation). */
static void pp_check_move(struct pp_side *me, uint64_t got, uint64_t want, uint64_t *bad)
{
	if (task_unlikely(got != want) && !(*bad)++) {
		me->bad_got = (unsigned)got;
		me->bad_want = (unsigned)want;
	}
}

/* share=messages: channel chan[i] goes to worker i (side i & 1 of pair i / 2). Side 0 sends
 * move 2k and waits for 2k+1; side 1 waits for 2k and sends 2k+1. */
static int pp_msg_loop(struct task *t, struct pp_shared *s)
{
	struct pp_side *me = &s->side[t->id];
	const unsigned side = t->id & 1;
	struct task_chan *out = s->chan[t->id ^ 1], *in = s->chan[t->id];
	uint64_t next = 0, want = 0, moves = 0, bad = 0, sent = 0, v;
	for (;;) {
		if (side == 0) {
			if (task_should_stop(t))
				break;
			/* the injected defect: side 0's first move skips two */
			v = next + (s->fault == FAULT_SKIP && moves == FAULT_AT ? 2 : 0);
			if (task_send(t, out, &v, sizeof v))
				break;
			sent = v + 1, want = v + 1, moves++;
		}
		if (task_recv(t, in, &v, sizeof v) < 0 || v == PP_END)
			break;
		pp_check_move(me, v, want, &bad);
		if (side == 0) {
			task_ops(t, 1); /* the token came back: one round trip */
			next = v + 1;
		} else {
			v++;
			if (task_send(t, out, &v, sizeof v))
				break;
			sent = v + 1, want = v + 1, moves++;
		}
		task_checkpoint(t);
	}
	if (side == 0) {
		v = PP_END;
		task_send(t, out, &v, sizeof v); /* may find no room when stopping: side 1 sees the stop */
	}
	pp_token_at_least(&s->pair[t->id / 2].token, (unsigned)sent);
	me->moves = moves;
	me->bad = bad;
	return 0;
}

static int pp_run(struct task *t)
{
	struct pp_shared *s = t->run->wl_shared;
	if (t->id / 2 >= s->npairs)
		return 0; /* the odd one out */
	if (s->chan)
		return pp_msg_loop(t, s);
	return s->mode == MODE_WAIT ? pp_loop(t, s, 1) : pp_loop(t, s, 0);
}

static int pp_verify(struct run *r)
{
	struct pp_shared *s = r->wl_shared;
	double ns = 0;
	for (unsigned k = 0; k < s->npairs; k++) {
		struct pp_side *a = &s->side[2 * k], *b = &s->side[2 * k + 1];
		unsigned token = atomic_load(&s->pair[k].token);
		for (unsigned i = 0; i < 2; i++) {
			struct pp_side *x = i ? b : a;
			if (x->bad)
				return run_fail(r, "pair %u side %u: %llu turns out of alternation (first: token %u, expected %u)",
				                k, i, (unsigned long long)x->bad, x->bad_got, x->bad_want);
		}
		if ((unsigned)(a->moves + b->moves) != token)
			return run_fail(r, "pair %u: %llu + %llu moves but the token is at %u", k,
			                (unsigned long long)a->moves, (unsigned long long)b->moves, token);
		if (a->moves != b->moves && a->moves != b->moves + 1)
			return run_fail(r, "pair %u: side 0 moved %llu times, side 1 %llu (not alternating)", k,
			                (unsigned long long)a->moves, (unsigned long long)b->moves);
		const struct task_slot *sa = &r->sh->slot[2 * k], *sb = &r->sh->slot[2 * k + 1];
		uint64_t t0 = sa->t_begin_ns < sb->t_begin_ns ? sa->t_begin_ns : sb->t_begin_ns;
		uint64_t t1 = sa->t_end_ns > sb->t_end_ns ? sa->t_end_ns : sb->t_end_ns;
		if (a->moves + b->moves)
			ns += (double)(t1 - t0) / (double)(a->moves + b->moves);
	}
	run_metric(r, "pairs", s->npairs);
	run_metric(r, "handoff_ns", s->npairs ? ns / s->npairs : 0);
	return 0;
}

const struct workload workload_pingpong = {
	.name = "pingpong",
	.summary = "two workers hand a token back and forth (wait/wake or spin): round trips/s, ns per handoff",
	.version = WORKLOAD_API_VERSION,
	.min_workers = 2,
	.knobs = pp_knobs,
	.primary_metric = "ops_per_s",
	.op_unit = "round trips",
	.symmetric = 0,
	.higher_is_better = 1,
	.ci_target = 0.03, /* hand-offs: repetitions vary by 5-50% on a shared VM (issue 15) */
	.setup = pp_setup,
	.run = pp_run,
	.verify = pp_verify,
};
