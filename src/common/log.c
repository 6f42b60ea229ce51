/* log.c: see log.h. */
#include "common/log.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The level is read from BULWARK_LOG exactly once (pthread_once), before any thread uses it: a
 * first-use race once made vCPU threads that logged at the same moment drop debug messages while
 * another thread was still parsing the variable (caught by tests/vmm/kvm-smp.sh). */
static int current_level = BW_LOG_INFO;
static pthread_once_t level_once = PTHREAD_ONCE_INIT;

static void level_from_env(void)
{
	const char *e = getenv("BULWARK_LOG");
	int level = BW_LOG_INFO;

	if (!e)
		return;
	if (!strcmp(e, "debug"))
		level = BW_LOG_DEBUG;
	else if (!strcmp(e, "warn"))
		level = BW_LOG_WARN;
	else if (!strcmp(e, "error"))
		level = BW_LOG_ERROR;
	__atomic_store_n(&current_level, level, __ATOMIC_RELEASE);
}

void bw_log_set_level(enum bw_log_level level)
{
	pthread_once(&level_once, level_from_env);
	__atomic_store_n(&current_level, (int)level, __ATOMIC_RELEASE);
}

enum bw_log_level bw_log_get_level(void)
{
	pthread_once(&level_once, level_from_env);
	return (enum bw_log_level)__atomic_load_n(&current_level, __ATOMIC_ACQUIRE);
}

void bw_vlog(enum bw_log_level level, const char *fmt, va_list ap)
{
	static const char *const prefix[] = {"error: ", "warning: ", "", "debug: "};
	char buf[1100];
	int head, n;
	size_t len;

	if (level > bw_log_get_level())
		return;
	head = snprintf(buf, sizeof(buf), "bulwark: %s", prefix[level]);
	n = vsnprintf(buf + head, sizeof(buf) - (size_t)head - 1, fmt, ap);
	if (n < 0)
		return;
	len = strlen(buf);
	if (len == 0 || buf[len - 1] != '\n')
		buf[len++] = '\n';
	/* one write(2) per message so lines from concurrent threads neither interleave nor split */
	for (size_t off = 0; off < len;) {
		ssize_t w = write(STDERR_FILENO, buf + off, len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		off += (size_t)w;
	}
}

void bw_log(enum bw_log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	bw_vlog(level, fmt, ap);
	va_end(ap);
}

void bw_log_once(bool *flag, enum bw_log_level level, const char *fmt, ...)
{
	va_list ap;

	if (__atomic_exchange_n(flag, true, __ATOMIC_ACQ_REL))
		return;
	va_start(ap, fmt);
	bw_vlog(level, fmt, ap);
	va_end(ap);
}
