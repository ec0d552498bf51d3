// SPDX-License-Identifier: GPL-2.0-or-later
#include "pipeline/status.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void lumen_status_extra(struct lumen_stage_status *s, const char *key,
			int64_t value)
{
	if (s->nextra >= LUMEN_STATUS_MAX_EXTRA)
		return;
	snprintf(s->extra[s->nextra].key, sizeof(s->extra[0].key), "%s", key);
	s->extra[s->nextra].value = value;
	s->nextra++;
}

int64_t lumen_status_get(const struct lumen_stage_status *s, const char *key,
			 int64_t fallback)
{
	for (int i = 0; i < s->nextra; i++)
		if (!strcmp(s->extra[i].key, key))
			return s->extra[i].value;
	return fallback;
}

bool lumen_status_carries_frames(const struct lumen_stage_status *s)
{
	return strcmp(s->name, "power") && strcmp(s->name, "i2c");
}

const struct lumen_stage_status *
lumen_status_first_silent(const struct lumen_stage_status *st, int n)
{
	for (int i = 0; i < n; i++)
		if (lumen_status_carries_frames(&st[i]) && st[i].frames_out == 0)
			return &st[i];
	return NULL;
}

/* snprintf into a running buffer: keeps counting past the end. */
static void put(char *buf, size_t size, size_t *len, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void put(char *buf, size_t size, size_t *len, const char *fmt, ...)
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

int lumen_status_format(const struct lumen_stage_status *st, int n, char *buf,
			size_t size)
{
	size_t len = 0;

	if (size)
		buf[0] = 0;
	put(buf, size, &len, "%-10s %9s %9s %7s %7s %6s %8s\n", "stage", "in",
	    "out", "drops", "errors", "fps", "ms/frame");
	for (int i = 0; i < n; i++) {
		const struct lumen_stage_status *s = &st[i];

		put(buf, size, &len, "%-10s %9llu %9llu %7llu %7llu %6.1f %8.2f\n",
		    s->name, (unsigned long long)s->frames_in,
		    (unsigned long long)s->frames_out,
		    (unsigned long long)s->drops,
		    (unsigned long long)s->errors, s->fps,
		    s->frames_out ? s->ns_total / 1e6 / (double)s->frames_out :
		    s->ns_last / 1e6);
		if (s->nextra) {
			put(buf, size, &len, "%10s", "");
			for (int k = 0; k < s->nextra; k++)
				put(buf, size, &len, " %s=%lld", s->extra[k].key,
				    (long long)s->extra[k].value);
			put(buf, size, &len, "\n");
		}
		if (s->note[0])
			put(buf, size, &len, "%10s  %s\n", "", s->note);
	}
	return (int)len;
}
