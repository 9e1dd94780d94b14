/* fig_history: one cell's metric over the runs of the history, with its change points (see
 * fig_history.h). */
#define _GNU_SOURCE
#include "plot/fig_history.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "bench/store/escape.h"
#include "plot/gp.h"

/* Block 0: a row per run; block 1: the mean of each segment between change points. */
static void history_data(struct gpfig *g, const struct history_series *s, const struct cp_change *c, unsigned nc)
{
	gp_block(g, "columns: index run median ci_low ci_high used(1: ok with values, in the change-point search)");
	for (unsigned i = 0; i < s->n; i++) {
		const struct history_point *p = &s->p[i];
		fprintf(g->dat, "%u %lld ", i, p->run);
		gp_num(g->dat, p->median);
		fputc(' ', g->dat);
		gp_num(g->dat, p->ci_lo);
		fputc(' ', g->dat);
		gp_num(g->dat, p->ci_hi);
		fprintf(g->dat, " %d\n", p->nvals && !strcmp(p->status, "ok"));
	}
	gp_block(g, "columns: index mean (of each segment between change points: a line from its first to last run)");
	if (!nc)
		fprintf(g->dat, "0 NaN\n"); /* gnuplot wants a row in every block it plots */
	for (unsigned k = 0; k <= nc && nc; k++) {
		unsigned from = k ? c[k - 1].index : 0, to = k < nc ? c[k].index : s->n;
		double mean = k < nc ? c[k].mean_before : c[nc - 1].mean_after;
		fprintf(g->dat, "%g ", from - 0.4);
		gp_num(g->dat, mean);
		fprintf(g->dat, "\n%g ", to - 0.6);
		gp_num(g->dat, mean);
		fprintf(g->dat, "\n\n");
	}
}

/* A dashed line before each change point, labelled with its revision and change. */
static void history_marks(struct gpfig *g, const struct history_series *s, const struct cp_change *c, unsigned nc)
{
	for (unsigned k = 0; k < nc; k++) {
		const struct history_point *p = &s->p[c[k].index];
		const char *kind = history_change_kind(s, &c[k]);
		const char *color = !strcmp(kind, "regression") ? "#d62728" : !strcmp(kind, "improvement") ? "#2ca02c" : "#555555";
		char label[200], rev[24];
		snprintf(rev, sizeof rev, "%s", p->revision ? p->revision : "?");
		snprintf(label, sizeof label, "run %lld %s\n%+.1f%% %s", p->run, rev, c[k].change * 100, kind);
		fprintf(g->gp, "set arrow from %g, graph 0 to %g, graph 1 nohead dt 2 lw 1.5 lc rgb \"%s\"\n",
		        c[k].index - 0.5, c[k].index - 0.5, color);
		fprintf(g->gp, "set label ");
		esc_fputs(g->gp, ESC_GP, label);
		fprintf(g->gp, " at %g, graph %g left offset 0.5,0 tc rgb \"%s\" font \",9\"\n", c[k].index - 0.5,
		        0.95 - 0.1 * (k % 3), color);
	}
}

int plot_write_history(const struct plot_opts *o, struct plot_set *set, const struct history_series *s,
                       long long cell, const struct cp_change *c, unsigned nc, char *err, size_t errlen)
{
	char name[64], stem[48], title[600], ylabel[200];
	int rc = plot_mkdirs(o->dir);
	if (rc) {
		snprintf(err, errlen, "cannot create %s: %s", o->dir, strerror(-rc));
		return rc;
	}
	size_t k = 0; /* workload/driver/n=W -> workload-driver-nW */
	for (const char *p = s->identity; *p && *p != ' ' && k + 1 < sizeof title; p++)
		if (*p != '=')
			title[k++] = *p == '/' ? '-' : *p;
	title[k] = 0;
	esc_filename(stem, sizeof stem, title);
	snprintf(name, sizeof name, "history-%s-%lld", stem, cell);
	snprintf(title, sizeof title, "%s: %s over %u runs, %u change point(s)", s->identity, s->metric, s->n, nc);
	struct gpfig g;
	if (gp_begin(&g, o, set, name, title, 1200, 560, "the results history")) {
		snprintf(err, errlen, "%s", set->fig[set->n - 1].skipped);
		return -EIO;
	}
	history_data(&g, s, c, nc);
	fprintf(g.gp, "set title ");
	esc_fputs(g.gp, ESC_GP, title);
	snprintf(ylabel, sizeof ylabel, "%s (median of the run, bars: 95%% CI of the mean)", s->metric);
	fprintf(g.gp, "\nset ylabel ");
	esc_fputs(g.gp, ESC_GP, ylabel);
	fprintf(g.gp, "\nset xlabel \"run, oldest first\"\nset key bottom left\nset offsets 0.5, 0.5, 0, 0\n");
	history_marks(&g, s, c, nc);
	fprintf(g.gp, "plot '%s' index 0 using 1:($6 > 0 ? $3 : NaN):4:5 with yerrorbars pt 7 ps 0.7 lc rgb \"#1f77b4\" "
	              "title \"run\", \\\n  '' index 0 using 1:($6 > 0 ? NaN : $3) with points pt 6 ps 0.9 lc rgb \"#999999\" "
	              "title \"not used (failed, unstable)\", \\\n  '' index 1 using 1:2 with lines lw 2 lc rgb \"#ff7f0e\" "
	              "title \"segment mean\"\n",
	        g.dat_name);
	gp_caption(&g, "%s of %s in each run of the history (median of its ok, undisturbed repetitions; bars: 95%% CI "
	               "of the mean). Dashed lines: change points (E-divisive means with Welch's t-test in windows, "
	               "as Apache Otava), labelled with the first run and revision after the step and the change of "
	               "the segment means; red: regression, green: improvement.",
	           s->metric, s->identity);
	return gp_end(&g) ? -EIO : 0;
}
