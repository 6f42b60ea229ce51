# Helper calls must match their prototypes; return values their program type's range;
# context fields their access rights.
=== helper-unknown-id
type: txdp
reason: helper 1000 is not available to txdp programs
call 1000
mov %r0, 2
exit
=== helper-suite-id-in-xdp
type: txdp
reason: helper 0 is not available to txdp programs
call 0
mov %r0, 2
exit
=== helper-linux-id-in-mem
reason: helper 12 is not available to mem:0 programs
call 12
mov %r0, 0
exit
=== lookup-scalar-as-map
type: txdp
reason: R1 must be a map (lddw of a map), got scalar
mov %r1, 0
mov %r2, %r10
call 1
mov %r0, 2
exit
=== lookup-stack-as-map
type: txdp
reason: R1 must be a map (lddw of a map), got fp
mov %r1, %r10
mov %r2, %r10
call 1
mov %r0, 2
exit
=== lookup-scalar-key
type: txdp
map: hash 4 4 4
reason: R2 (scalar) is not valid helper memory
lddw %r1, map_idx 0
mov %r2, 0
call 1
mov %r0, 2
exit
=== lookup-uninit-key-register
type: txdp
map: hash 4 4 4
reason: argument R2 is not initialised
lddw %r1, map_idx 0
call 1
mov %r0, 2
exit
=== lookup-prog-array
type: txdp
map: prog_array 4 4 4
reason: map type prog_array is not accepted
stw [%r10-4], 0
lddw %r1, map_idx 0
mov %r2, %r10
add %r2, -4
call 1
mov %r0, 2
exit
=== delete-from-array
type: txdp
map: array 4 4 4
reason: map type array is not accepted
stw [%r10-4], 0
lddw %r1, map_idx 0
mov %r2, %r10
add %r2, -4
call 3
mov %r0, 2
exit
=== tail-call-hash-map
type: txdp
map: hash 4 4 4
reason: map type hash is not accepted
lddw %r2, map_idx 0
mov %r3, 0
call 12
mov %r0, 2
exit
=== tail-call-modified-ctx
type: txdp
map: prog_array 4 4 4
reason: R1 must be the unmodified context pointer
add %r1, 4
lddw %r2, map_idx 0
mov %r3, 0
call 12
mov %r0, 2
exit
=== tail-call-stack-as-ctx
type: txdp
map: prog_array 4 4 4
reason: R1 must be the unmodified context pointer
mov %r1, %r10
lddw %r2, map_idx 0
mov %r3, 0
call 12
mov %r0, 2
exit
=== tail-call-from-subprogram
type: txdp
map: prog_array 4 4 4
reason: tail call from a bpf-to-bpf function
call local f
mov %r0, 2
exit
f:
lddw %r2, map_idx 0
mov %r3, 0
call 12
mov %r0, 0
exit
=== tail-call-holding-reference
type: txdp
map: prog_array 4 4 4
map: ringbuf 0 0 4096
reason: tail call with an unreleased reference
mov %r6, %r1
lddw %r1, map_idx 1
mov %r2, 8
mov %r3, 0
call 131
jeq %r0, 0, +7
mov %r7, %r0
mov %r1, %r6
lddw %r2, map_idx 0
mov %r3, 0
call 12
mov %r1, %r7
mov %r2, 0
call 133
mov %r0, 2
exit
=== ringbuf-output-hash-map
type: txdp
map: hash 4 4 4
reason: map type hash is not accepted
stdw [%r10-8], 0
lddw %r1, map_idx 0
mov %r2, %r10
add %r2, -8
mov %r3, 8
mov %r4, 0
call 130
mov %r0, 2
exit
=== ringbuf-reserve-zero
type: txdp
map: ringbuf 0 0 4096
reason: must be a known constant size > 0
lddw %r1, map_idx 0
mov %r2, 0
mov %r3, 0
call 131
mov %r0, 2
exit
=== printk-size-zero
type: txdp
reason: size R2 may be 0
stdw [%r10-8], 0
mov %r1, %r10
add %r1, -8
mov %r2, 0
mov %r3, 0
mov %r4, 0
mov %r5, 0
call 6
mov %r0, 2
exit
=== printk-size-negative
type: txdp
reason: size R2 may be negative
stdw [%r10-8], 0
mov %r1, %r10
add %r1, -8
mov %r2, -1
mov %r3, 0
mov %r4, 0
mov %r5, 0
call 6
mov %r0, 2
exit
=== printk-size-pointer
type: txdp
reason: size R2 must be a scalar
stdw [%r10-8], 0
mov %r1, %r10
add %r1, -8
mov %r2, %r10
mov %r3, 0
mov %r4, 0
mov %r5, 0
call 6
mov %r0, 2
exit
=== printk-ctx-as-memory
type: txdp
reason: R1 (ctx) is not valid helper memory
mov %r2, 8
mov %r3, 0
mov %r4, 0
mov %r5, 0
call 6
mov %r0, 2
exit
=== printk-map-pointer-as-memory
type: txdp
map: hash 4 4 4
reason: R1 (map_ptr) is not valid helper memory
lddw %r1, map_idx 0
mov %r2, 8
mov %r3, 0
mov %r4, 0
mov %r5, 0
call 6
mov %r0, 2
exit
=== fill-read-only-map
type: txdp
map: array 4 16 1 rdonly
reason: helper would write into read-only memory
lddw %r1, map_idx_value 0 + 0
mov %r2, 8
call 200
mov %r0, 2
exit
=== string-not-terminated-on-stack
type: txdp
reason: must point to a NUL-terminated string
stdw [%r10-8], -1
mov %r1, %r10
add %r1, -8
call 201
mov %r0, 2
exit
=== string-in-writable-map
type: txdp
map: array 4 16 1
reason: must point to a NUL-terminated string
lddw %r1, map_idx_value 0 + 0
call 201
mov %r0, 2
exit
=== suite-strcmp-unknown-bytes
type: mem:8
reason: must point to a NUL-terminated string
mov %r2, %r1
call 4
exit
=== suite-memfrob-past-buffer
type: mem:8
reason: memory access out of bounds
mov %r2, 9
call 1
mov %r0, 0
exit
=== callx-unknown-register
type: mem:8
reason: callx needs a known helper id
ldxb %r3, [%r1+0]
call %r3
mov %r0, 0
exit
=== xdp-return-out-of-range
type: txdp
reason: return value may be outside [0, 4]
mov %r0, 5
exit
=== xdp-return-negative
type: txdp
reason: return value may be outside [0, 4]
mov %r0, -1
exit
=== xdp-return-unbounded
type: txdp
reason: return value may be outside [0, 4]
ldxw %r0, [%r1+12]
exit
=== tctx-return-range
type: tctx
reason: return value may be outside [-1, 1]
mov %r0, 2
exit
=== write-read-only-ctx-data
type: txdp
reason: write to read-only context field data
stw [%r1+0], 0
mov %r0, 2
exit
=== write-read-only-ctx-ifindex
type: txdp
reason: write to read-only context field ingress_ifindex
mov %r2, 1
stxw [%r1+12], %r2
mov %r0, 2
exit
=== write-read-only-ctx-tctx-len
type: tctx
reason: write to read-only context field len
stw [%r1+8], 0
mov %r0, 0
exit
=== partial-write-writable-field
type: tctx
reason: partial write to context field verdict
sth [%r1+12], 0
mov %r0, 0
exit
=== ctx-write-pointer-to-writable
type: tctx
reason: storing a pointer (ctx) into the context would leak it
stxw [%r1+12], %r1
mov %r0, 0
exit
=== ctx-sign-extending-load
type: tctx
reason: sign-extending load from the context
ldxsw %r0, [%r1+8]
mov %r0, 0
exit
=== ctx-in-buffer-type
type: mem:8
reason: R1 is a scalar
mov %r1, 0
ldxw %r0, [%r1+0]
exit
=== stack-overflow-through-calls-depth
reason: call chain deeper than 8 frames
call local a
exit
a:
call local b
exit
b:
call local c
exit
c:
call local d
exit
d:
call local e
exit
e:
call local f
exit
f:
call local g
exit
g:
call local h
exit
h:
call local i
exit
i:
mov %r0, 0
exit
