/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The one time base of lumen: CLOCK_MONOTONIC. Frame timestamps, stage
 * timers and every timed wait use it (condition variables that wait with
 * lumen_deadline_ms() must be created with pthread_condattr_setclock
 * CLOCK_MONOTONIC).
 */
#ifndef LUMEN_CORE_CLOCK_H
#define LUMEN_CORE_CLOCK_H

#include <stdint.h>
#include <time.h>

/* CLOCK_MONOTONIC now, in nanoseconds. */
static inline int64_t lumen_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* The CLOCK_MONOTONIC time @timeout_ms (>= 0) from now, as an absolute
 * deadline for pthread_cond_timedwait(). */
static inline struct timespec lumen_deadline_ms(int timeout_ms)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	t.tv_sec += timeout_ms / 1000;
	t.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (t.tv_nsec >= 1000000000L) {
		t.tv_sec++;
		t.tv_nsec -= 1000000000L;
	}
	return t;
}

#endif
