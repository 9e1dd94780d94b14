/* fig_history: the figure of bench plot --history, one cell's metric run after run (median
 * and 95% CI of the mean per run), its change points marked and labelled with the revision
 * and the change. Drawn with plot/gp.h like every figure; strings through escape.h. */
#ifndef BENCH_PLOT_FIG_HISTORY_H
#define BENCH_PLOT_FIG_HISTORY_H

#include <stddef.h>

#include "bench/stats/changepoint.h"
#include "bench/store/history.h"
#include "plot/plot.h"

/* Figure history-<workload>-<driver>-n<W>-<cell> of series s (cell: its id in the store),
 * with changes c[0..nc). 0, or -errno with err. */
int plot_write_history(const struct plot_opts *o, struct plot_set *set, const struct history_series *s,
                       long long cell, const struct cp_change *c, unsigned nc, char *err, size_t errlen);

#endif
