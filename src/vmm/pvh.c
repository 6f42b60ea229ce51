/* pvh.c: the PVH entry for vmlinux ELF kernels (x86/HVM direct boot, as Xen, QEMU and Firecracker
 * use it). A kernel built with CONFIG_PVH carries an ELF note XEN_ELFNOTE_PHYS32_ENTRY with the
 * physical address of a 32-bit entry point. bulwark loads the PT_LOAD segments at their physical
 * addresses, writes struct hvm_start_info (version 1: command line, the initrd as module 0, the
 * memory map), and enters in 32-bit protected mode with paging off, flat segments and rbx = the
 * start info. This skips the bzImage's decompressor. The ELF is untrusted: the headers, the note
 * walk and every segment are bounds-checked against the file and against guest RAM. */
#include <elf.h>
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "vmm/linux_loader.h"
#include "vmm/x86_setup.h"

#define PVH_MAX_PHDRS 64

bool pvh_detect_elf(const uint8_t *img, size_t len)
{
	return len >= SELFMAG && !memcmp(img, ELFMAG, SELFMAG);
}

static int pvh_read_ehdr(const uint8_t *img, size_t len, Elf64_Ehdr *eh, char *err, size_t errlen)
{
	if (len < sizeof(*eh) || memcmp(img, ELFMAG, SELFMAG)) {
		linux_err(err, errlen, "not an ELF file");
		return -ENOEXEC;
	}
	memcpy(eh, img, sizeof(*eh));
	if (eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_ident[EI_DATA] != ELFDATA2LSB ||
	    eh->e_machine != EM_X86_64) {
		linux_err(err, errlen,
			  "ELF is not a little-endian x86-64 ELF64 (class %u, data %u, "
			  "machine %u)",
			  eh->e_ident[EI_CLASS], eh->e_ident[EI_DATA], eh->e_machine);
		return -ENOEXEC;
	}
	if (eh->e_phentsize != sizeof(Elf64_Phdr) || eh->e_phnum == 0 ||
	    eh->e_phnum > PVH_MAX_PHDRS || eh->e_phoff > len ||
	    (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr) > len - eh->e_phoff) {
		linux_err(err, errlen,
			  "ELF program headers out of bounds or malformed (e_phoff %" PRIu64
			  ", e_phnum %u, e_phentsize %u, file %zu bytes)",
			  (uint64_t)eh->e_phoff, eh->e_phnum, eh->e_phentsize, len);
		return -ENOEXEC;
	}
	return 0;
}

static void pvh_phdr(const uint8_t *img, const Elf64_Ehdr *eh, unsigned i, Elf64_Phdr *ph)
{
	memcpy(ph, img + eh->e_phoff + (uint64_t)i * sizeof(*ph), sizeof(*ph));
}

/* Walks the notes of one PT_NOTE segment; 1 when the PVH note was found, 0 if not, -ENOEXEC. */
static int pvh_scan_notes(const uint8_t *img, size_t len, const Elf64_Phdr *ph, uint32_t *entry,
			  char *err, size_t errlen)
{
	uint64_t off, end;

	if (ph->p_offset > len || ph->p_filesz > len - ph->p_offset) {
		linux_err(err, errlen,
			  "ELF PT_NOTE at offset %" PRIu64 " size %" PRIu64
			  " is outside the %zu-byte file",
			  (uint64_t)ph->p_offset, (uint64_t)ph->p_filesz, len);
		return -ENOEXEC;
	}
	off = ph->p_offset;
	end = ph->p_offset + ph->p_filesz;
	while (end - off >= sizeof(Elf64_Nhdr)) {
		Elf64_Nhdr nh;
		uint64_t name_off, desc_off, next;

		memcpy(&nh, img + off, sizeof(nh));
		name_off = off + sizeof(nh);
		desc_off = name_off + (((uint64_t)nh.n_namesz + 3) & ~3ULL);
		next = desc_off + (((uint64_t)nh.n_descsz + 3) & ~3ULL);
		if (desc_off > end || next > end + 3 || desc_off + nh.n_descsz > end) {
			linux_err(err, errlen,
				  "ELF note at offset %" PRIu64 " runs past its PT_NOTE segment",
				  off);
			return -ENOEXEC;
		}
		if (nh.n_namesz == 4 && !memcmp(img + name_off, "Xen", 4) &&
		    nh.n_type == XEN_ELFNOTE_PHYS32_ENTRY) {
			uint64_t v;

			if (nh.n_descsz == 4) {
				uint32_t v32;

				memcpy(&v32, img + desc_off, 4);
				v = v32;
			} else if (nh.n_descsz == 8) {
				memcpy(&v, img + desc_off, 8);
			} else {
				linux_err(err, errlen,
					  "ELF PVH note at offset %" PRIu64
					  " has a %u-byte value, expected 4 "
					  "or 8",
					  off, nh.n_descsz);
				return -ENOEXEC;
			}
			if (v > UINT32_MAX) {
				linux_err(err, errlen,
					  "ELF PVH entry 0x%" PRIx64
					  " is above 4 GiB (note at offset %" PRIu64 ")",
					  v, off);
				return -ENOEXEC;
			}
			*entry = (uint32_t)v;
			return 1;
		}
		if (next >= end)
			break;
		off = next;
	}
	return 0;
}

int pvh_find_entry(const uint8_t *img, size_t len, uint32_t *entry, char *err, size_t errlen)
{
	Elf64_Ehdr eh;
	int ret = pvh_read_ehdr(img, len, &eh, err, errlen);

	if (ret)
		return ret;
	for (unsigned i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph;

		pvh_phdr(img, &eh, i, &ph);
		if (ph.p_type != PT_NOTE)
			continue;
		ret = pvh_scan_notes(img, len, &ph, entry, err, errlen);
		if (ret)
			return ret < 0 ? ret : 0;
	}
	linux_err(
	    err, errlen,
	    "ELF kernel has no PVH entry note (Xen note %d, XEN_ELFNOTE_PHYS32_ENTRY): build it "
	    "with CONFIG_PVH or boot the bzImage",
	    XEN_ELFNOTE_PHYS32_ENTRY);
	return -ENOEXEC;
}

static uint64_t low_ram_end(const struct guest_mem *m)
{
	for (unsigned i = 0; i < m->n_regions; i++)
		if (m->region[i].gpa == 0)
			return m->region[i].size;
	return 0;
}

int pvh_load(struct guest_mem *m, const struct linux_load_args *a, struct x86_boot_state *entry,
	     char *err, size_t errlen)
{
	struct linux_e820 map[LINUX_E820_MAX];
	struct hvm_start_info *si;
	struct hvm_modlist_entry *mod;
	struct hvm_memmap_table_entry *mm;
	uint64_t low_end = low_ram_end(m), kernel_end = 0, initrd_gpa = 0;
	bool entry_inside = false;
	uint32_t pvh_entry;
	Elf64_Ehdr eh;
	unsigned nload = 0;
	int ret, n;

	ret = pvh_find_entry(a->image, a->image_len, &pvh_entry, err, errlen);
	if (ret)
		return ret;
	pvh_read_ehdr(a->image, a->image_len, &eh, err, errlen);

	/* validate every segment before writing anything */
	for (unsigned i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph;

		pvh_phdr(a->image, &eh, i, &ph);
		if (ph.p_type != PT_LOAD || ph.p_memsz == 0)
			continue;
		if (ph.p_filesz > ph.p_memsz || ph.p_offset > a->image_len ||
		    ph.p_filesz > a->image_len - ph.p_offset) {
			linux_err(err, errlen,
				  "ELF PT_LOAD %u (offset %" PRIu64 ", filesz %" PRIu64
				  ", memsz %" PRIu64 ") is outside the %zu-byte file",
				  i, (uint64_t)ph.p_offset, (uint64_t)ph.p_filesz,
				  (uint64_t)ph.p_memsz, a->image_len);
			return -ENOEXEC;
		}
		if (ph.p_paddr < LINUX_HIGH_START || ph.p_paddr >= (1ULL << 40) ||
		    ph.p_memsz >= (1ULL << 40)) {
			linux_err(err, errlen,
				  "ELF PT_LOAD %u at physical address 0x%" PRIx64 " size %" PRIu64
				  ": kernels load at 1 MiB or above",
				  i, (uint64_t)ph.p_paddr, (uint64_t)ph.p_memsz);
			return -ENOEXEC;
		}
		if (ph.p_paddr + ph.p_memsz > kernel_end)
			kernel_end = ph.p_paddr + ph.p_memsz;
		if (pvh_entry >= ph.p_paddr && pvh_entry - ph.p_paddr < ph.p_filesz)
			entry_inside = true;
		nload++;
	}
	if (!nload || !entry_inside) {
		linux_err(
		    err, errlen,
		    "ELF kernel's PVH entry 0x%x is not inside any loaded segment (%u PT_LOAD)",
		    pvh_entry, nload);
		return -ENOEXEC;
	}
	if (kernel_end > low_end) {
		linux_err(err, errlen,
			  "guest memory of %" PRIu64 " MiB is too small: the kernel's "
			  "segments end at %" PRIu64 " MiB",
			  guest_mem_size(m) >> 20, (kernel_end + (1 << 20) - 1) >> 20);
		return -ENOMEM;
	}
	if (a->initrd) {
		ret = linux_place_initrd(m, kernel_end, 1ULL << 32, a->initrd_len, &initrd_gpa);
		if (ret) {
			linux_err(err, errlen,
				  "guest memory of %" PRIu64 " MiB is too small for the kernel and "
				  "initrd %s: they need %" PRIu64 " MiB",
				  guest_mem_size(m) >> 20, a->initrd_name,
				  (kernel_end + a->initrd_len + (2 << 20) - 1) >> 20);
			return -ENOMEM;
		}
	}
	ret = linux_write_cmdline(m, a->cmdline, LINUX_PVH_CMDLINE_MAX, err, errlen);
	if (ret)
		return ret;
	n = linux_e820_build(m, map, LINUX_E820_MAX);
	if (n < 0) {
		linux_err(err, errlen, "guest memory layout does not fit an e820 map");
		return -ENOMEM;
	}

	for (unsigned i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph;
		uint8_t *dst;

		pvh_phdr(a->image, &eh, i, &ph);
		if (ph.p_type != PT_LOAD || ph.p_memsz == 0)
			continue;
		dst = guest_mem_ptr(m, ph.p_paddr, ph.p_memsz);
		if (!dst) {
			linux_err(err, errlen,
				  "ELF PT_LOAD %u [0x%" PRIx64 ", +%" PRIu64
				  ") is outside guest RAM",
				  i, (uint64_t)ph.p_paddr, (uint64_t)ph.p_memsz);
			return -ENOMEM;
		}
		memcpy(dst, a->image + ph.p_offset, ph.p_filesz);
		memset(dst + ph.p_filesz, 0, ph.p_memsz - ph.p_filesz);
	}
	if (a->initrd && guest_mem_write(m, initrd_gpa, a->initrd, a->initrd_len)) {
		linux_err(err, errlen, "initrd %s does not fit in guest RAM", a->initrd_name);
		return -ENOMEM;
	}

	si = guest_mem_ptr(m, LINUX_START_INFO_GPA, sizeof(*si));
	mod = guest_mem_ptr(m, LINUX_MODLIST_GPA, sizeof(*mod));
	mm = guest_mem_ptr(m, LINUX_MEMMAP_GPA, (uint64_t)n * sizeof(*mm));
	if (!si || !mod || !mm) {
		linux_err(err, errlen, "no guest RAM for the PVH start info at 0x%llx",
			  LINUX_START_INFO_GPA);
		return -ENOMEM;
	}
	memset(si, 0, sizeof(*si));
	si->magic = HVM_START_MAGIC;
	si->version = 1;
	si->cmdline_paddr = LINUX_CMDLINE_GPA;
	si->rsdp_paddr = 0;
	if (a->initrd) {
		memset(mod, 0, sizeof(*mod));
		mod->paddr = initrd_gpa;
		mod->size = a->initrd_len;
		si->nr_modules = 1;
		si->modlist_paddr = LINUX_MODLIST_GPA;
	}
	for (int i = 0; i < n; i++)
		mm[i] = (struct hvm_memmap_table_entry){
		    .addr = map[i].addr, .size = map[i].size, .type = map[i].type};
	si->memmap_paddr = LINUX_MEMMAP_GPA;
	si->memmap_entries = (uint32_t)n;

	memset(entry, 0, sizeof(*entry));
	ret = x86_write_gdt(m, LINUX_GDT_GPA, X86_BOOT_PROT32, entry);
	if (ret < 0) {
		linux_err(err, errlen, "cannot write the GDT at 0x%llx: %s", LINUX_GDT_GPA,
			  strerror(-ret));
		return ret;
	}
	entry->rip = pvh_entry;
	entry->rbx = LINUX_START_INFO_GPA;
	entry->rsp = LINUX_STACK_TOP;
	entry->rflags = 0x2;
	return 0;
}
