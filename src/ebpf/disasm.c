/* disasm.c: the disassembler, the inverse of asm.c. It decides which encodings are valid (RFC
 * 9669 up to v4 plus callx; unused fields zero, registers r0-r10) and prints them in the
 * assembler's syntax, so that assembling the text gives back the same slots. Anything else is
 * printed as `.insn CODE, DST, SRC, OFF, IMM` and reported as -EINVAL. Used by `bulwark disasm`,
 * the verifier's messages and the round-trip tests. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "ebpf/asm.h"

static const char *const alu_names[16] = {
    [EBPF_ALU_ADD >> 4] = "add", [EBPF_ALU_SUB >> 4] = "sub", [EBPF_ALU_MUL >> 4] = "mul",
    [EBPF_ALU_DIV >> 4] = "div", [EBPF_ALU_OR >> 4] = "or",   [EBPF_ALU_AND >> 4] = "and",
    [EBPF_ALU_LSH >> 4] = "lsh", [EBPF_ALU_RSH >> 4] = "rsh", [EBPF_ALU_MOD >> 4] = "mod",
    [EBPF_ALU_XOR >> 4] = "xor", [EBPF_ALU_MOV >> 4] = "mov", [EBPF_ALU_ARSH >> 4] = "arsh",
};

static const char *const jmp_names[16] = {
    [EBPF_JMP_JEQ >> 4] = "jeq",   [EBPF_JMP_JGT >> 4] = "jgt",	  [EBPF_JMP_JGE >> 4] = "jge",
    [EBPF_JMP_JSET >> 4] = "jset", [EBPF_JMP_JNE >> 4] = "jne",	  [EBPF_JMP_JSGT >> 4] = "jsgt",
    [EBPF_JMP_JSGE >> 4] = "jsge", [EBPF_JMP_JLT >> 4] = "jlt",	  [EBPF_JMP_JLE >> 4] = "jle",
    [EBPF_JMP_JSLT >> 4] = "jslt", [EBPF_JMP_JSLE >> 4] = "jsle",
};

static const char *size_name(uint8_t code)
{
	switch (EBPF_SIZE(code)) {
	case EBPF_SIZE_B:
		return "b";
	case EBPF_SIZE_H:
		return "h";
	case EBPF_SIZE_W:
		return "w";
	default:
		return "dw";
	}
}

static int out(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int out(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (!buf || !len)
		return 0;
	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	return 0;
}

static int raw(const struct ebpf_insn *i, char *buf, size_t len)
{
	out(buf, len, ".insn 0x%02x, %u, %u, %d, %" PRId32, i->code, i->dst, i->src, i->off,
	    i->imm);
	return -EINVAL;
}

/* "+8", "-8", "+0" */
static void mem_off(char *b, size_t n, int16_t off)
{
	snprintf(b, n, "%s%d", off < 0 ? "-" : "+", off < 0 ? -(int)off : off);
}

static void rel(char *b, size_t n, int64_t v)
{
	snprintf(b, n, "%s%" PRId64, v < 0 ? "-" : "+", v < 0 ? -v : v);
}

static int disasm_lddw(const struct ebpf_insn *insns, uint32_t n, uint32_t pc, char *buf,
		       size_t len)
{
	const struct ebpf_insn *i = &insns[pc], *nx;
	uint64_t v;

	if (pc + 1 >= n || i->off || i->dst > 10 || i->src > EBPF_PSEUDO_MAP_IDX_VALUE)
		return raw(i, buf, len);
	nx = &insns[pc + 1];
	if (nx->code || nx->dst || nx->src || nx->off)
		return raw(i, buf, len);
	switch (i->src) {
	case EBPF_PSEUDO_IMM64:
		v = (uint64_t)(uint32_t)i->imm | (uint64_t)(uint32_t)nx->imm << 32;
		out(buf, len, "lddw %%r%u, 0x%" PRIx64, i->dst, v);
		return 2;
	case EBPF_PSEUDO_MAP_VALUE:
	case EBPF_PSEUDO_MAP_IDX_VALUE:
		out(buf, len, "lddw %%r%u, %s %" PRId32 " %c %" PRIu32, i->dst,
		    i->src == EBPF_PSEUDO_MAP_VALUE ? "map_value" : "map_idx_value", i->imm,
		    nx->imm < 0 ? '-' : '+',
		    nx->imm < 0 ? 0u - (uint32_t)nx->imm : (uint32_t)nx->imm);
		return 2;
	default:
		if (nx->imm)
			return raw(i, buf, len);
		out(buf, len, "lddw %%r%u, %s %" PRId32, i->dst,
		    i->src == EBPF_PSEUDO_MAP_FD     ? "map_fd"
		    : i->src == EBPF_PSEUDO_MAP_IDX  ? "map_idx"
		    : i->src == EBPF_PSEUDO_VAR_ADDR ? "var_addr"
						     : "code_addr",
		    i->imm);
		return 2;
	}
}

static int disasm_alu(const struct ebpf_insn *i, char *buf, size_t len)
{
	bool is32 = EBPF_CLASS(i->code) == EBPF_CLASS_ALU, x = EBPF_SRC(i->code) == EBPF_SRC_X;
	uint8_t op = EBPF_OP(i->code);
	const char *sfx = is32 ? "32" : "";

	if (i->dst > 10 || i->src > 10)
		return raw(i, buf, len);
	if (op == EBPF_ALU_NEG) {
		if (x || i->src || i->off || i->imm)
			return raw(i, buf, len);
		out(buf, len, "neg%s %%r%u", sfx, i->dst);
		return 1;
	}
	if (op == EBPF_ALU_END) {
		if (i->src || i->off || (i->imm != 16 && i->imm != 32 && i->imm != 64))
			return raw(i, buf, len);
		if (!is32 && x)
			return raw(i, buf, len);
		out(buf, len, "%s%" PRId32 " %%r%u",
		    !is32 ? "bswap"
		    : x	  ? "be"
			  : "le",
		    i->imm, i->dst);
		return 1;
	}
	if (!alu_names[op >> 4])
		return raw(i, buf, len);
	if (op == EBPF_ALU_MOV && x && i->off) {
		if (i->imm || (i->off != 8 && i->off != 16 && (i->off != 32 || is32)))
			return raw(i, buf, len);
		out(buf, len, "movsx%d%s %%r%u, %%r%u", i->off, is32 ? "32" : "64", i->dst, i->src);
		return 1;
	}
	if (i->off && !((op == EBPF_ALU_DIV || op == EBPF_ALU_MOD) && i->off == 1))
		return raw(i, buf, len);
	if (x ? i->imm != 0 : i->src != 0)
		return raw(i, buf, len);
	if (x)
		out(buf, len, "%s%s%s %%r%u, %%r%u", i->off ? "s" : "", alu_names[op >> 4], sfx,
		    i->dst, i->src);
	else
		out(buf, len, "%s%s%s %%r%u, %" PRId32, i->off ? "s" : "", alu_names[op >> 4], sfx,
		    i->dst, i->imm);
	return 1;
}

static int disasm_jmp(const struct ebpf_insn *i, char *buf, size_t len)
{
	bool is32 = EBPF_CLASS(i->code) == EBPF_CLASS_JMP32, x = EBPF_SRC(i->code) == EBPF_SRC_X;
	uint8_t op = EBPF_OP(i->code);
	char t[16];

	if (i->dst > 10 || i->src > 10)
		return raw(i, buf, len);
	switch (op) {
	case EBPF_JMP_JA:
		if (x || i->dst || i->src)
			return raw(i, buf, len);
		if (is32) {
			if (i->off)
				return raw(i, buf, len);
			rel(t, sizeof(t), i->imm);
			out(buf, len, "ja32 %s", t);
		} else {
			if (i->imm)
				return raw(i, buf, len);
			rel(t, sizeof(t), i->off);
			out(buf, len, "ja %s", t);
		}
		return 1;
	case EBPF_JMP_CALL:
		if (is32 || i->off)
			return raw(i, buf, len);
		if (x) {
			if (i->src || i->imm)
				return raw(i, buf, len);
			out(buf, len, "call %%r%u", i->dst);
			return 1;
		}
		if (i->dst)
			return raw(i, buf, len);
		if (i->src == 0) {
			out(buf, len, "call %" PRId32, i->imm);
			return 1;
		}
		if (i->src == EBPF_PSEUDO_CALL) {
			rel(t, sizeof(t), i->imm);
			out(buf, len, "call local %s", t);
			return 1;
		}
		return raw(i, buf, len);
	case EBPF_JMP_EXIT:
		if (is32 || x || i->dst || i->src || i->off || i->imm)
			return raw(i, buf, len);
		out(buf, len, "exit");
		return 1;
	default:
		if (!jmp_names[op >> 4])
			return raw(i, buf, len);
		if (x ? i->imm != 0 : i->src != 0)
			return raw(i, buf, len);
		rel(t, sizeof(t), i->off);
		if (x)
			out(buf, len, "%s%s %%r%u, %%r%u, %s", jmp_names[op >> 4], is32 ? "32" : "",
			    i->dst, i->src, t);
		else
			out(buf, len, "%s%s %%r%u, %" PRId32 ", %s", jmp_names[op >> 4],
			    is32 ? "32" : "", i->dst, i->imm, t);
		return 1;
	}
}

static int disasm_atomic(const struct ebpf_insn *i, char *buf, size_t len)
{
	const char *name, *sfx = EBPF_SIZE(i->code) == EBPF_SIZE_W ? "32" : "";
	char o[16];
	bool fetch = i->imm & EBPF_ATOMIC_FETCH;

	if (EBPF_SIZE(i->code) != EBPF_SIZE_W && EBPF_SIZE(i->code) != EBPF_SIZE_DW)
		return raw(i, buf, len);
	switch (i->imm) {
	case EBPF_ATOMIC_ADD:
	case EBPF_ATOMIC_ADD | EBPF_ATOMIC_FETCH:
		name = "add";
		break;
	case EBPF_ATOMIC_OR:
	case EBPF_ATOMIC_OR | EBPF_ATOMIC_FETCH:
		name = "or";
		break;
	case EBPF_ATOMIC_AND:
	case EBPF_ATOMIC_AND | EBPF_ATOMIC_FETCH:
		name = "and";
		break;
	case EBPF_ATOMIC_XOR:
	case EBPF_ATOMIC_XOR | EBPF_ATOMIC_FETCH:
		name = "xor";
		break;
	case EBPF_ATOMIC_XCHG:
		name = "xchg";
		fetch = false;
		break;
	case EBPF_ATOMIC_CMPXCHG:
		name = "cmpxchg";
		fetch = false;
		break;
	default:
		return raw(i, buf, len);
	}
	mem_off(o, sizeof(o), i->off);
	out(buf, len, "lock %s%s%s [%%r%u%s], %%r%u", fetch ? "fetch " : "", name, sfx, i->dst, o,
	    i->src);
	return 1;
}

int ebpf_disasm_insn(const struct ebpf_insn *insns, uint32_t n, uint32_t pc, char *buf, size_t len)
{
	const struct ebpf_insn *i;
	char o[16];

	if (buf && len)
		buf[0] = 0;
	if (!insns || pc >= n)
		return -EINVAL;
	i = &insns[pc];
	switch (EBPF_CLASS(i->code)) {
	case EBPF_CLASS_LD:
		if (!ebpf_insn_is_lddw(i))
			return raw(i, buf, len);
		return disasm_lddw(insns, n, pc, buf, len);
	case EBPF_CLASS_LDX:
		if (i->imm || i->dst > 10 || i->src > 10)
			return raw(i, buf, len);
		mem_off(o, sizeof(o), i->off);
		if (EBPF_MODE(i->code) == EBPF_MODE_MEM)
			out(buf, len, "ldx%s %%r%u, [%%r%u%s]", size_name(i->code), i->dst, i->src,
			    o);
		else if (EBPF_MODE(i->code) == EBPF_MODE_MEMSX &&
			 EBPF_SIZE(i->code) != EBPF_SIZE_DW)
			out(buf, len, "ldxs%s %%r%u, [%%r%u%s]", size_name(i->code), i->dst, i->src,
			    o);
		else
			return raw(i, buf, len);
		return 1;
	case EBPF_CLASS_ST:
		if (EBPF_MODE(i->code) != EBPF_MODE_MEM || i->src || i->dst > 10)
			return raw(i, buf, len);
		mem_off(o, sizeof(o), i->off);
		out(buf, len, "st%s [%%r%u%s], %" PRId32, size_name(i->code), i->dst, o, i->imm);
		return 1;
	case EBPF_CLASS_STX:
		if (i->dst > 10 || i->src > 10)
			return raw(i, buf, len);
		if (EBPF_MODE(i->code) == EBPF_MODE_ATOMIC)
			return disasm_atomic(i, buf, len);
		if (EBPF_MODE(i->code) != EBPF_MODE_MEM || i->imm)
			return raw(i, buf, len);
		mem_off(o, sizeof(o), i->off);
		out(buf, len, "stx%s [%%r%u%s], %%r%u", size_name(i->code), i->dst, o, i->src);
		return 1;
	case EBPF_CLASS_ALU:
	case EBPF_CLASS_ALU64:
		return disasm_alu(i, buf, len);
	default:
		return disasm_jmp(i, buf, len);
	}
}
