/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Thread names, so that top -H, perf and /proc/PID/task/N/comm show which
 * stage a thread runs (bench/bench_serve.sh reads them for its per-stage
 * CPU figures). Called by the thread itself, first thing; Linux keeps 15
 * characters. Failure is harmless and ignored.
 */
#ifndef LUMEN_CORE_THREAD_H
#define LUMEN_CORE_THREAD_H

#include <stddef.h>
#include <sys/prctl.h>

static inline void lumen_thread_name(const char *prefix, const char *name)
{
	char comm[16];
	size_t k = 0;

	for (const char *c = prefix; c && *c && k < sizeof(comm) - 1; c++)
		comm[k++] = *c;
	for (const char *c = name; c && *c && k < sizeof(comm) - 1; c++)
		comm[k++] = *c;
	comm[k] = '\0';
	prctl(PR_SET_NAME, (unsigned long)comm, 0UL, 0UL, 0UL);
}

#endif
