/* fuzz_pci_config.c: hostile port I/O on config mechanism #1 (0xCF8-0xCFF), MMIO on the BARs of a
 * virtio function and accesses through its VIRTIO_PCI_CAP_PCI_CFG window: any sequence of
 * accesses, sizes and offsets. The bus must keep its
 * invariants (never crash, BAR claims consistent: checked by ASan and the io_bus itself). */
#include "dev/virtio_blk.h"
#include "fuzz_virtio.h"

#include <sys/mman.h>

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
	unsigned ops = 0;

	if (memfd < 0) {
		bw_log_set_level(BW_LOG_ERROR);
		memfd = memfd_create("fuzz-disk", MFD_CLOEXEC);
		if (memfd < 0 || ftruncate(memfd, 4096))
			abort();
		snprintf(path, sizeof(path), "/proc/self/fd/%d", memfd);
	}
	fg_init(&g, 1 << 16);
	bus = pci_bus_create(&g.host);
	b = virtio_blk_create(bus, &g.host, path, false, err, sizeof(err));
	if (!b)
		abort();
	virtio_pci_stop_worker(virtio_blk_transport(b));
	while (in.n && ops++ < 512) {
		uint8_t op = fin_u8(&in);
		uint32_t len = 1u << ((op >> 4) % 3); /* 1, 2 or 4 */
		uint32_t v = fin_u32(&in);

		switch (op & 7) {
		case 0: /* port write anywhere in 0xcf8-0xcff (and around it) */
			fg_out(&g, (uint16_t)(0xcf6 + fin_u8(&in) % 12), v, len);
			break;
		case 1:
			fg_in(&g, (uint16_t)(0xcf6 + fin_u8(&in) % 12), len);
			break;
		case 2: /* a well-formed config write to slot 0-2 */
			if (op & 8) {
				/* an access through the VIRTIO_PCI_CAP_PCI_CFG window of slot 1:
				 * bar, offset, length from the input, then the data field */
				unsigned c = virtio_blk_transport(b)->pcicfg_cap;
				uint8_t bar = fin_u8(&in);
				uint32_t wlen = fin_u8(&in);

				fg_cfg_write(&g, 1, c + 4, bar & 0x80 ? bar : bar & 1, 1);
				fg_cfg_write(&g, 1, c + 8, bar & 0x40 ? v : v % VIRTIO_PCI_BAR_SIZE,
					     4);
				fg_cfg_write(&g, 1, c + 12, wlen & 0x80 ? wlen : wlen % 5, 4);
				if (op & 0x40)
					fg_cfg_write(&g, 1, c + 16, fin_u32(&in),
						     len > 4 ? 4 : len);
				else
					fg_cfg_read(&g, 1, c + 16 + (fin_u8(&in) & 3), 1);
				break;
			}
			fg_cfg_write(&g, fin_u8(&in) % 3, fin_u8(&in), v, len > 4 ? 4 : len);
			break;
		case 3:
			fg_cfg_read(&g, fin_u8(&in) % 3, fin_u8(&in), len > 4 ? 4 : len);
			break;
		case 4: { /* MMIO into the PCI window, wherever the BARs are now */
			uint64_t a = PCI_MMIO_WINDOW_START + (fin_u32(&in) % 0x100000);

			fg_mmio_write(&g, a, v, (op & 0x80) ? 8 : len);
			break;
		}
		case 5: {
			uint64_t a = PCI_MMIO_WINDOW_START + (fin_u32(&in) % 0x100000);

			fg_mmio_read(&g, a, len);
			break;
		}
		case 6: /* MMIO at the current BAR0 */
			fg_mmio_write(
			    &g,
			    (pci_dev_cfg_read(virtio_blk_transport(b)->pci, 0x10, 4) & ~0xfu) +
				fin_u16(&in) % VIRTIO_PCI_BAR_SIZE,
			    v, len);
			break;
		case 7:
			fuzz_poll(virtio_blk_transport(b));
			break;
		}
	}
	virtio_blk_destroy(b);
	pci_bus_destroy(bus);
	fg_destroy(&g);
	return 0;
}
