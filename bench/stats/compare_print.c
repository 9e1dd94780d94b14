/* compare_print: text, Markdown and JSON reports of a comparison (see compare_print.h). */
#define _GNU_SOURCE
#include "bench/stats/compare_print.h"

#include <math.h>
#include <string.h>

#include "bench/stats/fmt.h"
#include "bench/store/escape.h"

/* What the verdict column says (text and Markdown). */
static const char *verdict_text(enum compare_verdict v)
{
	static const char *n[] = { "REGRESSION", "improvement", "no change", "below threshold", "too few reps",
		                   "FAILED (new)", "failed (base)", "skipped", "no data", "UNSTABLE" };
	return n[v];
}

static const char *ci_name(const struct compare_opts *o)
{
	return o->pairing ? "Hodges-Lehmann of the pairs" : o->ci == COMPARE_CI_HL ? "Hodges-Lehmann" : "bootstrap";
}

/* The test the verdicts use. */
static const char *test_name(const struct compare_opts *o)
{
	return o->pairing ? "Wilcoxon signed-rank (paired)" : "Mann-Whitney";
}

/* ---- numbers as the text and Markdown reports write them ---- */

static void fmt_pct(double v, char *buf, size_t len)
{
	if (!isfinite(v))
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%+.1f%%", v);
}

static void fmt_ci(double lo, double hi, char *buf, size_t len)
{
	if (isnan(lo) || isnan(hi))
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "[%+.1f%%, %+.1f%%]", lo, hi);
}

static void fmt_p(double p, char *buf, size_t len)
{
	if (!isfinite(p))
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.2g", p);
}

/* The numbers of a row: baseline and new medians in engineering notation with the metric's
 * unit (fmt_metric: "94.1 us", "455k ops/s"), the change with its CI ("+3.4% [+1.2%, +5.6%]",
 * one column), p. */
struct row_text { char b[48], n[48], ch[64], p[16]; };

/* "+3.4% [+1.2%, +5.6%]", or "-" without a change */
static void change_text(double pct, double lo, double hi, char *buf, size_t len)
{
	char ch[16], ci[40];
	fmt_pct(pct, ch, sizeof ch);
	fmt_ci(lo, hi, ci, sizeof ci);
	if (!isfinite(pct))
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%s %s", ch, ci);
}

static void row_text(const struct compare_row *row, struct row_text *t)
{
	fmt_metric(row->base_median, row->metric, t->b, sizeof t->b);
	fmt_metric(row->new_median, row->metric, t->n, sizeof t->n);
	change_text(row->change_pct, row->ci_lo_pct, row->ci_hi_pct, t->ch, sizeof t->ch);
	fmt_p(row->mw.p, t->p, sizeof t->p);
}

/* The geometric mean's change and CI. */
static void geo_text(const struct compare_result *r, struct row_text *t)
{
	change_text(r->geo_pct, r->geo_lo_pct, r->geo_hi_pct, t->ch, sizeof t->ch);
}

static void summary_line(FILE *f, const struct compare_result *r, const char *bold)
{
	const unsigned *c = r->counts;
	fprintf(f, "%s%u regression%s, %u improvement%s%s, %u unchanged", bold, c[CMP_REGRESSION],
	        c[CMP_REGRESSION] == 1 ? "" : "s", c[CMP_IMPROVEMENT], c[CMP_IMPROVEMENT] == 1 ? "" : "s", bold,
	        c[CMP_UNCHANGED] + c[CMP_BELOW_THRESHOLD]);
	if (c[CMP_UNSTABLE])
		fprintf(f, ", %s%u unstable (no verdict)%s", bold, c[CMP_UNSTABLE], bold);
	if (c[CMP_TOO_FEW])
		fprintf(f, ", %s%u with too few %s%s", bold, c[CMP_TOO_FEW], r->opts.pairing ? "pairs" : "repetitions", bold);
	if (c[CMP_FAILED_NEW])
		fprintf(f, ", %u failed in the new run", c[CMP_FAILED_NEW]);
	if (c[CMP_FAILED_BASE])
		fprintf(f, ", %u failed in the baseline", c[CMP_FAILED_BASE]);
	if (c[CMP_SKIPPED])
		fprintf(f, ", %u skipped", c[CMP_SKIPPED]);
	if (c[CMP_NO_DATA])
		fprintf(f, ", %u without data", c[CMP_NO_DATA]);
	fprintf(f, " (%u matched cell%s)", r->nrows, r->nrows == 1 ? "" : "s");
}

/* Text from the files (paths, machine fields, error texts) after prefix, escaped for the
 * sink, as one line; with lines, each line of text so (r->warnings: a line per warning).
 * Nothing when text is empty. */
static void put_text(FILE *f, enum esc_sink sink, const char *prefix, const char *text, int lines)
{
	char line[1024];
	while (*text) {
		size_t n = lines ? strcspn(text, "\n") : strlen(text);
		snprintf(line, sizeof line, "%.*s", (int)n, text);
		fputs(prefix, f);
		esc_fputs(f, sink, line);
		fputc('\n', f);
		text += n + (text[n] == '\n');
	}
}

/* ---- text ---- */

/* The table of the text report: a row per matched cell, then the geometric mean; eight
 * columns (the change and its CI in one). */
static void text_table(FILE *f, const struct compare_result *r)
{
	int w = 24;
	char chci[32];
	for (unsigned i = 0; i < r->nrows; i++)
		if ((int)strlen(r->rows[i].label) > w)
			w = (int)strlen(r->rows[i].label);
	snprintf(chci, sizeof chci, "change [%g%% CI]", r->opts.confidence * 100);
	fprintf(f, "\n%-*s  %-18s  %12s  %12s  %-26s  %6s  %7s  %s\n", w, "cell", "metric", "baseline", "new", chci, "p",
	        "n", "verdict");
	for (unsigned i = 0; i < r->nrows; i++) {
		const struct compare_row *row = &r->rows[i];
		struct row_text t;
		char m[64], reps[24], lab[640], met[64];
		esc_term(lab, sizeof lab, row->label);
		snprintf(m, sizeof m, "%s (%s)", esc_term(met, sizeof met, row->metric),
		         row->higher_is_better ? "higher" : "lower");
		row_text(row, &t);
		snprintf(reps, sizeof reps, "%u/%u", row->nbase, row->nnew);
		fprintf(f, "%-*s  %-18s  %12s  %12s  %-26s  %6s  %7s  %s\n", w, lab, m, t.b, t.n, t.ch, t.p, reps,
		        verdict_text(row->verdict));
	}
	if (r->geo_cells) {
		struct row_text t;
		char lab[64];
		snprintf(lab, sizeof lab, "geomean of %u cell%s", r->geo_cells, r->geo_cells == 1 ? "" : "s");
		geo_text(r, &t);
		fprintf(f, "%-*s  %-18s  %12s  %12s  %s\n", w, lab, "perf. (+ = better)", "", "", t.ch);
	}
}

/* The text report. Everything from the files goes through esc_term: the labels are made of
 * names and values the loader validated, but paths, machine fields and notes (error texts)
 * are any text. */
/* " (alpha A over N looks)" when bench ab may test a cell more than once, else "". */
static const char *looks_text(const struct compare_opts *o)
{
	static _Thread_local char t[64];
	if (o->looks <= 1)
		return "";
	snprintf(t, sizeof t, " (alpha %g over up to %u looks)", o->alpha, o->looks);
	return t;
}

static void print_text(FILE *f, const struct compare_result *r)
{
	const struct compare_opts *o = &r->opts;
	put_text(f, ESC_TERM, "baseline: ", r->base->path, 0);
	put_text(f, ESC_TERM, "new:      ", r->new->path, 0);
	fprintf(f, "significant = %s p < %g%s and the whole %g%% CI of the change (%s) beyond +-%g%%\n",
	        test_name(o), compare_test_alpha(o), looks_text(o), o->confidence * 100, ci_name(o), o->threshold_pct);
	put_text(f, ESC_TERM, "warning: the machines differ: ", r->machine_diff, 0);
	put_text(f, ESC_TERM, "warning: the runs' settings differ: ", r->config_diff, 0);
	put_text(f, ESC_TERM, "warning: ", r->warnings, 1);
	text_table(f, r);
	for (unsigned i = 0; i < r->nrows; i++)
		if (r->rows[i].note[0]) {
			fputs("note: ", f);
			esc_fputs(f, ESC_TERM, r->rows[i].label);
			fputs(": ", f);
			esc_fputs(f, ESC_TERM, r->rows[i].note);
			fputc('\n', f);
		}
	if (!o->hide_only_base)
		for (unsigned i = 0; i < r->nonly_base; i++)
			put_text(f, ESC_TERM, "only in the baseline: ", r->only_base[i], 0);
	for (unsigned i = 0; i < r->nonly_new; i++)
		put_text(f, ESC_TERM, "only in the new run: ", r->only_new[i], 0);
	fputc('\n', f);
	summary_line(f, r, "");
	fputs(".\n", f);
}

/* ---- Markdown ---- */

/* The table of the Markdown report: a row per matched cell (flagged ones in bold), then the
 * geometric mean. */
static void markdown_table(FILE *f, const struct compare_result *r)
{
	fprintf(f, ".\n\n| cell | metric | baseline | new | change [%g%% CI] | p | n | verdict |\n",
	        r->opts.confidence * 100);
	fprintf(f, "|---|---|---:|---:|---:|---:|---:|---|\n");
	for (unsigned i = 0; i < r->nrows; i++) {
		const struct compare_row *row = &r->rows[i];
		struct row_text t;
		row_text(row, &t);
		int flag = compare_row_flagged(r, row) || row->verdict == CMP_REGRESSION;
		fputs("| ", f);
		esc_fputs(f, ESC_MD, row->label);
		fputs(" | ", f);
		esc_fputs(f, ESC_MD, row->metric);
		fprintf(f, " %s | %s | %s | %s%s%s | %s | %u/%u | %s%s%s |\n", row->higher_is_better ? "&uarr;" : "&darr;",
		        t.b, t.n, flag ? "**" : "", t.ch, flag ? "**" : "", t.p, row->nbase, row->nnew, flag ? "**" : "",
		        verdict_text(row->verdict), flag ? "**" : "");
	}
	if (r->geo_cells) {
		struct row_text t;
		geo_text(r, &t);
		fprintf(f, "| *geomean of %u cell%s* | performance, + = better | | | %s | | | |\n", r->geo_cells,
		        r->geo_cells == 1 ? "" : "s", t.ch);
	}
}

static void print_markdown(FILE *f, const struct compare_result *r)
{
	const struct compare_opts *o = &r->opts;
	fprintf(f, "### bench compare\n\n");
	summary_line(f, r, "**");
	markdown_table(f, r);
	fprintf(f, "\nSignificant = %s p < %g%s and the whole %g%% CI of the change (%s) beyond &plusmn;%g%%.\n",
	        test_name(o), compare_test_alpha(o), looks_text(o), o->confidence * 100, ci_name(o), o->threshold_pct);
	put_text(f, ESC_MD, "\n> **Warning:** the machines differ: ", r->machine_diff, 0);
	put_text(f, ESC_MD, "\n> **Warning:** the runs' settings differ: ", r->config_diff, 0);
	put_text(f, ESC_MD, "\n> **Warning:** ", r->warnings, 1);
	/* labels: names and values the loader validated, so a code span holds them as they are */
	int notes = 0;
	for (unsigned i = 0; i < r->nrows; i++)
		if (r->rows[i].note[0]) {
			fprintf(f, "%s- `%s`: ", notes++ ? "" : "\n", r->rows[i].label);
			esc_fputs(f, ESC_MD, r->rows[i].note);
			fputc('\n', f);
		}
	if (!o->hide_only_base)
		for (unsigned i = 0; i < r->nonly_base; i++)
			fprintf(f, "%s- only in the baseline: `%s`\n", notes++ ? "" : "\n", r->only_base[i]);
	for (unsigned i = 0; i < r->nonly_new; i++)
		fprintf(f, "%s- only in the new run: `%s`\n", notes++ ? "" : "\n", r->only_new[i]);
}

/* ---- JSON ---- */

/* A JSON array of n strings. */
static void json_strings(FILE *f, const char *const *s, unsigned n)
{
	fputc('[', f);
	for (unsigned i = 0; i < n; i++) {
		if (i)
			fputc(',', f);
		esc_fputs(f, ESC_JSON, s[i]);
	}
	fputc(']', f);
}

/* The opening of the report: the files and the options. */
static void json_settings(FILE *f, const struct compare_result *r)
{
	const struct compare_opts *o = &r->opts;
	fputs("{\"base\":", f);
	esc_fputs(f, ESC_JSON, r->base->path);
	fputs(",\"new\":", f);
	esc_fputs(f, ESC_JSON, r->new->path);
	fputs(",\"metric\":", f);
	if (o->metric)
		esc_fputs(f, ESC_JSON, o->metric);
	else
		fputs("null", f);
	char fail_on[80];
	compare_fail_on_text(o->fail_on, fail_on, sizeof fail_on);
	fprintf(f, ",\"alpha\":%g,\"looks\":%u,\"test_alpha\":%g,\"threshold_pct\":%g,\"confidence\":%g,\"ci_method\":\"%s\",\"fail_on\":\"%s\"", o->alpha,
	        o->looks > 1 ? o->looks : 1, compare_test_alpha(o), o->threshold_pct, o->confidence,
	        o->pairing ? "paired-hodges-lehmann" : o->ci == COMPARE_CI_HL ? "hodges-lehmann" : "bootstrap", fail_on);
	fprintf(f, ",\"test\":\"%s\"", o->pairing ? "wilcoxon-signed-rank" : "mann-whitney");
	fputs(",\"ignore_knobs\":", f);
	json_strings(f, o->ignore, o->nignore);
	fputs(",\"machine_differs\":", f);
	esc_fputs(f, ESC_JSON, r->machine_diff);
	fputs(",\"config_differs\":", f);
	esc_fputs(f, ESC_JSON, r->config_diff);
}

/* The identity of a cell: label, workload, driver, workers, pin, knobs. */
static void json_identity(FILE *f, const struct compare_row *row, const struct results_file_cell *c)
{
	fputs("\"label\":", f);
	esc_fputs(f, ESC_JSON, row->label);
	fputs(",\"workload\":", f);
	esc_fputs(f, ESC_JSON, c->workload);
	fputs(",\"driver\":", f);
	esc_fputs(f, ESC_JSON, c->driver);
	fprintf(f, ",\"workers\":%u,\"pin\":", c->workers);
	esc_fputs(f, ESC_JSON, c->pin);
	fputs(",\"knobs\":{", f);
	for (unsigned k = 0; k < c->nknobs; k++) {
		if (k)
			fputc(',', f);
		esc_fputs(f, ESC_JSON, c->knobs_by_name[k].key);
		fputc(':', f);
		esc_fputs(f, ESC_JSON, c->knobs_by_name[k].value);
	}
	fputc('}', f);
}

static void json_side(FILE *f, const char *name, const struct results_file *file, unsigned ci, unsigned n,
                      double median)
{
	const struct results_file_cell *c = &file->cells[ci];
	fprintf(f, "\"%s\":{\"status\":", name);
	esc_fputs(f, ESC_JSON, c->status);
	fprintf(f, ",\"n\":%u,\"median\":", n);
	fmt_json_number(f, median);
	fputc('}', f);
}

/* "key":pct,"ci_pct":[lo,hi]: a change in percent and its confidence interval. */
static void json_change(FILE *f, const char *key, double pct, double lo, double hi)
{
	fprintf(f, "\"%s\":", key);
	fmt_json_number(f, pct);
	fputs(",\"ci_pct\":[", f);
	fmt_json_number(f, lo);
	fputc(',', f);
	fmt_json_number(f, hi);
	fputc(']', f);
}

/* A matched cell: its identity, both sides, the change, the test and the verdict. */
static void json_row(FILE *f, const struct compare_result *r, const struct compare_row *row)
{
	fputc('{', f);
	json_identity(f, row, &r->base->cells[row->base_cell]);
	fputs(",\"metric\":", f);
	esc_fputs(f, ESC_JSON, row->metric);
	fprintf(f, ",\"better\":\"%s\",", row->higher_is_better ? "higher" : "lower");
	json_side(f, "baseline", r->base, row->base_cell, row->nbase, row->base_median);
	fputc(',', f);
	json_side(f, "new", r->new, row->new_cell, row->nnew, row->new_median);
	fputc(',', f);
	json_change(f, "change_pct", row->change_pct, row->ci_lo_pct, row->ci_hi_pct);
	fputs(row->npairs ? ",\"v\":" : ",\"u\":", f);
	fmt_json_number(f, row->nbase && row->nnew ? row->mw.u : NAN);
	if (row->npairs)
		fprintf(f, ",\"pairs\":%u", row->npairs);
	fputs(",\"p\":", f);
	fmt_json_number(f, row->mw.p);
	fputs(",\"min_p\":", f);
	fmt_json_number(f, row->mw.min_p);
	fprintf(f, ",\"exact\":%s,\"verdict\":\"%s\",\"flagged\":%s,\"note\":", row->mw.exact ? "true" : "false",
	        compare_verdict_name(row->verdict), compare_row_flagged(r, row) ? "true" : "false");
	esc_fputs(f, ESC_JSON, row->note);
	fputc('}', f);
}

static void print_json(FILE *f, const struct compare_result *r)
{
	json_settings(f, r);
	fputs(",\"cells\":[", f);
	for (unsigned i = 0; i < r->nrows; i++) {
		fputs(i ? ",\n" : "\n", f);
		json_row(f, r, &r->rows[i]);
	}
	fputs("],\n\"only_in_base\":", f);
	json_strings(f, (const char *const *)r->only_base, r->nonly_base);
	fputs(",\"only_in_new\":", f);
	json_strings(f, (const char *const *)r->only_new, r->nonly_new);
	fprintf(f, ",\"geomean\":{\"cells\":%u,", r->geo_cells);
	json_change(f, "performance_pct", r->geo_pct, r->geo_lo_pct, r->geo_hi_pct);
	fputs("},\"counts\":{", f);
	for (int v = 0; v < CMP_NVERDICTS; v++)
		fprintf(f, "%s\"%s\":%u", v ? "," : "", compare_verdict_name((enum compare_verdict)v), r->counts[v]);
	fprintf(f, "},\"exit\":%d}\n", compare_exit_code(r));
}

void compare_print(FILE *f, const struct compare_result *r, enum compare_format fmt)
{
	switch (fmt) {
	case COMPARE_MARKDOWN: print_markdown(f, r); break;
	case COMPARE_JSON: print_json(f, r); break;
	default: print_text(f, r);
	}
}
