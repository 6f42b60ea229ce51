/* fuzz_virtio_blk.c: virtio-blk request processing against a hostile guest (fuzz_virtio.h):
 * rings, requests and transport accesses all come from the input; the disk is a 64 KiB memfd. */
#include <sys/mman.h>

#include "dev/virtio_blk.h"
#include "fuzz_virtio.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int memfd = -1;
	static char path[64];
	struct fuzz_in in = {data, size};
	struct fg g;
	struct pci_bus *bus;
	struct virtio_blk *b;
	char err[256];

	if (memfd < 0) {
		bw_log_set_level(BW_LOG_ERROR);
		memfd = memfd_create("fuzz-disk", MFD_CLOEXEC);
		if (memfd < 0 || ftruncate(memfd, 64 << 10))
			abort();
		snprintf(path, sizeof(path), "/proc/self/fd/%d", memfd);
	}
	fg_init(&g, FUZZ_RAM);
	bus = pci_bus_create(&g.host);
	b = virtio_blk_create(bus, &g.host, path, size && (data[0] & 0x40), err, sizeof(err));
	if (!b)
		abort();
	virtio_pci_stop_worker(virtio_blk_transport(b));
	fuzz_virtio_run(&g, virtio_blk_transport(b), 1, &in, NULL, NULL);
	virtio_blk_destroy(b);
	pci_bus_destroy(bus);
	fg_destroy(&g);
	return 0;
}
