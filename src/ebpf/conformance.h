/* conformance.h: reader of the BPF conformance suite's .data files
 * (../shared/conformance/README.md): sections `-- asm`, `-- raw`, `-- mem`, `-- result`,
 * `-- error`, comment lines `#`. Used by the unit tests, the verifier's acceptance tests and
 * anything else that walks the suite; the conformance plugin itself only sees hex. */
#ifndef BULWARK_EBPF_CONFORMANCE_H
#define BULWARK_EBPF_CONFORMANCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ebpf/insn.h"

struct ebpf_conf_test {
	char *asm_text;	       /* the `-- asm` section (comment lines kept), or NULL */
	struct ebpf_insn *raw; /* the `-- raw` section, or NULL */
	uint32_t n_raw;
	uint8_t *mem; /* the `-- mem` bytes, or NULL */
	size_t mem_len;
	bool has_result;
	uint64_t result; /* `-- result` */
	char *error;	 /* `-- error` text (trimmed), or NULL */
};

/* Parses a .data file's text. Returns 0 or -EINVAL with "line N: ..." in err; *t is then empty. */
int ebpf_conf_parse(const char *text, struct ebpf_conf_test *t, char *err, size_t errlen);
/* Reads and parses a file; err names the file. */
int ebpf_conf_load(const char *path, struct ebpf_conf_test *t, char *err, size_t errlen);
void ebpf_conf_free(struct ebpf_conf_test *t);

/* The suite's directory: $BULWARK_SHARED/conformance/tests, else src_root/../shared/... */
const char *ebpf_conf_dir(const char *src_root, char *buf, size_t len);

#endif
