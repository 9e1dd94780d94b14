/* fmt: an SI prefix and a JSON number (see fmt.h). */
#include "bench/stats/fmt.h"

#include <math.h>
#include <string.h>

void fmt_si(double v, enum fmt_si_style style, char *buf, size_t len)
{
	double a = fabs(v), scale = 1;
	const char *prefix = "";
	if (!isfinite(v)) {
		snprintf(buf, len, "-");
		return;
	}
	if (a >= 1e9)
		scale = 1e9, prefix = "G";
	else if (a >= 1e6)
		scale = 1e6, prefix = "M";
	else if (a >= (style == FMT_SI_SHORT ? 1e4 : 1e3))
		scale = 1e3, prefix = "k";
	if (style == FMT_SI_SHORT)
		snprintf(buf, len, "%.4g%s", v / scale, prefix);
	else
		snprintf(buf, len, "%.3f%s", v / scale, prefix);
}

/* Does unit start with a symbol that takes an SI prefix (s, B, Hz, W), so that the prefix
 * joins it ("94.1 us", "201 ms wall", "171 kB")? */
static int si_symbol(const char *unit)
{
	static const char *const sym[] = { "s", "B", "Hz", "W" };
	for (size_t i = 0; i < sizeof sym / sizeof *sym; i++) {
		size_t n = strlen(sym[i]);
		if (!strncmp(unit, sym[i], n) && (!unit[n] || unit[n] == ' ' || unit[n] == '/'))
			return 1;
	}
	return 0;
}

/* The SI prefix of v for 3 significant digits: *m = v / 1000^(g - 4), prefix ENG_PREFIX[g],
 * chosen after rounding so that m is 1..999 (999.6 us is 1 ms, not "1e+03 us"); 0 keeps no
 * prefix. One choice for fmt_eng and fmt_si_unit, which only print it differently. */
static const char *const ENG_PREFIX[] = { "p", "n", "u", "m", "", "k", "M", "G", "T" };
enum { ENG_NONE = 4, ENG_LAST = 8 };

static int eng_scale(double v, int lowest, double *m)
{
	int g = ENG_NONE;
	*m = v;
	if (v != 0) {
		g = ENG_NONE + (int)floor(log10(fabs(v)) / 3);
		g = g < lowest ? lowest : g > ENG_LAST ? ENG_LAST : g;
		*m = v / pow(1000, g - ENG_NONE);
		if (fabs(*m) >= 999.5 && g < ENG_LAST)
			*m /= 1000, g++;
	}
	return g;
}

void fmt_eng(double v, const char *unit, char *buf, size_t len)
{
	double m;
	if (!isfinite(v)) {
		snprintf(buf, len, "-");
		return;
	}
	int g = eng_scale(v, 0, &m);
	snprintf(buf, len, "%.3g%s%s%s", m, *unit ? " " : "", ENG_PREFIX[g], unit);
}

void fmt_si_unit(double v, const char *unit, char *buf, size_t len)
{
	double m;
	if (!isfinite(v)) {
		snprintf(buf, len, "-");
		return;
	}
	int g = eng_scale(v, 1, &m); /* down to n */
	if (!unit || !*unit)
		snprintf(buf, len, "%.3g%s", m, ENG_PREFIX[g]);
	else if (si_symbol(unit))
		snprintf(buf, len, "%.3g %s%s", m, ENG_PREFIX[g], unit);
	else
		snprintf(buf, len, "%.3g%s %s", m, ENG_PREFIX[g], unit);
}

void fmt_metric(double v, const char *metric, char *buf, size_t len)
{
	static const struct {
		const char *suffix, *unit;
		double scale;
	} u[] = { { "_per_s", NULL, 1 }, { "_ns", "s", 1e-9 }, { "_us", "s", 1e-6 }, { "_ms", "s", 1e-3 },
		  { "_s", "s", 1 },         { "_cores", "cores", 1 }, { "_kb", "B", 1e3 } };
	size_t n = metric ? strlen(metric) : 0;
	for (size_t i = 0; i < sizeof u / sizeof *u; i++) {
		size_t k = strlen(u[i].suffix);
		if (n <= k || strcmp(metric + n - k, u[i].suffix))
			continue;
		if (u[i].unit) {
			fmt_si_unit(v * u[i].scale, u[i].unit, buf, len);
			return;
		}
		char what[64]; /* items_per_s: "items/s", round_trips_per_s: "round trips/s" */
		snprintf(what, sizeof what, "%.*s/s", (int)(n - k), metric);
		for (char *p = what; *p; p++)
			*p = *p == '_' ? ' ' : *p;
		fmt_si_unit(v, what, buf, len);
		return;
	}
	fmt_si_unit(v, NULL, buf, len);
}

void fmt_json_number(FILE *f, double v)
{
	if (isfinite(v))
		fprintf(f, "%.12g", v);
	else
		fputs("null", f);
}
