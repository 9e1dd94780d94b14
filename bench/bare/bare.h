/* bare: bare C programs doing what a harness cell measures, for "harness vs bare program,
 * same run" comparisons (bench bare NAME; `bench baseline` is its old name, kept as an alias
 * for one release). Each is one file bench/bare/<name>.c defining `const struct bare
 * bare_<name>`, registered in
 * BARES(X) below. The bare code must not use the task API: plain pthreads/futexes/loops,
 * as a user would write it without bench. Its one exception is the clock, task_now_ns() (a
 * plain CLOCK_MONOTONIC read, the same one the harness side uses). */
#ifndef BENCH_BARE_H
#define BENCH_BARE_H

struct bare {
	const char *name, *summary;
	const char *unit;                /* what bare() returns, e.g. "ops/s" */
	/* The equivalent harness cell: its primary metric is compared with bare()'s result. */
	const char *workload, *driver;
	unsigned workers;
	const char *pin;                 /* e.g. "spread", "pus:0" */
	const char *knobs[6];            /* "name=value", NULL-terminated */
	int higher_is_better;
	/* Optional, for rates: also print the time per `event` (e.g. "switch"), `per_unit` of
	 * which make one unit (a round trip is 2 switches): 1e9 / (rate * per_unit) ns. */
	const char *event;
	unsigned per_unit;
	/* Run the bare version for about duration_s; return the figure (e.g. ops/s), or < 0
	 * on failure. Runs in a forked child of bench (like a cell), pinned as `pin` says. */
	double (*bare)(double duration_s, const int *pus, unsigned workers);
};

#define BARES(X) \
	X(cpu_spin) \
	X(coro_switch) \
	X(coro_switch_ucontext) \
	X(pc_lock) \
	X(pc_spsc) \
	X(pingpong_1pu) \
	X(pingpong_2pu)

#define BARE_EXTERN(n) extern const struct bare bare_##n;
BARES(BARE_EXTERN)
#undef BARE_EXTERN

#endif
