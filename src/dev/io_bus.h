/* io_bus.h: dispatch of guest port I/O and MMIO accesses to device models.
 *
 * The VMM has two buses (port I/O and MMIO). A device claims [base, base + len) with a handler;
 * vCPU threads call io_bus_access() on every KVM_EXIT_IO / KVM_EXIT_MMIO. Claims can change while
 * the guest runs (a guest moving a PCI BAR), so the bus is guarded by a read-write lock; handlers
 * are called without the bus lock held for writing and must do their own locking.
 * Accesses nobody claims read as all ones and are ignored on write (as on real hardware). */
#ifndef BULWARK_DEV_IO_BUS_H
#define BULWARK_DEV_IO_BUS_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

/* offset: from the start of the claimed range; data: len bytes (1, 2, 4 or 8) in guest order. */
typedef void (*io_handler_fn)(void *opaque, uint64_t offset, uint8_t *data, uint32_t len,
			      bool is_write);

struct io_range {
	uint64_t base, len;
	io_handler_fn fn;
	void *opaque;
	const char *name; /* for logs: "serial", "virtio-net@00:02.0 BAR0", ... */
};

struct io_bus {
	pthread_rwlock_t lock;
	struct io_range *ranges; /* sorted by base, non-overlapping */
	unsigned n, cap;
	const char *name; /* "pio" or "mmio" */
};

void io_bus_init(struct io_bus *bus, const char *name);
void io_bus_destroy(struct io_bus *bus);

/* Claims [base, base + len). Returns 0, -EBUSY when it overlaps a claimed range, -EINVAL when
 * len is 0 or the range wraps, -ENOMEM. */
int io_bus_register(struct io_bus *bus, uint64_t base, uint64_t len, io_handler_fn fn, void *opaque,
		    const char *name);
/* Releases the claim that starts at base with this opaque. Returns 0 or -ENOENT. */
int io_bus_unregister(struct io_bus *bus, uint64_t base, void *opaque);

/* Dispatches one access. Returns true when a device claimed it; unclaimed reads fill data with
 * 0xff. An access that crosses the end of a claimed range is not dispatched (treated as unclaimed).
 */
bool io_bus_access(struct io_bus *bus, uint64_t addr, uint8_t *data, uint32_t len, bool is_write);

#endif
