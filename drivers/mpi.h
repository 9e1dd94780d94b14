/* mpi: what the mpi driver (drivers/mpi.c, in the cell process) and its rank program
 * (drivers/mpi_rank.c, the executable bench-mpi-rank that mpirun starts, one per worker)
 * share: the arena and its header. No MPI header here: the cell process does not link MPI.
 *
 * The arena is one memfd mapped MAP_SHARED at the same address in the cell process and in
 * every rank (MAP_FIXED_NOREPLACE; the rank maps it before MPI_Init, so nothing of Open MPI's
 * is there yet). Everything task_shm_alloc() returns under mpi is in it: the runner's control
 * block (slots, stop, gate), and the workload's shared state, pointers included, exactly as
 * the process driver's MAP_SHARED memory inherited by fork. The rank opens the memfd through
 * /proc/<cell pid>/fd/<n>, so nothing named exists that could outlive bench. */
#ifndef BENCH_MPI_H
#define BENCH_MPI_H

#include <stdint.h>

#include "bench/core/opt.h"
#include "bench/core/task.h"

/* Far from the heap and the libraries, and application memory for the sanitizers: above
 * ASan's shadow; under TSan (whose metainfo is at 0x3000'0000'0000) in its low range. */
#ifdef __SANITIZE_THREAD__
#define MPI_ARENA_ADDR 0x7000000000ul
#else
#define MPI_ARENA_ADDR 0x300000000000ul
#endif
#define MPI_ARENA_SIZE (1ul << 30)       /* address space reserved; the memfd grows as used */
#define MPI_ARENA_MAGIC 0x62656e63686d7069ull
#define MPI_RANK_EXE "bench-mpi-rank"

/* At the start of the arena: the run as the ranks rebuild it. */
struct mpi_arena_hdr {
	uint64_t magic;
	uint64_t used;                   /* bytes of the memfd in use */
	char workload[48];
	unsigned nworkers;
	int coarse_checkpoints;
	uint64_t duration_ns;
	struct run_shared *sh;
	void *wl_shared;
	int *pus;                        /* nworkers PUs (-1 unbound), in the arena */
	struct task_msg_reg *msg;        /* the messages style's objects (task.h), or NULL */
	/* The cell's knobs, the knob descriptions copied into the arena too. */
	struct knobset knobs;
	struct knob kn[KNOBSET_MAX];
	char kname[KNOBSET_MAX][48];
	char kchoices[KNOBSET_MAX][160];
};

#endif
