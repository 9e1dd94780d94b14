/* The test runner: `bench-tests [SUITE [TEST]]`. Every test runs in a forked child with a
 * timeout, so a crash or hang fails that test only. Ends with "N passed, N failed".
 * `bench-tests --check-suites` only checks that every TEST runs under ctest (see test.h);
 * every other invocation checks it first too, and refuses to run (exit 1) if one does not. */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tests/test.h"

/* The suites ctest runs, ",a,b,...,": one per tests/test_<suite>.c (tests/CMakeLists.txt). */
#ifndef BENCH_TEST_SUITES
#error "tests/CMakeLists.txt defines BENCH_TEST_SUITES, the suites that have a ctest entry"
#endif

#define MAX_TESTS 1024
static const struct test_case *tests[MAX_TESTS];
static unsigned ntests, nlost;
static char exe_dir[PATH_MAX];

void test_register(const struct test_case *tc)
{
	if (ntests < MAX_TESTS)
		tests[ntests++] = tc;
	else
		nlost++;
}

/* 0 if tc runs under ctest: it sits in tests/test_<suite>.c and <suite> has a ctest entry.
 * Otherwise 1, with one line saying why. */
static int check_suite(const struct test_case *tc)
{
	const char *base = strrchr(tc->file, '/') ? strrchr(tc->file, '/') + 1 : tc->file;
	char want[200], key[200];
	snprintf(want, sizeof want, "test_%s.c", tc->suite);
	if (strcmp(base, want)) {
		fprintf(stderr, "bench-tests: %s: TEST(%s, %s) is not in tests/%s: ctest never runs it\n", tc->file,
		        tc->suite, tc->name, want);
		return 1;
	}
	snprintf(key, sizeof key, ",%s,", tc->suite);
	if (!strstr(BENCH_TEST_SUITES, key)) {
		fprintf(stderr, "bench-tests: %s: TEST(%s, %s): suite %s has no ctest entry\n", tc->file,
		        tc->suite, tc->name, tc->suite);
		return 1;
	}
	return 0;
}

/* Number of tests ctest would never run (one line each on stderr). */
static unsigned check_suites(void)
{
	unsigned bad = 0;
	for (unsigned i = 0; i < ntests; i++)
		bad += (unsigned)check_suite(tests[i]);
	if (nlost)
		fprintf(stderr, "bench-tests: %u tests beyond MAX_TESTS (%d) were not registered\n", nlost,
		        MAX_TESTS);
	return bad + nlost;
}

const char *test_bench_exe(void)
{
	static char path[PATH_MAX + 16];
	const char *e = getenv("BENCH_EXE");
	if (e)
		return e;
	snprintf(path, sizeof path, "%s/../bench", exe_dir);
	return path;
}

int test_sh(char *buf, size_t len, const char *fmt, ...)
{
	char cmd[8192];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof cmd, fmt, ap);
	va_end(ap);
	char full[8300];
	snprintf(full, sizeof full, "(%s) 2>&1", cmd);
	FILE *p = popen(full, "r");
	if (!p)
		return -1;
	size_t n = 0;
	if (buf && len) {
		size_t k;
		while (n + 1 < len && (k = fread(buf + n, 1, len - 1 - n, p)) > 0)
			n += k;
		buf[n] = 0;
	}
	char sink[4096];
	while (fread(sink, 1, sizeof sink, p) > 0)
		;
	int st = pclose(p);
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	return WIFSIGNALED(st) ? 128 + WTERMSIG(st) : -1;
}

static int run_one(const struct test_case *tc)
{
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		setpgid(0, 0);
		alarm(tc->timeout_s);
		tc->fn();
		exit(0); /* not _exit: LeakSanitizer checks every passing test too */
	}
	int st;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	kill(-pid, SIGKILL); /* anything the test left behind */
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	if (WIFSIGNALED(st))
		fprintf(stderr, "    killed by signal %d (%s)%s\n", WTERMSIG(st), strsignal(WTERMSIG(st)),
		        WTERMSIG(st) == SIGALRM ? ": timed out" : "");
	return 1;
}

int main(int argc, char **argv)
{
	char self[PATH_MAX];
	ssize_t k = readlink("/proc/self/exe", self, sizeof self - 1);
	if (k > 0) {
		self[k] = 0;
		char *slash = strrchr(self, '/');
		if (slash)
			*slash = 0;
		snprintf(exe_dir, sizeof exe_dir, "%s", self);
	}
	const char *suite = argc > 1 ? argv[1] : NULL, *only = argc > 2 ? argv[2] : NULL;
	unsigned pass = 0, fail = 0, bad = check_suites();
	if (suite && !strcmp(suite, "--check-suites")) {
		printf("%u tests, %u that ctest never runs\n", ntests + nlost, bad);
		return bad ? 1 : 0;
	}
	if (bad) {
		fprintf(stderr, "bench-tests: refusing to run: %u tests are outside ctest (above)\n", bad);
		return 1;
	}
	for (unsigned i = 0; i < ntests; i++) {
		const struct test_case *tc = tests[i];
		if (suite && strcmp(suite, "all") && strcmp(suite, tc->suite))
			continue;
		if (only && strcmp(only, tc->name))
			continue;
		struct timespec a, b;
		clock_gettime(CLOCK_MONOTONIC, &a);
		int f = run_one(tc);
		clock_gettime(CLOCK_MONOTONIC, &b);
		double ms = (double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6;
		printf("%s %s.%s (%.0f ms)\n", f ? "FAIL" : "ok  ", tc->suite, tc->name, ms);
		fflush(stdout);
		pass += !f;
		fail += f;
	}
	if (pass + fail == 0) {
		fprintf(stderr, "no test matches '%s'\n", suite ? suite : "");
		return 2;
	}
	printf("%u passed, %u failed\n", pass, fail);
	return fail ? 1 : 0;
}
