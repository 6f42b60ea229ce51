/* vm.h: one KVM virtual machine: /dev/kvm, the VM file descriptor, guest RAM memslots, the
 * in-kernel interrupt controllers (PIC, IOAPIC, LAPICs) and PIT, GSI routing with MSI routes for
 * irqfds, ioeventfds, the two I/O buses and the struct dev_host the device models get.
 *
 * It also owns the VM's end: vm_request_exit() (from a device, a vCPU exit, a signal) records the
 * first status and reason, kicks every vCPU out of KVM_RUN and wakes the main thread, which waits
 * in vm_wait_exit()'s poll loop (see cmd_run.c). Statuses are those of `bulwark run`
 * (docs/exit-codes.md). */
#ifndef BULWARK_VMM_VM_H
#define BULWARK_VMM_VM_H

#include <linux/kvm.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dev/dev_host.h"
#include "dev/io_bus.h"
#include "vmm/guest_mem.h"

/* Exit statuses of `bulwark run` (docs/exit-codes.md). */
enum vm_exit_status {
	VM_EXIT_GUEST_END = 0, /* reboot/poweroff request */
	VM_EXIT_STARTUP = 1,   /* start-up error */
	VM_EXIT_USAGE = 2,     /* usage error */
	VM_EXIT_TRIPLE_FAULT = 3,
	VM_EXIT_KVM_ERROR = 4, /* KVM internal error, failed entry, unhandled exit */
	VM_EXIT_GUEST_PANIC = 5,
	VM_EXIT_STOPPED = 6, /* SIGINT/SIGTERM or ^A x */
};

#define VM_MAX_VCPUS 64
#define VM_TSS_ADDR 0xfffbd000ULL	   /* 3 pages for KVM's real-mode TSS (Intel) */
#define VM_IDENTITY_MAP_ADDR 0xfffbc000ULL /* 1 page (Intel EPT real mode) */
#define VM_MSI_GSI_BASE 24		   /* GSIs 0-23: IOAPIC (and PIC for 0-15) */
#define VM_MAX_GSI 1024

struct vcpu;

struct vm {
	int kvm_fd, vm_fd;
	int vcpu_mmap_size;
	unsigned ncpus;
	struct vcpu *vcpu[VM_MAX_VCPUS];
	struct guest_mem mem;
	struct io_bus pio, mmio;
	struct dev_host host;
	struct kvm_cpuid2 *supported_cpuid;

	/* GSI routing table (IRQCHIP entries, then MSI entries); routing_lock guards it */
	pthread_mutex_t routing_lock;
	struct kvm_irq_routing_entry *routes;
	unsigned n_routes, cap_routes;
	uint8_t gsi_used[VM_MAX_GSI / 8];

	/* the end of the VM: first request wins */
	pthread_mutex_t exit_lock;
	volatile bool exiting;
	int exit_status;
	char exit_why[160];
	int exit_efd; /* eventfd written on the first request */
};

/* Opens /dev/kvm, checks the API version and capabilities, creates the VM with its irqchip, PIT,
 * guest RAM (mem_bytes) and memslots. Returns 0 or -errno with a message in err that names what
 * failed (the /dev/kvm message says what to do). */
int vm_create(struct vm *vm, uint64_t mem_bytes, unsigned ncpus, char *err, size_t errlen);
/* Frees everything vm_create() made (after the vCPUs are stopped and the devices destroyed). */
void vm_destroy(struct vm *vm);

/* Ends the VM with status (first call wins; later calls only log at debug level). Safe from any
 * thread, including vCPU threads and device workers; async-signal-unsafe. */
void vm_request_exit(struct vm *vm, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The dev_host_ops backed by this VM's KVM ioctls (exposed for tests of the routing table). */
extern const struct dev_host_ops vm_dev_host_ops;

#endif
