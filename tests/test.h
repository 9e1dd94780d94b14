/* test: a small table-driven test runner (libuv test/runner style). Each TEST registers
 * itself at start-up; `bench-tests SUITE` runs every test of tests/test_SUITE.c, each in a
 * forked child with a timeout, and ends with the line "N passed, N failed".
 *
 *   TEST(stats, median_of_odd_count) { double x[] = {3, 1, 2}; ... CHECK(s.median == 2); }
 *
 * ctest runs one `bench-tests SUITE` per tests/test_SUITE.c file, so a TEST's suite must be
 * its file's: the runner refuses to run anything while a TEST(other, ...) sits in a file
 * (it would never run under ctest); `bench-tests --check-suites` (ctest: test-suites) lists
 * every such test.
 *
 * CHECK/CHECK_EQ* abort the test (the child) with file:line and the values on failure. */
#ifndef BENCH_TEST_H
#define BENCH_TEST_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct test_case {
	const char *suite, *name;
	const char *file;            /* __FILE__ of the TEST: its suite must be the file's stem */
	void (*fn)(void);
	unsigned timeout_s;
};

void test_register(const struct test_case *tc);
/* Path of the bench executable under test (for CLI tests), from BENCH_EXE or next to us. */
const char *test_bench_exe(void);
/* Run a shell command, capture stdout+stderr into buf; returns the exit status (or 128+sig). */
int test_sh(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#define TEST_T(suite, name, timeout)                                                            \
	static void test_##suite##_##name(void);                                                \
	__attribute__((constructor)) static void test_reg_##suite##_##name(void)                \
	{                                                                                       \
		static const struct test_case tc = { #suite, #name, __FILE__, test_##suite##_##name, timeout }; \
		test_register(&tc);                                                             \
	}                                                                                       \
	static void test_##suite##_##name(void)
#define TEST(suite, name) TEST_T(suite, name, 60)

#define TEST_FAIL(...)                                                                   \
	do {                                                                             \
		fprintf(stderr, "    %s:%d: ", __FILE__, __LINE__);                          \
		fprintf(stderr, __VA_ARGS__);                                            \
		fputc('\n', stderr);                                                     \
		exit(1);                                                                 \
	} while (0)
#define CHECK(c)                                                                         \
	do {                                                                             \
		if (!(c))                                                                \
			TEST_FAIL("CHECK(%s) failed", #c);                              \
	} while (0)
#define CHECK_EQ_INT(a, b)                                                               \
	do {                                                                             \
		long long _a = (long long)(a), _b = (long long)(b);                      \
		if (_a != _b)                                                            \
			TEST_FAIL("%s == %s failed: %lld != %lld", #a, #b, _a, _b);      \
	} while (0)
#define CHECK_NEAR(a, b, tol)                                                            \
	do {                                                                             \
		double _a = (double)(a), _b = (double)(b);                               \
		if (!(fabs(_a - _b) <= (tol)))                                           \
			TEST_FAIL("%s ~= %s failed: %.10g vs %.10g (tol %g)", #a, #b, _a, _b, (double)(tol)); \
	} while (0)
#define CHECK_STR(a, b)                                                                  \
	do {                                                                             \
		const char *_a = (a), *_b = (b);                                         \
		if (!_a || !_b || strcmp(_a, _b))                                        \
			TEST_FAIL("%s == %s failed: '%s' != '%s'", #a, #b, _a ? _a : "(null)", _b ? _b : "(null)"); \
	} while (0)
#define CHECK_CONTAINS(hay, needle)                                                      \
	do {                                                                             \
		const char *_h = (hay), *_n = (needle);                                  \
		if (!_h || !strstr(_h, _n))                                              \
			TEST_FAIL("'%s' not found in: %s", _n, _h ? _h : "(null)");     \
	} while (0)

#endif
