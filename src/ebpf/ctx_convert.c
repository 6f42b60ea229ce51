/* ctx_convert.c: context conversion after the verifier accepted a program.
 *
 * Programs see a program type's context as Linux defines it (struct xdp_md: 4-byte data,
 * data_end, ...); bulwark's runtime context keeps the same fields at other offsets and sizes
 * (64-bit pointers). The verifier recorded, for every load and store that went through the
 * context pointer, which field it touched (the same on every path, else it refused); this
 * rewrites each such instruction to the runtime field (struct ebpf_ctx_field real_off/real_size).
 * Pointer fields become 8-byte loads; narrower loads of scalar fields keep their size and read
 * the low bytes of the runtime field (little-endian). */
#include <errno.h>

#include "ebpf/interp.h"
#include "ebpf/verifier_internal.h"

static uint8_t size_code(unsigned size)
{
	switch (size) {
	case 1:
		return EBPF_SIZE_B;
	case 2:
		return EBPF_SIZE_H;
	case 4:
		return EBPF_SIZE_W;
	default:
		return EBPF_SIZE_DW;
	}
}

static unsigned code_size(uint8_t code)
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

int vctx_convert(struct venv *env)
{
	const struct ebpf_prog_type *t = env->type;
	bool changed = false;

	for (uint32_t pc = 0; pc < env->n; pc++) {
		struct ebpf_insn *i = &env->prog->insns[pc];
		const struct ebpf_ctx_field *f;
		unsigned size;
		int64_t off;

		if (!(env->aux[pc].flags & AUX_CTX_ACCESS))
			continue;
		f = &t->fields[env->aux[pc].ctx_field];
		size = code_size(i->code);
		env->pc = pc;
		if (EBPF_CLASS(i->code) == EBPF_CLASS_LDX) {
			if (f->kind != EBPF_CTX_SCALAR) {
				if (f->real_size != 8)
					return venv_refuse(env, 0,
							   "context field %s: runtime pointer "
							   "field is not 8 bytes",
							   f->name);
				i->code = (uint8_t)(EBPF_CLASS_LDX | EBPF_MODE_MEM | EBPF_SIZE_DW);
				off = f->real_off;
			} else {
				if (env->aux[pc].ctx_delta + size > f->real_size)
					return venv_refuse(env, 0,
							   "context field %s: cannot convert a "
							   "%u-byte load at +%d",
							   f->name, size, env->aux[pc].ctx_delta);
				off = (int64_t)f->real_off + env->aux[pc].ctx_delta;
				i->code = (uint8_t)(EBPF_CLASS_LDX | EBPF_MODE(i->code) |
						    size_code(size));
			}
		} else {
			if (f->real_size != f->size || size != f->size)
				return venv_refuse(env, 0,
						   "context field %s: store of %u bytes into a "
						   "%u-byte runtime field",
						   f->name, size, f->real_size);
			off = f->real_off;
		}
		if (off > INT16_MAX)
			return venv_refuse(env, 0, "context field %s: runtime offset too large",
					   f->name);
		if (i->off != (int16_t)off || i->code != env->insns[pc].code)
			changed = true;
		i->off = (int16_t)off;
		changed = true;
		/* the access went through base register + its fixed offset: the verifier only
		 * accepts ctx accesses with the field's offset in the instruction when the base
		 * register's own offset is 0 */
	}
	/* an interpreter form decoded from the instructions before the rewrite is stale */
	if (changed)
		ebpf_interp_reset(env->prog);
	return 0;
}
