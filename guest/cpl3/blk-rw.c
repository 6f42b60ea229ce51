/* blk-rw.c: drives virtio-blk through bulwark's device model from a CPL3 guest
 * (tests/dev/kvm-blk.sh). Disk 0 (read-write) starts with the host's signature
 * "BULWARK-BLK-TEST" in sector 0; the guest reads it, writes a known pattern over sectors
 * 8..39 in 4 KiB requests, flushes, reads them back and compares, asks GET_ID, and checks that a
 * request beyond the end fails with IOERR. Disk 1 (if present, attached ,ro) must refuse a write
 * with IOERR and still read. Exits 42 on success (the host then checks the file's contents). */
#include "cpl3.h"
#include "virtio.h"

#define T_IN 0
#define T_OUT 1
#define T_FLUSH 4
#define T_GET_ID 8
#define S_OK 0
#define S_IOERR 1
#define PATTERN_FIRST 8
#define PATTERN_SECTORS 32

struct blk_hdr {
	uint32_t type, reserved;
	uint64_t sector;
};

struct blk {
	struct vdev d;
	struct vq q;
	struct blk_hdr *hdr;
	volatile uint8_t *status;
};

static uint8_t pattern_byte(unsigned sector, unsigned i)
{
	return (uint8_t)((sector * 131u + i * 7u) ^ 0x5a);
}

static int blk_req(struct blk *b, uint32_t type, uint64_t sector, void *data, uint32_t len)
{
	struct vbuf v[3];
	unsigned n = 0;
	uint32_t id, used;

	b->hdr->type = type;
	b->hdr->reserved = 0;
	b->hdr->sector = sector;
	*b->status = 0xee;
	v[n++] = (struct vbuf){b->hdr, sizeof(*b->hdr), false};
	if (len)
		v[n++] = (struct vbuf){data, len, type != T_OUT};
	v[n++] = (struct vbuf){(const void *)b->status, 1, true};
	vq_add(&b->q, v, n);
	vq_kick(&b->q);
	if (!vq_wait_used(&b->q, &id, &used, 1ULL << 34)) {
		printf("virtio-blk: request type %u sector %lu never completed (status 0x%x)\n",
		       type, (unsigned long)sector, vdev_status(&b->d));
		cpl3_exit(1);
	}
	return *b->status;
}

static void blk_open(struct blk *b, int slot)
{
	CPL3_ASSERT(vdev_init(&b->d, (unsigned)slot));
	CPL3_ASSERT(vdev_negotiate(&b->d, VIRTIO_F_VERSION_1 | (1ULL << 9) /* FLUSH */ |
					      (1ULL << 5) /* RO */));
	CPL3_ASSERT(vq_setup(&b->d, &b->q, 0, 16));
	CPL3_ASSERT(vdev_driver_ok(&b->d));
	b->hdr = cpl3_alloc(sizeof(*b->hdr), 16);
	b->status = cpl3_alloc(1, 1);
}

int main(void)
{
	struct blk b, ro;
	uint8_t *buf = cpl3_alloc(PATTERN_SECTORS * 512, 4096);
	uint8_t *back = cpl3_alloc(PATTERN_SECTORS * 512, 4096);
	char id[21] = {0};
	uint64_t capacity;
	int slot = pci_find(0x1af4, 0x1042, 0);

	CPL3_ASSERT(slot > 0);
	blk_open(&b, slot);
	capacity = mmio_read32(b.d.devcfg) | ((uint64_t)mmio_read32(b.d.devcfg + 4) << 32);
	printf("virtio-blk at 00:%02x.0: %lu sectors, features 0x%lx\n", slot,
	       (unsigned long)capacity, (unsigned long)b.d.features);
	CPL3_ASSERT(capacity >= PATTERN_FIRST + PATTERN_SECTORS);
	CPL3_ASSERT(!(b.d.features & (1ULL << 5)));

	CPL3_ASSERT(blk_req(&b, T_IN, 0, buf, 512) == S_OK);
	CPL3_ASSERT(memcmp(buf, "BULWARK-BLK-TEST", 16) == 0);

	for (unsigned s = 0; s < PATTERN_SECTORS; s++)
		for (unsigned i = 0; i < 512; i++)
			buf[s * 512 + i] = pattern_byte(PATTERN_FIRST + s, i);
	for (unsigned s = 0; s < PATTERN_SECTORS; s += 8)
		CPL3_ASSERT(blk_req(&b, T_OUT, PATTERN_FIRST + s, buf + s * 512, 4096) == S_OK);
	CPL3_ASSERT(blk_req(&b, T_FLUSH, 0, 0, 0) == S_OK);
	CPL3_ASSERT(blk_req(&b, T_IN, PATTERN_FIRST, back, PATTERN_SECTORS * 512) == S_OK);
	CPL3_ASSERT(memcmp(buf, back, PATTERN_SECTORS * 512) == 0);
	CPL3_ASSERT(blk_req(&b, T_GET_ID, 0, id, 20) == S_OK);
	printf("virtio-blk id: %s\n", id);
	CPL3_ASSERT(blk_req(&b, T_IN, capacity, back, 512) == S_IOERR);
	CPL3_ASSERT(vdev_status(&b.d) == 0xf);

	slot = pci_find(0x1af4, 0x1042, 1);
	if (slot > 0) {
		blk_open(&ro, slot);
		CPL3_ASSERT(ro.d.features & (1ULL << 5));
		memset(buf, 0xcc, 512);
		CPL3_ASSERT(blk_req(&ro, T_OUT, 0, buf, 512) == S_IOERR);
		CPL3_ASSERT(blk_req(&ro, T_IN, 0, back, 512) == S_OK);
		CPL3_ASSERT(memcmp(back, "BULWARK-BLK-RO", 14) == 0);
		printf("read-only disk at 00:%02x.0 refused the write with IOERR\n", slot);
	}
	printf("virtio-blk: all checks passed\n");
	return 42;
}
