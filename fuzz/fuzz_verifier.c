/* fuzz-verifier: soundness fuzzing of the verifier (src/ebpf/verifier*.c).
 *
 * Each input becomes a program (a structured generator biased toward what the verifier can
 * accept: buffer and stack accesses, pointer arithmetic, bounded loops, spills and fills, atomics,
 * calls, diamonds whose paths differ in one register (for precision tracking), plus raw slots) for
 * the test type mem:SIZE. When the verifier accepts it, the program runs
 *  1. on a checking interpreter written here, which single-steps it and aborts if any memory
 *     access leaves the SIZE-byte buffer or the live stack frames, reads an uninitialised
 *     register or stack byte, stores a pointer outside the stack or returns one, executes more
 *     instructions than the reported worst case, or ends with r0 outside the computed range;
 *  2. on the engine's interpreter (ebpf_interp_run) with the buffer at the end of an mmap'ed
 *     page followed by a PROT_NONE guard page (and one before it), under ASan; its r0 must be
 *     inside the verifier's range too.
 * Any crash or abort is a verifier soundness bug. Statistics go to stderr at exit
 * (FUZZ_VERIFIER_STATS=1): programs generated, accepted, refused. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ebpf/insn.h"
#include "ebpf/interp.h"
#include "ebpf/prog.h"
#include "ebpf/verifier.h"

#define MAX_INSNS 64
#define FRAMES EBPF_MAX_CALL_DEPTH

static uint64_t n_runs, n_accepted;

static void report(void)
{
	if (getenv("FUZZ_VERIFIER_STATS"))
		fprintf(stderr, "fuzz-verifier: %llu programs, %llu accepted\n",
			(unsigned long long)n_runs, (unsigned long long)n_accepted);
}

static void die(const char *what, uint32_t pc)
{
	fprintf(stderr, "fuzz-verifier: UNSOUND at insn %u: %s\n", pc, what);
	abort();
}

/* ---- program generator ------------------------------------------------------------------ */

struct gen {
	const uint8_t *p;
	size_t n;
};

static uint8_t g8(struct gen *g)
{
	if (!g->n)
		return 0;
	g->n--;
	return *g->p++;
}

static int32_t gimm(struct gen *g)
{
	static const int32_t v[] = {0,
				    1,
				    2,
				    3,
				    4,
				    7,
				    8,
				    15,
				    16,
				    31,
				    32,
				    63,
				    64,
				    255,
				    -1,
				    -8,
				    -16,
				    0x7fffffff,
				    (int32_t)0x80000000,
				    1000};
	uint8_t b = g8(g);
	if (b < 200)
		return v[b % (sizeof(v) / sizeof(v[0]))];
	return (int32_t)((uint32_t)g8(g) | (uint32_t)g8(g) << 8 | (uint32_t)g8(g) << 16 |
			 (uint32_t)g8(g) << 24);
}

static struct ebpf_insn mk(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm)
{
	struct ebpf_insn i = {
	    .code = code, .dst = dst & 0xf, .src = src & 0xf, .off = off, .imm = imm};
	return i;
}

static const uint8_t alu_ops[] = {EBPF_ALU_ADD, EBPF_ALU_SUB, EBPF_ALU_MUL, EBPF_ALU_DIV,
				  EBPF_ALU_OR,	EBPF_ALU_AND, EBPF_ALU_LSH, EBPF_ALU_RSH,
				  EBPF_ALU_NEG, EBPF_ALU_MOD, EBPF_ALU_XOR, EBPF_ALU_MOV,
				  EBPF_ALU_ARSH};
static const uint8_t jmp_ops[] = {EBPF_JMP_JEQ, EBPF_JMP_JGT,  EBPF_JMP_JGE,  EBPF_JMP_JSET,
				  EBPF_JMP_JNE, EBPF_JMP_JSGT, EBPF_JMP_JSGE, EBPF_JMP_JLT,
				  EBPF_JMP_JLE, EBPF_JMP_JSLT, EBPF_JMP_JSLE};
static const uint8_t sizes[] = {EBPF_SIZE_B, EBPF_SIZE_H, EBPF_SIZE_W, EBPF_SIZE_DW};

static uint32_t generate(struct gen *g, struct ebpf_insn *out, uint32_t *bufsize)
{
	uint32_t n = 0, want = 2 + g8(g) % (MAX_INSNS - 8);
	bool sub = false;
	uint32_t sub_at = 0;

	*bufsize = (uint32_t)(g8(g) % 5) * 8 + (g8(g) & 7);
	out[n++] = mk(EBPF_CLASS_ALU64 | EBPF_ALU_MOV, 0, 0, 0, gimm(g));
	while (n < want && g->n) {
		uint8_t k = g8(g) % 18, r = g8(g), d = r % 10, s = (r >> 4) % 11;
		uint8_t cls = (g8(g) & 1) ? EBPF_CLASS_ALU64 : EBPF_CLASS_ALU;
		int16_t off;
		switch (k) {
		case 0:
		case 1:
			out[n++] = mk(EBPF_CLASS_ALU64 | EBPF_ALU_MOV, d, 0, 0, gimm(g));
			break;
		case 2:
		case 3: {
			uint8_t op = alu_ops[g8(g) % sizeof(alu_ops)];
			bool x = g8(g) & 1;
			int16_t o = 0;
			if ((op == EBPF_ALU_DIV || op == EBPF_ALU_MOD) && (g8(g) & 1))
				o = 1;
			if (op == EBPF_ALU_NEG)
				x = false;
			out[n++] = mk(cls | op | (x ? EBPF_SRC_X : 0), d, x ? s : 0, o,
				      x || op == EBPF_ALU_NEG ? 0 : gimm(g));
			break;
		}
		case 4: /* load from the buffer or the stack */
			off = (int16_t)(g8(g) % 48);
			if (g8(g) & 1)
				out[n++] =
				    mk(EBPF_CLASS_LDX | EBPF_MODE_MEM | sizes[r & 3], d, 1, off, 0);
			else
				out[n++] = mk(EBPF_CLASS_LDX | EBPF_MODE_MEM | sizes[r & 3], d, 10,
					      (int16_t) - (off + 1), 0);
			break;
		case 5: { /* store */
			uint8_t base = (g8(g) & 1) ? 1 : 10;
			off = (int16_t)(g8(g) % 48);
			if (g8(g) & 1)
				out[n++] = mk(EBPF_CLASS_STX | EBPF_MODE_MEM | sizes[r & 3], base,
					      s, (int16_t)(base == 1 ? off : -(off + 1)), 0);
			else
				out[n++] = mk(EBPF_CLASS_ST | EBPF_MODE_MEM | sizes[r & 3], 10, 0,
					      (int16_t) - (8 * (off % 8 + 1)), gimm(g));
			break;
		}
		case 6: { /* conditional jump */
			bool x = g8(g) & 1;
			int8_t t = (int8_t)(g8(g) % 12) - 4;
			out[n++] = mk(((g8(g) & 3) ? EBPF_CLASS_JMP : EBPF_CLASS_JMP32) |
					  jmp_ops[g8(g) % sizeof(jmp_ops)] | (x ? EBPF_SRC_X : 0),
				      d, x ? s : 0, t, x ? 0 : gimm(g));
			break;
		}
		case 7: /* pointer arithmetic on a copy of r1 or r10 */
			out[n++] = mk(EBPF_CLASS_ALU64 | EBPF_ALU_MOV | EBPF_SRC_X, d,
				      (g8(g) & 1) ? 1 : 10, 0, 0);
			if (g8(g) & 1)
				out[n++] = mk(EBPF_CLASS_ALU64 | EBPF_ALU_ADD, d, 0, 0,
					      (int8_t)g8(g) % 64);
			else
				out[n++] =
				    mk(EBPF_CLASS_ALU64 | EBPF_ALU_ADD | EBPF_SRC_X, d, s, 0, 0);
			break;
		case 8: /* mask a register (bounds) */
			out[n++] = mk(EBPF_CLASS_ALU64 | EBPF_ALU_AND, d, 0, 0, g8(g) % 64);
			break;
		case 9: /* stack init */
			out[n++] = mk(EBPF_CLASS_STX | EBPF_MODE_MEM | EBPF_SIZE_DW, 10, s,
				      (int16_t) - (8 * (g8(g) % 8 + 1)), 0);
			break;
		case 10: { /* atomic on the stack */
			static const int32_t aops[] = {
			    EBPF_ATOMIC_ADD, EBPF_ATOMIC_OR | EBPF_ATOMIC_FETCH, EBPF_ATOMIC_XCHG,
			    EBPF_ATOMIC_CMPXCHG, EBPF_ATOMIC_XOR};
			out[n++] = mk(EBPF_CLASS_STX | EBPF_MODE_ATOMIC |
					  ((g8(g) & 1) ? EBPF_SIZE_DW : EBPF_SIZE_W),
				      (g8(g) & 1) ? 10 : 1, s, (int16_t)((g8(g) & 1) ? -8 : 0),
				      aops[g8(g) % 5]);
			break;
		}
		case 11: /* lddw */
			if (n + 2 < MAX_INSNS) {
				out[n++] = mk(EBPF_CLASS_LD | EBPF_SIZE_DW, d, 0, 0, gimm(g));
				out[n++] = mk(0, 0, 0, 0, gimm(g));
			}
			break;
		case 12: /* backward jump: a loop with a counter */
			if (n + 4 < MAX_INSNS) {
				uint8_t c = 6 + r % 4;
				out[n++] = mk(EBPF_CLASS_ALU64 | EBPF_ALU_MOV, c, 0, 0, 0);
				out[n++] =
				    mk(EBPF_CLASS_ALU64 | EBPF_ALU_ADD, c, 0, 0, 1 + g8(g) % 3);
				out[n++] = mk(EBPF_CLASS_JMP | EBPF_JMP_JLT, c, 0, -2, g8(g) % 40);
			}
			break;
		case 13: /* helper: no_op or gather */
			out[n++] = mk(EBPF_CLASS_JMP | EBPF_JMP_CALL, 0, 0, 0, (g8(g) & 1) ? 2 : 0);
			break;
		case 14: /* local call into a subprogram appended at the end */
			sub = true;
			out[n++] = mk(EBPF_CLASS_JMP | EBPF_JMP_CALL, 0, EBPF_PSEUDO_CALL, 0, 0);
			break;
		case 15: /* a diamond: paths that differ in one register's value (precision) */
			if (n + 2 < MAX_INSNS) {
				out[n++] = mk(EBPF_CLASS_JMP | jmp_ops[g8(g) % sizeof(jmp_ops)],
					      s % 10, 0, 1, (int8_t)g8(g));
				out[n++] = mk(EBPF_CLASS_ALU64 | EBPF_ALU_MOV, d, 0, 0, gimm(g));
			}
			break;
		case 16: /* an aligned 8-byte fill (spilled registers come back) */
			out[n++] = mk(EBPF_CLASS_LDX | EBPF_MODE_MEM | EBPF_SIZE_DW, d, 10,
				      (int16_t) - (8 * (g8(g) % 8 + 1)), 0);
			break;
		default: { /* a raw slot */
			struct ebpf_insn i;
			uint8_t b[8];
			for (int q = 0; q < 8; q++)
				b[q] = g8(g);
			memcpy(&i, b, 8);
			out[n++] = i;
			break;
		}
		}
	}
	out[n++] = mk(EBPF_CLASS_JMP | EBPF_JMP_EXIT, 0, 0, 0, 0);
	if (sub) {
		sub_at = n;
		out[n++] = mk(EBPF_CLASS_ALU64 | EBPF_ALU_MOV | EBPF_SRC_X, 0, 1, 0, 0);
		out[n++] = mk(EBPF_CLASS_ALU64 | EBPF_ALU_ADD, 0, 0, 0, 1);
		out[n++] = mk(EBPF_CLASS_JMP | EBPF_JMP_EXIT, 0, 0, 0, 0);
		for (uint32_t k = 0; k < sub_at; k++)
			if (out[k].code == (EBPF_CLASS_JMP | EBPF_JMP_CALL) &&
			    out[k].src == EBPF_PSEUDO_CALL)
				out[k].imm = (int32_t)(sub_at - k - 1);
	}
	return n;
}

/* ---- the checking interpreter -------------------------------------------------------------- */

struct creg {
	uint64_t v;
	bool init, ptr;
};

struct cframe {
	struct creg regs[11];
	uint32_t ret_pc;
	uint8_t stack[EBPF_STACK_SIZE];
	uint8_t init[EBPF_STACK_SIZE];
	bool ptrslot[EBPF_STACK_SIZE / 8];
};

struct cvm {
	bool unmodelled; /* the program called a helper this checker does not model */
	const struct ebpf_insn *insns;
	uint32_t n;
	uint8_t *buf;
	uint32_t bufsize;
	struct cframe frames[FRAMES];
	int cur;
};

static uint64_t rd(struct cvm *m, int r, uint32_t pc)
{
	if (!m->frames[m->cur].regs[r].init)
		die("read of an uninitialised register", pc);
	return m->frames[m->cur].regs[r].v;
}

/* resolves an address: returns host pointer after checking bounds; stack: frame index */
static uint8_t *resolve(struct cvm *m, uint64_t addr, unsigned size, uint32_t pc, int *frame,
			unsigned *soff)
{
	*frame = -1;
	if (m->bufsize && addr >= (uint64_t)(uintptr_t)m->buf &&
	    addr + size <= (uint64_t)(uintptr_t)m->buf + m->bufsize && addr + size > addr)
		return (uint8_t *)(uintptr_t)addr;
	for (int f = 0; f <= m->cur; f++) {
		uint64_t lo = (uint64_t)(uintptr_t)m->frames[f].stack;
		if (addr >= lo && addr + size <= lo + EBPF_STACK_SIZE && addr + size > addr) {
			*frame = f;
			*soff = (unsigned)(addr - lo);
			return (uint8_t *)(uintptr_t)addr;
		}
	}
	die("memory access outside the buffer and the live stack frames", pc);
	return NULL;
}

static uint64_t alu(uint8_t op, bool is32, int16_t off, uint64_t a, uint64_t b)
{
	if (is32) {
		uint32_t x = (uint32_t)a, y = (uint32_t)b;
		int32_t sx = (int32_t)x, sy = (int32_t)y;
		switch (op) {
		case EBPF_ALU_ADD:
			return (uint32_t)(x + y);
		case EBPF_ALU_SUB:
			return (uint32_t)(x - y);
		case EBPF_ALU_MUL:
			return (uint32_t)(x * y);
		case EBPF_ALU_DIV:
			if (off)
				return !sy	  ? 0
				       : sy == -1 ? (uint32_t)(0u - x)
						  : (uint32_t)(sx / sy);
			return y ? x / y : 0;
		case EBPF_ALU_MOD:
			if (off)
				return !sy ? x : sy == -1 ? 0 : (uint32_t)(sx % sy);
			return y ? x % y : x;
		case EBPF_ALU_OR:
			return x | y;
		case EBPF_ALU_AND:
			return x & y;
		case EBPF_ALU_XOR:
			return x ^ y;
		case EBPF_ALU_LSH:
			return (uint32_t)(x << (y & 31));
		case EBPF_ALU_RSH:
			return x >> (y & 31);
		case EBPF_ALU_ARSH:
			return (uint32_t)(sx >> (y & 31));
		case EBPF_ALU_NEG:
			return 0u - x;
		case EBPF_ALU_MOV:
			return off == 8	   ? (uint32_t)(int32_t)(int8_t)y
			       : off == 16 ? (uint32_t)(int32_t)(int16_t)y
					   : y;
		}
		return 0;
	}
	int64_t sa = (int64_t)a, sb = (int64_t)b;
	switch (op) {
	case EBPF_ALU_ADD:
		return a + b;
	case EBPF_ALU_SUB:
		return a - b;
	case EBPF_ALU_MUL:
		return a * b;
	case EBPF_ALU_DIV:
		if (off)
			return !sb ? 0 : sb == -1 ? 0 - a : (uint64_t)(sa / sb);
		return b ? a / b : 0;
	case EBPF_ALU_MOD:
		if (off)
			return !sb ? a : sb == -1 ? 0 : (uint64_t)(sa % sb);
		return b ? a % b : a;
	case EBPF_ALU_OR:
		return a | b;
	case EBPF_ALU_AND:
		return a & b;
	case EBPF_ALU_XOR:
		return a ^ b;
	case EBPF_ALU_LSH:
		return a << (b & 63);
	case EBPF_ALU_RSH:
		return a >> (b & 63);
	case EBPF_ALU_ARSH:
		return (uint64_t)(sa >> (b & 63));
	case EBPF_ALU_NEG:
		return 0 - a;
	case EBPF_ALU_MOV:
		return off == 8	   ? (uint64_t)(int64_t)(int8_t)b
		       : off == 16 ? (uint64_t)(int64_t)(int16_t)b
		       : off == 32 ? (uint64_t)(int64_t)(int32_t)b
				   : b;
	}
	return 0;
}

static bool cond(uint8_t op, bool is32, uint64_t a, uint64_t b)
{
	if (is32) {
		a = (uint32_t)a;
		b = (uint32_t)b;
	}
	int64_t sa = is32 ? (int32_t)(uint32_t)a : (int64_t)a,
		sb = is32 ? (int32_t)(uint32_t)b : (int64_t)b;
	switch (op) {
	case EBPF_JMP_JEQ:
		return a == b;
	case EBPF_JMP_JNE:
		return a != b;
	case EBPF_JMP_JGT:
		return a > b;
	case EBPF_JMP_JGE:
		return a >= b;
	case EBPF_JMP_JLT:
		return a < b;
	case EBPF_JMP_JLE:
		return a <= b;
	case EBPF_JMP_JSGT:
		return sa > sb;
	case EBPF_JMP_JSGE:
		return sa >= sb;
	case EBPF_JMP_JSLT:
		return sa < sb;
	case EBPF_JMP_JSLE:
		return sa <= sb;
	case EBPF_JMP_JSET:
		return (a & b) != 0;
	}
	return false;
}

static unsigned szb(uint8_t code)
{
	static const unsigned s[] = {4, 2, 1, 8};
	return s[EBPF_SIZE(code) >> 3];
}

static void set(struct cvm *m, int r, uint64_t v, bool ptr)
{
	m->frames[m->cur].regs[r] = (struct creg){.v = v, .init = true, .ptr = ptr};
}

static uint64_t check_run(struct cvm *m, uint64_t budget)
{
	uint32_t pc = 0;
	uint64_t steps = 0;
	struct cframe *f;

	for (;;) {
		const struct ebpf_insn *i = &m->insns[pc];
		uint8_t cls = EBPF_CLASS(i->code), op = EBPF_OP(i->code);
		bool x = EBPF_SRC(i->code) == EBPF_SRC_X;
		f = &m->frames[m->cur];
		if (++steps > budget)
			die("executed more instructions than the reported worst case", pc);
		if (pc >= m->n)
			die("pc outside the program", pc);
		switch (cls) {
		case EBPF_CLASS_ALU:
		case EBPF_CLASS_ALU64: {
			bool is32 = cls == EBPF_CLASS_ALU;
			if (op == EBPF_ALU_END) {
				uint64_t v = rd(m, i->dst, pc);
				if (f->regs[i->dst].ptr)
					die("byte swap of a pointer", pc);
				if (cls == EBPF_CLASS_ALU64 || x)
					v = i->imm == 16   ? __builtin_bswap16((uint16_t)v)
					    : i->imm == 32 ? __builtin_bswap32((uint32_t)v)
							   : __builtin_bswap64(v);
				else
					v = i->imm == 16   ? (uint16_t)v
					    : i->imm == 32 ? (uint32_t)v
							   : v;
				set(m, i->dst, v, false);
				break;
			}
			uint64_t b = x	    ? rd(m, i->src, pc)
				     : is32 ? (uint32_t)i->imm
					    : (uint64_t)(int64_t)i->imm;
			bool bptr = x && f->regs[i->src].ptr;
			if (op == EBPF_ALU_MOV) {
				set(m, i->dst, alu(op, is32, i->off, 0, b),
				    bptr && !is32 && !i->off);
				if (bptr && (is32 || i->off))
					die("partial copy of a pointer", pc);
				break;
			}
			uint64_t a = rd(m, i->dst, pc);
			bool aptr = f->regs[i->dst].ptr;
			bool rptr = false;
			if (aptr || bptr) {
				if (is32)
					die("32-bit arithmetic on a pointer", pc);
				if (op == EBPF_ALU_ADD && !(aptr && bptr))
					rptr = true;
				else if (op == EBPF_ALU_SUB && aptr && !bptr)
					rptr = true;
				else if (op == EBPF_ALU_SUB && aptr && bptr)
					rptr = false; /* difference: a scalar */
				else
					die("pointer arithmetic the verifier should refuse", pc);
			}
			set(m, i->dst, alu(op, is32, i->off, a, op == EBPF_ALU_NEG ? 0 : b), rptr);
			break;
		}
		case EBPF_CLASS_LD:
			set(m, i->dst, (uint32_t)i->imm | (uint64_t)(uint32_t)i[1].imm << 32,
			    false);
			pc++;
			break;
		case EBPF_CLASS_LDX: {
			unsigned sz = szb(i->code), so = 0;
			int fr;
			uint64_t base = rd(m, i->src, pc), v = 0;
			uint8_t *p = resolve(m, base + (uint64_t)(int64_t)i->off, sz, pc, &fr, &so);
			bool ptr = false;
			if (fr >= 0) {
				for (unsigned q = 0; q < sz; q++)
					if (!m->frames[fr].init[so + q])
						die("read of an uninitialised stack byte", pc);
				ptr = m->frames[fr].ptrslot[so / 8];
				if (ptr && (sz != 8 || so % 8))
					die("partial read of a spilled pointer", pc);
			}
			memcpy(&v, p, sz);
			if (EBPF_MODE(i->code) == EBPF_MODE_MEMSX)
				v = sz == 1   ? (uint64_t)(int64_t)(int8_t)v
				    : sz == 2 ? (uint64_t)(int64_t)(int16_t)v
					      : (uint64_t)(int64_t)(int32_t)v;
			set(m, i->dst, v, ptr);
			break;
		}
		case EBPF_CLASS_ST:
		case EBPF_CLASS_STX: {
			unsigned sz = szb(i->code), so = 0;
			int fr;
			uint64_t base = rd(m, i->dst, pc);
			uint64_t v =
			    cls == EBPF_CLASS_ST ? (uint64_t)(int64_t)i->imm : rd(m, i->src, pc);
			bool vptr = cls == EBPF_CLASS_STX && f->regs[i->src].ptr;
			uint8_t *p = resolve(m, base + (uint64_t)(int64_t)i->off, sz, pc, &fr, &so);
			if (vptr && fr < 0)
				die("pointer stored outside the stack", pc);
			if (EBPF_MODE(i->code) == EBPF_MODE_ATOMIC) {
				uint64_t old = 0;
				if (vptr)
					die("atomic with a pointer operand", pc);
				if (fr >= 0)
					for (unsigned q = 0; q < sz; q++)
						if (!m->frames[fr].init[so + q])
							die("atomic on uninitialised stack", pc);
				if (fr >= 0 && m->frames[fr].ptrslot[so / 8])
					die("atomic on a spilled pointer", pc);
				memcpy(&old, p, sz);
				uint64_t nv = old;
				int a = i->imm & ~EBPF_ATOMIC_FETCH;
				if (i->imm == EBPF_ATOMIC_XCHG)
					nv = v;
				else if (i->imm == EBPF_ATOMIC_CMPXCHG) {
					uint64_t r0 = rd(m, 0, pc);
					if (sz == 4 ? (uint32_t)r0 == (uint32_t)old : r0 == old)
						nv = v;
					set(m, 0, old, false);
				} else if (a == EBPF_ATOMIC_ADD)
					nv = old + v;
				else if (a == EBPF_ATOMIC_OR)
					nv = old | v;
				else if (a == EBPF_ATOMIC_AND)
					nv = old & v;
				else if (a == EBPF_ATOMIC_XOR)
					nv = old ^ v;
				memcpy(p, &nv, sz);
				if ((i->imm & EBPF_ATOMIC_FETCH) && i->imm != EBPF_ATOMIC_CMPXCHG)
					set(m, i->src, sz == 4 ? (uint32_t)old : old, false);
				break;
			}
			memcpy(p, &v, sz);
			if (fr >= 0) {
				for (unsigned q = 0; q < sz; q++)
					m->frames[fr].init[so + q] = 1;
				if (vptr && (sz != 8 || so % 8))
					die("partial store of a pointer", pc);
				if (sz == 8 && !(so % 8))
					m->frames[fr].ptrslot[so / 8] = vptr;
				else
					for (unsigned q = so / 8; q <= (so + sz - 1) / 8; q++) {
						if (m->frames[fr].ptrslot[q]) {
							/* the rest of a clobbered spilled pointer
							 * is unreadable */
							m->frames[fr].ptrslot[q] = false;
							for (unsigned z = q * 8; z < q * 8 + 8; z++)
								if (z < so || z >= so + sz)
									m->frames[fr].init[z] = 0;
						}
					}
			}
			break;
		}
		default: {
			bool is32 = cls == EBPF_CLASS_JMP32;
			if (op == EBPF_JMP_JA) {
				pc = (uint32_t)((int64_t)pc + 1 + (is32 ? i->imm : i->off));
				continue;
			}
			if (op == EBPF_JMP_EXIT) {
				if (!f->regs[0].init)
					die("exit with uninitialised r0", pc);
				if (m->cur == 0) {
					if (f->regs[0].ptr)
						die("returns a pointer", pc);
					return f->regs[0].v;
				}
				struct creg r0 = f->regs[0];
				pc = f->ret_pc;
				m->cur--;
				m->frames[m->cur].regs[0] = r0;
				for (int q = 1; q <= 5; q++)
					m->frames[m->cur].regs[q].init = false;
				continue;
			}
			if (op == EBPF_JMP_CALL) {
				if (i->src == EBPF_PSEUDO_CALL) {
					if (m->cur + 1 >= FRAMES)
						die("call depth", pc);
					struct cframe *nf = &m->frames[m->cur + 1];
					memset(nf, 0, sizeof(*nf));
					for (int q = 1; q <= 5; q++)
						nf->regs[q] = f->regs[q];
					nf->regs[10] = (struct creg){
					    .v = (uint64_t)(uintptr_t)(nf->stack + EBPF_STACK_SIZE),
					    .init = true,
					    .ptr = true};
					nf->ret_pc = pc + 1;
					m->cur++;
					pc = (uint32_t)((int64_t)pc + 1 + i->imm);
					continue;
				}
				uint32_t id = x ? (uint32_t)rd(m, i->dst, pc) : (uint32_t)i->imm;
				uint64_t r = 0;
				if (id == 0) {
					uint64_t a[5];
					for (int q = 0; q < 5; q++) {
						a[q] = rd(m, q + 1, pc);
						if (f->regs[q + 1].ptr)
							die("pointer passed as a scalar", pc);
					}
					r = (a[0] & 0xff) << 32 | (a[1] & 0xff) << 24 |
					    (a[2] & 0xff) << 16 | (a[3] & 0xff) << 8 |
					    (a[4] & 0xff);
				} else if (id != 2) {
					/* not modelled here (e.g. callx to sqrti): stop checking
					 * this program; the engine's run below still checks it */
					m->unmodelled = true;
					return 0;
				}
				steps += 1; /* the helpers' cost in the mem type */
				for (int q = 1; q <= 5; q++)
					f->regs[q].init = false;
				set(m, 0, r, false);
				break;
			}
			uint64_t a = rd(m, i->dst, pc);
			uint64_t b = x	    ? rd(m, i->src, pc)
				     : is32 ? (uint32_t)i->imm
					    : (uint64_t)(int64_t)i->imm;
			if (f->regs[i->dst].ptr || (x && f->regs[i->src].ptr)) {
				/* only a NULL check (pointer against scalar 0, either side) */
				bool dptr = f->regs[i->dst].ptr, sptr = x && f->regs[i->src].ptr;
				uint64_t other = dptr ? b : a;
				if (!(op == EBPF_JMP_JEQ || op == EBPF_JMP_JNE) || other != 0 ||
				    is32 || (dptr && sptr))
					die("pointer comparison the verifier should refuse", pc);
			}
			if (cond(op, is32, a, b)) {
				pc = (uint32_t)((int64_t)pc + 1 + i->off);
				continue;
			}
			break;
		}
		}
		pc++;
	}
}

/* ---- the harness ------------------------------------------------------------------------------
 */

static uint8_t *guarded_buffer(uint32_t size, uint8_t **base_out, size_t *len_out)
{
	long pg = sysconf(_SC_PAGESIZE);
	size_t len = (size_t)pg * 3;
	uint8_t *base = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (base == MAP_FAILED)
		abort();
	mprotect(base, (size_t)pg, PROT_NONE);
	mprotect(base + 2 * pg, (size_t)pg, PROT_NONE);
	*base_out = base;
	*len_out = len;
	return base + 2 * pg - size;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool registered;
	struct gen g = {data, size};
	struct ebpf_insn insns[MAX_INSNS + 8];
	uint32_t bufsize, n;
	struct ebpf_prog prog;
	struct ebpf_verify_result res;
	struct ebpf_verify_opts opts = {.max_processed = 50000};
	static struct cvm m;

	if (!registered) {
		registered = true;
		atexit(report);
	}
	n = generate(&g, insns, &bufsize);
	memset(&prog, 0, sizeof(prog));
	prog.insns = malloc(n * sizeof(*insns));
	if (!prog.insns)
		return 0;
	memcpy(prog.insns, insns, n * sizeof(*insns));
	prog.n_insns = n;
	prog.type = ebpf_prog_type_mem(bufsize);
	n_runs++;
	if (getenv("FUZZ_VERIFIER_STATS") && !(n_runs & (n_runs - 1)) && n_runs >= 1024)
		report();
	if (ebpf_verify(&prog, &opts, &res) == 0) {
		uint8_t *base, *buf;
		size_t len;
		uint64_t r0;
		n_accepted++;
		buf = guarded_buffer(bufsize, &base, &len);
		for (uint32_t k = 0; k < bufsize; k++)
			buf[k] = (uint8_t)(k * 37 + size);
		/* 1. the checking interpreter */
		memset(&m, 0, sizeof(m));
		m.insns = prog.insns;
		m.n = n;
		m.buf = buf;
		m.bufsize = bufsize;
		m.frames[0].regs[1] = (struct creg){
		    .v = bufsize ? (uint64_t)(uintptr_t)buf : 0, .init = true, .ptr = bufsize != 0};
		m.frames[0].regs[2] = (struct creg){.v = bufsize, .init = true};
		m.frames[0].regs[10] =
		    (struct creg){.v = (uint64_t)(uintptr_t)(m.frames[0].stack + EBPF_STACK_SIZE),
				  .init = true,
				  .ptr = true};
		r0 = check_run(&m, res.worst_case_insns);
		if (!m.unmodelled && ((int64_t)r0 < res.r0_smin || (int64_t)r0 > res.r0_smax ||
				      r0 < res.r0_umin || r0 > res.r0_umax))
			die("r0 outside the computed range", 0);
		/* 2. the engine's interpreter on the guarded buffer */
		for (uint32_t k = 0; k < bufsize; k++)
			buf[k] = (uint8_t)(k * 37 + size);
		r0 = ebpf_interp_run(&prog, bufsize ? (uint64_t)(uintptr_t)buf : 0, bufsize);
		if ((int64_t)r0 < res.r0_smin || (int64_t)r0 > res.r0_smax || r0 < res.r0_umin ||
		    r0 > res.r0_umax)
			die("interpreter's r0 outside the computed range", 0);
		munmap(base, len);
	}
	ebpf_verify_result_free(&res);
	ebpf_interp_reset(&prog);
	free(prog.insns);
	return 0;
}
