/* bench list: workloads and drivers, their knobs, and why one is unavailable. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/cli/cmd.h"
#include "drivers/driver.h"
#include "bench/core/log.h"
#include "bench/core/runner.h"
#include "bench/store/catalog.h"
#include "workloads/workload.h"

/* --json: the catalogue (bench/store/catalog.h). 0, or EXIT_FAIL when out of memory. */
static int list_json(void)
{
	char *s = catalog_json();
	if (!s) {
		log_err("list", "cannot build the JSON catalogue: out of memory");
		return EXIT_FAIL;
	}
	printf("%s\n", s);
	free(s);
	return EXIT_OK;
}

int cmd_list(int argc, char **argv)
{
	static const struct option lo[] = { { "json", no_argument, 0, 'j' }, { "help", no_argument, 0, 'h' }, { 0 } };
	int json = 0, c;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case 'j': json = 1; break;
		case 'h':
			printf("usage: bench list [--json]\n\nLists every workload and driver with its -O knobs (default, range,\n"
			       "meaning). A driver that cannot run here is listed with the reason.\n"
			       "--json prints the same catalogue as one JSON object: workloads (name, summary,\n"
			       "primary_metric, op_unit, better, min_workers, knobs), drivers (name, summary,\n"
			       "available, unavailable_reason, knobs) and harness_knobs; a knob is {name, type,\n"
			       "default, help, min/max or choices}.\n");
			return EXIT_OK;
		default:
			log_err("list", "unknown option '%s' (see bench list --help)", argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		log_err("list", "unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	if (json)
		return list_json();
	printf("workloads:\n");
	for (unsigned i = 0; i < workload_count; i++) {
		const struct workload *w = workload_table[i];
		printf("  %-18s %s (primary metric: %s, %s is better; min workers %u)\n", w->name, w->summary,
		       w->primary_metric, w->higher_is_better ? "higher" : "lower", w->min_workers);
		opt_print_table(w->knobs, "      ");
	}
	printf("\ndrivers:\n");
	for (unsigned i = 0; i < driver_count; i++) {
		const struct driver_ops *d = driver_table[i];
		printf("  %-18s %s%s%s\n", d->name, d->summary, d->unsupported ? "  [unavailable: " : "",
		       d->unsupported ? d->unsupported : "");
		if (d->unsupported)
			printf("]\n");
		opt_print_table(d->knobs, "      ");
	}
	printf("\nharness knobs (every workload and driver):\n");
	opt_print_table(runner_knobs, "      ");
	return EXIT_OK;
}
