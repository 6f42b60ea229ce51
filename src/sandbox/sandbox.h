/* sandbox.h: confines the running VMM.
 *
 * bulwark needs root (or CAP_NET_ADMIN and access to /dev/kvm) only to set up: open /dev/kvm,
 * create the VM and vCPUs, open disks and taps. Once the guest is about to run, sandbox_enter()
 * takes everything away that the device and vCPU threads do not need:
 *   - every capability (effective, permitted, inheritable, bounding and ambient sets) and, with
 *     PR_SET_NO_NEW_PRIVS, any way to gain one back through execve;
 *   - every system call outside a short allow list (read/write on open descriptors, KVM_RUN and
 *     the few KVM/tap/terminal ioctls of the run loop, memory management without writable and
 *     executable mappings, threads, futexes, timers, signals), applied to all threads at once.
 * A hostile guest that takes over a device thread can then not open a file, a socket, or run a
 * program. See docs/sandbox.md for the list and the reasons. */
#ifndef BULWARK_SANDBOX_SANDBOX_H
#define BULWARK_SANDBOX_SANDBOX_H

#include <stdbool.h>
#include <stddef.h>

enum sandbox_action {
	SANDBOX_KILL,  /* a forbidden system call kills the process (SIGSYS): production */
	SANDBOX_ERRNO, /* it fails with EPERM (tests, trials) */
	SANDBOX_LOG,   /* it is allowed and logged by the kernel (finding what a build needs) */
};

struct sandbox_opts {
	enum sandbox_action on_violation;
	/* extra ioctl request numbers a caller's devices need (0-terminated, may be NULL) */
	const unsigned long *extra_ioctls;
};

/* Drops every capability of every set and sets no_new_privs. Returns 0 or -errno. */
int sandbox_drop_capabilities(char *err, size_t errlen);
/* Installs the system-call filter on all threads of the process. Returns 0 or -errno. */
int sandbox_install_seccomp(const struct sandbox_opts *opts, char *err, size_t errlen);
/* Both, capabilities first. */
int sandbox_enter(const struct sandbox_opts *opts, char *err, size_t errlen);

#endif
