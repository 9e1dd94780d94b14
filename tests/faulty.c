/* Faulty test workloads and the late-worker driver (see faulty.h). */
#define _GNU_SOURCE
#include "tests/faulty.h"

#include <signal.h>
#include <unistd.h>

#include "drivers/driver.h"
#include "bench/core/opt.h"
#include "workloads/workload.h"

static int crash_run(struct task *t)
{
	if (t->id == 1)
		raise(SIGSEGV);
	while (!task_should_stop(t)) {
		task_ops(t, 1);
		task_sleep_ns(t, 1000000);
	}
	return 0;
}
const struct workload faulty_crash = { .name = "test-crash", .summary = "worker 1 segfaults",
	                               .version = WORKLOAD_API_VERSION, .min_workers = 2,
	                               .primary_metric = "ops_per_s", .run = crash_run };

static const struct knob fail_knobs[] = {
	{ "fail_worker", KNOB_INT, "0", 0, TASK_MAX_WORKERS - 1, NULL, "the worker that fails" },
	{ 0 }
};
static int fail_run(struct task *t)
{
	if (t->id == (unsigned)run_knob_int(t->run, "fail_worker"))
		return task_fail(t, "deliberate failure %d", 42);
	while (!task_should_stop(t))
		task_sleep_ns(t, 1000000);
	return 0;
}
const struct workload faulty_fail = { .name = "test-fail", .summary = "worker fail_worker returns an error",
	                              .version = WORKLOAD_API_VERSION, .min_workers = 1, .knobs = fail_knobs,
	                              .primary_metric = "ops_per_s", .run = fail_run };

static int hang_run(struct task *t)
{
	for (;;) /* ignores stop and never reaches a checkpoint: a hung worker */
		task_ops(t, 1);
	return 0;
}
const struct workload faulty_hang = { .name = "test-hang", .summary = "never stops",
	                              .version = WORKLOAD_API_VERSION, .min_workers = 1,
	                              .primary_metric = "ops_per_s", .run = hang_run };

static int verify_fail(struct run *r)
{
	return run_fail(r, "invariant broken on purpose");
}
static int spin_stop_run(struct task *t)
{
	while (!task_should_stop(t)) {
		task_ops(t, 1);
		task_checkpoint(t);
	}
	return 0;
}
const struct workload faulty_verify = { .name = "test-verify", .summary = "verify fails",
	                                .version = WORKLOAD_API_VERSION, .min_workers = 1,
	                                .primary_metric = "ops_per_s", .run = spin_stop_run,
	                                .verify = verify_fail };

/* ---- the late worker ---- */

static unsigned late_id;
static _Atomic int late_parked;

static int late_wait(struct task *t, _Atomic unsigned *word, unsigned expected, uint64_t timeout_ns)
{
	if (word == &t->run->sh->gate && t->id == late_id) {
		atomic_store(&late_parked, 1);
		while (!atomic_load(t->stop))
			usleep(1000);
		return 0;
	}
	return driver_thread.wait(t, word, expected, timeout_ns);
}

static int late_start(struct run *r)
{
	while (!atomic_load(&late_parked))
		usleep(1000);
	return driver_thread.start(r);
}

const struct driver_ops *faulty_late_driver(unsigned id)
{
	static struct driver_ops late;
	late = driver_thread;
	late.wait = late_wait;
	late.start = late_start;
	late_id = id;
	atomic_store(&late_parked, 0);
	return &late;
}
