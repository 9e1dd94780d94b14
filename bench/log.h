/* log: the one error-message format of bench.
 *   bench: <module>: <what> failed: <strerror>      (log_errno)
 *   bench: <module>: <message>                      (log_err)
 * Workers never print; they record an error in their slot (task_fail). */
#ifndef BENCH_LOG_H
#define BENCH_LOG_H

#include <stdarg.h>

void log_err(const char *module, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void log_errno(const char *module, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void log_warn(const char *module, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Progress/info lines to stderr; silenced by log_quiet = 1. */
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
extern int log_quiet;

/* Exit codes used by every command. */
enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2, EXIT_SIGINT = 130, EXIT_SIGTERM = 143 };

#endif
