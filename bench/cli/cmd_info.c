/* bench info: the machine description; --json prints the object embedded in results files. */
#include <stdio.h>
#include <stdlib.h>

#include "bench/cli/cmd.h"
#include "bench/core/log.h"
#include "bench/machine/machine.h"
#include "bench/store/results.h"

int cmd_info(int argc, char **argv)
{
	int json, rc = cmd_json_only("info", argc, argv,
	                             "usage: bench info [--json]\n\nDescribes this machine: CPU (libcpuid), topology and caches\n"
	                             "(hwloc), kernel, frequency governor, SMT, ASLR, cgroup CPU quota, hypervisor,\n"
	                             "compiler, build type and git revision of bench. --json prints the same object\n"
	                             "that every results file embeds as \"machine\".\n", &json);
	if (rc >= 0)
		return rc;
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
