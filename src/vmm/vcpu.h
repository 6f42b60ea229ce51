/* vcpu.h: the virtual CPUs of a struct vm: creation with CPUID (KVM_GET_SUPPORTED_CPUID plus the
 * fixups a guest needs), boot MSRs, FPU and LAPIC set-up; the boot state of the first vCPU from a
 * struct x86_boot_state; one thread per vCPU running KVM_RUN and dispatching exits (port I/O and
 * MMIO to the VM's buses, shutdown, system events, errors); stopping them all. */
#ifndef BULWARK_VMM_VCPU_H
#define BULWARK_VMM_VCPU_H

#include <linux/kvm.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmm/boot_state.h"

struct vm;
struct vcpu_exit_stats;

struct vcpu {
	struct vm *vm;
	unsigned id; /* also the APIC id */
	int fd;
	struct kvm_run *run;
	pthread_t thread;
	bool started;
	uint64_t n_exits;
	struct vcpu_exit_stats *stats; /* per port/MMIO address exit counts, only with debug logs */
};

/* Reads KVM_GET_SUPPORTED_CPUID into vm->supported_cpuid (called by vm_create). */
int vcpu_get_supported_cpuid(struct vm *vm, char *err, size_t errlen);

/* Sets CPUID.1:ECX.TSC-deadline[24] in a KVM_GET_SUPPORTED_CPUID table when KVM has
 * KVM_CAP_TSC_DEADLINE_TIMER (have_cap), which that table never reports by itself. */
void vcpu_cpuid_add_tsc_deadline(struct kvm_cpuid2 *c, bool have_cap);

/* The CPUID table vCPU apic_id of an ncpus VM gets (malloc'ed): the supported table with the
 * hypervisor bit, APIC id, topology leaves (1, 4, 0xB) and the KVM signature leaf fixed. Exposed
 * for unit tests. */
struct kvm_cpuid2 *vcpu_build_cpuid(const struct kvm_cpuid2 *supported, unsigned apic_id,
				    unsigned ncpus);

/* Creates vCPUs 0..vm->ncpus-1 with CPUID, MSRs, FPU and LAPIC set; vCPU 0 gets the boot state
 * st, the others wait for INIT/SIPI. Returns 0 or -errno with a message in err. */
int vcpu_create_all(struct vm *vm, const struct x86_boot_state *st, char *err, size_t errlen);
/* Starts one thread per vCPU. The calling thread must have SIGINT and SIGTERM blocked (the
 * threads inherit the mask). Returns 0 or -errno with a message in err. */
int vcpu_start_all(struct vm *vm, char *err, size_t errlen);
/* Kicks every running vCPU out of KVM_RUN (immediate_exit + a signal). */
void vcpu_kick_all(struct vm *vm);
/* Kicks and joins every vCPU thread (vm->exiting must be set, see vm_request_exit()). */
void vcpu_join_all(struct vm *vm);
void vcpu_destroy(struct vcpu *v);

#endif
