/* bench-mpi-rank: one worker of the mpi driver, started by mpirun (drivers/mpi.c says why
 * and how). argv: the arena (/proc/<cell pid>/fd/<memfd>), its address, mpirun's pid.
 * Maps the arena where the cell process has it, dies with mpirun, MPI_Init, rebuilds the
 * run from the arena header, binds itself to its PU, and runs task_main: the same body
 * every driver's workers run. Exit status 0 when the workload returned 0. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
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

/* The worker: the run as the cell process set it up, rebuilt from the header. */
static int rank_run(struct mpi_arena_hdr *h, unsigned rank)
{
	static struct osdrv od = { .shared = 1, .stop_fd = -1 };
	const struct workload *wl = workload_find(h->workload);
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
	topo_init();
	int rc = osdrv_bind_worker(&t, 1);
	if (rc)
		snprintf(t.slot->err, sizeof t.slot->err, "binding to PU %d failed: %s", h->pus[rank], strerror(-rc));
	return task_main(&t) ? 1 : 0;
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
	int rc = rank_run(h, (unsigned)rank);
	MPI_Finalize();
	return rc;
}
