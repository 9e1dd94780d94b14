/* Test helpers: run one cell through the real runner and read back what it wrote. */
#ifndef BENCH_TEST_UTIL_H
#define BENCH_TEST_UTIL_H

#include <jansson.h>

struct workload;
struct driver_ops;
struct results_file;

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
/* A scratch directory /tmp/bench-NAME-XXXXXX, removed when the test (a forked child) exits,
 * passed or not; the test fails if it cannot be made. One per test: the path is static. */
const char *test_scratch_dir(const char *name);
/* Number of live child processes of this process (from /proc). */
int tcount_children(void);

/* Synthetic results files (for the readers: loader, plot, claims). A document of a machine
 * with `cpus` online CPUs and no cells: */
json_t *syn_new(int cpus);
/* Appends an ok cell: knobs "k=v k=v" (numbers become JSON numbers); metrics "m=v1/v2/v3
 * m2=..." per-repetition values (the cell gets as many repetitions as the longest list). */
json_t *syn_cell(json_t *doc, const char *wl, const char *drv, unsigned n, const char *knobs,
                 const char *metrics);
/* syn_cell with the metrics given as a printf format: "util_cores=%g", 0.98. */
json_t *syn_cellf(json_t *doc, const char *wl, const char *drv, unsigned n, const char *knobs,
                  const char *fmt, ...) __attribute__((format(printf, 6, 7)));
void syn_status(json_t *cell, const char *status, const char *error);
/* Sets every repetition's worker_ops to ops[0..n). */
/* Every worker of the cell bound to PU 0 in every repetition, as bench run --pin pus:0,0 records
 * it (claim 4 is decided on such cells). Returns cell. */
json_t *syn_one_pu(json_t *cell);
void syn_worker_ops(json_t *cell, const double *ops, unsigned n);
/* Writes doc to path (doc stays the caller's); returns path. The test fails if it cannot. */
const char *syn_write(json_t *doc, const char *path);
/* Writes doc to a temp file (consumes doc), loads it with results_file_load (the test fails
 * if it does not load) and removes the file. */
struct results_file *syn_load(json_t *doc);

#endif
