/* asm.h: assembler and disassembler for the eBPF conformance suite's assembly syntax
 * (../shared/conformance/README.md), used by the conformance plugin and runner, `bulwark asm`,
 * `bulwark disasm`, the verifier's log and tests.
 *
 * Syntax (one instruction per line; `#` or `;` starts a comment; `name:` defines a label; the
 * first `exit` also defines the label `exit` unless the program defines one itself):
 *   add %r0, %r1 / add %r0, -5 / add32 ... (add sub mul div sdiv or and lsh rsh mod smod xor mov
 *   arsh; suffix 32: ALU class), neg %r0 / neg32, movsx{8,16}{32,64} %rD, %rS / movsx3264,
 *   be16/be32/be64, le16/le32/le64 (ALU class byte swaps), bswap16/32/64 (alias swap16/32/64),
 *   ldxb/ldxh/ldxw/ldxdw %rD, [%rS+off], ldxsb/ldxsh/ldxsw (sign-extending), stb/sth/stw/stdw
 *   [%rD-off], imm, stxb/stxh/stxw/stxdw [%rD+off], %rS, lddw %rD, imm64,
 *   lddw %rD, map_fd N | map_value N + OFF | map_idx N | map_idx_value N + OFF | var_addr N |
 *   code_addr N (lddw pseudo sources 1, 2, 5, 6, 3, 4), ja +off|label, ja32 +imm|label (alias
 *   gotol), jeq/jgt/jge/jset/jne/jsgt/jsge/jlt/jle/jslt/jsle[32] %rD, %rS|imm, +off|label,
 *   call N (helper), call local label|+imm, call %rN (callx: code 0x8d, register in dst), exit,
 *   lock [fetch] add|and|or|xor[32] [%rD+off], %rS, lock xchg|cmpxchg[32] [%rD+off], %rS,
 *   .insn CODE, DST, SRC, OFF, IMM (any single slot, for encodings the other forms cannot write).
 * Registers are %r0-%r10 (the `%` is optional); %r11-%r15 are accepted so that tests can build
 * invalid programs for the verifier. Numbers are decimal or 0x hex, optionally negative; an
 * immediate must fit in 32 bits (signed or unsigned), an offset in 16 bits signed. */
#ifndef BULWARK_EBPF_ASM_H
#define BULWARK_EBPF_ASM_H

#include <stddef.h>
#include <stdint.h>

#include "ebpf/insn.h"

/* Assembles text into a malloc'ed array of *n_out slots (lddw takes two). Returns 0, or -EINVAL
 * with "line N: <what is wrong> '<token>'" in err (-ENOMEM on allocation failure). */
int ebpf_asm(const char *text, struct ebpf_insn **out, uint32_t *n_out, char *err, size_t errlen);

/* Writes the text of the instruction at insns[pc] (no newline) in the syntax above, such that
 * assembling it gives back the same slots. Jump and local call targets are written as relative
 * +N/-N. Returns the slots used (1, or 2 for lddw), or -EINVAL for an encoding that RFC 9669 (plus
 * callx) does not define or a truncated lddw; buf then holds the `.insn` form of the slot. */
int ebpf_disasm_insn(const struct ebpf_insn *insns, uint32_t n, uint32_t pc, char *buf, size_t len);

#endif
