/* Fault injection (-O fault=...) under every OS driver: the cell fails with a clear reason,
 * the next cell runs, and no OS object leaks: children, threads, fds, /dev/shm entries. */
#define _GNU_SOURCE
#include <dirent.h>
#include <unistd.h>

#include "drivers/driver.h"
#include "tests/test.h"
#include "tests/util.h"

static int count_dir(const char *path)
{
	DIR *d = opendir(path);
	int n = 0;
	struct dirent *e;
	while (d && (e = readdir(d)))
		n += e->d_name[0] != '.';
	if (d)
		closedir(d);
	return n;
}

/* /dev/shm is the machine's, not the test's: other jobs (Open MPI's segments, Python's
 * multiprocessing) add and remove entries while the test runs (a fresh-clone CI run beside
 * them saw 42 -> 44). A leak is an entry that appeared during the test and that no process
 * has open or mapped: what a killed cell would leave behind. */
#define SHM_MAX 4096
struct shm_names { unsigned n; char name[SHM_MAX][64]; };

static void shm_list(struct shm_names *s)
{
	DIR *d = opendir("/dev/shm");
	struct dirent *e;
	s->n = 0;
	while (d && (e = readdir(d)) && s->n < SHM_MAX)
		if (e->d_name[0] != '.')
			snprintf(s->name[s->n++], sizeof s->name[0], "%s", e->d_name);
	if (d)
		closedir(d);
}

/* Some process maps /dev/shm/NAME or has it open. */
static int shm_in_use(const char *name)
{
	char want[128], path[300], line[512], link[300];
	snprintf(want, sizeof want, "/dev/shm/%s", name);
	DIR *proc = opendir("/proc");
	struct dirent *p;
	int used = 0;
	while (!used && proc && (p = readdir(proc))) {
		if (p->d_name[0] < '1' || p->d_name[0] > '9')
			continue;
		snprintf(path, sizeof path, "/proc/%s/maps", p->d_name);
		FILE *f = fopen(path, "r");
		while (f && !used && fgets(line, sizeof line, f))
			used = strstr(line, want) != NULL;
		if (f)
			fclose(f);
		snprintf(path, sizeof path, "/proc/%s/fd", p->d_name);
		DIR *fds = opendir(path);
		struct dirent *fd;
		while (!used && fds && (fd = readdir(fds))) {
			char fdp[600];
			snprintf(fdp, sizeof fdp, "%s/%s", path, fd->d_name);
			ssize_t k = readlink(fdp, link, sizeof link - 1);
			if (k > 0) {
				link[k] = 0;
				used = !strcmp(link, want);
			}
		}
		if (fds)
			closedir(fds);
	}
	if (proc)
		closedir(proc);
	return used;
}

/* Entries of now that are not in before and that nobody uses. */
static unsigned shm_leaked(const struct shm_names *before, const struct shm_names *now)
{
	unsigned leaked = 0;
	for (unsigned i = 0; i < now->n; i++) {
		int old = 0;
		for (unsigned j = 0; j < before->n && !old; j++)
			old = !strcmp(now->name[i], before->name[j]);
		if (!old && !shm_in_use(now->name[i])) {
			fprintf(stderr, "    /dev/shm/%s appeared and nobody uses it\n", now->name[i]);
			leaked++;
		}
	}
	return leaked;
}

struct census { int children, threads, fds; };

static struct census census(void)
{
	return (struct census){ tcount_children(), count_dir("/proc/self/task"), count_dir("/proc/self/fd") };
}

static const struct { const char *fault, *reason, *thread_reason; } faults[] = {
	{ "crash", "killed by signal 11", "killed by signal 11" },
	{ "abort", "killed by signal 6", "killed by signal 6" },
	{ "hang", "did not stop", "did not stop" },
	{ "exit1", "exited with status 1", "exited with status 1" },
	{ "oom", "killed by signal 9", "killed by signal 9" },
};

static void run_faults(const char *driver)
{
	int plain = !strcmp(BENCH_SANITIZER, "none");
	static struct shm_names shm_before, shm_after;
	shm_list(&shm_before);
	struct census before = census();
	for (size_t i = 0; i < sizeof faults / sizeof faults[0]; i++) {
		char fk[32];
		snprintf(fk, sizeof fk, "fault=%s", faults[i].fault);
		/* A short grace only for the hang; a crashing worker may take a while to die (an ASan
		 * report, the OOM fault touching 256 MiB on a loaded machine). */
		int hang = !strcmp(faults[i].fault, "hang");
		json_t *root = tcell_run(&(struct tcell){ .workload = "cpu-spin", .driver = driver, .workers = 2,
		                                          .duration_s = 0.2, .reps = 2, .stop_grace_s = hang ? 0.5 : 10,
		                                          .knobs = { fk, "fault_worker=0", "fault_after_ms=20" } });
		json_t *cell = tcell_cell(root);
		CHECK_STR(tcell_status(cell), "failed");
		if (plain || hang)
			CHECK_CONTAINS(tcell_error(cell), strcmp(driver, "process") ? faults[i].thread_reason : faults[i].reason);
		if (!strcmp(driver, "process") && !hang)
			CHECK_CONTAINS(tcell_error(cell), "worker 0");
		json_decref(root);
		/* the run goes on: the next cell is fine */
		root = tcell_run(&(struct tcell){ .workload = "cpu-spin", .driver = driver, .workers = 2, .duration_s = 0.05 });
		CHECK_STR(tcell_status(tcell_cell(root)), "ok");
		json_decref(root);
	}
	struct census after = census();
	CHECK_EQ_INT(after.children, 0);
	CHECK_EQ_INT(after.children, before.children);
	CHECK_EQ_INT(after.threads, before.threads);
	CHECK_EQ_INT(after.fds, before.fds);
	shm_list(&shm_after);
	CHECK_EQ_INT(shm_leaked(&shm_before, &shm_after), 0);
}

TEST_T(faults, every_fault_under_thread, 120) { run_faults("thread"); }
TEST_T(faults, every_fault_under_process, 120) { run_faults("process"); }
TEST_T(faults, every_fault_under_coroutine, 120) { run_faults("coroutine"); }
TEST_T(faults, every_fault_under_gil, 120) { run_faults("gil"); }

/* A coroutine that never runs (run-until-block, worker 0 spins) cannot perform its fault:
 * the cell is ok and says the fault was not delivered. */
TEST(faults, starved_worker_reports_fault_not_delivered)
{
	json_t *root = tcell_run(&(struct tcell){ .workload = "cpu-spin", .driver = "coroutine", .workers = 2,
	                                          .duration_s = 0.1,
	                                          .knobs = { "fault=crash", "fault_worker=1", "fault_after_ms=10" } });
	json_t *cell = tcell_cell(root);
	CHECK_STR(tcell_status(cell), "ok");
	CHECK_NEAR(tcell_median(cell, "fault_delivered"), 0, 0);
	json_decref(root);
}

TEST(faults, fault_worker_out_of_range_fails_clearly)
{
	json_t *root = tcell_run(&(struct tcell){ .workload = "cpu-spin", .driver = "thread", .workers = 2,
	                                          .knobs = { "fault=crash", "fault_worker=5" } });
	CHECK_STR(tcell_status(tcell_cell(root)), "failed");
	CHECK_CONTAINS(tcell_error(tcell_cell(root)), "fault_worker 5 does not exist");
	json_decref(root);
}

TEST(faults, no_fault_is_a_clean_run)
{
	json_t *root = tcell_run(&(struct tcell){ .workload = "cpu-spin", .driver = "process", .workers = 2,
	                                          .knobs = { "fault=none", "fault_worker=1" } });
	CHECK_STR(tcell_status(tcell_cell(root)), "ok");
	json_decref(root);
}
