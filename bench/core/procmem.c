/* procmem: the /proc memory accounting of a cell (see procmem.h). */
#include "bench/core/procmem.h"

#include <dirent.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The number after `key` in /proc/<pid>/<file> (a "Key:   123 kB" line), or -1. */
static long proc_field_kb(const char *pid, const char *file, const char *key)
{
	char path[64], line[256];
	long kb = -1;
	size_t kl = strlen(key);
	snprintf(path, sizeof path, "/proc/%s/%s", pid, file);
	FILE *f = fopen(path, "re");
	if (!f)
		return -1;
	while (kb < 0 && fgets(line, sizeof line, f))
		if (!strncmp(line, key, kl))
			kb = strtol(line + kl, NULL, 10);
	fclose(f);
	return kb;
}

/* kB of memory one process uses: its PSS (a shared page is split among the processes that map
 * it, so a sum over processes counts every page once; copy-on-write after fork is counted as
 * it happens), or its RSS where smaps_rollup is missing, plus its page tables (VmPTE: not in
 * PSS, and as large as the PSS of a small forked worker). -1 if it cannot be read (gone). */
static long proc_mem_kb(const char *pid)
{
	long kb = proc_field_kb(pid, "smaps_rollup", "Pss:");
	if (kb < 0)
		kb = proc_field_kb(pid, "status", "VmRSS:");
	if (kb < 0)
		return -1;
	long pte = proc_field_kb(pid, "status", "VmPTE:");
	return kb + (pte > 0 ? pte : 0);
}

/* 1 if /proc/<pid>/stat names process group pg. */
static int proc_in_group(const char *pid, pid_t pg)
{
	char path[64], buf[1024];
	snprintf(path, sizeof path, "/proc/%s/stat", pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	ssize_t k = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (k <= 0)
		return 0;
	buf[k] = 0;
	char *p = strrchr(buf, ')'), st;
	int ppid, pgrp;
	return p && sscanf(p + 1, " %c %d %d", &st, &ppid, &pgrp) == 3 && pgrp == pg;
}

/* Reads one small file per process on the machine plus one per member (about 0.1 ms each). */
double procmem_group_kb(void)
{
	pid_t pg = getpgrp();
	DIR *d = opendir("/proc");
	struct dirent *e;
	double sum = 0;
	if (!d)
		return NAN;
	while ((e = readdir(d))) {
		if (e->d_name[0] < '0' || e->d_name[0] > '9' || !proc_in_group(e->d_name, pg))
			continue;
		long kb = proc_mem_kb(e->d_name);
		if (kb > 0)
			sum += (double)kb;
	}
	closedir(d);
	return sum;
}

unsigned long long procmem_self_vm_bytes(void)
{
	unsigned long long pages = 0;
	FILE *f = fopen("/proc/self/statm", "re");
	if (f && fscanf(f, "%llu", &pages) != 1)
		pages = 0;
	if (f)
		fclose(f);
	return pages * (unsigned long long)sysconf(_SC_PAGESIZE);
}
