/* The python drivers (py-thread, py-process, py-asyncio): each Python twin verifies like its C
 * twin, a mode without a Python counterpart and a missing interpreter skip the cell with the
 * reason, a failing Python worker (an exception, a segfault) fails only its cell; and the gil
 * driver's python_version decides whether `x += 1` can lose updates without a blocking gap.
 * Tests use the default python3 and skip (saying so) when there is none. */
#define _GNU_SOURCE
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "drivers/driver.h"
#include "drivers/python.h"
#include "plot/fidelity.h"
#include "tests/test.h"
#include "tests/util.h"

/* 1 if python3 is on PATH; else prints why the test is skipped. */
static int have_python(void)
{
	char path[PATH_MAX], why[300];
	if (python_find("python3", path, sizeof path, why, sizeof why) == 0)
		return 1;
	printf("    skipped: %s\n", why);
	return 0;
}

static json_t *py_cell(json_t **root, const char *wl, const char *drv, unsigned n, double dur, const char *k0,
                       const char *k1, const char *k2)
{
	*root = tcell_run(&(struct tcell){ .workload = wl, .driver = drv, .workers = n, .duration_s = dur,
	                                   .timeout_s = 30, .knobs = { k0, k1, k2 } });
	return tcell_cell(*root);
}

static void expect_status(json_t *cell, const char *want, const char *needle)
{
	if (strcmp(tcell_status(cell), want))
		TEST_FAIL("status %s (%s), expected %s", tcell_status(cell), tcell_error(cell), want);
	if (needle)
		CHECK_CONTAINS(tcell_error(cell), needle);
}

TEST(python, unavailable_without_an_interpreter)
{
	json_t *root;
	json_t *cell = py_cell(&root, "cpu-spin", "py-thread", 1, 0.05, "python=no-such-python-here", NULL, NULL);
	expect_status(cell, "skipped", "no python interpreter: 'no-such-python-here' is not on PATH");
	json_decref(root);
	setenv("PATH", "", 1); /* this test's own process: the default python3 is nowhere */
	cell = py_cell(&root, "shared-counter", "py-process", 2, 0.05, NULL, NULL, NULL);
	expect_status(cell, "skipped", "'python3' is not on PATH");
	json_decref(root);
	cell = py_cell(&root, "shared-counter", "py-thread", 2, 0.05, "python=3.0", NULL, NULL);
	expect_status(cell, "skipped", "nor in pyenv");
	json_decref(root);
}

/* An interpreter too old for the harness (a fake one here, saying it is 2.7) is unavailable. */
TEST(python, an_old_interpreter_is_unavailable)
{
	char dir[] = "/tmp/bench-oldpy-XXXXXX", path[PATH_MAX], env[PATH_MAX + 8];
	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof path, "%s/python-old", dir);
	FILE *f = fopen(path, "w");
	CHECK(f != NULL);
	fputs("#!/bin/sh\necho 2 7\n", f);
	fclose(f);
	chmod(path, 0755);
	snprintf(env, sizeof env, "%s:%s", dir, getenv("PATH") ? getenv("PATH") : "");
	setenv("PATH", env, 1);
	json_t *root;
	expect_status(py_cell(&root, "cpu-spin", "py-thread", 1, 0.05, "python=python-old", NULL, NULL), "skipped",
	              "is Python 2.7; the harness needs 3.7 or later");
	json_decref(root);
	unlink(path);
	rmdir(dir);
}

/* Modes with no Python counterpart, and workloads without a twin, are skipped with the reason. */
TEST(python, modes_without_a_counterpart_are_skipped)
{
	if (!have_python())
		return;
	json_t *root;
	expect_status(py_cell(&root, "shared-counter", "py-thread", 2, 0.05, "sync=atomic", NULL, NULL), "skipped",
	              "sync=atomic has no Python counterpart");
	json_decref(root);
	expect_status(py_cell(&root, "producer-consumer", "py-asyncio", 2, 0.05, "queue=pipe", NULL, NULL), "skipped",
	              "queue=pipe has no Python counterpart under py-asyncio");
	json_decref(root);
	expect_status(py_cell(&root, "task-pool", "py-process", 2, 0.05, NULL, NULL, NULL), "skipped",
	              "task-pool has no Python twin");
	json_decref(root);
}

/* shared-counter: the C check (shared_counter_check) on the twin's figures: a lock loses
 * nothing, and the harness's ops are the workers' increments; with a blocking gap between
 * read and write, sync=none loses updates under every interpreter. */
TEST_T(python, shared_counter_verifies_like_its_c_twin, 120)
{
	if (!have_python())
		return;
	static const char *const drivers[] = { "py-thread", "py-process", "py-asyncio" };
	for (unsigned d = 0; d < 3; d++) {
		json_t *root;
		json_t *rep = tcell_rep0(py_cell(&root, "shared-counter", drivers[d], 2, 0.1, "sync=mutex", NULL, NULL));
		CHECK(tcell_num(rep, "expected") > 0);
		CHECK_EQ_INT(tcell_num(rep, "lost_updates"), 0);
		CHECK_EQ_INT(tcell_num(rep, "ops"), tcell_num(rep, "expected"));
		CHECK(tcell_num(rep, "py_version") >= 300);
		json_decref(root);
		rep = tcell_rep0(py_cell(&root, "shared-counter", drivers[d], 2, 0.1, "sync=local", "gap_us=100", NULL));
		CHECK_EQ_INT(tcell_num(rep, "lost_updates"), 0);
		json_decref(root);
		rep = tcell_rep0(py_cell(&root, "shared-counter", drivers[d], 2, 0.1, "sync=none", "gap_us=200", NULL));
		CHECK(tcell_num(rep, "lost_updates") > 0);
		CHECK(tcell_num(rep, "final") < tcell_num(rep, "expected"));
		json_decref(root);
	}
}

/* The check the twin's figures go through can fail: a made-up report of more increments than
 * were counted, and a cpu-spin state that the C unit does not give. */
TEST(python, the_c_checks_fail_on_wrong_figures)
{
	static struct py_run p;
	struct run_shared *sh = calloc(1, sizeof *sh + sizeof(struct task_slot));
	struct knobset ks = { 0 };
	CHECK(opt_defaults(&ks, workload_find("shared-counter")->knobs) == 0);
	struct run r = { .wl = workload_find("shared-counter"), .nworkers = 1, .sh = sh, .knobs = &ks };
	atomic_store(&sh->slot[0].ops, 100);
	p.nvalues = 2;
	p.values[0] = (struct py_value){ "expected", "100", 1 };
	p.values[1] = (struct py_value){ "final", "100", 1 };
	CHECK_EQ_INT(python_twin_find("shared-counter")->check(&r, &p), 0);
	snprintf(p.values[1].text, sizeof p.values[1].text, "101");
	CHECK(python_twin_find("shared-counter")->check(&r, &p) < 0);
	CHECK_CONTAINS(r.err, "more than were made");
	snprintf(p.values[0].text, sizeof p.values[0].text, "99"); /* the harness counted 100 */
	CHECK(python_twin_find("shared-counter")->check(&r, &p) < 0);
	CHECK_CONTAINS(r.err, "bookkeeping");

	struct knobset ks2 = { 0 };
	CHECK(opt_defaults(&ks2, workload_find("cpu-spin")->knobs) == 0);
	r.wl = workload_find("cpu-spin");
	r.knobs = &ks2;
	p.values[0] = (struct py_value){ "iters_per_op", "600", 1 };
	p.values[1] = (struct py_value){ "snap.0", "0x1234", 0 };
	CHECK(python_twin_find("cpu-spin")->check(&r, &p) < 0);
	CHECK_CONTAINS(r.err, "the C unit gives");
	free(sh);
}

/* cpu-spin: the Python unit gives the C unit's state after 64 ops (checked in C), and one
 * interpreter's threads use about one core between them while processes use more. */
TEST_T(python, cpu_spin_state_matches_the_c_unit, 120)
{
	if (!have_python())
		return;
	static const char *const drivers[] = { "py-thread", "py-process", "py-asyncio" };
	for (unsigned d = 0; d < 3; d++) {
		json_t *root;
		json_t *rep = tcell_rep0(py_cell(&root, "cpu-spin", drivers[d], 2, 0.3, "iters=60", NULL, NULL));
		CHECK(tcell_num(rep, "ops") >= 64);
		CHECK_EQ_INT(tcell_num(rep, "iters_per_op"), 60);
		json_decref(root);
	}
}

/* producer-consumer: exactly once, checked in C from the twin's per-producer count and
 * checksum; the injected defects are caught. */
TEST_T(python, producer_consumer_exactly_once, 180)
{
	if (!have_python())
		return;
	static const char *const drivers[] = { "py-thread", "py-process", "py-asyncio" };
	for (unsigned d = 0; d < 3; d++) {
		json_t *root;
		json_t *rep = tcell_rep0(py_cell(&root, "producer-consumer", drivers[d], 3, 0.1, "capacity=4", NULL, NULL));
		CHECK(tcell_num(rep, "items") > 0);
		CHECK_EQ_INT(tcell_num(rep, "ops"), tcell_num(rep, "items"));
		/* multiprocessing.Queue's feeder thread is found as the producer process's helper:
		 * its CPU explains the run delay it causes (interference.h) */
		if (!strcmp(drivers[d], "py-process"))
			CHECK(tcell_num(rep, "helper_cpu_s") > 0);
		json_decref(root);
		expect_status(py_cell(&root, "producer-consumer", drivers[d], 2, 0.1, "defect=lose", NULL, NULL), "failed",
		              "consumed (checksum");
		json_decref(root);
		expect_status(py_cell(&root, "producer-consumer", drivers[d], 2, 0.1, "defect=dup", NULL, NULL), "failed",
		              "consumed (checksum");
		json_decref(root);
		expect_status(py_cell(&root, "producer-consumer", drivers[d], 2, 0.1, "defect=reorder", NULL, NULL),
		              "failed", "out of FIFO order");
		json_decref(root);
	}
	json_t *root;
	tcell_rep0(py_cell(&root, "producer-consumer", "py-thread", 2, 0.1, "queue=pipe", NULL, NULL));
	json_decref(root);
}

/* sleep-io: the C check on the twin's tally: every wait done and none early, the limiter's
 * rounds; with a spinner beside the waiter too. */
TEST_T(python, sleep_io_verifies_like_its_c_twin, 120)
{
	if (!have_python())
		return;
	static const char *const drivers[] = { "py-thread", "py-process", "py-asyncio" };
	for (unsigned d = 0; d < 3; d++) {
		json_t *root;
		json_t *rep = tcell_rep0(py_cell(&root, "sleep-io", drivers[d], 4, 0.05, "limit=2", "count=5", "wait_us=2000"));
		CHECK(tcell_num(rep, "rounds") >= 2);
		CHECK(tcell_num(rep, "max_inside") <= 2);
		CHECK_EQ_INT(tcell_num(rep, "ops"), 20);
		json_decref(root);
	}
	json_t *root;
	json_t *rep = tcell_rep0(py_cell(&root, "sleep-io", "py-thread", 2, 0.05, "spinners=1", "count=20", "wait_us=100"));
	CHECK_EQ_INT(tcell_num(rep, "spinners"), 1);
	CHECK_EQ_INT(tcell_num(rep, "ops"), 20); /* the waiter's; the spinner counts none */
	json_decref(root);
}

/* A Python exception in one worker, and a segfault (ctypes) in the interpreter or in one worker
 * process, fail that cell only: the next cell of the same driver passes, nothing is left over. */
TEST_T(python, a_crashing_worker_fails_only_its_cell, 120)
{
	if (!have_python())
		return;
	json_t *root;
	expect_status(py_cell(&root, "cpu-spin", "py-thread", 2, 0.2, "py_raise=1", NULL, NULL), "failed",
	              "worker 1 failed: RuntimeError");
	json_decref(root);
	expect_status(py_cell(&root, "shared-counter", "py-process", 2, 0.2, "py_raise=0", NULL, NULL), "failed",
	              "worker 0 failed: RuntimeError");
	json_decref(root);
	expect_status(py_cell(&root, "cpu-spin", "py-thread", 2, 0.5, "fault=crash", "fault_after_ms=50", NULL), "failed",
	              "killed by signal 11");
	json_decref(root);
	expect_status(py_cell(&root, "cpu-spin", "py-process", 2, 0.5, "fault=crash", "fault_worker=1", NULL), "failed",
	              "worker 1 failed: worker process");
	json_decref(root);
	expect_status(py_cell(&root, "cpu-spin", "py-process", 2, 0.1, NULL, NULL, NULL), "ok", NULL);
	json_decref(root);
	CHECK_EQ_INT(tcount_children(), 0);
}

/* The gil driver's interpreter generation: before 3.10 the eval breaker can cut `x += 1`
 * between its load and its store, from 3.10 it cannot (no blocking gap: nothing lost). */
TEST_T(python, gil_python_version_decides_lost_updates, 120)
{
	json_t *root;
	json_t *rep = tcell_rep0(py_cell(&root, "shared-counter", "gil", 2, 0.3, "python_version=3.9", NULL, NULL));
	CHECK(tcell_num(rep, "lost_updates") > 0);
	json_decref(root);
	rep = tcell_rep0(py_cell(&root, "shared-counter", "gil", 2, 0.3, "python_version=3.12", NULL, NULL));
	CHECK_EQ_INT(tcell_num(rep, "lost_updates"), 0);
	CHECK(tcell_num(rep, "expected") > 0);
	json_decref(root);
	rep = tcell_rep0(py_cell(&root, "shared-counter", "gil", 2, 0.1, "gap_us=200", NULL, NULL)); /* default: 3.13 */
	CHECK(tcell_num(rep, "lost_updates") > 0);
	json_decref(root);
}

/* ---- the fidelity table (plot/fidelity.c), on synthetic results files ---- */

static json_t *with_version(json_t *cell, const char *v)
{
	json_object_set_new(json_object_get(cell, "knobs"), "python_version", json_string(v));
	return cell;
}

static const struct fidelity_row *row_of(const struct fidelity_row *rows, unsigned n, const char *figure,
                                         const char *real_has)
{
	for (unsigned i = 0; i < n; i++)
		if (strstr(rows[i].figure, figure) && strstr(rows[i].real_cell, real_has))
			return &rows[i];
	TEST_FAIL("no fidelity row '%s' for a real cell with '%s'", figure, real_has);
	return NULL;
}

/* Each row against its mark (1.5x; 10 points for a lost fraction), and the lost fraction of a
 * CPython paired with the gil cell that models its version, not another one. */
TEST(python, fidelity_rows_pair_and_mark)
{
	json_t *d = syn_new(2);
	syn_cell(d, "cpu-spin", "gil", 2, "iters=600", "util_cores=0.98");
	syn_cell(d, "cpu-spin", "py-thread", 2, "iters=600", "util_cores=0.96 py_version=311");
	syn_cell(d, "sleep-io", "gil", 2, "spinners=1 count=200 wait_us=100", "waiter_wall_s=1.0");
	syn_cell(d, "sleep-io", "py-thread", 2, "spinners=1 count=200 wait_us=100", "waiter_wall_s=0.6");
	with_version(syn_cell(d, "shared-counter", "gil", 2, "sync=none gap_us=0", "lost_fraction=0.0"), "3.11");
	with_version(syn_cell(d, "shared-counter", "gil", 2, "sync=none gap_us=0", "lost_fraction=0.28"), "3.9");
	syn_cell(d, "shared-counter", "py-thread", 2, "sync=none gap_us=0 python=python3", "lost_fraction=0 py_version=311");
	syn_cell(d, "shared-counter", "py-thread", 2, "sync=none gap_us=0 python=3.9", "lost_fraction=0.26 py_version=309");
	with_version(syn_cell(d, "shared-counter", "gil", 2, "sync=none gap_us=100", "lost_fraction=0.30"), "3.11");
	syn_cell(d, "shared-counter", "py-thread", 2, "sync=none gap_us=100", "lost_fraction=0.50 py_version=311");
	syn_cell(d, "producer-consumer", "gil", 2, "queue=lock", "ops_per_s=100000");
	syn_cell(d, "producer-consumer", "process", 2, "queue=pipe", "ops_per_s=50000");
	syn_cell(d, "producer-consumer", "py-thread", 2, "queue=lock", "ops_per_s=110000");
	syn_cell(d, "producer-consumer", "py-process", 2, "queue=lock", "ops_per_s=40000");
	struct results_file *f = syn_load(d);
	struct fidelity_row rows[FIDELITY_ROWS_MAX];
	unsigned n = fidelity_rows(f, rows, FIDELITY_ROWS_MAX);
	const struct fidelity_row *r = row_of(rows, n, "cpu-spin", "py-thread");
	CHECK(r->mark == FIDELITY_PASS);
	CHECK_NEAR(r->ratio, 0.98 / 0.96, 1e-9);
	r = row_of(rows, n, "1 spinner", "py-thread");
	CHECK(r->mark == FIDELITY_FAIL); /* 5 ms against 3 ms a wait: 1.67x */
	CHECK_NEAR(r->sim, 0.005, 1e-12);
	r = row_of(rows, n, "gap 0", "CPython 3.9");
	CHECK(r->mark == FIDELITY_PASS);
	CHECK_CONTAINS(r->sim_cell, "CPython 3.9");
	r = row_of(rows, n, "gap 0", "CPython 3.11");
	CHECK(r->mark == FIDELITY_PASS);
	CHECK_CONTAINS(r->sim_cell, "CPython 3.11");
	r = row_of(rows, n, "gap > 0", "py-thread");
	CHECK(r->mark == FIDELITY_FAIL); /* 30% against 50%: 20 points apart */
	r = row_of(rows, n, "2 spinners", "");
	CHECK(r->mark == FIDELITY_NOT_MEASURED);
	r = row_of(rows, n, "producer-consumer", "py-process");
	CHECK(r->mark == FIDELITY_PASS);
	CHECK_NEAR(r->ratio, 2.0 / 2.75, 1e-9);
	char *buf = NULL;
	size_t len = 0;
	FILE *o = open_memstream(&buf, &len);
	fidelity_section(o, f);
	fclose(o);
	CHECK_CONTAINS(buf, "## Fidelity");
	CHECK_CONTAINS(buf, "| **fail**");
	free(buf);
	results_file_free(f);
}

/* No python driver's cell: no section (a file of simulated drivers reads as before). */
TEST(python, no_fidelity_section_without_a_python_cell)
{
	json_t *d = syn_new(2);
	syn_cell(d, "cpu-spin", "gil", 2, "iters=600", "util_cores=0.98");
	struct results_file *f = syn_load(d);
	char *buf = NULL;
	size_t len = 0;
	FILE *o = open_memstream(&buf, &len);
	fidelity_section(o, f);
	fclose(o);
	CHECK_EQ_INT(len, 0);
	free(buf);
	results_file_free(f);
}

/* -O python= takes a word (a command or a version), never a path (knob values go into results
 * files, whose loader accepts only a word's characters); distinct words stay distinct values
 * (bench run drops a value equal to an earlier one). */
TEST(python, the_python_knob_is_a_word)
{
	const struct knob *k = opt_find(driver_find("py-thread")->knobs, "python");
	struct knobval a, b;
	char err[200];
	CHECK(k != NULL);
	CHECK(opt_parse_value(k, "/usr/bin/python3", &a, err, sizeof err) < 0);
	CHECK_CONTAINS(err, "knob python: '/usr/bin/python3' is not a word");
	CHECK(opt_parse_value(k, "", &a, err, sizeof err) < 0);
	CHECK_EQ_INT(opt_parse_value(k, "python3.12", &a, err, sizeof err), 0);
	CHECK_STR(a.text, "python3.12");
	CHECK_EQ_INT(opt_parse_value(k, "3.9", &b, err, sizeof err), 0);
	CHECK(a.num != b.num);
	CHECK_EQ_INT(opt_parse_value(k, "python3.12", &b, err, sizeof err), 0);
	CHECK(a.num == b.num);
}

/* pingpong (mode=wait): strict alternation checked by the twin, caught when broken; spin has no
 * Python counterpart. */
TEST_T(python, pingpong_alternates, 120)
{
	if (!have_python())
		return;
	static const char *const drivers[] = { "py-thread", "py-process", "py-asyncio" };
	for (unsigned d = 0; d < 3; d++) {
		json_t *root;
		json_t *rep = tcell_rep0(py_cell(&root, "pingpong", drivers[d], 3, 0.1, NULL, NULL, NULL));
		CHECK_EQ_INT(tcell_num(rep, "pairs"), 1);
		CHECK(tcell_num(rep, "handoff_ns") > 0);
		json_decref(root);
		expect_status(py_cell(&root, "pingpong", drivers[d], 2, 0.1, "defect=skip", NULL, NULL), "failed",
		              "out of alternation");
		json_decref(root);
	}
	json_t *root;
	expect_status(py_cell(&root, "pingpong", "py-thread", 2, 0.1, "mode=spin", NULL, NULL), "skipped",
	              "mode=spin has no Python counterpart");
	json_decref(root);
}

/* An unstable cell (too many disturbed repetitions) gives its figures but no verdict. */
TEST(python, fidelity_row_of_an_unstable_cell_is_unreliable)
{
	json_t *d = syn_new(2);
	syn_cell(d, "cpu-spin", "gil", 2, "iters=600", "util_cores=0.98");
	syn_status(syn_cell(d, "cpu-spin", "py-thread", 2, "iters=600", "util_cores=0.5 py_version=311"), "unstable",
	           "too many repetitions were disturbed");
	struct results_file *f = syn_load(d);
	struct fidelity_row rows[FIDELITY_ROWS_MAX];
	unsigned n = fidelity_rows(f, rows, FIDELITY_ROWS_MAX);
	const struct fidelity_row *r = row_of(rows, n, "cpu-spin", "py-thread");
	CHECK(r->mark == FIDELITY_UNRELIABLE); /* 1.96x apart: would fail */
	CHECK_NEAR(r->real, 0.5, 1e-12);
	results_file_free(f);
}
