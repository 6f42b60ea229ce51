/* net-bench.c: virtio-net transmit benchmark guest (bench/net/bench-virtio-net.sh). Sends
 * COUNT_64 frames of 64 bytes, COUNT_1500 of 1500 bytes and COUNT_TSO 64 KiB TCP/IPv4 TSO frames
 * (vnet header with GSO_TCPV4, checksum offload) into the tap as fast as the device takes them:
 * up to a queue of chains in flight, one doorbell per batch, polling the used ring. Each phase is
 * bracketed by serial lines "BENCH <name> <count> <bytes> start|done" that the host timestamps.
 * After each of those lines the guest waits for a byte on its serial input (the host sends one
 * once it has sampled the CPU times), so the host's samples bracket exactly the phase.
 * Exits 42. */
#include "cpl3.h"
#include "virtio.h"

#define QSIZE 256
#define HDR 12
#define F_CSUM (1ULL << 0)
#define F_MAC (1ULL << 5)
#define F_HOST_TSO4 (1ULL << 11)
#define COUNT_64 200000u
#define COUNT_1500 200000u
#define COUNT_TSO 20000u
#define TSO_FRAME (14 + 65535)

static struct vdev d;
static struct vq tx;
static uint8_t mac[6];

static uint16_t ip_csum(const uint8_t *p, unsigned len)
{
	uint32_t s = 0;

	for (unsigned i = 0; i < len; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* Builds [vnet header][Ethernet][IPv4][TCP][payload] of frame_len bytes at buf. */
static void build(uint8_t *buf, unsigned frame_len, bool tso)
{
	uint8_t *h = buf, *f = buf + HDR, *ip = f + 14, *tcp = ip + 20;
	unsigned ip_len = frame_len - 14;
	uint32_t ps;

	memset(buf, 0, HDR + 54);
	memcpy(f, "\x02\x00\x00\x00\x00\x01", 6);
	memcpy(f + 6, mac, 6);
	f[12] = 0x08;
	f[13] = 0x00;
	if (frame_len < 54) { /* 64-byte frames: a raw Ethernet frame of a test ethertype */
		f[12] = 0x88;
		f[13] = 0xb5;
		for (unsigned i = 14; i < frame_len; i++)
			f[i] = (uint8_t)i;
		return;
	}
	ip[0] = 0x45;
	ip[2] = (uint8_t)(ip_len >> 8);
	ip[3] = (uint8_t)ip_len;
	ip[8] = 64;
	ip[9] = 6;
	memcpy(ip + 12, "\x0a\x00\x00\x02\x0a\x00\x00\x01", 8);
	ps = ip_csum(ip, 20);
	ip[10] = (uint8_t)(ps >> 8);
	ip[11] = (uint8_t)ps;
	tcp[0] = 0x30; /* ports 12345 -> 5001 */
	tcp[1] = 0x39;
	tcp[2] = 0x13;
	tcp[3] = 0x89;
	tcp[12] = 5 << 4;
	tcp[13] = 0x18; /* PSH ACK */
	tcp[14] = 0xff;
	for (unsigned i = 54; i < frame_len; i++)
		f[i] = (uint8_t)(i * 7);
	if (tso) {
		uint16_t csum_start = 34, csum_off = 16, hdr_len = 54, gso = 1448;
		/* TCP checksum field: the pseudo-header sum, the rest is offloaded. */
		uint32_t s = 0x0a00 + 0x0002 + 0x0a00 + 0x0001 + 6 + (ip_len - 20);

		while (s >> 16)
			s = (s & 0xffff) + (s >> 16);
		tcp[16] = (uint8_t)(s >> 8);
		tcp[17] = (uint8_t)s;
		h[0] = 1; /* VIRTIO_NET_HDR_F_NEEDS_CSUM */
		h[1] = 1; /* VIRTIO_NET_HDR_GSO_TCPV4 */
		memcpy(h + 2, &hdr_len, 2);
		memcpy(h + 4, &gso, 2);
		memcpy(h + 6, &csum_start, 2);
		memcpy(h + 8, &csum_off, 2);
	}
}

/* Waits for one byte from the host on the UART (LSR bit 0: data ready). */
static void wait_host(void)
{
	while (!(inb(0x3fd) & 1))
		cpu_relax();
	(void)inb(0x3f8);
}

static void run(const char *name, unsigned count, unsigned frame_len, bool tso)
{
	uint8_t *buf = cpl3_alloc(HDR + frame_len, 4096);
	unsigned sent = 0, done = 0, inflight = 0;
	uint32_t id, len;
	uint64_t t0, t1;

	CPL3_ASSERT(buf);
	build(buf, frame_len, tso);
	printf("BENCH %s %u %u start\n", name, count, frame_len);
	wait_host();
	t0 = rdtsc();
	while (done < count) {
		unsigned batch = 0;

		while (inflight < QSIZE && sent < count && batch < 64) {
			struct vbuf b = {buf, HDR + frame_len, false};

			vq_add(&tx, &b, 1);
			sent++;
			inflight++;
			batch++;
		}
		if (batch)
			vq_kick(&tx);
		while (vq_get_used(&tx, &id, &len)) {
			done++;
			inflight--;
		}
	}
	t1 = rdtsc();
	printf("BENCH %s %u %u done tsc=%lu\n", name, count, frame_len, (unsigned long)(t1 - t0));
	wait_host();
}

int main(void)
{
	int slot = pci_find(0x1af4, 0x1041, 0);

	CPL3_ASSERT(slot > 0);
	CPL3_ASSERT(vdev_init(&d, (unsigned)slot));
	CPL3_ASSERT(vdev_negotiate(&d, VIRTIO_F_VERSION_1 | F_MAC | F_CSUM | F_HOST_TSO4));
	CPL3_ASSERT(d.features & F_HOST_TSO4);
	CPL3_ASSERT(vq_setup(&d, &tx, 1, QSIZE));
	CPL3_ASSERT(vdev_driver_ok(&d));
	for (int i = 0; i < 6; i++)
		mac[i] = mmio_read8(d.devcfg + i);
	run("64", COUNT_64, 64, false);
	run("1500", COUNT_1500, 1500, false);
	run("tso64k", COUNT_TSO, TSO_FRAME, true);
	printf("BENCH end\n");
	return 42;
}
