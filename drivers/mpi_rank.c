/* bench-mpi-rank: one worker of the mpi driver, started by mpirun (drivers/mpi.c says why
 * and how). argv: the arena (/proc/<cell pid>/fd/<memfd>), its address, mpirun's pid.
 * Maps the arena where the cell process has it, dies with mpirun, MPI_Init, rebuilds the
 * run from the arena header, binds itself to its PU, and runs task_main: the same body
 * every driver's workers run. Exit status 0 when the workload returned 0. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <mpi.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "bench/machine/topo.h"
#include "drivers/driver.h"
#include "drivers/mpi.h"
#include "drivers/osdrv.h"
#include "workloads/workload.h"

static struct driver_ops rank_ops;
static struct workload rank_wl;
static int (*wl_run)(struct task *t);

/* The start gate is the runner's gate word, as for every driver (the ranks are on this
 * host: a process-shared futex in the arena); then MPI_Barrier, so that the ranks also start
 * together as MPI sees them (every rank connected, none still in MPI_Init's wire-up). The
 * barrier is at the top of run(), which task_main calls exactly once in every rank once the
 * gate opened: a barrier inside the gate wait would be skipped by a rank that finds the gate
 * already open, and the others would wait for it forever. */
static int rank_wl_run(struct task *t)
{
	MPI_Barrier(MPI_COMM_WORLD);
	return wl_run(t);
}

static void *map_arena(const char *path, const char *addr_text)
{
	char *end;
	unsigned long addr = strtoul(addr_text, &end, 0);
	if (*end || addr != MPI_ARENA_ADDR)
		return NULL;
	int fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	void *p = mmap((void *)addr, MPI_ARENA_SIZE, PROT_READ | PROT_WRITE,
	               MAP_SHARED | MAP_FIXED_NOREPLACE | MAP_NORESERVE, fd, 0);
	close(fd);
	if (p != (void *)addr) {
		if (p != MAP_FAILED)
			munmap(p, MPI_ARENA_SIZE);
		return NULL;
	}
	const struct mpi_arena_hdr *h = p;
	return h->magic == MPI_ARENA_MAGIC ? p : NULL;
}

/* ---- the messages style over MPI (task.h): channels are point-to-point messages tagged with
 * the channel's id, counters live in one RMA window on rank 0 ---- */

/* Capacity by credits: a sender has at most cap messages on a channel that its owner has not
 * received; the owner gives credits back every cap/2 messages (at least 1) from a sender, in
 * one small message on tag TASK_MSG_OBJS + id. Synchronous sends would bound it too, but each
 * costs an acknowledgement on the critical path: twice the latency of a ping-pong. */
struct chan_state {
	uint64_t sent, credited;          /* as a sender: messages sent, credits received */
	uint64_t *owed;                   /* as the owner: per sender, received and not yet credited */
};
static struct chan_state chans[TASK_MSG_OBJS];
static MPI_Win win = MPI_WIN_NULL;
static int win_locked;                   /* this rank holds the exclusive lock (counter_lock) */
static int oversubscribed;               /* more ranks than PUs: give the PU away while polling */

/* Complete a request, polling (the workload's faults, the stop request and, oversubscribed,
 * the other ranks get their turn every 64 polls). 0, or -ECANCELED (still pending). */
static int poll_req(struct task *t, MPI_Request *rq, MPI_Status *st)
{
	for (unsigned i = 1;; i++) {
		int done = 0;
		MPI_Test(rq, &done, st);
		if (done)
			return 0;
		if (i & 63)
			continue;
		task_checkpoint(t);
		if (task_should_stop(t))
			return -ECANCELED;
		if (oversubscribed)
			sched_yield();
	}
}

/* Receive one message, polled; on a stop the receive is cancelled. Its length, or -ECANCELED. */
static int recv_polled(struct task *t, void *buf, size_t len, int src, int tag, MPI_Status *st)
{
	MPI_Request rq;
	MPI_Irecv(buf, (int)len, MPI_BYTE, src, tag, MPI_COMM_WORLD, &rq);
	if (poll_req(t, &rq, st)) {
		MPI_Cancel(&rq);
		MPI_Wait(&rq, st);
		int cancelled = 0;
		MPI_Test_cancelled(st, &cancelled);
		if (cancelled)
			return -ECANCELED;
	}
	int n = 0;
	MPI_Get_count(st, MPI_BYTE, &n);
	return n;
}

static int mpi_send(struct task *t, struct task_chan *c, const void *msg, size_t len)
{
	struct chan_state *s = &chans[c->id];
	while (s->sent - s->credited >= c->cap) {
		uint64_t credit;
		MPI_Status st;
		if (recv_polled(t, &credit, sizeof credit, (int)c->owner, TASK_MSG_OBJS + (int)c->id, &st) < 0)
			return -ECANCELED;
		s->credited += credit;
	}
	MPI_Send(msg, (int)len, MPI_BYTE, (int)c->owner, (int)c->id, MPI_COMM_WORLD);
	s->sent++;
	return 0;
}

static int mpi_recv(struct task *t, struct task_chan *c, void *buf, size_t len)
{
	struct chan_state *s = &chans[c->id];
	if (!s->owed && !(s->owed = calloc(t->run->nworkers, sizeof *s->owed)))
		return -ENOMEM;
	MPI_Status st;
	int n = recv_polled(t, buf, len, MPI_ANY_SOURCE, (int)c->id, &st);
	if (n < 0)
		return n;
	uint64_t *owed = &s->owed[st.MPI_SOURCE];
	if (++*owed >= (c->cap / 2 ? c->cap / 2 : 1)) {
		MPI_Send(owed, 1, MPI_UINT64_T, st.MPI_SOURCE, TASK_MSG_OBJS + (int)c->id, MPI_COMM_WORLD);
		*owed = 0;
	}
	return n;
}

/* get/put/fetch-add: each in its own shared-lock epoch (two separate accesses: the racy
 * x += 1), or flushed inside the exclusive epoch of counter_lock (the critical section). */
static void op_begin(void)
{
	if (!win_locked)
		MPI_Win_lock(MPI_LOCK_SHARED, 0, 0, win);
}

static void op_end(void)
{
	if (win_locked)
		MPI_Win_flush(0, win);
	else
		MPI_Win_unlock(0, win);
}

static uint64_t mpi_get(struct task *t, struct task_counter *c)
{
	uint64_t v = 0;
	op_begin();
	MPI_Get(&v, 1, MPI_UINT64_T, 0, c->id, 1, MPI_UINT64_T, win);
	op_end();
	return v;
}

static void mpi_put(struct task *t, struct task_counter *c, uint64_t v)
{
	op_begin();
	MPI_Put(&v, 1, MPI_UINT64_T, 0, c->id, 1, MPI_UINT64_T, win);
	op_end();
}

static uint64_t mpi_fetch_add(struct task *t, struct task_counter *c, uint64_t d)
{
	uint64_t old = 0;
	op_begin();
	MPI_Fetch_and_op(&d, &old, MPI_UINT64_T, 0, c->id, MPI_SUM, win);
	op_end();
	return old;
}

static void mpi_lock(struct task *t, struct task_counter *c)
{
	MPI_Win_lock(MPI_LOCK_EXCLUSIVE, 0, 0, win);
	win_locked = 1;
}

static void mpi_unlock(struct task *t, struct task_counter *c)
{
	win_locked = 0;
	MPI_Win_unlock(0, win);
}

static const struct task_msg_ops mpi_msg_ops = {
	.send = mpi_send, .recv = mpi_recv, .get = mpi_get, .put = mpi_put,
	.fetch_add = mpi_fetch_add, .lock = mpi_lock, .unlock = mpi_unlock,
};

/* Collective, before the gate: the counters' window on rank 0, with their initial values. */
static void counters_open(const struct task_msg_reg *g, int rank)
{
	unsigned n = g ? g->ncounter : 0;
	uint64_t *base = NULL;
	MPI_Win_allocate(rank == 0 ? (MPI_Aint)(n ? n : 1) * 8 : 0, 8, MPI_INFO_NULL, MPI_COMM_WORLD, &base, &win);
	if (rank == 0 && n) {
		MPI_Win_lock(MPI_LOCK_EXCLUSIVE, 0, 0, win);
		for (unsigned i = 0; i < n; i++) {
			uint64_t v = atomic_load(&g->counter[i]->v);
			MPI_Put(&v, 1, MPI_UINT64_T, 0, i, 1, MPI_UINT64_T, win);
			MPI_Win_flush(0, win);
		}
		MPI_Win_unlock(0, win);
	}
	MPI_Barrier(MPI_COMM_WORLD);
}

/* Collective, after every rank's run: the final values back into the arena for verify. */
static void counters_close(const struct task_msg_reg *g, int rank)
{
	MPI_Barrier(MPI_COMM_WORLD);
	if (rank == 0 && g && g->ncounter) {
		MPI_Win_lock(MPI_LOCK_SHARED, 0, 0, win);
		for (unsigned i = 0; i < g->ncounter; i++) {
			uint64_t v = 0;
			MPI_Get(&v, 1, MPI_UINT64_T, 0, i, 1, MPI_UINT64_T, win);
			MPI_Win_flush(0, win);
			atomic_store(&g->counter[i]->v, v);
		}
		MPI_Win_unlock(0, win);
	}
	MPI_Win_free(&win);
}

/* The worker: the run as the cell process set it up, rebuilt from the header. */
static int rank_run(struct mpi_arena_hdr *h, unsigned rank)
{
	static struct osdrv od = { .shared = 1, .stop_fd = -1 };
	const struct workload *wl = workload_find(h->workload);
	if (!wl && !strcmp(h->workload, workload_skeleton.name))
		wl = &workload_skeleton;
	if (wl) {
		rank_wl = *wl;
		wl_run = wl->run;
		rank_wl.run = rank_wl_run;
	}
	struct run r = { .wl = wl ? &rank_wl : NULL, .drv = &rank_ops, .nworkers = h->nworkers,
		         .knobs = &h->knobs, .pus = h->pus, .duration_ns = h->duration_ns, .sh = h->sh,
		         .wl_shared = h->wl_shared, .drv_priv = &od, .coarse_checkpoints = h->coarse_checkpoints };
	struct task t = { .run = &r, .id = rank, .slot = &h->sh->slot[rank], .stop = &h->sh->stop,
		          .wait = osdrv_wait, .wake = osdrv_wake };
	t.brk = &t.slot->brk;
	r.tasks = &t; /* only this rank's handle is valid here */
	if (!r.wl) {
		snprintf(t.slot->err, sizeof t.slot->err, "rank %u: unknown workload %s", rank, h->workload);
		return 1;
	}
	r.msg = h->msg;
	topo_init();
	oversubscribed = topo_npus() > 0 && h->nworkers > (unsigned)topo_npus();
	int rc = osdrv_bind_worker(&t, 1);
	if (rc)
		snprintf(t.slot->err, sizeof t.slot->err, "binding to PU %d failed: %s", h->pus[rank], strerror(-rc));
	counters_open(h->msg, (int)rank);
	rc = task_main(&t) ? 1 : 0;
	counters_close(h->msg, (int)rank);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "bench: mpi: %s is started by bench's mpi driver, not by hand\n", MPI_RANK_EXE);
		return 2;
	}
	/* Die with mpirun: the ranks leave the cell's process group, this is how they go. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if ((long)getppid() != strtol(argv[3], NULL, 10))
		return 125;
	/* Before MPI_Init: nothing of Open MPI's is mapped yet at the arena's address. */
	struct mpi_arena_hdr *h = map_arena(argv[1], argv[2]);
	if (!h) {
		fprintf(stderr, "bench: mpi: cannot map the arena %s at %s: %s\n", argv[1], argv[2], strerror(errno));
		return 1;
	}
	MPI_Init(&argc, &argv);
	int rank = -1, size = 0;
	MPI_Comm_rank(MPI_COMM_WORLD, &rank);
	MPI_Comm_size(MPI_COMM_WORLD, &size);
	if (rank < 0 || (unsigned)size != h->nworkers) {
		fprintf(stderr, "bench: mpi: %d ranks for %u workers\n", size, h->nworkers);
		MPI_Abort(MPI_COMM_WORLD, 1);
	}
	rank_ops = driver_mpi;
	rank_ops.msg = &mpi_msg_ops;
	int rc = rank_run(h, (unsigned)rank);
	MPI_Finalize();
	return rc;
}
