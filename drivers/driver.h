/* driver: how workers exist, are pinned, block and switch.
 *
 * One const `struct driver_ops` per driver, filled with designated initialisers, registered
 * once in DRIVERS(X) below and checked by driver_check() at start-up (fio check_engine_ops).
 * All hooks run in the cell process (a forked child of `bench` that runs one cell, so a crash
 * of any worker fails only that cell) unless marked [worker]: those run in the worker's own
 * thread, process or coroutine.
 *
 * Lifecycle of one repetition, driven by the runner:
 *   init -> shm_alloc (control block, then the workload's) -> spawn x N -> [workers park at
 *   the gate] -> start -> ... duration ... -> stop (repeated until every worker is done)
 *   -> join -> cleanup
 * Adding a driver: write drivers/<name>.c with a `const struct driver_ops driver_<name>`
 * whose flags declare its capabilities (workloads ask for those, never for a name) and whose
 * model, color and metric_prefix say how plot shows it (figures and claims read those), add
 * X(name) to DRIVERS below, document it in BENCHMARKS.md, and test it (the registry, skeleton,
 * wait_fd and pipe suites iterate over the table). */
#ifndef BENCH_DRIVER_H
#define BENCH_DRIVER_H

#include <stddef.h>
#include <stdint.h>

#include "bench/core/task.h"

#define DRIVER_API_VERSION 1

/* The low bits are the capabilities workloads may ask for (enum task_cap in task.h, which
 * says what each promises); the others tell the runner how to treat the driver. */
enum driver_flags {
	DRIVER_SHARED_AS = TASK_CAP_SHARED_AS,
	DRIVER_PARALLEL = TASK_CAP_PARALLEL,
	DRIVER_COOPERATIVE = TASK_CAP_COOPERATIVE,
	DRIVER_INHERIT_FDS = TASK_CAP_INHERIT_FDS,
	DRIVER_MESSAGES = TASK_CAP_MESSAGES,
	DRIVER_SELF_ACCOUNTING = 1u << 16, /* the driver fills utime/stime per worker itself */
	DRIVER_FOREIGN = 1u << 17,         /* workers run the workload's twin in another language (the
	                                    * python drivers): only workloads with a twin, never a C run() */
	DRIVER_EXEC = 1u << 18,            /* workers are another program (the mpi driver's ranks): they
	                                    * run the registered workloads (and the skeleton), not a
	                                    * struct workload that exists only in the cell process */
};

/* The concurrency model a driver realises: what the tutorials' claims speak of ("threads",
 * "processes", ...; plot/claims.c), and the order figures and tables show drivers in (the
 * enum's order; drivers of one model by name). Declared, not derived from the flags: coroutines
 * and GIL threads have the same capabilities (one address space, one worker at a time), and
 * differ in what a worker is, a user-level context or an OS thread behind a lock.
 * tests/test_plot.c checks every driver's model against its flags. */
enum driver_model {
	DRIVER_MODEL_NONE,            /* not declared: shown after the others, in no claim */
	DRIVER_MODEL_THREADS,         /* OS threads of one process, in parallel (SHARED_AS | PARALLEL) */
	DRIVER_MODEL_GIL_THREADS,     /* OS threads that run workload code one at a time under a global
	                               * interpreter lock, as CPython's (SHARED_AS | COOPERATIVE) */
	DRIVER_MODEL_COROUTINES,      /* user-level tasks switched at checkpoints and blocking calls,
	                               * as gevent's (SHARED_AS | COOPERATIVE) */
	DRIVER_MODEL_PROCESSES,       /* OS processes, in parallel, sharing only what is allocated
	                               * shared (PARALLEL, not SHARED_AS) */
	DRIVER_MODELS
};

struct driver_ops {
	const char *name;
	const char *summary;
	int version;                     /* DRIVER_API_VERSION */
	unsigned flags;                  /* enum driver_flags: capabilities and runner hints */
	const char *unsupported;         /* non-NULL: why it cannot run on this machine/build */
	const struct knob *knobs;        /* -O knobs of this driver, or NULL */
	/* How results of this driver are shown and read (plot/ and the report take these from the
	 * table, never from a driver's name): */
	enum driver_model model;
	const char *color;               /* "#rrggbb" of its bars and lines in every figure; NULL: a default */
	const char *metric_prefix;       /* its own run_metric()s start with this ("gil_"): the report
	                                  * lists them apart; NULL: it records none */

	/* Once per repetition, before anything else. May set run->drv_priv. 0 or -errno. */
	int (*init)(struct run *r);
	/* Zeroed memory visible to every worker (threads: heap; processes: MAP_SHARED before
	 * fork). Freed by cleanup. NULL on failure. Called only before spawn. */
	void *(*shm_alloc)(struct run *r, size_t size);
	/* Create worker t->id, bound to r->pus[t->id] (-1: unbound), running task_main(t).
	 * The worker parks at the gate; spawn need not wait for it. 0 or -errno. */
	int (*spawn)(struct run *r, struct task *t);
	/* Open the start gate: every parked worker begins. 0 or -errno. */
	int (*start)(struct run *r);
	/* The runner has set r->sh->stop; wake every worker that may be blocked (sleepers,
	 * waiters on any word). Called repeatedly until all workers are done, so it may race. */
	void (*stop)(struct run *r);
	/* Wait for every worker. 0 iff all returned 0; otherwise -1 with r->err saying which
	 * worker failed and how (exit code, signal). Only called once all are done or stuck. */
	int (*join)(struct run *r);
	/* [optional] Called about every 100 ms while workers run and while stopping. A driver
	 * whose workers can die without reporting (processes killed by a signal) marks each dead
	 * worker TASK_FAILED with the reason in its slot and counts it in r->sh->done, so the
	 * runner does not mistake a crash for a hang. */
	void (*reap)(struct run *r);
	/* [optional] Called once every worker reported done (after stop), before the runner reads
	 * the slots. A DRIVER_SELF_ACCOUNTING driver whose per-worker figures are only final after
	 * the last worker returned (coroutines share a thread's CPU time) fills utime_ns, stime_ns,
	 * nvcsw, nivcsw here; it may also record run_metric()s of the driver. Not called when
	 * workers hung. */
	void (*account)(struct run *r);
	/* Free everything init/shm_alloc/spawn made. Always called, also after failures. */
	void (*cleanup)(struct run *r);
	/* [optional] After join (every worker has returned), before the workload's verify: add
	 * the driver's own measurements of this repetition with run_metric() and
	 * run_worker_metric() (the gil driver: lock waits, switches per second). */
	void (*metrics)(struct run *r);

	/* [worker] Act on a checkpoint request (*t->brk != 0): switch, drop the GIL, ... */
	void (*checkpoint)(struct task *t);
	/* [worker] Let others run. */
	void (*yield)(struct task *t);
	/* [worker] Sleep ns; return early with -ECANCELED when the run stops. */
	int (*sleep_ns)(struct task *t, uint64_t ns);
	/* [worker] Futex semantics, see task_wait(). */
	int (*wait)(struct task *t, _Atomic unsigned *word, unsigned expected, uint64_t timeout_ns);
	/* [worker] See task_wake(). */
	int (*wake)(struct task *t, _Atomic unsigned *word, int n);
	/* [worker, optional] Block until fd is ready for events (poll bits) or timeout_ns passed
	 * (TASK_FOREVER: no limit), without stopping the other workers; results as task_wait_fd(),
	 * which has already returned for fd < 0 and a stopping run. stop() must end the wait
	 * (-ECANCELED) like any other. NULL: task_wait_fd looks at the fd every TASK_FD_POLL_NS and
	 * sleeps through sleep_ns in between. */
	int (*wait_fd)(struct task *t, int fd, short events, uint64_t timeout_ns);
	/* [worker, optional] The messages style (task.h) of this driver; NULL: over shared memory. */
	const struct task_msg_ops *msg;
};

#define DRIVERS(X) \
	X(thread)  \
	X(process) \
	X(coroutine) \
	X(gil)     \
	X(py_thread) \
	X(py_process) \
	X(py_asyncio) \
	X(mpi)

#define DRIVER_EXTERN(n) extern const struct driver_ops driver_##n;
DRIVERS(DRIVER_EXTERN)
#undef DRIVER_EXTERN

extern const struct driver_ops *const driver_table[];
extern const unsigned driver_count;

/* By name; NULL if unknown. */
const struct driver_ops *driver_find(const char *name);
/* 0 if ops is well formed (version, name, every mandatory hook), else -EINVAL with why. */
int driver_check(const struct driver_ops *ops, char *why, size_t len);

#endif
