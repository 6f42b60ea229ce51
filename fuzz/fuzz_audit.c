/* fuzz_audit.c: hostile audit logs (and head files) into the verifier: it must report, never
 * crash. The input is split at the first NUL into log text and head text. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "trust/audit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct minisign_pubkey pk = {{0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a},
						  {1}};
	const uint8_t *nul = memchr(data, 0, size);
	struct audit_verify_report rep;
	size_t log_len = nul ? (size_t)(nul - data) : size;

	audit_verify_text((const char *)data, log_len, &pk, nul ? (const char *)nul + 1 : NULL,
			  nul ? size - log_len - 1 : 0, &rep);
	audit_verify_text((const char *)data, log_len, NULL, NULL, 0, &rep);
	return 0;
}
