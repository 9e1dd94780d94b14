/* history: the SQLite results store. Migration from schemas 1 and 3 (with a backup), a newer schema
 * refused, idempotent import, parallel writers, damaged databases, the series and its change
 * points, --check's exit statuses, compare --base-from-history. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/store/history.h"
#include "tests/test.h"
#include "tests/util.h"

static const char *dir; /* the test's scratch directory */

/* A results file at dir/name: one cpu-spin cell whose ops_per_s repetitions are v, v+1, v-1,
 * created at second `t` (the run's identity), plus a second cell. */
static const char *file_at(const char *name, int t, double v, char *path, size_t len)
{
	json_t *doc = syn_new(2);
	char ts[32], m[160];
	snprintf(ts, sizeof ts, "2026-01-01T%02d:%02d:%02dZ", t / 3600, t / 60 % 60, t % 60);
	json_object_set_new(doc, "created_utc", json_string(ts));
	snprintf(m, sizeof m, "ops_per_s=%g/%g/%g wall_s=0.1/0.1/0.1 ops=1000/1000/1000 cpu_user_s=0.01/0.02/0.008 "
	         "cpu_sys_s=0/0/0.002", v, v + 1, v - 1);
	syn_cell(doc, "cpu-spin", "thread", 1, "iters=600", m);
	syn_cell(doc, "cpu-spin", "process", 2, "iters=600", m);
	snprintf(path, len, "%s/%s", dir, name);
	syn_write(doc, path);
	json_decref(doc);
	return path;
}

static struct history *open_ok(const char *db)
{
	char err[1200];
	struct history *h;
	int rc = history_open(db, HISTORY_CREATE, &h, err, sizeof err);
	if (rc)
		TEST_FAIL("history_open %s: %d %s", db, rc, err);
	return h;
}

/* The series of the thread cell (the first identity in sort order is cpu-spin/process). */
static void series_of(struct history *h, const char *metric, struct history_series *s)
{
	char err[1200];
	struct history_cell *c;
	unsigned n;
	CHECK(history_cells(h, &c, &n, err, sizeof err) == 0);
	CHECK_EQ_INT(n, 2);
	CHECK_CONTAINS(c[1].identity, "cpu-spin/thread/n=1");
	CHECK(history_series_get(h, &c[1].id, 1, metric, s, err, sizeof err) == 0);
	history_cells_free(c, n);
}

TEST(history, migrate_from_schema_1_with_backup)
{
	char a[128], b[128], db[128], bak[160], err[1200];
	dir = test_scratch_dir("history");
	snprintf(db, sizeof db, "%s/h.db", dir);
	const char *files[] = { file_at("a.json", 1, 100, a, sizeof a) };
	CHECK(history_create_at(db, 1, files, 1, err, sizeof err) == 0);
	snprintf(bak, sizeof bak, "%s.v1.bak", db);
	CHECK(access(bak, F_OK) != 0);
	struct history *h = open_ok(db); /* upgrades */
	CHECK_EQ_INT(history_schema(h), HISTORY_SCHEMA);
	CHECK(access(bak, F_OK) == 0);  /* the copy made before */
	struct history_added ad;
	CHECK(history_add_file(h, file_at("b.json", 2, 200, b, sizeof b), NULL, &ad, err, sizeof err) == 0);
	CHECK(ad.added);
	struct history_series s;
	series_of(h, NULL, &s);
	CHECK_EQ_INT(s.n, 2);
	CHECK_STR(s.metric, "ops_per_s");
	CHECK_EQ_INT(s.p[0].nvals, 3); /* the schema-1 run kept its repetitions */
	CHECK_NEAR(s.p[0].median, 100, 1e-9);
	CHECK_NEAR(s.p[1].median, 200, 1e-9);
	CHECK_EQ_INT(s.p[0].ndisturbed, 0);
	history_series_free(&s);
	history_close(h);
	/* a schema-2 store too */
	char db2[128];
	snprintf(db2, sizeof db2, "%s/h2.db", dir);
	CHECK(history_create_at(db2, 2, files, 1, err, sizeof err) == 0);
	struct history *h2 = open_ok(db2);
	series_of(h2, NULL, &s);
	CHECK_EQ_INT(s.n, 1);
	CHECK_EQ_INT(s.p[0].nvals, 3);
	history_series_free(&s);
	history_close(h2);
	snprintf(bak, sizeof bak, "%s.v2.bak", db2);
	CHECK(access(bak, F_OK) == 0);
	snprintf(bak, sizeof bak, "%s.v1.bak", db);
	/* the backup is the schema-1 store: a newer bench upgrades it too */
	CHECK(history_open(bak, HISTORY_READ, &h, err, sizeof err) == 0);
	series_of(h, NULL, &s);
	CHECK_EQ_INT(s.n, 1);
	history_series_free(&s);
	history_close(h);
}

/* A results file like file_at whose thread cell has four repetitions: ops_per_s v, v+1 (disturbed),
 * v-1, v+5 (failed). */
static const char *file_mixed(const char *name, int t, double v, char *path, size_t len)
{
	json_t *doc = syn_new(2);
	char ts[32], m[200];
	snprintf(ts, sizeof ts, "2026-01-01T00:00:%02dZ", t);
	json_object_set_new(doc, "created_utc", json_string(ts));
	snprintf(m, sizeof m, "ops_per_s=%g/%g/%g/%g wall_s=0.1/0.2/0.3/0.4 ops=1000/1000/1000/1000 "
	         "cpu_user_s=0.01/0.02/0.008/0.01 cpu_sys_s=0/0/0.002/0", v, v + 1, v - 1, v + 5);
	json_t *reps = json_object_get(syn_cell(doc, "cpu-spin", "thread", 1, "iters=600", m), "reps");
	json_object_set_new(json_array_get(reps, 1), "disturbed", json_true());
	json_object_set_new(json_array_get(reps, 1), "disturbed_by", json_string("steal"));
	json_object_set_new(json_array_get(reps, 3), "status", json_string("failed"));
	syn_cell(doc, "cpu-spin", "process", 2, "iters=600", m);
	snprintf(path, len, "%s/%s", dir, name);
	syn_write(doc, path);
	json_decref(doc);
	return path;
}

static int same_double(double a, double b)
{
	return (isnan(a) && isnan(b)) || a == b;
}

/* The series of the thread cell in stores x and y are the same, point by point. */
static void same_series(struct history *x, struct history *y, const char *metric)
{
	struct history_series a, b;
	series_of(x, metric, &a);
	series_of(y, metric, &b);
	CHECK_STR(a.metric, b.metric);
	CHECK_EQ_INT(a.higher, b.higher);
	CHECK_EQ_INT(a.n, b.n);
	for (unsigned i = 0; i < a.n; i++) {
		const struct history_point *p = &a.p[i], *q = &b.p[i];
		CHECK(p->run == q->run && !strcmp(p->status, q->status) && !strcmp(p->created_utc, q->created_utc));
		CHECK_EQ_INT(p->nvals, q->nvals);
		CHECK_EQ_INT(p->ndisturbed, q->ndisturbed);
		CHECK(same_double(p->median, q->median) && same_double(p->ci_lo, q->ci_lo) && same_double(p->ci_hi, q->ci_hi));
		for (unsigned k = 0; k < p->nvals; k++)
			CHECK(p->vals[k] == q->vals[k]);
	}
	history_series_free(&a);
	history_series_free(&b);
}

/* A schema-3 store (a row per repetition) upgraded to one row per cell: a backup first, then
 * every series as a store made at the newest schema from the same files gives. */
TEST(history, migrate_from_schema_3)
{
	char a[128], b[128], c[128], db3[128], db[128], bak[160], err[1200];
	dir = test_scratch_dir("history");
	snprintf(db3, sizeof db3, "%s/h3.db", dir);
	snprintf(db, sizeof db, "%s/new.db", dir);
	const char *files[] = { file_mixed("a.json", 1, 100, a, sizeof a), file_mixed("b.json", 2, 200, b, sizeof b) };
	CHECK(history_create_at(db3, 3, files, 2, err, sizeof err) == 0);
	CHECK(history_create_at(db, HISTORY_SCHEMA, files, 2, err, sizeof err) == 0);
	struct history *h3 = open_ok(db3), *h = open_ok(db);
	CHECK_EQ_INT(history_schema(h3), 4);
	snprintf(bak, sizeof bak, "%s.v3.bak", db3);
	CHECK(access(bak, F_OK) == 0);
	long long runs, reps;
	CHECK(history_counts(h3, &runs, &reps, err, sizeof err) == 0);
	CHECK(runs == 2 && reps == 16);
	const char *metrics[] = { NULL, "wall_s", "ops_per_cpu_s", "index", "cpu_sys_s", "nosuch" };
	for (unsigned i = 0; i < sizeof metrics / sizeof *metrics; i++)
		same_series(h3, h, metrics[i]);
	/* by hand: v and v-1 count, v+1 is disturbed, v+5 failed */
	struct history_series s;
	series_of(h3, NULL, &s);
	CHECK_EQ_INT(s.n, 2);
	CHECK_EQ_INT(s.p[1].nvals, 2);
	CHECK_EQ_INT(s.p[1].ndisturbed, 1);
	CHECK(s.p[1].vals[0] == 200 && s.p[1].vals[1] == 199);
	CHECK_NEAR(s.p[1].median, 199.5, 1e-12);
	CHECK_NEAR(s.p[1].ci_hi - s.p[1].ci_lo, 2 * 12.706 * 0.5, 1e-3); /* 2 t(1) sd / sqrt(2) */
	history_series_free(&s);
	/* the same runs again are the same runs; a new one is added */
	struct history_added ad;
	CHECK(history_add_file(h3, a, NULL, &ad, err, sizeof err) == 0);
	CHECK(!ad.added);
	CHECK(history_add_file(h3, file_mixed("c.json", 3, 300, c, sizeof c), NULL, &ad, err, sizeof err) == 0);
	CHECK(ad.added);
	series_of(h3, "ops_per_s", &s);
	CHECK_EQ_INT(s.n, 3);
	CHECK_NEAR(s.p[2].median, 299.5, 1e-12);
	history_series_free(&s);
	history_close(h3);
	history_close(h);
}

/* A run's identity is what a newer bench finds an imported run by: it must not change between
 * versions (%.17g texts of the numbers, hashed). The value was computed by the bench of schema 3. */
TEST(history, run_identity_is_stable)
{
	char a[128], ident[33];
	dir = test_scratch_dir("history");
	json_t *doc = syn_new(2);
	json_object_set_new(doc, "created_utc", json_string("2026-01-01T00:00:01Z"));
	syn_cell(doc, "cpu-spin", "thread", 1, "iters=600",
	         "ops_per_s=100/1e20/123456789012345678/0.1 wall_s=0.1/0.2/0.3/1e-300 ops=1000/0/7/9007199254740993 "
	         "mem_delta_kb=-3/-0.5/-1e17/-123456789 cpu_user_s=0.01/0.02/0.008/0.01 cpu_sys_s=0/0/0.002/0");
	snprintf(a, sizeof a, "%s/a.json", dir);
	syn_write(doc, a);
	json_decref(doc);
	char err[600];
	struct results_file *f;
	CHECK(results_file_load(a, &f, err, sizeof err) == 0);
	history_run_ident(f, ident);
	results_file_free(f);
	CHECK_STR(ident, "93ec9ebabf877a3d9ff06f81a6572260");
}

static void same_text(double v)
{
	char want[64], t[40];
	snprintf(want, sizeof want, "%.17g", v);
	const char *got = history_num_text(v, t);
	if (strcmp(got, want))
		TEST_FAIL("history_num_text(%a) is %s, printf's %%.17g %s", v, got, want);
}

/* history_num_text is printf's %.17g for every double: random ones over every exponent and
 * over the range of a results file's values, powers of ten and their neighbours, and the exact
 * ties of the 17th digit (rounded half to even). */
TEST(history, number_text_is_printfs)
{
	uint64_t x = 88172645463325252ull;
	for (int i = 0; i < 200000; i++) {
		double v;
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		memcpy(&v, &x, sizeof v);
		same_text(v);                                                     /* any bits */
		same_text((x & 1 ? -1 : 1) * pow(10, (double)(x >> 11) / 0x1p53 * 26 - 7)); /* 1e-7 .. 1e19 */
		same_text((double)(x >> 40) / 1000);                              /* milliseconds */
	}
	for (int e = -8; e <= 18; e++) {
		double p = pow(10, e);
		same_text(p);
		same_text(nextafter(p, 0));
		same_text(nextafter(p, INFINITY));
		same_text(-nextafter(p, 0));
	}
	for (int k = 0; k < 64; k++)
		same_text(0x1p50 + 0.25 + 0.5 * k); /* 18 digits ending in 25 or 75: a tie at the 17th */
	const double special[] = { 0, -0.0, NAN, INFINITY, -INFINITY, 0.1, 0.5, 9.9999999999999995e-5, 1e-4,
		                   99999999999999984, 1e17, 123456.789, 5e-324, DBL_MAX, 0.30000000000000004 };
	for (unsigned i = 0; i < sizeof special / sizeof *special; i++)
		same_text(special[i]);
}

/* user_version is the big-endian 32-bit integer at offset 60 of the database header. */
static void set_user_version(const char *db, unsigned v)
{
	unsigned char be[4] = { (unsigned char)(v >> 24), (unsigned char)(v >> 16), (unsigned char)(v >> 8),
		                (unsigned char)v };
	int fd = open(db, O_WRONLY);
	CHECK(fd >= 0);
	CHECK(pwrite(fd, be, 4, 60) == 4);
	close(fd);
}

TEST(history, newer_schema_refused)
{
	char db[128], err[1200];
	struct history *h;
	dir = test_scratch_dir("history");
	snprintf(db, sizeof db, "%s/h.db", dir);
	history_close(open_ok(db));
	set_user_version(db, HISTORY_SCHEMA + 1);
	CHECK(history_open(db, HISTORY_READ, &h, err, sizeof err) == -EPROTO);
	CHECK_CONTAINS(err, "newer than this bench's");
	CHECK(strchr(err, '\n') == NULL);
}

TEST(history, import_is_idempotent)
{
	char a[128], b[128], c[128], db[128], err[1200];
	struct history_added ad;
	dir = test_scratch_dir("history");
	snprintf(db, sizeof db, "%s/h.db", dir);
	struct history *h = open_ok(db);
	file_at("a.json", 1, 100, a, sizeof a);
	CHECK(history_add_file(h, a, NULL, &ad, err, sizeof err) == 0);
	CHECK(ad.added && ad.ncells == 2 && ad.nreps == 6);
	long long run = ad.run;
	CHECK(history_add_file(h, a, NULL, &ad, err, sizeof err) == 0);
	CHECK(!ad.added);
	CHECK_EQ_INT(ad.run, run);
	/* the same run re-indented, under another name: the same run */
	json_error_t je;
	json_t *doc = json_load_file(a, 0, &je);
	CHECK(doc != NULL);
	snprintf(b, sizeof b, "%s/copy.json", dir);
	CHECK(json_dump_file(doc, b, JSON_COMPACT) == 0);
	json_decref(doc);
	CHECK(history_add_file(h, b, NULL, &ad, err, sizeof err) == 0);
	CHECK(!ad.added);
	/* another run (another time) is another run */
	CHECK(history_add_file(h, file_at("c.json", 2, 100, c, sizeof c), NULL, &ad, err, sizeof err) == 0);
	CHECK(ad.added);
	struct history_series s;
	series_of(h, NULL, &s);
	CHECK_EQ_INT(s.n, 2);
	history_series_free(&s);
	history_close(h);
}

/* Writers in parallel: NPROC processes import NFILE different runs each at once; none is lost. */
#define NPROC 6
#define NFILE 8
TEST_T(history, parallel_writers, 300)
{
	char db[128], path[128], err[1200];
	dir = test_scratch_dir("history");
	snprintf(db, sizeof db, "%s/h.db", dir);
	for (int i = 0; i < NPROC * NFILE; i++) {
		char name[32];
		snprintf(name, sizeof name, "f%d.json", i);
		file_at(name, 100 + i, 100 + i, path, sizeof path);
	}
	pid_t pid[NPROC];
	for (int p = 0; p < NPROC; p++) {
		CHECK((pid[p] = fork()) >= 0);
		if (pid[p])
			continue;
		struct history *h;
		int bad = 0;
		if (history_open(db, HISTORY_CREATE, &h, err, sizeof err)) { /* the creation races too */
			fprintf(stderr, "    writer %d: %s\n", p, err);
			_exit(10);
		}
		for (int i = 0; i < NFILE; i++) {
			struct history_added ad;
			snprintf(path, sizeof path, "%s/f%d.json", dir, p * NFILE + i);
			int rc = history_add_file(h, path, NULL, &ad, err, sizeof err);
			if (rc || !ad.added) {
				fprintf(stderr, "    writer %d: %s: %s\n", p, path, rc ? err : "already there");
				bad = 1;
			}
		}
		history_close(h);
		_exit(bad);
	}
	for (int p = 0; p < NPROC; p++) {
		int st;
		CHECK(waitpid(pid[p], &st, 0) == pid[p]);
		CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	}
	struct history *h = open_ok(db);
	struct history_series s;
	series_of(h, NULL, &s);
	CHECK_EQ_INT(s.n, NPROC * NFILE);
	for (unsigned i = 0; i < s.n; i++) /* oldest first: the files' times */
		CHECK_NEAR(s.p[i].median, 100 + i, 1e-9);
	history_series_free(&s);
	history_close(h);
}

TEST(history, damaged_database_is_an_error)
{
	char db[128], a[128], err[1200];
	struct history *h;
	struct history_series s;
	dir = test_scratch_dir("history");
	snprintf(db, sizeof db, "%s/garbage.db", dir);
	FILE *f = fopen(db, "w");
	CHECK(f != NULL);
	for (int i = 0; i < 5000; i++)
		fputc("garbage\n"[i % 8], f);
	fclose(f);
	CHECK(history_open(db, HISTORY_READ, &h, err, sizeof err) == -EINVAL);
	CHECK_CONTAINS(err, "not a bench history database");
	/* a real store cut short: refused at open or at the first read, never a crash */
	snprintf(db, sizeof db, "%s/cut.db", dir);
	h = open_ok(db);
	for (int i = 0; i < 40; i++) {
		struct history_added ad;
		char name[32];
		snprintf(name, sizeof name, "r%d.json", i);
		CHECK(history_add_file(h, file_at(name, i, 100 + i, a, sizeof a), NULL, &ad, err, sizeof err) == 0);
	}
	history_close(h);
	struct stat st;
	CHECK(stat(db, &st) == 0 && st.st_size > 8192);
	CHECK(truncate(db, st.st_size / 3) == 0);
	int rc = history_open(db, HISTORY_READ, &h, err, sizeof err);
	if (!rc) {
		struct history_cell *c;
		unsigned n;
		rc = history_cells(h, &c, &n, err, sizeof err);
		if (!rc) {
			for (unsigned i = 0; !rc && i < n; i++) {
				rc = history_series_get(h, &c[i].id, 1, NULL, &s, err, sizeof err);
				if (!rc)
					history_series_free(&s);
			}
			history_cells_free(c, n);
		}
		history_close(h);
	}
	CHECK_EQ_INT(rc, -EINVAL);
	CHECK_CONTAINS(err, "damaged");
	/* a missing store, read: ENOENT */
	CHECK(history_open("/nonexistent/h.db", HISTORY_READ, &h, err, sizeof err) == -ENOENT);
}

/* 20 runs at 100, then 10 at 90: one change point at the 21st run, a regression of 10%. */
TEST(history, series_change_point)
{
	char db[128], path[128], err[1200];
	dir = test_scratch_dir("history");
	snprintf(db, sizeof db, "%s/h.db", dir);
	struct history *h = open_ok(db);
	for (int i = 0; i < 30; i++) {
		struct history_added ad;
		char name[32];
		snprintf(name, sizeof name, "r%d.json", i);
		double v = (i < 20 ? 100 : 90) + (i % 3) * 0.3;
		CHECK(history_add_file(h, file_at(name, i, v, path, sizeof path), NULL, &ad, err, sizeof err) == 0);
	}
	struct history_series s;
	struct cp_change *c;
	unsigned n;
	struct cp_opts o;
	cp_opts_default(&o);
	series_of(h, NULL, &s);
	CHECK_EQ_INT(s.higher, 1);
	CHECK(history_changes(&s, &o, &c, &n) == 0);
	CHECK_EQ_INT(n, 1);
	CHECK_EQ_INT(c[0].index, 20);
	CHECK_NEAR(c[0].change, -0.10, 0.01);
	CHECK_STR(history_change_kind(&s, &c[0]), "regression");
	free(c);
	history_series_free(&s);
	/* the derived ops_per_cpu_s (ops / (cpu_user_s + cpu_sys_s)) is stored too: 1e5, 5e4, 1e5 */
	series_of(h, "ops_per_cpu_s", &s);
	CHECK_EQ_INT(s.higher, 1);
	CHECK_EQ_INT(s.p[0].nvals, 3);
	CHECK_NEAR(s.p[0].median, 1e5, 1e-6);
	history_series_free(&s);
	/* wall_s (lower is better, known to compare) is flat */
	series_of(h, "wall_s", &s);
	CHECK_EQ_INT(s.higher, 0);
	CHECK(history_changes(&s, &o, &c, &n) == 0);
	CHECK_EQ_INT(n, 0);
	history_series_free(&s);
	history_close(h);
}
