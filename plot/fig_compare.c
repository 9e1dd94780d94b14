/* fig_compare: figure 7 of `bench plot BASE NEW`, the change of every matched cell with its
 * confidence interval and verdict (see plot.h). Nothing here decides: the rows are
 * compare_files()'s (compare's matching, --ignore-knob, change, bootstrap interval and
 * verdict with its defaults), so the figure and `bench compare BASE NEW` say one thing. */
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

/* The row's change drawn: compare's own (a finite change and interval; NAN where none). */
static int drawn(const struct compare_row *r)
{
	return isfinite(r->change_pct);
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

/* A row per compared cell with a change: y, label, change, CI, verdict (1 improvement, -1
 * regression, 0 none), metric. Returns the rows. */
static unsigned compare_rows(struct gpfig *g, const struct compare_result *r)
{
	unsigned y = 0;
	gp_block(g, "columns: y cell change_pct ci_low ci_high improvement(1)/regression(-1)/neither(0) metric");
	for (unsigned i = 0; i < r->nrows; i++) {
		const struct compare_row *row = &r->rows[i];
		if (!drawn(row))
			continue;
		char lab[400];
		compare_label(r->new, &r->new->cells[row->new_cell], lab, sizeof lab);
		fprintf(g->dat, "%u ", y++);
		esc_fputs(g->dat, ESC_GP, lab);
		fputc(' ', g->dat);
		gp_num(g->dat, row->change_pct);
		fputc(' ', g->dat);
		gp_num(g->dat, row->ci_lo_pct);
		fputc(' ', g->dat);
		gp_num(g->dat, row->ci_hi_pct);
		fprintf(g->dat, " %d %s\n", row->verdict == CMP_IMPROVEMENT ? 1 : row->verdict == CMP_REGRESSION ? -1 : 0,
		        row->metric);
	}
	return y;
}

/* The script: a bar per row, coloured by its verdict, with the CI as whiskers. */
static void compare_script(struct gpfig *g, const char *title, unsigned rows)
{
	FILE *s = g->gp;
	char title2[600];
	snprintf(title2, sizeof title2, "%s\ngreen: improvement, red: regression (bench compare's verdicts), grey: neither", title);
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

/* compare_files with compare's defaults and the knobs o ignores. 0, or -EINVAL with err. */
static int compare_for_plot(const struct results_file *base, const struct results_file *neu,
                            const struct plot_opts *o, struct compare_result *r, char *err, size_t errlen)
{
	struct compare_opts co;
	compare_opts_default(&co);
	for (unsigned i = 0; i < o->nignore && i < COMPARE_IGNORE_MAX; i++)
		co.ignore[co.nignore++] = o->ignore[i];
	return compare_files(base, neu, &co, r, err, errlen); /* its error names --ignore-knob */
}

int plot_write_compare(const struct results_file *base, const struct results_file *neu, const struct plot_opts *o,
                       struct plot_set *out, char *err, size_t errlen)
{
	static const char *name = "compare";
	char title[300];
	struct compare_result r;
	int rc = plot_mkdirs(o->dir);
	if (rc) {
		snprintf(err, errlen, "cannot create %s: %s", o->dir, strerror(-rc));
		return rc;
	}
	memset(out, 0, sizeof *out);
	if ((rc = compare_for_plot(base, neu, o, &r, err, errlen)))
		return rc;
	snprintf(title, sizeof title, "Change per cell: %s -> %s", base_name(base->path), base_name(neu->path));
	unsigned ndrawn = 0;
	for (unsigned i = 0; i < r.nrows; i++)
		ndrawn += drawn(&r.rows[i]);
	struct gpfig g;
	if (!ndrawn)
		gp_skip(out, name, title, "no cell in both files has the metric in both (failed or skipped cells)");
	else if (gp_begin(&g, o, out, name, title, 1200, 160 + 22 * ndrawn, neu->path)) {
		snprintf(err, errlen, "%s", out->fig[out->n - 1].skipped);
		compare_result_free(&r);
		return -EIO;
	} else {
		compare_script(&g, title, compare_rows(&g, &r));
		gp_caption(&g, "Each matched cell (same workload, driver, workers, pin and knobs in both files%s): the change "
		               "of its primary metric (ops_per_s, or wall_s for sleep-io), with a %g%% percentile-bootstrap "
		               "confidence interval of the change of medians (%d resamples of the repetitions) and the "
		               "verdict, as bench compare prints them (Mann-Whitney test, alpha %g, threshold %g%%).",
		           o->nignore ? ", the ignored knobs left out" : "", COMPARE_DEFAULT_CONFIDENCE * 100,
		           COMPARE_DEFAULT_NBOOT, COMPARE_DEFAULT_ALPHA, COMPARE_DEFAULT_THRESHOLD);
		if (neu->ncells > ndrawn)
			gp_caption(&g, " %u cells of the new file have no ok counterpart and are not shown.", neu->ncells - ndrawn);
		gp_end(&g);
	}
	compare_result_free(&r);
	return 0;
}
