/* start.S: entry of a CPL3 test guest and the ELF note that marks it as one.
 * bulwark enters _start at CPL3 with rsp = 16-byte aligned top of the stack (below the image),
 * rbx = RAM below the PCI hole, rsi = all RAM, rdx = number of vCPUs. */
	.section .note.bulwark, "a", @note
	.balign 4
	.long 2f - 1f		/* namesz */
	.long 4f - 3f		/* descsz */
	.long 0x62770001	/* type: bulwark CPL3 test guest */
1:	.asciz "bulwark"
2:	.balign 4
3:	.asciz "cpl3 test guest"
4:	.balign 4

	.text
	.globl _start
	.type _start, @function
_start:
	movq %rbx, cpl3_mem_low(%rip)
	movq %rsi, cpl3_mem_total(%rip)
	movl %edx, cpl3_ncpus(%rip)
	andq $-16, %rsp
	xorl %ebp, %ebp
	call main
	movl %eax, %edi
	call cpl3_exit
1:	jmp 1b
	.size _start, . - _start

	.section .note.GNU-stack, "", @progbits
