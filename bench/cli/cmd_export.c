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
	printf("usage: bench export FILE.json [--format github-action-benchmark|markdown|csv]\n"
	       "                    [--metric M[:higher|:lower]] [--better higher|lower] [--per-rep] [-o OUT]\n\n"
	       "Writes the median of every ok cell's metric (default: its primary metric), or (csv)\n"
	       "every value of every cell.\n"
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
	       "        a table (cell, metric, median, cv, min, max, n, status) for a comment, values\n"
	       "        in engineering notation with their units (94.1 us, 455k ops/s)\n"
	       "  --format csv\n"
	       "        RFC 4180 (CRLF line ends; text fields quoted, \" doubled, line breaks kept inside\n"
	       "        the quotes, other control characters as \\xNN), for a spreadsheet or pandas:\n"
	       "        a row per cell, every cell whatever its status, with cell (its full identity),\n"
	       "        workload, driver, workers, pin, knobs (k=v separated by spaces), status, error,\n"
	       "        primary_metric, higher_is_better (1/0), n_reps (repetitions in the summary),\n"
	       "        then a column per metric of the file, named by it with its unit (ops_per_s,\n"
	       "        wall_s, util_cores, mem_delta_kb, ...): the median of its summary (empty: the\n"
	       "        cell has none). Numbers read back exactly (up to 17 digits)\n"
	       "  --per-rep          with --format csv: a row per measured repetition instead, with\n"
	       "                     rep (its index), counted (1: in the summary), disturbed (1/0),\n"
	       "                     disturbed_by, then that repetition's value of each metric\n"
	       "  -o, --output OUT   write to OUT instead of stdout\n\n"
	       "Exit status: 0 ok, 1 out of memory, 2 usage or input error, or nothing to export.\n");
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
		char label[320], med[48], mn[48], mx[48];
		cell_stats(f, i, mo, &cs);
		compare_cell_label(vary, f, i, label, sizeof label);
		fputs("| ", out);
		esc_fputs(out, ESC_MD, label);
		fputs(" | ", out);
		esc_fputs(out, ESC_MD, cs.metric);
		fprintf(out, " %s |", cs.direction == 1 ? "&uarr;" : cs.direction == 0 ? "&darr;" : "");
		if (cs.ok) {
			fmt_metric(cs.s.median, cs.metric, med, sizeof med); /* 94.1 us, 455k ops/s */
			fmt_metric(cs.s.min, cs.metric, mn, sizeof mn);
			fmt_metric(cs.s.max, cs.metric, mx, sizeof mx);
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

/* ---- CSV ---- */

/* The metric columns: every metric of the cells' summaries (per repetition: of their
 * repetitions), in the order they first appear. */
struct csv_cols {
	unsigned n, cap;
	const char **name;
};

static int csv_add(struct csv_cols *c, const char *name)
{
	for (unsigned i = 0; i < c->n; i++)
		if (!strcmp(c->name[i], name))
			return 0;
	if (c->n == c->cap) {
		unsigned cap = c->cap ? 2 * c->cap : 32;
		const char **v = realloc(c->name, cap * sizeof *v);
		if (!v)
			return -ENOMEM;
		c->name = v;
		c->cap = cap;
	}
	c->name[c->n++] = name;
	return 0;
}

static int csv_columns(const struct results_file *f, int per_rep, struct csv_cols *cols)
{
	int rc = 0;
	memset(cols, 0, sizeof *cols);
	for (unsigned i = 0; !rc && i < f->ncells; i++) {
		const struct results_file_cell *c = &f->cells[i];
		for (unsigned k = 0; !rc && !per_rep && k < c->nstats; k++)
			rc = csv_add(cols, c->stats[k].metric);
		for (unsigned r = 0; per_rep && r < c->nreps; r++)
			for (unsigned k = 0; !rc && k < c->reps[r].nmetrics; k++)
				rc = csv_add(cols, c->reps[r].metrics[k].name);
	}
	return rc;
}

/* A number in the fewest digits that read back as the same double (15 to 17), or an empty
 * field when not finite. */
static void csv_num(FILE *out, double v)
{
	char b[40];
	if (!isfinite(v)) {
		fputc(',', out);
		return;
	}
	for (int digits = 15; digits <= 17; digits++) {
		snprintf(b, sizeof b, "%.*g", digits, v);
		if (strtod(b, NULL) == v)
			break;
	}
	fprintf(out, ",%s", b);
}

/* The knobs of a cell as "k=v k=v" (file order) into a malloc'd string; NULL on out of memory. */
static char *knobs_text(const struct results_file_cell *c)
{
	size_t len = 1, off = 0;
	for (unsigned k = 0; k < c->nknobs; k++)
		len += strlen(c->knobs[k].key) + strlen(c->knobs[k].value) + 2;
	char *t = malloc(len);
	for (unsigned k = 0; t && k < c->nknobs; k++)
		off += (size_t)snprintf(t + off, len - off, "%s%s=%s", k ? " " : "", c->knobs[k].key, c->knobs[k].value);
	if (t)
		t[off] = 0;
	return t;
}

/* The identity and status of cell i: cell,workload,driver,workers,pin,knobs,status,error,
 * primary_metric,higher_is_better. Text through esc (ESC_CSV). */
static int csv_identity(FILE *out, const struct results_file *f, unsigned i)
{
	const struct results_file_cell *c = &f->cells[i];
	char id[1024], *knobs = knobs_text(c);
	if (!knobs)
		return -ENOMEM;
	compare_cell_identity(f, i, id, sizeof id);
	const char *text[] = { id, c->workload, c->driver };
	for (unsigned k = 0; k < 3; k++) {
		if (k)
			fputc(',', out);
		esc_fputs(out, ESC_CSV, text[k]);
	}
	fprintf(out, ",%u,", c->workers);
	const char *more[] = { c->pin, knobs, c->status, c->error ? c->error : "", c->primary };
	for (unsigned k = 0; k < 5; k++) {
		esc_fputs(out, ESC_CSV, more[k]);
		fputc(',', out);
	}
	fprintf(out, "%d", c->higher_is_better);
	free(knobs);
	return 0;
}

/* The value of metric name in repetition r (NaN when it lacks it). */
static double rep_value(const struct results_rep *r, const char *name)
{
	for (unsigned k = 0; k < r->nmetrics; k++)
		if (!strcmp(r->metrics[k].name, name))
			return r->metrics[k].value;
	return NAN;
}

/* One row per cell (the medians of its summary), or per_rep one per measured repetition (its
 * values). 0, or -ENOMEM after one line. */
static int export_csv(FILE *out, const struct results_file *f, int per_rep)
{
	struct csv_cols cols;
	int rc = csv_columns(f, per_rep, &cols);
	fputs("cell,workload,driver,workers,pin,knobs,status,error,primary_metric,higher_is_better", out);
	fputs(per_rep ? ",rep,counted,disturbed,disturbed_by" : ",n_reps", out);
	for (unsigned k = 0; !rc && k < cols.n; k++) {
		fputc(',', out);
		esc_fputs(out, ESC_CSV, cols.name[k]);
	}
	fputs("\r\n", out);
	for (unsigned i = 0; !rc && i < f->ncells; i++) {
		const struct results_file_cell *c = &f->cells[i];
		const struct results_stat *ps = results_file_stat(c, c->primary);
		for (unsigned r = 0; !rc && r < (per_rep ? c->nreps : 1); r++) {
			if ((rc = csv_identity(out, f, i)))
				break;
			if (per_rep) {
				const struct results_rep *rp = &c->reps[r];
				fprintf(out, ",%u,%d,%d,", r, rp->counted, rp->disturbed); /* r: the file's index */
				esc_fputs(out, ESC_CSV, rp->disturbed_by ? rp->disturbed_by : "");
			} else {
				fprintf(out, ",%u", ps ? ps->n : 0);
			}
			for (unsigned k = 0; k < cols.n; k++) {
				const struct results_stat *st = per_rep ? NULL : results_file_stat(c, cols.name[k]);
				csv_num(out, per_rep ? rep_value(&c->reps[r], cols.name[k]) : st ? st->median : NAN);
			}
			fputs("\r\n", out);
		}
	}
	free(cols.name);
	if (rc)
		log_err("export", "out of memory");
	return rc;
}

enum { O_FORMAT = 256, O_BETTER, O_PER_REP };
enum export_format { EXPORT_GAB, EXPORT_MARKDOWN, EXPORT_CSV };

struct export_args {
	enum export_format format;
	int better, per_rep;
};

/* --format and --better: the options of bench export that are not compare options. */
static int export_own_option(int code, const char *arg, void *ctx)
{
	struct export_args *a = ctx;
	switch (code) {
	case O_FORMAT:
		if (!strcmp(arg, "markdown"))
			a->format = EXPORT_MARKDOWN;
		else if (!strcmp(arg, "github-action-benchmark"))
			a->format = EXPORT_GAB;
		else if (!strcmp(arg, "csv"))
			a->format = EXPORT_CSV;
		else {
			log_err("export", "--format: '%s' is not github-action-benchmark, markdown or csv", arg);
			return -EINVAL;
		}
		return 0;
	case O_PER_REP:
		a->per_rep = 1;
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
		                            { "per-rep", no_argument, 0, O_PER_REP },
		                            COMPARE_LONG_OPTION_METRIC,
		                            { "output", required_argument, 0, 'o' },
		                            { "help", no_argument, 0, 'h' },
		                            { 0 } };
	struct export_args a = { .format = EXPORT_GAB, .better = 1 };
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
	if (a.per_rep && a.format != EXPORT_CSV) {
		log_err("export", "--per-rep needs --format csv");
		return EXIT_USAGE;
	}
	if (mo.metric && mo.metric_better < 0 && compare_known_direction(mo.metric) < 0 && a.format == EXPORT_GAB) {
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
	if (a.format == EXPORT_GAB && gab_check_empty(f, &mo, a.better)) {
		results_file_free(f);
		return EXIT_USAGE;
	}
	FILE *out = stdout;
	if (output && !(out = fopen(output, "w"))) {
		log_errno("export", errno, "open %s", output);
		results_file_free(f);
		return EXIT_USAGE;
	}
	int rc = EXIT_OK;
	if (a.format == EXPORT_MARKDOWN)
		export_markdown(out, f, &mo);
	else if (a.format == EXPORT_CSV)
		rc = export_csv(out, f, a.per_rep) ? EXIT_FAIL : EXIT_OK;
	else
		export_gab(out, f, &mo, a.better);
	if (out != stdout && fclose(out) && !rc) {
		log_errno("export", errno, "write %s", output);
		rc = EXIT_USAGE;
	}
	results_file_free(f);
	return rc;
}
