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

void fmt_si_unit(double v, const char *unit, char *buf, size_t len)
{
	static const char *const prefix[] = { "n", "u", "m", "", "k", "M", "G", "T" };
	int g = 3; /* prefix[g] == "" */
	double m = v;
	if (!isfinite(v)) {
		snprintf(buf, len, "-");
		return;
	}
	if (v != 0) {
		g = 3 + (int)floor(log10(fabs(v)) / 3);
		g = g < 0 ? 0 : g > 7 ? 7 : g;
		m = v / pow(1000, g - 3);
		if (fabs(m) >= 999.5 && g < 7) /* 999.6 us rounds to 1.00 ms, not "1e+03 us" */
			m /= 1000, g++;
	}
	char num[32];
	snprintf(num, sizeof num, "%.3g", m);
	if (!unit || !*unit)
		snprintf(buf, len, "%s%s", num, prefix[g]);
	else if (strchr(unit, ' ') && *prefix[g])
		snprintf(buf, len, "%s %s %s", num, prefix[g], unit);
	else
		snprintf(buf, len, "%s %s%s", num, prefix[g], unit);
}

void fmt_json_number(FILE *f, double v)
{
	if (isfinite(v))
		fprintf(f, "%.12g", v);
	else
		fputs("null", f);
}
