/* test_pvh.c: the PVH loader (src/vmm/pvh.c): the note search, segment loading and the
 * hvm_start_info, on synthetic ELF files and (when the host has one) on the vmlinux inside the
 * Debian kernel's bzImage, extracted with xz as TESTBED.md describes. */
#include <elf.h>
#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/file.h"
#include "harness.h"
#include "vmm/guest_mem.h"
#include "vmm/linux_loader.h"
#include "vmm/x86_setup.h"

#define MiB (1ULL << 20)
#define ELF_LEN 0x4000
#define SEG0_PADDR 0x1000000ULL
#define SEG1_PADDR 0x1200000ULL
#define ENTRY (SEG0_PADDR + 0x10)

struct elf_img {
	uint8_t b[ELF_LEN];
	Elf64_Ehdr *eh;
	Elf64_Phdr *ph;
};

static size_t add_note(uint8_t *p, const char *name, uint32_t type, const void *desc,
		       uint32_t descsz)
{
	Elf64_Nhdr nh = {
	    .n_namesz = (uint32_t)strlen(name) + 1, .n_descsz = descsz, .n_type = type};
	size_t off = sizeof(nh);

	memcpy(p, &nh, sizeof(nh));
	memcpy(p + off, name, nh.n_namesz);
	off += (nh.n_namesz + 3) & ~3u;
	memcpy(p + off, desc, descsz);
	return off + ((descsz + 3) & ~3u);
}

/* ELF64 with PT_NOTE (a GNU note, then the PVH note with an 8-byte entry) and two PT_LOADs: the
 * first has 0x2000 bytes of file and 0x3000 of memory (bss), the second 0x1000. */
static void make_elf(struct elf_img *e, int pvh_descsz)
{
	uint64_t entry = ENTRY;
	uint32_t gnu = 0x12345678;
	size_t notes = 0;

	memset(e->b, 0, sizeof(e->b));
	e->eh = (Elf64_Ehdr *)e->b;
	e->ph = (Elf64_Phdr *)(e->b + sizeof(Elf64_Ehdr));
	memcpy(e->eh->e_ident, ELFMAG, SELFMAG);
	e->eh->e_ident[EI_CLASS] = ELFCLASS64;
	e->eh->e_ident[EI_DATA] = ELFDATA2LSB;
	e->eh->e_ident[EI_VERSION] = EV_CURRENT;
	e->eh->e_type = ET_EXEC;
	e->eh->e_machine = EM_X86_64;
	e->eh->e_version = EV_CURRENT;
	e->eh->e_entry = SEG0_PADDR;
	e->eh->e_phoff = sizeof(Elf64_Ehdr);
	e->eh->e_ehsize = sizeof(Elf64_Ehdr);
	e->eh->e_phentsize = sizeof(Elf64_Phdr);
	e->eh->e_phnum = 3;
	notes += add_note(e->b + 0x200, "GNU", 3, &gnu, 4);
	if (pvh_descsz)
		notes += add_note(e->b + 0x200 + notes, "Xen", XEN_ELFNOTE_PHYS32_ENTRY, &entry,
				  (uint32_t)pvh_descsz);
	e->ph[0] = (Elf64_Phdr){.p_type = PT_NOTE,
				.p_offset = 0x200,
				.p_filesz = notes,
				.p_memsz = notes,
				.p_align = 4};
	e->ph[1] = (Elf64_Phdr){.p_type = PT_LOAD,
				.p_offset = 0x1000,
				.p_paddr = SEG0_PADDR,
				.p_vaddr = 0xffffffff81000000ULL,
				.p_filesz = 0x2000,
				.p_memsz = 0x3000,
				.p_flags = PF_R | PF_X};
	e->ph[2] = (Elf64_Phdr){.p_type = PT_LOAD,
				.p_offset = 0x3000,
				.p_paddr = SEG1_PADDR,
				.p_filesz = 0x1000,
				.p_memsz = 0x1000,
				.p_flags = PF_R | PF_W};
	for (size_t i = 0x1000; i < ELF_LEN; i++)
		e->b[i] = (uint8_t)(i * 13 + 1);
}

static struct linux_load_args elf_args(struct elf_img *e, size_t len)
{
	return (struct linux_load_args){.kernel_name = "test-vmlinux",
					.image = e->b,
					.image_len = len,
					.cmdline = "console=ttyS0"};
}

TEST(finds_pvh_note)
{
	static struct elf_img e;
	uint32_t entry = 0;
	char err[256] = "";

	make_elf(&e, 8);
	CHECK(pvh_detect_elf(e.b, sizeof(e.b)));
	CHECK_EQ(pvh_find_entry(e.b, sizeof(e.b), &entry, err, sizeof(err)), 0);
	CHECK_EQ(entry, ENTRY);
	make_elf(&e, 4); /* 32-bit ELFNOTE value */
	entry = 0;
	CHECK_EQ(pvh_find_entry(e.b, sizeof(e.b), &entry, err, sizeof(err)), 0);
	CHECK_EQ(entry, ENTRY);
	make_elf(&e, 0);
	CHECK_EQ(pvh_find_entry(e.b, sizeof(e.b), &entry, err, sizeof(err)), -ENOEXEC);
	CHECK_CONTAINS(err, "no PVH entry note");
	make_elf(&e, 2);
	CHECK_EQ(pvh_find_entry(e.b, sizeof(e.b), &entry, err, sizeof(err)), -ENOEXEC);
	CHECK_CONTAINS(err, "2-byte value");
}

TEST(loads_segments_and_start_info)
{
	static struct elf_img e;
	static uint8_t initrd[5000];
	struct linux_load_args a;
	struct x86_boot_state st;
	struct hvm_start_info si;
	struct hvm_modlist_entry mod;
	struct hvm_memmap_table_entry mm[4];
	struct guest_mem m;
	char err[256] = "", cmd[32] = "";
	uint8_t *p;
	uint64_t gdt[3];

	make_elf(&e, 8);
	a = elf_args(&e, sizeof(e.b));
	memset(initrd, 0x77, sizeof(initrd));
	a.initrd = initrd;
	a.initrd_len = sizeof(initrd);
	a.initrd_name = "test-initrd";
	CHECK_EQ(guest_mem_init(&m, 256 * MiB), 0);
	memset(guest_mem_ptr(&m, SEG0_PADDR, 0x3000), 0xaa, 0x3000); /* bss must be cleared */
	CHECK_EQ(pvh_load(&m, &a, &st, err, sizeof(err)), 0);
	if (err[0])
		printf("# %s\n", err);
	p = guest_mem_ptr(&m, SEG0_PADDR, 0x3000);
	CHECK(!memcmp(p, e.b + 0x1000, 0x2000));
	CHECK_EQ(p[0x2000], 0);
	CHECK_EQ(p[0x2fff], 0);
	CHECK(!memcmp(guest_mem_ptr(&m, SEG1_PADDR, 0x1000), e.b + 0x3000, 0x1000));

	CHECK_EQ(st.mode, X86_BOOT_PROT32);
	CHECK_EQ(st.rip, ENTRY);
	CHECK_EQ(st.rbx, LINUX_START_INFO_GPA);
	CHECK_EQ(st.cr3, 0);
	CHECK_EQ(st.cs_sel, 0x10);
	CHECK_EQ(st.ds_sel, 0x18);
	CHECK_EQ(guest_mem_read(&m, st.gdt_base, gdt, sizeof(gdt)), 0);
	CHECK(gdt[2] & (1ULL << 54));	 /* 32-bit code segment (D) */
	CHECK(!(gdt[2] & (1ULL << 53))); /* not 64-bit */

	CHECK_EQ(guest_mem_read(&m, st.rbx, &si, sizeof(si)), 0);
	CHECK_EQ(si.magic, 0x336ec578);
	CHECK_EQ(si.version, 1);
	CHECK_EQ(si.rsdp_paddr, 0);
	CHECK_EQ(guest_mem_read(&m, si.cmdline_paddr, cmd, sizeof("console=ttyS0")), 0);
	CHECK_STR(cmd, "console=ttyS0");
	CHECK_EQ(si.nr_modules, 1);
	CHECK_EQ(guest_mem_read(&m, si.modlist_paddr, &mod, sizeof(mod)), 0);
	CHECK_EQ(mod.size, sizeof(initrd));
	CHECK_EQ(mod.paddr % 4096, 0);
	CHECK(mod.paddr >= SEG1_PADDR + 0x1000);
	CHECK(mod.paddr + mod.size <= 256 * MiB);
	CHECK(!memcmp(guest_mem_ptr(&m, mod.paddr, sizeof(initrd)), initrd, sizeof(initrd)));
	CHECK_EQ(si.memmap_entries, 3);
	CHECK_EQ(guest_mem_read(&m, si.memmap_paddr, mm, 3 * sizeof(mm[0])), 0);
	CHECK_EQ(mm[0].addr, 0);
	CHECK_EQ(mm[0].size, 0x9fc00);
	CHECK_EQ(mm[0].type, 1);
	CHECK_EQ(mm[1].type, 2);
	CHECK_EQ(mm[1].addr + mm[1].size, 1 * MiB);
	CHECK_EQ(mm[2].addr, 1 * MiB);
	CHECK_EQ(mm[2].size, 255 * MiB);
	CHECK_EQ(mm[2].type, 1);
	guest_mem_destroy(&m);
}

TEST(refuses_hostile_elf)
{
	static struct elf_img e;
	struct linux_load_args a;
	struct x86_boot_state st;
	struct guest_mem m;
	uint32_t entry;
	char err[256] = "";

	CHECK_EQ(guest_mem_init(&m, 64 * MiB), 0);
	make_elf(&e, 8);
	e.eh->e_phnum = 60000;
	CHECK_EQ(pvh_find_entry(e.b, sizeof(e.b), &entry, err, sizeof(err)), -ENOEXEC);
	CHECK_CONTAINS(err, "program headers");
	make_elf(&e, 8);
	e.eh->e_phoff = ELF_LEN - 10;
	CHECK_EQ(pvh_find_entry(e.b, sizeof(e.b), &entry, err, sizeof(err)), -ENOEXEC);
	make_elf(&e, 8);
	e.eh->e_machine = EM_386;
	CHECK_EQ(pvh_find_entry(e.b, sizeof(e.b), &entry, err, sizeof(err)), -ENOEXEC);
	CHECK_CONTAINS(err, "x86-64");
	make_elf(&e, 8);
	e.ph[0].p_filesz = ~0ULL - 0x100; /* note segment beyond the file */
	CHECK_EQ(pvh_find_entry(e.b, sizeof(e.b), &entry, err, sizeof(err)), -ENOEXEC);
	make_elf(&e, 8);
	((Elf64_Nhdr *)(e.b + 0x200))->n_descsz = 0xfffffff0u; /* note runs past its segment */
	CHECK_EQ(pvh_find_entry(e.b, sizeof(e.b), &entry, err, sizeof(err)), -ENOEXEC);
	CHECK_CONTAINS(err, "runs past");
	make_elf(&e, 8);
	((Elf64_Nhdr *)(e.b + 0x200))->n_namesz = 0xffffffffu;
	CHECK_EQ(pvh_find_entry(e.b, sizeof(e.b), &entry, err, sizeof(err)), -ENOEXEC);

	/* segments */
	make_elf(&e, 8);
	e.ph[1].p_offset = ELF_LEN - 0x100; /* file part beyond the file */
	a = elf_args(&e, sizeof(e.b));
	CHECK_EQ(pvh_load(&m, &a, &st, err, sizeof(err)), -ENOEXEC);
	CHECK_CONTAINS(err, "outside the");
	make_elf(&e, 8);
	e.ph[1].p_filesz = 0x4000; /* filesz > memsz */
	CHECK_EQ(pvh_load(&m, &a, &st, err, sizeof(err)), -ENOEXEC);
	make_elf(&e, 8);
	e.ph[2].p_paddr = 0x1000; /* over the loader's low memory */
	CHECK_EQ(pvh_load(&m, &a, &st, err, sizeof(err)), -ENOEXEC);
	CHECK_CONTAINS(err, "1 MiB or above");
	make_elf(&e, 8);
	e.ph[2].p_paddr = ~0ULL - 0x10; /* wraps */
	CHECK_EQ(pvh_load(&m, &a, &st, err, sizeof(err)), -ENOEXEC);
	make_elf(&e, 8);
	e.ph[2].p_paddr = 100 * MiB; /* beyond the 64 MiB of RAM */
	CHECK_EQ(pvh_load(&m, &a, &st, err, sizeof(err)), -ENOMEM);
	CHECK_CONTAINS(err, "64 MiB is too small");
	make_elf(&e, 8);
	memcpy(e.b + 0x200 + 20 + 16, &(uint64_t){0x5000000}, 8); /* entry outside all segments */
	CHECK_EQ(pvh_find_entry(e.b, sizeof(e.b), &entry, err, sizeof(err)), 0);
	CHECK_EQ(entry, 0x5000000);
	CHECK_EQ(pvh_load(&m, &a, &st, err, sizeof(err)), -ENOEXEC);
	CHECK_CONTAINS(err, "not inside any loaded segment");
	/* not ELF at all */
	CHECK(!pvh_detect_elf((const uint8_t *)"MZ\x90\x00", 4));
	CHECK_EQ(pvh_find_entry((const uint8_t *)"\x7f"
						 "ELF",
				4, &entry, err, sizeof(err)),
		 -ENOEXEC);
	guest_mem_destroy(&m);
}

TEST(long_cmdline_refused)
{
	static struct elf_img e;
	static char line[3000];
	struct linux_load_args a;
	struct x86_boot_state st;
	struct guest_mem m;
	char err[256] = "";

	make_elf(&e, 8);
	a = elf_args(&e, sizeof(e.b));
	memset(line, 'x', sizeof(line) - 1);
	a.cmdline = line;
	CHECK_EQ(guest_mem_init(&m, 64 * MiB), 0);
	CHECK_EQ(pvh_load(&m, &a, &st, err, sizeof(err)), -EINVAL);
	CHECK_CONTAINS(err, "too long: 2999 bytes");
	guest_mem_destroy(&m);
}

/* The vmlinux inside the host's Debian bzImage (the XZ stream after the magic FD 37 7A 58 5A 00).
 */
TEST(real_debian_vmlinux)
{
	static const uint8_t xz_magic[6] = {0xfd, '7', 'z', 'X', 'Z', 0};
	char tmpl[] = "/tmp/bulwark-test-vmlinux-XXXXXX", cmd[512], err[256] = "";
	struct linux_load_args a;
	struct x86_boot_state st;
	struct guest_mem m;
	uint8_t *bz, *elf, *at;
	size_t bz_len, elf_len;
	uint32_t entry = 0;
	Elf64_Ehdr eh;
	glob_t g;
	int fd;

	if (glob("/boot/vmlinuz-*-amd64", 0, NULL, &g) || g.gl_pathc == 0) {
		SKIP("no /boot/vmlinuz-*-amd64 (linux-image-amd64 not installed)");
		return;
	}
	if (system("command -v xz >/dev/null 2>&1")) {
		SKIP("xz is not installed (xz-utils)");
		globfree(&g);
		return;
	}
	CHECK_EQ(bw_read_file(g.gl_pathv[0], 256 << 20, &bz, &bz_len), 0);
	at = memmem(bz, bz_len, xz_magic, sizeof(xz_magic));
	CHECK(at != NULL);
	fd = mkstemp(tmpl);
	CHECK(fd >= 0);
	close(fd);
	snprintf(cmd, sizeof(cmd), "tail -c +%zu '%s' | xz -dc --single-stream > '%s'",
		 (size_t)(at - bz) + 1, g.gl_pathv[0], tmpl);
	CHECK_EQ(system(cmd), 0);
	CHECK_EQ(bw_read_file(tmpl, 512 << 20, &elf, &elf_len), 0);
	unlink(tmpl);
	CHECK(pvh_detect_elf(elf, elf_len));
	CHECK_EQ(pvh_find_entry(elf, elf_len, &entry, err, sizeof(err)), 0);
	memcpy(&eh, elf, sizeof(eh));
	/* the PVH entry is a physical address near the kernel's start, not its virtual entry */
	CHECK(entry >= 16 * MiB && entry < 64 * MiB);
	a = (struct linux_load_args){.kernel_name = "vmlinux",
				     .image = elf,
				     .image_len = elf_len,
				     .cmdline = "console=ttyS0"};
	CHECK_EQ(guest_mem_init(&m, 256 * MiB), 0);
	CHECK_EQ(pvh_load(&m, &a, &st, err, sizeof(err)), 0);
	if (err[0])
		printf("# %s\n", err);
	CHECK_EQ(st.rip, entry);
	CHECK_EQ(st.mode, X86_BOOT_PROT32);
	/* the bytes at the entry are the file's bytes of the segment that holds it */
	for (unsigned i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph;

		memcpy(&ph, elf + eh.e_phoff + i * sizeof(ph), sizeof(ph));
		if (ph.p_type == PT_LOAD && entry >= ph.p_paddr && entry < ph.p_paddr + ph.p_filesz)
			CHECK(!memcmp(guest_mem_ptr(&m, entry, 16),
				      elf + ph.p_offset + (entry - ph.p_paddr), 16));
	}
	guest_mem_destroy(&m);
	CHECK_EQ(guest_mem_init(&m, 32 * MiB), 0); /* smaller than the kernel's segments */
	CHECK_EQ(pvh_load(&m, &a, &st, err, sizeof(err)), -ENOMEM);
	guest_mem_destroy(&m);
	free(elf);
	free(bz);
	globfree(&g);
}

HARNESS_MAIN(finds_pvh_note, loads_segments_and_start_info, refuses_hostile_elf,
	     long_cmdline_refused, real_debian_vmlinux)
