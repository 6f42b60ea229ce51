/* hostile.c: port I/O to random ports and MMIO to random addresses outside RAM, with random
 * values and sizes; bulwark must survive it (tests/vmm/kvm-hostile.sh). Skipped on purpose: the
 * documented ways out (debug-exit port 0x501, i8042 0x64, pvpanic 0x505) and the in-kernel LAPIC
 * and IOAPIC pages (a random ICR write could INIT this vCPU). Ends with status 0. */
#include "cpl3.h"

/* false when [p, p + 4) touches a port that ends the guest or floods the console */
static bool port_ok(uint16_t p)
{
	for (unsigned i = 0; i < 4; i++) {
		uint16_t q = (uint16_t)(p + i);

		if (q == CPL3_EXIT_PORT || q == 0x64 || q == 0x505 || (q >= 0x3f8 && q < 0x400))
			return false;
	}
	return true;
}

int main(void)
{
	uint64_t seed = rdtsc() | 1, n_io = 0, n_mmio = 0;
	uint64_t ram_end = cpl3_mem_low, hole_end = 0x100000000ULL;

	printf("hostile: seed %lx\n", seed);
	for (int i = 0; i < 20000; i++) {
		uint64_t r = cpl3_rand(&seed);
		uint16_t port = (uint16_t)r;
		uint32_t v = (uint32_t)(r >> 32);
		unsigned sz = (r >> 16) & 3;

		if (!port_ok(port))
			continue;
		switch (sz) {
		case 0:
			outb(port, (uint8_t)v);
			(void)inb(port);
			break;
		case 1:
			outw(port, (uint16_t)v);
			(void)inw(port);
			break;
		default:
			outl(port, v);
			(void)inl(port);
			break;
		}
		n_io++;
	}
	for (int i = 0; i < 20000; i++) {
		uint64_t r = cpl3_rand(&seed), a;
		uint32_t v = (uint32_t)cpl3_rand(&seed);

		a = ram_end + r % (hole_end - ram_end);
		if ((a >> 12) == (0xfee00000 >> 12) || (a >> 12) == (0xfec00000 >> 12))
			continue;
		switch (r >> 61) {
		case 0:
			mmio_write8(a, (uint8_t)v);
			break;
		case 1:
			(void)mmio_read8(a);
			break;
		case 2:
			a &= ~1ULL;
			mmio_write16(a, (uint16_t)v);
			break;
		case 3:
			a &= ~3ULL;
			(void)mmio_read32(a);
			break;
		case 4:
			a &= ~3ULL;
			mmio_write32(a, v);
			break;
		case 5:
			a &= ~7ULL;
			mmio_write64(a, ((uint64_t)v << 32) | v);
			break;
		default:
			a &= ~7ULL;
			(void)mmio_read64(a);
			break;
		}
		n_mmio++;
	}
	printf("hostile: survived %lu port and %lu MMIO accesses\n", n_io, n_mmio);
	return 0;
}
