/* plot: turns a loaded results file into figures. For every figure it writes a data file
 * (<name>.dat, whitespace columns, described by its '#' header) and a gnuplot script
 * (<name>.gp, self-contained: `cd DIR && gnuplot <name>.gp` redraws <name>.png), then runs
 * gnuplot on each script. A figure whose cells are missing is skipped with a reason, never
 * an error. Used by bench plot and bench report.
 *
 * Files: plot/names.h (every metric/knob name read here), plot/query.c (finding cells),
 * plot/gp.c (writing scripts, running gnuplot), plot/figures.c (the table of figures),
 * plot/fig_compare.c (figure 7),
 * plot/claims.c (the tutorials' claims and their verdict rules), plot/report.c (report.md). */
#ifndef BENCH_PLOT_PLOT_H
#define BENCH_PLOT_PLOT_H

#include <stddef.h>
#include <stdio.h>

#include "bench/store/results_load.h"
#include "drivers/driver.h"

enum plot_format { PLOT_PNG, PLOT_SVG, PLOT_PDF };

struct plot_opts {
	const char *dir;              /* output directory (created) */
	enum plot_format format;
	/* bench plot BASE NEW: knobs left out of the cell identity (compare's --ignore-knob) */
	unsigned nignore;
	const char *ignore[16];
};

#define PLOT_MAX_FIGS 48

struct plot_fig {
	char name[64];                /* file stem: cpu-util -> cpu-util.{dat,gp,png} */
	char title[160];
	char caption[1024];           /* what it shows, error bars, caveats */
	char skipped[400];            /* non-empty: not drawn, and why */
	int written;                  /* data + script written */
	int drawn;                    /* gnuplot made the image */
};

struct plot_set {
	unsigned n;
	struct plot_fig fig[PLOT_MAX_FIGS];
};

/* Write the data files and scripts of every figure a results file supports (figures 1-6),
 * listing skipped ones with their reason. 0, or -errno when DIR cannot be written (err). */
int plot_write_all(const struct results_file *f, const struct plot_opts *o, struct plot_set *out,
                   char *err, size_t errlen);
/* Figure 7: the change of every matched cell from base to new, as bench compare BASE NEW
 * [--ignore-knob K...] computes it (compare_files with compare's defaults: the same matching,
 * change, confidence interval and verdict). -EINVAL with err when no cell is in common. */
int plot_write_compare(const struct results_file *base, const struct results_file *neu,
                       const struct plot_opts *o, struct plot_set *out, char *err, size_t errlen);
/* Run gnuplot on every written script of the set, in DIR. 0 all drawn; -ENOENT gnuplot is not
 * installed (nothing drawn); -EIO a script failed (err names it, the others are drawn). */
int plot_render(const struct plot_opts *o, struct plot_set *s, char *err, size_t errlen);
/* The gnuplot program run by plot_render (for messages). */
#define PLOT_GNUPLOT "gnuplot"
#define PLOT_GNUPLOT_PACKAGE "gnuplot-nox"

/* The options of bench plot/report: -o DIR, --format png|svg[|pdf], and for plot (flags
 * PLOT_CLI_PLOT: pdf and --ignore-knob K) the knobs its compare figure leaves out. Returns the
 * index of the first operand, or -1 after printing a one-line error (module cmd). */
enum { PLOT_CLI_PLOT = 1 };
int plot_cli_parse(int argc, char **argv, const char *cmd, unsigned flags, const char **dir, struct plot_opts *o);
/* argv (before "--") has --history: bench plot --history is bench history's figure. */
int plot_cli_history(int argc, char **argv);
/* One line per figure: its image path, or "skipped NAME: why". */
void plot_print(const struct plot_set *s, const char *dir, const char *ext, FILE *out);
const char *plot_format_ext(enum plot_format f);
int plot_parse_format(const char *s, enum plot_format *out);
/* mkdir -p. 0 or -errno. */
int plot_mkdirs(const char *dir);
/* The default output directory for a results file: <its dir>/<its stem><suffix>, following a
 * symlink (results/latest.json) to the file it names. */
void plot_default_dir(const char *results, const char *suffix, char *buf, size_t len);

/* ---- finding cells (plot/query.c) ---- */

/* A filter: NULL/0 fields match anything (model: cells whose driver realises it, see
 * plot_driver_model). knobs: up to 4 conditions "name=value",
 * "name!=value" or "name>number"; a cell without the knob matches only "!=". Only cells with
 * status ok match unless any_status. */
struct plot_sel {
	const char *workload, *driver;
	enum driver_model model;
	unsigned workers;
	const char *knobs[4];
	int any_status;
};

int plot_match(const struct results_file_cell *c, const struct plot_sel *s);
/* The distinct workloads of f's cells (any status), in file order; returns how many (at most max). */
#define PLOT_MAX_WORKLOADS 64
unsigned plot_workloads(const struct results_file *f, const char **out, unsigned max);
/* Matching cells in file order; returns how many (at most max stored). */
unsigned plot_find(const struct results_file *f, const struct plot_sel *s, const struct results_file_cell **out,
                   unsigned max);
/* What plot knows of a driver named in a results file comes from the driver table
 * (drivers/driver.h), never from its name: its model (DRIVER_MODEL_NONE for a driver this
 * build does not have), its colour in figures (NULL: none declared or unknown). */
enum driver_model plot_driver_model(const char *driver);
const char *plot_driver_color(const char *driver);
/* Rank of a driver in figures and tables: its model's place in enum driver_model (threads, GIL
 * threads, coroutines, processes), unknown drivers last (DRIVER_MODELS). */
int plot_driver_rank(const char *driver);
/* Sort cells by driver rank, then workers, then file order. */
void plot_sort_cells(const struct results_file_cell **c, unsigned n);
/* The "name=value" of each field that differs among set[0..n) (fields: driver, workers as
 * n=, pin, and every knob that all cells of set have), for cell c, except the comma-separated
 * fields in exclude. "" when nothing differs. */
void plot_varying(const struct results_file_cell *const *set, unsigned n, const struct results_file_cell *c,
                  const char *exclude, char *buf, size_t len);
/* The "name=value" of each knob that only some cells of set have (a driver's knobs) and that
 * differs among the cells of set with c's driver: "gil_mode=legacy". */
void plot_varying_driver(const struct results_file_cell *const *set, unsigned n, const struct results_file_cell *c,
                         char *buf, size_t len);
/* Same workload, workers and pin, and equal values for every knob both cells have (driver
 * knobs, present in one only, are ignored): cells that differ only by driver. */
int plot_same_setup(const struct results_file_cell *a, const struct results_file_cell *b);
/* Every field of both equal (workload, driver, workers, pin, all knobs): one cell in two runs. */
int plot_same_cell(const struct results_file_cell *a, const struct results_file_cell *b);
/* Median of a metric, NaN if absent; max likewise. */
double plot_med(const struct results_file_cell *c, const char *metric);
double plot_max(const struct results_file_cell *c, const char *metric);
/* The ok repetition whose metric is the median one (for timelines), among those the summary
 * counts (plot_rep_counts); NULL if none. */
const struct results_rep *plot_median_rep(const struct results_file_cell *c);

/* ---- noise: the interference fields of schema 2 (absent in schema-1 files: nothing is
 * disturbed or unstable there, and these say so) ---- */

/* Measured: status ok, or unstable (measured, but too many repetitions were disturbed). */
int plot_cell_measured(const struct results_file_cell *c);
/* A metric of one repetition, NaN if it lacks it. */
double plot_rep_metric(const struct results_rep *r, const char *metric);
/* Cores of other load while r ran: its other_load_cores, else what its core_util says (all
 * CPUs' busy time minus the workers' util_cores, at least 0); NaN when neither is there. */
double plot_rep_other_load(const struct results_rep *r);
/* Whether c's summary kept its disturbed repetitions (--keep-disturbed): its primary metric
 * counts every ok repetition. */
int plot_keeps_disturbed(const struct results_file_cell *c);
/* Whether r is one of the repetitions c's summary is over: ok, and not disturbed unless the
 * summary kept the disturbed ones. */
int plot_rep_counts(const struct results_file_cell *c, const struct results_rep *r);
/* The median of plot_rep_other_load over c's ok repetitions (disturbed_only: its disturbed
 * ones), NaN when none records it; *nok and *nd (each may be NULL): how many ok repetitions c
 * has, and how many of them were disturbed. */
double plot_cell_other_load(const struct results_file_cell *c, int disturbed_only, unsigned *nok, unsigned *nd);
/* Whether c's figures cannot be trusted: it is unstable, or the median repetition of its
 * summary (by the primary metric) was disturbed. *load: the other load behind it, in cores
 * (unstable: the median over its disturbed repetitions, or over all if none is marked; else
 * the median repetition's), NaN when not recorded. */
int plot_cell_unreliable(const struct results_file_cell *c, double *load);

#endif
