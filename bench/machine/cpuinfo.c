/* cpuinfo: the only libcpuid user: vendor, brand, family/model/stepping, caches, hypervisor. */
#include "bench/machine/cpuinfo.h"

#include <libcpuid/libcpuid.h>
#include <stdio.h>
#include <string.h>

static const char *hv_name(hypervisor_vendor_t v)
{
	switch (v) {
	case HYPERVISOR_NONE: return "none";
	case HYPERVISOR_BHYVE: return "bhyve";
	case HYPERVISOR_HYPERV: return "hyper-v";
	case HYPERVISOR_KVM: return "kvm";
	case HYPERVISOR_PARALLELS: return "parallels";
	case HYPERVISOR_QEMU: return "qemu";
	case HYPERVISOR_VIRTUALBOX: return "virtualbox";
	case HYPERVISOR_VMWARE: return "vmware";
	case HYPERVISOR_XEN: return "xen";
	default: return "unknown";
	}
}

void cpuinfo_describe(struct machine *m)
{
	struct cpu_raw_data_t raw;
	struct cpu_id_t id;
	snprintf(m->cpuid_version, sizeof m->cpuid_version, "%s", cpuid_lib_version());
	if (!cpuid_present()) {
		m->cpuid_ok = 0;
		snprintf(m->cpuid_note, sizeof m->cpuid_note, "CPUID instruction not available");
		return;
	}
	if (cpuid_get_raw_data(&raw) < 0 || cpu_identify(&raw, &id) < 0) {
		m->cpuid_ok = 0;
		snprintf(m->cpuid_note, sizeof m->cpuid_note, "libcpuid could not identify the CPU: %s",
		         cpuid_error());
		return;
	}
	m->cpuid_ok = 1;
	snprintf(m->vendor, sizeof m->vendor, "%s", id.vendor_str);
	snprintf(m->brand, sizeof m->brand, "%s", id.brand_str);
	snprintf(m->codename, sizeof m->codename, "%s", id.cpu_codename);
	m->family = id.family;
	m->model = id.model;
	m->stepping = id.stepping;
	m->ext_family = id.ext_family;
	m->ext_model = id.ext_model;
	m->cpuid_cores = id.num_cores;
	m->cpuid_logical = id.num_logical_cpus;
	m->l1d_kb = id.l1_data_cache;
	m->l1i_kb = id.l1_instruction_cache;
	m->l2_kb = id.l2_cache;
	m->l3_kb = id.l3_cache;
	m->hypervisor = id.flags[CPU_FEATURE_HYPERVISOR] != 0;
	snprintf(m->hypervisor_vendor, sizeof m->hypervisor_vendor, "%s",
	         m->hypervisor ? hv_name(cpuid_get_hypervisor(&raw, &id)) : "none");
	if (!id.cpu_codename[0] || strstr(id.cpu_codename, "Unknown") || strstr(id.cpu_codename, "unknown"))
		snprintf(m->cpuid_note, sizeof m->cpuid_note,
		         "libcpuid %s does not know this CPU model (family %d, model %d): codename unknown",
		         cpuid_lib_version(), id.ext_family, id.ext_model);
}
