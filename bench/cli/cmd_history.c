/* bench history: the series of a cell's metric over the runs in the results history
 * (bench/store/history.h), its change points (bench/stats/changepoint.h), as a table, CSV,
 * JSON or a figure (bench plot --history), and --check, the CI gate. */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/cli/cmd.h"
#include "bench/core/log.h"
#include "bench/stats/changepoint.h"
#include "bench/stats/compare.h"
#include "bench/stats/fmt.h"
#include "bench/store/escape.h"
#include "bench/store/history.h"
#include "plot/fig_history.h"
#include "plot/plot.h"

#define SEL_MAX 16

static void usage(void)
{
	printf("usage: bench history [CELL...] [-w W[,W]] [-d D[,D]] [-n N[,N]] [-O knob=v[,v]]... [--ignore-knob K]...\n"
	       "                     [--metric M[:higher|:lower]] [--csv | --json] [--db DB]\n"
	       "                     [--pvalue P] [--window W] [--min-segment L] [--check [--recent N]]\n"
	       "       bench plot --history [the same selection] [-o DIR] [--format png|svg|pdf]\n\n"
	       "The series of each selected cell's metric over the runs in the history database\n"
	       "(bench run records every run; bench store add imports files): per run its id, git\n"
	       "revision, time, machine, repetitions, median, 95%% CI of the mean, status; then the\n"
	       "change points: E-divisive means with Welch's t-test in windows (Apache Otava's\n"
	       "method), each with the first run and revision after the step, the change of the mean\n"
	       "with its CI, and regression or improvement by the metric's direction.\n\n"
	       "  CELL               a cell label workload/driver/n=W (every pin and knob value), or a\n"
	       "                     full identity as bench store info lists it\n"
	       "  -w, -d, -n, -O     (--workload, --driver, --workers) select cells as bench run does\n"
	       "                     (a cell matches when it has one of the values of each option\n"
	       "                     given); no selection: every cell\n"
	       "  --metric M[:dir]   the metric (default: each cell's primary, e.g. ops_per_s)\n"
	       "  --ignore-knob K    leave knob K out of the cell identity (repeatable): the runs with\n"
	       "                     -O K=a and with -O K=b are one series\n"
	       "  --csv, --json      one row per run (CSV), or a document (JSON), instead of the table\n"
	       "  --db DB            the database (default %s)\n"
	       "  --pvalue P         significance of a change point (default %g)\n"
	       "  --window W         runs per window of the search (default %u)\n"
	       "  --min-segment L    runs on each side of a change point at least (default %u): a\n"
	       "                     single spike, or a step not yet L runs long, is not a change\n"
	       "  --check            the CI gate: exit 1 when a selected cell's newest change point is a\n"
	       "                     regression within the newest --recent runs (default: half a window)\n"
	       "  -o, --output DIR   bench plot --history: where the figures go (default results/history-plots)\n\n"
	       "Only runs whose cell is ok and has values enter the change-point search (failed,\n"
	       "skipped and unstable runs are listed, not used); disturbed repetitions are left out.\n"
	       "Exit status: 0 ok (with --check: no new regression step), 1 --check found a regression\n"
	       "step among the newest runs, 2 usage or input error (no such cell, a database that is\n"
	       "missing, damaged or newer, a metric of unknown direction with --check).\n",
	       HISTORY_DEFAULT_DB, CP_DEFAULT_PVALUE, CP_DEFAULT_WINDOW, CP_DEFAULT_MIN_SEGMENT);
}

enum hformat { H_TABLE, H_CSV, H_JSON, H_PLOT };

struct hopts {
	const char *db, *metric, *dir;
	int better, check;                 /* better: 1 higher, 0 lower, -1 not given */
	unsigned recent;
	enum hformat format;
	struct cp_opts cp;
	struct plot_opts plot;
	const char *w[SEL_MAX], *d[SEL_MAX], *n[SEL_MAX], *o[SEL_MAX], *labels[SEL_MAX], *ignore[SEL_MAX];
	unsigned nw, nd, nn, no, nlabels, nignore;
};

/* ---- selection ---- */

/* value is one of the comma-separated items of list. */
static int in_csv(const char *list, const char *value)
{
	size_t len = strlen(value);
	for (const char *p = list; *p; p += strcspn(p, ",") + (p[strcspn(p, ",")] == ',')) {
		if (strcspn(p, ",") == len && !memcmp(p, value, len))
			return 1;
		if (!p[strcspn(p, ",")])
			break;
	}
	return 0;
}

static int any_csv(const char *const *lists, unsigned n, const char *value)
{
	if (!n)
		return 1;
	for (unsigned i = 0; i < n; i++)
		if (in_csv(lists[i], value))
			return 1;
	return 0;
}

/* -O k=v1,v2: the cell's knobs ("k=v k=v") have k with one of the values. */
static int knob_ok(const char *knobs, const char *assign)
{
	size_t klen = strcspn(assign, "=");
	for (const char *p = knobs; *p; p += strcspn(p, " ") + (p[strcspn(p, " ")] == ' ')) {
		char v[320];
		if (strncmp(p, assign, klen) || p[klen] != '=')
			continue;
		snprintf(v, sizeof v, "%.*s", (int)(strcspn(p, " ") - klen - 1), p + klen + 1);
		return assign[klen] == '=' && in_csv(assign + klen + 1, v);
	}
	return 0;
}

static int label_ok(const char *identity, const char *label)
{
	size_t n = strlen(label);
	return !strncmp(identity, label, n) && (identity[n] == ' ' || !identity[n]);
}

static int selected(const struct hopts *o, const struct history_cell *c)
{
	char workers[16];
	snprintf(workers, sizeof workers, "%u", c->workers);
	if (!any_csv(o->w, o->nw, c->workload) || !any_csv(o->d, o->nd, c->driver) || !any_csv(o->n, o->nn, workers))
		return 0;
	for (unsigned i = 0; i < o->no; i++)
		if (!knob_ok(c->knobs, o->o[i]))
			return 0;
	for (unsigned i = 0; i < o->nlabels; i++)
		if (label_ok(c->identity, o->labels[i]))
			return 1;
	return !o->nlabels;
}

/* The identity of a cell with the knobs of --ignore-knob left out: cells with the same one
 * are one series. */
static void group_key(const struct hopts *o, const char *identity, char *buf, size_t len)
{
	size_t off = 0;
	buf[0] = 0;
	for (const char *p = identity; *p; p += strcspn(p, " ") + (p[strcspn(p, " ")] == ' ')) {
		size_t k = strcspn(p, " "), name = strcspn(p, "= ");
		int skip = 0;
		for (unsigned i = 0; i < o->nignore && p != identity; i++)
			skip |= strlen(o->ignore[i]) == name && !strncmp(p, o->ignore[i], name) && p[name] == '=';
		if (!skip && off < len)
			off += (size_t)snprintf(buf + off, len - off, "%s%.*s", off ? " " : "", (int)k, p);
		if (!p[k])
			break;
	}
}

/* ---- output ---- */

static const struct cp_change *change_at(const struct cp_change *c, unsigned nc, unsigned i)
{
	for (unsigned k = 0; k < nc; k++)
		if (c[k].index == i)
			return &c[k];
	return NULL;
}

static const char *direction_text(int higher)
{
	return higher == 1 ? "higher is better" : higher == 0 ? "lower is better" : "direction unknown";
}

static void print_table(const struct history_series *s, const struct cp_change *c, unsigned nc)
{
	char t[1400], st[64], rev[64], med[16], lo[16], hi[16];
	printf("%s  %s (%s)\n", esc_term(t, sizeof t, s->identity), s->metric, direction_text(s->higher));
	printf("  %6s  %-18s  %-20s  %-8s  %3s  %9s  %-21s  %-8s  %s\n", "run", "revision", "time", "machine", "n",
	       "median", "95% CI of the mean", "status", "step");
	for (unsigned i = 0; i < s->n; i++) {
		const struct history_point *p = &s->p[i];
		const struct cp_change *ch = change_at(c, nc, i);
		char ci[48] = "-";
		fmt_si(p->median, FMT_SI_SHORT, med, sizeof med);
		if (isfinite(p->ci_lo)) {
			fmt_si(p->ci_lo, FMT_SI_SHORT, lo, sizeof lo);
			fmt_si(p->ci_hi, FMT_SI_SHORT, hi, sizeof hi);
			snprintf(ci, sizeof ci, "[%s, %s]", lo, hi);
		}
		printf("  %6lld  %-18.18s  %-20.20s  %-8.8s  %3u  %9s  %-21s  %-8.8s  ", p->run,
		       esc_term(rev, sizeof rev, p->revision ? p->revision : "-"), esc_term(t, sizeof t, p->created_utc),
		       p->machine, p->nvals, med, ci, esc_term(st, sizeof st, p->status));
		if (ch)
			printf("%+.1f%% %s", ch->change * 100, history_change_kind(s, ch));
		printf("\n");
	}
	for (unsigned k = 0; k < nc; k++) {
		const struct history_point *p = &s->p[c[k].index];
		printf("  change at run %lld (revision %s, %s): %+.2f%% [%+.2f%%, %+.2f%%], p = %.2g, %s\n", p->run,
		       esc_term(rev, sizeof rev, p->revision ? p->revision : "unknown"), esc_term(t, sizeof t, p->created_utc),
		       c[k].change * 100, c[k].ci_lo * 100, c[k].ci_hi * 100, c[k].pvalue, history_change_kind(s, &c[k]));
	}
	if (!nc)
		printf("  no change point (%u runs)\n", s->n);
	printf("\n");
}

/* A CSV field: terminal-safe, quoted when it holds a comma or a quote. */
static void csv_field(const char *s)
{
	char t[1400];
	esc_term(t, sizeof t, s ? s : "");
	if (!strpbrk(t, ",\"")) {
		fputs(t, stdout);
		return;
	}
	putchar('"');
	for (const char *p = t; *p; p++)
		fputs(*p == '"' ? "\"\"" : (char[]){ *p, 0 }, stdout);
	putchar('"');
}

static void csv_num(double v)
{
	if (isfinite(v))
		printf(",%.10g", v);
	else
		printf(",");
}

static void print_csv(const struct history_series *s, const struct cp_change *c, unsigned nc)
{
	for (unsigned i = 0; i < s->n; i++) {
		const struct history_point *p = &s->p[i];
		const struct cp_change *ch = change_at(c, nc, i);
		csv_field(s->identity);
		printf(",%s,%lld,", s->metric, p->run);
		csv_field(p->revision);
		putchar(',');
		csv_field(p->created_utc);
		printf(",%s,%u,%u", p->machine, p->nvals, p->ndisturbed);
		csv_num(p->median);
		csv_num(p->ci_lo);
		csv_num(p->ci_hi);
		putchar(',');
		csv_field(p->status);
		csv_num(ch ? ch->change * 100 : NAN);
		printf(",%s\n", ch ? history_change_kind(s, ch) : "");
	}
}

static void json_kv(const char *key, const char *v, int comma)
{
	printf("%s\"%s\":", comma ? "," : "", key);
	if (v)
		esc_fputs(stdout, ESC_JSON, v);
	else
		fputs("null", stdout);
}

static void json_num(const char *key, double v)
{
	printf(",\"%s\":", key);
	fmt_json_number(stdout, v);
}

static void print_json(const struct history_series *s, const struct cp_change *c, unsigned nc, int first)
{
	printf("%s{", first ? "" : ",");
	json_kv("cell", s->identity, 0);
	json_kv("metric", s->metric, 1);
	json_kv("better", s->higher == 1 ? "higher" : s->higher == 0 ? "lower" : NULL, 1);
	printf(",\"points\":[");
	for (unsigned i = 0; i < s->n; i++) {
		const struct history_point *p = &s->p[i];
		printf("%s{\"run\":%lld", i ? "," : "", p->run);
		json_kv("revision", p->revision, 1);
		json_kv("created_utc", p->created_utc, 1);
		json_kv("machine", p->machine, 1);
		json_kv("status", p->status, 1);
		printf(",\"n\":%u,\"disturbed\":%u", p->nvals, p->ndisturbed);
		json_num("median", p->median);
		json_num("ci_lo", p->ci_lo);
		json_num("ci_hi", p->ci_hi);
		printf("}");
	}
	printf("],\"changes\":[");
	for (unsigned k = 0; k < nc; k++) {
		const struct history_point *p = &s->p[c[k].index];
		printf("%s{\"run\":%lld,\"index\":%u", k ? "," : "", p->run, c[k].index);
		json_kv("revision", p->revision, 1);
		json_kv("kind", history_change_kind(s, &c[k]), 1);
		json_num("change", c[k].change);
		json_num("ci_lo", c[k].ci_lo);
		json_num("ci_hi", c[k].ci_hi);
		json_num("pvalue", c[k].pvalue);
		json_num("mean_before", c[k].mean_before);
		json_num("mean_after", c[k].mean_after);
		printf("}");
	}
	printf("]}");
}

/* ---- options ---- */

static int num_opt(const char *name, const char *arg, double lo, double hi, double *out)
{
	char *end;
	double v = strtod(arg, &end);
	if (!*arg || *end || !(v >= lo && v <= hi)) {
		log_err("history", "%s: '%s' is not a number from %g to %g", name, arg, lo, hi);
		return -EINVAL;
	}
	*out = v;
	return 0;
}

static int add_sel(const char **list, unsigned *n, const char *v, const char *what)
{
	if (*n == SEL_MAX) {
		log_err("history", "at most %d %s", SEL_MAX, what);
		return -EINVAL;
	}
	list[(*n)++] = v;
	return 0;
}

static int metric_opt(const char *arg, struct hopts *o)
{
	static char name[64];
	const char *colon = strchr(arg, ':');
	snprintf(name, sizeof name, "%.*s", (int)(colon ? (size_t)(colon - arg) : strlen(arg)), arg);
	o->metric = name;
	if (!esc_name_ok(name) || (colon && strcmp(colon, ":higher") && strcmp(colon, ":lower"))) {
		log_err("history", "--metric: '%s' is not METRIC[:higher|:lower]", arg);
		return -EINVAL;
	}
	o->better = colon ? !strcmp(colon, ":higher") : -1;
	return 0;
}

enum { O_DB = 256, O_METRIC, O_CSV, O_JSON, O_PVALUE, O_WINDOW, O_MINSEG, O_CHECK, O_RECENT, O_FORMAT, O_HISTORY,
       O_IGNORE };

static int one_opt(int c, const char *arg, struct hopts *o)
{
	double v;
	switch (c) {
	case O_DB: o->db = arg; return 0;
	case O_METRIC: return metric_opt(arg, o);
	case O_CSV: o->format = o->format == H_PLOT ? H_PLOT : H_CSV; return 0;
	case O_JSON: o->format = o->format == H_PLOT ? H_PLOT : H_JSON; return 0;
	case O_CHECK: o->check = 1; return 0;
	case O_HISTORY: return 0;
	case O_PVALUE: return num_opt("--pvalue", arg, 1e-300, 0.999999, &o->cp.pvalue);
	case O_WINDOW: return num_opt("--window", arg, 4, 1000, &v) ? -EINVAL : (o->cp.window = (unsigned)v, 0);
	case O_MINSEG: return num_opt("--min-segment", arg, 2, 500, &v) ? -EINVAL : (o->cp.min_segment = (unsigned)v, 0);
	case O_RECENT: return num_opt("--recent", arg, 1, 1e9, &v) ? -EINVAL : (o->recent = (unsigned)v, 0);
	case O_FORMAT:
		if (plot_parse_format(arg, &o->plot.format)) {
			log_err("history", "--format: '%s' is not png, svg or pdf", arg);
			return -EINVAL;
		}
		return 0;
	case 'o': o->dir = arg; return 0;
	case O_IGNORE: return add_sel(o->ignore, &o->nignore, arg, "--ignore-knob");
	case 'w': return add_sel(o->w, &o->nw, arg, "-w");
	case 'd': return add_sel(o->d, &o->nd, arg, "-d");
	case 'n': return add_sel(o->n, &o->nn, arg, "-n");
	case 'O':
		if (!strchr(arg, '=')) {
			log_err("history", "-O expects knob=value[,value...], got '%s'", arg);
			return -EINVAL;
		}
		return add_sel(o->o, &o->no, arg, "-O");
	}
	return -EINVAL;
}

static int parse(int argc, char **argv, struct hopts *o)
{
	static const struct option lo[] = {
		{ "db", 1, 0, O_DB }, { "metric", 1, 0, O_METRIC }, { "csv", 0, 0, O_CSV }, { "json", 0, 0, O_JSON },
		{ "pvalue", 1, 0, O_PVALUE }, { "window", 1, 0, O_WINDOW }, { "min-segment", 1, 0, O_MINSEG },
		{ "check", 0, 0, O_CHECK }, { "recent", 1, 0, O_RECENT }, { "format", 1, 0, O_FORMAT },
		{ "history", 0, 0, O_HISTORY }, { "output", 1, 0, 'o' }, { "workload", 1, 0, 'w' },
		{ "driver", 1, 0, 'd' }, { "workers", 1, 0, 'n' }, { "ignore-knob", 1, 0, O_IGNORE },
		{ "help", 0, 0, 'h' }, { 0 }
	};
	char msg[400], err[200];
	int c;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":w:d:n:O:o:h", lo, NULL)) != -1) {
		if (c == '?' || c == ':') {
			log_err("history", c == ':' ? "option '%s' needs a value" : "unknown option '%s' (see bench history --help)",
			        esc_term(msg, sizeof msg, argv[optind - 1]));
			return -EINVAL;
		}
		if (one_opt(c, optarg, o))
			return -EINVAL;
	}
	for (; optind < argc; optind++)
		if (add_sel(o->labels, &o->nlabels, argv[optind], "cell labels"))
			return -EINVAL;
	if (cp_opts_check(&o->cp, err, sizeof err)) {
		log_err("history", "%s", err);
		return -EINVAL;
	}
	if (!o->recent)
		o->recent = o->cp.window / 2;
	return 0;
}

/* ---- the command ---- */

struct hrun {
	struct hopts *o;
	struct plot_set *set;
	unsigned shown, flagged;
	int rc;
};

/* --check: the newest change point of s is a regression within the newest o->recent runs. */
static void check_cell(struct hrun *r, const struct history_series *s, const struct cp_change *c, unsigned nc)
{
	char t[1400], rev[128];
	if (!nc || strcmp(history_change_kind(s, &c[nc - 1]), "regression") || c[nc - 1].index + r->o->recent < s->n)
		return;
	const struct history_point *p = &s->p[c[nc - 1].index];
	printf("check: regression step in %s %s at run %lld (revision %s): %+.2f%% [%+.2f%%, %+.2f%%], p = %.2g\n",
	       esc_term(t, sizeof t, s->identity), s->metric, p->run,
	       esc_term(rev, sizeof rev, p->revision ? p->revision : "unknown"), c[nc - 1].change * 100,
	       c[nc - 1].ci_lo * 100, c[nc - 1].ci_hi * 100, c[nc - 1].pvalue);
	r->flagged++;
}

/* One series: the cells ids[0..n) taken as one, labelled key. */
static int one_cell(struct hrun *r, struct history *h, const long long *ids, unsigned n, const char *key)
{
	char err[1200], msg[1400];
	struct history_series s;
	struct cp_change *c = NULL;
	unsigned nc = 0;
	int rc = history_series_get(h, ids, n, r->o->metric, &s, err, sizeof err);
	if (rc) {
		log_err("history", "%s", esc_term(msg, sizeof msg, err));
		return rc;
	}
	char *label = strdup(key);
	if (label) {
		free(s.identity);
		s.identity = label;
	}
	if (r->o->better >= 0)
		s.higher = r->o->better;
	if (r->o->check && s.higher < 0) {
		log_err("history", "--check: the direction of %s is unknown: give --metric %s:higher or :lower", s.metric,
		        s.metric);
		history_series_free(&s);
		return -EINVAL;
	}
	if ((rc = history_changes(&s, &r->o->cp, &c, &nc))) {
		log_err("history", "%s: change points: %s", esc_term(msg, sizeof msg, s.identity), strerror(-rc));
	} else if (r->o->format == H_PLOT) {
		if ((rc = plot_write_history(&r->o->plot, r->set, &s, ids[0], c, nc, err, sizeof err)))
			log_err("history", "%s", esc_term(msg, sizeof msg, err));
	} else if (r->o->format == H_TABLE) {
		if (!r->o->check)
			print_table(&s, c, nc);
	} else if (r->o->format == H_CSV) {
		print_csv(&s, c, nc);
	} else {
		print_json(&s, c, nc, !r->shown);
	}
	if (!rc && r->o->check)
		check_cell(r, &s, c, nc);
	r->shown++;
	free(c);
	history_series_free(&s);
	return rc;
}

/* The selected cells grouped into series (cells equal but for ignored knobs are one): each
 * cell's group index in grp, and the number of groups. */
static unsigned group_cells(const struct hopts *o, const struct history_cell *cells, unsigned n, int *grp,
                            char (*keys)[1024])
{
	unsigned ng = 0;
	for (unsigned i = 0; i < n; i++) {
		grp[i] = -1;
		if (!selected(o, &cells[i]))
			continue;
		group_key(o, cells[i].identity, keys[ng], sizeof keys[ng]);
		unsigned g = 0;
		while (g < ng && strcmp(keys[g], keys[ng]))
			g++;
		grp[i] = (int)g;
		ng += g == ng;
	}
	return ng;
}

static int print_groups(struct hrun *r, struct history *h, const struct history_cell *cells, unsigned n,
                        const int *grp, char (*keys)[1024], unsigned ng)
{
	long long *ids = malloc((n ? n : 1) * sizeof *ids);
	int rc = ids ? EXIT_OK : EXIT_USAGE;
	for (unsigned g = 0; !rc && g < ng; g++) {
		unsigned m = 0;
		for (unsigned i = 0; i < n; i++)
			if (grp[i] == (int)g)
				ids[m++] = cells[i].id;
		if (one_cell(r, h, ids, m, keys[g]))
			rc = EXIT_USAGE;
	}
	free(ids);
	return rc;
}

/* The selected cells of the store, each series printed (or drawn). */
static int each_cell(struct hrun *r, struct history *h)
{
	char err[1200], msg[1400];
	struct history_cell *cells;
	unsigned n;
	if (history_cells(h, &cells, &n, err, sizeof err)) {
		log_err("history", "%s", esc_term(msg, sizeof msg, err));
		return EXIT_USAGE;
	}
	int *grp = malloc((n ? n : 1) * sizeof *grp);
	char (*keys)[1024] = malloc((n ? n : 1) * sizeof *keys);
	unsigned ng = grp && keys ? group_cells(r->o, cells, n, grp, keys) : 0;
	int rc = EXIT_OK;
	if (!ng) {
		log_err("history", grp && keys ? "no cell of %s matches the selection (bench store info lists them)"
		                               : "%s: out of memory", esc_term(msg, sizeof msg, r->o->db));
		rc = EXIT_USAGE;
	} else if (r->o->format == H_PLOT && ng > PLOT_MAX_FIGS) {
		log_err("history", "%u cells selected, a figure each: at most %d (narrow the selection)", ng, PLOT_MAX_FIGS);
		rc = EXIT_USAGE;
	}
	if (!rc && r->o->format == H_CSV)
		printf("cell,metric,run,revision,created_utc,machine,n,disturbed,median,ci_lo,ci_hi,status,change_pct,change\n");
	if (!rc && r->o->format == H_JSON) {
		printf("{\"db\":");
		esc_fputs(stdout, ESC_JSON, r->o->db);
		printf(",\"cells\":[");
	}
	if (!rc)
		rc = print_groups(r, h, cells, n, grp, keys, ng);
	if (!rc && r->o->format == H_JSON)
		printf("]}\n");
	free(grp);
	free(keys);
	history_cells_free(cells, n);
	return rc;
}

static int draw(struct hrun *r)
{
	char err[1200], msg[1400];
	int rc = plot_render(&r->o->plot, r->set, err, sizeof err);
	plot_print(r->set, r->o->plot.dir, plot_format_ext(r->o->plot.format), stdout);
	if (rc == -ENOENT) {
		log_err("plot", "gnuplot not found: install the Debian package %s (data and scripts are in %s)",
		        PLOT_GNUPLOT_PACKAGE, esc_term(msg, sizeof msg, r->o->plot.dir));
		return EXIT_USAGE;
	}
	if (rc) {
		log_err("plot", "%s", esc_term(msg, sizeof msg, err));
		return EXIT_FAIL;
	}
	printf("plots: %s\n", esc_term(msg, sizeof msg, r->o->plot.dir));
	return EXIT_OK;
}

int cmd_history(int argc, char **argv)
{
	static struct hopts o;
	static struct plot_set set;
	char err[1200], msg[1400];
	if (cmd_wants_help(argc, argv)) {
		usage();
		return EXIT_OK;
	}
	o = (struct hopts){ .db = HISTORY_DEFAULT_DB, .better = -1, .format = !strcmp(argv[0], "plot") ? H_PLOT : H_TABLE,
		            .plot = { .format = PLOT_PNG } };
	cp_opts_default(&o.cp);
	if (parse(argc, argv, &o))
		return EXIT_USAGE;
	o.plot.dir = o.dir ? o.dir : "results/history-plots";
	struct history *h;
	if (history_open(o.db, HISTORY_READ, &h, err, sizeof err)) {
		log_err("history", "%s", esc_term(msg, sizeof msg, err));
		return EXIT_USAGE;
	}
	struct hrun r = { .o = &o, .set = &set };
	int rc = each_cell(&r, h);
	history_close(h);
	if (!rc && o.format == H_PLOT)
		rc = draw(&r);
	if (!rc && o.check && !r.flagged)
		printf("check: no new regression step in %u cell(s) (newest %u runs, p < %g)\n", r.shown, o.recent,
		       o.cp.pvalue);
	return rc ? rc : r.flagged ? EXIT_FAIL : EXIT_OK;
}
