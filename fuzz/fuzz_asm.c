/* fuzz_asm.c: libFuzzer target for the assembler and disassembler (src/ebpf/asm.c, disasm.c).
 * The input is hostile assembly text: ebpf_asm must never crash, leak or overrun, and when it
 * accepts the text every slot must survive asm(disasm(x)) == x. The same bytes are also taken as
 * raw instructions: each slot must disassemble (validly or as `.insn`) into text that assembles
 * back to the very same slot(s). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ebpf/asm.h"

static void round_trip(const struct ebpf_insn *insns, uint32_t n)
{
	char text[160], err[256];

	for (uint32_t pc = 0; pc < n;) {
		struct ebpf_insn *back = NULL;
		uint32_t nb = 0;
		int s = ebpf_disasm_insn(insns, n, pc, text, sizeof(text));
		uint32_t want = s > 0 ? (uint32_t)s : 1;

		if (ebpf_asm(text, &back, &nb, err, sizeof(err)) || nb != want ||
		    memcmp(back, &insns[pc], (size_t)want * 8))
			abort(); /* the round trip property is broken */
		free(back);
		pc += want;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ebpf_insn *insns = NULL, *raw;
	uint32_t n = 0;
	char err[256];
	char *text;

	if (size > 1 << 16)
		return 0;
	text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = 0;
	if (!ebpf_asm(text, &insns, &n, err, sizeof(err))) {
		round_trip(insns, n);
		free(insns);
	} else if (strncmp(err, "line ", 5)) {
		abort(); /* every error names its line */
	}
	free(text);

	if (size >= 8) {
		raw = malloc(size / 8 * 8);
		if (!raw)
			return 0;
		memcpy(raw, data, size / 8 * 8);
		round_trip(raw, (uint32_t)(size / 8));
		free(raw);
	}
	return 0;
}
