/* mpi driver: the workers of a repetition are the ranks of one Open MPI job.
 *
 * Design (issue 21): bench launches mpirun, once per repetition, from the cell process; it
 * is not itself started under mpirun. So everything the harness guarantees stays where it
 * is: the cell process is the supervisor (watchdog, faults, partial results, SIGINT), the
 * runner samples the slots while the ranks run, a crash fails only its cell. The other way
 * round (bench under mpirun) would make rank 0 the harness, and a crashed rank would take
 * the measurement with it.
 *
 *   init     an arena (drivers/mpi.h): a memfd mapped at a fixed address; shm_alloc carves
 *            the control block and the workload's shared state from it
 *   spawn    the last spawn writes the arena header (the run as the ranks rebuild it) and
 *            forks mpirun -np N bench-mpi-rank /proc/<us>/fd/<memfd> <addr> <mpirun pid>;
 *            mpirun stays in the cell's process group (the cell supervisor kills it with
 *            the group), its output goes to a second memfd (read for a failure's reason)
 *   ranks    map the arena at the same address, MPI_Init, bind themselves to their PU
 *            with hwloc (mpirun gets --bind-to none: bench places, Open MPI does not), and
 *            run task_main: ready, the start gate (rank 0 waits for the runner's gate word,
 *            then MPI_Barrier releases every rank), run, CPU time of the rank's thread
 *            (RUSAGE_THREAD, as the process driver), done
 *   reap     when mpirun has exited, every rank that did not report is failed, the one
 *            mpirun names first (the crashed or exited rank) with its signal or status
 *   cleanup  SIGTERM then SIGKILL to mpirun if still there. Ranks setpgid() away from the
 *            cell's group (Open MPI does), so each one has PR_SET_PDEATHSIG(SIGKILL) on
 *            mpirun: when the cell supervisor kills the group (a hung rank, bench's SIGINT),
 *            mpirun dies and every rank with it.
 * Single host: the arena is shared memory, so the workers' slots and the workload's
 * memory-style state are on this machine (share=messages workloads need nothing but MPI
 * between ranks, but the control block still does). */
#define _GNU_SOURCE
#include "drivers/mpi.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "drivers/driver.h"
#include "drivers/osdrv.h"
#include "workloads/workload.h"

struct mpi_state {
	int fd;                    /* the arena's memfd */
	int out_fd;                /* mpirun's stdout and stderr (memfd) */
	char *base;
	struct mpi_arena_hdr *hdr;
	pid_t mpirun;
	int reaped, status, blamed;
};

static struct mpi_state *mst(const struct run *r) { return ((struct osdrv *)r->drv_priv)->ext; }

/* An executable by name on PATH, into buf. 0 or -ENOENT. */
static int find_on_path(const char *name, char *buf, size_t len)
{
	const char *path = getenv("PATH");
	if (!path || !*path)
		path = "/usr/local/bin:/usr/bin:/bin";
	while (*path) {
		size_t n = strcspn(path, ":");
		snprintf(buf, len, "%.*s/%s", (int)n, path, name);
		if (n && access(buf, X_OK) == 0)
			return 0;
		path += n + (path[n] == ':');
	}
	return -ENOENT;
}

/* The rank program: $BENCH_MPI_RANK, beside the running binary, the build tree, the install. */
static int find_rank_exe(char *buf, size_t len)
{
	const char *env = getenv("BENCH_MPI_RANK");
	if (env && *env) {
		snprintf(buf, len, "%s", env);
		return access(buf, X_OK) ? -ENOENT : 0;
	}
	char self[PATH_MAX];
	ssize_t k = readlink("/proc/self/exe", self, sizeof self - 1);
	if (k > 0) {
		self[k] = 0;
		char *slash = strrchr(self, '/');
		if (slash) {
			*slash = 0;
			snprintf(buf, len, "%s/%s", self, MPI_RANK_EXE);
			if (access(buf, X_OK) == 0)
				return 0;
		}
	}
#ifdef BENCH_MPI_RANK_BUILD
	snprintf(buf, len, "%s", BENCH_MPI_RANK_BUILD);
	if (access(buf, X_OK) == 0)
		return 0;
#endif
#ifdef BENCH_MPI_RANK_INSTALL
	snprintf(buf, len, "%s", BENCH_MPI_RANK_INSTALL);
	if (access(buf, X_OK) == 0)
		return 0;
#endif
	return -ENOENT;
}

static int arena_open(struct mpi_state *s)
{
	s->fd = memfd_create("bench-mpi-arena", MFD_CLOEXEC);
	s->out_fd = memfd_create("bench-mpi-out", MFD_CLOEXEC);
	if (s->fd < 0 || s->out_fd < 0)
		return -errno;
	void *p = mmap((void *)MPI_ARENA_ADDR, MPI_ARENA_SIZE, PROT_READ | PROT_WRITE,
	               MAP_SHARED | MAP_FIXED_NOREPLACE | MAP_NORESERVE, s->fd, 0);
	if (p == MAP_FAILED)
		return -errno;
	if (p != (void *)MPI_ARENA_ADDR) { /* an old kernel ignores MAP_FIXED_NOREPLACE */
		munmap(p, MPI_ARENA_SIZE);
		return -EEXIST;
	}
	s->base = p;
	return 0;
}

static void *mpi_shm_alloc(struct run *r, size_t size)
{
	struct mpi_state *s = mst(r);
	uint64_t off = s->hdr ? (s->hdr->used + TASK_CACHELINE - 1) & ~(uint64_t)(TASK_CACHELINE - 1) : 0;
	uint64_t end = off + (size ? size : 1);
	long page = sysconf(_SC_PAGESIZE);
	uint64_t file = (end + (uint64_t)page - 1) & ~(uint64_t)(page - 1);
	if (end > MPI_ARENA_SIZE || ftruncate(s->fd, (off_t)file) < 0)
		return NULL;
	if (!s->hdr)
		s->hdr = (struct mpi_arena_hdr *)s->base;
	s->hdr->used = end;
	return s->base + off;
}

/* Without mpirun or the rank program the cell is skipped with the reason (as a python driver
 * without its interpreter): the workload's setup is replaced by one that says why. */
static struct workload skip_wl;
static char skip_why[200];

static int skip_setup(struct run *r)
{
	run_fail(r, "%s", skip_why);
	return -ENOTSUP;
}

static void skip_if_cannot_run(struct run *r)
{
	char path[PATH_MAX];
	if (find_on_path("mpirun", path, sizeof path))
		snprintf(skip_why, sizeof skip_why, "mpirun is not on PATH (Debian: apt-get install openmpi-bin)");
	else if (workload_find(r->wl->name) != r->wl && strcmp(r->wl->name, workload_skeleton.name))
		snprintf(skip_why, sizeof skip_why, "workload %s is not registered: the ranks (%s) run the registered "
		         "workloads only", r->wl->name, MPI_RANK_EXE);
	else if (find_rank_exe(path, sizeof path))
		snprintf(skip_why, sizeof skip_why, "the rank program %s is neither beside bench nor where it was built "
		         "or installed (set BENCH_MPI_RANK)", MPI_RANK_EXE);
	else
		return;
	skip_wl = *r->wl;
	skip_wl.setup = skip_setup;
	r->wl = &skip_wl;
}

static int mpi_init(struct run *r)
{
	int rc = osdrv_init(r, 1, 1);
	if (rc)
		return rc;
	struct mpi_state *s = calloc(1, sizeof *s);
	if (!s)
		return -ENOMEM;
	((struct osdrv *)r->drv_priv)->ext = s;
	s->fd = s->out_fd = -1;
	skip_if_cannot_run(r);
	rc = arena_open(s);
	if (!rc && !mpi_shm_alloc(r, sizeof *s->hdr))
		rc = -ENOMEM;
	if (rc) {
		run_fail(r, "mpi arena at %#lx: %s", MPI_ARENA_ADDR, strerror(-rc));
		return rc;
	}
	s->hdr->magic = MPI_ARENA_MAGIC;
	return 0;
}

/* The cell's knobs into the header, the knob descriptions with them (the rank program has
 * the same tables at other addresses: these are read through the arena). */
static int header_knobs(struct run *r, struct mpi_arena_hdr *h)
{
	h->knobs = *r->knobs;
	for (unsigned i = 0; i < h->knobs.n; i++) {
		const struct knob *k = r->knobs->v[i].k;
		h->kn[i] = (struct knob){ .name = h->kname[i], .type = k->type, .min = k->min, .max = k->max };
		snprintf(h->kname[i], sizeof h->kname[i], "%s", k->name);
		if (k->choices) {
			if (strlen(k->choices) >= sizeof h->kchoices[i])
				return -E2BIG;
			snprintf(h->kchoices[i], sizeof h->kchoices[i], "%s", k->choices);
			h->kn[i].choices = h->kchoices[i];
		}
		h->knobs.v[i].k = &h->kn[i];
	}
	return 0;
}

static int fill_header(struct run *r)
{
	struct mpi_state *s = mst(r);
	int *pus = mpi_shm_alloc(r, r->nworkers * sizeof *pus);
	if (!pus)
		return -ENOMEM;
	memcpy(pus, r->pus, r->nworkers * sizeof *pus);
	struct mpi_arena_hdr *h = s->hdr;
	char *lo = s->base, *hi = s->base + h->used;
	if (r->wl_shared && ((char *)r->wl_shared < lo || (char *)r->wl_shared >= hi))
		return run_fail(r, "workload %s keeps its shared state outside task_shm_alloc memory: "
		                "the ranks cannot see it", r->wl->name), -EINVAL;
	snprintf(h->workload, sizeof h->workload, "%s", r->wl->name);
	h->nworkers = r->nworkers;
	h->coarse_checkpoints = r->coarse_checkpoints;
	h->duration_ns = r->duration_ns;
	h->sh = r->sh;
	h->wl_shared = r->wl_shared;
	h->pus = pus;
	h->msg = r->msg;
	return header_knobs(r, h);
}

/* A sanitizer's options for the ranks (mpirun passes its environment on): Open MPI is not
 * instrumented, so its allocations held at exit are no leak of ours, and what TSan would say
 * of its threads is not either. The user's options stay; ours come last and win. */
static void sanitizer_env(const char *var, const char *add)
{
	char buf[1024];
	const char *old = getenv(var);
	snprintf(buf, sizeof buf, "%s%s%s", old ? old : "", old && *old ? ":" : "", add);
	setenv(var, buf, 1);
}

/* The child that becomes mpirun: it dies with the cell process, writes into out_fd. */
static void exec_mpirun(struct mpi_state *s, pid_t parent, char *const argv[])
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(125);
	if (strcmp(BENCH_SANITIZER, "none")) {
		sanitizer_env("ASAN_OPTIONS", "detect_leaks=0");
		sanitizer_env("TSAN_OPTIONS", "report_bugs=0");
	}
	int nul = open("/dev/null", O_RDONLY);
	if (nul < 0 || dup2(nul, 0) < 0 || dup2(s->out_fd, 1) < 0 || dup2(s->out_fd, 2) < 0)
		_exit(126);
	execvp(argv[0], argv);
	_exit(127);
}

static int launch(struct run *r)
{
	struct mpi_state *s = mst(r);
	char rank_exe[PATH_MAX], arena[64], addr[32], np[16], me[16];
	if (find_rank_exe(rank_exe, sizeof rank_exe))
		return -ENOENT;
	pid_t parent = getpid();
	snprintf(arena, sizeof arena, "/proc/%d/fd/%d", (int)parent, s->fd);
	snprintf(addr, sizeof addr, "%#lx", MPI_ARENA_ADDR);
	snprintf(np, sizeof np, "%u", r->nworkers);
	char *argv[32];
	unsigned a = 0;
	argv[a++] = "mpirun";
	if (geteuid() == 0)
		argv[a++] = "--allow-run-as-root";
	/* bench places and binds (hwloc, --pin); more ranks than cores is the point of some cells */
	argv[a++] = "--bind-to";
	argv[a++] = "none";
	argv[a++] = "--oversubscribe";
	/* CMA (process_vm_readv) needs ptrace rights a container often lacks: copy through the
	 * shared segment instead, everywhere, so that a figure means the same in CI and here */
	argv[a++] = "--mca";
	argv[a++] = "btl_vader_single_copy_mechanism";
	argv[a++] = "none";
	argv[a++] = "-np";
	argv[a++] = np;
	argv[a++] = rank_exe;
	argv[a++] = arena;
	argv[a++] = addr;
	argv[a++] = me;
	argv[a] = NULL;
	s->mpirun = fork();
	if (s->mpirun < 0)
		return -errno;
	if (s->mpirun == 0) {
		snprintf(me, sizeof me, "%d", (int)getpid()); /* the ranks' parent: mpirun, this process */
		exec_mpirun(s, parent, argv);
	}
	return 0;
}

static int mpi_spawn(struct run *r, struct task *t)
{
	struct osdrv *d = r->drv_priv;
	d->spawned++;
	if (t->id + 1 < r->nworkers)
		return 0; /* one job for all the ranks: launched with the last worker */
	int rc = fill_header(r);
	return rc ? rc : launch(r);
}

/* What mpirun said about the rank that ended the job: "worker R (rank R, pid P) killed by
 * signal S (...)" or "... exited with status C"; -1 if it named none. */
static int blame(struct run *r, char *why, size_t len)
{
	struct mpi_state *s = mst(r);
	char out[16384];
	ssize_t k = pread(s->out_fd, out, sizeof out - 1, 0);
	out[k > 0 ? k : 0] = 0;
	unsigned rank;
	int pid, sig, code;
	const char *p = strstr(out, "process rank ");
	if (p && sscanf(p, "process rank %u with PID %d on node %*s exited on signal %d", &rank, &pid, &sig) == 3 &&
	    rank < r->nworkers) {
		pid = r->sh->slot[rank].tid ? r->sh->slot[rank].tid : pid; /* Open MPI 4.1 says "PID 0" */
		snprintf(why, len, "worker %u (rank %u, pid %d) killed by signal %d (%s)", rank, rank, pid, sig,
		         strsignal(sig));
		return (int)rank;
	}
	const char *n = strstr(out, "Process name: [[");
	const char *c = strstr(out, "Exit code:");
	if (n && c && sscanf(n, "Process name: [[%*u,%*u],%u]", &rank) == 1 && sscanf(c, "Exit code: %d", &code) == 1 &&
	    rank < r->nworkers) {
		const char *e = r->sh->slot[rank].err;
		snprintf(why, len, "worker %u (rank %u) exited with status %d%s%s", rank, rank, code, *e ? ": " : "", e);
		return (int)rank;
	}
	char *nl = strchr(out, '\n');
	if (nl)
		*nl = 0;
	snprintf(why, len, "mpirun (pid %d) ended the job: %s", (int)s->mpirun, *out ? out : "no message");
	return -1;
}

static void fail_slot(struct run *r, unsigned i, const char *why)
{
	struct task_slot *sl = &r->sh->slot[i];
	unsigned st = atomic_load(&sl->state);
	if (st == TASK_DONE || st == TASK_FAILED)
		return;
	snprintf(sl->err, sizeof sl->err, "%s", why);
	sl->rc = -1;
	atomic_store(&sl->state, TASK_FAILED);
	atomic_fetch_add(&r->sh->done, 1);
}

/* Once mpirun has exited: every rank that did not report failed, the one mpirun names first. */
static void mpi_reap(struct run *r)
{
	struct mpi_state *s = mst(r);
	if (s->mpirun <= 0 || s->reaped || waitpid(s->mpirun, &s->status, WNOHANG) != s->mpirun)
		return;
	s->reaped = 1;
	char why[sizeof r->sh->slot[0].err];
	int culprit = blame(r, why, sizeof why);
	if (culprit >= 0) {
		fail_slot(r, (unsigned)culprit, why);
		s->blamed = 1;
	}
	for (unsigned i = 0; i < r->nworkers; i++) {
		char other[sizeof why];
		snprintf(other, sizeof other, "worker %u (rank %u) ended with the job: %s", i, i, why);
		fail_slot(r, i, culprit >= 0 ? other : why);
	}
}

/* Wait for mpirun at most ms milliseconds. 1 reaped, 0 still running. */
static int wait_mpirun(struct run *r, unsigned ms)
{
	struct mpi_state *s = mst(r);
	for (unsigned i = 0; !s->reaped && i < ms; i++) {
		mpi_reap(r);
		if (!s->reaped)
			usleep(1000);
	}
	return s->reaped;
}

static int mpi_join(struct run *r)
{
	struct mpi_state *s = mst(r);
	((struct osdrv *)r->drv_priv)->spawned = 0;
	if (s->mpirun <= 0)
		return run_fail(r, "mpirun was not started");
	/* every rank reported: MPI_Finalize and exit remain */
	if (!wait_mpirun(r, 20000)) {
		kill(s->mpirun, SIGKILL);
		wait_mpirun(r, 5000);
		return run_fail(r, "mpirun (pid %d) did not exit within 20 s after every rank reported", (int)s->mpirun);
	}
	for (unsigned i = 0; i < r->nworkers; i++)
		if (atomic_load(&r->sh->slot[i].state) == TASK_FAILED)
			return run_fail(r, "%s", r->sh->slot[i].err[0] ? r->sh->slot[i].err : "a rank failed");
	if (WIFSIGNALED(s->status) || WEXITSTATUS(s->status)) {
		char why[200];
		blame(r, why, sizeof why);
		return run_fail(r, "%s", why);
	}
	return 0;
}

static void mpi_cleanup(struct run *r)
{
	struct osdrv *d = r->drv_priv;
	struct mpi_state *s = d ? d->ext : NULL;
	if (s) {
		if (s->mpirun > 0 && !s->reaped) {
			kill(s->mpirun, SIGTERM); /* mpirun ends its ranks */
			if (!wait_mpirun(r, 2000))
				kill(s->mpirun, SIGKILL); /* the ranks die with it (PDEATHSIG) */
			while (!s->reaped && waitpid(s->mpirun, NULL, 0) < 0 && errno == EINTR)
				;
		}
		if (s->base)
			munmap(s->base, MPI_ARENA_SIZE);
		if (s->fd >= 0)
			close(s->fd);
		if (s->out_fd >= 0)
			close(s->out_fd);
		free(s);
		d->ext = NULL;
	}
	osdrv_cleanup(r);
}

/* The hooks of the worker side are the rank program's (drivers/mpi_rank.c replaces wait with
 * its gate); these are what it starts from. */
const struct driver_ops driver_mpi = {
	.name = "mpi",
	.summary = "one Open MPI rank per worker (mpirun, one host), pinned by bench with hwloc, start gate MPI_Barrier",
	.version = DRIVER_API_VERSION,
	.flags = DRIVER_PARALLEL | DRIVER_EXEC | DRIVER_MESSAGES,
#ifndef BENCH_HAVE_MPI
	.unsupported = "built without MPI (libopenmpi-dev was not found at build time)",
#endif
	.model = DRIVER_MODEL_PROCESSES,
	.color = "#17becf",
	.init = mpi_init,
	.shm_alloc = mpi_shm_alloc,
	.spawn = mpi_spawn,
	.start = osdrv_start,
	.stop = osdrv_stop,
	.join = mpi_join,
	.reap = mpi_reap,
	.cleanup = mpi_cleanup,
	.checkpoint = osdrv_checkpoint,
	.yield = osdrv_yield,
	.sleep_ns = osdrv_sleep_ns,
	.wait = osdrv_wait,
	.wake = osdrv_wake,
};
