/* guest_mem.c: see guest_mem.h. */
#include "vmm/guest_mem.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int guest_mem_init(struct guest_mem *m, uint64_t size)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	uint64_t low = size < GUEST_MEM_PCI_HOLE_START ? size : GUEST_MEM_PCI_HOLE_START;
	uint8_t *map;

	memset(m, 0, sizeof(*m));
	if (size == 0 || size % page)
		return -EINVAL;
	m->mapping_size = size + 2 * page;
	map = mmap(NULL, m->mapping_size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		   -1, 0);
	if (map == MAP_FAILED)
		return -errno;
	if (mprotect(map + page, size, PROT_READ | PROT_WRITE) < 0) {
		int err = -errno;

		munmap(map, m->mapping_size);
		return err;
	}
	madvise(map + page, size, MADV_MERGEABLE);
	m->mapping = map;
	m->region[0] = (struct guest_mem_region){.gpa = 0, .size = low, .host = map + page};
	m->n_regions = 1;
	if (size > low) {
		m->region[1] = (struct guest_mem_region){
		    .gpa = GUEST_MEM_HIGH_START, .size = size - low, .host = map + page + low};
		m->n_regions = 2;
	}
	return 0;
}

void guest_mem_init_buffer(struct guest_mem *m, void *buf, uint64_t size)
{
	memset(m, 0, sizeof(*m));
	m->region[0] = (struct guest_mem_region){.gpa = 0, .size = size, .host = buf};
	m->n_regions = 1;
}

void guest_mem_destroy(struct guest_mem *m)
{
	if (m->mapping)
		munmap(m->mapping, m->mapping_size);
	memset(m, 0, sizeof(*m));
}

uint64_t guest_mem_size(const struct guest_mem *m)
{
	uint64_t total = 0;

	for (unsigned i = 0; i < m->n_regions; i++)
		total += m->region[i].size;
	return total;
}

int guest_mem_read(const struct guest_mem *m, uint64_t gpa, void *dst, uint64_t len)
{
	const void *p = guest_mem_ptr(m, gpa, len);

	if (!p)
		return -EFAULT;
	memcpy(dst, p, len);
	return 0;
}

int guest_mem_write(const struct guest_mem *m, uint64_t gpa, const void *src, uint64_t len)
{
	void *p = guest_mem_ptr(m, gpa, len);

	if (!p)
		return -EFAULT;
	memcpy(p, src, len);
	return 0;
}
