/* virtio_net.h: virtio-net (virtio 1.x over virtio-pci) backed by a Linux tap device.
 *
 * The tap is opened with IFF_TAP | IFF_NO_PI | IFF_VNET_HDR and a 12-byte vnet header, so the
 * guest's virtio_net_hdr passes through unchanged and the offloads (CSUM, TSO4/6, mergeable rx
 * buffers) work end to end; TUNSETOFFLOAD follows the features the guest accepted. Frames up to
 * 64 KiB (TSO). A control queue (CTRL_VQ) serves the receive filter (CTRL_RX promisc/allmulti,
 * CTRL_MAC table and address) and, with N > 1 queue pairs over an N-queue tap (IFF_MULTI_QUEUE),
 * multiqueue (MQ, VQ_PAIRS_SET). Each device has one worker thread (epoll on the tap queues and
 * the queue doorbells). */
#ifndef BULWARK_DEV_VIRTIO_NET_H
#define BULWARK_DEV_VIRTIO_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dev/dev_host.h"
#include "dev/pci.h"

struct virtio_net;
struct tap;
struct virtio_pci;

/* Opens tap tap_name (created if it does not exist and bulwark may) and adds the device to bus.
 * mac NULL: a locally administered address is generated. Returns NULL with a message in err
 * naming the tap and the reason. */
struct virtio_net *virtio_net_create(struct pci_bus *bus, struct dev_host *host,
				     const char *tap_name, const uint8_t mac[6], char *err,
				     size_t errlen);
/* Same with queues (1 to TAP_MAX_QUEUES) queue pairs over as many queues of tap tap_name
 * (IFF_MULTI_QUEUE when queues > 1); queues == 1 is virtio_net_create(). */
struct virtio_net *virtio_net_create_mq(struct pci_bus *bus, struct dev_host *host,
					const char *tap_name, unsigned queues, const uint8_t mac[6],
					char *err, size_t errlen);
/* Same over an already opened backend (tests, fuzzers, benchmarks: see tap.h's
 * tap_open_fd()). Takes ownership of tap. */
struct virtio_net *virtio_net_create_backend(struct pci_bus *bus, struct dev_host *host,
					     struct tap *tap, const uint8_t mac[6], char *err,
					     size_t errlen);
/* Same with n_taps queue pairs, pair i over taps[i]. Takes ownership of the taps (also on
 * failure). */
struct virtio_net *virtio_net_create_backends(struct pci_bus *bus, struct dev_host *host,
					      struct tap **taps, unsigned n_taps,
					      const uint8_t mac[6], char *err, size_t errlen);
/* Stops the worker, closes the tap, removes the PCI function. */
void virtio_net_destroy(struct virtio_net *n);

/* The device's virtio-pci transport (tests, fuzzers). */
struct virtio_pci *virtio_net_transport(struct virtio_net *n);

struct virtio_net_stats {
	uint64_t tx_packets, tx_dropped, rx_packets, rx_dropped;
	uint64_t rx_filtered; /* frames the receive filter (CTRL_RX, CTRL_MAC) did not deliver */
	unsigned curr_pairs;  /* queue pairs receiving (VQ_PAIRS_SET) */
	bool promisc;
};

/* Counters and control state (tests, logs). Takes the device lock. */
void virtio_net_stats(struct virtio_net *n, struct virtio_net_stats *st);

#endif
