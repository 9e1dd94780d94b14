/* osdrv: futex blocking, gate, stop kicks and shm bookkeeping for the thread/process drivers. */
#define _GNU_SOURCE
#include "drivers/osdrv.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "bench/core/futex.h"
#include "bench/machine/topo.h"

static struct osdrv *priv(const struct run *r) { return r->drv_priv; }
static int shared_of(const struct task *t) { return priv(t->run)->shared; }

#define OSDRV_SPIN_MAX_US 1000

const struct knob osdrv_knobs[] = {
	{ "wait_spin_us", KNOB_INT, "0", 0, OSDRV_SPIN_MAX_US, NULL,
	  "task_wait polls the word this long before it blocks in the futex (spin-then-block), only when "
	  "every worker has a PU of its own; burns CPU (util) to skip an idle core's wake-up; 0: block at once" },
	{ 0 }
};

uint64_t osdrv_spin_ns(const struct run *r)
{
	const struct knobval *v = opt_get(r->knobs, "wait_spin_us");
	if (!v || v->num <= 0 || r->nworkers < 2)
		return 0;
	unsigned distinct = 0;
	for (unsigned i = 0; i < r->nworkers; i++) {
		if (r->pus[i] < 0) { /* an unbound worker may run on any PU */
			distinct = topo_npus() > 0 ? (unsigned)topo_npus() : 1;
			break;
		}
		unsigned seen = 0;
		for (unsigned j = 0; j < i && !seen; j++)
			seen = r->pus[j] == r->pus[i];
		distinct += !seen;
	}
	return distinct >= 2 && r->nworkers <= distinct ? (uint64_t)v->num * 1000u : 0;
}

int osdrv_init(struct run *r, int shared, size_t handle_size)
{
	struct osdrv *d = calloc(1, sizeof *d);
	if (!d)
		return -ENOMEM;
	d->shared = shared;
	d->spin_ns = osdrv_spin_ns(r);
	d->handles = calloc(r->nworkers ? r->nworkers : 1, handle_size);
	d->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (!d->handles || d->stop_fd < 0) {
		int e = d->stop_fd < 0 ? errno : ENOMEM;
		if (d->stop_fd >= 0)
			close(d->stop_fd);
		free(d->handles);
		free(d);
		return -e;
	}
	r->drv_priv = d;
	return 0;
}

void *osdrv_shm_alloc(struct run *r, size_t size)
{
	struct osdrv *d = priv(r);
	if (d->nblocks == d->cap) {
		unsigned cap = d->cap ? d->cap * 2 : 8;
		void **b = realloc(d->blocks, cap * sizeof *b);
		if (!b)
			return NULL;
		d->blocks = b;
		size_t *s = realloc(d->sizes, cap * sizeof *s);
		if (!s)
			return NULL;
		d->sizes = s;
		d->cap = cap;
	}
	/* MAP_SHARED for processes: inherited by fork at the same address, so pointers into it are
	 * valid in every worker. Anonymous, so nothing named can outlive bench. */
	void *p = mmap(NULL, size ? size : 1, PROT_READ | PROT_WRITE,
	               (d->shared ? MAP_SHARED : MAP_PRIVATE) | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	d->blocks[d->nblocks] = p;
	d->sizes[d->nblocks++] = size ? size : 1;
	return p;
}

void osdrv_cleanup(struct run *r)
{
	struct osdrv *d = priv(r);
	if (!d)
		return;
	for (unsigned i = 0; i < d->nblocks; i++)
		munmap(d->blocks[i], d->sizes[i]);
	free(d->blocks);
	free(d->sizes);
	free(d->handles);
	close(d->stop_fd);
	free(d);
	r->drv_priv = NULL;
}

int osdrv_start(struct run *r)
{
	atomic_store(&r->sh->gate, 1);
	futex_wake(&r->sh->gate, INT_MAX, priv(r)->shared);
	return 0;
}

void osdrv_stop(struct run *r)
{
	struct osdrv *d = priv(r);
	int sh = d->shared;
	if (!d->stop_sent) { /* once: the eventfd stays readable, so every fd wait ends */
		uint64_t one = 1;
		d->stop_sent = write(d->stop_fd, &one, sizeof one) == (ssize_t)sizeof one;
	}
	futex_wake(&r->sh->stop, INT_MAX, sh);
	futex_wake(&r->sh->gate, INT_MAX, sh);
	for (unsigned i = 0; i < r->nworkers; i++) {
		uintptr_t a = atomic_load(&r->sh->slot[i].wait_addr);
		if (a)
			futex_wake((_Atomic unsigned *)a, INT_MAX, sh);
	}
}

void osdrv_checkpoint(struct task *t)
{
	atomic_store_explicit(t->brk, 0, memory_order_relaxed);
}

void osdrv_yield(struct task *t)
{
	(void)t;
	sched_yield();
}

int osdrv_sleep_on(struct task *t, _Atomic unsigned *word, uint64_t ns)
{
	uint64_t deadline = task_now_ns() + ns;
	for (;;) {
		if (task_should_stop(t))
			return -ECANCELED;
		uint64_t now = task_now_ns();
		if (now >= deadline)
			return 0;
		futex_wait(word, 0, deadline - now, shared_of(t));
	}
}

#if defined(__x86_64__) || defined(__i386__)
#define osdrv_relax() __builtin_ia32_pause()
#elif defined(__aarch64__)
#define osdrv_relax() __asm__ __volatile__("yield")
#else
#define osdrv_relax() ((void)0)
#endif

/* The spin of spin-then-block: poll *word for at most ns. 1 once it is not `expected` any
 * more, 0 when the time is up or the run is stopping (then the futex wait decides). The
 * clock is read every 64 polls (a poll with its pause is ~10-40 ns). */
static int spin_for_change(const struct task *t, _Atomic unsigned *word, unsigned expected, uint64_t ns)
{
	uint64_t end = task_now_ns() + ns;
	for (unsigned i = 1;; i++) {
		if (atomic_load_explicit(word, memory_order_acquire) != expected)
			return 1;
		if (!(i & 63) && (task_should_stop(t) || task_now_ns() >= end))
			return 0;
		osdrv_relax();
	}
}

int osdrv_sleep_ns(struct task *t, uint64_t ns)
{
	/* Sleep on the stop word: a stopping run wakes every sleeper at once. */
	return osdrv_sleep_on(t, t->stop, ns);
}

int osdrv_wait(struct task *t, _Atomic unsigned *word, unsigned expected, uint64_t timeout_ns)
{
	uint64_t spin = priv(t->run)->spin_ns;
	if (spin && atomic_load(word) != expected)
		return -EAGAIN; /* as the futex would say */
	if (spin) {
		uint64_t t0 = task_now_ns();
		if (spin_for_change(t, word, expected, spin < timeout_ns ? spin : timeout_ns))
			return 0; /* woken while spinning: the waker's task_wake finds no sleeper */
		if (timeout_ns != TASK_FOREVER) {
			uint64_t spun = task_now_ns() - t0;
			if (spun >= timeout_ns)
				return -ETIMEDOUT;
			timeout_ns -= spun;
		}
	}
	/* Publish the word, then look at stop, both seq_cst: osdrv_stop runs after the runner set
	 * stop and wakes every published word, so either it sees ours or we see the stop. (Only
	 * the OS drivers need this; the coroutine driver's stop reaches its schedulers itself.) */
	atomic_store(&t->slot->wait_addr, (uintptr_t)word);
	int rc = 0;
	if (!atomic_load(t->stop))
		rc = futex_wait(word, expected, timeout_ns == TASK_FOREVER ? FUTEX_FOREVER : timeout_ns,
		                shared_of(t));
	atomic_store_explicit(&t->slot->wait_addr, 0, memory_order_relaxed);
	return rc == -EINTR ? 0 : rc;
}

int osdrv_wake(struct task *t, _Atomic unsigned *word, int n)
{
	int rc = futex_wake(word, n, shared_of(t));
	return rc < 0 ? 0 : rc;
}

int osdrv_wait_fd(struct task *t, int fd, short events, uint64_t timeout_ns)
{
	struct pollfd p[2] = { { .fd = fd, .events = events }, { .fd = priv(t->run)->stop_fd, .events = POLLIN } };
	uint64_t now = task_now_ns(), deadline = timeout_ns > UINT64_MAX - now ? UINT64_MAX : now + timeout_ns;
	for (;;) {
		/* stop() sets the flag, then makes the eventfd readable: one of the two is seen */
		if (task_should_stop(t))
			return -ECANCELED;
		struct timespec ts, *tsp = NULL;
		if (deadline != UINT64_MAX) {
			now = task_now_ns();
			uint64_t left = deadline > now ? deadline - now : 0;
			ts = (struct timespec){ .tv_sec = (time_t)(left / 1000000000u), .tv_nsec = (long)(left % 1000000000u) };
			tsp = &ts;
		}
		int k = ppoll(p, 2, tsp, NULL);
		if (k < 0 && errno != EINTR)
			return -errno;
		if (k > 0 && (p[0].revents & POLLNVAL))
			return -EBADF;
		if (k > 0 && p[0].revents)
			return 0;
		if (k > 0 && p[1].revents)
			return -ECANCELED;
		if (k == 0)
			return -ETIMEDOUT;
	}
}

int osdrv_bind_worker(struct task *t, int process)
{
	int pu = t->run->pus[t->id];
	t->slot->bound_pu = -1;
	if (pu < 0)
		return 0;
	int rc = topo_bind_self(pu, process);
	if (rc)
		return rc;
	int got = topo_bound_pu();
	t->slot->bound_pu = got == pu ? pu : -2;
	return 0;
}

int osdrv_thread_spawn(struct run *r, struct task *t, void *(*entry)(void *))
{
	struct osdrv *d = priv(r);
	pthread_attr_t a;
	pthread_attr_init(&a);
	pthread_attr_setstacksize(&a, strcmp(BENCH_SANITIZER, "none") ? 1u << 20 : 256u << 10);
	int rc = pthread_create(&((pthread_t *)d->handles)[t->id], &a, entry, t);
	pthread_attr_destroy(&a);
	if (rc)
		return -rc;
	d->spawned++;
	return 0;
}

int osdrv_thread_join(struct run *r)
{
	struct osdrv *d = priv(r);
	int failed = 0;
	for (unsigned i = 0; i < d->spawned; i++) {
		void *ret;
		pthread_join(((pthread_t *)d->handles)[i], &ret);
		if ((intptr_t)ret != 0 && !failed) {
			failed = 1;
			snprintf(r->err, sizeof r->err, "worker %u failed: %s", i, r->sh->slot[i].err);
		}
	}
	d->spawned = 0;
	return failed ? -1 : 0;
}
