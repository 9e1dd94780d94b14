/* bench: measures how threads, processes, coroutines and a simulated GIL behave on the same
 * work. main() only dispatches to the subcommand table in cmd.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

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

/* The first error of a flush by cmd_stdout_flush() (glibc may drop the data it could not
 * write, and then the last flush succeeds with nothing left to say why). */
static int stdout_errno;

void cmd_stdout_flush(void)
{
	if (fflush(stdout) != EOF)
		return;
	if (errno != EPIPE) {
		stdout_errno = stdout_errno ? stdout_errno : errno;
		return;
	}
	int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	dup2(fd, STDOUT_FILENO); /* the buffered rest goes there too */
	close(fd);
	clearerr(stdout);
}

/* After the command: everything it printed must have reached stdout. */
static int check_stdout(const char *cmd, int rc)
{
	int err = stdout_errno;
	if (fflush(stdout) == EOF && !err)
		err = errno;
	if (ferror(stdout) && !err)
		err = EIO; /* a write failed earlier and glibc dropped what it could not write */
	if (fclose(stdout) == EOF && !err)
		err = errno;
	if (!err)
		return rc;
	log_err(cmd, "write to stdout failed: %s", strerror(err));
	return rc ? rc : EXIT_FAIL;
}

static int dispatch(int argc, char **argv, const char **name)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
		if (argc > 2 && !strcmp(argv[1], "help")) {
			char *hargv[] = { argv[2], "--help", NULL };
			for (unsigned i = 0; i < cmd_count; i++)
				if (!strcmp(cmd_table[i].name, argv[2])) {
					*name = cmd_table[i].name;
					return cmd_table[i].fn(2, hargv);
				}
			log_err(NULL, "help: unknown command '%s' (see bench --help)", argv[2]);
			return EXIT_USAGE;
		}
		usage(stdout);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("bench %s\n", BENCH_VERSION);
		return EXIT_OK;
	}
	for (unsigned i = 0; i < cmd_count; i++)
		if (!strcmp(cmd_table[i].name, argv[1])) {
			*name = cmd_table[i].name;
			return cmd_table[i].fn(argc - 1, argv + 1);
		}
	log_err(NULL, "unknown command '%s' (see bench --help)", argv[1]);
	return EXIT_USAGE;
}

int main(int argc, char **argv)
{
	const char *name = NULL;
	int rc = dispatch(argc, argv, &name);
	return check_stdout(name, rc);
}
