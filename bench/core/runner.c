/* runner: runs one cell = workload x driver x workers x knobs, for warm-up + repetitions.
 *
 * Isolation: runner_run_cell() has the supervisor (cellproc.c) fork a "cell process" (own
 * process group, dies with bench) that runs every repetition (repetition.c) and streams one
 * line per repetition over a pipe. bench watches the pipe with a watchdog; a crash (even of a
 * thread worker), a hang or a signal fails only that cell. bench is a child subreaper, so
 * worker processes orphaned by a dead cell process come back to it and are reaped; the process
 * group is killed after each cell.
 *
 * The lines, one per repetition, from the cell process to bench:
 *   {...}      a repetition (results_rep_encode), ok or failed
 *   F reason   the cell failed without a repetition record (runner_cell_fatal, encoding)
 *   S reason   the cell cannot run here: skipped (the workload's setup said -ENOTSUP) */
#define _GNU_SOURCE
#include "bench/core/runner.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/core/cellproc.h"
#include "bench/core/repetition.h"
#include "bench/core/reps.h"
#include "bench/core/task.h"
#include "bench/store/results.h"
#include "drivers/driver.h"
#include "workloads/workload.h"

volatile sig_atomic_t runner_signal;
/* In a cell process: the write end of the pipe to bench (for runner_cell_fatal). */
static int cell_fd = -1;

static void on_signal(int sig)
{
	runner_signal = sig;
}

/* The signals that stop a run after the current cell, its partial results written. */
static const int stop_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
#define NSTOP (sizeof stop_signals / sizeof stop_signals[0])
static int stop_caught[NSTOP];

void runner_install_signals(void)
{
	struct sigaction sa, old;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	for (unsigned i = 0; i < NSTOP; i++) {
		/* nohup: a SIGHUP ignored when bench started stays ignored */
		if (stop_signals[i] == SIGHUP && !sigaction(SIGHUP, NULL, &old) && old.sa_handler == SIG_IGN)
			continue;
		stop_caught[i] = !sigaction(stop_signals[i], &sa, NULL);
	}
	/* A reader of stdout that goes away (bench run | head -1) must not kill the run: writes
	 * then fail with EPIPE, and cmd_stdout_flush() stops the table. */
	signal(SIGPIPE, SIG_IGN);
}

/* In a cell process: the default action for the signals bench catches. */
static void cell_default_signals(void)
{
	for (unsigned i = 0; i < NSTOP; i++)
		if (stop_caught[i])
			signal(stop_signals[i], SIG_DFL);
	signal(SIGPIPE, SIG_IGN);
}

void runner_init(void)
{
	cellproc_subreaper();
}

const struct knob runner_knobs[] = {
	{ "fault", KNOB_ENUM, "none", 0, 0, "none|crash|abort|hang|exit1|oom|stall",
	  "inject a fault into one worker: segfault, abort(), hang ignoring stop, _exit(1), allocate until OOM; "
	  "stall: the whole cell is stopped (SIGSTOP) for 50 ms, a disturbed repetition" },
	{ "fault_worker", KNOB_INT, "0", 0, TASK_MAX_WORKERS - 1, NULL, "which worker gets the fault" },
	{ "fault_after_ms", KNOB_INT, "50", 0, 3600000, NULL,
	  "when: the worker's first task API call after this many ms of the repetition" },
	{ 0 }
};

int runner_resolve_knobs(const struct workload *wl, const struct driver_ops *drv,
                         const struct knob_assign *given, unsigned ngiven, struct knobset *out,
                         char *err, size_t errlen)
{
	memset(out, 0, sizeof *out);
	if (opt_defaults(out, wl->knobs) || opt_defaults(out, drv->knobs)) {
		snprintf(err, errlen, "bad knob defaults in %s or %s", wl->name, drv->name);
		return -EINVAL;
	}
	for (unsigned i = 0; i < ngiven; i++)
		if (opt_find(runner_knobs, given[i].name) && opt_defaults(out, runner_knobs)) {
			snprintf(err, errlen, "too many knobs");
			return -EINVAL;
		}
	for (unsigned i = 0; i < ngiven; i++) {
		const struct knob *k = opt_find(wl->knobs, given[i].name);
		if (!k)
			k = opt_find(drv->knobs, given[i].name);
		if (!k)
			k = opt_find(runner_knobs, given[i].name);
		if (!k)
			continue;
		struct knobval v;
		if (opt_parse_value(k, given[i].vals[0], &v, err, errlen) || opt_set(out, &v))
			return -EINVAL;
	}
	return 0;
}

/* ------------------------------------------------------------------ the cell process */

typedef void (*emit_fn)(void *ctx, const char *line);

/* In the cell process: one line to bench, flushed at once (so that runner_cell_fatal's
 * write() never follows half a line). */
static void emit_fd(void *ctx, const char *line)
{
	FILE *w = ctx;
	fputs(line, w);
	fputc('\n', w);
	fflush(w);
}

/* What the loop needs of a measured repetition once its line is sent. */
struct rep_seen {
	int disturbed;
	double primary;
};

/* Run one repetition and send its line. 0: the cell goes on; 1: it ends here (skipped, a
 * failure). A poisoned cell process ends itself (see below). */
static int one_rep(struct repetition_cell *c, struct repetition *p, int warmup, unsigned index, emit_fn emit,
                   void *ctx, struct rep_seen *seen)
{
	int rc = repetition_run(c, p, warmup, index);
	if (rc == -ENOTSUP) {
		char line[300];
		snprintf(line, sizeof line, "S %s", p->out.error);
		emit(ctx, line);
		repetition_release(p);
		return 1;
	}
	char *line = results_rep_encode(&p->out);
	emit(ctx, line ? line : "F cannot encode the repetition");
	free(line);
	seen->disturbed = p->out.disturbed;
	seen->primary = repetition_metric(&p->out, c->spec->wl->primary_metric);
	repetition_release(p);
	if (c->poisoned && emit == emit_fd) {
		/* Hung workers still run in this process: end it now, with nothing (atexit
		 * handlers, sanitizer exit checks) running beside them. bench reports the cell
		 * from the line just sent and kills the rest of the process group. */
		fflush(ctx);
		raise(SIGKILL);
	}
	return rc != 0;
}

/* The stopping rule of the cell (reps.h) from the run's settings. */
static struct reps_policy cell_policy(const struct runner_config *cfg, const struct cell_spec *spec)
{
	double target = cfg->ci_target > 0 ? cfg->ci_target : spec->wl->ci_target > 0 ? spec->wl->ci_target : REPS_AUTO_TARGET;
	return (struct reps_policy){ .automatic = cfg->reps_auto, .reps = cfg->reps ? cfg->reps : 1,
		                     .max_reps = REPS_AUTO_MAX, .target = target, .budget_s = cfg->cell_budget_s,
		                     .keep_disturbed = cfg->keep_disturbed };
}

/* The last line of a cell that ran to its end: its reps_stop. */
static void emit_stop(const struct reps_policy *pol, const struct reps_state *st, enum reps_reason why, emit_fn emit,
                      void *ctx)
{
	struct results_reps_stop rs = { .automatic = pol->automatic, .reason = reps_reason_name(why),
		                        .measured = st->measured, .disturbed = st->disturbed,
		                        .reruns = st->measured > st->ngood ? st->measured - st->ngood : 0,
		                        .target_ci = pol->target, .budget_s = pol->budget_s,
		                        .unstable = reps_unstable(pol, st) };
	char *json = results_stop_encode(&rs), *line = NULL;
	if (json && asprintf(&line, "E %s", json) > 0)
		emit(ctx, line);
	free(line);
	free(json);
}

/* The body of the cell process (or of an in-process run): the warm-up repetitions, then
 * measured ones until the stopping rule says (reps.h), one line each; then the reps_stop line. */
static void cell_main(const struct runner_config *cfg, const struct cell_spec *spec, const int *pus,
                      emit_fn emit, void *ctx)
{
	struct repetition_cell c = { .cfg = cfg, .spec = spec, .pus = pus, .mem_base = NAN };
	struct repetition *p = malloc(sizeof *p);
	struct reps_policy pol = cell_policy(cfg, spec);
	double *good = calloc(2 * pol.reps + pol.max_reps, sizeof *good);
	struct reps_state st = { .good = good };
	struct rep_seen seen;
	enum reps_reason why = REPS_GO_ON;
	uint64_t t0 = task_now_ns();
	if (!p || !good) {
		emit(ctx, "F out of memory");
		goto out;
	}
	for (unsigned i = 0; i < cfg->warmup; i++)
		if (one_rep(&c, p, 1, i, emit, ctx, &seen))
			goto out;
	while (why == REPS_GO_ON) {
		uint64_t r0 = task_now_ns();
		if (one_rep(&c, p, 0, st.measured, emit, ctx, &seen))
			goto out;
		st.measured++;
		st.disturbed += seen.disturbed != 0;
		if (!seen.disturbed || pol.keep_disturbed)
			good[st.ngood++] = seen.primary;
		st.elapsed_s = (double)(task_now_ns() - t0) / 1e9;
		st.last_rep_s = (double)(task_now_ns() - r0) / 1e9;
		why = reps_decide(&pol, &st);
	}
	emit_stop(&pol, &st, why, emit, ctx);
out:
	free(good);
	free(p);
}

/* What the cell process runs. */
struct cell_job {
	const struct runner_config *cfg;
	const struct cell_spec *spec;
	int *pus;
};

/* cellproc_body_fn: in the freshly forked cell process, with fd the pipe to bench. */
static int cell_process(void *arg, int fd)
{
	struct cell_job *job = arg;
	cell_default_signals();
	FILE *w = fdopen(fd, "w");
	if (!w)
		return 3;
	cell_fd = fd;
	cell_main(job->cfg, job->spec, job->pus, emit_fd, w);
	fclose(w);
	free(job->pus);
	return 0;
}

void runner_cell_fatal(const char *msg)
{
	/* One "F reason" line, as a failed repetition sends it; emit_fd flushes every line, so
	 * no half-written line of stdio can precede it. write() only: signal handlers call this. */
	char line[300];
	size_t n = 0;
	if (cell_fd < 0)
		return;
	line[n++] = 'F';
	line[n++] = ' ';
	for (; *msg && n < sizeof line - 2; msg++)
		line[n++] = *msg == '\n' ? ' ' : *msg;
	line[n++] = '\n';
	ssize_t w = write(cell_fd, line, n);
	(void)w;
}

/* ------------------------------------------------------------------ bench side */

int runner_skip_reason(const struct cell_spec *spec, char *why, size_t len)
{
	if (spec->drv->unsupported) {
		snprintf(why, len, "driver %s unavailable: %s", spec->drv->name, spec->drv->unsupported);
		return 1;
	}
	if (spec->workers < spec->wl->min_workers) {
		snprintf(why, len, "%s needs at least %u workers", spec->wl->name, spec->wl->min_workers);
		return 1;
	}
	return 0;
}

/* In bench: what the lines of a cell said so far (the cell's reason to fail or to skip). */
struct line_sink {
	struct results_cell *cell;
	int failed, skipped, nlines, unstable;
	char error[300];
	const struct runner_config *cfg;
	const struct cell_spec *spec;
};

/* The progress line on stderr: the cell, warm-up or measured repetition, and the time the
 * run still needs, estimated from the cells done so far (none yet: no estimate). */
static uint64_t progress_t0, cell_t0;

static void progress(const struct line_sink *s)
{
	const struct runner_config *cfg = s->cfg;
	unsigned done = s->spec->index, total = s->spec->total;
	char lab[160], rep[48], eta[32] = "";
	results_cell_label(lab, sizeof lab, s->spec->wl->name, s->spec->drv->name, s->spec->workers);
	if ((unsigned)s->nlines <= cfg->warmup)
		snprintf(rep, sizeof rep, "warm-up %d/%u", s->nlines, cfg->warmup);
	else if (cfg->reps_auto)
		snprintf(rep, sizeof rep, "rep %u (auto, min %u)", s->nlines - cfg->warmup, cfg->reps);
	else if (s->nlines - cfg->warmup <= cfg->reps)
		snprintf(rep, sizeof rep, "rep %u/%u", s->nlines - cfg->warmup, cfg->reps);
	else
		snprintf(rep, sizeof rep, "re-run %u (of up to %u) of disturbed ones", s->nlines - cfg->warmup - cfg->reps,
		         cfg->reps);
	if (done > 0 && cell_t0 > progress_t0) {
		double per = (double)(cell_t0 - progress_t0) / 1e9 / done;
		double left = per * (total - done) - (double)(task_now_ns() - cell_t0) / 1e9;
		left = left > 0 ? left : 0;
		snprintf(eta, sizeof eta, "  ETA %u:%02u", (unsigned)left / 60, (unsigned)left % 60);
	}
	fprintf(stderr, "\r\033[K[%u/%u] %s %s%s", done + 1, total, lab, rep, eta);
	fflush(stderr);
}

static void sink_line(void *ctx, const char *line)
{
	struct line_sink *s = ctx;
	if (!strncmp(line, "E ", 2)) {
		if (results_cell_set_stop(s->cell, line + 2, &s->unstable)) {
			s->failed = 1;
			snprintf(s->error, sizeof s->error, "malformed reps_stop record");
		}
		return;
	}
	s->nlines++;
	if (!strncmp(line, "S ", 2)) {
		s->skipped = 1;
		snprintf(s->error, sizeof s->error, "%s", line + 2);
		return;
	}
	if (!strncmp(line, "F ", 2) || results_cell_add_rep(s->cell, line)) {
		s->failed = 1;
		snprintf(s->error, sizeof s->error, "%s", !strncmp(line, "F ", 2) ? line + 2 : "malformed repetition record");
		return;
	}
	if (s->cfg->progress)
		progress(s);
}

static void finish(struct line_sink *s)
{
	if (s->cfg->progress) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
	}
	if (s->skipped) {
		results_cell_finish(s->cell, "skipped", s->error);
		return;
	}
	if (s->failed) {
		results_cell_finish(s->cell, "failed", s->error);
		return;
	}
	/* demoted to failed if a repetition failed */
	results_cell_finish(s->cell, s->unstable ? "unstable" : "ok",
	                    s->unstable ? "too many repetitions were disturbed (see reps_stop and each one's disturbed_by)" : NULL);
}

/* What both entry points do first: skip a cell that cannot run here, place the workers.
 * NULL when the cell is already finished (skipped, or failed without running). */
static int *cell_prepare(const struct runner_config *cfg, const struct cell_spec *spec, struct results_cell *out)
{
	char why[300];
	cell_t0 = task_now_ns();
	if (spec->index == 0 || !progress_t0)
		progress_t0 = cell_t0;
	if (runner_skip_reason(spec, why, sizeof why)) {
		results_cell_finish(out, "skipped", why);
		return NULL;
	}
	int *pus = calloc(spec->workers, sizeof *pus);
	if (!pus || topo_place(&cfg->pin, spec->workers, pus)) {
		free(pus);
		results_cell_finish(out, "failed", "cannot compute the worker placement");
		return NULL;
	}
	return pus;
}

/* How the cell process ended, as the cell's reason to fail, when no line gave one. */
static void sink_end(struct line_sink *s, const struct cellproc_end *end, double watchdog_s)
{
	int st = end->status;
	if (results_cell_failed_reps(s->cell)) {
		/* A repetition already said why it failed; how the cell process ended after that
		 * (killed on purpose when workers hung) adds nothing. */
	} else if (end->timed_out && !s->failed) {
		s->failed = 1;
		snprintf(s->error, sizeof s->error, "watchdog: no repetition finished within %.0f s; cell process killed",
		         watchdog_s);
	} else if (!s->failed && !s->skipped && WIFSIGNALED(st) && !end->killed) {
		s->failed = 1;
		snprintf(s->error, sizeof s->error, "cell process killed by signal %d (%s) in repetition %d: a worker crashed",
		         WTERMSIG(st), strsignal(WTERMSIG(st)), s->nlines + 1);
	} else if (!s->failed && !s->skipped && WIFEXITED(st) && WEXITSTATUS(st) != 0) {
		s->failed = 1;
		snprintf(s->error, sizeof s->error, "cell process exited with status %d in repetition %d",
		         WEXITSTATUS(st), s->nlines + 1);
	}
}

/* The cell's time budget under --reps auto: --cell-budget, or its share of what is left of the
 * run's budget (the cells left share it evenly, at most RUNNER_CELL_BUDGET_MAX each). */
static struct runner_config cell_config(const struct runner_config *cfg, const struct cell_spec *spec)
{
	struct runner_config c = *cfg;
	if (c.reps_auto && !(c.cell_budget_s > 0)) {
		double left = c.run_budget_s - (double)(task_now_ns() - progress_t0) / 1e9;
		unsigned cells = spec->total > spec->index ? spec->total - spec->index : 1;
		c.cell_budget_s = left > 0 ? left / cells : 0;
		if (c.cell_budget_s > RUNNER_CELL_BUDGET_MAX)
			c.cell_budget_s = RUNNER_CELL_BUDGET_MAX;
	}
	return c;
}

int runner_run_cell(const struct runner_config *run_cfg, const struct cell_spec *spec, struct results_cell *out)
{
	int *pus = cell_prepare(run_cfg, spec, out);
	struct runner_config ccfg = cell_config(run_cfg, spec), *cfg = &ccfg;
	struct line_sink s = { .cell = out, .cfg = cfg, .spec = spec };
	struct cell_job job = { .cfg = cfg, .spec = spec, .pus = pus };
	if (!job.pus)
		return 0;
	/* The watchdog allows duration + timeout + stop grace per repetition. */
	struct cellproc cp = { .body = cell_process, .body_arg = &job, .line = sink_line, .line_ctx = &s,
		               .watchdog_s = cfg->duration_s + cfg->timeout_s + cfg->stop_grace_s,
		               .interrupt = &runner_signal };
	struct cellproc_end end;
	int rc = cellproc_run(&cp, &end, s.error, sizeof s.error);
	free(job.pus);
	if (rc < 0) {
		results_cell_finish(out, "failed", s.error);
		return 0;
	}
	if (end.interrupted) {
		snprintf(s.error, sizeof s.error, "interrupted by signal %d", (int)runner_signal);
		results_cell_finish(out, "failed", s.error);
		return -EINTR;
	}
	sink_end(&s, &end, cp.watchdog_s);
	finish(&s);
	return 0;
}

int runner_run_cell_inproc(const struct runner_config *run_cfg, const struct cell_spec *spec,
                           struct results_cell *out)
{
	int *pus = cell_prepare(run_cfg, spec, out);
	struct runner_config ccfg = cell_config(run_cfg, spec), *cfg = &ccfg;
	struct line_sink s = { .cell = out, .cfg = cfg, .spec = spec };
	if (!pus)
		return 0;
	cell_main(cfg, spec, pus, sink_line, &s);
	free(pus);
	finish(&s);
	return 0;
}
