/* Bare pingpong: two threads hand a token back and forth through a private futex (wait while
 * it is the other side's turn, wake after the move), as pingpong mode=wait does under the
 * thread driver. Two bare programs share the code (an exception to one file per program):
 * pingpong-1pu, both threads on one PU (every handoff is a context switch), and
 * pingpong-2pu, one thread per PU (every handoff is a cross-core wake-up). */
#define _GNU_SOURCE
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <time.h>

#include "bench/bare/bare.h"
#include "bench/core/futex.h"
#include "bench/core/task.h"
#include "bench/machine/topo.h"

struct pp {
	_Atomic unsigned token __attribute__((aligned(64)));
	_Atomic unsigned stop __attribute__((aligned(64)));
	pthread_barrier_t go;
	const int *pus;
	uint64_t moves[2], bad[2], t_end;
};

struct pp_arg { struct pp *p; unsigned side; };

static void *player(void *arg)
{
	struct pp_arg *a = arg;
	struct pp *p = a->p;
	const unsigned side = a->side;
	topo_bind_self(p->pus[side], 0);
	pthread_barrier_wait(&p->go);
	unsigned want = side;
	uint64_t moves = 0, bad = 0;
	for (;;) {
		unsigned v = atomic_load_explicit(&p->token, memory_order_acquire);
		while ((v & 1) != side) {
			if (atomic_load_explicit(&p->stop, memory_order_relaxed))
				goto out;
			futex_wait(&p->token, v, FUTEX_FOREVER, 0);
			v = atomic_load_explicit(&p->token, memory_order_acquire);
		}
		bad += v != want;
		want = v + 2;
		atomic_store_explicit(&p->token, v + 1, memory_order_release);
		futex_wake(&p->token, 1, 0);
		moves++;
	}
out:
	p->moves[side] = moves;
	p->bad[side] = bad;
	if (side == 0)
		p->t_end = task_now_ns();
	return NULL;
}

static double run_pingpong(double duration_s, const int *pus, unsigned workers)
{
	(void)workers;
	static struct pp p;
	p = (struct pp){ .pus = pus };
	pthread_barrier_init(&p.go, NULL, 3);
	struct pp_arg a0 = { &p, 0 }, a1 = { &p, 1 };
	pthread_t t0, t1;
	if (pthread_create(&t0, NULL, player, &a0) || pthread_create(&t1, NULL, player, &a1))
		return -1;
	pthread_barrier_wait(&p.go);
	uint64_t start = task_now_ns();
	struct timespec d = { (time_t)duration_s, (long)((duration_s - (double)(time_t)duration_s) * 1e9) };
	nanosleep(&d, NULL);
	atomic_store(&p.stop, 1);
	futex_wake(&p.token, INT_MAX, 0);
	pthread_join(t0, NULL);
	pthread_join(t1, NULL);
	unsigned token = atomic_load(&p.token);
	if (p.bad[0] || p.bad[1] || (unsigned)(p.moves[0] + p.moves[1]) != token)
		return -1;
	/* Round trips completed: side 0's moves after its first one. */
	return (double)(p.moves[0] ? p.moves[0] - 1 : 0) / ((double)(p.t_end - start) / 1e9);
}

const struct bare bare_pingpong_1pu = {
	.name = "pingpong-1pu",
	.summary = "pingpong mode=wait, 2 thread workers on one PU vs two bare threads and a futex",
	.unit = "round trips/s",
	.workload = "pingpong",
	.driver = "thread",
	.workers = 2,
	.pin = "pus:0",
	.knobs = { "mode=wait", NULL },
	.higher_is_better = 1,
	.event = "handoff",
	.per_unit = 2,
	.bare = run_pingpong,
};

const struct bare bare_pingpong_2pu = {
	.name = "pingpong-2pu",
	.summary = "pingpong mode=wait, 2 thread workers on two PUs vs two bare threads and a futex",
	.unit = "round trips/s",
	.workload = "pingpong",
	.driver = "thread",
	.workers = 2,
	.pin = "spread",
	.knobs = { "mode=wait", NULL },
	.higher_is_better = 1,
	.event = "handoff",
	.per_unit = 2,
	.bare = run_pingpong,
};
