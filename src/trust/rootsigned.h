/* rootsigned.h: loading the administrator's files signed with the host's root key (the trust
 * list and the MAC policy). FILE's signature is FILE.minisig, made with stock minisign:
 *     minisign -S -s root.key -m FILE -t "bulwark-trust/1 version=N"     (or bulwark-policy/1)
 * Checks, refusing at the first failure: the signature is prehashed (ED); its key id is the root
 * key's and the full key is equal; signature and trusted-comment signature are valid (libsodium
 * via minisign.c); the file parses; the trusted comment is exactly "TAG version=N" with the
 * file's own version; it has not expired; its version is not below the one recorded in the state
 * (no rollback). Refusal codes are "PREFIX-REASON" (trust-list-expired, policy-rollback...). */
#ifndef BULWARK_TRUST_ROOTSIGNED_H
#define BULWARK_TRUST_ROOTSIGNED_H

#include <stddef.h>
#include <stdint.h>

#include "trust/minisign.h"
#include "trust/refusal.h"
#include "trust/state.h"
#include "trust/trustlist.h"

/* Reads path (at most max bytes) and path.minisig and checks the signature with root (first
 * three checks above). Returns 0 with the file's bytes in *data (malloc'ed, NUL-terminated) and
 * the parsed signature in *sig, or -EPERM with why filled. */
int rootsigned_read(const char *path, size_t max, const struct minisign_pubkey *root,
		    const char *prefix, uint8_t **data, size_t *len, struct minisign_sig *sig,
		    struct trust_refusal *why);

/* Checks that sig's trusted comment is "TAG version=VERSION". Returns 0 or -EPERM. */
int rootsigned_check_comment(const struct minisign_sig *sig, const char *tag, uint64_t version,
			     const char *path, const char *prefix, struct trust_refusal *why);

/* Loads and checks a trust list (all the checks above; st may be NULL to skip the rollback
 * check). Returns 0 with *out, or -EPERM with why ("trust-list-..."). */
int trust_load_list(const char *path, const struct minisign_pubkey *root, int64_t now,
		    const struct trust_state *st, struct trustlist **out,
		    struct trust_refusal *why);

#endif
