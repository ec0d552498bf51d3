/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Exposure normalisation for developed files: one linear gain that puts the
 * scene's log-average luminance near mid-grey while keeping the brightest
 * unclipped content below white. (The live AE that drives sensor exposure
 * and gain builds on the same statistics.)
 */
#ifndef LUMEN_ALGO_AE_H
#define LUMEN_ALGO_AE_H

#include "isp/isp.h"

struct lumen_ae_result {
	float gain;		/* linear, applied with the CCM */
	float mean_before;	/* log-average luma before the gain, 0..1 */
	float p99_before;	/* 99th percentile luma before the gain, 0..1 */
	float clipped_fraction;	/* cells already clipped in the raw */
};

/*
 * @st: statistics of the frame; @wb: the white-balance gains that will be
 * applied (luma is predicted after them). @target: log-average target
 * (0.18 typical). Gain is limited to [1/8, 16].
 */
void lumen_ae_normalise(const struct lumen_isp_stats *st, const float wb[3],
			float target, struct lumen_ae_result *out);

#endif
