/* map_array.c: BPF_MAP_TYPE_ARRAY and BPF_MAP_TYPE_PERCPU_ARRAY (one value copy per vCPU).
 * Keys are u32 indices below max_entries; every element always exists (zeroed at creation).
 * Values live in one 64-byte aligned block at a stride of value_size rounded up to 8, so program
 * lookups are one bounds check and one multiply-add. Updates write in place, word by word with
 * atomic stores, inside a per-element sequence count that writers take as a spin lock (odd =
 * being written); host copies (lookup_copy) retry until they saw an even, unchanged count, so they
 * are never torn. Programs that read a value directly while the host writes it see each aligned
 * 8-byte word either old or new (as Linux; use atomics or a per-vCPU map for counters). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ebpf/map_impl.h"

struct map_array {
	struct ebpf_map map;
	size_t stride;	    /* bytes per value copy */
	size_t vcpu_stride; /* bytes per vCPU copy of the whole array (percpu) */
	unsigned copies;    /* 1, or n_vcpus for percpu */
	_Atomic uint32_t *seq;
	uint8_t *values;
};

static struct ebpf_map *array_create_common(const struct ebpf_map_def *def, unsigned copies,
					    char *err, size_t errlen)
{
	struct map_array *a;
	size_t total;

	if (def->key_size != 4) {
		ebpf_map_errf(err, errlen, def, "%s map needs key_size 4, not %u",
			      ebpf_map_type_name(def->type), def->key_size);
		return NULL;
	}
	if (def->value_size == 0) {
		ebpf_map_errf(err, errlen, def, "value_size is 0");
		return NULL;
	}
	a = calloc(1, sizeof(*a));
	if (!a)
		goto nomem;
	a->stride = ebpf_map_round8(def->value_size);
	a->vcpu_stride = a->stride * def->max_entries;
	a->copies = copies;
	if (a->vcpu_stride > (size_t)1 << 32 || (size_t)copies * a->vcpu_stride > (size_t)1 << 32) {
		ebpf_map_errf(err, errlen, def, "%zu bytes of values is too large",
			      (size_t)copies * a->vcpu_stride);
		free(a);
		return NULL;
	}
	total = (copies * a->vcpu_stride + 63) & ~(size_t)63;
	a->values = aligned_alloc(64, total);
	a->seq = calloc(def->max_entries, sizeof(*a->seq));
	if (!a->values || !a->seq) {
		free(a->values);
		free(a->seq);
		free(a);
		goto nomem;
	}
	memset(a->values, 0, total);
	return &a->map;
nomem:
	ebpf_map_errf(err, errlen, def, "out of memory");
	return NULL;
}

static struct ebpf_map *array_create(const struct ebpf_map_def *def, unsigned n_vcpus, char *err,
				     size_t errlen)
{
	return array_create_common(def, 1, err, errlen);
}

static struct ebpf_map *percpu_array_create(const struct ebpf_map_def *def, unsigned n_vcpus,
					    char *err, size_t errlen)
{
	return array_create_common(def, n_vcpus, err, errlen);
}

static void array_destroy(struct ebpf_map *m)
{
	struct map_array *a = (struct map_array *)m;

	free(a->values);
	free(a->seq);
	free(a);
}

static void *array_lookup(struct ebpf_map *m, const void *key)
{
	struct map_array *a = (struct map_array *)m;
	uint32_t i;

	memcpy(&i, key, 4);
	if (i >= m->def.max_entries)
		return NULL;
	return a->values + (size_t)i * a->stride;
}

static void *percpu_array_lookup(struct ebpf_map *m, const void *key)
{
	struct map_array *a = (struct map_array *)m;
	uint32_t i, cpu = ebpf_map_current_vcpu();

	memcpy(&i, key, 4);
	if (i >= m->def.max_entries || cpu >= a->copies)
		return NULL;
	return a->values + cpu * a->vcpu_stride + (size_t)i * a->stride;
}

static void seq_write_begin(_Atomic uint32_t *seq)
{
	uint32_t s = atomic_load_explicit(seq, memory_order_relaxed);

	for (;;) {
		if (!(s & 1) && atomic_compare_exchange_weak_explicit(
				    seq, &s, s + 1, memory_order_acquire, memory_order_relaxed))
			break;
		__builtin_ia32_pause();
		s = atomic_load_explicit(seq, memory_order_relaxed);
	}
	atomic_thread_fence(memory_order_release);
}

static void seq_write_end(_Atomic uint32_t *seq)
{
	atomic_fetch_add_explicit(seq, 1, memory_order_release);
}

static int array_update(struct ebpf_map *m, const void *key, const void *value, uint64_t flags,
			bool from_prog)
{
	struct map_array *a = (struct map_array *)m;
	uint32_t i;

	memcpy(&i, key, 4);
	if (i >= m->def.max_entries)
		return -E2BIG;
	if (flags == EBPF_NOEXIST)
		return -EEXIST;
	seq_write_begin(&a->seq[i]);
	if (a->copies == 1) {
		ebpf_map_store_words(a->values + (size_t)i * a->stride, value, m->def.value_size);
	} else if (from_prog) {
		uint32_t cpu = ebpf_map_current_vcpu();

		if (cpu < a->copies)
			ebpf_map_store_words(a->values + cpu * a->vcpu_stride +
						 (size_t)i * a->stride,
					     value, m->def.value_size);
	} else {
		for (unsigned c = 0; c < a->copies; c++)
			ebpf_map_store_words(a->values + c * a->vcpu_stride + (size_t)i * a->stride,
					     value, m->def.value_size);
	}
	seq_write_end(&a->seq[i]);
	return 0;
}

static int array_get_next_key(struct ebpf_map *m, const void *key, void *next)
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

static int array_lookup_copy(struct ebpf_map *m, const void *key, void *value)
{
	struct map_array *a = (struct map_array *)m;
	uint32_t i, s1, s2;

	memcpy(&i, key, 4);
	if (i >= m->def.max_entries)
		return -ENOENT;
	do {
		while ((s1 = atomic_load_explicit(&a->seq[i], memory_order_acquire)) & 1)
			__builtin_ia32_pause();
		for (unsigned c = 0; c < a->copies; c++) {
			uint8_t *out = (uint8_t *)value + (a->copies > 1 ? c * a->stride : 0);

			ebpf_map_load_words(out,
					    a->values + c * a->vcpu_stride + (size_t)i * a->stride,
					    a->copies > 1 ? a->stride : m->def.value_size);
		}
		atomic_thread_fence(memory_order_acquire);
		s2 = atomic_load_explicit(&a->seq[i], memory_order_relaxed);
	} while (s1 != s2);
	return 0;
}

static uint32_t array_count(struct ebpf_map *m)
{
	return m->def.max_entries;
}

const struct ebpf_map_ops ebpf_map_array_ops = {
    .create = array_create,
    .destroy = array_destroy,
    .lookup = array_lookup,
    .update = array_update,
    .get_next_key = array_get_next_key,
    .lookup_copy = array_lookup_copy,
    .count = array_count,
};

const struct ebpf_map_ops ebpf_map_percpu_array_ops = {
    .create = percpu_array_create,
    .destroy = array_destroy,
    .lookup = percpu_array_lookup,
    .update = array_update,
    .get_next_key = array_get_next_key,
    .lookup_copy = array_lookup_copy,
    .count = array_count,
};
