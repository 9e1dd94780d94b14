/* Registry validation: every registered module passes its check, broken ones do not. */
#include <errno.h>

#include "drivers/driver.h"
#include "bench/core/runner.h"
#include "tests/test.h"
#include "workloads/workload.h"

TEST(registry, every_module_is_well_formed)
{
	char why[300];
	CHECK(workload_count >= 1);
	CHECK(driver_count >= 2);
	for (unsigned i = 0; i < workload_count; i++)
		if (workload_check(workload_table[i], why, sizeof why))
			TEST_FAIL("%s", why);
	for (unsigned i = 0; i < driver_count; i++)
		if (driver_check(driver_table[i], why, sizeof why))
			TEST_FAIL("%s", why);
}

TEST(registry, names_unique_and_found)
{
	for (unsigned i = 0; i < workload_count; i++) {
		CHECK(workload_find(workload_table[i]->name) == workload_table[i]);
		for (unsigned j = i + 1; j < workload_count; j++)
			CHECK(strcmp(workload_table[i]->name, workload_table[j]->name));
	}
	for (unsigned i = 0; i < driver_count; i++)
		CHECK(driver_find(driver_table[i]->name) == driver_table[i]);
	CHECK(workload_find("no-such") == NULL);
	CHECK(driver_find("no-such") == NULL);
	CHECK(driver_find("thread") && driver_find("process"));
}

/* -O name=value applies to the workload or the driver that declares the name: the same name
 * in both would be ambiguous. Knob defaults must parse (checked by workload_check too). */
TEST(registry, knob_names_do_not_clash)
{
	for (unsigned w = 0; w < workload_count; w++)
		for (const struct knob *k = workload_table[w]->knobs; k && k->name; k++)
			if (opt_find(runner_knobs, k->name))
				TEST_FAIL("knob %s of workload %s is a harness knob", k->name, workload_table[w]->name);
	for (unsigned d = 0; d < driver_count; d++)
		for (const struct knob *k = driver_table[d]->knobs; k && k->name; k++)
			if (opt_find(runner_knobs, k->name))
				TEST_FAIL("knob %s of driver %s is a harness knob", k->name, driver_table[d]->name);
	for (unsigned w = 0; w < workload_count; w++)
		for (const struct knob *k = workload_table[w]->knobs; k && k->name; k++)
			for (unsigned d = 0; d < driver_count; d++)
				if (opt_find(driver_table[d]->knobs, k->name))
					TEST_FAIL("knob %s is both in workload %s and driver %s", k->name,
					          workload_table[w]->name, driver_table[d]->name);
	for (unsigned d = 0; d < driver_count; d++)
		for (const struct knob *k = driver_table[d]->knobs; k && k->name; k++) {
			struct knobval v;
			char err[200];
			if (opt_parse_value(k, k->def, &v, err, sizeof err))
				TEST_FAIL("driver %s: %s", driver_table[d]->name, err);
		}
}

static int dummy_run(struct task *t) { (void)t; return 0; }

TEST(registry, broken_modules_are_rejected)
{
	char why[300];
	struct workload w = { .name = "ok-name", .summary = "s", .version = WORKLOAD_API_VERSION, .min_workers = 1,
		              .primary_metric = "ops_per_s", .run = dummy_run };
	CHECK(workload_check(&w, why, sizeof why) == 0);
	w.version = WORKLOAD_API_VERSION + 1;
	CHECK(workload_check(&w, why, sizeof why) == -EINVAL);
	CHECK_CONTAINS(why, "API version");
	w.version = WORKLOAD_API_VERSION;
	w.name = "bad_name";
	CHECK(workload_check(&w, why, sizeof why) == -EINVAL);
	w.name = "ok-name";
	w.run = NULL;
	CHECK(workload_check(&w, why, sizeof why) == -EINVAL);
	w.run = dummy_run;
	static const struct knob bad[] = { { "x", KNOB_INT, "99", 0, 10, NULL, "h" }, { 0 } };
	w.knobs = bad;
	CHECK(workload_check(&w, why, sizeof why) == -EINVAL);
	CHECK_CONTAINS(why, "bad default");

	struct driver_ops d = driver_thread;
	CHECK(driver_check(&d, why, sizeof why) == 0);
	d.wait = NULL;
	CHECK(driver_check(&d, why, sizeof why) == -EINVAL);
	CHECK_CONTAINS(why, "wait");
	d = driver_thread;
	d.version = 0;
	CHECK(driver_check(&d, why, sizeof why) == -EINVAL);
}
