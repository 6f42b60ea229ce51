/* fuzz_virtio_net.c: virtio-net tx/rx/control processing against a hostile guest (fuzz_virtio.h):
 * rings, buffers, control commands, transport accesses and the frames arriving from the backend
 * (two queue pairs, each over a SOCK_SEQPACKET socketpair standing for a tap queue) all come from
 * the input. The device has 5 queues: rx0 tx0 rx1 tx1 control (control is queue 2 for a driver
 * without MQ). */
#include "dev/tap.h"
#include "dev/virtio_net.h"
#include "fuzz_virtio.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define PAIRS 2

static int peers[PAIRS];

static void inject(const uint8_t *p, size_t len)
{
	/* the frame's first byte picks the tap queue */
	if (send(peers[len ? p[0] % PAIRS : 0], p, len, MSG_DONTWAIT) < 0) {
		/* backend full: the frame is lost, as on a real tap */
	}
}

static void drain(void)
{
	static uint8_t buf[70000];

	for (unsigned i = 0; i < PAIRS; i++)
		while (recv(peers[i], buf, sizeof(buf), MSG_DONTWAIT) > 0)
			;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t mac[6] = {2, 0, 0, 0, 0, 1};
	struct fuzz_in in = {data, size};
	struct fg g;
	struct pci_bus *bus;
	struct virtio_net *n;
	char err[256];
	struct tap *taps[PAIRS];

	bw_log_set_level(BW_LOG_ERROR);
	for (unsigned i = 0; i < PAIRS; i++) {
		int sv[2];

		if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv))
			abort();
		peers[i] = sv[1];
		taps[i] = tap_open_fd(sv[0], "fuzz");
	}
	fg_init(&g, FUZZ_RAM);
	bus = pci_bus_create(&g.host);
	n = virtio_net_create_backends(bus, &g.host, taps, PAIRS, mac, err, sizeof(err));
	if (!n)
		abort();
	virtio_pci_stop_worker(virtio_net_transport(n));
	fuzz_virtio_run(&g, virtio_net_transport(n), 2 * PAIRS + 1, &in, inject, drain);
	virtio_net_destroy(n);
	for (unsigned i = 0; i < PAIRS; i++)
		close(peers[i]);
	pci_bus_destroy(bus);
	fg_destroy(&g);
	return 0;
}
