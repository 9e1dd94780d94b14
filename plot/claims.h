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
	CLAIM_PARTLY,                 /* no measured part fails, but a part was not measured: the
	                                 claim is not confirmed (the part holds only as far as measured) */
};

#define CLAIMS_N 8

/* The texts are Markdown for report.md: our words, names and values the loader validated
 * (esc_name_ok, esc_value_ok), numbers, and cells' error texts through esc_md. Every text is
 * malloc'd and as long as it needs to be (nothing is cut): claims_free() frees them. Only
 * `headline` and `beside` go into the claims table's row, and they hold our words and numbers
 * only (no names or values from the file), so a row stays short whatever the file holds; the
 * rest goes into the evidence under it. */
struct claim_result {
	unsigned id;                  /* 1..CLAIMS_N */
	const char *claim;            /* the claim, in the tutorials' words */
	const char *brief;            /* the claim in a few words, for the table's row */
	char *rule;                   /* how the verdict is computed, thresholds included */
	const char *figure;           /* the figure that shows it (plot file stem), or NULL */
	enum claim_verdict verdict;
	char *verdict_text;           /* "holds", "does not hold: ...", "holds only when ...", "not measured: ..." */
	char *headline;               /* the one figure that decides the verdict, short */
	char *beside;                 /* "" or what is reported beside it and not judged (claim 4:
	                                 the cross-PU wake-up) */
	char *cells;                  /* the cells the rule used, every one */
	char *measured;               /* the figures it compared, a line per check with its mark */
};

/* Evaluate every claim on f (out[] then owns its texts: claims_free). On out of memory a text
 * is "(out of memory)", never NULL. */
void claims_evaluate(const struct results_file *f, struct claim_result out[CLAIMS_N]);
void claims_free(struct claim_result out[CLAIMS_N]);
const char *claims_verdict_name(enum claim_verdict v);

/* Write DIR/report.md: machine, claims, figures (from figs; skipped ones say why), a results
 * table per workload. render_note: non-NULL when the figures could not be drawn (why).
 * 0 or -errno (err filled). */
int report_write(const struct results_file *f, const struct plot_set *figs, const struct plot_opts *o,
                 const char *render_note, char *path_out, size_t path_len, char *err, size_t errlen);

#endif
