/* hello.c: prints over the serial port and exits with status 0 (tests/vmm/kvm-serial.sh). */
#include "cpl3.h"

int main(void)
{
	printf("hello from a CPL3 test guest: %u MiB RAM, %u vCPUs, %d %x %s\n",
	       (unsigned)(cpl3_mem_total >> 20), cpl3_ncpus, -42, 0xbeefu, "ok");
	return 0;
}
