/* vcpu.c: vCPU creation, CPUID/MSR/FPU/LAPIC set-up, boot state, threads and exit dispatch (see
 * vcpu.h). Exit statuses: docs/exit-codes.md. */
#include "vmm/vcpu.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "common/log.h"
#include "vmm/vm.h"

#define VCPU_KICK_SIGNAL SIGUSR1
#define MAX_CPUID_ENTRIES 512

/* MSRs */
#define MSR_IA32_TSC 0x10
#define MSR_IA32_SYSENTER_CS 0x174
#define MSR_IA32_SYSENTER_ESP 0x175
#define MSR_IA32_SYSENTER_EIP 0x176
#define MSR_IA32_MISC_ENABLE 0x1a0
#define MSR_IA32_CR_PAT 0x277
#define MSR_MTRR_DEF_TYPE 0x2ff
#define MSR_STAR 0xc0000081
#define MSR_LSTAR 0xc0000082
#define MSR_CSTAR 0xc0000083
#define MSR_SYSCALL_MASK 0xc0000084
#define MSR_KERNEL_GS_BASE 0xc0000102

#define CR0_PE (1ULL << 0)
#define CR0_MP (1ULL << 1)
#define CR0_ET (1ULL << 4)
#define CR0_NE (1ULL << 5)
#define CR0_WP (1ULL << 16)
#define CR0_PG (1ULL << 31)
#define CR4_PAE (1ULL << 5)
#define CR4_OSFXSR (1ULL << 9)
#define CR4_OSXMMEXCPT (1ULL << 10)
#define EFER_SCE (1ULL << 0)
#define EFER_LME (1ULL << 8)
#define EFER_LMA (1ULL << 10)

void vcpu_cpuid_add_tsc_deadline(struct kvm_cpuid2 *c, bool have_cap)
{
	for (unsigned i = 0; have_cap && i < c->nent; i++)
		if (c->entries[i].function == 1)
			c->entries[i].ecx |= 1u << 24; /* TSC-deadline */
}

int vcpu_get_supported_cpuid(struct vm *vm, char *err, size_t errlen)
{
	for (unsigned n = 128; n <= MAX_CPUID_ENTRIES * 4; n *= 2) {
		struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + n * sizeof(c->entries[0]));

		if (!c)
			return -ENOMEM;
		c->nent = n;
		if (ioctl(vm->kvm_fd, KVM_GET_SUPPORTED_CPUID, c) == 0) {
			/* KVM emulates the LAPIC TSC-deadline timer mode but leaves its CPUID bit
			 * out of the supported table; it is announced by a capability instead
			 * (api.rst, KVM_CAP_TSC_DEADLINE_TIMER). With it, Linux arms each timer
			 * with one MSR write instead of calibrating the APIC timer. */
			vcpu_cpuid_add_tsc_deadline(
			    c, ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_TSC_DEADLINE_TIMER) > 0);
			vm->supported_cpuid = c;
			return 0;
		}
		free(c);
		if (errno != E2BIG) {
			snprintf(err, errlen, "KVM_GET_SUPPORTED_CPUID: %s", strerror(errno));
			return -errno;
		}
	}
	snprintf(err, errlen, "KVM_GET_SUPPORTED_CPUID: more than %d entries",
		 MAX_CPUID_ENTRIES * 4);
	return -E2BIG;
}

static struct kvm_cpuid_entry2 *add_entry(struct kvm_cpuid2 *c, unsigned cap, uint32_t fn,
					  uint32_t idx)
{
	struct kvm_cpuid_entry2 *e;

	if (c->nent >= cap)
		return NULL;
	e = &c->entries[c->nent++];
	memset(e, 0, sizeof(*e));
	e->function = fn;
	e->index = idx;
	return e;
}

static unsigned bits_for(unsigned n)
{
	unsigned b = 0;

	while ((1u << b) < n)
		b++;
	return b;
}

struct kvm_cpuid2 *vcpu_build_cpuid(const struct kvm_cpuid2 *sup, unsigned apic_id, unsigned ncpus)
{
	unsigned cap = sup->nent + 8;
	struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + cap * sizeof(c->entries[0]));
	struct kvm_cpuid_entry2 *e;
	bool have_sig = false;
	unsigned shift = bits_for(ncpus);

	if (!c)
		return NULL;
	for (unsigned i = 0; i < sup->nent; i++) {
		const struct kvm_cpuid_entry2 *s = &sup->entries[i];

		/* topology leaves are rebuilt below; 0x1F would override 0xB in the guest */
		if (s->function == 0xb || s->function == 0x1f)
			continue;
		e = &c->entries[c->nent++];
		*e = *s;
		switch (e->function) {
		case 1:
			/* APIC id, logical processor count, HTT, hypervisor present */
			e->ebx = (e->ebx & 0x0000ffff) | (apic_id << 24) |
				 ((ncpus > 255 ? 255 : ncpus) << 16);
			if (ncpus > 1)
				e->edx |= 1u << 28;
			else
				e->edx &= ~(1u << 28);
			e->ecx |= 1u << 31;
			break;
		case 4: {
			/* deterministic cache parameters: one thread per core, ncpus cores */
			unsigned level = (e->eax >> 5) & 7;

			e->eax &= 0x3ff;
			if (e->eax & 0x1f) {
				e->eax |= (ncpus - 1) << 26;
				if (level >= 3)
					e->eax |= (ncpus - 1) << 14;
			}
			break;
		}
		case 6:
			/* no power-management features a VM could use */
			e->ecx &= ~(1u << 3); /* energy/perf bias */
			break;
		case 0x40000000:
			have_sig = true;
			break;
		}
	}
	/* extended topology: level 0 SMT (1 thread), level 1 core (ncpus) */
	e = add_entry(c, cap, 0xb, 0);
	if (e) {
		e->flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX;
		e->eax = 0;
		e->ebx = 1;
		e->ecx = (1u << 8) | 0;
		e->edx = apic_id;
	}
	e = add_entry(c, cap, 0xb, 1);
	if (e) {
		e->flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX;
		e->eax = shift;
		e->ebx = ncpus;
		e->ecx = (2u << 8) | 1;
		e->edx = apic_id;
	}
	e = add_entry(c, cap, 0xb, 2);
	if (e) {
		e->flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX;
		e->ecx = 2;
		e->edx = apic_id;
	}
	if (!have_sig) {
		e = add_entry(c, cap, 0x40000000, 0);
		if (e) {
			e->eax = 0x40000001;
			memcpy(&e->ebx, "KVMK", 4);
			memcpy(&e->ecx, "VMKV", 4);
			memcpy(&e->edx, "M\0\0\0", 4);
		}
	}
	return c;
}

static int set_msrs(struct vcpu *v)
{
	static const struct {
		uint32_t index;
		uint64_t data;
	} boot[] = {
	    {MSR_IA32_SYSENTER_CS, 0},
	    {MSR_IA32_SYSENTER_ESP, 0},
	    {MSR_IA32_SYSENTER_EIP, 0},
	    {MSR_STAR, 0},
	    {MSR_CSTAR, 0},
	    {MSR_KERNEL_GS_BASE, 0},
	    {MSR_SYSCALL_MASK, 0},
	    {MSR_LSTAR, 0},
	    {MSR_IA32_TSC, 0},
	    {MSR_IA32_MISC_ENABLE, 1},		      /* fast strings */
	    {MSR_IA32_CR_PAT, 0x0007040600070406ULL}, /* power-on default */
	    {MSR_MTRR_DEF_TYPE, (1u << 11) | 6},      /* MTRRs on, write-back default */
	};
	const unsigned n = sizeof(boot) / sizeof(boot[0]);
	struct kvm_msrs *m = calloc(1, sizeof(*m) + n * sizeof(m->entries[0]));
	int r;

	if (!m)
		return -ENOMEM;
	m->nmsrs = n;
	for (unsigned i = 0; i < n; i++) {
		m->entries[i].index = boot[i].index;
		m->entries[i].data = boot[i].data;
	}
	r = ioctl(v->fd, KVM_SET_MSRS, m);
	free(m);
	if (r < 0)
		return -errno;
	if ((unsigned)r != n) /* KVM stops at the first MSR it refuses */
		bw_debug("vCPU %u: KVM_SET_MSRS set %d of %u boot MSRs (index 0x%x refused)", v->id,
			 r, n, boot[r].index);
	return 0;
}

static int set_fpu(struct vcpu *v)
{
	struct kvm_fpu fpu = {.fcw = 0x37f, .mxcsr = 0x1f80};

	if (ioctl(v->fd, KVM_SET_FPU, &fpu) < 0)
		return -errno;
	if (ioctl(v->vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_XCRS) > 0) {
		struct kvm_xcrs x = {.nr_xcrs = 1};

		x.xcrs[0].xcr = 0;
		x.xcrs[0].value = 1; /* x87 only; the guest enables more through XSETBV */
		if (ioctl(v->fd, KVM_SET_XCRS, &x) < 0)
			bw_debug("vCPU %u: KVM_SET_XCRS: %s", v->id, strerror(errno));
	}
	return 0;
}

/* LINT0 = ExtINT (the PIC's output, virtual wire), LINT1 = NMI, as firmware leaves them. */
static int set_lapic(struct vcpu *v)
{
	struct kvm_lapic_state l;
	uint32_t reg;

	if (ioctl(v->fd, KVM_GET_LAPIC, &l) < 0)
		return -errno;
	memcpy(&reg, &l.regs[0x350], 4);
	reg = (reg & ~0x700u & ~(1u << 16)) | (7u << 8);
	memcpy(&l.regs[0x350], &reg, 4);
	memcpy(&reg, &l.regs[0x360], 4);
	reg = (reg & ~0x700u & ~(1u << 16)) | (4u << 8);
	memcpy(&l.regs[0x360], &reg, 4);
	if (ioctl(v->fd, KVM_SET_LAPIC, &l) < 0)
		return -errno;
	return 0;
}

static void seg(struct kvm_segment *s, uint16_t sel, uint8_t type, uint8_t dpl, bool code64,
		bool db)
{
	memset(s, 0, sizeof(*s));
	s->selector = sel;
	s->base = 0;
	s->limit = 0xffffffff;
	s->type = type;
	s->present = 1;
	s->dpl = dpl;
	s->s = 1;
	s->l = code64;
	s->db = db;
	s->g = 1;
}

static int set_boot_state(struct vcpu *v, const struct x86_boot_state *st)
{
	struct kvm_sregs sr;
	struct kvm_regs regs = {0};
	uint8_t dpl = st->mode == X86_BOOT_USER64 ? 3 : 0;

	if (ioctl(v->fd, KVM_GET_SREGS, &sr) < 0)
		return -errno;
	seg(&sr.cs, st->cs_sel, 0xb, dpl, st->mode != X86_BOOT_PROT32, st->mode == X86_BOOT_PROT32);
	seg(&sr.ds, st->ds_sel, 0x3, dpl, false, true);
	sr.es = sr.fs = sr.gs = sr.ss = sr.ds;
	memset(&sr.tr, 0, sizeof(sr.tr));
	sr.tr.selector = st->tss_sel;
	sr.tr.base = st->tss_base;
	sr.tr.limit = st->tss_sel ? st->tss_limit : 0xffff;
	sr.tr.type = 0xb; /* busy TSS (64-bit in long mode, 32-bit otherwise) */
	sr.tr.present = 1;
	memset(&sr.ldt, 0, sizeof(sr.ldt));
	sr.ldt.type = 0x2;
	sr.ldt.present = 1;
	sr.ldt.unusable = 1;
	sr.gdt.base = st->gdt_base;
	sr.gdt.limit = st->gdt_limit;
	sr.idt.base = st->idt_base;
	sr.idt.limit = st->idt_limit;
	switch (st->mode) {
	case X86_BOOT_PROT32:
		sr.cr0 = CR0_PE | CR0_ET;
		sr.cr3 = 0;
		sr.cr4 = 0;
		sr.efer = 0;
		break;
	case X86_BOOT_LONG64:
		sr.cr0 = CR0_PE | CR0_PG | CR0_ET;
		sr.cr3 = st->cr3;
		sr.cr4 = CR4_PAE;
		sr.efer = EFER_LME | EFER_LMA;
		break;
	case X86_BOOT_USER64:
		sr.cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_PG;
		sr.cr3 = st->cr3;
		sr.cr4 = CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT;
		sr.efer = EFER_LME | EFER_LMA | EFER_SCE;
		break;
	default:
		return -EINVAL;
	}
	if (ioctl(v->fd, KVM_SET_SREGS, &sr) < 0)
		return -errno;
	regs.rip = st->rip;
	regs.rsp = st->rsp;
	regs.rsi = st->rsi;
	regs.rbx = st->rbx;
	regs.rflags = st->rflags ? st->rflags | 2 : 2;
	if (st->mode == X86_BOOT_USER64)
		regs.rdx = v->vm->ncpus; /* CPL3 test-guest convention (guest/cpl3/README.md) */
	if (ioctl(v->fd, KVM_SET_REGS, &regs) < 0)
		return -errno;
	return 0;
}

static int vcpu_create(struct vm *vm, unsigned id, const struct x86_boot_state *st, char *err,
		       size_t errlen)
{
	struct vcpu *v = calloc(1, sizeof(*v));
	struct kvm_cpuid2 *cpuid;
	const char *what;
	int r;

	if (!v)
		return -ENOMEM;
	v->vm = vm;
	v->id = id;
	v->fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, (unsigned long)id);
	vm->vcpu[id] = v;
	if (v->fd < 0) {
		v->run = NULL;
		r = -errno;
		what = "KVM_CREATE_VCPU";
		goto fail;
	}
	v->run =
	    mmap(NULL, (size_t)vm->vcpu_mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED, v->fd, 0);
	if (v->run == MAP_FAILED) {
		v->run = NULL;
		r = -errno;
		what = "mmap of kvm_run";
		goto fail;
	}
	cpuid = vcpu_build_cpuid(vm->supported_cpuid, id, vm->ncpus);
	if (!cpuid) {
		r = -ENOMEM;
		what = "CPUID table";
		goto fail;
	}
	r = ioctl(v->fd, KVM_SET_CPUID2, cpuid) < 0 ? -errno : 0;
	free(cpuid);
	what = "KVM_SET_CPUID2";
	if (r)
		goto fail;
	what = "KVM_SET_MSRS";
	if ((r = set_msrs(v)))
		goto fail;
	what = "KVM_SET_FPU";
	if ((r = set_fpu(v)))
		goto fail;
	what = "KVM_SET_LAPIC";
	if ((r = set_lapic(v)))
		goto fail;
	if (id == 0) {
		what = "boot state (KVM_SET_SREGS/KVM_SET_REGS)";
		if ((r = set_boot_state(v, st)))
			goto fail;
	} else {
		struct kvm_mp_state mp = {.mp_state = KVM_MP_STATE_UNINITIALIZED};

		what = "KVM_SET_MP_STATE";
		if (ioctl(v->fd, KVM_SET_MP_STATE, &mp) < 0) {
			r = -errno;
			goto fail;
		}
	}
	return 0;
fail:
	snprintf(err, errlen, "vCPU %u: %s: %s", id, what, strerror(-r));
	return r;
}

int vcpu_create_all(struct vm *vm, const struct x86_boot_state *st, char *err, size_t errlen)
{
	for (unsigned i = 0; i < vm->ncpus; i++) {
		int r = vcpu_create(vm, i, st, err, errlen);

		if (r)
			return r;
	}
	return 0;
}

static void kick_handler(int sig)
{
	(void)sig;
}

static const char *system_event_name(uint32_t type)
{
	switch (type) {
	case KVM_SYSTEM_EVENT_SHUTDOWN:
		return "shutdown";
	case KVM_SYSTEM_EVENT_RESET:
		return "reset";
	case KVM_SYSTEM_EVENT_CRASH:
		return "crash";
	default:
		return "unknown";
	}
}

static void handle_io(struct vcpu *v)
{
	struct kvm_run *run = v->run;
	uint8_t *data = (uint8_t *)run + run->io.data_offset;
	bool write = run->io.direction == KVM_EXIT_IO_OUT;
	uint32_t size = run->io.size;

	/* KVM validated data_offset/size/count against its own page; a string I/O (rep outs) has
	 * count elements of size bytes */
	if ((uint64_t)run->io.data_offset + (uint64_t)size * run->io.count >
	    (uint64_t)v->vm->vcpu_mmap_size)
		return;
	for (uint32_t i = 0; i < run->io.count; i++)
		io_bus_access(&v->vm->pio, run->io.port, data + (size_t)i * size, size, write);
}

/* Returns false when the vCPU must stop. */
static bool handle_exit(struct vcpu *v)
{
	struct kvm_run *run = v->run;
	struct vm *vm = v->vm;

	switch (run->exit_reason) {
	case KVM_EXIT_IO:
		handle_io(v);
		return true;
	case KVM_EXIT_MMIO:
		if (run->mmio.len <= 8)
			io_bus_access(&vm->mmio, run->mmio.phys_addr, run->mmio.data, run->mmio.len,
				      run->mmio.is_write);
		return true;
	case KVM_EXIT_HLT:
		/* only without an in-kernel LAPIC; re-entering waits as the CPU would */
		return true;
	case KVM_EXIT_INTR:
		return true;
	case KVM_EXIT_SHUTDOWN:
		vm_request_exit(vm, VM_EXIT_TRIPLE_FAULT, "triple fault on vCPU %u", v->id);
		return false;
	case KVM_EXIT_SYSTEM_EVENT:
		vm_request_exit(
		    vm,
		    run->system_event.type == KVM_SYSTEM_EVENT_CRASH ? VM_EXIT_GUEST_PANIC
		    : run->system_event.type == KVM_SYSTEM_EVENT_RESET ||
			    run->system_event.type == KVM_SYSTEM_EVENT_SHUTDOWN
			? VM_EXIT_GUEST_END
			: VM_EXIT_KVM_ERROR,
		    "system event %s (%u) on vCPU %u", system_event_name(run->system_event.type),
		    run->system_event.type, v->id);
		return false;
	case KVM_EXIT_INTERNAL_ERROR:
		vm_request_exit(
		    vm, VM_EXIT_KVM_ERROR,
		    "KVM internal error on vCPU %u: suberror %u (ndata %u, data[0] 0x%llx)", v->id,
		    run->internal.suberror, run->internal.ndata,
		    run->internal.ndata ? (unsigned long long)run->internal.data[0] : 0ULL);
		return false;
	case KVM_EXIT_FAIL_ENTRY:
		vm_request_exit(vm, VM_EXIT_KVM_ERROR,
				"KVM entry failed on vCPU %u: hardware reason 0x%llx (cpu %u)",
				v->id,
				(unsigned long long)run->fail_entry.hardware_entry_failure_reason,
				run->fail_entry.cpu);
		return false;
	default:
		vm_request_exit(vm, VM_EXIT_KVM_ERROR, "unhandled KVM exit reason %u on vCPU %u",
				run->exit_reason, v->id);
		return false;
	}
}

/* Exit counts per kind and port/MMIO address, kept only when debug logging is on
 * (BULWARK_LOG=debug) and logged when the vCPU stops, most frequent first: where a guest's boot
 * time goes. */
#define EXIT_STATS_SLOTS 256

enum {
	EXIT_KIND_PIO_IN = 1,
	EXIT_KIND_PIO_OUT,
	EXIT_KIND_MMIO_READ,
	EXIT_KIND_MMIO_WRITE,
	EXIT_KIND_OTHER
};

struct vcpu_exit_stats {
	struct {
		uint64_t
		    key; /* kind << 56 | address (or exit reason for EXIT_KIND_OTHER); 0: free */
		uint64_t count;
	} slot[EXIT_STATS_SLOTS];
	uint64_t overflow; /* exits whose key found no free slot */
};

static void exit_stats_count(struct vcpu_exit_stats *st, unsigned kind, uint64_t addr)
{
	uint64_t key = (uint64_t)kind << 56 | (addr & ((1ULL << 56) - 1));
	unsigned h = (unsigned)((key * 0x9e3779b97f4a7c15ULL) >> 56);

	for (unsigned i = 0; i < EXIT_STATS_SLOTS; i++) {
		unsigned s = (h + i) % EXIT_STATS_SLOTS;

		if (st->slot[s].key == key || !st->slot[s].key) {
			st->slot[s].key = key;
			st->slot[s].count++;
			return;
		}
	}
	st->overflow++;
}

static void exit_stats_record(struct vcpu *v)
{
	struct kvm_run *run = v->run;

	if (!v->stats)
		return;
	switch (run->exit_reason) {
	case KVM_EXIT_IO:
		exit_stats_count(v->stats,
				 run->io.direction == KVM_EXIT_IO_OUT ? EXIT_KIND_PIO_OUT
								      : EXIT_KIND_PIO_IN,
				 run->io.port);
		break;
	case KVM_EXIT_MMIO:
		exit_stats_count(v->stats,
				 run->mmio.is_write ? EXIT_KIND_MMIO_WRITE : EXIT_KIND_MMIO_READ,
				 run->mmio.phys_addr);
		break;
	default:
		exit_stats_count(v->stats, EXIT_KIND_OTHER, run->exit_reason);
		break;
	}
}

static void exit_stats_log(struct vcpu *v)
{
	static const char *const kind_name[] = {"",	     "pio in",	   "pio out",
						"mmio read", "mmio write", "exit reason"};
	struct vcpu_exit_stats *st = v->stats;

	if (!st)
		return;
	for (unsigned n = 0; n < 24; n++) {
		unsigned best = EXIT_STATS_SLOTS;

		for (unsigned i = 0; i < EXIT_STATS_SLOTS; i++)
			if (st->slot[i].count &&
			    (best == EXIT_STATS_SLOTS || st->slot[i].count > st->slot[best].count))
				best = i;
		if (best == EXIT_STATS_SLOTS)
			break;
		bw_debug("vCPU %u exits: %-11s 0x%llx: %llu", v->id,
			 kind_name[st->slot[best].key >> 56],
			 (unsigned long long)(st->slot[best].key & ((1ULL << 56) - 1)),
			 (unsigned long long)st->slot[best].count);
		st->slot[best].count = 0;
	}
	if (st->overflow)
		bw_debug("vCPU %u exits: %llu more at other addresses", v->id,
			 (unsigned long long)st->overflow);
}

static void *vcpu_thread(void *arg)
{
	struct vcpu *v = arg;
	struct vm *vm = v->vm;
	sigset_t set;
	char name[16];

	snprintf(name, sizeof(name), "vcpu%u", v->id);
	pthread_setname_np(pthread_self(), name);
	sigemptyset(&set);
	sigaddset(&set, VCPU_KICK_SIGNAL);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	if (bw_log_get_level() >= BW_LOG_DEBUG && !v->stats)
		v->stats = calloc(1, sizeof(*v->stats));
	while (!__atomic_load_n(&vm->exiting, __ATOMIC_SEQ_CST)) {
		if (ioctl(v->fd, KVM_RUN, 0) < 0) {
			if (errno == EINTR || errno == EAGAIN) {
				__atomic_store_n(&v->run->immediate_exit, 0, __ATOMIC_SEQ_CST);
				continue;
			}
			vm_request_exit(vm, VM_EXIT_KVM_ERROR, "KVM_RUN on vCPU %u: %s", v->id,
					strerror(errno));
			break;
		}
		v->n_exits++;
		exit_stats_record(v);
		if (!handle_exit(v))
			break;
	}
	bw_debug("vCPU %u stopped after %llu exits", v->id, (unsigned long long)v->n_exits);
	exit_stats_log(v);
	return NULL;
}

int vcpu_start_all(struct vm *vm, char *err, size_t errlen)
{
	struct sigaction sa = {.sa_handler = kick_handler};
	sigset_t set;

	sigemptyset(&sa.sa_mask);
	if (sigaction(VCPU_KICK_SIGNAL, &sa, NULL) < 0) {
		snprintf(err, errlen, "sigaction: %s", strerror(errno));
		return -errno;
	}
	/* the kick signal is unblocked only in vCPU threads */
	sigemptyset(&set);
	sigaddset(&set, VCPU_KICK_SIGNAL);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	for (unsigned i = 0; i < vm->ncpus; i++) {
		struct vcpu *v = vm->vcpu[i];
		int r = pthread_create(&v->thread, NULL, vcpu_thread, v);

		if (r) {
			snprintf(err, errlen, "vCPU %u thread: %s", i, strerror(r));
			return -r;
		}
		v->started = true;
	}
	return 0;
}

void vcpu_kick_all(struct vm *vm)
{
	for (unsigned i = 0; i < vm->ncpus; i++) {
		struct vcpu *v = vm->vcpu[i];

		if (!v || !v->run)
			continue;
		__atomic_store_n(&v->run->immediate_exit, 1, __ATOMIC_SEQ_CST);
		if (v->started)
			pthread_kill(v->thread, VCPU_KICK_SIGNAL);
	}
}

void vcpu_join_all(struct vm *vm)
{
	vcpu_kick_all(vm);
	for (unsigned i = 0; i < vm->ncpus; i++) {
		struct vcpu *v = vm->vcpu[i];

		if (v && v->started) {
			pthread_join(v->thread, NULL);
			v->started = false;
		}
	}
}

void vcpu_destroy(struct vcpu *v)
{
	if (v->run)
		munmap(v->run, (size_t)v->vm->vcpu_mmap_size);
	if (v->fd >= 0)
		close(v->fd);
	free(v->stats);
	free(v);
}
