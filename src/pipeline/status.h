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

/* The next of @max rows of @st (*@n used so far), zeroed and named @name;
 * NULL when all are used. For sources filling their stage rows. */
struct lumen_stage_status *lumen_status_next(struct lumen_stage_status *st,
					     int *n, int max, const char *name);
/* Appends a named counter (silently ignored beyond the maximum). */
void lumen_status_extra(struct lumen_stage_status *s, const char *key,
			int64_t value);
/* Value of a named extra counter, or @fallback. */
int64_t lumen_status_get(const struct lumen_stage_status *s, const char *key,
			 int64_t fallback);

/* Whether a stage of this name carries frames (power, i2c and media, the
 * V4L2 graph, do not). */
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

/*
 * Reads a table printed by lumen_status_format back into @st (at most @max
 * stages). Lines before the header are skipped; the table ends at the
 * first line that is neither a stage row nor an indented detail line.
 * Returns the number of stages, or -EINVAL when no header is found. The
 * ms/frame column comes back as ns_last (and ns_total = ns_last * out).
 */
int lumen_status_parse(const char *text, size_t len,
		       struct lumen_stage_status *st, int max);

/*
 * Whether the extra counter @key only grows (bursts, errors, transfers)
 * rather than describing a state (configured, pad, buffers): the keys the
 * stages of src/pipeline, src/soc and src/serve publish.
 */
bool lumen_status_key_is_counter(const char *key);

/*
 * What happened between two snapshots of the same pipeline: for each stage
 * of @after, frames/drops/errors and the counter extras as differences from
 * the stage of the same name in @before (absent or negative: taken as
 * zero; a counter that went down, as after a restart, counts from zero),
 * state extras and the note as in @after. Writes @nafter stages to @out.
 */
void lumen_status_delta(const struct lumen_stage_status *before, int nbefore,
			const struct lumen_stage_status *after, int nafter,
			struct lumen_stage_status *out);

#endif
