/* gil driver: every worker is a pthread (pinned with hwloc like the thread driver), but a
 * worker runs workload code only while it holds one global interpreter lock, modelled on
 * CPython's so that the numbers are the ones Python users see.
 *
 * New GIL (CPython 3.2+, the default), after Python/ceval_gil.c take_gil()/drop_gil() and
 * _Py_HandlePending() (3.12):
 *   - the GIL is a flag `locked`; in CPython it is guarded by a mutex and changes are
 *     signalled on a condition. Here `locked` is itself the futex word the waiters sleep on
 *     (a compare-and-swap takes it, a drop clears it and wakes one waiter): the same policy
 *     (a free GIL goes to whoever takes it first, a drop wakes one waiter), without the
 *     mutex that 10,000 threads woken at once queued on before the condition (sleep-io
 *     n=10,000: 221k context switches against the thread driver's 86k; the wall after the
 *     gate fell by 28%, 0.92 -> 0.66 s, alternating builds under load);
 *   - a thread that finds it locked waits for one switch interval (-O interval_us,
 *     sys.setswitchinterval); if it timed out and no switch happened meanwhile
 *     (switch_number unchanged) it sets gil_drop_request, which is the eval breaker: every
 *     task's t->brk points at it, so task_checkpoint() is the eval-breaker check;
 *   - one difference, for scale: in CPython every waiter arms that timer (take_gil's
 *     COND_TIMED_WAIT in its loop), so N waiters wake up every interval, together, to find
 *     that one of them would have been enough; with thousands of threads that is thousands
 *     of wake-ups and mutex acquisitions per interval, and the cost per wait grew with N
 *     (sleep-io n=2000: 1 ms per wait; n=10,000 did not finish in 65 s). Here one waiter at
 *     a time is the timer (`timer`), the others wait untimed; a timer that takes the GIL
 *     hands the role on (it wakes a waiter, which becomes the timer). The drop
 *     request still comes one interval after a waiter began timing the holder without a
 *     switch, as in CPython, where with many waiters the earliest of their timers decides;
 *     with one waiter (the convoy) it is exactly CPython's loop;
 *   - the holder honours it at its next checkpoint: drop_gil + take_gil;
 *   - FORCE_SWITCHING: a thread that drops the GIL while a drop request is pending waits on
 *     `switch_cond` until another thread has taken it (last_holder changed), so it cannot
 *     win it straight back;
 *   - every blocking call of the task API (sleep, wait, wait_fd, yield) drops the GIL before blocking
 *     and takes it back after, like Py_BEGIN_ALLOW_THREADS / Py_END_ALLOW_THREADS.
 * Legacy GIL (Python 2, -O gil_mode=legacy), after Python 2.7 Python/ceval.c (`_Py_Ticker`,
 * `_Py_CheckInterval`) and thread_pthread.h (the lock is a POSIX semaphore): the holder
 * releases and immediately re-acquires the lock every check_interval checkpoints ("ticks"),
 * with no handoff: a waiter woken by the release usually finds the lock taken again.
 * In legacy mode t->brk points at a word that is always 1, so every checkpoint enters the
 * slow path, which counts the tick (the countdown lives in the worker's driver state): an
 * indirect call per op, small beside a ~1 us op, and what Python 2 did per bytecode.
 *
 * Measured (results JSON, via the driver `metrics` hook): per worker the time spent waiting
 * for the GIL, acquisitions and forced drops; per repetition GIL switches per second, drop
 * requests and how fast they were honoured (in time and in ops), futile wake-ups (legacy). */
#define _GNU_SOURCE
#include "drivers/gil.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>

#include "bench/core/futex.h"
#include "drivers/driver.h"
#include "drivers/osdrv.h"

enum { GIL_NEW = 0, GIL_LEGACY = 1 };

#ifndef PR_FUTEX_HASH /* Linux 6.16 */
#define PR_FUTEX_HASH 78
#define PR_FUTEX_HASH_SET_SLOTS 1
#define PR_FUTEX_HASH_GET_SLOTS 2
#endif

/* One worker's GIL state and counters. Written only by its worker; read by the cell process
 * after join. */
struct gil_worker {
	struct gil *g;
	unsigned me;                  /* id + 1 (0 means "nobody") */
	int ticker;                   /* legacy: checkpoints left before the periodic release */
	uint64_t acquisitions;        /* takes of the GIL after the gate opened */
	uint64_t forced_drops;        /* drops at a checkpoint: drop request (new) / check interval (legacy) */
	uint64_t wait_ns, wait_max_ns;/* time blocked in take after the gate opened */
	uint64_t honoured;            /* drop requests aimed at this worker that it honoured */
	uint64_t lat_sum_ns, lat_max_ns;       /* request set -> dropped */
	uint64_t handoff_sum_ns, handoff_max_ns; /* requester began its timed wait -> dropped */
	uint64_t ops_after_max;       /* requester: ops the holder it asked completed after the request */
	uint64_t futile_wakeups;      /* legacy: woken by a release, found the lock taken again */
	_Atomic unsigned nap;         /* futex word of its sleeps: 1 once the run stops (gil_stop) */
} __attribute__((aligned(TASK_CACHELINE)));

struct gil {
	int mode;
	uint64_t interval_ns;
	int check_interval;
	struct run *run;
	/* new GIL (ceval_gil.c `struct _gil_runtime_state`); `locked` is also the futex word
	 * its waiters sleep on (CPython: a mutex and a condition, see the top of the file) */
	pthread_mutex_t switch_mutex;
	pthread_cond_t switch_cond;
	_Atomic unsigned locked;
	_Atomic unsigned last_holder;          /* id+1 of the last thread that took it */
	_Atomic unsigned waiting;              /* threads in wait_for_gil */
	_Atomic int timer;                     /* one of them times the holder */
	_Atomic unsigned long switch_number;   /* takes by a thread other than last_holder */
	_Atomic uint64_t drop_requests;
	/* the last drop request: when, aimed at which holder, after how long a wait */
	_Atomic uint64_t req_ns, req_wait_begin_ns;
	_Atomic unsigned req_holder;
	/* legacy GIL: a semaphore-like futex lock with no handoff */
	_Atomic unsigned llock, lwaiters;
	/* mutual exclusion check: id+1 of the holder, set in take, cleared at the start of drop */
	_Atomic unsigned holder;
	_Atomic uint64_t violations;
	/* the measurement window: gate opened .. first stop request */
	unsigned long sw_start, sw_stop;
	uint64_t t_start, t_stop;
	int stopped;
	/* eval breakers, each on its own line: gil_drop_request (new), always 1 (legacy) */
	_Atomic unsigned drop_request __attribute__((aligned(TASK_CACHELINE)));
	_Atomic unsigned always_one __attribute__((aligned(TASK_CACHELINE)));
	struct gil_worker *w;
};

static const struct knob gil_knobs[] = {
	{ "gil_mode", KNOB_ENUM, "new", 0, 0, "new|legacy",
	  "new: CPython 3.2+ GIL (switch interval, drop requests, forced switching); legacy: Python 2 "
	  "(release + re-acquire every check_interval ticks, no handoff)" },
	{ "interval_us", KNOB_INT, "5000", 1, 10000000, NULL,
	  "new GIL switch interval in microseconds (sys.setswitchinterval; CPython default 5000)" },
	{ "python_version", KNOB_ENUM, "3.13", 0, 0, "3.6|3.7|3.8|3.9|3.10|3.11|3.12|3.13",
	  "the CPython whose switch points are modelled: before 3.10 between any two bytecodes (`x += 1` can be "
	  "cut between its load and its store), from 3.10 only at back-edges and calls" },
	{ "check_interval", KNOB_INT, "100", 1, 100000000, NULL,
	  "legacy GIL: checkpoints (ticks) between periodic releases (sys.setcheckinterval; default 100)" },
	{ 0 }
};

static struct gil *gil_of(const struct run *r)
{
	struct osdrv *d = r->drv_priv;
	return d ? d->ext : NULL;
}

unsigned gil_holder(const struct task *t)
{
	const struct gil_worker *w = t->drv;
	return atomic_load(&w->g->holder);
}

/* Bookkeeping common to both modes, right after the lock is ours. */
static void took(struct gil *g, struct gil_worker *w)
{
	if (atomic_exchange(&g->holder, w->me) != 0)
		atomic_fetch_add(&g->violations, 1);
	if (atomic_load_explicit(&g->last_holder, memory_order_relaxed) != w->me) {
		atomic_store_explicit(&g->last_holder, w->me, memory_order_relaxed);
		atomic_fetch_add_explicit(&g->switch_number, 1, memory_order_relaxed);
	}
}

static void account_wait(struct gil_worker *w, uint64_t t0)
{
	if (!t0)
		return;
	uint64_t d = task_now_ns() - t0;
	w->acquisitions++;
	w->wait_ns += d;
	if (d > w->wait_max_ns)
		w->wait_max_ns = d;
}

/* ---- new GIL: take_gil() / drop_gil() of Python/ceval_gil.c ---- */

static void request_drop(struct gil *g, uint64_t wait_begin, unsigned h)
{
	/* SET_GIL_DROP_REQUEST. Called with switch_mutex held and no switch since the interval
	 * began, so h (last_holder) is the thread we ask. The times are written first, for the holder to measure its
	 * latency when it honours the request; the flag is published with a full barrier so
	 * that the holder's op count the caller reads next is not older than the request. */
	atomic_store_explicit(&g->req_holder, h, memory_order_relaxed);
	atomic_store_explicit(&g->req_ns, task_now_ns(), memory_order_relaxed);
	atomic_store_explicit(&g->req_wait_begin_ns, wait_begin, memory_order_relaxed);
	atomic_fetch_add_explicit(&g->drop_requests, 1, memory_order_relaxed);
	atomic_store_explicit(&g->drop_request, 1, memory_order_seq_cst);
}

/* The wait loop of take_gil(): returns once the GIL is ours. One waiter at a time is the
 * timer (see the top of the file); a timer that times out with no switch meanwhile asks the
 * holder to drop the GIL. *req records our first request, for the ops-after-request figure. */
struct first_request {
	unsigned h;
	uint64_t ops;
	unsigned long sw;
};

static void wait_for_gil(struct gil *g, struct first_request *req)
{
	atomic_fetch_add(&g->waiting, 1);
	for (;;) {
		unsigned long saved = atomic_load_explicit(&g->switch_number, memory_order_relaxed);
		uint64_t begin = task_now_ns();
		int no_timer = 0, timer = atomic_compare_exchange_strong(&g->timer, &no_timer, 1);
		int rc = futex_wait(&g->locked, 1, timer ? g->interval_ns : FUTEX_FOREVER, 0);
		if (timer)
			atomic_store(&g->timer, 0);
		unsigned free_gil = 0;
		if (atomic_compare_exchange_strong(&g->locked, &free_gil, 1))
			break;
		if (rc != -ETIMEDOUT || !timer)
			continue;
		/* Timed out and no switch meanwhile: ask the holder to drop the GIL. switch_mutex
		 * orders this against a take (_ready), so h is the holder the interval was timed on. */
		pthread_mutex_lock(&g->switch_mutex);
		if (atomic_load_explicit(&g->switch_number, memory_order_relaxed) == saved) {
			unsigned h = atomic_load_explicit(&g->last_holder, memory_order_relaxed);
			request_drop(g, begin, h);
			if (!req->h && h)
				*req = (struct first_request){ h, task_ops_done(&g->run->tasks[h - 1]), saved };
		}
		pthread_mutex_unlock(&g->switch_mutex);
	}
	/* Someone still waits and nobody times the holder (us now): wake one, it becomes the timer. */
	if (atomic_fetch_sub(&g->waiting, 1) > 1 && !atomic_load(&g->timer))
		futex_wake(&g->locked, 1, 0);
}

static void take_new(struct gil *g, struct gil_worker *w, uint64_t t0)
{
	struct first_request req = { 0, 0, 0 };
	unsigned free_gil = 0;
	if (!atomic_compare_exchange_strong(&g->locked, &free_gil, 1))
		wait_for_gil(g, &req);
	/* _ready: switch_mutex is taken before last_holder changes (see drop_new). */
	pthread_mutex_lock(&g->switch_mutex);
	/* The thread we asked handed the GIL straight to us: it runs no workload code without
	 * the GIL, so its op count now is its count at the drop. */
	if (req.h && atomic_load_explicit(&g->last_holder, memory_order_relaxed) == req.h &&
	    atomic_load_explicit(&g->switch_number, memory_order_relaxed) == req.sw) {
		uint64_t now_ops = task_ops_done(&g->run->tasks[req.h - 1]);
		uint64_t after = now_ops > req.ops ? now_ops - req.ops : 0;
		w->ops_after_max = after > w->ops_after_max ? after : w->ops_after_max;
	}
	took(g, w);
	pthread_cond_signal(&g->switch_cond);
	pthread_mutex_unlock(&g->switch_mutex);
	if (atomic_load_explicit(&g->drop_request, memory_order_relaxed))
		atomic_store_explicit(&g->drop_request, 0, memory_order_relaxed); /* RESET_GIL_DROP_REQUEST */
	account_wait(w, t0);
}

/* final: the worker will never take the GIL again (CPython's drop_gil(tstate=NULL)): no
 * forced switching. */
static void drop_new(struct gil *g, struct gil_worker *w, int final)
{
	if (atomic_exchange(&g->holder, 0) != w->me)
		atomic_fetch_add(&g->violations, 1);
	/* Dekker with wait_for_gil: locked is cleared before waiting is read, and a waiter
	 * counts itself before its futex_wait checks locked, so one of the two sees the other. */
	atomic_store(&g->locked, 0);
	if (atomic_load(&g->waiting))
		futex_wake(&g->locked, 1, 0);
	/* FORCE_SWITCHING: with a drop request pending, do not compete again until another
	 * thread has taken the GIL. */
	if (!final && atomic_load_explicit(&g->drop_request, memory_order_relaxed)) {
		pthread_mutex_lock(&g->switch_mutex);
		if (atomic_load_explicit(&g->last_holder, memory_order_relaxed) == w->me) {
			atomic_store_explicit(&g->drop_request, 0, memory_order_relaxed);
			pthread_cond_wait(&g->switch_cond, &g->switch_mutex);
		}
		pthread_mutex_unlock(&g->switch_mutex);
	}
}

/* ---- legacy GIL: Python 2's PyThread_acquire_lock / release_lock on a semaphore ---- */

static void take_legacy(struct gil *g, struct gil_worker *w, uint64_t t0)
{
	unsigned c = 0;
	if (!atomic_compare_exchange_strong(&g->llock, &c, 1)) {
		atomic_fetch_add(&g->lwaiters, 1);
		for (;;) {
			futex_wait(&g->llock, 1, FUTEX_FOREVER, 0);
			c = 0;
			if (atomic_compare_exchange_strong(&g->llock, &c, 1))
				break;
			w->futile_wakeups++;
		}
		atomic_fetch_sub(&g->lwaiters, 1);
	}
	took(g, w);
	account_wait(w, t0);
}

static void drop_legacy(struct gil *g, struct gil_worker *w)
{
	if (atomic_exchange(&g->holder, 0) != w->me)
		atomic_fetch_add(&g->violations, 1);
	atomic_store(&g->llock, 0);
	if (atomic_load(&g->lwaiters))
		futex_wake(&g->llock, 1, 0);
}

/* ---- both ---- */

static void gil_take(struct task *t)
{
	struct gil_worker *w = t->drv;
	/* Waits count once the gate is open (the measured part of the repetition). */
	uint64_t t0 = atomic_load_explicit(&t->run->sh->gate, memory_order_relaxed) ? task_now_ns() : 0;
	if (w->g->mode == GIL_LEGACY)
		take_legacy(w->g, w, t0);
	else
		take_new(w->g, w, t0);
}

static void gil_drop(struct task *t, int final)
{
	struct gil_worker *w = t->drv;
	if (w->g->mode == GIL_LEGACY)
		drop_legacy(w->g, w);
	else
		drop_new(w->g, w, final);
}

/* The eval-breaker check (task_checkpoint's slow path). */
static void gil_checkpoint(struct task *t)
{
	struct gil_worker *w = t->drv;
	struct gil *g = w->g;
	if (g->mode == GIL_LEGACY) {
		if (--w->ticker > 0)
			return;
		w->ticker = g->check_interval;
		w->forced_drops++;
		drop_legacy(g, w);
		/* other threads may run now */
		gil_take(t);
		return;
	}
	if (!atomic_load_explicit(&g->drop_request, memory_order_acquire))
		return; /* reset meanwhile (COMPUTE_EVAL_BREAKER) */
	if (atomic_load_explicit(&g->req_holder, memory_order_relaxed) == w->me) {
		uint64_t now = task_now_ns();
		uint64_t lat = now - atomic_load_explicit(&g->req_ns, memory_order_relaxed);
		uint64_t hand = now - atomic_load_explicit(&g->req_wait_begin_ns, memory_order_relaxed);
		w->honoured++;
		w->lat_sum_ns += lat;
		w->lat_max_ns = lat > w->lat_max_ns ? lat : w->lat_max_ns;
		w->handoff_sum_ns += hand;
		w->handoff_max_ns = hand > w->handoff_max_ns ? hand : w->handoff_max_ns;
	}
	w->forced_drops++;
	drop_new(g, w, 0);
	/* other threads may run now */
	gil_take(t);
}

/* Blocking calls: Py_BEGIN_ALLOW_THREADS ... Py_END_ALLOW_THREADS. */
static int gil_sleep_ns(struct task *t, uint64_t ns)
{
	/* On the worker's own futex word, which gil_stop sets and wakes; not on the run's stop
	 * word, as the thread driver does: with thousands of sleepers on one word, the kernel's
	 * futex hash bucket of that word holds thousands of entries, and every wake of a futex
	 * that hashes to the same bucket (the GIL's mutex or condition among them) walks them. */
	struct gil_worker *w = t->drv;
	gil_drop(t, 0);
	int rc = osdrv_sleep_on(t, &w->nap, ns);
	gil_take(t);
	return rc;
}

static int gil_wait(struct task *t, _Atomic unsigned *word, unsigned expected, uint64_t timeout_ns)
{
	/* Like a Python lock's acquire: try without blocking (and without releasing the GIL). */
	if (atomic_load(word) != expected)
		return -EAGAIN;
	gil_drop(t, 0);
	int rc = osdrv_wait(t, word, expected, timeout_ns);
	gil_take(t);
	return rc;
}

static int gil_wait_fd(struct task *t, int fd, short events, uint64_t timeout_ns)
{
	gil_drop(t, 0);
	int rc = osdrv_wait_fd(t, fd, events, timeout_ns);
	gil_take(t);
	return rc;
}

static void gil_yield(struct task *t)
{
	/* time.sleep(0): releases the GIL around the (empty) sleep. */
	gil_drop(t, 0);
	sched_yield();
	gil_take(t);
}

/* ---- lifecycle ---- */

static void gil_cleanup(struct run *r)
{
	struct gil *g = gil_of(r);
	if (g) {
		pthread_cond_destroy(&g->switch_cond);
		pthread_mutex_destroy(&g->switch_mutex);
		free(g->w);
		free(g);
		((struct osdrv *)r->drv_priv)->ext = NULL;
	}
	osdrv_cleanup(r);
}

/* Since Linux 6.16 a multi-threaded process has a private futex hash sized by the CPUs, not
 * the threads: 16 buckets on a 2-CPU machine. With thousands of threads blocked (the GIL's
 * condition and mutex, their sleeps) every futex wake walks hundreds of waiters of other words
 * in its bucket: sleep-io n=10,000 took 1.3 s or, when the GIL's words shared a bucket with
 * the crowd, 32 s. Give it 4 slots per worker (at most 65536); nothing to do on older kernels
 * (EINVAL). */
static void futex_hash_fit(unsigned nworkers)
{
	int cur = prctl(PR_FUTEX_HASH, PR_FUTEX_HASH_GET_SLOTS, 0, 0, 0);
	unsigned want = 16;
	while (want < 4u * nworkers && want < 65536)
		want *= 2;
	if (cur >= 0 && (unsigned)cur < want) /* 0: none yet (one thread), or the global hash (EBUSY) */
		(void)prctl(PR_FUTEX_HASH, PR_FUTEX_HASH_SET_SLOTS, want, 0, 0);
}

static int gil_init(struct run *r)
{
	futex_hash_fit(r->nworkers);
	int rc = osdrv_init(r, 0, sizeof(pthread_t));
	if (rc)
		return rc;
	struct gil *g = aligned_alloc(TASK_CACHELINE, (sizeof *g + TASK_CACHELINE - 1) / TASK_CACHELINE * TASK_CACHELINE);
	size_t wsz = (size_t)(r->nworkers ? r->nworkers : 1) * sizeof(struct gil_worker);
	struct gil_worker *w = aligned_alloc(TASK_CACHELINE, wsz);
	if (!g || !w) {
		free(g);
		free(w);
		return -ENOMEM;
	}
	memset(g, 0, sizeof *g);
	memset(w, 0, wsz);
	g->run = r;
	g->w = w;
	g->mode = run_knob_enum(r, "gil_mode");
	g->interval_ns = (uint64_t)run_knob_int(r, "interval_us") * 1000u;
	g->check_interval = (int)run_knob_int(r, "check_interval");
	/* 3.10+ (index 4 of the knob's choices) checks the eval breaker only at back-edges and calls */
	r->coarse_checkpoints = g->mode == GIL_NEW && run_knob_enum(r, "python_version") >= 4;
	atomic_store(&g->always_one, 1);
	pthread_mutex_init(&g->switch_mutex, NULL);
	pthread_cond_init(&g->switch_cond, NULL);
	((struct osdrv *)r->drv_priv)->ext = g;
	return 0;
}

static void *gil_entry(void *arg)
{
	struct task *t = arg;
	int rc = osdrv_bind_worker(t, 0);
	if (rc)
		snprintf(t->slot->err, sizeof t->slot->err, "binding to PU %d failed: %s", t->run->pus[t->id],
		         strerror(-rc));
	/* A Python thread holds the GIL whenever it runs Python code: from its start (the gate
	 * wait inside task_main releases it) until it ends. */
	gil_take(t);
	rc = task_main(t);
	gil_drop(t, 1);
	return (void *)(intptr_t)rc;
}

static int gil_spawn(struct run *r, struct task *t)
{
	struct osdrv *d = r->drv_priv;
	struct gil *g = d->ext;
	struct gil_worker *w = &g->w[t->id];
	w->g = g;
	w->me = t->id + 1;
	w->ticker = g->check_interval;
	t->drv = w;
	t->brk = g->mode == GIL_LEGACY ? &g->always_one : &g->drop_request;
	return osdrv_thread_spawn(r, t, gil_entry);
}

static int gil_start(struct run *r)
{
	struct gil *g = gil_of(r);
	if (!g)
		return -EINVAL;
	g->sw_start = atomic_load(&g->switch_number);
	g->t_start = task_now_ns();
	return osdrv_start(r);
}

static void gil_stop(struct run *r)
{
	struct gil *g = gil_of(r);
	if (g && !g->stopped) {
		g->stopped = 1;
		g->sw_stop = atomic_load(&g->switch_number);
		g->t_stop = task_now_ns();
	}
	osdrv_stop(r);
	/* Once per worker (stop is called until every worker is done): a nap that begins later
	 * sees nap == 1 and the stop flag. */
	for (unsigned i = 0; g && i < r->nworkers; i++)
		if (!atomic_exchange(&g->w[i].nap, 1))
			futex_wake(&g->w[i].nap, 1, 0);
}

static void gil_metrics(struct run *r)
{
	struct gil *g = gil_of(r);
	if (!g || !g->t_start)
		return;
	uint64_t acq = 0, forced = 0, wait = 0, wait_max = 0, honoured = 0, lat_sum = 0, lat_max = 0;
	uint64_t hand_sum = 0, hand_max = 0, ops_max = 0, futile = 0;
	for (unsigned i = 0; i < r->nworkers; i++) {
		const struct gil_worker *w = &g->w[i];
		acq += w->acquisitions;
		forced += w->forced_drops;
		wait += w->wait_ns;
		wait_max = w->wait_max_ns > wait_max ? w->wait_max_ns : wait_max;
		honoured += w->honoured;
		lat_sum += w->lat_sum_ns;
		lat_max = w->lat_max_ns > lat_max ? w->lat_max_ns : lat_max;
		hand_sum += w->handoff_sum_ns;
		hand_max = w->handoff_max_ns > hand_max ? w->handoff_max_ns : hand_max;
		ops_max = w->ops_after_max > ops_max ? w->ops_after_max : ops_max;
		futile += w->futile_wakeups;
		run_worker_metric(r, "worker_gil_wait_s", i, (double)w->wait_ns / 1e9);
		run_worker_metric(r, "worker_gil_acquisitions", i, (double)w->acquisitions);
		run_worker_metric(r, "worker_gil_forced_drops", i, (double)w->forced_drops);
	}
	uint64_t t_stop = g->stopped ? g->t_stop : task_now_ns();
	unsigned long sw_stop = g->stopped ? g->sw_stop : atomic_load(&g->switch_number);
	double window = (double)(t_stop - g->t_start) / 1e9;
	double sw = (double)(sw_stop - g->sw_start);
	run_metric(r, "gil_switches", sw);
	run_metric(r, "gil_switches_per_s", window > 0 ? sw / window : 0);
	run_metric(r, "gil_acquisitions", (double)acq);
	run_metric(r, "gil_forced_drops", (double)forced);
	run_metric(r, "gil_wait_s", (double)wait / 1e9);
	run_metric(r, "gil_wait_max_s", (double)wait_max / 1e9);
	run_metric(r, "gil_exclusion_violations", (double)atomic_load(&g->violations));
	if (g->mode == GIL_LEGACY) {
		run_metric(r, "gil_futile_wakeups", (double)futile);
		return;
	}
	run_metric(r, "gil_drop_requests", (double)atomic_load(&g->drop_requests));
	run_metric(r, "gil_drop_latency_mean_s", honoured ? (double)lat_sum / (double)honoured / 1e9 : 0);
	run_metric(r, "gil_drop_latency_max_s", (double)lat_max / 1e9);
	run_metric(r, "gil_drop_ops_max", (double)ops_max);
	run_metric(r, "gil_handoff_mean_s", honoured ? (double)hand_sum / (double)honoured / 1e9 : 0);
	run_metric(r, "gil_handoff_max_s", (double)hand_max / 1e9);
}

const struct driver_ops driver_gil = {
	.name = "gil",
	.summary = "one pthread per worker, pinned, under a simulated CPython GIL (new, or legacy Python 2)",
	.version = DRIVER_API_VERSION,
	.flags = DRIVER_SHARED_AS | DRIVER_COOPERATIVE | DRIVER_INHERIT_FDS | DRIVER_MESSAGES,
	.model = DRIVER_MODEL_GIL_THREADS,
	.color = "#d62728",
	.metric_prefix = "gil_",
	.knobs = gil_knobs,
	.init = gil_init,
	.shm_alloc = osdrv_shm_alloc,
	.spawn = gil_spawn,
	.start = gil_start,
	.stop = gil_stop,
	.join = osdrv_thread_join,
	.cleanup = gil_cleanup,
	.metrics = gil_metrics,
	.checkpoint = gil_checkpoint,
	.yield = gil_yield,
	.sleep_ns = gil_sleep_ns,
	.wait = gil_wait,
	.wake = osdrv_wake,
	.wait_fd = gil_wait_fd,
};
