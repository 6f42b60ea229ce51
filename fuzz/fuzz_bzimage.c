/* fuzz_bzimage.c: hostile bzImage files into the bzImage loader (src/vmm/bzimage.c), loaded into
 * a 32 MiB guest. The last byte of the input sizes an initrd taken from the input's tail. Whatever
 * the file, the loader must refuse it with a message or load it inside guest RAM: ASan catches any
 * stray access, and an accepted image must give an entry point and zero page inside RAM. */
#include <asm/bootparam.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/guest_mem.h"
#include "vmm/linux_loader.h"

#define FUZZ_GUEST_RAM (32u << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t *ram;
	struct linux_load_args a = {.kernel_name = "fuzz",
				    .image = data,
				    .image_len = size,
				    .cmdline = "console=ttyS0 reboot=k"};
	struct bzimage_info bi;
	struct x86_boot_state st;
	struct guest_mem m;
	char err[512];
	size_t initrd;

	if (!ram && !(ram = calloc(1, FUZZ_GUEST_RAM)))
		abort();
	guest_mem_init_buffer(&m, ram, FUZZ_GUEST_RAM);
	initrd = size ? (size_t)data[size - 1] * 64 : 0;
	if (initrd && initrd <= size) {
		a.initrd = data + size - initrd;
		a.initrd_len = initrd;
		a.initrd_name = "fuzz-initrd";
	}
	bzimage_detect(data, size);
	if (bzimage_parse(data, size, &bi, err, sizeof(err)) == 0 &&
	    (bi.setup_len + bi.kernel_len > size || bi.hdr_end > 0x290))
		abort();
	if (bzimage_load(&m, &a, &st, err, sizeof(err)) == 0) {
		const struct boot_params *bp = guest_mem_ptr(&m, LINUX_ZERO_PAGE_GPA, sizeof(*bp));

		if (!bp || !guest_mem_ptr(&m, st.rip, 1) || bp->e820_entries > 8 ||
		    (a.initrd && !guest_mem_ptr(&m, bp->hdr.ramdisk_image, a.initrd_len)))
			abort();
	}
	return 0;
}
