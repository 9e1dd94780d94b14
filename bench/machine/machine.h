/* machine: the description of the machine a run was made on. Filled by cpuinfo (libcpuid),
 * topo (hwloc) and machine.c (kernel, governor, SMT, ASLR, cgroup, build); turned into JSON
 * only by results.c. */
#ifndef BENCH_MACHINE_H
#define BENCH_MACHINE_H

#define MACHINE_CACHES_MAX 8

struct machine_cache { int level; char type[12]; unsigned long size_kb; int count; };

struct machine {
	/* libcpuid */
	int cpuid_ok;                 /* libcpuid identified the CPU */
	char cpuid_note[160];         /* why not, or what it did not know */
	char cpuid_version[32];
	char vendor[32], brand[96], codename[64];
	int family, model, stepping, ext_family, ext_model;
	int cpuid_cores, cpuid_logical;
	int l1d_kb, l1i_kb, l2_kb, l3_kb;
	int hypervisor;               /* CPUID hypervisor bit */
	char hypervisor_vendor[24];
	/* hwloc */
	char hwloc_version[16];
	int packages, cores, pus, numa_nodes;
	int ncaches;
	struct machine_cache caches[MACHINE_CACHES_MAX];
	/* system */
	char host[64], kernel[128], arch[32];
	int online_cpus;
	char governor[32];            /* "unknown" when cpufreq is absent (VMs) */
	int smt;                      /* 1 on, 0 off, -1 unknown */
	int aslr;                     /* /proc/sys/kernel/randomize_va_space, -1 unknown */
	char cgroup_cpu_max[48];      /* cgroup v2 cpu.max, "max 100000" = no quota; "unknown" */
	double cgroup_cpus;           /* quota in cores, 0 = none */
	/* build */
	char compiler[96], build_type[32], sanitizer[16], git[48], version[16];
};

/* Fill everything. Never fails: unknown fields are marked as such. */
void machine_describe(struct machine *m);
/* Print it for humans (bench info). */
void machine_print(const struct machine *m);

#endif
