/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Auto white balance: estimate the illuminant's colour in camera RGB from
 * the ISP's statistics (struct lumen_isp_stats: zone sums for grey world
 * and white patch, the block grid for grey edge, grey pixels and the
 * cool-edge step) and return the gains that make it neutral. Gains are
 * normalised so the smallest is 1: then no channel can clip below white (a
 * colour cast in highlights).
 *
 * The contract is in the types: an estimator gets the statistics and
 * nothing else, so it cannot read pixels (as on a hardware ISP, which
 * returns only statistics). Algorithms never touch devices; they run on
 * the caller's thread and never allocate.
 */
#ifndef LUMEN_ALGO_AWB_H
#define LUMEN_ALGO_AWB_H

#include "isp/isp.h"

enum lumen_awb_method {
	LUMEN_AWB_GREY_WORLD,	/* mean of valid zones, colourful ones rejected */
	LUMEN_AWB_WHITE_PATCH,	/* brightest unclipped zones */
	LUMEN_AWB_GREY_EDGE,	/* mean gradient colour (first-order grey edge) */
	LUMEN_AWB_COMBINED,	/* the others, outliers among them rejected,
				 * then moved toward the cool edge of the
				 * grey pixels when they spread (awb.c) */
	LUMEN_AWB_GREY_PIXEL,	/* cells with equal log-contrast in R, G, B */
};

struct lumen_awb_result {
	float gain[3];
	float illuminant[3];	/* estimate, G = 1 */
	int zones_used;		/* zones the estimate rests on */
	bool valid;		/* false: too little usable data, gains = 1 */
};

int lumen_awb_parse_method(const char *s, enum lumen_awb_method *out);

/*
 * @st from the ISP's stats stage (lumen_stats_collect()). Returns 0 with
 * @out->valid false when the statistics give no usable estimate (too dark,
 * all clipped, a frame too small for the block grid), or -EINVAL for a NULL
 * @st or an unknown method (@out then holds unit gains, invalid).
 */
int lumen_awb_estimate(const struct lumen_isp_stats *st,
		       enum lumen_awb_method method,
		       struct lumen_awb_result *out);

/* Gains from an illuminant colour (e.g. a DNG AsShotNeutral). */
void lumen_awb_gains_from_neutral(const float neutral[3], float gain[3]);

#endif
