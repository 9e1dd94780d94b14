/* compare: the logic of `bench compare` (also used by `bench run --baseline` and `bench
 * export`): match the cells of a baseline and a new results file, test each matched cell's
 * metric (Mann-Whitney U on the repetitions, confidence interval of the ratio of medians),
 * decide and summarize with a geometric mean. compare_print.h prints the result as text,
 * Markdown or JSON.
 * Free of jansson: files are read through the results_file model (results_load.h); the
 * statistics are in stats.c. */
#ifndef BENCH_COMPARE_H
#define BENCH_COMPARE_H

#include <stdio.h>

#include "bench/store/results_load.h"
#include "bench/stats/stats.h"

#define COMPARE_DEFAULT_ALPHA 0.01
#define COMPARE_DEFAULT_THRESHOLD 3.0      /* percent */
#define COMPARE_DEFAULT_CONFIDENCE 0.95
#define COMPARE_DEFAULT_NBOOT 10000
#define COMPARE_IGNORE_MAX 16

enum compare_format { COMPARE_TEXT, COMPARE_MARKDOWN, COMPARE_JSON };
/* --fail-on: the set of verdicts that make the exit status non-zero. */
enum {
	COMPARE_FAIL_REGRESSION = 1,       /* a significant regression, or a cell failed only in the new run */
	COMPARE_FAIL_IMPROVEMENT = 2,      /* a significant improvement */
	COMPARE_FAIL_UNSTABLE = 4,         /* a cell without a verdict because it is unstable */
	COMPARE_FAIL_TOO_FEW = 8,          /* a cell whose repetitions (pairs) can never reach alpha */
	COMPARE_FAIL_NEVER = 0,
	COMPARE_FAIL_ANY = 15,
	COMPARE_FAIL_DEFAULT = COMPARE_FAIL_REGRESSION | COMPARE_FAIL_UNSTABLE | COMPARE_FAIL_TOO_FEW,
};
/* The exit statuses of a comparison (bench compare, bench ab, bench run --baseline), one per
 * kind of outcome, in this order of precedence when several apply: 1 (regression, or an
 * improvement with --fail-on improvement/any), 3 (unstable), 4 (too few reps); 0 when none of
 * the verdicts in --fail-on occurred; 2 is a usage or input error. */
#define COMPARE_EXIT_REGRESSION 1
#define COMPARE_EXIT_UNSTABLE 3
#define COMPARE_EXIT_TOO_FEW 4

/* The pairs of one cell (bench ab): the measured repetitions base_rep[i] of the baseline's
 * cell and new_rep[i] of the new file's cell ran next to each other. */
struct compare_pairs {
	unsigned n;
	const unsigned *base_rep, *new_rep;  /* indexes into the cells' reps (ok or not) */
	int unstable;                        /* too many pairs were disturbed: no verdict */
};
/* Paired files: cell i of the baseline pairs with cell i of the new file. */
struct compare_pairing {
	unsigned ncells;
	const struct compare_pairs *cells;
};
enum compare_ci { COMPARE_CI_BOOTSTRAP, COMPARE_CI_HL };

struct compare_opts {
	const char *metric;                /* NULL: each cell's primary metric */
	int metric_better;                 /* with metric: 1 higher, 0 lower, -1 not given */
	double alpha, threshold_pct, confidence;
	enum compare_ci ci;
	unsigned nboot;
	unsigned fail_on;                  /* COMPARE_FAIL_* set (default COMPARE_FAIL_DEFAULT) */
	unsigned nignore;
	const char *ignore[COMPARE_IGNORE_MAX]; /* knobs left out of the cell identity */
	int hide_only_base;                /* don't list baseline cells without a match (confirm runs) */
	const struct compare_pairing *pairing; /* NULL, or the pairs of bench ab: the paired test */
	unsigned looks;                    /* bench ab: how often it may test a cell's pairs (--pairs,
	                                      then 2 more at a time up to --max-pairs); 0 or 1: once */
};

void compare_opts_default(struct compare_opts *o);
/* The level each test is made at: alpha / looks (Bonferroni). bench ab runs more pairs while a
 * cell is not settled and stops as soon as it is: testing after each step at the full alpha
 * would raise the false-alarm rate with every step (optional stopping; an A/A run stopped a
 * shared-counter cell at 14 pairs with p < 0.01 and called it a regression). */
double compare_test_alpha(const struct compare_opts *o);
/* Parse "--metric NAME[:higher|:lower]", "--fail-on", "--format", "--ci-method": 0 or -EINVAL.
 * --fail-on takes a comma-separated set of regression, improvement, unstable, too-few, or
 * one of any (all four) and never. */
int compare_parse_metric(const char *arg, struct compare_opts *o);
int compare_parse_fail_on(const char *arg, unsigned *out);
int compare_parse_format(const char *arg, enum compare_format *out);
int compare_parse_ci(const char *arg, enum compare_ci *out);
/* The set as --fail-on takes it: "regression,unstable,too-few", "any", "never". */
void compare_fail_on_text(unsigned set, char *buf, size_t len);

/* The compare options as getopt_long entries, shared by bench compare, bench export (only
 * --metric) and bench run --baseline: COMPARE_LONG_OPTIONS (or COMPARE_LONG_OPTION_METRIC) in
 * the option table, compare_cli_option() for the codes. Each command keeps its own table, so
 * that the abbreviations it accepts (--fo for --format) stay its own. */
enum {
	COMPARE_OPT_METRIC = 300, COMPARE_OPT_THRESHOLD, COMPARE_OPT_ALPHA, COMPARE_OPT_CONFIDENCE, COMPARE_OPT_CI,
	COMPARE_OPT_IGNORE, COMPARE_OPT_FAIL_ON
};
#define COMPARE_LONG_OPTION_METRIC { "metric", 1, 0, COMPARE_OPT_METRIC }
#define COMPARE_LONG_OPTIONS                                                                             \
	COMPARE_LONG_OPTION_METRIC, { "threshold", 1, 0, COMPARE_OPT_THRESHOLD },                        \
	{ "alpha", 1, 0, COMPARE_OPT_ALPHA }, { "confidence", 1, 0, COMPARE_OPT_CONFIDENCE },            \
	{ "ci-method", 1, 0, COMPARE_OPT_CI }, { "ignore-knob", 1, 0, COMPARE_OPT_IGNORE },              \
	{ "fail-on", 1, 0, COMPARE_OPT_FAIL_ON }
/* 0, -EINVAL after a one-line message "bench: CMD: --option: ...", or -ENOENT: the code is
 * not a compare option. */
int compare_cli_option(const char *cmd, int code, const char *arg, struct compare_opts *o);

/* The option loop of bench compare and bench export: getopt_long over argv with the command's
 * table lo (short options -o FILE and -h). -o/--output sets *output, the compare options in lo
 * set o, and every other option code goes to own(code, optarg, ctx) (may be NULL), which
 * returns 0, -EINVAL after a one-line message, or -ENOENT (not its option). Messages are
 * "bench: CMD: ...". Returns the index of the first operand, or -EINVAL after a one-line
 * message (a usage error: exit 2). */
struct option;
int compare_getopt(const char *cmd, int argc, char **argv, const struct option *lo, struct compare_opts *o,
                   const char **output, int (*own)(int code, const char *arg, void *ctx), void *ctx);

enum compare_verdict {
	CMP_REGRESSION,        /* p < alpha and the whole CI beyond the threshold, the bad way */
	CMP_IMPROVEMENT,       /* the same, the good way */
	CMP_UNCHANGED,         /* p >= alpha */
	CMP_BELOW_THRESHOLD,   /* p < alpha, but the CI reaches inside +-threshold */
	CMP_TOO_FEW,           /* the sample sizes can never give p < alpha */
	CMP_FAILED_NEW,        /* ok in the baseline, failed in the new run */
	CMP_FAILED_BASE,       /* failed in the baseline (whatever the new run did) */
	CMP_SKIPPED,           /* skipped in either */
	CMP_NO_DATA,           /* the metric is not recorded in one of them */
	CMP_UNSTABLE,          /* no verdict: a cell is "unstable" (too many disturbed repetitions),
	                          or its pairs disagree beyond the threshold (p >= alpha and the CI
	                          of the change reaches beyond +-threshold) */
};
#define CMP_NVERDICTS (CMP_UNSTABLE + 1)
const char *compare_verdict_name(enum compare_verdict v);

struct compare_row {
	unsigned base_cell, new_cell;
	char label[320];
	const char *metric;
	int higher_is_better;
	unsigned nbase, nnew;
	double *xbase, *xnew;              /* the per-repetition values */
	double base_median, new_median;
	double change_pct;                 /* new vs base median, in the metric's own sense */
	double ci_lo_pct, ci_hi_pct;       /* CI of the change (NAN if none) */
	struct stats_mw mw;                /* the test: Mann-Whitney; with pairs, the Wilcoxon
	                                      signed-rank test (u = V, its p, min_p, exact) */
	unsigned npairs;                   /* pairs tested (0: not paired) */
	enum compare_verdict verdict;
	char note[300];
};

struct compare_result {
	const struct results_file *base, *new;
	struct compare_opts opts;
	unsigned nrows;
	struct compare_row *rows;
	unsigned nonly_base, nonly_new;
	char **only_base, **only_new;      /* labels of the cells without a match */
	char machine_diff[768];            /* "governor (performance vs powersave), ..." or "" */
	char config_diff[256];
	char warnings[1024];               /* other warnings, one per line */
	unsigned geo_cells;
	double geo_pct, geo_lo_pct, geo_hi_pct; /* geometric mean of the performance ratios: + = better */
	unsigned counts[CMP_NVERDICTS];
	unsigned min_reps_needed;          /* reps per side (pairs, when paired) for p < alpha to be
	                                      possible at all */
};

/* Match and test. 0; -EINVAL with err (two cells of one file with the same identity, a
 * metric whose direction is unknown, no cell in common). */
int compare_files(const struct results_file *base, const struct results_file *new, const struct compare_opts *o,
                  struct compare_result *out, char *err, size_t errlen);
void compare_result_free(struct compare_result *r);
/* This row is a regression (or a cell failed only in the new run), or an improvement with
 * COMPARE_FAIL_IMPROVEMENT in r->opts.fail_on: what --confirm runs again. */
int compare_row_flagged(const struct compare_result *r, const struct compare_row *row);
/* The exit status of the comparison under r->opts.fail_on: 0, COMPARE_EXIT_REGRESSION (a
 * flagged row, see compare_row_flagged), COMPARE_EXIT_UNSTABLE, COMPARE_EXIT_TOO_FEW. */
int compare_exit_code(const struct compare_result *r);

/* Do n pairs of values (base[i], new[i], all positive) settle the change under o: the paired
 * test can reach alpha, and its verdict would not be UNSTABLE? 1 or 0 (bench ab --max-pairs
 * runs more pairs while 0). */
int compare_pairs_settled(const struct compare_opts *o, const double *base, const double *new, unsigned n);
/* The smallest number of repetitions per side with which the unpaired test can give p <
 * alpha at all (5 at alpha 0.01, 4 at 0.05); paired_min_pairs() is the paired test's. */
unsigned compare_min_reps(double alpha);
/* One warning line on stderr (bench: CMD: ...) for what the exit status alone does not say:
 * the machines differ, unstable cells, cells with too few repetitions or pairs. */
void compare_warn_verdicts(const char *cmd, const struct compare_result *r);

/* Helpers shared with bench export. */
/* Which knobs and pins vary among the cells (of one workload) of a set of files; NULL on out
 * of memory (labels then show no knobs). */
struct compare_vary;
struct compare_vary *compare_vary_new(const struct results_file *const *files, unsigned nfiles);
void compare_vary_free(struct compare_vary *v);
/* "workload/driver/n=W" plus the pin and the knobs that vary (v may be NULL). */
void compare_cell_label(const struct compare_vary *v, const struct results_file *f, unsigned ci, char *buf,
                        size_t len);
/* "workload/driver/n=W pin=P k=v ..." with every knob: stable across files (dashboards). */
void compare_cell_identity(const struct results_file *f, unsigned ci, char *buf, size_t len);
/* Direction of a metric known to the harness (ops_per_s higher, wall_s lower, ...): 1, 0,
 * or -1 unknown. */
int compare_known_direction(const char *metric);
/* The metric compared in cell c, and in *higher its direction (1 higher, 0 lower is better,
 * -1 unknown): o->metric (its :higher/:lower, else the cell's direction if it is the cell's
 * primary metric, else the known one), or the cell's primary metric. */
const char *compare_metric_of(const struct compare_opts *o, const struct results_file_cell *c, int *higher);

#endif
