/* testguest.c: the CPL3 test-guest loader and its debug-exit port (see testguest.h). */
#include "vmm/testguest.h"

#include <errno.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <string.h>

#include "vmm/x86_setup.h"

#define ALIGN_UP4(x) (((x) + 3) & ~(uint64_t)3)

/* Walks the notes in [off, off + size) of buf looking for ours. */
static bool has_note(const uint8_t *buf, size_t len, uint64_t off, uint64_t size)
{
	uint64_t p, end;

	if (off > len || size > len - off)
		return false;
	p = off;
	end = off + size;
	while (end - p >= 12) {
		uint32_t namesz, descsz, type;
		uint64_t name_off, desc_off, next;

		memcpy(&namesz, buf + p, 4);
		memcpy(&descsz, buf + p + 4, 4);
		memcpy(&type, buf + p + 8, 4);
		name_off = p + 12;
		desc_off = name_off + ALIGN_UP4((uint64_t)namesz);
		next = desc_off + ALIGN_UP4((uint64_t)descsz);
		if (desc_off > end || next > end || next <= p)
			return false;
		if (type == TESTGUEST_NOTE_TYPE && namesz == sizeof(TESTGUEST_NOTE_NAME) &&
		    !memcmp(buf + name_off, TESTGUEST_NOTE_NAME, namesz) &&
		    descsz >= sizeof(TESTGUEST_NOTE_DESC) - 1 &&
		    !memcmp(buf + desc_off, TESTGUEST_NOTE_DESC, sizeof(TESTGUEST_NOTE_DESC) - 1))
			return true;
		p = next;
	}
	return false;
}

static Elf *open_elf(const uint8_t *buf, size_t len, GElf_Ehdr *eh)
{
	Elf *e;

	if (len < 4 || memcmp(buf, ELFMAG, SELFMAG))
		return NULL;
	if (elf_version(EV_CURRENT) == EV_NONE)
		return NULL;
	e = elf_memory((char *)buf, len);
	if (!e)
		return NULL;
	if (elf_kind(e) != ELF_K_ELF || gelf_getclass(e) != ELFCLASS64 || !gelf_getehdr(e, eh) ||
	    eh->e_machine != EM_X86_64) {
		elf_end(e);
		return NULL;
	}
	return e;
}

int testguest_detect(const uint8_t *buf, size_t len)
{
	GElf_Ehdr eh;
	size_t n = 0;
	Elf *e = open_elf(buf, len, &eh);
	int found = 0;

	if (!e)
		return 0;
	if (elf_getphdrnum(e, &n) == 0)
		for (size_t i = 0; i < n && !found; i++) {
			GElf_Phdr ph;

			if (gelf_getphdr(e, (int)i, &ph) && ph.p_type == PT_NOTE &&
			    has_note(buf, len, ph.p_offset, ph.p_filesz))
				found = 1;
		}
	elf_end(e);
	return found;
}

int testguest_load(struct guest_mem *m, const char *path, const uint8_t *buf, size_t len,
		   struct x86_boot_state *st, char *err, size_t errlen)
{
	uint64_t low = m->n_regions ? m->region[0].size : 0, lowest = UINT64_MAX, idmap;
	bool entry_ok = false;
	GElf_Ehdr eh;
	size_t n = 0;
	Elf *e;
	int r;

	if (!testguest_detect(buf, len)) {
		snprintf(err, errlen, "%s: not a CPL3 test guest (no bulwark note)", path);
		return -ENOEXEC;
	}
	e = open_elf(buf, len, &eh);
	if (!e || elf_getphdrnum(e, &n) != 0) {
		snprintf(err, errlen, "%s: cannot read the ELF program headers", path);
		r = -ENOEXEC;
		goto out;
	}
	/* check every segment before writing any */
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < n; i++) {
			GElf_Phdr ph;
			uint8_t *dst;

			if (!gelf_getphdr(e, (int)i, &ph)) {
				snprintf(err, errlen, "%s: program header %zu unreadable", path, i);
				r = -ENOEXEC;
				goto out;
			}
			if (ph.p_type != PT_LOAD || ph.p_memsz == 0)
				continue;
			if (ph.p_filesz > ph.p_memsz || ph.p_offset > len ||
			    ph.p_filesz > len - ph.p_offset) {
				snprintf(
				    err, errlen,
				    "%s: PT_LOAD %zu: file range 0x%llx+0x%llx outside the file "
				    "(%zu bytes) or larger than its memory size",
				    path, i, (unsigned long long)ph.p_offset,
				    (unsigned long long)ph.p_filesz, len);
				r = -ENOEXEC;
				goto out;
			}
			if (ph.p_paddr < TESTGUEST_MIN_ADDR || ph.p_paddr >= low ||
			    ph.p_memsz > low - ph.p_paddr) {
				snprintf(
				    err, errlen,
				    "%s: PT_LOAD %zu: physical range 0x%llx+0x%llx outside "
				    "[0x%llx, 0x%llx) (RAM below the PCI hole; try more --mem)",
				    path, i, (unsigned long long)ph.p_paddr,
				    (unsigned long long)ph.p_memsz,
				    (unsigned long long)TESTGUEST_MIN_ADDR,
				    (unsigned long long)low);
				r = ph.p_paddr >= TESTGUEST_MIN_ADDR ? -ENOMEM : -ENOEXEC;
				goto out;
			}
			if (pass == 0) {
				if (ph.p_paddr < lowest)
					lowest = ph.p_paddr;
				if (eh.e_entry >= ph.p_paddr &&
				    eh.e_entry - ph.p_paddr < ph.p_memsz)
					entry_ok = true;
				continue;
			}
			dst = guest_mem_ptr(m, ph.p_paddr, ph.p_memsz);
			if (!dst) {
				snprintf(err, errlen, "%s: PT_LOAD %zu does not fit in guest RAM",
					 path, i);
				r = -ENOMEM;
				goto out;
			}
			memcpy(dst, buf + ph.p_offset, ph.p_filesz);
			memset(dst + ph.p_filesz, 0, ph.p_memsz - ph.p_filesz);
		}
		if (pass == 0 && (lowest == UINT64_MAX || !entry_ok)) {
			snprintf(err, errlen,
				 lowest == UINT64_MAX
				     ? "%s: no PT_LOAD segment"
				     : "%s: entry point outside every PT_LOAD segment",
				 path);
			r = -ENOEXEC;
			goto out;
		}
	}
	memset(st, 0, sizeof(*st));
	r = x86_write_gdt(m, TESTGUEST_GDT_GPA, X86_BOOT_USER64, st);
	if (r < 0) {
		snprintf(err, errlen, "%s: GDT at 0x%llx: %s", path,
			 (unsigned long long)TESTGUEST_GDT_GPA, strerror(-r));
		goto out;
	}
	idmap = GUEST_MEM_HIGH_START + (guest_mem_size(m) - low);
	if (TESTGUEST_PML4_GPA + x86_identity_map_size(idmap) > lowest / 2) {
		snprintf(err, errlen, "%s: page tables for %llu MiB do not fit below the image",
			 path, (unsigned long long)(guest_mem_size(m) >> 20));
		r = -ENOMEM;
		goto out;
	}
	r = x86_write_identity_map(m, TESTGUEST_PML4_GPA, idmap, true, &st->cr3);
	if (r < 0) {
		snprintf(err, errlen, "%s: page tables: %s", path, strerror(-r));
		goto out;
	}
	st->rip = eh.e_entry;
	st->rsp = lowest & ~15ULL;
	st->rflags = 0x3002; /* IOPL 3, interrupts off */
	st->rbx = low;
	st->rsi = guest_mem_size(m);
	r = 0;
out:
	if (e)
		elf_end(e);
	return r;
}

static void exit_port_io(void *opaque, uint64_t offset, uint8_t *data, uint32_t len, bool is_write)
{
	struct testguest_exit *t = opaque;
	char why[64];

	if (!is_write) {
		memset(data, 0xff, len);
		return;
	}
	snprintf(why, sizeof(why), "test guest exit (port 0x%x, value %u)", TESTGUEST_EXIT_PORT,
		 data[0]);
	t->host->ops->request_exit(t->host->ctx, data[0], why);
}

int testguest_exit_port_init(struct testguest_exit *t, struct dev_host *host)
{
	t->host = host;
	return io_bus_register(host->pio, TESTGUEST_EXIT_PORT, 1, exit_port_io, t,
			       "test-guest exit");
}

void testguest_exit_port_destroy(struct testguest_exit *t)
{
	io_bus_unregister(t->host->pio, TESTGUEST_EXIT_PORT, t);
}
