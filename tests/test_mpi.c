/* The mpi driver: workers are ranks of an mpirun job. cpu-spin verifies at 2 and 4 ranks
 * with ops and CPU time from every rank; a crashed or exiting rank fails its cell naming it;
 * a hung rank is failed by the stop grace; no rank and no mpirun is left afterwards; without
 * mpirun a cell is skipped with the reason. The suite skips (saying so) where the driver is
 * unavailable or mpirun is not installed. */
#define _GNU_SOURCE
#include <stdlib.h>
#include <unistd.h>

#include "drivers/driver.h"
#include "drivers/mpi.h"
#include "tests/test.h"
#include "tests/util.h"

#ifndef BENCH_MPI_RANK_BUILD /* built without MPI: every test skips */
#define BENCH_MPI_RANK_BUILD MPI_RANK_EXE
#endif

/* 1 if the driver can run here; else prints why the test is skipped. */
static int mpi_here(void)
{
	char out[256];
	const char *why = NULL;
	if (driver_mpi.unsupported)
		why = driver_mpi.unsupported;
	else if (test_sh(out, sizeof out, "command -v mpirun") != 0)
		why = "mpirun is not installed (openmpi-bin)";
	if (why)
		printf("    skipped: %s\n", why);
	return !why;
}

/* Processes of this build's rank program, and mpirun jobs running it: the ranks die with
 * mpirun (PDEATHSIG), asynchronously, so wait up to 10 s for them to go (a bound on a hang,
 * not a timing). Returns how many are left. */
static int leftovers(void)
{
	char out[4096];
	int n = 0;
	for (int i = 0; i < 100; i++) {
		/* ...ran[k]: the regex does not match the shell that runs pgrep */
		test_sh(out, sizeof out, "pgrep -f '%.*s[%c]' | wc -l", (int)strlen(BENCH_MPI_RANK_BUILD) - 1,
		        BENCH_MPI_RANK_BUILD, BENCH_MPI_RANK_BUILD[strlen(BENCH_MPI_RANK_BUILD) - 1]);
		n = atoi(out);
		if (!n)
			break;
		usleep(100000);
	}
	if (n) {
		test_sh(out, sizeof out, "ps -eo pid,ppid,pgid,stat,args | grep -e mpirun -e bench-mpi-rank | grep -v grep");
		printf("    left over:\n%s", out);
	}
	return n;
}

static json_t *spin(unsigned n, const char *fault, double grace)
{
	char fk[40];
	snprintf(fk, sizeof fk, "fault=%s", fault ? fault : "none");
	return tcell_run(&(struct tcell){ .workload = "cpu-spin", .driver = "mpi", .workers = n, .duration_s = 0.3,
	                                  .stop_grace_s = grace,
	                                  .knobs = { fk, "fault_worker=1", "fault_after_ms=30" } });
}

TEST_T(mpi, cpu_spin_verifies_with_ops_and_cpu_of_every_rank, 300)
{
	if (!mpi_here())
		return;
	for (unsigned n = 2; n <= 4; n += 2) {
		json_t *root = spin(n, NULL, 0);
		json_t *cell = tcell_cell(root);
		if (strcmp(tcell_status(cell), "ok") && strcmp(tcell_status(cell), "unstable"))
			TEST_FAIL("cpu-spin/mpi/n=%u: %s: %s", n, tcell_status(cell), tcell_error(cell));
		json_t *rep = tcell_rep0(cell);
		json_t *ops = json_object_get(rep, "worker_ops"), *cpu = json_object_get(rep, "worker_cpu_s");
		CHECK_EQ_INT(json_array_size(ops), n);
		CHECK_EQ_INT(json_array_size(cpu), n);
		for (unsigned i = 0; i < n; i++) {
			CHECK(json_number_value(json_array_get(ops, i)) > 0);
			CHECK(json_number_value(json_array_get(cpu, i)) > 0);
		}
		json_decref(root);
	}
	CHECK_EQ_INT(leftovers(), 0);
}

TEST_T(mpi, a_crashed_or_exiting_rank_fails_its_cell_and_leaves_nothing, 300)
{
	if (!mpi_here())
		return;
	static const struct { const char *fault, *reason; } f[] = {
		{ "crash", "killed by signal 11" }, { "abort", "killed by signal 6" }, { "exit1", "exited with status 1" } };
	for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
		json_t *root = spin(2, f[i].fault, 10);
		json_t *cell = tcell_cell(root);
		CHECK_STR(tcell_status(cell), "failed");
		CHECK_CONTAINS(tcell_error(cell), "worker 1");
		if (!strcmp(BENCH_SANITIZER, "none")) /* ASan reports a SEGV and exits 1 */
			CHECK_CONTAINS(tcell_error(cell), f[i].reason);
		json_decref(root);
		CHECK_EQ_INT(leftovers(), 0);
	}
	/* the next cell is fine */
	json_t *root = spin(2, NULL, 0);
	CHECK(strcmp(tcell_status(tcell_cell(root)), "failed"));
	json_decref(root);
}

TEST_T(mpi, a_hung_rank_fails_its_cell_and_is_killed, 300)
{
	if (!mpi_here())
		return;
	json_t *root = spin(2, "hang", 0.5);
	json_t *cell = tcell_cell(root);
	CHECK_STR(tcell_status(cell), "failed");
	CHECK_CONTAINS(tcell_error(cell), "did not stop");
	json_decref(root);
	CHECK_EQ_INT(leftovers(), 0);
}

TEST_T(mpi, without_mpirun_the_cell_is_skipped_with_the_reason, 120)
{
	if (driver_mpi.unsupported) {
		printf("    skipped: %s\n", driver_mpi.unsupported);
		return;
	}
	setenv("PATH", "/nonexistent", 1);
	json_t *root = spin(2, NULL, 0);
	json_t *cell = tcell_cell(root);
	CHECK_STR(tcell_status(cell), "skipped");
	CHECK_CONTAINS(tcell_error(cell), "mpirun is not on PATH");
	json_decref(root);
}

/* shared-counter over the messages style under mpi: get/put (MPI_Get, MPI_Put in separate
 * epochs) loses updates, fetch-add (MPI_Fetch_and_op) and lock (exclusive MPI_Win_lock) lose
 * none. A gap between get and put makes the race a certainty, not a matter of timing. */
TEST_T(mpi, shared_counter_rma_none_loses_updates_atomic_and_mutex_none, 300)
{
	if (!mpi_here())
		return;
	static const char *const sync[] = { "sync=none", "sync=atomic", "sync=mutex" };
	for (unsigned i = 0; i < 3; i++) {
		json_t *root = tcell_run(&(struct tcell){ .workload = "shared-counter", .driver = "mpi", .workers = 2,
		                                          .duration_s = 0.3,
		                                          .knobs = { "share=messages", sync[i], "gap_us=20" } });
		json_t *cell = tcell_cell(root);
		if (strcmp(tcell_status(cell), "ok") && strcmp(tcell_status(cell), "unstable"))
			TEST_FAIL("shared-counter/mpi %s: %s: %s", sync[i], tcell_status(cell), tcell_error(cell));
		json_t *rep = tcell_rep0(cell);
		double lost = tcell_num(rep, "lost_updates"), expected = tcell_num(rep, "expected");
		printf("    %s: %.0f of %.0f updates lost\n", sync[i], lost, expected);
		CHECK(expected > 0);
		if (i == 0)
			CHECK(lost > 0);
		else
			CHECK_EQ_INT(lost, 0);
		json_decref(root);
	}
}

/* Every workload enabled under mpi verifies with 2, 4 and 8 ranks (8 oversubscribed here),
 * the messages style where the workload has one. */
TEST_T(mpi, workloads_verify_with_2_4_and_8_ranks, 900)
{
	if (!mpi_here())
		return;
	static const struct { const char *wl, *k0, *k1; } w[] = {
		{ "cpu-spin", NULL, NULL },
		{ "pingpong", "share=messages", NULL },
		{ "shared-counter", "share=messages", "sync=atomic" },
		{ "shared-counter", "share=messages", "sync=mutex" },
		{ "sleep-io", NULL, NULL },
		{ "producer-consumer", "share=messages", NULL },
		{ "producer-consumer", NULL, NULL },
		{ "task-pool", "share=messages", NULL },
		{ "task-pool", NULL, NULL },
	};
	for (size_t i = 0; i < sizeof w / sizeof w[0]; i++)
		for (unsigned n = 2; n <= 8; n *= 2) {
			json_t *root = tcell_run(&(struct tcell){ .workload = w[i].wl, .driver = "mpi", .workers = n,
			                                          .duration_s = 0.2, .knobs = { w[i].k0, w[i].k1 } });
			json_t *cell = tcell_cell(root);
			if (strcmp(tcell_status(cell), "ok") && strcmp(tcell_status(cell), "unstable"))
				TEST_FAIL("%s/mpi n=%u %s %s: %s: %s", w[i].wl, n, w[i].k0 ? w[i].k0 : "",
				          w[i].k1 ? w[i].k1 : "", tcell_status(cell), tcell_error(cell));
			json_decref(root);
		}
	CHECK_EQ_INT(leftovers(), 0);
}

/* SIGINT to bench while an mpi cell runs: exit 130, a valid results file that says so, and
 * no rank or mpirun left (bench kills the cell's group with mpirun in it; the ranks die with
 * mpirun). */
TEST_T(mpi, sigint_during_a_cell_leaves_valid_results_and_no_process, 300)
{
	if (!mpi_here())
		return;
	char dir[] = "/tmp/bench-mpi-XXXXXX", out[4096];
	CHECK(mkdtemp(dir));
	const char *rank = BENCH_MPI_RANK_BUILD;
	size_t n = strlen(rank);
	int rc = test_sh(out, sizeof out,
	                 "'%s' run -d mpi -w cpu-spin -n 2 --duration 3 --reps 5 -o %s/r.json >/dev/null 2>&1 & p=$!; "
	                 "for i in $(seq 300); do pgrep -f '%.*s[%c]' >/dev/null && break; sleep 0.1; done; sleep 0.5; "
	                 "kill -INT $p; wait $p; echo rc=$?",
	                 test_bench_exe(), dir, (int)n - 1, rank, rank[n - 1]);
	CHECK_EQ_INT(rc, 0);
	CHECK_CONTAINS(out, "rc=130");
	char path[300];
	snprintf(path, sizeof path, "%s/r.json", dir);
	json_error_t e;
	json_t *root = json_load_file(path, 0, &e);
	if (!root)
		TEST_FAIL("results after SIGINT: %s", e.text);
	json_t *cell = json_array_get(json_object_get(root, "cells"), 0);
	CHECK_STR(tcell_status(cell), "failed");
	CHECK_CONTAINS(tcell_error(cell), "interrupted");
	json_decref(root);
	unlink(path);
	rmdir(dir);
	CHECK_EQ_INT(leftovers(), 0);
}

/* The messages style under every driver that declares it (over shared memory, or MPI): the
 * hand-off workloads verify, so one figure can compare a queue of messages across the models;
 * a driver without it skips the cell naming the capability. Needs no MPI for the others. */
TEST_T(mpi, messages_style_verifies_under_every_driver_that_has_it, 600)
{
	static const struct { const char *wl, *k1; } w[] = {
		{ "pingpong", NULL }, { "shared-counter", "sync=atomic" }, { "producer-consumer", NULL }, { "task-pool", NULL } };
	unsigned with = 0;
	for (unsigned d = 0; d < driver_count; d++) {
		const struct driver_ops *drv = driver_table[d];
		if (drv->unsupported || (drv == &driver_mpi && !mpi_here()))
			continue;
		for (size_t i = 0; i < sizeof w / sizeof w[0]; i++) {
			json_t *root = tcell_run(&(struct tcell){ .workload = w[i].wl, .drv = drv, .workers = 4, .duration_s = 0.1,
			                                          .knobs = { "share=messages", w[i].k1 } });
			json_t *cell = tcell_cell(root);
			const char *st = tcell_status(cell);
			if (drv->flags & DRIVER_MESSAGES) {
				if (strcmp(st, "ok") && strcmp(st, "unstable"))
					TEST_FAIL("%s/%s share=messages: %s: %s", w[i].wl, drv->name, st, tcell_error(cell));
				with++;
			} else if (!strcmp(st, "skipped")) {
				/* a python driver: no twin at all, or the twin has no messages style */
				CHECK(strstr(tcell_error(cell), "messages") || strstr(tcell_error(cell), "twin") ||
				      strstr(tcell_error(cell), "python"));
			} else
				TEST_FAIL("%s/%s share=messages: %s, expected skipped", w[i].wl, drv->name, st);
			json_decref(root);
		}
	}
	CHECK(with >= 4 * 4); /* thread, process, coroutine, gil at least */
}
