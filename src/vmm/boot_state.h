/* boot_state.h: the initial vCPU state a boot loader produces and the vCPU set-up applies.
 *
 * Loaders (Linux bzImage 64-bit entry, PVH 32-bit entry, CPL3 test guests) write what they need
 * into guest RAM (zero page, command line, initrd, page tables, GDT, TSS) and describe the entry
 * here; src/vmm/vcpu.c turns it into KVM_SET_SREGS/KVM_SET_REGS for the boot vCPU. Application
 * processors of an SMP guest start in the wait-for-SIPI state (the in-kernel LAPIC handles
 * INIT/SIPI). */
#ifndef BULWARK_VMM_BOOT_STATE_H
#define BULWARK_VMM_BOOT_STATE_H

#include <stdbool.h>
#include <stdint.h>

enum x86_boot_mode {
	X86_BOOT_LONG64, /* long mode, paging on (cr3), 64-bit code segment: Linux 64-bit entry */
	X86_BOOT_PROT32, /* 32-bit protected mode, paging off, flat segments: PVH entry */
	X86_BOOT_USER64, /* long mode at CPL3 (test guests): user segments, TSS, IOPL 3 */
};

struct x86_boot_state {
	enum x86_boot_mode mode;
	uint64_t rip, rsp, rsi, rbx, rflags;
	uint64_t cr3;	   /* LONG64/USER64: PML4 guest-physical address */
	uint64_t gdt_base; /* guest-physical address of the GDT written by the loader */
	uint16_t gdt_limit;
	uint16_t cs_sel, ds_sel; /* selectors of the code and data segments in that GDT */
	uint64_t tss_base;	 /* USER64 only */
	uint16_t tss_sel, tss_limit;
	uint64_t idt_base; /* 0: no IDT (limit 0) */
	uint16_t idt_limit;
};

#endif
