/* python: what the py-thread, py-process and py-asyncio drivers (drivers/python.c) share with
 * their table of workload twins (drivers/python_twins.c) and the tests. */
#ifndef BENCH_PYTHON_H
#define BENCH_PYTHON_H

#include <limits.h>
#include <stddef.h>
#include <sys/types.h>

#include "bench/core/task.h"
#include "workloads/workload.h"

enum py_model { PY_THREAD, PY_PROCESS, PY_ASYNCIO };

#define PY_VALUES_MAX 160
/* A figure the Python twin reported: a metric (a number) or a value (text: a 64-bit state). */
struct py_value { char name[40]; char text[80]; int is_metric; };

struct py_twin;

/* Per repetition, in run->drv_priv. */
struct py_run {
	enum py_model model;
	const struct workload *orig;     /* the cell's workload */
	const struct py_twin *twin;      /* its Python twin, NULL if it has none */
	struct workload wl;              /* the adapter in run->wl while the repetition runs */
	char python[PATH_MAX], dir[PATH_MAX];
	char unavailable[300];           /* non-empty: why no interpreter can run this cell */
	int block_fd;
	char *block;                     /* the shared lines */
	size_t block_size;
	void *blocks[64];                /* py_shm_alloc: the C setup's state */
	unsigned nblocks;
	unsigned char *fault_sent;       /* per worker: -O fault= handed to its line */
	pid_t pid;
	int gate_fd, report_fd, err_fd;
	int exited, status;
	char stderr_tail[512];
	/* the report */
	char fail[256], version[32];
	struct py_value values[PY_VALUES_MAX];
	unsigned nvalues;
};

/* A workload's Python twin: workloads/python/<module>.py, and what the driver checks. */
struct py_twin {
	const char *workload;            /* registered name */
	const char *module;              /* workloads/python/<module>.py */
	/* 0 if the twin can run this cell; else -ENOTSUP via run_fail (the cell is skipped) */
	int (*supports)(struct run *r, enum py_model m);
	/* the C twin's check on the reported figures: 0, or -1 via run_fail */
	int (*check)(struct run *r, const struct py_run *p);
};

const struct py_twin *python_twin_find(const char *workload);
/* Put the adapter of the cell's workload in r->wl (see drivers/python.c). */
void python_adapt(struct run *r, struct py_run *p);
/* A reported value's text / metric (NULL / NAN when the twin did not report it). */
const char *python_value(const struct py_run *p, const char *name);
double python_metric(const struct py_run *p, const char *name);
/* The interpreter `want` names (a command on PATH, or a version: see the python knob). 0, or
 * -ENOENT with why. */
int python_find(const char *want, char *out, size_t len, char *why, size_t wlen);
/* The directory of harness.py. 0 or -ENOENT. */
int python_dir(char *out, size_t len);

/* Worker-side hooks of the python drivers: never called (the workers are Python's). */
void python_no_worker(struct task *t);
int python_no_sleep(struct task *t, uint64_t ns);
int python_no_wait(struct task *t, _Atomic unsigned *w, unsigned e, uint64_t ns);
int python_no_wake(struct task *t, _Atomic unsigned *w, int n);

#endif
