/* results_read: loads a results file (written by results.c) into a plain C model, so that
 * readers (bench plot, bench report) never see jansson. Part of the results module: this
 * and results.c are the only jansson users.
 *
 *   char err[300];
 *   struct results_view *f = results_view_load("results/x.json", err, sizeof err);
 *   if (!f) { log_err("plot", "%s", err); return EXIT_USAGE; }
 *   for (unsigned i = 0; i < f->ncells; i++) {
 *           const struct results_vcell *c = &f->cells[i];
 *           double util = results_vcell_median(c, "util_cores");   (NaN when absent)
 *   }
 *   results_view_free(f);
 *
 * Everything hangs off the results_view and is freed with it. Only measured repetitions are
 * loaded (warm-ups are not). Numbers the file lacks or stores as null are NaN.
 * (Named "view", not "file", so that it can sit beside bench compare's loader, results_load.c
 * with its struct results_file, until the two are unified.) */
#ifndef BENCH_RESULTS_READ_H
#define BENCH_RESULTS_READ_H

#include <stddef.h>

struct results_kv {
	const char *key, *value;
};

/* The summary of one metric over the ok measured repetitions of a cell: the file's own
 * "summary" entry, or computed with stats_summarize() when the file has per-repetition values
 * but no summary for it. */
struct results_stat {
	const char *metric;
	unsigned n;
	double median, mean, stddev, cv, min, max, ci_lo, ci_hi;  /* ci: 95% of the mean */
};

/* The values of one numeric metric in the ok measured repetitions, in order (NaN where a
 * repetition lacks it). Every numeric key of a repetition object is a metric: the harness's
 * (wall_s, ops_per_s, util_cores, spawn_s, ...) and the workload's/driver's run_metric()s. */
struct results_series {
	const char *metric;
	unsigned n;
	double *v;
};

/* One measured repetition, ok or not. */
struct results_rep {
	int ok;
	double wall_s, util_cores;
	unsigned nworkers;
	double *worker_ops, *worker_cpu_s;     /* nworkers each (NaN: unknown) */
	int *bound_pu, *last_cpu;               /* nworkers each (-1: unknown/unpinned) */
	/* core_util: /proc/stat per CPU, sampled every interval_s */
	double interval_s;
	unsigned ncpus, nsamples;
	int *cpus;                              /* ncpus OS indexes */
	double *timeline;                       /* nsamples rows of ncpus utilizations (0..1) */
	double *core_mean;                      /* ncpus */
};

struct results_vcell {
	unsigned index;                         /* position in the file's cells array */
	const char *workload, *driver, *pin;
	unsigned workers;
	const char *status;                     /* ok | failed | skipped | running */
	const char *error;                      /* NULL when none */
	const char *primary;                    /* primary metric name */
	int higher_is_better;
	unsigned nknobs;
	struct results_kv *knobs;               /* values as text: 600, 0.5, 1 (bool), mutex */
	unsigned nstats;
	struct results_stat *stats;
	unsigned nseries;
	struct results_series *series;
	unsigned nreps;
	struct results_rep *reps;
};

struct results_view {
	const char *path;
	int schema_version;
	const char *created_utc, *tool_version, *tool_git;
	int interrupted;
	unsigned nmachine;
	struct results_kv *machine;             /* flattened, dotted keys: "cpu.brand", "topology.pus" */
	int cpus;                               /* CPUs the run could use: online_cpus, capped by a
	                                           cgroup quota; >= 1 */
	const char *argv;                       /* config.argv joined by spaces */
	double duration_s;
	unsigned reps, warmup;
	unsigned ncells;
	struct results_vcell *cells;
	void *mem;                              /* private: the arena everything lives in */
};

/* Load and validate. NULL with a one-line reason in err (missing file, not JSON, wrong
 * schema_version, not a bench results file). */
struct results_view *results_view_load(const char *path, char *err, size_t errlen);
void results_view_free(struct results_view *f);

/* Machine field by dotted key ("cpu.brand"), NULL if absent. */
const char *results_view_machine(const struct results_view *f, const char *key);

/* Lookups by name; NULL (or NaN) when the cell lacks it. */
const struct results_stat *results_vcell_stat(const struct results_vcell *c, const char *metric);
double results_vcell_median(const struct results_vcell *c, const char *metric);
const struct results_series *results_vcell_series(const struct results_vcell *c, const char *metric);
const char *results_vcell_knob(const struct results_vcell *c, const char *name);

#endif
