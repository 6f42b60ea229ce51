lddw %r1, map_value 3 + 8
.insn 0xff, 1, 2, -3, 4
lock fetch xor32 [%r1 - 4], %r2
