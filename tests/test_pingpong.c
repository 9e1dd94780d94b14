/* pingpong: both modes under both drivers, on one PU and across PUs; pairs and the odd worker
 * out; the handoff metric agrees with ops and wall time; verify catches a broken alternation. */
#include "tests/test.h"
#include "bench/machine/topo.h"
#include "tests/util.h"

static const char *drivers[] = { "thread", "process" };
static const char *modes[] = { "mode=wait", "mode=spin" };

static json_t *run(const char *drv, unsigned n, const char *pin, const char *k0, const char *k1)
{
	return tcell_run(&(struct tcell){ .workload = "pingpong", .driver = drv, .workers = n, .pin = pin,
	                                  .knobs = { k0, k1 } });
}

TEST(pingpong, both_modes_both_drivers_one_and_two_pus)
{
	const char *pins[] = { "pus:0", topo_npus() > 1 ? "spread" : "pus:0" };
	double total = 0;
	for (unsigned d = 0; d < 2; d++)
		for (unsigned m = 0; m < 2; m++)
			for (unsigned p = 0; p < 2; p++) {
				json_t *root = run(drivers[d], 2, pins[p], modes[m], NULL);
				json_t *cell = tcell_cell(root);
				if (strcmp(tcell_status(cell), "ok"))
					TEST_FAIL("%s %s %s: %s", drivers[d], modes[m], pins[p], tcell_error(cell));
				json_t *r = tcell_rep0(cell);
				double ops = tcell_num(r, "ops"), hns = tcell_num(r, "handoff_ns");
				total += ops;
				CHECK_EQ_INT(tcell_num(r, "pairs"), 1);
				/* round trips are counted by side 0 only */
				CHECK_EQ_INT(json_number_value(json_array_get(json_object_get(r, "worker_ops"), 1)), 0);
				/* 2 handoffs per round trip, within the pair's time, within the cell's wall */
				double covered = hns * 2 * ops / 1e9 / tcell_num(r, "wall_s");
				if (!(hns > 0 && covered <= 1.0001))
					TEST_FAIL("%s %s %s: handoff_ns %.1f x 2 x %.0f ops covers %.3f of wall", drivers[d],
					          modes[m], pins[p], hns, ops, covered);
				json_decref(root);
			}
	CHECK(total > 0);
}

TEST(pingpong, workers_pair_up_and_the_odd_one_idles)
{
	for (unsigned d = 0; d < 2; d++) {
		json_t *root = run(drivers[d], 4, NULL, "mode=wait", NULL);
		json_t *cell = tcell_cell(root);
		CHECK_STR(tcell_status(cell), "ok");
		json_t *r = tcell_rep0(cell), *wops = json_object_get(r, "worker_ops");
		CHECK_EQ_INT(tcell_num(r, "pairs"), 2);
		CHECK(json_number_value(json_array_get(wops, 0)) > 0);
		CHECK(json_number_value(json_array_get(wops, 2)) > 0);
		json_decref(root);
		root = run(drivers[d], 3, NULL, "mode=spin", NULL);
		cell = tcell_cell(root);
		CHECK_STR(tcell_status(cell), "ok");
		r = tcell_rep0(cell);
		CHECK_EQ_INT(tcell_num(r, "pairs"), 1);
		CHECK_EQ_INT(json_number_value(json_array_get(json_object_get(r, "worker_ops"), 2)), 0);
		json_decref(root);
	}
}

TEST(pingpong, spin_yields_even_on_every_poll)
{
	json_t *root = run("thread", 2, "pus:0", "mode=spin", "yield_every=1");
	CHECK_STR(tcell_status(tcell_cell(root)), "ok");
	json_decref(root);
}

TEST(pingpong, one_worker_is_skipped)
{
	json_t *root = run("thread", 1, NULL, NULL, NULL);
	CHECK_STR(tcell_status(tcell_cell(root)), "skipped");
	CHECK_CONTAINS(tcell_error(tcell_cell(root)), "at least 2 workers");
	json_decref(root);
}

/* The deliberately broken variant: side 0's first move adds 3 (it makes that move even if
 * the run stops at once, so this does not depend on timing). */
TEST(pingpong, verify_catches_broken_alternation)
{
	for (unsigned d = 0; d < 2; d++)
		for (unsigned m = 0; m < 2; m++) {
			json_t *root = tcell_run(&(struct tcell){ .workload = "pingpong", .driver = drivers[d], .workers = 2,
			                                          .duration_s = 0.1, .knobs = { modes[m], "defect=skip" } });
			json_t *cell = tcell_cell(root);
			CHECK_STR(tcell_status(cell), "failed");
			CHECK_CONTAINS(tcell_error(cell), "verify failed: pair 0");
			/* side 1 saw the bad token, or (if it never got a turn) the sum does not match */
			if (!strstr(tcell_error(cell), "out of alternation") && !strstr(tcell_error(cell), "token is at 3"))
				TEST_FAIL("unexpected verify error: %s", tcell_error(cell));
			json_decref(root);
		}
}

/* Spin-then-block (-O wait_spin_us, thread and process drivers): the token still alternates
 * (verify), and across PUs the waiter mostly catches the token while it spins: far fewer
 * voluntary context switches per handoff than without the spin (a generous bound: blocking
 * costs about one per handoff, each side). On one PU the spin is off (no second core to spin
 * against): the handoffs stay as fast as without the knob, not a spin timeout each. */
TEST(pingpong, wait_spin_hands_off_without_blocking_across_pus)
{
	for (unsigned d = 0; d < 2; d++) {
		double per[2][2]; /* [pin][spin]: voluntary switches per handoff, or ops/s on one PU */
		for (unsigned p = 0; p < 2; p++)
			for (unsigned s = 0; s < 2; s++) {
				json_t *root = run(drivers[d], 2, p ? "pus:0" : "spread", "mode=wait",
				                   s ? "wait_spin_us=1000" : "wait_spin_us=0");
				json_t *cell = tcell_cell(root);
				if (strcmp(tcell_status(cell), "ok"))
					TEST_FAIL("%s %s spin %u: %s", drivers[d], p ? "pus:0" : "spread", s, tcell_error(cell));
				json_t *r = tcell_rep0(cell);
				double handoffs = 2 * tcell_num(r, "ops") + 1;
				per[p][s] = p ? tcell_num(r, "ops_per_s") : tcell_num(r, "ctx_voluntary") / handoffs;
				json_decref(root);
			}
		if (topo_npus() > 1 && !(per[0][1] < 0.25 * per[0][0]))
			TEST_FAIL("%s across PUs: %.3f voluntary switches per handoff with the spin, %.3f without",
			          drivers[d], per[0][1], per[0][0]);
		if (!(per[1][1] > 0.2 * per[1][0]))
			TEST_FAIL("%s on one PU: %.0f round trips/s with wait_spin_us=1000, %.0f without", drivers[d],
			          per[1][1], per[1][0]);
	}
}
