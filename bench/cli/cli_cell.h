/* cli_cell: a new cell of a results document for a cell of a plan, with the placement of its
 * workers as the runner will place them (bench rep, bench ab; bench run's cell_begin is the
 * same and can move here). */
#ifndef BENCH_CLI_CELL_H
#define BENCH_CLI_CELL_H

#include "bench/core/runner.h"
#include "bench/store/results.h"

/* NULL on out of memory or when the placement cannot be computed. */
struct results_cell *cli_cell_new(struct results_doc *doc, const struct cell_spec *cs, const struct topo_policy *pin,
                                  const char *pin_text);

#endif
