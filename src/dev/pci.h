/* pci.h: the guest's PCI bus: a host bridge at 00:00.0, configuration mechanism #1 on ports
 * 0xCF8 (address) and 0xCFC-0xCFF (data), and type-0 functions that device models add.
 *
 * A device model (virtio-pci) fills a pci_dev: identity, capabilities, and up to six 32-bit MMIO
 * BARs with their handlers. The bus owns config space: it implements the BAR sizing protocol
 * (write all ones, read the size mask), assigns every BAR an address in the 32-bit MMIO window
 * [PCI_MMIO_WINDOW_START, PCI_MMIO_WINDOW_END) of the PCI hole at creation (command register
 * memory-space enabled, as firmware would leave it), and moves the io_bus claim on host->mmio when
 * the guest reprograms a BAR or toggles memory-space enable. Each function gets INTx pin A routed
 * to a legacy IRQ line from PCI_IRQ_LINES (for the MP table, pci_bus_for_each_irq()).
 *
 * Guest config accesses are serialised by the bus lock; writes to read-only bits, reserved or
 * unaligned offsets are ignored (logged once). */
#ifndef BULWARK_DEV_PCI_H
#define BULWARK_DEV_PCI_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "dev/dev_host.h"
#include "dev/io_bus.h"

#define PCI_MMIO_WINDOW_START 0xE0000000ULL /* inside the PCI hole (GUEST_MEM_PCI_HOLE_START) */
#define PCI_MMIO_WINDOW_END 0xFEC00000ULL   /* IOAPIC at 0xFEC00000, LAPIC at 0xFEE00000 above */
#define PCI_MAX_DEVS 32			    /* slots on bus 0; slot 0 is the host bridge */
#define PCI_NUM_BARS 6
#define PCI_CFG_SIZE 256

/* Legacy IRQ lines given round-robin to the INTx pin of each function. They are level-triggered:
 * the device calls host->ops->irq_line(ctx, line, true) to assert and false to deassert. */
#define PCI_IRQ_LINES        \
	{                    \
		5, 9, 10, 11 \
	}

struct pci_bus;

/* Called after a guest write to config space [off, off + len) has been applied (for
 * capability control registers such as MSI-X enable). Called without the bus lock held, so it may
 * call pci_dev_cfg_read(). */
typedef void (*pci_cfg_write_fn)(void *opaque, uint32_t off, uint32_t len);
/* Called (without the bus lock) after BAR idx was claimed at addr on host->mmio, or released
 * (addr 0): devices re-register their ioeventfds there. */
typedef void (*pci_bar_moved_fn)(void *opaque, unsigned idx, uint64_t addr);
/* Called (without the bus lock) before a guest read of config space [off, off + len) that overlaps
 * the device's [cfg_read_start, cfg_read_end): the device may refresh those bytes with
 * pci_dev_cfg_set() (virtio's VIRTIO_PCI_CAP_PCI_CFG window reads a BAR there); the bus then
 * reads config space as usual. */
typedef void (*pci_cfg_read_fn)(void *opaque, uint32_t off, uint32_t len);

struct pci_bar {
	uint32_t size; /* power of two >= 4096, 0: unused */
	io_handler_fn fn;
	void *opaque;
	char name[48];
	uint64_t mapped; /* address currently claimed on host->mmio, 0 when none */
};

struct pci_dev {
	struct pci_bus *bus;
	uint8_t slot;
	uint8_t cfg[PCI_CFG_SIZE];
	uint8_t wmask[PCI_CFG_SIZE]; /* bits the guest may write (BARs are handled apart) */
	uint8_t last_cap;	     /* offset of the last capability added, 0 when none */
	uint16_t cap_end;	     /* first free offset after the capabilities */
	struct pci_bar bar[PCI_NUM_BARS];
	pci_cfg_write_fn cfg_write;
	pci_bar_moved_fn bar_moved;	       /* may be set by the device after pci_dev_add() */
	pci_cfg_read_fn cfg_read;	       /* may be set by the device after pci_dev_add()... */
	uint16_t cfg_read_start, cfg_read_end; /* ...with the range it watches */
	void *opaque;
};

struct pci_dev_id {
	uint16_t vendor, device, subsys_vendor, subsys_id;
	uint8_t revision;
	uint32_t class_code; /* 24 bits: base class, subclass, prog-if */
};

/* Creates the bus with its host bridge and claims 0xCF8-0xCFF on host->pio. NULL on failure. */
struct pci_bus *pci_bus_create(struct dev_host *host);
/* Releases the port claims and every BAR claim; devices must be destroyed first. */
void pci_bus_destroy(struct pci_bus *bus);

/* Calls cb for each function with an INTx pin: its slot, pin (1 = INTA) and legacy IRQ line.
 * Returns the number of calls. */
int pci_bus_for_each_irq(struct pci_bus *bus,
			 void (*cb)(void *arg, uint8_t dev, uint8_t pin, uint8_t irq), void *arg);

/* Adds a function in the next free slot with its identity, INTx pin A and a legacy IRQ line.
 * The device then adds capabilities and BARs, and calls pci_dev_enable(). NULL when full. */
struct pci_dev *pci_dev_add(struct pci_bus *bus, const struct pci_dev_id *id,
			    pci_cfg_write_fn cfg_write, void *opaque);
/* Appends a capability (id, then len bytes of body after the 2-byte header) to the list; wmask
 * (len bytes, may be NULL) marks the body bits the guest may write. Returns its config offset
 * or 0 when config space is full. */
uint8_t pci_dev_add_cap(struct pci_dev *dev, uint8_t cap_id, const void *body, const uint8_t *wmask,
			uint32_t len);
/* Declares BAR idx (32-bit memory, non-prefetchable) of size bytes handled by fn. */
int pci_dev_set_bar(struct pci_dev *dev, unsigned idx, uint32_t size, io_handler_fn fn,
		    void *opaque, const char *name);
/* Assigns addresses to the BARs, enables memory space and claims them on host->mmio. */
int pci_dev_enable(struct pci_dev *dev);
/* Releases the BAR claims of dev and frees its slot. */
void pci_dev_remove(struct pci_dev *dev);

/* The legacy IRQ line of dev's INTx pin. */
uint8_t pci_dev_irq_line(const struct pci_dev *dev);

/* Config space accessors for device models (host side, take the bus lock). */
uint32_t pci_dev_cfg_read(struct pci_dev *dev, uint32_t off, uint32_t len);
/* Sets len (1-4) bytes of config space at off to val whatever the guest write mask says (device
 * registers the guest reads, such as a data window). Ignored outside config space. */
void pci_dev_cfg_set(struct pci_dev *dev, uint32_t off, uint32_t len, uint32_t val);

/* Config mechanism #1 entry points (also reachable through host->pio): exposed for tests and
 * fuzzers. addr is the value written to 0xCF8. */
uint32_t pci_bus_conf_read(struct pci_bus *bus, uint32_t addr, uint32_t off_in_dword, uint32_t len);
void pci_bus_conf_write(struct pci_bus *bus, uint32_t addr, uint32_t off_in_dword, uint32_t len,
			uint32_t val);

#endif
