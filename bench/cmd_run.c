/* bench run: expands the command line into cells, runs each in its own cell process, prints
 * a table and writes the results file (rewritten atomically after every cell, so partial
 * results survive anything short of a power cut). */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "compare.h"
#include "drivers/driver.h"
#include "log.h"
#include "machine.h"
#include "results.h"
#include "run_baseline.h"
#include "runner.h"
#include "workloads/workload.h"

#define RUN_DEFAULT_DURATION 0.2
#define RUN_DEFAULT_REPS 5
#define RUN_DEFAULT_WARMUP 1
#define RUN_DEFAULT_TIMEOUT 60.0
#define MAX_SEL 64
#define MAX_ASSIGN 32

static void run_usage(void)
{
	printf("usage: bench run [--all] [-w W[,W...]] [-d D[,D...]] [-n N[,N...]] [--pin P]\n"
	       "                 [--reps R] [--warmup K] [--duration SEC] [--timeout SEC]\n"
	       "                 [-O knob=value[,value...]]... [-o FILE] [--quiet]\n"
	       "       bench run --baseline BASE.json [--confirm] [-O knob=value]... [--reps R] ...\n"
	       "                 [compare options: --threshold PCT --alpha A --fail-on F ...]\n\n"
	       "Runs every cell = workload x driver x workers x knob values, each in its own cell\n"
	       "process: K warm-up repetitions (discarded) then R measured ones.\n\n"
	       "  --all              every workload under every available driver (-w/-d narrow it)\n"
	       "  -w, --workload     workloads, comma-separated (bench list)\n"
	       "  -d, --driver       drivers, comma-separated (default: every available one)\n"
	       "  -n, --workers      worker counts, comma-separated (default: 1 and the PU count)\n"
	       "  --pin P            none | compact | spread | pus:0,1,... (default spread)\n"
	       "  --reps R           measured repetitions per cell (default %d)\n"
	       "  --warmup K         discarded repetitions before them (default %d)\n"
	       "  --duration SEC     length of one repetition of a duration-bound workload (default %g)\n"
	       "  --timeout SEC      watchdog: a repetition that takes longer than duration + SEC\n"
	       "                     fails its cell and is killed (default %g)\n"
	       "  -O knob=v[,v...]   set a workload/driver knob; several values make one cell each\n"
	       "  -o, --output FILE  results file (default results/<host>-<UTC time>.json, and the\n"
	       "                     symlink results/latest.json then points to it)\n"
	       "  -q, --quiet        no table and no progress; print only the results path\n"
	       "  --baseline FILE    run the cells of the results file FILE (its workloads, drivers,\n"
	       "                     workers, pin and knobs; its reps, warmup and duration unless\n"
	       "                     given), then compare with it as bench compare FILE OUT does\n"
	       "                     (compare options: --metric --threshold --alpha --confidence\n"
	       "                     --ci-method --ignore-knob --fail-on, see bench compare --help).\n"
	       "                     -O knob=value overrides a knob in every cell (left out of the\n"
	       "                     matching); the exit status is that of the comparison\n"
	       "  --confirm          with --baseline: run the flagged cells once more (into\n"
	       "                     OUT.confirm.json) and fail only if they are flagged again\n\n"
	       "Exit status: 0 all cells ok or skipped, 1 a cell failed, 2 usage error,\n"
	       "130/143 interrupted by SIGINT/SIGTERM (partial results are written).\n"
	       "With --baseline: 0 nothing flagged, 1 a significant regression (see --fail-on).\n",
	       RUN_DEFAULT_REPS, RUN_DEFAULT_WARMUP, RUN_DEFAULT_DURATION, RUN_DEFAULT_TIMEOUT);
}

struct selection {
	const struct workload *wl[MAX_SEL];
	unsigned nwl;
	const struct driver_ops *drv[MAX_SEL];
	unsigned ndrv;
	unsigned workers[MAX_SEL];
	unsigned nworkers;
	struct knob_assign assign[MAX_ASSIGN];
	unsigned nassign;
	char (*labels)[200];          /* --baseline: the label of each cell */
};

static int split_list(const char *arg, const char *what, char out[][64], unsigned max, unsigned *n)
{
	const char *p = arg;
	*n = 0;
	for (;;) {
		size_t k = strcspn(p, ",");
		if (k == 0 || k >= 64) {
			log_err("run", "%s: bad list '%s'", what, arg);
			return -EINVAL;
		}
		if (*n >= max) {
			log_err("run", "%s: too many entries in '%s'", what, arg);
			return -EINVAL;
		}
		memcpy(out[*n], p, k);
		out[(*n)++][k] = 0;
		p += k;
		if (!*p)
			return 0;
		p++;
	}
}

static int parse_workloads(const char *arg, struct selection *s)
{
	char names[MAX_SEL][64];
	unsigned n;
	if (split_list(arg, "-w", names, MAX_SEL, &n))
		return -EINVAL;
	for (unsigned i = 0; i < n; i++) {
		const struct workload *w = workload_find(names[i]);
		if (!w) {
			log_err("run", "unknown workload '%s' (see bench list)", names[i]);
			return -EINVAL;
		}
		s->wl[s->nwl++] = w;
	}
	return 0;
}

static int parse_drivers(const char *arg, struct selection *s)
{
	char names[MAX_SEL][64];
	unsigned n;
	if (split_list(arg, "-d", names, MAX_SEL, &n))
		return -EINVAL;
	for (unsigned i = 0; i < n; i++) {
		const struct driver_ops *d = driver_find(names[i]);
		if (!d) {
			log_err("run", "unknown driver '%s' (see bench list)", names[i]);
			return -EINVAL;
		}
		if (d->unsupported) {
			log_err("run", "driver %s is unavailable here: %s", d->name, d->unsupported);
			return -EINVAL;
		}
		s->drv[s->ndrv++] = d;
	}
	return 0;
}

static int parse_workers(const char *arg, struct selection *s)
{
	char items[MAX_SEL][64];
	unsigned n;
	if (split_list(arg, "-n", items, MAX_SEL, &n))
		return -EINVAL;
	for (unsigned i = 0; i < n; i++) {
		uint64_t v;
		int rc = opt_parse_u64(items[i], 1, TASK_MAX_WORKERS, &v);
		if (rc) {
			log_err("run", "-n: '%s' is not a worker count from 1 to %u", items[i], TASK_MAX_WORKERS);
			return -EINVAL;
		}
		s->workers[s->nworkers++] = (unsigned)v;
	}
	return 0;
}

/* Every -O name must be a knob of a selected workload or driver, and every value must parse
 * against every definition of that name among them. */
static int check_assignments(const struct selection *s)
{
	char err[200];
	for (unsigned a = 0; a < s->nassign; a++) {
		const struct knob_assign *as = &s->assign[a];
		int known = 0;
		for (unsigned i = 0; i < s->nwl + s->ndrv; i++) {
			const struct knob *k = i < s->nwl ? opt_find(s->wl[i]->knobs, as->name)
			                                  : opt_find(s->drv[i - s->nwl]->knobs, as->name);
			if (!k)
				continue;
			known = 1;
			for (unsigned v = 0; v < as->nvals; v++) {
				struct knobval kv;
				if (opt_parse_value(k, as->vals[v], &kv, err, sizeof err)) {
					log_err("run", "-O %s", err);
					return -EINVAL;
				}
			}
		}
		const struct knob *hk = opt_find(runner_knobs, as->name);
		for (unsigned v = 0; hk && v < as->nvals; v++) {
			struct knobval kv;
			known = 1;
			if (opt_parse_value(hk, as->vals[v], &kv, err, sizeof err)) {
				log_err("run", "-O %s", err);
				return -EINVAL;
			}
		}
		if (!known) {
			log_err("run", "-O: unknown knob '%s' for the selected workloads and drivers (see bench list)",
			        as->name);
			return -EINVAL;
		}
	}
	return 0;
}

struct cell_list {
	struct cell_spec *v;
	unsigned n, cap;
};

static int push_cell(struct cell_list *l, const struct cell_spec *c)
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

/* One cell per combination of the values of the assignments that apply to (wl, drv). */
static int expand(const struct selection *s, struct cell_list *out)
{
	for (unsigned w = 0; w < s->nwl; w++)
		for (unsigned d = 0; d < s->ndrv; d++)
			for (unsigned n = 0; n < s->nworkers; n++) {
				unsigned apply[MAX_ASSIGN], na = 0, idx[MAX_ASSIGN] = { 0 };
				for (unsigned a = 0; a < s->nassign; a++)
					if (opt_find(s->wl[w]->knobs, s->assign[a].name) ||
					    opt_find(s->drv[d]->knobs, s->assign[a].name) ||
					    opt_find(runner_knobs, s->assign[a].name))
						apply[na++] = a;
				for (;;) {
					struct knob_assign one[MAX_ASSIGN];
					for (unsigned k = 0; k < na; k++) {
						one[k] = s->assign[apply[k]];
						memmove(one[k].vals[0], s->assign[apply[k]].vals[idx[k]], sizeof one[k].vals[0]);
						one[k].nvals = 1;
					}
					struct cell_spec c = { .wl = s->wl[w], .drv = s->drv[d], .workers = s->workers[n] };
					char err[200];
					if (runner_resolve_knobs(c.wl, c.drv, one, na, &c.knobs, err, sizeof err)) {
						log_err("run", "%s", err);
						return -EINVAL;
					}
					if (push_cell(out, &c))
						return -ENOMEM;
					unsigned k = 0;
					while (k < na && ++idx[k] == s->assign[apply[k]].nvals)
						idx[k++] = 0;
					if (k == na)
						break;
				}
			}
	return 0;
}

static void cell_label(const struct cell_spec *c, const struct selection *s, char *buf, size_t len)
{
	if (s->labels) {
		snprintf(buf, len, "%s", s->labels[c->index]);
		return;
	}
	size_t off = (size_t)snprintf(buf, len, "%s/%s/n=%u", c->wl->name, c->drv->name, c->workers);
	for (unsigned a = 0; a < s->nassign && off < len; a++) {
		const struct knobval *v = opt_get(&c->knobs, s->assign[a].name);
		if (v)
			off += (size_t)snprintf(buf + off, len - off, " %s=%s", v->k->name, v->text);
	}
}

static void default_output(const struct machine *m, char *buf, size_t len)
{
	char ts[32];
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(ts, sizeof ts, "%Y%m%dT%H%M%SZ", &tm);
	mkdir("results", 0755);
	snprintf(buf, len, "results/%s-%s.json", m->host, ts);
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

static void fmt_rate(double v, char *buf, size_t len)
{
	if (!isfinite(v))
		snprintf(buf, len, "-");
	else if (v >= 1e9)
		snprintf(buf, len, "%.3fG", v / 1e9);
	else if (v >= 1e6)
		snprintf(buf, len, "%.3fM", v / 1e6);
	else if (v >= 1e3)
		snprintf(buf, len, "%.3fk", v / 1e3);
	else
		snprintf(buf, len, "%.3f", v);
}

/* Run the cells into a new results document written (atomically, after every cell) to path.
 * pins: a pin policy per cell (--baseline), or NULL for cfg->pin. Returns the exit code:
 * EXIT_OK, EXIT_FAIL (a cell failed, or the file could not be written), or the signal's. */
static int run_cells(struct runner_config *cfg, const struct results_config *rc, const struct machine *m,
                     struct cell_spec *cells, unsigned ncells, const struct topo_policy *pins,
                     const struct selection *sel, const char *pin, const char *path, int quiet, int *sig)
{
	char err[300];
	struct results_doc *doc = results_doc_new(m, rc);
	if (!doc) {
		log_err("run", "cannot create the results document");
		return EXIT_FAIL;
	}
	log_quiet = quiet;
	cfg->progress = !quiet && isatty(2);
	runner_init();
	runner_install_signals();
	if (!quiet)
		printf("%-44s %-7s %12s %7s %6s %8s %6s\n", "cell", "status", "ops/s", "cv", "util", "wall_s", "fair");
	fflush(stdout);

	int failed = 0;
	*sig = 0;
	for (unsigned i = 0; i < ncells; i++) {
		struct cell_spec *cs = &cells[i];
		struct runner_config ccfg = *cfg;
		if (pins)
			ccfg.pin = pins[i];
		cs->index = i;
		cs->total = ncells;
		int *pus = calloc(cs->workers, sizeof *pus);
		if (!pus || topo_place(&ccfg.pin, cs->workers, pus)) {
			log_err("run", "out of memory");
			free(pus);
			failed = 1;
			break;
		}
		struct cell_desc desc = { .workload = cs->wl->name, .driver = cs->drv->name, .workers = cs->workers,
			                  .pin = pins ? pins[i].text : pin, .placement = pus, .knobs = &cs->knobs,
			                  .primary_metric = cs->wl->primary_metric,
			                  .higher_is_better = cs->wl->higher_is_better };
		struct results_cell *cell = results_cell_new(doc, &desc);
		free(pus);
		if (!cell) {
			log_err("run", "out of memory");
			failed = 1;
			break;
		}
		int r = runner_run_cell(&ccfg, cs, cell);
		struct cell_brief b;
		results_cell_brief(cell, &b);
		if (!strcmp(b.status, "failed"))
			failed = 1;
		if (!quiet) {
			char label[200], rate[32], cv[16];
			cell_label(cs, sel, label, sizeof label);
			fmt_rate(b.ops_per_s, rate, sizeof rate);
			snprintf(cv, sizeof cv, isfinite(b.ops_per_s_cv) ? "%.1f%%" : "-", b.ops_per_s_cv * 100);
			if (!strcmp(b.status, "ok"))
				printf("%-44s %-7s %12s %7s %6.2f %8.3f %6.3f\n", label, b.status, rate, cv, b.util_cores,
				       b.wall_s, b.fairness);
			else
				printf("%-44s %-7s %s\n", label, b.status, b.error ? b.error : "");
			fflush(stdout);
		}
		if (r == -EINTR) {
			*sig = runner_signal;
			results_doc_set_interrupted(doc, *sig);
		}
		if (results_doc_write(doc, path, err, sizeof err)) {
			log_err("run", "%s", err);
			results_doc_free(doc);
			return EXIT_FAIL;
		}
		if (*sig)
			break;
	}
	results_doc_free(doc);
	printf("results: %s\n", path);
	if (*sig)
		return *sig == SIGTERM ? EXIT_SIGTERM : EXIT_SIGINT;
	return failed ? EXIT_FAIL : EXIT_OK;
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
	fflush(stdout);
	return compare_exit_code(res);
}

/* bench run --baseline FILE [--confirm]: run the baseline's cells, compare, and with
 * --confirm run the flagged cells again and fail only on the ones flagged twice. */
static int run_with_baseline(int argc, char **argv, const char *bpath, int confirm, struct compare_opts *copts,
                             struct runner_config *cfg, const int *set, int quiet, const char *output,
                             struct selection *sel, int selected)
{
	struct baseline_cells b;
	char err[300], path[4096], cpath[4200];
	if (selected) {
		log_err("run", "--baseline runs the baseline's cells: it cannot be combined with --all, -w, -d, -n or --pin");
		return EXIT_USAGE;
	}
	/* sel holds only the -O overrides */
	if (run_baseline_load(bpath, sel->assign, sel->nassign, &b))
		return EXIT_USAGE;
	for (unsigned a = 0; a < sel->nassign && copts->nignore < COMPARE_IGNORE_MAX; a++)
		copts->ignore[copts->nignore++] = sel->assign[a].name;
	/* the baseline's settings unless given */
	uint64_t u;
	double d;
	if (!set[0] && !opt_parse_u64(b.settings[0], 1, 10000, &u))
		cfg->reps = (unsigned)u;
	if (!set[1] && !opt_parse_u64(b.settings[1], 0, 1000, &u))
		cfg->warmup = (unsigned)u;
	if (!set[2] && !opt_parse_double(b.settings[2], 0.001, 86400, &d))
		cfg->duration_s = d;
	if (!set[3] && !opt_parse_double(b.settings[3], 0.1, 86400, &d))
		cfg->timeout_s = d;
	sel->labels = b.labels;

	struct machine m;
	machine_describe(&m);
	if (output)
		snprintf(path, sizeof path, "%s", output);
	else
		default_output(&m, path, sizeof path);
	snprintf(cpath, sizeof cpath, "%.*s.confirm.json",
	         (int)(strlen(path) > 5 && !strcmp(path + strlen(path) - 5, ".json") ? strlen(path) - 5 : strlen(path)),
	         path);
	if (results_check_writable(path, err, sizeof err)) {
		log_err("run", "%s", err);
		run_baseline_free(&b);
		return EXIT_USAGE;
	}
	struct results_config rc = { .argc = argc, .argv = argv, .duration_s = cfg->duration_s,
		                     .timeout_s = cfg->timeout_s, .reps = cfg->reps, .warmup = cfg->warmup,
		                     .pin = b.pins[0].text };
	int sig, ret = run_cells(cfg, &rc, &m, b.cells, b.n, b.pins, sel, NULL, path, quiet, &sig);
	if (sig) {
		run_baseline_free(&b);
		return ret;
	}
	struct results_file *nf = NULL, *cf = NULL;
	struct compare_result r1, r2;
	int verdict = compare_with(b.file, path, copts, &nf, &r1);
	if (verdict == 1 && confirm) {
		struct cell_spec *again = calloc(r1.nrows, sizeof *again);
		struct topo_policy *pins = calloc(r1.nrows, sizeof *pins);
		char(*labels)[200] = calloc(r1.nrows, sizeof *labels);
		unsigned n = 0;
		for (unsigned i = 0; again && pins && labels && i < r1.nrows; i++)
			if (compare_row_flagged(&r1, &r1.rows[i])) {
				again[n] = b.cells[r1.rows[i].new_cell];
				pins[n] = b.pins[r1.rows[i].new_cell];
				memcpy(labels[n++], b.labels[r1.rows[i].new_cell], sizeof labels[0]);
			}
		printf("\nconfirming: running the %u flagged cell%s again\n", n, n == 1 ? "" : "s");
		sel->labels = labels;
		struct compare_opts o2 = *copts;
		o2.hide_only_base = 1;
		ret = run_cells(cfg, &rc, &m, again, n, pins, sel, NULL, cpath, quiet, &sig);
		int v2 = sig ? ret : compare_with(b.file, cpath, &o2, &cf, &r2);
		if (!sig && v2 != EXIT_USAGE) {
			unsigned confirmed = 0;
			for (unsigned i = 0; i < r1.nrows; i++) {
				const struct compare_row *a = &r1.rows[i], *z = NULL;
				if (!compare_row_flagged(&r1, a))
					continue;
				for (unsigned j = 0; j < r2.nrows; j++)
					if (r2.rows[j].base_cell == a->base_cell)
						z = &r2.rows[j];
				int again_flagged = z && compare_row_flagged(&r2, z);
				confirmed += again_flagged;
				printf("%s: %s (first run %+.1f%%, p=%.2g; re-run %+.1f%%, p=%.2g)\n",
				       again_flagged ? "confirmed" : "not confirmed, a false alarm", a->label, a->change_pct,
				       a->mw.p, z ? z->change_pct : NAN, z ? z->mw.p : NAN);
			}
			verdict = confirmed ? 1 : 0;
			compare_result_free(&r2);
		} else {
			verdict = v2;
		}
		results_file_free(cf);
		free(again);
		free(pins);
		free(labels);
	}
	if (nf) {
		compare_result_free(&r1);
		results_file_free(nf);
	}
	run_baseline_free(&b);
	return verdict;
}

int cmd_run(int argc, char **argv)
{
	enum { O_PIN = 256, O_REPS, O_WARMUP, O_DURATION, O_TIMEOUT, O_ALL, O_BASELINE, O_CONFIRM };
	static const struct option lo[] = {
		{ "all", no_argument, 0, O_ALL }, { "workload", required_argument, 0, 'w' },
		{ "driver", required_argument, 0, 'd' }, { "workers", required_argument, 0, 'n' },
		{ "pin", required_argument, 0, O_PIN }, { "reps", required_argument, 0, O_REPS },
		{ "warmup", required_argument, 0, O_WARMUP }, { "duration", required_argument, 0, O_DURATION },
		{ "timeout", required_argument, 0, O_TIMEOUT }, { "output", required_argument, 0, 'o' },
		{ "quiet", no_argument, 0, 'q' }, { "help", no_argument, 0, 'h' },
		{ "baseline", required_argument, 0, O_BASELINE }, { "confirm", no_argument, 0, O_CONFIRM },
		COMPARE_LONG_OPTIONS, { 0 }
	};
	static struct selection sel;
	struct runner_config cfg = { .duration_s = RUN_DEFAULT_DURATION, .reps = RUN_DEFAULT_REPS,
		                     .warmup = RUN_DEFAULT_WARMUP, .timeout_s = RUN_DEFAULT_TIMEOUT,
		                     .stop_grace_s = 5 };
	const char *pin = "spread", *output = NULL, *baseline = NULL;
	int all = 0, quiet = 0, c, confirm = 0, pin_set = 0, compare_given = 0;
	int set[4] = { 0 }; /* given: reps, warmup, duration, timeout */
	struct compare_opts copts;
	compare_opts_default(&copts);
	char err[300];
	uint64_t u;

	memset(&sel, 0, sizeof sel);
	if (cmd_wants_help(argc, argv)) {
		run_usage();
		return EXIT_OK;
	}
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":w:d:n:O:o:qh", lo, NULL)) != -1) {
		switch (c) {
		case O_ALL: all = 1; break;
		case 'w': if (parse_workloads(optarg, &sel)) return EXIT_USAGE; break;
		case 'd': if (parse_drivers(optarg, &sel)) return EXIT_USAGE; break;
		case 'n': if (parse_workers(optarg, &sel)) return EXIT_USAGE; break;
		case O_PIN: pin = optarg; pin_set = 1; break;
		case O_REPS:
			if (opt_parse_u64(optarg, 1, 10000, &u)) {
				log_err("run", "--reps: '%s' is not a count from 1 to 10000", optarg);
				return EXIT_USAGE;
			}
			cfg.reps = (unsigned)u;
			set[0] = 1;
			break;
		case O_WARMUP:
			if (opt_parse_u64(optarg, 0, 1000, &u)) {
				log_err("run", "--warmup: '%s' is not a count from 0 to 1000", optarg);
				return EXIT_USAGE;
			}
			cfg.warmup = (unsigned)u;
			set[1] = 1;
			break;
		case O_DURATION:
			if (opt_parse_double(optarg, 0.001, 86400, &cfg.duration_s)) {
				log_err("run", "--duration: '%s' is not a number of seconds from 0.001 to 86400", optarg);
				return EXIT_USAGE;
			}
			set[2] = 1;
			break;
		case O_TIMEOUT:
			if (opt_parse_double(optarg, 0.1, 86400, &cfg.timeout_s)) {
				log_err("run", "--timeout: '%s' is not a number of seconds from 0.1 to 86400", optarg);
				return EXIT_USAGE;
			}
			set[3] = 1;
			break;
		case 'O':
			if (sel.nassign >= MAX_ASSIGN) {
				log_err("run", "-O: at most %d knobs", MAX_ASSIGN);
				return EXIT_USAGE;
			}
			if (opt_split_assign(optarg, &sel.assign[sel.nassign], err, sizeof err)) {
				log_err("run", "%s", err);
				return EXIT_USAGE;
			}
			for (unsigned a = 0; a < sel.nassign; a++)
				if (!strcmp(sel.assign[a].name, sel.assign[sel.nassign].name)) {
					log_err("run", "-O %s given twice", sel.assign[a].name);
					return EXIT_USAGE;
				}
			sel.nassign++;
			break;
		case 'o': output = optarg; break;
		case 'q': quiet = 1; break;
		case O_BASELINE: baseline = optarg; break;
		case O_CONFIRM: confirm = 1; break;
		case ':':
			log_err("run", "option '%s' needs a value", argv[optind - 1]);
			return EXIT_USAGE;
		case '?':
			log_err("run", "unknown option '%s' (see bench run --help)", argv[optind - 1]);
			return EXIT_USAGE;
		default:
			if (compare_cli_option("compare", c, optarg, &copts))
				return EXIT_USAGE;
			compare_given = 1;
		}
	}
	if (optind < argc) {
		log_err("run", "unexpected argument '%s' (see bench run --help)", argv[optind]);
		return EXIT_USAGE;
	}
	if (compare_given && !baseline) {
		log_err("run", "compare options need --baseline FILE");
		return EXIT_USAGE;
	}
	if (confirm && !baseline) {
		log_err("run", "--confirm needs --baseline FILE");
		return EXIT_USAGE;
	}
	if (baseline)
		return run_with_baseline(argc, argv, baseline, confirm, &copts, &cfg, set, quiet, output, &sel,
		                         all || sel.nwl || sel.ndrv || sel.nworkers || pin_set);
	if (!all && !sel.nwl) {
		log_err("run", "nothing to run: give --all or -w WORKLOAD (see bench list)");
		return EXIT_USAGE;
	}
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
	if (!sel.nwl)
		for (unsigned i = 0; i < workload_count; i++)
			sel.wl[sel.nwl++] = workload_table[i];
	if (!sel.ndrv)
		for (unsigned i = 0; i < driver_count; i++)
			sel.drv[sel.ndrv++] = driver_table[i]; /* unavailable ones become skipped cells */
	if (topo_parse_policy(pin, &cfg.pin, err, sizeof err)) {
		log_err("run", "%s", err);
		return EXIT_USAGE;
	}
	if (!sel.nworkers) {
		sel.workers[sel.nworkers++] = 1;
		if (topo_npus() > 1)
			sel.workers[sel.nworkers++] = (unsigned)topo_npus();
	}
	if (check_assignments(&sel))
		return EXIT_USAGE;

	struct cell_list cells = { 0 };
	if (expand(&sel, &cells))
		return EXIT_USAGE;

	struct machine m;
	char path[4096];
	machine_describe(&m);
	if (output)
		snprintf(path, sizeof path, "%s", output);
	else
		default_output(&m, path, sizeof path);
	if (results_check_writable(path, err, sizeof err)) {
		log_err("run", "%s", err);
		free(cells.v);
		return EXIT_USAGE;
	}

	struct results_config rc = { .argc = argc, .argv = argv, .duration_s = cfg.duration_s,
		                     .timeout_s = cfg.timeout_s, .reps = cfg.reps, .warmup = cfg.warmup, .pin = pin };
	int sig = 0, ret = run_cells(&cfg, &rc, &m, cells.v, cells.n, NULL, &sel, pin, path, quiet, &sig);
	free(cells.v);
	if (!output && cells.n)
		link_latest(path);
	return ret;
}
