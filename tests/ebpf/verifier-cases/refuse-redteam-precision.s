# Red-team cases for precision tracking (verifier_precision.c): like refuse-redteam-prune.s
# (two paths joining with states that differ in one value), where the value reaches the
# decision through flows the backward walk must follow: stores made by a callee into the
# caller's frame, stores through a filled stack pointer, partial stores of zero, links made by
# a comparison, callee arguments and return values, movsx, shifts by a register, a NULL check
# against a register, callx ids, helper sizes and references, stack strings.
=== rt-prec-callee-stores-caller-register-into-caller-stack
# the value goes r3 -> callee's r2 -> stored by the callee into the caller's fp-8 -> loaded by
# the caller: the demand must follow the store made in the other frame
type: mem:16
reason: memory access out of bounds: up to byte 256 of 16
ldxb %r3, [%r1+0]
ldxb %r4, [%r1+1]
ldxb %r5, [%r1+2]
ldxb %r7, [%r1+3]
mov %r0, 0
jeq %r5, 1, +1
add %r0, 1
jeq %r5, 2, +1
add %r0, 1
jeq %r5, 3, +1
add %r0, 1
jeq %r7, 0, pathb
mov %r3, 0
ja join
pathb:
and %r3, 0xff
join:
mov %r5, 0
mov %r5, 0
mov %r5, 0
mov %r5, 0
mov %r5, 0
mov %r5, 0
mov %r5, 0
jeq %r5, 1, +1
mov %r5, 0
mov %r6, %r1
stdw [%r10-8], 0
mov %r1, %r10
add %r1, -8
mov %r2, %r3
call local f
ldxdw %r4, [%r10-8]
add %r6, %r4
ldxb %r0, [%r6+0]
exit
f:
stxdw [%r1+0], %r2
mov %r0, 0
exit
=== rt-prec-join-before-partial-store-of-zero
# a 4-byte store of r3 makes known-zero bytes on path A (r3 = 0), unknown bytes on path B
type: mem:16
reason: pointer arithmetic with an unbounded scalar
ldxb %r3, [%r1+0]
ldxb %r4, [%r1+1]
ldxb %r5, [%r1+2]
ldxb %r7, [%r1+3]
mov %r0, 0
jeq %r5, 1, +1
add %r0, 1
jeq %r5, 2, +1
add %r0, 1
jeq %r5, 3, +1
add %r0, 1
jeq %r7, 0, pathb
mov %r3, 0
ja join
pathb:
ldxw %r3, [%r1+4]
join:
mov %r5, 0
mov %r5, 0
mov %r5, 0
mov %r5, 0
mov %r5, 0
mov %r5, 0
mov %r5, 0
jeq %r5, 1, +1
mov %r5, 0
stdw [%r10-8], 0
stxw [%r10-8], %r3
ldxw %r4, [%r10-8]
lsh %r4, 20
add %r1, %r4
ldxb %r0, [%r1+0]
exit
=== rt-prec-store-through-refilled-stack-pointer
# r3 stored through a stack pointer that was spilled and filled: the access record says which
# slot it wrote
type: mem:16
reason: memory access out of bounds: up to byte 256 of 16
ldxb %r3, [%r1+0]
ldxb %r4, [%r1+1]
ldxb %r5, [%r1+2]
ldxb %r7, [%r1+3]
mov %r0, 0
jeq %r5, 1, +1
add %r0, 1
jeq %r5, 2, +1
add %r0, 1
jeq %r5, 3, +1
add %r0, 1
jeq %r7, 0, pathb
mov %r3, 0
ja join
pathb:
and %r3, 0xff
join:
mov %r5, 0
mov %r5, 0
mov %r5, 0
mov %r5, 0
mov %r5, 0
mov %r5, 0
mov %r5, 0
jeq %r5, 1, +1
mov %r5, 0
mov %r9, %r10
add %r9, -8
stxdw [%r10-16], %r9
ldxdw %r8, [%r10-16]
stxdw [%r8+0], %r3
ldxdw %r4, [%r10-8]
add %r1, %r4
ldxb %r0, [%r1+0]
exit
=== rt-prec-jne-links-registers
# r4 == r3 gives r4 the range of r3 (1 on path A, [0, 255] on path B): the jump links them
type: mem:16
reason: memory access out of bounds: up to byte 256 of 16
ldxb %r3, [%r1+0]
ldxb %r4, [%r1+1]
ldxb %r5, [%r1+2]
ldxb %r7, [%r1+3]
mov %r0, 0
jeq %r5, 1, +1
add %r0, 1
jeq %r5, 2, +1
add %r0, 1
jeq %r5, 3, +1
add %r0, 1
jeq %r7, 0, pathb
mov %r3, 1
ja join
pathb:
and %r3, 0xff
join:
mov %r5, 0
mov %r5, 0
mov %r5, 0
mov %r5, 0
mov %r5, 0
mov %r5, 0
mov %r5, 0
jeq %r5, 1, +1
mov %r5, 0
jne %r4, %r3, +3
add %r1, %r4
ldxb %r0, [%r1+0]
exit
mov %r0, 0
exit
=== rt-prec-callee-returns-argument
# the callee returns its r1 (the caller's r3): r0 after the call depends on r3 before it
type: mem:16
reason: memory access out of bounds: up to byte 256 of 16
ldxb %r3, [%r1+0]
ldxb %r4, [%r1+1]
ldxb %r5, [%r1+2]
ldxb %r7, [%r1+3]
mov %r0, 0
jeq %r5, 1, +1
add %r0, 1
jeq %r5, 2, +1
add %r0, 1
jeq %r5, 3, +1
add %r0, 1
jeq %r7, 0, pathb
mov %r3, 0
ja join
pathb:
and %r3, 0xff
join:
mov %r5, 0
mov %r5, 0
mov %r5, 0
mov %r5, 0
mov %r5, 0
mov %r5, 0
mov %r5, 0
jeq %r5, 1, +1
mov %r5, 0
mov %r6, %r1
mov %r1, %r3
call local f
add %r6, %r0
ldxb %r0, [%r6+0]
exit
f:
mov %r0, %r1
exit
=== rt-prec-caller-r6-across-callee-writing-its-r6
# the caller's r6 lives across a call whose callee sets its own r6 (another frame's register)
# and stores states of its own
type: mem:16
reason: memory access out of bounds: up to byte 256 of 16
ldxb %r3, [%r1+0]
ldxb %r4, [%r1+1]
ldxb %r5, [%r1+2]
ldxb %r7, [%r1+3]
mov %r0, 0
jeq %r5, 1, +1
add %r0, 1
jeq %r5, 2, +1
add %r0, 1
jeq %r5, 3, +1
add %r0, 1
jeq %r7, 0, pathb
mov %r6, 0
ja join
pathb:
mov %r6, %r3
join:
mov %r5, 0
mov %r5, 0
mov %r5, 0
mov %r5, 0
mov %r5, 0
mov %r5, 0
mov %r5, 0
jeq %r5, 1, +1
mov %r5, 0
mov %r9, %r1
mov %r1, 5
call local f
add %r9, %r6
ldxb %r0, [%r9+0]
exit
f:
mov %r6, 0
mov %r0, 0
jeq %r1, 1, +1
add %r0, 1
jeq %r1, 2, +1
add %r0, 1
jeq %r1, 3, +1
add %r0, 1
mov %r6, 1
mov %r6, 2
mov %r6, 3
mov %r6, 4
mov %r6, 5
mov %r6, 6
jeq %r1, 4, +1
mov %r6, 7
exit
=== rt-prec-movsx-chain
# r4 = movsx8(r3): 0 on path A; r3 in [0, 255] on path B makes it [-128, 127]
type: mem:16
reason: memory access out of bounds: offset -128 is negative
ldxb %r3, [%r1+0]
ldxb %r4, [%r1+1]
ldxb %r5, [%r1+2]
ldxb %r7, [%r1+3]
mov %r0, 0
jeq %r5, 1, +1
add %r0, 1
jeq %r5, 2, +1
add %r0, 1
jeq %r5, 3, +1
add %r0, 1
jeq %r7, 0, pathb
mov %r3, 0
ja join
pathb:
and %r3, 0xff
join:
mov %r5, 0
mov %r5, 0
mov %r5, 0
mov %r5, 0
mov %r5, 0
mov %r5, 0
mov %r5, 0
jeq %r5, 1, +1
mov %r5, 0
movsx864 %r4, %r3
add %r1, %r4
ldxb %r0, [%r1+0]
exit
=== rt-prec-null-check-against-register
# jeq r9, r3: a NULL check when r3 is 0 (path A), a pointer comparison when r3 is 1 (path B,
# where r9 may still be NULL on the fall-through)
type: txdp
map: hash 4 8 4
reason: comparison of a pointer
mov %r6, %r1
ldxw %r2, [%r6+0]
ldxw %r8, [%r6+4]
ldxw %r5, [%r6+12]
ldxw %r7, [%r6+16]
mov %r0, 0
jeq %r5, 1, +1
add %r0, 1
jeq %r5, 2, +1
add %r0, 1
jeq %r5, 3, +1
add %r0, 1
stw [%r10-4], 0
mov %r2, %r10
add %r2, -4
lddw %r1, map_idx 0
call 1
mov %r9, %r0
jeq %r7, 0, pathb
mov %r3, 0
ja join
pathb:
mov %r3, 1
join:
mov %r5, 0
mov %r5, 0
mov %r5, 0
mov %r5, 0
mov %r5, 0
mov %r5, 0
mov %r5, 0
jeq %r5, 1, +1
mov %r5, 0
jeq %r9, %r3, out
ldxdw %r0, [%r9+0]
mov %r0, 0
exit
out:
mov %r0, 0
exit
=== rt-prec-callx-helper-id-differs
# callx through r4: 7 (get_prandom_u32) on path A, unknown on path B
type: txdp
reason: callx needs a known helper id
mov %r6, %r1
ldxw %r2, [%r6+0]
ldxw %r8, [%r6+4]
ldxw %r5, [%r6+12]
ldxw %r7, [%r6+16]
mov %r0, 0
jeq %r5, 1, +1
add %r0, 1
jeq %r5, 2, +1
add %r0, 1
jeq %r5, 3, +1
add %r0, 1
jeq %r7, 0, pathb
mov %r4, 7
ja join
pathb:
ldxw %r4, [%r6+20]
join:
mov %r5, 0
mov %r5, 0
mov %r5, 0
mov %r5, 0
mov %r5, 0
mov %r5, 0
mov %r5, 0
jeq %r5, 1, +1
mov %r5, 0
call %r4
mov %r0, 0
exit
=== rt-prec-ringbuf-alloc-size-differs
# ringbuf_reserve's size: 64 bytes on path A, 8 on path B; the record is written at 32
type: txdp
map: ringbuf 0 0 4096
reason: memory access out of bounds: up to byte 40 of 8
mov %r6, %r1
ldxw %r2, [%r6+0]
ldxw %r8, [%r6+4]
ldxw %r5, [%r6+12]
ldxw %r7, [%r6+16]
mov %r0, 0
jeq %r5, 1, +1
add %r0, 1
jeq %r5, 2, +1
add %r0, 1
jeq %r5, 3, +1
add %r0, 1
jeq %r7, 0, pathb
mov %r9, 64
ja join
pathb:
mov %r9, 8
join:
mov %r5, 0
mov %r5, 0
mov %r5, 0
mov %r5, 0
mov %r5, 0
mov %r5, 0
mov %r5, 0
jeq %r5, 1, +1
mov %r5, 0
lddw %r1, map_idx 0
mov %r2, %r9
mov %r3, 0
call 131
jeq %r0, 0, out
stdw [%r0+32], 1
mov %r1, %r0
mov %r2, 0
call 132
out:
mov %r0, 0
exit
=== rt-prec-tail-call-index-and-reference
# path A releases the record before the tail call, path B still holds it
type: txdp
map: prog_array 4 4 4
map: ringbuf 0 0 4096
reason: tail call with an unreleased reference
mov %r6, %r1
ldxw %r2, [%r6+0]
ldxw %r8, [%r6+4]
ldxw %r5, [%r6+12]
ldxw %r7, [%r6+16]
mov %r0, 0
jeq %r5, 1, +1
add %r0, 1
jeq %r5, 2, +1
add %r0, 1
jeq %r5, 3, +1
add %r0, 1
jeq %r7, 0, pathb
lddw %r1, map_idx 1
mov %r2, 8
mov %r3, 0
call 131
jeq %r0, 0, out
mov %r1, %r0
mov %r2, 0
call 133
ja join
pathb:
lddw %r1, map_idx 1
mov %r2, 8
mov %r3, 0
call 131
jeq %r0, 0, out
mov %r9, %r0
join:
mov %r5, 0
mov %r5, 0
mov %r5, 0
mov %r5, 0
mov %r5, 0
mov %r5, 0
mov %r5, 0
jeq %r5, 1, +1
mov %r5, 0
mov %r1, %r6
lddw %r2, map_idx 0
mov %r3, 0
call 12
out:
mov %r0, 0
exit
=== rt-prec-string-nul-differs
# strcmp reads a stack string whose last byte is 0 on path A and unknown on path B
type: mem:16
reason: must point to a NUL-terminated string
ldxb %r3, [%r1+0]
ldxb %r4, [%r1+1]
ldxb %r5, [%r1+2]
ldxb %r7, [%r1+3]
mov %r0, 0
jeq %r5, 1, +1
add %r0, 1
jeq %r5, 2, +1
add %r0, 1
jeq %r5, 3, +1
add %r0, 1
jeq %r7, 0, pathb
mov %r3, 0
ja join
pathb:
or %r3, 1
join:
mov %r5, 0
mov %r5, 0
mov %r5, 0
mov %r5, 0
mov %r5, 0
mov %r5, 0
mov %r5, 0
jeq %r5, 1, +1
mov %r5, 0
stdw [%r10-8], 0x41
stxb [%r10-1], %r3
mov %r1, %r10
add %r1, -8
mov %r2, %r1
call 4
exit
=== rt-prec-shift-amount-differs
# r4 >> r3: r3 is 8 on path A (r4 in [0, 255] becomes 0), 0..255 masked to 0..63 on path B
type: mem:16
reason: memory access out of bounds: up to byte 256 of 16
ldxb %r3, [%r1+0]
ldxb %r4, [%r1+1]
ldxb %r5, [%r1+2]
ldxb %r7, [%r1+3]
mov %r0, 0
jeq %r5, 1, +1
add %r0, 1
jeq %r5, 2, +1
add %r0, 1
jeq %r5, 3, +1
add %r0, 1
jeq %r7, 0, pathb
mov %r3, 8
ja join
pathb:
and %r3, 0xff
join:
mov %r5, 0
mov %r5, 0
mov %r5, 0
mov %r5, 0
mov %r5, 0
mov %r5, 0
mov %r5, 0
jeq %r5, 1, +1
mov %r5, 0
rsh %r4, %r3
add %r1, %r4
ldxb %r0, [%r1+0]
exit
