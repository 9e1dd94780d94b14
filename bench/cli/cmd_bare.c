/* bench bare: a harness cell against the same work written as a bare C program,
 * interleaved in one run (bare, harness, bare, harness, ...) so that drift hits both. */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/bare/bare.h"
#include "bench/cli/cmd.h"
#include "drivers/driver.h"
#include "bench/core/log.h"
#include "bench/machine/machine.h"
#include "bench/store/bare_json.h"
#include "bench/store/results.h"
#include "bench/core/runner.h"
#include "bench/stats/stats.h"
#include "workloads/workload.h"

#define BARE_PTR(n) &bare_##n,
static const struct bare *const bares[] = { BARES(BARE_PTR) };
#undef BARE_PTR
#define NBARES (sizeof bares / sizeof bares[0])

static void usage(void)
{
	printf("usage: bench bare NAME...|all [--reps R] [--duration SEC] [--json]\n\n"
	       "Runs a harness cell and the same work written as a bare C program, interleaved\n"
	       "R times (after one warm-up round of each), and prints both medians and their ratio.\n"
	       "Several names run one after the other, in the order given.\n"
	       "  --reps R          rounds (default 5)\n"
	       "  --duration SEC    length of each run (default 0.5)\n"
	       "  --json            print every program's rounds, medians, CVs and ratio as one JSON\n"
	       "                    object {\"bare\": [...]} at the end instead of the table\n"
	       "\nExit status: 0 every round ran, 1 a round failed, 2 usage error, 128+S a signal.\n"
	       "\nbare programs:\n");
	for (size_t i = 0; i < NBARES; i++)
		printf("  %-20s %s\n", bares[i]->name, bares[i]->summary);
}

/* The bare run happens in a child, like a cell, so it starts from the same state. */
static double run_bare(const struct bare *b, double dur, const int *pus)
{
	int fds[2];
	if (pipe(fds))
		return -1;
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		close(fds[0]);
		double v = b->bare(dur, pus, b->workers);
		_exit(write(fds[1], &v, sizeof v) == sizeof v ? 0 : 1);
	}
	close(fds[1]);
	double v = -1;
	if (read(fds[0], &v, sizeof v) != sizeof v)
		v = -1;
	close(fds[0]);
	int st;
	waitpid(pid, &st, 0);
	return v;
}

static double run_harness(const struct bare *b, const struct runner_config *cfg, struct results_doc *doc,
                          const struct cell_spec *spec)
{
	int *pus = calloc(b->workers, sizeof *pus);
	topo_place(&cfg->pin, b->workers, pus);
	struct cell_desc desc = { .workload = spec->wl->name, .driver = spec->drv->name, .workers = b->workers,
		                  .pin = b->pin, .placement = pus, .knobs = &spec->knobs,
		                  .primary_metric = spec->wl->primary_metric, .higher_is_better = spec->wl->higher_is_better };
	struct results_cell *cell = results_cell_new(doc, &desc);
	free(pus);
	if (!cell)
		return -1;
	runner_run_cell(cfg, spec, cell);
	struct cell_brief br;
	results_cell_brief(cell, &br);
	return strcmp(br.status, "ok") ? -1 : br.primary;
}

/* The harness cell of b: its workload, driver, knobs and pinning. 0, or EXIT_FAIL (said). */
static int bare_spec(const struct bare *b, double dur, struct runner_config *cfg, struct cell_spec *spec)
{
	char err[300];
	struct knob_assign as[6];
	unsigned na = 0;
	/* keep_disturbed: every round counts as it is (the rounds interleave bare and harness, so
	 * a disturbance hits both; bench/core/reps.h) */
	*cfg = (struct runner_config){ .duration_s = dur, .reps = 1, .warmup = 0, .timeout_s = 60, .stop_grace_s = 5,
		                       .keep_disturbed = 1 };
	*spec = (struct cell_spec){ .wl = workload_find(b->workload), .drv = driver_find(b->driver),
		                    .workers = b->workers, .total = 1 };
	if (!spec->wl || !spec->drv || spec->drv->unsupported) {
		log_err("bare", "%s: workload %s or driver %s unavailable", b->name, b->workload, b->driver);
		return EXIT_FAIL;
	}
	if (topo_parse_policy(b->pin, &cfg->pin, err, sizeof err))
		goto bad;
	for (; na < 6 && b->knobs[na]; na++)
		if (opt_split_assign(b->knobs[na], &as[na], err, sizeof err))
			goto bad;
	if (!runner_resolve_knobs(spec->wl, spec->drv, as, na, &spec->knobs, err, sizeof err))
		return EXIT_OK;
bad:
	log_err("bare", "%s: %s", b->name, err);
	return EXIT_FAIL;
}

/* The text lines of one program: its header (before the rounds), or its medians (after). */
static void print_head(const struct bare *b)
{
	printf("bare %s: %s\n  %s/%s n=%u pin %s", b->name, b->summary, b->workload, b->driver, b->workers, b->pin);
	for (unsigned k = 0; k < 6 && b->knobs[k]; k++)
		printf(" %s", b->knobs[k]);
	printf("\n  %-5s %16s %16s %8s\n", "round", "bare", "harness", "ratio");
}

static void print_medians(const struct bare_outcome *o)
{
	const struct bare *b = o->b;
	struct stats_summary sb, sh;
	if (stats_summarize(o->bare, o->rounds, &sb) || stats_summarize(o->harness, o->rounds, &sh))
		return;
	printf("  median bare %.1f %s (cv %.1f%%), harness %.1f %s (cv %.1f%%): harness/bare = %.3f\n",
	       sb.median, b->unit, sb.cv * 100, sh.median, b->unit, sh.cv * 100, sh.median / sb.median);
	if (b->event && sb.median > 0 && sh.median > 0)
		printf("  per %s (median): bare %.2f ns, harness %.2f ns: harness/bare = %.2fx the time\n",
		       b->event, 1e9 / (sb.median * b->per_unit), 1e9 / (sh.median * b->per_unit),
		       sb.median / sh.median);
}

/* Run program b for `reps` interleaved rounds into o (its arrays allocated here, freed by the
 * caller); prints the text table unless json. EXIT_OK, or EXIT_FAIL when a round failed. */
static int run_one(const struct bare *b, unsigned reps, double dur, int json, struct bare_outcome *o)
{
	struct runner_config cfg;
	struct cell_spec spec;
	double *bare = calloc(reps, sizeof *bare), *harn = calloc(reps, sizeof *harn);
	int *pus = calloc(b->workers, sizeof *pus);
	*o = (struct bare_outcome){ .b = b, .bare = bare, .harness = harn, .error = "setup failed" };
	if (!bare || !harn || !pus || bare_spec(b, dur, &cfg, &spec)) {
		free(pus);
		return EXIT_FAIL;
	}
	topo_place(&cfg.pin, b->workers, pus);
	struct machine m;
	machine_describe(&m);
	struct results_config rc = { .reps = 1, .duration_s = dur, .timeout_s = 60, .pin = b->pin, .keep_disturbed = 1 };
	struct results_doc *doc = results_doc_new(&m, &rc);
	if (!json)
		print_head(b);
	cmd_stdout_flush();
	o->error = NULL;
	run_bare(b, dur, pus); /* warm-up round, discarded */
	run_harness(b, &cfg, doc, &spec);
	for (unsigned r = 0; r < reps; r++) {
		bare[r] = run_bare(b, dur, pus);
		harn[r] = run_harness(b, &cfg, doc, &spec);
		if (bare[r] < 0 || harn[r] < 0) {
			o->error = bare[r] < 0 ? "a bare round failed" : "a harness round failed";
			log_err("bare", "%s: round %u failed (%s)", b->name, r + 1, bare[r] < 0 ? "bare" : "harness");
			break;
		}
		o->rounds = r + 1;
		if (!json)
			printf("  %-5u %16.1f %16.1f %8.3f\n", r + 1, bare[r], harn[r], harn[r] / bare[r]);
		cmd_stdout_flush();
	}
	if (!o->error && !json)
		print_medians(o);
	cmd_stdout_flush();
	free(pus);
	results_doc_free(doc);
	return o->error ? EXIT_FAIL : EXIT_OK;
}

/* Run the programs named in argv[first..argc) ("all": every one); with json, print them as
 * one JSON document at the end. */
static int run_named(int argc, char **argv, int first, unsigned reps, double dur, int json)
{
	struct bare_outcome *out = calloc(NBARES * (size_t)(argc - first), sizeof *out);
	unsigned n = 0;
	int rc = out ? EXIT_OK : EXIT_FAIL;
	for (int a = first; out && a < argc && !runner_signal; a++)
		for (size_t i = 0; i < NBARES && !runner_signal; i++) {
			if (strcmp(argv[a], "all") && strcmp(argv[a], bares[i]->name))
				continue;
			if (run_one(bares[i], reps, dur, json, &out[n++]) != EXIT_OK)
				rc = EXIT_FAIL;
		}
	if (json && out && !runner_signal) {
		char *s = bare_json(out, n);
		if (s)
			printf("%s\n", s);
		else
			rc = EXIT_FAIL;
		free(s);
	}
	for (unsigned i = 0; i < n; i++) {
		free((void *)out[i].bare);
		free((void *)out[i].harness);
	}
	free(out);
	return runner_signal ? EXIT_SIGNAL(runner_signal) : rc;
}

int cmd_bare(int argc, char **argv)
{
	static const struct option lo[] = { { "reps", required_argument, 0, 'r' },
		                            { "duration", required_argument, 0, 'd' },
		                            { "json", no_argument, 0, 'j' },
		                            { "help", no_argument, 0, 'h' }, { 0 } };
	uint64_t reps = 5;
	double dur = 0.5;
	int c, json = 0;
	if (cmd_wants_help(argc, argv)) {
		usage();
		return EXIT_OK;
	}
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":", lo, NULL)) != -1) {
		switch (c) {
		case 'r':
			if (opt_parse_u64(optarg, 1, 1000, &reps)) {
				log_err("bare", "--reps: '%s' is not a count from 1 to 1000", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'd':
			if (opt_parse_double(optarg, 0.01, 3600, &dur)) {
				log_err("bare", "--duration: '%s' is not a number of seconds from 0.01 to 3600", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'j': json = 1; break;
		case 'h': /* --hel, --he: getopt_long takes an unambiguous prefix */
			usage();
			return EXIT_OK;
		case ':':
			log_err("bare", "option '%s' needs a value", argv[optind - 1]);
			return EXIT_USAGE;
		default:
			log_err("bare", "unknown option '%s' (see bench bare --help)", argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		log_err("bare", "give one bare program name or 'all' (see bench bare --help)");
		return EXIT_USAGE;
	}
	for (int a = optind; a < argc; a++) {
		int known = !strcmp(argv[a], "all");
		for (size_t i = 0; i < NBARES && !known; i++)
			known = !strcmp(argv[a], bares[i]->name);
		if (!known) {
			log_err("bare", "unknown bare program '%s' (see bench bare --help)", argv[a]);
			return EXIT_USAGE;
		}
	}
	runner_init();
	runner_install_signals();
	return run_named(argc, argv, optind, (unsigned)reps, dur, json);
}
