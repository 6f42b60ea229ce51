/* triple-fault.c: executes ud2 with no IDT; the exception cannot be delivered, the CPU shuts down
 * (KVM_EXIT_SHUTDOWN) and `bulwark run` exits with 3 (tests/vmm/kvm-exit.sh). */
#include "cpl3.h"

int main(void)
{
	serial_puts("about to fault\n");
	__asm__ volatile("ud2");
	serial_puts("still running after ud2\n");
	return 0;
}
