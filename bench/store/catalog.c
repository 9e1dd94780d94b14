/* catalog: the workload and driver tables as JSON (jansson lives in the store room). */
#include <jansson.h>
#include <stdlib.h>

#include "bench/core/opt.h"
#include "bench/core/runner.h"
#include "bench/store/catalog.h"
#include "drivers/driver.h"
#include "workloads/workload.h"

static const char *knob_type_name(enum knob_type t)
{
	switch (t) {
	case KNOB_INT: return "int";
	case KNOB_DOUBLE: return "real";
	case KNOB_BOOL: return "bool";
	case KNOB_ENUM: return "enum";
	case KNOB_TEXT: return "word";
	}
	return "unknown";
}

/* A knob table as an array of {name, type, default, min, max | choices, help}. */
static json_t *knobs_json(const struct knob *table)
{
	json_t *a = json_array();
	for (const struct knob *k = table; a && k && k->name; k++) {
		json_t *o = json_pack("{s:s, s:s, s:s, s:s}", "name", k->name, "type", knob_type_name(k->type),
		                      "default", k->def, "help", k->help);
		if (o && (k->type == KNOB_INT || k->type == KNOB_DOUBLE)) {
			json_object_set_new(o, "min", json_real(k->min));
			json_object_set_new(o, "max", json_real(k->max));
		} else if (o && k->type == KNOB_ENUM)
			json_object_set_new(o, "choices", json_string(k->choices));
		if (!o || json_array_append_new(a, o)) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

static json_t *workload_json(const struct workload *w)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:i, s:o*}", "name", w->name, "summary", w->summary,
	                 "primary_metric", w->primary_metric, "op_unit", w->op_unit ? w->op_unit : "ops",
	                 "better", w->higher_is_better ? "higher" : "lower", "min_workers", (int)w->min_workers,
	                 "knobs", knobs_json(w->knobs));
}

static json_t *driver_json(const struct driver_ops *d)
{
	return json_pack("{s:s, s:s, s:b, s:s*, s:o*}", "name", d->name, "summary", d->summary,
	                 "available", !d->unsupported, "unavailable_reason", d->unsupported,
	                 "knobs", knobs_json(d->knobs));
}

char *catalog_json(void)
{
	json_t *root = json_pack("{s:[], s:[], s:o*}", "workloads", "drivers", "harness_knobs", knobs_json(runner_knobs));
	char *s = NULL;
	for (unsigned i = 0; root && i < workload_count; i++)
		if (json_array_append_new(json_object_get(root, "workloads"), workload_json(workload_table[i])))
			goto out;
	for (unsigned i = 0; root && i < driver_count; i++)
		if (json_array_append_new(json_object_get(root, "drivers"), driver_json(driver_table[i])))
			goto out;
	s = root ? json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
out:
	json_decref(root);
	return s;
}
