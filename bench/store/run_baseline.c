/* run_baseline: the cells of `bench run --baseline FILE` (see run_baseline.h). */
#define _GNU_SOURCE
#include "bench/store/run_baseline.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/stats/compare.h"
#include "drivers/driver.h"
#include "bench/core/log.h"
#include "workloads/workload.h"

/* A knob of the workload wl, the driver drv (either may be NULL) or the runner. */
static int knob_known(const struct workload *wl, const struct driver_ops *drv, const char *name)
{
	return (wl && opt_find(wl->knobs, name)) || (drv && opt_find(drv->knobs, name)) || opt_find(runner_knobs, name);
}

static int cell_from(const struct results_file *f, unsigned i, const struct knob_assign *over, unsigned nover,
                     struct cell_spec *out, struct topo_policy *pin)
{
	const struct results_file_cell *c = &f->cells[i];
	const char *path = f->path;
	char err[300];
	const struct workload *wl = workload_find(c->workload);
	const struct driver_ops *drv = driver_find(c->driver);
	if (!wl || !drv) {
		log_err("run", "--baseline %s: cell %u uses %s '%s', which this bench does not have (see bench list)", path,
		        i, wl ? "driver" : "workload", wl ? c->driver : c->workload);
		return -EINVAL;
	}
	struct knob_assign *as = calloc(KNOBSET_MAX + nover, sizeof *as);
	if (!as)
		return -ENOMEM;
	unsigned na = 0;
	for (unsigned k = 0; k < c->nknobs; k++) {
		const struct results_kv *kv = &c->knobs_by_name[k];
		if (!knob_known(wl, drv, kv->key)) {
			log_err("run", "--baseline %s: cell %u (%s/%s) has knob '%s', which this bench's %s and %s do not have",
			        path, i, c->workload, c->driver, kv->key, wl->name, drv->name);
			free(as);
			return -EINVAL;
		}
		snprintf(as[na].name, sizeof as[na].name, "%s", kv->key);
		snprintf(as[na].vals[0], sizeof as[na].vals[0], "%s", kv->value);
		as[na++].nvals = 1;
	}
	for (unsigned o = 0; o < nover; o++)
		as[na++] = over[o]; /* later assignments win in runner_resolve_knobs */
	*out = (struct cell_spec){ .wl = wl, .drv = drv, .workers = c->workers };
	int rc = runner_resolve_knobs(wl, drv, as, na, &out->knobs, err, sizeof err);
	free(as);
	if (rc) {
		log_err("run", "--baseline %s: cell %u: %s", path, i, err);
		return -EINVAL;
	}
	if (topo_parse_policy(c->pin, pin, err, sizeof err)) {
		log_err("run", "--baseline %s: cell %u: %s", path, i, err);
		return -EINVAL;
	}
	return 0;
}

/* Each override takes one value and is a knob of some cell's workload or driver (or of the
 * runner). 0, or -EINVAL after one line. */
static int check_overrides(const struct results_file *f, const struct knob_assign *over, unsigned nover)
{
	for (unsigned o = 0; o < nover; o++) {
		int known = 0;
		if (over[o].nvals != 1) {
			log_err("run", "-O %s: with --baseline a knob takes one value, not a sweep", over[o].name);
			return -EINVAL;
		}
		for (unsigned i = 0; i < f->ncells && !known; i++)
			known = knob_known(workload_find(f->cells[i].workload), driver_find(f->cells[i].driver), over[o].name);
		if (!known) {
			log_err("run", "-O: unknown knob '%s' for the baseline's workloads and drivers (see bench list)",
			        over[o].name);
			return -EINVAL;
		}
	}
	return 0;
}

int run_baseline_alloc(struct baseline_cells *b, unsigned n)
{
	b->cells = calloc(n ? n : 1, sizeof *b->cells);
	b->pins = calloc(n ? n : 1, sizeof *b->pins);
	b->labels = calloc(n ? n : 1, sizeof *b->labels);
	if (!b->cells || !b->pins || !b->labels) {
		log_err("run", "out of memory");
		return -ENOMEM;
	}
	return 0;
}

/* The cells, pins and labels of b's file. 0, or -EINVAL after one line. */
static int baseline_cells(struct baseline_cells *b, const struct knob_assign *over, unsigned nover)
{
	if (run_baseline_alloc(b, b->n))
		return -EINVAL;
	const struct results_file *files[] = { b->file };
	struct compare_vary *vary = compare_vary_new(files, 1);
	int rc = 0;
	for (unsigned i = 0; i < b->n && !rc; i++) {
		rc = cell_from(b->file, i, over, nover, &b->cells[i], &b->pins[i]);
		compare_cell_label(vary, b->file, i, b->labels[i], sizeof b->labels[i]);
	}
	compare_vary_free(vary);
	return rc;
}

int run_baseline_load(const char *path, const struct knob_assign *over, unsigned nover, struct baseline_cells *b)
{
	char err[600];
	memset(b, 0, sizeof *b);
	if (results_file_load(path, &b->file, err, sizeof err)) {
		log_err("run", "--baseline: %s", err);
		return -EINVAL;
	}
	if (check_overrides(b->file, over, nover))
		goto fail;
	b->n = b->file->ncells;
	if (!b->n) {
		log_err("run", "--baseline %s: the file has no cells", path);
		goto fail;
	}
	if (baseline_cells(b, over, nover))
		goto fail;
	static const char *keys[] = { "config.reps", "config.warmup", "config.duration_s", "config.timeout_s" };
	for (unsigned k = 0; k < 4; k++)
		if (results_file_scalar(b->file, keys[k], b->settings[k], sizeof b->settings[k]))
			b->settings[k][0] = 0;
	b->nsettings = 4;
	return 0;
fail:
	run_baseline_free(b);
	return -EINVAL;
}

void run_baseline_free(struct baseline_cells *b)
{
	results_file_free(b->file);
	free(b->cells);
	free(b->pins);
	free(b->labels);
	memset(b, 0, sizeof *b);
}
