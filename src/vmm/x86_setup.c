/* x86_setup.c: identity-map page tables and GDT/TSS written into guest RAM (see x86_setup.h). */
#include "vmm/x86_setup.h"

#include <errno.h>
#include <string.h>

#define PAGE_4K 4096ULL
#define PAGE_2M (2ULL << 20)
#define GIB (1ULL << 30)

uint64_t x86_identity_map_size(uint64_t bytes)
{
	return (2 + (bytes + GIB - 1) / GIB) * PAGE_4K;
}

static void put_u64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, sizeof(v));
}

int x86_write_identity_map(struct guest_mem *m, uint64_t pml4_gpa, uint64_t bytes, bool user,
			   uint64_t *cr3)
{
	uint64_t flags = X86_PTE_P | X86_PTE_RW | (user ? X86_PTE_US : 0);
	uint64_t n_pd, size, pages, pdpt_gpa, pd_gpa, i;
	uint8_t *t;

	if (bytes == 0 || bytes > X86_IDMAP_MAX_BYTES || pml4_gpa % PAGE_4K)
		return -EINVAL;
	n_pd = (bytes + GIB - 1) / GIB;
	size = x86_identity_map_size(bytes);
	t = guest_mem_ptr(m, pml4_gpa, size);
	if (!t)
		return -EFAULT;
	memset(t, 0, size);
	pdpt_gpa = pml4_gpa + PAGE_4K;
	pd_gpa = pdpt_gpa + PAGE_4K;
	put_u64(t, pdpt_gpa | flags);
	for (i = 0; i < n_pd; i++)
		put_u64(t + PAGE_4K + 8 * i, (pd_gpa + i * PAGE_4K) | flags);
	pages = (bytes + PAGE_2M - 1) / PAGE_2M;
	for (i = 0; i < pages; i++)
		put_u64(t + 2 * PAGE_4K + 8 * i, (i * PAGE_2M) | flags | X86_PTE_PS);
	if (cr3)
		*cr3 = pml4_gpa;
	return (int)size;
}

uint64_t x86_gdt_entry(uint32_t base, uint32_t limit, uint8_t access, uint8_t flags)
{
	return ((uint64_t)(base & 0xff000000u) << 32) | ((uint64_t)(flags & 0xf) << 52) |
	       ((uint64_t)(limit & 0xf0000u) << 32) | ((uint64_t)access << 40) |
	       ((uint64_t)(base & 0x00ffffffu) << 16) | (limit & 0xffffu);
}

/* access bytes: P | DPL | S | type */
#define ACC_CODE0 0x9b /* present, DPL 0, code, execute/read, accessed */
#define ACC_DATA0 0x93 /* present, DPL 0, data, read/write, accessed */
#define ACC_CODE3 0xfb
#define ACC_DATA3 0xf3
#define ACC_TSS64 0x89 /* present, DPL 0, system, 64-bit available TSS */
/* flags nibble: G=8, D/B=4, L=2 */
#define FL_CODE64 0xa
#define FL_FLAT32 0xc

int x86_write_gdt(struct guest_mem *m, uint64_t gpa, enum x86_boot_mode mode,
		  struct x86_boot_state *st)
{
	uint64_t gdt[X86_GDT_ENTRIES] = {0};
	uint64_t tss_gpa = gpa + X86_TSS_OFFSET;
	uint8_t *p;

	if (gpa % 8 ||
	    (mode != X86_BOOT_LONG64 && mode != X86_BOOT_PROT32 && mode != X86_BOOT_USER64))
		return -EINVAL;
	p = guest_mem_ptr(m, gpa, X86_GDT_AREA_SIZE);
	if (!p)
		return -EFAULT;
	memset(p, 0, X86_GDT_AREA_SIZE);
	gdt[X86_GDT_BOOT_CS / 8] =
	    x86_gdt_entry(0, 0xfffff, ACC_CODE0, mode == X86_BOOT_PROT32 ? FL_FLAT32 : FL_CODE64);
	gdt[X86_GDT_BOOT_DS / 8] = x86_gdt_entry(0, 0xfffff, ACC_DATA0, FL_FLAT32);
	if (mode == X86_BOOT_USER64) {
		gdt[X86_GDT_USER_DS / 8] = x86_gdt_entry(0, 0xfffff, ACC_DATA3, FL_FLAT32);
		gdt[X86_GDT_USER_CS / 8] = x86_gdt_entry(0, 0xfffff, ACC_CODE3, FL_CODE64);
		/* 16-byte system descriptor: low half as usual, high half = base bits 63..32 */
		gdt[X86_GDT_TSS / 8] =
		    x86_gdt_entry((uint32_t)tss_gpa, X86_TSS_LIMIT, ACC_TSS64, 0);
		gdt[X86_GDT_TSS / 8 + 1] = tss_gpa >> 32;
		/* TSS: everything zero (no RSPn/ISTs: the test guest takes no interrupts) except
		 * the I/O map base, set past the limit: no bitmap, IOPL decides. */
		uint16_t iomap = X86_TSS_LIMIT + 1;

		memcpy(p + X86_TSS_OFFSET + 102, &iomap, sizeof(iomap));
	}
	memcpy(p, gdt, sizeof(gdt));

	st->mode = mode;
	st->gdt_base = gpa;
	st->gdt_limit = sizeof(gdt) - 1;
	if (mode == X86_BOOT_USER64) {
		st->cs_sel = X86_GDT_USER_CS;
		st->ds_sel = X86_GDT_USER_DS;
		st->tss_base = tss_gpa;
		st->tss_sel = X86_GDT_TSS;
		st->tss_limit = X86_TSS_LIMIT;
	} else {
		st->cs_sel = X86_GDT_BOOT_CS;
		st->ds_sel = X86_GDT_BOOT_DS;
		st->tss_base = 0;
		st->tss_sel = 0;
		st->tss_limit = 0;
	}
	return X86_GDT_AREA_SIZE;
}
