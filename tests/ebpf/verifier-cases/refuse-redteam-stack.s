# Red-team cases for the stack: partial spill/fill, slot type confusion between a spilled
# register and the bytes written over it, helpers and callees writing into spilled slots,
# atomics on spilled values, and strings whose NUL a helper may have changed.
=== rt-partial-spill-4-then-fill-8
# a 4-byte store initialises 4 bytes; the 8-byte fill reads 4 more
type: mem:16
reason: read of uninitialised stack byte fp-4
stw [%r10-8], 0
ldxdw %r0, [%r10-8]
exit
=== rt-spill-bounded-then-byte-overwrite
# a spilled [0, 15] loses its bounds when one byte of it is overwritten
type: mem:16
reason: pointer arithmetic with an unbounded scalar
ldxb %r3, [%r1+0]
and %r3, 15
stxdw [%r10-8], %r3
stb [%r10-1], 0x7f
ldxdw %r3, [%r10-8]
add %r1, %r3
ldxb %r0, [%r1+0]
exit
=== rt-spill-bounded-then-32-bit-overwrite-low
# a 32-bit store of an unknown over the low half of a spilled [0, 15]
type: mem:16
reason: pointer arithmetic with an unbounded scalar
ldxb %r3, [%r1+0]
and %r3, 15
stxdw [%r10-8], %r3
ldxw %r4, [%r1+4]
stxw [%r10-8], %r4
ldxdw %r3, [%r10-8]
add %r1, %r3
ldxb %r0, [%r1+0]
exit
=== rt-spill-32-bit-fill-of-bounded-64
# filling the low half of a spilled 64-bit value gives 32 unknown bits, not the value's bounds
type: mem:16
reason: pointer arithmetic with an unbounded scalar
ldxdw %r3, [%r1+0]
stxdw [%r10-8], %r3
ldxw %r3, [%r10-4]
add %r1, %r3
ldxb %r0, [%r1+0]
exit
=== rt-spill-pointer-overwrite-one-byte-then-fill
# one byte of a spilled pointer overwritten: the rest of it may not be read back
type: mem:16
reason: read of uninitialised stack byte fp-7
stxdw [%r10-8], %r1
stb [%r10-8], 0
ldxdw %r0, [%r10-8]
exit
=== rt-spill-pointer-overwrite-then-deref
# a spilled pointer whose slot was overwritten with a scalar is a scalar
type: mem:16
reason: R3 is a scalar, not a pointer
stxdw [%r10-8], %r1
stdw [%r10-8], 64
ldxdw %r3, [%r10-8]
ldxb %r0, [%r3+0]
exit
=== rt-spill-pointer-misaligned-fill
# a fill that straddles a spilled pointer and the slot above
type: mem:16
reason: partial read of a spilled pointer
stdw [%r10-16], 0
stxdw [%r10-8], %r1
ldxdw %r0, [%r10-12]
exit
=== rt-32-bit-spill-of-pointer
# a 32-bit store of a pointer (the low half of an address) to the stack
type: mem:16
reason: partial or misaligned store of a pointer
stxw [%r10-8], %r1
mov %r0, 0
exit
=== rt-helper-fill-over-spilled-pointer-then-deref
# the helper writes 8 scalar bytes over a spilled context pointer: what is read back is a
# scalar, not the context
type: txdp
reason: R6 is a scalar, not a pointer
stxdw [%r10-8], %r1
mov %r1, %r10
add %r1, -8
mov %r2, 8
call 200
ldxdw %r6, [%r10-8]
ldxw %r0, [%r6+0]
mov %r0, 0
exit
=== rt-helper-var-offset-fill-over-spilled-pointer
# a helper write at a variable offset may hit the spilled pointer
type: txdp
reason: variable-offset write may overwrite a spilled pointer
stxdw [%r10-16], %r1
ldxw %r3, [%r1+12]
and %r3, 8
mov %r1, %r10
add %r1, -24
add %r1, %r3
mov %r2, 8
call 200
mov %r0, 0
exit
=== rt-var-offset-store-of-pointer
type: mem:16
reason: variable-offset store of a pointer to the stack
ldxb %r3, [%r1+0]
and %r3, 8
mov %r4, %r10
add %r4, -16
add %r4, %r3
stxdw [%r4+0], %r1
mov %r0, 0
exit
=== rt-var-offset-store-destroys-spilled-bounds
# a variable-offset store may land on the spilled [0, 15]: afterwards it is unknown
type: mem:16
reason: pointer arithmetic with an unbounded scalar
ldxb %r3, [%r1+0]
and %r3, 15
stxdw [%r10-8], %r3
stdw [%r10-16], 0
ldxb %r4, [%r1+1]
and %r4, 8
mov %r5, %r10
add %r5, -16
add %r5, %r4
ldxdw %r6, [%r1+8]
stxdw [%r5+0], %r6
ldxdw %r3, [%r10-8]
add %r1, %r3
ldxb %r0, [%r1+0]
exit
=== rt-var-offset-store-over-zero-bytes
# known-zero bytes a variable-offset store may have written are no longer known zero
type: mem:16
reason: memory access out of bounds: up to byte 256 of 16
stdw [%r10-8], 0
stdw [%r10-16], 0
ldxb %r4, [%r1+1]
and %r4, 8
mov %r5, %r10
add %r5, -16
add %r5, %r4
mov %r6, 0xff
stxb [%r5+0], %r6
ldxb %r3, [%r10-8]
add %r1, %r3
ldxb %r0, [%r1+0]
exit
=== rt-atomic-add-on-spilled-constant
# lock add changes a spilled 0
type: mem:16
reason: pointer arithmetic with an unbounded scalar
stdw [%r10-8], 0
ldxdw %r3, [%r1+0]
lock add [%r10-8], %r3
ldxdw %r3, [%r10-8]
add %r1, %r3
ldxb %r0, [%r1+0]
exit
=== rt-atomic-xchg-fetches-old-bounds-not-new
# lock xchg: the fetched value is the old memory value (unknown bytes), not the register's
type: mem:16
reason: pointer arithmetic with an unbounded scalar
ldxdw %r4, [%r1+0]
stxdw [%r10-8], %r4
mov %r3, 1
lock xchg [%r10-8], %r3
add %r1, %r3
ldxb %r0, [%r1+0]
exit
=== rt-cmpxchg-r0-gets-memory
# cmpxchg loads the old value into r0, whatever r0 was
type: mem:16
reason: pointer arithmetic with an unbounded scalar
ldxdw %r4, [%r1+0]
stxdw [%r10-8], %r4
mov %r0, 0
mov %r3, 1
lock cmpxchg [%r10-8], %r3
add %r1, %r0
ldxb %r0, [%r1+0]
exit
=== rt-callee-writes-caller-spill
# the callee overwrites the caller's spilled [0, 15] through a pointer
type: mem:16
reason: pointer arithmetic with an unbounded scalar
mov %r6, %r1
ldxb %r3, [%r1+0]
and %r3, 15
stxdw [%r10-8], %r3
mov %r1, %r10
add %r1, -8
ldxdw %r2, [%r6+8]
call local f
ldxdw %r3, [%r10-8]
add %r6, %r3
ldxb %r0, [%r6+0]
exit
f:
stxdw [%r1+0], %r2
mov %r0, 0
exit
=== rt-callee-overwrites-caller-spilled-pointer
# the callee stores a scalar over the caller's spilled buffer pointer
type: mem:16
reason: R6 is a scalar, not a pointer
stxdw [%r10-8], %r1
mov %r1, %r10
add %r1, -8
call local f
ldxdw %r6, [%r10-8]
ldxb %r0, [%r6+0]
exit
f:
stdw [%r1+0], 4096
mov %r0, 0
exit
=== rt-helper-fill-caller-stack-constant
# a helper filling the caller's spilled 0: afterwards unknown
type: txdp
reason: R0 is a scalar, not a pointer
mov %r6, %r1
stdw [%r10-8], 0
mov %r1, %r10
add %r1, -8
mov %r2, 8
call 200
ldxdw %r3, [%r10-8]
mov %r0, %r3
ldxb %r0, [%r0+0]
mov %r0, 0
exit
=== rt-memfrob-breaks-stack-string
# the suite's memfrob XORs the bytes: the known NUL is gone
type: mem:16
reason: must point to a NUL-terminated string
stdw [%r10-8], 0
mov %r1, %r10
add %r1, -8
mov %r2, 8
call 1
mov %r1, %r10
add %r1, -8
mov %r2, %r1
call 4
exit
=== rt-string-nul-overwritten-by-store
# the NUL of a stack string overwritten with an unknown byte
type: mem:16
reason: must point to a NUL-terminated string
stdw [%r10-8], 0
ldxb %r3, [%r1+0]
stxb [%r10-8], %r3
ldxb %r3, [%r1+1]
stxb [%r10-7], %r3
ldxb %r3, [%r1+2]
stxb [%r10-6], %r3
ldxb %r3, [%r1+3]
stxb [%r10-5], %r3
ldxb %r3, [%r1+4]
stxb [%r10-4], %r3
ldxb %r3, [%r1+5]
stxb [%r10-3], %r3
ldxb %r3, [%r1+6]
stxb [%r10-2], %r3
ldxb %r3, [%r1+7]
stxb [%r10-1], %r3
mov %r1, %r10
add %r1, -8
mov %r2, %r1
call 4
exit
=== rt-stack-var-offset-read-across-uninit
# a variable-offset read may touch bytes never written
type: mem:16
reason: read of uninitialised stack byte
stdw [%r10-8], 0
ldxb %r3, [%r1+0]
and %r3, 8
mov %r4, %r10
add %r4, -16
add %r4, %r3
ldxdw %r0, [%r4+0]
exit
=== rt-stack-var-offset-negative-beyond-frame
type: mem:16
reason: stack access out of bounds
ldxh %r3, [%r1+0]
mov %r4, %r10
sub %r4, %r3
stb [%r4-1], 0
mov %r0, 0
exit
