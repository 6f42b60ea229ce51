/* virtio-hostile.c: a CPL3 guest that abuses bulwark's virtio devices the ways issue 2 lists
 * (tests/dev/kvm-virtio-hostile.sh): notify before setup, a descriptor loop, a buffer outside
 * guest RAM, a giant length, an avail index far ahead, MSI-X table and PBA abuse, odd-sized
 * accesses to the common configuration, garbage PCI config and BAR writes. After each, the
 * device must show NEEDS_RESET (or simply ignore the access) and, once reset, serve a normal
 * request again. Exits 42 when every step behaved; bulwark must still be alive to deliver it. */
#include "cpl3.h"
#include "virtio.h"

struct blk_hdr {
	uint32_t type, reserved;
	uint64_t sector;
};

static struct vdev d;
static struct vq q;
static struct blk_hdr *hdr;
static uint8_t *status, *data;
static int slot;

static void setup(void)
{
	CPL3_ASSERT(vdev_negotiate(&d, VIRTIO_F_VERSION_1));
	CPL3_ASSERT(vq_setup(&d, &q, 0, 8));
	CPL3_ASSERT(vdev_driver_ok(&d));
}

/* A good read of sector 0 must work. */
static void good_request(const char *after)
{
	struct vbuf b[3] = {{hdr, 16, false}, {data, 512, true}, {status, 1, true}};
	uint32_t id, len;

	hdr->type = 0;
	hdr->sector = 0;
	*status = 0xee;
	vq_add(&q, b, 3);
	vq_kick(&q);
	if (!vq_wait_used(&q, &id, &len, 1ULL << 32) || *status != 0) {
		printf("FAIL: no good request after %s (status 0x%x)\n", after, vdev_status(&d));
		cpl3_exit(1);
	}
}

static void expect_needs_reset(const char *what)
{
	for (uint64_t i = 0; i < (1ULL << 32); i++) {
		if (vdev_status(&d) & VIRTIO_ST_NEEDS_RESET) {
			printf("%s: NEEDS_RESET\n", what);
			setup();
			good_request(what);
			return;
		}
		cpu_relax();
	}
	printf("FAIL: %s: device status 0x%x, no NEEDS_RESET\n", what, vdev_status(&d));
	cpl3_exit(1);
}

static void raw_desc(unsigned i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next)
{
	q.desc[i].addr = addr;
	q.desc[i].len = len;
	q.desc[i].flags = flags;
	q.desc[i].next = next;
}

static void publish(uint16_t head)
{
	q.avail[2 + q.avail_idx % q.size] = head;
	wmb();
	q.avail_idx++;
	q.avail[1] = q.avail_idx;
	vq_kick(&q);
}

int main(void)
{
	uint64_t msix, bar1;
	unsigned cap;

	slot = pci_find(0x1af4, 0x1042, 0);
	CPL3_ASSERT(slot > 0);
	CPL3_ASSERT(vdev_init(&d, (unsigned)slot));
	hdr = cpl3_alloc(16, 16);
	status = cpl3_alloc(1, 1);
	data = cpl3_alloc(512, 512);

	/* 1. Notify before any setup. */
	mmio_write8(d.common + 0x14, 0);
	mmio_write8(d.common + 0x14, VIRTIO_ST_ACK);
	mmio_write16(d.notify, 0);
	expect_needs_reset("notify before setup");

	/* 2. Descriptor loop. */
	raw_desc(0, (uint64_t)hdr, 16, VDESC_F_NEXT, 1);
	raw_desc(1, (uint64_t)data, 512, VDESC_F_NEXT | VDESC_F_WRITE, 0);
	publish(0);
	expect_needs_reset("descriptor loop");

	/* 3. Buffer outside guest RAM. */
	raw_desc(0, 0x7fff00000000ULL, 16, VDESC_F_NEXT, 1);
	raw_desc(1, (uint64_t)status, 1, VDESC_F_WRITE, 0);
	publish(0);
	expect_needs_reset("buffer outside RAM");

	/* 4. Giant length. */
	raw_desc(0, (uint64_t)hdr, 0xffffffffu, VDESC_F_NEXT, 1);
	raw_desc(1, (uint64_t)status, 1, VDESC_F_WRITE, 0);
	publish(0);
	expect_needs_reset("giant length");

	/* 5. Avail index far ahead of the queue. */
	q.avail[1] = (uint16_t)(q.avail_idx + 1000);
	vq_kick(&q);
	expect_needs_reset("avail index jump");

	/* 6. Indirect table pointing at itself (not negotiated, nested). */
	raw_desc(0, (uint64_t)q.desc, 32, 4, 0);
	publish(0);
	expect_needs_reset("unnegotiated indirect");

	/* 7. MSI-X table abuse: out-of-range entries, PBA writes, byte writes: ignored. */
	cap = 0;
	for (unsigned p = pci_cfg_read8((unsigned)slot, 0x34); p;
	     p = pci_cfg_read8((unsigned)slot, p + 1))
		if (pci_cfg_read8((unsigned)slot, p) == 0x11)
			cap = p;
	CPL3_ASSERT(cap);
	bar1 = pci_cfg_read32((unsigned)slot,
			      0x10 + 4 * (pci_cfg_read32((unsigned)slot, cap + 4) & 7)) &
	       ~0xfu;
	msix = bar1 + (pci_cfg_read32((unsigned)slot, cap + 4) & ~7u);
	for (unsigned off = 0; off < 0x1000; off += 4)
		mmio_write32(msix + off, 0xdeadbeef);
	mmio_write8(msix + 3, 0x11);
	mmio_write16(msix + 0x802, 0xffff);
	CPL3_ASSERT(mmio_read32(msix) == 0xdeadbeef); /* entry 0 takes any value... */
	good_request("MSI-X table abuse");	      /* ...and nothing broke */

	/* 8. Odd accesses to the common configuration: ignored. */
	mmio_write32(d.common + 0x14, 0);  /* status with a dword */
	mmio_write16(d.common + 0x15, 0);  /* unaligned */
	mmio_write8(d.common + 0x12, 99);  /* num_queues is read-only */
	mmio_write64(d.common + 0x100, 0); /* nothing there */
	CPL3_ASSERT(vdev_status(&d) == 0xf);
	good_request("odd common config accesses");

	/* 9. PCI config garbage: read-only registers, unaligned data ports, BAR to 4 GiB edge. */
	outl(0xcf8, 0x80000000u | ((unsigned)slot << 11));
	outl(0xcfc, 0xffffffff); /* vendor/device */
	outw(0xcfd, 0xffff);	 /* unaligned */
	CPL3_ASSERT(pci_cfg_read32((unsigned)slot, 0) == 0x10421af4);
	{
		uint32_t bar0 = pci_cfg_read32((unsigned)slot, 0x10);

		outl(0xcf8, 0x80000000u | ((unsigned)slot << 11) | 0x10);
		outl(0xcfc, 0xffffffff); /* sizing while decoding */
		CPL3_ASSERT(inl(0xcfc) == 0xffffc000u);
		outl(0xcfc, bar0); /* back */
	}
	good_request("PCI config garbage");

	printf("virtio-hostile: every abuse handled, device still serving\n");
	return 42;
}
