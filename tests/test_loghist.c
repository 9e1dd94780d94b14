/* The log-bucketed histogram behind the latency percentiles: bucket bounds, the relative
 * error bound, quantiles of known data, merging, a bucket that wrapped. */
#include <stdint.h>

#include "tests/test.h"
#include "workloads/loghist.h"

TEST(loghist, small_values_are_exact)
{
	static struct loghist h;
	for (uint64_t v = 0; v < LOGHIST_SUB; v++) {
		uint64_t lo, w;
		loghist_bucket(loghist_index(v), &lo, &w);
		CHECK_EQ_INT(lo, v);
		CHECK_EQ_INT(w, 1);
		loghist_add(&h, v);
	}
	CHECK_NEAR(loghist_quantile(&h, 0), 0, 0);
	CHECK_NEAR(loghist_quantile(&h, 1), LOGHIST_SUB - 1, 0);
	CHECK_NEAR(loghist_quantile(&h, 0.5), LOGHIST_SUB / 2 - 1, 0); /* nearest rank 8 of 16 */
}

TEST(loghist, buckets_tile_the_range_within_the_error_bound)
{
	/* Consecutive buckets are adjacent, each value lies in its bucket, and a bucket is never
	 * wider than 1/LOGHIST_SUB of its smallest value. */
	uint64_t prev_end = 0;
	for (unsigned i = 0; i < LOGHIST_BUCKETS; i++) {
		uint64_t lo, w;
		loghist_bucket(i, &lo, &w);
		CHECK_EQ_INT(lo, prev_end);
		if (lo >= LOGHIST_SUB)
			CHECK(w * LOGHIST_SUB <= lo);
		CHECK_EQ_INT(loghist_index(lo), i);
		CHECK_EQ_INT(loghist_index(lo + w - 1), i);
		prev_end = lo + w;
	}
	CHECK_EQ_INT(prev_end, 1ull << LOGHIST_MAX_BITS);
	/* values beyond the range clamp into the last bucket */
	CHECK_EQ_INT(loghist_index(UINT64_MAX), LOGHIST_BUCKETS - 1);
	CHECK_EQ_INT(loghist_index(1ull << LOGHIST_MAX_BITS), LOGHIST_BUCKETS - 1);
}

TEST(loghist, quantiles_of_known_data)
{
	static struct loghist h;
	/* 1..1000 us in ns: the q-quantile is q*1000 us, read back within 1/(2*SUB) */
	for (uint64_t us = 1; us <= 1000; us++)
		loghist_add(&h, us * 1000);
	CHECK_EQ_INT(h.n, 1000);
	CHECK_EQ_INT(h.max, 1000000);
	CHECK_EQ_INT(h.sum, 500500000);
	double tol = 1.0 / (2 * LOGHIST_SUB);
	CHECK_NEAR(loghist_quantile(&h, 0.50) / 500e3, 1, tol);
	CHECK_NEAR(loghist_quantile(&h, 0.90) / 900e3, 1, tol);
	CHECK_NEAR(loghist_quantile(&h, 0.99) / 990e3, 1, tol);
	CHECK_NEAR(loghist_quantile(&h, 0.999) / 999e3, 1, tol);
	CHECK(loghist_quantile(&h, 1) <= 1000000);
	/* monotone in q */
	double last = 0;
	for (double q = 0; q <= 1.0; q += 0.01) {
		double v = loghist_quantile(&h, q);
		CHECK(v >= last);
		last = v;
	}
	/* a single outlier shows up only at the top */
	loghist_add(&h, 50000000);
	CHECK(loghist_quantile(&h, 0.99) < 1.1e6);
	CHECK_NEAR(loghist_quantile(&h, 1), 50000000, 0);
	static struct loghist empty;
	CHECK_NEAR(loghist_quantile(&empty, 0.5), 0, 0);
}

TEST(loghist, merge_equals_adding_everything_to_one)
{
	static struct loghist a, b, all;
	for (uint64_t v = 1; v < 200000; v = v * 3 + 7) {
		loghist_add(v % 2 ? &a : &b, v);
		loghist_add(&all, v);
	}
	loghist_merge(&a, &b);
	CHECK(memcmp(&a, &all, sizeof a) == 0);
}

TEST(loghist, a_wrapped_bucket_gives_nan_not_a_wrong_quantile)
{
	/* 2^32 - 1 values of 5 fill bucket 5; one more wraps it to 0 (32-bit counts). The
	 * quantiles must then say "unknown", not walk on to a later bucket or the maximum. */
	static struct loghist h, one;
	h.b[loghist_index(5)] = UINT32_MAX;
	h.n = UINT32_MAX;
	h.sum = 5ull * UINT32_MAX;
	h.max = 5;
	CHECK_NEAR(loghist_quantile(&h, 0.5), 5, 0);
	loghist_add(&h, 1000);
	CHECK_NEAR(loghist_quantile(&h, 0.5), 5, 0); /* still exact: 1000 has its own bucket */
	loghist_add(&h, 5);
	CHECK(isnan(loghist_quantile(&h, 0.5)));
	CHECK(isnan(loghist_quantile(&h, 0.99)));
	/* the same through a merge (verify merges every worker's histogram into one) */
	memset(&h, 0, sizeof h);
	h.b[loghist_index(5)] = UINT32_MAX;
	h.n = UINT32_MAX;
	h.max = 5;
	loghist_add(&one, 5);
	loghist_merge(&h, &one);
	CHECK(isnan(loghist_quantile(&h, 0.5)));
}
