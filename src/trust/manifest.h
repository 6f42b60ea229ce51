/* manifest.h: a bundle's MANIFEST, the file the vendor signs (docs/bundle-format.md).
 *
 *   bulwark-bundle 1
 *   name acme-firewall
 *   version 1.4.2
 *   seq 42
 *   expires 2027-06-30T00:00:00Z          (optional)
 *   hook net.rx                           (zero or more)
 *   helper map                            (zero or more)
 *   file ext firewall.o 3f1c...(128 hex digits: BLAKE2b-512 of the file)   (one or more)
 *
 * Strict: the lines come in exactly this order, fields are separated by one space, no blank lines,
 * no comments, printable ASCII only, every line ends with a newline; duplicates and unknown
 * keywords are errors naming the line. Paths are relative, made of plain components (no "..",
 * no hidden files, no absolute paths); symlinks are refused when the files are opened (bundle.c).
 * The parser works on untrusted bytes and is fuzzed (fuzz/fuzz-manifest.c). */
#ifndef BULWARK_TRUST_MANIFEST_H
#define BULWARK_TRUST_MANIFEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "trust/text.h"

#define MANIFEST_MAX_SIZE (64 * 1024) /* bytes of MANIFEST */
#define MANIFEST_MAX_FILES 64
#define MANIFEST_PATH_MAX 255
#define MANIFEST_PATH_DEPTH 8
#define MANIFEST_VERSION_MAX 64
#define MANIFEST_SEQ_MAX ((uint64_t)INT64_MAX)
#define MANIFEST_HASH_LEN 64	 /* BLAKE2b-512 */
#define MANIFEST_COMMENT_MAX 160 /* "bulwark-bundle/1 name=NAME seq=N" */

enum manifest_kind { MANIFEST_KIND_EXT, MANIFEST_KIND_AGENT };

struct manifest_file {
	enum manifest_kind kind;
	char path[MANIFEST_PATH_MAX + 1];
	uint8_t hash[MANIFEST_HASH_LEN];
};

struct manifest {
	char name[TRUST_NAME_MAX + 1];
	char version[MANIFEST_VERSION_MAX + 1];
	uint64_t seq;
	bool has_expires;
	int64_t expires;       /* seconds since the epoch */
	char expires_text[40]; /* as written */
	uint32_t hooks;	       /* bit (1u << enum trust_hook) per requested hook */
	uint32_t helpers;      /* bit (1u << enum trust_helper_class) per requested class */
	size_t nfiles;
	struct manifest_file files[MANIFEST_MAX_FILES];
};

/* Parses MANIFEST text. Returns 0 or -EINVAL with "MANIFEST line N: ..." in err. */
int manifest_parse(const char *text, size_t len, struct manifest *m, char *err, size_t errlen);

/* Writes m in the format above (hooks and helpers in vocabulary order) into a malloc'ed,
 * NUL-terminated buffer. m is validated first: the output always parses back to m.
 * Returns 0, -EINVAL (with a message) or -ENOMEM. */
int manifest_write(const struct manifest *m, char **text, size_t *len, char *err, size_t errlen);

/* The trusted comment a bundle's signature must carry: "bulwark-bundle/1 name=NAME seq=N". */
void manifest_trusted_comment(const struct manifest *m, char out[MANIFEST_COMMENT_MAX]);

/* Checks a payload path (see above). Returns 0 or -EINVAL with the reason in err. */
int manifest_check_path(const char *path, char *err, size_t errlen);
/* A version: 1..64 of [A-Za-z0-9._+~-], starting with a letter or digit. */
bool manifest_valid_version(const char *s);

const char *manifest_kind_name(enum manifest_kind kind);
/* "ext" or "agent" -> kind; -1 otherwise. */
int manifest_kind_from_name(const char *name);

#endif
