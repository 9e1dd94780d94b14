/* run_baseline: `bench run --baseline FILE`: the cells to run come from a results file (its
 * workloads, drivers, workers, pin and knobs, optionally with -O overrides), and the run
 * ends with a comparison against it (compare.c). */
#ifndef BENCH_RUN_BASELINE_H
#define BENCH_RUN_BASELINE_H

#include "bench/core/opt.h"
#include "bench/store/results_load.h"
#include "bench/core/runner.h"
#include "bench/machine/topo.h"

struct baseline_cells {
	struct results_file *file;
	unsigned n;
	struct cell_spec *cells;       /* one per baseline cell, in its order */
	struct topo_policy *pins;      /* the pin policy of each */
	char (*labels)[200];           /* the label of each (compare_cell_label); the run table adds
	                                  the -O knobs */
	unsigned nsettings;
	char settings[4][24];          /* reps, warmup, duration_s, timeout_s of the baseline run (enum run_setting order) */
};

/* Build the cells of the baseline file at path; the overrides (one value each) replace a
 * knob in every cell whose workload or driver has it. 0, or -EINVAL after a one-line message
 * (unreadable file, a workload/driver/knob this bench does not have, an unknown pin). */
int run_baseline_load(const char *path, const struct knob_assign *over, unsigned nover,
                      struct baseline_cells *out);
/* Room for n cells in b (cells, pins and labels, zeroed; b->n untouched), as the flagged
 * cells of --confirm need too. 0, or -ENOMEM after one line. */
int run_baseline_alloc(struct baseline_cells *b, unsigned n);
void run_baseline_free(struct baseline_cells *b);

#endif
