/* osdrv: what the thread and process drivers share: blocking on futexes (private for
 * threads, process-shared for processes), the start gate, stop kicks, and the bookkeeping
 * of shared-memory blocks. Only for drivers whose workers are OS threads or processes. */
#ifndef BENCH_OSDRV_H
#define BENCH_OSDRV_H

#include <stddef.h>
#include <stdint.h>

#include "bench/core/task.h"

struct osdrv_block { struct osdrv_block *next; size_t size; };

/* Per-run state the OS drivers keep in run->drv_priv. */
struct osdrv {
	int shared;                 /* 1: process-shared futexes and MAP_SHARED memory */
	unsigned spawned;
	void **blocks;              /* every shm_alloc block, freed by cleanup */
	size_t *sizes;
	unsigned nblocks, cap;
	void *handles;              /* pthread_t[] or pid_t[] */
	void *ext;                  /* state of a driver built on osdrv (gil); it frees it itself */
	int stop_fd;                /* eventfd, readable once the run stops: wakes fd waits (made before
	                             * spawn, so process workers inherit it) */
	int stop_sent;
	uint64_t spin_ns;           /* task_wait polls the word this long before blocking (0: never);
	                             * set by osdrv_init from the knob wait_spin_us */
};

/* The knobs of the thread and process drivers (their .knobs): wait_spin_us. */
extern const struct knob osdrv_knobs[];
/* The spin of task_wait for a run: wait_spin_us (0 if the driver has no such knob), but 0
 * unless every worker has a PU of its own to spin on (workers <= distinct PUs, at least 2):
 * a waiter that spins on the PU its waker needs only delays the wake. */
uint64_t osdrv_spin_ns(const struct run *r);

int osdrv_init(struct run *r, int shared, size_t handle_size);
void *osdrv_shm_alloc(struct run *r, size_t size);
void osdrv_cleanup(struct run *r);
int osdrv_start(struct run *r);
void osdrv_stop(struct run *r);
void osdrv_checkpoint(struct task *t);
void osdrv_yield(struct task *t);
int osdrv_sleep_ns(struct task *t, uint64_t ns);
/* osdrv_sleep_ns on a futex word of the caller's, 0 until the run stops (whoever stops the run
 * sets it and wakes it). */
int osdrv_sleep_on(struct task *t, _Atomic unsigned *word, uint64_t ns);
int osdrv_wait(struct task *t, _Atomic unsigned *word, unsigned expected, uint64_t timeout_ns);
int osdrv_wake(struct task *t, _Atomic unsigned *word, int n);
/* poll() on fd and on the run's stop eventfd, so that stop() ends the wait. */
int osdrv_wait_fd(struct task *t, int fd, short events, uint64_t timeout_ns);
/* For drivers whose workers are pthreads of the cell process (thread, gil): create worker t
 * running entry(t) with small stacks (thousands fit; bigger under sanitizers), and join them
 * all (0, or -1 with r->err naming the first worker whose entry returned non-zero). */
int osdrv_thread_spawn(struct run *r, struct task *t, void *(*entry)(void *));
int osdrv_thread_join(struct run *r);
/* In the new worker: bind to r->pus[t->id] and record the binding in the slot. 0 or -errno. */
int osdrv_bind_worker(struct task *t, int process);

#endif
