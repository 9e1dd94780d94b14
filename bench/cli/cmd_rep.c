/* bench rep: the one-repetition protocol (store/rep_proto.h), what `bench ab` runs of each
 * binary. One cell, its warm-ups and ONE measured repetition, in its own cell process, as
 * `bench run` runs it (the run plan's parser and the runner, through their APIs); one line
 * of JSON on stdout. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/cli/cli_cell.h"
#include "bench/cli/cmd.h"
#include "bench/cli/run_plan.h"
#include "bench/core/log.h"
#include "bench/core/runner.h"
#include "bench/machine/machine.h"
#include "bench/store/rep_proto.h"
#include "bench/store/results.h"

static void usage(void)
{
	printf("usage: bench rep --protocol N -w W -d D -n K [-O knob=value]... [--pin P]\n"
	       "                 [--duration SEC] [--warmup K] [--timeout SEC]\n"
	       "       bench rep --protocol-version\n\n"
	       "Runs ONE measured repetition of ONE cell, exactly as bench run runs a cell (its own\n"
	       "cell process, the same isolation and pinning, the warm-ups first), and prints one line\n"
	       "of JSON: {protocol, bench {version, git}, cell {workload, driver, workers, pin,\n"
	       "placement, knobs, primary, status, error}, warmups, rep}, where rep is the repetition\n"
	       "as a results file holds it. It is what bench ab runs of each binary; a machine-facing\n"
	       "command (bench run is the one for people).\n\n"
	       "  --protocol N        the protocol the caller speaks; a bench that speaks another one\n"
	       "                      refuses with one line (exit 2). This bench speaks %d\n"
	       "  --protocol-version  print \"%s %d\" and exit (the handshake of bench ab)\n"
	       "  -w -d -n -O --pin --duration --warmup --timeout   as bench run (one value each:\n"
	       "                      the selection must be exactly one cell)\n\n"
	       "Exit status: 0 the repetition ran (ok) or the cell was skipped, 1 it failed (the line\n"
	       "says why), 2 usage error or another protocol, 128+S stopped by signal S.\n",
	       REP_PROTOCOL, REP_PROTOCOL_BANNER, REP_PROTOCOL);
}

/* --protocol N (or --protocol=N) and --protocol-version out of argv; the other arguments
 * into rest (rest[0] = "rep"), for the run plan's parser. 0, 1 (--protocol-version given),
 * or -EINVAL after one line. */
static int split_protocol(int argc, char **argv, char **rest, int *nrest, long *proto)
{
	int version = 0;
	*nrest = 0;
	rest[(*nrest)++] = argv[0];
	for (int i = 1; i < argc; i++) {
		const char *val = NULL;
		if (!strcmp(argv[i], "--protocol-version"))
			version = 1;
		else if (!strcmp(argv[i], "--protocol") && i + 1 < argc)
			val = argv[++i];
		else if (!strncmp(argv[i], "--protocol=", 11))
			val = argv[i] + 11;
		else if (!strcmp(argv[i], "--protocol")) {
			log_err("rep", "option '--protocol' needs a value");
			return -EINVAL;
		} else
			rest[(*nrest)++] = argv[i];
		uint64_t v;
		if (val && opt_parse_u64(val, 0, 1000000, &v)) {
			log_err("rep", "--protocol: '%s' is not a protocol number", val);
			return -EINVAL;
		}
		if (val)
			*proto = (long)v;
	}
	rest[*nrest] = NULL;
	return version;
}

/* What bench rep does not take of bench run's command line. 0, or -EINVAL after one line. */
static int check_plan(const struct run_plan *p)
{
	const char *bad = p->baseline ? "--baseline" : p->all ? "--all" : p->claims ? "--claims" : p->set[RUN_SET_REPS] ? "--reps"
	                : p->output ? "-o" : p->quiet ? "--quiet" : NULL;
	if (bad) {
		log_err("rep", "%s: bench rep runs one repetition of one cell and prints it (see bench rep --help)", bad);
		return -EINVAL;
	}
	return 0;
}

/* Run the one cell and print its line. The exit status. */
static int rep_run(int argc, char **argv, struct run_plan *p, struct cell_spec *cs)
{
	struct machine m;
	machine_describe(&m);
	p->cfg.reps = 1;
	p->cfg.progress = 0;
	/* One repetition as measured, disturbed or not: bench ab sets a disturbed pair aside and
	 * runs it again itself (the runner must not re-run inside the rep). */
	p->cfg.keep_disturbed = 1;
	struct results_config rc = { .argc = argc, .argv = argv, .duration_s = p->cfg.duration_s,
		                     .timeout_s = p->cfg.timeout_s, .reps = 1, .warmup = p->cfg.warmup, .pin = p->pin,
		                     .keep_disturbed = 1 };
	struct results_doc *doc = results_doc_new(&m, &rc);
	struct results_cell *cell = doc ? cli_cell_new(doc, cs, &p->cfg.pin, p->pin) : NULL;
	if (!cell) {
		log_err("rep", "cannot make the cell (out of memory, or no placement)");
		results_doc_free(doc);
		return EXIT_FAIL;
	}
	runner_init();
	runner_install_signals();
	cs->index = 0;
	cs->total = 1;
	int r = runner_run_cell(&p->cfg, cs, cell);
	struct cell_brief b;
	results_cell_brief(cell, &b);
	int rc2 = r == -EINTR ? EXIT_SIGNAL(runner_signal) : !strcmp(b.status, "failed") ? EXIT_FAIL : EXIT_OK;
	char *cj = results_cell_json(cell), *line = cj ? rep_proto_encode(cj, m.version, m.git) : NULL;
	if (line)
		printf("%s\n", line);
	else
		log_err("rep", "cannot encode the repetition: out of memory");
	free(cj);
	free(line);
	results_doc_free(doc);
	return line ? rc2 : EXIT_FAIL;
}

int cmd_rep(int argc, char **argv)
{
	if (cmd_wants_help(argc, argv)) {
		usage();
		return EXIT_OK;
	}
	char **rest = calloc((size_t)argc + 1, sizeof *rest);
	long proto = -1;
	int nrest, rc = rest ? split_protocol(argc, argv, rest, &nrest, &proto) : -ENOMEM;
	struct run_plan p;
	struct run_cells cells = { 0 };
	if (rc == 1) {
		printf("%s %d\n", REP_PROTOCOL_BANNER, REP_PROTOCOL);
		free(rest);
		return EXIT_OK;
	}
	if (!rc && proto < 0)
		log_err("rep", "--protocol N is required (this bench speaks rep protocol %d)", REP_PROTOCOL);
	else if (!rc && proto != REP_PROTOCOL)
		log_err("rep", "the caller speaks rep protocol %ld, this bench (%s) speaks %d: use bench binaries "
		        "of the same protocol", proto, BENCH_VERSION, REP_PROTOCOL);
	if (rc || proto != REP_PROTOCOL) {
		free(rest);
		return EXIT_USAGE;
	}
	rc = run_plan_parse(nrest, rest, &p);
	if (!rc && p.help)
		usage();
	else if (!rc && !(rc = check_plan(&p)) && !(rc = run_plan_expand(&p, &cells)) && cells.n != 1) {
		log_err("rep", "the selection is %u cells: bench rep runs one (one workload, driver, worker count, "
		        "knob value)", cells.n);
		rc = -EINVAL;
	}
	int ret = rc ? EXIT_USAGE : p.help ? EXIT_OK : rep_run(argc, argv, &p, &cells.v[0]);
	free(cells.v);
	run_plan_free(&p);
	free(rest);
	return ret;
}
