/* file.h: small file helpers shared by the loaders (kernel images, ELF objects, bundles, policies).
 * Inputs are untrusted: sizes are bounded and every failure is reported with the path. */
#ifndef BULWARK_COMMON_FILE_H
#define BULWARK_COMMON_FILE_H

#include <stddef.h>
#include <stdint.h>

/* Reads the whole file at path into a malloc'ed buffer (NUL-terminated one past *len, so text
 * parsers may treat it as a string). Refuses files larger than max_len. Returns 0 or -errno
 * (-EFBIG when too large) and logs nothing: the caller names the file in its own message. */
int bw_read_file(const char *path, size_t max_len, uint8_t **buf, size_t *len);

/* Writes data to path atomically: a temporary file in the same directory, fsync, rename,
 * fsync of the directory. Returns 0 or -errno. */
int bw_write_file_atomic(const char *path, const void *data, size_t len, unsigned mode);

#endif
