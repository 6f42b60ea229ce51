/* test_jit.c: unit tests of the x86-64 JIT (src/ebpf/jit_x86.c): every instruction class against
 * expected results, division and shift edge cases, calls (helpers, unwinding, callx, bpf-to-bpf,
 * depth limit), the whole conformance suite, W^X of the code mapping (/proc/self/maps), constant
 * blinding (no program immediate in the code) and refusal of malformed programs.
 *
 * The programs run on a test type equal to the suite's mem:SIZE (r1 = buffer, r2 = size, helpers
 * 0-5 of the suite), defined here so that the JIT is tested on its own. */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ebpf/asm.h"
#include "ebpf/conformance.h"
#include "ebpf/helpers.h"
#include "ebpf/interp.h"
#include "ebpf/jit.h"
#include "ebpf/jit_progen.h"
#include "ebpf/maps.h"
#include "ebpf/verifier.h"
#include "harness.h"

/* ---- the suite's helpers ----------------------------------------------------------------------
 */

static uint64_t h_gather(uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e)
{
	return (a & 0xff) << 32 | (b & 0xff) << 24 | (c & 0xff) << 16 | (d & 0xff) << 8 |
	       (e & 0xff);
}

static uint64_t h_memfrob(uint64_t p, uint64_t n, uint64_t c, uint64_t d, uint64_t e)
{
	uint8_t *m = (uint8_t *)(uintptr_t)p;

	for (uint64_t i = 0; i < n; i++)
		m[i] ^= 42;
	return 0;
}

static uint64_t h_noop(uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e)
{
	return 0;
}

static uint64_t h_sqrti(uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e)
{
	return (uint64_t)sqrt((double)a);
}

static uint64_t h_strcmp(uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e)
{
	return (uint64_t)(int64_t)strcmp((const char *)(uintptr_t)a, (const char *)(uintptr_t)b);
}

static uint64_t h_unwind(uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e)
{
	return a;
}

static int calls_seen;
static uint64_t h_count(uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e)
{
	calls_seen++;
	return a + b + c + d + e;
}

static const struct ebpf_helper helpers[] = {
    {.id = 0, .name = "gather_bytes", .fn = h_gather},
    {.id = 1, .name = "memfrob", .fn = h_memfrob},
    {.id = 2, .name = "no_op", .fn = h_noop},
    {.id = 3, .name = "sqrti", .fn = h_sqrti},
    {.id = 4, .name = "strcmp_ext", .fn = h_strcmp},
    {.id = 5, .name = "unwind", .fn = h_unwind, .may_unwind = true},
    {.id = 77, .name = "count", .fn = h_count},
};
static const struct ebpf_helper *const helper_list[] = {
    &helpers[0], &helpers[1], &helpers[2], &helpers[3], &helpers[4], &helpers[5], &helpers[6], NULL,
};
static const struct ebpf_prog_type test_type = {
    .name = "jit-test",
    .ctx_is_buffer = true,
    .helpers = helper_list,
};

/* ---- running ----------------------------------------------------------------------------------
 */

static struct ebpf_prog *prog_from(const struct ebpf_insn *insns, uint32_t n)
{
	struct ebpf_prog *p = calloc(1, sizeof(*p));

	p->insns = malloc(n * sizeof(*insns));
	memcpy(p->insns, insns, n * sizeof(*insns));
	p->n_insns = n;
	p->type = &test_type;
	snprintf(p->name, sizeof(p->name), "test");
	return p;
}

static struct ebpf_prog *prog_asm(const char *text)
{
	struct ebpf_insn *insns = NULL;
	struct ebpf_prog *p;
	uint32_t n = 0;
	char err[256];

	if (ebpf_asm(text, &insns, &n, err, sizeof(err))) {
		printf("#   asm: %s\n", err);
		return NULL;
	}
	p = prog_from(insns, n);
	free(insns);
	return p;
}

static void prog_done(struct ebpf_prog *p)
{
	if (!p)
		return;
	ebpf_jit_free(p->jit);
	free(p->insns);
	free(p);
}

static bool blind_all; /* run every program of a test with blinding too */

/* Assembles, compiles and runs text on mem (may be NULL); returns r0 or a poison value. With
 * blind_all also runs it blinded on a copy and checks that both agree. */
static uint64_t run_ex(const char *text, void *mem, size_t len, bool blind, int *jit_err)
{
	struct ebpf_jit_options o = {.blind_constants = blind};
	struct ebpf_prog *p = prog_asm(text);
	char err[256];
	uint64_t r0;

	if (!p)
		return 0xdeadbeefdeadbeefull;
	if (ebpf_jit_compile(p, &o, err, sizeof(err))) {
		printf("#   compile: %s\n", err);
		prog_done(p);
		return 0xdeadbeefdeadbeefull;
	}
	r0 = ebpf_jit_run(p, (uint64_t)(uintptr_t)mem, len);
	if (jit_err)
		*jit_err = ebpf_jit_last_run_error();
	prog_done(p);
	return r0;
}

static uint64_t run(const char *text, void *mem, size_t len)
{
	uint64_t r0;
	void *copy = NULL;

	if (mem) {
		copy = malloc(len);
		memcpy(copy, mem, len);
	}
	r0 = run_ex(text, mem, len, false, NULL);
	if (blind_all) {
		uint64_t rb = run_ex(text, copy, len, true, NULL);

		CHECK_EQ(rb, r0);
		if (mem)
			CHECK(!memcmp(copy, mem, len));
	}
	free(copy);
	return r0;
}

static int compile_err(const struct ebpf_insn *insns, uint32_t n, char *err, size_t len)
{
	struct ebpf_prog *p = prog_from(insns, n);
	int rc = ebpf_jit_compile(p, NULL, err, len);

	prog_done(p);
	return rc;
}

/* ---- instruction classes ----------------------------------------------------------------------
 */

TEST(alu64_ops)
{
	CHECK_EQ(run("mov %r0, 7\nadd %r0, 5\nexit", NULL, 0), 12);
	CHECK_EQ(run("mov %r0, 7\nmov %r1, -9\nadd %r0, %r1\nexit", NULL, 0), (uint64_t)-2);
	CHECK_EQ(run("mov %r0, 7\nsub %r0, 9\nexit", NULL, 0), (uint64_t)-2);
	CHECK_EQ(run("lddw %r0, 0x123456789\nmov %r3, 0x1000\nmul %r0, %r3\nexit", NULL, 0),
		 0x123456789000ull);
	CHECK_EQ(run("mov %r0, -3\nmul %r0, 100000\nexit", NULL, 0), (uint64_t)-300000);
	CHECK_EQ(run("lddw %r0, 0xff00ff00ff00ff00\nor %r0, 0x0f\nexit", NULL, 0),
		 0xff00ff00ff00ff0full);
	CHECK_EQ(run("lddw %r0, 0xff00ff00ff00ff00\nand %r0, -256\nexit", NULL, 0),
		 0xff00ff00ff00ff00ull);
	CHECK_EQ(run("lddw %r0, 0xff00ff00ff00ff00\nand %r0, 0x7fff0000\nexit", NULL, 0),
		 0x7f000000ull);
	CHECK_EQ(run("lddw %r0, 0xff00ff00ff00ff00\nxor %r0, -1\nexit", NULL, 0),
		 0x00ff00ff00ff00ffull);
	CHECK_EQ(run("mov %r6, 5\nneg %r6\nmov %r0, %r6\nexit", NULL, 0), (uint64_t)-5);
	CHECK_EQ(run("lddw %r0, 0x8000000000000000\nneg %r0\nexit", NULL, 0),
		 0x8000000000000000ull);
	/* every register as source and destination */
	CHECK_EQ(run("mov %r1, 1\nmov %r2, 2\nmov %r3, 3\nmov %r4, 4\nmov %r5, 5\nmov %r6, 6\n"
		     "mov %r7, 7\nmov %r8, 8\nmov %r9, 9\nmov %r0, %r10\nsub %r0, %r10\n"
		     "add %r0, %r1\nadd %r0, %r2\nadd %r0, %r3\nadd %r0, %r4\nadd %r0, %r5\n"
		     "add %r0, %r6\nadd %r0, %r7\nadd %r0, %r8\nadd %r0, %r9\nexit",
		     NULL, 0),
		 45);
	CHECK_EQ(run("mov %r9, 3\nmov %r8, %r9\nmul %r8, %r8\nmov %r7, %r8\nlsh %r7, 2\n"
		     "mov %r0, %r7\nexit",
		     NULL, 0),
		 36);
}

TEST(alu32_ops)
{
	CHECK_EQ(run("lddw %r0, 0xffffffff00000001\nadd32 %r0, 1\nexit", NULL, 0), 2);
	CHECK_EQ(run("mov %r0, 1\nsub32 %r0, 2\nexit", NULL, 0), 0xffffffffull);
	CHECK_EQ(run("lddw %r0, 0x1ffffffff\nmov32 %r0, %r0\nexit", NULL, 0), 0xffffffffull);
	CHECK_EQ(run("mov32 %r0, -1\nexit", NULL, 0), 0xffffffffull);
	CHECK_EQ(run("mov %r0, -1\nexit", NULL, 0), 0xffffffffffffffffull);
	CHECK_EQ(run("lddw %r0, 0x100000003\nmul32 %r0, 0x40000001\nexit", NULL, 0),
		 (uint32_t)(3u * 0x40000001u));
	CHECK_EQ(run("lddw %r0, 0xffffffffffffffff\nand32 %r0, 0xff\nexit", NULL, 0), 0xff);
	CHECK_EQ(run("lddw %r0, 0xffffffff00000000\nor32 %r0, 0\nexit", NULL, 0), 0);
	CHECK_EQ(run("lddw %r0, 0xffffffff00000005\nneg32 %r0\nexit", NULL, 0), 0xfffffffbull);
	CHECK_EQ(run("lddw %r3, 0xffffffff0000000f\nxor32 %r3, %r3\nmov %r0, %r3\nexit", NULL, 0),
		 0);
}

TEST(movsx)
{
	CHECK_EQ(run("mov %r1, 0x80\nmovsx864 %r0, %r1\nexit", NULL, 0), 0xffffffffffffff80ull);
	CHECK_EQ(run("mov %r1, 0x80\nmovsx832 %r0, %r1\nexit", NULL, 0), 0xffffff80ull);
	CHECK_EQ(run("mov %r1, 0x8001\nmovsx1664 %r0, %r1\nexit", NULL, 0), 0xffffffffffff8001ull);
	CHECK_EQ(run("mov %r1, 0x8001\nmovsx1632 %r0, %r1\nexit", NULL, 0), 0xffff8001ull);
	CHECK_EQ(run("mov32 %r1, 0x80000000\nmovsx3264 %r0, %r1\nexit", NULL, 0),
		 0xffffffff80000000ull);
	CHECK_EQ(run("mov %r6, 0x7f\nmovsx864 %r6, %r6\nmov %r0, %r6\nexit", NULL, 0), 0x7f);
	/* byte registers sil/dil need a REX prefix */
	CHECK_EQ(run("mov %r1, 0xfe\nmov %r2, 0xfd\nmovsx864 %r0, %r2\nmovsx864 %r1, %r1\n"
		     "add %r0, %r1\nexit",
		     NULL, 0),
		 (uint64_t)-5);
}

TEST(divmod_edges)
{
	/* unsigned, by registers and immediates */
	CHECK_EQ(run("mov %r0, 100\nmov %r1, 7\ndiv %r0, %r1\nexit", NULL, 0), 14);
	CHECK_EQ(run("mov %r0, 100\nmov %r1, 7\nmod %r0, %r1\nexit", NULL, 0), 2);
	CHECK_EQ(run("mov %r0, 100\ndiv %r0, 8\nexit", NULL, 0), 12);
	CHECK_EQ(run("mov %r0, 100\nmod %r0, 8\nexit", NULL, 0), 4);
	CHECK_EQ(run("mov %r0, 100\ndiv %r0, 1\nexit", NULL, 0), 100);
	CHECK_EQ(run("mov %r0, -1\ndiv %r0, -1\nexit", NULL, 0), 1); /* 64-bit: imm -1 = 2^64-1 */
	CHECK_EQ(run("mov32 %r0, -1\ndiv32 %r0, -1\nexit", NULL, 0), 1);
	CHECK_EQ(run("mov %r0, -1\ndiv32 %r0, 3\nexit", NULL, 0), 0x55555555);
	/* by zero: quotient 0, remainder unchanged (32-bit: zero-extended) */
	CHECK_EQ(run("mov %r0, 100\nmov %r1, 0\ndiv %r0, %r1\nexit", NULL, 0), 0);
	CHECK_EQ(run("mov %r0, 100\nmov %r1, 0\nmod %r0, %r1\nexit", NULL, 0), 100);
	CHECK_EQ(run("mov %r0, 100\ndiv %r0, 0\nexit", NULL, 0), 0);
	CHECK_EQ(run("mov %r0, -7\nmod %r0, 0\nexit", NULL, 0), (uint64_t)-7);
	CHECK_EQ(run("mov %r0, -7\nmov %r1, 0\nmod32 %r0, %r1\nexit", NULL, 0), 0xfffffff9ull);
	CHECK_EQ(run("lddw %r1, 0x100000000\nmov %r0, 5\ndiv32 %r0, %r1\nexit", NULL, 0), 0);
	/* signed */
	CHECK_EQ(run("mov %r0, -100\nmov %r1, 7\nsdiv %r0, %r1\nexit", NULL, 0), (uint64_t)-14);
	CHECK_EQ(run("mov %r0, -100\nmov %r1, 7\nsmod %r0, %r1\nexit", NULL, 0), (uint64_t)-2);
	CHECK_EQ(run("mov %r0, 100\nsmod %r0, -7\nexit", NULL, 0), 2);
	CHECK_EQ(run("mov %r0, -100\nsdiv32 %r0, 7\nexit", NULL, 0), (uint32_t)-14);
	CHECK_EQ(run("lddw %r0, 0x8000000000000000\nmov %r1, -1\nsdiv %r0, %r1\nexit", NULL, 0),
		 0x8000000000000000ull);
	CHECK_EQ(run("lddw %r0, 0x8000000000000000\nmov %r1, -1\nsmod %r0, %r1\nexit", NULL, 0), 0);
	CHECK_EQ(run("lddw %r0, 0x8000000000000000\nsdiv %r0, -1\nexit", NULL, 0),
		 0x8000000000000000ull);
	CHECK_EQ(run("mov32 %r0, 0x80000000\nmov %r1, -1\nsdiv32 %r0, %r1\nexit", NULL, 0),
		 0x80000000ull);
	CHECK_EQ(run("mov32 %r0, 0x80000000\nsmod32 %r0, -1\nexit", NULL, 0), 0);
	CHECK_EQ(run("mov %r0, -5\nmov %r1, 0\nsdiv %r0, %r1\nexit", NULL, 0), 0);
	CHECK_EQ(run("mov %r0, -5\nmov %r1, 0\nsmod %r0, %r1\nexit", NULL, 0), (uint64_t)-5);
	/* r0 and r3 (rax, rdx) survive a division of other registers, and can be operands */
	CHECK_EQ(run("mov %r0, 11\nmov %r3, 13\nmov %r4, 100\nmov %r5, 7\ndiv %r4, %r5\n"
		     "mul %r0, %r3\nadd %r0, %r4\nexit",
		     NULL, 0),
		 143 + 14);
	CHECK_EQ(run("mov %r3, 100\nmov %r0, 7\nmod %r3, %r0\nmov %r0, %r3\nexit", NULL, 0), 2);
	CHECK_EQ(run("mov %r0, 100\nmov %r3, 7\ndiv %r0, %r3\nadd %r0, %r3\nexit", NULL, 0), 21);
	CHECK_EQ(run("mov %r3, 100\ndiv %r3, %r3\nmov %r0, %r3\nexit", NULL, 0), 1);
	CHECK_EQ(run("mov %r0, 100\nmod %r0, %r0\nexit", NULL, 0), 0);
	CHECK_EQ(run("mov %r0, 100\nmov %r3, -1\nsdiv %r3, %r0\nmov %r0, %r3\nexit", NULL, 0), 0);
}

TEST(shifts)
{
	CHECK_EQ(run("mov %r0, 1\nlsh %r0, 63\nexit", NULL, 0), 0x8000000000000000ull);
	CHECK_EQ(run("mov %r0, 1\nlsh %r0, 64\nexit", NULL, 0), 1);   /* masked: & 63 */
	CHECK_EQ(run("mov %r0, 1\nlsh32 %r0, 33\nexit", NULL, 0), 2); /* masked: & 31 */
	CHECK_EQ(run("mov %r0, -1\nrsh %r0, 60\nexit", NULL, 0), 15);
	CHECK_EQ(run("mov %r0, -16\narsh %r0, 2\nexit", NULL, 0), (uint64_t)-4);
	CHECK_EQ(run("mov32 %r0, -16\narsh32 %r0, 2\nexit", NULL, 0), 0xfffffffcull);
	CHECK_EQ(run("lddw %r0, 0xffffffff00000001\nlsh32 %r0, 0\nexit", NULL, 0), 1);
	/* by registers, with every combination of rcx (r4) as source and destination */
	CHECK_EQ(run("mov %r0, 1\nmov %r1, 65\nlsh %r0, %r1\nexit", NULL, 0), 2);
	CHECK_EQ(run("mov %r0, 1\nmov %r4, 3\nlsh %r0, %r4\nadd %r0, %r4\nexit", NULL, 0), 11);
	CHECK_EQ(run("mov %r4, 1\nmov %r1, 5\nlsh %r4, %r1\nmov %r0, %r4\nexit", NULL, 0), 32);
	CHECK_EQ(run("mov %r4, 3\nlsh %r4, %r4\nmov %r0, %r4\nexit", NULL, 0), 24);
	CHECK_EQ(run("mov %r0, -1\nmov %r2, 36\nrsh32 %r0, %r2\nexit", NULL, 0), 0x0fffffff);
	CHECK_EQ(run("lddw %r0, 0xffffffff00000001\nmov %r2, 32\nlsh32 %r0, %r2\nexit", NULL, 0),
		 1);
	CHECK_EQ(run("mov %r0, -64\nmov %r4, 3\nmov %r9, %r4\narsh %r0, %r9\nadd %r0, %r4\nexit",
		     NULL, 0),
		 (uint64_t)-5);
}

TEST(byte_swaps)
{
	CHECK_EQ(run("lddw %r0, 0x1122334455667788\nbe16 %r0\nexit", NULL, 0), 0x8877);
	CHECK_EQ(run("lddw %r0, 0x1122334455667788\nbe32 %r0\nexit", NULL, 0), 0x88776655);
	CHECK_EQ(run("lddw %r0, 0x1122334455667788\nbe64 %r0\nexit", NULL, 0),
		 0x8877665544332211ull);
	CHECK_EQ(run("lddw %r0, 0x1122334455667788\nle16 %r0\nexit", NULL, 0), 0x7788);
	CHECK_EQ(run("lddw %r0, 0x1122334455667788\nle32 %r0\nexit", NULL, 0), 0x55667788);
	CHECK_EQ(run("lddw %r0, 0x1122334455667788\nle64 %r0\nexit", NULL, 0),
		 0x1122334455667788ull);
	CHECK_EQ(run("lddw %r0, 0x1122334455667788\nbswap16 %r0\nexit", NULL, 0), 0x8877);
	CHECK_EQ(run("lddw %r0, 0x1122334455667788\nbswap32 %r0\nexit", NULL, 0), 0x88776655);
	CHECK_EQ(run("lddw %r7, 0x1122334455667788\nbswap64 %r7\nmov %r0, %r7\nexit", NULL, 0),
		 0x8877665544332211ull);
	CHECK_EQ(run("lddw %r1, 0x1122334455667788\nbe16 %r1\nmov %r0, %r1\nexit", NULL, 0),
		 0x8877);
}

TEST(loads_stores)
{
	uint8_t mem[32];

	for (int i = 0; i < 32; i++)
		mem[i] = (uint8_t)(0xf0 + i);
	CHECK_EQ(run("ldxb %r0, [%r1+1]\nexit", mem, 32), 0xf1);
	CHECK_EQ(run("ldxh %r0, [%r1+2]\nexit", mem, 32), 0xf3f2);
	CHECK_EQ(run("ldxw %r0, [%r1+4]\nexit", mem, 32), 0xf7f6f5f4ull);
	CHECK_EQ(run("ldxdw %r0, [%r1+8]\nexit", mem, 32), 0xfffefdfcfbfaf9f8ull);
	CHECK_EQ(run("ldxsb %r0, [%r1+1]\nexit", mem, 32), 0xfffffffffffffff1ull);
	CHECK_EQ(run("ldxsh %r0, [%r1+2]\nexit", mem, 32), 0xfffffffffffff3f2ull);
	CHECK_EQ(run("ldxsw %r0, [%r1+4]\nexit", mem, 32), 0xfffffffff7f6f5f4ull);
	CHECK_EQ(run("add %r1, 200\nldxb %r0, [%r1-199]\nexit", mem, 32), 0xf1);
	CHECK_EQ(run("stb [%r1+0], 0x11\nsth [%r1+2], 0x2233\nstw [%r1+4], 0x44556677\n"
		     "stdw [%r1+8], -2\nmov %r0, 0\nexit",
		     mem, 32),
		 0);
	CHECK_EQ(mem[0], 0x11);
	CHECK_EQ(mem[1], 0xf1);
	CHECK_EQ(mem[2], 0x33);
	CHECK_EQ(mem[3], 0x22);
	CHECK_EQ(mem[4] | mem[5] << 8 | mem[6] << 16 | (uint32_t)mem[7] << 24, 0x44556677);
	for (int i = 8; i < 16; i++)
		CHECK_EQ(mem[i], i == 8 ? 0xfe : 0xff);
	CHECK_EQ(run("mov %r2, 0x1234\nmov %r3, -1\nstxb [%r1+16], %r2\nstxh [%r1+18], %r2\n"
		     "stxw [%r1+20], %r3\nlddw %r4, 0x1122334455667788\nstxdw [%r1+24], %r4\n"
		     "ldxdw %r0, [%r1+24]\nexit",
		     mem, 32),
		 0x1122334455667788ull);
	CHECK_EQ(mem[16], 0x34);
	CHECK_EQ(mem[17], (uint8_t)(0xf0 + 17));
	CHECK_EQ(mem[18] | mem[19] << 8, 0x1234);
	CHECK_EQ(mem[20] & mem[21] & mem[22] & mem[23], 0xff);
	/* stack: r10-relative, all sizes, and a pointer to it passed around */
	CHECK_EQ(run("stdw [%r10-8], 0\nstb [%r10-8], 0x7f\nmov %r2, %r10\nadd %r2, -8\n"
		     "ldxdw %r0, [%r2+0]\nstxw [%r10-512], %r0\nldxw %r0, [%r10-512]\nexit",
		     NULL, 0),
		 0x7f);
	/* byte stores from sil/dil and r8-r15 */
	CHECK_EQ(run("mov %r2, 0x41\nstxb [%r1+0], %r2\nmov %r5, 0x42\nstxb [%r1+1], %r5\n"
		     "mov %r9, %r1\nmov %r1, 0x43\nstxb [%r9+2], %r1\nldxw %r0, [%r9+0]\nexit",
		     mem, 32),
		 0x22434241ull);
	/* disp32 offsets */
	CHECK_EQ(run("sub %r1, 1000\nldxb %r0, [%r1+1001]\nexit", mem, 32), 0x42);
}

TEST(atomics)
{
	uint64_t m[4];
	const char *p;

	m[0] = 10;
	m[1] = 0xf0f0;
	CHECK_EQ(run("mov %r2, 5\nlock add [%r1+0], %r2\nmov %r0, %r2\nexit", m, 32), 5);
	CHECK_EQ(m[0], 15);
	CHECK_EQ(run("mov %r2, 5\nlock fetch add [%r1+0], %r2\nmov %r0, %r2\nexit", m, 32), 15);
	CHECK_EQ(m[0], 20);
	CHECK_EQ(run("mov %r2, 0xff\nlock fetch and [%r1+8], %r2\nmov %r0, %r2\nexit", m, 32),
		 0xf0f0);
	CHECK_EQ(m[1], 0xf0);
	CHECK_EQ(run("mov %r2, 0x0f\nlock fetch or [%r1+8], %r2\nmov %r0, %r2\nexit", m, 32), 0xf0);
	CHECK_EQ(m[1], 0xff);
	CHECK_EQ(run("mov %r2, 0x11\nlock fetch xor [%r1+8], %r2\nmov %r0, %r2\nexit", m, 32),
		 0xff);
	CHECK_EQ(m[1], 0xee);
	CHECK_EQ(run("mov %r2, 0x1\nlock or [%r1+8], %r2\nmov %r2, 0xf\nlock and [%r1+8], %r2\n"
		     "mov %r2, 0x3\nlock xor [%r1+8], %r2\nldxdw %r0, [%r1+8]\nexit",
		     m, 32),
		 (0xefu & 0xf) ^ 3);
	/* r0 is preserved by the fetch loops, and can be the operand */
	CHECK_EQ(run("mov %r0, 0x100\nmov %r2, 1\nlock fetch or [%r1+8], %r2\nexit", m, 32), 0x100);
	CHECK_EQ(run("mov %r0, 0x100\nlock fetch or [%r1+8], %r0\nexit", m, 32), 0xd);
	CHECK_EQ(m[1], 0x10d);
	/* base register r0 */
	CHECK_EQ(run("mov %r0, %r1\nmov %r2, 0x10\nlock fetch xor [%r0+8], %r2\nmov %r0, %r2\n"
		     "exit",
		     m, 32),
		 0x10d);
	CHECK_EQ(m[1], 0x11d);
	/* xchg, cmpxchg */
	m[2] = 0x1111222233334444ull;
	CHECK_EQ(
	    run("lddw %r2, 0x5555666677778888\nlock xchg [%r1+16], %r2\nmov %r0, %r2\nexit", m, 32),
	    0x1111222233334444ull);
	CHECK_EQ(m[2], 0x5555666677778888ull);
	CHECK_EQ(run("mov %r0, 1\nmov %r2, 2\nlock cmpxchg [%r1+16], %r2\nexit", m, 32),
		 0x5555666677778888ull);
	CHECK_EQ(m[2], 0x5555666677778888ull);
	CHECK_EQ(run("lddw %r0, 0x5555666677778888\nmov %r2, 2\nlock cmpxchg [%r1+16], %r2\n"
		     "exit",
		     m, 32),
		 0x5555666677778888ull);
	CHECK_EQ(m[2], 2);
	/* 32-bit forms: only the low word changes; fetched values are zero-extended */
	m[3] = 0xaaaaaaaa00000010ull;
	CHECK_EQ(run("mov %r2, -1\nlock fetch add32 [%r1+24], %r2\nmov %r0, %r2\nexit", m, 32),
		 0x10);
	CHECK_EQ(m[3], 0xaaaaaaaa0000000full);
	CHECK_EQ(run("lddw %r2, 0xffffffff000000f0\nlock fetch or32 [%r1+24], %r2\nmov %r0, %r2\n"
		     "exit",
		     m, 32),
		 0xf);
	CHECK_EQ(m[3], 0xaaaaaaaa000000ffull);
	CHECK_EQ(run("mov %r2, 3\nlock and32 [%r1+24], %r2\nmov %r2, 4\nlock add32 [%r1+24], %r2\n"
		     "mov %r2, 1\nlock xor32 [%r1+24], %r2\nmov %r2, 8\nlock or32 [%r1+24], %r2\n"
		     "ldxdw %r0, [%r1+24]\nexit",
		     m, 32),
		 0xaaaaaaaa0000000eull);
	CHECK_EQ(run("mov %r2, 9\nlock xchg32 [%r1+24], %r2\nmov %r0, %r2\nexit", m, 32), 0xe);
	CHECK_EQ(m[3], 0xaaaaaaaa00000009ull);
	p = "lddw %r0, 0x7777777700000009\nmov %r2, 0x55\nlock cmpxchg32 [%r1+24], %r2\nexit";
	CHECK_EQ(run(p, m, 32), 9); /* success: r0 zero-extended old value */
	CHECK_EQ(m[3], 0xaaaaaaaa00000055ull);
	p = "lddw %r0, 0x7777777700000009\nmov %r2, 0x66\nlock cmpxchg32 [%r1+24], %r2\nexit";
	CHECK_EQ(run(p, m, 32), 0x55); /* failure */
	CHECK_EQ(m[3], 0xaaaaaaaa00000055ull);
	CHECK_EQ(run("mov %r2, 0x20\nlock fetch and32 [%r1+24], %r2\nmov %r3, 1\n"
		     "lock fetch xor32 [%r1+24], %r3\nmov %r0, %r2\nlsh %r0, 8\nor %r0, %r3\nexit",
		     m, 32),
		 0x5500 | 0x00);
	CHECK_EQ(m[3], 0xaaaaaaaa00000001ull);
}

TEST(jumps)
{
	static const struct {
		const char *op;
		int64_t a, b;
		bool taken;
	} cases[] = {
	    {"jeq", 5, 5, true},    {"jeq", 5, 6, false},   {"jne", 5, 6, true},
	    {"jgt", -1, 1, true},   {"jgt", 1, 1, false},   {"jge", 1, 1, true},
	    {"jlt", 1, -1, true},   {"jle", 2, 1, false},   {"jsgt", -1, 1, false},
	    {"jsgt", 2, -1, true},  {"jsge", -1, -1, true}, {"jslt", -1, 1, true},
	    {"jsle", 1, -1, false}, {"jset", 6, 2, true},   {"jset", 6, 1, false},
	    {"jle", 1, 1, true},    {"jlt", 1, 1, false},   {"jslt", 1, 1, false},
	};
	char text[512];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		for (int form = 0; form < 4; form++) {
			bool is32 = form & 1, reg = form & 2;
			int64_t a = cases[i].a, b = cases[i].b;

			/* 32-bit forms see the low words: put garbage in the high words */
			if (reg)
				snprintf(text, sizeof(text),
					 "lddw %%r1, %" PRId64 "\nlddw %%r2, %" PRId64 "\n%s"
					 "mov %%r0, 1\n%s%s %%r1, %%r2, +1\nmov %%r0, 0\nexit",
					 a, b,
					 is32 ? "lddw %r3, 0x1234567800000000\nor %r1, %r3\n"
						"lddw %r3, 0x0765432100000000\nor %r2, %r3\n"
					      : "",
					 cases[i].op, is32 ? "32" : "");
			else
				snprintf(
				    text, sizeof(text),
				    "lddw %%r1, %" PRId64 "\n%s"
				    "mov %%r0, 1\n%s%s %%r1, %" PRId64 ", +1\nmov %%r0, 0\nexit",
				    a, is32 ? "lddw %r3, 0x1234567800000000\nor %r1, %r3\n" : "",
				    cases[i].op, is32 ? "32" : "", b);
			if (run(text, NULL, 0) != (uint64_t)cases[i].taken) {
				printf("#   %s%s (%s) %" PRId64 ", %" PRId64 " wrong\n",
				       cases[i].op, is32 ? "32" : "", reg ? "reg" : "imm", a, b);
				CHECK(0);
			}
		}
	}
	/* ja, ja32 (gotol), backward jumps and a loop */
	CHECK_EQ(run("mov %r0, 1\nja +1\nmov %r0, 2\nexit", NULL, 0), 1);
	CHECK_EQ(run("mov %r0, 1\nja32 +1\nmov %r0, 2\nexit", NULL, 0), 1);
	CHECK_EQ(run("mov %r0, 0\nmov %r1, 10\nloop:\nadd %r0, %r1\nsub %r1, 1\njne %r1, 0, loop\n"
		     "exit",
		     NULL, 0),
		 55);
	CHECK_EQ(run("mov %r0, 0\nja32 fwd\nback:\nadd %r0, 100\nexit\nfwd:\nadd %r0, 1\n"
		     "ja32 back",
		     NULL, 0),
		 101);
	/* jset with an immediate above 8 bits and with a negative one (sign-extended mask) */
	CHECK_EQ(run("lddw %r1, 0x8000000000000000\nmov %r0, 1\njset %r1, -1, +1\nmov %r0, 0\n"
		     "exit",
		     NULL, 0),
		 1);
	CHECK_EQ(run("lddw %r1, 0x8000000000000000\nmov %r0, 1\njset32 %r1, -1, +1\nmov %r0, 0\n"
		     "exit",
		     NULL, 0),
		 0);
	CHECK_EQ(
	    run("mov %r1, 0x1000\nmov %r0, 1\njset %r1, 0x1000, +1\nmov %r0, 0\nexit", NULL, 0), 1);
}

/* A program longer than what 8-bit displacements reach, jumped over in both directions. */
TEST(long_jumps)
{
	size_t cap = 64 * 1024, len = 0;
	char *text = malloc(cap);

	len += (size_t)snprintf(text + len, cap - len, "mov %%r0, 0\nmov %%r1, 3\nja over\n");
	len += (size_t)snprintf(text + len, cap - len, "top:\n");
	for (int i = 0; i < 300; i++)
		len += (size_t)snprintf(text + len, cap - len, "add %%r0, %d\n", i);
	len += (size_t)snprintf(text + len, cap - len,
				"sub %%r1, 1\njeq %%r1, 0, done\nja top\nover:\n"
				"jne %%r1, 0, top\nmov %%r0, 99\ndone:\nexit\n");
	CHECK_EQ(run(text, NULL, 0), 3 * (299 * 300 / 2));
	free(text);
}

TEST(lddw_forms)
{
	struct ebpf_map_def def = {
	    .type = EBPF_MAP_ARRAY, .key_size = 4, .value_size = 16, .max_entries = 1};
	char err[256];
	struct ebpf_map *m = ebpf_map_create(&def, 1, err, sizeof(err));
	struct ebpf_insn *insns = NULL;
	uint32_t n = 0;
	struct ebpf_prog *p;
	uint8_t *val;

	CHECK_EQ(run("lddw %r0, 0\nexit", NULL, 0), 0);
	CHECK_EQ(run("lddw %r0, 0xffffffff\nexit", NULL, 0), 0xffffffffull);
	CHECK_EQ(run("lddw %r0, 0xffffffff80000000\nexit", NULL, 0), 0xffffffff80000000ull);
	CHECK_EQ(run("lddw %r0, 0x8000000000000001\nexit", NULL, 0), 0x8000000000000001ull);
	if (!m) {
		printf("#   %s\n", err);
		CHECK(0);
		return;
	}
	val = ebpf_map_direct_value(m);
	CHECK(val != NULL);
	/* map by index (src 1 and 5): the map pointer; value (src 2 and 6): value + offset */
	CHECK(!ebpf_asm("lddw %r0, map_fd 0\nexit", &insns, &n, err, sizeof(err)));
	p = prog_from(insns, n);
	free(insns);
	p->maps = &m;
	p->n_maps = 1;
	CHECK(!ebpf_jit_compile(p, NULL, err, sizeof(err)));
	CHECK_EQ(ebpf_jit_run(p, 0, 0), (uintptr_t)m);
	prog_done(p);
	CHECK(!ebpf_asm("lddw %r0, map_idx 0\nexit", &insns, &n, err, sizeof(err)));
	p = prog_from(insns, n);
	free(insns);
	p->maps = &m;
	p->n_maps = 1;
	CHECK(!ebpf_jit_compile(p, NULL, err, sizeof(err)));
	CHECK_EQ(ebpf_jit_run(p, 0, 0), (uintptr_t)m);
	prog_done(p);
	CHECK(!ebpf_asm("lddw %r1, map_value 0 + 4\nstw [%r1+0], 0x1234\nlddw %r2, map_idx_value 0 "
			"+ 0\nldxw %r0, [%r2+4]\nexit",
			&insns, &n, err, sizeof(err)));
	p = prog_from(insns, n);
	free(insns);
	p->maps = &m;
	p->n_maps = 1;
	CHECK(!ebpf_jit_compile(p, NULL, err, sizeof(err)));
	CHECK_EQ(ebpf_jit_run(p, 0, 0), 0x1234);
	CHECK_EQ(val[4] | val[5] << 8, 0x1234);
	/* out-of-range map index and offset are refused */
	p->insns[0].imm = 1;
	CHECK_EQ(ebpf_jit_compile(p, NULL, err, sizeof(err)), -EINVAL);
	CHECK_CONTAINS(err, "map 1");
	p->insns[0].imm = 0;
	p->insns[1].imm = 16;
	CHECK_EQ(ebpf_jit_compile(p, NULL, err, sizeof(err)), -EINVAL);
	CHECK_CONTAINS(err, "offset 16");
	prog_done(p);
	ebpf_map_put(m);
}

/* Slot pairs the JIT compiles together, and the same pairs when a jump lands in between. */
TEST(fused_pairs)
{
	uint8_t mem[16] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0x12, 0x34, 14, 15};

	CHECK_EQ(run("mov %r2, %r1\nadd %r2, 5\nldxb %r0, [%r2+0]\nexit", mem, 16), 5);
	CHECK_EQ(run("mov %r2, %r1\nadd %r2, 15\nsub %r2, 3\nldxb %r0, [%r2+0]\nexit", mem, 16),
		 0x12);
	CHECK_EQ(run("mov %r2, %r1\nsub %r2, -7\nldxb %r0, [%r2+0]\nexit", mem, 16), 7);
	CHECK_EQ(run("mov %r0, 1\nmov %r0, %r0\nsub %r0, -2147483648\nexit", NULL, 0),
		 0x80000001ull);
	CHECK_EQ(run("mov %r3, 5\nmov %r0, %r3\nadd %r0, -9\nexit", NULL, 0), (uint64_t)-4);
	/* the second slot is a jump target: both must run separately */
	CHECK_EQ(run("mov %r0, 5\nmov %r3, 100\njeq %r0, 5, +1\nmov %r0, %r3\nadd %r0, 1\nexit",
		     NULL, 0),
		 6);
	CHECK_EQ(run("mov %r0, 5\nmov %r3, 100\njeq %r0, 6, +1\nmov %r0, %r3\nadd %r0, 1\nexit",
		     NULL, 0),
		 101);
	/* ldxh + be16 / bswap16 */
	CHECK_EQ(run("lddw %r0, -1\nldxh %r0, [%r1+12]\nbe16 %r0\nexit", mem, 16), 0x1234);
	CHECK_EQ(run("lddw %r0, -1\nldxh %r0, [%r1+12]\nbswap16 %r0\nexit", mem, 16), 0x1234);
	CHECK_EQ(run("ldxh %r0, [%r1+12]\nle16 %r0\nexit", mem, 16), 0x3412);
	CHECK_EQ(run("mov %r0, 1\nldxh %r0, [%r1+12]\nja +0\nbe16 %r0\nexit", mem, 16), 0x1234);
	/* lsh/rsh 32 and lsh/arsh 32 */
	CHECK_EQ(run("lddw %r0, 0x12345678f0000000\nlsh %r0, 32\nrsh %r0, 32\nexit", NULL, 0),
		 0xf0000000ull);
	CHECK_EQ(run("lddw %r0, 0x12345678f0000000\nlsh %r0, 32\narsh %r0, 32\nexit", NULL, 0),
		 0xfffffffff0000000ull);
	CHECK_EQ(run("lddw %r0, 0x12345678f0000000\nlsh %r0, 32\nrsh %r0, 31\nexit", NULL, 0),
		 0x1e0000000ull);
}

/* ---- calls ------------------------------------------------------------------------------------
 */

TEST(helper_calls)
{
	char mem[16] = "abc";

	CHECK_EQ(run("mov %r1, 1\nmov %r2, 2\nmov %r3, 3\nmov %r4, 4\nmov %r5, 5\ncall 0\nexit",
		     NULL, 0),
		 0x0102030405ull);
	/* r6-r9 survive helper calls; helpers see r1-r5 */
	calls_seen = 0;
	CHECK_EQ(run("mov %r6, 60\nmov %r7, 70\nmov %r8, 80\nmov %r9, 90\nmov %r1, 1\nmov %r2, 2\n"
		     "mov %r3, 3\nmov %r4, 4\nmov %r5, 5\ncall 77\nadd %r0, %r6\nadd %r0, %r7\n"
		     "add %r0, %r8\nadd %r0, %r9\nexit",
		     NULL, 0),
		 15 + 300);
	CHECK_EQ(calls_seen, blind_all ? 2 : 1);
	CHECK_EQ(run("mov %r1, 1000000\ncall 3\nexit", NULL, 0), 1000);
	/* memfrob on the buffer */
	CHECK_EQ(run("mov %r6, %r1\nmov %r2, 3\ncall 1\nldxb %r0, [%r6+0]\nexit", mem, sizeof(mem)),
		 'a' ^ 42);
	CHECK_EQ(mem[0], 'a' ^ 42);
	/* a helper called from a loop, stack frame alignment at the call (sqrt uses SSE) */
	CHECK_EQ(
	    run("mov %r6, 0\nmov %r7, 10\nl:\nmov %r1, %r7\nmul %r1, %r7\ncall 3\nadd %r6, %r0\n"
		"sub %r7, 1\njne %r7, 0, l\nmov %r0, %r6\nexit",
		NULL, 0),
	    55);
}

TEST(unwind)
{
	/* unwind(0) ends the program with r0 = 0; unwind(x != 0) goes on */
	CHECK_EQ(run("mov %r1, 0\ncall 5\nmov %r0, 7\nexit", NULL, 0), 0);
	CHECK_EQ(run("mov %r1, 3\ncall 5\nmov %r0, 7\nexit", NULL, 0), 7);
	/* from inside a subprogram, two frames deep: the whole program ends */
	CHECK_EQ(run("mov %r6, 1\ncall local f\nmov %r0, 42\nexit\nf:\ncall local g\nmov %r0, 9\n"
		     "exit\ng:\nmov %r1, 0\ncall 5\nmov %r0, 8\nexit",
		     NULL, 0),
		 0);
	CHECK_EQ(run("mov %r6, 1\ncall local f\nadd %r0, %r6\nexit\nf:\nmov %r10, %r10\n"
		     "mov %r1, 5\ncall 5\nmov %r0, 8\nexit",
		     NULL, 0) == 0xdeadbeefdeadbeefull,
		 1); /* writing r10 is refused */
	CHECK_EQ(run("mov %r6, 1\ncall local f\nadd %r0, %r6\nexit\nf:\nmov %r1, 5\ncall 5\n"
		     "mov %r0, 8\nexit",
		     NULL, 0),
		 9);
}

TEST(callx)
{
	int e = -1;

	/* the suite's callx.data */
	CHECK_EQ(run("mov %r1, -1\nmov %r2, 5\ncall %r2\nmov %r0, 2\nexit", NULL, 0), 2);
	CHECK_EQ(run("mov %r1, 1\nmov %r2, 2\nmov %r3, 3\nmov %r4, 4\nmov %r5, 5\nmov %r9, 0\n"
		     "call %r9\nexit",
		     NULL, 0),
		 0x0102030405ull);
	CHECK_EQ(run("mov %r1, 1\nmov %r2, 2\nmov %r3, 3\nmov %r4, 4\nmov %r5, 5\nmov %r6, 77\n"
		     "call %r6\nadd %r0, %r6\nexit",
		     NULL, 0),
		 15 + 77);
	/* unwinding through callx */
	CHECK_EQ(run("mov %r1, 0\nmov %r2, 5\ncall %r2\nmov %r0, 2\nexit", NULL, 0), 0);
	/* an id that is no helper of the type: the run ends with r0 = 0, error recorded */
	CHECK_EQ(run_ex("mov %r2, 6\ncall %r2\nmov %r0, 2\nexit", NULL, 0, false, &e), 0);
	CHECK_EQ(e, EBPF_JIT_ERR_CALLX);
	CHECK_EQ(run_ex("lddw %r2, 0x100000005\ncall %r2\nmov %r0, 2\nexit", NULL, 0, false, &e),
		 0);
	CHECK_EQ(e, EBPF_JIT_ERR_CALLX);
	CHECK_EQ(run_ex("mov %r2, 5\nmov %r1, 1\ncall %r2\nmov %r0, 2\nexit", NULL, 0, false, &e),
		 2);
	CHECK_EQ(e, EBPF_JIT_ERR_NONE);
}

TEST(bpf_to_bpf_calls)
{
	/* r6-r9 preserved across calls, r1-r5 passed, own stack frame per call */
	CHECK_EQ(
	    run("mov %r6, 1\nmov %r7, 2\nmov %r8, 3\nmov %r9, 4\nstdw [%r10-8], 100\n"
		"mov %r1, 10\nmov %r2, 20\ncall local f\nldxdw %r1, [%r10-8]\nadd %r0, %r1\n"
		"add %r0, %r6\nadd %r0, %r7\nadd %r0, %r8\nadd %r0, %r9\nexit\n"
		"f:\nstdw [%r10-8], 5000\nmov %r6, 1000\nmov %r7, 1000\nmov %r8, 1000\n"
		"mov %r9, 1000\nmov %r0, %r1\nadd %r0, %r2\nldxdw %r1, [%r10-8]\nadd %r0, %r1\n"
		"exit",
		NULL, 0),
	    30 + 5000 + 100 + 10);
	/* a callee may read the caller's stack through a pointer */
	CHECK_EQ(run("stdw [%r10-16], 77\nmov %r1, %r10\nadd %r1, -16\ncall local f\nexit\n"
		     "f:\nldxdw %r0, [%r1+0]\nexit",
		     NULL, 0),
		 77);
	/* recursion: factorial through a chain of 7 calls (8 frames) */
	CHECK_EQ(
	    run("mov %r1, 7\ncall local fact\nexit\n"
		"fact:\nmov %r0, 1\njeq %r1, 1, +5\nmov %r6, %r1\nsub %r1, 1\ncall local fact\n"
		"mul %r0, %r6\nexit\nexit",
		NULL, 0),
	    5040);
}

TEST(call_depth_limit)
{
	int e = -1;
#define FACT                                                                 \
	"mov %%r1, %d\ncall local fact\nadd %%r0, 1000\nexit\n"              \
	"fact:\nmov %%r0, 1\njeq %%r1, 1, +5\nmov %%r6, %%r1\nsub %%r1, 1\n" \
	"call local fact\nmul %%r0, %%r6\nexit\nexit"
	char text[512];

	/* 8 frames (main + 7 calls) are fine */
	snprintf(text, sizeof(text), FACT, 7);
	CHECK_EQ(run_ex(text, NULL, 0, false, &e), 5040 + 1000);
	CHECK_EQ(e, EBPF_JIT_ERR_NONE);
	/* a 9th frame ends the run with r0 = 0 */
	snprintf(text, sizeof(text), FACT, 8);
	CHECK_EQ(run_ex(text, NULL, 0, false, &e), 0);
	CHECK_EQ(e, EBPF_JIT_ERR_DEPTH);
	/* unbounded recursion (the verifier would refuse it) cannot overflow the host stack */
	CHECK_EQ(run_ex("mov %r6, 5\ncall local f\nexit\nf:\nstdw [%r10-512], 1\ncall local f\n"
			"exit",
			NULL, 0, false, &e),
		 0);
	CHECK_EQ(e, EBPF_JIT_ERR_DEPTH);
	/* and the next run on the same thread starts clean */
	CHECK_EQ(run_ex("mov %r0, 3\nexit", NULL, 0, false, &e), 3);
	CHECK_EQ(e, EBPF_JIT_ERR_NONE);
}

/* Calls ebpf_jit_run(p, 0, 0) with known values in the callee-saved registers rbx and r12-r15,
 * and returns what they hold afterwards (System V: a JIT run must preserve them, also when it
 * ends by unwinding from a subprogram). */
static uint64_t run_check_callee_saved(struct ebpf_prog *p, uint64_t after[5])
{
	uint64_t (*fn)(const struct ebpf_prog *, uint64_t, uint64_t) = ebpf_jit_run;
	uint64_t rax = (uint64_t)(uintptr_t)fn;
	uint64_t *out = after;

	__asm__ volatile("push %%rbp\n\t"
			 "mov %%rsp, %%rbp\n\t"
			 "and $-16, %%rsp\n\t"
			 "push %%rcx\n\t"
			 "push %%rcx\n\t"
			 "mov $0x1111111111111111, %%rbx\n\t"
			 "mov $0x1212121212121212, %%r12\n\t"
			 "mov $0x1313131313131313, %%r13\n\t"
			 "mov $0x1414141414141414, %%r14\n\t"
			 "mov $0x1515151515151515, %%r15\n\t"
			 "xor %%esi, %%esi\n\t"
			 "xor %%edx, %%edx\n\t"
			 "call *%%rax\n\t"
			 "pop %%rcx\n\t"
			 "pop %%rcx\n\t"
			 "mov %%rbx, 0(%%rcx)\n\t"
			 "mov %%r12, 8(%%rcx)\n\t"
			 "mov %%r13, 16(%%rcx)\n\t"
			 "mov %%r14, 24(%%rcx)\n\t"
			 "mov %%r15, 32(%%rcx)\n\t"
			 "mov %%rbp, %%rsp\n\t"
			 "pop %%rbp\n\t"
			 : "+a"(rax), "+D"(p), "+c"(out)
			 :
			 : "rbx", "r12", "r13", "r14", "r15", "rsi", "rdx", "r8", "r9", "r10",
			   "r11", "memory", "cc");
	return rax;
}

TEST(preserves_host_registers)
{
	static const char *const progs[] = {
	    /* plain, using every BPF register */
	    "mov %r6, 1\nmov %r7, 2\nmov %r8, 3\nmov %r9, 4\nstdw [%r10-8], 5\nmov %r0, 7\nexit",
	    /* unwinding from a subprogram that uses r6-r9 and the stack */
	    "call local f\nmov %r0, 7\nexit\nf:\nmov %r6, 1\nmov %r7, 2\nmov %r8, 3\n"
	    "mov %r9, 4\nstdw [%r10-8], 5\nmov %r1, 0\ncall 5\nexit",
	    /* the depth limit, deep inside a recursion */
	    "call local f\nmov %r0, 7\nexit\nf:\nmov %r6, 1\nmov %r7, 2\nmov %r8, 3\n"
	    "mov %r9, 4\nstdw [%r10-8], 5\ncall local f\nexit",
	    /* callx with an unknown id from a subprogram */
	    "call local f\nmov %r0, 7\nexit\nf:\nmov %r6, 1\nmov %r7, 2\nmov %r8, 3\n"
	    "mov %r9, 4\nmov %r1, 1000\ncall %r1\nexit",
	};
	static const uint64_t expect_r0[] = {7, 0, 0, 0};

	for (size_t i = 0; i < sizeof(progs) / sizeof(progs[0]); i++) {
		struct ebpf_prog *p = prog_asm(progs[i]);
		uint64_t after[5] = {0};
		char err[256];

		CHECK(p != NULL);
		if (!p)
			continue;
		CHECK(!ebpf_jit_compile(p, NULL, err, sizeof(err)));
		CHECK_EQ(run_check_callee_saved(p, after), expect_r0[i]);
		CHECK_EQ(after[0], 0x1111111111111111ull);
		CHECK_EQ(after[1], 0x1212121212121212ull);
		CHECK_EQ(after[2], 0x1313131313131313ull);
		CHECK_EQ(after[3], 0x1414141414141414ull);
		CHECK_EQ(after[4], 0x1515151515151515ull);
		prog_done(p);
	}
}

/* Tail calls through a PROG_ARRAY (helper 12): the target replaces the whole run (also from a
 * subprogram), with r1 = ctx; at most 33 per run; an empty slot or a target without a JIT image
 * returns an error to the caller. Results equal the interpreter's. */
static const struct ebpf_helper *tail_helpers[3];
static struct ebpf_prog_type tail_type = {
    .name = "jit-tail",
    .ctx_is_buffer = true,
    .buffer_size = 16,
    .helpers = tail_helpers,
};

static struct ebpf_prog *tail_prog(const char *text, struct ebpf_map *m)
{
	struct ebpf_prog *p = prog_asm(text);
	char err[256];

	if (!p)
		return NULL;
	p->type = &tail_type;
	p->maps = calloc(1, sizeof(*p->maps));
	p->maps[0] = ebpf_map_get(m);
	p->n_maps = 1;
	if (ebpf_jit_compile(p, NULL, err, sizeof(err))) {
		printf("#   %s\n", err);
		ebpf_prog_free(p);
		return NULL;
	}
	return p;
}

TEST(tail_calls)
{
	struct ebpf_map_def def = {
	    .type = EBPF_MAP_PROG_ARRAY, .key_size = 4, .value_size = 4, .max_entries = 4};
	char err[256];
	struct ebpf_map *m;
	struct ebpf_prog *caller, *target, *self, *from_sub, *nojit;
	uint64_t ctx[2] = {0, 0};

	tail_helpers[0] = ebpf_helper_by_id(EBPF_HELPER_TAIL_CALL);
	tail_helpers[1] = &helpers[6];
	CHECK(tail_helpers[0] != NULL);
	m = ebpf_map_create(&def, 1, err, sizeof(err));
	CHECK(m != NULL);
	if (!m || !tail_helpers[0])
		return;
	/* slot 0: returns ctx[1] + 1000 (it got r1 = ctx) */
	target = tail_prog("ldxdw %r0, [%r1+8]\nadd %r0, 1000\nexit", m);
	/* calls slot r2 (from ctx[0]); r6 = ctx survives into the error path */
	caller = tail_prog("mov %r6, %r1\nlddw %r2, map_idx 0\nldxdw %r3, [%r1+0]\ncall 12\n"
			   "add %r0, 7\nexit",
			   m);
	/* counts its runs in ctx[1] and tail-calls itself (slot 1) */
	self = tail_prog("ldxdw %r2, [%r1+8]\nadd %r2, 1\nstxdw [%r1+8], %r2\nlddw %r2, map_idx 0\n"
			 "mov %r3, 1\ncall 12\nexit",
			 m);
	/* tail call from two frames deep, with r6-r9 in use */
	from_sub =
	    tail_prog("mov %r6, 1\nmov %r7, 2\ncall local f\nmov %r0, 99\nexit\n"
		      "f:\nmov %r8, 3\ncall local g\nmov %r0, 98\nexit\n"
		      "g:\nmov %r9, 4\nlddw %r2, map_idx 0\nmov %r3, 0\ncall 12\nmov %r0, 97\n"
		      "exit",
		      m);
	nojit = tail_prog("mov %r0, 5\nexit", m);
	CHECK(target && caller && self && from_sub && nojit);
	if (!target || !caller || !self || !from_sub || !nojit)
		goto out;
	ebpf_jit_free(nojit->jit);
	nojit->jit = NULL;

	/* empty slot: -ENOENT, execution goes on */
	ctx[0] = 0;
	ctx[1] = 5;
	CHECK_EQ(ebpf_jit_run(caller, (uintptr_t)ctx, 16), (uint64_t)(-ENOENT + 7));
	CHECK_EQ(ebpf_interp_run(caller, (uintptr_t)ctx, 16), (uint64_t)(-ENOENT + 7));
	CHECK(!ebpf_prog_array_set(m, 0, target));
	CHECK_EQ(ebpf_jit_run(caller, (uintptr_t)ctx, 16), 1005);
	CHECK_EQ(ebpf_interp_run(caller, (uintptr_t)ctx, 16), 1005);
	/* from a subprogram: every frame ends */
	CHECK_EQ(ebpf_jit_run(from_sub, (uintptr_t)ctx, 16), 1005);
	CHECK_EQ(ebpf_interp_run(from_sub, (uintptr_t)ctx, 16), 1005);
	/* out of range index: -ENOENT */
	ctx[0] = 100;
	CHECK_EQ(ebpf_jit_run(caller, (uintptr_t)ctx, 16), (uint64_t)(-ENOENT + 7));
	/* a target without a JIT image: -ENOEXEC */
	CHECK(!ebpf_prog_array_set(m, 2, nojit));
	ctx[0] = 2;
	CHECK_EQ(ebpf_jit_run(caller, (uintptr_t)ctx, 16), (uint64_t)(-ENOEXEC + 7));
	/* at most 33 tail calls in one run: 34 runs of self, then -E2BIG */
	CHECK(!ebpf_prog_array_set(m, 1, self));
	ctx[1] = 0;
	CHECK_EQ(ebpf_jit_run(self, (uintptr_t)ctx, 16), (uint64_t)-E2BIG);
	CHECK_EQ(ctx[1], 34);
	ctx[1] = 0;
	CHECK_EQ(ebpf_interp_run(self, (uintptr_t)ctx, 16), (uint64_t)-E2BIG);
	CHECK_EQ(ctx[1], 34);
	/* and the count starts again with the next run */
	ctx[1] = 0;
	CHECK_EQ(ebpf_jit_run(self, (uintptr_t)ctx, 16), (uint64_t)-E2BIG);
	CHECK_EQ(ctx[1], 34);
	for (uint32_t i = 0; i < 4; i++)
		ebpf_prog_array_set(m, i, NULL);
out:
	ebpf_prog_free(target);
	ebpf_prog_free(caller);
	ebpf_prog_free(self);
	ebpf_prog_free(from_sub);
	ebpf_prog_free(nojit);
	ebpf_map_put(m);
}

/* ---- the conformance suite --------------------------------------------------------------------
 */

static int conformance_run(bool blind, int *total)
{
	char dir[1024], path[1400], err[512];
	int passed = 0;
	struct dirent *de;
	DIR *d = opendir(ebpf_conf_dir(BULWARK_SRC_ROOT, dir, sizeof(dir)));

	*total = 0;
	if (!d) {
		printf("#   cannot open %s: %s\n", dir, strerror(errno));
		return -1;
	}
	while ((de = readdir(d))) {
		struct ebpf_conf_test t;
		struct ebpf_jit_options o = {.blind_constants = blind};
		struct ebpf_insn *insns = NULL;
		struct ebpf_prog *p;
		uint32_t n = 0;
		uint8_t *mem = NULL;
		uint64_t r0;
		size_t l = strlen(de->d_name);

		if (l < 5 || strcmp(de->d_name + l - 5, ".data"))
			continue;
		(*total)++;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (ebpf_conf_load(path, &t, err, sizeof(err))) {
			printf("#   %s\n", err);
			continue;
		}
		if (t.raw) {
			insns = malloc(t.n_raw * sizeof(*insns));
			memcpy(insns, t.raw, t.n_raw * sizeof(*insns));
			n = t.n_raw;
		} else if (!t.asm_text || ebpf_asm(t.asm_text, &insns, &n, err, sizeof(err))) {
			printf("#   %s: asm: %s\n", de->d_name, err);
			ebpf_conf_free(&t);
			continue;
		}
		p = prog_from(insns, n);
		free(insns);
		if (ebpf_jit_compile(p, &o, err, sizeof(err))) {
			printf("#   %s: %s\n", de->d_name, err);
		} else {
			if (t.mem_len) {
				mem = malloc(t.mem_len);
				memcpy(mem, t.mem, t.mem_len);
			}
			r0 = ebpf_jit_run(p, (uint64_t)(uintptr_t)mem, mem ? t.mem_len : 0);
			if (t.has_result && r0 == t.result)
				passed++;
			else
				printf("#   %s: r0 0x%" PRIx64 ", expected 0x%" PRIx64 "\n",
				       de->d_name, r0, t.result);
			free(mem);
		}
		prog_done(p);
		ebpf_conf_free(&t);
	}
	closedir(d);
	return passed;
}

TEST(conformance_suite)
{
	int total, passed = conformance_run(false, &total);

	printf("#   conformance on the JIT: %d/%d\n", passed, total);
	CHECK_EQ(total, 313);
	CHECK_EQ(passed, total);
}

TEST(conformance_suite_blinded)
{
	int total, passed = conformance_run(true, &total);

	printf("#   conformance on the JIT with blinded constants: %d/%d\n", passed, total);
	CHECK_EQ(total, 313);
	CHECK_EQ(passed, total);
}

/* ---- identical results to the interpreter */

static uint64_t xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* 1000 generated programs (every instruction class, see jit_progen.h) that the verifier accepts
 * under mem:SIZE: the interpreter and the JIT, plain and blinded, give the same r0 and leave the
 * same buffer. */
TEST(differential_random_programs)
{
	static struct ebpf_insn insns[JIT_PROGEN_MAX_SLOTS];
	uint64_t seed = 0x9e3779b97f4a7c15ull;
	unsigned ran = 0, refused = 0, differ = 0;
	uint64_t slots = 0;

	for (int k = 0; k < 1000; k++) {
		uint8_t data[700], mem[JIT_PROGEN_MEM], a[JIT_PROGEN_MEM], b[JIT_PROGEN_MEM],
		    c[JIT_PROGEN_MEM];
		struct ebpf_prog p = {.type = ebpf_prog_type_mem(JIT_PROGEN_MEM)};
		struct ebpf_verify_result res;
		struct ebpf_jit_options blind = {.blind_constants = true};
		struct ebpf_prog pb;
		char err[256];
		uint64_t ri, rj, rb;

		for (size_t i = 0; i < sizeof(data); i++)
			data[i] = (uint8_t)xorshift(&seed);
		p.insns = insns;
		p.n_insns = jit_progen(data, sizeof(data), insns, mem);
		snprintf(p.name, sizeof(p.name), "random-%d", k);
		if (ebpf_verify(&p, NULL, &res)) {
			refused++;
			ebpf_verify_result_free(&res);
			continue;
		}
		ebpf_verify_result_free(&res);
		pb = p;
		pb.jit = NULL;
		if (ebpf_jit_compile(&p, NULL, err, sizeof(err)) ||
		    ebpf_jit_compile(&pb, &blind, err, sizeof(err))) {
			printf("#   %s: %s\n", p.name, err);
			CHECK(0);
			break;
		}
		memcpy(a, mem, sizeof(a));
		memcpy(b, mem, sizeof(b));
		memcpy(c, mem, sizeof(c));
		ri = ebpf_interp_run(&p, (uintptr_t)a, sizeof(a));
		rj = ebpf_jit_run(&p, (uintptr_t)b, sizeof(b));
		rb = ebpf_jit_run(&pb, (uintptr_t)c, sizeof(c));
		if (ri != rj || ri != rb || memcmp(a, b, sizeof(a)) || memcmp(a, c, sizeof(a))) {
			if (differ++ < 5)
				printf("#   %s: interp 0x%" PRIx64 ", jit 0x%" PRIx64
				       ", blinded 0x%" PRIx64 ", buffers %s\n",
				       p.name, ri, rj, rb,
				       memcmp(a, b, sizeof(a)) || memcmp(a, c, sizeof(a))
					   ? "differ"
					   : "equal");
		}
		ran++;
		slots += p.n_insns;
		ebpf_jit_free(p.jit);
		ebpf_jit_free(pb.jit);
		ebpf_interp_reset(&p);
	}
	printf("#   %u programs (%" PRIu64
	       " slots) run on both engines, %u refused by the verifier, "
	       "%u differ\n",
	       ran, slots, refused, differ);
	CHECK_EQ(differ, 0);
	CHECK(ran >= 900);
}

/* Every conformance program gives the same r0 and buffer on both engines. */
TEST(differential_conformance)
{
	char dir[1024], path[1400], err[512];
	struct dirent *de;
	DIR *d = opendir(ebpf_conf_dir(BULWARK_SRC_ROOT, dir, sizeof(dir)));
	int same = 0, total = 0;

	CHECK(d != NULL);
	if (!d)
		return;
	while ((de = readdir(d))) {
		struct ebpf_conf_test t;
		struct ebpf_insn *insns = NULL;
		struct ebpf_prog *p;
		uint32_t n = 0;
		size_t l = strlen(de->d_name);
		uint8_t *m1 = NULL, *m2 = NULL;
		uint64_t ri, rj;

		if (l < 5 || strcmp(de->d_name + l - 5, ".data"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (ebpf_conf_load(path, &t, err, sizeof(err)))
			continue;
		total++;
		if (t.raw) {
			insns = malloc(t.n_raw * sizeof(*insns));
			memcpy(insns, t.raw, t.n_raw * sizeof(*insns));
			n = t.n_raw;
		} else if (ebpf_asm(t.asm_text, &insns, &n, err, sizeof(err))) {
			ebpf_conf_free(&t);
			continue;
		}
		p = prog_from(insns, n);
		free(insns);
		p->type = ebpf_prog_type_mem((uint32_t)t.mem_len);
		if (!ebpf_jit_compile(p, NULL, err, sizeof(err))) {
			if (t.mem_len) {
				m1 = malloc(t.mem_len);
				m2 = malloc(t.mem_len);
				memcpy(m1, t.mem, t.mem_len);
				memcpy(m2, t.mem, t.mem_len);
			}
			ri = ebpf_interp_run(p, (uintptr_t)m1, m1 ? t.mem_len : 0);
			rj = ebpf_jit_run(p, (uintptr_t)m2, m2 ? t.mem_len : 0);
			if (ri == rj && (!m1 || !memcmp(m1, m2, t.mem_len)))
				same++;
			else
				printf("#   %s: interp 0x%" PRIx64 ", jit 0x%" PRIx64 "\n",
				       de->d_name, ri, rj);
			free(m1);
			free(m2);
		}
		ebpf_interp_reset(p);
		prog_done(p);
		ebpf_conf_free(&t);
	}
	closedir(d);
	printf("#   %d/%d conformance programs identical on the interpreter and the JIT\n", same,
	       total);
	CHECK_EQ(total, 313);
	CHECK_EQ(same, total);
}

/* ---- memory safety of the JIT -----------------------------------------------------------------
 */

/* Permissions of the mapping that holds addr, from /proc/self/maps ("r-xp"), and whether any
 * mapping of the process is writable and executable at once. */
static bool maps_perms(uintptr_t addr, char perms[5], bool *any_wx)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512];
	bool found = false;

	*any_wx = false;
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		unsigned long lo, hi;
		char p[5];

		if (sscanf(line, "%lx-%lx %4s", &lo, &hi, p) != 3)
			continue;
		if (p[1] == 'w' && p[2] == 'x')
			*any_wx = true;
		if (addr >= lo && addr < hi) {
			memcpy(perms, p, 5);
			found = true;
		}
	}
	fclose(f);
	return found;
}

TEST(w_xor_x)
{
	struct ebpf_prog *p = prog_asm("mov %r0, 1\nexit");
	char err[256], perms[5] = "", guard[5] = "";
	long page = sysconf(_SC_PAGESIZE);
	uintptr_t code, end;
	bool wx = true, wx2 = true;

	CHECK(p != NULL);
	if (!p)
		return;
	CHECK(!ebpf_jit_compile(p, NULL, err, sizeof(err)));
	code = (uintptr_t)ebpf_jit_code(p->jit);
	CHECK(code != 0);
	CHECK(ebpf_jit_code_size(p->jit) > 0 && ebpf_jit_code_size(p->jit) < 64);
	CHECK(maps_perms(code, perms, &wx));
	CHECK_STR(perms, "r-xp");
	CHECK(!wx);
	/* the page after the code is an inaccessible guard page */
	end = (code + ebpf_jit_code_size(p->jit) + (uintptr_t)page - 1) & ~((uintptr_t)page - 1);
	CHECK(maps_perms(end, guard, &wx2));
	CHECK_STR(guard, "---p");
	CHECK_EQ(ebpf_jit_run(p, 0, 0), 1);
	prog_done(p);
}

static bool contains(const uint8_t *hay, size_t n, const void *needle, size_t k)
{
	for (size_t i = 0; i + k <= n; i++)
		if (!memcmp(hay + i, needle, k))
			return true;
	return false;
}

/* A program full of chosen constants (in every kind of instruction that takes one): with blinding
 * none of them appears in the code, without it they do (so the scan can see them). */
TEST(constant_blinding)
{
	static const uint32_t k[] = {0x3c5a7e91u, 0x6bd2c14fu, 0x1f2e3d4cu, 0x5a6b7c8du,
				     0x7766aa55u, 0x4e3d2c1bu, 0x29384756u, 0x61f0e2d3u};
	char text[2048];
	struct ebpf_jit_options o = {.blind_constants = true};
	struct ebpf_prog *p;
	char err[256];
	uint64_t r_plain, r_blind;
	uint8_t mem[16] = {0};
	int found_plain = 0, found_blind = 0;

	snprintf(text, sizeof(text),
		 "mov %%r0, %u\nadd %%r0, %u\nmov32 %%r2, %u\nxor %%r0, %%r2\nmul %%r0, %u\n"
		 "and %%r0, %u\nor32 %%r0, %u\nsub %%r0, %u\njeq %%r0, %u, +1\nadd %%r0, 1\n"
		 "stw [%%r1+0], %u\nldxw %%r3, [%%r1+0]\nadd %%r0, %%r3\n"
		 "lddw %%r4, 0x%08x%08x\nadd %%r0, %%r4\njset %%r0, %u, +1\nadd %%r0, 2\n"
		 "div %%r0, %u\nmod32 %%r0, %u\nexit",
		 k[0], k[1], k[2], k[3], k[4], k[5], k[6], k[7], k[0] ^ 1, k[1] ^ 1, k[2] ^ 1,
		 k[3] ^ 1, k[4] ^ 1, k[5] ^ 1);
	for (int blind = 0; blind < 2; blind++) {
		const uint8_t *code;
		size_t size;

		p = prog_asm(text);
		CHECK(p != NULL);
		if (!p)
			return;
		o.blind_constants = blind;
		CHECK(!ebpf_jit_compile(p, &o, err, sizeof(err)));
		code = ebpf_jit_code(p->jit);
		size = ebpf_jit_code_size(p->jit);
		for (uint32_t i = 0; i < p->n_insns; i++) {
			int32_t imm = p->insns[i].imm;

			if (imm == 0 || (imm >= -128 && imm <= 127))
				continue;
			if (contains(code, size, &imm, 4))
				*(blind ? &found_blind : &found_plain) += 1;
		}
		if (blind)
			r_blind = ebpf_jit_run(p, (uintptr_t)mem, sizeof(mem));
		else
			r_plain = ebpf_jit_run(p, (uintptr_t)mem, sizeof(mem));
		prog_done(p);
	}
	printf("#   program immediates found in the code: %d plain, %d blinded\n", found_plain,
	       found_blind);
	CHECK(found_plain >= 10);
	CHECK_EQ(found_blind, 0);
	CHECK_EQ(r_blind, r_plain);
	/* and all the instruction tests above agree when blinded */
}

TEST(blinded_results_agree)
{
	blind_all = true;
	alu64_ops();
	alu32_ops();
	divmod_edges();
	shifts();
	loads_stores();
	atomics();
	lddw_forms();
	helper_calls();
	bpf_to_bpf_calls();
	fused_pairs();
	blind_all = false;
}

/* ---- refusal of malformed programs ------------------------------------------------------------
 */

#define INSN(c, d, s, o, i)                                                 \
	{                                                                   \
		.code = (c), .dst = (d), .src = (s), .off = (o), .imm = (i) \
	}

TEST(refuses_malformed)
{
	char err[256];
	struct ebpf_insn jump_out[] = {INSN(0x05, 0, 0, 5, 0), INSN(0x95, 0, 0, 0, 0)};
	struct ebpf_insn falls_off[] = {INSN(0xb7, 0, 0, 0, 1)};
	struct ebpf_insn bad_op[] = {INSN(0xff, 0, 0, 0, 0), INSN(0x95, 0, 0, 0, 0)};
	struct ebpf_insn write_fp[] = {INSN(0xb7, 10, 0, 0, 1), INSN(0x95, 0, 0, 0, 0)};
	struct ebpf_insn into_lddw[] = {INSN(0x05, 0, 0, 1, 0), INSN(0x18, 0, 0, 0, 1),
					INSN(0x00, 0, 0, 0, 2), INSN(0x95, 0, 0, 0, 0)};
	struct ebpf_insn trunc_lddw[] = {INSN(0x95, 0, 0, 0, 0), INSN(0x18, 0, 0, 0, 1)};
	struct ebpf_insn bad_helper[] = {INSN(0x85, 0, 0, 0, 9999), INSN(0x95, 0, 0, 0, 0)};
	struct ebpf_insn cross_func[] = {INSN(0x85, 0, 1, 0, 1), INSN(0x05, 0, 0, 1, 0),
					 INSN(0x95, 0, 0, 0, 0), INSN(0x95, 0, 0, 0, 0)};
	struct ebpf_insn bad_swap[] = {INSN(0xd4, 0, 0, 0, 8), INSN(0x95, 0, 0, 0, 0)};
	struct ebpf_insn bad_reg[] = {INSN(0xbf, 0, 11, 0, 0), INSN(0x95, 0, 0, 0, 0)};
	struct ebpf_insn abs_ld[] = {INSN(0x20, 0, 0, 0, 0), INSN(0x95, 0, 0, 0, 0)};

	CHECK_EQ(compile_err(jump_out, 2, err, sizeof(err)), -EINVAL);
	CHECK_CONTAINS(err, "insn 0");
	CHECK_EQ(compile_err(falls_off, 1, err, sizeof(err)), -EINVAL);
	CHECK_CONTAINS(err, "does not end");
	CHECK_EQ(compile_err(bad_op, 2, err, sizeof(err)), -EINVAL);
	CHECK_EQ(compile_err(write_fp, 2, err, sizeof(err)), -EINVAL);
	CHECK_EQ(compile_err(into_lddw, 4, err, sizeof(err)), -EINVAL);
	CHECK_CONTAINS(err, "lddw");
	CHECK_EQ(compile_err(trunc_lddw, 2, err, sizeof(err)), -EINVAL);
	CHECK_EQ(compile_err(bad_helper, 2, err, sizeof(err)), -EINVAL);
	CHECK_CONTAINS(err, "helper 9999");
	CHECK_EQ(compile_err(cross_func, 4, err, sizeof(err)), -EINVAL);
	CHECK_CONTAINS(err, "leaves the function");
	CHECK_EQ(compile_err(bad_swap, 2, err, sizeof(err)), -EINVAL);
	CHECK_EQ(compile_err(bad_reg, 2, err, sizeof(err)), -EINVAL);
	CHECK_EQ(compile_err(abs_ld, 2, err, sizeof(err)), -EINVAL);
}

/* A large program: compiles (bounded size), runs, and recompiling replaces the image. */
TEST(large_program)
{
	uint32_t n = 200000;
	struct ebpf_insn *insns = calloc(n, sizeof(*insns));
	struct ebpf_prog *p;
	char err[256];
	uint64_t expect = 0;

	for (uint32_t i = 0; i + 1 < n; i++)
		insns[i] = (struct ebpf_insn)INSN(i % 2 ? 0x27 : 0x07, 0, 0, 0,
						  (int32_t)(i * 2654435761u));
	insns[n - 1] = (struct ebpf_insn)INSN(0x95, 0, 0, 0, 0);
	for (uint32_t i = 0; i + 1 < n; i++) {
		uint64_t imm = (uint64_t)(int64_t)insns[i].imm;

		if (insns[i].code == 0x07)
			expect += imm;
		else
			expect *= imm;
	}
	p = prog_from(insns, n);
	CHECK(!ebpf_jit_compile(p, NULL, err, sizeof(err)));
	CHECK(ebpf_jit_code_size(p->jit) <= (size_t)n * 12);
	CHECK_EQ(ebpf_jit_run(p, 0, 0), expect);
	CHECK(!ebpf_jit_compile(p, NULL, err, sizeof(err)));
	CHECK_EQ(ebpf_jit_run(p, 0, 0), expect);
	prog_done(p);
	free(insns);
}

HARNESS_MAIN(alu64_ops, alu32_ops, movsx, divmod_edges, shifts, byte_swaps, loads_stores, atomics,
	     jumps, long_jumps, fused_pairs, lddw_forms, helper_calls, unwind, callx,
	     bpf_to_bpf_calls, call_depth_limit, tail_calls, preserves_host_registers,
	     conformance_suite, conformance_suite_blinded, differential_random_programs,
	     differential_conformance, w_xor_x, constant_blinding, blinded_results_agree,
	     refuses_malformed, large_program)
