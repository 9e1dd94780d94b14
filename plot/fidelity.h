/* fidelity: how close bench's simulated drivers come to the real interpreter. Each row is one
 * figure the tutorials argue from, measured under a simulated driver (gil, thread, process)
 * and under the matching python driver (py-thread, py-process: drivers with DRIVER_FOREIGN) in
 * the same results file, with their ratio and a pass mark (FIDELITY_RATIO_MAX, or for a lost
 * fraction FIDELITY_LOST_PP). The section of report.md (plot/report.c). */
#ifndef BENCH_PLOT_FIDELITY_H
#define BENCH_PLOT_FIDELITY_H

#include <stdio.h>

#include "bench/store/results_load.h"

#define FIDELITY_RATIO_MAX 1.5    /* simulated / real within [1/1.5, 1.5] */
#define FIDELITY_LOST_PP 0.10     /* lost fractions within 10 percentage points */
#define FIDELITY_ROWS_MAX 16

/* UNRELIABLE: measured, but a cell is "unstable" (too many disturbed repetitions): no verdict. */
enum fidelity_mark { FIDELITY_NOT_MEASURED, FIDELITY_PASS, FIDELITY_FAIL, FIDELITY_UNRELIABLE };

struct fidelity_row {
	const char *figure;           /* what is compared, in words */
	double sim, real, ratio;      /* NaN when not measured */
	int lost;                     /* the mark is FIDELITY_LOST_PP on the difference */
	int unstable;                 /* a cell of the row is unstable */
	enum fidelity_mark mark;
	char sim_cell[160], real_cell[160]; /* which cells (driver n= knobs, CPython version) */
	char note[240];               /* why not measured, or what differs */
};

/* The rows for f (every row, measured or not); returns how many. */
unsigned fidelity_rows(const struct results_file *f, struct fidelity_row *out, unsigned max);
/* The "## Fidelity" section of report.md; nothing when f has no python driver's cell. */
void fidelity_section(FILE *o, const struct results_file *f);

#endif
