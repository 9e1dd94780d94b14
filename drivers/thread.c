/* thread driver: every worker is a pthread of the cell process, pinned with hwloc; blocking
 * is a private futex. The model of Python threads without a GIL (or of C/Java threads). */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "drivers/driver.h"
#include "drivers/osdrv.h"

static int thread_init(struct run *r)
{
	return osdrv_init(r, 0, sizeof(pthread_t));
}

static void *thread_entry(void *arg)
{
	struct task *t = arg;
	int rc = osdrv_bind_worker(t, 0);
	if (rc) {
		/* Still take part in the gate protocol so the runner sees this worker finish. */
		snprintf(t->slot->err, sizeof t->slot->err, "binding to PU %d failed: %s",
		         t->run->pus[t->id], strerror(-rc));
	}
	rc = task_main(t);
	return (void *)(intptr_t)rc;
}

static int thread_spawn(struct run *r, struct task *t)
{
	return osdrv_thread_spawn(r, t, thread_entry);
}

const struct driver_ops driver_thread = {
	.name = "thread",
	.summary = "one pthread per worker, pinned with hwloc, private futexes",
	.version = DRIVER_API_VERSION,
	.flags = DRIVER_SHARED_AS | DRIVER_PARALLEL | DRIVER_INHERIT_FDS | DRIVER_MESSAGES,
	.knobs = osdrv_knobs,
	.model = DRIVER_MODEL_THREADS,
	.color = "#1f77b4",
	.init = thread_init,
	.shm_alloc = osdrv_shm_alloc,
	.spawn = thread_spawn,
	.start = osdrv_start,
	.stop = osdrv_stop,
	.join = osdrv_thread_join,
	.cleanup = osdrv_cleanup,
	.checkpoint = osdrv_checkpoint,
	.yield = osdrv_yield,
	.sleep_ns = osdrv_sleep_ns,
	.wait = osdrv_wait,
	.wake = osdrv_wake,
	.wait_fd = osdrv_wait_fd,
};
