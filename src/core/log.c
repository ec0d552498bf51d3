// SPDX-License-Identifier: GPL-2.0-or-later
#include "core/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

static enum lumen_log_level current_level = LUMEN_LOG_INFO;

void lumen_log_set_level(enum lumen_log_level level)
{
	current_level = level;
}

void lumen_log(enum lumen_log_level level, const char *fmt, ...)
{
	static const char *const tags[] = { "error", "warn", "info", "debug" };
	char line[1024];
	int n;
	va_list ap;

	if (level > current_level)
		return;
	n = snprintf(line, sizeof(line), "lumen: %s: ", tags[level]);
	va_start(ap, fmt);
	n += vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	if (write(STDERR_FILENO, line, (size_t)n) < 0)
		return;
}
