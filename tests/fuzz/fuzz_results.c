/* Fuzz target: the results loader (results_file_load and the whole model it builds), bench
 * compare and the claims of bench report on whatever loads: a results file from anywhere (a CI
 * artifact, an older or newer bench, a truncated upload) must give a one-line error or a
 * model every reader can walk, never a crash. Built as a libFuzzer target with -DBENCH_FUZZ=ON
 * (clang), and replayed (replay.c) in every build. */
#include "tests/fuzz/fuzz_util.h"

#include <math.h>

#include "tests/fuzz/fuzz.h"
#include "bench/stats/compare_print.h"
#include "plot/claims.h"
#include "bench/store/results_load.h"

/* Read every number and string the model holds (ASan sees an out-of-bounds or freed one). */
static double walk_cell(const struct results_file_cell *c)
{
	double sum = 0;
	if (!c->workload || !c->driver || !c->pin || !c->status || !c->primary || c->workers < 1)
		abort(); /* validated fields are there */
	for (unsigned k = 0; k < c->nknobs; k++) {
		if (strcmp(results_file_knob(c, c->knobs[k].key), c->knobs[k].value) ||
		    !results_file_knob(c, c->knobs_by_name[k].key))
			abort(); /* both orders hold the same knobs */
		sum += strlen(c->knobs_by_name[k].value);
	}
	for (unsigned i = 0; i < c->nstats; i++)
		sum += c->stats[i].median + c->stats[i].n + strlen(c->stats[i].metric);
	for (unsigned i = 0; i < c->nseries; i++)
		for (unsigned j = 0; j < c->series[i].n; j++)
			sum += c->series[i].v[j];
	for (unsigned r = 0; r < c->nreps; r++) {
		const struct results_rep *rep = &c->reps[r];
		for (unsigned m = 0; m < rep->nmetrics; m++)
			sum += rep->metrics[m].value + strlen(rep->metrics[m].name);
		for (unsigned w = 0; w < rep->nworkers; w++)
			sum += rep->worker_ops[w] + rep->worker_cpu_s[w] + rep->bound_pu[w] + rep->last_cpu[w];
		for (unsigned k = 0; k < rep->ncpus; k++)
			sum += rep->cpus[k] + rep->core_mean[k];
		for (size_t k = 0; k < (size_t)rep->nsamples * rep->ncpus; k++)
			sum += rep->timeline[k];
	}
	double v[64];
	results_file_values(c, c->primary, v, 64);
	results_file_values(c, "ops_per_cpu_s", v, 64);
	return sum + results_file_median(c, c->primary);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[600];
	struct results_file *f = NULL;
	int rc = fuzz_load(data, size, &f, err, sizeof err);
	if (rc > 0)
		return 0; /* no memfd: not the input's fault */
	if (rc == 0) {
		volatile double sink = 0;
		for (unsigned i = 0; i < f->ncells; i++)
			sink += walk_cell(&f->cells[i]);
		for (unsigned i = 0; i < f->nmachine; i++)
			sink += strlen(f->machine[i].key) + strlen(f->machine[i].value);
		if (f->cpus < 1 || !f->argv)
			abort();
		char buf[128];
		results_file_scalar(f, "machine.cpu.brand", buf, sizeof buf);
		results_file_machine(f, "cpu.brand");
		struct claim_result claims[CLAIMS_N];
		claims_evaluate(f, claims);
		claims_free(claims);
		struct compare_opts o;
		struct compare_result r;
		compare_opts_default(&o);
		o.nboot = 50;
		if (compare_files(f, f, &o, &r, err, sizeof err) == 0) {
			FILE *out = fopen("/dev/null", "w");
			for (int fmt = COMPARE_TEXT; out && fmt <= COMPARE_JSON; fmt++)
				compare_print(out, &r, (enum compare_format)fmt);
			if (out)
				fclose(out);
			if (compare_exit_code(&r) == COMPARE_EXIT_REGRESSION && r.counts[CMP_FAILED_NEW] == 0)
				abort(); /* a file against itself is never a regression */
			compare_result_free(&r);
		}
		results_file_free(f);
		(void)sink;
	} else if (!err[0] || strchr(err, '\n') || f) {
		abort(); /* an error is one non-empty line, and no file */
	}
	return 0;
}
