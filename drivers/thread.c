/* thread driver: every worker is a pthread of the cell process, pinned with hwloc; blocking
 * is a private futex. The model of Python threads without a GIL (or of C/Java threads). */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "driver.h"
#include "osdrv.h"

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
	struct osdrv *d = r->drv_priv;
	pthread_attr_t a;
	pthread_attr_init(&a);
	/* Small stacks so thousands of waiting workers fit; sanitizers need more. */
	pthread_attr_setstacksize(&a, strcmp(BENCH_SANITIZER, "none") ? 1u << 20 : 256u << 10);
	int rc = pthread_create(&((pthread_t *)d->handles)[t->id], &a, thread_entry, t);
	pthread_attr_destroy(&a);
	if (rc)
		return -rc;
	d->spawned++;
	return 0;
}

static int thread_join(struct run *r)
{
	struct osdrv *d = r->drv_priv;
	int failed = 0;
	for (unsigned i = 0; i < d->spawned; i++) {
		void *ret;
		pthread_join(((pthread_t *)d->handles)[i], &ret);
		if ((intptr_t)ret != 0 && !failed) {
			failed = 1;
			snprintf(r->err, sizeof r->err, "worker %u failed: %s", i, r->sh->slot[i].err);
		}
	}
	d->spawned = 0;
	return failed ? -1 : 0;
}

const struct driver_ops driver_thread = {
	.name = "thread",
	.summary = "one pthread per worker, pinned with hwloc, private futexes",
	.version = DRIVER_API_VERSION,
	.flags = DRIVER_SHARED_AS | DRIVER_PARALLEL,
	.init = thread_init,
	.shm_alloc = osdrv_shm_alloc,
	.spawn = thread_spawn,
	.start = osdrv_start,
	.stop = osdrv_stop,
	.join = thread_join,
	.cleanup = osdrv_cleanup,
	.checkpoint = osdrv_checkpoint,
	.yield = osdrv_yield,
	.sleep_ns = osdrv_sleep_ns,
	.wait = osdrv_wait,
	.wake = osdrv_wake,
};
