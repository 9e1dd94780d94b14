/* results: the only jansson user (see results.h). */
#define _GNU_SOURCE
#include "bench/store/results.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <libgen.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bench/stats/stats.h"

struct results_cell {
	json_t *obj;                   /* borrowed: owned by the document's cells array */
	int keep_disturbed;            /* the summary counts disturbed repetitions too */
	struct results_cell *next;
};

struct results_doc {
	json_t *root;
	struct results_cell *cells;
};

static json_t *num(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

static json_t *machine_obj(const struct machine *m)
{
	json_t *caches = json_array();
	for (int i = 0; i < m->ncaches; i++)
		json_array_append_new(caches, json_pack("{s:i,s:s,s:I,s:i}", "level", m->caches[i].level, "type",
		                                        m->caches[i].type, "size_kb", (json_int_t)m->caches[i].size_kb,
		                                        "count", m->caches[i].count));
	json_t *cpu = json_pack("{s:b,s:s,s:s,s:s,s:s,s:i,s:i,s:i,s:i,s:i,s:i,s:i,s:{s:i,s:i,s:i,s:i},s:s?}",
	                        "identified", m->cpuid_ok, "libcpuid", m->cpuid_version, "vendor", m->vendor,
	                        "brand", m->brand, "codename", m->codename, "family", m->ext_family, "model",
	                        m->ext_model, "stepping", m->stepping, "base_family", m->family, "base_model",
	                        m->model, "cores", m->cpuid_cores, "logical_cpus", m->cpuid_logical, "cache_kb",
	                        "l1d", m->l1d_kb, "l1i", m->l1i_kb, "l2", m->l2_kb, "l3", m->l3_kb, "note",
	                        m->cpuid_note[0] ? m->cpuid_note : NULL);
	json_t *topo = json_pack("{s:s,s:i,s:i,s:i,s:i,s:o}", "hwloc", m->hwloc_version, "packages", m->packages,
	                         "cores", m->cores, "pus", m->pus, "numa_nodes", m->numa_nodes, "caches", caches);
	json_t *smt = m->smt < 0 ? json_null() : json_boolean(m->smt);
	return json_pack("{s:s,s:s,s:s,s:i,s:o,s:o,s:s,s:o,s:i,s:{s:s,s:o},s:{s:b,s:s},s:{s:s,s:s,s:s,s:s,s:s}}",
	                 "host", m->host, "kernel", m->kernel, "arch", m->arch, "online_cpus", m->online_cpus,
	                 "cpu", cpu, "topology", topo, "governor", m->governor, "smt", smt, "aslr", m->aslr,
	                 "cgroup", "cpu_max", m->cgroup_cpu_max, "quota_cpus", num(m->cgroup_cpus),
	                 "hypervisor", "present", m->hypervisor, "vendor", m->hypervisor_vendor, "build",
	                 "version", m->version, "git", m->git, "build_type", m->build_type, "compiler",
	                 m->compiler, "sanitizer", m->sanitizer);
}

char *results_machine_json(const struct machine *m)
{
	json_t *o = machine_obj(m);
	char *s = json_dumps(o, JSON_INDENT(2) | JSON_SORT_KEYS);
	json_decref(o);
	return s;
}

struct results_doc *results_doc_new(const struct machine *m, const struct results_config *c)
{
	struct results_doc *d = calloc(1, sizeof *d);
	if (!d)
		return NULL;
	char ts[32];
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
	json_t *argv = json_array();
	for (int i = 0; i < c->argc; i++)
		json_array_append_new(argv, json_string(c->argv[i]));
	d->root = json_pack("{s:i,s:{s:s,s:s,s:s},s:s,s:b,s:o,s:{s:o,s:o,s:o,s:i,s:i,s:s},s:[]}", "schema_version",
	                    RESULTS_SCHEMA_VERSION, "tool", "name", "bench", "version", m->version, "git", m->git,
	                    "created_utc", ts, "interrupted", 0, "machine", machine_obj(m), "config", "argv", argv,
	                    "duration_s", num(c->duration_s), "timeout_s", num(c->timeout_s), "reps", c->reps,
	                    "warmup", c->warmup, "pin", c->pin ? c->pin : "spread", "cells");
	if (!d->root) {
		free(d);
		return NULL;
	}
	json_t *cfg = json_object_get(d->root, "config");
	if (c->reps_auto)
		json_object_set_new(cfg, "reps", json_string("auto"));
	json_object_set_new(cfg, "keep_disturbed", json_boolean(c->keep_disturbed));
	return d;
}

void results_doc_free(struct results_doc *d)
{
	if (!d)
		return;
	while (d->cells) {
		struct results_cell *n = d->cells->next;
		free(d->cells);
		d->cells = n;
	}
	json_decref(d->root);
	free(d);
}

void results_doc_set_interrupted(struct results_doc *d, int signo)
{
	json_object_set_new(d->root, "interrupted", json_true());
	const char *name = signo == SIGTERM ? "SIGTERM" : signo == SIGHUP ? "SIGHUP" : signo == SIGQUIT ? "SIGQUIT" : "SIGINT";
	json_object_set_new(d->root, "interrupted_by", json_string(name));
}

static int dir_of(const char *path, char *dir, size_t len)
{
	char tmp[4096];
	if (snprintf(tmp, sizeof tmp, "%s", path) >= (int)sizeof tmp)
		return -ENAMETOOLONG;
	snprintf(dir, len, "%s", dirname(tmp));
	return 0;
}

static const char *file_kind(mode_t m)
{
	return S_ISFIFO(m) ? "a FIFO" : S_ISCHR(m) ? "a character device" : S_ISBLK(m) ? "a block device"
	       : S_ISSOCK(m) ? "a socket" : "not a regular file";
}

/* The output file: path with its symbolic links followed (a link is written through, and
 * stays a link). It must be a regular file or not exist yet, in a directory that exists;
 * *st is its status (st_mode 0 if it does not exist). 0, or -errno with err filled. */
static int resolve_output(const char *path, char *real, size_t len, struct stat *st, char *err, size_t errlen)
{
	char dir[4096], link[4096], next[8200];
	if (!*path) {
		snprintf(err, errlen, "output path is empty");
		return -EINVAL;
	}
	if (snprintf(real, len, "%s", path) >= (int)len)
		goto too_long;
	for (int hops = 0; hops < 40; hops++) {
		if (lstat(real, st)) {
			int e = errno;
			memset(st, 0, sizeof *st);
			if (e != ENOENT) {
				snprintf(err, errlen, "cannot write %s: %s", path, strerror(e));
				return -e;
			}
			if (dir_of(real, dir, sizeof dir) || stat(dir, st) || !S_ISDIR(st->st_mode)) {
				snprintf(err, errlen, "cannot write %s: directory %s does not exist", path, dir);
				return -ENOENT;
			}
			memset(st, 0, sizeof *st);
			return 0;
		}
		if (S_ISREG(st->st_mode))
			return 0;
		if (S_ISDIR(st->st_mode)) {
			snprintf(err, errlen, "output path %s is a directory", path);
			return -EISDIR;
		}
		if (!S_ISLNK(st->st_mode)) {
			snprintf(err, errlen, "output path %s is not a regular file (%s): refusing to replace it", path,
			         file_kind(st->st_mode));
			return -EINVAL;
		}
		ssize_t k = readlink(real, link, sizeof link - 1);
		if (k < 0 || dir_of(real, dir, sizeof dir)) {
			snprintf(err, errlen, "cannot follow the link %s: %s", real, strerror(k < 0 ? errno : ENAMETOOLONG));
			return k < 0 ? -errno : -ENAMETOOLONG;
		}
		link[k] = 0;
		if (link[0] == '/')
			snprintf(next, sizeof next, "%s", link);
		else
			snprintf(next, sizeof next, "%s/%s", dir, link);
		if (snprintf(real, len, "%s", next) >= (int)len)
			goto too_long;
	}
	snprintf(err, errlen, "cannot write %s: %s", path, strerror(ELOOP));
	return -ELOOP;
too_long:
	snprintf(err, errlen, "output path too long: %s", path);
	return -ENAMETOOLONG;
}

/* A new temp file in the directory of the output file (path resolved to real), so that
 * rename() can replace that file atomically: its fd, or -errno with err filled. */
static int output_temp(const char *path, char *real, size_t reallen, char *tmp, size_t tmplen, struct stat *st,
                       char *err, size_t errlen)
{
	char dir[4096];
	int rc = resolve_output(path, real, reallen, st, err, errlen);
	if (rc)
		return rc;
	if (dir_of(real, dir, sizeof dir)) {
		snprintf(err, errlen, "output path too long: %s", path);
		return -ENAMETOOLONG;
	}
	snprintf(tmp, tmplen, "%s/.%s.tmp-XXXXXX", dir, strrchr(real, '/') ? strrchr(real, '/') + 1 : real);
	int fd = mkstemp(tmp);
	if (fd < 0) {
		int e = errno;
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(e));
		return -e;
	}
	return fd;
}

int results_check_writable(const char *path, char *err, size_t errlen)
{
	char real[4096], tmp[4200];
	struct stat st;
	int fd = output_temp(path, real, sizeof real, tmp, sizeof tmp, &st, err, errlen);
	if (fd < 0)
		return fd;
	close(fd);
	unlink(tmp);
	return 0;
}

/* The mode of a new results file: 0666 less the umask, as for any file a program creates. */
static mode_t new_file_mode(void)
{
	mode_t u = umask(022);
	umask(u);
	return 0666 & ~u;
}

int results_doc_write(struct results_doc *d, const char *path, char *err, size_t errlen)
{
	char real[4096], tmp[4200];
	struct stat st;
	int fd = output_temp(path, real, sizeof real, tmp, sizeof tmp, &st, err, errlen);
	if (fd < 0)
		return fd;
	/* an existing file keeps its mode, and its owner when we may give it away (root) */
	int owner_kept = st.st_mode && geteuid() == 0 ? fchown(fd, st.st_uid, st.st_gid) : 0;
	(void)owner_kept;
	fchmod(fd, st.st_mode ? st.st_mode & 0777 : new_file_mode());
	FILE *f = fdopen(fd, "w");
	int rc = f ? json_dumpf(d->root, f, JSON_INDENT(1) | JSON_REAL_PRECISION(12)) : -1;
	if (f && rc == 0)
		rc = fputc('\n', f) == EOF || fflush(f) || fsync(fileno(f)) ? -1 : 0;
	int e = errno;
	if (f)
		fclose(f);
	else
		close(fd);
	if (rc == 0 && rename(tmp, real) < 0) {
		e = errno;
		rc = -1;
	}
	if (rc) {
		unlink(tmp);
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(e ? e : EIO));
		return -(e ? e : EIO);
	}
	return 0;
}

/* ---- repetitions ---- */

static json_t *darr(const double *v, unsigned n)
{
	json_t *a = json_array();
	for (unsigned i = 0; v && i < n; i++)
		json_array_append_new(a, num(v[i]));
	return a;
}

static json_t *iarr(const int *v, unsigned n)
{
	json_t *a = json_array();
	for (unsigned i = 0; v && i < n; i++)
		json_array_append_new(a, json_integer(v[i]));
	return a;
}

char *results_rep_encode(const struct rep_result *r)
{
	json_t *tl = json_array();
	for (unsigned s = 0; r->timeline && s < r->nsamples; s++)
		json_array_append_new(tl, darr(r->timeline + (size_t)s * r->ncpus, r->ncpus));
	json_t *o = json_object();
#define SET(k, v) json_object_set_new(o, k, v)
	SET("warmup", json_boolean(r->warmup));
	SET("index", json_integer(r->index));
	SET("status", json_string(r->ok ? "ok" : "failed"));
	SET("error", r->ok ? json_null() : json_string(r->error));
	SET("wall_s", num(r->wall_s));
	SET("spawn_s", num(r->spawn_s));
	SET("join_s", num(r->join_s));
	SET("mem_delta_kb", num(r->mem_delta_kb));
	SET("mem_per_worker_kb", num(r->mem_per_worker_kb));
	SET("cpu_user_s", num(r->cpu_user_s));
	SET("cpu_sys_s", num(r->cpu_sys_s));
	SET("util_cores", num(r->util_cores));
	SET("ops", num(r->ops));
	SET("ops_per_s", num(r->ops_per_s));
	SET("ctx_voluntary", num(r->ctx_voluntary));
	SET("ctx_involuntary", num(r->ctx_involuntary));
	SET("fairness", num(r->fairness));
	SET("steal_s", num(r->steal_s));
	SET("other_load_cores", num(r->other_load_cores));
	SET("other_load_pu_cores", num(r->other_load_pu_cores));
	SET("migrations", num(r->migrations));
	SET("run_delay_s", num(r->run_delay_s));
	SET("helper_cpu_s", num(r->helper_cpu_s));
	SET("stall_s", num(r->stall_s));
	SET("disturbed", json_boolean(r->disturbed));
	if (r->disturbed)
		SET("disturbed_by", json_string(r->disturbed_by));
	SET("worker_ops", darr(r->worker_ops, r->nworkers));
	SET("worker_cpu_s", darr(r->worker_cpu_s, r->nworkers));
	SET("bound_pu", iarr(r->bound_pu, r->nworkers));
	SET("last_cpu", iarr(r->last_cpu, r->nworkers));
	SET("core_util", json_pack("{s:o,s:o,s:o,s:o}", "interval_s", num(r->interval_s), "cpus",
	                           iarr(r->cpus, r->ncpus), "mean", darr(r->core_mean, r->ncpus), "timeline", tl));
#undef SET
	if (!o)
		return NULL;
	/* Workload metrics sit beside the harness metrics, so every consumer reads rep[metric]. */
	for (unsigned i = 0; i < r->nmetrics; i++)
		if (!json_object_get(o, r->metrics[i].name))
			json_object_set_new(o, r->metrics[i].name, num(r->metrics[i].value));
	for (unsigned i = 0; i < r->nwmetrics; i++)
		if (!json_object_get(o, r->wmetrics[i].name))
			json_object_set_new(o, r->wmetrics[i].name, darr(r->wmetrics[i].values, r->nworkers));
	char *s = json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(12));
	json_decref(o);
	return s;
}

char *results_stop_encode(const struct results_reps_stop *s)
{
	json_t *o = json_pack("{s:s,s:s,s:i,s:i,s:i,s:b}", "mode", s->automatic ? "auto" : "fixed", "reason",
	                      s->reason, "measured", (int)s->measured, "disturbed", (int)s->disturbed, "reruns",
	                      (int)s->reruns, "unstable", s->unstable);
	if (!o)
		return NULL;
	if (s->automatic) {
		json_object_set_new(o, "target_ci", num(s->target_ci));
		json_object_set_new(o, "budget_s", num(s->budget_s));
	}
	char *line = json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(12));
	json_decref(o);
	return line;
}

int results_cell_set_stop(struct results_cell *c, const char *line, int *unstable)
{
	json_error_t e;
	json_t *o = json_loads(line, 0, &e), *u = json_object_get(o, "unstable");
	if (!json_is_object(o) || !json_is_boolean(u) || !json_is_string(json_object_get(o, "reason"))) {
		json_decref(o);
		return -EINVAL;
	}
	*unstable = json_is_true(u);
	json_object_del(o, "unstable");
	json_object_set_new(c->obj, "reps_stop", o);
	return 0;
}

/* ---- cells ---- */

static json_t *knobs_obj(const struct knobset *k)
{
	json_t *o = json_object();
	for (unsigned i = 0; k && i < k->n; i++) {
		const struct knobval *v = &k->v[i];
		json_t *j;
		switch (v->k->type) {
		case KNOB_INT: j = json_integer((json_int_t)v->num); break;
		case KNOB_DOUBLE: j = json_real(v->num); break;
		case KNOB_BOOL: j = json_boolean(v->num != 0); break;
		default: j = json_string(v->text);
		}
		json_object_set_new(o, v->k->name, j);
	}
	return o;
}

char *results_knobs_json(const struct knobset *k)
{
	json_t *o = knobs_obj(k);
	char *s = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	json_decref(o);
	return s;
}

struct results_cell *results_cell_new(struct results_doc *d, const struct cell_desc *c)
{
	struct results_cell *h = calloc(1, sizeof *h);
	if (!h)
		return NULL;
	h->obj = json_pack("{s:s,s:s,s:i,s:s,s:o,s:o,s:{s:s,s:s},s:s,s:n,s:[],s:[],s:{}}", "workload", c->workload,
	                   "driver", c->driver, "workers", (int)c->workers, "pin", c->pin ? c->pin : "spread",
	                   "placement", iarr(c->placement, c->placement ? c->workers : 0), "knobs", knobs_obj(c->knobs),
	                   "primary", "metric", c->primary_metric ? c->primary_metric : "ops_per_s", "better",
	                   c->higher_is_better ? "higher" : "lower", "status", "running", "error", "warmups",
	                   "reps", "summary");
	if (!h->obj) {
		free(h);
		return NULL;
	}
	h->keep_disturbed = json_is_true(json_object_get(json_object_get(d->root, "config"), "keep_disturbed"));
	json_array_append_new(json_object_get(d->root, "cells"), h->obj);
	h->next = d->cells;
	d->cells = h;
	return h;
}

int results_cell_add_rep(struct results_cell *c, const char *line)
{
	json_error_t e;
	json_t *r = json_loads(line, 0, &e);
	if (!r || !json_is_object(r)) {
		json_decref(r);
		return -EINVAL;
	}
	json_array_append_new(json_object_get(c->obj, json_is_true(json_object_get(r, "warmup")) ? "warmups" : "reps"), r);
	return 0;
}

static int skip_key(const char *k)
{
	return !strcmp(k, "index") || !strcmp(k, "warmup");
}

/* Whether repetition r counts in the summary: ok, and not disturbed unless keep. */
static int counted(json_t *r, int keep)
{
	return !strcmp(json_string_value(json_object_get(r, "status")) ?: "", "ok") &&
	       (keep || !json_is_true(json_object_get(r, "disturbed")));
}

static void summarize(json_t *cell, int keep)
{
	json_t *reps = json_object_get(cell, "reps"), *sum = json_object(), *first = NULL, *r;
	size_t i, n = json_array_size(reps), k;
	const char *key;
	json_t *val;
	json_array_foreach(reps, i, r) {
		if (counted(r, keep)) {
			first = r;
			break;
		}
	}
	double *x = calloc(n ? n : 1, sizeof *x);
	if (first && x) {
		json_object_foreach(first, key, val) {
			if (!json_is_number(val) || skip_key(key))
				continue;
			k = 0;
			json_array_foreach(reps, i, r) {
				json_t *v = json_object_get(r, key);
				if (json_is_number(v) && counted(r, keep))
					x[k++] = json_number_value(v);
			}
			struct stats_summary s;
			if (stats_summarize(x, k, &s))
				continue;
			json_object_set_new(sum, key, json_pack("{s:i,s:o,s:o,s:o,s:o,s:o,s:o,s:[o,o],s:i}", "n", (int)s.n,
			                                        "median", num(s.median), "mean", num(s.mean), "stddev",
			                                        num(s.stddev), "cv", num(s.cv), "min", num(s.min), "max",
			                                        num(s.max), "ci95", num(s.ci_lo), num(s.ci_hi), "outliers",
			                                        (int)s.outliers));
		}
	}
	free(x);
	json_object_set_new(cell, "summary", sum);
}

void results_cell_finish(struct results_cell *c, const char *status, const char *error)
{
	json_t *reps = json_object_get(c->obj, "reps"), *r;
	size_t i;
	if (!strcmp(status, "ok") || !strcmp(status, "unstable")) {
		json_array_foreach(json_object_get(c->obj, "warmups"), i, r) {
			if (strcmp(json_string_value(json_object_get(r, "status")) ?: "", "ok")) {
				status = "failed";
				error = json_string_value(json_object_get(r, "error"));
			}
		}
		json_array_foreach(reps, i, r) {
			if (strcmp(json_string_value(json_object_get(r, "status")) ?: "", "ok")) {
				status = "failed";
				error = json_string_value(json_object_get(r, "error"));
				break;
			}
		}
		if (strcmp(status, "failed") && json_array_size(reps) == 0) {
			status = "failed";
			error = "no repetition completed";
		}
	}
	/* error may point into a rep object: copy it before the object changes. */
	json_t *err = error ? json_string(error) : json_null();
	json_object_set_new(c->obj, "status", json_string(status));
	json_object_set_new(c->obj, "error", err);
	summarize(c->obj, c->keep_disturbed);
}

static double med(const json_t *sum, const char *metric, const char *field)
{
	json_t *m = json_object_get(json_object_get(sum, metric), field);
	return json_is_number(m) ? json_number_value(m) : NAN;
}

static double num_at(const json_t *a, size_t i)
{
	json_t *v = json_array_get(a, i);
	return json_is_number(v) ? json_number_value(v) : NAN;
}

/* The measured ok repetitions, those of them marked "disturbed", and the median
 * other_load_cores of those (NaN: none, or none records it). */
static void brief_disturbed(const json_t *reps, struct cell_brief *b)
{
	size_t i, k = 0;
	json_t *r;
	double *load = malloc((json_array_size(reps) + 1) * sizeof *load);
	json_array_foreach(reps, i, r) {
		if (strcmp(json_string_value(json_object_get(r, "status")) ?: "", "ok"))
			continue;
		b->nok++;
		if (!json_is_true(json_object_get(r, "disturbed")))
			continue;
		b->ndisturbed++;
		json_t *l = json_object_get(r, "other_load_cores");
		if (load && json_is_number(l))
			load[k++] = json_number_value(l);
	}
	b->disturbed_load = stats_median(load, load ? k : 0);
	free(load);
}

void results_cell_brief(const struct results_cell *c, struct cell_brief *b)
{
	json_t *sum = json_object_get(c->obj, "summary");
	const char *pm = json_string_value(json_object_get(json_object_get(c->obj, "primary"), "metric"));
	memset(b, 0, sizeof *b);
	b->status = json_string_value(json_object_get(c->obj, "status"));
	b->error = json_string_value(json_object_get(c->obj, "error"));
	b->nreps = (unsigned)json_array_size(json_object_get(c->obj, "reps"));
	b->ops_per_s = med(sum, "ops_per_s", "median");
	b->ops_per_s_cv = med(sum, "ops_per_s", "cv");
	b->util_cores = med(sum, "util_cores", "median");
	b->wall_s = med(sum, "wall_s", "median");
	b->fairness = med(sum, "fairness", "median");
	b->primary = med(sum, pm ? pm : "ops_per_s", "median");
	b->primary_cv = med(sum, pm ? pm : "ops_per_s", "cv");
	json_t *ps = json_object_get(sum, pm ? pm : "ops_per_s");
	b->primary_n = (unsigned)json_integer_value(json_object_get(ps, "n"));
	b->primary_ci_lo = num_at(json_object_get(ps, "ci95"), 0);
	b->primary_ci_hi = num_at(json_object_get(ps, "ci95"), 1);
	b->primary_min = med(sum, pm ? pm : "ops_per_s", "min");
	b->primary_max = med(sum, pm ? pm : "ops_per_s", "max");
	brief_disturbed(json_object_get(c->obj, "reps"), b);
}

unsigned results_cell_failed_reps(const struct results_cell *c)
{
	static const char *const arrays[] = { "warmups", "reps" };
	unsigned n = 0;
	for (int a = 0; a < 2; a++) {
		size_t i;
		json_t *r;
		json_array_foreach(json_object_get(c->obj, arrays[a]), i, r)
			n += strcmp(json_string_value(json_object_get(r, "status")) ?: "", "ok") != 0;
	}
	return n;
}

size_t results_cell_label(char *buf, size_t len, const char *workload, const char *driver, unsigned workers)
{
	int n = snprintf(buf, len, "%s/%s/n=%u", workload, driver, workers);
	return n < 0 ? 0 : (size_t)n;
}

char *results_cell_json(const struct results_cell *c)
{
	return json_dumps(c->obj, JSON_COMPACT | JSON_REAL_PRECISION(12));
}
