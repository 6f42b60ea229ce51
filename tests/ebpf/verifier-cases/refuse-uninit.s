# Reads of registers and stack bytes that were never written.
=== uninit-r0-at-exit
reason: R0 is not initialised
exit
=== uninit-r3-alu
reason: R3 is not initialised
mov %r0, 1
add %r0, %r3
exit
=== uninit-r6-mov
reason: R6 is not initialised
mov %r0, %r6
exit
=== uninit-r2-in-buffer-type-without-size
type: txdp
reason: R2 is not initialised
mov %r0, %r2
exit
=== uninit-r4-compare
reason: R4 is not initialised
mov %r0, 0
jeq %r4, 0, +1
mov %r0, 1
exit
=== uninit-r5-store-value
type: tbuf:8
reason: R5 is not initialised
stxdw [%r1+0], %r5
mov %r0, 0
exit
=== uninit-base-register-load
reason: R7 is not initialised
ldxw %r0, [%r7+0]
exit
=== uninit-on-one-path
type: tbuf:8
reason: R3 is not initialised
ldxb %r2, [%r1+0]
jeq %r2, 0, +1
mov %r3, 1
mov %r0, %r3
exit
=== uninit-after-helper-clobbers-r1
type: tbuf:8
reason: R1 is not initialised
call 7
mov %r0, %r1
exit
=== uninit-r0-after-void-helper
type: txdp
map: ringbuf 0 0 4096
reason: R0 is not initialised
lddw %r1, map_idx 0
mov %r2, 8
mov %r3, 0
call 131
jeq %r0, 0, +3
mov %r1, %r0
mov %r2, 0
call 132
exit
=== uninit-callee-saved-in-subprog
reason: R6 is not initialised
mov %r6, 1
call local f
exit
f:
mov %r0, %r6
exit
=== uninit-caller-r1-after-call
reason: R1 is not initialised
mov %r1, 1
call local f
mov %r0, %r1
exit
f:
mov %r0, 0
exit
=== uninit-stack-read-8
reason: read of uninitialised stack byte fp-8
ldxdw %r0, [%r10-8]
exit
=== uninit-stack-read-1
reason: read of uninitialised stack byte fp-1
ldxb %r0, [%r10-1]
exit
=== uninit-stack-partially-written
reason: read of uninitialised stack byte fp-4
stw [%r10-8], 1
ldxdw %r0, [%r10-8]
exit
=== uninit-stack-neighbour-byte
reason: read of uninitialised stack byte fp-9
stdw [%r10-8], 0
ldxh %r0, [%r10-9]
exit
=== uninit-stack-one-path
type: tbuf:8
reason: read of uninitialised stack byte fp-16
ldxb %r2, [%r1+0]
jeq %r2, 0, +1
stdw [%r10-16], 7
ldxdw %r0, [%r10-16]
exit
=== uninit-stack-var-offset-read
type: tbuf:8
reason: read of uninitialised stack byte
ldxb %r2, [%r1+0]
and %r2, 7
mov %r3, %r10
add %r3, -16
add %r3, %r2
stdw [%r10-16], 1
ldxw %r0, [%r3+0]
exit
=== uninit-stack-via-helper-key
type: txdp
map: hash 4 8 16
reason: read of uninitialised stack byte fp-4
lddw %r1, map_idx 0
mov %r2, %r10
add %r2, -4
call 1
mov %r0, 2
exit
=== uninit-stack-helper-mem
type: txdp
reason: read of uninitialised stack byte fp-16
mov %r1, %r10
add %r1, -16
mov %r2, 16
call 6
mov %r0, 2
exit
=== uninit-callee-reads-caller-stack
reason: read of uninitialised stack byte fp-8 (frame 0)
mov %r1, %r10
add %r1, -8
call local f
exit
f:
ldxdw %r0, [%r1+0]
exit
=== uninit-callee-own-stack
reason: read of uninitialised stack byte fp-8 (frame 1)
stdw [%r10-8], 1
call local f
exit
f:
ldxdw %r0, [%r10-8]
exit
=== uninit-cmpxchg-r0
type: tbuf:8
reason: R0 is not initialised
mov %r2, 1
lock cmpxchg [%r1+0], %r2
mov %r0, 0
exit
=== uninit-atomic-stack
reason: read of uninitialised stack byte
mov %r2, 1
lock add [%r10-8], %r2
mov %r0, 0
exit
=== uninit-callx-register
reason: R3 is not initialised
call %r3
mov %r0, 0
exit
