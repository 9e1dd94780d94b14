/* store: `bench store add`'s import (bench/store/import.h): files loaded by several threads are
 * recorded in file order, so any thread count gives the serial import's runs, ids and reports;
 * a file that does not load is reported and skipped; a failure of the store stops the import
 * (and what the loaders had loaded beyond it is freed: ASan's leak check). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/store/import.h"
#include "tests/test.h"
#include "tests/util.h"

#define NFILES 16

static const char *dir; /* the test's scratch directory */

/* File i at dir/fNN.json, created at second i: ncells cells (knobs iters=1..), each with three
 * repetitions of ops_per_s and nmetrics - 1 more metrics (short names: syn_cell reads 2 KB). */
static char *file_of(unsigned i, unsigned ncells, unsigned nmetrics)
{
	static const char b36[] = "0123456789abcdefghijklmnopqrstuvwxyz";
	char path[128], ts[32], m[2048];
	json_t *doc = syn_new(2);
	snprintf(ts, sizeof ts, "2026-01-01T00:%02u:%02uZ", i / 60, i % 60);
	json_object_set_new(doc, "created_utc", json_string(ts));
	size_t off = (size_t)snprintf(m, sizeof m, "ops_per_s=%u/%u/%u", 1000 + i, 1001 + i, 999 + i);
	for (unsigned k = 1; k < nmetrics && off < sizeof m; k++)
		off += (size_t)snprintf(m + off, sizeof m - off, " x%c%c=1", b36[k / 36 % 36], b36[k % 36]);
	for (unsigned c = 0; c < ncells; c++) {
		char knobs[32];
		snprintf(knobs, sizeof knobs, "iters=%u", c + 1);
		syn_cell(doc, "cpu-spin", "thread", 1, knobs, m);
	}
	snprintf(path, sizeof path, "%s/f%02u.json", dir, i);
	syn_write(doc, path);
	json_decref(doc);
	return strdup(path);
}

/* What the writer reported, file by file. */
struct seen {
	unsigned n;
	struct {
		unsigned index;
		int rc, stored, added;
		long long run;
		char path[128];
	} r[NFILES];
};

static void note(void *arg, const struct import_result *r)
{
	struct seen *s = arg;
	CHECK(s->n < NFILES);
	s->r[s->n].index = r->index;
	s->r[s->n].rc = r->rc;
	s->r[s->n].stored = r->stored;
	s->r[s->n].added = r->added.added;
	s->r[s->n].run = r->added.run;
	snprintf(s->r[s->n].path, sizeof s->r[s->n].path, "%s", r->path);
	s->n++;
}

/* Imports paths into a new dir/NAME.db with jobs loader threads: the reports in *s, the return
 * value of import_files. */
static int import_into(const char *name, char **paths, unsigned n, unsigned jobs, struct seen *s)
{
	char db[128], err[1200];
	struct history *h;
	snprintf(db, sizeof db, "%s/%s.db", dir, name);
	if (history_open(db, HISTORY_CREATE, &h, err, sizeof err))
		TEST_FAIL("history_open %s: %s", db, err);
	memset(s, 0, sizeof *s);
	struct import_opts o = { .jobs = jobs };
	int rc = import_files(h, paths, n, &o, note, s);
	history_close(h);
	return rc;
}

/* File 0 takes far longer to load than the others (600 cells against 1), file 5 is missing:
 * with 4 loaders the later files are loaded first, and still recorded after it, in order. */
TEST(store, import_in_file_order_whatever_the_threads)
{
	char *paths[NFILES];
	struct seen one, four;
	dir = test_scratch_dir("store");
	for (unsigned i = 0; i < NFILES; i++)
		paths[i] = file_of(i, i ? 1 : 600, 4);
	free(paths[5]);
	paths[5] = strdup("/nonexistent/bench-store-missing.json");
	CHECK_EQ_INT(import_into("one", paths, NFILES, 1, &one), -ENOENT);
	CHECK_EQ_INT(import_into("four", paths, NFILES, 4, &four), -ENOENT);
	CHECK_EQ_INT(one.n, NFILES);
	CHECK_EQ_INT(four.n, NFILES);
	for (unsigned i = 0; i < NFILES; i++) {
		long long run = i < 5 ? i + 1 : i; /* the missing file has no run */
		CHECK_EQ_INT(four.r[i].index, i);
		CHECK_STR(four.r[i].path, paths[i]);
		CHECK_EQ_INT(four.r[i].rc, i == 5 ? -ENOENT : 0);
		CHECK_EQ_INT(four.r[i].run, i == 5 ? 0 : run);
		CHECK(!memcmp(&one.r[i], &four.r[i], sizeof one.r[i]));
	}
	for (unsigned i = 0; i < NFILES; i++)
		free(paths[i]);
}

/* A run the store cannot take (a cell of more than 256 metrics: -E2BIG) stops the import: the files after
 * it are not recorded nor reported, with one thread or four. */
TEST(store, a_store_failure_stops_the_import)
{
	char *paths[NFILES];
	dir = test_scratch_dir("store");
	for (unsigned i = 0; i < NFILES; i++)
		paths[i] = file_of(i, 2, i == 3 ? 270 : 4);
	for (unsigned jobs = 1; jobs <= 4; jobs += 3) {
		struct seen s;
		char name[16];
		snprintf(name, sizeof name, "j%u", jobs);
		CHECK_EQ_INT(import_into(name, paths, NFILES, jobs, &s), -E2BIG);
		CHECK_EQ_INT(s.n, 4);
		CHECK(s.r[2].rc == 0 && s.r[2].added && s.r[2].run == 3);
		CHECK(s.r[3].rc == -E2BIG && s.r[3].stored && !s.r[3].added);
	}
	for (unsigned i = 0; i < NFILES; i++)
		free(paths[i]);
}
