/* test_maps_concurrency.c: the maps' concurrency model (docs/maps.md) under load. Reader threads
 * look values up the way programs do (inside an epoch section, holding the value pointer a
 * while) and the way the host does (ebpf_map_lookup_copy), while writer threads replace, delete
 * and re-insert the same keys. Every value is a pattern (each 8-byte word = key << 32 | version),
 * so a torn or freed value shows as mixed words (and ASan, in the sanitizer build, reports any
 * read of freed memory). Readers also check they never see a value older than one whose update had
 * completed before their lookup started (linearizable per key). */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>

#include "ebpf/epoch.h"
#include "ebpf/maps.h"
#include "harness.h"

#define N_KEYS 128
#define VWORDS 8 /* 64-byte values */
#define N_WRITERS 2
#define N_READERS 2
#define RUN_NS 400000000ull

struct shared {
	struct ebpf_map *m;
	bool is_array, is_lpm;
	_Atomic uint32_t published[N_KEYS]; /* version of the last completed update */
	_Atomic uint32_t started[N_KEYS];   /* version of the newest update begun */
	_Atomic bool stop;
	_Atomic unsigned long bad, reads, found, writes;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

struct lpm_key4 {
	uint32_t prefixlen;
	uint8_t addr[4];
};

/* The map key of index i: u32 for arrays and hashes; a /24 (10.i.x.0/24) for LPM tries, looked
 * up with the address 10.i.x.77. */
static void make_key(struct shared *s, uint32_t i, void *key, bool for_lookup)
{
	if (s->is_lpm) {
		struct lpm_key4 k = {
		    .prefixlen = for_lookup ? 32 : 24,
		    .addr = {10, (uint8_t)i, (uint8_t)(i * 7), for_lookup ? 77 : 0}};

		memcpy(key, &k, sizeof(k));
	} else {
		memcpy(key, &i, 4);
	}
}

static void fill(uint64_t *v, uint32_t key, uint32_t ver)
{
	for (int w = 0; w < VWORDS; w++)
		v[w] = (uint64_t)key << 32 | ver;
}

/* Checks one value: every word the same, the right key, a version no older than before. */
static bool check_value(struct shared *s, uint32_t key, const uint64_t *v, uint32_t min_ver)
{
	uint64_t w0 = __atomic_load_n(&v[0], __ATOMIC_RELAXED);

	for (int w = 1; w < VWORDS; w++)
		if (__atomic_load_n(&v[w], __ATOMIC_RELAXED) != w0)
			return false;
	if (w0 >> 32 != key)
		return false;
	if ((uint32_t)w0 < min_ver && !s->is_array)
		return false;
	return (uint32_t)w0 <= atomic_load(&s->started[key]);
}

static void *writer(void *arg)
{
	struct shared *s = ((void **)arg)[0];
	uintptr_t id = (uintptr_t)((void **)arg)[1];
	uint64_t v[VWORDS];
	uint8_t key[8];
	unsigned long n = 0;

	while (!atomic_load(&s->stop)) {
		for (uint32_t i = id; i < N_KEYS; i += N_WRITERS) {
			uint32_t ver = atomic_load(&s->started[i]) + 1;

			make_key(s, i, key, false);
			if (!s->is_array && (n + i) % 5 == 0) {
				/* delete, then re-insert with a newer version */
				if (ebpf_map_delete(s->m, key))
					atomic_fetch_add(&s->bad, 1);
			}
			atomic_store(&s->started[i], ver);
			fill(v, i, ver);
			if (ebpf_map_update(s->m, key, v, EBPF_ANY))
				atomic_fetch_add(&s->bad, 1);
			atomic_store(&s->published[i], ver);
			n++;
		}
	}
	atomic_fetch_add(&s->writes, n);
	return NULL;
}

static void *reader(void *arg)
{
	struct shared *s = ((void **)arg)[0];
	uintptr_t id = (uintptr_t)((void **)arg)[1];
	uint64_t copy[VWORDS];
	uint8_t key[8];
	unsigned long reads = 0, found = 0, bad = 0;
	uint32_t x = (uint32_t)id * 2654435761u + 1;

	while (!atomic_load(&s->stop)) {
		uint32_t i, min;

		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		i = x % N_KEYS;
		make_key(s, i, key, true);
		min = atomic_load(&s->published[i]);
		if (x & 0x100) {
			/* program style: pointer inside an epoch section, held a while */
			ebpf_epoch_enter();
			uint64_t *p = ebpf_map_lookup(s->m, key);

			if (p) {
				found++;
				for (int again = 0; again < 3; again++) {
					if (s->is_array) {
						/* in place: each word old or new, right key */
						for (int w = 0; w < VWORDS; w++)
							if (__atomic_load_n(&p[w],
									    __ATOMIC_RELAXED) >>
								32 !=
							    i)
								bad++;
					} else if (!check_value(s, i, p, min)) {
						bad++;
					}
				}
			} else if (s->is_array) {
				bad++;
			}
			ebpf_epoch_exit();
		} else {
			int r = ebpf_map_lookup_copy(s->m, key, copy);

			if (r == 0) {
				found++;
				if (!check_value(s, i, copy, min))
					bad++;
			} else if (r != -ENOENT || s->is_array) {
				bad++;
			}
		}
		reads++;
		if (!(reads & 1023) && !s->is_array) {
			/* host-side iteration while writers run */
			uint8_t k2[8], n2[8];
			int steps = 0, r = ebpf_map_get_next_key(s->m, NULL, n2);

			while (r == 0 && steps++ < 4 * N_KEYS) {
				memcpy(k2, n2, sizeof(k2));
				r = ebpf_map_get_next_key(s->m, k2, n2);
			}
			if (r != 0 && r != -ENOENT)
				bad++;
		}
	}
	atomic_fetch_add(&s->reads, reads);
	atomic_fetch_add(&s->found, found);
	atomic_fetch_add(&s->bad, bad);
	return NULL;
}

static void run(enum ebpf_map_type type)
{
	static struct shared s;
	struct ebpf_map_def d = {.type = type,
				 .key_size = 4,
				 .value_size = VWORDS * 8,
				 .max_entries = N_KEYS,
				 .name = "conc"};
	pthread_t th[N_WRITERS + N_READERS];
	void *args[N_WRITERS + N_READERS][2];
	char err[256];
	uint64_t t0;
	int t = 0;

	memset(&s, 0, sizeof(s));
	s.is_array = type == EBPF_MAP_ARRAY;
	s.is_lpm = type == EBPF_MAP_LPM_TRIE;
	if (s.is_lpm) {
		d.key_size = sizeof(struct lpm_key4);
		d.flags = EBPF_F_NO_PREALLOC;
	}
	s.m = ebpf_map_create(&d, 1, err, sizeof(err));
	CHECK(s.m);
	if (!s.m) {
		printf("# %s\n", err);
		return;
	}
	for (uint32_t i = 0; i < N_KEYS; i++) {
		uint64_t v[VWORDS];
		uint8_t key[8];

		make_key(&s, i, key, false);
		fill(v, i, 1);
		CHECK_EQ(ebpf_map_update(s.m, key, v, s.is_array ? EBPF_ANY : EBPF_NOEXIST), 0);
		atomic_store(&s.started[i], 1);
		atomic_store(&s.published[i], 1);
	}
	for (uintptr_t i = 0; i < N_WRITERS; i++, t++) {
		args[t][0] = &s;
		args[t][1] = (void *)i;
		CHECK_EQ(pthread_create(&th[t], NULL, writer, args[t]), 0);
	}
	for (uintptr_t i = 0; i < N_READERS; i++, t++) {
		args[t][0] = &s;
		args[t][1] = (void *)i;
		CHECK_EQ(pthread_create(&th[t], NULL, reader, args[t]), 0);
	}
	t0 = now_ns();
	while (now_ns() - t0 < RUN_NS)
		sched_yield();
	atomic_store(&s.stop, true);
	for (int i = 0; i < t; i++)
		pthread_join(th[i], NULL);
	printf("# %s: %lu reads (%lu found), %lu writes, %lu bad\n", ebpf_map_type_name(type),
	       atomic_load(&s.reads), atomic_load(&s.found), atomic_load(&s.writes),
	       atomic_load(&s.bad));
	CHECK_EQ(atomic_load(&s.bad), 0);
	CHECK(atomic_load(&s.reads) > 1000);
	CHECK(atomic_load(&s.found) > 100);
	CHECK(atomic_load(&s.writes) > 100);
	ebpf_map_put(s.m);
	CHECK_EQ(ebpf_epoch_synchronize(), 0);
	CHECK_EQ(ebpf_epoch_reclaim(), 0); /* everything retired was freed */
}

TEST(array_readers_vs_writers)
{
	run(EBPF_MAP_ARRAY);
}

TEST(hash_readers_vs_writers)
{
	run(EBPF_MAP_HASH);
}

TEST(lru_hash_readers_vs_writers)
{
	run(EBPF_MAP_LRU_HASH);
}

TEST(epoch_defers_free_until_readers_leave)
{
	struct ebpf_map_def d = {.type = EBPF_MAP_HASH,
				 .key_size = 4,
				 .value_size = 8,
				 .max_entries = 4,
				 .name = "defer"};
	struct ebpf_map *m = ebpf_map_create(&d, 1, NULL, 0);
	uint32_t k = 1;
	uint64_t v = 42, *p;

	CHECK(m);
	if (!m)
		return;
	CHECK_EQ(ebpf_map_update(m, &k, &v, EBPF_ANY), 0);
	ebpf_epoch_enter();
	p = ebpf_map_lookup(m, &k);
	CHECK(p != NULL);
	CHECK_EQ(ebpf_map_delete(m, &k), 0);
	CHECK(ebpf_epoch_reclaim() >= 1); /* still pending: this thread is inside */
	CHECK_EQ(ebpf_epoch_synchronize(), -EDEADLK);
	CHECK_EQ(*p, 42); /* still readable (ASan would report a use after free) */
	ebpf_epoch_exit();
	CHECK_EQ(ebpf_epoch_synchronize(), 0);
	CHECK_EQ(ebpf_epoch_reclaim(), 0);
	ebpf_map_put(m);
}

TEST(lpm_readers_vs_writers)
{
	run(EBPF_MAP_LPM_TRIE);
}

#define RB_PRODUCERS 2
#define RB_RECORDS 100000

struct rb_rec {
	uint32_t producer, seq;
	uint64_t check;
	uint8_t pad[40];
};

static void *rb_producer(void *arg)
{
	struct ebpf_map *m = ((void **)arg)[0];
	uint32_t id = (uint32_t)(uintptr_t)((void **)arg)[1], seq = 0, x = id + 7;

	while (seq < RB_RECORDS) {
		struct rb_rec r = {.producer = id, .seq = seq}, *p;

		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		r.check = (uint64_t)id << 32 ^ seq ^ 0xfeedbeefcafe;
		memset(r.pad, (int)seq, sizeof(r.pad));
		if (x & 1) {
			if (ebpf_ringbuf_output(m, &r, sizeof(r), 0) == 0)
				seq++;
			else
				sched_yield();
			continue;
		}
		p = ebpf_ringbuf_reserve(m, sizeof(r), 0);
		if (!p) {
			sched_yield();
			continue;
		}
		if (x & 6) {
			*p = r;
			ebpf_ringbuf_submit(p, 0);
			seq++;
		} else {
			memset(p, 0xee, sizeof(*p)); /* discarded: must never be delivered */
			ebpf_ringbuf_discard(p, 0);
		}
	}
	return NULL;
}

struct rb_state {
	uint32_t next[RB_PRODUCERS];
	unsigned long bad, got;
};

static int rb_check(void *opaque, const void *data, uint32_t size)
{
	struct rb_state *st = opaque;
	struct rb_rec r;

	memcpy(&r, data, sizeof(r));
	st->got++;
	if (size != sizeof(r) || r.producer >= RB_PRODUCERS || r.seq != st->next[r.producer] ||
	    r.check != ((uint64_t)r.producer << 32 ^ r.seq ^ 0xfeedbeefcafe) ||
	    r.pad[39] != (uint8_t)r.seq) {
		st->bad++;
		return 0;
	}
	st->next[r.producer]++;
	return 0;
}

TEST(ringbuf_producers_vs_consumer)
{
	struct ebpf_map_def d = {.type = EBPF_MAP_RINGBUF, .max_entries = 16384, .name = "ev"};
	struct ebpf_map *m = ebpf_map_create(&d, 1, NULL, 0);
	pthread_t th[RB_PRODUCERS];
	void *args[RB_PRODUCERS][2];
	struct rb_state st = {{0}};
	uint64_t t0 = now_ns();

	CHECK(m);
	if (!m)
		return;
	for (uintptr_t i = 0; i < RB_PRODUCERS; i++) {
		args[i][0] = m;
		args[i][1] = (void *)i;
		CHECK_EQ(pthread_create(&th[i], NULL, rb_producer, args[i]), 0);
	}
	while (st.got < (unsigned long)RB_PRODUCERS * RB_RECORDS && now_ns() - t0 < 60000000000ull)
		if (ebpf_ringbuf_consume(m, rb_check, &st) == 0)
			sched_yield();
	for (int i = 0; i < RB_PRODUCERS; i++)
		pthread_join(th[i], NULL);
	ebpf_ringbuf_consume(m, rb_check, &st);
	printf("# %lu records received, %lu bad\n", st.got, st.bad);
	CHECK_EQ(st.bad, 0);
	CHECK_EQ(st.got, (unsigned long)RB_PRODUCERS * RB_RECORDS);
	CHECK_EQ(ebpf_ringbuf_avail_data(m), 0);
	ebpf_map_put(m);
}

HARNESS_MAIN(array_readers_vs_writers, hash_readers_vs_writers, lru_hash_readers_vs_writers,
	     lpm_readers_vs_writers, ringbuf_producers_vs_consumer,
	     epoch_defers_free_until_readers_leave)
