/* text.c: see text.h. Everything here is plain string handling; no allocation. */
#include "trust/text.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void trust_errf(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

int trust_line_err(const struct trust_text *t, char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!err || !errlen)
		return -EINVAL;
	n = snprintf(err, errlen, "%s line %u: ", t->what, t->line);
	if (n < 0 || (size_t)n >= errlen)
		return -EINVAL;
	va_start(ap, fmt);
	vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

void trust_text_init(struct trust_text *t, const char *what, const char *text, size_t len,
		     bool strict)
{
	t->p = text;
	t->end = text + len;
	t->line = 0;
	t->what = what;
	t->strict = strict;
}

static bool blank_or_comment(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return *s == '\0' || *s == '#';
}

int trust_text_next(struct trust_text *t, char *buf, size_t bufsz, char *err, size_t errlen)
{
	for (;;) {
		const char *nl;
		size_t n;

		if (t->p >= t->end)
			return 0;
		t->line++;
		nl = memchr(t->p, '\n', (size_t)(t->end - t->p));
		if (!nl)
			return trust_line_err(t, err, errlen, "no newline at the end of the file");
		n = (size_t)(nl - t->p);
		if (n > TRUST_LINE_MAX || n + 1 > bufsz)
			return trust_line_err(t, err, errlen, "line longer than %d bytes",
					      TRUST_LINE_MAX);
		for (size_t i = 0; i < n; i++) {
			unsigned char c = (unsigned char)t->p[i];

			if (c == '\t' && !t->strict)
				continue;
			if (c < 0x20 || c > 0x7e)
				return trust_line_err(t, err, errlen,
						      "byte 0x%02x at column %zu (only printable "
						      "ASCII%s is allowed)",
						      c, i + 1, t->strict ? "" : " and tabs");
		}
		memcpy(buf, t->p, n);
		buf[n] = '\0';
		t->p = nl + 1;
		if (t->strict) {
			if (n == 0)
				return trust_line_err(t, err, errlen, "empty line");
			return 1;
		}
		if (!blank_or_comment(buf))
			return 1;
	}
}

int trust_split(struct trust_text *t, char *line, char **tok, int max, char *err, size_t errlen)
{
	int n = 0;
	char *p = line;

	if (t->strict) {
		if (*p == ' ' || (*p && p[strlen(p) - 1] == ' '))
			return trust_line_err(t, err, errlen,
					      "space at the start or end of the line");
		for (;;) {
			char *sp = strchr(p, ' ');

			if (n == max)
				return trust_line_err(t, err, errlen,
						      "too many fields (at most %d)", max);
			tok[n++] = p;
			if (!sp)
				break;
			*sp = '\0';
			p = sp + 1;
			if (*p == ' ')
				return trust_line_err(t, err, errlen,
						      "more than one space between fields");
		}
		return n;
	}
	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			return n;
		if (n == max)
			return trust_line_err(t, err, errlen, "too many fields (at most %d)", max);
		tok[n++] = p;
		while (*p && *p != ' ' && *p != '\t')
			p++;
		if (*p)
			*p++ = '\0';
	}
}

int trust_parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (!s[0] || (s[0] == '0' && s[1]))
		return -EINVAL;
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return -EINVAL;
		if (v > (max - (uint64_t)(*p - '0')) / 10)
			return -ERANGE;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	*out = v;
	return 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int trust_parse_hex(const char *s, uint8_t *out, size_t n)
{
	if (strlen(s) != 2 * n)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		int hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -EINVAL;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

void trust_hex(const uint8_t *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * n] = '\0';
}

static bool name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '_' || c == '+' || c == '-';
}

bool trust_valid_name(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > TRUST_NAME_MAX || !name_char(s[0]) || s[0] == '.' || s[0] == '_' ||
	    s[0] == '+' || s[0] == '-')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!name_char(s[i]))
			return false;
	return true;
}

bool trust_valid_pattern(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > TRUST_PATTERN_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!name_char(s[i]) && !strchr("*?[]!", s[i]))
			return false;
	return true;
}

/* Reads exactly n digits. */
static bool digits(const char **p, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		char c = (*p)[i];

		if (c < '0' || c > '9')
			return false;
		v = v * 10 + (c - '0');
	}
	*p += n;
	*out = v;
	return true;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int days_in_month(int y, int m)
{
	static const int dm[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : dm[m - 1];
}

int trust_parse_time(const char *s, int64_t *out)
{
	const char *p = s;
	int y, mo, d, h, mi, sec, oh = 0, om = 0, sign = 0;

	if (!digits(&p, 4, &y) || *p++ != '-' || !digits(&p, 2, &mo) || *p++ != '-' ||
	    !digits(&p, 2, &d))
		return -EINVAL;
	if (*p != 'T' && *p != 't')
		return -EINVAL;
	p++;
	if (!digits(&p, 2, &h) || *p++ != ':' || !digits(&p, 2, &mi) || *p++ != ':' ||
	    !digits(&p, 2, &sec))
		return -EINVAL;
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			return -EINVAL;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		sign = *p++ == '+' ? 1 : -1;
		if (!digits(&p, 2, &oh) || *p++ != ':' || !digits(&p, 2, &om) || oh > 23 || om > 59)
			return -EINVAL;
	} else {
		return -EINVAL;
	}
	if (*p)
		return -EINVAL;
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 ||
	    mi > 59 || sec > 60)
		return -EINVAL;
	if (sec == 60) /* a leap second counts as the last second of its minute */
		sec = 59;
	*out = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec -
	       sign * (oh * 3600 + om * 60);
	return 0;
}

void trust_format_time(int64_t t, char out[32])
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!gmtime_r(&tt, &tm) || !strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(out, 32, "@%lld", (long long)t);
}

int trust_now(int64_t *now, char *err, size_t errlen)
{
	const char *env = getenv("BULWARK_NOW");

	if (env && *env) {
		uint64_t v;

		if (env[0] == '@' && trust_parse_u64(env + 1, INT64_MAX, &v) == 0) {
			*now = (int64_t)v;
			return 0;
		}
		if (trust_parse_time(env, now) == 0)
			return 0;
		trust_errf(err, errlen, "BULWARK_NOW='%s' is neither an RFC 3339 time nor @SECONDS",
			   env);
		return -EINVAL;
	}
	*now = (int64_t)time(NULL);
	return 0;
}
