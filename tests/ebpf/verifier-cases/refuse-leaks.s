# Pointers must never leave the program's own stack: no store into maps, packets, context or
# buffers, no return, no scalar use, no comparisons or arithmetic that expose them.
=== return-stack-pointer
reason: program returns a pointer (fp)
mov %r0, %r10
exit
=== return-buffer-pointer
type: mem:8
reason: program returns a pointer (mem)
mov %r0, %r1
exit
=== return-ctx-pointer
type: tctx
reason: program returns a pointer (ctx)
mov %r0, %r1
exit
=== return-map-pointer
type: txdp
map: array 4 4 4
reason: program returns a pointer (map_ptr)
lddw %r0, map_idx 0
exit
=== return-map-value
type: txdp
map: array 4 4 1
reason: program returns a pointer (map_value)
lddw %r0, map_idx_value 0 + 0
exit
=== return-packet-pointer
type: txdp
reason: program returns a pointer (pkt)
ldxw %r0, [%r1+0]
exit
=== store-fp-into-buffer
type: mem:8
reason: storing a pointer (fp) into mem memory would leak it
stxdw [%r1+0], %r10
mov %r0, 0
exit
=== store-buffer-ptr-into-itself
type: mem:16
reason: storing a pointer (mem) into mem memory would leak it
stxdw [%r1+8], %r1
mov %r0, 0
exit
=== store-ctx-into-map-value
type: txdp
map: array 4 8 1
reason: storing a pointer (ctx) into map_value memory would leak it
lddw %r2, map_idx_value 0 + 0
stxdw [%r2+0], %r1
mov %r0, 2
exit
=== store-map-value-ptr-into-map
type: txdp
map: array 4 8 1
reason: storing a pointer (map_value) into map_value memory would leak it
lddw %r2, map_idx_value 0 + 0
stxdw [%r2+0], %r2
mov %r0, 2
exit
=== store-map-ptr-into-map
type: txdp
map: array 4 8 1
reason: storing a pointer (map_ptr) into map_value memory would leak it
lddw %r2, map_idx_value 0 + 0
lddw %r3, map_idx 0
stxdw [%r2+0], %r3
mov %r0, 2
exit
=== store-packet-ptr-into-packet
type: txdp
reason: storing a pointer (pkt) into pkt memory would leak it
ldxw %r2, [%r1+0]
ldxw %r3, [%r1+4]
mov %r4, %r2
add %r4, 8
jgt %r4, %r3, +1
stxdw [%r2+0], %r2
mov %r0, 2
exit
=== store-fp-into-ctx
type: tctx
reason: storing a pointer (fp) into the context would leak it
.insn 0x63, 1, 10, 12, 0
mov %r0, 0
exit
=== store-stack-ptr-32bit-to-buffer
type: mem:8
reason: storing a pointer (fp) into mem memory would leak it
stxw [%r1+0], %r10
mov %r0, 0
exit
=== partial-pointer-spill
reason: partial or misaligned store of a pointer
stxw [%r10-8], %r10
mov %r0, 0
exit
=== misaligned-pointer-spill
reason: partial or misaligned store of a pointer
stxdw [%r10-12], %r10
mov %r0, 0
exit
=== partial-read-of-spilled-pointer
reason: partial read of a spilled pointer
stxdw [%r10-8], %r10
ldxw %r0, [%r10-8]
exit
=== partial-read-high-half-spilled-pointer
reason: partial read of a spilled pointer
stxdw [%r10-8], %r10
ldxw %r0, [%r10-4]
exit
=== overwrite-half-spilled-pointer-then-read
reason: read of uninitialised stack byte fp-4
stxdw [%r10-8], %r10
stw [%r10-8], 0
ldxdw %r0, [%r10-8]
exit
=== mov32-pointer
reason: partial copy of a pointer (fp)
mov32 %r0, %r10
exit
=== movsx-pointer
reason: partial copy of a pointer (fp)
movsx3264 %r0, %r10
exit
=== alu32-on-pointer
reason: 32-bit arithmetic on a pointer
mov %r0, %r10
add32 %r0, 1
exit
=== mul-pointer
reason: pointer arithmetic with this operation is not allowed
mov %r0, %r10
mul %r0, 2
exit
=== and-pointer
reason: pointer arithmetic with this operation is not allowed
mov %r0, %r10
and %r0, 0xfff
exit
=== xor-pointer
reason: pointer arithmetic with this operation is not allowed
mov %r0, %r10
xor %r0, 1
exit
=== rsh-pointer
reason: pointer arithmetic with this operation is not allowed
mov %r0, %r10
rsh %r0, 12
exit
=== neg-pointer
reason: neg of a pointer
mov %r0, %r10
neg %r0
exit
=== scalar-minus-pointer
reason: pointer arithmetic with this operation is not allowed
mov %r0, 0
sub %r0, %r10
exit
=== pointer-plus-pointer
type: mem:8
reason: arithmetic between pointers (mem and fp)
add %r1, %r10
mov %r0, 0
exit
=== pointer-minus-other-pointer
type: mem:8
reason: arithmetic between pointers (mem and fp)
sub %r1, %r10
mov %r0, %r1
exit
=== bswap-pointer
reason: a byte swap needs a scalar, got a pointer
mov %r0, %r10
be64 %r0
exit
=== compare-pointer-with-scalar
type: mem:8
reason: comparison of a pointer
mov %r0, 0
jgt %r1, 4096, +1
mov %r0, 1
exit
=== compare-pointer-with-pointer
type: mem:8
reason: comparison of a pointer (mem with fp)
mov %r0, 0
jgt %r1, %r10, +1
mov %r0, 1
exit
=== compare-stack-pointer-32
reason: comparison of a pointer
mov %r0, 0
jeq32 %r10, 0, +1
mov %r0, 1
exit
=== pass-pointer-as-scalar-arg
type: txdp
reason: R1 must be a scalar, passing a pointer (fp) would leak it
mov %r1, %r10
mov %r2, 0
mov %r3, 0
call 202
mov %r0, 2
exit
=== pass-pointer-in-printk-arg
type: txdp
reason: R3 must be a scalar, passing a pointer (ctx) would leak it
stdw [%r10-8], 0
mov %r3, %r1
mov %r1, %r10
add %r1, -8
mov %r2, 8
mov %r4, 0
mov %r5, 0
call 6
mov %r0, 2
exit
=== map-update-with-pointer-flags
type: txdp
map: hash 4 8 4
reason: R4 must be a scalar
stw [%r10-4], 0
stdw [%r10-16], 0
lddw %r1, map_idx 0
mov %r2, %r10
add %r2, -4
mov %r3, %r10
add %r3, -16
mov %r4, %r10
call 2
mov %r0, 2
exit
=== helper-reads-spilled-pointer
type: txdp
map: hash 8 8 4
reason: helper read of a spilled pointer (ctx)
stxdw [%r10-8], %r1
lddw %r1, map_idx 0
mov %r2, %r10
add %r2, -8
call 1
mov %r0, 2
exit
=== atomic-xchg-pointer-into-map
type: txdp
map: array 4 8 1
reason: atomic operation would store a pointer
lddw %r2, map_idx_value 0 + 0
mov %r3, %r10
lock xchg [%r2+0], %r3
mov %r0, 2
exit
=== atomic-on-spilled-pointer
reason: atomic operation on part of a spilled pointer
stxdw [%r10-8], %r10
mov %r1, 1
lock add [%r10-8], %r1
mov %r0, 0
exit
=== return-pointer-from-callee-stack
reason: function returns a pointer to its own stack frame
call local f
mov %r0, 0
exit
f:
mov %r0, %r10
exit
=== spill-callee-stack-into-caller
reason: storing a pointer to a deeper stack frame into a caller's frame
mov %r1, %r10
add %r1, -8
call local f
mov %r0, 0
exit
f:
stxdw [%r1+0], %r10
mov %r0, 0
exit
=== map-value-ptr-in-ringbuf-output
type: txdp
map: ringbuf 0 0 4096
reason: helper read of a spilled pointer
stxdw [%r10-8], %r10
lddw %r1, map_idx 0
mov %r2, %r10
add %r2, -8
mov %r3, 8
mov %r4, 0
call 130
mov %r0, 2
exit
