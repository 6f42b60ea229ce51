# Red-team cases for the scalar domain (tnum.c, the ALU transfer functions and branch
# refinement in verifier_state.c), after Linux verifier soundness bugs. Each program turns a
# wrong bound into an out-of-bounds access of the mem:16 buffer (r1), so a verifier that
# believed the wrong bound would accept it; the reason asserts the sound bound.
=== rt-cve-2020-8835-64-range-across-2^32-then-mov32
# Linux's __reg_bound_offset32 derived a tight 32-bit range from a 64-bit range crossing a 2^32
# boundary: [0xffffff00, 0x100000010] says nothing about the low half.
type: mem:16
reason: pointer arithmetic with an unbounded scalar
ldxdw %r3, [%r1+0]
lddw %r4, 0xffffff00
jlt %r3, %r4, out
lddw %r4, 0x100000010
jgt %r3, %r4, out
mov32 %r3, %r3
add %r1, %r3
ldxb %r0, [%r1+0]
out:
mov %r0, 0
exit
=== rt-cve-2020-8835-jmp32-on-64-range
# a 32-bit comparison must not narrow the 64-bit range from the 32-bit one when the upper
# half is unknown: w3 < 8 says nothing about r3
type: mem:16
reason: pointer arithmetic with an unbounded scalar
ldxdw %r3, [%r1+0]
jge32 %r3, 8, out
add %r1, %r3
ldxb %r0, [%r1+0]
out:
mov %r0, 0
exit
=== rt-cve-2020-8835-jmp32-upper-bits
# r3 = 0x1_0000_0000 + (0..7): the low half is in [0, 7] but r3 is not
type: mem:16
reason: pointer arithmetic with an unbounded scalar
ldxb %r3, [%r1+0]
lddw %r4, 0x100000000
add %r3, %r4
jgt32 %r3, 7, out
add %r1, %r3
ldxb %r0, [%r1+0]
out:
mov %r0, 0
exit
=== rt-cve-2020-27194-or32-bounds
# Linux's scalar32_min_max_or took the 32-bit signed bounds from the 64-bit ones: (x | 1) with
# x in [0, 0xffff_ffff] may be 0xffff_ffff, which is -1 as s32
type: mem:16
reason: pointer arithmetic with an unbounded scalar
ldxw %r3, [%r1+0]
or32 %r3, 1
jsgt32 %r3, 15, out
add %r1, %r3
ldxb %r0, [%r1+0]
out:
mov %r0, 0
exit
=== rt-cve-2021-3490-and32-known-bits
# Linux's scalar32_min_max_and kept stale 32-bit bounds when both lower halves were known:
# r3 = 0x1_0000_0002..: the 64-bit AND keeps the unknown high part
type: mem:16
reason: pointer arithmetic with an unbounded scalar
ldxdw %r3, [%r1+0]
and %r3, -2
mov %r4, %r3
and32 %r4, 0
and %r3, %r3
add %r1, %r3
ldxb %r0, [%r1+0]
out:
mov %r0, 0
exit
=== rt-cve-2021-3490-xor32-range
# (x ^ 0x80) for x in [0, 0xff] stays in [0, 0xff]; 16 bytes are not enough
type: mem:16
reason: memory access out of bounds: up to byte 256 of 16
ldxb %r3, [%r1+0]
xor32 %r3, 0x80
add %r1, %r3
ldxb %r0, [%r1+0]
exit
=== rt-cve-2021-3490-or-64-with-32-known
# (x | 0x10) for x in [0, 0xff]: at least 16, at most 255
type: mem:16
reason: memory access out of bounds: up to byte 256 of 16
ldxb %r3, [%r1+0]
or %r3, 0x10
add %r1, %r3
ldxb %r0, [%r1+0]
exit
=== rt-cve-2021-31440-32-to-64-signed
# Linux's __reg_combine_64_into_32/32_into_64 assumed a 32-bit signed range implies the 64-bit
# one: s32 in [0, 7] with unknown upper bits is not r3 in [0, 7]
type: mem:16
reason: pointer arithmetic with an unbounded scalar
ldxdw %r3, [%r1+0]
jsgt32 %r3, 7, out
jslt32 %r3, 0, out
add %r1, %r3
ldxb %r0, [%r1+0]
out:
mov %r0, 0
exit
=== rt-cve-2021-31440-32-bound-after-64-sub
# r3 in [0, 0xff] minus 0x100 wraps to negative 64-bit values with low halves >= 0xffffff00
type: mem:16
reason: memory access out of bounds: offset -256 is negative
ldxb %r3, [%r1+0]
sub %r3, 0x100
jsgt32 %r3, 15, out
add %r1, %r3
ldxb %r0, [%r1+0]
out:
mov %r0, 0
exit
=== rt-cve-2021-3444-mod32-by-zero-truncation
# Linux's fixup of w = w % 0 left the upper half of a 64-bit register: mod32 by a register that
# may be 0 returns the 32-bit dividend, zero-extended, which is up to 0xffff_ffff
type: mem:16
reason: pointer arithmetic with an unbounded scalar
ldxdw %r3, [%r1+0]
ldxb %r4, [%r1+8]
and %r4, 1
mod32 %r3, %r4
add %r1, %r3
ldxb %r0, [%r1+0]
exit
=== rt-cve-2021-3600-div32-by-zero-upper-half
# div32 by 0 gives 0, but by 1 gives the 32-bit dividend
type: mem:16
reason: pointer arithmetic with an unbounded scalar
ldxdw %r3, [%r1+0]
ldxb %r4, [%r1+8]
and %r4, 1
div32 %r3, %r4
lsh %r3, 32
add %r1, %r3
ldxb %r0, [%r1+0]
exit
=== rt-mod64-by-maybe-zero-keeps-dividend
# x % y with y in [0, 1]: y = 0 leaves x (up to 255), y = 1 gives 0
type: mem:16
reason: memory access out of bounds: up to byte 256 of 16
ldxb %r3, [%r1+0]
ldxb %r4, [%r1+8]
and %r4, 1
mod %r3, %r4
add %r1, %r3
ldxb %r0, [%r1+0]
exit
=== rt-sdiv-int-min-by-minus-one
# INT64_MIN / -1 is INT64_MIN (no trap): the result is not positive
type: mem:16
reason: pointer arithmetic with an unbounded scalar
ldxb %r3, [%r1+0]
and %r3, 1
lddw %r4, 0x8000000000000000
or %r4, %r3
sdiv %r4, -1
add %r1, %r4
ldxb %r0, [%r1+0]
exit
=== rt-smod-negative-dividend
# -7 smod 4 = -3: signed remainders of negative dividends are negative
type: mem:16
reason: pointer arithmetic with an unbounded scalar
ldxb %r3, [%r1+0]
and %r3, 7
neg %r3
smod %r3, 4
add %r1, %r3
ldxb %r0, [%r1+0]
exit
=== rt-movsx8-of-byte-over-127
# movsx8 of 0x80..0xff is negative
type: mem:16
reason: memory access out of bounds: offset -128 is negative
ldxb %r3, [%r1+0]
movsx864 %r3, %r3
add %r1, %r3
ldxb %r0, [%r1+0]
exit
=== rt-movsx16-32bit-zero-extends-negative
# movsx1632: the sign extension stops at bit 31 and the result is zero-extended: 0xffff_8000
type: mem:16
reason: pointer arithmetic with an unbounded scalar
ldxh %r3, [%r1+0]
movsx1632 %r3, %r3
add %r1, %r3
ldxb %r0, [%r1+0]
exit
=== rt-movsx32-of-u32-is-not-u32
# movsx3264 of a value in [0, 0xffff_ffff] may be negative: a signed upper bound is not enough
type: mem:16
reason: pointer arithmetic with an unbounded scalar
ldxw %r3, [%r1+0]
movsx3264 %r3, %r3
jsgt %r3, 15, out
add %r1, %r3
ldxb %r0, [%r1+0]
out:
mov %r0, 0
exit
=== rt-ldxsb-sign-extends
# ldxsb of 0x80..0xff is negative, although the byte loaded is "small"
type: mem:16
reason: memory access out of bounds: offset -128 is negative
ldxsb %r3, [%r1+0]
add %r1, %r3
ldxb %r0, [%r1+0]
exit
=== rt-ldxsw-then-unsigned-check
# ldxsw then an unsigned check on 32 bits only: the upper half may be all ones
type: mem:16
reason: pointer arithmetic with an unbounded scalar
ldxsw %r3, [%r1+0]
jgt32 %r3, 15, out
add %r1, %r3
ldxb %r0, [%r1+0]
out:
mov %r0, 0
exit
=== rt-bswap16-moves-low-byte-up
# be16 of a value in [0, 1]: 0x0100 is possible
type: mem:16
reason: memory access out of bounds: up to byte 257 of 16
ldxb %r3, [%r1+0]
and %r3, 1
be16 %r3
add %r1, %r3
ldxb %r0, [%r1+0]
exit
=== rt-bswap32-of-small-value
# bswap32 of [0, 15] reaches 0x0f00_0000
type: mem:16
reason: memory access out of bounds: up to byte 251658241 of 16
ldxb %r3, [%r1+0]
and %r3, 15
bswap32 %r3
add %r1, %r3
ldxb %r0, [%r1+0]
exit
=== rt-le16-truncates-only
# le16 keeps the low 16 bits: of [0, 0x1_0010] that is still up to 0xffff
type: mem:16
reason: memory access out of bounds: up to byte 65536 of 16
ldxw %r3, [%r1+0]
jgt %r3, 0x10010, out
le16 %r3
add %r1, %r3
ldxb %r0, [%r1+0]
out:
mov %r0, 0
exit
=== rt-jslt-unsigned-mixup
# signed/unsigned mixup (Linux's BPF_JSLT refinement): r3 <s 16 includes every negative r3
type: mem:16
reason: pointer arithmetic with an unbounded scalar
ldxdw %r3, [%r1+0]
jsge %r3, 16, out
add %r1, %r3
ldxb %r0, [%r1+0]
out:
mov %r0, 0
exit
=== rt-jlt-then-signed-use
# r3 <u 16 is [0, 15]: a 2-byte read at r3 needs 17 bytes
type: mem:16
reason: memory access out of bounds: up to byte 17 of 16
ldxdw %r3, [%r1+0]
jge %r3, 16, out
add %r1, %r3
ldxh %r0, [%r1+0]
out:
mov %r0, 0
exit
=== rt-jset-does-not-bound
# jset says one bit is set, not that the others are clear
type: mem:16
reason: memory access out of bounds: up to byte 256 of 16
ldxb %r3, [%r1+0]
jset %r3, 8, +2
mov %r0, 0
exit
add %r1, %r3
ldxb %r0, [%r1+0]
exit
=== rt-jset-not-taken-clears-only-that-bit
# !(x & 0xf0) leaves bits 0-3 and 8+ of x unknown: x in [0, 0x30f] stays up to 0x30f
type: mem:16
reason: memory access out of bounds: up to byte 784 of 16
ldxh %r3, [%r1+0]
and %r3, 0x3ff
jset %r3, 0xf0, out
add %r1, %r3
ldxb %r0, [%r1+0]
out:
mov %r0, 0
exit
=== rt-jne-trims-only-the-edge
# x != 5 for x in [0, 16] is still up to 16
type: mem:16
reason: memory access out of bounds: up to byte 17 of 16
ldxb %r3, [%r1+0]
jgt %r3, 16, out
jeq %r3, 5, out
add %r1, %r3
ldxb %r0, [%r1+0]
out:
mov %r0, 0
exit
=== rt-jne-edge-off-by-one
# x != 16 for x in [0, 16] is [0, 15]; a 2-byte read at x+0 still needs 17 bytes
type: mem:16
reason: memory access out of bounds: up to byte 17 of 16
ldxb %r3, [%r1+0]
jgt %r3, 16, out
jeq %r3, 16, out
add %r1, %r3
ldxh %r0, [%r1+0]
out:
mov %r0, 0
exit
=== rt-lsh-overflow-wraps
# (x << 60) >> 60 with x in [0, 255]: the shift drops the high bits, the result is [0, 15];
# but x << 56 overflows 64-bit ranges: no range from the shift
type: mem:16
reason: pointer arithmetic with an unbounded scalar
ldxb %r3, [%r1+0]
lsh %r3, 57
add %r1, %r3
ldxb %r0, [%r1+0]
exit
=== rt-lsh32-truncates
# lsh32 of [0, 255] by 28 keeps only the low 32 bits (up to 0xf000_0000); >> 4: 0x0f00_0000
type: mem:16
reason: memory access out of bounds: up to byte 251658241 of 16
ldxb %r3, [%r1+0]
lsh32 %r3, 28
rsh %r3, 4
add %r1, %r3
ldxb %r0, [%r1+0]
exit
=== rt-arsh32-sign
# arsh32 of a value with bit 31 possibly set: up to 0xffff_ffff once zero-extended
type: mem:16
reason: pointer arithmetic with an unbounded scalar
ldxw %r3, [%r1+0]
arsh32 %r3, 24
add %r1, %r3
ldxb %r0, [%r1+0]
exit
=== rt-shift-by-unknown-amount
# x >> y with y unknown: up to x
type: mem:16
reason: memory access out of bounds: up to byte 256 of 16
ldxb %r3, [%r1+0]
ldxb %r4, [%r1+1]
rsh %r3, %r4
add %r1, %r3
ldxb %r0, [%r1+0]
exit
=== rt-shift-amount-masked
# lsh by 65 is lsh by 1 (the amount is masked to 6 bits): [0, 15] << 65 is [0, 30]
type: mem:16
reason: memory access out of bounds: up to byte 31 of 16
ldxb %r3, [%r1+0]
and %r3, 15
mov %r4, 65
lsh %r3, %r4
add %r1, %r3
ldxb %r0, [%r1+0]
exit
=== rt-mul-overflow
# x * 0x2000_0000_0000_0000 wraps around
type: mem:16
reason: pointer arithmetic with an unbounded scalar
ldxb %r3, [%r1+0]
lddw %r4, 0x2000000000000000
mul %r3, %r4
add %r1, %r3
ldxb %r0, [%r1+0]
exit
=== rt-mul32-wraps
# 32-bit multiply of [0, 0xffff] by 0x10001 wraps at 2^32
type: mem:16
reason: pointer arithmetic with an unbounded scalar
ldxh %r3, [%r1+0]
mul32 %r3, 0x10001
add %r1, %r3
ldxb %r0, [%r1+0]
exit
=== rt-add-wraps-unsigned
# x + (2^64 - 1) for x in [0, 1] wraps: -1 or 0
type: mem:16
reason: memory access out of bounds: offset -1 is negative
ldxb %r3, [%r1+0]
and %r3, 1
add %r3, -1
add %r1, %r3
ldxb %r0, [%r1+0]
exit
=== rt-sub-negative-range
# 8 - x for x in [0, 15] goes below zero
type: mem:16
reason: memory access out of bounds: offset -7 is negative
ldxb %r3, [%r1+0]
and %r3, 15
mov %r4, 8
sub %r4, %r3
add %r1, %r4
ldxb %r0, [%r1+0]
exit
=== rt-neg-range
# -x for x in [0, 1]
type: mem:16
reason: memory access out of bounds: offset -1 is negative
ldxb %r3, [%r1+0]
and %r3, 1
neg %r3
add %r1, %r3
ldxb %r0, [%r1+0]
exit
=== rt-neg32-zero-extends
# neg32 of 1 is 0xffff_ffff
type: mem:16
reason: pointer arithmetic with an unbounded scalar
ldxb %r3, [%r1+0]
and %r3, 1
neg32 %r3
add %r1, %r3
ldxb %r0, [%r1+0]
exit
=== rt-tnum-add-carry
# (x & 0xf0) + 0x10 carries into bit 8
type: mem:16
reason: memory access out of bounds: up to byte 257 of 16
ldxb %r3, [%r1+0]
and %r3, 0xf0
add %r3, 0x10
add %r1, %r3
ldxb %r0, [%r1+0]
exit
=== rt-tnum-sub-borrow
# (x & 1) - 2 borrows through every bit
type: mem:16
reason: memory access out of bounds: offset -2 is negative
ldxb %r3, [%r1+0]
and %r3, 1
sub %r3, 2
add %r1, %r3
ldxb %r0, [%r1+0]
exit
=== rt-add32-wraps
# w3 + 0xffff_ff80 for w3 in [0, 255] wraps at 2^32: [0, 127] or [0xffff_ff80, 0xffff_ffff]
type: mem:16
reason: pointer arithmetic with an unbounded scalar
ldxb %r3, [%r1+0]
add32 %r3, 0xffffff80
add %r1, %r3
ldxb %r0, [%r1+0]
exit
=== rt-sub32-wraps
# 8 - w3 for w3 in [0, 15], on 32 bits: up to 0xffff_fff9 once zero-extended
type: mem:16
reason: pointer arithmetic with an unbounded scalar
ldxb %r3, [%r1+0]
and %r3, 15
mov32 %r4, 8
sub32 %r4, %r3
add %r1, %r4
ldxb %r0, [%r1+0]
exit
=== rt-jslt32-then-mov32
# w3 <s 16 includes negative w3 (0x8000_0000..): mov32 makes them large positives
type: mem:16
reason: pointer arithmetic with an unbounded scalar
ldxw %r3, [%r1+0]
jsge32 %r3, 16, out
mov32 %r3, %r3
add %r1, %r3
ldxb %r0, [%r1+0]
out:
mov %r0, 0
exit
=== rt-jmp32-bounds-low-half-then-rsh32
# w3 < 16 with an unknown upper half: rsh32 by 0 keeps [0, 15] (the upper half is dropped)
# but the 64-bit r3 before it was never bounded: adding r3 itself is refused
type: mem:16
reason: pointer arithmetic with an unbounded scalar
ldxdw %r3, [%r1+0]
jge32 %r3, 16, out
mov %r4, %r3
rsh32 %r4, 0
add %r1, %r3
ldxb %r0, [%r1+0]
out:
mov %r0, 0
exit
