/* test_virtio_net.c: virtio-net (src/dev/virtio_net.c) with a fake tap (a SOCK_SEQPACKET
 * socketpair keeps frame boundaries like a tap): config space, transmit with the vnet header
 * passed through (64 KiB TSO frames included), receive into mergeable and plain buffers, frames
 * that wait for buffers, hostile chains; the control queue (receive filter: promisc, allmulti,
 * MAC table, MAC address; refused and malformed commands) and multiqueue (queue pairs over one
 * fake tap queue each, VQ_PAIRS_SET). */
#include <linux/virtio_net.h>
#include <sys/socket.h>

#include "dev/pci.h"
#include "dev/tap.h"
#include "dev/virtio_net.h"
#include "dev/virtio_pci.h"
#include "fake_guest.h"
#include "harness.h"

#define RXQ 0
#define TXQ 1

static struct fg g;
static struct pci_bus *bus;
static struct virtio_net *net;
static struct fdrv d;
static int peer = -1; /* the host side of the fake tap */
static const uint8_t test_mac[6] = {0x02, 0x11, 0x22, 0x33, 0x44, 0x55};

static bool start(uint64_t want, const uint8_t *mac)
{
	int sv[2];
	char err[256] = "";
	int sz = 1 << 20;

	fg_init(&g, 16 << 20);
	bus = pci_bus_create(&g.host);
	CHECK_EQ(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv), 0);
	setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	setsockopt(sv[1], SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	peer = sv[1];
	net = virtio_net_create_backend(bus, &g.host, tap_open_fd(sv[0], "fake-tap"), mac, err,
					sizeof(err));
	CHECK(net != NULL);
	if (!net)
		return false;
	return fdrv_probe(&d, &g, 1, want, 2, 256) == 0xf;
}

static void stop(void)
{
	virtio_net_destroy(net);
	close(peer);
	pci_bus_destroy(bus);
	fg_destroy(&g);
}

/* Reads one frame from the fake tap (waits up to 5 s). */
static ssize_t peer_read(uint8_t *buf, size_t len)
{
	for (int i = 0; i < 5000; i++) {
		ssize_t r = recv(peer, buf, len, 0);

		if (r >= 0)
			return r;
		usleep(1000);
	}
	return -1;
}

TEST(config_space)
{
	uint8_t mac[6];

	CHECK(start(~0ULL, test_mac));
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)fg_mmio_read(&g, d.devcfg + i, 1);
	CHECK(!memcmp(mac, test_mac, 6));
	CHECK_EQ(fg_mmio_read(&g, d.devcfg + 6, 2), VIRTIO_NET_S_LINK_UP);
	CHECK(d.features & (1ULL << VIRTIO_NET_F_MRG_RXBUF));
	CHECK(d.features & (1ULL << VIRTIO_NET_F_HOST_TSO4));
	CHECK(d.features & (1ULL << VIRTIO_NET_F_GUEST_TSO6));
	CHECK(d.features & (1ULL << VIRTIO_NET_F_CSUM));
	CHECK(d.features & (1ULL << VIRTIO_NET_F_CTRL_VQ));
	CHECK(d.features & (1ULL << VIRTIO_NET_F_CTRL_RX));
	CHECK(d.features & (1ULL << VIRTIO_NET_F_CTRL_MAC_ADDR));
	CHECK(!(d.features & (1ULL << VIRTIO_NET_F_MQ))); /* one queue pair */
	CHECK(!(d.features & (1ULL << VIRTIO_NET_F_CTRL_VLAN)));
	CHECK_EQ(fg_mmio_read(&g, d.common + 0x12, 2), 3); /* rx + tx + control */
	CHECK_EQ(fg_mmio_read(&g, d.devcfg + 8, 2), 1);	   /* max_virtqueue_pairs */
	stop();
	/* Generated MAC: unicast, locally administered. */
	CHECK(start(~0ULL, NULL));
	mac[0] = (uint8_t)fg_mmio_read(&g, d.devcfg, 1);
	CHECK_EQ(mac[0] & 3, 2);
	stop();
}

TEST(transmit_passes_header_and_frame)
{
	uint64_t hdr, p1, p2;
	struct virtio_net_hdr_mrg_rxbuf h = {0};
	uint8_t got[2048];
	struct fbuf b[3];

	CHECK(start(~0ULL, test_mac));
	hdr = fg_alloc(&g, 12, 8);
	h.hdr.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	h.hdr.csum_start = 34;
	h.hdr.csum_offset = 16;
	memcpy(fg_ptr(&g, hdr), &h, 12);
	p1 = fg_alloc(&g, 600, 8);
	p2 = fg_alloc(&g, 900, 8);
	for (int i = 0; i < 600; i++)
		((uint8_t *)fg_ptr(&g, p1))[i] = (uint8_t)i;
	for (int i = 0; i < 900; i++)
		((uint8_t *)fg_ptr(&g, p2))[i] = (uint8_t)(i ^ 0x5a);
	b[0] = (struct fbuf){hdr, 12, false};
	b[1] = (struct fbuf){p1, 600, false};
	b[2] = (struct fbuf){p2, 900, false};
	fq_add(&g, &d.q[TXQ], b, 3);
	fdrv_notify(&d, TXQ);
	CHECK_EQ(peer_read(got, sizeof(got)), 12 + 1500);
	CHECK(!memcmp(got, &h, 12));
	CHECK(!memcmp(got + 12, fg_ptr(&g, p1), 600));
	CHECK(!memcmp(got + 612, fg_ptr(&g, p2), 900));
	CHECK(fq_wait_used(&d, &d.q[TXQ], 1));
	stop();
}

TEST(transmit_64k_tso_frame)
{
	static uint8_t got[70000];
	uint64_t hdr, p;
	struct virtio_net_hdr_mrg_rxbuf h = {0};
	struct fbuf b[2];
	const uint32_t len = 65536;

	CHECK(start(~0ULL, test_mac));
	hdr = fg_alloc(&g, 12, 8);
	h.hdr.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	h.hdr.gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
	h.hdr.gso_size = 1448;
	h.hdr.hdr_len = 66;
	memcpy(fg_ptr(&g, hdr), &h, 12);
	p = fg_alloc(&g, len, 8);
	for (uint32_t i = 0; i < len; i++)
		((uint8_t *)fg_ptr(&g, p))[i] = (uint8_t)(i * 31);
	b[0] = (struct fbuf){hdr, 12, false};
	b[1] = (struct fbuf){p, len, false};
	fq_add(&g, &d.q[TXQ], b, 2);
	fdrv_notify(&d, TXQ);
	CHECK_EQ(peer_read(got, sizeof(got)), 12 + len);
	CHECK(!memcmp(got, &h, 12));
	CHECK(!memcmp(got + 12, fg_ptr(&g, p), len));
	stop();
}

TEST(transmit_bad_chains_are_dropped)
{
	uint64_t p;
	struct fbuf b[2];
	uint8_t got[64];

	CHECK(start(~0ULL, test_mac));
	p = fg_alloc(&g, 0x20000, 8);
	b[0] = (struct fbuf){p, 8, false}; /* shorter than the header */
	fq_add(&g, &d.q[TXQ], b, 1);
	b[0] = (struct fbuf){p, 0x11000, false}; /* larger than any frame */
	fq_add(&g, &d.q[TXQ], b, 1);
	fdrv_notify(&d, TXQ);
	CHECK(fq_wait_used(&d, &d.q[TXQ], 2));
	usleep(10000);
	CHECK_EQ(recv(peer, got, sizeof(got), 0), -1); /* nothing reached the tap */
	CHECK_EQ(fdrv_status(&d), 0xf);
	stop();
}

/* Posts n receive buffers of len bytes each. */
static uint64_t post_rx(unsigned n, uint32_t len)
{
	uint64_t base = fg_alloc(&g, (uint64_t)n * len, 64);

	for (unsigned i = 0; i < n; i++) {
		struct fbuf b = {base + (uint64_t)i * len, len, true};

		fq_add(&g, &d.q[RXQ], &b, 1);
	}
	fdrv_notify(&d, RXQ);
	return base;
}

static uint64_t rx_base[4];

/* Posts n 1526-byte receive buffers on the rx queue of pair pi (rx_base[pi] remembers where). */
static void post_rx_q(unsigned pi, unsigned n)
{
	struct fq *q = &d.q[2 * pi];

	rx_base[pi] = fg_alloc(&g, (uint64_t)n * 1526, 64);
	for (unsigned i = 0; i < n; i++) {
		struct fbuf b = {rx_base[pi] + 1526ULL * i, 1526, true};

		fq_add(&g, q, &b, 1);
	}
	fdrv_notify(&d, 2 * pi);
}

static void inject(const uint8_t *frame, size_t len)
{
	uint8_t buf[70000];
	struct virtio_net_hdr_mrg_rxbuf h = {0};

	h.hdr.flags = VIRTIO_NET_HDR_F_DATA_VALID;
	h.num_buffers = 0x7777; /* the tap leaves garbage here: the device must fill it */
	memcpy(buf, &h, 12);
	memcpy(buf + 12, frame, len);
	CHECK_EQ(send(peer, buf, 12 + len, 0), (ssize_t)(12 + len));
}

TEST(receive_mergeable_buffers)
{
	static uint8_t frame[4000];
	uint64_t base;
	uint32_t id, len, total = 0;
	uint16_t nb;
	uint8_t *out = malloc(8 * 1526);

	CHECK(start(~0ULL, test_mac));
	for (unsigned i = 0; i < sizeof(frame); i++)
		frame[i] = (uint8_t)(i * 3 + 1);
	base = post_rx(8, 1526);
	inject(frame, 60);
	inject(frame, sizeof(frame));
	CHECK(fq_wait_used(&d, &d.q[RXQ], 4));
	/* First frame: one buffer. */
	fq_used_elem(&g, &d.q[RXQ], 0, &id, &len);
	CHECK_EQ(id, 0);
	CHECK_EQ(len, 72);
	memcpy(&nb, fg_ptr(&g, base + 10), 2);
	CHECK_EQ(nb, 1);
	CHECK_EQ(*(uint8_t *)fg_ptr(&g, base), VIRTIO_NET_HDR_F_DATA_VALID);
	CHECK(!memcmp(fg_ptr(&g, base + 12), frame, 60));
	/* Second: 4012 bytes over 3 buffers, num_buffers = 3 in the first. */
	memcpy(&nb, fg_ptr(&g, base + 1526 + 10), 2);
	CHECK_EQ(nb, 3);
	for (uint16_t u = 1; u < 4; u++) {
		fq_used_elem(&g, &d.q[RXQ], u, &id, &len);
		CHECK_EQ(id, u);
		memcpy(out + total, fg_ptr(&g, base + (uint64_t)id * 1526), len);
		total += len;
	}
	CHECK_EQ(total, 12 + sizeof(frame));
	CHECK(!memcmp(out + 12, frame, sizeof(frame)));
	free(out);
	stop();
}

TEST(receive_waits_for_buffers)
{
	uint8_t frame[3000];
	uint64_t base;
	uint32_t id, len;

	CHECK(start(~0ULL, test_mac));
	memset(frame, 0xab, sizeof(frame));
	/* Only one buffer for a frame that needs two: nothing is delivered... */
	base = post_rx(1, 2048);
	inject(frame, sizeof(frame));
	usleep(30000);
	CHECK_EQ(fq_used_idx(&g, &d.q[RXQ]), 0);
	/* ...until the guest posts more and kicks. */
	post_rx(1, 2048);
	CHECK(fq_wait_used(&d, &d.q[RXQ], 2));
	fq_used_elem(&g, &d.q[RXQ], 0, &id, &len);
	CHECK_EQ(len, 2048);
	fq_used_elem(&g, &d.q[RXQ], 1, &id, &len);
	CHECK_EQ(len, 12 + 3000 - 2048);
	CHECK(!memcmp(fg_ptr(&g, base + 12), frame, 100));
	CHECK_EQ(fdrv_status(&d), 0xf);
	stop();
}

TEST(receive_without_mergeable_buffers)
{
	uint8_t frame[1000];
	uint64_t base;
	uint32_t id, len;
	uint16_t nb;

	CHECK(start(~(1ULL << VIRTIO_NET_F_MRG_RXBUF), test_mac));
	CHECK(!(d.features & (1ULL << VIRTIO_NET_F_MRG_RXBUF)));
	memset(frame, 0x42, sizeof(frame));
	base = post_rx(2, 1526);
	inject(frame, sizeof(frame));
	CHECK(fq_wait_used(&d, &d.q[RXQ], 1));
	fq_used_elem(&g, &d.q[RXQ], 0, &id, &len);
	CHECK_EQ(len, 1012);
	memcpy(&nb, fg_ptr(&g, base + 10), 2);
	CHECK_EQ(nb, 1);
	CHECK(!memcmp(fg_ptr(&g, base + 12), frame, sizeof(frame)));
	stop();
}

TEST(receive_into_readonly_buffer_needs_reset)
{
	uint8_t frame[100] = {1};
	uint64_t p;
	struct fbuf b;

	CHECK(start(~0ULL, test_mac));
	p = fg_alloc(&g, 2048, 8);
	b = (struct fbuf){p, 2048, false}; /* device-readable: no room to receive */
	fq_add(&g, &d.q[RXQ], &b, 1);
	fdrv_notify(&d, RXQ);
	inject(frame, sizeof(frame));
	CHECK(fdrv_wait_needs_reset(&d));
	/* Reset, probe again: traffic flows. */
	CHECK_EQ(fdrv_probe(&d, &g, 1, ~0ULL, 2, 256), 0xf);
	post_rx(4, 1526);
	inject(frame, sizeof(frame));
	CHECK(fq_wait_used(&d, &d.q[RXQ], 1));
	stop();
}

TEST(open_errors_name_the_tap)
{
	char err[256] = "";
	struct virtio_net *n;

	fg_init(&g, 1 << 20);
	bus = pci_bus_create(&g.host);
	n = virtio_net_create(bus, &g.host, "this-name-is-far-too-long", NULL, err, sizeof(err));
	CHECK(n == NULL);
	CHECK_CONTAINS(err, "this-name-is-far-too-long");
	n = virtio_net_create(bus, &g.host, "", NULL, err, sizeof(err));
	CHECK(n == NULL);
	CHECK_CONTAINS(err, "tap");
	CHECK_EQ(fg_cfg_read(&g, 1, 0, 4), 0xffffffffu);
	pci_bus_destroy(bus);
	fg_destroy(&g);
}

/* ---- control queue and multiqueue ---------------------------------------------------------- */

#define MAXP 3
static int peers[MAXP];

/* A device with np queue pairs over np fake tap queues, probed with want and nq queues. */
static bool start_mq(unsigned np, uint64_t want, unsigned nq)
{
	struct tap *taps[MAXP];
	char err[256] = "";
	int sz = 1 << 20;

	fg_init(&g, 16 << 20);
	bus = pci_bus_create(&g.host);
	for (unsigned i = 0; i < np; i++) {
		int sv[2];

		CHECK_EQ(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv),
			 0);
		setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
		setsockopt(sv[1], SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
		peers[i] = sv[1];
		taps[i] = tap_open_fd(sv[0], "fake-mq");
	}
	peer = peers[0];
	net = virtio_net_create_backends(bus, &g.host, taps, np, test_mac, err, sizeof(err));
	CHECK(net != NULL);
	if (!net)
		return false;
	return fdrv_probe(&d, &g, 1, want, nq, 256) == 0xf;
}

static void stop_mq(unsigned np)
{
	virtio_net_destroy(net);
	for (unsigned i = 0; i < np; i++)
		close(peers[i]);
	pci_bus_destroy(bus);
	fg_destroy(&g);
}

/* Sends control command (cls, cmd, data) on queue cq, split as a real driver does (header,
 * data, ack); returns the ack byte, or -1 when the device did not answer. */
static int ctrl(unsigned cq, uint8_t cls, uint8_t cmd, const void *data, uint32_t len)
{
	uint64_t h = fg_alloc(&g, 2, 8), dt = fg_alloc(&g, len ? len : 1, 8),
		 ack = fg_alloc(&g, 1, 8);
	struct fbuf b[3];
	unsigned nb = 0;
	struct fq *q = &d.q[cq];
	uint16_t want = (uint16_t)(q->avail_idx + 1);
	uint32_t id, ulen;

	((uint8_t *)fg_ptr(&g, h))[0] = cls;
	((uint8_t *)fg_ptr(&g, h))[1] = cmd;
	*(uint8_t *)fg_ptr(&g, ack) = 0xee;
	if (len)
		memcpy(fg_ptr(&g, dt), data, len);
	b[nb++] = (struct fbuf){h, 2, false};
	if (len)
		b[nb++] = (struct fbuf){dt, len, false};
	b[nb++] = (struct fbuf){ack, 1, true};
	fq_add(&g, q, b, nb);
	fdrv_notify(&d, cq);
	if (!fq_wait_used(&d, q, want))
		return -1;
	fq_used_elem(&g, q, (uint16_t)(want - 1), &id, &ulen);
	if (ulen != 1)
		return -1;
	/* EVENT_IDX: the device asked for a kick on the next command (avail_event = avail idx),
	 * else a Linux driver would wait for its next answer forever. */
	for (int i = 0; i < 1000; i++) {
		uint16_t ev;

		memcpy(&ev, fg_ptr(&g, q->used + 4 + 8 * q->size), 2);
		if (ev == q->avail_idx || !(d.features & VIRTIO_FEAT_RING_EVENT_IDX))
			break;
		if (i == 999)
			return -2;
		usleep(1000);
	}
	return *(uint8_t *)fg_ptr(&g, ack);
}

static void inject_to(unsigned pi, const uint8_t dst[6], uint8_t tag)
{
	uint8_t frame[60] = {0};

	memcpy(frame, dst, 6);
	memcpy(frame + 6, "\x02\x99\x99\x99\x99\x99", 6);
	frame[12] = 0x08;
	frame[14] = tag;
	peer = peers[pi];
	inject(frame, sizeof(frame));
	peer = peers[0];
}

/* Injects frames to each of dsts on the tap queue of rx queue rxq, then a marker to the device's
 * own address; out: the tags of the frames the guest received before the marker, as a string of
 * their indexes ("02"). Needs buffers posted with post_rx_q() (chain id i at rx_base + 1526 i). */
static void received(unsigned rxq, const uint8_t (*dsts)[6], unsigned n, char *out)
{
	struct fq *q = &d.q[rxq];
	uint16_t u0 = fq_used_idx(&g, q), u;
	uint32_t id, len;
	unsigned k = 0;

	for (unsigned i = 0; i < n; i++)
		inject_to(rxq / 2, dsts[i], (uint8_t)('0' + i));
	inject_to(rxq / 2, test_mac, 'M');
	for (int t = 0; t < 5000; t++) {
		u = fq_used_idx(&g, q);
		if (u != u0) {
			fq_used_elem(&g, q, (uint16_t)(u - 1), &id, &len);
			/* the buffer of the last used element: base + 1526 * id (post_rx_q) */
			if (*(uint8_t *)fg_ptr(&g, rx_base[rxq / 2] + 1526ULL * id + 12 + 14) ==
			    'M')
				break;
		}
		usleep(1000);
	}
	for (uint16_t i = u0; i != u; i++) {
		uint8_t tag;

		fq_used_elem(&g, q, i, &id, &len);
		tag = *(uint8_t *)fg_ptr(&g, rx_base[rxq / 2] + 1526ULL * id + 12 + 14);
		if (tag != 'M')
			out[k++] = (char)tag;
	}
	out[k] = 0;
}

static const uint8_t other_uc[6] = {0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee};
static const uint8_t mc_fb[6] = {0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb};

TEST(ctrl_rx_filter)
{
	const uint8_t dsts[][6] = {
	    {0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee}, /* 0: another unicast address */
	    {0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, /* 1: broadcast */
	    {0x01, 0x00, 0x5e, 0x00, 0x00, 0x01}, /* 2: multicast */
	    {0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb}, /* 3: another multicast */
	    {0x02, 0x11, 0x22, 0x33, 0x44, 0x55}, /* 4: the device's own address */
	};
	uint8_t on = 1, off = 0, tbl[2 + 4 + 6 + 4 + 6];
	uint32_t one = 1;
	char got[16];
	struct virtio_net_stats st;

	CHECK(start_mq(1, ~0ULL, 3));
	post_rx_q(0, 64);
	/* After reset the device is promiscuous: everything arrives. */
	received(0, dsts, 5, got);
	CHECK_STR(got, "01234");
	/* Promiscuous off: own address and broadcast only. */
	CHECK_EQ(ctrl(2, VIRTIO_NET_CTRL_RX, VIRTIO_NET_CTRL_RX_PROMISC, &off, 1), VIRTIO_NET_OK);
	received(0, dsts, 5, got);
	CHECK_STR(got, "14");
	virtio_net_stats(net, &st);
	CHECK_EQ(st.rx_filtered, 3);
	CHECK(!st.promisc);
	/* All multicast. */
	CHECK_EQ(ctrl(2, VIRTIO_NET_CTRL_RX, VIRTIO_NET_CTRL_RX_ALLMULTI, &on, 1), VIRTIO_NET_OK);
	received(0, dsts, 5, got);
	CHECK_STR(got, "1234");
	CHECK_EQ(ctrl(2, VIRTIO_NET_CTRL_RX, VIRTIO_NET_CTRL_RX_ALLMULTI, &off, 1), VIRTIO_NET_OK);
	/* MAC table: one unicast, one multicast entry. */
	memcpy(tbl, &one, 4);
	memcpy(tbl + 4, other_uc, 6);
	memcpy(tbl + 10, &one, 4);
	memcpy(tbl + 14, mc_fb, 6);
	CHECK_EQ(ctrl(2, VIRTIO_NET_CTRL_MAC, VIRTIO_NET_CTRL_MAC_TABLE_SET, tbl, 20),
		 VIRTIO_NET_OK);
	received(0, dsts, 5, got);
	CHECK_STR(got, "0134");
	/* A malformed table is refused whole: the filter stays as it was. */
	memcpy(tbl + 14, other_uc, 6); /* a unicast address in the multicast table */
	CHECK_EQ(ctrl(2, VIRTIO_NET_CTRL_MAC, VIRTIO_NET_CTRL_MAC_TABLE_SET, tbl, 20),
		 VIRTIO_NET_ERR);
	received(0, dsts, 5, got);
	CHECK_STR(got, "0134");
	/* MAC address set: the new address is ours, the old one no longer. */
	CHECK_EQ(ctrl(2, VIRTIO_NET_CTRL_MAC, VIRTIO_NET_CTRL_MAC_ADDR_SET, other_uc, 6),
		 VIRTIO_NET_OK);
	CHECK_EQ(fg_mmio_read(&g, d.devcfg + 1, 1), 0xaa);
	CHECK_EQ(ctrl(2, VIRTIO_NET_CTRL_MAC, VIRTIO_NET_CTRL_MAC_TABLE_SET, "\0\0\0\0\0\0\0\0", 8),
		 VIRTIO_NET_OK); /* empty table */
	{
		const uint8_t d2[][6] = {
		    {0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee},
		    {0x02, 0x11, 0x22, 0x33, 0x44, 0x56},
		};
		/* the marker goes to the old address: filtered now, so use promisc to end */
		CHECK_EQ(ctrl(2, VIRTIO_NET_CTRL_RX, VIRTIO_NET_CTRL_RX_PROMISC, &on, 1),
			 VIRTIO_NET_OK);
		received(0, d2, 2, got);
		CHECK_STR(got, "01");
	}
	/* Reset: promiscuous again, configured address back. */
	CHECK_EQ(fdrv_probe(&d, &g, 1, ~0ULL, 3, 256), 0xf);
	CHECK_EQ(fg_mmio_read(&g, d.devcfg + 1, 1), 0x11);
	virtio_net_stats(net, &st);
	CHECK(st.promisc);
	stop_mq(1);
}

TEST(ctrl_refuses_unsupported_and_malformed_commands)
{
	uint8_t on = 1, two[2] = {1, 1}, big[4] = {0xff, 0xff, 0xff, 0xff};
	uint8_t trailing[2 + 8 + 1] = {0};
	uint16_t pairs = 1;
	uint64_t h;
	struct fbuf b;
	struct virtio_net_stats st;

	CHECK(start_mq(1, ~0ULL, 3));
	CHECK_EQ(ctrl(2, VIRTIO_NET_CTRL_VLAN, VIRTIO_NET_CTRL_VLAN_ADD, two, 2), VIRTIO_NET_ERR);
	CHECK_EQ(ctrl(2, VIRTIO_NET_CTRL_ANNOUNCE, VIRTIO_NET_CTRL_ANNOUNCE_ACK, NULL, 0),
		 VIRTIO_NET_ERR);
	CHECK_EQ(ctrl(2, VIRTIO_NET_CTRL_GUEST_OFFLOADS, 0, big, 4), VIRTIO_NET_ERR);
	CHECK_EQ(ctrl(2, 0xff, 0xff, NULL, 0), VIRTIO_NET_ERR);
	CHECK_EQ(ctrl(2, VIRTIO_NET_CTRL_RX, VIRTIO_NET_CTRL_RX_ALLUNI, &on, 1), VIRTIO_NET_ERR);
	CHECK_EQ(ctrl(2, VIRTIO_NET_CTRL_RX, VIRTIO_NET_CTRL_RX_PROMISC, NULL, 0), VIRTIO_NET_ERR);
	CHECK_EQ(ctrl(2, VIRTIO_NET_CTRL_RX, VIRTIO_NET_CTRL_RX_PROMISC, two, 2), VIRTIO_NET_ERR);
	CHECK_EQ(ctrl(2, VIRTIO_NET_CTRL_MAC, VIRTIO_NET_CTRL_MAC_TABLE_SET, big, 4),
		 VIRTIO_NET_ERR); /* 2^32 - 1 entries announced */
	CHECK_EQ(ctrl(2, VIRTIO_NET_CTRL_MAC, VIRTIO_NET_CTRL_MAC_TABLE_SET, trailing, 9),
		 VIRTIO_NET_ERR); /* two empty tables and a stray byte */
	CHECK_EQ(ctrl(2, VIRTIO_NET_CTRL_MAC, VIRTIO_NET_CTRL_MAC_ADDR_SET, two, 2),
		 VIRTIO_NET_ERR);
	CHECK_EQ(ctrl(2, VIRTIO_NET_CTRL_MAC, 7, NULL, 0), VIRTIO_NET_ERR);
	/* No MQ offered with one pair: VQ_PAIRS_SET is refused. */
	CHECK_EQ(ctrl(2, VIRTIO_NET_CTRL_MQ, VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET, &pairs, 2),
		 VIRTIO_NET_ERR);
	CHECK_EQ(fdrv_status(&d), 0xf);
	/* Nothing of that changed the filter (still promiscuous); a good command works. */
	virtio_net_stats(net, &st);
	CHECK(st.promisc);
	CHECK_EQ(ctrl(2, VIRTIO_NET_CTRL_RX, VIRTIO_NET_CTRL_RX_PROMISC, &on, 1), VIRTIO_NET_OK);
	/* A command without a writable ack byte: protocol error, NEEDS_RESET, no crash. */
	h = fg_alloc(&g, 3, 8);
	memcpy(fg_ptr(&g, h), "\0\0\1", 3);
	b = (struct fbuf){h, 3, false};
	fq_add(&g, &d.q[2], &b, 1);
	fdrv_notify(&d, 2);
	CHECK(fdrv_wait_needs_reset(&d));
	/* Without CTRL_RX negotiated the RX class is refused. */
	CHECK_EQ(fdrv_probe(&d, &g, 1, ~(1ULL << VIRTIO_NET_F_CTRL_RX), 3, 256), 0xf);
	CHECK_EQ(ctrl(2, VIRTIO_NET_CTRL_RX, VIRTIO_NET_CTRL_RX_PROMISC, &on, 1), VIRTIO_NET_ERR);
	stop_mq(1);
}

TEST(multiqueue_pairs)
{
	const uint8_t dsts[][6] = {{0x02, 0x11, 0x22, 0x33, 0x44, 0x55}};
	uint16_t k;
	char got[16];
	uint8_t buf[256];
	struct virtio_net_stats st;
	uint64_t hdr;
	struct fbuf b;

	CHECK(start_mq(2, ~0ULL, 5));
	CHECK(d.features & (1ULL << VIRTIO_NET_F_MQ));
	CHECK_EQ(fg_mmio_read(&g, d.common + 0x12, 2), 5); /* 2 pairs + control */
	CHECK_EQ(fg_mmio_read(&g, d.devcfg + 8, 2), 2);	   /* max_virtqueue_pairs */
	post_rx_q(0, 32);
	post_rx_q(1, 32);
	/* Before VQ_PAIRS_SET only pair 0 receives: a frame on tap queue 1 waits. */
	inject_to(1, test_mac, 'A');
	usleep(30000);
	CHECK_EQ(fq_used_idx(&g, &d.q[2]), 0);
	k = 2;
	CHECK_EQ(ctrl(4, VIRTIO_NET_CTRL_MQ, VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET, &k, 2),
		 VIRTIO_NET_OK);
	virtio_net_stats(net, &st);
	CHECK_EQ(st.curr_pairs, 2);
	/* Now it arrives on rx queue 1 (queue 2), and more do. */
	CHECK(fq_wait_used(&d, &d.q[2], 1));
	CHECK_EQ(*(uint8_t *)fg_ptr(&g, rx_base[1] + 12 + 14), 'A');
	received(2, dsts, 1, got);
	CHECK_STR(got, "0");
	received(0, dsts, 1, got);
	CHECK_STR(got, "0");
	/* tx on pair 1 (queue 3) goes out of tap queue 1. */
	hdr = fg_alloc(&g, 12 + 60, 8);
	memset(fg_ptr(&g, hdr), 0, 12 + 60);
	((uint8_t *)fg_ptr(&g, hdr))[12 + 14] = 0x77;
	b = (struct fbuf){hdr, 12 + 60, false};
	fq_add(&g, &d.q[3], &b, 1);
	fdrv_notify(&d, 3);
	peer = peers[1];
	CHECK_EQ(peer_read(buf, sizeof(buf)), 12 + 60);
	peer = peers[0];
	CHECK_EQ(buf[12 + 14], 0x77);
	/* Out of range pair counts are refused; the current count stays. */
	k = 3;
	CHECK_EQ(ctrl(4, VIRTIO_NET_CTRL_MQ, VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET, &k, 2),
		 VIRTIO_NET_ERR);
	k = 0;
	CHECK_EQ(ctrl(4, VIRTIO_NET_CTRL_MQ, VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET, &k, 2),
		 VIRTIO_NET_ERR);
	CHECK_EQ(ctrl(4, VIRTIO_NET_CTRL_MQ, VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET, &k, 1),
		 VIRTIO_NET_ERR);
	virtio_net_stats(net, &st);
	CHECK_EQ(st.curr_pairs, 2);
	/* Back to one pair: queue 1 stops receiving. */
	k = 1;
	CHECK_EQ(ctrl(4, VIRTIO_NET_CTRL_MQ, VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET, &k, 2),
		 VIRTIO_NET_OK);
	{
		uint16_t u = fq_used_idx(&g, &d.q[2]);

		inject_to(1, test_mac, 'B');
		usleep(30000);
		CHECK_EQ(fq_used_idx(&g, &d.q[2]), u);
	}
	/* A driver without MQ on the same device: the control queue is queue 2 and only pair 0
	 * exists for it. */
	CHECK_EQ(fdrv_probe(&d, &g, 1, ~(1ULL << VIRTIO_NET_F_MQ), 3, 256), 0xf);
	k = 2;
	CHECK_EQ(ctrl(2, VIRTIO_NET_CTRL_MQ, VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET, &k, 2),
		 VIRTIO_NET_ERR);
	CHECK_EQ(ctrl(2, VIRTIO_NET_CTRL_RX, VIRTIO_NET_CTRL_RX_PROMISC, "\1", 1), VIRTIO_NET_OK);
	stop_mq(2);
}

HARNESS_MAIN(config_space, transmit_passes_header_and_frame, transmit_64k_tso_frame,
	     transmit_bad_chains_are_dropped, receive_mergeable_buffers, receive_waits_for_buffers,
	     receive_without_mergeable_buffers, receive_into_readonly_buffer_needs_reset,
	     open_errors_name_the_tap, ctrl_rx_filter,
	     ctrl_refuses_unsupported_and_malformed_commands, multiqueue_pairs)
