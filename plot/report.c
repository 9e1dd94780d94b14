/* report: DIR/report.md for `bench report`: the run, the machine, the claims table with its
 * rules, the figures (or why each is missing), and a results table per workload. */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench/store/escape.h"
#include "bench/store/results.h"
#include "plot/claims.h"
#include "plot/fidelity.h"
#include "plot/names.h"
#include "bench/core/reps.h"
#include "bench/stats/fmt.h"
#include "bench/stats/stats.h"

/* Harness metrics of every repetition (bench/results.c): the common columns, not repeated
 * among a workload's own metrics. */
static const char *const harness_metrics[] = { "wall_s", "spawn_s", "join_s", "cpu_user_s", "cpu_sys_s",
	                                       "util_cores", "ops", "ops_per_s", "ctx_voluntary",
	                                       "ctx_involuntary", "fairness", "mem_delta_kb", M_MEM_PER_WORKER,
	                                       /* interference (schema 2) */
	                                       "steal_s", "other_load_cores", "other_load_pu_cores", "migrations",
	                                       "run_delay_s", "helper_cpu_s", NULL };

static int is_harness(const char *m)
{
	for (const char *const *h = harness_metrics; *h; h++)
		if (!strcmp(*h, m))
			return 1;
	return 0;
}

/* A driver's own metrics (gil_switches_per_s: the driver table's metric_prefix): a table of
 * their own. */
static int is_driver_metric(const char *m)
{
	for (unsigned i = 0; i < driver_count; i++) {
		const char *p = driver_table[i]->metric_prefix;
		if (p && *p && !strncmp(m, p, strlen(p)))
			return 1;
	}
	return 0;
}

/* Text from the results file, in Markdown (escape.h): a table cell, a heading, prose. */
static void md(FILE *f, const char *s)
{
	esc_fputs(f, ESC_MD, s);
}

static void num(FILE *f, double v)
{
	static const char sfx[] = "kMGTP";
	if (!isfinite(v)) {
		fputs("-", f);
		return;
	}
	if (fabs(v) >= 1e4) { /* 12.3k, 1.98M */
		int k = -1;
		while (fabs(v) >= 1e3 && k < 4) {
			v /= 1e3;
			k++;
		}
		fprintf(f, "%.3g%c", v, sfx[k]);
	} else if (fabs(v) < 1e3) { /* 0.728, 12.5, 0.000123: three digits */
		fprintf(f, "%.3g", v);
	} else {
		fprintf(f, "%.4g", v); /* 1234 */
	}
}

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');
	return s ? s + 1 : p;
}

static void machine_section(FILE *o, const struct results_file *f)
{
	static const struct { const char *label, *key; } rows[] = {
		{ "host", "host" }, { "CPU", "cpu.brand" }, { "codename", "cpu.codename" }, { "vendor", "cpu.vendor" },
		{ "packages", "topology.packages" }, { "cores", "topology.cores" }, { "hardware threads (PUs)", "topology.pus" },
		{ "online CPUs", "online_cpus" }, { "NUMA nodes", "topology.numa_nodes" }, { "SMT", "smt" },
		{ "L1d / L2 / L3 per cache (KiB)", NULL }, { "frequency governor", "governor" },
		{ "cgroup CPU limit", "cgroup.cpu_max" }, { "hypervisor", "hypervisor.vendor" }, { "kernel", "kernel" },
		{ "compiler", "build.compiler" }, { "build", "build.build_type" }, { "sanitizer", "build.sanitizer" },
		{ "bench", "build.version" }, { "git", "build.git" },
	};
	fprintf(o, "## Machine\n\n| | |\n|---|---|\n");
	for (unsigned i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		if (!rows[i].key) {
			const char *a = results_file_machine(f, "cpu.cache_kb.l1d"), *b = results_file_machine(f, "cpu.cache_kb.l2"),
			           *c = results_file_machine(f, "cpu.cache_kb.l3");
			if (a && b && c) {
				fprintf(o, "| %s | ", rows[i].label);
				md(o, a);
				fputs(" / ", o);
				md(o, b);
				fputs(" / ", o);
				md(o, c);
				fputs(" |\n", o);
			}
			continue;
		}
		const char *v = results_file_machine(f, rows[i].key);
		if (!v)
			continue;
		if (!strcmp(rows[i].key, "smt"))
			v = !strcmp(v, "1") ? "on" : !strcmp(v, "0") ? "off" : "unknown";
		if (!strcmp(rows[i].key, "hypervisor.vendor") && !*v)
			v = "none";
		fprintf(o, "| %s | ", rows[i].label);
		md(o, v);
		fprintf(o, " |\n");
	}
	fprintf(o, "\n<details><summary>Every machine field in the results file</summary>\n\n| field | value |\n|---|---|\n");
	for (unsigned i = 0; i < f->nmachine; i++) {
		fputs("| ", o);
		md(o, f->machine[i].key);
		fputs(" | ", o);
		md(o, f->machine[i].value);
		fprintf(o, " |\n");
	}
	fprintf(o, "\n</details>\n\n");
}

/* One claim's evidence, collapsed under the table: the claim, its full verdict, each check on
 * a line, the cells, the rule (Markdown already: claims.h). */
static void claim_evidence(FILE *o, const struct claim_result *c)
{
	fprintf(o, "<details><summary>Claim %u evidence: %s</summary>\n\n", c->id, claims_verdict_name(c->verdict));
	fprintf(o, "- **Claim:** %s\n- **Verdict:** %s\n", c->claim, c->verdict_text);
	if (*c->measured) {
		fputs("- **Checks** (✓ passed, ✗ failed):\n", o);
		for (const char *l = c->measured; *l;) {
			size_t k = strcspn(l, "\n");
			fprintf(o, "  - %.*s\n", (int)k, l);
			l += k + (l[k] == '\n');
		}
	}
	fprintf(o, "- **Cells:** %s\n- **Rule:** %s\n", *c->cells ? c->cells : "none", c->rule);
	if (c->figure)
		fprintf(o, "- **Figure:** %s\n", c->figure);
	fputs("\n</details>\n\n", o);
}

static void claims_section(FILE *o, const struct claim_result *c)
{
	fprintf(o, "## The tutorials' claims\n\nEach verdict is computed from the cells of this file by the claim's "
	           "rule (in its evidence; thresholds: `plot/claims.c`). Verdicts: **holds**; **does not hold** (a "
	           "check failed); **holds only when** (in some setups, not others); **partly measured** (a part of "
	           "the claim has no cells here, so it is not confirmed); **not measured**; **unreliable** (a cell it "
	           "needs is unstable or was disturbed: no verdict). The last column is the figure that decides it "
	           "(✓ passed, ✗ failed); the evidence under the table has every check. `bench run --claims` "
	           "runs the cells every claim needs.\n\n"
	           "| # | claim | verdict | deciding figure |\n|---|---|---|---|\n");
	for (unsigned i = 0; i < CLAIMS_N; i++)
		fprintf(o, "| %u | %s | **%s** | %s%s%s |\n", c[i].id, c[i].brief, claims_verdict_name(c[i].verdict),
		        c[i].headline, *c[i].beside ? "; " : "", c[i].beside);
	fputs("\n", o);
	for (unsigned i = 0; i < CLAIMS_N; i++)
		claim_evidence(o, &c[i]);
}

static void figures_section(FILE *o, const struct plot_set *s, const struct plot_opts *po, const char *note)
{
	fprintf(o, "## Figures\n\n");
	if (note)
		fprintf(o, "> **The figures were not drawn:** %s. Their data files and gnuplot scripts are in this "
		           "directory; `gnuplot NAME.gp` draws one.\n\n", note);
	unsigned skipped = 0;
	for (unsigned i = 0; i < s->n; i++) {
		const struct plot_fig *f = &s->fig[i];
		if (!f->written) {
			skipped++;
			continue;
		}
		/* name: a file name (esc_filename); caption: our text and validated names */
		fputs("### ", o);
		md(o, f->title);
		fputs("\n\n", o);
		if (f->drawn) {
			fputs("![", o);
			md(o, f->title);
			fprintf(o, "](%s.%s)\n\n", f->name, plot_format_ext(po->format));
		}
		fprintf(o, "%s\n\nData: [%s.dat](%s.dat) · script: [%s.gp](%s.gp)\n\n", f->caption, f->name, f->name,
		        f->name, f->name);
	}
	if (skipped) {
		fprintf(o, "Not drawn, for lack of cells in this file:\n\n");
		for (unsigned i = 0; i < s->n; i++)
			if (!s->fig[i].written) {
				fprintf(o, "- **%s**: ", s->fig[i].name);
				md(o, s->fig[i].skipped);
				fputc('\n', o);
			}
		fprintf(o, "\n");
	}
}

/* At most this many columns in a table of report.md; the other metrics stay in the JSON. */
#define TABLE_COLS 8

/* How a metric is shown: the unit its name ends with (_s, _ns, _us, _ms, _per_s, _kb, _pct), the
 * name without it for the header, and its values in engineering notation with the unit
 * ("94.1 us"); a count or ratio without a unit is printed plainly. */
struct unit {
	const char *suffix, *unit;
	double scale;                 /* to the unit: 1e-9 for _ns */
	int eng;                      /* engineering notation with SI prefixes (fmt_eng) */
};
static const struct unit units[] = {
	{ "_per_s", "/s", 1, 1 }, { "_ns", "s", 1e-9, 1 }, { "_us", "s", 1e-6, 1 }, { "_ms", "s", 1e-3, 1 },
	{ "_s", "s", 1, 1 },       { "_kb", "KiB", 1, 0 },  { "_pct", "%", 1, 0 },   { "_cores", "cores", 1, 0 },
	{ "_fraction", "%", 100, 0 },
};

static const struct unit *unit_of(const char *m)
{
	size_t n = strlen(m);
	for (unsigned i = 0; i < sizeof units / sizeof units[0]; i++) {
		size_t k = strlen(units[i].suffix);
		if (n > k && !strcmp(m + n - k, units[i].suffix))
			return &units[i];
	}
	return NULL;
}

/* A table header for metric m: "handoff (s)", "ops (/s)", "rounds". */
static void metric_head(FILE *o, const char *m)
{
	const struct unit *u = unit_of(m);
	if (!strcmp(m, M_MEM_PER_WORKER)) /* the widest harness header, shortened */
		fputs(" mem/worker (KiB) |", o);
	else if (u)
		fprintf(o, " %.*s (%s) |", (int)(strlen(m) - strlen(u->suffix)), m, u->unit);
	else
		fprintf(o, " %s |", m);
}

/* The headers of metrics col[0..n), the end of the header row, the separator row: the fixed
 * columns' part (fixed_sep), then one right-aligned column per metric. */
static void metric_heads(FILE *o, const char *const *col, unsigned n, const char *fixed_sep)
{
	for (unsigned j = 0; j < n; j++)
		metric_head(o, col[j]);
	fprintf(o, "\n%s", fixed_sep);
	for (unsigned j = 0; j < n; j++)
		fputs("--:|", o);
	fputs("\n", o);
}

/* A value of metric m: "94.1 us", "1.74 M/s", "0.98", "-" when absent. */
static void metric_value(FILE *o, const char *m, double v)
{
	const struct unit *u = unit_of(m);
	char b[FMT_ENG_LEN];
	if (!isfinite(v))
		fputs("-", o);
	else if (u && u->eng) {
		fmt_eng(v * u->scale, u->unit, b, sizeof b);
		fputs(b, o);
	} else {
		num(o, u ? v * u->scale : v);
	}
}

/* The median of a metric in a cell: its summary's; for an unstable cell whose summary lacks it
 * (every repetition disturbed), over all its ok repetitions (the status column says unstable). */
static double cell_med(const struct results_file_cell *c, const char *m)
{
	double v = plot_med(c, m), x[256];
	if (isfinite(v) || strcmp(c->status, "unstable"))
		return v;
	int k = results_file_values_any(c, m, x, 256);
	return k > 0 ? stats_median(x, (unsigned)k) : NAN;
}

/* A cell in a row: "thread n=2 sync=mutex" (the driver, n, the knobs that vary, Markdown). */
static void cell_name(FILE *o, const struct results_file_cell *const *set, unsigned n, const struct results_file_cell *c)
{
	size_t len = 16 + (c->nknobs + 3) * (ESC_NAME_MAX + ESC_VALUE_MAX + 3);
	char *v = malloc(len), *dk = malloc(len);
	fprintf(o, "| %s n=%u", c->driver, c->workers);
	if (v && dk) {
		plot_varying(set, n, c, "driver,workers", v, len);
		plot_varying_driver(set, n, c, dk, len);
		fputs(*dk ? " " : "", o);
		md(o, dk);
		fputs(*v ? " " : "", o);
		md(o, v);
	}
	free(v);
	free(dk);
	fputs(" |", o);
}

/* The metrics of a workload's cells beyond the harness's: its own (col) and its drivers'
 * (dcol), in first-seen order, at most 64 each. */
struct wl_columns {
	const char *col[64], *dcol[64];
	unsigned ncol, ndcol;
};

static void wl_columns(const struct results_file_cell *const *c, unsigned n, struct wl_columns *w)
{
	w->ncol = w->ndcol = 0;
	for (unsigned i = 0; i < n; i++)
		for (unsigned k = 0; k < c[i]->nstats; k++) {
			const char *m = c[i]->stats[k].metric;
			int drv = is_driver_metric(m);
			const char **list = drv ? w->dcol : w->col;
			unsigned *cnt = drv ? &w->ndcol : &w->ncol, j = 0;
			if (is_harness(m))
				continue;
			while (j < *cnt && strcmp(list[j], m))
				j++;
			if (j == *cnt && *cnt < 64)
				list[(*cnt)++] = m;
		}
}

/* A table of metrics col[0..ncol) (at most TABLE_COLS - 1 of them), a row per cell that has
 * one of them; the metrics left out are named below it. */
static void metric_table(FILE *o, const struct results_file_cell *const *c, unsigned n, const char *const *col,
                         unsigned ncol)
{
	unsigned shown = ncol < TABLE_COLS - 1 ? ncol : TABLE_COLS - 1;
	fputs("| cell |", o);
	metric_heads(o, col, shown, "|---|");
	for (unsigned i = 0; i < n; i++) {
		int any = 0;
		for (unsigned j = 0; j < shown && !any; j++)
			any = isfinite(cell_med(c[i], col[j]));
		if (!any)
			continue;
		cell_name(o, c, n, c[i]);
		for (unsigned j = 0; j < shown; j++) {
			fputs(" ", o);
			metric_value(o, col[j], cell_med(c[i], col[j]));
			fputs(" |", o);
		}
		fputs("\n", o);
	}
	if (shown < ncol) {
		fputs("\nIn the results file, not shown here (`bench export`):", o);
		for (unsigned j = shown; j < ncol; j++)
			fprintf(o, "%s %s", j > shown ? "," : "", col[j]);
		fputs(".\n", o);
	}
	fputs("\n", o);
}

/* One row of a workload's main table: cell, status, primary metric and its cv, harness metrics. */
static void results_row(FILE *o, const struct results_file_cell *const *c, unsigned n, const struct results_file_cell *x,
                        const char *const *h, unsigned nh)
{
	cell_name(o, c, n, x);
	fprintf(o, " %s", strcmp(x->status, "unstable") ? x->status : "**unstable**");
	if (x->error && strcmp(x->status, "unstable")) {
		fprintf(o, ": ");
		md(o, x->error);
	}
	const struct results_stat *p = results_file_stat(x, x->primary);
	fputs(" | ", o);
	metric_value(o, x->primary, cell_med(x, x->primary));
	if (p && isfinite(p->cv))
		fprintf(o, " | %.1f%%", p->cv * 100);
	else
		fprintf(o, " | -");
	for (unsigned k = 0; k < nh; k++) {
		fputs(" | ", o);
		metric_value(o, h[k], cell_med(x, h[k]));
	}
	fprintf(o, " |\n");
}

/* A workload's section of "Results by workload": a table of the cells (status, primary metric,
 * the harness's main metrics), one of its own metrics, one of its drivers' metrics; each at
 * most TABLE_COLS columns. */
static void workload_section(FILE *o, const struct results_file *f, const char *wl)
{
	static const char *const all_h[] = { M_UTIL, M_WALL, M_SPAWN, M_MEM_PER_WORKER };
	const char *h[4];
	unsigned nh = 0;
	const struct results_file_cell *c[4096];
	unsigned n = plot_find(f, &(struct plot_sel){ .workload = wl, .any_status = 1 }, c, 4096);
	struct wl_columns w;
	plot_sort_cells(c, n);
	wl_columns(c, n, &w);
	const char *primary = n ? c[0]->primary : M_OPS_S;
	for (unsigned k = 0; k < 4; k++) /* the primary metric is not shown twice */
		if (strcmp(all_h[k], primary))
			h[nh++] = all_h[k];
	fprintf(o, "### %s\n\nMedians over the measured repetitions; `cv` is the coefficient of variation of the "
	           "primary metric (%s); an unstable cell shows the median of all its repetitions, disturbed "
	           "ones included.\n\n| cell | status |", wl, primary);
	metric_head(o, primary);
	fputs(" cv |", o);
	metric_heads(o, h, nh, "|---|---|--:|--:|");
	for (unsigned i = 0; i < n; i++)
		results_row(o, c, n, c[i], h, nh);
	fprintf(o, "\n");
	if (w.ncol) {
		fprintf(o, "Metrics of %s:\n\n", wl);
		metric_table(o, c, n, w.col, w.ncol);
	}
	if (w.ndcol) {
		fprintf(o, "Driver metrics of these cells:\n\n");
		metric_table(o, c, n, w.dcol, w.ndcol);
	}
}

/* A cell with disturbed repetitions, or unstable: one line of the list under "Other load". */
static void disturbed_line(FILE *o, const struct results_file *f, const struct results_file_cell *c)
{
	unsigned nok, nd;
	double load = plot_cell_other_load(c, 1, &nok, &nd);
	char lab[200];
	results_cell_label(lab, sizeof lab, c->workload, c->driver, c->workers); /* validated names */
	fprintf(o, "- `%s`", lab);
	const struct results_file_cell **same = calloc(f->ncells, sizeof *same);
	size_t len = 16 + (c->nknobs + 3) * (ESC_NAME_MAX + ESC_VALUE_MAX + 3);
	char *v = malloc(len);
	if (same && v) { /* the knobs that tell it from the other cells of its workload */
		unsigned n = plot_find(f, &(struct plot_sel){ .workload = c->workload, .any_status = 1 }, same, f->ncells);
		plot_varying(same, n, c, "driver,workers", v, len);
		fputs(*v ? " " : "", o);
		md(o, v);
	}
	free(same);
	free(v);
	fprintf(o, ": %s", strcmp(c->status, "unstable") ? "" : "**unstable**, ");
	fprintf(o, "%u of %u repetitions disturbed", nd, nok);
	if (isfinite(load))
		fprintf(o, " (other load %.2f cores)", load);
	if (nd)
		fprintf(o, ", %s", plot_keeps_disturbed(c) ? "kept" : "left out");
	fputs("\n", o);
}

/* Whether c is unstable or had disturbed repetitions. */
static int cell_disturbed(const struct results_file_cell *c)
{
	unsigned nd;
	plot_cell_other_load(c, 1, NULL, &nd);
	return nd || !strcmp(c->status, "unstable");
}

/* How busy the rest of the machine was: other_load over the cells, its median and maximum;
 * then every cell that is unstable or had disturbed repetitions. */
static void load_section(FILE *o, const struct results_file *f)
{
	double load[4096], max = 0;
	unsigned nl = 0;
	for (unsigned i = 0; i < f->ncells && nl < 4096; i++) {
		double l = plot_cell_other_load(&f->cells[i], 0, NULL, NULL);
		if (isfinite(l)) {
			load[nl++] = l;
			max = l > max ? l : max;
		}
	}
	if (nl) {
		double med = stats_median(load, nl);
		fprintf(o, "Other load: besides the workers, the machine's CPUs were busy %.2f cores in the median cell "
		           "(the most: %.2f), of %d.%s\n\n",
		        med, max, f->cpus,
		        med > 0.25 ? " **The machine was not quiet: CPU utilization and timings are lower and noisier "
		                     "than on an idle machine; re-run on a quiet machine before trusting the verdicts.**"
		                   : "");
	}
	unsigned nbad = 0, nunstable = 0;
	for (unsigned i = 0; i < f->ncells; i++) {
		nbad += cell_disturbed(&f->cells[i]);
		nunstable += !strcmp(f->cells[i].status, "unstable");
	}
	if (!nbad)
		return;
	fprintf(o, "**Disturbed cells: %u, %u of them unstable** (other load, steal, run delay or a stall during "
	           "repetitions; an unstable cell had too many, and its figures are not trustworthy; a claim that "
	           "needs one is *unreliable*).\n\n<details><summary>The disturbed cells</summary>\n\n",
	        nbad, nunstable);
	for (unsigned i = 0; i < f->ncells; i++)
		if (cell_disturbed(&f->cells[i]))
			disturbed_line(o, f, &f->cells[i]);
	fputs("\n</details>\n\n", o);
}

/* The title and the run: file, when and by what it was made, the command. Untrusted text is
 * never put in a code span: esc_md cannot escape inside one. */
static void header_section(FILE *o, const struct results_file *f, const struct plot_opts *po)
{
	unsigned ok = 0, unstable = 0, failed = 0, skipped = 0;
	for (unsigned i = 0; i < f->ncells; i++) {
		ok += !strcmp(f->cells[i].status, "ok");
		unstable += !strcmp(f->cells[i].status, "unstable");
		failed += !strcmp(f->cells[i].status, "failed");
		skipped += !strcmp(f->cells[i].status, "skipped");
	}
	char target[PATH_MAX] = "", shown[PATH_MAX + 64];
	ssize_t tl = readlink(f->path, target, sizeof target - 1); /* results/latest.json -> the run */
	if (tl > 0) {
		target[tl] = 0;
		snprintf(shown, sizeof shown, "%s (-> %s)", f->path, target);
	} else {
		snprintf(shown, sizeof shown, "%s", f->path);
	}
	fputs("# bench report: ", o);
	md(o, base_name(tl > 0 ? target : f->path));
	fputs("\n\nResults file ", o);
	md(o, shown);
	fputs(", made ", o);
	md(o, f->created_utc ? f->created_utc : "?");
	fputs(" by bench ", o);
	md(o, f->tool_version ? f->tool_version : "?");
	fputs(" (git ", o);
	md(o, f->tool_git ? f->tool_git : "?");
	fprintf(o, ")%s: %u cells, %u ok, ", f->interrupted ? ", **interrupted**" : "", f->ncells, ok);
	if (unstable)
		fprintf(o, "**%u unstable**, ", unstable);
	fprintf(o, "%u failed, %u skipped.\n\nCommand: bench ", failed, skipped);
	md(o, f->argv);
	if (f->reps_auto) /* reps "auto": each cell says how many (reps_stop) */
		fprintf(o, " (measured repetitions: auto, at least %d per cell, after %u warm-up", REPS_AUTO_MIN, f->warmup);
	else
		fprintf(o, " (%u measured repetitions after %u warm-up", f->reps, f->warmup);
	fprintf(o, ", %g s each for duration-bound workloads).\nThis report: bench report ", f->duration_s);
	md(o, f->path);
	fputs(" -o ", o);
	md(o, po->dir);
	fputs(".\n\n", o);
}

int report_write(const struct results_file *f, const struct plot_set *figs, const struct plot_opts *po,
                 const char *render_note, char *path_out, size_t path_len, char *err, size_t errlen)
{
	char path[PATH_MAX], tmp[PATH_MAX + 16];
	struct claim_result claims[CLAIMS_N];
	snprintf(path, sizeof path, "%s/report.md", po->dir);
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	FILE *o = fopen(tmp, "w");
	if (!o) {
		int e = errno;
		snprintf(err, errlen, "cannot write %s: %s", tmp, strerror(e));
		return -e;
	}
	claims_evaluate(f, claims);
	header_section(o, f, po);
	load_section(o, f);
	machine_section(o, f);
	claims_section(o, claims);
	claims_free(claims);
	fidelity_section(o, f);
	figures_section(o, figs, po, render_note);
	fprintf(o, "## Results by workload\n\n");
	const char *wl[PLOT_MAX_WORKLOADS];
	for (unsigned i = 0, n = plot_workloads(f, wl, PLOT_MAX_WORKLOADS); i < n; i++)
		workload_section(o, f, wl[i]);
	int bad = ferror(o);
	if (fclose(o) || bad || rename(tmp, path)) {
		int e = errno ? errno : EIO;
		unlink(tmp);
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(e));
		return -e;
	}
	snprintf(path_out, path_len, "%s", path);
	return 0;
}
