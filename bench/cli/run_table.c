/* run_table: bench run's table (see run_table.h). */
#define _GNU_SOURCE
#include "bench/cli/run_table.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bench/stats/fmt.h"
#include "bench/store/escape.h"
#include "bench/store/results.h"
#include "workloads/workload.h"

/* Column widths after the label: status ("unstable*"), median with unit ("874k round
 * trips/s (lower)"), spread ("860k..880k", "200 ms..203 ms"), util ("util (cores)"), wall
 * ("94.1 us"). */
#define W_STATUS 9
#define W_MEDIAN 24
#define W_SPREAD 16
#define W_UTIL 12
#define W_WALL 8

size_t run_table_label_width(const char *label)
{
	char buf[1024];
	return strlen(esc_term(buf, sizeof buf, label));
}

void run_table_begin(struct run_table *t, FILE *out, size_t label_w)
{
	memset(t, 0, sizeof *t);
	t->out = out;
	t->label_w = (int)(label_w > 4 ? label_w : 4);
	fprintf(out, "%-*s %-*s %-*s %-*s %*s %*s %5s\n", t->label_w, "cell", W_STATUS, "status", W_MEDIAN, "median",
	        W_SPREAD, "spread", W_UTIL, "util (cores)", W_WALL, "wall", "fair");
}

/* The median of the primary metric with its unit (fmt.h): "874k spin units/s", "201 ms wall
 * (lower)". */
static void median_text(const struct run_table_row *r, char *buf, size_t len)
{
	char v[96], unit[80];
	const char *metric = r->metric ? r->metric : "?";
	if (!isfinite(r->median)) { /* no repetition in the summary */
		snprintf(buf, len, "-");
		return;
	}
	if (!strcmp(metric, "ops_per_s")) {
		snprintf(unit, sizeof unit, "%s/s", r->op_unit ? r->op_unit : "ops");
		fmt_si_unit(r->median, unit, v, sizeof v);
	} else if (!strcmp(metric, "wall_s")) {
		fmt_si_unit(r->median, "s wall", v, sizeof v);
	} else {
		fmt_metric(r->median, metric, v, sizeof v);
	}
	snprintf(buf, len, "%s%s", v, r->higher_is_better ? "" : " (lower)");
}

/* Over the repetitions of the summary: "-" for one; "min..max" for two (a 95% CI from two
 * values is 12.7 standard errors wide) or without a CI; else "+-P%", the CI's half-width as a
 * percentage of the median. */
static void spread_text(const struct run_table_row *r, char *buf, size_t len)
{
	double half = (r->ci_hi - r->ci_lo) / 2;
	char lo[48], hi[48];
	if (r->n <= 1)
		snprintf(buf, len, "-");
	else if (r->n >= 3 && isfinite(half) && r->median != 0)
		snprintf(buf, len, "+-%.1f%%", 100 * half / fabs(r->median));
	else {
		const char *unit = r->metric && !strcmp(r->metric, "wall_s") ? "s" : NULL; /* 200 ms..203 ms */
		fmt_si_unit(r->min, unit, lo, sizeof lo);
		fmt_si_unit(r->max, unit, hi, sizeof hi);
		snprintf(buf, len, "%s..%s", lo, hi);
	}
}

/* The footnote of a row with disturbed repetitions or an unstable status ("" when none). */
static void footnote(const struct run_table_row *r, const char *label, char *buf, size_t len)
{
	int unstable = !strcmp(r->status, "unstable");
	size_t off;
	buf[0] = 0;
	if (!unstable && !r->ndisturbed)
		return;
	off = (size_t)snprintf(buf, len, "* %s: %s", label, unstable ? "unstable" : "");
	if (r->ndisturbed && off < len)
		off += (size_t)snprintf(buf + off, len - off, "%s%u of %u repetitions disturbed", unstable ? ", " : "",
		                        r->ndisturbed, r->nok);
	if (r->ndisturbed && isfinite(r->disturbed_load) && off < len)
		off += (size_t)snprintf(buf + off, len - off, " (other load %.2f cores)", r->disturbed_load);
	if (r->ndisturbed && off < len)
		off += (size_t)snprintf(buf + off, len - off, ", %s",
		                        r->n < r->nok ? "left out" : "kept (--keep-disturbed)");
	if (unstable && off < len)
		snprintf(buf + off, len - off, "%snot trustworthy", r->ndisturbed ? "; " : ": ");
}

/* v with prec decimals in a column of width, "-" when it is not finite. */
static void number(FILE *out, int width, int prec, double v)
{
	if (isfinite(v))
		fprintf(out, "%*.*f", width, prec, v);
	else
		fprintf(out, "%*s", width, "-");
}

static void add_note(struct run_table *t, const char *note)
{
	char *copy = t->nnotes < RUN_TABLE_MAX_NOTES ? strdup(note) : NULL;
	if (copy)
		t->notes[t->nnotes++] = copy;
	else
		t->dropped++;
}

void run_table_print(struct run_table *t, const struct run_table_row *r)
{
	char label[1024], status[32], med[128], spread[112], wall[32], note[1400];
	esc_term(label, sizeof label, r->label);
	if (strcmp(r->status, "ok") && strcmp(r->status, "unstable")) {
		fprintf(t->out, "%-*s %-*s ", t->label_w, label, W_STATUS, r->status);
		esc_fputs(t->out, ESC_TERM, r->error ? r->error : "");
		fputc('\n', t->out);
		return;
	}
	footnote(r, label, note, sizeof note);
	snprintf(status, sizeof status, "%s%s", r->status, *note ? "*" : "");
	median_text(r, med, sizeof med);
	spread_text(r, spread, sizeof spread);
	fprintf(t->out, "%-*s %-*s %-*s %-*s ", t->label_w, label, W_STATUS, status, W_MEDIAN, med, W_SPREAD, spread);
	number(t->out, W_UTIL, 2, r->util_cores);
	fmt_si_unit(r->wall_s, "s", wall, sizeof wall);
	fprintf(t->out, " %*s ", W_WALL, wall);
	number(t->out, 5, 3, r->symmetric ? r->fairness : NAN);
	fputc('\n', t->out);
	if (*note)
		add_note(t, note);
}

void run_table_end(struct run_table *t)
{
	for (unsigned i = 0; i < t->nnotes; i++) {
		fprintf(t->out, "%s\n", t->notes[i]);
		free(t->notes[i]);
	}
	if (t->dropped)
		fprintf(t->out, "* and %u more cells with disturbed repetitions\n", t->dropped);
	t->nnotes = t->dropped = 0;
}

void run_table_row_from_brief(struct run_table_row *r, const struct cell_brief *b, const struct workload *wl,
                              const char *label)
{
	*r = (struct run_table_row){ .label = label, .status = b->status ? b->status : "?", .error = b->error,
		                     .metric = wl->primary_metric, .op_unit = wl->op_unit,
		                     .higher_is_better = wl->higher_is_better, .symmetric = wl->symmetric,
		                     .n = b->primary_n, .median = b->primary, .ci_lo = b->primary_ci_lo,
		                     .ci_hi = b->primary_ci_hi, .min = b->primary_min, .max = b->primary_max,
		                     .util_cores = b->util_cores, .wall_s = b->wall_s, .fairness = b->fairness,
		                     .nok = b->nok, .ndisturbed = b->ndisturbed, .disturbed_load = b->disturbed_load };
}
