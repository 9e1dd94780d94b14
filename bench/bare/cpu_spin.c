/* Bare cpu-spin: the same spin_unit loop as workloads/cpu_spin.c in a plain loop on one
 * thread, checking a clock every 1024 ops; no task API, no counters in shared memory. */
#include <stdint.h>

#include "bench/bare/bare.h"
#include "bench/core/task.h"
#include "bench/machine/topo.h"
#include "workloads/spin.h"

static volatile uint64_t sink;

static double run_spin(double duration_s, const int *pus, unsigned workers)
{
	(void)workers;
	topo_bind_self(pus[0], 0);
	uint64_t x = spin_seed(0), ops = 0;
	double t0 = task_now_ns() / 1e9, t;
	do {
		for (int i = 0; i < 1024; i++)
			x = spin_unit(x, SPIN_ITERS_PER_US); /* cpu-spin's default iters: ~1 us */
		ops += 1024;
		t = task_now_ns() / 1e9;
	} while (t - t0 < duration_s);
	sink = x;
	return (double)ops / (t - t0);
}

const struct bare bare_cpu_spin = {
	.name = "cpu-spin",
	.summary = "harness overhead: cpu-spin, 1 thread worker vs the same loop in bare C",
	.unit = "ops/s",
	.workload = "cpu-spin",
	.driver = "thread",
	.workers = 1,
	.pin = "pus:0",
	.knobs = { "iters=600", NULL },
	.higher_is_better = 1,
	.bare = run_spin,
};
