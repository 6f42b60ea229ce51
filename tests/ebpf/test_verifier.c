/* test-verifier: the static verifier (src/ebpf/verifier*.c, tnum.c, ctx_convert.c).
 *  - every conformance program is accepted under mem:SIZE with its test's memory size, and the
 *    r0 range the verifier computes contains the expected result (PREVAIL's soundness check);
 *  - the case files tests/ebpf/verifier-cases/ files: unsafe programs refused for their one
 *    reason (at least 150), safe ones accepted with their worst-case count and r0 range;
 *  - the abstract domain against concrete execution on random values (every ALU operation and
 *    branch refinement must contain the concrete result);
 *  - context conversion, the log, result fields. */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>

#include "harness.h"
#include "ebpf/asm.h"
#include "ebpf/conformance.h"
#include "ebpf/verifier.h"
#include "ebpf/verifier_internal.h"
#include "verifier_cases.h"

#ifndef BULWARK_SRC_ROOT
#define BULWARK_SRC_ROOT "."
#endif

/* the conformance type of the engine (prog_type_mem.c): the suite's helpers 0-5 */
static const struct ebpf_prog_type *mem_type(uint32_t size)
{
	return ebpf_prog_type_mem(size);
}

static const struct ebpf_prog_type *type_by_name(const char *name)
{
	if (!strncmp(name, "mem:", 4))
		return mem_type((uint32_t)strtoul(name + 4, NULL, 0));
	if (!strncmp(name, "tbuf:", 5))
		return vt_buf_type((uint32_t)strtoul(name + 5, NULL, 0));
	if (!strcmp(name, "txdp"))
		return &vt_xdp;
	if (!strcmp(name, "tctx"))
		return &vt_ctx;
	return ebpf_prog_type_find(name); /* bulwark's hook types: xdp, blk, mem.write, ... */
}

static const char *conf_dir(char *buf, size_t len)
{
	return ebpf_conf_dir(BULWARK_SRC_ROOT, buf, len);
}

TEST(conformance_programs_accepted_and_r0_sound)
{
	char dirbuf[512], path[1024], err[256];
	const char *dir = conf_dir(dirbuf, sizeof(dirbuf));
	DIR *d = dir ? opendir(dir) : NULL;
	struct dirent *e;
	unsigned accepted = 0, total = 0;

	CHECK(d != NULL); /* the suite must be there: fail, not skip */
	if (!d) {
		printf("#   conformance suite not found (%s)\n", dir ? dir : "?");
		return;
	}
	while ((e = readdir(d))) {
		struct ebpf_conf_test t;
		struct ebpf_insn *insns = NULL;
		uint32_t n = 0;
		size_t l = strlen(e->d_name);
		if (l < 5 || strcmp(e->d_name + l - 5, ".data"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (ebpf_conf_load(path, &t, err, sizeof(err))) {
			printf("#   %s\n", err);
			CHECK(0);
			continue;
		}
		total++;
		if (t.asm_text) {
			if (ebpf_asm(t.asm_text, &insns, &n, err, sizeof(err))) {
				printf("#   %s: %s\n", e->d_name, err);
				CHECK(0);
				ebpf_conf_free(&t);
				continue;
			}
		} else {
			n = t.n_raw;
			insns = malloc(n * sizeof(*insns));
			memcpy(insns, t.raw, n * sizeof(*insns));
		}
		struct ebpf_prog prog = {
		    .insns = insns, .n_insns = n, .type = mem_type((uint32_t)t.mem_len)};
		struct ebpf_verify_result res;
		int rc = ebpf_verify(&prog, NULL, &res);
		if (rc) {
			printf("#   %s refused: %s\n", e->d_name, res.message);
			CHECK_EQ(rc, 0);
		} else {
			accepted++;
			CHECK(prog.verified);
			CHECK(res.worst_case_insns >= 2 || n == 1);
			if (t.has_result) {
				bool in = (int64_t)t.result >= res.r0_smin &&
					  (int64_t)t.result <= res.r0_smax &&
					  t.result >= res.r0_umin && t.result <= res.r0_umax;
				if (!in)
					printf("#   %s: result 0x%" PRIx64 " outside r0 [%" PRId64
					       ", %" PRId64 "] u[0x%" PRIx64 ", 0x%" PRIx64 "]\n",
					       e->d_name, t.result, res.r0_smin, res.r0_smax,
					       res.r0_umin, res.r0_umax);
				CHECK(in);
			}
		}
		ebpf_verify_result_free(&res);
		free(insns);
		ebpf_conf_free(&t);
	}
	closedir(d);
	printf("#   %u of %u conformance programs accepted\n", accepted, total);
	CHECK(total >= 300);
	CHECK_EQ(accepted, total);
}

static unsigned skipped_cases;

/* runs one case; returns 1 if it refused as expected, 0 accepted as expected, -1 failure,
 * 2 skipped (a map type the map module does not provide yet: printed and counted) */
static int run_case(const struct vt_case *c)
{
	struct ebpf_insn *insns = NULL;
	uint32_t n = 0;
	char err[256];
	struct ebpf_map *maps[8] = {0};
	struct ebpf_prog prog = {0};
	struct ebpf_verify_result res;
	struct ebpf_verify_opts opts = {.max_processed = c->max_processed};
	int rc, ret = -1;

	prog.type = type_by_name(c->type);
	if (!prog.type) {
		printf("#   %s:%u %s: unknown type %s\n", c->file, c->line, c->name, c->type);
		return -1;
	}
	if (ebpf_asm(c->text ? c->text : "", &insns, &n, err, sizeof(err))) {
		printf("#   %s:%u %s: %s\n", c->file, c->line, c->name, err);
		return -1;
	}
	for (unsigned k = 0; k < c->n_maps; k++) {
		maps[k] = ebpf_map_create(&c->maps[k], 1, err, sizeof(err));
		if (!maps[k]) {
			printf("#   %s:%u %s: skipped: %s\n", c->file, c->line, c->name, err);
			ret = 2;
			goto out;
		}
		if (c->map_rdonly[k])
			ebpf_map_freeze(maps[k]);
	}
	prog.insns = insns;
	prog.n_insns = n;
	prog.maps = maps;
	prog.n_maps = c->n_maps;
	rc = ebpf_verify(&prog, &opts, &res);
	if (c->accept) {
		if (rc) {
			printf("#   %s:%u %s: refused: %s\n", c->file, c->line, c->name,
			       res.message);
		} else if (c->has_worst && res.worst_case_insns != c->worst) {
			printf("#   %s:%u %s: worst case %" PRIu64 ", expected %" PRIu64 "\n",
			       c->file, c->line, c->name, res.worst_case_insns, c->worst);
		} else if (c->has_r0 && (res.r0_smin != c->r0_smin || res.r0_smax != c->r0_smax)) {
			printf("#   %s:%u %s: r0 [%" PRId64 ", %" PRId64 "], expected [%" PRId64
			       ", %" PRId64 "]\n",
			       c->file, c->line, c->name, res.r0_smin, res.r0_smax, c->r0_smin,
			       c->r0_smax);
		} else if (!prog.verified) {
			printf("#   %s: accepted but not marked verified\n", c->name);
		} else {
			ret = 0;
		}
	} else {
		if (!rc) {
			printf("#   %s:%u %s: accepted, expected refusal for \"%s\"\n", c->file,
			       c->line, c->name, c->reason);
		} else if (rc != -EACCES) {
			printf("#   %s:%u %s: error %d (%s)\n", c->file, c->line, c->name, rc,
			       res.message);
		} else if (!c->reason[0] || !strstr(res.message, c->reason)) {
			printf("#   %s:%u %s: refused for another reason: %s (expected \"%s\")\n",
			       c->file, c->line, c->name, res.message, c->reason);
		} else if (prog.verified) {
			printf("#   %s: refused but marked verified\n", c->name);
		} else {
			ret = 1;
		}
	}
	ebpf_verify_result_free(&res);
out:
	for (unsigned k = 0; k < c->n_maps; k++)
		ebpf_map_put(maps[k]);
	free(insns);
	return ret;
}

TEST(case_files)
{
	const char *dir = BULWARK_SRC_ROOT "/tests/ebpf/verifier-cases";
	DIR *d = opendir(dir);
	struct dirent *e;
	unsigned refused = 0, accepted = 0, failed = 0;

	CHECK(d != NULL);
	if (!d)
		return;
	while ((e = readdir(d))) {
		char path[1024];
		size_t l = strlen(e->d_name);
		struct vt_case *cs = NULL;
		unsigned n = 0;
		if (l < 3 || strcmp(e->d_name + l - 2, ".s"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		char *data = vt_read_file(path, NULL);
		CHECK(data != NULL);
		if (!data)
			continue;
		CHECK_EQ(vt_parse_cases(e->d_name, data, &cs, &n), 0);
		for (unsigned k = 0; k < n; k++) {
			if (!cs[k].accept && !cs[k].reason[0]) {
				printf("#   %s: %s has neither accept nor reason\n", e->d_name,
				       cs[k].name);
				failed++;
			} else {
				int r = run_case(&cs[k]);
				if (r == 1)
					refused++;
				else if (r == 0)
					accepted++;
				else if (r == 2)
					skipped_cases++;
				else
					failed++;
			}
			free(cs[k].text);
		}
		free(cs);
		free(data);
	}
	closedir(d);
	printf(
	    "#   cases: %u refused as expected, %u accepted as expected, %u failed, %u skipped\n",
	    refused, accepted, failed, skipped_cases);
	CHECK(skipped_cases <= 10);
	CHECK_EQ(failed, 0);
	CHECK(refused >= 150);
	CHECK(accepted >= 20);
}

/* ---- the abstract domain against concrete values ----------------------------------------- */

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;
static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static uint64_t interesting(void)
{
	static const uint64_t v[] = {0,
				     1,
				     2,
				     3,
				     7,
				     8,
				     31,
				     32,
				     63,
				     64,
				     255,
				     256,
				     0x7fffffff,
				     0x80000000,
				     0xffffffff,
				     0x100000000ULL,
				     0x7fffffffffffffffULL,
				     0x8000000000000000ULL,
				     0xffffffffffffffffULL,
				     0xfffffffffffffffeULL};
	switch (rnd() % 4) {
	case 0:
		return v[rnd() % (sizeof(v) / sizeof(v[0]))];
	case 1:
		return rnd() & 0xff;
	case 2:
		return (uint64_t)(int64_t)(int8_t)rnd();
	default:
		return rnd();
	}
}

/* an abstract value containing x: a range around it, some known bits */
static void abstract_around(struct vreg *r, uint64_t x, uint64_t *lo_out, uint64_t *hi_out)
{
	uint64_t lo = x, hi = x;
	switch (rnd() % 5) {
	case 0:
		break; /* constant */
	case 1:
		lo = x - (x ? rnd() % (x < 16 ? x : 16) : 0);
		hi = x + (rnd() % 16);
		if (hi < x)
			hi = UINT64_MAX;
		break;
	case 2:
		lo = 0;
		hi = x | 0xff;
		break;
	case 3:
		lo = 0;
		hi = UINT64_MAX;
		break;
	default:
		lo = x & ~0xffffULL;
		hi = x | 0xffffULL;
		break;
	}
	vreg_mark_unknown(r);
	r->umin = lo;
	r->umax = hi;
	vreg_sync(r);
	*lo_out = lo;
	*hi_out = hi;
}

static bool contains(const struct vreg *r, uint64_t v)
{
	return v >= r->umin && v <= r->umax && (int64_t)v >= r->smin && (int64_t)v <= r->smax &&
	       (uint32_t)v >= r->u32min && (uint32_t)v <= r->u32max &&
	       (int32_t)(uint32_t)v >= r->s32min && (int32_t)(uint32_t)v <= r->s32max &&
	       ((v & ~r->var.mask) == r->var.value);
}

static uint64_t concrete(uint8_t op, bool is32, int16_t off, uint64_t a, uint64_t b)
{
	/* an independent implementation of RFC 9669's ALU */
	if (is32) {
		uint32_t x = (uint32_t)a, y = (uint32_t)b;
		switch (op) {
		case EBPF_ALU_ADD:
			return (uint32_t)(x + y);
		case EBPF_ALU_SUB:
			return (uint32_t)(x - y);
		case EBPF_ALU_MUL:
			return (uint32_t)(x * y);
		case EBPF_ALU_DIV:
			if (off) {
				int32_t sx = (int32_t)x, sy = (int32_t)y;
				if (!sy)
					return 0;
				if (sy == -1)
					return (uint32_t)(-(int64_t)sx);
				return (uint32_t)(sx / sy);
			}
			return y ? x / y : 0;
		case EBPF_ALU_MOD:
			if (off) {
				int32_t sx = (int32_t)x, sy = (int32_t)y;
				if (!sy)
					return x;
				if (sy == -1)
					return 0;
				return (uint32_t)(sx % sy);
			}
			return y ? x % y : x;
		case EBPF_ALU_OR:
			return x | y;
		case EBPF_ALU_AND:
			return x & y;
		case EBPF_ALU_XOR:
			return x ^ y;
		case EBPF_ALU_LSH:
			return (uint32_t)(x << (y & 31));
		case EBPF_ALU_RSH:
			return x >> (y & 31);
		case EBPF_ALU_ARSH:
			return (uint32_t)((int32_t)x >> (y & 31));
		case EBPF_ALU_NEG:
			return (uint32_t)-x;
		case EBPF_ALU_MOV:
			return off == 8	   ? (uint32_t)(int32_t)(int8_t)y
			       : off == 16 ? (uint32_t)(int32_t)(int16_t)y
					   : y;
		}
		return 0;
	}
	switch (op) {
	case EBPF_ALU_ADD:
		return a + b;
	case EBPF_ALU_SUB:
		return a - b;
	case EBPF_ALU_MUL:
		return a * b;
	case EBPF_ALU_DIV:
		if (off) {
			if (!b)
				return 0;
			if ((int64_t)b == -1)
				return (uint64_t)0 - a;
			return (uint64_t)((int64_t)a / (int64_t)b);
		}
		return b ? a / b : 0;
	case EBPF_ALU_MOD:
		if (off) {
			if (!b)
				return a;
			if ((int64_t)b == -1)
				return 0;
			return (uint64_t)((int64_t)a % (int64_t)b);
		}
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
		return (uint64_t)((int64_t)a >> (b & 63));
	case EBPF_ALU_NEG:
		return (uint64_t)0 - a;
	case EBPF_ALU_MOV:
		return off == 8	   ? (uint64_t)(int64_t)(int8_t)b
		       : off == 16 ? (uint64_t)(int64_t)(int16_t)b
		       : off == 32 ? (uint64_t)(int64_t)(int32_t)b
				   : b;
	}
	return 0;
}

TEST(alu_transfer_functions_are_sound)
{
	static const uint8_t ops[] = {EBPF_ALU_ADD, EBPF_ALU_SUB, EBPF_ALU_MUL, EBPF_ALU_DIV,
				      EBPF_ALU_OR,  EBPF_ALU_AND, EBPF_ALU_LSH, EBPF_ALU_RSH,
				      EBPF_ALU_NEG, EBPF_ALU_MOD, EBPF_ALU_XOR, EBPF_ALU_MOV,
				      EBPF_ALU_ARSH};
	unsigned bad = 0;

	for (unsigned iter = 0; iter < 200000; iter++) {
		struct vreg a, b, d;
		uint64_t x = interesting(), y = interesting(), alo, ahi, blo, bhi;
		uint8_t op = ops[rnd() % sizeof(ops)];
		bool is32 = rnd() & 1;
		int16_t off = 0;
		if ((op == EBPF_ALU_DIV || op == EBPF_ALU_MOD) && (rnd() & 1))
			off = 1;
		if (op == EBPF_ALU_MOV && (rnd() & 1))
			off = (int16_t)((int[]){8, 16, 32})[rnd() % (is32 ? 2 : 3)];
		abstract_around(&a, x, &alo, &ahi);
		abstract_around(&b, y, &blo, &bhi);
		/* a few concrete samples of each abstract value */
		for (int s = 0; s < 4; s++) {
			uint64_t cx = s ? alo + (ahi - alo ? rnd() % (ahi - alo + 1 ? ahi - alo + 1
										    : UINT64_MAX)
							   : 0)
					: x;
			uint64_t cy = s ? blo + (bhi - blo ? rnd() % (bhi - blo + 1 ? bhi - blo + 1
										    : UINT64_MAX)
							   : 0)
					: y;
			if (!contains(&a, cx) || !contains(&b, cy))
				continue;
			d = a;
			vscalar_alu(&d, &b, op, is32, off);
			uint64_t r = concrete(op, is32, off, cx, cy);
			if (!contains(&d, r)) {
				if (bad++ < 5)
					printf("#   op 0x%x%s off %d: %#" PRIx64 " op %#" PRIx64
					       " = %#" PRIx64 " not in [%#" PRIx64 ", %#" PRIx64
					       "] s[%" PRId64 ", %" PRId64 "] var (%#" PRIx64
					       "; %#" PRIx64 ")\n",
					       op, is32 ? "/32" : "", off, cx, cy, r, d.umin,
					       d.umax, d.smin, d.smax, d.var.value, d.var.mask);
			}
		}
	}
	CHECK_EQ(bad, 0);
}

static bool cmp_concrete(uint8_t op, bool is32, uint64_t a, uint64_t b)
{
	if (is32) {
		a = (uint32_t)a;
		b = (uint32_t)b;
	}
	int64_t sa = is32 ? (int32_t)(uint32_t)a : (int64_t)a;
	int64_t sb = is32 ? (int32_t)(uint32_t)b : (int64_t)b;
	switch (op) {
	case EBPF_JMP_JEQ:
		return a == b;
	case EBPF_JMP_JNE:
		return a != b;
	case EBPF_JMP_JGT:
		return a > b;
	case EBPF_JMP_JGE:
		return a >= b;
	case EBPF_JMP_JLT:
		return a < b;
	case EBPF_JMP_JLE:
		return a <= b;
	case EBPF_JMP_JSGT:
		return sa > sb;
	case EBPF_JMP_JSGE:
		return sa >= sb;
	case EBPF_JMP_JSLT:
		return sa < sb;
	case EBPF_JMP_JSLE:
		return sa <= sb;
	case EBPF_JMP_JSET:
		return (a & b) != 0;
	}
	return false;
}

TEST(branch_refinement_is_sound)
{
	static const uint8_t ops[] = {EBPF_JMP_JEQ,  EBPF_JMP_JNE,  EBPF_JMP_JGT,  EBPF_JMP_JGE,
				      EBPF_JMP_JLT,  EBPF_JMP_JLE,  EBPF_JMP_JSGT, EBPF_JMP_JSGE,
				      EBPF_JMP_JSLT, EBPF_JMP_JSLE, EBPF_JMP_JSET};
	unsigned bad = 0, refined = 0;

	for (unsigned iter = 0; iter < 200000; iter++) {
		struct vreg a, b, a2, b2;
		uint64_t x = interesting(), y = interesting(), lo, hi;
		uint8_t op = ops[rnd() % sizeof(ops)];
		bool is32 = rnd() & 1;
		abstract_around(&a, x, &lo, &hi);
		abstract_around(&b, y, &lo, &hi);
		bool taken = cmp_concrete(op, is32, x, y);
		a2 = a;
		b2 = b;
		bool feasible = vscalar_refine(&a2, &b2, op, is32, taken);
		if (!feasible || !contains(&a2, x) || !contains(&b2, y)) {
			if (bad++ < 5)
				printf("#   jmp 0x%x%s %#" PRIx64 " vs %#" PRIx64 " (%s): %s\n", op,
				       is32 ? "/32" : "", x, y, taken ? "taken" : "not taken",
				       feasible ? "value lost" : "declared impossible");
		}
		if (a2.umax - a2.umin < a.umax - a.umin)
			refined++;
		int known = vscalar_branch_known(&a, &b, op, is32);
		if (known != -1 && known != (int)taken) {
			if (bad++ < 5)
				printf("#   jmp 0x%x: decided %d, concrete %d\n", op, known, taken);
		}
	}
	CHECK_EQ(bad, 0);
	CHECK(refined > 1000); /* refinement does something */
}

TEST(tnum_arithmetic)
{
	bool empty;
	struct tnum t = tnum_range(16, 31);
	CHECK_EQ(t.value, 16);
	CHECK_EQ(t.mask, 15);
	t = tnum_add(tnum_const(3), TNUM(0, 3)); /* 3 + [0..3] */
	CHECK(tnum_in(t, tnum_const(6)));
	CHECK(tnum_in(t, tnum_const(3)));
	t = tnum_and(TNUM(0, 0xff), tnum_const(0x0f));
	CHECK_EQ(t.mask, 0x0f);
	t = tnum_intersect(TNUM(0, 0xf), tnum_const(0x3), &empty);
	CHECK(!empty && tnum_is_const(t) && t.value == 3);
	tnum_intersect(tnum_const(1), tnum_const(2), &empty);
	CHECK(empty);
	t = tnum_mul(tnum_const(6), tnum_const(7));
	CHECK(tnum_equals_const(t, 42));
	t = tnum_arshift(tnum_const(0x80000000u), 4, 32);
	CHECK_EQ(t.value, 0xf8000000u);
}

static int verify_text(const char *text, const struct ebpf_prog_type *type, struct ebpf_prog *prog,
		       struct ebpf_verify_result *res, bool log_all)
{
	char err[256];
	struct ebpf_verify_opts o = {.log_all = log_all};

	memset(prog, 0, sizeof(*prog));
	if (ebpf_asm(text, &prog->insns, &prog->n_insns, err, sizeof(err))) {
		printf("#   asm: %s\n", err);
		return -99;
	}
	prog->type = type;
	return ebpf_verify(prog, &o, res);
}

TEST(ctx_conversion_rewrites_fields)
{
	struct ebpf_prog p;
	struct ebpf_verify_result res;
	int rc = verify_text("ldxw %r2, [%r1+0]\n"  /* data */
			     "ldxw %r3, [%r1+4]\n"  /* data_end */
			     "ldxw %r4, [%r1+16]\n" /* rx_queue_index */
			     "ldxh %r5, [%r1+12]\n" /* low half of ingress_ifindex */
			     "mov %r0, 2\nexit\n",
			     &vt_xdp, &p, &res, false);
	CHECK_EQ(rc, 0);
	CHECK_EQ(p.insns[0].code, EBPF_CLASS_LDX | EBPF_MODE_MEM | EBPF_SIZE_DW);
	CHECK_EQ(p.insns[0].off, 0);
	CHECK_EQ(p.insns[1].code, EBPF_CLASS_LDX | EBPF_MODE_MEM | EBPF_SIZE_DW);
	CHECK_EQ(p.insns[1].off, 8);
	CHECK_EQ(p.insns[2].code, EBPF_CLASS_LDX | EBPF_MODE_MEM | EBPF_SIZE_W);
	CHECK_EQ(p.insns[2].off, 28);
	CHECK_EQ(p.insns[3].code, EBPF_CLASS_LDX | EBPF_MODE_MEM | EBPF_SIZE_H);
	CHECK_EQ(p.insns[3].off, 24);
	CHECK(p.verified);
	ebpf_verify_result_free(&res);
	free(p.insns);

	/* a writable field: the store moves too */
	rc = verify_text("stw [%r1+12], 1\nldxw %r0, [%r1+8]\nmov %r0, 0\nexit\n", &vt_ctx, &p,
			 &res, false);
	CHECK_EQ(rc, 0);
	CHECK_EQ(p.insns[0].off, 4);
	CHECK_EQ(p.insns[1].off, 0);
	ebpf_verify_result_free(&res);
	free(p.insns);
}

TEST(refusal_message_and_log)
{
	struct ebpf_prog p;
	struct ebpf_verify_result res;
	int rc =
	    verify_text("mov %r0, 1\nldxdw %r2, [%r1+8]\nexit\n", vt_buf_type(8), &p, &res, true);
	CHECK_EQ(rc, -EACCES);
	CHECK_EQ(res.err_insn, 1);
	CHECK_CONTAINS(res.message, "insn 1: ldxdw %r2, [%r1+8]");
	CHECK_CONTAINS(res.message, "out of bounds");
	CHECK_CONTAINS(res.message, "R1=mem(off=0");
	CHECK(res.log != NULL);
	CHECK_CONTAINS(res.log, "0: mov %r0, 1");
	CHECK(!p.verified);
	ebpf_verify_result_free(&res);
	free(p.insns);
}

TEST(result_fields)
{
	struct ebpf_prog p;
	struct ebpf_verify_result res;
	/* loop of 10 iterations: 2 + 10 * 3 + 1 instructions at most */
	int rc = verify_text("mov %r0, 0\nmov %r1, 0\n"
			     "l: add %r0, 3\nadd %r1, 1\njlt %r1, 10, l\nexit\n",
			     vt_buf_type(0), &p, &res, false);
	CHECK_EQ(rc, 0);
	CHECK_EQ(res.worst_case_insns, 33);
	CHECK_EQ(p.worst_case_insns, 33);
	CHECK_EQ(res.r0_smin, 30);
	CHECK_EQ(res.r0_smax, 30);
	ebpf_verify_result_free(&res);
	free(p.insns);

	rc = verify_text("call 7\ncall 5\nexit\n", &vt_ctx, &p, &res, false);
	CHECK_EQ(rc, -EACCES); /* r0 unbounded, tctx returns [-1, 1] */
	ebpf_verify_result_free(&res);
	free(p.insns);
	rc = verify_text("call 7\nand %r0, 1\nexit\n", &vt_ctx, &p, &res, false);
	CHECK_EQ(rc, 0);
	CHECK_EQ(res.n_helper_classes, 1);
	CHECK_STR(res.helper_classes[0], "test");
	CHECK_EQ(res.worst_case_insns, 3 + 5);
	ebpf_verify_result_free(&res);
	free(p.insns);

	/* malformed */
	struct ebpf_prog empty = {.type = &vt_ctx};
	CHECK_EQ(ebpf_verify(&empty, NULL, &res), -EINVAL);
	ebpf_verify_result_free(&res);
}

/* a chain of n exact-match rules on three fields of the buffer (as a generated firewall): each
 * fall-through makes the fields constants, so exploration is quadratic and relies on pruning,
 * stored-state eviction and the state arena; bad != 0 adds an out-of-bounds read behind one
 * field value that pruning must not hide */
static char *rule_chain(unsigned n, bool bad)
{
	size_t cap = 64 * (size_t)n + 512, len = 0;
	char *t = malloc(cap);

	if (!t)
		return NULL;
	len += (size_t)snprintf(t + len, cap - len,
				"ldxw %%r2, [%%r1+0]\nldxw %%r3, [%%r1+4]\nldxh %%r4, [%%r1+8]\n"
				"mov %%r0, 2\n");
	for (unsigned i = 1; i <= n; i++)
		len += (size_t)snprintf(t + len, cap - len,
					"jne %%r2, %u, n%u\njne %%r3, %u, n%u\njeq %%r4, %u, drop\n"
					"n%u:\n",
					i * 10 + 1, i, i * 10 + 2, i, i % 60000, i);
	if (bad)
		len += (size_t)snprintf(t + len, cap - len,
					"jne %%r3, 77777, out\nldxb %%r5, [%%r1+12]\nout:\n");
	snprintf(t + len, cap - len, "mov %%r0, 2\nexit\ndrop:\nmov %%r0, 1\nexit\n");
	return t;
}

TEST(long_rule_chain_pruned_and_repeatable)
{
	const unsigned n = 150;
	struct ebpf_prog p;
	struct ebpf_verify_result res, res2;
	char *text = rule_chain(n, false);
	int rc;

	CHECK(text != NULL);
	rc = verify_text(text, vt_buf_type(12), &p, &res, false);
	CHECK_EQ(rc, 0);
	/* the longest path: the loads, one rule fully compared, one jump per other rule */
	CHECK(res.worst_case_insns >= n + 8);
	CHECK(res.worst_case_insns <= 3 * n + 8);
	CHECK_EQ(res.r0_smin, 1);
	CHECK_EQ(res.r0_smax, 2);
	CHECK(res.processed < 200000);
	CHECK(res.peak_states > 0 && res.peak_states <= res.total_states);
	free(p.insns);
	/* again in the same process (the arena's chunks are reused): the same result */
	rc = verify_text(text, vt_buf_type(12), &p, &res2, false);
	CHECK_EQ(rc, 0);
	CHECK_EQ(res2.processed, res.processed);
	CHECK_EQ(res2.worst_case_insns, res.worst_case_insns);
	CHECK_EQ(res2.peak_states, res.peak_states);
	CHECK_EQ(res2.total_states, res.total_states);
	ebpf_verify_result_free(&res);
	ebpf_verify_result_free(&res2);
	free(p.insns);
	free(text);

	/* the out-of-bounds read behind the chain is found */
	text = rule_chain(n, true);
	CHECK(text != NULL);
	rc = verify_text(text, vt_buf_type(12), &p, &res, false);
	CHECK_EQ(rc, -EACCES);
	CHECK_CONTAINS(res.message, "out of bounds");
	ebpf_verify_result_free(&res);
	free(p.insns);
	free(text);
}

HARNESS_MAIN(conformance_programs_accepted_and_r0_sound, case_files,
	     alu_transfer_functions_are_sound, branch_refinement_is_sound, tnum_arithmetic,
	     ctx_conversion_rewrites_fields, refusal_message_and_log, result_fields,
	     long_rule_chain_pruned_and_repeatable)
