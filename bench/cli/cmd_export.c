/* bench export: one results file in the formats CI dashboards and pull-request comments take:
 * github-action-benchmark's "custom" JSON (customBiggerIsBetter / customSmallerIsBetter) and
 * a Markdown table. */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/cli/cmd.h"
#include "bench/stats/compare.h"
#include "bench/stats/fmt.h"
#include "bench/store/escape.h"
#include "bench/core/log.h"

static void usage(void)
{
	printf("usage: bench export FILE.json [--format github-action-benchmark|markdown]\n"
	       "                    [--metric M[:higher|:lower]] [--better higher|lower] [-o OUT]\n\n"
	       "Writes the median of every ok cell's metric (default: its primary metric).\n"
	       "  --format github-action-benchmark (default)\n"
	       "        a JSON array of {name, unit, value, range, extra} for the\n"
	       "        benchmark-action/github-action-benchmark action. One file holds one direction:\n"
	       "        --better higher (default) keeps the higher-is-better metrics (tool:\n"
	       "        customBiggerIsBetter), --better lower the lower-is-better ones (tool:\n"
	       "        customSmallerIsBetter); the others are left out with a note on stderr.\n"
	       "        Names are the full cell identity, so they stay the same from run to run.\n"
	       "        A selection without a cell is an error (exit 2, nothing written): the action\n"
	       "        rejects an empty array. A dashboard of both directions takes two files:\n"
	       "          bench export R.json --better higher -o bigger.json   (customBiggerIsBetter)\n"
	       "          bench export R.json --better lower -o smaller.json   (customSmallerIsBetter)\n"
	       "        e.g. sleep-io's wall_s is lower-is-better, cpu-spin's ops/s higher.\n"
	       "  --format markdown\n"
	       "        a table (cell, metric, median, cv, min, max, n, status) for a comment\n"
	       "  -o, --output OUT   write to OUT instead of stdout\n\n"
	       "Exit status: 0 ok, 2 usage or input error, or nothing to export.\n");
}

static const char *unit_of(const char *metric)
{
	size_t n = strlen(metric);
	if (!strcmp(metric, "ops_per_s"))
		return "ops/s";
	if (n > 2 && !strcmp(metric + n - 2, "_s"))
		return "s";
	if (n > 3 && !strcmp(metric + n - 3, "_ns"))
		return "ns";
	return metric;
}

struct cellstat {
	int ok, direction;
	const char *metric;
	struct stats_summary s;
};

/* The metric of cell i (--metric or its primary), its direction, and its summary if the cell
 * is ok and records it. */
static void cell_stats(const struct results_file *f, unsigned i, const struct compare_opts *mo, struct cellstat *cs)
{
	const struct results_file_cell *c = &f->cells[i];
	memset(cs, 0, sizeof *cs);
	cs->metric = compare_metric_of(mo, c, &cs->direction);
	if (strcmp(c->status, "ok"))
		return;
	double *x = calloc(c->nreps + 1, sizeof *x);
	int n = x ? results_file_values(c, cs->metric, x, c->nreps) : -ENOMEM;
	cs->ok = n > 0 && !stats_summarize(x, (size_t)n, &cs->s);
	free(x);
}

/* The machine and revision of a file, for the "extra" of every entry. */
struct gab_source { char brand[128], pus[32], git[64]; };

/* One entry {name, unit, value, range, extra} of cell i, after a comma unless first. */
static void gab_entry(FILE *out, const struct results_file *f, unsigned i, const struct cellstat *cs,
                      const struct gab_source *src, int first)
{
	char name[512], extra[512];
	compare_cell_identity(f, i, name, sizeof name);
	snprintf(extra, sizeof extra, "%s; median of %zu repetitions, cv %.2f%%, min %.6g, max %.6g; %s, %s PUs; git %s",
	         cs->metric, cs->s.n, cs->s.cv * 100, cs->s.min, cs->s.max, src->brand, src->pus, src->git);
	fputs(first ? "\n {\"name\": " : ",\n {\"name\": ", out);
	esc_fputs(out, ESC_JSON, name);
	fputs(", \"unit\": ", out);
	esc_fputs(out, ESC_JSON, unit_of(cs->metric));
	fputs(", \"value\": ", out);
	fmt_json_number(out, cs->s.median);
	fprintf(out, ", \"range\": \"\\u00b1 %.6g\", \"extra\": ", cs->s.stddev);
	esc_fputs(out, ESC_JSON, extra);
	fputs("}", out);
}

/* What github-action-benchmark's JSON of direction better holds of f: n cells, and what it
 * leaves out: cells of the other direction, cells without an ok result. */
struct gab_count { unsigned n, other, notok; };

static void gab_count(const struct results_file *f, const struct compare_opts *mo, int better, struct gab_count *c)
{
	memset(c, 0, sizeof *c);
	for (unsigned i = 0; i < f->ncells; i++) {
		struct cellstat cs;
		cell_stats(f, i, mo, &cs);
		if (!cs.ok)
			c->notok++;
		else if (cs.direction != better)
			c->other++;
		else
			c->n++;
	}
}

/* github-action-benchmark's JSON: the ok cells whose metric goes the direction better (at
 * least one: checked by the caller), and a note on stderr of what was left out. */
static void export_gab(FILE *out, const struct results_file *f, const struct compare_opts *mo, int better)
{
	struct gab_source src = { "", "", "" };
	struct gab_count c;
	results_file_scalar(f, "machine.cpu.brand", src.brand, sizeof src.brand);
	results_file_scalar(f, "machine.topology.pus", src.pus, sizeof src.pus);
	results_file_scalar(f, "tool.git", src.git, sizeof src.git);
	unsigned n = 0;
	fputs("[", out);
	for (unsigned i = 0; i < f->ncells; i++) {
		struct cellstat cs;
		cell_stats(f, i, mo, &cs);
		if (cs.ok && cs.direction == better)
			gab_entry(out, f, i, &cs, &src, !n++);
	}
	fputs("\n]\n", out);
	gab_count(f, mo, better, &c);
	if (c.other)
		log_warn("export", "%u cell(s) with a %s-is-better metric left out (export them with --better %s, "
		         "tool customSmallerIsBetter/customBiggerIsBetter)", c.other, better ? "lower" : "higher",
		         better ? "lower" : "higher");
	if (c.notok)
		log_warn("export", "%u cell(s) without an ok result left out", c.notok);
}

/* An empty selection is an error (github-action-benchmark rejects an empty array): 0, or
 * -ENOENT after one line saying what the file has instead. */
static int gab_check_empty(const struct results_file *f, const struct compare_opts *mo, int better)
{
	struct gab_count c;
	char other[120] = "", notok[64] = "";
	gab_count(f, mo, better, &c);
	if (c.n)
		return 0;
	if (c.other)
		snprintf(other, sizeof other, ": %u cell%s a %s-is-better metric (--better %s)", c.other,
		         c.other == 1 ? " has" : "s have", better ? "lower" : "higher", better ? "lower" : "higher");
	if (c.notok)
		snprintf(notok, sizeof notok, "%s%u cell%s without an ok result", c.other ? "; " : ": ", c.notok,
		         c.notok == 1 ? "" : "s");
	log_err("export", "no cell to export with --better %s%s%s", better ? "higher" : "lower", other, notok);
	return -ENOENT;
}

static void export_markdown(FILE *out, const struct results_file *f, const struct compare_opts *mo)
{
	const struct results_file *files[] = { f };
	struct compare_vary *vary = compare_vary_new(files, 1);
	fprintf(out, "| cell | metric | median | cv | min | max | n | status |\n|---|---|---:|---:|---:|---:|---:|---|\n");
	for (unsigned i = 0; i < f->ncells; i++) {
		const struct results_file_cell *c = &f->cells[i];
		struct cellstat cs;
		char label[320], med[24], mn[24], mx[24];
		cell_stats(f, i, mo, &cs);
		compare_cell_label(vary, f, i, label, sizeof label);
		fputs("| ", out);
		esc_fputs(out, ESC_MD, label);
		fputs(" | ", out);
		esc_fputs(out, ESC_MD, cs.metric);
		fprintf(out, " %s |", cs.direction == 1 ? "&uarr;" : cs.direction == 0 ? "&darr;" : "");
		if (cs.ok) {
			fmt_si(cs.s.median, FMT_SI_SHORT, med, sizeof med);
			fmt_si(cs.s.min, FMT_SI_SHORT, mn, sizeof mn);
			fmt_si(cs.s.max, FMT_SI_SHORT, mx, sizeof mx);
			fprintf(out, " %s | %.1f%% | %s | %s | %zu |", med, cs.s.cv * 100, mn, mx, cs.s.n);
		} else {
			fprintf(out, " - | - | - | - | 0 |");
		}
		fprintf(out, " %s%s", c->status, c->error ? ": " : ""); /* status: one of four words */
		esc_fputs(out, ESC_MD, c->error);
		fputs(" |\n", out);
	}
	compare_vary_free(vary);
}

enum { O_FORMAT = 256, O_BETTER };

struct export_args {
	int markdown, better;
};

/* --format and --better: the options of bench export that are not compare options. */
static int export_own_option(int code, const char *arg, void *ctx)
{
	struct export_args *a = ctx;
	switch (code) {
	case O_FORMAT:
		if (!strcmp(arg, "markdown"))
			a->markdown = 1;
		else if (!strcmp(arg, "github-action-benchmark"))
			a->markdown = 0;
		else {
			log_err("export", "--format: '%s' is not github-action-benchmark or markdown", arg);
			return -EINVAL;
		}
		return 0;
	case O_BETTER:
		if (strcmp(arg, "higher") && strcmp(arg, "lower")) {
			log_err("export", "--better: '%s' is not higher or lower", arg);
			return -EINVAL;
		}
		a->better = !strcmp(arg, "higher");
		return 0;
	}
	return -ENOENT;
}

int cmd_export(int argc, char **argv)
{
	static const struct option lo[] = { { "format", required_argument, 0, O_FORMAT },
		                            { "better", required_argument, 0, O_BETTER },
		                            COMPARE_LONG_OPTION_METRIC,
		                            { "output", required_argument, 0, 'o' },
		                            { "help", no_argument, 0, 'h' },
		                            { 0 } };
	struct export_args a = { .markdown = 0, .better = 1 };
	const char *output = NULL;
	struct compare_opts mo;
	compare_opts_default(&mo);
	if (cmd_wants_help(argc, argv)) {
		usage();
		return EXIT_OK;
	}
	if (compare_getopt("export", argc, argv, lo, &mo, &output, export_own_option, &a) < 0)
		return EXIT_USAGE;
	if (argc - optind != 1) {
		log_err("export", "needs exactly one results file: bench export FILE.json");
		return EXIT_USAGE;
	}
	if (mo.metric && mo.metric_better < 0 && compare_known_direction(mo.metric) < 0 && !a.markdown) {
		log_err("export", "--metric %s: is higher or lower better? Say --metric %s:higher or %s:lower", mo.metric,
		        mo.metric, mo.metric);
		return EXIT_USAGE;
	}
	char msg[800], err[600];
	struct results_file *f;
	if (results_file_load(argv[optind], &f, err, sizeof err)) {
		log_err("export", "%s", esc_term(msg, sizeof msg, err));
		return EXIT_USAGE;
	}
	if (!a.markdown && gab_check_empty(f, &mo, a.better)) {
		results_file_free(f);
		return EXIT_USAGE;
	}
	FILE *out = stdout;
	if (output && !(out = fopen(output, "w"))) {
		log_errno("export", errno, "open %s", output);
		results_file_free(f);
		return EXIT_USAGE;
	}
	if (a.markdown)
		export_markdown(out, f, &mo);
	else
		export_gab(out, f, &mo, a.better);
	int rc = EXIT_OK;
	if (out != stdout && fclose(out)) {
		log_errno("export", errno, "write %s", output);
		rc = EXIT_USAGE;
	}
	results_file_free(f);
	return rc;
}
