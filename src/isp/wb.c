// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * White balance on the raw, before demosaicking: the demosaic then works on
 * neutral-balanced data, which keeps its colour-difference assumptions true.
 */
#include "isp/isp_band.h"
#include "isp/isp_dsp.h"
#include "isp/stages.h"

void lumen_wb_phases(enum lumen_bayer bayer, const float gain[3],
		     struct lumen_scale_phase ph[2])
{
	for (int i = 0; i < 4; i++) {
		float g = gain[lumen_bayer_at(bayer, i & 1, i >> 1)];
		uint32_t q;

		if (!(g > 0))
			g = 0;
		if (g > 64)
			g = 64;
		/* Q12 gain, applied as the Q16 scale q << 4: the same result,
		 * floor((v q + 2048) / 4096) == floor((16 v q + 32768) / 65536) */
		q = (uint32_t)(g * 4096.0f + 0.5f);
		lumen_scale_phase_set(&ph[i >> 1], i & 1, 0, q << 4);
	}
}

void lumen_wb_rows(const struct lumen_isp_dsp *dsp,
		   const struct lumen_scale_phase ph[2], struct lumen_frame *work,
		   int y0, int y1)
{
	for (int y = y0; y < y1; y++) {
		uint16_t *row = (uint16_t *)(void *)(work->data[0] +
						     (size_t)y * work->stride[0]);

		dsp->scale_row(row, row, work->width, &ph[y & 1]);
	}
}

void lumen_wb_apply(struct lumen_frame *work, const float gain[3])
{
	struct lumen_scale_phase ph[2];
	struct lumen_isp_dsp dsp;

	lumen_wb_phases(work->bayer, gain, ph);
	lumen_isp_dsp_init(&dsp);
	lumen_wb_rows(&dsp, ph, work, 0, work->height);
}

bool lumen_wb_is_unity(const struct lumen_isp_params *p)
{
	return p->wb[0] == 1.0f && p->wb[1] == 1.0f && p->wb[2] == 1.0f;
}

static int wb_run(struct lumen_isp *isp, const struct lumen_isp_params *p)
{
	if (lumen_wb_is_unity(p))
		return 0;
	lumen_wb_apply(&isp->raw, p->wb);
	return 0;
}

const struct lumen_isp_stage lumen_isp_wb = {
	.name = "wb",
	.run = wb_run,
};
