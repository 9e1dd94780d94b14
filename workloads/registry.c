/* The workload table, expanded from WORKLOADS(X), and the check done at start-up. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "workloads/workload.h"

#define WORKLOAD_PTR(n) &workload_##n,
const struct workload *const workload_table[] = { WORKLOADS(WORKLOAD_PTR) };
#undef WORKLOAD_PTR
const unsigned workload_count = sizeof workload_table / sizeof workload_table[0];

const struct workload *workload_find(const char *name)
{
	for (unsigned i = 0; i < workload_count; i++)
		if (!strcmp(workload_table[i]->name, name))
			return workload_table[i];
	return NULL;
}

const char *workload_op_unit(const char *name)
{
	const struct workload *w = workload_find(name);
	return w ? w->op_unit : NULL;
}

unsigned workload_helpers(const char *name)
{
	const struct workload *w = workload_find(name);
	return w ? w->helpers : 0;
}

int workload_check(const struct workload *w, char *why, size_t len)
{
	const char *name = w->name ? w->name : "?";
	if (w->version != WORKLOAD_API_VERSION) {
		snprintf(why, len, "workload %s: API version %d, bench expects %d", name, w->version,
		         WORKLOAD_API_VERSION);
		return -EINVAL;
	}
	if (!w->name || !*w->name || strchr(w->name, '_') || strchr(w->name, ' ')) {
		snprintf(why, len, "workload %s: name must be non-empty, with dashes, no spaces", name);
		return -EINVAL;
	}
	const char *miss = !w->summary ? "summary" : !w->run ? "run" : !w->primary_metric ? "primary_metric"
	                   : !w->op_unit || !*w->op_unit ? "op_unit" : NULL;
	if (miss) {
		snprintf(why, len, "workload %s: missing %s", name, miss);
		return -EINVAL;
	}
	if (w->min_workers < 1) {
		snprintf(why, len, "workload %s: min_workers must be at least 1", name);
		return -EINVAL;
	}
	for (const struct knob *k = w->knobs; k && k->name; k++) {
		struct knobval v;
		char err[160];
		if (opt_parse_value(k, k->def, &v, err, sizeof err)) {
			snprintf(why, len, "workload %s: bad default: %s", name, err);
			return -EINVAL;
		}
		if (!k->help) {
			snprintf(why, len, "workload %s: knob %s has no help", name, k->name);
			return -EINVAL;
		}
	}
	return 0;
}
