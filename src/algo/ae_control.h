/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Live auto-exposure: turns each frame's ISP statistics into the sensor
 * exposure (lines) and gain for the frames to come.
 *
 * Pure: no threads, no I/O, no allocation; the caller (the pipeline's 3A
 * step, once per frame, on one thread) owns struct lumen_ae_ctl and passes
 * in what the analysed frame was really captured with. Because the
 * correction is computed against that, and not against the last request,
 * frames still taken with old settings (the sensor's exposure/gain delay)
 * ask for the same change again instead of adding to it: no overshoot from
 * delays, whatever their length.
 *
 * The brightness measure is that of file AE (lumen_ae_normalise(): the
 * log-average luma after white balance towards a target, the 99th
 * percentile kept below white).
 */
#ifndef LUMEN_ALGO_AE_CONTROL_H
#define LUMEN_ALGO_AE_CONTROL_H

#include <stdbool.h>
#include <stdint.h>

#include "isp/isp.h"

/* What the sensor allows in its current mode (the driver knows). */
struct lumen_ae_limits {
	uint32_t exposure_min_lines;
	uint32_t exposure_max_lines;	/* VTS - the sensor's margin */
	uint32_t gain_min_q8;		/* total gain, 256 = 1x */
	uint32_t gain_max_q8;
	double line_time_s;		/* HTS / pixel clock */
};

struct lumen_ae_config {
	float target;		/* log-average luma, 0..1 of white; 0 = 0.18 */
	int flicker_hz;		/* mains frequency 50 or 60; 0 = off */
	float tolerance;	/* converged within this relative error; 0 = 0.1 */
	int converge_frames;	/* for this many frames in a row; 0 = 3 */
};

/* One exposure setting: what a frame had, or what to apply next. */
struct lumen_ae_exposure {
	uint32_t lines;
	uint32_t gain_q8;
};

/* State for the status API; read it between process() calls. */
struct lumen_ae_status {
	struct lumen_ae_exposure request;	/* last output */
	double exposure_s;		/* request.lines x line time */
	float gain;			/* request.gain_q8 / 256 */
	float mean;			/* measured log-average luma, last frame */
	float p99;			/* its 99th percentile luma */
	float error;			/* brightness / wanted - 1, last frame */
	bool converged;			/* |error| <= tolerance for N frames */
	int stable_frames;		/* consecutive frames within tolerance */
	bool exposure_limited;		/* request at max (or min) exposure */
	bool gain_limited;		/* request at max (or min) gain */
	uint64_t frames;		/* frames processed */
};

struct lumen_ae_ctl {
	struct lumen_ae_config cfg;	/* with defaults filled in */
	struct lumen_ae_limits lim;
	struct lumen_ae_status st;
};

/*
 * Sets up @ae for @lim; the request starts at @start (clamped). Returns 0,
 * or -EINVAL for impossible limits (min > max, zero line time, gain below
 * 1/256) or a flicker frequency other than 0, 50 or 60; @ae is then unset.
 */
int lumen_ae_ctl_init(struct lumen_ae_ctl *ae, const struct lumen_ae_config *cfg,
		      const struct lumen_ae_limits *lim,
		      const struct lumen_ae_exposure *start);

/* New limits after a mode or frame-rate (VTS) change; the current request
 * is clamped into them. Returns 0 or -EINVAL as init. */
int lumen_ae_ctl_set_limits(struct lumen_ae_ctl *ae,
			    const struct lumen_ae_limits *lim);

/*
 * One frame: @stats of the frame (lumen_isp stats stage), @wb the ISP's
 * white-balance gains it will be developed with (NULL = 1, 1, 1),
 * @captured the exposure and gain that frame was really taken with. Writes
 * the setting to apply next to @next (also in ae->st.request). Returns 0,
 * or -EINVAL when the statistics are empty (@next = the last request,
 * nothing else changes).
 */
int lumen_ae_ctl_process(struct lumen_ae_ctl *ae,
			 const struct lumen_isp_stats *stats, const float wb[3],
			 const struct lumen_ae_exposure *captured,
			 struct lumen_ae_exposure *next);

/*
 * The split of a total exposure (seconds x gain) into lines and gain under
 * @lim: exposure first, gain only once exposure is at its maximum; with
 * @flicker_hz, exposures of at least one mains half-period are rounded
 * down to whole half-periods and gain makes up the rest. Exposed for tests
 * and for a pipeline that wants a fixed exposure.
 */
void lumen_ae_split(const struct lumen_ae_limits *lim, int flicker_hz,
		    double total, struct lumen_ae_exposure *out);

#endif
