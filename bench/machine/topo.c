/* topo: the only hwloc user: topology, placement policies (--pin) and binding. */
#include "bench/machine/topo.h"

#include <errno.h>
#include <hwloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static hwloc_topology_t topo;
static int topo_loaded;

int topo_init(void)
{
	if (topo_loaded)
		return 0;
	if (hwloc_topology_init(&topo) < 0)
		return -errno;
	if (hwloc_topology_load(topo) < 0) {
		int e = errno;
		hwloc_topology_destroy(topo);
		return -e;
	}
	topo_loaded = 1;
	return 0;
}

int topo_npus(void)
{
	if (topo_init())
		return 1;
	return hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_PU);
}

int topo_pu_list(int *out, int max)
{
	int n = topo_npus(), k = 0;
	for (int i = 0; i < n && k < max; i++) {
		hwloc_obj_t pu = hwloc_get_obj_by_type(topo, HWLOC_OBJ_PU, (unsigned)i);
		if (pu)
			out[k++] = (int)pu->os_index;
	}
	return k;
}

static int pu_exists(int os)
{
	return hwloc_get_pu_obj_by_os_index(topo, (unsigned)os) != NULL;
}

int topo_parse_policy(const char *text, struct topo_policy *p, char *err, size_t errlen)
{
	memset(p, 0, sizeof *p);
	if (topo_init()) {
		snprintf(err, errlen, "--pin: cannot load the hwloc topology");
		return -EINVAL;
	}
	snprintf(p->text, sizeof p->text, "%s", text);
	if (!strcmp(text, "none"))
		p->kind = TOPO_PIN_NONE;
	else if (!strcmp(text, "compact"))
		p->kind = TOPO_PIN_COMPACT;
	else if (!strcmp(text, "spread"))
		p->kind = TOPO_PIN_SPREAD;
	else if (!strncmp(text, "pus:", 4)) {
		const char *s = text + 4;
		p->kind = TOPO_PIN_LIST;
		if (!*s) {
			snprintf(err, errlen, "--pin pus: needs a list of PU numbers, e.g. pus:0,1");
			return -EINVAL;
		}
		while (*s) {
			char *end;
			errno = 0;
			long v = strtol(s, &end, 10);
			if (end == s || errno || v < 0 || v > 1000000 || (*end && *end != ',')) {
				snprintf(err, errlen, "--pin: '%s' is not a list of PU numbers", text + 4);
				return -EINVAL;
			}
			if (!pu_exists((int)v)) {
				snprintf(err, errlen, "--pin: PU %ld does not exist (this machine has PUs 0-%d)", v,
				         topo_npus() - 1);
				return -EINVAL;
			}
			if (p->nlist >= sizeof p->list / sizeof p->list[0]) {
				snprintf(err, errlen, "--pin: too many PUs");
				return -EINVAL;
			}
			p->list[p->nlist++] = (int)v;
			s = *end ? end + 1 : end;
			if (*end == ',' && !*s) {
				snprintf(err, errlen, "--pin: trailing comma in '%s'", text);
				return -EINVAL;
			}
		}
	} else {
		snprintf(err, errlen, "--pin: unknown policy '%s' (none, compact, spread, pus:LIST)", text);
		return -EINVAL;
	}
	return 0;
}

int topo_place(const struct topo_policy *p, unsigned n, int *pus)
{
	int rc = topo_init();
	if (rc)
		return rc;
	int npu = topo_npus();
	switch (p->kind) {
	case TOPO_PIN_NONE:
		for (unsigned i = 0; i < n; i++)
			pus[i] = -1;
		return 0;
	case TOPO_PIN_LIST:
		for (unsigned i = 0; i < n; i++)
			pus[i] = p->list[i % p->nlist];
		return 0;
	case TOPO_PIN_COMPACT:
		for (unsigned i = 0; i < n; i++)
			pus[i] = (int)hwloc_get_obj_by_type(topo, HWLOC_OBJ_PU, i % (unsigned)npu)->os_index;
		return 0;
	case TOPO_PIN_SPREAD: {
		/* hwloc_distrib spreads k items as far apart as the tree allows (packages, then
		 * cores, then PUs); past the PU count we wrap around with the same order. */
		unsigned k = n < (unsigned)npu ? n : (unsigned)npu;
		hwloc_bitmap_t *sets = calloc(k, sizeof *sets);
		if (!sets)
			return -ENOMEM;
		/* hwloc_distrib allocates the k cpusets itself; we free them. */
		hwloc_obj_t root = hwloc_get_root_obj(topo);
		rc = hwloc_distrib(topo, &root, 1, sets, k, INT_MAX, 0);
		for (unsigned i = 0; i < k; i++) {
			int os = -1;
			if (rc == 0 && sets[i]) {
				hwloc_bitmap_singlify(sets[i]);
				os = hwloc_bitmap_first(sets[i]);
			}
			pus[i] = rc == 0 && os >= 0 ? os : (int)i;
			hwloc_bitmap_free(sets[i]);
		}
		free(sets);
		for (unsigned i = k; i < n; i++)
			pus[i] = pus[i % k];
		return 0;
	}
	}
	return -EINVAL;
}

int topo_bind_self(int pu, int process)
{
	if (pu < 0)
		return 0;
	int rc = topo_init();
	if (rc)
		return rc;
	hwloc_bitmap_t set = hwloc_bitmap_alloc();
	if (!set)
		return -ENOMEM;
	hwloc_bitmap_only(set, (unsigned)pu);
	rc = hwloc_set_cpubind(topo, set, process ? HWLOC_CPUBIND_PROCESS : HWLOC_CPUBIND_THREAD);
	rc = rc < 0 ? -errno : 0;
	hwloc_bitmap_free(set);
	return rc;
}

int topo_bound_pu(void)
{
	if (topo_init())
		return -1;
	hwloc_bitmap_t set = hwloc_bitmap_alloc();
	int pu = -1;
	if (set && hwloc_get_cpubind(topo, set, HWLOC_CPUBIND_THREAD) == 0 && hwloc_bitmap_weight(set) == 1)
		pu = hwloc_bitmap_first(set);
	hwloc_bitmap_free(set);
	return pu;
}

void topo_describe(struct machine *m)
{
	snprintf(m->hwloc_version, sizeof m->hwloc_version, "%u.%u.%u", hwloc_get_api_version() >> 16,
	         (hwloc_get_api_version() >> 8) & 0xff, hwloc_get_api_version() & 0xff);
	if (topo_init()) {
		m->packages = m->cores = m->pus = m->numa_nodes = -1;
		return;
	}
	m->packages = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_PACKAGE);
	m->cores = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_CORE);
	m->pus = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_PU);
	m->numa_nodes = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_NUMANODE);
	static const struct { hwloc_obj_type_t t; int level; const char *type; } cache[] = {
		{ HWLOC_OBJ_L1CACHE, 1, "data" }, { HWLOC_OBJ_L1ICACHE, 1, "instruction" },
		{ HWLOC_OBJ_L2CACHE, 2, "unified" }, { HWLOC_OBJ_L3CACHE, 3, "unified" },
		{ HWLOC_OBJ_L4CACHE, 4, "unified" },
	};
	m->ncaches = 0;
	for (size_t i = 0; i < sizeof cache / sizeof cache[0] && m->ncaches < MACHINE_CACHES_MAX; i++) {
		int n = hwloc_get_nbobjs_by_type(topo, cache[i].t);
		if (n <= 0)
			continue;
		hwloc_obj_t o = hwloc_get_obj_by_type(topo, cache[i].t, 0);
		struct machine_cache *c = &m->caches[m->ncaches++];
		c->level = cache[i].level;
		snprintf(c->type, sizeof c->type, "%s", cache[i].type);
		c->size_kb = (unsigned long)(o->attr->cache.size / 1024);
		c->count = n;
	}
}
