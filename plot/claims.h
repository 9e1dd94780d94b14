/* claims: the tutorials' claims, each tested against a results file by a stated rule
 * (plot/claims.c, thresholds in one table at its top), and report.md (plot/report.c). */
#ifndef BENCH_PLOT_CLAIMS_H
#define BENCH_PLOT_CLAIMS_H

#include "plot/plot.h"
#include "bench/store/results_load.h"

enum claim_verdict {
	CLAIM_NOT_MEASURED,           /* the file lacks the cells the rule needs */
	CLAIM_HOLDS,
	CLAIM_FAILS,                  /* does not hold */
	CLAIM_HOLDS_WHEN,             /* holds only in some of the measured setups */
	CLAIM_UNRELIABLE,             /* a cell it needs is unstable, or its median repetition was
	                                 disturbed: no verdict (plot_cell_unreliable) */
};

#define CLAIMS_N 8

/* The texts are Markdown for a table cell of report.md: our words, names the loader validated
 * (esc_name_ok), numbers, and cells' error texts through esc_md. */
struct claim_result {
	unsigned id;                  /* 1..CLAIMS_N */
	const char *claim;            /* the claim, in the tutorials' words */
	char rule[600];               /* how the verdict is computed, thresholds included */
	const char *figure;           /* the figure that shows it (plot file stem), or NULL */
	enum claim_verdict verdict;
	char verdict_text[600];       /* "holds", "does not hold: ...", "holds only when ...", "not measured: ..." */
	char cells[1000];             /* the cells the rule used */
	char measured[1600];          /* the figures it compared, with a mark for each check */
};

/* Evaluate every claim on f. */
void claims_evaluate(const struct results_file *f, struct claim_result out[CLAIMS_N]);
const char *claims_verdict_name(enum claim_verdict v);

/* Write DIR/report.md: machine, claims, figures (from figs; skipped ones say why), a results
 * table per workload. render_note: non-NULL when the figures could not be drawn (why).
 * 0 or -errno (err filled). */
int report_write(const struct results_file *f, const struct plot_set *figs, const struct plot_opts *o,
                 const char *render_note, char *path_out, size_t path_len, char *err, size_t errlen);

#endif
