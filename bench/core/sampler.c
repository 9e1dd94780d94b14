/* sampler: reads /proc/stat (busy = user+nice+system+irq+softirq+steal, total = busy+idle+iowait). */
#include "bench/core/sampler.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/core/task.h"

int sampler_stat_read(struct sampler_stat *st)
{
	FILE *f = fopen("/proc/stat", "r");
	char line[512];
	unsigned n = 0;
	st->ncpus = 0;
	if (!f)
		return -errno;
	while (fgets(line, sizeof line, f) && n < SAMPLER_MAX_CPUS) {
		int cpu;
		unsigned long long u, ni, sy, id, io, irq, sirq, stl;
		if (strncmp(line, "cpu", 3) || line[3] < '0' || line[3] > '9')
			continue;
		if (sscanf(line, "cpu%d %llu %llu %llu %llu %llu %llu %llu %llu", &cpu, &u, &ni, &sy, &id, &io,
		           &irq, &sirq, &stl) != 9)
			continue;
		st->cpus[n] = cpu;
		st->busy[n] = u + ni + sy + irq + sirq + stl;
		st->steal[n] = stl;
		st->total[n] = st->busy[n] + id + io;
		n++;
	}
	fclose(f);
	st->ncpus = n;
	return 0;
}

static int snap(struct sampler *s, uint64_t *busy, uint64_t *total)
{
	struct sampler_stat st;
	int rc = sampler_stat_read(&st);
	if (rc)
		return rc;
	memcpy(s->cpus, st.cpus, st.ncpus * sizeof *st.cpus);
	memcpy(busy, st.busy, st.ncpus * sizeof *busy);
	memcpy(total, st.total, st.ncpus * sizeof *total);
	s->ncpus = st.ncpus;
	return 0;
}

int sampler_begin(struct sampler *s)
{
	memset(s, 0, sizeof *s);
	int rc = snap(s, s->busy0, s->total0);
	memcpy(s->busy, s->busy0, sizeof s->busy);
	memcpy(s->total, s->total0, sizeof s->total);
	s->last_ns = task_now_ns();
	return rc;
}

void sampler_tick(struct sampler *s)
{
	uint64_t busy[SAMPLER_MAX_CPUS], total[SAMPLER_MAX_CPUS];
	unsigned n = s->ncpus;
	if (!n || s->nsamples >= SAMPLER_MAX_SAMPLES || snap(s, busy, total) || s->ncpus != n)
		return;
	if (!s->timeline && !(s->timeline = calloc((size_t)SAMPLER_MAX_SAMPLES * n, sizeof(double))))
		return;
	double *row = s->timeline + (size_t)s->nsamples * n;
	for (unsigned i = 0; i < n; i++) {
		uint64_t dt = total[i] - s->total[i];
		row[i] = dt ? (double)(busy[i] - s->busy[i]) / (double)dt : 0;
		s->busy[i] = busy[i];
		s->total[i] = total[i];
	}
	s->nsamples++;
	s->last_ns = task_now_ns();
}

void sampler_mean(const struct sampler *s, double *mean)
{
	for (unsigned i = 0; i < s->ncpus; i++) {
		uint64_t dt = s->total[i] - s->total0[i];
		mean[i] = dt ? (double)(s->busy[i] - s->busy0[i]) / (double)dt : 0;
	}
}

void sampler_free(struct sampler *s)
{
	free(s->timeline);
	s->timeline = NULL;
}
