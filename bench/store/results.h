/* results: the only jansson user. Builds the results document, encodes one repetition as a
 * JSON line (cell process -> bench over a pipe), computes summaries, writes files atomically
 * (temp file + fsync + rename). results_load.h reads them back for compare, plot and report.
 * The schema is documented in BENCHMARKS.md ("Results file"). */
#ifndef BENCH_RESULTS_H
#define BENCH_RESULTS_H

#include <stddef.h>
#include <stdint.h>

#include "bench/machine/machine.h"
#include "bench/core/opt.h"
#include "bench/core/task.h"

/* 2: interference per repetition, disturbed, reps_stop, status "unstable", config reps "auto"
 * (BENCHMARKS.md "Results file"). The loader reads RESULTS_SCHEMA_OLDEST.. this. */
#define RESULTS_SCHEMA_VERSION 2
#define RESULTS_SCHEMA_OLDEST 1

/* One repetition as measured in the cell process. */
struct rep_result {
	int warmup;
	unsigned index;
	int ok;
	char error[256];
	double wall_s, spawn_s, join_s;
	/* Memory of the cell (PSS + page tables, summed over its processes) with every worker
	 * alive, minus before the cell's first spawn, in kB; and that per worker. NAN: unknown. */
	double mem_delta_kb, mem_per_worker_kb;
	double cpu_user_s, cpu_sys_s, util_cores;
	double ops, ops_per_s, ctx_voluntary, ctx_involuntary, fairness;
	unsigned nworkers;
	double *worker_ops, *worker_cpu_s;
	int *last_cpu, *bound_pu;
	/* /proc/stat timeline: nsamples rows of ncpus utilizations (0..1) */
	double interval_s;
	unsigned ncpus, nsamples;
	int *cpus;
	double *timeline;
	double *core_mean;             /* ncpus: mean utilization over the whole repetition */
	/* interference (bench/core/interference.h): on the workers' PUs / their threads */
	double steal_s, other_load_cores, other_load_pu_cores, migrations, run_delay_s, helper_cpu_s, stall_s;
	int disturbed;
	char disturbed_by[48];         /* reasons, comma-separated ("" when not disturbed) */
	unsigned nmetrics;
	const struct run_metric *metrics;
	unsigned nwmetrics;            /* per-worker metrics: arrays of nworkers values */
	const struct run_worker_metric *wmetrics;
};

struct results_doc;
struct results_cell;

struct results_config {
	int argc;
	char **argv;
	double duration_s, timeout_s;
	unsigned reps, warmup;         /* reps: the count, or with reps_auto the minimum */
	int reps_auto, keep_disturbed;
	const char *pin;
};

struct cell_desc {
	const char *workload, *driver;
	unsigned workers;
	const char *pin;
	const int *placement;          /* workers PU indexes (-1: unpinned) */
	const struct knobset *knobs;
	const char *primary_metric;
	int higher_is_better;
};

/* What the stdout table shows of a finished cell. */
struct cell_brief {
	const char *status;            /* ok, failed, skipped */
	const char *error;
	unsigned nreps;
	double ops_per_s, ops_per_s_cv, util_cores, wall_s, fairness;
	double primary, primary_cv;
	/* the primary metric's summary (n, ci95, min, max) and the measured ok repetitions: how
	 * many, how many of them "disturbed", the median other_load_cores of those (NaN: none) */
	unsigned primary_n, nok, ndisturbed;
	double primary_ci_lo, primary_ci_hi, primary_min, primary_max, disturbed_load;
};

struct results_doc *results_doc_new(const struct machine *m, const struct results_config *c);
void results_doc_free(struct results_doc *d);
void results_doc_set_interrupted(struct results_doc *d, int signo);
/* Write atomically to path. 0, or -errno with a one-line reason in err. */
int results_doc_write(struct results_doc *d, const char *path, char *err, size_t errlen);
/* Check that path can be written (dir exists, writable) before a run starts. */
int results_check_writable(const char *path, char *err, size_t errlen);

/* Encode a repetition as one JSON line (malloc'd, no newline). */
char *results_rep_encode(const struct rep_result *r);

/* How a cell's repetition count was decided (the cell's "reps_stop"; bench/core/reps.h). */
struct results_reps_stop {
	int automatic;
	const char *reason;            /* fixed | ci_target | budget | max_reps */
	unsigned measured, disturbed, reruns;
	double target_ci, budget_s;    /* auto only */
	int unstable;                  /* not written: the cell's status says it */
};
/* Encode it as one JSON line (malloc'd): "reps_stop" with the unstable flag (cell process ->
 * bench); results_cell_set_stop() reads it back. */
char *results_stop_encode(const struct results_reps_stop *s);
/* Set the cell's reps_stop from such a line. 0, or -EINVAL (*unstable untouched). */
int results_cell_set_stop(struct results_cell *c, const char *line, int *unstable);

/* A cell's knobs as the results file writes them (a JSON object, typed by each knob's type),
 * malloc'd; NULL when out of memory. bench run --dry-run shows its cells so. */
char *results_knobs_json(const struct knobset *k);
/* The one label of a cell, "workload/driver/n=W" (callers append what varies: pin, knobs).
 * Returns what snprintf returns, so callers can append at buf + the result while < len. */
size_t results_cell_label(char *buf, size_t len, const char *workload, const char *driver, unsigned workers);
struct results_cell *results_cell_new(struct results_doc *d, const struct cell_desc *c);
/* Add a repetition line produced by results_rep_encode. 0 or -EINVAL. */
int results_cell_add_rep(struct results_cell *c, const char *line);
/* Finish: status "ok" | "unstable" | "failed" | "skipped", error may be NULL. Computes the
 * summary over the ok measured repetitions that are not disturbed (all ok ones when the
 * document's config says keep_disturbed). A failed repetition makes an ok or unstable cell
 * failed. */
void results_cell_finish(struct results_cell *c, const char *status, const char *error);
void results_cell_brief(const struct results_cell *c, struct cell_brief *b);
/* The cell as the results file holds it, one line of compact JSON (malloc'd; NULL on out of
 * memory): what `bench rep` sends (store/rep_proto.h). */
char *results_cell_json(const struct results_cell *c);
/* Number of repetitions (warm-up or measured) added so far whose status is not "ok". */
unsigned results_cell_failed_reps(const struct results_cell *c);

/* Machine description as JSON text (bench info --json); malloc'd. */
char *results_machine_json(const struct machine *m);

#endif
