# Red-team cases for packet pointers: which comparisons against data_end give a range, to which
# pointers (same id only), and what variable offsets do to it. txdp is struct xdp_md (data at 0,
# data_end at 4, data_meta at 8).
=== rt-pkt-range-on-other-load-of-data
# data loaded twice: the check of one copy says nothing about the other (another id)
type: txdp
reason: packet access out of bounds: bytes [0, 4) but only 0 checked
ldxw %r2, [%r1+0]
ldxw %r5, [%r1+0]
ldxw %r3, [%r1+4]
mov %r4, %r2
add %r4, 4
jgt %r4, %r3, out
ldxw %r0, [%r5+0]
out:
mov %r0, 2
exit
=== rt-pkt-signed-compare-gives-no-range
# jsgt on packet pointers: no range (addresses are not signed)
type: txdp
reason: packet access out of bounds: bytes [0, 4) but only 0 checked
ldxw %r2, [%r1+0]
ldxw %r3, [%r1+4]
mov %r4, %r2
add %r4, 4
jsgt %r4, %r3, out
ldxw %r0, [%r2+0]
out:
mov %r0, 2
exit
=== rt-pkt-jeq-end-gives-no-range
type: txdp
reason: packet access out of bounds: bytes [0, 4) but only 0 checked
ldxw %r2, [%r1+0]
ldxw %r3, [%r1+4]
mov %r4, %r2
add %r4, 4
jne %r4, %r3, out
ldxw %r0, [%r2+0]
out:
mov %r0, 2
exit
=== rt-pkt-end-gt-ptr-off-by-one
# data_end > data + 4 (taken): data + 4 < data_end, 5 bytes; reading 6 is one too many
type: txdp
reason: packet access out of bounds: bytes [4, 6) but only 5 checked
ldxw %r2, [%r1+0]
ldxw %r3, [%r1+4]
mov %r4, %r2
add %r4, 4
jgt %r3, %r4, ok
mov %r0, 2
exit
ok:
ldxw %r0, [%r2+0]
ldxb %r0, [%r2+4]
ldxh %r0, [%r2+4]
mov %r0, 2
exit
=== rt-pkt-end-ge-ptr-taken-side
# data_end >= data + 4 (taken): 4 bytes, not 5
type: txdp
reason: packet access out of bounds: bytes [4, 5) but only 4 checked
ldxw %r2, [%r1+0]
ldxw %r3, [%r1+4]
mov %r4, %r2
add %r4, 4
jge %r3, %r4, ok
mov %r0, 2
exit
ok:
ldxw %r0, [%r2+0]
ldxb %r0, [%r2+4]
mov %r0, 2
exit
=== rt-pkt-var-offset-then-check-then-read-past
# p = data + x; p + 4 <= end gives p 4 bytes: the fifth is unchecked
type: txdp
reason: packet access out of bounds: bytes [2, 6) but only 4 checked
ldxw %r2, [%r1+0]
ldxw %r3, [%r1+4]
ldxw %r5, [%r1+12]
and %r5, 0xff
add %r2, %r5
mov %r4, %r2
add %r4, 4
jgt %r4, %r3, out
ldxw %r0, [%r2+2]
out:
mov %r0, 2
exit
=== rt-pkt-var-offset-negative
# data + x with x in [-8, 7]: even after a check, data + x may be before the packet
type: txdp
reason: packet pointer with an unbounded variable offset
ldxw %r2, [%r1+0]
ldxw %r3, [%r1+4]
ldxw %r5, [%r1+12]
and %r5, 15
sub %r5, 8
add %r2, %r5
mov %r4, %r2
add %r4, 8
jgt %r4, %r3, out
ldxb %r0, [%r2+0]
out:
mov %r0, 2
exit
=== rt-pkt-var-offset-too-large
# data + x with x up to 2^20: past bulwark's 64 KiB packet offset limit
type: txdp
reason: packet pointer with an unbounded variable offset
ldxw %r2, [%r1+0]
ldxw %r3, [%r1+4]
ldxw %r5, [%r1+12]
and %r5, 0xfffff
add %r2, %r5
mov %r4, %r2
add %r4, 1
jgt %r4, %r3, out
ldxb %r0, [%r2+0]
out:
mov %r0, 2
exit
=== rt-pkt-check-before-var-add-lost
# the range was checked before the variable add: the moved pointer has none
type: txdp
reason: packet access out of bounds: bytes [0, 1) but only 0 checked
ldxw %r2, [%r1+0]
ldxw %r3, [%r1+4]
mov %r4, %r2
add %r4, 64
jgt %r4, %r3, out
ldxb %r5, [%r2+0]
and %r5, 7
add %r2, %r5
ldxb %r0, [%r2+0]
out:
mov %r0, 2
exit
=== rt-pkt-const-offset-over-64k
# data + 0x10000 compared with data_end: no range past 64 KiB is recorded
type: txdp
reason: packet access out of bounds
ldxw %r2, [%r1+0]
ldxw %r3, [%r1+4]
mov %r4, %r2
add %r4, 0x10001
jgt %r4, %r3, out
add %r2, 0x10000
ldxb %r0, [%r2+0]
out:
mov %r0, 2
exit
=== rt-pkt-negative-const-then-check
# data - 4 checked against data_end: a pointer before the packet gets no range
type: txdp
reason: packet access out of bounds: bytes [-4, 0) but only 0 checked
ldxw %r2, [%r1+0]
ldxw %r3, [%r1+4]
add %r2, -4
mov %r4, %r2
jgt %r4, %r3, out
ldxw %r0, [%r2+0]
out:
mov %r0, 2
exit
=== rt-pkt-meta-vs-data-plus-one
# data_meta compared with data + 1 (not data itself): no metadata range
type: txdp
reason: packet metadata access out of bounds
ldxw %r2, [%r1+0]
ldxw %r5, [%r1+8]
mov %r4, %r5
add %r4, 4
mov %r6, %r2
add %r6, 1
jgt %r4, %r6, out
ldxw %r0, [%r5+0]
out:
mov %r0, 2
exit
=== rt-pkt-meta-range-is-not-data-range
# data_meta + 4 <= data gives the metadata 4 bytes, not the packet
type: txdp
reason: packet access out of bounds: bytes [0, 4) but only 0 checked
ldxw %r2, [%r1+0]
ldxw %r5, [%r1+8]
mov %r4, %r5
add %r4, 4
jgt %r4, %r2, out
ldxw %r0, [%r2+0]
out:
mov %r0, 2
exit
=== rt-pkt-compare-32bit-end
type: txdp
reason: comparison of a pointer
ldxw %r2, [%r1+0]
ldxw %r3, [%r1+4]
mov %r4, %r2
add %r4, 4
jgt32 %r4, %r3, out
ldxw %r0, [%r2+0]
out:
mov %r0, 2
exit
=== rt-pkt-end-minus-data-as-offset
# data_end - data is the length, a scalar: not a checked range
type: txdp
reason: pointer arithmetic with an unbounded scalar
ldxw %r2, [%r1+0]
ldxw %r3, [%r1+4]
sub %r3, %r2
add %r2, %r3
ldxb %r0, [%r2-1]
mov %r0, 2
exit
=== rt-pkt-range-in-callee-does-not-reach-other-load
# a callee checks its own copy of data; the caller's second load is another id
type: txdp
reason: packet access out of bounds: bytes [0, 4) but only 0 checked
mov %r6, %r1
ldxw %r1, [%r6+0]
ldxw %r2, [%r6+4]
call local chk
ldxw %r2, [%r6+0]
jeq %r0, 0, out
ldxw %r0, [%r2+0]
out:
mov %r0, 2
exit
chk:
mov %r0, 0
mov %r3, %r1
add %r3, 4
jgt %r3, %r2, +1
mov %r0, 1
exit
=== rt-pkt-helper-reads-past-range
type: txdp
reason: helper access to packet out of bounds: 16 bytes at 0, only 8 checked
ldxw %r2, [%r1+0]
ldxw %r3, [%r1+4]
mov %r4, %r2
add %r4, 8
jgt %r4, %r3, out
mov %r1, %r2
mov %r2, 16
call 6
out:
mov %r0, 2
exit
