# Red-team cases for state pruning: two paths join with states that differ in one thing the
# rest of the program relies on; the second path must not be cut by the first one's state.
# Today bulwark compares every live register and all stack slots, so each is refused for the
# right reason. They are the regression tests for precision tracking (Linux's CVE-2023-2163 and
# the spilled-register / partial-fill precision fixes): an imprecise mark on the register or
# slot that differs would accept them. Each has the same shape: 3 branches, the two paths,
# a padding of 9 instructions and a branch after the join (so the first path stores its state).
=== rt-prune-scalar-range-differs
# path A: r3 = 0, path B: r3 in [0, 255]; the access after the join must be checked for B
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
add %r1, %r3
ldxb %r0, [%r1+0]
exit
=== rt-prune-cve-2023-2163-bound-from-other-register
# CVE-2023-2163 (precision not propagated through a comparison of two scalars): r4 < r3 bounds
# r4 by r3, which is 1 on path A and up to 255 on path B; only r4 is used by the access
type: mem:16
reason: memory access out of bounds: up to byte 255 of 16
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
jge %r4, %r3, +3
add %r1, %r4
ldxb %r0, [%r1+0]
exit
mov %r0, 0
exit
=== rt-prune-precision-through-alu-chain
# the offset is computed from r3 after the join: r3 must be compared (precise) there
type: mem:16
reason: memory access out of bounds: up to byte 512 of 16
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
mov %r4, %r3
mul %r4, 2
add %r4, 1
add %r1, %r4
ldxb %r0, [%r1+0]
exit
=== rt-prune-spilled-scalar-differs
# precision of spilled registers: fp-8 holds 0 on path A and [0, 255] on path B
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
stdw [%r10-8], 0
ja join
pathb:
stxdw [%r10-8], %r3
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
ldxdw %r4, [%r10-8]
add %r1, %r4
ldxb %r0, [%r1+0]
exit
=== rt-prune-spilled-bounded-vs-unbounded
# fp-8 holds a spilled [0, 7] on path A and an unknown 64-bit value on path B
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
and %r3, 7
stxdw [%r10-8], %r3
ja join
pathb:
ldxdw %r3, [%r1+8]
stxdw [%r10-8], %r3
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
ldxdw %r4, [%r10-8]
add %r1, %r4
ldxb %r0, [%r1+0]
exit
=== rt-prune-zero-bytes-vs-spill-partial-fill
# partial fill: known-zero bytes on path A, a spilled unknown on path B; a 1-byte fill is 0 on A
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
stw [%r10-8], 0
stw [%r10-4], 0
ja join
pathb:
ldxdw %r3, [%r1+8]
stxdw [%r10-8], %r3
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
ldxb %r4, [%r10-8]
add %r1, %r4
ldxb %r0, [%r1+0]
exit
=== rt-prune-zero-bytes-vs-misc
# fp-8 is four known-zero bytes on path A, four unknown bytes on path B
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
stw [%r10-8], 0
ja join
pathb:
ldxw %r3, [%r1+4]
stxw [%r10-8], %r3
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
ldxw %r4, [%r10-8]
lsh %r4, 20
add %r1, %r4
ldxb %r0, [%r1+0]
exit
=== rt-prune-stack-init-on-one-path
# fp-8 written on path A only
type: mem:16
reason: read of uninitialised stack byte fp-8
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
stdw [%r10-8], 0
ja join
pathb:
mov %r3, 0
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
ldxdw %r0, [%r10-8]
exit
=== rt-prune-helper-size-differs
# a helper's size argument must be compared: 8 on path A, [1, 255] on path B
type: mem:16
reason: memory access out of bounds: up to byte 255 of 16
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
mov %r2, %r3
call 1
exit
=== rt-prune-pointer-var-offset-differs
# the buffer pointer has no variable offset on path A, [0, 255] on path B
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
mov %r6, %r1
ja join
pathb:
mov %r6, %r1
add %r6, %r3
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
ldxb %r0, [%r6+0]
exit
=== rt-prune-jmp32-refinement-on-one-path
# a 32-bit check bounds r3 on path A only
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
jgt32 %r3, 15, +1
ja +1
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
add %r1, %r3
ldxb %r0, [%r1+0]
exit
=== rt-prune-return-value-range
# the return value checked at exit: 1 on path A, up to 255 on path B (Linux marks r0 precise)
type: txdp
reason: return value may be outside [0, 4]
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
mov %r0, 1
ja join
pathb:
ldxw %r0, [%r6+20]
and %r0, 0xff
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
exit
=== rt-prune-packet-range-differs
# 14 packet bytes checked on path A only
type: txdp
reason: packet access out of bounds: bytes [0, 8) but only 0 checked
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
mov %r4, %r2
add %r4, 14
jgt %r4, %r8, out
ja join
pathb:
mov %r4, 0
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
ldxdw %r0, [%r2+0]
ldxw %r0, [%r2+8]
ldxh %r0, [%r2+12]
mov %r0, 2
exit
out:
mov %r0, 1
exit
=== rt-prune-packet-range-smaller
# 14 packet bytes checked on path A, 8 on path B
type: txdp
reason: packet access out of bounds: bytes [8, 12) but only 8 checked
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
mov %r4, %r2
add %r4, 14
jgt %r4, %r8, out
ja join
pathb:
mov %r4, %r2
add %r4, 8
jgt %r4, %r8, out
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
ldxdw %r0, [%r2+0]
ldxw %r0, [%r2+8]
ldxh %r0, [%r2+12]
mov %r0, 2
exit
out:
mov %r0, 1
exit
=== rt-prune-packet-id-mismatch
# path A: r9 is a copy of the checked r2 (same id, same range); path B: r9 is data loaded
# again (another id): the check of r2 says nothing about it
type: txdp
reason: packet access out of bounds: bytes [0, 4) but only 0 checked
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
mov %r9, %r2
ja join
pathb:
ldxw %r9, [%r6+0]
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
mov %r4, %r2
add %r4, 4
jgt %r4, %r8, out
ldxw %r0, [%r9+0]
mov %r0, 2
exit
out:
mov %r0, 1
exit
=== rt-prune-or-null-copy-vs-other-lookup
# path A: r9 is a copy of the lookup result (same id: checking r0 checks it); path B: r9 is
# another lookup, never checked
type: txdp
map: hash 4 64 4
reason: may be NULL
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
mov %r0, %r9
ja join
pathb:
mov %r2, %r10
add %r2, -4
lddw %r1, map_idx 0
call 1
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
jeq %r0, 0, out
ldxdw %r0, [%r9+0]
mov %r0, 0
exit
out:
mov %r0, 0
exit
=== rt-prune-map-value-size-differs
# the value is 64 bytes (map 0) on path A and 8 bytes (map 1) on path B
type: txdp
map: hash 4 64 4
map: hash 4 8 4
reason: map value access out of bounds: up to byte 40 of 8
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
jeq %r7, 0, pathb
mov %r2, %r10
add %r2, -4
lddw %r1, map_idx 0
call 1
ja join
pathb:
mov %r2, %r10
add %r2, -4
lddw %r1, map_idx 1
call 1
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
jeq %r0, 0, out
ldxdw %r0, [%r0+32]
out:
mov %r0, 0
exit
=== rt-prune-ringbuf-reference-differs
# the record is submitted on path A, still held on path B
type: txdp
map: ringbuf 0 0 4096
reason: unreleased reference
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
lddw %r1, map_idx 0
mov %r2, 8
mov %r3, 0
call 131
jeq %r0, 0, out
mov %r1, %r0
mov %r2, 0
call 132
mov %r0, 0
ja join
pathb:
lddw %r1, map_idx 0
mov %r2, 8
mov %r3, 0
call 131
jeq %r0, 0, out
mov %r0, 0
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
mov %r0, 0
exit
out:
mov %r0, 0
exit
=== rt-prune-loop-bound-differs
# a bounded loop writes buf[i] for i < n: n is 4 on path A and up to 255 on path B; the
# loop's exit condition depends on n
type: mem:16
reason: memory access out of bounds: up to byte
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
mov %r3, 4
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
mov %r4, 0
loop:
jge %r4, %r3, done
mov %r6, %r1
add %r6, %r4
stb [%r6+0], 0
add %r4, 1
ja loop
done:
mov %r0, 0
exit
