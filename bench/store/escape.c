/* escape: one walker over UTF-8 text, one rule per sink (see escape.h for the rules). */
#include "bench/store/escape.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Where the escaped text goes: a stream, or a bounded buffer that keeps room for `reserve`
 * more bytes (a closing quote) and, once a piece did not fit, takes nothing more. */
struct out {
	FILE *f;
	char *buf;
	size_t len, off, reserve, written;
	int full;
};

static void put(struct out *o, const char *p, size_t n)
{
	if (o->f) {
		fwrite(p, 1, n, o->f);
		o->written += n;
		return;
	}
	if (o->full || o->off + n + o->reserve + 1 > o->len) {
		o->full = 1;
		return;
	}
	memcpy(o->buf + o->off, p, n);
	o->off += n;
	o->written += n;
	o->buf[o->off] = 0;
}

/* Length (1-4) of the valid UTF-8 character at s, with its code point; 0 for an invalid byte
 * (overlong, surrogate, beyond U+10FFFF, truncated). */
static size_t utf8_next(const unsigned char *s, unsigned *cp)
{
	unsigned c = s[0], min;
	size_t n;
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2, *cp = c & 0x1f, min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3, *cp = c & 0x0f, min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4, *cp = c & 0x07, min = 0x10000;
	} else {
		return 0;
	}
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80) /* a NUL ends it too */
			return 0;
		*cp = *cp << 6 | (s[i] & 0x3f);
	}
	if (*cp < min || *cp > 0x10ffff || (*cp >= 0xd800 && *cp <= 0xdfff))
		return 0;
	return n;
}

/* C0, DEL, C1, and the invisible controls that reorder or break lines on a terminal. */
static int is_control(unsigned cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == 0x200e || cp == 0x200f ||
	       (cp >= 0x2028 && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

static void put_hex(struct out *o, const unsigned char *s, size_t n)
{
	char t[8];
	for (size_t i = 0; i < n; i++) {
		snprintf(t, sizeof t, "\\x%02x", s[i]);
		put(o, t, 4);
	}
}

static void put_pair(struct out *o, char a, char b)
{
	char t[2] = { a, b };
	put(o, t, 2);
}

/* One character (n bytes at s, code point cp), or one invalid byte (n == 0), for a sink.
 * Returns 1 when it was written escaped, 0 when it is to be written as it is. */
static int escaped(struct out *o, enum esc_sink sink, const unsigned char *s, size_t n, unsigned cp)
{
	int bad = !n || is_control(cp), ascii = n == 1 && cp < 0x80;
	switch (sink) {
	case ESC_TERM:
	case ESC_GP_COMMENT:
		if (bad || (sink == ESC_GP_COMMENT && cp == '\\'))
			put_hex(o, s, n ? n : 1);
		return bad || (sink == ESC_GP_COMMENT && cp == '\\');
	case ESC_GP:
		if (n && cp == '\n')
			put(o, "\\n", 2);
		else if (bad)
			put(o, "?", 1);
		else if (cp == '"' || cp == '\\')
			put_pair(o, '\\', (char)cp);
		else if (cp == '`' || cp == '@')
			put(o, cp == '`' ? "\\140" : "\\100", 4);
		else
			return 0;
		return 1;
	case ESC_MD:
		if (n && (cp == '\n' || cp == '\r' || cp == '\t'))
			put(o, " ", 1);
		else if (bad)
			put(o, "?", 1);
		else if (ascii && strchr("\\`*[]|", (int)cp))
			put_pair(o, '\\', (char)cp);
		else if (cp == '<' || cp == '>' || cp == '&')
			put(o, cp == '<' ? "&lt;" : cp == '>' ? "&gt;" : "&amp;", cp == '&' ? 5 : 4);
		else
			return 0;
		return 1;
	case ESC_JSON: {
		char t[8];
		if (!n)
			put(o, "\\ufffd", 6);
		else if (cp == '"' || cp == '\\')
			put_pair(o, '\\', (char)cp);
		else if (cp == '\n' || cp == '\t' || cp == '\r')
			put_pair(o, '\\', cp == '\n' ? 'n' : cp == '\t' ? 't' : 'r');
		else if (bad && snprintf(t, sizeof t, "\\u%04x", cp) == 6)
			put(o, t, 6);
		else
			return 0;
		return 1;
	}
	case ESC_CSV:
		if (n && (cp == '\n' || cp == '\r' || cp == '\t'))
			return 0; /* inside the quotes, as RFC 4180 allows */
		if (cp == '"' && n)
			put(o, "\"\"", 2);
		else if (bad)
			put_hex(o, s, n ? n : 1);
		else
			return 0;
		return 1;
	case ESC_FILENAME: {
		int keep = ascii && ((cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9') ||
		                     cp == '-' || cp == '_' || (cp == '.' && o->written));
		if (!keep)
			put(o, "_", 1);
		return !keep;
	}
	}
	return 0;
}

/* A CSV field a spreadsheet would take for a formula (OWASP "CSV injection"): it starts with
 * = + - @ tab or CR and is not a plain number (-1.5 and +3 stay numbers). */
static int csv_formula(const char *s)
{
	char *end;
	if (!strchr("=+-@\t\r", *s) || !*s)
		return 0;
	strtod(s, &end);
	return end == s || *end;
}

static void walk(struct out *o, enum esc_sink sink, const char *str)
{
	const unsigned char *s = (const unsigned char *)(str ? str : "");
	int quoted = sink == ESC_GP || sink == ESC_JSON || sink == ESC_CSV;
	if (quoted) {
		put(o, "\"", 1);
		o->reserve = 1;
	}
	if (sink == ESC_CSV && csv_formula((const char *)s))
		put(o, "'", 1);
	while (*s && !o->full) {
		unsigned cp = 0;
		size_t n = utf8_next(s, &cp);
		if (!escaped(o, sink, s, n, cp))
			put(o, (const char *)s, n);
		s += n ? n : 1;
	}
	if (sink == ESC_FILENAME && !o->written)
		put(o, "_", 1);
	if (quoted) {
		o->reserve = 0;
		o->full = 0; /* the room kept for it */
		put(o, "\"", 1);
	}
}

static const char *to_buf(char *buf, size_t len, enum esc_sink sink, const char *s)
{
	struct out o = { .buf = buf, .len = len };
	if (!len)
		return buf;
	buf[0] = 0;
	if ((sink == ESC_GP || sink == ESC_JSON || sink == ESC_CSV) && len < 3)
		return buf; /* not even "" fits */
	walk(&o, sink, s);
	return buf;
}

/* esc_gp(buf, len, s) ... esc_filename(buf, len, s): to_buf() with their sink. */
#define ESC_TO_BUF(fn, sink)                                  \
	const char *fn(char *buf, size_t len, const char *s)  \
	{                                                     \
		return to_buf(buf, len, sink, s);             \
	}
ESC_TO_BUF(esc_gp, ESC_GP)
ESC_TO_BUF(esc_gp_comment, ESC_GP_COMMENT)
ESC_TO_BUF(esc_term, ESC_TERM)
ESC_TO_BUF(esc_md, ESC_MD)
ESC_TO_BUF(esc_json, ESC_JSON)
ESC_TO_BUF(esc_csv, ESC_CSV)
ESC_TO_BUF(esc_filename, ESC_FILENAME)
#undef ESC_TO_BUF

void esc_fputs(FILE *f, enum esc_sink sink, const char *s)
{
	struct out o = { .f = f };
	walk(&o, sink, s);
}

static int charset_ok(const char *s, const char *extra, size_t max)
{
	size_t n = 0;
	for (; s && s[n]; n++) {
		char c = s[n];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || strchr(extra, c)))
			return 0;
	}
	return n >= 1 && n <= max;
}

int esc_name_ok(const char *s)
{
	return charset_ok(s, "_-", ESC_NAME_MAX) && s[0] != '_' && s[0] != '-';
}

int esc_value_ok(const char *s)
{
	return charset_ok(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ._+:,-", ESC_VALUE_MAX);
}
