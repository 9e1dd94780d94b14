/* spin: the unit of CPU work, shared by cpu-spin, any workload that needs CPU work, and the
 * bare baseline loop (bench baseline), so harness and bare loop run the very same code.
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

/* Default iterations per op: about 1 us on the reference machine (see BENCHMARKS.md). */
#define SPIN_DEFAULT_ITERS "600"

#endif
