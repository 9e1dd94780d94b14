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

#include "drivers/driver.h"
#include "drivers/osdrv.h"

/* Per worker: its pid, and its wait status once reaped (reap may collect it before join). */
struct proc_handle { pid_t pid; int reaped; int status; int died_unreported; };

static int process_init(struct run *r)
{
	return osdrv_init(r, 1, sizeof(struct proc_handle));
}

static void describe_death(struct run *r, unsigned i, const struct proc_handle *h, char *buf, size_t len)
{
	if (WIFSIGNALED(h->status))
		snprintf(buf, len, "worker %u (pid %d) killed by signal %d (%s)", i, (int)h->pid,
		         WTERMSIG(h->status), strsignal(WTERMSIG(h->status)));
	else
		snprintf(buf, len, "worker %u (pid %d) exited with status %d%s%s", i, (int)h->pid,
		         WEXITSTATUS(h->status), r->sh->slot[i].err[0] ? ": " : "", r->sh->slot[i].err);
}

static void process_reap(struct run *r)
{
	struct osdrv *d = r->drv_priv;
	struct proc_handle *h = d->handles;
	for (unsigned i = 0; i < d->spawned; i++) {
		if (h[i].reaped || waitpid(h[i].pid, &h[i].status, WNOHANG) != h[i].pid)
			continue;
		h[i].reaped = 1;
		struct task_slot *s = &r->sh->slot[i];
		unsigned st = atomic_load(&s->state);
		if (st == TASK_DONE || st == TASK_FAILED)
			continue; /* it reported before exiting */
		/* Died without reporting: a crash. Count it so the runner stops waiting for it. */
		char why[sizeof s->err];
		describe_death(r, i, &h[i], why, sizeof why);
		memcpy(s->err, why, sizeof why);
		h[i].died_unreported = 1;
		s->rc = -1;
		atomic_store(&s->state, TASK_FAILED);
		atomic_fetch_add(&r->sh->done, 1);
	}
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
	((struct proc_handle *)d->handles)[t->id] = (struct proc_handle){ .pid = pid };
	d->spawned++;
	return 0;
}

static int process_join(struct run *r)
{
	struct osdrv *d = r->drv_priv;
	struct proc_handle *h = d->handles;
	int failed = 0;
	for (unsigned i = 0; i < d->spawned; i++) {
		if (!h[i].reaped) {
			while (waitpid(h[i].pid, &h[i].status, 0) < 0 && errno == EINTR)
				;
			h[i].reaped = 1;
		}
		int bad = WIFSIGNALED(h[i].status) || (WIFEXITED(h[i].status) && WEXITSTATUS(h[i].status) != 0);
		if (bad && !failed) {
			failed = 1;
			if (h[i].died_unreported) /* reap already described it in the slot */
				snprintf(r->err, sizeof r->err, "%s", r->sh->slot[i].err);
			else
				describe_death(r, i, &h[i], r->err, sizeof r->err);
		}
	}
	d->spawned = 0;
	return failed ? -1 : 0;
}

const struct driver_ops driver_process = {
	.name = "process",
	.summary = "one forked process per worker, pinned with hwloc, MAP_SHARED memory, shared futexes",
	.version = DRIVER_API_VERSION,
	.flags = DRIVER_PARALLEL | DRIVER_INHERIT_FDS | DRIVER_MESSAGES, /* fork inherits the descriptors */
	.knobs = osdrv_knobs,
	.model = DRIVER_MODEL_PROCESSES,
	.color = "#ff7f0e",
	.init = process_init,
	.shm_alloc = osdrv_shm_alloc,
	.spawn = process_spawn,
	.start = osdrv_start,
	.stop = osdrv_stop,
	.join = process_join,
	.reap = process_reap,
	.cleanup = osdrv_cleanup,
	.checkpoint = osdrv_checkpoint,
	.yield = osdrv_yield,
	.sleep_ns = osdrv_sleep_ns,
	.wait = osdrv_wait,
	.wake = osdrv_wake,
	.wait_fd = osdrv_wait_fd,
};
