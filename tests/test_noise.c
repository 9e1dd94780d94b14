/* noise: the interference record and rule (bench/core/interference.h), what a disturbed
 * repetition does, --reps auto (bench/core/reps.h), and the results files that carry them. */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "tests/test.h"
#include "tests/util.h"
#include "bench/cli/run_plan.h"
#include "bench/core/interference.h"
#include "bench/core/reps.h"
#include "bench/store/results.h"
#include "bench/store/results_load.h"
#include "bench/store/run_baseline.h"
#include "drivers/driver.h"
#include "workloads/workload.h"

/* ---- the rule, on synthetic figures ---- */

/* A quiet repetition: 0.2 s, 2 threads on 2 PUs, nothing else. */
static struct interference_in quiet(void)
{
	return (struct interference_in){ .wall_s = 0.2, .tick_s = 0.01, .npus = 2, .nthreads = 2 };
}

static const char *judge(const struct interference_in *in)
{
	static struct interference_verdict v;
	interference_judge(in, &v);
	CHECK_EQ_INT(v.disturbed, v.reasons != 0);
	return v.by;
}

TEST(noise, rule_quiet_is_not_disturbed)
{
	struct interference_in in = quiet();
	CHECK_STR(judge(&in), "");
	/* below every threshold at once: tick-sized steal, tick noise of other load, 4% run
	 * delay, a 15 ms late wake-up, migrations (never judged) */
	in.steal_s = 0.01;
	in.other_load_pu_cores = 0.24;
	in.other_load_cores = 1.5;
	in.run_delay_s = 0.04 * 2 * 0.2;
	in.stall_s = 0.015;
	in.migrations = 1000;
	CHECK_STR(judge(&in), "");
	/* oversubscription explains run delay: 4 threads on 2 PUs wait half the time */
	in = quiet();
	in.nthreads = 4;
	in.run_delay_s = 2 * 0.2 + 0.01;
	CHECK_STR(judge(&in), "");
	/* a short repetition between busy phases of its own cell (sleep-io with 1000 threads: 24 ms
	 * of wall right after 30 ms of spawning on both PUs): /proc/stat's ticks at both ends of
	 * the window carry the cell's own spawn and exit, up to a tick per PU at each end */
	in = quiet();
	in.wall_s = 0.024;
	in.other_load_pu_cores = 1.23;
	CHECK_STR(judge(&in), "");
	/* an oversubscribed cell (1000 runnable threads on 2 PUs) starves the supervising thread
	 * by itself: its late wake-up is no evidence of an outside stall */
	in = quiet();
	in.nthreads = 1000;
	in.run_delay_s = 998 * 0.2;
	in.stall_s = 0.05;
	CHECK_STR(judge(&in), "");
	/* nothing ran: nothing to judge */
	in = quiet();
	in.wall_s = 0;
	in.stall_s = 1;
	CHECK_STR(judge(&in), "");
}

TEST(noise, rule_each_reason)
{
	struct interference_in in = quiet();
	in.steal_s = 0.02; /* 2 ticks, 5% of 0.4 PU-s */
	CHECK_STR(judge(&in), "steal");
	in = quiet();
	in.other_load_pu_cores = 0.36; /* above 0.15 + 2 ticks per PU over 0.2 s; a pinned spinner is 0.5-1.0 */
	CHECK_STR(judge(&in), "other_load");
	in = quiet();
	in.run_delay_s = 0.06 * 2 * 0.2;
	CHECK_STR(judge(&in), "run_delay");
	in = quiet();
	in.stall_s = 0.05; /* the 50 ms SIGSTOP of -O fault=stall */
	CHECK_STR(judge(&in), "stall");
	/* a long repetition: 20 ms is under 5% of 10 s */
	in.wall_s = 10;
	in.stall_s = 0.4;
	CHECK_STR(judge(&in), "");
	in.stall_s = 0.6;
	CHECK_STR(judge(&in), "stall");
	/* all four, in the documented order */
	in = quiet();
	in.steal_s = 1;
	in.other_load_pu_cores = 1;
	in.run_delay_s = 1;
	in.stall_s = 1;
	CHECK_STR(judge(&in), "steal,other_load,run_delay,stall");
}

/* A worker process's own helper threads (multiprocessing.Queue's feeder thread in a py-process
 * producer) share its PU: the run delay they cause is the cell's own work, not interference. */
TEST(noise, rule_helper_threads_explain_run_delay)
{
	struct interference_in in = quiet();
	in.run_delay_s = 0.2;       /* what py-process producer-consumer n=2 showed over 0.5 s */
	in.wall_s = 0.5;
	CHECK_STR(judge(&in), "run_delay");
	in.helper_cpu_s = 0.21;     /* the feeder thread ran that long on the producer's PU */
	CHECK_STR(judge(&in), "");
	in.helper_cpu_s = 0.1;      /* it explains only half: the rest is someone else's */
	CHECK_STR(judge(&in), "run_delay");
}

/* Two sides of an A/B pair disturbed alike (a hog that stays on the worker's PU) or unlike
 * (it started between them). */
TEST(noise, alike_is_within_the_rule_thresholds)
{
	struct interference_in a = quiet(), b = quiet();
	a.other_load_pu_cores = b.other_load_pu_cores = 0.6;    /* a pinned hog on both sides */
	CHECK(interference_alike(&a, &b));
	b.other_load_pu_cores = 1.0;                              /* 0.4 apart: over 0.15 + 2 ticks per PU */
	CHECK(!interference_alike(&a, &b));
	b = a;
	a.run_delay_s = 0.5 * 2 * 0.2;                            /* half their time waiting */
	b.run_delay_s = 0.52 * 2 * 0.2;
	CHECK(interference_alike(&a, &b));
	b.run_delay_s = 0.7 * 2 * 0.2;                            /* 20% of 2 threads more: unlike */
	CHECK(!interference_alike(&a, &b));
	b.helper_cpu_s = 0.2 * 2 * 0.2;                           /* ... unless the cell's own helpers explain it */
	CHECK(interference_alike(&a, &b));
	b = a;
	b.wall_s = 0.4;                                           /* rates, not seconds */
	b.run_delay_s = 2 * a.run_delay_s;
	CHECK(interference_alike(&a, &b));
	b.steal_s = 0.2;                                          /* 0.5 s of steal per s on 2 PUs */
	CHECK(!interference_alike(&a, &b));
	b = a;
	b.wall_s = 0;                                             /* nothing ran */
	CHECK(!interference_alike(&a, &b));
}

/* The reading: a worker process (here a forked child) with a helper thread that spins; its CPU
 * is found by listing the worker's thread group, at the gate and at the end (a helper born
 * during the window counts whole). */
static double mono_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void *helper_spin(void *arg)
{
	double until = *(double *)arg;
	while (mono_s() < until)
		;
	pause(); /* alive at the end, as a feeder thread is */
	return NULL;
}

TEST(noise, probe_finds_a_worker_process_helper_thread)
{
	int go[2];
	CHECK(pipe(go) == 0);
	pid_t child = fork();
	if (child == 0) {
		char c;
		close(go[1]);
		if (read(go[0], &c, 1) != 1) /* the gate */
			_exit(1);
		pthread_t t;
		double until = mono_s() + 0.1;
		if (pthread_create(&t, NULL, helper_spin, &until))
			_exit(1);
		pause();
		_exit(0);
	}
	close(go[0]);
	static struct interference_probe probe;
	struct task_slot slot = { .tid = child };
	interference_begin(&probe, &slot, 1);
	CHECK(write(go[1], "g", 1) == 1);
	usleep(300000);
	interference_end(&probe);
	struct interference_in in;
	int pu = -1;
	interference_input(&probe, &pu, 1, 0, 0.3, &in);
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	close(go[1]);
	fprintf(stderr, "  helper_cpu_s %.3f (the helper spun 0.1 s)\n", in.helper_cpu_s);
	CHECK(in.helper_cpu_s >= 0.05 && in.helper_cpu_s <= 0.3);
	/* the cell's own process is not a worker process: its other threads are not counted */
	memset(&probe, 0, sizeof probe);
	slot.tid = (int)gettid();
	interference_begin(&probe, &slot, 1);
	interference_end(&probe);
	interference_input(&probe, &pu, 1, 0, 0.3, &in);
	CHECK(in.helper_cpu_s == 0);
}

/* ---- --reps auto: the stopping rule on fake series (bench/core/reps.h) ---- */

/* Feed series x to the rule as a cell would, one repetition of rep_s at a time; the number of
 * repetitions measured when it stops, and why in *why. disturbed_every: every k-th is
 * disturbed (0: none). */
static unsigned feed(const struct reps_policy *pol, const double *x, unsigned n, double rep_s, unsigned disturbed_every,
                     enum reps_reason *why)
{
	double good[200];
	struct reps_state st = { .good = good, .last_rep_s = rep_s };
	for (unsigned i = 0; i < n; i++) {
		st.measured++;
		st.elapsed_s += rep_s;
		if (disturbed_every && (i + 1) % disturbed_every == 0)
			st.disturbed++;
		else
			good[st.ngood++] = x[i];
		if ((*why = reps_decide(pol, &st)) != REPS_GO_ON)
			return st.measured;
	}
	*why = REPS_GO_ON;
	return n;
}

static const struct reps_policy auto_pol = { .automatic = 1, .reps = REPS_AUTO_MIN, .max_reps = REPS_AUTO_MAX,
	                                     .target = REPS_AUTO_TARGET, .budget_s = 10 };

TEST(noise, auto_stops_at_the_minimum_on_a_constant_metric)
{
	double x[200];
	enum reps_reason why;
	for (unsigned i = 0; i < 200; i++)
		x[i] = 1234.5;
	CHECK_EQ_INT(feed(&auto_pol, x, 200, 0.2, 0, &why), REPS_AUTO_MIN);
	CHECK_EQ_INT(why, REPS_CI_TARGET);
	CHECK_STR(reps_reason_name(why), "ci_target");
	/* a tight one (+-0.1%) too */
	for (unsigned i = 0; i < 200; i++)
		x[i] = 1000 + (i % 3);
	CHECK_EQ_INT(feed(&auto_pol, x, 200, 0.2, 0, &why), REPS_AUTO_MIN);
	/* disturbed repetitions are run again: the minimum counts undisturbed ones */
	CHECK_EQ_INT(feed(&auto_pol, x, 200, 0.2, 2, &why), 2 * REPS_AUTO_MIN - 1);
	CHECK_EQ_INT(why, REPS_CI_TARGET);
}

TEST(noise, auto_stops_at_the_budget_on_a_hopeless_metric)
{
	double x[200];
	enum reps_reason why;
	for (unsigned i = 0; i < 200; i++)
		x[i] = i % 2 ? 1000 : 2000; /* +-50%: no CI ever gets within 1% */
	/* 10.1 s of 0.2 s repetitions: 50 end at 10.0 s, a 51st would end past the budget */
	struct reps_policy pol = auto_pol;
	pol.budget_s = 10.1;
	CHECK_EQ_INT(feed(&pol, x, 200, 0.2, 0, &why), 50);
	CHECK_EQ_INT(why, REPS_BUDGET);
	pol.budget_s = 1e9;
	CHECK_EQ_INT(feed(&pol, x, 200, 0.2, 0, &why), REPS_AUTO_MAX);
	CHECK_EQ_INT(why, REPS_MAX_REPS);
	/* the minimum is run whatever the budget */
	pol.budget_s = 0;
	CHECK_EQ_INT(feed(&pol, x, 200, 0.2, 0, &why), REPS_AUTO_MIN);
	CHECK_EQ_INT(why, REPS_BUDGET);
}

TEST(noise, fixed_reruns_disturbed_and_says_unstable)
{
	double x[40] = { 0 };
	enum reps_reason why;
	struct reps_policy pol = { .reps = 5 };
	CHECK_EQ_INT(feed(&pol, x, 40, 0.2, 0, &why), 5);
	CHECK_EQ_INT(why, REPS_FIXED);
	/* every 3rd disturbed: 5 good ones after 7 */
	CHECK_EQ_INT(feed(&pol, x, 40, 0.2, 3, &why), 7);
	/* every one disturbed: the re-runs stop after 5 more, and the cell is unstable */
	CHECK_EQ_INT(feed(&pol, x, 40, 0.2, 1, &why), 10);
	CHECK_EQ_INT(why, REPS_FIXED);
	CHECK_EQ_INT(feed(&auto_pol, x, 40, 0.2, 1, &why), 2 * REPS_AUTO_MIN);
	CHECK_EQ_INT(why, REPS_MAX_REPS);
	/* auto: the budget bounds the re-runs too (the minimum is measured whatever happens) */
	struct reps_policy tight = auto_pol;
	tight.budget_s = 1.5;
	CHECK_EQ_INT(feed(&tight, x, 40, 0.2, 1, &why), 7);
	CHECK_EQ_INT(why, REPS_BUDGET);
	tight.budget_s = 0; /* the minimum, and the one re-run granted past the budget */
	CHECK_EQ_INT(feed(&tight, x, 40, 0.2, 1, &why), REPS_AUTO_MIN + REPS_RERUNS_PAST_BUDGET);
	CHECK_EQ_INT(why, REPS_BUDGET);
	/* a quiet cell with one disturbed repetition, its budget spent by the minimum (a --claims
	 * cell): the re-run is granted, the minimum counts, the cell is not unstable */
	tight.budget_s = 1.0;
	double q[40];
	for (unsigned i = 0; i < 40; i++)
		q[i] = 1000;
	struct reps_state one = { .good = q, .ngood = 4, .measured = 5, .disturbed = 1, .elapsed_s = 1.0, .last_rep_s = 0.2 };
	CHECK_EQ_INT(reps_decide(&tight, &one), REPS_GO_ON);
	one.measured = 6, one.ngood = 5, one.elapsed_s = 1.2;
	CHECK_EQ_INT(reps_decide(&tight, &one), REPS_CI_TARGET);
	CHECK(!reps_unstable(&tight, &one));
	/* the re-run disturbed too: no second one past the budget, unstable */
	one.ngood = 4;
	CHECK_EQ_INT(reps_decide(&tight, &one), REPS_BUDGET);
	CHECK(reps_unstable(&tight, &one));
	struct reps_state st = { .measured = 10, .disturbed = 10, .ngood = 0 };
	CHECK(reps_unstable(&pol, &st));
	st = (struct reps_state){ .measured = 6, .disturbed = 1, .ngood = 5 };
	CHECK(!reps_unstable(&pol, &st));
	/* --keep-disturbed: every ok one counts, nothing is re-run, never unstable */
	pol.keep_disturbed = 1;
	st = (struct reps_state){ .measured = 5, .disturbed = 5, .ngood = 5 };
	CHECK_EQ_INT(reps_decide(&pol, &st), REPS_FIXED);
	CHECK(!reps_unstable(&pol, &st));
}

/* ---- a forced stall: -O fault=stall stops the cell for 50 ms (SIGSTOP) ---- */

/* bench run ARGS into path with the disturbed rule on (the suite's environment turns it off),
 * loaded back; NULL after a failed check. */
static json_t *run_json(const char *path, const char *args)
{
	char out[4096];
	int rc = test_sh(out, sizeof out, "env -u BENCH_KEEP_DISTURBED %s run %s -q -o %s", test_bench_exe(), args, path);
	CHECK_EQ_INT(rc, 0);
	json_error_t e;
	json_t *root = json_load_file(path, 0, &e);
	CHECK(root != NULL);
	return root;
}

TEST(noise, a_stalled_cell_is_flagged_and_rerun)
{
	char path[] = "/tmp/bench-noise-XXXXXX";
	int fd = mkstemp(path);
	CHECK(fd >= 0);
	close(fd);
	/* 2 measured repetitions of 0.4 s, each stopped for 50 ms after 50 ms (the rest is slack for
	 * a loaded machine: the fault is due while the repetition runs) */
	json_t *root = run_json(path, "-w cpu-spin -d thread,process -n 1 --reps 2 --warmup 1 --duration 0.4 -O fault=stall");
	unlink(path);
	CHECK_EQ_INT(json_integer_value(json_object_get(root, "schema_version")), 2);
	size_t ci, ri;
	json_t *cell, *rep;
	json_array_foreach(json_object_get(root, "cells"), ci, cell) {
		/* every repetition stalled: re-run up to 2 more, then the cell is unstable */
		json_t *reps = json_object_get(cell, "reps"), *stop = json_object_get(cell, "reps_stop");
		CHECK_STR(json_string_value(json_object_get(cell, "status")), "unstable");
		CHECK_EQ_INT(json_array_size(reps), 4);
		CHECK_STR(json_string_value(json_object_get(stop, "mode")), "fixed");
		CHECK_EQ_INT(json_integer_value(json_object_get(stop, "measured")), 4);
		CHECK_EQ_INT(json_integer_value(json_object_get(stop, "disturbed")), 4);
		json_array_extend(reps, json_object_get(cell, "warmups"));
		json_array_foreach(reps, ri, rep) {
			CHECK(json_is_true(json_object_get(rep, "disturbed")));
			CHECK(strstr(json_string_value(json_object_get(rep, "disturbed_by")) ?: "", "stall") != NULL);
			CHECK(json_number_value(json_object_get(rep, "stall_s")) >= 0.04);
		}
		/* the summary leaves the disturbed ones out: nothing is left */
		CHECK(json_object_get(json_object_get(cell, "summary"), "ops_per_s") == NULL);
	}
	json_decref(root);
}

/* ---- results files: schema 1 and 2, the new fields validated ---- */

/* Load doc (consumed) from a temp file: 0, or the loader's code with its message in err. */
static int load_doc(json_t *doc, struct results_file **f, char *err, size_t len)
{
	char path[] = "/tmp/bench-noise-load-XXXXXX";
	int fd = mkstemp(path);
	CHECK(fd >= 0);
	close(fd);
	syn_write(doc, path);
	json_decref(doc);
	int rc = results_file_load(path, f, err, len);
	unlink(path);
	return rc;
}

/* A schema-2 document with one cell of 4 repetitions, the 2nd and 4th disturbed. */
static json_t *v2_doc(json_t **cell)
{
	json_t *doc = syn_new(2);
	*cell = syn_cell(doc, "cpu-spin", "thread", 1, "", "ops_per_s=100/50/110/60");
	json_t *reps = json_object_get(*cell, "reps");
	for (size_t i = 0; i < 4; i++) {
		json_t *r = json_array_get(reps, i);
		json_object_set_new(r, "disturbed", json_boolean(i % 2));
		json_object_set_new(r, "steal_s", json_real(0));
		if (i % 2)
			json_object_set_new(r, "disturbed_by", json_string(i == 1 ? "other_load" : "steal,stall"));
	}
	json_object_set_new(*cell, "reps_stop", json_pack("{s:s,s:s,s:i,s:i,s:i,s:f,s:f}", "mode", "auto", "reason",
	                                                  "budget", "measured", 4, "disturbed", 2, "reruns", 2,
	                                                  "target_ci", 0.01, "budget_s", 1.5));
	syn_status(*cell, "unstable", "too many repetitions were disturbed");
	json_object_set_new(json_object_get(doc, "config"), "reps", json_string("auto"));
	return doc;
}

TEST(noise, loader_reads_schema_2_and_leaves_disturbed_out)
{
	char err[600];
	struct results_file *f;
	json_t *cell, *doc = v2_doc(&cell);
	json_object_set_new(doc, "schema_version", json_integer(2));
	CHECK_EQ_INT(load_doc(doc, &f, err, sizeof err), 0);
	const struct results_file_cell *c = &f->cells[0];
	CHECK(f->reps_auto && !f->keep_disturbed && f->schema_version == 2);
	CHECK_STR(c->status, "unstable");
	CHECK(c->reps_stop.present && c->reps_stop.automatic);
	CHECK_STR(c->reps_stop.reason, "budget");
	CHECK_EQ_INT(c->reps_stop.reruns, 2);
	CHECK(c->reps[1].disturbed && !c->reps[0].disturbed);
	CHECK_STR(c->reps[3].disturbed_by, "steal,stall");
	double v[8];
	CHECK_EQ_INT(results_file_values(c, "ops_per_s", v, 8), 2);
	CHECK(v[0] == 100 && v[1] == 110);
	CHECK_EQ_INT(results_file_series(c, "ops_per_s")->n, 2);
	CHECK_EQ_INT(results_file_values_any(c, "ops_per_s", v, 8), 4);
	results_file_free(f);
	/* a run that kept them counts them */
	doc = v2_doc(&cell);
	json_object_set_new(json_object_get(doc, "config"), "keep_disturbed", json_true());
	CHECK_EQ_INT(load_doc(doc, &f, err, sizeof err), 0);
	CHECK_EQ_INT(results_file_values(&f->cells[0], "ops_per_s", v, 8), 4);
	results_file_free(f);
	/* schema 1 (no such fields) still loads; 3 does not */
	doc = syn_new(2);
	syn_cell(doc, "cpu-spin", "thread", 1, "", "ops_per_s=100/50");
	json_object_set_new(doc, "schema_version", json_integer(1));
	CHECK_EQ_INT(load_doc(doc, &f, err, sizeof err), 0);
	CHECK(f->schema_version == 1 && !f->cells[0].reps_stop.present && !f->cells[0].reps[1].disturbed);
	results_file_free(f);
	doc = syn_new(2);
	json_object_set_new(doc, "schema_version", json_integer(3));
	CHECK_EQ_INT(load_doc(doc, &f, err, sizeof err), -EINVAL);
	CHECK_CONTAINS(err, "schema_version 3");
}

/* Each bad value: the file is refused with a message naming the key. */
/* A cell of --reps auto that came after the run's budget was spent gets a budget of 0 s (it
 * runs its minimum): bench writes that, so the loader must read it (it once refused it, and
 * bench store add then refused every full run --all). */
TEST(noise, loader_reads_a_spent_budget)
{
	char err[600];
	struct results_file *f;
	json_t *cell, *doc = v2_doc(&cell);
	json_object_set_new(json_object_get(cell, "reps_stop"), "budget_s", json_real(0));
	if (load_doc(doc, &f, err, sizeof err))
		TEST_FAIL("a budget of 0 s refused: %s", err);
	results_file_free(f);
}

TEST(noise, loader_refuses_bad_noise_fields)
{
	static const struct {
		const char *where, *key, *json, *says;
	} bad[] = {
		{ "rep", "disturbed", "1", "reps[0].disturbed should be true or false" },
		{ "rep", "disturbed_by", "\"stall\"", "is given, but the repetition is not disturbed" },
		{ "rep1", "disturbed_by", "\"noise\"", "should list steal, other_load" },
		{ "rep1", "disturbed_by", "\"stall,stall\"", "should list steal, other_load" },
		{ "rep1", "disturbed_by", "\"stall,\"", "should list steal, other_load" },
		{ "rep", "run_delay_s", "-1", "run_delay_s is -1, should be at least 0" },
		{ "rep", "steal_s", "\"x\"", "steal_s should be a number" },
		{ "stop", "reason", "\"bored\"", "reps_stop.reason is not one of" },
		{ "stop", "mode", "3", "reps_stop.mode is not one of" },
		{ "stop", "colour", "1", "reps_stop.colour is not one of" },
		{ "stop", "measured", "-2", "reps_stop.measured is -2" },
		{ "stop", "budget_s", "-1", "reps_stop.budget_s is -1, should be at least 0" },
		{ "stop", "target_ci", "0", "reps_stop.target_ci is 0, should be above 0" },
		{ "cell", "reps_stop", "[]", "reps_stop should be an object" },
		{ "cell", "status", "\"shaky\"", "should be ok, unstable, failed" },
		{ "config", "reps", "\"sometimes\"", "config.reps should be a count or \"auto\"" },
		{ "config", "keep_disturbed", "\"yes\"", "config.keep_disturbed should be true or false" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		char err[600];
		struct results_file *f;
		json_t *cell, *doc = v2_doc(&cell), *v = json_loads(bad[i].json, JSON_DECODE_ANY, NULL);
		json_t *reps = json_object_get(cell, "reps");
		json_t *o = !strcmp(bad[i].where, "rep") ? json_array_get(reps, 0)
		            : !strcmp(bad[i].where, "rep1") ? json_array_get(reps, 1)
		            : !strcmp(bad[i].where, "stop") ? json_object_get(cell, "reps_stop")
		            : !strcmp(bad[i].where, "config") ? json_object_get(doc, "config") : cell;
		json_object_set_new(o, bad[i].key, v);
		CHECK_EQ_INT(load_doc(doc, &f, err, sizeof err), -EINVAL);
		CHECK_CONTAINS(err, bad[i].says);
	}
}

/* ---- the command line: --reps auto, --all's default, --cell-budget, --keep-disturbed ---- */

static int parse(struct run_plan *p, const char *const *args)
{
	char *argv[20];
	int argc = 0;
	argv[argc++] = "run";
	for (; *args; args++)
		argv[argc++] = (char *)*args;
	argv[argc] = NULL;
	return run_plan_parse(argc, argv, p);
}

TEST(noise, reps_auto_on_the_command_line_and_from_a_baseline)
{
	struct run_plan p;
	const char *all[] = { "--all", NULL }, *all3[] = { "--all", "--reps", "3", NULL },
	           *plain[] = { "-w", "cpu-spin", NULL },
	           *autob[] = { "-w", "cpu-spin", "--reps", "auto", "--cell-budget", "2.5", "--keep-disturbed", NULL },
	           *nobudget[] = { "-w", "cpu-spin", "--cell-budget", "2", NULL },
	           *bad[] = { "-w", "cpu-spin", "--reps", "sometimes", NULL };
	unsetenv("BENCH_KEEP_DISTURBED");
	CHECK_EQ_INT(parse(&p, all), 0);
	CHECK(p.cfg.reps_auto && p.cfg.reps == REPS_AUTO_MIN && !p.cfg.keep_disturbed);
	run_plan_free(&p);
	CHECK_EQ_INT(parse(&p, all3), 0);
	CHECK(!p.cfg.reps_auto && p.cfg.reps == 3);
	run_plan_free(&p);
	CHECK_EQ_INT(parse(&p, plain), 0);
	CHECK(!p.cfg.reps_auto && p.cfg.reps == RUN_DEFAULT_REPS);
	run_plan_free(&p);
	CHECK_EQ_INT(parse(&p, autob), 0);
	CHECK(p.cfg.reps_auto && p.cfg.cell_budget_s == 2.5 && p.cfg.keep_disturbed);
	run_plan_free(&p);
	CHECK_EQ_INT(parse(&p, nobudget), -EINVAL);
	run_plan_free(&p);
	CHECK_EQ_INT(parse(&p, bad), -EINVAL);
	run_plan_free(&p);
	/* a baseline written by --reps auto: its "auto" is a setting run_plan_set takes */
	char path[] = "/tmp/bench-noise-base-XXXXXX";
	json_t *cell, *doc = v2_doc(&cell);
	int fd = mkstemp(path);
	CHECK(fd >= 0);
	close(fd);
	syn_write(doc, path);
	json_decref(doc);
	struct baseline_cells b;
	int rc = run_baseline_load(path, NULL, 0, &b);
	unlink(path);
	CHECK_EQ_INT(rc, 0);
	CHECK_STR(b.settings[RUN_SET_REPS], "auto");
	CHECK_EQ_INT(parse(&p, plain), 0);
	CHECK_EQ_INT(run_plan_set(&p, RUN_SET_REPS, b.settings[RUN_SET_REPS]), 0);
	CHECK(p.cfg.reps_auto && p.cfg.reps == REPS_AUTO_MIN);
	run_plan_free(&p);
	run_baseline_free(&b);
}

/* ---- the progress line (on a terminal): warm-up apart, an ETA from the cells done ---- */

TEST(noise, progress_line_tells_warmup_apart_and_gives_an_eta)
{
	char out[8192];
	int rc = test_sh(out, sizeof out,
	                 "command -v script >/dev/null || exit 77; cd /tmp && script -qec '%s run -w cpu-spin -d thread,process "
	                 "-n 1 --reps 2 --warmup 1 --duration 0.02 -o /tmp/bench-noise-progress.json' /dev/null | tr '\\r' '\\n'; "
	                 "rm -f /tmp/bench-noise-progress.json",
	                 test_bench_exe());
	if (rc == 77)
		return; /* no script(1): no terminal to test on */
	CHECK_CONTAINS(out, "[1/2] cpu-spin/thread/n=1 warm-up 1/1");
	CHECK_CONTAINS(out, "[1/2] cpu-spin/thread/n=1 rep 2/2");
	CHECK_CONTAINS(out, "[2/2] cpu-spin/process/n=1 rep 1/2  ETA 0:0");
	CHECK(strstr(out, "rep 3/") == NULL); /* the warm-up is not a measured repetition */
}
