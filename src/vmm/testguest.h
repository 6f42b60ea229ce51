/* testguest.h: loader of CPL3 test guests (guest/cpl3/README.md).
 *
 * A test guest is an x86-64 ELF executable carrying a note with name "bulwark", type
 * TESTGUEST_NOTE_TYPE and description "cpl3 test guest". The loader copies its PT_LOAD segments to
 * their physical addresses (which must lie in [TESTGUEST_MIN_ADDR, end of low RAM)), writes a GDT
 * and TSS at TESTGUEST_GDT_GPA and an identity map with the user bit at TESTGUEST_PML4_GPA, and
 * describes an X86_BOOT_USER64 entry: rip = e_entry, rsp just below the lowest segment, IOPL 3,
 * rbx = low RAM bytes, rsi = all RAM (rdx = vCPU count is set by vcpu.c). The file is untrusted:
 * every offset and size is checked and a bad file is refused whole with a message naming it. */
#ifndef BULWARK_VMM_TESTGUEST_H
#define BULWARK_VMM_TESTGUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dev/dev_host.h"
#include "vmm/boot_state.h"
#include "vmm/guest_mem.h"

#define TESTGUEST_NOTE_NAME "bulwark"
#define TESTGUEST_NOTE_TYPE 0x62770001u
#define TESTGUEST_NOTE_DESC "cpl3 test guest"
#define TESTGUEST_GDT_GPA 0x1000ULL
#define TESTGUEST_PML4_GPA 0x2000ULL
#define TESTGUEST_MIN_ADDR 0x100000ULL /* 1 MiB */
#define TESTGUEST_EXIT_PORT 0x501
#define TESTGUEST_MAX_FILE (256u << 20)

/* 1 when buf is an x86-64 ELF with the test-guest note, 0 when not (not ELF, other ELF). */
int testguest_detect(const uint8_t *buf, size_t len);

/* Loads the test guest in buf (named path in messages) into m and fills *st. Returns 0, -ENOEXEC
 * (not a test guest, malformed ELF: err says what and where) or -ENOMEM (does not fit). */
int testguest_load(struct guest_mem *m, const char *path, const uint8_t *buf, size_t len,
		   struct x86_boot_state *st, char *err, size_t errlen);

/* The debug-exit port: a write of v to TESTGUEST_EXIT_PORT ends the VM with status v & 0xff. */
struct testguest_exit {
	struct dev_host *host;
};
int testguest_exit_port_init(struct testguest_exit *t, struct dev_host *host);
void testguest_exit_port_destroy(struct testguest_exit *t);

#endif
