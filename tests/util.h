/* Test helpers: run one cell through the real runner and read back what it wrote. */
#ifndef BENCH_TEST_UTIL_H
#define BENCH_TEST_UTIL_H

#include <jansson.h>

struct workload;
struct driver_ops;

struct tcell {
	const struct workload *wl;   /* NULL: look up `workload` by name */
	const char *workload;
	const char *driver;
	const struct driver_ops *drv; /* NULL: look up `driver` by name (a test's own driver otherwise) */
	unsigned workers;
	const char *pin;             /* NULL: spread */
	double duration_s;           /* 0: 0.05 */
	unsigned reps, warmup;       /* reps 0: 1 */
	double timeout_s, stop_grace_s;  /* 0: 20 and 2 */
	const char *knobs[8];        /* "name=value" */
	int inproc;                  /* 1: run in this process (no cell process) */
};

/* Runs the cell, writes a results file and parses it back: returns the root object (the
 * single cell is json_array_get(json_object_get(root, "cells"), 0)). Aborts the test on
 * a harness error. */
json_t *tcell_run(const struct tcell *c);
json_t *tcell_cell(json_t *root);
const char *tcell_status(json_t *cell);
const char *tcell_error(json_t *cell);
double tcell_median(json_t *cell, const char *metric);
/* tcell_run() that insists the cell passed: otherwise the test fails with the cell (workload,
 * driver, workers, knobs), its status and its error. */
json_t *tcell_run_ok(const struct tcell *c);
/* The cell's first repetition (NULL if none), and a number of a repetition: the test fails
 * if it is not there. */
json_t *tcell_rep0(json_t *cell);
double tcell_num(json_t *rep, const char *key);
/* Number of live child processes of this process (from /proc). */
int tcount_children(void);

#endif
