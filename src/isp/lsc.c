// SPDX-License-Identifier: GPL-2.0-or-later
/* Lens shading: a smooth gain map per CFA cell, bilinear between grid nodes. */
#include <errno.h>

#include "isp/stages.h"

#define LSC_MAX_GRID 64

int lumen_lsc_apply(struct lumen_frame *work, const struct lumen_lsc_map *map)
{
	const int w = work->width, h = work->height, gw = map->grid_w;
	float rowgain[2][LSC_MAX_GRID];

	if (gw < 2 || map->grid_h < 2 || gw > LSC_MAX_GRID ||
	    map->grid_h > LSC_MAX_GRID || w < 2 || h < 2)
		return -EINVAL;
	for (int c = 0; c < 4; c++)
		if (!map->gain[c])
			return -EINVAL;

	for (int y = 0; y < h; y++) {
		uint16_t *row = (uint16_t *)(void *)(work->data[0] +
						     (size_t)y * work->stride[0]);
		float fy = (float)y * (float)(map->grid_h - 1) / (float)(h - 1);
		int gy = (int)fy;
		float ty, fx_step = (float)(gw - 1) / (float)(w - 1);

		if (gy >= map->grid_h - 1)
			gy = map->grid_h - 2;
		ty = fy - (float)gy;
		/* the two cells this row holds, interpolated vertically */
		for (int cx = 0; cx < 2; cx++) {
			const float *g = map->gain[(y & 1) * 2 + cx];

			for (int i = 0; i < gw; i++)
				rowgain[cx][i] = g[gy * gw + i] * (1 - ty) +
						 g[(gy + 1) * gw + i] * ty;
		}
		for (int x = 0; x < w; x++) {
			float fx = (float)x * fx_step;
			int gx = (int)fx;
			float tx, gain, v;

			if (gx >= gw - 1)
				gx = gw - 2;
			tx = fx - (float)gx;
			gain = rowgain[x & 1][gx] * (1 - tx) +
			       rowgain[x & 1][gx + 1] * tx;
			v = (float)row[x] * gain + 0.5f;
			row[x] = (uint16_t)(v > LUMEN_WORK_MAX ? LUMEN_WORK_MAX :
					    v < 0 ? 0 : v);
		}
	}
	return 0;
}

static int lsc_run(struct lumen_isp *isp, const struct lumen_isp_params *p)
{
	if (!p->lsc)
		return 0;
	return lumen_lsc_apply(&isp->raw, p->lsc);
}

const struct lumen_isp_stage lumen_isp_lsc = {
	.name = "lsc",
	.run = lsc_run,
};
