/* skeleton: the example workload (workloads/skeleton.c) is well formed, not registered, passes
 * verify under every driver (and coroutines on two scheduler threads), and its verify fails
 * when the steps and the ops disagree. */
#include <stdatomic.h>

#include "drivers/driver.h"
#include "tests/test.h"
#include "tests/util.h"
#include "workloads/workload.h"

TEST(skeleton, is_well_formed_and_not_registered)
{
	char why[300];
	if (workload_check(&workload_skeleton, why, sizeof why))
		TEST_FAIL("%s", why);
	CHECK(workload_find(workload_skeleton.name) == NULL);
	for (unsigned i = 0; i < workload_count; i++)
		CHECK(workload_table[i] != &workload_skeleton);
}

static double run_skeleton(const struct driver_ops *drv, unsigned n, const char *k0)
{
	json_t *root = tcell_run_ok(&(struct tcell){ .wl = &workload_skeleton, .drv = drv, .workers = n,
	                                             .knobs = { "work=50", k0 } });
	json_t *r = tcell_rep0(tcell_cell(root));
	double steps = tcell_num(r, "steps");
	CHECK_EQ_INT(tcell_num(r, "ops"), steps);
	json_decref(root);
	return steps;
}

TEST_T(skeleton, passes_verify_under_every_driver, 120)
{
	double steps = 0;
	for (unsigned d = 0; d < driver_count; d++) {
		if (driver_table[d]->unsupported || (driver_table[d]->flags & DRIVER_FOREIGN)) /* no C run() */
			continue;
		steps += run_skeleton(driver_table[d], 1, NULL);
		steps += run_skeleton(driver_table[d], 3, NULL);
	}
	if (driver_find("coroutine"))
		steps += run_skeleton(driver_find("coroutine"), 3, "threads=2");
	CHECK(steps > 0);
}

/* A driver that miscounts: after join it adds one op to worker 0 (the metrics hook runs before
 * the workload's verify), so the steps in shared memory no longer match the ops. */
static void add_an_op(struct run *r)
{
	atomic_fetch_add(&r->sh->slot[0].ops, 1);
}

TEST(skeleton, verify_catches_steps_that_do_not_match_the_ops)
{
	static struct driver_ops miscount;
	miscount = driver_thread;
	miscount.name = "miscount";
	miscount.metrics = add_an_op;
	json_t *root = tcell_run(&(struct tcell){ .wl = &workload_skeleton, .drv = &miscount, .workers = 2 });
	json_t *cell = tcell_cell(root);
	CHECK_STR(tcell_status(cell), "failed");
	CHECK_CONTAINS(tcell_error(cell), "verify failed");
	/* verify recorded the steps before it failed: the ops it counted are one more */
	double steps = tcell_num(tcell_rep0(cell), "steps");
	char want[120];
	snprintf(want, sizeof want, "%.0f steps in shared memory, %.0f ops counted", steps, steps + 1);
	CHECK_CONTAINS(tcell_error(cell), want);
	json_decref(root);
}
