/* echo.c: reads one line from the serial port (polling LSR.DR) and prints it back as
 * "echo: LINE (N bytes)", then exits 0; exits 9 if nothing arrives in 2^22
 * polls (tests/vmm/kvm-serial.sh feeds it through bulwark's stdin). */
#include "cpl3.h"

#define LSR_DR 0x01

int main(void)
{
	char line[128];
	unsigned n = 0;
	uint64_t spins = 0;

	serial_puts("echo: ready\n");
	while (n < sizeof(line) - 1) {
		char c;

		if (!(inb(CPL3_SERIAL_PORT + 5) & LSR_DR)) {
			if (++spins >> 22)
				return 9;
			cpu_relax();
			continue;
		}
		c = (char)inb(CPL3_SERIAL_PORT);
		if (c == '\n' || c == '\r')
			break;
		line[n++] = c;
	}
	line[n] = '\0';
	printf("echo: %s (%u bytes)\n", line, n);
	return 0;
}
