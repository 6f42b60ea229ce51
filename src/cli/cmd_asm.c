/* cmd_asm.c: `bulwark asm IN -o OUT [--hex]`, the assembler of the conformance suite's syntax
 * (src/ebpf/asm.h) on the command line. IN is a .s file, or a conformance .data file (its
 * `-- asm` section is used), or - for standard input; OUT receives the raw little-endian
 * instructions (8 bytes each), or with --hex one line of hex (the conformance plugin's input);
 * OUT - is standard output. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/command.h"
#include "common/file.h"
#include "ebpf/asm.h"
#include "ebpf/conformance.h"

#define ASM_MAX_INPUT (64u << 20)

static void asm_usage(FILE *out)
{
	fprintf(
	    out,
	    "usage: bulwark asm IN -o OUT [--hex]\n\n"
	    "Assembles eBPF in the conformance suite's syntax (mov %%r0, 1 / ldxw %%r0, [%%r1+2]\n"
	    "/ jeq %%r1, 0, +2 / call 5 / call local f / lock fetch add [%%r10-8], %%r1 / ...).\n"
	    "IN is a .s file, a conformance .data file (its `-- asm` section) or - (stdin).\n"
	    "  -o OUT   write the raw instructions (8 bytes each, little-endian); - is stdout\n"
	    "  --hex    write one line of hex instead (the conformance plugin's input)\n");
}

static char *read_input(const char *path)
{
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0, r;
	int rc;

	if (strcmp(path, "-")) {
		rc = bw_read_file(path, ASM_MAX_INPUT, &buf, &len);
		if (rc) {
			fprintf(stderr, "bulwark asm: %s: %s\n", path, strerror(-rc));
			return NULL;
		}
		if (memchr(buf, 0, len)) {
			fprintf(
			    stderr,
			    "bulwark asm: %s: binary data (NUL byte at offset %zu), not assembly\n",
			    path, (size_t)((uint8_t *)memchr(buf, 0, len) - buf));
			free(buf);
			return NULL;
		}
		return (char *)buf;
	}
	for (;;) {
		if (len + 4096 + 1 > cap) {
			uint8_t *nb;

			cap = cap ? cap * 2 : 8192;
			if (cap > ASM_MAX_INPUT || !(nb = realloc(buf, cap))) {
				fprintf(stderr, "bulwark asm: stdin: input too large\n");
				free(buf);
				return NULL;
			}
			buf = nb;
		}
		r = fread(buf + len, 1, 4096, stdin);
		if (!r)
			break;
		len += r;
	}
	if (!buf && !(buf = malloc(1)))
		return NULL;
	buf[len] = 0;
	if (memchr(buf, 0, len)) {
		fprintf(stderr, "bulwark asm: stdin: binary data, not assembly\n");
		free(buf);
		return NULL;
	}
	return (char *)buf;
}

static int cmd_asm(int argc, char **argv)
{
	const char *in_path = NULL, *out_path = NULL, *text;
	struct ebpf_conf_test conf = {0};
	struct ebpf_insn *insns = NULL;
	bool hex = false, is_data;
	uint32_t n = 0;
	char err[512], *input;
	FILE *out;
	int status = BW_EXIT_FAILURE;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			asm_usage(stdout);
			return BW_EXIT_OK;
		} else if (!strcmp(argv[i], "--hex")) {
			hex = true;
		} else if (!strcmp(argv[i], "-o")) {
			if (++i >= argc) {
				fprintf(stderr, "bulwark asm: option '-o' needs a file name\n");
				return BW_EXIT_USAGE;
			}
			out_path = argv[i];
		} else if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(stderr, "bulwark asm: unknown option '%s'\n", argv[i]);
			asm_usage(stderr);
			return BW_EXIT_USAGE;
		} else if (!in_path) {
			in_path = argv[i];
		} else {
			fprintf(stderr, "bulwark asm: unexpected argument '%s'\n", argv[i]);
			return BW_EXIT_USAGE;
		}
	}
	if (!in_path || !out_path) {
		fprintf(stderr, "bulwark asm: %s\n",
			!in_path ? "missing input file" : "missing '-o OUT'");
		asm_usage(stderr);
		return BW_EXIT_USAGE;
	}
	input = read_input(in_path);
	if (!input)
		return BW_EXIT_FAILURE;
	text = input;
	is_data = !strncmp(input, "-- asm", 6) || strstr(input, "\n-- asm");
	if (is_data) {
		if (ebpf_conf_parse(input, &conf, err, sizeof(err))) {
			fprintf(stderr, "bulwark asm: %s: %s\n", in_path, err);
			goto out;
		}
		text = conf.asm_text ? conf.asm_text : "";
	}
	if (ebpf_asm(text, &insns, &n, err, sizeof(err))) {
		/* .data files: line numbers count from the `-- asm` line */
		fprintf(stderr, "bulwark asm: %s%s: %s\n", in_path,
			is_data ? " (-- asm section)" : "", err);
		goto out;
	}
	out = strcmp(out_path, "-") ? fopen(out_path, "wb") : stdout;
	if (!out) {
		fprintf(stderr, "bulwark asm: %s: %s\n", out_path, strerror(errno));
		goto out;
	}
	if (hex) {
		const uint8_t *b = (const uint8_t *)insns;

		for (size_t i = 0; i < (size_t)n * 8; i++)
			fprintf(out, "%02x", b[i]);
		fputc('\n', out);
	} else if (n) {
		fwrite(insns, 8, n, out);
	}
	if (ferror(out) | (out != stdout ? fclose(out) : fflush(out))) {
		fprintf(stderr, "bulwark asm: %s: write failed\n", out_path);
		goto out;
	}
	status = BW_EXIT_OK;
out:
	free(insns);
	ebpf_conf_free(&conf);
	free(input);
	return status;
}

BULWARK_COMMAND(command_asm, "asm",
		"assemble eBPF (conformance suite syntax) into raw instructions", cmd_asm);
