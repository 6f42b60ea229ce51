/* conformance.c: reads the conformance suite's .data files (see conformance.h). Section names
 * other than asm/raw/mem/result/error (`-- c`, `-- no register offset`) are skipped. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ebpf/conformance.h"

enum conf_section { SEC_NONE, SEC_ASM, SEC_RAW, SEC_MEM, SEC_RESULT, SEC_ERROR, SEC_OTHER };

static int conf_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int conf_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Appends len bytes to a growing malloc'ed buffer. */
static int append(char **buf, size_t *used, size_t *cap, const void *p, size_t len)
{
	if (*used + len + 1 > *cap) {
		size_t c = *cap ? *cap : 256;
		char *q;

		while (c < *used + len + 1)
			c *= 2;
		q = realloc(*buf, c);
		if (!q)
			return -ENOMEM;
		*buf = q;
		*cap = c;
	}
	memcpy(*buf + *used, p, len);
	*used += len;
	(*buf)[*used] = 0;
	return 0;
}

/* Parses one number (0x hex or decimal) from the whole of s. */
static int parse_u64(const char *s, uint64_t *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 0);
	if (errno || end == s)
		return -1;
	while (*end == ' ' || *end == '\t' || *end == '\r')
		end++;
	return *end ? -1 : 0;
}

int ebpf_conf_parse(const char *text, struct ebpf_conf_test *t, char *err, size_t errlen)
{
	enum conf_section sec = SEC_NONE;
	size_t asm_used = 0, asm_cap = 0, mem_used = 0, mem_cap = 0, err_used = 0, err_cap = 0;
	size_t raw_cap = 0;
	const char *line = text, *nl;
	unsigned lineno = 0;
	char buf[512];
	int rc = 0;

	memset(t, 0, sizeof(*t));
	for (; *line; line = nl ? nl + 1 : line + strlen(line)) {
		size_t len;
		char *p;

		nl = strchr(line, '\n');
		len = nl ? (size_t)(nl - line) : strlen(line);
		lineno++;
		if (!strncmp(line, "-- ", 3)) {
			len = len - 3 < sizeof(buf) - 1 ? len - 3 : sizeof(buf) - 1;
			memcpy(buf, line + 3, len);
			buf[len] = 0;
			while (len && (buf[len - 1] == ' ' || buf[len - 1] == '\r'))
				buf[--len] = 0;
			sec = !strcmp(buf, "asm")      ? SEC_ASM
			      : !strcmp(buf, "raw")    ? SEC_RAW
			      : !strcmp(buf, "mem")    ? SEC_MEM
			      : !strcmp(buf, "result") ? SEC_RESULT
			      : !strcmp(buf, "error")  ? SEC_ERROR
						       : SEC_OTHER;
			if (sec == SEC_ASM && !t->asm_text &&
			    append(&t->asm_text, &asm_used, &asm_cap, "", 0))
				goto nomem;
			continue;
		}
		if (sec == SEC_ASM) {
			if (append(&t->asm_text, &asm_used, &asm_cap, line, len) ||
			    append(&t->asm_text, &asm_used, &asm_cap, "\n", 1))
				goto nomem;
			continue;
		}
		if (line[0] == '#' || sec == SEC_NONE || sec == SEC_OTHER)
			continue;
		if (len >= sizeof(buf))
			return ebpf_conf_free(t),
			       conf_err(err, errlen, "line %u: line too long", lineno);
		memcpy(buf, line, len);
		buf[len] = 0;
		p = buf;
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p || *p == '\r')
			continue;
		switch (sec) {
		case SEC_RAW: {
			uint64_t v;
			struct ebpf_insn *ni;

			if (parse_u64(p, &v)) {
				rc = conf_err(err, errlen, "line %u: bad raw instruction '%s'",
					      lineno, p);
				goto fail;
			}
			if (t->n_raw == raw_cap) {
				raw_cap = raw_cap ? raw_cap * 2 : 8;
				ni = realloc(t->raw, raw_cap * sizeof(*ni));
				if (!ni)
					goto nomem;
				t->raw = ni;
			}
			memcpy(&t->raw[t->n_raw++], &v, sizeof(v));
			break;
		}
		case SEC_MEM:
			for (; *p; p++) {
				int hi, lo;
				char b;

				if (*p == ' ' || *p == '\t' || *p == '\r')
					continue;
				hi = hexval(p[0]);
				lo = hi >= 0 ? hexval(p[1]) : -1;
				if (hi < 0 || lo < 0) {
					rc = conf_err(err, errlen,
						      "line %u: bad memory byte '%.2s'", lineno, p);
					goto fail;
				}
				b = (char)(hi << 4 | lo);
				if (append((char **)&t->mem, &mem_used, &mem_cap, &b, 1))
					goto nomem;
				p++;
			}
			t->mem_len = mem_used;
			break;
		case SEC_RESULT:
			if (parse_u64(p, &t->result)) {
				rc = conf_err(err, errlen, "line %u: bad result '%s'", lineno, p);
				goto fail;
			}
			t->has_result = true;
			break;
		case SEC_ERROR:
			if ((err_used && append(&t->error, &err_used, &err_cap, "\n", 1)) ||
			    append(&t->error, &err_used, &err_cap, p, strlen(p)))
				goto nomem;
			break;
		default:
			break;
		}
	}
	return 0;
nomem:
	rc = conf_err(err, errlen, "line %u: out of memory", lineno);
	rc = -ENOMEM;
fail:
	ebpf_conf_free(t);
	return rc;
}

int ebpf_conf_load(const char *path, struct ebpf_conf_test *t, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	char *text = NULL, *q;
	size_t used = 0, cap = 0, n;
	char chunk[4096];
	int rc;

	memset(t, 0, sizeof(*t));
	if (!f)
		return conf_err(err, errlen, "%s: %s", path, strerror(errno)), -errno;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (append(&text, &used, &cap, chunk, n)) {
			fclose(f);
			free(text);
			return conf_err(err, errlen, "%s: out of memory", path), -ENOMEM;
		}
	}
	fclose(f);
	if (!text) {
		text = strdup("");
		if (!text)
			return -ENOMEM;
	}
	rc = ebpf_conf_parse(text, t, err, errlen);
	free(text);
	if (rc && err && errlen) {
		size_t l = strlen(path);

		q = malloc(l + strlen(err) + 3);
		if (q) {
			sprintf(q, "%s: %s", path, err);
			snprintf(err, errlen, "%s", q);
			free(q);
		}
	}
	return rc;
}

void ebpf_conf_free(struct ebpf_conf_test *t)
{
	if (!t)
		return;
	free(t->asm_text);
	free(t->raw);
	free(t->mem);
	free(t->error);
	memset(t, 0, sizeof(*t));
}

const char *ebpf_conf_dir(const char *src_root, char *buf, size_t len)
{
	const char *shared = getenv("BULWARK_SHARED");

	if (shared && *shared)
		snprintf(buf, len, "%s/conformance/tests", shared);
	else
		snprintf(buf, len, "%s/../shared/conformance/tests", src_root ? src_root : ".");
	return buf;
}
