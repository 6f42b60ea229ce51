/* log.c: see log.h. */
#include "common/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static enum bw_log_level current_level = BW_LOG_INFO;
static bool level_from_env_done;

static void level_from_env(void)
{
	const char *e;

	if (__atomic_exchange_n(&level_from_env_done, true, __ATOMIC_ACQ_REL))
		return;
	e = getenv("BULWARK_LOG");
	if (!e)
		return;
	if (!strcmp(e, "debug"))
		current_level = BW_LOG_DEBUG;
	else if (!strcmp(e, "info"))
		current_level = BW_LOG_INFO;
	else if (!strcmp(e, "warn"))
		current_level = BW_LOG_WARN;
	else if (!strcmp(e, "error"))
		current_level = BW_LOG_ERROR;
}

void bw_log_set_level(enum bw_log_level level)
{
	__atomic_store_n(&level_from_env_done, true, __ATOMIC_RELEASE);
	current_level = level;
}

enum bw_log_level bw_log_get_level(void)
{
	level_from_env();
	return current_level;
}

void bw_vlog(enum bw_log_level level, const char *fmt, va_list ap)
{
	static const char *const prefix[] = { "error: ", "warning: ", "", "debug: " };
	char buf[1024];
	int n;

	if (level > bw_log_get_level())
		return;
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	if (n < 0)
		return;
	/* One write per message so lines from concurrent threads do not interleave. */
	fprintf(stderr, "bulwark: %s%s%s", prefix[level], buf,
		(n > 0 && (size_t)n < sizeof(buf) && buf[n - 1] == '\n') ? "" : "\n");
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
