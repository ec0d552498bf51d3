// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Live AE (see ae_control.h and docs/3a.md).
 *
 * Each frame: correction c = wanted / measured brightness (from file AE's
 * estimator, limited to 1/8..16 per frame), the total exposure that would
 * have been right for the analysed frame T* = captured total x c, and the
 * new request moves from the last request towards T*: all the way when
 * the error is over one stop (a light switched on or off), a fraction
 * DAMP_SMALL of it (in log terms) otherwise, so that noise in the
 * statistics does not make the exposure hunt; a change below DEADBAND is
 * not made at all. T* is measured against the frame's own settings, so
 * frames captured before a request took effect only repeat it.
 */
#include <errno.h>
#include <math.h>
#include <string.h>

#include "algo/ae.h"
#include "algo/ae_control.h"

#define DEFAULT_TARGET 0.18f
#define DEFAULT_TOLERANCE 0.10f
#define DEFAULT_CONVERGE_FRAMES 3
#define DAMP_SMALL 0.6		/* fraction of a sub-stop correction per frame */
#define DEADBAND 0.02		/* relative change not worth making */

static bool limits_ok(const struct lumen_ae_limits *l)
{
	return l && l->exposure_min_lines >= 1 &&
	       l->exposure_min_lines <= l->exposure_max_lines &&
	       l->gain_min_q8 >= 1 && l->gain_min_q8 <= l->gain_max_q8 &&
	       isfinite(l->line_time_s) && l->line_time_s > 0;
}

static uint32_t clamp_u32(uint32_t v, uint32_t lo, uint32_t hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

static double total_of(const struct lumen_ae_limits *l,
		       const struct lumen_ae_exposure *e)
{
	return e->lines * l->line_time_s * (e->gain_q8 / 256.0);
}

static void set_request(struct lumen_ae_ctl *ae, const struct lumen_ae_exposure *e)
{
	const struct lumen_ae_limits *l = &ae->lim;

	ae->st.request.lines = clamp_u32(e->lines, l->exposure_min_lines,
					 l->exposure_max_lines);
	ae->st.request.gain_q8 = clamp_u32(e->gain_q8, l->gain_min_q8, l->gain_max_q8);
	ae->st.exposure_s = ae->st.request.lines * l->line_time_s;
	ae->st.gain = ae->st.request.gain_q8 / 256.0f;
	ae->st.exposure_limited = ae->st.request.lines == l->exposure_max_lines ||
				  ae->st.request.lines == l->exposure_min_lines;
	ae->st.gain_limited = ae->st.request.gain_q8 == l->gain_max_q8 ||
			      ae->st.request.gain_q8 == l->gain_min_q8;
}

void lumen_ae_split(const struct lumen_ae_limits *lim, int flicker_hz,
		    double total, struct lumen_ae_exposure *out)
{
	const double lt = lim->line_time_s;
	double max_e = lim->exposure_max_lines * lt, min_e = lim->exposure_min_lines * lt;
	double e, gain;
	long lines;

	if (!isfinite(total) || total < 0)
		total = 0;
	/* exposure first: all of it at the smallest gain, if the frame allows */
	e = total / (lim->gain_min_q8 / 256.0);
	if (e > max_e)
		e = max_e;
	if (e < min_e)
		e = min_e;
	if (flicker_hz > 0) {
		double period = 1.0 / (2.0 * flicker_hz);

		/* whole half-periods of the mains; shorter exposures cannot
		 * avoid flicker and stay as they are */
		if (e >= period)
			e = floor(e / period + 1e-9) * period;
	}
	if (flicker_hz > 0 && e >= 1.0 / (2.0 * flicker_hz))
		lines = (long)floor(e / lt + 1e-6);	/* within the half-periods */
	else
		lines = (long)ceil(e / lt - 1e-6);	/* gain <= its minimum */
	if (lines < (long)lim->exposure_min_lines)
		lines = lim->exposure_min_lines;
	if (lines > (long)lim->exposure_max_lines)
		lines = lim->exposure_max_lines;
	gain = total / (lines * lt);
	out->lines = (uint32_t)lines;
	gain = gain * 256.0 + 0.5;
	out->gain_q8 = gain >= lim->gain_max_q8 ? lim->gain_max_q8 :
		       gain <= lim->gain_min_q8 ? lim->gain_min_q8 : (uint32_t)gain;
}

int lumen_ae_ctl_init(struct lumen_ae_ctl *ae, const struct lumen_ae_config *cfg,
		      const struct lumen_ae_limits *lim,
		      const struct lumen_ae_exposure *start)
{
	struct lumen_ae_config c = { 0 };

	if (cfg)
		c = *cfg;
	if (!limits_ok(lim) || (c.flicker_hz != 0 && c.flicker_hz != 50 &&
				c.flicker_hz != 60) ||
	    !(c.target >= 0 && c.target < 1) || !(c.tolerance >= 0) ||
	    c.converge_frames < 0)
		return -EINVAL;
	if (c.target == 0)
		c.target = DEFAULT_TARGET;
	if (c.tolerance == 0)
		c.tolerance = DEFAULT_TOLERANCE;
	if (c.converge_frames == 0)
		c.converge_frames = DEFAULT_CONVERGE_FRAMES;
	memset(ae, 0, sizeof(*ae));
	ae->cfg = c;
	ae->lim = *lim;
	if (start) {
		set_request(ae, start);
	} else {
		struct lumen_ae_exposure e = { lim->exposure_max_lines / 2,
					       lim->gain_min_q8 };
		set_request(ae, &e);
	}
	return 0;
}

int lumen_ae_ctl_set_limits(struct lumen_ae_ctl *ae,
			    const struct lumen_ae_limits *lim)
{
	struct lumen_ae_exposure cur = ae->st.request;

	if (!limits_ok(lim))
		return -EINVAL;
	ae->lim = *lim;
	set_request(ae, &cur);
	return 0;
}

int lumen_ae_ctl_process(struct lumen_ae_ctl *ae,
			 const struct lumen_isp_stats *stats, const float wb[3],
			 const struct lumen_ae_exposure *captured,
			 struct lumen_ae_exposure *next)
{
	static const float unit[3] = { 1, 1, 1 };
	struct lumen_ae_result r;
	struct lumen_ae_exposure e;
	double cap_total, want, last, step, new_total;

	if (!stats || !captured || !stats->cells ||
	    stats->zones_x * stats->zones_y <= 0) {
		if (next)
			*next = ae->st.request;
		return -EINVAL;
	}
	lumen_ae_normalise(stats, wb ? wb : unit, ae->cfg.target, &r);
	ae->st.frames++;
	ae->st.mean = r.mean_before;
	ae->st.p99 = r.p99_before;
	ae->st.error = 1.0f / r.gain - 1.0f;
	if (fabsf(ae->st.error) <= ae->cfg.tolerance)
		ae->st.stable_frames++;
	else
		ae->st.stable_frames = 0;
	ae->st.converged = ae->st.stable_frames >= ae->cfg.converge_frames;

	cap_total = total_of(&ae->lim, captured);
	last = total_of(&ae->lim, &ae->st.request);
	want = cap_total * r.gain;
	if (!(cap_total > 0) || !(last > 0)) {
		new_total = want;
	} else {
		step = log(want / last);
		if (fabs(step) < log(1 + DEADBAND))
			step = 0;
		else if (fabs(log(r.gain)) < log(2.0))
			step *= DAMP_SMALL;
		new_total = last * exp(step);
		if (step == 0) {
			*next = ae->st.request;
			return 0;
		}
	}
	lumen_ae_split(&ae->lim, ae->cfg.flicker_hz, new_total, &e);
	set_request(ae, &e);
	*next = ae->st.request;
	return 0;
}
