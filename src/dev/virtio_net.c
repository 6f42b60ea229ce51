/* virtio_net.c: virtio-net over virtio-pci with a tap behind it (see virtio_net.h).
 *
 * Queue 0 receives (tap -> guest), queue 1 transmits (guest -> tap); no control queue. The 12-byte
 * virtio_net_hdr_mrg_rxbuf the guest uses is exactly the tap's vnet header, so offload metadata
 * (checksum offsets, GSO type and size) passes through untouched in both directions.
 *
 * Per-packet path, where the fast-path eBPF hooks (net.tx, net.rx, XDP context) go:
 *  - tx: one chain = one frame; see the "HOOK net.tx" comment in net_tx(): the frame is the
 *    chain's readable segments after the header, linearisable with virtq_chain_read() into
 *    n->txbuf (which is sized for a 64 KiB TSO frame);
 *  - rx: the frame is read whole into n->rxbuf (contiguous), see "HOOK net.rx" in net_rx(),
 *    before it is spread over the guest's (mergeable) buffers.
 * Both run on the transport's worker thread with the transport lock held. */
#include "dev/virtio_net.h"

#include <errno.h>
#include <linux/if_tun.h>
#include <linux/virtio_net.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/uio.h>
#include <unistd.h>

#include "common/log.h"
#include "dev/tap.h"
#include "dev/virtio_pci.h"

#define NET_RXQ 0
#define NET_TXQ 1
#define NET_QUEUE_MAX 256
#define NET_CFG_SIZE 12
#define NET_MAX_FRAME (65536 + 18) /* 64 KiB TSO payload and an Ethernet + VLAN header */
#define NET_BUF_LEN (TAP_VNET_HDR_LEN + NET_MAX_FRAME)
#define NET_RX_BATCH 64
#define NET_FD_TAP 0

struct virtio_net {
	struct virtio_pci *vp;
	struct tap *tap;
	uint8_t mac[6];
	uint64_t features; /* negotiated */
	bool mrg_rxbuf;
	bool rx_pending; /* rxbuf holds a frame not yet delivered (no guest buffers) */
	size_t rx_len;
	bool logged_tx, logged_rx;
	uint64_t tx_packets, tx_dropped, rx_packets, rx_dropped;
	struct virtq_chain chain, first;
	struct iovec iov[VIRTQ_MAX_SEGS];
	uint16_t heads[NET_QUEUE_MAX];
	uint32_t lens[NET_QUEUE_MAX];
	uint8_t rxbuf[NET_BUF_LEN];
};

/* ---- transmit ------------------------------------------------------------------------------ */

static void net_tx(struct virtio_net *n)
{
	struct virtq *q = virtio_pci_queue(n->vp, NET_TXQ);
	int r;

	if (!q)
		return;
	for (;;) {
		while ((r = virtq_pop(q, &n->chain)) == 1) {
			struct virtq_chain *c = &n->chain;
			int cnt = 0;

			if (c->out_len < TAP_VNET_HDR_LEN || c->out_len > NET_BUF_LEN) {
				bw_log_once(&n->logged_tx, BW_LOG_WARN,
					    "%s: dropped tx chain of %llu bytes (want %d to %d)",
					    n->vp->label, (unsigned long long)c->out_len,
					    TAP_VNET_HDR_LEN, NET_BUF_LEN);
				n->tx_dropped++;
				virtq_push(q, c->head, 0);
				continue;
			}
			/* HOOK net.tx: the frame is bytes [TAP_VNET_HDR_LEN, c->out_len) of the
			 * readable segments c->seg[0, c->n_out); a fast-path program gets it
			 * linearised (virtq_chain_read() into a NET_BUF_LEN buffer) as its XDP
			 * data/data_end, and its verdict decides whether the writev below runs. */
			for (unsigned i = 0; i < c->n_out; i++)
				n->iov[cnt++] = (struct iovec){c->seg[i].ptr, c->seg[i].len};
			if (writev(n->tap->fd, n->iov, cnt) < 0)
				n->tx_dropped++; /* tap full (EAGAIN) or down: dropped like a NIC */
			else
				n->tx_packets++;
			virtq_push(q, c->head, 0);
		}
		if (r < 0) {
			virtio_pci_needs_reset(n->vp, q->err);
			return;
		}
		virtio_pci_notify(n->vp, NET_TXQ);
		if (!virtq_enable_kick(q))
			break;
	}
}

/* ---- receive ------------------------------------------------------------------------------- */

/* Copies the frame in rxbuf into guest buffers. Returns 1 when delivered (or dropped), 0 when
 * the guest has no buffers yet (nothing consumed), -1 on a guest error (device needs reset). */
static int rx_deliver(struct virtio_net *n, struct virtq *q)
{
	size_t off = 0, len = n->rx_len;
	unsigned nbufs = 0;
	uint16_t num;
	int r;

	if (!n->mrg_rxbuf) {
		r = virtq_pop(q, &n->chain);
		if (r <= 0)
			return r < 0 ? -1 : 0;
		if (n->chain.in_len < len) {
			/* A guest without mergeable buffers posts 64 KiB buffers when it took
			 * GUEST_TSO, 1.5 KiB otherwise: a bigger frame cannot be delivered. */
			n->rx_dropped++;
			virtq_unpop(q, 1);
			return 1;
		}
		num = 1;
		memcpy(n->rxbuf + 10, &num, 2);
		virtq_chain_write(&n->chain, 0, n->rxbuf, len);
		virtq_push(q, n->chain.head, (uint32_t)len);
		return 1;
	}
	while (off < len) {
		struct virtq_chain *c = nbufs == 0 ? &n->first : &n->chain;
		size_t w;

		if (nbufs == NET_QUEUE_MAX) {
			virtio_pci_needs_reset(n->vp, "rx frame needs more buffers than the queue");
			return -1;
		}
		r = virtq_pop(q, c);
		if (r < 0)
			return -1;
		if (r == 0) {
			virtq_unpop(q, nbufs);
			return 0;
		}
		if (c->in_len == 0 || (nbufs == 0 && c->in_len < TAP_VNET_HDR_LEN)) {
			char why[96];

			snprintf(why, sizeof(why), "rx buffer %u of %llu writable bytes", c->head,
				 (unsigned long long)c->in_len);
			virtio_pci_needs_reset(n->vp, why);
			return -1;
		}
		w = virtq_chain_write(c, 0, n->rxbuf + off, len - off);
		n->heads[nbufs] = c->head;
		n->lens[nbufs] = (uint32_t)w;
		off += w;
		nbufs++;
	}
	num = (uint16_t)nbufs;
	virtq_chain_write(&n->first, 10, &num, 2);
	for (unsigned i = 0; i < nbufs; i++)
		virtq_push(q, n->heads[i], n->lens[i]);
	return 1;
}

static void net_rx(struct virtio_net *n)
{
	struct virtq *q = virtio_pci_queue(n->vp, NET_RXQ);
	unsigned batch = 0;

	if (!q) {
		virtio_pci_watch_fd(n->vp, NET_FD_TAP, false);
		return;
	}
	for (;;) {
		int r;

		if (!n->rx_pending) {
			ssize_t got = read(n->tap->fd, n->rxbuf, sizeof(n->rxbuf));

			if (got < 0 || got == 0)
				break; /* EAGAIN: drained */
			if (got < TAP_VNET_HDR_LEN + 14) {
				n->rx_dropped++;
				continue;
			}
			n->rx_len = (size_t)got;
			n->rx_pending = true;
			/* HOOK net.rx: the frame is contiguous at n->rxbuf + TAP_VNET_HDR_LEN,
			 * n->rx_len - TAP_VNET_HDR_LEN bytes: the XDP data/data_end of a
			 * fast-path program, whose verdict decides whether it is delivered. */
		}
		r = rx_deliver(n, q);
		if (r < 0) {
			if (!(n->vp->status & VIRTIO_STAT_NEEDS_RESET))
				virtio_pci_needs_reset(n->vp, q->err);
			n->rx_pending = false;
			return;
		}
		if (r == 0) {
			/* No buffers: stop watching the tap until the guest kicks rx, but look
			 * again if buffers arrived while we asked for that kick. */
			virtio_pci_notify(n->vp, NET_RXQ);
			if (virtq_enable_kick(q))
				continue;
			virtio_pci_watch_fd(n->vp, NET_FD_TAP, false);
			return;
		}
		n->rx_pending = false;
		n->rx_packets++;
		if (++batch == NET_RX_BATCH) {
			virtio_pci_notify(n->vp, NET_RXQ);
			batch = 0;
		}
	}
	virtio_pci_notify(n->vp, NET_RXQ);
}

/* ---- transport callbacks ------------------------------------------------------------------- */

static void net_kick(void *opaque, unsigned qi)
{
	struct virtio_net *n = opaque;

	if (qi == NET_TXQ) {
		net_tx(n);
	} else if (qi == NET_RXQ) {
		virtio_pci_watch_fd(n->vp, NET_FD_TAP, true);
		net_rx(n);
	}
}

static void net_fd_ready(void *opaque, unsigned id)
{
	net_rx(opaque);
}

static void net_start(void *opaque, uint64_t features)
{
	struct virtio_net *n = opaque;
	unsigned off = 0;
	int err;

	n->features = features;
	n->mrg_rxbuf = features & (1ULL << VIRTIO_NET_F_MRG_RXBUF);
	if (features & (1ULL << VIRTIO_NET_F_GUEST_CSUM)) {
		off |= TUN_F_CSUM;
		if (features & (1ULL << VIRTIO_NET_F_GUEST_TSO4))
			off |= TUN_F_TSO4;
		if (features & (1ULL << VIRTIO_NET_F_GUEST_TSO6))
			off |= TUN_F_TSO6;
		if (features & (1ULL << VIRTIO_NET_F_GUEST_ECN))
			off |= TUN_F_TSO_ECN;
	}
	err = tap_set_offload(n->tap, off);
	if (err)
		bw_warn("%s: tap %s: cannot set offloads 0x%x: %s", n->vp->label, n->tap->name, off,
			strerror(-err));
	virtio_pci_watch_fd(n->vp, NET_FD_TAP, true);
}

static void net_reset(void *opaque)
{
	struct virtio_net *n = opaque;

	n->rx_pending = false;
	n->features = 0;
	n->mrg_rxbuf = false;
	if (n->vp)
		virtio_pci_watch_fd(n->vp, NET_FD_TAP, false);
}

static void net_cfg_read(void *opaque, uint32_t off, uint8_t *data, uint32_t len)
{
	struct virtio_net *n = opaque;
	uint8_t cfg[NET_CFG_SIZE] = {0};
	uint16_t status = VIRTIO_NET_S_LINK_UP, pairs = 1;

	memcpy(cfg, n->mac, 6);
	memcpy(cfg + 6, &status, 2);
	memcpy(cfg + 8, &pairs, 2);
	if (off < sizeof(cfg) && len <= sizeof(cfg) - off)
		memcpy(data, cfg + off, len);
}

static const struct virtio_dev_ops net_ops = {
    .cfg_read = net_cfg_read,
    .start = net_start,
    .reset = net_reset,
    .queue_kick = net_kick,
    .fd_ready = net_fd_ready,
};

struct virtio_net *virtio_net_create_backend(struct pci_bus *bus, struct dev_host *host,
					     struct tap *tap, const uint8_t mac[6], char *err,
					     size_t errlen)
{
	struct virtio_pci_config cfg = {
	    .name = "virtio-net",
	    .device_type = 1,
	    .class_code = 0x020000,
	    .features = (1ULL << VIRTIO_NET_F_CSUM) | (1ULL << VIRTIO_NET_F_GUEST_CSUM) |
			(1ULL << VIRTIO_NET_F_MAC) | (1ULL << VIRTIO_NET_F_GUEST_TSO4) |
			(1ULL << VIRTIO_NET_F_GUEST_TSO6) | (1ULL << VIRTIO_NET_F_GUEST_ECN) |
			(1ULL << VIRTIO_NET_F_HOST_TSO4) | (1ULL << VIRTIO_NET_F_HOST_TSO6) |
			(1ULL << VIRTIO_NET_F_HOST_ECN) | (1ULL << VIRTIO_NET_F_MRG_RXBUF) |
			(1ULL << VIRTIO_NET_F_STATUS),
	    .num_queues = 2,
	    .queue_max = NET_QUEUE_MAX,
	    .cfg_size = NET_CFG_SIZE,
	    .ops = &net_ops,
	};
	struct virtio_net *n = calloc(1, sizeof(*n));
	int e;

	if (!n) {
		snprintf(err, errlen, "tap %s: out of memory", tap->name);
		tap_close(tap);
		return NULL;
	}
	n->tap = tap;
	if (mac) {
		memcpy(n->mac, mac, 6);
	} else {
		if (getrandom(n->mac, 6, 0) != 6)
			memset(n->mac, 0x5a, 6);
		n->mac[0] =
		    (uint8_t)((n->mac[0] & 0xfe) | 0x02); /* unicast, locally administered */
	}
	cfg.dev = n;
	n->vp = virtio_pci_create(bus, host, &cfg);
	if (!n->vp) {
		snprintf(err, errlen, "tap %s: cannot add the virtio-net PCI function", tap->name);
		tap_close(tap);
		free(n);
		return NULL;
	}
	pthread_mutex_lock(&n->vp->lock);
	e = virtio_pci_add_fd(n->vp, NET_FD_TAP, tap->fd);
	if (e == 0)
		virtio_pci_watch_fd(n->vp, NET_FD_TAP, false);
	pthread_mutex_unlock(&n->vp->lock);
	if (e)
		bw_warn("%s: backend %s cannot be polled (%s): receive disabled", n->vp->label,
			tap->name, strerror(-e));
	return n;
}

struct virtio_net *virtio_net_create(struct pci_bus *bus, struct dev_host *host,
				     const char *tap_name, const uint8_t mac[6], char *err,
				     size_t errlen)
{
	struct tap *t = tap_open(tap_name, err, errlen);

	if (!t)
		return NULL;
	return virtio_net_create_backend(bus, host, t, mac, err, errlen);
}

void virtio_net_destroy(struct virtio_net *n)
{
	if (!n)
		return;
	virtio_pci_destroy(n->vp);
	tap_close(n->tap);
	free(n);
}

struct virtio_pci *virtio_net_transport(struct virtio_net *n)
{
	return n->vp;
}
