/* bench plot / bench report: the results loader (results_load), the figures' data files and
 * scripts (gnuplot must draw each one: PNGs checked by signature and IHDR size), the
 * missing-gnuplot path, compare, and each claim rule on synthetic results that should hold
 * and that should not. Synthetic results files are built here as JSON (jansson) with the
 * metric names of plot/names.h, written to a temp file and loaded back. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

#include "plot/claims.h"
#include "plot/names.h"
#include "plot/plot.h"
#include "bench/store/results.h"
#include "bench/store/results_load.h"
#include "tests/test.h"

/* ------------------------------------------------------------ synthetic results */

static json_t *syn_new(int cpus)
{
	return json_pack("{s:i,s:{s:s,s:s,s:s},s:s,s:b,s:{s:s,s:i,s:{s:s,s:s},s:{s:i,s:i}},"
	                 "s:{s:[s,s],s:f,s:i,s:i},s:[]}",
	                 "schema_version", RESULTS_SCHEMA_VERSION, "tool", "name", "bench", "version", "test", "git",
	                 "0000", "created_utc", "2026-01-01T00:00:00Z", "interrupted", 0, "machine", "host", "synthetic",
	                 "online_cpus", cpus, "cpu", "brand", "Test CPU", "vendor", "none", "topology", "cores", cpus,
	                 "pus", cpus, "config", "argv", "run", "--all", "duration_s", 0.1, "reps", 3, "warmup", 0, "cells");
}

/* knobs: "k=v k=v" (numbers become JSON numbers); metrics: "m=v1/v2/v3 m2=..." per-repetition
 * values (the cell gets as many repetitions as the longest list). */
static json_t *syn_cell(json_t *doc, const char *wl, const char *drv, unsigned n, const char *knobs,
                        const char *metrics)
{
	json_t *k = json_object(), *reps = json_array();
	char buf[2048], *save, *tok;
	snprintf(buf, sizeof buf, "%s", knobs ? knobs : "");
	for (tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		char *eq = strchr(tok, '=');
		*eq = 0;
		char *end;
		double v = strtod(eq + 1, &end);
		json_object_set_new(k, tok, *end ? json_string(eq + 1) : json_integer((json_int_t)v));
	}
	unsigned nreps = 1;
	snprintf(buf, sizeof buf, "%s", metrics ? metrics : "");
	for (const char *p = buf; *p; p++) {
		unsigned c = 1;
		while (*p && *p != ' ')
			c += *p++ == '/';
		nreps = c > nreps ? c : nreps;
		if (!*p)
			break;
	}
	int cpus = (int)json_integer_value(json_object_get(json_object_get(doc, "machine"), "online_cpus"));
	for (unsigned r = 0; r < nreps; r++) {
		json_t *ops = json_array(), *cpu = json_array(), *pu = json_array(), *cl = json_array(), *tl = json_array(),
		       *cs = json_array(), *mean = json_array();
		for (unsigned i = 0; i < n; i++) {
			json_array_append_new(ops, json_real(1000));
			json_array_append_new(cpu, json_real(0.1));
			json_array_append_new(pu, json_integer(i % cpus));
			json_array_append_new(cl, json_integer(i % cpus));
		}
		for (int c = 0; c < cpus; c++) {
			json_array_append_new(cs, json_integer(c));
			json_array_append_new(mean, json_real(0.5));
		}
		for (int s = 0; s < 3; s++) {
			json_t *row = json_array();
			for (int c = 0; c < cpus; c++)
				json_array_append_new(row, json_real(c == 0 ? 1.0 : 0.1 * s));
			json_array_append_new(tl, row);
		}
		json_t *rep = json_pack("{s:b,s:i,s:s,s:n,s:f,s:f,s:o,s:o,s:o,s:o,s:{s:f,s:o,s:o,s:o}}", "warmup", 0,
		                        "index", (int)r, "status", "ok", "error", "wall_s", 0.1, "ops_per_s", 1e6,
		                        "worker_ops", ops, "worker_cpu_s", cpu, "bound_pu", pu, "last_cpu", cl,
		                        "core_util", "interval_s", 0.1, "cpus", cs, "mean", mean, "timeline", tl);
		snprintf(buf, sizeof buf, "%s", metrics ? metrics : "");
		for (tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
			char *eq = strchr(tok, '=');
			*eq = 0;
			char *v = eq + 1;
			for (unsigned i = 0; i < r && v; i++) {
				v = strchr(v, '/');
				v = v ? v + 1 : NULL;
			}
			if (!v) { /* shorter list: repeat its last value */
				v = strrchr(eq + 1, '/');
				v = v ? v + 1 : eq + 1;
			}
			json_object_set_new(rep, tok, json_real(strtod(v, NULL)));
		}
		json_array_append_new(reps, rep);
	}
	json_t *c = json_pack("{s:s,s:s,s:i,s:s,s:[],s:o,s:{s:s,s:s},s:s,s:n,s:[],s:o,s:{}}", "workload", wl, "driver",
	                      drv, "workers", (int)n, "pin", "spread", "placement", "knobs", k, "primary", "metric",
	                      strcmp(wl, W_SLEEP_IO) ? M_OPS_S : M_WALL, "better", strcmp(wl, W_SLEEP_IO) ? "higher" : "lower",
	                      "status", "ok", "error", "warmups", "reps", reps, "summary");
	CHECK(c != NULL);
	json_array_append_new(json_object_get(doc, "cells"), c);
	return c;
}

static const char *syn_write(json_t *doc, const char *path)
{
	CHECK(json_dump_file(doc, path, JSON_INDENT(1)) == 0);
	return path;
}

static struct results_file *syn_load(json_t *doc)
{
	char path[] = "/tmp/bench-plot-syn-XXXXXX.json", err[300];
	int fd = mkstemps(path, 5);
	CHECK(fd >= 0);
	close(fd);
	syn_write(doc, path);
	json_decref(doc);
	struct results_file *f;
	if (results_file_load(path, &f, err, sizeof err))
		TEST_FAIL("load: %s", err);
	unlink(path);
	return f;
}

static char *tmpdir(void)
{
	static char d[64];
	snprintf(d, sizeof d, "/tmp/bench-plot-XXXXXX");
	CHECK(mkdtemp(d) != NULL);
	return d;
}

static void rmtree(const char *d)
{
	char out[64];
	test_sh(out, sizeof out, "rm -rf '%s'", d);
}

/* ------------------------------------------------------------ data files and images */

struct datf {
	unsigned nblocks;
	unsigned rows[64];
	int cols[64];                 /* columns of every row of the block, -1 if they differ */
	char cell[8][16][64];         /* first 8 rows of block 0: their first 16 fields */
};

static unsigned split_fields(const char *line, char out[][64], unsigned max)
{
	unsigned n = 0;
	const char *p = line;
	for (;;) {
		p += strspn(p, " \t\n");
		if (!*p)
			return n;
		const char *s = p;
		if (*p == '"') {
			for (p++; *p && *p != '"'; p++)
				if (*p == '\\' && p[1])
					p++;
			p += *p == '"';
		} else {
			p += strcspn(p, " \t\n");
		}
		if (n < max)
			snprintf(out[n], 64, "%.*s", (int)(p - s), s);
		n++;
	}
}

static void read_dat(const char *path, struct datf *d)
{
	FILE *f = fopen(path, "r");
	char line[4096], fields[16][64];
	if (!f)
		TEST_FAIL("cannot open %s", path);
	memset(d, 0, sizeof *d);
	int cur = -1;
	while (fgets(line, sizeof line, f)) {
		if (!strncmp(line, "# [index ", 9)) {
			cur = (int)d->nblocks++;
			d->cols[cur] = 0;
			continue;
		}
		if (line[0] == '#' || strspn(line, " \t\n") == strlen(line))
			continue;
		CHECK(cur >= 0);
		unsigned n = split_fields(line, fields, 16);
		if (cur == 0 && d->rows[0] < 8)
			memcpy(d->cell[d->rows[0]], fields, sizeof fields);
		if (!d->rows[cur])
			d->cols[cur] = (int)n;
		else if (d->cols[cur] != (int)n)
			d->cols[cur] = -1;
		d->rows[cur]++;
	}
	fclose(f);
}

static void check_dat(const char *dir, const char *name, unsigned blocks, unsigned rows, int cols)
{
	char path[512];
	struct datf d;
	snprintf(path, sizeof path, "%s/%s.dat", dir, name);
	read_dat(path, &d);
	if (d.nblocks != blocks)
		TEST_FAIL("%s: %u blocks, expected %u", name, d.nblocks, blocks);
	for (unsigned b = 0; b < blocks; b++) {
		if (rows && d.rows[b] != rows)
			TEST_FAIL("%s block %u: %u rows, expected %u", name, b, d.rows[b], rows);
		if (d.cols[b] != cols)
			TEST_FAIL("%s block %u: %d columns, expected %d", name, b, d.cols[b], cols);
	}
}

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* A PNG: signature, an IHDR chunk first, width and height > 0, and more than the header. */
static void check_png(const char *dir, const char *name)
{
	char path[512];
	unsigned char h[33];
	struct stat st;
	snprintf(path, sizeof path, "%s/%s.png", dir, name);
	FILE *f = fopen(path, "rb");
	if (!f)
		TEST_FAIL("no image %s", path);
	CHECK(fread(h, 1, sizeof h, f) == sizeof h);
	fclose(f);
	CHECK(!memcmp(h, "\x89PNG\r\n\x1a\n", 8));
	CHECK(be32(h + 8) == 13 && !memcmp(h + 12, "IHDR", 4));
	CHECK(be32(h + 16) > 100 && be32(h + 20) > 100);
	CHECK(stat(path, &st) == 0 && st.st_size > 2000);
}

static const struct plot_fig *fig(const struct plot_set *s, const char *name)
{
	for (unsigned i = 0; i < s->n; i++)
		if (!strcmp(s->fig[i].name, name))
			return &s->fig[i];
	TEST_FAIL("no figure %s in the set", name);
}

/* Every workload with the metric names the figures read. */
static json_t *syn_everything(void)
{
	json_t *d = syn_new(2);
	static const char *drv[] = { D_THREAD, D_GIL, D_CORO, D_PROCESS };
	for (unsigned i = 0; i < 4; i++) {
		const char *dk = !strcmp(drv[i], D_GIL) ? " interval_us=5000" : "";
		char k[200];
		for (unsigned n = 1; n <= 2; n++) {
			snprintf(k, sizeof k, "iters=600%s", dk);
			syn_cell(d, W_CPU_SPIN, drv[i], n, k, i == 1 || i == 2 || n == 1 ? "util_cores=0.99/1.0/0.98 ops_per_s=1e6/1.1e6"
			                                                            : "util_cores=1.97/1.98 ops_per_s=2e6/2.1e6");
			snprintf(k, sizeof k, "wait_us=1000 count=10 limit=0 spinners=0%s", dk);
			syn_cell(d, W_SLEEP_IO, drv[i], n * 50, k,
			         "ideal_wall_s=0.01 waiter_wall_s=0.011/0.012 waiters=50 overlap_efficiency=0.9 "
			         "waiter_overshoot_p50_us=60 waiter_overshoot_p90_us=80 waiter_overshoot_p99_us=150 "
			         "waiter_overshoot_p999_us=300");
		}
		snprintf(k, sizeof k, "wait_us=100 count=10 limit=0 spinners=1%s", dk);
		syn_cell(d, W_SLEEP_IO, drv[i], 2, k, i == 1 ? "waiters=1 waiter_overshoot_p50_us=4900" : "waiters=1 waiter_overshoot_p50_us=60");
		static const char *sync[] = { "none", "atomic", "mutex" };
		for (unsigned s = 0; s < 3; s++) {
			snprintf(k, sizeof k, "sync=%s gap_us=0%s", sync[s], dk);
			syn_cell(d, W_COUNTER, drv[i], 2, k, s == 0 && i != 1 ? "lost_fraction=0.3/0.31 ops_per_s=3e8" : "lost_fraction=0 ops_per_s=1e7");
		}
		snprintf(k, sizeof k, "queue=lock capacity=64%s", dk);
		syn_cell(d, W_PC, drv[i], 2, k, "producers=1 consumers=1 latency_p50_ns=2000 latency_p90_ns=5000 "
		                                "latency_p99_ns=20000 latency_p999_ns=80000");
		snprintf(k, sizeof k, "mode=wait%s", dk);
		syn_cell(d, W_PINGPONG, drv[i], 2, k, i == 3 ? "handoff_ns=3000/3100" : "handoff_ns=1000/1100");
	}
	return d;
}

/* ------------------------------------------------------------ loader */

TEST(plot, loader_reads_a_real_run)
{
	char *dir = tmpdir(), out[4096], path[512], err[300];
	snprintf(path, sizeof path, "%s/r.json", dir);
	int rc = test_sh(out, sizeof out, "cd %s && %s run -w cpu-spin -d thread -n 1,2 --reps 2 --warmup 0 --duration 0.05 "
	                 "-O iters=600 -o r.json -q", dir, test_bench_exe());
	if (rc)
		TEST_FAIL("bench run: %d: %s", rc, out);
	struct results_file *f;
	if (results_file_load(path, &f, err, sizeof err))
		TEST_FAIL("%s", err);
	CHECK_EQ_INT(f->schema_version, RESULTS_SCHEMA_VERSION);
	CHECK_EQ_INT(f->ncells, 2);
	CHECK(f->cpus >= 1);
	CHECK(results_file_machine(f, "cpu.brand") != NULL);
	CHECK(results_file_machine(f, "topology.pus") != NULL);
	CHECK_CONTAINS(f->argv, "run -w cpu-spin");
	CHECK_EQ_INT(f->reps, 2);
	const struct results_file_cell *c = &f->cells[1];
	CHECK_STR(c->workload, "cpu-spin");
	CHECK_STR(c->driver, "thread");
	CHECK_EQ_INT(c->workers, 2);
	CHECK_STR(c->status, "ok");
	CHECK_STR(c->primary, "ops_per_s");
	CHECK(c->higher_is_better);
	CHECK_STR(results_file_knob(c, "iters"), "600");
	CHECK(results_file_knob(c, "nope") == NULL);
	/* The file's own summary, and the per-repetition values behind it. */
	const struct results_stat *s = results_file_stat(c, "ops_per_s");
	const struct results_series *v = results_file_series(c, "ops_per_s");
	CHECK(s && v);
	CHECK_EQ_INT(s->n, 2);
	CHECK_EQ_INT(v->n, 2);
	CHECK_NEAR(s->median, (v->v[0] + v->v[1]) / 2, 1e-6 * s->median);
	CHECK(s->min <= s->median && s->median <= s->max);
	CHECK(results_file_series(c, "iters_per_op") != NULL); /* a workload metric */
	CHECK(isnan(results_file_median(c, "no_such_metric")));
	CHECK_EQ_INT(c->nreps, 2);
	CHECK_EQ_INT(c->reps[0].nworkers, 2);
	CHECK(c->reps[0].worker_ops[0] > 0 && c->reps[0].worker_ops[1] > 0);
	CHECK(c->reps[0].ncpus >= 1 && c->reps[0].nsamples >= 1);
	CHECK(c->reps[0].timeline[0] >= 0 && c->reps[0].timeline[0] <= 1.0001);
	results_file_free(f);
	rmtree(dir);
}

TEST(plot, loader_rejects_bad_input_with_one_line)
{
	char *dir = tmpdir(), path[512], err[300];
	snprintf(path, sizeof path, "%s/missing.json", dir);
	struct results_file *rf = NULL;
	CHECK(results_file_load(path, &rf, err, sizeof err) == -ENOENT && !rf);
	CHECK_CONTAINS(err, "cannot read");
	CHECK_CONTAINS(err, "No such file");
	static const struct { const char *text, *want; } bad[] = {
		{ "{\"schema_version\": 1, \"cells\": [", "not valid JSON (truncated or corrupt?): " },
		{ "[1, 2]", "not a bench results file" },
		{ "{\"schema_version\": 1}", "not a bench results file" },
		{ "{\"schema_version\": 99, \"cells\": []}", "schema_version 99, but this bench reads schema_version 1" },
	};
	for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		snprintf(path, sizeof path, "%s/bad%u.json", dir, i);
		FILE *f = fopen(path, "w");
		fputs(bad[i].text, f);
		fclose(f);
		CHECK(results_file_load(path, &rf, err, sizeof err) == -EINVAL && !rf);
		CHECK_CONTAINS(err, bad[i].want);
		CHECK(!strchr(err, '\n'));
	}
	/* The CLI: exit 2 and one line. */
	char out[2048];
	CHECK_EQ_INT(test_sh(out, sizeof out, "%s plot %s/bad0.json -o %s/p", test_bench_exe(), dir, dir), 2);
	CHECK_CONTAINS(out, "bench: plot: ");
	CHECK_CONTAINS(out, "not valid JSON");
	CHECK_EQ_INT(test_sh(out, sizeof out, "%s report %s/bad3.json -o %s/p 2>&1 | wc -l", test_bench_exe(), dir, dir), 0);
	CHECK_EQ_INT(atoi(out), 1);
	CHECK_EQ_INT(test_sh(out, sizeof out, "%s report %s/missing.json", test_bench_exe(), dir), 2);
	CHECK_CONTAINS(out, "cannot read");
	CHECK_EQ_INT(test_sh(out, sizeof out, "%s plot", test_bench_exe()), 2);
	CHECK_CONTAINS(out, "no results file given");
	CHECK_EQ_INT(test_sh(out, sizeof out, "%s plot %s/bad0.json --format gif", test_bench_exe(), dir), 2);
	CHECK_CONTAINS(out, "--format: 'gif' is not png, svg or pdf");
	CHECK_EQ_INT(test_sh(out, sizeof out, "%s plot --help", test_bench_exe()), 0);
	CHECK_CONTAINS(out, "usage: bench plot");
	CHECK_EQ_INT(test_sh(out, sizeof out, "%s report --help", test_bench_exe()), 0);
	CHECK_CONTAINS(out, "usage: bench report");
	rmtree(dir);
}

TEST(plot, loader_summarizes_when_the_file_has_no_summary)
{
	json_t *d = syn_new(4);
	syn_cell(d, W_CPU_SPIN, D_THREAD, 2, "iters=600 mode=fast", "util_cores=1/3/2 handoff_ns=5");
	struct results_file *f = syn_load(d);
	const struct results_file_cell *c = &f->cells[0];
	CHECK_EQ_INT(f->cpus, 4);
	const struct results_stat *s = results_file_stat(c, "util_cores");
	CHECK(s != NULL);
	CHECK_EQ_INT(s->n, 3);
	CHECK_NEAR(s->median, 2, 1e-12);
	CHECK_NEAR(s->min, 1, 1e-12);
	CHECK_NEAR(s->max, 3, 1e-12);
	CHECK_NEAR(results_file_median(c, "handoff_ns"), 5, 1e-12);
	CHECK_STR(results_file_knob(c, "mode"), "fast");
	results_file_free(f);
}

/* ------------------------------------------------------------ queries */

TEST(plot, varying_labels_and_matching)
{
	json_t *d = syn_new(2);
	syn_cell(d, W_COUNTER, D_THREAD, 2, "sync=none gap_us=0", "lost_fraction=0.1");
	syn_cell(d, W_COUNTER, D_THREAD, 2, "sync=mutex gap_us=0", "lost_fraction=0");
	syn_cell(d, W_COUNTER, D_GIL, 2, "sync=none gap_us=0 interval_us=5000", "lost_fraction=0");
	syn_cell(d, W_COUNTER, D_GIL, 2, "sync=none gap_us=0 interval_us=100", "lost_fraction=0");
	struct results_file *f = syn_load(d);
	const struct results_file_cell *c[8];
	unsigned n = plot_find(f, &(struct plot_sel){ .workload = W_COUNTER }, c, 8);
	char buf[256];
	CHECK_EQ_INT(n, 4);
	plot_varying(c, n, c[1], "", buf, sizeof buf);
	CHECK_STR(buf, "driver=thread sync=mutex"); /* gap_us does not vary; interval_us is a driver knob */
	plot_varying(c, n, c[1], "driver", buf, sizeof buf);
	CHECK_STR(buf, "sync=mutex");
	plot_varying_driver(c, n, c[3], buf, sizeof buf);
	CHECK_STR(buf, "interval_us=100");
	plot_varying_driver(c, n, c[0], buf, sizeof buf);
	CHECK_STR(buf, "");
	CHECK(plot_same_setup(c[0], c[2]));  /* differ only by driver (and its knobs) */
	CHECK(!plot_same_setup(c[0], c[1])); /* sync differs */
	CHECK(!plot_same_cell(c[0], c[2]));
	CHECK(plot_same_cell(c[2], c[2]));
	CHECK(!plot_same_cell(c[2], c[3]));
	CHECK_EQ_INT(plot_find(f, &(struct plot_sel){ .knobs = { "sync=none", "interval_us>1000" } }, c, 8), 1);
	CHECK_EQ_INT(plot_find(f, &(struct plot_sel){ .knobs = { "interval_us!=100" } }, c, 8), 3);
	CHECK_EQ_INT(plot_find(f, &(struct plot_sel){ .driver = D_GIL, .workers = 3 }, c, 8), 0);
	results_file_free(f);
}

/* ------------------------------------------------------------ figures */

TEST_T(plot, every_figure_data_script_and_png, 120)
{
	char *dir = tmpdir(), err[600];
	struct results_file *f = syn_load(syn_everything());
	struct plot_opts o = { .dir = dir, .format = PLOT_PNG };
	static struct plot_set s;
	CHECK(plot_write_all(f, &o, &s, err, sizeof err) == 0);
	int rc = plot_render(&o, &s, err, sizeof err);
	if (rc == -ENOENT)
		TEST_FAIL("gnuplot is not installed (.ci/deps installs gnuplot-nox)");
	if (rc)
		TEST_FAIL("%s", err);
	/* 1: 4 drivers (categories) x worker counts 1 and 2 (series): a block per series. */
	check_dat(dir, "cpu-util", 2, 4, 5);
	/* 2: one panel per cpu-spin cell, rows = samples, columns = time + one per CPU. */
	check_dat(dir, "core-timeline", 8, 3, 3);
	/* 3: every driver at 1 and 2 workers: a block per driver, a row per worker count. */
	check_dat(dir, "scaling-cpu-spin", 4, 2, 5);
	check_dat(dir, "scaling-sleep-io", 4, 2, 5);
	CHECK(!fig(&s, "scaling-shared-counter")->written);
	CHECK_CONTAINS(fig(&s, "scaling-shared-counter")->skipped, "one worker count");
	/* 4: wall (4 drivers + ideal), p50, p99 over 2 setups; convoy over spinners=1 and the
	 * same-waiters baseline (none here: waiters differ), 4 drivers. */
	check_dat(dir, "sleep-io", 5 + 4 + 4 + 4, 0, 5);
	/* 5: ops/s and lost: 3 sync modes x 4 drivers, twice. 6: 2 panels, pingpong 1. */
	check_dat(dir, "shared-counter", 8, 3, 5);
	check_dat(dir, "producer-consumer", 4 + 4, 0, 5);
	check_dat(dir, "pingpong", 4, 1, 5);
	static const char *figs[] = { "cpu-util", "core-timeline", "scaling-cpu-spin", "scaling-sleep-io", "sleep-io",
		                      "shared-counter", "producer-consumer", "pingpong" };
	for (unsigned i = 0; i < sizeof figs / sizeof figs[0]; i++) {
		const struct plot_fig *g = fig(&s, figs[i]);
		CHECK(g->written && g->drawn);
		CHECK(*g->caption);
		check_png(dir, figs[i]);
	}
	/* Values: the cpu-util bar of thread n=1 is the median of its repetitions. */
	struct datf d;
	char path[512];
	snprintf(path, sizeof path, "%s/cpu-util.dat", dir);
	read_dat(path, &d);
	CHECK_STR(d.cell[0][1], "\"thread\"");
	CHECK_NEAR(atof(d.cell[0][2]), 0.99, 1e-9);
	CHECK_NEAR(atof(d.cell[0][3]), 0.98, 1e-9);
	CHECK_NEAR(atof(d.cell[0][4]), 1.0, 1e-9);
	/* Each script redraws its figure alone, from DIR (kept beside the image). */
	char out[2048];
	CHECK_EQ_INT(test_sh(out, sizeof out, "cd %s && rm pingpong.png && gnuplot pingpong.gp && test -s pingpong.png", dir), 0);
	results_file_free(f);
	rmtree(dir);
}

TEST(plot, missing_cells_skip_figures_not_the_command)
{
	char *dir = tmpdir(), out[4096], path[512];
	json_t *d = syn_new(2);
	syn_cell(d, W_PINGPONG, D_THREAD, 2, "mode=wait", "handoff_ns=1000");
	snprintf(path, sizeof path, "%s/r.json", dir);
	syn_write(d, path);
	json_decref(d);
	CHECK_EQ_INT(test_sh(out, sizeof out, "%s plot %s -o %s/p", test_bench_exe(), path, dir), 0);
	CHECK_CONTAINS(out, "skipped cpu-util: no ok cpu-spin cells");
	CHECK_CONTAINS(out, "skipped sleep-io");
	CHECK_CONTAINS(out, "/pingpong.png");
	/* and the report says so */
	CHECK_EQ_INT(test_sh(out, sizeof out, "%s report %s -o %s/r && grep -c 'cpu-util\\*\\*: no ok cpu-spin' %s/r/report.md",
	                     test_bench_exe(), path, dir, dir), 0);
	rmtree(dir);
}

TEST(plot, missing_gnuplot_exits_2_and_keeps_data_and_scripts)
{
	char *dir = tmpdir(), out[4096], path[512];
	json_t *d = syn_new(2);
	syn_cell(d, W_CPU_SPIN, D_THREAD, 1, "iters=600", "util_cores=1");
	syn_cell(d, W_CPU_SPIN, D_THREAD, 2, "iters=600", "util_cores=2");
	snprintf(path, sizeof path, "%s/r.json", dir);
	syn_write(d, path);
	json_decref(d);
	CHECK_EQ_INT(test_sh(out, sizeof out, "mkdir %s/empty && PATH=%s/empty %s plot %s -o %s/p", dir, dir, test_bench_exe(),
	                     path, dir), 2);
	CHECK_CONTAINS(out, "bench: plot: gnuplot not found: install the Debian package gnuplot-nox");
	CHECK_EQ_INT(test_sh(out, sizeof out, "cd %s/p && test -s cpu-util.dat && test -s cpu-util.gp && test ! -e cpu-util.png "
	                     "&& test -s scaling-cpu-spin.gp", dir), 0);
	CHECK_EQ_INT(test_sh(out, sizeof out, "PATH=%s/empty %s report %s -o %s/r", dir, test_bench_exe(), path, dir), 2);
	CHECK_CONTAINS(out, "gnuplot not found: install the Debian package gnuplot-nox");
	CHECK_EQ_INT(test_sh(out, sizeof out, "grep -c 'figures were not drawn' %s/r/report.md", dir), 0);
	rmtree(dir);
}

TEST(plot, svg_and_pdf_formats)
{
	char *dir = tmpdir(), out[4096], path[512];
	json_t *d = syn_new(2);
	syn_cell(d, W_CPU_SPIN, D_THREAD, 1, "iters=600", "util_cores=1");
	snprintf(path, sizeof path, "%s/r.json", dir);
	syn_write(d, path);
	json_decref(d);
	CHECK_EQ_INT(test_sh(out, sizeof out, "%s plot %s -o %s/s --format svg && grep -q '<svg' %s/s/cpu-util.svg", test_bench_exe(),
	                     path, dir, dir), 0);
	CHECK_EQ_INT(test_sh(out, sizeof out, "%s plot %s -o %s/p --format pdf && head -c 4 %s/p/cpu-util.pdf | grep -q '%%PDF'",
	                     test_bench_exe(), path, dir, dir), 0);
	rmtree(dir);
}

TEST_T(plot, real_run_plot_and_report, 120)
{
	char *dir = tmpdir(), out[8192];
	int rc = test_sh(out, sizeof out, "cd %s && %s run -w cpu-spin -d thread,process -n 1,2 --reps 2 --warmup 0 "
	                 "--duration 0.05 -q && test -L results/latest.json && %s report results/latest.json",
	                 dir, test_bench_exe(), test_bench_exe());
	if (rc)
		TEST_FAIL("exit %d: %s", rc, out);
	CHECK_CONTAINS(out, "report: results/");
	CHECK_CONTAINS(out, "-report/report.md");
	char rdir[512], *p = strstr(out, "report: results/");
	snprintf(rdir, sizeof rdir, "%s/%.*s", dir, (int)(strstr(p, "/report.md") - p - 8), p + 8);
	check_png(rdir, "cpu-util");
	check_png(rdir, "core-timeline");
	check_png(rdir, "scaling-cpu-spin");
	check_dat(rdir, "cpu-util", 2, 2, 5);
	check_dat(rdir, "core-timeline", 4, 0, 1 + (int)sysconf(_SC_NPROCESSORS_ONLN));
	CHECK_EQ_INT(test_sh(out, sizeof out, "grep -c '^| 1 | A CPU-bound loop' %s/report.md", rdir), 0);
	CHECK_EQ_INT(test_sh(out, sizeof out, "grep -c '](cpu-util.png)' %s/report.md", rdir), 0);
	CHECK_EQ_INT(test_sh(out, sizeof out, "grep -c '^### cpu-spin' %s/report.md", rdir), 0);
	rmtree(dir);
}

TEST(plot, compare_figure_change_and_ci)
{
	char *dir = tmpdir(), err[600];
	json_t *a = syn_new(2), *b = syn_new(2);
	syn_cell(a, W_CPU_SPIN, D_THREAD, 1, "iters=600", "ops_per_s=100/101/99/100/102");
	syn_cell(b, W_CPU_SPIN, D_THREAD, 1, "iters=600", "ops_per_s=90/91/89/90/92");
	syn_cell(a, W_CPU_SPIN, D_PROCESS, 1, "iters=600", "ops_per_s=100/101/99/100/102");
	syn_cell(b, W_CPU_SPIN, D_PROCESS, 1, "iters=600", "ops_per_s=100/101/99/100/102");
	syn_cell(b, W_CPU_SPIN, D_PROCESS, 1, "iters=300", "ops_per_s=200"); /* unmatched */
	struct results_file *fa = syn_load(a), *fb = syn_load(b);
	struct plot_opts o = { .dir = dir, .format = PLOT_PNG };
	static struct plot_set s;
	CHECK(plot_write_compare(fa, fb, &o, &s, err, sizeof err) == 0);
	CHECK(plot_render(&o, &s, err, sizeof err) == 0);
	check_png(dir, "compare");
	check_dat(dir, "compare", 1, 2, 7);
	struct datf d;
	char path[512];
	snprintf(path, sizeof path, "%s/compare.dat", dir);
	read_dat(path, &d);
	CHECK_NEAR(atof(d.cell[0][2]), -10, 1e-9); /* 90 / 100 - 1 */
	CHECK(atof(d.cell[0][3]) <= -10 && atof(d.cell[0][4]) >= -10);
	CHECK(atof(d.cell[0][4]) < 0);             /* CI excludes 0: worse */
	CHECK_STR(d.cell[0][5], "-1");
	CHECK_NEAR(atof(d.cell[1][2]), 0, 1e-9);
	CHECK_STR(d.cell[1][5], "0");
	CHECK_CONTAINS(fig(&s, "compare")->caption, "1 cells of the new file have no ok counterpart");
	results_file_free(fa);
	results_file_free(fb);
	rmtree(dir);
}
