/* run_plan: the command line of `bench run` parsed into a plan (what to run, how, where to
 * write it) and expanded into cells, without running anything. cmd_run runs the plan; the
 * fuzz target tests/fuzz/fuzz_runargs.c checks it.
 *
 * Rules (BENCHMARKS.md "Reliability"):
 *  - -w, -d and -n take comma-separated lists and may be repeated, with no limit on their
 *    number or on the length of a name; the selection is a set: an entry given twice, or a
 *    sweep value equal to an earlier one (`-O iters=300,0300`), is the same cell and is
 *    merged. A knob is set by one -O (at most RUN_PLAN_MAX_ASSIGN), with at most
 *    OPT_SWEEP_MAX values.
 *  - A worker count is 1..TASK_MAX_WORKERS, on the command line and in a --baseline file.
 *  - A plan has at most RUN_PLAN_MAX_CELLS cells, counted before any cell runs.
 *  - Every refusal is one line on stderr (bench: run: ...) and -EINVAL: exit 2. */
#ifndef BENCH_RUN_PLAN_H
#define BENCH_RUN_PLAN_H

#include <stdio.h>

#include "bench/stats/compare.h"
#include "bench/core/opt.h"
#include "bench/core/runner.h"
#include "bench/machine/topo.h"

/* A cell is a cell process with warm-up + reps repetitions: at the defaults (1 + 5 x 0.2 s,
 * plus fork, spawn and join) 10,000 cells take some 4 hours and make a results file of about
 * 100 MB (10 kB a cell with 2 workers), which compare, plot and report then hold in memory.
 * `--all` is 64 cells here; a larger plan is a typo (one sweep too many), not a
 * measurement: split it into several runs. */
#define RUN_PLAN_MAX_CELLS 10000u
#define RUN_PLAN_MAX_ASSIGN KNOBSET_MAX

#define RUN_DEFAULT_DURATION 0.2
/* Repetitions: `run --all` defaults to --reps auto (bench/core/reps.h: at least 5, more until
 * the median's 95% CI is within the target, or the cell's share of RUN_DEFAULT_RUN_BUDGET is
 * spent), so a survey of every cell takes about a minute on a 2-core VM and spends it on the
 * noisy cells. A plain run defaults to a fixed 5: it is a quick look, or the two sides of an
 * A/B comparison, where equal, known sample sizes keep the test's power the same from run to
 * run; --reps auto is one option away. */
#define RUN_DEFAULT_REPS 5
#define RUN_DEFAULT_RUN_BUDGET 60.0
#define RUN_DEFAULT_WARMUP 1
#define RUN_DEFAULT_TIMEOUT 60.0

/* The settings of a run, in the order of run_plan.set[]. */
enum run_setting { RUN_SET_REPS, RUN_SET_WARMUP, RUN_SET_DURATION, RUN_SET_TIMEOUT, RUN_NSETTINGS };

struct run_plan {
	const struct workload **wl;    /* in the order given, each once */
	unsigned nwl;
	const struct driver_ops **drv;
	unsigned ndrv;
	unsigned *workers;
	unsigned nworkers, workers_cap;
	struct knob_assign *assign;    /* -O, in the order given */
	unsigned nassign;
	struct runner_config cfg;      /* reps, warmup, duration, timeout; pin by run_plan_expand */
	const char *pin, *output, *baseline;
	int all, claims, quiet, confirm, help, pin_set, compare_given;
	int dry_run, json;             /* --dry-run: print the plan (--json: as JSON), run nothing */
	int set[RUN_NSETTINGS];        /* given on the command line, by enum run_setting */
	struct compare_opts copts;     /* with --baseline */
};

struct run_cells {
	struct cell_spec *v;
	unsigned n, cap;
	struct topo_policy *pins;      /* --claims: a pin policy per cell; NULL: the plan's cfg.pin */
	char (*labels)[200];           /* --claims: a label per cell (what sets it apart); NULL: none */
};

/* --claims: the cells every claim of bench report needs (plot/claims.c) and the figures that
 * show them, each row of run_plan.c's claims_rows[] a small plan of its own (its own -d, -n,
 * -O and --pin: pingpong on one PU for the switch, beside it spread for the wake-up), with
 * --reps auto like --all. run_plan_expand returns them with a pin and a label per cell. It
 * runs alone: not with --all, -w, -d, -n, -O, --pin or --baseline. */

/* Parse argv (argv[0] = "run") into p (zeroed first). 0, with p->help set if --help (or a
 * prefix of it, or -h in a group) was given; or -EINVAL / -ENOMEM after one line on stderr. */
int run_plan_parse(int argc, char **argv, struct run_plan *p);
/* The cells of a plan without --baseline: the defaults filled in (every workload with --all,
 * every driver, workers 1 and the PU count), --pin and -O checked, duplicate sweep values
 * merged, the cell count checked against the cap before expanding. 0 (out->v malloc'd), or
 * -EINVAL / -ENOMEM after one line on stderr. */
int run_plan_expand(struct run_plan *p, struct run_cells *out);
void run_cells_free(struct run_cells *c);
/* The limits every plan obeys, whatever made its cells (the command line or a --baseline
 * file named by source, NULL for the command line): at most RUN_PLAN_MAX_CELLS cells, each
 * with 1..TASK_MAX_WORKERS workers. 0, or -E2BIG after one line on stderr. */
int run_plan_check(const struct cell_spec *cells, unsigned n, const char *source);
/* Set p's setting `which` from text, within the range the command line allows (--reps 1..10000
 * or auto,
 * --warmup 0..1000, --duration 0.001..86400 s, --timeout 0.1..86400 s). 0, or -EINVAL (p
 * unchanged, nothing printed). */
int run_plan_set(struct run_plan *p, enum run_setting which, const char *arg);
void run_plan_free(struct run_plan *p);

/* bench run --dry-run: the estimate of a cell's time, from the settings and these overheads,
 * measured here (2-vCPU VM, load 9-10, bench run -w cpu-spin -d thread|process -n 1|2
 * --warmup 0 --duration 0.05 --reps 2 vs --reps 12, wall time by date: 62 ms per extra
 * repetition of 50 ms; py-thread 204 ms; the 2-rep run 160-190 ms): a repetition costs its
 * duration plus RUN_PLAN_REP_OVERHEAD_S (spawn, gate, join, sampling; a foreign driver's
 * interpreter start RUN_PLAN_FOREIGN_REP_OVERHEAD_S), a cell RUN_PLAN_CELL_OVERHEAD_S (its
 * cell process). A self-bounded workload (sleep-io) takes its own time, not --duration: its
 * estimate uses --duration and says so. */
#define RUN_PLAN_REP_OVERHEAD_S 0.015
#define RUN_PLAN_FOREIGN_REP_OVERHEAD_S 0.15
#define RUN_PLAN_EXEC_REP_OVERHEAD_S 0.35 /* mpi: mpirun's start and end, spawn_s 0.28-0.30 s + join_s 0.055 s */
#define RUN_PLAN_CELL_OVERHEAD_S 0.04

/* What the run would spend on one cell: repetitions (warm-ups not included) and seconds, from
 * the fewest (nothing disturbed; auto: REPS_AUTO_MIN) to the most (fixed: every disturbed
 * repetition run again, 2 x reps; auto: REPS_AUTO_MAX, bounded by the cell's budget). A cell
 * the run would skip costs nothing (skipped: its reason). */
struct run_plan_estimate {
	unsigned reps_min, reps_max;
	double min_s, max_s;
	int foreign, self_bounded;
	char skipped[160];            /* "" when the cell runs */
};
/* The estimate of cell c under cfg (reps, warmup, duration, budgets, keep_disturbed). */
void run_plan_estimate(const struct runner_config *cfg, const struct cell_spec *c, struct run_plan_estimate *e);
/* The plan as --dry-run prints it: a line per cell (labels[i], as the run's table labels it;
 * pins[i] its pin policy) with its estimate, then the total; with p->json one JSON object
 * {"settings", "overhead_s", "cells": [{index, label, workload, driver, workers, pin, knobs,
 * skipped, foreign, self_bounded, reps {min,max}, estimate_s {min,max}}], "estimate_s"}. Labels
 * and reasons go through escape.h. */
void run_plan_print(FILE *f, const struct run_plan *p, const struct cell_spec *cells, const char *const *labels,
                    const char *const *pins, unsigned n);

/* BENCH_KEEP_DISTURBED=1 in the environment: --keep-disturbed by default, for `bench run`
 * and `bench ab` (the test suite's runs check behaviour, not timing, on machines that are
 * anything but quiet; tests/lib.sh and tests/CMakeLists.txt set it). Any other value: no. */
int run_plan_keep_disturbed_env(void);

#endif
