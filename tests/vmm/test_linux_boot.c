/* test_linux_boot.c: linux_boot_load() end to end (src/vmm/linux_boot.c): files, format
 * detection, the command line the guest gets, the MP table with the PCI interrupts of a real
 * pci_bus (src/dev/pci.c), and the errors `bulwark run` reports before any guest runs. */
#include <asm/bootparam.h>
#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../dev/fake_guest.h"
#include "dev/pci.h"
#include "harness.h"
#include "vmm/linux_boot.h"
#include "vmm/linux_loader.h"
#include "vmm/mptable.h"

#define MiB (1ULL << 20)

static char dir[64];

static void put32(uint8_t *p, size_t off, uint32_t v)
{
	memcpy(p + off, &v, 4);
}

/* Writes a minimal protocol-2.15 bzImage (pref_address 16 MiB, init_size 32 MiB) to path. */
static void write_bzimage(const char *path, uint32_t init_size)
{
	size_t setup = 5 * 512, klen = 4096;
	uint8_t *b = calloc(1, setup + klen);
	FILE *f = fopen(path, "wb");

	b[0x1f1] = 4;
	put32(b, 0x1f4, (uint32_t)(klen / 16));
	b[0x1fe] = 0x55;
	b[0x1ff] = 0xaa;
	b[0x201] = 0x6a;
	memcpy(b + 0x202, "HdrS", 4);
	b[0x206] = 0x0f;
	b[0x207] = 0x02;
	b[0x211] = LOADED_HIGH;
	put32(b, 0x22c, 0x7fffffff);
	put32(b, 0x230, 0x200000);
	b[0x234] = 1;
	b[0x236] = 0x7f;
	put32(b, 0x238, 2047);
	put32(b, 0x258, 16 * MiB);
	put32(b, 0x260, init_size);
	fwrite(b, 1, setup + klen, f);
	fclose(f);
	free(b);
}

static void write_text(const char *path, const char *s)
{
	FILE *f = fopen(path, "w");

	fputs(s, f);
	fclose(f);
}

static void remove_dir(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd))
		printf("# cannot remove %s\n", dir);
}

/* A private directory for the test files, removed at exit. */
static const char *tdir(void)
{
	if (!dir[0]) {
		snprintf(dir, sizeof(dir), "/tmp/bulwark-test-linux-boot-XXXXXX");
		if (!mkdtemp(dir))
			abort();
		atexit(remove_dir);
	}
	return dir;
}

static void path_of(char *out, size_t len, const char *name)
{
	snprintf(out, len, "%s/%s", tdir(), name);
}

TEST(missing_and_unreadable_files)
{
	struct linux_boot_opts o = {.ncpus = 1};
	struct x86_boot_state st;
	struct guest_mem m;
	char err[512], k[128], d[128];

	CHECK_EQ(guest_mem_init(&m, 128 * MiB), 0);
	path_of(k, sizeof(k), "no-such-kernel");
	o.kernel_path = k;
	CHECK_EQ(linux_boot_load(&m, &o, &st, err, sizeof(err)), -ENOENT);
	CHECK_CONTAINS(err, "kernel");
	CHECK_CONTAINS(err, "no-such-kernel");
	/* a directory is not a kernel */
	o.kernel_path = tdir();
	CHECK_EQ(linux_boot_load(&m, &o, &st, err, sizeof(err)), -EACCES);
	/* a good kernel with a missing initrd names the initrd */
	path_of(k, sizeof(k), "bzImage");
	write_bzimage(k, 32 * MiB);
	path_of(d, sizeof(d), "no-such-initrd");
	o.kernel_path = k;
	o.initrd_path = d;
	CHECK_EQ(linux_boot_load(&m, &o, &st, err, sizeof(err)), -ENOENT);
	CHECK_CONTAINS(err, "initrd");
	CHECK_CONTAINS(err, "no-such-initrd");
	guest_mem_destroy(&m);
}

TEST(not_a_kernel)
{
	struct linux_boot_opts o = {.ncpus = 1};
	struct x86_boot_state st;
	struct guest_mem m;
	char err[512], k[128];

	CHECK_EQ(guest_mem_init(&m, 128 * MiB), 0);
	path_of(k, sizeof(k), "text");
	write_text(k, "#!/bin/sh\necho this is not a kernel\n");
	o.kernel_path = k;
	CHECK_EQ(linux_boot_load(&m, &o, &st, err, sizeof(err)), -ENOEXEC);
	CHECK_CONTAINS(err, k);
	CHECK_CONTAINS(err, "neither a bzImage");
	/* an ELF without the PVH note */
	write_text(k, "\177ELF\002\001\001");
	CHECK_EQ(linux_boot_load(&m, &o, &st, err, sizeof(err)), -ENOEXEC);
	guest_mem_destroy(&m);
}

TEST(memory_smaller_than_init_size)
{
	struct linux_boot_opts o = {.ncpus = 2};
	struct x86_boot_state st;
	struct guest_mem m;
	char err[512], k[128];

	path_of(k, sizeof(k), "bzImage-big");
	write_bzimage(k, 64 * MiB);
	o.kernel_path = k;
	CHECK_EQ(guest_mem_init(&m, 64 * MiB), 0);
	CHECK_EQ(linux_boot_load(&m, &o, &st, err, sizeof(err)), -ENOMEM);
	CHECK_CONTAINS(err, k);
	CHECK_CONTAINS(err, "guest memory of 64 MiB");
	CHECK_CONTAINS(err, "needs 80 MiB");
	guest_mem_destroy(&m);
}

TEST(bad_cpu_count)
{
	struct linux_boot_opts o = {.ncpus = 0, .kernel_path = "/nonexistent"};
	struct x86_boot_state st;
	struct guest_mem m;
	char err[512];

	CHECK_EQ(guest_mem_init(&m, 128 * MiB), 0);
	CHECK_EQ(linux_boot_load(&m, &o, &st, err, sizeof(err)), -EINVAL);
	CHECK_CONTAINS(err, "vCPUs");
	o.ncpus = 255;
	CHECK_EQ(linux_boot_load(&m, &o, &st, err, sizeof(err)), -EINVAL);
	guest_mem_destroy(&m);
}

/* A synthetic kernel and initrd, two PCI functions on a real bus: the guest gets the user's
 * command line plus bulwark's, the initrd, and an MP table with both functions' interrupts. */
TEST(boots_with_pci_interrupts_in_mp_table)
{
	static const struct pci_dev_id id = {
	    .vendor = 0x1af4, .device = 0x1041, .class_code = 0x020000};
	struct linux_boot_opts o = {.ncpus = 2, .cmdline = "console=ttyS0 reboot=k"};
	struct x86_boot_state st;
	struct guest_mem m;
	struct boot_params *bp;
	struct pci_bus *bus;
	struct fg g;
	char err[512] = "", k[128], d[128];
	const uint8_t *mpf, *mpc, *p;
	uint32_t phys;
	uint16_t count;
	unsigned pci_entries = 0;
	uint8_t pci_irqs[4] = {0};

	fg_init(&g, 1 * MiB);
	bus = pci_bus_create(&g.host);
	CHECK(bus != NULL);
	CHECK(pci_dev_add(bus, &id, NULL, NULL) != NULL);
	CHECK(pci_dev_add(bus, &id, NULL, NULL) != NULL);
	path_of(k, sizeof(k), "bzImage");
	write_bzimage(k, 32 * MiB);
	path_of(d, sizeof(d), "initrd");
	write_text(d, "initrd contents");
	o.kernel_path = k;
	o.initrd_path = d;
	o.pci = bus;
	CHECK_EQ(guest_mem_init(&m, 128 * MiB), 0);
	CHECK_EQ(linux_boot_load(&m, &o, &st, err, sizeof(err)), 0);
	if (err[0])
		printf("# %s\n", err);
	CHECK_EQ(st.mode, X86_BOOT_LONG64);
	CHECK_EQ(st.rip, 16 * MiB + 0x200);
	bp = guest_mem_ptr(&m, LINUX_ZERO_PAGE_GPA, sizeof(*bp));
	CHECK_STR((const char *)guest_mem_ptr(&m, bp->hdr.cmd_line_ptr, 1),
		  "console=ttyS0 reboot=k acpi=off pci=conf1 i8042.noaux i8042.nomux i8042.nopnp "
		  "i8042.dumbkbd");
	CHECK_EQ(bp->hdr.ramdisk_size, strlen("initrd contents"));
	CHECK(!memcmp(guest_mem_ptr(&m, bp->hdr.ramdisk_image, 15), "initrd contents", 15));

	/* MP table: both functions' INTA#, with the IRQ lines pci.c gave them */
	mpf = guest_mem_ptr(&m, LINUX_EBDA_START, 16);
	CHECK(!memcmp(mpf, "_MP_", 4));
	memcpy(&phys, mpf + 4, 4);
	mpc = guest_mem_ptr(&m, phys, 44);
	memcpy(&count, mpc + 34, 2);
	p = mpc + 44;
	for (unsigned i = 0; i < count; i++) {
		if (p[0] == MP_ENTRY_PROCESSOR) {
			p += 20;
			continue;
		}
		if (p[0] == MP_ENTRY_IOINT && p[4] == MPTABLE_PCI_BUS_ID && pci_entries < 4) {
			CHECK_EQ(p[5] & 3, 0); /* INTA# */
			pci_irqs[pci_entries++] = p[7];
		}
		p += 8;
	}
	CHECK_EQ(pci_entries, 2);
	CHECK_EQ(pci_irqs[0], 5); /* PCI_IRQ_LINES round-robin: 5, 9, ... */
	CHECK_EQ(pci_irqs[1], 9);
	guest_mem_destroy(&m);
	pci_bus_destroy(bus);
	fg_destroy(&g);
}

TEST(default_cmdline_and_real_kernel)
{
	struct linux_boot_opts o = {.ncpus = 1};
	struct x86_boot_state st;
	struct guest_mem m;
	struct boot_params *bp;
	char err[512] = "";
	glob_t gl;

	if (glob("/boot/vmlinuz-*-amd64", 0, NULL, &gl) || gl.gl_pathc == 0) {
		SKIP("no /boot/vmlinuz-*-amd64 (linux-image-amd64 not installed)");
		return;
	}
	o.kernel_path = gl.gl_pathv[0];
	CHECK_EQ(guest_mem_init(&m, 256 * MiB), 0);
	CHECK_EQ(linux_boot_load(&m, &o, &st, err, sizeof(err)), 0);
	bp = guest_mem_ptr(&m, LINUX_ZERO_PAGE_GPA, sizeof(*bp));
	CHECK(!strncmp(guest_mem_ptr(&m, bp->hdr.cmd_line_ptr, 1), LINUX_DEFAULT_CMDLINE,
		       strlen(LINUX_DEFAULT_CMDLINE)));
	CHECK_EQ(bp->hdr.ramdisk_size, 0);
	CHECK_EQ(st.mode, X86_BOOT_LONG64);
	guest_mem_destroy(&m);
	globfree(&gl);
}

HARNESS_MAIN(missing_and_unreadable_files, not_a_kernel, memory_smaller_than_init_size,
	     bad_cpu_count, boots_with_pci_interrupts_in_mp_table, default_cmdline_and_real_kernel)
