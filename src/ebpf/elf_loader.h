/* elf_loader.h: loads an eBPF ELF object as clang builds it (`clang -O2 -g -target bpf -c`,
 * libbpf conventions) into bulwark programs and maps: every program section (SEC names in
 * docs/extensions.md; the section gives the program type), relocations (maps, global data,
 * bpf-to-bpf calls into .text), BTF-defined maps (".maps") and legacy ones ("maps"), global data
 * (.rodata/.data/.bss as 1-entry arrays), the license. Anything it cannot load is refused whole
 * with a message naming the file, section, symbol and offset. The input is hostile: any bytes
 * give either an object or an error, never a crash (fuzz/fuzz-elf-loader.c). Loaded programs
 * are not verified: run them through ebpf_verify() (verifier.h) first. */
#ifndef BULWARK_EBPF_ELF_LOADER_H
#define BULWARK_EBPF_ELF_LOADER_H

#include <stddef.h>
#include <stdint.h>

#include "ebpf/maps.h"
#include "ebpf/prog.h"

struct ebpf_object {
	struct ebpf_prog **progs; /* one per program (function) of each program section */
	uint32_t n_progs;
	struct ebpf_map **maps; /* every map of the object (own references); prog->maps index
				 * into this same list (each prog holds its own references) */
	uint32_t n_maps;
	char license[64];
};

int ebpf_elf_load(const void *data, size_t len, const char *origin, struct ebpf_object **obj,
		  char *err, size_t errlen);
void ebpf_object_free(struct ebpf_object *obj);

/* Options: n_vcpus is the number of value copies of per-vCPU maps (the VM's vCPU count; 0 or
 * ebpf_elf_load: 1, lookups from other vCPUs then find nothing). */
struct ebpf_elf_opts {
	unsigned n_vcpus;
};
int ebpf_elf_load_opts(const void *data, size_t len, const char *origin,
		       const struct ebpf_elf_opts *opts, struct ebpf_object **obj, char *err,
		       size_t errlen);

/* Lookup by name in a loaded object: the program (its function name, else section name) or the
 * map (its name: the variable name, ".rodata", ".data", ".bss"); NULL if none. */
struct ebpf_prog *ebpf_object_prog(const struct ebpf_object *obj, const char *name);
struct ebpf_map *ebpf_object_map(const struct ebpf_object *obj, const char *name);

/* The program type for a section name ("xdp", "xdp/...", "bulwark/blk", ...), NULL if unknown. */
const struct ebpf_prog_type *ebpf_elf_section_type(const char *section);

#endif
