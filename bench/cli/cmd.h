/* cmd: the subcommand table (git.c / perf.c style). One file per command: cmd_<name>.c. */
#ifndef BENCH_CMD_H
#define BENCH_CMD_H

struct cmd {
	const char *name;
	int (*fn)(int argc, char **argv);  /* argv[0] is the command name; returns the exit code */
	const char *summary;
};

#define CMDS(X) \
	X(list, "list workloads and drivers, their knobs, and why one is unavailable") \
	X(info, "describe this machine (libcpuid + hwloc + system); --json for the results object") \
	X(run, "run benchmarks and write a results JSON file (--dry-run: the plan, nothing run)") \
	X(bare, "compare a harness cell with the same work in bare C, in one run") \
	X(compare, "compare two results files: significant regressions, beyond noise") \
	X(rep, "run one repetition of one cell and print it as JSON (the protocol of bench ab)") \
	X(ab, "interleaved A/B of two bench binaries in one job: paired verdicts that load changes cannot fake") \
	X(export, "export a results file for CI dashboards (github-action-benchmark), as Markdown or CSV") \
	X(plot, "draw figures from a results file with gnuplot (or the change between two)") \
	X(report, "write report.md: machine, figures, results tables, the tutorials' claims tested") \
	X(store, "the results history database: import results files (bench run records each run)") \
	X(history, "a cell's metric over the runs of the history, its change points; --check for CI")

#define CMD_DECL(n, s) int cmd_##n(int argc, char **argv);
CMDS(CMD_DECL)
#undef CMD_DECL

extern const struct cmd cmd_table[];
extern const unsigned cmd_count;

/* Shared by the commands: true if argv has -h/--help before "--". */
int cmd_wants_help(int argc, char **argv);
/* The options of a command whose only option is --json (and --help, which prints help):
 * -1 to go on (*json set), or the exit status to return now (EXIT_OK after the help,
 * EXIT_USAGE after a one-line error naming cmd). */
int cmd_json_only(const char *cmd, int argc, char **argv, const char *help, int *json);

/* stdout. main() checks it once for every command: after the command returns, a failed
 * write, flush or close of stdout prints one line, "bench: <cmd>: write to stdout failed:
 * <reason>", and makes the exit status 1 (EXIT_FAIL) unless the command already returned a
 * failure code of its own (2, 130, ...), which is kept.
 * cmd_stdout_flush(): for commands that run for long and print as they go (run, baseline),
 * which ignore SIGPIPE: flush stdout, and if its reader has gone away (EPIPE: `bench run |
 * head -1`) send the rest of the output to /dev/null, so that the command finishes its work
 * and writes its results file; a reader that left is not a failure. Other errors stay for
 * main() to report. */
void cmd_stdout_flush(void);

#endif
