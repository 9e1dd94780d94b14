/* cellproc: the cell-process supervisor (see cellproc.h): fork, the pipe of lines and its
 * watchdog, then killing and reaping the process group and the orphans. */
#define _GNU_SOURCE
#include "bench/core/cellproc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/core/task.h"

void cellproc_subreaper(void)
{
	prctl(PR_SET_CHILD_SUBREAPER, 1);
}

/* Fork the cell process with the write end of a pipe; *rfd is the read end. The child leads
 * its own process group (so its workers can be killed as one) and dies with bench. */
static int start(const struct cellproc *cp, pid_t *pid, int *rfd, char *why, size_t len)
{
	int fds[2];
	if (pipe2(fds, O_CLOEXEC) < 0) {
		int err = errno;
		snprintf(why, len, "pipe failed");
		return -err;
	}
	fflush(NULL);
	*pid = fork();
	if (*pid < 0) {
		int err = errno;
		snprintf(why, len, "cannot fork the cell process: %s", strerror(err));
		close(fds[0]);
		close(fds[1]);
		return -err;
	}
	if (*pid == 0) {
		close(fds[0]);
		setpgid(0, 0);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		_exit(cp->body(cp->body_arg, fds[1]));
	}
	setpgid(*pid, *pid);
	close(fds[1]);
	*rfd = fds[0];
	return 0;
}

/* Bytes read from the pipe, not yet a whole line. */
struct linebuf {
	char *buf;
	size_t len, cap;
};

/* Append what fd has. >0 bytes read, -EINTR (try again), 0 at the end (end of file, a read
 * error, or no memory for the line). */
static ssize_t linebuf_read(struct linebuf *b, int fd)
{
	if (b->cap - b->len < 4096) {
		size_t cap = b->cap ? b->cap * 2 : 65536;
		char *nb = realloc(b->buf, cap);
		if (!nb)
			return 0;
		b->buf = nb;
		b->cap = cap;
	}
	ssize_t k = read(fd, b->buf + b->len, b->cap - b->len - 1);
	if (k < 0 && errno == EINTR)
		return -EINTR;
	if (k <= 0)
		return 0;
	b->len += (size_t)k;
	b->buf[b->len] = 0;
	return k;
}

/* Pass every complete line to cp->line. The number of lines passed. */
static unsigned linebuf_drain(struct linebuf *b, const struct cellproc *cp)
{
	unsigned n = 0;
	char *nl;
	while ((nl = memchr(b->buf, '\n', b->len))) {
		*nl = 0;
		cp->line(cp->line_ctx, b->buf);
		size_t used = (size_t)(nl - b->buf) + 1;
		memmove(b->buf, nl + 1, b->len - used);
		b->len -= used;
		n++;
	}
	return n;
}

/* Read lines until the cell process closes the pipe (it exited), the watchdog expires (no
 * line for cp->watchdog_s) or *cp->interrupt is set. */
static void read_lines(const struct cellproc *cp, int fd, struct cellproc_end *end)
{
	struct linebuf b = { 0 };
	uint64_t watchdog = (uint64_t)(cp->watchdog_s * 1e9);
	uint64_t deadline = task_now_ns() + watchdog;
	for (;;) {
		if (*cp->interrupt) {
			end->interrupted = 1;
			break;
		}
		if (task_now_ns() > deadline) {
			end->timed_out = 1;
			break;
		}
		struct pollfd p = { .fd = fd, .events = POLLIN };
		if (poll(&p, 1, 100) <= 0)
			continue;
		ssize_t k = linebuf_read(&b, fd);
		if (k == -EINTR)
			continue;
		if (k <= 0)
			break;
		if (linebuf_drain(&b, cp))
			deadline = task_now_ns() + watchdog;
	}
	free(b.buf);
}

/* After the cell's process group was killed: reap every descendant that was reparented to
 * us (we are a subreaper) until none is left, for at most 2 s. */
static void reap_orphans(void)
{
	uint64_t deadline = task_now_ns() + 2000000000ull;
	for (;;) {
		pid_t p = waitpid(-1, NULL, WNOHANG);
		if (p > 0)
			continue;
		if (p < 0 && errno == ECHILD)
			return;
		if (task_now_ns() > deadline)
			return;
		usleep(1000);
	}
}

/* The cell process closed its pipe (it exited) or is being abandoned. Give an exiting one 2 s
 * to finish, so the signal it died of is its own, not our cleanup kill; then kill whatever is
 * left of its process group (the group outlives its reaped leader while members remain, so
 * the id cannot have been reused) and reap the orphans. */
static void reap_cell(pid_t pid, struct cellproc_end *end)
{
	uint64_t grace = task_now_ns() + (end->interrupted || end->timed_out ? 0 : 2000000000ull);
	for (;;) {
		pid_t w = waitpid(pid, &end->status, WNOHANG);
		if (w == pid || (w < 0 && errno != EINTR))
			break;
		if (task_now_ns() >= grace && !end->killed) {
			kill(-pid, SIGKILL);
			end->killed = 1;
		} else
			usleep(1000);
	}
	kill(-pid, SIGKILL);
	reap_orphans();
}

int cellproc_run(const struct cellproc *cp, struct cellproc_end *end, char *why, size_t len)
{
	pid_t pid = -1;
	int fd = -1;
	memset(end, 0, sizeof *end);
	int rc = start(cp, &pid, &fd, why, len);
	if (rc < 0)
		return rc;
	read_lines(cp, fd, end);
	close(fd);
	reap_cell(pid, end);
	return 0;
}
