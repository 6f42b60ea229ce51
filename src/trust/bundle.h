/* bundle.h: verifying a signed extension bundle (docs/bundle-format.md) before anything of it is
 * used. A bundle is a directory with MANIFEST, MANIFEST.minisig, optionally MANIFEST.pub (the
 * signer's public key), and the payload files MANIFEST lists.
 *
 * bundle_verify() checks, in this order, refusing at the first failure with a reason code:
 *   1. the signature is prehashed (ED) minisign ............................. legacy-signature
 *   2. its key id is a vendor key of the trust list .............................. unknown-key
 *      and, when the bundle ships MANIFEST.pub, that key equals the trusted key . key-mismatch
 *   3. signature and trusted-comment signature are valid ......... bad-signature, bad-trusted-
 *                                                                      comment-signature
 *   4. MANIFEST parses, and the trusted comment is exactly "bulwark-bundle/1 name=NAME seq=N"
 *      of the manifest ........................... bad-manifest, trusted-comment-mismatch
 *   5. the trust list admits it: denied-key, denied-name, denied-hash (a payload's or the
 *      MANIFEST's BLAKE2b-512), name-not-allowed (vendor patterns), seq-below-floor (the
 *      list's floor and the host's state), expired
 *   6. each payload file, opened without following symlinks and read once into memory, has
 *      the hash MANIFEST lists ............. payload-unreadable, payload-hash-mismatch
 *   7. the MAC policy (when given) grants every requested hook and helper class on the VM
 *      ....................................... policy-hook-denied, policy-helper-denied
 * Reading failures before step 1 are bundle-unreadable / signature-unreadable.
 *
 * The verified bytes are kept: later stages use bundle_payload() or a sealed memfd made from
 * them (bundle_payload_memfd), never the files again, so nothing changes between check and use. */
#ifndef BULWARK_TRUST_BUNDLE_H
#define BULWARK_TRUST_BUNDLE_H

#include <stddef.h>
#include <stdint.h>

#include "trust/manifest.h"
#include "trust/minisign.h"
#include "trust/policy.h"
#include "trust/refusal.h"
#include "trust/state.h"
#include "trust/trustlist.h"

#define BUNDLE_PAYLOAD_MAX (64u << 20) /* bytes per payload file */
#define BUNDLE_TOTAL_MAX (256u << 20)  /* bytes of all payload files */

struct bundle {
	struct manifest manifest;
	char vendor[TRUST_NAME_MAX + 1]; /* the trust-list vendor whose key signed it */
	struct minisign_pubkey signer;
	uint8_t manifest_hash[64]; /* BLAKE2b-512 of MANIFEST's bytes */
	uint8_t *payload[MANIFEST_MAX_FILES];
	size_t payload_len[MANIFEST_MAX_FILES];
	/* In a permissive policy, what the policy would have refused (code empty otherwise): the
	 * caller audits it. */
	struct trust_refusal permissive;
};

struct bundle_checks {
	const struct trustlist *trust;	 /* required */
	const struct trust_state *state; /* host floors; NULL: the list's floors only */
	const struct policy *policy;	 /* NULL: no MAC check */
	const char *vm;			 /* VM name for the policy (required with a policy) */
	int64_t now;			 /* for expiry */
};

/* Verifies the bundle in directory dir. Returns 0 with *out (free with bundle_free), -EPERM
 * with why filled, or -ENOMEM. */
int bundle_verify(const char *dir, const struct bundle_checks *checks, struct bundle **out,
		  struct trust_refusal *why);
void bundle_free(struct bundle *b);

/* The verified bytes of the payload file at path (as listed in MANIFEST), or NULL. */
const uint8_t *bundle_payload(const struct bundle *b, const char *path, size_t *len);

/* A memfd holding payload file i's verified bytes, sealed against every change (F_SEAL_SEAL,
 * SHRINK, GROW, WRITE), positioned at 0, close-on-exec. Returns the fd or -errno with err. */
int bundle_payload_memfd(const struct bundle *b, size_t i, char *err, size_t errlen);

/* Reads a payload file beneath dirfd (no symlinks anywhere on the path, regular file only,
 * at most max bytes) into a malloc'ed buffer. Returns 0 or -errno with err. Also used by
 * `bulwark bundle create`. */
int bundle_read_beneath(int dirfd, const char *path, size_t max, uint8_t **data, size_t *len,
			char *err, size_t errlen);

#endif
