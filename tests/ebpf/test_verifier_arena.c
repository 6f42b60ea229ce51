/* test-verifier-arena: the verifier's state arena (src/ebpf/verifier_arena.c).
 *  - blocks are 16-byte aligned, disjoint and writable across many chunks' worth of odd sizes;
 *  - every block handed out is already backed by memory (populated ahead of use, checked with
 *    mincore before the first write): a step that left the populated end unaligned once made
 *    every later madvise fail, so the 3,976-instruction firewall took 490 page faults;
 *  - memory released by one verification is reused by the next (no new mapping);
 *  - at most ARENA_CACHE_MAX (8 MiB) of populated memory stays cached in the process. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "harness.h"
#include "ebpf/verifier_internal.h"

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

/* whether this kernel has MADV_POPULATE_WRITE (Linux >= 5.14) */
static bool kernel_can_populate(void)
{
	void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	bool ok;

	if (p == MAP_FAILED)
		return false;
	ok = madvise(p, 4096, MADV_POPULATE_WRITE) == 0;
	munmap(p, 4096);
	return ok;
}

/* every page of [p, p+n) is resident */
static bool resident(const void *p, size_t n)
{
	uintptr_t start = (uintptr_t)p & ~(uintptr_t)4095;
	size_t pages = ((uintptr_t)p + n - start + 4095) / 4096;
	unsigned char *vec = malloc(pages);
	bool ok = vec && !mincore((void *)start, pages * 4096, vec);

	for (size_t i = 0; ok && i < pages; i++)
		ok = vec[i] & 1;
	free(vec);
	return ok;
}

/* sizes like the verifier's snapshots: a header plus frames plus stack slots, never a multiple
 * of the page size */
static size_t odd_size(unsigned i)
{
	return 1184 + (i * 104) % 3000 + (i % 7) * 16 + 8;
}

TEST(blocks_aligned_disjoint_and_populated_before_use)
{
	struct venv env;
	const unsigned n = 6000; /* ~15 MB: several populate steps past the 1 MiB step cap */
	unsigned char **blocks = calloc(n, sizeof(*blocks));
	bool populate = kernel_can_populate();
	unsigned not_resident = 0;

	memset(&env, 0, sizeof(env));
	CHECK(blocks != NULL);
	for (unsigned i = 0; blocks && i < n; i++) {
		size_t sz = odd_size(i);
		blocks[i] = varena_alloc(&env, sz);
		CHECK(blocks[i] != NULL);
		if (!blocks[i])
			break;
		CHECK_EQ((uintptr_t)blocks[i] % 16, 0);
		if (populate && !resident(blocks[i], sz))
			not_resident++;
		memset(blocks[i], (int)(i & 0xff), sz);
	}
	CHECK_EQ(not_resident, 0);
	/* no block overlapped another: each still holds its own fill byte at both ends */
	for (unsigned i = 0; blocks && i < n && blocks[i]; i++) {
		size_t sz = odd_size(i);
		CHECK_EQ(blocks[i][0], (unsigned char)(i & 0xff));
		CHECK_EQ(blocks[i][sz - 1], (unsigned char)(i & 0xff));
	}
	varena_free_all(&env);
	CHECK(env.arena == NULL);
	free(blocks);
	if (!populate)
		SKIP("kernel without MADV_POPULATE_WRITE (< 5.14): residency not checked");
}

TEST(released_memory_is_reused_and_cache_bounded)
{
	struct venv a, b;
	void *first, *again;

	/* a small verification: its chunk comes back for the next one */
	memset(&a, 0, sizeof(a));
	first = varena_alloc(&a, 2000);
	CHECK(first != NULL);
	varena_free_all(&a);
	memset(&b, 0, sizeof(b));
	again = varena_alloc(&b, 2000);
	CHECK(again == first);
	varena_free_all(&b);

	/* two verifications at once, each with 6 MiB populated: after both end, one chunk is
	 * kept and the other unmapped (at most 8 MiB stays cached in the process) */
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	for (unsigned i = 0; i < 6 * 1024; i++) {
		CHECK(varena_alloc(&a, 1024) != NULL);
		CHECK(varena_alloc(&b, 1024) != NULL);
	}
	varena_free_all(&a);
	varena_free_all(&b);
	CHECK(varena_cached_bytes() >= (6u << 20));
	CHECK(varena_cached_bytes() <= (8u << 20));
}

HARNESS_MAIN(blocks_aligned_disjoint_and_populated_before_use,
	     released_memory_is_reused_and_cache_bounded)
