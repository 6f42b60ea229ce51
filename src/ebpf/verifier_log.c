/* verifier_log.c: the verifier's log and the text form of abstract registers, as they appear
 * in refusal messages ("R1=map_value(off=4,vs=8) R2=scalar(umax=255,var=(0x0; 0xff))") and in
 * the step-by-step log of `bulwark verify --log`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ebpf/verifier_internal.h"

void vlog_printf(struct vlog *l, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (l->oom)
		return;
	for (;;) {
		size_t room = l->cap - l->len;
		va_start(ap, fmt);
		n = vsnprintf(l->buf ? l->buf + l->len : NULL, room, fmt, ap);
		va_end(ap);
		if (n < 0)
			return;
		if ((size_t)n < room) {
			l->len += (size_t)n;
			return;
		}
		size_t cap = l->cap ? l->cap * 2 : 4096;
		while (cap < l->len + (size_t)n + 1)
			cap *= 2;
		if (cap > (256u << 20)) {
			l->oom = true; /* log limit: 256 MiB */
			return;
		}
		char *b = realloc(l->buf, cap);
		if (!b) {
			l->oom = true;
			return;
		}
		l->buf = b;
		l->cap = cap;
	}
}

const char *vtype_name(uint8_t t)
{
	static const char *const names[] = {
	    [V_NOT_INIT] = "uninit",
	    [V_SCALAR] = "scalar",
	    [V_PTR_CTX] = "ctx",
	    [V_PTR_STACK] = "fp",
	    [V_PTR_MAP_VALUE] = "map_value",
	    [V_PTR_MAP_VALUE_OR_NULL] = "map_value_or_null",
	    [V_CONST_MAP_PTR] = "map_ptr",
	    [V_PTR_PACKET] = "pkt",
	    [V_PTR_PACKET_END] = "pkt_end",
	    [V_PTR_PACKET_META] = "pkt_meta",
	    [V_PTR_MEM] = "mem",
	    [V_PTR_MEM_OR_NULL] = "mem_or_null",
	};
	return t < sizeof(names) / sizeof(names[0]) && names[t] ? names[t] : "?";
}

/* the variable part: "umin=..,umax=..,smin=..,..." only where it says something */
static int fmt_var(char *buf, size_t len, const struct vreg *r, bool scalar)
{
	size_t n = 0;
	const char *sep = "";

	if (len)
		buf[0] = 0;

#define P(...)                                                                  \
	do {                                                                    \
		int k_ = snprintf(buf + n, n < len ? len - n : 0, __VA_ARGS__); \
		if (k_ > 0)                                                     \
			n += (size_t)k_;                                        \
	} while (0)
	if (tnum_is_const(r->var)) {
		if (scalar)
			P("%lld", (long long)r->var.value);
		else if (r->var.value)
			P("%svar=%lld", sep, (long long)r->var.value);
		return (int)n;
	}
	if (r->smin != INT64_MIN) {
		P("%ssmin=%lld", sep, (long long)r->smin);
		sep = ",";
	}
	if (r->smax != INT64_MAX) {
		P("%ssmax=%lld", sep, (long long)r->smax);
		sep = ",";
	}
	if (r->umin) {
		P("%sumin=%llu", sep, (unsigned long long)r->umin);
		sep = ",";
	}
	if (r->umax != UINT64_MAX) {
		P("%sumax=%llu", sep, (unsigned long long)r->umax);
		sep = ",";
	}
	if (r->umax > UINT32_MAX || r->umin > UINT32_MAX) {
		if (r->s32min != INT32_MIN) {
			P("%ss32min=%d", sep, r->s32min);
			sep = ",";
		}
		if (r->s32max != INT32_MAX) {
			P("%ss32max=%d", sep, r->s32max);
			sep = ",";
		}
		if (r->u32min) {
			P("%su32min=%u", sep, r->u32min);
			sep = ",";
		}
		if (r->u32max != UINT32_MAX) {
			P("%su32max=%u", sep, r->u32max);
			sep = ",";
		}
	}
	if (!tnum_is_unknown(r->var)) {
		P("%svar=(0x%llx; 0x%llx)", sep, (unsigned long long)r->var.value,
		  (unsigned long long)r->var.mask);
	}
	return (int)n;
}

int vreg_format(char *buf, size_t len, const struct vreg *r)
{
	size_t n = 0;
	char var[256];

	if (r->type == V_NOT_INIT)
		return snprintf(buf, len, "uninit");
	if (r->type == V_SCALAR) {
		fmt_var(var, sizeof(var), r, true);
		if (tnum_is_const(r->var) || !var[0])
			return snprintf(buf, len, "%s", var[0] ? var : "scalar");
		return snprintf(buf, len, "scalar(%s)", var);
	}
	fmt_var(var, sizeof(var), r, false);
	P("%s(", vtype_name(r->type));
	P("off=%d", r->off);
	if (var[0])
		P(",%s", var);
	if (r->id)
		P(",id=%u", r->id);
	if (r->type == V_PTR_PACKET || r->type == V_PTR_PACKET_META)
		P(",r=%u", r->range);
	if (r->type == V_PTR_STACK)
		P(",frame=%u", r->frameno);
	if (r->type == V_PTR_MAP_VALUE || r->type == V_PTR_MAP_VALUE_OR_NULL)
		P(",vs=%u", r->mem_size);
	if (r->type == V_PTR_MEM || r->type == V_PTR_MEM_OR_NULL)
		P(",size=%u", r->mem_size);
	if (r->ref_obj_id)
		P(",ref=%u", r->ref_obj_id);
	P(")");
	return (int)n;
#undef P
}

int vstate_format_regs(char *buf, size_t len, const struct vstate *s, uint16_t mask)
{
	const struct vframe *f = &s->frames[s->curframe];
	size_t n = 0;
	char one[400];

	if (len)
		buf[0] = 0;
	for (unsigned r = 0; r < EBPF_NREGS; r++) {
		if (!(mask & (1u << r)))
			continue;
		vreg_format(one, sizeof(one), &f->regs[r]);
		int k = snprintf(buf + n, n < len ? len - n : 0, "%sR%u=%s", n ? " " : "", r, one);
		if (k > 0)
			n += (size_t)k;
	}
	return (int)n;
}
