/* trustlist.h: the administrator's trust list (docs/trust-list.md): which vendor keys may sign
 * which bundle names, what is denied, and the rollback floors. Signed with the host's root key
 * (LIST.minisig, trusted comment "bulwark-trust/1 version=N"; see signed_file.h).
 *
 *   bulwark-trust 1
 *   version 7
 *   expires 2027-01-01T00:00:00Z                    (optional)
 *   vendor acme RWQ...base64... names acme-* net-*  (key and the name patterns it may sign)
 *   deny key RWQ...base64...                        (a key, whatever vendor line lists it)
 *   deny hash 3f1c...128 hex...                     (a payload file or MANIFEST, BLAKE2b-512)
 *   deny name acme-old*                             (bundle names)
 *   floor acme-firewall 40                          (lower seq refused)
 *
 * The header and version lines come first (then expires); the rest in any order. Blank lines
 * and '#' comments are allowed; fields are separated by spaces or tabs. Default deny: a bundle is
 * admitted only when a vendor line's key signed it and one of its patterns (fnmatch) matches the
 * name; any matching deny line refuses it (deny beats allow). Unknown keywords, duplicates and
 * malformed lines are errors naming the line. Fuzzed by fuzz/fuzz-trustlist.c. */
#ifndef BULWARK_TRUST_TRUSTLIST_H
#define BULWARK_TRUST_TRUSTLIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "trust/minisign.h"
#include "trust/text.h"

#define TRUSTLIST_MAX_SIZE (256 * 1024)
#define TRUSTLIST_MAX_ENTRIES 4096 /* lines of each kind */
#define TRUSTLIST_MAX_PATTERNS 32  /* per vendor */
#define TRUSTLIST_VERSION_MAX ((uint64_t)INT64_MAX)

struct trust_vendor {
	char name[TRUST_NAME_MAX + 1];
	struct minisign_pubkey key;
	size_t npatterns;
	char patterns[TRUSTLIST_MAX_PATTERNS][TRUST_PATTERN_MAX + 1];
};

struct trust_floor {
	char name[TRUST_NAME_MAX + 1];
	uint64_t seq;
};

struct trustlist {
	uint64_t version;
	bool has_expires;
	int64_t expires;
	struct trust_vendor *vendors;
	size_t nvendors;
	struct minisign_pubkey *deny_keys;
	size_t ndeny_keys;
	uint8_t (*deny_hashes)[64];
	size_t ndeny_hashes;
	char (*deny_names)[TRUST_PATTERN_MAX + 1];
	size_t ndeny_names;
	struct trust_floor *floors;
	size_t nfloors;
};

/* Parses a trust list's text. Returns 0 or -EINVAL/-ENOMEM with "trust list line N: ..." in err. */
int trustlist_parse(const char *text, size_t len, struct trustlist **out, char *err, size_t errlen);
void trustlist_free(struct trustlist *tl);

/* The vendor whose key has this id, or NULL. Key ids are unique within a list. */
const struct trust_vendor *trustlist_find_key(const struct trustlist *tl, const uint8_t key_id[8]);
/* Whether a deny key line matches pk (same key id or same key bytes). */
bool trustlist_key_denied(const struct trustlist *tl, const struct minisign_pubkey *pk);
/* The first deny name pattern matching name, or NULL. */
const char *trustlist_name_denied(const struct trustlist *tl, const char *name);
bool trustlist_hash_denied(const struct trustlist *tl, const uint8_t hash[64]);
/* The first of the vendor's patterns matching name, or NULL. */
const char *trust_vendor_allows(const struct trust_vendor *v, const char *name);
/* The list's floor for name (0 without a floor line). */
uint64_t trustlist_floor(const struct trustlist *tl, const char *name);

#endif
