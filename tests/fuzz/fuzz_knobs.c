/* Fuzz target: the knob parser (-O name=v1,v2 against every knob table), --pin policies and
 * strict numbers. Built as a libFuzzer target with -DBENCH_FUZZ=ON (clang), and as a plain
 * replay test (replay.c) in every build, over the corpus and past crashes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tests/fuzz/fuzz.h"
#include "drivers/driver.h"
#include "bench/core/opt.h"
#include "bench/core/runner.h"
#include "bench/machine/topo.h"
#include "workloads/workload.h"

static void try_table(const struct knob *table, const struct knob_assign *a)
{
	const struct knob *k = opt_find(table, a->name);
	char err[256];
	if (!k)
		return;
	for (unsigned v = 0; v < a->nvals; v++) {
		struct knobval kv;
		if (opt_parse_value(k, a->vals[v], &kv, err, sizeof err) == 0 && k->type == KNOB_ENUM) {
			char buf[64];
			if (!opt_choice(k, kv.choice, buf, sizeof buf))
				abort(); /* a parsed choice must exist */
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), err[300];
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = 0;
	struct knob_assign a;
	if (opt_split_assign(s, &a, err, sizeof err) == 0) {
		if (!a.name[0] || a.nvals == 0 || a.nvals > OPT_SWEEP_MAX)
			abort();
		for (unsigned i = 0; i < workload_count; i++)
			try_table(workload_table[i]->knobs, &a);
		for (unsigned i = 0; i < driver_count; i++)
			try_table(driver_table[i]->knobs, &a);
		try_table(runner_knobs, &a);
	}
	struct topo_policy p;
	if (topo_parse_policy(s, &p, err, sizeof err) == 0) {
		int pus[8];
		if (topo_place(&p, 8, pus))
			abort();
	}
	uint64_t u;
	double d;
	opt_parse_u64(s, 0, UINT64_MAX, &u);
	opt_parse_double(s, -1e300, 1e300, &d);
	free(s);
	return 0;
}
