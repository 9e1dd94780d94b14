/* runner: runs one cell = workload x driver x workers x knobs, for warm-up + repetitions.
 *
 * Isolation: runner_run_cell() has the supervisor (cellproc.c) fork a "cell process" (own
 * process group, dies with bench) that runs every repetition and streams one JSON line per
 * repetition over a pipe. bench watches the pipe with a watchdog; a crash (even of a thread
 * worker), a hang or a signal fails only that cell. bench is a child subreaper, so worker
 * processes orphaned by a dead cell process come back to it and are reaped; the process group
 * is killed after each cell. */
#define _GNU_SOURCE
#include "bench/core/runner.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "drivers/driver.h"
#include "bench/core/cellproc.h"
#include "bench/core/futex.h"
#include "bench/core/log.h"
#include "bench/core/procmem.h"
#include "bench/store/results.h"
#include "bench/core/sampler.h"
#include "bench/stats/stats.h"
#include "bench/core/task.h"
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
	{ "fault", KNOB_ENUM, "none", 0, 0, "none|crash|abort|hang|exit1|oom",
	  "inject a fault into one worker: segfault, abort(), hang ignoring stop, _exit(1), allocate until OOM" },
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
static void emit_fd(void *ctx, const char *line);

struct rep_ctx {
	const struct runner_config *cfg;
	const struct cell_spec *spec;
	const int *pus;
	int poisoned;                  /* workers hung: memory must not be freed, the cell must end */
	double mem_base;               /* kB of the cell before its first repetition's spawn */
};

static void fill_rep(struct run *r, struct rep_result *o, uint64_t t_start, struct sampler *smp)
{
	unsigned n = r->nworkers;
	uint64_t t_end = t_start;
	double ops = 0, user = 0, sys = 0, vcs = 0, ivcs = 0;
	o->nworkers = n;
	o->worker_ops = calloc(n, sizeof(double));
	o->worker_cpu_s = calloc(n, sizeof(double));
	o->last_cpu = calloc(n, sizeof(int));
	o->bound_pu = calloc(n, sizeof(int));
	for (unsigned i = 0; i < n; i++) {
		struct task_slot *s = &r->sh->slot[i];
		double w = (double)atomic_load(&s->ops);
		ops += w;
		if (o->worker_ops)
			o->worker_ops[i] = w;
		/* A worker publishes its end-of-run fields before its final state (seq_cst store):
		 * a hung worker's fields are still being written and are left out. */
		unsigned st = atomic_load(&s->state);
		if ((st != TASK_DONE && st != TASK_FAILED) || !s->t_end_ns) {
			if (o->worker_ops)
				o->last_cpu[i] = o->bound_pu[i] = -1; /* unknown: hung or crashed */
			continue;
		}
		if (s->t_end_ns > t_end)
			t_end = s->t_end_ns;
		user += (double)s->utime_ns / 1e9;
		sys += (double)s->stime_ns / 1e9;
		vcs += (double)s->nvcsw;
		ivcs += (double)s->nivcsw;
		if (o->worker_ops) {
			o->worker_cpu_s[i] = (double)(s->utime_ns + s->stime_ns) / 1e9;
			o->last_cpu[i] = s->last_cpu;
			o->bound_pu[i] = s->bound_pu;
		}
	}
	o->wall_s = (double)(t_end - t_start) / 1e9;
	o->cpu_user_s = user;
	o->cpu_sys_s = sys;
	o->util_cores = o->wall_s > 0 ? (user + sys) / o->wall_s : 0;
	o->ops = ops;
	o->ops_per_s = o->wall_s > 0 ? ops / o->wall_s : 0;
	o->ctx_voluntary = vcs;
	o->ctx_involuntary = ivcs;
	o->fairness = o->worker_ops ? stats_jain(o->worker_ops, n) : 0;
	o->interval_s = 0.1;
	o->ncpus = smp->ncpus;
	o->cpus = smp->cpus;
	o->nsamples = smp->nsamples;
	o->timeline = smp->timeline;
	o->core_mean = calloc(smp->ncpus ? smp->ncpus : 1, sizeof(double));
	if (o->core_mean)
		sampler_mean(smp, o->core_mean);
}

static void free_rep(struct rep_result *o)
{
	free(o->worker_ops);
	free(o->worker_cpu_s);
	free(o->last_cpu);
	free(o->bound_pu);
	free(o->core_mean);
}

static int rep_fail(struct rep_result *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int rep_fail(struct rep_result *o, const char *fmt, ...)
{
	va_list ap;
	if (!o->ok)
		return -1; /* keep the first reason */
	va_start(ap, fmt);
	vsnprintf(o->error, sizeof o->error, fmt, ap);
	va_end(ap);
	o->ok = 0;
	return -1;
}

/* Stop every worker and wait until all are done, kicking waiters. 0, or -ETIMEDOUT (hung). */
static int stop_workers(struct run *r, unsigned spawned, double grace_s)
{
	uint64_t deadline = task_now_ns() + (uint64_t)(grace_s * 1e9);
	atomic_store(&r->sh->stop, 1);
	for (;;) {
		r->drv->stop(r);
		if (r->drv->reap)
			r->drv->reap(r);
		unsigned d = atomic_load(&r->sh->done);
		if (d >= spawned)
			return 0;
		if (task_now_ns() > deadline)
			return -ETIMEDOUT;
		futex_wait(&r->sh->done, d, 2000000, 1);
	}
}

static int any_failed(const struct run *r, unsigned spawned)
{
	for (unsigned i = 0; i < spawned; i++)
		if (atomic_load_explicit(&r->sh->slot[i].state, memory_order_relaxed) == TASK_FAILED)
			return 1;
	return 0;
}

static void hung_list(const struct run *r, unsigned spawned, char *buf, size_t len)
{
	size_t off = 0;
	buf[0] = 0;
	for (unsigned i = 0; i < spawned && off + 12 < len; i++) {
		unsigned st = atomic_load(&r->sh->slot[i].state);
		if (st != TASK_DONE && st != TASK_FAILED)
			off += (size_t)snprintf(buf + off, len - off, "%s%u", off ? "," : "", i);
	}
}

/* Hand the fault to its worker: flag the slot, then raise the worker's checkpoint request
 * (the flag task_checkpoint polls; drivers point t->brk before spawn returns). */
static void inject_fault(struct run *r, int kind)
{
	unsigned w = (unsigned)run_knob_int(r, "fault_worker");
	atomic_store(&r->sh->slot[w].fault, (unsigned)kind);
	atomic_store(r->tasks[w].brk, 1);
}

/* Runs one repetition; returns 0 ok, -1 failed, -ENOTSUP skipped (reason in o->error). */
static int run_rep(struct rep_ctx *c, struct rep_result *o, struct run *r, struct sampler *smp)
{
	const struct cell_spec *spec = c->spec;
	const struct runner_config *cfg = c->cfg;
	unsigned n = spec->workers, spawned = 0;
	int rc, setup_done = 0;

	memset(r, 0, sizeof *r);
	r->wl = spec->wl;
	r->drv = spec->drv;
	r->nworkers = n;
	r->knobs = &spec->knobs;
	r->pus = c->pus;
	r->duration_ns = (uint64_t)(cfg->duration_s * 1e9);
	o->ok = 1;
	o->mem_delta_kb = o->mem_per_worker_kb = NAN;

	if ((rc = r->drv->init(r)) < 0)
		return rep_fail(o, "driver %s: init failed: %s", r->drv->name, r->err[0] ? r->err : strerror(-rc));
	r->sh = r->drv->shm_alloc(r, sizeof(struct run_shared) + (size_t)n * sizeof(struct task_slot));
	r->tasks = calloc(n, sizeof *r->tasks);
	if (!r->sh || !r->tasks) {
		rep_fail(o, "out of memory for %u workers", n);
		goto out;
	}
	for (unsigned i = 0; i < n; i++) {
		struct task *t = &r->tasks[i];
		t->run = r;
		t->id = i;
		t->slot = &r->sh->slot[i];
		t->brk = &t->slot->brk;
		t->stop = &r->sh->stop;
		t->wait = r->drv->wait;
		t->wake = r->drv->wake;
		t->slot->bound_pu = -1;
	}
	const struct knobval *fw = opt_get(r->knobs, "fault_worker");
	if (fw && fw->num >= n) {
		rep_fail(o, "fault_worker %.0f does not exist (the cell has %u workers)", fw->num, n);
		goto out;
	}
	rc = r->wl->setup ? r->wl->setup(r) : 0;
	if (rc == -ENOTSUP) {
		snprintf(o->error, sizeof o->error, "%s", r->err[0] ? r->err : "not supported here");
		o->ok = 0;
		rc = -ENOTSUP;
		goto out;
	}
	if (rc) {
		rep_fail(o, "setup failed: %s", r->err[0] ? r->err : strerror(rc < 0 ? -rc : EINVAL));
		goto out;
	}
	setup_done = 1;

	/* Memory per worker: the cell's memory with every worker alive (parked at the gate) or
	 * just done (after stop, before join), whichever is larger, minus the cell's memory before
	 * the first repetition's spawn. Not before this repetition's: glibc keeps the stacks of
	 * joined threads for reuse, so from the second repetition on they would already be
	 * counted and threads would look free. */
	double mem_alive = NAN;
	if (!isfinite(c->mem_base))
		c->mem_base = procmem_group_kb();
	uint64_t t0 = task_now_ns();
	for (; spawned < n; spawned++) {
		if ((rc = r->drv->spawn(r, &r->tasks[spawned])) < 0) {
			rep_fail(o, "spawning worker %u of %u failed: %s", spawned, n, strerror(-rc));
			break;
		}
	}
	/* Everyone parks at the gate before the clock starts. */
	uint64_t gate_deadline = task_now_ns() + (uint64_t)((cfg->timeout_s + 5) * 1e9);
	while (o->ok) {
		unsigned k = atomic_load(&r->sh->ready);
		if (k >= n)
			break;
		if (r->drv->reap)
			r->drv->reap(r);
		if (atomic_load(&r->sh->done) > 0 || task_now_ns() > gate_deadline) {
			rep_fail(o, "only %u of %u workers reached the start gate", k, n);
			break;
		}
		futex_wait(&r->sh->ready, k, 10000000, 1);
	}
	o->spawn_s = (double)(task_now_ns() - t0) / 1e9;
	if (o->ok)
		mem_alive = procmem_group_kb();

	sampler_begin(smp);
	uint64_t t_start = task_now_ns();
	if (o->ok && (rc = r->drv->start(r)) < 0)
		rep_fail(o, "driver %s: start failed: %s", r->drv->name, strerror(-rc));
	if (o->ok) {
		int bounded = (r->wl->flags & WORKLOAD_SELF_BOUNDED) != 0, failed = 0;
		uint64_t end = t_start + (bounded ? (uint64_t)(cfg->timeout_s * 1e9) : r->duration_ns);
		uint64_t next_tick = t_start + 100000000;
		const struct knobval *fk = opt_get(r->knobs, "fault");
		int fault = fk ? fk->choice : TASK_FAULT_NONE;
		uint64_t fault_at = fault ? t_start + (uint64_t)run_knob_int(r, "fault_after_ms") * 1000000u : UINT64_MAX;
		for (;;) {
			unsigned d = atomic_load(&r->sh->done);
			uint64_t now = task_now_ns();
			if (d >= n || now >= end)
				break;
			if (now >= fault_at) {
				inject_fault(r, fault);
				fault_at = UINT64_MAX;
			}
			if (now >= next_tick) {
				sampler_tick(smp);
				if (r->drv->reap)
					r->drv->reap(r);
				next_tick += 100000000;
				/* A self-bounded run cannot complete once a worker failed (the others may
				 * wait for it forever): stop it now, the failure is reported after join. */
				if (bounded && (failed = any_failed(r, spawned)))
					break;
			}
			uint64_t wake = end < next_tick ? end : next_tick;
			wake = fault_at < wake ? fault_at : wake;
			/* Late (descheduled past the next tick on a busy machine): do not wait. Without
			 * the check, wake - now wraps around and the cell waits for the watchdog. */
			futex_wait(&r->sh->done, d, wake > now ? wake - now : 0, 1);
		}
		if (bounded && !failed && atomic_load(&r->sh->done) < n)
			rep_fail(o, "workers did not finish their work within the %.0f s timeout", cfg->timeout_s);
	}
	if (stop_workers(r, spawned, cfg->stop_grace_s)) {
		char who[256];
		hung_list(r, spawned, who, sizeof who);
		/* Workers often hang because another one died (they wait for what it would have
		 * sent): name the dead one first. */
		const char *cause = NULL;
		for (unsigned i = 0; i < spawned && !cause; i++)
			if (atomic_load(&r->sh->slot[i].state) == TASK_FAILED && r->sh->slot[i].err[0])
				cause = r->sh->slot[i].err;
		if (cause)
			rep_fail(o, "%s; then worker(s) %s did not stop within %.1f s of the stop request", cause,
			         who, cfg->stop_grace_s);
		else
			rep_fail(o, "worker(s) %s did not stop within %.1f s of the stop request (hung)", who,
			         cfg->stop_grace_s);
		c->poisoned = 1; /* hung workers still use the memory: do not join or free it */
		fill_rep(r, o, t_start, smp);
		return -1;
	}
	if (r->drv->account)
		r->drv->account(r);
	sampler_tick(smp);
	fill_rep(r, o, t_start, smp);
	/* Again now that every worker is done and idle (threads and coroutines keep their stacks
	 * until join; exited processes count nothing, so for them the gate figure stands). Never
	 * while workers run: with many busy workers the scan would get a sliver of a core. */
	if (o->ok) {
		double m = procmem_group_kb();
		if (isfinite(m) && !(m <= mem_alive))
			mem_alive = m;
	}
	o->mem_delta_kb = mem_alive - c->mem_base;
	o->mem_per_worker_kb = o->mem_delta_kb / n;

	uint64_t tj = task_now_ns();
	rc = r->drv->join(r);
	o->join_s = (double)(task_now_ns() - tj) / 1e9;
	if (rc)
		rep_fail(o, "%s", r->err[0] ? r->err : "a worker failed");
	if (r->drv->metrics)
		r->drv->metrics(r);
	for (unsigned i = 0; i < n && o->ok; i++)
		if (r->sh->slot[i].rc)
			rep_fail(o, "worker %u failed: %s", i, r->sh->slot[i].err);
	const struct knobval *fk = opt_get(r->knobs, "fault");
	if (fk && fk->choice != TASK_FAULT_NONE) {
		/* The worker clears the flag when it performs the fault; a worker that never reached
		 * a task API call after fault_after_ms (finished, or starved by its driver) did not. */
		unsigned w = (unsigned)run_knob_int(r, "fault_worker");
		run_metric(r, "fault_delivered", atomic_load(&r->sh->slot[w].fault) == TASK_FAULT_NONE);
	}
	if (o->ok && r->wl->verify && r->wl->verify(r))
		rep_fail(o, "verify failed: %s", r->err[0] ? r->err : "invariant violated");
	o->nmetrics = r->nmetrics;
	o->metrics = r->metrics;
	o->nwmetrics = r->nwmetrics;
	o->wmetrics = r->wmetrics;
	rc = o->ok ? 0 : -1;
out:
	if (!c->poisoned) {
		if (spawned && !setup_done)
			r->drv->join(r);
		if (setup_done && r->wl->teardown)
			r->wl->teardown(r);
	}
	return rc;
}

static void cleanup_rep(struct rep_ctx *c, struct run *r)
{
	if (c->poisoned)
		return;
	run_metrics_free(r);
	free(r->tasks);
	r->tasks = NULL;
	r->drv->cleanup(r);
}

/* The body of the cell process (or of an in-process run). */
static void cell_main(const struct runner_config *cfg, const struct cell_spec *spec, const int *pus,
                      emit_fn emit, void *ctx)
{
	struct rep_ctx c = { .cfg = cfg, .spec = spec, .pus = pus, .mem_base = NAN };
	unsigned total = cfg->warmup + cfg->reps;
	for (unsigned i = 0; i < total; i++) {
		struct rep_result o;
		struct run r;
		struct sampler smp;
		memset(&o, 0, sizeof o);
		memset(&smp, 0, sizeof smp);
		o.warmup = i < cfg->warmup;
		o.index = o.warmup ? i : i - cfg->warmup;
		int rc = run_rep(&c, &o, &r, &smp);
		if (rc == -ENOTSUP) {
			char line[300];
			snprintf(line, sizeof line, "S %s", o.error);
			emit(ctx, line);
			cleanup_rep(&c, &r);
			return;
		}
		char *line = results_rep_encode(&o);
		emit(ctx, line ? line : "F cannot encode the repetition");
		free(line);
		free_rep(&o);
		sampler_free(&smp);
		cleanup_rep(&c, &r);
		if (c.poisoned && emit == emit_fd) {
			/* Hung workers still run in this process: end it now, with nothing (atexit
			 * handlers, sanitizer exit checks) running beside them. bench reports the cell
			 * from the line just sent and kills the rest of the process group. */
			fflush(ctx);
			raise(SIGKILL);
		}
		if (rc)
			return;
	}
}

/* ------------------------------------------------------------------ bench side */

static int check_skip(const struct cell_spec *spec, char *why, size_t len)
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

struct line_sink {
	struct results_cell *cell;
	int failed, skipped, nlines;
	char error[300];
	const struct runner_config *cfg;
	const struct cell_spec *spec;
};

static void sink_line(void *ctx, const char *line)
{
	struct line_sink *s = ctx;
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
	if (s->cfg->progress) {
		unsigned total = s->cfg->warmup + s->cfg->reps;
		fprintf(stderr, "\r[%u/%u] %s/%s/n=%u rep %d/%u ", s->spec->index + 1, s->spec->total,
		        s->spec->wl->name, s->spec->drv->name, s->spec->workers, s->nlines, total);
		fflush(stderr);
	}
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
	results_cell_finish(s->cell, "ok", NULL); /* demoted to failed if a repetition failed */
}

/* What both entry points do first: skip a cell that cannot run here, place the workers.
 * NULL when the cell is already finished (skipped, or failed without running). */
static int *cell_prepare(const struct runner_config *cfg, const struct cell_spec *spec, struct results_cell *out)
{
	char why[300];
	if (check_skip(spec, why, sizeof why)) {
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

int runner_run_cell(const struct runner_config *cfg, const struct cell_spec *spec, struct results_cell *out)
{
	struct line_sink s = { .cell = out, .cfg = cfg, .spec = spec };
	struct cell_job job = { .cfg = cfg, .spec = spec, .pus = cell_prepare(cfg, spec, out) };
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

static void emit_fd(void *ctx, const char *line)
{
	FILE *w = ctx;
	fputs(line, w);
	fputc('\n', w);
	fflush(w);
}

int runner_run_cell_inproc(const struct runner_config *cfg, const struct cell_spec *spec,
                           struct results_cell *out)
{
	struct line_sink s = { .cell = out, .cfg = cfg, .spec = spec };
	int *pus = cell_prepare(cfg, spec, out);
	if (!pus)
		return 0;
	cell_main(cfg, spec, pus, sink_line, &s);
	free(pus);
	finish(&s);
	return 0;
}
