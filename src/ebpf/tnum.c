/* tnum.c: "tristate numbers" for the verifier: a 64-bit value of which some bits are known
 * (value) and some unknown (mask), with the arithmetic the abstract interpreter needs. A bit set
 * in mask is unknown and its value bit is 0. The ranges in struct vreg and these known bits
 * refine each other (verifier_state.c). */
#include <stdio.h>

#include "ebpf/verifier_internal.h"

const struct tnum tnum_unknown = {.value = 0, .mask = ~0ULL};

struct tnum tnum_const(uint64_t v)
{
	return TNUM(v, 0);
}

/* smallest tnum containing [min, max]: the common high bits are known */
struct tnum tnum_range(uint64_t min, uint64_t max)
{
	uint64_t chi = min ^ max, delta;
	int bits;

	if (min > max)
		return tnum_unknown;
	if (!chi)
		return tnum_const(min);
	bits = 64 - __builtin_clzll(chi);
	if (bits > 63)
		return tnum_unknown;
	delta = (1ULL << bits) - 1;
	return TNUM(min & ~delta, delta);
}

struct tnum tnum_lshift(struct tnum a, uint8_t shift)
{
	return TNUM(a.value << shift, a.mask << shift);
}

struct tnum tnum_rshift(struct tnum a, uint8_t shift)
{
	return TNUM(a.value >> shift, a.mask >> shift);
}

struct tnum tnum_arshift(struct tnum a, uint8_t shift, uint8_t insn_bitness)
{
	if (insn_bitness == 32)
		return TNUM((uint32_t)((int32_t)(uint32_t)a.value >> shift),
			    (uint32_t)((int32_t)(uint32_t)a.mask >> shift));
	return TNUM((uint64_t)((int64_t)a.value >> shift), (uint64_t)((int64_t)a.mask >> shift));
}

struct tnum tnum_add(struct tnum a, struct tnum b)
{
	uint64_t sm = a.mask + b.mask, sv = a.value + b.value;
	uint64_t sigma = sm + sv, chi = sigma ^ sv;
	uint64_t mu = chi | a.mask | b.mask;

	return TNUM(sv & ~mu, mu);
}

struct tnum tnum_sub(struct tnum a, struct tnum b)
{
	uint64_t dv = a.value - b.value;
	uint64_t alpha = dv + a.mask, beta = dv - b.mask;
	uint64_t chi = alpha ^ beta, mu = chi | a.mask | b.mask;

	return TNUM(dv & ~mu, mu);
}

struct tnum tnum_and(struct tnum a, struct tnum b)
{
	uint64_t alpha = a.value | a.mask, beta = b.value | b.mask;
	uint64_t v = a.value & b.value;

	return TNUM(v, alpha & beta & ~v);
}

struct tnum tnum_or(struct tnum a, struct tnum b)
{
	uint64_t v = a.value | b.value, mu = a.mask | b.mask;

	return TNUM(v, mu & ~v);
}

struct tnum tnum_xor(struct tnum a, struct tnum b)
{
	uint64_t v = a.value ^ b.value, mu = a.mask | b.mask;

	return TNUM(v & ~mu, mu);
}

/* long multiplication over the bits of a: known one bits add b, unknown bits add b's bits as
 * unknown */
struct tnum tnum_mul(struct tnum a, struct tnum b)
{
	struct tnum acc_v = tnum_const(a.value * b.value);
	struct tnum acc_m = tnum_const(0);

	while (a.value || a.mask) {
		if (a.value & 1)
			acc_m = tnum_add(acc_m, TNUM(0, b.mask));
		else if (a.mask & 1)
			acc_m = tnum_add(acc_m, TNUM(0, b.value | b.mask));
		a = tnum_rshift(a, 1);
		b = tnum_lshift(b, 1);
	}
	return tnum_add(acc_v, acc_m);
}

struct tnum tnum_intersect(struct tnum a, struct tnum b, bool *empty)
{
	uint64_t known_both = ~a.mask & ~b.mask;

	if (empty)
		*empty = ((a.value ^ b.value) & known_both) != 0;
	return TNUM((a.value | b.value) & ~(a.mask & b.mask), a.mask & b.mask);
}

struct tnum tnum_cast(struct tnum a, uint8_t size)
{
	if (size >= 8)
		return a;
	a.value &= (1ULL << (size * 8)) - 1;
	a.mask &= (1ULL << (size * 8)) - 1;
	return a;
}

bool tnum_is_const(struct tnum a)
{
	return !a.mask;
}

bool tnum_is_unknown(struct tnum a)
{
	return !~a.mask;
}

bool tnum_in(struct tnum a, struct tnum b)
{
	if (b.mask & ~a.mask)
		return false;
	b.value &= ~a.mask;
	return a.value == b.value;
}

bool tnum_equals_const(struct tnum a, uint64_t b)
{
	return !a.mask && a.value == b;
}

struct tnum tnum_subreg(struct tnum a)
{
	return tnum_cast(a, 4);
}

int tnum_sbin(char *buf, size_t len, struct tnum a)
{
	return snprintf(buf, len, "(0x%llx; 0x%llx)", (unsigned long long)a.value,
			(unsigned long long)a.mask);
}
