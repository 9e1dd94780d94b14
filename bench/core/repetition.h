/* repetition: one repetition of a cell, in the cell process (or in bench for an in-process
 * run). It drives the lifecycle of drivers/driver.h and workloads/workload.h, one function per
 * phase: init -> shm_alloc -> setup -> spawn x N -> start gate -> run -> stop -> join ->
 * metrics -> verify -> (teardown, cleanup), and measures it into a struct rep_result. */
#ifndef BENCH_REPETITION_H
#define BENCH_REPETITION_H

#include <stdint.h>

#include "bench/core/interference.h"
#include "bench/core/sampler.h"
#include "bench/core/task.h"
#include "bench/store/results.h"

struct runner_config;
struct cell_spec;

/* What the repetitions of one cell share. */
struct repetition_cell {
	const struct runner_config *cfg;
	const struct cell_spec *spec;
	const int *pus;                /* the PU of each worker (-1: unbound) */
	int poisoned;                  /* workers hung: memory must not be freed, the cell must end */
	double mem_base;               /* kB of the cell before its first repetition's spawn; NAN first */
};

/* The state of one repetition. It must stay in place from repetition_run() to
 * repetition_release(): workers point into it (hung ones for as long as they live). */
struct repetition {
	struct repetition_cell *cell;
	struct run run;                /* what the driver and the workload see */
	struct rep_result out;         /* what the repetition measured; one line to bench */
	struct sampler smp;            /* per-core utilization while the workers run */
	struct interference_probe probe; /* what disturbed the repetition */
	int staller;                   /* -O fault=stall: the helper process that stops the cell, or 0 */
	unsigned spawned;              /* workers created so far */
	uint64_t t_start;              /* when the start gate opened */
	double mem_alive;              /* kB of the cell with every worker alive; NAN: unknown */
};

/* Run repetition `index` (a warm-up one if warmup) of cell c into p (overwritten).
 * 0: the cell goes on (p->out.ok says whether this repetition failed: a repetition that fails
 * before the workload's setup does not end its cell); -1: it failed and the cell ends;
 * -ENOTSUP: the workload cannot run here, the cell is skipped (reason in p->out.error).
 * Either way, release p with repetition_release() once p->out was sent. */
int repetition_run(struct repetition_cell *c, struct repetition *p, int warmup, unsigned index);
/* Free what the repetition holds. When c->poisoned, the run, its shared memory and the
 * driver's state stay (hung workers still use them); the cell process must then end. */
void repetition_release(struct repetition *p);
/* The value of metric `name` in a measured repetition: a harness figure (ops_per_s, wall_s,
 * util_cores, ...) or a metric of the workload or driver. NAN if it has none. */
double repetition_metric(const struct rep_result *o, const char *name);

#endif
