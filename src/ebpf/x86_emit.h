/* x86_emit.h: a small x86-64 instruction encoder for the eBPF JIT (jit_x86.c). It writes into a
 * bounded buffer (struct x86_buf): a write past the capacity is dropped and remembered
 * (overflow), never performed, so a sizing mistake in the JIT cannot corrupt memory.
 *
 * Naming: x86_<what>_<operands>, r = register, m = memory [base + disp32], i = immediate.
 * `w` arguments are the operand width in bytes where it matters (1, 2, 4, 8); 4-byte operations
 * zero the upper half of their destination register, as the hardware does. */
#ifndef BULWARK_EBPF_X86_EMIT_H
#define BULWARK_EBPF_X86_EMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum x86_reg {
	X86_RAX = 0,
	X86_RCX,
	X86_RDX,
	X86_RBX,
	X86_RSP,
	X86_RBP,
	X86_RSI,
	X86_RDI,
	X86_R8,
	X86_R9,
	X86_R10,
	X86_R11,
	X86_R12,
	X86_R13,
	X86_R14,
	X86_R15,
};

/* Condition codes (low nibble of Jcc). */
enum x86_cc {
	X86_CC_B = 0x2,
	X86_CC_AE = 0x3,
	X86_CC_E = 0x4,
	X86_CC_NE = 0x5,
	X86_CC_BE = 0x6,
	X86_CC_A = 0x7,
	X86_CC_L = 0xc,
	X86_CC_GE = 0xd,
	X86_CC_LE = 0xe,
	X86_CC_G = 0xf,
};

/* Two-operand ALU opcodes in their "r/m, reg" form. */
enum x86_alu {
	X86_ADD = 0x01,
	X86_OR = 0x09,
	X86_AND = 0x21,
	X86_SUB = 0x29,
	X86_XOR = 0x31,
	X86_CMP = 0x39,
	X86_TEST = 0x85,
	X86_MOV = 0x89,
};

/* /digit of the group-1 immediate forms (0x81/0x83) and of shifts (0xc1/0xd3). */
enum x86_ext {
	X86_EXT_ADD = 0,
	X86_EXT_OR = 1,
	X86_EXT_AND = 4,
	X86_EXT_SUB = 5,
	X86_EXT_XOR = 6,
	X86_EXT_CMP = 7,
	X86_EXT_SHL = 4,
	X86_EXT_SHR = 5,
	X86_EXT_SAR = 7,
	X86_EXT_NOT = 2,
	X86_EXT_NEG = 3,
	X86_EXT_DIV = 6,
	X86_EXT_IDIV = 7,
};

struct x86_buf {
	uint8_t *p;
	size_t len, cap;
	bool overflow;
};

void x86_u8(struct x86_buf *b, uint8_t v);
void x86_u32(struct x86_buf *b, uint32_t v);
void x86_u64(struct x86_buf *b, uint64_t v);

/* Generic encoders. op: 1 byte, or 0x0fXX for two-byte opcodes. w: operand width (sets REX.W for
 * 8, prefix 0x66 for 2; 1 makes byte registers 4-7 use a REX prefix). */
void x86_op_rr(struct x86_buf *b, int w, uint32_t op, int reg, int rm);
void x86_op_rm(struct x86_buf *b, int w, uint32_t op, int reg, int base, int32_t disp);

void x86_alu_rr(struct x86_buf *b, enum x86_alu op, int w, int dst, int src);
void x86_alu_ri(struct x86_buf *b, enum x86_ext ext, int w, int dst, int32_t imm);
void x86_mov_rr(struct x86_buf *b, int w, int dst, int src);
/* dst = imm zero-extended from 32 bits */
void x86_mov_ri32(struct x86_buf *b, int dst, uint32_t imm);
/* dst = imm sign-extended from 32 bits (7 bytes) */
void x86_mov_ri_sx(struct x86_buf *b, int dst, int32_t imm);
/* dst = imm, shortest encoding (xor for 0) */
void x86_mov_ri64(struct x86_buf *b, int dst, uint64_t imm);
/* dst = imm, always the 10-byte movabs */
void x86_movabs(struct x86_buf *b, int dst, uint64_t imm);
void x86_imul_rr(struct x86_buf *b, int w, int dst, int src);
void x86_imul_rri(struct x86_buf *b, int w, int dst, int src, int32_t imm);
void x86_shift_ri(struct x86_buf *b, enum x86_ext ext, int w, int dst, uint8_t n);
void x86_shift_rcl(struct x86_buf *b, enum x86_ext ext, int w, int dst);
void x86_unary_r(struct x86_buf *b, enum x86_ext ext, int w, int r);
void x86_bswap_r(struct x86_buf *b, int w, int r);
void x86_rol16_8(struct x86_buf *b, int r);
void x86_movzx_rr(struct x86_buf *b, int from, int dst, int src);
void x86_movsx_rr(struct x86_buf *b, int w, int from, int dst, int src);
void x86_test_ri(struct x86_buf *b, int w, int r, int32_t imm);

/* memory */
void x86_load(struct x86_buf *b, int size, bool sx, int dst, int base, int32_t disp);
void x86_store_r(struct x86_buf *b, int size, int base, int32_t disp, int src);
void x86_store_i(struct x86_buf *b, int size, int base, int32_t disp, int32_t imm);
void x86_lea(struct x86_buf *b, int dst, int base, int32_t disp);
void x86_lock_alu_mr(struct x86_buf *b, enum x86_alu op, int w, int base, int32_t disp, int src);
void x86_lock_xadd(struct x86_buf *b, int w, int base, int32_t disp, int src);
void x86_xchg_mr(struct x86_buf *b, int w, int base, int32_t disp, int src);
void x86_lock_cmpxchg(struct x86_buf *b, int w, int base, int32_t disp, int src);
void x86_cmp_mi8(struct x86_buf *b, int w, int base, int32_t disp, int8_t imm);
void x86_incdec_m(struct x86_buf *b, int w, bool dec, int base, int32_t disp);

/* control flow */
void x86_push(struct x86_buf *b, int r);
void x86_pop(struct x86_buf *b, int r);
void x86_ret(struct x86_buf *b);
void x86_call_r(struct x86_buf *b, int r);
void x86_call_rel32(struct x86_buf *b, int32_t rel);
void x86_jmp_rel8(struct x86_buf *b, int8_t rel);
void x86_jmp_rel32(struct x86_buf *b, int32_t rel);
void x86_jcc_rel8(struct x86_buf *b, enum x86_cc cc, int8_t rel);
void x86_jcc_rel32(struct x86_buf *b, enum x86_cc cc, int32_t rel);
void x86_cqo(struct x86_buf *b);
void x86_cdq(struct x86_buf *b);

/* Forward short jump within one emitted sequence: x86_jcc_fwd8 returns the position of the
 * displacement byte (cc < 0: jmp), x86_patch8 makes it land at the current position. */
size_t x86_jcc_fwd8(struct x86_buf *b, int cc);
void x86_patch8(struct x86_buf *b, size_t at);

#endif
