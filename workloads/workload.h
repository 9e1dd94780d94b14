/* workload: what work the workers do.
 *
 * One const `struct workload` per workload, registered once in WORKLOADS(X) below and checked
 * by workload_check() at start-up. A workload uses only the task API (bench/task.h): it never
 * calls sleep, pthread, fork or futex itself, so it runs unchanged under every driver.
 *
 * Hooks and where they run:
 *   setup    cell process, once per repetition, before spawn. Reads knobs, allocates shared
 *            state with task_shm_alloc() and sets r->wl_shared. 0, -1 via run_fail(), or
 *            -ENOTSUP via run_fail() when this workload cannot run with this driver/knobs
 *            (the cell is then "skipped", not failed).
 *   run      every worker, in its own thread/process/coroutine. Loops until
 *            task_should_stop() (or until its own count is done), counting with task_ops()
 *            and calling task_checkpoint() at least once per op. 0, or task_fail(...).
 *            Called exactly once in every worker once the start gate has opened, even if
 *            the stop request came before the worker got to run (it then sees
 *            task_should_stop() at once), so workers may wait for each other to finish.
 *   verify   cell process, after join. Checks invariants, records extra metrics with
 *            run_metric(). 0, or -1 via run_fail() (the repetition and cell fail).
 *   teardown cell process, after verify (also after failures). Optional.
 * Adding one: copy workloads/skeleton.c (a commented example, run by tests/test_skeleton.c
 * but not registered), add X(name) below, document it in BENCHMARKS.md, test it (the steps
 * are listed at the top of skeleton.c). */
#ifndef BENCH_WORKLOAD_H
#define BENCH_WORKLOAD_H

#include <stddef.h>

#include "bench/core/task.h"

#define WORKLOAD_API_VERSION 1

enum workload_flags {
	/* Workers end by themselves (a fixed count of work); the runner waits for them instead
	 * of stopping them after --duration (the watchdog still applies). */
	WORKLOAD_SELF_BOUNDED = 1u << 0,
};

struct workload {
	const char *name;                /* with dashes: cpu-spin */
	const char *summary;
	int version;                     /* WORKLOAD_API_VERSION */
	unsigned flags;                  /* enum workload_flags */
	unsigned min_workers;            /* cells with fewer workers are skipped */
	const struct knob *knobs;        /* -O knobs, or NULL */
	const char *primary_metric;      /* what compare looks at: "ops_per_s", "wall_s", ... */
	const char *op_unit;             /* what one task_ops() counts, plural: "items", "round trips"
	                                  * (the unit of ops/s in tables and figures) */
	int symmetric;                   /* 1: every worker does the same job, so "fairness" (Jain's
	                                  * index of the workers' ops) says how evenly they got the
	                                  * CPU; 0: roles differ (a producer and a consumer, a
	                                  * submitter and a pool), the index is fixed by the roles
	                                  * and bench run's table does not show it */
	unsigned helpers;                /* workers that do not do the work that scales (task-pool's
	                                  * submitter): the scaling figure's x is workers - helpers
	                                  * (the pool size) and its linear ideal counts those */
	int higher_is_better;            /* direction of primary_metric */
	double ci_target;                /* bench run --reps auto: stop once the 95% CI of the median
	                                  * of primary_metric is within +-this (relative); 0: the
	                                  * default, REPS_AUTO_TARGET (1%), see bench/core/reps.h */

	int (*setup)(struct run *r);
	int (*run)(struct task *t);
	int (*verify)(struct run *r);
	void (*teardown)(struct run *r);
};

/* C identifiers use underscores; the registered name (with dashes) is in .name. */
#define WORKLOADS(X) \
	X(cpu_spin) \
	X(sleep_io) \
	X(shared_counter) \
	X(producer_consumer) \
	X(pingpong) \
	X(task_pool)

#define WORKLOAD_EXTERN(n) extern const struct workload workload_##n;
WORKLOADS(WORKLOAD_EXTERN)
#undef WORKLOAD_EXTERN

/* The example workload (workloads/skeleton.c): not in the table, so not in run --all. */
extern const struct workload workload_skeleton;

extern const struct workload *const workload_table[];
extern const unsigned workload_count;

const struct workload *workload_find(const char *name);
/* The op unit of the registered workload `name`, NULL if there is none: for readers of
 * results files, which know a workload by its name (plot's axis labels). */
const char *workload_op_unit(const char *name);
/* Its .helpers (0 for a workload this build does not have). */
unsigned workload_helpers(const char *name);
int workload_check(const struct workload *w, char *why, size_t len);

#endif
