/* test-interp.c: the interpreter (src/ebpf/interp.c), ebpf_prog_run (prog.c) and the mem:SIZE
 * type's helpers (prog_type_mem.c): each instruction class at its edges (division by zero,
 * INT_MIN / -1, shift masking, movsx, sign-extending loads, byte swaps, atomics and their fetch
 * semantics, cmpxchg with r0, 32-bit zero extension, jumps on signed/unsigned immediates),
 * bpf-to-bpf calls (frames, preserved registers, depth limit), unwind, callx, map lddw sources,
 * refusals at prepare time and the refusal of unverified programs. */
#include <errno.h>
#include <pthread.h>

#include "harness.h"
#include "ebpf/asm.h"
#include "ebpf/interp.h"
#include "ebpf/prog.h"

#ifdef EBPF_CORE_HAVE_MAPS
#include "ebpf/maps.h"
#endif

static char errbuf[512];

static struct ebpf_prog *mkprog(const char *text, uint32_t mem_size)
{
	struct ebpf_prog *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	if (ebpf_asm(text, &p->insns, &p->n_insns, errbuf, sizeof(errbuf))) {
		printf("#   asm: %s\n", errbuf);
		free(p);
		return NULL;
	}
	snprintf(p->name, sizeof(p->name), "test");
	p->type = ebpf_prog_type_mem(mem_size);
	return p;
}

/* Runs text on a copy of mem (NULL: r1 = r2 = 0); returns r0. */
static uint64_t run_mem(const char *text, void *mem, uint32_t len)
{
	struct ebpf_prog *p = mkprog(text, len);
	uint64_t r0;

	if (!p) {
		CHECK(0);
		return 0xdeadbeef;
	}
	if (ebpf_interp_prepare(p, errbuf, sizeof(errbuf))) {
		printf("#   prepare: %s\n", errbuf);
		CHECK(0);
	}
	r0 = ebpf_interp_run(p, (uint64_t)(uintptr_t)mem, len);
	ebpf_prog_free(p);
	return r0;
}

static uint64_t run(const char *text)
{
	return run_mem(text, NULL, 0);
}

TEST(alu32_zero_extends)
{
	CHECK(run("mov %r0, -1\nadd32 %r0, 1\nexit") == 0);
	CHECK(run("mov %r0, -1\nmov32 %r0, %r0\nexit") == 0xffffffffull);
	CHECK(run("mov %r0, -1\nmov32 %r0, -1\nexit") == 0xffffffffull);
	CHECK(run("mov %r0, -1\nmov %r1, 2\nmul32 %r0, %r1\nexit") == 0xfffffffeull);
	CHECK(run("lddw %r0, 0x1ffffffff\nsub32 %r0, 0\nexit") == 0xffffffffull);
	CHECK(run("lddw %r0, 0x100000000\nneg32 %r0\nexit") == 0);
	CHECK(run("mov %r0, 1\nneg %r0\nexit") == UINT64_MAX);
	CHECK(run("lddw %r0, 0xffffffff00000005\nxor32 %r0, 3\nexit") == 6);
	/* 64-bit immediates are sign-extended */
	CHECK(run("mov %r0, 0\nor %r0, -2\nexit") == 0xfffffffffffffffeull);
	CHECK(run("mov %r0, -1\nand %r0, 0x80000000\nexit") == 0xffffffff80000000ull);
	CHECK(run("mov32 %r0, -1\nand32 %r0, 0x80000000\nexit") == 0x80000000ull);
}

TEST(division_and_modulo_edges)
{
	/* by zero: div gives 0, mod keeps the dividend (32-bit: zero-extended) */
	CHECK(run("mov %r0, 7\nmov %r1, 0\ndiv %r0, %r1\nexit") == 0);
	CHECK(run("mov %r0, 7\ndiv %r0, 0\nexit") == 0);
	CHECK(run("mov %r0, -7\nmov %r1, 0\nmod %r0, %r1\nexit") == (uint64_t)-7);
	CHECK(run("mov %r0, -7\nmod32 %r0, 0\nexit") == 0xfffffff9ull);
	CHECK(run("lddw %r0, 0x100000007\nlddw %r1, 0x100000000\ndiv32 %r0, %r1\nexit") == 0);
	CHECK(run("mov %r0, -7\nsdiv %r0, 0\nexit") == 0);
	CHECK(run("mov %r0, -7\nsmod %r0, 0\nexit") == (uint64_t)-7);
	CHECK(run("mov %r0, -7\nsmod32 %r0, 0\nexit") == 0xfffffff9ull);
	/* INT_MIN / -1 and INT_MIN % -1 are defined */
	CHECK(run("lddw %r0, 0x8000000000000000\nsdiv %r0, -1\nexit") == 0x8000000000000000ull);
	CHECK(run("lddw %r0, 0x8000000000000000\nmov %r1, -1\nsmod %r0, %r1\nexit") == 0);
	CHECK(run("mov32 %r0, 0x80000000\nsdiv32 %r0, -1\nexit") == 0x80000000ull);
	CHECK(run("mov32 %r0, 0x80000000\nmov %r1, -1\nsmod32 %r0, %r1\nexit") == 0);
	/* signs: C semantics (truncation toward zero, remainder has the dividend's sign) */
	CHECK(run("mov %r0, -7\nsdiv %r0, 2\nexit") == (uint64_t)-3);
	CHECK(run("mov %r0, -7\nsmod %r0, 2\nexit") == (uint64_t)-1);
	CHECK(run("mov %r0, 7\nsmod32 %r0, -2\nexit") == 1);
	CHECK(run("mov %r0, -7\nsdiv32 %r0, 2\nexit") == 0xfffffffdull);
	/* unsigned division by a negative immediate: sign-extended, then unsigned */
	CHECK(run("mov %r0, -1\ndiv %r0, -1\nexit") == 1);
	CHECK(run("mov %r0, 5\ndiv %r0, -1\nexit") == 0);
	CHECK(run("mov32 %r0, -1\ndiv32 %r0, -1\nexit") == 1);
}

TEST(shifts_are_masked)
{
	CHECK(run("mov %r0, 1\nlsh %r0, 65\nexit") == 2);
	CHECK(run("mov %r0, 1\nmov %r1, 64\nlsh %r0, %r1\nexit") == 1);
	CHECK(run("mov %r0, 1\nlsh32 %r0, 33\nexit") == 2);
	CHECK(run("mov %r0, 1\nlsh32 %r0, -1\nexit") == 0x80000000ull);
	CHECK(run("mov %r0, -1\nrsh32 %r0, 36\nexit") == 0x0fffffffull);
	CHECK(run("mov %r0, -16\narsh %r0, 66\nexit") == (uint64_t)-4);
	CHECK(run("mov %r0, -16\narsh32 %r0, 2\nexit") == 0xfffffffcull);
	CHECK(run("mov32 %r0, 0x80000000\nmov %r1, 63\narsh32 %r0, %r1\nexit") == 0xffffffffull);
	CHECK(run("lddw %r0, 0x8000000000000000\nrsh %r0, 127\nexit") == 1);
}

TEST(movsx_and_sign_extending_loads)
{
	CHECK(run("mov %r1, 0x80\nmovsx864 %r0, %r1\nexit") == 0xffffffffffffff80ull);
	CHECK(run("mov %r1, 0x80\nmovsx832 %r0, %r1\nexit") == 0xffffff80ull);
	CHECK(run("mov %r1, 0x7f\nmovsx832 %r0, %r1\nexit") == 0x7f);
	CHECK(run("mov %r1, 0x8001\nmovsx1664 %r0, %r1\nexit") == 0xffffffffffff8001ull);
	CHECK(run("mov %r1, 0x8001\nmovsx1632 %r0, %r1\nexit") == 0xffff8001ull);
	CHECK(run("mov32 %r1, 0x80000000\nmovsx3264 %r0, %r1\nexit") == 0xffffffff80000000ull);

	uint8_t mem[8] = {0x80, 0xff, 0x01, 0x80, 0x00, 0x00, 0x00, 0x80};

	CHECK(run_mem("ldxsb %r0, [%r1]\nexit", mem, 8) == 0xffffffffffffff80ull);
	CHECK(run_mem("ldxsh %r0, [%r1+2]\nexit", mem, 8) == 0xffffffffffff8001ull);
	CHECK(run_mem("ldxsw %r0, [%r1+4]\nexit", mem, 8) == 0xffffffff80000000ull);
	CHECK(run_mem("ldxb %r0, [%r1]\nexit", mem, 8) == 0x80);
	CHECK(run_mem("ldxh %r0, [%r1+1]\nexit", mem, 8) == 0x01ff); /* unaligned */
	CHECK(run_mem("ldxdw %r0, [%r1]\nexit", mem, 8) == 0x800000008001ff80ull);
}

TEST(byte_swaps)
{
	CHECK(run("lddw %r0, 0x1122334455667788\nbe16 %r0\nexit") == 0x8877);
	CHECK(run("lddw %r0, 0x1122334455667788\nbe32 %r0\nexit") == 0x88776655);
	CHECK(run("lddw %r0, 0x1122334455667788\nbe64 %r0\nexit") == 0x8877665544332211ull);
	CHECK(run("lddw %r0, 0x1122334455667788\nle16 %r0\nexit") == 0x7788);
	CHECK(run("lddw %r0, 0x1122334455667788\nle32 %r0\nexit") == 0x55667788);
	CHECK(run("lddw %r0, 0x1122334455667788\nle64 %r0\nexit") == 0x1122334455667788ull);
	CHECK(run("lddw %r0, 0x1122334455667788\nbswap16 %r0\nexit") == 0x8877);
	CHECK(run("lddw %r0, 0x1122334455667788\nbswap32 %r0\nexit") == 0x88776655);
	CHECK(run("lddw %r0, 0x1122334455667788\nbswap64 %r0\nexit") == 0x8877665544332211ull);
}

TEST(stores_and_atomics)
{
	uint64_t mem[2] = {0x1111111111111111ull, 0};

	/* fetch variants return the old value in src; 32-bit ones zero-extend it */
	CHECK(run_mem("mov %r2, 5\nlock fetch add [%r1], %r2\nmov %r0, %r2\nexit", mem, 16) ==
	      0x1111111111111111ull);
	CHECK(mem[0] == 0x1111111111111116ull);
	mem[0] = 0xffffffff00000001ull;
	CHECK(run_mem("mov %r2, -1\nlock fetch add32 [%r1], %r2\nmov %r0, %r2\nexit", mem, 16) ==
	      1);
	CHECK(mem[0] == 0xffffffff00000000ull);
	mem[0] = 0xf0;
	CHECK(run_mem("mov %r2, 0x0f\nlock or [%r1], %r2\nmov %r0, %r2\nexit", mem, 16) == 0x0f);
	CHECK(mem[0] == 0xff);
	CHECK(run_mem("mov %r2, 0x3c\nlock fetch and [%r1], %r2\nmov %r0, %r2\nexit", mem, 16) ==
	      0xff);
	CHECK(mem[0] == 0x3c);
	CHECK(run_mem("mov %r2, 0xff\nlock fetch xor32 [%r1], %r2\nmov %r0, %r2\nexit", mem, 16) ==
	      0x3c);
	CHECK(mem[0] == 0xc3);
	CHECK(run_mem("mov %r2, -1\nlock xchg32 [%r1], %r2\nmov %r0, %r2\nexit", mem, 16) == 0xc3);
	CHECK(mem[0] == 0xffffffffull);
	CHECK(run_mem("lddw %r2, 0x123456789\nlock xchg [%r1], %r2\nmov %r0, %r2\nexit", mem, 16) ==
	      0xffffffffull);
	CHECK(mem[0] == 0x123456789ull);
	/* cmpxchg: r0 is compared and always receives the old value */
	CHECK(run_mem("mov %r0, 1\nmov %r2, 7\nlock cmpxchg [%r1], %r2\nexit", mem, 16) ==
	      0x123456789ull);
	CHECK(mem[0] == 0x123456789ull);
	CHECK(run_mem("lddw %r0, 0x123456789\nmov %r2, 7\nlock cmpxchg [%r1], %r2\nexit", mem,
		      16) == 0x123456789ull);
	CHECK(mem[0] == 7);
	/* 32-bit: only the low halves are compared; r0 gets the zero-extended old value */
	mem[0] = 0xaaaaaaaa00000007ull;
	CHECK(run_mem("lddw %r0, 0xffffffff00000007\nmov %r2, 9\nlock cmpxchg32 [%r1], %r2\nexit",
		      mem, 16) == 7);
	CHECK(mem[0] == 0xaaaaaaaa00000009ull);
	/* plain stores */
	CHECK(run_mem("stdw [%r1+8], -2\nsth [%r1+8], 0x1234\nstb [%r1+9], 0\nldxdw %r0, [%r1+8]\n"
		      "exit",
		      mem, 16) == 0xffffffffffff0034ull);
	CHECK(run_mem("mov %r2, -1\nstxw [%r1+12], %r2\nldxdw %r0, [%r1+8]\nexit", mem, 16) ==
	      0xffffffffffff0034ull);
}

TEST(jumps_compare_correctly)
{
	/* signed vs unsigned, immediates sign-extended, 32-bit ignores the upper half */
	CHECK(run("mov %r0, 0\nmov %r1, -1\njgt %r1, 5, +1\nexit\nmov %r0, 1\nexit") == 1);
	CHECK(run("mov %r0, 0\nmov %r1, -1\njsgt %r1, 5, +1\nexit\nmov %r0, 1\nexit") == 0);
	CHECK(run("mov %r0, 0\nmov %r1, -1\njeq %r1, -1, +1\nexit\nmov %r0, 1\nexit") == 1);
	CHECK(run("mov %r0, 0\nmov32 %r1, -1\njeq %r1, -1, +1\nexit\nmov %r0, 1\nexit") == 0);
	CHECK(run("mov %r0, 0\nmov32 %r1, -1\njeq32 %r1, -1, +1\nexit\nmov %r0, 1\nexit") == 1);
	CHECK(run("mov %r0, 0\nlddw %r1, 0x100000000\njne32 %r1, 0, +1\nexit\nmov %r0, 1\nexit") ==
	      0);
	CHECK(run("mov %r0, 0\nmov32 %r1, 0x80000000\njslt32 %r1, 0, +1\nexit\nmov %r0, 1\nexit") ==
	      1);
	CHECK(run("mov %r0, 0\nmov32 %r1, 0x80000000\njslt %r1, 0, +1\nexit\nmov %r0, 1\nexit") ==
	      0);
	CHECK(
	    run("mov %r0, 0\nlddw %r1, 0x100000000\njset32 %r1, -1, +1\nexit\nmov %r0, 1\nexit") ==
	    0);
	CHECK(run("mov %r0, 0\nlddw %r1, 0x100000000\njset %r1, -1, +1\nexit\nmov %r0, 1\nexit") ==
	      1);
	CHECK(run("mov %r0, 3\nmov %r1, 2\njle %r1, %r0, +1\nexit\nmov %r0, 1\nexit") == 1);
	CHECK(run("mov %r0, 3\nmov %r1, 2\njsge %r1, %r0, +1\nexit\nmov %r0, 1\nexit") == 3);
	/* ja32 and a loop: sum 1..10 */
	CHECK(run("mov %r0, 0\nmov %r1, 10\nloop:\nadd %r0, %r1\nsub %r1, 1\njeq %r1, 0, done\n"
		  "ja32 loop\ndone:\nexit") == 55);
}

/* f(n) = n == 0 ? 0 : n + f(n - 1), each frame keeping n on its own stack */
static const char *const recursion = "mov %r1, %r6\n"
				     "call local f\n"
				     "exit\n"
				     "f:\n"
				     "stxdw [%r10-8], %r1\n"
				     "mov %r0, 0\n"
				     "jeq %r1, 0, out\n"
				     "sub %r1, 1\n"
				     "mov %r6, 1000\n"
				     "call local f\n"
				     "ldxdw %r1, [%r10-8]\n"
				     "add %r0, %r1\n"
				     "out:\n"
				     "exit\n";

TEST(bpf_to_bpf_calls)
{
	/* registers r6-r9 preserved, r0 returned, arguments in r1-r5 */
	CHECK(run("mov %r6, 6\nmov %r9, 9\nmov %r1, 3\nmov %r2, 4\ncall local f\nadd %r0, %r6\n"
		  "add %r0, %r9\nexit\nf:\nmov %r6, 0\nmov %r9, 0\nmov %r0, %r1\nmul %r0, "
		  "%r2\nexit") == 27);
	/* separate 512-byte frames: the callee's stores do not touch the caller's */
	CHECK(
	    run("stdw [%r10-8], 42\ncall local f\nldxdw %r0, [%r10-8]\nexit\nf:\nstdw [%r10-8], 1\n"
		"mov %r0, %r10\nexit") == 42);
	CHECK(
	    run("mov %r6, %r10\ncall local f\nsub %r6, %r0\nmov %r0, %r6\nexit\nf:\nmov %r0, %r10\n"
		"exit") == EBPF_STACK_SIZE);
	/* depth: main + 7 nested calls is the most (8 frames); one more ends the run with 0 */
	{
		char text[1024];

		snprintf(text, sizeof(text), "mov %%r6, 6\n%s", recursion); /* f(6)..f(0) */
		CHECK(run(text) == 21);
		snprintf(text, sizeof(text), "mov %%r6, 7\n%s", recursion);
		CHECK(run(text) == 0);
	}
}

TEST(helpers_of_the_mem_type)
{
	char mem[16] = "hello\0hellp\0";

	CHECK(run("mov %r1, 0x101\nmov %r2, 2\nmov %r3, 3\nmov %r4, 4\nmov %r5, 0x105\ncall "
		  "0\nexit") == 0x0102030405ull);
	CHECK(run("lddw %r1, 0xffffffffffffffff\ncall 3\nexit") == 4294967295ull);
	CHECK(run("mov %r1, 1000001\ncall 3\nexit") == 1000);
	CHECK(run("mov %r1, 99\ncall 2\nexit") == 0);
	CHECK((int64_t)run_mem("mov %r2, %r1\nadd %r2, 6\ncall 4\nexit", mem, 16) < 0);
	CHECK(run_mem("mov %r2, %r1\ncall 4\nexit", mem, 16) == 0);
	CHECK(run_mem("mov %r6, %r1\nmov %r2, 3\ncall 1\nldxb %r0, [%r6+1]\nexit", mem, 16) ==
	      ('e' ^ 42));
	CHECK(mem[0] == ('h' ^ 42) && mem[2] == ('l' ^ 42) && mem[3] == 'l');
	/* unwind: non-zero goes on, zero ends the whole run at once, even from a subprogram */
	CHECK(run("mov %r1, -1\ncall 5\nmov %r0, 2\nexit") == 2);
	CHECK(run("mov %r1, 0\ncall 5\nmov %r0, 2\nexit") == 0);
	CHECK(run("mov %r6, 3\ncall local f\nmov %r0, 2\nexit\nf:\nmov %r1, 0\ncall 5\nmov %r0, 9\n"
		  "exit") == 0);
	/* callx: the helper id in a register; unknown ids end the run */
	CHECK(run("mov %r1, -1\nmov %r2, 5\ncall %r2\nmov %r0, 2\nexit") == 2);
	CHECK(run("mov %r1, 9\nmov %r2, 3\ncall %r2\nexit") == 3);
	CHECK(run("mov %r0, 7\nmov %r2, 77\ncall %r2\nmov %r0, 2\nexit") == 0);
	CHECK(run("mov %r1, 0\nmov %r2, 5\ncall %r2\nmov %r0, 2\nexit") == 0);
}

static void check_prepare_error(const char *text, const char *want)
{
	struct ebpf_prog *p = mkprog(text, 0);

	CHECK(p != NULL);
	if (!p)
		return;
	CHECK_EQ(ebpf_interp_prepare(p, errbuf, sizeof(errbuf)), -EINVAL);
	CHECK_CONTAINS(errbuf, want);
	CHECK(ebpf_interp_run(p, 0, 0) == 0);
	ebpf_prog_free(p);
}

TEST(prepare_refuses_what_it_cannot_run)
{
	check_prepare_error("ja +5\nexit", "insn 0: jump to 6 is outside the program");
	check_prepare_error("mov %r0, 0\njeq %r0, 0, -3\nexit", "insn 1: jump to -1");
	check_prepare_error("call local +4\nexit", "jump to 5");
	check_prepare_error("mov %r0, 1\ncall 12\nexit", "insn 1: helper 12 is not available");
	check_prepare_error(".insn 0xff, 0, 0, 0, 0\nexit",
			    "insn 0: invalid instruction (code 0xff");
	check_prepare_error("mov %r11, 1\nexit", "invalid instruction");
	check_prepare_error(".insn 0x18, 0, 0, 0, 0", "invalid instruction");
	check_prepare_error("lddw %r0, map_fd 0\nexit", "lddw refers to map 0 of 0");
	check_prepare_error("lddw %r0, var_addr 1\nexit", "lddw source 3 is not supported");
	/* no type: helpers cannot be resolved */
	{
		struct ebpf_prog *p = mkprog("call 2\nexit", 0);

		p->type = NULL;
		CHECK_EQ(ebpf_interp_prepare(p, errbuf, sizeof(errbuf)), -EINVAL);
		CHECK_CONTAINS(errbuf, "(none)");
		ebpf_prog_free(p);
	}
}

TEST(runs_end_safely_without_exit)
{
	/* falling off the end, or jumping into lddw's second slot, ends the run with 0 */
	CHECK(run("mov %r0, 5") == 0);
	CHECK(run("mov %r0, 5\nja +1\nlddw %r1, 0x1122334455667788\nexit") == 0);
}

TEST(prog_run_refuses_unverified_programs)
{
	struct ebpf_prog *p = mkprog("mov %r0, 77\nexit", 0);

	CHECK(p != NULL);
	if (!p)
		return;
	CHECK(ebpf_prog_run(p, 0, 0) == 0);
	CHECK(ebpf_prog_run(NULL, 0, 0) == 0);
	p->verified = true; /* as the verifier would */
	CHECK(ebpf_prog_run(p, 0, 0) == 77);
	CHECK(ebpf_run_ctx_current()->prog == NULL); /* restored after the run */
	ebpf_prog_free(p);
	ebpf_prog_free(NULL);
}

TEST(mem_type_is_cached_per_size)
{
	const struct ebpf_prog_type *a = ebpf_prog_type_mem(16), *b = ebpf_prog_type_mem(16);
	const struct ebpf_prog_type *c = ebpf_prog_type_mem(0);
	unsigned n = 0;

	CHECK(a == b);
	CHECK(a != c);
	CHECK_STR(a->name, "mem:16");
	CHECK(a->ctx_is_buffer && a->buffer_size == 16);
	for (const struct ebpf_helper *const *h = a->helpers; *h; h++) {
		CHECK_EQ((*h)->id, n);
		CHECK_STR((*h)->mac_class, "test");
		CHECK_EQ((*h)->may_unwind, (*h)->id == 5);
		n++;
	}
	CHECK_EQ(n, 6);
	CHECK_EQ(a->helpers[1]->arg[0], EBPF_ARG_PTR_TO_MEM);
	CHECK_EQ(a->helpers[1]->arg[1], EBPF_ARG_CONST_SIZE);
	CHECK_EQ(a->helpers[4]->arg[0], EBPF_ARG_PTR_TO_STR);
}

static struct ebpf_prog *shared_prog;

static void *concurrent_runner(void *arg)
{
	uint64_t sum = 0;

	for (int i = 0; i < 200; i++)
		sum += ebpf_interp_run(shared_prog, 0, 0);
	*(uint64_t *)arg = sum;
	return NULL;
}

TEST(first_runs_race_safely)
{
	pthread_t t[4];
	uint64_t sums[4];

	shared_prog = mkprog(recursion, 0);
	CHECK(shared_prog != NULL);
	if (!shared_prog)
		return;
	for (int i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, concurrent_runner, &sums[i]);
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		CHECK(sums[i] == 0); /* r6 = 0: f(0) = 0 */
	}
	CHECK(shared_prog->interp != NULL);
	ebpf_prog_free(shared_prog);
}

TEST(lddw_map_sources)
{
#ifdef EBPF_CORE_HAVE_MAPS
	struct ebpf_map_def def = {
	    .type = EBPF_MAP_ARRAY, .key_size = 4, .value_size = 16, .max_entries = 1};
	struct ebpf_map *m = ebpf_map_create(&def, 1, errbuf, sizeof(errbuf));
	struct ebpf_prog *p;
	uint8_t *value;

	CHECK(m != NULL);
	if (!m)
		return;
	value = ebpf_map_direct_value(m);
	CHECK(value != NULL);
	p = mkprog("lddw %r0, map_fd 0\nexit", 0);
	p->maps = calloc(1, sizeof(*p->maps));
	p->maps[0] = ebpf_map_get(m);
	p->n_maps = 1;
	CHECK(ebpf_interp_run(p, 0, 0) == (uint64_t)(uintptr_t)m);
	ebpf_prog_free(p);
	p = mkprog("lddw %r1, map_idx_value 0 + 8\nstdw [%r1], 99\nlddw %r0, map_value 0 + 0\n"
		   "ldxdw %r0, [%r0+8]\nexit",
		   0);
	p->maps = calloc(1, sizeof(*p->maps));
	p->maps[0] = ebpf_map_get(m);
	p->n_maps = 1;
	CHECK(ebpf_interp_run(p, 0, 0) == 99);
	CHECK(value[8] == 99);
	ebpf_prog_free(p);
	ebpf_map_put(m);
#else
	SKIP("maps are not in this build");
#endif
}

HARNESS_MAIN(alu32_zero_extends, division_and_modulo_edges, shifts_are_masked,
	     movsx_and_sign_extending_loads, byte_swaps, stores_and_atomics,
	     jumps_compare_correctly, bpf_to_bpf_calls, helpers_of_the_mem_type,
	     prepare_refuses_what_it_cannot_run, runs_end_safely_without_exit,
	     prog_run_refuses_unverified_programs, mem_type_is_cached_per_size,
	     first_runs_race_safely, lddw_map_sources)
