/* mptable.c: writes the MP floating pointer and configuration table (see mptable.h). The layout
 * follows the Intel MultiProcessor Specification 1.4; every structure is byte-packed and written
 * through guest_mem_ptr() after its whole size was checked to lie in guest RAM. */
#include <errno.h>
#include <string.h>

#include "vmm/linux_loader.h"
#include "vmm/mptable.h"

#define MP_IOAPIC_PINS 24 /* KVM's in-kernel IOAPIC */
#define MP_APIC_VERSION 0x14
#define MP_IOAPIC_VERSION 0x11
#define MP_CPU_ENABLED 0x01
#define MP_CPU_BSP 0x02
#define MP_CPU_SIGNATURE 0x600 /* family 6 */
#define MP_CPU_FEATURES 0x201  /* CPUID.1:EDX FPU and APIC */
#define MP_IRQ_CONFORMS 0      /* polarity and trigger conform to the bus */
#define MP_ALL_APICS 0xff

struct mp_floating {
	char signature[4]; /* "_MP_" */
	uint32_t physptr;
	uint8_t length; /* in 16-byte units: 1 */
	uint8_t spec_rev;
	uint8_t checksum;
	uint8_t feature[5];
} __attribute__((packed));

struct mp_config {
	char signature[4]; /* "PCMP" */
	uint16_t length;
	uint8_t spec_rev;
	uint8_t checksum;
	char oem[8];
	char product[12];
	uint32_t oem_ptr;
	uint16_t oem_size;
	uint16_t count;
	uint32_t lapic;
	uint16_t ext_length;
	uint8_t ext_checksum;
	uint8_t reserved;
} __attribute__((packed));

struct mp_processor {
	uint8_t type;
	uint8_t apic_id;
	uint8_t apic_ver;
	uint8_t cpu_flags;
	uint32_t signature;
	uint32_t features;
	uint32_t reserved[2];
} __attribute__((packed));

struct mp_bus {
	uint8_t type;
	uint8_t bus_id;
	char bus_type[6];
} __attribute__((packed));

struct mp_ioapic {
	uint8_t type;
	uint8_t apic_id;
	uint8_t apic_ver;
	uint8_t flags;
	uint32_t addr;
} __attribute__((packed));

struct mp_intsrc {
	uint8_t type;
	uint8_t irq_type;
	uint16_t irq_flags;
	uint8_t src_bus;
	uint8_t src_irq;
	uint8_t dst_apic;
	uint8_t dst_irq;
} __attribute__((packed));

_Static_assert(sizeof(struct mp_floating) == 16, "MP floating pointer is 16 bytes");
_Static_assert(sizeof(struct mp_config) == 44, "MP config header is 44 bytes");
_Static_assert(sizeof(struct mp_processor) == 20, "MP processor entry is 20 bytes");
_Static_assert(sizeof(struct mp_bus) == 8 && sizeof(struct mp_ioapic) == 8 &&
		   sizeof(struct mp_intsrc) == 8,
	       "MP bus, IOAPIC and interrupt entries are 8 bytes");

static uint8_t mp_checksum(const uint8_t *p, size_t len)
{
	uint8_t sum = 0;

	while (len--)
		sum = (uint8_t)(sum + *p++);
	return (uint8_t)-sum;
}

size_t mptable_config_size(unsigned ncpus, unsigned npci)
{
	return sizeof(struct mp_config) + ncpus * sizeof(struct mp_processor) +
	       2 * sizeof(struct mp_bus) + sizeof(struct mp_ioapic) +
	       (npci + 16 + 2) * sizeof(struct mp_intsrc);
}

int mptable_write(struct guest_mem *m, unsigned ncpus, const struct mptable_pci_irq *irqs,
		  unsigned nirqs, char *err, size_t errlen)
{
	uint32_t pci_irq_mask = 0;
	struct mp_floating *mpf;
	struct mp_config *mpc;
	uint64_t mpc_gpa;
	size_t size;
	uint8_t *p;
	uint16_t count = 0;
	uint8_t ioapic_id = (uint8_t)ncpus;

	if (ncpus == 0 || ncpus > MPTABLE_MAX_CPUS) {
		linux_err(err, errlen, "MP table: %u CPUs, expected 1 to %u", ncpus,
			  MPTABLE_MAX_CPUS);
		return -EINVAL;
	}
	if (nirqs > MPTABLE_MAX_PCI_IRQS) {
		linux_err(err, errlen, "MP table: %u PCI interrupts, at most %u", nirqs,
			  MPTABLE_MAX_PCI_IRQS);
		return -EINVAL;
	}
	for (unsigned i = 0; i < nirqs; i++) {
		if (irqs[i].dev >= 32 || irqs[i].pin < 1 || irqs[i].pin > 4 ||
		    irqs[i].irq >= MP_IOAPIC_PINS) {
			linux_err(
			    err, errlen,
			    "MP table: PCI device %u pin %u IRQ %u is out of range (device < 32, "
			    "pin 1-4, IRQ < %d)",
			    irqs[i].dev, irqs[i].pin, irqs[i].irq, MP_IOAPIC_PINS);
			return -EINVAL;
		}
		pci_irq_mask |= 1U << irqs[i].irq;
	}
	size = mptable_config_size(ncpus, nirqs);
	mpc_gpa = LINUX_EBDA_START + sizeof(*mpf);
	if (sizeof(*mpf) + size > LINUX_HIGH_START - LINUX_EBDA_START ||
	    sizeof(*mpf) + size > 0x400)
		mpc_gpa = LINUX_BIOS_START;
	mpf = guest_mem_ptr(m, LINUX_EBDA_START, sizeof(*mpf));
	p = guest_mem_ptr(m, mpc_gpa, size);
	if (!mpf || !p) {
		linux_err(err, errlen, "MP table: no guest RAM at 0x%llx for it", LINUX_EBDA_START);
		return -ENOMEM;
	}
	memset(p, 0, size);
	mpc = (struct mp_config *)p;
	p += sizeof(*mpc);

	for (unsigned c = 0; c < ncpus; c++) {
		struct mp_processor cpu = {
		    .type = MP_ENTRY_PROCESSOR,
		    .apic_id = (uint8_t)c,
		    .apic_ver = MP_APIC_VERSION,
		    .cpu_flags = MP_CPU_ENABLED | (c == 0 ? MP_CPU_BSP : 0),
		    .signature = MP_CPU_SIGNATURE,
		    .features = MP_CPU_FEATURES,
		};

		memcpy(p, &cpu, sizeof(cpu));
		p += sizeof(cpu);
		count++;
	}
	{
		struct mp_bus pci = {.type = MP_ENTRY_BUS, .bus_id = MPTABLE_PCI_BUS_ID};
		struct mp_bus isa = {.type = MP_ENTRY_BUS, .bus_id = MPTABLE_ISA_BUS_ID};
		struct mp_ioapic ioapic = {.type = MP_ENTRY_IOAPIC,
					   .apic_id = ioapic_id,
					   .apic_ver = MP_IOAPIC_VERSION,
					   .flags = 1,
					   .addr = MPTABLE_IOAPIC_BASE};

		memcpy(pci.bus_type, "PCI   ", 6);
		memcpy(isa.bus_type, "ISA   ", 6);
		memcpy(p, &pci, sizeof(pci));
		p += sizeof(pci);
		memcpy(p, &isa, sizeof(isa));
		p += sizeof(isa);
		memcpy(p, &ioapic, sizeof(ioapic));
		p += sizeof(ioapic);
		count += 3;
	}
	for (unsigned i = 0; i < nirqs; i++) {
		struct mp_intsrc in = {.type = MP_ENTRY_IOINT,
				       .irq_type = MP_INT,
				       .irq_flags = MP_IRQ_CONFORMS,
				       .src_bus = MPTABLE_PCI_BUS_ID,
				       .src_irq = (uint8_t)(irqs[i].dev << 2 | (irqs[i].pin - 1)),
				       .dst_apic = ioapic_id,
				       .dst_irq = irqs[i].irq};

		memcpy(p, &in, sizeof(in));
		p += sizeof(in);
		count++;
	}
	for (unsigned irq = 0; irq < 16; irq++) {
		struct mp_intsrc in = {.type = MP_ENTRY_IOINT,
				       .irq_type = MP_INT,
				       .irq_flags = MP_IRQ_CONFORMS,
				       .src_bus = MPTABLE_ISA_BUS_ID,
				       .src_irq = (uint8_t)irq,
				       .dst_apic = ioapic_id,
				       .dst_irq = (uint8_t)irq};

		if (pci_irq_mask & (1U << irq))
			continue;
		memcpy(p, &in, sizeof(in));
		p += sizeof(in);
		count++;
	}
	for (unsigned lint = 0; lint < 2; lint++) {
		struct mp_intsrc in = {.type = MP_ENTRY_LINT,
				       .irq_type = lint ? MP_NMI : MP_EXTINT,
				       .irq_flags = MP_IRQ_CONFORMS,
				       .src_bus = MPTABLE_ISA_BUS_ID,
				       .src_irq = 0,
				       .dst_apic = MP_ALL_APICS,
				       .dst_irq = (uint8_t)lint};

		memcpy(p, &in, sizeof(in));
		p += sizeof(in);
		count++;
	}

	memcpy(mpc->signature, "PCMP", 4);
	mpc->length = (uint16_t)(p - (uint8_t *)mpc);
	mpc->spec_rev = 4;
	memcpy(mpc->oem, "BULWARK ", 8);
	memcpy(mpc->product, "bulwark VMM ", 12);
	mpc->count = count;
	mpc->lapic = MPTABLE_LAPIC_BASE;
	mpc->checksum = mp_checksum((const uint8_t *)mpc, mpc->length);

	memset(mpf, 0, sizeof(*mpf));
	memcpy(mpf->signature, "_MP_", 4);
	mpf->physptr = (uint32_t)mpc_gpa;
	mpf->length = 1;
	mpf->spec_rev = 4;
	mpf->checksum = mp_checksum((const uint8_t *)mpf, sizeof(*mpf));
	return 0;
}
