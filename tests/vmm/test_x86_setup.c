/* test_x86_setup.c: the identity map translates every address to itself with the right flags (the
 * test walks the tables like the MMU does), and the GDT descriptors decode to the segments each
 * boot mode needs. */
#include <errno.h>
#include <stdlib.h>

#include "harness.h"
#include "vmm/x86_setup.h"

#define MIB (1ULL << 20)
#define GIB (1ULL << 30)

static uint8_t *buf;
static struct guest_mem mem;

static void setup(uint64_t size)
{
	free(buf);
	buf = calloc(1, size);
	if (!buf)
		abort();
	guest_mem_init_buffer(&mem, buf, size);
}

static uint64_t rd64(uint64_t gpa)
{
	uint64_t v = 0;

	if (guest_mem_read(&mem, gpa, &v, 8))
		return 0xdeadULL;
	return v;
}

/* Walks 4-level tables: returns the physical address or ~0 when not present; *flags gets the AND
 * of the US and RW bits along the walk and whether the leaf was a 2 MiB page. */
static uint64_t walk(uint64_t cr3, uint64_t va, uint64_t *flags, bool *large)
{
	uint64_t e, acc = X86_PTE_US | X86_PTE_RW;

	e = rd64((cr3 & X86_PTE_ADDR_MASK) + 8 * ((va >> 39) & 511));
	if (!(e & X86_PTE_P))
		return ~0ULL;
	acc &= e;
	e = rd64((e & X86_PTE_ADDR_MASK) + 8 * ((va >> 30) & 511));
	if (!(e & X86_PTE_P))
		return ~0ULL;
	acc &= e;
	if (e & X86_PTE_PS)
		return ~0ULL; /* we never write 1 GiB pages */
	e = rd64((e & X86_PTE_ADDR_MASK) + 8 * ((va >> 21) & 511));
	if (!(e & X86_PTE_P))
		return ~0ULL;
	acc &= e;
	*large = e & X86_PTE_PS;
	*flags = acc;
	return (e & X86_PTE_ADDR_MASK & ~(2 * MIB - 1)) | (va & (2 * MIB - 1));
}

TEST(identity_map_4g_translates_every_2m_page)
{
	uint64_t cr3 = 0, flags = 0, va;
	bool large = false;
	int used;

	setup(1 * MIB);
	used = x86_write_identity_map(&mem, 0x9000, 4 * GIB, false, &cr3);
	CHECK_EQ(used, (2 + 4) * 4096);
	CHECK_EQ(x86_identity_map_size(4 * GIB), used);
	CHECK_EQ(cr3, 0x9000);
	for (va = 0; va < 4 * GIB; va += 2 * MIB) {
		uint64_t off = (va / (2 * MIB)) % 4096 * 512 + 0x123;
		uint64_t pa = walk(cr3, va + off, &flags, &large);

		if (pa != va + off || !large || flags != X86_PTE_RW) {
			CHECK_EQ(pa, va + off);
			CHECK(large);
			CHECK_EQ(flags, X86_PTE_RW);
			break;
		}
	}
	/* nothing above 4 GiB */
	CHECK_EQ(walk(cr3, 4 * GIB, &flags, &large), ~0ULL);
	CHECK_EQ(walk(cr3, 512 * GIB, &flags, &large), ~0ULL);
}

TEST(identity_map_user_bit_and_partial_gib)
{
	uint64_t cr3 = 0, flags = 0;
	bool large = false;
	int used;

	setup(1 * MIB);
	/* 4 GiB + 3 MiB of high RAM: rounded up to 2 MiB pages, fifth page directory partly used */
	used = x86_write_identity_map(&mem, 0x10000, 4 * GIB + 3 * MIB, true, &cr3);
	CHECK_EQ(used, (2 + 5) * 4096);
	CHECK_EQ(walk(cr3, 4 * GIB + 0x1234, &flags, &large), 4 * GIB + 0x1234);
	CHECK_EQ(flags, X86_PTE_US | X86_PTE_RW);
	CHECK_EQ(walk(cr3, 4 * GIB + 2 * MIB + 5, &flags, &large), 4 * GIB + 2 * MIB + 5);
	CHECK_EQ(walk(cr3, 4 * GIB + 4 * MIB, &flags, &large), ~0ULL);
	CHECK_EQ(walk(cr3, 0, &flags, &large), 0);
	CHECK_EQ(flags, X86_PTE_US | X86_PTE_RW);
}

TEST(identity_map_refuses_bad_placement)
{
	uint64_t cr3 = 0x77;

	setup(64 * 1024);
	CHECK_EQ(x86_write_identity_map(&mem, 0x1001, GIB, false, &cr3), -EINVAL);
	CHECK_EQ(x86_write_identity_map(&mem, 0x1000, 0, false, &cr3), -EINVAL);
	CHECK_EQ(x86_write_identity_map(&mem, 0x1000, X86_IDMAP_MAX_BYTES + 1, false, &cr3),
		 -EINVAL);
	/* tables would end past the 64 KiB of RAM */
	CHECK_EQ(x86_write_identity_map(&mem, 0xf000, GIB, false, &cr3), -EFAULT);
	CHECK_EQ(x86_write_identity_map(&mem, 0xfffffffffffff000ULL, GIB, false, &cr3), -EFAULT);
	CHECK_EQ(cr3, 0x77);
	CHECK_EQ(x86_write_identity_map(&mem, 0xd000, GIB, false, &cr3), 3 * 4096);
}

struct seg {
	uint32_t base, limit;
	unsigned type, s, dpl, p, l, db, g;
};

static struct seg decode(uint64_t d)
{
	struct seg s;

	s.limit = (d & 0xffff) | ((d >> 32) & 0xf0000);
	s.base = ((d >> 16) & 0xffffff) | ((d >> 32) & 0xff000000);
	s.type = (d >> 40) & 0xf;
	s.s = (d >> 44) & 1;
	s.dpl = (d >> 45) & 3;
	s.p = (d >> 47) & 1;
	s.l = (d >> 53) & 1;
	s.db = (d >> 54) & 1;
	s.g = (d >> 55) & 1;
	return s;
}

TEST(gdt_long64_has_linux_boot_selectors)
{
	struct x86_boot_state st = {0};
	struct seg cs, ds;

	setup(64 * 1024);
	CHECK_EQ(x86_write_gdt(&mem, 0x1000, X86_BOOT_LONG64, &st), X86_GDT_AREA_SIZE);
	CHECK_EQ(st.mode, X86_BOOT_LONG64);
	CHECK_EQ(st.cs_sel, 0x10);
	CHECK_EQ(st.ds_sel, 0x18);
	CHECK_EQ(st.gdt_base, 0x1000);
	CHECK_EQ(st.gdt_limit, 8 * X86_GDT_ENTRIES - 1);
	CHECK_EQ(st.tss_sel, 0);
	CHECK_EQ(rd64(0x1000), 0);
	cs = decode(rd64(0x1000 + 0x10));
	CHECK(cs.p && cs.s && cs.l && !cs.db && cs.dpl == 0);
	CHECK_EQ(cs.type, 0xb);
	ds = decode(rd64(0x1000 + 0x18));
	CHECK(ds.p && ds.s && ds.g && ds.db && !ds.l && ds.dpl == 0);
	CHECK_EQ(ds.type, 0x3);
	CHECK_EQ(ds.base, 0);
	CHECK_EQ(ds.limit, 0xfffff);
	CHECK_EQ(rd64(0x1000 + 0x28), 0); /* no user segments */
}

TEST(gdt_prot32_is_flat_32bit)
{
	struct x86_boot_state st = {0};
	struct seg cs;

	setup(64 * 1024);
	CHECK_EQ(x86_write_gdt(&mem, 0x2000, X86_BOOT_PROT32, &st), X86_GDT_AREA_SIZE);
	cs = decode(rd64(0x2000 + st.cs_sel));
	CHECK(cs.p && cs.s && !cs.l && cs.db && cs.g);
	CHECK_EQ(cs.base, 0);
	CHECK_EQ(cs.limit, 0xfffff);
	CHECK_EQ(cs.type & 0x8, 0x8); /* code */
}

TEST(gdt_user64_has_user_segments_and_tss)
{
	struct x86_boot_state st = {0};
	struct seg cs, ds, tss;
	uint16_t iomap = 0;

	setup(64 * 1024);
	memset(buf + 0x3000, 0xaa, 0x200);
	CHECK_EQ(x86_write_gdt(&mem, 0x3000, X86_BOOT_USER64, &st), X86_GDT_AREA_SIZE);
	CHECK_EQ(st.cs_sel, 0x2b);
	CHECK_EQ(st.ds_sel, 0x23);
	cs = decode(rd64(0x3000 + (st.cs_sel & ~7)));
	CHECK(cs.p && cs.s && cs.l && cs.dpl == 3);
	CHECK_EQ(cs.type & 0x8, 0x8);
	ds = decode(rd64(0x3000 + (st.ds_sel & ~7)));
	CHECK(ds.p && ds.s && ds.dpl == 3 && !(ds.type & 0x8) && (ds.type & 2));
	CHECK_EQ(st.tss_sel, 0x30);
	CHECK_EQ(st.tss_base, 0x3000 + X86_TSS_OFFSET);
	CHECK_EQ(st.tss_limit, 0x67);
	tss = decode(rd64(0x3000 + 0x30));
	CHECK(tss.p && !tss.s);
	CHECK_EQ(tss.type, 0x9);
	CHECK_EQ(tss.base, st.tss_base);
	CHECK_EQ(tss.limit, 0x67);
	CHECK_EQ(rd64(0x3000 + 0x38), 0); /* base bits 63..32 */
	CHECK_EQ(guest_mem_read(&mem, st.tss_base + 102, &iomap, 2), 0);
	CHECK_EQ(iomap, 0x68);
	CHECK_EQ(rd64(st.tss_base + 4), 0);		 /* rsp0 cleared over the old 0xaa */
	CHECK_EQ(buf[0x3000 + X86_GDT_AREA_SIZE], 0xaa); /* nothing past the area */
}

TEST(gdt_refuses_bad_placement)
{
	struct x86_boot_state st = {0};

	setup(64 * 1024);
	CHECK_EQ(x86_write_gdt(&mem, 0x1004, X86_BOOT_LONG64, &st), -EINVAL);
	CHECK_EQ(x86_write_gdt(&mem, 0x1000, (enum x86_boot_mode)7, &st), -EINVAL);
	CHECK_EQ(x86_write_gdt(&mem, 0x10000 - 0x80, X86_BOOT_LONG64, &st), -EFAULT);
	free(buf);
	buf = NULL;
}

HARNESS_MAIN(identity_map_4g_translates_every_2m_page, identity_map_user_bit_and_partial_gib,
	     identity_map_refuses_bad_placement, gdt_long64_has_linux_boot_selectors,
	     gdt_prot32_is_flat_32bit, gdt_user64_has_user_segments_and_tss,
	     gdt_refuses_bad_placement)
