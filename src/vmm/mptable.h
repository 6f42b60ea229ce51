/* mptable.h: the Intel MultiProcessor Specification 1.4 tables bulwark gives Linux guests.
 *
 * Without ACPI (bulwark boots with acpi=off), Linux finds the CPUs, the IOAPIC and the routing of
 * ISA and PCI interrupts in an MP table: a floating pointer structure in the last KiB of base
 * memory (0x9fc00, which the e820 map reserves) pointing at a configuration table. linux_boot.c
 * writes it for both entries (bzImage and PVH), with the PCI interrupts of the device model. */
#ifndef BULWARK_VMM_MPTABLE_H
#define BULWARK_VMM_MPTABLE_H

#include <stddef.h>
#include <stdint.h>

#include "vmm/guest_mem.h"

#define MPTABLE_MAX_CPUS 254 /* APIC ids 0..ncpus-1, the IOAPIC gets id ncpus (< 0xff) */
#define MPTABLE_MAX_PCI_IRQS 128
#define MPTABLE_LAPIC_BASE 0xfee00000U
#define MPTABLE_IOAPIC_BASE 0xfec00000U
#define MPTABLE_PCI_BUS_ID 0
#define MPTABLE_ISA_BUS_ID 1

/* One PCI interrupt: device number on bus 0, interrupt pin (1 = INTA# .. 4 = INTD#, as in the
 * Interrupt Pin register) and the IOAPIC input (GSI) it is wired to. */
struct mptable_pci_irq {
	uint8_t dev, pin, irq;
};

/* MP table entry types and sizes (MP spec 1.4, chapter 4). */
enum {
	MP_ENTRY_PROCESSOR = 0, /* 20 bytes */
	MP_ENTRY_BUS = 1,	/* 8 bytes, and the rest too */
	MP_ENTRY_IOAPIC = 2,
	MP_ENTRY_IOINT = 3,
	MP_ENTRY_LINT = 4,
};
enum { MP_INT = 0, MP_NMI = 1, MP_SMI = 2, MP_EXTINT = 3 };

/* Bytes the configuration table takes for ncpus and npci PCI interrupts. */
size_t mptable_config_size(unsigned ncpus, unsigned npci);

/* Writes the floating pointer at LINUX_EBDA_START and the configuration table right after it
 * when both fit in the EBDA KiB, else at LINUX_BIOS_START. Entries: processors 0..ncpus-1 (0 is
 * the BSP), buses PCI (id 0) and ISA (id 1), the IOAPIC (id ncpus, at 0xfec00000), I/O interrupts
 * for each PCI interrupt (level, active low: "conforms to bus") and for ISA IRQs 0-15 identity
 * mapped (edge, active high) except those a PCI device uses, local interrupts ExtINT on LINT0 and
 * NMI on LINT1 of every CPU. Returns 0 or -EINVAL (ncpus 0 or above MPTABLE_MAX_CPUS, a bad pin
 * or IRQ, too many PCI interrupts), -ENOMEM (guest RAM lacks the area), with a message. */
int mptable_write(struct guest_mem *m, unsigned ncpus, const struct mptable_pci_irq *irqs,
		  unsigned nirqs, char *err, size_t errlen);

#endif
