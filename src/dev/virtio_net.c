/* virtio_net.c: virtio-net over virtio-pci with a tap behind it (see virtio_net.h).
 *
 * Queue pair i is queue 2i (receive, tap -> guest) and 2i + 1 (transmit, guest -> tap), each pair
 * with its own tap queue (fd); the control queue comes after the pairs (queue 2 when MQ was not
 * negotiated, virtio 1.2 5.1.2). The 12-byte virtio_net_hdr_mrg_rxbuf the guest uses is exactly
 * the tap's vnet header, so offload metadata (checksum offsets, GSO type and size) passes through
 * untouched in both directions.
 *
 * Control queue (virtio 1.2 5.1.6.5): RX PROMISC/ALLMULTI, MAC TABLE_SET/ADDR_SET and
 * MQ VQ_PAIRS_SET are served; every other class or command, and any malformed command, is answered
 * VIRTIO_NET_ERR (a chain without room for the ack byte is a protocol error: NEEDS_RESET). A
 * command is parsed whole before anything is applied. The receive filter it configures is applied
 * in net_rx() before a frame is delivered; with promiscuous mode on (the state after reset, as
 * for a device without CTRL_RX) the check is one branch.
 *
 * Multiqueue: VQ_PAIRS_SET n makes pairs [0, n) receive; the tap queues of the other pairs are
 * detached (TUNSETQUEUE) so the kernel steers every flow to a pair the guest polls. All pairs are
 * served by the transport's one worker thread.
 *
 * Per-packet path, where the fast-path eBPF hooks (net.tx, net.rx, XDP context) go:
 *  - tx: one chain = one frame; see the "HOOK net.tx" comment in net_tx(): the frame is the
 *    chain's readable segments after the header, linearisable with virtq_chain_read() into
 *    n->txbuf (which is sized for a 64 KiB TSO frame);
 *  - rx: the frame is read whole into n->rxbuf (contiguous), see "HOOK net.rx" in net_rx(),
 *    before it is spread over the guest's (mergeable) buffers.
 * Both run on the transport's worker thread with the transport lock held. */
#include "dev/virtio_net.h"

#include <endian.h>
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

#define NET_QUEUE_MAX 256
#define NET_CFG_SIZE 12
#define NET_MAX_FRAME (65536 + 18) /* 64 KiB TSO payload and an Ethernet + VLAN header */
#define NET_BUF_LEN (TAP_VNET_HDR_LEN + NET_MAX_FRAME)
#define NET_RX_BATCH 64
#define NET_MAC_TABLE 64 /* MAC filter entries (unicast and multicast together) */
#define F(bit) (1ULL << (bit))

/* One queue pair: rx queue 2i, tx queue 2i + 1, tap queue i (worker fd id i). */
struct net_pair {
	struct tap *tap;
	bool rx_pending; /* rxbuf holds a frame not yet delivered (no guest buffers) */
	size_t rx_len;
	uint8_t *rxbuf; /* NET_BUF_LEN bytes */
};

struct virtio_net {
	struct virtio_pci *vp;
	unsigned max_pairs;  /* offered (max_virtqueue_pairs) */
	unsigned curr_pairs; /* receiving now (VQ_PAIRS_SET; 1 after reset) */
	unsigned neg_pairs;  /* pairs the driver may use: max_pairs with MQ, else 1 */
	unsigned ctrl_q;     /* index of the control queue for the negotiated features */
	struct net_pair pair[TAP_MAX_QUEUES];
	uint8_t mac[6], mac_cfg[6]; /* current (MAC_ADDR_SET) and configured addresses */
	uint64_t features;	    /* negotiated */
	bool mrg_rxbuf;
	/* Receive filter (CTRL_RX, CTRL_MAC). rx_all: deliver every frame (no CTRL_RX, or
	 * promiscuous): the fast path tests only this. */
	bool rx_all, promisc, allmulti, uc_overflow, mc_overflow;
	unsigned n_uc, n_mc; /* macs[0, n_uc) unicast, then n_mc multicast */
	uint8_t macs[NET_MAC_TABLE][6];
	bool logged_tx, logged_rx, logged_ctrl;
	uint64_t tx_packets, tx_dropped, rx_packets, rx_dropped, rx_filtered;
	struct virtq_chain chain, first;
	struct iovec iov[VIRTQ_MAX_SEGS];
	uint16_t heads[NET_QUEUE_MAX];
	uint32_t lens[NET_QUEUE_MAX];
};

/* ---- transmit ------------------------------------------------------------------------------ */

static void net_tx(struct virtio_net *n, unsigned pi)
{
	unsigned qi = 2 * pi + 1;
	struct virtq *q = virtio_pci_queue(n->vp, qi);
	int fd = n->pair[pi].tap->fd;
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
			if (writev(fd, n->iov, cnt) < 0)
				n->tx_dropped++; /* tap full (EAGAIN) or down: dropped like a NIC */
			else
				n->tx_packets++;
			virtq_push(q, c->head, 0);
		}
		if (r < 0) {
			virtio_pci_needs_reset(n->vp, q->err);
			return;
		}
		virtio_pci_notify(n->vp, qi);
		if (!virtq_enable_kick(q))
			break;
	}
}

/* ---- receive ------------------------------------------------------------------------------- */

/* Copies the frame in rxbuf into guest buffers. Returns 1 when delivered (or dropped), 0 when
 * the guest has no buffers yet (nothing consumed), -1 on a guest error (device needs reset). */
static int rx_deliver(struct virtio_net *n, struct net_pair *p, struct virtq *q)
{
	size_t off = 0, len = p->rx_len;
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
		memcpy(p->rxbuf + 10, &num, 2);
		virtq_chain_write(&n->chain, 0, p->rxbuf, len);
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
		w = virtq_chain_write(c, 0, p->rxbuf + off, len - off);
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

/* The receive filter (CTRL_RX, CTRL_MAC) for a frame whose destination address is dst: what a
 * NIC with a perfect filter accepts. Only called when rx_all is off. */
static bool rx_accept(const struct virtio_net *n, const uint8_t *dst)
{
	static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

	if (dst[0] & 1) {
		if (!memcmp(dst, bcast, 6) || n->allmulti || n->mc_overflow)
			return true;
		for (unsigned i = n->n_uc; i < n->n_uc + n->n_mc; i++)
			if (!memcmp(dst, n->macs[i], 6))
				return true;
		return false;
	}
	if (n->uc_overflow || !memcmp(dst, n->mac, 6))
		return true;
	for (unsigned i = 0; i < n->n_uc; i++)
		if (!memcmp(dst, n->macs[i], 6))
			return true;
	return false;
}

static void net_rx(struct virtio_net *n, unsigned pi)
{
	unsigned qi = 2 * pi;
	struct net_pair *p = &n->pair[pi];
	struct virtq *q = pi < n->curr_pairs ? virtio_pci_queue(n->vp, qi) : NULL;
	unsigned batch = 0;

	if (!q) {
		virtio_pci_watch_fd(n->vp, pi, false);
		return;
	}
	for (;;) {
		int r;

		if (!p->rx_pending) {
			ssize_t got = read(p->tap->fd, p->rxbuf, NET_BUF_LEN);

			if (got < 0 || got == 0)
				break; /* EAGAIN: drained */
			if (got < TAP_VNET_HDR_LEN + 14) {
				n->rx_dropped++;
				continue;
			}
			if (!n->rx_all && !rx_accept(n, p->rxbuf + TAP_VNET_HDR_LEN)) {
				n->rx_filtered++;
				continue;
			}
			p->rx_len = (size_t)got;
			p->rx_pending = true;
			/* HOOK net.rx: the frame is contiguous at p->rxbuf + TAP_VNET_HDR_LEN,
			 * p->rx_len - TAP_VNET_HDR_LEN bytes: the XDP data/data_end of a
			 * fast-path program (rx_queue_index pi), whose verdict decides whether it
			 * is delivered. */
		}
		r = rx_deliver(n, p, q);
		if (r < 0) {
			if (!(n->vp->status & VIRTIO_STAT_NEEDS_RESET))
				virtio_pci_needs_reset(n->vp, q->err);
			p->rx_pending = false;
			return;
		}
		if (r == 0) {
			/* No buffers: stop watching the tap until the guest kicks rx, but look
			 * again if buffers arrived while we asked for that kick. */
			virtio_pci_notify(n->vp, qi);
			if (virtq_enable_kick(q))
				continue;
			virtio_pci_watch_fd(n->vp, pi, false);
			return;
		}
		p->rx_pending = false;
		n->rx_packets++;
		if (++batch == NET_RX_BATCH) {
			virtio_pci_notify(n->vp, qi);
			batch = 0;
		}
	}
	virtio_pci_notify(n->vp, qi);
}

/* ---- control queue ------------------------------------------------------------------------- */

static void update_rx_all(struct virtio_net *n)
{
	n->rx_all = n->promisc || !(n->features & F(VIRTIO_NET_F_CTRL_RX));
}

/* Makes pairs [0, k) receive: their tap queues attached and watched, the others detached (the
 * kernel then steers no flow to them) and their pending frame dropped. */
static void set_pairs(struct virtio_net *n, unsigned k)
{
	bool run = virtio_pci_queue(n->vp, 0) != NULL;

	n->curr_pairs = k;
	for (unsigned i = 0; i < n->max_pairs; i++) {
		int e = tap_set_queue(n->pair[i].tap, i < k);

		if (e)
			bw_log_once(&n->logged_ctrl, BW_LOG_WARN,
				    "%s: tap %s queue %u: cannot %s it: %s", n->vp->label,
				    n->pair[i].tap->name, i, i < k ? "attach" : "detach",
				    strerror(-e));
		if (i >= k)
			n->pair[i].rx_pending = false;
		virtio_pci_watch_fd(n->vp, i, run && i < k);
	}
}

/* VIRTIO_NET_CTRL_MAC_TABLE_SET: two tables (unicast, multicast), each a le32 count and that
 * many 6-byte addresses, exactly filling the command data. Parsed whole, then applied; entries
 * beyond the filter's room turn that class to accept-all (virtio 1.2 5.1.6.5.2: the device may
 * filter less than asked, never more). */
static bool ctrl_mac_table(struct virtio_net *n, const struct virtq_chain *c)
{
	uint8_t macs[NET_MAC_TABLE][6];
	uint64_t off = 2, cnt[2];
	unsigned stored[2] = {0, 0}, n_mac = 0;
	bool overflow[2] = {false, false};

	for (unsigned t = 0; t < 2; t++) {
		uint32_t v;

		if (virtq_chain_read(c, off, &v, 4) != 4)
			return false;
		cnt[t] = le32toh(v);
		off += 4;
		if (cnt[t] > (c->out_len - off) / 6)
			return false;
		for (uint64_t i = 0; i < cnt[t]; i++) {
			if (n_mac == NET_MAC_TABLE) {
				overflow[t] = true;
				break;
			}
			virtq_chain_read(c, off + 6 * i, macs[n_mac], 6);
			/* A table entry must be of its class (unicast first, then multicast). */
			if ((macs[n_mac][0] & 1) != t)
				return false;
			n_mac++;
			stored[t]++;
		}
		off += 6 * cnt[t];
	}
	if (off != c->out_len)
		return false;
	memcpy(n->macs, macs, (size_t)n_mac * 6);
	n->n_uc = stored[0];
	n->n_mc = stored[1];
	n->uc_overflow = overflow[0];
	n->mc_overflow = overflow[1];
	bw_debug("%s: MAC filter: %u unicast%s, %u multicast%s", n->vp->label, n->n_uc,
		 n->uc_overflow ? " (overflow: all)" : "", n->n_mc,
		 n->mc_overflow ? " (overflow: all)" : "");
	return true;
}

/* One control command (header, data) of chain c. Returns VIRTIO_NET_OK or VIRTIO_NET_ERR. */
static uint8_t ctrl_command(struct virtio_net *n, const struct virtq_chain *c)
{
	uint8_t hdr[2], on;
	uint64_t dlen = c->out_len >= 2 ? c->out_len - 2 : 0;

	if (virtq_chain_read(c, 0, hdr, 2) != 2)
		return VIRTIO_NET_ERR;
	switch (hdr[0]) {
	case VIRTIO_NET_CTRL_RX:
		if (!(n->features & F(VIRTIO_NET_F_CTRL_RX)) || dlen != 1 ||
		    (hdr[1] != VIRTIO_NET_CTRL_RX_PROMISC && hdr[1] != VIRTIO_NET_CTRL_RX_ALLMULTI))
			break; /* the RX_EXTRA commands were not offered */
		virtq_chain_read(c, 2, &on, 1);
		bool *flag = hdr[1] == VIRTIO_NET_CTRL_RX_PROMISC ? &n->promisc : &n->allmulti;

		if (*flag != !!on)
			bw_info("%s: rx mode: %s %s", n->vp->label,
				hdr[1] == VIRTIO_NET_CTRL_RX_PROMISC ? "promisc" : "allmulti",
				on ? "on" : "off");
		*flag = on;
		update_rx_all(n);
		return VIRTIO_NET_OK;
	case VIRTIO_NET_CTRL_MAC:
		if (hdr[1] == VIRTIO_NET_CTRL_MAC_TABLE_SET &&
		    (n->features & F(VIRTIO_NET_F_CTRL_RX)))
			return ctrl_mac_table(n, c) ? VIRTIO_NET_OK : VIRTIO_NET_ERR;
		if (hdr[1] == VIRTIO_NET_CTRL_MAC_ADDR_SET &&
		    (n->features & F(VIRTIO_NET_F_CTRL_MAC_ADDR)) && dlen == 6) {
			virtq_chain_read(c, 2, n->mac, 6);
			bw_debug("%s: MAC address set to %02x:%02x:%02x:%02x:%02x:%02x",
				 n->vp->label, n->mac[0], n->mac[1], n->mac[2], n->mac[3],
				 n->mac[4], n->mac[5]);
			return VIRTIO_NET_OK;
		}
		break;
	case VIRTIO_NET_CTRL_MQ:
		if (hdr[1] == VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET &&
		    (n->features & F(VIRTIO_NET_F_MQ)) && dlen == 2) {
			uint16_t k;

			virtq_chain_read(c, 2, &k, 2);
			k = le16toh(k);
			if (k < 1 || k > n->max_pairs)
				break;
			if (k != n->curr_pairs)
				bw_info("%s: %u queue pairs", n->vp->label, k);
			set_pairs(n, k);
			return VIRTIO_NET_OK;
		}
		break;
	}
	bw_log_once(&n->logged_ctrl, BW_LOG_INFO,
		    "%s: control command class %u command %u (%llu data bytes) refused with "
		    "VIRTIO_NET_ERR (unsupported or malformed)",
		    n->vp->label, hdr[0], hdr[1], (unsigned long long)dlen);
	return VIRTIO_NET_ERR;
}

static void net_ctrl(struct virtio_net *n)
{
	struct virtq *q = virtio_pci_queue(n->vp, n->ctrl_q);
	int r;

	if (!q)
		return;
	for (;;) {
		while ((r = virtq_pop(q, &n->chain)) == 1) {
			uint8_t ack;

			if (n->chain.in_len < 1) {
				virtio_pci_needs_reset(n->vp,
						       "control command without room for the ack");
				return;
			}
			ack = ctrl_command(n, &n->chain);
			virtq_chain_write(&n->chain, 0, &ack, 1);
			virtq_push(q, n->chain.head, 1);
		}
		if (r < 0) {
			virtio_pci_needs_reset(n->vp, q->err);
			return;
		}
		virtio_pci_notify(n->vp, n->ctrl_q);
		/* With EVENT_IDX the driver kicks only when told to (avail_event): ask for the
		 * next command's kick, and look again if one came meanwhile. */
		if (!virtq_enable_kick(q))
			break;
	}
}

/* ---- transport callbacks ------------------------------------------------------------------- */

static void net_kick(void *opaque, unsigned qi)
{
	struct virtio_net *n = opaque;
	unsigned pi = qi / 2;

	if (qi == n->ctrl_q) {
		if (n->features & F(VIRTIO_NET_F_CTRL_VQ))
			net_ctrl(n);
	} else if (pi < n->neg_pairs) {
		if (qi & 1) {
			net_tx(n, pi);
		} else if (pi < n->curr_pairs) {
			virtio_pci_watch_fd(n->vp, pi, true);
			net_rx(n, pi);
		}
	}
}

static void net_fd_ready(void *opaque, unsigned id)
{
	struct virtio_net *n = opaque;

	if (id < n->max_pairs)
		net_rx(n, id);
}

static void net_start(void *opaque, uint64_t features)
{
	struct virtio_net *n = opaque;
	unsigned off = 0;
	int err;

	n->features = features;
	n->mrg_rxbuf = features & (1ULL << VIRTIO_NET_F_MRG_RXBUF);
	n->neg_pairs = (features & F(VIRTIO_NET_F_MQ)) ? n->max_pairs : 1;
	n->ctrl_q = 2 * n->neg_pairs;
	update_rx_all(n);
	if (features & (1ULL << VIRTIO_NET_F_GUEST_CSUM)) {
		off |= TUN_F_CSUM;
		if (features & (1ULL << VIRTIO_NET_F_GUEST_TSO4))
			off |= TUN_F_TSO4;
		if (features & (1ULL << VIRTIO_NET_F_GUEST_TSO6))
			off |= TUN_F_TSO6;
		if (features & (1ULL << VIRTIO_NET_F_GUEST_ECN))
			off |= TUN_F_TSO_ECN;
	}
	for (unsigned i = 0; i < n->max_pairs; i++) {
		err = tap_set_offload(n->pair[i].tap, off);
		if (err)
			bw_warn("%s: tap %s: cannot set offloads 0x%x: %s", n->vp->label,
				n->pair[i].tap->name, off, strerror(-err));
	}
	set_pairs(n, 1);
}

static void net_reset(void *opaque)
{
	struct virtio_net *n = opaque;

	for (unsigned i = 0; i < n->max_pairs; i++) {
		n->pair[i].rx_pending = false;
		if (n->vp)
			virtio_pci_watch_fd(n->vp, i, false);
	}
	n->features = 0;
	n->mrg_rxbuf = false;
	n->curr_pairs = 1;
	n->neg_pairs = 1;
	n->ctrl_q = 2;
	/* Receive filter after reset: promiscuous, empty table, the configured MAC. */
	n->promisc = true;
	n->allmulti = false;
	n->uc_overflow = n->mc_overflow = false;
	n->n_uc = n->n_mc = 0;
	memcpy(n->mac, n->mac_cfg, 6);
	update_rx_all(n);
}

static void net_cfg_read(void *opaque, uint32_t off, uint8_t *data, uint32_t len)
{
	struct virtio_net *n = opaque;
	uint8_t cfg[NET_CFG_SIZE] = {0};
	uint16_t status = htole16(VIRTIO_NET_S_LINK_UP), pairs = htole16((uint16_t)n->max_pairs);

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

static void free_net(struct virtio_net *n, struct tap **taps, unsigned nt)
{
	for (unsigned i = 0; i < nt; i++)
		tap_close(taps[i]);
	if (!n)
		return;
	for (unsigned i = 0; i < TAP_MAX_QUEUES; i++)
		free(n->pair[i].rxbuf);
	free(n);
}

struct virtio_net *virtio_net_create_backends(struct pci_bus *bus, struct dev_host *host,
					      struct tap **taps, unsigned n_taps,
					      const uint8_t mac[6], char *err, size_t errlen)
{
	struct virtio_pci_config cfg = {
	    .name = "virtio-net",
	    .device_type = 1,
	    .class_code = 0x020000,
	    .features = F(VIRTIO_NET_F_CSUM) | F(VIRTIO_NET_F_GUEST_CSUM) | F(VIRTIO_NET_F_MAC) |
			F(VIRTIO_NET_F_GUEST_TSO4) | F(VIRTIO_NET_F_GUEST_TSO6) |
			F(VIRTIO_NET_F_GUEST_ECN) | F(VIRTIO_NET_F_HOST_TSO4) |
			F(VIRTIO_NET_F_HOST_TSO6) | F(VIRTIO_NET_F_HOST_ECN) |
			F(VIRTIO_NET_F_MRG_RXBUF) | F(VIRTIO_NET_F_STATUS) |
			F(VIRTIO_NET_F_CTRL_VQ) | F(VIRTIO_NET_F_CTRL_RX) |
			F(VIRTIO_NET_F_CTRL_MAC_ADDR) | (n_taps > 1 ? F(VIRTIO_NET_F_MQ) : 0),
	    .num_queues = 2 * n_taps + 1,
	    .queue_max = NET_QUEUE_MAX,
	    .cfg_size = NET_CFG_SIZE,
	    .ops = &net_ops,
	};
	const char *name = n_taps ? taps[0]->name : "?";
	struct virtio_net *n;

	if (n_taps < 1 || n_taps > TAP_MAX_QUEUES) {
		snprintf(err, errlen, "tap %s: %u queue pairs (1 to %d)", name, n_taps,
			 TAP_MAX_QUEUES);
		free_net(NULL, taps, n_taps);
		return NULL;
	}
	n = calloc(1, sizeof(*n));
	if (!n) {
		snprintf(err, errlen, "tap %s: out of memory", name);
		free_net(NULL, taps, n_taps);
		return NULL;
	}
	n->max_pairs = n_taps;
	for (unsigned i = 0; i < n_taps; i++) {
		n->pair[i].rxbuf = malloc(NET_BUF_LEN);
		if (!n->pair[i].rxbuf) {
			snprintf(err, errlen, "tap %s: out of memory", name);
			free_net(n, taps, n_taps);
			return NULL;
		}
	}
	if (mac) {
		memcpy(n->mac_cfg, mac, 6);
	} else {
		if (getrandom(n->mac_cfg, 6, 0) != 6)
			memset(n->mac_cfg, 0x5a, 6);
		/* unicast, locally administered */
		n->mac_cfg[0] = (uint8_t)((n->mac_cfg[0] & 0xfe) | 0x02);
	}
	memcpy(n->mac, n->mac_cfg, 6);
	cfg.dev = n;
	n->vp = virtio_pci_create(bus, host, &cfg);
	if (!n->vp) {
		snprintf(err, errlen, "tap %s: cannot add the virtio-net PCI function", name);
		free_net(n, taps, n_taps);
		return NULL;
	}
	pthread_mutex_lock(&n->vp->lock);
	for (unsigned i = 0; i < n_taps; i++) {
		int e;

		n->pair[i].tap = taps[i];
		e = virtio_pci_add_fd(n->vp, i, taps[i]->fd);
		if (e == 0)
			virtio_pci_watch_fd(n->vp, i, false);
		else
			bw_warn("%s: backend %s queue %u cannot be polled (%s): receive disabled",
				n->vp->label, taps[i]->name, i, strerror(-e));
	}
	pthread_mutex_unlock(&n->vp->lock);
	return n;
}

struct virtio_net *virtio_net_create_backend(struct pci_bus *bus, struct dev_host *host,
					     struct tap *tap, const uint8_t mac[6], char *err,
					     size_t errlen)
{
	return virtio_net_create_backends(bus, host, &tap, 1, mac, err, errlen);
}

struct virtio_net *virtio_net_create_mq(struct pci_bus *bus, struct dev_host *host,
					const char *tap_name, unsigned queues, const uint8_t mac[6],
					char *err, size_t errlen)
{
	struct tap *t[TAP_MAX_QUEUES];

	if (tap_open_queues(tap_name, queues, t, err, errlen))
		return NULL;
	return virtio_net_create_backends(bus, host, t, queues, mac, err, errlen);
}

struct virtio_net *virtio_net_create(struct pci_bus *bus, struct dev_host *host,
				     const char *tap_name, const uint8_t mac[6], char *err,
				     size_t errlen)
{
	return virtio_net_create_mq(bus, host, tap_name, 1, mac, err, errlen);
}

void virtio_net_destroy(struct virtio_net *n)
{
	struct tap *taps[TAP_MAX_QUEUES];
	unsigned nt;

	if (!n)
		return;
	virtio_pci_destroy(n->vp);
	nt = n->max_pairs;
	for (unsigned i = 0; i < nt; i++)
		taps[i] = n->pair[i].tap;
	free_net(n, taps, nt);
}

struct virtio_pci *virtio_net_transport(struct virtio_net *n)
{
	return n->vp;
}

void virtio_net_stats(struct virtio_net *n, struct virtio_net_stats *st)
{
	pthread_mutex_lock(&n->vp->lock);
	st->tx_packets = n->tx_packets;
	st->tx_dropped = n->tx_dropped;
	st->rx_packets = n->rx_packets;
	st->rx_dropped = n->rx_dropped;
	st->rx_filtered = n->rx_filtered;
	st->curr_pairs = n->curr_pairs;
	st->promisc = n->promisc;
	pthread_mutex_unlock(&n->vp->lock);
}
