/* gil: the driver that runs every worker on its own OS thread under one simulated Python
 * global interpreter lock (CPython 3.2+ "new GIL" by default, Python 2's with gil_mode=legacy).
 * The driver itself is driver_gil (driver.h); this header only exposes what tests inspect. */
#ifndef BENCH_GIL_H
#define BENCH_GIL_H

#include "bench/core/task.h"

/* Under the gil driver only: id+1 of the worker the driver has marked as the GIL holder
 * (set inside take, cleared at the start of drop), 0 while nobody holds it. A worker that
 * runs workload code must always see its own id+1 here. */
unsigned gil_holder(const struct task *t);

#endif
