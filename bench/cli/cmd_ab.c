/* bench ab: interleaved A/B of two bench binaries in one job. For each cell of the selection,
 * the two binaries' repetitions alternate (ABBA, or a seeded random order), each run by its
 * own binary through `bench rep` (store/rep_proto.h: fork/exec with an argv, no shell), so a
 * change of the machine's load hits both sides of a pair. A pair where either repetition was
 * disturbed is set aside (kept in the files) and run again, up to a bound, unless both were
 * disturbed alike (the same load on both sides: its ratio stands). Both sides are
 * written as ordinary results files, the pairing beside them; the verdict is compare's, with
 * the paired test (stats/paired.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench/cli/cli_cell.h"
#include "bench/cli/cmd.h"
#include "bench/cli/run_plan.h"
#include "bench/core/interference.h"
#include "bench/core/log.h"
#include "bench/machine/machine.h"
#include "bench/stats/compare.h"
#include "bench/stats/compare_print.h"
#include "bench/stats/paired.h"
#include "bench/store/escape.h"
#include "bench/store/rep_proto.h"
#include "bench/store/results.h"
#include "drivers/driver.h"
#include "workloads/workload.h"

#define AB_DEFAULT_PAIRS 10
#define AB_MAX_ARGS 256            /* selection and side arguments, each */
#define AB_MAX_LINE (64u << 20)    /* the largest rep line read */

static void usage(void)
{
	printf("usage: bench ab --base OLD_BENCH --new NEW_BENCH [--all] [-w W,...] [-d D,...] [-n N,...]\n"
	       "                [-O knob=value]... [--pin P] [--duration SEC] [--warmup K] [--timeout SEC]\n"
	       "                [--pairs N] [--max-pairs M] [--order abba|random] [--seed S] [--max-reruns R]\n"
	       "                [--base-args \"ARGS\"] [--new-args \"ARGS\"] [-o PREFIX] [-q]\n"
	       "                [compare options: --threshold PCT --alpha A --confidence C --metric M\n"
	       "                 --ignore-knob K --fail-on SET --format text|markdown|json]\n\n"
	       "Interleaved A/B in one job: for each cell of the selection (as bench run selects\n"
	       "them), N pairs of repetitions, one of each binary, run one after the other by that\n"
	       "binary's `bench rep` (one repetition of one cell in its own cell process, warm-ups\n"
	       "first, as bench run would). Load that changes during the job hits both sides of a pair;\n"
	       "the verdict uses the pairs: a Wilcoxon signed-rank test on the per-pair log ratios and\n"
	       "the Hodges-Lehmann CI of the median ratio. A pair where either repetition was disturbed\n"
	       "(the results contract's \"disturbed\") is set aside (kept in the files) and run again,\n"
	       "unless its two sides were disturbed alike: no stall, and each figure the rule judges\n"
	       "(steal, other load on the workers' PUs, run delay) within the rule's threshold of the\n"
	       "other side's. Such a pair is used: a load that stays hits both sides alike.\n\n"
	       "  --base, --new BIN   the two bench executables (run directly, no shell); both must\n"
	       "                      speak rep protocol %d (bench rep --protocol-version)\n"
	       "  --pairs N           pairs per cell (default %d; at alpha 0.01 at least %u can reach a\n"
	       "                      verdict, at alpha 0.05 at least %u)\n"
	       "  --max-pairs M       while a cell's pairs do not settle the change (too few for alpha,\n"
	       "                      or p >= alpha with a CI reaching beyond the threshold), run two\n"
	       "                      more pairs, up to M (default: --pairs, i.e. no more). Each look\n"
	       "                      at a cell tests at alpha / L, L = 1 + (M - N) / 2 rounded up, the\n"
	       "                      looks it may take (Bonferroni: looking again while a cell is not\n"
	       "                      settled does not raise the false-alarm rate)\n"
	       "  --order abba|random which binary runs first in each pair: ABBA (AB BA AB BA ..., the\n"
	       "                      sequence ABBAABBA; default) or random (a fair coin per pair from\n"
	       "                      --seed, default 1: the same seed, the same order)\n"
	       "  --max-reruns R      pairs set aside and re-run per cell at most (default: --pairs);\n"
	       "                      beyond that the cell is UNSTABLE. A pair is set aside when a\n"
	       "                      repetition is disturbed (and the other not alike) or its metric\n"
	       "                      is not a positive number\n"
	       "                      (a stalled repetition)\n"
	       "  --keep-disturbed    use a pair with a disturbed repetition as it is (it is still set\n"
	       "                      aside when its metric is not positive); BENCH_KEEP_DISTURBED=1 in\n"
	       "                      the environment sets it, as for bench run (the test suite does)\n"
	       "  --base-args, --new-args \"ARGS\"\n"
	       "                      more bench rep arguments for one side, split on spaces (no shell):\n"
	       "                      --new-args \"-O extra_work_pct=10\" makes the new side 10%% slower on\n"
	       "                      purpose, to validate the method\n"
	       "  -w, --workload, -d, --driver, -n, --workers, -O, --all, --pin, --duration,\n"
	       "  --warmup, --timeout  the selection and settings, as bench run takes them\n"
	       "  -o, --output PREFIX write PREFIX.base.json, PREFIX.new.json (ordinary results files)\n"
	       "                      and PREFIX.pairs.json (the pairs: reps, order, set aside);\n"
	       "                      default results/ab-<UTC time>\n"
	       "  -q, --quiet         no progress line\n"
	       "  compare options     as bench compare (--ci-method is ignored: the interval is the\n"
	       "                      pairs' Hodges-Lehmann)\n\n"
	       "Exit status: as bench compare: 1 regression, 3 unstable (pairs that disagree beyond\n"
	       "the threshold, or too many disturbed), 4 too few pairs, 0 none of those in --fail-on\n"
	       "(default regression,unstable,too-few); 2 usage error or a binary that does not speak\n"
	       "the protocol. A cell that fails in the new binary only is a regression (FAILED (new)).\n",
	       REP_PROTOCOL, AB_DEFAULT_PAIRS, paired_min_pairs(0.01), paired_min_pairs(0.05));
}

/* ---- the command line ---- */

enum ab_order { AB_ABBA, AB_RANDOM };

struct ab_args {
	const char *bin[2];                /* base, new */
	char *sel[AB_MAX_ARGS + 1];        /* "rep" and the selection flags, for the run plan */
	int nsel;
	char *side_buf[2];                 /* --base-args, --new-args split in place (strdup'd) */
	char *side[2][AB_MAX_ARGS];
	int nside[2];
	unsigned pairs, max_pairs, max_reruns;
	int max_reruns_set, quiet;
	int keep_disturbed;                /* use disturbed pairs as they are (no set-aside for that) */
	enum ab_order order;
	uint64_t seed;
	const char *prefix;
	struct compare_opts copts;
	enum compare_format fmt;
};

static const char *const side_name[2] = { "base", "new" };

enum { O_BASE = 500, O_NEW, O_BASE_ARGS, O_NEW_ARGS, O_PAIRS, O_ORDER, O_SEED, O_RERUNS, O_FORMAT, O_MAX_PAIRS,
       O_KEEP, O_SEL };

/* The selection flags, forwarded to the run plan as given: -w -d -n -O by their letters,
 * the long ones by O_SEL + their index here. */
static const char *const sel_long[] = { "--all", "--pin", "--duration", "--warmup", "--timeout", "--workload",
	                                "--driver", "--workers" };
#define NSEL_LONG (int)(sizeof sel_long / sizeof *sel_long)

static int push_sel(struct ab_args *a, const char *s)
{
	if (a->nsel >= AB_MAX_ARGS) {
		log_err("ab", "more than %d selection arguments", AB_MAX_ARGS);
		return -EINVAL;
	}
	a->sel[a->nsel++] = (char *)s;
	return 0;
}

/* "ARGS" split on blanks into side s (no quoting, no shell). 0, or -EINVAL after one line. */
static int split_side(struct ab_args *a, int s, const char *arg)
{
	free(a->side_buf[s]);
	a->nside[s] = 0;
	if (!(a->side_buf[s] = strdup(arg))) {
		log_err("ab", "out of memory");
		return -ENOMEM;
	}
	char *save = NULL;
	for (char *t = strtok_r(a->side_buf[s], " \t\n", &save); t; t = strtok_r(NULL, " \t\n", &save)) {
		if (a->nside[s] == AB_MAX_ARGS) {
			log_err("ab", "--%s-args: more than %d arguments", side_name[s], AB_MAX_ARGS);
			return -EINVAL;
		}
		a->side[s][a->nside[s]++] = t;
	}
	return 0;
}

/* One of ab's own options; 0, or -EINVAL after one line; -ENOENT: not one. */
static int own_option(struct ab_args *a, int c, const char *arg)
{
	uint64_t v;
	switch (c) {
	case O_BASE: case O_NEW: a->bin[c - O_BASE] = arg; return 0;
	case O_BASE_ARGS: case O_NEW_ARGS: return split_side(a, c - O_BASE_ARGS, arg);
	case O_PAIRS: case O_MAX_PAIRS:
		if (opt_parse_u64(arg, 1, 1000, &v))
			break;
		*(c == O_PAIRS ? &a->pairs : &a->max_pairs) = (unsigned)v;
		return 0;
	case O_RERUNS:
		if (opt_parse_u64(arg, 0, 10000, &v))
			break;
		a->max_reruns = (unsigned)v;
		a->max_reruns_set = 1;
		return 0;
	case O_SEED:
		if (opt_parse_u64(arg, 0, UINT64_MAX, &a->seed))
			break;
		return 0;
	case O_ORDER:
		if (strcmp(arg, "abba") && strcmp(arg, "random"))
			break;
		a->order = strcmp(arg, "abba") ? AB_RANDOM : AB_ABBA;
		return 0;
	case O_FORMAT:
		if (compare_parse_format(arg, &a->fmt))
			break;
		return 0;
	case 'o': a->prefix = arg; return 0;
	case 'q': a->quiet = 1; return 0;
	case O_KEEP: a->keep_disturbed = 1; return 0;
	default: return -ENOENT;
	}
	static const char *const what[] = { [O_PAIRS - O_BASE] = "a number of pairs from 1 to 1000",
		                            [O_MAX_PAIRS - O_BASE] = "a number of pairs from 1 to 1000",
		                            [O_RERUNS - O_BASE] = "a number of re-runs from 0 to 10000",
		                            [O_SEED - O_BASE] = "an unsigned integer",
		                            [O_ORDER - O_BASE] = "abba or random",
		                            [O_FORMAT - O_BASE] = "text, markdown or json" };
	log_err("ab", "--%s: '%s' is not %s", c == O_PAIRS ? "pairs" : c == O_MAX_PAIRS ? "max-pairs" : c == O_RERUNS
	        ? "max-reruns" : c == O_SEED ? "seed" : c == O_ORDER ? "order" : "format", arg, what[c - O_BASE]);
	return -EINVAL;
}

/* A selection flag: forwarded to the run plan as "--name value" (or "-x value"). */
static int sel_option(struct ab_args *a, int c, const char *arg)
{
	static const char *const shorts[] = { "-w", "-d", "-n", "-O" };
	const char *flags = "wdnO", *k = c > 0 && c < 256 ? strchr(flags, c) : NULL;
	const char *flag = k ? shorts[k - flags] : c >= O_SEL && c < O_SEL + NSEL_LONG ? sel_long[c - O_SEL] : NULL;
	if (!flag)
		return -ENOENT;
	if (push_sel(a, flag))
		return -EINVAL;
	return arg ? push_sel(a, arg) : 0;
}

static const struct option ab_long[] = {
	{ "base", 1, 0, O_BASE }, { "new", 1, 0, O_NEW }, { "base-args", 1, 0, O_BASE_ARGS },
	{ "new-args", 1, 0, O_NEW_ARGS }, { "pairs", 1, 0, O_PAIRS }, { "order", 1, 0, O_ORDER },
	{ "seed", 1, 0, O_SEED }, { "max-reruns", 1, 0, O_RERUNS }, { "format", 1, 0, O_FORMAT },
	{ "max-pairs", 1, 0, O_MAX_PAIRS }, { "keep-disturbed", 0, 0, O_KEEP },
	{ "output", 1, 0, 'o' }, { "quiet", 0, 0, 'q' }, { "help", 0, 0, 'h' },
	{ "all", 0, 0, O_SEL + 0 }, { "pin", 1, 0, O_SEL + 1 }, { "duration", 1, 0, O_SEL + 2 },
	{ "warmup", 1, 0, O_SEL + 3 }, { "timeout", 1, 0, O_SEL + 4 }, { "workload", 1, 0, 'w' },
	{ "driver", 1, 0, 'd' }, { "workers", 1, 0, 'n' },
	COMPARE_LONG_OPTIONS, { 0 }
};

/* argv into a. 0, or -EINVAL after one line. */
static int ab_parse(int argc, char **argv, struct ab_args *a)
{
	int c, rc = 0;
	a->pairs = AB_DEFAULT_PAIRS;
	a->seed = 1;
	a->keep_disturbed = run_plan_keep_disturbed_env();
	a->sel[a->nsel++] = "rep";
	compare_opts_default(&a->copts);
	opterr = 0;
	optind = 1;
	while (!rc && (c = getopt_long(argc, argv, ":w:d:n:O:o:qh", ab_long, NULL)) != -1) {
		if (c == ':' || c == '?') {
			log_err("ab", c == ':' ? "option '%s' needs a value" : "unknown option '%s' (see bench ab --help)",
			        argv[optind - 1]);
			return -EINVAL;
		}
		rc = own_option(a, c, optarg);
		if (rc == -ENOENT)
			rc = sel_option(a, c, optarg);
		if (rc == -ENOENT)
			rc = compare_cli_option("ab", c, optarg, &a->copts);
	}
	if (rc)
		return -EINVAL;
	if (optind < argc) {
		log_err("ab", "unexpected argument '%s' (see bench ab --help)", argv[optind]);
		return -EINVAL;
	}
	if (!a->bin[0] || !a->bin[1]) {
		log_err("ab", "needs --base OLD_BENCH and --new NEW_BENCH (the same path twice is an A/A test)");
		return -EINVAL;
	}
	if (!a->max_reruns_set)
		a->max_reruns = a->pairs;
	if (!a->max_pairs)
		a->max_pairs = a->pairs;
	if (a->max_pairs < a->pairs) {
		log_err("ab", "--max-pairs: %u is less than --pairs %u", a->max_pairs, a->pairs);
		return -EINVAL;
	}
	/* a look at --pairs, then one per 2 more pairs up to --max-pairs: each at alpha / looks */
	a->copts.looks = 1 + (a->max_pairs - a->pairs + 1) / 2;
	double alpha = compare_test_alpha(&a->copts);
	if (a->max_pairs < paired_min_pairs(alpha))
		log_warn("ab", "%u pairs can never give p < %g (at least %u pairs): every cell will be too few reps",
		         a->max_pairs, alpha, paired_min_pairs(alpha));
	a->sel[a->nsel] = NULL;
	return 0;
}

static void ab_args_free(struct ab_args *a)
{
	free(a->side_buf[0]);
	free(a->side_buf[1]);
}

/* ---- running a binary ---- */

/* Run argv[0] with argv (no shell), its stdout into *out (malloc'd, NUL-terminated), stderr
 * passed through. Returns its exit status (128 + S if killed by S), or -errno after one line. */
static int run_capture(char *const *argv, char **out)
{
	int fd[2];
	*out = NULL;
	if (pipe2(fd, O_CLOEXEC)) {
		log_errno("ab", errno, "pipe");
		return -errno;
	}
	pid_t pid = fork();
	if (pid < 0) {
		int e = errno;
		log_errno("ab", e, "fork");
		close(fd[0]);
		close(fd[1]);
		return -e;
	}
	if (pid == 0) {
		dup2(fd[1], STDOUT_FILENO);
		execv(argv[0], argv);
		_exit(127);
	}
	close(fd[1]);
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap);
	ssize_t k = 1;
	while (buf && k > 0 && len < AB_MAX_LINE) {
		if (len + 1 >= cap) {
			char *nb = realloc(buf, cap * 2);
			if (!nb)
				break;
			buf = nb;
			cap *= 2;
		}
		k = read(fd[0], buf + len, cap - len - 1);
		if (k > 0)
			len += (size_t)k;
		else if (k < 0 && errno == EINTR)
			k = 1;
	}
	close(fd[0]);
	int st;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (buf)
		buf[len] = 0;
	*out = buf;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* The handshake: BIN rep --protocol-version must say REP_PROTOCOL_BANNER REP_PROTOCOL. 0, or
 * -EPROTO after one line. */
static int handshake(const char *which, const char *bin)
{
	char want[64], *out = NULL, t[200], b[300];
	char *const argv[] = { (char *)bin, "rep", "--protocol-version", NULL };
	snprintf(want, sizeof want, "%s %d\n", REP_PROTOCOL_BANNER, REP_PROTOCOL);
	if (access(bin, X_OK)) {
		log_errno("ab", errno, "--%s %s", which, esc_term(b, sizeof b, bin));
		return -EPROTO;
	}
	int rc = run_capture(argv, &out);
	if (rc || !out || strcmp(out, want)) {
		size_t n = out ? strcspn(out, "\n") : 0;
		if (out)
			out[n] = 0;
		log_err("ab", "--%s %s does not speak rep protocol %d: `bench rep --protocol-version` %s%s%s", which,
		        esc_term(b, sizeof b, bin), REP_PROTOCOL, rc ? "failed" : "said '", rc ? "" : esc_term(t, sizeof t, out),
		        rc ? " (a bench without bench rep, or not a bench)" : "'");
		free(out);
		return -EPROTO;
	}
	free(out);
	return 0;
}

/* ---- the cells: the selection with each side's arguments, as bench run selects them ---- */

struct ab_side {
	struct run_plan plan;
	struct run_cells cells;
	char *argv[2 * AB_MAX_ARGS + 2];
};

/* The run plan of side s: the selection, then the side's arguments. 0, or -EINVAL after one line. */
static int side_plan(const struct ab_args *a, int s, struct ab_side *sd)
{
	int n = 0;
	for (int i = 0; i < a->nsel; i++)
		sd->argv[n++] = a->sel[i];
	for (int i = 0; i < a->nside[s]; i++)
		sd->argv[n++] = a->side[s][i];
	sd->argv[n] = NULL;
	int rc = run_plan_parse(n, sd->argv, &sd->plan);
	if (!rc && sd->plan.help) {
		log_err("ab", "--%s-args: --help is not an argument of a side", side_name[s]);
		rc = -EINVAL;
	}
	if (!rc && sd->plan.claims) { /* its cells each have their own pin, which ab does not carry */
		log_err("ab", "--claims is a preset of bench run, not of ab: select the cells with -w -d -n -O --pin");
		rc = -EINVAL;
	}
	if (!rc)
		rc = run_plan_expand(&sd->plan, &sd->cells);
	return rc ? -EINVAL : 0;
}

/* Both sides' plans, with the same cells (workload, driver, workers) in the same order. */
static int ab_plans(const struct ab_args *a, struct ab_side sd[2])
{
	if (side_plan(a, 0, &sd[0]) || side_plan(a, 1, &sd[1]))
		return -EINVAL;
	int same = sd[0].cells.n == sd[1].cells.n;
	for (unsigned i = 0; same && i < sd[0].cells.n; i++) {
		const struct cell_spec *x = &sd[0].cells.v[i], *y = &sd[1].cells.v[i];
		same = x->wl == y->wl && x->drv == y->drv && x->workers == y->workers;
	}
	if (!same) {
		log_err("ab", "--base-args/--new-args select other cells on the two sides (%u vs %u cells): they may "
		        "set knobs and settings, one value each, not the selection", sd[0].cells.n, sd[1].cells.n);
		return -EINVAL;
	}
	return 0;
}

static void ab_sides_free(struct ab_side sd[2])
{
	for (int s = 0; s < 2; s++) {
		free(sd[s].cells.v);
		run_plan_free(&sd[s].plan);
	}
}

/* ---- one repetition of one side ---- */

/* The argv of `BIN rep` for cell cs of a side (strings in buf, nb bytes). */
static void rep_argv(const char *bin, const struct run_plan *p, const struct cell_spec *cs, char **argv,
                     char *buf, size_t nb)
{
	int n = 0;
	size_t off = 0;
#define ARG(...)                                                                          \
	do {                                                                              \
		argv[n++] = buf + off;                                                    \
		off += (size_t)snprintf(buf + off, off < nb ? nb - off : 0, __VA_ARGS__) + 1; \
	} while (0)
	ARG("%s", bin);
	ARG("rep");
	ARG("--protocol");
	ARG("%d", REP_PROTOCOL);
	ARG("-w");
	ARG("%s", cs->wl->name);
	ARG("-d");
	ARG("%s", cs->drv->name);
	ARG("-n");
	ARG("%u", cs->workers);
	for (unsigned i = 0; i < p->nassign && n < 2 * AB_MAX_ARGS; i++) {
		const struct knobval *v = opt_get(&cs->knobs, p->assign[i].name);
		if (v) {
			ARG("-O");
			ARG("%s=%s", v->k->name, v->text);
		}
	}
	ARG("--pin");
	ARG("%s", p->pin);
	ARG("--duration");
	ARG("%.17g", p->cfg.duration_s);
	ARG("--warmup");
	ARG("%u", p->cfg.warmup);
	ARG("--timeout");
	ARG("%.17g", p->cfg.timeout_s);
#undef ARG
	argv[n] = NULL;
	if (off > nb)
		argv[0] = NULL; /* cannot happen with the bounds of names and values; refused below */
}

/* Run one repetition of cell cs by side s's binary, into m. 0 (m holds the line, whatever the
 * repetition's status), -EPROTO (another protocol: the job stops), or -EIO with why. */
static int run_rep(const struct ab_args *a, int s, const struct ab_side *sd, const struct cell_spec *cs,
                   struct rep_msg *m, char *why, size_t wlen)
{
	char *argv[2 * AB_MAX_ARGS + 24], buf[32768], *out = NULL, err[300];
	rep_argv(a->bin[s], &sd->plan, cs, argv, buf, sizeof buf);
	memset(m, 0, sizeof *m);
	if (!argv[0]) {
		snprintf(why, wlen, "the rep command line is too long");
		return -EIO;
	}
	int st = run_capture(argv, &out);
	int rc = st < 0 ? -EIO : rep_proto_decode(out ? out : "", m, err, sizeof err);
	free(out);
	if (rc == -EPROTO)
		snprintf(why, wlen, "%s bench: %s", side_name[s], err);
	else if (rc)
		snprintf(why, wlen, "%s bench: no repetition (exit %d%s%s)", side_name[s], st, st < 0 ? "" : ": ",
		         st < 0 ? "" : err);
	return rc == -EPROTO ? rc : rc ? -EIO : 0;
}

/* ---- the job: every cell, pair after pair ---- */

struct ab_pair {
	unsigned rep[2];                   /* the repetition of each side, index in its cell's reps */
	double value[2];                   /* its primary metric */
	int first;                         /* the side that ran first: 0 base, 1 new */
	int set_aside;                     /* a repetition was disturbed: not used, run again */
	char why[160];
};

struct ab_cell {
	struct ab_pair *v;
	unsigned n, used, set_aside;
	int unstable;
};

struct ab_job {
	const struct ab_args *a;
	struct ab_side *sd;
	struct results_doc *doc[2];
	char path[3][4200];                /* base, new, pairs */
	struct ab_cell *cells;
	unsigned ncells;
	unsigned char *order;              /* ncells x max_pairs: the side that runs first in each pair */
	unsigned nrep[2];                  /* repetitions added to the current cell of each side */
	char version[2][64], git[2][64];   /* of each binary, from its first line */
	int progress;
};

/* The order of every pair of the job, drawn before anything runs (reproducible). */
static int ab_order(struct ab_job *j)
{
	unsigned P = j->a->max_pairs;
	struct stats_rng rng = { j->a->seed };
	if (!(j->order = malloc((size_t)j->ncells * P + 1)))
		return -ENOMEM;
	for (size_t k = 0; k < (size_t)j->ncells * P; k++)
		j->order[k] = j->a->order == AB_ABBA ? (unsigned char)(k % P % 2) : (unsigned char)(stats_rng_next(&rng) >> 63);
	return 0;
}

/* The repetition of side s just decoded into its cell. 0; 1 the cell was skipped; -EIO the
 * side failed (why). */
static int take_rep(struct ab_job *j, int s, struct results_cell *cell, const struct rep_msg *m, char *why, size_t wlen)
{
	if (!j->version[s][0]) {
		snprintf(j->version[s], sizeof j->version[s], "%s", m->version);
		snprintf(j->git[s], sizeof j->git[s], "%s", m->git);
	}
	if (!m->rep_json) {
		snprintf(why, wlen, "%s", m->error[0] ? m->error : "no repetition");
		return strcmp(m->status, "skipped") ? -EIO : 1;
	}
	if (results_cell_add_rep(cell, m->rep_json)) {
		snprintf(why, wlen, "%s bench: a malformed repetition", side_name[s]);
		return -EIO;
	}
	j->nrep[s]++;
	if (!m->rep_ok) {
		snprintf(why, wlen, "%s", m->error[0] ? m->error : "the repetition failed");
		return -EIO;
	}
	return 0;
}

/* A pair with a disturbed repetition whose two sides were disturbed alike: neither by a stall,
 * and every figure the rule judges within the rule's own threshold of the other side's
 * (interference_alike: the rule applied to the pair's difference). The load hit both sides,
 * their ratio stands. A hog that stays on a worker's PU for the rest of the job makes every
 * later pair so; without this each was set aside until the cell was UNSTABLE. The reasons
 * need not be the same: 0.50 and 0.55 cores of other load straddle the rule's threshold. */
static int disturbed_alike(const struct rep_msg *a, const struct rep_msg *b)
{
	if ((!a->disturbed && !b->disturbed) || strstr(a->disturbed_by, "stall") || strstr(b->disturbed_by, "stall"))
		return 0;
	long online = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned pus = a->npus ? a->npus : online > 0 ? (unsigned)online : 1;
	struct interference_in x[2];
	for (int s = 0; s < 2; s++) {
		const struct rep_msg *m = s ? b : a;
		x[s] = (struct interference_in){ .wall_s = m->wall_s, .tick_s = 1.0 / (double)sysconf(_SC_CLK_TCK),
			                         .npus = pus, .nthreads = m->workers < pus ? m->workers : pus,
			                         .steal_s = m->steal_s, .other_load_pu_cores = m->other_load_pu_cores,
			                         .run_delay_s = m->run_delay_s, .helper_cpu_s = m->helper_cpu_s };
	}
	return interference_alike(&x[0], &x[1]);
}

/* One pair of cell ci, its first side first. 0 (p filled), 1 skipped, -EIO a side failed
 * (*bad = the side), -EPROTO. */
static int run_pair(struct ab_job *j, unsigned ci, int first, struct results_cell *cell[2], struct ab_pair *p,
                    int *bad, char *why, size_t wlen)
{
	const struct cell_spec *cs[2] = { &j->sd[0].cells.v[ci], &j->sd[1].cells.v[ci] };
	struct rep_msg m[2];
	memset(p, 0, sizeof *p);
	p->first = first;
	for (int k = 0; k < 2; k++) {
		int s = k ? !first : first;
		*bad = s;
		int rc = run_rep(j->a, s, &j->sd[s], cs[s], &m[s], why, wlen);
		if (!rc)
			rc = take_rep(j, s, cell[s], &m[s], why, wlen);
		p->rep[s] = j->nrep[s] - 1;
		p->value[s] = m[s].value;
		rep_proto_free(&m[s]);
		if (rc)
			return rc;
	}
	int alike = !j->a->keep_disturbed && disturbed_alike(&m[0], &m[1]);
	for (int s = 0; s < 2; s++) {
		size_t w = strlen(p->why);
		if (m[s].disturbed && !j->a->keep_disturbed && !alike)
			snprintf(p->why + w, sizeof p->why - w, "%s%s disturbed (%s)", w ? ", " : "", side_name[s],
			         m[s].disturbed_by[0] ? m[s].disturbed_by : "?");
		else if (!(m[s].value > 0) || !isfinite(m[s].value)) /* a stalled repetition: no ratio */
			snprintf(p->why + w, sizeof p->why - w, "%s%s: %s is not a positive number", w ? ", " : "",
			         side_name[s], m[s].metric);
	}
	p->set_aside = p->why[0] != 0;
	if (alike && !p->set_aside)
		snprintf(p->why, sizeof p->why, "disturbed alike (base: %s; new: %s): used",
		         m[0].disturbed ? m[0].disturbed_by : "-", m[1].disturbed ? m[1].disturbed_by : "-");
	return 0;
}

static int push_pair(struct ab_cell *c, const struct ab_pair *p)
{
	struct ab_pair *v = realloc(c->v, (c->n + 1) * sizeof *v);
	if (!v)
		return -ENOMEM;
	c->v = v;
	c->v[c->n++] = *p;
	return 0;
}

static void progress(const struct ab_job *j, unsigned ci, const struct ab_cell *c)
{
	char lab[200];
	const struct cell_spec *cs = &j->sd[0].cells.v[ci];
	if (!j->progress)
		return;
	results_cell_label(lab, sizeof lab, cs->wl->name, cs->drv->name, cs->workers);
	fprintf(stderr, "\r\033[K[%u/%u] %s pair %u/%u%s", ci + 1, j->ncells, lab, c->used + 1, j->a->max_pairs,
	        c->set_aside ? " (pairs set aside: " : "");
	if (c->set_aside)
		fprintf(stderr, "%u)", c->set_aside);
}

/* Do the pairs used so far settle cell c (compare_pairs_settled)? */
static int settled(const struct ab_job *j, const struct ab_cell *c)
{
	double *x = calloc(c->used + 1, sizeof *x), *y = calloc(c->used + 1, sizeof *y);
	unsigned k = 0;
	for (unsigned i = 0; x && y && i < c->n; i++)
		if (!c->v[i].set_aside) {
			x[k] = c->v[i].value[0];
			y[k++] = c->v[i].value[1];
		}
	int ok = !x || !y || compare_pairs_settled(&j->a->copts, x, y, k); /* out of memory: stop here */
	free(x);
	free(y);
	return ok;
}

/* Pairs of cell ci until target are used. 0, or run_pair's failure (why, *bad). */
static int run_pairs(struct ab_job *j, unsigned ci, unsigned target, struct results_cell *cell[2], int *bad, char *why,
                     size_t wlen)
{
	struct ab_cell *c = &j->cells[ci];
	int rc = 0;
	while (c->used < target && !rc && !c->unstable) {
		struct ab_pair p;
		progress(j, ci, c);
		rc = run_pair(j, ci, j->order[(size_t)ci * j->a->max_pairs + c->used], cell, &p, bad, why, wlen);
		if (rc)
			break;
		if (push_pair(c, &p))
			rc = -ENOMEM;
		c->used += !p.set_aside;
		c->set_aside += p.set_aside;
		c->unstable = c->set_aside > j->a->max_reruns;
	}
	return rc;
}

/* Every pair of cell ci: --pairs, then two more at a time while the pairs do not settle the
 * change, up to --max-pairs. A disturbed pair is set aside and its slot run again, up to
 * --max-reruns (then the cell is unstable). The cells are finished here. 0 or -EPROTO/-ENOMEM. */
static int ab_cell(struct ab_job *j, unsigned ci, struct results_cell *cell[2])
{
	struct ab_cell *c = &j->cells[ci];
	char why[300] = "";
	int rc, bad = 0;
	unsigned target = j->a->pairs;
	j->nrep[0] = j->nrep[1] = 0;
	while (!(rc = run_pairs(j, ci, target, cell, &bad, why, sizeof why)) && !c->unstable &&
	       target < j->a->max_pairs && !settled(j, c))
		target = target + 2 < j->a->max_pairs ? target + 2 : j->a->max_pairs;
	if (j->progress)
		fputs("\r\033[K", stderr);
	for (int s = 0; s < 2; s++)
		results_cell_finish(cell[s], rc == 1 ? "skipped" : rc && s == bad ? "failed" : "ok",
		                    rc == 1 || (rc && s == bad) ? why : NULL);
	if (rc == -EPROTO)
		log_err("ab", "%s", why);
	return rc == -EPROTO || rc == -ENOMEM ? rc : 0;
}

/* The cell of side s of the job's cell ci, placed as the runner places it. */
static struct results_cell *side_cell(struct ab_job *j, int s, unsigned ci)
{
	return cli_cell_new(j->doc[s], &j->sd[s].cells.v[ci], &j->sd[s].plan.cfg.pin, j->sd[s].plan.pin);
}

/* ---- the pairs file ---- */

static void pairs_cell(FILE *f, const struct ab_job *j, unsigned ci)
{
	const struct ab_cell *c = &j->cells[ci];
	const struct cell_spec *cs = &j->sd[0].cells.v[ci];
	fprintf(f, "%s\n  {\"cell\": %u, \"workload\": \"%s\", \"driver\": \"%s\", \"workers\": %u, \"used\": %u, "
	        "\"set_aside\": %u, \"unstable\": %s, \"pairs\": [", ci ? "," : "", ci, cs->wl->name, cs->drv->name,
	        cs->workers, c->used, c->set_aside, c->unstable ? "true" : "false");
	for (unsigned k = 0; k < c->n; k++) {
		const struct ab_pair *p = &c->v[k];
		fprintf(f, "%s{\"base_rep\": %u, \"new_rep\": %u, \"first\": \"%s\", \"set_aside\": %s, \"why\": ",
		        k ? ", " : "", p->rep[0], p->rep[1], side_name[p->first], p->set_aside ? "true" : "false");
		esc_fputs(f, ESC_JSON, p->why);
		fputc('}', f);
	}
	fputs("]}", f);
}

/* PREFIX.pairs.json: how the job ran, and every pair (used or set aside). 0 or -errno. */
static int write_pairs(const struct ab_job *j)
{
	FILE *f = fopen(j->path[2], "w");
	if (!f)
		return -errno;
	fprintf(f, "{\"ab_pairs\": 1, \"protocol\": %d, \"order\": \"%s\", \"seed\": %llu, \"pairs_per_cell\": %u, "
	        "\"max_pairs\": %u, \"max_reruns\": %u", REP_PROTOCOL, j->a->order == AB_ABBA ? "abba" : "random",
	        (unsigned long long)j->a->seed, j->a->pairs, j->a->max_pairs, j->a->max_reruns);
	for (int s = 0; s < 2; s++) {
		fprintf(f, ", \"%s\": {\"bench\": ", side_name[s]);
		esc_fputs(f, ESC_JSON, j->a->bin[s]);
		fputs(", \"version\": ", f);
		esc_fputs(f, ESC_JSON, j->version[s]);
		fputs(", \"git\": ", f);
		esc_fputs(f, ESC_JSON, j->git[s]);
		fputs(", \"results\": ", f);
		esc_fputs(f, ESC_JSON, j->path[s]);
		fputs(", \"args\": [", f);
		for (int i = 0; i < j->a->nside[s]; i++) {
			fputs(i ? ", " : "", f);
			esc_fputs(f, ESC_JSON, j->a->side[s][i]);
		}
		fputs("]}", f);
	}
	fputs(", \"cells\": [", f);
	for (unsigned ci = 0; ci < j->ncells; ci++)
		pairs_cell(f, j, ci);
	fputs("\n]}\n", f);
	return fclose(f) ? -errno : 0;
}

/* ---- the verdict: compare's, on the pairs ---- */

/* Does plan p assign knob a exactly so (the same values)? */
static int same_assign(const struct run_plan *p, const struct knob_assign *a)
{
	for (unsigned i = 0; i < p->nassign; i++)
		if (!strcmp(p->assign[i].name, a->name))
			return p->assign[i].nvals == a->nvals && !memcmp(p->assign[i].vals, a->vals, sizeof a->vals[0] * a->nvals);
	return 0;
}

/* The knobs one side sets differently (--new-args "-O extra_work_pct=10") are left out of the
 * matching, as run --baseline leaves out its -O: the cells are the same cells. */
static void ignore_side_knobs(const struct ab_job *j, struct compare_opts *o)
{
	for (int s = 0; s < 2; s++)
		for (unsigned i = 0; i < j->sd[s].plan.nassign; i++) {
			const struct knob_assign *a = &j->sd[s].plan.assign[i];
			int known = same_assign(&j->sd[!s].plan, a);
			for (unsigned k = 0; k < o->nignore && !known; k++)
				known = !strcmp(o->ignore[k], a->name);
			if (!known && o->nignore < COMPARE_IGNORE_MAX)
				o->ignore[o->nignore++] = a->name;
		}
}

/* Load both files and compare them with the pairs; print the report. The exit status. */
static int ab_verdict(const struct ab_job *j)
{
	char err[600], msg[800];
	struct results_file *f[2] = { NULL, NULL };
	struct compare_pairs *cp = calloc(j->ncells + 1, sizeof *cp);
	unsigned *idx = calloc(2 * (size_t)j->ncells * j->a->max_pairs + 1, sizeof *idx), k = 0;
	int rc = EXIT_USAGE;
	for (unsigned ci = 0; cp && idx && ci < j->ncells; ci++) {
		const struct ab_cell *c = &j->cells[ci];
		unsigned *b = idx + k, *n = idx + k + c->used, u = 0;
		for (unsigned p = 0; p < c->n; p++)
			if (!c->v[p].set_aside) {
				b[u] = c->v[p].rep[0];
				n[u++] = c->v[p].rep[1];
			}
		cp[ci] = (struct compare_pairs){ .n = u, .base_rep = b, .new_rep = n, .unstable = c->unstable };
		k += 2 * c->used;
	}
	struct compare_pairing pg = { .ncells = j->ncells, .cells = cp };
	struct compare_opts o = j->a->copts;
	struct compare_result r;
	o.pairing = &pg;
	ignore_side_knobs(j, &o);
	if (!cp || !idx)
		log_err("ab", "out of memory");
	else if (results_file_load(j->path[0], &f[0], err, sizeof err) ||
	         results_file_load(j->path[1], &f[1], err, sizeof err) || compare_files(f[0], f[1], &o, &r, err, sizeof err))
		log_err("ab", "%s", esc_term(msg, sizeof msg, err));
	else {
		compare_print(stdout, &r, j->a->fmt);
		if (j->a->fmt == COMPARE_JSON)
			compare_warn_verdicts("ab", &r);
		rc = compare_exit_code(&r);
		compare_result_free(&r);
	}
	results_file_free(f[0]);
	results_file_free(f[1]);
	free(cp);
	free(idx);
	return rc;
}

/* ---- the command ---- */

/* PREFIX.base.json, PREFIX.new.json, PREFIX.pairs.json; the default prefix is
 * results/ab-<UTC time>. 0, or -errno after one line. */
static int ab_paths(struct ab_job *j)
{
	char def[64], err[300];
	const char *prefix = j->a->prefix;
	if (!prefix) {
		time_t t = time(NULL);
		struct tm tm;
		gmtime_r(&t, &tm);
		strftime(def, sizeof def, "results/ab-%Y%m%dT%H%M%SZ", &tm);
		if (mkdir("results", 0755) && errno != EEXIST) {
			log_errno("ab", errno, "mkdir results");
			return -errno;
		}
		prefix = def;
	}
	static const char *const ext[] = { "base.json", "new.json", "pairs.json" };
	for (int i = 0; i < 3; i++) {
		snprintf(j->path[i], sizeof j->path[i], "%s.%s", prefix, ext[i]);
		if (results_check_writable(j->path[i], err, sizeof err)) {
			log_err("ab", "%s", err);
			return -EINVAL;
		}
	}
	return 0;
}

/* Run every cell into the two documents, writing the files after each. 0, or an exit status. */
static int ab_run(struct ab_job *j)
{
	char err[300];
	for (unsigned ci = 0; ci < j->ncells; ci++) {
		struct results_cell *cell[2] = { side_cell(j, 0, ci), side_cell(j, 1, ci) };
		if (!cell[0] || !cell[1]) {
			log_err("ab", "cannot place the workers of cell %u", ci);
			return EXIT_FAIL;
		}
		int rc = ab_cell(j, ci, cell);
		for (int s = 0; s < 2 && !rc; s++)
			if (results_doc_write(j->doc[s], j->path[s], err, sizeof err)) {
				log_err("ab", "%s", err);
				return EXIT_FAIL;
			}
		if (rc)
			return rc == -EPROTO ? EXIT_USAGE : EXIT_FAIL;
	}
	if (write_pairs(j)) {
		log_errno("ab", errno, "write %s", j->path[2]);
		return EXIT_FAIL;
	}
	return 0;
}

/* The job of the parsed arguments: plans, files, documents, the run, the verdict. */
static int ab_job(int argc, char **argv, const struct ab_args *a)
{
	struct ab_side sd[2];
	struct machine m;
	memset(sd, 0, sizeof sd);
	struct ab_job j = { .a = a, .sd = sd, .progress = !a->quiet && isatty(2) };
	int rc = ab_plans(a, sd) || ab_paths(&j) ? EXIT_USAGE : 0;
	if (!rc && (handshake("base", a->bin[0]) || handshake("new", a->bin[1])))
		rc = EXIT_USAGE;
	j.ncells = sd[0].cells.n;
	if (!rc && (!(j.cells = calloc(j.ncells + 1, sizeof *j.cells)) || ab_order(&j))) {
		log_err("ab", "out of memory");
		rc = EXIT_FAIL;
	}
	if (!rc) {
		machine_describe(&m);
		for (int s = 0; s < 2; s++) {
			struct results_config c = { .argc = argc, .argv = argv, .duration_s = sd[s].plan.cfg.duration_s,
				                    .timeout_s = sd[s].plan.cfg.timeout_s, .reps = a->pairs,
				                    .warmup = sd[s].plan.cfg.warmup, .pin = sd[s].plan.pin };
			j.doc[s] = results_doc_new(&m, &c);
		}
		fprintf(a->fmt == COMPARE_JSON ? stderr : stdout, /* stdout: only the JSON */
		        "bench ab: %u cell%s x %u pairs, order %s (seed %llu); base %s, new %s\n", j.ncells,
		       j.ncells == 1 ? "" : "s", a->pairs, a->order == AB_ABBA ? "abba" : "random",
		       (unsigned long long)a->seed, j.path[0], j.path[1]);
		cmd_stdout_flush();
		rc = !j.doc[0] || !j.doc[1] ? EXIT_FAIL : ab_run(&j);
	}
	if (!rc)
		rc = ab_verdict(&j);
	for (unsigned ci = 0; j.cells && ci < j.ncells; ci++)
		free(j.cells[ci].v);
	free(j.cells);
	free(j.order);
	results_doc_free(j.doc[0]);
	results_doc_free(j.doc[1]);
	ab_sides_free(sd);
	return rc;
}

int cmd_ab(int argc, char **argv)
{
	struct ab_args a;
	if (cmd_wants_help(argc, argv)) {
		usage();
		return EXIT_OK;
	}
	memset(&a, 0, sizeof a);
	int rc = ab_parse(argc, argv, &a) ? EXIT_USAGE : ab_job(argc, argv, &a);
	ab_args_free(&a);
	return rc;
}
