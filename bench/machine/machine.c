/* machine: system facts that neither libcpuid nor hwloc know (kernel, governor, SMT, ASLR,
 * cgroup quota, build), and the human-readable print of the whole description. */
#include "bench/machine/machine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "bench/machine/cpuinfo.h"
#include "gitrev.h"
#include "bench/machine/topo.h"

static int read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	if (!fgets(buf, (int)len, f)) {
		fclose(f);
		return -1;
	}
	fclose(f);
	buf[strcspn(buf, "\n")] = 0;
	return 0;
}

static void cgroup_quota(struct machine *m)
{
	char line[256], path[512], buf[64];
	snprintf(m->cgroup_cpu_max, sizeof m->cgroup_cpu_max, "unknown");
	m->cgroup_cpus = 0;
	/* cgroup v2: /proc/self/cgroup has "0::/path"; the limit is in <path>/cpu.max. */
	FILE *f = fopen("/proc/self/cgroup", "r");
	if (f) {
		while (fgets(line, sizeof line, f)) {
			if (strncmp(line, "0::", 3))
				continue;
			line[strcspn(line, "\n")] = 0;
			snprintf(path, sizeof path, "/sys/fs/cgroup%s/cpu.max", line + 3);
			if (read_line(path, buf, sizeof buf) && read_line("/sys/fs/cgroup/cpu.max", buf, sizeof buf))
				break;
			snprintf(m->cgroup_cpu_max, sizeof m->cgroup_cpu_max, "%s", buf);
			long quota, period;
			if (sscanf(buf, "%ld %ld", &quota, &period) == 2 && period > 0)
				m->cgroup_cpus = (double)quota / (double)period;
			break;
		}
		fclose(f);
	}
	/* cgroup v1 */
	if (!strcmp(m->cgroup_cpu_max, "unknown") &&
	    !read_line("/sys/fs/cgroup/cpu/cpu.cfs_quota_us", buf, sizeof buf)) {
		char per[32];
		long q = atol(buf);
		snprintf(m->cgroup_cpu_max, sizeof m->cgroup_cpu_max, "v1 quota %s", buf);
		if (q > 0 && !read_line("/sys/fs/cgroup/cpu/cpu.cfs_period_us", per, sizeof per) && atol(per) > 0)
			m->cgroup_cpus = (double)q / (double)atol(per);
	}
}

void machine_describe(struct machine *m)
{
	char buf[128];
	struct utsname u;
	memset(m, 0, sizeof *m);
	cpuinfo_describe(m);
	topo_describe(m);
	if (gethostname(m->host, sizeof m->host - 1))
		snprintf(m->host, sizeof m->host, "unknown");
	if (uname(&u) == 0) {
		snprintf(m->kernel, sizeof m->kernel, "%s %s", u.sysname, u.release);
		snprintf(m->arch, sizeof m->arch, "%s", u.machine);
	}
	m->online_cpus = (int)sysconf(_SC_NPROCESSORS_ONLN);
	if (read_line("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor", m->governor, sizeof m->governor))
		snprintf(m->governor, sizeof m->governor, "unknown");
	m->smt = -1;
	if (!read_line("/sys/devices/system/cpu/smt/active", buf, sizeof buf))
		m->smt = atoi(buf) ? 1 : 0;
	else if (m->cores > 0 && m->pus > 0)
		m->smt = m->pus > m->cores;
	m->aslr = -1;
	if (!read_line("/proc/sys/kernel/randomize_va_space", buf, sizeof buf))
		m->aslr = atoi(buf);
	cgroup_quota(m);
#if defined(__clang__)
	snprintf(m->compiler, sizeof m->compiler, "clang %s", __clang_version__);
#elif defined(__GNUC__)
	snprintf(m->compiler, sizeof m->compiler, "gcc %s", __VERSION__);
#else
	snprintf(m->compiler, sizeof m->compiler, "unknown");
#endif
	snprintf(m->build_type, sizeof m->build_type, "%s", BENCH_BUILD_TYPE);
	snprintf(m->sanitizer, sizeof m->sanitizer, "%s", BENCH_SANITIZER);
	snprintf(m->git, sizeof m->git, "%s", BENCH_GIT);
	snprintf(m->version, sizeof m->version, "%s", BENCH_VERSION);
}

void machine_print(const struct machine *m)
{
	printf("host        %s (%s, %s)\n", m->host, m->kernel, m->arch);
	if (m->cpuid_ok)
		printf("cpu         %s  [%s]  family %d model %d stepping %d  codename %s\n", m->brand, m->vendor,
		       m->ext_family, m->ext_model, m->stepping, m->codename);
	else
		printf("cpu         unknown\n");
	if (m->cpuid_note[0])
		printf("            note: %s\n", m->cpuid_note);
	printf("libcpuid    %s: %d cores, %d logical; L1d %d KiB, L1i %d KiB, L2 %d KiB, L3 %d KiB\n",
	       m->cpuid_version, m->cpuid_cores, m->cpuid_logical, m->l1d_kb, m->l1i_kb, m->l2_kb, m->l3_kb);
	printf("hwloc       %s: %d package(s), %d core(s), %d PU(s), %d NUMA node(s)\n", m->hwloc_version,
	       m->packages, m->cores, m->pus, m->numa_nodes);
	for (int i = 0; i < m->ncaches; i++)
		printf("            L%d %-11s %lu KiB x %d\n", m->caches[i].level, m->caches[i].type,
		       m->caches[i].size_kb, m->caches[i].count);
	printf("online cpus %d   SMT %s   governor %s   ASLR %d\n", m->online_cpus,
	       m->smt < 0 ? "unknown" : m->smt ? "on" : "off", m->governor, m->aslr);
	printf("hypervisor  %s (%s)\n", m->hypervisor ? "yes" : "no", m->hypervisor_vendor);
	printf("cgroup      cpu.max %s%s\n", m->cgroup_cpu_max, m->cgroup_cpus > 0 ? " (quota)" : "");
	printf("build       bench %s (git %s), %s, %s, sanitizer %s\n", m->version, m->git, m->build_type,
	       m->compiler, m->sanitizer);
}
