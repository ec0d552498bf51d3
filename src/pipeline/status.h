/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The counters every stage exposes, in one shape, for `lumen run`'s
 * summary, the status API, /metrics, the web page and the doctor.
 * Stage names follow the doctor's pipeline order: power, i2c, sensor, link,
 * receiver, vif, dma, isp, scaler, encoder, streamer (plus sink names).
 */
#ifndef LUMEN_PIPELINE_STATUS_H
#define LUMEN_PIPELINE_STATUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LUMEN_STATUS_MAX_EXTRA 16

struct lumen_stage_status {
	char name[24];
	uint64_t frames_in, frames_out;
	uint64_t drops, errors;
	uint64_t ns_last, ns_total;	/* processing time, where measured */
	double fps;			/* frames_out per second, recent */
	int nextra;			/* stage-specific counters */
	struct {
		char key[32];
		int64_t value;
	} extra[LUMEN_STATUS_MAX_EXTRA];
	char note[160];			/* last error or state, human text */
};

/* Appends a named counter (silently ignored beyond the maximum). */
void lumen_status_extra(struct lumen_stage_status *s, const char *key,
			int64_t value);
/* Value of a named extra counter, or @fallback. */
int64_t lumen_status_get(const struct lumen_stage_status *s, const char *key,
			 int64_t fallback);

/* Whether a stage of this name carries frames (power and i2c do not). */
bool lumen_status_carries_frames(const struct lumen_stage_status *s);

/*
 * The first stage, in order, that carries frames and delivered none, or
 * NULL when every such stage delivered some.
 */
const struct lumen_stage_status *
lumen_status_first_silent(const struct lumen_stage_status *st, int n);

/* A table of the stages (one line each, with the extra counters) into
 * @buf; returns the length needed, like snprintf. */
int lumen_status_format(const struct lumen_stage_status *st, int n, char *buf,
			size_t size);

#endif
