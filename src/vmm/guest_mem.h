/* guest_mem.h: the guest's physical RAM as seen by the VMM and its device models.
 *
 * Guest RAM is one anonymous host mapping split into at most two guest-physical regions: [0, low)
 * below the 32-bit PCI hole (which starts at GUEST_MEM_PCI_HOLE_START) and [4 GiB, 4 GiB + high)
 * above it. Device models translate guest addresses only through guest_mem_ptr(), which checks the
 * whole range [gpa, gpa + len) lies inside one region (overflow-safe): a hostile guest's address
 * can never make the VMM touch memory outside guest RAM. Unit tests and fuzzers build a
 * guest_mem over a plain buffer with guest_mem_init_buffer(). */
#ifndef BULWARK_VMM_GUEST_MEM_H
#define BULWARK_VMM_GUEST_MEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GUEST_MEM_PCI_HOLE_START 0xC0000000ULL /* 3 GiB: 32-bit MMIO (PCI BARs, LAPIC, IOAPIC) */
#define GUEST_MEM_HIGH_START 0x100000000ULL    /* 4 GiB */
#define GUEST_MEM_MAX_REGIONS 2

struct guest_mem_region {
	uint64_t gpa;  /* guest-physical start */
	uint64_t size; /* bytes */
	uint8_t *host; /* host virtual address of gpa */
};

struct guest_mem {
	struct guest_mem_region region[GUEST_MEM_MAX_REGIONS];
	unsigned n_regions;
	uint8_t *mapping; /* the whole host mapping (NULL for a caller-owned buffer) */
	size_t mapping_size;
};

/* Maps size bytes of anonymous memory (no backing file, MAP_NORESERVE, with a guard page on each
 * side) and lays it out as above. Returns 0 or -errno. */
int guest_mem_init(struct guest_mem *m, uint64_t size);
/* Describes a caller-owned buffer as guest RAM at gpa 0 (tests, fuzzers). */
void guest_mem_init_buffer(struct guest_mem *m, void *buf, uint64_t size);
void guest_mem_destroy(struct guest_mem *m);

/* Total RAM in bytes. */
uint64_t guest_mem_size(const struct guest_mem *m);

/* Host pointer for [gpa, gpa + len) or NULL when any byte of it is outside guest RAM or the range
 * wraps. len == 0 is allowed and checks only gpa. The range must not span two regions. */
static inline void *guest_mem_ptr(const struct guest_mem *m, uint64_t gpa, uint64_t len)
{
	for (unsigned i = 0; i < m->n_regions; i++) {
		const struct guest_mem_region *r = &m->region[i];

		if (gpa >= r->gpa && gpa - r->gpa <= r->size && len <= r->size - (gpa - r->gpa))
			return r->host + (gpa - r->gpa);
	}
	return NULL;
}

/* Copies between guest RAM and host buffers; return 0 or -EFAULT when out of range. */
int guest_mem_read(const struct guest_mem *m, uint64_t gpa, void *dst, uint64_t len);
int guest_mem_write(const struct guest_mem *m, uint64_t gpa, const void *src, uint64_t len);

#endif
