/* verifier_internal.h: the verifier's abstract domain and the interfaces between its files
 * (verifier.c drives the exploration; verifier_state.c, tnum.c, verifier_helpers.c,
 * ctx_convert.c and verifier_log.c implement one concern each). Not for use outside
 * src/ebpf/verifier*.c, tnum.c and ctx_convert.c. */
#ifndef BULWARK_EBPF_VERIFIER_INTERNAL_H
#define BULWARK_EBPF_VERIFIER_INTERNAL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#include "ebpf/prog.h"
#include "ebpf/verifier.h"

/* ---- tnum: a 64-bit value with known bits (value) and unknown bits (mask) ---------------- */
struct tnum {
	uint64_t value;
	uint64_t mask;
};

#define TNUM(v, m) ((struct tnum){.value = (v), .mask = (m)})
extern const struct tnum tnum_unknown;

struct tnum tnum_const(uint64_t v);
struct tnum tnum_range(uint64_t min, uint64_t max);
struct tnum tnum_lshift(struct tnum a, uint8_t shift);
struct tnum tnum_rshift(struct tnum a, uint8_t shift);
struct tnum tnum_arshift(struct tnum a, uint8_t shift, uint8_t insn_bitness);
struct tnum tnum_add(struct tnum a, struct tnum b);
struct tnum tnum_sub(struct tnum a, struct tnum b);
struct tnum tnum_and(struct tnum a, struct tnum b);
struct tnum tnum_or(struct tnum a, struct tnum b);
struct tnum tnum_xor(struct tnum a, struct tnum b);
struct tnum tnum_mul(struct tnum a, struct tnum b);
/* intersection of two tnums; *empty is set when they contradict each other */
struct tnum tnum_intersect(struct tnum a, struct tnum b, bool *empty);
struct tnum tnum_cast(struct tnum a, uint8_t size); /* keep the low size bytes */
bool tnum_is_const(struct tnum a);
bool tnum_is_unknown(struct tnum a);
bool tnum_in(struct tnum a, struct tnum b); /* every value of b is a value of a */
bool tnum_equals_const(struct tnum a, uint64_t b);
struct tnum tnum_subreg(struct tnum a);
int tnum_sbin(char *buf, size_t len, struct tnum a);

/* ---- abstract registers ---------------------------------------------------------------- */
enum vtype {
	V_NOT_INIT = 0,
	V_SCALAR,
	V_PTR_CTX,	 /* the context struct */
	V_PTR_STACK,	 /* a stack frame (frameno) */
	V_PTR_MAP_VALUE, /* value of map (map) */
	V_PTR_MAP_VALUE_OR_NULL,
	V_CONST_MAP_PTR,   /* a map itself (lddw src 1/5) */
	V_PTR_PACKET,	   /* packet data */
	V_PTR_PACKET_END,  /* packet end */
	V_PTR_PACKET_META, /* packet metadata */
	V_PTR_MEM,	   /* mem_size bytes: the mem:SIZE buffer or helper memory */
	V_PTR_MEM_OR_NULL,
};

/* A register: its type, for pointers a fixed offset (off) plus a variable part, and for scalars
 * (and the variable part of pointers) the known bits and four ranges (Linux's representation). */
struct vreg {
	uint8_t type;	     /* enum vtype */
	uint8_t frameno;     /* V_PTR_STACK: which frame */
	uint8_t mem_rdonly;  /* V_PTR_MEM: read-only memory */
	uint8_t precise;     /* stored states only: the value matters (verifier_precision.c) */
	int32_t off;	     /* pointers: fixed offset */
	uint32_t id;	     /* null checks (or_null types) and packet ranges share an id */
	uint32_t range;	     /* packet pointers: bytes [ptr, ptr+range) known inside the packet */
	uint32_t mem_size;   /* V_PTR_MEM size; map value size for map values */
	uint32_t ref_obj_id; /* acquired reference (ring buffer records), 0 if none */
	const void *map;     /* struct ebpf_map * for map values and map pointers */
	struct tnum var;
	int64_t smin, smax;
	uint64_t umin, umax;
	int32_t s32min, s32max;
	uint32_t u32min, u32max;
};

/* stack byte states */
enum {
	STK_INVALID = 0, /* never written: reading it is refused */
	STK_MISC,	 /* some scalar bytes */
	STK_ZERO,	 /* known zero */
	STK_SPILL,	 /* part of an 8-byte spilled register (slot.spill) */
};

struct vslot {
	uint8_t stype[8]; /* per byte, byte i is at offset -(slot+1)*8 + i */
	struct vreg spill;
};

#define MAX_FRAMES EBPF_MAX_CALL_DEPTH
#define MAX_REFS 16

struct vframe {
	struct vreg regs[EBPF_NREGS];
	int callsite;	 /* insn of the call that created the frame, -1 for main */
	int subprog;	 /* index into the verifier's subprogram table */
	uint16_t nslots; /* allocated 8-byte slots (from the top of the frame) */
	struct vslot *slots;
};

/* frames[] comes last: a stored state (verifier.c) is allocated with frames 0..curframe only,
 * and only those frames are ever read. In a full state, frames above curframe have no slots. */
struct vstate {
	unsigned curframe;
	unsigned nrefs;
	uint32_t refs[MAX_REFS]; /* acquired, not yet released reference ids */
	struct vframe frames[MAX_FRAMES];
};

/* ---- register helpers (verifier_state.c) ------------------------------------------------- */
void vreg_mark_unknown(struct vreg *r);
void vreg_mark_const(struct vreg *r, uint64_t v);
void vreg_mark_not_init(struct vreg *r);
void vreg_mark_ptr(struct vreg *r, enum vtype t);
void vreg_bound_size(struct vreg *r, unsigned size,
		     bool sign_extend); /* unknown value of size bytes */
bool vreg_sync(struct vreg *r);		/* tighten bounds; false when empty (contradiction) */
bool vreg_is_const(const struct vreg *r);
bool vreg_is_ptr(const struct vreg *r);
bool vreg_var_is_zero(const struct vreg *r);
void vreg_zext32(struct vreg *r);
void vreg_from_tnum(struct vreg *r); /* derive ranges from r->var alone */
/* scalar ALU: dst = dst op src; is32 for the 32-bit class; off for sdiv/smod/movsx */
void vscalar_alu(struct vreg *dst, const struct vreg *src, uint8_t op, bool is32, int16_t off);
void vscalar_bswap(struct vreg *dst, unsigned bits, bool swap);
/* branch refinement of two scalars: for op (EBPF_JMP_*) being taken (true) or not (false) on
 * 64 or 32 bits. Returns false when the branch is impossible. */
bool vscalar_refine(struct vreg *dst, struct vreg *src, uint8_t op, bool is32, bool taken);
/* 1 always taken, 0 never, -1 unknown */
int vscalar_branch_known(const struct vreg *dst, const struct vreg *src, uint8_t op, bool is32);

/* state helpers */
int vstate_copy(struct vstate *dst, const struct vstate *src);
/* A compact copy of src (frames 0..curframe, their stack slots after them) placed hdr bytes
 * (rounded up to 16) into a block of vstate_snapshot_size(src, hdr) bytes. Only its frames
 * 0..curframe may be read; it is never a vstate_copy destination nor given to vstate_free. */
size_t vstate_snapshot_size(const struct vstate *src, size_t hdr);
/* live (per frame, may be NULL: all): registers outside it are stored as not initialised */
struct vstate *vstate_snapshot_to(void *block, const struct vstate *src, size_t hdr,
				  const uint16_t *live);
void vstate_free(struct vstate *s);
int vframe_grow(struct vframe *f, unsigned nslots);
/* old subsumes cur (every concrete state of cur is one of old) for the registers in live
 * (per frame), compare exact when exact */
bool vstate_subsumes(const struct vstate *old, const struct vstate *cur,
		     const uint16_t *live_per_frame, bool exact);
uint64_t vstate_hash(const struct vstate *s, const uint16_t *live_per_frame);
bool vreg_subsumes(const struct vreg *old, const struct vreg *cur, void *idmap, bool exact);

/* ---- log (verifier_log.c) ---------------------------------------------------------------- */
struct vlog {
	char *buf;
	size_t len, cap;
	bool oom;
};
void vlog_printf(struct vlog *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int vreg_format(char *buf, size_t len, const struct vreg *r);
/* "R1=ctx R2=scalar(...)" for the registers in mask (bit per register) */
int vstate_format_regs(char *buf, size_t len, const struct vstate *s, uint16_t mask);
const char *vtype_name(uint8_t t);

#endif

/* ---- the verifier's environment (verifier.c) ------------------------------------------- */

/* A stored state (explored[pc] lists, verifier.c), one arena block with its compact state */
struct vstored {
	struct vstored *next;	/* same pc */
	struct vstored *parent; /* the stored state this one's path went through before */
	struct vstate *st;	/* compact copy (vstate_snapshot), in this allocation */
	uint32_t branches;	/* paths still being explored below this state */
	uint32_t miss, hit;	/* lookups that did not / did find it subsuming */
	uint32_t pc;		/* where it was stored */
	uint64_t hlen;		/* length of the path's history (env->hist) when it was stored */
	uint64_t depth;		/* instructions executed before this point */
	uint64_t max_total;	/* longest complete path through this state */
	uint64_t hash;		/* of the live state, for the exact (infinite loop) comparison */
	size_t cap;		/* bytes of this allocation */
	bool has_total;
	bool all_precise; /* every register and slot of it and its ancestors is marked precise */
};

/* The current path's history (verifier_precision.c): non-sequential transfers (jumps taken,
 * calls, returns) and stack accesses, in execution order; truncated when a pending branch is
 * popped (the exploration is depth-first, so the popped branch's prefix is still there). */
enum { VH_ARRIVE = 1, VH_STACK = 2 };
struct vhist {
	uint32_t pc;	/* VH_ARRIVE: the instruction transferring control; VH_STACK: the access */
	uint32_t to;	/* VH_ARRIVE: where control went */
	uint64_t slots; /* VH_STACK: 8-byte slots of frame `frame` the access may touch */
	uint8_t kind;
	uint8_t frame;
	uint8_t full; /* VH_STACK: an 8-byte aligned store at a constant offset (one slot) */
};

/* registers (per frame) and stack slots (per frame, bit k = bytes [-(k+1)*8, -k*8)) whose
 * values are demanded precise */
struct vprec {
	uint16_t regs[MAX_FRAMES];
	uint64_t slots[MAX_FRAMES];
};

struct vsubprog {
	uint32_t start, end;  /* [start, end) slots */
	uint32_t stack_depth; /* bytes used by the frame (max over paths) */
	bool reachable;
};

enum {
	AUX_PRUNE = 1,	       /* jump target or branch fall-through: states are stored here */
	AUX_SEEN = 2,	       /* processed at least once */
	AUX_LDDW2 = 4,	       /* second slot of lddw */
	AUX_CTX_ACCESS = 8,    /* the memory access went through the context pointer */
	AUX_OTHER_ACCESS = 16, /* ... through another pointer */
};

struct vinsn_aux {
	uint8_t flags;
	int16_t ctx_field; /* AUX_CTX_ACCESS: field index */
	int16_t ctx_delta; /* offset inside the field */
	uint16_t live_in;  /* registers live before the insn */
	uint16_t subprog;
	uint16_t nstored;
};

struct vpending {
	struct vstate *st; /* compact copy (vstate_snapshot_to) in block */
	void *block;	   /* kept for reuse by the next push at this depth */
	size_t cap;	   /* bytes of block */
	uint32_t pc;
	uint32_t from; /* the branching instruction */
	uint64_t hlen; /* history length at the branch */
	uint64_t depth;
	struct vstored *parent;
};

struct venv {
	struct ebpf_prog *prog;
	const struct ebpf_prog_type *type;
	const struct ebpf_insn *insns;
	uint32_t n;
	struct vinsn_aux *aux;
	struct vsubprog *subs;
	unsigned nsubs;
	struct vstored **explored;
	struct vpending *stack;
	size_t nstack, capstack;
	struct vstate cur;
	uint32_t pc;
	uint64_t depth;
	struct vstored *parent;
	uint32_t id_gen;
	uint64_t processed, max_processed;
	uint64_t worst;
	bool r0_seen;
	int64_t r0_smin, r0_smax;
	uint64_t r0_umin, r0_umax;
	bool log_all;
	struct vlog log;
	struct ebpf_verify_result *res;
	bool refused;
	uint64_t nstates, peak_states, total_states;
	void *free_blocks; /* evicted stored states' blocks, for reuse (a list) */
	void *arena;	   /* struct varena_chunk list (verifier_arena.c) */
	uint64_t jmps;	   /* jump-class instructions processed */
	uint64_t store_jmps, store_processed; /* jmps and processed when a state was last stored */
	struct vhist *hist; /* the current path's history (verifier_precision.c) */
	uint64_t nhist, caphist;
	uint64_t precise_walks, precise_steps; /* statistics for the log */
};

/* refuses the program at env->pc with a reason; regs: registers to show. Returns -EACCES. */
int venv_refuse(struct venv *env, uint16_t regs, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* memory access through register regno (value in base) at base + off, size bytes */
enum vaccess { VACC_READ, VACC_WRITE, VACC_ATOMIC, VACC_HELPER_READ, VACC_HELPER_WRITE };
int vcheck_mem(struct venv *env, uint32_t regno, const struct vreg *base, int32_t off,
	       uint32_t size, enum vaccess acc, const struct vreg *val, struct vreg *out,
	       bool sign_extend);
/* helper memory argument: pointer reg and size in [0, max] bytes (umin may be 0) */
int vcheck_helper_mem(struct venv *env, uint32_t regno, uint64_t min_size, uint64_t max_size,
		      enum vaccess acc);
int vcheck_helper_call(struct venv *env, const struct ebpf_insn *insn, uint32_t helper_id);
struct vreg *vcur_regs(struct venv *env);
void vmark_refs_released(struct venv *env, uint32_t ref);

/* map information (via maps.h) */
bool vmap_info(const void *map, uint32_t *type, uint32_t *key_size, uint32_t *value_size,
	       uint32_t *max_entries, bool *rdonly);
const void *vmap_direct_value(const void *map);

/* the state arena (verifier_arena.c): n bytes, 16-byte aligned, valid until varena_free_all */
void *varena_alloc(struct venv *env, size_t n);
void varena_free_all(struct venv *env);
size_t varena_cached_bytes(void); /* populated bytes kept in the process for the next one */

/* precision tracking (verifier_precision.c) */
int vhist_arrive(struct venv *env, uint32_t from, uint32_t to);
/* a stack access through base (a stack pointer) at off, size bytes; full: 8-byte aligned store
 * at a constant offset */
int vhist_stack(struct venv *env, const struct vreg *base, int32_t off, uint32_t size, bool full);
/* the values of want (before env->pc executes) matter: mark them and what they were computed
 * from precise in the stored states of the current path */
int vprecise_demand(struct venv *env, struct vprec *want);
/* registers regs of the current frame */
int vprecise_regs(struct venv *env, uint16_t regs);
/* the current state was found subsumed by old: what old compared precisely must be precise on
 * the current path */
int vprecise_after_prune(struct venv *env, const struct vstored *old);

/* the ctx rewrite after acceptance (ctx_convert.c) */
int vctx_convert(struct venv *env);
