/* run_table: the table bench run prints on stdout, a row per cell as it finishes, then the
 * footnotes; seven columns, numbers in engineering notation with their units (fmt_si_unit:
 * 874k spin units/s, 201 ms wall, marked "(lower)" where lower is better). A row shows the
 * cell's primary metric, its spread over the repetitions in the summary, util (cores), wall
 * and, for workloads whose workers all do the same job
 * (workload.symmetric), the fairness of their ops. A cell with disturbed repetitions gets a
 * '*' after its status and a footnote (how many, the other load, left out or kept); an
 * unstable cell likewise. Labels reach the terminal through esc_term (escape.h); the label
 * column is as wide as the longest label of the run.
 *
 *   struct run_table t;
 *   run_table_begin(&t, stdout, widest_label);
 *   for each finished cell: run_table_row_from_brief(&row, &brief, wl, label); run_table_print(&t, &row);
 *   run_table_end(&t);   (the footnotes; frees them)
 */
#ifndef BENCH_RUN_TABLE_H
#define BENCH_RUN_TABLE_H

#include <stddef.h>
#include <stdio.h>

struct cell_brief;
struct workload;

/* What a row shows of one finished cell. Statistics of the primary metric are over the
 * repetitions of the summary (the undisturbed ones, all of them with --keep-disturbed). */
struct run_table_row {
	const char *label;            /* workload/driver/n=W and knobs, raw */
	const char *status;           /* ok | unstable | failed | skipped | running */
	const char *error;            /* NULL: none */
	const char *metric;           /* the primary metric: ops_per_s, wall_s, ... */
	const char *op_unit;          /* what one op is, plural (ops_per_s is op_unit/s); NULL: "ops" */
	int higher_is_better;
	int symmetric;                /* show fairness */
	unsigned n;                   /* repetitions in the summary */
	double median, ci_lo, ci_hi, min, max;   /* of the primary metric (NaN: unknown) */
	double util_cores, wall_s, fairness;     /* medians */
	unsigned nok;                 /* measured ok repetitions, disturbed or not */
	unsigned ndisturbed;          /* of them, marked disturbed */
	double disturbed_load;        /* median other load (cores) of the disturbed ones; NaN: unknown */
};

#define RUN_TABLE_MAX_NOTES 64

struct run_table {
	FILE *out;
	int label_w;                  /* width of the label column */
	unsigned nnotes, dropped;     /* footnotes kept, and those beyond RUN_TABLE_MAX_NOTES */
	char *notes[RUN_TABLE_MAX_NOTES];
};

/* The width the label column needs for label (escaped as it will be printed). */
size_t run_table_label_width(const char *label);
/* Prints the header; label_w: the widest label of the run (the column is at least "cell"). */
void run_table_begin(struct run_table *t, FILE *out, size_t label_w);
void run_table_print(struct run_table *t, const struct run_table_row *r);
/* Prints the footnotes gathered by the rows (nothing if none) and frees them. */
void run_table_end(struct run_table *t);

/* A row from what the run knows of a finished cell: the results summary (b) and its workload. */
void run_table_row_from_brief(struct run_table_row *r, const struct cell_brief *b, const struct workload *wl,
                              const char *label);

#endif
