/* task: the worker-side API (dispatch to the driver), the primitives built on wait/wake,
 * and task_main(), the body every driver runs in each worker. */
#define _GNU_SOURCE
#include "bench/core/task.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "drivers/driver.h"
#include "bench/core/futex.h"
#include "bench/core/procmem.h"
#include "workloads/workload.h"

uint64_t task_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* An injected fault, performed by the worker itself (see enum task_fault). Each models what
 * a real worker can do to the program that runs it, so every driver shows its true blast
 * radius: a crashing thread takes its whole cell process with it, a crashing process only
 * itself. */
static void task_fault(struct task *t)
{
	unsigned kind = atomic_exchange(&t->slot->fault, TASK_FAULT_NONE);
	switch (kind) {
	case TASK_FAULT_CRASH:
		raise(SIGSEGV);
		break;
	case TASK_FAULT_ABORT:
		abort();
	case TASK_FAULT_HANG:
		for (;;) /* ignores the stop request, like a worker stuck in a syscall */
			pause();
	case TASK_FAULT_EXIT1:
		_exit(1); /* under thread-based drivers this ends the whole cell process */
	case TASK_FAULT_OOM: {
		/* Allocate until allocation fails, with the address space capped 256 MiB above its
		 * current size so the machine is never at risk; then die as the OOM killer would
		 * kill it (SIGKILL). */
		struct rlimit rl;
		rl.rlim_cur = rl.rlim_max = (rlim_t)procmem_self_vm_bytes() + (256ul << 20);
		setrlimit(RLIMIT_AS, &rl);
		for (;;) {
			char *p = malloc(8u << 20);
			if (!p)
				break;
			memset(p, 0xa5, 8u << 20);
		}
		raise(SIGKILL);
		break;
	}
	default:
		break;
	}
}

#define TASK_FAULT_CHECK(t)                                                                   \
	do {                                                                                  \
		if (task_unlikely(atomic_load_explicit(&(t)->slot->fault, memory_order_relaxed))) \
			task_fault(t);                                                        \
	} while (0)

void task_checkpoint_slow(struct task *t)
{
	TASK_FAULT_CHECK(t);
	t->run->drv->checkpoint(t);
}

int task_sleep_ns(struct task *t, uint64_t ns)
{
	TASK_FAULT_CHECK(t);
	if (task_should_stop(t))
		return -ECANCELED;
	return t->run->drv->sleep_ns(t, ns);
}

int task_wait_slow(struct task *t, _Atomic unsigned *word, unsigned expected, uint64_t timeout_ns)
{
	TASK_FAULT_CHECK(t);
	if (task_should_stop(t)) {
		/* Stopping: do not block, but let the others run. A caller that loops on task_wait
		 * (task_mutex_lock) would otherwise spin forever where one worker runs at a time
		 * (coroutines on one thread, the GIL): the holder it waits for could never release. */
		t->run->drv->yield(t);
		return 0;
	}
	return t->run->drv->wait(t, word, expected, timeout_ns);
}

void task_yield(struct task *t)
{
	t->run->drv->yield(t);
}

int task_fd_ready(int fd, short events)
{
	struct pollfd p = { .fd = fd, .events = events };
	int k;
	while ((k = poll(&p, 1, 0)) < 0 && errno == EINTR)
		;
	if (k < 0)
		return -errno;
	if (p.revents & POLLNVAL)
		return -EBADF;
	return k > 0;
}

/* task_wait_fd under a driver without a wait_fd hook: look at the fd, and between looks sleep
 * through the driver, so that its way of blocking applies (a coroutine parks, the GIL is
 * released) and the stop request cuts the sleep short. */
static int wait_fd_sleeping(struct task *t, int fd, short events, uint64_t timeout_ns)
{
	uint64_t now = task_now_ns(), deadline = timeout_ns > UINT64_MAX - now ? UINT64_MAX : now + timeout_ns;
	for (;;) {
		int rc = task_fd_ready(fd, events);
		if (rc)
			return rc < 0 ? rc : 0;
		now = task_now_ns();
		if (now >= deadline)
			return -ETIMEDOUT;
		uint64_t nap = deadline - now < TASK_FD_POLL_NS ? deadline - now : TASK_FD_POLL_NS;
		if (t->run->drv->sleep_ns(t, nap) == -ECANCELED)
			return -ECANCELED;
	}
}

int task_wait_fd(struct task *t, int fd, short events, uint64_t timeout_ns)
{
	TASK_FAULT_CHECK(t);
	if (fd < 0) /* poll() would ignore it and wait for the timeout */
		return -EBADF;
	if (task_should_stop(t))
		return -ECANCELED;
	if (t->run->drv->wait_fd)
		return t->run->drv->wait_fd(t, fd, events, timeout_ns);
	return wait_fd_sleeping(t, fd, events, timeout_ns);
}

int task_fail(struct task *t, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(t->slot->err, sizeof t->slot->err, fmt, ap);
	va_end(ap);
	return -1;
}

/* ---- mutex (Drepper, "Futexes are tricky", mutex2) ---- */

void task_mutex_lock(struct task *t, struct task_mutex *m)
{
	unsigned c = 0;
	if (atomic_compare_exchange_strong(&m->word, &c, 1))
		return;
	if (c != 2)
		c = atomic_exchange(&m->word, 2);
	while (c != 0) {
		task_wait(t, &m->word, 2, TASK_FOREVER);
		c = atomic_exchange(&m->word, 2);
	}
}

void task_mutex_unlock(struct task *t, struct task_mutex *m)
{
	if (atomic_fetch_sub(&m->word, 1) != 1) {
		atomic_store(&m->word, 0);
		task_wake(t, &m->word, 1);
	}
}

/* ---- counting semaphore ---- */

void task_sem_init(struct task_sem *s, unsigned count)
{
	atomic_store(&s->count, count);
	atomic_store(&s->waiters, 0);
}

int task_sem_down(struct task *t, struct task_sem *s)
{
	for (;;) {
		unsigned c = atomic_load(&s->count);
		while (c > 0) {
			if (atomic_compare_exchange_weak(&s->count, &c, c - 1))
				return 0;
		}
		if (task_should_stop(t))
			return -ECANCELED;
		atomic_fetch_add(&s->waiters, 1);
		task_wait(t, &s->count, 0, TASK_FOREVER);
		atomic_fetch_sub(&s->waiters, 1);
	}
}

void task_sem_up(struct task *t, struct task_sem *s)
{
	atomic_fetch_add(&s->count, 1);
	if (atomic_load(&s->waiters))
		task_wake(t, &s->count, 1);
}

/* ---- barrier ---- */

void task_barrier_init(struct task_barrier *b, unsigned n)
{
	atomic_store(&b->arrived, 0);
	atomic_store(&b->generation, 0);
	b->n = n;
}

int task_barrier_wait(struct task *t, struct task_barrier *b)
{
	unsigned gen = atomic_load(&b->generation);
	if (atomic_fetch_add(&b->arrived, 1) + 1 == b->n) {
		atomic_store(&b->arrived, 0);
		atomic_fetch_add(&b->generation, 1);
		task_wake(t, &b->generation, INT_MAX);
		return 0;
	}
	while (atomic_load(&b->generation) == gen) {
		if (task_should_stop(t))
			return -ECANCELED;
		task_wait(t, &b->generation, gen, TASK_FOREVER);
	}
	return 0;
}

/* ---- capabilities ---- */

static const struct { unsigned cap; const char *name, *what; } task_cap_names[] = {
	{ TASK_CAP_SHARED_AS, "shared-as", "workers in one address space" },
	{ TASK_CAP_PARALLEL, "parallel", "workers on several cores at once" },
	{ TASK_CAP_COOPERATIVE, "cooperative", "one worker at a time, switching at checkpoints" },
	{ TASK_CAP_INHERIT_FDS, "inherit-fds", "workers that have the descriptors setup opened" },
	{ TASK_CAP_MESSAGES, "messages", "the messages style (channels and counters of the task API)" },
};

unsigned run_caps(const struct run *r)
{
	return r->drv->flags & TASK_CAPS_ALL;
}

int run_need_caps(struct run *r, unsigned need, const char *what)
{
	unsigned miss = need & ~run_caps(r);
	if (!miss)
		return 0;
	char list[200] = "";
	size_t o = 0;
	for (size_t i = 0; i < sizeof task_cap_names / sizeof task_cap_names[0]; i++) {
		if (!(miss & task_cap_names[i].cap) || o >= sizeof list)
			continue;
		o += (size_t)snprintf(list + o, sizeof list - o, "%s%s (%s)", o ? ", " : "", task_cap_names[i].what,
		                      task_cap_names[i].name);
		miss &= ~task_cap_names[i].cap;
	}
	if (miss && o < sizeof list)
		snprintf(list + o, sizeof list - o, "%scapability %#x", o ? ", " : "", miss);
	run_fail(r, "%s needs %s, which driver %s does not give", what, list, r->drv->name);
	return -ENOTSUP;
}

/* ---- parent side ---- */

void *task_shm_alloc(struct run *r, size_t size)
{
	return r->drv->shm_alloc(r, size);
}

static const struct knobval *knob(const struct run *r, const char *name)
{
	const struct knobval *v = opt_get(r->knobs, name);
	if (!v) {
		fprintf(stderr, "bench: task: workload %s asked for undeclared knob '%s'\n", r->wl->name, name);
		abort();
	}
	return v;
}

int64_t run_knob_int(const struct run *r, const char *name) { return (int64_t)knob(r, name)->num; }
double run_knob_double(const struct run *r, const char *name) { return knob(r, name)->num; }
int run_knob_enum(const struct run *r, const char *name) { return knob(r, name)->choice; }
const char *run_knob_text(const struct run *r, const char *name) { return knob(r, name)->text; }

void run_metric(struct run *r, const char *name, double value)
{
	for (unsigned i = 0; i < r->nmetrics; i++)
		if (!strcmp(r->metrics[i].name, name)) {
			r->metrics[i].value = value;
			return;
		}
	if (r->nmetrics >= TASK_METRICS_MAX)
		return;
	snprintf(r->metrics[r->nmetrics].name, sizeof r->metrics[0].name, "%s", name);
	r->metrics[r->nmetrics++].value = value;
}

void run_worker_metric(struct run *r, const char *name, unsigned worker, double value)
{
	if (worker >= r->nworkers)
		return;
	struct run_worker_metric *m = NULL;
	for (unsigned i = 0; i < r->nwmetrics && !m; i++)
		if (!strcmp(r->wmetrics[i].name, name))
			m = &r->wmetrics[i];
	if (!m) {
		if (r->nwmetrics >= TASK_WORKER_METRICS_MAX)
			return;
		double *v = calloc(r->nworkers, sizeof *v);
		if (!v)
			return;
		m = &r->wmetrics[r->nwmetrics++];
		snprintf(m->name, sizeof m->name, "%s", name);
		m->values = v;
	}
	m->values[worker] = value;
}

void run_metrics_free(struct run *r)
{
	for (unsigned i = 0; i < r->nwmetrics; i++)
		free(r->wmetrics[i].values);
	r->nwmetrics = 0;
}

int run_fail(struct run *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->err, sizeof r->err, fmt, ap);
	va_end(ap);
	return -1;
}

uint64_t run_total_ops(const struct run *r)
{
	uint64_t s = 0;
	for (unsigned i = 0; i < r->nworkers; i++)
		s += atomic_load_explicit(&r->sh->slot[i].ops, memory_order_relaxed);
	return s;
}

/* ---- worker side ---- */

static uint64_t tv_ns(struct timeval tv)
{
	return (uint64_t)tv.tv_sec * 1000000000u + (uint64_t)tv.tv_usec * 1000u;
}

void task_account_begin(struct task *t)
{
	struct rusage ru;
	getrusage(RUSAGE_THREAD, &ru);
	t->slot->utime_ns = tv_ns(ru.ru_utime);
	t->slot->stime_ns = tv_ns(ru.ru_stime);
	t->slot->nvcsw = (uint64_t)ru.ru_nvcsw;
	t->slot->nivcsw = (uint64_t)ru.ru_nivcsw;
}

void task_account_end(struct task *t)
{
	struct rusage ru;
	getrusage(RUSAGE_THREAD, &ru);
	t->slot->utime_ns = tv_ns(ru.ru_utime) - t->slot->utime_ns;
	t->slot->stime_ns = tv_ns(ru.ru_stime) - t->slot->stime_ns;
	t->slot->nvcsw = (uint64_t)ru.ru_nvcsw - t->slot->nvcsw;
	t->slot->nivcsw = (uint64_t)ru.ru_nivcsw - t->slot->nivcsw;
}

int task_main(struct task *t)
{
	struct run *r = t->run;
	struct run_shared *sh = r->sh;
	int self_acct = (r->drv->flags & DRIVER_SELF_ACCOUNTING) != 0;

	t->slot->last_cpu = sched_getcpu();
	t->slot->tid = (int)gettid();
	atomic_store(&t->slot->state, TASK_READY);
	/* The runner waits for the last one (and looks every 10 ms anyway): one wake per cell,
	 * not one per worker, so that starting a million coroutines is not a million syscalls
	 * that each wake the runner. */
	if (atomic_fetch_add(&sh->ready, 1) + 1 >= r->nworkers)
		futex_wake(&sh->ready, 1, 1);
	/* The start gate, through the driver's own wait (a coroutine parks, the GIL is released). */
	while (!atomic_load(&sh->gate)) {
		if (task_should_stop(t))
			break;
		r->drv->wait(t, &sh->gate, 0, TASK_FOREVER);
	}
	atomic_store(&t->slot->state, TASK_RUNNING);
	if (!self_acct)
		task_account_begin(t);
	t->slot->t_begin_ns = task_now_ns();

	/* Once the gate has opened, run() is called even if the stop came first (a worker that
	 * was not scheduled for the whole duration): workloads whose workers wait for each other
	 * (a "producers done" count, an end-of-stream item) rely on every worker taking part. It
	 * sees task_should_stop() at once. Only a repetition that never started skips run(). */
	int rc = task_should_stop(t) && !atomic_load(&sh->gate) ? 0 : r->wl->run(t);

	t->slot->t_end_ns = task_now_ns();
	if (!self_acct)
		task_account_end(t);
	t->slot->last_cpu = sched_getcpu();
	t->slot->rc = rc;
	if (rc && !t->slot->err[0])
		snprintf(t->slot->err, sizeof t->slot->err, "workload returned %d", rc);
	atomic_store(&t->slot->state, rc ? TASK_FAILED : TASK_DONE);
	/* The runner needs to hear of the last worker and of a failure; it looks at the count
	 * every tick anyway. */
	if (atomic_fetch_add(&sh->done, 1) + 1 >= r->nworkers || rc)
		futex_wake(&sh->done, 1, 1);
	return rc;
}

/* ---- the messages style (task.h): objects, and their shared-memory implementation ---- */

static struct task_msg_reg *msg_reg(struct run *r)
{
	if (!r->msg)
		r->msg = task_shm_alloc(r, sizeof *r->msg);
	return r->msg;
}

struct task_chan *task_chan_new(struct run *r, unsigned owner, unsigned cap, unsigned size)
{
	struct task_msg_reg *g = msg_reg(r);
	if (!g || g->nchan >= TASK_MSG_OBJS || owner >= r->nworkers || !cap || cap > 65536 || !size ||
	    size > TASK_MSG_SIZE) {
		run_fail(r, "channel to worker %u, %u x %u bytes: %s", owner, cap, size,
		         g ? "out of range (at most 64 channels of 65536 messages of 256 bytes)" : "no memory");
		return NULL;
	}
	struct task_chan *c = task_shm_alloc(r, sizeof *c + (size_t)cap * size);
	if (!c) {
		run_fail(r, "out of shared memory for a channel");
		return NULL;
	}
	*c = (struct task_chan){ .id = g->nchan, .owner = owner, .cap = cap, .size = size, .buf = (char *)(c + 1) };
	task_sem_init(&c->free, cap);
	g->chan[g->nchan++] = c;
	return c;
}

struct task_counter *task_counter_new(struct run *r, uint64_t initial)
{
	struct task_msg_reg *g = msg_reg(r);
	struct task_counter *c = g && g->ncounter < TASK_MSG_OBJS ? task_shm_alloc(r, sizeof *c) : NULL;
	if (!c) {
		run_fail(r, "no room for another counter (at most %d)", TASK_MSG_OBJS);
		return NULL;
	}
	c->id = g->ncounter;
	atomic_store(&c->v, initial);
	g->counter[g->ncounter++] = c;
	return c;
}

static const struct task_msg_ops *msg_ops(const struct task *t) { return t->run->drv->msg; }

int task_send(struct task *t, struct task_chan *c, const void *msg, size_t len)
{
	if (len > c->size)
		return -EINVAL;
	if (msg_ops(t))
		return msg_ops(t)->send(t, c, msg, len);
	if (task_sem_down(t, &c->free))
		return -ECANCELED;
	task_mutex_lock(t, &c->m);
	char *slot = c->buf + (size_t)(c->tail++ % c->cap) * c->size;
	memcpy(slot, msg, len);
	if (len < c->size)
		memset(slot + len, 0, c->size - len);
	task_mutex_unlock(t, &c->m);
	task_sem_up(t, &c->items);
	return 0;
}

/* Over shared memory a message has the channel's size (the rest zeroed): that is its length. */
int task_recv(struct task *t, struct task_chan *c, void *buf, size_t len)
{
	if (t->id != c->owner)
		return -EPERM;
	if (len < c->size)
		return -EINVAL;
	if (msg_ops(t))
		return msg_ops(t)->recv(t, c, buf, len);
	if (task_sem_down(t, &c->items))
		return -ECANCELED;
	task_mutex_lock(t, &c->m);
	memcpy(buf, c->buf + (size_t)(c->head++ % c->cap) * c->size, c->size);
	task_mutex_unlock(t, &c->m);
	task_sem_up(t, &c->free);
	return (int)c->size;
}

uint64_t task_counter_get(struct task *t, struct task_counter *c)
{
	if (msg_ops(t))
		return msg_ops(t)->get(t, c);
	return atomic_load_explicit(&c->v, memory_order_relaxed);
}

void task_counter_put(struct task *t, struct task_counter *c, uint64_t v)
{
	if (msg_ops(t))
		msg_ops(t)->put(t, c, v);
	else
		atomic_store_explicit(&c->v, v, memory_order_relaxed);
}

uint64_t task_counter_fetch_add(struct task *t, struct task_counter *c, uint64_t d)
{
	if (msg_ops(t))
		return msg_ops(t)->fetch_add(t, c, d);
	return atomic_fetch_add(&c->v, d);
}

void task_counter_lock(struct task *t, struct task_counter *c)
{
	if (msg_ops(t))
		msg_ops(t)->lock(t, c);
	else
		task_mutex_lock(t, &c->m);
}

void task_counter_unlock(struct task *t, struct task_counter *c)
{
	if (msg_ops(t))
		msg_ops(t)->unlock(t, c);
	else
		task_mutex_unlock(t, &c->m);
}

uint64_t task_counter_value(const struct run *r, const struct task_counter *c)
{
	(void)r;
	return atomic_load(&c->v);
}
