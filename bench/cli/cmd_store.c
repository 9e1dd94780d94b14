/* bench store: the results history database (bench/store/history.h): import results files,
 * say what it holds. */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/cli/cmd.h"
#include "bench/core/log.h"
#include "bench/store/escape.h"
#include "bench/store/history.h"
#include "bench/store/import.h"

static void usage(void)
{
	printf("usage: bench store add FILE.json... [--db DB] [--rev REVISION] [-j N]\n"
	       "       bench store info [--db DB]\n\n"
	       "The results history: an SQLite database (default %s) holding every run\n"
	       "recorded by bench run (unless --no-store) or imported here, with its git revision,\n"
	       "time, machine fingerprint and every repetition of every cell. bench history reads it.\n\n"
	       "  add FILE...        import results files (each is validated as bench compare reads\n"
	       "                     it; the same run twice is one run: its identity is a hash of its\n"
	       "                     content). One transaction per file; other bench processes may\n"
	       "                     write at the same time.\n"
	       "  info               schema version, runs, cells, repetitions\n"
	       "  --db DB            the database (created by add if missing; its directory must exist)\n"
	       "  --rev REVISION     the git revision of files that record none (their tool.git is\n"
	       "                     \"unknown\" and they have no \"revision\")\n"
	       "  -j, --jobs N       add: load and validate the files in N threads (1 to %d; default:\n"
	       "                     the online CPUs); this process records them one by one,\n"
	       "                     in the order given, so the runs, their ids and the messages are\n"
	       "                     the same whatever N is\n\n"
	       "An older database is upgraded after a copy to DB.v<N>.bak; a newer one is refused.\n"
	       "Exit status: 0 ok, 2 usage or input error (a file that does not load: the others are\n"
	       "still imported; a database that is not a bench history database, damaged, or newer).\n",
	       HISTORY_DEFAULT_DB, IMPORT_MAX_JOBS);
}

/* One file's outcome, in file order (import.h): its line on stdout, or its reason on stderr. */
static void report(void *arg, const struct import_result *r)
{
	char msg[1400], p[1400];
	if (r->rc) {
		log_err("store", "%s", esc_term(msg, sizeof msg, r->err));
		return;
	}
	esc_term(p, sizeof p, r->path);
	if (r->added.added)
		printf("added run %lld (%u cells, %u repetitions): %s\n", r->added.run, r->added.ncells,
		       r->added.nreps, p);
	else
		printf("already stored as run %lld: %s\n", r->added.run, p);
}

/* Import each file; one that does not load is reported and skipped, a database failure stops. */
static int store_add(struct history *h, int argc, char **argv, const char *rev, unsigned jobs)
{
	struct import_opts o = { .jobs = jobs, .rev = rev };
	return import_files(h, argv, (unsigned)argc, &o, report, NULL) ? EXIT_USAGE : EXIT_OK;
}

static int store_info(struct history *h, const char *db)
{
	char err[1200], msg[1400];
	struct history_cell *c;
	unsigned n;
	long long runs, reps;
	if (history_counts(h, &runs, &reps, err, sizeof err) || history_cells(h, &c, &n, err, sizeof err)) {
		log_err("store", "%s", esc_term(msg, sizeof msg, err));
		return EXIT_USAGE;
	}
	printf("database   %s\nschema     %d\nruns       %lld\nreps       %lld (measured repetitions of cells)\ncells      %u\n",
	       esc_term(msg, sizeof msg, db), history_schema(h), runs, reps, n);
	for (unsigned i = 0; i < n; i++)
		printf("  %s\n", esc_term(msg, sizeof msg, c[i].identity));
	history_cells_free(c, n);
	return EXIT_OK;
}

/* -j N: 1..IMPORT_MAX_JOBS. */
static int parse_jobs(const char *arg, unsigned *jobs)
{
	char msg[1400], *end;
	errno = 0;
	long v = strtol(arg, &end, 10);
	if (errno || end == arg || *end || v < 1 || v > IMPORT_MAX_JOBS) {
		log_err("store", "-j/--jobs takes a count of loader threads from 1 to %d, not '%s'", IMPORT_MAX_JOBS,
		        esc_term(msg, sizeof msg, arg));
		return -EINVAL;
	}
	*jobs = (unsigned)v;
	return 0;
}

int cmd_store(int argc, char **argv)
{
	enum { O_DB = 256, O_REV };
	static const struct option lo[] = { { "db", required_argument, 0, O_DB }, { "rev", required_argument, 0, O_REV },
		                            { "jobs", required_argument, 0, 'j' }, { "help", no_argument, 0, 'h' },
		                            { 0 } };
	const char *db = HISTORY_DEFAULT_DB, *rev = NULL;
	char err[1200], msg[1400];
	unsigned jobs = 0;
	int c;
	if (cmd_wants_help(argc, argv)) {
		usage();
		return EXIT_OK;
	}
	if (argc < 2 || (strcmp(argv[1], "add") && strcmp(argv[1], "info"))) {
		log_err("store", "give a verb: bench store add FILE.json... or bench store info");
		return EXIT_USAGE;
	}
	const char *verb = argv[1];
	argc--;
	argv++;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":hj:", lo, NULL)) != -1) {
		if (c == O_DB) {
			db = optarg;
		} else if (c == O_REV) {
			rev = optarg;
		} else if (c == 'j') {
			if (parse_jobs(optarg, &jobs))
				return EXIT_USAGE;
		} else {
			log_err("store", c == ':' ? "option '%s' needs a value" : "unknown option '%s' (see bench store --help)",
			        esc_term(msg, sizeof msg, argv[optind - 1]));
			return EXIT_USAGE;
		}
	}
	if (!strcmp(verb, "add") && optind >= argc) {
		log_err("store", "add: no results file given");
		return EXIT_USAGE;
	}
	if (!strcmp(verb, "info") && jobs) {
		log_err("store", "info: -j/--jobs is an option of add");
		return EXIT_USAGE;
	}
	if (!strcmp(verb, "info") && optind < argc) {
		log_err("store", "info: unexpected argument '%s'", esc_term(msg, sizeof msg, argv[optind]));
		return EXIT_USAGE;
	}
	struct history *h;
	if (history_open(db, strcmp(verb, "add") ? HISTORY_READ : HISTORY_CREATE, &h, err, sizeof err)) {
		log_err("store", "%s", esc_term(msg, sizeof msg, err));
		return EXIT_USAGE;
	}
	int rc = !strcmp(verb, "add") ? store_add(h, argc - optind, argv + optind, rev, jobs) : store_info(h, db);
	history_close(h);
	return rc;
}
