/* sampler: per-core utilization from /proc/stat, sampled by the cell process during a run. */
#ifndef BENCH_SAMPLER_H
#define BENCH_SAMPLER_H

#include <stdint.h>

#define SAMPLER_MAX_CPUS 256
#define SAMPLER_MAX_SAMPLES 600

/* One reading of /proc/stat, per CPU, in USER_HZ ticks. busy: user+nice+system+irq+softirq+steal;
 * total: busy+idle+iowait. */
struct sampler_stat {
	unsigned ncpus;
	int cpus[SAMPLER_MAX_CPUS];
	uint64_t busy[SAMPLER_MAX_CPUS], steal[SAMPLER_MAX_CPUS], total[SAMPLER_MAX_CPUS];
};

/* Read /proc/stat into st. 0 or -errno (st->ncpus 0). */
int sampler_stat_read(struct sampler_stat *st);

struct sampler {
	unsigned ncpus;
	int cpus[SAMPLER_MAX_CPUS];
	uint64_t busy[SAMPLER_MAX_CPUS], total[SAMPLER_MAX_CPUS];     /* last snapshot */
	uint64_t busy0[SAMPLER_MAX_CPUS], total0[SAMPLER_MAX_CPUS];   /* first snapshot */
	unsigned nsamples;
	double *timeline;               /* nsamples x ncpus, utilization 0..1 per interval */
	uint64_t last_ns;
};

/* Take the first snapshot. 0 or -errno (then the timeline stays empty). */
int sampler_begin(struct sampler *s);
/* Take a snapshot and append one timeline row (utilization since the previous snapshot). */
void sampler_tick(struct sampler *s);
/* Mean utilization per CPU between begin and the last tick into mean[ncpus]. */
void sampler_mean(const struct sampler *s, double *mean);
void sampler_free(struct sampler *s);

#endif
