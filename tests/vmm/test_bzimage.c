/* test_bzimage.c: the bzImage loader (src/vmm/bzimage.c), the e820 map and bulwark's command line.
 * Synthetic images exercise each header field and each refusal; the host's Debian kernel
 * (/boot/vmlinuz-*, when installed) checks the parser against a real image. */
#include <asm/bootparam.h>
#include <errno.h>
#include <glob.h>
#include <stdlib.h>
#include <string.h>

#include "common/file.h"
#include "harness.h"
#include "vmm/guest_mem.h"
#include "vmm/linux_loader.h"
#include "vmm/x86_setup.h"

#define MiB (1ULL << 20)
#define GiB (1ULL << 30)
#define KLEN 8192 /* synthetic protected-mode kernel */

struct bz {
	uint8_t *img;
	size_t len;
};

static void put16(uint8_t *p, size_t off, uint16_t v)
{
	memcpy(p + off, &v, 2);
}

static void put32(uint8_t *p, size_t off, uint32_t v)
{
	memcpy(p + off, &v, 4);
}

static void put64(uint8_t *p, size_t off, uint64_t v)
{
	memcpy(p + off, &v, 8);
}

static uint64_t rd64(const struct guest_mem *m, uint64_t gpa)
{
	uint64_t v = 0;

	guest_mem_read(m, gpa, &v, 8);
	return v;
}

/* A well-formed image of boot protocol version with 4 setup sectors and KLEN bytes of kernel
 * (byte i of the kernel is i * 7 + 3). */
static struct bz make_bz(uint16_t version)
{
	struct bz b;
	size_t setup = 5 * 512;

	b.len = setup + KLEN;
	b.img = calloc(1, b.len);
	b.img[0x1f1] = 4;
	put32(b.img, 0x1f4, KLEN / 16);
	put16(b.img, 0x1fe, 0xaa55);
	b.img[0x200] = 0xeb;
	b.img[0x201] = 0x6a; /* header ends at 0x26c */
	memcpy(b.img + 0x202, "HdrS", 4);
	put16(b.img, 0x206, version);
	b.img[0x211] = LOADED_HIGH;
	put32(b.img, 0x214, 0x100000);
	put32(b.img, 0x22c, 0x7fffffff);
	put32(b.img, 0x230, 0x200000);
	b.img[0x234] = 1;
	put16(b.img, 0x236, version >= 0x20c ? 0x7f : 0);
	put32(b.img, 0x238, 2047);
	put64(b.img, 0x258, 16 * MiB);
	put32(b.img, 0x260, 32 * MiB);
	for (size_t i = 0; i < KLEN; i++)
		b.img[setup + i] = (uint8_t)(i * 7 + 3);
	return b;
}

static struct linux_load_args args_for(const struct bz *b, const char *cmdline)
{
	return (struct linux_load_args){.kernel_name = "test-bzImage",
					.image = b->img,
					.image_len = b->len,
					.cmdline = cmdline};
}

/* Translates va through the guest's 4-level page tables (2 MiB or 4 KiB leaves); ~0 if unmapped. */
static uint64_t walk(const struct guest_mem *m, uint64_t cr3, uint64_t va)
{
	uint64_t e = rd64(m, (cr3 & X86_PTE_ADDR_MASK) + ((va >> 39) & 511) * 8);

	if (!(e & X86_PTE_P))
		return ~0ULL;
	e = rd64(m, (e & X86_PTE_ADDR_MASK) + ((va >> 30) & 511) * 8);
	if (!(e & X86_PTE_P))
		return ~0ULL;
	if (e & X86_PTE_PS)
		return (e & X86_PTE_ADDR_MASK & ~(GiB - 1)) + (va & (GiB - 1));
	e = rd64(m, (e & X86_PTE_ADDR_MASK) + ((va >> 21) & 511) * 8);
	if (!(e & X86_PTE_P))
		return ~0ULL;
	if (e & X86_PTE_PS)
		return (e & X86_PTE_ADDR_MASK & ~(2 * MiB - 1)) + (va & (2 * MiB - 1));
	e = rd64(m, (e & X86_PTE_ADDR_MASK) + ((va >> 12) & 511) * 8);
	if (!(e & X86_PTE_P))
		return ~0ULL;
	return (e & X86_PTE_ADDR_MASK) + (va & 4095);
}

TEST(parse_good_header)
{
	struct bz b = make_bz(0x20f);
	struct bzimage_info bi;
	char err[256] = "";

	CHECK(bzimage_detect(b.img, b.len));
	CHECK_EQ(bzimage_parse(b.img, b.len, &bi, err, sizeof(err)), 0);
	CHECK_EQ(bi.version, 0x20f);
	CHECK_EQ(bi.setup_sects, 4);
	CHECK_EQ(bi.setup_len, 5 * 512);
	CHECK_EQ(bi.kernel_len, KLEN);
	CHECK_EQ(bi.hdr_end, 0x26c);
	CHECK(bi.relocatable);
	CHECK(bi.entry64);
	CHECK_EQ(bi.pref_address, 16 * MiB);
	CHECK_EQ(bi.init_size, 32 * MiB);
	CHECK_EQ(bi.cmdline_size, 2047);
	CHECK_EQ(bi.initrd_addr_max, 0x7fffffff);
	CHECK_EQ(bi.kernel_alignment, 0x200000);
	/* setup_sects 0 means 4 */
	b.img[0x1f1] = 0;
	CHECK_EQ(bzimage_parse(b.img, b.len, &bi, err, sizeof(err)), 0);
	CHECK_EQ(bi.setup_sects, 4);
	free(b.img);
}

TEST(refuses_old_protocol)
{
	struct bz b = make_bz(0x205);
	struct bzimage_info bi;
	char err[256] = "";

	CHECK_EQ(bzimage_parse(b.img, b.len, &bi, err, sizeof(err)), -ENOEXEC);
	CHECK_CONTAINS(err, "2.05 is too old");
	CHECK_CONTAINS(err, "2.06");
	free(b.img);
}

TEST(refuses_not_a_bzimage)
{
	struct bz b = make_bz(0x20f);
	struct bzimage_info bi;
	char err[256] = "";

	memcpy(b.img + 0x202, "HdrX", 4);
	CHECK(!bzimage_detect(b.img, b.len));
	CHECK_EQ(bzimage_parse(b.img, b.len, &bi, err, sizeof(err)), -ENOEXEC);
	CHECK_CONTAINS(err, "HdrS");
	memcpy(b.img + 0x202, "HdrS", 4);
	put16(b.img, 0x1fe, 0x1234);
	CHECK_EQ(bzimage_parse(b.img, b.len, &bi, err, sizeof(err)), -ENOEXEC);
	CHECK_CONTAINS(err, "boot_flag");
	/* shorter than the header */
	CHECK_EQ(bzimage_parse(b.img, 600, &bi, err, sizeof(err)), -ENOEXEC);
	free(b.img);
}

TEST(refuses_truncated)
{
	struct bz b = make_bz(0x20f);
	struct bzimage_info bi;
	char err[256] = "";

	/* cut inside the protected-mode kernel */
	CHECK_EQ(bzimage_parse(b.img, b.len - 100, &bi, err, sizeof(err)), -ENOEXEC);
	CHECK_CONTAINS(err, "truncated");
	CHECK_CONTAINS(err, "syssize");
	/* cut inside the setup sectors */
	CHECK_EQ(bzimage_parse(b.img, 5 * 512, &bi, err, sizeof(err)), -ENOEXEC);
	CHECK_CONTAINS(err, "setup_sects");
	/* the last paragraph may be partial */
	CHECK_EQ(bzimage_parse(b.img, b.len - 8, &bi, err, sizeof(err)), 0);
	CHECK_EQ(bi.kernel_len, KLEN - 8);
	free(b.img);
}

TEST(refuses_hostile_sizes)
{
	struct bzimage_info bi;
	char err[256] = "";
	struct bz b = make_bz(0x20f);

	b.img[0x1f1] = 255; /* setup beyond the file */
	CHECK_EQ(bzimage_parse(b.img, b.len, &bi, err, sizeof(err)), -ENOEXEC);
	b.img[0x1f1] = 4;
	put32(b.img, 0x1f4, 0xffffffff); /* 64 GiB of kernel */
	CHECK_EQ(bzimage_parse(b.img, b.len, &bi, err, sizeof(err)), -ENOEXEC);
	put32(b.img, 0x1f4, 0);
	CHECK_EQ(bzimage_parse(b.img, b.len, &bi, err, sizeof(err)), -ENOEXEC);
	CHECK_CONTAINS(err, "syssize");
	put32(b.img, 0x1f4, KLEN / 16);
	put32(b.img, 0x260, 100); /* init_size smaller than the kernel */
	CHECK_EQ(bzimage_parse(b.img, b.len, &bi, err, sizeof(err)), -ENOEXEC);
	CHECK_CONTAINS(err, "init_size");
	put32(b.img, 0x260, 32 * MiB);
	put32(b.img, 0x230, 0x300000); /* alignment not a power of two */
	CHECK_EQ(bzimage_parse(b.img, b.len, &bi, err, sizeof(err)), -ENOEXEC);
	CHECK_CONTAINS(err, "kernel_alignment");
	put32(b.img, 0x230, 0);
	CHECK_EQ(bzimage_parse(b.img, b.len, &bi, err, sizeof(err)), -ENOEXEC);
	put32(b.img, 0x230, 0x200000);
	b.img[0x201] = 0x10; /* header too short for its protocol */
	CHECK_EQ(bzimage_parse(b.img, b.len, &bi, err, sizeof(err)), -ENOEXEC);
	b.img[0x201] = 0x6a;
	b.img[0x211] = 0; /* zImage */
	CHECK_EQ(bzimage_parse(b.img, b.len, &bi, err, sizeof(err)), -ENOEXEC);
	CHECK_CONTAINS(err, "LOADED_HIGH");
	b.img[0x211] = LOADED_HIGH;
	CHECK_EQ(bzimage_parse(b.img, b.len, &bi, err, sizeof(err)), 0);
	free(b.img);
}

TEST(load_256m_zero_page_and_e820)
{
	struct bz b = make_bz(0x20f);
	struct linux_load_args a = args_for(&b, "console=ttyS0 reboot=k");
	static uint8_t initrd[10000];
	struct x86_boot_state st;
	struct guest_mem m;
	struct boot_params bp;
	char err[256] = "", cmd[64] = "";
	uint8_t kbuf[KLEN];
	uint64_t gdt[4];

	for (size_t i = 0; i < sizeof(initrd); i++)
		initrd[i] = (uint8_t)(i ^ 0x5a);
	a.initrd = initrd;
	a.initrd_len = sizeof(initrd);
	a.initrd_name = "test-initrd";
	CHECK_EQ(guest_mem_init(&m, 256 * MiB), 0);
	CHECK_EQ(bzimage_load(&m, &a, &st, err, sizeof(err)), 0);
	if (err[0])
		printf("# %s\n", err);

	/* kernel at pref_address */
	CHECK_EQ(guest_mem_read(&m, 16 * MiB, kbuf, KLEN), 0);
	CHECK(!memcmp(kbuf, b.img + 5 * 512, KLEN));

	/* zero page */
	CHECK_EQ(guest_mem_read(&m, LINUX_ZERO_PAGE_GPA, &bp, sizeof(bp)), 0);
	CHECK(!memcmp(&bp.hdr, b.img + 0x1f1, 0x10)); /* header copied */
	CHECK_EQ(bp.hdr.header, 0x53726448);
	CHECK_EQ(bp.hdr.version, 0x20f);
	CHECK_EQ(bp.hdr.type_of_loader, 0xff);
	CHECK(bp.hdr.loadflags & CAN_USE_HEAP);
	CHECK(bp.hdr.loadflags & LOADED_HIGH);
	CHECK_EQ(bp.hdr.heap_end_ptr, 0xfe00);
	CHECK_EQ(bp.hdr.code32_start, 16 * MiB);
	CHECK_EQ(bp.hdr.cmd_line_ptr, LINUX_CMDLINE_GPA);
	CHECK_EQ(bp.ext_cmd_line_ptr, 0);
	CHECK_EQ(guest_mem_read(&m, bp.hdr.cmd_line_ptr, cmd, sizeof("console=ttyS0 reboot=k")), 0);
	CHECK_STR(cmd, "console=ttyS0 reboot=k");
	CHECK_EQ(bp.sentinel, 0);

	/* initrd: high, page aligned, below initrd_addr_max and RAM end, above the kernel */
	CHECK_EQ(bp.hdr.ramdisk_size, sizeof(initrd));
	CHECK_EQ(bp.hdr.ramdisk_image % 4096, 0);
	CHECK(bp.hdr.ramdisk_image + sizeof(initrd) <= 256 * MiB);
	CHECK(bp.hdr.ramdisk_image + sizeof(initrd) > 256 * MiB - 8192);
	CHECK(bp.hdr.ramdisk_image >= 16 * MiB + 32 * MiB);
	CHECK(!memcmp(guest_mem_ptr(&m, bp.hdr.ramdisk_image, sizeof(initrd)), initrd,
		      sizeof(initrd)));

	/* e820: low RAM, EBDA/BIOS reserved, RAM from 1 MiB */
	CHECK_EQ(bp.e820_entries, 3);
	CHECK_EQ(bp.e820_table[0].addr, 0);
	CHECK_EQ(bp.e820_table[0].size, 0x9fc00);
	CHECK_EQ(bp.e820_table[0].type, LINUX_E820_RAM);
	CHECK_EQ(bp.e820_table[1].addr, 0x9fc00);
	CHECK_EQ(bp.e820_table[1].size, 0x100000 - 0x9fc00);
	CHECK_EQ(bp.e820_table[1].type, LINUX_E820_RESERVED);
	CHECK_EQ(bp.e820_table[2].addr, 1 * MiB);
	CHECK_EQ(bp.e820_table[2].size, 255 * MiB);
	CHECK_EQ(bp.e820_table[2].type, LINUX_E820_RAM);

	/* entry: 64-bit, identity map, boot GDT */
	CHECK_EQ(st.mode, X86_BOOT_LONG64);
	CHECK_EQ(st.rip, 16 * MiB + 0x200);
	CHECK_EQ(st.rsi, LINUX_ZERO_PAGE_GPA);
	CHECK_EQ(st.cr3, LINUX_PGTABLE_GPA);
	CHECK_EQ(st.cs_sel, 0x10);
	CHECK_EQ(st.ds_sel, 0x18);
	CHECK_EQ(st.gdt_base, LINUX_GDT_GPA);
	CHECK_EQ(walk(&m, st.cr3, st.rip), st.rip);
	CHECK_EQ(walk(&m, st.cr3, LINUX_ZERO_PAGE_GPA), LINUX_ZERO_PAGE_GPA);
	CHECK_EQ(walk(&m, st.cr3, LINUX_CMDLINE_GPA), LINUX_CMDLINE_GPA);
	CHECK_EQ(walk(&m, st.cr3, 4 * GiB - 4096), 4 * GiB - 4096);
	CHECK_EQ(guest_mem_read(&m, LINUX_GDT_GPA, gdt, sizeof(gdt)), 0);
	CHECK(gdt[2] & (1ULL << 53)); /* __BOOT_CS is a 64-bit code segment (L) */
	CHECK(gdt[2] & (1ULL << 47)); /* present */
	CHECK(gdt[3] & (1ULL << 47));
	guest_mem_destroy(&m);
	free(b.img);
}

TEST(load_4g_e820_has_pci_hole)
{
	struct bz b = make_bz(0x20f);
	struct linux_load_args a = args_for(&b, "x");
	static uint8_t initrd[4096 * 3];
	struct x86_boot_state st;
	struct guest_mem m;
	struct boot_params bp;
	char err[256] = "";

	a.initrd = initrd;
	a.initrd_len = sizeof(initrd);
	a.initrd_name = "test-initrd";
	CHECK_EQ(guest_mem_init(&m, 4 * GiB + 512 * MiB), 0);
	CHECK_EQ(bzimage_load(&m, &a, &st, err, sizeof(err)), 0);
	CHECK_EQ(guest_mem_read(&m, LINUX_ZERO_PAGE_GPA, &bp, sizeof(bp)), 0);
	CHECK_EQ(bp.e820_entries, 4);
	CHECK_EQ(bp.e820_table[2].addr, 1 * MiB);
	CHECK_EQ(bp.e820_table[2].addr + bp.e820_table[2].size, GUEST_MEM_PCI_HOLE_START);
	CHECK_EQ(bp.e820_table[3].addr, 4 * GiB);
	CHECK_EQ(bp.e820_table[3].size, 4 * GiB + 512 * MiB - GUEST_MEM_PCI_HOLE_START);
	CHECK_EQ(bp.e820_table[3].type, LINUX_E820_RAM);
	for (unsigned i = 0; i < bp.e820_entries; i++) /* nothing claims the PCI hole */
		CHECK(bp.e820_table[i].addr + bp.e820_table[i].size <= GUEST_MEM_PCI_HOLE_START ||
		      bp.e820_table[i].addr >= 4 * GiB);
	/* initrd below initrd_addr_max (2 GiB), not at the top of low RAM (3 GiB) */
	CHECK_EQ(bp.hdr.ramdisk_image, 2 * GiB - sizeof(initrd));
	CHECK_EQ(bp.ext_ramdisk_image, 0);
	guest_mem_destroy(&m);
	free(b.img);
}

TEST(refuses_small_memory)
{
	struct bz b = make_bz(0x20f);
	struct linux_load_args a = args_for(&b, "x");
	struct x86_boot_state st;
	struct guest_mem m;
	char err[256] = "";

	put32(b.img, 0x260, 64 * MiB); /* init_size */
	CHECK_EQ(guest_mem_init(&m, 64 * MiB), 0);
	CHECK_EQ(bzimage_load(&m, &a, &st, err, sizeof(err)), -ENOMEM);
	CHECK_CONTAINS(err, "64 MiB is too small");
	CHECK_CONTAINS(err, "needs 80 MiB");
	CHECK_CONTAINS(err, "init_size 64 MiB");
	guest_mem_destroy(&m);
	/* enough for the kernel but not for the initrd on top */
	CHECK_EQ(guest_mem_init(&m, 81 * MiB), 0);
	a.initrd = calloc(1, 2 * MiB);
	a.initrd_len = 2 * MiB;
	a.initrd_name = "big-initrd";
	CHECK_EQ(bzimage_load(&m, &a, &st, err, sizeof(err)), -ENOMEM);
	CHECK_CONTAINS(err, "big-initrd");
	a.initrd_len = 512 * 1024;
	CHECK_EQ(bzimage_load(&m, &a, &st, err, sizeof(err)), 0);
	free((void *)a.initrd);
	guest_mem_destroy(&m);
	free(b.img);
}

TEST(refuses_long_cmdline)
{
	struct bz b = make_bz(0x20f);
	char line[300];
	struct linux_load_args a = args_for(&b, line);
	struct x86_boot_state st;
	struct guest_mem m;
	char err[256] = "";

	memset(line, 'a', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\0';
	put32(b.img, 0x238, 255);
	CHECK_EQ(guest_mem_init(&m, 128 * MiB), 0);
	CHECK_EQ(bzimage_load(&m, &a, &st, err, sizeof(err)), -EINVAL);
	CHECK_CONTAINS(err, "too long: 299 bytes");
	CHECK_CONTAINS(err, "accepts 255");
	line[255] = '\0';
	CHECK_EQ(bzimage_load(&m, &a, &st, err, sizeof(err)), 0);
	guest_mem_destroy(&m);
	free(b.img);
}

TEST(old_kernel_uses_32bit_entry)
{
	struct bz b = make_bz(0x20a); /* 2.10: pref_address, no xloadflags */
	struct linux_load_args a = args_for(&b, "x");
	struct x86_boot_state st;
	struct guest_mem m;
	char err[256] = "";

	CHECK_EQ(guest_mem_init(&m, 128 * MiB), 0);
	CHECK_EQ(bzimage_load(&m, &a, &st, err, sizeof(err)), 0);
	CHECK_EQ(st.mode, X86_BOOT_PROT32);
	CHECK_EQ(st.rip, 16 * MiB);
	CHECK_EQ(st.rsi, LINUX_ZERO_PAGE_GPA);
	CHECK_EQ(st.cs_sel, 0x10);
	CHECK_EQ(st.ds_sel, 0x18);
	/* 2.06 with no relocation: loads at 1 MiB, init_size estimated from the kernel */
	free(b.img);
	b = make_bz(0x206);
	b.img[0x234] = 0;
	a = args_for(&b, "x");
	CHECK_EQ(bzimage_load(&m, &a, &st, err, sizeof(err)), 0);
	CHECK_EQ(st.mode, X86_BOOT_PROT32);
	CHECK_EQ(st.rip, 1 * MiB);
	CHECK(!memcmp(guest_mem_ptr(&m, 1 * MiB, KLEN), b.img + 5 * 512, KLEN));
	guest_mem_destroy(&m);
	free(b.img);
}

TEST(misaligned_pref_address_is_realigned)
{
	struct bz b = make_bz(0x20f);
	struct linux_load_args a = args_for(&b, "x");
	struct x86_boot_state st;
	struct guest_mem m;
	char err[256] = "";

	put64(b.img, 0x258, 0x123456789abcdefULL); /* hostile */
	CHECK_EQ(guest_mem_init(&m, 128 * MiB), 0);
	CHECK_EQ(bzimage_load(&m, &a, &st, err, sizeof(err)), 0);
	CHECK_EQ(st.rip, 2 * MiB + 0x200); /* 1 MiB aligned up to kernel_alignment */
	put64(b.img, 0x258, 3 * MiB);	   /* not aligned to 2 MiB */
	CHECK_EQ(bzimage_load(&m, &a, &st, err, sizeof(err)), 0);
	CHECK_EQ(st.rip, 2 * MiB + 0x200);
	guest_mem_destroy(&m);
	free(b.img);
}

TEST(cmdline_additions)
{
	char *c;

	c = linux_build_cmdline("console=ttyS0 reboot=k");
	CHECK_STR(c, "console=ttyS0 reboot=k acpi=off pci=conf1 i8042.noaux i8042.nomux "
		     "i8042.nopnp i8042.dumbkbd");
	free(c);
	c = linux_build_cmdline(NULL);
	CHECK(c && !strncmp(c, LINUX_DEFAULT_CMDLINE, strlen(LINUX_DEFAULT_CMDLINE)));
	CHECK_CONTAINS(c, "console=ttyS0");
	CHECK_CONTAINS(c, " acpi=off pci=conf1");
	free(c);
	/* the user's acpi= wins; pci= options are added beside the user's */
	c = linux_build_cmdline("acpi=force pci=nomsi i8042.noaux");
	CHECK_STR(c, "acpi=force pci=nomsi i8042.noaux pci=conf1 i8042.nomux i8042.nopnp "
		     "i8042.dumbkbd");
	free(c);
	c = linux_build_cmdline("pci=conf1 acpi=off");
	CHECK_STR(c, "pci=conf1 acpi=off i8042.noaux i8042.nomux i8042.nopnp i8042.dumbkbd");
	free(c);
	/* "--" starts init's arguments: ours go before it */
	c = linux_build_cmdline("console=ttyS0  -- single x--y");
	CHECK_STR(c, "console=ttyS0 acpi=off pci=conf1 i8042.noaux i8042.nomux i8042.nopnp "
		     "i8042.dumbkbd -- single x--y");
	free(c);
	c = linux_build_cmdline("");
	CHECK_STR(c, "acpi=off pci=conf1 i8042.noaux i8042.nomux i8042.nopnp i8042.dumbkbd");
	free(c);
}

TEST(e820_small_and_split)
{
	struct linux_e820 t[LINUX_E820_MAX];
	struct guest_mem m;
	static uint8_t small[1 << 20];

	guest_mem_init_buffer(&m, small, sizeof(small));
	CHECK_EQ(linux_e820_build(&m, t, LINUX_E820_MAX), -ENOMEM);
	CHECK_EQ(guest_mem_init(&m, 3 * GiB), 0); /* exactly the low region, no high RAM */
	CHECK_EQ(linux_e820_build(&m, t, LINUX_E820_MAX), 3);
	CHECK_EQ(t[2].addr + t[2].size, 3 * GiB);
	CHECK_EQ(linux_e820_build(&m, t, 2), -ENOSPC);
	guest_mem_destroy(&m);
}

/* The host's Debian kernel, when installed (scripts/install-deps.sh installs linux-image-amd64). */
TEST(real_debian_kernel)
{
	struct bzimage_info bi;
	struct x86_boot_state st;
	struct linux_load_args a;
	struct guest_mem m;
	struct boot_params *bp;
	char err[256] = "";
	glob_t g;
	uint8_t *img;
	size_t len;

	if (glob("/boot/vmlinuz-*-amd64", 0, NULL, &g) || g.gl_pathc == 0) {
		SKIP("no /boot/vmlinuz-*-amd64 (linux-image-amd64 not installed)");
		return;
	}
	CHECK_EQ(bw_read_file(g.gl_pathv[0], 256 << 20, &img, &len), 0);
	CHECK(bzimage_detect(img, len));
	CHECK_EQ(bzimage_parse(img, len, &bi, err, sizeof(err)), 0);
	CHECK(bi.version >= 0x20c);
	CHECK(bi.entry64);
	CHECK(bi.relocatable);
	CHECK(bi.init_size > bi.kernel_len);
	CHECK(bi.setup_len + bi.kernel_len <= len);
	CHECK(bi.cmdline_size >= 255);
	a = (struct linux_load_args){.kernel_name = g.gl_pathv[0],
				     .image = img,
				     .image_len = len,
				     .cmdline = "console=ttyS0"};
	CHECK_EQ(guest_mem_init(&m, 256 * MiB), 0);
	CHECK_EQ(bzimage_load(&m, &a, &st, err, sizeof(err)), 0);
	CHECK_EQ(st.rip, bi.pref_address + 0x200);
	CHECK(!memcmp(guest_mem_ptr(&m, bi.pref_address, bi.kernel_len), img + bi.setup_len,
		      bi.kernel_len));
	bp = guest_mem_ptr(&m, LINUX_ZERO_PAGE_GPA, sizeof(*bp));
	CHECK_EQ(bp->hdr.init_size, bi.init_size);
	CHECK_EQ(bp->hdr.kernel_alignment, bi.kernel_alignment);
	guest_mem_destroy(&m);
	/* 64 MiB is less than this kernel's init_size */
	CHECK_EQ(guest_mem_init(&m, 64 * MiB), 0);
	CHECK_EQ(bzimage_load(&m, &a, &st, err, sizeof(err)), -ENOMEM);
	CHECK_CONTAINS(err, "init_size");
	guest_mem_destroy(&m);
	free(img);
	globfree(&g);
}

HARNESS_MAIN(parse_good_header, refuses_old_protocol, refuses_not_a_bzimage, refuses_truncated,
	     refuses_hostile_sizes, load_256m_zero_page_and_e820, load_4g_e820_has_pci_hole,
	     refuses_small_memory, refuses_long_cmdline, old_kernel_uses_32bit_entry,
	     misaligned_pref_address_is_realigned, cmdline_additions, e820_small_and_split,
	     real_debian_kernel)
