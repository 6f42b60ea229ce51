/* vm.c: the KVM virtual machine and the device-host operations backed by KVM (see vm.h). */
#include "vmm/vm.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "common/log.h"
#include "vmm/vcpu.h"

#define KVM_PATH "/dev/kvm"

static int check_cap(struct vm *vm, long cap, const char *name, char *err, size_t errlen)
{
	int r = ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, cap);

	if (r <= 0) {
		snprintf(err, errlen, "%s: KVM lacks capability %s, which bulwark needs", KVM_PATH,
			 name);
		return -ENOTSUP;
	}
	return r;
}

/* Writes the whole routing table to KVM. Called with routing_lock held. */
static int routing_commit(struct vm *vm)
{
	size_t sz = sizeof(struct kvm_irq_routing) + vm->n_routes * sizeof(*vm->routes);
	struct kvm_irq_routing *r = calloc(1, sz);
	int ret = 0;

	if (!r)
		return -ENOMEM;
	r->nr = vm->n_routes;
	memcpy(r->entries, vm->routes, vm->n_routes * sizeof(*vm->routes));
	if (ioctl(vm->vm_fd, KVM_SET_GSI_ROUTING, r) < 0)
		ret = -errno;
	free(r);
	return ret;
}

static int route_add(struct vm *vm, const struct kvm_irq_routing_entry *e)
{
	if (vm->n_routes == vm->cap_routes) {
		unsigned cap = vm->cap_routes ? 2 * vm->cap_routes : 64;
		struct kvm_irq_routing_entry *n = realloc(vm->routes, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		vm->routes = n;
		vm->cap_routes = cap;
	}
	vm->routes[vm->n_routes++] = *e;
	return 0;
}

/* The routes KVM installs by default with KVM_CREATE_IRQCHIP: GSI 0-15 to the PICs and the
 * IOAPIC, 16-23 to the IOAPIC. KVM_SET_GSI_ROUTING replaces the table, so they are kept. */
static int routing_init(struct vm *vm)
{
	for (uint32_t gsi = 0; gsi < VM_MSI_GSI_BASE; gsi++) {
		struct kvm_irq_routing_entry e = {.gsi = gsi, .type = KVM_IRQ_ROUTING_IRQCHIP};
		int r;

		if (gsi < 16) {
			e.u.irqchip.irqchip =
			    gsi < 8 ? KVM_IRQCHIP_PIC_MASTER : KVM_IRQCHIP_PIC_SLAVE;
			e.u.irqchip.pin = gsi % 8;
			if ((r = route_add(vm, &e)))
				return r;
		}
		e.u.irqchip.irqchip = KVM_IRQCHIP_IOAPIC;
		e.u.irqchip.pin = gsi;
		if ((r = route_add(vm, &e)))
			return r;
		vm->gsi_used[gsi / 8] |= 1u << (gsi % 8);
	}
	return routing_commit(vm);
}

static int vm_irq_line(void *ctx, uint32_t gsi, bool level)
{
	struct vm *vm = ctx;
	struct kvm_irq_level l = {.irq = gsi, .level = level};

	if (gsi >= VM_MSI_GSI_BASE)
		return -EINVAL;
	return ioctl(vm->vm_fd, KVM_IRQ_LINE, &l) < 0 ? -errno : 0;
}

static int vm_signal_msi(void *ctx, uint64_t addr, uint32_t data)
{
	struct vm *vm = ctx;
	struct kvm_msi msi = {
	    .address_lo = (uint32_t)addr, .address_hi = (uint32_t)(addr >> 32), .data = data};

	/* returns 0 when the interrupt was blocked (masked at the LAPIC): not an error */
	return ioctl(vm->vm_fd, KVM_SIGNAL_MSI, &msi) < 0 ? -errno : 0;
}

static void msi_entry(struct kvm_irq_routing_entry *e, uint32_t gsi, uint64_t addr, uint32_t data)
{
	memset(e, 0, sizeof(*e));
	e->gsi = gsi;
	e->type = KVM_IRQ_ROUTING_MSI;
	e->u.msi.address_lo = (uint32_t)addr;
	e->u.msi.address_hi = (uint32_t)(addr >> 32);
	e->u.msi.data = data;
}

static int find_route(struct vm *vm, uint32_t gsi)
{
	for (unsigned i = 0; i < vm->n_routes; i++)
		if (vm->routes[i].gsi == gsi && vm->routes[i].type == KVM_IRQ_ROUTING_MSI)
			return (int)i;
	return -1;
}

static int vm_msi_irqfd_bind(void *ctx, int fd, uint64_t addr, uint32_t data)
{
	struct vm *vm = ctx;
	struct kvm_irq_routing_entry e;
	struct kvm_irqfd irqfd = {.fd = (uint32_t)fd};
	uint32_t gsi;
	int r;

	pthread_mutex_lock(&vm->routing_lock);
	for (gsi = VM_MSI_GSI_BASE; gsi < VM_MAX_GSI; gsi++)
		if (!(vm->gsi_used[gsi / 8] & (1u << (gsi % 8))))
			break;
	if (gsi == VM_MAX_GSI) {
		r = -ENOSPC;
		goto out;
	}
	msi_entry(&e, gsi, addr, data);
	if ((r = route_add(vm, &e)))
		goto out;
	if ((r = routing_commit(vm))) {
		vm->n_routes--;
		goto out;
	}
	irqfd.gsi = gsi;
	if (ioctl(vm->vm_fd, KVM_IRQFD, &irqfd) < 0) {
		r = -errno;
		vm->n_routes--;
		routing_commit(vm);
		goto out;
	}
	vm->gsi_used[gsi / 8] |= 1u << (gsi % 8);
	r = (int)gsi;
out:
	pthread_mutex_unlock(&vm->routing_lock);
	return r;
}

static int vm_msi_irqfd_update(void *ctx, int route, uint64_t addr, uint32_t data)
{
	struct vm *vm = ctx;
	int i, r;

	pthread_mutex_lock(&vm->routing_lock);
	i = route >= VM_MSI_GSI_BASE ? find_route(vm, (uint32_t)route) : -1;
	if (i < 0) {
		r = -ENOENT;
	} else {
		msi_entry(&vm->routes[i], (uint32_t)route, addr, data);
		r = routing_commit(vm);
	}
	pthread_mutex_unlock(&vm->routing_lock);
	return r;
}

static int vm_msi_irqfd_unbind(void *ctx, int route, int fd)
{
	struct vm *vm = ctx;
	struct kvm_irqfd irqfd = {
	    .fd = (uint32_t)fd, .gsi = (uint32_t)route, .flags = KVM_IRQFD_FLAG_DEASSIGN};
	int i, r = 0;

	pthread_mutex_lock(&vm->routing_lock);
	i = route >= VM_MSI_GSI_BASE ? find_route(vm, (uint32_t)route) : -1;
	if (i < 0) {
		r = -ENOENT;
		goto out;
	}
	if (ioctl(vm->vm_fd, KVM_IRQFD, &irqfd) < 0)
		r = -errno;
	vm->routes[i] = vm->routes[--vm->n_routes];
	vm->gsi_used[route / 8] &= ~(1u << (route % 8));
	if (!r)
		r = routing_commit(vm);
out:
	pthread_mutex_unlock(&vm->routing_lock);
	return r;
}

static int ioeventfd(struct vm *vm, uint64_t addr, uint32_t len, bool pio, int fd, bool has_match,
		     uint64_t match, bool deassign)
{
	struct kvm_ioeventfd io = {.datamatch = match, .addr = addr, .len = len, .fd = fd};

	if (pio)
		io.flags |= KVM_IOEVENTFD_FLAG_PIO;
	if (has_match)
		io.flags |= KVM_IOEVENTFD_FLAG_DATAMATCH;
	if (deassign)
		io.flags |= KVM_IOEVENTFD_FLAG_DEASSIGN;
	return ioctl(vm->vm_fd, KVM_IOEVENTFD, &io) < 0 ? -errno : 0;
}

static int vm_ioeventfd_add(void *ctx, uint64_t addr, uint32_t len, bool pio, int fd,
			    bool has_match, uint64_t match)
{
	return ioeventfd(ctx, addr, len, pio, fd, has_match, match, false);
}

static int vm_ioeventfd_del(void *ctx, uint64_t addr, uint32_t len, bool pio, int fd,
			    bool has_match, uint64_t match)
{
	return ioeventfd(ctx, addr, len, pio, fd, has_match, match, true);
}

static void vm_host_request_exit(void *ctx, int status, const char *why)
{
	vm_request_exit(ctx, status, "%s", why);
}

const struct dev_host_ops vm_dev_host_ops = {
    .irq_line = vm_irq_line,
    .signal_msi = vm_signal_msi,
    .msi_irqfd_bind = vm_msi_irqfd_bind,
    .msi_irqfd_update = vm_msi_irqfd_update,
    .msi_irqfd_unbind = vm_msi_irqfd_unbind,
    .ioeventfd_add = vm_ioeventfd_add,
    .ioeventfd_del = vm_ioeventfd_del,
    .request_exit = vm_host_request_exit,
};

void vm_request_exit(struct vm *vm, int status, const char *fmt, ...)
{
	char why[sizeof(vm->exit_why)];
	bool first;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&vm->exit_lock);
	first = !vm->exiting;
	if (first) {
		vm->exit_status = status;
		snprintf(vm->exit_why, sizeof(vm->exit_why), "%s", why);
		__atomic_store_n(&vm->exiting, true, __ATOMIC_SEQ_CST);
	}
	pthread_mutex_unlock(&vm->exit_lock);
	if (!first) {
		bw_debug("exit request after the first one ignored: %s (status %d)", why, status);
		return;
	}
	vcpu_kick_all(vm);
	if (vm->exit_efd >= 0) {
		uint64_t one = 1;

		if (write(vm->exit_efd, &one, sizeof(one)) < 0)
			bw_debug("exit eventfd: %s", strerror(errno));
	}
}

static int set_memslots(struct vm *vm, char *err, size_t errlen)
{
	for (unsigned i = 0; i < vm->mem.n_regions; i++) {
		struct guest_mem_region *r = &vm->mem.region[i];
		struct kvm_userspace_memory_region s = {
		    .slot = i,
		    .guest_phys_addr = r->gpa,
		    .memory_size = r->size,
		    .userspace_addr = (uint64_t)(uintptr_t)r->host,
		};

		if (ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &s) < 0) {
			int e = errno;

			snprintf(err, errlen,
				 "KVM_SET_USER_MEMORY_REGION (slot %u, 0x%llx bytes at 0x%llx): %s",
				 i, (unsigned long long)r->size, (unsigned long long)r->gpa,
				 strerror(e));
			return -e;
		}
	}
	return 0;
}

int vm_create(struct vm *vm, uint64_t mem_bytes, unsigned ncpus, char *err, size_t errlen)
{
	struct kvm_pit_config pit = {.flags = KVM_PIT_SPEAKER_DUMMY};
	int r, max;

	memset(vm, 0, sizeof(*vm));
	vm->kvm_fd = vm->vm_fd = vm->exit_efd = -1;
	pthread_mutex_init(&vm->routing_lock, NULL);
	pthread_mutex_init(&vm->exit_lock, NULL);
	io_bus_init(&vm->pio, "pio");
	io_bus_init(&vm->mmio, "mmio");
	vm->host = (struct dev_host){.mem = &vm->mem,
				     .pio = &vm->pio,
				     .mmio = &vm->mmio,
				     .ops = &vm_dev_host_ops,
				     .ctx = vm};
	vm->ncpus = ncpus;

	vm->kvm_fd = open(KVM_PATH, O_RDWR | O_CLOEXEC);
	if (vm->kvm_fd < 0) {
		r = -errno;
		snprintf(err, errlen,
			 "%s: %s (KVM is not available here: load kvm-intel or kvm-amd, check "
			 "that the CPU has VT-x/AMD-V enabled, and that you may open %s)",
			 KVM_PATH, strerror(-r), KVM_PATH);
		return r;
	}
	r = ioctl(vm->kvm_fd, KVM_GET_API_VERSION, 0);
	if (r != KVM_API_VERSION) {
		snprintf(err, errlen, "%s: KVM API version %d, bulwark needs %d", KVM_PATH, r,
			 KVM_API_VERSION);
		return -ENOTSUP;
	}
	if ((r = check_cap(vm, KVM_CAP_IRQCHIP, "IRQCHIP", err, errlen)) < 0 ||
	    (r = check_cap(vm, KVM_CAP_PIT2, "PIT2", err, errlen)) < 0 ||
	    (r = check_cap(vm, KVM_CAP_IRQ_ROUTING, "IRQ_ROUTING", err, errlen)) < 0 ||
	    (r = check_cap(vm, KVM_CAP_IRQFD, "IRQFD", err, errlen)) < 0 ||
	    (r = check_cap(vm, KVM_CAP_IOEVENTFD, "IOEVENTFD", err, errlen)) < 0 ||
	    (r = check_cap(vm, KVM_CAP_SIGNAL_MSI, "SIGNAL_MSI", err, errlen)) < 0 ||
	    (r = check_cap(vm, KVM_CAP_IMMEDIATE_EXIT, "IMMEDIATE_EXIT", err, errlen)) < 0 ||
	    (r = check_cap(vm, KVM_CAP_EXT_CPUID, "EXT_CPUID", err, errlen)) < 0 ||
	    (r = check_cap(vm, KVM_CAP_USER_MEMORY, "USER_MEMORY", err, errlen)) < 0)
		return r;
	max = ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_MAX_VCPUS);
	if (max <= 0)
		max = ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_NR_VCPUS);
	if (max <= 0)
		max = 4;
	if (ncpus > (unsigned)max || ncpus > VM_MAX_VCPUS) {
		snprintf(err, errlen, "--cpus %u: this KVM allows at most %d vCPUs per VM", ncpus,
			 max < VM_MAX_VCPUS ? max : VM_MAX_VCPUS);
		return -EINVAL;
	}
	vm->vcpu_mmap_size = ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (vm->vcpu_mmap_size < (int)sizeof(struct kvm_run)) {
		snprintf(err, errlen, "%s: KVM_GET_VCPU_MMAP_SIZE: %s", KVM_PATH, strerror(errno));
		return -ENOTSUP;
	}
	if ((r = vcpu_get_supported_cpuid(vm, err, errlen)))
		return r;

	vm->vm_fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, 0);
	if (vm->vm_fd < 0) {
		r = -errno;
		snprintf(err, errlen, "KVM_CREATE_VM: %s", strerror(-r));
		return r;
	}
	/* Intel needs these for real mode; AMD refuses nothing; other back ends may not know them
	 */
	if (ioctl(vm->vm_fd, KVM_SET_TSS_ADDR, (unsigned long)VM_TSS_ADDR) < 0)
		bw_debug("KVM_SET_TSS_ADDR: %s", strerror(errno));
	{
		uint64_t idmap = VM_IDENTITY_MAP_ADDR;

		if (ioctl(vm->vm_fd, KVM_SET_IDENTITY_MAP_ADDR, &idmap) < 0)
			bw_debug("KVM_SET_IDENTITY_MAP_ADDR: %s", strerror(errno));
	}
	if (ioctl(vm->vm_fd, KVM_CREATE_IRQCHIP, 0) < 0) {
		r = -errno;
		snprintf(err, errlen, "KVM_CREATE_IRQCHIP: %s", strerror(-r));
		return r;
	}
	if (ioctl(vm->vm_fd, KVM_CREATE_PIT2, &pit) < 0) {
		r = -errno;
		snprintf(err, errlen, "KVM_CREATE_PIT2: %s", strerror(-r));
		return r;
	}
	if ((r = routing_init(vm))) {
		snprintf(err, errlen, "KVM_SET_GSI_ROUTING: %s", strerror(-r));
		return r;
	}
	if ((r = guest_mem_init(&vm->mem, mem_bytes))) {
		snprintf(err, errlen, "guest RAM of %llu MiB: %s",
			 (unsigned long long)(mem_bytes >> 20), strerror(-r));
		return r;
	}
	if ((r = set_memslots(vm, err, errlen)))
		return r;
	vm->exit_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (vm->exit_efd < 0) {
		r = -errno;
		snprintf(err, errlen, "eventfd: %s", strerror(-r));
		return r;
	}
	return 0;
}

void vm_destroy(struct vm *vm)
{
	for (unsigned i = 0; i < VM_MAX_VCPUS; i++)
		if (vm->vcpu[i]) {
			vcpu_destroy(vm->vcpu[i]);
			vm->vcpu[i] = NULL;
		}
	if (vm->vm_fd >= 0)
		close(vm->vm_fd);
	if (vm->kvm_fd >= 0)
		close(vm->kvm_fd);
	if (vm->exit_efd >= 0)
		close(vm->exit_efd);
	vm->vm_fd = vm->kvm_fd = vm->exit_efd = -1;
	guest_mem_destroy(&vm->mem);
	io_bus_destroy(&vm->pio);
	io_bus_destroy(&vm->mmio);
	free(vm->routes);
	free(vm->supported_cpuid);
	vm->routes = NULL;
	vm->supported_cpuid = NULL;
	pthread_mutex_destroy(&vm->routing_lock);
	pthread_mutex_destroy(&vm->exit_lock);
}
