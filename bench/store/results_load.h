/* results_load: reads a results file (written by results.c) back into a plain C model, for
 * every reader: bench compare, export, run --baseline, plot and report. Part of the results
 * module (with results.c the only jansson user): readers never see jansson.
 *
 *   char err[600];
 *   struct results_file *f;
 *   if (results_file_load("results/x.json", &f, err, sizeof err)) {
 *           log_err("plot", "%s", err);
 *           return EXIT_USAGE;
 *   }
 *   for (unsigned i = 0; i < f->ncells; i++) {
 *           const struct results_file_cell *c = &f->cells[i];
 *           double util = results_file_median(c, "util_cores");   (NaN when absent)
 *   }
 *   results_file_free(f);
 *
 * results_file_load() validates the whole file, once: it is a regular file (a FIFO or device
 * is refused without blocking), fits RESULTS_LOAD_MAX_BYTES, parses, has a schema_version from
 * RESULTS_SCHEMA_OLDEST to RESULTS_SCHEMA_VERSION and tool.name "bench", and every key the model requires is there with
 * its type. A results file is untrusted input (CI artifacts, forks): names (workload, driver,
 * knob and metric names) must be names (esc_name_ok), knob values and pins values
 * (esc_value_ok), statuses one of their words, and every number finite and possible (ops_per_s
 * above 0 in an ok repetition, times and counts not negative, workers 1..TASK_MAX_WORKERS, a
 * string where a number belongs is refused); the rules are in one place, results_load.c
 * "validation". Free text (host, git, error texts, machine fields, argv) is kept as it is and
 * escaped by every sink (escape.h). A missing, empty, truncated, huge, foreign, wrongly typed
 * or impossible file is a one-line error (escaped for a terminal) naming the file and the key,
 * never a crash further on. What is optional (summaries, per-repetition arrays, core_util, machine fields) is read
 * as far as it is well formed: numbers the file lacks are NaN, arrays it lacks are empty.
 * Everything hangs off the results_file and is freed with it. Only measured repetitions are
 * loaded (warm-ups are not). The schema is documented in BENCHMARKS.md ("Results file"). */
#ifndef BENCH_RESULTS_LOAD_H
#define BENCH_RESULTS_LOAD_H

#include <stddef.h>

#define RESULTS_LOAD_MAX_BYTES (256L << 20)
#define RESULTS_LOAD_MAX_CELLS 100000

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

/* The values of one metric in the ok measured repetitions that record it as a number, in
 * repetition order. Every numeric key of a repetition object (but index) is a metric: the
 * harness's (wall_s, ops_per_s, util_cores, spawn_s, ...) and the workload's/driver's
 * run_metric()s. */
struct results_series {
	const char *metric;
	unsigned n;
	double *v;
};

struct results_metric {
	const char *name;
	double value;
};

/* One measured repetition, ok or not. */
struct results_rep {
	int ok;                                 /* its status is "ok" */
	int disturbed;                          /* "disturbed": true (schema 2; absent: false) */
	const char *disturbed_by;               /* its reasons ("steal,stall"), NULL when none */
	int counted;                            /* in the summary, series and values: ok, and not
	                                           disturbed unless the run kept them */
	unsigned nmetrics;
	struct results_metric *metrics;         /* every numeric key, in file order */
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

/* How a cell's repetition count was decided (schema 2 "reps_stop"; present 0 when absent). */
struct results_reps_stop_info {
	int present, automatic;
	const char *reason;                     /* fixed | ci_target | budget | max_reps */
	unsigned measured, disturbed, reruns;
	double target_ci, budget_s;             /* NAN unless auto */
};

struct results_file_cell {
	unsigned index;                         /* position in the file's cells array */
	const char *workload, *driver, *pin;
	unsigned workers;                       /* 1 .. TASK_MAX_WORKERS */
	const char *status;                     /* ok | unstable | failed | skipped | running (as
	                                           recorded); unstable: measured, not trustworthy */
	struct results_reps_stop_info reps_stop;
	const char *error;                      /* NULL when none */
	const char *primary;                    /* primary metric name */
	int higher_is_better;
	unsigned nknobs;
	struct results_kv *knobs;               /* in file order (bench run: the knob tables' order);
	                                           values as text: 600 (%lld), 0.5 (%.12g), 1 (bool),
	                                           mutex */
	struct results_kv *knobs_by_name;       /* the same, sorted by name */
	unsigned nstats;
	struct results_stat *stats;
	unsigned nseries;
	struct results_series *series;          /* in the order the repetitions first show them */
	unsigned nreps;
	struct results_rep *reps;
};

struct results_file {
	const char *path;
	int schema_version;
	const char *created_utc, *tool_version, *tool_git;  /* NULL when absent */
	int interrupted;
	unsigned nmachine;
	struct results_kv *machine;             /* flattened, dotted keys: "cpu.brand", "topology.pus";
	                                           an array is its elements joined by "; " */
	int cpus;                               /* CPUs the run could use: online_cpus, capped by a
	                                           cgroup quota; >= 1 */
	const char *argv;                       /* config.argv joined by spaces */
	double duration_s;
	unsigned reps, warmup;                  /* reps 0 with reps_auto */
	int reps_auto, keep_disturbed;          /* config.reps "auto", config.keep_disturbed */
	unsigned ncells;
	struct results_file_cell *cells;
};

/* 0, or -errno / -EINVAL with a one-line reason in err naming the file (and the key). */
int results_file_load(const char *path, struct results_file **out, char *err, size_t errlen);
void results_file_free(struct results_file *f);
/* Call once before threads load files at the same time (import.c): loading separate files in
 * separate threads is then safe (the loader has no global state; jansson's one is its hash
 * seed). */
void results_load_threads_init(void);

/* Machine field by dotted key ("cpu.brand"), as in f->machine; NULL if absent. */
const char *results_file_machine(const struct results_file *f, const char *key);
/* A scalar of the document by dotted path ("machine.cpu.brand", "config.reps") as text:
 * strings as they are, integers %lld, reals %.12g, true/false, null. 0, or -ENOENT
 * (absent, or not a scalar). */
int results_file_scalar(const struct results_file *f, const char *path, char *buf, size_t len);

/* Lookups in a cell by name; NULL (or NaN) when the cell lacks it. */
const struct results_stat *results_file_stat(const struct results_file_cell *c, const char *metric);
double results_file_median(const struct results_file_cell *c, const char *metric);
const struct results_series *results_file_series(const struct results_file_cell *c, const char *metric);
const char *results_file_knob(const struct results_file_cell *c, const char *name);

/* The finite values of metric in the measured repetitions of c that count (status "ok", and
 * not disturbed unless the run kept disturbed ones: results_rep.counted) (at most
 * max, in repetition order). Returns the count, or -ENOENT when no repetition has the metric
 * as a number. Besides the recorded metrics, RESULTS_DERIVED_METRICS are computed from each
 * repetition: ops_per_cpu_s = ops / (cpu_user_s + cpu_sys_s), the throughput per CPU-second
 * the workers actually got (insensitive to being descheduled on a busy machine). */
#define RESULTS_DERIVED_METRICS "ops_per_cpu_s"
int results_file_values(const struct results_file_cell *c, const char *metric, double *out, unsigned max);
/* The same over every ok measured repetition, disturbed or not: what an unstable cell measured
 * (its other_load_cores, say), when none of its repetitions counts. */
int results_file_values_any(const struct results_file_cell *c, const char *metric, double *out, unsigned max);
/* A metric of one repetition (any status): recorded, or derived (RESULTS_DERIVED_METRICS); NAN
 * if absent. */
double results_rep_metric(const struct results_rep *r, const char *metric);

#endif
