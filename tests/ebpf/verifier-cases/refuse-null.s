# Map values and helper memory only after a NULL check.
=== lookup-no-null-check
type: txdp
map: hash 4 8 4
reason: R0 may be NULL (map_value_or_null)
stw [%r10-4], 0
lddw %r1, map_idx 0
mov %r2, %r10
add %r2, -4
call 1
ldxdw %r1, [%r0+0]
mov %r0, 2
exit
=== lookup-store-no-null-check
type: txdp
map: array 4 8 4
reason: may be NULL
stw [%r10-4], 0
lddw %r1, map_idx 0
mov %r2, %r10
add %r2, -4
call 1
stdw [%r0+0], 1
mov %r0, 2
exit
=== lookup-checked-wrong-branch
type: txdp
map: hash 4 8 4
reason: R0 is a scalar, not a pointer
stw [%r10-4], 0
lddw %r1, map_idx 0
mov %r2, %r10
add %r2, -4
call 1
jne %r0, 0, +2
ldxdw %r1, [%r0+0]
mov %r0, 2
exit
=== lookup-arith-before-check
type: txdp
map: hash 4 8 4
reason: arithmetic on a pointer that may be NULL
stw [%r10-4], 0
lddw %r1, map_idx 0
mov %r2, %r10
add %r2, -4
call 1
add %r0, 4
mov %r0, 2
exit
=== lookup-checked-copy-other-lookup
type: txdp
map: hash 4 8 4
reason: R6 may be NULL
stw [%r10-4], 0
lddw %r1, map_idx 0
mov %r2, %r10
add %r2, -4
call 1
mov %r6, %r0
lddw %r1, map_idx 0
mov %r2, %r10
add %r2, -4
call 1
jeq %r0, 0, +1
ldxdw %r1, [%r6+0]
mov %r0, 2
exit
=== lookup-null-check-32bit
type: txdp
map: hash 4 8 4
reason: comparison of a pointer
stw [%r10-4], 0
lddw %r1, map_idx 0
mov %r2, %r10
add %r2, -4
call 1
jeq32 %r0, 0, +1
ldxdw %r1, [%r0+0]
mov %r0, 2
exit
=== lookup-compare-nonzero
type: txdp
map: hash 4 8 4
reason: comparison of a pointer
stw [%r10-4], 0
lddw %r1, map_idx 0
mov %r2, %r10
add %r2, -4
call 1
jeq %r0, 1, +1
ldxdw %r1, [%r0+0]
mov %r0, 2
exit
=== lookup-spilled-unchecked
type: txdp
map: hash 4 8 4
reason: R1 may be NULL
stw [%r10-4], 0
lddw %r1, map_idx 0
mov %r2, %r10
add %r2, -4
call 1
stxdw [%r10-16], %r0
ldxdw %r1, [%r10-16]
ldxdw %r0, [%r1+0]
mov %r0, 2
exit
=== ringbuf-no-null-check
type: txdp
map: ringbuf 0 0 4096
reason: may be NULL (mem_or_null)
lddw %r1, map_idx 0
mov %r2, 8
mov %r3, 0
call 131
stdw [%r0+0], 1
mov %r0, 2
exit
=== ringbuf-not-submitted
type: txdp
map: ringbuf 0 0 4096
reason: unreleased reference
lddw %r1, map_idx 0
mov %r2, 8
mov %r3, 0
call 131
jeq %r0, 0, +1
stdw [%r0+0], 1
mov %r0, 2
exit
=== ringbuf-submitted-twice
type: txdp
map: ringbuf 0 0 4096
reason: R6 is not initialised
lddw %r1, map_idx 0
mov %r2, 8
mov %r3, 0
call 131
jeq %r0, 0, +7
mov %r6, %r0
mov %r1, %r6
mov %r2, 0
call 132
mov %r1, %r6
mov %r2, 0
call 133
mov %r0, 2
exit
=== ringbuf-use-after-submit
type: txdp
map: ringbuf 0 0 4096
reason: R6 is not initialised
lddw %r1, map_idx 0
mov %r2, 8
mov %r3, 0
call 131
jeq %r0, 0, +5
mov %r6, %r0
mov %r1, %r6
mov %r2, 0
call 132
stdw [%r6+0], 1
mov %r0, 2
exit
=== ringbuf-submit-modified-pointer
type: txdp
map: ringbuf 0 0 4096
reason: must be the unmodified, NULL-checked pointer
lddw %r1, map_idx 0
mov %r2, 8
mov %r3, 0
call 131
jeq %r0, 0, +4
mov %r1, %r0
add %r1, 4
mov %r2, 0
call 132
mov %r0, 2
exit
=== ringbuf-variable-size
type: txdp
map: ringbuf 0 0 4096
reason: must be a known constant size
call 7
and %r0, 15
mov %r2, %r0
lddw %r1, map_idx 0
mov %r3, 0
call 131
mov %r0, 2
exit
=== submit-stack-pointer
type: txdp
reason: must be the unmodified, NULL-checked pointer
mov %r1, %r10
mov %r2, 0
call 132
mov %r0, 2
exit
