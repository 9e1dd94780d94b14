/* gp: writing gnuplot scripts and their data files, and a generic grouped-bar panel. Internal
 * to plot/ (figures.c uses it; cmd_plot/cmd_report use plot.h only). */
#ifndef BENCH_PLOT_GP_H
#define BENCH_PLOT_GP_H

#include <stdio.h>

#include "plot/plot.h"

/* One figure being written: DIR/<name>.gp and DIR/<name>.dat. */
struct gpfig {
	const struct plot_opts *o;
	struct plot_fig *fig;
	FILE *gp, *dat;
	unsigned blocks;              /* index blocks written to the data file so far */
	char dat_name[96];
};

/* Start a figure: adds it to set, opens both files, writes the script preamble (terminal of
 * the chosen format at w x h pixels, output file, comments naming source). 0 or -errno.
 * Text from a results file reaches the script only through escape.h: names of files through
 * esc_filename (name), comments through esc_gp_comment (title, source, gp_block), strings
 * through esc_fputs(f, ESC_GP, s) (titles, labels, data columns). */
int gp_begin(struct gpfig *g, const struct plot_opts *o, struct plot_set *set, const char *name,
             const char *title, int w, int h, const char *source);
/* Close both files; the figure is written (ready for gnuplot). 0 or -EIO. */
int gp_end(struct gpfig *g);
/* Record a figure that is not drawn, with the reason. */
void gp_skip(struct plot_set *set, const char *name, const char *title, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void gp_caption(struct gpfig *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Start a new index block in the data file (blocks are separated by two blank lines, as
 * gnuplot's `index` wants); the comment names what it holds. Returns the block's index. */
unsigned gp_block(struct gpfig *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A number for a data file: NaN for non-finite. */
void gp_num(FILE *f, double v);
/* The i-th colour of the palette (series that are not drivers; a driver's own colour is
 * plot_driver_color). */
const char *gp_color(unsigned i);
/* The colour of a driver without one (not in this build's table, or none declared). */
#define GP_GREY "#7f7f7f"

#define GP_MAXCAT 40
#define GP_MAXSER 12

/* A grouped-bar panel: categories on x, one bar per series in each, error bars lo..hi. */
struct gp_bars {
	const char *title, *xlabel, *ylabel;
	unsigned ncat, nser;
	char cat[GP_MAXCAT][96];
	char ser[GP_MAXSER][96];
	const char *color[GP_MAXSER];   /* NULL: palette */
	double v[GP_MAXCAT][GP_MAXSER], lo[GP_MAXCAT][GP_MAXSER], hi[GP_MAXCAT][GP_MAXSER];
	int logy;
	const char *value_fmt;          /* printf format of the value printed above each bar; NULL: none */
	double ref;                     /* a dashed horizontal reference line at y = ref (NaN: none) */
	char ref_label[96];
};
/* Allocate one with every value NaN. */
struct gp_bars *gp_bars_new(void);
/* Add a category / series by name (returns its index; existing names are reused; -1 when full). */
int gp_bars_cat(struct gp_bars *b, const char *name);
int gp_bars_ser(struct gp_bars *b, const char *name, const char *color);
/* Write the panel: one data block per series (rows: x, category, value, lo, hi) and its plot
 * command. Inside a multiplot or alone. */
void gp_bars_write(struct gpfig *g, const struct gp_bars *b);

#endif
