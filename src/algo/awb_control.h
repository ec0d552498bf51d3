/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Live auto white balance: the estimators of file AWB (awb.h) run on every
 * frame's statistics, and their answer is smoothed over frames so the
 * picture's colour does not flicker with the estimate's noise.
 *
 * Pure: no threads, no I/O, no allocation; the caller (the pipeline's 3A
 * step, once per frame, on one thread) owns struct lumen_awb_ctl. The
 * gains it returns are for the ISP's wb stage, which sees them on the next
 * frame it develops (no sensor delay is involved).
 */
#ifndef LUMEN_ALGO_AWB_CONTROL_H
#define LUMEN_ALGO_AWB_CONTROL_H

#include <stdbool.h>
#include <stdint.h>

#include "algo/awb.h"

struct lumen_awb_config {
	enum lumen_awb_method method;
	float speed;		/* fraction of the way to the estimate per
				 * frame, in log chroma; 0 = 0.5 */
	float tolerance;	/* settled when within this (relative) of the
				 * estimate; 0 = 0.05 */
	int converge_frames;	/* for this many frames in a row; 0 = 3 */
	int interval;		/* estimate on every N-th frame (the gains move
				 * towards the last estimate on every frame);
				 * 0 = 1. Every method reads statistics only:
				 * COMBINED costs ~1 ms at 2560x1440 on one
				 * x86 core (docs/3a.md). */
};

/* State for the status API; read it between process() calls. */
struct lumen_awb_status {
	float gain[3];		/* for the ISP: smallest = 1 (no highlight cast) */
	float r_gain, b_gain;	/* the same relative to G = 1 */
	float estimate[3];	/* this frame's raw estimate, smallest = 1 */
	float error;		/* largest relative gap between gain and estimate */
	bool valid;		/* an estimate has been made at least once */
	bool converged;		/* |error| <= tolerance for N frames */
	int stable_frames;
	uint64_t frames;	/* frames processed */
	uint64_t invalid_frames;	/* frames with no usable estimate */
};

struct lumen_awb_ctl {
	struct lumen_awb_config cfg;	/* with defaults filled in */
	struct lumen_awb_status st;
	float lr, lb;			/* smoothed log(R/G), log(B/G) of the light */
	float er, eb;			/* the last estimate, same units */
};

/* Returns 0, or -EINVAL for a speed outside 0..1 or a negative setting.
 * The gains start at 1 (or at @start_gain, three gains, when not NULL). */
int lumen_awb_ctl_init(struct lumen_awb_ctl *awb, const struct lumen_awb_config *cfg,
		       const float *start_gain);

/*
 * One frame: @stats from the ISP stats stage (all the controller sees of
 * the frame). Writes the gains to use to @gain (also in awb->st.gain). When
 * the frame gives no usable estimate (too dark, all clipped) the gains are
 * held and the frame is counted in invalid_frames. Frames between
 * estimates (interval > 1) only move the gains on. Returns 0, or -EINVAL
 * when @stats is NULL on a frame that estimates (gains held).
 */
int lumen_awb_ctl_process(struct lumen_awb_ctl *awb,
			  const struct lumen_isp_stats *stats, float gain[3]);

#endif
