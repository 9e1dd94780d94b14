/* results_load: reads a results file back for compare, export and run --baseline (part of the
 * results module, the only jansson user). Everything the readers use is validated here, once,
 * so a missing, empty, truncated, huge, foreign or wrongly typed file is a one-line error
 * naming the file and the key, never a crash further on. */
#define _GNU_SOURCE
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "results.h"

struct lcell {
	struct results_cell_info info;
	json_t *reps;                  /* borrowed from the root */
	char vals[KNOBSET_MAX][64];
};

struct results_file {
	char *path;
	json_t *root;
	unsigned ncells;
	struct lcell *cells;
};

static void scalar_text(json_t *v, char *buf, size_t len)
{
	switch (json_typeof(v)) {
	case JSON_STRING: snprintf(buf, len, "%s", json_string_value(v)); break;
	case JSON_INTEGER: snprintf(buf, len, "%lld", (long long)json_integer_value(v)); break;
	case JSON_REAL: snprintf(buf, len, "%.12g", json_real_value(v)); break;
	case JSON_TRUE: snprintf(buf, len, "true"); break;
	case JSON_FALSE: snprintf(buf, len, "false"); break;
	default: snprintf(buf, len, "null");
	}
}

static int cmp_knob(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

#define BAD(...)                                                   \
	do {                                                       \
		snprintf(err, errlen, __VA_ARGS__);                \
		return -EINVAL;                                    \
	} while (0)

static const char *type_name(json_t *v)
{
	if (!v)
		return "missing";
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "an object";
	case JSON_ARRAY: return "an array";
	case JSON_STRING: return "a string";
	case JSON_INTEGER: return "an integer";
	case JSON_REAL: return "a real";
	case JSON_TRUE:
	case JSON_FALSE: return "a boolean";
	default: return "null";
	}
}

static int get_string(json_t *o, const char *key, unsigned ci, const char *path, const char **out, char *err,
                      size_t errlen)
{
	json_t *v = json_object_get(o, key);
	if (!json_is_string(v))
		BAD("%s: cells[%u].%s should be a string, is %s", path, ci, key, type_name(v));
	*out = json_string_value(v);
	return 0;
}

static int load_cell(struct results_file *f, unsigned ci, json_t *c, char *err, size_t errlen)
{
	struct lcell *l = &f->cells[ci];
	struct results_cell_info *in = &l->info;
	const char *p = f->path, *better;
	if (!json_is_object(c))
		BAD("%s: cells[%u] should be an object, is %s", p, ci, type_name(c));
	if (get_string(c, "workload", ci, p, &in->workload, err, errlen) ||
	    get_string(c, "driver", ci, p, &in->driver, err, errlen) ||
	    get_string(c, "pin", ci, p, &in->pin, err, errlen) ||
	    get_string(c, "status", ci, p, &in->status, err, errlen))
		return -EINVAL;
	json_t *w = json_object_get(c, "workers");
	if (!json_is_integer(w) || json_integer_value(w) < 1 || json_integer_value(w) > 1000000)
		BAD("%s: cells[%u].workers should be an integer from 1 to 1000000, is %s", p, ci, type_name(w));
	in->workers = (unsigned)json_integer_value(w);
	json_t *e = json_object_get(c, "error");
	if (e && !json_is_null(e) && !json_is_string(e))
		BAD("%s: cells[%u].error should be a string or null, is %s", p, ci, type_name(e));
	in->error = json_string_value(e);
	json_t *pr = json_object_get(c, "primary");
	if (!json_is_object(pr))
		BAD("%s: cells[%u].primary should be an object, is %s", p, ci, type_name(pr));
	if (get_string(pr, "metric", ci, p, &in->primary_metric, err, errlen) ||
	    get_string(pr, "better", ci, p, &better, err, errlen))
		BAD("%s: cells[%u].primary should have the strings metric and better", p, ci);
	if (strcmp(better, "higher") && strcmp(better, "lower"))
		BAD("%s: cells[%u].primary.better should be \"higher\" or \"lower\", is \"%s\"", p, ci, better);
	in->higher_is_better = !strcmp(better, "higher");
	json_t *k = json_object_get(c, "knobs"), *v;
	const char *key;
	if (!json_is_object(k))
		BAD("%s: cells[%u].knobs should be an object, is %s", p, ci, type_name(k));
	if (json_object_size(k) > KNOBSET_MAX)
		BAD("%s: cells[%u].knobs has %zu knobs, more than %d", p, ci, json_object_size(k), KNOBSET_MAX);
	json_object_foreach(k, key, v) {
		if (!json_is_string(v) && !json_is_number(v) && !json_is_boolean(v))
			BAD("%s: cells[%u].knobs.%s should be a string, number or boolean, is %s", p, ci, key,
			    type_name(v));
		in->knob_name[in->nknobs++] = key;
	}
	qsort(in->knob_name, in->nknobs, sizeof in->knob_name[0], cmp_knob);
	for (unsigned i = 0; i < in->nknobs; i++) {
		v = json_object_get(k, in->knob_name[i]);
		if (json_is_boolean(v))
			snprintf(l->vals[i], sizeof l->vals[i], "%d", json_is_true(v));
		else
			scalar_text(v, l->vals[i], sizeof l->vals[i]);
		in->knob_value[i] = l->vals[i];
	}
	json_t *reps = json_object_get(c, "reps"), *r;
	size_t i;
	if (!json_is_array(reps))
		BAD("%s: cells[%u].reps should be an array, is %s", p, ci, type_name(reps));
	json_array_foreach(reps, i, r) {
		if (!json_is_object(r))
			BAD("%s: cells[%u].reps[%zu] should be an object, is %s", p, ci, i, type_name(r));
		json_t *st = json_object_get(r, "status");
		if (!json_is_string(st))
			BAD("%s: cells[%u].reps[%zu].status should be a string, is %s", p, ci, i, type_name(st));
	}
	in->nreps = (unsigned)json_array_size(reps);
	l->reps = reps;
	return 0;
}

static int validate(struct results_file *f, char *err, size_t errlen)
{
	json_t *root = f->root, *v;
	const char *p = f->path;
	if (!json_is_object(root))
		BAD("%s is not a bench results file: the top level is %s, not an object", p, type_name(root));
	v = json_object_get(root, "schema_version");
	if (!v)
		BAD("%s is not a bench results file: it has no schema_version", p);
	if (!json_is_integer(v))
		BAD("%s: schema_version should be an integer, is %s", p, type_name(v));
	if (json_integer_value(v) != RESULTS_SCHEMA_VERSION)
		BAD("%s has schema_version %lld, but this bench reads schema_version %d (written by a %s bench)", p,
		    (long long)json_integer_value(v), RESULTS_SCHEMA_VERSION,
		    json_integer_value(v) > RESULTS_SCHEMA_VERSION ? "newer" : "older");
	v = json_object_get(json_object_get(root, "tool"), "name");
	if (!json_is_string(v) || strcmp(json_string_value(v), "bench"))
		BAD("%s is not a bench results file: tool.name is not \"bench\"", p);
	static const char *objs[] = { "machine", "config" };
	for (unsigned i = 0; i < 2; i++) {
		v = json_object_get(root, objs[i]);
		if (!json_is_object(v))
			BAD("%s: %s should be an object, is %s", p, objs[i], type_name(v));
	}
	json_t *cells = json_object_get(root, "cells");
	if (!json_is_array(cells))
		BAD("%s: cells should be an array, is %s", p, type_name(cells));
	if (json_array_size(cells) > RESULTS_LOAD_MAX_CELLS)
		BAD("%s has %zu cells, more than a results file may have (%d)", p, json_array_size(cells),
		    RESULTS_LOAD_MAX_CELLS);
	f->ncells = (unsigned)json_array_size(cells);
	f->cells = calloc(f->ncells ? f->ncells : 1, sizeof *f->cells);
	if (!f->cells) {
		snprintf(err, errlen, "%s: out of memory", p);
		return -ENOMEM;
	}
	for (unsigned i = 0; i < f->ncells; i++) {
		int rc = load_cell(f, i, json_array_get(cells, i), err, errlen);
		if (rc)
			return rc;
	}
	return 0;
}

static int load(const char *path, struct results_file **out, char *err, size_t errlen);

int results_load(const char *path, struct results_file **out, char *err, size_t errlen)
{
	int rc = load(path, out, err, errlen);
	/* The message quotes the file (keys, jansson's token): keep it one printable line. */
	for (char *p = err; rc && *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	return rc;
}

static int load(const char *path, struct results_file **out, char *err, size_t errlen)
{
	struct stat st;
	*out = NULL;
	if (stat(path, &st)) {
		int e = errno;
		snprintf(err, errlen, "cannot read %s: %s", path, strerror(e));
		return -e;
	}
	if (S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s is a directory, not a results file", path);
		return -EISDIR;
	}
	if (st.st_size == 0 && S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s is empty, not a results file", path);
		return -EINVAL;
	}
	if (st.st_size > RESULTS_LOAD_MAX_BYTES) {
		snprintf(err, errlen, "%s is %lld MiB, more than a results file may have (%ld MiB)", path,
		         (long long)(st.st_size >> 20), RESULTS_LOAD_MAX_BYTES >> 20);
		return -EFBIG;
	}
	struct results_file *f = calloc(1, sizeof *f);
	if (!f || !(f->path = strdup(path))) {
		free(f);
		snprintf(err, errlen, "%s: out of memory", path);
		return -ENOMEM;
	}
	json_error_t je;
	f->root = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
	if (!f->root) {
		if (je.position == 0 && strstr(je.text, "unable to open"))
			snprintf(err, errlen, "cannot read %s: %s", path, je.text);
		else
			snprintf(err, errlen, "%s is not valid JSON (truncated or corrupt?): %s at line %d, column %d", path,
			         je.text, je.line, je.column);
		results_file_free(f);
		return -EINVAL;
	}
	int rc = validate(f, err, errlen);
	if (rc) {
		results_file_free(f);
		return rc;
	}
	*out = f;
	return 0;
}

void results_file_free(struct results_file *f)
{
	if (!f)
		return;
	json_decref(f->root);
	free(f->cells);
	free(f->path);
	free(f);
}

const char *results_file_path(const struct results_file *f)
{
	return f->path;
}

unsigned results_file_ncells(const struct results_file *f)
{
	return f->ncells;
}

const struct results_cell_info *results_file_cell(const struct results_file *f, unsigned i)
{
	return i < f->ncells ? &f->cells[i].info : NULL;
}

/* A metric of one repetition: recorded, or derived (RESULTS_DERIVED_METRICS). NAN if absent. */
static double rep_metric(json_t *r, const char *metric)
{
	json_t *v = json_object_get(r, metric);
	if (json_is_number(v))
		return json_number_value(v);
	if (!strcmp(metric, "ops_per_cpu_s")) {
		json_t *ops = json_object_get(r, "ops"), *u = json_object_get(r, "cpu_user_s"),
		       *s = json_object_get(r, "cpu_sys_s");
		if (!json_is_number(ops) || !json_is_number(u) || !json_is_number(s))
			return NAN;
		double cpu = json_number_value(u) + json_number_value(s);
		return cpu > 0 ? json_number_value(ops) / cpu : json_number_value(ops) > 0 ? INFINITY : NAN;
	}
	return NAN;
}

int results_file_values(const struct results_file *f, unsigned ci, const char *metric, double *out, unsigned max)
{
	if (ci >= f->ncells)
		return -ENOENT;
	json_t *r;
	size_t i;
	int n = 0, seen = 0;
	json_array_foreach(f->cells[ci].reps, i, r) {
		double d = rep_metric(r, metric);
		if (isnan(d))
			continue;
		seen = 1;
		if (strcmp(json_string_value(json_object_get(r, "status")), "ok"))
			continue;
		if (isfinite(d) && (unsigned)n < max)
			out[n++] = d;
	}
	return seen ? n : -ENOENT;
}

int results_file_scalar(const struct results_file *f, const char *path, char *buf, size_t len)
{
	char key[128];
	json_t *v = f->root;
	const char *p = path;
	while (v && *p) {
		size_t k = strcspn(p, ".");
		if (k >= sizeof key)
			return -ENOENT;
		memcpy(key, p, k);
		key[k] = 0;
		v = json_object_get(v, key);
		p += k + (p[k] == '.');
	}
	if (!v || json_is_object(v) || json_is_array(v))
		return -ENOENT;
	scalar_text(v, buf, len);
	return 0;
}
