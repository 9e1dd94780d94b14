/* loghist: a log-bucketed histogram of durations in ns (HDR-style), for latency percentiles.
 *
 * Values below LOGHIST_SUB are counted exactly; above, every power of two is split into
 * LOGHIST_SUB linear sub-buckets, so a bucket is at most 1/LOGHIST_SUB of its value wide and
 * a percentile read back (the bucket's midpoint) is within 1/(2*LOGHIST_SUB) = 3.1 % of the
 * true value. Fixed size, no allocation: one per worker lives in shared memory, written by
 * its worker only (plain stores) and merged by verify after join. A bucket counts up to
 * 2^32 - 1 values (32 bits keep a worker's histogram at 2.4 kB): past that it wraps, which
 * loghist_quantile detects (the buckets no longer add up to n) and answers NaN, not a wrong
 * figure. The fastest queue here (~20 M items/s) needs minutes with every value in one
 * bucket to get there. */
#ifndef BENCH_LOGHIST_H
#define BENCH_LOGHIST_H

#include <stdint.h>

#define LOGHIST_SUB_BITS 4
#define LOGHIST_SUB (1u << LOGHIST_SUB_BITS)            /* linear sub-buckets per power of two */
#define LOGHIST_MAX_BITS 40                              /* values up to 2^40 ns (18 min); larger clamp */
#define LOGHIST_BUCKETS ((LOGHIST_MAX_BITS - LOGHIST_SUB_BITS + 1) * LOGHIST_SUB)

struct loghist {
	uint64_t n, sum, max;                            /* count, sum and maximum of the values */
	uint32_t b[LOGHIST_BUCKETS];
};

/* Index of the bucket holding v. */
static inline unsigned loghist_index(uint64_t v)
{
	if (v >= (1ull << LOGHIST_MAX_BITS))
		v = (1ull << LOGHIST_MAX_BITS) - 1;
	if (v < LOGHIST_SUB)
		return (unsigned)v;
	unsigned msb = 63u - (unsigned)__builtin_clzll(v);
	unsigned shift = msb - LOGHIST_SUB_BITS;
	return (shift + 1) * LOGHIST_SUB + (unsigned)(v >> shift) - LOGHIST_SUB;
}

static inline void loghist_add(struct loghist *h, uint64_t v)
{
	h->b[loghist_index(v)]++;
	h->n++;
	h->sum += v;
	if (v > h->max)
		h->max = v;
}

/* Smallest value of bucket i and its width. */
void loghist_bucket(unsigned i, uint64_t *lo, uint64_t *width);
/* dst += src. */
void loghist_merge(struct loghist *dst, const struct loghist *src);
/* The q-quantile (0 <= q <= 1, nearest rank) as the midpoint of its bucket, never above the
 * maximum (the top rank is the maximum itself); 0 for an empty histogram; NaN if a bucket
 * wrapped (more than 2^32 - 1 values in it). */
double loghist_quantile(const struct loghist *h, double q);

#endif
