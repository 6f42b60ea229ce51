/* fuzz_trustlist.c: hostile bytes into the trust list parser (first byte even) and the state
 * file parser (odd); a parsed list is queried with a fixed key, name and hash. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "trust/state.h"
#include "trust/trustlist.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct minisign_pubkey pk = {{1, 2, 3, 4, 5, 6, 7, 8}, {9}};
	static const uint8_t hash[64] = {1};
	struct trustlist *tl = NULL;
	char err[512];

	if (size < 1)
		return 0;
	if (data[0] & 1) {
		struct trust_state st;

		memset(&st, 0, sizeof(st));
		st.lock_fd = -1;
		trust_state_parse("state", (const char *)data + 1, size - 1, &st, err, sizeof(err));
		free(st.floors);
		return 0;
	}
	if (trustlist_parse((const char *)data + 1, size - 1, &tl, err, sizeof(err)) != 0)
		return 0;
	for (size_t i = 0; i < tl->nvendors; i++)
		(void)trust_vendor_allows(&tl->vendors[i], "acme-fw");
	(void)trustlist_find_key(tl, pk.key_id);
	(void)trustlist_key_denied(tl, &pk);
	(void)trustlist_name_denied(tl, "acme-fw");
	(void)trustlist_hash_denied(tl, hash);
	(void)trustlist_floor(tl, "acme-fw");
	trustlist_free(tl);
	return 0;
}
