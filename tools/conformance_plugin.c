/* conformance_plugin.c: build/bulwark-conformance-plugin, the plugin of the BPF conformance
 * suite's protocol (../shared/conformance/README.md), so bulwark can be measured by the upstream
 * runner unchanged and by tests/ebpf/test-conformance.sh:
 *
 *   bulwark-conformance-plugin [MEM_HEX] [--jit|--interpret] [--elf]
 *
 * reads the program from standard input as one line of hex (raw 8-byte instructions, or a whole
 * ELF object with --elf), gives it a pointer to a copy of MEM_HEX's bytes in r1 and their number
 * in r2 (r1 = r2 = 0 without memory), runs it under the `mem:SIZE` program type and prints r0 in
 * hex on standard output. Any failure is a message on standard error and exit status 1 (2 for a
 * usage error). When the verifier is built in, nothing runs before it accepted the program. */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ebpf/interp.h"
#include "ebpf/prog.h"

#ifndef EBPF_CORE_HAVE_JIT
#define EBPF_CORE_HAVE_JIT 0
#endif
#ifndef EBPF_CORE_HAVE_VERIFIER
#define EBPF_CORE_HAVE_VERIFIER 0
#endif
#ifndef EBPF_CORE_HAVE_ELF
#define EBPF_CORE_HAVE_ELF 0
#endif
#if EBPF_CORE_HAVE_JIT
#include "ebpf/jit.h"
#endif
#if EBPF_CORE_HAVE_VERIFIER
#include "ebpf/verifier.h"
#endif
#if EBPF_CORE_HAVE_ELF
#include "ebpf/elf_loader.h"
#endif

#define PLUGIN "bulwark-conformance-plugin"
#define MAX_INPUT (64u << 20)

static void usage(FILE *out)
{
	fprintf(out,
		"usage: " PLUGIN " [MEM_HEX] [--jit|--interpret] [--elf]\n"
		"Reads an eBPF program as one line of hex on stdin (raw instructions, or an ELF\n"
		"object with --elf), runs it with r1 = a copy of MEM_HEX's bytes, r2 = their\n"
		"number, under the mem:SIZE program type, and prints r0 in hex.\n"
		"  --interpret  run on the interpreter (default)\n"
		"  --jit        run on the x86-64 JIT\n"
		"  --elf        the input is an ELF object (its first program runs)\n");
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decodes hex text (whitespace ignored, optional 0x prefix) into a malloc'ed buffer. */
static int unhex(const char *what, const char *s, size_t slen, uint8_t **out, size_t *len)
{
	uint8_t *b = malloc(slen / 2 + 1);
	size_t n = 0, i = 0;
	int hi = -1;

	if (!b) {
		fprintf(stderr, PLUGIN ": out of memory\n");
		return -1;
	}
	if (slen >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		i = 2;
	for (; i < slen; i++) {
		int v;

		if (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')
			continue;
		v = hexval((unsigned char)s[i]);
		if (v < 0) {
			fprintf(stderr, PLUGIN ": %s: bad hex character '%c' at offset %zu\n", what,
				s[i], i);
			free(b);
			return -1;
		}
		if (hi < 0) {
			hi = v;
		} else {
			b[n++] = (uint8_t)(hi << 4 | v);
			hi = -1;
		}
	}
	if (hi >= 0) {
		fprintf(stderr, PLUGIN ": %s: odd number of hex digits\n", what);
		free(b);
		return -1;
	}
	*out = b;
	*len = n;
	return 0;
}

static char *read_stdin(size_t *len)
{
	size_t cap = 4096, n = 0, r;
	char *buf = malloc(cap + 1);

	while (buf && (r = fread(buf + n, 1, cap - n, stdin)) > 0) {
		n += r;
		if (n == cap) {
			char *nb;

			if (cap >= MAX_INPUT) {
				fprintf(stderr, PLUGIN ": input larger than %u bytes\n", MAX_INPUT);
				free(buf);
				return NULL;
			}
			cap *= 2;
			nb = realloc(buf, cap + 1);
			if (!nb)
				free(buf);
			buf = nb;
		}
	}
	if (!buf) {
		fprintf(stderr, PLUGIN ": out of memory\n");
		return NULL;
	}
	buf[n] = 0;
	*len = n;
	return buf;
}

static struct ebpf_prog *raw_prog(const uint8_t *code, size_t len)
{
	struct ebpf_prog *p;

	if (!len || len % 8) {
		fprintf(stderr,
			PLUGIN
			": program of %zu bytes: not a whole number of 8-byte instructions\n",
			len);
		return NULL;
	}
	if (len / 8 > EBPF_MAX_INSNS) {
		fprintf(stderr, PLUGIN ": program of %zu instructions exceeds %u\n", len / 8,
			EBPF_MAX_INSNS);
		return NULL;
	}
	p = calloc(1, sizeof(*p));
	if (!p || !(p->insns = malloc(len))) {
		fprintf(stderr, PLUGIN ": out of memory\n");
		free(p);
		return NULL;
	}
	memcpy(p->insns, code, len);
	p->n_insns = (uint32_t)(len / 8);
	snprintf(p->name, sizeof(p->name), "conformance");
	return p;
}

#if EBPF_CORE_HAVE_ELF
static struct ebpf_prog *elf_prog(const uint8_t *data, size_t len)
{
	struct ebpf_object *obj = NULL;
	struct ebpf_prog *p;
	char err[512];

	if (ebpf_elf_load(data, len, "stdin", &obj, err, sizeof(err))) {
		fprintf(stderr, PLUGIN ": %s\n", err);
		return NULL;
	}
	if (!obj->n_progs) {
		fprintf(stderr, PLUGIN ": stdin: the ELF object has no program\n");
		ebpf_object_free(obj);
		return NULL;
	}
	p = obj->progs[0];
	obj->progs[0] = NULL; /* taken: ebpf_object_free skips NULL slots */
	ebpf_object_free(obj);
	return p;
}
#endif

int main(int argc, char **argv)
{
	const char *mem_hex = NULL;
	bool jit = false, elf = false;
	uint8_t *mem = NULL, *code = NULL;
	size_t mem_len = 0, code_len = 0, in_len;
	struct ebpf_prog *prog = NULL;
	char *in, err[1024];
	uint64_t r0;
	int status = 1;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--jit")) {
			jit = true;
		} else if (!strcmp(argv[i], "--interpret")) {
			jit = false;
		} else if (!strcmp(argv[i], "--elf")) {
			elf = true;
		} else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(stdout);
			return 0;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(stderr, PLUGIN ": unknown option '%s'\n", argv[i]);
			usage(stderr);
			return 2;
		} else if (!mem_hex) {
			mem_hex = argv[i];
		} else {
			fprintf(stderr,
				PLUGIN ": unexpected argument '%s' (memory already given)\n",
				argv[i]);
			return 2;
		}
	}
#if !EBPF_CORE_HAVE_JIT
	if (jit) {
		fprintf(stderr, PLUGIN ": --jit: the x86-64 JIT is not available in this build\n");
		return 1;
	}
#endif
	if (mem_hex && unhex("memory argument", mem_hex, strlen(mem_hex), &mem, &mem_len))
		return 1;
	in = read_stdin(&in_len);
	if (!in)
		goto out;
	if (unhex("program on stdin", in, in_len, &code, &code_len)) {
		free(in);
		goto out;
	}
	free(in);
	if (elf) {
#if EBPF_CORE_HAVE_ELF
		prog = elf_prog(code, code_len);
#else
		fprintf(stderr, PLUGIN ": --elf: the ELF loader is not available in this build\n");
#endif
	} else {
		prog = raw_prog(code, code_len);
	}
	if (!prog)
		goto out;
	prog->type = ebpf_prog_type_mem((uint32_t)mem_len);
	if (!prog->type) {
		fprintf(stderr, PLUGIN ": out of memory\n");
		goto out;
	}
#if EBPF_CORE_HAVE_VERIFIER
	{
		struct ebpf_verify_result res;
		int rc;

		memset(&res, 0, sizeof(res));
		rc = ebpf_verify(prog, NULL, &res);
		if (rc) {
			fprintf(stderr, PLUGIN ": verifier refused the program (mem:%zu): %s\n",
				mem_len, res.message);
			ebpf_verify_result_free(&res);
			goto out;
		}
		ebpf_verify_result_free(&res);
	}
#endif
	if (jit) {
#if EBPF_CORE_HAVE_JIT
		if (ebpf_jit_compile(prog, NULL, err, sizeof(err))) {
			fprintf(stderr, PLUGIN ": JIT: %s\n", err);
			goto out;
		}
#endif
	} else if (ebpf_interp_prepare(prog, err, sizeof(err))) {
		fprintf(stderr, PLUGIN ": interpreter: %s\n", err);
		goto out;
	}
	ebpf_run_ctx_current()->prog = prog;
	if (jit) {
#if EBPF_CORE_HAVE_JIT
		r0 = ebpf_jit_run(prog, mem_len ? (uint64_t)(uintptr_t)mem : 0, mem_len);
#else
		r0 = 0;
#endif
	} else {
		r0 = ebpf_interp_run(prog, mem_len ? (uint64_t)(uintptr_t)mem : 0, mem_len);
	}
	printf("%" PRIx64 "\n", r0);
	status = fflush(stdout) ? 1 : 0;
out:
	ebpf_prog_free(prog);
	free(code);
	free(mem);
	return status;
}
