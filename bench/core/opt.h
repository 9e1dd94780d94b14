/* opt: knob tables and their one parser (fio options[], stress-ng opts[]).
 *
 * Workloads and drivers declare their knobs as a const table ending in {0}.
 * `-O name=value` sets a knob; `-O name=v1,v2,...` sweeps it (one cell per value).
 * Values are checked against type, range and choices; errors name the knob. */
#ifndef BENCH_OPT_H
#define BENCH_OPT_H

#include <stddef.h>
#include <stdint.h>

/* KNOB_TEXT: a word of letters, digits and . _ + : - (a command or version name, never a
 * path: knob values are recorded in results files, whose loader accepts only these). */
enum knob_type { KNOB_INT = 1, KNOB_DOUBLE, KNOB_ENUM, KNOB_BOOL, KNOB_TEXT };

struct knob {
	const char *name;
	enum knob_type type;
	const char *def;      /* default, as it would be typed on the command line */
	double min, max;      /* inclusive range for INT and DOUBLE */
	const char *choices;  /* ENUM: "none|atomic|mutex" */
	const char *help;
};

/* One resolved knob value. */
struct knobval {
	const struct knob *k;
	double num;       /* INT, DOUBLE, BOOL (0/1) */
	int choice;       /* ENUM: index into choices */
	char text[48];    /* the value as given (canonical for ENUM/BOOL) */
};

#define KNOBSET_MAX 32
struct knobset {
	unsigned n;
	struct knobval v[KNOBSET_MAX];
};

/* Parse one value for knob k. Returns 0, or -EINVAL with a one-line reason in err. */
int opt_parse_value(const struct knob *k, const char *text, struct knobval *out, char *err, size_t errlen);
/* Fill set with the defaults of every knob of table (may be NULL). Returns 0 or -E2BIG. */
int opt_defaults(struct knobset *set, const struct knob *table);
/* Find a knob by name in a table (NULL-safe). */
const struct knob *opt_find(const struct knob *table, const char *name);
/* Find a value in a set; NULL if absent. */
const struct knobval *opt_get(const struct knobset *set, const char *name);
/* Set (replace) a value in a set. */
int opt_set(struct knobset *set, const struct knobval *v);
/* Number of choices of an ENUM knob, and the i-th choice copied to buf. */
int opt_choice_count(const struct knob *k);
const char *opt_choice(const struct knob *k, int i, char *buf, size_t len);

/* Strict number parsing for the CLI: whole string, no overflow, in [min,max]. */
int opt_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out);
int opt_parse_double(const char *s, double min, double max, double *out);

/* A -O assignment as given: name and its comma-separated values (a sweep when more than one). */
#define OPT_SWEEP_MAX 64
struct knob_assign {
	char name[48];
	unsigned nvals;
	char vals[OPT_SWEEP_MAX][48];
};
/* Split "name=v1,v2" into an assignment. Returns 0 or -EINVAL with err filled. */
int opt_split_assign(const char *arg, struct knob_assign *out, char *err, size_t errlen);

/* Print a knob table for `bench list` / --help. */
void opt_print_table(const struct knob *table, const char *indent);

#endif
