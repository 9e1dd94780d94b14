/* claims: each claim the tutorials make, tested on a results file by a rule written here as
 * a small function, with every threshold in the table below. A claim has parts (claim 1: one
 * thread / GIL threads / processes); each part runs one check per matching cell (or pair of
 * cells). Verdicts:
 *   part:  no check -> not measured; all pass -> holds; none -> fails; some -> holds only when
 *          (the setups whose checks passed), except for a strict part (a correctness
 *          guarantee: a lock, a semaphore bound, exactly-once delivery), which one failure fails
 *   claim: a cell it used is unreliable (unstable, or its median repetition disturbed:
 *          plot_cell_unreliable) -> unreliable, naming the other load in each such cell, and
 *          no verdict; every part not measured -> not measured; a part fails -> does not hold;
 *          a part holds only when -> holds only when; else holds (naming parts not measured).
 * Unstable cells are found like ok ones (find); the rules read summaries, which leave
 * disturbed repetitions out, and per-repetition rules skip them likewise (plot_rep_counts).
 * Metric and knob names: plot/names.h; which model (threads, processes, ...) a cell stands for:
 * its driver's .model in the driver table (drivers/driver.h), never its name. */
#define _GNU_SOURCE
#include "plot/claims.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/store/escape.h"
#include "plot/names.h"
#include "bench/stats/stats.h"
#include "bench/store/results.h"

static const struct claim_limits {
	double one_core_lo, one_core_hi; /* 1: one thread uses one core: util_cores in [lo, hi] */
	double gil_cores_max;            /* 1: GIL threads use about one core: util_cores <= this */
	double all_cores_frac;           /* 1: processes use all cores: util >= frac x min(n, CPUs) */
	double lost_min;                 /* 2: "loses updates": median lost_fraction > this */
	double much;                     /* 3, 4: "much more": a ratio of at least this */
	unsigned many_waiters;           /* 5: "many concurrent waits": at least this many waiters */
	double overlap_min;              /* 5: the waits overlap: overlap_efficiency >= this */
	double fair_min;                 /* 7: consumers share the items: Jain's index >= this */
	double convoy_ratio;             /* 8: "suffer": waiters' p50 overshoot >= this x the reference */
} L = {
	.one_core_lo = 0.8,
	.one_core_hi = 1.2,
	.gil_cores_max = 1.3,
	.all_cores_frac = 0.8,
	.lost_min = 0,
	.much = 2.0,
	.many_waiters = 100,
	.overlap_min = 0.8,
	.fair_min = 0.8,
	.convoy_ratio = 5.0,
};

#define MAXC 4096

struct part {
	const char *name;             /* what this part says, short */
	const char *needs;            /* the cells it needs */
	int strict;                   /* a correctness guarantee: one failed check fails the part */
	unsigned n, npass;
	char pass[400], fail[400];    /* labels of the checks that passed / failed */
};

struct eval {
	const struct results_file *f;
	struct claim_result *r;
	struct part part[4];
	unsigned nparts, ncells, more;
	char unreliable[600];         /* "X cores of other load in cell `Y`", a needed cell each */
};

/* plot_find for the claims: cells the selection matches, the measured ones (ok, and unstable:
 * a claim that needs one is unreliable, see use_cell) unless sel asks for any status. */
static unsigned find(const struct results_file *f, struct plot_sel sel, const struct results_file_cell **c)
{
	int any = sel.any_status;
	sel.any_status = 1;
	unsigned n = plot_find(f, &sel, c, MAXC), k = 0;
	for (unsigned i = 0; i < n; i++)
		if (any || plot_cell_measured(c[i]))
			c[k++] = c[i];
	return k;
}

static void append(char *buf, size_t len, const char *sep, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void append(char *buf, size_t len, const char *sep, const char *fmt, ...)
{
	size_t off = strlen(buf);
	if (off && off < len)
		off += (size_t)snprintf(buf + off, len - off, "%s", sep);
	if (off >= len)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf + off, len - off, fmt, ap);
	va_end(ap);
}

static struct part *part_new(struct eval *e, const char *name, const char *needs)
{
	struct part *p = &e->part[e->nparts++];
	memset(p, 0, sizeof *p);
	p->name = name;
	p->needs = needs;
	return p;
}

/* Record a cell in the claim's cells column (once), and if it is unreliable (an unstable cell,
 * a disturbed median repetition) what disturbed it: the claim then gets no verdict. */
static void use_cell(struct eval *e, const struct results_file_cell *c)
{
	char lab[200], key[210];
	double load;
	results_cell_label(lab, sizeof lab, c->workload, c->driver, c->workers);
	snprintf(key, sizeof key, "`%s`", lab);
	if (strstr(e->r->cells, key))
		return;
	if (plot_cell_unreliable(c, &load)) {
		if (isfinite(load))
			append(e->unreliable, sizeof e->unreliable, "; ", "%.2f cores of other load in cell %s", load, key);
		else
			append(e->unreliable, sizeof e->unreliable, "; ", "cell %s %s (other load not recorded)", key,
			       strcmp(c->status, "unstable") ? "disturbed" : "unstable");
	}
	if (e->ncells >= 12) {
		e->more++;
		return;
	}
	append(e->r->cells, sizeof e->r->cells, ", ", "%s", key);
	e->ncells++;
}

/* A cell's error text, for the Markdown of a claim (escape.h). */
static const char *error_md(const struct results_file_cell *c, char *buf, size_t len)
{
	return esc_md(buf, len, c->error ? c->error : "?");
}

/* One check of a part: pass or not, its label (the setup it stands for), what was measured. */
static void check(struct eval *e, struct part *p, int pass, const char *label, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
static void check(struct eval *e, struct part *p, int pass, const char *label, const char *fmt, ...)
{
	char m[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(m, sizeof m, fmt, ap);
	va_end(ap);
	p->n++;
	p->npass += pass != 0;
	append(pass ? p->pass : p->fail, sizeof p->pass, ", ", "%s", label);
	append(e->r->measured, sizeof e->r->measured, "; ", "%s: %s %s", label, m, pass ? "✓" : "✗");
}

static void finish(struct eval *e)
{
	struct claim_result *r = e->r;
	unsigned measured = 0, failed = 0, partial = 0;
	char missing[400] = "", failing[800] = "", when[800] = "";
	for (unsigned i = 0; i < e->nparts; i++) {
		struct part *p = &e->part[i];
		if (!p->n) {
			append(missing, sizeof missing, "; ", "%s (needs %s)", p->name, p->needs);
			continue;
		}
		measured++;
		if (!p->npass || (p->strict && p->npass < p->n)) {
			failed++;
			append(failing, sizeof failing, "; ", "%s (%s)", p->name, p->fail);
		} else if (p->npass < p->n) {
			partial++;
			append(when, sizeof when, "; ", "%s: %s (not: %s)", p->name, p->pass, p->fail);
		}
	}
	if (e->more)
		append(r->cells, sizeof r->cells, ", ", "and %u more", e->more);
	if (*e->unreliable) {
		r->verdict = CLAIM_UNRELIABLE;
		snprintf(r->verdict_text, sizeof r->verdict_text, "unreliable: %s", e->unreliable);
		return;
	}
	if (!measured) {
		r->verdict = CLAIM_NOT_MEASURED;
		snprintf(r->verdict_text, sizeof r->verdict_text, "not measured: %s", missing);
	} else if (failed) {
		r->verdict = CLAIM_FAILS;
		snprintf(r->verdict_text, sizeof r->verdict_text, "does not hold: %s", failing);
		if (partial)
			append(r->verdict_text, sizeof r->verdict_text, "; ", "holds only when %s", when);
	} else if (partial) {
		r->verdict = CLAIM_HOLDS_WHEN;
		snprintf(r->verdict_text, sizeof r->verdict_text, "holds only when %s", when);
	} else {
		r->verdict = CLAIM_HOLDS;
		snprintf(r->verdict_text, sizeof r->verdict_text, "holds");
	}
	if (measured && *missing)
		append(r->verdict_text, sizeof r->verdict_text, " ", "(not measured: %s)", missing);
}

/* A cell's figure for a rule: the median (or the maximum) of its summary; for an unstable cell
 * whose summary lacks it (every repetition disturbed), of all its ok repetitions: the claim is
 * unreliable anyway (use_cell), and its measured column shows what was seen. */
static double stat_of(const struct results_file_cell *c, const char *m, int max)
{
	double v = max ? plot_max(c, m) : plot_med(c, m), x[256], top = -INFINITY;
	unsigned k = 0;
	if (isfinite(v) || strcmp(c->status, "unstable"))
		return v;
	for (unsigned r = 0; r < c->nreps && k < 256; r++) {
		double y = plot_rep_metric(&c->reps[r], m);
		if (c->reps[r].ok && isfinite(y)) {
			x[k++] = y;
			top = y > top ? y : top;
		}
	}
	return !k ? NAN : max ? top : stats_median(x, k);
}

static double med(const struct results_file_cell *c, const char *m)
{
	return stat_of(c, m, 0);
}

static double max_of(const struct results_file_cell *c, const char *m)
{
	return stat_of(c, m, 1);
}

/* The model a cell's driver realises (from the driver table): the claims speak of models. */
static enum driver_model model(const struct results_file_cell *c)
{
	return plot_driver_model(c->driver);
}

/* The names of the drivers of this build that realise m, "a/b": how a claim's text names a model. */
static const char *model_drivers(enum driver_model m, char *buf, size_t len)
{
	buf[0] = 0;
	for (unsigned i = 0; i < driver_count; i++)
		if (driver_table[i]->model == m)
			append(buf, len, "/", "%s", driver_table[i]->name);
	return buf;
}

/* A duration in seconds as "12.3 us". */
static const char *dur(double s, char *buf, size_t len)
{
	if (!isfinite(s))
		snprintf(buf, len, "?");
	else if (s >= 1)
		snprintf(buf, len, "%.3g s", s);
	else if (s >= 1e-3)
		snprintf(buf, len, "%.3g ms", s * 1e3);
	else if (s >= 1e-6)
		snprintf(buf, len, "%.3g us", s * 1e6);
	else
		snprintf(buf, len, "%.3g ns", s * 1e9);
	return buf;
}

/* "thread n=2 gap_us=100": the driver, n, and what varies among set (except exclude). */
static void label(const struct results_file_cell *const *set, unsigned n, const struct results_file_cell *c,
                  const char *exclude, int with_driver, char *buf, size_t len)
{
	char v[256], dk[160];
	char ex[160];
	snprintf(ex, sizeof ex, "driver,workers%s%s", *exclude ? "," : "", exclude);
	plot_varying(set, n, c, ex, v, sizeof v);
	plot_varying_driver(set, n, c, dk, sizeof dk);
	snprintf(buf, len, "%s%sn=%u%s%s%s%s", with_driver ? c->driver : "", with_driver ? " " : "", c->workers,
	         *dk ? " " : "", dk, *v ? " " : "", v);
}

/* ---- 1. CPU-bound: one thread one core; GIL threads about one core; processes all cores */

static void claim_cpu(struct eval *e)
{
	const struct results_file_cell *c[MAXC];
	unsigned n = find(e->f, (struct plot_sel){ .workload = W_CPU_SPIN }, c);
	plot_sort_cells(c, n);
	struct part *one = part_new(e, "one thread", "cpu-spin under thread with 1 worker");
	struct part *gil_part = part_new(e, "GIL threads", "cpu-spin under gil with 2+ workers");
	struct part *proc = part_new(e, "processes", "cpu-spin under process with 2+ workers");
	int cpus = e->f->cpus;
	for (unsigned i = 0; i < n; i++) {
		double u = med(c[i], M_UTIL);
		char lab[300];
		label(c, n, c[i], "", 1, lab, sizeof lab);
		if (!isfinite(u))
			continue;
		if (model(c[i]) == DRIVER_MODEL_THREADS && c[i]->workers == 1) {
			check(e, one, u >= L.one_core_lo && u <= L.one_core_hi, lab, "%.2f cores", u);
			use_cell(e, c[i]);
		} else if (model(c[i]) == DRIVER_MODEL_GIL_THREADS && c[i]->workers >= 2) {
			check(e, gil_part, u <= L.gil_cores_max, lab, "%.2f cores", u);
			use_cell(e, c[i]);
		} else if (model(c[i]) == DRIVER_MODEL_PROCESSES && c[i]->workers >= 2) {
			unsigned want = c[i]->workers < (unsigned)cpus ? c[i]->workers : (unsigned)cpus;
			check(e, proc, u >= L.all_cores_frac * want, lab, "%.2f of %u cores", u, want);
			use_cell(e, c[i]);
		}
	}
}

/* ---- 2. shared counter: unlocked loses updates; a lock fixes it; the GIL alone does not */

static void claim_counter(struct eval *e)
{
	const struct results_file_cell *c[MAXC];
	unsigned n = find(e->f, (struct plot_sel){ .workload = W_COUNTER, .any_status = 1 }, c);
	plot_sort_cells(c, n);
	struct part *loses = part_new(e, "unlocked counter loses updates",
	                              "shared-counter sync=none under thread or process with 2+ workers");
	struct part *lock = part_new(e, "a lock fixes it", "shared-counter sync=mutex with 2+ workers");
	lock->strict = 1;
	struct part *gil_part = part_new(e, "the GIL alone does not fix it", "shared-counter sync=none under gil with 2+ workers");
	for (unsigned i = 0; i < n; i++) {
		const struct results_file_cell *x = c[i];
		const char *sync = results_file_knob(x, K_SC_SYNC);
		int ok = plot_cell_measured(x);
		char lab[300], err[300];
		if (!sync || x->workers < 2 || (!ok && strcmp(x->status, "failed")))
			continue;
		char l0[260];
		label(c, n, x, K_SC_SYNC, 1, l0, sizeof l0);
		snprintf(lab, sizeof lab, "%s sync=%s", l0, sync);
		double lost = med(x, M_SC_LOST_FRACTION), worst = max_of(x, M_SC_LOST_FRACTION);
		if (!strcmp(sync, V_SC_MUTEX)) {
			if (ok)
				check(e, lock, worst == 0, lab, "%.3g%% lost (worst repetition)", worst * 100);
			else
				check(e, lock, 0, lab, "cell failed: %s", error_md(x, err, sizeof err));
			use_cell(e, x);
			continue;
		}
		if (strcmp(sync, V_SC_NONE) || !ok || !isfinite(lost))
			continue;
		if (model(x) == DRIVER_MODEL_THREADS || model(x) == DRIVER_MODEL_PROCESSES) {
			check(e, loses, lost > L.lost_min, lab, "%.3g%% lost", lost * 100);
			use_cell(e, x);
		} else if (model(x) == DRIVER_MODEL_GIL_THREADS) {
			/* Which CPython: the version the gil driver models, or the python driver's interpreter. */
			const char *ver = results_file_knob(x, "python_version");
			double pv = med(x, "py_version");
			char vs[40] = "?";
			if (ver)
				snprintf(vs, sizeof vs, "%s, simulated", ver);
			else if (isfinite(pv))
				snprintf(vs, sizeof vs, "%.0f.%.0f", floor(pv / 100), fmod(pv, 100));
			check(e, gil_part, lost > L.lost_min, lab, "%.3g%% lost (CPython %s)", lost * 100, vs);
			use_cell(e, x);
		}
	}
}

/* ---- 3. creating a process costs much more than creating a thread */

/* Median over cells of (median spawn_s / workers) for a model and worker count. */
static double spawn_per_worker(const struct results_file *f, enum driver_model m, unsigned workers, struct eval *e)
{
	const struct results_file_cell *c[MAXC];
	unsigned n = find(f, (struct plot_sel){ .model = m, .workers = workers }, c), k = 0;
	double v[MAXC];
	for (unsigned i = 0; i < n; i++) {
		double s = med(c[i], M_SPAWN);
		if (isfinite(s) && s > 0) {
			v[k++] = s / workers;
			if (e)
				use_cell(e, c[i]);
		}
	}
	return stats_median(v, k);
}

/* Median over the cells of a model and worker count of the memory per worker (KiB). */
static double mem_per_worker(const struct results_file *f, enum driver_model m, unsigned workers)
{
	const struct results_file_cell *c[MAXC];
	unsigned n = find(f, (struct plot_sel){ .model = m, .workers = workers }, c), k = 0;
	double v[MAXC];
	for (unsigned i = 0; i < n; i++) {
		double kb = med(c[i], M_MEM_PER_WORKER);
		if (isfinite(kb))
			v[k++] = kb;
	}
	return stats_median(v, k);
}

/* The worker counts of the ok cells of a model, ascending. */
static unsigned worker_counts(const struct results_file *f, enum driver_model m, unsigned *w, unsigned max)
{
	unsigned k = 0;
	for (unsigned i = 0; i < f->ncells; i++) {
		const struct results_file_cell *c = &f->cells[i];
		if (model(c) != m || !plot_cell_measured(c))
			continue;
		unsigned j = 0;
		while (j < k && w[j] != c->workers)
			j++;
		if (j == k && k < max)
			w[k++] = c->workers;
	}
	for (unsigned i = 1; i < k; i++) /* insertion sort: few values */
		for (unsigned j = i; j > 0 && w[j - 1] > w[j]; j--) {
			unsigned t = w[j];
			w[j] = w[j - 1];
			w[j - 1] = t;
		}
	return k;
}

static void claim_spawn(struct eval *e)
{
	struct part *p = part_new(e, "process creation much costlier", "cells under thread and process with the same worker count");
	unsigned w[64], nw = worker_counts(e->f, DRIVER_MODEL_PROCESSES, w, 64);
	for (unsigned i = 0; i < nw; i++) {
		double t = spawn_per_worker(e->f, DRIVER_MODEL_THREADS, w[i], NULL);
		if (!isfinite(t))
			continue;
		double pr = spawn_per_worker(e->f, DRIVER_MODEL_PROCESSES, w[i], e);
		spawn_per_worker(e->f, DRIVER_MODEL_THREADS, w[i], e);
		char lab[32], a[32], b[32];
		snprintf(lab, sizeof lab, "n=%u", w[i]);
		check(e, p, pr >= L.much * t, lab, "thread %s, process %s per worker (%.1fx)", dur(t, a, sizeof a),
		      dur(pr, b, sizeof b), pr / t);
	}
}

/* ---- 4. a thread switch is much cheaper than a process switch */

static void claim_switch(struct eval *e)
{
	const struct results_file_cell *c[MAXC];
	unsigned n = find(e->f, (struct plot_sel){ .workload = W_PINGPONG }, c);
	struct part *p = part_new(e, "thread switch much cheaper", "pingpong under thread and process, same pinning");
	for (unsigned i = 0; i < n; i++) {
		if (model(c[i]) != DRIVER_MODEL_PROCESSES)
			continue;
		for (unsigned j = 0; j < n; j++) {
			if (model(c[j]) != DRIVER_MODEL_THREADS || !plot_same_setup(c[i], c[j]))
				continue;
			double pr = med(c[i], M_PP_HANDOFF_NS), th = med(c[j], M_PP_HANDOFF_NS);
			if (!isfinite(pr) || !isfinite(th) || th <= 0)
				continue;
			char lab[300], v[256];
			plot_varying(c, n, c[i], "driver", v, sizeof v);
			snprintf(lab, sizeof lab, "%s", *v ? v : "pingpong");
			check(e, p, pr >= L.much * th, lab, "thread %.0f ns, process %.0f ns per handoff (%.2fx)", th, pr,
			      pr / th);
			use_cell(e, c[i]);
			use_cell(e, c[j]);
			break;
		}
	}
}

/* ---- 5. coroutines suit many concurrent waits and cost least per task */

static int knob_is(const struct results_file_cell *c, const char *k, const char *v)
{
	const char *x = results_file_knob(c, k);
	return x ? !strcmp(x, v) : !strcmp(v, "0"); /* absent knobs count as their default 0 */
}

/* Per-task cost at n workers: coroutine's median spawn time per worker (and memory per worker,
 * when the cells measure it) against every other model's, each over the cells of its model. */
static void coro_cost_at(struct eval *e, struct part *cost, unsigned n)
{
	double cs = spawn_per_worker(e->f, DRIVER_MODEL_COROUTINES, n, NULL);
	double cm = mem_per_worker(e->f, DRIVER_MODEL_COROUTINES, n);
	char txt[400] = "", a[32], lab[32], names[80];
	int pass = 1, any = 0;
	if (!isfinite(cs))
		return;
	for (enum driver_model m = DRIVER_MODEL_THREADS; m < DRIVER_MODELS; m++) {
		if (m == DRIVER_MODEL_COROUTINES)
			continue;
		double s = spawn_per_worker(e->f, m, n, NULL), mem = mem_per_worker(e->f, m, n);
		if (!isfinite(s))
			continue;
		any = 1;
		pass &= cs <= s;
		append(txt, sizeof txt, ", ", "%s %s", model_drivers(m, names, sizeof names), dur(s, a, sizeof a));
		if (isfinite(cm) && isfinite(mem)) {
			pass &= cm <= mem;
			append(txt, sizeof txt, " ", "(%.0f KiB)", mem);
		}
		spawn_per_worker(e->f, m, n, e);
	}
	if (!any)
		return;
	spawn_per_worker(e->f, DRIVER_MODEL_COROUTINES, n, e);
	snprintf(lab, sizeof lab, "n=%u", n);
	model_drivers(DRIVER_MODEL_COROUTINES, names, sizeof names);
	if (isfinite(cm))
		check(e, cost, pass, lab, "spawn per worker: %s %s (%.0f KiB) vs %s", names, dur(cs, a, sizeof a), cm, txt);
	else
		check(e, cost, pass, lab, "spawn per worker: %s %s vs %s", names, dur(cs, a, sizeof a), txt);
}

static void claim_coroutines(struct eval *e)
{
	const struct results_file_cell *c[MAXC];
	unsigned n = find(e->f, (struct plot_sel){ .model = DRIVER_MODEL_COROUTINES }, c);
	plot_sort_cells(c, n);
	struct part *waits = part_new(e, "many concurrent waits overlap",
	                              "sleep-io under coroutine with 100+ workers, no limit, no spinners");
	struct part *cost = part_new(e, "least cost per task",
	                             "cells under coroutine and another driver with the same worker count, 2+ workers");
	for (unsigned i = 0; i < n; i++) {
		const struct results_file_cell *x = c[i];
		char lab[300];
		if (!strcmp(x->workload, W_SLEEP_IO) && knob_is(x, K_SIO_SPINNERS, "0") && knob_is(x, K_SIO_LIMIT, "0")) {
			double waiters = med(x, M_SIO_WAITERS), eff = med(x, M_SIO_OVERLAP);
			if (!isfinite(waiters))
				waiters = x->workers;
			if (waiters >= L.many_waiters && isfinite(eff)) {
				snprintf(lab, sizeof lab, "sleep-io n=%u", x->workers);
				check(e, waits, eff >= L.overlap_min, lab, "overlap efficiency %.2f", eff);
				use_cell(e, x);
			}
		}
	}
	/* Per-task cost, at each worker count n >= 2 that coroutines and another model both ran. */
	unsigned w[64], nw = worker_counts(e->f, DRIVER_MODEL_COROUTINES, w, 64);
	for (unsigned i = 0; i < nw; i++)
		if (w[i] >= 2)
			coro_cost_at(e, cost, w[i]);
}

/* ---- 6. a semaphore of k lets k workers in at once */

static void claim_semaphore(struct eval *e)
{
	const struct results_file_cell *c[MAXC];
	unsigned n = find(e->f, (struct plot_sel){ .workload = W_SLEEP_IO, .knobs = { K_SIO_LIMIT ">0" } }, c);
	plot_sort_cells(c, n);
	struct part *never = part_new(e, "never more than k inside", "sleep-io with -O limit=k and more waiters than k");
	struct part *k_in = part_new(e, "k inside at once", "sleep-io with -O limit=k and more waiters than k");
	never->strict = 1;
	for (unsigned i = 0; i < n; i++) {
		double k = atof(results_file_knob(c[i], K_SIO_LIMIT));
		double waiters = med(c[i], M_SIO_WAITERS), peak = med(c[i], M_SIO_MAX_INSIDE),
		       worst = max_of(c[i], M_SIO_MAX_INSIDE);
		if (!isfinite(waiters))
			waiters = c[i]->workers;
		if (!isfinite(peak) || waiters <= k)
			continue;
		char lab[300], l0[260];
		label(c, n, c[i], K_SIO_LIMIT, 1, l0, sizeof l0);
		snprintf(lab, sizeof lab, "%s limit=%g", l0, k);
		check(e, never, worst <= k, lab, "at most %.0f inside", worst);
		double rounds = med(c[i], "rounds"), ideal = med(c[i], "ideal_rounds");
		if (isfinite(rounds) && isfinite(ideal))
			check(e, k_in, peak == k, lab, "median peak %.0f inside, %.0f rounds (ideal %.0f)", peak, rounds, ideal);
		else
			check(e, k_in, peak == k, lab, "median peak %.0f inside", peak);
		use_cell(e, c[i]);
	}
}

/* ---- 7. a blocking queue balances producers and consumers */

/* Median over ok repetitions of Jain's index of the consumers' items (workers P..P+C-1). */
static double consumer_fairness(const struct results_file_cell *c, unsigned *ncons)
{
	double prod = med(c, M_PC_PRODUCERS), cons = med(c, M_PC_CONSUMERS), v[256];
	unsigned k = 0;
	*ncons = isfinite(cons) ? (unsigned)cons : 0;
	if (!isfinite(prod) || !isfinite(cons) || cons < 1)
		return NAN;
	for (unsigned r = 0; r < c->nreps && k < 256; r++) {
		const struct results_rep *rep = &c->reps[r];
		unsigned p = (unsigned)prod, q = (unsigned)cons;
		if (!plot_rep_counts(c, rep) || p + q > rep->nworkers)
			continue;
		v[k++] = stats_jain(rep->worker_ops + p, q);
	}
	return stats_median(v, k);
}

static void claim_queue(struct eval *e)
{
	const struct results_file_cell *c[MAXC];
	struct plot_sel sel = { .workload = W_PC, .knobs = { K_PC_QUEUE "=" V_PC_LOCK }, .any_status = 1 };
	unsigned n = find(e->f, sel, c);
	plot_sort_cells(c, n);
	struct part *once = part_new(e, "every item handed over exactly once", "producer-consumer with -O queue=lock");
	struct part *share = part_new(e, "consumers share the items",
	                              "producer-consumer with -O queue=lock and 2+ consumers (-n 4)");
	once->strict = 1;
	for (unsigned i = 0; i < n; i++) {
		char lab[300], err[300];
		if (!plot_cell_measured(c[i]) && strcmp(c[i]->status, "failed"))
			continue;
		label(c, n, c[i], K_PC_QUEUE, 1, lab, sizeof lab);
		use_cell(e, c[i]);
		if (!plot_cell_measured(c[i])) {
			check(e, once, 0, lab, "failed: %s", error_md(c[i], err, sizeof err));
			continue;
		}
		check(e, once, 1, lab, "verify passed, %.3g items/s", med(c[i], M_OPS_S));
		unsigned nc;
		double j = consumer_fairness(c[i], &nc);
		if (nc >= 2 && isfinite(j))
			check(e, share, j >= L.fair_min, lab, "%u consumers, Jain's index of their items %.2f", nc, j);
	}
}

/* ---- 8. with the GIL, I/O-bound threads suffer beside CPU-bound ones */

/* The reference of a GIL cell g with spinners: a threads cell of the same setup; else a cell of
 * g's driver without spinners, with the same wait, switch interval and number of waiters. */
static const struct results_file_cell *convoy_ref(const struct results_file_cell *const *c, unsigned n,
                                                  const struct results_file_cell *g)
{
	for (unsigned j = 0; j < n; j++)
		if (model(c[j]) == DRIVER_MODEL_THREADS && plot_same_setup(g, c[j]))
			return c[j];
	for (unsigned j = 0; j < n; j++) {
		const struct results_file_cell *y = c[j];
		const char *w1 = results_file_knob(g, K_SIO_WAIT_US), *w2 = results_file_knob(y, K_SIO_WAIT_US);
		const char *i1 = results_file_knob(g, K_GIL_INTERVAL_US), *i2 = results_file_knob(y, K_GIL_INTERVAL_US);
		if (!strcmp(y->driver, g->driver) && knob_is(y, K_SIO_SPINNERS, "0") && w1 && w2 && !strcmp(w1, w2) &&
		    (!i1 || (i2 && !strcmp(i1, i2))) && med(y, M_SIO_WAITERS) == med(g, M_SIO_WAITERS))
			return y;
	}
	return NULL;
}

static void claim_convoy(struct eval *e)
{
	const struct results_file_cell *c[MAXC];
	unsigned n = find(e->f, (struct plot_sel){ .workload = W_SLEEP_IO }, c);
	plot_sort_cells(c, n);
	struct part *p = part_new(e, "waiters suffer beside spinners under the GIL",
	                          "sleep-io -O spinners=1 under gil, and the same under thread");
	for (unsigned i = 0; i < n; i++) {
		const struct results_file_cell *g = c[i], *ref;
		if (model(g) != DRIVER_MODEL_GIL_THREADS || knob_is(g, K_SIO_SPINNERS, "0"))
			continue;
		ref = convoy_ref(c, n, g);
		double gp = med(g, M_SIO_P50), rp = ref ? med(ref, M_SIO_P50) : NAN;
		if (!ref || !isfinite(gp) || !isfinite(rp))
			continue;
		char lab[300], v[256], dk[160];
		plot_varying_driver(c, n, g, dk, sizeof dk);
		plot_varying(c, n, g, "driver," K_SIO_SPINNERS, v, sizeof v);
		snprintf(lab, sizeof lab, "%s%s%s%s%s", g->driver, *dk ? " " : "", dk, *v ? " " : "", v);
		check(e, p, gp >= L.convoy_ratio * (rp > 1 ? rp : 1), lab,
		      "waiters' median overshoot %.0f us beside spinners vs %.0f us (%s%s) (%.0fx)", gp, rp, ref->driver,
		      strcmp(ref->driver, g->driver) ? "" : " without spinners", gp / (rp > 0 ? rp : 1));
		use_cell(e, g);
		use_cell(e, ref);
	}
}

/* ------------------------------------------------------------ the table of claims */

/* The rule of each claim in words, with the thresholds of the table above. */
static void rule_text(unsigned id, char *b, size_t n)
{
	switch (id) {
	case 1:
		snprintf(b, n, "cpu-spin util_cores: thread n=1 in [%g, %g]; gil n>=2 at most %g; process n>=2 at least "
		               "%g x min(n, CPUs).", L.one_core_lo, L.one_core_hi, L.gil_cores_max, L.all_cores_frac);
		break;
	case 2:
		snprintf(b, n, "shared-counter, n>=2: sync=none under thread/process loses (median lost_fraction > %g); "
		               "sync=mutex never loses, under any driver (worst repetition 0 and the cell passes verify); "
		               "sync=none under gil loses.", L.lost_min);
		break;
	case 3:
		snprintf(b, n, "spawn_s / workers, the median over the cells of each driver and worker count: process at "
		               "least %gx thread, at each worker count both ran.", L.much);
		break;
	case 4:
		snprintf(b, n, "pingpong handoff_ns: process at least %gx thread, for each setup (pinning, mode) both ran.",
		         L.much);
		break;
	case 5:
		snprintf(b, n, "sleep-io under coroutine with at least %u waiters (no limit, no spinners): "
		               "overlap_efficiency at least %g; and at each worker count n>=2 that coroutine and another "
		               "driver ran: coroutine's spawn_s / workers (and mem_per_worker_kb when measured), the median over "
		               "its cells, at most every other driver's.",
		         L.many_waiters, L.overlap_min);
		break;
	case 6:
		snprintf(b, n, "sleep-io with limit=k and more waiters than k: max_inside never above k (in any "
		               "repetition, under any driver), and k in the median repetition.");
		break;
	case 7:
		snprintf(b, n, "producer-consumer queue=lock: every cell passes verify (every item consumed exactly once, "
		               "FIFO per producer), and with 2+ consumers Jain's index of the consumers' items is at least %g.",
		         L.fair_min);
		break;
	case 8:
		snprintf(b, n, "sleep-io with spinners > 0 under gil: the waiters' median wait overshoot at least %gx that "
		               "of the same setup under thread (or, without one, of gil without spinners and as many "
		               "waiters).", L.convoy_ratio);
		break;
	default:
		snprintf(b, n, "?");
	}
}

static const struct claim_def {
	const char *claim, *figure;
	void (*fn)(struct eval *);
} defs[CLAIMS_N] = {
	{ "A CPU-bound loop in one thread uses one core; with the GIL, several threads still use about one core; "
	  "several processes use all cores.", "cpu-util", claim_cpu },
	{ "An unlocked shared counter loses updates, a lock fixes it; the GIL alone does not.", "shared-counter",
	  claim_counter },
	{ "Creating a process costs much more than creating a thread.", NULL, claim_spawn },
	{ "A thread switch is much cheaper than a process switch.", "pingpong", claim_switch },
	{ "Coroutines suit many concurrent waits (I/O) and cost least per task.", "sleep-io", claim_coroutines },
	{ "A semaphore of k lets k workers in at once.", "sleep-io", claim_semaphore },
	{ "A blocking queue balances producers and consumers.", "producer-consumer", claim_queue },
	{ "With the GIL, I/O-bound threads suffer beside CPU-bound ones.", "sleep-io", claim_convoy },
};

void claims_evaluate(const struct results_file *f, struct claim_result out[CLAIMS_N])
{
	for (unsigned i = 0; i < CLAIMS_N; i++) {
		struct eval e = { .f = f, .r = &out[i] };
		memset(&out[i], 0, sizeof out[i]);
		out[i].id = i + 1;
		out[i].claim = defs[i].claim;
		rule_text(i + 1, out[i].rule, sizeof out[i].rule);
		out[i].figure = defs[i].figure;
		defs[i].fn(&e);
		finish(&e);
	}
}

const char *claims_verdict_name(enum claim_verdict v)
{
	switch (v) {
	case CLAIM_HOLDS: return "holds";
	case CLAIM_FAILS: return "does not hold";
	case CLAIM_HOLDS_WHEN: return "holds only when";
	case CLAIM_UNRELIABLE: return "unreliable";
	default: return "not measured";
	}
}
