/* log: one message format for all of bench (see log.h). */
#include "bench/core/log.h"

#include <stdio.h>
#include <string.h>

FILE *log_stream;

static void vlog(const char *prefix, const char *module, const char *fmt, va_list ap)
{
	char buf[1024];
	vsnprintf(buf, sizeof buf, fmt, ap);
	fprintf(log_stream ? log_stream : stderr, "bench: %s%s%s%s\n", prefix, module ? module : "", module ? ": " : "", buf);
}

void log_err(const char *module, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog("", module, fmt, ap);
	va_end(ap);
}

void log_warn(const char *module, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog("warning: ", module, fmt, ap);
	va_end(ap);
}

void log_errno(const char *module, int err, const char *fmt, ...)
{
	char buf[768];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (err < 0)
		err = -err;
	fprintf(log_stream ? log_stream : stderr, "bench: %s: %s failed: %s\n", module, buf, strerror(err));
}

