/* fake_guest.h: a guest without KVM for the device-model tests: guest RAM over a buffer, the two
 * I/O buses, a dev_host whose operations record what the devices did (MSIs, INTx lines,
 * ioeventfds), and a small virtio-pci driver that finds functions through config mechanism #1,
 * negotiates features and sets up split queues the way Linux does, but by polling.
 * Everything goes through the same entry points as a vCPU exit would (io_bus_access). */
#ifndef BULWARK_TESTS_FAKE_GUEST_H
#define BULWARK_TESTS_FAKE_GUEST_H

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dev/dev_host.h"
#include "dev/io_bus.h"
#include "vmm/guest_mem.h"

#define FG_MAX_MSI 4096

struct fg {
	struct guest_mem mem;
	uint8_t *ram;
	uint64_t ram_size;
	uint64_t next_alloc; /* bump allocator for rings and buffers */
	struct io_bus pio, mmio;
	struct dev_host host;
	struct dev_host_ops ops;
	pthread_mutex_t lock;
	unsigned n_msi;
	uint64_t msi_addr[FG_MAX_MSI];
	uint32_t msi_data[FG_MAX_MSI];
	int irq_level[32];
	unsigned n_ioev;
};

static inline int fg_signal_msi(void *ctx, uint64_t addr, uint32_t data)
{
	struct fg *g = ctx;

	pthread_mutex_lock(&g->lock);
	if (g->n_msi < FG_MAX_MSI) {
		g->msi_addr[g->n_msi] = addr;
		g->msi_data[g->n_msi] = data;
	}
	g->n_msi++;
	pthread_mutex_unlock(&g->lock);
	return 0;
}

static inline int fg_irq_line(void *ctx, uint32_t gsi, bool level)
{
	struct fg *g = ctx;

	pthread_mutex_lock(&g->lock);
	if (gsi < 32)
		g->irq_level[gsi] = level;
	pthread_mutex_unlock(&g->lock);
	return 0;
}

static inline unsigned fg_msi_count(struct fg *g)
{
	unsigned n;

	pthread_mutex_lock(&g->lock);
	n = g->n_msi;
	pthread_mutex_unlock(&g->lock);
	return n;
}

static inline void fg_init(struct fg *g, uint64_t ram_size)
{
	memset(g, 0, sizeof(*g));
	g->ram = calloc(1, ram_size);
	g->ram_size = ram_size;
	g->next_alloc = 0x10000;
	guest_mem_init_buffer(&g->mem, g->ram, ram_size);
	io_bus_init(&g->pio, "pio");
	io_bus_init(&g->mmio, "mmio");
	pthread_mutex_init(&g->lock, NULL);
	g->ops.signal_msi = fg_signal_msi;
	g->ops.irq_line = fg_irq_line;
	g->host = (struct dev_host){&g->mem, &g->pio, &g->mmio, &g->ops, g};
}

static inline void fg_destroy(struct fg *g)
{
	io_bus_destroy(&g->pio);
	io_bus_destroy(&g->mmio);
	pthread_mutex_destroy(&g->lock);
	free(g->ram);
}

/* Guest-physical allocation (aligned to align), zeroed. */
static inline uint64_t fg_alloc(struct fg *g, uint64_t len, uint64_t align)
{
	uint64_t a = (g->next_alloc + align - 1) & ~(align - 1);

	g->next_alloc = a + len;
	if (g->next_alloc > g->ram_size)
		abort();
	memset(g->ram + a, 0, len);
	return a;
}

static inline void *fg_ptr(struct fg *g, uint64_t gpa)
{
	return g->ram + gpa;
}

/* ---- port I/O, MMIO and config space as a guest sees them ---------------------------------- */

static inline void fg_out(struct fg *g, uint16_t port, uint32_t v, uint32_t len)
{
	io_bus_access(&g->pio, port, (uint8_t *)&v, len, true);
}

static inline uint32_t fg_in(struct fg *g, uint16_t port, uint32_t len)
{
	uint32_t v = 0;

	io_bus_access(&g->pio, port, (uint8_t *)&v, len, false);
	return v;
}

static inline void fg_mmio_write(struct fg *g, uint64_t addr, uint64_t v, uint32_t len)
{
	io_bus_access(&g->mmio, addr, (uint8_t *)&v, len, true);
}

static inline uint64_t fg_mmio_read(struct fg *g, uint64_t addr, uint32_t len)
{
	uint64_t v = 0;

	io_bus_access(&g->mmio, addr, (uint8_t *)&v, len, false);
	return v;
}

static inline uint32_t fg_cfg_read(struct fg *g, unsigned slot, unsigned off, unsigned len)
{
	fg_out(g, 0xcf8, 0x80000000u | (slot << 11) | (off & 0xfc), 4);
	return fg_in(g, (uint16_t)(0xcfc + (off & 3)), len);
}

static inline void fg_cfg_write(struct fg *g, unsigned slot, unsigned off, uint32_t v, unsigned len)
{
	fg_out(g, 0xcf8, 0x80000000u | (slot << 11) | (off & 0xfc), 4);
	fg_out(g, (uint16_t)(0xcfc + (off & 3)), v, len);
}

/* Finds the capability cap_id (and, for vendor capabilities, cfg_type) of slot. 0: none. */
static inline unsigned fg_find_cap(struct fg *g, unsigned slot, uint8_t cap_id, int cfg_type)
{
	unsigned p = fg_cfg_read(g, slot, 0x34, 1), guard = 0;

	while (p && guard++ < 48) {
		if (fg_cfg_read(g, slot, p, 1) == cap_id &&
		    (cfg_type < 0 || fg_cfg_read(g, slot, p + 3, 1) == (unsigned)cfg_type))
			return p;
		p = fg_cfg_read(g, slot, p + 1, 1);
	}
	return 0;
}

/* ---- a polling virtio-pci driver ------------------------------------------------------------ */

struct fq {
	uint16_t size;
	uint64_t desc, avail, used;
	uint16_t avail_idx, next_desc, used_seen;
};

struct fdrv {
	struct fg *g;
	unsigned slot;
	uint64_t common, notify, isr, devcfg, msix;
	uint32_t notify_mult;
	uint64_t features;
	struct fq q[8];
};

static inline uint64_t fdrv_cap_addr(struct fg *g, unsigned slot, unsigned cap)
{
	unsigned bar = fg_cfg_read(g, slot, cap + 4, 1);

	return (fg_cfg_read(g, slot, 0x10 + 4 * bar, 4) & ~0xfu) + fg_cfg_read(g, slot, cap + 8, 4);
}

/* Resets the device, negotiates want & offered, enables MSI-X (vector i for queue i, config
 * vector nq) and sets up nq queues of size qsize, then DRIVER_OK. Returns the status read back. */
static inline uint8_t fdrv_probe(struct fdrv *d, struct fg *g, unsigned slot, uint64_t want,
				 unsigned nq, uint16_t qsize)
{
	unsigned c;
	uint64_t offered;
	uint64_t msix_bar;

	memset(d, 0, sizeof(*d));
	d->g = g;
	d->slot = slot;
	c = fg_find_cap(g, slot, 0x09, 1);
	d->common = fdrv_cap_addr(g, slot, c);
	c = fg_find_cap(g, slot, 0x09, 2);
	d->notify = fdrv_cap_addr(g, slot, c);
	d->notify_mult = fg_cfg_read(g, slot, c + 16, 4);
	c = fg_find_cap(g, slot, 0x09, 3);
	d->isr = fdrv_cap_addr(g, slot, c);
	c = fg_find_cap(g, slot, 0x09, 4);
	d->devcfg = c ? fdrv_cap_addr(g, slot, c) : 0;
	c = fg_find_cap(g, slot, 0x11, -1);
	msix_bar = fg_cfg_read(g, slot, 0x10 + 4 * (fg_cfg_read(g, slot, c + 4, 4) & 7), 4) & ~0xfu;
	d->msix = msix_bar + (fg_cfg_read(g, slot, c + 4, 4) & ~7u);
	fg_cfg_write(g, slot, c + 2, 0x8000, 2); /* MSI-X enable */
	fg_mmio_write(g, d->common + 0x14, 0, 1);
	fg_mmio_write(g, d->common + 0x14, 1, 1);
	fg_mmio_write(g, d->common + 0x14, 3, 1);
	fg_mmio_write(g, d->common + 0x00, 0, 4);
	offered = fg_mmio_read(g, d->common + 0x04, 4);
	fg_mmio_write(g, d->common + 0x00, 1, 4);
	offered |= fg_mmio_read(g, d->common + 0x04, 4) << 32;
	d->features = offered & want;
	fg_mmio_write(g, d->common + 0x08, 0, 4);
	fg_mmio_write(g, d->common + 0x0c, (uint32_t)d->features, 4);
	fg_mmio_write(g, d->common + 0x08, 1, 4);
	fg_mmio_write(g, d->common + 0x0c, (uint32_t)(d->features >> 32), 4);
	fg_mmio_write(g, d->common + 0x14, 0xb, 1);
	if (!(fg_mmio_read(g, d->common + 0x14, 1) & 8))
		return (uint8_t)fg_mmio_read(g, d->common + 0x14, 1);
	for (unsigned v = 0; v <= nq; v++) {
		uint64_t e = d->msix + 16 * v;

		fg_mmio_write(g, e + 0, 0xfee00000u, 4);
		fg_mmio_write(g, e + 4, 0, 4);
		fg_mmio_write(g, e + 8, 0x40 + v, 4);
		fg_mmio_write(g, e + 12, 0, 4); /* unmasked */
	}
	fg_mmio_write(g, d->common + 0x10, nq, 2);
	for (unsigned i = 0; i < nq; i++) {
		struct fq *q = &d->q[i];

		fg_mmio_write(g, d->common + 0x16, i, 2);
		fg_mmio_write(g, d->common + 0x18, qsize, 2);
		q->size = qsize;
		q->desc = fg_alloc(g, 16 * qsize, 4096);
		q->avail = fg_alloc(g, 6 + 2 * qsize, 2);
		q->used = fg_alloc(g, 6 + 8 * qsize, 4096);
		fg_mmio_write(g, d->common + 0x20, q->desc, 8);
		fg_mmio_write(g, d->common + 0x28, q->avail, 8);
		fg_mmio_write(g, d->common + 0x30, q->used, 8);
		fg_mmio_write(g, d->common + 0x1a, i, 2);
		fg_mmio_write(g, d->common + 0x1c, 1, 2);
	}
	fg_mmio_write(g, d->common + 0x14, 0xf, 1);
	return (uint8_t)fg_mmio_read(g, d->common + 0x14, 1);
}

static inline uint8_t fdrv_status(struct fdrv *d)
{
	return (uint8_t)fg_mmio_read(d->g, d->common + 0x14, 1);
}

struct fbuf {
	uint64_t addr;
	uint32_t len;
	bool write;
};

/* Writes a chain of n descriptors and makes it available (does not notify). Returns its head. */
static inline uint16_t fq_add(struct fg *g, struct fq *q, const struct fbuf *b, unsigned n)
{
	uint8_t *desc = fg_ptr(g, q->desc);
	uint16_t head = q->next_desc % q->size;

	for (unsigned i = 0; i < n; i++) {
		uint16_t idx = (uint16_t)((q->next_desc + i) % q->size);
		uint16_t flags = (b[i].write ? 2 : 0) | (i + 1 < n ? 1 : 0);
		uint16_t next = (uint16_t)((idx + 1) % q->size);

		memcpy(desc + 16 * idx, &b[i].addr, 8);
		memcpy(desc + 16 * idx + 8, &b[i].len, 4);
		memcpy(desc + 16 * idx + 12, &flags, 2);
		memcpy(desc + 16 * idx + 14, &next, 2);
	}
	q->next_desc = (uint16_t)((q->next_desc + n) % q->size);
	memcpy(fg_ptr(g, q->avail + 4 + 2 * (q->avail_idx % q->size)), &head, 2);
	/* used_event (EVENT_IDX): interrupt when this chain is used. */
	memcpy(fg_ptr(g, q->avail + 4 + 2 * q->size), &q->avail_idx, 2);
	q->avail_idx++;
	__atomic_store_n((uint16_t *)fg_ptr(g, q->avail + 2), q->avail_idx, __ATOMIC_RELEASE);
	return head;
}

static inline void fdrv_notify(struct fdrv *d, unsigned qi)
{
	fg_mmio_write(d->g, d->notify + d->notify_mult * qi, qi, 2);
}

static inline uint16_t fq_used_idx(struct fg *g, struct fq *q)
{
	return __atomic_load_n((uint16_t *)fg_ptr(g, q->used + 2), __ATOMIC_ACQUIRE);
}

/* The used element number i (id, len). */
static inline void fq_used_elem(struct fg *g, struct fq *q, uint16_t i, uint32_t *id, uint32_t *len)
{
	uint8_t *e = fg_ptr(g, q->used + 4 + 8 * (i % q->size));

	memcpy(id, e, 4);
	memcpy(len, e + 4, 4);
}

/* Waits (polling, up to 10 s so a broken device fails instead of hanging) until used idx
 * reaches want or the status shows NEEDS_RESET. Returns true when reached. */
static inline bool fq_wait_used(struct fdrv *d, struct fq *q, uint16_t want)
{
	for (int i = 0; i < 10000; i++) {
		if ((uint16_t)(fq_used_idx(d->g, q) - want) < 0x8000)
			return true;
		if (fdrv_status(d) & 0x40)
			return false;
		usleep(1000);
	}
	return false;
}

/* Waits until the device status shows NEEDS_RESET (up to 10 s). */
static inline bool fdrv_wait_needs_reset(struct fdrv *d)
{
	for (int i = 0; i < 10000; i++) {
		if (fdrv_status(d) & 0x40)
			return true;
		usleep(1000);
	}
	return false;
}

#endif
