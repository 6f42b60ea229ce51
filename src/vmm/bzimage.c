/* bzimage.c: the Linux/x86 boot protocol for bzImage files (Documentation/x86/boot.rst).
 *
 * bulwark boots without firmware and without running the kernel's 16-bit setup code: it parses
 * the setup header, copies the protected-mode kernel to its load address, fills a zero page
 * (struct boot_params from the UAPI <asm/bootparam.h>) with the header, command line pointer,
 * initrd and e820 map, writes an identity map and a GDT, and enters the kernel directly at its
 * 64-bit entry (load address + 0x200, protocol 2.12+ with XLF_KERNEL_64) or, for older kernels, at
 * its 32-bit entry. The file is untrusted: every field used is range-checked before it is used, and
 * a malformed image is refused with a message naming the field, its offset and value. */
#include <asm/bootparam.h>
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "vmm/linux_loader.h"
#include "vmm/x86_setup.h"

#define BZ_MIN_LEN 1024	     /* boot sector + at least one setup sector */
#define BZ_HDR_START 0x1f1   /* offset of struct setup_header in the file and zero page */
#define BZ_HDR_LIMIT 0x290   /* where the setup header area of struct boot_params ends */
#define BZ_MAGIC 0x53726448U /* "HdrS" */
#define BZ_BOOT_FLAG 0xaa55
#define BZ_DEFAULT_INITRD_MAX 0x37ffffffU /* before protocol 2.03 */
#define BZ_HEAP_END 0xfe00		  /* heap_end_ptr as real-mode loaders set it */
#define BZ_ENTRY64_OFFSET 0x200

static uint16_t get16(const uint8_t *p, size_t off)
{
	return (uint16_t)(p[off] | p[off + 1] << 8);
}

static uint32_t get32(const uint8_t *p, size_t off)
{
	return (uint32_t)get16(p, off) | (uint32_t)get16(p, off + 2) << 16;
}

static uint64_t get64(const uint8_t *p, size_t off)
{
	return (uint64_t)get32(p, off) | (uint64_t)get32(p, off + 4) << 32;
}

bool bzimage_detect(const uint8_t *img, size_t len)
{
	return len >= BZ_MIN_LEN && get32(img, 0x202) == BZ_MAGIC;
}

int bzimage_parse(const uint8_t *img, size_t len, struct bzimage_info *info, char *err,
		  size_t errlen)
{
	uint64_t syssize16;

	memset(info, 0, sizeof(*info));
	if (len < BZ_MIN_LEN || get32(img, 0x202) != BZ_MAGIC) {
		linux_err(err, errlen, "not a bzImage (no \"HdrS\" setup header at offset 0x202)");
		return -ENOEXEC;
	}
	if (get16(img, 0x1fe) != BZ_BOOT_FLAG) {
		linux_err(err, errlen,
			  "bzImage boot_flag at offset 0x1fe is 0x%04x, expected 0xaa55",
			  get16(img, 0x1fe));
		return -ENOEXEC;
	}
	info->version = get16(img, 0x206);
	if (info->version < 0x206) {
		linux_err(err, errlen,
			  "bzImage boot protocol %u.%02u is too old: bulwark needs 2.06 or later",
			  info->version >> 8, info->version & 0xff);
		return -ENOEXEC;
	}
	info->hdr_end = 0x202 + (size_t)img[0x201];
	if (info->hdr_end < 0x23c) {
		/* protocol 2.06 already has cmdline_size at 0x238 */
		linux_err(err, errlen,
			  "bzImage setup header ends at 0x%zx (jump byte at 0x201), too short for "
			  "boot protocol %u.%02u",
			  info->hdr_end, info->version >> 8, info->version & 0xff);
		return -ENOEXEC;
	}
	if (info->hdr_end > BZ_HDR_LIMIT)
		info->hdr_end = BZ_HDR_LIMIT; /* newer fields than we know: not copied */
	info->setup_sects = img[0x1f1] ? img[0x1f1] : 4;
	info->setup_len = ((size_t)info->setup_sects + 1) * 512;
	if (info->setup_len >= len) {
		linux_err(
		    err, errlen,
		    "bzImage truncated: setup_sects %u (offset 0x1f1) puts the kernel at offset "
		    "%zu but the file has %zu bytes",
		    info->setup_sects, info->setup_len, len);
		return -ENOEXEC;
	}
	if (info->setup_len < info->hdr_end) {
		linux_err(err, errlen,
			  "bzImage setup_sects %u (offset 0x1f1) is smaller than its header",
			  info->setup_sects);
		return -ENOEXEC;
	}
	syssize16 = (uint64_t)get32(img, 0x1f4) * 16;
	if (syssize16 == 0) {
		linux_err(err, errlen, "bzImage syssize (offset 0x1f4) is 0: no kernel");
		return -ENOEXEC;
	}
	/* syssize counts 16-byte paragraphs, so the last one may be partial */
	if (syssize16 > (uint64_t)(len - info->setup_len) + 15) {
		linux_err(err, errlen,
			  "bzImage truncated: syssize (offset 0x1f4) says %" PRIu64
			  " bytes of kernel after offset %zu, the file has %zu",
			  syssize16, info->setup_len, len - info->setup_len);
		return -ENOEXEC;
	}
	info->kernel_len =
	    syssize16 < len - info->setup_len ? (size_t)syssize16 : len - info->setup_len;
	info->loadflags = img[0x211];
	if (!(info->loadflags & LOADED_HIGH)) {
		linux_err(
		    err, errlen,
		    "zImage (loadflags at 0x211 without LOADED_HIGH) is not supported: the kernel "
		    "must load at 1 MiB");
		return -ENOEXEC;
	}
	info->initrd_addr_max = get32(img, 0x22c);
	if (!info->initrd_addr_max)
		info->initrd_addr_max = BZ_DEFAULT_INITRD_MAX;
	info->relocatable = img[0x234] != 0;
	info->kernel_alignment = get32(img, 0x230);
	info->cmdline_size = get32(img, 0x238);
	if (info->relocatable &&
	    (info->kernel_alignment < 0x1000 || info->kernel_alignment > 0x40000000 ||
	     (info->kernel_alignment & (info->kernel_alignment - 1)))) {
		linux_err(
		    err, errlen,
		    "bzImage kernel_alignment (offset 0x230) 0x%x is not a power of two between "
		    "4 KiB and 1 GiB",
		    info->kernel_alignment);
		return -ENOEXEC;
	}
	if (info->version >= 0x20c && info->hdr_end >= 0x238)
		info->xloadflags = get16(img, 0x236);
	info->entry64 = info->xloadflags & XLF_KERNEL_64;
	if (info->version >= 0x20a && info->hdr_end >= 0x264) {
		info->pref_address = get64(img, 0x258);
		info->init_size = get32(img, 0x260);
	} else {
		info->pref_address = LINUX_HIGH_START;
		/* no init_size before 2.10: the decompressor needs room for its output */
		info->init_size =
		    info->kernel_len > UINT32_MAX / 4 ? UINT32_MAX : (uint32_t)info->kernel_len * 4;
	}
	if (info->init_size < info->kernel_len) {
		linux_err(
		    err, errlen,
		    "bzImage init_size (offset 0x260) %u is smaller than the kernel's %zu bytes",
		    info->init_size, info->kernel_len);
		return -ENOEXEC;
	}
	return 0;
}

/* The address the protected-mode kernel is loaded at. */
static uint64_t bzimage_load_addr(const struct bzimage_info *bi)
{
	uint64_t align = bi->kernel_alignment;

	if (!bi->relocatable)
		return LINUX_HIGH_START;
	if (bi->pref_address >= LINUX_HIGH_START && bi->pref_address < (1ULL << 40) &&
	    !(bi->pref_address & (align - 1)))
		return bi->pref_address;
	return (LINUX_HIGH_START + align - 1) & ~(align - 1);
}

static uint64_t low_ram_end(const struct guest_mem *m)
{
	for (unsigned i = 0; i < m->n_regions; i++)
		if (m->region[i].gpa == 0)
			return m->region[i].size;
	return 0;
}

int bzimage_load(struct guest_mem *m, const struct linux_load_args *a, struct x86_boot_state *entry,
		 char *err, size_t errlen)
{
	struct linux_e820 map[LINUX_E820_MAX];
	struct bzimage_info bi;
	struct boot_params *bp;
	uint64_t load, run, kernel_end, initrd_gpa = 0, low_end = low_ram_end(m);
	uint64_t total = guest_mem_size(m);
	int ret, n;

	ret = bzimage_parse(a->image, a->image_len, &bi, err, errlen);
	if (ret)
		return ret;
	load = bzimage_load_addr(&bi);
	/* the decompressor runs the kernel at max(load, pref_address) (LOAD_PHYSICAL_ADDR) */
	run = bi.pref_address > load && bi.pref_address < (1ULL << 40) ? bi.pref_address : load;
	kernel_end = run + bi.init_size;
	if (load + bi.kernel_len > kernel_end)
		kernel_end = load + bi.kernel_len;
	if (kernel_end > low_end) {
		linux_err(err, errlen,
			  "guest memory of %" PRIu64 " MiB is too small: the kernel needs %" PRIu64
			  " MiB (load address 0x%" PRIx64 " + init_size %" PRIu64 " MiB)",
			  total >> 20, (kernel_end + (1 << 20) - 1) >> 20, run,
			  (uint64_t)bi.init_size >> 20);
		return -ENOMEM;
	}
	if (a->initrd) {
		uint64_t limit = (uint64_t)bi.initrd_addr_max + 1;

		ret = linux_place_initrd(m, kernel_end, limit, a->initrd_len, &initrd_gpa);
		if (ret) {
			linux_err(err, errlen,
				  "guest memory of %" PRIu64 " MiB is too small for the kernel and "
				  "initrd %s: they need %" PRIu64 " MiB (kernel up to %" PRIu64
				  " MiB + initrd %zu bytes, below initrd_addr_max 0x%x)",
				  total >> 20, a->initrd_name,
				  (kernel_end + a->initrd_len + (2 << 20) - 1) >> 20,
				  (kernel_end + (1 << 20) - 1) >> 20, a->initrd_len,
				  bi.initrd_addr_max);
			return -ENOMEM;
		}
	}
	ret = linux_write_cmdline(m, a->cmdline, bi.cmdline_size, err, errlen);
	if (ret)
		return ret;
	n = linux_e820_build(m, map, LINUX_E820_MAX);
	if (n < 0 || n > E820_MAX_ENTRIES_ZEROPAGE) {
		linux_err(err, errlen, "guest memory layout does not fit an e820 map");
		return -ENOMEM;
	}

	/* kernel, initrd */
	if (guest_mem_write(m, load, a->image + bi.setup_len, bi.kernel_len) ||
	    (a->initrd && guest_mem_write(m, initrd_gpa, a->initrd, a->initrd_len))) {
		linux_err(err, errlen, "the kernel does not fit in guest RAM");
		return -ENOMEM;
	}

	/* zero page */
	bp = guest_mem_ptr(m, LINUX_ZERO_PAGE_GPA, sizeof(*bp));
	if (!bp) {
		linux_err(err, errlen, "no guest RAM for the zero page at 0x%llx",
			  LINUX_ZERO_PAGE_GPA);
		return -ENOMEM;
	}
	memset(bp, 0, sizeof(*bp));
	memcpy((uint8_t *)bp + BZ_HDR_START, a->image + BZ_HDR_START, bi.hdr_end - BZ_HDR_START);
	bp->hdr.setup_sects = bi.setup_sects;
	bp->hdr.type_of_loader = 0xff;
	bp->hdr.loadflags = (uint8_t)((bp->hdr.loadflags | CAN_USE_HEAP) & ~KEEP_SEGMENTS);
	bp->hdr.heap_end_ptr = BZ_HEAP_END;
	bp->hdr.code32_start = (uint32_t)load;
	bp->hdr.cmd_line_ptr = (uint32_t)LINUX_CMDLINE_GPA;
	bp->ext_cmd_line_ptr = 0;
	if (a->initrd) {
		bp->hdr.ramdisk_image = (uint32_t)initrd_gpa;
		bp->hdr.ramdisk_size = (uint32_t)a->initrd_len;
		bp->ext_ramdisk_image = (uint32_t)(initrd_gpa >> 32);
		bp->ext_ramdisk_size = (uint32_t)((uint64_t)a->initrd_len >> 32);
	}
	for (int i = 0; i < n; i++) {
		bp->e820_table[i].addr = map[i].addr;
		bp->e820_table[i].size = map[i].size;
		bp->e820_table[i].type = map[i].type;
	}
	bp->e820_entries = (uint8_t)n;

	/* page tables, GDT, entry */
	memset(entry, 0, sizeof(*entry));
	if (bi.entry64) {
		ret = x86_write_identity_map(m, LINUX_PGTABLE_GPA, LINUX_IDMAP_BYTES, false,
					     &entry->cr3);
		if (ret < 0) {
			linux_err(err, errlen, "cannot write the identity map at 0x%llx: %s",
				  LINUX_PGTABLE_GPA, strerror(-ret));
			return ret;
		}
	}
	ret =
	    x86_write_gdt(m, LINUX_GDT_GPA, bi.entry64 ? X86_BOOT_LONG64 : X86_BOOT_PROT32, entry);
	if (ret < 0) {
		linux_err(err, errlen, "cannot write the GDT at 0x%llx: %s", LINUX_GDT_GPA,
			  strerror(-ret));
		return ret;
	}
	entry->rip = bi.entry64 ? load + BZ_ENTRY64_OFFSET : load;
	entry->rsi = LINUX_ZERO_PAGE_GPA;
	entry->rsp = LINUX_STACK_TOP;
	entry->rflags = 0x2;
	return 0;
}
