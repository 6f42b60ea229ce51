/* fuzz_virtio.h: the shared driver of the virtio fuzzers. The input is a hostile guest: it
 * chooses the queue size and features, overwrites the rings (and anything else in guest RAM)
 * with its own bytes, and then issues a sequence of MMIO accesses to the common/notify/ISR/device
 * structures, MSI-X table writes, PCI config writes, doorbells, received frames (virtio-net),
 * well-formed chains of its bytes on any queue (virtio-net control commands), accesses through the
 * VIRTIO_PCI_CAP_PCI_CFG window, and re-probes. The device runs its work synchronously
 * (virtio_pci_poll) so a run is deterministic. Whatever the input, bulwark must not crash, hang, or
 * touch memory outside guest RAM (ASan). */
#ifndef BULWARK_FUZZ_VIRTIO_H
#define BULWARK_FUZZ_VIRTIO_H

#include <stdio.h>
#include <sys/socket.h>

#include "../tests/dev/fake_guest.h"
#include "common/log.h"
#include "dev/pci.h"
#include "dev/virtio_pci.h"

#define FUZZ_RAM (1 << 20)

struct fuzz_in {
	const uint8_t *p;
	size_t n;
};

static inline bool fin_take(struct fuzz_in *in, void *dst, size_t len)
{
	if (in->n < len) {
		memset(dst, 0, len);
		in->n = 0;
		return false;
	}
	memcpy(dst, in->p, len);
	in->p += len;
	in->n -= len;
	return true;
}

static inline uint8_t fin_u8(struct fuzz_in *in)
{
	uint8_t v;

	fin_take(in, &v, 1);
	return v;
}

static inline uint16_t fin_u16(struct fuzz_in *in)
{
	uint16_t v;

	fin_take(in, &v, 2);
	return v;
}

static inline uint32_t fin_u32(struct fuzz_in *in)
{
	uint32_t v;

	fin_take(in, &v, 4);
	return v;
}

static inline void fuzz_poll(struct virtio_pci *vp)
{
	for (int i = 0; i < 8 && virtio_pci_poll(vp, 0) > 0; i++)
		;
}

/* Runs the op sequence. inject: delivers a frame to the device's backend (NULL: op skipped). */
static inline void fuzz_virtio_run(struct fg *g, struct virtio_pci *vp, unsigned nq,
				   struct fuzz_in *in, void (*inject)(const uint8_t *, size_t),
				   void (*drain)(void))
{
	struct fdrv d;
	uint8_t cfg0 = fin_u8(in);
	uint16_t qsize = (uint16_t)(1u << (cfg0 & 7));
	uint64_t want = ~0ULL;
	uint16_t img_len = fin_u16(in) % 16384;
	uint64_t bar0 = pci_dev_cfg_read(vp->pci, 0x10, 4) & ~0xfULL;
	uint64_t msix = pci_dev_cfg_read(vp->pci, 0x14, 4) & ~0xfULL;
	unsigned ops = 0;
	uint64_t ring_mark; /* a re-probe reuses the rings' memory, as a real driver would */

	if (cfg0 & 0x80)
		want &= ~fin_u32(in); /* drop some device features */
	ring_mark = g->next_alloc;
	fdrv_probe(&d, g, 1, want, nq, qsize);
	/* The guest's ring image over the rings (and what follows them). */
	if (img_len > in->n)
		img_len = (uint16_t)in->n;
	memcpy(fg_ptr(g, d.q[0].desc), in->p, img_len);
	in->p += img_len;
	in->n -= img_len;
	while (in->n && ops++ < 256) {
		uint8_t op = fin_u8(in);

		switch (op % 12) {
		case 0: { /* write guest RAM */
			uint32_t off = fin_u32(in) % FUZZ_RAM;
			uint8_t len = fin_u8(in);

			if (len > FUZZ_RAM - off)
				len = (uint8_t)(FUZZ_RAM - off);
			fin_take(in, fg_ptr(g, off), len);
			break;
		}
		case 1: { /* BAR0 write */
			uint16_t off = fin_u16(in) % VIRTIO_PCI_BAR_SIZE;
			uint8_t l = (uint8_t)(1u << (fin_u8(in) & 3));
			uint64_t v = fin_u32(in) | ((uint64_t)fin_u32(in) << 32);

			fg_mmio_write(g, bar0 + off, v, l);
			break;
		}
		case 2: { /* BAR0 read */
			uint16_t off = fin_u16(in) % VIRTIO_PCI_BAR_SIZE;

			fg_mmio_read(g, bar0 + off, (uint32_t)(1u << (fin_u8(in) & 3)));
			break;
		}
		case 3: /* doorbell */
			fg_mmio_write(g, bar0 + VIRTIO_PCI_NOTIFY_OFF + 4 * (fin_u8(in) % (nq + 1)),
				      0, 2);
			fuzz_poll(vp);
			break;
		case 4: { /* MSI-X table / PBA */
			uint16_t off = fin_u16(in) % VIRTIO_PCI_MSIX_BAR_SIZE;
			uint32_t v = fin_u32(in);

			fg_mmio_write(g, msix + off, v, (uint32_t)(1u << (fin_u8(in) & 3)));
			break;
		}
		case 5: { /* PCI config write through conf1 */
			uint8_t off = fin_u8(in), l = (uint8_t)(1u << (fin_u8(in) % 3));
			uint32_t v = fin_u32(in);

			fg_cfg_write(g, 1, off, v, l);
			/* Keep following the BARs wherever the guest put them. */
			bar0 = pci_dev_cfg_read(vp->pci, 0x10, 4) & ~0xfULL;
			msix = pci_dev_cfg_read(vp->pci, 0x14, 4) & ~0xfULL;
			break;
		}
		case 6: { /* a frame from the backend */
			uint16_t len = fin_u16(in) % 2048;

			if (len > in->n)
				len = (uint16_t)in->n;
			if (inject)
				inject(in->p, len);
			in->p += len;
			in->n -= len;
			fuzz_poll(vp);
			break;
		}
		case 7:
			fuzz_poll(vp);
			break;
		case 8:
			g->next_alloc = ring_mark;
			fdrv_probe(&d, g, 1, want, nq, qsize);
			break;
		case 9: { /* make a chain available */
			unsigned qi = fin_u8(in) % nq;
			struct fq *q = &d.q[qi];
			uint16_t head = fin_u16(in);

			if (!q->size)
				break; /* the probe did not get that far */
			memcpy(fg_ptr(g, q->avail + 4 + 2 * (q->avail_idx % q->size)), &head, 2);
			q->avail_idx++;
			memcpy(fg_ptr(g, q->avail + 2), &q->avail_idx, 2);
			fg_mmio_write(g, bar0 + VIRTIO_PCI_NOTIFY_OFF + 4 * qi, qi, 2);
			fuzz_poll(vp);
			break;
		}
		case 10: { /* a well-formed chain: [2 bytes][len bytes] readable, [wlen] writable
			    * (a virtio-net control command: class, command, data, ack) */
			unsigned qi = fin_u8(in) % nq;
			uint8_t len = fin_u8(in), wlen = fin_u8(in) % 4;
			uint64_t buf;
			struct fbuf b[3];
			unsigned nb = 0;

			if (!d.q[qi].size || g->next_alloc + 512 > FUZZ_RAM)
				break;
			buf = fg_alloc(g, 2 + 256 + 4, 8);
			fin_take(in, fg_ptr(g, buf), 2);
			if (len > in->n)
				len = (uint8_t)in->n;
			fin_take(in, fg_ptr(g, buf + 2), len);
			b[nb++] = (struct fbuf){buf, 2, false};
			if (len)
				b[nb++] = (struct fbuf){buf + 2, len, false};
			if (wlen)
				b[nb++] = (struct fbuf){buf + 2 + 256, wlen, true};
			fq_add(g, &d.q[qi], b, nb);
			fg_mmio_write(g, bar0 + VIRTIO_PCI_NOTIFY_OFF + 4 * qi, qi, 2);
			fuzz_poll(vp);
			break;
		}
		case 11: { /* an access through the VIRTIO_PCI_CAP_PCI_CFG window */
			unsigned c = vp->pcicfg_cap;
			uint8_t bar = fin_u8(in) & 7;
			uint32_t woff = fin_u32(in), wlen = fin_u8(in) % 9, v = fin_u32(in);

			if (!c)
				break;
			if (bar < 2) /* mostly plausible windows: BAR0 within its 16 KiB */
				woff %= VIRTIO_PCI_BAR_SIZE;
			fg_cfg_write(g, 1, c + 4, bar, 1);
			fg_cfg_write(g, 1, c + 8, woff, 4);
			fg_cfg_write(g, 1, c + 12, wlen, 4);
			if (v & 1)
				fg_cfg_write(g, 1, c + 16, v, (uint32_t)(1u << ((v >> 1) % 3)));
			else
				fg_cfg_read(g, 1, c + 16, (uint32_t)(1u << ((v >> 1) % 3)));
			fuzz_poll(vp);
			break;
		}
		}
		if (drain)
			drain();
	}
	fuzz_poll(vp);
}

#endif
