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

/* What one op is belongs to the workload (struct workload .op_unit, checked by
 * workload_check); readers that know a workload by name ask workload_op_unit(). */
TEST(registry, every_workload_names_its_op_unit)
{
	for (unsigned i = 0; i < workload_count; i++) {
		const char *u = workload_op_unit(workload_table[i]->name);
		if (!u || !*u)
			TEST_FAIL("workload %s: no op unit", workload_table[i]->name);
		CHECK(u == workload_table[i]->op_unit);
	}
	CHECK_STR(workload_op_unit("task-pool"), "tasks");
	CHECK(workload_op_unit("no-such") == NULL);
}

static int dummy_run(struct task *t) { (void)t; return 0; }

TEST(registry, broken_modules_are_rejected)
{
	char why[300];
	struct workload w = { .name = "ok-name", .summary = "s", .version = WORKLOAD_API_VERSION, .min_workers = 1,
		              .primary_metric = "ops_per_s", .op_unit = "things", .run = dummy_run };
	CHECK(workload_check(&w, why, sizeof why) == 0);
	w.op_unit = NULL;
	CHECK(workload_check(&w, why, sizeof why) == -EINVAL);
	CHECK_CONTAINS(why, "missing op_unit");
	w.op_unit = "";
	CHECK(workload_check(&w, why, sizeof why) == -EINVAL);
	w.op_unit = "things";
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
	d = driver_thread;
	d.flags |= 1u << 9; /* neither a capability nor a runner hint */
	CHECK(driver_check(&d, why, sizeof why) == -EINVAL);
	CHECK_CONTAINS(why, "unknown flags 0x200");
}

/* The capability query: every missing capability is named in the skip reason, with the
 * driver's name; what the driver has passes. */
TEST(registry, capability_query_names_what_is_missing)
{
	struct driver_ops d = driver_thread;
	d.name = "bare";
	d.flags = TASK_CAP_PARALLEL | DRIVER_SELF_ACCOUNTING;
	struct run r = { .drv = &d };
	CHECK_EQ_INT(run_caps(&r), TASK_CAP_PARALLEL);
	CHECK_EQ_INT(run_need_caps(&r, TASK_CAP_PARALLEL, "mode=x"), 0);
	CHECK_EQ_INT(run_need_caps(&r, 0, "mode=x"), 0);
	CHECK_EQ_INT(run_need_caps(&r, TASK_CAP_PARALLEL | TASK_CAP_SHARED_AS | TASK_CAP_INHERIT_FDS | (1u << 9), "mode=y"),
	             -ENOTSUP);
	CHECK_STR(r.err, "mode=y needs workers in one address space (shared-as), workers that have the descriptors "
	                 "setup opened (inherit-fds), capability 0x200, which driver bare does not give");
	for (unsigned i = 0; i < driver_count; i++) { /* what each driver declares, it has */
		r.drv = driver_table[i];
		CHECK_EQ_INT(run_need_caps(&r, driver_table[i]->flags & TASK_CAPS_ALL, "all"), 0);
	}
}
