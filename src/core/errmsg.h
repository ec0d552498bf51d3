/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Fills a caller's (err, errlen) message buffer: the one way every layer
 * reports what was wrong next to its negative errno. */
#ifndef LUMEN_CORE_ERRMSG_H
#define LUMEN_CORE_ERRMSG_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

/* Writes the message when @err can hold one; returns @ret for tail calls. */
static inline int __attribute__((format(printf, 4, 5)))
lumen_fail(int ret, char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return ret;
}

/* The same with "@name: " before the message; va_list form, for the
 * per-file fail() helpers that carry the name in their context. */
static inline int lumen_vfail_in(int ret, char *err, size_t errlen,
				    const char *name, const char *fmt, va_list ap)
{
	char msg[256];

	if (err && errlen) {
		vsnprintf(msg, sizeof(msg), fmt, ap);
		snprintf(err, errlen, "%s: %s", name, msg);
	}
	return ret;
}

#endif
