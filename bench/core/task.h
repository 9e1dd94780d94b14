/* task: the API a workload uses, and the per-run state the runner shares with drivers.
 *
 * A workload talks only to this header. A worker body looks like
 *
 *     while (!task_should_stop(t)) { work(); task_ops(t, 1); task_checkpoint(t); }
 *
 * and blocks only through task_sleep_ns / task_wait / task_wake / task_yield / task_wait_fd
 * and the primitives built on them here once (task_mutex, task_sem, task_barrier). The driver
 * decides what blocking means: a futex for threads, a process-shared futex for processes,
 * parking the coroutine in the scheduler, releasing the simulated GIL around the wait. What a
 * mode needs of the driver, a workload asks with run_need_caps(), never by driver name.
 *
 * Memory visible to every worker comes from task_shm_alloc() (driver-allocated: MAP_SHARED
 * for processes). Everything else a workload keeps in its own process memory is private to
 * a process worker after fork, exactly as with Python's multiprocessing. */
#ifndef BENCH_TASK_H
#define BENCH_TASK_H

#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bench/core/opt.h"

#define TASK_FOREVER UINT64_MAX
#define TASK_CACHELINE 64
#define TASK_MAX_WORKERS 1000000u
#define TASK_METRICS_MAX 48
#define TASK_WORKER_METRICS_MAX 8

#define task_likely(x) __builtin_expect(!!(x), 1)
#define task_unlikely(x) __builtin_expect(!!(x), 0)

struct driver_ops;
struct task_msg_reg;
struct workload;

/* Worker states in task_slot.state. */
enum task_state { TASK_NEW = 0, TASK_READY, TASK_RUNNING, TASK_DONE, TASK_FAILED };

/* One per worker, in shared memory, cache-line aligned. The first line is written by the
 * worker only (ops) and read by the runner without stopping the worker (will-it-scale). */
struct task_slot {
	_Atomic uint64_t ops;          /* single writer: the worker */
	_Atomic unsigned brk;          /* checkpoint request; drivers set, the worker acts */
	_Atomic unsigned state;        /* enum task_state */
	_Atomic uintptr_t wait_addr;   /* the word this worker waits on, 0 if none (for stop kicks) */
	char pad0[TASK_CACHELINE - 8 - 4 - 4 - sizeof(uintptr_t)];
	/* Written by the worker at begin/end only. */
	uint64_t t_begin_ns, t_end_ns; /* CLOCK_MONOTONIC, comparable across processes */
	uint64_t utime_ns, stime_ns;   /* CPU of this worker between begin and end */
	uint64_t nvcsw, nivcsw;        /* context switches of this worker's OS thread */
	int bound_pu;                  /* PU the worker is bound to (-1: unbound, -2: mismatch) */
	int last_cpu;                  /* CPU it last ran on (sched_getcpu at end) */
	int tid;                       /* the OS thread running it (gettid at start; for coroutines
	                                  the scheduler thread): whose schedstat the runner reads */
	int rc;                        /* the workload's return value */
	_Atomic unsigned fault;        /* enum task_fault: injected by the runner (-O fault=...) */
	char err[160];                 /* why the worker failed, if it did */
} __attribute__((aligned(TASK_CACHELINE)));

/* Faults the runner can inject into one worker (-O fault=KIND fault_worker=I fault_after_ms=T).
 * The worker performs it at its next task_checkpoint/task_sleep_ns/task_wait after T ms. */
enum task_fault { TASK_FAULT_NONE = 0, TASK_FAULT_CRASH, TASK_FAULT_ABORT, TASK_FAULT_HANG,
	          TASK_FAULT_EXIT1, TASK_FAULT_OOM,
	          TASK_FAULT_STALL /* performed by the runner: the cell stops for 50 ms (SIGSTOP) */ };

/* The control block of one repetition, in shared memory. */
struct run_shared {
	_Atomic unsigned stop;         /* 1: workers must return; sleepers wait on this word */
	_Atomic unsigned gate;         /* 0 until the runner opens the start gate */
	_Atomic unsigned ready;        /* workers parked at the gate */
	_Atomic unsigned done;         /* workers that returned */
	char pad[TASK_CACHELINE - 16];
	struct task_slot slot[];       /* nworkers */
};

/* One worker's handle. Lives in the memory of the process that runs the worker. */
struct task {
	struct run *run;
	unsigned id;                   /* 0 .. nworkers-1 */
	struct task_slot *slot;
	_Atomic unsigned *brk;         /* flag task_checkpoint() polls; &slot->brk unless the driver repoints it */
	_Atomic unsigned *stop;        /* &run->sh->stop */
	void *drv;                     /* the driver's per-worker state */
	void *local;                   /* the workload's per-worker state (private memory) */
	/* run->drv->wait and ->wake, copied by the runner (a driver may repoint them in spawn, to
	 * a variant for its configuration): task_wait/task_wake reach the driver in one load and
	 * an indirect call. A wait/wake hand-off between coroutines takes a few ns, and the three
	 * dependent loads of t->run->drv->wait were a visible part of it. */
	int (*wait)(struct task *t, _Atomic unsigned *word, unsigned expected, uint64_t timeout_ns);
	int (*wake)(struct task *t, _Atomic unsigned *word, int n);
};

struct run_metric { char name[40]; double value; };
/* A metric with one value per worker (the results show it as an array, like worker_ops). */
struct run_worker_metric { char name[40]; double *values; };

/* One repetition of one cell: set up by the runner in the cell process. Workload setup/verify
 * and every driver hook receive it; workers reach it through task->run. */
struct run {
	const struct workload *wl;
	const struct driver_ops *drv;
	unsigned nworkers;
	const struct knobset *knobs;   /* workload and driver knobs of this cell */
	const int *pus;                /* PU (OS index) per worker, -1 = not pinned */
	uint64_t duration_ns;          /* how long duration-bound workloads run */
	struct run_shared *sh;         /* control block (driver shared memory) */
	struct task *tasks;            /* nworkers handles */
	void *wl_shared;               /* the workload's shared state (it sets this in setup) */
	void *wl_priv;                 /* the workload's parent-only state */
	void *drv_priv;                /* the driver's per-run state */
	struct task_msg_reg *msg;      /* the messages style's objects of this run (task_shm_alloc), or NULL */
	/* Set by the driver in init: workers switch only at back-edges and calls, not between the
	 * bytecodes of one statement (CPython 3.10+); task_checkpoint_mid() is then no switch point. */
	int coarse_checkpoints;
	/* Filled by verify: extra metrics of this repetition, and a failure reason. */
	unsigned nmetrics;
	struct run_metric metrics[TASK_METRICS_MAX];
	/* Per-worker metrics (run_worker_metric); the arrays are freed by run_metrics_free(). */
	unsigned nwmetrics;
	struct run_worker_metric wmetrics[TASK_WORKER_METRICS_MAX];
	char err[256];
};

/* ---- the hot path: inline, no calls unless something is requested ---- */

static inline bool task_should_stop(const struct task *t)
{
	return atomic_load_explicit(t->stop, memory_order_relaxed) != 0;
}

/* Count n operations. Single writer, so a relaxed load + store (no locked RMW). */
static inline void task_ops(struct task *t, uint64_t n)
{
	uint64_t v = atomic_load_explicit(&t->slot->ops, memory_order_relaxed);
	atomic_store_explicit(&t->slot->ops, v + n, memory_order_relaxed);
}

static inline uint64_t task_ops_done(const struct task *t)
{
	return atomic_load_explicit(&t->slot->ops, memory_order_relaxed);
}

void task_checkpoint_slow(struct task *t);
/* A switch point: free under threads/processes; the coroutine driver switches here when a
 * time slice is over, the GIL driver drops the lock here when asked (the eval breaker). */
static inline void task_checkpoint(struct task *t)
{
	if (task_unlikely(atomic_load_explicit(t->brk, memory_order_relaxed)))
		task_checkpoint_slow(t);
}

/* A switch point inside one statement of the program a worker models (between the load and
 * the store of `x += 1`): a checkpoint where the driver switches between any two bytecodes
 * (CPython before 3.10, gevent's timer), nothing where it switches only at back-edges and
 * calls (run->coarse_checkpoints: CPython 3.10+). */
static inline void task_checkpoint_mid(struct task *t)
{
	if (!t->run->coarse_checkpoints)
		task_checkpoint(t);
}

/* ---- blocking: every call goes through the driver ---- */

/* Sleep ns (a blocking wait, like time.sleep). Returns 0, or -ECANCELED if the run is
 * stopping (the sleep is cut short). */
int task_sleep_ns(struct task *t, uint64_t ns);
int task_wait_slow(struct task *t, _Atomic unsigned *word, unsigned expected, uint64_t timeout_ns);
/* Futex-shaped: block while *word == expected, at most timeout_ns (TASK_FOREVER: no limit).
 * Returns 0 when woken, -EAGAIN if *word != expected on entry, -ETIMEDOUT. May return 0
 * spuriously, in particular while the run is stopping: re-check the condition and
 * task_should_stop(). `word` must be in task_shm_alloc() memory. */
static inline int task_wait(struct task *t, _Atomic unsigned *word, unsigned expected, uint64_t timeout_ns)
{
	/* An injected fault or a stopping run take the slow path (task.c). */
	if (task_unlikely(atomic_load_explicit(&t->slot->fault, memory_order_relaxed) |
	                  atomic_load_explicit(t->stop, memory_order_relaxed)))
		return task_wait_slow(t, word, expected, timeout_ns);
	return t->wait(t, word, expected, timeout_ns);
}
/* Wake up to n waiters on word (INT_MAX: all). Returns the number woken if known, else 0. */
static inline int task_wake(struct task *t, _Atomic unsigned *word, int n)
{
	return t->wake(t, word, n);
}
/* Give other workers a chance to run (sched_yield, a coroutine switch, a GIL handover). */
void task_yield(struct task *t);
/* Wait until fd is ready for `events` (POLLIN, POLLOUT of <poll.h>), at most timeout_ns
 * (TASK_FOREVER: no limit): the one way a worker blocks on a file descriptor. Make the fd
 * O_NONBLOCK, and call this when read/write says EAGAIN, then try again. The driver decides
 * what waiting means: poll() that the stop request interrupts (threads, processes), the same
 * with the GIL released (gil), the coroutine parked while its scheduler watches the fd
 * (coroutines; the scheduler thread never blocks in a read or write). Returns 0 when the fd
 * is ready, or has an error or hang-up condition (the next read/write reports which);
 * -ETIMEDOUT; -ECANCELED once the run is stopping (at once if it already is: a caller that
 * must go on, say to drain, task_yield()s and retries); -EBADF if fd is not open; another
 * -errno of poll. Readiness is a hint: another worker may take the data first. */
int task_wait_fd(struct task *t, int fd, short events, uint64_t timeout_ns);

/* Record why this worker failed; returns -1 for `return task_fail(t, ...)`. */
int task_fail(struct task *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Monotonic clock in ns, comparable across processes. */
uint64_t task_now_ns(void);

/* ---- primitives built once on wait/wake (live in task_shm_alloc memory, zeroed = ready) ---- */

/* Mutex: Drepper's three-state futex lock (0 free, 1 locked, 2 locked with waiters). */
struct task_mutex { _Atomic unsigned word; };
void task_mutex_lock(struct task *t, struct task_mutex *m);
void task_mutex_unlock(struct task *t, struct task_mutex *m);

/* Counting semaphore. Set count with task_sem_init() in setup. task_sem_down returns 0 when
 * acquired, -ECANCELED if the run stopped while waiting (not acquired). */
struct task_sem { _Atomic unsigned count; _Atomic unsigned waiters; };
void task_sem_init(struct task_sem *s, unsigned count);
int task_sem_down(struct task *t, struct task_sem *s);
void task_sem_up(struct task *t, struct task_sem *s);

/* Barrier for n workers; returns 0, or -ECANCELED if the run stopped while waiting. */
struct task_barrier { _Atomic unsigned arrived; _Atomic unsigned generation; unsigned n; };
void task_barrier_init(struct task_barrier *b, unsigned n);
int task_barrier_wait(struct task *t, struct task_barrier *b);

/* ---- the messages style: channels and counters ----
 * A second way for workers to share, for workers that have no memory in common (MPI ranks on
 * several hosts): a workload made with share=messages talks only through these objects,
 * created in setup. Every driver whose workers run C code implements them over shared memory
 * (a ring with two semaphores, an atomic word and a task mutex); the mpi driver over MPI
 * (point-to-point messages; one-sided RMA for the counter). Ask for TASK_CAP_MESSAGES. */
#define TASK_MSG_OBJS 64                 /* channels, and counters, per run */
#define TASK_MSG_SIZE 256                /* bytes of one message at most */

/* A bounded channel of messages to one receiver, its owner: any worker sends, only the owner
 * receives. Capacity: messages sent and not yet received (over shared memory: in the ring, all
 * senders together; under mpi: per sender, by credits the owner returns every cap/2). */
struct task_chan {
	unsigned id, owner, cap, size;
	struct task_sem free, items;
	struct task_mutex m;
	unsigned head, tail;
	char *buf;                        /* cap * size */
};
/* A shared 64-bit counter: get and put (racy `x += 1` when done in two steps), an atomic
 * fetch-add, and a lock for a critical section around get/put. */
struct task_counter {
	unsigned id;
	_Atomic uint64_t v;               /* the value (under mpi: copied back after the run) */
	struct task_mutex m;
};
struct task_msg_reg {
	unsigned nchan, ncounter;
	struct task_chan *chan[TASK_MSG_OBJS];
	struct task_counter *counter[TASK_MSG_OBJS];
};
/* A driver's own implementation (driver_ops.msg); NULL: shared memory (task.c). */
struct task_msg_ops {
	int (*send)(struct task *t, struct task_chan *c, const void *msg, size_t len);
	int (*recv)(struct task *t, struct task_chan *c, void *msg, size_t len);
	uint64_t (*get)(struct task *t, struct task_counter *c);
	void (*put)(struct task *t, struct task_counter *c, uint64_t v);
	uint64_t (*fetch_add)(struct task *t, struct task_counter *c, uint64_t d);
	void (*lock)(struct task *t, struct task_counter *c);
	void (*unlock)(struct task *t, struct task_counter *c);
};

/* setup: a channel to worker `owner` holding `cap` messages of at most `size` bytes; a counter
 * starting at `initial`. NULL with r->err set (too many objects, sizes out of range, memory). */
struct task_chan *task_chan_new(struct run *r, unsigned owner, unsigned cap, unsigned size);
struct task_counter *task_counter_new(struct run *r, uint64_t initial);
/* Send len <= size bytes: blocks while the channel is full. 0, or -ECANCELED (the run stopped
 * and there is no room), -EINVAL (len). */
int task_send(struct task *t, struct task_chan *c, const void *msg, size_t len);
/* Receive into buf (len >= size) as the owner: blocks while empty. The message's length, or
 * -ECANCELED (the run stopped and nothing is there), -EPERM (not the owner), -EINVAL. */
int task_recv(struct task *t, struct task_chan *c, void *buf, size_t len);
uint64_t task_counter_get(struct task *t, struct task_counter *c);
void task_counter_put(struct task *t, struct task_counter *c, uint64_t v);
uint64_t task_counter_fetch_add(struct task *t, struct task_counter *c, uint64_t d);
void task_counter_lock(struct task *t, struct task_counter *c);
void task_counter_unlock(struct task *t, struct task_counter *c);
/* verify: the counter's final value. */
uint64_t task_counter_value(const struct run *r, const struct task_counter *c);

/* ---- what the driver of a run can do ---- */

/* Capabilities (and properties) of a driver. A workload whose mode needs one asks for it
 * with run_need_caps() in setup, never for a driver by name (fio's FIO_PIPEIO flags), so a
 * new driver runs every mode whose needs it meets. Drivers declare theirs in
 * driver_ops.flags (drivers/driver.h). */
enum task_cap {
	TASK_CAP_SHARED_AS = 1u << 0,    /* workers share the cell process's address space: what
	                                  * setup mallocs is one object for all of them */
	TASK_CAP_PARALLEL = 1u << 1,     /* workers can run on several cores at once */
	TASK_CAP_COOPERATIVE = 1u << 2,  /* workload code runs one worker at a time, switching only at
	                                  * checkpoints and blocking task-API calls */
	TASK_CAP_INHERIT_FDS = 1u << 3,  /* descriptors setup opened (pipes, sockets) are open in
	                                  * every worker */
	TASK_CAP_MESSAGES = 1u << 4,     /* the messages style below (channels, counters): over shared
	                                  * memory (thread, process, coroutine, gil) or the driver's own
	                                  * (driver_ops.msg: mpi); the python drivers have none */
};
#define TASK_CAPS_ALL (TASK_CAP_SHARED_AS | TASK_CAP_PARALLEL | TASK_CAP_COOPERATIVE | TASK_CAP_INHERIT_FDS | \
                       TASK_CAP_MESSAGES)

/* The enum task_cap bits of the run's driver. */
unsigned run_caps(const struct run *r);
/* 0 if the run's driver has every capability in `need`; else -ENOTSUP with the reason in
 * r->err ("<what> needs <capability>, which driver <name> does not give"): return it from
 * setup and the cell is skipped with that reason. `what` names the mode ("queue=pipe"). */
int run_need_caps(struct run *r, unsigned need, const char *what);

/* ---- for workload setup/verify (parent side) ---- */

/* Zeroed memory visible to every worker of this run; only from workload setup. NULL on failure. */
void *task_shm_alloc(struct run *r, size_t size);
/* Knob values of this cell (workload or driver knob). Asking for an unknown name aborts:
 * that is a bug in the workload, caught by the registry test. */
int64_t run_knob_int(const struct run *r, const char *name);
double run_knob_double(const struct run *r, const char *name);
int run_knob_enum(const struct run *r, const char *name);     /* index into choices */
const char *run_knob_text(const struct run *r, const char *name);
/* Record a metric of this repetition (verify); it goes to the results and its summary. */
void run_metric(struct run *r, const char *name, double value);
/* Record one worker's value of a per-worker metric (verify, or a driver's metrics hook); the
 * results show it as an array of nworkers values (0 for workers never given one). */
void run_worker_metric(struct run *r, const char *name, unsigned worker, double value);
/* Free the per-worker metric arrays (the runner, after the repetition was encoded). */
void run_metrics_free(struct run *r);
/* Fail this repetition from setup/verify with a reason; returns -1. */
int run_fail(struct run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The sum of ops over all workers (verify). */
uint64_t run_total_ops(const struct run *r);

/* ---- for drivers ---- */

/* The body every driver runs in each worker, in the worker's own thread/process/coroutine:
 * marks ready, waits at the gate (through the driver's wait), accounts CPU, runs the workload,
 * records the result and reports done. Returns the workload's status (0 ok). */
int task_main(struct task *t);
/* For wait_fd hooks: poll fd once without blocking. 1 ready (for events, or an error or
 * hang-up condition), 0 not ready, -EBADF if fd is not open, or -errno of poll. */
int task_fd_ready(int fd, short events);
/* A driver without a wait_fd hook: task_wait_fd looks at the fd this often, sleeping through
 * the driver's sleep_ns in between. */
#define TASK_FD_POLL_NS 50000u
/* CPU accounting of the calling OS thread (RUSAGE_THREAD); a driver that multiplexes many
 * workers on one thread (coroutines) accounts itself and sets `self_accounting`. */
void task_account_begin(struct task *t);
void task_account_end(struct task *t);

#endif
