#define _GNU_SOURCE /* RUSAGE_THREAD */
/* mpi_bare: the bare MPI programs bench's mpi cells are compared with (the osu_latency
 * method), written without the harness. Run under mpirun with 2 ranks:
 *   mpirun -np 2 mpi_bare pingpong ITERS   one-way latency of an 8-byte MPI_Send/MPI_Recv
 *                                          ping-pong between rank 0 and 1 (warm-up ITERS/10)
 *   mpirun -np 2 mpi_bare pingpong-ssend ITERS   the same with MPI_Issend and MPI_Irecv polled
 *                                          by MPI_Test (what bench's channels do)
 *   mpirun -np N mpi_bare fop ITERS        every rank MPI_Fetch_and_op(+1) on rank 0's
 *                                          window, each in its own shared-lock epoch (as
 *                                          bench's counter does), ITERS per rank
 * Prints one line on rank 0: "<mode> ns_per_op=<ns> iters=<n>" (pingpong: per one-way
 * hand-off; fop: per operation of one rank, ranks / the sum of the ranks' rates). */
#include <mpi.h>
#include <stdint.h>
#include <sys/resource.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static double pingpong(int rank, long iters)
{
	uint64_t v = 0;
	double t0 = 0;
	long warm = iters / 10;
	for (long i = 0; i < warm + iters; i++) {
		if (i == warm) {
			MPI_Barrier(MPI_COMM_WORLD);
			t0 = MPI_Wtime();
		}
		if (rank == 0) {
			MPI_Send(&v, 8, MPI_BYTE, 1, 1, MPI_COMM_WORLD);
			MPI_Recv(&v, 8, MPI_BYTE, 1, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
		} else if (rank == 1) {
			MPI_Recv(&v, 8, MPI_BYTE, 0, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
			v++;
			MPI_Send(&v, 8, MPI_BYTE, 0, 1, MPI_COMM_WORLD);
		}
	}
	return (MPI_Wtime() - t0) * 1e9 / (2.0 * (double)iters);
}

/* The same ping-pong as bench's channels do it: MPI_Issend (bounded: completes once matched)
 * and MPI_Irecv completed by polling MPI_Test. */
static void wait_req(MPI_Request *rq)
{
	int done = 0;
	while (!done)
		MPI_Test(rq, &done, MPI_STATUS_IGNORE);
}

static double pingpong_sync(int rank, long iters)
{
	uint64_t v = 0, in;
	MPI_Request sent = MPI_REQUEST_NULL, rq;
	double t0 = 0;
	long warm = iters / 10;
	for (long i = 0; i < warm + iters; i++) {
		if (i == warm) {
			MPI_Barrier(MPI_COMM_WORLD);
			t0 = MPI_Wtime();
		}
		if (rank == 1) {
			MPI_Irecv(&in, 8, MPI_BYTE, 0, 1, MPI_COMM_WORLD, &rq);
			wait_req(&rq);
			v = in + 1;
		}
		if (rank <= 1) {
			if (sent != MPI_REQUEST_NULL)
				wait_req(&sent);
			MPI_Issend(&v, 8, MPI_BYTE, !rank, 1, MPI_COMM_WORLD, &sent);
		}
		if (rank == 0) {
			MPI_Irecv(&in, 8, MPI_BYTE, 1, 1, MPI_COMM_WORLD, &rq);
			wait_req(&rq);
			v = in;
		}
	}
	double ns = (MPI_Wtime() - t0) * 1e9 / (2.0 * (double)iters);
	if (sent != MPI_REQUEST_NULL)
		wait_req(&sent);
	return ns;
}

static double cpu_s(void)
{
	struct rusage ru;
	getrusage(RUSAGE_THREAD, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_stime.tv_sec +
	       ((double)ru.ru_utime.tv_usec + (double)ru.ru_stime.tv_usec) / 1e6;
}

static double fop_cpu_ns; /* CPU time per operation, all ranks (printed too: load-proof) */

static double fop(int rank, long iters)
{
	uint64_t *base, one = 1, old;
	MPI_Win win;
	MPI_Win_allocate(rank == 0 ? 8 : 0, 8, MPI_INFO_NULL, MPI_COMM_WORLD, &base, &win);
	MPI_Barrier(MPI_COMM_WORLD);
	double t0 = MPI_Wtime(), c0 = cpu_s();
	for (long i = 0; i < iters; i++) {
		MPI_Win_lock(MPI_LOCK_SHARED, 0, 0, win);
		MPI_Fetch_and_op(&one, &old, MPI_UINT64_T, 0, 0, MPI_SUM, win);
		MPI_Win_unlock(0, win);
	}
	/* per rank as bench counts it: ranks / the sum of their rates (rank 0's own operations
	 * are local and faster than the others': its figure alone would flatter the bare loop) */
	double rate = (double)iters / (MPI_Wtime() - t0), sum = 0, cpu = cpu_s() - c0, cpu_sum = 0;
	int size;
	MPI_Comm_size(MPI_COMM_WORLD, &size);
	MPI_Reduce(&rate, &sum, 1, MPI_DOUBLE, MPI_SUM, 0, MPI_COMM_WORLD);
	MPI_Reduce(&cpu, &cpu_sum, 1, MPI_DOUBLE, MPI_SUM, 0, MPI_COMM_WORLD);
	fop_cpu_ns = cpu_sum * 1e9 / ((double)iters * size);
	MPI_Win_free(&win);
	return rank == 0 ? (double)size * 1e9 / sum : 0;
}

int main(int argc, char **argv)
{
	MPI_Init(&argc, &argv);
	int rank, size;
	MPI_Comm_rank(MPI_COMM_WORLD, &rank);
	MPI_Comm_size(MPI_COMM_WORLD, &size);
	long iters = argc > 2 ? atol(argv[2]) : 0;
	int pp = argc > 2 && !strcmp(argv[1], "pingpong"), fo = argc > 2 && !strcmp(argv[1], "fop");
	int ps = argc > 2 && !strcmp(argv[1], "pingpong-ssend");
	if ((!pp && !fo && !ps) || iters < 1 || ((pp || ps) && size != 2)) {
		if (rank == 0)
			fprintf(stderr, "usage: mpirun -np 2 mpi_bare pingpong|pingpong-ssend|fop ITERS\n");
		MPI_Finalize();
		return 2;
	}
	double ns = pp ? pingpong(rank, iters) : ps ? pingpong_sync(rank, iters) : fop(rank, iters);
	if (rank == 0)
		printf("%s ns_per_op=%.1f iters=%ld cpu_ns_per_op=%.1f\n", argv[1], ns, iters, fo ? fop_cpu_ns : 0);
	MPI_Finalize();
	return 0;
}
