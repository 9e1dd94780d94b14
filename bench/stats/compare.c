/* compare: match cells, test, decide, summarize (see compare.h; compare_print.c prints). */
#define _GNU_SOURCE
#include "bench/stats/compare.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bench/core/log.h"
#include "bench/core/opt.h"
#include "bench/stats/paired.h"
#include "bench/store/escape.h"
#include "bench/store/results.h"

void compare_opts_default(struct compare_opts *o)
{
	memset(o, 0, sizeof *o);
	o->metric_better = -1;
	o->alpha = COMPARE_DEFAULT_ALPHA;
	o->threshold_pct = COMPARE_DEFAULT_THRESHOLD;
	o->confidence = COMPARE_DEFAULT_CONFIDENCE;
	o->ci = COMPARE_CI_BOOTSTRAP;
	o->nboot = COMPARE_DEFAULT_NBOOT;
	o->fail_on = COMPARE_FAIL_DEFAULT;
}

int compare_parse_metric(const char *arg, struct compare_opts *o)
{
	static char name[64];
	const char *colon = strchr(arg, ':');
	size_t n = colon ? (size_t)(colon - arg) : strlen(arg);
	if (n == 0 || n >= sizeof name)
		return -EINVAL;
	memcpy(name, arg, n);
	name[n] = 0;
	o->metric = name;
	o->metric_better = -1;
	if (colon) {
		if (!strcmp(colon + 1, "higher"))
			o->metric_better = 1;
		else if (!strcmp(colon + 1, "lower"))
			o->metric_better = 0;
		else
			return -EINVAL;
	}
	return 0;
}

/* Index of name in names[0..n), or -1. */
static int name_index(const char *name, const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(name, names[i]))
			return (int)i;
	return -1;
}

/* The words of --fail-on, bit i of the set for word i; "any" and "never" stand alone. */
static const char *const fail_on_names[] = { "regression", "improvement", "unstable", "too-few" };
#define NFAIL_ON (sizeof fail_on_names / sizeof *fail_on_names)

int compare_parse_fail_on(const char *arg, unsigned *out)
{
	unsigned set = 0;
	if (!strcmp(arg, "any") || !strcmp(arg, "never")) {
		*out = !strcmp(arg, "any") ? COMPARE_FAIL_ANY : COMPARE_FAIL_NEVER;
		return 0;
	}
	for (const char *s = arg;; s++) {
		size_t k = strcspn(s, ",");
		char word[16];
		if (k == 0 || k >= sizeof word)
			return -EINVAL;
		memcpy(word, s, k);
		word[k] = 0;
		int i = name_index(word, fail_on_names, NFAIL_ON);
		if (i < 0)
			return -EINVAL;
		set |= 1u << i;
		s += k;
		if (!*s)
			break;
	}
	*out = set;
	return 0;
}

void compare_fail_on_text(unsigned set, char *buf, size_t len)
{
	size_t off = 0;
	buf[0] = 0;
	if (set == COMPARE_FAIL_ANY || set == COMPARE_FAIL_NEVER) {
		snprintf(buf, len, "%s", set ? "any" : "never");
		return;
	}
	for (unsigned i = 0; i < NFAIL_ON && off < len; i++)
		if (set & (1u << i))
			off += (size_t)snprintf(buf + off, len - off, "%s%s", off ? "," : "", fail_on_names[i]);
}

int compare_parse_format(const char *arg, enum compare_format *out)
{
	static const char *const names[] = { "text", "markdown", "json" };
	int i = name_index(arg, names, sizeof names / sizeof *names);
	if (i < 0)
		return -EINVAL;
	*out = (enum compare_format)i;
	return 0;
}

int compare_parse_ci(const char *arg, enum compare_ci *out)
{
	if (!strcmp(arg, "bootstrap"))
		*out = COMPARE_CI_BOOTSTRAP;
	else if (!strcmp(arg, "hl") || !strcmp(arg, "hodges-lehmann"))
		*out = COMPARE_CI_HL;
	else
		return -EINVAL;
	return 0;
}

/* ---- command-line options (bench compare, bench export, bench run --baseline) ---- */

int compare_cli_option(const char *cmd, int c, const char *arg, struct compare_opts *o)
{
	switch (c) {
	case COMPARE_OPT_METRIC:
		if (compare_parse_metric(arg, o)) {
			log_err(cmd, "--metric: '%s' is not NAME, NAME:higher or NAME:lower", arg);
			return -EINVAL;
		}
		return 0;
	case COMPARE_OPT_THRESHOLD:
		if (opt_parse_double(arg, 0, 1000, &o->threshold_pct)) {
			log_err(cmd, "--threshold: '%s' is not a percentage from 0 to 1000", arg);
			return -EINVAL;
		}
		return 0;
	case COMPARE_OPT_ALPHA:
		if (opt_parse_double(arg, 1e-12, 0.5, &o->alpha)) {
			log_err(cmd, "--alpha: '%s' is not a probability from 1e-12 to 0.5", arg);
			return -EINVAL;
		}
		return 0;
	case COMPARE_OPT_CONFIDENCE:
		if (opt_parse_double(arg, 0.5, 0.9999, &o->confidence)) {
			log_err(cmd, "--confidence: '%s' is not a level from 0.5 to 0.9999", arg);
			return -EINVAL;
		}
		return 0;
	case COMPARE_OPT_CI:
		if (compare_parse_ci(arg, &o->ci)) {
			log_err(cmd, "--ci-method: '%s' is not bootstrap or hl", arg);
			return -EINVAL;
		}
		return 0;
	case COMPARE_OPT_IGNORE:
		if (o->nignore >= COMPARE_IGNORE_MAX) {
			log_err(cmd, "--ignore-knob: at most %d", COMPARE_IGNORE_MAX);
			return -EINVAL;
		}
		o->ignore[o->nignore++] = arg;
		return 0;
	case COMPARE_OPT_FAIL_ON:
		if (compare_parse_fail_on(arg, &o->fail_on)) {
			log_err(cmd, "--fail-on: '%s' is not a comma-separated set of regression, improvement, unstable, "
			        "too-few (or any, never)", arg);
			return -EINVAL;
		}
		return 0;
	}
	return -ENOENT;
}

int compare_getopt(const char *cmd, int argc, char **argv, const struct option *lo, struct compare_opts *o,
                   const char **output, int (*own)(int code, const char *arg, void *ctx), void *ctx)
{
	int c, rc;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":o:h", lo, NULL)) != -1) {
		switch (c) {
		case 'o': *output = optarg; continue;
		case ':':
			log_err(cmd, "option '%s' needs a value", argv[optind - 1]);
			return -EINVAL;
		case '?': rc = -ENOENT; break;
		default:
			rc = compare_cli_option(cmd, c, optarg, o);
			if (rc == -ENOENT && own)
				rc = own(c, optarg, ctx);
		}
		if (rc == -ENOENT) {
			log_err(cmd, "unknown option '%s' (see bench %s --help)", argv[optind - 1], cmd);
			return -EINVAL;
		}
		if (rc)
			return -EINVAL;
	}
	return optind;
}

const char *compare_verdict_name(enum compare_verdict v)
{
	static const char *n[] = { "regression", "improvement", "unchanged", "below-threshold", "too-few-reps",
		                   "failed-new", "failed-base", "skipped", "no-data", "unstable" };
	return n[v];
}

int compare_known_direction(const char *m)
{
	static const char *const higher[] = { "ops_per_s", "ops_per_cpu_s", "ops", "fairness" };
	static const char *const lower[] = { "wall_s", "spawn_s", "join_s", "cpu_user_s", "cpu_sys_s", "ctx_voluntary",
		                             "ctx_involuntary" };
	if (name_index(m, higher, sizeof higher / sizeof *higher) >= 0)
		return 1;
	if (name_index(m, lower, sizeof lower / sizeof *lower) >= 0)
		return 0;
	return -1;
}

const char *compare_metric_of(const struct compare_opts *o, const struct results_file_cell *c, int *higher)
{
	*higher = c->higher_is_better;
	if (o->metric && strcmp(o->metric, c->primary))
		*higher = o->metric_better >= 0 ? o->metric_better : compare_known_direction(o->metric);
	else if (o->metric && o->metric_better >= 0)
		*higher = o->metric_better;
	return o->metric ? o->metric : c->primary;
}

/* ---- identity and labels ---- */

static int ignored(const struct compare_opts *o, const char *knob)
{
	for (unsigned i = 0; o && i < o->nignore; i++)
		if (!strcmp(o->ignore[i], knob))
			return 1;
	return 0;
}

/* The matching key: workload, driver, workers, pin and the knobs not ignored, sorted. */
static char *identity_key(const struct results_file_cell *c, const struct compare_opts *o)
{
	char *s = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&s, &len);
	if (!f)
		return NULL;
	fprintf(f, "%s\x1f%s\x1f%u\x1f%s", c->workload, c->driver, c->workers, c->pin);
	for (const struct results_kv *kv = c->knobs_by_name; kv < c->knobs_by_name + c->nknobs; kv++)
		if (!ignored(o, kv->key))
			fprintf(f, "\x1f%s=%s", kv->key, kv->value);
	fclose(f);
	return s;
}

void compare_cell_identity(const struct results_file *f, unsigned ci, char *buf, size_t len)
{
	const struct results_file_cell *c = &f->cells[ci];
	size_t off = results_cell_label(buf, len, c->workload, c->driver, c->workers);
	if (off < len)
		off += (size_t)snprintf(buf + off, len - off, " pin=%s", c->pin);
	for (const struct results_kv *kv = c->knobs_by_name; kv < c->knobs_by_name + c->nknobs && off < len; kv++)
		off += (size_t)snprintf(buf + off, len - off, " %s=%s", kv->key, kv->value);
}

/* Which knobs (and pins) take more than one value, or are missing somewhere, among the cells
 * of the same workload in a set of files: labels show those. Built by sorting every (workload,
 * knob, value) triple once, so a file of many cells costs O(N log N), not O(N^2). */
static const char PIN_KEY[] = "\x01pin"; /* sorts before any knob name */

struct vary_ent { const char *wl, *knob, *val; };
struct vary_group { const char *wl, *knob; int varies; };
struct compare_vary { struct vary_group *g; size_t n; };

static int cmp_vary_ent(const void *a, const void *b)
{
	const struct vary_ent *x = a, *y = b;
	int c = strcmp(x->wl, y->wl);
	if (!c)
		c = strcmp(x->knob, y->knob);
	return c ? c : strcmp(x->val, y->val);
}

static int cmp_vary_group(const void *a, const void *b)
{
	const struct vary_group *x = a, *y = b;
	int c = strcmp(x->wl, y->wl);
	return c ? c : strcmp(x->knob, y->knob);
}

struct compare_vary *compare_vary_new(const struct results_file *const *files, unsigned nfiles)
{
	size_t n = 0, k = 0;
	for (unsigned fi = 0; fi < nfiles; fi++)
		for (unsigned i = 0; i < files[fi]->ncells; i++)
			n += 1 + files[fi]->cells[i].nknobs;
	struct compare_vary *v = calloc(1, sizeof *v);
	struct vary_ent *e = malloc((n ? n : 1) * sizeof *e);
	if (!v || !e || !(v->g = malloc((n ? n : 1) * sizeof *v->g))) {
		free(e);
		compare_vary_free(v);
		return NULL;
	}
	for (unsigned fi = 0; fi < nfiles; fi++)
		for (unsigned i = 0; i < files[fi]->ncells; i++) {
			const struct results_file_cell *c = &files[fi]->cells[i];
			e[k++] = (struct vary_ent){ c->workload, PIN_KEY, c->pin };
			for (unsigned j = 0; j < c->nknobs; j++)
				e[k++] = (struct vary_ent){ c->workload, c->knobs_by_name[j].key, c->knobs_by_name[j].value };
		}
	qsort(e, n, sizeof *e, cmp_vary_ent);
	size_t cells_of_wl = 0;
	for (size_t a = 0; a < n;) {
		size_t b = a + 1;
		int distinct = 0;
		while (b < n && !strcmp(e[b].wl, e[a].wl) && !strcmp(e[b].knob, e[a].knob)) {
			distinct |= strcmp(e[b].val, e[b - 1].val) != 0;
			b++;
		}
		if (!strcmp(e[a].knob, PIN_KEY))
			cells_of_wl = b - a; /* the pin group comes first and every cell has a pin */
		v->g[v->n++] = (struct vary_group){ e[a].wl, e[a].knob, distinct || b - a != cells_of_wl };
		a = b;
	}
	free(e);
	return v;
}

void compare_vary_free(struct compare_vary *v)
{
	if (v)
		free(v->g);
	free(v);
}

static int varies(const struct compare_vary *v, const char *wl, const char *knob)
{
	if (!v)
		return 0;
	struct vary_group key = { wl, knob ? knob : PIN_KEY, 0 };
	const struct vary_group *g = bsearch(&key, v->g, v->n, sizeof *v->g, cmp_vary_group);
	return g && g->varies;
}

/* "workload/driver/n=W", and " pin=P" when the pin varies or is not the default; returns the
 * length it wrote (or would have). */
static size_t label_head(const struct compare_vary *v, const struct results_file_cell *c, char *buf, size_t len)
{
	size_t off = results_cell_label(buf, len, c->workload, c->driver, c->workers);
	if (off < len && (varies(v, c->workload, NULL) || strcmp(c->pin, "spread")))
		off += (size_t)snprintf(buf + off, len - off, " pin=%s", c->pin);
	return off;
}

void compare_cell_label(const struct compare_vary *v, const struct results_file *f, unsigned ci, char *buf,
                        size_t len)
{
	const struct results_file_cell *c = &f->cells[ci];
	size_t off = label_head(v, c, buf, len);
	for (const struct results_kv *kv = c->knobs_by_name; kv < c->knobs_by_name + c->nknobs && off < len; kv++)
		if (varies(v, c->workload, kv->key))
			off += (size_t)snprintf(buf + off, len - off, " %s=%s", kv->key, kv->value);
}

/* Label of a matched pair: knobs that vary, and the ignored knobs that differ as a->b. */
static void row_label(const struct compare_result *r, const struct compare_vary *v, const struct compare_row *row,
                      char *buf, size_t len)
{
	const struct results_file_cell *b = &r->base->cells[row->base_cell];
	const struct results_file_cell *n = &r->new->cells[row->new_cell];
	size_t off = label_head(v, b, buf, len);
	for (const struct results_kv *kv = b->knobs_by_name; kv < b->knobs_by_name + b->nknobs && off < len; kv++) {
		const char *nv = results_file_knob(n, kv->key);
		if (ignored(&r->opts, kv->key) && (!nv || strcmp(nv, kv->value)))
			off += (size_t)snprintf(buf + off, len - off, " %s=%s->%s", kv->key, kv->value, nv ? nv : "(none)");
		else if (varies(v, b->workload, kv->key))
			off += (size_t)snprintf(buf + off, len - off, " %s=%s", kv->key, kv->value);
	}
	for (const struct results_kv *kv = n->knobs_by_name; kv < n->knobs_by_name + n->nknobs && off < len; kv++)
		if (!results_file_knob(b, kv->key))
			off += (size_t)snprintf(buf + off, len - off, " %s=(none)->%s", kv->key, kv->value);
}

/* ---- matching: identity keys, sorted, so a large file costs O(N log N) ---- */

struct keyed { char *key; unsigned idx; };

static int cmp_keyed(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;
	int c = strcmp(x->key, y->key);
	return c ? c : (x->idx > y->idx) - (x->idx < y->idx);
}

static void free_keys(struct keyed *k, unsigned n)
{
	for (unsigned i = 0; k && i < n; i++)
		free(k[i].key);
	free(k);
}

/* The sorted identity keys of a file's cells; NULL on out of memory. */
static struct keyed *sorted_keys(const struct results_file *f, const struct compare_opts *o)
{
	unsigned n = f->ncells;
	struct keyed *k = calloc(n ? n : 1, sizeof *k);
	for (unsigned i = 0; k && i < n; i++) {
		k[i].idx = i;
		if (!(k[i].key = identity_key(&f->cells[i], o))) {
			free_keys(k, n);
			return NULL;
		}
	}
	if (k)
		qsort(k, n, sizeof *k, cmp_keyed);
	return k;
}

static int find_duplicates(const struct results_file *f, const struct keyed *k, const struct compare_opts *o,
                           char *err, size_t errlen)
{
	unsigned n = f->ncells;
	for (unsigned i = 1; i < n; i++)
		if (!strcmp(k[i - 1].key, k[i].key)) {
			char id[300];
			compare_cell_identity(f, k[i - 1].idx, id, sizeof id);
			snprintf(err, errlen, "%s: cells %u and %u are the same cell (%s)%s: cannot tell which one to compare",
			         f->path, k[i - 1].idx, k[i].idx, id,
			         o->nignore ? " once the ignored knobs are left out" : "");
			return -EINVAL;
		}
	return 0;
}

/* What matching two files needs: the sorted identity keys of each file's cells, which base
 * cell matches which new cell, and which knobs vary (for the labels). */
struct matching {
	struct keyed *kb, *kn;
	long *match;                       /* base cell -> new cell, or -1 */
	char *matched[2];                  /* base cell, new cell -> has a match */
	struct compare_vary *vary;
};

static void matching_free(const struct compare_result *r, struct matching *m)
{
	free_keys(m->kb, r->base->ncells);
	free_keys(m->kn, r->new->ncells);
	compare_vary_free(m->vary);
	free(m->match);
	free(m->matched[0]);
	free(m->matched[1]);
}

/* The keys, the vary table, and room for the result's rows and unmatched labels. 0, -ENOMEM. */
static int matching_new(struct compare_result *r, struct matching *m)
{
	unsigned nb = r->base->ncells, nn = r->new->ncells;
	const struct results_file *files[] = { r->base, r->new };
	m->kb = sorted_keys(r->base, &r->opts);
	m->kn = sorted_keys(r->new, &r->opts);
	m->vary = compare_vary_new(files, 2);
	m->match = malloc((nb + 1) * sizeof *m->match);
	m->matched[0] = calloc(nb + 1, 1);
	m->matched[1] = calloc(nn + 1, 1);
	r->rows = calloc(nb + 1, sizeof *r->rows);
	r->only_base = calloc(nb + 1, sizeof *r->only_base);
	r->only_new = calloc(nn + 1, sizeof *r->only_new);
	if (!m->kb || !m->kn || !m->vary || !m->match || !m->matched[0] || !m->matched[1] || !r->rows || !r->only_base || !r->only_new)
		return -ENOMEM;
	return 0;
}

static int cmp_key(const void *a, const void *b)
{
	return strcmp(((const struct keyed *)a)->key, ((const struct keyed *)b)->key);
}

/* A row per base cell whose key the new file has (keys are unique within a file: checked by
 * find_duplicates), in the baseline's order. */
static void match_cells(struct compare_result *r, struct matching *m)
{
	unsigned nb = r->base->ncells, nn = r->new->ncells;
	for (unsigned i = 0; i < nb; i++)
		m->match[i] = -1;
	for (unsigned i = 0; i < nb; i++) {
		const struct keyed *hit = bsearch(&m->kb[i], m->kn, nn, sizeof *m->kn, cmp_key);
		if (hit) {
			m->match[m->kb[i].idx] = hit->idx;
			m->matched[0][m->kb[i].idx] = m->matched[1][hit->idx] = 1;
		}
	}
	for (unsigned i = 0; i < nb; i++)
		if (m->match[i] >= 0) {
			struct compare_row *row = &r->rows[r->nrows++];
			row->base_cell = i;
			row->new_cell = (unsigned)m->match[i];
		}
}

/* The labels of the cells of f without a match (matched[i] 0) into out; 0, -ENOMEM. */
static int unmatched_labels(const struct compare_vary *vary, const struct results_file *f, const char *matched,
                            char **out, unsigned *n)
{
	for (unsigned i = 0; i < f->ncells; i++)
		if (!matched[i]) {
			char l[320];
			compare_cell_label(vary, f, i, l, sizeof l);
			if (!(out[(*n)++] = strdup(l)))
				return -ENOMEM;
		}
	return 0;
}

/* ---- one row ---- */

static void ratio_ci(const struct compare_opts *o, struct compare_row *row)
{
	double lo = NAN, hi = NAN, est;
	int rc = o->ci == COMPARE_CI_HL
	                 ? stats_hodges_lehmann_ratio(row->xbase, row->nbase, row->xnew, row->nnew, o->confidence, &est, &lo,
	                                              &hi)
	                 : stats_bootstrap_ratio_ci(row->xbase, row->nbase, row->xnew, row->nnew, o->confidence, o->nboot,
	                                            STATS_BOOT_SEED, &lo, &hi);
	row->ci_lo_pct = rc ? NAN : (lo - 1) * 100;
	row->ci_hi_pct = rc ? NAN : (hi - 1) * 100;
}

/* The side of a row that has values (kb, kn > 0): its count and median. */
static void row_sides(struct compare_row *row, int kb, int kn)
{
	if (kb > 0) {
		row->nbase = (unsigned)kb;
		row->base_median = stats_median(row->xbase, row->nbase);
	}
	if (kn > 0) {
		row->nnew = (unsigned)kn;
		row->new_median = stats_median(row->xnew, row->nnew);
	}
}

/* A row whose cell failed in one run or both: the verdict, the note, the medians it has. */
static void failed_row(struct compare_row *row, const struct results_file_cell *b, const struct results_file_cell *n,
                       int kb, int kn)
{
	int nok = !strcmp(n->status, "ok");
	if (strcmp(b->status, "ok")) {
		row->verdict = CMP_FAILED_BASE;
		snprintf(row->note, sizeof row->note, "failed in the baseline%s: %s", nok ? "" : " and in the new run",
		         b->error ?: b->status);
	} else {
		row->verdict = CMP_FAILED_NEW;
		snprintf(row->note, sizeof row->note, "failed in the new run: %s", n->error ?: n->status);
	}
	row_sides(row, kb, kn);
}

/* The verdict of a row with values on both sides, tested: too few repetitions for any p <
 * alpha, unchanged, below the threshold, or a significant change the good or the bad way. */
/* Paired values that do not settle the change: p >= alpha while the CI of the change (in %)
 * reaches beyond the threshold (the pairs disagree beyond what it allows). */
static int pairs_disagree(const struct compare_opts *o, double p, double lo_pct, double hi_pct)
{
	return p >= compare_test_alpha(o) && (lo_pct < -o->threshold_pct || hi_pct > o->threshold_pct);
}

double compare_test_alpha(const struct compare_opts *o)
{
	return o->looks > 1 ? o->alpha / o->looks : o->alpha;
}

int compare_pairs_settled(const struct compare_opts *o, const double *base, const double *new, unsigned n)
{
	struct paired_result pr;
	if (!n || paired_analyze(base, new, n, o->confidence, &pr))
		return 0;
	return pr.wsr.min_p < compare_test_alpha(o) &&
	       !pairs_disagree(o, pr.wsr.p, (pr.ratio_lo - 1) * 100, (pr.ratio_hi - 1) * 100);
}

static void decide(const struct compare_result *r, struct compare_row *row)
{
	const struct compare_opts *o = &r->opts;
	double thr = o->threshold_pct, alpha = compare_test_alpha(o);
	if (row->mw.min_p >= alpha && row->npairs) {
		row->verdict = CMP_TOO_FEW;
		snprintf(row->note, sizeof row->note,
		         "%u pairs: the smallest possible p is %.2g >= alpha %g, so no change can be significant; "
		         "use at least %u pairs",
		         row->npairs, row->mw.min_p, alpha, r->min_reps_needed);
	} else if (row->mw.min_p >= alpha) {
		row->verdict = CMP_TOO_FEW;
		snprintf(row->note, sizeof row->note,
		         "%u vs %u repetitions: the smallest possible p is %.2g >= alpha %g, so no change can be "
		         "significant; use at least %u repetitions per run",
		         row->nbase, row->nnew, row->mw.min_p, alpha, r->min_reps_needed);
	} else if (row->npairs && pairs_disagree(o, row->mw.p, row->ci_lo_pct, row->ci_hi_pct)) {
		row->verdict = CMP_UNSTABLE;
		snprintf(row->note, sizeof row->note,
		         "not settled: p = %.2g >= alpha %g while the %g%% CI of the change [%+.1f%%, %+.1f%%] "
		         "reaches beyond +-%g%% (the pairs disagree beyond what the threshold allows): run more pairs "
		         "(--pairs, --max-pairs) or on a quieter machine", row->mw.p, alpha, o->confidence * 100, row->ci_lo_pct,
		         row->ci_hi_pct, thr);
	} else if (row->mw.p >= alpha) {
		row->verdict = CMP_UNCHANGED;
	} else if (isnan(row->ci_lo_pct) || isnan(row->ci_hi_pct)) {
		row->verdict = CMP_BELOW_THRESHOLD;
		snprintf(row->note, sizeof row->note, "no confidence interval (negative values?): not significant");
	} else if (row->ci_hi_pct < -thr) {
		row->verdict = row->higher_is_better ? CMP_REGRESSION : CMP_IMPROVEMENT;
	} else if (row->ci_lo_pct > thr) {
		row->verdict = row->higher_is_better ? CMP_IMPROVEMENT : CMP_REGRESSION;
	} else {
		row->verdict = CMP_BELOW_THRESHOLD;
	}
}

/* The value of metric in a repetition; NAN when it does not record it. */
static double rep_value(const struct results_rep *rep, const char *metric)
{
	for (unsigned i = 0; i < rep->nmetrics; i++)
		if (!strcmp(rep->metrics[i].name, metric))
			return rep->metrics[i].value;
	return NAN;
}

/* A paired row whose cell bench ab gave up on (too many pairs set aside): no verdict. */
static void pairs_unstable(struct compare_row *row)
{
	row->verdict = CMP_UNSTABLE;
	snprintf(row->note, sizeof row->note, "too many pairs were disturbed (set aside and re-run up to the bound)");
}

/* The paired test of a row (bench ab): the pairs whose two repetitions are ok and record the
 * metric as a positive number, their Wilcoxon signed-rank test and the Hodges-Lehmann
 * interval of the ratio, then the verdict. 0 or -ENOMEM. */
static int analyze_pairs(const struct compare_result *r, struct compare_row *row, const struct compare_pairs *cp)
{
	const struct results_file_cell *b = &r->base->cells[row->base_cell], *n = &r->new->cells[row->new_cell];
	double *x = calloc(cp->n + 1, sizeof *x), *y = calloc(cp->n + 1, sizeof *y);
	unsigned k = 0;
	for (unsigned i = 0; x && y && i < cp->n; i++) {
		if (cp->base_rep[i] >= b->nreps || cp->new_rep[i] >= n->nreps)
			continue;
		const struct results_rep *rb = &b->reps[cp->base_rep[i]], *rn = &n->reps[cp->new_rep[i]];
		double vb = rep_value(rb, row->metric), vn = rep_value(rn, row->metric);
		if (rb->ok && rn->ok && vb > 0 && vn > 0 && isfinite(vb) && isfinite(vn)) {
			x[k] = vb;
			y[k++] = vn;
		}
	}
	struct paired_result pr;
	int rc = !x || !y ? -ENOMEM : k ? paired_analyze(x, y, k, r->opts.confidence, &pr) : 0;
	if (!rc && k) { /* the row's values are now the pairs', in pair order (the geomean resamples pairs) */
		free(row->xbase);
		free(row->xnew);
		row->xbase = x;
		row->xnew = y;
		row->nbase = row->nnew = k;
		row->base_median = stats_median(x, k);
		row->new_median = stats_median(y, k);
	} else {
		free(x);
		free(y);
	}
	if (!rc && !k && cp->unstable) { /* every pair set aside: still unstable, not "no data" */
		pairs_unstable(row);
		return 0;
	}
	if (rc || !k) { /* the cell ran on both sides and left nothing to judge: not a pass */
		row->verdict = CMP_TOO_FEW;
		snprintf(row->note, sizeof row->note, "no pair of ok repetitions records %s as a positive number", row->metric);
		return rc == -ENOMEM ? rc : 0;
	}
	row->npairs = k;
	row->mw = (struct stats_mw){ .u = pr.wsr.v, .p = pr.wsr.p, .min_p = pr.wsr.min_p, .z = pr.wsr.z,
		                     .exact = pr.wsr.exact, .ties = pr.wsr.ties };
	row->change_pct = (pr.ratio - 1) * 100;
	row->ci_lo_pct = (pr.ratio_lo - 1) * 100;
	row->ci_hi_pct = (pr.ratio_hi - 1) * 100;
	if (cp->unstable) {
		pairs_unstable(row);
		return 0;
	}
	decide(r, row);
	return 0;
}

/* The pairs of a row, when the comparison is paired (cell i with cell i); NULL otherwise. */
static const struct compare_pairs *row_pairs(const struct compare_result *r, const struct compare_row *row)
{
	const struct compare_pairing *pg = r->opts.pairing;
	if (!pg || row->base_cell != row->new_cell || row->base_cell >= pg->ncells)
		return NULL;
	return &pg->cells[row->base_cell];
}

/* A cell the contract calls "unstable" (too many disturbed repetitions) on either side: its
 * values are shown, but it gets no verdict. */
static void unstable_row(struct compare_row *row, const struct results_file_cell *b, const struct results_file_cell *n)
{
	int bu = !strcmp(b->status, "unstable"), nu = !strcmp(n->status, "unstable");
	row->verdict = CMP_UNSTABLE;
	snprintf(row->note, sizeof row->note, "unstable in %s (too many disturbed repetitions): no verdict",
	         bu && nu ? "both runs" : bu ? "the baseline" : "the new run");
}

/* One matched pair of cells: its metric, the repetitions' values, and the verdict (skipped,
 * failed, no data, unstable, or the test's). 0 or -ENOMEM. */
static int analyze(struct compare_result *r, struct compare_row *row)
{
	const struct compare_opts *o = &r->opts;
	const struct results_file_cell *b = &r->base->cells[row->base_cell];
	const struct results_file_cell *n = &r->new->cells[row->new_cell];
	row->base_median = row->new_median = row->change_pct = row->ci_lo_pct = row->ci_hi_pct = NAN;
	row->mw.p = row->mw.min_p = NAN;
	row->metric = compare_metric_of(o, b, &row->higher_is_better);
	if (!o->metric && strcmp(b->primary, n->primary))
		snprintf(row->note, sizeof row->note, "the new run's primary metric is %s; comparing %s", n->primary, b->primary);
	if (!strcmp(b->status, "skipped") || !strcmp(n->status, "skipped")) {
		row->verdict = CMP_SKIPPED;
		snprintf(row->note, sizeof row->note, "skipped in %s: %s",
		         !strcmp(b->status, "skipped") ? "the baseline" : "the new run",
		         (!strcmp(b->status, "skipped") ? b->error : n->error) ?: "");
		return 0;
	}
	row->xbase = calloc(b->nreps + 1, sizeof *row->xbase);
	row->xnew = calloc(n->nreps + 1, sizeof *row->xnew);
	if (!row->xbase || !row->xnew)
		return -ENOMEM;
	int bun = !strcmp(b->status, "unstable"), nun = !strcmp(n->status, "unstable");
	int bok = !strcmp(b->status, "ok") || bun, nok = !strcmp(n->status, "ok") || nun;
	int kb = bok ? results_file_values(b, row->metric, row->xbase, b->nreps) : 0;
	int kn = nok ? results_file_values(n, row->metric, row->xnew, n->nreps) : 0;
	if (!bok || !nok) {
		failed_row(row, b, n, kb, kn);
		return 0;
	}
	/* paired (bench ab): the pairs it used decide, whatever each file counts (a pair disturbed
	 * alike is used though both its repetitions are left out of the files' summaries) */
	if (row_pairs(r, row))
		return analyze_pairs(r, row, row_pairs(r, row));
	if ((kb <= 0 || kn <= 0) && (bun || nun)) { /* every repetition disturbed: still unstable */
		unstable_row(row, b, n);
		return 0;
	}
	if (kb <= 0 || kn <= 0) {
		row->verdict = CMP_NO_DATA;
		row->nbase = kb > 0 ? (unsigned)kb : 0; /* > 0: the new run lost it (compare_lost_in_new) */
		snprintf(row->note, sizeof row->note, "%s is not recorded in %s", row->metric,
		         kb <= 0 ? "the baseline" : "the new run");
		return 0;
	}
	row_sides(row, kb, kn);
	if (row->base_median != 0)
		row->change_pct = (row->new_median / row->base_median - 1) * 100;
	if (bun || nun) {
		unstable_row(row, b, n);
		return 0;
	}
	if (stats_mann_whitney(row->xbase, row->nbase, row->xnew, row->nnew, &row->mw))
		return -ENOMEM;
	ratio_ci(o, row);
	decide(r, row);
	return 0;
}

/* ---- the geometric mean ---- */

/* A row with a positive median on both sides takes part in the geometric mean. */
static int in_geomean(const struct compare_row *row)
{
	return row->nbase && row->nnew && row->base_median > 0 && row->new_median > 0;
}

/* How many bootstrap resamples: every resample resamples every cell, so bound the work for
 * files of thousands of cells (at least 1000 resamples, enough for a 95% interval). */
static unsigned geomean_resamples(const struct compare_result *r)
{
	size_t total = 0;
	for (unsigned i = 0; i < r->nrows; i++)
		total += r->rows[i].nbase + r->rows[i].nnew;
	unsigned B = r->opts.nboot;
	if (total && B > 20000000 / total)
		B = 20000000 / total > 1000 ? (unsigned)(20000000 / total) : (B < 1000 ? B : 1000);
	return B;
}

/* The mean log performance ratio of one resample of every cell of the geometric mean (n
 * cells); buf has room for the larger side of any cell. */
static double geomean_resample(const struct compare_result *r, unsigned n, struct stats_rng *rng, double *buf)
{
	double s = 0;
	for (unsigned i = 0; i < r->nrows; i++) {
		const struct compare_row *row = &r->rows[i];
		if (!in_geomean(row))
			continue;
		if (row->npairs) { /* paired: resample the pairs, the median of their log ratios */
			for (unsigned k = 0; k < row->npairs; k++) {
				unsigned j = (unsigned)stats_rng_below(rng, row->npairs);
				buf[k] = log(row->xnew[j] / row->xbase[j]);
			}
			double l = stats_median_inplace(buf, row->npairs);
			s += row->higher_is_better ? l : -l;
			continue;
		}
		for (unsigned k = 0; k < row->nbase; k++)
			buf[k] = row->xbase[stats_rng_below(rng, row->nbase)];
		double mb = stats_median_inplace(buf, row->nbase);
		for (unsigned k = 0; k < row->nnew; k++)
			buf[k] = row->xnew[stats_rng_below(rng, row->nnew)];
		double mn = stats_median_inplace(buf, row->nnew);
		double l = mb > 0 && mn > 0 ? log(mn / mb) : mb > 0 ? -INFINITY : mn > 0 ? INFINITY : 0;
		s += row->higher_is_better ? l : -l;
	}
	return isnan(s) ? 0 : s / n; /* +inf and -inf from two starved cells: no information */
}

/* Geometric mean of the performance ratios (new/base for higher-is-better, base/new for
 * lower-is-better) over the rows with data, and its bootstrap CI (each cell resampled). */
static int geomean(struct compare_result *r)
{
	unsigned n = 0;
	double sum = 0;
	size_t maxn = 1;
	for (unsigned i = 0; i < r->nrows; i++) {
		const struct compare_row *row = &r->rows[i];
		if (row->nbase > maxn) /* the larger side of every cell */
			maxn = row->nbase;
		if (row->nnew > maxn)
			maxn = row->nnew;
		if (!in_geomean(row))
			continue;
		double l = row->npairs ? log1p(row->change_pct / 100) : log(row->new_median / row->base_median);
		sum += row->higher_is_better ? l : -l;
		n++;
	}
	r->geo_cells = n;
	r->geo_pct = r->geo_lo_pct = r->geo_hi_pct = NAN;
	if (!n)
		return 0;
	r->geo_pct = (exp(sum / n) - 1) * 100;
	unsigned B = geomean_resamples(r);
	double *g = malloc(B * sizeof *g), *buf = malloc(maxn * sizeof *buf);
	if (!g || !buf || B < 2) {
		free(g);
		free(buf);
		return g && buf ? 0 : -ENOMEM;
	}
	struct stats_rng rng = { STATS_BOOT_SEED };
	for (unsigned b = 0; b < B; b++)
		g[b] = geomean_resample(r, n, &rng, buf);
	qsort(g, B, sizeof *g, stats_cmp_double);
	double a = (1 - r->opts.confidence) / 2;
	r->geo_lo_pct = (exp(stats_quantile_sorted(g, B, a)) - 1) * 100;
	r->geo_hi_pct = (exp(stats_quantile_sorted(g, B, 1 - a)) - 1) * 100;
	free(g);
	free(buf);
	return 0;
}

/* ---- machine and config check ---- */

static void diff_fields(const struct compare_result *r, const char *const *paths, unsigned n, const char *prefix,
                        char *out, size_t len)
{
	size_t off = 0;
	out[0] = 0;
	for (unsigned i = 0; i < n && off < len; i++) {
		char a[128], b[128], path[128];
		snprintf(path, sizeof path, "%s%s", prefix, paths[i]);
		int ra = results_file_scalar(r->base, path, a, sizeof a), rb = results_file_scalar(r->new, path, b, sizeof b);
		if (ra && rb)
			continue;
		if (ra)
			snprintf(a, sizeof a, "(absent)");
		if (rb)
			snprintf(b, sizeof b, "(absent)");
		if (strcmp(a, b))
			off += (size_t)snprintf(out + off, len - off, "%s%s (%s vs %s)", off ? ", " : "", paths[i], a, b);
	}
}

static void check_machines(struct compare_result *r)
{
	static const char *const machine[] = { "cpu.brand", "cpu.family", "cpu.model", "topology.cores",
		                               "topology.pus", "online_cpus", "governor", "smt", "cgroup.quota_cpus",
		                               "hypervisor.present", "build.build_type", "build.sanitizer" };
	static const char *const config[] = { "duration_s", "warmup" };
	diff_fields(r, machine, sizeof machine / sizeof *machine, "machine.", r->machine_diff, sizeof r->machine_diff);
	diff_fields(r, config, sizeof config / sizeof *config, "config.", r->config_diff, sizeof r->config_diff);
	char v[16];
	size_t off = 0;
	const struct results_file *f[] = { r->base, r->new };
	for (int i = 0; i < 2; i++)
		if (!results_file_scalar(f[i], "interrupted", v, sizeof v) && !strcmp(v, "true"))
			off += (size_t)snprintf(r->warnings + off, sizeof r->warnings - off,
			                        "%s was interrupted: some of its cells are missing or failed\n",
			                        f[i]->path);
}

/* ---- the whole comparison ---- */

unsigned compare_min_reps(double alpha)
{
	unsigned n;
	for (n = 2; n < 1000; n++)
		if (stats_mw_min_p(n, n) < alpha)
			break;
	return n;
}

/* --metric NAME without a direction: known, or the primary metric of every matched cell. */
static int check_direction(const struct compare_result *r, char *err, size_t errlen)
{
	const struct compare_opts *o = &r->opts;
	if (!o->metric || o->metric_better >= 0 || compare_known_direction(o->metric) >= 0)
		return 0;
	for (unsigned i = 0; i < r->nrows; i++)
		if (strcmp(r->base->cells[r->rows[i].base_cell].primary, o->metric)) {
			snprintf(err, errlen, "--metric %s: is higher or lower better? Say --metric %s:higher or %s:lower",
			         o->metric, o->metric, o->metric);
			return -EINVAL;
		}
	return 0;
}

/* Label, analyze and count every row. 0; -ENOMEM, or -EINVAL when no row records --metric,
 * with err. */
static int analyze_rows(struct compare_result *r, const struct compare_vary *vary, char *err, size_t errlen)
{
	unsigned with_metric = 0;
	for (unsigned i = 0; i < r->nrows; i++) {
		struct compare_row *row = &r->rows[i];
		row_label(r, vary, row, row->label, sizeof row->label);
		if (analyze(r, row)) {
			snprintf(err, errlen, "out of memory");
			return -ENOMEM;
		}
		r->counts[row->verdict]++;
		with_metric += row->verdict != CMP_NO_DATA;
	}
	if (r->opts.metric && !with_metric) {
		snprintf(err, errlen, "--metric %s: no matched cell records this metric (see a repetition in %s)",
		         r->opts.metric, r->base->path);
		return -EINVAL;
	}
	return 0;
}

/* Match the cells: keys, duplicates refused, rows, at least one. 0, or -errno with err. */
static int match_files(struct compare_result *r, struct matching *m, char *err, size_t errlen)
{
	if (matching_new(r, m)) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	if (find_duplicates(r->base, m->kb, &r->opts, err, errlen) || find_duplicates(r->new, m->kn, &r->opts, err, errlen))
		return -EINVAL;
	match_cells(r, m);
	if (!r->nrows) {
		snprintf(err, errlen, "no cell of %s matches a cell of %s (cells match by workload, driver, workers, "
		         "pin and knobs; --ignore-knob NAME leaves a knob out)", r->new->path, r->base->path);
		return -EINVAL;
	}
	return 0;
}

int compare_files(const struct results_file *base, const struct results_file *new, const struct compare_opts *o,
                  struct compare_result *r, char *err, size_t errlen)
{
	struct matching m = { 0 };
	memset(r, 0, sizeof *r);
	r->base = base;
	r->new = new;
	r->opts = *o;
	r->min_reps_needed = o->pairing ? paired_min_pairs(compare_test_alpha(o)) : compare_min_reps(o->alpha);
	int rc = match_files(r, &m, err, errlen);
	if (!rc)
		rc = check_direction(r, err, errlen);
	if (!rc && (unmatched_labels(m.vary, base, m.matched[0], r->only_base, &r->nonly_base) ||
	            unmatched_labels(m.vary, new, m.matched[1], r->only_new, &r->nonly_new))) {
		snprintf(err, errlen, "out of memory");
		rc = -ENOMEM;
	}
	if (!rc)
		rc = analyze_rows(r, m.vary, err, errlen);
	if (!rc && geomean(r)) {
		snprintf(err, errlen, "out of memory");
		rc = -ENOMEM;
	}
	if (!rc)
		check_machines(r);
	matching_free(r, &m);
	if (rc)
		compare_result_free(r);
	return rc;
}

void compare_result_free(struct compare_result *r)
{
	for (unsigned i = 0; r->rows && i < r->nrows; i++) {
		free(r->rows[i].xbase);
		free(r->rows[i].xnew);
	}
	for (unsigned i = 0; r->only_base && i < r->nonly_base; i++)
		free(r->only_base[i]);
	for (unsigned i = 0; r->only_new && i < r->nonly_new; i++)
		free(r->only_new[i]);
	free(r->rows);
	free(r->only_base);
	free(r->only_new);
	memset(r, 0, sizeof *r);
}

int compare_row_flagged(const struct compare_result *r, const struct compare_row *row)
{
	unsigned f = r->opts.fail_on;
	return ((f & COMPARE_FAIL_REGRESSION) && (row->verdict == CMP_REGRESSION || row->verdict == CMP_FAILED_NEW)) ||
	       ((f & COMPARE_FAIL_IMPROVEMENT) && row->verdict == CMP_IMPROVEMENT);
}

/* Rows whose metric the baseline records and the new run does not: nothing to judge, and
 * not a pass either (a new build that stops recording the metric must not go green). */
static unsigned compare_lost_in_new(const struct compare_result *r)
{
	unsigned k = 0;
	for (unsigned i = 0; i < r->nrows; i++)
		k += r->rows[i].verdict == CMP_NO_DATA && r->rows[i].nbase > 0;
	return k;
}

int compare_exit_code(const struct compare_result *r)
{
	for (unsigned i = 0; i < r->nrows; i++)
		if (compare_row_flagged(r, &r->rows[i]))
			return COMPARE_EXIT_REGRESSION;
	if ((r->opts.fail_on & COMPARE_FAIL_UNSTABLE) && r->counts[CMP_UNSTABLE])
		return COMPARE_EXIT_UNSTABLE;
	if ((r->opts.fail_on & COMPARE_FAIL_TOO_FEW) && (r->counts[CMP_TOO_FEW] || compare_lost_in_new(r)))
		return COMPARE_EXIT_TOO_FEW;
	return 0;
}

void compare_warn_verdicts(const char *cmd, const struct compare_result *r)
{
	char diff[sizeof r->machine_diff];
	const char *unit = r->opts.pairing ? "pairs" : "repetitions per run";
	if (r->machine_diff[0])
		log_warn(cmd, "the machines differ: %s", esc_term(diff, sizeof diff, r->machine_diff));
	if (r->counts[CMP_UNSTABLE])
		log_warn(cmd, "%u cell(s) unstable: no verdict (exit %d unless --fail-on leaves out unstable)",
		         r->counts[CMP_UNSTABLE], COMPARE_EXIT_UNSTABLE);
	if (r->counts[CMP_TOO_FEW])
		log_warn(cmd, "%u cell(s) have too few %s for p < %g: use at least %u (exit %d unless --fail-on leaves "
		         "out too-few)", r->counts[CMP_TOO_FEW], unit, compare_test_alpha(&r->opts), r->min_reps_needed,
		         COMPARE_EXIT_TOO_FEW);
	unsigned lost = compare_lost_in_new(r);
	if (lost)
		log_warn(cmd, "%u cell(s) record their metric in the baseline but not in the new run: nothing to judge "
		         "(exit %d unless --fail-on leaves out too-few)", lost, COMPARE_EXIT_TOO_FEW);
}
