# Red-team cases for helpers, references, calls and bulwark's own contexts (xdp, blk,
# mem.write, msr.write as the hooks define them in prog_types.c).
=== rt-bug-memfrob-writes-frozen-map-value
# BUG found by the red team (fixed): memfrob's memory argument is EBPF_ARG_PTR_TO_MEM, which
# the verifier took as read-only, but memfrob writes it: a frozen (read-only) map value could be
# changed, and the verifier relies on its bytes (str_in_rodata: the string's NUL)
type: mem:16
map: array 4 16 1 rdonly
reason: memfrob: would write into read-only memory
lddw %r1, map_idx_value 0 + 0
mov %r2, 8
call 1
mov %r0, 0
exit
=== rt-bug-memfrob-rodata-then-strcmp-reads-past-value
# the whole chain: the zero-filled frozen value is the empty string; memfrob makes its 16 bytes
# 0x2a and strcmp then reads past the end of the 16-byte value
type: mem:16
map: array 4 16 1 rdonly
reason: memfrob: would write into read-only memory
lddw %r1, map_idx_value 0 + 0
mov %r2, 16
call 1
lddw %r1, map_idx_value 0 + 0
lddw %r2, map_idx_value 0 + 0
call 4
exit
=== rt-memfrob-past-rodata-value
type: mem:16
map: array 4 16 1
reason: map value access out of bounds: up to byte 20 of 16
lddw %r1, map_idx_value 0 + 4
mov %r2, 16
call 1
mov %r0, 0
exit
=== rt-ringbuf-use-after-discard-via-spill
# the record spilled to the stack is gone with the discard
type: txdp
map: ringbuf 0 0 4096
reason: read of uninitialised stack byte fp-8
lddw %r1, map_idx 0
mov %r2, 16
mov %r3, 0
call 131
jeq %r0, 0, out
stxdw [%r10-8], %r0
mov %r1, %r0
mov %r2, 0
call 133
ldxdw %r6, [%r10-8]
stdw [%r6+0], 1
out:
mov %r0, 0
exit
=== rt-ringbuf-released-in-callee-used-by-caller
type: txdp
map: ringbuf 0 0 4096
reason: R6 is not initialised
lddw %r1, map_idx 0
mov %r2, 16
mov %r3, 0
call 131
jeq %r0, 0, out
mov %r6, %r0
mov %r1, %r0
call local f
stdw [%r6+0], 1
out:
mov %r0, 0
exit
f:
mov %r2, 0
call 132
mov %r0, 0
exit
=== rt-ringbuf-submit-offset-pointer-back-to-zero-then-var
# a variable offset on a referenced record is refused (it could not be submitted)
type: txdp
map: ringbuf 0 0 4096
reason: variable arithmetic on a referenced pointer
mov %r6, %r1
lddw %r1, map_idx 0
mov %r2, 16
mov %r3, 0
call 131
jeq %r0, 0, out
ldxw %r3, [%r6+12]
and %r3, 7
add %r0, %r3
mov %r1, %r0
mov %r2, 0
call 133
out:
mov %r0, 0
exit
=== rt-ringbuf-record-past-alloc-size
type: txdp
map: ringbuf 0 0 4096
reason: memory access out of bounds: up to byte 20 of 16
lddw %r1, map_idx 0
mov %r2, 16
mov %r3, 0
call 131
jeq %r0, 0, out
stw [%r0+16], 1
mov %r1, %r0
mov %r2, 0
call 133
out:
mov %r0, 0
exit
=== rt-ringbuf-leak-on-one-path
# released on one branch only
type: txdp
map: ringbuf 0 0 4096
reason: unreleased reference
mov %r6, %r1
lddw %r1, map_idx 0
mov %r2, 16
mov %r3, 0
call 131
jeq %r0, 0, out
ldxw %r3, [%r6+12]
jeq %r3, 0, out
mov %r1, %r0
mov %r2, 0
call 133
out:
mov %r0, 0
exit
=== rt-ringbuf-output-from-record-past-end
type: txdp
map: ringbuf 0 0 4096
reason: memory access out of bounds: up to byte 17 of 16
lddw %r1, map_idx 0
mov %r2, 16
mov %r3, 0
call 131
jeq %r0, 0, out
mov %r6, %r0
mov %r2, %r0
add %r2, 1
lddw %r1, map_idx 0
mov %r3, 16
mov %r4, 0
call 130
mov %r1, %r6
mov %r2, 0
call 133
out:
mov %r0, 0
exit
=== rt-bpf-loop-callbacks-not-available
# bulwark has no bpf_loop (181) or other callback helpers
type: xdp
reason: helper 181 is not available to xdp programs
mov %r1, 4
mov %r2, 0
mov %r3, 0
mov %r4, 0
call 181
mov %r0, 0
exit
=== rt-tail-call-with-ringbuf-reference-real-xdp
type: xdp
map: prog_array 4 4 4
map: ringbuf 0 0 4096
reason: tail call with an unreleased reference
mov %r6, %r1
lddw %r1, map_idx 1
mov %r2, 16
mov %r3, 0
call 131
jeq %r0, 0, out
mov %r7, %r0
mov %r1, %r6
lddw %r2, map_idx 0
mov %r3, 0
call 12
mov %r1, %r7
mov %r2, 0
call 133
out:
mov %r0, 0
exit
=== rt-printk-past-stack-string
type: xdp
reason: stack access out of bounds
stdw [%r10-8], 0
mov %r1, %r10
add %r1, -8
mov %r2, 9
call 6
mov %r0, 0
exit
=== rt-map-key-from-packet-unchecked
# a map key read from the packet needs the packet bytes checked
type: xdp
map: hash 4 8 4
reason: helper access to packet out of bounds: 4 bytes at 0, only 0 checked
ldxw %r2, [%r1+0]
lddw %r1, map_idx 0
call 1
mov %r0, 0
exit
=== rt-blk-reserved-field
# struct bw_blk_md's reserved word is no field
type: blk
reason: no such field in blk's context
ldxw %r0, [%r1+28]
mov %r0, 0
exit
=== rt-blk-data-read-as-8-bytes
# data is a 4-byte field in the program's view (the runtime pointer is 8 bytes)
type: blk
reason: invalid context access at offset 20 size 8
ldxdw %r2, [%r1+20]
mov %r0, 0
exit
=== rt-blk-data-half-read
type: blk
reason: context field data must be read whole
ldxh %r2, [%r1+20]
mov %r0, 0
exit
=== rt-blk-data-unchecked
type: blk
reason: packet access out of bounds: bytes [0, 8) but only 0 checked
ldxw %r2, [%r1+20]
ldxdw %r0, [%r2+0]
mov %r0, 0
exit
=== rt-blk-sector-write
type: blk
reason: write to read-only context field sector
stdw [%r1+0], 0
mov %r0, 0
exit
=== rt-blk-return-out-of-range
type: blk
reason: return value may be outside [0, 2] for blk programs
ldxw %r0, [%r1+12]
exit
=== rt-mem-write-data-end-arith
type: mem.write
reason: arithmetic on a pkt_end pointer is not allowed
ldxw %r3, [%r1+36]
add %r3, -8
mov %r0, 0
exit
=== rt-mem-write-data-off-by-one
# len bytes at data: checking data + 7 <= data_end covers 7 of 8 bytes
type: mem.write
reason: packet access out of bounds: bytes [0, 8) but only 7 checked
ldxw %r2, [%r1+32]
ldxw %r3, [%r1+36]
mov %r4, %r2
add %r4, 7
jgt %r4, %r3, out
ldxdw %r0, [%r2+0]
out:
mov %r0, 0
exit
=== rt-mem-write-len-as-offset
# the ctx's len is not the packet's length for the verifier: only checks count
type: mem.write
reason: packet access out of bounds
ldxw %r2, [%r1+32]
ldxw %r3, [%r1+24]
jgt %r3, 8, out
jlt %r3, 8, out
ldxdw %r0, [%r2+0]
out:
mov %r0, 0
exit
=== rt-mem-write-value-sign-extending
type: mem.write
reason: sign-extending load from the context
ldxsw %r0, [%r1+8]
mov %r0, 0
exit
=== rt-msr-write-no-data
# msr.write has no packet: offset 24 is past the context
type: msr.write
reason: no such field in msr.write's context
ldxw %r0, [%r1+24]
mov %r0, 0
exit
=== rt-msr-write-straddle-msr-vcpu
type: msr.write
reason: invalid context access at offset 0 size 8
ldxdw %r0, [%r1+0]
mov %r0, 0
exit
=== rt-msr-write-value-write
type: msr.write
reason: write to read-only context field value
stdw [%r1+8], 0
mov %r0, 0
exit
=== rt-msr-write-return-3
type: msr.write
reason: return value may be outside [0, 2] for msr.write programs
mov %r0, 3
exit
=== rt-xdp-return-punt-plus-one
type: xdp
reason: return value may be outside [0, 5] for xdp programs
mov %r0, 6
exit
=== rt-xdp-ctx-as-helper-memory
type: xdp
reason: R1 (ctx) is not valid helper memory
mov %r2, 4
call 6
mov %r0, 0
exit
=== rt-bug-uninit-mem-helper-variable-size-leaks-spilled-pointer
# BUG found by the red team (fixed): a helper filling EBPF_ARG_PTR_TO_UNINIT_MEM memory writes
# `size` bytes, but the verifier marked the maximum size as written: with size in [1, 8] over a
# spilled context pointer, bytes 1-7 keep the pointer's bytes and were readable as a scalar
# (stored into a map: an address leak). Only the minimum size is written for sure.
type: txdp
map: array 4 8 1
reason: read of uninitialised stack byte fp-7
mov %r6, %r1
stxdw [%r10-8], %r1
ldxw %r2, [%r6+12]
and %r2, 7
add %r2, 1
mov %r1, %r10
add %r1, -8
call 200
ldxdw %r7, [%r10-8]
lddw %r1, map_idx_value 0 + 0
stxdw [%r1+0], %r7
mov %r0, 0
exit
=== rt-uninit-mem-helper-variable-size-over-stale-scalar-bytes
# the same over never-written bytes: only the first 4 (the minimum size) are initialised
type: txdp
reason: read of uninitialised stack byte fp-4
ldxw %r2, [%r1+12]
and %r2, 4
add %r2, 4
mov %r1, %r10
add %r1, -8
call 200
ldxdw %r0, [%r10-8]
mov %r0, 0
exit
=== rt-uninit-mem-helper-variable-size-minimum-is-written
# ... and those first 4 are readable
type: txdp
accept
r0: 0 0
ldxw %r2, [%r1+12]
and %r2, 4
add %r2, 4
mov %r1, %r10
add %r1, -8
call 200
ldxw %r0, [%r10-8]
mov %r0, 0
exit
