/* sandbox.c: see sandbox.h. The filter is built with libseccomp and the capability drop is done
 * with libcap-ng (Debian's libseccomp2 and libcap-ng0). */
#include "sandbox/sandbox.h"

#include <cap-ng.h>
#include <errno.h>
#include <linux/kvm.h>
#include <linux/if_tun.h>
#include <sched.h>
#include <seccomp.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <termios.h>

static int fail(char *err, size_t errlen, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int fail(char *err, size_t errlen, int code, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return code;
}

int sandbox_drop_capabilities(char *err, size_t errlen)
{
	capng_clear(CAPNG_SELECT_ALL);
	if (capng_apply(CAPNG_SELECT_ALL) < 0) {
		/* The bounding set needs CAP_SETPCAP; without it, the other sets are still cleared.
		 */
		capng_clear(CAPNG_SELECT_BOTH);
		if (capng_apply(CAPNG_SELECT_BOTH) < 0)
			return fail(err, errlen, -EPERM, "cannot drop capabilities");
	}
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		return fail(err, errlen, -errno, "cannot clear ambient capabilities: %s",
			    strerror(errno));
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return fail(err, errlen, -errno, "cannot set no_new_privs: %s", strerror(errno));
	return 0;
}

/* System calls allowed without conditions. */
static const int allowed_syscalls[] = {
    SCMP_SYS(read),
    SCMP_SYS(write),
    SCMP_SYS(readv),
    SCMP_SYS(writev),
    SCMP_SYS(pread64),
    SCMP_SYS(pwrite64),
    SCMP_SYS(preadv),
    SCMP_SYS(pwritev),
    SCMP_SYS(preadv2),
    SCMP_SYS(pwritev2),
    SCMP_SYS(lseek),
    SCMP_SYS(close),
    SCMP_SYS(fsync),
    SCMP_SYS(fdatasync),
    SCMP_SYS(fstat),
    SCMP_SYS(newfstatat),
    SCMP_SYS(fcntl),
    SCMP_SYS(poll),
    SCMP_SYS(ppoll),
    SCMP_SYS(epoll_wait),
    SCMP_SYS(epoll_pwait),
    SCMP_SYS(epoll_pwait2),
    SCMP_SYS(epoll_ctl),
    SCMP_SYS(futex),
    SCMP_SYS(rt_sigreturn),
    SCMP_SYS(rt_sigprocmask),
    SCMP_SYS(rt_sigaction),
    SCMP_SYS(rt_sigtimedwait),
    SCMP_SYS(sigaltstack),
    SCMP_SYS(tgkill),
    SCMP_SYS(tkill),
    SCMP_SYS(getpid),
    SCMP_SYS(gettid),
    SCMP_SYS(exit),
    SCMP_SYS(exit_group),
    SCMP_SYS(brk),
    SCMP_SYS(munmap),
    SCMP_SYS(mremap),
    SCMP_SYS(madvise),
    SCMP_SYS(clock_gettime),
    SCMP_SYS(clock_nanosleep),
    SCMP_SYS(nanosleep),
    SCMP_SYS(gettimeofday),
    SCMP_SYS(sched_yield),
    SCMP_SYS(sched_getaffinity),
    SCMP_SYS(getrandom),
    SCMP_SYS(restart_syscall),
    SCMP_SYS(rseq),
    SCMP_SYS(set_robust_list),
    SCMP_SYS(timerfd_settime),
    SCMP_SYS(timerfd_gettime),
    SCMP_SYS(eventfd2),
    SCMP_SYS(flock),
    SCMP_SYS(ftruncate),
    SCMP_SYS(membarrier),
    SCMP_SYS(prctl),
};

/* The ioctls of the run loop: vCPU, interrupts, doorbells, tap offloads, the terminal. */
static const unsigned long allowed_ioctls[] = {
    KVM_RUN,
    KVM_IRQFD,
    KVM_IOEVENTFD,
    KVM_SIGNAL_MSI,
    KVM_SET_GSI_ROUTING,
    KVM_IRQ_LINE,
    KVM_IRQ_LINE_STATUS,
    KVM_GET_REGS,
    KVM_GET_SREGS,
    KVM_SET_REGS,
    KVM_GET_MP_STATE,
    KVM_SET_MP_STATE,
    KVM_SET_SIGNAL_MASK,
    KVM_GET_VCPU_EVENTS,
    TUNSETOFFLOAD,
    TUNSETVNETHDRSZ,
    TUNSETQUEUE, /* virtio-net multiqueue: VQ_PAIRS_SET attaches/detaches tap queues */
    FIONBIO,
    FIONREAD,
    TCGETS,
    TCSETS,
    TCSETSW,
    TIOCGWINSZ,
};

int sandbox_install_seccomp(const struct sandbox_opts *opts, char *err, size_t errlen)
{
	uint32_t deny;
	scmp_filter_ctx ctx;
	int r = 0;

	switch (opts ? opts->on_violation : SANDBOX_KILL) {
	case SANDBOX_ERRNO:
		deny = SCMP_ACT_ERRNO(EPERM);
		break;
	case SANDBOX_LOG:
		deny = SCMP_ACT_LOG;
		break;
	default:
		deny = SCMP_ACT_KILL_PROCESS;
		break;
	}
	ctx = seccomp_init(deny);
	if (!ctx)
		return fail(err, errlen, -ENOMEM, "seccomp_init failed");
#define ADD(action, nr, ...)                                                \
	do {                                                                \
		if (!r)                                                     \
			r = seccomp_rule_add(ctx, action, nr, __VA_ARGS__); \
	} while (0)
	for (size_t i = 0; i < sizeof(allowed_syscalls) / sizeof(allowed_syscalls[0]); i++)
		ADD(SCMP_ACT_ALLOW, allowed_syscalls[i], 0);
	for (size_t i = 0; i < sizeof(allowed_ioctls) / sizeof(allowed_ioctls[0]); i++)
		ADD(SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1, SCMP_A1(SCMP_CMP_EQ, allowed_ioctls[i]));
	for (const unsigned long *x = opts ? opts->extra_ioctls : NULL; x && *x; x++)
		ADD(SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1, SCMP_A1(SCMP_CMP_EQ, *x));
	/* Memory may be writable or executable, never both (W^X, as the JIT needs). */
	{
		static const int safe_prot[] = {0, PROT_WRITE, PROT_EXEC};

		for (size_t i = 0; i < 3; i++) {
			ADD(SCMP_ACT_ALLOW, SCMP_SYS(mmap), 1,
			    SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_WRITE | PROT_EXEC, safe_prot[i]));
			ADD(SCMP_ACT_ALLOW, SCMP_SYS(mprotect), 1,
			    SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_WRITE | PROT_EXEC, safe_prot[i]));
		}
	}
	/* Threads only: clone with CLONE_THREAD; clone3 hides its flags in memory, so it fails
	 * with ENOSYS and glibc falls back to clone. */
	ADD(SCMP_ACT_ALLOW, SCMP_SYS(clone), 1,
	    SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_THREAD, CLONE_THREAD));
	ADD(SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
#undef ADD
	if (r) {
		seccomp_release(ctx);
		return fail(err, errlen, r, "cannot build the seccomp filter: %s", strerror(-r));
	}
	r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
	if (!r)
		r = seccomp_load(ctx);
	seccomp_release(ctx);
	if (r)
		return fail(err, errlen, r, "cannot install the seccomp filter: %s", strerror(-r));
	return 0;
}

int sandbox_enter(const struct sandbox_opts *opts, char *err, size_t errlen)
{
	int r = sandbox_drop_capabilities(err, errlen);

	return r ? r : sandbox_install_seccomp(opts, err, errlen);
}
