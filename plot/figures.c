/* figures: the figures of `bench plot` (see plot.h), one table. Each entry names a figure, the
 * cells it needs and the function that draws it from them; plot_write_all finds the cells with
 * plot/query.c, skips a figure without them (saying why), and the function writes
 * DIR/<name>.dat and DIR/<name>.gp through plot/gp.c. Metric and knob names come from
 * plot/names.h; drivers' colours and order from the driver table, op units from the workload
 * table. The compare figure (two files) is plot/fig_compare.c.
 *
 * Error bars everywhere: min-max over the measured repetitions (always defined, even for 2 or
 * 3 repetitions, where a t-based 95% CI is uselessly wide); bars and points are medians. */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/store/escape.h"
#include "plot/gp.h"
#include "plot/names.h"
#include "plot/plot.h"
#include "bench/store/results.h"
#include "workloads/workload.h"

#define MAXCELLS 4096
#define ERRBARS "Error bars: min-max over the measured repetitions; bars/points: medians."

struct figctx;

/* A figure of `bench plot`: its file stem and title, the cells it needs (the ok cells of
 * .workload; NULL: a figure per workload of the file, named <name>-<workload>, with %s in the
 * title standing for the workload), why it is skipped without them (a printf format that may
 * use the file's CPU count once, as %d; NULL: draw decides, also when there are none), and the
 * function that draws it from those cells (sorted by plot_sort_cells). */
struct figdef {
	const char *name, *title, *workload, *missing;
	void (*draw)(struct figctx *x, const struct results_file_cell **c, unsigned n);
};

/* The figure being drawn. */
struct figctx {
	const struct results_file *f;
	const struct plot_opts *o;
	struct plot_set *set;
	const struct figdef *d;
	const char *workload;         /* a per-workload figure's workload */
	char name[96], title[160];
};

static void cat_text(char *buf, size_t len, const char *a, const char *b, const char *c)
{
	snprintf(buf, len, "%s%s%s%s%s", a, *a && *b ? " " : "", b, (*a || *b) && *c ? " " : "", c);
}

/* What one op of a workload is (its .op_unit in the workload table); "ops" for one this build
 * does not have. */
static const char *op_unit(const char *workload)
{
	const char *u = workload_op_unit(workload);
	return u ? u : "ops";
}

/* Fill a bar from a metric's summary, scaled (e.g. 1e-3 for ns -> us, 100 for a fraction). */
static void bar_metric(struct gp_bars *b, int cat, int ser, const struct results_file_cell *c, const char *metric,
                       double scale)
{
	if (cat < 0 || ser < 0)
		return;
	const struct results_stat *s = results_file_stat(c, metric);
	if (!s)
		return;
	b->v[cat][ser] = s->median * scale;
	b->lo[cat][ser] = s->min * scale;
	b->hi[cat][ser] = s->max * scale;
}

/* Log scale when the positive values of a panel span more than `ratio`. */
static int wide_range(const struct gp_bars *b, double ratio)
{
	double lo = INFINITY, hi = 0;
	for (unsigned i = 0; i < b->ncat; i++)
		for (unsigned j = 0; j < b->nser; j++) {
			double v = b->v[i][j];
			if (isfinite(v) && v > 0) {
				lo = v < lo ? v : lo;
				hi = v > hi ? v : hi;
			}
		}
	return hi > 0 && hi / lo > ratio;
}

/* The labels of a panel; logy_over > 0: log scale when its values span more than that. */
static void bars_labels(struct gp_bars *b, const char *title, const char *xlabel, const char *ylabel, double logy_over)
{
	b->title = title;
	b->xlabel = xlabel;
	b->ylabel = ylabel;
	if (logy_over > 0)
		b->logy = wide_range(b, logy_over);
}

static int cmp_uint(const void *a, const void *b)
{
	unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;
	return (x > y) - (x < y);
}

static unsigned distinct_workers(const struct results_file_cell *const *c, unsigned n, unsigned *out, unsigned max)
{
	unsigned k = 0;
	for (unsigned i = 0; i < n; i++) {
		unsigned j = 0;
		while (j < k && out[j] != c[i]->workers)
			j++;
		if (j == k && k < max)
			out[k++] = c[i]->workers;
	}
	qsort(out, k, sizeof *out, cmp_uint);
	return k;
}

/* The group label of a cell among set: driver, its varying driver knobs, varying workload
 * knobs (except those in exclude). */
static void group_label(const struct results_file_cell *const *set, unsigned n, const struct results_file_cell *c,
                        const char *exclude, char *buf, size_t len)
{
	char dk[160], wk[200];
	plot_varying_driver(set, n, c, dk, sizeof dk);
	plot_varying(set, n, c, exclude, wk, sizeof wk);
	cat_text(buf, len, c->driver, dk, wk);
}

/* Write a figure made of bar panels stacked vertically (nb of them, each w x h_panel), with
 * its caption, and free the panels. A NULL panel (out of memory) drops the figure. */
static void write_panels(struct figctx *x, struct gp_bars **b, unsigned nb, int w, int h_panel, const char *caption)
{
	struct gpfig g;
	unsigned ok = nb > 0;
	for (unsigned i = 0; i < nb; i++)
		ok &= b[i] != NULL;
	if (ok && !gp_begin(&g, x->o, x->set, x->name, x->title, w, h_panel * (int)nb + (nb > 1 ? 40 : 0), x->f->path)) {
		if (nb > 1)
			fprintf(g.gp, "set multiplot layout %u,1\n", nb);
		for (unsigned i = 0; i < nb; i++)
			gp_bars_write(&g, b[i]);
		if (nb > 1)
			fprintf(g.gp, "unset multiplot\n");
		gp_caption(&g, "%s", caption);
		gp_end(&g);
	}
	for (unsigned i = 0; i < nb; i++)
		free(b[i]);
}

/* Series of a cell: its driver (in the driver's colour) and the driver knobs that vary among set. */
static int driver_series(struct gp_bars *b, const struct results_file_cell *const *set, unsigned n,
                         const struct results_file_cell *c)
{
	char dk[160], ser[256];
	plot_varying_driver(set, n, c, dk, sizeof dk);
	cat_text(ser, sizeof ser, c->driver, dk, "");
	const char *col = plot_driver_color(c->driver);
	return gp_bars_ser(b, ser, *dk ? NULL : col ? col : GP_GREY);
}

/* Category of a cell: the fields that vary among set, except the driver and `exclude`,
 * after `first` (e.g. "sync=none" made by the caller); "all" when nothing varies. */
static int setup_cat(struct gp_bars *b, const struct results_file_cell *const *set, unsigned n,
                     const struct results_file_cell *c, const char *exclude, const char *first)
{
	char ex[200], v[256], cat[300];
	snprintf(ex, sizeof ex, "driver%s%s", *exclude ? "," : "", exclude);
	plot_varying(set, n, c, ex, v, sizeof v);
	cat_text(cat, sizeof cat, first, v, "");
	return gp_bars_cat(b, *cat ? cat : "all cells");
}

/* One panel: categories = setups, series = drivers, bars = a metric. */
static struct gp_bars *driver_bars(const struct results_file_cell *const *c, unsigned n, const char *exclude,
                                   const char *metric, double scale)
{
	struct gp_bars *b = gp_bars_new(); /* c is sorted by driver: so are the series */
	for (unsigned i = 0; b && i < n; i++)
		bar_metric(b, setup_cat(b, c, n, c[i], exclude, ""), driver_series(b, c, n, c[i]), c[i], metric, scale);
	return b;
}

/* ------------------------------------------------------------ 1. CPU utilization by model */

static void fig_cpu_util(struct figctx *x, const struct results_file_cell **c, unsigned n)
{
	struct gp_bars *b = gp_bars_new();
	if (!b)
		return;
	unsigned w[64], nw = distinct_workers(c, n, w, 64);
	for (unsigned i = 0; i < nw; i++) {
		char s[32];
		snprintf(s, sizeof s, "%u worker%s", w[i], w[i] == 1 ? "" : "s");
		gp_bars_ser(b, s, NULL);
	}
	for (unsigned i = 0; i < n; i++) {
		char lab[256], s[32];
		group_label(c, n, c[i], "driver,workers", lab, sizeof lab);
		snprintf(s, sizeof s, "%u worker%s", c[i]->workers, c[i]->workers == 1 ? "" : "s");
		bar_metric(b, gp_bars_cat(b, lab), gp_bars_ser(b, s, NULL), c[i], M_UTIL, 1);
	}
	bars_labels(b, x->title, "model (driver)", "CPU used (cores)", 0);
	b->value_fmt = "%.2f";
	b->ref = x->f->cpus;
	snprintf(b->ref_label, sizeof b->ref_label, "CPUs available (%d)", x->f->cpus);
	char cap[600];
	snprintf(cap, sizeof cap, "CPU time used by the workers (user + system) divided by the wall time, for cpu-spin "
	                          "with each worker count under each driver. The dashed line is the number of CPUs the "
	                          "run could use (%d). " ERRBARS, x->f->cpus);
	write_panels(x, &b, 1, 900, 480, cap);
}

/* ------------------------------------------------------------ 2. per-core timeline */

/* The panels of the timeline: up to 16 cells with a per-CPU timeline, each with its median
 * repetition, placed in a grid (a row per group: driver + knobs; a column per worker count). */
struct timeline {
	unsigned np, ng, cols;
	const struct results_file_cell *p[16];
	const struct results_rep *rep[16];
	unsigned row[16], col[16];
	char groups[16][256];
};

static void timeline_layout(struct timeline *t, const struct results_file_cell *const *c, unsigned n)
{
	t->np = t->ng = 0;
	for (unsigned i = 0; i < n && t->np < 16; i++) {
		const struct results_rep *r = plot_median_rep(c[i]);
		if (r && r->ncpus) {
			t->p[t->np] = c[i];
			t->rep[t->np++] = r;
		}
	}
	unsigned w[64], nw = distinct_workers(t->p, t->np, w, 64);
	t->cols = nw > 4 ? 4 : nw;
	for (unsigned i = 0; i < t->np; i++) {
		char lab[256];
		group_label(t->p, t->np, t->p[i], "driver,workers", lab, sizeof lab);
		unsigned gi = 0;
		while (gi < t->ng && strcmp(t->groups[gi], lab))
			gi++;
		if (gi == t->ng)
			snprintf(t->groups[t->ng++], sizeof t->groups[0], "%s", lab);
		t->row[i] = gi;
		unsigned wi = 0;
		while (wi < nw && w[wi] != t->p[i]->workers)
			wi++;
		t->col[i] = wi < t->cols ? wi : t->cols - 1;
	}
}

static double sample_interval(const struct results_rep *r)
{
	return isfinite(r->interval_s) && r->interval_s > 0 ? r->interval_s : 0.1;
}

/* The shared axes: CPU busy 0-105 %, time 0..the longest timeline, about 4 round ticks. */
static void timeline_axes(FILE *s, const struct timeline *t)
{
	double tmax = 0;
	for (unsigned i = 0; i < t->np; i++) {
		double len = t->rep[i]->nsamples * sample_interval(t->rep[i]);
		tmax = len > tmax ? len : tmax;
	}
	static const double steps[] = { 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000 };
	double step = steps[15];
	for (unsigned k = 0; k < 16; k++)
		if (steps[k] * 4 >= tmax) {
			step = steps[k];
			break;
		}
	fprintf(s, "\nset yrange [0:105]\nset ylabel \"CPU busy (%%)\"\nset xlabel \"time (s)\"\n"
	           "set key outside right top vertical\nset style data linespoints\nset xrange [0:%g]\n"
	           "set xtics 0,%g\n",
	        tmax, step);
}

/* The panel title of cell i: group, workers, the CPUs they were bound to, CPU used. */
static void timeline_label(const struct timeline *t, unsigned i, char *lab, size_t len)
{
	const struct results_rep *r = t->rep[i];
	char on[64] = "";
	size_t off = 0;
	for (unsigned k = 0; k < r->nworkers && k < 8; k++) { /* the CPUs the workers were bound to */
		if (r->bound_pu[k] < 0)
			continue;
		char me[16];
		snprintf(me, sizeof me, "%d", r->bound_pu[k]);
		if (!strstr(on, me) && off < sizeof on)
			off += (size_t)snprintf(on + off, sizeof on - off, "%s%s", off ? "," : " on CPU ", me);
	}
	double busy = 0;
	for (unsigned k = 0; k < r->ncpus; k++)
		busy += isfinite(r->core_mean[k]) ? r->core_mean[k] : 0;
	snprintf(lab, len, "%s, %u worker%s%s: %.2f cores\n(all CPUs: %.2f busy)", t->groups[t->row[i]],
	         t->p[i]->workers, t->p[i]->workers == 1 ? "" : "s", on, r->util_cores, busy);
}

/* The workers' own CPU on CPU k of r (r->cpus[k]), in % of the repetition's wall time: the CPU
 * time of each worker bound to it (or, unbound, that last ran there), the mean over the
 * repetition; NaN when r does not record it. /proc/stat counts every process. */
static double workers_on_cpu(const struct results_rep *r, unsigned k)
{
	double sum = 0;
	int any = 0;
	for (unsigned w = 0; w < r->nworkers && r->wall_s > 0; w++) {
		int pu = r->bound_pu && r->bound_pu[w] >= 0 ? r->bound_pu[w] : r->last_cpu ? r->last_cpu[w] : -1;
		double cpu = r->worker_cpu_s ? r->worker_cpu_s[w] : NAN;
		if (pu >= 0 && isfinite(cpu)) {
			any = 1;
			sum += pu == r->cpus[k] ? cpu / r->wall_s * 100 : 0;
		}
	}
	return any ? sum : NAN;
}

/* Panel i: its data block (time, busy % of each CPU, the workers' share of each) and its plot
 * command. */
static void timeline_panel(struct gpfig *g, const struct timeline *t, unsigned i)
{
	const struct results_rep *r = t->rep[i];
	char lab[300];
	timeline_label(t, i, lab, sizeof lab);
	unsigned blk = gp_block(g, "%s (repetition with the median util_cores); columns: time_s, then "
	                        "busy %% of each CPU (every process), then the workers' own %% on each", lab);
	fprintf(g->dat, "# time_s");
	for (unsigned k = 0; k < r->ncpus; k++)
		fprintf(g->dat, " cpu%d", r->cpus[k]);
	for (unsigned k = 0; k < r->ncpus; k++)
		fprintf(g->dat, " workers_cpu%d", r->cpus[k]);
	fputc('\n', g->dat);
	double dt = sample_interval(r);
	for (unsigned s = 0; s < r->nsamples; s++) {
		fprintf(g->dat, "%.3f", (s + 0.5) * dt);
		for (unsigned k = 0; k < 2 * r->ncpus; k++) {
			fputc(' ', g->dat);
			gp_num(g->dat, k < r->ncpus ? r->timeline[(size_t)s * r->ncpus + k] * 100
			                            : workers_on_cpu(r, k - r->ncpus));
		}
		fputc('\n', g->dat);
	}
	fprintf(g->gp, "set title ");
	esc_fputs(g->gp, ESC_GP, lab);
	fprintf(g->gp, "\nplot");
	for (unsigned k = 0; k < r->ncpus; k++)
		fprintf(g->gp, "%s '%s' index %u using 1:%u lw 2 pt 7 ps 0.5 lc rgb \"%s\" title \"CPU %d\", "
		               "'' index %u using 1:%u with lines dt 2 lw 2 lc rgb \"%s\" title \"workers on %d\"",
		        k ? "," : "", g->dat_name, blk, k + 2, gp_color(k), r->cpus[k], blk, r->ncpus + k + 2, gp_color(k),
		        r->cpus[k]);
	fprintf(g->gp, "\n");
}

static void fig_core_timeline(struct figctx *x, const struct results_file_cell **c, unsigned n)
{
	struct timeline t;
	timeline_layout(&t, c, n);
	if (!t.np) {
		gp_skip(x->set, x->name, x->title, "%s", x->d->missing);
		return;
	}
	struct gpfig g;
	if (gp_begin(&g, x->o, x->set, x->name, x->title, 330 * t.cols + 160, 250 * t.ng + 60, x->f->path))
		return;
	fprintf(g.gp, "set multiplot layout %u,%u title ", t.ng, t.cols);
	esc_fputs(g.gp, ESC_GP, x->title);
	timeline_axes(g.gp, &t);
	for (unsigned gi = 0; gi < t.ng; gi++)
		for (unsigned ci = 0; ci < t.cols; ci++) {
			unsigned i = 0;
			while (i < t.np && !(t.row[i] == gi && t.col[i] == ci))
				i++;
			if (i == t.np)
				fprintf(g.gp, "set multiplot next\n");
			else
				timeline_panel(&g, &t, i);
		}
	fprintf(g.gp, "unset multiplot\n");
	gp_caption(&g, "The \"task manager\" view: how busy each CPU of the machine was (from /proc/stat, every "
	               "%.1f s) during one repetition of each cpu-spin cell (the repetition with the median "
	               "utilization). Solid: every process on the machine (\"all CPUs\" is the machine's total); "
	               "dashed: the workers' own CPU time on each CPU over the repetition's wall time (their mean: "
	               "/proc/stat gives no per-process timeline), so the gap is other load.",
	           t.rep[0]->interval_s > 0 ? t.rep[0]->interval_s : 0.1);
	gp_end(&g);
}

/* ------------------------------------------------------------ 3. scaling */

/* Same workload, driver, pin and knobs: points of one scaling series. */
static int same_series(const struct results_file_cell *a, const struct results_file_cell *b)
{
	if (strcmp(a->workload, b->workload) || strcmp(a->driver, b->driver) || strcmp(a->pin, b->pin) ||
	    a->nknobs != b->nknobs)
		return 0;
	for (unsigned i = 0; i < a->nknobs; i++) {
		const char *v = results_file_knob(b, a->knobs[i].key);
		if (!v || strcmp(v, a->knobs[i].value))
			return 0;
	}
	return 1;
}

/* The series of a scaling figure: cells that differ only by worker count, kept when they have
 * 2+ points (at most GP_MAXSER of them; the others are counted in dropped). */
struct scaling {
	const struct results_file_cell **c;
	unsigned n;
	unsigned nser, nkept, dropped, nk;
	unsigned first[MAXCELLS];     /* series j: the index in c of its first cell */
	unsigned sid[MAXCELLS];       /* cell i: its series */
	unsigned map[MAXCELLS];       /* series j: its place among the kept ones, or UINT32_MAX */
	const struct results_file_cell *kept[MAXCELLS];
};

static void scaling_series(struct scaling *sc)
{
	unsigned npts[MAXCELLS];
	sc->nser = sc->nkept = sc->dropped = sc->nk = 0;
	for (unsigned i = 0; i < sc->n; i++) {
		unsigned j = 0;
		while (j < sc->nser && !same_series(sc->c[sc->first[j]], sc->c[i]))
			j++;
		if (j == sc->nser) {
			sc->first[sc->nser] = i;
			npts[sc->nser++] = 0;
		}
		npts[j]++;
		sc->sid[i] = j;
	}
	for (unsigned j = 0; j < sc->nser; j++) {
		sc->map[j] = UINT32_MAX;
		if (npts[j] < 2)
			continue;
		if (sc->nkept == GP_MAXSER) {
			sc->dropped++;
			continue;
		}
		sc->map[j] = sc->nkept++;
	}
	for (unsigned i = 0; i < sc->n; i++)
		if (sc->map[sc->sid[i]] != UINT32_MAX)
			sc->kept[sc->nk++] = sc->c[i];
}

/* Title, axes (log-log when the worker counts span more than 8x), a tick per worker count. */
static void scaling_axes(FILE *s, const struct figctx *x, const unsigned *w, unsigned nw)
{
	char ylabel[128];
	int logx = w[nw - 1] / w[0] > 8;
	snprintf(ylabel, sizeof ylabel, "throughput (%s/s)", op_unit(x->workload));
	fprintf(s, "set title ");
	esc_fputs(s, ESC_GP, x->title);
	/* the x tics say the worker count; for a workload with helpers, what scales: the pool */
	if (workload_helpers(x->workload))
		fprintf(s, "\nset xlabel \"workers (of them %u not in the pool: the pool is the rest)\"\nset ylabel ",
		        workload_helpers(x->workload));
	else
		fprintf(s, "\nset xlabel \"workers\"\nset ylabel ");
	esc_fputs(s, ESC_GP, ylabel);
	fprintf(s, "\nset format y \"%s\"\n", logx ? "%.0s%c" : "%.1s%c");
	fprintf(s, "set key outside right top vertical Left reverse\nset xtics (");
	for (unsigned i = 0; i < nw; i++)
		fprintf(s, "%s\"%u\" %u", i ? ", " : "", w[i], w[i]);
	fprintf(s, ")\n");
	if (logx)
		fprintf(s, "set logscale xy\nset offsets graph 0.05, graph 0.05, 0, 0\n");
	else
		fprintf(s, "set xrange [%g:%g]\nset yrange [0:*]\n", w[0] - 0.3 * (w[nw - 1] - w[0] + 1) / nw,
		        w[nw - 1] + 0.3 * (w[nw - 1] - w[0] + 1) / nw);
}

/* The data block of series j: per cell, workers, ops/s median, min, max, and linear scaling
 * from the series' first point. Returns the block's index. */
static unsigned scaling_block(struct gpfig *g, const struct scaling *sc, unsigned j, const char *lab)
{
	unsigned blk = gp_block(g, "series \"%s\"; columns: workers ops_per_s_median min max ideal_linear "
	                           "(from the fewest workers, in the workers that do the work: workers - helpers)", lab);
	double base = NAN;
	unsigned basew = 0, helpers = sc->n ? workload_helpers(sc->c[0]->workload) : 0;
	for (unsigned i = 0; i < sc->n; i++) {
		if (sc->sid[i] != j)
			continue;
		const struct results_file_cell *c = sc->c[i];
		const struct results_stat *st = results_file_stat(c, M_OPS_S);
		if (!isfinite(base) && st) {
			base = st->median;
			basew = c->workers;
		}
		fprintf(g->dat, "%u ", c->workers);
		gp_num(g->dat, st ? st->median : NAN);
		fputc(' ', g->dat);
		gp_num(g->dat, st ? st->min : NAN);
		fputc(' ', g->dat);
		gp_num(g->dat, st ? st->max : NAN);
		fputc(' ', g->dat);
		gp_num(g->dat, basew > helpers && c->workers > helpers
		                       ? base * (c->workers - helpers) / (basew - helpers) : NAN);
		fputc('\n', g->dat);
	}
	return blk;
}

/* Every kept series: its block, and its line in the driver's colour (series of one driver
 * differ by their point type). */
static void scaling_plot(struct gpfig *g, const struct scaling *sc)
{
	static const int pts[] = { 7, 5, 9, 13, 11, 3 };
	unsigned ord_of[DRIVER_MODELS + 1] = { 0 }; /* series drawn so far per driver rank: the point type */
	fprintf(g->gp, "plot");
	for (unsigned j = 0; j < sc->nser; j++) {
		if (sc->map[j] == UINT32_MAX)
			continue;
		const struct results_file_cell *r0 = sc->c[sc->first[j]];
		char lab[256];
		group_label(sc->kept, sc->nk, r0, "driver,workers", lab, sizeof lab);
		unsigned blk = scaling_block(g, sc, j, lab);
		int rank = plot_driver_rank(r0->driver);
		const char *col = plot_driver_color(r0->driver) ? plot_driver_color(r0->driver) : gp_color(j);
		fprintf(g->gp, "%s \\\n  '%s' index %u using 1:2:3:4 with yerrorlines lw 2 pt %d lc rgb \"%s\" title ",
		        sc->map[j] ? "," : "", g->dat_name, blk, pts[ord_of[rank]++ % 6], col);
		esc_fputs(g->gp, ESC_GP, lab);
		fprintf(g->gp, ", \\\n  '' index %u using 1:5 with lines dt 2 lw 1 lc rgb \"%s\" notitle", blk, col);
	}
	fprintf(g->gp, ", \\\n  NaN with lines dt 2 lw 1 lc rgb \"#444444\" title \"ideal: linear from the fewest "
	               "workers\"\n");
}

static void fig_scaling(struct figctx *x, const struct results_file_cell **c, unsigned n)
{
	struct scaling *sc = calloc(1, sizeof *sc);
	if (!sc)
		return;
	sc->c = c;
	sc->n = n;
	scaling_series(sc);
	struct gpfig g;
	unsigned w[64], nw = distinct_workers(sc->kept, sc->nk, w, 64);
	if (!sc->nkept)
		gp_skip(x->set, x->name, x->title, "%s ran at one worker count only (or has no ok cells)", x->workload);
	else if (!gp_begin(&g, x->o, x->set, x->name, x->title, 900, 520, x->f->path)) {
		scaling_axes(g.gp, x, w, nw);
		scaling_plot(&g, sc);
		gp_caption(&g, "Throughput (ops/s, one op = one of %s's %s) at each worker count, per driver; the dashed "
		               "line of the same colour is linear scaling from that series' smallest worker count. The "
		               "machine has %d CPUs. " ERRBARS,
		           x->workload, op_unit(x->workload), x->f->cpus);
		if (workload_helpers(x->workload))
			gp_caption(&g, " %u of the workers are not in the pool (%s's submitter), so n workers are a pool of n - %u, "
			               "and linear scaling is in the pool's size.",
			           workload_helpers(x->workload), x->workload, workload_helpers(x->workload));
		if (sc->dropped)
			gp_caption(&g, " %u series beyond %d are not shown.", sc->dropped, GP_MAXSER);
		gp_end(&g);
	}
	free(sc);
}

/* ------------------------------------------------------------ 4. sleep-io */

static int spinners_of(const struct results_file_cell *c)
{
	const char *v = results_file_knob(c, K_SIO_SPINNERS);
	return v ? atoi(v) : 0;
}

/* The cells of the convoy panel: those with spinners, then the cells among a (no spinners)
 * with the driver, wait and number of waiters of one of them (the baseline). Sorted. */
static unsigned convoy_cells(const struct results_file_cell *const *c, unsigned n,
                             const struct results_file_cell *const *a, unsigned na, const struct results_file_cell **cv)
{
	unsigned ncv = 0;
	for (unsigned i = 0; i < n; i++)
		if (spinners_of(c[i]))
			cv[ncv++] = c[i];
	unsigned nspin = ncv;
	for (unsigned i = 0; nspin && i < na; i++) {
		for (unsigned j = 0; j < nspin; j++) {
			const struct results_file_cell *s = cv[j];
			const char *w1 = results_file_knob(s, K_SIO_WAIT_US), *w2 = results_file_knob(a[i], K_SIO_WAIT_US);
			if (!strcmp(s->driver, a[i]->driver) && w1 && w2 && !strcmp(w1, w2) &&
			    plot_med(s, M_SIO_WAITERS) == plot_med(a[i], M_SIO_WAITERS)) {
				cv[ncv++] = a[i];
				break;
			}
		}
	}
	plot_sort_cells(cv, ncv);
	return ncv;
}

/* Write a panel of the figure and free it; -ENOMEM for a NULL one (out of memory). */
static int panel(struct gpfig *g, struct gp_bars *b)
{
	if (!b)
		return -ENOMEM;
	gp_bars_write(g, b);
	free(b);
	return 0;
}

/* The waiters' wall time against the ideal, then the median and the tail overshoot. */
static int sleep_io_wait_panels(struct gpfig *g, const struct results_file_cell *const *a, unsigned na)
{
	struct gp_bars *b = driver_bars(a, na, "", M_SIO_WAITER_WALL, 1);
	if (!b)
		return -ENOMEM;
	int si = gp_bars_ser(b, "ideal", "#bbbbbb");
	for (unsigned i = 0; i < na; i++) {
		int k = setup_cat(b, a, na, a[i], "", "");
		if (si >= 0 && k >= 0)
			b->v[k][si] = plot_med(a[i], M_SIO_IDEAL_WALL);
	}
	bars_labels(b, "Wall time of the waiters against the ideal (count x wait_us x rounds the limit imposes)",
	            "cell setup", "wall time (s)", 30);
	if (panel(g, b))
		return -ENOMEM;
	static const char *pm[] = { M_SIO_P50, M_SIO_P99 };
	static const char *pt[] = { "Median wait overshoot (p50): how much later than asked a wait returned",
		                    "Tail wait overshoot (p99)" };
	for (unsigned q = 0; q < 2; q++) {
		b = driver_bars(a, na, "", pm[q], 1);
		if (b)
			bars_labels(b, pt[q], "cell setup", "overshoot (us)", 20);
		if (panel(g, b))
			return -ENOMEM;
	}
	return 0;
}

static void fig_sleep_io(struct figctx *x, const struct results_file_cell **c, unsigned n)
{
	const struct results_file_cell *a[MAXCELLS], *cv[MAXCELLS];
	unsigned na = 0;
	for (unsigned i = 0; i < n; i++)
		if (!spinners_of(c[i]))
			a[na++] = c[i];
	unsigned ncv = convoy_cells(c, n, a, na, cv);
	unsigned panels = (na ? 3 : 0) + (ncv ? 1 : 0);
	struct gpfig g;
	if (gp_begin(&g, x->o, x->set, x->name, x->title, 1000, 300 * panels + 40, x->f->path))
		return;
	fprintf(g.gp, "set multiplot layout %u,1\n", panels);
	int rc = na ? sleep_io_wait_panels(&g, a, na) : 0;
	if (!rc && ncv) {
		struct gp_bars *b = driver_bars(cv, ncv, "", M_SIO_P50, 1);
		if (b) {
			bars_labels(b, "Convoy: median overshoot of the waiters beside CPU-bound spinners, and without them",
			            "cell setup", "overshoot p50 (us)", 20);
			b->value_fmt = "%.0f";
		}
		panel(&g, b);
	}
	fprintf(g.gp, "unset multiplot\n");
	gp_caption(&g, "Workers block in a wait of wait_us, count times each (with limit > 0 a semaphore lets at "
	               "most that many wait at once). %s" "Overshoot: how long after the requested time a wait "
	               "returned, over every waiter (log scale when values span more than 20x).%s " ERRBARS,
	           na ? "Top: the waiters' wall time against the ideal. " : "",
	           ncv ? " Convoy panel: the same waits while `spinners` workers burn CPU; with a GIL a wait that "
	                 "ends must get the lock back from a spinner." : "");
	gp_end(&g);
}

/* ------------------------------------------------------------ 5. shared-counter */

static void fig_shared_counter(struct figctx *x, const struct results_file_cell **all, unsigned na)
{
	const struct results_file_cell *c[MAXCELLS];
	unsigned n = 0, wmax = 0;
	for (unsigned i = 0; i < na; i++)
		wmax = all[i]->workers > wmax ? all[i]->workers : wmax;
	for (unsigned i = 0; i < na; i++)
		if (all[i]->workers == wmax)
			c[n++] = all[i];
	struct gp_bars *b[2] = { gp_bars_new(), gp_bars_new() };
	for (unsigned i = 0; b[0] && b[1] && i < n; i++) {
		const char *sync = results_file_knob(c[i], K_SC_SYNC);
		for (int p = 0; p < 2; p++)
			bar_metric(b[p], setup_cat(b[p], c, n, c[i], "workers," K_SC_SYNC, sync ? sync : "?"),
			           driver_series(b[p], c, n, c[i]), c[i], p ? M_SC_LOST_FRACTION : M_OPS_S, p ? 100 : 1);
	}
	if (b[0] && b[1]) {
		bars_labels(b[0], "Increments per second by synchronisation mode", "sync mode", "increments/s (all workers)",
		            30);
		bars_labels(b[1], "Updates lost (final count below the expected total)", "sync mode",
		            "lost updates (% of increments)", 0);
		b[1]->value_fmt = "%.3g";
	}
	char cap[600];
	snprintf(cap, sizeof cap, "Every worker increments one shared counter (%u workers). none: plain load + store "
	                          "(racy on purpose); atomic: fetch-add; mutex: the task-API mutex; spin: a spinlock; "
	                          "local: per-worker counters summed at the end; gap_us: a blocking wait between the "
	                          "load and the store. " ERRBARS, wmax);
	write_panels(x, b, 2, 1000, 340, cap);
}

/* ------------------------------------------------------------ 6. producer-consumer, pingpong */

static void fig_pc(struct figctx *x, const struct results_file_cell **c, unsigned n)
{
	struct gp_bars *b[2] = { gp_bars_new(), gp_bars_new() };
	static const char *pm[] = { M_PC_P50, M_PC_P90, M_PC_P99, M_PC_P999 };
	static const char *pn[] = { "p50", "p90", "p99", "p99.9" };
	for (unsigned q = 0; b[1] && q < 4; q++)
		gp_bars_ser(b[1], pn[q], gp_color(q));
	for (unsigned i = 0; b[0] && b[1] && i < n; i++) {
		const char *q = results_file_knob(c[i], K_PC_QUEUE);
		int cat = setup_cat(b[0], c, n, c[i], K_PC_QUEUE, q ? q : "?"), ser = driver_series(b[0], c, n, c[i]);
		bar_metric(b[0], cat, ser, c[i], M_OPS_S, 1);
		if (cat < 0 || ser < 0)
			continue;
		char lab[300]; /* latency panel: a category per cell, a bar per percentile */
		cat_text(lab, sizeof lab, b[0]->ser[ser], b[0]->cat[cat], "");
		int k = gp_bars_cat(b[1], lab);
		for (unsigned p = 0; p < 4; p++)
			bar_metric(b[1], k, (int)p, c[i], pm[p], 1e-3);
	}
	if (b[0] && b[1]) {
		bars_labels(b[0], "Items through the queue per second", "queue", "items/s", 30);
		bars_labels(b[1], "Handoff latency: into the queue -> out of it", "cell", "latency (us)", 0);
		b[1]->logy = 1;
	}
	write_panels(x, b, 2, 1000, 340,
	             "Producers hand items to consumers through a bounded queue (lock: mutex + wait/wake, the "
	             "classic blocking queue; spsc: a lock-free ring; pipe: a pipe, process driver only). Latency "
	             "percentiles on a log scale. " ERRBARS);
}

static void fig_pingpong(struct figctx *x, const struct results_file_cell **c, unsigned n)
{
	struct gp_bars *b = gp_bars_new();
	if (!b)
		return;
	for (unsigned i = 0; i < n; i++)
		bar_metric(b, setup_cat(b, c, n, c[i], "", ""), driver_series(b, c, n, c[i]), c[i], M_PP_HANDOFF_NS, 1);
	bars_labels(b, x->title, "setup (pin: where the two workers run)", "time per one-way handoff (ns)", 30);
	b->value_fmt = "%.0f";
	write_panels(x, &b, 1, 900, 480,
	             "Two workers pass a token back and forth (mode wait: block and wake through the task API; spin: "
	             "poll). One hand-off = one side passing the token to the other. With both workers on one PU "
	             "(pin=pus:0,0) it is a context switch (claim 4 is decided there); with them on two PUs "
	             "(pin=spread) it is a wake-up of another CPU, mostly the idle CPU's wake-up latency, not a "
	             "switch; coroutines hand off without the kernel. " ERRBARS);
}

/* ------------------------------------------------------------ 8. cost per worker (a sweep of -n) */

/* One quantity of the worker-cost figure for cell c: v = median, min, max over its
 * repetitions; 0, or -1 when the cell lacks it. */
struct cost_panel {
	const char *title, *ylabel;
	int (*get)(const struct results_file_cell *c, double v[3]);
};

static int stat3(const struct results_file_cell *c, const char *metric, double scale, double v[3])
{
	const struct results_stat *st = results_file_stat(c, metric);
	if (!st || !(st->median > 0))
		return -1;
	v[0] = st->median * scale;
	v[1] = st->min * scale;
	v[2] = st->max * scale;
	return 0;
}

static int cost_spawn(const struct results_file_cell *c, double v[3])
{
	return stat3(c, M_SPAWN, 1e6 / c->workers, v);
}

static int cost_mem(const struct results_file_cell *c, double v[3])
{
	return stat3(c, M_MEM_PER_WORKER, 1, v);
}

/* Wall time beyond the ideal, per wait: what the driver adds to each wait when the waits of
 * all workers overlap (flat when that cost grows linearly with the workers). */
static int cost_wait(const struct results_file_cell *c, double v[3])
{
	double ideal = plot_med(c, M_SIO_IDEAL_WALL), ops = plot_med(c, M_OPS);
	if (stat3(c, M_WALL, 1, v) || !isfinite(ideal) || !(ops > 0))
		return -1;
	for (unsigned k = 0; k < 3; k++)
		v[k] = v[k] > ideal ? (v[k] - ideal) / ops * 1e6 : NAN;
	return 0;
}

static const struct cost_panel cost_panels[] = {
	{ "Spawn cost per worker: create every worker until all wait at the start gate", "spawn / worker (us)",
	  cost_spawn },
	{ "Memory per worker (the cell's resident memory with every worker alive, over the workers)",
	  "memory / worker (KiB)", cost_mem },
	{ "Time per wait beyond the ideal: (wall - count x wait_us) / waits", "time / wait (us)", cost_wait },
};

/* One panel: log-log, a line per series (driver and knobs) in the driver's colour. */
static void cost_plot(struct gpfig *g, const struct scaling *sc, const struct cost_panel *p, const unsigned *w,
                      unsigned nw)
{
	fprintf(g->gp, "set title ");
	esc_fputs(g->gp, ESC_GP, p->title);
	fprintf(g->gp, "\nset ylabel ");
	esc_fputs(g->gp, ESC_GP, p->ylabel);
	fprintf(g->gp, "\nset xlabel \"workers\"\nset logscale xy\nset format y \"%%g\"\nset xtics (");
	for (unsigned i = 0; i < nw; i++)
		fprintf(g->gp, "%s\"%u\" %u", i ? ", " : "", w[i], w[i]);
	fprintf(g->gp, ")\nset offsets graph 0.05, graph 0.05, 0, 0\nset key outside right top vertical Left reverse\nplot");
	unsigned drawn = 0;
	for (unsigned j = 0; j < sc->nser; j++) {
		if (sc->map[j] == UINT32_MAX)
			continue;
		const struct results_file_cell *r0 = sc->c[sc->first[j]];
		char lab[256];
		double v[3];
		unsigned pts = 0;
		for (unsigned i = 0; i < sc->n; i++)
			pts += sc->sid[i] == j && !p->get(sc->c[i], v);
		if (!pts) /* cells without this figure (an old file): no line, and no empty block */
			continue;
		group_label(sc->kept, sc->nk, r0, "driver,workers", lab, sizeof lab);
		unsigned blk = gp_block(g, "%s, series \"%s\"; columns: workers median min max", p->ylabel, lab);
		for (unsigned i = 0; i < sc->n; i++) {
			if (sc->sid[i] != j || p->get(sc->c[i], v))
				continue;
			fprintf(g->dat, "%u ", sc->c[i]->workers);
			for (unsigned k = 0; k < 3; k++) {
				gp_num(g->dat, v[k]);
				fputc(k < 2 ? ' ' : '\n', g->dat);
			}
		}
		const char *col = plot_driver_color(r0->driver) ? plot_driver_color(r0->driver) : gp_color(j);
		fprintf(g->gp, "%s \\\n  '%s' index %u using 1:2:3:4 with yerrorlines lw 2 pt 7 lc rgb \"%s\" title ",
		        drawn++ ? "," : "", g->dat_name, blk, col);
		esc_fputs(g->gp, ESC_GP, lab);
	}
	fprintf(g->gp, "\n");
}

/* Points of panel p over the kept series. */
static unsigned cost_points(const struct scaling *sc, const struct cost_panel *p)
{
	unsigned pts = 0;
	double v[3];
	for (unsigned i = 0; i < sc->n; i++)
		pts += sc->map[sc->sid[i]] != UINT32_MAX && !p->get(sc->c[i], v);
	return pts;
}

/* What one more worker costs, against the number of workers, per driver: drawn from plain
 * sleep-io cells (no spinners) run at several worker counts (bench run -w sleep-io -n 1,10,..). */
static void fig_worker_cost(struct figctx *x, const struct results_file_cell **all, unsigned na)
{
	const struct results_file_cell **c = calloc(na ? na : 1, sizeof *c);
	struct scaling *sc = calloc(1, sizeof *sc);
	unsigned n = 0;
	for (unsigned i = 0; c && i < na; i++)
		if (!spinners_of(all[i]))
			c[n++] = all[i];
	if (!c || !sc)
		goto out;
	sc->c = c;
	sc->n = n;
	scaling_series(sc);
	unsigned w[64], nw = distinct_workers(sc->kept, sc->nk, w, 64), np = 0;
	const struct cost_panel *pan[3];
	for (unsigned p = 0; p < 3; p++)
		if (cost_points(sc, &cost_panels[p]))
			pan[np++] = &cost_panels[p];
	struct gpfig g;
	if (!sc->nkept) {
		gp_skip(x->set, x->name, x->title, "no sweep of -n for sleep-io (bench run -w sleep-io -n 10,100,1000,...)");
	} else if (!np) {
		gp_skip(x->set, x->name, x->title, "the sleep-io cells have no spawn_s, mem_per_worker_kb or wall_s");
	} else if (!gp_begin(&g, x->o, x->set, x->name, x->title, 1000, 360 * np + 20, x->f->path)) {
		fprintf(g.gp, "set multiplot layout %u,1\n", np);
		for (unsigned p = 0; p < np; p++)
			cost_plot(&g, sc, pan[p], w, nw);
		fprintf(g.gp, "unset multiplot\n");
		gp_caption(&g, "sleep-io (no spinners) at several worker counts, one line per driver and setup, log-log: "
		               "a flat line is a cost per worker that does not grow with the number of workers. Spawn: "
		               "spawn_s / workers; memory: mem_per_worker_kb; time per wait: the wall time beyond the "
		               "ideal, over the waits. Missing points: that cell failed or did not run. " ERRBARS);
		gp_end(&g);
	}
out:
	free(sc);
	free(c);
}

/* ------------------------------------------------------------ the table of figures */

static const struct figdef figures[] = {
	{ "cpu-util", "CPU utilization of a CPU-bound loop (cpu-spin), by model", W_CPU_SPIN,
	  "no ok cpu-spin cells (bench run -w cpu-spin -n 1,%d)", fig_cpu_util },
	{ "core-timeline", "Per-CPU utilization over time (cpu-spin)", W_CPU_SPIN,
	  "no ok cpu-spin cells with a per-CPU timeline", fig_core_timeline },
	{ "scaling", "Scaling of %s: throughput against workers", NULL, NULL, fig_scaling },
	{ "sleep-io", "sleep-io: blocking waits, wall time and overshoot", W_SLEEP_IO,
	  "no ok sleep-io cells (bench run -w sleep-io)", fig_sleep_io },
	{ "shared-counter", "shared-counter: the price of each fix, and lost updates", W_COUNTER,
	  "no ok shared-counter cells (bench run -w shared-counter -O sync=...)", fig_shared_counter },
	{ "producer-consumer", "producer-consumer: items/s and handoff latency", W_PC,
	  "no ok producer-consumer cells (bench run -w producer-consumer)", fig_pc },
	{ "pingpong", "pingpong: the cost of one hand-off (on one PU a switch; across PUs a wake-up)", W_PINGPONG,
	  "no ok pingpong cells (bench run -w pingpong -n 2)", fig_pingpong },
	{ "worker-cost", "What a worker costs as workers grow: spawn, memory, time per wait (sleep-io)", W_SLEEP_IO,
	  "no ok sleep-io cells (bench run -w sleep-io -n 10,100,1000,10000)", fig_worker_cost },
};

/* One figure of the table, for one workload (wl: a per-workload figure's, else d->workload). */
static void draw_figure(struct figctx *x, const struct figdef *d, const char *wl)
{
	const struct results_file_cell **c = calloc(MAXCELLS, sizeof *c);
	if (!c)
		return;
	unsigned n = plot_find(x->f, &(struct plot_sel){ .workload = wl }, c, MAXCELLS);
	x->d = d;
	x->workload = wl;
	if (d->workload) {
		snprintf(x->name, sizeof x->name, "%s", d->name);
		snprintf(x->title, sizeof x->title, "%s", d->title);
	} else {
		snprintf(x->name, sizeof x->name, "%s-%s", d->name, wl);
		snprintf(x->title, sizeof x->title, d->title, wl);
	}
	if (!n && d->missing) {
		gp_skip(x->set, x->name, x->title, d->missing, x->f->cpus);
	} else {
		plot_sort_cells(c, n);
		d->draw(x, c, n);
	}
	free(c);
}

int plot_write_all(const struct results_file *f, const struct plot_opts *o, struct plot_set *out, char *err,
                   size_t errlen)
{
	int rc = plot_mkdirs(o->dir);
	if (rc) {
		snprintf(err, errlen, "cannot create %s: %s", o->dir, strerror(-rc));
		return rc;
	}
	memset(out, 0, sizeof *out);
	struct figctx x = { .f = f, .o = o, .set = out };
	const char *wl[PLOT_MAX_WORKLOADS];
	unsigned nwl = plot_workloads(f, wl, PLOT_MAX_WORKLOADS);
	for (unsigned i = 0; i < sizeof figures / sizeof figures[0]; i++) {
		if (figures[i].workload)
			draw_figure(&x, &figures[i], figures[i].workload);
		for (unsigned k = 0; !figures[i].workload && k < nwl; k++)
			draw_figure(&x, &figures[i], wl[k]);
	}
	for (unsigned i = 0; i < out->n; i++)
		if (!out->fig[i].written && strstr(out->fig[i].skipped, "cannot write")) {
			snprintf(err, errlen, "%s", out->fig[i].skipped);
			return -EIO;
		}
	return 0;
}
