/* test_maps.c: behaviour of each eBPF map type through maps.h: creation checks, lookup, update
 * flags, delete, iteration, host copies, limits, LRU eviction, reference counts, direct values. */
#include <errno.h>
#include <string.h>

#include "ebpf/epoch.h"
#include "ebpf/maps.h"
#include "ebpf/prog.h"
#include "harness.h"

static struct ebpf_map *mk(enum ebpf_map_type type, uint32_t ks, uint32_t vs, uint32_t max,
			   const char *name)
{
	struct ebpf_map_def d = {
	    .type = type, .key_size = ks, .value_size = vs, .max_entries = max};
	char err[256];
	struct ebpf_map *m;

	snprintf(d.name, sizeof(d.name), "%s", name);
	m = ebpf_map_create(&d, 4, err, sizeof(err));
	if (!m)
		printf("# create %s: %s\n", name, err);
	return m;
}

TEST(create_refuses_bad_definitions)
{
	struct ebpf_map_def d = {.type = EBPF_MAP_ARRAY,
				 .key_size = 8,
				 .value_size = 4,
				 .max_entries = 4,
				 .name = "arr"};
	char err[256];

	CHECK(!ebpf_map_create(&d, 1, err, sizeof(err)));
	CHECK_CONTAINS(err, "map 'arr'");
	CHECK_CONTAINS(err, "key_size 4");
	d.key_size = 4;
	d.max_entries = 0;
	CHECK(!ebpf_map_create(&d, 1, err, sizeof(err)));
	CHECK_CONTAINS(err, "max_entries is 0");
	d.max_entries = 1;
	d.type = 5; /* PERCPU_HASH: not supported */
	CHECK(!ebpf_map_create(&d, 1, err, sizeof(err)));
	CHECK_CONTAINS(err, "unknown or unsupported map type 5");
	d.type = EBPF_MAP_HASH;
	d.key_size = 0;
	CHECK(!ebpf_map_create(&d, 1, err, sizeof(err)));
	CHECK_CONTAINS(err, "key_size and value_size > 0");
	d.key_size = 4;
	d.flags = 0x80000;
	CHECK(!ebpf_map_create(&d, 1, err, sizeof(err)));
	CHECK_CONTAINS(err, "map_flags");
	d.flags = 0;
	d.value_size = EBPF_MAP_MAX_VALUE_SIZE + 1;
	CHECK(!ebpf_map_create(&d, 1, err, sizeof(err)));
	CHECK_CONTAINS(err, "too large");
}

TEST(array_lookup_update_iterate)
{
	struct ebpf_map *m = mk(EBPF_MAP_ARRAY, 4, 12, 5, "a");
	uint32_t k, next;
	uint8_t v[12], out[12];
	int n = 0;

	CHECK(m);
	if (!m)
		return;
	CHECK_STR(ebpf_map_type_name(ebpf_map_def(m)->type), "array");
	k = 4;
	CHECK(ebpf_map_lookup(m, &k) != NULL);
	CHECK_EQ(((uint8_t *)ebpf_map_lookup(m, &k))[11], 0); /* zeroed */
	k = 5;
	CHECK(ebpf_map_lookup(m, &k) == NULL);
	CHECK_EQ(ebpf_map_update(m, &k, v, EBPF_ANY), -E2BIG);
	k = 2;
	memset(v, 0xab, sizeof(v));
	CHECK_EQ(ebpf_map_update(m, &k, v, EBPF_NOEXIST), -EEXIST);
	CHECK_EQ(ebpf_map_update(m, &k, v, 7), -EINVAL);
	CHECK_EQ(ebpf_map_update(m, &k, v, EBPF_EXIST), 0);
	CHECK(!memcmp(ebpf_map_lookup(m, &k), v, 12));
	CHECK_EQ(ebpf_map_lookup_copy(m, &k, out), 0);
	CHECK(!memcmp(out, v, 12));
	/* values are 8-byte aligned (stride 16): element 3 starts 16 bytes after element 2 */
	k = 3;
	CHECK_EQ((uint8_t *)ebpf_map_lookup(m, &k) - (uint8_t *)ebpf_map_lookup(m, &(uint32_t){2}),
		 16);
	CHECK_EQ(ebpf_map_delete(m, &k), -EINVAL);
	CHECK_EQ(ebpf_map_count(m), 5);
	for (int r = ebpf_map_get_next_key(m, NULL, &next); r == 0;
	     r = ebpf_map_get_next_key(m, &k, &next)) {
		CHECK_EQ(next, n);
		k = next;
		n++;
	}
	CHECK_EQ(n, 5);
	k = 99; /* out of range key restarts */
	CHECK_EQ(ebpf_map_get_next_key(m, &k, &next), 0);
	CHECK_EQ(next, 0);
	CHECK(ebpf_map_direct_value(m) == NULL); /* not a 1-entry array */
	ebpf_map_put(m);
}

TEST(array_direct_value_and_freeze)
{
	struct ebpf_map *m = mk(EBPF_MAP_ARRAY, 4, 32, 1, ".rodata");
	uint32_t k = 0;
	uint8_t v[32] = {1, 2, 3};

	CHECK(m);
	if (!m)
		return;
	CHECK(ebpf_map_direct_value(m) == ebpf_map_lookup(m, &k));
	CHECK_EQ(ebpf_map_update(m, &k, v, EBPF_ANY), 0);
	CHECK_EQ(((uint8_t *)ebpf_map_direct_value(m))[2], 3);
	CHECK(!ebpf_map_frozen(m));
	ebpf_map_freeze(m);
	CHECK(ebpf_map_frozen(m));
	CHECK_EQ(ebpf_map_update(m, &k, v, EBPF_ANY), -EPERM);
	ebpf_map_put(m);
}

TEST(percpu_array_host_update_sets_every_copy)
{
	struct ebpf_map *m = mk(EBPF_MAP_PERCPU_ARRAY, 4, 4, 3, "pc");
	uint32_t k = 1, v = 0x11223344, out[4 * 2]; /* 4 vCPUs, stride 8 bytes */

	CHECK(m);
	if (!m)
		return;
	CHECK_EQ(ebpf_map_n_vcpus(m), 4);
	CHECK_EQ(ebpf_map_update(m, &k, &v, EBPF_ANY), 0);
	memset(out, 0xff, sizeof(out));
	CHECK_EQ(ebpf_map_lookup_copy(m, &k, out), 0);
	for (int c = 0; c < 4; c++) {
		CHECK_EQ(out[2 * c], 0x11223344);
		CHECK_EQ(out[2 * c + 1], 0); /* padding of the 8-byte stride */
	}
	/* host side (vCPU 0 of the run context): the lookup is copy 0 */
	CHECK_EQ(*(uint32_t *)ebpf_map_lookup(m, &k), 0x11223344);
	ebpf_map_put(m);
}

TEST(hash_insert_replace_delete)
{
	struct ebpf_map *m = mk(EBPF_MAP_HASH, 6, 8, 3, "h");
	uint8_t k1[6] = "abcde", k2[6] = "abcdf", k3[6] = "zzzzz", k4[6] = "yyyyy";
	uint64_t v = 1, out;
	uint64_t *p;

	CHECK(m);
	if (!m)
		return;
	CHECK(ebpf_map_lookup(m, k1) == NULL);
	CHECK_EQ(ebpf_map_update(m, k1, &v, EBPF_EXIST), -ENOENT);
	CHECK_EQ(ebpf_map_update(m, k1, &v, EBPF_NOEXIST), 0);
	CHECK_EQ(ebpf_map_update(m, k1, &v, EBPF_NOEXIST), -EEXIST);
	v = 2;
	CHECK_EQ(ebpf_map_update(m, k2, &v, EBPF_ANY), 0);
	CHECK_EQ(ebpf_map_count(m), 2);
	ebpf_epoch_enter();
	p = ebpf_map_lookup(m, k1);
	CHECK(p && *p == 1);
	v = 10;
	CHECK_EQ(ebpf_map_update(m, k1, &v, EBPF_EXIST), 0);
	/* the old element stays readable (epoch) while the new value is visible to new lookups */
	CHECK(p && *p == 1);
	CHECK_EQ(*(uint64_t *)ebpf_map_lookup(m, k1), 10);
	ebpf_epoch_exit();
	CHECK_EQ(ebpf_map_count(m), 2);
	v = 3;
	CHECK_EQ(ebpf_map_update(m, k3, &v, EBPF_ANY), 0);
	CHECK_EQ(ebpf_map_update(m, k4, &v, EBPF_ANY), -E2BIG); /* full */
	CHECK_EQ(ebpf_map_delete(m, k2), 0);
	CHECK_EQ(ebpf_map_delete(m, k2), -ENOENT);
	CHECK(ebpf_map_lookup(m, k2) == NULL);
	CHECK_EQ(ebpf_map_lookup_copy(m, k2, &out), -ENOENT);
	CHECK_EQ(ebpf_map_update(m, k4, &v, EBPF_ANY), 0);
	CHECK_EQ(ebpf_map_lookup_copy(m, k4, &out), 0);
	CHECK_EQ(out, 3);
	CHECK_EQ(ebpf_map_count(m), 3);
	ebpf_map_put(m);
	CHECK_EQ(ebpf_epoch_synchronize(), 0);
	CHECK_EQ(ebpf_epoch_reclaim(), 0);
}

TEST(hash_iteration_visits_each_key_once)
{
	struct ebpf_map *m = mk(EBPF_MAP_HASH, 4, 4, 1000, "it");
	static uint8_t seen[1000];
	uint32_t k, next;
	int n = 0, r;

	CHECK(m);
	if (!m)
		return;
	for (k = 0; k < 1000; k++)
		CHECK_EQ(ebpf_map_update(m, &k, &k, EBPF_ANY), 0);
	CHECK_EQ(ebpf_map_count(m), 1000);
	memset(seen, 0, sizeof(seen));
	for (r = ebpf_map_get_next_key(m, NULL, &next); r == 0;
	     r = ebpf_map_get_next_key(m, &k, &next)) {
		CHECK(next < 1000);
		if (next < 1000) {
			CHECK_EQ(seen[next], 0);
			seen[next] = 1;
		}
		k = next;
		n++;
	}
	CHECK_EQ(r, -ENOENT);
	CHECK_EQ(n, 1000);
	for (k = 0; k < 1000; k += 2)
		CHECK_EQ(ebpf_map_delete(m, &k), 0);
	CHECK_EQ(ebpf_map_count(m), 500);
	for (k = 0; k < 1000; k++) {
		uint32_t *p = ebpf_map_lookup(m, &k);

		CHECK((k & 1) ? p && *p == k : p == NULL);
	}
	ebpf_map_put(m);
}

TEST(lru_hash_evicts_unreferenced_first)
{
	struct ebpf_map *m = mk(EBPF_MAP_LRU_HASH, 4, 4, 64, "lru");
	uint32_t k, v;

	CHECK(m);
	if (!m)
		return;
	for (k = 0; k < 64; k++)
		CHECK_EQ(ebpf_map_update(m, &k, &k, EBPF_ANY), 0);
	/* all are referenced: one sweep clears every bit and evicts one of them */
	k = 1000;
	v = 0;
	CHECK_EQ(ebpf_map_update(m, &k, &v, EBPF_ANY), 0);
	CHECK_EQ(ebpf_map_count(m), 64);
	uint32_t lost = 0, n_lost = 0;
	for (k = 0; k < 64; k++) /* host copies do not mark elements referenced */
		if (ebpf_map_lookup_copy(m, &k, &v)) {
			lost = k;
			n_lost++;
		}
	CHECK_EQ(n_lost, 1);
	/* keep 0-31 in use: the 20 next inserts evict among the others */
	for (int round = 0; round < 20; round++) {
		for (k = 0; k < 32; k++)
			(void)ebpf_map_lookup(m, &k);
		k = 2000 + round;
		CHECK_EQ(ebpf_map_update(m, &k, &v, EBPF_ANY), 0);
		CHECK(ebpf_map_count(m) <= 64);
	}
	CHECK_EQ(ebpf_map_count(m), 64);
	for (k = 0; k < 32; k++)
		CHECK(k == lost || ebpf_map_lookup(m, &k) != NULL);
	k = 2019; /* the newest insert is there */
	CHECK(ebpf_map_lookup(m, &k) != NULL);
	ebpf_map_put(m);
}

TEST(refcount_keeps_map_alive)
{
	struct ebpf_map *m = mk(EBPF_MAP_HASH, 4, 4, 4, "rc");
	uint32_t k = 7;

	CHECK(m);
	if (!m)
		return;
	CHECK(ebpf_map_get(m) == m);
	ebpf_map_put(m);
	CHECK_EQ(ebpf_map_update(m, &k, &k, EBPF_ANY), 0); /* still alive (ASan would say) */
	ebpf_map_put(m);
}

TEST(prog_array_slots)
{
	struct ebpf_map *m = mk(EBPF_MAP_PROG_ARRAY, 4, 4, 4, "jmp");
	struct ebpf_prog dummy = {.name = "target"};
	uint32_t k = 2, next;

	CHECK(m);
	if (!m)
		return;
	CHECK(ebpf_prog_array_get(m, 2) == NULL);
	CHECK_EQ(ebpf_prog_array_set(m, 2, &dummy), 0);
	CHECK(ebpf_prog_array_get(m, 2) == &dummy);
	CHECK(ebpf_prog_array_get(m, 4) == NULL);
	CHECK_EQ(ebpf_prog_array_set(m, 4, &dummy), -E2BIG);
	CHECK_EQ(ebpf_map_count(m), 1);
	CHECK(ebpf_map_lookup(m, &k) == NULL);
	CHECK_EQ(ebpf_map_update(m, &k, &k, EBPF_ANY), -EINVAL);
	CHECK_EQ(ebpf_map_delete(m, &k), 0);
	CHECK_EQ(ebpf_map_delete(m, &k), -ENOENT);
	CHECK(ebpf_prog_array_get(m, 2) == NULL);
	CHECK_EQ(ebpf_map_get_next_key(m, NULL, &next), 0);
	CHECK_EQ(next, 0);
	ebpf_map_put(m);
}

HARNESS_MAIN(create_refuses_bad_definitions, array_lookup_update_iterate,
	     array_direct_value_and_freeze, percpu_array_host_update_sets_every_copy,
	     hash_insert_replace_delete, hash_iteration_visits_each_key_once,
	     lru_hash_evicts_unreferenced_first, refcount_keeps_map_alive, prog_array_slots)
