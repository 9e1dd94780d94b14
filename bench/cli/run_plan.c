/* run_plan: bench run's command line -> plan -> cells, nothing run (see run_plan.h). */
#define _GNU_SOURCE
#include "bench/cli/run_plan.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/driver.h"
#include "bench/core/log.h"
#include "bench/core/reps.h"
#include "bench/core/task.h"
#include "bench/stats/fmt.h"
#include "bench/store/escape.h"
#include "bench/store/results.h"
#include "bench/machine/topo.h"
#include "workloads/workload.h"

static int oom(void)
{
	log_err("run", "out of memory");
	return -ENOMEM;
}

/* Calls add(item, p) for each comma-separated item of arg (a NUL-terminated copy). */
static int each_item(const char *arg, const char *what, int (*add)(const char *, struct run_plan *),
                     struct run_plan *p)
{
	for (const char *s = arg;;) {
		size_t k = strcspn(s, ",");
		if (k == 0) {
			log_err("run", "%s: bad list '%s'", what, arg);
			return -EINVAL;
		}
		char *item = strndup(s, k);
		if (!item)
			return oom();
		int rc = add(item, p);
		free(item);
		if (rc)
			return rc;
		s += k;
		if (!*s)
			return 0;
		s++;
	}
}

/* The selections hold each registry entry at most once, so they never outgrow the registry. */
static int push_workload(struct run_plan *p, const struct workload *w)
{
	for (unsigned i = 0; i < p->nwl; i++)
		if (p->wl[i] == w)
			return 0;
	if (!p->wl && !(p->wl = calloc(workload_count, sizeof *p->wl)))
		return oom();
	p->wl[p->nwl++] = w;
	return 0;
}

static int push_driver(struct run_plan *p, const struct driver_ops *d)
{
	for (unsigned i = 0; i < p->ndrv; i++)
		if (p->drv[i] == d)
			return 0;
	if (!p->drv && !(p->drv = calloc(driver_count, sizeof *p->drv)))
		return oom();
	p->drv[p->ndrv++] = d;
	return 0;
}

static int add_workload(const char *name, struct run_plan *p)
{
	const struct workload *w = workload_find(name);
	if (!w) {
		log_err("run", "unknown workload '%s' (see bench list)", name);
		return -EINVAL;
	}
	return push_workload(p, w);
}

static int add_driver(const char *name, struct run_plan *p)
{
	const struct driver_ops *d = driver_find(name);
	if (!d) {
		log_err("run", "unknown driver '%s' (see bench list)", name);
		return -EINVAL;
	}
	if (d->unsupported) {
		log_err("run", "driver %s is unavailable here: %s", d->name, d->unsupported);
		return -EINVAL;
	}
	return push_driver(p, d);
}

static int push_workers(struct run_plan *p, unsigned n)
{
	for (unsigned i = 0; i < p->nworkers; i++)
		if (p->workers[i] == n)
			return 0;
	if (p->nworkers == RUN_PLAN_MAX_CELLS) {
		/* each worker count is at least one cell: this plan is over the cap already */
		log_err("run", "-n: more than %u different worker counts (a plan has at most %u cells)",
		        RUN_PLAN_MAX_CELLS, RUN_PLAN_MAX_CELLS);
		return -EINVAL;
	}
	if (p->nworkers == p->workers_cap) {
		unsigned cap = p->workers_cap ? p->workers_cap * 2 : 8;
		unsigned *v = realloc(p->workers, cap * sizeof *v);
		if (!v)
			return oom();
		p->workers = v;
		p->workers_cap = cap;
	}
	p->workers[p->nworkers++] = n;
	return 0;
}

static int add_workers(const char *item, struct run_plan *p)
{
	uint64_t v;
	if (opt_parse_u64(item, 1, TASK_MAX_WORKERS, &v)) {
		log_err("run", "-n: '%s' is not a worker count from 1 to %u", item, TASK_MAX_WORKERS);
		return -EINVAL;
	}
	return push_workers(p, (unsigned)v);
}

static int add_assign(const char *arg, struct run_plan *p)
{
	char err[300];
	struct knob_assign a;
	if (p->nassign >= RUN_PLAN_MAX_ASSIGN) {
		log_err("run", "-O: at most %d knobs", RUN_PLAN_MAX_ASSIGN);
		return -EINVAL;
	}
	if (opt_split_assign(arg, &a, err, sizeof err)) {
		log_err("run", "%s", err);
		return -EINVAL;
	}
	for (unsigned i = 0; i < p->nassign; i++)
		if (!strcmp(p->assign[i].name, a.name)) {
			log_err("run", "-O %s given twice", a.name);
			return -EINVAL;
		}
	if (!p->assign && !(p->assign = calloc(RUN_PLAN_MAX_ASSIGN, sizeof *p->assign)))
		return oom();
	p->assign[p->nassign++] = a;
	return 0;
}

/* The settings: --reps, --warmup (counts), --duration, --timeout (seconds), their ranges. */
static const struct {
	const char *name, *what;
	double min, max;
} settings[] = { { "--reps", "auto or a count", 1, 10000 }, { "--warmup", "a count", 0, 1000 },
		 { "--duration", "a number of seconds", 0.001, 86400 },
		 { "--timeout", "a number of seconds", 0.1, 86400 } };

int run_plan_set(struct run_plan *p, enum run_setting which, const char *arg)
{
	uint64_t u = 0;
	double d = 0;
	int rc = which < RUN_SET_DURATION
	                 ? opt_parse_u64(arg, (uint64_t)settings[which].min, (uint64_t)settings[which].max, &u)
	                 : opt_parse_double(arg, settings[which].min, settings[which].max, &d);
	if (which == RUN_SET_REPS && rc && !strcmp(arg, "auto")) {
		p->cfg.reps_auto = 1;
		p->cfg.reps = REPS_AUTO_MIN;
		return 0;
	}
	if (rc)
		return -EINVAL;
	switch (which) {
	case RUN_SET_REPS: p->cfg.reps = (unsigned)u; p->cfg.reps_auto = 0; break;
	case RUN_SET_WARMUP: p->cfg.warmup = (unsigned)u; break;
	case RUN_SET_DURATION: p->cfg.duration_s = d; break;
	default: p->cfg.timeout_s = d;
	}
	return 0;
}

/* A setting from the command line: strict, one line when refused, remembered as given. */
static int parse_setting(struct run_plan *p, enum run_setting which, const char *arg)
{
	if (run_plan_set(p, which, arg)) {
		log_err("run", "%s: '%s' is not %s from %g to %g", settings[which].name, arg, settings[which].what,
		        settings[which].min, settings[which].max);
		return -EINVAL;
	}
	p->set[which] = 1;
	return 0;
}

enum { O_PIN = 256, O_REPS, O_WARMUP, O_DURATION, O_TIMEOUT, O_ALL, O_BASELINE, O_CONFIRM, O_KEEP, O_BUDGET, O_CLAIMS, O_DRY_RUN, O_JSON };
static const struct option run_long[] = {
	{ "all", no_argument, 0, O_ALL }, { "workload", required_argument, 0, 'w' },
	{ "driver", required_argument, 0, 'd' }, { "workers", required_argument, 0, 'n' },
	{ "pin", required_argument, 0, O_PIN }, { "reps", required_argument, 0, O_REPS },
	{ "warmup", required_argument, 0, O_WARMUP }, { "duration", required_argument, 0, O_DURATION },
	{ "timeout", required_argument, 0, O_TIMEOUT }, { "output", required_argument, 0, 'o' },
	{ "quiet", no_argument, 0, 'q' }, { "help", no_argument, 0, 'h' },
	{ "baseline", required_argument, 0, O_BASELINE }, { "confirm", no_argument, 0, O_CONFIRM },
	{ "keep-disturbed", no_argument, 0, O_KEEP }, { "cell-budget", required_argument, 0, O_BUDGET },
	{ "claims", no_argument, 0, O_CLAIMS }, { "dry-run", no_argument, 0, O_DRY_RUN },
	{ "json", no_argument, 0, O_JSON }, COMPARE_LONG_OPTIONS, { 0 }
};
#define RUN_SHORT ":w:d:n:O:o:qh"

/* getopt_long said '?': an unknown short option (optopt is its letter), or a long option that
 * is unknown or ambiguous (optopt 0) or was given a value it does not take (optopt is its code). */
static void bad_option(char **argv)
{
	const char *a = argv[optind - 1];
	int known = optopt >= 256 || (optopt && optopt != ':' && strchr(RUN_SHORT, optopt));
	if (!optopt)
		log_err("run", "unknown option '%s' (see bench run --help)", a);
	else if (known)
		log_err("run", "option '%s' takes no value (see bench run --help)", a);
	else
		log_err("run", "unknown option '-%c' (see bench run --help)", optopt);
}

/* One option of the loop; 1: stop (help), 0: go on, <0: refused. */
static int one_option(struct run_plan *p, int c, char **argv)
{
	switch (c) {
	case O_ALL: p->all = 1; return 0;
	case O_CLAIMS: p->claims = 1; return 0;
	case 'w': return each_item(optarg, "-w", add_workload, p);
	case 'd': return each_item(optarg, "-d", add_driver, p);
	case 'n': return each_item(optarg, "-n", add_workers, p);
	case 'O': return add_assign(optarg, p);
	case O_PIN: p->pin = optarg; p->pin_set = 1; return 0;
	case O_REPS: case O_WARMUP: case O_DURATION: case O_TIMEOUT: return parse_setting(p, (enum run_setting)(c - O_REPS), optarg);
	case 'o': p->output = optarg; return 0;
	case 'q': p->quiet = 1; return 0;
	case 'h': p->help = 1; return 1;
	case O_BASELINE: p->baseline = optarg; return 0;
	case O_CONFIRM: p->confirm = 1; return 0;
	case O_KEEP: p->cfg.keep_disturbed = 1; return 0;
	case O_DRY_RUN: p->dry_run = 1; return 0;
	case O_JSON: p->json = 1; return 0;
	case O_BUDGET:
		if (opt_parse_double(optarg, 0.001, 86400, &p->cfg.cell_budget_s)) {
			log_err("run", "--cell-budget: '%s' is not a number of seconds from 0.001 to 86400", optarg);
			return -EINVAL;
		}
		return 0;
	case ':': log_err("run", "option '%s' needs a value", argv[optind - 1]); return -EINVAL;
	case '?': bad_option(argv); return -EINVAL;
	default:
		if (compare_cli_option("compare", c, optarg, &p->copts))
			return -EINVAL;
		p->compare_given = 1;
		return 0;
	}
}

int run_plan_keep_disturbed_env(void)
{
	const char *keep = getenv("BENCH_KEEP_DISTURBED");
	return keep && !strcmp(keep, "1");
}

int run_plan_parse(int argc, char **argv, struct run_plan *p)
{
	int c, rc = 0;
	memset(p, 0, sizeof *p);
	p->cfg = (struct runner_config){ .duration_s = RUN_DEFAULT_DURATION, .reps = RUN_DEFAULT_REPS,
		                         .warmup = RUN_DEFAULT_WARMUP, .timeout_s = RUN_DEFAULT_TIMEOUT,
		                         .stop_grace_s = 5, .run_budget_s = RUN_DEFAULT_RUN_BUDGET };
	p->pin = "spread";
	compare_opts_default(&p->copts);
	opterr = 0;
	optind = 0; /* 0, not 1: glibc then also forgets a half-read group (-qw) of a previous parse */
	while (!rc && (c = getopt_long(argc, argv, RUN_SHORT, run_long, NULL)) != -1)
		rc = one_option(p, c, argv);
	if (rc)
		return rc > 0 ? 0 : rc;
	if (optind < argc) {
		log_err("run", "unexpected argument '%s' (see bench run --help)", argv[optind]);
		return -EINVAL;
	}
	if (run_plan_keep_disturbed_env())
		p->cfg.keep_disturbed = 1;
	if (p->claims && (p->all || p->nwl || p->ndrv || p->nworkers || p->nassign || p->pin_set || p->baseline)) {
		log_err("run", "--claims runs its own cells: it cannot be combined with --all, -w, -d, -n, -O, --pin or "
		               "--baseline");
		return -EINVAL;
	}
	/* --all and --claims survey many cells: --reps auto, unless --reps says otherwise (run_plan.h) */
	if ((p->all || p->claims) && !p->set[RUN_SET_REPS])
		run_plan_set(p, RUN_SET_REPS, "auto");
	if (p->cfg.cell_budget_s > 0 && !p->cfg.reps_auto) {
		log_err("run", "--cell-budget needs --reps auto (the default of --all)");
		return -EINVAL;
	}
	if (p->compare_given && !p->baseline) {
		log_err("run", "compare options need --baseline FILE");
		return -EINVAL;
	}
	if (p->json && !p->dry_run) {
		log_err("run", "--json needs --dry-run (a run's results file is JSON already)");
		return -EINVAL;
	}
	if (p->confirm && !p->baseline) {
		log_err("run", "--confirm needs --baseline FILE");
		return -EINVAL;
	}
	return 0;
}

/* The knob definitions of the name an assignment sets, among the selected workloads and
 * drivers and the harness: at most one per workload and driver, plus the harness's. */
static unsigned knob_defs(const struct run_plan *p, const char *name, const struct knob **defs)
{
	unsigned n = 0;
	for (unsigned i = 0; i < p->nwl + p->ndrv; i++) {
		const struct knob *k = i < p->nwl ? opt_find(p->wl[i]->knobs, name)
		                                  : opt_find(p->drv[i - p->nwl]->knobs, name);
		if (k)
			defs[n++] = k;
	}
	const struct knob *hk = opt_find(runner_knobs, name);
	if (hk)
		defs[n++] = hk;
	return n;
}

static int same_values(const double *a, const double *b, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (a[i] != b[i])
			return 0;
	return 1;
}

/* Every -O name must be a knob of a selected workload or driver (or the harness), and every
 * value must parse against every definition of that name among them. A value that parses to
 * the same value as an earlier one under every definition (iters=300,0300) is the same cell:
 * it is dropped. */
static int check_assign(const struct run_plan *p, struct knob_assign *as, const struct knob **defs)
{
	char err[200];
	unsigned nd = knob_defs(p, as->name, defs), kept = 0;
	if (!nd) {
		log_err("run", "-O: unknown knob '%s' for the selected workloads and drivers (see bench list)", as->name);
		return -EINVAL;
	}
	double *num = calloc((size_t)as->nvals * nd, sizeof *num); /* value kept x definition */
	if (!num)
		return oom();
	for (unsigned v = 0; v < as->nvals; v++) {
		for (unsigned k = 0; k < nd; k++) {
			struct knobval kv;
			if (opt_parse_value(defs[k], as->vals[v], &kv, err, sizeof err)) {
				log_err("run", "-O %s", err);
				free(num);
				return -EINVAL;
			}
			num[kept * nd + k] = kv.num; /* ENUM: the choice's index */
		}
		int dup = 0;
		for (unsigned i = 0; i < kept && !dup; i++)
			dup = same_values(&num[i * nd], &num[kept * nd], nd);
		if (!dup && kept != v)
			memcpy(as->vals[kept], as->vals[v], sizeof as->vals[0]);
		kept += !dup;
	}
	as->nvals = kept;
	free(num);
	return 0;
}

static int check_assignments(struct run_plan *p)
{
	const struct knob **defs = calloc(p->nwl + p->ndrv + 1, sizeof *defs);
	int rc = defs ? 0 : oom();
	for (unsigned a = 0; !rc && a < p->nassign; a++)
		rc = check_assign(p, &p->assign[a], defs);
	free(defs);
	return rc;
}

static int knob_applies(const struct workload *w, const struct driver_ops *d, const char *name)
{
	return opt_find(w->knobs, name) || opt_find(d->knobs, name) || opt_find(runner_knobs, name);
}

/* The number of cells the plan expands to, counted without expanding it (UINT64_MAX if
 * that does not fit). */
static uint64_t count_cells(const struct run_plan *p)
{
	uint64_t total = 0;
	for (unsigned w = 0; w < p->nwl; w++)
		for (unsigned d = 0; d < p->ndrv; d++) {
			uint64_t per = p->nworkers;
			for (unsigned a = 0; a < p->nassign; a++)
				if (knob_applies(p->wl[w], p->drv[d], p->assign[a].name) &&
				    __builtin_mul_overflow(per, (uint64_t)p->assign[a].nvals, &per))
					return UINT64_MAX;
			if (__builtin_add_overflow(total, per, &total))
				return UINT64_MAX;
		}
	return total;
}

static int too_many_cells(const char *source, uint64_t n)
{
	log_err("run", "%s%splan has %s%" PRIu64 " cells, more than the cap of %u (split it into several runs)",
	        source ? source : "", source ? ": " : "", n == UINT64_MAX ? "over " : "", n, RUN_PLAN_MAX_CELLS);
	return -E2BIG;
}

int run_plan_check(const struct cell_spec *cells, unsigned n, const char *source)
{
	if (n > RUN_PLAN_MAX_CELLS)
		return too_many_cells(source, n);
	for (unsigned i = 0; i < n; i++)
		if (cells[i].workers < 1 || cells[i].workers > TASK_MAX_WORKERS) {
			log_err("run", "%s%scell %u (%s/%s) has %u workers: a cell has 1 to %u", source ? source : "",
			        source ? ": " : "", i, cells[i].wl->name, cells[i].drv->name, cells[i].workers,
			        TASK_MAX_WORKERS);
			return -E2BIG;
		}
	return 0;
}

/* --all / -w, and the defaults: every driver (an unavailable one makes skipped cells),
 * workers 1 and the PU count; --pin. */
static int fill_defaults(struct run_plan *p)
{
	char err[300];
	int rc = 0;
	if (!p->all && !p->nwl) {
		log_err("run", "nothing to run: give --all or -w WORKLOAD (see bench list)");
		return -EINVAL;
	}
	/* decided before the loops: each push makes the selection non-empty */
	int every_wl = !p->nwl, every_drv = !p->ndrv;
	for (unsigned i = 0; every_wl && i < workload_count; i++)
		rc = rc ? rc : push_workload(p, workload_table[i]);
	/* every driver but those that launch a program per repetition (the python drivers an
	 * interpreter, 0.15 s; mpi an mpirun job, 0.35 s: with them run --all took 70 s, not
	 * its minute, and mpirun's own CPU disturbs the cells); -d names them */
	for (unsigned i = 0; every_drv && i < driver_count; i++)
		if (!(driver_table[i]->flags & (DRIVER_FOREIGN | DRIVER_EXEC)))
			rc = rc ? rc : push_driver(p, driver_table[i]);
	if (!rc && !p->nworkers) {
		rc = push_workers(p, 1);
		if (!rc && topo_npus() > 1)
			rc = push_workers(p, (unsigned)topo_npus());
	}
	if (rc)
		return rc;
	if (topo_parse_policy(p->pin, &p->cfg.pin, err, sizeof err)) {
		log_err("run", "%s", err);
		return -EINVAL;
	}
	return 0;
}

static int push_cell(struct run_cells *l, const struct cell_spec *c)
{
	if (l->n == l->cap) {
		unsigned cap = l->cap ? l->cap * 2 : 64;
		struct cell_spec *nv = realloc(l->v, cap * sizeof *nv);
		if (!nv)
			return -ENOMEM;
		l->v = nv;
		l->cap = cap;
	}
	l->v[l->n++] = *c;
	return 0;
}

/* The cells of one (workload, driver, workers): one per combination of the values of the
 * assignments that apply to them. one: scratch for RUN_PLAN_MAX_ASSIGN single values. */
static int expand_one(const struct run_plan *p, struct cell_spec c, struct knob_assign *one, struct run_cells *out)
{
	unsigned apply[RUN_PLAN_MAX_ASSIGN], na = 0, idx[RUN_PLAN_MAX_ASSIGN] = { 0 };
	char err[200];
	for (unsigned a = 0; a < p->nassign; a++)
		if (knob_applies(c.wl, c.drv, p->assign[a].name))
			apply[na++] = a;
	for (;;) {
		for (unsigned k = 0; k < na; k++) {
			const struct knob_assign *as = &p->assign[apply[k]];
			memcpy(one[k].name, as->name, sizeof one[k].name);
			memcpy(one[k].vals[0], as->vals[idx[k]], sizeof one[k].vals[0]);
			one[k].nvals = 1;
		}
		if (runner_resolve_knobs(c.wl, c.drv, one, na, &c.knobs, err, sizeof err)) {
			log_err("run", "%s", err);
			return -EINVAL;
		}
		if (push_cell(out, &c))
			return oom();
		unsigned k = 0;
		while (k < na && ++idx[k] == p->assign[apply[k]].nvals)
			idx[k++] = 0;
		if (k == na)
			return 0;
	}
}

/* ------------------------------------------------------------ --claims */

/* The rows of --claims, each a plan of its own (P: the PU count, P1: one more): the claims
 * each row measures (plot/claims.c), and the figures it feeds (plot/figures.c). */
static const char *const claims_rows[] = {
	"-w cpu-spin -n 1,P",                        /* 1, 3; cpu-util, core-timeline, scaling */
	"-w shared-counter -d thread,gil,process -n 2 -O sync=none,atomic,mutex,spin,local", /* 2; the price of each fix */
	"-w shared-counter -d gil -n 2 -O python_version=3.9", /* 2: a CPython that switches mid-statement */
	"-w pingpong -d thread,process -n 2 --pin pus:0,0", /* 4: a hand-off on one PU is a switch */
	"-w pingpong -n 2",                          /* beside 4: across PUs, a wake-up of another CPU */
	"-w sleep-io -n 100 -O count=20",            /* 5: many concurrent waits, cost per task; worker-cost */
	"-w sleep-io -d thread,coroutine -n 20 -O limit=5 -O count=10", /* 6 */
	"-w producer-consumer -d thread,process -n 4", /* 7: two producers, two consumers */
	"-w sleep-io -d gil,thread -n 2 -O spinners=1 -O count=20", /* 8: a waiter beside a spinner */
	"-w task-pool -d thread,process -n 2,P1",    /* a pool of 1, and of P workers */
};

/* A row of claims_rows as an argv ("run" first) with P and P1 replaced; *buf to free. */
static int row_argv(const char *row, char **buf, char **argv, int max)
{
	char p[16], p1[16];
	int argc = 0;
	snprintf(p, sizeof p, "%d", topo_npus() > 1 ? topo_npus() : 2);
	snprintf(p1, sizeof p1, "%d", (topo_npus() > 1 ? topo_npus() : 2) + 1);
	size_t len = strlen(row) * 2 + 64;
	if (!(*buf = malloc(len)))
		return oom();
	char *o = *buf;
	for (const char *s = row; *s;) { /* P1 and P are whole items of a -n list */
		int at_item = s == row || s[-1] == ',' || s[-1] == ' ';
		if (at_item && !strncmp(s, "P1", 2))
			o += sprintf(o, "%s", p1), s += 2;
		else if (at_item && *s == 'P' && (s[1] == ',' || s[1] == ' ' || !s[1]))
			o += sprintf(o, "%s", p), s++;
		else
			*o++ = *s++;
	}
	*o = 0;
	argv[argc++] = "run";
	for (char *save, *t = strtok_r(*buf, " ", &save); t && argc < max - 1; t = strtok_r(NULL, " ", &save))
		argv[argc++] = t;
	argv[argc] = NULL;
	return argc;
}

/* The label of a --claims cell: what sets it apart, e.g. "shared-counter/thread/n=2 sync=mutex
 * pin=pus:0,0" (the knobs and the pin its row sets). */
static void claims_label(const struct run_plan *sub, const struct cell_spec *c, char *buf, size_t len)
{
	size_t off = (size_t)snprintf(buf, len, "%s/%s/n=%u", c->wl->name, c->drv->name, c->workers);
	for (unsigned a = 0; a < sub->nassign && off < len; a++) {
		const struct knobval *v = opt_get(&c->knobs, sub->assign[a].name);
		if (v && strcmp(v->k->name, "count"))
			off += (size_t)snprintf(buf + off, len - off, " %s=%s", v->k->name, v->text);
	}
	if (sub->pin_set && off < len)
		snprintf(buf + off, len - off, " pin=%s", sub->pin);
}

/* Append the cells of row (one plan) to out, with the row's pin and a label each. */
static int claims_row(const char *row, struct run_cells *out, unsigned *cap)
{
	char *buf = NULL, *argv[32];
	struct run_plan sub;
	struct run_cells rc = { 0 };
	int argc = row_argv(row, &buf, argv, 32), err = argc < 0 ? argc : 0;
	if (!err && !(err = run_plan_parse(argc, argv, &sub)))
		err = run_plan_expand(&sub, &rc);
	if (!err && out->n + rc.n > *cap) {
		unsigned ncap = (out->n + rc.n) * 2;
		struct cell_spec *v = realloc(out->v, ncap * sizeof *v);
		struct topo_policy *pins = v ? realloc(out->pins, ncap * sizeof *pins) : NULL;
		char(*labels)[200] = pins ? realloc(out->labels, ncap * sizeof *labels) : NULL;
		out->v = v ? v : out->v;
		out->pins = pins ? pins : out->pins;
		out->labels = labels ? labels : out->labels;
		err = labels ? 0 : oom();
		*cap = labels ? ncap : *cap;
	}
	for (unsigned i = 0; !err && i < rc.n; i++, out->n++) {
		out->v[out->n] = rc.v[i];
		out->pins[out->n] = sub.cfg.pin;
		claims_label(&sub, &rc.v[i], out->labels[out->n], sizeof out->labels[0]);
	}
	run_cells_free(&rc);
	if (argc >= 0)
		run_plan_free(&sub);
	free(buf);
	return err;
}

static int claims_expand(struct run_cells *out)
{
	unsigned cap = 0;
	int rc = 0;
	for (unsigned i = 0; !rc && i < sizeof claims_rows / sizeof claims_rows[0]; i++)
		rc = claims_row(claims_rows[i], out, &cap);
	if (!rc)
		rc = run_plan_check(out->v, out->n, "--claims");
	if (rc)
		run_cells_free(out);
	return rc;
}

int run_plan_expand(struct run_plan *p, struct run_cells *out)
{
	memset(out, 0, sizeof *out);
	if (p->claims)
		return claims_expand(out);
	int rc = fill_defaults(p);
	if (!rc)
		rc = check_assignments(p);
	if (rc)
		return rc;
	uint64_t n = count_cells(p);
	if (n > RUN_PLAN_MAX_CELLS)
		return too_many_cells(NULL, n);
	struct knob_assign *one = calloc(RUN_PLAN_MAX_ASSIGN, sizeof *one);
	if (!one)
		return oom();
	for (unsigned w = 0; !rc && w < p->nwl; w++)
		for (unsigned d = 0; !rc && d < p->ndrv; d++)
			for (unsigned i = 0; !rc && i < p->nworkers; i++)
				rc = expand_one(p, (struct cell_spec){ .wl = p->wl[w], .drv = p->drv[d], .workers = p->workers[i] },
				                one, out);
	free(one);
	if (!rc)
		rc = run_plan_check(out->v, out->n, NULL);
	if (rc) {
		free(out->v);
		memset(out, 0, sizeof *out);
	}
	return rc;
}

void run_cells_free(struct run_cells *c)
{
	free(c->v);
	free(c->pins);
	free(c->labels);
	memset(c, 0, sizeof *c);
}

void run_plan_free(struct run_plan *p)
{
	free(p->wl);
	free(p->drv);
	free(p->workers);
	free(p->assign);
	memset(p, 0, sizeof *p);
}

/* ---- bench run --dry-run ---- */

void run_plan_estimate(const struct runner_config *cfg, const struct cell_spec *c, struct run_plan_estimate *e)
{
	memset(e, 0, sizeof *e);
	if (runner_skip_reason(c, e->skipped, sizeof e->skipped))
		return;
	e->foreign = !!(c->drv->flags & DRIVER_FOREIGN);
	e->self_bounded = !!(c->wl->flags & WORKLOAD_SELF_BOUNDED);
	double rep = cfg->duration_s + (e->foreign                     ? RUN_PLAN_FOREIGN_REP_OVERHEAD_S
	                                : c->drv->flags & DRIVER_EXEC ? RUN_PLAN_EXEC_REP_OVERHEAD_S
	                                                              : RUN_PLAN_REP_OVERHEAD_S);
	double fixed = RUN_PLAN_CELL_OVERHEAD_S + cfg->warmup * rep;
	if (cfg->reps_auto) {
		/* a cell's budget: --cell-budget, or its share of the run's (at most the cap; the
		 * first cells' share is the run's budget over the cells, a later one can get more) */
		double budget = cfg->cell_budget_s > 0 ? cfg->cell_budget_s : fmin(RUNNER_CELL_BUDGET_MAX, cfg->run_budget_s);
		double most = floor(budget / rep);
		/* the minimum is run whatever the budget, and one re-run past it (reps.h) */
		unsigned least = REPS_AUTO_MIN + (cfg->keep_disturbed ? 0 : REPS_RERUNS_PAST_BUDGET);
		e->reps_min = REPS_AUTO_MIN;
		e->reps_max = most > REPS_AUTO_MAX ? REPS_AUTO_MAX : most < least ? least : (unsigned)most;
	} else {
		e->reps_min = cfg->reps;
		e->reps_max = cfg->keep_disturbed ? cfg->reps : 2 * cfg->reps;
	}
	e->min_s = fixed + e->reps_min * rep;
	e->max_s = fixed + e->reps_max * rep;
}

/* The plan's settings as the text header says them and JSON holds them. */
static void print_settings(FILE *f, const struct run_plan *p, int json)
{
	const struct runner_config *c = &p->cfg;
	char reps[16];
	snprintf(reps, sizeof reps, c->reps_auto ? "\"auto\"" : "%u", c->reps);
	if (json) {
		fprintf(f, "\"settings\":{\"reps\":%s,\"warmup\":%u,\"duration_s\":%.12g,\"timeout_s\":%.12g,"
		        "\"keep_disturbed\":%s,\"run_budget_s\":%.12g,\"cell_budget_s\":",
		        reps, c->warmup, c->duration_s, c->timeout_s, c->keep_disturbed ? "true" : "false", c->run_budget_s);
		fmt_json_number(f, c->reps_auto && c->cell_budget_s > 0 ? c->cell_budget_s : NAN);
		fprintf(f, "},\"overhead_s\":{\"repetition\":%g,\"foreign_repetition\":%g,\"cell\":%g}",
		        RUN_PLAN_REP_OVERHEAD_S, RUN_PLAN_FOREIGN_REP_OVERHEAD_S, RUN_PLAN_CELL_OVERHEAD_S);
		return;
	}
	fprintf(f, "settings: --reps %s --warmup %u --duration %g --timeout %g%s\n", c->reps_auto ? "auto" : reps,
	        c->warmup, c->duration_s, c->timeout_s, c->keep_disturbed ? " --keep-disturbed" : "");
}

/* "1.23 s" or "1.23 s..4.56 s" */
static void range_text(double lo, double hi, const char *unit, char *buf, size_t len)
{
	char a[32], b[32];
	fmt_si_unit(lo, unit, a, sizeof a);
	fmt_si_unit(hi, unit, b, sizeof b);
	if (!strcmp(a, b))
		snprintf(buf, len, "%s", a);
	else
		snprintf(buf, len, "%s..%s", a, b);
}

/* One cell of the plan: a JSON object, or a line of the text table. */
static void print_cell(FILE *f, int json, unsigned i, const struct cell_spec *c, const char *label, const char *pin,
                       const struct run_plan_estimate *e, int label_w)
{
	if (json) {
		fprintf(f, "%s\n{\"index\":%u,\"label\":", i ? "," : "", i);
		esc_fputs(f, ESC_JSON, label);
		fprintf(f, ",\"workload\":\"%s\",\"driver\":\"%s\",\"workers\":%u,\"pin\":", c->wl->name, c->drv->name,
		        c->workers);
		esc_fputs(f, ESC_JSON, pin);
		char *knobs = results_knobs_json(&c->knobs);
		fprintf(f, ",\"knobs\":%s,\"skipped\":", knobs ? knobs : "null");
		free(knobs);
		if (*e->skipped)
			esc_fputs(f, ESC_JSON, e->skipped);
		else
			fputs("null", f);
		fprintf(f, ",\"foreign\":%s,\"self_bounded\":%s,\"reps\":{\"min\":%u,\"max\":%u},\"estimate_s\":{\"min\":",
		        e->foreign ? "true" : "false", e->self_bounded ? "true" : "false", e->reps_min, e->reps_max);
		fmt_json_number(f, e->min_s);
		fputs(",\"max\":", f);
		fmt_json_number(f, e->max_s);
		fputs("}}", f);
		return;
	}
	char lab[1024], reps[32], est[64];
	esc_term(lab, sizeof lab, label);
	if (*e->skipped) {
		fprintf(f, "%-*s skipped: ", label_w, lab);
		esc_fputs(f, ESC_TERM, e->skipped);
		fputc('\n', f);
		return;
	}
	snprintf(reps, sizeof reps, e->reps_min == e->reps_max ? "%u" : "%u..%u", e->reps_min, e->reps_max);
	range_text(e->min_s, e->max_s, "s", est, sizeof est);
	fprintf(f, "%-*s %-8s %s%s\n", label_w, lab, reps, est, e->self_bounded ? " (ends by itself: --duration assumed)" : "");
}

void run_plan_print(FILE *f, const struct run_plan *p, const struct cell_spec *cells, const char *const *labels,
                    const char *const *pins, unsigned n)
{
	double lo = 0, hi = 0;
	size_t w = 4;
	for (unsigned i = 0; i < n; i++) {
		char lab[1024];
		size_t l = strlen(esc_term(lab, sizeof lab, labels[i]));
		w = l > w ? l : w;
	}
	if (p->json) {
		fputs("{\"dry_run\":true,", f);
		print_settings(f, p, 1);
		fputs(",\"cells\":[", f);
	} else {
		fprintf(f, "plan: %u cell%s, nothing run\n", n, n == 1 ? "" : "s");
		print_settings(f, p, 0);
		fprintf(f, "%-*s %-8s %s\n", (int)w, "cell", "reps", "estimate");
	}
	for (unsigned i = 0; i < n; i++) {
		struct run_plan_estimate e;
		run_plan_estimate(&p->cfg, &cells[i], &e);
		print_cell(f, p->json, i, &cells[i], labels[i], pins[i], &e, (int)w);
		lo += e.min_s;
		hi += e.max_s;
	}
	/* under --reps auto without --cell-budget the run's budget bounds what the cells add to
	 * their minimum (a cell left no budget runs its minimum) */
	if (p->cfg.reps_auto && !(p->cfg.cell_budget_s > 0))
		hi = fmin(hi, fmax(lo, lo + p->cfg.run_budget_s));
	if (p->json) {
		fputs("],\"estimate_s\":{\"min\":", f);
		fmt_json_number(f, lo);
		fputs(",\"max\":", f);
		fmt_json_number(f, hi);
		fputs("}}\n", f);
		return;
	}
	char est[80];
	range_text(lo, hi, "s", est, sizeof est);
	fprintf(f, "estimated time: %s (the most: every disturbed repetition run again, or --reps auto's budget\n"
	        "spent; a repetition costs --duration + %g ms, %g ms under a py-* driver, %g ms under mpi, a\n"
	        "cell %g ms more)\n",
	        est, RUN_PLAN_REP_OVERHEAD_S * 1e3, RUN_PLAN_FOREIGN_REP_OVERHEAD_S * 1e3, RUN_PLAN_EXEC_REP_OVERHEAD_S * 1e3,
	        RUN_PLAN_CELL_OVERHEAD_S * 1e3);
}
