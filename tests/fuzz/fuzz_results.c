/* Fuzz target: the results loader (results_file_load and its model) and bench compare on
 * whatever loads: a results file from anywhere (a CI artifact, an older or newer bench, a
 * truncated upload) must give a one-line error or a comparison, never a crash. Built as a
 * libFuzzer target with -DBENCH_FUZZ=ON (clang), and replayed (replay.c) in every build. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "compare.h"
#include "results_load.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd = memfd_create("results", 0);
	if (fd < 0)
		return 0;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return 0;
	}
	char path[64], err[600];
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	struct results_file *f = NULL;
	if (results_file_load(path, &f, err, sizeof err) == 0) {
		for (unsigned i = 0; i < f->ncells; i++) {
			const struct results_file_cell *c = &f->cells[i];
			double v[64];
			if (!c || !c->workload || !c->driver || !c->pin || !c->status || !c->primary || c->workers < 1)
				abort(); /* validated fields are there */
			results_file_values(c, c->primary, v, 64);
			results_file_values(c, "ops_per_cpu_s", v, 64);
		}
		char buf[128];
		results_file_scalar(f, "machine.cpu.brand", buf, sizeof buf);
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
			if (compare_exit_code(&r) != 0 && r.counts[CMP_FAILED_NEW] == 0)
				abort(); /* a file against itself is never a regression */
			compare_result_free(&r);
		}
		results_file_free(f);
	} else if (!err[0] || strchr(err, '\n')) {
		abort(); /* an error is one non-empty line */
	}
	close(fd);
	return 0;
}
