/* interference: the reading and the rule of interference.h. */
#define _GNU_SOURCE
#include "bench/core/interference.h"

#include <dirent.h>
#include <math.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* ---- the rule ---- */

#define STEAL_FRAC 0.02         /* of wall x PUs */
#define OTHER_LOAD_MIN 0.15     /* cores, on top of a tick per PU at each end of the window */
#define RUN_DELAY_FRAC 0.05     /* of threads x wall, beyond oversubscription */
#define STALL_MIN_S 0.020
#define STALL_FRAC 0.05         /* of wall */

static const char *const reason_names[] = { "steal", "other_load", "run_delay", "stall" };

const char *interference_reason_name(unsigned bit_index)
{
	return bit_index < sizeof reason_names / sizeof *reason_names ? reason_names[bit_index] : NULL;
}

static unsigned judge_bits(const struct interference_in *in)
{
	unsigned bits = 0, pus = in->npus ? in->npus : 1;
	double wall = in->wall_s, tick = in->tick_s > 0 ? in->tick_s : 0.01;
	if (!(wall > 0))
		return 0; /* nothing ran: nothing to judge */
	if (in->steal_s > STEAL_FRAC * wall * pus && in->steal_s > tick)
		bits |= INTERFERENCE_STEAL;
	if (in->other_load_pu_cores > OTHER_LOAD_MIN + 2 * pus * tick / wall)
		bits |= INTERFERENCE_OTHER_LOAD;
	if (in->nthreads) {
		double over = in->nthreads > pus ? (double)(in->nthreads - pus) * wall : 0;
		if (in->run_delay_s - over - in->helper_cpu_s > RUN_DELAY_FRAC * in->nthreads * wall)
			bits |= INTERFERENCE_RUN_DELAY;
	}
	/* oversubscribed (more worker threads than PUs), the cell itself keeps the supervising
	 * thread from running: its late wake-ups say nothing about the outside */
	int over = in->nthreads > pus;
	if (!over && in->stall_s >= STALL_MIN_S && in->stall_s >= STALL_FRAC * wall)
		bits |= INTERFERENCE_STALL;
	return bits;
}

int interference_alike(const struct interference_in *a, const struct interference_in *b)
{
	unsigned pus = a->npus ? a->npus : 1, thr = a->nthreads ? a->nthreads : 1;
	double tick = a->tick_s > 0 ? a->tick_s : 0.01;
	if (!(a->wall_s > 0) || !(b->wall_s > 0))
		return 0;
	double wall = fmin(a->wall_s, b->wall_s);
	double ra = (a->run_delay_s - a->helper_cpu_s) / a->wall_s, rb = (b->run_delay_s - b->helper_cpu_s) / b->wall_s;
	return fabs(a->steal_s / a->wall_s - b->steal_s / b->wall_s) <= STEAL_FRAC * pus + tick / wall &&
	       fabs(a->other_load_pu_cores - b->other_load_pu_cores) <= OTHER_LOAD_MIN + 2 * pus * tick / wall &&
	       fabs(ra - rb) <= RUN_DELAY_FRAC * thr;
}

void interference_judge(const struct interference_in *in, struct interference_verdict *out)
{
	size_t off = 0;
	memset(out, 0, sizeof *out);
	out->reasons = judge_bits(in);
	out->disturbed = out->reasons != 0;
	for (unsigned b = 0; interference_reason_name(b); b++)
		if (out->reasons & (1u << b))
			off += (size_t)snprintf(out->by + off, sizeof out->by - off, "%s%s", off ? "," : "",
			                        interference_reason_name(b));
}

/* ---- the reading ---- */

static uint64_t thread_cpu_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The run delay (schedstat's 2nd field) and, with migr, the migrations of tid. 0, or -1 (gone,
 * or no schedstats: nothing changes). */
static int read_thread(int tid, uint64_t *delay, uint64_t *migr)
{
	char path[64], line[256];
	unsigned long long on, wait;
	snprintf(path, sizeof path, "/proc/%d/schedstat", tid);
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	int ok = fscanf(f, "%llu %llu", &on, &wait) == 2;
	fclose(f);
	if (!ok)
		return -1;
	*delay = wait;
	snprintf(path, sizeof path, "/proc/%d/sched", tid);
	if (!migr || !(f = fopen(path, "r")))
		return 0; /* no CONFIG_SCHED_DEBUG: migrations stay as they were */
	while (fgets(line, sizeof line, f)) {
		unsigned long long m;
		if (!strncmp(line, "se.nr_migrations", 16) && sscanf(strchr(line, ':') ? strchr(line, ':') + 1 : "", "%llu", &m) == 1) {
			*migr = m;
			break;
		}
	}
	fclose(f);
	return 0;
}

/* Read every thread; with migrations also /proc/<tid>/sched (50 lines: at the gate and the
 * end only, so that a tick costs a short read per thread). */
static void read_threads(struct interference_probe *p, int migrations)
{
	for (unsigned i = 0; i < p->nthreads; i++) {
		struct interference_thread *t = &p->thr[i];
		uint64_t d = t->delay, m = t->migr;
		if (read_thread(t->tid, &d, migrations ? &m : NULL))
			continue;
		if (!t->seen) {
			t->delay0 = d;
			t->migr0 = m;
			t->seen = 1;
		}
		t->delay = d;
		t->migr = m;
	}
}

/* The schedstat time on a CPU of tid (1st field), ns; -1 if it is gone. */
static int read_on_cpu(int tid, uint64_t *on)
{
	char path[64];
	unsigned long long v;
	snprintf(path, sizeof path, "/proc/%d/schedstat", tid);
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	int ok = fscanf(f, "%llu", &v) == 1;
	fclose(f);
	if (ok)
		*on = v;
	return ok ? 0 : -1;
}

static int is_worker_tid(const struct interference_probe *p, int tid)
{
	for (unsigned i = 0; i < p->nthreads; i++)
		if (p->thr[i].tid == tid)
			return 1;
	return 0;
}

/* The thread group (process) of tid from /proc/<tid>/status; 0 if it is gone. */
static int tgid_of(int tid)
{
	char path[64], line[128];
	int tgid = 0;
	snprintf(path, sizeof path, "/proc/%d/status", tid);
	FILE *f = fopen(path, "r");
	while (f && !tgid && fgets(line, sizeof line, f))
		if (sscanf(line, "Tgid: %d", &tgid) != 1)
			tgid = 0;
	if (f)
		fclose(f);
	return tgid;
}

/* The threads of worker process tgid that are not workers become helpers (each once); found at
 * the gate, their time on a CPU so far is their baseline; found later, they were born since. */
static void list_helpers(struct interference_probe *p, int tgid, int at_gate)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/task", tgid);
	DIR *d = opendir(path);
	struct dirent *e;
	while (d && (e = readdir(d)) && p->nhelpers < INTERFERENCE_MAX_HELPERS) {
		int tid = atoi(e->d_name);
		unsigned k = 0;
		while (k < p->nhelpers && p->helper[k].tid != tid)
			k++;
		if (tid <= 0 || k < p->nhelpers || is_worker_tid(p, tid))
			continue;
		struct interference_helper *h = &p->helper[p->nhelpers++];
		*h = (struct interference_helper){ .tid = tid };
		if (at_gate)
			read_on_cpu(tid, &h->on0);
		h->on = h->on0;
	}
	if (d)
		closedir(d);
}

/* At the gate: the worker processes other than the cell's own (up to INTERFERENCE_MAX_GROUPS),
 * and their other threads. */
static void find_helpers(struct interference_probe *p)
{
	char path[64];
	p->ngroups = p->nhelpers = 0;
	for (unsigned i = 0; i < p->nthreads && p->ngroups < INTERFERENCE_MAX_GROUPS; i++) {
		snprintf(path, sizeof path, "/proc/self/task/%d", p->thr[i].tid);
		if (!access(path, F_OK))
			continue; /* a thread of this process: the thread, gil and coroutine drivers */
		int tgid = tgid_of(p->thr[i].tid);
		unsigned g = 0;
		while (g < p->ngroups && p->group[g] != tgid)
			g++;
		if (tgid <= 0 || g < p->ngroups)
			continue;
		p->group[p->ngroups++] = tgid;
		list_helpers(p, tgid, 1);
	}
}

/* At the end: helpers born since the gate, and every helper's time on a CPU (one that is gone
 * keeps its last reading). */
static void read_helpers(struct interference_probe *p)
{
	for (unsigned g = 0; g < p->ngroups; g++)
		list_helpers(p, p->group[g], 0);
	for (unsigned k = 0; k < p->nhelpers; k++)
		read_on_cpu(p->helper[k].tid, &p->helper[k].on);
}

void interference_refresh(struct interference_probe *p)
{
	read_threads(p, 0);
}

void interference_begin(struct interference_probe *p, const struct task_slot *slots, unsigned n)
{
	p->nthreads = 0;
	p->max_late_ns = 0;
	for (unsigned i = 0; i < n; i++) {
		int tid = slots[i].tid;
		unsigned k = 0;
		while (k < p->nthreads && p->thr[k].tid != tid)
			k++;
		if (tid > 0 && k == p->nthreads && p->nthreads < INTERFERENCE_MAX_TIDS)
			p->thr[p->nthreads++] = (struct interference_thread){ .tid = tid };
	}
	read_threads(p, 1);
	find_helpers(p);
	sampler_stat_read(&p->stat0);
	p->stat1 = p->stat0;
	p->self_cpu0 = p->self_cpu1 = thread_cpu_ns();
}

void interference_woke(struct interference_probe *p, uint64_t due, uint64_t now)
{
	if (now > due && now - due > p->max_late_ns)
		p->max_late_ns = now - due;
}

void interference_end(struct interference_probe *p)
{
	read_threads(p, 1);
	read_helpers(p);
	if (sampler_stat_read(&p->stat1) || p->stat1.ncpus != p->stat0.ncpus)
		p->stat1 = p->stat0; /* unreadable or CPUs changed: no figures rather than wrong ones */
	p->self_cpu1 = thread_cpu_ns();
}

/* Whether CPU index c of the /proc/stat reading is one the workers run on. */
static int on_workers_pu(const struct sampler_stat *st, unsigned c, const int *pus, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (pus[i] < 0 || pus[i] == st->cpus[c])
			return 1;
	return 0;
}

void interference_input(const struct interference_probe *p, const int *pus, unsigned nworkers, double worker_cpu_s,
                        double wall_s, struct interference_in *in)
{
	const struct sampler_stat *a = &p->stat0, *b = &p->stat1;
	double tick = 1.0 / (double)sysconf(_SC_CLK_TCK), busy = 0, busy_pu = 0, steal_pu = 0, span = 0;
	unsigned npus = 0;
	memset(in, 0, sizeof *in);
	for (unsigned c = 0; c < a->ncpus; c++) {
		double bz = (double)((b->busy[c] - a->busy[c]) - (b->steal[c] - a->steal[c])) * tick;
		span += (double)(b->total[c] - a->total[c]) * tick;
		busy += bz;
		if (pus && on_workers_pu(a, c, pus, nworkers)) {
			busy_pu += bz;
			steal_pu += (double)(b->steal[c] - a->steal[c]) * tick;
			npus++;
		}
	}
	span = a->ncpus ? span / a->ncpus : 0; /* the time /proc/stat covered, s */
	double self = (double)(p->self_cpu1 - p->self_cpu0) / 1e9;
	in->wall_s = wall_s;
	in->tick_s = tick;
	in->npus = npus;
	in->nthreads = p->nthreads;
	in->steal_s = steal_pu;
	in->other_load_cores = span > 0 ? fmax(0, busy - worker_cpu_s - self) / span : 0;
	in->other_load_pu_cores = span > 0 ? fmax(0, busy_pu - worker_cpu_s) / span : 0;
	for (unsigned i = 0; i < p->nthreads; i++) {
		in->run_delay_s += (double)(p->thr[i].delay - p->thr[i].delay0) / 1e9;
		in->migrations += (double)(p->thr[i].migr - p->thr[i].migr0);
	}
	for (unsigned k = 0; k < p->nhelpers; k++)
		if (p->helper[k].on > p->helper[k].on0)
			in->helper_cpu_s += (double)(p->helper[k].on - p->helper[k].on0) / 1e9;
	in->stall_s = (double)p->max_late_ns / 1e9;
}
