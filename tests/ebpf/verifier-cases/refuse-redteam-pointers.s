# Red-team cases for pointers: *_OR_NULL pointers (CVE-2022-23222), pointer arithmetic limits
# (CVE-2021-33200 and friends), comparisons and other ways to leak an address, and pointer
# type confusion at one instruction.
=== rt-cve-2022-23222-or-null-add-scalar-reg
# arithmetic on a map value that may be NULL, the scalar on the left (scalar += ptr)
type: txdp
map: hash 4 8 4
reason: arithmetic on a pointer that may be NULL
stw [%r10-4], 0
mov %r2, %r10
add %r2, -4
lddw %r1, map_idx 0
call 1
mov %r3, 8
add %r3, %r0
jeq %r0, 0, out
ldxdw %r0, [%r3+0]
out:
mov %r0, 0
exit
=== rt-cve-2022-23222-or-null-sub-const
type: txdp
map: hash 4 8 4
reason: arithmetic on a pointer that may be NULL
stw [%r10-4], 0
mov %r2, %r10
add %r2, -4
lddw %r1, map_idx 0
call 1
sub %r0, 0
mov %r0, 0
exit
=== rt-cve-2022-23222-ringbuf-or-null-arith
# a ring buffer record that may be NULL, moved before its check: NULL + 8 would pass
type: txdp
map: ringbuf 0 0 4096
reason: arithmetic on a pointer that may be NULL
lddw %r1, map_idx 0
mov %r2, 16
mov %r3, 0
call 131
add %r0, 8
jeq %r0, 0, out
stdw [%r0+0], 1
out:
mov %r0, 0
exit
=== rt-or-null-spill-then-second-lookup
# the spilled copy keeps the first lookup's id: checking the second lookup says nothing of it
type: txdp
map: hash 4 8 4
reason: may be NULL
stw [%r10-4], 0
mov %r2, %r10
add %r2, -4
lddw %r1, map_idx 0
call 1
stxdw [%r10-16], %r0
mov %r2, %r10
add %r2, -4
lddw %r1, map_idx 0
call 1
jeq %r0, 0, out
ldxdw %r6, [%r10-16]
ldxdw %r0, [%r6+0]
out:
mov %r0, 0
exit
=== rt-or-null-check-inverted-via-register
# "if r0 != r3 (r3 = 0) goto use" — the fall-through is the NULL side, where r0 is the scalar 0
type: txdp
map: hash 4 8 4
reason: R0 is a scalar, not a pointer
stw [%r10-4], 0
mov %r2, %r10
add %r2, -4
lddw %r1, map_idx 0
call 1
mov %r3, 0
jne %r0, %r3, out
ldxdw %r0, [%r0+0]
out:
mov %r0, 0
exit
=== rt-or-null-jgt-zero-not-a-null-check
type: txdp
map: hash 4 8 4
reason: comparison of a pointer
stw [%r10-4], 0
mov %r2, %r10
add %r2, -4
lddw %r1, map_idx 0
call 1
jgt %r0, 0, +2
mov %r0, 0
exit
ldxdw %r0, [%r0+0]
mov %r0, 0
exit
=== rt-or-null-passed-to-callee-unchecked
type: txdp
map: hash 4 8 4
reason: may be NULL
stw [%r10-4], 0
mov %r2, %r10
add %r2, -4
lddw %r1, map_idx 0
call 1
mov %r1, %r0
call local f
mov %r0, 0
exit
f:
ldxdw %r0, [%r1+0]
exit
=== rt-or-null-null-side-is-scalar-zero
# on the NULL side the register is the scalar 0: no memory behind it
type: txdp
map: hash 4 8 4
reason: R0 is a scalar, not a pointer
stw [%r10-4], 0
mov %r2, %r10
add %r2, -4
lddw %r1, map_idx 0
call 1
jne %r0, 0, out
ldxdw %r0, [%r0+0]
out:
mov %r0, 0
exit
=== rt-cve-2021-33200-ptr-plus-2^30-range
type: mem:16
reason: pointer arithmetic with an unbounded scalar
ldxw %r3, [%r1+0]
rsh %r3, 2
add %r1, %r3
ldxb %r0, [%r1+0]
exit
=== rt-ptr-minus-unknown
type: mem:16
reason: pointer arithmetic with an unbounded scalar
ldxdw %r3, [%r1+0]
sub %r1, %r3
ldxb %r0, [%r1+0]
exit
=== rt-ptr-const-offset-over-limit
# a constant add beyond +-2^29 is refused at the add
type: mem:16
reason: pointer arithmetic out of range
lddw %r3, 0x20000001
add %r1, %r3
mov %r0, 0
exit
=== rt-ptr-const-offsets-accumulate
# two adds of 2^28 + 2^28 + 1: the sum leaves the range
type: mem:16
reason: pointer arithmetic out of range (offset 536870913)
add %r1, 0x10000000
add %r1, 0x10000000
add %r1, 1
mov %r0, 0
exit
=== rt-ptr-sub-int64-min
type: mem:16
reason: pointer arithmetic out of range
lddw %r3, 0x8000000000000000
sub %r1, %r3
mov %r0, 0
exit
=== rt-ptr-add-then-sub-same-unknown
# (p + x) - x is p, but the verifier does not relate the two x: [p - 15, p + 15]
type: mem:16
reason: memory access out of bounds: offset -15 is negative
ldxb %r3, [%r1+0]
and %r3, 15
add %r1, %r3
sub %r1, %r3
ldxb %r0, [%r1+0]
exit
=== rt-ptr-var-plus-const-past-end
# p + [0, 8] + 8 with an 8-byte read: up to byte 24 of 16
type: mem:16
reason: memory access out of bounds: up to byte 24 of 16
ldxb %r3, [%r1+0]
and %r3, 8
add %r1, %r3
add %r1, 8
ldxdw %r0, [%r1+0]
exit
=== rt-ptr-var-negative-const-back
# p + [0, 15] - 8: the low end is 8 bytes before the buffer
type: mem:16
reason: memory access out of bounds: offset -8 is negative
ldxb %r3, [%r1+0]
and %r3, 15
add %r1, %r3
add %r1, -8
ldxb %r0, [%r1+0]
exit
=== rt-map-value-var-offset-past-end
type: txdp
map: array 4 8 4
reason: map value access out of bounds: up to byte 13 of 8
mov %r6, %r1
stw [%r10-4], 0
mov %r2, %r10
add %r2, -4
lddw %r1, map_idx 0
call 1
jeq %r0, 0, out
ldxw %r3, [%r6+16]
and %r3, 7
add %r0, %r3
ldxw %r3, [%r0+2]
out:
mov %r0, 0
exit
=== rt-pointer-diff-of-unrelated-map-values
# two lookups of the same map give unrelated elements: their difference is an address leak
type: txdp
map: hash 4 8 4
reason: arithmetic between pointers
stw [%r10-4], 0
mov %r2, %r10
add %r2, -4
lddw %r1, map_idx 0
call 1
jeq %r0, 0, out
mov %r6, %r0
mov %r2, %r10
add %r2, -4
lddw %r1, map_idx 0
call 1
jeq %r0, 0, out
sub %r0, %r6
mov %r0, 0
exit
out:
mov %r0, 0
exit
=== rt-pointer-diff-stack-frames
# a callee's frame minus the caller's frame: the distance is an address leak
type: mem:16
reason: arithmetic between pointers
mov %r1, %r10
call local f
mov %r0, 0
exit
f:
mov %r0, %r10
sub %r0, %r1
exit
=== rt-pointer-jset-leak
type: mem:16
reason: comparison of a pointer
jset %r1, 1, +1
mov %r0, 0
mov %r0, 0
exit
=== rt-pointer-jslt-scalar
type: mem:16
reason: comparison of a pointer
mov %r3, 0
jslt %r1, %r3, +1
mov %r0, 0
mov %r0, 0
exit
=== rt-pointer-jeq-fp
# the stack and the buffer are both non-NULL pointers: comparing them leaks their order
type: mem:16
reason: comparison of a pointer
jeq %r1, %r10, +1
mov %r0, 0
mov %r0, 0
exit
=== rt-pointer-jeq-nonzero-constant
# only a comparison with 0 is a NULL check
type: mem:16
reason: comparison of a pointer
jeq %r1, 1, +1
mov %r0, 0
mov %r0, 0
exit
=== rt-pointer-div-leak
type: mem:16
reason: pointer arithmetic with this operation is not allowed
div %r1, 4096
mov %r0, %r1
exit
=== rt-pointer-or-leak
type: mem:16
reason: pointer arithmetic with this operation is not allowed
mov %r3, 0
or %r3, %r10
mov %r0, %r3
exit
=== rt-pointer-lsh-leak
type: mem:16
reason: pointer arithmetic with this operation is not allowed
mov %r3, %r10
lsh %r3, 1
mov %r0, %r3
exit
=== rt-pointer-mod-leak
type: mem:16
reason: pointer arithmetic with this operation is not allowed
mov %r3, 100
mod %r3, %r1
mov %r0, %r3
exit
=== rt-pointer-in-helper-anything-arg
type: mem:16
reason: must be a scalar, passing a pointer
mov %r1, %r10
call 3
exit
=== rt-pointer-returned-from-callee-to-exit
# a callee may return a pointer to the caller's stack; the program may not return it
type: mem:16
reason: program returns a pointer
mov %r1, %r10
call local f
exit
f:
mov %r0, %r1
exit
=== rt-pointer-via-atomic-fetch-add-to-buffer
# storing a pointer into memory with an atomic op
type: mem:16
reason: atomic operation would store a pointer
mov %r3, %r10
lock fetch add [%r1+0], %r3
mov %r0, 0
exit
=== rt-pointer-via-cmpxchg-expected
# cmpxchg compares R0 with memory: a pointer in R0 would be compared (and leak)
type: mem:16
reason: cmpxchg's expected value (R0) needs a scalar
mov %r0, %r10
mov %r3, 0
lock cmpxchg [%r1+0], %r3
mov %r0, 0
exit
=== rt-insn-shared-by-ctx-and-stack
# one load used with the context on one path and the stack on the other: the context
# rewrite of that instruction would be wrong for one of them
type: txdp
reason: the same instruction accesses the context and other memory
stdw [%r10-8], 0
ldxw %r3, [%r1+12]
mov %r6, %r1
jeq %r3, 0, +2
mov %r6, %r10
add %r6, -8
ldxw %r0, [%r6+0]
mov %r0, 0
exit
