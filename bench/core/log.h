/* log: the one error-message format of bench.
 *   bench: <module>: <what> failed: <strerror>      (log_errno)
 *   bench: <module>: <message>                      (log_err)
 * Workers never print; they record an error in their slot (task_fail). */
#ifndef BENCH_LOG_H
#define BENCH_LOG_H

#include <stdarg.h>
#include <stdio.h>

void log_err(const char *module, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void log_errno(const char *module, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void log_warn(const char *module, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Where every message goes; NULL (the default) means stderr. A fuzz target points it at
 * /dev/null so that millions of rejected inputs do not flood its log. */
extern FILE *log_stream;

/* Exit codes used by every command; a command stopped by signal S (SIGINT, SIGTERM, SIGHUP,
 * SIGQUIT) after writing its partial results exits with EXIT_SIGNAL(S) = 128 + S, as a shell
 * reports a process killed by S. */
enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2, EXIT_SIGINT = 130, EXIT_SIGTERM = 143 };
#define EXIT_SIGNAL(sig) (128 + (sig))

#endif
