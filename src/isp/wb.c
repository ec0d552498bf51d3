// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * White balance on the raw, before demosaicking: the demosaic then works on
 * neutral-balanced data, which keeps its colour-difference assumptions true.
 */
#include "isp/stages.h"

void lumen_wb_apply(struct lumen_frame *work, const float gain[3])
{
	uint32_t q[4];	/* Q12 gain per cell position */

	for (int i = 0; i < 4; i++) {
		float g = gain[lumen_bayer_at(work->bayer, i & 1, i >> 1)];

		if (!(g > 0))
			g = 0;
		if (g > 64)
			g = 64;
		q[i] = (uint32_t)(g * 4096.0f + 0.5f);
	}
	for (int y = 0; y < work->height; y++) {
		uint16_t *row = (uint16_t *)(void *)(work->data[0] +
						     (size_t)y * work->stride[0]);
		const uint32_t q0 = q[(y & 1) * 2], q1 = q[(y & 1) * 2 + 1];

		for (int x = 0; x < work->width; x++) {
			uint32_t v = (row[x] * ((x & 1) ? q1 : q0) + 2048) >> 12;

			row[x] = (uint16_t)(v > LUMEN_WORK_MAX ? LUMEN_WORK_MAX : v);
		}
	}
}

static int wb_run(struct lumen_isp *isp, const struct lumen_isp_params *p)
{
	if (p->wb[0] == 1.0f && p->wb[1] == 1.0f && p->wb[2] == 1.0f)
		return 0;
	lumen_wb_apply(&isp->raw, p->wb);
	return 0;
}

const struct lumen_isp_stage lumen_isp_wb = {
	.name = "wb",
	.run = wb_run,
};
