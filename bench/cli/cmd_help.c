/* cmd_help: what every command shares about --help (see cmd.h). In the library, not in
 * main.c, so that anything linking a command (the tests, the fuzz targets) has it too. */
#include <string.h>

#include "bench/cli/cmd.h"

int cmd_wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			return 1;
	return 0;
}
