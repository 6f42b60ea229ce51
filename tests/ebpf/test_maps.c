/* test_maps.c: behaviour of each eBPF map type through maps.h: creation checks, lookup, update
 * flags, delete, iteration, host copies, limits, LRU eviction, reference counts, direct values. */
#include <errno.h>
#include <string.h>
#include <unistd.h>

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

struct k4 {
	uint32_t len;
	uint8_t a[4];
};

struct k16 {
	uint32_t len;
	uint8_t a[16];
};

static struct ebpf_map *mk_lpm(uint32_t data_size, uint32_t max)
{
	struct ebpf_map_def d = {.type = EBPF_MAP_LPM_TRIE,
				 .key_size = 4 + data_size,
				 .value_size = 4,
				 .max_entries = max,
				 .flags = EBPF_F_NO_PREALLOC,
				 .name = "lpm"};
	char err[256];
	struct ebpf_map *m = ebpf_map_create(&d, 1, err, sizeof(err));

	if (!m)
		printf("# %s\n", err);
	return m;
}

static int lpm_get(struct ebpf_map *m, uint32_t len, uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	struct k4 k = {len, {a, b, c, d}};
	uint32_t *v = ebpf_map_lookup(m, &k);

	return v ? (int)*v : -1;
}

static int lpm_put(struct ebpf_map *m, uint32_t len, uint8_t a, uint8_t b, uint8_t c, uint8_t d,
		   uint32_t v, uint64_t flags)
{
	struct k4 k = {len, {a, b, c, d}};

	return ebpf_map_update(m, &k, &v, flags);
}

TEST(lpm_longest_prefix_wins)
{
	struct ebpf_map *m = mk_lpm(4, 16);
	struct ebpf_map_def d = {.type = EBPF_MAP_LPM_TRIE,
				 .key_size = 8,
				 .value_size = 4,
				 .max_entries = 4,
				 .name = "noflag"};
	struct k4 k;
	char err[256];

	CHECK(!ebpf_map_create(&d, 1, err, sizeof(err)));
	CHECK_CONTAINS(err, "BPF_F_NO_PREALLOC");
	CHECK(m);
	if (!m)
		return;
	CHECK_EQ(lpm_get(m, 32, 10, 1, 2, 3), -1);
	CHECK_EQ(lpm_put(m, 8, 10, 0, 0, 0, 1, EBPF_ANY), 0);
	CHECK_EQ(lpm_put(m, 24, 10, 1, 2, 0, 3, EBPF_ANY), 0);
	CHECK_EQ(lpm_put(m, 16, 10, 1, 0, 0, 2, EBPF_ANY), 0);
	CHECK_EQ(lpm_put(m, 0, 0, 0, 0, 0, 99, EBPF_ANY), 0);
	CHECK_EQ(lpm_put(m, 32, 10, 1, 2, 200, 4, EBPF_NOEXIST), 0);
	CHECK_EQ(lpm_put(m, 16, 10, 1, 77, 77, 5, EBPF_NOEXIST), -EEXIST); /* same /16 */
	CHECK_EQ(lpm_put(m, 12, 10, 16, 0, 0, 5, EBPF_EXIST), -ENOENT);
	CHECK_EQ(lpm_put(m, 33, 10, 0, 0, 0, 5, EBPF_ANY), -EINVAL);
	CHECK_EQ(ebpf_map_count(m), 5);
	CHECK_EQ(lpm_get(m, 32, 10, 1, 2, 3), 3);
	CHECK_EQ(lpm_get(m, 32, 10, 1, 2, 200), 4);
	CHECK_EQ(lpm_get(m, 32, 10, 1, 3, 3), 2);
	CHECK_EQ(lpm_get(m, 32, 10, 2, 0, 0), 1);
	CHECK_EQ(lpm_get(m, 32, 11, 0, 0, 0), 99);
	CHECK_EQ(lpm_get(m, 20, 10, 1, 2, 3), 2); /* the key's own prefix length limits the match */
	k = (struct k4){16, {10, 1, 0, 0}};
	CHECK_EQ(ebpf_map_delete(m, &k), 0);
	CHECK_EQ(ebpf_map_delete(m, &k), -ENOENT);
	CHECK_EQ(lpm_get(m, 32, 10, 1, 3, 3), 1);
	CHECK_EQ(lpm_get(m, 32, 10, 1, 2, 3), 3);
	k = (struct k4){0, {0}};
	CHECK_EQ(ebpf_map_delete(m, &k), 0);
	CHECK_EQ(lpm_get(m, 32, 11, 0, 0, 0), -1);
	CHECK_EQ(lpm_put(m, 8, 10, 0, 0, 0, 7, EBPF_EXIST), 0); /* replace */
	CHECK_EQ(lpm_get(m, 32, 10, 9, 9, 9), 7);
	CHECK_EQ(ebpf_map_count(m), 3);
	ebpf_map_put(m);
}

static uint32_t xorshift32(uint32_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 17;
	*x ^= *x << 5;
	return *x;
}

/* random prefixes against a linear scan, IPv4 and IPv6, with deletions and iteration */
static void lpm_random(uint32_t size, unsigned n, unsigned seed)
{
	struct ebpf_map *m = mk_lpm(size, n);
	static uint8_t pfx[4000][16], alive[4000];
	static uint32_t plen[4000];
	uint8_t key[20], next[20];
	uint32_t x = seed, bits = size * 8;
	unsigned live = 0, iter = 0;
	int r;

	CHECK(m && n <= 4000);
	if (!m)
		return;
#define RND() xorshift32(&x)
	for (unsigned i = 0; i < n; i++) {
		uint32_t v = i;

		plen[i] = RND() % (bits + 1);
		for (uint32_t b = 0; b < size; b++)
			pfx[i][b] = (b < 2) ? (RND() & 3) : RND(); /* clustered: shared prefixes */
		for (uint32_t b = plen[i]; b < bits; b++)
			pfx[i][b / 8] &= ~(0x80 >> (b % 8));
		alive[i] = 1;
		for (unsigned j = 0; j < i; j++)
			if (alive[j] && plen[j] == plen[i] && !memcmp(pfx[j], pfx[i], size))
				alive[j] = 0; /* replaced */
		memcpy(key, &plen[i], 4);
		memcpy(key + 4, pfx[i], size);
		CHECK_EQ(ebpf_map_update(m, key, &v, EBPF_ANY), 0);
	}
	for (unsigned i = 0; i < n; i += 3) {
		if (!alive[i])
			continue;
		memcpy(key, &plen[i], 4);
		memcpy(key + 4, pfx[i], size);
		CHECK_EQ(ebpf_map_delete(m, key), 0);
		alive[i] = 0;
	}
	for (unsigned i = 0; i < n; i++)
		live += alive[i];
	CHECK_EQ(ebpf_map_count(m), live);
	for (int q = 0; q < 4000; q++) {
		uint8_t addr[16];
		int best = -1;
		uint32_t *v;

		if (q & 1) { /* near an existing prefix */
			memcpy(addr, pfx[RND() % n], size);
			addr[size - 1 - (RND() % size)] ^= (uint8_t)RND();
		} else {
			for (uint32_t b = 0; b < size; b++)
				addr[b] = (b < 2) ? (RND() & 3) : RND();
		}
		for (unsigned i = 0; i < n; i++) {
			bool match = alive[i];

			for (uint32_t b = 0; match && b < plen[i]; b++)
				match = ((addr[b / 8] ^ pfx[i][b / 8]) & (0x80 >> (b % 8))) == 0;
			if (match && (best < 0 || plen[i] > plen[best]))
				best = (int)i;
		}
		memcpy(key, &bits, 4);
		memcpy(key + 4, addr, size);
		v = ebpf_map_lookup(m, key);
		if (best < 0)
			CHECK(v == NULL);
		else
			CHECK(v && *v == (uint32_t)best);
	}
	/* iteration: every live prefix exactly once */
	for (r = ebpf_map_get_next_key(m, NULL, next); r == 0;
	     r = ebpf_map_get_next_key(m, key, next)) {
		uint32_t l;
		bool ok = false;

		memcpy(key, next, 4 + size);
		memcpy(&l, next, 4);
		for (unsigned i = 0; i < n; i++)
			if (alive[i] == 1 && plen[i] == l && !memcmp(pfx[i], next + 4, size)) {
				alive[i] = 2;
				ok = true;
			}
		CHECK(ok);
		if (++iter > n)
			break;
	}
	CHECK_EQ(iter, live);
	ebpf_map_put(m);
#undef RND
}

TEST(lpm_matches_linear_scan_ipv4)
{
	lpm_random(4, 3000, 12345);
}

TEST(lpm_matches_linear_scan_ipv6)
{
	lpm_random(16, 3000, 777);
}

TEST(lpm_full_and_ten_thousand_prefixes)
{
	struct ebpf_map *m = mk_lpm(4, 10000);
	uint32_t i;

	CHECK(m);
	if (!m)
		return;
	for (i = 0; i < 10000; i++)
		CHECK_EQ(lpm_put(m, 24, 10 + (i >> 16), i >> 8, i, 0, i, EBPF_NOEXIST), 0);
	CHECK_EQ(lpm_put(m, 32, 1, 2, 3, 4, 1, EBPF_ANY), -ENOSPC);
	CHECK_EQ(lpm_put(m, 24, 10, 0, 5, 0, 42, EBPF_ANY), 0); /* replacing is fine when full */
	CHECK_EQ(lpm_get(m, 32, 10, 0, 5, 9), 42);
	CHECK_EQ(lpm_get(m, 32, 10, 39, 15, 1), 9999);
	CHECK_EQ(lpm_get(m, 32, 10, 39, 16, 1), -1);
	ebpf_map_put(m);
}

struct rb_seen {
	int n;
	uint32_t sizes[64];
	uint8_t first[64];
};

static int rb_collect(void *opaque, const void *data, uint32_t size)
{
	struct rb_seen *s = opaque;

	if (s->n < 64) {
		s->sizes[s->n] = size;
		s->first[s->n] = *(const uint8_t *)data;
	}
	s->n++;
	return 0;
}

TEST(ringbuf_order_discard_busy_and_full)
{
	struct ebpf_map_def d = {.type = EBPF_MAP_RINGBUF, .max_entries = 4096, .name = "rb"};
	struct ebpf_map *m;
	struct rb_seen s = {0};
	uint8_t *a, *b, *c, buf[100];
	char err[256];
	uint64_t cnt;
	int fd;

	d.max_entries = 5000;
	CHECK(!ebpf_map_create(&d, 1, err, sizeof(err)));
	CHECK_CONTAINS(err, "power of 2");
	d.max_entries = 4096;
	m = ebpf_map_create(&d, 1, err, sizeof(err));
	CHECK(m);
	if (!m)
		return;
	CHECK(ebpf_ringbuf_reserve(m, 4096, 0) == NULL); /* larger than the ring */
	CHECK(ebpf_ringbuf_reserve(m, 8, 1) == NULL);	 /* flags must be 0 */
	a = ebpf_ringbuf_reserve(m, 10, 0);
	b = ebpf_ringbuf_reserve(m, 20, 0);
	c = ebpf_ringbuf_reserve(m, 30, 0);
	CHECK(a && b && c);
	if (!a || !b || !c)
		return;
	CHECK_EQ((uintptr_t)a % 8, 0);
	CHECK_EQ(b - a, 24); /* 8-byte header + 10 rounded to 16 */
	a[0] = 'a';
	b[0] = 'b';
	c[0] = 'c';
	CHECK_EQ(ebpf_ringbuf_avail_data(m), 24 + 32 + 40);
	ebpf_ringbuf_submit(b, 0);
	CHECK_EQ(ebpf_ringbuf_consume(m, rb_collect, &s), 0); /* a still reserved: nothing */
	ebpf_ringbuf_discard(a, 0);
	CHECK_EQ(ebpf_ringbuf_consume(m, rb_collect, &s), 1); /* b only; c reserved */
	CHECK_EQ(s.sizes[0], 20);
	CHECK_EQ(s.first[0], 'b');
	ebpf_ringbuf_submit(c, 0);
	CHECK_EQ(ebpf_ringbuf_consume(m, rb_collect, &s), 1);
	CHECK_EQ(s.first[1], 'c');
	CHECK_EQ(ebpf_ringbuf_avail_data(m), 0);
	CHECK_EQ(ebpf_ringbuf_query(m, 1), 4096);
	CHECK_EQ(ebpf_ringbuf_query(m, 3), 96);
	/* fill: 100-byte records (112 with header) until full, then wrap with padding */
	fd = ebpf_ringbuf_wakeup_fd(m);
	CHECK(fd >= 0);
	memset(buf, 'x', sizeof(buf));
	int n = 0;
	while (ebpf_ringbuf_output(m, buf, sizeof(buf), 0) == 0)
		n++;
	CHECK_EQ(n, (4096 - 96) / 112);
	CHECK_EQ(ebpf_ringbuf_output(m, buf, sizeof(buf), 0), -EAGAIN);
	CHECK_EQ(read(fd, &cnt, 8), 8); /* the consumer had caught up: woken */
	s.n = 0;
	CHECK_EQ(ebpf_ringbuf_consume(m, rb_collect, &s), n);
	CHECK_EQ(s.sizes[n - 1], 100);
	for (int i = 0; i < 100; i++) { /* wraps around the end several times */
		CHECK_EQ(ebpf_ringbuf_output(m, buf, sizeof(buf), EBPF_RB_NO_WAKEUP), 0);
		CHECK_EQ(ebpf_ringbuf_consume(m, rb_collect, &s), 1);
	}
	CHECK_EQ(s.n, n + 100);
	CHECK_EQ(ebpf_ringbuf_avail_data(m), 0);
	ebpf_map_put(m);
}

HARNESS_MAIN(create_refuses_bad_definitions, array_lookup_update_iterate,
	     array_direct_value_and_freeze, percpu_array_host_update_sets_every_copy,
	     hash_insert_replace_delete, hash_iteration_visits_each_key_once,
	     lru_hash_evicts_unreferenced_first, refcount_keeps_map_alive, prog_array_slots,
	     lpm_longest_prefix_wins, lpm_matches_linear_scan_ipv4, lpm_matches_linear_scan_ipv6,
	     lpm_full_and_ten_thousand_prefixes, ringbuf_order_discard_busy_and_full)
