/* dev_host.h: what a device model gets from the VMM, and nothing more.
 *
 * Device models (PCI, virtio-pci, virtio-net, virtio-blk, serial, ...) never call KVM directly:
 * they see guest RAM, the two I/O buses and a small table of operations for interrupts and
 * doorbells. The VMM (src/vmm) fills it with KVM ioctls (KVM_SIGNAL_MSI, KVM_IRQFD with GSI
 * routing, KVM_IOEVENTFD, KVM_IRQ_LINE); unit tests, fuzzers and benchmarks fill it with fakes that
 * record what happened. A NULL operation means "not available": the device then falls back (e.g.
 * no ioeventfd: notifies arrive as MMIO writes on the vCPU thread). */
#ifndef BULWARK_DEV_DEV_HOST_H
#define BULWARK_DEV_DEV_HOST_H

#include <stdbool.h>
#include <stdint.h>

#include "dev/io_bus.h"
#include "vmm/guest_mem.h"

struct dev_host_ops {
	/* Raises or lowers a legacy (IOAPIC/PIC) interrupt line. */
	int (*irq_line)(void *ctx, uint32_t gsi, bool level);
	/* Delivers one MSI message now. */
	int (*signal_msi)(void *ctx, uint64_t addr, uint32_t data);
	/* Binds eventfd fd to an MSI message: a write to fd delivers it without a VMM round trip.
	 * Returns a route handle >= 0 (for update/unbind) or -errno. */
	int (*msi_irqfd_bind)(void *ctx, int fd, uint64_t addr, uint32_t data);
	int (*msi_irqfd_update)(void *ctx, int route, uint64_t addr, uint32_t data);
	int (*msi_irqfd_unbind)(void *ctx, int route, int fd);
	/* Makes a guest write of len bytes to addr (MMIO when !pio) signal eventfd fd instead of
	 * exiting to a vCPU thread; with has_match only writes of value match do. */
	int (*ioeventfd_add)(void *ctx, uint64_t addr, uint32_t len, bool pio, int fd,
			     bool has_match, uint64_t match);
	int (*ioeventfd_del)(void *ctx, uint64_t addr, uint32_t len, bool pio, int fd,
			     bool has_match, uint64_t match);
	/* Asks the VMM to end the guest (i8042 reset, shutdown device): status as `bulwark run`. */
	void (*request_exit)(void *ctx, int status, const char *why);
};

struct dev_host {
	struct guest_mem *mem;
	struct io_bus *pio, *mmio;
	const struct dev_host_ops *ops;
	void *ctx; /* first argument of every op */
};

#endif
