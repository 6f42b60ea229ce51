/* test_sandbox.c: after sandbox_enter() a process keeps what the run loop needs and loses
 * everything else. Each case runs in a forked child (the filter cannot be removed again). */
#include <cap-ng.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "harness.h"
#include "sandbox/sandbox.h"

/* Runs fn in a child inside the sandbox; returns its wait status. fn returns a bit mask of the
 * expectations that failed (0: all held). */
static int in_child(enum sandbox_action action, int (*fn)(void))
{
	struct sandbox_opts o = {.on_violation = action};
	char err[256];
	int status = 0;
	pid_t pid = fork();

	if (pid == 0) {
		if (sandbox_enter(&o, err, sizeof(err))) {
			fprintf(stderr, "sandbox_enter: %s\n", err);
			_exit(99);
		}
		_exit(fn());
	}
	waitpid(pid, &status, 0);
	return status;
}

static void *thread_fn(void *arg)
{
	return arg;
}

static int forbidden_calls_fail(void)
{
	int bad = 0;
	char *const argv[] = {"/bin/true", NULL};

	if (socket(AF_INET, SOCK_STREAM, 0) != -1 || errno != EPERM)
		bad |= 1;
	if (open("/etc/passwd", O_RDONLY) != -1 || errno != EPERM)
		bad |= 2;
	if (execve("/bin/true", argv, NULL) != -1 || errno != EPERM)
		bad |= 4;
	if (mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1,
		 0) != MAP_FAILED)
		bad |= 8;
	if (ioctl(0, TIOCSTI, "x") != -1 || errno != EPERM)
		bad |= 16;
	if (fork() != -1) /* clone without CLONE_THREAD */
		_exit(0);
	return bad;
}

static int allowed_calls_work(void)
{
	int bad = 0, fds[2] = {-1, -1}, on = 1;
	char buf[4] = {0};
	pthread_t t;
	void *p;

	/* pipes are made before entering in real use; here the pipe fails (pipe2 is not allowed) */
	if (write(2, "", 0) != 0)
		bad |= 1;
	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		bad |= 2;
	else if (mprotect(p, 4096, PROT_READ | PROT_EXEC) != 0) /* W then X: the JIT's pattern */
		bad |= 4;
	if (pthread_create(&t, NULL, thread_fn, NULL) != 0 || pthread_join(t, NULL) != 0)
		bad |= 8;
	if (ioctl(2, FIONBIO, &on) != 0 && errno == EPERM)
		bad |= 16;
	if (pipe(fds) == 0 || errno != EPERM)
		bad |= 32;
	(void)buf;
	return bad;
}

static int capabilities_are_gone(void)
{
	int bad = 0;

	capng_get_caps_process();
	if (capng_have_capabilities(CAPNG_SELECT_CAPS) != CAPNG_NONE)
		bad |= 1;
	if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1)
		bad |= 2;
	return bad;
}

static int do_socket(void)
{
	socket(AF_INET, SOCK_STREAM, 0);
	return 0; /* not reached: the filter kills */
}

TEST(forbidden_system_calls_fail)
{
	int st = in_child(SANDBOX_ERRNO, forbidden_calls_fail);

	CHECK(WIFEXITED(st));
	CHECK_EQ(WEXITSTATUS(st), 0);
}

TEST(run_loop_system_calls_still_work)
{
	int st = in_child(SANDBOX_ERRNO, allowed_calls_work);

	CHECK(WIFEXITED(st));
	CHECK_EQ(WEXITSTATUS(st), 0);
}

TEST(capabilities_dropped_and_no_new_privs)
{
	int st = in_child(SANDBOX_ERRNO, capabilities_are_gone);

	CHECK(WIFEXITED(st));
	CHECK_EQ(WEXITSTATUS(st), 0);
}

TEST(kill_mode_kills_on_violation)
{
	int st = in_child(SANDBOX_KILL, do_socket);

	CHECK(WIFSIGNALED(st));
	if (WIFSIGNALED(st))
		CHECK_EQ(WTERMSIG(st), SIGSYS);
}

HARNESS_MAIN(forbidden_system_calls_fail, run_loop_system_calls_still_work,
	     capabilities_dropped_and_no_new_privs, kill_mode_kills_on_violation)
