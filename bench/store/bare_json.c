/* bare_json: `bench bare --json` (jansson lives in the store room). */
#include <jansson.h>
#include <math.h>
#include <stdlib.h>

#include "bench/stats/stats.h"
#include "bench/store/bare_json.h"

static json_t *num(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

/* The medians, CVs and ratio of the rounds, and the time per event when the program has one. */
static void add_summary(json_t *o, const struct bare_outcome *x)
{
	struct stats_summary sb, sh;
	if (!x->rounds || stats_summarize(x->bare, x->rounds, &sb) || stats_summarize(x->harness, x->rounds, &sh))
		return;
	json_object_set_new(o, "median_bare", num(sb.median));
	json_object_set_new(o, "cv_bare", num(sb.cv));
	json_object_set_new(o, "median_harness", num(sh.median));
	json_object_set_new(o, "cv_harness", num(sh.cv));
	json_object_set_new(o, "ratio", num(sh.median / sb.median));
	if (x->b->event && sb.median > 0 && sh.median > 0) {
		json_object_set_new(o, "event", json_string(x->b->event));
		json_object_set_new(o, "ns_per_event_bare", num(1e9 / (sb.median * x->b->per_unit)));
		json_object_set_new(o, "ns_per_event_harness", num(1e9 / (sh.median * x->b->per_unit)));
	}
}

static json_t *outcome_json(const struct bare_outcome *x)
{
	const struct bare *b = x->b;
	json_t *knobs = json_array(), *rounds = json_array();
	for (unsigned k = 0; k < 6 && b->knobs[k]; k++)
		json_array_append_new(knobs, json_string(b->knobs[k]));
	for (unsigned r = 0; r < x->rounds; r++)
		json_array_append_new(rounds, json_pack("{s:o, s:o, s:o}", "bare", num(x->bare[r]), "harness",
		                                        num(x->harness[r]), "ratio", num(x->harness[r] / x->bare[r])));
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:i, s:s, s:o, s:b, s:s, s:s?, s:o}", "name", b->name,
	                      "summary", b->summary, "unit", b->unit, "workload", b->workload, "driver", b->driver,
	                      "workers", (int)b->workers, "pin", b->pin, "knobs", knobs, "higher_is_better",
	                      b->higher_is_better, "status", x->error ? "failed" : "ok", "error", x->error,
	                      "rounds", rounds);
	if (o)
		add_summary(o, x);
	return o;
}

char *bare_json(const struct bare_outcome *o, unsigned n)
{
	json_t *a = json_array();
	for (unsigned i = 0; a && i < n; i++)
		if (json_array_append_new(a, outcome_json(&o[i]))) {
			json_decref(a);
			return NULL;
		}
	json_t *root = a ? json_pack("{s:o}", "bare", a) : NULL;
	char *s = root ? json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
	json_decref(root);
	return s;
}
