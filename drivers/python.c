/* python drivers: the workloads run by a real CPython, beside bench's simulations of it.
 *
 * py-thread (threading, the real GIL), py-process (multiprocessing, fork) and py-asyncio (one
 * event loop, a task per worker) run a workload's Python twin, workloads/python/<name>.py, in
 * a child interpreter: `python -E -s -B harness.py ...`, one per repetition (the protocol is
 * at the top of workloads/python/harness.py). Why a child and not an embedded libpython: any
 * interpreter on the machine can be measured without rebuilding bench (-O python=python3.9,
 * several in one sweep), bench needs no python3-dev to build, the interpreter's own start-up,
 * signal handlers and threads stay out of the cell process, and a segfault in Python (a bad
 * ctypes call) kills the interpreter, not the cell process: it fails its cell as a dead
 * worker does under the process driver.
 *
 * The interpreter starts in spawn (worker 0; the others are its threads, processes or tasks),
 * so its start-up and the creation of the workers are outside the measured region: the
 * workers park at the gate, which start() opens with one byte on a pipe. Each worker writes
 * its own line of a shared block (a memfd both sides map): ops, state, begin/end times, CPU,
 * PU; reap() (every 100 ms, and while waiting for the gate and for the stop) mirrors the
 * lines into bench's worker slots, so the runner measures these workers as any others.
 *
 * The runner calls the workload's hooks; the C run() must not run here. So init puts an
 * adapter in run->wl, the cell's workload with three hooks changed: setup first asks whether
 * the twin can run this cell (no interpreter, no twin, a mode Python has no counterpart for:
 * -ENOTSUP, the cell is skipped with the reason), then calls the C setup (its own checks);
 * verify applies the C twin's check to the figures the Python twin reported (the same
 * shared_counter_check, sleep_io_check, spin unit and pc_mix as in C). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/core/futex.h"
#include "drivers/driver.h"
#include "drivers/python.h"
#include "workloads/workload.h"

static const char *const py_model_names[] = { "thread", "process", "asyncio" };

/* One worker's line of the shared block: WORD_* of harness.py, in order. */
struct py_line {
	_Atomic int64_t ops, brk, state, t_begin, t_end, utime, stime, nvcsw, nivcsw, bound, cpu, fault, tid;
	int64_t spare[3];
	char err[128];
};
_Static_assert(sizeof(struct py_line) == 256, "harness.py: LINE_WORDS = 32");
#define PY_HEADER_BYTES 64 /* HEADER_WORDS = 8 */
enum { PYS_NEW, PYS_READY, PYS_RUNNING, PYS_DONE, PYS_FAILED };
#define PY_MIN_VERSION 307 /* asyncio.run, time.monotonic_ns */
#define PY_FD_BLOCK 3
#define PY_FD_GATE 4
#define PY_FD_REPORT 5

static const struct knob py_knobs[] = {
	{ "python", KNOB_TEXT, "python3", 0, 0, NULL,
	  "the interpreter: a command on PATH (python3, python3.12), or a version (3.9) found as python3.9 on "
	  "PATH or in $PYENV_ROOT/versions (default ~/.pyenv)" },
	{ "py_raise", KNOB_INT, "-1", -1, TASK_MAX_WORKERS - 1, NULL,
	  "this worker raises an exception as it starts (tests: a failing Python worker fails its cell); -1: none" },
	{ 0 }
};

static struct py_run *py_of(const struct run *r) { return r->drv_priv; }
static enum py_model model_of(const struct run *r)
{
	return r->drv == &driver_py_process ? PY_PROCESS : r->drv == &driver_py_asyncio ? PY_ASYNCIO : PY_THREAD;
}
static struct py_line *line_of(const struct py_run *p, unsigned i)
{
	return (struct py_line *)(p->block + PY_HEADER_BYTES + (size_t)i * sizeof(struct py_line));
}

/* ---- finding the interpreter and the twin ---- */

static int executable(const char *path)
{
	struct stat st;
	return !stat(path, &st) && S_ISREG(st.st_mode) && !access(path, X_OK);
}

static int on_path(const char *cmd, char *out, size_t len)
{
	const char *path = getenv("PATH");
	while (path && *path) {
		size_t n = strcspn(path, ":");
		if (n && snprintf(out, len, "%.*s/%s", (int)n, path, cmd) < (int)len && executable(out))
			return 0;
		path += n + (path[n] == ':');
	}
	return -ENOENT;
}

/* A version "3.9": python3.9 on PATH (not a pyenv shim, which may refuse), else pyenv's. */
static int by_version(const char *ver, char *out, size_t len)
{
	char cmd[64];
	snprintf(cmd, sizeof cmd, "python%s", ver);
	if (!on_path(cmd, out, len) && !strstr(out, "/shims/"))
		return 0;
	const char *root = getenv("PYENV_ROOT"), *home = getenv("HOME");
	char dir[PATH_MAX];
	if (!root && !home)
		return -ENOENT;
	snprintf(dir, sizeof dir, "%s%s/versions", root ? root : home, root ? "" : "/.pyenv");
	for (int patch = 99; patch >= 0; patch--) {
		snprintf(out, len, "%s/%s.%d/bin/python%s", dir, ver, patch, ver);
		if (executable(out))
			return 0;
	}
	return -ENOENT;
}

int python_find(const char *want, char *out, size_t len, char *why, size_t wlen)
{
	int rc = strspn(want, "0123456789.") == strlen(want) ? by_version(want, out, len) : on_path(want, out, len);
	if (rc)
		snprintf(why, wlen, "no python interpreter: '%s' is not %s (-O python=)", want,
		         strspn(want, "0123456789.") == strlen(want) ? "on PATH as python<version> nor in pyenv" : "on PATH");
	return rc;
}

/* The interpreter's version, 100 * major + minor (it runs once per path and cell process: a
 * cell's repetitions share the answer). 0 if it could not be asked. */
static unsigned interpreter_version(const char *python)
{
	static char asked[PATH_MAX];
	static unsigned answer;
	if (!strcmp(asked, python))
		return answer;
	int fd[2];
	if (pipe2(fd, O_CLOEXEC))
		return 0;
	pid_t pid = fork();
	if (pid == 0) {
		dup2(fd[1], 1);
		execl(python, python, "-E", "-s", "-c", "import sys; print('%d %d' % sys.version_info[:2])", (char *)NULL);
		_exit(127);
	}
	close(fd[1]);
	char buf[32] = "";
	ssize_t n = pid > 0 ? read(fd[0], buf, sizeof buf - 1) : -1;
	close(fd[0]);
	if (pid > 0)
		waitpid(pid, NULL, 0);
	unsigned maj = 0, min = 0;
	buf[n > 0 ? n : 0] = 0;
	answer = sscanf(buf, "%u %u", &maj, &min) == 2 ? maj * 100 + min : 0;
	snprintf(asked, sizeof asked, "%s", python);
	return answer;
}

/* The directory of harness.py: next to the binary once installed (../share/bench/python),
 * else the source tree (a binary of the build tree), else the compile-time data directory. */
int python_dir(char *out, size_t len)
{
	char exe[PATH_MAX], probe[PATH_MAX + 32];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	const char *cand[3] = { NULL, BENCH_PYTHON_SRCDIR, BENCH_PYTHON_DATADIR };
	char rel[PATH_MAX + 32];
	if (n > 0) {
		exe[n] = 0;
		char *slash = strrchr(exe, '/');
		if (slash)
			*slash = 0;
		snprintf(rel, sizeof rel, "%s/../share/bench/python", exe);
		cand[0] = rel;
	}
	for (int i = 0; i < 3; i++) {
		if (!cand[i])
			continue;
		snprintf(probe, sizeof probe, "%s/harness.py", cand[i]);
		if (!access(probe, R_OK)) {
			snprintf(out, len, "%s", cand[i]);
			return 0;
		}
	}
	return -ENOENT;
}

/* ---- lifecycle ---- */

static int py_init(struct run *r)
{
	struct py_run *p = calloc(1, sizeof *p);
	if (!p)
		return -ENOMEM;
	r->drv_priv = p;
	p->pid = -1;
	p->gate_fd = p->report_fd = p->err_fd = p->block_fd = -1;
	p->model = model_of(r);
	p->orig = r->wl;
	p->twin = python_twin_find(r->wl->name);
	p->fault_sent = calloc(r->nworkers ? r->nworkers : 1, 1);
	if (!p->fault_sent)
		return -ENOMEM;
	p->block_size = PY_HEADER_BYTES + (size_t)(r->nworkers ? r->nworkers : 1) * sizeof(struct py_line);
	int fd = memfd_create("bench-python", MFD_CLOEXEC);
	if (fd < 0 || ftruncate(fd, (off_t)p->block_size)) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		return -e;
	}
	p->block_fd = fd;
	p->block = mmap(NULL, p->block_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p->block == MAP_FAILED) {
		p->block = NULL;
		return -errno;
	}
	if (python_find(run_knob_text(r, "python"), p->python, sizeof p->python, p->unavailable,
	                sizeof p->unavailable) == 0 &&
	    python_dir(p->dir, sizeof p->dir))
		snprintf(p->unavailable, sizeof p->unavailable, "workloads/python/harness.py not found (installed or in %s)",
		         BENCH_PYTHON_SRCDIR);
	unsigned ver = p->unavailable[0] ? PY_MIN_VERSION : interpreter_version(p->python);
	if (ver < PY_MIN_VERSION)
		snprintf(p->unavailable, sizeof p->unavailable, "%s is Python %u.%u; the harness needs %d.%d or later",
		         p->python, ver / 100, ver % 100, PY_MIN_VERSION / 100, PY_MIN_VERSION % 100);
	python_adapt(r, p);
	return 0;
}

static void *py_shm_alloc(struct run *r, size_t size)
{
	/* For the C setup's own state (and the control block): only this process reads it. */
	struct py_run *p = py_of(r);
	if (p->nblocks == sizeof p->blocks / sizeof p->blocks[0])
		return NULL;
	void *b = calloc(1, size ? size : 1);
	if (b)
		p->blocks[p->nblocks++] = b;
	return b;
}

static void py_cleanup(struct run *r)
{
	struct py_run *p = py_of(r);
	if (!p)
		return;
	if (p->pid > 0 && !p->exited) {
		kill(p->pid, SIGKILL);
		waitpid(p->pid, NULL, 0);
	}
	int fds[] = { p->gate_fd, p->report_fd, p->err_fd, p->block_fd };
	for (unsigned i = 0; i < sizeof fds / sizeof fds[0]; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	if (p->block)
		munmap(p->block, p->block_size);
	for (unsigned i = 0; i < p->nblocks; i++)
		free(p->blocks[i]);
	free(p->fault_sent);
	if (r->wl == &p->wl)
		r->wl = p->orig;
	free(p);
	r->drv_priv = NULL;
}

/* Append one formatted argument; 0, or -1 when out of memory. */
static int arg(char **av, size_t *k, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int arg(char **av, size_t *k, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vasprintf(&av[*k], fmt, ap);
	va_end(ap);
	if (n < 0) {
		av[*k] = NULL;
		return -1;
	}
	(*k)++;
	return 0;
}

static void argv_free(char **av);

/* argv of the interpreter: the harness, its fds, the cell (model, workload, workers, PUs)
 * and every knob as --knob name=value. NULL when out of memory. */
static char **py_argv(struct run *r, struct py_run *p)
{
	char **av = calloc(32 + 2 * (size_t)r->knobs->n, sizeof *av);
	char *pus = malloc((size_t)r->nworkers * 12 + 2);
	size_t k = 0, o = 0;
	int bad = !av || !pus;
	for (unsigned i = 0; !bad && i < r->nworkers; i++)
		o += (size_t)sprintf(pus + o, "%s%d", i ? "," : "", r->pus[i]);
	bad = bad || arg(av, &k, "%s", p->python) || arg(av, &k, "-E") || arg(av, &k, "-s") || arg(av, &k, "-B") ||
	      arg(av, &k, "%s/harness.py", p->dir) || arg(av, &k, "--block") || arg(av, &k, "%d", PY_FD_BLOCK) ||
	      arg(av, &k, "--block-size") || arg(av, &k, "%zu", p->block_size) || arg(av, &k, "--gate") ||
	      arg(av, &k, "%d", PY_FD_GATE) || arg(av, &k, "--report") || arg(av, &k, "%d", PY_FD_REPORT) ||
	      arg(av, &k, "--model") || arg(av, &k, "%s", py_model_names[p->model]) || arg(av, &k, "--workload") ||
	      arg(av, &k, "%s", p->twin->module) || arg(av, &k, "--workers") || arg(av, &k, "%u", r->nworkers) ||
	      arg(av, &k, "--pus") || arg(av, &k, "%s", pus) || arg(av, &k, "--raise") ||
	      arg(av, &k, "%lld", (long long)run_knob_int(r, "py_raise"));
	for (unsigned i = 0; !bad && i < r->knobs->n; i++)
		bad = arg(av, &k, "--knob") || arg(av, &k, "%s=%s", r->knobs->v[i].k->name, r->knobs->v[i].text);
	free(pus);
	if (bad) {
		argv_free(av);
		return NULL;
	}
	return av;
}

static void argv_free(char **av)
{
	for (size_t i = 0; av && av[i]; i++)
		free(av[i]);
	free(av);
}

/* In the forked child: the three protocol fds at fixed numbers, stdout and stderr into the
 * error pipe, then the interpreter. Never returns. */
static void py_exec(char **av, int block, int gate, int report, int err, pid_t parent)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(125);
	int devnull = open("/dev/null", O_RDONLY);
	/* dup2 never clobbers a source: move them above the fixed numbers first */
	int b = fcntl(block, F_DUPFD, 10), g = fcntl(gate, F_DUPFD, 10), rp = fcntl(report, F_DUPFD, 10);
	int e = fcntl(err, F_DUPFD, 10);
	if (devnull < 0 || b < 0 || g < 0 || rp < 0 || e < 0 || dup2(devnull, 0) < 0 || dup2(e, 1) < 0 ||
	    dup2(e, 2) < 0 || dup2(b, PY_FD_BLOCK) < 0 || dup2(g, PY_FD_GATE) < 0 || dup2(rp, PY_FD_REPORT) < 0)
		_exit(126);
	signal(SIGPIPE, SIG_DFL);
	execv(av[0], av);
	dprintf(2, "cannot run %s: %s\n", av[0], strerror(errno));
	_exit(127);
}

static int py_launch(struct run *r, struct py_run *p)
{
	int gate[2], rep[2], err[2];
	if (pipe2(gate, O_CLOEXEC))
		return -errno;
	if (pipe2(rep, O_CLOEXEC)) {
		close(gate[0]);
		close(gate[1]);
		return -errno;
	}
	if (pipe2(err, O_CLOEXEC | O_NONBLOCK)) {
		int e = errno;
		close(gate[0]), close(gate[1]), close(rep[0]), close(rep[1]);
		return -e;
	}
	char **av = py_argv(r, p);
	pid_t parent = getpid();
	pid_t pid = av ? fork() : -1;
	if (pid == 0)
		py_exec(av, p->block_fd, gate[0], rep[1], err[1], parent);
	int e = errno;
	argv_free(av);
	close(gate[0]), close(rep[1]), close(err[1]);
	p->gate_fd = gate[1];
	p->report_fd = rep[0];
	p->err_fd = err[0];
	if (pid < 0)
		return av ? -e : -ENOMEM;
	p->pid = pid;
	return 0;
}

static int py_spawn(struct run *r, struct task *t)
{
	struct py_run *p = py_of(r);
	if (t->id > 0)
		return 0; /* worker 0's interpreter runs them all */
	return py_launch(r, p);
}

static int py_start(struct run *r)
{
	struct py_run *p = py_of(r);
	return write(p->gate_fd, "g", 1) == 1 ? 0 : -EPIPE;
}

static void py_stop(struct run *r)
{
	struct py_run *p = py_of(r);
	for (unsigned i = 0; i < r->nworkers; i++)
		atomic_store(&line_of(p, i)->brk, 1);
}

/* The last line the interpreter wrote on stderr (a traceback's last line says why): keeps the
 * last bytes it wrote. Drained at every reap, so a chatty interpreter never fills the pipe. */
static void err_tail(struct py_run *p)
{
	char buf[4096];
	ssize_t n;
	const size_t cap = sizeof p->stderr_tail - 1;
	while (p->err_fd >= 0 && (n = read(p->err_fd, buf, sizeof buf)) > 0) {
		size_t old = strlen(p->stderr_tail), add = (size_t)n;
		const char *src = buf;
		if (add > cap) {
			src += add - cap;
			add = cap;
		}
		size_t keep = old + add > cap ? cap - add : old;
		memmove(p->stderr_tail, p->stderr_tail + old - keep, keep);
		memcpy(p->stderr_tail + keep, src, add);
		p->stderr_tail[keep + add] = 0;
	}
}

/* Why the interpreter ended, for a worker that could not say it itself. */
static void describe_exit(const struct py_run *p, char *buf, size_t len)
{
	const char *tail = p->stderr_tail, *nl;
	while ((nl = strchr(tail, '\n')) && nl[1])
		tail = nl + 1;
	if (WIFSIGNALED(p->status))
		snprintf(buf, len, "python interpreter (pid %d) killed by signal %d (%s)", (int)p->pid,
		         WTERMSIG(p->status), strsignal(WTERMSIG(p->status)));
	else
		snprintf(buf, len, "python interpreter (pid %d) exited with status %d%s%.*s", (int)p->pid,
		         WEXITSTATUS(p->status), *tail ? ": " : "", (int)strcspn(tail, "\n"), tail);
}

/* One worker's line into its slot: counts, and once it ended, its times, CPU and status. */
static void mirror(struct run *r, struct py_run *p, unsigned i, unsigned *ready, unsigned *done)
{
	struct py_line *l = line_of(p, i);
	struct task_slot *s = &r->sh->slot[i];
	int64_t st = atomic_load(&l->state);
	atomic_store_explicit(&s->ops, (uint64_t)atomic_load(&l->ops), memory_order_relaxed);
	unsigned f = atomic_load(&s->fault);
	if (f && !p->fault_sent[i]) { /* -O fault=: to the worker, at its next op */
		atomic_store(&l->fault, f);
		atomic_store(&l->brk, 1);
		p->fault_sent[i] = 1;
	} else if (f && !atomic_load(&l->fault)) {
		atomic_store(&s->fault, TASK_FAULT_NONE); /* performed */
	}
	*ready += st >= PYS_READY || (p->exited && st == PYS_NEW);
	if (st < PYS_DONE && p->exited) { /* the interpreter died under it */
		describe_exit(p, s->err, sizeof s->err);
		st = PYS_FAILED;
		atomic_store(&l->state, st);
	} else if (st >= PYS_DONE && atomic_load(&s->state) < TASK_DONE) {
		s->t_begin_ns = (uint64_t)l->t_begin;
		s->utime_ns = (uint64_t)l->utime;
		s->stime_ns = (uint64_t)l->stime;
		s->nvcsw = (uint64_t)l->nvcsw;
		s->nivcsw = (uint64_t)l->nivcsw;
		s->bound_pu = (int)l->bound;
		s->last_cpu = (int)l->cpu;
		if (st == PYS_FAILED)
			snprintf(s->err, sizeof s->err, "%.*s", (int)sizeof l->err, l->err[0] ? l->err : "failed");
		s->t_end_ns = (uint64_t)l->t_end;
	}
	if (st >= PYS_DONE && atomic_load(&s->state) < TASK_DONE) {
		s->rc = st == PYS_FAILED ? -1 : 0;
		atomic_store(&s->state, st == PYS_FAILED ? TASK_FAILED : TASK_DONE);
	} else if (st >= PYS_READY && atomic_load(&s->state) == TASK_NEW) {
		s->tid = (int)atomic_load(&l->tid); /* whose schedstat the runner reads */
		atomic_store(&s->state, TASK_READY);
	}
	*done += st >= PYS_DONE;
}

static void py_reap(struct run *r)
{
	struct py_run *p = py_of(r);
	err_tail(p);
	if (p->pid > 0 && !p->exited && waitpid(p->pid, &p->status, WNOHANG) == p->pid) {
		p->exited = 1;
		err_tail(p);
	}
	unsigned ready = 0, done = 0;
	for (unsigned i = 0; i < r->nworkers; i++)
		mirror(r, p, i, &ready, &done);
	atomic_store(&r->sh->ready, ready);
	if (done != atomic_load(&r->sh->done)) {
		atomic_store(&r->sh->done, done);
		futex_wake(&r->sh->done, 1, 1);
	}
}

/* The report: `metric NAME VALUE`, `value NAME TEXT`, `python_version X.Y.Z`, `fail WHY`,
 * `end`; read until the interpreter closes it (or a timeout: then it is killed). */
static void report_line(struct py_run *p, char *line)
{
	char *sp = strchr(line, ' ');
	if (!sp)
		return;
	*sp++ = 0;
	if (!strcmp(line, "fail")) {
		snprintf(p->fail, sizeof p->fail, "%s", sp);
	} else if (!strcmp(line, "python_version")) {
		snprintf(p->version, sizeof p->version, "%s", sp);
	} else if ((!strcmp(line, "metric") || !strcmp(line, "value")) && p->nvalues < PY_VALUES_MAX) {
		char *v = strchr(sp, ' ');
		if (!v)
			return;
		*v++ = 0;
		struct py_value *pv = &p->values[p->nvalues++];
		snprintf(pv->name, sizeof pv->name, "%s", sp);
		snprintf(pv->text, sizeof pv->text, "%s", v);
		pv->is_metric = line[0] == 'm';
	}
}

static void read_report(struct py_run *p, double timeout_s)
{
	char buf[8192];
	size_t have = 0;
	uint64_t deadline = task_now_ns() + (uint64_t)(timeout_s * 1e9);
	for (;;) {
		struct pollfd pf = { .fd = p->report_fd, .events = POLLIN };
		uint64_t now = task_now_ns();
		if (now >= deadline || poll(&pf, 1, (int)((deadline - now) / 1000000u) + 1) == 0)
			break;
		ssize_t n = read(p->report_fd, buf + have, sizeof buf - 1 - have);
		if (n <= 0 && !(n < 0 && errno == EINTR))
			break;
		have += n > 0 ? (size_t)n : 0;
		buf[have] = 0;
		char *nl;
		while ((nl = strchr(buf, '\n'))) {
			*nl = 0;
			report_line(p, buf);
			have -= (size_t)(nl + 1 - buf);
			memmove(buf, nl + 1, have + 1);
		}
		if (have == sizeof buf - 1)
			have = 0; /* an endless line: drop it */
	}
}

static int py_join(struct run *r)
{
	struct py_run *p = py_of(r);
	if (p->pid <= 0)
		return 0;
	read_report(p, 30);
	if (!p->exited) {
		if (waitpid(p->pid, &p->status, WNOHANG) != p->pid) {
			kill(p->pid, SIGKILL);
			waitpid(p->pid, &p->status, 0);
		}
		p->exited = 1;
	}
	err_tail(p);
	for (unsigned i = 0; i < r->nworkers; i++)
		if (atomic_load(&r->sh->slot[i].state) == TASK_FAILED) {
			snprintf(r->err, sizeof r->err, "worker %u failed: %s", i, r->sh->slot[i].err);
			return -1;
		}
	if (!WIFEXITED(p->status) || WEXITSTATUS(p->status)) {
		describe_exit(p, r->err, sizeof r->err);
		return -1;
	}
	return 0;
}

/* The interpreter's version, as a number 3.11 -> 311 (py_version), for tables and claims. */
static void py_metrics(struct run *r)
{
	struct py_run *p = py_of(r);
	unsigned maj = 0, min = 0;
	if (sscanf(p->version, "%u.%u", &maj, &min) == 2)
		run_metric(r, "py_version", maj * 100 + min);
}

#define PY_DRIVER(ident, dname, dsummary, dflags, dmodel, dcolor)                                         \
	const struct driver_ops driver_##ident = {                                                       \
		.name = dname, .summary = dsummary, .version = DRIVER_API_VERSION, .flags = dflags,      \
		.model = dmodel, .color = dcolor, .metric_prefix = "py_", .knobs = py_knobs,             \
		.init = py_init, .shm_alloc = py_shm_alloc, .spawn = py_spawn, .start = py_start,        \
		.stop = py_stop, .join = py_join, .reap = py_reap, .cleanup = py_cleanup,                \
		.metrics = py_metrics, .checkpoint = python_no_worker, .yield = python_no_worker,        \
		.sleep_ns = python_no_sleep, .wait = python_no_wait, .wake = python_no_wake,             \
	};

/* The worker-side hooks are never called: the workers are Python's (the adapter's run fails
 * loudly if the runner ever calls it). */
void python_no_worker(struct task *t) { (void)t; }
int python_no_sleep(struct task *t, uint64_t ns) { (void)t, (void)ns; return -ENOTSUP; }
int python_no_wait(struct task *t, _Atomic unsigned *w, unsigned e, uint64_t ns)
{
	(void)t, (void)w, (void)e, (void)ns;
	return -ENOTSUP;
}
int python_no_wake(struct task *t, _Atomic unsigned *w, int n) { (void)t, (void)w, (void)n; return 0; }

PY_DRIVER(py_thread, "py-thread", "CPython threads (threading) running the workload's Python twin, under the real GIL",
          DRIVER_SHARED_AS | DRIVER_COOPERATIVE | DRIVER_INHERIT_FDS | DRIVER_SELF_ACCOUNTING | DRIVER_FOREIGN,
          DRIVER_MODEL_GIL_THREADS, "#9467bd")
PY_DRIVER(py_process, "py-process", "CPython multiprocessing (fork) running the workload's Python twin",
          DRIVER_PARALLEL | DRIVER_INHERIT_FDS | DRIVER_SELF_ACCOUNTING | DRIVER_FOREIGN, DRIVER_MODEL_PROCESSES, "#8c564b")
PY_DRIVER(py_asyncio, "py-asyncio", "CPython asyncio tasks on one event loop running the workload's Python twin",
          DRIVER_SHARED_AS | DRIVER_COOPERATIVE | DRIVER_SELF_ACCOUNTING | DRIVER_FOREIGN, DRIVER_MODEL_COROUTINES,
          "#e377c2")
