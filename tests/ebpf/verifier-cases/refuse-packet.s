# Packet bytes only after a check against data_end, and only the bytes checked.
=== packet-read-unchecked
type: txdp
reason: packet access out of bounds: bytes [0, 1) but only 0 checked
ldxw %r2, [%r1+0]
ldxb %r0, [%r2+0]
mov %r0, 2
exit
=== packet-off-by-one-jgt
type: txdp
reason: packet access out of bounds: bytes [13, 15) but only 14 checked
ldxw %r2, [%r1+0]
ldxw %r3, [%r1+4]
mov %r4, %r2
add %r4, 14
jgt %r4, %r3, +2
ldxh %r0, [%r2+13]
mov %r0, 2
mov %r0, 2
exit
=== packet-off-by-one-last-byte
type: txdp
reason: packet access out of bounds: bytes [14, 15) but only 14 checked
ldxw %r2, [%r1+0]
ldxw %r3, [%r1+4]
mov %r4, %r2
add %r4, 14
jgt %r4, %r3, +1
ldxb %r0, [%r2+14]
mov %r0, 2
exit
=== packet-check-wrong-branch
type: txdp
reason: packet access out of bounds
ldxw %r2, [%r1+0]
ldxw %r3, [%r1+4]
mov %r4, %r2
add %r4, 14
jle %r4, %r3, +2
ldxb %r0, [%r2+0]
mov %r0, 2
mov %r0, 2
exit
=== packet-jge-off-by-one
type: txdp
reason: packet access out of bounds: bytes [0, 4) but only 3 checked
ldxw %r2, [%r1+0]
ldxw %r3, [%r1+4]
mov %r4, %r2
add %r4, 3
jge %r3, %r4, +2
mov %r0, 2
exit
ldxw %r0, [%r2+0]
mov %r0, 2
exit
=== packet-check-then-write-past
type: txdp
reason: packet access out of bounds: bytes [4, 8) but only 6 checked
ldxw %r2, [%r1+0]
ldxw %r3, [%r1+4]
mov %r4, %r2
add %r4, 6
jgt %r4, %r3, +1
stw [%r2+4], 0
mov %r0, 2
exit
=== packet-negative-offset
type: txdp
reason: packet access out of bounds: bytes [-1, 0)
ldxw %r2, [%r1+0]
ldxw %r3, [%r1+4]
mov %r4, %r2
add %r4, 6
jgt %r4, %r3, +1
ldxb %r0, [%r2-1]
mov %r0, 2
exit
=== packet-var-offset-after-check
type: txdp
reason: packet access out of bounds: bytes [0, 1) but only 0 checked
ldxw %r2, [%r1+0]
ldxw %r3, [%r1+4]
mov %r4, %r2
add %r4, 64
jgt %r4, %r3, +5
ldxb %r5, [%r2+0]
and %r5, 15
add %r2, %r5
ldxb %r0, [%r2+0]
mov %r0, 2
mov %r0, 2
exit
=== packet-unbounded-var-offset
type: txdp
reason: packet pointer with an unbounded variable offset
ldxw %r6, [%r1+0]
ldxw %r7, [%r1+4]
call 7
mov %r3, %r7
mov %r5, %r0
and %r5, 0x1ffff
add %r6, %r5
mov %r4, %r6
add %r4, 1
jgt %r4, %r3, +1
ldxb %r0, [%r6+0]
mov %r0, 2
exit
=== packet-check-other-pointer
type: txdp
reason: packet access out of bounds
ldxw %r2, [%r1+0]
ldxw %r3, [%r1+4]
ldxw %r6, [%r1+0]
mov %r4, %r2
add %r4, 8
jgt %r4, %r3, +1
ldxb %r0, [%r6+0]
mov %r0, 2
exit
=== packet-end-read
type: txdp
reason: memory access through a pkt_end pointer is not allowed
ldxw %r3, [%r1+4]
ldxb %r0, [%r3-1]
mov %r0, 2
exit
=== packet-end-arith
type: txdp
reason: arithmetic on a pkt_end pointer is not allowed
ldxw %r3, [%r1+4]
sub %r3, 4
mov %r0, 2
exit
=== packet-compare-32bit
type: txdp
reason: comparison of a pointer
ldxw %r2, [%r1+0]
ldxw %r3, [%r1+4]
mov %r0, 2
jgt32 %r2, %r3, +1
mov %r0, 1
exit
=== packet-compare-with-scalar
type: txdp
reason: comparison of a pointer (pkt with scalar)
ldxw %r2, [%r1+0]
mov %r0, 2
jgt %r2, 100, +1
mov %r0, 1
exit
=== packet-meta-unchecked
type: txdp
reason: packet metadata access out of bounds
ldxw %r2, [%r1+8]
ldxw %r0, [%r2+0]
mov %r0, 2
exit
=== packet-meta-off-by-one
type: txdp
reason: packet metadata access out of bounds: bytes [0, 8) but only 4 checked
ldxw %r2, [%r1+8]
ldxw %r3, [%r1+0]
mov %r4, %r2
add %r4, 4
jgt %r4, %r3, +1
ldxdw %r0, [%r2+0]
mov %r0, 2
exit
=== packet-atomic
type: txdp
reason: atomic operation on packet data
ldxw %r2, [%r1+0]
ldxw %r3, [%r1+4]
mov %r4, %r2
add %r4, 8
jgt %r4, %r3, +2
mov %r5, 1
lock add [%r2+0], %r5
mov %r0, 2
exit
=== packet-helper-too-long
type: txdp
reason: helper access to packet out of bounds: 16 bytes at 0, only 8 checked
ldxw %r2, [%r1+0]
ldxw %r3, [%r1+4]
mov %r4, %r2
add %r4, 8
jgt %r4, %r3, +6
mov %r1, %r2
mov %r2, 16
mov %r3, 0
mov %r4, 0
mov %r5, 0
call 6
mov %r0, 2
exit
=== packet-range-lost-after-var-add
type: txdp
reason: packet access out of bounds: bytes [0, 1) but only 0 checked
ldxw %r2, [%r1+0]
ldxw %r3, [%r1+4]
mov %r4, %r2
add %r4, 20
jgt %r4, %r3, +5
ldxb %r5, [%r2+0]
and %r5, 3
add %r2, %r5
ldxb %r0, [%r2+0]
mov %r0, 2
mov %r0, 2
exit
