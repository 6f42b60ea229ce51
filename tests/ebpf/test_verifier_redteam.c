/* test_verifier_redteam.c: the run-time effect of the soundness bugs the verifier red team
 * found (tests/ebpf/verifier-cases/refuse-redteam-*.s hold the refusals):
 *  - a tail call into a program of another type: the target reads the caller's context as its
 *    own. A blk program tail-calling an xdp program made the xdp program take the guest's
 *    sector (struct bw_blk_runtime at offset 0) for its packet pointer (struct bw_xdp_runtime
 *    at offset 0): a write anywhere in the VMM. Both engines now refuse it (-ENOEXEC) and still
 *    run tail calls between programs of one type.
 *  - memfrob (a helper writing its EBPF_ARG_PTR_TO_MEM argument) on a frozen map value: the
 *    value changed although the verifier trusts it (a string's NUL for strcmp). */
#include <errno.h>
#include <string.h>

#include "bulwark/ctx.h"
#include "ebpf/asm.h"
#include "ebpf/interp.h"
#include "ebpf/jit.h"
#include "ebpf/maps.h"
#include "ebpf/prog.h"
#include "ebpf/verifier.h"
#include "harness.h"

/* assembles, verifies (must pass) and JIT-compiles a program of type; NULL on failure */
static struct ebpf_prog *rt_prog(const char *type, const char *text, struct ebpf_map *map)
{
	struct ebpf_prog *p = calloc(1, sizeof(*p));
	struct ebpf_verify_opts opts = {0};
	struct ebpf_verify_result res;
	char err[256];
	int rc;

	if (!p)
		return NULL;
	p->type = ebpf_prog_type_find(type);
	if (!p->type || ebpf_asm(text, &p->insns, &p->n_insns, err, sizeof(err))) {
		printf("#   %s: cannot assemble\n", type);
		free(p);
		return NULL;
	}
	if (map) {
		p->maps = calloc(1, sizeof(*p->maps));
		p->maps[0] = ebpf_map_get(map);
		p->n_maps = 1;
	}
	rc = ebpf_verify(p, &opts, &res);
	if (rc)
		printf("#   %s: refused: %s\n", type, res.message);
	ebpf_verify_result_free(&res);
	if (!rc && ebpf_jit_compile(p, NULL, err, sizeof(err))) {
		printf("#   %s: jit: %s\n", type, err);
		rc = -1;
	}
	if (rc) {
		ebpf_prog_free(p);
		return NULL;
	}
	return p;
}

/* writes 0x4141... at data if 8 packet bytes are there; returns XDP_TX (3) or XDP_PASS (2) */
static const char xdp_writer[] = "ldxw %r2, [%r1+0]\n"
				 "ldxw %r3, [%r1+4]\n"
				 "mov %r4, %r2\n"
				 "add %r4, 8\n"
				 "mov %r0, 2\n"
				 "jgt %r4, %r3, out\n"
				 "lddw %r5, 0x4141414141414141\n"
				 "stxdw [%r2+0], %r5\n"
				 "mov %r0, 3\n"
				 "out:\n"
				 "exit\n";

/* tail-calls slot 0; returns 1 (or the target's verdict) */
static const char tail_caller[] = "lddw %r2, map_idx 0\n"
				  "mov %r3, 0\n"
				  "call 12\n"
				  "mov %r0, 1\n"
				  "exit\n";

TEST(tail_call_into_another_program_type_is_refused_at_run_time)
{
	struct ebpf_map_def d = {
	    .type = EBPF_MAP_PROG_ARRAY, .key_size = 4, .value_size = 4, .max_entries = 1};
	struct ebpf_map *m;
	struct ebpf_prog *xdp = NULL, *blk = NULL;
	char err[256];

	strcpy(d.name, "jump");
	m = ebpf_map_create(&d, 1, err, sizeof(err));
	CHECK(m != NULL);
	if (!m)
		return;
	xdp = rt_prog("xdp", xdp_writer, NULL);
	blk = rt_prog("blk", tail_caller, m);
	CHECK(xdp && blk);
	if (!xdp || !blk)
		goto out;
	CHECK_EQ(ebpf_prog_array_set(m, 0, xdp), 0);
	for (int engine = 0; engine < 2; engine++) {
		static uint64_t victim;
		struct bw_blk_runtime ctx;
		uint64_t end = (uint64_t)(uintptr_t)&victim + 8, r0;

		/* a guest's request: the sector and nr_sectors/op are where an xdp context has
		 * data and data_end */
		memset(&ctx, 0, sizeof(ctx));
		ctx.sector = (uint64_t)(uintptr_t)&victim;
		ctx.nr_sectors = (uint32_t)end;
		ctx.op = (uint32_t)(end >> 32);
		victim = 0;
		r0 = engine ? ebpf_jit_run(blk, (uintptr_t)&ctx, 0)
			    : ebpf_interp_run(blk, (uintptr_t)&ctx, 0);
		printf("#   %s: r0 %" PRIu64 ", victim %#" PRIx64 "\n", engine ? "jit" : "interp",
		       r0, victim);
		CHECK_EQ(victim, 0);
		CHECK_EQ(r0, 1); /* the tail call failed and the caller went on */
	}
out:
	if (m)
		ebpf_prog_array_set(m, 0, NULL);
	ebpf_prog_free(xdp);
	ebpf_prog_free(blk);
	ebpf_map_put(m);
}

TEST(tail_call_between_programs_of_one_type_still_runs)
{
	struct ebpf_map_def d = {
	    .type = EBPF_MAP_PROG_ARRAY, .key_size = 4, .value_size = 4, .max_entries = 1};
	struct ebpf_map *m;
	struct ebpf_prog *target = NULL, *caller = NULL;
	uint8_t pkt[16] = {0};
	struct bw_xdp_runtime ctx = {0};
	char err[256];

	strcpy(d.name, "jump");
	m = ebpf_map_create(&d, 1, err, sizeof(err));
	CHECK(m != NULL);
	if (!m)
		return;
	target = rt_prog("xdp", xdp_writer, NULL);
	caller = rt_prog("xdp", tail_caller, m);
	CHECK(target && caller);
	if (!target || !caller)
		goto out;
	CHECK_EQ(ebpf_prog_array_set(m, 0, target), 0);
	ctx.data = pkt;
	ctx.data_end = pkt + sizeof(pkt);
	ctx.data_meta = pkt;
	CHECK_EQ(ebpf_interp_run(caller, (uintptr_t)&ctx, 0), 3);
	CHECK_EQ(pkt[0], 0x41);
	memset(pkt, 0, sizeof(pkt));
	CHECK_EQ(ebpf_jit_run(caller, (uintptr_t)&ctx, 0), 3);
	CHECK_EQ(pkt[7], 0x41);
out:
	if (m)
		ebpf_prog_array_set(m, 0, NULL);
	ebpf_prog_free(target);
	ebpf_prog_free(caller);
	ebpf_map_put(m);
}

TEST(memfrob_on_frozen_map_value_is_refused)
{
	struct ebpf_map_def d = {
	    .type = EBPF_MAP_ARRAY, .key_size = 4, .value_size = 16, .max_entries = 1};
	struct ebpf_map *m;
	struct ebpf_prog p = {0};
	struct ebpf_verify_opts opts = {0};
	struct ebpf_verify_result res;
	char err[256];
	int rc;

	strcpy(d.name, "rodata");
	m = ebpf_map_create(&d, 1, err, sizeof(err));
	CHECK(m != NULL);
	if (!m)
		return;
	ebpf_map_freeze(m);
	p.type = ebpf_prog_type_find("mem:16");
	p.maps = &m;
	p.n_maps = 1;
	/* memfrob the empty string's 16 bytes, then strcmp it (reads past the value) */
	CHECK_EQ(ebpf_asm("lddw %r1, map_idx_value 0 + 0\nmov %r2, 16\ncall 1\n"
			  "lddw %r1, map_idx_value 0 + 0\nlddw %r2, map_idx_value 0 + 0\n"
			  "call 4\nexit\n",
			  &p.insns, &p.n_insns, err, sizeof(err)),
		 0);
	rc = ebpf_verify(&p, &opts, &res);
	CHECK_EQ(rc, -EACCES);
	CHECK_CONTAINS(res.message, "memfrob: would write into read-only memory");
	ebpf_verify_result_free(&res);
	/* the same on a writable value is accepted (memfrob's own behaviour is unchanged) */
	free(p.insns);
	ebpf_map_put(m);
	m = ebpf_map_create(&d, 1, err, sizeof(err));
	CHECK(m != NULL);
	if (!m)
		return;
	CHECK_EQ(ebpf_asm("lddw %r1, map_idx_value 0 + 0\nmov %r2, 16\ncall 1\nexit\n", &p.insns,
			  &p.n_insns, err, sizeof(err)),
		 0);
	rc = ebpf_verify(&p, &opts, &res);
	CHECK_EQ(rc, 0);
	ebpf_verify_result_free(&res);
	free(p.insns);
	ebpf_map_put(m);
}

/* strcmp trusts the NUL of a constant map value only: frozen AND read-only for programs (a map
 * that is only frozen can still be rewritten by a program's map_update_elem) */
static int verify_strcmp_on_value(uint32_t flags, bool freeze, char *msg, size_t msglen)
{
	struct ebpf_map_def d = {.type = EBPF_MAP_ARRAY,
				 .key_size = 4,
				 .value_size = 16,
				 .max_entries = 1,
				 .flags = flags};
	struct ebpf_prog p = {0};
	struct ebpf_verify_opts opts = {0};
	struct ebpf_verify_result res;
	struct ebpf_map *m;
	char err[256];
	int rc = -1;

	strcpy(d.name, "strings");
	m = ebpf_map_create(&d, 1, err, sizeof(err));
	if (!m)
		return -ENOMEM;
	if (freeze)
		ebpf_map_freeze(m);
	p.type = ebpf_prog_type_find("mem:16");
	p.maps = &m;
	p.n_maps = 1;
	if (!ebpf_asm("lddw %r1, map_idx_value 0 + 0\nlddw %r2, map_idx_value 0 + 0\ncall 4\n"
		      "exit\n",
		      &p.insns, &p.n_insns, err, sizeof(err))) {
		rc = ebpf_verify(&p, &opts, &res);
		snprintf(msg, msglen, "%s", res.message);
		ebpf_verify_result_free(&res);
	}
	free(p.insns);
	ebpf_map_put(m);
	return rc;
}

TEST(strcmp_trusts_only_constant_map_values)
{
	char msg[sizeof(((struct ebpf_verify_result *)0)->message)];

	CHECK_EQ(verify_strcmp_on_value(EBPF_F_RDONLY_PROG, true, msg, sizeof(msg)), 0);
	CHECK_EQ(verify_strcmp_on_value(0, true, msg, sizeof(msg)), -EACCES); /* only frozen */
	CHECK_CONTAINS(msg, "strcmp");
	CHECK_EQ(verify_strcmp_on_value(EBPF_F_RDONLY_PROG, false, msg, sizeof(msg)), -EACCES);
	CHECK_EQ(verify_strcmp_on_value(0, false, msg, sizeof(msg)), -EACCES);
}

HARNESS_MAIN(tail_call_into_another_program_type_is_refused_at_run_time,
	     tail_call_between_programs_of_one_type_still_runs,
	     memfrob_on_frozen_map_value_is_refused, strcmp_trusts_only_constant_map_values)
