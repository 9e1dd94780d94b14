/* rep_proto: encode and decode the line of `bench rep` (see rep_proto.h). */
#define _GNU_SOURCE
#include "bench/store/rep_proto.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/store/escape.h"

char *rep_proto_encode(const char *cell_json, const char *version, const char *git)
{
	json_error_t e;
	json_t *cell = json_loads(cell_json, 0, &e), *id = json_object();
	json_t *reps = json_object_get(cell, "reps");
	if (!cell || !json_is_object(cell) || !id) {
		json_decref(cell);
		json_decref(id);
		return NULL;
	}
	static const char *const keys[] = { "workload", "driver", "workers", "pin", "placement",
		                             "knobs", "primary", "status", "error" };
	for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) {
		json_t *v = json_object_get(cell, keys[i]);
		json_object_set(id, keys[i], v ? v : json_null());
	}
	size_t n = json_array_size(reps);
	json_t *msg = json_pack("{s:i,s:{s:s,s:s},s:o,s:I,s:O}", "protocol", REP_PROTOCOL, "bench", "version", version,
	                        "git", git, "cell", id, "warmups",
	                        (json_int_t)json_array_size(json_object_get(cell, "warmups")), "rep",
	                        n ? json_array_get(reps, n - 1) : json_null());
	char *s = msg ? json_dumps(msg, JSON_COMPACT | JSON_REAL_PRECISION(12)) : NULL;
	json_decref(msg);
	json_decref(cell);
	return s;
}

/* The string at key of o into buf (a name when name is set); 0, or -EINVAL with err. */
static int get_str(json_t *o, const char *key, int name, char *buf, size_t len, char *err, size_t errlen)
{
	json_t *v = json_object_get(o, key);
	const char *s = json_string_value(v);
	if (!s || strlen(s) >= len || (name && !esc_name_ok(s))) {
		snprintf(err, errlen, "the rep line's %s is %s", key, !s ? "missing or not a string" : "not a valid name");
		return -EINVAL;
	}
	snprintf(buf, len, "%s", s);
	return 0;
}

/* A non-negative finite number of r, else 0. */
static double nonneg(json_t *r, const char *key)
{
	double v = json_number_value(json_object_get(r, key));
	return isfinite(v) && v > 0 ? v : 0;
}

/* The interference figures of repetition r (interference_alike's input) and its PUs. */
static void get_noise(json_t *r, struct rep_msg *m)
{
	m->wall_s = nonneg(r, "wall_s");
	m->steal_s = nonneg(r, "steal_s");
	m->other_load_pu_cores = nonneg(r, "other_load_pu_cores");
	m->run_delay_s = nonneg(r, "run_delay_s");
	m->helper_cpu_s = nonneg(r, "helper_cpu_s");
	unsigned char seen[4096 / 8] = { 0 };
	json_t *x;
	size_t i;
	m->npus = 0;
	json_array_foreach(json_object_get(r, "bound_pu"), i, x) {
		json_int_t pu = json_integer_value(x);
		if (!json_is_integer(x) || pu < 0 || pu >= 4096) {
			m->npus = 0; /* an unbound worker (every PU), or a PU past what we count */
			break;
		}
		m->npus += !(seen[pu / 8] & (1u << (pu % 8)));
		seen[pu / 8] |= (unsigned char)(1u << (pu % 8));
	}
}

/* The repetition object r: its JSON, ok, disturbed, and the value of the primary metric. */
static int get_rep(json_t *r, struct rep_msg *m, char *err, size_t errlen)
{
	if (json_is_null(r) || !r)
		return 0;
	if (!json_is_object(r)) {
		snprintf(err, errlen, "the rep line's rep is not an object");
		return -EINVAL;
	}
	m->rep_json = json_dumps(r, JSON_COMPACT | JSON_REAL_PRECISION(17));
	if (!m->rep_json) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	const char *st = json_string_value(json_object_get(r, "status"));
	m->rep_ok = st && !strcmp(st, "ok");
	m->disturbed = json_is_true(json_object_get(r, "disturbed"));
	const char *by = json_string_value(json_object_get(r, "disturbed_by"));
	char t[128];
	snprintf(m->disturbed_by, sizeof m->disturbed_by, "%s", by ? esc_term(t, sizeof t, by) : "");
	json_t *v = json_object_get(r, m->metric);
	m->value = json_is_number(v) ? json_number_value(v) : NAN;
	get_noise(r, m);
	return 0;
}

/* The cell identity and the bench of a message. */
static int get_cell(json_t *root, struct rep_msg *m, char *err, size_t errlen)
{
	json_t *b = json_object_get(root, "bench"), *c = json_object_get(root, "cell");
	json_t *w = json_object_get(c, "workers"), *e = json_object_get(c, "error");
	char t[300];
	if (!json_is_object(b) || !json_is_object(c)) {
		snprintf(err, errlen, "the rep line has no %s object", json_is_object(b) ? "cell" : "bench");
		return -EINVAL;
	}
	if (get_str(b, "version", 0, m->version, sizeof m->version, err, errlen) ||
	    get_str(b, "git", 0, m->git, sizeof m->git, err, errlen) ||
	    get_str(c, "workload", 1, m->workload, sizeof m->workload, err, errlen) ||
	    get_str(c, "driver", 1, m->driver, sizeof m->driver, err, errlen) ||
	    get_str(c, "status", 1, m->status, sizeof m->status, err, errlen) ||
	    get_str(json_object_get(c, "primary"), "metric", 1, m->metric, sizeof m->metric, err, errlen))
		return -EINVAL;
	if (!json_is_integer(w) || json_integer_value(w) < 1 || json_integer_value(w) > 1 << 20) {
		snprintf(err, errlen, "the rep line's workers is not a worker count");
		return -EINVAL;
	}
	m->workers = (unsigned)json_integer_value(w);
	snprintf(m->error, sizeof m->error, "%s", json_is_string(e) ? esc_term(t, sizeof t, json_string_value(e)) : "");
	return 0;
}

int rep_proto_decode(const char *line, struct rep_msg *m, char *err, size_t errlen)
{
	json_error_t e;
	memset(m, 0, sizeof *m);
	m->value = NAN;
	json_t *root = json_loads(line, 0, &e);
	json_t *p = json_object_get(root, "protocol");
	int rc = -EINVAL;
	if (!json_is_object(root))
		snprintf(err, errlen, "the rep line is not a JSON object");
	else if (!json_is_integer(p))
		snprintf(err, errlen, "the rep line has no protocol number");
	else if ((m->protocol = (int)json_integer_value(p)) != REP_PROTOCOL) {
		snprintf(err, errlen, "the rep line speaks protocol %d, this bench speaks %d", m->protocol, REP_PROTOCOL);
		rc = -EPROTO;
	} else if (!(rc = get_cell(root, m, err, errlen)))
		rc = get_rep(json_object_get(root, "rep"), m, err, errlen);
	json_decref(root);
	return rc;
}

void rep_proto_free(struct rep_msg *m)
{
	free(m->rep_json);
	m->rep_json = NULL;
}
