/* linux_loader.h: what the two Linux kernel formats (bzImage, PVH vmlinux) share inside src/vmm.
 *
 * linux_boot.c reads the files, builds the final command line and calls bzimage_load() or
 * pvh_load() with the whole image in a host buffer; both write the kernel, command line, initrd and
 * memory map into guest RAM at the fixed low-memory layout below and fill the x86_boot_state. The
 * MP table (mptable.c) is written by linux_boot.c for both. Tests and fuzzers call the format
 * loaders directly with synthetic images over a guest_mem buffer. */
#ifndef BULWARK_VMM_LINUX_LOADER_H
#define BULWARK_VMM_LINUX_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmm/boot_state.h"
#include "vmm/guest_mem.h"

/* Guest-physical layout of what the loaders write below 1 MiB (all inside the first e820 RAM
 * entry, except the MP table which lives in the reserved EBDA/BIOS area). */
#define LINUX_GDT_GPA 0x500ULL		 /* x86_write_gdt() area (X86_GDT_AREA_SIZE bytes) */
#define LINUX_START_INFO_GPA 0x6000ULL	 /* PVH hvm_start_info, modlist, memmap (one page) */
#define LINUX_ZERO_PAGE_GPA 0x7000ULL	 /* bzImage struct boot_params (one page) */
#define LINUX_STACK_TOP 0x8ff0ULL	 /* initial rsp (the kernels set up their own stack) */
#define LINUX_PGTABLE_GPA 0x9000ULL	 /* identity map of the low 4 GiB: 6 pages, to 0xf000 */
#define LINUX_CMDLINE_GPA 0x20000ULL	 /* command line, NUL-terminated */
#define LINUX_CMDLINE_MAX 0x10000ULL	 /* bytes reserved for it (with the NUL) */
#define LINUX_EBDA_START 0x9fc00ULL	 /* e820: RAM below, reserved from here to 1 MiB */
#define LINUX_BIOS_START 0xf0000ULL	 /* 64 KiB BIOS area (MP table when it outgrows the EBDA) */
#define LINUX_HIGH_START 0x100000ULL	 /* 1 MiB: kernels load at or above this */
#define LINUX_IDMAP_BYTES 0x100000000ULL /* identity map for the 64-bit entry: the low 4 GiB */
#define LINUX_PVH_CMDLINE_MAX 2047	 /* x86 COMMAND_LINE_SIZE - 1 (no header says it for PVH) */

/* e820 / hvm_memmap entry types. */
#define LINUX_E820_RAM 1
#define LINUX_E820_RESERVED 2

struct linux_e820 {
	uint64_t addr, size;
	uint32_t type;
};

/* At most this many e820 entries for bulwark's guest_mem layout (two RAM regions). */
#define LINUX_E820_MAX 8

/* Fills tab with the guest's memory map: RAM [0, 0x9fc00), reserved [0x9fc00, 1 MiB), RAM from
 * 1 MiB to the end of the low region, RAM above 4 GiB for the high region. The PCI hole is left
 * out (a gap, where Linux places PCI BARs). Returns the number of entries, or -ENOMEM when the low
 * region is smaller than 2 MiB. */
int linux_e820_build(const struct guest_mem *m, struct linux_e820 *tab, unsigned max);

/* What the format loaders get: the whole kernel file, the final command line, the initrd. */
struct linux_load_args {
	const char *kernel_name; /* for messages */
	const uint8_t *image;
	size_t image_len;
	const char *cmdline;   /* complete command line (NUL-terminated), not NULL */
	const uint8_t *initrd; /* NULL when there is none */
	size_t initrd_len;
	const char *initrd_name;
};

/* Format detection (cheap, on the first bytes only). */
bool bzimage_detect(const uint8_t *img, size_t len);
bool pvh_detect_elf(const uint8_t *img, size_t len);

/* Result of parsing a bzImage setup header (tests look at it). */
struct bzimage_info {
	uint16_t version;    /* boot protocol, e.g. 0x20f */
	uint8_t setup_sects; /* 0 already replaced by 4 */
	uint8_t loadflags;
	uint16_t xloadflags; /* 0 before 2.12 */
	bool relocatable;
	bool entry64; /* XLF_KERNEL_64: 64-bit entry at load address + 0x200 */
	uint32_t kernel_alignment;
	uint64_t pref_address; /* 0x100000 before 2.10 */
	uint32_t init_size;    /* before 2.10: estimated (syssize * 16 * 4) */
	uint32_t cmdline_size; /* longest command line without the NUL (255 before 2.06) */
	uint32_t initrd_addr_max;
	size_t setup_len;  /* (setup_sects + 1) * 512: where the protected-mode kernel starts */
	size_t kernel_len; /* bytes of protected-mode kernel loaded */
	size_t hdr_end;	   /* end offset of the setup header (0x202 + the jump byte) */
};

/* Parses and validates the setup header of a bzImage. Returns 0 or -ENOEXEC with a message that
 * names the field, its offset and value. */
int bzimage_parse(const uint8_t *img, size_t len, struct bzimage_info *info, char *err,
		  size_t errlen);

/* Loads a bzImage: protected-mode kernel at pref_address (or 1 MiB aligned up), zero page, command
 * line, initrd (high, page aligned, under initrd_addr_max), identity map and GDT; entry is the
 * 64-bit entry (X86_BOOT_LONG64 at load + 0x200, rsi = zero page), or the 32-bit entry
 * (X86_BOOT_PROT32 at load, rsi = zero page) for kernels without XLF_KERNEL_64. */
int bzimage_load(struct guest_mem *m, const struct linux_load_args *a, struct x86_boot_state *entry,
		 char *err, size_t errlen);

/* Where the PVH note says the kernel's 32-bit entry is. Returns 0 or -ENOEXEC (not ELF64 x86-64,
 * malformed headers, or no XEN_ELFNOTE_PHYS32_ENTRY note), with a message. */
int pvh_find_entry(const uint8_t *img, size_t len, uint32_t *entry, char *err, size_t errlen);

/* Loads a vmlinux ELF: PT_LOAD segments at their physical addresses, hvm_start_info (with the
 * initrd as module 0 and the e820 map), command line, flat 32-bit GDT; entry X86_BOOT_PROT32 at
 * the PVH entry with rbx = the start info. */
int pvh_load(struct guest_mem *m, const struct linux_load_args *a, struct x86_boot_state *entry,
	     char *err, size_t errlen);

/* PVH start-of-day structures (Xen's public ABI, arch/x86 HVM start info, version 1). */
#define HVM_START_MAGIC 0x336ec578U
#define XEN_ELFNOTE_PHYS32_ENTRY 18

struct hvm_start_info {
	uint32_t magic;
	uint32_t version;
	uint32_t flags;
	uint32_t nr_modules;
	uint64_t modlist_paddr;
	uint64_t cmdline_paddr;
	uint64_t rsdp_paddr;
	uint64_t memmap_paddr;
	uint32_t memmap_entries;
	uint32_t reserved;
};

struct hvm_modlist_entry {
	uint64_t paddr;
	uint64_t size;
	uint64_t cmdline_paddr;
	uint64_t reserved;
};

struct hvm_memmap_table_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
	uint32_t reserved;
};

#define LINUX_MODLIST_GPA (LINUX_START_INFO_GPA + 0x40)
#define LINUX_MEMMAP_GPA (LINUX_START_INFO_GPA + 0x80)

/* The command line when the user gives none: serial console, i8042 reset on reboot, reboot at
 * once on panic, and the boot-time levers that matter when every serial byte and timer probe is
 * a VM exit (see docs/boot.md). */
#define LINUX_DEFAULT_CMDLINE                                                                \
	"console=ttyS0 reboot=k panic=-1 quiet 8250.nr_uarts=1 tsc=reliable no_timer_check " \
	"cryptomgr.notests random.trust_cpu=on"

/* The command line the guest gets: user (or LINUX_DEFAULT_CMDLINE when NULL) plus the parameters
 * bulwark's device model needs (acpi=off pci=conf1 i8042.noaux i8042.nomux i8042.nopnp
 * i8042.dumbkbd), each unless the user gave the same key, inserted before a "--" that starts the
 * init arguments. malloc'ed; NULL when out of memory. */
char *linux_build_cmdline(const char *user);

/* Formats a message into err (always NUL-terminated when errlen > 0). */
void linux_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Chooses where the initrd goes: the highest page-aligned address such that it ends at or below
 * limit (exclusive end, also clipped to the low RAM region) and starts at or above floor. Returns 0
 * or -ENOMEM. */
int linux_place_initrd(const struct guest_mem *m, uint64_t floor, uint64_t limit, uint64_t size,
		       uint64_t *gpa);

/* Copies the command line to LINUX_CMDLINE_GPA. max_len is the longest the kernel accepts (without
 * the NUL). Returns 0 or -EINVAL (too long: message gives both lengths). */
int linux_write_cmdline(struct guest_mem *m, const char *cmdline, uint64_t max_len, char *err,
			size_t errlen);

#endif
