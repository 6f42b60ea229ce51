/* jit.h: the x86-64 JIT of the eBPF engine (src/ebpf/jit_x86.c).
 *
 * ebpf_jit_compile() turns every instruction of a program (RFC 9669 up to v4, plus bulwark's
 * callx, helper calls, bpf-to-bpf calls and tail calls) into x86-64 code; there is no fallback to
 * the interpreter. The code is written into read-write memory and then mprotect()ed read+execute
 * (never writable and executable at once), followed by an inaccessible guard page. With
 * blind_constants, every immediate taken from the program is XORed with a per-compile random key
 * and restored at run time, so no attacker-chosen 4-byte sequence lands in executable memory.
 *
 * The JIT does not verify: compile and run only programs the verifier accepted (ebpf_prog_run()
 * checks prog->verified). Still, the generated code keeps its own host-stack safety: bpf-to-bpf
 * call depth is bounded (EBPF_MAX_CALL_DEPTH) and tail calls are bounded (33 per run), so even an
 * unverified recursion cannot overflow the host stack. See docs/ebpf-jit.md. */
#ifndef BULWARK_EBPF_JIT_H
#define BULWARK_EBPF_JIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ebpf/prog.h"

struct ebpf_jit_options {
	bool blind_constants; /* XOR every program immediate with a random key (JIT spraying) */
};

/* Compiles prog into prog->jit (replacing and freeing an older image). opts may be NULL
 * (defaults). Returns 0, or a negative errno with a message naming the instruction index in err:
 * -EINVAL for a malformed instruction, -E2BIG if the code would exceed the size bound, -ENOMEM. */
int ebpf_jit_compile(struct ebpf_prog *prog, const struct ebpf_jit_options *opts, char *err,
		     size_t errlen);

/* Runs the compiled image of prog (prog->jit must be set) with r1, r2; returns r0. Sets up the
 * per-run state (tail-call count, call depth). Does not check prog->verified. */
uint64_t ebpf_jit_run(const struct ebpf_prog *prog, uint64_t r1, uint64_t r2);

/* Why the last ebpf_jit_run() of this thread ended early (0: it did not). Such a run returns 0. */
enum ebpf_jit_run_error {
	EBPF_JIT_ERR_NONE = 0,
	EBPF_JIT_ERR_DEPTH = 1, /* a bpf-to-bpf call beyond EBPF_MAX_CALL_DEPTH frames */
	EBPF_JIT_ERR_CALLX = 2, /* callx with an id that is no helper of the program's type */
};
int ebpf_jit_last_run_error(void);

/* Unmaps an image. NULL is fine. */
void ebpf_jit_free(struct ebpf_jit_image *img);

/* Bytes of machine code in the image (without padding and guard page). */
size_t ebpf_jit_code_size(const struct ebpf_jit_image *img);
/* Start of the machine code (read+execute; for tests and disassembly). */
const void *ebpf_jit_code(const struct ebpf_jit_image *img);

#endif
