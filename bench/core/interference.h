/* interference: what disturbed one repetition, measured in the process that runs the cell, and
 * the rule that calls a repetition "disturbed". The results file records both (contract
 * "schema_version 2": steal_s, other_load_cores, other_load_pu_cores, migrations, run_delay_s,
 * stall_s, disturbed, disturbed_by).
 *
 * What is read, per repetition (between the start gate and the stop request):
 *  - /proc/stat per CPU (USER_HZ ticks): steal on the workers' PUs; every CPU's busy time
 *    (user+nice+system+irq+softirq, steal excluded), minus the cell's own CPU time, is the
 *    other load, machine-wide and on the workers' PUs (all PUs when they are unbound).
 *    The cell's CPU time: the workers' own accounting (their slots) plus the supervising
 *    thread's (CLOCK_THREAD_CPUTIME_ID); a driver's helper thread (the coroutine ticker)
 *    counts as other load, a few thousandths of a core.
 *  - /proc/<tid>/schedstat (2nd field: time runnable but waiting for a CPU) and
 *    /proc/<tid>/sched (se.nr_migrations) of every distinct OS thread that runs workers (the
 *    worker's thread or process; for the coroutine driver the scheduler threads, for the GIL
 *    driver each worker's thread), read at the gate and at the end (schedstat also every
 *    sampler tick); a thread that is gone at the end (a self-bounded worker that returned)
 *    counts what the last tick saw (its migrations: nothing). A kernel without schedstats
 *    leaves run_delay_s and migrations 0.
 *  - helper_cpu_s: the other threads of the worker processes (not the cell's own process),
 *    found by listing /proc/<worker tid>/task at the gate and at the end (a thread born in
 *    between counts whole), their schedstat time on a CPU; up to INTERFERENCE_MAX_GROUPS
 *    worker processes are listed (a cell of 1000 single-threaded processes: the first 64).
 *  - stall: the supervising thread wakes at least every INTERFERENCE_POLL_NS while the
 *    workers run; how late its longest wake-up was. When the VM (steal) or the whole cell
 *    (SIGSTOP) stops, that thread stops too and wakes up late.
 *
 * The rule (interference_judge), each part one reason in disturbed_by:
 *  - steal:      steal_s > 2% of wall_s x the workers' PUs, and more than one tick (a single
 *                /proc/stat tick is 10 ms: below that it cannot be told from rounding).
 *  - other_load: other_load_pu_cores > 0.15 + 2 x PUs x tick / wall_s cores. /proc/stat counts
 *                in ticks, and the tick at each end of the window can carry busy time of the
 *                cell's own phases next to it (spawn before the gate, exit after the stop,
 *                counted as nobody's worker CPU): up to one tick per PU at each end, 0.2 core
 *                for 2 PUs over 0.2 s (a 24 ms repetition of 1000 sleep-io threads right after
 *                30 ms of spawning showed 1.2 cores of such "other load" with nothing else
 *                running). 0.15 core on top of that is still below the 0.43 cores that changed
 *                a verdict in issue 15 and the 0.5 a spinner sharing the PU takes.
 *  - run_delay:  the workers' run delay beyond what the cell itself explains,
 *                run_delay_s - max(0, threads - PUs) x wall_s - helper_cpu_s, is > 5% of
 *                threads x wall_s (a thread that waits 5% of its time for a CPU lost 5% of its
 *                throughput). Oversubscription is the cell's own; so are the other threads of
 *                a worker process (helper_cpu_s: their time on a CPU, each nanosecond of which
 *                can keep one worker of their PU waiting): multiprocessing.Queue's feeder
 *                thread made every py-process producer-consumer repetition "disturbed" (run
 *                delay 0.2 s in 0.5 s on an idle machine).
 *  - stall:      stall_s >= max(20 ms, 5% of wall_s): the cell (or the VM) stopped for longer
 *                than two polls, long enough to move a 0.2 s repetition by 5% or more. Not
 *                judged when the cell oversubscribes its PUs (more worker threads than PUs):
 *                then its own runnable workers keep the supervising thread waiting.
 * Migrations are recorded, not judged: an unbound cell migrates by design.
 * pyperf ("pyperf check", pyperf/_cli.py format_checks) judges a whole benchmark after the fact
 * (std dev > 10% of the mean, min/max >= 50% off the mean, a raw value < 1 ms, not enough
 * values for a 95% CI within 1%) and asks the user to tune the system ("pyperf system tune":
 * isolated CPUs, fixed frequency); it does not say which value was disturbed. We take its 95%
 * / 1% target for --reps auto and add the per-repetition evidence the kernel gives. */
#ifndef BENCH_INTERFERENCE_H
#define BENCH_INTERFERENCE_H

#include <stdint.h>

#include "bench/core/sampler.h"
#include "bench/core/task.h"

#define INTERFERENCE_POLL_NS 10000000ull   /* the supervising thread's longest sleep */
#define INTERFERENCE_MAX_TIDS 1024
#define INTERFERENCE_MAX_GROUPS 64     /* worker processes whose other threads are looked for */
#define INTERFERENCE_MAX_HELPERS 256

/* The rule's input: one repetition's figures. */
struct interference_in {
	double wall_s;               /* the repetition's wall time */
	double tick_s;               /* /proc/stat resolution: 1 / sysconf(_SC_CLK_TCK) */
	unsigned npus;               /* PUs the workers run on (all online ones when unbound) */
	unsigned nthreads;           /* distinct OS threads that run the workers (0: unknown) */
	double steal_s;              /* steal on those PUs */
	double other_load_cores;     /* machine-wide (recorded, not judged) */
	double other_load_pu_cores;  /* on the workers' PUs */
	double run_delay_s;          /* sum over the threads */
	double helper_cpu_s;         /* CPU of the worker processes' other threads: explains run delay */
	double migrations;           /* recorded, not judged */
	double stall_s;              /* the longest late wake-up of the supervising thread */
};

enum interference_reason {
	INTERFERENCE_STEAL = 1u << 0,
	INTERFERENCE_OTHER_LOAD = 1u << 1,
	INTERFERENCE_RUN_DELAY = 1u << 2,
	INTERFERENCE_STALL = 1u << 3,
};

struct interference_verdict {
	int disturbed;
	unsigned reasons;            /* enum interference_reason bits */
	char by[48];                 /* "steal,other_load,run_delay,stall" order; "" if none */
};

/* The rule above, pure: no I/O. */
void interference_judge(const struct interference_in *in, struct interference_verdict *out);
/* Whether two disturbed repetitions of one cell (the two sides of an A/B pair, run one after
 * the other) were disturbed alike: each figure the rule judges differs between them by less
 * than the rule's own threshold for it (steal and run delay as rates, other load in cores; npus,
 * nthreads and tick from a). Load that hits both sides of a pair alike cancels in its ratio,
 * which is what pairing is for; a load that starts or stops between them does not. The caller
 * also asks for the same reasons and no stall (a stall is a burst: never alike). Pure. */
int interference_alike(const struct interference_in *a, const struct interference_in *b);
/* The name of each reason bit, in disturbed_by order; NULL past the last. */
const char *interference_reason_name(unsigned bit_index);

/* ---- the reading, in the process that runs the cell ---- */

struct interference_thread {
	int tid;
	int seen;                    /* read at least once */
	uint64_t delay0, delay;      /* schedstat run delay, ns: first and last reading */
	uint64_t migr0, migr;        /* se.nr_migrations */
};

/* A thread of a worker process that is not a worker (multiprocessing.Queue's feeder thread). */
struct interference_helper {
	int tid;
	uint64_t on0, on;            /* schedstat time on a CPU, ns: at the gate (0 if born later), at the end */
};

struct interference_probe {
	unsigned nthreads;
	struct interference_thread thr[INTERFERENCE_MAX_TIDS];
	unsigned ngroups, nhelpers;
	int group[INTERFERENCE_MAX_GROUPS];                 /* a worker tid of each worker process listed */
	struct interference_helper helper[INTERFERENCE_MAX_HELPERS];
	struct sampler_stat stat0, stat1;   /* /proc/stat at the gate and at the end */
	uint64_t self_cpu0, self_cpu1;      /* the supervising thread's CPU, ns */
	uint64_t max_late_ns;               /* the longest late wake-up */
};

/* At the gate: the distinct OS threads of the workers slots[0..n) (their tid; 0 skipped),
 * their first readings, /proc/stat and the caller's CPU. */
void interference_begin(struct interference_probe *p, const struct task_slot *slots, unsigned n);
/* After a sleep that should have ended at `due` (CLOCK_MONOTONIC ns) and ended at `now`. */
void interference_woke(struct interference_probe *p, uint64_t due, uint64_t now);
/* Every sampler tick: read the threads' run delay again (the last reading that succeeds counts). */
void interference_refresh(struct interference_probe *p);
/* At the end of the run (before stop): the threads once more, /proc/stat, the caller's CPU. */
void interference_end(struct interference_probe *p);
/* The rule's input from the probe: pus[0..nworkers) the workers' bound PUs (-1 unbound),
 * worker_cpu_s the workers' CPU time, wall_s the repetition's. */
void interference_input(const struct interference_probe *p, const int *pus, unsigned nworkers, double worker_cpu_s,
                        double wall_s, struct interference_in *in);

#endif
