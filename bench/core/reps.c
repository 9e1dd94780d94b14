/* reps: the stopping rule of reps.h. */
#include "bench/core/reps.h"

#include <math.h>

#include "bench/stats/stats.h"

const char *reps_reason_name(enum reps_reason r)
{
	static const char *const names[] = { "", "fixed", "ci_target", "budget", "max_reps" };
	return (unsigned)r < sizeof names / sizeof *names ? names[r] : "";
}

double reps_rel_halfwidth(const double *x, unsigned n)
{
	double med = stats_median(x, n), h = stats_median_ci95_halfwidth(x, n);
	if (!isfinite(h) || !isfinite(med))
		return NAN;
	if (med == 0)
		return h == 0 ? 0 : NAN;
	return h / fabs(med);
}

/* The re-runs are spent: as many repetitions again as were asked for were measured. */
static int reruns_spent(const struct reps_policy *pol, const struct reps_state *st)
{
	return st->measured >= 2 * pol->reps;
}

enum reps_reason reps_decide(const struct reps_policy *pol, const struct reps_state *st)
{
	if (!pol->automatic)
		return st->ngood >= pol->reps || reruns_spent(pol, st) ? REPS_FIXED : REPS_GO_ON;
	int over_budget = st->elapsed_s + st->last_rep_s > pol->budget_s;
	if (st->ngood < pol->reps) {
		if (st->measured < pol->reps)
			return REPS_GO_ON;
		if (reruns_spent(pol, st))
			return REPS_MAX_REPS;
		/* the first re-run is granted past the budget (REPS_RERUNS_PAST_BUDGET) */
		return over_budget && st->measured >= pol->reps + REPS_RERUNS_PAST_BUDGET ? REPS_BUDGET : REPS_GO_ON;
	}
	double rel = reps_rel_halfwidth(st->good, st->ngood);
	if (rel <= pol->target)
		return REPS_CI_TARGET;
	if (st->measured >= pol->max_reps)
		return REPS_MAX_REPS;
	return over_budget ? REPS_BUDGET : REPS_GO_ON;
}

int reps_unstable(const struct reps_policy *pol, const struct reps_state *st)
{
	return !pol->keep_disturbed && st->ngood < pol->reps;
}
