/* test_virtio_net.c: virtio-net (src/dev/virtio_net.c) with a fake tap (a SOCK_SEQPACKET
 * socketpair keeps frame boundaries like a tap): config space, transmit with the vnet header
 * passed through (64 KiB TSO frames included), receive into mergeable and plain buffers, frames
 * that wait for buffers, and hostile chains. */
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
	CHECK(!(d.features & (1ULL << VIRTIO_NET_F_CTRL_VQ)));
	CHECK_EQ(fg_mmio_read(&g, d.common + 0x12, 2), 2); /* rx + tx */
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

HARNESS_MAIN(config_space, transmit_passes_header_and_frame, transmit_64k_tso_frame,
	     transmit_bad_chains_are_dropped, receive_mergeable_buffers, receive_waits_for_buffers,
	     receive_without_mergeable_buffers, receive_into_readonly_buffer_needs_reset,
	     open_errors_name_the_tap)
