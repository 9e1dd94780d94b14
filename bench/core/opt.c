/* opt: the knob parser shared by every workload and driver (see opt.h). */
#include "bench/core/opt.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int opt_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	char *end;
	if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
		return -EINVAL;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || *end)
		return -EINVAL;
	if (v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

int opt_parse_double(const char *s, double min, double max, double *out)
{
	char *end;
	if (!s || !*s || *s == ' ')
		return -EINVAL;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || *end || !isfinite(v))
		return -EINVAL;
	if (v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

int opt_choice_count(const struct knob *k)
{
	int n = 1;
	for (const char *p = k->choices; p && *p; p++)
		n += *p == '|';
	return k->choices ? n : 0;
}

const char *opt_choice(const struct knob *k, int i, char *buf, size_t len)
{
	const char *p = k->choices;
	for (; i > 0 && p; i--) {
		p = strchr(p, '|');
		if (p)
			p++;
	}
	if (!p)
		return NULL;
	size_t n = strcspn(p, "|");
	if (n >= len)
		n = len - 1;
	memcpy(buf, p, n);
	buf[n] = 0;
	return buf;
}

int opt_parse_value(const struct knob *k, const char *text, struct knobval *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof *out);
	out->k = k;
	if (strlen(text) >= sizeof out->text) {
		snprintf(err, errlen, "knob %s: value too long", k->name);
		return -EINVAL;
	}
	switch (k->type) {
	case KNOB_INT: {
		char *end;
		errno = 0;
		long long v = strtoll(text, &end, 10);
		if (!*text || errno || *end) {
			snprintf(err, errlen, "knob %s: '%s' is not an integer", k->name, text);
			return -EINVAL;
		}
		if ((double)v < k->min || (double)v > k->max) {
			snprintf(err, errlen, "knob %s: %lld is out of range [%.0f, %.0f]", k->name, v,
			         k->min, k->max);
			return -EINVAL;
		}
		out->num = (double)v;
		break;
	}
	case KNOB_DOUBLE: {
		int rc = opt_parse_double(text, k->min, k->max, &out->num);
		if (rc == -ERANGE) {
			snprintf(err, errlen, "knob %s: %s is out of range [%g, %g]", k->name, text, k->min, k->max);
			return -EINVAL;
		}
		if (rc) {
			snprintf(err, errlen, "knob %s: '%s' is not a number", k->name, text);
			return -EINVAL;
		}
		break;
	}
	case KNOB_BOOL:
		if (!strcmp(text, "1") || !strcmp(text, "true") || !strcmp(text, "yes") || !strcmp(text, "on"))
			out->num = 1;
		else if (!strcmp(text, "0") || !strcmp(text, "false") || !strcmp(text, "no") || !strcmp(text, "off"))
			out->num = 0;
		else {
			snprintf(err, errlen, "knob %s: '%s' is not a boolean (0/1, true/false)", k->name, text);
			return -EINVAL;
		}
		snprintf(out->text, sizeof out->text, "%d", (int)out->num);
		return 0;
	case KNOB_ENUM: {
		char buf[48];
		int n = opt_choice_count(k);
		for (int i = 0; i < n; i++) {
			if (!strcmp(opt_choice(k, i, buf, sizeof buf), text)) {
				out->choice = i;
				out->num = i;
				snprintf(out->text, sizeof out->text, "%s", buf);
				return 0;
			}
		}
		snprintf(err, errlen, "knob %s: '%s' is not one of %s", k->name, text, k->choices);
		return -EINVAL;
	}
	case KNOB_TEXT:
		if (!*text || strspn(text, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._+:-") != strlen(text)) {
			snprintf(err, errlen, "knob %s: '%s' is not a word of letters, digits and . _ + : -", k->name, text);
			return -EINVAL;
		}
		/* num: a 48-bit FNV-1a hash of the word, so that values compare as numbers do (bench
		 * run drops a value equal to an earlier one) */
		uint64_t h = 0xcbf29ce484222325ull;
		for (const char *c = text; *c; c++)
			h = (h ^ (unsigned char)*c) * 0x100000001b3ull;
		out->num = (double)(h >> 16);
		break;
	default:
		snprintf(err, errlen, "knob %s: bad type", k->name);
		return -EINVAL;
	}
	snprintf(out->text, sizeof out->text, "%s", text);
	return 0;
}

const struct knob *opt_find(const struct knob *table, const char *name)
{
	for (const struct knob *k = table; k && k->name; k++)
		if (!strcmp(k->name, name))
			return k;
	return NULL;
}

const struct knobval *opt_get(const struct knobset *set, const char *name)
{
	for (unsigned i = 0; i < set->n; i++)
		if (!strcmp(set->v[i].k->name, name))
			return &set->v[i];
	return NULL;
}

int opt_set(struct knobset *set, const struct knobval *v)
{
	for (unsigned i = 0; i < set->n; i++)
		if (!strcmp(set->v[i].k->name, v->k->name)) {
			set->v[i] = *v;
			return 0;
		}
	if (set->n >= KNOBSET_MAX)
		return -E2BIG;
	set->v[set->n++] = *v;
	return 0;
}

int opt_defaults(struct knobset *set, const struct knob *table)
{
	char err[160];
	for (const struct knob *k = table; k && k->name; k++) {
		struct knobval v;
		if (opt_parse_value(k, k->def, &v, err, sizeof err))
			return -EINVAL; /* a bad default is a bug: the registry test catches it */
		if (opt_set(set, &v))
			return -E2BIG;
	}
	return 0;
}

int opt_split_assign(const char *arg, struct knob_assign *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof *out);
	const char *eq = strchr(arg, '=');
	if (!eq || eq == arg) {
		snprintf(err, errlen, "-O expects knob=value, got '%s'", arg);
		return -EINVAL;
	}
	size_t nl = (size_t)(eq - arg);
	if (nl >= sizeof out->name) {
		snprintf(err, errlen, "-O: knob name too long in '%s'", arg);
		return -EINVAL;
	}
	memcpy(out->name, arg, nl);
	const char *p = eq + 1;
	for (;;) {
		size_t n = strcspn(p, ",");
		if (n == 0) {
			snprintf(err, errlen, "-O %s: empty value in '%s'", out->name, eq + 1);
			return -EINVAL;
		}
		if (out->nvals >= OPT_SWEEP_MAX) {
			snprintf(err, errlen, "-O %s: more than %d values", out->name, OPT_SWEEP_MAX);
			return -EINVAL;
		}
		if (n >= sizeof out->vals[0]) {
			snprintf(err, errlen, "-O %s: value too long", out->name);
			return -EINVAL;
		}
		memcpy(out->vals[out->nvals++], p, n);
		p += n;
		if (!*p)
			break;
		p++;
	}
	return 0;
}

void opt_print_table(const struct knob *table, const char *indent)
{
	for (const struct knob *k = table; k && k->name; k++) {
		char range[96];
		switch (k->type) {
		case KNOB_INT: snprintf(range, sizeof range, "int %.0f..%.0f", k->min, k->max); break;
		case KNOB_DOUBLE: snprintf(range, sizeof range, "real %g..%g", k->min, k->max); break;
		case KNOB_BOOL: snprintf(range, sizeof range, "bool"); break;
		case KNOB_ENUM: snprintf(range, sizeof range, "%s", k->choices); break;
		case KNOB_TEXT: snprintf(range, sizeof range, "word"); break;
		default: range[0] = 0;
		}
		printf("%s-O %s=%s  [%s]  %s\n", indent, k->name, k->def, range, k->help);
	}
}
