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
 *          else a part not measured -> partly measured (what was measured is not the claim);
 *          a part holds only when -> holds only when; else holds.
 * Each claim also gets a headline, the one figure that decides it (our words and numbers, short
 * enough for a table row), and keeps every check in its evidence (claims.h).
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
#include "bench/stats/fmt.h"
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

/* A label longer than this stays out of a headline (the evidence has it in full). */
#define HEADLINE_LABEL_MAX 48

static char oom_text[] = "(out of memory)";

struct part {
	const char *name;             /* what this part says, short */
	const char *needs;            /* the cells it needs */
	int strict;                   /* a correctness guarantee: one failed check fails the part */
	unsigned n, npass;
	char *pass, *fail;            /* labels of the checks that passed / failed */
	char *first_fig, *fail_fig;   /* its first check's figure, its first failed one's (headline) */
};

struct eval {
	const struct results_file *f;
	struct claim_result *r;
	struct part part[4];
	unsigned nparts, nunreliable;
	unsigned char *used;          /* f->ncells flags: the cell is in r->cells already */
	char *unreliable;             /* "X cores of other load in cell `Y`", a needed cell each */
	char *beside;                 /* what is shown beside the verdict, not judged (claim 4) */
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

/* *buf (malloc'd or NULL) += sep (if *buf is not empty) + the formatted text; as long as it
 * needs. Out of memory: *buf is freed and set to oom_text, which later appends leave alone. */
static void sappend(char **buf, const char *sep, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void sappend(char **buf, const char *sep, const char *fmt, ...)
{
	char *add = NULL, *out = NULL;
	va_list ap;
	if (*buf == oom_text)
		return;
	va_start(ap, fmt);
	int k = vasprintf(&add, fmt, ap);
	va_end(ap);
	const char *old = *buf ? *buf : "";
	if (k < 0 || asprintf(&out, "%s%s%s", old, *old ? sep : "", add) < 0)
		out = oom_text;
	free(add);
	free(*buf);
	*buf = out;
}

/* Text from the results file in Markdown (escape.h), malloc'd, any length. */
static char *md_dup(const char *s)
{
	char *out = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&out, &len);
	if (!m)
		return NULL;
	esc_fputs(m, ESC_MD, s);
	if (fclose(m)) {
		free(out);
		return NULL;
	}
	return out;
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
	char lab[3 * ESC_NAME_MAX + 32];
	double load;
	if (!e->used || c->index >= e->f->ncells || e->used[c->index])
		return;
	e->used[c->index] = 1;
	results_cell_label(lab, sizeof lab, c->workload, c->driver, c->workers); /* validated names: fits */
	if (plot_cell_unreliable(c, &load)) {
		e->nunreliable++;
		if (isfinite(load))
			sappend(&e->unreliable, "; ", "%.2f cores of other load in cell `%s`", load, lab);
		else
			sappend(&e->unreliable, "; ", "cell `%s` %s (other load not recorded)", lab,
			        strcmp(c->status, "unstable") ? "disturbed" : "unstable");
	}
	sappend(&e->r->cells, ", ", "`%s`", lab);
}

/* One check of a part: pass or not, its label (the setup it stands for), what was measured
 * (our words and numbers only: it may go into the headline). */
static void check(struct eval *e, struct part *p, int pass, const char *label, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
static void check(struct eval *e, struct part *p, int pass, const char *label, const char *fmt, ...)
{
	char *m = NULL;
	va_list ap;
	va_start(ap, fmt);
	if (vasprintf(&m, fmt, ap) < 0)
		m = NULL;
	va_end(ap);
	p->n++;
	p->npass += pass != 0;
	sappend(pass ? &p->pass : &p->fail, ", ", "%s", label);
	sappend(&e->r->measured, "\n", "%s: %s %s", label, m ? m : oom_text, pass ? "✓" : "✗");
	char **fig = p->n == 1 ? &p->first_fig : !pass && !p->fail_fig ? &p->fail_fig : NULL;
	if (fig && strlen(label) <= HEADLINE_LABEL_MAX)
		sappend(fig, "", "%s: %s", label, m ? m : oom_text);
	else if (fig)
		sappend(fig, "", "%s", m ? m : oom_text);
	if (!pass && p->n == 1 && !p->fail_fig)
		sappend(&p->fail_fig, "", "%s", p->first_fig ? p->first_fig : "");
	free(m);
}

/* The verdict's texts when some part was measured and none is unreliable: parts failed, held
 * only in some setups, or were not measured. */
struct tally {
	unsigned measured, failed, partial, checks;
	const struct part *pf, *pw, *pm;  /* the first failed, partial, measured part */
	char *missing, *missing_names, *failing, *when;
};

static void tally_parts(struct eval *e, struct tally *t)
{
	for (unsigned i = 0; i < e->nparts; i++) {
		struct part *p = &e->part[i];
		if (!p->n) {
			sappend(&t->missing, "; ", "%s (needs %s)", p->name, p->needs);
			sappend(&t->missing_names, "; ", "%s", p->name);
			continue;
		}
		t->measured++;
		t->checks += p->n;
		t->pm = t->pm ? t->pm : p;
		if (!p->npass || (p->strict && p->npass < p->n)) {
			t->failed++;
			t->pf = t->pf ? t->pf : p;
			sappend(&t->failing, "; ", "%s (%s)", p->name, p->fail);
		} else if (p->npass < p->n) {
			t->partial++;
			t->pw = t->pw ? t->pw : p;
			sappend(&t->when, "; ", "%s: %s (not: %s)", p->name, p->pass, p->fail);
		}
	}
}

static void verdict_measured(struct eval *e, struct tally *t)
{
	struct claim_result *r = e->r;
	if (t->failed) {
		r->verdict = CLAIM_FAILS;
		sappend(&r->verdict_text, "", "does not hold: the check failed for %s", t->failing);
		if (e->nparts > 1)
			sappend(&r->headline, "", "%s: ", t->pf->name);
		sappend(&r->headline, "", "%s ✗", t->pf->fail_fig);
		if (t->pf->n > 1)
			sappend(&r->headline, " ", "(%u of %u checks failed)", t->pf->n - t->pf->npass, t->pf->n);
		if (t->partial)
			sappend(&r->verdict_text, "; ", "holds only when %s", t->when);
	} else if (t->partial) {
		r->verdict = CLAIM_HOLDS_WHEN;
		sappend(&r->verdict_text, "", "holds only when %s", t->when);
		if (e->nparts > 1)
			sappend(&r->headline, "", "%s: ", t->pw->name);
		sappend(&r->headline, "", "%u of %u setups ✓; not e.g. %s ✗", t->pw->npass, t->pw->n, t->pw->fail_fig);
	} else {
		r->verdict = CLAIM_HOLDS;
		sappend(&r->verdict_text, "", "holds");
		sappend(&r->headline, "", "%s ✓", t->pm->first_fig);
		if (t->checks > 1)
			sappend(&r->headline, " ", "(all %u checks ✓)", t->checks);
	}
	if (!*t->missing_names || t->failed)
		return;
	/* a part not measured: the claim is not confirmed, whatever the others say */
	char *was = r->verdict_text;
	r->verdict_text = NULL;
	r->verdict = CLAIM_PARTLY;
	sappend(&r->verdict_text, "", "partly measured: not measured: %s; the measured part%s: %s", t->missing,
	        t->measured > 1 ? "s" : "", was ? was : oom_text);
	if (was != oom_text)
		free(was);
	sappend(&r->headline, "; ", "not measured: %s", t->missing_names);
}

static void finish(struct eval *e)
{
	struct claim_result *r = e->r;
	struct tally t = { 0 };
	tally_parts(e, &t);
	sappend(&t.missing, "", "%s", "");
	sappend(&t.missing_names, "", "%s", "");
	if (e->unreliable) {
		r->verdict = CLAIM_UNRELIABLE;
		sappend(&r->verdict_text, "", "unreliable: %s", e->unreliable);
		sappend(&r->headline, "", "no verdict (%u needed cell%s unstable or disturbed)", e->nunreliable,
		        e->nunreliable == 1 ? "" : "s");
		if (t.pm) /* what was seen, not a verdict */
			sappend(&r->headline, "; ", "seen: %s", t.pm->first_fig);
	} else if (!t.measured) {
		r->verdict = CLAIM_NOT_MEASURED;
		sappend(&r->verdict_text, "", "not measured: %s", t.missing);
		sappend(&r->headline, "", "no cells for it: needs %s", e->part[0].needs);
		if (e->nparts > 1)
			sappend(&r->headline, " ", "(and %u more part%s)", e->nparts - 1, e->nparts > 2 ? "s" : "");
	} else {
		verdict_measured(e, &t);
	}
	char *f[] = { t.missing, t.missing_names, t.failing, t.when };
	for (unsigned i = 0; i < 4; i++)
		if (f[i] != oom_text)
			free(f[i]);
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

/* The names of the drivers of this build that realise m, "a/b": how a claim's text names a
 * model. malloc'd (NULL: out of memory). */
static char *model_drivers(enum driver_model m)
{
	char *buf = NULL;
	for (unsigned i = 0; i < driver_count; i++)
		if (driver_table[i]->model == m)
			sappend(&buf, "/", "%s", driver_table[i]->name);
	if (!buf)
		sappend(&buf, "", "%s", "");
	return buf == oom_text ? NULL : buf;
}

/* A duration in seconds as "12.3 us" (fmt.h). */
static const char *dur(double s, char *buf, size_t len)
{
	fmt_eng(s, "s", buf, len);
	return buf;
}

/* Room for what plot_varying and plot_varying_driver can write of c: every field "name=value". */
static size_t varying_len(const struct results_file_cell *c)
{
	return 16 + (c->nknobs + 3) * (ESC_NAME_MAX + ESC_VALUE_MAX + 3);
}

/* "thread n=2 gap_us=100": the driver, n, and what varies among set (except exclude), then
 * extra; malloc'd (NULL: out of memory), as long as the cell's knobs make it. */
static char *label(const struct results_file_cell *const *set, unsigned n, const struct results_file_cell *c,
                   const char *exclude, int with_driver, const char *extra)
{
	size_t len = varying_len(c);
	char *v = malloc(len), *dk = malloc(len), *out = NULL, ex[160];
	if (v && dk) {
		snprintf(ex, sizeof ex, "driver,workers%s%s", *exclude ? "," : "", exclude);
		plot_varying(set, n, c, ex, v, len);
		plot_varying_driver(set, n, c, dk, len);
		if (asprintf(&out, "%s%sn=%u%s%s%s%s%s%s", with_driver ? c->driver : "", with_driver ? " " : "",
		             c->workers, *dk ? " " : "", dk, *v ? " " : "", v, *extra ? " " : "", extra) < 0)
			out = NULL;
	}
	free(v);
	free(dk);
	return out;
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
		if (!isfinite(u))
			continue;
		char *lab = label(c, n, c[i], "", 1, "");
		const char *l = lab ? lab : oom_text;
		if (model(c[i]) == DRIVER_MODEL_THREADS && c[i]->workers == 1) {
			check(e, one, u >= L.one_core_lo && u <= L.one_core_hi, l, "%.2f cores", u);
			use_cell(e, c[i]);
		} else if (model(c[i]) == DRIVER_MODEL_GIL_THREADS && c[i]->workers >= 2) {
			check(e, gil_part, u <= L.gil_cores_max, l, "%.2f cores", u);
			use_cell(e, c[i]);
		} else if (model(c[i]) == DRIVER_MODEL_PROCESSES && c[i]->workers >= 2) {
			unsigned want = c[i]->workers < (unsigned)cpus ? c[i]->workers : (unsigned)cpus;
			check(e, proc, u >= L.all_cores_frac * want, l, "%.2f of %u cores", u, want);
			use_cell(e, c[i]);
		}
		free(lab);
	}
}

/* A failed cell's error text, into the evidence only (Markdown, any length). */
static void evidence_error(struct eval *e, const struct results_file_cell *c)
{
	char *m = md_dup(c->error ? c->error : "?");
	sappend(&e->r->measured, " ", "(error: %s)", m ? m : oom_text);
	free(m);
}

/* ---- 2. shared counter: unlocked loses updates; a lock fixes it; the GIL alone does not */

/* Which CPython a GIL cell stands for: the version the gil driver models, or the python
 * driver's interpreter; "" when neither is recorded. malloc'd. */
static char *cpython_of(const struct results_file_cell *x)
{
	const char *ver = results_file_knob(x, "python_version");
	double pv = med(x, "py_version");
	char *s = NULL;
	int k = ver ? asprintf(&s, "CPython %s, simulated", ver)
	            : isfinite(pv) ? asprintf(&s, "CPython %.0f.%.0f", floor(pv / 100), fmod(pv, 100)) : asprintf(&s, "%s", "");
	return k < 0 ? NULL : s;
}

static void counter_cell(struct eval *e, struct part *part[3], const struct results_file_cell *x, const char *sync,
                         const char *lab)
{
	int ok = plot_cell_measured(x);
	double lost = med(x, M_SC_LOST_FRACTION), worst = max_of(x, M_SC_LOST_FRACTION);
	if (!strcmp(sync, V_SC_MUTEX)) {
		if (ok) {
			check(e, part[1], worst == 0, lab, "%.3g%% lost (worst repetition)", worst * 100);
		} else {
			check(e, part[1], 0, lab, "cell failed verify");
			evidence_error(e, x);
		}
		use_cell(e, x);
		return;
	}
	if (strcmp(sync, V_SC_NONE) || !ok || !isfinite(lost))
		return;
	if (model(x) == DRIVER_MODEL_THREADS || model(x) == DRIVER_MODEL_PROCESSES) {
		check(e, part[0], lost > L.lost_min, lab, "%.3g%% lost", lost * 100);
		use_cell(e, x);
	} else if (model(x) == DRIVER_MODEL_GIL_THREADS) {
		check(e, part[2], lost > L.lost_min, lab, "%.3g%% lost", lost * 100);
		use_cell(e, x);
	}
}

static void claim_counter(struct eval *e)
{
	const struct results_file_cell *c[MAXC];
	unsigned n = find(e->f, (struct plot_sel){ .workload = W_COUNTER, .any_status = 1 }, c);
	plot_sort_cells(c, n);
	struct part *part[3] = {
		part_new(e, "unlocked counter loses updates", "shared-counter sync=none under thread or process with 2+ workers"),
		part_new(e, "a lock fixes it", "shared-counter sync=mutex with 2+ workers"),
		part_new(e, "the GIL alone does not fix it", "shared-counter sync=none under gil with 2+ workers"),
	};
	part[1]->strict = 1;
	for (unsigned i = 0; i < n; i++) {
		const struct results_file_cell *x = c[i];
		const char *sync = results_file_knob(x, K_SC_SYNC);
		if (!sync || x->workers < 2 || (!plot_cell_measured(x) && strcmp(x->status, "failed")))
			continue;
		char *py = model(x) == DRIVER_MODEL_GIL_THREADS ? cpython_of(x) : NULL, *extra = NULL;
		if (asprintf(&extra, "sync=%s%s%s%s", sync, py && *py ? " (" : "", py && *py ? py : "", py && *py ? ")" : "") < 0)
			extra = NULL;
		char *lab = extra ? label(c, n, x, K_SC_SYNC, 1, extra) : NULL;
		counter_cell(e, part, x, sync, lab ? lab : oom_text);
		free(lab);
		free(extra);
		free(py);
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
		check(e, p, pr >= L.much * t, lab, "thread %s, process %s per worker (%.1fx; the rule needs %gx)",
		      dur(t, a, sizeof a), dur(pr, b, sizeof b), pr / t, L.much);
	}
}

/* ---- 4. a thread switch is much cheaper than a process switch: on one PU, where a hand-off
 * is a switch; across PUs it is a wake-up of another CPU (reported beside, not judged) */

/* Whether both workers of c ran on one PU: every repetition the summary counts records each
 * worker bound to the same PU (the recorded placement, not the --pin text); for an unstable
 * cell whose repetitions were all disturbed, every ok one (the claim is unreliable then). */
static int one_pu(const struct results_file_cell *c)
{
	int pu = -1, seen = 0, any_counted = 0;
	for (unsigned r = 0; r < c->nreps; r++)
		any_counted |= plot_rep_counts(c, &c->reps[r]);
	for (unsigned r = 0; r < c->nreps; r++) {
		const struct results_rep *rep = &c->reps[r];
		if (!(any_counted ? plot_rep_counts(c, rep) : rep->ok) || !rep->bound_pu)
			continue;
		for (unsigned w = 0; w < rep->nworkers; w++) {
			if (rep->bound_pu[w] < 0 || (pu >= 0 && rep->bound_pu[w] != pu))
				return 0;
			pu = rep->bound_pu[w];
		}
		seen = 1;
	}
	return seen;
}

/* The thread cell of process cell c's setup (same pinning, mode, ...), or NULL. */
static const struct results_file_cell *switch_twin(const struct results_file_cell *const *c, unsigned n,
                                                   const struct results_file_cell *pr)
{
	for (unsigned j = 0; j < n; j++)
		if (model(c[j]) == DRIVER_MODEL_THREADS && plot_same_setup(pr, c[j]) && one_pu(c[j]) == one_pu(pr))
			return c[j];
	return NULL;
}

static void claim_switch(struct eval *e)
{
	const struct results_file_cell *c[MAXC];
	unsigned n = find(e->f, (struct plot_sel){ .workload = W_PINGPONG }, c);
	struct part *p = part_new(e, "process switch at least 2x a thread switch, on one PU",
	                          "pingpong under thread and process with both workers on one PU (--pin pus:0,0)");
	for (unsigned i = 0; i < n; i++) {
		const struct results_file_cell *th = model(c[i]) == DRIVER_MODEL_PROCESSES ? switch_twin(c, n, c[i]) : NULL;
		double pr = th ? med(c[i], M_PP_HANDOFF_NS) : NAN, t = th ? med(th, M_PP_HANDOFF_NS) : NAN;
		if (!isfinite(pr) || !isfinite(t) || t <= 0)
			continue;
		int local = one_pu(c[i]);
		char a[FMT_ENG_LEN], b[FMT_ENG_LEN], *lab = label(c, n, c[i], "driver,pin", 0, local ? "on one PU" : "across PUs");
		char *what = NULL, need[48] = "";
		if (local)
			snprintf(need, sizeof need, "; the rule needs %gx", L.much);
		if (asprintf(&what, "thread %s, process %s per hand-off (%.2fx%s)", dur(t * 1e-9, a, sizeof a),
		             dur(pr * 1e-9, b, sizeof b), pr / t, need) < 0)
			what = NULL;
		if (local) {
			check(e, p, pr >= L.much * t, lab ? lab : oom_text, "%s", what ? what : oom_text);
			use_cell(e, c[i]);
			use_cell(e, th);
		} else { /* a wake-up of another CPU: shown, not evidence */
			sappend(&e->r->measured, "\n", "%s (a cross-PU wake-up, not judged): %s", lab ? lab : oom_text,
			        what ? what : oom_text);
			if (!e->beside)
				sappend(&e->beside, "", "cross-PU wake-up, not judged: thread %s, process %s", a, b);
		}
		free(what);
		free(lab);
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
	char *txt = NULL, a[FMT_ENG_LEN], lab[32];
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
		char *names = model_drivers(m);
		sappend(&txt, ", ", "%s %s", names ? names : oom_text, dur(s, a, sizeof a));
		free(names);
		if (isfinite(cm) && isfinite(mem)) {
			pass &= cm <= mem;
			sappend(&txt, " ", "(%.0f KiB)", mem);
		}
		spawn_per_worker(e->f, m, n, e);
	}
	if (any) {
		spawn_per_worker(e->f, DRIVER_MODEL_COROUTINES, n, e);
		snprintf(lab, sizeof lab, "n=%u", n);
		char *names = model_drivers(DRIVER_MODEL_COROUTINES), kib[40] = "";
		if (isfinite(cm))
			snprintf(kib, sizeof kib, " (%.0f KiB)", cm);
		check(e, cost, pass, lab, "spawn per worker: %s %s%s vs %s", names ? names : oom_text, dur(cs, a, sizeof a),
		      kib, txt);
		free(names);
	}
	if (txt != oom_text)
		free(txt);
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
		char lab[64];
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
		char lim[48];
		snprintf(lim, sizeof lim, "limit=%g", k);
		char *lab = label(c, n, c[i], K_SIO_LIMIT, 1, lim);
		check(e, never, worst <= k, lab ? lab : oom_text, "at most %.0f inside", worst);
		double rounds = med(c[i], "rounds"), ideal = med(c[i], "ideal_rounds");
		if (isfinite(rounds) && isfinite(ideal))
			check(e, k_in, peak == k, lab ? lab : oom_text, "median peak %.0f inside, %.0f rounds (ideal %.0f)", peak,
			      rounds, ideal);
		else
			check(e, k_in, peak == k, lab ? lab : oom_text, "median peak %.0f inside", peak);
		free(lab);
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
		if (!plot_cell_measured(c[i]) && strcmp(c[i]->status, "failed"))
			continue;
		char *lab = label(c, n, c[i], K_PC_QUEUE, 1, ""), rate[FMT_ENG_LEN];
		const char *l = lab ? lab : oom_text;
		use_cell(e, c[i]);
		if (!plot_cell_measured(c[i])) {
			check(e, once, 0, l, "cell failed verify");
			evidence_error(e, c[i]);
			free(lab);
			continue;
		}
		fmt_eng(med(c[i], M_OPS_S), "items/s", rate, sizeof rate);
		check(e, once, 1, l, "verify passed, %s", rate);
		unsigned nc;
		double j = consumer_fairness(c[i], &nc);
		if (nc >= 2 && isfinite(j))
			check(e, share, j >= L.fair_min, l, "%u consumers, Jain's index of their items %.2f", nc, j);
		free(lab);
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
		char *lab = label(c, n, g, K_SIO_SPINNERS, 1, ""), a[FMT_ENG_LEN], b[FMT_ENG_LEN];
		check(e, p, gp >= L.convoy_ratio * (rp > 1 ? rp : 1), lab ? lab : oom_text,
		      "waiters' median overshoot %s beside spinners vs %s (%s%s) (%.0fx)", dur(gp * 1e-6, a, sizeof a),
		      dur(rp * 1e-6, b, sizeof b), ref->driver, strcmp(ref->driver, g->driver) ? "" : " without spinners",
		      gp / (rp > 0 ? rp : 1));
		use_cell(e, g);
		use_cell(e, ref);
		free(lab);
	}
}

/* ------------------------------------------------------------ the table of claims */

/* The rule of each claim in words, with the thresholds of the table above. */
static void rule_text(unsigned id, char **b)
{
	switch (id) {
	case 1:
		sappend(b, "", "cpu-spin util_cores: thread n=1 in [%g, %g]; gil n>=2 at most %g; process n>=2 at least "
		               "%g x min(n, CPUs).", L.one_core_lo, L.one_core_hi, L.gil_cores_max, L.all_cores_frac);
		break;
	case 2:
		sappend(b, "", "shared-counter, n>=2: sync=none under thread/process loses (median lost_fraction > %g); "
		               "sync=mutex never loses, under any driver (worst repetition 0 and the cell passes verify); "
		               "sync=none under gil loses.", L.lost_min);
		break;
	case 3:
		sappend(b, "", "spawn_s / workers, the median over the cells of each driver and worker count: process at "
		               "least %gx thread, at each worker count both ran.", L.much);
		break;
	case 4:
		sappend(b, "", "pingpong handoff_ns with both workers bound to one PU (every repetition's recorded "
		               "placement), where a hand-off is a context switch: process at least %gx thread, for each "
		               "setup (mode, knobs) both ran. Cells with the workers on two PUs measure a wake-up of "
		               "another CPU, not a switch: they are shown beside the verdict, not judged.", L.much);
		break;
	case 5:
		sappend(b, "", "sleep-io under coroutine with at least %u waiters (no limit, no spinners): "
		               "overlap_efficiency at least %g; and at each worker count n>=2 that coroutine and another "
		               "driver ran: coroutine's spawn_s / workers (and mem_per_worker_kb when measured), the median over "
		               "its cells, at most every other driver's.",
		         L.many_waiters, L.overlap_min);
		break;
	case 6:
		sappend(b, "", "sleep-io with limit=k and more waiters than k: max_inside never above k (in any "
		               "repetition, under any driver), and k in the median repetition.");
		break;
	case 7:
		sappend(b, "", "producer-consumer queue=lock: every cell passes verify (every item consumed exactly once, "
		               "FIFO per producer), and with 2+ consumers Jain's index of the consumers' items is at least %g.",
		         L.fair_min);
		break;
	case 8:
		sappend(b, "", "sleep-io with spinners > 0 under gil: the waiters' median wait overshoot at least %gx that "
		               "of the same setup under thread (or, without one, of gil without spinners and as many "
		               "waiters).", L.convoy_ratio);
		break;
	default:
		sappend(b, "", "%s", "?");
	}
}

static const struct claim_def {
	const char *claim, *brief, *figure;
	void (*fn)(struct eval *);
} defs[CLAIMS_N] = {
	{ "A CPU-bound loop in one thread uses one core; with the GIL, several threads still use about one core; "
	  "several processes use all cores.", "CPU-bound: thread 1 core, GIL ~1 core, processes all", "cpu-util",
	  claim_cpu },
	{ "An unlocked shared counter loses updates, a lock fixes it; the GIL alone does not.",
	  "Unlocked counter loses updates; a lock fixes it, the GIL does not", "shared-counter", claim_counter },
	{ "Creating a process costs much more than creating a thread.", "Process creation much costlier than thread",
	  NULL, claim_spawn },
	{ "A thread switch is much cheaper than a process switch.", "Thread switch much cheaper than process switch",
	  "pingpong", claim_switch },
	{ "Coroutines suit many concurrent waits (I/O) and cost least per task.",
	  "Coroutines: many waits overlap, least cost per task", "sleep-io", claim_coroutines },
	{ "A semaphore of k lets k workers in at once.", "Semaphore of k lets k in at once", "sleep-io", claim_semaphore },
	{ "A blocking queue balances producers and consumers.", "Blocking queue balances producers and consumers",
	  "producer-consumer", claim_queue },
	{ "With the GIL, I/O-bound threads suffer beside CPU-bound ones.", "GIL: I/O threads suffer beside CPU-bound ones",
	  "sleep-io", claim_convoy },
};

static void free_text(char *s)
{
	if (s != oom_text)
		free(s);
}

/* Every text of r set: NULL (out of memory on the first append) becomes oom_text. */
static void fill_texts(struct claim_result *r)
{
	char **t[] = { &r->rule, &r->verdict_text, &r->headline, &r->beside, &r->cells, &r->measured };
	for (unsigned i = 0; i < sizeof t / sizeof t[0]; i++)
		if (!*t[i])
			sappend(t[i], "", "%s", "");
}

void claims_evaluate(const struct results_file *f, struct claim_result out[CLAIMS_N])
{
	for (unsigned i = 0; i < CLAIMS_N; i++) {
		struct eval e = { .f = f, .r = &out[i], .used = calloc(f->ncells ? f->ncells : 1, 1) };
		memset(&out[i], 0, sizeof out[i]);
		out[i].id = i + 1;
		out[i].claim = defs[i].claim;
		out[i].brief = defs[i].brief;
		rule_text(i + 1, &out[i].rule);
		out[i].figure = defs[i].figure;
		defs[i].fn(&e);
		finish(&e);
		out[i].beside = e.beside;
		fill_texts(&out[i]);
		for (unsigned k = 0; k < e.nparts; k++) {
			free_text(e.part[k].pass);
			free_text(e.part[k].fail);
			free_text(e.part[k].first_fig);
			free_text(e.part[k].fail_fig);
		}
		free_text(e.unreliable);
		free(e.used);
	}
}

void claims_free(struct claim_result out[CLAIMS_N])
{
	for (unsigned i = 0; i < CLAIMS_N; i++) {
		char *t[] = { out[i].rule, out[i].verdict_text, out[i].headline, out[i].beside, out[i].cells, out[i].measured };
		for (unsigned k = 0; k < sizeof t / sizeof t[0]; k++)
			free_text(t[k]);
		memset(&out[i], 0, sizeof out[i]);
	}
}

const char *claims_verdict_name(enum claim_verdict v)
{
	switch (v) {
	case CLAIM_HOLDS: return "holds";
	case CLAIM_FAILS: return "does not hold";
	case CLAIM_HOLDS_WHEN: return "holds only when";
	case CLAIM_UNRELIABLE: return "unreliable";
	case CLAIM_PARTLY: return "partly measured";
	default: return "not measured";
	}
}
