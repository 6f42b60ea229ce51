/* runtime.c: serial output, printf subset, exit, allocator and string helpers of the CPL3 test
 * guests (see cpl3.h). */
#include "cpl3.h"

uint64_t cpl3_mem_low, cpl3_mem_total;
uint32_t cpl3_ncpus;
extern char _end[];
static uint64_t heap_next;

#define LSR_THRE 0x20

void serial_putc(char c)
{
	unsigned spins = 0;

	/* bulwark's UART drains at once; the bound keeps a broken UART from hanging the guest */
	while (!(inb(CPL3_SERIAL_PORT + 5) & LSR_THRE) && ++spins < 100000)
		cpu_relax();
	outb(CPL3_SERIAL_PORT, (uint8_t)c);
}

void serial_puts(const char *s)
{
	while (*s)
		serial_putc(*s++);
}

void cpl3_exit(int status)
{
	for (;;)
		outb(CPL3_EXIT_PORT, (uint8_t)status);
}

struct out {
	char *buf; /* NULL: serial */
	size_t size, n;
};

static void out_c(struct out *o, char c)
{
	if (!o->buf)
		serial_putc(c);
	else if (o->n + 1 < o->size)
		o->buf[o->n] = c;
	o->n++;
}

static void out_num(struct out *o, uint64_t v, unsigned base, bool upper, bool neg, int width,
		    char pad)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0;

	do {
		tmp[n++] = digits[v % base];
		v /= base;
	} while (v);
	if (neg && pad == '0')
		out_c(o, '-');
	for (int w = n + neg; w < width; w++)
		out_c(o, pad);
	if (neg && pad != '0')
		out_c(o, '-');
	while (n)
		out_c(o, tmp[--n]);
}

static int format(struct out *o, const char *fmt, va_list ap)
{
	for (; *fmt; fmt++) {
		int width = 0, lng = 0;
		char pad = ' ';

		if (*fmt != '%') {
			out_c(o, *fmt);
			continue;
		}
		fmt++;
		if (*fmt == '0')
			pad = '0';
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		while (*fmt == 'l' || *fmt == 'z') {
			lng++;
			fmt++;
		}
		switch (*fmt) {
		case 'd':
		case 'i': {
			int64_t v = lng ? va_arg(ap, int64_t) : va_arg(ap, int);

			out_num(o, v < 0 ? -(uint64_t)v : (uint64_t)v, 10, false, v < 0, width,
				pad);
			break;
		}
		case 'u':
			out_num(o, lng ? va_arg(ap, uint64_t) : va_arg(ap, unsigned), 10, false,
				false, width, pad);
			break;
		case 'x':
		case 'X':
			out_num(o, lng ? va_arg(ap, uint64_t) : va_arg(ap, unsigned), 16,
				*fmt == 'X', false, width, pad);
			break;
		case 'p':
			out_c(o, '0');
			out_c(o, 'x');
			out_num(o, (uint64_t)va_arg(ap, void *), 16, false, false, width, pad);
			break;
		case 's': {
			const char *s = va_arg(ap, const char *);

			if (!s)
				s = "(null)";
			for (int w = (int)strlen(s); w < width; w++)
				out_c(o, ' ');
			while (*s)
				out_c(o, *s++);
			break;
		}
		case 'c':
			out_c(o, (char)va_arg(ap, int));
			break;
		case '%':
			out_c(o, '%');
			break;
		case '\0':
			return (int)o->n;
		default:
			out_c(o, '%');
			out_c(o, *fmt);
		}
	}
	return (int)o->n;
}

int vprintf(const char *fmt, va_list ap)
{
	struct out o = {0};

	return format(&o, fmt, ap);
}

int printf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vprintf(fmt, ap);
	va_end(ap);
	return n;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	struct out o = {.buf = buf, .size = size};
	va_list ap;

	va_start(ap, fmt);
	format(&o, fmt, ap);
	va_end(ap);
	if (size)
		buf[o.n < size ? o.n : size - 1] = '\0';
	return (int)o.n;
}

void *cpl3_alloc(size_t size, size_t align)
{
	uint64_t p;

	if (!heap_next)
		heap_next = (uint64_t)_end;
	if (!align)
		align = 1;
	p = (heap_next + align - 1) & ~(uint64_t)(align - 1);
	if (p < heap_next || p + size < p || p + size > cpl3_mem_low)
		return NULL;
	heap_next = p + size;
	return memset((void *)p, 0, size);
}

uint64_t cpl3_rand(uint64_t *state)
{
	uint64_t x = *state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545F4914F6CDD1DULL;
}

void *memset(void *d, int c, size_t n)
{
	uint8_t *p = d;

	while (n--)
		*p++ = (uint8_t)c;
	return d;
}

void *memcpy(void *d, const void *s, size_t n)
{
	uint8_t *p = d;
	const uint8_t *q = s;

	while (n--)
		*p++ = *q++;
	return d;
}

void *memmove(void *d, const void *s, size_t n)
{
	uint8_t *p = d;
	const uint8_t *q = s;

	if (p < q)
		return memcpy(d, s, n);
	while (n--)
		p[n] = q[n];
	return d;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const uint8_t *p = a, *q = b;

	for (; n; n--, p++, q++)
		if (*p != *q)
			return *p - *q;
	return 0;
}

size_t strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

int strcmp(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return (uint8_t)*a - (uint8_t)*b;
}
