/* Test helpers (see util.h). Tests may read results with jansson directly: they check the
 * file independently of the code that wrote it. */
#define _GNU_SOURCE
#include "util.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "drivers/driver.h"
#include "machine.h"
#include "results.h"
#include "runner.h"
#include "test.h"
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
		                     .stop_grace_s = c->stop_grace_s ? c->stop_grace_s : 2 };
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
	struct results_config rc = { .reps = cfg.reps, .warmup = cfg.warmup, .duration_s = cfg.duration_s,
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
