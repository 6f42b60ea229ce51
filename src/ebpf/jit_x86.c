/* jit_x86.c: the x86-64 JIT of the eBPF engine (interface: jit.h; design: docs/ebpf-jit.md).
 *
 * Register mapping (System V: helpers are called directly, arguments already in place):
 *   r0 rax   r1 rdi   r2 rsi   r3 rdx   r4 rcx   r5 r8      (caller-saved, like BPF's r0-r5)
 *   r6 rbx   r7 r13   r8 r14   r9 r15   r10 rbp            (callee-saved, like BPF's r6-r10)
 *   r12: the run state (call depth, tail calls, unwinding); r9, r10, r11: JIT scratch.
 *
 * Each BPF function (the main program and every bpf-to-bpf subprogram) becomes an x86 function
 * with its own prologue: it pushes the callee-saved registers it writes, sets rbp to the top of
 * its own 512-byte frame when it uses r10, and keeps rsp 16-byte aligned at calls. A call to a
 * subprogram is a real `call`, guarded by a depth counter in the run state (at most
 * EBPF_MAX_CALL_DEPTH frames), so even an unverified recursion cannot overflow the host stack.
 * Unwinding (a may_unwind helper returning 0 in a subprogram, the depth limit, an unknown callx
 * id, a tail call) restores rsp from the run state and returns from the main function at once.
 *
 * Branches are resolved in passes: the first pass uses 32-bit displacements everywhere, each next
 * pass uses the layout of the previous one and picks 8-bit forms where they reach; sizes only
 * shrink, so the passes converge, and the pass whose layout equals its predecessor's is exact.
 * The code is emitted straight into its final mapping (read-write, not executable), which is
 * then made read+execute; an inaccessible guard page follows it. */
#include "ebpf/jit.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <unistd.h>

#include "ebpf/helpers.h"
#include "ebpf/maps.h"
#include "ebpf/x86_emit.h"

/* Upper bound of the machine code of one BPF instruction slot (checked after each one), of one
 * function's prologue/epilogue overhead, and of the stubs at the end. */
#define JIT_MAX_INSN_BYTES 112
#define JIT_MAX_FUNC_BYTES 64
#define JIT_MAX_STUB_BYTES 64
#define JIT_MAX_PASSES 64
#define JIT_MAX_TAIL_CALLS 33

/* The state of one run, reached through r12 by the generated code (offsets are part of the code
 * generation: keep them in sync with the JS_* constants). */
struct jit_state {
	uint64_t entry_rsp;	      /* 0: rsp of the main function after its pushes */
	uint32_t depth;		      /* 8: bpf-to-bpf frames below the main one */
	uint32_t error;		      /* 12: why the run was aborted (enum ebpf_jit_run_error) */
	uint64_t callx_id;	      /* 16: helper id of the pending callx */
	uint8_t abort;		      /* 24: set by the callx trampoline: end the run */
	uint32_t tail_calls;	      /* tail calls so far in this run */
	const struct ebpf_prog *prog; /* the program running (tail calls change it) */
	const struct ebpf_prog *next; /* tail-call target, run after this program ends */
	uint64_t next_r1;
};
#define JS_ENTRY_RSP 0
#define JS_DEPTH 8
#define JS_ERROR 12
#define JS_CALLX_ID 16
#define JS_ABORT 24
_Static_assert(offsetof(struct jit_state, depth) == JS_DEPTH, "layout");
_Static_assert(offsetof(struct jit_state, error) == JS_ERROR, "layout");
_Static_assert(offsetof(struct jit_state, callx_id) == JS_CALLX_ID, "layout");
_Static_assert(offsetof(struct jit_state, abort) == JS_ABORT, "layout");

typedef uint64_t (*jit_entry_fn)(uint64_t r1, uint64_t r2, struct jit_state *st);

struct ebpf_jit_image {
	uint8_t *map; /* code pages followed by one guard page */
	size_t map_len;
	size_t code_size;
	jit_entry_fn entry;
};

static __thread int jit_last_error;

/* indexed by the 4-bit register fields; r11-r15 are refused before their entry is used */
static const uint8_t R[16] = {
    X86_RAX, X86_RDI, X86_RSI, X86_RDX, X86_RCX, X86_R8,
    X86_RBX, X86_R13, X86_R14, X86_R15, X86_RBP,
};

enum { SCRATCH_A = X86_R11, SCRATCH_B = X86_R10, SCRATCH_C = X86_R9, STATE = X86_R12 };

struct jit_func {
	uint32_t start, end; /* slots [start, end) */
	uint16_t push;	     /* x86 registers pushed by the prologue (bit per register) */
	uint8_t npush;
	uint32_t frame; /* rsp adjustment after the pushes (frame + alignment) */
	bool uses_fp;	/* sets rbp to its own 512-byte frame */
	bool makes_calls;
	uint32_t entry; /* offset of the prologue (previous pass) */
	uint32_t entry_cur;
};

struct jit {
	struct ebpf_prog *prog;
	const struct ebpf_insn *insns;
	uint32_t n;
	struct x86_buf b;
	uint8_t *base;	    /* final address of the code (the mapping) */
	uint32_t *addr;	    /* previous pass: offset of each slot's code; [n] the end */
	uint32_t *addr_cur; /* this pass */
	bool first;	    /* no previous pass yet: every branch takes its long form */
	struct jit_func *funcs;
	uint32_t nfuncs;
	uint8_t *slot2;	    /* 1 for the second slot of an lddw */
	uint8_t *is_target; /* 1 for a slot some jump lands on */
	uint32_t cur_func;
	uint32_t pc;	  /* slot being compiled */
	bool needs_state; /* r12 holds the run state */
	bool blind;
	uint64_t blind_seed;
	/* stub labels: previous pass and this pass */
	uint32_t l_depth, l_abort, l_unwind;
	uint32_t l_depth_cur, l_abort_cur, l_unwind_cur;
	char *err;
	size_t errlen;
};

/* ---- errors --------------------------------------------------------------------------------- */

__attribute__((format(printf, 3, 4))) static int jit_fail(struct jit *j, int rc, const char *fmt,
							  ...)
{
	va_list ap;
	int n = 0;

	if (!j->err || !j->errlen)
		return rc;
	n = snprintf(j->err, j->errlen,
		     "jit: %s: insn %u: ", j->prog->name[0] ? j->prog->name : "prog", j->pc);
	if (n < 0 || (size_t)n >= j->errlen)
		return rc;
	va_start(ap, fmt);
	vsnprintf(j->err + n, j->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return rc;
}

/* ---- blinding ------------------------------------------------------------------------------- */

static uint64_t splitmix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

/* Key for the immediate of slot pc (stable across passes, different for every slot). */
static uint64_t blind_key(const struct jit *j, uint32_t salt)
{
	return splitmix64(j->blind_seed ^ ((uint64_t)j->pc << 8) ^ salt);
}

/* reg = imm sign-extended to 64 bits (w 8) or zero-extended from 32 (w 4), never with imm itself
 * in the code when blinding. */
static void emit_load_imm(struct jit *j, int reg, int w, int32_t imm)
{
	if (imm == 0) {
		x86_alu_rr(&j->b, X86_XOR, 4, reg, reg);
	} else if (j->blind) {
		int32_t k = (int32_t)blind_key(j, 1);

		if (w == 8)
			x86_mov_ri_sx(&j->b, reg, imm ^ k);
		else
			x86_mov_ri32(&j->b, reg, (uint32_t)(imm ^ k));
		x86_alu_ri(&j->b, X86_EXT_XOR, w, reg, k);
	} else if (w == 8) {
		x86_mov_ri64(&j->b, reg, (uint64_t)(int64_t)imm);
	} else {
		x86_mov_ri32(&j->b, reg, (uint32_t)imm);
	}
}

static void emit_load_imm64(struct jit *j, int reg, uint64_t v, bool program_constant)
{
	if (j->blind && program_constant && v) {
		uint64_t k = blind_key(j, 2);

		x86_movabs(&j->b, reg, v ^ k);
		x86_movabs(&j->b, SCRATCH_A, k);
		x86_alu_rr(&j->b, X86_XOR, 8, reg, SCRATCH_A);
	} else {
		x86_mov_ri64(&j->b, reg, v);
	}
}

/* ---- jumps ---------------------------------------------------------------------------------- */

/* Jump (cc < 0: unconditional) to the offset `target` of the previous pass. The position of this
 * jump in the previous pass is the previous start of the slot plus what this pass has emitted for
 * the slot so far (the same: only branches change size, and each slot ends with its only
 * variable one, or has a fixed-size prefix before it). */
static void emit_jump_to(struct jit *j, int cc, uint32_t target, uint32_t slot_start_cur)
{
	int64_t pos, rel;

	if (j->first) {
		if (cc < 0)
			x86_jmp_rel32(&j->b, 0);
		else
			x86_jcc_rel32(&j->b, (enum x86_cc)cc, 0);
		return;
	}
	pos = (int64_t)j->addr[j->pc] + (int64_t)(j->b.len - slot_start_cur);
	rel = (int64_t)target - (pos + 2);
	if (rel >= -128 && rel <= 127) {
		if (cc < 0)
			x86_jmp_rel8(&j->b, (int8_t)rel);
		else
			x86_jcc_rel8(&j->b, (enum x86_cc)cc, (int8_t)rel);
		return;
	}
	rel = (int64_t)target - (pos + (cc < 0 ? 5 : 6));
	if (cc < 0)
		x86_jmp_rel32(&j->b, (int32_t)rel);
	else
		x86_jcc_rel32(&j->b, (enum x86_cc)cc, (int32_t)rel);
}

/* Calls of C functions (helpers, trampolines) are absolute (movabs r11; call r11): the code is
 * position-independent, so that it is built in a heap buffer and copied into an exact-size
 * mapping (fewer mapping changes: each one costs a TLB flush). */
static void emit_call_abs(struct jit *j, const void *fn)
{
	x86_movabs(&j->b, SCRATCH_A, (uint64_t)(uintptr_t)fn);
	x86_call_r(&j->b, SCRATCH_A);
}

/* ---- prologue / epilogue -------------------------------------------------------------------- */

static const uint8_t push_order[] = {X86_RBP, X86_RBX, X86_R12, X86_R13, X86_R14, X86_R15};

static void emit_pops(struct jit *j, const struct jit_func *f)
{
	for (int i = (int)sizeof(push_order) - 1; i >= 0; i--)
		if (f->push & (1u << push_order[i]))
			x86_pop(&j->b, push_order[i]);
}

static void emit_epilogue(struct jit *j, const struct jit_func *f)
{
	if (f->frame) {
		if (f->uses_fp) /* rbp = rsp after the pushes */
			x86_mov_rr(&j->b, 8, X86_RSP, X86_RBP);
		else
			x86_alu_ri(&j->b, X86_EXT_ADD, 8, X86_RSP, (int32_t)f->frame);
	}
	emit_pops(j, f);
	x86_ret(&j->b);
}

static void emit_prologue(struct jit *j, struct jit_func *f, bool is_main, uint16_t used)
{
	for (size_t i = 0; i < sizeof(push_order); i++)
		if (f->push & (1u << push_order[i]))
			x86_push(&j->b, push_order[i]);
	if (is_main && j->needs_state) {
		x86_mov_rr(&j->b, 8, STATE, X86_RDX);
		x86_store_r(&j->b, 8, STATE, JS_ENTRY_RSP, X86_RSP);
	}
	if (f->uses_fp)
		x86_mov_rr(&j->b, 8, X86_RBP, X86_RSP);
	if (f->frame)
		x86_alu_ri(&j->b, X86_EXT_SUB, 8, X86_RSP, (int32_t)f->frame);
	if (is_main) {
		/* registers the program may read before writing start at 0 (as in the interpreter),
		 * and no host value leaks into the program */
		static const int zero[] = {0, 3, 4, 5, 6, 7, 8, 9};

		for (size_t i = 0; i < sizeof(zero) / sizeof(zero[0]); i++)
			if (used & (1u << zero[i]))
				x86_alu_rr(&j->b, X86_XOR, 4, R[zero[i]], R[zero[i]]);
	}
}

/* ---- ALU ------------------------------------------------------------------------------------ */

static void emit_divmod(struct jit *j, const struct ebpf_insn *in, bool is64, bool x)
{
	struct x86_buf *b = &j->b;
	int w = is64 ? 8 : 4, d = R[in->dst];
	bool sdiv = in->off == 1, mod = EBPF_OP(in->code) == EBPF_ALU_MOD;
	size_t j_zero = 0, j_neg = 0, j_end1 = 0, j_end2 = 0;

	if (!x) {
		int32_t imm = in->imm;
		uint32_t u = (uint32_t)imm;

		if (imm == 0) {
			if (!mod)
				x86_alu_rr(b, X86_XOR, 4, d, d);
			else if (!is64)
				x86_mov_rr(b, 4, d, d);
			return;
		}
		if (sdiv && imm == -1) {
			if (mod)
				x86_alu_rr(b, X86_XOR, 4, d, d);
			else
				x86_unary_r(b, X86_EXT_NEG, w, d);
			return;
		}
		if (!sdiv && !j->blind && imm > 0 && (u & (u - 1)) == 0) {
			int sh = __builtin_ctz(u);

			if (mod)
				x86_alu_ri(b, X86_EXT_AND, w, d, imm - 1);
			else if (sh)
				x86_shift_ri(b, X86_EXT_SHR, w, d, (uint8_t)sh);
			else if (!is64)
				x86_mov_rr(b, 4, d, d);
			return;
		}
		emit_load_imm(j, SCRATCH_A, w, imm);
	} else {
		x86_mov_rr(b, w, SCRATCH_A, R[in->src]);
		x86_alu_rr(b, X86_TEST, w, SCRATCH_A, SCRATCH_A);
		j_zero = x86_jcc_fwd8(b, X86_CC_E);
		if (sdiv) {
			x86_alu_ri(b, X86_EXT_CMP, w, SCRATCH_A, -1);
			j_neg = x86_jcc_fwd8(b, X86_CC_E);
		}
	}
	/* dividend in rax, rdx extended; BPF r0 and r3 live there, keep them in r10 and r9 */
	if (d != X86_RAX)
		x86_mov_rr(b, 8, SCRATCH_B, X86_RAX);
	if (d != X86_RDX)
		x86_mov_rr(b, 8, SCRATCH_C, X86_RDX);
	if (d != X86_RAX)
		x86_mov_rr(b, w, X86_RAX, d);
	if (sdiv) {
		if (is64)
			x86_cqo(b);
		else
			x86_cdq(b);
	} else {
		x86_alu_rr(b, X86_XOR, 4, X86_RDX, X86_RDX);
	}
	x86_unary_r(b, sdiv ? X86_EXT_IDIV : X86_EXT_DIV, w, SCRATCH_A);
	if (mod) {
		if (d != X86_RDX)
			x86_mov_rr(b, w, d, X86_RDX);
	} else if (d != X86_RAX) {
		x86_mov_rr(b, w, d, X86_RAX);
	}
	if (d != X86_RAX)
		x86_mov_rr(b, 8, X86_RAX, SCRATCH_B);
	if (d != X86_RDX)
		x86_mov_rr(b, 8, X86_RDX, SCRATCH_C);
	if (!x)
		return;
	j_end1 = x86_jcc_fwd8(b, -1);
	if (sdiv) {
		/* divisor -1: quotient -dst (INT_MIN stays INT_MIN), remainder 0 */
		x86_patch8(b, j_neg);
		if (mod)
			x86_alu_rr(b, X86_XOR, 4, d, d);
		else
			x86_unary_r(b, X86_EXT_NEG, w, d);
		j_end2 = x86_jcc_fwd8(b, -1);
	}
	/* divisor 0: quotient 0, remainder dst (RFC 9669) */
	x86_patch8(b, j_zero);
	if (!mod)
		x86_alu_rr(b, X86_XOR, 4, d, d);
	else if (!is64)
		x86_mov_rr(b, 4, d, d);
	x86_patch8(b, j_end1);
	if (sdiv)
		x86_patch8(b, j_end2);
}

static void emit_shift_reg(struct jit *j, enum x86_ext ext, int w, int d, int s)
{
	struct x86_buf *b = &j->b;

	if (s == X86_RCX) {
		x86_shift_rcl(b, ext, w, d);
	} else if (d != X86_RCX) {
		x86_mov_rr(b, 8, SCRATCH_A, X86_RCX);
		x86_mov_rr(b, 4, X86_RCX, s);
		x86_shift_rcl(b, ext, w, d);
		x86_mov_rr(b, 8, X86_RCX, SCRATCH_A);
	} else {
		x86_mov_rr(b, 8, SCRATCH_A, X86_RCX);
		x86_mov_rr(b, 4, X86_RCX, s);
		x86_shift_rcl(b, ext, w, SCRATCH_A);
		x86_mov_rr(b, 8, X86_RCX, SCRATCH_A);
	}
}

static int emit_alu(struct jit *j, const struct ebpf_insn *in)
{
	struct x86_buf *b = &j->b;
	bool is64 = EBPF_CLASS(in->code) == EBPF_CLASS_ALU64;
	bool x = EBPF_SRC(in->code) == EBPF_SRC_X;
	int w = is64 ? 8 : 4, d = R[in->dst], s = R[in->src];
	uint8_t op = EBPF_OP(in->code);
	static const struct {
		enum x86_alu rr;
		enum x86_ext ri;
	} simple[16] = {
	    [EBPF_ALU_ADD >> 4] = {X86_ADD, X86_EXT_ADD},
	    [EBPF_ALU_SUB >> 4] = {X86_SUB, X86_EXT_SUB},
	    [EBPF_ALU_OR >> 4] = {X86_OR, X86_EXT_OR},
	    [EBPF_ALU_AND >> 4] = {X86_AND, X86_EXT_AND},
	    [EBPF_ALU_XOR >> 4] = {X86_XOR, X86_EXT_XOR},
	};

	if (in->dst >= EBPF_REG_FP)
		return jit_fail(j, -EINVAL, "r%u is not a writable register", in->dst);
	if (x && in->src > EBPF_REG_FP)
		return jit_fail(j, -EINVAL, "bad source register r%u", in->src);
	if (in->off && !(op == EBPF_ALU_DIV || op == EBPF_ALU_MOD || op == EBPF_ALU_MOV))
		return jit_fail(j, -EINVAL, "non-zero offset %d", in->off);
	/* unused fields must be zero (as the interpreter and the verifier require) */
	if (op == EBPF_ALU_NEG	 ? (in->src || in->imm)
	    : op == EBPF_ALU_END ? in->src != 0
				 : (x ? in->imm != 0 : in->src != 0))
		return jit_fail(j, -EINVAL, "non-zero unused field in ALU opcode 0x%02x", in->code);

	switch (op) {
	case EBPF_ALU_ADD:
	case EBPF_ALU_SUB:
	case EBPF_ALU_OR:
	case EBPF_ALU_AND:
	case EBPF_ALU_XOR:
		if (x) {
			x86_alu_rr(b, simple[op >> 4].rr, w, d, s);
		} else if (j->blind && in->imm) {
			emit_load_imm(j, SCRATCH_A, w, in->imm);
			x86_alu_rr(b, simple[op >> 4].rr, w, d, SCRATCH_A);
		} else {
			x86_alu_ri(b, simple[op >> 4].ri, w, d, in->imm);
		}
		return 0;
	case EBPF_ALU_MOV:
		if (!x) {
			if (in->off)
				return jit_fail(j, -EINVAL, "mov with an immediate and offset %d",
						in->off);
			emit_load_imm(j, d, w, in->imm);
			return 0;
		}
		if (in->off == 0) {
			if (d != s || !is64)
				x86_mov_rr(b, w, d, s);
		} else if (in->off == 8 || in->off == 16 || (in->off == 32 && is64)) {
			x86_movsx_rr(b, w, in->off / 8, d, s);
		} else {
			return jit_fail(j, -EINVAL, "bad movsx offset %d", in->off);
		}
		return 0;
	case EBPF_ALU_MUL:
		if (x) {
			x86_imul_rr(b, w, d, s);
		} else if (j->blind && in->imm) {
			emit_load_imm(j, SCRATCH_A, w, in->imm);
			x86_imul_rr(b, w, d, SCRATCH_A);
		} else {
			x86_imul_rri(b, w, d, d, in->imm);
		}
		return 0;
	case EBPF_ALU_DIV:
	case EBPF_ALU_MOD:
		if (in->off != 0 && in->off != 1)
			return jit_fail(j, -EINVAL, "bad division offset %d", in->off);
		emit_divmod(j, in, is64, x);
		return 0;
	case EBPF_ALU_LSH:
	case EBPF_ALU_RSH:
	case EBPF_ALU_ARSH: {
		enum x86_ext ext = op == EBPF_ALU_LSH	? X86_EXT_SHL
				   : op == EBPF_ALU_RSH ? X86_EXT_SHR
							: X86_EXT_SAR;
		if (x) {
			emit_shift_reg(j, ext, w, d, s);
		} else {
			uint8_t n = (uint8_t)(in->imm & (is64 ? 63 : 31));

			if (n)
				x86_shift_ri(b, ext, w, d, n);
			else if (!is64)
				x86_mov_rr(b, 4, d, d);
		}
		return 0;
	}
	case EBPF_ALU_NEG:
		if (x)
			return jit_fail(j, -EINVAL, "neg with a source register");
		x86_unary_r(b, X86_EXT_NEG, w, d);
		return 0;
	case EBPF_ALU_END: {
		bool swap = is64 || x; /* bswap (ALU64) or to big endian */

		if (is64 && x)
			return jit_fail(j, -EINVAL, "bad byte swap");
		if (in->imm != 16 && in->imm != 32 && in->imm != 64)
			return jit_fail(j, -EINVAL, "bad byte swap width %d", in->imm);
		if (in->imm == 16) {
			if (swap)
				x86_rol16_8(b, d);
			x86_movzx_rr(b, 2, d, d);
		} else if (in->imm == 32) {
			if (swap)
				x86_bswap_r(b, 4, d);
			else
				x86_mov_rr(b, 4, d, d);
		} else if (swap) {
			x86_bswap_r(b, 8, d);
		}
		return 0;
	}
	default:
		return jit_fail(j, -EINVAL, "unknown ALU opcode 0x%02x", in->code);
	}
}

/* ---- memory --------------------------------------------------------------------------------- */

static int size_bytes(uint8_t code)
{
	switch (EBPF_SIZE(code)) {
	case EBPF_SIZE_B:
		return 1;
	case EBPF_SIZE_H:
		return 2;
	case EBPF_SIZE_W:
		return 4;
	default:
		return 8;
	}
}

static int emit_atomic(struct jit *j, const struct ebpf_insn *in)
{
	struct x86_buf *b = &j->b;
	int w = size_bytes(in->code), d = R[in->dst], s = R[in->src];
	int32_t off = in->off;
	enum x86_alu op;

	if (w != 4 && w != 8)
		return jit_fail(j, -EINVAL, "atomic operation of %d bytes", w);
	switch (in->imm) {
	case EBPF_ATOMIC_ADD:
		x86_lock_alu_mr(b, X86_ADD, w, d, off, s);
		return 0;
	case EBPF_ATOMIC_OR:
		x86_lock_alu_mr(b, X86_OR, w, d, off, s);
		return 0;
	case EBPF_ATOMIC_AND:
		x86_lock_alu_mr(b, X86_AND, w, d, off, s);
		return 0;
	case EBPF_ATOMIC_XOR:
		x86_lock_alu_mr(b, X86_XOR, w, d, off, s);
		return 0;
	case EBPF_ATOMIC_ADD | EBPF_ATOMIC_FETCH:
		x86_lock_xadd(b, w, d, off, s);
		return 0;
	case EBPF_ATOMIC_XCHG:
		x86_xchg_mr(b, w, d, off, s);
		return 0;
	case EBPF_ATOMIC_CMPXCHG:
		x86_lock_cmpxchg(b, w, d, off, s);
		if (w == 4)
			x86_mov_rr(b, 4, X86_RAX, X86_RAX); /* r0 = zero-extended old value */
		return 0;
	case EBPF_ATOMIC_OR | EBPF_ATOMIC_FETCH:
		op = X86_OR;
		break;
	case EBPF_ATOMIC_AND | EBPF_ATOMIC_FETCH:
		op = X86_AND;
		break;
	case EBPF_ATOMIC_XOR | EBPF_ATOMIC_FETCH:
		op = X86_XOR;
		break;
	default:
		return jit_fail(j, -EINVAL, "unknown atomic operation 0x%x", (unsigned)in->imm);
	}
	{
		/* fetch-or/and/xor: cmpxchg loop; rax (r0) is needed by cmpxchg, kept in r10 */
		int sv = s == X86_RAX ? SCRATCH_B : s;
		size_t loop;

		x86_lea(b, SCRATCH_C, d, off);
		x86_mov_rr(b, 8, SCRATCH_B, X86_RAX);
		x86_load(b, w, false, X86_RAX, SCRATCH_C, 0);
		loop = b->len;
		x86_mov_rr(b, w, SCRATCH_A, X86_RAX);
		x86_alu_rr(b, op, w, SCRATCH_A, sv);
		x86_lock_cmpxchg(b, w, SCRATCH_C, 0, SCRATCH_A);
		x86_jcc_rel8(b, X86_CC_NE, (int8_t)((int64_t)loop - (int64_t)(b->len + 2)));
		x86_mov_rr(b, w, s, X86_RAX);
		if (s != X86_RAX)
			x86_mov_rr(b, 8, X86_RAX, SCRATCH_B);
	}
	return 0;
}

static int emit_mem(struct jit *j, const struct ebpf_insn *in)
{
	struct x86_buf *b = &j->b;
	uint8_t cls = EBPF_CLASS(in->code), mode = EBPF_MODE(in->code);
	int size = size_bytes(in->code);

	if (in->dst > EBPF_REG_FP || in->src > EBPF_REG_FP)
		return jit_fail(j, -EINVAL, "bad register");
	switch (cls) {
	case EBPF_CLASS_LDX:
		if (in->imm)
			break;
		if (in->dst == EBPF_REG_FP)
			return jit_fail(j, -EINVAL, "r10 is read-only");
		if (mode == EBPF_MODE_MEM || (mode == EBPF_MODE_MEMSX && size != 8)) {
			x86_load(b, size, mode == EBPF_MODE_MEMSX, R[in->dst], R[in->src], in->off);
			return 0;
		}
		break;
	case EBPF_CLASS_ST:
		if (mode != EBPF_MODE_MEM || in->src)
			break;
		if (j->blind && in->imm) {
			emit_load_imm(j, SCRATCH_A, 8, in->imm);
			x86_store_r(b, size, R[in->dst], in->off, SCRATCH_A);
		} else {
			x86_store_i(b, size, R[in->dst], in->off, in->imm);
		}
		return 0;
	case EBPF_CLASS_STX:
		if (mode == EBPF_MODE_MEM && !in->imm) {
			x86_store_r(b, size, R[in->dst], in->off, R[in->src]);
			return 0;
		}
		if (mode == EBPF_MODE_ATOMIC) {
			if (in->src == EBPF_REG_FP && (in->imm & EBPF_ATOMIC_FETCH))
				return jit_fail(j, -EINVAL, "r10 is read-only");
			return emit_atomic(j, in);
		}
		break;
	}
	return jit_fail(j, -EINVAL, "unsupported load/store opcode 0x%02x", in->code);
}

static int emit_lddw(struct jit *j, const struct ebpf_insn *in)
{
	const struct ebpf_insn *next = in + 1;
	struct ebpf_map *m;
	uint64_t v;

	if (j->pc + 1 >= j->funcs[j->cur_func].end)
		return jit_fail(j, -EINVAL, "truncated lddw");
	if (next->code || next->dst || next->src || next->off || in->off)
		return jit_fail(j, -EINVAL, "malformed lddw");
	if (in->dst >= EBPF_REG_FP)
		return jit_fail(j, -EINVAL, "r%u is not a writable register", in->dst);
	switch (in->src) {
	case EBPF_PSEUDO_IMM64:
		v = (uint32_t)in->imm | (uint64_t)(uint32_t)next->imm << 32;
		emit_load_imm64(j, R[in->dst], v, true);
		return 0;
	case EBPF_PSEUDO_MAP_FD:
	case EBPF_PSEUDO_MAP_IDX:
	case EBPF_PSEUDO_MAP_VALUE:
	case EBPF_PSEUDO_MAP_IDX_VALUE:
		if (in->imm < 0 || (uint32_t)in->imm >= j->prog->n_maps || !j->prog->maps ||
		    !j->prog->maps[in->imm])
			return jit_fail(j, -EINVAL, "lddw refers to map %d of %u", in->imm,
					j->prog->n_maps);
		m = j->prog->maps[in->imm];
		if (in->src == EBPF_PSEUDO_MAP_FD || in->src == EBPF_PSEUDO_MAP_IDX) {
			emit_load_imm64(j, R[in->dst], (uint64_t)(uintptr_t)m, false);
		} else {
			uint8_t *val = ebpf_map_direct_value(m);

			if (!val)
				return jit_fail(j, -EINVAL, "map %d has no direct value", in->imm);
			if ((uint32_t)next->imm >= ebpf_map_def(m)->value_size)
				return jit_fail(j, -EINVAL, "offset %u beyond the value of map %d",
						(uint32_t)next->imm, in->imm);
			emit_load_imm64(j, R[in->dst],
					(uint64_t)(uintptr_t)(val + (uint32_t)next->imm), false);
		}
		return 0;
	default:
		return jit_fail(j, -EINVAL, "lddw source %u is not supported", in->src);
	}
}

/* ---- calls ---------------------------------------------------------------------------------- */

static const struct ebpf_helper *find_helper(const struct ebpf_prog_type *t, uint64_t id)
{
	if (!t || !t->helpers)
		return NULL;
	for (const struct ebpf_helper *const *h = t->helpers; *h; h++)
		if ((*h)->id == id)
			return *h;
	return NULL;
}

static bool is_tail_call(const struct ebpf_helper *h)
{
	return h->id == EBPF_HELPER_TAIL_CALL && h->name && !strcmp(h->name, "bpf_tail_call");
}

/* Called by the code of a tail call: 0 when the call happens (the program then ends and
 * ebpf_jit_run() starts the target), else the negative error the program sees in r0. */
static int64_t jit_tail_call(struct jit_state *st, uint64_t ctx, uint64_t map, uint64_t index)
{
	struct ebpf_prog *target;

	if (st->tail_calls >= JIT_MAX_TAIL_CALLS)
		return -E2BIG;
	target = ebpf_helper_tail_call_target(map, index);
	if (!target)
		return -ENOENT;
	/* a target of another type would see this context as its own (see interp.c) */
	if (!target->jit || (st->prog->verified && !target->verified) ||
	    target->type != st->prog->type)
		return -ENOEXEC;
	st->tail_calls++;
	st->next = target;
	st->next_r1 = ctx;
	return 0;
}

/* callx: the helper id is only known at run time. Unknown ids (and the tail call, which needs
 * the JIT's own sequence) end the run with r0 = 0 and EBPF_JIT_ERR_CALLX recorded. */
static uint64_t jit_callx(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5,
			  struct jit_state *st)
{
	const struct ebpf_helper *h = find_helper(st->prog->type, st->callx_id);
	uint64_t r0;

	if (!h || !h->fn || is_tail_call(h)) {
		st->error = EBPF_JIT_ERR_CALLX;
		st->abort = 1;
		return 0;
	}
	r0 = h->fn(r1, r2, r3, r4, r5);
	if (h->may_unwind && r0 == 0)
		st->abort = 1;
	return r0;
}

/* A may_unwind helper returned: when r0 == 0 the whole program ends with r0 = 0. */
static void emit_unwind_check(struct jit *j, uint32_t slot_start)
{
	struct x86_buf *b = &j->b;

	x86_alu_rr(b, X86_TEST, 8, X86_RAX, X86_RAX);
	if (j->needs_state) {
		emit_jump_to(j, X86_CC_E, j->l_abort, slot_start);
	} else {
		/* main function only: return right here */
		size_t skip = x86_jcc_fwd8(b, X86_CC_NE);

		emit_epilogue(j, &j->funcs[0]);
		x86_patch8(b, skip);
	}
}

static int emit_call(struct jit *j, const struct ebpf_insn *in, uint32_t slot_start)
{
	struct x86_buf *b = &j->b;

	if (in->code == (EBPF_CLASS_JMP | EBPF_JMP_CALL | EBPF_SRC_X)) {
		if (in->src || in->off || in->imm)
			return jit_fail(j, -EINVAL, "malformed callx");
		if (in->dst > 9)
			return jit_fail(j, -EINVAL, "callx through r%u", in->dst);
		x86_store_r(b, 8, STATE, JS_CALLX_ID, R[in->dst]);
		x86_mov_rr(b, 8, X86_R9, STATE);
		emit_call_abs(j, (const void *)jit_callx);
		x86_cmp_mi8(b, 1, STATE, JS_ABORT, 0);
		emit_jump_to(j, X86_CC_NE, j->l_unwind, slot_start);
		return 0;
	}
	if (in->dst || in->off)
		return jit_fail(j, -EINVAL, "malformed call");
	if (in->src == EBPF_PSEUDO_CALL) {
		uint64_t t = (uint64_t)j->pc + 1 + (int64_t)in->imm;
		uint32_t f;

		for (f = 0; f < j->nfuncs && j->funcs[f].start != t; f++)
			;
		if (f == j->nfuncs)
			return jit_fail(j, -EINVAL, "call target %" PRId64 " is not a function",
					(int64_t)t);
		x86_cmp_mi8(b, 4, STATE, JS_DEPTH, EBPF_MAX_CALL_DEPTH - 1);
		emit_jump_to(j, X86_CC_AE, j->l_depth, slot_start);
		x86_incdec_m(b, 4, false, STATE, JS_DEPTH);
		x86_call_rel32(
		    b, (int32_t)((int64_t)(j->first ? 0 : j->funcs[f].entry) -
				 (int64_t)(j->first ? 0
						    : j->addr[j->pc] + (b->len + 5 - slot_start))));
		x86_incdec_m(b, 4, true, STATE, JS_DEPTH);
		return 0;
	}
	if (in->src != 0)
		return jit_fail(j, -EINVAL, "call source %u is not supported", in->src);
	{
		const struct ebpf_helper *h = find_helper(j->prog->type, (uint32_t)in->imm);

		if (in->imm < 0 || !h || !h->fn)
			return jit_fail(j, -EINVAL, "unknown helper %d for this program type",
					in->imm);
		if (is_tail_call(h)) {
			/* jit_tail_call(state, ctx = r1, map = r2, index = r3) */
			x86_mov_rr(b, 8, X86_RCX, X86_RDX);
			x86_mov_rr(b, 8, X86_RDX, X86_RSI);
			x86_mov_rr(b, 8, X86_RSI, X86_RDI);
			x86_mov_rr(b, 8, X86_RDI, STATE);
			emit_call_abs(j, (const void *)jit_tail_call);
			x86_alu_rr(b, X86_TEST, 8, X86_RAX, X86_RAX);
			emit_jump_to(j, X86_CC_E, j->l_unwind, slot_start);
			return 0;
		}
		emit_call_abs(j, (const void *)h->fn);
		if (h->may_unwind)
			emit_unwind_check(j, slot_start);
	}
	return 0;
}

/* ---- jumps ---------------------------------------------------------------------------------- */

static int emit_jmp(struct jit *j, const struct ebpf_insn *in, uint32_t slot_start)
{
	struct x86_buf *b = &j->b;
	bool is32 = EBPF_CLASS(in->code) == EBPF_CLASS_JMP32;
	bool x = EBPF_SRC(in->code) == EBPF_SRC_X;
	uint8_t op = EBPF_OP(in->code);
	int w = is32 ? 4 : 8;
	const struct jit_func *f = &j->funcs[j->cur_func];
	int64_t t;
	int cc;

	if (op == EBPF_JMP_CALL) {
		if (is32)
			return jit_fail(j, -EINVAL, "call in the JMP32 class");
		return emit_call(j, in, slot_start);
	}
	if (op == EBPF_JMP_EXIT) {
		if (is32 || x || in->dst || in->src || in->off || in->imm)
			return jit_fail(j, -EINVAL, "malformed exit");
		emit_epilogue(j, f);
		return 0;
	}
	if (op == EBPF_JMP_JA) {
		if (x || in->dst || in->src || (is32 ? in->off : in->imm))
			return jit_fail(j, -EINVAL, "malformed ja");
		t = (int64_t)j->pc + 1 + (is32 ? (int64_t)in->imm : (int64_t)in->off);
	} else {
		t = (int64_t)j->pc + 1 + in->off;
	}
	if (t < f->start || t >= f->end)
		return jit_fail(j, -EINVAL, "jump to %" PRId64 " leaves the function [%u, %u)", t,
				f->start, f->end);
	if (j->slot2[t])
		return jit_fail(j, -EINVAL, "jump into the middle of lddw at %" PRId64, t - 1);
	if (op == EBPF_JMP_JA) {
		if (t != (int64_t)j->pc + 1)
			emit_jump_to(j, -1, j->addr[t], slot_start);
		return 0;
	}
	if (in->dst > EBPF_REG_FP || (x && in->src > EBPF_REG_FP) ||
	    (x ? in->imm != 0 : in->src != 0))
		return jit_fail(j, -EINVAL, "malformed jump");
	switch (op) {
	case EBPF_JMP_JEQ:
		cc = X86_CC_E;
		break;
	case EBPF_JMP_JNE:
		cc = X86_CC_NE;
		break;
	case EBPF_JMP_JGT:
		cc = X86_CC_A;
		break;
	case EBPF_JMP_JGE:
		cc = X86_CC_AE;
		break;
	case EBPF_JMP_JLT:
		cc = X86_CC_B;
		break;
	case EBPF_JMP_JLE:
		cc = X86_CC_BE;
		break;
	case EBPF_JMP_JSGT:
		cc = X86_CC_G;
		break;
	case EBPF_JMP_JSGE:
		cc = X86_CC_GE;
		break;
	case EBPF_JMP_JSLT:
		cc = X86_CC_L;
		break;
	case EBPF_JMP_JSLE:
		cc = X86_CC_LE;
		break;
	case EBPF_JMP_JSET:
		cc = X86_CC_NE;
		break;
	default:
		return jit_fail(j, -EINVAL, "unknown jump opcode 0x%02x", in->code);
	}
	if (x) {
		x86_alu_rr(b, op == EBPF_JMP_JSET ? X86_TEST : X86_CMP, w, R[in->dst], R[in->src]);
	} else if (op == EBPF_JMP_JSET) {
		if (in->imm == 0)
			return 0; /* never taken */
		if (j->blind) {
			emit_load_imm(j, SCRATCH_A, w, in->imm);
			x86_alu_rr(b, X86_TEST, w, R[in->dst], SCRATCH_A);
		} else {
			x86_test_ri(b, w, R[in->dst], in->imm);
		}
	} else if (in->imm == 0) {
		x86_alu_rr(b, X86_TEST, w, R[in->dst], R[in->dst]);
	} else if (j->blind) {
		emit_load_imm(j, SCRATCH_A, w, in->imm);
		x86_alu_rr(b, X86_CMP, w, R[in->dst], SCRATCH_A);
	} else {
		x86_alu_ri(b, X86_EXT_CMP, w, R[in->dst], in->imm);
	}
	if (t != (int64_t)j->pc + 1)
		emit_jump_to(j, cc, j->addr[t], slot_start);
	return 0;
}

/* ---- one pass ------------------------------------------------------------------------------- */

static int emit_insn(struct jit *j, const struct ebpf_insn *in, uint32_t slot_start)
{
	switch (EBPF_CLASS(in->code)) {
	case EBPF_CLASS_ALU:
	case EBPF_CLASS_ALU64:
		return emit_alu(j, in);
	case EBPF_CLASS_JMP:
	case EBPF_CLASS_JMP32:
		return emit_jmp(j, in, slot_start);
	case EBPF_CLASS_LD:
		if (ebpf_insn_is_lddw(in))
			return emit_lddw(j, in);
		return jit_fail(j, -EINVAL, "unsupported load opcode 0x%02x", in->code);
	default:
		return emit_mem(j, in);
	}
}

static uint16_t func_regs_used(const struct jit *j, const struct jit_func *f)
{
	uint16_t used = 0;

	for (uint32_t i = f->start; i < f->end; i++) {
		const struct ebpf_insn *in = &j->insns[i];

		if (in->dst <= EBPF_REG_FP)
			used |= (uint16_t)(1u << in->dst);
		if (in->src <= EBPF_REG_FP && EBPF_CLASS(in->code) != EBPF_CLASS_LD &&
		    !(EBPF_CLASS(in->code) == EBPF_CLASS_JMP && EBPF_OP(in->code) == EBPF_JMP_CALL))
			used |= (uint16_t)(1u << in->src);
		if (ebpf_insn_is_lddw(in))
			i++;
	}
	return used;
}

static bool func_makes_calls(const struct jit *j, const struct jit_func *f)
{
	for (uint32_t i = f->start; i < f->end; i++) {
		if (EBPF_CLASS(j->insns[i].code) == EBPF_CLASS_JMP &&
		    EBPF_OP(j->insns[i].code) == EBPF_JMP_CALL)
			return true;
		if (ebpf_insn_is_lddw(&j->insns[i]))
			i++;
	}
	return false;
}

/* Pairs of slots compiled together (the second one is no jump target):
 *   mov64 d, s; add64/sub64 d, imm  ->  lea d, [s + imm]        (pointer + offset, bounds checks)
 *   ldxh d, [s+off]; be16/bswap16 d ->  movzx d, word; rol d16, 8 (already zero-extended)
 *   lsh64 d, 32; rsh64/arsh64 d, 32 ->  mov d32, d32 / movsxd d, d32 (clang's extension idioms)
 * Returns true when it compiled slots i and i + 1. */
static bool try_fuse(struct jit *j, uint32_t i, const struct jit_func *f)
{
	const struct ebpf_insn *a = &j->insns[i], *b = a + 1;

	if (i + 1 >= f->end || j->is_target[i + 1] || a->dst >= EBPF_REG_FP || b->dst != a->dst ||
	    b->src || b->off)
		return false;
	if (a->code == (EBPF_CLASS_ALU64 | EBPF_ALU_MOV | EBPF_SRC_X) && !a->off && !a->imm &&
	    a->src <= EBPF_REG_FP && !j->blind &&
	    (b->code == (EBPF_CLASS_ALU64 | EBPF_ALU_ADD) ||
	     (b->code == (EBPF_CLASS_ALU64 | EBPF_ALU_SUB) && b->imm != INT32_MIN))) {
		x86_lea(&j->b, R[a->dst], R[a->src],
			b->code == (EBPF_CLASS_ALU64 | EBPF_ALU_ADD) ? b->imm : -b->imm);
		return true;
	}
	if (a->code == (EBPF_CLASS_LDX | EBPF_MODE_MEM | EBPF_SIZE_H) && a->src <= EBPF_REG_FP &&
	    !a->imm && b->imm == 16 &&
	    (b->code == (EBPF_CLASS_ALU | EBPF_ALU_END | EBPF_SRC_X) ||
	     b->code == (EBPF_CLASS_ALU64 | EBPF_ALU_END))) {
		x86_load(&j->b, 2, false, R[a->dst], R[a->src], a->off);
		x86_rol16_8(&j->b, R[a->dst]);
		return true;
	}
	if (a->code == (EBPF_CLASS_ALU64 | EBPF_ALU_LSH) && a->imm == 32 && !a->src && !a->off &&
	    b->imm == 32 &&
	    (b->code == (EBPF_CLASS_ALU64 | EBPF_ALU_RSH) ||
	     b->code == (EBPF_CLASS_ALU64 | EBPF_ALU_ARSH))) {
		if (b->code == (EBPF_CLASS_ALU64 | EBPF_ALU_RSH))
			x86_mov_rr(&j->b, 4, R[a->dst], R[a->dst]);
		else
			x86_movsx_rr(&j->b, 8, 4, R[a->dst], R[a->dst]);
		return true;
	}
	return false;
}

static int emit_pass(struct jit *j)
{
	j->b.len = 0;
	j->b.overflow = false;
	for (uint32_t fi = 0; fi < j->nfuncs; fi++) {
		struct jit_func *f = &j->funcs[fi];
		uint16_t used = func_regs_used(j, f);
		const struct ebpf_insn *last;
		uint32_t i, lastpc = f->start;

		j->cur_func = fi;
		j->pc = f->start;
		f->entry_cur = (uint32_t)j->b.len;
		emit_prologue(j, f, fi == 0, used);
		for (i = f->start; i < f->end; i++) {
			const struct ebpf_insn *in = &j->insns[i];
			uint32_t start = (uint32_t)j->b.len;
			int rc;

			j->pc = i;
			j->addr_cur[i] = start;
			lastpc = i;
			if (try_fuse(j, i, f)) {
				j->addr_cur[++i] = (uint32_t)j->b.len;
				lastpc = i;
				continue;
			}
			rc = emit_insn(j, in, start);
			if (rc)
				return rc;
			if (ebpf_insn_is_lddw(in))
				j->addr_cur[++i] = (uint32_t)j->b.len;
			if (j->b.len - start > JIT_MAX_INSN_BYTES) {
				return jit_fail(j, -EFAULT, "internal error: %zu bytes of code",
						j->b.len - start);
			}
			if (j->b.overflow)
				return jit_fail(j, -E2BIG, "code too large");
		}
		/* a function must not run off its end into the next one */
		last = &j->insns[lastpc];
		j->pc = lastpc;
		if (ebpf_insn_is_lddw(last) || !(last->code == (EBPF_CLASS_JMP | EBPF_JMP_EXIT) ||
						 last->code == (EBPF_CLASS_JMP | EBPF_JMP_JA) ||
						 last->code == (EBPF_CLASS_JMP32 | EBPF_JMP_JA)))
			return jit_fail(j, -EINVAL, "function at %u does not end with exit or ja",
					f->start);
	}
	j->addr_cur[j->n] = (uint32_t)j->b.len;
	if (j->needs_state) {
		const struct jit_func *m = &j->funcs[0];

		j->pc = j->n;
		j->l_depth_cur = (uint32_t)j->b.len;
		x86_store_i(&j->b, 4, STATE, JS_ERROR, EBPF_JIT_ERR_DEPTH);
		j->l_abort_cur = (uint32_t)j->b.len;
		x86_alu_rr(&j->b, X86_XOR, 4, X86_RAX, X86_RAX);
		j->l_unwind_cur = (uint32_t)j->b.len;
		x86_load(&j->b, 8, false, X86_RSP, STATE, JS_ENTRY_RSP);
		emit_pops(j, m);
		x86_ret(&j->b);
	}
	if (j->b.overflow)
		return jit_fail(j, -E2BIG, "code too large");
	return 0;
}

/* ---- set-up --------------------------------------------------------------------------------- */

static int find_functions(struct jit *j)
{
	uint32_t n = j->n, nf = 1;
	uint8_t *is_start = calloc(n, 1);

	if (!is_start)
		return jit_fail(j, -ENOMEM, "out of memory");
	is_start[0] = 1;
	for (uint32_t i = 0; i < n; i++) {
		const struct ebpf_insn *in = &j->insns[i];

		if (in->code == (EBPF_CLASS_JMP | EBPF_JMP_CALL) && in->src == EBPF_PSEUDO_CALL) {
			int64_t t = (int64_t)i + 1 + in->imm;

			j->pc = i;
			if (t < 0 || t >= n) {
				free(is_start);
				return jit_fail(j, -EINVAL, "call target %" PRId64 " out of range",
						t);
			}
			if (!is_start[t])
				nf++;
			is_start[t] = 1;
			j->needs_state = true;
		}
		if (in->code == (EBPF_CLASS_JMP | EBPF_JMP_CALL | EBPF_SRC_X))
			j->needs_state = true;
		if (in->code == (EBPF_CLASS_JMP | EBPF_JMP_CALL) && in->src == 0) {
			const struct ebpf_helper *h = find_helper(j->prog->type, (uint32_t)in->imm);

			if (h && is_tail_call(h))
				j->needs_state = true;
		}
		if (ebpf_insn_is_lddw(in))
			i++;
	}
	/* a function may not start on the second slot of an lddw */
	j->slot2 = calloc(n, 1);
	if (!j->slot2) {
		free(is_start);
		return jit_fail(j, -ENOMEM, "out of memory");
	}
	for (uint32_t i = 0; i < n; i++) {
		if (ebpf_insn_is_lddw(&j->insns[i]) && i + 1 < n) {
			j->slot2[i + 1] = 1;
			if (is_start[i + 1]) {
				free(is_start);
				j->pc = i + 1;
				return jit_fail(j, -EINVAL, "call into the middle of lddw");
			}
			i++;
		}
	}
	j->is_target = calloc(n, 1);
	if (!j->is_target) {
		free(is_start);
		return jit_fail(j, -ENOMEM, "out of memory");
	}
	for (uint32_t i = 0; i < n; i++) {
		const struct ebpf_insn *in = &j->insns[i];
		uint8_t cls = EBPF_CLASS(in->code), op = EBPF_OP(in->code);

		if ((cls == EBPF_CLASS_JMP || cls == EBPF_CLASS_JMP32) && op != EBPF_JMP_CALL &&
		    op != EBPF_JMP_EXIT) {
			int64_t t =
			    (int64_t)i + 1 +
			    (cls == EBPF_CLASS_JMP32 && op == EBPF_JMP_JA ? in->imm : in->off);

			if (t >= 0 && t < n)
				j->is_target[t] = 1;
		}
		if (ebpf_insn_is_lddw(in))
			i++;
	}
	j->funcs = calloc(nf, sizeof(*j->funcs));
	if (!j->funcs) {
		free(is_start);
		return jit_fail(j, -ENOMEM, "out of memory");
	}
	j->nfuncs = 0;
	for (uint32_t i = 0; i < n; i++) {
		if (!is_start[i])
			continue;
		if (j->nfuncs)
			j->funcs[j->nfuncs - 1].end = i;
		j->funcs[j->nfuncs++].start = i;
	}
	j->funcs[j->nfuncs - 1].end = n;
	free(is_start);

	for (uint32_t fi = 0; fi < j->nfuncs; fi++) {
		struct jit_func *f = &j->funcs[fi];
		uint16_t used = func_regs_used(j, f);
		static const int saved[] = {6, 7, 8, 9};

		f->uses_fp = used & (1u << EBPF_REG_FP);
		f->makes_calls = func_makes_calls(j, f);
		if (f->uses_fp)
			f->push |= 1u << X86_RBP;
		for (size_t k = 0; k < 4; k++)
			if (used & (1u << saved[k]))
				f->push |= (uint16_t)(1u << R[saved[k]]);
		if (fi == 0 && j->needs_state)
			f->push |= 1u << STATE;
	}
	/* unwinding returns from the main function straight from a subprogram, skipping the
	 * subprograms' epilogues: the main function then saves every callee-saved register that any
	 * function writes */
	if (j->needs_state)
		for (uint32_t fi = 1; fi < j->nfuncs; fi++)
			j->funcs[0].push |= j->funcs[fi].push;
	for (uint32_t fi = 0; fi < j->nfuncs; fi++) {
		struct jit_func *f = &j->funcs[fi];

		f->npush = (uint8_t)__builtin_popcount(f->push);
		f->frame = f->uses_fp ? EBPF_STACK_SIZE : 0;
		/* at entry rsp = 8 (mod 16); calls need rsp = 0 (mod 16) */
		if (f->makes_calls && (8 + 8 * f->npush + f->frame) % 16)
			f->frame += 8;
	}
	return 0;
}

static void image_unmap(uint8_t *map, size_t len)
{
	if (map && map != MAP_FAILED)
		munmap(map, len);
}

int ebpf_jit_compile(struct ebpf_prog *prog, const struct ebpf_jit_options *opts, char *err,
		     size_t errlen)
{
	struct jit j = {.prog = prog, .err = err, .errlen = errlen};
	size_t page = (size_t)sysconf(_SC_PAGESIZE), cap, map_len = 0, code_pages;
	struct ebpf_jit_image *img = NULL;
	uint8_t *map = MAP_FAILED;
	int rc, pass;

	if (err && errlen)
		err[0] = 0;
	if (!prog)
		return -EINVAL;
	j.insns = prog->insns;
	j.n = prog->n_insns;
	if (!j.insns || j.n == 0)
		return jit_fail(&j, -EINVAL, "empty program");
	if (j.n > EBPF_MAX_INSNS)
		return jit_fail(&j, -E2BIG, "%u instructions (at most %u)", j.n, EBPF_MAX_INSNS);
	j.blind = opts && opts->blind_constants;
	if (j.blind) {
		size_t got = 0;

		while (got < sizeof(j.blind_seed)) {
			ssize_t r = getrandom((uint8_t *)&j.blind_seed + got,
					      sizeof(j.blind_seed) - got, 0);

			if (r < 0 && errno != EINTR)
				return jit_fail(&j, -errno, "getrandom: %s", strerror(errno));
			if (r > 0)
				got += (size_t)r;
		}
	}
	rc = find_functions(&j);
	if (rc)
		goto out;

	/* the code size is bounded: at most JIT_MAX_INSN_BYTES per slot plus fixed overheads */
	cap = (size_t)j.n * JIT_MAX_INSN_BYTES + (size_t)j.nfuncs * JIT_MAX_FUNC_BYTES +
	      JIT_MAX_STUB_BYTES;
	j.b.p = malloc(cap);
	j.b.cap = cap;
	if (!j.b.p) {
		rc = jit_fail(&j, -ENOMEM, "out of memory for %zu bytes of code", cap);
		goto out;
	}
	j.addr = calloc((size_t)j.n + 1, sizeof(*j.addr));
	j.addr_cur = calloc((size_t)j.n + 1, sizeof(*j.addr_cur));
	if (!j.addr || !j.addr_cur) {
		rc = jit_fail(&j, -ENOMEM, "out of memory");
		goto out;
	}

	j.first = true;
	for (pass = 0;; pass++) {
		bool same;

		rc = emit_pass(&j);
		if (rc)
			goto out;
		same = !j.first && j.addr_cur[j.n] == j.addr[j.n] && j.l_unwind_cur == j.l_unwind;
		for (uint32_t f = 0; f < j.nfuncs; f++) {
			same = same && j.funcs[f].entry_cur == j.funcs[f].entry;
			j.funcs[f].entry = j.funcs[f].entry_cur;
		}
		memcpy(j.addr, j.addr_cur, ((size_t)j.n + 1) * sizeof(*j.addr));
		j.l_depth = j.l_depth_cur;
		j.l_abort = j.l_abort_cur;
		j.l_unwind = j.l_unwind_cur;
		j.first = false;
		if (same)
			break;
		if (pass >= JIT_MAX_PASSES) {
			j.pc = 0;
			rc = jit_fail(&j, -E2BIG, "branch layout did not converge");
			goto out;
		}
	}

	img = calloc(1, sizeof(*img));
	if (!img) {
		rc = jit_fail(&j, -ENOMEM, "out of memory");
		goto out;
	}
	/* an exact-size mapping, read-write (not executable) while the code is copied in, then
	 * read+execute (never writable at the same time), followed by an inaccessible guard page */
	code_pages = (j.b.len + page - 1) / page * page;
	map_len = code_pages + page;
	map = mmap(NULL, map_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (map == MAP_FAILED) {
		rc = jit_fail(&j, -ENOMEM, "mmap of %zu bytes: %s", map_len, strerror(errno));
		goto out;
	}
	memcpy(map, j.b.p, j.b.len);
	memset(map + j.b.len, 0xcc, code_pages - j.b.len); /* int3 padding */
	if (mprotect(map + code_pages, page, PROT_NONE) ||
	    mprotect(map, code_pages, PROT_READ | PROT_EXEC)) {
		rc = jit_fail(&j, -errno, "mprotect: %s", strerror(errno));
		goto out;
	}
	img->map = map;
	img->map_len = map_len;
	img->code_size = j.b.len;
	img->entry = (jit_entry_fn)(void *)map;
	map = MAP_FAILED;
	ebpf_jit_free(prog->jit);
	prog->jit = img;
	img = NULL;
	rc = 0;
out:
	free(img);
	image_unmap(map, map_len);
	free(j.b.p);
	free(j.addr);
	free(j.addr_cur);
	free(j.funcs);
	free(j.slot2);
	free(j.is_target);
	return rc;
}

uint64_t ebpf_jit_run(const struct ebpf_prog *prog, uint64_t r1, uint64_t r2)
{
	struct jit_state st = {.prog = prog};
	uint64_t r0;

	for (;;) {
		r0 = st.prog->jit->entry(r1, r2, &st);
		if (!st.next || st.error)
			break;
		st.prog = st.next;
		ebpf_run_ctx_current()->prog = st.prog; /* helpers see the running program */
		st.next = NULL;
		r1 = st.next_r1;
		st.depth = 0;
		st.abort = 0;
	}
	jit_last_error = st.error;
	return r0;
}

int ebpf_jit_last_run_error(void)
{
	return jit_last_error;
}

void ebpf_jit_free(struct ebpf_jit_image *img)
{
	if (!img)
		return;
	munmap(img->map, img->map_len);
	free(img);
}

size_t ebpf_jit_code_size(const struct ebpf_jit_image *img)
{
	return img ? img->code_size : 0;
}

const void *ebpf_jit_code(const struct ebpf_jit_image *img)
{
	return img ? img->map : NULL;
}
