/* spin.c: prints a line and loops for ever (with a port write now and then, so a stop request is
 * seen): tests stop it with SIGTERM/SIGINT (tests/vmm/kvm-stop.sh, kvm-smp.sh). */
#include "cpl3.h"

int main(void)
{
	serial_puts("spinning\n");
	for (uint64_t i = 0;; i++)
		if (!(i & 0xfffff))
			outb(0x80, (uint8_t)i);
}
