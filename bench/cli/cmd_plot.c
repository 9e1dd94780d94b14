/* bench plot: figures from a results file (or the change between two), drawn by gnuplot.
 * The work is in plot/: this file parses the command line and prints what was made. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "bench/cli/cmd.h"
#include "bench/store/escape.h"
#include "bench/core/log.h"
#include "plot/plot.h"
#include "bench/store/results_load.h"

static void plot_usage(void)
{
	printf("usage: bench plot RESULTS.json [-o DIR] [--format png|svg|pdf]\n"
	       "       bench plot BASE.json NEW.json [--ignore-knob K]... [-o DIR] [--format png|svg|pdf]\n"
	       "       bench plot --history [CELL...] [-w W] [-d D] [-n N] [-O k=v] [-o DIR] (bench history --help)\n\n"
	       "Writes, for every figure the results support, a data file NAME.dat, a gnuplot script\n"
	       "NAME.gp and the image NAME.png (gnuplot, run as an external program; edit the script\n"
	       "and run `gnuplot NAME.gp` in DIR to restyle a figure). Figures: cpu-util (CPU used by\n"
	       "cpu-spin per model), core-timeline (per-CPU utilization over time), scaling-WORKLOAD\n"
	       "(ops/s against workers), sleep-io, shared-counter, producer-consumer, pingpong.\n"
	       "Figures whose cells the file lacks are skipped with a note. With two files: one\n"
	       "figure, compare: the change of every matched cell with its 95%% bootstrap CI and\n"
	       "its verdict, exactly as `bench compare BASE NEW` prints them.\n\n"
	       "  -o, --output DIR   where to write (default: next to the results file,\n"
	       "                     results/NAME-plots for results/NAME.json)\n"
	       "  --format F         png (default, pngcairo), svg or pdf (pdfcairo)\n"
	       "  --ignore-knob K    with two files: leave knob K out of the cell identity (repeatable),\n"
	       "                     as bench compare does: e.g. a run with -O extra_work_pct=10\n"
	       "                     against one without\n\n"
	       "Exit status: 0 drawn, 1 gnuplot failed on a script, 2 usage or input error, or\n"
	       "gnuplot is not installed (the data files and scripts are still written).\n");
}

int cmd_plot(int argc, char **argv)
{
	const char *dir;
	struct plot_opts o;
	if (plot_cli_history(argc, argv))
		return cmd_history(argc, argv);
	if (cmd_wants_help(argc, argv)) {
		plot_usage();
		return EXIT_OK;
	}
	int first = plot_cli_parse(argc, argv, "plot", PLOT_CLI_PLOT, &dir, &o);
	if (first < 0)
		return EXIT_USAGE;
	int nfiles = argc - first;
	if (nfiles < 1 || nfiles > 2) {
		log_err("plot", nfiles ? "too many arguments: give RESULTS.json, or BASE.json NEW.json"
		                       : "no results file given (see bench plot --help)");
		return EXIT_USAGE;
	}
	if (nfiles == 1 && o.nignore) {
		log_err("plot", "--ignore-knob needs two files (BASE.json NEW.json)");
		return EXIT_USAGE;
	}
	char msg[800], err[600], defdir[4096];
	struct results_file *f[2] = { NULL, NULL };
	for (int i = 0; i < nfiles; i++) {
		if (results_file_load(argv[first + i], &f[i], err, sizeof err)) {
			log_err("plot", "%s", esc_term(msg, sizeof msg, err));
			results_file_free(f[0]);
			return EXIT_USAGE;
		}
	}
	if (!dir) {
		plot_default_dir(argv[first + nfiles - 1], "-plots", defdir, sizeof defdir);
		dir = defdir;
	}
	o.dir = dir;
	static struct plot_set set;
	int rc = nfiles == 1 ? plot_write_all(f[0], &o, &set, err, sizeof err)
	                     : plot_write_compare(f[0], f[1], &o, &set, err, sizeof err);
	results_file_free(f[0]);
	results_file_free(f[1]);
	if (rc) {
		log_err("plot", "%s", esc_term(msg, sizeof msg, err));
		return EXIT_USAGE;
	}
	rc = plot_render(&o, &set, err, sizeof err);
	plot_print(&set, dir, plot_format_ext(o.format), stdout);
	if (rc == -ENOENT) {
		log_err("plot", "gnuplot not found: install the Debian package %s (data and scripts are in %s)",
		        PLOT_GNUPLOT_PACKAGE, dir);
		return EXIT_USAGE;
	}
	if (rc) {
		log_err("plot", "%s", esc_term(msg, sizeof msg, err));
		return EXIT_FAIL;
	}
	printf("plots: %s\n", dir);
	return EXIT_OK;
}
