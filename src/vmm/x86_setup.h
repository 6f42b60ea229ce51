/* x86_setup.h: x86-64 structures the boot loaders write into guest RAM before the first entry.
 *
 * The Linux loaders (bzImage 64-bit entry, PVH) and the CPL3 test-guest loader all need an identity
 * map and a GDT; this file writes them and fills the matching fields of struct x86_boot_state,
 * which src/vmm/vcpu.c then turns into KVM_SET_SREGS. Everything is written through
 * guest_mem_ptr(), so a placement outside guest RAM is an error (-EFAULT), never a stray host
 * write. */
#ifndef BULWARK_VMM_X86_SETUP_H
#define BULWARK_VMM_X86_SETUP_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm/boot_state.h"
#include "vmm/guest_mem.h"

/* Page-table entry bits. */
#define X86_PTE_P (1ULL << 0)
#define X86_PTE_RW (1ULL << 1)
#define X86_PTE_US (1ULL << 2)
#define X86_PTE_PS (1ULL << 7)
#define X86_PTE_ADDR_MASK 0x000ffffffffff000ULL

/* Largest range x86_write_identity_map() maps: one PDPT (512 GiB). */
#define X86_IDMAP_MAX_BYTES (512ULL << 30)

/* Bytes of guest RAM x86_write_identity_map() uses for bytes of identity map: PML4 + PDPT + one
 * page directory per GiB (rounded up). */
uint64_t x86_identity_map_size(uint64_t bytes);

/* Writes an identity map of [0, bytes) (rounded up to 2 MiB) with 2 MiB pages, present and
 * writable, user-accessible when user is set. The tables are contiguous from pml4_gpa (PML4, PDPT,
 * then the page directories); callers that want high RAM mapped pass bytes = 4 GiB + high size.
 * pml4_gpa must be 4 KiB aligned. Sets *cr3 (may be NULL) to pml4_gpa. Returns the number of bytes
 * used (x86_identity_map_size(bytes)) or -EINVAL (bad alignment, bytes 0 or above
 * X86_IDMAP_MAX_BYTES), -EFAULT (tables do not fit in guest RAM). */
int x86_write_identity_map(struct guest_mem *m, uint64_t pml4_gpa, uint64_t bytes, bool user,
			   uint64_t *cr3);

/* GDT layout written by x86_write_gdt() (the selectors are part of the interface):
 *   0x00 null, 0x08 null,
 *   0x10 kernel code (64-bit for LONG64 and USER64, 32-bit flat for PROT32) = Linux __BOOT_CS,
 *   0x18 kernel data (flat, writable) = Linux __BOOT_DS,
 *   0x20 user data (DPL 3), 0x28 user code 64-bit (DPL 3) (USER64 only; selectors 0x23/0x2b),
 *   0x30 64-bit available TSS descriptor (16 bytes, USER64 only).
 * The TSS itself (104 bytes, no I/O bitmap: port I/O at CPL3 relies on IOPL 3) is written at
 * gpa + X86_TSS_OFFSET. The whole area is X86_GDT_AREA_SIZE bytes from gpa. */
#define X86_GDT_BOOT_CS 0x10
#define X86_GDT_BOOT_DS 0x18
#define X86_GDT_USER_DS 0x23
#define X86_GDT_USER_CS 0x2b
#define X86_GDT_TSS 0x30
#define X86_GDT_ENTRIES 8
#define X86_TSS_OFFSET 0x80
#define X86_TSS_LIMIT 0x67
#define X86_GDT_AREA_SIZE 0x100

/* Writes the GDT (and the TSS for USER64) for mode at gpa (8-byte aligned) and fills st->mode,
 * gdt_base, gdt_limit, cs_sel, ds_sel and, for USER64, tss_base, tss_sel, tss_limit (other modes
 * get tss_sel 0). Returns the bytes written or -EINVAL (bad mode or alignment), -EFAULT (outside
 * guest RAM). */
int x86_write_gdt(struct guest_mem *m, uint64_t gpa, enum x86_boot_mode mode,
		  struct x86_boot_state *st);

/* Builds a code/data segment descriptor (flags: bits 52-55 G, D/B, L, AVL; access: bits 40-47). */
uint64_t x86_gdt_entry(uint32_t base, uint32_t limit, uint8_t access, uint8_t flags);

#endif
