/* net-echo.c: drives virtio-net through bulwark's device model from a CPL3 guest
 * (tests/dev/kvm-net.sh). Sends NFRAMES Ethernet frames of ethertype 0x88b5 and sizes from 60 to
 * 1514 bytes into the tap, then waits for the host's echo of each (ethertype 0x88b6, same
 * payload, addressed to this guest's MAC) and checks them byte for byte. Exits 42 on success. */
#include "cpl3.h"
#include "virtio.h"

#define NFRAMES 16
#define NRX 32
#define RXBUF 2048
#define HDR 12
#define F_MAC (1ULL << 5)
#define F_MRG_RXBUF (1ULL << 15)

static unsigned frame_len(unsigned seq)
{
	unsigned l = 60 + seq * 97;

	return l > 1514 ? 1514 : l;
}

static void fill_payload(uint8_t *p, unsigned seq, unsigned len)
{
	p[0] = (uint8_t)seq;
	p[1] = (uint8_t)len;
	p[2] = (uint8_t)(len >> 8);
	for (unsigned j = 3; j < len; j++)
		p[j] = (uint8_t)(seq * 17 + j);
}

int main(void)
{
	struct vdev d;
	struct vq rx, tx;
	uint8_t mac[6], *rxbufs, *txbuf;
	bool got[NFRAMES] = {false};
	unsigned ngot = 0, other = 0;
	uint32_t id, len;
	int slot = pci_find(0x1af4, 0x1041, 0);

	CPL3_ASSERT(slot > 0);
	CPL3_ASSERT(vdev_init(&d, (unsigned)slot));
	CPL3_ASSERT(vdev_negotiate(&d, VIRTIO_F_VERSION_1 | F_MAC | F_MRG_RXBUF));
	CPL3_ASSERT(vq_setup(&d, &rx, 0, 64));
	CPL3_ASSERT(vq_setup(&d, &tx, 1, 64));
	CPL3_ASSERT(vdev_driver_ok(&d));
	for (int i = 0; i < 6; i++)
		mac[i] = mmio_read8(d.devcfg + i);
	printf("virtio-net at 00:%02x.0: mac %x:%x:%x:%x:%x:%x features 0x%lx\n", slot, mac[0],
	       mac[1], mac[2], mac[3], mac[4], mac[5], (unsigned long)d.features);

	rxbufs = cpl3_alloc(NRX * RXBUF, 4096);
	for (unsigned i = 0; i < NRX; i++) {
		struct vbuf b = {rxbufs + i * RXBUF, RXBUF, true};

		vq_add(&rx, &b, 1);
	}
	vq_kick(&rx);

	txbuf = cpl3_alloc(HDR + 1514, 4096);
	for (unsigned seq = 0; seq < NFRAMES; seq++) {
		unsigned l = frame_len(seq);
		uint8_t *f = txbuf + HDR;
		struct vbuf b = {txbuf, HDR + l, false};

		memset(txbuf, 0, HDR);
		memset(f, 0xff, 6);
		memcpy(f + 6, mac, 6);
		f[12] = 0x88;
		f[13] = 0xb5;
		fill_payload(f + 14, seq, l - 14);
		vq_add(&tx, &b, 1);
		vq_kick(&tx);
		CPL3_ASSERT(vq_wait_used(&tx, &id, &len, 1ULL << 32));
	}
	printf("virtio-net: sent %u frames\n", NFRAMES);

	while (ngot < NFRAMES) {
		uint8_t *f, *buf, expect[1514];
		uint16_t nbuf;
		unsigned seq, l;

		if (!vq_wait_used(&rx, &id, &len, 1ULL << 36)) {
			printf("virtio-net: only %u of %u echoes arrived\n", ngot, NFRAMES);
			return 1;
		}
		CPL3_ASSERT(id < rx.size && len >= HDR && len <= RXBUF);
		buf = (uint8_t *)rx.desc[id].addr;
		f = buf;
		memcpy(&nbuf, f + 10, 2);
		CPL3_ASSERT(nbuf == 1);
		f += HDR;
		len -= HDR;
		if (len >= 17 && f[12] == 0x88 && f[13] == 0xb6) {
			seq = f[14];
			l = f[15] | (f[16] << 8);
			CPL3_ASSERT(seq < NFRAMES && !got[seq]);
			CPL3_ASSERT(l + 14 == frame_len(seq) && len >= l + 14);
			CPL3_ASSERT(memcmp(f, mac, 6) == 0);
			fill_payload(expect, seq, l);
			CPL3_ASSERT(memcmp(f + 14, expect, l) == 0);
			got[seq] = true;
			ngot++;
		} else {
			other++; /* the host's own traffic (IPv6 router solicitation...) */
		}
		{
			struct vbuf b = {buf, RXBUF, true};

			vq_add(&rx, &b, 1);
			vq_kick(&rx);
		}
	}
	printf("virtio-net: %u echoes verified (%u other frames ignored)\n", ngot, other);
	return 42;
}
