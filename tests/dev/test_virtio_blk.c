/* test_virtio_blk.c: virtio-blk (src/dev/virtio_blk.c) against a temporary image file through the
 * fake guest's polling driver: config space, read, write, flush, get-id, read-only refusal with
 * the virtio status, out-of-range and malformed requests, and creation errors. */
#include <fcntl.h>
#include <linux/virtio_blk.h>

#include "dev/pci.h"
#include "dev/virtio_blk.h"
#include "dev/virtio_pci.h"
#include "fake_guest.h"
#include "harness.h"

#define SECTORS 2048

static struct fg g;
static struct pci_bus *bus;
static struct virtio_blk *blk;
static struct fdrv d;
static char path[64];

static void make_image(void)
{
	int fd;
	uint8_t buf[512];

	snprintf(path, sizeof(path), "/tmp/bulwark-test-blk-XXXXXX");
	fd = mkstemp(path);
	for (unsigned s = 0; s < SECTORS; s++) {
		for (unsigned i = 0; i < sizeof(buf); i++)
			buf[i] = (uint8_t)(s * 7 + i);
		CHECK_EQ(write(fd, buf, sizeof(buf)), 512);
	}
	close(fd);
}

static bool start(bool ro)
{
	char err[256] = "";

	fg_init(&g, 8 << 20);
	bus = pci_bus_create(&g.host);
	blk = virtio_blk_create(bus, &g.host, path, ro, err, sizeof(err));
	CHECK(blk != NULL);
	if (!blk) {
		printf("# %s\n", err);
		return false;
	}
	return fdrv_probe(&d, &g, 1, ~0ULL, 1, 64) == 0xf;
}

static void stop(void)
{
	virtio_blk_destroy(blk);
	pci_bus_destroy(bus);
	fg_destroy(&g);
}

/* One request: header, optional data (nbuf buffers of len each), status. Returns the status
 * byte, or -1 when the request did not complete; *used gets the used length. */
static int req(uint32_t type, uint64_t sector, uint64_t data, uint32_t len, unsigned nbuf,
	       uint32_t *used)
{
	struct virtio_blk_outhdr h = {.type = type, .sector = sector};
	uint64_t hdr = fg_alloc(&g, 16, 8), st = fg_alloc(&g, 1, 1);
	struct fbuf b[8];
	unsigned n = 0;
	bool in = type != VIRTIO_BLK_T_OUT;
	uint32_t id;
	uint16_t want;

	memcpy(fg_ptr(&g, hdr), &h, sizeof(h));
	*(uint8_t *)fg_ptr(&g, st) = 0xee;
	b[n++] = (struct fbuf){hdr, 16, false};
	for (unsigned i = 0; i < nbuf; i++)
		b[n++] = (struct fbuf){data + (uint64_t)i * len, len, in};
	b[n++] = (struct fbuf){st, 1, true};
	want = (uint16_t)(d.q[0].avail_idx + 1);
	fq_add(&g, &d.q[0], b, n);
	fdrv_notify(&d, 0);
	if (!fq_wait_used(&d, &d.q[0], want))
		return -1;
	fq_used_elem(&g, &d.q[0], (uint16_t)(want - 1), &id, used);
	return *(uint8_t *)fg_ptr(&g, st);
}

static uint32_t cfg32(unsigned off)
{
	return (uint32_t)fg_mmio_read(&g, d.devcfg + off, 4);
}

TEST(config_and_features)
{
	uint64_t f;

	make_image();
	CHECK(start(false));
	CHECK_EQ(cfg32(0), SECTORS);
	CHECK_EQ(cfg32(4), 0);
	CHECK_EQ(cfg32(12), 254); /* seg_max */
	CHECK_EQ(cfg32(20), 512); /* blk_size */
	f = d.features;
	CHECK(f & (1ULL << VIRTIO_BLK_F_FLUSH));
	CHECK(f & (1ULL << VIRTIO_BLK_F_SEG_MAX));
	CHECK(f & (1ULL << VIRTIO_BLK_F_BLK_SIZE));
	CHECK(!(f & (1ULL << VIRTIO_BLK_F_RO)));
	stop();
	CHECK(start(true));
	CHECK(d.features & (1ULL << VIRTIO_BLK_F_RO));
	stop();
	unlink(path);
}

TEST(read_write_flush_get_id)
{
	uint64_t buf;
	uint32_t used;
	uint8_t want[1536], got[1536];
	int fd;

	make_image();
	CHECK(start(false));
	buf = fg_alloc(&g, 4096, 512);
	/* Read sectors 3-5 into three separate buffers. */
	CHECK_EQ(req(VIRTIO_BLK_T_IN, 3, buf, 512, 3, &used), VIRTIO_BLK_S_OK);
	CHECK_EQ(used, 1536 + 1);
	fd = open(path, O_RDONLY);
	CHECK_EQ(pread(fd, want, sizeof(want), 3 * 512), 1536);
	CHECK(!memcmp(fg_ptr(&g, buf), want, 1536));
	/* Write sectors 100-102 from two buffers of 768 bytes. */
	for (unsigned i = 0; i < 1536; i++)
		((uint8_t *)fg_ptr(&g, buf))[i] = (uint8_t)(i * 13 + 1);
	CHECK_EQ(req(VIRTIO_BLK_T_OUT, 100, buf, 768, 2, &used), VIRTIO_BLK_S_OK);
	CHECK_EQ(used, 1);
	CHECK_EQ(req(VIRTIO_BLK_T_FLUSH, 0, 0, 0, 0, &used), VIRTIO_BLK_S_OK);
	CHECK_EQ(pread(fd, got, 1536, 100 * 512), 1536);
	CHECK(!memcmp(got, fg_ptr(&g, buf), 1536));
	/* Last sector is readable. */
	CHECK_EQ(req(VIRTIO_BLK_T_IN, SECTORS - 1, buf, 512, 1, &used), VIRTIO_BLK_S_OK);
	/* GET_ID: the image's name, up to 20 bytes. */
	memset(fg_ptr(&g, buf), 0, 64);
	CHECK_EQ(req(VIRTIO_BLK_T_GET_ID, 0, buf, 64, 1, &used), VIRTIO_BLK_S_OK);
	CHECK_EQ(used, 21);
	CHECK(!memcmp(fg_ptr(&g, buf), strrchr(path, '/') + 1, 20));
	close(fd);
	stop();
	unlink(path);
}

TEST(errors_are_statuses)
{
	uint64_t buf;
	uint32_t used;

	make_image();
	CHECK(start(false));
	buf = fg_alloc(&g, 4096, 512);
	CHECK_EQ(req(VIRTIO_BLK_T_IN, SECTORS, buf, 512, 1, &used), VIRTIO_BLK_S_IOERR);
	CHECK_EQ(req(VIRTIO_BLK_T_IN, SECTORS - 1, buf, 1024, 1, &used), VIRTIO_BLK_S_IOERR);
	CHECK_EQ(req(VIRTIO_BLK_T_OUT, ~0ULL / 256, buf, 512, 1, &used), VIRTIO_BLK_S_IOERR);
	CHECK_EQ(req(VIRTIO_BLK_T_IN, 0, buf, 100, 1, &used), VIRTIO_BLK_S_IOERR); /* not 512n */
	CHECK_EQ(req(99, 0, buf, 512, 1, &used), VIRTIO_BLK_S_UNSUPP);
	CHECK_EQ(req(VIRTIO_BLK_T_DISCARD, 0, buf, 16, 1, &used), VIRTIO_BLK_S_UNSUPP);
	/* The device is still fine. */
	CHECK_EQ(fdrv_status(&d), 0xf);
	CHECK_EQ(req(VIRTIO_BLK_T_IN, 0, buf, 512, 1, &used), VIRTIO_BLK_S_OK);
	stop();
	unlink(path);
}

TEST(readonly_refuses_writes)
{
	uint64_t buf;
	uint32_t used;
	uint8_t before[512], after[512];
	int fd;

	make_image();
	fd = open(path, O_RDONLY);
	CHECK_EQ(pread(fd, before, 512, 7 * 512), 512);
	CHECK(start(true));
	buf = fg_alloc(&g, 4096, 512);
	memset(fg_ptr(&g, buf), 0x55, 512);
	CHECK_EQ(req(VIRTIO_BLK_T_OUT, 7, buf, 512, 1, &used), VIRTIO_BLK_S_IOERR);
	CHECK_EQ(req(VIRTIO_BLK_T_IN, 7, buf, 512, 1, &used), VIRTIO_BLK_S_OK);
	CHECK(!memcmp(fg_ptr(&g, buf), before, 512));
	CHECK_EQ(req(VIRTIO_BLK_T_FLUSH, 0, 0, 0, 0, &used), VIRTIO_BLK_S_OK);
	stop();
	CHECK_EQ(pread(fd, after, 512, 7 * 512), 512);
	CHECK(!memcmp(before, after, 512));
	close(fd);
	unlink(path);
}

TEST(malformed_requests_need_reset)
{
	uint64_t hdr;
	struct fbuf b[2];

	make_image();
	/* No status byte (nothing writable). */
	CHECK(start(false));
	hdr = fg_alloc(&g, 16, 8);
	b[0] = (struct fbuf){hdr, 16, false};
	fq_add(&g, &d.q[0], b, 1);
	fdrv_notify(&d, 0);
	CHECK(fdrv_wait_needs_reset(&d));
	stop();
	/* Short header. */
	CHECK(start(false));
	hdr = fg_alloc(&g, 16, 8);
	b[0] = (struct fbuf){hdr, 8, false};
	b[1] = (struct fbuf){hdr + 8, 1, true};
	fq_add(&g, &d.q[0], b, 2);
	fdrv_notify(&d, 0);
	CHECK(fdrv_wait_needs_reset(&d));
	/* Reset and it serves requests again. */
	CHECK_EQ(fdrv_probe(&d, &g, 1, ~0ULL, 1, 64), 0xf);
	{
		uint32_t used;

		CHECK_EQ(req(VIRTIO_BLK_T_IN, 0, fg_alloc(&g, 512, 512), 512, 1, &used),
			 VIRTIO_BLK_S_OK);
	}
	stop();
	unlink(path);
}

TEST(create_errors_name_the_file)
{
	char err[256] = "";
	struct virtio_blk *b;

	fg_init(&g, 1 << 20);
	bus = pci_bus_create(&g.host);
	b = virtio_blk_create(bus, &g.host, "/nonexistent/disk.img", false, err, sizeof(err));
	CHECK(b == NULL);
	CHECK_CONTAINS(err, "/nonexistent/disk.img");
	CHECK_CONTAINS(err, "No such file");
	b = virtio_blk_create(bus, &g.host, "/tmp", false, err, sizeof(err));
	CHECK(b == NULL);
	CHECK_CONTAINS(err, "/tmp");
	/* Nothing was left on the bus. */
	CHECK_EQ(fg_cfg_read(&g, 1, 0, 4), 0xffffffffu);
	pci_bus_destroy(bus);
	fg_destroy(&g);
}

HARNESS_MAIN(config_and_features, read_write_flush_get_id, errors_are_statuses,
	     readonly_refuses_writes, malformed_requests_need_reset, create_errors_name_the_file)
