/* repetition: one repetition of a cell, phase by phase (see repetition.h). Every function
 * here runs in the process that runs the cell (the cell process, or bench in-process), never
 * in a worker; workers reach the repetition only through its struct run. */
#define _GNU_SOURCE
#include "bench/core/repetition.h"

#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/core/futex.h"
#include "bench/core/procmem.h"
#include "bench/core/runner.h"
#include "bench/stats/stats.h"
#include "drivers/driver.h"
#include "workloads/workload.h"

/* How often the runner samples /proc/stat and calls the driver's reap while workers run. */
#define TICK_NS 100000000ull

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

/* The measurements of the repetition from the workers' slots and the sampler. */
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
	o->interval_s = (double)TICK_NS / 1e9;
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

/* -O fault=stall: a helper process (in a process group of its own) stops the cell's process
 * group (the cell process, its threads and worker processes) with SIGSTOP for
 * STALL_NS, then continues it: what a VM that is descheduled looks like from inside. Only in
 * a cell process (the leader of its own group): in-process it would stop the caller's group.
 * The helper's pid (reaped by rep_stop), or 0. */
#define STALL_NS 50000000l
static int repetition_stall_cell(void)
{
	pid_t grp = getpgrp();
	if (grp != getpid())
		return 0;
	pid_t h = fork();
	if (h == 0) {
		struct timespec ts = { 0, STALL_NS };
		setpgid(0, 0);
		kill(-grp, SIGSTOP);
		nanosleep(&ts, NULL);
		kill(-grp, SIGCONT);
		_exit(0);
	}
	return h > 0 ? h : 0;
}

/* Hand the fault to its worker: flag the slot, then raise the worker's checkpoint request
 * (the flag task_checkpoint polls; drivers point t->brk before spawn returns). */
static void inject_fault(struct repetition *p, int kind)
{
	struct run *r = &p->run;
	if (kind == TASK_FAULT_STALL) {
		p->staller = repetition_stall_cell();
		return;
	}
	unsigned w = (unsigned)run_knob_int(r, "fault_worker");
	atomic_store(&r->sh->slot[w].fault, (unsigned)kind);
	atomic_store(r->tasks[w].brk, 1);
}

/* ---- the phases, in the order repetition_run() calls them ---- */

/* init: the run as the driver and the workload see it, then the driver's init. */
static int rep_init(struct repetition *p)
{
	const struct cell_spec *spec = p->cell->spec;
	struct run *r = &p->run;
	r->wl = spec->wl;
	r->drv = spec->drv;
	r->nworkers = spec->workers;
	r->knobs = &spec->knobs;
	r->pus = p->cell->pus;
	r->duration_ns = (uint64_t)(p->cell->cfg->duration_s * 1e9);
	p->out.ok = 1;
	p->out.mem_delta_kb = p->out.mem_per_worker_kb = NAN;
	p->mem_alive = NAN;
	int rc = r->drv->init(r);
	if (rc < 0)
		return rep_fail(&p->out, "driver %s: init failed: %s", r->drv->name, r->err[0] ? r->err : strerror(-rc));
	return 0;
}

/* shm_alloc: the control block (one slot per worker) and the workers' task handles; then the
 * harness's own knobs are checked against the cell. */
static int rep_alloc(struct repetition *p)
{
	struct run *r = &p->run;
	unsigned n = r->nworkers;
	r->sh = r->drv->shm_alloc(r, sizeof(struct run_shared) + (size_t)n * sizeof(struct task_slot));
	r->tasks = calloc(n, sizeof *r->tasks);
	if (!r->sh || !r->tasks)
		return rep_fail(&p->out, "out of memory for %u workers", n);
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
	if (fw && fw->num >= n)
		return rep_fail(&p->out, "fault_worker %.0f does not exist (the cell has %u workers)", fw->num, n);
	return 0;
}

/* setup: the workload's, in this process before any worker exists. -ENOTSUP: skip the cell. */
static int rep_setup(struct repetition *p)
{
	struct run *r = &p->run;
	int rc = r->wl->setup ? r->wl->setup(r) : 0;
	if (rc == -ENOTSUP) {
		snprintf(p->out.error, sizeof p->out.error, "%s", r->err[0] ? r->err : "not supported here");
		p->out.ok = 0;
		return -ENOTSUP;
	}
	if (rc)
		return rep_fail(&p->out, "setup failed: %s", r->err[0] ? r->err : strerror(rc < 0 ? -rc : EINVAL));
	return 0;
}

/* The start gate: wait until every worker parked there (or one is done already, or the
 * timeout + 5 s passed: then fail). */
static void wait_gate(struct repetition *p)
{
	struct run *r = &p->run;
	unsigned n = r->nworkers;
	uint64_t deadline = task_now_ns() + (uint64_t)((p->cell->cfg->timeout_s + 5) * 1e9);
	while (p->out.ok) {
		unsigned k = atomic_load(&r->sh->ready);
		if (k >= n)
			break;
		if (r->drv->reap)
			r->drv->reap(r);
		if (atomic_load(&r->sh->done) > 0 || task_now_ns() > deadline) {
			rep_fail(&p->out, "only %u of %u workers reached the start gate", k, n);
			break;
		}
		futex_wait(&r->sh->ready, k, 10000000, 1);
	}
}

/* spawn x N, then the start gate: everyone parks there before the clock starts.
 *
 * Memory per worker: the cell's memory with every worker alive (parked at the gate) or just
 * done (after stop, before join), whichever is larger, minus the cell's memory before the
 * first repetition's spawn. Not before this repetition's: glibc keeps the stacks of joined
 * threads for reuse, so from the second repetition on they would already be counted and
 * threads would look free. */
static void rep_spawn(struct repetition *p)
{
	struct run *r = &p->run;
	unsigned n = r->nworkers;
	if (!isfinite(p->cell->mem_base))
		p->cell->mem_base = procmem_group_kb();
	uint64_t t0 = task_now_ns();
	for (; p->spawned < n; p->spawned++) {
		int rc = r->drv->spawn(r, &r->tasks[p->spawned]);
		if (rc < 0) {
			rep_fail(&p->out, "spawning worker %u of %u failed: %s", p->spawned, n, strerror(-rc));
			break;
		}
	}
	wait_gate(p);
	p->out.spawn_s = (double)(task_now_ns() - t0) / 1e9;
	if (p->out.ok)
		p->mem_alive = procmem_group_kb();
}

/* start: the clock starts and the gate opens. */
static void rep_start(struct repetition *p)
{
	struct run *r = &p->run;
	interference_begin(&p->probe, r->sh->slot, p->spawned);
	sampler_begin(&p->smp);
	p->t_start = task_now_ns();
	int rc = p->out.ok ? r->drv->start(r) : 0;
	if (rc < 0)
		rep_fail(&p->out, "driver %s: start failed: %s", r->drv->name, strerror(-rc));
}

/* run: while the workers run, sample every tick and deliver the fault when it is due, until
 * the duration is over or, for a self-bounded workload, every worker is done (or the timeout
 * passed, or a worker failed). */
static void rep_watch(struct repetition *p)
{
	struct run *r = &p->run;
	const struct runner_config *cfg = p->cell->cfg;
	unsigned n = r->nworkers;
	int bounded = (r->wl->flags & WORKLOAD_SELF_BOUNDED) != 0, failed = 0;
	uint64_t end = p->t_start + (bounded ? (uint64_t)(cfg->timeout_s * 1e9) : r->duration_ns);
	uint64_t next_tick = p->t_start + TICK_NS;
	const struct knobval *fk = opt_get(r->knobs, "fault");
	int fault = fk ? fk->choice : TASK_FAULT_NONE;
	uint64_t fault_at = fault ? p->t_start + (uint64_t)run_knob_int(r, "fault_after_ms") * 1000000u : UINT64_MAX;
	for (;;) {
		unsigned d = atomic_load(&r->sh->done);
		uint64_t now = task_now_ns();
		if (d >= n || now >= end)
			break;
		if (now >= fault_at) {
			inject_fault(p, fault);
			fault_at = UINT64_MAX;
		}
		if (now >= next_tick) {
			sampler_tick(&p->smp);
			interference_refresh(&p->probe);
			if (r->drv->reap)
				r->drv->reap(r);
			next_tick += TICK_NS;
			/* A self-bounded run cannot complete once a worker failed (the others may
			 * wait for it forever): stop it now, the failure is reported after join. */
			if (bounded && (failed = any_failed(r, p->spawned)))
				break;
		}
		uint64_t wake = end < next_tick ? end : next_tick;
		wake = fault_at < wake ? fault_at : wake;
		wake = now + INTERFERENCE_POLL_NS < wake ? now + INTERFERENCE_POLL_NS : wake;
		/* Late (descheduled past the next tick on a busy machine): do not wait. Without
		 * the check, wake - now wraps around and the cell waits for the watchdog. */
		futex_wait(&r->sh->done, d, wake > now ? wake - now : 0, 1);
		interference_woke(&p->probe, wake, task_now_ns());
	}
	interference_end(&p->probe);
	if (bounded && !failed && atomic_load(&r->sh->done) < n)
		rep_fail(&p->out, "workers did not finish their work within the %.0f s timeout", cfg->timeout_s);
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

/* Workers that did not stop within the grace period: the repetition fails saying which. */
static void report_hung(struct repetition *p)
{
	struct run *r = &p->run;
	double grace_s = p->cell->cfg->stop_grace_s;
	char who[256];
	hung_list(r, p->spawned, who, sizeof who);
	/* Workers often hang because another one died (they wait for what it would have
	 * sent): name the dead one first. */
	const char *cause = NULL;
	for (unsigned i = 0; i < p->spawned && !cause; i++)
		if (atomic_load(&r->sh->slot[i].state) == TASK_FAILED && r->sh->slot[i].err[0])
			cause = r->sh->slot[i].err;
	if (cause)
		rep_fail(&p->out, "%s; then worker(s) %s did not stop within %.1f s of the stop request", cause, who,
		         grace_s);
	else
		rep_fail(&p->out, "worker(s) %s did not stop within %.1f s of the stop request (hung)", who, grace_s);
}

/* The repetition's interference and whether it was disturbed (interference.h). */
static void judge_rep(struct repetition *p)
{
	struct rep_result *o = &p->out;
	struct interference_in in;
	struct interference_verdict v;
	if (p->staller > 0) {
		waitpid(p->staller, NULL, 0);
		p->staller = 0;
	}
	interference_input(&p->probe, p->cell->pus, p->run.nworkers, o->cpu_user_s + o->cpu_sys_s, o->wall_s, &in);
	interference_judge(&in, &v);
	o->steal_s = in.steal_s;
	o->other_load_cores = in.other_load_cores;
	o->other_load_pu_cores = in.other_load_pu_cores;
	o->migrations = in.migrations;
	o->run_delay_s = in.run_delay_s;
	o->helper_cpu_s = in.helper_cpu_s;
	o->stall_s = in.stall_s;
	o->disturbed = v.disturbed;
	snprintf(o->disturbed_by, sizeof o->disturbed_by, "%s", v.by);
}

/* stop: every worker is asked to stop and waited for, then measured. -ETIMEDOUT if some hung:
 * the cell is poisoned (hung workers still use the memory: do not join or free it). */
static int rep_stop(struct repetition *p)
{
	struct run *r = &p->run;
	struct rep_result *o = &p->out;
	if (stop_workers(r, p->spawned, p->cell->cfg->stop_grace_s)) {
		report_hung(p);
		p->cell->poisoned = 1;
		fill_rep(r, o, p->t_start, &p->smp);
		return -ETIMEDOUT;
	}
	if (r->drv->account)
		r->drv->account(r);
	sampler_tick(&p->smp);
	fill_rep(r, o, p->t_start, &p->smp);
	judge_rep(p);
	/* Again now that every worker is done and idle (threads and coroutines keep their stacks
	 * until join; exited processes count nothing, so for them the gate figure stands). Never
	 * while workers run: with many busy workers the scan would get a sliver of a core. */
	if (o->ok) {
		double m = procmem_group_kb();
		if (isfinite(m) && !(m <= p->mem_alive))
			p->mem_alive = m;
	}
	o->mem_delta_kb = p->mem_alive - p->cell->mem_base;
	o->mem_per_worker_kb = o->mem_delta_kb / r->nworkers;
	return 0;
}

/* join, then the driver's metrics; a worker's failure and whether the fault was delivered. */
static void rep_join(struct repetition *p)
{
	struct run *r = &p->run;
	uint64_t tj = task_now_ns();
	int rc = r->drv->join(r);
	p->out.join_s = (double)(task_now_ns() - tj) / 1e9;
	if (rc)
		rep_fail(&p->out, "%s", r->err[0] ? r->err : "a worker failed");
	if (r->drv->metrics)
		r->drv->metrics(r);
	for (unsigned i = 0; i < r->nworkers && p->out.ok; i++)
		if (r->sh->slot[i].rc)
			rep_fail(&p->out, "worker %u failed: %s", i, r->sh->slot[i].err);
	const struct knobval *fk = opt_get(r->knobs, "fault");
	if (fk && fk->choice != TASK_FAULT_NONE) {
		/* The worker clears the flag when it performs the fault; a worker that never reached
		 * a task API call after fault_after_ms (finished, or starved by its driver) did not. */
		unsigned w = (unsigned)run_knob_int(r, "fault_worker");
		run_metric(r, "fault_delivered", atomic_load(&r->sh->slot[w].fault) == TASK_FAULT_NONE);
	}
}

/* verify: the workload's invariants (only if nothing failed so far); its metrics and the
 * driver's go with the repetition. */
static void rep_verify(struct repetition *p)
{
	struct run *r = &p->run;
	struct rep_result *o = &p->out;
	if (o->ok && r->wl->verify && r->wl->verify(r))
		rep_fail(o, "verify failed: %s", r->err[0] ? r->err : "invariant violated");
	o->nmetrics = r->nmetrics;
	o->metrics = r->metrics;
	o->nwmetrics = r->nwmetrics;
	o->wmetrics = r->wmetrics;
}

int repetition_run(struct repetition_cell *c, struct repetition *p, int warmup, unsigned index)
{
	memset(p, 0, sizeof *p);
	p->cell = c;
	p->out.warmup = warmup;
	p->out.index = index;
	if (rep_init(p))
		return -1;
	if (rep_alloc(p))
		return 0; /* failed before setup: the cell goes on (see repetition.h) */
	int rc = rep_setup(p);
	if (rc)
		return rc == -ENOTSUP ? rc : -1;
	rep_spawn(p);
	rep_start(p);
	if (p->out.ok)
		rep_watch(p);
	if (rep_stop(p))
		return -1; /* poisoned: no teardown, the workers may still use what it frees */
	rep_join(p);
	rep_verify(p);
	if (p->run.wl->teardown)
		p->run.wl->teardown(&p->run);
	return p->out.ok ? 0 : -1;
}

void repetition_release(struct repetition *p)
{
	struct run *r = &p->run;
	free_rep(&p->out);
	sampler_free(&p->smp);
	if (p->cell->poisoned)
		return;
	run_metrics_free(r);
	free(r->tasks);
	r->tasks = NULL;
	r->drv->cleanup(r);
}

double repetition_metric(const struct rep_result *o, const char *name)
{
	static const struct { const char *name; size_t off; } harness[] = {
		{ "ops_per_s", offsetof(struct rep_result, ops_per_s) },
		{ "wall_s", offsetof(struct rep_result, wall_s) },
		{ "util_cores", offsetof(struct rep_result, util_cores) },
		{ "ops", offsetof(struct rep_result, ops) },
		{ "fairness", offsetof(struct rep_result, fairness) },
	};
	for (size_t i = 0; i < sizeof harness / sizeof *harness; i++)
		if (!strcmp(harness[i].name, name))
			return *(const double *)((const char *)o + harness[i].off);
	for (unsigned i = 0; i < o->nmetrics; i++)
		if (!strcmp(o->metrics[i].name, name))
			return o->metrics[i].value;
	return NAN;
}
