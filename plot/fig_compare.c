/* fig_compare: figure 7 of `bench plot BASE NEW`, the change of every matched cell with its
 * confidence interval (see plot.h). The interval is bench compare's own: the same values of
 * the same metric (results_file_values of the baseline's primary metric), the same function
 * (stats_bootstrap_ratio_ci) with compare's defaults (confidence, resamples, seed), so the
 * figure and `bench compare BASE NEW` print one interval for one pair of files. */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/stats/compare.h"
#include "bench/stats/stats.h"
#include "bench/store/escape.h"
#include "bench/store/results.h"
#include "plot/gp.h"
#include "plot/plot.h"

#define MAXCELLS 4096

/* The change of the median of b's primary metric from b to c in percent, and its confidence
 * interval (NaN when there is none). */
static void change_ci(const struct results_file_cell *b, const struct results_file_cell *c, double *chg, double *lo,
                      double *hi)
{
	double *x = calloc(b->nreps + c->nreps + 2, sizeof *x), rlo, rhi;
	*chg = *lo = *hi = NAN;
	if (!x)
		return;
	double *y = x + b->nreps + 1;
	int nb = results_file_values(b, b->primary, x, b->nreps), nc = results_file_values(c, b->primary, y, c->nreps);
	if (nb > 0 && nc > 0) {
		double mb = stats_median(x, (size_t)nb), mc = stats_median(y, (size_t)nc);
		if (mb != 0)
			*chg = (mc / mb - 1) * 100;
		if (!stats_bootstrap_ratio_ci(x, (size_t)nb, y, (size_t)nc, COMPARE_DEFAULT_CONFIDENCE, COMPARE_DEFAULT_NBOOT,
		                              STATS_BOOT_SEED, &rlo, &rhi)) {
			*lo = (rlo - 1) * 100;
			*hi = (rhi - 1) * 100;
		}
	}
	free(x);
}

/* The cell of base that is c (same workload, driver, workers, pin and knobs) when both are ok
 * and record their primary metric; else NULL. */
static const struct results_file_cell *matched(const struct results_file *base, const struct results_file_cell *c)
{
	const struct results_file_cell *b = NULL;
	for (unsigned j = 0; j < base->ncells && !b; j++)
		if (plot_same_cell(c, &base->cells[j]))
			b = &base->cells[j];
	if (!b || strcmp(b->status, "ok") || strcmp(c->status, "ok") || !results_file_series(b, b->primary) ||
	    !results_file_series(c, c->primary))
		return NULL;
	return b;
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

/* A row per matched cell of neu: y, label, change, CI, better/worse/unclear, metric. Returns the rows. */
static unsigned compare_rows(struct gpfig *g, const struct results_file *base, const struct results_file *neu)
{
	unsigned y = 0;
	gp_block(g, "columns: y cell change_pct ci_low ci_high better(1)/worse(-1)/unclear(0) metric");
	for (unsigned i = 0; i < neu->ncells; i++) {
		const struct results_file_cell *c = &neu->cells[i], *b = matched(base, c);
		if (!b)
			continue;
		double chg, lo, hi;
		change_ci(b, c, &chg, &lo, &hi);
		int dir = 0;
		if (isfinite(lo) && isfinite(hi) && (lo > 0 || hi < 0) && lo != hi)
			dir = ((lo > 0) == (c->higher_is_better != 0)) ? 1 : -1;
		char lab[400];
		compare_label(neu, c, lab, sizeof lab);
		fprintf(g->dat, "%u ", y++);
		esc_fputs(g->dat, ESC_GP, lab);
		fputc(' ', g->dat);
		gp_num(g->dat, chg);
		fputc(' ', g->dat);
		gp_num(g->dat, lo);
		fputc(' ', g->dat);
		gp_num(g->dat, hi);
		fprintf(g->dat, " %d %s\n", dir, c->primary);
	}
	return y;
}

/* The script: a bar per row, coloured by its verdict, with the CI as whiskers. */
static void compare_script(struct gpfig *g, const char *title, unsigned rows)
{
	FILE *s = g->gp;
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
	           rows ? rows - 1 : 0);
	fprintf(s, "col(d) = d > 0 ? 0x2ca02c : (d < 0 ? 0xd62728 : 0x999999)\n");
	fprintf(s, "plot '%s' using (column(3) / 2):1:(abs(column(3)) / 2):(0.35):(col(column(6))):ytic(2) "
	           "with boxxyerror lc rgb variable, \\\n"
	           "  '' using 3:1:4:5 with xerrorbars pt 7 ps 0.6 lc rgb \"#222222\"\n",
	           g->dat_name);
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
	unsigned nmatched = 0;
	for (unsigned i = 0; i < neu->ncells; i++)
		nmatched += matched(base, &neu->cells[i]) != NULL;
	if (!nmatched) {
		gp_skip(out, name, title, "no cell is in both files with status ok (cells match by workload, "
		                          "driver, workers, pin and every knob)");
		return 0;
	}
	struct gpfig g;
	if (gp_begin(&g, o, out, name, title, 1200, 160 + 22 * nmatched, neu->path)) {
		snprintf(err, errlen, "%s", out->fig[out->n - 1].skipped);
		return -EIO;
	}
	compare_script(&g, title, compare_rows(&g, base, neu));
	gp_caption(&g, "Each matched cell (same workload, driver, workers, pin and knobs in both files): the change "
	               "of its primary metric (ops_per_s, or wall_s for sleep-io), with a %g%% percentile-bootstrap "
	               "confidence interval of the change of medians (%d resamples of the repetitions), as bench "
	               "compare computes it. Green: better and the CI excludes 0; red: worse; grey: unclear. bench "
	               "compare gives the statistical verdict.",
	           COMPARE_DEFAULT_CONFIDENCE * 100, COMPARE_DEFAULT_NBOOT);
	if (neu->ncells > nmatched)
		gp_caption(&g, " %u cells of the new file have no ok counterpart and are not shown.", neu->ncells - nmatched);
	gp_end(&g);
	return 0;
}
