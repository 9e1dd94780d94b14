/* history: the results history, an embedded SQLite database (default results/history.db),
 * the only user of sqlite3.h. Results files stay the interchange format: every run enters the
 * store through the validating loader (results_load.h), by `bench run` (each run, unless
 * --no-store) or `bench store add FILE...`.
 *
 *   struct history *h;
 *   if (history_open("results/history.db", HISTORY_CREATE, &h, err, sizeof err)) -> one line, exit 2
 *   history_add_file(h, "results/x.json", NULL, &added, err, sizeof err);
 *   history_close(h);
 *
 * What a run keeps: its identity (below), created_utc, the git revision (the file's top-level
 * "revision" if any, else tool.git unless "unknown", else the --rev given at import, else
 * none), the machine's host and fingerprint (a hash of host, arch, CPU brand, CPU counts and
 * cgroup quota: the same fingerprint, the same machine as far as the results tell), argv, and
 * every measured repetition of every cell with every numeric metric (warm-ups are not loaded).
 * A cell across runs is its identity "workload/driver/n=W pin=P k=v ..." with every knob
 * (compare_cell_identity), so -O values make separate series.
 *
 * Identity of a run: a 128-bit hash of its canonical content (created_utc, tool, host, argv,
 * machine fields, every cell's identity, status and error, every repetition's status and
 * metric values, in file order, numbers as %.17g). The same run imported twice, from a copy
 * or a re-indented file, is one run; two runs that started in the same second on one host
 * with the same argv (parallel CI jobs) stay two. An interrupted run's partial file and its
 * later complete file are two runs (bench run records only the complete one).
 *
 * Schema: PRAGMA user_version = HISTORY_SCHEMA and application_id 'bnch' (1: runs, cells,
 * repetitions; 2: + disturbed; 3: repetitions clustered by cell identity and run, so one
 * cell's series is read from contiguous pages; 4: one row per cell of a run, its repetitions
 * in blobs (a flag byte each; per metric their values) with the median and CI of every metric
 * precomputed, and an index by cell identity and time, so a series is one index range and a
 * row per point, in order, without a sort). A store of an older
 * schema is first copied to DB.v<N>.bak (SQLite's backup API) and then migrated, one
 * migration per version, in one transaction; a store of a newer schema is refused with one
 * line (use a newer bench). Concurrency: WAL, a busy timeout of HISTORY_BUSY_MS, one
 * IMMEDIATE transaction per run, so writers in parallel never lose a run. A file that is not
 * such a database, or a damaged one, gives -EINVAL with one line naming it: the results files
 * are never touched (the store only reads them).
 *
 * Errors: functions return 0 or -errno and put a one-line reason (naming the database) in
 * err; strings in it come from files and the database, so callers print it through esc_term. */
#ifndef BENCH_HISTORY_H
#define BENCH_HISTORY_H

#include <stddef.h>

#include "bench/stats/changepoint.h"
#include "bench/store/results_load.h"

#define HISTORY_SCHEMA 4
#define HISTORY_DEFAULT_DB "results/history.db"
#define HISTORY_BUSY_MS 60000

struct history;

enum history_mode { HISTORY_READ, HISTORY_CREATE };
/* HISTORY_READ: the store must exist (-ENOENT otherwise); HISTORY_CREATE: created if missing
 * (its directory must exist). Upgrades an older store (after the backup). -EPROTO: a newer
 * schema; -EINVAL: not a bench history database, or damaged; -ENOENT; -EIO. */
int history_open(const char *path, enum history_mode mode, struct history **out, char *err, size_t errlen);
void history_close(struct history *h);
/* The schema version of an open store (HISTORY_SCHEMA once open). */
int history_schema(const struct history *h);
/* Tests: create a new store at schema version (1..HISTORY_SCHEMA) holding files[0..nfiles), as
 * the bench of that schema wrote it. */
int history_create_at(const char *path, int version, const char *const *files, unsigned nfiles, char *err,
                      size_t errlen);

struct history_added {
	int added;                  /* 0: the run was already in the store */
	long long run;              /* its id */
	unsigned ncells, nreps;
};
/* Record a loaded results file (one transaction); rev: the revision when the file names none
 * (may be NULL). */
int history_add(struct history *h, const struct results_file *f, const char *rev, struct history_added *a,
                char *err, size_t errlen);
/* Load path with results_file_load (validating), then history_add. */
int history_add_file(struct history *h, const char *path, const char *rev, struct history_added *a, char *err,
                     size_t errlen);
/* The identity of a loaded file, as the store computes it (33 bytes with the NUL). */
void history_run_ident(const struct results_file *f, char out[33]);
/* v as printf's %.17g writes it (the text of a number in a run's identity), in t; returns the
 * text (within t). */
const char *history_num_text(double v, char t[40]);

/* ---- queries ---- */

struct history_cell {
	long long id;
	char *identity, *workload, *driver, *pin, *knobs;   /* knobs: "k=v k=v" by name */
	unsigned workers;
};
/* How many runs, and repetitions of cells, the store holds. */
int history_counts(struct history *h, long long *runs, long long *reps, char *err, size_t errlen);
/* Every cell identity in the store, sorted. */
int history_cells(struct history *h, struct history_cell **out, unsigned *n, char *err, size_t errlen);
void history_cells_free(struct history_cell *c, unsigned n);

struct history_point {
	long long run;
	char *revision, *created_utc, *machine, *status;   /* revision NULL when unknown */
	unsigned nvals, ndisturbed;  /* values: ok repetitions that are not disturbed */
	double *vals;
	double median, ci_lo, ci_hi; /* NaN without values; ci: 95% of the mean */
};
struct history_series {
	char *identity, *metric;
	int higher;                 /* 1 higher is better, 0 lower, -1 unknown */
	unsigned n;
	struct history_point *p;    /* oldest first (created_utc, then import order) */
};
/* The series of a cell (of cells[0..ncells), taken as one: the same cell but for knobs left
 * out, bench history --ignore-knob), oldest first; metric NULL: the primary metric of the
 * newest run. identity: the newest run's. A run whose repetitions lack the metric has a point
 * without values. -ENOENT: no such cell. */
int history_series_get(struct history *h, const long long *cells, unsigned ncells, const char *metric,
                       struct history_series *out, char *err, size_t errlen);
void history_series_free(struct history_series *s);

/* Change points of a series (the medians of the points that have values and whose status is
 * ok: failed, skipped and unstable points are left out): *out as cp_detect, with each
 * change's index turned into the index of the point in s; NULL/0 when none. */
int history_changes(const struct history_series *s, const struct cp_opts *o, struct cp_change **out,
                    unsigned *nout);

/* "regression", "improvement" (by the series' direction) or "change" (direction unknown). */
const char *history_change_kind(const struct history_series *s, const struct cp_change *c);

/* ---- compare against history ---- */

/* A results file (written to tmpdir as JSON and loaded back through results_file_load, so the
 * comparison reads what any base file would give) whose cells are the cells of new found in
 * the store, each holding the repetitions of the last stable segment of its series (the runs
 * after its last change point, at most o->window of the newest), new's own run left out.
 * metric: the metric the change points are found on (NULL: each cell's primary). *base is
 * freed with results_file_free. -ENOENT: no cell of new is in the store. */
int history_base_for(struct history *h, const struct results_file *new, const char *metric,
                     const struct cp_opts *o, const char *tmpdir, struct results_file **base, char *err,
                     size_t errlen);

/* bench compare --base-from-history: history_base_for with the default change-point options,
 * opening db (read) and writing the temporary file in $TMPDIR (or /tmp). */
int history_compare_base(const char *db, const struct results_file *new, const char *metric,
                         struct results_file **base, char *err, size_t errlen);

/* ---- bench run's hook ---- */

/* Takes --no-store and --store DB (also --store=DB) out of argv (before "--"), for bench run:
 * *db is the store to record into (HISTORY_DEFAULT_DB by default; NULL with --no-store).
 * 0, or -EINVAL after one line (--store without a value). */
int history_run_args(int *argc, char **argv, const char **db);
/* bench run wrote path: record it in db (NULL: nothing to do). Returns rc, or EXIT_USAGE
 * (after one line saying the results file is written and how to import it later) when rc was
 * EXIT_OK and the store failed. */
int history_run_record(const char *db, const char *path, int rc);

#endif
