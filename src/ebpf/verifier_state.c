/* verifier_state.c: the verifier's abstract values and states.
 *
 * A scalar (or the variable part of a pointer) is tracked as known bits (tnum) plus signed and
 * unsigned ranges on 64 bits and on the low 32 bits; vreg_sync() makes the five views agree.
 * The ALU transfer functions here are sound over-approximations of RFC 9669's semantics
 * (constants are folded exactly, including division by zero and INT_MIN / -1); 32-bit operations
 * work on the zero- (or sign-) extended low halves and truncate. vscalar_refine() narrows two
 * scalars on one side of a conditional jump. States (frames with registers and stack slots) are
 * copied for branches and compared for pruning (vstate_subsumes). */
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "ebpf/verifier_internal.h"

#define U32_MAXV 0xffffffffULL

static void reg_bounds_unknown(struct vreg *r)
{
	r->smin = INT64_MIN;
	r->smax = INT64_MAX;
	r->umin = 0;
	r->umax = UINT64_MAX;
	r->s32min = INT32_MIN;
	r->s32max = INT32_MAX;
	r->u32min = 0;
	r->u32max = UINT32_MAX;
}

void vreg_mark_not_init(struct vreg *r)
{
	memset(r, 0, sizeof(*r));
	r->type = V_NOT_INIT;
	r->var = tnum_unknown;
	reg_bounds_unknown(r);
}

void vreg_mark_unknown(struct vreg *r)
{
	memset(r, 0, sizeof(*r));
	r->type = V_SCALAR;
	r->var = tnum_unknown;
	reg_bounds_unknown(r);
}

void vreg_mark_const(struct vreg *r, uint64_t v)
{
	memset(r, 0, sizeof(*r));
	r->type = V_SCALAR;
	r->var = tnum_const(v);
	r->smin = r->smax = (int64_t)v;
	r->umin = r->umax = v;
	r->s32min = r->s32max = (int32_t)(uint32_t)v;
	r->u32min = r->u32max = (uint32_t)v;
}

/* a pointer with fixed offset 0 and no variable part */
void vreg_mark_ptr(struct vreg *r, enum vtype t)
{
	vreg_mark_const(r, 0);
	r->type = (uint8_t)t;
}

void vreg_bound_size(struct vreg *r, unsigned size, bool sign_extend)
{
	vreg_mark_unknown(r);
	if (size >= 8)
		return;
	if (sign_extend) {
		int64_t half = 1LL << (size * 8 - 1);
		r->smin = -half;
		r->smax = half - 1;
		if (size < 4) {
			r->s32min = (int32_t)-half;
			r->s32max = (int32_t)(half - 1);
		}
	} else {
		r->var = tnum_cast(tnum_unknown, (uint8_t)size);
		r->umax = (1ULL << (size * 8)) - 1;
	}
	vreg_sync(r);
}

bool vreg_is_const(const struct vreg *r)
{
	return r->type == V_SCALAR && tnum_is_const(r->var);
}

bool vreg_is_ptr(const struct vreg *r)
{
	return r->type != V_NOT_INIT && r->type != V_SCALAR;
}

bool vreg_var_is_zero(const struct vreg *r)
{
	return tnum_equals_const(r->var, 0);
}

#define MAXV(a, b) ((a) > (b) ? (a) : (b))
#define MINV(a, b) ((a) < (b) ? (a) : (b))

static bool sync_once(struct vreg *r)
{
	bool empty = false;
	struct tnum t;
	uint64_t lo, hi;

	/* tnum -> 64-bit ranges */
	r->umin = MAXV(r->umin, r->var.value);
	r->umax = MINV(r->umax, r->var.value | r->var.mask);
	if (!(r->var.mask >> 63)) {
		r->smin = MAXV(r->smin, (int64_t)r->var.value);
		r->smax = MINV(r->smax, (int64_t)(r->var.value | r->var.mask));
	}
	/* signed <-> unsigned */
	if (r->smin >= 0 || r->smax < 0) {
		r->umin = MAXV(r->umin, (uint64_t)r->smin);
		r->umax = MINV(r->umax, (uint64_t)r->smax);
	}
	if ((r->umin >> 63) == (r->umax >> 63)) {
		r->smin = MAXV(r->smin, (int64_t)r->umin);
		r->smax = MINV(r->smax, (int64_t)r->umax);
	}
	if (r->umin > r->umax || r->smin > r->smax)
		return false;
	/* ranges -> tnum */
	r->var = tnum_intersect(r->var, tnum_range(r->umin, r->umax), &empty);
	if (empty)
		return false;
	/* 64 -> 32 */
	if ((r->umin >> 32) == (r->umax >> 32)) {
		r->u32min = MAXV(r->u32min, (uint32_t)r->umin);
		r->u32max = MINV(r->u32max, (uint32_t)r->umax);
	}
	if (r->smin >= INT32_MIN && r->smax <= INT32_MAX) {
		r->s32min = MAXV(r->s32min, (int32_t)r->smin);
		r->s32max = MINV(r->s32max, (int32_t)r->smax);
	}
	/* tnum -> 32 */
	t = tnum_subreg(r->var);
	r->u32min = MAXV(r->u32min, (uint32_t)t.value);
	r->u32max = MINV(r->u32max, (uint32_t)(t.value | t.mask));
	if (!(t.mask & 0x80000000u)) {
		r->s32min = MAXV(r->s32min, (int32_t)(uint32_t)t.value);
		r->s32max = MINV(r->s32max, (int32_t)(uint32_t)(t.value | t.mask));
	}
	/* 32 signed <-> unsigned */
	if (r->s32min >= 0 || r->s32max < 0) {
		r->u32min = MAXV(r->u32min, (uint32_t)r->s32min);
		r->u32max = MINV(r->u32max, (uint32_t)r->s32max);
	}
	if ((r->u32min >> 31) == (r->u32max >> 31)) {
		r->s32min = MAXV(r->s32min, (int32_t)r->u32min);
		r->s32max = MINV(r->s32max, (int32_t)r->u32max);
	}
	if (r->u32min > r->u32max || r->s32min > r->s32max)
		return false;
	/* 32 -> tnum */
	t = tnum_range(r->u32min, r->u32max);
	t.mask |= 0xffffffff00000000ULL;
	t.value &= 0xffffffffULL;
	r->var = tnum_intersect(r->var, t, &empty);
	if (empty)
		return false;
	/* 32 -> 64 when the upper half is known */
	if (!(r->var.mask >> 32)) {
		hi = r->var.value & 0xffffffff00000000ULL;
		lo = hi | r->u32min;
		r->umin = MAXV(r->umin, lo);
		r->umax = MINV(r->umax, hi | r->u32max);
		r->smin = MAXV(r->smin, (int64_t)lo);
		r->smax = MINV(r->smax, (int64_t)(hi | r->u32max));
	}
	return r->umin <= r->umax && r->smin <= r->smax;
}

bool vreg_sync(struct vreg *r)
{
	struct vreg prev;
	int i;

	for (i = 0; i < 4; i++) {
		prev = *r;
		if (!sync_once(r))
			return false;
		if (!memcmp(&prev, r, sizeof(prev)))
			break;
	}
	return true;
}

void vreg_from_tnum(struct vreg *r)
{
	reg_bounds_unknown(r);
	vreg_sync(r);
}

/* keep the low 32 bits, zero-extended */
void vreg_zext32(struct vreg *r)
{
	uint32_t lo = 0, hi = UINT32_MAX;

	if ((r->umin >> 32) == (r->umax >> 32)) {
		lo = (uint32_t)r->umin;
		hi = (uint32_t)r->umax;
	}
	if (r->u32min > lo || r->u32max < hi) {
		/* the 32-bit view may already be tighter */
		lo = MAXV(lo, r->u32min);
		hi = MINV(hi, r->u32max);
		if (lo > hi) {
			lo = r->u32min;
			hi = r->u32max;
		}
	}
	r->var = tnum_cast(r->var, 4);
	reg_bounds_unknown(r);
	r->umin = lo;
	r->umax = hi;
	vreg_sync(r);
}

/* ---- concrete semantics (RFC 9669), for constant folding ---------------------------------- */

static uint64_t alu_concrete(uint8_t op, bool is32, int16_t off, uint64_t a, uint64_t b)
{
	if (is32) {
		uint32_t x = (uint32_t)a, y = (uint32_t)b, r;
		int32_t sx = (int32_t)x, sy = (int32_t)y;

		switch (op) {
		case EBPF_ALU_ADD:
			r = x + y;
			break;
		case EBPF_ALU_SUB:
			r = x - y;
			break;
		case EBPF_ALU_MUL:
			r = x * y;
			break;
		case EBPF_ALU_DIV:
			if (off == 1)
				r = !sy				    ? 0
				    : (sx == INT32_MIN && sy == -1) ? (uint32_t)INT32_MIN
								    : (uint32_t)(sx / sy);
			else
				r = y ? x / y : 0;
			break;
		case EBPF_ALU_MOD:
			if (off == 1)
				r = !sy ? x : (sy == -1) ? 0 : (uint32_t)(sx % sy);
			else
				r = y ? x % y : x;
			break;
		case EBPF_ALU_OR:
			r = x | y;
			break;
		case EBPF_ALU_AND:
			r = x & y;
			break;
		case EBPF_ALU_XOR:
			r = x ^ y;
			break;
		case EBPF_ALU_LSH:
			r = x << (y & 31);
			break;
		case EBPF_ALU_RSH:
			r = x >> (y & 31);
			break;
		case EBPF_ALU_ARSH:
			r = (uint32_t)(sx >> (y & 31));
			break;
		case EBPF_ALU_NEG:
			r = -x;
			break;
		case EBPF_ALU_MOV:
			if (off == 8)
				r = (uint32_t)(int32_t)(int8_t)y;
			else if (off == 16)
				r = (uint32_t)(int32_t)(int16_t)y;
			else
				r = y;
			break;
		default:
			r = 0;
			break;
		}
		return r;
	} else {
		int64_t sa = (int64_t)a, sb = (int64_t)b;

		switch (op) {
		case EBPF_ALU_ADD:
			return a + b;
		case EBPF_ALU_SUB:
			return a - b;
		case EBPF_ALU_MUL:
			return a * b;
		case EBPF_ALU_DIV:
			if (off == 1)
				return !sb			       ? 0
				       : (sa == INT64_MIN && sb == -1) ? (uint64_t)INT64_MIN
								       : (uint64_t)(sa / sb);
			return b ? a / b : 0;
		case EBPF_ALU_MOD:
			if (off == 1)
				return !sb ? a : (sb == -1) ? 0 : (uint64_t)(sa % sb);
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
			return -a;
		case EBPF_ALU_MOV:
			if (off == 8)
				return (uint64_t)(int64_t)(int8_t)b;
			if (off == 16)
				return (uint64_t)(int64_t)(int16_t)b;
			if (off == 32)
				return (uint64_t)(int64_t)(int32_t)b;
			return b;
		default:
			return 0;
		}
	}
}

/* ---- abstract 64-bit operations ----------------------------------------------------------- */

static void set_u(struct vreg *r, uint64_t lo, uint64_t hi)
{
	r->umin = lo;
	r->umax = hi;
}

static void abs_add(struct vreg *d, const struct vreg *a, const struct vreg *b)
{
	int64_t s1, s2;
	uint64_t u1, u2;

	d->var = tnum_add(a->var, b->var);
	if (!__builtin_add_overflow(a->smin, b->smin, &s1) &&
	    !__builtin_add_overflow(a->smax, b->smax, &s2)) {
		d->smin = s1;
		d->smax = s2;
	}
	if (!__builtin_add_overflow(a->umax, b->umax, &u2)) {
		u1 = a->umin + b->umin;
		set_u(d, u1, u2);
	}
}

static void abs_sub(struct vreg *d, const struct vreg *a, const struct vreg *b)
{
	int64_t s1, s2;

	d->var = tnum_sub(a->var, b->var);
	if (!__builtin_sub_overflow(a->smin, b->smax, &s1) &&
	    !__builtin_sub_overflow(a->smax, b->smin, &s2)) {
		d->smin = s1;
		d->smax = s2;
	}
	if (a->umin >= b->umax)
		set_u(d, a->umin - b->umax, a->umax - b->umin);
}

static void abs_mul(struct vreg *d, const struct vreg *a, const struct vreg *b)
{
	uint64_t hi;

	d->var = tnum_mul(a->var, b->var);
	if (!__builtin_mul_overflow(a->umax, b->umax, &hi)) {
		set_u(d, a->umin * b->umin, hi);
	}
	if (a->smin >= 0 && b->smin >= 0 && hi <= (uint64_t)INT64_MAX &&
	    !__builtin_mul_overflow(a->umax, b->umax, &hi)) {
		d->smin = (int64_t)(a->umin * b->umin);
		d->smax = (int64_t)hi;
	}
}

/* dst op src on 64 bits, neither operand constant-folded; d starts unknown */
static void abs_alu64(struct vreg *d, const struct vreg *a, const struct vreg *b, uint8_t op,
		      int16_t off, unsigned shmask)
{
	uint64_t k;

	switch (op) {
	case EBPF_ALU_ADD:
		abs_add(d, a, b);
		break;
	case EBPF_ALU_SUB:
		abs_sub(d, a, b);
		break;
	case EBPF_ALU_MUL:
		abs_mul(d, a, b);
		break;
	case EBPF_ALU_AND:
		d->var = tnum_and(a->var, b->var);
		d->umax = MINV(a->umax, b->umax);
		if (a->smin >= 0 || b->smin >= 0) {
			d->smin = 0;
			d->smax = (int64_t)MINV(a->smin >= 0 ? (uint64_t)a->smax : UINT64_MAX,
						b->smin >= 0 ? (uint64_t)b->smax : UINT64_MAX);
			if ((uint64_t)d->smax > (uint64_t)INT64_MAX)
				d->smax = INT64_MAX;
		}
		break;
	case EBPF_ALU_OR:
		d->var = tnum_or(a->var, b->var);
		d->umin = MAXV(a->umin, b->umin);
		break;
	case EBPF_ALU_XOR:
		d->var = tnum_xor(a->var, b->var);
		break;
	case EBPF_ALU_LSH:
		if (tnum_is_const(b->var)) {
			k = b->var.value & shmask;
			d->var = tnum_lshift(a->var, (uint8_t)k);
			if (!k || !(a->umax >> (64 - k)))
				set_u(d, a->umin << k, a->umax << k);
		}
		break;
	case EBPF_ALU_RSH:
		if (tnum_is_const(b->var)) {
			k = b->var.value & shmask;
			d->var = tnum_rshift(a->var, (uint8_t)k);
			set_u(d, a->umin >> k, a->umax >> k);
		} else {
			set_u(d, 0, a->umax);
		}
		break;
	case EBPF_ALU_ARSH:
		if (tnum_is_const(b->var)) {
			k = b->var.value & shmask;
			d->var = tnum_arshift(a->var, (uint8_t)k, 64);
			d->smin = a->smin >> k;
			d->smax = a->smax >> k;
		} else {
			d->smin = a->smin < 0 ? a->smin : 0;
			d->smax = a->smax >= 0 ? a->smax : -1;
		}
		break;
	case EBPF_ALU_DIV:
		if (off == 1)
			break; /* signed division of unknowns: unknown */
		if (tnum_is_const(b->var)) {
			k = b->var.value;
			if (!k)
				vreg_mark_const(d, 0);
			else
				set_u(d, a->umin / k, a->umax / k);
		} else {
			set_u(d, 0, a->umax);
		}
		break;
	case EBPF_ALU_MOD:
		if (off == 1)
			break;
		if (tnum_is_const(b->var) && b->var.value) {
			k = b->var.value;
			if (a->umax < k)
				*d = *a;
			else
				set_u(d, 0, k - 1);
		} else if (b->umin > 0) {
			set_u(d, 0, MINV(a->umax, b->umax - 1));
		} else {
			set_u(d, 0, a->umax);
		}
		break;
	case EBPF_ALU_NEG:
		d->var = tnum_sub(tnum_const(0), a->var);
		if (a->smin != INT64_MIN) {
			d->smin = -a->smax;
			d->smax = -a->smin;
		}
		break;
	default:
		break;
	}
}

/* the low 32 bits of r as a 64-bit abstract value, zero- or sign-extended */
static void view32(struct vreg *v, const struct vreg *r, bool sign)
{
	vreg_mark_unknown(v);
	if (sign) {
		v->var = tnum_subreg(r->var);
		if (r->var.mask & 0x80000000u)
			v->var.mask |= 0xffffffff00000000ULL;
		else if (r->var.value & 0x80000000u)
			v->var.value |= 0xffffffff00000000ULL;
		v->smin = r->s32min;
		v->smax = r->s32max;
	} else {
		v->var = tnum_subreg(r->var);
		v->umin = r->u32min;
		v->umax = r->u32max;
	}
	vreg_sync(v);
}

static void movsx_abs(struct vreg *d, const struct vreg *s, unsigned bits)
{
	int64_t half = 1LL << (bits - 1);

	if (s->umax < (uint64_t)half) {
		*d = *s;
		return;
	}
	vreg_mark_unknown(d);
	d->smin = -half;
	d->smax = half - 1;
	vreg_sync(d);
}

void vscalar_alu(struct vreg *dst, const struct vreg *src, uint8_t op, bool is32, int16_t off)
{
	struct vreg a, b, d;
	bool sign = is32 && (op == EBPF_ALU_ARSH ||
			     (off == 1 && (op == EBPF_ALU_DIV || op == EBPF_ALU_MOD)));

	if (op == EBPF_ALU_MOV) {
		if (vreg_is_const(src)) {
			vreg_mark_const(dst, alu_concrete(op, is32, off, 0, src->var.value));
			return;
		}
		if (off && !is32) {
			movsx_abs(dst, src, (unsigned)off);
			return;
		}
		if (is32) {
			if (off) {
				view32(&a, src, false);
				movsx_abs(&d, &a, (unsigned)off);
				*dst = d;
			} else {
				*dst = *src;
			}
			dst->type = V_SCALAR;
			vreg_zext32(dst);
			return;
		}
		*dst = *src;
		return;
	}
	if (vreg_is_const(dst) && (op == EBPF_ALU_NEG || vreg_is_const(src))) {
		vreg_mark_const(dst, alu_concrete(op, is32, off, dst->var.value,
						  op == EBPF_ALU_NEG ? 0 : src->var.value));
		return;
	}
	if (is32) {
		view32(&a, dst, sign);
		if (op != EBPF_ALU_NEG)
			view32(&b, src, sign);
		else
			vreg_mark_const(&b, 0);
	} else {
		a = *dst;
		b = op == EBPF_ALU_NEG ? a : *src;
	}
	vreg_mark_unknown(&d);
	if (is32 && op == EBPF_ALU_ARSH && tnum_is_const(b.var)) {
		unsigned k = b.var.value & 31;
		d.var = tnum_arshift(tnum_subreg(dst->var), (uint8_t)k, 32);
		d.var.value &= U32_MAXV;
		d.var.mask &= U32_MAXV;
		d.s32min = dst->s32min >> k;
		d.s32max = dst->s32max >> k;
		if (!vreg_sync(&d))
			vreg_mark_unknown(&d);
		d.umax = MINV(d.umax, U32_MAXV);
		vreg_zext32(&d);
		*dst = d;
		return;
	}
	if (is32 && off == 1 && (op == EBPF_ALU_DIV || op == EBPF_ALU_MOD)) {
		vreg_mark_unknown(&d);
		vreg_zext32(&d);
		*dst = d;
		return;
	}
	abs_alu64(&d, &a, &b, op, off, is32 ? 31 : 63);
	if (!vreg_sync(&d))
		vreg_mark_unknown(&d); /* cannot happen with sound transfer functions */
	if (is32)
		vreg_zext32(&d);
	d.type = V_SCALAR;
	*dst = d;
}

static uint64_t bswap_bits(uint64_t v, unsigned bits)
{
	switch (bits) {
	case 16:
		return __builtin_bswap16((uint16_t)v);
	case 32:
		return __builtin_bswap32((uint32_t)v);
	default:
		return __builtin_bswap64(v);
	}
}

void vscalar_bswap(struct vreg *dst, unsigned bits, bool swap)
{
	struct tnum t = tnum_cast(dst->var, (uint8_t)(bits / 8));

	if (swap)
		t = TNUM(bswap_bits(t.value, bits), bswap_bits(t.mask, bits));
	vreg_mark_unknown(dst);
	dst->var = t;
	vreg_from_tnum(dst);
}

/* ---- branch refinement --------------------------------------------------------------------- */

struct view {
	uint64_t umin, umax, umaxv;
	int64_t smin, smax, sminv, smaxv;
	struct tnum var;
};

static void get_view(struct view *v, const struct vreg *r, bool is32)
{
	if (is32) {
		v->umin = r->u32min;
		v->umax = r->u32max;
		v->smin = r->s32min;
		v->smax = r->s32max;
		v->var = tnum_subreg(r->var);
		v->umaxv = U32_MAXV;
		v->sminv = INT32_MIN;
		v->smaxv = INT32_MAX;
	} else {
		v->umin = r->umin;
		v->umax = r->umax;
		v->smin = r->smin;
		v->smax = r->smax;
		v->var = r->var;
		v->umaxv = UINT64_MAX;
		v->sminv = INT64_MIN;
		v->smaxv = INT64_MAX;
	}
}

static bool put_view(struct vreg *r, const struct view *v, bool is32)
{
	bool empty = false;

	if (v->umin > v->umax || v->smin > v->smax)
		return false;
	if (is32) {
		struct tnum t = v->var;
		r->u32min = (uint32_t)v->umin;
		r->u32max = (uint32_t)v->umax;
		r->s32min = (int32_t)v->smin;
		r->s32max = (int32_t)v->smax;
		t.mask |= 0xffffffff00000000ULL;
		r->var = tnum_intersect(r->var, t, &empty);
	} else {
		r->umin = v->umin;
		r->umax = v->umax;
		r->smin = v->smin;
		r->smax = v->smax;
		r->var = tnum_intersect(r->var, v->var, &empty);
	}
	if (empty)
		return false;
	return vreg_sync(r);
}

static bool view_const(const struct view *v, uint64_t *c)
{
	if (!tnum_is_const(v->var))
		return false;
	*c = v->var.value;
	return true;
}

enum { JSET_NOT = 0xf0 }; /* internal op: (a & b) == 0 */

static uint8_t negate_op(uint8_t op)
{
	switch (op) {
	case EBPF_JMP_JEQ:
		return EBPF_JMP_JNE;
	case EBPF_JMP_JNE:
		return EBPF_JMP_JEQ;
	case EBPF_JMP_JGT:
		return EBPF_JMP_JLE;
	case EBPF_JMP_JLE:
		return EBPF_JMP_JGT;
	case EBPF_JMP_JGE:
		return EBPF_JMP_JLT;
	case EBPF_JMP_JLT:
		return EBPF_JMP_JGE;
	case EBPF_JMP_JSGT:
		return EBPF_JMP_JSLE;
	case EBPF_JMP_JSLE:
		return EBPF_JMP_JSGT;
	case EBPF_JMP_JSGE:
		return EBPF_JMP_JSLT;
	case EBPF_JMP_JSLT:
		return EBPF_JMP_JSGE;
	case EBPF_JMP_JSET:
		return JSET_NOT;
	default:
		return op;
	}
}

/* a > b (strict) or a >= b, unsigned */
static bool refine_ugt(struct view *a, struct view *b, bool strict)
{
	uint64_t d = strict ? 1 : 0;

	if (strict && (b->umin == a->umaxv || a->umax == 0))
		return false;
	a->umin = MAXV(a->umin, b->umin + d);
	b->umax = MINV(b->umax, a->umax - d);
	return a->umin <= a->umax && b->umin <= b->umax;
}

static bool refine_sgt(struct view *a, struct view *b, bool strict)
{
	int64_t d = strict ? 1 : 0;

	if (strict && (b->smin == a->smaxv || a->smax == a->sminv))
		return false;
	a->smin = MAXV(a->smin, b->smin + d);
	b->smax = MINV(b->smax, a->smax - d);
	return a->smin <= a->smax && b->smin <= b->smax;
}

static void ne_trim(struct view *a, uint64_t c, bool is32)
{
	int64_t sc = is32 ? (int64_t)(int32_t)(uint32_t)c : (int64_t)c;

	if (a->umin == c && a->umin < a->umax)
		a->umin++;
	else if (a->umax == c && a->umin < a->umax)
		a->umax--;
	if (a->smin == sc && a->smin < a->smax)
		a->smin++;
	else if (a->smax == sc && a->smin < a->smax)
		a->smax--;
}

bool vscalar_refine(struct vreg *dst, struct vreg *src, uint8_t op, bool is32, bool taken)
{
	struct view a, b;
	uint64_t c;
	bool empty = false;

	if (!taken)
		op = negate_op(op);
	get_view(&a, dst, is32);
	get_view(&b, src, is32);
	switch (op) {
	case EBPF_JMP_JEQ:
		a.umin = b.umin = MAXV(a.umin, b.umin);
		a.umax = b.umax = MINV(a.umax, b.umax);
		a.smin = b.smin = MAXV(a.smin, b.smin);
		a.smax = b.smax = MINV(a.smax, b.smax);
		a.var = b.var = tnum_intersect(a.var, b.var, &empty);
		if (empty)
			return false;
		break;
	case EBPF_JMP_JNE:
		if (tnum_is_const(a.var) && tnum_is_const(b.var) && a.var.value == b.var.value)
			return false;
		if (view_const(&b, &c))
			ne_trim(&a, c, is32);
		if (view_const(&a, &c))
			ne_trim(&b, c, is32);
		break;
	case EBPF_JMP_JGT:
		if (!refine_ugt(&a, &b, true))
			return false;
		break;
	case EBPF_JMP_JGE:
		if (!refine_ugt(&a, &b, false))
			return false;
		break;
	case EBPF_JMP_JLT:
		if (!refine_ugt(&b, &a, true))
			return false;
		break;
	case EBPF_JMP_JLE:
		if (!refine_ugt(&b, &a, false))
			return false;
		break;
	case EBPF_JMP_JSGT:
		if (!refine_sgt(&a, &b, true))
			return false;
		break;
	case EBPF_JMP_JSGE:
		if (!refine_sgt(&a, &b, false))
			return false;
		break;
	case EBPF_JMP_JSLT:
		if (!refine_sgt(&b, &a, true))
			return false;
		break;
	case EBPF_JMP_JSLE:
		if (!refine_sgt(&b, &a, false))
			return false;
		break;
	case EBPF_JMP_JSET:
		if (view_const(&b, &c)) {
			if (!((a.var.value | a.var.mask) & c))
				return false;
			if (c && !(c & (c - 1)))
				a.var = TNUM(a.var.value | c, a.var.mask & ~c);
		} else if (view_const(&a, &c)) {
			if (!((b.var.value | b.var.mask) & c))
				return false;
		}
		break;
	case JSET_NOT:
		if (view_const(&b, &c)) {
			if (a.var.value & c)
				return false;
			a.var.mask &= ~c;
		} else if (view_const(&a, &c)) {
			if (b.var.value & c)
				return false;
			b.var.mask &= ~c;
		}
		break;
	default:
		return true;
	}
	if (!put_view(dst, &a, is32))
		return false;
	if (!put_view(src, &b, is32))
		return false;
	return true;
}

int vscalar_branch_known(const struct vreg *dst, const struct vreg *src, uint8_t op, bool is32)
{
	struct vreg a = *dst, b = *src;
	bool t, f;

	t = vscalar_refine(&a, &b, op, is32, true);
	a = *dst;
	b = *src;
	f = vscalar_refine(&a, &b, op, is32, false);
	if (t && !f)
		return 1;
	if (!t && f)
		return 0;
	return -1;
}

/* ---- states ------------------------------------------------------------------------------ */

int vframe_grow(struct vframe *f, unsigned nslots)
{
	struct vslot *s;

	if (nslots <= f->nslots)
		return 0;
	s = realloc(f->slots, nslots * sizeof(*s));
	if (!s)
		return -ENOMEM;
	memset(s + f->nslots, 0, (nslots - f->nslots) * sizeof(*s));
	for (unsigned i = f->nslots; i < nslots; i++)
		vreg_mark_not_init(&s[i].spill);
	f->slots = s;
	f->nslots = (uint16_t)nslots;
	return 0;
}

void vstate_free(struct vstate *s)
{
	for (unsigned i = 0; i < MAX_FRAMES; i++) {
		free(s->frames[i].slots);
		s->frames[i].slots = NULL;
		s->frames[i].nslots = 0;
	}
}

int vstate_copy(struct vstate *dst, const struct vstate *src)
{
	dst->curframe = src->curframe;
	dst->nrefs = src->nrefs;
	memcpy(dst->refs, src->refs, sizeof(dst->refs));
	for (unsigned i = 0; i < MAX_FRAMES; i++) {
		struct vframe *d = &dst->frames[i];
		const struct vframe *f = &src->frames[i];

		if (i > src->curframe || !f->nslots) {
			free(d->slots);
			d->slots = NULL;
			d->nslots = 0;
			if (i > src->curframe)
				continue;
		} else if (d->nslots != f->nslots) {
			struct vslot *sl = realloc(d->slots, f->nslots * sizeof(*sl));
			if (!sl)
				return -ENOMEM;
			d->slots = sl;
			d->nslots = f->nslots;
		}
		memcpy(d->regs, f->regs, sizeof(d->regs));
		d->callsite = f->callsite;
		d->subprog = f->subprog;
		if (f->nslots)
			memcpy(d->slots, f->slots, f->nslots * sizeof(struct vslot));
	}
	return 0;
}

static size_t snapshot_layout(const struct vstate *src, size_t *hdr, size_t *off)
{
	size_t nslots = 0;

	*hdr = (*hdr + 15) & ~(size_t)15;
	for (unsigned i = 0; i <= src->curframe; i++)
		nslots += src->frames[i].nslots;
	*off = *hdr + offsetof(struct vstate, frames) + (src->curframe + 1) * sizeof(struct vframe);
	*off = (*off + 15) & ~(size_t)15;
	return *off + nslots * sizeof(struct vslot);
}

size_t vstate_snapshot_size(const struct vstate *src, size_t hdr)
{
	size_t off;

	return snapshot_layout(src, &hdr, &off);
}

struct vstate *vstate_snapshot_to(void *block, const struct vstate *src, size_t hdr,
				  const uint16_t *live)
{
	size_t off;
	struct vstate *st;
	struct vslot *sl;
	char *b = block;

	snapshot_layout(src, &hdr, &off);
	st = (struct vstate *)(b + hdr);
	sl = (struct vslot *)(b + off);
	if (!live) {
		memcpy(st, src,
		       offsetof(struct vstate, frames) +
			   (src->curframe + 1) * sizeof(struct vframe));
	} else {
		memcpy(st, src, offsetof(struct vstate, frames));
		for (unsigned i = 0; i <= src->curframe; i++) {
			struct vframe *d = &st->frames[i];
			const struct vframe *f = &src->frames[i];
			d->callsite = f->callsite;
			d->subprog = f->subprog;
			d->nslots = f->nslots;
			for (unsigned r = 0; r < EBPF_NREGS; r++) {
				if (live[i] & (1u << r))
					d->regs[r] = f->regs[r];
				else
					d->regs[r].type = V_NOT_INIT;
			}
		}
	}
	for (unsigned i = 0; i <= src->curframe; i++) {
		unsigned n = src->frames[i].nslots;
		st->frames[i].slots = n ? sl : NULL;
		if (n)
			memcpy(sl, src->frames[i].slots, n * sizeof(*sl));
		sl += n;
	}
	return st;
}

struct idmap {
	unsigned n;
	uint32_t old[64], cur[64];
};

static bool idmap_check(struct idmap *m, uint32_t old, uint32_t cur)
{
	if (!old && !cur)
		return true;
	if (!old || !cur)
		return false;
	for (unsigned i = 0; i < m->n; i++) {
		if (m->old[i] == old)
			return m->cur[i] == cur;
		if (m->cur[i] == cur)
			return false;
	}
	if (m->n == 64)
		return false;
	m->old[m->n] = old;
	m->cur[m->n++] = cur;
	return true;
}

static bool range_in(const struct vreg *o, const struct vreg *c)
{
	return o->umin <= c->umin && c->umax <= o->umax && o->smin <= c->smin &&
	       c->smax <= o->smax && o->u32min <= c->u32min && c->u32max <= o->u32max &&
	       o->s32min <= c->s32min && c->s32max <= o->s32max && tnum_in(o->var, c->var);
}

static bool range_eq(const struct vreg *o, const struct vreg *c)
{
	return o->umin == c->umin && c->umax == o->umax && o->smin == c->smin &&
	       c->smax == o->smax && o->u32min == c->u32min && c->u32max == o->u32max &&
	       o->s32min == c->s32min && c->s32max == o->s32max && o->var.value == c->var.value &&
	       o->var.mask == c->var.mask;
}

bool vreg_subsumes(const struct vreg *old, const struct vreg *cur, void *idmapv, bool exact)
{
	struct idmap *idmap = idmapv;

	if (exact) {
		if (old->type != cur->type)
			return false;
		if (old->type == V_NOT_INIT)
			return true;
	} else if (old->type == V_NOT_INIT) {
		return true;
	}
	if (old->type != cur->type)
		return false;
	/* an imprecise scalar's value mattered nowhere below the old state
	 * (verifier_precision.c): any scalar will do */
	if (old->type == V_SCALAR && !exact && !old->precise)
		return true;
	if (!(exact ? range_eq(old, cur) : range_in(old, cur)))
		return false;
	if (old->type == V_SCALAR)
		return true;
	if (old->off != cur->off || old->map != cur->map || old->mem_size != cur->mem_size ||
	    old->frameno != cur->frameno || old->mem_rdonly != cur->mem_rdonly)
		return false;
	if (exact ? old->range != cur->range : old->range > cur->range)
		return false;
	if (!idmap_check(idmap, old->id, cur->id))
		return false;
	if (!idmap_check(idmap, old->ref_obj_id, cur->ref_obj_id))
		return false;
	return true;
}

static bool slot_byte_init(uint8_t t)
{
	return t != STK_INVALID;
}

static bool frame_subsumes(const struct vframe *o, const struct vframe *c, uint16_t live,
			   struct idmap *idmap, bool exact)
{
	unsigned n = MAXV(o->nslots, c->nslots);

	for (unsigned r = 0; r < EBPF_NREGS; r++) {
		if (!(live & (1u << r)))
			continue;
		if (!vreg_subsumes(&o->regs[r], &c->regs[r], idmap, exact))
			return false;
	}
	for (unsigned s = 0; s < n; s++) {
		static const uint8_t none[8];
		const uint8_t *ot = s < o->nslots ? o->slots[s].stype : none;
		const uint8_t *ct = s < c->nslots ? c->slots[s].stype : none;
		bool ospill = false, cspill = false;

		for (unsigned b = 0; b < 8; b++) {
			if (ot[b] == STK_SPILL)
				ospill = true;
			if (ct[b] == STK_SPILL)
				cspill = true;
			if (exact) {
				if (ot[b] != ct[b])
					return false;
				continue;
			}
			if (ot[b] == STK_INVALID)
				continue;
			if (!slot_byte_init(ct[b]))
				return false;
			if (ot[b] == STK_ZERO && ct[b] != STK_ZERO)
				return false;
			if (ot[b] == STK_MISC && ct[b] == STK_SPILL &&
			    c->slots[s].spill.type != V_SCALAR)
				return false;
			if (ot[b] == STK_SPILL && ct[b] != STK_SPILL)
				return false;
		}
		if (ospill && cspill && ot[0] == STK_SPILL) {
			if (!vreg_subsumes(&o->slots[s].spill, &c->slots[s].spill, idmap, exact))
				return false;
		}
	}
	return true;
}

bool vstate_subsumes(const struct vstate *old, const struct vstate *cur,
		     const uint16_t *live_per_frame, bool exact)
{
	struct idmap idmap = {0};

	if (old->curframe != cur->curframe || old->nrefs != cur->nrefs)
		return false;
	/* the live masks of the callers' frames depend on the call sites: all must match before
	 * any register is compared (a stored state keeps only the registers live there) */
	for (unsigned i = 0; i <= old->curframe; i++)
		if (old->frames[i].callsite != cur->frames[i].callsite)
			return false;
	for (unsigned i = 0; i <= old->curframe; i++) {
		if (!frame_subsumes(&old->frames[i], &cur->frames[i], live_per_frame[i], &idmap,
				    exact))
			return false;
	}
	for (unsigned i = 0; i < old->nrefs; i++)
		if (!idmap_check(&idmap, old->refs[i], cur->refs[i]))
			return false;
	return true;
}

static uint64_t mix(uint64_t h, uint64_t v)
{
	h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
	return h * 0xff51afd7ed558ccdULL;
}

static uint64_t reg_hash(uint64_t h, const struct vreg *r)
{
	h = mix(h, r->type);
	if (r->type == V_NOT_INIT)
		return h;
	h = mix(h, (uint64_t)(uint32_t)r->off << 32 | r->range);
	h = mix(h, r->var.value);
	h = mix(h, r->var.mask);
	h = mix(h, r->umin);
	h = mix(h, r->umax);
	h = mix(h, (uint64_t)r->smin);
	h = mix(h, (uint64_t)r->smax);
	h = mix(h, (uintptr_t)r->map);
	return mix(h, (uint64_t)r->mem_size << 8 | r->frameno);
}

uint64_t vstate_hash(const struct vstate *s, const uint16_t *live_per_frame)
{
	uint64_t h = mix(s->curframe, s->nrefs);

	for (unsigned f = 0; f <= s->curframe; f++) {
		const struct vframe *fr = &s->frames[f];
		unsigned n = fr->nslots;
		h = mix(h, (uint64_t)(uint32_t)fr->callsite);
		for (unsigned r = 0; r < EBPF_NREGS; r++)
			if (live_per_frame[f] & (1u << r))
				h = reg_hash(h, &fr->regs[r]);
		/* trailing never-written slots do not count (exact comparison treats a missing
		 * slot as invalid bytes) */
		while (n && !memcmp(fr->slots[n - 1].stype, "\0\0\0\0\0\0\0\0", 8))
			n--;
		for (unsigned k = 0; k < n; k++) {
			uint64_t t;
			memcpy(&t, fr->slots[k].stype, 8);
			h = mix(h, t);
			if (fr->slots[k].stype[0] == STK_SPILL)
				h = reg_hash(h, &fr->slots[k].spill);
		}
	}
	return h;
}
