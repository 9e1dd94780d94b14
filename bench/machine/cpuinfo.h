/* cpuinfo: the only libcpuid user. */
#ifndef BENCH_CPUINFO_H
#define BENCH_CPUINFO_H
#include "bench/machine/machine.h"
void cpuinfo_describe(struct machine *m);
#endif
