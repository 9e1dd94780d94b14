/* runner: runs cells. A cell (workload x driver x workers x knobs) runs in its own forked
 * "cell process" so that a crashing or hanging worker, even a thread, fails only its cell:
 * the cell process streams one JSON line per repetition back over a pipe, bench watches it
 * with a watchdog, kills its process group when it hangs, and reaps everything (bench is a
 * child subreaper, so orphaned worker processes come back to it). */
#ifndef BENCH_RUNNER_H
#define BENCH_RUNNER_H

#include <signal.h>

#include "bench/core/opt.h"
#include "bench/machine/topo.h"

struct results_cell;
struct workload;
struct driver_ops;

struct runner_config {
	double duration_s;            /* per repetition, for duration-bound workloads */
	unsigned reps, warmup;        /* reps: the count, or with reps_auto the minimum (reps.h) */
	int reps_auto;                /* --reps auto */
	int keep_disturbed;           /* disturbed repetitions count, and are not run again */
	double ci_target;             /* auto: relative half-width of the median's 95% CI; 0: the
	                                 workload's ci_target, or REPS_AUTO_TARGET */
	double cell_budget_s;         /* auto: each cell's time budget; 0: a share of run_budget_s */
	double run_budget_s;          /* auto without cell_budget_s: the whole run's time, the cells
	                                 left sharing what is left of it (at most RUNNER_CELL_BUDGET_MAX
	                                 each), so cells that stop early leave time to noisy ones */
	double timeout_s;             /* watchdog per repetition (beyond the duration) */
	double stop_grace_s;          /* how long workers get to return after stop */
	struct topo_policy pin;
	int progress;                 /* print progress to stderr */
};

#define RUNNER_CELL_BUDGET_MAX 10.0

struct cell_spec {
	const struct workload *wl;
	const struct driver_ops *drv;
	unsigned workers;
	struct knobset knobs;         /* resolved with runner_resolve_knobs() */
	unsigned index, total;        /* for progress lines */
};

/* Knobs of the harness itself, valid for every workload and driver (fault injection):
 * -O fault=none|crash|abort|hang|exit1|oom|stall -O fault_worker=I -O fault_after_ms=T.
 * They appear in a cell's knobs only when given. */
extern const struct knob runner_knobs[];

/* Set by the handler that runner_install_signals() installs for SIGINT, SIGTERM, SIGQUIT and
 * SIGHUP (unless SIGHUP is ignored at start, as under nohup); it also ignores SIGPIPE. A run
 * stops after the current cell, writes its partial results and exits with 128 + signal. */
extern volatile sig_atomic_t runner_signal;
void runner_install_signals(void);
/* Once per bench process: become a child subreaper. */
void runner_init(void);

/* Async-signal-safe: in a cell process, report msg as the reason the cell failed (it reaches
 * the results even if the process dies right after, e.g. from a signal handler that found a
 * coroutine stack overflow). Does nothing outside a cell process. */
void runner_cell_fatal(const char *msg);

/* Whether the cell cannot run here (its driver is unavailable, or it has fewer workers than
 * its workload needs): 1 with the reason in why (the cell's "skipped" error), or 0. bench run
 * skips such a cell; bench run --dry-run shows it. */
int runner_skip_reason(const struct cell_spec *spec, char *why, size_t len);
/* Run one cell in a cell process, adding its repetitions to out and finishing it.
 * Returns 0 if the cell ran (ok, failed or skipped), -EINTR if a signal interrupted it
 * (out is finished as failed/"interrupted"). */
int runner_run_cell(const struct runner_config *cfg, const struct cell_spec *spec,
                    struct results_cell *out);
/* Same, but inside the calling process (no isolation). For tests and debugging. */
int runner_run_cell_inproc(const struct runner_config *cfg, const struct cell_spec *spec,
                           struct results_cell *out);
/* Resolve the knob set of a cell: defaults of wl and drv, then the assignments that name one
 * of their knobs (sweeps already expanded: vals[0] is used). Assignments naming neither are
 * ignored here; the CLI rejects names no selected workload or driver knows. 0 or -EINVAL. */
int runner_resolve_knobs(const struct workload *wl, const struct driver_ops *drv,
                         const struct knob_assign *given, unsigned ngiven, struct knobset *out,
                         char *err, size_t errlen);

#endif
