/* prog.c: the life and the running of an eBPF program (prog.h): freeing it with everything it
 * owns, the per-thread run context helpers read, and ebpf_prog_run(), the one entry point hooks
 * use, which refuses anything the verifier has not accepted and picks the JIT image when there is
 * one, else the interpreter. */
#include <stdlib.h>

#include "common/log.h"
#include "ebpf/interp.h"
#include "ebpf/prog.h"

#ifndef EBPF_CORE_HAVE_JIT
#define EBPF_CORE_HAVE_JIT 0
#endif
#ifndef EBPF_CORE_HAVE_MAPS
#define EBPF_CORE_HAVE_MAPS 0
#endif
#if EBPF_CORE_HAVE_JIT
#include "ebpf/jit.h"
#endif
#if EBPF_CORE_HAVE_MAPS
#include "ebpf/epoch.h"
#include "ebpf/maps.h"
#endif

static __thread struct ebpf_run_ctx run_ctx;

struct ebpf_run_ctx *ebpf_run_ctx_current(void)
{
	return &run_ctx;
}

void ebpf_prog_free(struct ebpf_prog *prog)
{
	if (!prog)
		return;
#if EBPF_CORE_HAVE_JIT
	ebpf_jit_free(prog->jit);
#endif
#if EBPF_CORE_HAVE_MAPS
	for (uint32_t i = 0; prog->maps && i < prog->n_maps; i++)
		ebpf_map_put(prog->maps[i]);
#endif
	ebpf_interp_reset(prog);
	free(prog->maps);
	free(prog->funcs);
	free(prog->insns);
	free(prog);
}

uint64_t ebpf_prog_run(const struct ebpf_prog *prog, uint64_t r1, uint64_t r2)
{
	static bool refused_logged;
	const struct ebpf_prog *saved;
	uint64_t r0;

	if (!prog || !prog->verified) {
		bw_log_once(&refused_logged, BW_LOG_ERROR,
			    "ebpf: refusing to run program '%s': not accepted by the verifier",
			    prog ? prog->name : "(null)");
		return 0;
	}
	saved = run_ctx.prog;
	run_ctx.prog = prog;
#if EBPF_CORE_HAVE_MAPS
	ebpf_epoch_enter();
#endif
#if EBPF_CORE_HAVE_JIT
	if (prog->jit)
		r0 = ebpf_jit_run(prog, r1, r2);
	else
#endif
		r0 = ebpf_interp_run(prog, r1, r2);
#if EBPF_CORE_HAVE_MAPS
	ebpf_epoch_exit();
#endif
	run_ctx.prog = saved;
	return r0;
}
