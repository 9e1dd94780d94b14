/* figures: one function per figure of `bench plot` (see plot.h). Each selects its cells with
 * plot/query.c, writes DIR/<name>.dat and DIR/<name>.gp through plot/gp.c, or records why it
 * is skipped. Metric and knob names come from plot/names.h.
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
#include "bench/stats/stats.h"
#include "bench/store/results.h"

#define MAXCELLS 4096
#define ERRBARS "Error bars: min-max over the measured repetitions; bars/points: medians."

struct figctx {
	const struct results_file *f;
	const struct plot_opts *o;
	struct plot_set *set;
};

static void cat_text(char *buf, size_t len, const char *a, const char *b, const char *c)
{
	snprintf(buf, len, "%s%s%s%s%s", a, *a && *b ? " " : "", b, (*a || *b) && *c ? " " : "", c);
}

static const char *op_unit(const char *workload)
{
#define OPU(w, u) if (!strcmp(workload, w)) return u;
	OP_UNITS(OPU)
#undef OPU
	return "ops";
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
static void write_panels(struct figctx *x, const char *name, const char *title, struct gp_bars **b, unsigned nb,
                         int w, int h_panel, const char *caption)
{
	struct gpfig g;
	unsigned ok = nb > 0;
	for (unsigned i = 0; i < nb; i++)
		ok &= b[i] != NULL;
	if (ok && !gp_begin(&g, x->o, x->set, name, title, w, h_panel * (int)nb + (nb > 1 ? 40 : 0), x->f->path)) {
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

/* ------------------------------------------------------------ 1. CPU utilization by model */

static void fig_cpu_util(struct figctx *x)
{
	static const char *name = "cpu-util", *title = "CPU utilization of a CPU-bound loop (cpu-spin), by model";
	const struct results_file_cell *c[MAXCELLS];
	unsigned n = plot_find(x->f, &(struct plot_sel){ .workload = W_CPU_SPIN }, c, MAXCELLS);
	if (!n) {
		gp_skip(x->set, name, title, "no ok cpu-spin cells (bench run -w cpu-spin -n 1,%d)", x->f->cpus);
		return;
	}
	plot_sort_cells(c, n);
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
	b->title = title;
	b->xlabel = "model (driver)";
	b->ylabel = "CPU used (cores)";
	b->value_fmt = "%.2f";
	b->ref = x->f->cpus;
	snprintf(b->ref_label, sizeof b->ref_label, "CPUs available (%d)", x->f->cpus);
	char cap[600];
	snprintf(cap, sizeof cap, "CPU time used by the workers (user + system) divided by the wall time, for cpu-spin "
	                          "with each worker count under each driver. The dashed line is the number of CPUs the "
	                          "run could use (%d). " ERRBARS, x->f->cpus);
	write_panels(x, name, title, &b, 1, 900, 480, cap);
}

/* ------------------------------------------------------------ 2. per-core timeline */

static void fig_core_timeline(struct figctx *x)
{
	static const char *name = "core-timeline", *title = "Per-CPU utilization over time (cpu-spin)";
	const struct results_file_cell *c[MAXCELLS];
	unsigned n = plot_find(x->f, &(struct plot_sel){ .workload = W_CPU_SPIN }, c, MAXCELLS), np = 0;
	const struct results_file_cell *p[16];
	const struct results_rep *rep[16];
	plot_sort_cells(c, n);
	for (unsigned i = 0; i < n && np < 16; i++) {
		const struct results_rep *r = plot_median_rep(c[i]);
		if (r && r->ncpus) {
			p[np] = c[i];
			rep[np++] = r;
		}
	}
	if (!np) {
		gp_skip(x->set, name, title, "no ok cpu-spin cells with a per-CPU timeline");
		return;
	}
	unsigned w[64], nw = distinct_workers(p, np, w, 64), cols = nw > 4 ? 4 : nw;
	/* Rows: one per group (driver + knobs), a column per worker count. */
	char groups[16][256];
	unsigned ng = 0, row[16], col[16];
	for (unsigned i = 0; i < np; i++) {
		char lab[256];
		group_label(p, np, p[i], "driver,workers", lab, sizeof lab);
		unsigned gi = 0;
		while (gi < ng && strcmp(groups[gi], lab))
			gi++;
		if (gi == ng)
			snprintf(groups[ng++], sizeof groups[0], "%s", lab);
		row[i] = gi;
		unsigned wi = 0;
		while (wi < nw && w[wi] != p[i]->workers)
			wi++;
		col[i] = wi < cols ? wi : cols - 1;
	}
	struct gpfig g;
	if (gp_begin(&g, x->o, x->set, name, title, 330 * cols + 160, 250 * ng + 60, x->f->path))
		return;
	FILE *s = g.gp;
	fprintf(s, "set multiplot layout %u,%u title ", ng, cols);
	esc_fputs(s, ESC_GP, title);
	double tmax = 0;
	for (unsigned i = 0; i < np; i++) {
		double dt = isfinite(rep[i]->interval_s) && rep[i]->interval_s > 0 ? rep[i]->interval_s : 0.1;
		tmax = rep[i]->nsamples * dt > tmax ? rep[i]->nsamples * dt : tmax;
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
	unsigned at = 0;
	for (unsigned gi = 0; gi < ng; gi++)
		for (unsigned ci = 0; ci < cols; ci++) {
			unsigned i = 0;
			while (i < np && !(row[i] == gi && col[i] == ci))
				i++;
			if (i == np) {
				fprintf(s, "set multiplot next\n");
				continue;
			}
			const struct results_rep *r = rep[i];
			char lab[300];
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
			snprintf(lab, sizeof lab, "%s, %u worker%s%s: %.2f cores\n(all CPUs: %.2f busy)", groups[gi],
			         p[i]->workers, p[i]->workers == 1 ? "" : "s", on, r->util_cores, busy);
			unsigned blk = gp_block(&g, "%s (repetition with the median util_cores); columns: time_s, then "
			                        "busy %% of each CPU", lab);
			fprintf(g.dat, "# time_s");
			for (unsigned k = 0; k < r->ncpus; k++)
				fprintf(g.dat, " cpu%d", r->cpus[k]);
			fputc('\n', g.dat);
			double dt = isfinite(r->interval_s) && r->interval_s > 0 ? r->interval_s : 0.1;
			for (unsigned t = 0; t < r->nsamples; t++) {
				fprintf(g.dat, "%.3f", (t + 0.5) * dt);
				for (unsigned k = 0; k < r->ncpus; k++) {
					fputc(' ', g.dat);
					gp_num(g.dat, r->timeline[(size_t)t * r->ncpus + k] * 100);
				}
				fputc('\n', g.dat);
			}
			fprintf(s, "set title ");
			esc_fputs(s, ESC_GP, lab);
			fprintf(s, "\nplot");
			for (unsigned k = 0; k < r->ncpus; k++)
				fprintf(s, "%s '%s' index %u using 1:%u lw 2 pt 7 ps 0.5 lc rgb \"%s\" title \"CPU %d\"",
				        k ? "," : "", g.dat_name, blk, k + 2, gp_color(k), r->cpus[k]);
			fprintf(s, "\n");
			at++;
		}
	fprintf(s, "unset multiplot\n");
	gp_caption(&g, "The \"task manager\" view: how busy each CPU of the machine was (from /proc/stat, every "
	               "%.1f s) during one repetition of each cpu-spin cell (the repetition with the median "
	               "utilization). It counts every process on the machine, not only the workers: \"all CPUs\" "
	               "is the machine's total, to compare with the workers' own use.",
	           rep[0]->interval_s > 0 ? rep[0]->interval_s : 0.1);
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

static void fig_scaling_one(struct figctx *x, const char *wl)
{
	char name[96], title[160];
	snprintf(name, sizeof name, "scaling-%s", wl);
	snprintf(title, sizeof title, "Scaling of %s: throughput against workers", wl);
	const struct results_file_cell *c[MAXCELLS], *kept[MAXCELLS];
	unsigned n = plot_find(x->f, &(struct plot_sel){ .workload = wl }, c, MAXCELLS), nk = 0;
	plot_sort_cells(c, n);
	/* Series: cells that differ only by worker count; kept when they have 2+ points. */
	unsigned rep[MAXCELLS], npts[MAXCELLS], sid[MAXCELLS], nser = 0, dropped = 0;
	for (unsigned i = 0; i < n; i++) {
		unsigned j = 0;
		while (j < nser && !same_series(c[rep[j]], c[i]))
			j++;
		if (j == nser) {
			rep[nser] = i;
			npts[nser++] = 0;
		}
		npts[j]++;
		sid[i] = j;
	}
	unsigned map[MAXCELLS], nkept = 0;
	for (unsigned j = 0; j < nser; j++) {
		map[j] = UINT32_MAX;
		if (npts[j] < 2)
			continue;
		if (nkept == GP_MAXSER) {
			dropped++;
			continue;
		}
		map[j] = nkept++;
	}
	for (unsigned i = 0; i < n; i++)
		if (map[sid[i]] != UINT32_MAX)
			kept[nk++] = c[i];
	if (!nkept) {
		gp_skip(x->set, name, title, "%s ran at one worker count only (or has no ok cells)", wl);
		return;
	}
	unsigned w[64], nw = distinct_workers(kept, nk, w, 64);
	struct gpfig g;
	if (gp_begin(&g, x->o, x->set, name, title, 900, 520, x->f->path))
		return;
	FILE *s = g.gp;
	int logx = w[nw - 1] / w[0] > 8;
	fprintf(s, "set title ");
	esc_fputs(s, ESC_GP, title);
	fprintf(s, "\nset xlabel \"workers\"\nset ylabel \"throughput (%s/s)\"\nset format y \"%s\"\n", op_unit(wl),
	        logx ? "%.0s%c" : "%.1s%c");
	fprintf(s, "set key outside right top vertical Left reverse\nset xtics (");
	for (unsigned i = 0; i < nw; i++)
		fprintf(s, "%s\"%u\" %u", i ? ", " : "", w[i], w[i]);
	fprintf(s, ")\n");
	if (logx)
		fprintf(s, "set logscale xy\nset offsets graph 0.05, graph 0.05, 0, 0\n");
	else
		fprintf(s, "set xrange [%g:%g]\nset yrange [0:*]\n", w[0] - 0.3 * (w[nw - 1] - w[0] + 1) / nw,
		        w[nw - 1] + 0.3 * (w[nw - 1] - w[0] + 1) / nw);
	fprintf(s, "plot");
	unsigned ord_of[16] = { 0 }; /* series drawn so far per driver rank: the point type */
	for (unsigned j = 0; j < nser; j++) {
		if (map[j] == UINT32_MAX)
			continue;
		const struct results_file_cell *r0 = c[rep[j]];
		char lab[256];
		group_label(kept, nk, r0, "driver,workers", lab, sizeof lab);
		unsigned blk = gp_block(&g, "series \"%s\"; columns: workers ops_per_s_median min max ideal_linear "
		                            "(from the fewest workers)", lab);
		double base = NAN;
		unsigned basew = 0;
		for (unsigned i = 0; i < n; i++) {
			if (sid[i] != j)
				continue;
			const struct results_stat *st = results_file_stat(c[i], M_OPS_S);
			if (!isfinite(base) && st) {
				base = st->median;
				basew = c[i]->workers;
			}
			fprintf(g.dat, "%u ", c[i]->workers);
			gp_num(g.dat, st ? st->median : NAN);
			fputc(' ', g.dat);
			gp_num(g.dat, st ? st->min : NAN);
			fputc(' ', g.dat);
			gp_num(g.dat, st ? st->max : NAN);
			fputc(' ', g.dat);
			gp_num(g.dat, basew ? base * c[i]->workers / basew : NAN);
			fputc('\n', g.dat);
		}
		/* The driver's colour; series of one driver differ by their point type. */
		static const int pts[] = { 7, 5, 9, 13, 11, 3 };
		int rank = plot_driver_rank(r0->driver);
		const char *col = rank < 4 ? gp_driver_color(r0->driver) : gp_color(j);
		fprintf(s, "%s \\\n  '%s' index %u using 1:2:3:4 with yerrorlines lw 2 pt %d lc rgb \"%s\" title ",
		        map[j] ? "," : "", g.dat_name, blk, pts[ord_of[rank]++ % 6], col);
		esc_fputs(s, ESC_GP, lab);
		fprintf(s, ", \\\n  '' index %u using 1:5 with lines dt 2 lw 1 lc rgb \"%s\" notitle", blk, col);
	}
	fprintf(s, ", \\\n  NaN with lines dt 2 lw 1 lc rgb \"#444444\" title \"ideal: linear from the fewest "
	           "workers\"\n");
	gp_caption(&g, "Throughput (ops/s, one op = one of %s's %s) at each worker count, per driver; the dashed "
	               "line of the same colour is linear scaling from that series' smallest worker count. The "
	               "machine has %d CPUs. " ERRBARS,
	           wl, op_unit(wl), x->f->cpus);
	if (dropped)
		gp_caption(&g, " %u series beyond %d are not shown.", dropped, GP_MAXSER);
	gp_end(&g);
}

static void fig_scaling(struct figctx *x)
{
	const char *done[64];
	unsigned ndone = 0;
	for (unsigned i = 0; i < x->f->ncells && ndone < 64; i++) {
		const char *wl = x->f->cells[i].workload;
		unsigned k = 0;
		while (k < ndone && strcmp(done[k], wl))
			k++;
		if (k < ndone)
			continue;
		done[ndone++] = wl;
		fig_scaling_one(x, wl);
	}
}

/* ------------------------------------------------------------ 4. sleep-io */

static int spinners_of(const struct results_file_cell *c)
{
	const char *v = results_file_knob(c, K_SIO_SPINNERS);
	return v ? atoi(v) : 0;
}

/* Series of a cell: its driver and the driver knobs that vary among set. */
static int driver_series(struct gp_bars *b, const struct results_file_cell *const *set, unsigned n,
                         const struct results_file_cell *c)
{
	char dk[160], ser[256];
	plot_varying_driver(set, n, c, dk, sizeof dk);
	cat_text(ser, sizeof ser, c->driver, dk, "");
	return gp_bars_ser(b, ser, *dk ? NULL : gp_driver_color(c->driver));
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

static void fig_sleep_io(struct figctx *x)
{
	static const char *name = "sleep-io", *title = "sleep-io: blocking waits, wall time and overshoot";
	const struct results_file_cell *c[MAXCELLS], *a[MAXCELLS], *cv[MAXCELLS];
	unsigned n = plot_find(x->f, &(struct plot_sel){ .workload = W_SLEEP_IO }, c, MAXCELLS), na = 0, ncv = 0;
	plot_sort_cells(c, n);
	for (unsigned i = 0; i < n; i++)
		if (!spinners_of(c[i]))
			a[na++] = c[i];
	/* Convoy: cells with spinners, and the cells of the same driver and wait without
	 * spinners and with as many waiters (the baseline). */
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
	if (!na && !ncv) {
		gp_skip(x->set, name, title, "no ok sleep-io cells (bench run -w sleep-io)");
		return;
	}
	plot_sort_cells(cv, ncv);
	unsigned panels = (na ? 3 : 0) + (ncv ? 1 : 0);
	struct gpfig g;
	if (gp_begin(&g, x->o, x->set, name, title, 1000, 300 * panels + 40, x->f->path))
		return;
	fprintf(g.gp, "set multiplot layout %u,1\n", panels);
	if (na) {
		struct gp_bars *b = driver_bars(a, na, "", M_SIO_WAITER_WALL, 1);
		if (!b)
			goto out;
		int si = gp_bars_ser(b, "ideal", "#bbbbbb");
		for (unsigned i = 0; i < na; i++) {
			int k = setup_cat(b, a, na, a[i], "", "");
			if (si >= 0 && k >= 0)
				b->v[k][si] = plot_med(a[i], M_SIO_IDEAL_WALL);
		}
		b->title = "Wall time of the waiters against the ideal (count x wait_us x rounds the limit imposes)";
		b->xlabel = "cell setup";
		b->ylabel = "wall time (s)";
		b->logy = wide_range(b, 30);
		gp_bars_write(&g, b);
		free(b);
		static const char *pm[] = { M_SIO_P50, M_SIO_P99 };
		static const char *pt[] = { "Median wait overshoot (p50): how much later than asked a wait returned",
			                    "Tail wait overshoot (p99)" };
		for (unsigned q = 0; q < 2; q++) {
			b = driver_bars(a, na, "", pm[q], 1);
			if (!b)
				goto out;
			b->title = pt[q];
			b->xlabel = "cell setup";
			b->ylabel = "overshoot (us)";
			b->logy = wide_range(b, 20);
			gp_bars_write(&g, b);
			free(b);
		}
	}
	if (ncv) {
		struct gp_bars *b = driver_bars(cv, ncv, "", M_SIO_P50, 1);
		if (!b)
			goto out;
		b->title = "Convoy: median overshoot of the waiters beside CPU-bound spinners, and without them";
		b->xlabel = "cell setup";
		b->ylabel = "overshoot p50 (us)";
		b->logy = wide_range(b, 20);
		b->value_fmt = "%.0f";
		gp_bars_write(&g, b);
		free(b);
	}
out:
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

static void fig_shared_counter(struct figctx *x)
{
	static const char *name = "shared-counter", *title = "shared-counter: the price of each fix, and lost updates";
	const struct results_file_cell *all[MAXCELLS], *c[MAXCELLS];
	unsigned na = plot_find(x->f, &(struct plot_sel){ .workload = W_COUNTER }, all, MAXCELLS), n = 0, wmax = 0;
	for (unsigned i = 0; i < na; i++)
		wmax = all[i]->workers > wmax ? all[i]->workers : wmax;
	for (unsigned i = 0; i < na; i++)
		if (all[i]->workers == wmax)
			c[n++] = all[i];
	if (!n) {
		gp_skip(x->set, name, title, "no ok shared-counter cells (bench run -w shared-counter -O sync=...)");
		return;
	}
	plot_sort_cells(c, n);
	struct gp_bars *b[2] = { gp_bars_new(), gp_bars_new() };
	for (unsigned i = 0; b[0] && b[1] && i < n; i++) {
		const char *sync = results_file_knob(c[i], K_SC_SYNC);
		for (int p = 0; p < 2; p++)
			bar_metric(b[p], setup_cat(b[p], c, n, c[i], "workers," K_SC_SYNC, sync ? sync : "?"),
			           driver_series(b[p], c, n, c[i]), c[i], p ? M_SC_LOST_FRACTION : M_OPS_S, p ? 100 : 1);
	}
	if (b[0] && b[1]) {
		b[0]->title = "Increments per second by synchronisation mode";
		b[0]->xlabel = "sync mode";
		b[0]->ylabel = "increments/s (all workers)";
		b[0]->logy = wide_range(b[0], 30);
		b[1]->title = "Updates lost (final count below the expected total)";
		b[1]->xlabel = "sync mode";
		b[1]->ylabel = "lost updates (% of increments)";
		b[1]->value_fmt = "%.3g";
	}
	char cap[600];
	snprintf(cap, sizeof cap, "Every worker increments one shared counter (%u workers). none: plain load + store "
	                          "(racy on purpose); atomic: fetch-add; mutex: the task-API mutex; spin: a spinlock; "
	                          "local: per-worker counters summed at the end; gap_us: a blocking wait between the "
	                          "load and the store. " ERRBARS, wmax);
	write_panels(x, name, title, b, 2, 1000, 340, cap);
}

/* ------------------------------------------------------------ 6. producer-consumer, pingpong */

static void fig_pc(struct figctx *x)
{
	static const char *name = "producer-consumer", *title = "producer-consumer: items/s and handoff latency";
	const struct results_file_cell *c[MAXCELLS];
	unsigned n = plot_find(x->f, &(struct plot_sel){ .workload = W_PC }, c, MAXCELLS);
	if (!n) {
		gp_skip(x->set, name, title, "no ok producer-consumer cells (bench run -w producer-consumer)");
		return;
	}
	plot_sort_cells(c, n);
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
		b[0]->title = "Items through the queue per second";
		b[0]->xlabel = "queue";
		b[0]->ylabel = "items/s";
		b[0]->logy = wide_range(b[0], 30);
		b[1]->title = "Handoff latency: into the queue -> out of it";
		b[1]->xlabel = "cell";
		b[1]->ylabel = "latency (us)";
		b[1]->logy = 1;
	}
	write_panels(x, name, title, b, 2, 1000, 340,
	             "Producers hand items to consumers through a bounded queue (lock: mutex + wait/wake, the "
	             "classic blocking queue; spsc: a lock-free ring; pipe: a pipe, process driver only). Latency "
	             "percentiles on a log scale. " ERRBARS);
}

static void fig_pingpong(struct figctx *x)
{
	static const char *name = "pingpong", *title = "pingpong: the cost of one handoff (a switch)";
	const struct results_file_cell *c[MAXCELLS];
	unsigned n = plot_find(x->f, &(struct plot_sel){ .workload = W_PINGPONG }, c, MAXCELLS);
	if (!n) {
		gp_skip(x->set, name, title, "no ok pingpong cells (bench run -w pingpong -n 2)");
		return;
	}
	plot_sort_cells(c, n);
	struct gp_bars *b = gp_bars_new();
	if (!b)
		return;
	for (unsigned i = 0; i < n; i++)
		bar_metric(b, setup_cat(b, c, n, c[i], "", ""), driver_series(b, c, n, c[i]), c[i], M_PP_HANDOFF_NS, 1);
	b->title = title;
	b->xlabel = "setup (pin: where the two workers run)";
	b->ylabel = "time per one-way handoff (ns)";
	b->logy = wide_range(b, 30);
	b->value_fmt = "%.0f";
	write_panels(x, name, title, &b, 1, 900, 480,
	             "Two workers pass a token back and forth (mode wait: block and wake through the task API; spin: "
	             "poll). One handoff = one side passing the token to the other: with both on one CPU it is a "
	             "context switch. " ERRBARS);
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
	fig_cpu_util(&x);
	fig_core_timeline(&x);
	fig_scaling(&x);
	fig_sleep_io(&x);
	fig_shared_counter(&x);
	fig_pc(&x);
	fig_pingpong(&x);
	for (unsigned i = 0; i < out->n; i++)
		if (!out->fig[i].written && strstr(out->fig[i].skipped, "cannot write")) {
			snprintf(err, errlen, "%s", out->fig[i].skipped);
			return -EIO;
		}
	return 0;
}

/* ------------------------------------------------------------ 7. compare */

static uint64_t xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static double median_of(double *v, unsigned n)
{
	qsort(v, n, sizeof *v, stats_cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

#define BOOT 2000

/* Change of the median from a to b in percent, and a 95% percentile-bootstrap CI of it
 * (resampling the repetitions of each side; fixed seed, so reruns give the same figure). */
static void change_ci(const struct results_series *a, const struct results_series *b, double *chg, double *lo,
                      double *hi)
{
	double *x = calloc(a->n + b->n + 2 * BOOT, sizeof *x);
	unsigned na = 0, nb = 0;
	*chg = *lo = *hi = NAN;
	if (!x)
		return;
	double *xa = x, *xb = x + a->n, *r = x + a->n + b->n, *tmp = r + BOOT;
	for (unsigned i = 0; i < a->n; i++)
		if (isfinite(a->v[i]))
			xa[na++] = a->v[i];
	for (unsigned i = 0; i < b->n; i++)
		if (isfinite(b->v[i]))
			xb[nb++] = b->v[i];
	if (!na || !nb)
		goto out;
	double *sa = tmp, *sb = tmp + na; /* tmp has BOOT >= na + nb slots when na + nb <= BOOT */
	if (na + nb > BOOT)
		goto out;
	memcpy(sa, xa, na * sizeof *sa);
	memcpy(sb, xb, nb * sizeof *sb);
	double ma = median_of(sa, na), mb = median_of(sb, nb);
	if (ma == 0)
		goto out;
	*chg = (mb / ma - 1) * 100;
	if (na < 2 || nb < 2) {
		*lo = *hi = *chg;
		goto out;
	}
	uint64_t seed = 0x9e3779b97f4a7c15ull;
	unsigned k = 0;
	for (unsigned it = 0; it < BOOT; it++) {
		for (unsigned i = 0; i < na; i++)
			sa[i] = xa[xorshift(&seed) % na];
		for (unsigned i = 0; i < nb; i++)
			sb[i] = xb[xorshift(&seed) % nb];
		double ra = median_of(sa, na), rb = median_of(sb, nb);
		if (ra != 0)
			r[k++] = (rb / ra - 1) * 100;
	}
	if (k) {
		qsort(r, k, sizeof *r, stats_cmp_double);
		*lo = r[(unsigned)(0.025 * (k - 1))];
		*hi = r[(unsigned)ceil(0.975 * (k - 1))];
	}
out:
	free(x);
}

/* workload/driver/n=W and the knobs that vary among the cells of that workload. */
static void compare_label(const struct results_file *f, const struct results_file_cell *c, char *buf, size_t len)
{
	const struct results_file_cell *set[MAXCELLS];
	unsigned n = 0;
	char wk[200], dk[160];
	for (unsigned i = 0; i < f->ncells && n < MAXCELLS; i++)
		if (!strcmp(f->cells[i].workload, c->workload))
			set[n++] = &f->cells[i];
	plot_varying(set, n, c, "driver,workers", wk, sizeof wk);
	plot_varying_driver(set, n, c, dk, sizeof dk);
	size_t off = results_cell_label(buf, len, c->workload, c->driver, c->workers);
	if (off < len)
		snprintf(buf + off, len - off, "%s%s%s%s", *dk ? " " : "", dk, *wk ? " " : "", wk);
}

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');
	return s ? s + 1 : p;
}

int plot_write_compare(const struct results_file *base, const struct results_file *neu, const struct plot_opts *o,
                       struct plot_set *out, char *err, size_t errlen)
{
	static const char *name = "compare";
	char title[300];
	int rc = plot_mkdirs(o->dir);
	if (rc) {
		snprintf(err, errlen, "cannot create %s: %s", o->dir, strerror(-rc));
		return rc;
	}
	memset(out, 0, sizeof *out);
	snprintf(title, sizeof title, "Change per cell: %s -> %s", base_name(base->path), base_name(neu->path));
	unsigned matched = 0, unmatched = 0;
	for (unsigned i = 0; i < neu->ncells; i++) {
		const struct results_file_cell *b = NULL, *c = &neu->cells[i];
		for (unsigned j = 0; j < base->ncells && !b; j++)
			if (plot_same_cell(c, &base->cells[j]))
				b = &base->cells[j];
		if (b && !strcmp(b->status, "ok") && !strcmp(c->status, "ok") && results_file_series(b, b->primary) &&
		    results_file_series(c, c->primary))
			matched++;
		else
			unmatched++;
	}
	if (!matched) {
		gp_skip(out, name, title, "no cell is in both files with status ok (cells match by workload, "
		                          "driver, workers, pin and every knob)");
		return 0;
	}
	struct gpfig g;
	if (gp_begin(&g, o, out, name, title, 1200, 160 + 22 * matched, neu->path)) {
		snprintf(err, errlen, "%s", out->fig[out->n - 1].skipped);
		return -EIO;
	}
	gp_block(&g, "columns: y cell change_pct ci_low ci_high better(1)/worse(-1)/unclear(0) metric");
	unsigned y = 0;
	for (unsigned i = 0; i < neu->ncells; i++) {
		const struct results_file_cell *b = NULL, *c = &neu->cells[i];
		for (unsigned j = 0; j < base->ncells && !b; j++)
			if (plot_same_cell(c, &base->cells[j]))
				b = &base->cells[j];
		if (!b || strcmp(b->status, "ok") || strcmp(c->status, "ok"))
			continue;
		const struct results_series *sa = results_file_series(b, b->primary),
		                            *sb = results_file_series(c, c->primary);
		if (!sa || !sb)
			continue;
		double chg, lo, hi;
		change_ci(sa, sb, &chg, &lo, &hi);
		int dir = 0;
		if (isfinite(lo) && isfinite(hi) && (lo > 0 || hi < 0) && lo != hi)
			dir = ((lo > 0) == (c->higher_is_better != 0)) ? 1 : -1;
		char lab[400];
		compare_label(neu, c, lab, sizeof lab);
		fprintf(g.dat, "%u ", y++);
		esc_fputs(g.dat, ESC_GP, lab);
		fputc(' ', g.dat);
		gp_num(g.dat, chg);
		fputc(' ', g.dat);
		gp_num(g.dat, lo);
		fputc(' ', g.dat);
		gp_num(g.dat, hi);
		fprintf(g.dat, " %d %s\n", dir, c->primary);
	}
	FILE *s = g.gp;
	char title2[600];
	snprintf(title2, sizeof title2, "%s\ngreen: better, red: worse (CI excludes 0), grey: unclear", title);
	fprintf(s, "set title ");
	esc_fputs(s, ESC_GP, title2);
	fprintf(s, "\n");
	fprintf(s, "set xlabel \"change of the median (%%), whiskers: 95%% CI\"\n"
	           "set ylabel \"\"\nset grid xtics ytics\nset border 3\nunset key\n"
	           "set yrange [%u.6:-0.6]\nset offsets graph 0.05, graph 0.05, 0, 0\n"
	           "set style fill solid 0.6 border rgb \"#333333\"\n"
	           "set arrow from 0, graph 0 to 0, graph 1 nohead lc rgb \"#000000\" lw 1\n",
	           y ? y - 1 : 0);
	fprintf(s, "col(d) = d > 0 ? 0x2ca02c : (d < 0 ? 0xd62728 : 0x999999)\n");
	fprintf(s, "plot '%s' using (column(3) / 2):1:(abs(column(3)) / 2):(0.35):(col(column(6))):ytic(2) "
	           "with boxxyerror lc rgb variable, \\\n"
	           "  '' using 3:1:4:5 with xerrorbars pt 7 ps 0.6 lc rgb \"#222222\"\n",
	           g.dat_name);
	gp_caption(&g, "Each matched cell (same workload, driver, workers, pin and knobs in both files): the change "
	               "of its primary metric (ops_per_s, or wall_s for sleep-io), with a 95%% percentile-bootstrap "
	               "confidence interval of the change of medians (%d resamples of the repetitions). Green: "
	               "better and the CI excludes 0; red: worse; grey: unclear. bench compare gives the "
	               "statistical verdict.", BOOT);
	if (unmatched)
		gp_caption(&g, " %u cells of the new file have no ok counterpart and are not shown.", unmatched);
	gp_end(&g);
	return 0;
}
