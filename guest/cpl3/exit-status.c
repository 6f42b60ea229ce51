/* exit-status.c: prints a line and exits with status 42 through the debug-exit port, so tests see
 * a guest's status propagate to `bulwark run` (tests/vmm/kvm-exit.sh). */
#include "cpl3.h"

int main(void)
{
	serial_puts("exiting with 42\n");
	cpl3_exit(42);
}
