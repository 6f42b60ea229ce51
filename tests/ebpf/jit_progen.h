/* jit_progen.h: turns arbitrary bytes into a structurally valid, terminating eBPF program for
 * differential testing of the interpreter against the JIT (fuzz/fuzz-jit-diff.c and
 * tests/ebpf/test_jit.c). Header-only (static functions) so that both can include it.
 *
 * The generated program runs on a buffer of JIT_PROGEN_MEM bytes in r1 (type mem:SIZE):
 *   - prologue: r9 = r1 (the buffer pointer is kept in r9 and r1), the first 64 stack bytes are
 *     zeroed, r0 and r2-r8 get constants from the input;
 *   - body: instructions of every class over the data registers r0 and r2-r8: ALU (64/32-bit,
 *     all operations incl. sdiv/smod, movsx, byte swaps), lddw, loads/stores of every size and
 *     sign-extending loads at in-bounds offsets of r1 (the buffer) or r10 (the zeroed stack
 *     bytes), atomics (every operation, 32/64-bit, aligned), forward jumps only (conditional
 *     64/32-bit, ja, ja32 (each after a conditional jump over it, so that no code is dead);
 *     targets on item boundaries, never inside lddw), and calls of the suite's
 *     helpers 0-3 and 5 with their arguments set up (r1 restored from r9 and r2-r5 reset after
 *     each call, since a call clobbers them differently in each engine);
 *   - epilogue: r2-r8 are mixed into r0, exit.
 * Pointers never flow into data registers (r1, r9 and r10 are only used as bases), so r0 and the
 * buffer depend only on the input, and every run terminates (no backward jump). */
#ifndef BULWARK_TESTS_JIT_PROGEN_H
#define BULWARK_TESTS_JIT_PROGEN_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "ebpf/insn.h"

#define JIT_PROGEN_MEM 256  /* buffer bytes */
#define JIT_PROGEN_STACK 64 /* stack bytes used below r10 */
#define JIT_PROGEN_MAX_ITEMS 256
#define JIT_PROGEN_MAX_SLOTS (JIT_PROGEN_MAX_ITEMS * 10 + 64)

struct jit_progen_rd {
	const uint8_t *p;
	size_t n, i;
};

static inline uint8_t jit_progen_u8(struct jit_progen_rd *r)
{
	return r->i < r->n ? r->p[r->i++] : 0;
}

static inline uint32_t jit_progen_u32(struct jit_progen_rd *r)
{
	uint32_t v = 0;

	for (int i = 0; i < 4; i++)
		v |= (uint32_t)jit_progen_u8(r) << (8 * i);
	return v;
}

/* Interesting immediates: edge values more often than uniform ones. */
static inline int32_t jit_progen_imm(struct jit_progen_rd *r)
{
	static const int32_t edge[] = {0,	   1,	      -1,   2,	    31, 32, 63, 64,
				       0x7fffffff, INT32_MIN, 0xff, 0xffff, -2, 7,  8,	16};
	uint8_t s = jit_progen_u8(r);

	if (s < 96)
		return edge[s % 16];
	if (s < 160)
		return (int8_t)jit_progen_u8(r);
	return (int32_t)jit_progen_u32(r);
}

static const uint8_t jit_progen_wregs[] = {0, 2, 3, 4, 5, 6, 7, 8}; /* data registers */

static inline uint8_t jit_progen_reg(struct jit_progen_rd *r)
{
	return jit_progen_wregs[jit_progen_u8(r) % 8];
}

#define JIT_PROGEN_I(c, d, s, o, i)                                             \
	(struct ebpf_insn)                                                      \
	{                                                                       \
		.code = (uint8_t)(c), .dst = (uint8_t)(d), .src = (uint8_t)(s), \
		.off = (int16_t)(o), .imm = (int32_t)(i)                        \
	}

/* Generates a program from data into out (JIT_PROGEN_MAX_SLOTS slots) and the buffer's initial
 * contents into mem (JIT_PROGEN_MEM bytes). Returns the number of slots. */
static inline uint32_t jit_progen(const uint8_t *data, size_t size, struct ebpf_insn *out,
				  uint8_t *mem)
{
	struct jit_progen_rd r = {data, size, 0};
	uint32_t n = 0, n_items, item_slot[JIT_PROGEN_MAX_ITEMS + 1];
	struct {
		uint32_t slot, target_item;
		bool imm32; /* ja32: offset in imm */
	} fix[JIT_PROGEN_MAX_ITEMS];
	uint32_t n_fix = 0;
	static const uint8_t alu_ops[] = {EBPF_ALU_ADD, EBPF_ALU_SUB, EBPF_ALU_MUL, EBPF_ALU_DIV,
					  EBPF_ALU_OR,	EBPF_ALU_AND, EBPF_ALU_LSH, EBPF_ALU_RSH,
					  EBPF_ALU_NEG, EBPF_ALU_MOD, EBPF_ALU_XOR, EBPF_ALU_MOV,
					  EBPF_ALU_ARSH};
	static const uint8_t jmp_ops[] = {EBPF_JMP_JEQ, EBPF_JMP_JGT,  EBPF_JMP_JGE,  EBPF_JMP_JSET,
					  EBPF_JMP_JNE, EBPF_JMP_JSGT, EBPF_JMP_JSGE, EBPF_JMP_JLT,
					  EBPF_JMP_JLE, EBPF_JMP_JSLT, EBPF_JMP_JSLE};
	static const int32_t atomic_ops[] = {
	    EBPF_ATOMIC_ADD,
	    EBPF_ATOMIC_OR,
	    EBPF_ATOMIC_AND,
	    EBPF_ATOMIC_XOR,
	    EBPF_ATOMIC_ADD | EBPF_ATOMIC_FETCH,
	    EBPF_ATOMIC_OR | EBPF_ATOMIC_FETCH,
	    EBPF_ATOMIC_AND | EBPF_ATOMIC_FETCH,
	    EBPF_ATOMIC_XOR | EBPF_ATOMIC_FETCH,
	    EBPF_ATOMIC_XCHG,
	    EBPF_ATOMIC_CMPXCHG,
	};
	static const uint8_t sizes[] = {EBPF_SIZE_B, EBPF_SIZE_H, EBPF_SIZE_W, EBPF_SIZE_DW};
	static const int size_bytes[] = {1, 2, 4, 8};

	for (size_t i = 0; i < JIT_PROGEN_MEM; i++)
		mem[i] = (uint8_t)(i * 37 + 11);
	n_items = jit_progen_u8(&r) % 128 + 1;
	for (size_t i = 0; i < 32; i++)
		mem[jit_progen_u8(&r) % JIT_PROGEN_MEM] = jit_progen_u8(&r);

	/* prologue */
	out[n++] = JIT_PROGEN_I(EBPF_CLASS_ALU64 | EBPF_ALU_MOV | EBPF_SRC_X, 9, 1, 0, 0);
	for (int k = 1; k <= JIT_PROGEN_STACK / 8; k++)
		out[n++] =
		    JIT_PROGEN_I(EBPF_CLASS_ST | EBPF_MODE_MEM | EBPF_SIZE_DW, 10, 0, -8 * k, 0);
	for (size_t k = 0; k < 8; k++) {
		out[n++] = JIT_PROGEN_I(EBPF_CLASS_LD | EBPF_SIZE_DW | EBPF_MODE_IMM,
					jit_progen_wregs[k], 0, 0, jit_progen_imm(&r));
		out[n++] = JIT_PROGEN_I(0, 0, 0, 0, jit_progen_imm(&r));
	}

	for (uint32_t it = 0; it < n_items; it++) {
		uint8_t kind = jit_progen_u8(&r) % 20;
		uint8_t d = jit_progen_reg(&r), s = jit_progen_reg(&r);
		int32_t imm = jit_progen_imm(&r);

		item_slot[it] = n;
		switch (kind) {
		case 0 ... 6: { /* ALU64 / ALU32 */
			bool is64 = kind < 4;
			uint8_t op = alu_ops[jit_progen_u8(&r) % sizeof(alu_ops)];
			bool x = jit_progen_u8(&r) & 1;
			int16_t off = 0;
			uint8_t sel = jit_progen_u8(&r);

			if (op == EBPF_ALU_NEG)
				x = false;
			if ((op == EBPF_ALU_DIV || op == EBPF_ALU_MOD) && (sel & 1))
				off = 1; /* sdiv / smod */
			if (op == EBPF_ALU_MOV && x && (sel & 1)) {
				static const int16_t sx[] = {8, 16, 32};

				off = sx[(sel >> 1) % (is64 ? 3 : 2)]; /* movsx */
			}
			out[n++] =
			    JIT_PROGEN_I((is64 ? EBPF_CLASS_ALU64 : EBPF_CLASS_ALU) | op |
					     (x ? EBPF_SRC_X : EBPF_SRC_K),
					 d, x ? s : 0, off, x || op == EBPF_ALU_NEG ? 0 : imm);
			break;
		}
		case 7: { /* byte swaps: le/be (ALU) and bswap (ALU64) */
			static const int32_t w[] = {16, 32, 64};
			uint8_t sel = jit_progen_u8(&r);

			out[n++] = JIT_PROGEN_I((sel & 4 ? EBPF_CLASS_ALU64 : EBPF_CLASS_ALU) |
						    EBPF_ALU_END |
						    (sel & 4 ? 0 : (sel & 8 ? EBPF_SRC_X : 0)),
						d, 0, 0, w[sel % 3]);
			break;
		}
		case 8:
		case 9:
		case 10:
		case 11: { /* loads and stores on the buffer (r1) or the stack (r10) */
			uint8_t sel = jit_progen_u8(&r);
			int sz = sel % 4;
			bool stack = kind == 11;
			int limit = stack ? JIT_PROGEN_STACK : JIT_PROGEN_MEM;
			int16_t off = (int16_t)(jit_progen_u8(&r) % (limit - size_bytes[sz] + 1));
			uint8_t base = stack ? 10 : (sel & 0x80 ? 9 : 1);
			uint8_t what = stack ? (uint8_t)((sel >> 2) % 3) : (uint8_t)(kind - 8);

			if (stack)
				off = (int16_t)(off - JIT_PROGEN_STACK);
			if (what == 0) { /* ldx, ldxs */
				bool sx = (sel & 0x40) && sz != 3;

				out[n++] = JIT_PROGEN_I(EBPF_CLASS_LDX |
							    (sx ? EBPF_MODE_MEMSX : EBPF_MODE_MEM) |
							    sizes[sz],
							d, base, off, 0);
			} else if (what == 1) { /* st */
				out[n++] = JIT_PROGEN_I(EBPF_CLASS_ST | EBPF_MODE_MEM | sizes[sz],
							base, 0, off, imm);
			} else { /* stx */
				out[n++] = JIT_PROGEN_I(EBPF_CLASS_STX | EBPF_MODE_MEM | sizes[sz],
							base, s, off, 0);
			}
			break;
		}
		case 12: { /* atomics, aligned, on the buffer */
			uint8_t sel = jit_progen_u8(&r);
			bool dw = sel & 1;
			int32_t aop = atomic_ops[(sel >> 1) % 10];
			int16_t off = (int16_t)((jit_progen_u8(&r) % (JIT_PROGEN_MEM / 8)) * 8);

			if (!dw && (sel & 0x80))
				off = (int16_t)(off + 4);
			out[n++] = JIT_PROGEN_I(EBPF_CLASS_STX | EBPF_MODE_ATOMIC |
						    (dw ? EBPF_SIZE_DW : EBPF_SIZE_W),
						sel & 0x40 ? 9 : 1, s, off, aop);
			break;
		}
		case 13:
		case 14:
		case 15: { /* forward conditional jump */
			uint8_t sel = jit_progen_u8(&r);
			bool x = sel & 1, is32 = sel & 2;
			uint8_t op = jmp_ops[(sel >> 2) % sizeof(jmp_ops)];

			if (n_fix < JIT_PROGEN_MAX_ITEMS) {
				fix[n_fix].slot = n;
				fix[n_fix].target_item = it + 1 + jit_progen_u8(&r) % 12;
				fix[n_fix++].imm32 = false;
			}
			out[n++] = JIT_PROGEN_I((is32 ? EBPF_CLASS_JMP32 : EBPF_CLASS_JMP) | op |
						    (x ? EBPF_SRC_X : EBPF_SRC_K),
						d, x ? s : 0, 0, x ? 0 : imm);
			break;
		}
		case 16: { /* ja / ja32, after a conditional jump over it (no dead code) */
			bool is32 = jit_progen_u8(&r) & 1;

			out[n++] = JIT_PROGEN_I(EBPF_CLASS_JMP | EBPF_JMP_JSET, d, 0, 1,
						jit_progen_u8(&r) | 1);

			if (n_fix < JIT_PROGEN_MAX_ITEMS) {
				fix[n_fix].slot = n;
				fix[n_fix].target_item = it + 1 + jit_progen_u8(&r) % 6;
				fix[n_fix++].imm32 = is32;
			}
			out[n++] = JIT_PROGEN_I(
			    (is32 ? EBPF_CLASS_JMP32 : EBPF_CLASS_JMP) | EBPF_JMP_JA, 0, 0, 0, 0);
			break;
		}
		case 17: /* lddw */
			out[n++] = JIT_PROGEN_I(EBPF_CLASS_LD | EBPF_SIZE_DW | EBPF_MODE_IMM, d, 0,
						0, imm);
			out[n++] = JIT_PROGEN_I(0, 0, 0, 0, jit_progen_imm(&r));
			break;
		default: { /* helper call with its arguments */
			static const int32_t ids[] = {0, 1, 2, 3, 5};
			int32_t id = ids[jit_progen_u8(&r) % 5];

			if (id == 1) /* memfrob(buffer, n) */
				out[n++] = JIT_PROGEN_I(EBPF_CLASS_ALU64 | EBPF_ALU_MOV, 2, 0, 0,
							1 + jit_progen_u8(&r) % JIT_PROGEN_MEM);
			else
				out[n++] = JIT_PROGEN_I(
				    EBPF_CLASS_ALU64 | EBPF_ALU_MOV | EBPF_SRC_X, 1, s, 0, 0);
			out[n++] = JIT_PROGEN_I(EBPF_CLASS_JMP | EBPF_JMP_CALL, 0, 0, 0, id);
			out[n++] =
			    JIT_PROGEN_I(EBPF_CLASS_ALU64 | EBPF_ALU_MOV | EBPF_SRC_X, 1, 9, 0, 0);
			for (uint8_t k = 2; k <= 5; k++)
				out[n++] =
				    JIT_PROGEN_I(EBPF_CLASS_ALU64 | EBPF_ALU_MOV, k, 0, 0, k);
			break;
		}
		}
	}
	item_slot[n_items] = n;

	/* epilogue: mix r2-r8 into r0 */
	for (uint8_t k = 2; k <= 8; k++) {
		out[n++] = JIT_PROGEN_I(EBPF_CLASS_ALU64 | EBPF_ALU_MUL, 0, 0, 0, 0x2545f491);
		out[n++] = JIT_PROGEN_I(EBPF_CLASS_ALU64 | EBPF_ALU_XOR | EBPF_SRC_X, 0, k, 0, 0);
	}
	out[n++] = JIT_PROGEN_I(EBPF_CLASS_JMP | EBPF_JMP_EXIT, 0, 0, 0, 0);

	for (uint32_t f = 0; f < n_fix; f++) {
		uint32_t t = fix[f].target_item > n_items ? n_items : fix[f].target_item;
		int32_t rel = (int32_t)item_slot[t] - (int32_t)fix[f].slot - 1;

		if (fix[f].imm32)
			out[fix[f].slot].imm = rel;
		else
			out[fix[f].slot].off = (int16_t)rel;
	}
	return n;
}

#endif
