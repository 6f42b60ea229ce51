/* test_common.c: the file helpers refuse oversize input and write atomically. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/file.h"
#include "harness.h"

static char dir[64];

static void make_dir(void)
{
	if (!dir[0]) {
		snprintf(dir, sizeof(dir), "/tmp/bw-test-common-XXXXXX");
		if (!mkdtemp(dir))
			abort();
	}
}

TEST(read_file_round_trip)
{
	char path[128];
	uint8_t *buf = NULL;
	size_t len = 0;

	make_dir();
	snprintf(path, sizeof(path), "%s/a", dir);
	CHECK_EQ(bw_write_file_atomic(path, "hello", 5, 0600), 0);
	CHECK_EQ(bw_read_file(path, 100, &buf, &len), 0);
	CHECK_EQ(len, 5);
	CHECK(buf && !memcmp(buf, "hello", 6)); /* NUL-terminated */
	free(buf);
}

TEST(read_file_refuses_oversize)
{
	char path[128];
	uint8_t *buf = NULL;
	size_t len = 0;

	make_dir();
	snprintf(path, sizeof(path), "%s/big", dir);
	CHECK_EQ(bw_write_file_atomic(path, "0123456789", 10, 0600), 0);
	CHECK_EQ(bw_read_file(path, 9, &buf, &len), -EFBIG);
	CHECK_EQ(bw_read_file(path, 10, &buf, &len), 0);
	free(buf);
}

TEST(read_file_reports_missing_and_directory)
{
	uint8_t *buf = NULL;
	size_t len = 0;

	make_dir();
	CHECK_EQ(bw_read_file("/nonexistent/bulwark", 10, &buf, &len), -ENOENT);
	CHECK_EQ(bw_read_file(dir, 10, &buf, &len), -EISDIR);
}

TEST(write_atomic_replaces_and_leaves_no_temp)
{
	char path[128], tmp[160];
	uint8_t *buf = NULL;
	size_t len = 0;

	make_dir();
	snprintf(path, sizeof(path), "%s/state", dir);
	CHECK_EQ(bw_write_file_atomic(path, "one", 3, 0600), 0);
	CHECK_EQ(bw_write_file_atomic(path, "two!", 4, 0600), 0);
	CHECK_EQ(bw_read_file(path, 100, &buf, &len), 0);
	CHECK_EQ(len, 4);
	CHECK(buf && !memcmp(buf, "two!", 4));
	free(buf);
	snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid());
	CHECK(access(tmp, F_OK) != 0);
	CHECK(bw_write_file_atomic("/nonexistent-dir/x", "a", 1, 0600) < 0);
}

HARNESS_MAIN(read_file_round_trip, read_file_refuses_oversize, read_file_reports_missing_and_directory,
	     write_atomic_replaces_and_leaves_no_temp)
