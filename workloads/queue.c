/* queue: the bounded blocking queue of workloads (see queue.h): a ring under a task_mutex
 * with two wait words, or an O_NONBLOCK pipe that waits in task_wait_fd. */
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

/* QUEUE_MSG: a channel per getter, and the putters' and getters' counts. */
static int msg_init(struct run *r, struct queue *q, const struct queue_config *c)
{
	if (c->item_size > TASK_MSG_SIZE)
		return -E2BIG;
	if (c->first_get + c->nget > r->nworkers)
		return -EINVAL;
	q->first_get = c->first_get;
	q->chan = task_shm_alloc(r, c->nget * sizeof *q->chan);
	q->next = task_shm_alloc(r, r->nworkers * sizeof *q->next);
	q->ends = task_shm_alloc(r, c->nget * sizeof *q->ends);
	if (!q->chan || !q->next || !q->ends)
		return -ENOMEM;
	unsigned per = c->cap / c->nget ? c->cap / c->nget : 1;
	q->cap = per * c->nget;
	for (unsigned g = 0; g < c->nget; g++)
		if (!(q->chan[g] = task_chan_new(r, c->first_get + g, per, (unsigned)c->item_size)))
			return -ENOSPC;
	return 0;
}

int queue_init(struct run *r, struct queue *q, const struct queue_config *c)
{
	if (!c->cap || !c->item_size || !c->nput || !c->nget || c->item_size > INT_MAX ||
	    (c->stamp_off != QUEUE_NO_FIELD && c->stamp_off + sizeof(uint64_t) > c->item_size) ||
	    (c->kind != QUEUE_RING && (c->tag_off == QUEUE_NO_FIELD || c->tag_off + sizeof(uint32_t) > c->item_size)) ||
	    (c->kind != QUEUE_RING && c->kind != QUEUE_PIPE && c->kind != QUEUE_MSG))
		return -EINVAL;
	q->kind = c->kind;
	q->cap = c->cap;
	q->nput = c->nput;
	q->nget = c->nget;
	q->item_size = c->item_size;
	q->stamp_off = c->stamp_off;
	q->tag_off = c->tag_off;
	if (c->kind == QUEUE_MSG)
		return msg_init(r, q, c);
	if (c->kind == QUEUE_RING) {
		if ((unsigned long long)c->cap * c->item_size > QUEUE_MAX_BYTES)
			return -E2BIG;
		q->ring = task_shm_alloc(r, (size_t)c->cap * c->item_size);
		return q->ring ? 0 : -ENOMEM;
	}
	int fds[2];
	if (pipe2(fds, O_CLOEXEC | O_NONBLOCK)) /* blocking goes through task_wait_fd */
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

/* Move one item through the O_NONBLOCK pipe (out: write it, else read it), waiting in
 * task_wait_fd while the pipe is full (empty). `cancel`: give up with -ECANCELED if the run
 * stops before a byte of the item moved; without it, a stopping run makes the wait a yield
 * (the other side is finishing: getters drain, the closer writes the end of the stream).
 * The lock that keeps large items whole with several readers (writers) is the caller's. */
static int pipe_move(struct task *t, struct queue *q, char *p, int out, int cancel)
{
	int fd = out ? q->fd_w : q->fd_r;
	size_t left = q->item_size;
	while (left) {
		ssize_t k = out ? write(fd, p, left) : read(fd, p, left);
		if (k > 0) {
			p += k;
			left -= (size_t)k;
			continue;
		}
		if (k < 0 && errno == EINTR)
			continue;
		if (k == 0 || errno != EAGAIN)
			return task_fail(t, "queue: %s the pipe failed: %s", out ? "write to" : "read from",
			                 k < 0 ? strerror(errno) : out ? "nothing written" : "end of file"), -EIO;
		int rc = task_wait_fd(t, fd, out ? POLLOUT : POLLIN, TASK_FOREVER);
		if (rc == -ECANCELED && cancel && left == q->item_size)
			return -ECANCELED;
		if (rc == -ECANCELED)
			task_yield(t);
		else if (rc)
			return task_fail(t, "queue: waiting for the pipe failed: %s", strerror(-rc)), -EIO;
	}
	return 0;
}

static int pipe_write(struct task *t, struct queue *q, void *item, unsigned flags)
{
	if (q->lock_w)
		task_mutex_lock(t, &q->wlock);
	int rc = pipe_move(t, q, item, 1, (flags & QUEUE_CANCEL) != 0);
	if (q->lock_w)
		task_mutex_unlock(t, &q->wlock);
	return rc;
}

static int pipe_read(struct task *t, struct queue *q, void *item, unsigned flags)
{
	if (q->lock_r)
		task_mutex_lock(t, &q->rlock);
	int rc = pipe_move(t, q, item, 0, (flags & QUEUE_CANCEL) != 0);
	if (q->lock_r)
		task_mutex_unlock(t, &q->rlock);
	if (rc)
		return rc;
	uint32_t tag;
	memcpy(&tag, (char *)item + q->tag_off, sizeof tag);
	return tag == QUEUE_EOS_TAG ? QUEUE_END : 0;
}

/* ------------------------------------------------------------------ messages */

/* To getter g's channel; without QUEUE_CANCEL a full channel while stopping is waited out. */
static int msg_send(struct task *t, struct queue *q, unsigned g, void *item, unsigned flags)
{
	for (;;) {
		int rc = task_send(t, q->chan[g], item, q->item_size);
		if (rc != -ECANCELED || (flags & QUEUE_CANCEL))
			return rc;
		task_yield(t);
	}
}

static int msg_put(struct task *t, struct queue *q, void *item, unsigned flags)
{
	unsigned g = q->next[t->id];
	q->next[t->id] = g + 1 == q->nget ? 0 : g + 1;
	return msg_send(t, q, g, item, flags);
}

static int msg_get(struct task *t, struct queue *q, void *item, unsigned flags)
{
	unsigned g = t->id - q->first_get;
	if (g >= q->nget)
		return task_fail(t, "queue: worker %u is not one of its getters", t->id), -EINVAL;
	while (q->ends[g] < q->nput) {
		int rc = task_recv(t, q->chan[g], item, q->item_size);
		if (rc == -ECANCELED && !(flags & QUEUE_CANCEL)) {
			task_yield(t);
			continue;
		}
		if (rc < 0)
			return rc;
		uint32_t tag;
		memcpy(&tag, (char *)item + q->tag_off, sizeof tag);
		if (tag != QUEUE_EOS_TAG)
			return 0;
		q->ends[g]++;
	}
	return QUEUE_END;
}

/* Every putter ends its stream to every getter. */
static int msg_close(struct task *t, struct queue *q)
{
	char end[TASK_MSG_SIZE] = { 0 };
	uint32_t tag = QUEUE_EOS_TAG;
	memcpy(end + q->tag_off, &tag, sizeof tag);
	int rc = 0;
	for (unsigned g = 0; g < q->nget && !rc; g++)
		rc = msg_send(t, q, g, end, 0);
	return rc;
}

/* ------------------------------------------------------------------ the API */

int queue_put(struct task *t, struct queue *q, void *item, unsigned flags)
{
	if (q->kind == QUEUE_RING)
		return ring_put(t, q, item, flags);
	stamp(q, item);
	return q->kind == QUEUE_MSG ? msg_put(t, q, item, flags) : pipe_write(t, q, item, flags);
}

int queue_get(struct task *t, struct queue *q, void *item, unsigned flags)
{
	if (q->kind == QUEUE_MSG)
		return msg_get(t, q, item, flags);
	return q->kind == QUEUE_RING ? ring_get(t, q, item, flags) : pipe_read(t, q, item, flags);
}

int queue_close(struct task *t, struct queue *q)
{
	unsigned closed = atomic_fetch_add(&q->closed, 1) + 1;
	if (q->kind == QUEUE_MSG)
		return msg_close(t, q);
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
		rc = pipe_write(t, q, end, 0);
	free(end);
	return rc;
}
