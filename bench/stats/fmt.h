/* fmt: numbers as bench writes them for people and for JSON: a value with an SI prefix (the
 * table of bench run, the reports of bench compare, bench export's Markdown) and a JSON
 * number. One copy, so that two commands never write one value two ways. */
#ifndef BENCH_FMT_H
#define BENCH_FMT_H

#include <stddef.h>
#include <stdio.h>

/* Two renderings of one rule (prefix G from 1e9, M from 1e6, k from the style's threshold,
 * chosen by |v|): */
enum fmt_si_style {
	FMT_SI_COLUMN, /* 3 decimals, k from 1,000: "874.484k", "1.744M", "908.127" (bench run's table) */
	FMT_SI_SHORT,  /* 4 significant digits, k from 10,000: "874.5k", "1.744M", "1234" (compare, export) */
};

/* v with its SI prefix into buf; "-" when v is not finite. */
void fmt_si(double v, enum fmt_si_style style, char *buf, size_t len);
/* v in engineering notation with its unit, for people: 3 significant digits and the SI prefix
 * (p n u m, none, k M G T) that puts the mantissa in [1, 1000): fmt_eng(9.41e-05, "s") is
 * "94.1 us", fmt_eng(1.744e6, "/s") "1.74 M/s"; unit "" gives "94.1u". For a count that is
 * not a physical unit (cores, a fraction) callers print the number plainly. "-" when v is not
 * finite; 0 is "0 s". At most FMT_ENG_LEN bytes with its NUL for a unit of up to 8 bytes. */
#define FMT_ENG_LEN 24
void fmt_eng(double v, const char *unit, char *buf, size_t len);
/* v as a JSON number (%.12g), or null when it is not finite. */
void fmt_json_number(FILE *f, double v);

#endif
