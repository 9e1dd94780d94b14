/* topo: the only hwloc user. Topology description, placement policies and binding.
 * Workloads never see a CPU id; drivers bind workers through topo_bind_*(). */
#ifndef BENCH_TOPO_H
#define BENCH_TOPO_H

#include <stddef.h>
#include "bench/machine/machine.h"

enum topo_pin { TOPO_PIN_NONE = 0, TOPO_PIN_COMPACT, TOPO_PIN_SPREAD, TOPO_PIN_LIST };

struct topo_policy {
	enum topo_pin kind;
	unsigned nlist;
	int list[256];        /* OS PU indexes for TOPO_PIN_LIST */
	char text[300];       /* as given: none, compact, spread, pus:0,1 */
};

/* Load the topology once (idempotent). 0 or -errno. */
int topo_init(void);
/* Parse --pin. Returns 0, or -EINVAL with a one-line reason (unknown PU, bad syntax). */
int topo_parse_policy(const char *text, struct topo_policy *out, char *err, size_t errlen);
/* Map n workers to OS PU indexes (-1 for none). spread distributes over cores first
 * (hwloc_distrib), compact fills PUs in topology order; both wrap around past the PU count. */
int topo_place(const struct topo_policy *p, unsigned n, int *pus);
/* Bind the calling thread (or, with process=1, the calling process) to one PU. 0 or -errno. */
int topo_bind_self(int pu, int process);
/* The single PU the calling thread is bound to, -1 if bound to more than one (unbound). */
int topo_bound_pu(void);
/* Number of PUs usable by this process. */
int topo_npus(void);
/* OS indexes of the PUs, in topology order; returns the count. */
int topo_pu_list(int *out, int max);
void topo_describe(struct machine *m);

#endif
