/* gp: gnuplot scripts, data files, the grouped-bar panel, and running gnuplot (see gp.h). */
#define _GNU_SOURCE
#include "plot/gp.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/store/escape.h"

const char *plot_format_ext(enum plot_format f)
{
	return f == PLOT_SVG ? "svg" : f == PLOT_PDF ? "pdf" : "png";
}

int plot_parse_format(const char *s, enum plot_format *out)
{
	if (!strcmp(s, "png"))
		*out = PLOT_PNG;
	else if (!strcmp(s, "svg"))
		*out = PLOT_SVG;
	else if (!strcmp(s, "pdf"))
		*out = PLOT_PDF;
	else
		return -EINVAL;
	return 0;
}

int plot_mkdirs(const char *dir)
{
	char p[PATH_MAX];
	struct stat st;
	if (snprintf(p, sizeof p, "%s", dir) >= (int)sizeof p)
		return -ENAMETOOLONG;
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = 0;
		if (mkdir(p, 0755) && errno != EEXIST)
			return -errno;
		*s = '/';
	}
	if (mkdir(p, 0755) && errno != EEXIST)
		return -errno;
	if (stat(p, &st))
		return -errno;
	return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
}

void plot_default_dir(const char *results, const char *suffix, char *buf, size_t len)
{
	char real[PATH_MAX], d[PATH_MAX], b[PATH_MAX];
	const char *src = realpath(results, real) ? real : results;
	snprintf(d, sizeof d, "%s", src);
	snprintf(b, sizeof b, "%s", src);
	char *dir = dirname(d), *base = basename(b);
	size_t n = strlen(base);
	if (n > 5 && !strcmp(base + n - 5, ".json"))
		base[n - 5] = 0;
	/* Relative to the current directory when the file is below it, for short messages. */
	char cwd[PATH_MAX];
	if (src == real && getcwd(cwd, sizeof cwd)) {
		size_t k = strlen(cwd);
		if (!strncmp(dir, cwd, k) && (dir[k] == '/' || !dir[k])) {
			dir += k;
			dir += *dir == '/';
			if (!*dir)
				dir = ".";
		}
	}
	snprintf(buf, len, "%s/%s%s", dir, base, suffix);
}

void plot_print(const struct plot_set *s, const char *dir, const char *ext, FILE *out)
{
	for (unsigned i = 0; i < s->n; i++) {
		const struct plot_fig *f = &s->fig[i];
		if (f->written) {
			fputs("  ", out);
			esc_fputs(out, ESC_TERM, dir);
			if (f->drawn)
				fprintf(out, "/%s.%s\n", f->name, ext);
			else
				fprintf(out, "/%s.gp (script only, not drawn)\n", f->name);
		} else {
			fprintf(out, "  skipped %s: ", f->name);
			esc_fputs(out, ESC_TERM, f->skipped);
			fputc('\n', out);
		}
	}
}

/* ---- scripts and data ---- */

const char *gp_color(unsigned i)
{
	static const char *pal[] = { "#4c72b0", "#dd8452", "#55a868", "#c44e52", "#8172b3", "#937860",
		                     "#da8bc3", "#8c8c8c", "#ccb974", "#64b5cd" };
	return pal[i % (sizeof pal / sizeof pal[0])];
}

/* s as a gnuplot string (esc_gp), wrapped at spaces into lines of about width characters
 * ("\n" escapes). Returns the number of lines; with f NULL only counts them. */
static size_t gp_quote_wrapped(FILE *f, const char *s, size_t width)
{
	char buf[1024];
	size_t col = 0, lines = 1, off = 0;
	while (*s && off + 2 < sizeof buf) {
		size_t w = strcspn(s, " ");
		if (col && col + 1 + w > width) {
			buf[off++] = '\n';
			col = 0;
			lines++;
		} else if (col) {
			buf[off++] = ' ';
			col++;
		}
		if (w > sizeof buf - 1 - off)
			w = sizeof buf - 1 - off;
		memcpy(buf + off, s, w);
		off += w;
		col += w;
		s += w;
		s += strspn(s, " ");
	}
	buf[off] = 0;
	if (f)
		esc_fputs(f, ESC_GP, buf);
	return lines;
}

void gp_num(FILE *f, double v)
{
	if (isfinite(v))
		fprintf(f, "%.9g", v);
	else
		fputs("NaN", f);
}

static struct plot_fig *add_fig(struct plot_set *set, const char *name, const char *title)
{
	if (set->n >= PLOT_MAX_FIGS)
		return NULL;
	struct plot_fig *f = &set->fig[set->n++];
	memset(f, 0, sizeof *f);
	esc_filename(f->name, sizeof f->name, name); /* the figure's file stem */
	snprintf(f->title, sizeof f->title, "%s", title);
	return f;
}

void gp_skip(struct plot_set *set, const char *name, const char *title, const char *fmt, ...)
{
	struct plot_fig *f = add_fig(set, name, title);
	if (!f)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(f->skipped, sizeof f->skipped, fmt, ap);
	va_end(ap);
}

void gp_caption(struct gpfig *g, const char *fmt, ...)
{
	size_t off = strlen(g->fig->caption);
	va_list ap;
	va_start(ap, fmt);
	if (off < sizeof g->fig->caption)
		vsnprintf(g->fig->caption + off, sizeof g->fig->caption - off, fmt, ap);
	va_end(ap);
}

int gp_begin(struct gpfig *g, const struct plot_opts *o, struct plot_set *set, const char *name,
             const char *title, int w, int h, const char *source)
{
	char path[PATH_MAX];
	memset(g, 0, sizeof *g);
	g->o = o;
	g->fig = add_fig(set, name, title);
	if (!g->fig)
		return -E2BIG;
	name = g->fig->name;
	snprintf(g->dat_name, sizeof g->dat_name, "%s.dat", name);
	snprintf(path, sizeof path, "%s/%s.gp", o->dir, name);
	g->gp = fopen(path, "w");
	snprintf(path, sizeof path, "%s/%s", o->dir, g->dat_name);
	g->dat = g->gp ? fopen(path, "w") : NULL;
	if (!g->gp || !g->dat) {
		int e = errno;
		if (g->gp)
			fclose(g->gp);
		snprintf(g->fig->skipped, sizeof g->fig->skipped, "cannot write %s: %s", path, strerror(e));
		g->gp = g->dat = NULL;
		return -e;
	}
	FILE *f = g->gp;
	char t[400], src[400];
	esc_gp_comment(t, sizeof t, title);
	esc_gp_comment(src, sizeof src, source);
	fprintf(f, "# %s\n# Written by bench plot from %s.\n", t, src);
	fprintf(f, "# Data: %s (columns described in its header). Redraw: gnuplot %s.gp\n", g->dat_name, name);
	switch (o->format) {
	case PLOT_SVG:
		fprintf(f, "set terminal svg size %d,%d dynamic font \"sans,10\" noenhanced background rgb \"white\"\n",
		        w, h);
		break;
	case PLOT_PDF:
		fprintf(f, "set terminal pdfcairo size %.2fin,%.2fin font \"sans,8\" noenhanced\n", w / 100.0, h / 100.0);
		break;
	default:
		fprintf(f, "set terminal pngcairo size %d,%d font \"sans,10\" noenhanced\n", w, h);
	}
	fprintf(f, "set output \"%s.%s\"\n", name, plot_format_ext(o->format)); /* name: esc_filename */
	fprintf(f, "set datafile missing \"NaN\"\nset grid ytics lc rgb \"#dddddd\"\nset border 3\nset tics nomirror\n");
	fprintf(g->dat, "# %s\n# Written by bench plot from %s.\n", t, src);
	return 0;
}

int gp_end(struct gpfig *g)
{
	int rc = 0;
	if (g->gp) {
		fprintf(g->gp, "unset output\n");
		rc |= ferror(g->gp) | fclose(g->gp);
	}
	if (g->dat)
		rc |= ferror(g->dat) | fclose(g->dat);
	g->gp = g->dat = NULL;
	if (rc) {
		snprintf(g->fig->skipped, sizeof g->fig->skipped, "cannot write %s: I/O error", g->dat_name);
		return -EIO;
	}
	g->fig->written = 1;
	return 0;
}

unsigned gp_block(struct gpfig *g, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (g->blocks)
		fputs("\n\n", g->dat);
	fprintf(g->dat, "# [index %u] ", g->blocks);
	esc_fputs(g->dat, ESC_GP_COMMENT, buf); /* one comment line */
	fputc('\n', g->dat);
	return g->blocks++;
}

/* ---- grouped bars ---- */

struct gp_bars *gp_bars_new(void)
{
	struct gp_bars *b = calloc(1, sizeof *b);
	if (!b)
		return NULL;
	for (unsigned i = 0; i < GP_MAXCAT; i++)
		for (unsigned j = 0; j < GP_MAXSER; j++)
			b->v[i][j] = b->lo[i][j] = b->hi[i][j] = NAN;
	b->ref = NAN;
	return b;
}

int gp_bars_cat(struct gp_bars *b, const char *name)
{
	for (unsigned i = 0; i < b->ncat; i++)
		if (!strcmp(b->cat[i], name))
			return (int)i;
	if (b->ncat >= GP_MAXCAT)
		return -1;
	snprintf(b->cat[b->ncat], sizeof b->cat[0], "%s", name);
	return (int)b->ncat++;
}

int gp_bars_ser(struct gp_bars *b, const char *name, const char *color)
{
	for (unsigned i = 0; i < b->nser; i++)
		if (!strcmp(b->ser[i], name))
			return (int)i;
	if (b->nser >= GP_MAXSER)
		return -1;
	snprintf(b->ser[b->nser], sizeof b->ser[0], "%s", name);
	b->color[b->nser] = color;
	return (int)b->nser++;
}

/* The data: a block per series, a row per category (x, category, value, low, high). Returns
 * the highest value or high end drawn (0 if none). */
static double bars_data(struct gpfig *g, const struct gp_bars *b, double width)
{
	double top = 0;
	for (unsigned j = 0; j < b->nser; j++) {
		gp_block(g, "%s: series \"%s\"; columns: x category value low high", b->title, b->ser[j]);
		for (unsigned i = 0; i < b->ncat; i++) {
			double x = i + (j - (b->nser - 1) / 2.0) * width;
			fprintf(g->dat, "%.4f ", x);
			esc_fputs(g->dat, ESC_GP, b->cat[i]);
			fputc(' ', g->dat);
			gp_num(g->dat, b->v[i][j]);
			fputc(' ', g->dat);
			gp_num(g->dat, b->lo[i][j]);
			fputc(' ', g->dat);
			gp_num(g->dat, b->hi[i][j]);
			fputc('\n', g->dat);
			if (isfinite(b->hi[i][j]) && b->hi[i][j] > top)
				top = b->hi[i][j];
			if (isfinite(b->v[i][j]) && b->v[i][j] > top)
				top = b->v[i][j];
		}
	}
	return top;
}

/* The y axis: log from below the smallest positive value, or linear from 0 with room above
 * the highest bar (and the reference line). */
static void bars_yaxis(FILE *f, const struct gp_bars *b, double top)
{
	if (b->logy) {
		double bottom = INFINITY;
		for (unsigned i = 0; i < b->ncat; i++)
			for (unsigned j = 0; j < b->nser; j++) {
				if (isfinite(b->v[i][j]) && b->v[i][j] > 0 && b->v[i][j] < bottom)
					bottom = b->v[i][j];
				if (isfinite(b->lo[i][j]) && b->lo[i][j] > 0 && b->lo[i][j] < bottom)
					bottom = b->lo[i][j];
			}
		fprintf(f, "set logscale y\nset offsets 0,0,0,0\nset format y \"%s\"\n", top >= 1e4 ? "%.0s%c" : "%g");
		if (isfinite(bottom) && top > 0)
			fprintf(f, "set yrange [%.6g:%.6g]\n", bottom / 2.5, top * 2.5);
		else
			fprintf(f, "set yrange [*:*]\n");
		return;
	}
	double ymax = top;
	if (isfinite(b->ref) && b->ref > ymax)
		ymax = b->ref;
	fprintf(f, "unset logscale y\nset format y \"%s\"\nset offsets 0,0,0,0\n", ymax >= 1e4 ? "%.1s%c" : "%g");
	if (ymax > 0)
		fprintf(f, "set yrange [0:%.6g]\n", ymax * 1.18);
	else
		fprintf(f, "set yrange [0:*]\n");
}

/* Title, labels, style, and the categories as x tics: their names wrap onto several lines when
 * they would not fit side by side, and the x label moves down by the extra lines. */
static void bars_axes(FILE *f, const struct gp_bars *b, double width, double top)
{
	fprintf(f, "\nset title ");
	esc_fputs(f, ESC_GP, b->title);
	size_t wrap = b->ncat ? 80 / b->ncat : 80, lines = 1;
	if (wrap < 8)
		wrap = 8;
	for (unsigned i = 0; i < b->ncat; i++) {
		size_t l = gp_quote_wrapped(NULL, b->cat[i], wrap);
		lines = l > lines ? l : lines;
	}
	fprintf(f, "\nset xlabel offset 0,%d ", -(int)(lines - 1));
	esc_fputs(f, ESC_GP, b->xlabel ? b->xlabel : "");
	fprintf(f, "\nset ylabel ");
	esc_fputs(f, ESC_GP, b->ylabel ? b->ylabel : "");
	fprintf(f, "\nset style fill solid 0.85 border rgb \"#333333\"\nset boxwidth %.4f absolute\n", width * 0.95);
	fprintf(f, "set key outside right top vertical Left reverse noautotitle\n");
	fprintf(f, "set xrange [-0.6:%.1f]\n", b->ncat - 0.4);
	bars_yaxis(f, b, top);
	fprintf(f, "set xtics norotate center (");
	for (unsigned i = 0; i < b->ncat; i++) {
		fprintf(f, "%s", i ? ", " : "");
		gp_quote_wrapped(f, b->cat[i], wrap);
		fprintf(f, " %u", i);
	}
	fprintf(f, ")\n");
}

void gp_bars_write(struct gpfig *g, const struct gp_bars *b)
{
	FILE *f = g->gp;
	double width = 0.8 / (b->nser ? b->nser : 1);
	unsigned first = g->blocks;
	bars_axes(f, b, width, bars_data(g, b, width));
	fprintf(f, "plot");
	for (unsigned j = 0; j < b->nser; j++) {
		const char *col = b->color[j] ? b->color[j] : gp_color(j);
		fprintf(f, "%s \\\n  '%s' index %u using 1:3:(%.4f) with boxes lc rgb \"%s\" title ", j ? "," : "",
		        g->dat_name, first + j, width * 0.95, col);
		esc_fputs(f, ESC_GP, b->ser[j]);
		fprintf(f, ", \\\n  '' index %u using 1:4:(0):(column(5) - column(4)) with vectors heads size screen "
		           "0.006,90 lc rgb \"#222222\" lw 1 notitle",
		        first + j);
		if (b->value_fmt)
			fprintf(f, ", \\\n  '' index %u using 1:(column(5) > column(3) ? column(5) : column(3)):"
			           "(sprintf(\"%s\", column(3))) with labels offset 0,0.7 font \",8\" notitle",
			        first + j, b->value_fmt);
	}
	if (isfinite(b->ref)) {
		fprintf(f, ", \\\n  %.6g with lines dt 2 lw 2 lc rgb \"#444444\" title ", b->ref);
		esc_fputs(f, ESC_GP, b->ref_label);
	}
	fprintf(f, "\n");
}

/* ---- running gnuplot ---- */

/* Runs `gnuplot NAME.gp` in dir. 0 ok, -ENOENT not installed, -EIO failed (msg filled). */
static int run_gnuplot(const char *dir, const char *script, char *msg, size_t len)
{
	int ep[2];
	FILE *log = tmpfile();
	if (!log || pipe2(ep, O_CLOEXEC)) {
		if (log)
			fclose(log);
		snprintf(msg, len, "cannot start gnuplot: %s", strerror(errno));
		return -EIO;
	}
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		int e = errno;
		close(ep[0]);
		close(ep[1]);
		fclose(log);
		snprintf(msg, len, "cannot start gnuplot: %s", strerror(e));
		return -EIO;
	}
	if (pid == 0) {
		int devnull = open("/dev/null", O_RDWR);
		close(ep[0]);
		if (devnull >= 0) {
			dup2(devnull, 0);
			dup2(devnull, 1);
		}
		dup2(fileno(log), 2);
		int e = 0;
		if (chdir(dir) == 0) {
			char *argv[] = { PLOT_GNUPLOT, (char *)script, NULL };
			execvp(argv[0], argv);
		}
		e = errno;
		if (write(ep[1], &e, sizeof e) < 0)
			_exit(127);
		_exit(127);
	}
	close(ep[1]);
	int e = 0, status = 0;
	ssize_t got = read(ep[0], &e, sizeof e);
	close(ep[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (got == (ssize_t)sizeof e) {
		fclose(log);
		if (e == ENOENT)
			return -ENOENT;
		snprintf(msg, len, "cannot run gnuplot in %s: %s", dir, strerror(e));
		return -EIO;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		fclose(log);
		return 0;
	}
	char first[300] = "";
	rewind(log);
	while (fgets(first, sizeof first, log)) /* gnuplot's last line names the error */
		if (strspn(first, " \t\n^") != strlen(first) && strstr(first, "line"))
			break;
	first[strcspn(first, "\n")] = 0;
	fclose(log);
	snprintf(msg, len, "gnuplot failed on %s/%s (%s %d): %s", dir, script,
	         WIFEXITED(status) ? "exit" : "signal", WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status),
	         first);
	return -EIO;
}

int plot_render(const struct plot_opts *o, struct plot_set *s, char *err, size_t errlen)
{
	int rc = 0;
	err[0] = 0;
	for (unsigned i = 0; i < s->n; i++) {
		struct plot_fig *f = &s->fig[i];
		if (!f->written)
			continue;
		char script[96], msg[600];
		snprintf(script, sizeof script, "%s.gp", f->name);
		int r = run_gnuplot(o->dir, script, msg, sizeof msg);
		if (r == -ENOENT)
			return -ENOENT;
		if (r) {
			if (!rc)
				snprintf(err, errlen, "%s", msg);
			rc = -EIO;
			continue;
		}
		f->drawn = 1;
	}
	return rc;
}
