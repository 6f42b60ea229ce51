/* fuzz_virtio_net.c: virtio-net tx/rx processing against a hostile guest (fuzz_virtio.h): rings,
 * buffers, transport accesses and the frames arriving from the backend (a SOCK_SEQPACKET
 * socketpair standing for the tap) all come from the input. */
#include "dev/tap.h"
#include "dev/virtio_net.h"
#include "fuzz_virtio.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int peer = -1;

static void inject(const uint8_t *p, size_t len)
{
	if (send(peer, p, len, MSG_DONTWAIT) < 0) {
		/* backend full: the frame is lost, as on a real tap */
	}
}

static void drain(void)
{
	static uint8_t buf[70000];

	while (recv(peer, buf, sizeof(buf), MSG_DONTWAIT) > 0)
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
	int sv[2];

	bw_log_set_level(BW_LOG_ERROR);
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv))
		abort();
	peer = sv[1];
	fg_init(&g, FUZZ_RAM);
	bus = pci_bus_create(&g.host);
	n = virtio_net_create_backend(bus, &g.host, tap_open_fd(sv[0], "fuzz"), mac, err,
				      sizeof(err));
	if (!n)
		abort();
	virtio_pci_stop_worker(virtio_net_transport(n));
	fuzz_virtio_run(&g, virtio_net_transport(n), 2, &in, inject, drain);
	virtio_net_destroy(n);
	close(peer);
	pci_bus_destroy(bus);
	fg_destroy(&g);
	return 0;
}
