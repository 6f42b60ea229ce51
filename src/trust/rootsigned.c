/* rootsigned.c: see rootsigned.h. */
#include "trust/rootsigned.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/file.h"
#include "trust/text.h"

#define SIG_FILE_MAX 8192

int rootsigned_read(const char *path, size_t max, const struct minisign_pubkey *root,
		    const char *prefix, uint8_t **data, size_t *len, struct minisign_sig *sig,
		    struct trust_refusal *why)
{
	char sigpath[4200], err[512], want[17], got[17];
	uint8_t *buf = NULL, *sigbuf = NULL;
	size_t siglen = 0;
	int rc;

	*data = NULL;
	rc = bw_read_file(path, max, &buf, len);
	if (rc)
		return trust_refuse2(why, prefix, "unreadable", "%s: %s", path,
				     rc == -EFBIG ? "file too large" : strerror(-rc));
	snprintf(sigpath, sizeof(sigpath), "%s.minisig", path);
	rc = bw_read_file(sigpath, SIG_FILE_MAX, &sigbuf, &siglen);
	if (rc) {
		free(buf);
		return trust_refuse2(why, prefix, "signature-unreadable", "%s: %s", sigpath,
				     rc == -EFBIG ? "file too large" : strerror(-rc));
	}
	rc = minisign_parse_sig((const char *)sigbuf, siglen, sig, err, sizeof(err));
	free(sigbuf);
	if (rc) {
		free(buf);
		return trust_refuse2(why, prefix, "signature-unreadable", "%s: %s", sigpath, err);
	}
	if (!sig->prehashed)
		rc = trust_refuse2(why, prefix, "legacy-signature",
				   "%s: legacy (non-prehashed 'Ed') signature; sign with a "
				   "minisign that makes prehashed ('ED') signatures (the default)",
				   sigpath);
	else if (memcmp(sig->key_id, root->key_id, 8)) {
		minisign_key_id_hex(root->key_id, want);
		minisign_key_id_hex(sig->key_id, got);
		rc = trust_refuse2(why, prefix, "unknown-key",
				   "%s: signed by key %s, not by the root key %s", sigpath, got,
				   want);
	}
	if (!rc) {
		/* The signature names the key only by id: the key used is always the root key
		 * given by the administrator, so "full key equal" holds by construction. */
		rc = minisign_verify_sig(root, sig, buf, *len, err, sizeof(err));
		if (rc == -EBADMSG)
			rc = trust_refuse2(why, prefix, "bad-signature", "%s: %s", sigpath, err);
		else if (rc == -EPROTO)
			rc = trust_refuse2(why, prefix, "bad-trusted-comment-signature", "%s: %s",
					   sigpath, err);
		else if (rc)
			rc = trust_refuse2(why, prefix, "bad-signature", "%s: %s", sigpath, err);
	}
	if (rc) {
		free(buf);
		return rc;
	}
	*data = buf;
	return 0;
}

int rootsigned_check_comment(const struct minisign_sig *sig, const char *tag, uint64_t version,
			     const char *path, const char *prefix, struct trust_refusal *why)
{
	char want[128];

	snprintf(want, sizeof(want), "%s version=%" PRIu64, tag, version);
	if (strcmp(sig->trusted_comment, want))
		return trust_refuse2(why, prefix, "trusted-comment-mismatch",
				     "%s.minisig: trusted comment is '%.200s', expected '%s'", path,
				     sig->trusted_comment, want);
	return 0;
}

int trust_load_list(const char *path, const struct minisign_pubkey *root, int64_t now,
		    const struct trust_state *st, struct trustlist **out, struct trust_refusal *why)
{
	struct minisign_sig sig;
	struct trustlist *tl = NULL;
	uint8_t *data;
	size_t len;
	char err[512], t1[32], t2[32];
	int rc;

	*out = NULL;
	rc = rootsigned_read(path, TRUSTLIST_MAX_SIZE, root, "trust-list", &data, &len, &sig, why);
	if (rc)
		return rc;
	rc = trustlist_parse((const char *)data, len, &tl, err, sizeof(err));
	free(data);
	if (rc)
		return trust_refuse(why, "trust-list-bad-format", "%s: %s", path, err);
	rc =
	    rootsigned_check_comment(&sig, "bulwark-trust/1", tl->version, path, "trust-list", why);
	if (!rc && tl->has_expires && now >= tl->expires) {
		trust_format_time(tl->expires, t1);
		trust_format_time(now, t2);
		rc = trust_refuse(why, "trust-list-expired", "%s: expired at %s (now %s)", path, t1,
				  t2);
	}
	if (!rc && st && tl->version < st->trust_version)
		rc = trust_refuse(why, "trust-list-rollback",
				  "%s: version %" PRIu64 " is older than version %" PRIu64
				  " already accepted on this host (%s)",
				  path, tl->version, st->trust_version, st->path);
	if (rc) {
		trustlist_free(tl);
		return rc;
	}
	*out = tl;
	return 0;
}
