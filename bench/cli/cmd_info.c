/* bench info: the machine description; --json prints the object embedded in results files. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "bench/cli/cmd.h"
#include "bench/core/log.h"
#include "bench/machine/machine.h"
#include "bench/store/results.h"

int cmd_info(int argc, char **argv)
{
	static const struct option lo[] = { { "json", no_argument, 0, 'j' }, { "help", no_argument, 0, 'h' }, { 0 } };
	int json = 0, c;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case 'j': json = 1; break;
		case 'h':
			printf("usage: bench info [--json]\n\nDescribes this machine: CPU (libcpuid), topology and caches\n"
			       "(hwloc), kernel, frequency governor, SMT, ASLR, cgroup CPU quota, hypervisor,\n"
			       "compiler, build type and git revision of bench. --json prints the same object\n"
			       "that every results file embeds as \"machine\".\n");
			return EXIT_OK;
		default:
			log_err("info", "unknown option '%s' (see bench info --help)", argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		log_err("info", "unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	struct machine m;
	machine_describe(&m);
	if (json) {
		char *s = results_machine_json(&m);
		if (!s)
			return EXIT_FAIL;
		puts(s);
		free(s);
	} else {
		machine_print(&m);
	}
	return EXIT_OK;
}
