/* queue: a bounded blocking queue of fixed-size items between workers, built once on the
 * task API so that it works under every driver (producer-consumer, task-pool).
 *
 * Two transports:
 *   QUEUE_RING  a ring of `cap` slots in task_shm_alloc() memory under a task_mutex, blocking
 *               on full/empty with task_wait/task_wake on two sequence words and waking only
 *               waiters not yet signalled (the classic mutex + two condition variables queue,
 *               Python's queue.Queue). An item is copied into its slot and out again under
 *               the mutex, so a large item crosses from one worker to another as bytes (the
 *               process driver's workers share nothing else).
 *   QUEUE_PIPE  a pipe created in setup, so every worker has it (threads, coroutines and the
 *               GIL share the cell process's descriptors, processes inherit them across
 *               fork), one write() and one read() per item (multiprocessing.Queue without the
 *               pickling). The pipe is O_NONBLOCK: a full (empty) pipe waits in task_wait_fd,
 *               so the driver decides what blocking means, as for every other wait. Items
 *               larger than PIPE_BUF are not written atomically by the kernel, so with several
 *               writers (readers) every write (read) of an item holds a writer (reader)
 *               task_mutex, multiprocessing's wlock and rlock.
 *
 *   QUEUE_MSG   the messages style of task.h (share=messages): a channel per getter, whose
 *               owner it is (getters are the workers first_get .. first_get + nget - 1); each
 *               putter sends to the getters in turn (MPI's master/worker: no shared queue to
 *               take from), every channel holds cap / nget items (at least one); items of at
 *               most TASK_MSG_SIZE bytes (-E2BIG). Under mpi these are MPI messages. Each
 *               putter's close sends one end-of-stream item (tag_off) to every getter, and a
 *               getter answers QUEUE_END once it has one from every putter.
 *
 * Shutdown: the queue knows how many workers put into it (nput) and get from it (nget). Each
 * putter calls queue_close() once when it will put no more. A getter then receives every
 * item still in the queue and, after the last one, QUEUE_END: a ring answers QUEUE_END to
 * every get from then on; a pipe delivers exactly one end-of-stream item per getter (the last
 * closer writes nget of them behind every real item), so a getter must not ask again after
 * QUEUE_END. A get without QUEUE_CANCEL returns only with an item or QUEUE_END, also while
 * the run is stopping: getters drain, so every item put is taken exactly once.
 *
 * Blocking while the run stops: task_wait and task_wait_fd do not block then, so a full queue
 * makes a put without QUEUE_CANCEL, and an empty one a get, yield until the other side moves.
 *
 * Items may carry two fields the queue fills in, named by their offsets in the item:
 *   stamp_off  a uint64_t set to task_now_ns() as the item goes in (ring: once there is
 *              room, under the mutex; pipe: just before the write), for handoff latencies;
 *   tag_off    (pipe) a uint32_t that real items never set to QUEUE_EOS_TAG: the queue's
 *              end-of-stream items have it.
 * Every queue function runs in a worker except queue_init/queue_capacity/queue_destroy (the
 * cell process, in workload setup/verify/teardown). */
#ifndef BENCH_QUEUE_H
#define BENCH_QUEUE_H

#include <stddef.h>
#include <stdint.h>

#include "bench/core/task.h"

enum queue_kind { QUEUE_RING = 0, QUEUE_PIPE, QUEUE_MSG };

#define QUEUE_END 1                   /* queue_get: closed by every putter and empty */
#define QUEUE_CANCEL 1u               /* flag: give up with -ECANCELED when the run stops */
#define QUEUE_NO_FIELD SIZE_MAX       /* stamp_off/tag_off: the item has no such field */
#define QUEUE_EOS_TAG UINT32_MAX      /* the tag of the pipe's end-of-stream items */
#define QUEUE_MAX_BYTES (1ull << 30)  /* ring: at most this many bytes of slots */

struct queue_config {
	enum queue_kind kind;
	unsigned cap;                 /* ring: slots (>= 1); pipe: items the pipe should hold
	                               * (best effort: at least a page, at most 1 MiB) */
	size_t item_size;             /* bytes per item (>= 1) */
	unsigned nput, nget;          /* workers that put / get (>= 1 each) */
	size_t stamp_off;             /* QUEUE_NO_FIELD or the offset of a uint64_t timestamp */
	size_t tag_off;               /* pipe, messages: the offset of a uint32_t end-of-stream tag */
	unsigned first_get;           /* messages: the worker id of the first getter */
};

/* Lives in task_shm_alloc() memory (zeroed); the caller embeds it in its shared state. */
struct queue {
	struct task_mutex m;                    /* ring */
	_Atomic unsigned not_empty, not_full;   /* ring wait words: bumped on every signal */
	/* Under m: registered waiters, and signals sent to them not yet taken (glibc's old
	 * condvar: signal only while waiters > signals, so a waiter that is slow to get up
	 * does not draw a futex wake per item). */
	unsigned empty_waiters, empty_signals, full_waiters, full_signals;
	unsigned in, out, count;                /* ring positions, under m */
	_Atomic unsigned closed;                /* putters that called queue_close() */
	/* pipe, large items: one reader / writer at a time (a line of their own) */
	struct task_mutex rlock __attribute__((aligned(TASK_CACHELINE))), wlock;
	/* Read-only after queue_init. */
	unsigned kind, cap, nput, nget;
	size_t item_size, stamp_off, tag_off;
	char *ring;                             /* cap * item_size, task_shm_alloc() */
	int fd_r, fd_w, fds_open;               /* pipe */
	int lock_r, lock_w;                     /* pipe: reads / writes take rlock / wlock */
	unsigned pipe_items;                    /* pipe: what it holds, in whole items */
	unsigned first_get;                     /* messages: getter g is worker first_get + g */
	struct task_chan **chan;                /* messages: nget channels, one per getter */
	unsigned *next;                         /* messages: per worker, the putter's next getter */
	unsigned *ends;                         /* messages: per getter, end-of-stream items seen */
} __attribute__((aligned(TASK_CACHELINE)));

/* Workload setup (cell process): check c, allocate the ring (task_shm_alloc) or create the
 * pipe. 0, -EINVAL (bad config), -E2BIG (ring above QUEUE_MAX_BYTES), -ENOMEM, or -errno of
 * pipe2. */
int queue_init(struct run *r, struct queue *q, const struct queue_config *c);
/* Items the queue holds when full (pipe: what the pipe the kernel gave surely holds, whole
 * items in its pages; writes of up to that many never block). */
unsigned queue_capacity(const struct queue *q);
/* Workload teardown (cell process): close the pipe. Harmless on a queue never initialised
 * (zeroed) and when called twice. */
void queue_destroy(struct queue *q);

/* Put one item (item_size bytes; the stamp field of *item is set too). Blocks while the queue
 * is full. 0; -ECANCELED with QUEUE_CANCEL when the run stops while the queue is full (the
 * item did not go in; a pipe item larger than PIPE_BUF that went in partly is finished);
 * pipe: -EIO after task_fail() on a failed write. */
int queue_put(struct task *t, struct queue *q, void *item, unsigned flags);
/* Take one item into *item. 0, QUEUE_END, -ECANCELED with QUEUE_CANCEL when the run stops
 * while the queue is empty, or, pipe, -EIO after task_fail() on a failed read. */
int queue_get(struct task *t, struct queue *q, void *item, unsigned flags);
/* This putter puts no more. Every putter must call it exactly once, on every way out, or
 * the getters wait for it forever. 0, or (pipe) -EIO after task_fail(). */
int queue_close(struct task *t, struct queue *q);

#endif
