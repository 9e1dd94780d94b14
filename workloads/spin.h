/* spin: the unit of CPU work, shared by cpu-spin, any workload that needs CPU work, and the
 * bare loop (bench bare), so harness and bare loop run the very same code.
 * A dependent chain of multiply/xor-shift steps (a 64-bit mixer): the compiler cannot skip
 * or vectorise it because every step needs the previous result and the result is used. */
#ifndef BENCH_SPIN_H
#define BENCH_SPIN_H

#include <stdint.h>

static inline uint64_t spin_unit(uint64_t x, unsigned iters)
{
	for (unsigned i = 0; i < iters; i++) {
		x ^= x >> 31;
		x *= 0x9e3779b97f4a7c15ull;
		x += i;
	}
	return x;
}

static inline uint64_t spin_seed(unsigned worker)
{
	return 0x243f6a8885a308d3ull ^ ((uint64_t)worker * 0x13198a2e03707344ull) ^ 1;
}

/* Iterations of spin_unit per microsecond of CPU work on the reference machine (see
 * BENCHMARKS.md, cpu-spin): the one place that converts a time into an amount of work. */
#define SPIN_ITERS_PER_US 600
#define SPIN_STR_(x) #x
#define SPIN_STR(x) SPIN_STR_(x)
/* Default iterations per op of cpu-spin: about 1 us. */
#define SPIN_DEFAULT_ITERS SPIN_STR(SPIN_ITERS_PER_US)

#endif
