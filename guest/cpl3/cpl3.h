/* cpl3.h: the runtime of bulwark's CPL3 test guests (see README.md in this directory).
 *
 * A test guest is a freestanding static ELF that `bulwark run --kernel GUEST` loads at its physical
 * addresses and enters at CPL3 in long mode: identity map of guest RAM and the 32-bit PCI hole with
 * the user bit, IOPL 3 (port I/O allowed), stack below the image, no IDT (any exception ends the
 * guest with a triple fault, `bulwark run` exit status 3). Everything here is inline or in
 * runtime.c; nothing needs CPL0. */
#ifndef BULWARK_GUEST_CPL3_H
#define BULWARK_GUEST_CPL3_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Ports with a meaning for test guests (enabled by bulwark only for CPL3 test guests). */
#define CPL3_EXIT_PORT 0x501 /* write v: bulwark exits with status v & 0xff */
#define CPL3_SERIAL_PORT 0x3f8

/* Filled by the start code from what bulwark passes at entry (rbx, rsi, rdx). */
extern uint64_t cpl3_mem_low;	/* bytes of RAM at [0, cpl3_mem_low) (below the PCI hole) */
extern uint64_t cpl3_mem_total; /* all RAM; RAM above 4 GiB is [4 GiB, 4 GiB + total - low) */
extern uint32_t cpl3_ncpus;	/* vCPUs of the VM (only the first one runs the guest) */

/* The test's entry point; its return value is the exit status (as cpl3_exit()). */
int main(void);

/* Port I/O. */
static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" ::"a"(v), "Nd"(port));
}
static inline void outw(uint16_t port, uint16_t v)
{
	__asm__ volatile("outw %0, %1" ::"a"(v), "Nd"(port));
}
static inline void outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" ::"a"(v), "Nd"(port));
}
static inline uint8_t inb(uint16_t port)
{
	uint8_t v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}
static inline uint16_t inw(uint16_t port)
{
	uint16_t v;

	__asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}
static inline uint32_t inl(uint16_t port)
{
	uint32_t v;

	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

/* MMIO (guest-physical == virtual: the identity map). */
static inline uint8_t mmio_read8(uint64_t a)
{
	return *(volatile uint8_t *)a;
}
static inline uint16_t mmio_read16(uint64_t a)
{
	return *(volatile uint16_t *)a;
}
static inline uint32_t mmio_read32(uint64_t a)
{
	return *(volatile uint32_t *)a;
}
static inline uint64_t mmio_read64(uint64_t a)
{
	return *(volatile uint64_t *)a;
}
static inline void mmio_write8(uint64_t a, uint8_t v)
{
	*(volatile uint8_t *)a = v;
}
static inline void mmio_write16(uint64_t a, uint16_t v)
{
	*(volatile uint16_t *)a = v;
}
static inline void mmio_write32(uint64_t a, uint32_t v)
{
	*(volatile uint32_t *)a = v;
}
static inline void mmio_write64(uint64_t a, uint64_t v)
{
	*(volatile uint64_t *)a = v;
}

/* Ordering: barrier() for the compiler, mb() for shared memory with the VMM's device threads. */
#define barrier() __asm__ volatile("" ::: "memory")
static inline void mb(void)
{
	__asm__ volatile("mfence" ::: "memory");
}
static inline void rmb(void)
{
	__asm__ volatile("lfence" ::: "memory");
}
static inline void wmb(void)
{
	__asm__ volatile("sfence" ::: "memory");
}
static inline void cpu_relax(void)
{
	__asm__ volatile("pause" ::: "memory");
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

/* Serial console (16550 at 0x3f8, polled: waits for LSR THRE, no interrupts). */
void serial_putc(char c);
void serial_puts(const char *s);
/* printf subset: %d %i %u %x %X %p %s %c %%, modifiers l/ll/z, field width and 0 padding. */
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));
int snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Ends the guest: bulwark exits with status & 0xff. */
__attribute__((noreturn)) void cpl3_exit(int status);
/* Prints "FAIL: file:line: msg" and exits with status 1. */
#define CPL3_ASSERT(cond)                                                       \
	do {                                                                    \
		if (!(cond)) {                                                  \
			printf("FAIL: %s:%d: %s\n", __FILE__, __LINE__, #cond); \
			cpl3_exit(1);                                           \
		}                                                               \
	} while (0)

/* Bump allocator over the RAM between the end of the image and cpl3_mem_low; memory is zeroed.
 * align must be a power of two. Returns NULL when exhausted. Nothing is ever freed. */
void *cpl3_alloc(size_t size, size_t align);

/* xorshift64* pseudo-random numbers (state must not be 0). */
uint64_t cpl3_rand(uint64_t *state);

/* The usual freestanding helpers (gcc may emit calls to the first four). */
void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
void *memmove(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);

#endif
