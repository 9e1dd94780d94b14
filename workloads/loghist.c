/* loghist: bucket bounds, merging and quantiles of the log-bucketed histogram (loghist.h). */
#include "workloads/loghist.h"

#include <math.h>

void loghist_bucket(unsigned i, uint64_t *lo, uint64_t *width)
{
	if (i < LOGHIST_SUB) {
		*lo = i;
		*width = 1;
		return;
	}
	unsigned shift = i / LOGHIST_SUB - 1, sub = i % LOGHIST_SUB;
	*lo = (uint64_t)(LOGHIST_SUB + sub) << shift;
	*width = 1ull << shift;
}

void loghist_merge(struct loghist *dst, const struct loghist *src)
{
	for (unsigned i = 0; i < LOGHIST_BUCKETS; i++)
		dst->b[i] += src->b[i];
	dst->n += src->n;
	dst->sum += src->sum;
	if (src->max > dst->max)
		dst->max = src->max;
}

double loghist_quantile(const struct loghist *h, double q)
{
	if (!h->n)
		return 0;
	uint64_t total = 0;
	for (unsigned i = 0; i < LOGHIST_BUCKETS; i++)
		total += h->b[i];
	if (total != h->n)
		return NAN; /* a bucket wrapped (loghist.h) */
	if (q < 0)
		q = 0;
	if (q > 1)
		q = 1;
	uint64_t rank = (uint64_t)ceil(q * (double)h->n), seen = 0;
	if (rank < 1)
		rank = 1;
	if (rank >= h->n)
		return (double)h->max; /* the top rank is the maximum, known exactly */
	for (unsigned i = 0; i < LOGHIST_BUCKETS; i++) {
		seen += h->b[i];
		if (seen >= rank) {
			uint64_t lo, w;
			loghist_bucket(i, &lo, &w);
			double mid = (double)lo + (double)(w - 1) / 2;
			return mid > (double)h->max ? (double)h->max : mid;
		}
	}
	return (double)h->max;
}
