/* The coroutine driver: the bare switch primitive, round-robin yields, timers in deadline
 * order, futex-shaped wait/wake (EAGAIN, timeouts, FIFO, counts, cross-thread), stop waking
 * every sleeper and waiter, the stack guard page and canary, the limits, many coroutines, starvation without
 * slice_us and sharing with it, accounting, crashes. Test workloads are defined here (the
 * crashing and failing ones are shared, in tests/faulty.c); every one uses the task API alone,
 * as real workloads do. */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "drivers/coro_switch.h"
#include "drivers/driver.h"
#include "tests/faulty.h"
#include "tests/test.h"
#include "bench/machine/topo.h"
#include "tests/util.h"
#include "workloads/workload.h"

static const char *backends[] = { "backend=fast", "backend=ucontext" };

static double rep_num(json_t *cell, const char *key)
{
	return json_number_value(json_object_get(tcell_rep0(cell), key));
}

static double worker_num(json_t *cell, const char *key, unsigned i)
{
	return json_number_value(json_array_get(json_object_get(tcell_rep0(cell), key), i));
}

/* ---- the bare primitive ---- */

#if CORO_SWITCH_ASM
static void *main_sp, *ring_sp[3];
static int ring_log[64], ring_n;

static void ring_fn(void *arg)
{
	int me = (int)(intptr_t)arg;
	/* Many live values across the switches: they sit in callee-saved registers (and d8-d15
	 * on aarch64), which the switch must preserve. */
	volatile int sink = 0;
	long a = me * 1000 + 1, b = me * 1000 + 2, c = me * 1000 + 3, d = me * 1000 + 4, e = me * 1000 + 5;
	double x = me + 0.25, y = me + 0.5;
	for (int round = 0; round < 5; round++) {
		ring_log[ring_n++] = me;
		coro_switch(&ring_sp[me], me == 2 ? main_sp : ring_sp[me + 1]);
		sink += (int)(a + b + c + d + e);
		if (a != me * 1000 + 1 || b != me * 1000 + 2 || c != me * 1000 + 3 || d != me * 1000 + 4 ||
		    e != me * 1000 + 5 || x != me + 0.25 || y != me + 0.5)
			ring_log[ring_n++] = -1;
	}
	(void)sink;
	ring_log[ring_n++] = 10 + me;
	coro_switch(&ring_sp[me], main_sp);
	abort();
}
#endif

TEST(coroutine, switch_primitive_runs_a_ring_and_preserves_registers)
{
#if CORO_SWITCH_ASM
	static char stacks[3][32768] __attribute__((aligned(16)));
	for (int i = 0; i < 3; i++)
		ring_sp[i] = coro_make(stacks[i] + sizeof stacks[i], ring_fn, (void *)(intptr_t)i);
	long keep1 = 4242, keep2 = 777;
	double kd = 3.5;
	for (int round = 0; round < 6; round++) {
		/* main -> 0 -> 1 -> 2 -> main: each round appends 0 1 2 (the last: 10 11 12 too) */
		coro_switch(&main_sp, ring_sp[0]);
		CHECK_EQ_INT(keep1, 4242);
		CHECK_EQ_INT(keep2, 777);
		CHECK(kd == 3.5);
		if (round == 4) { /* after 5 rounds, each context finishes on its next resume */
			CHECK_EQ_INT(ring_n, 15);
			break;
		}
	}
	for (int i = 0; i < 3; i++)
		coro_switch(&main_sp, ring_sp[i]);
	for (int i = 0; i < 15; i++)
		CHECK_EQ_INT(ring_log[i], i % 3);
	CHECK_EQ_INT(ring_n, 18);
	for (int i = 0; i < 3; i++)
		CHECK_EQ_INT(ring_log[15 + i], 10 + i);
#endif
}

/* ---- yields are round-robin on one thread ---- */

#define RR_ROUNDS 50
struct log_shared { _Atomic unsigned n; int log[16384]; uint64_t key[16384]; };

static int log_setup(struct run *r)
{
	r->wl_shared = task_shm_alloc(r, sizeof(struct log_shared));
	return r->wl_shared ? 0 : run_fail(r, "no memory");
}

static void log_add(struct run *r, int v, uint64_t key)
{
	struct log_shared *s = r->wl_shared;
	unsigned i = atomic_fetch_add(&s->n, 1);
	if (i < 16384) {
		s->log[i] = v;
		s->key[i] = key;
	}
}

static int rr_run(struct task *t)
{
	for (int k = 0; k < RR_ROUNDS; k++) {
		log_add(t->run, (int)t->id, 0);
		task_ops(t, 1);
		task_yield(t);
	}
	return 0;
}

static int rr_verify(struct run *r)
{
	struct log_shared *s = r->wl_shared;
	if (atomic_load(&s->n) != r->nworkers * RR_ROUNDS)
		return run_fail(r, "%u log entries", atomic_load(&s->n));
	for (unsigned i = 0; i < r->nworkers * RR_ROUNDS; i++)
		if (s->log[i] != (int)(i % r->nworkers))
			return run_fail(r, "entry %u is worker %d, expected %u", i, s->log[i], i % r->nworkers);
	return 0;
}

static const struct workload wl_rr = { .name = "t-rr", .summary = "yield round robin",
	                               .version = WORKLOAD_API_VERSION, .flags = WORKLOAD_SELF_BOUNDED,
	                               .min_workers = 1, .primary_metric = "ops_per_s",
	                               .setup = log_setup, .run = rr_run, .verify = rr_verify };

TEST(coroutine, yield_is_round_robin_on_one_thread)
{
	for (unsigned b = 0; b < 2; b++) {
		json_t *root = tcell_run_ok(&(struct tcell){ .wl = &wl_rr, .driver = "coroutine", .workers = 5,
		                                             .knobs = { backends[b] } });
		CHECK_NEAR(rep_num(tcell_cell(root), "fairness"), 1, 1e-9);
		json_decref(root);
	}
}

/* ---- timers fire in deadline order ---- */

static int timers_run(struct task *t)
{
	uint64_t x = 0x9e3779b97f4a7c15ull * (t->id + 1);
	for (int k = 0; k < 6; k++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		uint64_t dur = 200000 + x % 3000000; /* 0.2 .. 3.2 ms */
		uint64_t deadline = task_now_ns() + dur;
		if (task_sleep_ns(t, dur))
			return task_fail(t, "sleep cut short");
		if (task_now_ns() < deadline)
			return task_fail(t, "woke %llu ns early", (unsigned long long)(deadline - task_now_ns()));
		log_add(t->run, (int)t->id, deadline);
		task_ops(t, 1);
	}
	return 0;
}

static int timers_verify(struct run *r)
{
	struct log_shared *s = r->wl_shared;
	unsigned n = atomic_load(&s->n);
	if (n != r->nworkers * 6)
		return run_fail(r, "%u wake-ups", n);
	/* Each worker computed its deadline a few ns before the driver did: allow 50 us of skew. */
	for (unsigned i = 1; i < n; i++)
		if (s->key[i] + 50000 < s->key[i - 1])
			return run_fail(r, "wake-up %u (worker %d) has an earlier deadline than wake-up %u (worker %d)", i,
			                s->log[i], i - 1, s->log[i - 1]);
	return 0;
}

static const struct workload wl_timers = { .name = "t-timers", .summary = "sleeps fire in order",
	                                   .version = WORKLOAD_API_VERSION, .flags = WORKLOAD_SELF_BOUNDED,
	                                   .min_workers = 1, .primary_metric = "ops_per_s",
	                                   .setup = log_setup, .run = timers_run, .verify = timers_verify };

/* The order check compares each worker's own deadline, read a few ns before the driver reads
 * the clock: a preemption of the scheduler thread between the two reads (seen under TSan on a
 * loaded machine) shifts one deadline by the length of the preemption. So up to 3 attempts per
 * backend; a scheduler that fires timers out of order fails every one. */
TEST(coroutine, timers_fire_in_deadline_order)
{
	for (unsigned b = 0; b < 2; b++) {
		char why[512] = "";
		int ok = 0;
		for (int attempt = 0; attempt < 3 && !ok; attempt++) {
			json_t *root = tcell_run(&(struct tcell){ .wl = &wl_timers, .driver = "coroutine", .workers = 40,
			                                          .knobs = { backends[b] } });
			json_t *cell = tcell_cell(root);
			ok = !strcmp(tcell_status(cell), "ok");
			if (!ok)
				snprintf(why, sizeof why, "%s", tcell_error(cell) ? tcell_error(cell) : "?");
			json_decref(root);
		}
		if (!ok)
			TEST_FAIL("%s: 3 attempts failed, the last: %s", backends[b], why);
	}
}

/* ---- wait/wake semantics, scripted on one thread (cooperative: deterministic order) ---- */

struct ww_shared {
	_Atomic unsigned w, w2, w3, phase, arrivals, woke, first_arrival, abort;
	_Atomic int rc_woken_timed;
};

static int ww_setup(struct run *r)
{
	r->wl_shared = task_shm_alloc(r, sizeof(struct ww_shared));
	return r->wl_shared ? 0 : run_fail(r, "no memory");
}

/* On a failed expectation: release everyone (self-bounded workload) and fail. */
static int ww_fail(struct task *t, const char *what, int got, int want)
{
	struct ww_shared *s = t->run->wl_shared;
	atomic_store(&s->abort, 1);
	atomic_store(&s->phase, 99);
	task_wake(t, &s->w, INT_MAX);
	task_wake(t, &s->w2, INT_MAX);
	return task_fail(t, "%s: got %d, expected %d", what, got, want);
}

#define EXPECT_RC(call, want)                                           \
	do {                                                            \
		int _r = (call);                                        \
		if (_r != (int)(want))                                  \
			return ww_fail(t, #call, _r, (int)(want));      \
	} while (0)

static int ww_run(struct task *t)
{
	struct ww_shared *s = t->run->wl_shared;
	unsigned n = t->run->nworkers;
	task_ops(t, 1);
	if (t->id == 0) {
		/* Alone: the others yield until phase 1. */
		EXPECT_RC(task_wake(t, &s->w, 1), 0);
		EXPECT_RC(task_wait(t, &s->w, 1, TASK_FOREVER), -EAGAIN);
		EXPECT_RC(task_wait(t, &s->w, 0, 2000000), -ETIMEDOUT);
		EXPECT_RC(task_wait(t, &s->w, 0, 0), -ETIMEDOUT);
		atomic_store(&s->phase, 1);
		while (atomic_load(&s->arrivals) < n - 1)
			task_yield(t);
		EXPECT_RC(task_wake(t, &s->w2, INT_MAX), 0); /* another word: nobody */
		EXPECT_RC(task_wake(t, &s->w, 0), 0);        /* n = 0: nobody either */
		EXPECT_RC(task_wake(t, &s->w, 1), 1);
		for (int k = 0; k < 3; k++)
			task_yield(t);
		EXPECT_RC(atomic_load(&s->woke), 1);
		EXPECT_RC(atomic_load(&s->first_arrival), 0); /* FIFO: the first waiter first */
		EXPECT_RC(task_wake(t, &s->w, INT_MAX), n - 2);
		for (int k = 0; k < 3; k++)
			task_yield(t);
		EXPECT_RC(atomic_load(&s->woke), n - 1);
		EXPECT_RC(task_wake(t, &s->w, INT_MAX), 0);
		/* the first woken now waits on w2 with a 10 s timeout: a wake beats the timer */
		while (atomic_load(&s->phase) != 2)
			task_yield(t);
		EXPECT_RC(task_wake(t, &s->w2, 1), 1);
		while (atomic_load(&s->phase) != 3)
			task_yield(t);
		EXPECT_RC(atomic_load(&s->rc_woken_timed), 0);
		return 0;
	}
	while (atomic_load(&s->phase) == 0)
		task_yield(t);
	unsigned arrival = atomic_fetch_add(&s->arrivals, 1);
	int rc = task_wait(t, &s->w, 0, TASK_FOREVER);
	if (atomic_load(&s->abort))
		return 0;
	if (rc)
		return task_fail(t, "wait returned %d, expected 0", rc);
	if (atomic_fetch_add(&s->woke, 1) == 0) {
		atomic_store(&s->first_arrival, arrival);
		atomic_store(&s->phase, 2);
		atomic_store(&s->rc_woken_timed, task_wait(t, &s->w2, 0, 10000000000ull));
		/* that wait's timer must be gone: this short one fires normally */
		rc = task_wait(t, &s->w3, 0, 1000000);
		if (rc != -ETIMEDOUT)
			return task_fail(t, "short timed wait returned %d, expected %d", rc, -ETIMEDOUT);
		atomic_store(&s->phase, 3);
	}
	return 0;
}

static const struct workload wl_ww = { .name = "t-waitwake", .summary = "scripted wait/wake",
	                               .version = WORKLOAD_API_VERSION, .flags = WORKLOAD_SELF_BOUNDED,
	                               .min_workers = 3, .primary_metric = "ops_per_s",
	                               .setup = ww_setup, .run = ww_run };

TEST(coroutine, wait_wake_semantics)
{
	for (unsigned b = 0; b < 2; b++) {
		json_t *root = tcell_run_ok(&(struct tcell){ .wl = &wl_ww, .driver = "coroutine", .workers = 6,
		                                             .knobs = { backends[b] } });
		json_decref(root);
	}
}

/* ---- a mutex-protected plain counter: no lost updates, one thread or several ---- */

struct mx_shared { struct task_mutex m; uint64_t counter; };

static int mx_setup(struct run *r)
{
	r->wl_shared = task_shm_alloc(r, sizeof(struct mx_shared));
	return r->wl_shared ? 0 : run_fail(r, "no memory");
}

static int mx_run(struct task *t)
{
	struct mx_shared *s = t->run->wl_shared;
	uint64_t k = 0;
	while (!task_should_stop(t)) {
		task_mutex_lock(t, &s->m);
		uint64_t v = *(volatile uint64_t *)&s->counter;
		if (++k % 3 == 0)
			task_yield(t); /* holders switch inside the section: the others must block */
		*(volatile uint64_t *)&s->counter = v + 1;
		task_mutex_unlock(t, &s->m);
		task_ops(t, 1);
		task_checkpoint(t);
	}
	return 0;
}

static int mx_verify(struct run *r)
{
	struct mx_shared *s = r->wl_shared;
	if (s->counter != run_total_ops(r))
		return run_fail(r, "counter %llu != %llu ops: lost updates", (unsigned long long)s->counter,
		                (unsigned long long)run_total_ops(r));
	if (!s->counter)
		return run_fail(r, "no progress");
	return 0;
}

static const struct workload wl_mx = { .name = "t-mutex", .summary = "mutex counter",
	                               .version = WORKLOAD_API_VERSION, .min_workers = 1,
	                               .primary_metric = "ops_per_s", .setup = mx_setup, .run = mx_run,
	                               .verify = mx_verify };

TEST(coroutine, mutex_counter_has_no_lost_updates)
{
	static const char *threads[] = { "threads=1", "threads=2", "threads=3" };
	for (unsigned b = 0; b < 2; b++)
		for (unsigned k = 0; k < 3; k++) {
			json_t *root = tcell_run_ok(&(struct tcell){ .wl = &wl_mx, .driver = "coroutine", .workers = 6,
			                                             .duration_s = 0.1, .knobs = { backends[b], threads[k] } });
			json_decref(root);
		}
}

/* ---- ping-pong through wait/wake, on one thread and across two ---- */

struct pp_shared { _Atomic unsigned turn; _Atomic uint64_t count[2]; };

static int pp_setup(struct run *r)
{
	r->wl_shared = task_shm_alloc(r, sizeof(struct pp_shared));
	return r->wl_shared ? 0 : run_fail(r, "no memory");
}

static int pp_run(struct task *t)
{
	struct pp_shared *s = t->run->wl_shared;
	unsigned me = t->id;
	while (!task_should_stop(t)) {
		unsigned v = atomic_load(&s->turn);
		if (v % 2 != me) {
			task_wait(t, &s->turn, v, TASK_FOREVER);
			continue;
		}
		atomic_fetch_add(&s->count[me], 1);
		atomic_store(&s->turn, v + 1);
		task_wake(t, &s->turn, 1);
		task_ops(t, 1);
	}
	return 0;
}

static int pp_verify(struct run *r)
{
	struct pp_shared *s = r->wl_shared;
	uint64_t a = atomic_load(&s->count[0]), b = atomic_load(&s->count[1]);
	if (a < 1 || (a != b && a != b + 1))
		return run_fail(r, "turns %llu and %llu", (unsigned long long)a, (unsigned long long)b);
	return 0;
}

static const struct workload wl_pp = { .name = "t-pingpong", .summary = "strict alternation",
	                               .version = WORKLOAD_API_VERSION, .min_workers = 2,
	                               .primary_metric = "ops_per_s", .setup = pp_setup, .run = pp_run,
	                               .verify = pp_verify };

TEST(coroutine, pingpong_on_one_and_two_threads)
{
	static const char *threads[] = { "threads=1", "threads=2" };
	for (unsigned b = 0; b < 2; b++)
		for (unsigned k = 0; k < 2; k++) {
			json_t *root = tcell_run_ok(&(struct tcell){ .wl = &wl_pp, .driver = "coroutine", .workers = 2,
			                                             .duration_s = 0.1, .knobs = { backends[b], threads[k] } });
			json_t *cell = tcell_cell(root);
			CHECK(worker_num(cell, "worker_ops", 0) >= 1);
			CHECK(fabs(worker_num(cell, "worker_ops", 0) - worker_num(cell, "worker_ops", 1)) <= 1);
			json_decref(root);
		}
}

/* ---- stop wakes every sleeper and waiter ---- */

struct stuck_shared { _Atomic unsigned never; struct task_sem sem; struct task_barrier bar; };

static int stuck_setup(struct run *r)
{
	struct stuck_shared *s = task_shm_alloc(r, sizeof *s);
	if (!s)
		return run_fail(r, "no memory");
	task_barrier_init(&s->bar, r->nworkers + 1); /* never complete */
	r->wl_shared = s;
	return 0;
}

static int stuck_run(struct task *t)
{
	struct stuck_shared *s = t->run->wl_shared;
	task_ops(t, 1);
	switch (t->id % 4) {
	case 0: return task_sleep_ns(t, 3600ull * 1000000000ull) == -ECANCELED ? 0 : task_fail(t, "sleep not cancelled");
	case 1:
		while (!task_should_stop(t))
			task_wait(t, &s->never, 0, TASK_FOREVER);
		return 0;
	case 2: return task_sem_down(t, &s->sem) == -ECANCELED ? 0 : task_fail(t, "sem_down not cancelled");
	default: return task_barrier_wait(t, &s->bar) == -ECANCELED ? 0 : task_fail(t, "barrier not cancelled");
	}
}

static const struct workload wl_stuck = { .name = "t-stuck", .summary = "blocked until stopped",
	                                  .version = WORKLOAD_API_VERSION, .min_workers = 1,
	                                  .primary_metric = "ops_per_s", .setup = stuck_setup, .run = stuck_run };

TEST(coroutine, stop_wakes_every_sleeper_and_waiter)
{
	static const char *threads[] = { "threads=1", "threads=2" };
	for (unsigned b = 0; b < 2; b++)
		for (unsigned k = 0; k < 2; k++) {
			json_t *root = tcell_run_ok(&(struct tcell){ .wl = &wl_stuck, .driver = "coroutine", .workers = 8,
			                                             .reps = 2, .knobs = { backends[b], threads[k] } });
			json_decref(root);
		}
}

/* ---- stack overflow hits the guard page and fails the cell with a clear reason ---- */

static int deep(int d)
{
	volatile char buf[256];
	buf[0] = (char)d;
	return d ? deep(d - 1) + buf[0] : 0;
}

/* The others: an op and a 1 ms sleep until the run stops. */
static int tick_until_stop(struct task *t)
{
	while (!task_should_stop(t)) {
		task_ops(t, 1);
		task_sleep_ns(t, 1000000);
	}
	return 0;
}

/* Runs wl under both backends with knobs; the cell fails with an error holding want and want2. */
static void expect_overflow(const struct workload *wl, unsigned workers, const char *k1, const char *k2,
                            const char *want, const char *want2)
{
	for (unsigned b = 0; b < 2; b++) {
		json_t *root = tcell_run(&(struct tcell){ .wl = wl, .driver = "coroutine", .workers = workers,
		                                          .knobs = { backends[b], k1, k2 } });
		json_t *cell = tcell_cell(root);
		CHECK_STR(tcell_status(cell), "failed");
		CHECK_CONTAINS(tcell_error(cell), want);
		CHECK_CONTAINS(tcell_error(cell), want2);
		json_decref(root);
		CHECK_EQ_INT(tcount_children(), 0);
		/* the next cell runs normally */
		root = tcell_run_ok(&(struct tcell){ .workload = "cpu-spin", .driver = "coroutine", .workers = 2,
		                                     .knobs = { backends[b] } });
		json_decref(root);
	}
}

static int overflow_run(struct task *t)
{
	if (t->id == 1)
		task_ops(t, (uint64_t)deep(1 << 22));
	return tick_until_stop(t);
}

static const struct workload wl_overflow = { .name = "t-overflow", .summary = "worker 1 recurses forever",
	                                     .version = WORKLOAD_API_VERSION, .min_workers = 2,
	                                     .primary_metric = "ops_per_s", .run = overflow_run };

TEST(coroutine, stack_overflow_hits_the_guard_page)
{
	/* A guard below every stack: worker 1 recurses into its own (with guard_every > 1 it would
	 * run through worker 0's frames first, which ASan builds report themselves). */
	expect_overflow(&wl_overflow, 3, "stack_kb=16", "guard_every=1", "coroutine 1 overflowed its 16 KiB stack",
	                "guard page");
	/* The default: the recursion runs through worker 0's slot into the guard below the pool,
	 * and the message still names the coroutine that ran (not the slot above the guard). */
	if (!strcmp(BENCH_SANITIZER, "none"))
		expect_overflow(&wl_overflow, 3, "stack_kb=16", "guard_every=64", "coroutine 1 overflowed its 16 KiB stack",
		                "guard page");
}

/* ---- an overflow between guards breaks the canary below the stack: caught at the switch ---- */

/* Worker 3 (the highest slot) writes a local array larger than its stack, as a real overflow
 * with a big buffer does, into the slots below it, returns, then blocks: the switch away finds
 * the canary below its stack overwritten. Not instrumented: ASan would report the write itself
 * (it knows the coroutine's stack bounds), and this is about the driver's own check. */
__attribute__((noinline, no_sanitize_address)) static uint64_t big_frame(size_t len)
{
	volatile char *buf = __builtin_alloca(len);
	for (size_t i = 0; i < len; i++)
		buf[i] = 0x5c;
	return (uint64_t)buf[len / 2];
}

static int big_frame_run(struct task *t)
{
	if (t->id == 3)
		task_ops(t, big_frame(strcmp(BENCH_SANITIZER, "none") ? 36u << 10 : 12u << 10));
	return tick_until_stop(t);
}

static const struct workload wl_big_frame = { .name = "t-big-frame", .summary = "worker 3 overflows its stack once",
	                                      .version = WORKLOAD_API_VERSION, .min_workers = 4,
	                                      .primary_metric = "ops_per_s", .run = big_frame_run };

TEST(coroutine, overflow_between_guards_breaks_the_canary)
{
	/* 4 KiB stacks (16 in sanitizer builds), no guard but the pool's: the array lands in the
	 * slots of workers 2, 1 (and 0), not in a guard. */
	expect_overflow(&wl_big_frame, 4, "stack_kb=4", "guard_every=0", "coroutine 3 overflowed its 4 KiB stack",
	                "canary");
}

/* ---- a worker crashing for another reason is reported as before ---- */

TEST(coroutine, crash_and_failure_are_reported)
{
	json_t *root = tcell_run(&(struct tcell){ .wl = &faulty_crash, .driver = "coroutine", .workers = 3 });
	CHECK_STR(tcell_status(tcell_cell(root)), "failed");
	/* Sanitizers catch SIGSEGV themselves and exit with status 1. */
	CHECK_CONTAINS(tcell_error(tcell_cell(root)), strcmp(BENCH_SANITIZER, "none") ? "exited with status" : "signal 11");
	json_decref(root);
	root = tcell_run(&(struct tcell){ .wl = &faulty_fail, .driver = "coroutine", .workers = 3,
	                                  .knobs = { "fail_worker=1" } });
	CHECK_STR(tcell_status(tcell_cell(root)), "failed");
	CHECK_CONTAINS(tcell_error(tcell_cell(root)), "worker 1 failed: deliberate failure 42");
	json_decref(root);
	CHECK_EQ_INT(tcount_children(), 0);
}

/* ---- many coroutines sleeping: little CPU, little memory each ---- */

static int sleepy_run(struct task *t)
{
	task_ops(t, 1);
	return task_sleep_ns(t, 200000000) ? task_fail(t, "sleep cut short") : 0; /* 0.2 s */
}

static const struct workload wl_sleepy = { .name = "t-sleepy", .summary = "sleeps once",
	                                   .version = WORKLOAD_API_VERSION, .flags = WORKLOAD_SELF_BOUNDED,
	                                   .min_workers = 1, .primary_metric = "ops_per_s", .run = sleepy_run };

TEST_T(coroutine, ten_thousand_sleeping_coroutines, 300)
{
	int san = strcmp(BENCH_SANITIZER, "none") != 0;
	unsigned n = san ? 2000 : 10000;
	json_t *root = tcell_run_ok(&(struct tcell){ .wl = &wl_sleepy, .driver = "coroutine", .workers = n,
	                                             .timeout_s = 120 });
	json_t *cell = tcell_cell(root);
	CHECK_EQ_INT(rep_num(cell, "ops"), n);
	CHECK_NEAR(rep_num(cell, "fairness"), 1, 1e-9);
	CHECK(rep_num(cell, "wall_s") >= 0.2);
	/* Asleep for most of the run: the thread sleeps in the kernel, it does not poll.
	 * Generous, as waking 10000 coroutines twice costs CPU too; not under sanitizers,
	 * whose switches cost that much more. */
	if (!san)
		CHECK(rep_num(cell, "util_cores") < 0.5);
	double stack_kb = rep_num(cell, "coro_stack_kb");
	CHECK(stack_kb > 0 && stack_kb < 100);
	json_decref(root);
}

/* ---- a hundred thousand coroutines: stacks from a pool, not a mapping each ---- */

TEST_T(coroutine, a_hundred_thousand_coroutines, 300)
{
	/* Twice vm.max_map_count (65530 by default) guarded stacks would not fit; pooled ones
	 * do, two repetitions in a row (the second reuses the pool). */
	/* Sanitizers: fewer (ASan's shadow of 100k stacks is slow), and under TSan, whose fibers
	 * (one per coroutine, drivers/coroutine.c) count against its 8128-thread limit, fewer
	 * still: a TSan cell of 20000 coroutines died with "Thread limit (8128 threads) exceeded". */
	int san = strcmp(BENCH_SANITIZER, "none") != 0, tsan = !strcmp(BENCH_SANITIZER, "tsan");
	unsigned n = tsan ? 4000 : san ? 20000 : 100000;
	json_t *root = tcell_run_ok(&(struct tcell){ .wl = &wl_sleepy, .driver = "coroutine", .workers = n,
	                                             .reps = 2, .timeout_s = 200, .knobs = { "stack_kb=8" } });
	json_t *cell = tcell_cell(root);
	for (unsigned k = 0; k < 2; k++) {
		json_t *rep = json_array_get(json_object_get(cell, "reps"), k);
		CHECK_EQ_INT(tcell_num(rep, "ops"), n);
		/* one page of stack each, whatever the reservation */
		CHECK(tcell_num(rep, "coro_stack_kb") <= 8);
		if (!tsan) /* TSan keeps its own state per fiber, in the cell's memory */
			CHECK(tcell_num(rep, "mem_per_worker_kb") < 16);
	}
	json_decref(root);
}

/* ---- limits: the cell fails at setup, naming the limit and what it needs ---- */

TEST(coroutine, limits_fail_the_cell_with_the_value_needed)
{
	/* A guard below every stack: two kernel maps each, over vm.max_map_count. */
	FILE *f = fopen("/proc/sys/vm/max_map_count", "r");
	unsigned long maps = 0;
	CHECK(f && fscanf(f, "%lu", &maps) == 1);
	fclose(f);
	if (maps / 2 + 100 <= 1000000) {
		char n[32];
		snprintf(n, sizeof n, "%lu", maps / 2 + 100);
		json_t *root = tcell_run(&(struct tcell){ .workload = "cpu-spin", .driver = "coroutine",
		                                          .workers = (unsigned)(maps / 2 + 100), .knobs = { "guard_every=1" } });
		json_t *cell = tcell_cell(root);
		CHECK_STR(tcell_status(cell), "failed");
		CHECK_CONTAINS(tcell_error(cell), "vm.max_map_count = ");
		CHECK_CONTAINS(tcell_error(cell), "or a higher guard_every");
		json_decref(root);
	}
	/* The address-space limit, lowered in this test's process (the cell inherits it); not
	 * under sanitizers, whose shadow memory needs far more address space. */
	if (strcmp(BENCH_SANITIZER, "none"))
		return;
	struct rlimit rl = { .rlim_cur = 2ul << 30, .rlim_max = RLIM_INFINITY };
	CHECK(getrlimit(RLIMIT_AS, &rl) == 0);
	rl.rlim_cur = 2ul << 30;
	CHECK(setrlimit(RLIMIT_AS, &rl) == 0);
	json_t *root = tcell_run(&(struct tcell){ .workload = "cpu-spin", .driver = "coroutine", .workers = 50000,
	                                          .knobs = { "stack_kb=64" } });
	json_t *cell = tcell_cell(root);
	CHECK_STR(tcell_status(cell), "failed");
	CHECK_CONTAINS(tcell_error(cell), "address-space limit (RLIMIT_AS, ulimit -v) is 2097152 KiB");
	CHECK_CONTAINS(tcell_error(cell), "it needs");
	json_decref(root);
	CHECK_EQ_INT(tcount_children(), 0);
}

/* ---- starvation without slice_us, sharing with it; accounting follows the work ---- */

TEST(coroutine, cpu_spin_starves_without_slice_and_shares_with_it)
{
	json_t *root = tcell_run_ok(&(struct tcell){ .workload = "cpu-spin", .driver = "coroutine", .workers = 4,
	                                             .duration_s = 0.2 });
	json_t *cell = tcell_cell(root);
	/* gevent semantics: the first coroutine (in spawn order) never yields, the others never run */
	CHECK(worker_num(cell, "worker_ops", 0) > 0);
	for (unsigned i = 1; i < 4; i++)
		CHECK_EQ_INT(worker_num(cell, "worker_ops", i), 0);
	CHECK_NEAR(rep_num(cell, "fairness"), 0.25, 1e-9);
	/* the CPU time is the hog's: the others ran only to the gate and back */
	double cpu0 = worker_num(cell, "worker_cpu_s", 0), rest = 0;
	for (unsigned i = 1; i < 4; i++)
		rest += worker_num(cell, "worker_cpu_s", i);
	CHECK(cpu0 > 0 && rest < 0.05 * cpu0);
	json_decref(root);

	/* Time slices: every coroutine gets its turns. On a loaded machine one repetition can be
	 * lopsided (the ticker thread starved while the scheduler ran): the best of three counts. */
	for (unsigned b = 0; b < 2; b++) {
		root = tcell_run_ok(&(struct tcell){ .workload = "cpu-spin", .driver = "coroutine", .workers = 4,
		                                     .duration_s = 0.3, .reps = 3, .knobs = { "slice_us=1000", backends[b] } });
		cell = tcell_cell(root);
		double best = 0;
		for (unsigned k = 0; k < 3; k++) {
			json_t *rep = json_array_get(json_object_get(cell, "reps"), k);
			double f = json_number_value(json_object_get(rep, "fairness"));
			best = f > best ? f : best;
			for (unsigned i = 0; i < 4; i++)
				CHECK(json_number_value(json_array_get(json_object_get(rep, "worker_ops"), i)) > 0);
		}
		CHECK(best > 0.7);
		json_decref(root);
	}
}

TEST(coroutine, threads_share_the_coroutines_and_pin)
{
	int npus = topo_npus(), last = npus - 1;
	char pin[32];
	snprintf(pin, sizeof pin, "pus:%d", last);
	json_t *root = tcell_run_ok(&(struct tcell){ .workload = "cpu-spin", .driver = "coroutine", .workers = 3,
	                                             .pin = pin, .knobs = { "threads=1" } });
	json_t *cell = tcell_cell(root);
	for (unsigned i = 0; i < 3; i++) {
		CHECK_EQ_INT(worker_num(cell, "bound_pu", i), last);
		CHECK_EQ_INT(worker_num(cell, "last_cpu", i), last);
	}
	json_decref(root);
	/* two schedulers, spread: worker i runs on scheduler i % 2, bound to the PU of worker i % 2;
	 * each scheduler starves all but one coroutine (which one: whichever passed the gate
	 * first; the other scheduler may open it while this one's last coroutine is on its way) */
	root = tcell_run_ok(&(struct tcell){ .workload = "cpu-spin", .driver = "coroutine", .workers = 4,
	                                     .knobs = { "threads=2" } });
	cell = tcell_cell(root);
	json_t *pl = json_object_get(cell, "placement");
	for (unsigned i = 0; i < 4; i++)
		CHECK_EQ_INT(worker_num(cell, "bound_pu", i), json_integer_value(json_array_get(pl, i % 2)));
	for (unsigned k = 0; k < 2; k++)
		CHECK((worker_num(cell, "worker_ops", k) > 0) + (worker_num(cell, "worker_ops", k + 2) > 0) == 1);
	json_decref(root);
}

/* ---- the driver's knobs ---- */

TEST(coroutine, knobs_are_declared_and_checked)
{
	const struct driver_ops *d = driver_find("coroutine");
	CHECK(d != NULL);
	static const char *names[] = { "threads", "backend", "stack_kb", "slice_us", "guard_every" };
	for (unsigned i = 0; i < 5; i++)
		CHECK(opt_find(d->knobs, names[i]) != NULL);
	struct knobval v;
	char err[200];
	CHECK(opt_parse_value(opt_find(d->knobs, "backend"), "boost", &v, err, sizeof err) == -EINVAL);
	CHECK(opt_parse_value(opt_find(d->knobs, "threads"), "0", &v, err, sizeof err) == -EINVAL);
	CHECK(d->flags & DRIVER_SELF_ACCOUNTING);
	CHECK(d->account != NULL);
}
