/* verifier.c: the verifier's driver (ebpf_verify).
 *
 * 1. Static checks over the instruction array: encodings (RFC 9669 up to v4, plus callx),
 *    register numbers, lddw pairs and pseudo sources, jump targets (inside the program and the
 *    subprogram, never into lddw's second slot), subprograms (bpf-to-bpf call targets), no
 *    fall-through off a function, reachability on the control-flow graph, recursion and call
 *    depth, register liveness (for pruning).
 * 2. Path-sensitive abstract interpretation (as Linux >= 5.3): one state (frames of registers and
 *    stack slots, verifier_state.c) followed instruction by instruction; at a conditional jump
 *    both feasible sides are explored (one is pushed on a stack). At prune points (jump targets,
 *    branch fall-throughs, call return sites) a state subsumed by a completely explored stored
 *    state is cut; an identical state still being explored is an infinite loop. Loops are thus
 *    unrolled until their exit is proven, within a processed-instruction limit.
 * 3. Worst-case instruction count: every path's length (helper costs included) is propagated up
 *    the chain of stored states, so a cut path adds the longest continuation of the state that
 *    subsumed it.
 * 4. On acceptance: stack depth, context conversion (ctx_convert.c), prog->verified. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ebpf/verifier_internal.h"
#if __has_include("ebpf/asm.h")
#include "ebpf/asm.h"
#define HAVE_DISASM 1
#endif

#define MAX_STORED_PER_INSN 64
/* A new state is stored at a prune point only when the path went through at least this many
 * jumps and instructions since it last stored one (Linux's heuristic: prune points come every
 * few instructions, and storing at each one costs more time and memory than it saves). */
#define STORE_MIN_JMPS 2
#define STORE_MIN_INSNS 8
/* A fully explored state that failed to subsume more than MISS_FACTOR * (hits + 1) later
 * states is dropped from its list (Linux's heuristic): it is unlikely to ever prune. */
#define MISS_FACTOR 3
#define BPF_MAX_VAR_OFF (1LL << 29)
#define MAX_PACKET_OFF 0xffff

static void disasm(const struct venv *env, uint32_t pc, char *buf, size_t len)
{
#ifdef HAVE_DISASM
	if (ebpf_disasm_insn(env->insns, env->n, pc, buf, len) > 0)
		return;
#endif
	const struct ebpf_insn *i = &env->insns[pc];
	snprintf(buf, len, "code=0x%02x dst=r%u src=r%u off=%d imm=%d", i->code, i->dst, i->src,
		 i->off, i->imm);
}

struct vreg *vcur_regs(struct venv *env)
{
	return env->cur.frames[env->cur.curframe].regs;
}

int venv_refuse(struct venv *env, uint16_t regs, const char *fmt, ...)
{
	char reason[512], dis[128], state[2048];
	va_list ap;

	if (env->refused)
		return -EACCES;
	env->refused = true;
	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	if (env->pc < env->n)
		disasm(env, env->pc, dis, sizeof(dis));
	else
		snprintf(dis, sizeof(dis), "(end)");
	state[0] = 0;
	if (regs)
		vstate_format_regs(state, sizeof(state), &env->cur, regs);
	snprintf(env->res->message, sizeof(env->res->message), "insn %u: %s: %s%s%s%s", env->pc,
		 dis, reason, state[0] ? " (" : "", state, state[0] ? ")" : "");
	env->res->err_insn = (int)env->pc;
	vlog_printf(&env->log, "%s\n", env->res->message);
	return -EACCES;
}

/* refusal before exploration (no state yet) */
static int refuse_static(struct venv *env, uint32_t pc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int refuse_static(struct venv *env, uint32_t pc, const char *fmt, ...)
{
	char reason[512], dis[128];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	if (pc < env->n)
		disasm(env, pc, dis, sizeof(dis));
	else
		snprintf(dis, sizeof(dis), "(end)");
	snprintf(env->res->message, sizeof(env->res->message), "insn %u: %s: %s", pc, dis, reason);
	env->res->err_insn = (int)pc;
	env->refused = true;
	vlog_printf(&env->log, "%s\n", env->res->message);
	return -EACCES;
}

/* ---- 1. static checks ----------------------------------------------------------------------- */

static int check_encoding(struct venv *env, uint32_t pc)
{
	const struct ebpf_insn *i = &env->insns[pc];
	uint8_t cls = EBPF_CLASS(i->code), op = EBPF_OP(i->code);
	bool x = EBPF_SRC(i->code) == EBPF_SRC_X;

	if (i->dst > 10 || i->src > 10) {
		if (!(cls == EBPF_CLASS_LD && i->code == 0x18 && i->src <= 6 && i->dst <= 10))
			return refuse_static(env, pc, "invalid register number");
	}
	switch (cls) {
	case EBPF_CLASS_LD:
		if (i->code != (EBPF_CLASS_LD | EBPF_SIZE_DW | EBPF_MODE_IMM)) {
			if (EBPF_MODE(i->code) == EBPF_MODE_ABS ||
			    EBPF_MODE(i->code) == EBPF_MODE_IND)
				return refuse_static(
				    env, pc,
				    "legacy packet access (ld_abs/ld_ind) is not supported");
			return refuse_static(env, pc, "invalid instruction encoding 0x%02x",
					     i->code);
		}
		if (pc + 1 >= env->n)
			return refuse_static(env, pc, "lddw without its second slot");
		{
			const struct ebpf_insn *n = &env->insns[pc + 1];
			if (n->code || n->dst || n->src || n->off)
				return refuse_static(env, pc, "invalid second slot of lddw");
		}
		if (i->off)
			return refuse_static(env, pc, "invalid lddw: off must be 0");
		switch (i->src) {
		case EBPF_PSEUDO_IMM64:
			break;
		case EBPF_PSEUDO_MAP_FD:
		case EBPF_PSEUDO_MAP_IDX:
		case EBPF_PSEUDO_MAP_VALUE:
		case EBPF_PSEUDO_MAP_IDX_VALUE:
			if (i->imm < 0 || (uint32_t)i->imm >= env->prog->n_maps ||
			    !env->prog->maps || !env->prog->maps[i->imm])
				return refuse_static(
				    env, pc, "lddw refers to map %d, the program has %u maps",
				    i->imm, env->prog->n_maps);
			if ((i->src == EBPF_PSEUDO_MAP_FD || i->src == EBPF_PSEUDO_MAP_IDX) &&
			    env->insns[pc + 1].imm)
				return refuse_static(env, pc,
						     "invalid lddw map: second imm must be 0");
			break;
		default:
			return refuse_static(env, pc, "lddw pseudo source %u is not supported",
					     i->src);
		}
		return 0;
	case EBPF_CLASS_LDX:
		if (EBPF_MODE(i->code) == EBPF_MODE_MEMSX) {
			if (EBPF_SIZE(i->code) == EBPF_SIZE_DW)
				return refuse_static(
				    env, pc,
				    "invalid instruction encoding 0x%02x (ldsx of 8 bytes)",
				    i->code);
		} else if (EBPF_MODE(i->code) != EBPF_MODE_MEM) {
			return refuse_static(env, pc, "invalid instruction encoding 0x%02x",
					     i->code);
		}
		if (i->imm)
			return refuse_static(env, pc,
					     "invalid encoding: reserved field imm must be 0");
		return 0;
	case EBPF_CLASS_ST:
		if (EBPF_MODE(i->code) != EBPF_MODE_MEM)
			return refuse_static(env, pc, "invalid instruction encoding 0x%02x",
					     i->code);
		if (i->src)
			return refuse_static(env, pc,
					     "invalid encoding: reserved field src must be 0");
		return 0;
	case EBPF_CLASS_STX:
		if (EBPF_MODE(i->code) == EBPF_MODE_ATOMIC) {
			uint8_t sz = EBPF_SIZE(i->code);
			int a = i->imm;
			if (sz != EBPF_SIZE_W && sz != EBPF_SIZE_DW)
				return refuse_static(env, pc, "invalid atomic operand size");
			if (a != EBPF_ATOMIC_ADD && a != EBPF_ATOMIC_OR && a != EBPF_ATOMIC_AND &&
			    a != EBPF_ATOMIC_XOR && a != (EBPF_ATOMIC_ADD | EBPF_ATOMIC_FETCH) &&
			    a != (EBPF_ATOMIC_OR | EBPF_ATOMIC_FETCH) &&
			    a != (EBPF_ATOMIC_AND | EBPF_ATOMIC_FETCH) &&
			    a != (EBPF_ATOMIC_XOR | EBPF_ATOMIC_FETCH) && a != EBPF_ATOMIC_XCHG &&
			    a != EBPF_ATOMIC_CMPXCHG)
				return refuse_static(env, pc, "invalid atomic operation 0x%x", a);
			return 0;
		}
		if (EBPF_MODE(i->code) != EBPF_MODE_MEM)
			return refuse_static(env, pc, "invalid instruction encoding 0x%02x",
					     i->code);
		if (i->imm)
			return refuse_static(env, pc,
					     "invalid encoding: reserved field imm must be 0");
		return 0;
	case EBPF_CLASS_ALU:
	case EBPF_CLASS_ALU64:
		if (op == EBPF_ALU_END) {
			if (cls == EBPF_CLASS_ALU64 && x)
				return refuse_static(env, pc, "invalid instruction encoding 0x%02x",
						     i->code);
			if (i->imm != 16 && i->imm != 32 && i->imm != 64)
				return refuse_static(env, pc, "invalid byte swap width %d", i->imm);
			if (i->src || i->off)
				return refuse_static(
				    env, pc, "invalid encoding: reserved fields of a byte swap");
		} else if (op > EBPF_ALU_END) {
			return refuse_static(env, pc, "invalid instruction encoding 0x%02x",
					     i->code);
		} else {
			if (!x && i->src)
				return refuse_static(
				    env, pc, "invalid encoding: reserved field src must be 0");
			if (x && i->imm)
				return refuse_static(
				    env, pc, "invalid encoding: reserved field imm must be 0");
			if (op == EBPF_ALU_NEG && (x || i->imm))
				return refuse_static(env, pc, "invalid encoding of neg");
			if (op == EBPF_ALU_DIV || op == EBPF_ALU_MOD) {
				if (i->off != 0 && i->off != 1)
					return refuse_static(
					    env, pc, "invalid encoding: off %d of div/mod", i->off);
			} else if (op == EBPF_ALU_MOV) {
				bool ok = i->off == 0 ||
					  (x && (i->off == 8 || i->off == 16 ||
						 (i->off == 32 && cls == EBPF_CLASS_ALU64)));
				if (!ok)
					return refuse_static(
					    env, pc, "invalid encoding: off %d of mov", i->off);
			} else if (i->off) {
				return refuse_static(
				    env, pc, "invalid encoding: reserved field off must be 0");
			}
		}
		if (i->dst == EBPF_REG_FP)
			return refuse_static(env, pc, "frame pointer r10 is read only");
		return 0;
	case EBPF_CLASS_JMP:
	case EBPF_CLASS_JMP32:
		if (op == EBPF_JMP_EXIT) {
			if (cls != EBPF_CLASS_JMP || x || i->dst || i->src || i->off || i->imm)
				return refuse_static(env, pc, "invalid encoding of exit");
			return 0;
		}
		if (op == EBPF_JMP_CALL) {
			if (cls != EBPF_CLASS_JMP)
				return refuse_static(env, pc, "invalid instruction encoding 0x%02x",
						     i->code);
			if (x) { /* callx: helper id in register dst */
				if (i->src || i->off || i->imm)
					return refuse_static(env, pc, "invalid encoding of callx");
				return 0;
			}
			if (i->off || i->dst)
				return refuse_static(env, pc,
						     "invalid encoding: reserved fields of call");
			if (i->src != 0 && i->src != EBPF_PSEUDO_CALL)
				return refuse_static(
				    env, pc, "call with source %u (by BTF id) is not supported",
				    i->src);
			return 0;
		}
		if (op == EBPF_JMP_JA) {
			if (x || i->dst || i->src)
				return refuse_static(env, pc, "invalid encoding of ja");
			if (cls == EBPF_CLASS_JMP && i->imm)
				return refuse_static(env, pc,
						     "invalid encoding: reserved field imm of ja");
			if (cls == EBPF_CLASS_JMP32 && i->off)
				return refuse_static(
				    env, pc, "invalid encoding: reserved field off of gotol");
			return 0;
		}
		if (op > EBPF_JMP_JSLE)
			return refuse_static(env, pc, "invalid instruction encoding 0x%02x",
					     i->code);
		if (!x && i->src)
			return refuse_static(env, pc,
					     "invalid encoding: reserved field src must be 0");
		if (x && i->imm)
			return refuse_static(env, pc,
					     "invalid encoding: reserved field imm must be 0");
		return 0;
	}
	return refuse_static(env, pc, "invalid instruction encoding 0x%02x", i->code);
}

static bool is_jump(const struct ebpf_insn *i)
{
	uint8_t cls = EBPF_CLASS(i->code), op = EBPF_OP(i->code);
	return (cls == EBPF_CLASS_JMP || cls == EBPF_CLASS_JMP32) && op != EBPF_JMP_CALL &&
	       op != EBPF_JMP_EXIT;
}

static int64_t jump_target(const struct ebpf_insn *i, uint32_t pc)
{
	if (EBPF_CLASS(i->code) == EBPF_CLASS_JMP32 && EBPF_OP(i->code) == EBPF_JMP_JA)
		return (int64_t)pc + 1 + i->imm;
	return (int64_t)pc + 1 + i->off;
}

static bool is_local_call(const struct ebpf_insn *i)
{
	return i->code == (EBPF_CLASS_JMP | EBPF_JMP_CALL) && i->src == EBPF_PSEUDO_CALL;
}

static int find_subprog(const struct venv *env, uint32_t pc)
{
	for (unsigned s = 0; s < env->nsubs; s++)
		if (pc >= env->subs[s].start && pc < env->subs[s].end)
			return (int)s;
	return -1;
}

static int add_subprog_start(uint32_t *starts, unsigned *n, uint32_t start)
{
	for (unsigned k = 0; k < *n; k++)
		if (starts[k] == start)
			return 0;
	starts[(*n)++] = start;
	return 0;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

/* register use/def for liveness */
static void insn_use_def(const struct venv *env, uint32_t pc, uint16_t *use, uint16_t *def)
{
	const struct ebpf_insn *i = &env->insns[pc];
	uint8_t cls = EBPF_CLASS(i->code), op = EBPF_OP(i->code);
	bool x = EBPF_SRC(i->code) == EBPF_SRC_X;

	*use = 0;
	*def = 0;
	switch (cls) {
	case EBPF_CLASS_LD:
		*def = (uint16_t)(1u << i->dst);
		break;
	case EBPF_CLASS_LDX:
		*use = (uint16_t)(1u << i->src);
		*def = (uint16_t)(1u << i->dst);
		break;
	case EBPF_CLASS_ST:
		*use = (uint16_t)(1u << i->dst);
		break;
	case EBPF_CLASS_STX:
		*use = (uint16_t)((1u << i->dst) | (1u << i->src));
		if (EBPF_MODE(i->code) == EBPF_MODE_ATOMIC) {
			if (i->imm == EBPF_ATOMIC_CMPXCHG) {
				*use |= 1;
				*def = 1;
			} else if (i->imm & EBPF_ATOMIC_FETCH) {
				*def = (uint16_t)(1u << i->src);
			}
		}
		break;
	case EBPF_CLASS_ALU:
	case EBPF_CLASS_ALU64:
		*def = (uint16_t)(1u << i->dst);
		if (op != EBPF_ALU_MOV)
			*use |= (uint16_t)(1u << i->dst);
		if (x && op != EBPF_ALU_END && op != EBPF_ALU_NEG)
			*use |= (uint16_t)(1u << i->src);
		break;
	case EBPF_CLASS_JMP:
	case EBPF_CLASS_JMP32:
		if (op == EBPF_JMP_EXIT) {
			*use = 1;
		} else if (op == EBPF_JMP_CALL) {
			*use = 0x3e; /* r1-r5, conservatively */
			if (x)
				*use |= (uint16_t)(1u << i->dst);
			*def = 0x3f;
		} else if (op != EBPF_JMP_JA) {
			*use = (uint16_t)(1u << i->dst);
			if (x)
				*use |= (uint16_t)(1u << i->src);
		}
		break;
	}
}

static void compute_liveness(struct venv *env)
{
	bool changed = true;

	while (changed) {
		changed = false;
		for (int64_t pc = (int64_t)env->n - 1; pc >= 0; pc--) {
			const struct ebpf_insn *i = &env->insns[pc];
			uint16_t use, def, out = 0, in;
			uint8_t op = EBPF_OP(i->code);

			if (env->aux[pc].flags & AUX_LDDW2)
				continue;
			insn_use_def(env, (uint32_t)pc, &use, &def);
			if (is_jump(i)) {
				int64_t t = jump_target(i, (uint32_t)pc);
				if (t >= 0 && t < env->n)
					out |= env->aux[t].live_in;
				if (op != EBPF_JMP_JA && pc + 1 < env->n)
					out |= env->aux[pc + 1].live_in;
			} else if (op == EBPF_JMP_EXIT && EBPF_CLASS(i->code) == EBPF_CLASS_JMP) {
				out = 0;
			} else {
				uint32_t nx = (uint32_t)pc + (ebpf_insn_is_lddw(i) ? 2 : 1);
				if (nx < env->n)
					out = env->aux[nx].live_in;
			}
			in = (uint16_t)(use | (out & ~def) | (1u << EBPF_REG_FP));
			if (in != env->aux[pc].live_in) {
				env->aux[pc].live_in = in;
				changed = true;
			}
		}
	}
}

static int static_checks(struct venv *env)
{
	uint32_t *starts, nstarts = 0;
	const struct ebpf_prog *p = env->prog;
	int err;

	starts = calloc(env->n + 1 + p->n_funcs, sizeof(*starts));
	env->aux = calloc(env->n, sizeof(*env->aux));
	if (!starts || !env->aux) {
		free(starts);
		return -ENOMEM;
	}
	starts[nstarts++] = 0;
	for (uint32_t f = 0; f < p->n_funcs; f++) {
		if (p->funcs[f].start >= env->n) {
			free(starts);
			return refuse_static(env, 0, "function %s starts at %u, past the end",
					     p->funcs[f].name, p->funcs[f].start);
		}
		add_subprog_start(starts, &nstarts, p->funcs[f].start);
	}
	/* encodings and lddw pairs */
	for (uint32_t pc = 0; pc < env->n; pc++) {
		const struct ebpf_insn *i = &env->insns[pc];
		if ((err = check_encoding(env, pc))) {
			free(starts);
			return err;
		}
		{
			uint16_t use, def;
			insn_use_def(env, pc, &use, &def);
			if ((def & (1u << EBPF_REG_FP)) &&
			    !(EBPF_CLASS(i->code) == EBPF_CLASS_JMP &&
			      EBPF_OP(i->code) == EBPF_JMP_CALL)) {
				free(starts);
				return refuse_static(env, pc, "frame pointer r10 is read only");
			}
		}
		if (ebpf_insn_is_lddw(i)) {
			env->aux[pc + 1].flags |= AUX_LDDW2;
			pc++;
			continue;
		}
		if (is_local_call(i)) {
			int64_t t = (int64_t)pc + 1 + i->imm;
			if (t < 0 || t >= env->n) {
				free(starts);
				return refuse_static(env, pc,
						     "call to %" PRId64
						     ", outside the program (%u instructions)",
						     t, env->n);
			}
			add_subprog_start(starts, &nstarts, (uint32_t)t);
		}
	}
	qsort(starts, nstarts, sizeof(*starts), cmp_u32);
	env->subs = calloc(nstarts, sizeof(*env->subs));
	if (!env->subs) {
		free(starts);
		return -ENOMEM;
	}
	env->nsubs = nstarts;
	for (unsigned s = 0; s < nstarts; s++) {
		env->subs[s].start = starts[s];
		env->subs[s].end = s + 1 < nstarts ? starts[s + 1] : env->n;
	}
	free(starts);
	for (unsigned s = 0; s < env->nsubs; s++) {
		if (env->aux[env->subs[s].start].flags & AUX_LDDW2)
			return refuse_static(env, env->subs[s].start,
					     "call target is the second slot of lddw");
		for (uint32_t pc = env->subs[s].start; pc < env->subs[s].end; pc++)
			env->aux[pc].subprog = (uint16_t)s;
	}
	/* jumps */
	for (uint32_t pc = 0; pc < env->n; pc++) {
		const struct ebpf_insn *i = &env->insns[pc];
		unsigned s = env->aux[pc].subprog;
		if (env->aux[pc].flags & AUX_LDDW2)
			continue;
		if (is_jump(i)) {
			int64_t t = jump_target(i, pc);
			if (t < 0 || t >= env->n)
				return refuse_static(env, pc,
						     "jump to %" PRId64
						     ", outside the program (%u instructions)",
						     t, env->n);
			if (env->aux[t].flags & AUX_LDDW2)
				return refuse_static(
				    env, pc, "jump into the middle of lddw (insn %" PRId64 ")", t);
			if (t < env->subs[s].start || t >= env->subs[s].end)
				return refuse_static(
				    env, pc, "jump to %" PRId64 ", outside its function [%u, %u)",
				    t, env->subs[s].start, env->subs[s].end);
			env->aux[t].flags |= AUX_PRUNE;
			if (EBPF_OP(i->code) != EBPF_JMP_JA && pc + 1 < env->n)
				env->aux[pc + 1].flags |= AUX_PRUNE;
		}
		if (is_local_call(i) && pc + 1 < env->n)
			env->aux[pc + 1].flags |= AUX_PRUNE;
	}
	/* no fall-through off a function */
	for (unsigned s = 0; s < env->nsubs; s++) {
		uint32_t last = env->subs[s].end - 1;
		const struct ebpf_insn *i = &env->insns[last];
		if ((env->aux[last].flags & AUX_LDDW2) ||
		    !((EBPF_CLASS(i->code) == EBPF_CLASS_JMP &&
		       (EBPF_OP(i->code) == EBPF_JMP_EXIT || EBPF_OP(i->code) == EBPF_JMP_JA)) ||
		      (EBPF_CLASS(i->code) == EBPF_CLASS_JMP32 && EBPF_OP(i->code) == EBPF_JMP_JA)))
			return refuse_static(env, last, "execution can fall off the end of %s",
					     s ? "a function" : "the program");
	}
	/* reachability on the CFG */
	{
		uint32_t *work = malloc(env->n * sizeof(*work)), nw = 0;
		uint8_t *seen = calloc(env->n, 1);
		if (!work || !seen) {
			free(work);
			free(seen);
			return -ENOMEM;
		}
		work[nw++] = 0;
		seen[0] = 1;
		while (nw) {
			uint32_t pc = work[--nw];
			const struct ebpf_insn *i = &env->insns[pc];
			int64_t succ[2];
			int ns = 0;
			env->subs[env->aux[pc].subprog].reachable = true;
			if (is_jump(i)) {
				succ[ns++] = jump_target(i, pc);
				if (EBPF_OP(i->code) != EBPF_JMP_JA)
					succ[ns++] = pc + 1;
			} else if (EBPF_CLASS(i->code) == EBPF_CLASS_JMP &&
				   EBPF_OP(i->code) == EBPF_JMP_EXIT) {
				ns = 0;
			} else {
				succ[ns++] = pc + (ebpf_insn_is_lddw(i) ? 2 : 1);
				if (is_local_call(i))
					succ[ns++] = (int64_t)pc + 1 + i->imm;
			}
			for (int k = 0; k < ns; k++) {
				if (succ[k] < env->n && !seen[succ[k]]) {
					seen[succ[k]] = 1;
					work[nw++] = (uint32_t)succ[k];
				}
			}
		}
		for (uint32_t pc = 0; pc < env->n; pc++) {
			if (!seen[pc] && !(env->aux[pc].flags & AUX_LDDW2)) {
				free(work);
				free(seen);
				return refuse_static(env, pc, "unreachable instruction");
			}
		}
		free(work);
		free(seen);
	}
	/* call graph: no recursion, at most EBPF_MAX_CALL_DEPTH frames */
	{
		/* longest chain by DFS with colours */
		unsigned ns = env->nsubs;
		uint8_t *colour = calloc(ns, 1);
		unsigned *depth = calloc(ns, sizeof(unsigned));
		unsigned *stack = calloc(ns + 1, sizeof(unsigned));
		uint32_t *iter = calloc(ns + 1, sizeof(uint32_t));
		int sp = 0, rc = 0;
		if (!colour || !depth || !stack || !iter) {
			rc = -ENOMEM;
			goto cg_out;
		}
		stack[0] = 0;
		iter[0] = env->subs[0].start;
		colour[0] = 1;
		while (sp >= 0) {
			unsigned s = stack[sp];
			uint32_t pc = iter[sp];
			bool pushed = false;
			for (; pc < env->subs[s].end; pc++) {
				const struct ebpf_insn *i = &env->insns[pc];
				if (!is_local_call(i) || (env->aux[pc].flags & AUX_LDDW2))
					continue;
				int t = find_subprog(env, (uint32_t)((int64_t)pc + 1 + i->imm));
				if (t < 0)
					continue;
				if (colour[t] == 1) {
					rc = refuse_static(env, pc,
							   "recursive call (function at insn %u "
							   "calls itself through a chain)",
							   env->subs[t].start);
					goto cg_out;
				}
				if ((unsigned)sp + 2 > EBPF_MAX_CALL_DEPTH) {
					rc = refuse_static(env, pc,
							   "call chain deeper than %d frames",
							   EBPF_MAX_CALL_DEPTH);
					goto cg_out;
				}
				iter[sp] = pc + 1;
				sp++;
				stack[sp] = (unsigned)t;
				iter[sp] = env->subs[t].start;
				colour[t] = 1;
				pushed = true;
				break;
			}
			if (!pushed) {
				colour[s] = 0; /* grey only while on the chain */
				sp--;
			}
		}
	cg_out:
		free(colour);
		free(depth);
		free(stack);
		free(iter);
		if (rc)
			return rc;
	}
	compute_liveness(env);
	return 0;
}

/* ---- 2. exploration -------------------------------------------------------------------------- */

static void log_state(struct venv *env)
{
	char dis[128], regs[4096];
	uint16_t mask = 0;
	const struct vframe *f = &env->cur.frames[env->cur.curframe];

	for (unsigned r = 0; r < EBPF_NREGS; r++)
		if (f->regs[r].type != V_NOT_INIT)
			mask |= (uint16_t)(1u << r);
	disasm(env, env->pc, dis, sizeof(dis));
	vstate_format_regs(regs, sizeof(regs), &env->cur, mask);
	vlog_printf(&env->log, "%u: %s%s ; frame %u depth %" PRIu64 ": %s\n", env->pc,
		    env->cur.curframe ? "  " : "", dis, env->cur.curframe, env->depth, regs);
}

static void propagate_total(struct vstored *st, uint64_t total)
{
	for (; st; st = st->parent) {
		if (st->has_total && st->max_total >= total)
			break;
		st->max_total = total;
		st->has_total = true;
	}
}

static void path_done(struct venv *env, uint64_t total)
{
	if (total > env->worst)
		env->worst = total;
	propagate_total(env->parent, total);
	for (struct vstored *st = env->parent; st; st = st->parent) {
		if (--st->branches)
			break;
	}
}

/* a path that cannot happen (both sides of a branch refined away) */
static void path_dead(struct venv *env)
{
	for (struct vstored *st = env->parent; st; st = st->parent) {
		if (--st->branches)
			break;
	}
}

/* pushes a copy of the current state to be explored from pc; *out points to the copy (to refine
 * it) until the next push or pop */
static int push_branch(struct venv *env, uint32_t pc, struct vstate **out)
{
	struct vpending *e;

	if (env->nstack == env->capstack) {
		size_t cap = env->capstack ? env->capstack * 2 : 64;
		struct vpending *ns;
		if (cap > 8192)
			return venv_refuse(env, 0,
					   "program too complex: more than 8192 pending branches");
		ns = realloc(env->stack, cap * sizeof(*ns));
		if (!ns)
			return -ENOMEM;
		memset(ns + env->capstack, 0, (cap - env->capstack) * sizeof(*ns));
		env->stack = ns;
		env->capstack = cap;
	}
	e = &env->stack[env->nstack];
	size_t need = vstate_snapshot_size(&env->cur, 0);
	if (e->cap < need) {
		/* the arena block of this stack depth is reused until a larger one is needed */
		void *b = varena_alloc(env, need);
		if (!b)
			return -ENOMEM;
		e->block = b;
		e->cap = need;
	}
	e->st = vstate_snapshot_to(e->block, &env->cur, 0, NULL);
	e->pc = pc;
	e->from = env->pc;
	e->hlen = env->nhist;
	e->depth = env->depth + 1; /* the branching instruction is executed */
	e->parent = env->parent;
	if (env->parent)
		env->parent->branches++;
	env->nstack++;
	if (out)
		*out = e->st;
	return 0;
}

static void live_masks(const struct venv *env, uint16_t *live)
{
	for (unsigned f = 0; f <= env->cur.curframe; f++) {
		if (f == env->cur.curframe)
			live[f] = env->aux[env->pc].live_in;
		else
			live[f] = env->aux[env->cur.frames[f + 1].callsite + 1].live_in & ~0x3fu;
	}
	/* a caller's r0-r5 are overwritten when the callee returns: only r6-r10 matter there */
}

/* returns 1 when the current path is cut, 0 to go on, < 0 refused */
static int state_visited(struct venv *env)
{
	uint16_t live[MAX_FRAMES];
	struct vinsn_aux *a = &env->aux[env->pc];
	struct vstored *st, *ns, **pp;
	uint64_t hash = 0;
	bool hashed = false, add;
	void *block;

	add = env->jmps - env->store_jmps >= STORE_MIN_JMPS &&
	      env->processed - env->store_processed >= STORE_MIN_INSNS;
	live_masks(env, live);
	for (pp = &env->explored[env->pc]; (st = *pp);) {
		if (st->branches) {
			if (!hashed) {
				hash = vstate_hash(&env->cur, live);
				hashed = true;
			}
			if (st->hash == hash && vstate_subsumes(st->st, &env->cur, live, true))
				return venv_refuse(
				    env, 0x7ff,
				    "infinite loop: the same state comes back to this instruction");
			pp = &st->next;
			continue;
		}
		if (vstate_subsumes(st->st, &env->cur, live, false)) {
			uint64_t rest = st->has_total ? st->max_total - st->depth : 0;
			int err = vprecise_after_prune(env, st);
			if (err)
				return err;
			st->hit++;
			if (env->log_all)
				vlog_printf(&env->log, "%u: pruned (state seen before)\n", env->pc);
			path_done(env, env->depth + rest);
			return 1;
		}
		if (add)
			st->miss++;
		if (st->miss > (st->hit + 1) * MISS_FACTOR) {
			/* fully explored (no path below it is pending, so no parent chain of a
			 * pending path reaches it): free it */
			*pp = st->next;
			st->next = env->free_blocks;
			env->free_blocks = st;
			a->nstored--;
			env->nstates--;
			continue;
		}
		pp = &st->next;
	}
	if (!add || a->nstored >= MAX_STORED_PER_INSN)
		return 0;
	if (!hashed)
		hash = vstate_hash(&env->cur, live);
	size_t need = vstate_snapshot_size(&env->cur, sizeof(*ns));
	block = NULL;
	/* reuse the last evicted state's block when it is large enough (most states have the
	 * same size); only the head of the list is looked at, to stay O(1) */
	if (env->free_blocks && ((struct vstored *)env->free_blocks)->cap >= need) {
		block = env->free_blocks;
		env->free_blocks = ((struct vstored *)block)->next;
		need = ((struct vstored *)block)->cap;
	}
	if (!block && !(block = varena_alloc(env, need)))
		return -ENOMEM;
	ns = block;
	memset(ns, 0, sizeof(*ns));
	ns->cap = need;
	ns->st = vstate_snapshot_to(block, &env->cur, sizeof(*ns), live);
	ns->branches = 1;
	ns->hash = hash;
	ns->depth = env->depth;
	ns->pc = env->pc;
	ns->hlen = env->nhist;
	ns->parent = env->parent;
	ns->next = env->explored[env->pc];
	env->explored[env->pc] = ns;
	env->parent = ns;
	env->store_jmps = env->jmps;
	env->store_processed = env->processed;
	a->nstored++;
	env->nstates++;
	if (env->nstates > env->peak_states)
		env->peak_states = env->nstates;
	env->total_states++;
	return 0;
}

static int check_reg_init(struct venv *env, uint32_t r)
{
	if (vcur_regs(env)[r].type == V_NOT_INIT)
		return venv_refuse(env, (uint16_t)(1u << r),
				   "R%u is not initialised (read before any write)", r);
	return 0;
}

static int check_scalar_arg(struct venv *env, uint32_t r, const char *what)
{
	int err = check_reg_init(env, r);
	if (err)
		return err;
	if (vcur_regs(env)[r].type != V_SCALAR)
		return venv_refuse(env, (uint16_t)(1u << r),
				   "R%u: %s needs a scalar, got a pointer (%s)", r, what,
				   vtype_name(vcur_regs(env)[r].type));
	return 0;
}

static bool pkt_like(uint8_t t)
{
	return t == V_PTR_PACKET || t == V_PTR_PACKET_END || t == V_PTR_PACKET_META;
}

/* pointer +/- scalar into dst */
static int ptr_arith(struct venv *env, struct vreg *dst, const struct vreg *ptr,
		     const struct vreg *sc, bool sub, uint16_t regs)
{
	struct vreg out = *ptr;

	switch (ptr->type) {
	case V_PTR_MAP_VALUE_OR_NULL:
	case V_PTR_MEM_OR_NULL:
		return venv_refuse(
		    env, regs,
		    "arithmetic on a pointer that may be NULL (%s): check it against 0 first",
		    vtype_name(ptr->type));
	case V_CONST_MAP_PTR:
	case V_PTR_PACKET_END:
		return venv_refuse(env, regs, "arithmetic on a %s pointer is not allowed",
				   vtype_name(ptr->type));
	default:
		break;
	}
	if (ptr->ref_obj_id && !vreg_is_const(sc))
		return venv_refuse(env, regs, "variable arithmetic on a referenced pointer");
	if (vreg_is_const(sc)) {
		int64_t k = (int64_t)sc->var.value, o;
		if (sub) {
			if (k == INT64_MIN)
				return venv_refuse(env, regs, "pointer arithmetic out of range");
			k = -k;
		}
		o = (int64_t)ptr->off + k;
		if (o < -BPF_MAX_VAR_OFF || o > BPF_MAX_VAR_OFF)
			return venv_refuse(
			    env, regs, "pointer arithmetic out of range (offset %" PRId64 ")", o);
		out.off = (int32_t)o;
	} else {
		struct vreg var = *ptr;
		var.type = V_SCALAR;
		vscalar_alu(&var, sc, sub ? EBPF_ALU_SUB : EBPF_ALU_ADD, false, 0);
		if (var.smin < -BPF_MAX_VAR_OFF || var.smax > BPF_MAX_VAR_OFF)
			return venv_refuse(env, regs,
					   "pointer arithmetic with an unbounded scalar (the "
					   "offset must stay within +-2^29)");
		if (ptr->type == V_PTR_CTX)
			return venv_refuse(env, regs, "variable offset on the context pointer");
		out.var = var.var;
		out.smin = var.smin;
		out.smax = var.smax;
		out.umin = var.umin;
		out.umax = var.umax;
		out.s32min = var.s32min;
		out.s32max = var.s32max;
		out.u32min = var.u32min;
		out.u32max = var.u32max;
		if (ptr->type == V_PTR_PACKET || ptr->type == V_PTR_PACKET_META) {
			out.id = ++env->id_gen;
			out.range = 0;
		}
	}
	*dst = out;
	return 0;
}

static int do_alu(struct venv *env, const struct ebpf_insn *i)
{
	struct vreg *regs = vcur_regs(env);
	struct vreg *dst = &regs[i->dst], src;
	uint8_t op = EBPF_OP(i->code);
	bool is32 = EBPF_CLASS(i->code) == EBPF_CLASS_ALU;
	bool x = EBPF_SRC(i->code) == EBPF_SRC_X;
	uint16_t rm = (uint16_t)((1u << i->dst) | (x ? 1u << i->src : 0));
	int err;

	if (op == EBPF_ALU_END) {
		if ((err = check_scalar_arg(env, i->dst, "a byte swap")))
			return err;
		if (EBPF_CLASS(i->code) == EBPF_CLASS_ALU64)
			vscalar_bswap(dst, (unsigned)i->imm, true);
		else
			vscalar_bswap(dst, (unsigned)i->imm, x); /* le: truncate; be: swap */
		return 0;
	}
	if (x) {
		if ((err = check_reg_init(env, i->src)))
			return err;
		src = regs[i->src];
	} else {
		vreg_mark_const(&src,
				is32 ? (uint64_t)(uint32_t)i->imm : (uint64_t)(int64_t)i->imm);
	}
	if (op == EBPF_ALU_MOV) {
		if (vreg_is_ptr(&src)) {
			if (is32 || i->off)
				return venv_refuse(
				    env, rm,
				    "partial copy of a pointer (%s) would leak it as a scalar",
				    vtype_name(src.type));
			*dst = src;
			return 0;
		}
		vscalar_alu(dst, &src, op, is32, i->off);
		dst->type = V_SCALAR;
		return 0;
	}
	if ((err = check_reg_init(env, i->dst)))
		return err;
	if (op == EBPF_ALU_NEG) {
		if (dst->type != V_SCALAR)
			return venv_refuse(env, rm, "neg of a pointer");
		vscalar_alu(dst, dst, op, is32, 0);
		return 0;
	}
	if (vreg_is_ptr(dst) || vreg_is_ptr(&src)) {
		/* the scalar becomes (part of) the pointer's offset, checked at each access */
		uint16_t scm = 0;
		if (dst->type == V_SCALAR)
			scm |= (uint16_t)(1u << i->dst);
		if (x && src.type == V_SCALAR)
			scm |= (uint16_t)(1u << i->src);
		if ((err = vprecise_regs(env, scm)))
			return err;
		if (is32)
			return venv_refuse(env, rm, "32-bit arithmetic on a pointer");
		if (vreg_is_ptr(dst) && vreg_is_ptr(&src)) {
			bool same = false;
			if (op == EBPF_ALU_SUB) {
				if (pkt_like(dst->type) && pkt_like(src.type))
					same = true;
				else if (dst->type == V_PTR_STACK && src.type == V_PTR_STACK &&
					 dst->frameno == src.frameno)
					same = true;
				else if (dst->type == src.type && dst->map == src.map &&
					 (dst->type == V_PTR_MAP_VALUE || dst->type == V_PTR_MEM) &&
					 dst->id == src.id && dst->mem_size == src.mem_size)
					same = true;
			}
			if (!same)
				return venv_refuse(
				    env, rm,
				    "arithmetic between pointers (%s and %s) is not allowed",
				    vtype_name(dst->type), vtype_name(src.type));
			vreg_mark_unknown(dst);
			return 0;
		}
		if (op == EBPF_ALU_ADD) {
			if (vreg_is_ptr(dst))
				return ptr_arith(env, dst, dst, &src, false, rm);
			struct vreg sc = *dst;
			return ptr_arith(env, dst, &src, &sc, false, rm);
		}
		if (op == EBPF_ALU_SUB && vreg_is_ptr(dst))
			return ptr_arith(env, dst, dst, &src, true, rm);
		return venv_refuse(env, rm,
				   "pointer arithmetic with this operation is not allowed (only "
				   "add and sub of a scalar)");
	}
	vscalar_alu(dst, &src, op, is32, i->off);
	return 0;
}

static int do_lddw(struct venv *env, const struct ebpf_insn *i)
{
	struct vreg *dst = &vcur_regs(env)[i->dst];
	uint64_t v = (uint32_t)i->imm | ((uint64_t)(uint32_t)i[1].imm << 32);
	uint32_t type, ks, vs, me;
	bool ro;
	const void *m;

	if (i->src == EBPF_PSEUDO_IMM64) {
		vreg_mark_const(dst, v);
		return 0;
	}
	m = env->prog->maps[i->imm];
	if (!vmap_info(m, &type, &ks, &vs, &me, &ro))
		return venv_refuse(env, 0, "map %d is not usable", i->imm);
	if (i->src == EBPF_PSEUDO_MAP_FD || i->src == EBPF_PSEUDO_MAP_IDX) {
		vreg_mark_ptr(dst, V_CONST_MAP_PTR);
		dst->map = m;
		return 0;
	}
	if (!vmap_direct_value(m))
		return venv_refuse(env, 0,
				   "map %d has no direct value (only 1-entry arrays: global data)",
				   i->imm);
	if (i[1].imm < 0 || (uint32_t)i[1].imm > vs)
		return venv_refuse(env, 0, "lddw map value offset %d outside the value (%u bytes)",
				   i[1].imm, vs);
	vreg_mark_ptr(dst, V_PTR_MAP_VALUE);
	dst->map = m;
	dst->mem_size = vs;
	dst->off = i[1].imm;
	dst->mem_rdonly = ro;
	return 0;
}

static unsigned size_bytes(uint8_t code)
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

static int do_ldx(struct venv *env, const struct ebpf_insn *i)
{
	struct vreg *regs = vcur_regs(env), out, base;
	int err;

	if ((err = check_reg_init(env, i->src)))
		return err;
	base = regs[i->src];
	err = vcheck_mem(env, i->src, &base, i->off, size_bytes(i->code), VACC_READ, NULL, &out,
			 EBPF_MODE(i->code) == EBPF_MODE_MEMSX);
	if (err)
		return err;
	if (base.type == V_PTR_STACK &&
	    (err = vhist_stack(env, &base, i->off, size_bytes(i->code), false)))
		return err;
	regs = vcur_regs(env);
	regs[i->dst] = out;
	return 0;
}

static int do_store(struct venv *env, const struct ebpf_insn *i)
{
	struct vreg *regs = vcur_regs(env), val, base;
	bool atomic = EBPF_MODE(i->code) == EBPF_MODE_ATOMIC;
	unsigned size = size_bytes(i->code);
	int err;

	if ((err = check_reg_init(env, i->dst)))
		return err;
	base = regs[i->dst];
	if (EBPF_CLASS(i->code) == EBPF_CLASS_ST) {
		vreg_mark_const(&val, (uint64_t)(int64_t)i->imm);
	} else {
		if ((err = check_reg_init(env, i->src)))
			return err;
		val = regs[i->src];
	}
	if (!atomic) {
		err = vcheck_mem(env, i->dst, &base, i->off, size, VACC_WRITE, &val, NULL, false);
		if (!err && base.type == V_PTR_STACK)
			err = vhist_stack(env, &base, i->off, size, true);
		return err;
	}
	if (val.type != V_SCALAR)
		return venv_refuse(env, (uint16_t)((1u << i->src) | (1u << i->dst)),
				   "atomic operation would store a pointer (%s) into memory",
				   vtype_name(val.type));
	if (i->imm == EBPF_ATOMIC_CMPXCHG) {
		if ((err = check_scalar_arg(env, 0, "cmpxchg's expected value (R0)")))
			return err;
	}
	err = vcheck_mem(env, i->dst, &base, i->off, size, VACC_ATOMIC, &val, NULL, false);
	if (err)
		return err;
	if (base.type == V_PTR_STACK && (err = vhist_stack(env, &base, i->off, size, false)))
		return err;
	regs = vcur_regs(env);
	if (i->imm == EBPF_ATOMIC_CMPXCHG)
		vreg_bound_size(&regs[0], size, false);
	else if (i->imm & EBPF_ATOMIC_FETCH)
		vreg_bound_size(&regs[i->src], size, false);
	return 0;
}

/* marks every register and spilled register of all frames with id (a null-checked pointer) */
static void mark_id(struct vstate *s, uint32_t id, bool is_null)
{
	for (unsigned f = 0; f <= s->curframe; f++) {
		struct vframe *fr = &s->frames[f];
		for (unsigned k = 0; k < EBPF_NREGS + (unsigned)fr->nslots; k++) {
			struct vreg *r =
			    k < EBPF_NREGS ? &fr->regs[k] : &fr->slots[k - EBPF_NREGS].spill;
			if (k >= EBPF_NREGS && fr->slots[k - EBPF_NREGS].stype[0] != STK_SPILL)
				continue;
			if (r->id != id ||
			    (r->type != V_PTR_MAP_VALUE_OR_NULL && r->type != V_PTR_MEM_OR_NULL))
				continue;
			if (is_null) {
				vreg_mark_const(r, 0);
			} else {
				r->type = r->type == V_PTR_MAP_VALUE_OR_NULL ? V_PTR_MAP_VALUE
									     : V_PTR_MEM;
			}
		}
	}
	if (is_null) {
		/* a NULL reference needs no release */
		for (unsigned k = 0; k < s->nrefs; k++) {
			if (s->refs[k] == id) {
				s->refs[k] = s->refs[--s->nrefs];
				break;
			}
		}
	}
}

/* pkt + off compared with pkt_end: every packet pointer with the same id gets the range */
static void mark_pkt_range(struct vstate *s, const struct vreg *pkt, uint32_t range)
{
	if (pkt->off < 0 || !pkt->id || range > MAX_PACKET_OFF)
		return;
	for (unsigned f = 0; f <= s->curframe; f++) {
		struct vframe *fr = &s->frames[f];
		for (unsigned k = 0; k < EBPF_NREGS + (unsigned)fr->nslots; k++) {
			struct vreg *r =
			    k < EBPF_NREGS ? &fr->regs[k] : &fr->slots[k - EBPF_NREGS].spill;
			if (k >= EBPF_NREGS && fr->slots[k - EBPF_NREGS].stype[0] != STK_SPILL)
				continue;
			if (r->type == pkt->type && r->id == pkt->id && r->range < range)
				r->range = range;
		}
	}
}

static uint8_t swap_cmp(uint8_t op)
{
	switch (op) {
	case EBPF_JMP_JGT:
		return EBPF_JMP_JLT;
	case EBPF_JMP_JLT:
		return EBPF_JMP_JGT;
	case EBPF_JMP_JGE:
		return EBPF_JMP_JLE;
	case EBPF_JMP_JLE:
		return EBPF_JMP_JGE;
	case EBPF_JMP_JSGT:
		return EBPF_JMP_JSLT;
	case EBPF_JMP_JSLT:
		return EBPF_JMP_JSGT;
	case EBPF_JMP_JSGE:
		return EBPF_JMP_JSLE;
	case EBPF_JMP_JSLE:
		return EBPF_JMP_JSGE;
	default:
		return op;
	}
}

/* what "ptr OP end" being true says: 1 ptr < end (range off+1), 2 ptr <= end (range off), 0 nothing
 */
static int pkt_cmp_fact(uint8_t op, bool taken)
{
	switch (op) {
	case EBPF_JMP_JGT:
		return taken ? 0 : 2; /* !(p > e): p <= e */
	case EBPF_JMP_JGE:
		return taken ? 0 : 1; /* !(p >= e): p < e */
	case EBPF_JMP_JLT:
		return taken ? 1 : 0;
	case EBPF_JMP_JLE:
		return taken ? 2 : 0;
	default:
		return 0;
	}
}

static int do_cond_jump(struct venv *env, const struct ebpf_insn *i, uint32_t *next)
{
	struct vreg *regs = vcur_regs(env), src, *dst = &regs[i->dst];
	uint8_t op = EBPF_OP(i->code);
	bool is32 = EBPF_CLASS(i->code) == EBPF_CLASS_JMP32;
	bool x = EBPF_SRC(i->code) == EBPF_SRC_X;
	uint32_t target = (uint32_t)jump_target(i, env->pc), fall = env->pc + 1;
	uint16_t rm = (uint16_t)((1u << i->dst) | (x ? 1u << i->src : 0));
	struct vstate *other;
	int err;

	if ((err = check_reg_init(env, i->dst)))
		return err;
	if (x) {
		if ((err = check_reg_init(env, i->src)))
			return err;
		src = regs[i->src];
	} else {
		vreg_mark_const(&src,
				is32 ? (uint64_t)(uint32_t)i->imm : (uint64_t)(int64_t)i->imm);
	}
	if (dst->type == V_SCALAR && src.type == V_SCALAR) {
		struct vreg dt = *dst, st = src, df = *dst, sf = src;
		bool t_ok = vscalar_refine(&dt, &st, op, is32, true);
		bool f_ok = vscalar_refine(&df, &sf, op, is32, false);

		if (!t_ok || !f_ok) {
			/* the ranges decided the direction: they matter */
			if ((err = vprecise_regs(env, rm)))
				return err;
		}
		if (!t_ok && !f_ok)
			return 2; /* neither side is possible: the path is dead */
		if (t_ok && f_ok) {
			/* both: the taken side goes on the stack */
			if ((err = push_branch(env, target, &other)))
				return err;
			other->frames[other->curframe].regs[i->dst] = dt;
			if (x)
				other->frames[other->curframe].regs[i->src] = st;
		}
		*dst = t_ok && !f_ok ? dt : df;
		if (x)
			regs[i->src] = t_ok && !f_ok ? st : sf;
		*next = t_ok && !f_ok ? target : fall;
		return 0;
	}
	/* a pointer against a scalar: the scalar's value (0 or not) decides */
	{
		uint16_t sc = 0;
		if (dst->type == V_SCALAR)
			sc |= (uint16_t)(1u << i->dst);
		if (x && src.type == V_SCALAR)
			sc |= (uint16_t)(1u << i->src);
		if ((err = vprecise_regs(env, sc)))
			return err;
		regs = vcur_regs(env);
		dst = &regs[i->dst];
	}
	/* pointers: null checks */
	{
		struct vreg *p = NULL, *o = NULL;
		bool pdst = false;
		if (vreg_is_ptr(dst) && src.type == V_SCALAR && vreg_is_const(&src) &&
		    !src.var.value) {
			p = dst;
			o = &src;
			pdst = true;
		} else if (vreg_is_ptr(&src) && dst->type == V_SCALAR && vreg_is_const(dst) &&
			   !dst->var.value) {
			p = &regs[i->src];
			o = dst;
		}
		(void)o;
		(void)pdst;
		if (p && (op == EBPF_JMP_JEQ || op == EBPF_JMP_JNE) && !is32) {
			if (p->type == V_PTR_MAP_VALUE_OR_NULL || p->type == V_PTR_MEM_OR_NULL) {
				uint32_t id = p->id;
				/* current path: the fall-through side */
				bool fall_null = op == EBPF_JMP_JNE;

				if ((err = push_branch(env, target, &other)))
					return err;
				mark_id(other, id, !fall_null); /* the taken side */
				mark_id(&env->cur, id, fall_null);
				*next = fall;
				return 0;
			}
			if (p->type != V_NOT_INIT && p->type != V_CONST_MAP_PTR &&
			    p->type != V_PTR_PACKET_END) {
				/* a valid pointer is never NULL */
				*next = op == EBPF_JMP_JNE ? target : fall;
				return 0;
			}
		}
	}
	/* packet pointers against the end */
	if (!is32 && x) {
		struct vreg *a = dst, *b = &regs[i->src];
		uint8_t cop = op;
		if ((a->type == V_PTR_PACKET_END &&
		     (b->type == V_PTR_PACKET || b->type == V_PTR_PACKET_META)) ||
		    (a->type == V_PTR_PACKET && b->type == V_PTR_PACKET_META)) {
			struct vreg *t = a;
			a = b;
			b = t;
			cop = swap_cmp(op);
		}
		if (((a->type == V_PTR_PACKET || a->type == V_PTR_PACKET_META) &&
		     b->type == V_PTR_PACKET_END) ||
		    (a->type == V_PTR_PACKET_META && b->type == V_PTR_PACKET && b->off == 0 &&
		     vreg_var_is_zero(b))) {
			struct vreg pa = *a;
			int ft = pkt_cmp_fact(cop, true), ff = pkt_cmp_fact(cop, false);

			if ((err = push_branch(env, target, &other)))
				return err;
			if (ft)
				mark_pkt_range(other, &pa, (uint32_t)pa.off + (ft == 1 ? 1 : 0));
			if (ff)
				mark_pkt_range(&env->cur, &pa,
					       (uint32_t)pa.off + (ff == 1 ? 1 : 0));
			*next = fall;
			return 0;
		}
		if (pkt_like(a->type) && pkt_like(b->type)) {
			/* comparisons between packet pointers: no refinement, both sides */
			if ((err = push_branch(env, target, NULL)))
				return err;
			*next = fall;
			return 0;
		}
	}
	return venv_refuse(
	    env, rm,
	    "comparison of a pointer (%s with %s) is not allowed: it could leak the address",
	    vtype_name(dst->type), vtype_name(src.type));
}

static int enter_call(struct venv *env, uint32_t target)
{
	struct vstate *s = &env->cur;
	struct vframe *caller = &s->frames[s->curframe], *callee;
	int sp = find_subprog(env, target);

	if (s->curframe + 1 >= MAX_FRAMES)
		return venv_refuse(env, 0, "call depth exceeds %d frames", MAX_FRAMES);
	callee = &s->frames[s->curframe + 1];
	free(callee->slots);
	memset(callee, 0, sizeof(*callee));
	for (unsigned r = 0; r < EBPF_NREGS; r++)
		vreg_mark_not_init(&callee->regs[r]);
	for (unsigned r = 1; r <= 5; r++)
		callee->regs[r] = caller->regs[r];
	vreg_mark_ptr(&callee->regs[EBPF_REG_FP], V_PTR_STACK);
	callee->regs[EBPF_REG_FP].frameno = (uint8_t)(s->curframe + 1);
	callee->callsite = (int)env->pc;
	callee->subprog = sp;
	s->curframe++;
	return 0;
}

static int do_exit(struct venv *env, uint32_t *next)
{
	struct vstate *s = &env->cur;
	struct vreg *r0 = &vcur_regs(env)[0];
	int err;

	if ((err = check_reg_init(env, 0)))
		return err;
	if (s->curframe) {
		struct vframe *callee = &s->frames[s->curframe],
			      *caller = &s->frames[s->curframe - 1];
		if (r0->type == V_PTR_STACK && r0->frameno == s->curframe)
			return venv_refuse(env, 1,
					   "function returns a pointer to its own stack frame");
		caller->regs[0] = *r0;
		for (unsigned r = 1; r <= 5; r++)
			vreg_mark_not_init(&caller->regs[r]);
		*next = (uint32_t)callee->callsite + 1;
		free(callee->slots);
		callee->slots = NULL;
		callee->nslots = 0;
		s->curframe--;
		return 0;
	}
	if (r0->type != V_SCALAR)
		return venv_refuse(env, 1,
				   "program returns a pointer (%s): this would leak an address",
				   vtype_name(r0->type));
	/* the return value's range is checked and reported */
	if ((err = vprecise_regs(env, 1)))
		return err;
	if (s->nrefs)
		return venv_refuse(
		    env, 1,
		    "unreleased reference %u (ring buffer record not submitted or discarded)",
		    s->refs[0]);
	{
		const struct ebpf_prog_type *t = env->type;
		bool full = t->ret_min == INT64_MIN && t->ret_max == INT64_MAX;
		if (!full && (r0->smin < t->ret_min || r0->smax > t->ret_max))
			return venv_refuse(env, 1,
					   "return value may be outside [%" PRId64 ", %" PRId64
					   "] for %s programs",
					   t->ret_min, t->ret_max, t->name);
	}
	if (!env->r0_seen) {
		env->r0_seen = true;
		env->r0_smin = r0->smin;
		env->r0_smax = r0->smax;
		env->r0_umin = r0->umin;
		env->r0_umax = r0->umax;
	} else {
		if (r0->smin < env->r0_smin)
			env->r0_smin = r0->smin;
		if (r0->smax > env->r0_smax)
			env->r0_smax = r0->smax;
		if (r0->umin < env->r0_umin)
			env->r0_umin = r0->umin;
		if (r0->umax > env->r0_umax)
			env->r0_umax = r0->umax;
	}
	return 1;
}

/* processes env->pc; returns 0 (go on at *next), 1 (path ended), 2 (path dead), < 0 error */
static int do_insn(struct venv *env, uint32_t *next)
{
	const struct ebpf_insn *i = &env->insns[env->pc];
	uint8_t cls = EBPF_CLASS(i->code), op = EBPF_OP(i->code);
	int err;

	*next = env->pc + 1;
	switch (cls) {
	case EBPF_CLASS_ALU:
	case EBPF_CLASS_ALU64:
		return do_alu(env, i);
	case EBPF_CLASS_LD:
		*next = env->pc + 2;
		return do_lddw(env, i);
	case EBPF_CLASS_LDX:
		return do_ldx(env, i);
	case EBPF_CLASS_ST:
	case EBPF_CLASS_STX:
		return do_store(env, i);
	default:
		break;
	}
	if (op == EBPF_JMP_JA) {
		*next = (uint32_t)jump_target(i, env->pc);
		return 0;
	}
	if (op == EBPF_JMP_EXIT)
		return do_exit(env, next);
	if (op == EBPF_JMP_CALL) {
		if (i->src == EBPF_PSEUDO_CALL) {
			*next = (uint32_t)((int64_t)env->pc + 1 + i->imm);
			return enter_call(env, *next);
		}
		if (EBPF_SRC(i->code) == EBPF_SRC_X) {
			struct vreg *r = &vcur_regs(env)[i->dst];
			if ((err = check_reg_init(env, i->dst)))
				return err;
			if ((err = vprecise_regs(env, (uint16_t)(1u << i->dst))))
				return err;
			r = &vcur_regs(env)[i->dst];
			if (!vreg_is_const(r) || r->var.value > UINT32_MAX)
				return venv_refuse(env, (uint16_t)(1u << i->dst),
						   "callx needs a known helper id in R%u", i->dst);
			return vcheck_helper_call(env, i, (uint32_t)r->var.value);
		}
		return vcheck_helper_call(env, i, (uint32_t)i->imm);
	}
	return do_cond_jump(env, i, next);
}

static void init_state(struct venv *env)
{
	struct vframe *f = &env->cur.frames[0];
	const struct ebpf_prog_type *t = env->type;

	memset(&env->cur, 0, sizeof(env->cur));
	for (unsigned r = 0; r < EBPF_NREGS; r++)
		vreg_mark_not_init(&f->regs[r]);
	f->callsite = -1;
	vreg_mark_ptr(&f->regs[EBPF_REG_FP], V_PTR_STACK);
	if (t->ctx_is_buffer) {
		if (t->buffer_size) {
			vreg_mark_ptr(&f->regs[1], V_PTR_MEM);
			f->regs[1].mem_size = t->buffer_size;
		} else {
			vreg_mark_const(&f->regs[1], 0);
		}
		vreg_mark_const(&f->regs[2], t->buffer_size);
	} else {
		vreg_mark_ptr(&f->regs[1], V_PTR_CTX);
	}
}

static int explore(struct venv *env)
{
	uint32_t next;
	int err;

	init_state(env);
	env->pc = 0;
	env->depth = 0;
	env->parent = NULL;
	for (;;) {
		if (env->aux[env->pc].flags & AUX_PRUNE) {
			err = state_visited(env);
			if (err < 0)
				return err;
			if (err == 1)
				goto pop;
		}
		if (++env->processed > env->max_processed)
			return venv_refuse(
			    env, 0,
			    "program too complex: more than %" PRIu64
			    " instructions processed (a loop whose bound cannot be proven?)",
			    env->max_processed);
		env->aux[env->pc].flags |= AUX_SEEN;
		if (EBPF_CLASS(env->insns[env->pc].code) == EBPF_CLASS_JMP ||
		    EBPF_CLASS(env->insns[env->pc].code) == EBPF_CLASS_JMP32)
			env->jmps++;
		if (env->log_all)
			log_state(env);
		err = do_insn(env, &next);
		if (err < 0)
			return err;
		env->depth++;
		if (err == 0) {
			const struct ebpf_insn *ci = &env->insns[env->pc];
			uint32_t seq = env->pc + (ebpf_insn_is_lddw(ci) ? 2 : 1);
			if (next >= env->n)
				return venv_refuse(env, 0, "execution leaves the program");
			if (next != seq || (EBPF_CLASS(ci->code) == EBPF_CLASS_JMP &&
					    (EBPF_OP(ci->code) == EBPF_JMP_CALL ||
					     EBPF_OP(ci->code) == EBPF_JMP_EXIT))) {
				if ((err = vhist_arrive(env, env->pc, next)))
					return err;
			}
			env->pc = next;
			continue;
		}
		if (err == 1) {
			path_done(env, env->depth);
		} else {
			path_dead(env); /* only the pushed side of the branch was feasible */
		}
	pop:
		if (!env->nstack)
			return 0;
		{
			struct vpending *e = &env->stack[--env->nstack];
			err = vstate_copy(&env->cur, e->st);
			if (err)
				return -ENOMEM;
			env->pc = e->pc;
			env->depth = e->depth;
			env->parent = e->parent;
			env->nhist = e->hlen;
			if (e->pc != e->from + 1 && (err = vhist_arrive(env, e->from, e->pc)))
				return err;
			if (env->log_all)
				vlog_printf(&env->log, "from branch to %u:\n", env->pc);
		}
	}
}

static void free_env(struct venv *env)
{
	/* stored states and pending blocks live in the arena */
	free(env->explored);
	varena_free_all(env);
	free(env->stack);
	free(env->hist);
	vstate_free(&env->cur);
	free(env->aux);
	free(env->subs);
}

static uint32_t max_chain_stack(const struct venv *env, unsigned s, unsigned depth)
{
	uint32_t best = 0;

	if (depth > EBPF_MAX_CALL_DEPTH)
		return 0;
	for (uint32_t pc = env->subs[s].start; pc < env->subs[s].end; pc++) {
		const struct ebpf_insn *i = &env->insns[pc];
		if (!is_local_call(i) || (env->aux[pc].flags & AUX_LDDW2))
			continue;
		int t = find_subprog(env, (uint32_t)((int64_t)pc + 1 + i->imm));
		if (t >= 0) {
			uint32_t d = max_chain_stack(env, (unsigned)t, depth + 1);
			if (d > best)
				best = d;
		}
	}
	return ((env->subs[s].stack_depth + 7) & ~7u) + best;
}

int ebpf_verify(struct ebpf_prog *prog, const struct ebpf_verify_opts *opts,
		struct ebpf_verify_result *res)
{
	struct venv env;
	int err;

	memset(res, 0, sizeof(*res));
	res->err_insn = -1;
	res->r0_smin = INT64_MIN;
	res->r0_smax = INT64_MAX;
	res->r0_umax = UINT64_MAX;
	if (!prog || !prog->type || !prog->insns || !prog->n_insns) {
		snprintf(res->message, sizeof(res->message), "malformed program: %s",
			 !prog	       ? "none"
			 : !prog->type ? "no program type"
				       : "no instructions");
		return -EINVAL;
	}
	if (prog->n_insns > EBPF_MAX_INSNS) {
		snprintf(res->message, sizeof(res->message),
			 "malformed program: %u instruction slots, more than %u", prog->n_insns,
			 EBPF_MAX_INSNS);
		return -EINVAL;
	}
	prog->verified = false;
	memset(&env, 0, sizeof(env));
	env.prog = prog;
	env.type = prog->type;
	env.insns = prog->insns;
	env.n = prog->n_insns;
	env.res = res;
	env.log_all = opts && opts->log_all;
	env.max_processed = opts && opts->max_processed ? opts->max_processed : 1000000;

	err = static_checks(&env);
	if (!err) {
		env.explored = calloc(env.n, sizeof(*env.explored));
		err = env.explored ? explore(&env) : -ENOMEM;
	}
	if (!err && !env.r0_seen)
		err = venv_refuse(&env, 0, "no path reaches exit");
	if (!err) {
		uint32_t total = max_chain_stack(&env, 0, 1);
		if (total > EBPF_MAX_STACK_TOTAL)
			err = venv_refuse(&env, 0,
					  "combined stack of %u bytes over a call chain exceeds %u",
					  total, EBPF_MAX_STACK_TOTAL);
		prog->stack_depth = total;
	}
	if (!err)
		err = vctx_convert(&env);
	res->processed = env.processed;
	res->peak_states = env.peak_states;
	res->total_states = env.total_states;
	if (!err) {
		res->worst_case_insns = env.worst;
		res->r0_smin = env.r0_smin;
		res->r0_smax = env.r0_smax;
		res->r0_umin = env.r0_umin;
		res->r0_umax = env.r0_umax;
		prog->worst_case_insns = env.worst;
		prog->verified = true;
		vlog_printf(&env.log,
			    "accepted: %" PRIu64 " instructions processed, worst case %" PRIu64
			    " executed, stack %u bytes, %" PRIu64 " states stored, %" PRIu64
			    " precision walks (%" PRIu64 " steps)\n",
			    env.processed, env.worst, prog->stack_depth, env.peak_states,
			    env.precise_walks, env.precise_steps);
	} else if (err == -ENOMEM) {
		snprintf(res->message, sizeof(res->message), "out of memory while verifying");
		err = -EACCES;
	}
	res->log = env.log.buf;
	res->log_len = env.log.len;
	free_env(&env);
	return err;
}

void ebpf_verify_result_free(struct ebpf_verify_result *res)
{
	if (!res)
		return;
	free(res->log);
	res->log = NULL;
	res->log_len = 0;
}
