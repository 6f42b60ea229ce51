/* test_pci.c: PCI bus and config mechanism #1 (src/dev/pci.c): host bridge, BAR sizing and
 * moves (the MMIO claim follows), memory-space enable, capability list, INTx routing, and a
 * guest's bad config and BAR writes. */
#include "dev/pci.h"
#include "fake_guest.h"
#include "harness.h"

struct bar_log {
	unsigned hits;
	uint64_t last_off;
	unsigned moves;
	uint64_t moved_to;
};

static void bar_fn(void *opaque, uint64_t off, uint8_t *data, uint32_t len, bool is_write)
{
	struct bar_log *l = opaque;

	l->hits++;
	l->last_off = off;
	if (!is_write)
		memset(data, 0xab, len);
}

static void moved(void *opaque, unsigned idx, uint64_t addr)
{
	struct bar_log *l = opaque;

	l->moves++;
	l->moved_to = addr;
}

static const struct pci_dev_id test_id = {
    .vendor = 0x1234, .device = 0x5678, .class_code = 0x020000};

TEST(host_bridge_and_empty_slots)
{
	struct fg g;
	struct pci_bus *bus;

	fg_init(&g, 1 << 20);
	bus = pci_bus_create(&g.host);
	CHECK(bus != NULL);
	CHECK_EQ(fg_cfg_read(&g, 0, 0, 4), 0x00081b36);
	CHECK_EQ(fg_cfg_read(&g, 0, 0x0a, 2), 0x0600); /* class: host bridge */
	CHECK_EQ(fg_cfg_read(&g, 0, 0x0e, 1), 0);      /* header type 0 */
	CHECK_EQ(fg_cfg_read(&g, 5, 0, 4), 0xffffffffu);
	/* Function 1 and bus 1 do not exist. */
	fg_out(&g, 0xcf8, 0x80000100u, 4);
	CHECK_EQ(fg_in(&g, 0xcfc, 4), 0xffffffffu);
	fg_out(&g, 0xcf8, 0x80010000u, 4);
	CHECK_EQ(fg_in(&g, 0xcfc, 4), 0xffffffffu);
	/* Enable bit clear: no config cycle. */
	fg_out(&g, 0xcf8, 0x00000000u, 4);
	CHECK_EQ(fg_in(&g, 0xcfc, 4), 0xffffffffu);
	/* The address register reads back. */
	fg_out(&g, 0xcf8, 0x80001234u, 4);
	CHECK_EQ(fg_in(&g, 0xcf8, 4), 0x80001234u);
	/* Byte and word reads at every data port offset. */
	CHECK_EQ(fg_cfg_read(&g, 0, 1, 1), 0x1b);
	CHECK_EQ(fg_cfg_read(&g, 0, 2, 2), 0x0008);
	CHECK_EQ(fg_cfg_read(&g, 0, 3, 1), 0x00);
	pci_bus_destroy(bus);
	/* The ports are released. */
	CHECK(!io_bus_access(&g.pio, 0xcf8, (uint8_t[4]){0}, 4, false));
	fg_destroy(&g);
}

TEST(bar_sizing_move_and_memory_enable)
{
	struct fg g;
	struct pci_bus *bus;
	struct pci_dev *d;
	struct bar_log log = {0};
	uint32_t bar;

	fg_init(&g, 1 << 20);
	bus = pci_bus_create(&g.host);
	d = pci_dev_add(bus, &test_id, NULL, &log);
	CHECK(d != NULL);
	CHECK_EQ(d->slot, 1);
	d->bar_moved = moved;
	CHECK_EQ(pci_dev_set_bar(d, 0, 0x4000, bar_fn, &log, "t BAR0"), 0);
	CHECK_EQ(pci_dev_set_bar(d, 1, 0x3000, bar_fn, &log, "bad"), -EINVAL); /* not 2^n */
	CHECK_EQ(pci_dev_set_bar(d, 6, 0x1000, bar_fn, &log, "bad"), -EINVAL);
	CHECK_EQ(pci_dev_enable(d), 0);
	bar = fg_cfg_read(&g, 1, 0x10, 4);
	CHECK(bar >= PCI_MMIO_WINDOW_START && bar < PCI_MMIO_WINDOW_END);
	CHECK_EQ(bar & 0x3fff, 0);
	CHECK_EQ(log.moves, 1);
	CHECK_EQ(log.moved_to, bar);
	CHECK(fg_cfg_read(&g, 1, 0x04, 2) & 2); /* memory space enabled */
	CHECK_EQ(fg_mmio_read(&g, bar + 0x10, 4), 0xabababab);
	CHECK_EQ(log.hits, 1);
	CHECK_EQ(log.last_off, 0x10);
	/* Unused BAR reads 0 and ignores writes. */
	fg_cfg_write(&g, 1, 0x14, 0xffffffff, 4);
	CHECK_EQ(fg_cfg_read(&g, 1, 0x14, 4), 0);

	/* Sizing with memory decoding off, as Linux does. */
	fg_cfg_write(&g, 1, 0x04, 0, 2);
	CHECK_EQ(log.moves, 2);
	CHECK_EQ(log.moved_to, 0);
	CHECK_EQ(fg_mmio_read(&g, bar + 0x10, 4), 0xffffffff); /* unclaimed */
	CHECK_EQ(log.hits, 1);
	fg_cfg_write(&g, 1, 0x10, 0xffffffff, 4);
	CHECK_EQ(fg_cfg_read(&g, 1, 0x10, 4), 0xffffc000u);
	/* Move it and enable again: the claim follows. */
	fg_cfg_write(&g, 1, 0x10, 0xe1000000u, 4);
	CHECK_EQ(fg_cfg_read(&g, 1, 0x10, 4), 0xe1000000u);
	fg_cfg_write(&g, 1, 0x04, 2, 2);
	CHECK_EQ(log.moved_to, 0xe1000000u);
	CHECK_EQ(fg_mmio_read(&g, 0xe1000000u + 4, 4), 0xabababab);
	CHECK_EQ(fg_mmio_read(&g, bar + 4, 4), 0xffffffff);

	/* Moving while enabled, byte by byte, with unaligned low bits (dropped). */
	fg_cfg_write(&g, 1, 0x13, 0xe2, 1);
	CHECK_EQ(fg_cfg_read(&g, 1, 0x10, 4), 0xe2000000u);
	CHECK_EQ(fg_mmio_read(&g, 0xe2000000u, 4), 0xabababab);
	CHECK_EQ(fg_mmio_read(&g, 0xe1000000u, 4), 0xffffffff);
	fg_cfg_write(&g, 1, 0x10, 0xe2001234u, 4);
	CHECK_EQ(fg_cfg_read(&g, 1, 0x10, 4), 0xe2000000u);

	/* Sizing while enabled: 0xffffc000 + 16 KiB is exactly 4 GiB, still decodable... */
	fg_cfg_write(&g, 1, 0x10, 0xffffffff, 4);
	CHECK_EQ(fg_cfg_read(&g, 1, 0x10, 4), 0xffffc000u);
	CHECK_EQ(log.moved_to, 0xffffc000u);
	/* ...and parking it at 0 unmaps it. */
	fg_cfg_write(&g, 1, 0x10, 0, 4);
	CHECK_EQ(log.moved_to, 0);
	CHECK_EQ(fg_mmio_read(&g, 0xffffc000u, 4), 0xffffffff);
	pci_bus_destroy(bus);
	fg_destroy(&g);
}

TEST(bar_overlap_is_refused_and_other_bar_survives)
{
	struct fg g;
	struct pci_bus *bus;
	struct pci_dev *a, *b;
	struct bar_log la = {0}, lb = {0};
	uint32_t bar_a, bar_b;

	fg_init(&g, 1 << 20);
	bus = pci_bus_create(&g.host);
	a = pci_dev_add(bus, &test_id, NULL, &la);
	b = pci_dev_add(bus, &test_id, NULL, &lb);
	CHECK(a && b);
	pci_dev_set_bar(a, 0, 0x1000, bar_fn, &la, "a");
	pci_dev_set_bar(b, 2, 0x1000, bar_fn, &lb, "b");
	pci_dev_enable(a);
	pci_dev_enable(b);
	bar_a = fg_cfg_read(&g, 1, 0x10, 4);
	bar_b = fg_cfg_read(&g, 2, 0x18, 4);
	CHECK(bar_a != bar_b);
	/* The guest points b's BAR at a's: b stays unmapped, a keeps working. */
	fg_cfg_write(&g, 2, 0x18, bar_a, 4);
	fg_mmio_read(&g, bar_a, 4);
	CHECK_EQ(la.hits, 1);
	CHECK_EQ(lb.hits, 0);
	CHECK_EQ(fg_mmio_read(&g, bar_b, 4), 0xffffffff);
	/* Moved to a free place, b works again. */
	fg_cfg_write(&g, 2, 0x18, 0xe8000000u, 4);
	fg_mmio_read(&g, 0xe8000000u, 4);
	CHECK_EQ(lb.hits, 1);
	pci_bus_destroy(bus);
	fg_destroy(&g);
}

TEST(readonly_reserved_and_unaligned_writes_are_ignored)
{
	struct fg g;
	struct pci_bus *bus;
	struct pci_dev *d;
	struct bar_log log = {0};
	uint8_t before[256];

	fg_init(&g, 1 << 20);
	bus = pci_bus_create(&g.host);
	d = pci_dev_add(bus, &test_id, NULL, &log);
	pci_dev_set_bar(d, 0, 0x1000, bar_fn, &log, "t");
	pci_dev_enable(d);
	memcpy(before, d->cfg, 256);
	fg_cfg_write(&g, 1, 0x00, 0xdeadbeef, 4); /* vendor/device */
	fg_cfg_write(&g, 1, 0x08, 0xffffffff, 4); /* class, revision */
	fg_cfg_write(&g, 1, 0x0e, 0xff, 1);	  /* header type */
	fg_cfg_write(&g, 1, 0x3d, 0x04, 1);	  /* interrupt pin */
	fg_cfg_write(&g, 1, 0x80, 0xffffffff, 4); /* nothing there */
	fg_cfg_write(&g, 1, 0xfc, 0xffffffff, 4);
	CHECK(memcmp(before, d->cfg, 256) == 0);
	/* Unaligned: a word at offset 1, a dword at offset 2 (through ports 0xcfd/0xcfe). */
	fg_out(&g, 0xcf8, 0x80000800u | 0x04, 4);
	fg_out(&g, 0xcfd, 0xffff, 2);
	fg_out(&g, 0xcfe, 0xffffffff, 4);
	CHECK(memcmp(before, d->cfg, 256) == 0);
	CHECK_EQ(pci_bus_conf_read(bus, 0x80000800u, 1, 2), 0xffff);
	CHECK_EQ(pci_bus_conf_read(bus, 0x80000800u, 0, 3), 0xffffff);
	/* Byte accesses to 0xcf9-0xcfb do not move the address register. */
	fg_out(&g, 0xcf8, 0x80000800u, 4);
	fg_out(&g, 0xcf9, 0x06, 1);
	CHECK_EQ(fg_in(&g, 0xcf8, 4), 0x80000800u);
	/* Writable registers do change: interrupt line, latency timer. */
	fg_cfg_write(&g, 1, 0x3c, 0x0b, 1);
	CHECK_EQ(fg_cfg_read(&g, 1, 0x3c, 1), 0x0b);
	pci_bus_destroy(bus);
	fg_destroy(&g);
}

static void cfg_cb(void *opaque, uint32_t off, uint32_t len)
{
	struct bar_log *l = opaque;

	l->hits++;
	l->last_off = off;
}

TEST(capability_list)
{
	struct fg g;
	struct pci_bus *bus;
	struct pci_dev *d;
	struct bar_log log = {0};
	uint8_t body1[6] = {1, 2, 3, 4, 5, 6}, body2[10] = {0}, wm2[10] = {0};
	uint8_t c1, c2, c3;
	unsigned p, n = 0;

	fg_init(&g, 1 << 20);
	bus = pci_bus_create(&g.host);
	d = pci_dev_add(bus, &test_id, cfg_cb, &log);
	CHECK_EQ(fg_cfg_read(&g, 1, 0x06, 2) & 0x10, 0); /* no list yet */
	c1 = pci_dev_add_cap(d, 0x09, body1, NULL, sizeof(body1));
	wm2[1] = 0xc0;
	c2 = pci_dev_add_cap(d, 0x11, body2, wm2, sizeof(body2));
	c3 = pci_dev_add_cap(d, 0x09, body1, NULL, 3);
	CHECK_EQ(c1, 0x40);
	CHECK(c2 > c1 && c2 % 4 == 0 && c2 >= c1 + 2 + 6);
	CHECK(c3 > c2 && c3 % 4 == 0);
	CHECK(fg_cfg_read(&g, 1, 0x06, 2) & 0x10);
	for (p = fg_cfg_read(&g, 1, 0x34, 1); p && n < 10; p = fg_cfg_read(&g, 1, p + 1, 1))
		n++;
	CHECK_EQ(n, 3);
	CHECK_EQ(fg_cfg_read(&g, 1, c1 + 2, 2), 0x0201);
	CHECK_EQ(fg_cfg_read(&g, 1, c1 + 4, 4), 0x06050403);
	CHECK_EQ(fg_find_cap(&g, 1, 0x11, -1), c2);
	/* Only the masked bits of capability 2 are writable; the callback sees the write. */
	fg_cfg_write(&g, 1, c2 + 2, 0xffff, 2);
	CHECK_EQ(fg_cfg_read(&g, 1, c2 + 2, 2), 0xc000);
	CHECK_EQ(log.hits, 1);
	CHECK_EQ(log.last_off, c2 + 2);
	fg_cfg_write(&g, 1, c1 + 4, 0xffffffff, 4); /* read-only capability body */
	CHECK_EQ(fg_cfg_read(&g, 1, c1 + 4, 4), 0x06050403);
	/* A capability that does not fit is refused. */
	{
		uint8_t big[200] = {0};

		CHECK_EQ(pci_dev_add_cap(d, 0x09, big, NULL, sizeof(big)), 0);
	}
	pci_bus_destroy(bus);
	fg_destroy(&g);
}

struct irq_rec {
	unsigned n;
	uint8_t dev[8], pin[8], irq[8];
};

static void irq_cb(void *arg, uint8_t dev, uint8_t pin, uint8_t irq)
{
	struct irq_rec *r = arg;

	if (r->n < 8) {
		r->dev[r->n] = dev;
		r->pin[r->n] = pin;
		r->irq[r->n] = irq;
	}
	r->n++;
}

TEST(intx_routing_for_the_mp_table)
{
	struct fg g;
	struct pci_bus *bus;
	struct irq_rec r = {0};
	struct bar_log log = {0};

	fg_init(&g, 1 << 20);
	bus = pci_bus_create(&g.host);
	CHECK_EQ(pci_bus_for_each_irq(bus, irq_cb, &r), 0); /* the bridge has no pin */
	for (int i = 0; i < 5; i++)
		CHECK(pci_dev_add(bus, &test_id, NULL, &log) != NULL);
	CHECK_EQ(pci_bus_for_each_irq(bus, irq_cb, &r), 5);
	for (unsigned i = 0; i < 5; i++) {
		CHECK_EQ(r.dev[i], i + 1);
		CHECK_EQ(r.pin[i], 1);
		CHECK(r.irq[i] == 5 || r.irq[i] == 9 || r.irq[i] == 10 || r.irq[i] == 11);
		/* The guest-visible interrupt line register says the same. */
		CHECK_EQ(fg_cfg_read(&g, i + 1, 0x3c, 1), r.irq[i]);
		CHECK_EQ(fg_cfg_read(&g, i + 1, 0x3d, 1), 1);
	}
	CHECK(r.irq[0] != r.irq[1] && r.irq[1] != r.irq[2] && r.irq[2] != r.irq[3]);
	pci_bus_destroy(bus);
	fg_destroy(&g);
}

TEST(bus_full)
{
	struct fg g;
	struct pci_bus *bus;
	struct bar_log log = {0};
	int added = 0;

	fg_init(&g, 1 << 20);
	bus = pci_bus_create(&g.host);
	while (pci_dev_add(bus, &test_id, NULL, &log) && added < 100)
		added++;
	CHECK_EQ(added, PCI_MAX_DEVS - 1);
	pci_bus_destroy(bus);
	fg_destroy(&g);
}

HARNESS_MAIN(host_bridge_and_empty_slots, bar_sizing_move_and_memory_enable,
	     bar_overlap_is_refused_and_other_bar_survives,
	     readonly_reserved_and_unaligned_writes_are_ignored, capability_list,
	     intx_routing_for_the_mp_table, bus_full)
