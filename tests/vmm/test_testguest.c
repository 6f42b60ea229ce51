/* test_testguest.c: the CPL3 test-guest loader on ELF files built in memory: detection by the
 * note only, segments copied to their physical addresses with bss zeroed, the USER64 entry state
 * (selectors, IOPL, stack, RAM sizes, user identity map), and malformed files refused whole. Also
 * the vCPU CPUID fixups (no KVM needed: vcpu_build_cpuid works on a table). */
#include <elf.h>
#include <errno.h>
#include <stdlib.h>

#include "harness.h"
#include "vmm/testguest.h"
#include "vmm/vcpu.h"
#include "vmm/x86_setup.h"

#define MIB (1ULL << 20)

struct img {
	Elf64_Ehdr eh;
	Elf64_Phdr ph[2];
	uint8_t note[40];
	uint8_t code[64];
};

static void build(struct img *im, bool with_note)
{
	uint32_t nh[3] = {8, 16, TESTGUEST_NOTE_TYPE};

	memset(im, 0, sizeof(*im));
	memcpy(im->eh.e_ident, ELFMAG, SELFMAG);
	im->eh.e_ident[EI_CLASS] = ELFCLASS64;
	im->eh.e_ident[EI_DATA] = ELFDATA2LSB;
	im->eh.e_ident[EI_VERSION] = EV_CURRENT;
	im->eh.e_type = ET_EXEC;
	im->eh.e_machine = EM_X86_64;
	im->eh.e_version = EV_CURRENT;
	im->eh.e_entry = 0x200010;
	im->eh.e_phoff = offsetof(struct img, ph);
	im->eh.e_ehsize = sizeof(Elf64_Ehdr);
	im->eh.e_phentsize = sizeof(Elf64_Phdr);
	im->eh.e_phnum = 2;
	im->ph[0] = (Elf64_Phdr){.p_type = PT_LOAD,
				 .p_offset = offsetof(struct img, code),
				 .p_vaddr = 0x200000,
				 .p_paddr = 0x200000,
				 .p_filesz = sizeof(im->code),
				 .p_memsz = 0x1000,
				 .p_flags = 5};
	im->ph[1] = (Elf64_Phdr){.p_type = PT_NOTE,
				 .p_offset = offsetof(struct img, note),
				 .p_filesz = sizeof(im->note)};
	if (with_note) {
		memcpy(im->note, nh, sizeof(nh));
		memcpy(im->note + 12, "bulwark", 8);
		memcpy(im->note + 20, "cpl3 test guest", 16);
	}
	memset(im->code, 0x90, sizeof(im->code));
}

static uint8_t *ram;
static struct guest_mem mem;

static void setup_ram(void)
{
	free(ram);
	ram = calloc(1, 8 * MIB);
	if (!ram)
		abort();
	memset(ram + 0x200000, 0xee, 0x2000);
	guest_mem_init_buffer(&mem, ram, 8 * MIB);
}

TEST(detects_by_note_only)
{
	struct img im;

	build(&im, true);
	CHECK_EQ(testguest_detect((uint8_t *)&im, sizeof(im)), 1);
	build(&im, false);
	CHECK_EQ(testguest_detect((uint8_t *)&im, sizeof(im)), 0);
	CHECK_EQ(testguest_detect((const uint8_t *)"MZ\0\0garbage", 11), 0);
	CHECK_EQ(testguest_detect((const uint8_t *)"", 0), 0);
	build(&im, true);
	im.eh.e_machine = EM_386;
	CHECK_EQ(testguest_detect((uint8_t *)&im, sizeof(im)), 0);
	/* a note header claiming more than the segment holds */
	build(&im, true);
	im.note[0] = 0xff;
	CHECK_EQ(testguest_detect((uint8_t *)&im, sizeof(im)), 0);
	build(&im, true);
	im.ph[1].p_offset = 1ULL << 40;
	CHECK_EQ(testguest_detect((uint8_t *)&im, sizeof(im)), 0);
}

TEST(loads_segments_and_entry_state)
{
	struct img im;
	struct x86_boot_state st;
	char err[256] = "";
	uint64_t pde = 0;

	setup_ram();
	build(&im, true);
	CHECK_EQ(testguest_load(&mem, "g", (uint8_t *)&im, sizeof(im), &st, err, sizeof(err)), 0);
	CHECK_STR(err, "");
	CHECK_EQ(ram[0x200000], 0x90);
	CHECK_EQ(ram[0x200000 + 63], 0x90);
	CHECK_EQ(ram[0x200000 + 64], 0); /* bss zeroed */
	CHECK_EQ(ram[0x200000 + 0xfff], 0);
	CHECK_EQ(ram[0x200000 + 0x1000], 0xee); /* nothing past memsz */
	CHECK_EQ(st.mode, X86_BOOT_USER64);
	CHECK_EQ(st.rip, 0x200010);
	CHECK_EQ(st.rsp, 0x200000);
	CHECK_EQ(st.rflags & 0x3000, 0x3000); /* IOPL 3 */
	CHECK_EQ(st.rflags & 0x200, 0);	      /* IF off */
	CHECK_EQ(st.cs_sel & 3, 3);
	CHECK_EQ(st.ds_sel & 3, 3);
	CHECK_EQ(st.tss_sel, X86_GDT_TSS);
	CHECK_EQ(st.rbx, 8 * MIB);
	CHECK_EQ(st.rsi, 8 * MIB);
	CHECK_EQ(st.cr3, TESTGUEST_PML4_GPA);
	/* the first 2 MiB page directory entry: present, writable, user, large */
	CHECK_EQ(guest_mem_read(&mem, TESTGUEST_PML4_GPA + 2 * 4096, &pde, 8), 0);
	CHECK_EQ(pde & 0x87, 0x87);
	/* the PCI hole is mapped too (page directory 3 covers 3-4 GiB) */
	CHECK_EQ(guest_mem_read(&mem, TESTGUEST_PML4_GPA + 5 * 4096 + 8 * 511, &pde, 8), 0);
	CHECK_EQ(pde & ~0xfffULL, 0xffe00000ULL);
}

TEST(refuses_malformed_files_whole)
{
	struct img im;
	struct x86_boot_state st;
	char err[256];

	setup_ram();
	build(&im, false);
	CHECK_EQ(testguest_load(&mem, "nonote", (uint8_t *)&im, sizeof(im), &st, err, sizeof(err)),
		 -ENOEXEC);
	CHECK_CONTAINS(err, "nonote");
	build(&im, true);
	im.ph[0].p_paddr = 0x8000; /* below 1 MiB: over the GDT/page tables */
	CHECK_EQ(testguest_load(&mem, "low", (uint8_t *)&im, sizeof(im), &st, err, sizeof(err)),
		 -ENOEXEC);
	CHECK_CONTAINS(err, "low: PT_LOAD 0");
	build(&im, true);
	im.ph[0].p_paddr = 8 * MIB - 0x800; /* runs past RAM */
	CHECK_EQ(testguest_load(&mem, "big", (uint8_t *)&im, sizeof(im), &st, err, sizeof(err)),
		 -ENOMEM);
	build(&im, true);
	im.ph[0].p_paddr = 0xffffffffffff0000ULL; /* wraps */
	CHECK(testguest_load(&mem, "wrap", (uint8_t *)&im, sizeof(im), &st, err, sizeof(err)) < 0);
	build(&im, true);
	im.ph[0].p_filesz = 0x100000; /* more than the file holds */
	CHECK_EQ(testguest_load(&mem, "short", (uint8_t *)&im, sizeof(im), &st, err, sizeof(err)),
		 -ENOEXEC);
	CHECK_CONTAINS(err, "outside the file");
	build(&im, true);
	im.eh.e_entry = 0x400000;
	CHECK_EQ(testguest_load(&mem, "entry", (uint8_t *)&im, sizeof(im), &st, err, sizeof(err)),
		 -ENOEXEC);
	CHECK_CONTAINS(err, "entry point");
	CHECK_EQ(ram[0x200000], 0xee); /* nothing was written by the refused loads */
	free(ram);
	ram = NULL;
}

static const struct kvm_cpuid_entry2 *find(const struct kvm_cpuid2 *c, uint32_t fn, uint32_t idx)
{
	for (unsigned i = 0; i < c->nent; i++)
		if (c->entries[i].function == fn && c->entries[i].index == idx)
			return &c->entries[i];
	return NULL;
}

TEST(cpuid_fixups)
{
	struct kvm_cpuid2 *sup = calloc(1, sizeof(*sup) + 8 * sizeof(sup->entries[0]));
	struct kvm_cpuid2 *c;
	const struct kvm_cpuid_entry2 *e;

	if (!sup)
		abort();
	sup->nent = 5;
	sup->entries[0] = (struct kvm_cpuid_entry2){.function = 0, .eax = 0x1f};
	sup->entries[1] = (struct kvm_cpuid_entry2){
	    .function = 1, .ebx = 0xff0f0800, .ecx = 0x00200000, .edx = 0};
	sup->entries[2] = (struct kvm_cpuid_entry2){.function = 0xb, .index = 0, .ebx = 77};
	sup->entries[3] = (struct kvm_cpuid_entry2){.function = 0x1f, .index = 0, .ebx = 9};
	sup->entries[4] =
	    (struct kvm_cpuid_entry2){.function = 4, .index = 3, .eax = (3 << 5) | 3 | (63u << 26)};
	c = vcpu_build_cpuid(sup, 5, 8);
	CHECK(c != NULL);
	if (!c)
		return;
	e = find(c, 1, 0);
	CHECK(e && (e->ebx >> 24) == 5);	  /* APIC id */
	CHECK(e && ((e->ebx >> 16) & 0xff) == 8); /* logical processors */
	CHECK(e && (e->ebx & 0xffff) == 0x0800);  /* CLFLUSH size kept */
	CHECK(e && (e->ecx & (1u << 31)));	  /* hypervisor */
	CHECK(e && (e->ecx & (1u << 21)));	  /* x2APIC kept */
	CHECK(e && (e->edx & (1u << 28)));	  /* HTT with 8 CPUs */
	CHECK(!find(c, 0x1f, 0));		  /* 0x1F dropped */
	e = find(c, 0xb, 0);
	CHECK(e && e->ebx == 1 && e->edx == 5 && ((e->ecx >> 8) & 0xff) == 1);
	e = find(c, 0xb, 1);
	CHECK(e && e->eax == 3 && e->ebx == 8 && e->edx == 5 && ((e->ecx >> 8) & 0xff) == 2);
	e = find(c, 0xb, 2);
	CHECK(e && ((e->ecx >> 8) & 0xff) == 0);
	e = find(c, 4, 3);
	CHECK(e && (e->eax >> 26) == 7 && ((e->eax >> 14) & 0xfff) == 7);
	e = find(c, 0x40000000, 0);
	CHECK(e && !memcmp(&e->ebx, "KVMK", 4) && !memcmp(&e->ecx, "VMKV", 4));
	free(c);
	c = vcpu_build_cpuid(sup, 0, 1);
	e = c ? find(c, 1, 0) : NULL;
	CHECK(e && !(e->edx & (1u << 28)) && (e->ebx >> 24) == 0);
	CHECK(e && !(e->ecx & (1u << 24))); /* no TSC-deadline unless KVM has the capability */
	e = c ? find(c, 0xb, 1) : NULL;
	CHECK(e && e->eax == 0 && e->ebx == 1);
	free(c);
	/* KVM_CAP_TSC_DEADLINE_TIMER: bit 24 of leaf 1 ECX set, nothing else touched */
	vcpu_cpuid_add_tsc_deadline(sup, false);
	CHECK_EQ(sup->entries[1].ecx, 0x00200000u);
	vcpu_cpuid_add_tsc_deadline(sup, true);
	CHECK_EQ(sup->entries[1].ecx, 0x01200000u);
	CHECK_EQ(sup->entries[0].ecx, 0u);
	c = vcpu_build_cpuid(sup, 1, 2);
	e = c ? find(c, 1, 0) : NULL;
	CHECK(e && (e->ecx & (1u << 24)) && (e->ecx & (1u << 21)));
	free(c);
	free(sup);
}

HARNESS_MAIN(detects_by_note_only, loads_segments_and_entry_state, refuses_malformed_files_whole,
	     cpuid_fixups)
