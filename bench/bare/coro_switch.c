/* Bare coroutine switches: two coroutines switching back and forth, no scheduler, no task API,
 * nothing but the switch, (1) with the coroutine driver's own primitive (coro_switch, the
 * hand-written assembly of drivers/coro_switch_*.S) and (2) with swapcontext. Both sides run
 * the same loop, so they switch from one call site (as the driver does: its switches all go
 * through one call in ctx_switch) and every return is predicted.
 *
 * The harness side is pingpong under the coroutine driver on one thread, wait/wake mode,
 * with the matching backend: what a switch costs once it goes through the task API, the
 * wait table and the run queue. The figure is round trips per second (A -> B -> A: two
 * switches); pingpong counts one op per round trip. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdlib.h>
#include <ucontext.h>

#include "bench/bare/bare.h"
#include "drivers/coro_switch.h"
#include "bench/core/task.h"
#include "bench/machine/topo.h"

#define BARE_STACK (64u << 10)
#define BARE_CHECK 4095u           /* look at the clock every 4096 round trips */

/* Contexts 0 and 1 ping-pong; 2 is the caller. Each side counts its turns in a register and,
 * every 4096 turns, publishes the count and looks at the clock; when time is up it switches
 * back to the caller instead of to its peer.
 *
 * Both sides run the very same instructions, with no branch on `me`: the return of a switch
 * is then predicted (the return stack buffer holds the one call site). A test like
 * `if (me == 0 && ...)` lets gcc -O3 unswitch the loop into one copy per side, two call
 * sites, and every return mispredicts; a counter in memory puts a load and a store on the
 * path between two switches. On the reference machine: 2.2 ns per switch as written,
 * 5.5 ns with the counter in memory, 9-13 ns unswitched. */
static void *sp[3];
static ucontext_t uc[3];
static unsigned peer[2];
static uint64_t turns[2];
static double end_s;

static void side_fast(void *arg)
{
	unsigned me = (unsigned)(uintptr_t)arg;
	void **save = &sp[me], *const *to = &sp[peer[me]];
	for (uint64_t n = 1;; n++) {
		coro_switch(save, *to);
		if ((n & BARE_CHECK) == 0) {
			turns[me] = n;
			if (task_now_ns() / 1e9 >= end_s)
				to = &sp[2];
		}
	}
}

static void side_uc(unsigned me)
{
	ucontext_t *save = &uc[me], *to = &uc[peer[me]];
	for (uint64_t n = 1;; n++) {
		swapcontext(save, to);
		if ((n & BARE_CHECK) == 0) {
			turns[me] = n;
			if (task_now_ns() / 1e9 >= end_s)
				to = &uc[2];
		}
	}
}

static double run_loop(double duration_s, const int *pus, int fast)
{
	topo_bind_self(pus[0], 0);
	char *stacks = malloc(2 * BARE_STACK);
	if (!stacks || (fast && !CORO_SWITCH_ASM))
		return -1;
	peer[0] = 1;
	peer[1] = 0;
	turns[0] = turns[1] = 0;
	for (unsigned i = 0; i < 2; i++) {
		char *lo = stacks + i * BARE_STACK;
		if (fast) {
			/* coloured as the driver colours its stacks (320 bytes apart): with tops a
			 * multiple of 4 KiB apart, one side's pops can alias the other's pushes (a
			 * standalone build of this loop: 1.7 ns per switch coloured, 2.3 not) */
			sp[i] = coro_make(lo + BARE_STACK - i * 320, side_fast, (void *)(uintptr_t)i);
		} else {
			getcontext(&uc[i]);
			uc[i].uc_stack.ss_sp = lo;
			uc[i].uc_stack.ss_size = BARE_STACK - i * 320;
			uc[i].uc_link = NULL;
			makecontext(&uc[i], (void (*)(void))side_uc, 1, i);
		}
	}
	double t0 = task_now_ns() / 1e9;
	end_s = t0 + duration_s;
	if (fast)
		coro_switch(&sp[2], sp[0]);
	else
		swapcontext(&uc[2], &uc[0]);
	double t = task_now_ns() / 1e9;
	free(stacks); /* the two sides are abandoned mid-loop, never resumed */
	return (double)(turns[0] + turns[1]) / 2 / (t - t0); /* a round trip: a turn of each */
}

static double run_fast(double duration_s, const int *pus, unsigned workers)
{
	(void)workers;
	return run_loop(duration_s, pus, 1);
}

static double run_ucontext(double duration_s, const int *pus, unsigned workers)
{
	(void)workers;
	return run_loop(duration_s, pus, 0);
}

const struct bare bare_coro_switch = {
	.name = "coro-switch",
	.summary = "coroutine switch: pingpong under coroutine (backend=fast, 1 thread) vs two bare "
	           "coroutines switching with the same asm primitive",
	.unit = "round trips/s",
	.workload = "pingpong",
	.driver = "coroutine",
	.workers = 2,
	.pin = "pus:0",
	.knobs = { "mode=wait", "backend=fast", "threads=1", NULL },
	.higher_is_better = 1,
	.event = "switch",
	.per_unit = 2,
	.bare = run_fast,
};

const struct bare bare_coro_switch_ucontext = {
	.name = "coro-switch-ucontext",
	.summary = "coroutine switch: pingpong under coroutine (backend=ucontext, 1 thread) vs two bare "
	           "coroutines switching with swapcontext",
	.unit = "round trips/s",
	.workload = "pingpong",
	.driver = "coroutine",
	.workers = 2,
	.pin = "pus:0",
	.knobs = { "mode=wait", "backend=ucontext", "threads=1", NULL },
	.higher_is_better = 1,
	.event = "switch",
	.per_unit = 2,
	.bare = run_ucontext,
};
