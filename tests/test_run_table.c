/* bench run's table (bench/cli/run_table.c): units, spread, footnotes for disturbed and
 * unstable cells, fairness only for symmetric workloads, label alignment and escaping; and the
 * brief of a cell (results_cell_brief) that the table is made from. Rows are built here, the
 * table is printed into memory. */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/cli/run_table.h"
#include "bench/machine/machine.h"
#include "bench/stats/fmt.h"
#include "bench/store/results.h"
#include "tests/test.h"
#include "workloads/workload.h"

/* The table of rows r[0..n) with the label column as wide as the widest label: malloc'd. */
static char *table(const struct run_table_row *r, unsigned n)
{
	char *buf = NULL;
	size_t len = 0, w = 0;
	FILE *f = open_memstream(&buf, &len);
	struct run_table t;
	CHECK(f);
	for (unsigned i = 0; i < n; i++)
		if (run_table_label_width(r[i].label) > w)
			w = run_table_label_width(r[i].label);
	run_table_begin(&t, f, w);
	for (unsigned i = 0; i < n; i++)
		run_table_print(&t, &r[i]);
	run_table_end(&t);
	fclose(f);
	return buf;
}

/* An ok cpu-spin cell: 5 undisturbed repetitions around 874.484k spin units/s. */
static struct run_table_row spin_row(const char *label)
{
	return (struct run_table_row){ .label = label, .status = "ok", .metric = "ops_per_s", .op_unit = "spin units",
		                       .higher_is_better = 1, .symmetric = 1, .n = 5, .median = 874484,
		                       .ci_lo = 874484 - 4372.42, .ci_hi = 874484 + 4372.42, .min = 860000,
		                       .max = 880000, .util_cores = 1.0, .wall_s = 0.2, .fairness = 1, .nok = 5,
		                       .disturbed_load = NAN };
}

/* Line k (0: the header) of text, into buf. */
static const char *line(const char *text, unsigned k, char *buf, size_t len)
{
	for (; k && text; k--) {
		text = strchr(text, '\n');
		text = text ? text + 1 : NULL;
	}
	CHECK(text);
	size_t n = strcspn(text, "\n");
	snprintf(buf, len, "%.*s", (int)(n < len ? n : len - 1), text);
	return buf;
}

TEST(run_table, primary_metric_with_its_unit_and_ci)
{
	struct run_table_row r = spin_row("cpu-spin/thread/n=1");
	char *t = table(&r, 1), l[300];
	line(t, 1, l, sizeof l);
	CHECK_CONTAINS(l, "874k spin units/s");
	CHECK_CONTAINS(l, "+-0.5%"); /* the CI's half-width, 4372 of 874484 */
	CHECK_CONTAINS(l, " 1.000"); /* fairness: cpu-spin's workers do the same job */
	CHECK_CONTAINS(l, " 200 ms "); /* wall, with its unit */
	CHECK(!strchr(t, '*'));      /* nothing disturbed: no mark, no footnote */
	free(t);
	r.op_unit = NULL;            /* a workload this build does not know: plain ops */
	t = table(&r, 1);
	CHECK_CONTAINS(t, "874k ops/s");
	free(t);
}

TEST(run_table, spread_of_one_and_two_repetitions)
{
	struct run_table_row r[2] = { spin_row("cpu-spin/thread/n=1"), spin_row("cpu-spin/thread/n=2") };
	r[0].n = r[0].nok = 1;
	r[0].ci_lo = r[0].ci_hi = NAN;
	r[0].min = r[0].max = r[0].median;
	r[1].n = r[1].nok = 2;
	char *t = table(r, 2), l[300];
	line(t, 1, l, sizeof l);
	CHECK(!strstr(l, "+-") && !strstr(l, ".."));
	const char *p = strstr(l, "spin units/s"); /* one repetition: no spread */
	CHECK(p);
	p += strlen("spin units/s");
	p += strspn(p, " ");
	CHECK(!strncmp(p, "- ", 2));
	line(t, 2, l, sizeof l);
	CHECK_CONTAINS(l, "860k..880k"); /* two: the range, not a 12.7 t-factor CI */
	free(t);
}

TEST(run_table, lower_is_better_metric_in_seconds)
{
	struct run_table_row r = { .label = "sleep-io/thread/n=2", .status = "ok", .metric = "wall_s",
		                   .op_unit = "waits", .higher_is_better = 0, .symmetric = 1, .n = 3, .median = 0.2013,
		                   .ci_lo = 0.2003, .ci_hi = 0.2023, .min = 0.2, .max = 0.203, .util_cores = 0.01,
		                   .wall_s = 0.2013, .fairness = 1, .nok = 3, .disturbed_load = NAN };
	char *t = table(&r, 1);
	CHECK_CONTAINS(t, "201 ms wall (lower)");
	CHECK(!strstr(t, "waits/s"));
	CHECK_CONTAINS(t, "+-0.5%");
	free(t);
}

TEST(run_table, disturbed_repetitions_get_a_footnote)
{
	struct run_table_row r[2] = { spin_row("cpu-spin/process/n=2"), spin_row("cpu-spin/thread/n=1") };
	r[0].nok = 7;
	r[0].ndisturbed = 2;
	r[0].disturbed_load = 0.4;
	char *t = table(r, 2), l[300];
	line(t, 1, l, sizeof l);
	CHECK_CONTAINS(l, " ok* ");
	line(t, 2, l, sizeof l);
	CHECK(!strchr(l, '*'));
	CHECK_CONTAINS(t, "\n* cpu-spin/process/n=2: 2 of 7 repetitions disturbed (other load 0.40 cores), left out\n");
	free(t);
	r[0].n = 7; /* --keep-disturbed: the summary has them all */
	t = table(r, 1);
	CHECK_CONTAINS(t, "2 of 7 repetitions disturbed (other load 0.40 cores), kept (--keep-disturbed)");
	free(t);
	r[0].disturbed_load = NAN; /* disturbed by something else than load */
	t = table(r, 1);
	CHECK_CONTAINS(t, ": 2 of 7 repetitions disturbed, kept");
	free(t);
}

TEST(run_table, unstable_cell_is_marked)
{
	struct run_table_row r = spin_row("pingpong/process/n=2");
	r.status = "unstable";
	r.symmetric = 0;
	r.metric = "ops_per_s";
	r.op_unit = "round trips";
	r.nok = 7;
	r.ndisturbed = 5;
	r.n = 2;
	r.disturbed_load = 0.43;
	char *t = table(&r, 1), l[300];
	line(t, 1, l, sizeof l);
	CHECK_CONTAINS(l, " unstable* ");
	CHECK_CONTAINS(l, "874k round trips/s"); /* what it has is still shown */
	CHECK_CONTAINS(t, "* pingpong/process/n=2: unstable, 5 of 7 repetitions disturbed (other load 0.43 cores), "
	                  "left out; not trustworthy");
	free(t);
}

TEST(run_table, long_labels_align_the_columns)
{
	char longl[200];
	snprintf(longl, sizeof longl, "producer-consumer/process/n=2 %s", "queue=lock capacity=1024 gap_us=0 items=100000");
	struct run_table_row r[3] = { spin_row("cpu-spin/thread/n=1"), spin_row(longl), spin_row("x") };
	r[2].status = "failed";
	r[2].error = "verify failed";
	char *t = table(r, 3), l[4][300];
	for (unsigned k = 0; k < 4; k++)
		line(t, k, l[k], sizeof l[k]);
	size_t col = strlen(longl) + 1; /* the status column starts after the widest label and a space */
	CHECK(!strncmp(l[0] + col, "status", 6));
	CHECK(!strncmp(l[1] + col, "ok ", 3));
	CHECK(!strncmp(l[2] + col, "ok ", 3));
	CHECK(!strncmp(l[3] + col, "failed", 6));
	CHECK_CONTAINS(l[3], "verify failed");
	CHECK_EQ_INT(strlen(l[1]), strlen(l[2])); /* every column after it lines up */
	free(t);
}

TEST(run_table, labels_and_errors_are_escaped_for_the_terminal)
{
	struct run_table_row r = spin_row("evil\x1b[2J/thread/n=1");
	r.status = "failed";
	r.error = "bad\x1b]0;title\x07";
	char *t = table(&r, 1);
	CHECK(!strchr(t, 0x1b) && !strchr(t, 0x07));
	CHECK_CONTAINS(t, "evil\\x1b[2J/thread/n=1");
	free(t);
	CHECK_EQ_INT(run_table_label_width("a\x1b"), 5); /* as printed: a\x1b */
}

TEST(run_table, fairness_only_where_workers_do_the_same_job)
{
	CHECK_EQ_INT(workload_producer_consumer.symmetric, 0);
	CHECK_EQ_INT(workload_pingpong.symmetric, 0);
	CHECK_EQ_INT(workload_task_pool.symmetric, 0);
	CHECK_EQ_INT(workload_cpu_spin.symmetric, 1);
	CHECK_EQ_INT(workload_shared_counter.symmetric, 1);
	struct cell_brief b = { .status = "ok", .nreps = 3, .ops_per_s = 1.744e6, .util_cores = 2, .wall_s = 0.2,
		                .fairness = 0.5, .primary = 1.744e6, .primary_n = 3, .nok = 3, .primary_ci_lo = 1.7e6,
		                .primary_ci_hi = 1.788e6, .primary_min = 1.7e6, .primary_max = 1.79e6,
		                .disturbed_load = NAN };
	struct run_table_row r[2];
	run_table_row_from_brief(&r[0], &b, &workload_producer_consumer, "producer-consumer/thread/n=2");
	run_table_row_from_brief(&r[1], &b, &workload_cpu_spin, "cpu-spin/thread/n=2");
	char *t = table(r, 2), l[300];
	line(t, 1, l, sizeof l);
	CHECK_CONTAINS(l, "1.74M items/s");
	CHECK(!strstr(l, "0.500"));
	CHECK(l[strlen(l) - 1] == '-');
	line(t, 2, l, sizeof l);
	CHECK_CONTAINS(l, "1.74M spin units/s");
	CHECK_CONTAINS(l, "0.500");
	free(t);
}

/* A cell of a results document made here, its repetitions given as JSON lines. */
static void brief_of(const char *const *reps, unsigned n, struct cell_brief *b, struct results_doc **docp)
{
	static struct machine m;
	struct results_config rc = { .reps = n, .duration_s = 0.1, .timeout_s = 1, .pin = "spread" };
	struct results_doc *doc = results_doc_new(&m, &rc);
	struct cell_desc desc = { .workload = "cpu-spin", .driver = "thread", .workers = 1, .pin = "spread",
		                  .primary_metric = "ops_per_s", .higher_is_better = 1 };
	struct results_cell *c = doc ? results_cell_new(doc, &desc) : NULL;
	CHECK(c);
	for (unsigned i = 0; i < n; i++)
		CHECK_EQ_INT(results_cell_add_rep(c, reps[i]), 0);
	results_cell_finish(c, "ok", NULL);
	results_cell_brief(c, b);
	*docp = doc;
}

TEST(run_table, brief_counts_disturbed_repetitions_and_their_load)
{
	static const char *const reps[] = {
		"{\"index\":0,\"status\":\"ok\",\"ops_per_s\":100,\"wall_s\":0.2,\"other_load_cores\":0.01}",
		"{\"index\":1,\"status\":\"ok\",\"ops_per_s\":60,\"wall_s\":0.2,\"other_load_cores\":0.5,"
		"\"disturbed\":true,\"disturbed_by\":\"other_load\"}",
		"{\"index\":2,\"status\":\"ok\",\"ops_per_s\":101,\"wall_s\":0.2,\"other_load_cores\":0.02}",
		"{\"index\":3,\"status\":\"ok\",\"ops_per_s\":70,\"wall_s\":0.2,\"other_load_cores\":0.3,"
		"\"disturbed\":true,\"disturbed_by\":\"other_load,steal\"}",
		"{\"index\":4,\"status\":\"ok\",\"ops_per_s\":99,\"wall_s\":0.2,\"disturbed\":false}",
	};
	struct cell_brief b;
	struct results_doc *doc;
	brief_of(reps, 5, &b, &doc);
	CHECK_EQ_INT(b.nok, 5);
	CHECK_EQ_INT(b.ndisturbed, 2);
	CHECK_NEAR(b.disturbed_load, 0.4, 1e-12); /* median of 0.5 and 0.3 */
	CHECK(b.primary_n >= 3 && b.primary_n <= 5); /* 3 once the summary leaves them out (branch noise) */
	CHECK(isfinite(b.primary_ci_lo) && b.primary_ci_lo <= b.primary && b.primary <= b.primary_ci_hi);
	CHECK(b.primary_min <= b.primary && b.primary <= b.primary_max);
	results_doc_free(doc);
	static const char *const quiet[] = { "{\"index\":0,\"status\":\"ok\",\"ops_per_s\":100,\"wall_s\":0.2}" };
	brief_of(quiet, 1, &b, &doc); /* a schema 1 repetition: nothing disturbed, load unknown */
	CHECK_EQ_INT(b.nok, 1);
	CHECK_EQ_INT(b.ndisturbed, 0);
	CHECK(isnan(b.disturbed_load));
	CHECK_EQ_INT(b.primary_n, 1);
	results_doc_free(doc);
}

TEST(run_table, a_cell_without_summary_shows_dashes_not_nan)
{
	/* every repetition disturbed: the summary is empty, the cell unstable */
	struct run_table_row r = spin_row("cpu-spin/thread/n=1");
	r.status = "unstable";
	r.n = 0;
	r.nok = r.ndisturbed = 4;
	r.median = r.ci_lo = r.ci_hi = r.min = r.max = r.util_cores = r.wall_s = r.fairness = NAN;
	r.disturbed_load = 1.72;
	char *t = table(&r, 1), l[300];
	line(t, 1, l, sizeof l);
	CHECK(!strstr(l, "nan"));
	CHECK(!strstr(l, "spin units/s")); /* no unit after no number */
	CHECK_CONTAINS(l, "unstable* ");
	const char *p = l + strlen("cpu-spin/thread/n=1 unstable*");
	unsigned dashes = 0;
	for (; *p; p++)
		dashes += *p == '-';
	CHECK_EQ_INT(dashes, 5); /* median, spread, util, wall_s, fair: "-" each */
	CHECK_CONTAINS(t, "unstable, 4 of 4 repetitions disturbed (other load 1.72 cores), left out");
	free(t);
}

TEST(run_table, header_has_units_and_at_most_eight_columns)
{
	struct run_table_row r = spin_row("cpu-spin/thread/n=1");
	r.wall_s = 9.41e-05;
	char *t = table(&r, 1), l[300];
	line(t, 0, l, sizeof l);
	CHECK_CONTAINS(l, "util (cores)");
	CHECK_CONTAINS(l, " wall ");
	CHECK(!strstr(l, "wall_s")); /* the unit is in the value: 94.1 us */
	unsigned cols = 0;
	for (const char *p = l; *p; p++) /* a column starts after a run of 2+ blanks, or at 0 */
		cols += p == l || (p[0] != ' ' && p[-1] == ' ' && p - l >= 2 && p[-2] == ' ');
	CHECK(cols >= 6 && cols <= 8);
	line(t, 1, l, sizeof l);
	CHECK_CONTAINS(l, " 94.1 us ");
	CHECK(!strstr(l, "e-0")); /* no 9.41e-05 anywhere */
	free(t);
}

/* fmt_si_unit: engineering notation with the unit, 3 significant digits, a prefix after
 * rounding; a unit that is not an SI symbol keeps the prefix on the number. */
TEST(run_table, engineering_notation_with_units)
{
	static const struct {
		double v;
		const char *unit, *want;
	} t[] = {
		{ 9.41e-05, "s", "94.1 us" },         { 0.2013, "s", "201 ms" },
		{ 0.2013, "s wall", "201 ms wall" },  { 1.5, "s", "1.5 s" },
		{ 19e-9, "s", "19 ns" },              { 999.6e-6, "s", "1 ms" },
		{ -0.0123, "s", "-12.3 ms" },         { 0, "s", "0 s" },
		{ 874484, "ops/s", "874k ops/s" },    { 1.744e6, "round trips/s", "1.74M round trips/s" },
		{ 999.7, "ops/s", "1k ops/s" },       { 12, NULL, "12" },
		{ 874484, NULL, "874k" },             { 3.2e-3, "cores", "3.2m cores" },
		{ NAN, "s", "-" },                    { INFINITY, "ops/s", "-" },
	};
	char buf[64];
	for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
		fmt_si_unit(t[i].v, t[i].unit, buf, sizeof buf);
		CHECK_STR(buf, t[i].want);
	}
	fmt_si_unit(9.41e-05, "s", buf, 4); /* bounded */
	CHECK_STR(buf, "94.");
	/* a metric by its name's unit suffix */
	static const struct {
		const char *metric;
		double v;
		const char *want;
	} m[] = {
		{ "wall_s", 9.41e-05, "94.1 us" },     { "handoff_ns", 19, "19 ns" },
		{ "spawn_us", 510, "510 us" },         { "ops_per_s", 874484, "874k ops/s" },
		{ "items_per_s", 1.744e6, "1.74M items/s" }, { "util_cores", 1.5, "1.5 cores" },
		{ "mem_delta_kb", 171, "171 kB" },     { "ctx_voluntary", 12, "12" },
	};
	for (size_t i = 0; i < sizeof m / sizeof *m; i++) {
		fmt_metric(m[i].v, m[i].metric, buf, sizeof buf);
		CHECK_STR(buf, m[i].want);
	}
}
