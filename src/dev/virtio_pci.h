/* virtio_pci.h: the virtio 1.x modern PCI transport (virtio 1.2 section 4.1) shared by the
 * virtio device models.
 *
 * BAR0 (16 KiB) holds the common, ISR, device and notify structures the vendor capabilities point
 * at; BAR1 (4 KiB) holds the MSI-X table and PBA. A VIRTIO_PCI_CAP_PCI_CFG capability (virtio 1.2
 * 4.1.4.9) gives the same BAR0 structures through configuration space (firmware uses it). The
 * transport owns feature negotiation, the status state machine (NEEDS_RESET included), per-queue
 * configuration and interrupts (MSI-X through irqfd when the host offers it, else signal_msi; INTx
 * with the ISR when MSI-X is off), doorbells (ioeventfd when the host offers it, else the notify
 * MMIO write), and one worker thread per device that waits on the doorbells and on fds the device
 * adds (a tap) and calls the device with the transport lock held. The device model (virtio-net,
 * virtio-blk) supplies virtio_dev_ops.
 */
#ifndef BULWARK_DEV_VIRTIO_PCI_H
#define BULWARK_DEV_VIRTIO_PCI_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "dev/dev_host.h"
#include "dev/pci.h"
#include "dev/virtq.h"

#define VIRTIO_PCI_MAX_QUEUES 17 /* virtio-net: 8 queue pairs and the control queue */
#define VIRTIO_PCI_MAX_FDS 8
#define VIRTIO_PCI_BAR_SIZE 0x4000
#define VIRTIO_PCI_COMMON_OFF 0x0000
#define VIRTIO_PCI_ISR_OFF 0x1000
#define VIRTIO_PCI_DEVCFG_OFF 0x2000
#define VIRTIO_PCI_NOTIFY_OFF 0x3000
#define VIRTIO_PCI_NOTIFY_MULT 4
#define VIRTIO_PCI_MSIX_BAR_SIZE 0x1000
#define VIRTIO_PCI_MSIX_PBA_OFF 0x800
#define VIRTIO_PCI_NO_VECTOR 0xffff

/* Status bits (virtio 1.2 2.1). */
#define VIRTIO_STAT_ACKNOWLEDGE 1
#define VIRTIO_STAT_DRIVER 2
#define VIRTIO_STAT_DRIVER_OK 4
#define VIRTIO_STAT_FEATURES_OK 8
#define VIRTIO_STAT_NEEDS_RESET 0x40
#define VIRTIO_STAT_FAILED 0x80

#define VIRTIO_FEAT_RING_INDIRECT_DESC (1ULL << 28)
#define VIRTIO_FEAT_RING_EVENT_IDX (1ULL << 29)
#define VIRTIO_FEAT_VERSION_1 (1ULL << 32)

struct virtio_pci;

struct virtio_dev_ops {
	/* Device configuration structure accesses (off within it); default reads 0. */
	void (*cfg_read)(void *dev, uint32_t off, uint8_t *data, uint32_t len);
	void (*cfg_write)(void *dev, uint32_t off, const uint8_t *data, uint32_t len);
	/* DRIVER_OK was set: features are final, enabled queues are ready. Lock held. */
	void (*start)(void *dev, uint64_t features);
	/* The device was reset by the guest (or destroyed): forget queue state. Lock held. */
	void (*reset)(void *dev);
	/* Doorbell of queue q (or a poll after start). Worker thread, lock held. */
	void (*queue_kick)(void *dev, unsigned q);
	/* An fd added with virtio_pci_add_fd() is readable. Worker thread, lock held. */
	void (*fd_ready)(void *dev, unsigned id);
};

struct virtio_pci_config {
	const char *name;     /* "virtio-net": logs and BAR names */
	uint16_t device_type; /* virtio device id: 1 net, 2 blk */
	uint32_t class_code;
	uint64_t features; /* device features without the transport's ones */
	unsigned num_queues;
	uint16_t queue_max; /* largest queue size offered */
	uint32_t cfg_size;  /* size of the device configuration structure */
	const struct virtio_dev_ops *ops;
	void *dev;
};

struct virtio_pci_queue {
	struct virtq vq;
	char vq_name[64];
	uint16_t size; /* value of queue_size as the driver left it */
	uint16_t msix_vector;
	bool enabled;
	uint32_t desc_lo, desc_hi, avail_lo, avail_hi, used_lo, used_hi;
	int kick_fd;	    /* eventfd: the doorbell */
	uint64_t ioev_addr; /* where the ioeventfd is registered, 0: none */
};

struct virtio_msix_entry {
	uint32_t addr_lo, addr_hi, data, ctrl;
	int irqfd, route; /* bound irqfd (-1 when none) */
	bool route_dirty;
};

#define VIRTIO_PCI_MSIX_VECTORS (VIRTIO_PCI_MAX_QUEUES + 1)

struct virtio_pci {
	struct virtio_pci_config cfg;
	struct dev_host *host;
	struct pci_dev *pci;
	char label[48]; /* "virtio-net@00:02.0" */
	pthread_mutex_t lock;
	uint64_t host_features, driver_features;
	uint32_t dfselect, gfselect;
	uint16_t msix_config;
	uint8_t status, config_generation;
	uint16_t queue_select;
	struct virtio_pci_queue q[VIRTIO_PCI_MAX_QUEUES];
	uint8_t isr;
	bool intx_asserted;
	uint8_t msix_cap;   /* config offset of the MSI-X capability */
	uint8_t pcicfg_cap; /* config offset of the VIRTIO_PCI_CAP_PCI_CFG capability */
	bool msix_enabled, msix_masked;
	struct virtio_msix_entry msix[VIRTIO_PCI_MSIX_VECTORS];
	uint64_t pba;
	uint64_t bar0; /* where BAR0 is mapped, 0 when not */
	/* Worker. */
	pthread_t thread;
	bool thread_started;
	int epfd, stop_fd;
	int fds[VIRTIO_PCI_MAX_FDS];
	bool fd_on[VIRTIO_PCI_MAX_FDS];
	bool logged_access, logged_notify, logged_msix, logged_feat, logged_reset, logged_pcicfg;
};

/* Adds the PCI function, its capabilities and BARs, and starts the worker thread. */
struct virtio_pci *virtio_pci_create(struct pci_bus *bus, struct dev_host *host,
				     const struct virtio_pci_config *cfg);
/* Stops the worker, resets the device (ops->reset) and removes the PCI function. */
void virtio_pci_destroy(struct virtio_pci *vp);

/* Watches fd for input in the worker (id < VIRTIO_PCI_MAX_FDS); on: watched or not. Before the
 * worker runs or with the lock held. */
int virtio_pci_add_fd(struct virtio_pci *vp, unsigned id, int fd);
void virtio_pci_watch_fd(struct virtio_pci *vp, unsigned id, bool on);

/* The queue q when the device is running (DRIVER_OK, no NEEDS_RESET) and q is enabled, else NULL.
 * Lock held. */
struct virtq *virtio_pci_queue(struct virtio_pci *vp, unsigned q);
/* Interrupts the guest for queue q if virtq_should_notify() says so. Lock held. */
void virtio_pci_notify(struct virtio_pci *vp, unsigned q);
/* Marks the device NEEDS_RESET after a guest error (logged once with why) and sends a
 * configuration change interrupt. Lock held. */
void virtio_pci_needs_reset(struct virtio_pci *vp, const char *why);
/* Signals a configuration change (new generation, interrupt). Lock held. */
void virtio_pci_config_changed(struct virtio_pci *vp);

/* Runs one pass of the worker loop without a thread (fuzzers, tests): handles the pending
 * doorbells and fds. timeout_ms as epoll_wait. Returns the number of events handled. */
int virtio_pci_poll(struct virtio_pci *vp, int timeout_ms);
/* Stops the worker thread (fuzzers and tests then drive virtio_pci_poll() themselves). */
void virtio_pci_stop_worker(struct virtio_pci *vp);

/* BAR handlers, exposed for tests and fuzzers (the same functions host->mmio calls). */
void virtio_pci_bar0_access(void *opaque, uint64_t off, uint8_t *data, uint32_t len, bool is_write);
void virtio_pci_msix_access(void *opaque, uint64_t off, uint8_t *data, uint32_t len, bool is_write);

#endif
