/* test_virtio_pci.c: the virtio 1.x PCI transport (src/dev/virtio_pci.c) with a small echo
 * device: identity and capabilities, feature negotiation, the status machine and reset, MSI-X
 * (table, PBA, masking, abuse), INTx fallback, ioeventfd/irqfd use, and NEEDS_RESET on a notify
 * before setup or rings outside RAM. */
#include <sys/eventfd.h>

#include "dev/pci.h"
#include "dev/virtio_pci.h"
#include "fake_guest.h"
#include "harness.h"

/* The echo device: one queue; each chain is returned with len = its readable length. */
struct echo {
	struct virtio_pci *vp;
	struct virtq_chain chain;
	unsigned starts, resets;
};

static void echo_kick(void *opaque, unsigned qi)
{
	struct echo *e = opaque;
	struct virtq *q = virtio_pci_queue(e->vp, qi);
	int r;

	if (!q)
		return;
	while ((r = virtq_pop(q, &e->chain)) == 1)
		virtq_push(q, e->chain.head, (uint32_t)e->chain.out_len);
	if (r < 0) {
		virtio_pci_needs_reset(e->vp, q->err);
		return;
	}
	virtio_pci_notify(e->vp, qi);
}

static void echo_start(void *opaque, uint64_t f)
{
	((struct echo *)opaque)->starts++;
}

static void echo_reset(void *opaque)
{
	((struct echo *)opaque)->resets++;
}

static void echo_cfg_read(void *opaque, uint32_t off, uint8_t *data, uint32_t len)
{
	for (uint32_t i = 0; i < len; i++)
		data[i] = (uint8_t)(0xc0 + off + i);
}

static const struct virtio_dev_ops echo_ops = {
    .cfg_read = echo_cfg_read,
    .start = echo_start,
    .reset = echo_reset,
    .queue_kick = echo_kick,
};

static struct fg g;
static struct pci_bus *bus;
static struct echo echo;

/* ioeventfd / irqfd fakes. */
static uint64_t ioev_addr;
static int ioev_fd = -1, ioev_adds, ioev_dels, irqfd_fd = -1, irqfd_binds;

static int fake_ioev_add(void *ctx, uint64_t addr, uint32_t len, bool pio, int fd, bool hm,
			 uint64_t m)
{
	ioev_addr = addr;
	ioev_fd = fd;
	ioev_adds++;
	return 0;
}

static int fake_ioev_del(void *ctx, uint64_t addr, uint32_t len, bool pio, int fd, bool hm,
			 uint64_t m)
{
	if (addr == ioev_addr)
		ioev_addr = 0;
	ioev_dels++;
	return 0;
}

static int fake_irqfd_bind(void *ctx, int fd, uint64_t addr, uint32_t data)
{
	irqfd_fd = fd;
	irqfd_binds++;
	return 7;
}

static void start(bool with_fds)
{
	struct virtio_pci_config cfg = {
	    .name = "echo",
	    .device_type = 2,
	    .class_code = 0xff0000,
	    .features = 1ULL << 3,
	    .num_queues = 1,
	    .queue_max = 64,
	    .cfg_size = 16,
	    .ops = &echo_ops,
	    .dev = &echo,
	};

	fg_init(&g, 4 << 20);
	ioev_addr = 0;
	ioev_fd = irqfd_fd = -1;
	ioev_adds = ioev_dels = irqfd_binds = 0;
	if (with_fds) {
		g.ops.ioeventfd_add = fake_ioev_add;
		g.ops.ioeventfd_del = fake_ioev_del;
		g.ops.msi_irqfd_bind = fake_irqfd_bind;
	}
	bus = pci_bus_create(&g.host);
	memset(&echo, 0, sizeof(echo));
	echo.vp = virtio_pci_create(bus, &g.host, &cfg);
	CHECK(echo.vp != NULL);
}

static void stop(void)
{
	virtio_pci_destroy(echo.vp);
	pci_bus_destroy(bus);
	fg_destroy(&g);
}

/* Submits one 100-byte readable buffer on queue 0, notifies, waits for it. */
static bool roundtrip(struct fdrv *d)
{
	struct fbuf b = {fg_alloc(&g, 100, 8), 100, false};
	uint16_t want = (uint16_t)(d->q[0].avail_idx + 1);
	uint32_t id, len;

	fq_add(&g, &d->q[0], &b, 1);
	fdrv_notify(d, 0);
	if (!fq_wait_used(d, &d->q[0], want))
		return false;
	fq_used_elem(&g, &d->q[0], (uint16_t)(want - 1), &id, &len);
	return len == 100;
}

static bool wait_msi(unsigned n)
{
	for (int i = 0; i < 5000 && fg_msi_count(&g) < n; i++)
		usleep(1000);
	return fg_msi_count(&g) >= n;
}

TEST(identity_and_capabilities)
{
	unsigned caps[5], c;
	uint32_t bar0;

	start(false);
	CHECK_EQ(fg_cfg_read(&g, 1, 0, 2), 0x1af4);
	CHECK_EQ(fg_cfg_read(&g, 1, 2, 2), 0x1042);
	CHECK(fg_cfg_read(&g, 1, 8, 1) >= 1);	    /* revision: modern */
	CHECK(fg_cfg_read(&g, 1, 0x2e, 2) >= 0x40); /* subsystem id */
	for (int t = 1; t <= 4; t++) {
		caps[t] = fg_find_cap(&g, 1, 0x09, t);
		CHECK(caps[t] != 0);
		CHECK_EQ(fg_cfg_read(&g, 1, caps[t] + 4, 1), 0); /* BAR0 */
	}
	CHECK_EQ(fg_cfg_read(&g, 1, caps[2] + 2, 1), 20); /* notify cap length */
	CHECK_EQ(fg_cfg_read(&g, 1, caps[2] + 16, 4), VIRTIO_PCI_NOTIFY_MULT);
	c = fg_find_cap(&g, 1, 0x11, -1);
	CHECK(c != 0);
	CHECK_EQ(fg_cfg_read(&g, 1, c + 2, 2) & 0x7ff, VIRTIO_PCI_MSIX_VECTORS - 1);
	CHECK_EQ(fg_cfg_read(&g, 1, c + 4, 4), 1);     /* table: BAR1 offset 0 */
	CHECK_EQ(fg_cfg_read(&g, 1, c + 8, 4), 0x801); /* PBA: BAR1 offset 0x800 */
	/* BAR0 sizing. */
	bar0 = fg_cfg_read(&g, 1, 0x10, 4);
	fg_cfg_write(&g, 1, 0x04, 0, 2);
	fg_cfg_write(&g, 1, 0x10, 0xffffffff, 4);
	CHECK_EQ(fg_cfg_read(&g, 1, 0x10, 4), (uint32_t) ~(VIRTIO_PCI_BAR_SIZE - 1));
	fg_cfg_write(&g, 1, 0x10, bar0, 4);
	fg_cfg_write(&g, 1, 0x04, 2, 2);
	/* Device config goes to the device. */
	CHECK_EQ(fg_mmio_read(&g, bar0 + VIRTIO_PCI_DEVCFG_OFF + 4, 2), 0xc5c4);
	CHECK_EQ(fg_mmio_read(&g, bar0 + VIRTIO_PCI_DEVCFG_OFF + 15, 2), 0); /* crosses end */
	stop();
}

TEST(feature_negotiation)
{
	struct fdrv d;

	start(false);
	/* Without VERSION_1: FEATURES_OK does not stick. */
	CHECK_EQ(fdrv_probe(&d, &g, 1, 1ULL << 3, 1, 16) & VIRTIO_STAT_FEATURES_OK, 0);
	/* Offered set. */
	fg_mmio_write(&g, d.common, 1, 4);
	CHECK_EQ(fg_mmio_read(&g, d.common + 4, 4), 1); /* VERSION_1 */
	fg_mmio_write(&g, d.common, 0, 4);
	CHECK_EQ(fg_mmio_read(&g, d.common + 4, 4), (1u << 3) | (1u << 28) | (1u << 29));
	fg_mmio_write(&g, d.common, 7, 4);
	CHECK_EQ(fg_mmio_read(&g, d.common + 4, 4), 0);
	/* A feature that was not offered: refused. */
	fg_mmio_write(&g, d.common + 0x14, 0, 1);
	fg_mmio_write(&g, d.common + 0x14, 3, 1);
	fg_mmio_write(&g, d.common + 0x08, 0, 4);
	fg_mmio_write(&g, d.common + 0x0c, 1u << 5, 4);
	fg_mmio_write(&g, d.common + 0x08, 1, 4);
	fg_mmio_write(&g, d.common + 0x0c, 1, 4);
	fg_mmio_write(&g, d.common + 0x14, 0xb, 1);
	CHECK_EQ(fdrv_status(&d) & VIRTIO_STAT_FEATURES_OK, 0);
	/* DRIVER_OK without FEATURES_OK is a protocol error. */
	fg_mmio_write(&g, d.common + 0x14, 0x7, 1);
	CHECK(fdrv_status(&d) & VIRTIO_STAT_NEEDS_RESET);
	CHECK_EQ(echo.starts, 0);
	/* A good negotiation after reset works end to end. */
	CHECK_EQ(fdrv_probe(&d, &g, 1, ~0ULL, 1, 16), 0xf);
	CHECK_EQ(d.features, VIRTIO_FEAT_VERSION_1 | VIRTIO_FEAT_RING_EVENT_IDX |
				 VIRTIO_FEAT_RING_INDIRECT_DESC | (1ULL << 3));
	CHECK_EQ(echo.starts, 1);
	/* Features are frozen after FEATURES_OK. */
	fg_mmio_write(&g, d.common + 0x08, 0, 4);
	fg_mmio_write(&g, d.common + 0x0c, 0, 4);
	CHECK_EQ(fg_mmio_read(&g, d.common + 0x0c, 4), (1u << 3) | (1u << 28) | (1u << 29));
	CHECK(roundtrip(&d));
	stop();
}

TEST(queue_msi_and_reset)
{
	struct fdrv d;
	unsigned n;

	start(false);
	CHECK_EQ(fdrv_probe(&d, &g, 1, ~0ULL, 1, 16), 0xf);
	n = fg_msi_count(&g);
	CHECK(roundtrip(&d));
	CHECK(wait_msi(n + 1));
	CHECK_EQ(g.msi_addr[n], 0xfee00000u);
	CHECK_EQ(g.msi_data[n], 0x40); /* vector 0 */
	CHECK(roundtrip(&d));
	/* Reset: status 0, queue disabled, device told. */
	fg_mmio_write(&g, d.common + 0x14, 0, 1);
	CHECK_EQ(fdrv_status(&d), 0);
	fg_mmio_write(&g, d.common + 0x16, 0, 2);
	CHECK_EQ(fg_mmio_read(&g, d.common + 0x1c, 2), 0);
	CHECK_EQ(fg_mmio_read(&g, d.common + 0x1a, 2), VIRTIO_PCI_NO_VECTOR);
	CHECK(echo.resets >= 2);
	/* Queue size: at most queue_max, writes above are ignored. */
	fg_mmio_write(&g, d.common + 0x18, 1000, 2);
	CHECK_EQ(fg_mmio_read(&g, d.common + 0x18, 2), 64);
	/* A selected queue that does not exist reads size 0. */
	fg_mmio_write(&g, d.common + 0x16, 5, 2);
	CHECK_EQ(fg_mmio_read(&g, d.common + 0x18, 2), 0);
	CHECK_EQ(fg_mmio_read(&g, d.common + 0x12, 2), 1);
	/* Probing again works. */
	CHECK_EQ(fdrv_probe(&d, &g, 1, ~0ULL, 1, 32), 0xf);
	CHECK(roundtrip(&d));
	stop();
}

TEST(notify_before_setup_needs_reset)
{
	struct fdrv d;
	unsigned n;

	start(false);
	CHECK_EQ(fdrv_probe(&d, &g, 1, ~0ULL, 1, 16), 0xf);
	n = fg_msi_count(&g);
	fdrv_notify(&d, 3); /* no queue 3 */
	CHECK(fdrv_status(&d) & VIRTIO_STAT_NEEDS_RESET);
	/* The config change interrupt went out on the config vector (1). */
	CHECK(wait_msi(n + 1));
	CHECK_EQ(g.msi_data[n], 0x41);
	CHECK_EQ(fg_mmio_read(&g, d.common + 0x15, 1), 1); /* config generation */
	/* The device stops working on its queues until reset. */
	{
		struct fbuf b = {0x1000, 10, false};

		fq_add(&g, &d.q[0], &b, 1);
		fdrv_notify(&d, 0);
		usleep(20000);
		CHECK_EQ(fq_used_idx(&g, &d.q[0]), 0);
	}
	/* A notify on a queue that exists but was never enabled. */
	fg_mmio_write(&g, d.common + 0x14, 0, 1);
	fg_mmio_write(&g, d.common + 0x14, 1, 1);
	fdrv_notify(&d, 0);
	CHECK(fdrv_status(&d) & VIRTIO_STAT_NEEDS_RESET);
	/* After reset and probe it works again. */
	CHECK_EQ(fdrv_probe(&d, &g, 1, ~0ULL, 1, 16), 0xf);
	CHECK(roundtrip(&d));
	stop();
}

TEST(rings_outside_ram_need_reset)
{
	struct fdrv d;

	start(false);
	CHECK_EQ(fdrv_probe(&d, &g, 1, ~0ULL, 0, 16), 0xf);
	fg_mmio_write(&g, d.common + 0x14, 0, 1);
	fg_mmio_write(&g, d.common + 0x14, 0xb, 1);
	fg_mmio_write(&g, d.common + 0x16, 0, 2);
	fg_mmio_write(&g, d.common + 0x20, 0x7ffff000ULL, 8); /* beyond 4 MiB of RAM */
	fg_mmio_write(&g, d.common + 0x1c, 1, 2);
	CHECK(fdrv_status(&d) & VIRTIO_STAT_NEEDS_RESET);
	CHECK_EQ(fg_mmio_read(&g, d.common + 0x1c, 2), 0);
	stop();
}

TEST(broken_chain_needs_reset_and_keeps_running)
{
	struct fdrv d;

	start(false);
	CHECK_EQ(fdrv_probe(&d, &g, 1, ~0ULL, 1, 16), 0xf);
	{
		struct fbuf b = {g.ram_size - 4, 100, false}; /* outside RAM */

		fq_add(&g, &d.q[0], &b, 1);
		fdrv_notify(&d, 0);
	}
	CHECK(fdrv_wait_needs_reset(&d));
	CHECK_EQ(fq_used_idx(&g, &d.q[0]), 0);
	CHECK_EQ(fdrv_probe(&d, &g, 1, ~0ULL, 1, 16), 0xf);
	CHECK(roundtrip(&d));
	stop();
}

TEST(msix_table_abuse)
{
	struct fdrv d;
	unsigned n, c;
	uint64_t t;

	start(false);
	CHECK_EQ(fdrv_probe(&d, &g, 1, ~0ULL, 1, 16), 0xf);
	t = d.msix;
	c = fg_find_cap(&g, 1, 0x11, -1);
	/* Out-of-range entries: reads 0, writes ignored; PBA writes ignored. */
	fg_mmio_write(&g, t + 16 * VIRTIO_PCI_MSIX_VECTORS, 0x12345678, 4);
	CHECK_EQ(fg_mmio_read(&g, t + 16 * VIRTIO_PCI_MSIX_VECTORS, 4), 0);
	fg_mmio_write(&g, t + 0xff0, 0x12345678, 4);
	fg_mmio_write(&g, t + VIRTIO_PCI_MSIX_PBA_OFF, 0xffffffff, 4);
	CHECK_EQ(fg_mmio_read(&g, t + VIRTIO_PCI_MSIX_PBA_OFF, 4), 0);
	/* Unaligned and byte accesses are ignored. */
	fg_mmio_write(&g, t + 2, 0xffff, 2);
	fg_mmio_write(&g, t + 1, 0xffffffff, 4);
	fg_mmio_write(&g, t + 8, 0xff, 1);
	CHECK_EQ(fg_mmio_read(&g, t, 4), 0xfee00000u);
	CHECK_EQ(fg_mmio_read(&g, t + 8, 4), 0x40);
	/* 64-bit access to an entry. */
	CHECK_EQ(fg_mmio_read(&g, t, 8), 0xfee00000u);
	/* Masked vector: the interrupt is pending in the PBA, not delivered. */
	fg_mmio_write(&g, t + 12, 1, 4);
	n = fg_msi_count(&g);
	CHECK(roundtrip(&d));
	usleep(20000);
	CHECK_EQ(fg_msi_count(&g), n);
	CHECK_EQ(fg_mmio_read(&g, t + VIRTIO_PCI_MSIX_PBA_OFF, 4) & 1, 1);
	/* Unmask: delivered, PBA clear. */
	fg_mmio_write(&g, t + 12, 0, 4);
	CHECK_EQ(fg_msi_count(&g), n + 1);
	CHECK_EQ(fg_mmio_read(&g, t + VIRTIO_PCI_MSIX_PBA_OFF, 4) & 1, 0);
	/* Function mask in the capability, then lifted. */
	fg_cfg_write(&g, 1, c + 2, 0xc000, 2);
	CHECK(roundtrip(&d));
	usleep(20000);
	CHECK_EQ(fg_msi_count(&g), n + 1);
	fg_cfg_write(&g, 1, c + 2, 0x8000, 2);
	CHECK_EQ(fg_msi_count(&g), n + 2);
	/* A bogus message address is dropped, not delivered. */
	fg_mmio_write(&g, t, 0x1000, 4);
	CHECK(roundtrip(&d));
	usleep(20000);
	CHECK_EQ(fg_msi_count(&g), n + 2);
	fg_mmio_write(&g, t, 0xfee00000u, 4);
	/* Vector numbers beyond the table read back as NO_VECTOR; NO_VECTOR means silence. */
	fg_mmio_write(&g, d.common + 0x16, 0, 2);
	fg_mmio_write(&g, d.common + 0x1a, 200, 2);
	CHECK_EQ(fg_mmio_read(&g, d.common + 0x1a, 2), VIRTIO_PCI_NO_VECTOR);
	fg_mmio_write(&g, d.common + 0x10, 0x1234, 2);
	CHECK_EQ(fg_mmio_read(&g, d.common + 0x10, 2), VIRTIO_PCI_NO_VECTOR);
	CHECK(roundtrip(&d));
	usleep(20000);
	CHECK_EQ(fg_msi_count(&g), n + 2);
	stop();
}

TEST(intx_fallback)
{
	struct fdrv d;
	unsigned c, line;

	start(false);
	CHECK_EQ(fdrv_probe(&d, &g, 1, ~0ULL, 1, 16), 0xf);
	c = fg_find_cap(&g, 1, 0x11, -1);
	fg_cfg_write(&g, 1, c + 2, 0, 2); /* MSI-X off */
	line = fg_cfg_read(&g, 1, 0x3c, 1);
	CHECK(roundtrip(&d));
	for (int i = 0; i < 1000 && !g.irq_level[line]; i++)
		usleep(1000);
	CHECK_EQ(g.irq_level[line], 1);
	CHECK_EQ(fg_mmio_read(&g, d.isr, 1), 1); /* queue interrupt; read clears */
	CHECK_EQ(g.irq_level[line], 0);
	CHECK_EQ(fg_mmio_read(&g, d.isr, 1), 0);
	stop();
}

TEST(ioeventfd_and_irqfd)
{
	struct fdrv d;
	uint64_t bar0, cnt = 0;

	start(true);
	CHECK_EQ(fdrv_probe(&d, &g, 1, ~0ULL, 1, 16), 0xf);
	bar0 = fg_cfg_read(&g, 1, 0x10, 4) & ~0xfu;
	CHECK_EQ(ioev_addr, bar0 + VIRTIO_PCI_NOTIFY_OFF);
	CHECK(ioev_fd >= 0);
	/* KVM would signal the eventfd: do it and the request completes without an MMIO exit. */
	{
		struct fbuf b = {fg_alloc(&g, 64, 8), 64, false};
		uint64_t one = 1;

		fq_add(&g, &d.q[0], &b, 1);
		CHECK_EQ(write(ioev_fd, &one, 8), 8);
		CHECK(fq_wait_used(&d, &d.q[0], 1));
	}
	/* The interrupt went through the irqfd. */
	CHECK_EQ(irqfd_binds, 1);
	for (int i = 0; i < 1000 && read(irqfd_fd, &cnt, 8) != 8; i++)
		usleep(1000);
	CHECK(cnt >= 1);
	CHECK_EQ(fg_msi_count(&g), 0);
	/* BAR0 moves: the ioeventfd follows. */
	fg_cfg_write(&g, 1, 0x10, 0xf0000000u, 4);
	CHECK_EQ(ioev_addr, 0xf0000000u + VIRTIO_PCI_NOTIFY_OFF);
	/* Reset drops it. */
	fg_mmio_write(&g, 0xf0000000u + 0x14, 0, 1);
	CHECK_EQ(ioev_addr, 0);
	stop();
}

TEST(bad_common_config_accesses)
{
	struct fdrv d;

	start(false);
	CHECK_EQ(fdrv_probe(&d, &g, 1, ~0ULL, 1, 16), 0xf);
	/* Wrong widths and unaligned offsets are ignored; the device keeps working. */
	fg_mmio_write(&g, d.common + 0x14, 0, 4);  /* status with a dword */
	fg_mmio_write(&g, d.common + 0x13, 0, 1);  /* num_queues (read-only) */
	fg_mmio_write(&g, d.common + 0x15, 9, 1);  /* config generation (read-only) */
	fg_mmio_write(&g, d.common + 0x17, 0, 2);  /* unaligned */
	fg_mmio_write(&g, d.common + 0x36, 0, 4);  /* crosses the end */
	fg_mmio_write(&g, d.common + 0x1e, 5, 2);  /* queue_notify_off (read-only) */
	fg_mmio_write(&g, d.common + 0x20, 0, 4);  /* queue address while enabled */
	fg_mmio_write(&g, d.common + 0x100, 0, 4); /* between structures */
	fg_mmio_write(&g, d.isr, 0xff, 1);
	CHECK_EQ(fdrv_status(&d), 0xf);
	fg_mmio_write(&g, d.common + 0x16, 0, 2);
	CHECK_EQ(fg_mmio_read(&g, d.common + 0x20, 8), d.q[0].desc);
	CHECK(roundtrip(&d));
	stop();
}

/* The VIRTIO_PCI_CAP_PCI_CFG window (virtio 1.2 4.1.4.9): BAR0 through config space. */
static void win_set(unsigned c, uint32_t bar, uint32_t off, uint32_t len)
{
	fg_cfg_write(&g, 1, c + 4, bar, 1);
	fg_cfg_write(&g, 1, c + 8, off, 4);
	fg_cfg_write(&g, 1, c + 12, len, 4);
}

TEST(pci_cfg_window)
{
	struct fdrv d;
	unsigned c;
	struct fbuf b;
	static const uint32_t bad[][3] = {
	    {1, 0, 4},				/* the MSI-X BAR: not a virtio structure */
	    {6, VIRTIO_PCI_DEVCFG_OFF, 4},	/* no such BAR */
	    {0, VIRTIO_PCI_DEVCFG_OFF, 3},	/* length not 1, 2 or 4 */
	    {0, VIRTIO_PCI_DEVCFG_OFF, 0},	/* zero length */
	    {0, VIRTIO_PCI_DEVCFG_OFF, 8},	/* too long for the data field */
	    {0, 0x13, 2},			/* unaligned */
	    {0, VIRTIO_PCI_DEVCFG_OFF + 14, 4}, /* crosses the end of the device config */
	    {0, 0x100, 4},			/* between structures */
	    {0, VIRTIO_PCI_NOTIFY_OFF + 4, 2},	/* notify of a queue that does not exist */
	    {0, 0xfffffffc, 4},			/* far beyond the BAR */
	    {0xff, 0xffffffff, 0xffffffff},	/* everything wrong */
	};

	start(false);
	c = fg_find_cap(&g, 1, 0x09, 5);
	CHECK(c != 0);
	CHECK_EQ(fg_cfg_read(&g, 1, c + 2, 1), 20); /* cap_len: virtio_pci_cap + 4 data bytes */
	CHECK_EQ(fg_cfg_read(&g, 1, c + 4, 1), 0);
	/* Reads: device config and common config through the window, any read width of the data
	 * field triggers the BAR read. */
	win_set(c, 0, VIRTIO_PCI_DEVCFG_OFF + 4, 2);
	CHECK_EQ(fg_cfg_read(&g, 1, c + 16, 2), 0xc5c4);
	CHECK_EQ(fg_cfg_read(&g, 1, c + 17, 1), 0xc5);
	win_set(c, 0, VIRTIO_PCI_DEVCFG_OFF + 8, 4);
	CHECK_EQ(fg_cfg_read(&g, 1, c + 16, 4), 0xcbcac9c8u);
	win_set(c, 0, 0x12, 2); /* num_queues */
	CHECK_EQ(fg_cfg_read(&g, 1, c + 16, 2), 1);
	/* The window reads the live register: after a probe the status reads 0xf. */
	CHECK_EQ(fdrv_probe(&d, &g, 1, ~0ULL, 1, 16), 0xf);
	win_set(c, 0, 0x14, 1);
	CHECK_EQ(fg_cfg_read(&g, 1, c + 16, 1), 0xf);
	/* A doorbell through the window: the chain is processed. */
	b = (struct fbuf){fg_alloc(&g, 100, 8), 100, false};
	fq_add(&g, &d.q[0], &b, 1);
	win_set(c, 0, VIRTIO_PCI_NOTIFY_OFF, 2);
	fg_cfg_write(&g, 1, c + 16, 0, 2);
	CHECK(fq_wait_used(&d, &d.q[0], 1));
	/* Hostile windows: ignored, both ways; the data field keeps what the guest wrote. */
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		win_set(c, bad[i][0], bad[i][1], bad[i][2]);
		fg_cfg_write(&g, 1, c + 16, 0x5a5a5a00u + i, 4);
		CHECK_EQ(fg_cfg_read(&g, 1, c + 16, 4), 0x5a5a5a00u + i);
		CHECK_EQ(fdrv_status(&d), 0xf);
	}
	CHECK(roundtrip(&d));
	/* A status write through the window: 0 resets the device. */
	win_set(c, 0, 0x14, 1);
	fg_cfg_write(&g, 1, c + 16, 0, 1);
	CHECK_EQ(fdrv_status(&d), 0);
	fg_cfg_write(&g, 1, c + 16, VIRTIO_STAT_ACKNOWLEDGE, 1);
	CHECK_EQ(fdrv_status(&d), VIRTIO_STAT_ACKNOWLEDGE);
	stop();
}

HARNESS_MAIN(identity_and_capabilities, feature_negotiation, queue_msi_and_reset,
	     notify_before_setup_needs_reset, rings_outside_ram_need_reset,
	     broken_chain_needs_reset_and_keeps_running, msix_table_abuse, intx_fallback,
	     ioeventfd_and_irqfd, bad_common_config_accesses, pci_cfg_window)
