/* map_prog_array.c: BPF_MAP_TYPE_PROG_ARRAY, the slots of tail calls (bpf_tail_call, helper 12).
 * key_size and value_size 4 as Linux (the value is a program; the host sets it with
 * ebpf_prog_array_set, not with ebpf_map_update). Slots are atomic pointers: a tail call reads one
 * with an acquire load, the host replaces it with a release store. The map does not own the
 * programs: whoever clears or replaces a slot must ebpf_epoch_synchronize() before freeing the
 * program that was there (a run may still be inside it). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ebpf/map_impl.h"
#include "ebpf/prog.h"

struct map_prog_array {
	struct ebpf_map map;
	struct ebpf_prog *_Atomic slots[];
};

static struct ebpf_map *prog_array_create(const struct ebpf_map_def *def, unsigned n_vcpus,
					  char *err, size_t errlen)
{
	struct map_prog_array *a;

	if (def->key_size != 4 || def->value_size != 4) {
		ebpf_map_errf(err, errlen, def,
			      "prog_array map needs key_size 4 and value_size 4, not %u and %u",
			      def->key_size, def->value_size);
		return NULL;
	}
	a = calloc(1, sizeof(*a) + (size_t)def->max_entries * sizeof(a->slots[0]));
	if (!a) {
		ebpf_map_errf(err, errlen, def, "out of memory");
		return NULL;
	}
	return &a->map;
}

static void prog_array_destroy(struct ebpf_map *m)
{
	free(m);
}

static int prog_array_delete(struct ebpf_map *m, const void *key)
{
	uint32_t i;

	memcpy(&i, key, 4);
	if (i >= m->def.max_entries)
		return -EINVAL;
	return atomic_exchange(&((struct map_prog_array *)m)->slots[i], NULL) ? 0 : -ENOENT;
}

static int prog_array_get_next_key(struct ebpf_map *m, const void *key, void *next)
{
	uint32_t i, n;

	if (!key) {
		n = 0;
	} else {
		memcpy(&i, key, 4);
		if (i >= m->def.max_entries)
			n = 0;
		else if (i == m->def.max_entries - 1)
			return -ENOENT;
		else
			n = i + 1;
	}
	memcpy(next, &n, 4);
	return 0;
}

static uint32_t prog_array_count(struct ebpf_map *m)
{
	struct map_prog_array *a = (struct map_prog_array *)m;
	uint32_t n = 0;

	for (uint32_t i = 0; i < m->def.max_entries; i++)
		n += atomic_load_explicit(&a->slots[i], memory_order_relaxed) != NULL;
	return n;
}

struct ebpf_prog *ebpf_prog_array_get(struct ebpf_map *m, uint32_t index)
{
	if (!m || m->def.type != EBPF_MAP_PROG_ARRAY || index >= m->def.max_entries)
		return NULL;
	return atomic_load_explicit(&((struct map_prog_array *)m)->slots[index],
				    memory_order_acquire);
}

int ebpf_prog_array_set(struct ebpf_map *m, uint32_t index, struct ebpf_prog *p)
{
	if (!m || m->def.type != EBPF_MAP_PROG_ARRAY)
		return -EINVAL;
	if (index >= m->def.max_entries)
		return -E2BIG;
	atomic_store_explicit(&((struct map_prog_array *)m)->slots[index], p, memory_order_release);
	return 0;
}

const struct ebpf_map_ops ebpf_map_prog_array_ops = {
    .create = prog_array_create,
    .destroy = prog_array_destroy,
    .delete = prog_array_delete,
    .get_next_key = prog_array_get_next_key,
    .count = prog_array_count,
};
