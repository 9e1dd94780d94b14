/* procmem: how much memory a cell uses, read from /proc. The runner calls it in the cell
 * process, only while no worker runs (before spawn, at the gate, after stop): a scan reads one
 * small file per process on the machine. */
#ifndef BENCH_PROCMEM_H
#define BENCH_PROCMEM_H

/* Memory of the calling process's group in kB: the sum over its member processes of each
 * one's PSS (RSS where smaps_rollup is missing) plus its page tables. The cell process leads
 * its group and process workers inherit it; thread workers are part of the cell process.
 * NAN if /proc cannot be read. */
double procmem_group_kb(void);
/* The address space the calling process has mapped (VmSize, the first field of
 * /proc/self/statm, times the page size), in bytes: what RLIMIT_AS is measured against. 0 if
 * it cannot be read. */
unsigned long long procmem_self_vm_bytes(void);

#endif
