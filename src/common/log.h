/* log.h: bulwark's diagnostics. Every message names what and where (file, option, device,
 * instruction), so an operator can act on it without reading the source. Messages go to stderr
 * prefixed with "bulwark: "; bw_log_once() keeps a hostile guest from flooding the log. */
#ifndef BULWARK_COMMON_LOG_H
#define BULWARK_COMMON_LOG_H

#include <stdarg.h>
#include <stdbool.h>

enum bw_log_level { BW_LOG_ERROR, BW_LOG_WARN, BW_LOG_INFO, BW_LOG_DEBUG };

/* Messages above this level are dropped; default BW_LOG_INFO, BULWARK_LOG=debug raises it. */
void bw_log_set_level(enum bw_log_level level);
enum bw_log_level bw_log_get_level(void);

void bw_log(enum bw_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void bw_vlog(enum bw_log_level level, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

#define bw_err(...) bw_log(BW_LOG_ERROR, __VA_ARGS__)
#define bw_warn(...) bw_log(BW_LOG_WARN, __VA_ARGS__)
#define bw_info(...) bw_log(BW_LOG_INFO, __VA_ARGS__)
#define bw_debug(...) bw_log(BW_LOG_DEBUG, __VA_ARGS__)

/* Logs at most once per *flag (thread-safe); for conditions a guest can trigger repeatedly. */
void bw_log_once(bool *flag, enum bw_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
