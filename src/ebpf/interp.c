/* interp.c: the eBPF interpreter (see interp.h). Two parts:
 *   - prepare: decodes every slot once into a struct interp_op (handler address, operands,
 *     sign-extended immediate, resolved jump target / lddw value / helper), refusing encodings
 *     RFC 9669 does not define and jumps that leave the program;
 *   - exec: direct-threaded execution (GNU computed goto): each handler ends with
 *     `goto *(++op)->handler`, so the only per-instruction cost is the work itself and one
 *     indirect jump, which the CPU predicts per handler.
 * Semantics follow RFC 9669 exactly: 32-bit operations zero-extend, division by zero gives 0 and
 * modulo by zero leaves the dividend (32-bit: zero-extended), signed INT_MIN / -1 is INT_MIN and
 * INT_MIN % -1 is 0, shift amounts are masked, 64-bit immediates are sign-extended. */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ebpf/interp.h"

#ifndef EBPF_CORE_HAVE_MAPS
#define EBPF_CORE_HAVE_MAPS 0
#endif
#ifndef EBPF_CORE_HAVE_HELPERS
#define EBPF_CORE_HAVE_HELPERS 0
#endif
#if EBPF_CORE_HAVE_MAPS
#include "ebpf/maps.h"
#endif
#if EBPF_CORE_HAVE_HELPERS
#include "ebpf/helpers.h"
#endif

#define EBPF_HELPER_ID_TAIL_CALL 12

/* Every handler of the interpreter; the decoder picks one per slot. */
#define INTERP_OPS(X)                                                                                 \
	X(INVALID)                                                                                    \
	X(FALLOFF)                                                                                    \
	X(ADD64_K)                                                                                    \
	X(ADD64_X)                                                                                    \
	X(SUB64_K) X(SUB64_X) X(MUL64_K) X(MUL64_X) X(DIV64_K) X(DIV64_X) X(SDIV64_K) X(              \
	    SDIV64_X) X(OR64_K) X(OR64_X) X(AND64_K) X(AND64_X) X(LSH64_K) X(LSH64_X) X(RSH64_K)      \
	    X(RSH64_X) X(MOD64_K) X(MOD64_X) X(SMOD64_K) X(SMOD64_X) X(XOR64_K) X(XOR64_X) X(         \
		MOV64_K) X(MOV64_X) X(ARSH64_K) X(ARSH64_X) X(NEG64) X(ADD32_K) X(ADD32_X)            \
		X(SUB32_K) X(SUB32_X) X(MUL32_K) X(MUL32_X) X(DIV32_K) X(DIV32_X) X(SDIV32_K) X(      \
		    SDIV32_X) X(OR32_K) X(OR32_X) X(AND32_K) X(AND32_X) X(LSH32_K) X(LSH32_X)         \
		    X(RSH32_K) X(RSH32_X) X(MOD32_K) X(MOD32_X) X(SMOD32_K) X(SMOD32_X) X(XOR32_K)    \
			X(XOR32_X) X(MOV32_K) X(MOV32_X) X(ARSH32_K) X(ARSH32_X) X(NEG32) X(          \
			    MOVSX8_32) X(MOVSX16_32) X(MOVSX8_64) X(MOVSX16_64) X(MOVSX32_64)         \
			    X(LE16) X(LE32) X(LE64) X(BE16) X(BE32) X(BE64) X(LDXB) X(LDXH) X(        \
				LDXW) X(LDXDW)                                                        \
				X(LDXSB) X(LDXSH) X(LDXSW) X(STB) X(STH) X(                           \
				    STW) X(STDW) X(STXB) X(STXH) X(STXW) X(STXDW)                     \
				    X(AADD32) X(AOR32) X(AAND32) X(AXOR32) X(AFADD32) X(AFOR32) X(    \
					AFAND32) X(AFXOR32) X(AXCHG32) X(ACMPXCHG32)                  \
					X(AADD64) X(AOR64) X(AAND64) X(AXOR64) X(AFADD64) X(          \
					    AFOR64) X(AFAND64) X(AFXOR64)                             \
					    X(AXCHG64) X(ACMPXCHG64) X(LDDW) X(JA) X(JEQ_K) X(        \
						JEQ_X) X(JGT_K) X(JGT_X) X(JGE_K)                     \
						X(JGE_X) X(JSET_K) X(JSET_X) X(JNE_K) X(              \
						    JNE_X) X(JSGT_K) X(JSGT_X) X(JSGE_K) X(JSGE_X)    \
						    X(JLT_K) X(JLT_X) X(JLE_K) X(                     \
							JLE_X) X(JSLT_K) X(JSLT_X) X(JSLE_K)          \
							X(JSLE_X) X(JEQ32_K) X(                       \
							    JEQ32_X) X(JGT32_K) X(JGT32_X)            \
							    X(JGE32_K) X(JGE32_X) X(JSET32_K) X(      \
								JSET32_X) X(JNE32_K)                  \
								X(JNE32_X) X(JSGT32_K) X(JSGT32_X) X( \
								    JSGE32_K) X(JSGE32_X)             \
								    X(JLT32_K) X(JLT32_X) X(          \
									JLE32_K)                      \
									X(JLE32_X) X(JSLT32_K) X(     \
									    JSLT32_X) X(JSLE32_K)     \
									    X(JSLE32_X)               \
										X(CALL_HELPER) X(     \
										    CALL_UNWIND)      \
										    X(CALL_TAIL) X(   \
											CALL_LOCAL)   \
											X(CALLX)      \
											    X(EXIT)

enum interp_opcode {
#define X(n) OP_##n,
	INTERP_OPS(X)
#undef X
	    OP__COUNT
};

struct interp_op {
	const void *handler;
	uint8_t dst, src;
	int16_t off;
	int32_t imm; /* jumps compare with it (the union holds their target) */
	union {
		uint64_t k;			  /* sign-extended imm, lddw value */
		const struct interp_op *target;	  /* jumps, local calls */
		const struct ebpf_helper *helper; /* helper calls */
	};
};

struct interp_code {
	uint32_t n;
	struct interp_op ops[]; /* n + 1: the last one is FALLOFF */
};

struct interp_frame {
	const struct interp_op *ret;
	uint64_t r6, r7, r8, r9, r10;
};

static uint64_t interp_exec(const struct ebpf_prog *prog, const struct interp_code *code,
			    uint64_t r1, uint64_t r2, const void *const **table);

/* ---- prepare ------------------------------------------------------------------------------ */

static int prep_err(char *err, size_t errlen, uint32_t pc, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int prep_err(char *err, size_t errlen, uint32_t pc, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (err && errlen) {
		n = snprintf(err, errlen, "insn %u: ", pc);
		if (n > 0 && (size_t)n < errlen) {
			va_start(ap, fmt);
			vsnprintf(err + n, errlen - n, fmt, ap);
			va_end(ap);
		}
	}
	return -EINVAL;
}

static const struct ebpf_helper *find_helper(const struct ebpf_prog_type *t, uint32_t id)
{
	const struct ebpf_helper *const *h;

	if (!t || !t->helpers)
		return NULL;
	for (h = t->helpers; *h; h++)
		if ((*h)->id == id)
			return *h;
	return NULL;
}

/* The same test as the JIT's: helper 12 of the Linux table. */
static bool is_tail_call(const struct ebpf_helper *h)
{
	return h->id == EBPF_HELPER_ID_TAIL_CALL && h->name && !strcmp(h->name, "bpf_tail_call");
}

static int decode_alu(const struct ebpf_insn *i, int *opc)
{
	static const int alu64[16][2] = {
	    [EBPF_ALU_ADD >> 4] = {OP_ADD64_K, OP_ADD64_X},
	    [EBPF_ALU_SUB >> 4] = {OP_SUB64_K, OP_SUB64_X},
	    [EBPF_ALU_MUL >> 4] = {OP_MUL64_K, OP_MUL64_X},
	    [EBPF_ALU_DIV >> 4] = {OP_DIV64_K, OP_DIV64_X},
	    [EBPF_ALU_OR >> 4] = {OP_OR64_K, OP_OR64_X},
	    [EBPF_ALU_AND >> 4] = {OP_AND64_K, OP_AND64_X},
	    [EBPF_ALU_LSH >> 4] = {OP_LSH64_K, OP_LSH64_X},
	    [EBPF_ALU_RSH >> 4] = {OP_RSH64_K, OP_RSH64_X},
	    [EBPF_ALU_MOD >> 4] = {OP_MOD64_K, OP_MOD64_X},
	    [EBPF_ALU_XOR >> 4] = {OP_XOR64_K, OP_XOR64_X},
	    [EBPF_ALU_MOV >> 4] = {OP_MOV64_K, OP_MOV64_X},
	    [EBPF_ALU_ARSH >> 4] = {OP_ARSH64_K, OP_ARSH64_X},
	};
	/* the 32-bit handlers sit at the same distance from their 64-bit ones */
	const int d32 = OP_ADD32_K - OP_ADD64_K;
	bool is32 = EBPF_CLASS(i->code) == EBPF_CLASS_ALU, x = EBPF_SRC(i->code) == EBPF_SRC_X;
	unsigned op = EBPF_OP(i->code) >> 4;

	if (i->dst > 10 || i->src > 10)
		return -1;
	if (EBPF_OP(i->code) == EBPF_ALU_NEG) {
		if (x || i->src || i->off || i->imm)
			return -1;
		*opc = is32 ? OP_NEG32 : OP_NEG64;
		return 0;
	}
	if (EBPF_OP(i->code) == EBPF_ALU_END) {
		int w = i->imm == 16 ? 0 : i->imm == 32 ? 1 : i->imm == 64 ? 2 : -1;

		if (w < 0 || i->src || i->off || (!is32 && x))
			return -1;
		*opc = (!is32 || x) ? OP_BE16 + w : OP_LE16 + w;
		return 0;
	}
	if (!alu64[op][0])
		return -1;
	if (x ? i->imm != 0 : i->src != 0)
		return -1;
	if (EBPF_OP(i->code) == EBPF_ALU_MOV && x && i->off) {
		switch (i->off) {
		case 8:
			*opc = is32 ? OP_MOVSX8_32 : OP_MOVSX8_64;
			return 0;
		case 16:
			*opc = is32 ? OP_MOVSX16_32 : OP_MOVSX16_64;
			return 0;
		case 32:
			if (is32)
				return -1;
			*opc = OP_MOVSX32_64;
			return 0;
		default:
			return -1;
		}
	}
	if (i->off) {
		if (i->off != 1 ||
		    (EBPF_OP(i->code) != EBPF_ALU_DIV && EBPF_OP(i->code) != EBPF_ALU_MOD))
			return -1;
		*opc = (EBPF_OP(i->code) == EBPF_ALU_DIV ? OP_SDIV64_K : OP_SMOD64_K) + x +
		       (is32 ? d32 : 0);
		return 0;
	}
	*opc = alu64[op][x] + (is32 ? d32 : 0);
	return 0;
}

static int decode_jmp(const struct ebpf_insn *i, int *opc)
{
	static const int jmp[16] = {
	    [EBPF_JMP_JEQ >> 4] = OP_JEQ_K,   [EBPF_JMP_JGT >> 4] = OP_JGT_K,
	    [EBPF_JMP_JGE >> 4] = OP_JGE_K,   [EBPF_JMP_JSET >> 4] = OP_JSET_K,
	    [EBPF_JMP_JNE >> 4] = OP_JNE_K,   [EBPF_JMP_JSGT >> 4] = OP_JSGT_K,
	    [EBPF_JMP_JSGE >> 4] = OP_JSGE_K, [EBPF_JMP_JLT >> 4] = OP_JLT_K,
	    [EBPF_JMP_JLE >> 4] = OP_JLE_K,   [EBPF_JMP_JSLT >> 4] = OP_JSLT_K,
	    [EBPF_JMP_JSLE >> 4] = OP_JSLE_K,
	};
	bool is32 = EBPF_CLASS(i->code) == EBPF_CLASS_JMP32, x = EBPF_SRC(i->code) == EBPF_SRC_X;

	if (i->dst > 10 || i->src > 10 || !jmp[EBPF_OP(i->code) >> 4])
		return -1;
	if (x ? i->imm != 0 : i->src != 0)
		return -1;
	*opc = jmp[EBPF_OP(i->code) >> 4] + x + (is32 ? OP_JEQ32_K - OP_JEQ_K : 0);
	return 0;
}

static int decode_atomic(const struct ebpf_insn *i, int *opc)
{
	int base;

	if (EBPF_SIZE(i->code) == EBPF_SIZE_W)
		base = OP_AADD32;
	else if (EBPF_SIZE(i->code) == EBPF_SIZE_DW)
		base = OP_AADD64;
	else
		return -1;
	switch (i->imm) {
	case EBPF_ATOMIC_ADD:
		*opc = base;
		return 0;
	case EBPF_ATOMIC_OR:
		*opc = base + 1;
		return 0;
	case EBPF_ATOMIC_AND:
		*opc = base + 2;
		return 0;
	case EBPF_ATOMIC_XOR:
		*opc = base + 3;
		return 0;
	case EBPF_ATOMIC_ADD | EBPF_ATOMIC_FETCH:
		*opc = base + 4;
		return 0;
	case EBPF_ATOMIC_OR | EBPF_ATOMIC_FETCH:
		*opc = base + 5;
		return 0;
	case EBPF_ATOMIC_AND | EBPF_ATOMIC_FETCH:
		*opc = base + 6;
		return 0;
	case EBPF_ATOMIC_XOR | EBPF_ATOMIC_FETCH:
		*opc = base + 7;
		return 0;
	case EBPF_ATOMIC_XCHG:
		*opc = base + 8;
		return 0;
	case EBPF_ATOMIC_CMPXCHG:
		*opc = base + 9;
		return 0;
	default:
		return -1;
	}
}

static int set_target(const struct ebpf_prog *prog, struct interp_code *c, uint32_t pc, int64_t rel,
		      char *err, size_t errlen)
{
	int64_t t = (int64_t)pc + 1 + rel;

	if (t < 0 || t >= (int64_t)prog->n_insns)
		return prep_err(err, errlen, pc, "jump to %lld is outside the program (%u slots)",
				(long long)t, prog->n_insns);
	c->ops[pc].target = &c->ops[t];
	return 0;
}

static int decode(const struct ebpf_prog *prog, struct interp_code *c, const void *const *tbl,
		  char *err, size_t errlen)
{
	const struct ebpf_insn *in = prog->insns;
	uint32_t n = prog->n_insns, pc;
	int rc;

	for (pc = 0; pc < n; pc++) {
		const struct ebpf_insn *i = &in[pc];
		struct interp_op *o = &c->ops[pc];
		int opc = -1;

		o->dst = i->dst;
		o->src = i->src;
		o->off = i->off;
		o->imm = i->imm;
		o->k = (uint64_t)(int64_t)i->imm;
		switch (EBPF_CLASS(i->code)) {
		case EBPF_CLASS_ALU:
		case EBPF_CLASS_ALU64:
			if (decode_alu(i, &opc))
				goto bad;
			break;
		case EBPF_CLASS_LDX:
			if (i->imm || i->dst > 10 || i->src > 10)
				goto bad;
			if (EBPF_MODE(i->code) == EBPF_MODE_MEM)
				opc = OP_LDXB + (EBPF_SIZE(i->code) == EBPF_SIZE_B   ? 0
						 : EBPF_SIZE(i->code) == EBPF_SIZE_H ? 1
						 : EBPF_SIZE(i->code) == EBPF_SIZE_W ? 2
										     : 3);
			else if (EBPF_MODE(i->code) == EBPF_MODE_MEMSX &&
				 EBPF_SIZE(i->code) != EBPF_SIZE_DW)
				opc = OP_LDXSB + (EBPF_SIZE(i->code) == EBPF_SIZE_B   ? 0
						  : EBPF_SIZE(i->code) == EBPF_SIZE_H ? 1
										      : 2);
			else
				goto bad;
			break;
		case EBPF_CLASS_ST:
		case EBPF_CLASS_STX: {
			bool st = EBPF_CLASS(i->code) == EBPF_CLASS_ST;
			int sz = EBPF_SIZE(i->code) == EBPF_SIZE_B   ? 0
				 : EBPF_SIZE(i->code) == EBPF_SIZE_H ? 1
				 : EBPF_SIZE(i->code) == EBPF_SIZE_W ? 2
								     : 3;

			if (i->dst > 10 || i->src > 10)
				goto bad;
			if (!st && EBPF_MODE(i->code) == EBPF_MODE_ATOMIC) {
				if (decode_atomic(i, &opc))
					goto bad;
				break;
			}
			if (EBPF_MODE(i->code) != EBPF_MODE_MEM || (st ? i->src != 0 : i->imm != 0))
				goto bad;
			opc = (st ? OP_STB : OP_STXB) + sz;
			break;
		}
		case EBPF_CLASS_LD: {
			const struct ebpf_insn *nx = &in[pc + 1];

			if (!ebpf_insn_is_lddw(i) || pc + 1 >= n || i->off || i->dst > 10 ||
			    nx->code || nx->dst || nx->src || nx->off)
				goto bad;
			opc = OP_LDDW;
			switch (i->src) {
			case EBPF_PSEUDO_IMM64:
				o->k = (uint64_t)(uint32_t)i->imm | (uint64_t)(uint32_t)nx->imm
									<< 32;
				break;
			case EBPF_PSEUDO_MAP_FD:
			case EBPF_PSEUDO_MAP_IDX:
				if ((uint32_t)i->imm >= prog->n_maps || !prog->maps)
					return prep_err(err, errlen, pc,
							"lddw refers to map %u of %u",
							(uint32_t)i->imm, prog->n_maps);
				o->k = (uint64_t)(uintptr_t)prog->maps[i->imm];
				break;
			case EBPF_PSEUDO_MAP_VALUE:
			case EBPF_PSEUDO_MAP_IDX_VALUE: {
				void *v = NULL;

				if ((uint32_t)i->imm >= prog->n_maps || !prog->maps)
					return prep_err(err, errlen, pc,
							"lddw refers to map %u of %u",
							(uint32_t)i->imm, prog->n_maps);
#if EBPF_CORE_HAVE_MAPS
				v = ebpf_map_direct_value(prog->maps[i->imm]);
#endif
				if (!v)
					return prep_err(
					    err, errlen, pc,
					    "lddw map value: map %u has no direct value",
					    (uint32_t)i->imm);
				o->k = (uint64_t)(uintptr_t)v + (uint64_t)(int64_t)nx->imm;
				break;
			}
			default:
				return prep_err(err, errlen, pc, "lddw source %u is not supported",
						i->src);
			}
			/* the second slot: a jump into it ends the run */
			c->ops[pc + 1].handler = tbl[OP_INVALID];
			o->handler = tbl[opc];
			pc++;
			continue;
		}
		default: /* JMP, JMP32 */
			switch (EBPF_OP(i->code)) {
			case EBPF_JMP_JA:
				if (EBPF_SRC(i->code) || i->dst || i->src)
					goto bad;
				if (EBPF_CLASS(i->code) == EBPF_CLASS_JMP32 ? i->off != 0
									    : i->imm != 0)
					goto bad;
				opc = OP_JA;
				rc = set_target(prog, c, pc,
						EBPF_CLASS(i->code) == EBPF_CLASS_JMP32 ? i->imm
											: i->off,
						err, errlen);
				if (rc)
					return rc;
				break;
			case EBPF_JMP_CALL:
				if (EBPF_CLASS(i->code) == EBPF_CLASS_JMP32 || i->off)
					goto bad;
				if (EBPF_SRC(i->code) == EBPF_SRC_X) {
					if (i->src || i->imm || i->dst > 10)
						goto bad;
					opc = OP_CALLX;
					break;
				}
				if (i->dst)
					goto bad;
				if (i->src == EBPF_PSEUDO_CALL) {
					opc = OP_CALL_LOCAL;
					rc = set_target(prog, c, pc, i->imm, err, errlen);
					if (rc)
						return rc;
					break;
				}
				if (i->src)
					goto bad;
				o->helper = find_helper(prog->type, (uint32_t)i->imm);
				if (!o->helper)
					return prep_err(
					    err, errlen, pc,
					    "helper %d is not available to programs of type "
					    "'%s'",
					    i->imm, prog->type ? prog->type->name : "(none)");
				if (is_tail_call(o->helper))
					opc = OP_CALL_TAIL;
				else if (!o->helper->fn)
					return prep_err(err, errlen, pc,
							"helper %d has no function", i->imm);
				else
					opc =
					    o->helper->may_unwind ? OP_CALL_UNWIND : OP_CALL_HELPER;
				break;
			case EBPF_JMP_EXIT:
				if (EBPF_CLASS(i->code) == EBPF_CLASS_JMP32 || EBPF_SRC(i->code) ||
				    i->dst || i->src || i->off || i->imm)
					goto bad;
				opc = OP_EXIT;
				break;
			default:
				if (decode_jmp(i, &opc))
					goto bad;
				rc = set_target(prog, c, pc, i->off, err, errlen);
				if (rc)
					return rc;
				break;
			}
			break;
		}
		o->handler = tbl[opc];
		continue;
	bad:
		return prep_err(err, errlen, pc,
				"invalid instruction (code 0x%02x dst %u src %u off %d imm %d)",
				i->code, i->dst, i->src, i->off, i->imm);
	}
	c->ops[n].handler = tbl[OP_FALLOFF];
	return 0;
}

static struct interp_code *build(const struct ebpf_prog *prog, char *err, size_t errlen, int *rc)
{
	const void *const *tbl;
	struct interp_code *c;

	interp_exec(NULL, NULL, 0, 0, &tbl);
	if (!prog->insns || !prog->n_insns || prog->n_insns > EBPF_MAX_INSNS) {
		*rc = prep_err(err, errlen, 0, "program has %u slots", prog->n_insns);
		return NULL;
	}
	c = calloc(1, sizeof(*c) + ((size_t)prog->n_insns + 1) * sizeof(struct interp_op));
	if (!c) {
		*rc = -ENOMEM;
		if (err && errlen)
			snprintf(err, errlen, "out of memory");
		return NULL;
	}
	c->n = prog->n_insns;
	*rc = decode(prog, c, tbl, err, errlen);
	if (*rc) {
		free(c);
		return NULL;
	}
	return c;
}

/* The pre-decoded form of prog, built and installed on first use (a racing builder frees its
 * copy). NULL if the program cannot be decoded. */
static const struct interp_code *get_code(const struct ebpf_prog *prog, char *err, size_t errlen,
					  int *rc)
{
	struct interp_code *c =
	    __atomic_load_n((struct interp_code **)&prog->interp, __ATOMIC_ACQUIRE);
	void *expected = NULL;

	*rc = 0;
	if (c)
		return c;
	c = build(prog, err, errlen, rc);
	if (!c)
		return NULL;
	if (!__atomic_compare_exchange_n((void **)&((struct ebpf_prog *)prog)->interp, &expected, c,
					 false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		free(c);
		return expected;
	}
	return c;
}

int ebpf_interp_prepare(struct ebpf_prog *prog, char *err, size_t errlen)
{
	int rc;

	if (err && errlen)
		err[0] = 0;
	get_code(prog, err, errlen, &rc);
	return rc;
}

void ebpf_interp_reset(struct ebpf_prog *prog)
{
	if (!prog)
		return;
	free(prog->interp);
	prog->interp = NULL;
}

uint64_t ebpf_interp_run(const struct ebpf_prog *prog, uint64_t r1, uint64_t r2)
{
	const struct interp_code *c;
	int rc;

	if (!prog)
		return 0;
	c = get_code(prog, NULL, 0, &rc);
	if (!c)
		return 0;
	return interp_exec(prog, c, r1, r2, NULL);
}

/* ---- exec --------------------------------------------------------------------------------- */

#define LOAD(T, addr)                                                    \
	({                                                               \
		T v_;                                                    \
		memcpy(&v_, (const void *)(uintptr_t)(addr), sizeof(T)); \
		v_;                                                      \
	})
#define STORE(T, addr, val)                                        \
	do {                                                       \
		T v_ = (T)(val);                                   \
		memcpy((void *)(uintptr_t)(addr), &v_, sizeof(T)); \
	} while (0)

static const struct ebpf_helper *find_helper_rt(const struct ebpf_prog *prog, uint64_t id)
{
	return id > UINT32_MAX ? NULL : find_helper(prog->type, (uint32_t)id);
}

/* Tail call (helper 12, bpf_tail_call(ctx, map, index)), with the JIT's semantics: when the
 * slot holds a program, the whole current run ends (every frame) and the target starts as a new
 * main function with r1 = ctx and the run's original r2; else the call returns a negative error
 * (-E2BIG after EBPF_MAX_TAIL_CALLS, -ENOENT for an empty slot, -ENOEXEC for a target that cannot
 * run) and execution goes on. */
static int64_t tail_target(const struct ebpf_prog *prog, unsigned tail_calls, uint64_t map,
			   uint64_t index, const struct ebpf_prog **tp,
			   const struct interp_code **tc)
{
#if EBPF_CORE_HAVE_HELPERS
	struct ebpf_prog *t;
	int rc;

	if (tail_calls >= EBPF_MAX_TAIL_CALLS)
		return -E2BIG;
	t = ebpf_helper_tail_call_target(map, index);
	if (!t)
		return -ENOENT;
	/* a target of another type would see this context as its own (a blk context read as
	 * xdp_md: the guest's sector as the packet pointer) */
	if ((prog->verified && !t->verified) || t->type != prog->type)
		return -ENOEXEC;
	*tc = get_code(t, NULL, 0, &rc);
	if (!*tc)
		return -ENOEXEC;
	*tp = t;
	return 0;
#else
	(void)prog;
	(void)map;
	(void)index;
	(void)tp;
	(void)tc;
	return tail_calls >= EBPF_MAX_TAIL_CALLS ? -E2BIG : -ENOENT;
#endif
}

static uint64_t interp_exec(const struct ebpf_prog *prog, const struct interp_code *code,
			    uint64_t r1, uint64_t r2, const void *const **table)
{
	static const void *const tbl[OP__COUNT] = {
#define X(n) [OP_##n] = &&L_##n,
	    INTERP_OPS(X)
#undef X
	};
	uint8_t stack[EBPF_INTERP_MAX_FRAMES * EBPF_STACK_SIZE] __attribute__((aligned(16)));
	struct interp_frame frames[EBPF_INTERP_MAX_FRAMES];
	unsigned depth = 0, tail_calls = 0;
	uint64_t reg[EBPF_NREGS] = {0};
	const struct interp_op *op;
	const struct ebpf_helper *h;

	if (table) {
		*table = tbl;
		return 0;
	}
	reg[1] = r1;
	reg[2] = r2;
	reg[10] = (uint64_t)(uintptr_t)(stack + sizeof(stack));
	op = code->ops;

#define NEXT goto *(++op)->handler
#define JUMP_IF(cond)                    \
	do {                             \
		if (cond)                \
			op = op->target; \
		else                     \
			op++;            \
		goto * op->handler;      \
	} while (0)
#define DST reg[op->dst]
#define SRC reg[op->src]
#define K op->k
#define ALU64(name, expr)                                                    \
	L_##name##64_K : DST = DST expr K;                                   \
	NEXT;                                                                \
	L_##name##64_X : DST = DST expr SRC;                                 \
	NEXT;                                                                \
	L_##name##32_K : DST = (uint32_t)((uint32_t)DST expr(uint32_t) K);   \
	NEXT;                                                                \
	L_##name##32_X : DST = (uint32_t)((uint32_t)DST expr(uint32_t) SRC); \
	NEXT;
#define JMP(name, cmp, T64, T32)                                    \
	L_##name##_K : JUMP_IF((T64)DST cmp(T64)(int64_t) op->imm); \
	L_##name##_X : JUMP_IF((T64)DST cmp(T64) SRC);              \
	L_##name##32_K : JUMP_IF((T32)DST cmp(T32) op->imm);        \
	L_##name##32_X : JUMP_IF((T32)DST cmp(T32) SRC);

	goto * op->handler;

	ALU64(ADD, +)
	ALU64(SUB, -)
	ALU64(MUL, *)
	ALU64(OR, |)
	ALU64(AND, &)
	ALU64(XOR, ^)

L_MOV64_K:
	DST = K;
	NEXT;
L_MOV64_X:
	DST = SRC;
	NEXT;
L_MOV32_K:
	DST = (uint32_t)K;
	NEXT;
L_MOV32_X:
	DST = (uint32_t)SRC;
	NEXT;
L_MOVSX8_32:
	DST = (uint32_t)(int32_t)(int8_t)SRC;
	NEXT;
L_MOVSX16_32:
	DST = (uint32_t)(int32_t)(int16_t)SRC;
	NEXT;
L_MOVSX8_64:
	DST = (uint64_t)(int64_t)(int8_t)SRC;
	NEXT;
L_MOVSX16_64:
	DST = (uint64_t)(int64_t)(int16_t)SRC;
	NEXT;
L_MOVSX32_64:
	DST = (uint64_t)(int64_t)(int32_t)SRC;
	NEXT;

L_LSH64_K:
	DST <<= K & 63;
	NEXT;
L_LSH64_X:
	DST <<= SRC & 63;
	NEXT;
L_RSH64_K:
	DST >>= K & 63;
	NEXT;
L_RSH64_X:
	DST >>= SRC & 63;
	NEXT;
L_ARSH64_K:
	DST = (uint64_t)((int64_t)DST >> (K & 63));
	NEXT;
L_ARSH64_X:
	DST = (uint64_t)((int64_t)DST >> (SRC & 63));
	NEXT;
L_LSH32_K:
	DST = (uint32_t)((uint32_t)DST << (K & 31));
	NEXT;
L_LSH32_X:
	DST = (uint32_t)((uint32_t)DST << (SRC & 31));
	NEXT;
L_RSH32_K:
	DST = (uint32_t)DST >> (K & 31);
	NEXT;
L_RSH32_X:
	DST = (uint32_t)DST >> (SRC & 31);
	NEXT;
L_ARSH32_K:
	DST = (uint32_t)((int32_t)DST >> (K & 31));
	NEXT;
L_ARSH32_X:
	DST = (uint32_t)((int32_t)DST >> (SRC & 31));
	NEXT;
L_NEG64:
	DST = 0 - DST;
	NEXT;
L_NEG32:
	DST = (uint32_t)(0 - (uint32_t)DST);
	NEXT;

	/* division: by zero gives 0, modulo by zero keeps the dividend (RFC 9669 4.1) */
L_DIV64_K:
	DST = K ? DST / K : 0;
	NEXT;
L_DIV64_X:
	DST = SRC ? DST / SRC : 0;
	NEXT;
L_DIV32_K:
	DST = (uint32_t)K ? (uint32_t)DST / (uint32_t)K : 0;
	NEXT;
L_DIV32_X:
	DST = (uint32_t)SRC ? (uint32_t)DST / (uint32_t)SRC : 0;
	NEXT;
L_MOD64_K:
	DST = K ? DST % K : DST;
	NEXT;
L_MOD64_X:
	DST = SRC ? DST % SRC : DST;
	NEXT;
L_MOD32_K:
	DST = (uint32_t)K ? (uint32_t)DST % (uint32_t)K : (uint32_t)DST;
	NEXT;
L_MOD32_X:
	DST = (uint32_t)SRC ? (uint32_t)DST % (uint32_t)SRC : (uint32_t)DST;
	NEXT;
	{
		uint64_t d;
		uint32_t d32;

	L_SDIV64_K:
		d = K;
		goto sdiv64;
	L_SDIV64_X:
		d = SRC;
	sdiv64:
		if (!d)
			DST = 0;
		else if (d == UINT64_MAX)
			DST = 0 - DST; /* INT64_MIN / -1 = INT64_MIN, without the trap */
		else
			DST = (uint64_t)((int64_t)DST / (int64_t)d);
		NEXT;
	L_SMOD64_K:
		d = K;
		goto smod64;
	L_SMOD64_X:
		d = SRC;
	smod64:
		if (d == UINT64_MAX)
			DST = 0;
		else if (d)
			DST = (uint64_t)((int64_t)DST % (int64_t)d);
		NEXT;
	L_SDIV32_K:
		d32 = (uint32_t)K;
		goto sdiv32;
	L_SDIV32_X:
		d32 = (uint32_t)SRC;
	sdiv32:
		if (!d32)
			DST = 0;
		else if (d32 == UINT32_MAX)
			DST = (uint32_t)(0 - (uint32_t)DST);
		else
			DST = (uint32_t)((int32_t)DST / (int32_t)d32);
		NEXT;
	L_SMOD32_K:
		d32 = (uint32_t)K;
		goto smod32;
	L_SMOD32_X:
		d32 = (uint32_t)SRC;
	smod32:
		if (d32 == UINT32_MAX)
			DST = 0;
		else if (d32)
			DST = (uint32_t)((int32_t)DST % (int32_t)d32);
		else
			DST = (uint32_t)DST;
		NEXT;
	}

	/* byte order: the host is little-endian (x86-64) */
L_LE16:
	DST = (uint16_t)DST;
	NEXT;
L_LE32:
	DST = (uint32_t)DST;
	NEXT;
L_LE64:
	NEXT;
L_BE16:
	DST = __builtin_bswap16((uint16_t)DST);
	NEXT;
L_BE32:
	DST = __builtin_bswap32((uint32_t)DST);
	NEXT;
L_BE64:
	DST = __builtin_bswap64(DST);
	NEXT;

	/* memory */
L_LDXB:
	DST = LOAD(uint8_t, SRC + (int64_t)op->off);
	NEXT;
L_LDXH:
	DST = LOAD(uint16_t, SRC + (int64_t)op->off);
	NEXT;
L_LDXW:
	DST = LOAD(uint32_t, SRC + (int64_t)op->off);
	NEXT;
L_LDXDW:
	DST = LOAD(uint64_t, SRC + (int64_t)op->off);
	NEXT;
L_LDXSB:
	DST = (uint64_t)(int64_t)LOAD(int8_t, SRC + (int64_t)op->off);
	NEXT;
L_LDXSH:
	DST = (uint64_t)(int64_t)LOAD(int16_t, SRC + (int64_t)op->off);
	NEXT;
L_LDXSW:
	DST = (uint64_t)(int64_t)LOAD(int32_t, SRC + (int64_t)op->off);
	NEXT;
L_STB:
	STORE(uint8_t, DST + (int64_t)op->off, K);
	NEXT;
L_STH:
	STORE(uint16_t, DST + (int64_t)op->off, K);
	NEXT;
L_STW:
	STORE(uint32_t, DST + (int64_t)op->off, K);
	NEXT;
L_STDW:
	STORE(uint64_t, DST + (int64_t)op->off, K);
	NEXT;
L_STXB:
	STORE(uint8_t, DST + (int64_t)op->off, SRC);
	NEXT;
L_STXH:
	STORE(uint16_t, DST + (int64_t)op->off, SRC);
	NEXT;
L_STXW:
	STORE(uint32_t, DST + (int64_t)op->off, SRC);
	NEXT;
L_STXDW:
	STORE(uint64_t, DST + (int64_t)op->off, SRC);
	NEXT;
L_LDDW:
	DST = K;
	op += 2;
	goto * op->handler;

	/* atomics: sequentially consistent, as Linux's fetch variants; 32-bit fetches zero-extend
	 */
#define A32(addr) ((uint32_t *)(uintptr_t)(DST + (int64_t)op->off))
#define A64(addr) ((uint64_t *)(uintptr_t)(DST + (int64_t)op->off))
L_AADD32:
	__atomic_fetch_add(A32(), (uint32_t)SRC, __ATOMIC_SEQ_CST);
	NEXT;
L_AOR32:
	__atomic_fetch_or(A32(), (uint32_t)SRC, __ATOMIC_SEQ_CST);
	NEXT;
L_AAND32:
	__atomic_fetch_and(A32(), (uint32_t)SRC, __ATOMIC_SEQ_CST);
	NEXT;
L_AXOR32:
	__atomic_fetch_xor(A32(), (uint32_t)SRC, __ATOMIC_SEQ_CST);
	NEXT;
L_AFADD32:
	SRC = __atomic_fetch_add(A32(), (uint32_t)SRC, __ATOMIC_SEQ_CST);
	NEXT;
L_AFOR32:
	SRC = __atomic_fetch_or(A32(), (uint32_t)SRC, __ATOMIC_SEQ_CST);
	NEXT;
L_AFAND32:
	SRC = __atomic_fetch_and(A32(), (uint32_t)SRC, __ATOMIC_SEQ_CST);
	NEXT;
L_AFXOR32:
	SRC = __atomic_fetch_xor(A32(), (uint32_t)SRC, __ATOMIC_SEQ_CST);
	NEXT;
L_AXCHG32:
	SRC = __atomic_exchange_n(A32(), (uint32_t)SRC, __ATOMIC_SEQ_CST);
	NEXT;
L_ACMPXCHG32 : {
	uint32_t expected = (uint32_t)reg[0];

	__atomic_compare_exchange_n(A32(), &expected, (uint32_t)SRC, false, __ATOMIC_SEQ_CST,
				    __ATOMIC_SEQ_CST);
	reg[0] = expected; /* the old value, zero-extended, whether or not it matched */
	NEXT;
}
L_AADD64:
	__atomic_fetch_add(A64(), SRC, __ATOMIC_SEQ_CST);
	NEXT;
L_AOR64:
	__atomic_fetch_or(A64(), SRC, __ATOMIC_SEQ_CST);
	NEXT;
L_AAND64:
	__atomic_fetch_and(A64(), SRC, __ATOMIC_SEQ_CST);
	NEXT;
L_AXOR64:
	__atomic_fetch_xor(A64(), SRC, __ATOMIC_SEQ_CST);
	NEXT;
L_AFADD64:
	SRC = __atomic_fetch_add(A64(), SRC, __ATOMIC_SEQ_CST);
	NEXT;
L_AFOR64:
	SRC = __atomic_fetch_or(A64(), SRC, __ATOMIC_SEQ_CST);
	NEXT;
L_AFAND64:
	SRC = __atomic_fetch_and(A64(), SRC, __ATOMIC_SEQ_CST);
	NEXT;
L_AFXOR64:
	SRC = __atomic_fetch_xor(A64(), SRC, __ATOMIC_SEQ_CST);
	NEXT;
L_AXCHG64:
	SRC = __atomic_exchange_n(A64(), SRC, __ATOMIC_SEQ_CST);
	NEXT;
L_ACMPXCHG64 : {
	uint64_t expected = reg[0];

	__atomic_compare_exchange_n(A64(), &expected, SRC, false, __ATOMIC_SEQ_CST,
				    __ATOMIC_SEQ_CST);
	reg[0] = expected;
	NEXT;
}

	/* jumps */
L_JA:
	op = op->target;
	goto * op->handler;
	JMP(JEQ, ==, uint64_t, uint32_t)
	JMP(JNE, !=, uint64_t, uint32_t)
	JMP(JGT, >, uint64_t, uint32_t)
	JMP(JGE, >=, uint64_t, uint32_t)
	JMP(JLT, <, uint64_t, uint32_t)
	JMP(JLE, <=, uint64_t, uint32_t)
	JMP(JSGT, >, int64_t, int32_t)
	JMP(JSGE, >=, int64_t, int32_t)
	JMP(JSLT, <, int64_t, int32_t)
	JMP(JSLE, <=, int64_t, int32_t)
L_JSET_K:
	JUMP_IF(DST & (uint64_t)(int64_t)op->imm);
L_JSET_X:
	JUMP_IF(DST & SRC);
L_JSET32_K:
	JUMP_IF((uint32_t)DST & (uint32_t)op->imm);
L_JSET32_X:
	JUMP_IF((uint32_t)DST & (uint32_t)SRC);

	/* calls */
L_CALL_HELPER:
	reg[0] = op->helper->fn(reg[1], reg[2], reg[3], reg[4], reg[5]);
	NEXT;
L_CALL_UNWIND:
	reg[0] = op->helper->fn(reg[1], reg[2], reg[3], reg[4], reg[5]);
	if (!reg[0])
		return 0;
	NEXT;
L_CALLX:
	/* helper id in dst at run time; unknown ids and the tail call end the run (as the JIT) */
	h = find_helper_rt(prog, DST);
	if (!h || !h->fn || is_tail_call(h))
		return 0;
	reg[0] = h->fn(reg[1], reg[2], reg[3], reg[4], reg[5]);
	if (h->may_unwind && !reg[0])
		return 0;
	NEXT;
L_CALL_TAIL : {
	const struct ebpf_prog *tp = NULL;
	const struct interp_code *tc = NULL;
	int64_t trc = tail_target(prog, tail_calls, reg[2], reg[3], &tp, &tc);

	if (trc) {
		reg[0] = (uint64_t)trc;
		NEXT;
	}
	tail_calls++;
	prog = tp;
	ebpf_run_ctx_current()->prog = tp;
	depth = 0;
	reg[2] = r2;
	reg[10] = (uint64_t)(uintptr_t)(stack + sizeof(stack));
	op = tc->ops;
	goto * op->handler;
}
L_CALL_LOCAL:
	if (depth + 1 >= EBPF_INTERP_MAX_FRAMES)
		return 0; /* deeper than the verifier allows: the run ends (as the JIT) */
	frames[depth].ret = op + 1;
	frames[depth].r6 = reg[6];
	frames[depth].r7 = reg[7];
	frames[depth].r8 = reg[8];
	frames[depth].r9 = reg[9];
	frames[depth].r10 = reg[10];
	depth++;
	reg[10] -= EBPF_STACK_SIZE;
	op = op->target;
	goto * op->handler;
L_EXIT:
	if (!depth)
		return reg[0];
	depth--;
	reg[6] = frames[depth].r6;
	reg[7] = frames[depth].r7;
	reg[8] = frames[depth].r8;
	reg[9] = frames[depth].r9;
	reg[10] = frames[depth].r10;
	op = frames[depth].ret;
	goto * op->handler;

L_INVALID:
L_FALLOFF:
	return 0;

#undef NEXT
#undef JUMP_IF
#undef DST
#undef SRC
#undef K
#undef ALU64
#undef JMP
#undef A32
#undef A64
}
