/* fuzz_elf_loader.c: libFuzzer target for the eBPF ELF loader (src/ebpf/elf_loader.c) and the
 * BTF reader under it: any bytes must give either an object or an error message, never a crash,
 * a leak or an out-of-bounds access. A loaded object is walked (programs' instructions and map
 * references) so that what it claims is checked too. Seeds: fuzz/corpus/fuzz-elf-loader/, small
 * objects compiled from tests/ebpf/progs/ with debug info stripped (BTF kept), named *.bpf-elf
 * (not *.o, which .gitignore ignores). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "common/log.h"
#include "ebpf/elf_loader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ebpf_object *obj = NULL;
	char err[512];
	volatile uint64_t sink = 0;

	bw_log_set_level(BW_LOG_ERROR);
	if (ebpf_elf_load(data, size, "fuzz.o", &obj, err, sizeof(err))) {
		if (!err[0] || !memchr(err, 0, sizeof(err)))
			__builtin_trap(); /* every refusal has a message */
		return 0;
	}
	for (uint32_t i = 0; i < obj->n_progs; i++) {
		struct ebpf_prog *p = obj->progs[i];

		for (uint32_t j = 0; j < p->n_insns; j++)
			sink += p->insns[j].code;
		for (uint32_t j = 0; j < p->n_funcs; j++)
			if (p->funcs[j].start >= p->n_insns)
				__builtin_trap();
		if (p->n_maps != obj->n_maps || !p->type)
			__builtin_trap();
	}
	for (uint32_t i = 0; i < obj->n_maps; i++)
		sink += ebpf_map_def(obj->maps[i])->max_entries;
	ebpf_object_free(obj);
	return (int)(sink & 0);
}
