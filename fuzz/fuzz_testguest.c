/* fuzz_testguest.c: the CPL3 test-guest loader (src/vmm/testguest.c) on hostile ELF files: note
 * parsing, program headers, segment placement into a small guest RAM. Nothing may read or write
 * outside the file or guest RAM. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/testguest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t *ram;
	struct guest_mem mem;
	struct x86_boot_state st;
	char err[256];
	uint8_t *copy = malloc(size ? size : 1);

	if (!copy)
		return 0;
	memcpy(copy, data, size); /* exact-size heap copy: ASan sees any overread */
	if (!ram)
		ram = malloc(4u << 20);
	guest_mem_init_buffer(&mem, ram, 4u << 20);
	testguest_detect(copy, size);
	testguest_load(&mem, "fuzz", copy, size, &st, err, sizeof(err));
	free(copy);
	return 0;
}
