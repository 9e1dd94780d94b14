/* results_read: results file -> plain C model (see results_read.h). A jansson user, part of
 * the results module. Every allocation comes from one arena freed with the file. */
#define _GNU_SOURCE
#include "results_read.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "results.h"
#include "stats.h"

/* ---- arena ---- */

struct block {
	struct block *next;
	max_align_t data[];
};

struct arena {
	struct block *head;
	int failed;
};

static void *amalloc(struct arena *a, size_t n)
{
	struct block *b = calloc(1, sizeof *b + (n ? n : 1));
	if (!b) {
		a->failed = 1;
		return NULL;
	}
	b->next = a->head;
	a->head = b;
	return b->data;
}

static char *astrdup(struct arena *a, const char *s)
{
	if (!s)
		return NULL;
	size_t n = strlen(s) + 1;
	char *d = amalloc(a, n);
	if (d)
		memcpy(d, s, n);
	return d;
}

static void arena_free(struct arena *a)
{
	while (a->head) {
		struct block *n = a->head->next;
		free(a->head);
		a->head = n;
	}
}

/* ---- helpers ---- */

static double numv(json_t *v)
{
	return json_is_number(v) ? json_number_value(v) : NAN;
}

static const char *strv(struct arena *a, json_t *v)
{
	return json_is_string(v) ? astrdup(a, json_string_value(v)) : NULL;
}

/* Text of a scalar: knob values and machine fields. */
static char *scalar_text(struct arena *a, json_t *v)
{
	char buf[64];
	switch (json_typeof(v)) {
	case JSON_STRING: return astrdup(a, json_string_value(v));
	case JSON_INTEGER: snprintf(buf, sizeof buf, "%lld", (long long)json_integer_value(v)); break;
	case JSON_REAL: snprintf(buf, sizeof buf, "%.12g", json_real_value(v)); break;
	case JSON_TRUE: snprintf(buf, sizeof buf, "1"); break;
	case JSON_FALSE: snprintf(buf, sizeof buf, "0"); break;
	case JSON_NULL: snprintf(buf, sizeof buf, "null"); break;
	default: {
		char *s = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS);
		char *d = astrdup(a, s ? s : "?");
		free(s);
		return d;
	}
	}
	return astrdup(a, buf);
}

/* Machine: nested objects flattened to dotted keys; an array becomes its elements' texts
 * joined by "; " (an object element as "k=v k=v"). */
struct kvlist {
	struct results_kv *v;
	unsigned n, cap;
};

static void kv_push(struct arena *a, struct kvlist *l, const char *k, char *v)
{
	if (l->n == l->cap) {
		unsigned cap = l->cap ? l->cap * 2 : 32;
		struct results_kv *nv = amalloc(a, cap * sizeof *nv);
		if (!nv)
			return;
		if (l->n)
			memcpy(nv, l->v, l->n * sizeof *nv);
		l->v = nv;
		l->cap = cap;
	}
	l->v[l->n].key = astrdup(a, k);
	l->v[l->n++].value = v;
}

static void element_text(json_t *v, char *buf, size_t len)
{
	size_t off = 0;
	const char *k;
	json_t *x;
	buf[0] = 0;
	if (json_is_string(v)) {
		snprintf(buf, len, "%s", json_string_value(v));
		return;
	}
	if (!json_is_object(v)) {
		char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
		snprintf(buf, len, "%s", s ? s : "?");
		free(s);
		return;
	}
	json_object_foreach(v, k, x) {
		char *s = json_is_string(x) ? NULL : json_dumps(x, JSON_COMPACT | JSON_ENCODE_ANY);
		if (off < len)
			off += (size_t)snprintf(buf + off, len - off, "%s%s=%s", off ? " " : "", k,
			                        s ? s : json_string_value(x));
		free(s);
	}
}

static void flatten(struct arena *a, struct kvlist *l, const char *prefix, json_t *o)
{
	const char *k;
	json_t *v;
	json_object_foreach(o, k, v) {
		char key[256];
		snprintf(key, sizeof key, "%s%s%s", prefix, *prefix ? "." : "", k);
		if (json_is_object(v)) {
			flatten(a, l, key, v);
		} else if (json_is_array(v)) {
			char buf[1024], el[256];
			size_t off = 0, i;
			json_t *e;
			buf[0] = 0;
			json_array_foreach(v, i, e) {
				element_text(e, el, sizeof el);
				if (off < sizeof buf)
					off += (size_t)snprintf(buf + off, sizeof buf - off, "%s%s", i ? "; " : "", el);
			}
			kv_push(a, l, key, astrdup(a, buf));
		} else {
			kv_push(a, l, key, scalar_text(a, v));
		}
	}
}

static double *darr(struct arena *a, json_t *arr, unsigned *n)
{
	*n = (unsigned)json_array_size(arr);
	double *d = amalloc(a, (*n ? *n : 1) * sizeof *d);
	for (unsigned i = 0; d && i < *n; i++)
		d[i] = numv(json_array_get(arr, i));
	return d;
}

static int *iarr(struct arena *a, json_t *arr, unsigned *n)
{
	*n = (unsigned)json_array_size(arr);
	int *d = amalloc(a, (*n ? *n : 1) * sizeof *d);
	for (unsigned i = 0; d && i < *n; i++) {
		json_t *v = json_array_get(arr, i);
		d[i] = json_is_integer(v) ? (int)json_integer_value(v) : -1;
	}
	return d;
}

static int rep_is_ok(json_t *r)
{
	json_t *s = json_object_get(r, "status");
	return json_is_string(s) && !strcmp(json_string_value(s), "ok");
}

static void load_rep(struct arena *a, json_t *r, struct results_rep *o)
{
	unsigned n;
	o->ok = rep_is_ok(r);
	o->wall_s = numv(json_object_get(r, "wall_s"));
	o->util_cores = numv(json_object_get(r, "util_cores"));
	o->worker_ops = darr(a, json_object_get(r, "worker_ops"), &o->nworkers);
	o->worker_cpu_s = darr(a, json_object_get(r, "worker_cpu_s"), &n);
	if (n < o->nworkers)
		o->nworkers = n;
	o->bound_pu = iarr(a, json_object_get(r, "bound_pu"), &n);
	if (n < o->nworkers)
		o->nworkers = n;
	o->last_cpu = iarr(a, json_object_get(r, "last_cpu"), &n);
	if (n < o->nworkers)
		o->nworkers = n;
	json_t *cu = json_object_get(r, "core_util");
	o->interval_s = numv(json_object_get(cu, "interval_s"));
	o->cpus = iarr(a, json_object_get(cu, "cpus"), &o->ncpus);
	o->core_mean = darr(a, json_object_get(cu, "mean"), &n);
	if (n != o->ncpus)
		o->ncpus = n < o->ncpus ? n : o->ncpus;
	json_t *tl = json_object_get(cu, "timeline"), *row;
	size_t i;
	o->nsamples = (unsigned)json_array_size(tl);
	o->timeline = amalloc(a, ((size_t)o->nsamples * o->ncpus + 1) * sizeof *o->timeline);
	json_array_foreach(tl, i, row) {
		for (unsigned c = 0; o->timeline && c < o->ncpus; c++)
			o->timeline[i * o->ncpus + c] = numv(json_array_get(row, c));
	}
}

static void stat_from(struct results_stat *s, json_t *o)
{
	json_t *ci = json_object_get(o, "ci95");
	s->n = json_is_integer(json_object_get(o, "n")) ? (unsigned)json_integer_value(json_object_get(o, "n")) : 0;
	s->median = numv(json_object_get(o, "median"));
	s->mean = numv(json_object_get(o, "mean"));
	s->stddev = numv(json_object_get(o, "stddev"));
	s->cv = numv(json_object_get(o, "cv"));
	s->min = numv(json_object_get(o, "min"));
	s->max = numv(json_object_get(o, "max"));
	s->ci_lo = numv(json_array_get(ci, 0));
	s->ci_hi = numv(json_array_get(ci, 1));
}

static int skip_metric(const char *k)
{
	return !strcmp(k, "index") || !strcmp(k, "warmup");
}

static void load_cell(struct arena *a, json_t *c, struct results_vcell *o)
{
	const char *k;
	json_t *v, *r;
	size_t i;
	o->workload = strv(a, json_object_get(c, "workload"));
	o->driver = strv(a, json_object_get(c, "driver"));
	o->pin = strv(a, json_object_get(c, "pin"));
	o->status = strv(a, json_object_get(c, "status"));
	o->error = strv(a, json_object_get(c, "error"));
	if (!o->workload)
		o->workload = "?";
	if (!o->driver)
		o->driver = "?";
	if (!o->pin)
		o->pin = "spread";
	if (!o->status)
		o->status = "unknown";
	json_t *w = json_object_get(c, "workers");
	o->workers = json_is_integer(w) && json_integer_value(w) > 0 ? (unsigned)json_integer_value(w) : 0;
	json_t *pr = json_object_get(c, "primary");
	o->primary = strv(a, json_object_get(pr, "metric"));
	if (!o->primary)
		o->primary = "ops_per_s";
	json_t *better = json_object_get(pr, "better");
	o->higher_is_better = !json_is_string(better) || strcmp(json_string_value(better), "lower");

	json_t *knobs = json_object_get(c, "knobs");
	o->knobs = amalloc(a, (json_object_size(knobs) + 1) * sizeof *o->knobs);
	json_object_foreach(knobs, k, v) {
		if (!o->knobs)
			break;
		o->knobs[o->nknobs].key = astrdup(a, k);
		o->knobs[o->nknobs++].value = scalar_text(a, v);
	}

	json_t *reps = json_object_get(c, "reps");
	size_t nr = json_array_size(reps), nok = 0;
	o->reps = amalloc(a, (nr + 1) * sizeof *o->reps);
	json_array_foreach(reps, i, r) {
		if (!json_is_object(r) || !o->reps)
			continue;
		load_rep(a, r, &o->reps[o->nreps++]);
		nok += rep_is_ok(r);
	}

	/* Series: every numeric key of any ok repetition, in first-seen order. */
	size_t cap = 16;
	o->series = amalloc(a, cap * sizeof *o->series);
	json_array_foreach(reps, i, r) {
		if (!json_is_object(r) || !rep_is_ok(r) || !o->series)
			continue;
		json_object_foreach(r, k, v) {
			if (!json_is_number(v) || skip_metric(k) || results_vcell_series(o, k))
				continue;
			if (o->nseries == cap) {
				struct results_series *ns = amalloc(a, cap * 2 * sizeof *ns);
				if (!ns)
					return;
				memcpy(ns, o->series, cap * sizeof *ns);
				o->series = ns;
				cap *= 2;
			}
			struct results_series *s = &o->series[o->nseries++];
			s->metric = astrdup(a, k);
			s->v = amalloc(a, (nok + 1) * sizeof *s->v);
			size_t j;
			json_t *r2;
			json_array_foreach(reps, j, r2) {
				if (json_is_object(r2) && rep_is_ok(r2) && s->v)
					s->v[s->n++] = numv(json_object_get(r2, k));
			}
		}
	}

	/* Stats: the file's summary, then computed ones for series it does not summarize. */
	json_t *sum = json_object_get(c, "summary");
	o->stats = amalloc(a, (json_object_size(sum) + o->nseries + 1) * sizeof *o->stats);
	if (!o->stats)
		return;
	json_object_foreach(sum, k, v) {
		if (!json_is_object(v))
			continue;
		struct results_stat *s = &o->stats[o->nstats++];
		s->metric = astrdup(a, k);
		stat_from(s, v);
	}
	for (unsigned j = 0; j < o->nseries; j++) {
		struct results_series *se = &o->series[j];
		if (results_vcell_stat(o, se->metric))
			continue;
		double *x = amalloc(a, (se->n + 1) * sizeof *x);
		size_t n = 0;
		for (unsigned q = 0; x && q < se->n; q++)
			if (isfinite(se->v[q]))
				x[n++] = se->v[q];
		struct stats_summary ss;
		if (!x || stats_summarize(x, n, &ss))
			continue;
		struct results_stat *s = &o->stats[o->nstats++];
		s->metric = se->metric;
		s->n = (unsigned)ss.n;
		s->median = ss.median;
		s->mean = ss.mean;
		s->stddev = ss.stddev;
		s->cv = ss.cv;
		s->min = ss.min;
		s->max = ss.max;
		s->ci_lo = ss.n > 1 ? ss.ci_lo : NAN;
		s->ci_hi = ss.n > 1 ? ss.ci_hi : NAN;
	}
}

struct results_view *results_view_load(const char *path, char *err, size_t errlen)
{
	json_error_t je;
	FILE *fp = fopen(path, "r");
	if (!fp) {
		snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
		return NULL;
	}
	json_t *root = json_loadf(fp, JSON_REJECT_DUPLICATES, &je);
	fclose(fp);
	if (!root) {
		snprintf(err, errlen, "%s is not valid JSON (line %d, column %d: %s)", path, je.line, je.column, je.text);
		return NULL;
	}
	json_t *sv = json_object_get(root, "schema_version"), *cells = json_object_get(root, "cells");
	if (!json_is_object(root) || !json_is_integer(sv) || !json_is_array(cells)) {
		snprintf(err, errlen, "%s is not a bench results file (no schema_version or cells)", path);
		json_decref(root);
		return NULL;
	}
	if (json_integer_value(sv) != RESULTS_SCHEMA_VERSION) {
		snprintf(err, errlen, "%s has schema_version %lld, this bench reads version %d", path,
		         (long long)json_integer_value(sv), RESULTS_SCHEMA_VERSION);
		json_decref(root);
		return NULL;
	}

	struct arena ar = { 0 }, *a = &ar;
	struct results_view *f = amalloc(a, sizeof *f);
	if (!f)
		goto oom;
	f->path = astrdup(a, path);
	f->schema_version = (int)json_integer_value(sv);
	f->created_utc = strv(a, json_object_get(root, "created_utc"));
	f->tool_version = strv(a, json_object_get(json_object_get(root, "tool"), "version"));
	f->tool_git = strv(a, json_object_get(json_object_get(root, "tool"), "git"));
	f->interrupted = json_is_true(json_object_get(root, "interrupted"));

	json_t *m = json_object_get(root, "machine");
	struct kvlist kl = { 0 };
	if (json_is_object(m))
		flatten(a, &kl, "", m);
	f->machine = kl.v;
	f->nmachine = kl.n;
	json_t *oc = json_object_get(m, "online_cpus");
	f->cpus = json_is_integer(oc) && json_integer_value(oc) > 0 ? (int)json_integer_value(oc) : 0;
	if (!f->cpus) {
		json_t *pus = json_object_get(json_object_get(m, "topology"), "pus");
		f->cpus = json_is_integer(pus) && json_integer_value(pus) > 0 ? (int)json_integer_value(pus) : 1;
	}
	double quota = numv(json_object_get(json_object_get(m, "cgroup"), "quota_cpus"));
	if (isfinite(quota) && quota >= 1 && quota < f->cpus)
		f->cpus = (int)floor(quota);

	json_t *cfg = json_object_get(root, "config"), *argv = json_object_get(cfg, "argv"), *v;
	char buf[2048];
	size_t off = 0, i;
	buf[0] = 0;
	json_array_foreach(argv, i, v) {
		if (json_is_string(v) && off < sizeof buf)
			off += (size_t)snprintf(buf + off, sizeof buf - off, "%s%s", off ? " " : "", json_string_value(v));
	}
	f->argv = astrdup(a, buf);
	f->duration_s = numv(json_object_get(cfg, "duration_s"));
	json_t *reps = json_object_get(cfg, "reps"), *warm = json_object_get(cfg, "warmup");
	f->reps = json_is_integer(reps) ? (unsigned)json_integer_value(reps) : 0;
	f->warmup = json_is_integer(warm) ? (unsigned)json_integer_value(warm) : 0;

	f->cells = amalloc(a, (json_array_size(cells) + 1) * sizeof *f->cells);
	if (!f->cells)
		goto oom;
	json_array_foreach(cells, i, v) {
		if (!json_is_object(v))
			continue;
		struct results_vcell *c = &f->cells[f->ncells++];
		c->index = (unsigned)i;
		load_cell(a, v, c);
	}
	if (a->failed)
		goto oom;
	json_decref(root);
	f->mem = amalloc(a, sizeof ar);
	if (!f->mem)
		goto oom;
	memcpy(f->mem, &ar, sizeof ar);
	return f;
oom:
	json_decref(root);
	arena_free(a);
	snprintf(err, errlen, "%s: out of memory", path);
	return NULL;
}

void results_view_free(struct results_view *f)
{
	if (!f)
		return;
	struct arena a;
	memcpy(&a, f->mem, sizeof a);
	arena_free(&a); /* f itself lives in the arena */
}

const char *results_view_machine(const struct results_view *f, const char *key)
{
	for (unsigned i = 0; i < f->nmachine; i++)
		if (!strcmp(f->machine[i].key, key))
			return f->machine[i].value;
	return NULL;
}

const struct results_stat *results_vcell_stat(const struct results_vcell *c, const char *metric)
{
	for (unsigned i = 0; i < c->nstats; i++)
		if (!strcmp(c->stats[i].metric, metric))
			return &c->stats[i];
	return NULL;
}

double results_vcell_median(const struct results_vcell *c, const char *metric)
{
	const struct results_stat *s = results_vcell_stat(c, metric);
	return s ? s->median : NAN;
}

const struct results_series *results_vcell_series(const struct results_vcell *c, const char *metric)
{
	for (unsigned i = 0; i < c->nseries; i++)
		if (!strcmp(c->series[i].metric, metric))
			return &c->series[i];
	return NULL;
}

const char *results_vcell_knob(const struct results_vcell *c, const char *name)
{
	for (unsigned i = 0; i < c->nknobs; i++)
		if (!strcmp(c->knobs[i].key, name))
			return c->knobs[i].value;
	return NULL;
}
