/* x86_emit.c: x86-64 instruction encoder used by the eBPF JIT (jit_x86.c); see x86_emit.h.
 * Every byte goes through x86_u8(), which refuses to write past the buffer's capacity. */
#include "ebpf/x86_emit.h"

void x86_u8(struct x86_buf *b, uint8_t v)
{
	if (b->len >= b->cap) {
		b->overflow = true;
		return;
	}
	if (b->p)
		b->p[b->len] = v;
	b->len++;
}

void x86_u32(struct x86_buf *b, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		x86_u8(b, (uint8_t)(v >> (8 * i)));
}

void x86_u64(struct x86_buf *b, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		x86_u8(b, (uint8_t)(v >> (8 * i)));
}

static void x86_u16(struct x86_buf *b, uint16_t v)
{
	x86_u8(b, (uint8_t)v);
	x86_u8(b, (uint8_t)(v >> 8));
}

static bool fits8(int64_t v)
{
	return v >= -128 && v <= 127;
}

/* prefixes, REX and opcode. byte_reg / byte_rm: that operand is a byte register (spl, bpl, sil
 * and dil need a REX prefix to be addressable). */
static void x86_head(struct x86_buf *b, int w, uint32_t op, int reg, int index, int rm,
		     bool byte_reg, bool byte_rm)
{
	uint8_t rex = 0x40;

	if (w == 2)
		x86_u8(b, 0x66);
	if (w == 8)
		rex |= 0x08;
	if (reg & 8)
		rex |= 0x04;
	if (index & 8)
		rex |= 0x02;
	if (rm & 8)
		rex |= 0x01;
	if (rex != 0x40 || (byte_reg && reg >= 4 && reg <= 7) || (byte_rm && rm >= 4 && rm <= 7))
		x86_u8(b, rex);
	if (op > 0xffff)
		x86_u8(b, (uint8_t)(op >> 16));
	if (op > 0xff)
		x86_u8(b, (uint8_t)(op >> 8));
	x86_u8(b, (uint8_t)op);
}

static void x86_modrm_mem(struct x86_buf *b, int reg, int base, int32_t disp)
{
	int mod = (disp == 0 && (base & 7) != 5) ? 0 : fits8(disp) ? 1 : 2;

	x86_u8(b, (uint8_t)(mod << 6 | (reg & 7) << 3 | (base & 7)));
	if ((base & 7) == 4)
		x86_u8(b, 0x24); /* SIB: no index, base */
	if (mod == 1)
		x86_u8(b, (uint8_t)disp);
	else if (mod == 2)
		x86_u32(b, (uint32_t)disp);
}

static void x86_rr_ex(struct x86_buf *b, int w, uint32_t op, int reg, int rm, bool byte_reg,
		      bool byte_rm)
{
	x86_head(b, w, op, reg, 0, rm, byte_reg, byte_rm);
	x86_u8(b, (uint8_t)(0xc0 | (reg & 7) << 3 | (rm & 7)));
}

static void x86_rm_ex(struct x86_buf *b, int w, uint32_t op, int reg, int base, int32_t disp,
		      bool byte_reg)
{
	x86_head(b, w, op, reg, 0, base, byte_reg, false);
	x86_modrm_mem(b, reg, base, disp);
}

void x86_op_rr(struct x86_buf *b, int w, uint32_t op, int reg, int rm)
{
	x86_rr_ex(b, w, op, reg, rm, w == 1, w == 1);
}

void x86_op_rm(struct x86_buf *b, int w, uint32_t op, int reg, int base, int32_t disp)
{
	x86_rm_ex(b, w, op, reg, base, disp, w == 1);
}

void x86_alu_rr(struct x86_buf *b, enum x86_alu op, int w, int dst, int src)
{
	x86_op_rr(b, w, op, src, dst);
}

void x86_alu_ri(struct x86_buf *b, enum x86_ext ext, int w, int dst, int32_t imm)
{
	if (fits8(imm)) {
		x86_rr_ex(b, w, 0x83, ext, dst, false, false);
		x86_u8(b, (uint8_t)imm);
	} else if (dst == X86_RAX) {
		/* short accumulator form: op eax/rax, imm32 */
		if (w == 8)
			x86_u8(b, 0x48);
		x86_u8(b, (uint8_t)(ext << 3 | 5));
		x86_u32(b, (uint32_t)imm);
	} else {
		x86_rr_ex(b, w, 0x81, ext, dst, false, false);
		x86_u32(b, (uint32_t)imm);
	}
}

void x86_mov_rr(struct x86_buf *b, int w, int dst, int src)
{
	x86_op_rr(b, w, X86_MOV, src, dst);
}

void x86_mov_ri32(struct x86_buf *b, int dst, uint32_t imm)
{
	if (dst & 8)
		x86_u8(b, 0x41);
	x86_u8(b, (uint8_t)(0xb8 | (dst & 7)));
	x86_u32(b, imm);
}

void x86_mov_ri_sx(struct x86_buf *b, int dst, int32_t imm)
{
	x86_rr_ex(b, 8, 0xc7, 0, dst, false, false);
	x86_u32(b, (uint32_t)imm);
}

void x86_movabs(struct x86_buf *b, int dst, uint64_t imm)
{
	x86_u8(b, (uint8_t)(0x48 | (dst >> 3)));
	x86_u8(b, (uint8_t)(0xb8 | (dst & 7)));
	x86_u64(b, imm);
}

void x86_mov_ri64(struct x86_buf *b, int dst, uint64_t imm)
{
	if (imm == 0)
		x86_alu_rr(b, X86_XOR, 4, dst, dst);
	else if (imm <= 0xffffffffu)
		x86_mov_ri32(b, dst, (uint32_t)imm);
	else if ((int64_t)imm >= INT32_MIN && (int64_t)imm <= INT32_MAX)
		x86_mov_ri_sx(b, dst, (int32_t)imm);
	else
		x86_movabs(b, dst, imm);
}

void x86_imul_rr(struct x86_buf *b, int w, int dst, int src)
{
	x86_op_rr(b, w, 0x0faf, dst, src);
}

void x86_imul_rri(struct x86_buf *b, int w, int dst, int src, int32_t imm)
{
	if (fits8(imm)) {
		x86_op_rr(b, w, 0x6b, dst, src);
		x86_u8(b, (uint8_t)imm);
	} else {
		x86_op_rr(b, w, 0x69, dst, src);
		x86_u32(b, (uint32_t)imm);
	}
}

void x86_shift_ri(struct x86_buf *b, enum x86_ext ext, int w, int dst, uint8_t n)
{
	if (n == 1) {
		x86_rr_ex(b, w, 0xd1, ext, dst, false, false);
	} else {
		x86_rr_ex(b, w, 0xc1, ext, dst, false, false);
		x86_u8(b, n);
	}
}

void x86_shift_rcl(struct x86_buf *b, enum x86_ext ext, int w, int dst)
{
	x86_rr_ex(b, w, 0xd3, ext, dst, false, false);
}

void x86_unary_r(struct x86_buf *b, enum x86_ext ext, int w, int r)
{
	x86_rr_ex(b, w, 0xf7, ext, r, false, false);
}

void x86_bswap_r(struct x86_buf *b, int w, int r)
{
	x86_head(b, w, 0x0fc8 | (r & 7), 0, 0, r, false, false);
}

void x86_rol16_8(struct x86_buf *b, int r)
{
	x86_rr_ex(b, 2, 0xc1, 0, r, false, false);
	x86_u8(b, 8);
}

void x86_movzx_rr(struct x86_buf *b, int from, int dst, int src)
{
	x86_rr_ex(b, 4, from == 1 ? 0x0fb6 : 0x0fb7, dst, src, false, from == 1);
}

void x86_movsx_rr(struct x86_buf *b, int w, int from, int dst, int src)
{
	if (from == 4)
		x86_rr_ex(b, 8, 0x63, dst, src, false, false);
	else
		x86_rr_ex(b, w, from == 1 ? 0x0fbe : 0x0fbf, dst, src, false, from == 1);
}

void x86_test_ri(struct x86_buf *b, int w, int r, int32_t imm)
{
	if (imm >= 0 && imm <= 0xff) {
		/* test r8, imm8: same flags for ZF when the mask has no bit above 7 */
		x86_rr_ex(b, 1, 0xf6, 0, r, false, true);
		x86_u8(b, (uint8_t)imm);
	} else if (r == X86_RAX) {
		if (w == 8)
			x86_u8(b, 0x48);
		x86_u8(b, 0xa9);
		x86_u32(b, (uint32_t)imm);
	} else {
		x86_rr_ex(b, w, 0xf7, 0, r, false, false);
		x86_u32(b, (uint32_t)imm);
	}
}

void x86_load(struct x86_buf *b, int size, bool sx, int dst, int base, int32_t disp)
{
	switch (size) {
	case 1:
		x86_rm_ex(b, sx ? 8 : 4, sx ? 0x0fbe : 0x0fb6, dst, base, disp, false);
		break;
	case 2:
		x86_rm_ex(b, sx ? 8 : 4, sx ? 0x0fbf : 0x0fb7, dst, base, disp, false);
		break;
	case 4:
		x86_rm_ex(b, sx ? 8 : 4, sx ? 0x63 : 0x8b, dst, base, disp, false);
		break;
	default:
		x86_rm_ex(b, 8, 0x8b, dst, base, disp, false);
		break;
	}
}

void x86_store_r(struct x86_buf *b, int size, int base, int32_t disp, int src)
{
	x86_rm_ex(b, size, size == 1 ? 0x88 : 0x89, src, base, disp, size == 1);
}

void x86_store_i(struct x86_buf *b, int size, int base, int32_t disp, int32_t imm)
{
	x86_rm_ex(b, size, size == 1 ? 0xc6 : 0xc7, 0, base, disp, false);
	if (size == 1)
		x86_u8(b, (uint8_t)imm);
	else if (size == 2)
		x86_u16(b, (uint16_t)imm);
	else
		x86_u32(b, (uint32_t)imm);
}

void x86_lea(struct x86_buf *b, int dst, int base, int32_t disp)
{
	x86_rm_ex(b, 8, 0x8d, dst, base, disp, false);
}

void x86_lock_alu_mr(struct x86_buf *b, enum x86_alu op, int w, int base, int32_t disp, int src)
{
	x86_u8(b, 0xf0);
	x86_rm_ex(b, w, op, src, base, disp, false);
}

void x86_lock_xadd(struct x86_buf *b, int w, int base, int32_t disp, int src)
{
	x86_u8(b, 0xf0);
	x86_rm_ex(b, w, 0x0fc1, src, base, disp, false);
}

void x86_xchg_mr(struct x86_buf *b, int w, int base, int32_t disp, int src)
{
	x86_rm_ex(b, w, 0x87, src, base, disp, false);
}

void x86_lock_cmpxchg(struct x86_buf *b, int w, int base, int32_t disp, int src)
{
	x86_u8(b, 0xf0);
	x86_rm_ex(b, w, 0x0fb1, src, base, disp, false);
}

void x86_cmp_mi8(struct x86_buf *b, int w, int base, int32_t disp, int8_t imm)
{
	x86_rm_ex(b, w, w == 1 ? 0x80 : 0x83, X86_EXT_CMP, base, disp, false);
	x86_u8(b, (uint8_t)imm);
}

void x86_incdec_m(struct x86_buf *b, int w, bool dec, int base, int32_t disp)
{
	x86_rm_ex(b, w, 0xff, dec ? 1 : 0, base, disp, false);
}

void x86_push(struct x86_buf *b, int r)
{
	if (r & 8)
		x86_u8(b, 0x41);
	x86_u8(b, (uint8_t)(0x50 | (r & 7)));
}

void x86_pop(struct x86_buf *b, int r)
{
	if (r & 8)
		x86_u8(b, 0x41);
	x86_u8(b, (uint8_t)(0x58 | (r & 7)));
}

void x86_ret(struct x86_buf *b)
{
	x86_u8(b, 0xc3);
}

void x86_call_r(struct x86_buf *b, int r)
{
	x86_rr_ex(b, 4, 0xff, 2, r, false, false);
}

void x86_call_rel32(struct x86_buf *b, int32_t rel)
{
	x86_u8(b, 0xe8);
	x86_u32(b, (uint32_t)rel);
}

void x86_jmp_rel8(struct x86_buf *b, int8_t rel)
{
	x86_u8(b, 0xeb);
	x86_u8(b, (uint8_t)rel);
}

void x86_jmp_rel32(struct x86_buf *b, int32_t rel)
{
	x86_u8(b, 0xe9);
	x86_u32(b, (uint32_t)rel);
}

void x86_jcc_rel8(struct x86_buf *b, enum x86_cc cc, int8_t rel)
{
	x86_u8(b, (uint8_t)(0x70 | cc));
	x86_u8(b, (uint8_t)rel);
}

void x86_jcc_rel32(struct x86_buf *b, enum x86_cc cc, int32_t rel)
{
	x86_u8(b, 0x0f);
	x86_u8(b, (uint8_t)(0x80 | cc));
	x86_u32(b, (uint32_t)rel);
}

void x86_cqo(struct x86_buf *b)
{
	x86_u8(b, 0x48);
	x86_u8(b, 0x99);
}

void x86_cdq(struct x86_buf *b)
{
	x86_u8(b, 0x99);
}

size_t x86_jcc_fwd8(struct x86_buf *b, int cc)
{
	x86_u8(b, cc < 0 ? 0xeb : (uint8_t)(0x70 | cc));
	x86_u8(b, 0);
	return b->len - 1;
}

void x86_patch8(struct x86_buf *b, size_t at)
{
	size_t rel = b->len - (at + 1);

	if (rel > 127) {
		b->overflow = true; /* a sequence outgrew its short jump: a JIT bug, refuse */
		return;
	}
	if (b->p && at < b->cap)
		b->p[at] = (uint8_t)rel;
}
