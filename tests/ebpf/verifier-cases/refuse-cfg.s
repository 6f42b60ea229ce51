# Control flow and encodings.
=== jump-past-end
reason: outside the program
ja +5
mov %r0, 0
exit
=== jump-before-start
reason: outside the program
mov %r0, 0
ja -3
exit
=== cond-jump-past-end
reason: outside the program
mov %r0, 0
jeq %r0, 0, +2
exit
=== jump-into-lddw
reason: jump into the middle of lddw
mov %r0, 0
ja +1
lddw %r0, 0x1122334455667788
exit
=== cond-jump-into-lddw
reason: jump into the middle of lddw
mov %r0, 0
jeq %r0, 1, +1
lddw %r1, 1
exit
=== gotol-into-lddw
reason: jump into the middle of lddw
mov %r0, 0
ja32 +1
lddw %r1, 1
exit
=== call-into-lddw
reason: call target is the second slot of lddw
call local +1
lddw %r1, 1
mov %r0, 0
exit
=== fall-off-end
reason: execution can fall off the end of the program
mov %r0, 0
=== fall-off-end-after-branch
reason: execution can fall off the end of the program
mov %r0, 0
jeq %r0, 0, +1
exit
mov %r0, 1
=== fall-into-next-function
reason: execution can fall off the end of the program
call local f
mov %r0, 0
f:
mov %r0, 1
exit
=== subprog-falls-off
reason: execution can fall off the end of a function
call local f
exit
f:
mov %r0, 1
=== unreachable-after-exit
reason: unreachable instruction
mov %r0, 0
exit
mov %r0, 1
exit
=== unreachable-after-ja
reason: unreachable instruction
mov %r0, 0
ja +1
mov %r0, 1
exit
=== unreachable-function
reason: unreachable instruction
mov %r0, 0
exit
f:
mov %r0, 1
exit
=== jump-across-functions
reason: outside its function
call local f
ja +2
f:
mov %r0, 1
mov %r0, 2
exit
=== call-outside-program
reason: call to 9, outside the program
call local +8
exit
=== lddw-truncated
reason: lddw without its second slot
mov %r0, 0
exit
.insn 0x18, 0, 0, 0, 1
=== lddw-bad-second-slot
reason: invalid second slot of lddw
.insn 0x18, 0, 0, 0, 1
.insn 0x18, 0, 0, 0, 0
mov %r0, 0
exit
=== lddw-var-addr
reason: lddw pseudo source 3 is not supported
lddw %r0, var_addr 0
exit
=== lddw-code-addr
reason: lddw pseudo source 4 is not supported
lddw %r0, code_addr 0
exit
=== lddw-map-without-maps
reason: lddw refers to map 0, the program has 0 maps
lddw %r1, map_idx 0
mov %r0, 0
exit
=== lddw-map-index-too-big
type: txdp
map: hash 4 4 4
reason: lddw refers to map 1, the program has 1 maps
lddw %r1, map_fd 1
mov %r0, 0
exit
=== bad-class-ld-abs
reason: legacy packet access
.insn 0x20, 0, 0, 0, 0
mov %r0, 0
exit
=== bad-class-ld-ind
reason: legacy packet access
.insn 0x40, 0, 1, 0, 0
mov %r0, 0
exit
=== bad-ld-imm-size
reason: invalid instruction encoding 0x00
.insn 0x00, 0, 0, 0, 0
mov %r0, 0
exit
=== bad-alu-op
reason: invalid instruction encoding 0xe4
.insn 0xe4, 0, 0, 0, 0
mov %r0, 0
exit
=== bad-alu64-op-f
reason: invalid instruction encoding 0xf7
mov %r0, 0
.insn 0xf7, 0, 0, 0, 0
exit
=== bad-jmp-op
reason: invalid instruction encoding 0xe5
mov %r0, 0
.insn 0xe5, 0, 0, 0, 0
exit
=== bad-jmp32-call
reason: invalid instruction encoding 0x86
.insn 0x86, 0, 0, 0, 0
mov %r0, 0
exit
=== bad-exit-fields
reason: invalid encoding of exit
mov %r0, 0
.insn 0x95, 1, 0, 0, 0
=== bad-exit-jmp32
reason: invalid encoding of exit
mov %r0, 0
.insn 0x96, 0, 0, 0, 0
=== bad-register-r11
reason: invalid register number
mov %r11, 1
mov %r0, 0
exit
=== bad-src-register-r12
reason: invalid register number
mov %r0, %r12
exit
=== write-r10
reason: frame pointer r10 is read only
mov %r10, 0
mov %r0, 0
exit
=== add-to-r10
reason: frame pointer r10 is read only
add %r10, 8
mov %r0, 0
exit
=== load-into-r10
reason: frame pointer r10 is read only
.insn 0x79, 10, 1, 0, 0
mov %r0, 0
exit
=== alu-k-with-src
reason: reserved field src must be 0
.insn 0x07, 0, 1, 0, 1
exit
=== alu-x-with-imm
reason: reserved field imm must be 0
mov %r0, 0
.insn 0x0f, 0, 0, 0, 1
exit
=== alu-off-nonzero
reason: reserved field off must be 0
mov %r0, 0
.insn 0x07, 0, 0, 3, 1
exit
=== div-off-2
reason: off 2 of div/mod
mov %r0, 1
.insn 0x37, 0, 0, 2, 1
exit
=== movsx-off-7
reason: off 7 of mov
mov %r1, 1
.insn 0xbf, 0, 1, 7, 0
exit
=== movsx32-off-32
reason: off 32 of mov
mov %r1, 1
.insn 0xbc, 0, 1, 32, 0
exit
=== movsx-k
reason: off 8 of mov
.insn 0xb7, 0, 0, 8, 1
exit
=== neg-with-imm
reason: invalid encoding of neg
mov %r0, 1
.insn 0x87, 0, 0, 0, 5
exit
=== endian-width-8
reason: invalid byte swap width 8
mov %r0, 1
.insn 0xd4, 0, 0, 0, 8
exit
=== bswap64-with-x
reason: invalid instruction encoding 0xdf
mov %r0, 1
.insn 0xdf, 0, 0, 0, 16
exit
=== ldx-mode-imm
reason: invalid instruction encoding 0x19
.insn 0x19, 0, 10, 0, 0
mov %r0, 0
exit
=== ldsx-dw
reason: ldsx of 8 bytes
stdw [%r10-8], 0
.insn 0x99, 0, 10, -8, 0
exit
=== ldx-imm-nonzero
reason: reserved field imm must be 0
stdw [%r10-8], 0
.insn 0x79, 0, 10, -8, 1
exit
=== st-with-src
reason: reserved field src must be 0
.insn 0x7a, 10, 1, -8, 0
mov %r0, 0
exit
=== stx-imm-nonzero
reason: reserved field imm must be 0
mov %r1, 0
.insn 0x7b, 10, 1, -8, 5
mov %r0, 0
exit
=== atomic-byte-size
reason: invalid atomic operand size
mov %r1, 0
stdw [%r10-8], 0
.insn 0xd3, 10, 1, -8, 0
mov %r0, 0
exit
=== atomic-bad-op
reason: invalid atomic operation 0x10
mov %r1, 0
stdw [%r10-8], 0
.insn 0xdb, 10, 1, -8, 0x10
mov %r0, 0
exit
=== st-mode-atomic
reason: invalid instruction encoding 0xda
.insn 0xda, 10, 0, -8, 0
mov %r0, 0
exit
=== call-btf-id
reason: call with source 2
.insn 0x85, 0, 2, 0, 1
mov %r0, 0
exit
=== call-with-off
reason: reserved fields of call
.insn 0x85, 0, 0, 1, 7
mov %r0, 0
exit
=== ja-with-src
reason: invalid encoding of ja
.insn 0x05, 0, 1, 0, 0
mov %r0, 0
exit
=== ja-with-imm
reason: reserved field imm of ja
.insn 0x05, 0, 0, 0, 1
mov %r0, 0
exit
=== jmp-k-with-src
reason: reserved field src must be 0
mov %r0, 0
.insn 0x15, 0, 1, 0, 0
exit
=== empty-body-unknown-helper
reason: helper 99 is not available
call 99
exit
=== infinite-loop-self
reason: infinite loop
mov %r0, 0
l:
ja l
=== infinite-loop-same-state
reason: infinite loop
mov %r0, 0
mov %r1, 0
l:
mov %r1, 0
add %r1, 1
jgt %r1, 0, l
exit
=== unbounded-loop
type: mem:8
max: 100000
reason: program too complex
ldxdw %r2, [%r1+0]
mov %r0, 0
l:
add %r0, 1
jne %r0, %r2, l
exit
=== too-long-loop
max: 1000000
reason: program too complex
mov %r0, 0
l:
add %r0, 1
jlt %r0, 10000000, l
exit
=== loop-counter-reset-on-path
type: mem:8
max: 100000
reason: infinite loop
ldxb %r2, [%r1+0]
mov %r0, 0
l:
mov %r3, 0
jeq %r2, 1, +1
mov %r3, 1
jeq %r3, 1, l
exit
=== recursion-direct
reason: recursive call
call local f
exit
f:
call local f
mov %r0, 0
exit
=== recursion-mutual
reason: recursive call
call local f
exit
f:
call local g
exit
g:
call local f
mov %r0, 0
exit
=== call-chain-9-frames
reason: call chain deeper than 8 frames
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
call local f8
exit
f8:
mov %r0, 1
exit
