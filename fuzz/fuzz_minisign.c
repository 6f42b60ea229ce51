/* fuzz_minisign.c: hostile public keys, secret keys and signatures into the minisign parsers.
 * The first byte picks the parser; a parsed signature is also verified against a fixed key. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "trust/minisign.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct minisign_pubkey pk = {{1, 2, 3, 4, 5, 6, 7, 8}, {9}};
	struct minisign_pubkey k;
	struct minisign_seckey sk;
	struct minisign_sig sig;
	char err[256];

	if (size < 1)
		return 0;
	switch (data[0] % 3) {
	case 0:
		minisign_parse_pubkey((const char *)data + 1, size - 1, &k, err, sizeof(err));
		break;
	case 1:
		minisign_parse_seckey((const char *)data + 1, size - 1, &sk, err, sizeof(err));
		break;
	default:
		if (minisign_parse_sig((const char *)data + 1, size - 1, &sig, err, sizeof(err)) ==
		    0)
			minisign_verify_sig(&pk, &sig, data, size, err, sizeof(err));
		break;
	}
	return 0;
}
