/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Auto white balance: estimate the illuminant's colour in camera RGB from
 * ISP statistics (and, for grey-edge, from the working raw) and return the
 * gains that make it neutral. Gains are normalised so the smallest is 1:
 * then no channel can clip below white (a colour cast in highlights).
 *
 * Algorithms read statistics and never touch devices; they run on the
 * caller's thread and never allocate.
 */
#ifndef LUMEN_ALGO_AWB_H
#define LUMEN_ALGO_AWB_H

#include "core/frame.h"
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
 * @st from lumen_stats_collect(); @work (the working raw the statistics came
 * from) is needed by GREY_EDGE and COMBINED and may be NULL otherwise.
 * Returns 0, or -EINVAL when @work is needed and missing.
 */
int lumen_awb_estimate(const struct lumen_isp_stats *st,
		       const struct lumen_frame *work,
		       enum lumen_awb_method method,
		       struct lumen_awb_result *out);

/* Gains from an illuminant colour (e.g. a DNG AsShotNeutral). */
void lumen_awb_gains_from_neutral(const float neutral[3], float gain[3]);

#endif
