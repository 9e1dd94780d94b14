/* results_load: results file -> plain C model (see results_load.h), for every reader. Part of
 * the results module, a jansson user. The file is validated while the model is built, cell by
 * cell in file order, so the first problem is the one reported. The parsed document stays with
 * the model (results_file_scalar() reads it; error texts and metric names of repetitions are
 * its strings); everything else, one copy of each name and knob value included, comes from one
 * arena freed with the file. */
#define _GNU_SOURCE
#include "bench/store/results_load.h"

#include <errno.h>
#include <fcntl.h>
#include <float.h>
#include <jansson.h>
#include <math.h>
#include <stdalign.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench/store/escape.h"
#include "bench/core/opt.h"
#include "bench/store/results.h"
#include "bench/stats/stats.h"
#include "bench/core/task.h"

/* ---- arena: zeroed blocks carved from 64 KiB chunks, all freed at once ---- */

#define CHUNK_BYTES ((size_t)64 << 10)

struct chunk {
	struct chunk *next;
	size_t used, cap;
	max_align_t data[];
};

struct arena {
	struct chunk *head;
	int failed;
};

static void *amalloc(struct arena *a, size_t n)
{
	const size_t al = alignof(max_align_t);
	if (n > SIZE_MAX / 2) {
		a->failed = 1;
		return NULL;
	}
	n = n ? (n + al - 1) / al * al : al;
	struct chunk *c = a->head;
	if (c && c->cap - c->used >= n) {
		void *p = (char *)c->data + c->used;
		c->used += n;
		return p;
	}
	size_t cap = n > CHUNK_BYTES / 4 ? n : CHUNK_BYTES;
	struct chunk *nc = calloc(1, sizeof *nc + cap);
	if (!nc) {
		a->failed = 1;
		return NULL;
	}
	nc->cap = cap;
	nc->used = n;
	if (c && cap == n) { /* a big block gets a chunk of its own: keep filling the current one */
		nc->next = c->next;
		c->next = nc;
	} else {
		nc->next = c;
		a->head = nc;
	}
	return nc->data;
}

static void *anew(struct arena *a, size_t count, size_t size)
{
	if (size && count > SIZE_MAX / 2 / size) {
		a->failed = 1;
		return NULL;
	}
	return amalloc(a, count * size);
}

static char *astrdup(struct arena *a, const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = amalloc(a, n);
	if (d)
		memcpy(d, s, n);
	return d;
}

static void arena_free(struct arena *a)
{
	while (a->head) {
		struct chunk *n = a->head->next;
		free(a->head);
		a->head = n;
	}
}

/* The file as handed out: the model first, then what it is made of. */
struct loaded {
	struct results_file file;
	json_t *root;
	struct arena arena;
};

/* An interned string; cell, idx: it is metric idx of cell (index + 1) being loaded. */
struct istr {
	const char *s;
	unsigned cell, idx;
};

/* Scratch of the loader (malloc'd, not in the arena, freed after the load): the interned
 * strings, and the metric names of the cell being loaded. */
struct scratch {
	struct istr *str;          /* open addressing; the strings are in the arena */
	size_t nstr, strcap;
	const char **name;         /* the cell's distinct metric names (interned), first-seen order */
	unsigned *count, *idx;     /* per name: values seen; per value: its name */
	size_t cap;
	unsigned next;             /* the name after the last one found */
	int failed;
};

/* ---- helpers ---- */

/* realloc, freeing p when it fails. */
static void *realloc_or_free(void *p, size_t n)
{
	void *q = realloc(p, n);
	if (!q)
		free(p);
	return q;
}

/* strcmp(a, b) == 0, cheaper when the first letters differ (the loader's hot comparisons) */
static int streq(const char *a, const char *b)
{
	return *a == *b && !strcmp(a, b);
}

static size_t name_hash(const char *k)
{
	size_t h = 14695981039346656037ull;
	while (*k)
		h = (h ^ (unsigned char)*k++) * 1099511628211ull;
	return h;
}

/* One copy of each distinct string the readers compare over and over (names of workloads,
 * drivers, knobs and metrics; knob values), in the arena: plot and report compare the knobs
 * and metrics of every pair of cells, and few distinct strings stay in the cache. The entry
 * (valid until the next call), or NULL (s->failed) when out of memory. */
static struct istr *intern_entry(struct arena *a, struct scratch *s, const char *str)
{
	if (2 * (s->nstr + 1) > s->strcap) {
		size_t cap = s->strcap ? 2 * s->strcap : 256;
		struct istr *t = calloc(cap, sizeof *t);
		if (!t) {
			s->failed = 1;
			return NULL;
		}
		for (size_t i = 0; i < s->strcap; i++) {
			if (!s->str[i].s)
				continue;
			size_t h = name_hash(s->str[i].s) & (cap - 1);
			while (t[h].s)
				h = (h + 1) & (cap - 1);
			t[h] = s->str[i];
		}
		free(s->str);
		s->str = t;
		s->strcap = cap;
	}
	size_t mask = s->strcap - 1, h = name_hash(str) & mask;
	for (; s->str[h].s; h = (h + 1) & mask)
		if (streq(s->str[h].s, str))
			return &s->str[h];
	const char *d = astrdup(a, str);
	if (!d)
		return NULL; /* a->failed: the load fails */
	s->nstr++;
	s->str[h] = (struct istr){ d, 0, 0 };
	return &s->str[h];
}

static const char *intern(struct arena *a, struct scratch *s, const char *str)
{
	struct istr *e = intern_entry(a, s, str);
	return e ? e->s : str;
}

static double numv(json_t *v)
{
	return json_is_number(v) ? json_number_value(v) : NAN;
}

/* Text of a scalar; booleans as true/false or, with digits, 1/0 (knobs and machine fields). */
static void scalar_text(json_t *v, int digits, char *buf, size_t len)
{
	switch (json_typeof(v)) {
	case JSON_STRING: snprintf(buf, len, "%s", json_string_value(v)); break;
	case JSON_INTEGER: snprintf(buf, len, "%lld", (long long)json_integer_value(v)); break;
	case JSON_REAL: snprintf(buf, len, "%.12g", json_real_value(v)); break;
	case JSON_TRUE: snprintf(buf, len, digits ? "1" : "true"); break;
	case JSON_FALSE: snprintf(buf, len, digits ? "0" : "false"); break;
	default: snprintf(buf, len, "null");
	}
}

/* A knob value or machine field as the model holds it: strings borrowed, others as text. */
static const char *value_text(struct arena *a, json_t *v)
{
	char buf[64];
	if (json_is_string(v))
		return json_string_value(v);
	scalar_text(v, 1, buf, sizeof buf);
	return astrdup(a, buf);
}

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

#define BAD(...)                                                   \
	do {                                                       \
		snprintf(err, errlen, __VA_ARGS__);                \
		return -EINVAL;                                    \
	} while (0)

static int get_string(json_t *o, const char *key, unsigned ci, const char *path, const char **out, char *err,
                      size_t errlen)
{
	json_t *v = json_object_get(o, key);
	if (!json_is_string(v))
		BAD("%s: cells[%u].%s should be a string, is %s", path, ci, key, type_name(v));
	*out = json_string_value(v);
	return 0;
}

/* ---- validation: what a results file may hold, every rule in one place ----
 * Names reach file names, scripts and tables as they are, so they must be names: workload,
 * driver, knob and metric names (the keys of repetitions and summaries) match the registry's
 * charset (esc_name_ok), knob values and pin policies a value charset (esc_value_ok); a
 * cell's status is ok|failed|skipped|running, a repetition's ok|failed. Where a number belongs
 * there is a number (or null: bench writes NaN as null), finite and within the bounds below;
 * workers is 1..TASK_MAX_WORKERS (the limit of -n). Free text (host, git, created_utc, error
 * texts, machine fields, argv) may be any text: every sink escapes it (escape.h). */

#define NAME_RULE "[a-z0-9_-], 1 to 47 characters, as bench list shows"
#define KNOB_TEXT_MAX (sizeof ((struct knobval *)0)->text - 1) /* what a knob value can be (opt.h) */
#define CPU_MAX (1 << 20)

/* lo..hi; above: in an ok repetition (and so in a summary) the value must be above lo. */
struct bound {
	const char *name;
	double lo, hi;
	int above;
};

/* ops_per_s may be 0: a repetition in which no op completed (a starved coroutine, a stall of a
 * short repetition under a sanitizer) is a measurement bench writes, not an impossible value. */
static const struct bound rep_bounds[] = {
	{ "index", 0, 1e9, 0 },           { "wall_s", 0, DBL_MAX, 1 },       { "spawn_s", 0, DBL_MAX, 0 },
	{ "join_s", 0, DBL_MAX, 0 },      { "cpu_user_s", 0, DBL_MAX, 0 },   { "cpu_sys_s", 0, DBL_MAX, 0 },
	{ "util_cores", 0, DBL_MAX, 0 },  { "ops", 0, DBL_MAX, 0 },          { "ops_per_s", 0, DBL_MAX, 0 },
	{ "ctx_voluntary", 0, DBL_MAX, 0 }, { "ctx_involuntary", 0, DBL_MAX, 0 }, { "fairness", 0, 1 + 1e-9, 0 },
	{ "worker_ops", 0, DBL_MAX, 0 },  { "worker_cpu_s", 0, DBL_MAX, 0 }, { "bound_pu", -1, CPU_MAX, 0 },
	{ "last_cpu", -1, CPU_MAX, 0 },    { "steal_s", 0, DBL_MAX, 0 },      { "other_load_cores", 0, DBL_MAX, 0 },
	{ "other_load_pu_cores", 0, DBL_MAX, 0 }, { "migrations", 0, DBL_MAX, 0 }, { "run_delay_s", 0, DBL_MAX, 0 },
	{ "helper_cpu_s", 0, DBL_MAX, 0 },
	{ "stall_s", 0, DBL_MAX, 0 },
};
static const struct bound any_number = { "", -DBL_MAX, DBL_MAX, 0 }, non_negative = { "", 0, DBL_MAX, 0 },
                          positive = { "", 0, DBL_MAX, 1 }, cpu_index = { "", 0, CPU_MAX, 0 },
                          count = { "", 0, 1e9, 0 };

static const struct bound *bound_of(const char *name)
{
	for (size_t i = 0; i < sizeof rep_bounds / sizeof *rep_bounds; i++)
		if (streq(rep_bounds[i].name, name))
			return &rep_bounds[i];
	return &any_number;
}

/* A number v at `what` (a dotted path) within b; ok: of an ok repetition or a summary. */
static int check_number(double v, const struct bound *b, int ok, const char *p, const char *what, char *err,
                        size_t errlen)
{
	if (!isfinite(v))
		BAD("%s: %s is %g, not a finite number", p, what, v);
	if (ok && b->above && v <= b->lo)
		BAD("%s: %s is %g, should be above %g", p, what, v, b->lo);
	if (v < b->lo)
		BAD("%s: %s is %g, should be at least %g", p, what, v, b->lo);
	if (v > b->hi)
		BAD("%s: %s is %g, should be at most %g", p, what, v, b->hi);
	return 0;
}

/* A number or null (ints: an integer) at `what`, within b. */
static int check_value(json_t *v, const struct bound *b, int ints, int ok, const char *p, const char *what,
                       char *err, size_t errlen)
{
	if (json_is_null(v) && !ints)
		return 0;
	if (ints ? !json_is_integer(v) : !json_is_number(v))
		BAD("%s: %s should be %s, is %s", p, what, ints ? "an integer" : "a number", type_name(v));
	return check_number(json_number_value(v), b, ok, p, what, err, errlen);
}

/* Every element of an array (rows: every element of every row array) as check_value. */
static int check_array(json_t *a, const struct bound *b, int ints, int rows, const char *p, const char *what,
                       char *err, size_t errlen)
{
	size_t i;
	json_t *v;
	if (!json_is_array(a))
		BAD("%s: %s should be an array, is %s", p, what, type_name(a));
	json_array_foreach(a, i, v) {
		char w[160];
		/* the element's path only for the message: checked again with it when it fails */
		if (!(rows ? check_array(v, b, ints, 0, p, "", err, errlen) : check_value(v, b, ints, 0, p, "", err, errlen)))
			continue;
		snprintf(w, sizeof w, "%s[%zu]", what, i);
		if (rows)
			check_array(v, b, ints, 0, p, w, err, errlen);
		else
			check_value(v, b, ints, 0, p, w, err, errlen);
		return -EINVAL;
	}
	return 0;
}

static int check_core_util(json_t *cu, const char *p, const char *what, char *err, size_t errlen)
{
	char w[160];
	json_t *v;
	if (!json_is_object(cu))
		BAD("%s: %s should be an object, is %s", p, what, type_name(cu));
	snprintf(w, sizeof w, "%s.interval_s", what);
	if ((v = json_object_get(cu, "interval_s")) && check_value(v, &positive, 0, 1, p, w, err, errlen))
		return -EINVAL;
	static const char *const keys[] = { "cpus", "mean", "timeline" };
	for (unsigned k = 0; k < 3; k++) {
		snprintf(w, sizeof w, "%s.%s", what, keys[k]);
		if ((v = json_object_get(cu, keys[k])) &&
		    check_array(v, k ? &non_negative : &cpu_index, !k, k == 2, p, w, err, errlen))
			return -EINVAL;
	}
	return 0;
}

/* disturbed_by of repetition r: only in a disturbed one, a list of the rule's reasons
 * (interference.h), each once, comma-separated. */
static int check_disturbed_by(json_t *r, json_t *v, const char *p, const char *what, char *err, size_t errlen)
{
	static const char *const reasons[] = { "steal", "other_load", "run_delay", "stall" };
	const char *t = json_string_value(v);
	unsigned seen = 0;
	if (!t)
		BAD("%s: %s should be a string, is %s", p, what, type_name(v));
	if (!json_is_true(json_object_get(r, "disturbed")))
		BAD("%s: %s is given, but the repetition is not disturbed", p, what);
	for (const char *s = t;; s++) {
		size_t k = strcspn(s, ","), i = 0;
		while (i < 4 && !(strlen(reasons[i]) == k && !strncmp(s, reasons[i], k)))
			i++;
		if (i == 4 || (seen & (1u << i)))
			BAD("%s: %s should list steal, other_load, run_delay, stall (each once, comma-separated)", p, what);
		seen |= 1u << i;
		s += k;
		if (!*s)
			return 0;
	}
}

/* Key k (value v) of repetition r (ok: its status is ok), at path what. */
static int check_rep_key(json_t *r, const char *k, json_t *v, int ok, const char *p, const char *what, char *err,
                         size_t errlen)
{
	const struct bound *b = bound_of(k);
	int ints = streq(k, "bound_pu") || streq(k, "last_cpu") || streq(k, "index");
	if (streq(k, "error") && !json_is_string(v) && !json_is_null(v))
		BAD("%s: %s should be a string or null, is %s", p, what, type_name(v));
	if (streq(k, "disturbed") && !json_is_boolean(v))
		BAD("%s: %s should be true or false, is %s", p, what, type_name(v));
	if (streq(k, "disturbed_by") && check_disturbed_by(r, v, p, what, err, errlen))
		return -EINVAL;
	if (streq(k, "status") || streq(k, "error") || (streq(k, "warmup") && json_is_boolean(v)) ||
	    streq(k, "disturbed") || streq(k, "disturbed_by"))
		return 0;
	return streq(k, "core_util") ? check_core_util(v, p, what, err, errlen)
	       : json_is_array(v)    ? check_array(v, b, ints, 0, p, what, err, errlen)
	                             : check_value(v, b, ints, ok, p, what, err, errlen);
}

/* A repetition: every key a name; status ok|failed; error text or null; warmup a boolean;
 * core_util as above; every other key a number or an array of numbers, within its bounds. */
static int check_rep(json_t *r, unsigned ci, size_t ri, const char *p, char *err, size_t errlen)
{
	json_t *st = json_object_get(r, "status"), *v;
	const char *k;
	if (!json_is_string(st))
		BAD("%s: cells[%u].reps[%zu].status should be a string, is %s", p, ci, ri, type_name(st));
	int ok = streq(json_string_value(st), "ok");
	if (!ok && strcmp(json_string_value(st), "failed"))
		BAD("%s: cells[%u].reps[%zu].status should be \"ok\" or \"failed\"", p, ci, ri);
	json_object_foreach(r, k, v) {
		char what[128];
		if (!esc_name_ok(k))
			BAD("%s: cells[%u].reps[%zu] has a key that is not a metric name (" NAME_RULE ")", p, ci, ri);
		/* the key's path only for the message (a repetition has many keys): checked again with
		 * it when it fails */
		if (!check_rep_key(r, k, v, ok, p, "", err, errlen))
			continue;
		snprintf(what, sizeof what, "cells[%u].reps[%zu].%s", ci, ri, k);
		check_rep_key(r, k, v, ok, p, what, err, errlen);
		return -EINVAL;
	}
	return 0;
}

/* Summary entry e of metric k: its fields within their bounds; named: with the key's path in
 * the message (built only when a check failed: a summary has thousands of fields). */
static int check_summary_entry(json_t *e, const char *k, unsigned ci, int named, const char *p, char *err,
                               size_t errlen)
{
	static const char *const fields[] = { "n", "outliers", "stddev", "median", "mean", "min", "max", "cv" };
	const struct bound *mb = bound_of(k);
	char what[128] = "";
	for (unsigned i = 0; i < sizeof fields / sizeof *fields; i++) {
		json_t *v = json_object_get(e, fields[i]);
		const struct bound *b = i < 2 ? &count : i == 2 ? &non_negative : i < 7 ? mb : &any_number;
		if (named)
			snprintf(what, sizeof what, "cells[%u].summary.%s.%s", ci, k, fields[i]);
		if (v && check_value(v, b, i < 2, 1, p, what, err, errlen))
			return -EINVAL;
	}
	if (named)
		snprintf(what, sizeof what, "cells[%u].summary.%s.ci95", ci, k);
	if ((e = json_object_get(e, "ci95")) && check_array(e, &any_number, 0, 0, p, what, err, errlen))
		return -EINVAL;
	return 0;
}

/* The summary: an object of metric name -> {n, median, mean, stddev, cv, min, max, ci95,
 * outliers}; the statistics of ok repetitions, so within the metric's bounds for ok ones. */
static int check_summary(json_t *sum, unsigned ci, const char *p, char *err, size_t errlen)
{
	const char *k;
	json_t *e;
	if (!sum)
		return 0;
	if (!json_is_object(sum))
		BAD("%s: cells[%u].summary should be an object, is %s", p, ci, type_name(sum));
	json_object_foreach(sum, k, e) {
		if (!esc_name_ok(k))
			BAD("%s: cells[%u].summary has a key that is not a metric name (" NAME_RULE ")", p, ci);
		if (!json_is_object(e))
			BAD("%s: cells[%u].summary.%s should be an object, is %s", p, ci, k, type_name(e));
		if (check_summary_entry(e, k, ci, 0, p, err, errlen)) {
			check_summary_entry(e, k, ci, 1, p, err, errlen);
			return -EINVAL;
		}
	}
	return 0;
}

/* Whether t is one of words[0..n). */
static int one_of(const char *t, const char *const *words, unsigned n)
{
	for (unsigned i = 0; t && i < n; i++)
		if (streq(t, words[i]))
			return 1;
	return 0;
}

/* reps_stop (optional): {mode fixed|auto, reason fixed|ci_target|budget|max_reps, measured,
 * disturbed, reruns counts, target_ci above 0, budget_s at least 0}; no other key. */
static int check_reps_stop(json_t *o, unsigned ci, const char *p, char *err, size_t errlen)
{
	static const char *const modes[] = { "fixed", "auto" },
	                         *const reasons[] = { "fixed", "ci_target", "budget", "max_reps" },
	                         *const counts[] = { "measured", "disturbed", "reruns" },
	                         *const reals[] = { "target_ci", "budget_s" };
	const char *k;
	json_t *v;
	if (!o)
		return 0;
	if (!json_is_object(o))
		BAD("%s: cells[%u].reps_stop should be an object, is %s", p, ci, type_name(o));
	json_object_foreach(o, k, v) {
		char what[96];
		int is_count = one_of(k, counts, 3), real = one_of(k, reals, 2);
		snprintf(what, sizeof what, "cells[%u].reps_stop.%s", ci, k);
		if (streq(k, "mode") ? !one_of(json_string_value(v), modes, 2)
		    : streq(k, "reason") ? !one_of(json_string_value(v), reasons, 4)
		    : !is_count && !real)
			BAD("%s: %s is not one of mode (fixed, auto), reason (fixed, ci_target, budget, max_reps), "
			    "measured, disturbed, reruns, target_ci, budget_s", p, what);
		/* budget_s may be 0: a cell that came after the run's budget was spent runs its minimum */
		const struct bound *b = is_count ? &count : streq(k, "budget_s") ? &non_negative : &positive;
		if ((is_count || real) && check_value(v, b, is_count, 1, p, what, err, errlen))
			return -EINVAL;
	}
	return 0;
}

/* The names, pin, status, workers and knobs of a cell (the fields whose type load_cell
 * checked), its repetitions and its summary. */
static int check_cell(json_t *c, unsigned ci, const char *p, char *err, size_t errlen)
{
	static const char *const names[] = { "workload", "driver" };
	const char *status = json_string_value(json_object_get(c, "status")), *k;
	json_t *v;
	for (unsigned i = 0; i < 2; i++)
		if (!esc_name_ok(json_string_value(json_object_get(c, names[i]))))
			BAD("%s: cells[%u].%s is not a name (" NAME_RULE ")", p, ci, names[i]);
	if (!esc_value_ok(json_string_value(json_object_get(c, "pin"))))
		BAD("%s: cells[%u].pin is not a pin policy (none, compact, spread, pus:0,1,...)", p, ci);
	if (strcmp(status, "ok") && strcmp(status, "unstable") && strcmp(status, "failed") && strcmp(status, "skipped") &&
	    strcmp(status, "running"))
		BAD("%s: cells[%u].status should be ok, unstable, failed, skipped or running", p, ci);
	if (check_reps_stop(json_object_get(c, "reps_stop"), ci, p, err, errlen))
		return -EINVAL;
	json_t *w = json_object_get(c, "workers");
	if (!json_is_integer(w))
		BAD("%s: cells[%u].workers should be an integer from 1 to %u, is %s", p, ci, TASK_MAX_WORKERS, type_name(w));
	if (json_integer_value(w) < 1 || json_integer_value(w) > TASK_MAX_WORKERS)
		BAD("%s: cells[%u].workers is %lld, should be from 1 to %u (the limit of -n)", p, ci,
		    (long long)json_integer_value(w), TASK_MAX_WORKERS);
	if (!esc_name_ok(json_string_value(json_object_get(json_object_get(c, "primary"), "metric"))))
		BAD("%s: cells[%u].primary.metric is not a metric name (" NAME_RULE ")", p, ci);
	json_object_foreach(json_object_get(c, "knobs"), k, v) {
		char text[64];
		if (!esc_name_ok(k))
			BAD("%s: cells[%u].knobs has a key that is not a knob name (" NAME_RULE ")", p, ci);
		if (!json_is_string(v) && !json_is_number(v) && !json_is_boolean(v))
			BAD("%s: cells[%u].knobs.%s should be a string, number or boolean, is %s", p, ci, k, type_name(v));
		scalar_text(v, 1, text, sizeof text);
		const char *t = json_is_string(v) ? json_string_value(v) : text;
		if (!esc_value_ok(t) || strlen(t) > KNOB_TEXT_MAX)
			BAD("%s: cells[%u].knobs.%s is not a knob value ([A-Za-z0-9._+:,-], 1 to %zu characters)", p, ci, k,
			    KNOB_TEXT_MAX);
	}
	size_t i;
	json_array_foreach(json_object_get(c, "reps"), i, v) {
		if (!json_is_object(v))
			BAD("%s: cells[%u].reps[%zu] should be an object, is %s", p, ci, i, type_name(v));
		if (check_rep(v, ci, i, p, err, errlen))
			return -EINVAL;
	}
	return check_summary(json_object_get(c, "summary"), ci, p, err, errlen);
}

/* The numbers of the header: config (duration_s, timeout_s > 0; reps, warmup counts; argv
 * strings) and the machine's CPU counts. Everything else in them is free text. */
static int check_header(json_t *root, const char *p, char *err, size_t errlen)
{
	static const struct { const char *path; const struct bound *b; int ints; } nums[] = {
		{ "config.duration_s", &positive, 0 },  { "config.timeout_s", &positive, 0 },
		{ "config.warmup", &count, 1 },
		{ "machine.online_cpus", &positive, 1 }, { "machine.topology.pus", &positive, 1 },
		{ "machine.cgroup.quota_cpus", &non_negative, 0 },
	};
	for (unsigned i = 0; i < sizeof nums / sizeof *nums; i++) {
		json_t *v = root;
		char key[32];
		for (const char *s = nums[i].path; v && *s; s += strcspn(s, ".") + (s[strcspn(s, ".")] == '.')) {
			snprintf(key, sizeof key, "%.*s", (int)strcspn(s, "."), s);
			v = json_object_get(v, key);
		}
		if (v && check_value(v, nums[i].b, nums[i].ints, 1, p, nums[i].path, err, errlen))
			return -EINVAL;
	}
	json_t *cfg = json_object_get(root, "config"), *argv = json_object_get(cfg, "argv"), *v;
	size_t i;
	v = json_object_get(cfg, "reps");
	if (v && !(json_is_string(v) && streq(json_string_value(v), "auto")) &&
	    check_value(v, &count, 1, 1, p, "config.reps", err, errlen))
		BAD("%s: config.reps should be a count or \"auto\"", p);
	v = json_object_get(cfg, "keep_disturbed");
	if (v && !json_is_boolean(v))
		BAD("%s: config.keep_disturbed should be true or false, is %s", p, type_name(v));
	if (argv && !json_is_array(argv))
		BAD("%s: config.argv should be an array, is %s", p, type_name(argv));
	json_array_foreach(argv, i, v) {
		if (!json_is_string(v))
			BAD("%s: config.argv[%zu] should be a string, is %s", p, i, type_name(v));
	}
	return 0;
}

/* ---- machine: nested objects flattened to dotted keys; an array becomes its elements' texts
 * joined by "; " (an object element as "k=v k=v") ---- */

struct kvlist {
	struct results_kv *v;
	unsigned n, cap;
};

static void kv_push(struct arena *a, struct kvlist *l, const char *k, const char *v)
{
	if (l->n == l->cap) {
		unsigned cap = l->cap ? l->cap * 2 : 32;
		struct results_kv *nv = anew(a, cap, sizeof *nv);
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
			kv_push(a, l, key, value_text(a, v));
		}
	}
}

/* ---- repetitions ---- */

static double *darr(struct arena *a, json_t *arr, unsigned *n)
{
	*n = (unsigned)json_array_size(arr);
	double *d = anew(a, *n, sizeof *d);
	for (unsigned i = 0; d && i < *n; i++)
		d[i] = numv(json_array_get(arr, i));
	return d;
}

static int *iarr(struct arena *a, json_t *arr, unsigned *n)
{
	*n = (unsigned)json_array_size(arr);
	int *d = anew(a, *n, sizeof *d);
	for (unsigned i = 0; d && i < *n; i++) {
		json_t *v = json_array_get(arr, i);
		d[i] = json_is_integer(v) ? (int)json_integer_value(v) : -1;
	}
	return d;
}

static double rep_get(const struct results_rep *r, const char *name)
{
	for (unsigned i = 0; i < r->nmetrics; i++)
		if (!strcmp(r->metrics[i].name, name))
			return r->metrics[i].value;
	return NAN;
}

/* One pass over the repetition's keys (a big file has many repetitions: this is the loader's
 * hot loop), validated before by check_rep(). */
static void load_rep(struct arena *a, json_t *r, struct results_rep *o, int keep)
{
	static const char *const arrays[] = { "worker_ops", "worker_cpu_s", "bound_pu", "last_cpu" };
	json_t *arr[4] = { NULL, NULL, NULL, NULL }, *cu = NULL, *status = NULL;
	unsigned n;
	o->wall_s = o->util_cores = NAN;
	o->metrics = anew(a, json_object_size(r), sizeof *o->metrics);
	for (void *it = json_object_iter(r); it; it = json_object_iter_next(r, it)) {
		const char *k = json_object_iter_key(it);
		json_t *v = json_object_iter_value(it);
		if (streq(k, "status"))
			status = v;
		if (json_is_number(v)) {
			double d = json_number_value(v);
			if (o->metrics)
				o->metrics[o->nmetrics++] = (struct results_metric){ k, d };
			if (streq(k, "wall_s"))
				o->wall_s = d;
			else if (streq(k, "util_cores"))
				o->util_cores = d;
		} else if (json_is_array(v)) {
			for (unsigned i = 0; i < 4; i++)
				if (streq(k, arrays[i]))
					arr[i] = v;
		} else if (json_is_object(v) && streq(k, "core_util")) {
			cu = v;
		}
	}
	o->ok = json_is_string(status) && streq(json_string_value(status), "ok");
	o->disturbed = json_is_true(json_object_get(r, "disturbed"));
	o->disturbed_by = json_string_value(json_object_get(r, "disturbed_by"));
	if (o->disturbed_by)
		o->disturbed_by = astrdup(a, o->disturbed_by);
	o->counted = o->ok && (keep || !o->disturbed);
	o->worker_ops = darr(a, arr[0], &o->nworkers);
	o->worker_cpu_s = darr(a, arr[1], &n);
	if (n < o->nworkers)
		o->nworkers = n;
	o->bound_pu = iarr(a, arr[2], &n);
	if (n < o->nworkers)
		o->nworkers = n;
	o->last_cpu = iarr(a, arr[3], &n);
	if (n < o->nworkers)
		o->nworkers = n;
	o->interval_s = numv(json_object_get(cu, "interval_s"));
	o->cpus = iarr(a, json_object_get(cu, "cpus"), &o->ncpus);
	o->core_mean = darr(a, json_object_get(cu, "mean"), &n);
	if (n < o->ncpus)
		o->ncpus = n;
	/* The timeline ends at the first row shorter than ncpus (bench writes full rows): the
	 * model never holds more numbers than the file. */
	json_t *tl = json_object_get(cu, "timeline");
	size_t rows = json_array_size(tl);
	while (o->nsamples < rows && json_array_size(json_array_get(tl, o->nsamples)) >= o->ncpus)
		o->nsamples++;
	o->timeline = anew(a, (size_t)o->nsamples * o->ncpus, sizeof *o->timeline);
	for (unsigned i = 0; o->timeline && i < o->nsamples; i++) {
		json_t *row = json_array_get(tl, i);
		for (unsigned c = 0; c < o->ncpus; c++)
			o->timeline[(size_t)i * o->ncpus + c] = numv(json_array_get(row, c));
	}
}

/* ---- series and stats of a cell ---- */

static int skip_metric(const char *k)
{
	return streq(k, "index") || streq(k, "warmup");
}

static int scratch_reserve(struct scratch *s, size_t n)
{
	s->next = 0;
	if (n <= s->cap)
		return 0;
	size_t cap = n > 2 * s->cap ? n : 2 * s->cap;
	const char **nm = realloc(s->name, cap * sizeof *nm);
	if (nm)
		s->name = nm;
	unsigned *cn = nm ? realloc(s->count, cap * sizeof *cn) : NULL;
	if (cn)
		s->count = cn;
	unsigned *ix = cn ? realloc(s->idx, cap * sizeof *ix) : NULL;
	if (!ix)
		return -ENOMEM;
	s->idx = ix;
	s->cap = cap;
	return 0;
}

/* Index of name among the metric names of cell (index + 1), appended when new; -1 when out of
 * memory. The repetitions of a cell list their metrics in the same order: the name after the
 * last one found is tried before the table. */
static long name_find(struct arena *a, struct scratch *s, unsigned cell, unsigned *nnames, const char *name)
{
	if (s->next < *nnames && streq(s->name[s->next], name))
		return s->next++;
	struct istr *e = intern_entry(a, s, name);
	if (!e)
		return -1;
	if (e->cell != cell) {
		e->cell = cell;
		e->idx = (*nnames)++;
		s->name[e->idx] = e->s;
		s->count[e->idx] = 0;
	}
	s->next = e->idx + 1;
	return e->idx;
}

/* A summary entry, in one pass over its keys. */
static void stat_from(struct results_stat *s, json_t *o)
{
	const char *k;
	json_t *v;
	s->median = s->mean = s->stddev = s->cv = s->min = s->max = s->ci_lo = s->ci_hi = NAN;
	json_object_foreach(o, k, v) {
		if (streq(k, "n"))
			s->n = json_is_integer(v) ? (unsigned)json_integer_value(v) : 0;
		else if (streq(k, "median"))
			s->median = numv(v);
		else if (streq(k, "mean"))
			s->mean = numv(v);
		else if (streq(k, "stddev"))
			s->stddev = numv(v);
		else if (streq(k, "cv"))
			s->cv = numv(v);
		else if (streq(k, "min"))
			s->min = numv(v);
		else if (streq(k, "max"))
			s->max = numv(v);
		else if (streq(k, "ci95")) {
			s->ci_lo = numv(json_array_get(v, 0));
			s->ci_hi = numv(json_array_get(v, 1));
		}
	}
}

/* Pass one over the ok repetitions of o: the cell's metric names in first-seen order
 * (s->name, *nnames), how many values each has (s->count) and the name of every value
 * (s->idx, *nvalues). 0, or -1 out of memory (s->failed or the arena's). */
static int index_series(struct arena *a, struct scratch *s, const struct results_file_cell *o, unsigned *nnames,
                        size_t *nvalues)
{
	unsigned cell = o->index + 1;
	size_t total = 0, k = 0;
	*nnames = 0;
	for (unsigned r = 0; r < o->nreps; r++)
		if (o->reps[r].counted)
			total += o->reps[r].nmetrics;
	if (scratch_reserve(s, total + 1)) {
		s->failed = 1;
		return -1;
	}
	for (unsigned r = 0; r < o->nreps; r++) {
		const struct results_rep *rep = &o->reps[r];
		for (unsigned m = 0; rep->counted && m < rep->nmetrics; m++) {
			if (skip_metric(rep->metrics[m].name))
				continue;
			long i = name_find(a, s, cell, nnames, rep->metrics[m].name);
			if (i < 0)
				return -1;
			s->count[i]++;
			s->idx[k++] = (unsigned)i;
		}
	}
	*nvalues = k;
	return 0;
}

/* Pass two: the series of o, each with its values in repetition order, in one arena block.
 * 0, or -1 out of memory (the arena's). */
static int fill_series(struct arena *a, const struct scratch *s, struct results_file_cell *o, unsigned nnames,
                       size_t nvalues)
{
	o->series = anew(a, nnames, sizeof *o->series);
	double *v = anew(a, nvalues, sizeof *v);
	if (!o->series || !v)
		return -1;
	o->nseries = nnames;
	for (unsigned i = 0; i < nnames; i++) {
		o->series[i].metric = s->name[i];
		o->series[i].v = v;
		v += s->count[i];
	}
	size_t k = 0;
	for (unsigned r = 0; r < o->nreps; r++) {
		const struct results_rep *rep = &o->reps[r];
		for (unsigned m = 0; rep->counted && m < rep->nmetrics; m++) {
			if (skip_metric(rep->metrics[m].name))
				continue;
			struct results_series *se = &o->series[s->idx[k++]];
			se->v[se->n++] = rep->metrics[m].value;
		}
	}
	return 0;
}

/* A stat computed here, for a series the file does not summarize. */
static void stat_from_summary(struct results_stat *st, const char *metric, const struct stats_summary *ss)
{
	*st = (struct results_stat){ .metric = metric, .n = (unsigned)ss->n, .median = ss->median, .mean = ss->mean,
		                     .stddev = ss->stddev, .cv = ss->cv, .min = ss->min, .max = ss->max,
		                     .ci_lo = ss->n > 1 ? ss->ci_lo : NAN, .ci_hi = ss->n > 1 ? ss->ci_hi : NAN };
}

/* The stats of o: the file's summary entries, then one computed for each series (of the
 * nnames) the summary does not have. */
static void load_stats(struct arena *a, struct scratch *s, json_t *summary, struct results_file_cell *o,
                       unsigned nnames)
{
	unsigned cell = o->index + 1;
	const char *key;
	json_t *sv;
	size_t nstats = 0;
	memset(s->count, 0, nnames * sizeof *s->count); /* now: the series has a summary entry */
	json_object_foreach(summary, key, sv) {
		if (!json_is_object(sv))
			continue;
		const struct istr *e = intern_entry(a, s, key);
		if (e && e->cell == cell)
			s->count[e->idx] = 1;
		nstats++;
	}
	for (unsigned i = 0; i < nnames; i++)
		nstats += !s->count[i];
	o->stats = anew(a, nstats, sizeof *o->stats);
	if (!o->stats)
		return;
	json_object_foreach(summary, key, sv) {
		if (!json_is_object(sv))
			continue;
		struct results_stat *st = &o->stats[o->nstats++];
		st->metric = intern(a, s, key);
		stat_from(st, sv);
	}
	for (unsigned i = 0; i < o->nseries; i++) {
		const struct results_series *se = &o->series[i];
		struct stats_summary ss;
		if (!s->count[i] && !stats_summarize(se->v, se->n, &ss))
			stat_from_summary(&o->stats[o->nstats++], se->metric, &ss);
	}
}

/* Series: every metric of the ok repetitions in first-seen order, each with the values of the
 * repetitions that record it. Stats: the file's summary, then computed ones for the series it
 * does not summarize. Names are hashed, so a cell of many repetitions and metrics stays linear. */
static void load_series(struct arena *a, struct scratch *s, json_t *summary, struct results_file_cell *o)
{
	unsigned nnames;
	size_t nvalues;
	if (!index_series(a, s, o, &nnames, &nvalues) && !fill_series(a, s, o, nnames, nvalues))
		load_stats(a, s, summary, o, nnames);
}

/* ---- cells ---- */

static int cmp_kv(const void *a, const void *b)
{
	return strcmp(((const struct results_kv *)a)->key, ((const struct results_kv *)b)->key);
}

/* The knobs k of cell ci: in file order and sorted by name, values as canonical text. */
static int load_knobs(struct loaded *l, struct scratch *s, unsigned ci, json_t *k, char *err, size_t errlen)
{
	struct arena *a = &l->arena;
	struct results_file_cell *o = &l->file.cells[ci];
	const char *p = l->file.path, *key;
	json_t *v;
	if (!json_is_object(k))
		BAD("%s: cells[%u].knobs should be an object, is %s", p, ci, type_name(k));
	if (json_object_size(k) > KNOBSET_MAX)
		BAD("%s: cells[%u].knobs has %zu knobs, more than %d", p, ci, json_object_size(k), KNOBSET_MAX);
	o->knobs = anew(a, json_object_size(k), sizeof *o->knobs);
	o->knobs_by_name = anew(a, json_object_size(k), sizeof *o->knobs_by_name);
	json_object_foreach(k, key, v) { /* scalars: check_cell() */
		const char *text = json_string_value(v);
		char buf[64];
		if (!text) {
			scalar_text(v, 1, buf, sizeof buf);
			text = buf;
		}
		if (o->knobs)
			o->knobs[o->nknobs++] = (struct results_kv){ intern(a, s, key), intern(a, s, text) };
	}
	if (o->knobs_by_name) {
		memcpy(o->knobs_by_name, o->knobs, o->nknobs * sizeof *o->knobs);
		qsort(o->knobs_by_name, o->nknobs, sizeof *o->knobs_by_name, cmp_kv);
	}
	return 0;
}

/* reps_stop, validated by check_reps_stop(). */
static void load_reps_stop(struct arena *a, json_t *o, struct results_reps_stop_info *st)
{
	json_t *v;
	st->present = json_is_object(o);
	st->automatic = (v = json_object_get(o, "mode")) && streq(json_string_value(v), "auto");
	st->reason = (v = json_object_get(o, "reason")) ? astrdup(a, json_string_value(v)) : NULL;
	st->measured = (unsigned)json_integer_value(json_object_get(o, "measured"));
	st->disturbed = (unsigned)json_integer_value(json_object_get(o, "disturbed"));
	st->reruns = (unsigned)json_integer_value(json_object_get(o, "reruns"));
	st->target_ci = numv(json_object_get(o, "target_ci"));
	st->budget_s = numv(json_object_get(o, "budget_s"));
}

static int load_cell(struct loaded *l, struct scratch *s, unsigned ci, json_t *c, char *err, size_t errlen)
{
	struct arena *a = &l->arena;
	struct results_file_cell *o = &l->file.cells[ci];
	const char *p = l->file.path, *better;
	if (!json_is_object(c))
		BAD("%s: cells[%u] should be an object, is %s", p, ci, type_name(c));
	o->index = ci;
	if (get_string(c, "workload", ci, p, &o->workload, err, errlen) ||
	    get_string(c, "driver", ci, p, &o->driver, err, errlen) ||
	    get_string(c, "pin", ci, p, &o->pin, err, errlen) ||
	    get_string(c, "status", ci, p, &o->status, err, errlen))
		return -EINVAL;
	json_t *e = json_object_get(c, "error");
	if (e && !json_is_null(e) && !json_is_string(e))
		BAD("%s: cells[%u].error should be a string or null, is %s", p, ci, type_name(e));
	o->error = json_string_value(e);
	json_t *pr = json_object_get(c, "primary");
	if (!json_is_object(pr))
		BAD("%s: cells[%u].primary should be an object, is %s", p, ci, type_name(pr));
	if (get_string(pr, "metric", ci, p, &o->primary, err, errlen) ||
	    get_string(pr, "better", ci, p, &better, err, errlen))
		BAD("%s: cells[%u].primary should have the strings metric and better", p, ci);
	if (strcmp(better, "higher") && strcmp(better, "lower"))
		BAD("%s: cells[%u].primary.better should be \"higher\" or \"lower\", is \"%s\"", p, ci, better);
	o->higher_is_better = !strcmp(better, "higher");
	if (check_cell(c, ci, p, err, errlen))
		return -EINVAL;
	o->workers = (unsigned)json_integer_value(json_object_get(c, "workers"));
	o->workload = intern(a, s, o->workload);
	o->driver = intern(a, s, o->driver);
	o->pin = intern(a, s, o->pin);
	o->status = intern(a, s, o->status);
	o->primary = intern(a, s, o->primary);
	if (load_knobs(l, s, ci, json_object_get(c, "knobs"), err, errlen))
		return -EINVAL;
	load_reps_stop(a, json_object_get(c, "reps_stop"), &o->reps_stop);

	json_t *reps = json_object_get(c, "reps"), *r;
	size_t i;
	if (!json_is_array(reps))
		BAD("%s: cells[%u].reps should be an array, is %s", p, ci, type_name(reps));
	o->reps = anew(a, json_array_size(reps), sizeof *o->reps);
	json_array_foreach(reps, i, r) { /* objects, with a status: check_cell() */
		if (o->reps)
			load_rep(a, r, &o->reps[o->nreps++], l->file.keep_disturbed);
	}
	if (o->reps)
		load_series(a, s, json_object_get(c, "summary"), o);
	return 0;
}

/* ---- the document ---- */

static void load_header(struct loaded *l)
{
	struct results_file *f = &l->file;
	struct arena *a = &l->arena;
	json_t *root = l->root, *tool = json_object_get(root, "tool");
	f->created_utc = json_string_value(json_object_get(root, "created_utc"));
	f->tool_version = json_string_value(json_object_get(tool, "version"));
	f->tool_git = json_string_value(json_object_get(tool, "git"));
	f->interrupted = json_is_true(json_object_get(root, "interrupted"));

	json_t *m = json_object_get(root, "machine");
	struct kvlist kl = { 0 };
	flatten(a, &kl, "", m);
	f->machine = kl.v;
	f->nmachine = kl.n;
	json_t *oc = json_object_get(m, "online_cpus");
	/* a CPU count from 1 to CPU_MAX, else none (an int cast of 999999999992 was negative) */
	f->cpus = json_is_integer(oc) && json_integer_value(oc) > 0 && json_integer_value(oc) <= CPU_MAX
	        ? (int)json_integer_value(oc) : 0;
	if (!f->cpus) {
		json_t *pus = json_object_get(json_object_get(m, "topology"), "pus");
		f->cpus = json_is_integer(pus) && json_integer_value(pus) > 0 && json_integer_value(pus) <= CPU_MAX
		        ? (int)json_integer_value(pus) : 1;
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
	f->reps_auto = json_is_string(reps);
	f->keep_disturbed = json_is_true(json_object_get(cfg, "keep_disturbed"));
	f->warmup = json_is_integer(warm) ? (unsigned)json_integer_value(warm) : 0;
}

static int load_document(struct loaded *l, char *err, size_t errlen)
{
	json_t *root = l->root, *v;
	const char *p = l->file.path;
	if (!json_is_object(root))
		BAD("%s is not a bench results file: the top level is %s, not an object", p, type_name(root));
	v = json_object_get(root, "schema_version");
	if (!v)
		BAD("%s is not a bench results file: it has no schema_version", p);
	if (!json_is_integer(v))
		BAD("%s: schema_version should be an integer, is %s", p, type_name(v));
	if (json_integer_value(v) < RESULTS_SCHEMA_OLDEST || json_integer_value(v) > RESULTS_SCHEMA_VERSION)
		BAD("%s has schema_version %lld, but this bench reads schema_version %d to %d (written by a %s bench)", p,
		    (long long)json_integer_value(v), RESULTS_SCHEMA_OLDEST, RESULTS_SCHEMA_VERSION,
		    json_integer_value(v) > RESULTS_SCHEMA_VERSION ? "newer" : "older");
	l->file.schema_version = (int)json_integer_value(v);
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
	if (check_header(root, p, err, errlen))
		return -EINVAL;
	load_header(l);
	l->file.ncells = (unsigned)json_array_size(cells);
	l->file.cells = anew(&l->arena, l->file.ncells, sizeof *l->file.cells);
	struct scratch s = { 0 };
	int rc = 0;
	for (unsigned i = 0; !rc && !l->arena.failed && i < l->file.ncells; i++) {
		rc = load_cell(l, &s, i, json_array_get(cells, i), err, errlen);
		l->arena.failed |= s.failed;
	}
	free(s.str);
	free(s.name);
	free(s.count);
	free(s.idx);
	if (!rc && l->arena.failed) {
		snprintf(err, errlen, "%s: out of memory", p);
		rc = -ENOMEM;
	}
	return rc;
}

/* Opens path for reading without blocking (a FIFO must not hang the reader) and refuses what
 * is not a non-empty regular file of at most RESULTS_LOAD_MAX_BYTES: the fd, or -errno (err). */
static int open_results(const char *path, char *err, size_t errlen)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC), e = errno;
	if (fd < 0 || fstat(fd, &st)) {
		e = errno;
		snprintf(err, errlen, "cannot read %s: %s", path, strerror(e));
		if (fd >= 0)
			close(fd);
		return -e;
	}
	e = S_ISDIR(st.st_mode) ? EISDIR : !S_ISREG(st.st_mode) ? EINVAL : st.st_size == 0 ? EINVAL
	    : st.st_size > RESULTS_LOAD_MAX_BYTES ? EFBIG : 0;
	if (S_ISDIR(st.st_mode))
		snprintf(err, errlen, "%s is a directory, not a results file", path);
	else if (!S_ISREG(st.st_mode))
		snprintf(err, errlen, "%s is not a regular file (a FIFO, device or socket), not a results file", path);
	else if (st.st_size == 0)
		snprintf(err, errlen, "%s is empty, not a results file", path);
	else if (e)
		snprintf(err, errlen, "%s is %lld MiB, more than a results file may have (%ld MiB)", path,
		         (long long)(st.st_size >> 20), RESULTS_LOAD_MAX_BYTES >> 20);
	if (e) {
		close(fd);
		return -e;
	}
	return fd;
}

/* The whole of the open file fd into *buf (malloc'd): jansson parses a buffer faster than a
 * FILE (json_loadf takes a byte per getc). A file that grew past RESULTS_LOAD_MAX_BYTES since
 * it was checked is refused the same way. */
static int read_all(int fd, const char *path, char **buf, size_t *len, char *err, size_t errlen)
{
	struct stat st;
	size_t cap = !fstat(fd, &st) && st.st_size > 0 ? (size_t)st.st_size + 1 : 65536, n = 0;
	char *b = malloc(cap);
	int e = 0;
	while (b && !e) {
		ssize_t k = read(fd, b + n, cap - n);
		if (k <= 0) {
			e = k == 0 ? -1 : errno == EINTR ? 0 : errno;
			continue;
		}
		n += (size_t)k;
		if (n > (size_t)RESULTS_LOAD_MAX_BYTES)
			e = EFBIG;
		else if (n == cap && !(b = realloc_or_free(b, cap *= 2)))
			break;
	}
	if (e == -1) {
		*buf = b;
		*len = n;
		return 0;
	}
	free(b);
	if (!b || e == ENOMEM)
		snprintf(err, errlen, "%s: out of memory", path);
	else if (e == EFBIG)
		snprintf(err, errlen, "%s is more than a results file may have (%ld MiB)", path, RESULTS_LOAD_MAX_BYTES >> 20);
	else
		snprintf(err, errlen, "cannot read %s: %s", path, strerror(e));
	return !b ? -ENOMEM : -e;
}

static int load(const char *path, struct results_file **out, char *err, size_t errlen)
{
	*out = NULL;
	int fd = open_results(path, err, errlen);
	if (fd < 0)
		return fd;
	struct loaded *l = calloc(1, sizeof *l);
	if (!l || !(l->file.path = astrdup(&l->arena, path))) {
		if (l)
			arena_free(&l->arena);
		free(l);
		close(fd);
		snprintf(err, errlen, "%s: out of memory", path);
		return -ENOMEM;
	}
	char *buf = NULL;
	size_t len = 0;
	int rc = read_all(fd, path, &buf, &len, err, errlen);
	close(fd);
	if (rc) {
		results_file_free(&l->file);
		return rc;
	}
	json_error_t je;
	l->root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je);
	free(buf);
	if (!l->root) {
		snprintf(err, errlen, "%s is not valid JSON (truncated or corrupt?): %s at line %d, column %d", path,
		         je.text, je.line, je.column);
		results_file_free(&l->file);
		return -EINVAL;
	}
	rc = load_document(l, err, errlen);
	if (rc) {
		results_file_free(&l->file);
		return rc;
	}
	*out = &l->file;
	return 0;
}

int results_file_load(const char *path, struct results_file **out, char *err, size_t errlen)
{
	char raw[600];
	int rc = load(path, out, raw, sizeof raw);
	/* The message quotes the path and the file (jansson's token): one line for a terminal. */
	if (rc)
		esc_term(err, errlen, raw);
	return rc;
}

/* jansson, doc/portability.rst, "Hash function seed": "If you're using threads, it's recommended
 * to autoseed the hashtable explicitly before spawning any threads by calling
 * json_object_seed(0)". Its "Thread safety": "Jansson is thread safe and has no mutable global
 * state. The only exceptions are the hash function seed and memory allocation functions" (bench
 * sets no allocation functions); a later call is a no-op once the seed is set. */
void results_load_threads_init(void)
{
	json_object_seed(0);
}

void results_file_free(struct results_file *f)
{
	if (!f)
		return;
	struct loaded *l = (struct loaded *)f;
	json_decref(l->root);
	arena_free(&l->arena);
	free(l);
}

/* ---- lookups ---- */

const char *results_file_machine(const struct results_file *f, const char *key)
{
	for (unsigned i = 0; i < f->nmachine; i++)
		if (!strcmp(f->machine[i].key, key))
			return f->machine[i].value;
	return NULL;
}

int results_file_scalar(const struct results_file *f, const char *path, char *buf, size_t len)
{
	char key[128];
	json_t *v = ((const struct loaded *)f)->root;
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
	scalar_text(v, 0, buf, len);
	return 0;
}

const struct results_stat *results_file_stat(const struct results_file_cell *c, const char *metric)
{
	for (unsigned i = 0; i < c->nstats; i++)
		if (!strcmp(c->stats[i].metric, metric))
			return &c->stats[i];
	return NULL;
}

double results_file_median(const struct results_file_cell *c, const char *metric)
{
	const struct results_stat *s = results_file_stat(c, metric);
	return s ? s->median : NAN;
}

const struct results_series *results_file_series(const struct results_file_cell *c, const char *metric)
{
	for (unsigned i = 0; i < c->nseries; i++)
		if (!strcmp(c->series[i].metric, metric))
			return &c->series[i];
	return NULL;
}

const char *results_file_knob(const struct results_file_cell *c, const char *name)
{
	for (unsigned i = 0; i < c->nknobs; i++)
		if (!strcmp(c->knobs[i].key, name))
			return c->knobs[i].value;
	return NULL;
}

double results_rep_metric(const struct results_rep *r, const char *metric)
{
	double v = rep_get(r, metric);
	if (!isnan(v) || strcmp(metric, "ops_per_cpu_s"))
		return v;
	double ops = rep_get(r, "ops"), u = rep_get(r, "cpu_user_s"), s = rep_get(r, "cpu_sys_s");
	if (isnan(ops) || isnan(u) || isnan(s))
		return NAN;
	double cpu = u + s;
	return cpu > 0 ? ops / cpu : ops > 0 ? INFINITY : NAN;
}

/* The values of metric in the repetitions that count (or, any: in every ok one). */
static int values_of(const struct results_file_cell *c, const char *metric, double *out, unsigned max, int any)
{
	int n = 0, seen = 0;
	for (unsigned i = 0; i < c->nreps; i++) {
		double d = results_rep_metric(&c->reps[i], metric);
		if (isnan(d))
			continue;
		seen = 1;
		if (!(any ? c->reps[i].ok : c->reps[i].counted))
			continue;
		if (isfinite(d) && (unsigned)n < max)
			out[n++] = d;
	}
	return seen ? n : -ENOENT;
}

int results_file_values(const struct results_file_cell *c, const char *metric, double *out, unsigned max)
{
	return values_of(c, metric, out, max, 0);
}

int results_file_values_any(const struct results_file_cell *c, const char *metric, double *out, unsigned max)
{
	return values_of(c, metric, out, max, 1);
}
