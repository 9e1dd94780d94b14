/* The contract between workloads and drivers: every registered workload runs under every
 * registered driver. Each (workload x driver) cell, as short as the runner allows (0.01 s, one
 * repetition, no warmup, the workload's min_workers), must end "ok" with its repetition and
 * its primary metric, or "skipped" with a reason. The pairs come from the registries
 * (workload_table, driver_table), never from a list of names here, so a new workload or
 * driver is covered the moment it is registered. */
#include <math.h>

#include "drivers/driver.h"
#include "tests/test.h"
#include "tests/util.h"
#include "workloads/workload.h"

/* Every entry of WORKLOADS(X) / DRIVERS(X) is in the table the test walks. */
TEST(contract, registries_hold_every_listed_module)
{
#define ONE(n) +1
	CHECK_EQ_INT(workload_count, 0 WORKLOADS(ONE));
	CHECK_EQ_INT(driver_count, 0 DRIVERS(ONE));
#undef ONE
	CHECK(workload_count >= 1 && driver_count >= 1);
}

/* NULL if the cell kept the contract, else what broke it (in buf). */
static const char *contract_broken(json_t *cell, const struct workload *wl, char *buf, size_t len)
{
	const char *st = tcell_status(cell);
	if (!st)
		return "no status";
	if (!strcmp(st, "skipped"))
		return *tcell_error(cell) ? NULL : "skipped without a reason";
	if (strcmp(st, "ok")) {
		snprintf(buf, len, "%s: %s", st, tcell_error(cell));
		return buf;
	}
	if (json_array_size(json_object_get(cell, "reps")) != 1)
		return "ok without its one repetition";
	if (!isfinite(tcell_median(cell, wl->primary_metric))) {
		snprintf(buf, len, "ok without its primary metric %s", wl->primary_metric);
		return buf;
	}
	return NULL;
}

TEST_T(contract, every_workload_under_every_driver, 300)
{
	unsigned bad = 0, ok = 0, skipped = 0;
	for (unsigned w = 0; w < workload_count; w++)
		for (unsigned d = 0; d < driver_count; d++) {
			const struct workload *wl = workload_table[w];
			const struct driver_ops *drv = driver_table[d];
			json_t *root = tcell_run(&(struct tcell){ .wl = wl, .drv = drv, .workers = wl->min_workers,
			                                          .duration_s = 0.01, .reps = 1, .warmup = 0 });
			json_t *cell = tcell_cell(root);
			char buf[600];
			const char *why = contract_broken(cell, wl, buf, sizeof buf);
			if (why)
				fprintf(stderr, "    %s under %s (n=%u): %s\n", wl->name, drv->name, wl->min_workers, why);
			else if (!strcmp(tcell_status(cell), "skipped"))
				printf("    %s under %s: skipped: %s\n", wl->name, drv->name, tcell_error(cell));
			bad += why != NULL;
			ok += !why && !strcmp(tcell_status(cell), "ok");
			skipped += !why && strcmp(tcell_status(cell), "ok");
			json_decref(root);
		}
	printf("    %u pairs: %u ok, %u skipped, %u broke the contract\n", workload_count * driver_count, ok, skipped,
	       bad);
	CHECK_EQ_INT(bad, 0);
}
