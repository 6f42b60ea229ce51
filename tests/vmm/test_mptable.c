/* test_mptable.c: the MP floating pointer and configuration table (src/vmm/mptable.c), read back
 * the way Linux's mpparse.c reads them: signature scan, checksums, then entry by entry. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "vmm/guest_mem.h"
#include "vmm/linux_loader.h"
#include "vmm/mptable.h"

#define MiB (1ULL << 20)

struct parsed {
	unsigned cpus, bsp_count, buses, ioapics, ioints, lints;
	uint8_t cpu_ids[256];
	uint8_t ioapic_id;
	uint32_t ioapic_addr, lapic;
	bool pci_bus, isa_bus;
	uint8_t isa_dst[16];  /* 0xff: no entry */
	uint8_t pci_src[128]; /* srcbusirq of PCI entries */
	uint8_t pci_dst[128];
	unsigned npci;
	uint8_t lint_type[2];
	uint64_t mpc_gpa;
};

static uint8_t sum(const uint8_t *p, size_t n)
{
	uint8_t s = 0;

	while (n--)
		s = (uint8_t)(s + *p++);
	return s;
}

/* Finds the floating pointer in the last KiB of base memory, checks both checksums and decodes
 * every entry. Returns 0 or a negative number naming the first problem. */
static int parse_mp(const struct guest_mem *m, struct parsed *o)
{
	const uint8_t *base = guest_mem_ptr(m, 639 * 1024, 1024), *mpf = NULL, *mpc, *p, *end;
	uint16_t len, count;
	uint32_t phys;

	memset(o, 0, sizeof(*o));
	memset(o->isa_dst, 0xff, sizeof(o->isa_dst));
	for (unsigned off = 0; base && off < 1024; off += 16)
		if (!memcmp(base + off, "_MP_", 4)) {
			mpf = base + off;
			break;
		}
	if (!mpf)
		return -1;
	if (mpf[8] != 1 || mpf[9] != 4 || sum(mpf, 16) != 0)
		return -2;
	memcpy(&phys, mpf + 4, 4);
	o->mpc_gpa = phys;
	mpc = guest_mem_ptr(m, phys, 44);
	if (!mpc || memcmp(mpc, "PCMP", 4))
		return -3;
	memcpy(&len, mpc + 4, 2);
	memcpy(&count, mpc + 34, 2);
	memcpy(&o->lapic, mpc + 36, 4);
	mpc = guest_mem_ptr(m, phys, len);
	if (!mpc || sum(mpc, len) != 0 || mpc[6] != 4)
		return -4;
	p = mpc + 44;
	end = mpc + len;
	for (unsigned i = 0; i < count; i++) {
		if (p >= end)
			return -5;
		switch (p[0]) {
		case MP_ENTRY_PROCESSOR:
			o->cpu_ids[o->cpus++] = p[1];
			o->bsp_count += !!(p[3] & 2);
			if (!(p[3] & 1) || p[2] == 0)
				return -6;
			p += 20;
			break;
		case MP_ENTRY_BUS:
			o->buses++;
			if (p[1] == MPTABLE_PCI_BUS_ID && !memcmp(p + 2, "PCI   ", 6))
				o->pci_bus = true;
			if (p[1] == MPTABLE_ISA_BUS_ID && !memcmp(p + 2, "ISA   ", 6))
				o->isa_bus = true;
			p += 8;
			break;
		case MP_ENTRY_IOAPIC:
			o->ioapics++;
			o->ioapic_id = p[1];
			memcpy(&o->ioapic_addr, p + 4, 4);
			p += 8;
			break;
		case MP_ENTRY_IOINT:
			o->ioints++;
			if (p[1] != MP_INT || p[6] != o->ioapic_id)
				return -7;
			if (p[4] == MPTABLE_ISA_BUS_ID && p[5] < 16)
				o->isa_dst[p[5]] = p[7];
			else if (p[4] == MPTABLE_PCI_BUS_ID) {
				o->pci_src[o->npci] = p[5];
				o->pci_dst[o->npci++] = p[7];
			} else
				return -8;
			p += 8;
			break;
		case MP_ENTRY_LINT:
			if (o->lints < 2 && p[7] < 2)
				o->lint_type[p[7]] = p[1];
			o->lints++;
			p += 8;
			break;
		default:
			return -9;
		}
	}
	return p == end ? 0 : -10;
}

TEST(two_cpus_with_pci)
{
	struct mptable_pci_irq irqs[] = {{1, 1, 5}, {2, 1, 10}, {3, 2, 11}};
	struct guest_mem m;
	struct parsed o;
	char err[256] = "";

	CHECK_EQ(guest_mem_init(&m, 16 * MiB), 0);
	CHECK_EQ(mptable_write(&m, 2, irqs, 3, err, sizeof(err)), 0);
	CHECK_EQ(parse_mp(&m, &o), 0);
	CHECK_EQ(o.mpc_gpa, LINUX_EBDA_START + 16); /* fits in the EBDA KiB */
	CHECK_EQ(o.cpus, 2);
	CHECK_EQ(o.cpu_ids[0], 0);
	CHECK_EQ(o.cpu_ids[1], 1);
	CHECK_EQ(o.bsp_count, 1);
	CHECK_EQ(o.lapic, 0xfee00000);
	CHECK_EQ(o.ioapics, 1);
	CHECK_EQ(o.ioapic_id, 2);
	CHECK_EQ(o.ioapic_addr, 0xfec00000);
	CHECK(o.pci_bus);
	CHECK(o.isa_bus);
	CHECK_EQ(o.npci, 3);
	CHECK_EQ(o.pci_src[0], 1 << 2 | 0);
	CHECK_EQ(o.pci_dst[0], 5);
	CHECK_EQ(o.pci_src[2], 3 << 2 | 1);
	CHECK_EQ(o.pci_dst[2], 11);
	/* ISA IRQs identity-mapped, except the lines PCI devices use */
	for (unsigned irq = 0; irq < 16; irq++) {
		if (irq == 5 || irq == 10 || irq == 11)
			CHECK_EQ(o.isa_dst[irq], 0xff);
		else
			CHECK_EQ(o.isa_dst[irq], irq);
	}
	CHECK_EQ(o.ioints, 3 + 13);
	CHECK_EQ(o.lints, 2);
	CHECK_EQ(o.lint_type[0], MP_EXTINT);
	CHECK_EQ(o.lint_type[1], MP_NMI);
	guest_mem_destroy(&m);
}

TEST(one_cpu_no_pci)
{
	struct guest_mem m;
	struct parsed o;
	char err[256] = "";

	CHECK_EQ(guest_mem_init(&m, 16 * MiB), 0);
	CHECK_EQ(mptable_write(&m, 1, NULL, 0, err, sizeof(err)), 0);
	CHECK_EQ(parse_mp(&m, &o), 0);
	CHECK_EQ(o.cpus, 1);
	CHECK_EQ(o.bsp_count, 1);
	CHECK_EQ(o.ioapic_id, 1);
	CHECK_EQ(o.ioints, 16);
	CHECK_EQ(o.npci, 0);
	/* a corrupted byte breaks the checksum the way Linux checks it */
	((uint8_t *)guest_mem_ptr(&m, o.mpc_gpa, 64))[50] ^= 1;
	CHECK_EQ(parse_mp(&m, &o), -4);
	guest_mem_destroy(&m);
}

TEST(many_cpus_move_to_bios_area)
{
	struct guest_mem m;
	struct parsed o;
	char err[256] = "";

	CHECK_EQ(guest_mem_init(&m, 16 * MiB), 0);
	CHECK(mptable_config_size(64, 0) + 16 > 1024);
	CHECK_EQ(mptable_write(&m, 64, NULL, 0, err, sizeof(err)), 0);
	CHECK_EQ(parse_mp(&m, &o), 0);
	CHECK_EQ(o.mpc_gpa, LINUX_BIOS_START);
	CHECK_EQ(o.cpus, 64);
	CHECK_EQ(o.cpu_ids[63], 63);
	CHECK_EQ(o.ioapic_id, 64);
	CHECK_EQ(mptable_write(&m, MPTABLE_MAX_CPUS, NULL, 0, err, sizeof(err)), 0);
	CHECK_EQ(parse_mp(&m, &o), 0);
	CHECK_EQ(o.cpus, MPTABLE_MAX_CPUS);
	guest_mem_destroy(&m);
}

TEST(refuses_bad_arguments)
{
	struct mptable_pci_irq bad_pin = {1, 0, 5}, bad_irq = {1, 1, 24}, bad_dev = {32, 1, 5};
	struct guest_mem m;
	char err[256] = "";
	static uint8_t tiny[0x9fc00];

	CHECK_EQ(guest_mem_init(&m, 16 * MiB), 0);
	CHECK_EQ(mptable_write(&m, 0, NULL, 0, err, sizeof(err)), -EINVAL);
	CHECK_CONTAINS(err, "0 CPUs");
	CHECK_EQ(mptable_write(&m, 255, NULL, 0, err, sizeof(err)), -EINVAL);
	CHECK_EQ(mptable_write(&m, 1, &bad_pin, 1, err, sizeof(err)), -EINVAL);
	CHECK_CONTAINS(err, "pin 0");
	CHECK_EQ(mptable_write(&m, 1, &bad_irq, 1, err, sizeof(err)), -EINVAL);
	CHECK_EQ(mptable_write(&m, 1, &bad_dev, 1, err, sizeof(err)), -EINVAL);
	guest_mem_destroy(&m);
	guest_mem_init_buffer(&m, tiny, sizeof(tiny)); /* RAM ends where the EBDA starts */
	CHECK_EQ(mptable_write(&m, 1, NULL, 0, err, sizeof(err)), -ENOMEM);
}

HARNESS_MAIN(two_cpus_with_pci, one_cpu_no_pci, many_cpus_move_to_bios_area, refuses_bad_arguments)
