/* bench_jit.c: JIT benchmarks (bench/ebpf/bench-jit.sh runs it).
 *
 *   compile   JIT compile time per instruction slot on the 313 conformance programs and on a
 *             large generated program, against the interpreter's pre-decoding of the same
 *             programs (the reference measured in the same run), and code bytes per slot.
 *   run       body time of small kernels (byte checksum loop, hash-mixing loop) on the JIT, the
 *             interpreter and the same logic in C, in batches, min and median of repetitions.
 *
 * Usage: bench-jit [CONFORMANCE_DIR]   (default $BULWARK_SHARED/conformance/tests) */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "ebpf/asm.h"
#include "ebpf/conformance.h"
#include "ebpf/interp.h"
#include "ebpf/jit.h"
#include "ebpf/prog.h"

#define REPS 9

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static struct ebpf_prog *prog_new(struct ebpf_insn *insns, uint32_t n, uint32_t mem)
{
	struct ebpf_prog *p = calloc(1, sizeof(*p));

	p->insns = insns;
	p->n_insns = n;
	p->type = ebpf_prog_type_mem(mem);
	snprintf(p->name, sizeof(p->name), "bench");
	return p;
}

/* ---- compile time -----------------------------------------------------------------------------
 */

struct progs {
	struct ebpf_prog **p;
	size_t n;
	uint64_t slots;
};

static int load_conformance(const char *dir, struct progs *ps)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char path[2048], err[512];

	if (!d) {
		fprintf(stderr, "bench-jit: %s: %s\n", dir, strerror(errno));
		return -1;
	}
	while ((de = readdir(d))) {
		struct ebpf_conf_test t;
		struct ebpf_insn *insns = NULL;
		uint32_t n = 0;
		size_t l = strlen(de->d_name);

		if (l < 5 || strcmp(de->d_name + l - 5, ".data"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (ebpf_conf_load(path, &t, err, sizeof(err)))
			continue;
		if (t.raw) {
			insns = malloc(t.n_raw * sizeof(*insns));
			memcpy(insns, t.raw, t.n_raw * sizeof(*insns));
			n = t.n_raw;
		} else if (!t.asm_text || ebpf_asm(t.asm_text, &insns, &n, err, sizeof(err))) {
			ebpf_conf_free(&t);
			continue;
		}
		ps->p = realloc(ps->p, (ps->n + 1) * sizeof(*ps->p));
		ps->p[ps->n++] = prog_new(insns, n, t.mem_len ? (uint32_t)t.mem_len : 0);
		ps->slots += n;
		ebpf_conf_free(&t);
	}
	closedir(d);
	return 0;
}

/* A large straight-line-and-branches program: ALU of every kind, loads/stores on the stack,
 * forward jumps every few slots. */
static struct ebpf_prog *large_program(uint32_t n)
{
	struct ebpf_insn *in = calloc(n, sizeof(*in));
	uint32_t i;

	for (i = 0; i + 1 < n; i++) {
		uint32_t k = i % 8;
		struct ebpf_insn *x = &in[i];

		x->dst = (uint8_t)(i % 9 == 1 ? 0 : i % 9);
		x->src = (uint8_t)((i * 7) % 9 == 1 ? 2 : (i * 7) % 9);
		if (k == 0) {
			x->code = EBPF_CLASS_ALU64 | EBPF_ALU_MOV;
			x->imm = (int32_t)(i * 2654435761u);
		} else if (k == 1) {
			x->code = EBPF_CLASS_ALU64 | EBPF_ALU_ADD | EBPF_SRC_X;
		} else if (k == 2) {
			x->code = EBPF_CLASS_ALU | EBPF_ALU_MUL;
			x->imm = 0x12345;
		} else if (k == 3) {
			x->code = EBPF_CLASS_STX | EBPF_MODE_MEM | EBPF_SIZE_DW;
			x->dst = 10;
			x->off = (int16_t)(-8 * (1 + i % 64));
		} else if (k == 4) {
			x->code = EBPF_CLASS_LDX | EBPF_MODE_MEM | EBPF_SIZE_W;
			x->src = 10;
			x->off = (int16_t)(-8 * (1 + i % 64));
		} else if (k == 5) {
			x->code = EBPF_CLASS_JMP | EBPF_JMP_JGT;
			x->imm = 100;
			x->off = (int16_t)(i + 20 < n - 1 ? 17 : 0);
		} else if (k == 6) {
			x->code = EBPF_CLASS_ALU64 | EBPF_ALU_RSH;
			x->imm = 3;
		} else {
			x->code = EBPF_CLASS_ALU64 | EBPF_ALU_XOR | EBPF_SRC_X;
		}
		if (EBPF_CLASS(x->code) != EBPF_CLASS_LDX &&
		    EBPF_CLASS(x->code) != EBPF_CLASS_STX && EBPF_SRC(x->code) == EBPF_SRC_K)
			x->src = 0;
	}
	in[n - 1].code = EBPF_CLASS_JMP | EBPF_JMP_EXIT;
	return prog_new(in, n, 0);
}

/* min and median of REPS timings of compiling (jit) or pre-decoding (interp) all programs */
static void time_compile(struct progs *ps, bool jit, uint64_t *min, uint64_t *med)
{
	uint64_t t[REPS];
	char err[512];

	for (int r = 0; r < REPS; r++) {
		uint64_t t0 = now_ns();

		for (size_t i = 0; i < ps->n; i++) {
			if (jit) {
				if (ebpf_jit_compile(ps->p[i], NULL, err, sizeof(err))) {
					fprintf(stderr, "bench-jit: %s\n", err);
					exit(1);
				}
			} else {
				ebpf_interp_reset(ps->p[i]);
				if (ebpf_interp_prepare(ps->p[i], err, sizeof(err))) {
					fprintf(stderr, "bench-jit: interp: %s\n", err);
					exit(1);
				}
			}
		}
		t[r] = now_ns() - t0;
	}
	qsort(t, REPS, sizeof(t[0]), cmp_u64);
	*min = t[0];
	*med = t[REPS / 2];
}

/* What the W^X image itself costs per program on this machine, measured the way the JIT maps an
 * image: mmap read-write, copy, mprotect read+execute and guard, munmap at free. On a machine
 * where TLB flushes are expensive (a paravirtualised guest) this dominates small programs. */
static double mapping_ns(void)
{
	size_t page = 4096;
	uint64_t t[REPS];
	static const uint8_t code[64] = {0xc3};

	for (int r = 0; r < REPS; r++) {
		uint64_t t0 = now_ns();

		for (int i = 0; i < 100; i++) {
			uint8_t *m = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
					  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

			if (m == MAP_FAILED)
				exit(1);
			memcpy(m, code, sizeof(code));
			if (mprotect(m + page, page, PROT_NONE) ||
			    mprotect(m, page, PROT_READ | PROT_EXEC))
				exit(1);
			munmap(m, 2 * page);
		}
		t[r] = (now_ns() - t0) / 100;
	}
	qsort(t, REPS, sizeof(t[0]), cmp_u64);
	return (double)t[0];
}

static void bench_compile(const char *label, struct progs *ps)
{
	uint64_t jmin, jmed, imin, imed;
	size_t bytes = 0;

	time_compile(ps, true, &jmin, &jmed);
	time_compile(ps, false, &imin, &imed);
	for (size_t i = 0; i < ps->n; i++)
		bytes += ebpf_jit_code_size(ps->p[i]->jit);
	double map = mapping_ns() * (double)ps->n;
	double gen = (double)jmin > map ? (double)jmin - map : 0;

	printf("%-24s %4zu progs %7" PRIu64 " slots: jit %8.1f ns/slot (median %8.1f), of which "
	       "code generation %6.1f ns/slot and W^X mapping %6.1f us/program; interpreter "
	       "pre-decoding %5.1f ns/slot (jit/interp %6.1f, codegen/interp %5.1f); code %4.2f "
	       "bytes/slot\n",
	       label, ps->n, ps->slots, (double)jmin / (double)ps->slots,
	       (double)jmed / (double)ps->slots, gen / (double)ps->slots,
	       map / (double)ps->n / 1000.0, (double)imin / (double)ps->slots,
	       (double)jmin / (double)imin, gen / (double)imin, (double)bytes / (double)ps->slots);
}

/* ---- run time ----------------------------------------------------------------------------- */

/* sum of bytes * position, over the buffer (r1, r2 = length) */
static const char *const checksum_asm = "mov %r0, 0\n"
					"mov %r3, 0\n"
					"jeq %r2, 0, done\n"
					"loop:\n"
					"ldxb %r4, [%r1+0]\n"
					"add %r3, 1\n"
					"mul %r4, %r3\n"
					"add %r0, %r4\n"
					"add %r1, 1\n"
					"jlt %r3, %r2, loop\n"
					"done:\n"
					"exit\n";

__attribute__((noinline)) static uint64_t checksum_c(const uint8_t *p, uint64_t n)
{
	uint64_t s = 0;

	for (uint64_t i = 1; i <= n; i++) {
		__asm__ volatile("" : "+r"(s)); /* no vectorisation: compare scalar bodies */
		s += (uint64_t)*p++ * i;
	}
	return s;
}

/* 64 rounds of an xorshift-multiply mix of the first 8 bytes */
static const char *const mix_asm = "ldxdw %r0, [%r1+0]\n"
				   "mov %r2, 64\n"
				   "loop:\n"
				   "mov %r3, %r0\n"
				   "rsh %r3, 29\n"
				   "xor %r0, %r3\n"
				   "lddw %r4, 0xbf58476d1ce4e5b9\n"
				   "mul %r0, %r4\n"
				   "mov %r3, %r0\n"
				   "lsh %r3, 17\n"
				   "xor %r0, %r3\n"
				   "sub %r2, 1\n"
				   "jne %r2, 0, loop\n"
				   "exit\n";

__attribute__((noinline)) static uint64_t mix_c(const uint8_t *p, uint64_t n)
{
	uint64_t x;

	memcpy(&x, p, 8);
	for (int i = 0; i < 64; i++) {
		__asm__ volatile("" : "+r"(x));
		x ^= x >> 29;
		x *= 0xbf58476d1ce4e5b9ull;
		x ^= x << 17;
	}
	return x;
}

enum engine { E_JIT, E_INTERP, E_C };

static void time_run(struct ebpf_prog *p, uint64_t (*cfn)(const uint8_t *, uint64_t), enum engine e,
		     uint8_t *buf, size_t len, unsigned batch, double *min, double *med,
		     uint64_t *result)
{
	uint64_t t[REPS], r0 = 0;

	for (int r = 0; r < REPS; r++) {
		uint64_t t0 = now_ns();

		for (unsigned i = 0; i < batch; i++) {
			if (e == E_JIT)
				r0 += ebpf_jit_run(p, (uintptr_t)buf, len);
			else if (e == E_INTERP)
				r0 += ebpf_interp_run(p, (uintptr_t)buf, len);
			else
				r0 += cfn(buf, len);
			__asm__ volatile("" : "+r"(r0));
		}
		t[r] = now_ns() - t0;
	}
	qsort(t, REPS, sizeof(t[0]), cmp_u64);
	*min = (double)t[0] / batch;
	*med = (double)t[REPS / 2] / batch;
	*result = r0 / ((uint64_t)REPS * batch);
}

static void bench_run(const char *label, const char *text,
		      uint64_t (*cfn)(const uint8_t *, uint64_t), size_t len, unsigned batch)
{
	struct ebpf_insn *insns = NULL;
	uint32_t n = 0;
	char err[512];
	uint8_t *buf = malloc(len);
	struct ebpf_prog *p;
	double jmin, jmed, imin, imed, cmin, cmed;
	uint64_t jr, ir, cr;

	for (size_t i = 0; i < len; i++)
		buf[i] = (uint8_t)(i * 131 + 7);
	if (ebpf_asm(text, &insns, &n, err, sizeof(err))) {
		fprintf(stderr, "bench-jit: %s: %s\n", label, err);
		exit(1);
	}
	p = prog_new(insns, n, (uint32_t)len);
	if (ebpf_jit_compile(p, NULL, err, sizeof(err))) {
		fprintf(stderr, "bench-jit: %s: %s\n", label, err);
		exit(1);
	}
	time_run(p, cfn, E_JIT, buf, len, batch, &jmin, &jmed, &jr);
	time_run(p, cfn, E_INTERP, buf, len, batch, &imin, &imed, &ir);
	time_run(p, cfn, E_C, buf, len, batch, &cmin, &cmed, &cr);
	if (jr != cr || ir != cr) {
		fprintf(stderr,
			"bench-jit: %s: results differ (jit %" PRIx64 ", interp %" PRIx64
			", C %" PRIx64 ")\n",
			label, jr, ir, cr);
		exit(1);
	}
	printf("%-26s jit %8.1f ns (median %8.1f), interpreter %8.1f ns (median %8.1f), C %8.1f ns "
	       "(median %8.1f): jit/C %5.2f, interpreter/jit %5.2f\n",
	       label, jmin, jmed, imin, imed, cmin, cmed, jmin / cmin, imin / jmin);
	ebpf_prog_free(p);
	free(buf);
}

int main(int argc, char **argv)
{
	char dirbuf[1024];
	const char *dir = argc > 1 ? argv[1] : ebpf_conf_dir(NULL, dirbuf, sizeof(dirbuf));
	struct progs conf = {0}, large = {0};

	if (argc <= 1 && !getenv("BULWARK_SHARED")) {
		fprintf(stderr, "usage: bench-jit CONFORMANCE_DIR (or set BULWARK_SHARED)\n");
		return 2;
	}
	if (load_conformance(dir, &conf) || conf.n == 0) {
		fprintf(stderr, "bench-jit: no conformance programs in %s\n", dir);
		return 1;
	}
	printf("compile time (min of %d runs; jit includes mmap/mprotect of the image)\n", REPS);
	bench_compile("conformance suite", &conf);
	large.p = malloc(sizeof(*large.p));
	large.p[0] = large_program(100000);
	large.n = 1;
	large.slots = 100000;
	bench_compile("generated 100000 slots", &large);

	printf("run time per program run (batches; min of %d)\n", REPS);
	bench_run("checksum loop, 1500 bytes", checksum_asm, checksum_c, 1500, 2000);
	bench_run("mix loop, 64 rounds", mix_asm, mix_c, 64, 20000);

	for (size_t i = 0; i < conf.n; i++)
		ebpf_prog_free(conf.p[i]);
	free(conf.p);
	ebpf_prog_free(large.p[0]);
	free(large.p);
	return 0;
}
