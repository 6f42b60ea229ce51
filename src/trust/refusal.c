/* refusal.c: see refusal.h. */
#include "trust/refusal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

int trust_refuse(struct trust_refusal *r, const char *code, const char *fmt, ...)
{
	va_list ap;

	if (!r)
		return -EPERM;
	snprintf(r->code, sizeof(r->code), "%s", code);
	va_start(ap, fmt);
	vsnprintf(r->msg, sizeof(r->msg), fmt, ap);
	va_end(ap);
	return -EPERM;
}

int trust_refuse2(struct trust_refusal *r, const char *prefix, const char *base, const char *fmt,
		  ...)
{
	va_list ap;

	if (!r)
		return -EPERM;
	if (prefix)
		snprintf(r->code, sizeof(r->code), "%s-%s", prefix, base);
	else
		snprintf(r->code, sizeof(r->code), "%s", base);
	va_start(ap, fmt);
	vsnprintf(r->msg, sizeof(r->msg), fmt, ap);
	va_end(ap);
	return -EPERM;
}
