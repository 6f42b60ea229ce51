/* cmd_run.c: `bulwark run`, which boots a guest and gives its serial console on the terminal.
 *
 * Order: options (usage errors: 2), the files named on the command line (kernel, initrd, disks:
 * errors name the file, 1), /dev/kvm and the VM (1), devices (serial, i8042, pvpanic, RTC, PCI bus,
 * virtio-blk, virtio-net), the kernel (a Linux bzImage/PVH ELF through linux_boot_load(), or a
 * CPL3 test guest, see guest/cpl3/README.md), vCPU threads, then the main thread waits for the end
 * (a vCPU exit, a device request, SIGINT/SIGTERM, ^A x) while feeding stdin to the UART. At the end
 * disks are flushed, taps closed, the terminal restored, and the status tells how the guest ended
 * (docs/exit-codes.md). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <termios.h>
#include <unistd.h>

#include "cli/command.h"
#include "cli/run_opts.h"
#include "common/file.h"
#include "common/log.h"
#include "dev/i8042.h"
#include "dev/pci.h"
#include "dev/pvpanic.h"
#include "dev/rtc_cmos.h"
#include "dev/serial8250.h"
#include "dev/virtio_blk.h"
#include "dev/virtio_net.h"
#include "sandbox/sandbox.h"
#include "vmm/linux_boot.h"
#include "vmm/testguest.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"

#define KERNEL_MAX_FILE (512u << 20)

static void usage(FILE *out)
{
	fprintf(
	    out,
	    "usage: bulwark run --kernel PATH [OPTIONS]\n"
	    "\n"
	    "Boots a guest on KVM with its serial console (8250 at 0x3f8) on this terminal.\n"
	    "\n"
	    "options:\n"
	    "  --kernel PATH         Linux bzImage, vmlinux ELF with a PVH note, or a CPL3 test\n"
	    "                        guest (ELF with the bulwark note, guest/cpl3/README.md)\n"
	    "  --initrd PATH         initial ramdisk (Linux)\n"
	    "  --cmdline STR         kernel command line (Linux); bulwark appends what its device\n"
	    "                        model needs (docs/boot.md)\n"
	    "  --mem MIB             guest RAM in MiB, %u-%u (default %u)\n"
	    "  --cpus N              vCPUs, 1-%u as KVM allows (default 1)\n"
	    "  --disk PATH[,ro]      virtio-blk disk backed by a raw file; repeatable (max %u)\n"
	    "  --net tap=NAME[,mac=MAC][,queues=N]\n"
	    "                        virtio-net device on tap NAME; repeatable (max %u);\n"
	    "                        queues=N (1-8): N queue pairs over a multiqueue tap\n"
	    "  --help                this text\n"
	    "\n"
	    "console: stdin goes to the guest's serial port (raw mode on a terminal);\n"
	    "  Ctrl-A x quits (exit status 6), Ctrl-A Ctrl-A sends Ctrl-A.\n"
	    "\n"
	    "exit status (docs/exit-codes.md):\n"
	    "  0  the guest asked for a reboot or poweroff (i8042 reset, KVM system event)\n"
	    "  1  start-up error (file, /dev/kvm, device, kernel image)\n"
	    "  2  usage error\n"
	    "  3  triple fault (CPU shutdown)\n"
	    "  4  KVM internal error, failed VM entry or unhandled exit\n"
	    "  5  guest kernel panic (\"Kernel panic - not syncing\" on the console, pvpanic port\n"
	    "     0x505, KVM crash event)\n"
	    "  6  stopped by SIGINT/SIGTERM or Ctrl-A x\n"
	    "  v  a CPL3 test guest wrote v to port 0x501\n",
	    RUN_MIN_MEM_MIB, RUN_MAX_MEM_MIB, RUN_DEFAULT_MEM_MIB, RUN_MAX_CPUS, RUN_MAX_DISKS,
	    RUN_MAX_NETS);
}

static struct termios saved_tio;
static bool tio_saved;

static void term_restore(void)
{
	if (tio_saved) {
		tcsetattr(STDIN_FILENO, TCSANOW, &saved_tio);
		tio_saved = false;
	}
}

static void term_raw(void)
{
	struct termios t;

	if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &saved_tio) < 0)
		return;
	t = saved_tio;
	t.c_iflag &= ~(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
	t.c_lflag &= ~(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
	t.c_cflag &= ~(CSIZE | PARENB);
	t.c_cflag |= CS8;
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	/* output processing stays on, so a guest's bare "\n" still starts a new line */
	if (tcsetattr(STDIN_FILENO, TCSANOW, &t) == 0) {
		tio_saved = true;
		atexit(term_restore);
	}
}

struct run {
	struct run_opts o;
	struct vm vm;
	bool vm_made;
	struct serial8250 serial;
	bool serial_on;
	struct i8042 kbd;
	bool kbd_on;
	struct pvpanic panic;
	bool panic_on;
	struct rtc_cmos rtc;
	bool rtc_on;
	struct testguest_exit tg_exit;
	bool tg_exit_on;
	struct pci_bus *pci;
	struct virtio_blk *blk[RUN_MAX_DISKS];
	struct virtio_net *net[RUN_MAX_NETS];
};

static int check_file(const char *what, const char *path, int mode)
{
	if (access(path, mode) < 0) {
		bw_err("%s %s: %s", what, path, strerror(errno));
		return -errno;
	}
	return 0;
}

static int setup_devices(struct run *r, bool testguest)
{
	struct dev_host *h = &r->vm.host;
	char err[512];
	int e;

	if ((e = serial8250_init(&r->serial, h, SERIAL8250_COM1_BASE, SERIAL8250_COM1_IRQ,
				 STDOUT_FILENO))) {
		bw_err("serial port at 0x%x: %s", SERIAL8250_COM1_BASE, strerror(-e));
		return e;
	}
	r->serial_on = true;
	if ((e = i8042_init(&r->kbd, h))) {
		bw_err("i8042: %s", strerror(-e));
		return e;
	}
	r->kbd_on = true;
	if ((e = pvpanic_init(&r->panic, h))) {
		bw_err("pvpanic: %s", strerror(-e));
		return e;
	}
	r->panic_on = true;
	if ((e = rtc_cmos_init(&r->rtc, h, NULL, NULL))) {
		bw_err("RTC/CMOS at ports 0x%x-0x%x: %s", RTC_CMOS_PORT, RTC_CMOS_PORT + 1,
		       strerror(-e));
		return e;
	}
	r->rtc_on = true;
	if ((e = rtc_cmos_start_timer(&r->rtc))) {
		bw_err("RTC/CMOS timer thread: %s", strerror(-e));
		return e;
	}
	if (testguest) {
		if ((e = testguest_exit_port_init(&r->tg_exit, h))) {
			bw_err("test-guest exit port: %s", strerror(-e));
			return e;
		}
		r->tg_exit_on = true;
	}
	r->pci = pci_bus_create(h);
	if (!r->pci) {
		bw_err("PCI host bridge: cannot create it (ports 0xcf8-0xcff)");
		return -ENOMEM;
	}
	for (unsigned i = 0; i < r->o.n_disks; i++) {
		err[0] = '\0';
		r->blk[i] = virtio_blk_create(r->pci, h, r->o.disk[i].path, r->o.disk[i].readonly,
					      err, sizeof(err));
		if (!r->blk[i]) {
			bw_err("--disk %s: %s", r->o.disk[i].path, err[0] ? err : "cannot add it");
			return -EIO;
		}
	}
	for (unsigned i = 0; i < r->o.n_nets; i++) {
		err[0] = '\0';
		r->net[i] = virtio_net_create_mq(r->pci, h, r->o.net[i].tap, r->o.net[i].queues,
						 r->o.net[i].has_mac ? r->o.net[i].mac : NULL, err,
						 sizeof(err));
		if (!r->net[i]) {
			bw_err("--net tap=%s: %s", r->o.net[i].tap, err[0] ? err : "cannot add it");
			return -EIO;
		}
	}
	return 0;
}

static void teardown(struct run *r)
{
	for (unsigned i = 0; i < RUN_MAX_NETS; i++)
		if (r->net[i]) {
			virtio_net_destroy(r->net[i]);
			r->net[i] = NULL;
		}
	for (unsigned i = 0; i < RUN_MAX_DISKS; i++)
		if (r->blk[i]) {
			virtio_blk_destroy(r->blk[i]); /* flushes */
			r->blk[i] = NULL;
		}
	if (r->pci)
		pci_bus_destroy(r->pci);
	r->pci = NULL;
	if (r->tg_exit_on)
		testguest_exit_port_destroy(&r->tg_exit);
	if (r->rtc_on)
		rtc_cmos_destroy(&r->rtc);
	if (r->panic_on)
		pvpanic_destroy(&r->panic);
	if (r->kbd_on)
		i8042_destroy(&r->kbd);
	if (r->serial_on)
		serial8250_destroy(&r->serial);
	r->tg_exit_on = r->rtc_on = r->panic_on = r->kbd_on = r->serial_on = false;
	if (r->vm_made)
		vm_destroy(&r->vm);
	r->vm_made = false;
}

/* The main thread's loop: signals, the end of the VM, stdin to the UART. */
static void main_loop(struct run *r, int sfd)
{
	bool stdin_open = true, esc = false;

	while (!__atomic_load_n(&r->vm.exiting, __ATOMIC_SEQ_CST)) {
		struct pollfd p[3] = {
		    {.fd = sfd, .events = POLLIN},
		    {.fd = r->vm.exit_efd, .events = POLLIN},
		    {.fd = STDIN_FILENO, .events = POLLIN},
		};
		bool room = serial8250_rx_room(&r->serial) >= 256;
		int n = stdin_open && room ? 3 : 2;

		if (poll(p, (nfds_t)n, stdin_open && !room ? 20 : -1) < 0) {
			if (errno == EINTR)
				continue;
			vm_request_exit(&r->vm, VM_EXIT_KVM_ERROR, "poll: %s", strerror(errno));
			break;
		}
		if (p[0].revents & POLLIN) {
			struct signalfd_siginfo si;

			if (read(sfd, &si, sizeof(si)) == sizeof(si))
				vm_request_exit(&r->vm, VM_EXIT_STOPPED, "stopped by %s",
						si.ssi_signo == SIGINT ? "SIGINT" : "SIGTERM");
		}
		if (n == 3 && (p[2].revents & (POLLIN | POLLHUP | POLLERR))) {
			uint8_t in[128], out[129];
			ssize_t got = read(STDIN_FILENO, in, sizeof(in));
			bool quit = false;

			if (got <= 0) {
				if (got < 0 && (errno == EINTR || errno == EAGAIN))
					continue;
				stdin_open = false; /* EOF: the guest just gets no more input */
				continue;
			}
			size_t o = serial8250_console_filter(in, (size_t)got, out, &esc, &quit);

			serial8250_input(&r->serial, out, o);
			if (quit)
				vm_request_exit(&r->vm, VM_EXIT_STOPPED, "stopped by Ctrl-A x");
		}
	}
}

static int run_main(int argc, char **argv)
{
	struct run *r = calloc(1, sizeof(*r));
	struct x86_boot_state st = {0};
	uint8_t *kbuf = NULL;
	size_t klen = 0;
	char err[512] = "";
	sigset_t sigs;
	int status = VM_EXIT_STARTUP, e, sfd = -1;
	bool tg;

	if (!r) {
		bw_err("out of memory");
		return VM_EXIT_STARTUP;
	}
	if (run_opts_parse(argc, argv, &r->o, err, sizeof(err))) {
		fprintf(stderr, "bulwark run: %s\n(see `bulwark run --help`)\n", err);
		free(r);
		return VM_EXIT_USAGE;
	}
	if (r->o.help) {
		usage(stdout);
		free(r);
		return 0;
	}

	/* the files first: their errors name them, before anything needs /dev/kvm */
	e = bw_read_file(r->o.kernel, KERNEL_MAX_FILE, &kbuf, &klen);
	if (e) {
		bw_err("kernel %s: %s", r->o.kernel,
		       e == -EFBIG ? "larger than 512 MiB" : strerror(-e));
		goto out;
	}
	if (r->o.initrd && check_file("initrd", r->o.initrd, R_OK))
		goto out;
	for (unsigned i = 0; i < r->o.n_disks; i++)
		if (check_file("disk", r->o.disk[i].path,
			       r->o.disk[i].readonly ? R_OK : R_OK | W_OK))
			goto out;
	tg = testguest_detect(kbuf, klen) == 1;
	if (tg && (r->o.initrd || r->o.cmdline))
		bw_warn("kernel %s is a CPL3 test guest: --initrd and --cmdline are ignored",
			r->o.kernel);

	/* SIGINT/SIGTERM arrive through a signalfd; every thread made from here on blocks them */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);
	sfd = signalfd(-1, &sigs, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd < 0) {
		bw_err("signalfd: %s", strerror(errno));
		goto out;
	}

	e = vm_create(&r->vm, r->o.mem_mib << 20, r->o.cpus, err, sizeof(err));
	r->vm_made = true;
	if (e) {
		bw_err("%s", err);
		goto out;
	}
	if (setup_devices(r, tg))
		goto out;
	if (tg) {
		e = testguest_load(&r->vm.mem, r->o.kernel, kbuf, klen, &st, err, sizeof(err));
	} else {
		struct linux_boot_opts lo = {.kernel_path = r->o.kernel,
					     .initrd_path = r->o.initrd,
					     .cmdline = r->o.cmdline,
					     .ncpus = r->o.cpus,
					     .pci = r->pci};

		e = linux_boot_load(&r->vm.mem, &lo, &st, err, sizeof(err));
	}
	free(kbuf);
	kbuf = NULL;
	if (e) {
		bw_err("%s", err[0] ? err : strerror(-e));
		goto out;
	}
	if (vcpu_create_all(&r->vm, &st, err, sizeof(err))) {
		bw_err("%s", err);
		goto out;
	}
	if (!r->o.no_sandbox) {
		struct sandbox_opts so = {.on_violation = SANDBOX_KILL};

		/* every file, device and vCPU is open: from here on only the run loop's calls */
		if (sandbox_enter(&so, err, sizeof(err))) {
			bw_err("sandbox: %s", err);
			goto out;
		}
	}
	term_raw();
	if (vcpu_start_all(&r->vm, err, sizeof(err))) {
		bw_err("%s", err);
		vm_request_exit(&r->vm, VM_EXIT_STARTUP, "%s", err);
	} else {
		main_loop(r, sfd);
	}
	vcpu_join_all(&r->vm);
	status = r->vm.exit_status;
	term_restore();
	if (status != VM_EXIT_TRIPLE_FAULT && status != VM_EXIT_KVM_ERROR &&
	    status != VM_EXIT_GUEST_PANIC)
		bw_info("guest ended: %s (exit status %d)", r->vm.exit_why, status);
	else
		bw_err("guest ended: %s (exit status %d)", r->vm.exit_why, status);
out:
	term_restore();
	teardown(r);
	if (sfd >= 0)
		close(sfd);
	free(kbuf);
	free(r);
	return status;
}

BULWARK_COMMAND(cmd_run, "run", "boot a guest (Linux or a CPL3 test guest) on KVM", run_main);
