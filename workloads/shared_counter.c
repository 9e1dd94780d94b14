/* shared-counter: every worker increments one shared counter; the lost-update demonstration
 * and the price of each fix. Tests "counter += 1 from several threads loses updates (the GIL
 * does not make it atomic)", and what a lock, an atomic, a spinlock or per-thread counters
 * cost in increments per second.
 *
 * sync=none is a relaxed atomic load, then a relaxed atomic store of the value + 1: two
 * separate accesses the compiler may not merge into one read-modify-write (and TSan accepts),
 * so concurrent increments overwrite each other exactly as `x += 1` does in Python; a
 * task_checkpoint() between them lets the GIL and coroutine drivers switch there. gap_us
 * puts a blocking wait (task_sleep_ns, the tutorials' time.sleep) between the load and the
 * store, inside the critical section of mutex and spin, and before the increment of atomic
 * and local (they have no critical section), which turns races into certainties.
 *
 * Each worker also counts its own increments in its padded slot: verify sums them into
 * `expected`, compares with the counter (`final`) and records lost_updates = expected - final.
 * Duration-bound, like cpu-spin.
 *
 * share=messages: the counter is a task_counter of the messages style (task.h) instead of a
 * word of shared memory: none is task_counter_get then task_counter_put (under mpi an MPI_Get
 * and an MPI_Put, each in its own epoch: the racy x += 1 across ranks), atomic is
 * task_counter_fetch_add (MPI_Fetch_and_op), mutex is task_counter_lock around get/put (an
 * exclusive MPI_Win_lock); spin has no counterpart (the counter's lock is the mutex), local
 * needs no sharing and runs as in memory. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "workloads/shared_counter.h"
#include "workloads/workload.h"

/* A spinning worker gives the others the CPU (task_yield) after this many failed looks at
 * the lock: without it a cooperative driver would spin forever while the holder is parked. */
#define SC_SPINS_BEFORE_YIELD 1024

static const char *const sc_names[] = { "none", "atomic", "mutex", "spin", "local" };

/* One per worker, in shared memory, written only by its worker, read by verify after join. */
struct sc_worker {
	uint64_t done;                 /* increments this worker completed */
	uint64_t local;                /* sync=local: this worker's counter */
} __attribute__((aligned(TASK_CACHELINE)));

struct sc_shared {
	enum shared_counter_sync sync; /* read-only after setup */
	uint64_t gap_ns;
	_Atomic uint64_t counter __attribute__((aligned(TASK_CACHELINE)));
	struct task_mutex mutex __attribute__((aligned(TASK_CACHELINE)));
	_Atomic unsigned spin __attribute__((aligned(TASK_CACHELINE)));
	struct task_counter *ctr;      /* share=messages: the counter; NULL: share=memory */
	struct sc_worker w[] __attribute__((aligned(TASK_CACHELINE)));
};

static const struct knob sc_knobs[] = {
	{ "sync", KNOB_ENUM, "none", 0, 0, SHARED_COUNTER_CHOICES,
	  "none: racy load+store; atomic: fetch-add; mutex: task mutex; spin: TTAS spinlock; local: per-worker counters" },
	{ "gap_us", KNOB_INT, "0", 0, 1000000, NULL,
	  "blocking wait between the load and the store (inside the lock), microseconds" },
	{ "share", KNOB_ENUM, "memory", 0, 0, "memory|messages",
	  "memory: a word of shared memory; messages: a counter object of the task API (under mpi: RMA)" },
	{ 0 }
};

int shared_counter_check(enum shared_counter_sync sync, uint64_t expected, uint64_t final, uint64_t ops,
                         char *why, size_t len)
{
	const char *name = (unsigned)sync < sizeof sc_names / sizeof *sc_names ? sc_names[sync] : "?";
	if (ops != expected) {
		snprintf(why, len, "bookkeeping: workers counted %llu increments, the harness %llu",
		         (unsigned long long)expected, (unsigned long long)ops);
		return -1;
	}
	if (final > expected) {
		snprintf(why, len, "sync=%s: counter is %llu after %llu increments (more than were made)", name,
		         (unsigned long long)final, (unsigned long long)expected);
		return -1;
	}
	if (sync != SHARED_COUNTER_NONE && final != expected) {
		snprintf(why, len, "sync=%s lost %llu of %llu updates (counter %llu)", name,
		         (unsigned long long)(expected - final), (unsigned long long)expected, (unsigned long long)final);
		return -1;
	}
	return 0;
}

static int sc_setup(struct run *r)
{
	size_t size = sizeof(struct sc_shared) + (size_t)r->nworkers * sizeof(struct sc_worker);
	struct sc_shared *s = task_shm_alloc(r, size);
	if (!s)
		return run_fail(r, "out of shared memory (%zu bytes)", size);
	memset(s, 0, size); /* touched here: not counted as the workers' memory */
	s->sync = (enum shared_counter_sync)run_knob_enum(r, "sync");
	s->gap_ns = (uint64_t)run_knob_int(r, "gap_us") * 1000u;
	r->wl_shared = s;
	if (run_knob_enum(r, "share") == 1) {
		if (run_need_caps(r, TASK_CAP_MESSAGES, "share=messages"))
			return -ENOTSUP;
		if (s->sync == SHARED_COUNTER_SPIN)
			return run_fail(r, "sync=spin has no share=messages counterpart (the counter's lock is mutex)"),
			       -ENOTSUP;
		if (!(s->ctr = task_counter_new(r, 0)))
			return -1;
	}
	return 0;
}

static inline void sc_cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield" ::: "memory");
#else
	atomic_signal_fence(memory_order_seq_cst);
#endif
}

/* Test-and-test-and-set: look until the lock seems free, then try to take it.
 * 0 when taken, -ECANCELED if the run stopped while spinning. */
static int sc_spin_lock(struct task *t, _Atomic unsigned *l)
{
	unsigned spins = 0;
	for (;;) {
		while (atomic_load_explicit(l, memory_order_relaxed)) {
			sc_cpu_relax();
			task_checkpoint(t);
			if (++spins == SC_SPINS_BEFORE_YIELD) {
				spins = 0;
				if (task_should_stop(t))
					return -ECANCELED;
				task_yield(t);
			}
		}
		if (!atomic_exchange_explicit(l, 1, memory_order_acquire))
			return 0;
	}
}

static void sc_spin_unlock(_Atomic unsigned *l)
{
	atomic_store_explicit(l, 0, memory_order_release);
}

/* The gap, if any: 0, or -ECANCELED when the run is stopping (the increment is abandoned). */
static inline int sc_gap(struct task *t, const struct sc_shared *s)
{
	return s->gap_ns ? task_sleep_ns(t, s->gap_ns) : 0;
}

/* Load, gap, store: the unprotected read-modify-write of `counter += 1`. The checkpoint
 * between load and store is where CPython before 3.10 can switch threads between the LOAD and
 * the STORE bytecodes: free under threads and processes, a possible switch under the gil
 * (python_version < 3.10) and coroutine drivers (with a lock held, in mutex and spin mode, as in
 * Python); 3.10+ switches only at back-edges and calls, so there is none (task_checkpoint_mid). */
static inline int sc_load_gap_store(struct task *t, struct sc_shared *s)
{
	uint64_t v = atomic_load_explicit(&s->counter, memory_order_relaxed);
	task_checkpoint_mid(t);
	if (sc_gap(t, s))
		return -ECANCELED;
	atomic_store_explicit(&s->counter, v + 1, memory_order_relaxed);
	return 0;
}

/* get, gap, put on the counter object: the same read-modify-write in the messages style. */
static int sc_get_gap_put(struct task *t, struct sc_shared *s)
{
	uint64_t v = task_counter_get(t, s->ctr);
	task_checkpoint_mid(t);
	if (sc_gap(t, s))
		return -ECANCELED;
	task_counter_put(t, s->ctr, v + 1);
	return 0;
}

/* One increment of share=messages (setup refused spin). */
static int sc_increment_msg(struct task *t, struct sc_shared *s)
{
	int rc;
	switch (s->sync) {
	case SHARED_COUNTER_NONE:
		return sc_get_gap_put(t, s);
	case SHARED_COUNTER_ATOMIC:
		if (sc_gap(t, s))
			return -ECANCELED;
		task_counter_fetch_add(t, s->ctr, 1);
		return 0;
	case SHARED_COUNTER_MUTEX:
		task_counter_lock(t, s->ctr);
		rc = task_should_stop(t) ? -ECANCELED : sc_get_gap_put(t, s);
		task_counter_unlock(t, s->ctr);
		return rc;
	default:
		return -EINVAL;
	}
}

/* One increment. 0 done, -ECANCELED abandoned because the run is stopping. */
static int sc_increment(struct task *t, struct sc_shared *s, struct sc_worker *me)
{
	int rc;
	if (s->ctr && s->sync != SHARED_COUNTER_LOCAL)
		return sc_increment_msg(t, s);
	switch (s->sync) {
	case SHARED_COUNTER_NONE:
		return sc_load_gap_store(t, s);
	case SHARED_COUNTER_ATOMIC:
		if (sc_gap(t, s))
			return -ECANCELED;
		atomic_fetch_add_explicit(&s->counter, 1, memory_order_relaxed);
		return 0;
	case SHARED_COUNTER_MUTEX:
		task_mutex_lock(t, &s->mutex);
		rc = task_should_stop(t) ? -ECANCELED : sc_load_gap_store(t, s);
		task_mutex_unlock(t, &s->mutex);
		return rc;
	case SHARED_COUNTER_SPIN:
		if (sc_spin_lock(t, &s->spin))
			return -ECANCELED;
		rc = sc_load_gap_store(t, s);
		sc_spin_unlock(&s->spin);
		return rc;
	case SHARED_COUNTER_LOCAL:
		if (sc_gap(t, s))
			return -ECANCELED;
		me->local++; /* single writer: its own padded slot */
		return 0;
	}
	return -EINVAL;
}

static int sc_run(struct task *t)
{
	struct sc_shared *s = t->run->wl_shared;
	struct sc_worker *me = &s->w[t->id];
	while (!task_should_stop(t)) {
		int rc = sc_increment(t, s, me);
		if (rc == -ECANCELED)
			break;
		if (rc)
			return task_fail(t, "unknown sync mode %d", (int)s->sync);
		me->done++;
		task_ops(t, 1);
		task_checkpoint(t);
	}
	return 0;
}

static int sc_verify(struct run *r)
{
	struct sc_shared *s = r->wl_shared;
	uint64_t expected = 0, final = 0;
	for (unsigned i = 0; i < r->nworkers; i++) {
		expected += s->w[i].done;
		final += s->w[i].local;
	}
	if (s->sync != SHARED_COUNTER_LOCAL)
		final = s->ctr ? task_counter_value(r, s->ctr) : atomic_load(&s->counter);
	run_metric(r, "expected", (double)expected);
	run_metric(r, "final", (double)final);
	run_metric(r, "lost_updates", final <= expected ? (double)(expected - final) : 0);
	run_metric(r, "lost_fraction", expected && final <= expected ? (double)(expected - final) / (double)expected : 0);
	return shared_counter_check(s->sync, expected, final, run_total_ops(r), r->err, sizeof r->err);
}

const struct workload workload_shared_counter = {
	.name = "shared-counter",
	.summary = "one counter incremented by every worker: lost updates, and what each fix costs",
	.version = WORKLOAD_API_VERSION,
	.min_workers = 1,
	.knobs = sc_knobs,
	.primary_metric = "ops_per_s",
	.op_unit = "increments",
	.symmetric = 1,
	.higher_is_better = 1,
	.setup = sc_setup,
	.run = sc_run,
	.verify = sc_verify,
};
