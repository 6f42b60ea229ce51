/* linux_params.c: what the bzImage and PVH loaders share: error messages, the command line
 * (bulwark's additions, its copy into guest RAM) and where the initrd goes. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/linux_loader.h"

/* What bulwark's device model needs on every command line: no ACPI tables exist (CPUs, IOAPIC
 * and PCI interrupts come from the MP table), PCI through configuration mechanism #1 only, and a
 * minimal i8042 that only resets (no mouse port, no multiplexer, no PnP probing, no keyboard
 * self-test). by_key: the parameter is left out when the user gave the same key with any value
 * (acpi=force wins over acpi=off); otherwise only when the user gave the same token (pci= takes a
 * list of options and may be repeated, so pci=conf1 is added beside a user's pci=nomsi). */
static const struct {
	const char *param;
	bool by_key;
} linux_required_params[] = {
    {"acpi=off", true},	   {"pci=conf1", false},  {"i8042.noaux", true},
    {"i8042.nomux", true}, {"i8042.nopnp", true}, {"i8042.dumbkbd", true},
};

void linux_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

int linux_place_initrd(const struct guest_mem *m, uint64_t floor, uint64_t limit, uint64_t size,
		       uint64_t *gpa)
{
	uint64_t low_end = 0, top, addr;

	for (unsigned i = 0; i < m->n_regions; i++)
		if (m->region[i].gpa == 0)
			low_end = m->region[i].size;
	top = limit < low_end ? limit : low_end;
	floor = (floor + 0xfff) & ~0xfffULL;
	if (size > top || top - size < floor)
		return -ENOMEM;
	addr = (top - size) & ~0xfffULL;
	if (addr < floor || !guest_mem_ptr(m, addr, size))
		return -ENOMEM;
	*gpa = addr;
	return 0;
}

int linux_write_cmdline(struct guest_mem *m, const char *cmdline, uint64_t max_len, char *err,
			size_t errlen)
{
	size_t len = strlen(cmdline);

	if (max_len > LINUX_CMDLINE_MAX - 1)
		max_len = LINUX_CMDLINE_MAX - 1;
	if (len > max_len) {
		linux_err(
		    err, errlen,
		    "command line too long: %zu bytes with what bulwark adds, the kernel accepts "
		    "%llu",
		    len, (unsigned long long)max_len);
		return -EINVAL;
	}
	if (guest_mem_write(m, LINUX_CMDLINE_GPA, cmdline, len + 1)) {
		linux_err(err, errlen, "no guest RAM for the command line at 0x%llx",
			  LINUX_CMDLINE_GPA);
		return -ENOMEM;
	}
	return 0;
}

/* True when the kernel parameters in [s, end) have a token with the key of param (the part before
 * '='; by_key false: the whole token). */
static bool cmdline_has(const char *s, const char *end, const char *param, bool by_key)
{
	size_t klen = by_key ? strcspn(param, "=") : strlen(param);

	while (s < end) {
		size_t tlen;

		while (s < end && (*s == ' ' || *s == '\t' || *s == '\n'))
			s++;
		tlen = 0;
		while (s + tlen < end && s[tlen] != ' ' && s[tlen] != '\t' && s[tlen] != '\n')
			tlen++;
		if (tlen >= klen && !strncmp(s, param, klen) && (tlen == klen || s[klen] == '='))
			return true;
		s += tlen;
	}
	return false;
}

char *linux_build_cmdline(const char *user)
{
	const char *base = user ? user : LINUX_DEFAULT_CMDLINE;
	const char *init_args = NULL, *end;
	size_t cap, n = 0;
	char *out;

	/* everything after a "--" token goes to init: our parameters go before it */
	for (const char *p = base; (p = strstr(p, "--")) != NULL; p += 2) {
		bool start = p == base || p[-1] == ' ' || p[-1] == '\t';
		bool stop = p[2] == '\0' || p[2] == ' ' || p[2] == '\t';

		if (start && stop) {
			init_args = p;
			break;
		}
	}
	end = init_args ? init_args : base + strlen(base);
	while (end > base && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	cap = strlen(base) + 2;
	for (size_t i = 0; i < sizeof(linux_required_params) / sizeof(linux_required_params[0]);
	     i++)
		cap += strlen(linux_required_params[i].param) + 1;
	out = malloc(cap);
	if (!out)
		return NULL;
	memcpy(out, base, (size_t)(end - base));
	n = (size_t)(end - base);
	for (size_t i = 0; i < sizeof(linux_required_params) / sizeof(linux_required_params[0]);
	     i++) {
		const char *param = linux_required_params[i].param;

		if (cmdline_has(base, end, param, linux_required_params[i].by_key))
			continue;
		if (n)
			out[n++] = ' ';
		memcpy(out + n, param, strlen(param));
		n += strlen(param);
	}
	if (init_args) {
		out[n++] = ' ';
		memcpy(out + n, init_args, strlen(init_args));
		n += strlen(init_args);
	}
	out[n] = '\0';
	return out;
}
