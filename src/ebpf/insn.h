/* insn.h: the eBPF instruction set as RFC 9669 defines it (up to v4), shared by the assembler,
 * disassembler, ELF loader, verifier, interpreter and JIT. Names carry an EBPF_ prefix so this
 * header can sit beside <linux/bpf.h> (which the ELF loader includes for BTF) without clashes. */
#ifndef BULWARK_EBPF_INSN_H
#define BULWARK_EBPF_INSN_H

#include <stdint.h>

/* One 64-bit instruction slot, little-endian as in an ELF object. lddw takes two slots. */
struct ebpf_insn {
	uint8_t code;
	uint8_t dst : 4;
	uint8_t src : 4;
	int16_t off;
	int32_t imm;
};
_Static_assert(sizeof(struct ebpf_insn) == 8, "eBPF instructions are 8 bytes");

#define EBPF_NREGS 11	    /* r0-r10 */
#define EBPF_REG_FP 10	    /* read-only frame pointer */
#define EBPF_STACK_SIZE 512 /* bytes per frame */
#define EBPF_MAX_CALL_DEPTH 8
#define EBPF_MAX_STACK_TOTAL 4096 /* bytes over a bpf-to-bpf call chain */
#define EBPF_MAX_INSNS 1000000	  /* slots in one program, including subprograms */

/* class: code & 0x07 */
#define EBPF_CLASS(code) ((code)&0x07)
#define EBPF_CLASS_LD 0x00
#define EBPF_CLASS_LDX 0x01
#define EBPF_CLASS_ST 0x02
#define EBPF_CLASS_STX 0x03
#define EBPF_CLASS_ALU 0x04
#define EBPF_CLASS_JMP 0x05
#define EBPF_CLASS_JMP32 0x06
#define EBPF_CLASS_ALU64 0x07

/* arithmetic and jump: code = op | source | class */
#define EBPF_SRC(code) ((code)&0x08)
#define EBPF_SRC_K 0x00 /* use imm (32-bit, sign-extended for 64-bit ops) */
#define EBPF_SRC_X 0x08 /* use src register (for byte swaps: EBPF_SRC_X = to big endian) */
#define EBPF_OP(code) ((code)&0xf0)

#define EBPF_ALU_ADD 0x00
#define EBPF_ALU_SUB 0x10
#define EBPF_ALU_MUL 0x20
#define EBPF_ALU_DIV 0x30 /* off 1: sdiv */
#define EBPF_ALU_OR 0x40
#define EBPF_ALU_AND 0x50
#define EBPF_ALU_LSH 0x60
#define EBPF_ALU_RSH 0x70
#define EBPF_ALU_NEG 0x80
#define EBPF_ALU_MOD 0x90 /* off 1: smod */
#define EBPF_ALU_XOR 0xa0
#define EBPF_ALU_MOV 0xb0 /* off 8/16/32: movsx */
#define EBPF_ALU_ARSH 0xc0
#define EBPF_ALU_END 0xd0 /* byte swap; imm 16/32/64; ALU64 class: unconditional bswap */

#define EBPF_JMP_JA 0x00 /* JMP32 class: gotol, offset in imm */
#define EBPF_JMP_JEQ 0x10
#define EBPF_JMP_JGT 0x20
#define EBPF_JMP_JGE 0x30
#define EBPF_JMP_JSET 0x40
#define EBPF_JMP_JNE 0x50
#define EBPF_JMP_JSGT 0x60
#define EBPF_JMP_JSGE 0x70
#define EBPF_JMP_CALL 0x80
#define EBPF_JMP_EXIT 0x90
#define EBPF_JMP_JLT 0xa0
#define EBPF_JMP_JLE 0xb0
#define EBPF_JMP_JSLT 0xc0
#define EBPF_JMP_JSLE 0xd0

/* call: src 0 helper by id (imm), src 1 (EBPF_PSEUDO_CALL) bpf-to-bpf call at pc + imm + 1,
 * src 2 helper by BTF id (refused). `callx` (code 0x8d, dst holds the helper id) is not RFC 9669:
 * the conformance suite's callx.data uses it with the helper id in the register named by dst. */
#define EBPF_PSEUDO_CALL 1

/* load/store: code = mode | size | class */
#define EBPF_SIZE(code) ((code)&0x18)
#define EBPF_SIZE_W 0x00  /* 4 bytes */
#define EBPF_SIZE_H 0x08  /* 2 */
#define EBPF_SIZE_B 0x10  /* 1 */
#define EBPF_SIZE_DW 0x18 /* 8 */
#define EBPF_MODE(code) ((code)&0xe0)
#define EBPF_MODE_IMM 0x00 /* lddw (LD class, size DW) */
#define EBPF_MODE_ABS 0x20 /* legacy packet access: refused */
#define EBPF_MODE_IND 0x40 /* legacy packet access: refused */
#define EBPF_MODE_MEM 0x60
#define EBPF_MODE_MEMSX 0x80  /* LDX only: sign-extending load (v4) */
#define EBPF_MODE_ATOMIC 0xc0 /* STX only, W or DW; operation in imm */

/* atomic operations (imm of an EBPF_MODE_ATOMIC instruction) */
#define EBPF_ATOMIC_FETCH 0x01
#define EBPF_ATOMIC_ADD 0x00
#define EBPF_ATOMIC_OR 0x40
#define EBPF_ATOMIC_AND 0x50
#define EBPF_ATOMIC_XOR 0xa0
#define EBPF_ATOMIC_XCHG (0xe0 | EBPF_ATOMIC_FETCH)
#define EBPF_ATOMIC_CMPXCHG (0xf0 | EBPF_ATOMIC_FETCH)

/* lddw source (src field of the first slot), RFC 9669 table 12. bulwark has no file descriptors:
 * a program's maps are numbered 0..n_maps-1 by the loader, and "fd" in sources 1 and 2 is that
 * number too, so objects relocated libbpf-style (src 1/2) and by index (src 5/6) both work. */
#define EBPF_PSEUDO_IMM64 0	    /* dst = next.imm << 32 | imm */
#define EBPF_PSEUDO_MAP_FD 1	    /* dst = map_by_fd(imm) */
#define EBPF_PSEUDO_MAP_VALUE 2	    /* dst = map_val(map_by_fd(imm)) + next.imm */
#define EBPF_PSEUDO_VAR_ADDR 3	    /* dst = var_addr(imm): refused */
#define EBPF_PSEUDO_CODE_ADDR 4	    /* dst = code_addr(imm): refused */
#define EBPF_PSEUDO_MAP_IDX 5	    /* dst = map_by_idx(imm) */
#define EBPF_PSEUDO_MAP_IDX_VALUE 6 /* dst = map_val(map_by_idx(imm)) + next.imm */

static inline int ebpf_insn_is_lddw(const struct ebpf_insn *i)
{
	return i->code == (EBPF_CLASS_LD | EBPF_SIZE_DW | EBPF_MODE_IMM);
}

#endif
