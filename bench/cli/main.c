/* bench: measures how threads, processes, coroutines and a simulated GIL behave on the same
 * work. main() only dispatches to the subcommand table in cmd.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bench/cli/cmd.h"
#include "bench/core/log.h"

#define CMD_ENTRY(n, s) { #n, cmd_##n, s },
const struct cmd cmd_table[] = { CMDS(CMD_ENTRY) };
#undef CMD_ENTRY
const unsigned cmd_count = sizeof cmd_table / sizeof cmd_table[0];

static void usage(FILE *f)
{
	fprintf(f, "usage: bench <command> [options]\n\n"
	           "Measures threads, processes, coroutines and a simulated GIL on the same work.\n\n"
	           "commands:\n");
	for (unsigned i = 0; i < cmd_count; i++)
		fprintf(f, "  %-9s %s\n", cmd_table[i].name, cmd_table[i].summary);
	fprintf(f, "\noptions:\n"
	           "  --help    this text ('bench help <command>' or 'bench <command> --help': one command)\n"
	           "  --version the version of bench\n"
	           "\nBenchmarks, results schema and the CI recipe: BENCHMARKS.md (man bench: every command's help).\n");
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

/* Old names kept for one release: `bench baseline` is `bench bare` (a "baseline" is now only
 * the reference results file of `run --baseline` and `compare`). */
static const struct { const char *old, *now; } cmd_aliases[] = { { "baseline", "bare" } };

/* The command called `name` (or its alias, with a note on stderr); NULL if none. */
static const struct cmd *cmd_find(const char *name)
{
	for (unsigned i = 0; i < sizeof cmd_aliases / sizeof cmd_aliases[0]; i++)
		if (!strcmp(name, cmd_aliases[i].old)) {
			fprintf(stderr, "bench: '%s' is now 'bench %s' (the old name goes in the next release)\n",
			        name, cmd_aliases[i].now);
			name = cmd_aliases[i].now;
		}
	for (unsigned i = 0; i < cmd_count; i++)
		if (!strcmp(cmd_table[i].name, name))
			return &cmd_table[i];
	return NULL;
}

static int dispatch(int argc, char **argv, const char **name)
{
	const struct cmd *c;
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
		if (argc > 2 && !strcmp(argv[1], "help")) {
			char *hargv[] = { argv[2], "--help", NULL };
			if ((c = cmd_find(argv[2]))) {
				*name = c->name;
				return c->fn(2, hargv);
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
	if ((c = cmd_find(argv[1]))) {
		*name = c->name;
		return c->fn(argc - 1, argv + 1);
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
