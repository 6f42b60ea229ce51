/* test_common.c: the file helpers refuse oversize input and write atomically. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/file.h"
#include "common/log.h"
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

/* Regression: BULWARK_LOG was parsed on first use without a lock, so threads logging at the same
 * moment as the first one dropped their debug lines (kvm-smp.sh saw 3 of 4 "vCPU stopped" lines).
 */
#define LOG_THREADS 16
static pthread_barrier_t log_barrier;

static void *log_from_thread(void *arg)
{
	pthread_barrier_wait(&log_barrier);
	bw_debug("thread %d says hello", (int)(intptr_t)arg);
	return NULL;
}

static int count_log_lines_of_one_run(void)
{
	int fds[2], n = 0;
	char buf[8192];
	size_t len = 0;
	ssize_t r;
	pid_t pid;

	if (pipe(fds) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		pthread_t t[LOG_THREADS];

		dup2(fds[1], STDERR_FILENO);
		close(fds[0]);
		setenv("BULWARK_LOG", "debug", 1);
		pthread_barrier_init(&log_barrier, NULL, LOG_THREADS);
		for (int i = 0; i < LOG_THREADS; i++)
			pthread_create(&t[i], NULL, log_from_thread, (void *)(intptr_t)i);
		for (int i = 0; i < LOG_THREADS; i++)
			pthread_join(t[i], NULL);
		_exit(0);
	}
	close(fds[1]);
	while (len < sizeof(buf) - 1 && (r = read(fds[0], buf + len, sizeof(buf) - 1 - len)) > 0)
		len += (size_t)r;
	buf[len] = 0;
	close(fds[0]);
	waitpid(pid, NULL, 0);
	for (char *line = buf, *nl; (nl = strchr(line, '\n')); line = nl + 1) {
		int id;

		if (sscanf(line, "bulwark: debug: thread %d says hello", &id) == 1)
			n++;
	}
	return n;
}

TEST(log_level_from_env_seen_by_every_thread)
{
	for (int run = 0; run < 40; run++) {
		int n = count_log_lines_of_one_run();

		if (n != LOG_THREADS) {
			printf("#   run %d: %d of %d threads' debug lines arrived whole\n", run, n,
			       LOG_THREADS);
			CHECK_EQ(n, LOG_THREADS);
			return;
		}
	}
}

HARNESS_MAIN(log_level_from_env_seen_by_every_thread, read_file_round_trip,
	     read_file_refuses_oversize, read_file_reports_missing_and_directory,
	     write_atomic_replaces_and_leaves_no_temp)
