/* Test helpers (see util.h). Tests may read results with jansson directly: they check the
 * file independently of the code that wrote it; synthetic results files are built with
 * jansson too, with the metric names of plot/names.h. */
#define _GNU_SOURCE
#include "tests/util.h"

#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "drivers/driver.h"
#include "bench/machine/machine.h"
#include "plot/names.h"
#include "bench/store/results.h"
#include "bench/store/results_load.h"
#include "bench/core/runner.h"
#include "tests/test.h"
#include "workloads/workload.h"

json_t *tcell_run(const struct tcell *c)
{
	const struct workload *wl = c->wl ? c->wl : workload_find(c->workload);
	const struct driver_ops *drv = c->drv ? c->drv : driver_find(c->driver);
	if (!wl || !drv)
		TEST_FAIL("unknown workload or driver %s/%s", c->workload, c->driver ? c->driver : "?");
	struct runner_config cfg = { .duration_s = c->duration_s ? c->duration_s : 0.05,
		                     .reps = c->reps ? c->reps : 1, .warmup = c->warmup,
		                     .timeout_s = c->timeout_s ? c->timeout_s : 20,
		                     .stop_grace_s = c->stop_grace_s ? c->stop_grace_s : 2,
		                     .keep_disturbed = 1 /* behaviour, not timing: see tests/lib.sh */ };
	char err[300];
	if (topo_parse_policy(c->pin ? c->pin : "spread", &cfg.pin, err, sizeof err))
		TEST_FAIL("pin: %s", err);
	struct knob_assign as[8];
	unsigned na = 0;
	for (; na < 8 && c->knobs[na]; na++)
		if (opt_split_assign(c->knobs[na], &as[na], err, sizeof err))
			TEST_FAIL("knob: %s", err);
	struct cell_spec spec = { .wl = wl, .drv = drv, .workers = c->workers, .total = 1 };
	if (runner_resolve_knobs(wl, drv, as, na, &spec.knobs, err, sizeof err))
		TEST_FAIL("knobs: %s", err);
	static struct machine m;
	machine_describe(&m);
	struct results_config rc = { .reps = cfg.reps, .warmup = cfg.warmup, .keep_disturbed = 1, .duration_s = cfg.duration_s,
		                     .timeout_s = cfg.timeout_s, .pin = cfg.pin.text };
	struct results_doc *doc = results_doc_new(&m, &rc);
	int *pus = calloc(c->workers, sizeof *pus);
	topo_place(&cfg.pin, c->workers, pus);
	struct cell_desc desc = { .workload = wl->name, .driver = drv->name, .workers = c->workers,
		                  .pin = cfg.pin.text, .placement = pus, .knobs = &spec.knobs,
		                  .primary_metric = wl->primary_metric, .higher_is_better = wl->higher_is_better };
	struct results_cell *cell = results_cell_new(doc, &desc);
	free(pus);
	runner_init();
	if (c->inproc)
		runner_run_cell_inproc(&cfg, &spec, cell);
	else
		runner_run_cell(&cfg, &spec, cell);
	char path[] = "/tmp/bench-test-XXXXXX.json";
	int fd = mkstemps(path, 5);
	close(fd);
	if (results_doc_write(doc, path, err, sizeof err))
		TEST_FAIL("write: %s", err);
	results_doc_free(doc);
	json_error_t je;
	json_t *root = json_load_file(path, 0, &je);
	unlink(path);
	if (!root)
		TEST_FAIL("results file does not parse: %s (line %d)", je.text, je.line);
	return root;
}

json_t *tcell_cell(json_t *root)
{
	return json_array_get(json_object_get(root, "cells"), 0);
}

const char *tcell_status(json_t *cell)
{
	return json_string_value(json_object_get(cell, "status"));
}

const char *tcell_error(json_t *cell)
{
	const char *e = json_string_value(json_object_get(cell, "error"));
	return e ? e : "";
}

double tcell_median(json_t *cell, const char *metric)
{
	json_t *v = json_object_get(json_object_get(json_object_get(cell, "summary"), metric), "median");
	return json_is_number(v) ? json_number_value(v) : NAN;
}

json_t *tcell_run_ok(const struct tcell *c)
{
	json_t *root = tcell_run(c);
	json_t *cell = tcell_cell(root);
	if (strcmp(tcell_status(cell), "ok")) {
		char knobs[400] = "";
		size_t n = 0;
		for (unsigned i = 0; i < 8 && c->knobs[i] && n < sizeof knobs; i++)
			n += (size_t)snprintf(knobs + n, sizeof knobs - n, " %s", c->knobs[i]);
		TEST_FAIL("cell %s/%s n=%u%s: %s: %s", c->wl ? c->wl->name : c->workload,
		          c->drv ? c->drv->name : c->driver, c->workers, knobs, tcell_status(cell), tcell_error(cell));
	}
	return root;
}

json_t *tcell_rep0(json_t *cell)
{
	return json_array_get(json_object_get(cell, "reps"), 0);
}

double tcell_num(json_t *rep, const char *key)
{
	json_t *v = json_object_get(rep, key);
	if (!json_is_number(v))
		TEST_FAIL("repetition has no number '%s'", key);
	return json_number_value(v);
}

static char scratch[64];

static void scratch_rm(void)
{
	char out[64];
	test_sh(out, sizeof out, "rm -rf '%s'", scratch);
}

const char *test_scratch_dir(const char *name)
{
	snprintf(scratch, sizeof scratch, "/tmp/bench-%s-XXXXXX", name);
	CHECK(mkdtemp(scratch) != NULL);
	atexit(scratch_rm);
	return scratch;
}

int tcount_children(void)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int n = 0;
	pid_t me = getpid();
	while (d && (e = readdir(d))) {
		char path[300], buf[512];
		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof path, "/proc/%s/stat", e->d_name);
		FILE *f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(buf, sizeof buf, f)) {
			char *p = strrchr(buf, ')');
			int ppid;
			char st;
			if (p && sscanf(p + 2, "%c %d", &st, &ppid) == 2 && ppid == me)
				n++;
		}
		fclose(f);
	}
	if (d)
		closedir(d);
	return n;
}

/* ------------------------------------------------------------ synthetic results */

json_t *syn_new(int cpus)
{
	return json_pack("{s:i,s:{s:s,s:s,s:s},s:s,s:b,s:{s:s,s:i,s:{s:s,s:s},s:{s:i,s:i}},"
	                 "s:{s:[s,s],s:f,s:i,s:i},s:[]}",
	                 "schema_version", RESULTS_SCHEMA_VERSION, "tool", "name", "bench", "version", "test", "git",
	                 "0000", "created_utc", "2026-01-01T00:00:00Z", "interrupted", 0, "machine", "host", "synthetic",
	                 "online_cpus", cpus, "cpu", "brand", "Test CPU", "vendor", "none", "topology", "cores", cpus,
	                 "pus", cpus, "config", "argv", "run", "--all", "duration_s", 0.1, "reps", 3, "warmup", 0, "cells");
}

/* knobs: "k=v k=v" (numbers become JSON numbers); metrics: "m=v1/v2/v3 m2=..." per-repetition
 * values (the cell gets as many repetitions as the longest list). */
json_t *syn_cell(json_t *doc, const char *wl, const char *drv, unsigned n, const char *knobs,
                        const char *metrics)
{
	json_t *k = json_object(), *reps = json_array();
	char buf[2048], *save, *tok;
	snprintf(buf, sizeof buf, "%s", knobs ? knobs : "");
	for (tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		char *eq = strchr(tok, '=');
		*eq = 0;
		char *end;
		double v = strtod(eq + 1, &end);
		json_object_set_new(k, tok, *end ? json_string(eq + 1) : json_integer((json_int_t)v));
	}
	unsigned nreps = 1;
	snprintf(buf, sizeof buf, "%s", metrics ? metrics : "");
	for (const char *p = buf; *p; p++) {
		unsigned c = 1;
		while (*p && *p != ' ')
			c += *p++ == '/';
		nreps = c > nreps ? c : nreps;
		if (!*p)
			break;
	}
	int cpus = (int)json_integer_value(json_object_get(json_object_get(doc, "machine"), "online_cpus"));
	for (unsigned r = 0; r < nreps; r++) {
		json_t *ops = json_array(), *cpu = json_array(), *pu = json_array(), *cl = json_array(), *tl = json_array(),
		       *cs = json_array(), *mean = json_array();
		for (unsigned i = 0; i < n; i++) {
			json_array_append_new(ops, json_real(1000));
			json_array_append_new(cpu, json_real(0.1));
			json_array_append_new(pu, json_integer(i % cpus));
			json_array_append_new(cl, json_integer(i % cpus));
		}
		for (int c = 0; c < cpus; c++) {
			json_array_append_new(cs, json_integer(c));
			json_array_append_new(mean, json_real(0.5));
		}
		for (int s = 0; s < 3; s++) {
			json_t *row = json_array();
			for (int c = 0; c < cpus; c++)
				json_array_append_new(row, json_real(c == 0 ? 1.0 : 0.1 * s));
			json_array_append_new(tl, row);
		}
		json_t *rep = json_pack("{s:b,s:i,s:s,s:n,s:f,s:f,s:o,s:o,s:o,s:o,s:{s:f,s:o,s:o,s:o}}", "warmup", 0,
		                        "index", (int)r, "status", "ok", "error", "wall_s", 0.1, "ops_per_s", 1e6,
		                        "worker_ops", ops, "worker_cpu_s", cpu, "bound_pu", pu, "last_cpu", cl,
		                        "core_util", "interval_s", 0.1, "cpus", cs, "mean", mean, "timeline", tl);
		snprintf(buf, sizeof buf, "%s", metrics ? metrics : "");
		for (tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
			char *eq = strchr(tok, '=');
			*eq = 0;
			char *v = eq + 1;
			for (unsigned i = 0; i < r && v; i++) {
				v = strchr(v, '/');
				v = v ? v + 1 : NULL;
			}
			if (!v) { /* shorter list: repeat its last value */
				v = strrchr(eq + 1, '/');
				v = v ? v + 1 : eq + 1;
			}
			json_object_set_new(rep, tok, json_real(strtod(v, NULL)));
		}
		json_array_append_new(reps, rep);
	}
	json_t *c = json_pack("{s:s,s:s,s:i,s:s,s:[],s:o,s:{s:s,s:s},s:s,s:n,s:[],s:o,s:{}}", "workload", wl, "driver",
	                      drv, "workers", (int)n, "pin", "spread", "placement", "knobs", k, "primary", "metric",
	                      strcmp(wl, W_SLEEP_IO) ? M_OPS_S : M_WALL, "better", strcmp(wl, W_SLEEP_IO) ? "higher" : "lower",
	                      "status", "ok", "error", "warmups", "reps", reps, "summary");
	CHECK(c != NULL);
	json_array_append_new(json_object_get(doc, "cells"), c);
	return c;
}

json_t *syn_cellf(json_t *doc, const char *wl, const char *drv, unsigned n, const char *knobs, const char *fmt, ...)
{
	char m[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(m, sizeof m, fmt, ap);
	va_end(ap);
	return syn_cell(doc, wl, drv, n, knobs, m);
}

void syn_status(json_t *cell, const char *status, const char *error)
{
	json_object_set_new(cell, "status", json_string(status));
	json_object_set_new(cell, "error", json_string(error));
}

json_t *syn_one_pu(json_t *cell)
{
	size_t i;
	json_t *r;
	json_object_set_new(cell, "pin", json_string("pus:0,0"));
	json_array_foreach(json_object_get(cell, "reps"), i, r) {
		size_t n = json_array_size(json_object_get(r, "bound_pu"));
		json_t *pu = json_array(), *cl = json_array();
		for (size_t k = 0; k < n; k++) {
			json_array_append_new(pu, json_integer(0));
			json_array_append_new(cl, json_integer(0));
		}
		json_object_set_new(r, "bound_pu", pu);
		json_object_set_new(r, "last_cpu", cl);
	}
	return cell;
}

void syn_worker_ops(json_t *cell, const double *ops, unsigned n)
{
	size_t i;
	json_t *r;
	json_array_foreach(json_object_get(cell, "reps"), i, r) {
		json_t *a = json_array();
		for (unsigned k = 0; k < n; k++)
			json_array_append_new(a, json_real(ops[k]));
		json_object_set_new(r, "worker_ops", a);
	}
}

const char *syn_write(json_t *doc, const char *path)
{
	CHECK(json_dump_file(doc, path, JSON_INDENT(1)) == 0);
	return path;
}

struct results_file *syn_load(json_t *doc)
{
	char path[] = "/tmp/bench-plot-syn-XXXXXX.json", err[300];
	int fd = mkstemps(path, 5);
	CHECK(fd >= 0);
	close(fd);
	syn_write(doc, path);
	json_decref(doc);
	struct results_file *f;
	if (results_file_load(path, &f, err, sizeof err))
		TEST_FAIL("load: %s", err);
	unlink(path);
	return f;
}
