/* compare_print: the report of a comparison (compare.h) as text (bench compare, bench run
 * --baseline), Markdown (a pull-request comment) or JSON. Only prints: the analysis is in
 * compare.c. Every string from a results file reaches the report through escape.h, escaped
 * for its sink (terminal, Markdown, JSON). */
#ifndef BENCH_COMPARE_PRINT_H
#define BENCH_COMPARE_PRINT_H

#include <stdio.h>

#include "bench/stats/compare.h"

void compare_print(FILE *f, const struct compare_result *r, enum compare_format fmt);

#endif
