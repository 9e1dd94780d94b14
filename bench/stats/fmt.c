/* fmt: an SI prefix and a JSON number (see fmt.h). */
#include "bench/stats/fmt.h"

#include <math.h>

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

void fmt_eng(double v, const char *unit, char *buf, size_t len)
{
	static const char *const prefix[] = { "p", "n", "u", "m", "", "k", "M", "G", "T" };
	int k = 4; /* prefix[4]: none */
	double a = fabs(v);
	if (!isfinite(v)) {
		snprintf(buf, len, "-");
		return;
	}
	while (a != 0 && a < 0.9995 && k > 0) { /* 0.9995 rounds to 1.00, not 1e+03 m */
		a *= 1e3;
		v *= 1e3;
		k--;
	}
	while (a >= 999.5 && k < 8) {
		a /= 1e3;
		v /= 1e3;
		k++;
	}
	snprintf(buf, len, "%.3g%s%s%s", v, *unit ? " " : "", prefix[k], unit);
}

void fmt_json_number(FILE *f, double v)
{
	if (isfinite(v))
		fprintf(f, "%.12g", v);
	else
		fputs("null", f);
}
