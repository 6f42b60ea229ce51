/* verifier_helpers.c: memory accesses and helper calls for the verifier.
 *
 * vcheck_mem() decides one load, store or atomic operation through a pointer register: which
 * region it points into (context, stack frame, map value, packet, packet metadata, the mem:SIZE
 * buffer or helper memory), whether every byte is inside the region for every value of the
 * pointer's variable part, whether stack bytes read were written, and that no pointer is stored
 * anywhere but the program's own stack (a pointer in a map, packet, context or buffer would
 * reach a guest or an agent). Stack writes keep 8-byte spills of registers with their type.
 * vcheck_helper_call() checks a helper call against its prototype (prog.h argument kinds), then
 * sets r0 from the return kind and clobbers r1-r5. Maps are read through maps.h. */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "ebpf/maps.h"
#include "ebpf/verifier_internal.h"

#define MAX_PACKET_OFF 0xffff
#define MAX_HELPER_SIZE (1u << 29)

bool vmap_info(const void *map, uint32_t *type, uint32_t *key_size, uint32_t *value_size,
	       uint32_t *max_entries, bool *rdonly)
{
	const struct ebpf_map_def *d;

	if (!map)
		return false;
	d = ebpf_map_def(map);
	if (!d)
		return false;
	*type = (uint32_t)d->type;
	*key_size = d->key_size;
	*value_size = d->value_size;
	*max_entries = d->max_entries;
	*rdonly = (d->flags & EBPF_F_RDONLY_PROG) || ebpf_map_frozen(map);
	return true;
}

const void *vmap_direct_value(const void *map)
{
	return ebpf_map_direct_value((struct ebpf_map *)map);
}

static uint16_t rbit(uint32_t r)
{
	return (uint16_t)(1u << r);
}

/* records which kind of pointer an instruction used (the ctx rewrite needs one kind per insn) */
static int note_access(struct venv *env, bool ctx, int field, int delta, enum vaccess acc)
{
	struct vinsn_aux *a = &env->aux[env->pc];

	if (acc == VACC_HELPER_READ || acc == VACC_HELPER_WRITE)
		return 0;
	if (ctx) {
		if ((a->flags & AUX_OTHER_ACCESS) ||
		    ((a->flags & AUX_CTX_ACCESS) &&
		     (a->ctx_field != field || a->ctx_delta != delta)))
			return venv_refuse(env, 0,
					   "the same instruction accesses the context and other "
					   "memory (or two context fields) on different paths");
		a->flags |= AUX_CTX_ACCESS;
		a->ctx_field = (int16_t)field;
		a->ctx_delta = (int16_t)delta;
	} else {
		if (a->flags & AUX_CTX_ACCESS)
			return venv_refuse(env, 0,
					   "the same instruction accesses the context and other "
					   "memory on different paths");
		a->flags |= AUX_OTHER_ACCESS;
	}
	return 0;
}

static int check_ctx(struct venv *env, uint32_t regno, const struct vreg *base, int32_t off,
		     uint32_t size, enum vaccess acc, const struct vreg *val, struct vreg *out,
		     bool sx)
{
	const struct ebpf_prog_type *t = env->type;
	int64_t o = (int64_t)base->off + off;
	uint16_t rm = rbit(regno);

	if (!vreg_var_is_zero(base) || base->off)
		return venv_refuse(env, rm,
				   "access through a modified context pointer (offset %d): use the "
				   "unmodified pointer and the field offset",
				   base->off);
	if (acc == VACC_ATOMIC)
		return venv_refuse(env, rm, "atomic operation on the context");
	if (acc == VACC_HELPER_READ || acc == VACC_HELPER_WRITE)
		return venv_refuse(env, rm, "the context cannot be passed as helper memory");
	for (unsigned k = 0; k < t->n_fields; k++) {
		const struct ebpf_ctx_field *f = &t->fields[k];
		if (o < f->off || o >= f->off + f->size)
			continue;
		if (o + size > (int64_t)f->off + f->size)
			return venv_refuse(env, rm,
					   "invalid context access at offset %" PRId64
					   " size %u (field %s is %u bytes at %u)",
					   o, size, f->name, f->size, f->off);
		if (acc == VACC_WRITE) {
			if (!f->writable)
				return venv_refuse(env, rm, "write to read-only context field %s",
						   f->name);
			if (size != f->size || o != f->off)
				return venv_refuse(env, rm, "partial write to context field %s",
						   f->name);
			if (val->type != V_SCALAR)
				return venv_refuse(
				    env, rm,
				    "storing a pointer (%s) into the context would leak it",
				    vtype_name(val->type));
			return note_access(env, true, (int)k, 0, acc);
		}
		if (f->kind != EBPF_CTX_SCALAR) {
			if (size != f->size || o != f->off || sx)
				return venv_refuse(env, rm,
						   "context field %s must be read whole (%u bytes)",
						   f->name, f->size);
			vreg_mark_ptr(out, f->kind == EBPF_CTX_PKT	 ? V_PTR_PACKET
					   : f->kind == EBPF_CTX_PKT_END ? V_PTR_PACKET_END
									 : V_PTR_PACKET_META);
			if (f->kind != EBPF_CTX_PKT_END)
				out->id = ++env->id_gen;
		} else {
			if (sx)
				return venv_refuse(env, rm, "sign-extending load from the context");
			vreg_bound_size(out, size < f->size ? size : f->size, false);
		}
		return note_access(env, true, (int)k, (int)(o - f->off), acc);
	}
	return venv_refuse(env, rm,
			   "invalid context access at offset %" PRId64
			   " size %u (no such field in %s's context)",
			   o, size, t->name);
}

/* region of limit bytes: [base.off + off + var, +size) inside [0, limit) for every var */
static int check_region(struct venv *env, uint32_t regno, const struct vreg *base, int32_t off,
			uint64_t size, uint64_t limit, const char *what)
{
	int64_t lo = (int64_t)base->off + off + base->smin;
	uint64_t hi;

	if (base->smin < 0 && !(base->smin >= -(1LL << 30)))
		return venv_refuse(env, rbit(regno), "%s access with an unbounded negative offset",
				   what);
	if (lo < 0)
		return venv_refuse(env, rbit(regno),
				   "%s access out of bounds: offset %" PRId64 " is negative", what,
				   lo);
	if (base->umax > (1ULL << 32) && base->smin >= 0)
		return venv_refuse(env, rbit(regno),
				   "%s access with an unbounded offset (umax %" PRIu64 ")", what,
				   base->umax);
	hi = (uint64_t)((int64_t)base->off + off) +
	     (base->smin >= 0 ? base->umax : (uint64_t)base->smax) + size;
	if (hi > limit)
		return venv_refuse(env, rbit(regno),
				   "%s access out of bounds: up to byte %" PRIu64 " of %" PRIu64
				   " (offset %d%+d, size %" PRIu64 ")",
				   what, hi, limit, base->off, off, size);
	return 0;
}

static void stack_pos(int64_t o, unsigned *slot, unsigned *byte)
{
	*slot = (unsigned)((-o - 1) / 8);
	*byte = (unsigned)(o + (int64_t)(*slot + 1) * 8);
}

static bool slot_is_spill(const struct vslot *s)
{
	return s->stype[0] == STK_SPILL;
}

/* a spill is partly overwritten: the rest becomes scalar bytes, or unreadable if it was a
 * pointer (its bytes must never be read as a scalar) */
static void destroy_spill(struct vslot *s)
{
	uint8_t t = vreg_is_ptr(&s->spill) ? STK_INVALID : STK_MISC;
	for (unsigned b = 0; b < 8; b++)
		if (s->stype[b] == STK_SPILL)
			s->stype[b] = t;
	vreg_mark_not_init(&s->spill);
}

/* max_size: bytes a helper may access; min_size: bytes a helper writes for sure (its size
 * argument's minimum: a helper filling `size` bytes leaves the rest as they were) */
static int check_stack(struct venv *env, uint32_t regno, const struct vreg *base, int32_t off,
		       uint32_t size, enum vaccess acc, const struct vreg *val, struct vreg *out,
		       bool sx, uint64_t min_size, uint64_t max_size)
{
	struct vframe *fr = &env->cur.frames[base->frameno];
	int64_t lo = (int64_t)base->off + off + base->smin;
	int64_t hi = (int64_t)base->off + off + base->smax +
		     (int64_t)(acc >= VACC_HELPER_READ ? max_size : size);
	bool var = !tnum_is_const(base->var);
	uint16_t rm = rbit(regno);
	unsigned slot, byte;

	if (base->smin < -(1LL << 30) || base->smax > (1LL << 30))
		return venv_refuse(env, rm, "stack access with an unbounded offset");
	if (lo < -EBPF_STACK_SIZE || hi > 0)
		return venv_refuse(env, rm,
				   "stack access out of bounds: bytes [%" PRId64 ", %" PRId64
				   ") of the %d-byte frame",
				   lo, hi, EBPF_STACK_SIZE);
	if (hi <= lo)
		return 0; /* zero-size helper access */
	{
		struct vsubprog *sp = &env->subs[fr->subprog];
		if ((uint64_t)-lo > sp->stack_depth)
			sp->stack_depth = (uint32_t)-lo;
	}
	if (vframe_grow(fr, (unsigned)((-lo + 7) / 8)))
		return -ENOMEM;
	if (acc == VACC_WRITE && !var) {
		int64_t o = lo;
		if (vreg_is_ptr(val)) {
			if (size != 8 || (o & 7))
				return venv_refuse(env, rm | (uint16_t)0,
						   "partial or misaligned store of a pointer (%s) "
						   "to the stack would leak it",
						   vtype_name(val->type));
			if (val->type == V_PTR_STACK && val->frameno > base->frameno)
				return venv_refuse(env, rm,
						   "storing a pointer to a deeper stack frame into "
						   "a caller's frame");
		}
		if (size == 8 && !(o & 7) && !(vreg_is_const(val) && !val->var.value)) {
			stack_pos(o, &slot, &byte);
			memset(fr->slots[slot].stype, STK_SPILL, 8);
			fr->slots[slot].spill = *val;
			return 0;
		}
		for (int64_t b = o; b < o + size; b++) {
			stack_pos(b, &slot, &byte);
			if (slot_is_spill(&fr->slots[slot]))
				destroy_spill(&fr->slots[slot]);
			fr->slots[slot].stype[byte] =
			    vreg_is_const(val) && !(val->var.value >> ((b - o) * 8) & 0xff)
				? STK_ZERO
				: STK_MISC;
		}
		return 0;
	}
	if (acc == VACC_WRITE || acc == VACC_HELPER_WRITE) {
		/* variable offset or helper-filled: bytes that may be written lose spills; bytes
		 * written for sure (constant offset) become initialised */
		if (acc == VACC_WRITE && vreg_is_ptr(val))
			return venv_refuse(env, rm,
					   "variable-offset store of a pointer to the stack");
		for (int64_t b = lo; b < hi; b++) {
			stack_pos(b, &slot, &byte);
			struct vslot *s = &fr->slots[slot];
			if (slot_is_spill(s)) {
				if (vreg_is_ptr(&s->spill) && var)
					return venv_refuse(env, rm,
							   "variable-offset write may overwrite a "
							   "spilled pointer at fp%+" PRId64,
							   b);
				destroy_spill(s);
			}
			if (!var && acc == VACC_HELPER_WRITE && b < lo + (int64_t)min_size)
				s->stype[byte] = STK_MISC;
			else if (s->stype[byte] == STK_ZERO)
				s->stype[byte] = STK_MISC;
		}
		return 0;
	}
	/* reads (and atomics, which read) */
	if (!var && acc == VACC_READ && size == 8 && !(lo & 7)) {
		stack_pos(lo, &slot, &byte);
		if (slot_is_spill(&fr->slots[slot])) {
			*out = fr->slots[slot].spill;
			return 0;
		}
	}
	{
		bool allzero = true;
		for (int64_t b = lo; b < hi; b++) {
			stack_pos(b, &slot, &byte);
			struct vslot *s = &fr->slots[slot];
			uint8_t t = s->stype[byte];
			if (t == STK_INVALID)
				return venv_refuse(env, rm,
						   "read of uninitialised stack byte fp%+" PRId64
						   " (frame %u)",
						   b, base->frameno);
			if (t == STK_SPILL && vreg_is_ptr(&s->spill))
				return venv_refuse(env, rm,
						   "%s of a spilled pointer (%s) at fp%+" PRId64
						   " would leak it",
						   acc == VACC_ATOMIC ? "atomic operation on part"
						   : acc == VACC_HELPER_READ ? "helper read"
									     : "partial read",
						   vtype_name(s->spill.type), b);
			if (t != STK_ZERO)
				allzero = false;
		}
		if (acc == VACC_ATOMIC) {
			for (int64_t b = lo; b < hi; b++) {
				stack_pos(b, &slot, &byte);
				if (slot_is_spill(&fr->slots[slot]))
					destroy_spill(&fr->slots[slot]);
				fr->slots[slot].stype[byte] = STK_MISC;
			}
			return 0;
		}
		if (acc == VACC_HELPER_READ)
			return 0;
		if (allzero)
			vreg_mark_const(out, 0);
		else
			vreg_bound_size(out, size, sx);
	}
	return 0;
}

int vcheck_mem(struct venv *env, uint32_t regno, const struct vreg *base, int32_t off,
	       uint32_t size, enum vaccess acc, const struct vreg *val, struct vreg *out,
	       bool sign_extend)
{
	uint16_t rm = rbit(regno);
	bool write = acc == VACC_WRITE || acc == VACC_ATOMIC || acc == VACC_HELPER_WRITE;
	uint64_t hsize = acc >= VACC_HELPER_READ ? size : size;
	int err;

	if (val && acc == VACC_WRITE && val->type == V_NOT_INIT)
		return venv_refuse(env, rm, "storing an uninitialised register");
	switch (base->type) {
	case V_NOT_INIT:
		return venv_refuse(env, rm, "R%u is not initialised (read before any write)",
				   regno);
	case V_SCALAR:
		return venv_refuse(env, rm, "R%u is a scalar, not a pointer: invalid memory access",
				   regno);
	case V_PTR_MAP_VALUE_OR_NULL:
	case V_PTR_MEM_OR_NULL:
		return venv_refuse(env, rm,
				   "R%u may be NULL (%s): check it against 0 before the access",
				   regno, vtype_name(base->type));
	case V_CONST_MAP_PTR:
	case V_PTR_PACKET_END:
		return venv_refuse(env, rm,
				   "R%u: memory access through a %s pointer is not allowed", regno,
				   vtype_name(base->type));
	case V_PTR_CTX:
		if (env->type->ctx_is_buffer)
			return venv_refuse(env, rm, "no context for this program type");
		return check_ctx(env, regno, base, off, size, acc, val, out, sign_extend);
	case V_PTR_STACK:
		if ((err = note_access(env, false, 0, 0, acc)))
			return err;
		return check_stack(env, regno, base, off, size, acc, val, out, sign_extend, hsize,
				   hsize);
	default:
		break;
	}
	if ((err = note_access(env, false, 0, 0, acc)))
		return err;
	if (acc == VACC_WRITE && val->type != V_SCALAR)
		return venv_refuse(env, rm, "storing a pointer (%s) into %s memory would leak it",
				   vtype_name(val->type), vtype_name(base->type));
	switch (base->type) {
	case V_PTR_MAP_VALUE:
		if (write && base->mem_rdonly)
			return venv_refuse(env, rm, "write into a read-only map value");
		err = check_region(env, regno, base, off, size, base->mem_size, "map value");
		break;
	case V_PTR_MEM:
		if (write && base->mem_rdonly)
			return venv_refuse(env, rm, "write into read-only memory");
		err = check_region(env, regno, base, off, size, base->mem_size, "memory");
		break;
	case V_PTR_PACKET:
	case V_PTR_PACKET_META:
		if (base->smin < 0 || base->umax > MAX_PACKET_OFF)
			return venv_refuse(env, rm,
					   "packet pointer with an unbounded variable offset");
		if (acc == VACC_ATOMIC)
			return venv_refuse(env, rm, "atomic operation on packet data");
		{
			int64_t o = (int64_t)base->off + off;
			if (o < 0 || o + size > base->range)
				return venv_refuse(
				    env, rm,
				    "%s access out of bounds: bytes [%" PRId64 ", %" PRId64
				    ") but only %u checked against %s",
				    base->type == V_PTR_PACKET ? "packet" : "packet metadata", o,
				    o + size, base->range,
				    base->type == V_PTR_PACKET ? "data_end" : "data");
		}
		err = 0;
		break;
	default:
		return venv_refuse(env, rm, "invalid memory access through %s",
				   vtype_name(base->type));
	}
	if (err)
		return err;
	if (acc == VACC_READ)
		vreg_bound_size(out, size, sign_extend);
	return 0;
}

int vcheck_helper_mem(struct venv *env, uint32_t regno, uint64_t min_size, uint64_t max_size,
		      enum vaccess acc)
{
	struct vreg base = vcur_regs(env)[regno];
	int err;

	if (max_size > MAX_HELPER_SIZE)
		return venv_refuse(env, rbit(regno) | rbit(regno + 1),
				   "helper memory size is not bounded");
	if (base.type == V_PTR_STACK)
		return check_stack(env, regno, &base, 0, (uint32_t)max_size, acc, NULL, NULL, false,
				   min_size, max_size);
	if (base.type == V_PTR_PACKET || base.type == V_PTR_PACKET_META) {
		int64_t o = base.off;
		if (base.smin < 0 || base.umax > MAX_PACKET_OFF)
			return venv_refuse(env, rbit(regno),
					   "packet pointer with an unbounded variable offset");
		if (o < 0 || (uint64_t)o + max_size > base.range)
			return venv_refuse(env, rbit(regno),
					   "helper access to packet out of bounds: %" PRIu64
					   " bytes at %" PRId64 ", only %u checked",
					   max_size, o, base.range);
		return 0;
	}
	if (base.type == V_PTR_MAP_VALUE || base.type == V_PTR_MEM) {
		if (acc == VACC_HELPER_WRITE && base.mem_rdonly)
			return venv_refuse(env, rbit(regno),
					   "helper would write into read-only memory");
		err = check_region(env, regno, &base, 0, max_size, base.mem_size,
				   base.type == V_PTR_MEM ? "memory" : "map value");
		return err;
	}
	if (base.type == V_NOT_INIT)
		return venv_refuse(env, rbit(regno),
				   "R%u is not initialised (read before any write)", regno);
	if (base.type == V_SCALAR && max_size == 0)
		return 0;
	return venv_refuse(env, rbit(regno), "R%u (%s) is not valid helper memory", regno,
			   vtype_name(base.type));
}

void vmark_refs_released(struct venv *env, uint32_t ref)
{
	for (unsigned f = 0; f <= env->cur.curframe; f++) {
		struct vframe *fr = &env->cur.frames[f];
		for (unsigned r = 0; r < EBPF_NREGS; r++)
			if (fr->regs[r].ref_obj_id == ref)
				vreg_mark_not_init(&fr->regs[r]);
		for (unsigned s = 0; s < fr->nslots; s++) {
			if (slot_is_spill(&fr->slots[s]) && fr->slots[s].spill.ref_obj_id == ref) {
				memset(fr->slots[s].stype, STK_INVALID, 8);
				vreg_mark_not_init(&fr->slots[s].spill);
			}
		}
	}
	for (unsigned k = 0; k < env->cur.nrefs; k++) {
		if (env->cur.refs[k] == ref) {
			env->cur.refs[k] = env->cur.refs[--env->cur.nrefs];
			break;
		}
	}
}

static const struct ebpf_helper *find_helper(const struct ebpf_prog_type *t, uint32_t id)
{
	if (!t->helpers)
		return NULL;
	for (const struct ebpf_helper *const *h = t->helpers; *h; h++)
		if ((*h)->id == id)
			return *h;
	return NULL;
}

static void add_class(struct ebpf_verify_result *res, const char *c)
{
	if (!c)
		return;
	for (unsigned k = 0; k < res->n_helper_classes; k++)
		if (!strcmp(res->helper_classes[k], c))
			return;
	if (res->n_helper_classes < 32)
		res->helper_classes[res->n_helper_classes++] = c;
}

/* a NUL-terminated string on the stack: initialised bytes up to a known zero byte */
static bool str_on_stack(struct venv *env, const struct vreg *r)
{
	const struct vframe *fr;
	int64_t o;

	if (r->type != V_PTR_STACK || !tnum_is_const(r->var))
		return false;
	fr = &env->cur.frames[r->frameno];
	for (o = (int64_t)r->off + (int64_t)r->var.value; o < 0 && o >= -EBPF_STACK_SIZE; o++) {
		unsigned slot = (unsigned)((-o - 1) / 8),
			 byte = (unsigned)(o + (int64_t)(slot + 1) * 8);
		uint8_t t = slot < fr->nslots ? fr->slots[slot].stype[byte] : STK_INVALID;
		if (t == STK_ZERO)
			return true;
		if (t == STK_INVALID || (t == STK_SPILL && vreg_is_ptr(&fr->slots[slot].spill)))
			return false;
		if (t == STK_SPILL && vreg_is_const(&fr->slots[slot].spill) &&
		    !((fr->slots[slot].spill.var.value >> (byte * 8)) & 0xff))
			return true;
	}
	return false;
}

/* a NUL-terminated string in a constant map value. Constant means frozen (no writes from user
 * space) AND read-only for programs (EBPF_F_RDONLY_PROG, as the ELF loader makes .rodata): a map
 * that is only frozen can still be changed by a program's map_update_elem, and its NUL with it */
static bool str_in_rodata(const struct vreg *r)
{
	const struct ebpf_map_def *d;
	const char *v;
	uint32_t type, ks, vs, me;
	bool ro;

	if (r->type != V_PTR_MAP_VALUE || !tnum_is_const(r->var) ||
	    !vmap_info(r->map, &type, &ks, &vs, &me, &ro) || !ro)
		return false;
	d = ebpf_map_def(r->map);
	if (!d || !(d->flags & EBPF_F_RDONLY_PROG) || !ebpf_map_frozen(r->map))
		return false;
	v = vmap_direct_value(r->map);
	if (!v)
		return false;
	for (int64_t o = (int64_t)r->off + (int64_t)r->var.value; o >= 0 && o < vs; o++)
		if (!v[o])
			return true;
	return false;
}

/* a helper given stack memory (EBPF_ARG_PTR_TO_MEM) may change it (the suite's memfrob):
 * known values in the range become unknown initialised bytes; pointers were refused before */
static void forget_stack_values(struct venv *env, const struct vreg *r, uint64_t size)
{
	struct vframe *fr = &env->cur.frames[r->frameno];
	int64_t lo = (int64_t)r->off + r->smin, hi = (int64_t)r->off + r->smax + (int64_t)size;

	for (int64_t b = lo; b < hi && b < 0; b++) {
		unsigned slot, byte;
		if (b < -EBPF_STACK_SIZE)
			continue;
		stack_pos(b, &slot, &byte);
		if (slot >= fr->nslots)
			continue;
		if (slot_is_spill(&fr->slots[slot]))
			destroy_spill(&fr->slots[slot]);
		if (fr->slots[slot].stype[byte] == STK_ZERO)
			fr->slots[slot].stype[byte] = STK_MISC;
	}
}

int vcheck_helper_call(struct venv *env, const struct ebpf_insn *insn, uint32_t id)
{
	const struct ebpf_helper *h = find_helper(env->type, id);
	struct vreg *regs;
	const void *map = NULL;
	uint32_t mtype = 0, ks = 0, vs = 0, me = 0, alloc_size = 0;
	bool ro = false;
	int err;

	(void)insn;
	if (!h)
		return venv_refuse(env, 0, "helper %u is not available to %s programs", id,
				   env->type->name);
	{
		/* precision: every scalar argument's value matters (sizes, flags, indexes), and
		 * the bytes of a string on the stack are read */
		struct vprec p;
		memset(&p, 0, sizeof(p));
		regs = vcur_regs(env);
		for (unsigned a = 0; a < 5; a++) {
			const struct vreg *r = &regs[a + 1];
			if (h->arg[a] == EBPF_ARG_NONE)
				continue;
			if (r->type == V_SCALAR)
				p.regs[env->cur.curframe] |= (uint16_t)(1u << (a + 1));
			if (h->arg[a] == EBPF_ARG_PTR_TO_STR && r->type == V_PTR_STACK &&
			    r->frameno < MAX_FRAMES)
				p.slots[r->frameno] = ~0ULL;
		}
		if ((err = vprecise_demand(env, &p)))
			return err;
	}
	for (unsigned a = 0; a < 5; a++) {
		uint32_t rn = a + 1;
		enum ebpf_arg_kind k = h->arg[a];
		struct vreg *r;

		regs = vcur_regs(env);
		r = &regs[rn];
		if (k == EBPF_ARG_NONE)
			continue;
		if (r->type == V_NOT_INIT)
			return venv_refuse(env, rbit(rn), "%s: argument R%u is not initialised",
					   h->name, rn);
		switch (k) {
		case EBPF_ARG_ANYTHING:
			if (r->type != V_SCALAR)
				return venv_refuse(env, rbit(rn),
						   "%s: R%u must be a scalar, passing a pointer "
						   "(%s) would leak it",
						   h->name, rn, vtype_name(r->type));
			break;
		case EBPF_ARG_CONST_MAP_PTR:
			if (r->type != V_CONST_MAP_PTR)
				return venv_refuse(env, rbit(rn),
						   "%s: R%u must be a map (lddw of a map), got %s",
						   h->name, rn, vtype_name(r->type));
			map = r->map;
			if (!vmap_info(map, &mtype, &ks, &vs, &me, &ro))
				return venv_refuse(env, rbit(rn), "%s: unusable map", h->name);
			if (h->map_types && !(h->map_types & (1ULL << mtype)))
				return venv_refuse(
				    env, rbit(rn), "%s: map type %s is not accepted", h->name,
				    ebpf_map_type_name((enum ebpf_map_type)mtype)
					? ebpf_map_type_name((enum ebpf_map_type)mtype)
					: "?");
			break;
		case EBPF_ARG_PTR_TO_MAP_KEY:
		case EBPF_ARG_PTR_TO_MAP_VALUE:
			if (!map)
				return venv_refuse(env, rbit(rn), "%s: no map argument before R%u",
						   h->name, rn);
			if ((err = vcheck_helper_mem(env, rn, 0,
						     k == EBPF_ARG_PTR_TO_MAP_KEY ? ks : vs,
						     VACC_HELPER_READ)))
				return err;
			break;
		case EBPF_ARG_PTR_TO_MEM:
		case EBPF_ARG_PTR_TO_UNINIT_MEM: {
			struct vreg *sz;
			enum ebpf_arg_kind nk = a + 1 < 5 ? h->arg[a + 1] : EBPF_ARG_NONE;
			if (nk != EBPF_ARG_CONST_SIZE && nk != EBPF_ARG_CONST_SIZE_OR_ZERO)
				return venv_refuse(
				    env, 0, "%s: prototype without a size after a memory argument",
				    h->name);
			sz = &regs[rn + 1];
			if (sz->type == V_NOT_INIT)
				return venv_refuse(env, rbit(rn + 1),
						   "%s: size R%u is not initialised", h->name,
						   rn + 1);
			if (sz->type != V_SCALAR)
				return venv_refuse(env, rbit(rn + 1),
						   "%s: size R%u must be a scalar", h->name,
						   rn + 1);
			if (sz->smin < 0)
				return venv_refuse(env, rbit(rn + 1),
						   "%s: size R%u may be negative", h->name, rn + 1);
			if (nk == EBPF_ARG_CONST_SIZE && sz->umin == 0)
				return venv_refuse(env, rbit(rn + 1), "%s: size R%u may be 0",
						   h->name, rn + 1);
			if (sz->umax > MAX_HELPER_SIZE)
				return venv_refuse(env, rbit(rn) | rbit(rn + 1),
						   "%s: size R%u is not bounded", h->name, rn + 1);
			if (k == EBPF_ARG_PTR_TO_MEM && h->writes_mem &&
			    (r->type == V_PTR_MAP_VALUE || r->type == V_PTR_MEM) && r->mem_rdonly)
				return venv_refuse(
				    env, rbit(rn),
				    "%s: would write into read-only memory (R%u, %s)", h->name, rn,
				    vtype_name(r->type));
			if ((err = vcheck_helper_mem(env, rn, sz->umin, sz->umax,
						     k == EBPF_ARG_PTR_TO_MEM ? VACC_HELPER_READ
									      : VACC_HELPER_WRITE)))
				return err;
			if (k == EBPF_ARG_PTR_TO_MEM && regs[rn].type == V_PTR_STACK)
				forget_stack_values(env, &regs[rn], sz->umax);
			a++;
			break;
		}
		case EBPF_ARG_CONST_SIZE:
		case EBPF_ARG_CONST_SIZE_OR_ZERO:
			if (r->type != V_SCALAR || r->umax > MAX_HELPER_SIZE)
				return venv_refuse(env, rbit(rn), "%s: R%u must be a bounded size",
						   h->name, rn);
			break;
		case EBPF_ARG_PTR_TO_CTX:
			if (r->type != V_PTR_CTX || r->off || !vreg_var_is_zero(r))
				return venv_refuse(env, rbit(rn),
						   "%s: R%u must be the unmodified context pointer",
						   h->name, rn);
			break;
		case EBPF_ARG_PTR_TO_STR:
			if (!str_in_rodata(r) && !str_on_stack(env, r))
				return venv_refuse(
				    env, rbit(rn),
				    "%s: R%u must point to a NUL-terminated string "
				    "(read-only global data, or stack bytes ending in a known 0)",
				    h->name, rn);
			break;
		case EBPF_ARG_SCALAR_PTR_TEST:
			break;
		case EBPF_ARG_CONST_ALLOC_SIZE:
			if (!vreg_is_const(r) || !r->var.value || r->var.value > MAX_HELPER_SIZE)
				return venv_refuse(env, rbit(rn),
						   "%s: R%u must be a known constant size > 0",
						   h->name, rn);
			alloc_size = (uint32_t)r->var.value;
			break;
		case EBPF_ARG_PTR_TO_ALLOC_MEM:
			if (r->type != V_PTR_MEM || !r->ref_obj_id || r->off ||
			    !vreg_var_is_zero(r))
				return venv_refuse(env, rbit(rn),
						   "%s: R%u must be the unmodified, NULL-checked "
						   "pointer from the reserving helper",
						   h->name, rn);
			vmark_refs_released(env, r->ref_obj_id);
			break;
		default:
			return venv_refuse(env, 0, "%s: unknown argument kind %d", h->name, (int)k);
		}
	}
	if (id == 12 /* bpf_tail_call */) {
		if (env->cur.curframe)
			return venv_refuse(env, 0,
					   "tail call from a bpf-to-bpf function is not supported");
		if (env->cur.nrefs)
			return venv_refuse(env, 0, "tail call with an unreleased reference");
		/* when it succeeds, the target's result is the program's: unknown */
		env->r0_seen = true;
		env->r0_smin = INT64_MIN;
		env->r0_smax = INT64_MAX;
		env->r0_umin = 0;
		env->r0_umax = UINT64_MAX;
	}
	if (h->may_unwind) {
		/* the program may end here with r0 = 0 */
		if (!env->r0_seen) {
			env->r0_seen = true;
			env->r0_smin = env->r0_smax = 0;
			env->r0_umin = env->r0_umax = 0;
		} else {
			if (env->r0_smin > 0)
				env->r0_smin = 0;
			if (env->r0_smax < 0)
				env->r0_smax = 0;
			env->r0_umin = 0;
		}
	}
	regs = vcur_regs(env);
	for (unsigned r = 1; r <= 5; r++)
		vreg_mark_not_init(&regs[r]);
	switch (h->ret) {
	case EBPF_RET_VOID:
		vreg_mark_not_init(&regs[0]);
		break;
	case EBPF_RET_PTR_TO_MAP_VALUE_OR_NULL:
		if (!map)
			return venv_refuse(
			    env, 0, "%s: returns a map value but has no map argument", h->name);
		vreg_mark_ptr(&regs[0], V_PTR_MAP_VALUE_OR_NULL);
		regs[0].map = map;
		regs[0].mem_size = vs;
		regs[0].mem_rdonly = ro;
		regs[0].id = ++env->id_gen;
		break;
	case EBPF_RET_PTR_TO_MEM_OR_NULL:
		if (!alloc_size)
			return venv_refuse(env, 0, "%s: returns memory but has no size argument",
					   h->name);
		if (env->cur.nrefs >= MAX_REFS)
			return venv_refuse(env, 0, "too many unreleased references");
		vreg_mark_ptr(&regs[0], V_PTR_MEM_OR_NULL);
		regs[0].mem_size = alloc_size;
		regs[0].id = ++env->id_gen;
		regs[0].ref_obj_id = regs[0].id;
		env->cur.refs[env->cur.nrefs++] = regs[0].id;
		break;
	default:
		vreg_mark_unknown(&regs[0]);
		break;
	}
	env->depth += h->cost;
	add_class(env->res, h->mac_class);
	return 0;
}
