/* btf.h: a strict reader of BTF (the BPF Type Format in an object's .BTF section), as much as the
 * ELF loader needs: the types of BTF-defined maps (.maps: map type, key/value types and sizes,
 * max_entries, flags, __array(values)). Every offset, id and size is checked against the data:
 * hostile BTF gives an error, never a crash. */
#ifndef BULWARK_EBPF_BTF_H
#define BULWARK_EBPF_BTF_H

#include <linux/btf.h>
#include <stddef.h>
#include <stdint.h>

struct ebpf_btf;

/* Parses and validates (header, every type record, string offsets, referenced type ids).
 * Returns 0, or -EINVAL with a message naming the type id / byte offset. */
int ebpf_btf_parse(const void *data, size_t len, struct ebpf_btf **out, char *err, size_t errlen);
void ebpf_btf_free(struct ebpf_btf *btf);

uint32_t ebpf_btf_n_types(const struct ebpf_btf *btf); /* ids are 1..n */
/* The type record of id (NULL for 0 = void or out of range); its kind-specific data follows it. */
const struct btf_type *ebpf_btf_type(const struct ebpf_btf *btf, uint32_t id);
const char *ebpf_btf_name(const struct ebpf_btf *btf, uint32_t name_off); /* "" if bad */
static inline unsigned ebpf_btf_kind(const struct btf_type *t)
{
	return BTF_INFO_KIND(t->info);
}
static inline unsigned ebpf_btf_vlen(const struct btf_type *t)
{
	return BTF_INFO_VLEN(t->info);
}
/* Follows typedef/const/volatile/restrict/type_tag; returns the id of the first other type. */
uint32_t ebpf_btf_skip_mods(const struct ebpf_btf *btf, uint32_t id);
/* Size in bytes of a type (int, ptr, array, struct, union, enum, float, through modifiers);
 * -EINVAL if it has none (void, func, fwd) or overflows. */
int ebpf_btf_size(const struct ebpf_btf *btf, uint32_t id, uint64_t *size);
/* Id of the DATASEC named name, or 0. */
uint32_t ebpf_btf_find_datasec(const struct ebpf_btf *btf, const char *name);

#endif
