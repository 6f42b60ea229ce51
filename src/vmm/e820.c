/* e820.c: the guest's physical memory map, in the form both Linux entries use (the zero page's
 * e820_table and PVH's hvm_memmap_table carry the same address, size and type triples). Built from
 * guest_mem's regions, see linux_loader.h for the layout. */
#include <errno.h>

#include "vmm/linux_loader.h"

static int e820_add(struct linux_e820 *tab, unsigned max, unsigned *n, uint64_t addr, uint64_t size,
		    uint32_t type)
{
	if (!size)
		return 0;
	if (*n >= max)
		return -ENOSPC;
	tab[*n] = (struct linux_e820){.addr = addr, .size = size, .type = type};
	(*n)++;
	return 0;
}

int linux_e820_build(const struct guest_mem *m, struct linux_e820 *tab, unsigned max)
{
	uint64_t low_end = 0;
	unsigned n = 0;
	int err = 0;

	for (unsigned i = 0; i < m->n_regions; i++)
		if (m->region[i].gpa == 0)
			low_end = m->region[i].size;
	if (low_end < 2 * LINUX_HIGH_START)
		return -ENOMEM;
	err |= e820_add(tab, max, &n, 0, LINUX_EBDA_START, LINUX_E820_RAM);
	err |= e820_add(tab, max, &n, LINUX_EBDA_START, LINUX_HIGH_START - LINUX_EBDA_START,
			LINUX_E820_RESERVED);
	err |= e820_add(tab, max, &n, LINUX_HIGH_START, low_end - LINUX_HIGH_START, LINUX_E820_RAM);
	for (unsigned i = 0; i < m->n_regions; i++)
		if (m->region[i].gpa != 0)
			err |= e820_add(tab, max, &n, m->region[i].gpa, m->region[i].size,
					LINUX_E820_RAM);
	return err ? -ENOSPC : (int)n;
}
