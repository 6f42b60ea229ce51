/* fuzz-jit-diff.c: differential fuzzer of the eBPF engines. Each input becomes a structurally
 * valid, terminating program (tests/ebpf/jit_progen.h) on the mem:SIZE type; it runs on the
 * interpreter and on the JIT (blinded or not, from the input) with identical copies of the
 * buffer, each in its own mapping between two inaccessible guard pages so that any stray access
 * faults at once. r0 and the buffers must be identical, else the fuzzer aborts. Only programs the
 * verifier (ebpf_verify) accepts under mem:SIZE are run, as in production; the generator aims at
 * programs it accepts (set JIT_DIFF_STATS=1 to see the acceptance rate on stderr). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ebpf/interp.h"
#include "ebpf/jit.h"
#include "ebpf/jit_progen.h"
#include "ebpf/prog.h"
#include "ebpf/verifier.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct guarded {
	uint8_t *map;
	size_t len;
	uint8_t *buf; /* JIT_PROGEN_MEM bytes ending at the second guard page */
};

static void guarded_init(struct guarded *g)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);

	g->len = 3 * page;
	g->map = mmap(NULL, g->len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (g->map == MAP_FAILED || mprotect(g->map + page, page, PROT_READ | PROT_WRITE))
		abort();
	g->buf = g->map + 2 * page - JIT_PROGEN_MEM;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct guarded a, b;
	static struct ebpf_insn insns[JIT_PROGEN_MAX_SLOTS];
	uint8_t mem[JIT_PROGEN_MEM];
	struct ebpf_prog prog;
	struct ebpf_jit_options o = {.blind_constants = size && (data[size - 1] & 1)};
	uint64_t r_interp, r_jit;
	char err[512];
	uint32_t n;

	if (!a.map) {
		guarded_init(&a);
		guarded_init(&b);
	}
	n = jit_progen(data, size, insns, mem);
	memset(&prog, 0, sizeof(prog));
	snprintf(prog.name, sizeof(prog.name), "fuzz");
	prog.insns = insns;
	prog.n_insns = n;
	prog.type = ebpf_prog_type_mem(JIT_PROGEN_MEM);
	if (!prog.type)
		abort();
	{
		static unsigned long runs, accepted;
		struct ebpf_verify_result res;
		int rc = ebpf_verify(&prog, NULL, &res);

		runs++;
		accepted += rc == 0;
		if (getenv("JIT_DIFF_STATS") && (runs % 1000 == 0 || rc))
			fprintf(stderr, "verifier: %lu of %lu accepted%s%s\n", accepted, runs,
				rc ? "; refused: " : "", rc ? res.message : "");
		ebpf_verify_result_free(&res);
		if (rc)
			return 0;
	}
	if (ebpf_jit_compile(&prog, &o, err, sizeof(err))) {
		fprintf(stderr, "JIT refused a generated program: %s\n", err);
		abort();
	}
	memcpy(a.buf, mem, sizeof(mem));
	memcpy(b.buf, mem, sizeof(mem));
	r_interp = ebpf_interp_run(&prog, (uint64_t)(uintptr_t)a.buf, JIT_PROGEN_MEM);
	r_jit = ebpf_jit_run(&prog, (uint64_t)(uintptr_t)b.buf, JIT_PROGEN_MEM);
	if (r_interp != r_jit || memcmp(a.buf, b.buf, JIT_PROGEN_MEM)) {
		fprintf(stderr,
			"interpreter and JIT differ (blinding %d): r0 0x%llx vs 0x%llx, "
			"buffers %s\n",
			o.blind_constants, (unsigned long long)r_interp, (unsigned long long)r_jit,
			memcmp(a.buf, b.buf, JIT_PROGEN_MEM) ? "differ" : "equal");
		abort();
	}
	ebpf_jit_free(prog.jit);
	ebpf_interp_reset(&prog);
	return 0;
}
