/* fuzz: the libFuzzer entry point every tests/fuzz/fuzz_<target>.c defines; replay.c calls
 * it over the corpus in every build, libFuzzer over generated inputs with -DBENCH_FUZZ=ON. */
#ifndef BENCH_TESTS_FUZZ_H
#define BENCH_TESTS_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
