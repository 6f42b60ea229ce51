# Memory accesses outside their region.
=== buffer-read-past-end
type: mem:8
reason: memory access out of bounds
ldxdw %r0, [%r1+1]
exit
=== buffer-read-negative
type: mem:8
reason: offset -1 is negative
ldxb %r0, [%r1-1]
exit
=== buffer-write-past-end
type: mem:4
reason: memory access out of bounds
stw [%r1+1], 0
mov %r0, 0
exit
=== buffer-byte-past-end
type: mem:16
reason: up to byte 17 of 16
ldxb %r0, [%r1+16]
exit
=== buffer-var-offset-unbounded
type: mem:16
reason: pointer arithmetic with an unbounded scalar
ldxdw %r2, [%r1+0]
add %r1, %r2
ldxb %r0, [%r1+0]
exit
=== buffer-var-offset-too-big
type: mem:16
reason: memory access out of bounds
ldxb %r2, [%r1+0]
and %r2, 15
add %r1, %r2
ldxw %r0, [%r1+0]
exit
=== buffer-var-offset-negative
type: mem:16
reason: offset -128 is negative
ldxb %r2, [%r1+0]
lsh %r2, 56
arsh %r2, 56
add %r1, %r2
ldxb %r0, [%r1+0]
exit
=== buffer-var-offset-signed
type: mem:16
reason: is negative
ldxb %r2, [%r1+0]
and %r2, 7
sub %r2, 4
add %r1, %r2
ldxb %r0, [%r1+0]
exit
=== buffer-mem0-r1-scalar
type: mem:0
reason: R1 is a scalar, not a pointer
ldxb %r0, [%r1+0]
exit
=== stack-below-frame
reason: stack access out of bounds
stdw [%r10-520], 1
mov %r0, 0
exit
=== stack-above-frame-pointer
reason: stack access out of bounds
stdw [%r10+0], 1
mov %r0, 0
exit
=== stack-straddles-fp
reason: stack access out of bounds
stdw [%r10-4], 1
mov %r0, 0
exit
=== stack-read-above
reason: stack access out of bounds
ldxb %r0, [%r10+8]
exit
=== stack-frame-513
reason: stack access out of bounds
stb [%r10-513], 1
mov %r0, 0
exit
=== stack-var-offset-out
type: tbuf:8
reason: stack access out of bounds
ldxb %r2, [%r1+0]
mov %r3, %r10
sub %r3, %r2
stb [%r3-300], 1
mov %r0, 0
exit
=== stack-pointer-moved-out
reason: stack access out of bounds
mov %r2, %r10
add %r2, 8
stb [%r2-4], 1
mov %r0, 0
exit
=== stack-helper-too-long
type: txdp
reason: stack access out of bounds
stdw [%r10-8], 0
mov %r1, %r10
add %r1, -8
mov %r2, 16
call 6
mov %r0, 2
exit
=== map-value-past-end
type: txdp
map: array 4 8 4
reason: map value access out of bounds
stw [%r10-4], 0
lddw %r1, map_idx 0
mov %r2, %r10
add %r2, -4
call 1
jeq %r0, 0, +1
ldxdw %r0, [%r0+4]
mov %r0, 2
exit
=== map-value-negative
type: txdp
map: hash 4 8 4
reason: is negative
stw [%r10-4], 0
lddw %r1, map_idx 0
mov %r2, %r10
add %r2, -4
call 1
jeq %r0, 0, +1
stw [%r0-4], 1
mov %r0, 2
exit
=== map-value-var-index
type: txdp
map: array 4 16 4
reason: map value access out of bounds
stw [%r10-4], 0
lddw %r1, map_idx 0
mov %r2, %r10
add %r2, -4
call 1
jeq %r0, 0, +5
ldxb %r1, [%r0+0]
and %r1, 15
add %r0, %r1
ldxw %r1, [%r0+0]
mov %r0, 2
exit
=== map-value-global-data-past-end
type: txdp
map: array 4 16 1
reason: map value access out of bounds
lddw %r1, map_idx_value 0 + 12
ldxdw %r0, [%r1+0]
mov %r0, 2
exit
=== map-key-too-small
type: txdp
map: hash 8 8 4
reason: stack access out of bounds
stw [%r10-4], 0
lddw %r1, map_idx 0
mov %r2, %r10
add %r2, -4
call 1
mov %r0, 2
exit
=== map-update-value-too-small
type: txdp
map: hash 4 16 4
reason: read of uninitialised stack byte fp-8
stw [%r10-4], 0
stdw [%r10-16], 0
lddw %r1, map_idx 0
mov %r2, %r10
add %r2, -4
mov %r3, %r10
add %r3, -16
mov %r4, 0
call 2
mov %r0, 2
exit
=== ctx-past-end
type: txdp
reason: invalid context access at offset 24
ldxw %r0, [%r1+24]
mov %r0, 2
exit
=== ctx-negative
type: txdp
reason: invalid context access at offset -4
ldxw %r0, [%r1-4]
mov %r0, 2
exit
=== ctx-straddle-fields
type: txdp
reason: invalid context access at offset 14 size 4
ldxw %r0, [%r1+14]
mov %r0, 2
exit
=== ctx-8-byte-read-of-4-byte-field
type: txdp
reason: invalid context access at offset 12 size 8
ldxdw %r0, [%r1+12]
mov %r0, 2
exit
=== ctx-pointer-field-narrow
type: txdp
reason: context field data must be read whole
ldxh %r0, [%r1+0]
mov %r0, 2
exit
=== ctx-modified-pointer
type: txdp
reason: access through a modified context pointer
add %r1, 12
ldxw %r0, [%r1+0]
mov %r0, 2
exit
=== ctx-var-offset
type: txdp
reason: variable offset on the context pointer
mov %r6, %r1
call 7
and %r0, 4
add %r6, %r0
ldxw %r0, [%r6+0]
mov %r0, 2
exit
=== ctx-atomic
type: tctx
reason: atomic operation on the context
mov %r2, 1
lock add [%r1+12], %r2
mov %r0, 0
exit
=== helper-mem-var-size-unbounded
type: txdp
reason: size R2 is not bounded
stdw [%r10-8], 0
call 7
and %r0, 0x7fffffff
add %r0, 1
mov %r2, %r0
mov %r1, %r10
add %r1, -8
call 6
mov %r0, 2
exit
=== helper-mem-size-may-exceed
type: txdp
reason: stack access out of bounds
stdw [%r10-8], 0
call 7
and %r0, 15
add %r0, 1
mov %r2, %r0
mov %r1, %r10
add %r1, -8
call 6
mov %r0, 2
exit
=== global-data-write-rdonly
type: txdp
map: array 4 16 1 rdonly
reason: write into a read-only map value
lddw %r1, map_idx_value 0 + 0
stw [%r1+0], 1
mov %r0, 2
exit
=== global-data-offset-outside
type: txdp
map: array 4 16 1
reason: lddw map value offset 20 outside the value
lddw %r1, map_idx_value 0 + 20
mov %r0, 2
exit
=== ringbuf-record-past-end
type: txdp
map: ringbuf 0 0 4096
reason: memory access out of bounds
lddw %r1, map_idx 0
mov %r2, 8
mov %r3, 0
call 131
jeq %r0, 0, +4
stdw [%r0+4], 1
mov %r1, %r0
mov %r2, 0
call 132
mov %r0, 2
exit
