/* verifier_precision.c: precision tracking for the verifier's pruning (ideas from Linux's
 * mark_chain_precision; written from scratch for bulwark's state layout).
 *
 * A scalar in a stored state is "precise" when its value mattered for some decision on a path
 * explored below that state. vreg_subsumes() compares a precise old scalar by its range and lets
 * an imprecise one match any scalar, so states that differ only in values nothing depended on
 * prune each other (firewall rules whose compares refine a live register, typically).
 *
 * When precision is demanded (the value of the registers or stack slots in the current state,
 * before env->pc executes, decides something):
 *   - a conditional jump between scalars whose direction the ranges decided (one side only is
 *     feasible): both operands; a comparison involving a pointer: its scalar operand;
 *   - pointer arithmetic: the scalar operand (it becomes the pointer's variable offset, which is
 *     range-checked at every access);
 *   - helper calls: every scalar argument (sizes, flags, tail-call indexes...), callx's helper
 *     id, and the whole stack frame of a string argument on the stack (its bytes are read);
 *   - exit of the program: r0 (its range is reported and checked against the program type);
 *   - pruning: the current state was found subsumed by an old state that compared some values
 *     by range (its precise scalars, precise spilled scalars, slots holding known-zero bytes):
 *     the current path's safety now rests on those values staying in the old ranges.
 * Everything else (pointers, slot types, initialisation) is always compared in full.
 *
 * Propagation: the current path keeps a history (env->hist) of its non-sequential transfers
 * (taken jumps, calls, returns) and of its stack accesses (frame and the slots an access may
 * touch). vprecise_demand() walks the path backwards from env->pc, instruction by instruction,
 * keeping the set of registers (per frame) and stack slots (per frame) whose values the demand
 * depends on: `dst = src op dst` adds src; mov moves the demand to src; loads from the stack
 * move it to the slots read; stores to a demanded slot add the stored register (a full 8-byte
 * store ends the slot's demand, partial ones keep it); constants, loads from other memory,
 * helper results and ALU results of pointers' subtraction end a demand; a conditional jump
 * between registers links both (each refined the other); returning across a call moves r0 to
 * the callee, entering the callee moves r1-r5 to the caller. Each stored state of the current
 * path (env->parent and its ancestors) is met at its position (pc and history length) and the
 * demanded registers and slots are marked precise in it. The walk ends when nothing is
 * demanded any more, at the program's start, or at a stored state in which everything demanded
 * is already marked (a mark in a stored state is only ever set by a walk that then went on to
 * its ancestors with that demand: the dependencies were propagated already; the backward
 * transfer is a union over the demanded items, so a subset needs nothing new). Anything the
 * walk cannot follow (a history that does not fit the program), and every walk once the walks'
 * total length exceeds WALK_BUDGET, marks every register and slot of the stored states left
 * precise (all_precise), which is always sound.
 *
 * Soundness (why pruning against a state with imprecise scalars is safe): pruning only uses
 * stored states with no path still being explored below them (branches == 0). Every decision
 * on a path below a stored state S whose outcome depended on a value demands that value before
 * the path goes on, and the walk marks the values of S it was computed from before the path
 * goes on as well; a path cut below S by pruning against T first demands, on its own chain
 * (which contains S), what T compared by range. So when S's branches count reaches 0, all of
 * S's subtree has been explored and S's marks are final: every value of S that influenced a
 * decision anywhere below it is marked. A new state matching S on the marked values (and on
 * all types, pointers, slot kinds) then follows the same decisions along every path S's
 * exploration covered, so its concrete executions are covered too, including their lengths
 * (the worst-case count of a pruned path is the longest continuation of S, as before) and the
 * r0 range at exit (r0 is demanded at every exit). States still being explored (branches > 0)
 * are only compared exactly (infinite-loop detection), and exact comparison ignores precision.
 * Marks only ever grow, and a stored state starts with none (the current state never carries
 * marks: a value that mattered before a state was stored does not matter below it). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ebpf/verifier_internal.h"

#define NSLOTS (EBPF_STACK_SIZE / 8)
/* total backward steps allowed, beyond which every demand marks everything (sound) */
#define WALK_BUDGET(env) (8 * (env)->processed + 100000)

static int hist_push(struct venv *env, const struct vhist *h)
{
	if (env->nhist == env->caphist) {
		uint64_t cap = env->caphist ? env->caphist * 2 : 256;
		struct vhist *n = realloc(env->hist, cap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		env->hist = n;
		env->caphist = cap;
	}
	env->hist[env->nhist++] = *h;
	return 0;
}

int vhist_arrive(struct venv *env, uint32_t from, uint32_t to)
{
	struct vhist h = {.pc = from, .to = to, .kind = VH_ARRIVE};
	return hist_push(env, &h);
}

/* slots touched by bytes [lo, hi) of a frame (byte b is in slot (-b-1)/8) */
static uint64_t slot_mask(int64_t lo, int64_t hi)
{
	uint64_t m = 0;

	if (lo < -EBPF_STACK_SIZE)
		lo = -EBPF_STACK_SIZE;
	if (hi > 0)
		hi = 0;
	if (hi <= lo)
		return 0;
	for (int64_t s = (-hi) / 8; s <= (-lo - 1) / 8 && s < NSLOTS; s++)
		m |= 1ULL << s;
	return m;
}

int vhist_stack(struct venv *env, const struct vreg *base, int32_t off, uint32_t size, bool full)
{
	int64_t lo = (int64_t)base->off + off + base->smin;
	int64_t hi = (int64_t)base->off + off + base->smax + (int64_t)size;
	struct vhist h = {.pc = env->pc, .kind = VH_STACK, .frame = base->frameno};

	h.slots = slot_mask(lo, hi);
	h.full = full && tnum_is_const(base->var) && size == 8 && !(lo & 7);
	return hist_push(env, &h);
}

/* (hot: once per backward step) */
static bool prec_empty(const struct vprec *p)
{
	uint64_t any = 0, r;

	for (unsigned k = 0; k < sizeof(p->regs); k += sizeof(r)) {
		memcpy(&r, (const char *)p->regs + k, sizeof(r));
		any |= r;
	}
	for (unsigned f = 0; f < MAX_FRAMES; f++)
		any |= p->slots[f];
	return !any;
}

/* everything of st and its ancestors precise */
static void mark_all(struct vstored *st)
{
	for (; st && !st->all_precise; st = st->parent) {
		struct vstate *s = st->st;
		for (unsigned f = 0; f <= s->curframe; f++) {
			struct vframe *fr = &s->frames[f];
			for (unsigned r = 0; r < EBPF_NREGS; r++)
				fr->regs[r].precise = 1;
			for (unsigned k = 0; k < fr->nslots; k++)
				fr->slots[k].spill.precise = 1;
		}
		st->all_precise = true;
	}
}

/* marks p in st; true when everything in p was marked already (the walk may stop) */
static bool mark_state(struct vstored *st, struct vprec *p)
{
	struct vstate *s = st->st;
	bool all = true;

	if (st->all_precise)
		return true;
	for (unsigned f = 0; f <= s->curframe; f++) {
		struct vframe *fr = &s->frames[f];
		for (unsigned r = 0; r < EBPF_NREGS; r++) {
			if (!(p->regs[f] & (1u << r)))
				continue;
			if (!fr->regs[r].precise)
				all = false;
			fr->regs[r].precise = 1;
		}
		/* slots the state does not have were never written: nothing before depends */
		if (fr->nslots < NSLOTS)
			p->slots[f] &= (1ULL << fr->nslots) - 1;
		for (unsigned k = 0; k < fr->nslots; k++) {
			if (!(p->slots[f] & (1ULL << k)))
				continue;
			if (!fr->slots[k].spill.precise)
				all = false;
			fr->slots[k].spill.precise = 1;
		}
	}
	return all;
}

/* one instruction backwards (no call or exit: those are handled by the walk); m is the
 * instruction's stack access record, if any. Returns false when it cannot be followed. */
static bool backtrack_insn(const struct venv *env, uint32_t pc, const struct vhist *m,
			   struct vprec *p, unsigned f)
{
	const struct ebpf_insn *i = &env->insns[pc];
	uint8_t cls = EBPF_CLASS(i->code), op = EBPF_OP(i->code);
	bool x = EBPF_SRC(i->code) == EBPF_SRC_X;
	uint16_t *regs = &p->regs[f], d = (uint16_t)(1u << i->dst), s = (uint16_t)(1u << i->src);

	switch (cls) {
	case EBPF_CLASS_ALU:
	case EBPF_CLASS_ALU64:
		if (!(*regs & d))
			return true;
		if (op == EBPF_ALU_MOV) {
			*regs &= (uint16_t)~d;
			if (x)
				*regs |= s;
		} else if (op != EBPF_ALU_END && op != EBPF_ALU_NEG && x) {
			*regs |= s;
		}
		return true;
	case EBPF_CLASS_LD:
		*regs &= (uint16_t)~d;
		return true;
	case EBPF_CLASS_LDX:
		if (*regs & d) {
			*regs &= (uint16_t)~d;
			if (m) {
				if (m->frame >= MAX_FRAMES)
					return false;
				p->slots[m->frame] |= m->slots;
			}
		}
		return true;
	case EBPF_CLASS_ST:
	case EBPF_CLASS_STX:
		if (EBPF_MODE(i->code) == EBPF_MODE_ATOMIC) {
			/* the fetched value is an unknown of the access size; the memory becomes
			 * unknown bytes: demanded slots stay demanded (conservative) */
			if (i->imm == EBPF_ATOMIC_CMPXCHG)
				*regs &= (uint16_t)~1u;
			else if (i->imm & EBPF_ATOMIC_FETCH)
				*regs &= (uint16_t)~s;
			return true;
		}
		if (!m)
			return true;
		if (m->frame >= MAX_FRAMES)
			return false;
		if (!(p->slots[m->frame] & m->slots))
			return true;
		if (cls == EBPF_CLASS_STX)
			*regs |= s;
		if (m->full)
			p->slots[m->frame] &= ~m->slots;
		return true;
	case EBPF_CLASS_JMP:
	case EBPF_CLASS_JMP32:
		if (op == EBPF_JMP_CALL) {
			if (i->src == EBPF_PSEUDO_CALL)
				return false; /* entered only through the walk's call handling */
			/* helper: r0 is its result (independent of the arguments), r1-r5 clobbered
			 */
			*regs &= (uint16_t)~0x3fu;
			return true;
		}
		if (op == EBPF_JMP_EXIT)
			return false;
		if (op == EBPF_JMP_JA)
			return true;
		if (x && (*regs & (d | s)))
			*regs |= d | s;
		return true;
	}
	return false;
}

static bool is_pseudo_call(const struct ebpf_insn *i)
{
	return i->code == (EBPF_CLASS_JMP | EBPF_JMP_CALL) && i->src == EBPF_PSEUDO_CALL;
}

static bool is_exit(const struct ebpf_insn *i)
{
	return i->code == (EBPF_CLASS_JMP | EBPF_JMP_EXIT);
}

int vprecise_demand(struct venv *env, struct vprec *p)
{
	struct vstored *st = env->parent;
	uint32_t i = env->pc;
	uint64_t e = env->nhist;
	unsigned f = env->cur.curframe;

	if (prec_empty(p) || !st)
		return 0;
	env->precise_walks++;
	for (;;) {
		uint32_t prev;
		const struct vhist *m = NULL;

		if (st && st->pc == i && st->hlen == e) {
			if (st->st->curframe != f) {
				mark_all(st);
				return 0;
			}
			if (mark_state(st, p))
				return 0;
			st = st->parent;
		}
		if (prec_empty(p) || !st)
			return 0; /* nothing demanded, or no stored state left to mark */
		/* the walks' total length is bounded by the work done: a path that went a long
		 * way without storing a state (a state list full at a loop head) would make each
		 * demand walk all of it */
		if (++env->precise_steps > WALK_BUDGET(env))
			goto fallback;
		if (e && env->hist[e - 1].kind == VH_ARRIVE && env->hist[e - 1].to == i) {
			prev = env->hist[--e].pc;
			if (prev >= env->n)
				goto fallback;
			if (is_pseudo_call(&env->insns[prev])) {
				/* back from the callee's first instruction to the call: its r1-r5
				 * were the caller's */
				if (!f)
					goto fallback;
				p->regs[f - 1] |= p->regs[f] & 0x3e;
				p->regs[f] = 0;
				p->slots[f] = 0;
				f--;
				i = prev;
				continue;
			}
			if (is_exit(&env->insns[prev])) {
				/* back from the return site into the callee's exit: r0 came from
				 * it, r1-r5 were clobbered */
				if (f + 1 >= MAX_FRAMES)
					goto fallback;
				p->regs[f + 1] = p->regs[f] & 1;
				p->slots[f + 1] = 0;
				p->regs[f] &= (uint16_t)~0x3fu;
				f++;
				i = prev;
				continue;
			}
		} else {
			if (i == 0 || env->aux[i].subprog != env->aux[i - 1].subprog)
				goto fallback; /* the start, yet a stored state was not met */
			prev = i - 1;
			if (env->aux[prev].flags & AUX_LDDW2)
				prev--;
		}
		if (e && env->hist[e - 1].kind == VH_STACK && env->hist[e - 1].pc == prev)
			m = &env->hist[--e];
		if (!backtrack_insn(env, prev, m, p, f))
			goto fallback;
		i = prev;
	}
fallback:
	mark_all(st);
	return 0;
}

int vprecise_regs(struct venv *env, uint16_t regs)
{
	struct vprec p;

	if (!regs)
		return 0;
	memset(&p, 0, sizeof(p));
	p.regs[env->cur.curframe] = regs;
	return vprecise_demand(env, &p);
}

int vprecise_after_prune(struct venv *env, const struct vstored *old)
{
	const struct vstate *s = old->st;
	struct vprec p;

	memset(&p, 0, sizeof(p));
	for (unsigned f = 0; f <= s->curframe; f++) {
		const struct vframe *fr = &s->frames[f];
		for (unsigned r = 0; r < EBPF_NREGS; r++)
			if (fr->regs[r].type == V_SCALAR && fr->regs[r].precise)
				p.regs[f] |= (uint16_t)(1u << r);
		for (unsigned k = 0; k < fr->nslots && k < NSLOTS; k++) {
			const struct vslot *sl = &fr->slots[k];
			bool need = sl->stype[0] == STK_SPILL && sl->spill.type == V_SCALAR &&
				    sl->spill.precise;
			for (unsigned b = 0; b < 8; b++)
				if (sl->stype[b] == STK_ZERO)
					need = true; /* compared as known zero bytes */
			if (need)
				p.slots[f] |= 1ULL << k;
		}
	}
	return vprecise_demand(env, &p);
}
