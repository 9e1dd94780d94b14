/* Fuzz target: the text bench export, bench compare and bench report write from a results
 * file. Whatever loads, every output has no raw control character (escape.h lets none
 * through), the JSON outputs parse, and every Markdown table keeps its columns: each row has
 * as many unescaped '|' as its header (a '|' or line break from the file cannot open a cell).
 * abort() on any violation. Built as a libFuzzer target with -DBENCH_FUZZ=ON (clang),
 * replayed (replay.c) in every build. */
#include "tests/fuzz/fuzz_util.h"

#include <jansson.h>

#include "bench/cli/cmd.h"
#include "bench/core/log.h"
#include "bench/stats/compare_print.h"
#include "plot/claims.h"
#include "plot/plot.h"

static unsigned pipes(const char *l, size_t n)
{
	unsigned k = 0;
	for (size_t i = 0; i < n; i++) {
		if (l[i] == '\\')
			i++; /* an escaped character, \| included */
		else
			k += l[i] == '|';
	}
	return k;
}

/* Raw control characters anywhere; with json, it must parse; with md, Markdown tables keep
 * their columns. */
static void check_text(const char *what, const char *s, size_t n, int json, int md)
{
	const char *c = fuzz_raw_control(s, n);
	if (c)
		fuzz_fail("a raw control character", what, c);
	if (strlen(s) != n)
		fuzz_fail("a NUL byte", what, NULL);
	json_error_t je;
	json_t *j = json ? json_loads(s, JSON_DECODE_ANY, &je) : NULL;
	if (json && !j)
		fuzz_fail("JSON that does not parse", what, je.text);
	json_decref(j);
	unsigned cols = 0;
	for (const char *l = s; md && *l;) {
		size_t len = strcspn(l, "\n");
		if (l[0] != '|')
			cols = 0;
		else if (!cols)
			cols = pipes(l, len);
		else if (pipes(l, len) != cols)
			fuzz_fail("a Markdown table row with a column too many or too few", what, l);
		l += len + (l[len] == '\n');
	}
}

static void check_path(const char *path, int json, int md)
{
	size_t n;
	char *s = fuzz_read(path, &n);
	if (!s)
		fuzz_fail("an output that cannot be read", path, NULL);
	check_text(path, s, n, json, md);
	free(s);
}

static void export_formats(const char *in, const char *dir)
{
	char out[128];
	snprintf(out, sizeof out, "%s/export.out", dir);
	for (int md = 0; md < 2; md++) {
		char *argv[] = { "export", (char *)in, "-o", out, "--format", md ? "markdown" : "github-action-benchmark",
			         NULL };
		if (cmd_export(6, argv) == EXIT_OK)
			check_path(out, !md, md);
	}
}

static void compare_formats(const struct results_file *f)
{
	struct compare_opts o;
	struct compare_result r;
	char err[600];
	compare_opts_default(&o);
	o.nboot = 50;
	if (compare_files(f, f, &o, &r, err, sizeof err))
		return;
	for (int fmt = COMPARE_TEXT; fmt <= COMPARE_JSON; fmt++) {
		char *buf = NULL;
		size_t len = 0;
		FILE *m = open_memstream(&buf, &len);
		if (!m)
			continue;
		compare_print(m, &r, (enum compare_format)fmt);
		fclose(m);
		check_text("bench compare", buf, len, fmt == COMPARE_JSON, fmt == COMPARE_MARKDOWN);
		free(buf);
	}
	compare_result_free(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct results_file *f;
	char err[600], path[4200], in[64];
	if (fuzz_load(data, size, &f, err, sizeof err))
		return 0;
	const char *dir = fuzz_tmpdir();
	static struct plot_set set;
	struct plot_opts o = { .dir = dir, .format = PLOT_PNG };
	if (plot_write_all(f, &o, &set, err, sizeof err) == 0 &&
	    report_write(f, &set, &o, "not drawn (fuzzing)", path, sizeof path, err, sizeof err) == 0)
		check_path(path, 0, 1);
	compare_formats(f);
	results_file_free(f);
	/* bench export reads the file itself */
	snprintf(in, sizeof in, "%s/input.json", dir);
	FILE *w = fopen(in, "wb");
	if (w && fwrite(data, 1, size, w) == size && fclose(w) == 0)
		export_formats(in, dir);
	else if (w)
		fclose(w);
	return 0;
}
