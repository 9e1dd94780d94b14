/* process driver: every worker is a forked process, pinned with hwloc; all shared state is
 * MAP_SHARED anonymous memory mapped before fork, blocking is a process-shared futex.
 * The model of Python's multiprocessing (fork start method). */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "driver.h"
#include "osdrv.h"

static int process_init(struct run *r)
{
	return osdrv_init(r, 1, sizeof(pid_t));
}

static int process_spawn(struct run *r, struct task *t)
{
	struct osdrv *d = r->drv_priv;
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		/* Die with the cell process, whatever happens to it. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(125);
		int rc = osdrv_bind_worker(t, 1);
		if (rc)
			snprintf(t->slot->err, sizeof t->slot->err, "binding to PU %d failed: %s",
			         r->pus[t->id], strerror(-rc));
		rc = task_main(t);
		_exit(rc ? 1 : 0); /* no atexit handlers, no stdio flush of the parent's buffers */
	}
	((pid_t *)d->handles)[t->id] = pid;
	d->spawned++;
	return 0;
}

static int process_join(struct run *r)
{
	struct osdrv *d = r->drv_priv;
	int failed = 0;
	for (unsigned i = 0; i < d->spawned; i++) {
		pid_t pid = ((pid_t *)d->handles)[i];
		int st;
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
		if (failed)
			continue;
		if (WIFSIGNALED(st)) {
			failed = 1;
			snprintf(r->err, sizeof r->err, "worker %u (pid %d) killed by signal %d (%s)", i, (int)pid,
			         WTERMSIG(st), strsignal(WTERMSIG(st)));
		} else if (WIFEXITED(st) && WEXITSTATUS(st) != 0) {
			failed = 1;
			snprintf(r->err, sizeof r->err, "worker %u (pid %d) exited with status %d%s%s", i, (int)pid,
			         WEXITSTATUS(st), r->sh->slot[i].err[0] ? ": " : "", r->sh->slot[i].err);
		}
	}
	d->spawned = 0;
	return failed ? -1 : 0;
}

const struct driver_ops driver_process = {
	.name = "process",
	.summary = "one forked process per worker, pinned with hwloc, MAP_SHARED memory, shared futexes",
	.version = DRIVER_API_VERSION,
	.flags = DRIVER_PARALLEL,
	.init = process_init,
	.shm_alloc = osdrv_shm_alloc,
	.spawn = process_spawn,
	.start = osdrv_start,
	.stop = osdrv_stop,
	.join = process_join,
	.cleanup = osdrv_cleanup,
	.checkpoint = osdrv_checkpoint,
	.yield = osdrv_yield,
	.sleep_ns = osdrv_sleep_ns,
	.wait = osdrv_wait,
	.wake = osdrv_wake,
};
