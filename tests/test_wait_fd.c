/* wait_fd: task_wait_fd() under every driver, and under drivers without the hook (the
 * task-API fallback): ready (read and write side), found while another worker keeps running
 * (a coroutine scheduler that never idles must still look at the fd), timeout, cancelled by
 * the stop request, a descriptor that is not open. The probe is a test workload on the task
 * API alone; its verify records what the waiting worker saw as metrics. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <unistd.h>

#include "drivers/driver.h"
#include "tests/test.h"
#include "tests/util.h"
#include "workloads/workload.h"

enum { P_READY, P_WRITABLE, P_BUSY_PEER, P_TIMEOUT, P_CANCEL, P_BADFD };

#define PROBE_TIMEOUT_MS 2

struct probe {
	int fd[2];                    /* O_NONBLOCK pipe made in setup, before spawn */
	unsigned kase;
	_Atomic unsigned got;         /* the waiter is through (P_BUSY_PEER: the peer stops yielding) */
	int rc;                       /* what task_wait_fd returned to the waiter */
	int byte;                     /* what the waiter then read (-1: nothing) */
	uint64_t elapsed_ns;          /* how long the wait took */
};

static const struct knob probe_knobs[] = {
	{ "case", KNOB_ENUM, "ready", 0, 0, "ready|writable|busy-peer|timeout|cancel|badfd", "what to probe" },
	{ 0 }
};

/* The worker that waits: worker 1 where a peer makes the fd ready, else worker 0. */
static int probe_waiter(struct task *t, struct probe *s)
{
	static const short ev[] = { POLLIN, POLLOUT, POLLIN, POLLIN, POLLIN, POLLIN };
	uint64_t timeout = s->kase == P_TIMEOUT ? PROBE_TIMEOUT_MS * 1000000ull : TASK_FOREVER;
	int fd = s->kase == P_BADFD ? INT_MAX : s->kase == P_WRITABLE ? s->fd[1] : s->fd[0];
	uint64_t t0 = task_now_ns();
	s->rc = task_wait_fd(t, fd, ev[s->kase], timeout);
	s->elapsed_ns = task_now_ns() - t0;
	char c;
	s->byte = s->kase != P_WRITABLE && s->kase != P_BADFD && read(s->fd[0], &c, 1) == 1 ? c : -1;
	atomic_store(&s->got, 1);
	task_ops(t, 1);
	return 0;
}

/* The peer makes the fd ready after a while: a byte to read, or room in the full pipe. */
static int probe_peer(struct task *t, struct probe *s)
{
	char buf[4096]; /* a coroutine stack is 64 KiB */
	task_sleep_ns(t, 5000000);
	if (s->kase == P_WRITABLE)
		while (read(s->fd[0], buf, sizeof buf) > 0)
			;
	else if (write(s->fd[1], "x", 1) != 1)
		return task_fail(t, "write to the probe pipe failed");
	/* busy-peer: keep running (yielding, never blocking) until the waiter is through */
	while (s->kase == P_BUSY_PEER && !atomic_load(&s->got))
		task_yield(t);
	return 0;
}

static int probe_run(struct task *t)
{
	struct probe *s = t->run->wl_shared;
	int two = s->kase == P_READY || s->kase == P_WRITABLE || s->kase == P_BUSY_PEER;
	if (!two || t->id == 1)
		return t->id <= 1 ? probe_waiter(t, s) : 0;
	return t->id == 0 ? probe_peer(t, s) : 0;
}

static int probe_setup(struct run *r)
{
	struct probe *s = task_shm_alloc(r, sizeof *s);
	if (!s || pipe2(s->fd, O_NONBLOCK | O_CLOEXEC))
		return run_fail(r, "probe setup failed");
	r->wl_shared = s;
	s->kase = (unsigned)run_knob_enum(r, "case");
	s->byte = -1;
	char buf[4096] = { 0 };
	if (s->kase == P_WRITABLE) /* fill the pipe: the waiter waits for room */
		while (write(s->fd[1], buf, sizeof buf) > 0)
			;
	return 0;
}

static int probe_verify(struct run *r)
{
	struct probe *s = r->wl_shared;
	run_metric(r, "rc", s->rc);
	run_metric(r, "byte", s->byte);
	run_metric(r, "elapsed_ms", (double)s->elapsed_ns / 1e6);
	return 0;
}

static void probe_teardown(struct run *r)
{
	struct probe *s = r->wl_shared;
	if (s) {
		close(s->fd[0]);
		close(s->fd[1]);
	}
}

static const struct workload probe = {
	.name = "test-wait-fd",
	.summary = "task_wait_fd probe",
	.version = WORKLOAD_API_VERSION,
	.min_workers = 1,
	.knobs = probe_knobs,
	.primary_metric = "ops_per_s",
	.op_unit = "waits",
	.higher_is_better = 1,
	.setup = probe_setup,
	.run = probe_run,
	.verify = probe_verify,
	.teardown = probe_teardown,
};

/* Every registered driver, the coroutine driver on two scheduler threads (the peer on the
 * other thread), and the thread and coroutine drivers without a wait_fd hook (the fallback). */
struct target { const struct driver_ops *drv; const char *knob; };
static struct driver_ops nohook_thread, nohook_coro;

static const struct target *targets(unsigned *n)
{
	static struct target t[16];
	unsigned k = 0;
	for (unsigned i = 0; i < driver_count && k < 12; i++)
		if (!(driver_table[i]->flags & (DRIVER_FOREIGN | DRIVER_EXEC)) && !driver_table[i]->unsupported)
			/* FOREIGN runs no C run(), EXEC not this file's workload */
			t[k++].drv = driver_table[i];
	if (driver_find("coroutine")) {
		t[k].drv = driver_find("coroutine");
		t[k++].knob = "threads=2";
		nohook_coro = *driver_find("coroutine");
		nohook_coro.name = "coroutine-nohook";
		nohook_coro.wait_fd = NULL;
		t[k++].drv = &nohook_coro;
	}
	nohook_thread = driver_thread;
	nohook_thread.name = "thread-nohook";
	nohook_thread.wait_fd = NULL;
	t[k++].drv = &nohook_thread;
	*n = k;
	return t;
}

/* Run the probe; returns the repetition (the cell must pass). Every case but "cancel" runs
 * self-bounded: the runner never stops it, so a wait that nothing ends fails the cell (the
 * watchdog) instead of being rescued by the stop request. */
static json_t *probe_rep(json_t **root, const struct driver_ops *drv, const char *dknob, const char *kase,
                         unsigned workers)
{
	static struct workload bounded;
	bounded = probe;
	bounded.flags = WORKLOAD_SELF_BOUNDED;
	char k[40];
	snprintf(k, sizeof k, "case=%s", kase);
	*root = tcell_run(&(struct tcell){ .wl = strcmp(kase, "cancel") ? &bounded : &probe, .drv = drv,
	                                   .workers = workers, .duration_s = 0.05, .timeout_s = 5, .knobs = { k, dknob } });
	json_t *cell = tcell_cell(*root);
	if (strcmp(tcell_status(cell), "ok"))
		TEST_FAIL("%s %s %s: %s: %s", drv->name, dknob ? dknob : "", kase, tcell_status(cell), tcell_error(cell));
	return tcell_rep0(cell);
}

/* What the waiter must see, per case: task_wait_fd's result and the byte it read after. */
static const struct probe_case { const char *kase; unsigned workers; int rc, byte; } cases[] = {
	{ "ready", 2, 0, 'x' },              /* the peer writes a byte after 5 ms */
	{ "writable", 2, 0, -1 },            /* the pipe is full; the peer drains it after 5 ms */
	{ "busy-peer", 2, 0, 'x' },          /* the peer writes, then yields until the waiter is through */
	{ "timeout", 1, -ETIMEDOUT, -1 },    /* an empty pipe, PROBE_TIMEOUT_MS */
	{ "cancel", 1, -ECANCELED, -1 },     /* an empty pipe, no timeout: only the stop request ends it */
	{ "badfd", 1, -EBADF, -1 },          /* a descriptor that is not open */
};

/* cases[from .. to-1] under every target. */
static void check_cases(unsigned from, unsigned to)
{
	unsigned n;
	const struct target *t = targets(&n);
	for (unsigned i = 0; i < n; i++)
		for (unsigned c = from; c < to; c++) {
			json_t *root;
			json_t *r = probe_rep(&root, t[i].drv, t[i].knob, cases[c].kase, cases[c].workers);
			if (tcell_num(r, "rc") != cases[c].rc || tcell_num(r, "byte") != cases[c].byte)
				TEST_FAIL("%s %s, %s: rc %g byte %g, want rc %d byte %d", t[i].drv->name, t[i].knob ? t[i].knob : "",
				          cases[c].kase, tcell_num(r, "rc"), tcell_num(r, "byte"), cases[c].rc, cases[c].byte);
			if (cases[c].rc == -ETIMEDOUT && !(tcell_num(r, "elapsed_ms") >= PROBE_TIMEOUT_MS)) /* never early */
				TEST_FAIL("%s: timed out after %g ms of %d", t[i].drv->name, tcell_num(r, "elapsed_ms"),
				          PROBE_TIMEOUT_MS);
			json_decref(root);
		}
}

TEST_T(wait_fd, ready_when_a_peer_writes_or_makes_room, 120)
{
	check_cases(0, 2);
}

/* The peer never blocks: a cooperative driver must look at the fd while others run. */
TEST_T(wait_fd, ready_while_another_worker_keeps_running, 120)
{
	check_cases(2, 3);
}

TEST_T(wait_fd, times_out_cancels_and_rejects_a_closed_fd, 120)
{
	check_cases(3, 6);
}
