/* virtio_pci.c: virtio 1.x modern PCI transport (see virtio_pci.h).
 *
 * Guest accesses arrive on vCPU threads through the BAR handlers and take vp->lock; the device's
 * work runs on the worker thread, also under vp->lock, so a reset never races a queue being
 * processed. Doorbells are eventfds: with ioeventfd KVM signals them directly, otherwise the
 * notify MMIO handler writes them. Everything a guest writes is checked: unknown registers,
 * odd-sized or unaligned accesses and MSI-X table abuse are ignored (logged once); protocol
 * errors (a notify before setup, rings outside RAM, a broken chain) set NEEDS_RESET.
 *
 * The PCI configuration access capability (VIRTIO_PCI_CAP_PCI_CFG) is a window: the driver writes
 * cap.bar, cap.offset and cap.length, then reads or writes pci_cfg_data, and the device performs
 * that access on the BAR (through virtio_pci_bar0_access(), so the same checks apply). A window
 * that does not address 1, 2 or 4 aligned bytes inside one of the BAR0 structures is ignored
 * (logged once). */
#include "dev/virtio_pci.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "common/log.h"

#define PCI_CAP_ID_VNDR 0x09
#define PCI_CAP_ID_MSIX 0x11
#define PCI_COMMAND 0x04
#define PCI_CMD_INTX_DISABLE 0x0400

#define VIRTIO_CAP_COMMON 1
#define VIRTIO_CAP_NOTIFY 2
#define VIRTIO_CAP_ISR 3
#define VIRTIO_CAP_DEVICE 4
#define VIRTIO_CAP_PCI_CFG 5

/* Offsets in struct virtio_pci_cfg_cap from the capability's start. */
#define PCICFG_BAR 4
#define PCICFG_OFFSET 8
#define PCICFG_LENGTH 12
#define PCICFG_DATA 16

#define COMMON_SIZE 0x38
#define ISR_QUEUE 1
#define ISR_CONFIG 2

#define EV_STOP 0xffff
#define EV_FD_BASE 0x100

#define MSIX_CTRL_MASKALL 0x4000
#define MSIX_CTRL_ENABLE 0x8000

static bool running(const struct virtio_pci *vp)
{
	return (vp->status & VIRTIO_STAT_DRIVER_OK) &&
	       !(vp->status & (VIRTIO_STAT_NEEDS_RESET | VIRTIO_STAT_FAILED));
}

/* ---- interrupts ---------------------------------------------------------------------------- */

static void msix_deliver(struct virtio_pci *vp, unsigned vec)
{
	struct virtio_msix_entry *e = &vp->msix[vec];
	const struct dev_host_ops *ops = vp->host->ops;
	uint64_t addr = ((uint64_t)e->addr_hi << 32) | e->addr_lo;

	if ((addr & ~0xfffffULL) != 0xfee00000ULL) {
		bw_log_once(&vp->logged_msix, BW_LOG_WARN,
			    "%s: MSI-X vector %u has address 0x%llx outside the LAPIC window, "
			    "interrupt dropped",
			    vp->label, vec, (unsigned long long)addr);
		return;
	}
	if (ops->msi_irqfd_bind && e->irqfd < 0) {
		int fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);

		if (fd >= 0) {
			int route = ops->msi_irqfd_bind(vp->host->ctx, fd, addr, e->data);

			if (route >= 0) {
				e->irqfd = fd;
				e->route = route;
				e->route_dirty = false;
			} else {
				close(fd);
			}
		}
	}
	if (e->irqfd >= 0) {
		uint64_t one = 1;

		if (e->route_dirty) {
			if (ops->msi_irqfd_update &&
			    ops->msi_irqfd_update(vp->host->ctx, e->route, addr, e->data) == 0) {
				e->route_dirty = false;
			} else {
				if (ops->signal_msi)
					ops->signal_msi(vp->host->ctx, addr, e->data);
				return;
			}
		}
		if (write(e->irqfd, &one, sizeof(one)) == sizeof(one))
			return;
	}
	if (ops->signal_msi)
		ops->signal_msi(vp->host->ctx, addr, e->data);
}

static void signal_vector(struct virtio_pci *vp, uint16_t vec, uint8_t isr_bit)
{
	if (!vp->msix_enabled) {
		uint32_t cmd = pci_dev_cfg_read(vp->pci, PCI_COMMAND, 2);

		vp->isr |= isr_bit;
		if (!(cmd & PCI_CMD_INTX_DISABLE) && !vp->intx_asserted &&
		    vp->host->ops->irq_line) {
			vp->intx_asserted = true;
			vp->host->ops->irq_line(vp->host->ctx, pci_dev_irq_line(vp->pci), true);
		}
		return;
	}
	if (vec >= VIRTIO_PCI_MSIX_VECTORS)
		return; /* VIRTIO_PCI_NO_VECTOR: the driver wants no interrupt */
	if (vp->msix_masked || (vp->msix[vec].ctrl & 1)) {
		vp->pba |= 1ULL << vec;
		return;
	}
	msix_deliver(vp, vec);
}

static void deliver_pending(struct virtio_pci *vp)
{
	if (!vp->msix_enabled || vp->msix_masked)
		return;
	for (unsigned v = 0; v < VIRTIO_PCI_MSIX_VECTORS; v++) {
		if ((vp->pba & (1ULL << v)) && !(vp->msix[v].ctrl & 1)) {
			vp->pba &= ~(1ULL << v);
			msix_deliver(vp, v);
		}
	}
}

void virtio_pci_notify(struct virtio_pci *vp, unsigned q)
{
	if (q >= vp->cfg.num_queues || !virtq_should_notify(&vp->q[q].vq))
		return;
	signal_vector(vp, vp->q[q].msix_vector, ISR_QUEUE);
}

void virtio_pci_config_changed(struct virtio_pci *vp)
{
	vp->config_generation++;
	signal_vector(vp, vp->msix_config, ISR_CONFIG);
}

void virtio_pci_needs_reset(struct virtio_pci *vp, const char *why)
{
	if (vp->status & VIRTIO_STAT_NEEDS_RESET)
		return;
	bw_log_once(&vp->logged_reset, BW_LOG_WARN, "%s: guest error, device needs reset: %s",
		    vp->label, why);
	vp->status |= VIRTIO_STAT_NEEDS_RESET;
	/* Only a driver that got that far can be told (virtio 1.2 2.1.2). */
	if (vp->status & VIRTIO_STAT_DRIVER_OK)
		virtio_pci_config_changed(vp);
}

/* ---- doorbells ----------------------------------------------------------------------------- */

static void ioev_del(struct virtio_pci *vp, struct virtio_pci_queue *q)
{
	if (!q->ioev_addr)
		return;
	vp->host->ops->ioeventfd_del(vp->host->ctx, q->ioev_addr, 2, false, q->kick_fd, false, 0);
	q->ioev_addr = 0;
}

static void ioev_add(struct virtio_pci *vp, unsigned idx)
{
	struct virtio_pci_queue *q = &vp->q[idx];
	uint64_t addr;

	if (!vp->host->ops->ioeventfd_add || !vp->bar0 || !q->enabled)
		return;
	addr = vp->bar0 + VIRTIO_PCI_NOTIFY_OFF + VIRTIO_PCI_NOTIFY_MULT * idx;
	if (q->ioev_addr == addr)
		return;
	ioev_del(vp, q);
	if (vp->host->ops->ioeventfd_add(vp->host->ctx, addr, 2, false, q->kick_fd, false, 0) == 0)
		q->ioev_addr = addr;
}

static void kick(int fd)
{
	uint64_t one = 1;

	if (write(fd, &one, sizeof(one)) != sizeof(one))
		return; /* counter saturated: a kick is pending anyway */
}

/* ---- status and reset ---------------------------------------------------------------------- */

static void device_reset(struct virtio_pci *vp)
{
	if (vp->cfg.ops->reset)
		vp->cfg.ops->reset(vp->cfg.dev);
	for (unsigned i = 0; i < vp->cfg.num_queues; i++) {
		struct virtio_pci_queue *q = &vp->q[i];
		uint64_t v;

		ioev_del(vp, q);
		if (read(q->kick_fd, &v, sizeof(v)) < 0) {
			/* nothing pending */
		}
		q->enabled = false;
		q->size = vp->cfg.queue_max;
		q->msix_vector = VIRTIO_PCI_NO_VECTOR;
		q->desc_lo = q->desc_hi = q->avail_lo = q->avail_hi = q->used_lo = q->used_hi = 0;
		virtq_init(&q->vq, vp->host->mem, q->vq_name, q->size);
	}
	vp->driver_features = 0;
	vp->dfselect = vp->gfselect = 0;
	vp->msix_config = VIRTIO_PCI_NO_VECTOR;
	vp->queue_select = 0;
	vp->status = 0;
	vp->isr = 0;
	if (vp->intx_asserted && vp->host->ops->irq_line)
		vp->host->ops->irq_line(vp->host->ctx, pci_dev_irq_line(vp->pci), false);
	vp->intx_asserted = false;
}

static void set_status(struct virtio_pci *vp, uint8_t v)
{
	uint8_t old = vp->status;

	if (v == 0) {
		device_reset(vp);
		return;
	}
	if ((v & VIRTIO_STAT_FEATURES_OK) && !(old & VIRTIO_STAT_FEATURES_OK)) {
		uint64_t extra = vp->driver_features & ~vp->host_features;

		if (extra || !(vp->driver_features & VIRTIO_FEAT_VERSION_1)) {
			bw_log_once(&vp->logged_feat, BW_LOG_WARN,
				    "%s: driver features 0x%llx refused (%s)", vp->label,
				    (unsigned long long)vp->driver_features,
				    extra ? "features the device did not offer"
					  : "VIRTIO_F_VERSION_1 missing");
			v &= ~VIRTIO_STAT_FEATURES_OK;
		}
	}
	if ((v & VIRTIO_STAT_DRIVER_OK) && !(old & VIRTIO_STAT_DRIVER_OK) &&
	    !(v & VIRTIO_STAT_FEATURES_OK)) {
		vp->status = old | (v & ~VIRTIO_STAT_DRIVER_OK);
		virtio_pci_needs_reset(vp, "DRIVER_OK without FEATURES_OK");
		return;
	}
	vp->status = v | (old & VIRTIO_STAT_NEEDS_RESET);
	if ((v & VIRTIO_STAT_DRIVER_OK) && !(old & VIRTIO_STAT_DRIVER_OK) && running(vp)) {
		if (vp->cfg.ops->start)
			vp->cfg.ops->start(vp->cfg.dev, vp->driver_features);
		/* Buffers may have been made available before DRIVER_OK: look at every queue. */
		for (unsigned i = 0; i < vp->cfg.num_queues; i++)
			if (vp->q[i].enabled)
				kick(vp->q[i].kick_fd);
	}
}

static void queue_enable(struct virtio_pci *vp, unsigned idx)
{
	struct virtio_pci_queue *q = &vp->q[idx];
	uint64_t f = vp->driver_features;

	if (q->enabled)
		return;
	virtq_init(&q->vq, vp->host->mem, q->vq_name, q->size);
	q->vq.desc_gpa = ((uint64_t)q->desc_hi << 32) | q->desc_lo;
	q->vq.avail_gpa = ((uint64_t)q->avail_hi << 32) | q->avail_lo;
	q->vq.used_gpa = ((uint64_t)q->used_hi << 32) | q->used_lo;
	if (virtq_enable(&q->vq, f & VIRTIO_FEAT_RING_EVENT_IDX,
			 f & VIRTIO_FEAT_RING_INDIRECT_DESC)) {
		virtio_pci_needs_reset(vp, q->vq.err);
		return;
	}
	q->enabled = true;
	ioev_add(vp, idx);
}

/* ---- common configuration ------------------------------------------------------------------ */

static void put(uint8_t *buf, uint32_t off, uint32_t len, uint64_t v)
{
	for (uint32_t i = 0; i < len; i++)
		buf[off + i] = (uint8_t)(v >> (8 * i));
}

static void common_read(struct virtio_pci *vp, uint32_t off, uint8_t *data, uint32_t len)
{
	uint8_t b[COMMON_SIZE] = {0};
	unsigned qs = vp->queue_select;

	put(b, 0x00, 4, vp->dfselect);
	put(b, 0x04, 4,
	    vp->dfselect < 2 ? (uint32_t)(vp->host_features >> (32 * vp->dfselect)) : 0);
	put(b, 0x08, 4, vp->gfselect);
	put(b, 0x0c, 4,
	    vp->gfselect < 2 ? (uint32_t)(vp->driver_features >> (32 * vp->gfselect)) : 0);
	put(b, 0x10, 2, vp->msix_config);
	put(b, 0x12, 2, vp->cfg.num_queues);
	put(b, 0x14, 1, vp->status);
	put(b, 0x15, 1, vp->config_generation);
	put(b, 0x16, 2, vp->queue_select);
	if (qs < vp->cfg.num_queues) {
		struct virtio_pci_queue *q = &vp->q[qs];

		put(b, 0x18, 2, q->size);
		put(b, 0x1a, 2, q->msix_vector);
		put(b, 0x1c, 2, q->enabled);
		put(b, 0x1e, 2, qs);
		put(b, 0x20, 4, q->desc_lo);
		put(b, 0x24, 4, q->desc_hi);
		put(b, 0x28, 4, q->avail_lo);
		put(b, 0x2c, 4, q->avail_hi);
		put(b, 0x30, 4, q->used_lo);
		put(b, 0x34, 4, q->used_hi);
	}
	memcpy(data, b + off, len);
}

static uint16_t valid_vector(uint32_t v)
{
	return v < VIRTIO_PCI_MSIX_VECTORS ? (uint16_t)v : VIRTIO_PCI_NO_VECTOR;
}

static void common_write(struct virtio_pci *vp, uint32_t off, uint32_t len, uint64_t v)
{
	unsigned qs = vp->queue_select;
	struct virtio_pci_queue *q = qs < vp->cfg.num_queues ? &vp->q[qs] : NULL;
	bool ok = true;

	if (len == 8 && (off == 0x20 || off == 0x28 || off == 0x30)) {
		common_write(vp, off, 4, (uint32_t)v);
		common_write(vp, off + 4, 4, v >> 32);
		return;
	}
	switch (off) {
	case 0x00:
		ok = len == 4;
		if (ok)
			vp->dfselect = (uint32_t)v;
		break;
	case 0x08:
		ok = len == 4;
		if (ok)
			vp->gfselect = (uint32_t)v;
		break;
	case 0x0c:
		ok = len == 4;
		if (ok && vp->gfselect < 2 && !(vp->status & VIRTIO_STAT_FEATURES_OK)) {
			unsigned sh = 32 * vp->gfselect;

			vp->driver_features &= ~(0xffffffffULL << sh);
			vp->driver_features |= (v & 0xffffffffULL) << sh;
		}
		break;
	case 0x10:
		ok = len == 2;
		if (ok)
			vp->msix_config = valid_vector((uint32_t)v);
		break;
	case 0x14:
		ok = len == 1;
		if (ok)
			set_status(vp, (uint8_t)v);
		break;
	case 0x16:
		ok = len == 2;
		if (ok)
			vp->queue_select = (uint16_t)v;
		break;
	case 0x18:
		ok = len == 2;
		if (ok && q && !q->enabled)
			q->size = (v >= 1 && v <= vp->cfg.queue_max) ? (uint16_t)v : q->size;
		break;
	case 0x1a:
		ok = len == 2;
		if (ok && q)
			q->msix_vector = valid_vector((uint32_t)v);
		break;
	case 0x1c:
		ok = len == 2;
		if (ok && q && v == 1)
			queue_enable(vp, qs);
		break;
	case 0x20:
	case 0x24:
	case 0x28:
	case 0x2c:
	case 0x30:
	case 0x34:
		ok = len == 4;
		if (ok && q && !q->enabled) {
			uint32_t *f[] = {&q->desc_lo,  &q->desc_hi, &q->avail_lo,
					 &q->avail_hi, &q->used_lo, &q->used_hi};

			*f[(off - 0x20) / 4] = (uint32_t)v;
		}
		break;
	default:
		ok = false;
	}
	if (!ok)
		bw_log_once(&vp->logged_access, BW_LOG_WARN,
			    "%s: ignored %u-byte write to common config offset 0x%x", vp->label,
			    len, off);
}

/* ---- BAR handlers -------------------------------------------------------------------------- */

void virtio_pci_bar0_access(void *opaque, uint64_t off, uint8_t *data, uint32_t len, bool is_write)
{
	struct virtio_pci *vp = opaque;
	uint64_t v = 0;

	if (!is_write)
		memset(data, 0, len);
	if (len != 1 && len != 2 && len != 4 && len != 8)
		return;
	pthread_mutex_lock(&vp->lock);
	if (off < COMMON_SIZE) {
		if ((off & (len - 1)) || off + len > COMMON_SIZE) {
			bw_log_once(&vp->logged_access, BW_LOG_WARN,
				    "%s: ignored unaligned %u-byte access to common config 0x%llx",
				    vp->label, len, (unsigned long long)off);
		} else if (is_write) {
			memcpy(&v, data, len);
			common_write(vp, (uint32_t)off, len, v);
		} else {
			common_read(vp, (uint32_t)off, data, len);
		}
	} else if (off == VIRTIO_PCI_ISR_OFF) {
		if (!is_write) {
			data[0] = vp->isr;
			vp->isr = 0;
			if (vp->intx_asserted && vp->host->ops->irq_line)
				vp->host->ops->irq_line(vp->host->ctx, pci_dev_irq_line(vp->pci),
							false);
			vp->intx_asserted = false;
		}
	} else if (off >= VIRTIO_PCI_DEVCFG_OFF && off - VIRTIO_PCI_DEVCFG_OFF < vp->cfg.cfg_size &&
		   len <= vp->cfg.cfg_size - (off - VIRTIO_PCI_DEVCFG_OFF)) {
		uint32_t o = (uint32_t)(off - VIRTIO_PCI_DEVCFG_OFF);

		if (is_write && vp->cfg.ops->cfg_write)
			vp->cfg.ops->cfg_write(vp->cfg.dev, o, data, len);
		else if (!is_write && vp->cfg.ops->cfg_read)
			vp->cfg.ops->cfg_read(vp->cfg.dev, o, data, len);
	} else if (off >= VIRTIO_PCI_NOTIFY_OFF &&
		   off < VIRTIO_PCI_NOTIFY_OFF + VIRTIO_PCI_NOTIFY_MULT * VIRTIO_PCI_MAX_QUEUES) {
		unsigned qi = (unsigned)(off - VIRTIO_PCI_NOTIFY_OFF) / VIRTIO_PCI_NOTIFY_MULT;

		if (is_write) {
			if (qi >= vp->cfg.num_queues || !vp->q[qi].enabled) {
				char why[64];

				snprintf(why, sizeof(why), "notify of queue %u before setup", qi);
				virtio_pci_needs_reset(vp, why);
			} else {
				kick(vp->q[qi].kick_fd);
			}
		}
	}
	pthread_mutex_unlock(&vp->lock);
}

void virtio_pci_msix_access(void *opaque, uint64_t off, uint8_t *data, uint32_t len, bool is_write)
{
	struct virtio_pci *vp = opaque;

	if (!is_write)
		memset(data, 0, len);
	if ((len != 4 && len != 8) || (off & (len - 1))) {
		bw_log_once(&vp->logged_msix, BW_LOG_WARN,
			    "%s: ignored %u-byte MSI-X access at 0x%llx (dword accesses only)",
			    vp->label, len, (unsigned long long)off);
		return;
	}
	pthread_mutex_lock(&vp->lock);
	for (uint32_t part = 0; part < len / 4; part++) {
		uint64_t o = off + 4 * part;
		uint32_t v = 0;

		if (is_write)
			memcpy(&v, data + 4 * part, 4);
		if (o < 16 * VIRTIO_PCI_MSIX_VECTORS) {
			struct virtio_msix_entry *e = &vp->msix[o / 16];
			uint32_t *field[] = {&e->addr_lo, &e->addr_hi, &e->data, &e->ctrl};
			unsigned fi = (o % 16) / 4;

			if (!is_write) {
				memcpy(data + 4 * part, field[fi], 4);
				continue;
			}
			if (fi == 3) {
				e->ctrl = v & 1;
			} else {
				*field[fi] = v;
				e->route_dirty = true;
			}
		} else if (o >= VIRTIO_PCI_MSIX_PBA_OFF && o < VIRTIO_PCI_MSIX_PBA_OFF + 8) {
			if (!is_write) {
				uint32_t p =
				    (uint32_t)(vp->pba >> (8 * (o - VIRTIO_PCI_MSIX_PBA_OFF)));

				memcpy(data + 4 * part, &p, 4);
			} else {
				bw_log_once(&vp->logged_msix, BW_LOG_WARN,
					    "%s: ignored write to the MSI-X PBA", vp->label);
			}
		} else if (is_write) {
			bw_log_once(&vp->logged_msix, BW_LOG_WARN,
				    "%s: ignored MSI-X write at 0x%llx beyond the %d-entry table",
				    vp->label, (unsigned long long)o, VIRTIO_PCI_MSIX_VECTORS);
		}
	}
	if (is_write)
		deliver_pending(vp);
	pthread_mutex_unlock(&vp->lock);
}

/* The BAR0 access the VIRTIO_PCI_CAP_PCI_CFG window describes, when it is one the driver may
 * make (virtio 1.2 4.1.4.9.1): cap.bar 0, cap.length 1, 2 or 4, cap.offset a multiple of it, and
 * the bytes inside the common, ISR, device or notify structure. Else false (logged once). */
static bool pcicfg_window(struct virtio_pci *vp, uint32_t *off, uint32_t *len)
{
	uint32_t c = vp->pcicfg_cap;
	uint32_t bar = pci_dev_cfg_read(vp->pci, c + PCICFG_BAR, 1);
	uint32_t o = pci_dev_cfg_read(vp->pci, c + PCICFG_OFFSET, 4);
	uint32_t l = pci_dev_cfg_read(vp->pci, c + PCICFG_LENGTH, 4);
	static const struct {
		uint32_t start, size;
	} st[] = {
	    {VIRTIO_PCI_COMMON_OFF, COMMON_SIZE},
	    {VIRTIO_PCI_ISR_OFF, 1},
	    {VIRTIO_PCI_DEVCFG_OFF, 0}, /* size: cfg.cfg_size */
	    {VIRTIO_PCI_NOTIFY_OFF, 0}, /* size: the notify structure */
	};

	if (bar == 0 && (l == 1 || l == 2 || l == 4) && !(o & (l - 1))) {
		for (unsigned i = 0; i < sizeof(st) / sizeof(st[0]); i++) {
			uint32_t size = st[i].size;

			if (st[i].start == VIRTIO_PCI_DEVCFG_OFF)
				size = vp->cfg.cfg_size;
			else if (st[i].start == VIRTIO_PCI_NOTIFY_OFF)
				size = VIRTIO_PCI_NOTIFY_MULT * vp->cfg.num_queues;
			if (o >= st[i].start && o - st[i].start < size &&
			    l <= size - (o - st[i].start)) {
				*off = o;
				*len = l;
				return true;
			}
		}
	}
	bw_log_once(&vp->logged_pcicfg, BW_LOG_WARN,
		    "%s: ignored PCI_CFG window access (bar %u, offset 0x%x, length %u): not 1, 2 "
		    "or 4 aligned bytes inside a virtio structure of BAR0",
		    vp->label, bar, o, l);
	return false;
}

static bool touches_pcicfg_data(struct virtio_pci *vp, uint32_t off, uint32_t len)
{
	uint32_t d = vp->pcicfg_cap + PCICFG_DATA;

	return vp->pcicfg_cap && off < d + 4 && off + len > d;
}

/* A guest read of pci_cfg_data: read the BAR through the window into it first. */
static void cfg_read_hook(void *opaque, uint32_t off, uint32_t len)
{
	struct virtio_pci *vp = opaque;
	uint32_t o, l, v = 0;

	if (!touches_pcicfg_data(vp, off, len) || !pcicfg_window(vp, &o, &l))
		return;
	virtio_pci_bar0_access(vp, o, (uint8_t *)&v, l, false);
	pci_dev_cfg_set(vp->pci, vp->pcicfg_cap + PCICFG_DATA, l, v);
}

static void cfg_written(void *opaque, uint32_t off, uint32_t len)
{
	struct virtio_pci *vp = opaque;
	uint32_t ctrl;

	if (touches_pcicfg_data(vp, off, len)) {
		uint32_t o, l, v;

		if (pcicfg_window(vp, &o, &l)) {
			v = pci_dev_cfg_read(vp->pci, vp->pcicfg_cap + PCICFG_DATA, 4);
			virtio_pci_bar0_access(vp, o, (uint8_t *)&v, l, true);
		}
		return;
	}
	if (off + len <= vp->msix_cap + 2u || off >= vp->msix_cap + 4u)
		return;
	ctrl = pci_dev_cfg_read(vp->pci, vp->msix_cap + 2, 2);
	pthread_mutex_lock(&vp->lock);
	vp->msix_enabled = ctrl & MSIX_CTRL_ENABLE;
	vp->msix_masked = ctrl & MSIX_CTRL_MASKALL;
	if (vp->msix_enabled && vp->intx_asserted && vp->host->ops->irq_line) {
		vp->host->ops->irq_line(vp->host->ctx, pci_dev_irq_line(vp->pci), false);
		vp->intx_asserted = false;
	}
	deliver_pending(vp);
	pthread_mutex_unlock(&vp->lock);
}

static void bar_moved(void *opaque, unsigned idx, uint64_t addr)
{
	struct virtio_pci *vp = opaque;

	if (idx != 0)
		return;
	pthread_mutex_lock(&vp->lock);
	vp->bar0 = addr;
	for (unsigned i = 0; i < vp->cfg.num_queues; i++) {
		ioev_del(vp, &vp->q[i]);
		ioev_add(vp, i);
	}
	pthread_mutex_unlock(&vp->lock);
}

/* ---- worker -------------------------------------------------------------------------------- */

static int handle_events(struct virtio_pci *vp, int timeout_ms, bool *stop)
{
	struct epoll_event ev[8];
	int n = epoll_wait(vp->epfd, ev, 8, timeout_ms);

	for (int i = 0; i < n; i++) {
		uint32_t id = ev[i].data.u32;

		if (id == EV_STOP) {
			*stop = true;
			continue;
		}
		if (id >= EV_FD_BASE) {
			pthread_mutex_lock(&vp->lock);
			if (vp->cfg.ops->fd_ready)
				vp->cfg.ops->fd_ready(vp->cfg.dev, id - EV_FD_BASE);
			pthread_mutex_unlock(&vp->lock);
			continue;
		}
		uint64_t cnt;

		if (read(vp->q[id].kick_fd, &cnt, sizeof(cnt)) < 0)
			continue;
		pthread_mutex_lock(&vp->lock);
		if (running(vp)) {
			if (!vp->q[id].enabled) {
				char why[64];

				snprintf(why, sizeof(why), "notify of queue %u before setup", id);
				virtio_pci_needs_reset(vp, why);
			} else if (vp->cfg.ops->queue_kick) {
				vp->cfg.ops->queue_kick(vp->cfg.dev, id);
			}
		}
		pthread_mutex_unlock(&vp->lock);
	}
	return n < 0 ? 0 : n;
}

static void *worker(void *arg)
{
	struct virtio_pci *vp = arg;
	bool stop = false;

	while (!stop)
		handle_events(vp, -1, &stop);
	return NULL;
}

int virtio_pci_poll(struct virtio_pci *vp, int timeout_ms)
{
	bool stop = false;

	return handle_events(vp, timeout_ms, &stop);
}

void virtio_pci_stop_worker(struct virtio_pci *vp)
{
	uint64_t one = 1, v;

	if (!vp->thread_started)
		return;
	if (write(vp->stop_fd, &one, sizeof(one)) != sizeof(one))
		bw_err("%s: cannot stop worker", vp->label);
	pthread_join(vp->thread, NULL);
	vp->thread_started = false;
	if (read(vp->stop_fd, &v, sizeof(v)) < 0) {
		/* drained */
	}
}

int virtio_pci_add_fd(struct virtio_pci *vp, unsigned id, int fd)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.u32 = EV_FD_BASE + id};

	if (id >= VIRTIO_PCI_MAX_FDS || vp->fds[id] >= 0)
		return -EINVAL;
	if (epoll_ctl(vp->epfd, EPOLL_CTL_ADD, fd, &ev))
		return -errno;
	vp->fds[id] = fd;
	vp->fd_on[id] = true;
	return 0;
}

void virtio_pci_watch_fd(struct virtio_pci *vp, unsigned id, bool on)
{
	struct epoll_event ev = {.events = on ? EPOLLIN : 0, .data.u32 = EV_FD_BASE + id};

	if (id >= VIRTIO_PCI_MAX_FDS || vp->fds[id] < 0 || vp->fd_on[id] == on)
		return;
	if (epoll_ctl(vp->epfd, EPOLL_CTL_MOD, vp->fds[id], &ev) == 0)
		vp->fd_on[id] = on;
}

struct virtq *virtio_pci_queue(struct virtio_pci *vp, unsigned q)
{
	if (q >= vp->cfg.num_queues || !running(vp) || !vp->q[q].enabled || vp->q[q].vq.broken)
		return NULL;
	return &vp->q[q].vq;
}

/* ---- create / destroy ---------------------------------------------------------------------- */

static void add_vendor_cap(struct pci_dev *pd, uint8_t type, uint32_t off, uint32_t len,
			   bool notify)
{
	/* struct virtio_pci_cap after its 2-byte header: cap_len, cfg_type, bar, id, padding[2],
	 * offset, length (+ notify_off_multiplier). */
	uint8_t body[18] = {0};
	uint32_t blen = notify ? 18 : 14;

	body[0] = (uint8_t)(blen + 2);
	body[1] = type;
	body[2] = 0; /* BAR0 */
	put(body, 6, 4, off);
	put(body, 10, 4, len);
	if (notify)
		put(body, 14, 4, VIRTIO_PCI_NOTIFY_MULT);
	pci_dev_add_cap(pd, PCI_CAP_ID_VNDR, body, NULL, blen);
}

struct virtio_pci *virtio_pci_create(struct pci_bus *bus, struct dev_host *host,
				     const struct virtio_pci_config *cfg)
{
	struct virtio_pci *vp;
	struct pci_dev_id id = {
	    .vendor = 0x1af4,
	    .device = (uint16_t)(0x1040 + cfg->device_type),
	    .subsys_vendor = 0x1af4,
	    .subsys_id = 0x40,
	    .revision = 1,
	    .class_code = cfg->class_code,
	};
	struct epoll_event ev = {.events = EPOLLIN};
	char name[64];

	if (cfg->num_queues == 0 || cfg->num_queues > VIRTIO_PCI_MAX_QUEUES ||
	    cfg->queue_max == 0 || cfg->queue_max > VIRTQ_MAX_SIZE || cfg->cfg_size > 0x1000)
		return NULL;
	vp = calloc(1, sizeof(*vp));
	if (!vp)
		return NULL;
	vp->cfg = *cfg;
	vp->host = host;
	vp->host_features = cfg->features | VIRTIO_FEAT_VERSION_1 | VIRTIO_FEAT_RING_EVENT_IDX |
			    VIRTIO_FEAT_RING_INDIRECT_DESC;
	pthread_mutex_init(&vp->lock, NULL);
	vp->epfd = epoll_create1(EPOLL_CLOEXEC);
	vp->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	for (unsigned i = 0; i < VIRTIO_PCI_MAX_FDS; i++)
		vp->fds[i] = -1;
	for (unsigned i = 0; i < VIRTIO_PCI_MSIX_VECTORS; i++) {
		vp->msix[i].irqfd = -1;
		vp->msix[i].ctrl = 1; /* entries start masked */
	}
	for (unsigned i = 0; i < VIRTIO_PCI_MAX_QUEUES; i++)
		vp->q[i].kick_fd = -1;
	if (vp->epfd < 0 || vp->stop_fd < 0)
		goto fail;
	ev.data.u32 = EV_STOP;
	if (epoll_ctl(vp->epfd, EPOLL_CTL_ADD, vp->stop_fd, &ev))
		goto fail;
	vp->pci = pci_dev_add(bus, &id, cfg_written, vp);
	if (!vp->pci)
		goto fail;
	snprintf(vp->label, sizeof(vp->label), "%s@00:%02x.0", cfg->name, vp->pci->slot);
	for (unsigned i = 0; i < cfg->num_queues; i++) {
		struct virtio_pci_queue *q = &vp->q[i];

		snprintf(q->vq_name, sizeof(q->vq_name), "%s queue %u", vp->label, i);
		q->kick_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		ev.data.u32 = i;
		if (q->kick_fd < 0 || epoll_ctl(vp->epfd, EPOLL_CTL_ADD, q->kick_fd, &ev))
			goto fail;
	}
	device_reset(vp);
	add_vendor_cap(vp->pci, VIRTIO_CAP_COMMON, VIRTIO_PCI_COMMON_OFF, COMMON_SIZE, false);
	add_vendor_cap(vp->pci, VIRTIO_CAP_NOTIFY, VIRTIO_PCI_NOTIFY_OFF,
		       VIRTIO_PCI_NOTIFY_MULT * cfg->num_queues, true);
	add_vendor_cap(vp->pci, VIRTIO_CAP_ISR, VIRTIO_PCI_ISR_OFF, 1, false);
	if (cfg->cfg_size)
		add_vendor_cap(vp->pci, VIRTIO_CAP_DEVICE, VIRTIO_PCI_DEVCFG_OFF, cfg->cfg_size,
			       false);
	{
		/* struct virtio_pci_cfg_cap: a virtio_pci_cap whose bar, offset and length the
		 * driver writes, then pci_cfg_data[4]. */
		uint8_t body[18] = {0}, wmask[18] = {0};

		body[0] = 20;
		body[1] = VIRTIO_CAP_PCI_CFG;
		wmask[2] = 0xff;
		memset(wmask + 6, 0xff, 12);
		vp->pcicfg_cap = pci_dev_add_cap(vp->pci, PCI_CAP_ID_VNDR, body, wmask, 18);
		vp->pci->cfg_read = cfg_read_hook;
		vp->pci->cfg_read_start = (uint16_t)(vp->pcicfg_cap + PCICFG_DATA);
		vp->pci->cfg_read_end = (uint16_t)(vp->pcicfg_cap + PCICFG_DATA + 4);
	}
	{
		/* MSI-X: message control (table size - 1), table in BAR1 at 0, PBA at 0x800. */
		uint8_t body[10] = {0}, wmask[10] = {0};

		put(body, 0, 2, VIRTIO_PCI_MSIX_VECTORS - 1);
		put(body, 2, 4, 0 | 1);
		put(body, 6, 4, VIRTIO_PCI_MSIX_PBA_OFF | 1);
		wmask[1] = (MSIX_CTRL_ENABLE | MSIX_CTRL_MASKALL) >> 8;
		vp->msix_cap = pci_dev_add_cap(vp->pci, PCI_CAP_ID_MSIX, body, wmask, 10);
	}
	snprintf(name, sizeof(name), "%s BAR0", vp->label);
	pci_dev_set_bar(vp->pci, 0, VIRTIO_PCI_BAR_SIZE, virtio_pci_bar0_access, vp, name);
	snprintf(name, sizeof(name), "%s MSI-X", vp->label);
	pci_dev_set_bar(vp->pci, 1, VIRTIO_PCI_MSIX_BAR_SIZE, virtio_pci_msix_access, vp, name);
	vp->pci->bar_moved = bar_moved;
	if (!vp->msix_cap || !vp->pcicfg_cap || pci_dev_enable(vp->pci))
		goto fail;
	if (pthread_create(&vp->thread, NULL, worker, vp))
		goto fail;
	vp->thread_started = true;
	/* "bw-virtio-net": benchmarks find the device's CPU time under this name. */
	snprintf(name, 16, "bw-%s", cfg->name);
	pthread_setname_np(vp->thread, name);
	return vp;
fail:
	bw_err("%s: cannot create the virtio-pci function", cfg->name);
	virtio_pci_destroy(vp);
	return NULL;
}

void virtio_pci_destroy(struct virtio_pci *vp)
{
	if (!vp)
		return;
	virtio_pci_stop_worker(vp);
	if (vp->pci) {
		pthread_mutex_lock(&vp->lock);
		device_reset(vp);
		for (unsigned i = 0; i < VIRTIO_PCI_MSIX_VECTORS; i++) {
			struct virtio_msix_entry *e = &vp->msix[i];

			if (e->irqfd < 0)
				continue;
			if (vp->host->ops->msi_irqfd_unbind)
				vp->host->ops->msi_irqfd_unbind(vp->host->ctx, e->route, e->irqfd);
			close(e->irqfd);
			e->irqfd = -1;
		}
		pthread_mutex_unlock(&vp->lock);
		pci_dev_remove(vp->pci);
	}
	for (unsigned i = 0; i < VIRTIO_PCI_MAX_QUEUES; i++)
		if (vp->q[i].kick_fd >= 0)
			close(vp->q[i].kick_fd);
	if (vp->epfd >= 0)
		close(vp->epfd);
	if (vp->stop_fd >= 0)
		close(vp->stop_fd);
	pthread_mutex_destroy(&vp->lock);
	free(vp);
}
