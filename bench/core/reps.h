/* reps: how many measured repetitions a cell runs (bench run --reps N | auto), decided in the
 * process that runs the cell after each repetition. Pure: no I/O, no clock.
 *
 * A repetition counts ("good") when it is ok and not disturbed (interference.h), or ok at all
 * with --keep-disturbed. A disturbed one stays in the results but is run again, within bounds:
 *  - fixed (--reps N): until N count, or 2N were measured (N re-runs). reason "fixed".
 *  - auto (--reps auto): REPS_AUTO_MIN measured whatever happens; more until that many count
 *    (re-runs of disturbed ones), unless 2 x that many were measured ("max_reps") or the budget
 *    below is spent ("budget": a loaded machine must not double the run), except that the
 *    first REPS_RERUNS_PAST_BUDGET re-runs are granted past it: one disturbed repetition of a
 *    quiet run must not make its cell unstable (bench run --claims, 44 cells sharing 60 s,
 *    had about 1.4 s a cell, no room for any re-run: 2 cells unstable in a quiet run, 2
 *    claims unreliable), and a loaded machine still stretches a cell by one repetition at
 *    most; then more until the 95% CI of the median of the primary metric
 *    (stats_median_ci95_halfwidth) is within +-target of the median ("ci_target"), or the
 *    next repetition would overrun the cell's time budget (elapsed + the last repetition's
 *    time > budget: "budget"), or REPS_AUTO_MAX were measured ("max_reps"). The minimum is
 *    5 so that bench compare can judge the cell at all (Mann-Whitney with 5 against 5 can
 *    reach p = 0.008; with 3 against 3 no difference is ever significant at 0.05). The default
 *    target is 1% (pyperf's "95% certainly of less than 1% variation"); a workload may set
 *    a looser one (struct workload.ci_target: the hand-off workloads, whose repetitions vary
 *    by 5-50% on a shared VM, use 3%).
 * Unstable (cell status "unstable"): fewer repetitions count than the cell asked for (N, or the
 * auto minimum) once the re-runs are spent. Never with --keep-disturbed: the user asked for
 * every repetition to count (each still says whether it was disturbed, and reps_stop how many
 * were). */
#ifndef BENCH_REPS_H
#define BENCH_REPS_H

#define REPS_AUTO_MIN 5
#define REPS_AUTO_MAX 100
#define REPS_AUTO_TARGET 0.01
#define REPS_RERUNS_PAST_BUDGET 1

enum reps_reason { REPS_GO_ON = 0, REPS_FIXED, REPS_CI_TARGET, REPS_BUDGET, REPS_MAX_REPS };

struct reps_policy {
	int automatic;
	unsigned reps;                 /* fixed: the count; auto: the minimum */
	unsigned max_reps;             /* auto: the most measured repetitions */
	double target;                 /* auto: relative half-width of the median's 95% CI */
	double budget_s;               /* auto: the cell's time budget, s */
	int keep_disturbed;
};

struct reps_state {
	unsigned measured;             /* measured repetitions so far (ok ones: a failed one ends the cell) */
	unsigned disturbed;            /* of them, disturbed */
	const double *good;            /* the primary metric of the ones that count */
	unsigned ngood;
	double elapsed_s;              /* since the cell started (warm-up included) */
	double last_rep_s;             /* how long the last repetition took, start to end */
};

/* REPS_GO_ON: run another; otherwise why to stop. */
enum reps_reason reps_decide(const struct reps_policy *pol, const struct reps_state *st);
/* "fixed", "ci_target", "budget", "max_reps" ("" for REPS_GO_ON). */
const char *reps_reason_name(enum reps_reason r);
/* The relative half-width of the 95% CI of the median of x[0..n) (NAN: cannot tell). */
double reps_rel_halfwidth(const double *x, unsigned n);
int reps_unstable(const struct reps_policy *pol, const struct reps_state *st);

#endif
