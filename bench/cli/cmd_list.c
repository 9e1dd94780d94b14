/* bench list: workloads and drivers, their knobs, and why one is unavailable. */
#include <stdio.h>
#include <string.h>

#include "bench/cli/cmd.h"
#include "drivers/driver.h"
#include "bench/core/log.h"
#include "bench/core/runner.h"
#include "workloads/workload.h"

int cmd_list(int argc, char **argv)
{
	if (cmd_wants_help(argc, argv)) {
		printf("usage: bench list\n\nLists every workload and driver with its -O knobs (default, range,\n"
		       "meaning). A driver that cannot run here is listed with the reason.\n");
		return EXIT_OK;
	}
	if (argc > 1) {
		log_err("list", "unexpected argument '%s'", argv[1]);
		return EXIT_USAGE;
	}
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
