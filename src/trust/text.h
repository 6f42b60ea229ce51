/* text.h: the small, strict text toolkit under the trust file parsers (bundle MANIFEST, trust list,
 * MAC policy, state file): a line iterator that refuses NUL bytes, non-ASCII and control
 * characters, over-long lines and a missing final newline; a tokenizer; strict number, hex, name
 * and pattern checks; RFC 3339 times and the clock (BULWARK_NOW overrides it for tests).
 * Every error message starts with "WHAT line N: " so an operator can find the line. */
#ifndef BULWARK_TRUST_TEXT_H
#define BULWARK_TRUST_TEXT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TRUST_LINE_MAX 1024 /* bytes in one line, newline excluded */
#define TRUST_NAME_MAX 64   /* bundle, vendor, subject and class names */
#define TRUST_PATTERN_MAX 64

struct trust_text {
	const char *p, *end;
	unsigned line;	  /* number of the line last returned (1-based) */
	const char *what; /* the file's name for messages, e.g. "MANIFEST" */
	bool strict;	  /* no tabs, no comments, no blank lines (signed vendor files) */
};

void trust_text_init(struct trust_text *t, const char *what, const char *text, size_t len,
		     bool strict);
/* Copies the next line (without its newline) into buf, NUL-terminated. In non-strict mode blank
 * lines and lines whose first non-blank character is '#' are skipped. Returns 1 for a line, 0 at
 * the end, -EINVAL with a message in err. */
int trust_text_next(struct trust_text *t, char *buf, size_t bufsz, char *err, size_t errlen);

/* Splits line in place into at most max tokens. Strict: exactly one space between tokens and none
 * at either end; otherwise runs of spaces and tabs separate. Returns the number of tokens, or
 * -EINVAL (strict spacing violated, or more than max tokens) with a message. */
int trust_split(struct trust_text *t, char *line, char **tok, int max, char *err, size_t errlen);

/* Formats "WHAT line N: MESSAGE" into err; returns -EINVAL for `return trust_line_err(...)`. */
int trust_line_err(const struct trust_text *t, char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* snprintf into err (NULL-safe); returns 0. */
void trust_errf(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Decimal without sign, leading zeros or spaces, at most max. Returns 0 or -EINVAL/-ERANGE. */
int trust_parse_u64(const char *s, uint64_t max, uint64_t *out);
/* Exactly 2*n lower-case hex digits into n bytes. Returns 0 or -EINVAL. */
int trust_parse_hex(const char *s, uint8_t *out, size_t n);
void trust_hex(const uint8_t *in, size_t n, char *out /* 2n+1 */);

/* A name: 1..TRUST_NAME_MAX of [A-Za-z0-9._+-], starting with a letter or digit. */
bool trust_valid_name(const char *s);
/* An fnmatch pattern over names: 1..TRUST_PATTERN_MAX of the name characters and * ? [ ] ! */
bool trust_valid_pattern(const char *s);

/* RFC 3339 date-time with a time zone ("2027-01-31T12:00:00Z", "...+02:00", optional fraction,
 * which is ignored) into seconds since the epoch. Returns 0 or -EINVAL. */
int trust_parse_time(const char *s, int64_t *out);
/* Formats seconds since the epoch as "YYYY-MM-DDTHH:MM:SSZ". */
void trust_format_time(int64_t t, char out[32]);
/* The current time, or BULWARK_NOW when set (RFC 3339, or "@SECONDS"). Returns 0, or -EINVAL with
 * a message when BULWARK_NOW is malformed. */
int trust_now(int64_t *now, char *err, size_t errlen);

#endif
