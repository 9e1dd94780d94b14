/* cpu-spin: pure CPU work, a fixed unit per op (spin.h), a checkpoint after every op.
 * Tests "a CPU-bound loop uses one core per thread/process; with the GIL only one core". */
#include <stdlib.h>

#include "workloads/spin.h"
#include "workloads/workload.h"

#define SNAP_OPS 64           /* verify recomputes the first SNAP_OPS ops of each worker */
#define VERIFY_WORKERS 64     /* ... of at most this many workers */

struct spin_shared {
	unsigned iters;
	uint64_t *snap;           /* state after SNAP_OPS ops, per worker (0: not reached) */
	uint64_t *final;          /* last state, per worker: keeps the work observable */
};

static const struct knob spin_knobs[] = {
	{ "iters", KNOB_INT, SPIN_DEFAULT_ITERS, 1, 100000000, NULL, "multiply/xor-shift steps per op" },
	{ "extra_work_pct", KNOB_INT, "0", 0, 1000, NULL,
	  "make every op this many percent longer (for testing regression detection)" },
	{ 0 }
};

static int spin_setup(struct run *r)
{
	struct spin_shared *s = task_shm_alloc(r, sizeof *s + 2 * r->nworkers * sizeof(uint64_t));
	if (!s)
		return run_fail(r, "out of shared memory");
	uint64_t iters = (uint64_t)run_knob_int(r, "iters");
	iters = iters * (100 + (uint64_t)run_knob_int(r, "extra_work_pct")) / 100;
	s->iters = (unsigned)(iters > 0xffffffffu ? 0xffffffffu : iters);
	s->snap = (uint64_t *)(s + 1);
	s->final = s->snap + r->nworkers;
	r->wl_shared = s;
	return 0;
}

static int spin_run(struct task *t)
{
	struct spin_shared *s = t->run->wl_shared;
	uint64_t x = spin_seed(t->id), n = 0;
	const unsigned iters = s->iters;
	while (!task_should_stop(t)) {
		x = spin_unit(x, iters);
		if (++n == SNAP_OPS)
			s->snap[t->id] = x;
		task_ops(t, 1);
		task_checkpoint(t);
	}
	s->final[t->id] = x;
	return 0;
}

static int spin_verify(struct run *r)
{
	struct spin_shared *s = r->wl_shared;
	unsigned checked = 0;
	for (unsigned i = 0; i < r->nworkers && checked < VERIFY_WORKERS; i++) {
		if (atomic_load(&r->sh->slot[i].ops) < SNAP_OPS)
			continue;
		uint64_t x = spin_seed(i);
		for (unsigned k = 0; k < SNAP_OPS; k++)
			x = spin_unit(x, s->iters);
		if (x != s->snap[i])
			return run_fail(r, "worker %u: state after %d ops is %#llx, expected %#llx", i, SNAP_OPS,
			                (unsigned long long)s->snap[i], (unsigned long long)x);
		checked++;
	}
	run_metric(r, "iters_per_op", s->iters);
	return 0;
}

const struct workload workload_cpu_spin = {
	.name = "cpu-spin",
	.summary = "CPU-bound loop: a fixed unit of integer work (~1 us) per op",
	.version = WORKLOAD_API_VERSION,
	.min_workers = 1,
	.knobs = spin_knobs,
	.primary_metric = "ops_per_s",
	.op_unit = "spin units",
	.symmetric = 1,
	.higher_is_better = 1,
	.setup = spin_setup,
	.run = spin_run,
	.verify = spin_verify,
};
