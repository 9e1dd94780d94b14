/* The gil driver: mutual exclusion (never two holders), drop requests honoured within one
 * interval plus one op, the lock released around every blocking call, the legacy check
 * interval, the per-worker GIL metrics in the results, and the lifecycle (failing and hung
 * workers). Test workloads are defined here (the hung one is shared, in tests/faulty.c); they
 * use only the task API, plus gil_holder() to read the driver's own holder word. */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

#include "drivers/driver.h"
#include "drivers/gil.h"
#include "tests/faulty.h"
#include "bench/store/results.h"
#include "tests/test.h"
#include "tests/util.h"
#include "workloads/spin.h"
#include "workloads/workload.h"

static double rep_num(json_t *cell, const char *key)
{
	json_t *v = json_object_get(json_array_get(json_object_get(cell, "reps"), 0), key);
	if (!json_is_number(v))
		TEST_FAIL("repetition has no number '%s'", key);
	return json_number_value(v);
}

static double rep_worker(json_t *cell, const char *key, unsigned i)
{
	json_t *a = json_object_get(json_array_get(json_object_get(cell, "reps"), 0), key);
	if (!json_is_array(a))
		TEST_FAIL("repetition has no array '%s'", key);
	return json_number_value(json_array_get(a, i));
}

/* ---- owner: every op claims a shared owner word, then re-checks it while it works ---- */

struct owner_shared {
	_Atomic unsigned owner;
	_Atomic uint64_t violations;      /* someone else wrote the owner word during our op */
	_Atomic uint64_t mismatches;      /* the driver's holder word was not us while we ran */
	int under_gil;
};

static int owner_setup(struct run *r)
{
	struct owner_shared *s = task_shm_alloc(r, sizeof *s);
	if (!s)
		return run_fail(r, "out of shared memory");
	s->under_gil = r->drv == &driver_gil;
	r->wl_shared = s;
	return 0;
}

static int owner_run(struct task *t)
{
	struct owner_shared *s = t->run->wl_shared;
	unsigned me = t->id + 1;
	uint64_t x = spin_seed(t->id), n = 0;
	while (!task_should_stop(t)) {
		atomic_store(&s->owner, me);
		for (int k = 0; k < 8; k++) {
			x = spin_unit(x, 100);
			if (atomic_load(&s->owner) != me)
				atomic_fetch_add(&s->violations, 1);
			if (s->under_gil && gil_holder(t) != me)
				atomic_fetch_add(&s->mismatches, 1);
		}
		task_ops(t, 1);
		/* Also go through every blocking call, which drops and re-takes the GIL. */
		if (++n % 64 == 0)
			task_yield(t);
		if (n % 256 == 0)
			task_sleep_ns(t, 10000);
		task_checkpoint(t);
	}
	return x == 42; /* keep x observable */
}

static int owner_verify(struct run *r)
{
	struct owner_shared *s = r->wl_shared;
	run_metric(r, "owner_violations", (double)atomic_load(&s->violations));
	run_metric(r, "holder_mismatches", (double)atomic_load(&s->mismatches));
	return 0;
}

static const struct workload wl_owner = { .name = "test-owner", .summary = "claims an owner word per op",
	                                  .version = WORKLOAD_API_VERSION, .min_workers = 1,
	                                  .primary_metric = "ops_per_s", .setup = owner_setup,
	                                  .run = owner_run, .verify = owner_verify };

TEST(gil, never_two_holders)
{
	static const char *modes[] = { "gil_mode=new", "gil_mode=legacy" };
	static const unsigned ns[] = { 2, 5 };
	for (unsigned m = 0; m < 2; m++)
		for (unsigned k = 0; k < 2; k++) {
			json_t *root = tcell_run_ok(&(struct tcell){ .wl = &wl_owner, .driver = "gil", .workers = ns[k],
			                                             .duration_s = 0.2,
			                                             .knobs = { modes[m], "interval_us=200", "check_interval=20" } });
			json_t *cell = tcell_cell(root);
			CHECK_EQ_INT(rep_num(cell, "owner_violations"), 0);
			CHECK_EQ_INT(rep_num(cell, "holder_mismatches"), 0);
			CHECK_EQ_INT(rep_num(cell, "gil_exclusion_violations"), 0);
			CHECK(rep_num(cell, "gil_switches") > 0); /* the check was exercised across switches */
			unsigned ran = 0; /* (legacy may starve some workers: that is what it measures) */
			for (unsigned i = 0; i < ns[k]; i++)
				ran += rep_worker(cell, "worker_ops", i) > 0;
			CHECK(ran >= 2);
			json_decref(root);
		}
}

/* The same check catches concurrent execution: without a GIL it fires. */
TEST(gil, owner_check_fires_without_a_gil)
{
	json_t *root = tcell_run_ok(&(struct tcell){ .wl = &wl_owner, .driver = "thread", .workers = 2, .duration_s = 0.2 });
	CHECK(rep_num(tcell_cell(root), "owner_violations") > 0);
	json_decref(root);
}

/* ---- drop requests ---- */

TEST(gil, drop_request_honoured_within_one_interval_plus_one_op)
{
	const double interval_s = 2e-3;
	json_t *root = tcell_run_ok(&(struct tcell){ .workload = "cpu-spin", .driver = "gil", .workers = 2, .duration_s = 0.4,
	                                             .knobs = { "interval_us=2000" } });
	json_t *cell = tcell_cell(root);
	CHECK(rep_num(cell, "gil_drop_requests") >= 3);
	CHECK(rep_num(cell, "gil_forced_drops") >= 3);
	for (unsigned i = 0; i < 2; i++)
		CHECK(rep_worker(cell, "worker_gil_forced_drops", i) >= 1);
	/* One op: once the request is visible, the holder completes at most the op in progress
	 * before it drops (+1 for the holder's own not yet visible count). Counted in ops, so
	 * it holds however busy the machine is (a descheduled holder does no ops either). */
	CHECK(rep_num(cell, "gil_drop_ops_max") <= 2);
	/* One interval: a waiter asks only after one full interval without a switch, so from the
	 * start of that wait to the drop takes at least one interval (a strict lower bound; the
	 * measured mean is interval + wake-up + one op, see BENCHMARKS.md), and switches are at
	 * least one interval apart. */
	CHECK(rep_num(cell, "gil_handoff_mean_s") >= interval_s);
	double window = rep_num(cell, "gil_switches") / rep_num(cell, "gil_switches_per_s");
	CHECK(rep_num(cell, "gil_switches") <= window / interval_s + 2);
	json_decref(root);
}

/* Legacy: the holder releases every check_interval checkpoints, an exact count. */
TEST(gil, legacy_releases_every_check_interval_ticks)
{
	for (unsigned n = 1; n <= 2; n++) {
		json_t *root = tcell_run_ok(&(struct tcell){ .workload = "cpu-spin", .driver = "gil", .workers = n,
		                                             .duration_s = 0.2,
		                                             .knobs = { "gil_mode=legacy", "check_interval=50" } });
		json_t *cell = tcell_cell(root);
		CHECK(rep_num(cell, "ops") >= 100);
		for (unsigned i = 0; i < n; i++) {
			double ops = rep_worker(cell, "worker_ops", i); /* may be 0: legacy can starve a worker */
			CHECK_NEAR(rep_worker(cell, "worker_gil_forced_drops", i), floor(ops / 50), 1);
			/* every release is followed by a take */
			CHECK(rep_worker(cell, "worker_gil_acquisitions", i) >= rep_worker(cell, "worker_gil_forced_drops", i));
		}
		CHECK(json_object_get(json_array_get(json_object_get(cell, "reps"), 0), "gil_futile_wakeups") != NULL);
		CHECK(json_object_get(json_array_get(json_object_get(cell, "reps"), 0), "gil_drop_requests") == NULL);
		json_decref(root);
	}
}

/* ---- the GIL is released around blocking calls ---- */

/* Two workers hand a turn back and forth with task_wait/task_wake. A waiter that kept the
 * GIL would keep the other from ever taking its turn. */
struct turn_shared { _Atomic unsigned turn; };

static int turn_setup(struct run *r)
{
	r->wl_shared = task_shm_alloc(r, sizeof(struct turn_shared));
	return r->wl_shared ? 0 : run_fail(r, "out of shared memory");
}

static int turn_run(struct task *t)
{
	struct turn_shared *s = t->run->wl_shared;
	unsigned me = t->id, other = 1 - t->id;
	while (!task_should_stop(t)) {
		unsigned v = atomic_load(&s->turn);
		if (v != me) {
			task_wait(t, &s->turn, v, TASK_FOREVER);
			continue;
		}
		task_ops(t, 1);
		atomic_store(&s->turn, other);
		task_wake(t, &s->turn, 1);
		task_checkpoint(t);
	}
	return 0;
}

static const struct workload wl_turn = { .name = "test-turn", .summary = "two workers take turns",
	                                 .version = WORKLOAD_API_VERSION, .min_workers = 2,
	                                 .primary_metric = "ops_per_s", .setup = turn_setup, .run = turn_run };

TEST(gil, lock_released_around_wait)
{
	static const char *modes[] = { "gil_mode=new", "gil_mode=legacy" };
	for (unsigned m = 0; m < 2; m++) {
		json_t *root = tcell_run_ok(&(struct tcell){ .wl = &wl_turn, .driver = "gil", .workers = 2, .duration_s = 0.2,
		                                             .knobs = { modes[m] } });
		json_t *cell = tcell_cell(root);
		double a = rep_worker(cell, "worker_ops", 0), b = rep_worker(cell, "worker_ops", 1);
		CHECK(a >= 3 && b >= 3); /* a waiter keeping the GIL: a == 1, b == 0 */
		CHECK(fabs(a - b) <= 1); /* strict alternation */
		json_decref(root);
	}
}

/* Worker 0 sleeps; worker 1 spins and counts the ops it does while worker 0 is asleep (or
 * still taking the GIL back). If a sleep kept the GIL, worker 1 could never run then. */
#define SLEEP_NS 5000000u
struct nap_shared {
	_Atomic unsigned asleep;
	_Atomic uint64_t ops_while_asleep;
	_Atomic uint64_t sleeps, progressed;
	_Atomic uint64_t min_progressed_ns;   /* shortest sleep+retake among sleeps with spinner progress */
};

static int nap_setup(struct run *r)
{
	struct nap_shared *s = task_shm_alloc(r, sizeof *s);
	if (!s)
		return run_fail(r, "out of shared memory");
	atomic_store(&s->min_progressed_ns, UINT64_MAX);
	r->wl_shared = s;
	return 0;
}

static int nap_run(struct task *t)
{
	struct nap_shared *s = t->run->wl_shared;
	uint64_t x = spin_seed(t->id);
	while (!task_should_stop(t)) {
		if (t->id == 0) {
			uint64_t before = task_ops_done(&t->run->tasks[1]), t0 = task_now_ns();
			atomic_store(&s->asleep, 1);
			int rc = task_sleep_ns(t, SLEEP_NS);
			atomic_store(&s->asleep, 0);
			uint64_t d = task_now_ns() - t0;
			if (rc || task_should_stop(t))
				break; /* the spinner may have ended: this sleep does not count */
			atomic_fetch_add(&s->sleeps, 1);
			if (task_ops_done(&t->run->tasks[1]) > before) {
				atomic_fetch_add(&s->progressed, 1);
				if (d < atomic_load(&s->min_progressed_ns))
					atomic_store(&s->min_progressed_ns, d);
			}
		} else {
			x = spin_unit(x, 600);
			if (atomic_load(&s->asleep))
				atomic_fetch_add(&s->ops_while_asleep, 1);
		}
		task_ops(t, 1);
		task_checkpoint(t);
	}
	return x == 42;
}

static int nap_verify(struct run *r)
{
	struct nap_shared *s = r->wl_shared;
	run_metric(r, "ops_while_asleep", (double)atomic_load(&s->ops_while_asleep));
	run_metric(r, "sleeps", (double)atomic_load(&s->sleeps));
	run_metric(r, "progressed", (double)atomic_load(&s->progressed));
	run_metric(r, "min_progressed_s", (double)atomic_load(&s->min_progressed_ns) / 1e9);
	return 0;
}

static const struct workload wl_nap = { .name = "test-nap", .summary = "one sleeper, one spinner",
	                                .version = WORKLOAD_API_VERSION, .min_workers = 2,
	                                .primary_metric = "ops_per_s", .setup = nap_setup, .run = nap_run,
	                                .verify = nap_verify };

TEST(gil, lock_released_around_sleep_and_convoy)
{
	static const char *modes[] = { "gil_mode=new", "gil_mode=legacy" };
	for (unsigned m = 0; m < 2; m++) {
		/* A sleep that kept the GIL: 0 ops while asleep, in every attempt. Whether the
		 * spinner gets the lock in time is up to the scheduler (legacy mode has no handoff;
		 * sanitizers slow wake-ups down), so up to 3 attempts. */
		json_t *root = NULL, *cell = NULL;
		for (int attempt = 0; attempt < 3; attempt++) {
			if (root)
				json_decref(root);
			root = tcell_run_ok(&(struct tcell){ .wl = &wl_nap, .driver = "gil", .workers = 2, .duration_s = 0.4,
			                                     .knobs = { modes[m], "interval_us=5000" } });
			cell = tcell_cell(root);
			if (rep_num(cell, "ops_while_asleep") >= 1)
				break;
		}
		if (!(rep_num(cell, "ops_while_asleep") >= 1))
			TEST_FAIL("%s: the spinner never ran while the sleeper slept (3 attempts)", modes[m]);
		/* The convoy effect (new GIL): once the spinner has the GIL it keeps it until the
		 * sleeper, back from its sleep, has waited one whole interval and asked for it. */
		if (m == 0 && rep_num(cell, "progressed") > 0)
			CHECK(rep_num(cell, "min_progressed_s") >= (SLEEP_NS + 5000000) / 1e9);
		json_decref(root);
	}
}

/* The task primitives (mutex, barrier, semaphore) under the GIL, with GIL switches inside
 * critical sections: a worker that blocks on the mutex must release the GIL, or the mutex
 * holder could never run to unlock it. */
struct prim_shared {
	struct task_mutex m;
	struct task_barrier b;
	struct task_sem sem;
	uint64_t counter;            /* protected by m */
	_Atomic uint64_t rounds;
};

static int prim_setup(struct run *r)
{
	struct prim_shared *s = task_shm_alloc(r, sizeof *s);
	if (!s)
		return run_fail(r, "out of shared memory");
	task_barrier_init(&s->b, r->nworkers);
	task_sem_init(&s->sem, 1);
	r->wl_shared = s;
	return 0;
}

static int prim_run(struct task *t)
{
	struct prim_shared *s = t->run->wl_shared;
	uint64_t x = spin_seed(t->id);
	for (unsigned n = 1; n <= 400; n++) {
		task_mutex_lock(t, &s->m);
		uint64_t v = s->counter;
		x = spin_unit(x, 300);
		task_checkpoint(t); /* a GIL switch may land here, inside the critical section */
		s->counter = v + 1;
		task_mutex_unlock(t, &s->m);
		if (task_sem_down(t, &s->sem) == 0) {
			task_yield(t);
			task_sem_up(t, &s->sem);
		}
		task_ops(t, 1);
		task_checkpoint(t);
		if (n % 100 == 0 && task_barrier_wait(t, &s->b) == 0 && t->id == 0)
			atomic_fetch_add(&s->rounds, 1);
	}
	return x == 42;
}

static int prim_verify(struct run *r)
{
	struct prim_shared *s = r->wl_shared;
	if (s->counter != run_total_ops(r))
		return run_fail(r, "counter %llu != ops %llu", (unsigned long long)s->counter,
		                (unsigned long long)run_total_ops(r));
	run_metric(r, "rounds", (double)atomic_load(&s->rounds));
	return 0;
}

static const struct workload wl_prim = { .name = "test-prim", .summary = "mutex, semaphore and barrier",
	                                 .version = WORKLOAD_API_VERSION, .flags = WORKLOAD_SELF_BOUNDED,
	                                 .min_workers = 1, .primary_metric = "ops_per_s", .setup = prim_setup,
	                                 .run = prim_run, .verify = prim_verify };

TEST(gil, task_primitives_under_the_gil)
{
	static const char *modes[] = { "gil_mode=new", "gil_mode=legacy" };
	for (unsigned m = 0; m < 2; m++) {
		json_t *root = tcell_run_ok(&(struct tcell){ .wl = &wl_prim, .driver = "gil", .workers = 4,
		                                             .knobs = { modes[m], "interval_us=200", "check_interval=10" } });
		json_t *cell = tcell_cell(root);
		CHECK_EQ_INT(rep_num(cell, "ops"), 4 * 400);
		CHECK_EQ_INT(rep_num(cell, "rounds"), 4);
		CHECK(rep_num(cell, "gil_switches") > 0);
		json_decref(root);
	}
}

/* ---- results and lifecycle ---- */

TEST(gil, metrics_in_the_results)
{
	json_t *root = tcell_run_ok(&(struct tcell){ .workload = "cpu-spin", .driver = "gil", .workers = 3, .reps = 2,
	                                             .duration_s = 0.1, .knobs = { "interval_us=1000" } });
	json_t *cell = tcell_cell(root);
	static const char *arrays[] = { "worker_gil_wait_s", "worker_gil_acquisitions", "worker_gil_forced_drops" };
	json_t *rep = json_array_get(json_object_get(cell, "reps"), 0);
	for (unsigned k = 0; k < 3; k++)
		CHECK_EQ_INT(json_array_size(json_object_get(rep, arrays[k])), 3);
	double acq = 0, wait = 0;
	for (unsigned i = 0; i < 3; i++) {
		acq += rep_worker(cell, "worker_gil_acquisitions", i);
		wait += rep_worker(cell, "worker_gil_wait_s", i);
		CHECK(rep_worker(cell, "worker_gil_acquisitions", i) >= 1);
	}
	CHECK_NEAR(acq, rep_num(cell, "gil_acquisitions"), 0);
	CHECK_NEAR(wait, rep_num(cell, "gil_wait_s"), 1e-6);
	/* 3 workers, one runs: the other two wait most of the time */
	CHECK(wait > rep_num(cell, "wall_s"));
	json_t *sum = json_object_get(cell, "summary");
	static const char *summ[] = { "gil_switches_per_s", "gil_wait_s", "gil_forced_drops", "gil_drop_requests" };
	for (unsigned k = 0; k < 4; k++)
		if (!json_object_get(sum, summ[k]))
			TEST_FAIL("summary has no %s", summ[k]);
	json_decref(root);
	/* other drivers add no GIL metrics */
	root = tcell_run_ok(&(struct tcell){ .workload = "cpu-spin", .driver = "thread", .workers = 1 });
	CHECK(json_object_get(json_array_get(json_object_get(tcell_cell(root), "reps"), 0), "gil_switches") == NULL);
	json_decref(root);
}

TEST(gil, worker_metric_arrays_round_trip)
{
	double v[2] = { 0.5, 2 }, wops[2] = { 1, 2 };
	struct run_worker_metric wm[1] = { { "worker_x", v } };
	struct rep_result r = { .ok = 1, .nworkers = 2, .worker_ops = wops, .nwmetrics = 1, .wmetrics = wm };
	char *line = results_rep_encode(&r);
	json_error_t e;
	json_t *o = json_loads(line, 0, &e);
	CHECK(o);
	CHECK_EQ_INT(json_array_size(json_object_get(o, "worker_x")), 2);
	CHECK_NEAR(json_number_value(json_array_get(json_object_get(o, "worker_x"), 1)), 2, 0);
	json_decref(o);
	free(line);
	/* run_worker_metric: one array per name, nworkers long, zero for workers not given */
	struct run run;
	memset(&run, 0, sizeof run);
	run.nworkers = 3;
	run_worker_metric(&run, "a", 2, 7);
	run_worker_metric(&run, "a", 0, 1);
	run_worker_metric(&run, "b", 5, 1); /* out of range: ignored */
	CHECK_EQ_INT(run.nwmetrics, 1);
	CHECK_NEAR(run.wmetrics[0].values[0], 1, 0);
	CHECK_NEAR(run.wmetrics[0].values[1], 0, 0);
	CHECK_NEAR(run.wmetrics[0].values[2], 7, 0);
	run_metrics_free(&run);
	CHECK_EQ_INT(run.nwmetrics, 0);
}

static int fail_run(struct task *t)
{
	if (t->id == 0)
		return task_fail(t, "deliberate failure %d", 7);
	for (int i = 0; i < 1000; i++) {
		task_ops(t, 1);
		task_checkpoint(t);
	}
	return 0;
}
/* Self-bounded: no stop before every worker has run (a stop before worker 0 gets the GIL
 * would skip its run on a busy machine). */
static const struct workload wl_fail = { .name = "test-fail", .summary = "worker 0 fails",
	                                 .version = WORKLOAD_API_VERSION, .flags = WORKLOAD_SELF_BOUNDED,
	                                 .min_workers = 1, .primary_metric = "ops_per_s", .run = fail_run };

TEST(gil, failing_and_hung_workers)
{
	json_t *root = tcell_run(&(struct tcell){ .wl = &wl_fail, .driver = "gil", .workers = 3 });
	CHECK_STR(tcell_status(tcell_cell(root)), "failed");
	CHECK_CONTAINS(tcell_error(tcell_cell(root)), "deliberate failure 7");
	json_decref(root);
	/* A hung worker still runs while the runner reads its slot: ThreadSanitizer reports that
	 * (by design of the hang test, also under the thread driver). */
	if (!strcmp(BENCH_SANITIZER, "tsan"))
		return;
	/* faulty_hang ignores stop and never reaches a checkpoint: it keeps the GIL forever */
	root = tcell_run(&(struct tcell){ .wl = &faulty_hang, .driver = "gil", .workers = 2, .stop_grace_s = 0.3 });
	CHECK_STR(tcell_status(tcell_cell(root)), "failed");
	CHECK_CONTAINS(tcell_error(tcell_cell(root)), "did not stop");
	CHECK_EQ_INT(tcount_children(), 0);
	json_decref(root);
}

TEST(gil, many_workers)
{
	json_t *root = tcell_run_ok(&(struct tcell){ .wl = &wl_owner, .driver = "gil", .workers = 64, .duration_s = 0.2,
	                                             .knobs = { "interval_us=100" } });
	json_t *cell = tcell_cell(root);
	CHECK_EQ_INT(rep_num(cell, "owner_violations"), 0);
	CHECK_EQ_INT(rep_num(cell, "gil_exclusion_violations"), 0);
	json_decref(root);
}

/* Many waiters: each GIL wait costs about the same with 2,000 workers as with a few (the
 * drop-request timer is not armed in every waiter, so N waiters do not wake every interval
 * together), so sleep-io with 2,000 workers finishes within a generous bound of the thread
 * driver's time, measured alternately in the same test (the best of 2 each). */
TEST_T(gil, two_thousand_waiters_cost_about_what_threads_cost, 300)
{
	unsigned n = strcmp(BENCH_SANITIZER, "none") ? 500 : 2000;
	static const char *drivers[] = { "thread", "gil" };
	double best[2] = { INFINITY, INFINITY };
	for (unsigned k = 0; k < 4; k++) {
		json_t *root = tcell_run_ok(&(struct tcell){ .workload = "sleep-io", .driver = drivers[k % 2], .workers = n,
		                                             .timeout_s = 120, .knobs = { "count=2" } });
		double w = rep_num(tcell_cell(root), "wall_s");
		best[k % 2] = w < best[k % 2] ? w : best[k % 2];
		json_decref(root);
	}
	if (!(best[1] <= 20 * best[0]))
		TEST_FAIL("sleep-io n=%u: gil %.3f s, thread %.3f s: more than 20x", n, best[1], best[0]);
}

/* One spinner among many sleepers (the convoy, at scale): a waiter is always timing the
 * holder, so the spinner is asked to drop the GIL and every waiter finishes; the spinner
 * never gives up for lack of progress. */
TEST_T(gil, a_spinner_among_many_waiters_is_asked_to_drop, 120)
{
	json_t *root = tcell_run_ok(&(struct tcell){ .workload = "sleep-io", .driver = "gil", .workers = 101,
	                                             .timeout_s = 60, .knobs = { "count=3", "spinners=1", "interval_us=1000" } });
	json_t *cell = tcell_cell(root);
	CHECK_EQ_INT(rep_num(cell, "spinners_gave_up"), 0);
	CHECK(rep_num(cell, "gil_drop_requests") >= 1);
	CHECK_EQ_INT(rep_num(cell, "gil_exclusion_violations"), 0);
	json_decref(root);
}

/* Found by gil runs on a loaded machine: when the runner's monitoring loop fell more than one
 * 100 ms tick behind (descheduled), its futex timeout wrapped around and the cell waited for
 * the watchdog. A driver whose reap hook (called at each tick) takes 250 ms makes the loop
 * more than a tick late from the second tick on. (A harness test; it lives here because the
 * gil runs found it.) */
static void slow_reap(struct run *r)
{
	(void)r;
	usleep(250000);
}

TEST(gil, runner_survives_a_late_tick)
{
	struct driver_ops slow = driver_thread;
	slow.reap = slow_reap;
	json_t *root = tcell_run(&(struct tcell){ .workload = "cpu-spin", .drv = &slow, .workers = 1, .duration_s = 1,
	                                          .timeout_s = 2 });
	CHECK_STR(tcell_status(tcell_cell(root)), "ok");
	json_decref(root);
}
