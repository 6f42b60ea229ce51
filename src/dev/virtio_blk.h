/* virtio_blk.h: virtio-blk (virtio 1.x over virtio-pci) backed by a raw image file.
 *
 * Requests: VIRTIO_BLK_T_IN, OUT, FLUSH, GET_ID; features FLUSH, RO (for read-only disks),
 * SEG_MAX, BLK_SIZE. Capacity is the file size in 512-byte sectors. A read-only disk answers
 * writes with VIRTIO_BLK_S_IOERR (what Linux expects; it also sees VIRTIO_BLK_F_RO and mounts
 * read-only). Requests beyond capacity get IOERR, unknown types UNSUPP; a malformed request chain
 * (no status byte, short header) puts the device in NEEDS_RESET. Requests are served by a worker
 * thread of the device, never on vCPU threads. */
#ifndef BULWARK_DEV_VIRTIO_BLK_H
#define BULWARK_DEV_VIRTIO_BLK_H

#include <stdbool.h>
#include <stddef.h>

#include "dev/dev_host.h"
#include "dev/pci.h"

struct virtio_blk;
struct virtio_pci;

/* Opens path (O_CLOEXEC, read-only when readonly) and adds the device to bus. Returns NULL with a
 * message in err naming the file and the reason (missing, unreadable, not a multiple of 512...). */
struct virtio_blk *virtio_blk_create(struct pci_bus *bus, struct dev_host *host, const char *path,
				     bool readonly, char *err, size_t errlen);
/* Stops the worker, flushes (fdatasync) and closes the file, removes the PCI function. */
void virtio_blk_destroy(struct virtio_blk *b);

/* The device's virtio-pci transport (tests, fuzzers). */
struct virtio_pci *virtio_blk_transport(struct virtio_blk *b);

#endif
