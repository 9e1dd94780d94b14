/* fuzz_util: what the fuzz targets over results files share (header only, static inline):
 * loading the input as a results file, a scratch directory, reading a file back, and the
 * raw-control-character oracle of every text output. */
#ifndef BENCH_FUZZ_UTIL_H
#define BENCH_FUZZ_UTIL_H

#define _GNU_SOURCE
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bench/store/results_load.h"
#include "tests/fuzz/fuzz.h"

/* Load data as a results file (through a memfd, as a file on disk would be). 0, the loader's
 * -errno (err filled), or 1 when the memfd cannot be made (not the input's fault). */
static inline int fuzz_load(const uint8_t *data, size_t size, struct results_file **f, char *err, size_t errlen)
{
	int fd = memfd_create("results", MFD_CLOEXEC);
	char path[64];
	*f = NULL;
	err[0] = 0;
	if (fd < 0)
		return 1;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return 1;
	}
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	int rc = results_file_load(path, f, err, errlen);
	close(fd);
	return rc;
}

static char fuzz_dir[64];

static inline void fuzz_rmdir(void)
{
	DIR *d = opendir(fuzz_dir);
	struct dirent *e;
	while (d && (e = readdir(d))) {
		char p[128];
		if (e->d_name[0] == '.')
			continue;
		snprintf(p, sizeof p, "%s/%s", fuzz_dir, e->d_name);
		unlink(p);
	}
	if (d)
		closedir(d);
	rmdir(fuzz_dir);
}

/* A scratch directory for the outputs, made once (in memory when /dev/shm is there) and
 * removed at exit. */
static inline const char *fuzz_tmpdir(void)
{
	if (!fuzz_dir[0]) {
		snprintf(fuzz_dir, sizeof fuzz_dir, "/dev/shm/bench-fuzz-XXXXXX");
		if (!mkdtemp(fuzz_dir)) {
			snprintf(fuzz_dir, sizeof fuzz_dir, "/tmp/bench-fuzz-XXXXXX");
			if (!mkdtemp(fuzz_dir))
				abort();
		}
		atexit(fuzz_rmdir);
	}
	return fuzz_dir;
}

/* The whole file, NUL-terminated (malloc'd); NULL if it cannot be read. */
static inline char *fuzz_read(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t n = 0;
	FILE *m = f ? open_memstream(&buf, &n) : NULL;
	char chunk[4096];
	size_t k;
	while (m && (k = fread(chunk, 1, sizeof chunk, f)) > 0)
		fwrite(chunk, 1, k, m);
	if (m)
		fclose(m);
	if (f)
		fclose(f);
	*len = n;
	return buf;
}

/* The first raw control character of s[0..n): C0 but newline and tab, DEL, C1 as UTF-8 (what
 * escape.h never lets through to a text output); NULL when there is none. */
static inline const char *fuzz_raw_control(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f ||
		    (c == 0xc2 && i + 1 < n && (unsigned char)s[i + 1] >= 0x80 && (unsigned char)s[i + 1] <= 0x9f))
			return s + i;
	}
	return NULL;
}

/* abort() with what and where: a finding. */
static inline void fuzz_fail(const char *what, const char *where, const char *line)
{
	fprintf(stderr, "fuzz oracle: %s in %s: %.300s\n", what, where, line ? line : "");
	abort();
}

#endif
