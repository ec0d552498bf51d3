// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Live AWB (see awb_control.h and docs/3a.md). The state is the light's
 * chroma as log(R/G), log(B/G); each frame moves it a fixed fraction of
 * the way to the estimator's answer (an exponential moving average), so
 * a step in the light settles geometrically: with speed 0.5, a change of
 * a factor 2 in R/G is within 2 % after 6 frames. Gains follow from the
 * smoothed chroma with the same normalisation as file AWB.
 */
#include <errno.h>
#include <math.h>
#include <string.h>

#include "algo/awb_control.h"

#define DEFAULT_SPEED 0.5f
#define DEFAULT_TOLERANCE 0.05f
#define DEFAULT_CONVERGE_FRAMES 3

static void publish(struct lumen_awb_ctl *awb, float gain[3])
{
	float neutral[3] = { expf(awb->lr), 1.0f, expf(awb->lb) };

	lumen_awb_gains_from_neutral(neutral, awb->st.gain);
	awb->st.r_gain = 1.0f / neutral[0];
	awb->st.b_gain = 1.0f / neutral[2];
	if (gain)
		memcpy(gain, awb->st.gain, sizeof(awb->st.gain));
}

int lumen_awb_ctl_init(struct lumen_awb_ctl *awb, const struct lumen_awb_config *cfg,
		       const float *start_gain)
{
	struct lumen_awb_config c = { 0 };

	if (cfg)
		c = *cfg;
	if (!(c.speed >= 0 && c.speed <= 1) || !(c.tolerance >= 0) ||
	    c.converge_frames < 0 || c.interval < 0 ||
	    (unsigned)c.method > LUMEN_AWB_GREY_PIXEL)
		return -EINVAL;
	if (c.speed == 0)
		c.speed = DEFAULT_SPEED;
	if (c.tolerance == 0)
		c.tolerance = DEFAULT_TOLERANCE;
	if (c.converge_frames == 0)
		c.converge_frames = DEFAULT_CONVERGE_FRAMES;
	if (c.interval == 0)
		c.interval = 1;
	memset(awb, 0, sizeof(*awb));
	awb->cfg = c;
	if (start_gain && start_gain[0] > 0 && start_gain[1] > 0 && start_gain[2] > 0) {
		awb->lr = logf(start_gain[1] / start_gain[0]);
		awb->lb = logf(start_gain[1] / start_gain[2]);
	}
	publish(awb, NULL);
	memcpy(awb->st.estimate, awb->st.gain, sizeof(awb->st.gain));
	return 0;
}

int lumen_awb_ctl_process(struct lumen_awb_ctl *awb,
			  const struct lumen_isp_stats *stats, float gain[3])
{
	struct lumen_awb_result r;
	float k = awb->cfg.speed;
	bool estimate = awb->st.frames % (uint64_t)awb->cfg.interval == 0;
	int ret = 0;

	awb->st.frames++;
	if (estimate) {
		ret = stats ? lumen_awb_estimate(stats, awb->cfg.method, &r) :
			      -EINVAL;
		if (ret || !r.valid) {
			awb->st.invalid_frames++;
			awb->st.stable_frames = 0;
			awb->st.converged = false;
			publish(awb, gain);
			return ret;
		}
		awb->er = logf(r.illuminant[0] / r.illuminant[1]);
		awb->eb = logf(r.illuminant[2] / r.illuminant[1]);
		memcpy(awb->st.estimate, r.gain, sizeof(r.gain));
		if (!awb->st.valid)
			k = 1;	/* the first estimate is taken as it is */
		awb->st.valid = true;
	}
	if (!awb->st.valid) {
		publish(awb, gain);
		return 0;
	}
	awb->lr += k * (awb->er - awb->lr);
	awb->lb += k * (awb->eb - awb->lb);
	awb->st.error = expf(fmaxf(fabsf(awb->er - awb->lr),
				   fabsf(awb->eb - awb->lb))) - 1;
	if (awb->st.error <= awb->cfg.tolerance)
		awb->st.stable_frames++;
	else
		awb->st.stable_frames = 0;
	awb->st.converged = awb->st.stable_frames >= awb->cfg.converge_frames;
	publish(awb, gain);
	return 0;
}
