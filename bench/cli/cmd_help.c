/* cmd_help: what every command shares about --help (see cmd.h). In the library, not in
 * main.c, so that anything linking a command (the tests, the fuzz targets) has it too. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "bench/cli/cmd.h"
#include "bench/core/log.h"

int cmd_wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			return 1;
	return 0;
}

int cmd_json_only(const char *cmd, int argc, char **argv, const char *help, int *json)
{
	static const struct option lo[] = { { "json", no_argument, 0, 'j' }, { "help", no_argument, 0, 'h' }, { 0 } };
	int c;
	*json = 0;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		if (c == 'j') {
			*json = 1;
		} else if (c == 'h') {
			fputs(help, stdout);
			return EXIT_OK;
		} else {
			log_err(cmd, "unknown option '%s' (see bench %s --help)", argv[optind - 1], cmd);
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		log_err(cmd, "unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	return -1;
}
