/* python_twins: the workloads the python drivers can run (their twins in workloads/python/),
 * which modes have a Python counterpart, and the C twin's check applied to what the Python
 * twin reported; plus the adapter the drivers put in run->wl (see drivers/python.c). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/driver.h"
#include "drivers/python.h"
#include "workloads/pc.h"
#include "workloads/shared_counter.h"
#include "workloads/sleep_io.h"
#include "workloads/spin.h"

#define SPIN_SNAP_OPS 64      /* cpu_spin.py SNAP_OPS, cpu_spin.c SNAP_OPS */
#define SPIN_VERIFY_WORKERS 64

const char *python_value(const struct py_run *p, const char *name)
{
	for (unsigned i = 0; i < p->nvalues; i++)
		if (!strcmp(p->values[i].name, name))
			return p->values[i].text;
	return NULL;
}

double python_metric(const struct py_run *p, const char *name)
{
	const char *v = python_value(p, name);
	char *end;
	double d = v ? strtod(v, &end) : NAN;
	return v && end != v && !*end ? d : NAN;
}

/* A reported count: -1 via run_fail when missing or not a count. */
static int count_of(struct run *r, const struct py_run *p, const char *name, uint64_t *out)
{
	double d = python_metric(p, name);
	if (!(d >= 0) || d > 1e18)
		return run_fail(r, "the Python twin did not report %s", name);
	*out = (uint64_t)d;
	return 0;
}

static int all_modes(struct run *r, enum py_model m)
{
	(void)r, (void)m;
	return 0;
}

/* cpu-spin: the state after SNAP_OPS ops, recomputed with the C unit (spin.h). */
static int spin_check(struct run *r, const struct py_run *p)
{
	uint64_t iters = 0;
	if (count_of(r, p, "iters_per_op", &iters))
		return -1;
	for (unsigned i = 0, checked = 0; i < r->nworkers && checked < SPIN_VERIFY_WORKERS; i++) {
		if (atomic_load(&r->sh->slot[i].ops) < SPIN_SNAP_OPS)
			continue;
		char name[32];
		snprintf(name, sizeof name, "snap.%u", i);
		const char *v = python_value(p, name);
		uint64_t x = spin_seed(i);
		for (unsigned k = 0; k < SPIN_SNAP_OPS; k++)
			x = spin_unit(x, (unsigned)iters);
		if (!v || strtoull(v, NULL, 0) != x)
			return run_fail(r, "worker %u: state after %d ops is %s, the C unit gives %#llx", i, SPIN_SNAP_OPS,
			                v ? v : "missing", (unsigned long long)x);
		checked++;
	}
	return 0;
}

/* shared-counter: none, mutex (threading.Lock) and local (threading.local) have Python
 * counterparts; a lock-free atomic increment and a spinlock do not. */
static int sc_supports(struct run *r, enum py_model m)
{
	(void)m;
	int sync = run_knob_enum(r, "sync");
	if (sync == SHARED_COUNTER_ATOMIC || sync == SHARED_COUNTER_SPIN) {
		run_fail(r, "sync=%s has no Python counterpart (the twin has none, mutex and local)",
		         sync == SHARED_COUNTER_ATOMIC ? "atomic" : "spin");
		return -ENOTSUP;
	}
	return 0;
}

static int sc_check(struct run *r, const struct py_run *p)
{
	uint64_t expected = 0, final = 0;
	if (count_of(r, p, "expected", &expected) || count_of(r, p, "final", &final))
		return -1;
	return shared_counter_check((enum shared_counter_sync)run_knob_enum(r, "sync"), expected, final,
	                            run_total_ops(r), r->err, sizeof r->err);
}

static int sio_check(struct run *r, const struct py_run *p)
{
	uint64_t nwaiters = 0, waits = 0, shorts = 0, early = 0, max_inside = 0, rounds = 0;
	if (count_of(r, p, "waiters", &nwaiters) || count_of(r, p, "waits", &waits) ||
	    count_of(r, p, "short_waiters", &shorts) || count_of(r, p, "early", &early) ||
	    count_of(r, p, "max_inside", &max_inside) || count_of(r, p, "rounds", &rounds))
		return -1;
	struct sleep_io_tally t = { .nwaiters = (unsigned)nwaiters, .count = (unsigned)run_knob_int(r, "count"),
		                    .limit = (unsigned)run_knob_int(r, "limit"), .short_waiters = (unsigned)shorts,
		                    .waits = waits, .ops = run_total_ops(r), .recorded = waits, .early = early,
		                    .max_inside = (unsigned)max_inside, .rounds = rounds };
	return sleep_io_check(&t, r->err, sizeof r->err);
}

/* producer-consumer: queue=lock is the model's own queue (queue.Queue, multiprocessing.Queue,
 * asyncio.Queue), queue=pipe multiprocessing.Queue (a pipe); no Python spsc ring. */
static int pcq_supports(struct run *r, enum py_model m)
{
	int q = run_knob_enum(r, "queue");
	if (q == 1 || (q == 2 && m == PY_ASYNCIO)) {
		run_fail(r, "queue=%s has no Python counterpart under %s", q == 1 ? "spsc" : "pipe", r->drv->name);
		return -ENOTSUP;
	}
	return 0;
}

/* Exactly once, per producer: as many consumed as produced, and the sum of pc_mix over them
 * is the C sum over seq 0..produced-1. */
static int pcq_check(struct run *r, const struct py_run *p)
{
	uint64_t items = 0, nprod = 0;
	if (count_of(r, p, "items", &items) || count_of(r, p, "producers", &nprod))
		return -1;
	if (items != run_total_ops(r))
		return run_fail(r, "bookkeeping: %llu items consumed, the harness counted %llu", (unsigned long long)items,
		                (unsigned long long)run_total_ops(r));
	for (uint64_t i = 0; i < nprod; i++) {
		char name[32];
		snprintf(name, sizeof name, "psum.%llu", (unsigned long long)i);
		const char *v = python_value(p, name);
		unsigned long long made, got, sum;
		if (!v || sscanf(v, "%llu:%llu:%llx", &made, &got, &sum) != 3)
			return run_fail(r, "the Python twin did not report %s", name);
		uint64_t want = 0;
		for (uint64_t s = 0; s < made; s++)
			want += pc_mix((uint32_t)i, s);
		if (got != made || sum != want)
			return run_fail(r, "producer %llu: %llu items produced, %llu consumed (checksum %#llx, expected %#llx)",
			                (unsigned long long)i, made, got, sum, (unsigned long long)want);
	}
	return 0;
}

/* pingpong: mode=wait is a Condition per pair; no Python counterpart of a spinning poll. The
 * twin checks alternation itself (pingpong.c has no check of plain numbers); here, the round
 * trips the harness counted against the moves. */
static int pp_supports(struct run *r, enum py_model m)
{
	(void)m;
	if (run_knob_enum(r, "mode") != 0) {
		run_fail(r, "mode=spin has no Python counterpart (the twin waits on a Condition)");
		return -ENOTSUP;
	}
	return 0;
}

static int pp_check(struct run *r, const struct py_run *p)
{
	uint64_t pairs = 0;
	if (count_of(r, p, "pairs", &pairs))
		return -1;
	return pairs == r->nworkers / 2 ? 0 : run_fail(r, "%llu pairs for %u workers", (unsigned long long)pairs,
	                                                r->nworkers);
}

static const struct py_twin twins[] = {
	{ "cpu-spin", "cpu_spin", all_modes, spin_check },
	{ "sleep-io", "sleep_io", all_modes, sio_check },
	{ "shared-counter", "shared_counter", sc_supports, sc_check },
	{ "producer-consumer", "producer_consumer", pcq_supports, pcq_check },
	{ "pingpong", "pingpong", pp_supports, pp_check },
};

const struct py_twin *python_twin_find(const char *workload)
{
	for (size_t i = 0; i < sizeof twins / sizeof twins[0]; i++)
		if (!strcmp(twins[i].workload, workload))
			return &twins[i];
	return NULL;
}

/* ---- the adapter ---- */

static int adapter_setup(struct run *r)
{
	struct py_run *p = r->drv_priv;
	if (p->unavailable[0]) {
		run_fail(r, "driver %s: %s", r->drv->name, p->unavailable);
		return -ENOTSUP;
	}
	if (!p->twin) {
		run_fail(r, "%s has no Python twin (workloads/python/)", p->orig->name);
		return -ENOTSUP;
	}
	int rc = p->twin->supports(r, p->model);
	if (rc)
		return rc;
	return p->orig->setup ? p->orig->setup(r) : 0;
}

static int adapter_run(struct task *t)
{
	return task_fail(t, "the C run() of %s called under a python driver", t->run->wl->name);
}

static int adapter_verify(struct run *r)
{
	struct py_run *p = r->drv_priv;
	if (p->fail[0])
		return run_fail(r, "%s", p->fail);
	for (unsigned i = 0; i < p->nvalues; i++)
		if (p->values[i].is_metric)
			run_metric(r, p->values[i].name, python_metric(p, p->values[i].name));
	return p->twin->check(r, p);
}

static void adapter_teardown(struct run *r)
{
	struct py_run *p = r->drv_priv;
	if (p->orig->teardown)
		p->orig->teardown(r);
}

void python_adapt(struct run *r, struct py_run *p)
{
	p->wl = *p->orig;
	p->wl.setup = adapter_setup;
	p->wl.run = adapter_run;
	p->wl.verify = adapter_verify;
	p->wl.teardown = adapter_teardown;
	r->wl = &p->wl;
}
