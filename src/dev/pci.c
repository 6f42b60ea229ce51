/* pci.c: PCI bus 0 with a host bridge, configuration mechanism #1 and type-0 config space for the
 * device models (see pci.h).
 *
 * Config space of each function is a 256-byte image plus a mask of the bits the guest may write;
 * BARs are special: the value read back is (written & ~(size - 1)) | flags, which gives the sizing
 * protocol for free, and a change of address or of the command register's memory-space enable
 * moves the BAR's claim on host->mmio. Everything the guest does here is bounded: unknown
 * functions read as all ones, unaligned or odd-sized accesses and writes to read-only registers are
 * ignored (logged once), and a BAR the guest points at an impossible place (wrapping, above
 * 4 GiB, overlapping another claim) simply stays unmapped until it is moved somewhere sane. */
#include "dev/pci.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"

#define PCI_CONF_ADDR_PORT 0xCF8
#define PCI_CONF_PORT_LEN 8

#define PCI_VENDOR_ID 0x00
#define PCI_COMMAND 0x04
#define PCI_STATUS 0x06
#define PCI_REVISION 0x08
#define PCI_CLASS_PROG 0x09
#define PCI_CACHE_LINE 0x0C
#define PCI_LATENCY 0x0D
#define PCI_HEADER_TYPE 0x0E
#define PCI_BAR0 0x10
#define PCI_SUBSYS_VENDOR 0x2C
#define PCI_SUBSYS_ID 0x2E
#define PCI_CAP_PTR 0x34
#define PCI_INT_LINE 0x3C
#define PCI_INT_PIN 0x3D
#define PCI_CAP_START 0x40

#define PCI_CMD_MEMORY 0x0002
#define PCI_CMD_MASTER 0x0004
#define PCI_CMD_INTX_DISABLE 0x0400
#define PCI_STATUS_CAP_LIST 0x0010

struct pci_bus {
	struct dev_host *host;
	pthread_mutex_t lock;
	uint32_t conf_addr; /* last value written to 0xCF8 */
	struct pci_dev *devs[PCI_MAX_DEVS];
	struct pci_dev bridge;
	uint64_t next_mmio; /* next free address in the MMIO window */
	bool logged_unaligned, logged_ro, logged_bar;
};

/* A BAR claim change to report to the device once the bus lock is released. */
struct pci_bar_event {
	struct pci_dev *dev;
	unsigned idx;
	uint64_t addr;
};

static const uint8_t pci_irq_lines[] = PCI_IRQ_LINES;

static void cfg_put(uint8_t *cfg, uint32_t off, uint32_t len, uint32_t val)
{
	for (uint32_t i = 0; i < len; i++)
		cfg[off + i] = (uint8_t)(val >> (8 * i));
}

static uint32_t cfg_get(const uint8_t *cfg, uint32_t off, uint32_t len)
{
	uint32_t v = 0;

	for (uint32_t i = 0; i < len; i++)
		v |= (uint32_t)cfg[off + i] << (8 * i);
	return v;
}

static uint32_t bar_value(const struct pci_dev *dev, unsigned idx)
{
	return cfg_get(dev->cfg, PCI_BAR0 + 4 * idx, 4);
}

static bool mem_enabled(const struct pci_dev *dev)
{
	return cfg_get(dev->cfg, PCI_COMMAND, 2) & PCI_CMD_MEMORY;
}

/* Releases the claim of BAR idx, if any. Bus lock held. */
static void bar_unmap(struct pci_dev *dev, unsigned idx, struct pci_bar_event *ev, unsigned *n_ev)
{
	struct pci_bar *bar = &dev->bar[idx];

	if (!bar->mapped)
		return;
	io_bus_unregister(dev->bus->host->mmio, bar->mapped, bar->opaque);
	bar->mapped = 0;
	ev[(*n_ev)++] = (struct pci_bar_event){dev, idx, 0};
}

/* Claims BAR idx at the address in config space when memory decoding is on and the address is
 * usable. Bus lock held. */
static void bar_map(struct pci_dev *dev, unsigned idx, struct pci_bar_event *ev, unsigned *n_ev)
{
	struct pci_bar *bar = &dev->bar[idx];
	uint64_t addr = bar_value(dev, idx) & ~(uint64_t)(bar->size - 1);
	int err;

	if (!bar->size || !mem_enabled(dev) || bar->mapped == addr)
		return;
	bar_unmap(dev, idx, ev, n_ev);
	/* Address 0 is what a guest writes to park a BAR; a BAR reaching past 4 GiB cannot be
	 * decoded by a 32-bit BAR. */
	if (addr == 0 || addr + bar->size > 0x100000000ULL)
		return;
	err =
	    io_bus_register(dev->bus->host->mmio, addr, bar->size, bar->fn, bar->opaque, bar->name);
	if (err) {
		bw_log_once(&dev->bus->logged_bar, BW_LOG_WARN,
			    "pci 00:%02x.0: BAR%u at 0x%llx (size 0x%x) not mapped: %s", dev->slot,
			    idx, (unsigned long long)addr, bar->size, strerror(-err));
		return;
	}
	bar->mapped = addr;
	ev[(*n_ev)++] = (struct pci_bar_event){dev, idx, addr};
}

static void bars_update(struct pci_dev *dev, struct pci_bar_event *ev, unsigned *n_ev)
{
	for (unsigned i = 0; i < PCI_NUM_BARS; i++) {
		if (!dev->bar[i].size)
			continue;
		if (mem_enabled(dev))
			bar_map(dev, i, ev, n_ev);
		else
			bar_unmap(dev, i, ev, n_ev);
	}
}

static struct pci_dev *lookup(struct pci_bus *bus, uint32_t addr)
{
	uint32_t busno = (addr >> 16) & 0xff, slot = (addr >> 11) & 0x1f, fn = (addr >> 8) & 7;

	if (!(addr & 0x80000000u) || busno != 0 || fn != 0)
		return NULL;
	return bus->devs[slot];
}

uint32_t pci_bus_conf_read(struct pci_bus *bus, uint32_t addr, uint32_t off_in_dword, uint32_t len)
{
	uint32_t off = (addr & 0xfc) + off_in_dword, v = 0xffffffffu;
	struct pci_dev *dev;
	pci_cfg_read_fn cb = NULL;
	void *opaque = NULL;

	if ((len != 1 && len != 2 && len != 4) || off_in_dword + len > 4 || (off & (len - 1))) {
		bw_log_once(&bus->logged_unaligned, BW_LOG_DEBUG,
			    "pci: ignored unaligned config access (offset 0x%x, %u bytes)", off,
			    len);
		return len >= 4 ? v : v & ((1u << (8 * len)) - 1);
	}
	pthread_mutex_lock(&bus->lock);
	dev = lookup(bus, addr);
	if (dev && dev->cfg_read && off < dev->cfg_read_end && off + len > dev->cfg_read_start) {
		/* The device refreshes the bytes first, without the bus lock (it may take its own
		 * lock and call pci_dev_cfg_read()). Devices are removed only at teardown. */
		cb = dev->cfg_read;
		opaque = dev->opaque;
		pthread_mutex_unlock(&bus->lock);
		cb(opaque, off, len);
		pthread_mutex_lock(&bus->lock);
		dev = lookup(bus, addr);
	}
	if (dev)
		v = cfg_get(dev->cfg, off, len);
	pthread_mutex_unlock(&bus->lock);
	return len == 4 ? v : v & ((1u << (8 * len)) - 1);
}

void pci_bus_conf_write(struct pci_bus *bus, uint32_t addr, uint32_t off_in_dword, uint32_t len,
			uint32_t val)
{
	uint32_t off = (addr & 0xfc) + off_in_dword;
	struct pci_bar_event ev[2 * PCI_NUM_BARS + 2];
	unsigned n_ev = 0;
	bool touched = false;
	struct pci_dev *dev;
	pci_cfg_write_fn cb = NULL;
	void *opaque = NULL;

	if ((len != 1 && len != 2 && len != 4) || off_in_dword + len > 4 || (off & (len - 1))) {
		bw_log_once(&bus->logged_unaligned, BW_LOG_DEBUG,
			    "pci: ignored unaligned config access (offset 0x%x, %u bytes)", off,
			    len);
		return;
	}
	pthread_mutex_lock(&bus->lock);
	dev = lookup(bus, addr);
	if (!dev)
		goto out;
	for (uint32_t i = 0; i < len; i++) {
		uint32_t o = off + i;
		uint8_t b = (uint8_t)(val >> (8 * i));

		if (o >= PCI_BAR0 && o < PCI_BAR0 + 4 * PCI_NUM_BARS) {
			unsigned idx = (o - PCI_BAR0) / 4;
			uint32_t size = dev->bar[idx].size;
			uint32_t bv;

			if (!size)
				continue; /* unused BARs are hardwired to 0 */
			dev->cfg[o] = b;
			/* Low bits: memory, 32-bit, non-prefetchable (0); address bits below
			 * the size read as 0: the sizing protocol. */
			bv = bar_value(dev, idx) & ~(size - 1);
			cfg_put(dev->cfg, PCI_BAR0 + 4 * idx, 4, bv);
			touched = true;
			continue;
		}
		if (dev->wmask[o]) {
			dev->cfg[o] = (dev->cfg[o] & ~dev->wmask[o]) | (b & dev->wmask[o]);
			touched = true;
		}
	}
	if (!touched) {
		bw_log_once(&bus->logged_ro, BW_LOG_DEBUG,
			    "pci 00:%02x.0: ignored write to read-only config offset 0x%x",
			    dev->slot, off);
		goto out;
	}
	if (off < PCI_BAR0 + 4 * PCI_NUM_BARS && off + len > PCI_COMMAND)
		bars_update(dev, ev, &n_ev);
	if (off >= PCI_CAP_START) {
		cb = dev->cfg_write;
		opaque = dev->opaque;
	}
out:
	pthread_mutex_unlock(&bus->lock);
	for (unsigned i = 0; i < n_ev; i++)
		if (ev[i].dev->bar_moved)
			ev[i].dev->bar_moved(ev[i].dev->opaque, ev[i].idx, ev[i].addr);
	if (cb)
		cb(opaque, off, len);
}

static void conf_io(void *opaque, uint64_t offset, uint8_t *data, uint32_t len, bool is_write)
{
	struct pci_bus *bus = opaque;
	uint32_t v = 0;

	if (offset < 4) {
		/* The address register only latches full dword accesses (0xCF9 byte writes are
		 * a chipset reset register elsewhere; here they are ignored). */
		if (offset != 0 || len != 4) {
			if (!is_write)
				memset(data, 0xff, len);
			return;
		}
		if (is_write) {
			memcpy(&v, data, 4);
			__atomic_store_n(&bus->conf_addr, v, __ATOMIC_RELAXED);
		} else {
			v = __atomic_load_n(&bus->conf_addr, __ATOMIC_RELAXED);
			memcpy(data, &v, 4);
		}
		return;
	}
	if (len > 4) {
		if (!is_write)
			memset(data, 0xff, len);
		return;
	}
	uint32_t addr = __atomic_load_n(&bus->conf_addr, __ATOMIC_RELAXED);
	if (is_write) {
		memcpy(&v, data, len);
		pci_bus_conf_write(bus, addr, (uint32_t)offset - 4, len, v);
	} else {
		v = pci_bus_conf_read(bus, addr, (uint32_t)offset - 4, len);
		memcpy(data, &v, len);
	}
}

static void init_header(struct pci_dev *dev, const struct pci_dev_id *id)
{
	memset(dev->cfg, 0, sizeof(dev->cfg));
	memset(dev->wmask, 0, sizeof(dev->wmask));
	cfg_put(dev->cfg, PCI_VENDOR_ID, 2, id->vendor);
	cfg_put(dev->cfg, PCI_VENDOR_ID + 2, 2, id->device);
	dev->cfg[PCI_REVISION] = id->revision;
	cfg_put(dev->cfg, PCI_CLASS_PROG, 3, id->class_code);
	dev->cfg[PCI_HEADER_TYPE] = 0;
	cfg_put(dev->cfg, PCI_SUBSYS_VENDOR, 2, id->subsys_vendor);
	cfg_put(dev->cfg, PCI_SUBSYS_ID, 2, id->subsys_id);
	cfg_put(dev->wmask, PCI_COMMAND, 2, PCI_CMD_MEMORY | PCI_CMD_MASTER | PCI_CMD_INTX_DISABLE);
	dev->wmask[PCI_CACHE_LINE] = 0xff;
	dev->wmask[PCI_LATENCY] = 0xff;
	dev->wmask[PCI_INT_LINE] = 0xff;
}

struct pci_bus *pci_bus_create(struct dev_host *host)
{
	static const struct pci_dev_id bridge_id = {
	    .vendor = 0x1b36, /* Red Hat, Inc. (QEMU's id space): "PCIe host bridge" */
	    .device = 0x0008,
	    .class_code = 0x060000,
	};
	struct pci_bus *bus = calloc(1, sizeof(*bus));
	int err;

	if (!bus)
		return NULL;
	bus->host = host;
	pthread_mutex_init(&bus->lock, NULL);
	bus->next_mmio = PCI_MMIO_WINDOW_START;
	bus->bridge.bus = bus;
	bus->bridge.slot = 0;
	init_header(&bus->bridge, &bridge_id);
	bus->devs[0] = &bus->bridge;
	err = io_bus_register(host->pio, PCI_CONF_ADDR_PORT, PCI_CONF_PORT_LEN, conf_io, bus,
			      "pci-conf1");
	if (err) {
		bw_err("pci: cannot claim ports 0xcf8-0xcff: %s", strerror(-err));
		pthread_mutex_destroy(&bus->lock);
		free(bus);
		return NULL;
	}
	return bus;
}

void pci_bus_destroy(struct pci_bus *bus)
{
	if (!bus)
		return;
	for (unsigned s = 1; s < PCI_MAX_DEVS; s++)
		if (bus->devs[s])
			pci_dev_remove(bus->devs[s]);
	io_bus_unregister(bus->host->pio, PCI_CONF_ADDR_PORT, bus);
	pthread_mutex_destroy(&bus->lock);
	free(bus);
}

int pci_bus_for_each_irq(struct pci_bus *bus,
			 void (*cb)(void *arg, uint8_t dev, uint8_t pin, uint8_t irq), void *arg)
{
	int n = 0;

	for (unsigned s = 0; s < PCI_MAX_DEVS; s++) {
		struct pci_dev *d = bus->devs[s];

		if (!d || !d->cfg[PCI_INT_PIN])
			continue;
		cb(arg, (uint8_t)s, d->cfg[PCI_INT_PIN], pci_dev_irq_line(d));
		n++;
	}
	return n;
}

struct pci_dev *pci_dev_add(struct pci_bus *bus, const struct pci_dev_id *id,
			    pci_cfg_write_fn cfg_write, void *opaque)
{
	struct pci_dev *dev = NULL;

	pthread_mutex_lock(&bus->lock);
	for (unsigned s = 1; s < PCI_MAX_DEVS; s++) {
		if (bus->devs[s])
			continue;
		dev = calloc(1, sizeof(*dev));
		if (!dev)
			break;
		dev->bus = bus;
		dev->slot = (uint8_t)s;
		dev->cfg_write = cfg_write;
		dev->opaque = opaque;
		init_header(dev, id);
		dev->cfg[PCI_INT_PIN] = 1;
		dev->cfg[PCI_INT_LINE] = pci_dev_irq_line(dev);
		bus->devs[s] = dev;
		break;
	}
	pthread_mutex_unlock(&bus->lock);
	if (!dev)
		bw_err("pci: no free slot on bus 0 (at most %d functions)", PCI_MAX_DEVS - 1);
	return dev;
}

uint8_t pci_dev_add_cap(struct pci_dev *dev, uint8_t cap_id, const void *body, const uint8_t *wmask,
			uint32_t len)
{
	uint32_t off;

	pthread_mutex_lock(&dev->bus->lock);
	off = dev->cap_end ? dev->cap_end : PCI_CAP_START;
	if (off + 2 + len > PCI_CFG_SIZE) {
		pthread_mutex_unlock(&dev->bus->lock);
		bw_err("pci 00:%02x.0: no room for capability 0x%02x (%u bytes)", dev->slot, cap_id,
		       len);
		return 0;
	}
	dev->cfg[off] = cap_id;
	dev->cfg[off + 1] = 0;
	memcpy(&dev->cfg[off + 2], body, len);
	if (wmask)
		memcpy(&dev->wmask[off + 2], wmask, len);
	if (dev->last_cap)
		dev->cfg[dev->last_cap + 1] = (uint8_t)off;
	else
		dev->cfg[PCI_CAP_PTR] = (uint8_t)off;
	cfg_put(dev->cfg, PCI_STATUS, 2, cfg_get(dev->cfg, PCI_STATUS, 2) | PCI_STATUS_CAP_LIST);
	dev->last_cap = (uint8_t)off;
	dev->cap_end = (uint16_t)((off + 2 + len + 3) & ~3u);
	pthread_mutex_unlock(&dev->bus->lock);
	return (uint8_t)off;
}

int pci_dev_set_bar(struct pci_dev *dev, unsigned idx, uint32_t size, io_handler_fn fn,
		    void *opaque, const char *name)
{
	if (idx >= PCI_NUM_BARS || size < 4096 || (size & (size - 1)))
		return -EINVAL;
	pthread_mutex_lock(&dev->bus->lock);
	dev->bar[idx].size = size;
	dev->bar[idx].fn = fn;
	dev->bar[idx].opaque = opaque;
	snprintf(dev->bar[idx].name, sizeof(dev->bar[idx].name), "%s", name);
	pthread_mutex_unlock(&dev->bus->lock);
	return 0;
}

int pci_dev_enable(struct pci_dev *dev)
{
	struct pci_bus *bus = dev->bus;
	struct pci_bar_event ev[2 * PCI_NUM_BARS];
	unsigned n_ev = 0;
	int err = 0;

	pthread_mutex_lock(&bus->lock);
	for (unsigned i = 0; i < PCI_NUM_BARS; i++) {
		uint32_t size = dev->bar[i].size;
		uint64_t addr;

		if (!size)
			continue;
		addr = (bus->next_mmio + size - 1) & ~(uint64_t)(size - 1);
		if (addr + size > PCI_MMIO_WINDOW_END) {
			bw_err("pci 00:%02x.0: MMIO window full for BAR%u (0x%x bytes)", dev->slot,
			       i, size);
			err = -ENOSPC;
			break;
		}
		bus->next_mmio = addr + size;
		cfg_put(dev->cfg, PCI_BAR0 + 4 * i, 4, (uint32_t)addr);
	}
	if (!err) {
		cfg_put(dev->cfg, PCI_COMMAND, 2,
			cfg_get(dev->cfg, PCI_COMMAND, 2) | PCI_CMD_MEMORY);
		bars_update(dev, ev, &n_ev);
	}
	pthread_mutex_unlock(&bus->lock);
	for (unsigned i = 0; i < n_ev; i++)
		if (dev->bar_moved)
			dev->bar_moved(dev->opaque, ev[i].idx, ev[i].addr);
	return err;
}

void pci_dev_remove(struct pci_dev *dev)
{
	struct pci_bus *bus;
	struct pci_bar_event ev[2 * PCI_NUM_BARS];
	unsigned n_ev = 0;

	if (!dev)
		return;
	bus = dev->bus;
	pthread_mutex_lock(&bus->lock);
	for (unsigned i = 0; i < PCI_NUM_BARS; i++)
		bar_unmap(dev, i, ev, &n_ev);
	bus->devs[dev->slot] = NULL;
	pthread_mutex_unlock(&bus->lock);
	free(dev);
}

uint8_t pci_dev_irq_line(const struct pci_dev *dev)
{
	return pci_irq_lines[(dev->slot + sizeof(pci_irq_lines) - 1) % sizeof(pci_irq_lines)];
}

void pci_dev_cfg_set(struct pci_dev *dev, uint32_t off, uint32_t len, uint32_t val)
{
	if (len > 4 || off >= PCI_CFG_SIZE || len > PCI_CFG_SIZE - off)
		return;
	pthread_mutex_lock(&dev->bus->lock);
	cfg_put(dev->cfg, off, len, val);
	pthread_mutex_unlock(&dev->bus->lock);
}

uint32_t pci_dev_cfg_read(struct pci_dev *dev, uint32_t off, uint32_t len)
{
	uint32_t v;

	if (len > 4 || off + len > PCI_CFG_SIZE)
		return 0;
	pthread_mutex_lock(&dev->bus->lock);
	v = cfg_get(dev->cfg, off, len);
	pthread_mutex_unlock(&dev->bus->lock);
	return v;
}
