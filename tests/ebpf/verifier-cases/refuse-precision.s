# Precision tracking (verifier_precision.c) must not prune unsafely: in each program the first
# path explored (the fall-through of the `jeq %r2, 0`) stores a state at the prune point after
# the `ja +0` (8 instructions and 2 jumps in) with a safe value in some register or stack slot;
# the second path (the taken side, with an unsafe value there) reaches the same point. The value
# matters only later, through copies, spills, calls or branches: a verifier that left it
# imprecise in the stored state would prune the second path and accept the program.
# Each is refused for the unsafe use on the second path (and was before precision tracking).
=== prec-reg-ptr-offset
type: mem:8
reason: memory access out of bounds
ldxb %r2, [%r1+0]
mov %r3, 0
mov %r4, 0
mov %r5, 0
mov %r7, 0
mov %r8, 0
mov %r9, 0
mov %r6, 100
jeq %r2, 0, +1
mov %r6, 0
ja +0
add %r1, %r6
ldxb %r0, [%r1+0]
exit
=== prec-copy-then-ptr-offset
type: mem:8
reason: memory access out of bounds
ldxb %r2, [%r1+0]
mov %r3, 0
mov %r4, 0
mov %r5, 0
mov %r7, 0
mov %r8, 0
mov %r9, 0
mov %r6, 100
jeq %r2, 0, +1
mov %r6, 0
ja +0
mov %r7, %r6
mov %r8, %r7
add %r8, 1
add %r1, %r8
ldxb %r0, [%r1+0]
exit
=== prec-alu-src-operand
type: mem:8
reason: memory access out of bounds
ldxb %r2, [%r1+0]
mov %r3, 0
mov %r4, 0
mov %r5, 0
mov %r7, 0
mov %r8, 0
mov %r9, 0
mov %r6, 100
jeq %r2, 0, +1
mov %r6, 0
ja +0
mov %r7, 1
add %r7, %r6
and %r7, 255
add %r1, %r7
ldxb %r0, [%r1+0]
exit
=== prec-spill-before-state-fill-after
type: mem:8
reason: memory access out of bounds
ldxb %r2, [%r1+0]
mov %r3, 0
mov %r4, 0
mov %r5, 0
mov %r7, 0
mov %r8, 0
mov %r9, 0
mov %r6, 100
jeq %r2, 0, +1
mov %r6, 0
stxdw [%r10-16], %r6
ja +0
mov %r6, 0
ldxdw %r7, [%r10-16]
add %r1, %r7
ldxb %r0, [%r1+0]
exit
=== prec-spill-and-fill-after-state
type: mem:8
reason: memory access out of bounds
ldxb %r2, [%r1+0]
mov %r3, 0
mov %r4, 0
mov %r5, 0
mov %r7, 0
mov %r8, 0
mov %r9, 0
mov %r6, 100
jeq %r2, 0, +1
mov %r6, 0
ja +0
stxdw [%r10-8], %r6
mov %r6, 0
ldxdw %r7, [%r10-8]
add %r1, %r7
ldxb %r0, [%r1+0]
exit
=== prec-partial-store-zero-bytes
type: mem:8
reason: pointer arithmetic with an unbounded scalar
ldxb %r2, [%r1+0]
mov %r3, 0
mov %r4, 0
mov %r5, 0
mov %r7, 0
mov %r8, 0
mov %r9, 0
mov %r6, 100
jeq %r2, 0, +1
mov %r6, 0
ja +0
stdw [%r10-8], 0
stxw [%r10-8], %r6
mov %r6, 0
ldxdw %r7, [%r10-8]
add %r1, %r7
ldxb %r0, [%r1+0]
exit
=== prec-helper-size
type: tbuf:8
reason: stack access out of bounds
ldxb %r2, [%r1+0]
mov %r3, 0
mov %r4, 0
mov %r5, 0
mov %r7, 0
mov %r8, 0
mov %r9, 0
mov %r6, 1000
jeq %r2, 0, +1
mov %r6, 8
ja +0
mov %r1, %r10
add %r1, -8
mov %r2, %r6
call 200
mov %r0, 0
exit
=== prec-return-value
type: txdp
reason: return value may be outside [0, 4]
ldxw %r2, [%r1+16]
mov %r3, 0
mov %r4, 0
mov %r5, 0
mov %r7, 0
mov %r8, 0
mov %r9, 0
mov %r6, 9
jeq %r2, 0, +1
mov %r6, 1
ja +0
mov %r0, %r6
exit
=== prec-subprog-argument
type: mem:8
reason: memory access out of bounds
ldxb %r2, [%r1+0]
mov %r3, 0
mov %r4, 0
mov %r5, 0
mov %r7, 0
mov %r8, 0
mov %r9, 0
mov %r6, 100
jeq %r2, 0, +1
mov %r6, 0
ja +0
mov %r2, %r1
mov %r1, %r6
call local f
exit
f:
add %r2, %r1
ldxb %r0, [%r2+0]
exit
=== prec-subprog-return-value
type: mem:8
reason: memory access out of bounds
ldxb %r2, [%r1+0]
mov %r3, 0
mov %r4, 0
mov %r5, 0
mov %r7, 0
mov %r8, 0
mov %r9, 0
mov %r6, 100
jeq %r2, 0, +1
mov %r6, 0
ja +0
mov %r7, %r1
mov %r1, %r6
call local f
add %r7, %r0
ldxb %r0, [%r7+0]
exit
f:
mov %r0, %r1
exit
=== prec-state-inside-callee
type: mem:8
reason: memory access out of bounds
mov %r6, %r1
ldxb %r1, [%r1+0]
call local f
add %r6, %r0
ldxb %r0, [%r6+0]
exit
f:
mov %r2, %r1
mov %r3, 0
mov %r4, 0
mov %r5, 0
mov %r7, 0
mov %r8, 0
mov %r9, 0
mov %r0, 100
jeq %r2, 0, +1
mov %r0, 0
ja +0
exit
=== prec-callee-writes-caller-stack
type: mem:8
reason: memory access out of bounds
ldxb %r2, [%r1+0]
mov %r3, 0
mov %r4, 0
mov %r5, 0
mov %r7, 0
mov %r8, 0
mov %r9, 0
mov %r6, 100
jeq %r2, 0, +1
mov %r6, 0
ja +0
mov %r7, %r1
mov %r1, %r10
add %r1, -8
mov %r2, %r6
call local f
ldxdw %r3, [%r10-8]
add %r7, %r3
ldxb %r0, [%r7+0]
exit
f:
stxdw [%r1+0], %r2
mov %r0, 0
exit
=== prec-decided-branch
type: mem:8
reason: memory access out of bounds
ldxb %r2, [%r1+0]
mov %r3, 0
mov %r4, 0
mov %r5, 0
mov %r7, 0
mov %r8, 0
mov %r9, 0
mov %r6, 1
jeq %r2, 0, +1
mov %r6, 0
ja +0
jeq %r6, 0, +2
ldxb %r0, [%r1+100]
exit
mov %r0, 0
exit
=== prec-decided-branch-by-other-register
type: mem:8
reason: memory access out of bounds
ldxb %r2, [%r1+0]
mov %r3, 0
mov %r4, 0
mov %r5, 0
mov %r7, 5
mov %r8, 0
mov %r9, 0
mov %r6, 50
jeq %r2, 0, +1
mov %r6, 0
ja +0
jgt %r6, %r7, +2
mov %r0, 0
exit
ldxb %r0, [%r1+100]
exit
=== prec-branch-refines-then-offset
type: mem:64
reason: memory access out of bounds
ldxb %r2, [%r1+0]
ldxb %r6, [%r1+1]
mov %r3, 0
mov %r4, 0
mov %r5, 0
mov %r7, 8
mov %r8, 0
mov %r9, 0
jeq %r2, 0, +1
mov %r7, 200
ja +0
jgt %r6, %r7, +3
add %r1, %r6
ldxb %r0, [%r1+0]
exit
mov %r0, 0
exit
=== prec-null-check-against-register
type: txdp
map: hash 4 4 4
reason: comparison of a pointer
ldxw %r2, [%r1+16]
stw [%r10-4], 0
mov %r4, 0
mov %r5, 0
mov %r7, 0
mov %r8, 0
mov %r9, 0
mov %r6, 1
jeq %r2, 0, +1
mov %r6, 0
ja +0
lddw %r1, map_idx 0
mov %r2, %r10
add %r2, -4
call 1
jeq %r0, %r6, +1
ldxw %r0, [%r0+0]
mov %r0, 0
exit
=== prec-callx-helper-id
type: tbuf:8
reason: helper 1000 is not available
ldxb %r2, [%r1+0]
mov %r3, 0
mov %r4, 0
mov %r5, 0
mov %r7, 0
mov %r8, 0
mov %r9, 0
mov %r6, 1000
jeq %r2, 0, +1
mov %r6, 7
ja +0
call %r6
mov %r0, 0
exit
=== prec-string-on-stack
type: tbuf:8
reason: must point to a NUL-terminated string
ldxb %r2, [%r1+0]
mov %r3, 0
mov %r4, 0
mov %r5, 0
mov %r7, 0
mov %r8, 0
mov %r9, 0
mov %r6, 0x41
jeq %r2, 0, +1
mov %r6, 0
ja +0
stxb [%r10-1], %r6
mov %r1, %r10
add %r1, -1
call 201
mov %r0, 0
exit
=== prec-loop-bound
type: mem:64
reason: memory access out of bounds
ldxb %r2, [%r1+0]
mov %r3, 0
mov %r4, 0
mov %r5, 0
mov %r7, 0
mov %r8, 0
mov %r9, 0
mov %r6, 80
jeq %r2, 0, +1
mov %r6, 8
ja +0
mov %r3, 0
l:
mov %r4, %r1
add %r4, %r3
ldxb %r0, [%r4+0]
add %r3, 1
jlt %r3, %r6, l
exit
# The first path (A) stores a state T at p2 and demands r2 there (r2 in [0, 7]); the second (B)
# stores S at the `jgt %r2, 5, +0` (both sides land there) with r2 in [0, 5] and is cut at p2 by
# T, whose r2 is precise: B's path relies on r2 staying in [0, 7], so S's r2 must become precise,
# or the third path (C, the taken side, r2 in [6, 255]) would be cut at S.
=== prec-cut-path-inherits-old-precision
type: mem:8
reason: memory access out of bounds
ldxb %r2, [%r1+0]
ldxb %r3, [%r1+1]
mov %r4, 0
mov %r5, 0
mov %r7, 0
mov %r8, 0
mov %r9, 0
mov %r6, 0
jeq %r3, 0, lb
and %r2, 7
ja p2
lb:
mov %r4, 0
mov %r5, 0
mov %r7, 0
mov %r8, 0
mov %r9, 0
jgt %r2, 5, +0
mov %r4, 0
mov %r5, 0
p2:
add %r1, %r2
ldxb %r0, [%r1+0]
exit
=== prec-cut-path-inherits-old-precision-stack
type: mem:8
reason: memory access out of bounds
ldxb %r2, [%r1+0]
ldxb %r3, [%r1+1]
mov %r4, 0
mov %r5, 0
mov %r7, 0
mov %r8, 0
mov %r9, 0
mov %r6, 0
jeq %r3, 0, lb
and %r2, 7
stxdw [%r10-8], %r2
ja p2
lb:
mov %r4, 0
mov %r5, 0
mov %r7, 0
mov %r8, 0
mov %r9, 0
jgt %r2, 5, +0
stxdw [%r10-8], %r2
mov %r5, 0
p2:
ldxdw %r7, [%r10-8]
add %r1, %r7
ldxb %r0, [%r1+0]
exit
=== prec-callee-reads-caller-stack
type: mem:8
reason: memory access out of bounds
ldxb %r2, [%r1+0]
mov %r3, 0
mov %r4, 0
mov %r5, 0
mov %r7, 0
mov %r8, 0
mov %r9, 0
mov %r6, 100
jeq %r2, 0, +1
mov %r6, 0
ja +0
stxdw [%r10-8], %r6
mov %r2, %r1
mov %r1, %r10
add %r1, -8
call local f
exit
f:
ldxdw %r3, [%r1+0]
add %r2, %r3
ldxb %r0, [%r2+0]
exit
=== prec-caller-register-across-state-in-callee
type: mem:8
reason: memory access out of bounds
ldxb %r2, [%r1+0]
mov %r7, %r1
mov %r6, 100
jeq %r2, 0, +1
mov %r6, 0
mov %r1, %r2
call local f
add %r7, %r6
ldxb %r0, [%r7+0]
exit
f:
mov %r2, 0
mov %r3, 0
mov %r4, 0
mov %r5, 0
mov %r8, 0
jeq %r1, 7, +0
mov %r9, 0
ja +0
mov %r0, 0
exit
