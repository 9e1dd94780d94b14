/* Fuzz target: the gnuplot scripts bench plot and bench report write from a results file
 * (plot/figures.c, plot/gp.c). Whatever loads, every line of every script written must be of a
 * shape the writer means to emit, so gnuplot never runs anything the file put there:
 *   - a comment ("# ..."), not ending in a backslash (it would continue onto the next line);
 *   - set/unset of a setting the writer uses, plot, the compare figure's colour function, or
 *     a plot continuation ("  'x.dat' index ...", "  NaN with ...", "  1.5 with ...");
 *   - strings closed on their line; in "...", only the escapes \\ \" \n \ooo and no raw @;
 *     '...' are plain file names; set output's name is a plain file name;
 *   - no backtick, no raw control character, and no command word (system, load, call, ...)
 *     outside strings.
 * Data files (.dat) hold no raw control character. abort() on any violation. Built as a
 * libFuzzer target with -DBENCH_FUZZ=ON (clang), replayed (replay.c) in every build. */
#include "tests/fuzz/fuzz_util.h"

#include <ctype.h>

#include "plot/plot.h"

static int plain_name_char(int c)
{
	return isalnum(c) || c == '.' || c == '_' || c == '-';
}

/* The setting of a set/unset line (the word after it) is one the writer uses. */
static int known_setting(const char *w)
{
	static const char *const set[] = { "terminal", "output",  "datafile", "grid",   "border", "tics",
		                           "title",    "xlabel",  "ylabel",   "style",  "boxwidth", "key",
		                           "xrange",   "yrange",  "logscale", "offsets", "format",  "xtics",
		                           "multiplot", "arrow",  NULL };
	size_t n = strcspn(w, " ");
	for (const char *const *s = set; *s; s++)
		if (strlen(*s) == n && !strncmp(*s, w, n))
			return 1;
	return 0;
}

/* A word of gnuplot that runs, reads or writes something: never in a script outside strings. */
static int command_word(const char *w, size_t n)
{
	static const char *const bad[] = { "system", "load", "call", "eval", "shell", "exit", "quit", "cd",
		                           "pause", "print", "reread", "save", "import", "pipe", "history",
		                           "evaluate", "fit", "update", "test", "bind", "if", "do", "while", NULL };
	for (const char *const *b = bad; *b; b++)
		if (strlen(*b) == n && !strncmp(*b, w, n))
			return 1;
	return 0;
}

/* A double-quoted string at s (after its opening quote): its end (the closing quote), or
 * NULL with *why set. */
static const char *dq_string(const char *s, const char **why)
{
	for (; *s && *s != '"'; s++) {
		if (*s == '@') {
			*why = "a raw @ in a string (a macro)";
			return NULL;
		}
		if (*s != '\\')
			continue;
		if (s[1] == '\\' || s[1] == '"' || s[1] == 'n')
			s++;
		else if (s[1] >= '0' && s[1] <= '7' && s[2] >= '0' && s[2] <= '7' && s[3] >= '0' && s[3] <= '7')
			s += 3;
		else {
			*why = "an escape the writer does not make";
			return NULL;
		}
	}
	if (!*s)
		*why = "a string not closed on its line";
	return *s ? s : NULL;
}

/* What is wrong with one line of a script, or NULL. */
static const char *line_problem(const char *l)
{
	size_t n = strlen(l), k = 0;
	const char *why = NULL;
	char code[8192];
	if (fuzz_raw_control(l, n) || strchr(l, '\t'))
		return "a raw control character";
	if (strchr(l, '`'))
		return "a backtick (command substitution)";
	if (l[0] == '#')
		return n && l[n - 1] == '\\' ? "a comment continued onto the next line" : NULL;
	if (!strncmp(l, "set output \"", 12)) {
		const char *e = l + 12;
		while (plain_name_char(*e))
			e++;
		if (e == l + 12 || strcmp(e, "\""))
			return "set output to what is not a plain file name";
	}
	for (const char *p = l; *p && k + 1 < sizeof code;) {
		if (*p == '"') {
			const char *e = dq_string(p + 1, &why);
			if (!e)
				return why;
			p = e + 1;
			code[k++] = 'S';
		} else if (*p == '\'') {
			const char *e = p + 1;
			while (plain_name_char(*e))
				e++;
			if (*e != '\'')
				return "a single-quoted string that is not a plain file name";
			p = e + 1;
			code[k++] = 'F';
		} else {
			code[k++] = *p++;
		}
	}
	code[k] = 0;
	for (const char *p = code; *p;) { /* words outside strings */
		size_t w = 0;
		while (isalnum((unsigned char)p[w]) || p[w] == '_')
			w++;
		if (w && command_word(p, w))
			return "a command word outside strings";
		p += w ? w : 1;
	}
	if (strchr(code, '!') || strchr(code, '@') || strchr(code, '$') || strchr(code, ';'))
		return "a shell escape, macro, datablock or second command outside strings";
	if (!*code || !strncmp(code, "plot ", 5) || !strncmp(code, "col(d) = ", 9))
		return NULL;
	if (!strncmp(code, "set ", 4) || !strncmp(code, "unset ", 6))
		return known_setting(code + (code[0] == 's' ? 4 : 6)) ? NULL : "a setting the writer does not use";
	if (!strncmp(code, "  ", 2) && (code[2] == 'F' || !strncmp(code + 2, "NaN ", 4) || isdigit((unsigned char)code[2]) ||
	                                code[2] == '-'))
		return NULL;
	return "a line the writer does not emit";
}

static void check_file(const char *dir, const char *name, const char *ext)
{
	char path[256];
	size_t len;
	snprintf(path, sizeof path, "%s/%s.%s", dir, name, ext);
	char *text = fuzz_read(path, &len);
	if (!text)
		fuzz_fail("a written file cannot be read", path, NULL);
	if (strlen(text) != len || (!strcmp(ext, "dat") && fuzz_raw_control(text, len)))
		fuzz_fail("a raw control character", path, NULL);
	for (char *l = text; !strcmp(ext, "gp") && *l;) {
		char *e = strchr(l, '\n');
		if (e)
			*e = 0;
		const char *why = line_problem(l);
		if (why)
			fuzz_fail(why, path, l);
		l = e ? e + 1 : l + strlen(l);
	}
	free(text);
}

static void check_set(const char *dir, const struct plot_set *s)
{
	for (unsigned i = 0; i < s->n; i++) {
		const struct plot_fig *f = &s->fig[i];
		for (const char *c = f->name; *c; c++)
			if (!plain_name_char((unsigned char)*c) || f->name[0] == '.')
				fuzz_fail("a figure file name that is not a plain file name", dir, f->name);
		if (f->written) {
			check_file(dir, f->name, "gp");
			check_file(dir, f->name, "dat");
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct results_file *f;
	char err[600];
	if (fuzz_load(data, size, &f, err, sizeof err))
		return 0;
	static struct plot_set set;
	struct plot_opts o = { .dir = fuzz_tmpdir(), .format = size % 3 == 0 ? PLOT_SVG : size % 3 == 1 ? PLOT_PDF
	                                                                                              : PLOT_PNG };
	if (plot_write_all(f, &o, &set, err, sizeof err) == 0)
		check_set(o.dir, &set);
	if (plot_write_compare(f, f, &o, &set, err, sizeof err) == 0)
		check_set(o.dir, &set);
	results_file_free(f);
	return 0;
}
