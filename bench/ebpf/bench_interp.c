/* bench_interp.c: the interpreter against the JIT and native C on the same packet filter
 * (bench/ebpf/bench-interp.sh runs it). The filter parses a 64-byte packet (Ethernet, IPv4 or
 * IPv6, TCP/UDP ports), hashes the 5-tuple and matches it against 8 rules: the per-packet work
 * of a firewall without its map lookup (the map-based filters are in E3's engine benchmarks).
 * It runs under the mem:64 program type, verified first; each engine's empty-program time is
 * measured in the same run and subtracted, so the table shows body time per packet. Batches of
 * BATCH packets per measurement, min and median of REPS measurements. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ebpf/asm.h"
#include "ebpf/interp.h"
#include "ebpf/prog.h"

#ifdef EBPF_CORE_HAVE_JIT
#include "ebpf/jit.h"
#endif
#ifdef EBPF_CORE_HAVE_VERIFIER
#include "ebpf/verifier.h"
#endif

#define NPKT 1024
#define BATCH (NPKT * 16)
#define REPS 31
#define PKT 64

static const char filter_text[] =
    "# 5-tuple filter over a 64-byte packet in r1 (length in r2): Ethernet, IPv4/IPv6, TCP/UDP;\n"
    "# returns the rule number (1-8) whose flow hash matches, 0 for no match, 100 non-IP.\n"
    "  mov %r6, %r1\n"
    "  ldxh %r3, [%r6+12]\n"
    "  be16 %r3\n"
    "  jeq %r3, 0x0800, ipv4\n"
    "  jeq %r3, 0x86dd, ipv6\n"
    "  mov %r0, 100\n"
    "  exit\n"
    "ipv4:\n"
    "  ldxb %r4, [%r6+14]\n"
    "  and %r4, 0xf\n"
    "  lsh %r4, 2\n"
    "  ldxb %r5, [%r6+23]\n"
    "  ldxw %r7, [%r6+26]\n"
    "  ldxw %r8, [%r6+30]\n"
    "  add %r4, 14\n"
    "  jgt %r4, 60, short\n"
    "  ja l4\n"
    "ipv6:\n"
    "  ldxb %r5, [%r6+20]\n"
    "  ldxw %r7, [%r6+22]\n"
    "  ldxw %r3, [%r6+26]\n"
    "  xor %r7, %r3\n"
    "  ldxw %r3, [%r6+30]\n"
    "  xor %r7, %r3\n"
    "  ldxw %r3, [%r6+34]\n"
    "  xor %r7, %r3\n"
    "  ldxw %r8, [%r6+38]\n"
    "  ldxw %r3, [%r6+42]\n"
    "  xor %r8, %r3\n"
    "  ldxw %r3, [%r6+46]\n"
    "  xor %r8, %r3\n"
    "  ldxw %r3, [%r6+50]\n"
    "  xor %r8, %r3\n"
    "  mov %r4, 54\n"
    "  jgt %r4, 60, short\n"
    "l4:\n"
    "  mov %r9, 0\n"
    "  jeq %r5, 6, ports\n"
    "  jne %r5, 17, hash\n"
    "ports:\n"
    "  add %r4, %r6\n"
    "  ldxh %r9, [%r4+0]\n"
    "  ldxh %r3, [%r4+2]\n"
    "  lsh %r9, 16\n"
    "  or %r9, %r3\n"
    "hash:\n"
    "  lddw %r0, 0x9e3779b97f4a7c15\n"
    "  mov %r3, %r7\n"
    "  lsh %r3, 32\n"
    "  or %r3, %r8\n"
    "  xor %r3, %r0\n"
    "  mul %r3, %r0\n"
    "  mov %r2, %r3\n"
    "  rsh %r2, 29\n"
    "  xor %r3, %r2\n"
    "  xor %r3, %r9\n"
    "  mul %r3, %r0\n"
    "  mov %r2, %r3\n"
    "  rsh %r2, 32\n"
    "  xor %r3, %r2\n"
    "  xor %r3, %r5\n"
    "  and %r3, 0xff\n"
    "  mov %r0, 1\n"
    "  jeq %r3, 0x11, out\n"
    "  mov %r0, 2\n"
    "  jeq %r3, 0x22, out\n"
    "  mov %r0, 3\n"
    "  jeq %r3, 0x33, out\n"
    "  mov %r0, 4\n"
    "  jeq %r3, 0x44, out\n"
    "  mov %r0, 5\n"
    "  jeq %r3, 0x55, out\n"
    "  mov %r0, 6\n"
    "  jeq %r3, 0x66, out\n"
    "  mov %r0, 7\n"
    "  jeq %r3, 0x77, out\n"
    "  mov %r0, 8\n"
    "  jeq %r3, 0x88, out\n"
    "  mov %r0, 0\n"
    "out:\n"
    "  exit\n"
    "short:\n"
    "  mov %r0, 0\n"
    "  exit\n";

static uint8_t pkts[NPKT][PKT];

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The same logic as filter.s, in C. */
static __attribute__((noinline)) uint64_t native_filter(const uint8_t *p, uint64_t len)
{
	uint64_t ethtype = (uint64_t)p[12] << 8 | p[13], proto, l4, ports = 0, a, b, h;
	const uint64_t k = 0x9e3779b97f4a7c15ull;
	uint32_t w;

	(void)len;
	if (ethtype == 0x0800) {
		l4 = (uint64_t)(p[14] & 0xf) * 4 + 14;
		proto = p[23];
		memcpy(&w, p + 26, 4);
		a = w;
		memcpy(&w, p + 30, 4);
		b = w;
		if (l4 > 60)
			return 0;
	} else if (ethtype == 0x86dd) {
		uint32_t x[8];

		proto = p[20];
		memcpy(x, p + 22, 32);
		a = x[0] ^ x[1] ^ x[2] ^ x[3];
		b = x[4] ^ x[5] ^ x[6] ^ x[7];
		l4 = 54;
	} else {
		return 100;
	}
	if (proto == 6 || proto == 17) {
		uint16_t s, d;

		memcpy(&s, p + l4, 2);
		memcpy(&d, p + l4 + 2, 2);
		ports = (uint64_t)s << 16 | d;
	}
	h = ((a << 32 | b) ^ k) * k;
	h ^= h >> 29;
	h ^= ports;
	h *= k;
	h ^= h >> 32;
	h ^= proto;
	h &= 0xff;
	for (uint64_t r = 1; r <= 8; r++)
		if (h == r * 0x11)
			return r;
	return 0;
}

static __attribute__((noinline)) uint64_t native_empty(const uint8_t *p, uint64_t len)
{
	(void)p;
	(void)len;
	__asm__ volatile("" ::: "memory");
	return 0;
}

static void make_packets(void)
{
	uint64_t s = 0x2545f4914f6cdd1dull;

	for (int i = 0; i < NPKT; i++) {
		uint8_t *p = pkts[i];

		for (int j = 0; j < PKT; j++) {
			s ^= s << 13;
			s ^= s >> 7;
			s ^= s << 17;
			p[j] = (uint8_t)s;
		}
		switch (i % 8) {
		case 0:
		case 1:
		case 2: /* IPv4 TCP */
			p[12] = 0x08, p[13] = 0x00, p[14] = 0x45, p[23] = 6;
			break;
		case 3:
		case 4: /* IPv4 UDP, sometimes with options */
			p[12] = 0x08, p[13] = 0x00, p[14] = i % 16 == 4 ? 0x4f : 0x46, p[23] = 17;
			break;
		case 5:
		case 6: /* IPv6 */
			p[12] = 0x86, p[13] = 0xdd, p[20] = i % 16 == 6 ? 17 : 6;
			break;
		default: /* ARP */
			p[12] = 0x08, p[13] = 0x06;
			break;
		}
	}
}

static struct ebpf_prog *load(const char *text, const char *name)
{
	struct ebpf_prog *p = calloc(1, sizeof(*p));
	char err[1024];

	if (!p || ebpf_asm(text, &p->insns, &p->n_insns, err, sizeof(err))) {
		fprintf(stderr, "bench-interp: %s: %s\n", name, err);
		exit(1);
	}
	snprintf(p->name, sizeof(p->name), "%s", name);
	p->type = ebpf_prog_type_mem(PKT);
#ifdef EBPF_CORE_HAVE_VERIFIER
	{
		struct ebpf_verify_result res;

		memset(&res, 0, sizeof(res));
		if (ebpf_verify(p, NULL, &res)) {
			fprintf(stderr, "bench-interp: %s refused: %s\n", name, res.message);
			exit(1);
		}
		ebpf_verify_result_free(&res);
	}
#else
	p->verified = true;
#endif
	if (ebpf_interp_prepare(p, err, sizeof(err))) {
		fprintf(stderr, "bench-interp: %s: %s\n", name, err);
		exit(1);
	}
#ifdef EBPF_CORE_HAVE_JIT
	if (ebpf_jit_compile(p, NULL, err, sizeof(err))) {
		fprintf(stderr, "bench-interp: %s: JIT: %s\n", name, err);
		exit(1);
	}
#endif
	return p;
}

enum engine { ENG_INTERP, ENG_JIT, ENG_NATIVE };

/* ns per packet over one batch */
static double measure(enum engine e, const struct ebpf_prog *p, bool empty, uint64_t *sum)
{
	uint64_t t0 = now_ns(), s = 0;

	for (int r = 0; r < BATCH / NPKT; r++)
		for (int i = 0; i < NPKT; i++) {
			uint64_t a = (uint64_t)(uintptr_t)pkts[i];

			switch (e) {
			case ENG_INTERP:
				s += ebpf_interp_run(p, a, PKT);
				break;
#ifdef EBPF_CORE_HAVE_JIT
			case ENG_JIT:
				s += ebpf_jit_run(p, a, PKT);
				break;
#endif
			default:
				s += empty ? native_empty(pkts[i], PKT)
					   : native_filter(pkts[i], PKT);
				break;
			}
		}
	*sum = s;
	return (double)(now_ns() - t0) / BATCH;
}

struct stat {
	double min, median;
};

static struct stat series(enum engine e, const struct ebpf_prog *p, bool empty, uint64_t *sum)
{
	double t[REPS];
	struct stat st;

	measure(e, p, empty, sum); /* warm-up */
	for (int k = 0; k < REPS; k++)
		t[k] = measure(e, p, empty, sum);
	qsort(t, REPS, sizeof(t[0]), cmp_double);
	st.min = t[0];
	st.median = t[REPS / 2];
	return st;
}

int main(void)
{
	struct ebpf_prog *filter, *empty;
	struct stat body[3], base[3];
	uint64_t sums[3] = {0}, dummy;
	static const char *const names[3] = {"interpreter", "JIT", "native C"};
	int n_eng = 3;

	make_packets();
	filter = load(filter_text, "filter");
	empty = load("mov %r0, 0\nexit\n", "empty");
	for (int e = 0; e < 3; e++) {
#ifndef EBPF_CORE_HAVE_JIT
		if (e == ENG_JIT)
			continue;
#endif
		base[e] = series((enum engine)e, empty, true, &dummy);
		body[e] = series((enum engine)e, filter, false, &sums[e]);
	}
#ifndef EBPF_CORE_HAVE_JIT
	n_eng = 2;
	printf("(the JIT is not in this build: interpreter and native C only)\n");
#endif
	printf("5-tuple filter, %d-byte packets, %d packets per measurement, %d measurements\n",
	       PKT, BATCH, REPS);
	printf("filter: %u instructions; body = run - empty-program run of the same engine\n",
	       filter->n_insns);
	printf("%-12s %12s %12s %12s %12s\n", "engine", "run min ns", "empty min ns", "body min ns",
	       "body median");
	for (int e = 0; e < 3; e++) {
		if (n_eng == 2 && e == ENG_JIT)
			continue;
		printf("%-12s %12.2f %12.2f %12.2f %12.2f\n", names[e], body[e].min, base[e].min,
		       body[e].min - base[e].min, body[e].median - base[e].median);
	}
	if (sums[ENG_NATIVE] != sums[ENG_INTERP] ||
	    (n_eng == 3 && sums[ENG_JIT] != sums[ENG_INTERP])) {
		fprintf(stderr,
			"bench-interp: engines disagree: interp %" PRIu64 " jit %" PRIu64
			" native %" PRIu64 "\n",
			sums[ENG_INTERP], sums[ENG_JIT], sums[ENG_NATIVE]);
		return 1;
	}
	{
		double bi = body[ENG_INTERP].min - base[ENG_INTERP].min;
		double bn = body[ENG_NATIVE].min - base[ENG_NATIVE].min;

		if (n_eng == 3) {
			double bj = body[ENG_JIT].min - base[ENG_JIT].min;

			printf("ratio interpreter / JIT (body, min): %.2fx   (goal: <= 10x)\n",
			       bi / bj);
			printf("ratio JIT / native C (body, min):    %.2fx\n", bj / bn);
		}
		printf("ratio interpreter / native C (body, min): %.2fx\n", bi / bn);
	}
	ebpf_prog_free(filter);
	ebpf_prog_free(empty);
	return 0;
}
