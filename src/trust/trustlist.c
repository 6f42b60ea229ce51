/* trustlist.c: parser and queries of the trust list (see trustlist.h, docs/trust-list.md). */
#include "trust/trustlist.h"

#include <errno.h>
#include <fnmatch.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TOKENS (4 + TRUSTLIST_MAX_PATTERNS)

void trustlist_free(struct trustlist *tl)
{
	if (!tl)
		return;
	free(tl->vendors);
	free(tl->deny_keys);
	free(tl->deny_hashes);
	free(tl->deny_names);
	free(tl->floors);
	free(tl);
}

/* Makes room for one more element in *arr, which holds n elements of size sz; the capacity is
 * the next power of two, so reallocating at n = 0 and at powers of two suffices. */
static int grow(void *arr, size_t n, size_t sz)
{
	void **p = arr;
	void *q;

	if (n >= TRUSTLIST_MAX_ENTRIES)
		return -E2BIG;
	if (n && (n & (n - 1)))
		return 0;
	q = realloc(*p, (n ? 2 * n : 1) * sz);
	if (!q)
		return -ENOMEM;
	*p = q;
	return 0;
}

static int parse_key(struct trust_text *t, const char *b64, struct minisign_pubkey *pk, char *err,
		     size_t errlen)
{
	char why[256];

	if (minisign_parse_pubkey(b64, strlen(b64), pk, why, sizeof(why)))
		return trust_line_err(t, err, errlen, "invalid public key '%.60s': %s", b64, why);
	return 0;
}

static int check_pattern(struct trust_text *t, const char *p, char *err, size_t errlen)
{
	if (!trust_valid_pattern(p))
		return trust_line_err(t, err, errlen,
				      "invalid name pattern '%.80s' (1 to %d of letters, digits, "
				      ". _ + - and the glob characters * ? [ ] !)",
				      p, TRUST_PATTERN_MAX);
	return 0;
}

static int add_entry_err(struct trust_text *t, int rc, char *err, size_t errlen)
{
	if (rc == -E2BIG)
		return trust_line_err(t, err, errlen, "more than %d entries of this kind",
				      TRUSTLIST_MAX_ENTRIES);
	trust_errf(err, errlen, "out of memory reading the trust list");
	return rc;
}

static int parse_body(struct trust_text *t, struct trustlist *tl, char **tok, int n, char *err,
		      size_t errlen)
{
	int rc;

	if (!strcmp(tok[0], "vendor")) {
		struct trust_vendor v;

		if (n < 5 || strcmp(tok[3], "names"))
			return trust_line_err(t, err, errlen,
					      "expected 'vendor NAME PUBKEY names PATTERN...'");
		if (!trust_valid_name(tok[1]))
			return trust_line_err(t, err, errlen, "invalid vendor name '%.80s'",
					      tok[1]);
		memset(&v, 0, sizeof(v));
		strcpy(v.name, tok[1]);
		rc = parse_key(t, tok[2], &v.key, err, errlen);
		if (rc)
			return rc;
		for (size_t i = 0; i < tl->nvendors; i++) {
			if (!strcmp(tl->vendors[i].name, v.name))
				return trust_line_err(t, err, errlen, "duplicate vendor '%s'",
						      v.name);
			if (!memcmp(tl->vendors[i].key.key_id, v.key.key_id, 8)) {
				char id[17];

				minisign_key_id_hex(v.key.key_id, id);
				return trust_line_err(t, err, errlen,
						      "key id %s is already vendor '%s''s key "
						      "(key ids must be unique)",
						      id, tl->vendors[i].name);
			}
		}
		for (int i = 4; i < n; i++) {
			rc = check_pattern(t, tok[i], err, errlen);
			if (rc)
				return rc;
			for (size_t j = 0; j < v.npatterns; j++)
				if (!strcmp(v.patterns[j], tok[i]))
					return trust_line_err(t, err, errlen,
							      "duplicate pattern '%s'", tok[i]);
			strcpy(v.patterns[v.npatterns++], tok[i]);
		}
		rc = grow(&tl->vendors, tl->nvendors, sizeof(*tl->vendors));
		if (rc)
			return add_entry_err(t, rc, err, errlen);
		tl->vendors[tl->nvendors++] = v;
		return 0;
	}
	if (!strcmp(tok[0], "deny")) {
		if (n != 3 ||
		    (strcmp(tok[1], "key") && strcmp(tok[1], "hash") && strcmp(tok[1], "name")))
			return trust_line_err(t, err, errlen,
					      "expected 'deny key PUBKEY', 'deny hash HEX' or "
					      "'deny name PATTERN'");
		if (!strcmp(tok[1], "key")) {
			struct minisign_pubkey pk;

			rc = parse_key(t, tok[2], &pk, err, errlen);
			if (rc)
				return rc;
			for (size_t i = 0; i < tl->ndeny_keys; i++)
				if (!memcmp(&tl->deny_keys[i], &pk, sizeof(pk)))
					return trust_line_err(t, err, errlen, "duplicate deny key");
			rc = grow(&tl->deny_keys, tl->ndeny_keys, sizeof(*tl->deny_keys));
			if (rc)
				return add_entry_err(t, rc, err, errlen);
			tl->deny_keys[tl->ndeny_keys++] = pk;
		} else if (!strcmp(tok[1], "hash")) {
			uint8_t h[64];

			if (trust_parse_hex(tok[2], h, sizeof(h)))
				return trust_line_err(t, err, errlen,
						      "invalid hash (expected 128 lower-case hex "
						      "digits of BLAKE2b-512, as b2sum prints)");
			for (size_t i = 0; i < tl->ndeny_hashes; i++)
				if (!memcmp(tl->deny_hashes[i], h, sizeof(h)))
					return trust_line_err(t, err, errlen,
							      "duplicate deny hash");
			rc = grow(&tl->deny_hashes, tl->ndeny_hashes, sizeof(*tl->deny_hashes));
			if (rc)
				return add_entry_err(t, rc, err, errlen);
			memcpy(tl->deny_hashes[tl->ndeny_hashes++], h, sizeof(h));
		} else {
			rc = check_pattern(t, tok[2], err, errlen);
			if (rc)
				return rc;
			for (size_t i = 0; i < tl->ndeny_names; i++)
				if (!strcmp(tl->deny_names[i], tok[2]))
					return trust_line_err(t, err, errlen,
							      "duplicate deny name '%s'", tok[2]);
			rc = grow(&tl->deny_names, tl->ndeny_names, sizeof(*tl->deny_names));
			if (rc)
				return add_entry_err(t, rc, err, errlen);
			strcpy(tl->deny_names[tl->ndeny_names++], tok[2]);
		}
		return 0;
	}
	if (!strcmp(tok[0], "floor")) {
		struct trust_floor f;

		if (n != 3)
			return trust_line_err(t, err, errlen, "expected 'floor NAME SEQ'");
		if (!trust_valid_name(tok[1]))
			return trust_line_err(t, err, errlen,
					      "invalid bundle name '%.80s' (a floor names one "
					      "bundle: no patterns)",
					      tok[1]);
		if (trust_parse_u64(tok[2], (uint64_t)INT64_MAX, &f.seq))
			return trust_line_err(t, err, errlen,
					      "invalid seq '%.40s' (decimal, no leading zeros)",
					      tok[2]);
		strcpy(f.name, tok[1]);
		for (size_t i = 0; i < tl->nfloors; i++)
			if (!strcmp(tl->floors[i].name, f.name))
				return trust_line_err(t, err, errlen, "duplicate floor for '%s'",
						      f.name);
		rc = grow(&tl->floors, tl->nfloors, sizeof(*tl->floors));
		if (rc)
			return add_entry_err(t, rc, err, errlen);
		tl->floors[tl->nfloors++] = f;
		return 0;
	}
	if (!strcmp(tok[0], "bulwark-trust") || !strcmp(tok[0], "version") ||
	    !strcmp(tok[0], "expires"))
		return trust_line_err(t, err, errlen,
				      "'%s' must come before the vendor, deny and floor lines (and "
				      "only once)",
				      tok[0]);
	return trust_line_err(t, err, errlen,
			      "unknown keyword '%.40s' (expected vendor, deny or floor)", tok[0]);
}

int trustlist_parse(const char *text, size_t len, struct trustlist **out, char *err, size_t errlen)
{
	struct trust_text t;
	char line[TRUST_LINE_MAX + 1];
	char *tok[MAX_TOKENS];
	struct trustlist *tl;
	int stage = 0; /* 0: header expected, 1: version, 2: expires or body, 3: body */
	int rc, n;

	*out = NULL;
	if (len > TRUSTLIST_MAX_SIZE) {
		trust_errf(err, errlen, "trust list is %zu bytes (at most %d)", len,
			   TRUSTLIST_MAX_SIZE);
		return -EINVAL;
	}
	tl = calloc(1, sizeof(*tl));
	if (!tl)
		return -ENOMEM;
	trust_text_init(&t, "trust list", text, len, false);
	while ((rc = trust_text_next(&t, line, sizeof(line), err, errlen)) > 0) {
		n = trust_split(&t, line, tok, MAX_TOKENS, err, errlen);
		if (n < 0) {
			rc = n;
			break;
		}
		if (stage == 0) {
			if (strcmp(tok[0], "bulwark-trust") || n != 2) {
				rc = trust_line_err(&t, err, errlen,
						    "the first line must be 'bulwark-trust 1'");
				break;
			}
			if (strcmp(tok[1], "1")) {
				rc = trust_line_err(&t, err, errlen,
						    "unsupported format version '%.20s' (this "
						    "bulwark reads version 1)",
						    tok[1]);
				break;
			}
			stage = 1;
		} else if (stage == 1) {
			if (strcmp(tok[0], "version") || n != 2) {
				rc = trust_line_err(&t, err, errlen,
						    "the second line must be 'version N'");
				break;
			}
			if (trust_parse_u64(tok[1], TRUSTLIST_VERSION_MAX, &tl->version) ||
			    tl->version == 0) {
				rc = trust_line_err(&t, err, errlen,
						    "invalid version '%.40s' (a decimal number "
						    "from 1, no leading zeros)",
						    tok[1]);
				break;
			}
			stage = 2;
		} else if (stage == 2 && !strcmp(tok[0], "expires")) {
			if (n != 2 || trust_parse_time(tok[1], &tl->expires)) {
				rc = trust_line_err(&t, err, errlen,
						    "expected 'expires RFC3339-TIME' (e.g. "
						    "2027-01-01T00:00:00Z)");
				break;
			}
			tl->has_expires = true;
			stage = 3;
		} else {
			stage = 3;
			rc = parse_body(&t, tl, tok, n, err, errlen);
			if (rc)
				break;
		}
	}
	if (rc == 0 && stage < 2) {
		trust_errf(err, errlen, "trust list ends before its %s line",
			   stage == 0 ? "'bulwark-trust 1'" : "'version N'");
		rc = -EINVAL;
	}
	if (rc < 0) {
		trustlist_free(tl);
		return rc;
	}
	*out = tl;
	return 0;
}

const struct trust_vendor *trustlist_find_key(const struct trustlist *tl, const uint8_t key_id[8])
{
	for (size_t i = 0; i < tl->nvendors; i++)
		if (!memcmp(tl->vendors[i].key.key_id, key_id, 8))
			return &tl->vendors[i];
	return NULL;
}

bool trustlist_key_denied(const struct trustlist *tl, const struct minisign_pubkey *pk)
{
	for (size_t i = 0; i < tl->ndeny_keys; i++)
		if (!memcmp(tl->deny_keys[i].key_id, pk->key_id, 8) ||
		    !sodium_memcmp(tl->deny_keys[i].pk, pk->pk, 32))
			return true;
	return false;
}

const char *trustlist_name_denied(const struct trustlist *tl, const char *name)
{
	for (size_t i = 0; i < tl->ndeny_names; i++)
		if (!fnmatch(tl->deny_names[i], name, 0))
			return tl->deny_names[i];
	return NULL;
}

bool trustlist_hash_denied(const struct trustlist *tl, const uint8_t hash[64])
{
	for (size_t i = 0; i < tl->ndeny_hashes; i++)
		if (!memcmp(tl->deny_hashes[i], hash, 64))
			return true;
	return false;
}

const char *trust_vendor_allows(const struct trust_vendor *v, const char *name)
{
	for (size_t i = 0; i < v->npatterns; i++)
		if (!fnmatch(v->patterns[i], name, 0))
			return v->patterns[i];
	return NULL;
}

uint64_t trustlist_floor(const struct trustlist *tl, const char *name)
{
	for (size_t i = 0; i < tl->nfloors; i++)
		if (!strcmp(tl->floors[i].name, name))
			return tl->floors[i].seq;
	return 0;
}
