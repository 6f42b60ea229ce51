/* manifest.c: parser and writer of a bundle's MANIFEST (see manifest.h, docs/bundle-format.md).
 * The parser is a small state machine over the lines: each keyword has a rank and ranks never go
 * down, which enforces the order; bitmaps and a path scan catch duplicates. */
#include "trust/manifest.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trust/vocab.h"

enum rank { R_HEADER, R_NAME, R_VERSION, R_SEQ, R_EXPIRES, R_HOOK, R_HELPER, R_FILE, R_COUNT };

static const char *const rank_kw[R_COUNT] = {
    "bulwark-bundle", "name", "version", "seq", "expires", "hook", "helper", "file",
};

static const char order_text[] =
    "the order is bulwark-bundle, name, version, seq, [expires], hook..., helper..., file...";

const char *manifest_kind_name(enum manifest_kind kind)
{
	return kind == MANIFEST_KIND_EXT ? "ext" : kind == MANIFEST_KIND_AGENT ? "agent" : "?";
}

int manifest_kind_from_name(const char *name)
{
	if (!strcmp(name, "ext"))
		return MANIFEST_KIND_EXT;
	if (!strcmp(name, "agent"))
		return MANIFEST_KIND_AGENT;
	return -1;
}

bool manifest_valid_version(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > MANIFEST_VERSION_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		bool alnum =
		    (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');

		if (!alnum && (i == 0 || !strchr("._+~-", c)))
			return false;
	}
	return true;
}

int manifest_check_path(const char *path, char *err, size_t errlen)
{
	size_t n = strlen(path);
	int depth = 0;
	const char *comp = path;

	if (n == 0 || n > MANIFEST_PATH_MAX) {
		trust_errf(err, errlen, "path must be 1 to %d bytes", MANIFEST_PATH_MAX);
		return -EINVAL;
	}
	if (path[0] == '/') {
		trust_errf(err, errlen, "path '%s' is absolute (paths are relative to the bundle)",
			   path);
		return -EINVAL;
	}
	for (;;) {
		const char *slash = strchr(comp, '/');
		size_t len = slash ? (size_t)(slash - comp) : strlen(comp);

		if (++depth > MANIFEST_PATH_DEPTH) {
			trust_errf(err, errlen, "path '%s' is deeper than %d components", path,
				   MANIFEST_PATH_DEPTH);
			return -EINVAL;
		}
		if (len == 0) {
			trust_errf(err, errlen, "path '%s' has an empty component", path);
			return -EINVAL;
		}
		if ((len == 1 && comp[0] == '.') ||
		    (len == 2 && comp[0] == '.' && comp[1] == '.')) {
			trust_errf(err, errlen,
				   "path '%s' has a '%.*s' component (it could leave the bundle)",
				   path, (int)len, comp);
			return -EINVAL;
		}
		if (comp[0] == '.') {
			trust_errf(err, errlen,
				   "path '%s' names a hidden file ('.' at the start of a "
				   "component)",
				   path);
			return -EINVAL;
		}
		for (size_t i = 0; i < len; i++) {
			char c = comp[i];

			if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			      (c >= '0' && c <= '9') || strchr("._+-", c))) {
				trust_errf(err, errlen,
					   "path '%s' has the character '%c' (allowed: letters, "
					   "digits, . _ + - and / between components)",
					   path, c);
				return -EINVAL;
			}
		}
		if (!slash)
			break;
		comp = slash + 1;
	}
	if (!strcmp(path, "MANIFEST") || !strcmp(path, "MANIFEST.minisig")) {
		trust_errf(err, errlen, "path '%s' is reserved for the bundle's own files", path);
		return -EINVAL;
	}
	return 0;
}

void manifest_trusted_comment(const struct manifest *m, char out[MANIFEST_COMMENT_MAX])
{
	snprintf(out, MANIFEST_COMMENT_MAX, "bulwark-bundle/1 name=%s seq=%" PRIu64, m->name,
		 m->seq);
}

static int parse_line(struct trust_text *t, struct manifest *m, char **tok, int ntok, int *rank,
		      char *err, size_t errlen)
{
	char why[256];
	int r;

	for (r = 0; r < R_COUNT; r++)
		if (!strcmp(tok[0], rank_kw[r]))
			break;
	if (r == R_COUNT)
		return trust_line_err(t, err, errlen, "unknown keyword '%s' (%s)", tok[0],
				      order_text);
	if (*rank == -1 && r != R_HEADER)
		return trust_line_err(
		    t, err, errlen, "the first line must be 'bulwark-bundle 1', not '%s'", tok[0]);
	/* name, version, seq come once each, in order, right after the header */
	if (r <= R_SEQ && r != *rank + 1) {
		if (r <= *rank)
			return trust_line_err(t, err, errlen, "duplicate or misplaced '%s' (%s)",
					      tok[0], order_text);
		return trust_line_err(t, err, errlen, "'%s' where '%s' was expected (%s)", tok[0],
				      rank_kw[*rank + 1], order_text);
	}
	if (r > R_SEQ && *rank < R_SEQ)
		return trust_line_err(t, err, errlen, "'%s' where '%s' was expected (%s)", tok[0],
				      rank_kw[*rank + 1], order_text);
	if (r > R_SEQ && r < *rank)
		return trust_line_err(t, err, errlen, "'%s' after '%s' (%s)", tok[0],
				      rank_kw[*rank], order_text);
	if (r == R_EXPIRES && *rank == R_EXPIRES)
		return trust_line_err(t, err, errlen, "duplicate 'expires'");

	switch (r) {
	case R_HEADER:
		if (ntok != 2)
			return trust_line_err(t, err, errlen, "expected 'bulwark-bundle 1'");
		if (strcmp(tok[1], "1"))
			return trust_line_err(t, err, errlen,
					      "unsupported format version '%s' (this bulwark reads "
					      "version 1)",
					      tok[1]);
		break;
	case R_NAME:
		if (ntok != 2)
			return trust_line_err(t, err, errlen, "expected 'name NAME'");
		if (!trust_valid_name(tok[1]))
			return trust_line_err(t, err, errlen,
					      "invalid name '%s' (1 to %d of letters, digits, . _ "
					      "+ -, starting with a letter or digit)",
					      tok[1], TRUST_NAME_MAX);
		strcpy(m->name, tok[1]);
		break;
	case R_VERSION:
		if (ntok != 2)
			return trust_line_err(t, err, errlen, "expected 'version VERSION'");
		if (!manifest_valid_version(tok[1]))
			return trust_line_err(t, err, errlen,
					      "invalid version '%s' (1 to %d of letters, digits, "
					      ". _ + ~ -, starting with a letter or digit)",
					      tok[1], MANIFEST_VERSION_MAX);
		strcpy(m->version, tok[1]);
		break;
	case R_SEQ:
		if (ntok != 2)
			return trust_line_err(t, err, errlen, "expected 'seq N'");
		if (trust_parse_u64(tok[1], MANIFEST_SEQ_MAX, &m->seq))
			return trust_line_err(
			    t, err, errlen,
			    "invalid seq '%s' (a decimal number from 0 to %" PRIu64
			    " without leading zeros)",
			    tok[1], MANIFEST_SEQ_MAX);
		break;
	case R_EXPIRES:
		if (ntok != 2)
			return trust_line_err(t, err, errlen, "expected 'expires RFC3339-TIME'");
		if (strlen(tok[1]) >= sizeof(m->expires_text) ||
		    trust_parse_time(tok[1], &m->expires))
			return trust_line_err(t, err, errlen,
					      "invalid time '%s' (RFC 3339 with a time zone, e.g. "
					      "2027-06-30T00:00:00Z)",
					      tok[1]);
		strcpy(m->expires_text, tok[1]);
		m->has_expires = true;
		break;
	case R_HOOK:
	case R_HELPER: {
		bool hook = r == R_HOOK;
		int idx;
		uint32_t *set = hook ? &m->hooks : &m->helpers;

		if (ntok != 2)
			return trust_line_err(t, err, errlen, "expected '%s NAME'", tok[0]);
		idx = hook ? trust_hook_from_name(tok[1]) : trust_helper_class_from_name(tok[1]);
		if (idx < 0)
			return trust_line_err(t, err, errlen, "unknown %s '%s'",
					      hook ? "hook" : "helper class", tok[1]);
		if (*set & (1u << idx))
			return trust_line_err(t, err, errlen, "duplicate %s '%s'", tok[0], tok[1]);
		*set |= 1u << idx;
		break;
	}
	case R_FILE: {
		struct manifest_file *f;
		int kind;

		if (ntok != 4)
			return trust_line_err(t, err, errlen,
					      "expected 'file KIND PATH BLAKE2B-512-HEX'");
		kind = manifest_kind_from_name(tok[1]);
		if (kind < 0)
			return trust_line_err(t, err, errlen,
					      "unknown file kind '%s' (ext or agent)", tok[1]);
		if (manifest_check_path(tok[2], why, sizeof(why)))
			return trust_line_err(t, err, errlen, "%s", why);
		for (size_t i = 0; i < m->nfiles; i++)
			if (!strcmp(m->files[i].path, tok[2]))
				return trust_line_err(t, err, errlen, "duplicate file '%s'",
						      tok[2]);
		if (m->nfiles == MANIFEST_MAX_FILES)
			return trust_line_err(t, err, errlen, "more than %d files",
					      MANIFEST_MAX_FILES);
		f = &m->files[m->nfiles];
		if (trust_parse_hex(tok[3], f->hash, MANIFEST_HASH_LEN))
			return trust_line_err(t, err, errlen,
					      "invalid hash for '%s' (expected %d lower-case hex "
					      "digits of BLAKE2b-512, as b2sum prints)",
					      tok[2], 2 * MANIFEST_HASH_LEN);
		f->kind = (enum manifest_kind)kind;
		strcpy(f->path, tok[2]);
		m->nfiles++;
		break;
	}
	}
	*rank = r;
	return 0;
}

int manifest_parse(const char *text, size_t len, struct manifest *m, char *err, size_t errlen)
{
	struct trust_text t;
	char line[TRUST_LINE_MAX + 1];
	char *tok[5];
	int rank = -1, rc, n;

	memset(m, 0, sizeof(*m));
	if (len > MANIFEST_MAX_SIZE) {
		trust_errf(err, errlen, "MANIFEST is %zu bytes (at most %d)", len,
			   MANIFEST_MAX_SIZE);
		return -EINVAL;
	}
	trust_text_init(&t, "MANIFEST", text, len, true);
	while ((rc = trust_text_next(&t, line, sizeof(line), err, errlen)) > 0) {
		n = trust_split(&t, line, tok, 5, err, errlen);
		if (n < 0)
			return n;
		rc = parse_line(&t, m, tok, n, &rank, err, errlen);
		if (rc)
			return rc;
	}
	if (rc < 0)
		return rc;
	if (rank < R_SEQ) {
		trust_errf(err, errlen, "MANIFEST ends before its '%s' line",
			   rank_kw[rank < 0 ? 0 : rank + 1]);
		return -EINVAL;
	}
	if (m->nfiles == 0) {
		trust_errf(err, errlen, "MANIFEST lists no file (at least one 'file' line)");
		return -EINVAL;
	}
	return 0;
}

/* A growable output buffer; on allocation failure it remembers the error. */
struct outbuf {
	char *p;
	size_t len, cap;
	bool failed;
};

static void out_printf(struct outbuf *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void out_printf(struct outbuf *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->failed)
		return;
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || o->len + (size_t)n + 1 > o->cap) {
		size_t cap = (o->len + (size_t)(n < 0 ? 0 : n) + 1) * 2;
		char *p = n < 0 ? NULL : realloc(o->p, cap);

		if (!p) {
			o->failed = true;
			return;
		}
		o->p = p;
		o->cap = cap;
	}
	va_start(ap, fmt);
	vsnprintf(o->p + o->len, o->cap - o->len, fmt, ap);
	va_end(ap);
	o->len += (size_t)n;
}

int manifest_write(const struct manifest *m, char **text, size_t *len, char *err, size_t errlen)
{
	struct outbuf o = {0};
	char hex[2 * MANIFEST_HASH_LEN + 1];
	struct manifest *check;
	int rc;

	out_printf(&o, "bulwark-bundle 1\nname %s\nversion %s\nseq %" PRIu64 "\n", m->name,
		   m->version, m->seq);
	if (m->has_expires)
		out_printf(&o, "expires %s\n", m->expires_text);
	for (int i = 0; i < TRUST_HOOK_COUNT; i++)
		if (m->hooks & (1u << i))
			out_printf(&o, "hook %s\n", trust_hook_name(i));
	for (int i = 0; i < TRUST_HC_COUNT; i++)
		if (m->helpers & (1u << i))
			out_printf(&o, "helper %s\n", trust_helper_class_name(i));
	for (size_t i = 0; i < m->nfiles && i < MANIFEST_MAX_FILES; i++) {
		trust_hex(m->files[i].hash, MANIFEST_HASH_LEN, hex);
		out_printf(&o, "file %s %s %s\n", manifest_kind_name(m->files[i].kind),
			   m->files[i].path, hex);
	}
	if (o.failed) {
		free(o.p);
		trust_errf(err, errlen, "out of memory writing MANIFEST");
		return -ENOMEM;
	}
	/* Everything written must read back: validate by parsing (unknown bits, bad names...). */
	check = malloc(sizeof(*check));
	if (!check) {
		free(o.p);
		return -ENOMEM;
	}
	rc = manifest_parse(o.p, o.len, check, err, errlen);
	if (!rc && (check->hooks != m->hooks || check->helpers != m->helpers ||
		    check->nfiles != m->nfiles)) {
		trust_errf(err, errlen, "MANIFEST has unknown hook or helper bits");
		rc = -EINVAL;
	}
	free(check);
	if (rc) {
		free(o.p);
		return rc;
	}
	*text = o.p;
	*len = o.len;
	return 0;
}
