/* store_timing: where the time of `bench store add` goes, and what a history query costs.
 * Run by tests/experiments/changepoint.sh; not a ctest test.
 *   store-timing DB FILE.json...
 *       per file: the validating loader (results_file_load), the store (history_add) and the
 *       free, measured in one process, and for scale jansson alone on the same file (its
 *       parse and its json_decref), interleaved file by file
 *   store-timing --import K DB FILE.json...
 *       the import of `bench store add -j K` (import_files, the command's own code path, without
 *       its output lines) of the files into DB: wall ms and CPU ms (user + system, every thread)
 *       per file, and the load average before and after
 *   store-timing --fill N DB FILE.json
 *       a store of N runs quickly: FILE loaded once and added N times, each with its own
 *       created_utc (so its own run identity)
 *   store-timing --query K DB CELL [METRIC]
 *       the series of the cell whose identity is CELL (history_series_get), K times: the
 *       time of each and their median, in ms */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include <jansson.h>

#include "bench/store/history.h"
#include "bench/store/import.h"

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + t.tv_nsec / 1e9;
}

/* jansson alone on path: the file read and parsed (json_loadb, as results_file_load does), and
 * the document freed; seconds added to *parse and *decref. */
static int jansson_only(const char *path, double *parse, double *decref)
{
	FILE *in = fopen(path, "rb");
	char *buf = NULL;
	long n = in && !fseek(in, 0, SEEK_END) ? ftell(in) : -1;
	json_error_t je;
	if (n > 0 && !fseek(in, 0, SEEK_SET) && (buf = malloc((size_t)n)) && fread(buf, 1, (size_t)n, in) != (size_t)n)
		n = -1;
	if (in)
		fclose(in);
	double t0 = now();
	json_t *doc = n > 0 && buf ? json_loadb(buf, (size_t)n, JSON_REJECT_DUPLICATES, &je) : NULL;
	double t1 = now();
	json_decref(doc);
	*parse += t1 - t0;
	*decref += now() - t1;
	free(buf);
	return doc ? 0 : -1;
}

static int split(const char *db, char **files, int nfiles)
{
	char err[1200];
	struct history *h;
	double tload = 0, tadd = 0, tfree = 0, tparse = 0, tdecref = 0;
	if (history_open(db, HISTORY_CREATE, &h, err, sizeof err)) {
		fprintf(stderr, "%s\n", err);
		return 2;
	}
	for (int i = 0; i < nfiles; i++) {
		struct results_file *f;
		struct history_added a;
		if (jansson_only(files[i], &tparse, &tdecref)) {
			fprintf(stderr, "%s: not JSON\n", files[i]);
			return 2;
		}
		double t0 = now();
		if (results_file_load(files[i], &f, err, sizeof err)) {
			fprintf(stderr, "%s\n", err);
			return 2;
		}
		double t1 = now();
		int rc = history_add(h, f, NULL, &a, err, sizeof err);
		double t2 = now();
		results_file_free(f);
		tfree += now() - t2;
		if (rc) {
			fprintf(stderr, "%s\n", err);
			return 2;
		}
		tload += t1 - t0;
		tadd += t2 - t1;
	}
	history_close(h);
	double k = 1000.0 / nfiles;
	printf("%d files, ms per file: import %.2f = load (results_file_load) %.2f + store (history_add) %.2f + free "
	       "(results_file_free) %.2f; jansson alone: parse (json_loadb) %.2f, json_decref %.2f\n",
	       nfiles, (tload + tadd + tfree) * k, tload * k, tadd * k, tfree * k, tparse * k, tdecref * k);
	return 0;
}

static int fill(const char *db, const char *file, long n)
{
	char err[1200], ts[32];
	struct history *h;
	struct results_file *f;
	if (history_open(db, HISTORY_CREATE, &h, err, sizeof err) || results_file_load(file, &f, err, sizeof err)) {
		fprintf(stderr, "%s\n", err);
		return 2;
	}
	const char *created = f->created_utc;
	double t0 = now();
	for (long i = 0; i < n; i++) {
		struct history_added a;
		snprintf(ts, sizeof ts, "2027-%02ld-%02ldT%02ld:%02ld:%02ldZ", 1 + i / 86400 / 28 % 12, 1 + i / 86400 % 28,
		         i / 3600 % 24, i / 60 % 60, i % 60);
		f->created_utc = ts;
		if (history_add(h, f, NULL, &a, err, sizeof err)) {
			fprintf(stderr, "%s\n", err);
			return 2;
		}
	}
	f->created_utc = created;
	printf("%ld runs added in %.1f s\n", n, now() - t0);
	results_file_free(f);
	history_close(h);
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static int query(const char *db, const char *cell, const char *metric, int k)
{
	char err[1200];
	struct history *h;
	struct history_cell *c;
	unsigned n, i = 0;
	double t[64];
	if (history_open(db, HISTORY_READ, &h, err, sizeof err) || history_cells(h, &c, &n, err, sizeof err)) {
		fprintf(stderr, "%s\n", err);
		return 2;
	}
	while (i < n && strcmp(c[i].identity, cell))
		i++;
	if (i == n || k < 1 || k > 64) {
		fprintf(stderr, "no cell %s in %s (or K not 1..64)\n", cell, db);
		return 2;
	}
	struct history_series s = { 0 };
	for (int j = 0; j < k; j++) {
		double t0 = now();
		if (history_series_get(h, &c[i].id, 1, metric, &s, err, sizeof err)) {
			fprintf(stderr, "%s\n", err);
			return 2;
		}
		t[j] = (now() - t0) * 1000;
		printf("%s %.1f ms (%u points, last median %g)\n", db, t[j], s.n, s.n ? s.p[s.n - 1].median : 0);
		history_series_free(&s);
	}
	qsort(t, (size_t)k, sizeof *t, cmp_double);
	printf("%s: query of %s over its runs: median %.1f ms of %d\n", db, cell, t[k / 2], k);
	history_cells_free(c, n);
	history_close(h);
	return 0;
}

static double cpu_s(void)
{
	struct rusage u;
	getrusage(RUSAGE_SELF, &u);
	return (double)(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

static void count_failed(void *arg, const struct import_result *r)
{
	if (r->rc) {
		fprintf(stderr, "%s\n", r->err);
		++*(unsigned *)arg;
	}
}

static const char *loadavg(char *buf, size_t len)
{
	FILE *f = fopen("/proc/loadavg", "r");
	if (!f || !fgets(buf, (int)len, f))
		snprintf(buf, len, "?");
	buf[strcspn(buf, "\n")] = 0;
	if (f)
		fclose(f);
	return buf;
}

static int import(unsigned jobs, const char *db, char **files, unsigned nfiles)
{
	char err[1200], l0[64], l1[64];
	struct history *h;
	unsigned failed = 0;
	if (jobs < 1 || jobs > IMPORT_MAX_JOBS || history_open(db, HISTORY_CREATE, &h, err, sizeof err)) {
		fprintf(stderr, "K is 1..%d; or %s\n", IMPORT_MAX_JOBS, err);
		return 2;
	}
	struct import_opts o = { .jobs = jobs };
	loadavg(l0, sizeof l0);
	double c0 = cpu_s(), t0 = now();
	int rc = import_files(h, files, nfiles, &o, count_failed, &failed);
	double t = now() - t0, c = cpu_s() - c0;
	history_close(h);
	printf("%u files, %u loader threads: import %.2f ms per file (wall), CPU %.2f ms per file; load average "
	       "%s -> %s\n", nfiles, jobs, t * 1000 / nfiles,
	       c * 1000 / nfiles, l0, loadavg(l1, sizeof l1));
	return rc || failed ? 2 : 0;
}

int main(int argc, char **argv)
{
	if (argc >= 5 && !strcmp(argv[1], "--import"))
		return import((unsigned)atoi(argv[2]), argv[3], argv + 4, (unsigned)(argc - 4));
	if (argc >= 5 && !strcmp(argv[1], "--fill"))
		return fill(argv[3], argv[4], atol(argv[2]));
	if (argc >= 5 && !strcmp(argv[1], "--query"))
		return query(argv[3], argv[4], argc > 5 ? argv[5] : NULL, atoi(argv[2]));
	if (argc >= 3 && argv[1][0] != '-')
		return split(argv[1], argv + 2, argc - 2);
	fprintf(stderr, "usage: store-timing DB FILE.json... | --import K DB FILE.json... | --fill N DB "
	        "FILE.json | --query K DB CELL [METRIC]\n");
	return 2;
}
