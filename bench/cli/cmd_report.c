/* bench report: report.md for a results file: the machine, the tutorials' claims with
 * verdicts computed from the data, the figures of bench plot, a results table per workload.
 * The work is in plot/ (figures.c, claims.c, report.c). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "bench/cli/cmd.h"
#include "bench/store/escape.h"
#include "bench/core/log.h"
#include "plot/claims.h"
#include "plot/plot.h"
#include "bench/store/results_load.h"

static void report_usage(void)
{
	printf("usage: bench report RESULTS.json [-o DIR] [--format png|svg]\n\n"
	       "Writes DIR/report.md: the run and the machine it ran on, a table of the tutorials'\n"
	       "claims, a short row each (the claim, its verdict computed by a stated rule: holds /\n"
	       "does not hold / holds only when / partly measured / not measured / unreliable, and the\n"
	       "figure that decides it), with every check, cell and rule in a collapsed block under\n"
	       "the table; the figures of `bench plot` (drawn into DIR with gnuplot); and per workload\n"
	       "tables of at most 8 columns, values with their units (94.1 us); the other metrics are\n"
	       "named and stay in the results file. `bench run --claims` measures every claim.\n\n"
	       "  -o, --output DIR   where to write (default: next to the results file,\n"
	       "                     results/NAME-report for results/NAME.json; a symlink such as\n"
	       "                     results/latest.json is followed to the file it names)\n"
	       "  --format F         image format of the figures: png (default) or svg\n\n"
	       "Exit status: 0 written, 1 gnuplot failed on a script, 2 usage or input error, or\n"
	       "gnuplot is not installed (report.md, data files and scripts are still written).\n");
}

int cmd_report(int argc, char **argv)
{
	const char *dir;
	struct plot_opts o;
	if (cmd_wants_help(argc, argv)) {
		report_usage();
		return EXIT_OK;
	}
	int first = plot_cli_parse(argc, argv, "report", 0, &dir, &o);
	if (first < 0)
		return EXIT_USAGE;
	if (argc - first != 1) {
		log_err("report", argc == first ? "no results file given (see bench report --help)"
		                                 : "give exactly one results file");
		return EXIT_USAGE;
	}
	char msg[800], err[600], defdir[4096], path[4200];
	struct results_file *f;
	if (results_file_load(argv[first], &f, err, sizeof err)) {
		log_err("report", "%s", esc_term(msg, sizeof msg, err));
		return EXIT_USAGE;
	}
	if (!dir) {
		plot_default_dir(argv[first], "-report", defdir, sizeof defdir);
		dir = defdir;
	}
	o.dir = dir;
	static struct plot_set set;
	if (plot_write_all(f, &o, &set, err, sizeof err)) {
		log_err("report", "%s", esc_term(msg, sizeof msg, err));
		results_file_free(f);
		return EXIT_USAGE;
	}
	int rc = plot_render(&o, &set, err, sizeof err);
	char note[200];
	snprintf(note, sizeof note, "gnuplot is not installed (Debian package %s)", PLOT_GNUPLOT_PACKAGE);
	int wrc = report_write(f, &set, &o, rc == -ENOENT ? note : NULL, path, sizeof path, err + 300, 300);
	results_file_free(f);
	if (wrc) {
		log_err("report", "%s", esc_term(msg, sizeof msg, err + 300));
		return EXIT_FAIL;
	}
	plot_print(&set, dir, plot_format_ext(o.format), stdout);
	if (rc == -ENOENT) {
		log_err("report", "gnuplot not found: install the Debian package %s (%s has no figures)",
		        PLOT_GNUPLOT_PACKAGE, path);
		return EXIT_USAGE;
	}
	if (rc) {
		log_err("report", "%s", esc_term(msg, sizeof msg, err));
		return EXIT_FAIL;
	}
	printf("report: %s\n", path);
	return EXIT_OK;
}
