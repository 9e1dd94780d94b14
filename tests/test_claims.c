/* bench report's claim rules (plot/claims.c): each claim on synthetic results that should hold
 * and that should not (moved from test_plot.c, where suite "claims" never ran under ctest).
 * The synthetic results files are built by tests/util.c (syn_*). */
#define _GNU_SOURCE
#include <jansson.h>

#include "plot/claims.h"
#include "plot/names.h"
#include "bench/store/results_load.h"
#include "tests/test.h"
#include "tests/util.h"

/* ------------------------------------------------------------ claim rules */

static enum claim_verdict verdict(json_t *doc, unsigned id, char *text, size_t len)
{
	struct results_file *f = syn_load(doc);
	struct claim_result r[CLAIMS_N];
	claims_evaluate(f, r);
	results_file_free(f);
	snprintf(text, len, "%s | %s", r[id - 1].verdict_text, r[id - 1].measured);
	return r[id - 1].verdict;
}

#define EXPECT_VERDICT(doc, id, want)                                                              \
	do {                                                                                       \
		char _t[3000];                                                                     \
		enum claim_verdict _v = verdict(doc, id, _t, sizeof _t);                           \
		if (_v != (want))                                                                  \
			TEST_FAIL("claim %d: %s, expected %s: %s", id, claims_verdict_name(_v),   \
			          claims_verdict_name(want), _t);                                  \
	} while (0)

TEST(claims, every_claim_not_measured_on_an_empty_file)
{
	json_t *d = syn_new(2);
	struct results_file *f = syn_load(d);
	struct claim_result r[CLAIMS_N];
	claims_evaluate(f, r);
	for (unsigned i = 0; i < CLAIMS_N; i++) {
		CHECK_EQ_INT(r[i].verdict, CLAIM_NOT_MEASURED);
		CHECK_CONTAINS(r[i].verdict_text, "not measured: ");
		CHECK_CONTAINS(r[i].verdict_text, "needs ");
		CHECK(*r[i].rule && r[i].claim);
	}
	results_file_free(f);
}

static json_t *c1(double thread1, double gil2, double proc2)
{
	json_t *d = syn_new(2);
	syn_cellf(d, W_CPU_SPIN, "thread", 1, "iters=600", "util_cores=%g", thread1);
	syn_cellf(d, W_CPU_SPIN, "gil", 2, "iters=600 interval_us=5000", "util_cores=%g", gil2);
	syn_cellf(d, W_CPU_SPIN, "process", 2, "iters=600", "util_cores=%g", proc2);
	return d;
}

TEST(claims, c1_cpu_bound_utilization)
{
	EXPECT_VERDICT(c1(0.98, 1.01, 1.96), 1, CLAIM_HOLDS);
	EXPECT_VERDICT(c1(0.98, 1.9, 1.96), 1, CLAIM_FAILS);  /* the GIL let both threads run */
	EXPECT_VERDICT(c1(0.5, 1.0, 1.96), 1, CLAIM_FAILS);   /* one thread did not use a core */
	EXPECT_VERDICT(c1(0.98, 1.0, 1.2), 1, CLAIM_FAILS);   /* processes did not use both */
	json_t *d = c1(0.98, 1.0, 1.96);                       /* legacy GIL thrashes: only when new */
	syn_cell(d, W_CPU_SPIN, "gil", 2, "iters=600 interval_us=100", "util_cores=1.7");
	EXPECT_VERDICT(d, 1, CLAIM_HOLDS_WHEN);
	d = syn_new(2);                                        /* one part measured: holds, says what is not */
	syn_cell(d, W_CPU_SPIN, "thread", 1, "iters=600", "util_cores=1");
	char t[3000];
	CHECK_EQ_INT(verdict(d, 1, t, sizeof t), CLAIM_HOLDS);
	CHECK_CONTAINS(t, "not measured: GIL threads");
}

static json_t *c2(double thread_none, double mutex_worst, double gil_none)
{
	json_t *d = syn_new(2);
	syn_cellf(d, W_COUNTER, "thread", 2, "sync=none gap_us=0", "lost_fraction=%g", thread_none);
	syn_cellf(d, W_COUNTER, "thread", 2, "sync=mutex gap_us=0", "lost_fraction=0/%g/0", mutex_worst);
	syn_cellf(d, W_COUNTER, "gil", 2, "sync=none gap_us=0", "lost_fraction=%g", gil_none);
	return d;
}

TEST(claims, c2_lost_updates)
{
	EXPECT_VERDICT(c2(0.3, 0, 0.2), 2, CLAIM_HOLDS);
	EXPECT_VERDICT(c2(0, 0, 0.2), 2, CLAIM_FAILS);      /* the unlocked counter lost nothing */
	EXPECT_VERDICT(c2(0.3, 0.01, 0.2), 2, CLAIM_FAILS); /* the lock did not fix it */
	EXPECT_VERDICT(c2(0.3, 0, 0), 2, CLAIM_FAILS);      /* the GIL alone did fix it */
	json_t *d = c2(0.3, 0, 0);                          /* ... except with a wait inside */
	syn_cell(d, W_COUNTER, "gil", 2, "sync=none gap_us=100", "lost_fraction=0.5");
	char t[3000];
	CHECK_EQ_INT(verdict(d, 2, t, sizeof t), CLAIM_HOLDS_WHEN);
	CHECK_CONTAINS(t, "holds only when the GIL alone does not fix it: gil n=2 gap_us=100 sync=none");
	d = c2(0.3, 0, 0.2); /* a mutex cell that failed verify counts against "a lock fixes it" */
	syn_status(syn_cell(d, W_COUNTER, "process", 2, "sync=mutex gap_us=0", "lost_fraction=0"), "failed",
	           "verify failed: 3 updates lost");
	EXPECT_VERDICT(d, 2, CLAIM_FAILS);
}

static json_t *c3(double thread_spawn, double proc_spawn)
{
	json_t *d = syn_new(2);
	syn_cellf(d, W_SLEEP_IO, "thread", 100, "wait_us=1", "spawn_s=%g", thread_spawn);
	syn_cellf(d, W_SLEEP_IO, "process", 100, "wait_us=1", "spawn_s=%g", proc_spawn);
	return d;
}

TEST(claims, c3_process_creation)
{
	EXPECT_VERDICT(c3(0.002, 0.02), 3, CLAIM_HOLDS);
	EXPECT_VERDICT(c3(0.002, 0.003), 3, CLAIM_FAILS);
	json_t *d = c3(0.002, 0.02);
	syn_cell(d, W_CPU_SPIN, "thread", 1, "", "spawn_s=0.0001");
	syn_cell(d, W_CPU_SPIN, "process", 1, "", "spawn_s=0.00012");
	char t[3000];
	CHECK_EQ_INT(verdict(d, 3, t, sizeof t), CLAIM_HOLDS_WHEN);
	CHECK_CONTAINS(t, "n=100 (not: n=1)");
}

static json_t *c4(double thread_ns, double proc_ns)
{
	json_t *d = syn_new(2);
	syn_cellf(d, W_PINGPONG, "thread", 2, "mode=wait", "handoff_ns=%g", thread_ns);
	syn_cellf(d, W_PINGPONG, "process", 2, "mode=wait", "handoff_ns=%g", proc_ns);
	syn_cell(d, W_PINGPONG, "process", 2, "mode=spin", "handoff_ns=1"); /* no thread twin: unused */
	return d;
}

TEST(claims, c4_switch_cost)
{
	EXPECT_VERDICT(c4(1000, 3000), 4, CLAIM_HOLDS);
	EXPECT_VERDICT(c4(1000, 1200), 4, CLAIM_FAILS);
}

static json_t *c5(double overlap, double coro_spawn, double coro_mem)
{
	json_t *d = syn_new(2);
	syn_cellf(d, W_SLEEP_IO, "coroutine", 1000, "wait_us=1000 limit=0 spinners=0",
	          "waiters=1000 overlap_efficiency=%g spawn_s=%g mem_per_worker_kb=%g", overlap, coro_spawn, coro_mem);
	syn_cell(d, W_SLEEP_IO, "thread", 1000, "wait_us=1000 limit=0 spinners=0",
	         "waiters=1000 overlap_efficiency=0.9 spawn_s=0.02 mem_per_worker_kb=80");
	return d;
}

TEST(claims, c5_coroutines)
{
	EXPECT_VERDICT(c5(0.95, 0.002, 8), 5, CLAIM_HOLDS);
	EXPECT_VERDICT(c5(0.3, 0.002, 8), 5, CLAIM_FAILS);  /* waits did not overlap */
	EXPECT_VERDICT(c5(0.95, 0.05, 8), 5, CLAIM_FAILS);  /* costlier to create */
	EXPECT_VERDICT(c5(0.95, 0.002, 200), 5, CLAIM_FAILS); /* more memory per task */
}

static json_t *c6(const char *max_inside)
{
	json_t *d = syn_new(2);
	syn_cellf(d, W_SLEEP_IO, "thread", 20, "wait_us=1000 limit=5 spinners=0",
	          "waiters=20 max_inside=%s rounds=4 ideal_rounds=4", max_inside);
	syn_cell(d, W_SLEEP_IO, "thread", 4, "wait_us=1000 limit=5 spinners=0", "waiters=4 max_inside=4"); /* n <= k: unused */
	return d;
}

TEST(claims, c6_semaphore)
{
	EXPECT_VERDICT(c6("5/5/5"), 6, CLAIM_HOLDS);
	EXPECT_VERDICT(c6("5/6/5"), 6, CLAIM_FAILS); /* once let 6 in */
	EXPECT_VERDICT(c6("3/3/3"), 6, CLAIM_FAILS); /* never let k in */
}

static json_t *c7(const double *ops, const char *status)
{
	json_t *d = syn_new(2);
	json_t *c = syn_cell(d, W_PC, "thread", 4, "queue=lock capacity=4", "producers=2 consumers=2 ops_per_s=1000");
	syn_worker_ops(c, ops, 4);
	if (status)
		syn_status(c, status, "verify failed: item 100 consumed twice");
	syn_cell(d, W_PC, "thread", 2, "queue=spsc capacity=4", "producers=1 consumers=1"); /* not a blocking queue */
	return d;
}

TEST(claims, c7_blocking_queue)
{
	EXPECT_VERDICT(c7((const double[]){ 0, 0, 500, 510 }, NULL), 7, CLAIM_HOLDS);
	EXPECT_VERDICT(c7((const double[]){ 0, 0, 1000, 0 }, NULL), 7, CLAIM_FAILS);    /* one consumer got all */
	EXPECT_VERDICT(c7((const double[]){ 0, 0, 500, 500 }, "failed"), 7, CLAIM_FAILS); /* lost/duplicated */
}

static json_t *c8(double gil_p50, double thread_p50)
{
	json_t *d = syn_new(2);
	syn_cellf(d, W_SLEEP_IO, "gil", 2, "wait_us=100 limit=0 spinners=1 interval_us=5000",
	          "waiters=1 waiter_overshoot_p50_us=%g", gil_p50);
	syn_cellf(d, W_SLEEP_IO, "thread", 2, "wait_us=100 limit=0 spinners=1", "waiters=1 waiter_overshoot_p50_us=%g",
	          thread_p50);
	return d;
}

TEST(claims, c8_gil_convoy)
{
	EXPECT_VERDICT(c8(4900, 60), 8, CLAIM_HOLDS);
	EXPECT_VERDICT(c8(80, 60), 8, CLAIM_FAILS);
	/* no thread twin: the same gil setup without spinners is the reference */
	json_t *d = syn_new(2);
	syn_cell(d, W_SLEEP_IO, "gil", 2, "wait_us=100 limit=0 spinners=1 interval_us=5000",
	         "waiters=1 waiter_overshoot_p50_us=4900");
	syn_cell(d, W_SLEEP_IO, "gil", 1, "wait_us=100 limit=0 spinners=0 interval_us=5000",
	         "waiters=1 waiter_overshoot_p50_us=55");
	EXPECT_VERDICT(d, 8, CLAIM_HOLDS);
}

/* ------------------------------------------------------------ noise (issue 15) */

/* The claims of f (a file changed in memory: the loader of this branch knows neither the
 * "unstable" status nor "disturbed"), claim id's verdict text and measured column in text. */
static enum claim_verdict verdict_of(const struct results_file *f, unsigned id, char *text, size_t len)
{
	struct claim_result r[CLAIMS_N];
	claims_evaluate(f, r);
	snprintf(text, len, "%s | %s", r[id - 1].verdict_text, r[id - 1].measured);
	return r[id - 1].verdict;
}

/* c1 with the process cell (the third) measured at util 1.5/1.56/1.6 (its primary metric
 * likewise) beside other load 0.5/0.42/0.1 cores. */
static struct results_file *c1_loaded(void)
{
	json_t *d = syn_new(2);
	syn_cell(d, W_CPU_SPIN, "thread", 1, "iters=600", "util_cores=0.98 other_load_cores=0.01");
	syn_cell(d, W_CPU_SPIN, "gil", 2, "iters=600 interval_us=5000", "util_cores=1.01 other_load_cores=0.01");
	syn_cell(d, W_CPU_SPIN, "process", 2, "iters=600", "util_cores=1.5/1.56/1.6 ops_per_s=150/156/160 other_load_cores=0.5/0.42/0.1");
	struct results_file *f = syn_load(d);
	CHECK_EQ_INT(f->ncells, 3);
	CHECK_EQ_INT(f->cells[2].nreps, 3);
	return f;
}

TEST(claims, unstable_needed_cell_gives_unreliable_not_a_verdict)
{
	char t[3000];
	struct results_file *f = c1_loaded();
	CHECK_EQ_INT(verdict_of(f, 1, t, sizeof t), CLAIM_FAILS); /* schema 1: as before, 1.56 < 0.8 x 2 */
	struct results_file_cell *p = &f->cells[2];
	p->status = "unstable";
	p->reps[0].disturbed = p->reps[1].disturbed = 1;
	CHECK_EQ_INT(verdict_of(f, 1, t, sizeof t), CLAIM_UNRELIABLE);
	CHECK_CONTAINS(t, "unreliable: 0.46 cores of other load in cell `cpu-spin/process/n=2`"); /* median of 0.5, 0.42 */
	CHECK_CONTAINS(t, "1.56 of 2 cores"); /* the measured column still shows what was measured */
	CHECK_STR(claims_verdict_name(CLAIM_UNRELIABLE), "unreliable");
	unsigned nstats = p->nstats;
	p->nstats = 0; /* every repetition disturbed: the summary is empty, the claim still needs the cell */
	p->reps[2].disturbed = 1;
	CHECK_EQ_INT(verdict_of(f, 1, t, sizeof t), CLAIM_UNRELIABLE);
	CHECK_CONTAINS(t, "unreliable: 0.42 cores of other load in cell `cpu-spin/process/n=2`");
	CHECK_CONTAINS(t, "1.56 of 2 cores"); /* its figure from every ok repetition */
	p->nstats = nstats;
	p->reps[2].disturbed = 0;
	struct claim_result r[CLAIMS_N];
	claims_evaluate(f, r);
	CHECK_CONTAINS(r[0].cells, "`cpu-spin/process/n=2`");
	for (unsigned i = 1; i < CLAIMS_N; i++) /* claims that do not need the cell keep their verdict */
		CHECK(r[i].verdict != CLAIM_UNRELIABLE);
	results_file_free(f);
}

TEST(claims, disturbed_median_repetition_makes_a_cell_unreliable)
{
	char t[3000];
	struct results_file *f = c1_loaded();
	struct results_file_cell *p = &f->cells[2];
	/* --keep-disturbed: the summary has all 3, and its median repetition (1.56) was disturbed */
	p->reps[1].disturbed = 1;
	CHECK_EQ_INT(verdict_of(f, 1, t, sizeof t), CLAIM_UNRELIABLE);
	CHECK_CONTAINS(t, "unreliable: 0.42 cores of other load in cell `cpu-spin/process/n=2`");
	p->reps[1].disturbed = 0; /* a disturbed repetition that is not the median one */
	p->reps[0].disturbed = 1;
	CHECK_EQ_INT(verdict_of(f, 1, t, sizeof t), CLAIM_FAILS);
	for (unsigned k = 0; k < p->nstats; k++) /* the summary left the disturbed one out: it is not the median */
		p->stats[k].n = 2;
	p->reps[1].disturbed = 1;
	p->reps[1].counted = 0; /* as the loader marks a repetition the summary left out */
	p->reps[0].disturbed = 0;
	CHECK_EQ_INT(verdict_of(f, 1, t, sizeof t), CLAIM_FAILS);
	results_file_free(f);
}

TEST(claims, disturbed_repetitions_are_left_out_of_repetition_rules)
{
	/* claim 7 reads each repetition's worker_ops: two of three give everything to one consumer */
	json_t *d = c7((const double[]){ 0, 0, 500, 510 }, NULL);
	struct results_file *f = syn_load(d);
	struct results_file_cell *c = &f->cells[0];
	char t[3000];
	CHECK_EQ_INT(c->nreps, 1);
	CHECK_EQ_INT(verdict_of(f, 7, t, sizeof t), CLAIM_HOLDS);
	struct results_rep *orig = c->reps, reps[3] = { c->reps[0], c->reps[0], c->reps[0] };
	double skew[4] = { 0, 0, 1000, 0 };
	reps[1].worker_ops = reps[2].worker_ops = skew;
	c->reps = reps;
	c->nreps = 3;
	CHECK_EQ_INT(verdict_of(f, 7, t, sizeof t), CLAIM_FAILS);  /* all three count: the median is unfair */
	reps[1].disturbed = reps[2].disturbed = 1;
	reps[1].counted = reps[2].counted = 0;
	for (unsigned k = 0; k < c->nstats; k++)                   /* and the summary left them out */
		c->stats[k].n = 1;
	CHECK_EQ_INT(verdict_of(f, 7, t, sizeof t), CLAIM_HOLDS);
	c->reps = orig; /* reps is this test's */
	c->nreps = 1;
	results_file_free(f);
}
