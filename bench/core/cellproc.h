/* cellproc: the cell-process supervisor. bench runs each cell in a forked "cell process" (its
 * own process group, killed if bench dies) that writes one line per repetition to a pipe.
 * bench reads those lines under a watchdog, then reaps the process, kills whatever is left of
 * its group and reaps the orphans (bench is a child subreaper, so worker processes orphaned
 * by a dead cell process come back to it). What the lines mean is the runner's business. */
#ifndef BENCH_CELLPROC_H
#define BENCH_CELLPROC_H

#include <signal.h>
#include <stddef.h>

/* In the cell process: run the cell, writing '\n'-terminated lines to fd (the write end of
 * the pipe, close-on-exec). Returns the cell process's exit status. */
typedef int (*cellproc_body_fn)(void *arg, int fd);
/* In bench: one complete line the cell process wrote, without its '\n'. */
typedef void (*cellproc_line_fn)(void *ctx, const char *line);

struct cellproc {
	cellproc_body_fn body;
	void *body_arg;
	cellproc_line_fn line;
	void *line_ctx;
	double watchdog_s;                       /* the longest wait for the next line */
	const volatile sig_atomic_t *interrupt;  /* nonzero: abandon the cell now (a signal) */
};

/* How the cell process ended. */
struct cellproc_end {
	int interrupted;                         /* *interrupt was set: the cell was abandoned */
	int timed_out;                           /* the watchdog expired: the cell was abandoned */
	int killed;                              /* bench killed it before it was reaped */
	int status;                              /* its wait status (waitpid) */
};

/* Once per bench process: become a child subreaper. */
void cellproc_subreaper(void);
/* Fork the cell process, pass every line it writes to cp->line, reap it and everything in its
 * process group. 0 (how it ended in *end), or -errno when the cell process could not be
 * started (why says so; no line was passed). */
int cellproc_run(const struct cellproc *cp, struct cellproc_end *end, char *why, size_t len);

#endif
