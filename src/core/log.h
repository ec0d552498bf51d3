/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Log lines with levels on stderr; thread-safe (one write per line). */
#ifndef LUMEN_CORE_LOG_H
#define LUMEN_CORE_LOG_H

enum lumen_log_level { LUMEN_LOG_ERROR, LUMEN_LOG_WARN, LUMEN_LOG_INFO, LUMEN_LOG_DEBUG };

void lumen_log_set_level(enum lumen_log_level level);
void lumen_log(enum lumen_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define lumen_err(...)  lumen_log(LUMEN_LOG_ERROR, __VA_ARGS__)
#define lumen_warn(...) lumen_log(LUMEN_LOG_WARN, __VA_ARGS__)
#define lumen_info(...) lumen_log(LUMEN_LOG_INFO, __VA_ARGS__)
#define lumen_dbg(...)  lumen_log(LUMEN_LOG_DEBUG, __VA_ARGS__)

#endif
