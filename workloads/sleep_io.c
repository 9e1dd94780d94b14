/* sleep-io: blocking waits, the way tutorials use time.sleep() to stand for I/O.
 * Tests "threads (and coroutines) overlap I/O waits, so N waits take the time of one",
 * "a semaphore bounds the concurrency: 20 tasks with limit 5 take 4 rounds", and "a CPU-bound
 * neighbour delays the waiters" (spinners=K).
 *
 * Each waiter takes the limiter (a task_sem, when limit > 0), performs `count` waits of
 * `wait_us` through task_sleep_ns() (the driver decides what blocking means), releases the
 * limiter and ends: the workload is count-bound (WORKLOAD_SELF_BOUNDED). Every wait's
 * overshoot (how much later than asked it returned) goes into the waiter's log-bucketed
 * histogram; verify merges them into percentiles. The last `spinners` workers spin on
 * cpu-spin's unit of work until every waiter is done.
 *
 * Rounds are counted structurally, not from the clock: a waiter that entered the limiter as
 * one of the first `limit` is in round 1; a later one took the slot some earlier waiter freed,
 * so it is in round 1 + (the highest round that had left the limiter when it got in). With a
 * correct limiter at most limit * g waiters are in rounds <= g, so the number of rounds is at
 * least ceil(waiters / limit) (verify fails otherwise); it equals that when the waits are not
 * delayed by more than a whole session (count x wait_us), and grows when they are. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "workloads/loghist.h"
#include "workloads/sleep_io.h"
#include "workloads/spin.h"
#include "workloads/workload.h"

/* One per worker, in shared memory, written only by its worker, read by verify after join. */
struct sio_worker {
	struct loghist over;           /* waiter: overshoot of each wait, ns */
	uint64_t waits, early;         /* waiter: waits done; waits that returned too early */
	uint64_t round;                /* waiter: its structural round (0: never got in) */
	uint64_t units, sink;          /* spinner: units of CPU work done; their result */
} __attribute__((aligned(TASK_CACHELINE)));

struct sio_shared {
	uint64_t wait_ns;              /* read-only after setup */
	unsigned count, limit, nwaiters, spin_iters;
	uint64_t spin_max_ns;          /* a spinner stops when waiters made no progress this long */
	_Atomic uint64_t progress __attribute__((aligned(TASK_CACHELINE))); /* waits finished, all waiters */
	_Atomic unsigned spinners_gave_up;
	struct task_sem sem __attribute__((aligned(TASK_CACHELINE)));
	_Atomic unsigned inside __attribute__((aligned(TASK_CACHELINE))); /* waiters in the limited section */
	_Atomic unsigned max_inside;
	_Atomic uint64_t entries;      /* waiters that got in so far */
	_Atomic uint64_t max_left;     /* highest round that has left the limited section */
	_Atomic unsigned waiters_done __attribute__((aligned(TASK_CACHELINE))); /* polled by spinners */
	struct sio_worker w[] __attribute__((aligned(TASK_CACHELINE)));
};

static const struct knob sio_knobs[] = {
	{ "wait_us", KNOB_INT, "1000", 0, 60000000, NULL, "length of one blocking wait, microseconds" },
	{ "count", KNOB_INT, "100", 1, 100000000, NULL, "waits per waiter (the workload ends when all are done)" },
	{ "limit", KNOB_INT, "0", 0, TASK_MAX_WORKERS, NULL,
	  "at most this many waiters inside their waits at once (a task semaphore); 0: no limit" },
	{ "spinners", KNOB_INT, "0", 0, TASK_MAX_WORKERS, NULL,
	  "this many of the workers spin on CPU work instead, until every waiter is done" },
	{ "spin_max_ms", KNOB_INT, "0", 0, 3600000, NULL,
	  "a spinner gives up when no waiter has finished a wait for this long (0: max(100 ms, 20 waits)); "
	  "bounds run-until-block drivers, where waiters cannot run at all while a spinner spins" },
	{ 0 }
};

uint64_t sleep_io_ideal_rounds(unsigned nwaiters, unsigned limit)
{
	if (!limit || limit >= nwaiters)
		return 1;
	return (nwaiters + limit - 1) / limit;
}

int sleep_io_check(const struct sleep_io_tally *t, char *why, size_t len)
{
	uint64_t want = (uint64_t)t->nwaiters * t->count;
	if (t->short_waiters || t->waits != want) {
		snprintf(why, len, "%u waiter(s) did not finish: %llu waits done, %llu expected", t->short_waiters,
		         (unsigned long long)t->waits, (unsigned long long)want);
		return -1;
	}
	if (t->ops != t->waits || t->recorded != t->waits) {
		snprintf(why, len, "bookkeeping: %llu waits, %llu counted by the harness, %llu in the histograms",
		         (unsigned long long)t->waits, (unsigned long long)t->ops, (unsigned long long)t->recorded);
		return -1;
	}
	if (t->early) {
		snprintf(why, len, "%llu of %llu waits returned before wait_us had passed", (unsigned long long)t->early,
		         (unsigned long long)t->waits);
		return -1;
	}
	if (t->limit && t->max_inside > t->limit) {
		snprintf(why, len, "limit=%u but %u waiters were inside at once", t->limit, t->max_inside);
		return -1;
	}
	uint64_t ideal = sleep_io_ideal_rounds(t->nwaiters, t->limit);
	if (t->rounds < ideal) {
		snprintf(why, len, "%llu rounds for %u waiters with limit=%u: a correct limiter needs at least %llu",
		         (unsigned long long)t->rounds, t->nwaiters, t->limit, (unsigned long long)ideal);
		return -1;
	}
	return 0;
}

static int sio_setup(struct run *r)
{
	unsigned spinners = (unsigned)run_knob_int(r, "spinners");
	if (spinners >= r->nworkers) {
		run_fail(r, "spinners=%u leaves no waiter among %u workers", spinners, r->nworkers);
		return -ENOTSUP;
	}
	size_t size = sizeof(struct sio_shared) + (size_t)r->nworkers * sizeof(struct sio_worker);
	struct sio_shared *s = task_shm_alloc(r, size);
	if (!s)
		return run_fail(r, "out of shared memory (%zu bytes)", size);
	/* Touch it here, in the cell process: the harness's memory-per-worker figure then counts
	 * what the workers themselves cost, not this bookkeeping. */
	memset(s, 0, size);
	s->wait_ns = (uint64_t)run_knob_int(r, "wait_us") * 1000u;
	s->count = (unsigned)run_knob_int(r, "count");
	s->limit = (unsigned)run_knob_int(r, "limit");
	s->nwaiters = r->nworkers - spinners;
	s->spin_iters = (unsigned)strtoul(SPIN_DEFAULT_ITERS, NULL, 10);
	s->spin_max_ns = (uint64_t)run_knob_int(r, "spin_max_ms") * 1000000u;
	if (!s->spin_max_ns) /* far above a GIL switch interval: slow progress is not starvation */
		s->spin_max_ns = 20 * s->wait_ns > 100000000u ? 20 * s->wait_ns : 100000000u;
	task_sem_init(&s->sem, s->limit);
	r->wl_shared = s;
	return 0;
}

static void atomic_max_u(_Atomic unsigned *a, unsigned v)
{
	unsigned cur = atomic_load_explicit(a, memory_order_relaxed);
	while (cur < v && !atomic_compare_exchange_weak(a, &cur, v))
		;
}

static void atomic_max_u64(_Atomic uint64_t *a, uint64_t v)
{
	uint64_t cur = atomic_load_explicit(a, memory_order_relaxed);
	while (cur < v && !atomic_compare_exchange_weak(a, &cur, v))
		;
}

static int sio_waiter(struct task *t, struct sio_shared *s, struct sio_worker *me)
{
	uint64_t round = 1;
	if (s->limit) {
		if (task_sem_down(t, &s->sem))
			return 0; /* the run is stopping; verify will not run */
		atomic_max_u(&s->max_inside, atomic_fetch_add(&s->inside, 1) + 1);
		if (atomic_fetch_add(&s->entries, 1) >= s->limit)
			round = 1 + atomic_load(&s->max_left);
	}
	for (unsigned k = 0; k < s->count; k++) {
		uint64_t t0 = task_now_ns();
		if (task_sleep_ns(t, s->wait_ns))
			break;
		uint64_t took = task_now_ns() - t0;
		if (took < s->wait_ns)
			me->early++;
		loghist_add(&me->over, took >= s->wait_ns ? took - s->wait_ns : 0);
		me->waits++;
		atomic_fetch_add_explicit(&s->progress, 1, memory_order_relaxed);
		task_ops(t, 1);
		task_checkpoint(t);
	}
	me->round = round;
	if (s->limit) {
		/* Publish the round before the slot is freed: whoever takes it sees it. */
		atomic_max_u64(&s->max_left, round);
		atomic_fetch_sub(&s->inside, 1);
		task_sem_up(t, &s->sem);
	}
	return 0;
}

static int sio_spinner(struct task *t, struct sio_shared *s, struct sio_worker *me)
{
	uint64_t x = spin_seed(t->id), units = 0, give_up = task_now_ns() + s->spin_max_ns;
	uint64_t seen = atomic_load_explicit(&s->progress, memory_order_relaxed);
	while (!task_should_stop(t) && atomic_load_explicit(&s->waiters_done, memory_order_relaxed) < s->nwaiters) {
		x = spin_unit(x, s->spin_iters);
		units++;
		task_checkpoint(t);
		if ((units & 63) == 0) {
			uint64_t p = atomic_load_explicit(&s->progress, memory_order_relaxed), now = task_now_ns();
			if (p != seen) {
				seen = p;
				give_up = now + s->spin_max_ns;
			} else if (now >= give_up) {
				/* No waiter finished a wait for spin_max: under run-until-block scheduling
				 * they cannot run at all. Stop, and say so in the results. */
				atomic_fetch_add(&s->spinners_gave_up, 1);
				break;
			}
		}
	}
	me->units = units;
	me->sink = x;
	return 0;
}

static int sio_run(struct task *t)
{
	struct sio_shared *s = t->run->wl_shared;
	struct sio_worker *me = &s->w[t->id];
	if (t->id >= s->nwaiters)
		return sio_spinner(t, s, me);
	int rc = sio_waiter(t, s, me);
	atomic_fetch_add(&s->waiters_done, 1); /* also on failure: spinners must not wait forever */
	return rc;
}

static int sio_verify(struct run *r)
{
	struct sio_shared *s = r->wl_shared;
	struct sleep_io_tally tl = { .nwaiters = s->nwaiters, .count = s->count, .limit = s->limit };
	struct loghist all = { 0 };
	uint64_t begin = UINT64_MAX, end = 0, units = 0;
	double wcpu = 0, scpu = 0;
	for (unsigned i = 0; i < r->nworkers; i++) {
		const struct sio_worker *w = &s->w[i];
		const struct task_slot *sl = &r->sh->slot[i];
		double cpu = (double)(sl->utime_ns + sl->stime_ns) / 1e9;
		if (i >= s->nwaiters) {
			units += w->units;
			scpu += cpu;
			continue;
		}
		tl.waits += w->waits;
		tl.short_waiters += w->waits < s->count;
		tl.early += w->early;
		tl.ops += atomic_load(&sl->ops);
		if (w->round > tl.rounds)
			tl.rounds = w->round;
		loghist_merge(&all, &w->over);
		wcpu += cpu;
		begin = sl->t_begin_ns < begin ? sl->t_begin_ns : begin;
		end = sl->t_end_ns > end ? sl->t_end_ns : end;
	}
	tl.recorded = all.n;
	tl.max_inside = atomic_load(&s->max_inside);
	if (sleep_io_check(&tl, r->err, sizeof r->err))
		return -1;

	uint64_t ideal_rounds = sleep_io_ideal_rounds(s->nwaiters, s->limit);
	double ideal = (double)s->count * (double)s->wait_ns * (double)ideal_rounds / 1e9;
	double wall = end > begin ? (double)(end - begin) / 1e9 : 0;
	run_metric(r, "waiters", s->nwaiters);
	run_metric(r, "spinners", r->nworkers - s->nwaiters);
	run_metric(r, "spinners_gave_up", atomic_load(&s->spinners_gave_up));
	run_metric(r, "ideal_wall_s", ideal);
	run_metric(r, "waiter_wall_s", wall);
	run_metric(r, "overlap_efficiency", wall > 0 ? ideal / wall : 0);
	run_metric(r, "rounds", (double)tl.rounds);
	run_metric(r, "ideal_rounds", (double)ideal_rounds);
	if (s->limit)
		run_metric(r, "max_inside", tl.max_inside);
	run_metric(r, "waiter_overshoot_p50_us", loghist_quantile(&all, 0.50) / 1e3);
	run_metric(r, "waiter_overshoot_p90_us", loghist_quantile(&all, 0.90) / 1e3);
	run_metric(r, "waiter_overshoot_p99_us", loghist_quantile(&all, 0.99) / 1e3);
	run_metric(r, "waiter_overshoot_p999_us", loghist_quantile(&all, 0.999) / 1e3);
	run_metric(r, "waiter_overshoot_mean_us", all.n ? (double)all.sum / (double)all.n / 1e3 : 0);
	run_metric(r, "waiter_overshoot_max_us", (double)all.max / 1e3);
	run_metric(r, "waiter_cpu_s", wcpu);
	run_metric(r, "waiter_cpu_per_wait_us", tl.waits ? wcpu / (double)tl.waits * 1e6 : 0);
	if (s->nwaiters < r->nworkers) {
		run_metric(r, "spinner_cpu_s", scpu);
		run_metric(r, "spinner_units", (double)units);
	}
	return 0;
}

const struct workload workload_sleep_io = {
	.name = "sleep-io",
	.summary = "blocking waits standing for I/O (time.sleep): overlap, semaphore limit, overshoot",
	.version = WORKLOAD_API_VERSION,
	.flags = WORKLOAD_SELF_BOUNDED,
	.min_workers = 1,
	.knobs = sio_knobs,
	.primary_metric = "wall_s",
	.op_unit = "waits",
	.symmetric = 1, /* with -O spinners=K the last K workers spin instead: two jobs in one index */
	.higher_is_better = 0,
	.setup = sio_setup,
	.run = sio_run,
	.verify = sio_verify,
};
