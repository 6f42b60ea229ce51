# Safe programs the verifier must accept, with the worst-case instruction count and r0 range
# where they say something about precision.
=== return-constant
accept
worst: 2
r0: 7 7
mov %r0, 7
exit
=== buffer-size-in-r2
type: mem:16
accept
r0: 16 16
mov %r0, %r2
exit
=== buffer-read-last-byte
type: mem:16
accept
r0: 0 255
ldxb %r0, [%r1+15]
exit
=== buffer-var-index-masked
type: mem:16
accept
ldxb %r2, [%r1+0]
and %r2, 12
add %r1, %r2
ldxw %r0, [%r1+0]
exit
=== buffer-index-checked-by-branch
type: mem:64
accept
ldxb %r2, [%r1+0]
mov %r0, 0
jgt %r2, 56, +3
add %r1, %r2
ldxdw %r0, [%r1+0]
exit
mov %r0, 1
exit
=== stack-spill-and-fill-pointer
type: mem:8
accept
stxdw [%r10-8], %r1
ldxdw %r2, [%r10-8]
ldxdw %r0, [%r2+0]
exit
=== stack-spill-keeps-bounds
type: mem:16
accept
ldxb %r2, [%r1+0]
and %r2, 7
stxdw [%r10-16], %r2
ldxdw %r3, [%r10-16]
add %r1, %r3
ldxdw %r0, [%r1+0]
exit
=== stack-zero-bytes
accept
r0: 0 0
stw [%r10-4], 0
ldxh %r0, [%r10-2]
exit
=== stack-var-offset-read-initialised
type: mem:8
accept
stdw [%r10-16], 1
stdw [%r10-8], 2
ldxb %r2, [%r1+0]
and %r2, 7
mov %r3, %r10
add %r3, -16
add %r3, %r2
ldxdw %r0, [%r3+0]
exit
=== bounded-loop-16
accept
worst: 51
r0: 120 120
mov %r0, 0
mov %r1, 0
l:
add %r0, %r1
add %r1, 1
jlt %r1, 16, l
exit
=== bounded-loop-unknown-bound
type: mem:8
accept
ldxb %r2, [%r1+0]
mov %r0, 0
mov %r3, 0
l:
jge %r3, %r2, +3
add %r0, 1
add %r3, 1
ja l
exit
=== loop-over-buffer-bytes
type: mem:32
accept
mov %r0, 0
mov %r3, 0
l:
mov %r4, %r1
add %r4, %r3
ldxb %r5, [%r4+0]
add %r0, %r5
add %r3, 1
jlt %r3, 32, l
exit
=== diamond-pruned
type: mem:8
accept
worst: 5
ldxb %r2, [%r1+0]
mov %r0, 1
jeq %r2, 0, +1
mov %r0, 2
exit
=== nested-diamonds-many-paths
type: mem:8
accept
ldxdw %r2, [%r1+0]
mov %r0, 0
jset %r2, 1, +1
add %r0, 1
jset %r2, 2, +1
add %r0, 1
jset %r2, 4, +1
add %r0, 1
jset %r2, 8, +1
add %r0, 1
jset %r2, 16, +1
add %r0, 1
and %r0, 3
exit
=== dead-branch-by-known-value
accept
r0: 1 1
mov %r1, 5
mov %r0, 1
jgt %r1, 3, +2
ldxdw %r0, [%r9+0]
exit
exit
=== map-lookup-null-checked
type: txdp
map: hash 4 8 16
accept
stw [%r10-4], 7
lddw %r1, map_idx 0
mov %r2, %r10
add %r2, -4
call 1
mov %r6, %r0
mov %r0, 2
jeq %r6, 0, +2
ldxdw %r1, [%r6+0]
stdw [%r6+0], 5
exit
=== map-lookup-null-check-on-copy
type: txdp
map: array 4 8 4
accept
stw [%r10-4], 1
lddw %r1, map_idx 0
mov %r2, %r10
add %r2, -4
call 1
mov %r7, %r0
stxdw [%r10-16], %r0
jne %r0, 0, +2
mov %r0, 1
exit
ldxdw %r3, [%r10-16]
ldxdw %r4, [%r7+0]
ldxdw %r4, [%r3+0]
mov %r0, 2
exit
=== map-value-atomic
type: txdp
map: array 4 8 4
accept
stw [%r10-4], 1
lddw %r1, map_idx 0
mov %r2, %r10
add %r2, -4
call 1
jeq %r0, 0, +2
mov %r1, 1
lock add [%r0+0], %r1
mov %r0, 2
exit
=== map-update-from-stack
type: txdp
map: hash 4 16 16
accept
stw [%r10-4], 1
stdw [%r10-16], 2
stdw [%r10-24], 3
lddw %r1, map_idx 0
mov %r2, %r10
add %r2, -4
mov %r3, %r10
add %r3, -24
mov %r4, 0
call 2
mov %r0, 2
exit
=== global-data-read
type: txdp
map: array 4 16 1 rdonly
accept
lddw %r1, map_idx_value 0 + 8
ldxdw %r0, [%r1+0]
mov %r0, 2
exit
=== packet-check-then-read
type: txdp
accept
ldxw %r2, [%r1+0]
ldxw %r3, [%r1+4]
mov %r4, %r2
add %r4, 14
mov %r0, 1
jgt %r4, %r3, +2
ldxh %r0, [%r2+12]
mov %r0, 2
exit
=== packet-check-reversed-operands
type: txdp
accept
ldxw %r2, [%r1+0]
ldxw %r3, [%r1+4]
mov %r4, %r2
add %r4, 34
mov %r0, 1
jlt %r3, %r4, +3
ldxw %r5, [%r2+30]
stb [%r2+0], 1
mov %r0, 2
exit
=== packet-check-jge-strict
type: txdp
accept
ldxw %r2, [%r1+0]
ldxw %r3, [%r1+4]
mov %r4, %r2
add %r4, 3
mov %r0, 1
jge %r4, %r3, +2
ldxw %r0, [%r2+0]
mov %r0, 2
exit
=== packet-var-offset-header
type: txdp
accept
ldxw %r2, [%r1+0]
ldxw %r3, [%r1+4]
mov %r4, %r2
add %r4, 1
mov %r0, 1
jgt %r4, %r3, +9
ldxb %r5, [%r2+0]
and %r5, 60
add %r2, %r5
mov %r4, %r2
add %r4, 4
jgt %r4, %r3, +2
ldxw %r0, [%r2+0]
mov %r0, 2
exit
mov %r0, 2
exit
=== packet-length-by-subtraction
type: txdp
accept
ldxw %r2, [%r1+0]
ldxw %r3, [%r1+4]
sub %r3, %r2
mov %r0, 2
jgt %r3, 100, +1
mov %r0, 1
exit
=== packet-meta-check
type: txdp
accept
ldxw %r2, [%r1+8]
ldxw %r3, [%r1+0]
mov %r4, %r2
add %r4, 4
mov %r0, 2
jgt %r4, %r3, +1
ldxw %r0, [%r2+0]
mov %r0, 2
exit
=== ctx-scalar-fields
type: txdp
accept
ldxw %r2, [%r1+12]
ldxw %r3, [%r1+16]
ldxb %r4, [%r1+20]
mov %r0, 2
exit
=== ctx-writable-field
type: tctx
accept
r0: 0 0
ldxw %r2, [%r1+8]
stxw [%r1+12], %r2
mov %r0, 0
exit
=== bpf-to-bpf-call
type: mem:8
accept
worst: 7
r0: 5 5
mov %r1, 2
mov %r2, 3
call local add
exit
add:
mov %r0, %r1
add %r0, %r2
exit
=== call-passes-stack-pointer
accept
r0: 42 42
mov %r1, %r10
add %r1, -8
call local f
ldxdw %r0, [%r10-8]
exit
f:
stdw [%r1+0], 42
mov %r0, 0
exit
=== call-chain-8-frames
accept
call local f1
exit
f1:
call local f2
exit
f2:
call local f3
exit
f3:
call local f4
exit
f4:
call local f5
exit
f5:
call local f6
exit
f6:
call local f7
exit
f7:
mov %r0, 1
exit
=== callee-saved-registers-survive
type: mem:8
accept
mov %r6, %r1
call local f
ldxb %r0, [%r6+0]
exit
f:
mov %r0, 0
exit
=== ringbuf-reserve-submit
type: txdp
map: ringbuf 0 0 4096
accept
lddw %r1, map_idx 0
mov %r2, 16
mov %r3, 0
call 131
jeq %r0, 0, +4
stdw [%r0+8], 1
mov %r1, %r0
mov %r2, 0
call 132
mov %r0, 2
exit
=== tail-call
type: txdp
map: prog_array 4 4 4
accept
lddw %r2, map_idx 0
mov %r3, 1
call 12
mov %r0, 2
exit
=== helper-fills-stack
type: txdp
accept
mov %r1, %r10
add %r1, -16
mov %r2, 16
call 200
ldxdw %r0, [%r10-16]
mov %r0, 2
exit
=== print-constant-string
type: txdp
map: array 4 16 1 rdonly
accept
lddw %r1, map_idx_value 0 + 0
call 201
mov %r0, 2
exit
=== helper-mem-bounded-var-size
type: txdp
accept
stdw [%r10-16], 0
stdw [%r10-8], 0
call 7
and %r0, 15
add %r0, 1
mov %r2, %r0
mov %r1, %r10
add %r1, -16
mov %r3, 0
mov %r4, 0
mov %r5, 0
call 6
mov %r0, 2
exit
=== loop-with-pruning-on-equal-states
type: mem:8
accept
ldxb %r2, [%r1+0]
mov %r3, 0
mov %r0, 0
l:
jset %r2, 1, +1
mov %r0, 0
add %r3, 1
jlt %r3, 50, l
exit
=== atomics-on-stack
accept
stdw [%r10-8], 5
mov %r1, 3
lock fetch add [%r10-8], %r1
mov %r0, 5
lock cmpxchg [%r10-8], %r1
mov %r0, %r1
exit
=== xor-pointer-free-swap
accept
r0: 3 3
mov %r1, 1
mov %r2, 2
xor %r1, %r2
mov %r0, %r1
exit
=== div-by-zero-defined
accept
r0: 0 0
mov %r0, 5
mov %r1, 0
div %r0, %r1
exit
=== jmp32-refines-low-half
type: mem:8
accept
ldxdw %r2, [%r1+0]
mov32 %r2, %r2
jgt32 %r2, 7, +2
add %r1, %r2
ldxb %r0, [%r1+0]
mov %r0, 0
exit
=== loop-20000-precision-walk-budget
# the loop head's state list fills up (64 states), so each decided loop branch's precision
# walk goes further back; past the walks' budget every demand marks everything (the fallback):
# the result stays exact
accept
worst: 60003
r0: 40000 40000
mov %r0, 0
mov %r1, 0
l:
add %r0, 2
add %r1, 1
jlt %r1, 20000, l
exit
=== prec-loop-bound-worst-case
# precision: r6 (the loop bound, 2 on the first path, 10 on the second) decides the loop's exit
# branch, so it is precise in the state stored after the diamond and the second path is not
# cut there: the worst case is the 10-iteration path's and r0 covers both
type: mem:8
accept
worst: 33
r0: 2 10
ldxb %r2, [%r1+0]
mov %r3, 0
mov %r4, 0
mov %r5, 0
mov %r7, 0
mov %r8, 0
mov %r9, 0
mov %r6, 10
jeq %r2, 0, +1
mov %r6, 2
ja +0
mov %r3, 0
l:
add %r3, 1
jlt %r3, %r6, l
mov %r0, %r3
exit
