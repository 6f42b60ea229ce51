/* bundle.c: see bundle.h. The order of the checks is the order of the code below. */
#include "trust/bundle.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "trust/text.h"

#define SIG_FILE_MAX 8192
#define PUB_FILE_MAX 4096

void bundle_free(struct bundle *b)
{
	if (!b)
		return;
	for (size_t i = 0; i < MANIFEST_MAX_FILES; i++) {
		if (b->payload[i]) {
			sodium_memzero(b->payload[i], b->payload_len[i]);
			free(b->payload[i]);
		}
	}
	free(b);
}

int bundle_read_beneath(int dirfd, const char *path, size_t max, uint8_t **data, size_t *len,
			char *err, size_t errlen)
{
	char comp[MANIFEST_PATH_MAX + 1];
	const char *p = path;
	int fd = dirfd, next, rc = 0;
	struct stat st;
	uint8_t *buf = NULL;
	size_t used = 0;

	*data = NULL;
	if (strlen(path) > MANIFEST_PATH_MAX) {
		trust_errf(err, errlen, "%s: path too long", path);
		return -ENAMETOOLONG;
	}
	/* Defence in depth (MANIFEST paths are already checked): no empty, "." or ".." component,
	 * so the walk below can only go down. */
	for (const char *q = path;;) {
		const char *slash = strchr(q, '/');
		size_t n = slash ? (size_t)(slash - q) : strlen(q);

		if (n == 0 || (n == 1 && q[0] == '.') || (n == 2 && q[0] == '.' && q[1] == '.')) {
			trust_errf(err, errlen,
				   "%s: path leaves the bundle or has an empty component", path);
			return -EINVAL;
		}
		if (!slash)
			break;
		q = slash + 1;
	}
	for (;;) {
		const char *slash = strchr(p, '/');
		size_t n = slash ? (size_t)(slash - p) : strlen(p);
		int flags = O_RDONLY | O_CLOEXEC | O_NOFOLLOW | (slash ? O_DIRECTORY : O_NONBLOCK);

		memcpy(comp, p, n);
		comp[n] = '\0';
		next = openat(fd, comp, flags);
		if (next < 0) {
			rc = -errno;
			if (rc == -ELOOP || (slash && rc == -ENOTDIR))
				trust_errf(err, errlen,
					   "%s: '%s' is a symbolic link or not a directory "
					   "(bundles may not contain symlinks)",
					   path, comp);
			else
				trust_errf(err, errlen, "%s: %s", path, strerror(-rc));
			goto out;
		}
		if (fd != dirfd)
			close(fd);
		fd = next;
		if (!slash)
			break;
		p = slash + 1;
	}
	if (fstat(fd, &st) < 0) {
		rc = -errno;
		trust_errf(err, errlen, "%s: %s", path, strerror(-rc));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = -EINVAL;
		trust_errf(err, errlen, "%s: not a regular file", path);
		goto out;
	}
	if ((uint64_t)st.st_size > max) {
		rc = -EFBIG;
		trust_errf(err, errlen, "%s: %lld bytes, more than the %zu allowed", path,
			   (long long)st.st_size, max);
		goto out;
	}
	/* Read once, to the end, whatever the size said: the bytes read are the bytes used. */
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		rc = -ENOMEM;
		goto out;
	}
	for (size_t cap = (size_t)st.st_size + 1;;) {
		ssize_t r;

		if (used == cap) {
			uint8_t *g;

			if (cap > max) {
				rc = -EFBIG;
				trust_errf(err, errlen, "%s: grew beyond %zu bytes while read",
					   path, max);
				goto out;
			}
			g = realloc(buf, cap * 2);
			if (!g) {
				rc = -ENOMEM;
				goto out;
			}
			buf = g;
			cap *= 2;
		}
		r = read(fd, buf + used, cap - used);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = -errno;
			trust_errf(err, errlen, "%s: %s", path, strerror(-rc));
			goto out;
		}
		if (r == 0)
			break;
		used += (size_t)r;
	}
	if (used > max) {
		rc = -EFBIG;
		trust_errf(err, errlen, "%s: more than %zu bytes", path, max);
		goto out;
	}
	*data = buf;
	*len = used;
	buf = NULL;
out:
	free(buf);
	if (fd != dirfd && fd >= 0)
		close(fd);
	return rc;
}

static void blake2b512(const uint8_t *data, size_t len, uint8_t out[64])
{
	crypto_generichash(out, 64, data, len, NULL, 0);
}

/* Step 5: what the trust list (and the host's floors) say. */
static int check_trust(const struct bundle *b, const struct bundle_checks *c,
		       struct trust_refusal *why)
{
	const struct manifest *m = &b->manifest;
	const char *pat;
	char hex[129], t1[32], t2[32];
	uint64_t floor, sfloor;

	if (trustlist_key_denied(c->trust, &b->signer)) {
		minisign_key_id_hex(b->signer.key_id, hex);
		return trust_refuse(why, "denied-key",
				    "signing key %s (vendor '%s') is denied by the trust list", hex,
				    b->vendor);
	}
	pat = trustlist_name_denied(c->trust, m->name);
	if (pat)
		return trust_refuse(why, "denied-name",
				    "bundle name '%s' is denied by the trust list (deny name %s)",
				    m->name, pat);
	if (trustlist_hash_denied(c->trust, b->manifest_hash)) {
		trust_hex(b->manifest_hash, 64, hex);
		return trust_refuse(why, "denied-hash",
				    "MANIFEST's hash %.16s... is denied by the trust list", hex);
	}
	for (size_t i = 0; i < m->nfiles; i++) {
		if (trustlist_hash_denied(c->trust, m->files[i].hash)) {
			trust_hex(m->files[i].hash, 64, hex);
			return trust_refuse(why, "denied-hash",
					    "payload '%s' (hash %.16s...) is denied by the trust "
					    "list",
					    m->files[i].path, hex);
		}
	}
	if (!trust_vendor_allows(trustlist_find_key(c->trust, b->signer.key_id), m->name))
		return trust_refuse(why, "name-not-allowed",
				    "vendor '%s' may not sign the name '%s' (not matched by its "
				    "names patterns in the trust list)",
				    b->vendor, m->name);
	floor = trustlist_floor(c->trust, m->name);
	sfloor = c->state ? trust_state_floor(c->state, m->name) : 0;
	if (sfloor > floor)
		floor = sfloor;
	if (m->seq < floor)
		return trust_refuse(
		    why, "seq-below-floor",
		    "'%s' seq %" PRIu64 " is below the floor %" PRIu64
		    " (rollback refused; trust list floor %" PRIu64 ", host state %" PRIu64 ")",
		    m->name, m->seq, floor, trustlist_floor(c->trust, m->name), sfloor);
	if (m->has_expires && c->now >= m->expires) {
		trust_format_time(m->expires, t1);
		trust_format_time(c->now, t2);
		return trust_refuse(why, "expired", "bundle '%s' expired at %s (now %s)", m->name,
				    t1, t2);
	}
	return 0;
}

/* Step 7: the MAC policy. In permissive mode a refusal is recorded in b->permissive. */
static int check_policy(struct bundle *b, const struct bundle_checks *c, struct trust_refusal *why)
{
	const struct manifest *m = &b->manifest;
	uint32_t missing;
	char names[256];
	struct trust_refusal r;
	int rc = 0;

	if (!policy_check(c->policy, b->vendor, m->name, c->vm, TRUST_OBJ_HOOK, m->hooks,
			  &missing) ||
	    missing) {
		policy_mask_names(TRUST_OBJ_HOOK, missing, names, sizeof(names));
		rc =
		    trust_refuse(&r, "policy-hook-denied",
				 "the policy does not let '%s' (signer %s) attach to hook %s on VM "
				 "'%s'",
				 m->name, b->vendor, names, c->vm);
	} else if (!policy_check(c->policy, b->vendor, m->name, c->vm, TRUST_OBJ_HELPER, m->helpers,
				 &missing) ||
		   missing) {
		policy_mask_names(TRUST_OBJ_HELPER, missing, names, sizeof(names));
		rc = trust_refuse(&r, "policy-helper-denied",
				  "the policy does not let '%s' (signer %s) use helper class %s on "
				  "VM '%s'",
				  m->name, b->vendor, names, c->vm);
	}
	if (!rc)
		return 0;
	if (c->policy->permissive) {
		b->permissive = r;
		return 0;
	}
	if (why)
		*why = r;
	return rc;
}

int bundle_verify(const char *dir, const struct bundle_checks *c, struct bundle **out,
		  struct trust_refusal *why)
{
	struct bundle *b = NULL;
	struct minisign_sig sig;
	const struct trust_vendor *v;
	uint8_t *mtext = NULL, *stext = NULL, *ptext = NULL;
	size_t mlen = 0, slen = 0, plen = 0, total = 0;
	char err[512], id[17], tc[MANIFEST_COMMENT_MAX];
	int dirfd, rc;

	*out = NULL;
	if (sodium_init() < 0)
		return trust_refuse(why, "bundle-unreadable", "libsodium failed to initialise");
	dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return trust_refuse(why, "bundle-unreadable", "%s: %s", dir, strerror(errno));
	b = calloc(1, sizeof(*b));
	if (!b) {
		close(dirfd);
		return -ENOMEM;
	}
	if (bundle_read_beneath(dirfd, "MANIFEST", MANIFEST_MAX_SIZE, &mtext, &mlen, err,
				sizeof(err))) {
		rc = trust_refuse(why, "bundle-unreadable", "%s/%s", dir, err);
		goto out;
	}
	if (bundle_read_beneath(dirfd, "MANIFEST.minisig", SIG_FILE_MAX, &stext, &slen, err,
				sizeof(err))) {
		rc = trust_refuse(why, "signature-unreadable", "%s/%s", dir, err);
		goto out;
	}
	if (minisign_parse_sig((const char *)stext, slen, &sig, err, sizeof(err))) {
		rc = trust_refuse(why, "signature-unreadable", "%s/MANIFEST.minisig: %s", dir, err);
		goto out;
	}
	/* 1. prehashed only */
	if (!sig.prehashed) {
		rc = trust_refuse(why, "legacy-signature",
				  "%s/MANIFEST.minisig is a legacy (non-prehashed 'Ed') signature; "
				  "sign with stock minisign without -l (prehashed 'ED')",
				  dir);
		goto out;
	}
	/* 2. key by id among the trusted vendor keys, then the full key */
	minisign_key_id_hex(sig.key_id, id);
	v = trustlist_find_key(c->trust, sig.key_id);
	if (!v) {
		rc = trust_refuse(
		    why, "unknown-key",
		    "%s is signed by key %s, which is no vendor key of the trust list", dir, id);
		goto out;
	}
	rc = bundle_read_beneath(dirfd, "MANIFEST.pub", PUB_FILE_MAX, &ptext, &plen, err,
				 sizeof(err));
	if (rc && rc != -ENOENT) {
		rc = trust_refuse(why, "bundle-unreadable", "%s/%s", dir, err);
		goto out;
	}
	if (!rc) {
		struct minisign_pubkey shipped;

		if (minisign_parse_pubkey((const char *)ptext, plen, &shipped, err, sizeof(err))) {
			rc = trust_refuse(why, "key-mismatch", "%s/MANIFEST.pub: %s", dir, err);
			goto out;
		}
		if (sodium_memcmp(shipped.key_id, sig.key_id, 8) ||
		    sodium_memcmp(shipped.pk, v->key.pk, 32)) {
			rc =
			    trust_refuse(why, "key-mismatch",
					 "%s/MANIFEST.pub has key id %s like vendor '%s''s trusted "
					 "key, but not the same key bytes (or another id)",
					 dir, id, v->name);
			goto out;
		}
	}
	b->signer = v->key;
	snprintf(b->vendor, sizeof(b->vendor), "%s", v->name);
	/* 3. signature and trusted-comment signature, with the trusted key */
	rc = minisign_verify_sig(&v->key, &sig, mtext, mlen, err, sizeof(err));
	if (rc == -EPROTO) {
		rc = trust_refuse(why, "bad-trusted-comment-signature",
				  "%s/MANIFEST.minisig: %s (key %s, vendor '%s')", dir, err, id,
				  v->name);
		goto out;
	}
	if (rc) {
		rc = trust_refuse(why, "bad-signature",
				  "%s/MANIFEST.minisig: %s (key %s, vendor '%s')", dir, err, id,
				  v->name);
		goto out;
	}
	/* 4. the manifest, and the trusted comment that binds its name and seq */
	if (manifest_parse((const char *)mtext, mlen, &b->manifest, err, sizeof(err))) {
		rc = trust_refuse(why, "bad-manifest", "%s/%s", dir, err);
		goto out;
	}
	manifest_trusted_comment(&b->manifest, tc);
	if (strcmp(sig.trusted_comment, tc)) {
		rc = trust_refuse(why, "trusted-comment-mismatch",
				  "%s/MANIFEST.minisig: trusted comment is '%.200s', the manifest "
				  "needs '%s'",
				  dir, sig.trusted_comment, tc);
		goto out;
	}
	blake2b512(mtext, mlen, b->manifest_hash);
	/* 5. the trust list */
	rc = check_trust(b, c, why);
	if (rc)
		goto out;
	/* 6. payloads: read once, hash what was read, keep it */
	for (size_t i = 0; i < b->manifest.nfiles; i++) {
		const struct manifest_file *f = &b->manifest.files[i];
		uint8_t h[64];

		rc = bundle_read_beneath(dirfd, f->path, BUNDLE_PAYLOAD_MAX, &b->payload[i],
					 &b->payload_len[i], err, sizeof(err));
		if (rc) {
			rc = trust_refuse(why, "payload-unreadable", "%s/%s", dir, err);
			goto out;
		}
		total += b->payload_len[i];
		if (total > BUNDLE_TOTAL_MAX) {
			rc = trust_refuse(why, "payload-unreadable",
					  "%s: payload files total more than %u bytes", dir,
					  BUNDLE_TOTAL_MAX);
			goto out;
		}
		blake2b512(b->payload[i], b->payload_len[i], h);
		if (sodium_memcmp(h, f->hash, 64)) {
			char want[129], got[129];

			trust_hex(f->hash, 64, want);
			trust_hex(h, 64, got);
			rc = trust_refuse(why, "payload-hash-mismatch",
					  "%s/%s: BLAKE2b-512 is %.16s..., MANIFEST says %.16s...",
					  dir, f->path, got, want);
			goto out;
		}
	}
	/* 7. the MAC policy */
	if (c->policy) {
		if (!c->vm) {
			rc = trust_refuse(why, "policy-hook-denied",
					  "a policy check needs the VM's name");
			goto out;
		}
		rc = check_policy(b, c, why);
		if (rc)
			goto out;
	}
	*out = b;
	b = NULL;
	rc = 0;
out:
	free(mtext);
	free(stext);
	free(ptext);
	bundle_free(b);
	close(dirfd);
	return rc;
}

const uint8_t *bundle_payload(const struct bundle *b, const char *path, size_t *len)
{
	for (size_t i = 0; i < b->manifest.nfiles; i++) {
		if (!strcmp(b->manifest.files[i].path, path)) {
			*len = b->payload_len[i];
			return b->payload[i];
		}
	}
	return NULL;
}

int bundle_payload_memfd(const struct bundle *b, size_t i, char *err, size_t errlen)
{
	const char *base;
	size_t done = 0;
	int fd, rc;

	if (i >= b->manifest.nfiles) {
		trust_errf(err, errlen, "no payload file %zu", i);
		return -EINVAL;
	}
	base = strrchr(b->manifest.files[i].path, '/');
	base = base ? base + 1 : b->manifest.files[i].path;
	fd = memfd_create(base, MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0) {
		rc = -errno;
		trust_errf(err, errlen, "memfd_create for %s: %s", base, strerror(-rc));
		return rc;
	}
	while (done < b->payload_len[i]) {
		ssize_t w = write(fd, b->payload[i] + done, b->payload_len[i] - done);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			rc = w < 0 ? -errno : -EIO;
			goto fail;
		}
		done += (size_t)w;
	}
	if (fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) < 0 ||
	    lseek(fd, 0, SEEK_SET) < 0) {
		rc = -errno;
		goto fail;
	}
	return fd;
fail:
	trust_errf(err, errlen, "sealed memfd for %s: %s", base, strerror(-rc));
	close(fd);
	return rc;
}
