/* Fuzz target: the command line of `bench run` as a whole. The input is split on NUL and
 * newline into argv (after argv[0] = "run"), parsed into a plan and, without --baseline,
 * expanded into cells; nothing runs and no file is read or written. Oracle: no crash, leak
 * or undefined behaviour (ASan+UBSan), every refusal said why (one message), and an
 * accepted plan obeys its limits: at most RUN_PLAN_MAX_CELLS cells, each with 1 to
 * TASK_MAX_WORKERS workers and a workload, a driver and knobs from the registry, no two
 * cells alike. Built as a libFuzzer target with -DBENCH_FUZZ=ON (clang), and as a replay test
 * (replay.c) in every build, over the corpus and past crashes. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/fuzz/fuzz.h"
#include "drivers/driver.h"
#include "bench/core/log.h"
#include "bench/cli/run_plan.h"
#include "bench/core/task.h"
#include "workloads/workload.h"

#define FUZZ_MAX_ARGS 512

/* Counts the messages bench printed (log_stream) without printing them. */
static size_t nmessages;
static ssize_t count_write(void *c, const char *buf, size_t n)
{
	(void)c;
	for (size_t i = 0; i < n; i++)
		nmessages += buf[i] == '\n';
	return (ssize_t)n;
}

/* Cells i and j are one cell: same workload, driver, workers, knob values and pin (--claims
 * gives cells their own pins: pingpong on one PU and spread are two cells). */
static int same_cell(const struct run_cells *c, unsigned i, unsigned j)
{
	const struct cell_spec *a = &c->v[i], *b = &c->v[j];
	if (a->wl != b->wl || a->drv != b->drv || a->workers != b->workers || a->knobs.n != b->knobs.n)
		return 0;
	if (c->pins && strcmp(c->pins[i].text, c->pins[j].text))
		return 0;
	for (unsigned k = 0; k < a->knobs.n; k++) {
		const struct knobval *v = opt_get(&b->knobs, a->knobs.v[k].k->name);
		if (!v || v->num != a->knobs.v[k].num)
			return 0;
	}
	return 1;
}

static void check_cells(const struct run_cells *c)
{
	if (c->n == 0 || c->n > RUN_PLAN_MAX_CELLS)
		abort();
	for (unsigned i = 0; i < c->n; i++) {
		const struct cell_spec *s = &c->v[i];
		if (s->workers < 1 || s->workers > TASK_MAX_WORKERS || workload_find(s->wl->name) != s->wl ||
		    driver_find(s->drv->name) != s->drv || s->knobs.n > KNOBSET_MAX)
			abort();
		/* duplicates: compare checks them pairwise too; keep the oracle cheap on big plans */
		for (unsigned j = 0; j < i && c->n <= 500; j++)
			if (same_cell(c, i, j))
				abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *sink;
	if (!sink) {
		sink = fopencookie(NULL, "w", (cookie_io_functions_t){ .write = count_write });
		setvbuf(sink, NULL, _IONBF, 0);
		log_stream = sink;
	}
	char *buf = malloc(size + 1), *argv[FUZZ_MAX_ARGS + 2];
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = 0;
	int argc = 0;
	argv[argc++] = "run";
	for (char *p = buf; p < buf + size && argc <= FUZZ_MAX_ARGS;) {
		size_t len = strcspn(p, "\n"); /* up to a newline or a NUL */
		p[len] = 0;
		argv[argc++] = p;
		p += len + 1;
	}
	argv[argc] = NULL;

	struct run_plan plan;
	nmessages = 0;
	int rc = run_plan_parse(argc, argv, &plan);
	if (!rc && !plan.help && !plan.baseline) {
		struct run_cells cells;
		rc = run_plan_expand(&plan, &cells);
		if (!rc) {
			check_cells(&cells);
			run_cells_free(&cells);
		}
	}
	if (rc && nmessages != 1)
		abort(); /* a refusal is one line */
	run_plan_free(&plan);
	free(buf);
	return 0;
}
