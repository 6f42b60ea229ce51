/* fuzz_elf_pvh.c: hostile vmlinux ELF files into the PVH loader (src/vmm/pvh.c), loaded into a
 * 32 MiB guest: program headers, the notes walk and every PT_LOAD come from the input. The loader
 * must refuse with a message or load inside guest RAM (ASan checks every access); an accepted file
 * must give an entry inside RAM and a start info with the PVH magic. */
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
	struct x86_boot_state st;
	struct guest_mem m;
	uint32_t entry;
	char err[512];

	if (!ram && !(ram = calloc(1, FUZZ_GUEST_RAM)))
		abort();
	guest_mem_init_buffer(&m, ram, FUZZ_GUEST_RAM);
	if (size > 64 && data[size - 1] & 1) {
		a.initrd = data + size - 64;
		a.initrd_len = 64;
		a.initrd_name = "fuzz-initrd";
	}
	pvh_detect_elf(data, size);
	pvh_find_entry(data, size, &entry, err, sizeof(err));
	if (pvh_load(&m, &a, &st, err, sizeof(err)) == 0) {
		const struct hvm_start_info *si = guest_mem_ptr(&m, st.rbx, sizeof(*si));

		if (!si || si->magic != HVM_START_MAGIC || !guest_mem_ptr(&m, st.rip, 1))
			abort();
	}
	return 0;
}
