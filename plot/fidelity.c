/* fidelity: the simulated drivers against real CPython, row by row (see fidelity.h). */
#include "plot/fidelity.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/store/escape.h"
#include "drivers/driver.h"
#include "plot/names.h"
#include "plot/plot.h"
#include "bench/stats/stats.h"

#define MAXC 512
#define K_GIL_PYVER "python_version"   /* drivers/gil.c: the CPython whose switch points it models */
#define M_PY_VERSION "py_version"      /* drivers/python.c: the interpreter's 100 * major + minor */
#define K_SIO_COUNT "count"
#define M_SIO_GAVE_UP "spinners_gave_up"

/* A cell with figures: ok, or unstable (measured, not trustworthy: its row gets no verdict). */
static int measured(const struct results_file_cell *c)
{
	return !strcmp(c->status, "ok") || !strcmp(c->status, "unstable");
}

static int unstable(const struct results_file_cell *c) { return !strcmp(c->status, "unstable"); }

/* The cell's median of metric; for an unstable cell (its summary left every disturbed repetition
 * out) the median over all its repetitions, for a row marked unreliable. NaN if absent. */
static double med(const struct results_file_cell *c, const char *metric)
{
	double v = plot_med(c, metric), all[64];
	unsigned n = 0;
	for (unsigned i = 0; !isfinite(v) && i < c->nreps && n < 64; i++)
		for (unsigned k = 0; k < c->reps[i].nmetrics; k++)
			if (c->reps[i].ok && !strcmp(c->reps[i].metrics[k].name, metric) && isfinite(c->reps[i].metrics[k].value))
				all[n++] = c->reps[i].metrics[k].value;
	return n ? stats_median(all, n) : v;
}

/* A real interpreter's cell: its driver has DRIVER_FOREIGN. */
static int is_real(const struct results_file_cell *c)
{
	const struct driver_ops *d = driver_find(c->driver);
	return d && (d->flags & DRIVER_FOREIGN);
}

/* "3.11" of a cell: the gil driver's knob, or the version the python driver reported. */
static void version_of(const struct results_file_cell *c, char *buf, size_t len)
{
	const char *k = results_file_knob(c, K_GIL_PYVER);
	double v = med(c, M_PY_VERSION);
	if (k)
		snprintf(buf, len, "%s", k);
	else if (isfinite(v) && v > 0)
		snprintf(buf, len, "%d.%d", (int)v / 100, (int)v % 100);
	else
		buf[0] = 0;
}

static int generation(const char *ver) /* 1: 3.10+ (switches at back-edges and calls only) */
{
	int maj = 0, min = 0;
	return sscanf(ver, "%d.%d", &maj, &min) == 2 && (maj > 3 || (maj == 3 && min >= 10));
}

static void cell_name(const struct results_file_cell *c, char *buf, size_t len)
{
	char ver[16];
	version_of(c, ver, sizeof ver);
	snprintf(buf, len, "%s n=%u%s%s", c->driver, c->workers, *ver ? " CPython " : "", ver);
}

/* The simulated cell of model m with real's setup (workload, workers, pin, shared knobs); of
 * those, one modelling real's CPython version, else one of its generation, else any. */
static const struct results_file_cell *sim_for(const struct results_file *f, const struct results_file_cell *real,
                                                enum driver_model m, int by_version)
{
	const struct results_file_cell *c[MAXC], *best = NULL;
	unsigned n = plot_find(f, &(struct plot_sel){ .workload = real->workload, .model = m, .any_status = 1 }, c, MAXC);
	int best_score = -1;
	char want[16], ver[16];
	version_of(real, want, sizeof want);
	for (unsigned i = 0; i < n; i++) {
		if (is_real(c[i]) || !measured(c[i]) || !plot_same_setup(c[i], real))
			continue;
		version_of(c[i], ver, sizeof ver);
		int score = !by_version ? 0 : !strcmp(ver, want) ? 2 : *ver && generation(ver) == generation(want) ? 1 : 0;
		if (score > best_score)
			best = c[i], best_score = score;
	}
	return best;
}

static double per_wait(const struct results_file_cell *c)
{
	const char *count = results_file_knob(c, K_SIO_COUNT);
	double n = count ? strtod(count, NULL) : NAN;
	return n > 0 ? med(c, M_SIO_WAITER_WALL) / n : NAN;
}

static double util(const struct results_file_cell *c) { return med(c, M_UTIL); }
static double lost(const struct results_file_cell *c) { return med(c, M_SC_LOST_FRACTION); }

static void mark(struct fidelity_row *r)
{
	r->ratio = r->real > 0 ? r->sim / r->real : NAN;
	if (!isfinite(r->sim) || !isfinite(r->real))
		r->mark = FIDELITY_NOT_MEASURED;
	else if (r->unstable)
		r->mark = FIDELITY_UNRELIABLE;
	else if (r->lost)
		r->mark = fabs(r->sim - r->real) <= FIDELITY_LOST_PP + 1e-12 ? FIDELITY_PASS : FIDELITY_FAIL;
	else
		r->mark = r->ratio >= 1 / FIDELITY_RATIO_MAX && r->ratio <= FIDELITY_RATIO_MAX ? FIDELITY_PASS : FIDELITY_FAIL;
}

/* One row per real cell matching sel (GIL threads), against the simulated gil cell. */
static unsigned gil_rows(const struct results_file *f, const char *figure, struct plot_sel sel,
                         double (*value)(const struct results_file_cell *), int is_lost, struct fidelity_row *out,
                         unsigned max)
{
	const struct results_file_cell *c[MAXC];
	sel.model = DRIVER_MODEL_GIL_THREADS;
	sel.any_status = 1;
	unsigned n = plot_find(f, &sel, c, MAXC), k = 0;
	for (unsigned i = 0; i < n && k < max; i++) {
		if (!is_real(c[i]) || !measured(c[i]))
			continue;
		struct fidelity_row *r = &out[k++];
		*r = (struct fidelity_row){ .figure = figure, .lost = is_lost, .real = value(c[i]), .sim = NAN };
		cell_name(c[i], r->real_cell, sizeof r->real_cell);
		const struct results_file_cell *s = sim_for(f, c[i], DRIVER_MODEL_GIL_THREADS, is_lost);
		r->unstable = unstable(c[i]) || (s && unstable(s));
		if (s) {
			r->sim = value(s);
			cell_name(s, r->sim_cell, sizeof r->sim_cell);
			if (plot_max(s, M_SIO_GAVE_UP) > 0 || plot_max(c[i], M_SIO_GAVE_UP) > 0)
				snprintf(r->note, sizeof r->note, "a spinner gave up (no wait ended within spin_max_ms), "
				                                   "so later waits ran beside fewer: raise -O spin_max_ms");
		} else {
			snprintf(r->note, sizeof r->note, "no simulated GIL cell with the same workers and knobs");
		}
		mark(r);
	}
	if (!k && max) {
		out[0] = (struct fidelity_row){ .figure = figure, .lost = is_lost, .sim = NAN, .real = NAN, .ratio = NAN };
		snprintf(out[0].note, sizeof out[0].note, "no ok cell of a python driver (py-thread) for it");
		k = 1;
	}
	return k;
}

/* The first ok cell of pc under model m, real or simulated, with the given queue (NULL: any)
 * and workers (0: any). */
static const struct results_file_cell *pc_cell(const struct results_file *f, enum driver_model m, int real,
                                               const char *queue, unsigned workers)
{
	const struct results_file_cell *c[MAXC];
	char cond[40];
	snprintf(cond, sizeof cond, "%s=%s", K_PC_QUEUE, queue ? queue : "");
	unsigned n = plot_find(f, &(struct plot_sel){ .workload = W_PC, .model = m, .workers = workers,
	                                              .knobs = { queue ? cond : NULL }, .any_status = 1 }, c, MAXC);
	for (unsigned i = 0; i < n; i++)
		if (is_real(c[i]) == real && measured(c[i]))
			return c[i];
	return NULL;
}

/* producer-consumer: items/s of GIL threads over processes, simulated and real. The process
 * simulation of multiprocessing.Queue is queue=pipe; without one, queue=lock (a shared-memory
 * ring, which no Python program has) is used and the row says so. */
static void pc_row(const struct results_file *f, struct fidelity_row *r)
{
	*r = (struct fidelity_row){ .figure = "producer-consumer items/s, GIL threads / processes", .sim = NAN,
		                    .real = NAN };
	const struct results_file_cell *rt = pc_cell(f, DRIVER_MODEL_GIL_THREADS, 1, V_PC_LOCK, 0);
	const struct results_file_cell *rp = rt ? pc_cell(f, DRIVER_MODEL_PROCESSES, 1, NULL, rt->workers) : NULL;
	const struct results_file_cell *st = rt ? pc_cell(f, DRIVER_MODEL_GIL_THREADS, 0, V_PC_LOCK, rt->workers) : NULL;
	const struct results_file_cell *sp = rt ? pc_cell(f, DRIVER_MODEL_PROCESSES, 0, "pipe", rt->workers) : NULL;
	if (rt && !sp && (sp = pc_cell(f, DRIVER_MODEL_PROCESSES, 0, V_PC_LOCK, rt->workers)))
		snprintf(r->note, sizeof r->note, "simulated processes with queue=lock (a shared-memory ring); "
		                                   "multiprocessing.Queue is a pipe: add -O queue=lock,pipe");
	if (!rt || !rp || !st || !sp) {
		snprintf(r->note, sizeof r->note, "needs producer-consumer under gil, process, py-thread and py-process "
		                                   "with the same workers");
		r->ratio = NAN;
		return;
	}
	r->unstable = unstable(rt) || unstable(rp) || unstable(st) || unstable(sp);
	r->sim = med(st, M_OPS_S) / med(sp, M_OPS_S);
	r->real = med(rt, M_OPS_S) / med(rp, M_OPS_S);
	char a[80], b[80];
	cell_name(st, a, sizeof a);
	snprintf(r->sim_cell, sizeof r->sim_cell, "%s / %s queue=%s", a, sp->driver, results_file_knob(sp, K_PC_QUEUE));
	cell_name(rt, b, sizeof b);
	snprintf(r->real_cell, sizeof r->real_cell, "%s / %s", b, rp->driver);
	mark(r);
}

unsigned fidelity_rows(const struct results_file *f, struct fidelity_row *out, unsigned max)
{
	unsigned k = 0;
	if (max < 8)
		return 0;
	k += gil_rows(f, "cpu-spin util (cores), n=2", (struct plot_sel){ .workload = W_CPU_SPIN, .workers = 2 }, util,
	              0, out + k, 1);
	k += gil_rows(f, "sleep-io time per wait beside 1 spinner",
	              (struct plot_sel){ .workload = W_SLEEP_IO, .workers = 2, .knobs = { K_SIO_SPINNERS "=1" } },
	              per_wait, 0, out + k, 1);
	k += gil_rows(f, "sleep-io time per wait beside 2 spinners",
	              (struct plot_sel){ .workload = W_SLEEP_IO, .workers = 3, .knobs = { K_SIO_SPINNERS "=2" } },
	              per_wait, 0, out + k, 1);
	k += gil_rows(f, "shared-counter lost fraction, sync=none, gap 0",
	              (struct plot_sel){ .workload = W_COUNTER, .workers = 2, .knobs = { "sync=none", "gap_us=0" } }, lost,
	              1, out + k, (max - k - 1) / 2);
	k += gil_rows(f, "shared-counter lost fraction, sync=none, gap > 0",
	              (struct plot_sel){ .workload = W_COUNTER, .workers = 2, .knobs = { "sync=none", "gap_us>0" } }, lost,
	              1, out + k, max - k - 1);
	pc_row(f, &out[k++]);
	return k;
}

static void md(FILE *o, const char *s) { esc_fputs(o, ESC_MD, s); }

static void value(FILE *o, double v, int pct)
{
	if (!isfinite(v))
		fputs("-", o);
	else if (pct)
		fprintf(o, "%.1f%%", v * 100);
	else
		fprintf(o, "%.3g", v);
}

void fidelity_section(FILE *o, const struct results_file *f)
{
	int any = 0;
	for (unsigned i = 0; i < f->ncells && !any; i++)
		any = is_real(&f->cells[i]);
	if (!any)
		return;
	struct fidelity_row rows[FIDELITY_ROWS_MAX];
	unsigned n = fidelity_rows(f, rows, FIDELITY_ROWS_MAX);
	fprintf(o, "## Fidelity: the simulation against real CPython\n\n"
	           "Each figure under a simulated driver and under the python driver that runs the same "
	           "workload in CPython (same workers and knobs; the gil cell that models the interpreter's "
	           "version when there is one). Mark: simulated / real within %.1fx; a lost fraction within "
	           "%.0f percentage points. Per-wait times are in seconds.\n\n"
	           "| figure | simulated | CPython | simulated value | CPython value | ratio | mark |\n"
	           "|---|---|---|---|---|---|---|\n",
	           FIDELITY_RATIO_MAX, FIDELITY_LOST_PP * 100);
	for (unsigned i = 0; i < n; i++) {
		const struct fidelity_row *r = &rows[i];
		fprintf(o, "| %s | ", r->figure);
		md(o, *r->sim_cell ? r->sim_cell : "-");
		fputs(" | ", o);
		md(o, *r->real_cell ? r->real_cell : "-");
		fputs(" | ", o);
		value(o, r->sim, r->lost);
		fputs(" | ", o);
		value(o, r->real, r->lost);
		fputs(" | ", o);
		value(o, r->ratio, 0);
		fprintf(o, " | %s", r->mark == FIDELITY_PASS ? "pass" : r->mark == FIDELITY_FAIL ? "**fail**" :
		                    r->mark == FIDELITY_UNRELIABLE ? "unreliable (an unstable cell: no verdict)" : "not measured");
		if (*r->note) {
			fputs(": ", o);
			md(o, r->note);
		}
		fputs(" |\n", o);
	}
	fputs("\n", o);
}
