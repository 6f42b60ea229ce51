/* cmd_disasm.c: `bulwark disasm FILE`, the disassembler (src/ebpf/asm.h) on the command line.
 * FILE is a raw program (8-byte little-endian instructions, as `bulwark asm` writes) or an ELF
 * object (each program section, through the ELF loader). The output re-assembles with
 * `bulwark asm`: one instruction per line, with the slot index and jump targets as comments. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/command.h"
#include "common/file.h"
#include "ebpf/asm.h"

#ifndef EBPF_CORE_HAVE_ELF
#define EBPF_CORE_HAVE_ELF 0
#endif
#if EBPF_CORE_HAVE_ELF
#include "ebpf/elf_loader.h"
#include "ebpf/prog.h"
#endif

#define DISASM_MAX_INPUT (256u << 20)

static void disasm_usage(FILE *out)
{
	fprintf(out,
		"usage: bulwark disasm FILE\n\n"
		"Disassembles eBPF into the conformance suite's syntax (re-assemblable with\n"
		"`bulwark asm`). FILE is a raw program (8-byte little-endian instructions) or an\n"
		"ELF object (every program section). Invalid encodings are printed as `.insn`\n"
		"and make the exit status 1.\n");
}

/* Prints insns; returns the number of invalid slots. */
static unsigned disasm_print(const struct ebpf_insn *insns, uint32_t n)
{
	unsigned bad = 0;
	char text[160];

	for (uint32_t pc = 0; pc < n;) {
		int s = ebpf_disasm_insn(insns, n, pc, text, sizeof(text));
		const struct ebpf_insn *i = &insns[pc];
		uint8_t cls = EBPF_CLASS(i->code), op = EBPF_OP(i->code);
		long long target = -1;

		if (s < 0) {
			bad++;
			s = 1;
		} else if ((cls == EBPF_CLASS_JMP || cls == EBPF_CLASS_JMP32) &&
			   op != EBPF_JMP_EXIT && !(op == EBPF_JMP_CALL && i->src != 1)) {
			bool imm =
			    (cls == EBPF_CLASS_JMP32 && op == EBPF_JMP_JA) || op == EBPF_JMP_CALL;

			target = (long long)pc + 1 + (imm ? i->imm : i->off);
		}
		if (target >= 0)
			printf("\t%-40s # %u -> %lld\n", text, pc, target);
		else
			printf("\t%-40s # %u\n", text, pc);
		pc += (uint32_t)s;
	}
	return bad;
}

static int cmd_disasm(int argc, char **argv)
{
	const char *path = NULL;
	uint8_t *buf = NULL;
	size_t len = 0;
	unsigned bad = 0;
	int rc;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			disasm_usage(stdout);
			return BW_EXIT_OK;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(stderr, "bulwark disasm: unknown option '%s'\n", argv[i]);
			disasm_usage(stderr);
			return BW_EXIT_USAGE;
		} else if (!path) {
			path = argv[i];
		} else {
			fprintf(stderr, "bulwark disasm: unexpected argument '%s'\n", argv[i]);
			return BW_EXIT_USAGE;
		}
	}
	if (!path) {
		fprintf(stderr, "bulwark disasm: missing FILE\n");
		disasm_usage(stderr);
		return BW_EXIT_USAGE;
	}
	rc = bw_read_file(path, DISASM_MAX_INPUT, &buf, &len);
	if (rc) {
		fprintf(stderr, "bulwark disasm: %s: %s\n", path, strerror(-rc));
		return BW_EXIT_FAILURE;
	}
	if (len >= 4 && !memcmp(buf, "\177ELF", 4)) {
#if EBPF_CORE_HAVE_ELF
		struct ebpf_object *obj = NULL;
		char err[512];

		if (ebpf_elf_load(buf, len, path, &obj, err, sizeof(err))) {
			fprintf(stderr, "bulwark disasm: %s\n", err);
			free(buf);
			return BW_EXIT_FAILURE;
		}
		for (uint32_t p = 0; p < obj->n_progs; p++) {
			const struct ebpf_prog *prog = obj->progs[p];

			printf("%s# section %s, program %s, %u slots\n", p ? "\n" : "",
			       prog->section, prog->name, prog->n_insns);
			for (uint32_t f = 0; f < prog->n_funcs; f++)
				printf("# function %s at %u\n", prog->funcs[f].name,
				       prog->funcs[f].start);
			bad += disasm_print(prog->insns, prog->n_insns);
		}
		ebpf_object_free(obj);
#else
		fprintf(stderr,
			"bulwark disasm: %s: ELF objects need the ELF loader, not in this build\n",
			path);
		free(buf);
		return BW_EXIT_FAILURE;
#endif
	} else {
		if (!len || len % 8) {
			fprintf(stderr,
				"bulwark disasm: %s: %zu bytes is not a whole number of 8-byte "
				"instructions\n",
				path, len);
			free(buf);
			return BW_EXIT_FAILURE;
		}
		bad = disasm_print((const struct ebpf_insn *)buf, (uint32_t)(len / 8));
	}
	free(buf);
	if (bad) {
		fprintf(stderr, "bulwark disasm: %s: %u invalid instruction%s\n", path, bad,
			bad == 1 ? "" : "s");
		return BW_EXIT_FAILURE;
	}
	return BW_EXIT_OK;
}

BULWARK_COMMAND(command_disasm, "disasm", "disassemble eBPF (raw program or ELF object)",
		cmd_disasm);
