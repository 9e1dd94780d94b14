/* bench plot / bench report: the results loader (results_load), the figures' data files and
 * scripts (gnuplot must draw each one: PNGs checked by signature and IHDR size), the
 * missing-gnuplot path, compare, and each claim rule on synthetic results that should hold
 * and that should not. Synthetic results files are built by tests/util.c (syn_*) as JSON with
 * the metric names of plot/names.h, written to a temp file and loaded back. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

#include "drivers/driver.h"
#include "plot/claims.h"
#include "plot/names.h"
#include "plot/plot.h"
#include "bench/store/results.h"
#include "bench/store/results_load.h"
#include "tests/test.h"
#include "tests/util.h"
#include "workloads/workload.h"

/* ------------------------------------------------------------ synthetic results (tests/util.c) */

static char *tmpdir(void)
{
	static char d[64];
	snprintf(d, sizeof d, "/tmp/bench-plot-XXXXXX");
	CHECK(mkdtemp(d) != NULL);
	return d;
}

/* Writes doc as DIR/r.json (consumes doc); its path in path. */
static void syn_file(json_t *doc, const char *dir, char *path, size_t len)
{
	snprintf(path, len, "%s/r.json", dir);
	syn_write(doc, path);
	json_decref(doc);
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
	char cell[16][16][64];        /* first 16 rows of block 0: their first 16 fields */
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
		if (cur == 0 && d->rows[0] < 16)
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
	static const char *drv[] = { "thread", "gil", "coroutine", "process" };
	for (unsigned i = 0; i < 4; i++) {
		const char *dk = !strcmp(drv[i], "gil") ? " interval_us=5000" : "";
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

/* "--keep-disturbed" where bench has it (issue 15), else "": the real runs of these tests check
 * what a run writes, which a busy machine must not turn into unstable cells without a summary. */
static const char *keep_disturbed(void)
{
	char out[256];
	return test_sh(out, sizeof out, "%s run --help | grep -q -- --keep-disturbed", test_bench_exe()) ? ""
	                                                                                             : "--keep-disturbed";
}

TEST(plot, loader_reads_a_real_run)
{
	char *dir = tmpdir(), out[4096], path[512], err[300];
	snprintf(path, sizeof path, "%s/r.json", dir);
	int rc = test_sh(out, sizeof out, "cd %s && %s run -w cpu-spin -d thread -n 1,2 --reps 2 --warmup 0 --duration 0.05 "
	                 "-O iters=600 %s -o r.json -q", dir, test_bench_exe(), keep_disturbed());
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

/* Each case: a file's text (NULL: the file is missing), what results_file_load must say. */
static const struct { const char *text, *want; int rc; } loader_cases[] = {
	{ NULL, "cannot read", -ENOENT },
	{ NULL, "No such file", -ENOENT },
	{ "{\"schema_version\": 1, \"cells\": [", "not valid JSON (truncated or corrupt?): ", -EINVAL },
	{ "[1, 2]", "not a bench results file", -EINVAL },
	{ "{\"schema_version\": 1}", "not a bench results file", -EINVAL },
	{ "{\"schema_version\": 99, \"cells\": []}", "schema_version 99, but this bench reads schema_version 1", -EINVAL },
};

/* Each case: a shell command ($B: the bench binary, $D: a directory holding bad2.json (not
 * JSON) and bad5.json (a newer schema), no missing.json), its exit status, what its output
 * must contain (for status 2: on one line). */
static const struct { const char *cmd; int rc; const char *want; } cli_cases[] = {
	{ "$B plot $D/bad2.json -o $D/p", 2, "bench: plot: " },
	{ "$B plot $D/bad2.json -o $D/p", 2, "not valid JSON" },
	{ "$B report $D/bad5.json -o $D/p", 2, "bench: report: " },
	{ "$B report $D/missing.json", 2, "cannot read" },
	{ "$B plot", 2, "no results file given" },
	{ "$B plot $D/bad2.json --format gif", 2, "--format: 'gif' is not png, svg or pdf" },
	{ "$B plot --help", 0, "usage: bench plot" },
	{ "$B report --help", 0, "usage: bench report" },
};

TEST(plot, loader_rejects_bad_input_with_one_line)
{
	char *dir = tmpdir(), path[512], err[300], out[2048];
	for (unsigned i = 0; i < sizeof loader_cases / sizeof loader_cases[0]; i++) {
		struct results_file *rf = NULL;
		if (loader_cases[i].text)
			snprintf(path, sizeof path, "%s/bad%u.json", dir, i);
		else
			snprintf(path, sizeof path, "%s/missing.json", dir);
		if (loader_cases[i].text) {
			FILE *f = fopen(path, "w");
			CHECK(f != NULL);
			fputs(loader_cases[i].text, f);
			fclose(f);
		}
		CHECK_EQ_INT(results_file_load(path, &rf, err, sizeof err), loader_cases[i].rc);
		CHECK(rf == NULL);
		CHECK_CONTAINS(err, loader_cases[i].want);
		CHECK(!strchr(err, '\n'));
	}
	for (unsigned i = 0; i < sizeof cli_cases / sizeof cli_cases[0]; i++) {
		int rc = test_sh(out, sizeof out, "B=%s D=%s; %s", test_bench_exe(), dir, cli_cases[i].cmd);
		if (rc != cli_cases[i].rc)
			TEST_FAIL("%s: exit %d, expected %d: %s", cli_cases[i].cmd, rc, cli_cases[i].rc, out);
		CHECK_CONTAINS(out, cli_cases[i].want);
		if (rc == 2 && strchr(out, '\n') != out + strlen(out) - 1)
			TEST_FAIL("%s: not one line: %s", cli_cases[i].cmd, out);
	}
	rmtree(dir);
}

TEST(plot, loader_summarizes_when_the_file_has_no_summary)
{
	json_t *d = syn_new(4);
	syn_cell(d, W_CPU_SPIN, "thread", 2, "iters=600 mode=fast", "util_cores=1/3/2 handoff_ns=5");
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
	syn_cell(d, W_COUNTER, "thread", 2, "sync=none gap_us=0", "lost_fraction=0.1");
	syn_cell(d, W_COUNTER, "thread", 2, "sync=mutex gap_us=0", "lost_fraction=0");
	syn_cell(d, W_COUNTER, "gil", 2, "sync=none gap_us=0 interval_us=5000", "lost_fraction=0");
	syn_cell(d, W_COUNTER, "gil", 2, "sync=none gap_us=0 interval_us=100", "lost_fraction=0");
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
	CHECK_EQ_INT(plot_find(f, &(struct plot_sel){ .driver = "gil", .workers = 3 }, c, 8), 0);
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
	/* 2: one panel per cpu-spin cell, rows = samples, columns = time + one per CPU (every
	 * process) + one per CPU (the workers' own: syn_cell's workers use 0.1 s of CPU in 0.1 s
	 * on CPU i % 2, so the first cell, one worker, is 100% on CPU 0 and 0 on CPU 1). */
	check_dat(dir, "core-timeline", 8, 3, 5);
	char row[256];
	CHECK_EQ_INT(test_sh(row, sizeof row, "grep -m1 -v '^#' %s/core-timeline.dat | grep -qE '^0.050 100 0 100 0$'", dir), 0);
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

/* The worker-cost figure: drawn only from sleep-io cells at several worker counts, one block
 * per panel and series, spawn_s / workers in microseconds and (wall - ideal) / ops per wait. */
TEST(plot, worker_cost_figure_needs_a_sweep_of_workers)
{
	char *dir = tmpdir(), err[600];
	struct plot_opts o = { .dir = dir, .format = PLOT_PNG };
	static struct plot_set s;
	json_t *d = syn_new(2);
	syn_cellf(d, W_SLEEP_IO, "thread", 10, "count=2", "wall_s=0.01 spawn_s=0.001 ideal_wall_s=0.002 ops=20 "
	          "mem_per_worker_kb=20");
	struct results_file *f = syn_load(d);
	CHECK(plot_write_all(f, &o, &s, err, sizeof err) == 0);
	CHECK(!fig(&s, "worker-cost")->written);
	CHECK_CONTAINS(fig(&s, "worker-cost")->skipped, "no sweep of -n for sleep-io");
	results_file_free(f);

	d = syn_new(2);
	static const unsigned n[] = { 10, 1000 };
	for (unsigned i = 0; i < 2; i++)
		for (unsigned k = 0; k < 2; k++)
			syn_cellf(d, W_SLEEP_IO, k ? "coroutine" : "thread", n[i], "count=2",
			          "wall_s=%g spawn_s=%g ideal_wall_s=0.002 ops=%u mem_per_worker_kb=%g", 0.002 + n[i] * 1e-5,
			          n[i] * (k ? 4e-7 : 3e-5), 2 * n[i], k ? 4.0 : 12.0);
	f = syn_load(d);
	CHECK(plot_write_all(f, &o, &s, err, sizeof err) == 0);
	CHECK(fig(&s, "worker-cost")->written);
	/* 3 panels x 2 drivers, a row per worker count: workers median min max */
	check_dat(dir, "worker-cost", 6, 2, 4);
	char path[512];
	struct datf dat;
	snprintf(path, sizeof path, "%s/worker-cost.dat", dir);
	read_dat(path, &dat);
	/* the first block: spawn of the first driver in model order (thread), n=10: 30 us */
	CHECK_EQ_INT(atoi(dat.cell[0][0]), 10);
	CHECK_NEAR(atof(dat.cell[0][1]), 30, 1e-6);
	CHECK_NEAR(atof(dat.cell[1][1]), 30, 1e-6);
	char out[4096];
	/* time per wait: (wall - ideal) / ops = 1e-5 * n / (2 n) = 5 us at every n */
	CHECK_EQ_INT(test_sh(out, sizeof out, "grep -c '^1000 5 5 5$' %s", path), 0);
	CHECK_EQ_INT(atoi(out), 2);
	results_file_free(f);
	rmtree(dir);
}

TEST(plot, missing_cells_skip_figures_not_the_command)
{
	char *dir = tmpdir(), out[4096], path[512];
	json_t *d = syn_new(2);
	syn_cell(d, W_PINGPONG, "thread", 2, "mode=wait", "handoff_ns=1000");
	syn_file(d, dir, path, sizeof path);
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
	syn_cell(d, W_CPU_SPIN, "thread", 1, "iters=600", "util_cores=1");
	syn_cell(d, W_CPU_SPIN, "thread", 2, "iters=600", "util_cores=2");
	syn_file(d, dir, path, sizeof path);
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
	syn_cell(d, W_CPU_SPIN, "thread", 1, "iters=600", "util_cores=1");
	syn_file(d, dir, path, sizeof path);
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
	                 "--duration 0.05 %s -q && test -L results/latest.json && %s report results/latest.json",
	                 dir, test_bench_exe(), keep_disturbed(), test_bench_exe());
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
	check_dat(rdir, "core-timeline", 4, 0, 1 + 2 * (int)sysconf(_SC_NPROCESSORS_ONLN)); /* all, the workers' */
	CHECK_EQ_INT(test_sh(out, sizeof out, "grep -c '^| 1 | CPU-bound: ' %s/report.md", rdir), 0);
	CHECK_EQ_INT(test_sh(out, sizeof out, "grep -c '](cpu-util.png)' %s/report.md", rdir), 0);
	CHECK_EQ_INT(test_sh(out, sizeof out, "grep -c '^### cpu-spin' %s/report.md", rdir), 0);
	rmtree(dir);
}

TEST(plot, compare_figure_change_and_ci)
{
	char *dir = tmpdir(), err[600];
	json_t *a = syn_new(2), *b = syn_new(2);
	syn_cell(a, W_CPU_SPIN, "thread", 1, "iters=600", "ops_per_s=100/101/99/100/102");
	syn_cell(b, W_CPU_SPIN, "thread", 1, "iters=600", "ops_per_s=90/91/89/90/92");
	syn_cell(a, W_CPU_SPIN, "process", 1, "iters=600", "ops_per_s=100/101/99/100/102");
	syn_cell(b, W_CPU_SPIN, "process", 1, "iters=600", "ops_per_s=100/101/99/100/102");
	syn_cell(b, W_CPU_SPIN, "process", 1, "iters=300", "ops_per_s=200"); /* unmatched */
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
	CHECK(atof(d.cell[0][4]) < 0);             /* the CI excludes 0, and */
	CHECK_STR(d.cell[0][5], "-1");             /* apart, 5 vs 5: p = 2/252 exact (ties: 100 twice): a regression */
	CHECK_NEAR(atof(d.cell[1][2]), 0, 1e-9);
	CHECK_STR(d.cell[1][5], "0");
	CHECK_CONTAINS(fig(&s, "compare")->caption, "1 cells of the new file have no ok counterpart");
	results_file_free(fa);
	results_file_free(fb);
	rmtree(dir);
}

/* ------------------------------------------------------------ contracts: tables, not names */

/* The text of a file, malloc'd: an absolute path, or one relative to the source tree (this file
 * is its tests/test_plot.c). */
static char *source_text(const char *rel)
{
	char path[1024];
	const char *me = __FILE__, *t = strstr(me, "tests/test_plot.c");
	CHECK(t != NULL);
	if (rel[0] == '/')
		snprintf(path, sizeof path, "%s", rel);
	else
		snprintf(path, sizeof path, "%.*s%s", (int)(t - me), me, rel);
	FILE *f = fopen(path, "r");
	if (!f)
		TEST_FAIL("cannot read %s", path);
	char *buf = calloc(1, 1 << 20);
	CHECK(buf != NULL);
	size_t n = fread(buf, 1, (1 << 20) - 1, f);
	buf[n] = 0;
	fclose(f);
	return buf;
}

/* plot/ takes driver names from the driver table: no "thread", "gil", ... literal there. */
TEST(plot, no_driver_name_literal_in_plot_sources)
{
	static const char *files[] = { "plot/names.h", "plot/plot.h", "plot/gp.h", "plot/claims.h", "plot/query.c",
		                       "plot/gp.c", "plot/figures.c", "plot/claims.c", "plot/report.c", "plot/cli.c" };
	for (unsigned i = 0; i < sizeof files / sizeof files[0]; i++) {
		char *src = source_text(files[i]);
		for (unsigned d = 0; d < driver_count; d++) {
			char lit[80];
			snprintf(lit, sizeof lit, "\"%s\"", driver_table[d]->name);
			if (strstr(src, lit))
				TEST_FAIL("%s names driver %s", files[i], lit);
		}
		free(src);
	}
}

/* The scaling figure's axis says what one op of each workload is (struct workload .op_unit). */
TEST_T(plot, scaling_axis_names_each_workloads_op_unit, 120)
{
	char *dir = tmpdir(), err[600];
	json_t *d = syn_new(2);
	for (unsigned i = 0; i < workload_count; i++)
		for (unsigned n = 1; n <= 2; n++)
			syn_cell(d, workload_table[i]->name, "thread", n, "", "ops_per_s=1e6/1.1e6");
	struct results_file *f = syn_load(d);
	struct plot_opts o = { .dir = dir, .format = PLOT_PNG };
	static struct plot_set s;
	CHECK(plot_write_all(f, &o, &s, err, sizeof err) == 0);
	for (unsigned i = 0; i < workload_count; i++) {
		char rel[300], want[200];
		snprintf(rel, sizeof rel, "%s/scaling-%s.gp", dir, workload_table[i]->name);
		FILE *g = fopen(rel, "r");
		if (!g)
			TEST_FAIL("no %s", rel);
		char text[16384];
		text[fread(text, 1, sizeof text - 1, g)] = 0;
		fclose(g);
		snprintf(want, sizeof want, "\"throughput (%s/s)\"", workload_table[i]->op_unit);
		CHECK_CONTAINS(text, want);
	}
	results_file_free(f);
	rmtree(dir);
}

/* The scaling figure's linear ideal is in the workers that do the work: for a workload with
 * helpers (task-pool's submitter) n workers are a pool of n - helpers, so going from
 * helpers + 1 to helpers + 2 workers doubles the pool and the ideal; for the others it is
 * plain n. (Before: task-pool's ideal at 3 workers was 1.5x the 2-worker point.) */
TEST_T(plot, scaling_ideal_counts_the_pool_not_the_helpers, 120)
{
	char *dir = tmpdir(), err[600];
	json_t *d = syn_new(2);
	for (unsigned i = 0; i < workload_count; i++) {
		unsigned h = workload_table[i]->helpers, n0 = h + (workload_table[i]->min_workers > h + 1 ? 2 : 1);
		syn_cell(d, workload_table[i]->name, "thread", n0, "", "ops_per_s=100");
		syn_cell(d, workload_table[i]->name, "thread", n0 + 1, "", "ops_per_s=150");
	}
	struct results_file *f = syn_load(d);
	struct plot_opts o = { .dir = dir, .format = PLOT_PNG };
	static struct plot_set s;
	CHECK(plot_write_all(f, &o, &s, err, sizeof err) == 0);
	unsigned with_helpers = 0;
	for (unsigned i = 0; i < workload_count; i++) {
		unsigned h = workload_table[i]->helpers, n0 = h + (workload_table[i]->min_workers > h + 1 ? 2 : 1);
		char path[300];
		struct datf dat;
		snprintf(path, sizeof path, "%s/scaling-%s.dat", dir, workload_table[i]->name);
		read_dat(path, &dat);
		double want = 100.0 * (n0 + 1 - h) / (n0 - h);
		if (fabs(atof(dat.cell[1][4]) - want) > 1e-9)
			TEST_FAIL("%s (helpers %u): ideal at %u workers %s, want %g", workload_table[i]->name, h, n0 + 1,
			          dat.cell[1][4], want);
		with_helpers += h > 0;
	}
	CHECK(with_helpers > 0); /* the case exists in this build */
	results_file_free(f);
	rmtree(dir);
}

/* bench plot A B draws the interval bench compare A B prints, for the same files. */
TEST_T(plot, compare_figure_interval_is_bench_compares, 120)
{
	char *dir = tmpdir(), err[600], pa[512], pb[512], out[65536];
	json_t *a = syn_new(2), *b = syn_new(2);
	static const char *va[] = { "100/101/99/100/102/97", "10/12/11/13/9/10/11/12/14/8", "5/5.5/4.5/6/5.2/4.9/5.1/5.3" };
	static const char *vb[] = { "90/91/89/93/92/95", "11/12/10/14/9/12/13/12/15/9", "5.5/6/4.4/6.1/5/5.9/5.2/5.8" };
	for (unsigned i = 0; i < 3; i++) {
		syn_cellf(a, W_CPU_SPIN, "thread", i + 1, "iters=600", "ops_per_s=%s", va[i]);
		syn_cellf(b, W_CPU_SPIN, "thread", i + 1, "iters=600", "ops_per_s=%s", vb[i]);
	}
	snprintf(pa, sizeof pa, "%s/a.json", dir);
	snprintf(pb, sizeof pb, "%s/b.json", dir);
	syn_write(a, pa);
	syn_write(b, pb);
	struct results_file *fa = syn_load(a), *fb = syn_load(b);
	struct plot_opts o = { .dir = dir, .format = PLOT_PNG };
	static struct plot_set s;
	CHECK(plot_write_compare(fa, fb, &o, &s, err, sizeof err) == 0);
	struct datf d;
	char path[512];
	snprintf(path, sizeof path, "%s/compare.dat", dir);
	read_dat(path, &d);
	CHECK_EQ_INT(d.rows[0], 3);
	CHECK_EQ_INT(test_sh(out, sizeof out, "%s compare %s %s --format json 2>/dev/null; test $? -le 1", test_bench_exe(),
	                     pa, pb), 0);
	json_t *root = json_loads(out, 0, NULL), *cells = json_object_get(root, "cells");
	CHECK(json_array_size(cells) == 3);
	for (unsigned i = 0; i < 3; i++) { /* rows in file order: workers 1, 2, 3 */
		json_t *c = json_array_get(cells, i), *ci = json_object_get(c, "ci_pct");
		CHECK_EQ_INT(json_integer_value(json_object_get(c, "workers")), i + 1);
		double want[3] = { json_number_value(json_object_get(c, "change_pct")),
			           json_number_value(json_array_get(ci, 0)), json_number_value(json_array_get(ci, 1)) };
		for (unsigned k = 0; k < 3; k++)
			if (fabs(atof(d.cell[i][2 + k]) - want[k]) > 1e-7 * (1 + fabs(want[k])))
				TEST_FAIL("n=%u: plot's %s %s, compare's %.9g", i + 1, k ? k == 1 ? "CI low" : "CI high" : "change",
				          d.cell[i][2 + k], want[k]);
	}
	json_decref(root);
	results_file_free(fa);
	results_file_free(fb);
	rmtree(dir);
}

/* bench plot A B --ignore-knob K matches cells that differ only by K, as compare does, and
 * draws compare's change; without it, two files with no cell in common are an input error
 * (exit 2) that names --ignore-knob, not an empty success. */
TEST_T(plot, compare_figure_ignore_knob_is_compares, 120)
{
	char *dir = tmpdir(), err[600], pa[512], pb[512], out[65536];
	json_t *a = syn_new(2), *b = syn_new(2);
	syn_cell(a, W_CPU_SPIN, "thread", 1, "extra_work_pct=0", "ops_per_s=100/101/99/100/102/98");
	syn_cell(b, W_CPU_SPIN, "thread", 1, "extra_work_pct=10", "ops_per_s=90/91/89/90/92/88");
	snprintf(pa, sizeof pa, "%s/a.json", dir);
	snprintf(pb, sizeof pb, "%s/b.json", dir);
	syn_write(a, pa);
	syn_write(b, pb);
	struct results_file *fa = syn_load(a), *fb = syn_load(b);
	struct plot_opts o = { .dir = dir, .format = PLOT_PNG };
	static struct plot_set s;
	CHECK(plot_write_compare(fa, fb, &o, &s, err, sizeof err) == -EINVAL);
	CHECK_CONTAINS(err, "--ignore-knob");
	o.nignore = 1;
	o.ignore[0] = "extra_work_pct";
	CHECK(plot_write_compare(fa, fb, &o, &s, err, sizeof err) == 0);
	struct datf d;
	char path[512];
	snprintf(path, sizeof path, "%s/compare.dat", dir);
	read_dat(path, &d);
	CHECK_EQ_INT(d.rows[0], 1);
	CHECK_EQ_INT(test_sh(out, sizeof out, "%s compare %s %s --ignore-knob extra_work_pct --format json 2>/dev/null;"
	                     " test $? -le 1", test_bench_exe(), pa, pb), 0);
	json_t *root = json_loads(out, 0, NULL), *c = json_array_get(json_object_get(root, "cells"), 0);
	CHECK_NEAR(atof(d.cell[0][2]), json_number_value(json_object_get(c, "change_pct")), 1e-7);
	CHECK_STR(d.cell[0][5], "-1"); /* compare's verdict: a regression */
	json_decref(root);
	CHECK_EQ_INT(test_sh(out, sizeof out, "cd %s && %s plot a.json b.json -o p1 >/dev/null 2>&1", dir, test_bench_exe()), 2);
	CHECK_EQ_INT(test_sh(out, sizeof out, "cd %s && %s plot a.json b.json -o p2 --ignore-knob extra_work_pct", dir,
	                     test_bench_exe()), 0);
	CHECK_EQ_INT(test_sh(out, sizeof out, "cd %s && %s plot a.json -o p3 --ignore-knob extra_work_pct 2>&1", dir,
	                     test_bench_exe()), 2);
	CHECK_CONTAINS(out, "two files");
	results_file_free(fa);
	results_file_free(fb);
	rmtree(dir);
}

/* Every driver of the table says what plot needs: a model its capability flags agree with, and
 * a colour of its own ("#rrggbb"). */
TEST(plot, every_driver_declares_a_model_and_a_colour)
{
	for (unsigned i = 0; i < driver_count; i++) {
		const struct driver_ops *d = driver_table[i];
		unsigned f = d->flags & (DRIVER_SHARED_AS | DRIVER_PARALLEL | DRIVER_COOPERATIVE), want = 0;
		switch (d->model) {
		case DRIVER_MODEL_THREADS: want = DRIVER_SHARED_AS | DRIVER_PARALLEL; break;
		case DRIVER_MODEL_PROCESSES: want = DRIVER_PARALLEL; break;
		case DRIVER_MODEL_GIL_THREADS:
		case DRIVER_MODEL_COROUTINES: want = DRIVER_SHARED_AS | DRIVER_COOPERATIVE; break;
		default: TEST_FAIL("driver %s: no model", d->name);
		}
		if (f != want)
			TEST_FAIL("driver %s: flags %#x, its model %d means %#x", d->name, f, d->model, want);
		if (!d->color || strlen(d->color) != 7 || d->color[0] != '#' || strspn(d->color + 1, "0123456789abcdef") != 6)
			TEST_FAIL("driver %s: colour '%s' is not #rrggbb", d->name, d->color ? d->color : "(null)");
		for (unsigned k = 0; k < i; k++)
			if (!strcmp(driver_table[k]->color, d->color))
				TEST_FAIL("drivers %s and %s share the colour %s", driver_table[k]->name, d->name, d->color);
	}
}

/* A driver of the table appears in every figure in its colour, in model order, with no plot
 * edit: cells of every driver (in table order), and of one this build does not know. */
TEST_T(plot, every_driver_in_the_figures_in_its_colour_and_model_order, 120)
{
	char *dir = tmpdir(), err[600], path[512];
	json_t *doc = syn_new(2);
	for (unsigned i = 0; i <= driver_count; i++) {
		const char *name = i < driver_count ? driver_table[i]->name : "zz-unknown";
		for (unsigned n = 1; n <= 2; n++)
			syn_cell(doc, W_CPU_SPIN, name, n, "iters=600", "util_cores=1 ops_per_s=1e6/1.1e6");
		syn_cell(doc, W_PINGPONG, name, 2, "mode=wait", "handoff_ns=1000");
	}
	struct results_file *f = syn_load(doc);
	struct plot_opts o = { .dir = dir, .format = PLOT_PNG };
	static struct plot_set s;
	CHECK(plot_write_all(f, &o, &s, err, sizeof err) == 0);
	static const char *figs[] = { "scaling-cpu-spin", "pingpong" };
	for (unsigned k = 0; k < 2; k++) {
		snprintf(path, sizeof path, "%s/%s.gp", dir, figs[k]);
		char *gp = source_text(path);
		for (unsigned i = 0; i < driver_count; i++) {
			char want[40];
			snprintf(want, sizeof want, "lc rgb \"%s\"", driver_table[i]->color);
			if (!strstr(gp, want))
				TEST_FAIL("%s: driver %s not in its colour %s", figs[k], driver_table[i]->name, want);
		}
		free(gp);
	}
	struct datf d; /* cpu-util: a category per driver, in the order of their models, unknown last */
	snprintf(path, sizeof path, "%s/cpu-util.dat", dir);
	read_dat(path, &d);
	CHECK_EQ_INT(d.rows[0], driver_count + 1);
	int last = -1;
	for (unsigned r = 0; r < driver_count + 1 && r < 16; r++) {
		char name[64];
		snprintf(name, sizeof name, "%.*s", (int)strlen(d.cell[r][1]) - 2, d.cell[r][1] + 1);
		int rank = plot_driver_rank(name);
		const struct driver_ops *drv = driver_find(name);
		CHECK_EQ_INT(rank, drv ? (int)drv->model : DRIVER_MODELS);
		if (rank < last)
			TEST_FAIL("cpu-util: %s (model %d) after model %d", name, rank, last);
		last = rank;
	}
	CHECK_STR(d.cell[driver_count][1], "\"zz-unknown\"");
	results_file_free(f);
	rmtree(dir);
}

/* ------------------------------------------------------------ noise in the report (issue 15) */

/* report.md of f (changed in memory: this branch's loader knows neither "unstable" nor
 * "disturbed"), read into a malloc'd string. */
static char *report_of(const struct results_file *f, const char *dir)
{
	struct plot_set figs = { 0 };
	struct plot_opts po = { .dir = dir, .format = PLOT_PNG };
	char path[512], err[300];
	CHECK_EQ_INT(report_write(f, &figs, &po, "not drawn in this test", path, sizeof path, err, sizeof err), 0);
	FILE *in = fopen(path, "r");
	CHECK(in);
	char *text = calloc(1, 1 << 20);
	CHECK(text);
	size_t n = fread(text, 1, (1 << 20) - 1, in);
	text[n] = 0;
	fclose(in);
	return text;
}

TEST(plot, report_header_lists_disturbed_and_unstable_cells)
{
	char *dir = tmpdir();
	json_t *d = syn_new(2);
	syn_cell(d, W_CPU_SPIN, "thread", 1, "", "ops_per_s=100/101/99 util_cores=1 other_load_cores=0.01/0.6/0.02");
	syn_one_pu(syn_cell(d, W_PINGPONG, "process", 2, "mode=wait",
	                    "ops_per_s=50/20/30 handoff_ns=9000 other_load_cores=0.05/0.42/0.5"));
	syn_cell(d, W_CPU_SPIN, "thread", 2, "", "ops_per_s=200/201/199 util_cores=2 other_load_cores=0.01/0.02/0.01");
	syn_one_pu(syn_cell(d, W_PINGPONG, "thread", 2, "mode=wait", "ops_per_s=500 handoff_ns=1000 other_load_cores=0.01"));
	struct results_file *f = syn_load(d);
	char *t = report_of(f, dir);
	CHECK(!strstr(t, "Disturbed cells")); /* a schema-1 file: no repetition is marked, nothing listed */
	CHECK(!strstr(t, "repetitions disturbed"));
	CHECK(!strstr(t, "**unstable**"));
	CHECK(!strstr(t, "| **unreliable** |")); /* no claim is */
	free(t);
	struct results_file_cell *spin = &f->cells[0], *pp = &f->cells[1];
	spin->reps[1].disturbed = 1;
	for (unsigned k = 0; k < spin->nstats; k++) /* the summary left it out */
		spin->stats[k].n = 2;
	pp->status = "unstable";
	pp->reps[1].disturbed = pp->reps[2].disturbed = 1;
	t = report_of(f, dir);
	CHECK_CONTAINS(t, "`cpu-spin/thread/n=1`: 1 of 3 repetitions disturbed (other load 0.60 cores), left out");
	CHECK_CONTAINS(t, "`pingpong/process/n=2`: **unstable**, 2 of 3 repetitions disturbed (other load 0.46 cores)");
	CHECK(!strstr(t, "`cpu-spin/thread/n=2`:"));
	CHECK_CONTAINS(t, "4 cells, 3 ok, **1 unstable**, 0 failed");
	CHECK_CONTAINS(t, "**Disturbed cells: 2, 1 of them unstable**"); /* the list itself is collapsed */
	CHECK_CONTAINS(t, "<details><summary>The disturbed cells</summary>\n\n- `cpu-spin/thread/n=1`");
	CHECK_CONTAINS(t, " (3 measured repetitions after 0 warm-up");
	CHECK_CONTAINS(t, "| **unreliable** | no verdict (1 needed cell unstable or disturbed); seen: n=2 on one PU: "
	                  "thread 1 us, process 9 us per hand-off (9.00x; the rule needs 2x) |"); /* claim 4 */
	CHECK_CONTAINS(t, "- **Verdict:** unreliable: 0.46 cores of other load in cell `pingpong/process/n=2`\n");
	free(t);
	f->reps_auto = 1; /* run --all, --claims: each cell decided its count */
	t = report_of(f, dir);
	CHECK_CONTAINS(t, " (measured repetitions: auto, at least 5 per cell, after 0 warm-up");
	free(t);
	results_file_free(f);
	rmtree(dir);
}

/* The columns of a Markdown table row: its '|' not escaped, less one. */
static unsigned md_columns(const char *line, size_t len)
{
	unsigned bars = 0;
	for (size_t i = 0; i < len; i++)
		bars += line[i] == '|' && (i == 0 || line[i - 1] != '\\');
	return bars ? bars - 1 : 0;
}

/* Every table of report.md at most 8 columns, every claims row at most 300 characters (UTF-8
 * characters, not bytes), values with units in engineering notation: on a file with a workload
 * of many metrics, long knob values in many cells, and a claim's evidence of 600 checks. */
TEST(plot, report_tables_narrow_short_rows_with_units)
{
	char *dir = tmpdir(), knobs[800], v[64];
	json_t *d = syn_new(2);
	syn_cell(d, W_PINGPONG, "thread", 2, "mode=wait",
	         "handoff_ns=94100 lost_fraction=0.344 rtt_ns=188200 a_s=0.5 b_s=0.25 c_per_s=1744000 d_us=12 e_kb=80 g=7 h=8 i=9");
	for (unsigned i = 0; i < 40; i++) {
		int off = snprintf(knobs, sizeof knobs, "wait_us=%u limit=5 spinners=0", 1000 + i);
		for (unsigned k = 0; k < 8; k++) {
			int n = snprintf(v, sizeof v, "v%u-%u-", i, k);
			while (n < 47)
				v[n++] = 'x';
			v[n] = 0;
			off += snprintf(knobs + off, sizeof knobs - (size_t)off, " note%u=%s", k, v);
		}
		syn_cell(d, W_SLEEP_IO, "thread", 20, knobs, "waiters=20 max_inside=5 rounds=4 ideal_rounds=4");
	}
	struct results_file *f = syn_load(d);
	char *t = report_of(f, dir);
	unsigned rows = 0, claim_rows = 0, in_claims = 0;
	for (char *l = t; *l;) {
		size_t len = strcspn(l, "\n");
		if (!strncmp(l, "| # | claim |", 12))
			in_claims = 1;
		if (in_claims && len == 0)
			in_claims = 0;
		if (*l == '|') {
			rows++;
			if (md_columns(l, len) > 8)
				TEST_FAIL("a row of %u columns: %.*s", md_columns(l, len), (int)(len < 300 ? len : 300), l);
			size_t chars = 0; /* UTF-8 characters */
			for (size_t i = 0; i < len; i++)
				chars += ((unsigned char)l[i] & 0xc0) != 0x80;
			if (in_claims && chars > 300)
				TEST_FAIL("a claims row of %zu characters: %.*s", chars, (int)len, l);
			claim_rows += in_claims && l[2] != '#' && l[2] != '-';
		}
		l += len + (l[len] == '\n');
	}
	CHECK_EQ_INT(claim_rows, CLAIMS_N);
	CHECK(rows > 20);
	CHECK_CONTAINS(t, " handoff (s) |");
	CHECK_CONTAINS(t, " 94.1 us |");
	CHECK_CONTAINS(t, " c (/s) |");
	CHECK_CONTAINS(t, " 1.74 M/s |");
	CHECK_CONTAINS(t, " 12 us |");
	CHECK_CONTAINS(t, " lost (%) |");
	CHECK_CONTAINS(t, " 34.4 |");
	CHECK_CONTAINS(t, "In the results file, not shown here (`bench export`):");
	CHECK_CONTAINS(t, "<details><summary>Claim 6 evidence: holds</summary>");
	CHECK(!strstr(t, "e-0")); /* no 9.41e-05 */
	free(t);
	results_file_free(f);
	rmtree(dir);
}

/* bench run --claims measures every claim: its report has no claim "not measured" or "partly
 * measured" (repetitions kept whatever the load: this checks which cells run, not timings). */
TEST_T(plot, claims_preset_measures_every_claim, 300)
{
	char *dir = tmpdir(), out[8192];
	int rc = test_sh(out, sizeof out, "cd %s && %s run --claims --reps 1 --warmup 0 --duration 0.02 --keep-disturbed "
	                 "--no-store -q -o c.json >/dev/null && %s report c.json -o rep >/dev/null && grep -c '^| [1-8] | ' rep/report.md",
	                 dir, test_bench_exe(), test_bench_exe());
	if (rc)
		TEST_FAIL("exit %d: %s", rc, out);
	CHECK_EQ_INT(atoi(out), CLAIMS_N);
	rc = test_sh(out, sizeof out, "grep -E '^\\| [1-8] \\| .*\\*\\*(not measured|partly measured)\\*\\*' %s/rep/report.md", dir);
	if (rc == 0)
		TEST_FAIL("a claim the preset did not measure: %s", out);
	CHECK_EQ_INT(test_sh(out, sizeof out, "grep -q 'pingpong/thread/n=2 pin=pus:0,0' %s/c.json || "
	                     "grep -q '\"pin\": *\"pus:0,0\"' %s/c.json", dir, dir), 0);
	rmtree(dir);
}
