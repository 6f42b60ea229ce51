/* test_virtq.c: split virtqueue parsing (src/dev/virtq.c) against rings built by hand in a
 * buffer that stands for guest RAM: chains, indirect tables, notification suppression, and every
 * hostile ring a guest can build (each must break the queue, never crash or hang). */
#include <errno.h>

#include "dev/virtq.h"
#include "harness.h"

#define RAM_SIZE (1 << 20)
#define QSZ 8
#define DESC 0x1000
#define AVAIL 0x2000
#define USED 0x3000

static uint8_t *ram;
static struct guest_mem mem;
static struct virtq q;
static struct virtq_chain chain;

static void set_desc(uint8_t *table, unsigned i, uint64_t addr, uint32_t len, uint16_t flags,
		     uint16_t next)
{
	memcpy(table + 16 * i, &addr, 8);
	memcpy(table + 16 * i + 8, &len, 4);
	memcpy(table + 16 * i + 12, &flags, 2);
	memcpy(table + 16 * i + 14, &next, 2);
}

static void publish(uint16_t slot, uint16_t head, uint16_t idx)
{
	memcpy(ram + AVAIL + 4 + 2 * slot, &head, 2);
	memcpy(ram + AVAIL + 2, &idx, 2);
}

static uint16_t rd16(uint64_t gpa)
{
	uint16_t v;

	memcpy(&v, ram + gpa, 2);
	return v;
}

static void setup(bool event_idx, bool indirect)
{
	if (!ram)
		ram = malloc(RAM_SIZE);
	memset(ram, 0, RAM_SIZE);
	guest_mem_init_buffer(&mem, ram, RAM_SIZE);
	virtq_init(&q, &mem, "test queue", QSZ);
	q.desc_gpa = DESC;
	q.avail_gpa = AVAIL;
	q.used_gpa = USED;
	CHECK_EQ(virtq_enable(&q, event_idx, indirect), 0);
}

TEST(pop_chain_and_push)
{
	uint32_t id, len;

	setup(false, false);
	CHECK_EQ(virtq_pop(&q, &chain), 0); /* empty */
	memcpy(ram + 0x10000, "hello, ", 7);
	memcpy(ram + 0x10100, "world", 5);
	set_desc(ram + DESC, 3, 0x10000, 7, 1, 5);
	set_desc(ram + DESC, 5, 0x10100, 5, 1, 6);
	set_desc(ram + DESC, 6, 0x20000, 100, 2, 0);
	publish(0, 3, 1);
	CHECK(virtq_has_work(&q));
	CHECK_EQ(virtq_pop(&q, &chain), 1);
	CHECK_EQ(chain.head, 3);
	CHECK_EQ(chain.n_out, 2);
	CHECK_EQ(chain.n_in, 1);
	CHECK_EQ(chain.out_len, 12);
	CHECK_EQ(chain.in_len, 100);
	CHECK(chain.seg[0].ptr == ram + 0x10000);
	CHECK(chain.seg[2].ptr == ram + 0x20000);
	{
		char buf[16] = {0};

		CHECK_EQ(virtq_chain_read(&chain, 0, buf, sizeof(buf)), 12);
		CHECK_STR(buf, "hello, world");
		CHECK_EQ(virtq_chain_read(&chain, 5, buf, 4), 4);
		CHECK(!memcmp(buf, ", wo", 4));
		CHECK_EQ(virtq_chain_write(&chain, 98, "abcd", 4), 2);
		CHECK(!memcmp(ram + 0x20000 + 98, "ab", 2));
	}
	CHECK(!virtq_has_work(&q));
	CHECK_EQ(virtq_pop(&q, &chain), 0);
	virtq_push(&q, 3, 42);
	CHECK_EQ(rd16(USED + 2), 1);
	memcpy(&id, ram + USED + 4, 4);
	memcpy(&len, ram + USED + 8, 4);
	CHECK_EQ(id, 3);
	CHECK_EQ(len, 42);
	/* unpop gives the chain again. */
	virtq_unpop(&q, 1);
	CHECK_EQ(virtq_pop(&q, &chain), 1);
	CHECK_EQ(chain.head, 3);
	CHECK(!q.broken);
}

TEST(ring_wraps_around)
{
	setup(false, false);
	set_desc(ram + DESC, 0, 0x10000, 10, 0, 0);
	for (unsigned i = 0; i < 3 * QSZ + 3; i++) {
		publish((uint16_t)(i % QSZ), 0, (uint16_t)(i + 1));
		CHECK_EQ(virtq_pop(&q, &chain), 1);
		virtq_push(&q, 0, 0);
	}
	CHECK_EQ(rd16(USED + 2), 3 * QSZ + 3);
	/* And across the 16-bit index wrap. */
	setup(false, false);
	set_desc(ram + DESC, 0, 0x10000, 10, 0, 0);
	q.last_avail = 0xfffe;
	publish(0xfffe % QSZ, 0, 0xffff);
	publish(0xffff % QSZ, 0, 0x0000);
	CHECK_EQ(virtq_pop(&q, &chain), 1);
	CHECK_EQ(virtq_pop(&q, &chain), 1);
	CHECK_EQ(virtq_pop(&q, &chain), 0);
	CHECK(!q.broken);
}

TEST(indirect_table)
{
	uint8_t *tbl = ram + 0x30008; /* deliberately not 16-byte aligned */

	setup(false, true);
	set_desc(tbl, 0, 0x10000, 16, 1, 1);
	set_desc(tbl, 1, 0x11000, 512, 1, 2);
	set_desc(tbl, 2, 0x12000, 1, 2, 0);
	set_desc(ram + DESC, 2, 0x30008, 48, 4, 0);
	publish(0, 2, 1);
	CHECK_EQ(virtq_pop(&q, &chain), 1);
	CHECK_EQ(chain.head, 2);
	CHECK_EQ(chain.n_out, 2);
	CHECK_EQ(chain.n_in, 1);
	CHECK_EQ(chain.out_len, 528);
	CHECK(chain.seg[2].ptr == ram + 0x12000);
}

static void expect_broken(const char *what)
{
	int r = virtq_pop(&q, &chain);

	if (r != -EIO)
		printf("#   %s: virtq_pop returned %d\n", what, r);
	CHECK_EQ(r, -EIO);
	CHECK(q.broken);
	CHECK(q.err[0] != 0);
	/* It stays broken: no further parsing of a ring the guest corrupted. */
	CHECK_EQ(virtq_pop(&q, &chain), -EIO);
	CHECK(!virtq_has_work(&q));
}

TEST(hostile_descriptor_loop)
{
	setup(false, false);
	set_desc(ram + DESC, 0, 0x10000, 10, 1, 1);
	set_desc(ram + DESC, 1, 0x10000, 10, 1, 0);
	publish(0, 0, 1);
	expect_broken("loop");
	/* Self loop. */
	setup(false, false);
	set_desc(ram + DESC, 4, 0x10000, 10, 1, 4);
	publish(0, 4, 1);
	expect_broken("self loop");
	/* Loop inside an indirect table (longer than the table). */
	setup(false, true);
	set_desc(ram + 0x30000, 0, 0x10000, 10, 1, 1);
	set_desc(ram + 0x30000, 1, 0x10000, 10, 1, 0);
	set_desc(ram + DESC, 0, 0x30000, 32, 4, 0);
	publish(0, 0, 1);
	expect_broken("indirect loop");
}

TEST(hostile_addresses_and_lengths)
{
	setup(false, false);
	set_desc(ram + DESC, 0, RAM_SIZE - 4, 8, 0, 0); /* crosses the end of RAM */
	publish(0, 0, 1);
	expect_broken("beyond RAM");
	setup(false, false);
	set_desc(ram + DESC, 0, 0x1000, 0xffffffffu, 0, 0); /* giant */
	publish(0, 0, 1);
	expect_broken("giant");
	setup(false, false);
	set_desc(ram + DESC, 0, 0xfffffffffffff000ull, 0x2000, 0, 0); /* wraps */
	publish(0, 0, 1);
	expect_broken("wrapping");
	setup(false, false);
	set_desc(ram + DESC, 0, 0x1000, 0, 0, 0); /* zero length */
	publish(0, 0, 1);
	expect_broken("zero length");
	setup(false, false);
	set_desc(ram + DESC, 0, 0x1000, 10, 2 | 1, 1); /* writable then readable */
	set_desc(ram + DESC, 1, 0x1000, 10, 0, 0);
	publish(0, 0, 1);
	expect_broken("readable after writable");
	setup(false, false);
	set_desc(ram + DESC, 0, 0x1000, 10, 1, QSZ); /* next out of the table */
	publish(0, 0, 1);
	expect_broken("next out of range");
}

TEST(hostile_avail_ring)
{
	setup(false, false);
	set_desc(ram + DESC, 0, 0x1000, 10, 0, 0);
	publish(0, QSZ + 3, 1); /* head outside the table */
	expect_broken("head out of range");
	setup(false, false);
	set_desc(ram + DESC, 0, 0x1000, 10, 0, 0);
	publish(0, 0, QSZ + 1); /* runs ahead by more than the queue */
	expect_broken("avail idx jump");
	/* Exactly the queue size ahead is legal. */
	setup(false, false);
	set_desc(ram + DESC, 0, 0x1000, 10, 0, 0);
	for (unsigned i = 0; i < QSZ; i++)
		publish((uint16_t)i, 0, QSZ);
	for (unsigned i = 0; i < QSZ; i++)
		CHECK_EQ(virtq_pop(&q, &chain), 1);
	CHECK_EQ(virtq_pop(&q, &chain), 0);
	CHECK(!q.broken);
}

TEST(hostile_indirect)
{
	setup(false, false); /* not negotiated */
	set_desc(ram + DESC, 0, 0x30000, 32, 4, 0);
	publish(0, 0, 1);
	expect_broken("unnegotiated indirect");
	setup(false, true);
	set_desc(ram + DESC, 0, 0x30000, 33, 4, 0); /* not a multiple of 16 */
	publish(0, 0, 1);
	expect_broken("odd indirect size");
	setup(false, true);
	set_desc(ram + DESC, 0, 0x30000, 0, 4, 0);
	publish(0, 0, 1);
	expect_broken("empty indirect");
	setup(false, true);
	set_desc(ram + DESC, 0, 0x30000, 16 * (VIRTQ_MAX_SEGS + 1), 4, 0);
	publish(0, 0, 1);
	expect_broken("huge indirect");
	setup(false, true);
	set_desc(ram + DESC, 0, RAM_SIZE - 16, 32, 4, 0);
	publish(0, 0, 1);
	expect_broken("indirect beyond RAM");
	setup(false, true);
	set_desc(ram + 0x30000, 0, 0x31000, 16, 4, 0); /* nested */
	set_desc(ram + 0x31000, 0, 0x1000, 10, 0, 0);
	set_desc(ram + DESC, 0, 0x30000, 16, 4, 0);
	publish(0, 0, 1);
	expect_broken("nested indirect");
	setup(false, true);
	set_desc(ram + 0x30000, 0, 0x1000, 10, 0, 0);
	set_desc(ram + DESC, 0, 0x30000, 16, 4 | 1, 1); /* INDIRECT with NEXT */
	publish(0, 0, 1);
	expect_broken("indirect with next");
}

TEST(bad_ring_placement)
{
	if (!ram)
		ram = malloc(RAM_SIZE);
	guest_mem_init_buffer(&mem, ram, RAM_SIZE);
	virtq_init(&q, &mem, "test queue", QSZ);
	q.desc_gpa = DESC + 8; /* misaligned */
	q.avail_gpa = AVAIL;
	q.used_gpa = USED;
	CHECK_EQ(virtq_enable(&q, false, false), -EINVAL);
	CHECK(!q.ready);
	CHECK_EQ(virtq_pop(&q, &chain), 0);
	q.desc_gpa = RAM_SIZE - 64; /* table runs past RAM */
	CHECK_EQ(virtq_enable(&q, false, false), -EINVAL);
	q.desc_gpa = DESC;
	q.used_gpa = 0xfffffffffffffff0ull;
	CHECK_EQ(virtq_enable(&q, false, false), -EINVAL);
	virtq_init(&q, &mem, "test queue", 0);
	CHECK_EQ(virtq_enable(&q, false, false), -EINVAL);
	virtq_init(&q, &mem, "test queue", VIRTQ_MAX_SIZE + 1);
	CHECK_EQ(virtq_enable(&q, false, false), -EINVAL);
	/* A push on a queue that never got ready writes nothing. */
	memset(ram, 0, RAM_SIZE);
	virtq_push(&q, 0, 1);
	CHECK_EQ(rd16(USED + 2), 0);
}

TEST(notification_suppression)
{
	uint16_t v;

	setup(false, false);
	set_desc(ram + DESC, 0, 0x1000, 10, 0, 0);
	publish(0, 0, 1);
	CHECK_EQ(virtq_pop(&q, &chain), 1);
	virtq_push(&q, 0, 0);
	CHECK(virtq_should_notify(&q));
	v = 1; /* VRING_AVAIL_F_NO_INTERRUPT */
	memcpy(ram + AVAIL, &v, 2);
	CHECK(!virtq_should_notify(&q));

	setup(true, false);
	set_desc(ram + DESC, 0, 0x1000, 10, 0, 0);
	for (unsigned i = 0; i < 4; i++)
		publish((uint16_t)i, 0, (uint16_t)(i + 1));
	/* used_event = 2: the guest wants an interrupt when used idx passes 2. */
	v = 2;
	memcpy(ram + AVAIL + 4 + 2 * QSZ, &v, 2);
	CHECK_EQ(virtq_pop(&q, &chain), 1);
	virtq_push(&q, 0, 0);		/* used 1 */
	CHECK(virtq_should_notify(&q)); /* the first one always */
	CHECK_EQ(virtq_pop(&q, &chain), 1);
	virtq_push(&q, 0, 0); /* used 2: not past 2 */
	CHECK(!virtq_should_notify(&q));
	CHECK_EQ(virtq_pop(&q, &chain), 1);
	virtq_push(&q, 0, 0); /* used 3: crossed */
	CHECK(virtq_should_notify(&q));
	CHECK_EQ(virtq_pop(&q, &chain), 1);
	virtq_push(&q, 0, 0);
	CHECK(!virtq_should_notify(&q));
	/* Drained: avail_event tells the guest to kick at the next buffer. */
	CHECK(!virtq_enable_kick(&q));
	CHECK_EQ(rd16(USED + 4 + 8 * QSZ), 4);
	publish(4, 0, 5);
	CHECK(virtq_enable_kick(&q));
}

HARNESS_MAIN(pop_chain_and_push, ring_wraps_around, indirect_table, hostile_descriptor_loop,
	     hostile_addresses_and_lengths, hostile_avail_ring, hostile_indirect,
	     bad_ring_placement, notification_suppression)
