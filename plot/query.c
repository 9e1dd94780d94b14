/* query: finding and labelling the cells a figure or a claim needs (see plot.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/stats/stats.h"
#include "bench/store/escape.h"
#include "plot/names.h"
#include "plot/plot.h"

static int knob_cond(const struct results_file_cell *c, const char *cond)
{
	char name[64];
	const char *op = strpbrk(cond, "!=>");
	if (!op || (size_t)(op - cond) >= sizeof name)
		return 0;
	memcpy(name, cond, (size_t)(op - cond));
	name[op - cond] = 0;
	const char *v = results_file_knob(c, name);
	if (op[0] == '!' && op[1] == '=')
		return !v || strcmp(v, op + 2);
	if (!v)
		return 0;
	if (op[0] == '=')
		return !strcmp(v, op + 1);
	if (op[0] == '>')
		return strtod(v, NULL) > strtod(op + 1, NULL);
	return 0;
}

int plot_match(const struct results_file_cell *c, const struct plot_sel *s)
{
	if (!s->any_status && strcmp(c->status, "ok"))
		return 0;
	if (s->workload && strcmp(c->workload, s->workload))
		return 0;
	if (s->driver && strcmp(c->driver, s->driver))
		return 0;
	if (s->model && plot_driver_model(c->driver) != s->model)
		return 0;
	if (s->workers && c->workers != s->workers)
		return 0;
	for (unsigned i = 0; i < 4 && s->knobs[i]; i++)
		if (!knob_cond(c, s->knobs[i]))
			return 0;
	return 1;
}

unsigned plot_find(const struct results_file *f, const struct plot_sel *s, const struct results_file_cell **out,
                   unsigned max)
{
	unsigned n = 0;
	for (unsigned i = 0; i < f->ncells; i++)
		if (plot_match(&f->cells[i], s)) {
			if (n < max)
				out[n] = &f->cells[i];
			n++;
		}
	return n < max ? n : max;
}

unsigned plot_workloads(const struct results_file *f, const char **out, unsigned max)
{
	unsigned n = 0;
	for (unsigned i = 0; i < f->ncells && n < max; i++) {
		unsigned k = 0;
		while (k < n && strcmp(out[k], f->cells[i].workload))
			k++;
		if (k == n)
			out[n++] = f->cells[i].workload;
	}
	return n;
}

enum driver_model plot_driver_model(const char *driver)
{
	const struct driver_ops *d = driver_find(driver);
	return d ? d->model : DRIVER_MODEL_NONE;
}

const char *plot_driver_color(const char *driver)
{
	const struct driver_ops *d = driver_find(driver);
	return d ? d->color : NULL;
}

int plot_driver_rank(const char *driver)
{
	enum driver_model m = plot_driver_model(driver);
	return m == DRIVER_MODEL_NONE ? DRIVER_MODELS : (int)m;
}

static int cmp_cells(const void *pa, const void *pb)
{
	const struct results_file_cell *a = *(const struct results_file_cell *const *)pa;
	const struct results_file_cell *b = *(const struct results_file_cell *const *)pb;
	int ra = plot_driver_rank(a->driver), rb = plot_driver_rank(b->driver);
	if (ra != rb)
		return ra - rb;
	int d = strcmp(a->driver, b->driver);
	if (d)
		return d;
	if (a->workers != b->workers)
		return a->workers < b->workers ? -1 : 1;
	return a->index < b->index ? -1 : a->index > b->index;
}

void plot_sort_cells(const struct results_file_cell **c, unsigned n)
{
	qsort(c, n, sizeof *c, cmp_cells);
}

static int excluded(const char *exclude, const char *field)
{
	size_t n = strlen(field);
	for (const char *p = exclude; p && *p;) {
		size_t k = strcspn(p, ",");
		if (k == n && !strncmp(p, field, n))
			return 1;
		p += k;
		if (*p)
			p++;
	}
	return 0;
}

static void field_text(const struct results_file_cell *c, const char *field, char *buf, size_t len)
{
	if (!strcmp(field, "driver"))
		snprintf(buf, len, "%s", c->driver);
	else if (!strcmp(field, "workers"))
		snprintf(buf, len, "%u", c->workers);
	else if (!strcmp(field, "pin"))
		snprintf(buf, len, "%s", c->pin);
	else {
		const char *v = results_file_knob(c, field);
		snprintf(buf, len, "%s", v ? v : "-");
	}
}

static int is_fixed(const char *field)
{
	return !strcmp(field, "driver") || !strcmp(field, "workers") || !strcmp(field, "pin");
}

static int all_have(const struct results_file_cell *const *set, unsigned n, const char *knob)
{
	for (unsigned i = 0; i < n; i++)
		if (!results_file_knob(set[i], knob))
			return 0;
	return 1;
}

static int field_varies(const struct results_file_cell *const *set, unsigned n, const char *field)
{
	char a[ESC_VALUE_MAX + 1], b[ESC_VALUE_MAX + 1]; /* a value is at most ESC_VALUE_MAX: never cut */
	if (!n || (!is_fixed(field) && !all_have(set, n, field)))
		return 0;
	field_text(set[0], field, a, sizeof a);
	for (unsigned i = 1; i < n; i++) {
		field_text(set[i], field, b, sizeof b);
		if (strcmp(a, b))
			return 1;
	}
	return 0;
}

void plot_varying(const struct results_file_cell *const *set, unsigned n, const struct results_file_cell *c,
                  const char *exclude, char *buf, size_t len)
{
	static const char *fixed[] = { "driver", "workers", "pin" };
	size_t off = 0;
	char v[ESC_VALUE_MAX + 1];
	buf[0] = 0;
	for (unsigned i = 0; i < 3 + c->nknobs && off < len; i++) {
		const char *field = i < 3 ? fixed[i] : c->knobs[i - 3].key;
		if (excluded(exclude, field) || !field_varies(set, n, field))
			continue;
		field_text(c, field, v, sizeof v);
		off += (size_t)snprintf(buf + off, len - off, "%s%s=%s", off ? " " : "",
		                        !strcmp(field, "workers") ? "n" : field, v);
	}
	/* knobs only some cells have (one driver's) are not named: see plot_varying_driver */
}

void plot_varying_driver(const struct results_file_cell *const *set, unsigned n, const struct results_file_cell *c,
                         char *buf, size_t len)
{
	const struct results_file_cell **sub = calloc(n ? n : 1, sizeof *sub);
	unsigned k = 0;
	size_t off = 0;
	char v[ESC_VALUE_MAX + 1];
	buf[0] = 0;
	if (!sub)
		return;
	for (unsigned i = 0; i < n; i++)
		if (!strcmp(set[i]->driver, c->driver))
			sub[k++] = set[i];
	for (unsigned i = 0; i < c->nknobs && off < len; i++) {
		const char *field = c->knobs[i].key;
		if (all_have(set, n, field) || !field_varies(sub, k, field))
			continue;
		field_text(c, field, v, sizeof v);
		off += (size_t)snprintf(buf + off, len - off, "%s%s=%s", off ? " " : "", field, v);
	}
	free(sub);
}

int plot_same_setup(const struct results_file_cell *a, const struct results_file_cell *b)
{
	if (strcmp(a->workload, b->workload) || a->workers != b->workers || strcmp(a->pin, b->pin))
		return 0;
	for (unsigned i = 0; i < a->nknobs; i++) {
		const char *v = results_file_knob(b, a->knobs[i].key);
		if (v && strcmp(v, a->knobs[i].value))
			return 0;
	}
	return 1;
}

int plot_same_cell(const struct results_file_cell *a, const struct results_file_cell *b)
{
	if (strcmp(a->driver, b->driver) || a->nknobs != b->nknobs || !plot_same_setup(a, b))
		return 0;
	for (unsigned i = 0; i < a->nknobs; i++)
		if (!results_file_knob(b, a->knobs[i].key))
			return 0;
	return 1;
}

double plot_med(const struct results_file_cell *c, const char *metric)
{
	const struct results_stat *s = results_file_stat(c, metric);
	return s ? s->median : NAN;
}

double plot_max(const struct results_file_cell *c, const char *metric)
{
	const struct results_stat *s = results_file_stat(c, metric);
	return s ? s->max : NAN;
}

const struct results_rep *plot_median_rep(const struct results_file_cell *c)
{
	const struct results_rep *best = NULL;
	double med = plot_med(c, M_UTIL), dist = INFINITY;
	for (unsigned i = 0; i < c->nreps; i++) {
		const struct results_rep *r = &c->reps[i];
		if (!plot_rep_counts(c, r) || !r->nsamples)
			continue;
		double d = isfinite(med) && isfinite(r->util_cores) ? fabs(r->util_cores - med) : 0;
		if (!best || d < dist) {
			best = r;
			dist = d;
		}
	}
	return best;
}

int plot_cell_measured(const struct results_file_cell *c)
{
	return !strcmp(c->status, "ok") || !strcmp(c->status, "unstable");
}

double plot_rep_metric(const struct results_rep *r, const char *metric)
{
	for (unsigned i = 0; i < r->nmetrics; i++)
		if (!strcmp(r->metrics[i].name, metric))
			return r->metrics[i].value;
	return NAN;
}

double plot_rep_other_load(const struct results_rep *r)
{
	double busy = 0, load = plot_rep_metric(r, "other_load_cores");
	if (isfinite(load))
		return load;
	if (!r->ncpus || !isfinite(r->util_cores))
		return NAN;
	for (unsigned i = 0; i < r->ncpus; i++)
		busy += isfinite(r->core_mean[i]) ? r->core_mean[i] : 0;
	return busy - r->util_cores > 0 ? busy - r->util_cores : 0;
}

int plot_keeps_disturbed(const struct results_file_cell *c)
{
	const struct results_stat *s = results_file_stat(c, c->primary);
	unsigned nok = 0;
	for (unsigned i = 0; i < c->nreps; i++)
		nok += c->reps[i].ok != 0;
	return s && s->n >= nok;
}

int plot_rep_counts(const struct results_file_cell *c, const struct results_rep *r)
{
	(void)c;
	return r->counted; /* the loader's: ok, and not disturbed unless the run kept them */
}

/* The repetition of c's summary whose primary metric is nearest its median; NULL if none. */
static const struct results_rep *primary_median_rep(const struct results_file_cell *c)
{
	const struct results_rep *best = NULL;
	double med = plot_med(c, c->primary), dist = INFINITY;
	for (unsigned i = 0; i < c->nreps && isfinite(med); i++) {
		double d = fabs(plot_rep_metric(&c->reps[i], c->primary) - med);
		if (plot_rep_counts(c, &c->reps[i]) && d < dist) {
			best = &c->reps[i];
			dist = d;
		}
	}
	return best;
}

double plot_cell_other_load(const struct results_file_cell *c, int disturbed_only, unsigned *nok, unsigned *nd)
{
	double v[256];
	unsigned k = 0, ok = 0, dist = 0;
	for (unsigned i = 0; i < c->nreps; i++) {
		const struct results_rep *r = &c->reps[i];
		double l = plot_rep_other_load(r);
		ok += r->ok != 0;
		dist += r->ok && r->disturbed;
		if (r->ok && (r->disturbed || !disturbed_only) && isfinite(l) && k < 256)
			v[k++] = l;
	}
	if (nok)
		*nok = ok;
	if (nd)
		*nd = dist;
	return stats_median(v, k);
}

int plot_cell_unreliable(const struct results_file_cell *c, double *load)
{
	unsigned nd;
	*load = NAN;
	if (strcmp(c->status, "unstable")) {
		const struct results_rep *m = primary_median_rep(c);
		if (m && m->disturbed)
			*load = plot_rep_other_load(m);
		return m && m->disturbed;
	}
	*load = plot_cell_other_load(c, 1, NULL, &nd);
	if (!nd)
		*load = plot_cell_other_load(c, 0, NULL, NULL);
	return 1;
}
