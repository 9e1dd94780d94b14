/* bare_json: the outcome of `bench bare` as JSON (`bench bare --json`), for scripts and CI. */
#ifndef BENCH_BARE_JSON_H
#define BENCH_BARE_JSON_H

#include "bench/bare/bare.h"

/* One bare program's rounds: bare[i] and harness[i] of round i (rounds done; a failed round
 * ends the list), error NULL when every round ran. */
struct bare_outcome {
	const struct bare *b;
	unsigned rounds;
	const double *bare, *harness;
	const char *error;
};

/* {"bare": [ {name, summary, unit, workload, driver, workers, pin, knobs, higher_is_better,
 * status, error, rounds: [{bare, harness, ratio}], median_bare, cv_bare, median_harness,
 * cv_harness, ratio (harness/bare medians), event, ns_per_event_bare/_harness} ]}
 * as indented text (caller frees), or NULL when out of memory. */
char *bare_json(const struct bare_outcome *o, unsigned n);

#endif
