/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Text built piece by piece into a caller's fixed buffer (status tables,
 * media graphs): every piece is counted even past the end, so the caller
 * learns the size it would have needed and the text is cut, never
 * overrun. Any thread; no allocation.
 */
#ifndef LUMEN_CORE_TEXTBUF_H
#define LUMEN_CORE_TEXTBUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

/* Appends to @buf (@size bytes, NUL-terminated while *@len < @size) at
 * *@len, and adds the piece's full length to *@len. */
static inline void __attribute__((format(printf, 4, 5)))
lumen_text_put(char *buf, size_t size, size_t *len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(*len < size ? buf + *len : NULL,
		      *len < size ? size - *len : 0, fmt, ap);
	va_end(ap);
	if (n > 0)
		*len += (size_t)n;
}

#endif
