/* escape: the one place where text is escaped for where it is written, and the names check.
 * Everything read from a results file (and paths, argv, the environment) is data: it is
 * validated where it is loaded (results_load.c, with esc_name_ok/esc_value_ok) and, where it
 * is written, passed through the function of that sink. Nothing else in bench escapes text.
 *
 * Sinks and their rule (a "control" is C0 incl. newline and tab, DEL, C1 U+0080-U+009F, the
 * bidi/line-separator controls U+200E-F, U+2028-202E, U+2066-2069):
 *   gnuplot "string"      esc_gp        " \ -> \" \\; newline -> \n (a line break in a title);
 *                                       ` @ -> \140 \100 (no command or macro substitution can
 *                                       start); other controls and invalid UTF-8 -> ?
 *   gnuplot/.dat comment  esc_gp_comment  as the terminal, and \ -> \x5c (a comment line ending
 *                                       in a backslash continues onto the next line)
 *   terminal              esc_term      controls and invalid UTF-8 -> \xNN per byte, so ESC/ANSI
 *                                       sequences and line breaks never reach a terminal raw
 *   Markdown              esc_md        \ ` * [ ] | -> backslash-escaped; < > & -> entities
 *                                       (no HTML, link, code span or table cell can be opened);
 *                                       newline, CR, tab -> space; other controls and invalid
 *                                       UTF-8 -> ?
 *   JSON string           esc_json      " \ -> \" \\; controls -> \n \t \r or \u00NN; invalid
 *                                       UTF-8 -> \ufffd (RFC 8259, and nothing raw for a terminal)
 *   CSV field (RFC 4180)  esc_csv       always quoted, " -> ""; newline, CR, tab kept (inside the
 *                                       quotes); other controls and invalid UTF-8 -> \xNN per
 *                                       byte, as the terminal; a field that starts with = + - @
 *                                       tab or CR and is not a number gets a leading ' (OWASP
 *                                       "CSV injection": no spreadsheet formula)
 *   file-name component   esc_filename  [A-Za-z0-9._-] kept, any other character -> _; a leading
 *                                       dot -> _; never empty; at most len - 1 bytes
 * Names (checked by the loader, so that they reach file names and scripts as they are):
 *   esc_name_ok   workload, driver, knob and metric names: [a-z0-9_-], starting with a letter
 *                 or digit, 1..ESC_NAME_MAX bytes (the registry's names: cpu-spin, wait_us)
 *   esc_value_ok  knob values and pin policies: [A-Za-z0-9._+:,-], 1..ESC_VALUE_MAX bytes
 *                 (600, 0.5, 1e-05, mutex, pus:0,1)
 *
 *   char t[256];
 *   fprintf(gp, "set title %s\n", esc_gp(t, sizeof t, label));   (quotes included)
 *   esc_fputs(out, ESC_MD, cell->error);                          (any length)
 *
 * The buffer functions write at most len bytes, NUL included, cutting only between whole
 * escapes or characters (a quoted sink keeps its closing quote), and return buf. */
#ifndef BENCH_ESCAPE_H
#define BENCH_ESCAPE_H

#include <stddef.h>
#include <stdio.h>

#define ESC_NAME_MAX 47
#define ESC_VALUE_MAX 299

enum esc_sink { ESC_GP, ESC_GP_COMMENT, ESC_TERM, ESC_MD, ESC_JSON, ESC_FILENAME, ESC_CSV };

const char *esc_gp(char *buf, size_t len, const char *s);
const char *esc_gp_comment(char *buf, size_t len, const char *s);
const char *esc_term(char *buf, size_t len, const char *s);
const char *esc_md(char *buf, size_t len, const char *s);
const char *esc_json(char *buf, size_t len, const char *s);
const char *esc_filename(char *buf, size_t len, const char *s);
const char *esc_csv(char *buf, size_t len, const char *s);
/* The same rules, written to f whatever the length (s NULL: as ""). */
void esc_fputs(FILE *f, enum esc_sink sink, const char *s);

int esc_name_ok(const char *s);
int esc_value_ok(const char *s);

#endif
