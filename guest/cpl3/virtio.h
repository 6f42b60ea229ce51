/* virtio.h: a minimal virtio 1.x (modern PCI) driver for CPL3 test guests.
 *
 * Finds functions with PCI configuration mechanism #1 (ports 0xCF8/0xCFC), walks their vendor
 * capabilities to the common/notify/ISR/device structures in the BARs bulwark assigned, negotiates
 * features and sets up split queues the way Linux does, but without interrupts: MSI-X stays off,
 * the rings ask for no interrupts (VRING_AVAIL_F_NO_INTERRUPT) and the guest polls the used ring.
 * Guest-physical == virtual (identity map), so ring and buffer pointers are their addresses. */
#ifndef BULWARK_GUEST_CPL3_VIRTIO_H
#define BULWARK_GUEST_CPL3_VIRTIO_H

#include "cpl3.h"

#define VIRTIO_ST_ACK 1
#define VIRTIO_ST_DRIVER 2
#define VIRTIO_ST_DRIVER_OK 4
#define VIRTIO_ST_FEATURES_OK 8
#define VIRTIO_ST_NEEDS_RESET 0x40
#define VIRTIO_F_VERSION_1 (1ULL << 32)
#define VDESC_F_NEXT 1
#define VDESC_F_WRITE 2

static inline uint32_t pci_cfg_read32(unsigned slot, unsigned off)
{
	outl(0xcf8, 0x80000000u | (slot << 11) | (off & 0xfc));
	return inl(0xcfc);
}

static inline uint8_t pci_cfg_read8(unsigned slot, unsigned off)
{
	return (uint8_t)(pci_cfg_read32(slot, off) >> (8 * (off & 3)));
}

/* The n-th (0-based) function with this vendor:device id on bus 0, or -1. */
static inline int pci_find(uint16_t vendor, uint16_t device, unsigned n)
{
	for (unsigned s = 0; s < 32; s++) {
		uint32_t id = pci_cfg_read32(s, 0);

		if ((id & 0xffff) == vendor && (id >> 16) == device && n-- == 0)
			return (int)s;
	}
	return -1;
}

struct vdev {
	unsigned slot;
	uint64_t common, notify, isr, devcfg;
	uint32_t notify_mult;
	uint64_t features;
};

struct vq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags, next;
};

struct vq {
	uint16_t size, index;
	struct vq_desc *desc;
	volatile uint16_t *avail; /* flags, idx, ring[size] */
	volatile uint8_t *used;	  /* flags, idx, ring[size] of {u32 id, u32 len} */
	uint16_t avail_idx, last_used, next_desc;
	uint64_t notify_addr;
};

static inline uint64_t vdev_cap_addr(unsigned slot, unsigned cap)
{
	unsigned bar = pci_cfg_read8(slot, cap + 4);

	return (pci_cfg_read32(slot, 0x10 + 4 * bar) & ~0xfu) + pci_cfg_read32(slot, cap + 8);
}

/* Locates the structures of the virtio function in slot; false when one is missing. */
static inline bool vdev_init(struct vdev *d, unsigned slot)
{
	unsigned p = pci_cfg_read8(slot, 0x34), guard = 0;

	memset(d, 0, sizeof(*d));
	d->slot = slot;
	while (p && guard++ < 48) {
		if (pci_cfg_read8(slot, p) == 0x09) {
			switch (pci_cfg_read8(slot, p + 3)) {
			case 1:
				d->common = vdev_cap_addr(slot, p);
				break;
			case 2:
				d->notify = vdev_cap_addr(slot, p);
				d->notify_mult = pci_cfg_read32(slot, p + 16);
				break;
			case 3:
				d->isr = vdev_cap_addr(slot, p);
				break;
			case 4:
				d->devcfg = vdev_cap_addr(slot, p);
				break;
			}
		}
		p = pci_cfg_read8(slot, p + 1);
	}
	return d->common && d->notify && d->isr;
}

static inline uint8_t vdev_status(struct vdev *d)
{
	return mmio_read8(d->common + 0x14);
}

/* Reset, ACK, DRIVER, features (want & offered), FEATURES_OK. False when refused. */
static inline bool vdev_negotiate(struct vdev *d, uint64_t want)
{
	uint64_t offered;

	mmio_write8(d->common + 0x14, 0);
	while (vdev_status(d))
		cpu_relax();
	mmio_write8(d->common + 0x14, VIRTIO_ST_ACK);
	mmio_write8(d->common + 0x14, VIRTIO_ST_ACK | VIRTIO_ST_DRIVER);
	mmio_write32(d->common + 0x00, 0);
	offered = mmio_read32(d->common + 0x04);
	mmio_write32(d->common + 0x00, 1);
	offered |= (uint64_t)mmio_read32(d->common + 0x04) << 32;
	d->features = offered & want;
	mmio_write32(d->common + 0x08, 0);
	mmio_write32(d->common + 0x0c, (uint32_t)d->features);
	mmio_write32(d->common + 0x08, 1);
	mmio_write32(d->common + 0x0c, (uint32_t)(d->features >> 32));
	mmio_write8(d->common + 0x14, VIRTIO_ST_ACK | VIRTIO_ST_DRIVER | VIRTIO_ST_FEATURES_OK);
	return vdev_status(d) & VIRTIO_ST_FEATURES_OK;
}

/* Sets up queue qi with at most size entries. */
static inline bool vq_setup(struct vdev *d, struct vq *q, unsigned qi, uint16_t size)
{
	uint16_t max;

	memset(q, 0, sizeof(*q));
	mmio_write16(d->common + 0x16, (uint16_t)qi);
	max = mmio_read16(d->common + 0x18);
	if (!max)
		return false;
	if (size > max)
		size = max;
	mmio_write16(d->common + 0x18, size);
	q->size = size;
	q->index = (uint16_t)qi;
	q->desc = cpl3_alloc(16u * size, 4096);
	q->avail = cpl3_alloc(6u + 2u * size, 4096);
	q->used = cpl3_alloc(6u + 8u * size, 4096);
	if (!q->desc || !q->avail || !q->used)
		return false;
	q->avail[0] = 1; /* VRING_AVAIL_F_NO_INTERRUPT: this guest polls */
	mmio_write64(d->common + 0x20, (uint64_t)q->desc);
	mmio_write64(d->common + 0x28, (uint64_t)q->avail);
	mmio_write64(d->common + 0x30, (uint64_t)q->used);
	mmio_write16(d->common + 0x1a, 0xffff); /* no MSI-X vector */
	q->notify_addr = d->notify + (uint64_t)d->notify_mult * mmio_read16(d->common + 0x1e);
	mmio_write16(d->common + 0x1c, 1);
	return true;
}

static inline bool vdev_driver_ok(struct vdev *d)
{
	mmio_write8(d->common + 0x14,
		    VIRTIO_ST_ACK | VIRTIO_ST_DRIVER | VIRTIO_ST_FEATURES_OK | VIRTIO_ST_DRIVER_OK);
	return vdev_status(d) ==
	       (VIRTIO_ST_ACK | VIRTIO_ST_DRIVER | VIRTIO_ST_FEATURES_OK | VIRTIO_ST_DRIVER_OK);
}

struct vbuf {
	const void *addr;
	uint32_t len;
	bool write; /* device-writable */
};

/* Makes a chain of n buffers available (descriptors used round-robin: the caller keeps at most
 * size descriptors in flight). Does not notify. Returns the head. */
static inline uint16_t vq_add(struct vq *q, const struct vbuf *b, unsigned n)
{
	uint16_t head = q->next_desc;

	for (unsigned i = 0; i < n; i++) {
		uint16_t idx = (uint16_t)((q->next_desc + i) % q->size);

		q->desc[idx].addr = (uint64_t)b[i].addr;
		q->desc[idx].len = b[i].len;
		q->desc[idx].flags =
		    (uint16_t)((b[i].write ? VDESC_F_WRITE : 0) | (i + 1 < n ? VDESC_F_NEXT : 0));
		q->desc[idx].next = (uint16_t)((idx + 1) % q->size);
	}
	q->next_desc = (uint16_t)((q->next_desc + n) % q->size);
	q->avail[2 + q->avail_idx % q->size] = head;
	wmb();
	q->avail_idx++;
	q->avail[1] = q->avail_idx;
	return head;
}

static inline void vq_kick(struct vq *q)
{
	mb();
	mmio_write16(q->notify_addr, q->index);
}

/* Takes one used element if there is one. */
static inline bool vq_get_used(struct vq *q, uint32_t *id, uint32_t *len)
{
	uint16_t idx = *(volatile uint16_t *)(q->used + 2);
	volatile uint8_t *e;

	if (idx == q->last_used)
		return false;
	rmb();
	e = q->used + 4 + 8 * (q->last_used % q->size);
	*id = *(volatile uint32_t *)e;
	*len = *(volatile uint32_t *)(e + 4);
	q->last_used++;
	return true;
}

/* Polls for one used element; false after about `spins` polls (the device is stuck). */
static inline bool vq_wait_used(struct vq *q, uint32_t *id, uint32_t *len, uint64_t spins)
{
	for (uint64_t i = 0; i < spins; i++) {
		if (vq_get_used(q, id, len))
			return true;
		cpu_relax();
	}
	return false;
}

#endif
