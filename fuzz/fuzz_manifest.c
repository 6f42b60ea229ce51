/* fuzz_manifest.c: hostile bytes into the MANIFEST parser. A manifest that parses must write
 * back to text that parses to the same manifest (the writer and the parser agree). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "trust/manifest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct manifest m, again;
	char err[512], tc[MANIFEST_COMMENT_MAX];
	char *text = NULL;
	size_t len;

	if (manifest_parse((const char *)data, size, &m, err, sizeof(err)) != 0)
		return 0;
	manifest_trusted_comment(&m, tc);
	if (manifest_write(&m, &text, &len, err, sizeof(err)) != 0)
		abort(); /* a parsed manifest is always writable */
	if (manifest_parse(text, len, &again, err, sizeof(err)) != 0 ||
	    memcmp(&m, &again, sizeof(m)) != 0)
		abort();
	free(text);
	return 0;
}
