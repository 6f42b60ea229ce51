/* refusal.h: why a trust decision refused something. A refusal carries a stable reason code
 * (lower-case words joined by '-', e.g. "seq-below-floor", "trust-list-expired"; listed in
 * docs/bundle-format.md) for scripts and the audit log, and a message for people that names the
 * file, the line or the key involved. */
#ifndef BULWARK_TRUST_REFUSAL_H
#define BULWARK_TRUST_REFUSAL_H

#include <stddef.h>

struct trust_refusal {
	char code[48];
	char msg[1024];
};

/* Fills r (when not NULL) and returns -EPERM, for `return trust_refuse(r, "code", ...)`. */
int trust_refuse(struct trust_refusal *r, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Same, with the code made of prefix and base ("trust-list" + "expired"; prefix may be NULL). */
int trust_refuse2(struct trust_refusal *r, const char *prefix, const char *base, const char *fmt,
		  ...) __attribute__((format(printf, 4, 5)));

#endif
