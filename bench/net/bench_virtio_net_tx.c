/* bench_virtio_net_tx.c: host-only microbenchmark of the virtio-net transmit path (no KVM):
 * a fake guest (tests/dev/fake_guest.h) fills the tx ring with chains of [12-byte vnet header +
 * frame], rings the doorbell, and the device's work runs synchronously (virtio_pci_poll): pop the
 * chain, gather it, writev() to a null backend (/dev/null), push it back. Reports ns per packet
 * for 64-byte, 1500-byte and 64 KiB frames, and the same frames written with a bare writev() of
 * two iovecs as the reference measured in the same run (ratio = VMM overhead factor).
 *   bench-virtio-net-tx [packets per size] */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/uio.h>
#include <time.h>

#include "../../tests/dev/fake_guest.h"
#include "common/log.h"
#include "dev/pci.h"
#include "dev/tap.h"
#include "dev/virtio_net.h"
#include "dev/virtio_pci.h"

#define QSIZE 256

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	static const unsigned sizes[] = {64, 1500, 65535 + 14};
	static const char *names[] = {"64B", "1500B", "64KiB"};
	unsigned count = argc > 1 ? (unsigned)atoi(argv[1]) : 200000;
	struct fg g;
	struct pci_bus *bus;
	struct virtio_net *n;
	struct virtio_pci *vp;
	struct fdrv d;
	char err[256];
	int nullfd = open("/dev/null", O_WRONLY | O_CLOEXEC);

	bw_log_set_level(BW_LOG_ERROR);
	fg_init(&g, 64 << 20);
	bus = pci_bus_create(&g.host);
	n = virtio_net_create_backend(bus, &g.host,
				      tap_open_fd(open("/dev/null", O_RDWR | O_CLOEXEC), "null"),
				      NULL, err, sizeof(err));
	if (!n) {
		fprintf(stderr, "bench: %s\n", err);
		return 1;
	}
	vp = virtio_net_transport(n);
	virtio_pci_stop_worker(vp);
	if (fdrv_probe(&d, &g, 1, VIRTIO_FEAT_VERSION_1 | (1ULL << 0) | (1ULL << 11), 2, QSIZE) !=
	    0xf) {
		fprintf(stderr, "bench: virtio-net probe failed\n");
		return 1;
	}
	printf("virtio-net tx path, host only (fake guest memory, null backend /dev/null), %u "
	       "packets per size\n",
	       count);
	for (unsigned s = 0; s < 3; s++) {
		uint64_t hdr = fg_alloc(&g, 12, 64), frame = fg_alloc(&g, sizes[s], 4096);
		struct fbuf b[2] = {{hdr, 12, false}, {frame, sizes[s], false}};
		struct iovec iov[2] = {{fg_ptr(&g, hdr), 12}, {fg_ptr(&g, frame), sizes[s]}};
		double dev_ns = 0, t0, raw_ns;
		unsigned done = 0;
		unsigned per = count / (s == 2 ? 10 : 1);

		memset(fg_ptr(&g, frame), 0xa5, sizes[s]);
		while (done < per) {
			unsigned batch = per - done < QSIZE ? per - done : QSIZE;

			for (unsigned i = 0; i < batch; i++)
				fq_add(&g, &d.q[1], b, 2);
			t0 = now_ns();
			fdrv_notify(&d, 1);
			while (virtio_pci_poll(vp, 0) > 0)
				;
			dev_ns += now_ns() - t0;
			done += batch;
			if (fq_used_idx(&g, &d.q[1]) != d.q[1].avail_idx) {
				fprintf(stderr, "bench: device did not complete the batch\n");
				return 1;
			}
		}
		t0 = now_ns();
		for (unsigned i = 0; i < per; i++)
			if (writev(nullfd, iov, 2) < 0)
				return 1;
		raw_ns = now_ns() - t0;
		printf("  %-6s %8.1f ns/packet  %7.2f Mpps  %8.2f Gbps   (bare writev %6.1f ns, "
		       "ratio %.2f)\n",
		       names[s], dev_ns / per, per / dev_ns * 1e3, sizes[s] * 8.0 * per / dev_ns,
		       raw_ns / per, dev_ns / raw_ns);
	}
	virtio_net_destroy(n);
	pci_bus_destroy(bus);
	fg_destroy(&g);
	return 0;
}
