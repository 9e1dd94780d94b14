/* skeleton: the smallest complete workload, to copy when adding one (the idea of fio's
 * engines/skeleton_external.c). It is built with the others and tests/test_skeleton.c runs it
 * under every driver, but it is not in WORKLOADS(X): `bench list` and `bench run --all` do
 * not show it.
 *
 * What it does: every worker takes "steps"; a step is `work` rounds of a cheap mix, and one
 * op. Verify checks that the steps each worker wrote to shared memory add up to the ops the
 * harness counted.
 *
 * Adding a workload from a copy of this file touches four places:
 *   1. workloads/<name>.c: rename workload_skeleton to workload_<name> (underscores) and .name
 *      to "<name>" (dashes); the build picks up every .c file in workloads/;
 *   2. workloads/workload.h: X(<name>) in WORKLOADS(X);
 *   3. BENCHMARKS.md: what it measures, how, which claim it tests, a measured example;
 *   4. tests/test_<name>.c: it passes verify under every driver, and verify catches a
 *      broken variant (the build picks up every tests/test_<suite>.c).
 * Everything else reads the table: bench list, run --all, the knob parser (-O), the results,
 * compare, and the figures' axis label (.op_unit). */
#include <stdint.h>

#include "workloads/workload.h"

/* Shared state: made by setup in the cell process, seen by every worker under every driver
 * (task_shm_alloc is MAP_SHARED for processes). Memory that setup mallocs is not: a process
 * worker writes its own copy. */
struct skel_shared {
	unsigned work;                          /* the knob, read once in setup */
	struct skel_slot {                      /* one per worker, a line each: a single writer */
		uint64_t steps, mix;
	} __attribute__((aligned(TASK_CACHELINE))) slot[];
};

/* -O knobs: name, type, default, min, max, choices (enums: "a|b|c"), help (bench/opt.h). */
static const struct knob skel_knobs[] = {
	{ "work", KNOB_INT, "100", 1, 1000000, NULL, "rounds of a cheap mix per step" },
	{ 0 }
};

/* Cell process, once per repetition, before any worker exists. 0; run_fail(r, ...) fails the
 * cell; a combination that cannot run returns -ENOTSUP after run_fail (the cell is skipped
 * with that reason). A mode that needs something of the driver asks for the capability, never
 * for a driver by name: `if ((rc = run_need_caps(r, TASK_CAP_INHERIT_FDS, "mode=pipe")))
 * return rc;`. */
static int skel_setup(struct run *r)
{
	struct skel_shared *s = task_shm_alloc(r, sizeof *s + r->nworkers * sizeof s->slot[0]);
	if (!s)
		return run_fail(r, "out of shared memory");
	s->work = (unsigned)run_knob_int(r, "work");
	r->wl_shared = s;
	return 0;
}

/* Every worker, in its own thread, process or coroutine, once the start gate opens. Loop until
 * the harness says stop, count each op, and reach a checkpoint at least once per op (where the
 * coroutine and gil drivers may switch). Only the task API: blocking is task_sleep_ns,
 * task_wait/task_wake (task_mutex, task_sem, task_barrier) or task_wait_fd, never sleep,
 * pthread, fork or futex. Return 0, or task_fail(t, ...). */
static int skel_run(struct task *t)
{
	struct skel_shared *s = t->run->wl_shared;
	uint64_t x = t->id, steps = 0;
	while (!task_should_stop(t)) {
		for (unsigned i = 0; i < s->work; i++)
			x = x * 6364136223846793005ull + 1442695040888963407ull;
		steps++;
		task_ops(t, 1);
		task_checkpoint(t);
	}
	s->slot[t->id].steps = steps;
	s->slot[t->id].mix = x; /* keeps the mix from being optimised away */
	return 0;
}

/* Cell process, after every worker returned: check what must hold, record metrics
 * (run_metric: into the results and their summary). 0, or run_fail(r, ...). */
static int skel_verify(struct run *r)
{
	struct skel_shared *s = r->wl_shared;
	uint64_t steps = 0;
	for (unsigned i = 0; i < r->nworkers; i++)
		steps += s->slot[i].steps;
	run_metric(r, "steps", (double)steps);
	if (steps != run_total_ops(r))
		return run_fail(r, "%llu steps in shared memory, %llu ops counted", (unsigned long long)steps,
		                (unsigned long long)run_total_ops(r));
	return 0;
}

/* Designated initialisers; workload_check() says what is mandatory. Optional: .flags
 * (WORKLOAD_SELF_BOUNDED: the workers end by themselves), .symmetric (1 when every worker does
 * the same job: bench run then shows their fairness), .teardown (close what setup opened;
 * task_shm_alloc memory is the driver's to free). */
const struct workload workload_skeleton = {
	.name = "skeleton",
	.summary = "the example workload: steps of a cheap mix (not registered; copy it)",
	.version = WORKLOAD_API_VERSION,
	.min_workers = 1,
	.knobs = skel_knobs,
	.primary_metric = "ops_per_s",
	.op_unit = "steps",
	.symmetric = 1,
	.higher_is_better = 1,
	.setup = skel_setup,
	.run = skel_run,
	.verify = skel_verify,
};
