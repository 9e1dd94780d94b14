/* names: every workload, knob and metric name that the figures (plot/figures.c) and the claim
 * rules (plot/claims.c) read, in one table. When a workload or driver renames a run_metric()
 * or a knob, change it here only. The comments say which file emits each name. What plot knows
 * of drivers (model, colour, order, metric prefix) and of a workload's op unit comes from the
 * driver and workload tables (drivers/driver.h, workloads/workload.h), not from here. */
#ifndef BENCH_PLOT_NAMES_H
#define BENCH_PLOT_NAMES_H

/* ---- workloads (workloads/<name>.c, .name) ---- */
#define W_CPU_SPIN "cpu-spin"
#define W_SLEEP_IO "sleep-io"
#define W_COUNTER "shared-counter"
#define W_PC "producer-consumer"
#define W_PINGPONG "pingpong"

/* ---- harness metrics of every repetition (bench/results.c, results_rep_encode) ---- */
#define M_WALL "wall_s"                  /* s, gate open -> last worker done */
#define M_SPAWN "spawn_s"                /* s, create every worker until all wait at the gate */
#define M_UTIL "util_cores"              /* (user+sys CPU of the workers) / wall: cores */
#define M_OPS "ops"                     /* ops of the repetition, all workers */
#define M_OPS_S "ops_per_s"
#define M_FAIRNESS "fairness"            /* Jain's index of worker_ops */
#define M_MEM_PER_WORKER "mem_per_worker_kb" /* KiB per worker (bench/runner.c); optional */

/* ---- sleep-io (workloads/sleep_io.c) ---- */
#define K_SIO_WAIT_US "wait_us"
#define K_SIO_LIMIT "limit"              /* semaphore of k; 0: none */
#define K_SIO_SPINNERS "spinners"        /* workers that spin instead of waiting */
#define M_SIO_WAITERS "waiters"
#define M_SIO_IDEAL_WALL "ideal_wall_s"  /* count x wait x ceil(waiters/limit) */
#define M_SIO_WAITER_WALL "waiter_wall_s"
#define M_SIO_OVERLAP "overlap_efficiency"   /* ideal / waiter wall */
#define M_SIO_MAX_INSIDE "max_inside"    /* peak waiters inside the semaphore (limit > 0 only) */
#define M_SIO_P50 "waiter_overshoot_p50_us"
#define M_SIO_P90 "waiter_overshoot_p90_us"
#define M_SIO_P99 "waiter_overshoot_p99_us"
#define M_SIO_P999 "waiter_overshoot_p999_us"

/* ---- shared-counter (workloads/shared_counter.c) ---- */
#define K_SC_SYNC "sync"                 /* none|atomic|mutex|spin|local */
#define K_SC_GAP_US "gap_us"             /* blocking wait inside the read-modify-write */
#define V_SC_NONE "none"
#define V_SC_MUTEX "mutex"
#define M_SC_LOST "lost_updates"
#define M_SC_LOST_FRACTION "lost_fraction"

/* ---- producer-consumer (workloads/producer_consumer.c) ---- */
#define K_PC_QUEUE "queue"               /* lock|spsc|pipe */
#define V_PC_LOCK "lock"
#define M_PC_PRODUCERS "producers"       /* workers 0..P-1 produce, then C consumers */
#define M_PC_CONSUMERS "consumers"
#define M_PC_P50 "latency_p50_ns"        /* handoff latency, into the queue -> out of it */
#define M_PC_P90 "latency_p90_ns"
#define M_PC_P99 "latency_p99_ns"
#define M_PC_P999 "latency_p999_ns"

/* ---- pingpong (workloads/pingpong.c) ---- */
#define K_PP_MODE "mode"                 /* wait|spin */
#define V_PP_WAIT "wait"
#define M_PP_HANDOFF_NS "handoff_ns"     /* ns per one-way handoff */

/* ---- gil driver (drivers/gil.c) ---- */
#define K_GIL_INTERVAL_US "interval_us"

#endif
