/* coroutine driver: every worker is a coroutine (a stack of its own and a saved context) run
 * by a user-space scheduler on one OS thread, as gevent/greenlet run Python code; or on
 * `threads=T` OS threads, each a scheduler with its own share of the coroutines
 * (worker i belongs to scheduler i % T), pinned with hwloc to the PU of its first worker.
 *
 * Switching: a coroutine runs until it blocks (task_wait, task_sleep_ns) or yields. A blocking
 * coroutine switches directly to the next runnable one of its scheduler (no bounce through a
 * scheduler context); only when nothing is runnable does it switch to the scheduler's own
 * context, which sleeps in the kernel (a futex with the next timer as timeout) until a timer
 * is due or another thread hands it work. With `slice_us=N` a ticker thread sets the running
 * coroutine's checkpoint flag once it has run N us while another coroutine is runnable; the
 * next task_checkpoint() yields (preemption at checkpoints, like CPython's eval breaker).
 *
 * Blocking: futex-shaped wait/wake on a wait table hashed by address (locked only with T > 1),
 * timeouts and sleeps on a binary heap of deadlines per scheduler. A wake of a coroutine owned
 * by another scheduler goes through that scheduler's lock-free inbox plus a futex poke. The
 * runner thread (start, stop) never touches the tables: it sets a kick flag and pokes. With
 * one scheduler (the default) the tasks' wait/wake hooks point at variants with no lock and
 * no hand-off list, and a waker leaves the woken one's timeout for it to drop itself: a
 * wait/wake hand-off is then ~190 instructions, workload included (callgrind).
 *
 * File descriptors (task_wait_fd): the coroutine parks in the wait table on a key of its own
 * and enters its scheduler's fd table; a scheduler with nothing to run sleeps in ppoll over
 * those fds (and an eventfd that pokes write) instead of its futex; while others run, each fd
 * waiter looks at its fd on a timer (CORO_FD_POLL_NS). See coro_wait_fd.
 *
 * Context switch (`backend`): `fast` is coro_switch (drivers/coro_switch_*.S, callee-saved
 * registers only); `ucontext` is swapcontext, which also saves and restores the signal mask
 * with a syscall on every switch, so the cost of the classic API can be measured.
 *
 * Stacks (see "stack pool" below): carved from one large mapping, the pool, which the cell
 * process keeps from one repetition to the next (Go keeps freed goroutine stacks in its stack
 * pool, glibc keeps joined threads' stacks), so neither the mapping count nor the syscalls
 * grow with the coroutines: a spawn writes the first frame and a canary, and that is all.
 * Overflows: a canary word right below each stack, checked whenever the coroutine switches
 * away, and a PROT_NONE guard region below every `guard_every`-th stack (and below the
 * pool); a broken canary or a fault in a guard (caught on a per-scheduler alternate signal
 * stack) ends the cell with a message that names the worker and the stack size, and reaches
 * the results through runner_cell_fatal().
 *
 * CPU accounting (DRIVER_SELF_ACCOUNTING): the ticker thread samples which coroutine each
 * scheduler runs, about every millisecond (jittered, so periodic workloads do not alias); at
 * the end the thread's real CPU time, user and system (getrusage RUSAGE_THREAD from the gate
 * to the end), and its context switches are split among its coroutines in proportion to their
 * samples, so the sums are exactly the thread's figures, as Linux splits utime/stime by ticks.
 * (Reading the cycle counter at every switch instead would be exact per coroutine, but rdtsc
 * costs about half as much as the rest of a switch under KVM: a yield went from 8 to 12 ns.)
 * The ticker sleeps while every scheduler sleeps, so idle coroutines cost nothing. */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdalign.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#include "bench/core/futex.h"
#include "bench/core/log.h"
#include "bench/core/procmem.h"
#include "bench/core/runner.h"
#include "bench/machine/topo.h"
#include "drivers/coro_switch.h"
#include "drivers/driver.h"

#ifndef __has_feature
#define __has_feature(x) 0
#endif
#if defined(__SANITIZE_ADDRESS__) || __has_feature(address_sanitizer)
#define CORO_ASAN 1
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
#else
#define CORO_ASAN 0
#endif
#if defined(__SANITIZE_THREAD__) || __has_feature(thread_sanitizer)
#define CORO_TSAN 1
/* The fiber API of the TSan runtime (not in gcc 12's tsan_interface.h). */
void *__tsan_get_current_fiber(void);
void *__tsan_create_fiber(unsigned flags);
void __tsan_destroy_fiber(void *fiber);
void __tsan_switch_to_fiber(void *fiber, unsigned flags);
#else
#define CORO_TSAN 0
#endif
/* Valgrind must be told where the stacks are, or every switch looks like a wild stack
 * access. The annotations cost a few instructions and are used when the header exists. */
#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#define CORO_VALGRIND 1
#endif
#endif
#ifndef CORO_VALGRIND
#define CORO_VALGRIND 0
#endif
/* Sanitizer builds have much larger frames: stacks are this many times stack_kb. */
#define CORO_SAN_STACK_MULT ((CORO_ASAN || CORO_TSAN) ? 4u : 1u)
/* Guard region below every guard_every-th stack and below the pool: PROT_NONE, costs address
 * space only. Frames larger than this could jump over it; 64 KiB covers every frame bench has. */
#define CORO_GUARD (64u << 10)
/* The top line of every stack slot is not stack: it holds the canary of the slot above (the
 * word an overflow of that stack overwrites first). In the top page, which the coroutine
 * below touches anyway: the canary costs no memory. */
#define CORO_TOP_RESERVE 64u
#define CORO_CANARY 0x5a17c0de0badf00dull
#define CORO_SPAWN_BATCH 256u
#define CORO_ALTSTACK (64u << 10)
#define CORO_SCHED_STACK (CORO_ASAN || CORO_TSAN ? 1u << 20 : 256u << 10)

enum { BACKEND_FAST = 0, BACKEND_UCONTEXT = 1 };
enum coro_state { CO_NEW = 0, CO_RUNNABLE, CO_RUNNING, CO_WAITING, CO_SLEEPING, CO_DONE };
enum { KICK_GATE = 1u, KICK_STOP = 2u };
/* fd waits (coro_wait_fd): while other coroutines run, a coroutine parked on an fd looks at
 * it itself this often; a scheduler with nothing to run polls the fds at once instead. */
#define CORO_FD_POLL_NS 1000000u
#define CORO_FD_READY 1                /* w_result: the idle poll found the fd ready */
#define CORO_IDLE_POLL 2u              /* sched.idle: asleep in ppoll, poke() writes the eventfd */

struct sched;
struct cdrv;

struct coro {
	struct task *t;
	struct sched *s;               /* owner; a coroutine never migrates */
	void *sp;                      /* backend fast: saved stack pointer */
	ucontext_t *uc;                /* backend ucontext */
	char *lo;                      /* lowest byte of its stack (a slot of the pool) */
	const uint64_t *canary;        /* the word right below the stack (CORO_CANARY while intact) */
	/* Owner-only fields (touched only by the scheduler thread that runs the coroutine). */
	unsigned state;                /* enum coro_state */
	int heap_idx;                  /* index in the timer heap, -1: not in it */
	uint64_t deadline;             /* CLOCK_MONOTONIC ns */
	struct coro *rq_next;          /* run queue link */
	_Atomic uint64_t samples;      /* ticker samples that found it running, since the gate */
	int rc;                        /* task_main's result */
	/* Under the bucket lock of w_key. */
	struct coro *w_next, *w_prev;
	uintptr_t w_key;
	int w_linked;                  /* 1: in the wait table */
	int w_result;                  /* 0 woken, -ETIMEDOUT */
	struct coro *h_next;           /* a waker's private hand-off list */
	struct coro *in_next;          /* inbox link */
	void *asan_fake;
	void *tsan_fiber;
	unsigned vg_stack;             /* valgrind's id of the stack */
};

struct bucket {
	_Atomic unsigned lock;
	struct coro *head, *tail;
};

struct sched {
	struct cdrv *d;
	unsigned id;
	int pu;                        /* PU to bind to (-1: unbound) */
	int bound_pu;                  /* what the binding gave (recorded in every slot) */
	pthread_t th;
	int th_ok;
	/* Copies of run-wide constants, so the hot paths reach them in one load from here. */
	struct bucket *buckets;
	unsigned bmask;
	int mt;                        /* several schedulers: bucket locks, inbox hand-offs */
	unsigned backend;
	/* Owner-only (rq_head is also read, relaxed, by the ticker: "is anything runnable?"). */
	void *main_sp;
	ucontext_t main_uc;
	_Atomic(struct coro *) rq_head;
	struct coro *rq_tail;
	struct coro **heap;
	unsigned nheap;
	struct coro **own;             /* coroutines of this scheduler, in arrival order */
	unsigned nown, owncap, ndone;
	int gate_seen, published;
	struct rusage ru0;
	void *altstack;
	const void *main_bottom;
	size_t main_size;
	void *main_fake;
	void *main_fiber;
	/* Written by the owner, read by the ticker thread. */
	_Atomic(struct coro *) cur_pub; /* the running coroutine, for the ticker */
	_Atomic unsigned long nswitch;
	_Atomic uint64_t next_deadline;
	/* Written by other threads. */
	alignas(TASK_CACHELINE) _Atomic(struct coro *) inbox;
	_Atomic unsigned kick;         /* KICK_* from the runner thread */
	_Atomic unsigned idle;         /* futex word: 1 while the scheduler sleeps in the kernel */
	_Atomic unsigned shutdown;
	_Atomic unsigned finished;     /* futex word: every coroutine done, accounting published */
	/* fd waits (coro_wait_fd), owner-only except fdw_evfd, which poke() reads once it has
	 * seen idle == CORO_IDLE_POLL. Zeroed by init; made on the first fd wait. */
	alignas(TASK_CACHELINE) struct coro **fdw; /* coroutines parked on an fd */
	struct pollfd *fdw_pfd;        /* their fds, then the eventfd: fdw_cap + 1 */
	unsigned fdw_n, fdw_cap;
	int fdw_evfd;                  /* eventfd + 1 (0: none yet): poke() ends an idle poll with it */
} __attribute__((aligned(TASK_CACHELINE)));

struct cdrv {
	struct run *r;
	unsigned n;                    /* workers */
	unsigned nsched, backend, slice_us;
	size_t stack_size, stack_kb;   /* stack_size: the slot, page-rounded, with CORO_TOP_RESERVE */
	unsigned guard_every;          /* a guard region below every this many stacks (0: none) */
	int mt;                        /* several schedulers: the wait table needs its locks */
	struct sched *sched;
	struct coro *coros;
	struct bucket *buckets;
	unsigned bmask;
	void **blocks;                 /* shm_alloc blocks */
	size_t *bsizes;
	unsigned nblocks, bcap;
	unsigned unpoked;              /* spawns since the schedulers were last poked (runner thread) */
	pthread_t ticker;
	int ticker_ok;
	_Atomic unsigned ticker_stop, ticker_sleep;
};

static const struct knob coro_knobs[] = {
	{ "threads", KNOB_INT, "1", 1, 1024, NULL,
	  "OS threads running coroutines (each a scheduler with worker i % threads, pinned)" },
	{ "backend", KNOB_ENUM, "fast", 0, 0, "fast|ucontext",
	  "context switch: hand-written asm, or swapcontext (a signal-mask syscall per switch)" },
	{ "stack_kb", KNOB_INT, "16", 4, 1048576, NULL,
	  "stack per coroutine in KiB, reserved (only the pages used are memory; x4 in sanitizer builds)" },
	{ "guard_every", KNOB_INT, "64", 0, 1048576, NULL,
	  "a PROT_NONE guard region below every Nth stack (1: below each, 2 kernel maps per coroutine, "
	  "vm.max_map_count caps it near 32k coroutines; 0: none); overflows between guards are caught "
	  "by a canary checked at every switch" },
	{ "slice_us", KNOB_INT, "0", 0, 10000000, NULL,
	  "switch at a checkpoint after this many us if another coroutine is runnable "
	  "(0: run until blocking or yielding, like gevent)" },
	{ 0 }
};

/* The run whose stacks the SIGSEGV handler checks (one run per process at a time). */
static _Atomic(struct cdrv *) coro_active;
static struct sigaction coro_old_segv;
static int coro_segv_installed;

/* ------------------------------------------------------------------ small helpers */

static inline void cpu_relax(void)
{
#if defined(__x86_64__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ volatile("yield");
#endif
}

static inline struct bucket *bucket_of(const struct sched *s, const void *word)
{
	uint64_t h = (uint64_t)(uintptr_t)word * 0x9e3779b97f4a7c15ull;
	return &s->buckets[(h >> 40) & s->bmask];
}

static inline void b_lock(const struct sched *s, struct bucket *b)
{
	if (!s->mt)
		return;
	for (unsigned n = 0;; n++) {
		if (!atomic_load_explicit(&b->lock, memory_order_relaxed) &&
		    !atomic_exchange_explicit(&b->lock, 1, memory_order_acquire))
			return;
		if (n > 64)
			sched_yield(); /* the holder may have been preempted */
		else
			cpu_relax();
	}
}

static inline void b_unlock(const struct sched *s, struct bucket *b)
{
	if (s->mt)
		atomic_store_explicit(&b->lock, 0, memory_order_release);
}

static void b_append(struct bucket *b, struct coro *c)
{
	c->w_next = NULL;
	c->w_prev = b->tail;
	if (b->tail)
		b->tail->w_next = c;
	else
		b->head = c;
	b->tail = c;
}

static void b_unlink(struct bucket *b, struct coro *c)
{
	if (c->w_prev)
		c->w_prev->w_next = c->w_next;
	else
		b->head = c->w_next;
	if (c->w_next)
		c->w_next->w_prev = c->w_prev;
	else
		b->tail = c->w_prev;
	c->w_next = c->w_prev = NULL;
}

/* ------------------------------------------------------------------ run queue, timers */

static inline void rq_push(struct sched *s, struct coro *c)
{
	c->state = CO_RUNNABLE;
	c->rq_next = NULL;
	if (s->rq_tail)
		s->rq_tail->rq_next = c;
	else
		atomic_store_explicit(&s->rq_head, c, memory_order_relaxed);
	s->rq_tail = c;
}

static inline struct coro *rq_pop(struct sched *s)
{
	struct coro *c = atomic_load_explicit(&s->rq_head, memory_order_relaxed);
	if (!c)
		return NULL;
	atomic_store_explicit(&s->rq_head, c->rq_next, memory_order_relaxed);
	if (!c->rq_next)
		s->rq_tail = NULL;
	return c;
}

static void heap_swap(struct sched *s, unsigned i, unsigned j)
{
	struct coro *a = s->heap[i];
	s->heap[i] = s->heap[j];
	s->heap[j] = a;
	s->heap[i]->heap_idx = (int)i;
	s->heap[j]->heap_idx = (int)j;
}

static void heap_up(struct sched *s, unsigned i)
{
	while (i > 0) {
		unsigned p = (i - 1) / 2;
		if (s->heap[p]->deadline <= s->heap[i]->deadline)
			break;
		heap_swap(s, i, p);
		i = p;
	}
}

static void heap_down(struct sched *s, unsigned i)
{
	for (;;) {
		unsigned l = 2 * i + 1, r = l + 1, m = i;
		if (l < s->nheap && s->heap[l]->deadline < s->heap[m]->deadline)
			m = l;
		if (r < s->nheap && s->heap[r]->deadline < s->heap[m]->deadline)
			m = r;
		if (m == i)
			return;
		heap_swap(s, i, m);
		i = m;
	}
}

static void heap_publish(struct sched *s)
{
	atomic_store_explicit(&s->next_deadline, s->nheap ? s->heap[0]->deadline : UINT64_MAX,
	                      memory_order_relaxed);
}

/* The heap array holds every coroutine of the scheduler at most once: owncap entries. */
static void heap_push(struct sched *s, struct coro *c)
{
	c->heap_idx = (int)s->nheap;
	s->heap[s->nheap++] = c;
	heap_up(s, (unsigned)c->heap_idx);
	heap_publish(s);
}

static void heap_remove_at(struct sched *s, struct coro *c)
{
	unsigned i = (unsigned)c->heap_idx, last = --s->nheap;
	c->heap_idx = -1;
	if (i != last) {
		s->heap[i] = s->heap[last];
		s->heap[i]->heap_idx = (int)i;
		heap_down(s, i);
		heap_up(s, (unsigned)s->heap[i]->heap_idx);
	}
	heap_publish(s);
}

static inline void heap_remove(struct sched *s, struct coro *c)
{
	if (c->heap_idx >= 0)
		heap_remove_at(s, c);
}

/* ------------------------------------------------------------------ cross-thread hand-off */

static void poke(struct sched *s)
{
	unsigned was;
	if (atomic_load(&s->idle) && (was = atomic_exchange(&s->idle, 0)) != 0) {
		if (was == CORO_IDLE_POLL) { /* asleep in ppoll over fds (fdw_idle_poll) */
			uint64_t one = 1;
			ssize_t w = write(s->fdw_evfd - 1, &one, sizeof one);
			(void)w; /* only fails when the counter is near 2^64: it is readable then */
		} else {
			futex_wake(&s->idle, 1, 0);
		}
	}
}

static void inbox_add(struct sched *s, struct coro *c)
{
	struct coro *h = atomic_load_explicit(&s->inbox, memory_order_relaxed);
	do
		c->in_next = h;
	while (!atomic_compare_exchange_weak(&s->inbox, &h, c));
}

static void inbox_push(struct sched *s, struct coro *c)
{
	inbox_add(s, c);
	poke(s);
}

static void kick(struct sched *s, unsigned what)
{
	atomic_fetch_or(&s->kick, what);
	poke(s);
}

/* Take a waiting coroutine out of the wait table, ending its wait with `result`, if it is
 * still there: with several schedulers a waker on another thread may have taken it first, and
 * it then arrives through the inbox. Returns 1 if taken. */
static int wait_cancel(struct sched *s, struct coro *c, int result)
{
	struct bucket *b = bucket_of(s, (void *)c->w_key);
	b_lock(s, b);
	int linked = c->w_linked;
	if (linked) {
		b_unlink(b, c);
		c->w_linked = 0;
		c->w_result = result;
	}
	b_unlock(s, b);
	return linked;
}

/* Make a blocked coroutine of this scheduler runnable (stop and gate kicks). */
static void unblock(struct sched *s, struct coro *c, uintptr_t only_key)
{
	if (c->state == CO_SLEEPING && !only_key) {
		heap_remove(s, c);
		rq_push(s, c);
	} else if (c->state == CO_WAITING && (!only_key || c->w_key == only_key) && wait_cancel(s, c, 0)) {
		heap_remove(s, c);
		rq_push(s, c);
	}
}

static void gate_opened(struct sched *s)
{
	if (s->gate_seen)
		return;
	s->gate_seen = 1;
	getrusage(RUSAGE_THREAD, &s->ru0);
	for (unsigned i = 0; i < s->nown; i++)
		atomic_store_explicit(&s->own[i]->samples, 0, memory_order_relaxed);
}

static __attribute__((noinline, cold)) void drain(struct sched *s)
{
	struct coro *list = atomic_exchange(&s->inbox, NULL), *fifo = NULL;
	unsigned k = atomic_exchange(&s->kick, 0);
	while (list) { /* the inbox is a stack: reverse it into arrival order */
		struct coro *nx = list->in_next;
		list->in_next = fifo;
		fifo = list;
		list = nx;
	}
	for (struct coro *c = fifo, *nx; c; c = nx) {
		nx = c->in_next;
		if (c->state == CO_NEW)
			s->own[s->nown++] = c;
		else
			heap_remove(s, c);
		rq_push(s, c);
	}
	if (k & KICK_GATE) {
		/* The scheduler, not the runner thread, opens the gate: on one thread every
		 * coroutine is then parked at it (none is between `ready` and its wait), so they
		 * start in spawn order, as greenlets do. */
		atomic_store(&s->d->r->sh->gate, 1);
		gate_opened(s);
		uintptr_t gate = (uintptr_t)&s->d->r->sh->gate;
		for (unsigned i = 0; i < s->nown; i++)
			unblock(s, s->own[i], gate);
	}
	if (k & KICK_STOP)
		for (unsigned i = 0; i < s->nown; i++)
			unblock(s, s->own[i], 0);
}

static __attribute__((noinline)) void fire_timers(struct sched *s)
{
	uint64_t now = task_now_ns();
	while (s->nheap && s->heap[0]->deadline <= now) {
		struct coro *c = s->heap[0];
		heap_remove(s, c);
		if (c->state == CO_SLEEPING || (c->state == CO_WAITING && wait_cancel(s, c, -ETIMEDOUT)))
			rq_push(s, c);
	}
}

static inline __attribute__((always_inline)) struct coro *pick_next(struct sched *s)
{
	if (task_unlikely(atomic_load_explicit(&s->inbox, memory_order_relaxed) != NULL ||
	                  atomic_load_explicit(&s->kick, memory_order_relaxed) != 0))
		drain(s);
	if (s->nheap)
		fire_timers(s);
	return rq_pop(s);
}

/* ------------------------------------------------------------------ switching */

static inline void san_before(struct sched *s, struct coro *from, struct coro *to, int from_exits)
{
#if CORO_ASAN
	__sanitizer_start_switch_fiber(from_exits ? NULL : from ? &from->asan_fake : &s->main_fake,
	                               to ? to->lo : s->main_bottom,
	                               to ? s->d->stack_size : s->main_size);
#endif
#if CORO_TSAN
	__tsan_switch_to_fiber(to ? to->tsan_fiber : s->main_fiber, 0);
#endif
	(void)s, (void)from, (void)to, (void)from_exits;
}

static inline void san_after(struct sched *s, struct coro *self)
{
#if CORO_ASAN
	__sanitizer_finish_switch_fiber(self ? self->asan_fake : s->main_fake, NULL, NULL);
#endif
	(void)s, (void)self;
}

/* Switch from the running context (coroutine `from`, or NULL: the scheduler's own) to `to`
 * (NULL: the scheduler's own). Returns when `from` is resumed. */
static inline __attribute__((always_inline)) void ctx_switch(struct sched *s, struct coro *from, struct coro *to, int from_exits)
{
	if (to)
		to->state = CO_RUNNING;
	/* release/acquire: the ticker reads the coroutine's fields through this pointer (free on
	 * x86-64; on aarch64 an stlr) */
	atomic_store_explicit(&s->cur_pub, to, memory_order_release);
	atomic_store_explicit(&s->nswitch, atomic_load_explicit(&s->nswitch, memory_order_relaxed) + 1,
	                      memory_order_relaxed);
	san_before(s, from, to, from_exits);
	if (s->backend == BACKEND_FAST) {
		void *discard;
		coro_switch(from ? (from_exits ? &discard : &from->sp) : &s->main_sp, to ? to->sp : s->main_sp);
	} else {
		ucontext_t *dst = to ? to->uc : &s->main_uc;
		if (from_exits)
			setcontext(dst);
		else
			swapcontext(from ? from->uc : &s->main_uc, dst);
	}
	san_after(s, from);
}

/* The running coroutine `self` has put itself where it belongs (run queue, wait table, heap):
 * run the next runnable coroutine, or the scheduler's idle loop. */
static void canary_broken(struct coro *c);
static inline __attribute__((always_inline)) void park(struct sched *s, struct coro *self)
{
	if (task_unlikely(*self->canary != CORO_CANARY))
		canary_broken(self);
	struct coro *next = pick_next(s);
	if (next == self) {
		self->state = CO_RUNNING;
		return;
	}
	ctx_switch(s, self, next, 0);
}

static void coro_body(struct coro *c)
{
#if CORO_ASAN
	__sanitizer_finish_switch_fiber(NULL, NULL, NULL);
#endif
	c->t->slot->bound_pu = c->s->bound_pu;
	c->rc = task_main(c->t);
	if (task_unlikely(*c->canary != CORO_CANARY))
		canary_broken(c);
	struct sched *s = c->s;
	c->state = CO_DONE;
	s->ndone++;
	ctx_switch(s, c, pick_next(s), 1);
	abort(); /* a finished coroutine is never resumed */
}

static void coro_entry_fast(void *arg)
{
	coro_body(arg);
}

static void coro_entry_uc(unsigned hi, unsigned lo)
{
	coro_body((struct coro *)(((uintptr_t)hi << 32) | (uintptr_t)lo));
}

/* ------------------------------------------------------------------ worker hooks */

/* Set the wait's deadline and enter it in the timer heap. */
static void arm_timeout(struct sched *s, struct coro *self, uint64_t timeout_ns)
{
	uint64_t now = task_now_ns();
	self->deadline = timeout_ns > UINT64_MAX - now ? UINT64_MAX : now + timeout_ns;
	heap_push(s, self);
}

/* Enter the wait table on `word` (under the bucket's lock, if the table has locks). */
static inline void wait_enter(struct bucket *b, struct coro *self, _Atomic unsigned *word)
{
	self->w_key = (uintptr_t)word;
	self->w_linked = 1;
	self->w_result = 0;
	b_append(b, self);
}

/* Block in the wait just entered until a wake or the timeout; returns the wait's result. */
static inline __attribute__((always_inline)) int wait_block(struct sched *s, struct coro *self, uint64_t timeout_ns)
{
	self->state = CO_WAITING;
	if (timeout_ns != TASK_FOREVER)
		arm_timeout(s, self, timeout_ns);
	park(s, self);
	/* coro_wake_st leaves our timeout in the heap (fire_timers skips a runnable coroutine) */
	if (task_unlikely(self->heap_idx >= 0))
		heap_remove_at(s, self);
	return self->w_result;
}

/* The general wait: the bucket lock is taken when several schedulers share the table. */
static int coro_wait(struct task *t, _Atomic unsigned *word, unsigned expected, uint64_t timeout_ns)
{
	struct coro *self = t->drv;
	struct sched *s = self->s;
	if (task_should_stop(t))
		return 0;
	struct bucket *b = bucket_of(s, word);
	b_lock(s, b);
	if (atomic_load(word) != expected) {
		b_unlock(s, b);
		return -EAGAIN;
	}
	wait_enter(b, self, word);
	b_unlock(s, b);
	return wait_block(s, self, timeout_ns);
}

static int coro_wake(struct task *t, _Atomic unsigned *word, int n)
{
	struct coro *self = t->drv;
	struct sched *s = self->s;
	struct bucket *b = bucket_of(s, word);
	struct coro *list = NULL, **tail = &list;
	int woken = 0;
	if (n <= 0 || (!s->mt && !b->head))
		return 0;
	b_lock(s, b);
	for (struct coro *c = b->head, *nx; c && woken < n; c = nx) {
		nx = c->w_next;
		if (c->w_key != (uintptr_t)word)
			continue;
		b_unlink(b, c);
		c->w_linked = 0;
		c->h_next = NULL;
		*tail = c;
		tail = &c->h_next;
		woken++;
	}
	b_unlock(s, b);
	for (struct coro *c = list, *nx; c; c = nx) {
		nx = c->h_next;
		if (c->s == s) {
			heap_remove(s, c);
			rq_push(s, c);
		} else {
			inbox_push(c->s, c); /* c belongs to its scheduler from here on */
		}
	}
	return woken;
}

/* With one scheduler (threads=1, the default) no other thread touches the wait table or the
 * run queue, so wait and wake need no lock, no hand-off list and no inbox: coro_spawn points
 * the tasks' wait/wake hooks here. task_wait has already looked at the stop flag (the gate
 * wait goes through coro_wait). This is the hot path of every hand-off between coroutines. */
static int coro_wait_st(struct task *t, _Atomic unsigned *word, unsigned expected, uint64_t timeout_ns)
{
	struct coro *self = t->drv;
	struct sched *s = self->s;
	if (atomic_load_explicit(word, memory_order_acquire) != expected)
		return -EAGAIN;
	wait_enter(bucket_of(s, word), self, word);
	return wait_block(s, self, timeout_ns);
}

static int coro_wake_st(struct task *t, _Atomic unsigned *word, int n)
{
	struct sched *s = ((struct coro *)t->drv)->s;
	struct bucket *b = bucket_of(s, word);
	int woken = 0;
	for (struct coro *c = b->head, *nx; c && woken < n; c = nx) {
		nx = c->w_next;
		if (c->w_key != (uintptr_t)word)
			continue;
		b_unlink(b, c);
		c->w_linked = 0;
		rq_push(s, c); /* w_result is still 0; c leaves the timer heap itself */
		woken++;
	}
	return woken;
}

static int coro_sleep_ns(struct task *t, uint64_t ns)
{
	struct coro *self = t->drv;
	struct sched *s = self->s;
	uint64_t now = task_now_ns();
	uint64_t deadline = ns > UINT64_MAX - now ? UINT64_MAX : now + ns;
	for (;;) {
		if (task_should_stop(t))
			return -ECANCELED;
		if (task_now_ns() >= deadline)
			return 0;
		self->deadline = deadline;
		self->state = CO_SLEEPING;
		heap_push(s, self);
		park(s, self);
	}
}

static void coro_yield(struct task *t)
{
	struct coro *self = t->drv;
	rq_push(self->s, self);
	park(self->s, self);
}

static void coro_checkpoint(struct task *t)
{
	atomic_store_explicit(t->brk, 0, memory_order_relaxed);
	coro_yield(t);
}

/* ---- fd waits ---- */

/* Room for one more fd waiter, and the eventfd that ends an idle poll. 0 or -errno. */
static int fdw_reserve(struct sched *s)
{
	if (!s->fdw_evfd) {
		int e = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (e < 0)
			return -errno;
		s->fdw_evfd = e + 1;
	}
	if (s->fdw_n < s->fdw_cap)
		return 0;
	unsigned cap = s->fdw_cap ? 2 * s->fdw_cap : 8;
	struct coro **w = realloc(s->fdw, cap * sizeof *w);
	if (w)
		s->fdw = w;
	struct pollfd *p = realloc(s->fdw_pfd, (cap + 1) * sizeof *p);
	if (p)
		s->fdw_pfd = p;
	if (!w || !p)
		return -ENOMEM;
	s->fdw_cap = cap;
	return 0;
}

/* The key an fd waiter waits on in the wait table: the address of its own struct coro, which
 * no workload can name, so only a stop kick, its timer or the idle poll end the wait. (No
 * field of its own: struct coro keeps the size and layout the switch path was tuned with.) */
static inline _Atomic unsigned *fdw_key(struct coro *c)
{
	return (_Atomic unsigned *)(void *)c;
}

static void fdw_add(struct sched *s, struct coro *c, int fd, short events)
{
	s->fdw[s->fdw_n] = c;
	s->fdw_pfd[s->fdw_n++] = (struct pollfd){ .fd = fd, .events = events };
}

static void fdw_del(struct sched *s, struct coro *c)
{
	unsigned i = 0, last = --s->fdw_n;
	while (s->fdw[i] != c) /* a scheduler's fd waiters are few; c is there */
		i++;
	s->fdw[i] = s->fdw[last];
	s->fdw_pfd[i] = s->fdw_pfd[last];
}

static void fdw_free(struct sched *s)
{
	free(s->fdw);
	free(s->fdw_pfd);
	if (s->fdw_evfd)
		close(s->fdw_evfd - 1);
}

/* [worker] Park until fd is ready: the scheduler polls it when it has nothing else to run
 * (fdw_idle_poll); while others run, the coroutine wakes every CORO_FD_POLL_NS (a timer) and
 * looks itself, so the scheduler thread never blocks on an fd while work is runnable. The
 * wait is in the wait table on a key of its own: stop kicks and timers end it as any wait. */
static int coro_wait_fd(struct task *t, int fd, short events, uint64_t timeout_ns)
{
	struct coro *self = t->drv;
	struct sched *s = self->s;
	uint64_t now = task_now_ns(), deadline = timeout_ns > UINT64_MAX - now ? UINT64_MAX : now + timeout_ns;
	for (;;) {
		int rc = fdw_reserve(s);
		if (rc)
			return rc;
		if ((rc = task_fd_ready(fd, events)))
			return rc < 0 ? rc : 0;
		if (task_should_stop(t))
			return -ECANCELED;
		now = task_now_ns();
		if (now >= deadline)
			return -ETIMEDOUT;
		struct bucket *b = bucket_of(s, fdw_key(self));
		b_lock(s, b);
		wait_enter(b, self, fdw_key(self));
		b_unlock(s, b);
		fdw_add(s, self, fd, events);
		rc = wait_block(s, self, deadline - now < CORO_FD_POLL_NS ? deadline - now : CORO_FD_POLL_NS);
		fdw_del(s, self);
		if (rc == CORO_FD_READY)
			return 0;
	}
}

/* ------------------------------------------------------------------ stack pool */

/* The stacks of a cell: one mapping, kept from one repetition to the next (the repetitions of
 * a cell ask for the same geometry, and a stack's pages are faulted in once: ~2 us each on a
 * KVM guest, twice the whole spawn budget), laid out in groups [guard][slot]...[slot] of
 * `every` slots (guard_every=0: one group, so a guard only below the pool). Worker i's stack
 * is slot i; the top CORO_TOP_RESERVE bytes of a slot hold the canary of the slot above.
 * The mapping count is 1 + 2 per group, whatever the number of coroutines; the kernel
 * backs only the pages a stack touches (MAP_NORESERVE), so a stack reserved at 16 KiB that
 * uses 1.5 KiB costs one page. Freed when the cell process exits or a cell asks for another
 * geometry. Only one cell runs per process at a time. */
struct coro_pool {
	char *base;
	size_t len, slot, group;       /* bytes: the mapping, one slot, one group (guard + slots) */
	unsigned cap, every, every_knob;
};
static struct coro_pool coro_pool;
/* The canary of a stack right above a guard region: the guard protects it. */
static const uint64_t coro_canary_guarded = CORO_CANARY;

static unsigned pool_every(unsigned every_knob, unsigned n)
{
	return every_knob ? every_knob : n ? n : 1;
}

/* Bytes of a pool of n slots of `slot` bytes with a guard below every `every`. */
static size_t pool_bytes(size_t slot, unsigned every, unsigned n)
{
	size_t groups = ((size_t)n + every - 1) / every;
	return groups * (CORO_GUARD + (size_t)every * slot);
}

static int pool_fits(const struct cdrv *d)
{
	const struct coro_pool *p = &coro_pool;
	return p->base && p->slot == d->stack_size && p->every_knob == d->guard_every && p->cap >= d->n;
}

static inline char *pool_slot(unsigned i)
{
	const struct coro_pool *p = &coro_pool;
	return p->base + (size_t)(i / p->every) * p->group + CORO_GUARD + (size_t)(i % p->every) * p->slot;
}

/* Where slot i's canary lives: the top line of the slot below, or nowhere (a guard is below). */
static const uint64_t *pool_canary(unsigned i)
{
	if (i % coro_pool.every == 0)
		return &coro_canary_guarded;
	return (const uint64_t *)(void *)(pool_slot(i) - CORO_TOP_RESERVE);
}

/* The worker whose guard region holds address a (the slot right above it), or -1. */
static long pool_guard_owner(uintptr_t a)
{
	const struct coro_pool *p = &coro_pool;
	if (!p->base || a < (uintptr_t)p->base || a >= (uintptr_t)p->base + p->len)
		return -1;
	size_t off = a - (uintptr_t)p->base;
	return off % p->group < CORO_GUARD ? (long)(off / p->group * p->every) : -1;
}

static void pool_free(void)
{
	if (coro_pool.base)
		munmap(coro_pool.base, coro_pool.len);
	memset(&coro_pool, 0, sizeof coro_pool);
}

/* A pool for this repetition: the one kept from the last, if it fits. 0 or -errno. */
static int pool_get(const struct cdrv *d)
{
	if (pool_fits(d))
		return 0;
	pool_free();
	unsigned every = pool_every(d->guard_every, d->n);
	size_t len = pool_bytes(d->stack_size, every, d->n), group = CORO_GUARD + (size_t)every * d->stack_size;
	char *b = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
	if (b == MAP_FAILED)
		return -errno;
	for (size_t g = 0; g < len / group; g++) {
		if (mprotect(b + g * group, CORO_GUARD, PROT_NONE)) {
			int e = errno;
			munmap(b, len);
			return -e;
		}
	}
	coro_pool = (struct coro_pool){ .base = b, .len = len, .slot = d->stack_size, .group = group,
		                        .cap = d->n, .every = every, .every_knob = d->guard_every };
	return 0;
}

/* ------------------------------------------------------------------ stack overflow */

static size_t str_add(char *buf, size_t off, size_t cap, const char *s)
{
	while (*s && off + 1 < cap)
		buf[off++] = *s++;
	buf[off] = 0;
	return off;
}

static size_t num_add(char *buf, size_t off, size_t cap, unsigned long v)
{
	char tmp[24];
	int n = 0;
	do
		tmp[n++] = (char)('0' + v % 10);
	while ((v /= 10) && n < 24);
	while (n && off + 1 < cap)
		buf[off++] = tmp[--n];
	buf[off] = 0;
	return off;
}

/* The scheduler of this thread, for the SIGSEGV handler (which coroutine was running). */
static __thread struct sched *coro_tls_sched;

/* Async-signal-safe: no stdio, no malloc. */
static void report_overflow(struct cdrv *d, unsigned worker, const char *how)
{
	char msg[240];
	size_t o = 0;
	o = str_add(msg, o, sizeof msg, "coroutine ");
	o = num_add(msg, o, sizeof msg, worker);
	o = str_add(msg, o, sizeof msg, " overflowed its ");
	o = num_add(msg, o, sizeof msg, (unsigned long)d->stack_kb);
	o = str_add(msg, o, sizeof msg, " KiB stack (stack_kb");
	if (CORO_SAN_STACK_MULT > 1) {
		o = str_add(msg, o, sizeof msg, ", x");
		o = num_add(msg, o, sizeof msg, CORO_SAN_STACK_MULT);
		o = str_add(msg, o, sizeof msg, " in this sanitizer build");
	}
	o = str_add(msg, o, sizeof msg, "): ");
	o = str_add(msg, o, sizeof msg, how);
	o = str_add(msg, o, sizeof msg, "; raise -O stack_kb");
	struct task_slot *slot = &d->r->sh->slot[worker];
	memcpy(slot->err, msg, o + 1 < sizeof slot->err ? o + 1 : sizeof slot->err - 1);
	slot->err[sizeof slot->err - 1] = 0;
	char line[300];
	size_t l = str_add(line, 0, sizeof line, "bench: coroutine: ");
	l = str_add(line, l, sizeof line, msg);
	l = str_add(line, l, sizeof line, "\n");
	ssize_t w = write(2, line, l);
	(void)w;
	runner_cell_fatal(msg);
}

/* The canary below c's stack was overwritten: c ran deeper than its stack, into the top of
 * its neighbour's slot. Found when c switches away, before the neighbour runs again. */
static __attribute__((noinline, cold)) void canary_broken(struct coro *c)
{
	report_overflow(c->s->d, c->t->id, "the canary below it was overwritten (found at a switch)");
	abort();
}

static void on_segv(int sig, siginfo_t *si, void *uctx)
{
	(void)uctx;
	struct cdrv *d = atomic_load(&coro_active);
	long owner = si->si_code > 0 ? pool_guard_owner((uintptr_t)si->si_addr) : -1; /* a real fault */
	if (d && owner >= 0) {
		/* The running coroutine overflowed (maybe through the unguarded stacks below it). */
		struct sched *s = coro_tls_sched;
		struct coro *cur = s ? atomic_load(&s->cur_pub) : NULL;
		report_overflow(d, cur ? cur->t->id : (unsigned)owner, "it hit a guard page");
	}
	/* Fall back to what was there before: a fault re-executes under it, a raise is re-sent. */
	sigaction(SIGSEGV, &coro_old_segv, NULL);
	if (si->si_code <= 0)
		raise(sig);
}

static void segv_install(void)
{
	if (coro_segv_installed)
		return;
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_segv;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGSEGV, &sa, &coro_old_segv) == 0)
		coro_segv_installed = 1;
}

static void segv_restore(void)
{
	if (coro_segv_installed) {
		sigaction(SIGSEGV, &coro_old_segv, NULL);
		coro_segv_installed = 0;
	}
}

/* ------------------------------------------------------------------ scheduler threads */

static uint64_t tv_ns(struct timeval tv)
{
	return (uint64_t)tv.tv_sec * 1000000000u + (uint64_t)tv.tv_usec * 1000u;
}

/* Split total among the coroutines in proportion to their samples, exactly (prefix sums);
 * evenly if there were none. */
static void split(struct sched *s, uint64_t total, uint64_t sum, size_t field)
{
	unsigned __int128 acc = 0;
	uint64_t given = 0;
	for (unsigned i = 0; i < s->nown; i++) {
		struct coro *c = s->own[i];
		acc += sum ? atomic_load_explicit(&c->samples, memory_order_relaxed) : 1;
		uint64_t upto = (uint64_t)(acc * total / (sum ? sum : s->nown));
		*(uint64_t *)((char *)c->t->slot + field) = upto - given;
		given = upto;
	}
}

static void publish_accounting(struct sched *s)
{
	struct rusage ru;
	getrusage(RUSAGE_THREAD, &ru);
	if (!s->gate_seen)
		s->ru0 = ru;
	uint64_t sum = 0;
	for (unsigned i = 0; i < s->nown; i++)
		sum += atomic_load_explicit(&s->own[i]->samples, memory_order_relaxed);
	split(s, tv_ns(ru.ru_utime) - tv_ns(s->ru0.ru_utime), sum, offsetof(struct task_slot, utime_ns));
	split(s, tv_ns(ru.ru_stime) - tv_ns(s->ru0.ru_stime), sum, offsetof(struct task_slot, stime_ns));
	split(s, (uint64_t)(ru.ru_nvcsw - s->ru0.ru_nvcsw), sum, offsetof(struct task_slot, nvcsw));
	split(s, (uint64_t)(ru.ru_nivcsw - s->ru0.ru_nivcsw), sum, offsetof(struct task_slot, nivcsw));
	s->published = 1;
	atomic_store(&s->finished, 1);
	futex_wake(&s->finished, INT_MAX, 0);
}

/* idle_wait with coroutines parked on fds: sleep in ppoll over their fds and the eventfd that
 * poke() writes, until an fd is ready, the next timer is due or another thread pokes; the
 * coroutines whose fd is ready become runnable. */
static void fdw_idle_poll(struct sched *s, uint64_t timeout)
{
	unsigned n = s->fdw_n;
	struct timespec ts, *tsp = NULL;
	if (timeout != FUTEX_FOREVER) {
		ts = (struct timespec){ .tv_sec = (time_t)(timeout / 1000000000u), .tv_nsec = (long)(timeout % 1000000000u) };
		tsp = &ts;
	}
	s->fdw_pfd[n] = (struct pollfd){ .fd = s->fdw_evfd - 1, .events = POLLIN };
	atomic_store(&s->idle, CORO_IDLE_POLL);
	if (atomic_load(&s->inbox) || atomic_load(&s->kick) || atomic_load(&s->shutdown) ||
	    ppoll(s->fdw_pfd, n + 1, tsp, NULL) <= 0)
		return;
	uint64_t v;
	if (s->fdw_pfd[n].revents && read(s->fdw_evfd - 1, &v, sizeof v) < 0)
		v = 0; /* nothing to take: another poke raced us */
	for (unsigned i = 0; i < n; i++) {
		struct coro *c = s->fdw[i];
		if (s->fdw_pfd[i].revents && c->state == CO_WAITING && wait_cancel(s, c, CORO_FD_READY)) {
			heap_remove(s, c);
			rq_push(s, c);
		}
	}
}

static void idle_wait(struct sched *s)
{
	uint64_t timeout = FUTEX_FOREVER;
	if (s->nheap) {
		uint64_t now = task_now_ns(), dl = s->heap[0]->deadline;
		if (dl <= now)
			return;
		timeout = dl - now;
	}
	if (s->fdw_n) {
		fdw_idle_poll(s, timeout);
	} else {
		atomic_store(&s->idle, 1);
		if (!atomic_load(&s->inbox) && !atomic_load(&s->kick) && !atomic_load(&s->shutdown))
			futex_wait(&s->idle, 1, timeout, 0);
	}
	atomic_store(&s->idle, 0);
	/* The ticker may have seen us idle and gone to sleep: we are busy again. */
	struct cdrv *d = s->d;
	if (atomic_load(&d->ticker_sleep) && atomic_exchange(&d->ticker_sleep, 0))
		futex_wake(&d->ticker_sleep, 1, 0);
}

static void *sched_main(void *arg)
{
	struct sched *s = arg;
	coro_tls_sched = s;
	s->bound_pu = -1;
	if (s->pu >= 0 && topo_bind_self(s->pu, 0) == 0)
		s->bound_pu = topo_bound_pu() == s->pu ? s->pu : -2;
	stack_t ss = { .ss_sp = s->altstack, .ss_size = CORO_ALTSTACK, .ss_flags = 0 };
	if (s->altstack)
		sigaltstack(&ss, NULL);
#if CORO_ASAN
	pthread_attr_t a;
	if (pthread_getattr_np(pthread_self(), &a) == 0) {
		void *lo;
		size_t sz;
		if (pthread_attr_getstack(&a, &lo, &sz) == 0) {
			s->main_bottom = lo;
			s->main_size = sz;
		}
		pthread_attr_destroy(&a);
	}
#endif
#if CORO_TSAN
	s->main_fiber = __tsan_get_current_fiber();
#endif
	for (;;) {
		struct coro *next = pick_next(s);
		if (next) {
			ctx_switch(s, NULL, next, 0);
			continue;
		}
		if (s->nown && s->ndone == s->nown && !s->published)
			publish_accounting(s);
		if (atomic_load(&s->shutdown))
			break;
		idle_wait(s);
	}
	if (s->altstack) {
		ss.ss_flags = SS_DISABLE;
		sigaltstack(&ss, NULL);
	}
	return NULL;
}

/* The ticker thread: samples the running coroutine of every scheduler for the CPU accounting,
 * about every millisecond (uniformly jittered between 0.5 and 1.5 periods so that periodic
 * workloads do not alias with it), and with slice_us asks the running coroutine to switch at
 * its next checkpoint once it has run a slice while another coroutine is runnable there.
 * A coroutine is seen to run since the tick that first saw its scheduler's switch count
 * unchanged, so it is asked after between slice_us and slice_us + a tick (the period is then
 * slice_us / 4, from 20 us to 1 ms). Sleeps on a futex while every scheduler sleeps. */
static void *ticker_main(void *arg)
{
	struct cdrv *d = arg;
	uint64_t slice = (uint64_t)d->slice_us * 1000u, period = 1000000;
	if (slice) {
		period = slice / 4;
		period = period < 20000 ? 20000 : period > 1000000 ? 1000000 : period;
	}
	uint64_t *since = calloc(d->nsched, sizeof *since), rnd = 0x9e3779b97f4a7c15ull;
	unsigned long *last = calloc(d->nsched, sizeof *last);
	if (!since || !last) {
		free(since);
		free(last);
		return NULL;
	}
	while (!atomic_load(&d->ticker_stop)) {
		rnd ^= rnd << 13, rnd ^= rnd >> 7, rnd ^= rnd << 17;
		uint64_t p = period / 2 + rnd % (period + 1);
		struct timespec ts = { .tv_sec = (time_t)(p / 1000000000u), .tv_nsec = (long)(p % 1000000000u) };
		clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, NULL);
		uint64_t now = task_now_ns();
		int busy = 0;
		for (unsigned i = 0; i < d->nsched; i++) {
			struct sched *s = &d->sched[i];
			struct coro *cur = atomic_load_explicit(&s->cur_pub, memory_order_acquire);
			unsigned long g = atomic_load_explicit(&s->nswitch, memory_order_relaxed);
			if (!atomic_load_explicit(&s->idle, memory_order_relaxed))
				busy = 1;
			if (!cur) {
				last[i] = g;
				since[i] = now;
				continue;
			}
			atomic_fetch_add_explicit(&cur->samples, 1, memory_order_relaxed);
			if (g != last[i]) {
				last[i] = g;
				since[i] = now;
				continue;
			}
			int others = atomic_load_explicit(&s->rq_head, memory_order_relaxed) != NULL ||
			             atomic_load_explicit(&s->inbox, memory_order_relaxed) != NULL ||
			             atomic_load_explicit(&s->next_deadline, memory_order_relaxed) <= now;
			if (slice && now - since[i] >= slice && others) {
				atomic_store_explicit(cur->t->brk, 1, memory_order_relaxed);
				since[i] = now;
			}
		}
		if (busy)
			continue;
		/* Every scheduler sleeps: so do we, until one wakes up (it pokes us). */
		atomic_store(&d->ticker_sleep, 1);
		int all_idle = 1;
		for (unsigned i = 0; i < d->nsched && all_idle; i++)
			all_idle = atomic_load(&d->sched[i].idle) != 0;
		if (all_idle && !atomic_load(&d->ticker_stop))
			futex_wait(&d->ticker_sleep, 1, 1000000000u, 0);
		atomic_store(&d->ticker_sleep, 0);
	}
	free(since);
	free(last);
	return NULL;
}

/* ------------------------------------------------------------------ driver hooks */

/* The first number of a /proc file (0 if unreadable), and the number of lines of another. */
static unsigned long long proc_number(const char *path)
{
	unsigned long long v = 0;
	FILE *f = fopen(path, "re");
	if (f && fscanf(f, "%llu", &v) != 1)
		v = 0;
	if (f)
		fclose(f);
	return v;
}

static unsigned long long proc_lines(const char *path)
{
	unsigned long long n = 0;
	int ch;
	FILE *f = fopen(path, "re");
	while (f && (ch = getc_unlocked(f)) != EOF)
		n += ch == '\n';
	if (f)
		fclose(f);
	return n;
}

/* MemAvailable of /proc/meminfo in KiB, 0 if unknown. */
static unsigned long long mem_available_kb(void)
{
	unsigned long long v = 0;
	char line[128];
	FILE *f = fopen("/proc/meminfo", "re");
	while (f && fgets(line, sizeof line, f))
		if (sscanf(line, "MemAvailable: %llu kB", &v) == 1)
			break;
	if (f)
		fclose(f);
	return v;
}

/* The stacks must fit under the address-space limit (RLIMIT_AS, ulimit -v), their memory
 * maps (1 + 2 per guard region) under vm.max_map_count, and their first pages in the memory
 * available, beside what the cell process uses already. Checked before the pool is mapped,
 * so that a cell that cannot fit fails at once with the limit and the value it needs, never
 * with a crash half-way through spawning. A pool kept from the last repetition needs nothing
 * more. 0, or -ENOMEM with the reason in r->err. */
static int check_stack_limits(struct run *r, const struct cdrv *d)
{
	int reuse = pool_fits(d);
	unsigned every = pool_every(d->guard_every, d->n);
	unsigned long long groups = ((unsigned long long)d->n + every - 1) / every;
	unsigned long long pool_kb = reuse ? 0 : pool_bytes(d->stack_size, every, d->n) >> 10;
	unsigned long long old_kb = reuse ? 0 : coro_pool.len >> 10; /* replaced, so freed first */
	unsigned long long need_kb = pool_kb + d->nsched * ((CORO_SCHED_STACK + CORO_ALTSTACK) >> 10);
	unsigned long long need_maps = (reuse ? 0 : 1 + 2 * groups) + 3ull * d->nsched; /* + thread stack, guard, altstack */
	struct rlimit rl;
	if (!getrlimit(RLIMIT_AS, &rl) && rl.rlim_cur != RLIM_INFINITY) {
		unsigned long long limit_kb = (unsigned long long)rl.rlim_cur >> 10;
		unsigned long long used_kb = (procmem_self_vm_bytes() >> 10) - old_kb;
		if (used_kb + need_kb > limit_kb) {
			run_fail(r, "%u stacks of %zu KiB need %llu KiB of address space; the address-space limit "
			         "(RLIMIT_AS, ulimit -v) is %llu KiB, %llu in use: it needs %llu KiB, or a lower stack_kb",
			         d->n, d->stack_size >> 10, need_kb, limit_kb, used_kb, used_kb + need_kb);
			return -ENOMEM;
		}
	}
	unsigned long long max_maps = proc_number("/proc/sys/vm/max_map_count");
	unsigned long long used_maps = proc_lines("/proc/self/maps");
	if (max_maps && used_maps + need_maps > max_maps) {
		run_fail(r, "%u coroutines with guard_every=%u need %llu memory maps (2 per guard region), %llu in use: "
		         "vm.max_map_count = %llu, it needs %llu, or a higher guard_every",
		         d->n, d->guard_every, need_maps, used_maps, max_maps, used_maps + need_maps);
		return -ENOMEM;
	}
	/* At least the top page of every stack and the coroutine's own state become memory. */
	unsigned long long page_kb = (unsigned long long)sysconf(_SC_PAGESIZE) >> 10, avail = mem_available_kb();
	unsigned long long mem_kb = reuse ? 0 : d->n * (page_kb + (sizeof(struct coro) + sizeof(struct task) + 1023) / 1024);
	if (avail && mem_kb > avail) {
		run_fail(r, "%u coroutines need at least %llu KiB of memory (a stack page and their state each); "
		         "MemAvailable (/proc/meminfo) is %llu KiB: it needs %llu KiB more, or fewer workers",
		         d->n, mem_kb, avail, mem_kb - avail);
		return -ENOMEM;
	}
	return 0;
}

static int coro_init(struct run *r)
{
	struct cdrv *d = calloc(1, sizeof *d);
	if (!d)
		return -ENOMEM;
	r->drv_priv = d;
	d->r = r;
	d->n = r->nworkers;
	unsigned threads = (unsigned)run_knob_int(r, "threads");
	d->nsched = threads < d->n ? threads : d->n;
	if (!d->nsched)
		d->nsched = 1;
	d->mt = d->nsched > 1;
	d->backend = (unsigned)run_knob_enum(r, "backend");
	d->slice_us = (unsigned)run_knob_int(r, "slice_us");
	d->stack_kb = (size_t)run_knob_int(r, "stack_kb");
	d->guard_every = (unsigned)run_knob_int(r, "guard_every");
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	d->stack_size = (d->stack_kb * 1024u * CORO_SAN_STACK_MULT + CORO_TOP_RESERVE + page - 1) / page * page;
	if (d->backend == BACKEND_FAST && !CORO_SWITCH_ASM)
		return -ENOTSUP; /* no hand-written switch for this architecture: use backend=ucontext */
	int rc = check_stack_limits(r, d);
	if (rc)
		return rc;
	if ((rc = pool_get(d))) {
		run_fail(r, "cannot map a pool of %u stacks of %zu KiB: %s", d->n, d->stack_size >> 10, strerror(-rc));
		return rc;
	}

	unsigned nb = 64;
	while (nb < d->n && nb < 65536)
		nb *= 2;
	d->buckets = calloc(nb, sizeof *d->buckets);
	d->bmask = nb - 1;
	d->coros = calloc(d->n ? d->n : 1, sizeof *d->coros);
	d->sched = aligned_alloc(TASK_CACHELINE, d->nsched * sizeof *d->sched);
	if (!d->buckets || !d->coros || !d->sched)
		return -ENOMEM;
	memset(d->sched, 0, d->nsched * sizeof *d->sched);
	for (unsigned i = 0; i < d->n; i++)
		d->coros[i].heap_idx = -1;
	atomic_store(&coro_active, d);
	segv_install();
	for (unsigned i = 0; i < d->nsched; i++) {
		struct sched *s = &d->sched[i];
		s->d = d;
		s->id = i;
		s->buckets = d->buckets;
		s->bmask = d->bmask;
		s->mt = d->mt;
		s->backend = d->backend;
		s->pu = r->pus ? r->pus[i] : -1; /* the PU of its first coroutine, worker i */
		s->owncap = (d->n + d->nsched - 1 - i) / d->nsched;
		s->own = calloc(s->owncap ? s->owncap : 1, sizeof *s->own);
		s->heap = calloc(s->owncap ? s->owncap : 1, sizeof *s->heap);
		if (!s->own || !s->heap)
			return -ENOMEM;
		atomic_store(&s->next_deadline, UINT64_MAX);
		s->altstack = mmap(NULL, CORO_ALTSTACK, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (s->altstack == MAP_FAILED)
			s->altstack = NULL;
	}
	for (unsigned i = 0; i < d->nsched; i++) {
		struct sched *s = &d->sched[i];
		pthread_attr_t a;
		pthread_attr_init(&a);
		pthread_attr_setstacksize(&a, CORO_SCHED_STACK);
		rc = pthread_create(&s->th, &a, sched_main, s);
		pthread_attr_destroy(&a);
		if (rc)
			return -rc;
		s->th_ok = 1;
	}
	rc = pthread_create(&d->ticker, NULL, ticker_main, d);
	if (rc)
		return -rc;
	d->ticker_ok = 1;
	return 0;
}

static void *coro_shm_alloc(struct run *r, size_t size)
{
	struct cdrv *d = r->drv_priv;
	if (d->nblocks == d->bcap) {
		unsigned cap = d->bcap ? d->bcap * 2 : 8;
		void **b = realloc(d->blocks, cap * sizeof *b);
		if (!b)
			return NULL;
		d->blocks = b;
		size_t *z = realloc(d->bsizes, cap * sizeof *z);
		if (!z)
			return NULL;
		d->bsizes = z;
		d->bcap = cap;
	}
	size = size ? size : 1;
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	d->blocks[d->nblocks] = p;
	d->bsizes[d->nblocks++] = size;
	return p;
}

/* Stack colouring: neighbouring coroutines start their stacks at different offsets within a
 * page (0, 320, 640, 960 bytes below the top). Two coroutines that run the same code touch the
 * same stack offsets; with tops a multiple of 4 KiB apart, the registers one pushes at a
 * switch and the other pops right after share their low 12 address bits, and the CPU's
 * store-to-load check stalls on the false match (4K aliasing). Pingpong on one thread:
 * ~33 M round trips/s uncoloured, ~42 M coloured (Zen 4 VM, same build). At most 960 bytes
 * of the top page go unused; stacks under 16 KiB are not coloured. */
static size_t stack_color(const struct cdrv *d, unsigned id)
{
	return d->stack_size < (16u << 10) ? 0 : (size_t)(id % 4) * 320;
}

static int coro_spawn(struct run *r, struct task *t)
{
	struct cdrv *d = r->drv_priv;
	struct coro *c = &d->coros[t->id];
	c->t = t;
	c->s = &d->sched[t->id % d->nsched];
	c->state = CO_NEW;
	c->heap_idx = -1;
	c->lo = pool_slot(t->id);
	c->canary = pool_canary(t->id);
	if (c->canary != &coro_canary_guarded)
		*(uint64_t *)(uintptr_t)c->canary = CORO_CANARY;
	char *hi = c->lo + d->stack_size - CORO_TOP_RESERVE;
#if CORO_VALGRIND
	c->vg_stack = VALGRIND_STACK_REGISTER(c->lo, hi);
#endif
#if CORO_ASAN
	/* The pool's stacks were used by the previous repetition: their frames that never
	 * returned left poisoned shadow behind. */
	__asan_unpoison_memory_region(c->lo, d->stack_size);
#endif
	if (d->backend == BACKEND_FAST) {
		c->sp = coro_make(hi - stack_color(d, t->id), coro_entry_fast, c);
	} else {
		c->uc = calloc(1, sizeof *c->uc);
		if (!c->uc || getcontext(c->uc))
			return -ENOMEM;
		c->uc->uc_stack.ss_sp = c->lo;
		c->uc->uc_stack.ss_size = d->stack_size - CORO_TOP_RESERVE;
		c->uc->uc_link = NULL;
		uintptr_t p = (uintptr_t)c;
		makecontext(c->uc, (void (*)(void))coro_entry_uc, 2, (unsigned)(p >> 32), (unsigned)p);
	}
#if CORO_TSAN
	c->tsan_fiber = __tsan_create_fiber(0);
#endif
	t->drv = c;
	if (!d->mt) {
		t->wait = coro_wait_st;
		t->wake = coro_wake_st;
	}
	/* A scheduler runs new coroutines to the gate faster than they are spawned, then sleeps:
	 * waking it for each would be a futex syscall and an IPI per spawn. It is poked once per
	 * CORO_SPAWN_BATCH spawns and for the last worker (the runner spawns 0 .. n-1 in order). */
	inbox_add(c->s, c);
	if (++d->unpoked >= CORO_SPAWN_BATCH || t->id + 1 == d->n) {
		d->unpoked = 0;
		for (unsigned i = 0; i < d->nsched; i++)
			poke(&d->sched[i]);
	}
	return 0;
}

static int coro_start(struct run *r)
{
	struct cdrv *d = r->drv_priv;
	for (unsigned i = 0; i < d->nsched; i++)
		kick(&d->sched[i], KICK_GATE); /* each scheduler opens the gate (drain) */
	return 0;
}

static void coro_stop(struct run *r)
{
	struct cdrv *d = r->drv_priv;
	for (unsigned i = 0; i < d->nsched; i++)
		kick(&d->sched[i], KICK_STOP);
}

/* Wait until every scheduler has run all its coroutines to the end. 0 or -ETIMEDOUT. */
static int wait_finished(struct cdrv *d, double max_s)
{
	uint64_t deadline = task_now_ns() + (uint64_t)(max_s * 1e9);
	for (unsigned i = 0; i < d->nsched; i++) {
		struct sched *s = &d->sched[i];
		if (!s->th_ok)
			continue;
		while (!atomic_load(&s->finished)) {
			uint64_t now = task_now_ns();
			if (now >= deadline)
				return -ETIMEDOUT;
			futex_wait(&s->finished, 0, deadline - now, 0);
		}
	}
	return 0;
}

/* Resident stack memory per coroutine, as repetition metrics: one mincore over the pool
 * (which keeps its pages between repetitions: the deepest use so far). */
static void stack_metrics(struct run *r, struct cdrv *d)
{
	if (!d->n || !coro_pool.base)
		return;
	size_t page = (size_t)sysconf(_SC_PAGESIZE), npages = d->stack_size / page;
	size_t len = (size_t)(pool_slot(d->n - 1) + d->stack_size - coro_pool.base);
	unsigned char *vec = malloc(len / page);
	if (!vec || mincore(coro_pool.base, len, vec)) {
		free(vec);
		return;
	}
	uint64_t total = 0, max = 0;
	for (unsigned i = 0; i < d->n; i++) {
		const unsigned char *v = vec + (size_t)(pool_slot(i) - coro_pool.base) / page;
		uint64_t k = 0;
		for (size_t p = 0; p < npages; p++)
			k += v[p] & 1;
		total += k;
		max = k > max ? k : max;
	}
	free(vec);
	run_metric(r, "coro_stack_kb", (double)total * (double)page / 1024.0 / d->n);
	run_metric(r, "coro_stack_kb_max", (double)max * (double)page / 1024.0);
	run_metric(r, "coro_meta_kb", (double)(sizeof(struct coro) + sizeof(struct task) +
	                                       (d->backend == BACKEND_UCONTEXT ? sizeof(ucontext_t) : 0)) / 1024.0);
}

static void coro_account(struct run *r)
{
	struct cdrv *d = r->drv_priv;
	if (wait_finished(d, 5) == 0)
		stack_metrics(r, d);
}

static void ticker_stop(struct cdrv *d)
{
	if (!d->ticker_ok)
		return;
	atomic_store(&d->ticker_stop, 1);
	atomic_store(&d->ticker_sleep, 0);
	futex_wake(&d->ticker_sleep, 1, 0);
	pthread_join(d->ticker, NULL);
	d->ticker_ok = 0;
}

static int coro_join(struct run *r)
{
	struct cdrv *d = r->drv_priv;
	/* The ticker reads the running coroutine's task: it must be gone before the runner
	 * frees the tasks (after join, before cleanup). */
	ticker_stop(d);
	if (wait_finished(d, 5)) {
		snprintf(r->err, sizeof r->err, "coroutine scheduler threads did not finish their coroutines");
		return -1;
	}
	for (unsigned i = 0; i < d->n; i++) {
		if (d->coros[i].t && d->coros[i].rc) {
			snprintf(r->err, sizeof r->err, "worker %u failed: %s", i, r->sh->slot[i].err);
			return -1;
		}
	}
	return 0;
}

static void coro_cleanup(struct run *r)
{
	struct cdrv *d = r->drv_priv;
	if (!d)
		return;
	ticker_stop(d);
	for (unsigned i = 0; d->sched && i < d->nsched; i++) {
		struct sched *s = &d->sched[i];
		if (s->th_ok) {
			atomic_store(&s->shutdown, 1);
			poke(s);
			pthread_join(s->th, NULL);
		}
		free(s->own);
		free(s->heap);
		fdw_free(s);
		if (s->altstack)
			munmap(s->altstack, CORO_ALTSTACK);
	}
	atomic_store(&coro_active, NULL);
	segv_restore();
	for (unsigned i = 0; d->coros && i < d->n; i++) {
		struct coro *c = &d->coros[i];
#if CORO_VALGRIND
		if (c->lo)
			VALGRIND_STACK_DEREGISTER(c->vg_stack);
#endif
		free(c->uc);
#if CORO_TSAN
		if (c->tsan_fiber)
			__tsan_destroy_fiber(c->tsan_fiber);
#endif
	}
	for (unsigned i = 0; i < d->nblocks; i++)
		munmap(d->blocks[i], d->bsizes[i]);
	free(d->blocks);
	free(d->bsizes);
	free(d->coros);
	free(d->buckets);
	free(d->sched);
	free(d);
	r->drv_priv = NULL;
}

const struct driver_ops driver_coroutine = {
	.name = "coroutine",
	.summary = "coroutines on one OS thread (gevent-like) or on threads=T pinned schedulers; "
	           "asm or ucontext switch, pooled stacks with canaries and guard pages",
	.version = DRIVER_API_VERSION,
	.flags = DRIVER_SHARED_AS | DRIVER_COOPERATIVE | DRIVER_INHERIT_FDS | DRIVER_SELF_ACCOUNTING | DRIVER_MESSAGES,
	.model = DRIVER_MODEL_COROUTINES,
	.color = "#2ca02c",
	.metric_prefix = "coro_",
	.knobs = coro_knobs,
	.init = coro_init,
	.shm_alloc = coro_shm_alloc,
	.spawn = coro_spawn,
	.start = coro_start,
	.stop = coro_stop,
	.join = coro_join,
	.account = coro_account,
	.cleanup = coro_cleanup,
	.checkpoint = coro_checkpoint,
	.yield = coro_yield,
	.sleep_ns = coro_sleep_ns,
	.wait = coro_wait,
	.wake = coro_wake,
	.wait_fd = coro_wait_fd,
};
