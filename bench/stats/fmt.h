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
/* v in engineering notation with its unit, for the tables people read (bench run, bench
 * compare, bench run --dry-run): 3 significant digits and a prefix n u m (below 1) k M G T
 * chosen after rounding, so that the number is 1..999. The prefix joins a unit that starts
 * with an SI symbol (s, B, Hz, W): "94.1 us", "201 ms wall", "171 kB", "0 s"; any other unit
 * keeps it on the number: "874k ops/s", "1.74M round trips/s". "-" when v is not finite; unit
 * NULL or "": the number and prefix alone ("874k"). */
void fmt_si_unit(double v, const char *unit, char *buf, size_t len);
/* The same choice of prefix (down to p), printed for the report's tables: the prefix always
 * joins the unit after a space, fmt_eng(9.41e-05, "s") "94.1 us", fmt_eng(1.744e6, "/s")
 * "1.74 M/s"; unit "" gives "94.1u". "-" when v is not finite. At most FMT_ENG_LEN bytes with
 * its NUL for a unit of up to 8 bytes. */
#define FMT_ENG_LEN 24
void fmt_eng(double v, const char *unit, char *buf, size_t len);
/* A value of a metric whose name ends in its unit, so: _s, _ms, _us, _ns (seconds), _per_s
 * (ops_per_s: ops/s), _cores, _kb (kB); any other metric is a count ("12"). */
void fmt_metric(double v, const char *metric, char *buf, size_t len);
/* v as a JSON number (%.12g), or null when it is not finite. */
void fmt_json_number(FILE *f, double v);

#endif
