/* interference: the reading and the rule of interference.h. */
#define _GNU_SOURCE
#include "bench/core/interference.h"

#include <math.h>
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
		if (in->run_delay_s - over > RUN_DELAY_FRAC * in->nthreads * wall)
			bits |= INTERFERENCE_RUN_DELAY;
	}
	/* oversubscribed (more worker threads than PUs), the cell itself keeps the supervising
	 * thread from running: its late wake-ups say nothing about the outside */
	int over = in->nthreads > pus;
	if (!over && in->stall_s >= STALL_MIN_S && in->stall_s >= STALL_FRAC * wall)
		bits |= INTERFERENCE_STALL;
	return bits;
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
	in->stall_s = (double)p->max_late_ns / 1e9;
}
