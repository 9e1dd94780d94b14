/* store_timing: where the time of `bench store add` goes, per file: the validating loader
 * (results_file_load) and the store (history_add), measured in one process, interleaved
 * file by file. Run by tests/experiments/changepoint.sh; not a ctest test.
 *   store-timing DB FILE.json... */
#include <stdio.h>
#include <time.h>

#include "bench/store/history.h"

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	char err[1200];
	struct history *h;
	double tload = 0, tadd = 0;
	int n = 0;
	if (argc < 3 || history_open(argv[1], HISTORY_CREATE, &h, err, sizeof err)) {
		fprintf(stderr, "usage: store-timing DB FILE.json... (%s)\n", argc < 3 ? "" : err);
		return 2;
	}
	for (int i = 2; i < argc; i++) {
		struct results_file *f;
		struct history_added a;
		double t0 = now();
		if (results_file_load(argv[i], &f, err, sizeof err)) {
			fprintf(stderr, "%s\n", err);
			return 2;
		}
		double t1 = now();
		int rc = history_add(h, f, NULL, &a, err, sizeof err);
		double t2 = now();
		results_file_free(f);
		if (rc) {
			fprintf(stderr, "%s\n", err);
			return 2;
		}
		tload += t1 - t0;
		tadd += t2 - t1;
		n++;
	}
	history_close(h);
	printf("%d files: load (results_file_load) %.2f ms per file, store (history_add) %.2f ms per file\n", n,
	       tload * 1000 / n, tadd * 1000 / n);
	return 0;
}
