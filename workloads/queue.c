/* queue: the bounded blocking queue of workloads (see queue.h): a ring under a task_mutex
 * with two wait words, or a pipe. */
#define _GNU_SOURCE
#include "workloads/queue.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PIPE_MAX_BYTES (1u << 20) /* F_SETPIPE_SZ beyond /proc/sys/fs/pipe-max-size fails unprivileged */
#define POLL_MS 1                 /* a cancellable pipe get looks at the stop flag this often */

/* Whole items a pipe of `bytes` holds for sure. The kernel stores a pipe in pages and appends
 * a write to the last page only if (the tail of) it fits there, so an item never straddles
 * a page when it fits in one: floor(page / item) per page; a larger item takes at most
 * ceil(item / page) pages. */
static unsigned pipe_items(long bytes, size_t item)
{
	long page = sysconf(_SC_PAGESIZE);
	if (bytes <= 0 || page <= 0)
		return 0;
	size_t pages = (size_t)bytes / (size_t)page, pg = (size_t)page;
	return (unsigned)(item <= pg ? pages * (pg / item) : pages / ((item + pg - 1) / pg));
}

int queue_init(struct run *r, struct queue *q, const struct queue_config *c)
{
	if (!c->cap || !c->item_size || !c->nput || !c->nget || c->item_size > INT_MAX ||
	    (c->stamp_off != QUEUE_NO_FIELD && c->stamp_off + sizeof(uint64_t) > c->item_size) ||
	    (c->kind == QUEUE_PIPE && (c->tag_off == QUEUE_NO_FIELD || c->tag_off + sizeof(uint32_t) > c->item_size)) ||
	    (c->kind != QUEUE_RING && c->kind != QUEUE_PIPE))
		return -EINVAL;
	q->kind = c->kind;
	q->cap = c->cap;
	q->nput = c->nput;
	q->nget = c->nget;
	q->item_size = c->item_size;
	q->stamp_off = c->stamp_off;
	q->tag_off = c->tag_off;
	if (c->kind == QUEUE_RING) {
		if ((unsigned long long)c->cap * c->item_size > QUEUE_MAX_BYTES)
			return -E2BIG;
		q->ring = task_shm_alloc(r, (size_t)c->cap * c->item_size);
		return q->ring ? 0 : -ENOMEM;
	}
	int fds[2];
	if (pipe2(fds, O_CLOEXEC))
		return -errno;
	q->fd_r = fds[0];
	q->fd_w = fds[1];
	q->fds_open = 1;
	/* Best effort: an unprivileged user may not go beyond /proc/sys/fs/pipe-max-size. */
	unsigned long long want = (unsigned long long)c->cap * c->item_size;
	fcntl(fds[1], F_SETPIPE_SZ, (int)(want > PIPE_MAX_BYTES ? PIPE_MAX_BYTES : want));
	q->pipe_items = pipe_items(fcntl(fds[1], F_GETPIPE_SZ), c->item_size);
	q->lock_r = c->item_size > PIPE_BUF && c->nget > 1;
	q->lock_w = c->item_size > PIPE_BUF && c->nput > 1;
	return 0;
}

unsigned queue_capacity(const struct queue *q)
{
	return q->kind == QUEUE_PIPE ? q->pipe_items : q->cap;
}

void queue_destroy(struct queue *q)
{
	if (!q->fds_open)
		return;
	close(q->fd_r);
	close(q->fd_w);
	q->fds_open = 0;
}

static void stamp(const struct queue *q, void *item)
{
	if (q->stamp_off != QUEUE_NO_FIELD) {
		uint64_t now = task_now_ns();
		memcpy((char *)item + q->stamp_off, &now, sizeof now);
	}
}

/* ------------------------------------------------------------------ ring */

static int ring_put(struct task *t, struct queue *q, void *item, unsigned flags)
{
	task_mutex_lock(t, &q->m);
	while (q->count == q->cap) {
		if ((flags & QUEUE_CANCEL) && task_should_stop(t)) {
			task_mutex_unlock(t, &q->m);
			return -ECANCELED;
		}
		unsigned seq = atomic_load_explicit(&q->not_full, memory_order_relaxed);
		q->full_waiters++;
		task_mutex_unlock(t, &q->m);
		task_wait(t, &q->not_full, seq, TASK_FOREVER);
		task_mutex_lock(t, &q->m);
		q->full_waiters--; /* woken or not: it looks at the queue itself now */
		if (q->full_signals)
			q->full_signals--;
	}
	stamp(q, item);
	memcpy(q->ring + (size_t)q->in * q->item_size, item, q->item_size);
	q->in = q->in + 1 == q->cap ? 0 : q->in + 1;
	q->count++;
	int wake = q->empty_waiters > q->empty_signals;
	if (wake) {
		q->empty_signals++;
		atomic_fetch_add(&q->not_empty, 1);
	}
	task_mutex_unlock(t, &q->m);
	if (wake)
		task_wake(t, &q->not_empty, 1);
	return 0;
}

static int ring_get(struct task *t, struct queue *q, void *item, unsigned flags)
{
	task_mutex_lock(t, &q->m);
	while (q->count == 0) {
		/* Read the word before the close count: a closing putter bumps it after. */
		unsigned seq = atomic_load(&q->not_empty);
		if (atomic_load(&q->closed) == q->nput) {
			task_mutex_unlock(t, &q->m);
			return QUEUE_END;
		}
		int stopping = task_should_stop(t);
		if (stopping && (flags & QUEUE_CANCEL)) {
			task_mutex_unlock(t, &q->m);
			return -ECANCELED;
		}
		q->empty_waiters++;
		task_mutex_unlock(t, &q->m);
		/* Stopping: task_wait would return at once; let the putters finish instead. */
		if (stopping)
			task_yield(t);
		else
			task_wait(t, &q->not_empty, seq, TASK_FOREVER);
		task_mutex_lock(t, &q->m);
		q->empty_waiters--;
		if (q->empty_signals)
			q->empty_signals--;
	}
	memcpy(item, q->ring + (size_t)q->out * q->item_size, q->item_size);
	q->out = q->out + 1 == q->cap ? 0 : q->out + 1;
	q->count--;
	int wake = q->full_waiters > q->full_signals;
	if (wake) {
		q->full_signals++;
		atomic_fetch_add(&q->not_full, 1);
	}
	task_mutex_unlock(t, &q->m);
	if (wake)
		task_wake(t, &q->not_full, 1);
	return 0;
}

/* ------------------------------------------------------------------ pipe */

static int pipe_write(struct task *t, struct queue *q, const void *item)
{
	const char *p = item;
	size_t left = q->item_size;
	int rc = 0;
	if (q->lock_w)
		task_mutex_lock(t, &q->wlock);
	while (left) {
		ssize_t k = write(q->fd_w, p, left);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			task_fail(t, "queue: write to the pipe failed: %s", k < 0 ? strerror(errno) : "nothing written");
			rc = -EIO;
			break;
		}
		p += k;
		left -= (size_t)k;
	}
	if (q->lock_w)
		task_mutex_unlock(t, &q->wlock);
	return rc;
}

/* Wait until the pipe has data, or the run stops (-ECANCELED). Only with one getter: with
 * several, another could take the data between poll and read. */
static int pipe_readable(struct task *t, struct queue *q)
{
	struct pollfd p = { .fd = q->fd_r, .events = POLLIN };
	for (int timeout = 0;; timeout = POLL_MS) {
		int k = poll(&p, 1, timeout);
		if (k > 0)
			return 0;
		if (k < 0 && errno != EINTR) {
			task_fail(t, "queue: poll on the pipe failed: %s", strerror(errno));
			return -EIO;
		}
		if (task_should_stop(t))
			return -ECANCELED;
	}
}

static int pipe_read(struct task *t, struct queue *q, void *item, unsigned flags)
{
	char *p = item;
	size_t left = q->item_size;
	int rc = 0;
	if ((flags & QUEUE_CANCEL) && q->nget != 1)
		return -EINVAL;
	if ((flags & QUEUE_CANCEL) && (rc = pipe_readable(t, q)))
		return rc;
	if (q->lock_r)
		task_mutex_lock(t, &q->rlock);
	while (left) {
		ssize_t k = read(q->fd_r, p, left);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			task_fail(t, "queue: read from the pipe failed: %s", k < 0 ? strerror(errno) : "end of file");
			rc = -EIO;
			break;
		}
		p += k;
		left -= (size_t)k;
	}
	if (q->lock_r)
		task_mutex_unlock(t, &q->rlock);
	if (rc)
		return rc;
	uint32_t tag;
	memcpy(&tag, (char *)item + q->tag_off, sizeof tag);
	return tag == QUEUE_EOS_TAG ? QUEUE_END : 0;
}

/* ------------------------------------------------------------------ the API */

int queue_put(struct task *t, struct queue *q, void *item, unsigned flags)
{
	if (q->kind == QUEUE_RING)
		return ring_put(t, q, item, flags);
	stamp(q, item);
	return pipe_write(t, q, item);
}

int queue_get(struct task *t, struct queue *q, void *item, unsigned flags)
{
	return q->kind == QUEUE_RING ? ring_get(t, q, item, flags) : pipe_read(t, q, item, flags);
}

int queue_close(struct task *t, struct queue *q)
{
	unsigned closed = atomic_fetch_add(&q->closed, 1) + 1;
	if (q->kind == QUEUE_RING) {
		atomic_fetch_add(&q->not_empty, 1);
		task_wake(t, &q->not_empty, INT_MAX);
		return 0;
	}
	if (closed != q->nput)
		return 0;
	/* The last putter ends the stream: one end-of-stream item per getter, after every item. */
	char *end = calloc(1, q->item_size);
	if (!end)
		return task_fail(t, "queue: out of memory for the end-of-stream item"), -ENOMEM;
	uint32_t tag = QUEUE_EOS_TAG;
	memcpy(end + q->tag_off, &tag, sizeof tag);
	int rc = 0;
	for (unsigned g = 0; g < q->nget && !rc; g++)
		rc = pipe_write(t, q, end);
	free(end);
	return rc;
}
