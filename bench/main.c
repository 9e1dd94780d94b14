/* bench: measures how threads, processes, coroutines and a simulated GIL behave on the same
 * work. main() only dispatches to the subcommand table in cmd.h. */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "log.h"

#define CMD_ENTRY(n, s) { #n, cmd_##n, s },
const struct cmd cmd_table[] = { CMDS(CMD_ENTRY) };
#undef CMD_ENTRY
const unsigned cmd_count = sizeof cmd_table / sizeof cmd_table[0];

int cmd_wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			return 1;
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: bench <command> [options]\n\n"
	           "Measures threads, processes, coroutines and a simulated GIL on the same work.\n\n"
	           "commands:\n");
	for (unsigned i = 0; i < cmd_count; i++)
		fprintf(f, "  %-9s %s\n", cmd_table[i].name, cmd_table[i].summary);
	fprintf(f, "\n'bench <command> --help' describes one command. Benchmarks: BENCHMARKS.md.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
		if (argc > 2 && strcmp(argv[1], "help") == 0) {
			char *hargv[] = { argv[2], "--help", NULL };
			for (unsigned i = 0; i < cmd_count; i++)
				if (!strcmp(cmd_table[i].name, argv[2]))
					return cmd_table[i].fn(2, hargv);
		}
		usage(stdout);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("bench %s\n", BENCH_VERSION);
		return EXIT_OK;
	}
	for (unsigned i = 0; i < cmd_count; i++)
		if (!strcmp(cmd_table[i].name, argv[1]))
			return cmd_table[i].fn(argc - 1, argv + 1);
	log_err(NULL, "unknown command '%s' (see bench --help)", argv[1]);
	return EXIT_USAGE;
}
