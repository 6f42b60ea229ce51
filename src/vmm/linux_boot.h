/* linux_boot.h: loads a Linux kernel into guest RAM and describes its entry for the boot vCPU.
 *
 * `bulwark run --kernel` calls linux_boot_load() once, after guest RAM exists and the PCI devices
 * are known (their interrupt routing goes into the MP table). The file is either a bzImage (64-bit
 * Linux boot protocol, boot protocol >= 2.06; 2.12+ for the 64-bit entry) or a vmlinux ELF with a
 * PVH note (XEN_ELFNOTE_PHYS32_ENTRY, 18): the format is detected from the file's contents.
 * The loader writes the kernel, initrd, command line, zero page or hvm_start_info, e820 map, MP
 * table, page tables and GDT into guest RAM and fills *entry for src/vmm/vcpu.c. The command line
 * the guest gets is the user's (or a default one) plus what bulwark's device model needs; see
 * docs/boot.md. Kernel and initrd files are untrusted input: every size and offset is checked. */
#ifndef BULWARK_VMM_LINUX_BOOT_H
#define BULWARK_VMM_LINUX_BOOT_H

#include <stddef.h>

#include "vmm/boot_state.h"
#include "vmm/guest_mem.h"

struct pci_bus;

struct linux_boot_opts {
	const char *kernel_path;
	const char *initrd_path; /* may be NULL */
	const char *cmdline;	 /* the user's, may be NULL (then a default command line is used) */
	unsigned ncpus;		 /* vCPUs listed in the MP table (APIC ids 0..ncpus-1) */
	struct pci_bus *pci;	 /* may be NULL: no PCI interrupt entries in the MP table */
};

/* Returns 0 or a negative errno with a message in err (NUL-terminated, errlen bytes):
 *   -ENOENT/-EACCES  the kernel or initrd file cannot be read (the message names it)
 *   -ENOEXEC         not a bzImage or ELF, boot protocol too old (< 2.06, or no 64-bit entry),
 *                    or an ELF without a PVH note, or a malformed image
 *   -ENOMEM          guest memory smaller than the kernel's init_size plus what the loader needs
 *                    (the message gives both sizes)
 *   -EINVAL          command line too long for the kernel's cmdline_size, bad options
 * Nothing of the guest state is meaningful after a failure. */
int linux_boot_load(struct guest_mem *mem, const struct linux_boot_opts *o,
		    struct x86_boot_state *entry, char *err, size_t errlen);

#endif
