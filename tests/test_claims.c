/* bench report's claim rules (plot/claims.c): each claim on synthetic results that should hold
 * and that should not (moved from test_plot.c, where suite "claims" never ran under ctest).
 * The synthetic results files are built by tests/util.c (syn_*). */
#define _GNU_SOURCE
#include <jansson.h>

#include "plot/claims.h"
#include "bench/core/opt.h"

#define KNOB_TEXT_MAX (sizeof ((struct knobval *)0)->text - 1) /* the longest knob value a results file holds */
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
	enum claim_verdict v = r[id - 1].verdict;
	claims_free(r);
	return v;
}

static enum claim_verdict verdict_of(const struct results_file *f, unsigned id, char *text, size_t len);

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
	claims_free(r);
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
	d = syn_new(2);                      /* one part measured: partly measured, not holds, and says what is not */
	syn_cell(d, W_CPU_SPIN, "thread", 1, "iters=600", "util_cores=1");
	char t[3000];
	CHECK_EQ_INT(verdict(d, 1, t, sizeof t), CLAIM_PARTLY);
	CHECK_CONTAINS(t, "partly measured: not measured: GIL threads");
	CHECK_STR(claims_verdict_name(CLAIM_PARTLY), "partly measured");
	d = syn_new(2);                      /* a measured part that fails decides: does not hold */
	syn_cell(d, W_CPU_SPIN, "thread", 1, "iters=600", "util_cores=0.4");
	EXPECT_VERDICT(d, 1, CLAIM_FAILS);
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

/* pingpong thread and process on one PU (handoff thread_ns, proc_ns; < 0: no such cells), and
 * spread across two PUs (wake_t, wake_p; < 0: none). */
static json_t *c4(double thread_ns, double proc_ns, double wake_t, double wake_p)
{
	json_t *d = syn_new(2);
	if (thread_ns >= 0) {
		syn_one_pu(syn_cellf(d, W_PINGPONG, "thread", 2, "mode=wait", "handoff_ns=%g", thread_ns));
		syn_one_pu(syn_cellf(d, W_PINGPONG, "process", 2, "mode=wait", "handoff_ns=%g", proc_ns));
	}
	if (wake_t >= 0) {
		syn_cellf(d, W_PINGPONG, "thread", 2, "mode=wait", "handoff_ns=%g", wake_t);
		syn_cellf(d, W_PINGPONG, "process", 2, "mode=wait", "handoff_ns=%g", wake_p);
	}
	syn_cell(d, W_PINGPONG, "process", 2, "mode=spin", "handoff_ns=1"); /* no thread twin: unused */
	return d;
}

TEST(claims, c4_switch_cost)
{
	EXPECT_VERDICT(c4(1000, 3000, -1, -1), 4, CLAIM_HOLDS);
	EXPECT_VERDICT(c4(1000, 1200, -1, -1), 4, CLAIM_FAILS);
}

/* Claim 4 is decided on one PU, where a hand-off is a switch; the cross-PU wake-up is shown
 * beside the verdict, and never decides it. */
TEST(claims, c4_decided_on_one_pu_cross_pu_beside)
{
	char t[3000];
	EXPECT_VERDICT(c4(-1, -1, 1000, 3000), 4, CLAIM_NOT_MEASURED); /* cross-PU only: no switch measured */
	EXPECT_VERDICT(c4(1000, 1200, 28000, 90000), 4, CLAIM_FAILS);  /* a 3x wake-up does not make it hold */
	EXPECT_VERDICT(c4(1000, 3000, 28000, 28500), 4, CLAIM_HOLDS);  /* nor a 1x wake-up fail it */
	struct results_file *f = syn_load(c4(3100, 3400, 28000, 29000));
	struct claim_result r[CLAIMS_N];
	claims_evaluate(f, r);
	snprintf(t, sizeof t, "%s | %s | %s", r[3].headline, r[3].beside, r[3].measured);
	CHECK_EQ_INT(r[3].verdict, CLAIM_FAILS);
	CHECK_CONTAINS(r[3].headline, "on one PU: thread 3.1 us, process 3.4 us per hand-off (1.10x; the rule needs 2x) ✗");
	CHECK_STR(r[3].beside, "cross-PU wake-up, not judged: thread 28 us, process 29 us");
	CHECK(!strstr(r[3].headline, "28 us")); /* the wake-up is not the deciding figure */
	claims_free(r);
	results_file_free(f);
	/* an unstable one-PU cell whose every repetition was disturbed is still on one PU: the claim
	 * is unreliable (no verdict), not "not measured" */
	f = syn_load(c4(1000, 3000, -1, -1));
	struct results_file_cell *th = &f->cells[0];
	th->status = "unstable";
	th->reps[0].disturbed = 1;
	th->reps[0].counted = 0;
	th->nstats = 0;
	CHECK_EQ_INT(verdict_of(f, 4, t, sizeof t), CLAIM_UNRELIABLE);
	results_file_free(f);
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
	enum claim_verdict v = r[id - 1].verdict;
	claims_free(r);
	return v;
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
	claims_free(r);
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

/* Claims 2, 5 and 7 with a part not measured say so: partly measured, not holds. */
TEST(claims, missing_cells_give_partly_measured)
{
	char t[3000];
	json_t *d = syn_new(2); /* 2: no gil cell */
	syn_cell(d, W_COUNTER, "thread", 2, "sync=none gap_us=0", "lost_fraction=0.3");
	syn_cell(d, W_COUNTER, "thread", 2, "sync=mutex gap_us=0", "lost_fraction=0");
	CHECK_EQ_INT(verdict(d, 2, t, sizeof t), CLAIM_PARTLY);
	CHECK_CONTAINS(t, "not measured: the GIL alone does not fix it (needs shared-counter sync=none under gil");
	d = syn_new(2); /* 5: the waits, not the cost per task */
	syn_cell(d, W_SLEEP_IO, "coroutine", 1000, "wait_us=1000 limit=0 spinners=0", "waiters=1000 overlap_efficiency=0.95");
	CHECK_EQ_INT(verdict(d, 5, t, sizeof t), CLAIM_PARTLY);
	CHECK_CONTAINS(t, "not measured: least cost per task");
	d = syn_new(2); /* 7: one consumer: exactly once, but not the sharing */
	syn_cell(d, W_PC, "thread", 2, "queue=lock capacity=4", "producers=1 consumers=1 ops_per_s=1000");
	CHECK_EQ_INT(verdict(d, 7, t, sizeof t), CLAIM_PARTLY);
	CHECK_CONTAINS(t, "not measured: consumers share the items");
	struct results_file *f = syn_load(c7((const double[]){ 0, 0, 500, 510 }, NULL)); /* both parts: holds */
	struct claim_result r[CLAIMS_N];
	claims_evaluate(f, r);
	CHECK_EQ_INT(r[6].verdict, CLAIM_HOLDS);
	CHECK(!strstr(r[6].headline, "not measured"));
	claims_free(r);
	results_file_free(f);
}

/* A knob value as long as the loader allows (KNOB_TEXT_MAX), different in each cell. */
static const char *long_value(unsigned i, unsigned k, char *buf, size_t len)
{
	int n = snprintf(buf, len, "v%u-%u-", i, k);
	while ((size_t)n < KNOB_TEXT_MAX && (size_t)n < len - 1)
		buf[n++] = 'x';
	buf[n] = 0;
	return buf;
}

/* Nothing is cut: 300 semaphore cells, each with ten knobs of the longest value the loader takes
 * (labels of over 500 characters, where the old code cut at 256), are every one in claim 6's
 * evidence, in full; the headline stays short and holds none of them. */
TEST(claims, huge_cells_are_not_truncated)
{
	enum { N = 300, K = 10 };
	char v[KNOB_TEXT_MAX + 1], knobs[K * (KNOB_TEXT_MAX + 8) + 80];
	json_t *d = syn_new(2);
	for (unsigned i = 0; i < N; i++) {
		int off = snprintf(knobs, sizeof knobs, "wait_us=%u limit=5 spinners=0", 1000 + i);
		for (unsigned k = 0; k < K; k++)
			off += snprintf(knobs + off, sizeof knobs - (size_t)off, " note%u=%s", k, long_value(i, k, v, sizeof v));
		syn_cell(d, W_SLEEP_IO, "thread", 20, knobs, "waiters=20 max_inside=5 rounds=4 ideal_rounds=4");
	}
	struct results_file *f = syn_load(d);
	struct claim_result r[CLAIMS_N];
	claims_evaluate(f, r);
	CHECK_EQ_INT(r[5].verdict, CLAIM_HOLDS);
	unsigned lines = 1;
	for (const char *p = r[5].measured; *p; p++)
		lines += *p == '\n';
	CHECK_EQ_INT(lines, 2 * N); /* two checks per cell: never more than k, and k inside */
	CHECK_CONTAINS(r[5].measured, long_value(N - 1, K - 1, v, sizeof v)); /* the last cell's last knob, whole */
	CHECK_CONTAINS(r[5].measured, "wait_us=1299");
	CHECK(strlen(r[5].headline) <= 200);
	CHECK(!strstr(r[5].headline, "xxxxxxxxxx"));
	CHECK_CONTAINS(r[5].headline, "✓ (all 600 checks ✓)");
	for (unsigned i = 0; i < CLAIMS_N; i++)
		CHECK(strlen(r[i].headline) + strlen(r[i].beside) + strlen(r[i].brief) <= 280);
	claims_free(r);
	results_file_free(f);
}
