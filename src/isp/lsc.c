// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Lens shading: a smooth gain map per CFA cell, bilinear between grid nodes,
 * in 16-bit fixed point (Q12 gains; isp_dsp.h states the arithmetic and
 * its distance from the float gain).
 *
 * The per-column half of the bilinear weights (which grid column, how far
 * along) depends only on the frame width and the grid, so the ISP builds it
 * once per size into its context (lumen_isp_lsc_cols()); per row only the
 * two cells' gains are interpolated vertically (a grid row's worth), and
 * the row kernel (isp_dsp.h, dispatched per CPU) does the rest.
 */
#include <errno.h>
#include <string.h>

#include "isp/isp_band.h"
#include "isp/isp_dsp.h"
#include "isp/stages.h"

void lumen_lsc_cols_make(int16_t *gx, int16_t *t, int width, int grid_w,
			 int x0, int x1)
{
	const long long den = width - 1;

	for (int x = x0; x < x1; x++) {
		/* x (grid_w - 1) / (width - 1), exactly, as node and rest */
		const long long num = (long long)x * (grid_w - 1);
		const long long q = (num % den * 32768 + den / 2) / den;

		gx[x - x0] = (int16_t)(num / den);
		t[x - x0] = (int16_t)(q > 32767 ? 32767 : q);
	}
}

void lumen_lsc_row_gains(const struct lumen_lsc_map *map, int y, int height,
			 struct lumen_lsc_gains *rg)
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
			float v = (g[gy * gw + i] * (1 - ty) + g[(gy + 1) * gw + i] * ty) *
				  (float)(1 << LUMEN_LSC_GAIN_BITS) + 0.5f;

			/* NaN fails the first test */
			rg->a[2 * i + cx] = (int16_t)(!(v >= 0) ? 0 :
				v >= (float)LUMEN_LSC_GAIN_MAX ? LUMEN_LSC_GAIN_MAX : (int)v);
		}
	}
	/* node grid_w: the last node's pair again; differences 0 from the
	 * last node on */
	memcpy(&rg->a[2 * gw], &rg->a[2 * (gw - 1)], 2 * sizeof(rg->a[0]));
	for (int j = 0; j + 2 < 2 * gw; j++)
		rg->d[j] = (int16_t)(rg->a[j + 2] - rg->a[j]);
	memset(&rg->d[2 * (gw - 1)], 0, 4 * sizeof(rg->d[0]));
}

static inline uint16_t lsc_px(uint32_t s, int32_t a, int32_t d, int32_t t)
{
	const uint32_t g = (uint32_t)(a + ((d * t + 16384) >> 15));
	const uint32_t v = (s * g + (1u << (LUMEN_LSC_GAIN_BITS - 1))) >>
			   LUMEN_LSC_GAIN_BITS;

	return (uint16_t)(v < LUMEN_WORK_MAX ? v : LUMEN_WORK_MAX);
}

LUMEN_LSC_ROW_FN(lumen_lsc_row_c)
{
	const int16_t *gx = cols->gx, *t = cols->t;

	for (int x = 0; x < width; x++) {
		const int j = 2 * gx[x] + (x & 1);

		dst[x] = lsc_px(src[x], rg->a[j], rg->d[j], t[x]);
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
	int16_t gx[LSC_CHUNK], t[LSC_CHUNK];
	struct lumen_lsc_gains rg;
	const struct lumen_lsc_cols cols = { gx, t };
	struct lumen_isp_dsp dsp;
	int err = lumen_lsc_check(work, map);

	if (err)
		return err;
	lumen_isp_dsp_init(&dsp);
	/* chunks of columns outside, rows inside: no context to keep tables
	 * in, and none allocated; even chunks keep the CFA phase */
	for (int x0 = 0; x0 < w; x0 += LSC_CHUNK) {
		const int n = w - x0 < LSC_CHUNK ? w - x0 : LSC_CHUNK;

		lumen_lsc_cols_make(gx, t, w, map->grid_w, x0, x0 + n);
		for (int y = 0; y < h; y++) {
			uint16_t *row = (uint16_t *)(void *)(work->data[0] +
							     (size_t)y * work->stride[0]) + x0;

			lumen_lsc_row_gains(map, y, h, &rg);
			dsp.lsc_row(row, row, n, &rg, &cols);
		}
	}
	return 0;
}

int lumen_isp_lsc_rows(struct lumen_isp *isp, const struct lumen_isp_dsp *dsp,
		       const struct lumen_lsc_map *map, int y0, int y1)
{
	struct lumen_frame *work = &isp->raw;
	const int w = work->width, h = work->height;
	struct lumen_lsc_gains rg;
	struct lumen_lsc_cols cols;
	int err = lumen_lsc_check(work, map);

	if (err)
		return err;
	/* column tables: once per frame width and grid width */
	if (isp->lsc_width != w || isp->lsc_grid_w != map->grid_w) {
		lumen_lsc_cols_make(isp->lsc_gx, isp->lsc_t, w, map->grid_w, 0, w);
		isp->lsc_width = w;
		isp->lsc_grid_w = map->grid_w;
	}
	cols.gx = isp->lsc_gx;
	cols.t = isp->lsc_t;
	for (int y = y0; y < y1; y++) {
		uint16_t *row = (uint16_t *)(void *)(work->data[0] +
						     (size_t)y * work->stride[0]);

		lumen_lsc_row_gains(map, y, h, &rg);
		dsp->lsc_row(row, row, w, &rg, &cols);
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
