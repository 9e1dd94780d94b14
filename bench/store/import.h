/* import: results files into the history store (history.h), as `bench store add` does, with
 * the loading spread over threads. The validating loader (results_file_load) is most of an
 * import (jansson's parse alone is most of that), the store is a small part, and SQLite has one
 * writer: so `jobs` loader threads take the files from a shared index and load them, and the
 * calling thread (the one writer) records them with history_add IN FILE ORDER, through a
 * bounded window of IMPORT_WINDOW(jobs) loaded-but-unrecorded files. The outcome (the runs,
 * their ids, every message and its order) is the serial import's, whatever jobs is.
 *
 *   struct import_opts o = { .jobs = 4, .rev = NULL };
 *   rc = import_files(h, paths, n, &o, report, arg);   report() is called once per file, in order
 *
 * A file that does not load is reported (its one-line reason) and skipped; a failure of the
 * store (history_add) is reported and stops the import: the later files are not reported
 * (what the loaders had already loaded is freed). One transaction per run. */
#ifndef BENCH_IMPORT_H
#define BENCH_IMPORT_H

#include "bench/store/history.h"

#define IMPORT_MAX_JOBS 64
/* How many files may be loaded ahead of the writer (each holds its parsed document). */
#define IMPORT_WINDOW(jobs) (2 * (jobs))

struct import_opts {
	unsigned jobs;         /* loader threads, 1..IMPORT_MAX_JOBS (0: import_default_jobs()) */
	const char *rev;       /* the revision of files that record none (history_add), or NULL */
};

/* What became of one file, handed to the report callback by the writer, in file order. */
struct import_result {
	unsigned index;             /* in paths[] */
	const char *path;
	int rc;                     /* 0, or the -errno of results_file_load or history_add */
	int stored;                 /* rc came from the store (history_add): the import stops */
	struct history_added added; /* when rc is 0 */
	const char *err;            /* when rc is not 0: a one-line reason (escaped for a terminal
	                               by the loader, but for the store's own text: print it through
	                               esc_term) */
};

typedef void (*import_report_fn)(void *arg, const struct import_result *r);

/* The online CPUs, 1..IMPORT_MAX_JOBS. */
unsigned import_default_jobs(void);

/* Import paths[0..n) into h; report (may be NULL) gets every file in order. 0 when every file
 * was recorded (added or already there), else the first failure's -errno. A loader thread
 * that cannot be started is not an error while one runs; with none the writer loads the files
 * itself. */
int import_files(struct history *h, char *const *paths, unsigned n, const struct import_opts *o,
                 import_report_fn report, void *arg);

#endif
