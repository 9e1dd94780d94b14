/* bench compare: is NEW slower than BASE, beyond noise? The CLI around compare.c. */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/cli/cmd.h"
#include "bench/stats/compare.h"
#include "bench/stats/compare_print.h"
#include "bench/store/escape.h"
#include "bench/store/history.h"
#include "bench/core/log.h"
#include "bench/core/opt.h"

static void usage(void)
{
	printf("usage: bench compare BASE.json NEW.json [--metric M[:higher|:lower]] [--threshold PCT]\n"
	       "                     [--alpha A] [--confidence C] [--ci-method bootstrap|hl]\n"
	       "                     [--ignore-knob NAME]... [--format text|markdown|json]\n"
	       "                     [--fail-on SET] [-o FILE]\n"
	       "       bench compare --base-from-history[=DB] NEW.json [the same options]\n\n"
	       "Matches the cells of two results files by (workload, driver, workers, pin, knobs) and,\n"
	       "per matched cell, compares the metric over the repetitions: medians, change, a CI of the\n"
	       "change, and a Mann-Whitney U test. A change is significant only when p < alpha AND the\n"
	       "whole CI lies beyond the noise threshold. Unmatched cells are listed. A cell whose status\n"
	       "is \"unstable\" (too many disturbed repetitions) is shown without a verdict (UNSTABLE).\n"
	       "(Paired files from bench ab are compared by bench ab itself: a paired test.)\n\n"
	       "  --metric M[:dir]   metric to compare (default: each cell's primary metric, e.g.\n"
	       "                     ops_per_s higher-is-better); :higher/:lower for a metric bench\n"
	       "                     does not know the direction of. ops_per_cpu_s (derived:\n"
	       "                     ops / CPU seconds of the workers) ignores time the workers\n"
	       "                     were descheduled: steadier on a busy machine, for CPU-bound\n"
	       "                     cells (it does not see time spent blocked)\n"
	       "  --threshold PCT    noise threshold in percent (default %g)\n"
	       "  --alpha A          significance level of the test (default %g)\n"
	       "  --confidence C     level of the CI of the change (default %g)\n"
	       "  --ci-method M      bootstrap (of the ratio of medians, fixed seed; default) or hl\n"
	       "                     (Hodges-Lehmann, distribution-free)\n"
	       "  --ignore-knob K    leave knob K out of the cell identity (repeatable): compare a run\n"
	       "                     with -O K=a against one with -O K=b\n"
	       "  --format F         text (default), markdown (for a pull-request comment) or json\n"
	       "  --fail-on SET      the verdicts that make the exit status non-zero, comma-separated:\n"
	       "                     regression (a significant regression, or a cell that failed only\n"
	       "                     in NEW), improvement, unstable, too-few; or any (all four), never.\n"
	       "                     Default: regression,unstable,too-few\n"
	       "  -o, --output FILE  write the report to FILE instead of stdout\n"
	       "  --base-from-history[=DB]  the base is the history (default %s): per cell\n"
	       "                     of NEW, the repetitions of the last stable segment of its series\n"
	       "                     (the runs after its last change point, at most 50, on NEW's\n"
	       "                     machine, NEW's own run left out; see bench history)\n\n"
	       "Exit status (the first that applies, among the verdicts in --fail-on):\n"
	       "  1  a significant regression or a cell failed only in NEW (or an improvement, with\n"
	       "     --fail-on improvement or any)\n"
	       "  3  a cell is unstable: no verdict could be given\n"
	       "  4  too few reps: a cell's repetitions can never give p < alpha (at alpha %g: at least\n"
	       "     %u per run), or a cell's metric is in BASE but not in NEW\n"
	       "  0  none of these; 2 usage or input error (missing file, malformed JSON, other schema\n"
	       "     version, no cell in common).\n",
	       COMPARE_DEFAULT_THRESHOLD, COMPARE_DEFAULT_ALPHA, COMPARE_DEFAULT_CONFIDENCE, HISTORY_DEFAULT_DB,
	       COMPARE_DEFAULT_ALPHA, compare_min_reps(COMPARE_DEFAULT_ALPHA));
}

enum { O_FORMAT = 400, O_HISTORY };

struct own_opts {
	enum compare_format fmt;
	const char *history;               /* --base-from-history: the database */
};

/* --format and --base-from-history, the options of bench compare that are not compare options. */
static int compare_own_option(int code, const char *arg, void *ctx)
{
	struct own_opts *own = ctx;
	if (code == O_HISTORY) {
		own->history = arg ? arg : HISTORY_DEFAULT_DB;
		return 0;
	}
	if (code != O_FORMAT)
		return -ENOENT;
	if (compare_parse_format(arg, &own->fmt)) {
		log_err("compare", "--format: '%s' is not text, markdown or json", arg);
		return -EINVAL;
	}
	return 0;
}

int cmd_compare(int argc, char **argv)
{
	static const struct option lo[] = {
		COMPARE_LONG_OPTIONS, { "format", required_argument, 0, O_FORMAT },
		{ "base-from-history", optional_argument, 0, O_HISTORY },
		{ "output", required_argument, 0, 'o' }, { "help", no_argument, 0, 'h' }, { 0 }
	};
	struct compare_opts o;
	struct own_opts own = { COMPARE_TEXT, NULL };
	const char *output = NULL;
	compare_opts_default(&o);
	if (cmd_wants_help(argc, argv)) {
		usage();
		return EXIT_OK;
	}
	if (compare_getopt("compare", argc, argv, lo, &o, &output, compare_own_option, &own) < 0)
		return EXIT_USAGE;
	enum compare_format fmt = own.fmt;
	if (own.history && argc - optind != 1) {
		log_err("compare", "--base-from-history takes one results file: bench compare --base-from-history NEW.json");
		return EXIT_USAGE;
	}
	if (!own.history && argc - optind != 2) {
		log_err("compare", argc - optind < 2 ? "needs two results files: bench compare BASE.json NEW.json"
		                                      : "unexpected argument '%s': give exactly two results files",
		        argc - optind < 2 ? "" : argv[optind + 2]);
		return EXIT_USAGE;
	}
	char msg[800], err[600];
	struct results_file *base = NULL, *new = NULL;
	if (own.history ? results_file_load(argv[optind], &new, err, sizeof err) ||
	                      history_compare_base(own.history, new, o.metric, &base, err, sizeof err)
	                : results_file_load(argv[optind], &base, err, sizeof err) ||
	                      results_file_load(argv[optind + 1], &new, err, sizeof err)) {
		log_err("compare", "%s", esc_term(msg, sizeof msg, err));
		results_file_free(base);
		results_file_free(new);
		return EXIT_USAGE;
	}
	struct compare_result r;
	int rc = EXIT_USAGE;
	if (compare_files(base, new, &o, &r, err, sizeof err)) {
		log_err("compare", "%s", esc_term(msg, sizeof msg, err));
		goto out;
	}
	FILE *f = stdout;
	if (output && !(f = fopen(output, "w"))) {
		log_errno("compare", errno, "open %s", output);
		compare_result_free(&r);
		goto out;
	}
	compare_print(f, &r, fmt);
	if (fmt == COMPARE_JSON || f != stdout) {
		/* The report is not on the terminal: say the warnings there too. */
		compare_warn_verdicts("compare", &r);
	}
	rc = compare_exit_code(&r);
	if (f != stdout && fclose(f)) {
		log_errno("compare", errno, "write %s", output);
		rc = EXIT_USAGE;
	}
	compare_result_free(&r);
out:
	results_file_free(base);
	results_file_free(new);
	return rc;
}
