/* linux_boot.c: `bulwark run --kernel`: reads the kernel and initrd, builds the command line the
 * guest gets, detects the kernel's format and hands it to bzimage.c or pvh.c, then writes the MP
 * table (mptable.c) with the device model's PCI interrupts. See linux_boot.h and docs/boot.md. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/file.h"
#include "dev/pci.h"
#include "vmm/linux_boot.h"
#include "vmm/linux_loader.h"
#include "vmm/mptable.h"

#define LINUX_KERNEL_MAX_FILE (512ULL << 20)
#define LINUX_INITRD_MAX_FILE (1ULL << 30)

struct pci_irq_list {
	struct mptable_pci_irq irq[MPTABLE_MAX_PCI_IRQS];
	unsigned n;
	bool overflow;
};

static void collect_pci_irq(void *arg, uint8_t dev, uint8_t pin, uint8_t irq)
{
	struct pci_irq_list *l = arg;

	if (l->n >= MPTABLE_MAX_PCI_IRQS) {
		l->overflow = true;
		return;
	}
	l->irq[l->n++] = (struct mptable_pci_irq){.dev = dev, .pin = pin, .irq = irq};
}

static int read_input(const char *what, const char *path, uint64_t max, uint8_t **buf, size_t *len,
		      char *err, size_t errlen)
{
	int ret = bw_read_file(path, max, buf, len);

	if (ret == -EFBIG) {
		linux_err(err, errlen, "%s %s is larger than %llu MiB", what, path,
			  (unsigned long long)(max >> 20));
		return -ENOEXEC;
	}
	if (ret) {
		linux_err(err, errlen, "cannot read %s %s: %s", what, path, strerror(-ret));
		return ret == -EISDIR ? -EACCES : ret;
	}
	return 0;
}

int linux_boot_load(struct guest_mem *mem, const struct linux_boot_opts *o,
		    struct x86_boot_state *entry, char *err, size_t errlen)
{
	struct linux_load_args a = {0};
	struct pci_irq_list *irqs = NULL;
	uint8_t *kernel = NULL, *initrd = NULL;
	size_t kernel_len = 0, initrd_len = 0;
	char *cmdline = NULL, msg[512];
	int ret;

	if (!o || !o->kernel_path) {
		linux_err(err, errlen, "no kernel given");
		return -EINVAL;
	}
	if (o->ncpus == 0 || o->ncpus > MPTABLE_MAX_CPUS) {
		linux_err(err, errlen, "%u vCPUs: Linux guests take 1 to %u", o->ncpus,
			  MPTABLE_MAX_CPUS);
		return -EINVAL;
	}
	ret = read_input("kernel", o->kernel_path, LINUX_KERNEL_MAX_FILE, &kernel, &kernel_len, err,
			 errlen);
	if (ret)
		goto out;
	if (o->initrd_path) {
		ret = read_input("initrd", o->initrd_path, LINUX_INITRD_MAX_FILE, &initrd,
				 &initrd_len, err, errlen);
		if (ret)
			goto out;
	}
	cmdline = linux_build_cmdline(o->cmdline);
	irqs = calloc(1, sizeof(*irqs));
	if (!cmdline || !irqs) {
		linux_err(err, errlen, "out of memory building the boot parameters");
		ret = -ENOMEM;
		goto out;
	}
	if (o->pci)
		pci_bus_for_each_irq(o->pci, collect_pci_irq, irqs);
	if (irqs->overflow) {
		linux_err(err, errlen, "more than %d PCI interrupts for the MP table",
			  MPTABLE_MAX_PCI_IRQS);
		ret = -EINVAL;
		goto out;
	}

	a.kernel_name = o->kernel_path;
	a.image = kernel;
	a.image_len = kernel_len;
	a.cmdline = cmdline;
	a.initrd = initrd;
	a.initrd_len = initrd_len;
	a.initrd_name = o->initrd_path;
	msg[0] = '\0';
	if (bzimage_detect(kernel, kernel_len)) {
		ret = bzimage_load(mem, &a, entry, msg, sizeof(msg));
	} else if (pvh_detect_elf(kernel, kernel_len)) {
		ret = pvh_load(mem, &a, entry, msg, sizeof(msg));
	} else {
		snprintf(msg, sizeof(msg),
			 "neither a bzImage (no \"HdrS\" at offset 0x202) nor an ELF vmlinux");
		ret = -ENOEXEC;
	}
	if (!ret)
		ret = mptable_write(mem, o->ncpus, irqs->irq, irqs->n, msg, sizeof(msg));
	if (ret)
		linux_err(err, errlen, "kernel %s: %s", o->kernel_path, msg);
out:
	free(irqs);
	free(cmdline);
	free(initrd);
	free(kernel);
	return ret;
}
