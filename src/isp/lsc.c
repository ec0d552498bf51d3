// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Lens shading: a smooth gain map per CFA cell, bilinear between grid nodes.
 *
 * The per-column half of the bilinear weights (which grid column, how far
 * along) depends only on the frame width and the grid, so the ISP builds it
 * once per size into its context (lumen_isp_lsc_cols()); per row only the
 * two cells' gains are interpolated vertically (a grid row's worth), and
 * the row kernel (isp_dsp.h, dispatched per CPU) does the rest.
 */
#include <errno.h>

#include "isp/isp_band.h"
#include "isp/isp_dsp.h"
#include "isp/stages.h"

void lumen_lsc_cols_make(int32_t *gx, float *w0, float *w1, int width,
			 int grid_w, int x0, int x1)
{
	/* the arithmetic the stage always did per pixel, verbatim */
	const float fx_step = (float)(grid_w - 1) / (float)(width - 1);

	for (int x = x0; x < x1; x++) {
		float fx = (float)x * fx_step;
		int g = (int)fx;

		if (g >= grid_w - 1)
			g = grid_w - 2;
		gx[x - x0] = g;
		w1[x - x0] = fx - (float)g;
		w0[x - x0] = 1 - w1[x - x0];
	}
}

void lumen_lsc_row_gains(const struct lumen_lsc_map *map, int y, int height,
			 float rg[2][LUMEN_LSC_RG_LEN])
{
	const int gw = map->grid_w;
	float fy = (float)y * (float)(map->grid_h - 1) / (float)(height - 1);
	int gy = (int)fy;
	float ty;

	if (gy >= map->grid_h - 1)
		gy = map->grid_h - 2;
	ty = fy - (float)gy;
	for (int cx = 0; cx < 2; cx++) {
		const float *g = map->gain[(y & 1) * 2 + cx];

		for (int i = 0; i < gw; i++) {
			float v = g[gy * gw + i] * (1 - ty) + g[(gy + 1) * gw + i] * ty;

			/* NaN fails the first test; gains below 2^-60 (which
			 * round every sample to 0 all the same) become 0, so
			 * no later product is subnormal, which ARMv7 NEON
			 * would flush */
			rg[cx][i] = !(v >= 0x1p-60f) ? 0 : v > LUMEN_LSC_GAIN_MAX ?
				    LUMEN_LSC_GAIN_MAX : v;
		}
		for (int i = gw; i < LUMEN_LSC_RG_LEN; i++)
			rg[cx][i] = rg[cx][gw - 1];
	}
}

static inline uint16_t lsc_px(uint16_t s, float a, float b, float w0, float w1)
{
	float gain = a * w0 + b * w1;
	float v = (float)s * gain + 0.5f;

	return (uint16_t)(v > LUMEN_WORK_MAX ? LUMEN_WORK_MAX : v < 0 ? 0 : v);
}

LUMEN_LSC_ROW_FN(lumen_lsc_row_c)
{
	const int32_t *gx = cols->gx;
	const float *w0 = cols->w0, *w1 = cols->w1;

	for (int x = 0; x < width; x++) {
		const float *g = rg[x & 1];

		dst[x] = lsc_px(src[x], g[gx[x]], g[gx[x] + 1], w0[x], w1[x]);
	}
}

int lumen_lsc_check(const struct lumen_frame *work,
		    const struct lumen_lsc_map *map)
{
	if (map->grid_w < 2 || map->grid_h < 2 ||
	    map->grid_w > LUMEN_LSC_MAX_GRID || map->grid_h > LUMEN_LSC_MAX_GRID ||
	    work->width < 2 || work->height < 2)
		return -EINVAL;
	for (int c = 0; c < 4; c++)
		if (!map->gain[c])
			return -EINVAL;
	return 0;
}

/* columns per step of lumen_lsc_apply(): its tables live on the stack */
#define LSC_CHUNK 512

int lumen_lsc_apply(struct lumen_frame *work, const struct lumen_lsc_map *map)
{
	const int w = work->width, h = work->height;
	int32_t gx[LSC_CHUNK];
	float w0[LSC_CHUNK], w1[LSC_CHUNK], rg[2][LUMEN_LSC_RG_LEN];
	const float *rgp[2] = { rg[0], rg[1] };
	const struct lumen_lsc_cols cols = { gx, w0, w1 };
	struct lumen_isp_dsp dsp;
	int err = lumen_lsc_check(work, map);

	if (err)
		return err;
	lumen_isp_dsp_init(&dsp);
	/* chunks of columns outside, rows inside: no context to keep tables
	 * in, and none allocated; even chunks keep the CFA phase */
	for (int x0 = 0; x0 < w; x0 += LSC_CHUNK) {
		const int n = w - x0 < LSC_CHUNK ? w - x0 : LSC_CHUNK;

		lumen_lsc_cols_make(gx, w0, w1, w, map->grid_w, x0, x0 + n);
		for (int y = 0; y < h; y++) {
			uint16_t *row = (uint16_t *)(void *)(work->data[0] +
							     (size_t)y * work->stride[0]) + x0;

			lumen_lsc_row_gains(map, y, h, rg);
			dsp.lsc_row(row, row, n, rgp, &cols);
		}
	}
	return 0;
}

int lumen_isp_lsc_rows(struct lumen_isp *isp, const struct lumen_isp_dsp *dsp,
		       const struct lumen_lsc_map *map, int y0, int y1)
{
	struct lumen_frame *work = &isp->raw;
	const int w = work->width, h = work->height;
	float rg[2][LUMEN_LSC_RG_LEN];
	const float *rgp[2] = { rg[0], rg[1] };
	struct lumen_lsc_cols cols;
	int err = lumen_lsc_check(work, map);

	if (err)
		return err;
	/* column tables: once per frame width and grid width */
	if (isp->lsc_width != w || isp->lsc_grid_w != map->grid_w) {
		lumen_lsc_cols_make(isp->lsc_gx, isp->lsc_w0, isp->lsc_w1, w,
				    map->grid_w, 0, w);
		isp->lsc_width = w;
		isp->lsc_grid_w = map->grid_w;
	}
	cols.gx = isp->lsc_gx;
	cols.w0 = isp->lsc_w0;
	cols.w1 = isp->lsc_w1;
	for (int y = y0; y < y1; y++) {
		uint16_t *row = (uint16_t *)(void *)(work->data[0] +
						     (size_t)y * work->stride[0]);

		lumen_lsc_row_gains(map, y, h, rg);
		dsp->lsc_row(row, row, w, rgp, &cols);
	}
	return 0;
}

static int lsc_run(struct lumen_isp *isp, const struct lumen_isp_params *p)
{
	struct lumen_isp_dsp dsp;

	if (!p->lsc)
		return 0;
	lumen_isp_dsp_init(&dsp);
	return lumen_isp_lsc_rows(isp, &dsp, p->lsc, 0, isp->raw.height);
}

const struct lumen_isp_stage lumen_isp_lsc = {
	.name = "lsc",
	.run = lsc_run,
};
