/* bench run: runs the cells of its plan (run_plan.h: the command line, or a --baseline file)
 * each in its own cell process, prints a table and writes the results file (written
 * atomically at the start and after every cell, so partial results survive anything short
 * of a power cut). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bench/cli/cmd.h"
#include "bench/cli/run_table.h"
#include "bench/store/escape.h"
#include "bench/store/history.h"
#include "bench/stats/compare.h"
#include "bench/stats/compare_print.h"
#include "drivers/driver.h"
#include "bench/core/log.h"
#include "bench/machine/machine.h"
#include "bench/store/results.h"
#include "bench/store/run_baseline.h"
#include "bench/cli/run_plan.h"
#include "bench/core/reps.h"
#include "bench/core/runner.h"
#include "workloads/workload.h"

static void run_usage(void)
{
	printf("usage: bench run [--all | --claims] [-w W[,W...]] [-d D[,D...]] [-n N[,N...]] [--pin P]\n"
	       "                 [--reps R|auto] [--cell-budget SEC] [--keep-disturbed]\n"
	       "                 [--warmup K] [--duration SEC] [--timeout SEC]\n"
	       "                 [-O knob=value[,value...]]... [-o FILE] [--quiet] [--dry-run [--json]]\n"
	       "       bench run --baseline BASE.json [--confirm] [-O knob=value]... [--reps R] ...\n"
	       "                 [compare options: --threshold PCT --alpha A --fail-on F ...]\n\n"
	       "Runs every cell = workload x driver x workers x knob values, each in its own cell\n"
	       "process: K warm-up repetitions (discarded) then R measured ones. An entry or value\n"
	       "given twice is one cell; a plan has at most %u cells.\n\n"
	       "The table, a row per cell as it ends, numbers in engineering notation with their units\n"
	       "(874k spin units/s, 94.1 us): the median of its primary metric (\"(lower)\": lower is\n"
	       "better); its spread: +-P%% is half the summary's 95%% CI (ci95) as a share of the\n"
	       "median, min..max for two repetitions, - for one; util (cores busy); wall (a\n"
	       "repetition's wall time, median); and fair (Jain's index of the workers' ops) where\n"
	       "every worker does the same job. A '*' after the status marks a cell with disturbed\n"
	       "repetitions or an unstable one; a footnote below the table says why. Every value is\n"
	       "in the results file (bench export --format csv for a spreadsheet).\n\n"
	       "  --all              every workload under every available driver but py-* and mpi, which\n"
	       "                     start a program per repetition (-w/-d narrow it; -d names them)\n"
	       "  --claims           the cells every claim of bench report needs, and its figures: each\n"
	       "                     claim measured (pingpong also on one PU, --pin pus:0,0, where a\n"
	       "                     hand-off is a switch); --reps auto. Alone: not with -w -d -n -O --pin\n"
	       "  -w, --workload     workloads, comma-separated (bench list)\n"
	       "  -d, --driver       drivers, comma-separated (default: every available one but the\n"
	       "                     python drivers py-*, which start a real interpreter per\n"
	       "                     repetition: name them, e.g. -d gil,py-thread)\n"
	       "  -n, --workers      worker counts, comma-separated (default: 1 and the PU count)\n"
	       "  --pin P            none | compact | spread | pus:0,1,... (default spread)\n"
	       "  --reps R|auto      measured repetitions per cell (default %d; with --all: auto).\n"
	       "                     auto: at least %d, then more until the 95%% CI of the median of\n"
	       "                     the primary metric is within +-%g%% (+-3%% for the hand-off\n"
	       "                     workloads) or the cell's time budget is spent; the results say\n"
	       "                     why it stopped (reps_stop)\n"
	       "  --cell-budget SEC  with --reps auto: each cell's time budget (default: the cells\n"
	       "                     left share what is left of %g s, at most %g s each)\n"
	       "  --keep-disturbed   count disturbed repetitions in the summary and do not run them\n"
	       "                     again. A repetition is disturbed when steal, other load on the\n"
	       "                     workers' PUs, the workers' run delay or a stall of the cell\n"
	       "                     passed a threshold (bench/core/interference.h); by default it\n"
	       "                     stays in the file, is left out of the summary and run again (at\n"
	       "                     most as many times as the repetitions asked for); a cell left\n"
	       "                     with too few is \"unstable\". BENCH_KEEP_DISTURBED=1 in the\n"
	       "                     environment does the same (the test suite sets it)\n"
	       "  --warmup K         discarded repetitions before them (default %d)\n"
	       "  --duration SEC     length of one repetition of a duration-bound workload (default %g)\n"
	       "  --timeout SEC      watchdog: a repetition that takes longer than duration + SEC\n"
	       "                     fails its cell and is killed (default %g)\n"
	       "  -O knob=v[,v...]   set a workload/driver knob; several values make one cell each\n"
	       "  -o, --output FILE  results file, replaced atomically: a regular file (keeps its\n"
	       "                     mode) or a new one; a symlink is written through. Default: a\n"
	       "                     new results/<host>-<UTC time, ms>Z.json, and the symlink\n"
	       "                     results/latest.json then points to it\n"
	       "  -q, --quiet        no table and no progress; print only the results path\n"
	       "  --no-store         do not record the run in the history (default: every run is\n"
	       "                     added to %s, see bench history); --store DB: there\n"
	       "  --baseline FILE    run the cells of the results file FILE (its workloads, drivers,\n"
	       "                     workers, pin and knobs; its reps, warmup and duration unless\n"
	       "                     given), then compare with it as bench compare FILE OUT does\n"
	       "                     (compare options: --metric --threshold --alpha --confidence\n"
	       "                     --ci-method --ignore-knob --fail-on, see bench compare --help).\n"
	       "                     -O knob=value overrides a knob in every cell (left out of the\n"
	       "                     matching); the exit status is that of the comparison\n"
	       "  --confirm          with --baseline: run the flagged cells once more (into\n"
	       "                     OUT.confirm.json) and fail only if they are flagged again\n"
	       "  --dry-run          print the plan, run nothing and write no file: every cell as the\n"
	       "                     table labels it, in the run's order (with --all, sweeps and\n"
	       "                     --baseline alike), its repetitions and estimated time, and the\n"
	       "                     total. A repetition costs --duration + %g ms (%g ms under a\n"
	       "                     py-* driver, %g ms under mpi), a cell %g ms more; the most: every disturbed\n"
	       "                     repetition run again, or --reps auto's budget spent\n"
	       "  --json             with --dry-run: the plan as one JSON object (settings, overhead_s,\n"
	       "                     cells with label, identity, reps and estimate_s, the total)\n\n"
	       "Exit status: 0 all cells ok, unstable or skipped, 1 a cell failed (or stdout failed), 2 usage\n"
	       "error, 128+S stopped by signal S: SIGINT 130, SIGTERM 143, SIGHUP 129, SIGQUIT 131\n"
	       "(partial results are written). A reader of stdout that goes away stops the table,\n"
	       "not the run. With --baseline: the exit status of bench compare (0 nothing flagged, 1 a\n"
	       "significant regression, 3 unstable, 4 too few reps; see bench compare --help).\n",
	       RUN_PLAN_MAX_CELLS, RUN_DEFAULT_REPS, REPS_AUTO_MIN, REPS_AUTO_TARGET * 100, RUN_DEFAULT_RUN_BUDGET,
	       RUNNER_CELL_BUDGET_MAX, RUN_DEFAULT_WARMUP, RUN_DEFAULT_DURATION, RUN_DEFAULT_TIMEOUT, HISTORY_DEFAULT_DB,
	       RUN_PLAN_REP_OVERHEAD_S * 1e3, RUN_PLAN_FOREIGN_REP_OVERHEAD_S * 1e3, RUN_PLAN_EXEC_REP_OVERHEAD_S * 1e3,
	       RUN_PLAN_CELL_OVERHEAD_S * 1e3);
}

static const char *run_store; /* the history database this run is recorded in (NULL: --no-store) */

/* One batch of cells run into one results file: the cells of the command line, of a
 * --baseline file, or the flagged ones --confirm runs again. */
struct run_batch {
	struct run_plan *plan;             /* cfg (reps, warmup, duration, timeout, pin), quiet, -O */
	const struct results_config *rc;   /* the run as its results file describes it */
	const struct machine *m;
	struct cell_spec *cells;
	unsigned n;
	struct topo_policy *pins;          /* a pin policy per cell (--baseline), or NULL: plan->cfg.pin */
	char (*labels)[200];               /* a label per cell (--baseline), or NULL: made from the cell */
	const char *path;                  /* the results file */
};

/* What the table shows of a cell: its --baseline label, or workload/driver/n=; then the knobs
 * set with -O. */
static void cell_label(const struct cell_spec *c, const struct run_batch *b, char *buf, size_t len)
{
	size_t off = b->labels ? (size_t)snprintf(buf, len, "%s", b->labels[c->index])
	                       : results_cell_label(buf, len, c->wl->name, c->drv->name, c->workers);
	for (unsigned a = 0; a < b->plan->nassign && off < len; a++) {
		const struct knobval *v = opt_get(&c->knobs, b->plan->assign[a].name);
		if (v)
			off += (size_t)snprintf(buf + off, len - off, " %s=%s", v->k->name, v->text);
	}
}

/* results/<host>-<UTC time to the millisecond>Z.json (-2, -3, ... if taken), created here
 * with O_EXCL so that two runs started at the same time never share a file. 0, or -errno
 * after one line. */
static int default_output(const struct machine *m, char *buf, size_t len)
{
	char ts[32];
	struct timespec now;
	struct tm tm;
	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	strftime(ts, sizeof ts, "%Y%m%dT%H%M%S", &tm);
	if (mkdir("results", 0755) && errno != EEXIST) {
		int e = errno;
		log_err("run", "cannot create the directory results: %s", strerror(e));
		return -e;
	}
	int ms = (int)(now.tv_nsec / 1000000);
	char host[64]; /* the host name is the machine's to choose: a file-name component */
	esc_filename(host, sizeof host, m->host);
	for (unsigned k = 1; k <= 100; k++) {
		if (k == 1)
			snprintf(buf, len, "results/%s-%s.%03dZ.json", host, ts, ms);
		else
			snprintf(buf, len, "results/%s-%s.%03dZ-%u.json", host, ts, ms, k);
		int fd = open(buf, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
		if (fd >= 0) {
			close(fd);
			return 0;
		}
		if (errno != EEXIST) {
			int e = errno;
			log_err("run", "cannot create %s: %s", buf, strerror(e));
			return -e;
		}
	}
	log_err("run", "cannot find a free name for the results file (%s exists)", buf);
	return -EEXIST;
}

/* results/latest.json -> the file this run wrote (a relative symlink, replaced atomically), so
 * that the next command can name the run just made: bench report results/latest.json. */
static void link_latest(const char *path)
{
	char dir[4096], tmp[4200], link[4200];
	const char *slash = strrchr(path, '/');
	if (!slash)
		return;
	snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
	snprintf(link, sizeof link, "%s/latest.json", dir);
	snprintf(tmp, sizeof tmp, "%s/.latest.json.tmp-%d", dir, (int)getpid());
	unlink(tmp);
	if (symlink(slash + 1, tmp) || rename(tmp, link)) {
		log_warn("run", "cannot point %s at %s: %s", link, slash + 1, strerror(errno));
		unlink(tmp);
	}
}

/* The table's row of a finished cell, on stdout (a reader that went away stops the table, not
 * the run). */
static void print_row(struct run_table *t, const struct cell_spec *cs, const struct run_batch *batch,
                      const struct cell_brief *b)
{
	char label[200];
	struct run_table_row row;
	cell_label(cs, batch, label, sizeof label);
	run_table_row_from_brief(&row, b, cs->wl, label);
	run_table_print(t, &row);
	cmd_stdout_flush();
}

/* The table's header, its label column as wide as the batch's widest label. */
static void table_begin(struct run_table *t, const struct run_batch *b)
{
	char label[200];
	size_t w = 0;
	for (unsigned i = 0; i < b->n; i++) {
		struct cell_spec cs = b->cells[i];
		cs.index = i;
		cell_label(&cs, b, label, sizeof label);
		if (run_table_label_width(label) > w)
			w = run_table_label_width(label);
	}
	run_table_begin(t, stdout, w);
}

/* A new cell of doc for cells[i], with the placement of its workers. NULL after one line. */
static struct results_cell *cell_begin(struct results_doc *doc, const struct cell_spec *cs,
                                       const struct topo_policy *pin, const char *pin_text)
{
	int *pus = calloc(cs->workers, sizeof *pus);
	struct results_cell *cell = NULL;
	if (pus && !topo_place(pin, cs->workers, pus)) {
		struct cell_desc desc = { .workload = cs->wl->name, .driver = cs->drv->name, .workers = cs->workers,
			                  .pin = pin_text, .placement = pus, .knobs = &cs->knobs,
			                  .primary_metric = cs->wl->primary_metric,
			                  .higher_is_better = cs->wl->higher_is_better };
		cell = results_cell_new(doc, &desc);
	}
	if (!cell)
		log_err("run", "out of memory");
	free(pus);
	return cell;
}

/* Cell i of the batch into doc, and its row of the table; *failed set if it failed, *sig if
 * a signal stopped the run (doc then says so). 0, or -ENOMEM after one line: the cell could
 * not start. */
static int run_one(const struct run_batch *b, struct run_table *t, struct results_doc *doc, unsigned i, int *failed,
                   int *sig)
{
	struct cell_spec *cs = &b->cells[i];
	struct runner_config ccfg = b->plan->cfg;
	if (b->pins)
		ccfg.pin = b->pins[i];
	cs->index = i;
	cs->total = b->n;
	struct results_cell *cell = cell_begin(doc, cs, &ccfg.pin, b->pins ? b->pins[i].text : b->rc->pin);
	if (!cell) {
		*failed = 1;
		return -ENOMEM;
	}
	int r = runner_run_cell(&ccfg, cs, cell);
	struct cell_brief brief;
	results_cell_brief(cell, &brief);
	*failed |= !strcmp(brief.status, "failed");
	if (!b->plan->quiet)
		print_row(t, cs, b, &brief);
	if (r == -EINTR) {
		*sig = runner_signal;
		results_doc_set_interrupted(doc, *sig);
	}
	return 0;
}

/* Run the batch into a new results document written (atomically, at the start and after
 * every cell) to b->path. Returns the exit code: EXIT_OK, EXIT_FAIL (a cell failed, or the
 * file could not be written), or EXIT_SIGNAL of the signal that stopped the run (*sig). */
static int run_cells(const struct run_batch *b, int *sig)
{
	char err[300];
	int failed = 0;
	struct results_doc *doc = results_doc_new(b->m, b->rc);
	if (!doc) {
		log_err("run", "cannot create the results document");
		return EXIT_FAIL;
	}
	b->plan->cfg.progress = !b->plan->quiet && isatty(2);
	runner_init();
	runner_install_signals();
	struct run_table table = { 0 };
	if (!b->plan->quiet)
		table_begin(&table, b);
	cmd_stdout_flush();
	*sig = 0;
	int werr = results_doc_write(doc, b->path, err, sizeof err); /* valid (no cells yet) from the start */
	for (unsigned i = 0; i < b->n && !werr && !*sig; i++) {
		if (run_one(b, &table, doc, i, &failed, sig))
			break;
		werr = results_doc_write(doc, b->path, err, sizeof err);
	}
	if (!b->plan->quiet)
		run_table_end(&table);
	results_doc_free(doc);
	if (werr) {
		log_err("run", "%s", err);
		return EXIT_FAIL;
	}
	printf("results: %s\n", b->path);
	cmd_stdout_flush();
	if (*sig)
		return EXIT_SIGNAL(*sig);
	return failed ? EXIT_FAIL : EXIT_OK;
}

/* --dry-run: the batch's cells labelled as the run's table labels them, with their estimated
 * time (run_plan_print); nothing is run or written. EXIT_OK, or EXIT_FAIL when out of memory. */
static int dry_run(const struct run_batch *b)
{
	char (*text)[200] = calloc(b->n + 1, sizeof *text);
	const char **labels = calloc(b->n + 1, sizeof *labels), **pins = calloc(b->n + 1, sizeof *pins);
	int rc = text && labels && pins ? EXIT_OK : EXIT_FAIL;
	for (unsigned i = 0; !rc && i < b->n; i++) {
		struct cell_spec cs = b->cells[i];
		cs.index = i;
		cell_label(&cs, b, text[i], sizeof text[i]);
		labels[i] = text[i];
		pins[i] = b->pins ? b->pins[i].text : b->plan->pin;
	}
	if (rc)
		log_err("run", "out of memory");
	else
		run_plan_print(stdout, b->plan, b->cells, labels, pins, b->n);
	free(text);
	free(labels);
	free(pins);
	return rc;
}

/* Load a results file just written and compare it with the baseline; prints the report.
 * Returns the comparison's exit code (0/1), or EXIT_USAGE; *res keeps the result. */
static int compare_with(const struct results_file *base, const char *path, const struct compare_opts *o,
                        struct results_file **newf, struct compare_result *res)
{
	char err[600];
	if (results_file_load(path, newf, err, sizeof err)) {
		log_err("run", "%s", err);
		return EXIT_USAGE;
	}
	if (compare_files(base, *newf, o, res, err, sizeof err)) {
		log_err("run", "%s", err);
		results_file_free(*newf);
		*newf = NULL;
		return EXIT_USAGE;
	}
	printf("\n");
	compare_print(stdout, res, COMPARE_TEXT);
	cmd_stdout_flush();
	return compare_exit_code(res);
}

/* The cells of the batch first flagged by the first comparison r1 (its new cell i is the
 * batch's cell i), with their pins and labels. 0, or -ENOMEM after one line. */
static int flagged_cells(const struct run_batch *first, const struct compare_result *r1,
                         struct baseline_cells *again)
{
	memset(again, 0, sizeof *again);
	if (run_baseline_alloc(again, r1->nrows))
		return -ENOMEM;
	for (unsigned i = 0; i < r1->nrows; i++)
		if (compare_row_flagged(r1, &r1->rows[i])) {
			unsigned c = r1->rows[i].new_cell, k = again->n++;
			again->cells[k] = first->cells[c];
			again->pins[k] = first->pins[c];
			memcpy(again->labels[k], first->labels[c], sizeof again->labels[k]);
		}
	return 0;
}

/* Each cell flagged by the first comparison r1, and whether the re-run's comparison r2
 * flagged it again; returns how many it did. */
static unsigned confirmed_cells(const struct compare_result *r1, const struct compare_result *r2)
{
	unsigned confirmed = 0;
	for (unsigned i = 0; i < r1->nrows; i++) {
		const struct compare_row *a = &r1->rows[i], *z = NULL;
		if (!compare_row_flagged(r1, a))
			continue;
		for (unsigned j = 0; j < r2->nrows; j++)
			if (r2->rows[j].base_cell == a->base_cell)
				z = &r2->rows[j];
		int again_flagged = z && compare_row_flagged(r2, z);
		confirmed += again_flagged;
		printf("%s: %s (first run %+.1f%%, p=%.2g; re-run %+.1f%%, p=%.2g)\n",
		       again_flagged ? "confirmed" : "not confirmed, a false alarm", a->label, a->change_pct, a->mw.p,
		       z ? z->change_pct : NAN, z ? z->mw.p : NAN);
	}
	cmd_stdout_flush();
	return confirmed;
}

/* --confirm: run the cells flagged by the first comparison r1 (of the batch first, from the
 * baseline base) again into cpath, and decide on the cells flagged both times. Returns the
 * verdict (0/1), or the exit code of a failure. */
static int confirm_flagged(const struct run_batch *first, const struct results_file *base,
                           const struct compare_result *r1, const char *cpath)
{
	struct results_file *cf = NULL;
	struct compare_result r2;
	struct baseline_cells flagged;
	if (flagged_cells(first, r1, &flagged)) {
		run_baseline_free(&flagged);
		return EXIT_FAIL;
	}
	struct run_batch again = *first;
	again.cells = flagged.cells;
	again.n = flagged.n;
	again.pins = flagged.pins;
	again.labels = flagged.labels;
	again.path = cpath;
	printf("\nconfirming: running the %u flagged cell%s again\n", again.n, again.n == 1 ? "" : "s");
	struct compare_opts o2 = first->plan->copts;
	o2.hide_only_base = 1;
	int sig, ret = run_cells(&again, &sig);
	int verdict = sig ? ret : compare_with(base, cpath, &o2, &cf, &r2);
	if (!sig && verdict != EXIT_USAGE) {
		verdict = confirmed_cells(r1, &r2) ? 1 : 0;
		compare_result_free(&r2);
	}
	results_file_free(cf);
	run_baseline_free(&flagged);
	return verdict;
}

/* The output path: -o FILE, or a new default file. 0, or -errno after one line. */
static int output_path(const struct run_plan *p, const struct machine *m, char *path, size_t len)
{
	char err[300];
	int rc = 0;
	if (p->output)
		snprintf(path, len, "%s", p->output);
	else
		rc = default_output(m, path, len);
	if (!rc && (rc = results_check_writable(path, err, sizeof err)))
		log_err("run", "%s", err);
	return rc;
}

/* The baseline's settings, unless given on the command line. */
static void baseline_settings(const struct baseline_cells *b, struct run_plan *p)
{
	/* A setting of the file outside the command line's range is left at the default. */
	for (int i = 0; i < RUN_NSETTINGS; i++)
		if (!p->set[i])
			run_plan_set(p, (enum run_setting)i, b->settings[i]);
}

/* What the results file says of the run: its command line and the plan's settings. */
static struct results_config run_config(int argc, char **argv, const struct run_plan *p, const char *pin)
{
	return (struct results_config){ .argc = argc, .argv = argv, .duration_s = p->cfg.duration_s,
		                        .timeout_s = p->cfg.timeout_s, .reps = p->cfg.reps, .warmup = p->cfg.warmup,
		                        .reps_auto = p->cfg.reps_auto, .keep_disturbed = p->cfg.keep_disturbed,
		                        .pin = pin };
}

/* The baseline's cells, checked like a plan, with the -O knobs left out of the matching and
 * the baseline's settings where the command line gives none; the machine; the output path.
 * 0, or EXIT_USAGE after one line (b freed). */
static int baseline_plan(struct run_plan *p, struct machine *m, struct baseline_cells *b, char *path, size_t len)
{
	char source[4200];
	if (p->all || p->nwl || p->ndrv || p->nworkers || p->pin_set) {
		log_err("run", "--baseline runs the baseline's cells: it cannot be combined with --all, -w, -d, -n or --pin");
		return EXIT_USAGE;
	}
	/* the plan holds only the -O overrides */
	if (run_baseline_load(p->baseline, p->assign, p->nassign, b))
		return EXIT_USAGE;
	snprintf(source, sizeof source, "--baseline %s", p->baseline);
	machine_describe(m);
	if (run_plan_check(b->cells, b->n, source) || (!p->dry_run && output_path(p, m, path, len))) {
		run_baseline_free(b);
		return EXIT_USAGE;
	}
	for (unsigned a = 0; a < p->nassign && p->copts.nignore < COMPARE_IGNORE_MAX; a++)
		p->copts.ignore[p->copts.nignore++] = p->assign[a].name;
	baseline_settings(b, p);
	return 0;
}

/* bench run --baseline FILE [--confirm]: run the baseline's cells, compare, and with
 * --confirm run the flagged cells again and fail only on the ones flagged twice. */
static int run_with_baseline(int argc, char **argv, struct run_plan *p)
{
	struct baseline_cells b;
	struct machine m;
	char path[4096] = "", cpath[4200];
	if (baseline_plan(p, &m, &b, path, sizeof path))
		return EXIT_USAGE;
	size_t plen = strlen(path);
	snprintf(cpath, sizeof cpath, "%.*s.confirm.json",
	         (int)(plen > 5 && !strcmp(path + plen - 5, ".json") ? plen - 5 : plen), path);
	struct results_config rc = run_config(argc, argv, p, b.pins[0].text);
	struct run_batch batch = { .plan = p, .rc = &rc, .m = &m, .cells = b.cells, .n = b.n, .pins = b.pins,
		                   .labels = b.labels, .path = path };
	if (p->dry_run) {
		int dr = dry_run(&batch);
		run_baseline_free(&b);
		return dr;
	}
	int sig, ret = run_cells(&batch, &sig);
	if (sig) {
		run_baseline_free(&b);
		return ret;
	}
	struct results_file *nf = NULL;
	struct compare_result r1;
	int verdict = compare_with(b.file, path, &p->copts, &nf, &r1);
	if (verdict == 1 && p->confirm)
		verdict = confirm_flagged(&batch, b.file, &r1, cpath);
	if (nf) {
		compare_result_free(&r1);
		results_file_free(nf);
	}
	run_baseline_free(&b);
	return verdict;
}

/* bench run without --baseline: the plan's cells. */
static int run_plan_cells(int argc, char **argv, struct run_plan *p)
{
	char err[300], path[4096];
	for (unsigned i = 0; i < workload_count; i++)
		if (workload_check(workload_table[i], err, sizeof err)) {
			log_err("run", "%s", err);
			return EXIT_FAIL;
		}
	for (unsigned i = 0; i < driver_count; i++)
		if (driver_check(driver_table[i], err, sizeof err)) {
			log_err("run", "%s", err);
			return EXIT_FAIL;
		}
	struct run_cells cells;
	if (run_plan_expand(p, &cells))
		return EXIT_USAGE;
	if (p->dry_run) { /* the pins and labels of --claims' cells too: the plan is the run's */
		struct run_batch plan = { .plan = p, .cells = cells.v, .n = cells.n, .pins = cells.pins, .labels = cells.labels };
		int dr = dry_run(&plan);
		run_cells_free(&cells);
		return dr;
	}
	struct machine m;
	machine_describe(&m);
	if (output_path(p, &m, path, sizeof path)) {
		run_cells_free(&cells);
		return EXIT_USAGE;
	}
	struct results_config rc = run_config(argc, argv, p, p->pin);
	struct run_batch batch = { .plan = p, .rc = &rc, .m = &m, .cells = cells.v, .n = cells.n, .pins = cells.pins,
		                   .labels = cells.labels, .path = path }; /* pins, labels: --claims */
	int sig, ret = history_run_record(run_store, path, run_cells(&batch, &sig));
	run_cells_free(&cells);
	if (!p->output)
		link_latest(path);
	return ret;
}

int cmd_run(int argc, char **argv)
{
	struct run_plan p;
	if (cmd_wants_help(argc, argv)) {
		run_usage();
		return EXIT_OK;
	}
	if (history_run_args(&argc, argv, &run_store))
		return EXIT_USAGE;
	int rc = run_plan_parse(argc, argv, &p);
	if (!rc && p.help)
		run_usage();
	else if (!rc)
		rc = p.baseline ? run_with_baseline(argc, argv, &p) : run_plan_cells(argc, argv, &p);
	else
		rc = EXIT_USAGE;
	run_plan_free(&p);
	return rc;
}
