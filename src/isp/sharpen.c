// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Edge-aware luma sharpening of the demosaicked linear RGB16P frame, in
 * place, before the colour matrix. Per pixel, on the luma
 * Y = (R + 2 G + B) / 4:
 *
 *   detail = Y - (the 3x3 binomial blur of Y)
 *   Y'     = clip(Y + amount x detail, min, max of Y's 3x3 neighbourhood)
 *
 * and the same Y' - Y is added to R, G and B, so only luma changes (no
 * colour fringes). The clip to the neighbourhood's range is what makes it
 * edge-aware: an edge gets steeper but never overshoots into a halo, and
 * flat areas gain only what their own texture holds. Three rows of luma
 * are kept aside (row y - 1 is already written when row y is done),
 * with the column sums and extremes of the row being done.
 * The amount comes from the tuning file (sharpen:, io/tuning.c).
 *
 * In the ISP with the fast demosaic this runs inside the back run's band
 * loop (lumen_sharpen_slice_rows()), on each band of demosaicked rows
 * while they are in cache, one row below the band demosaicked with it;
 * lumen_sharpen_apply() is the same over a whole frame.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "isp/isp_band.h"
#include "isp/isp_dsp.h"
#include "isp/sharpen_row.h"
#include "isp/stages.h"

/* the R, G, B rows of row @y */
static void planes_at(const struct lumen_frame *rgb, int y, uint16_t *pl[3])
{
	for (int c = 0; c < 3; c++)
		pl[c] = (uint16_t *)(void *)(rgb->data[c] + (size_t)y * rgb->stride[c]);
}

/* the luma row alone, for the first rows */
static void lumen_sharpen_luma_c(const uint16_t *const nx[3], uint16_t *nl, int w)
{
	lumen_sharpen_luma_body(nx, nl, w);
}

LUMEN_SHARPEN_ROW_FN(lumen_sharpen_row_c)
{
	if (nx)
		lumen_sharpen_luma_body(nx, nl, w);
	lumen_sharpen_row_body(pl, u, m, d, tmp, w, a);
}

int lumen_sharpen_strength(float amount)
{
	int a = amount < 16.0f ? (int)(amount * 256.0f + 0.5f) : LUMEN_SHARPEN_A_MAX;

	return a <= 0 ? 0 : a > LUMEN_SHARPEN_A_MAX ? LUMEN_SHARPEN_A_MAX : a;
}

/* the R, G, B rows of frame row @y in a band whose row 0 is frame row @ys0 */
static void band_planes_at(uint16_t *const band[3], size_t stride, int ys0,
			   int y, uint16_t *pl[3])
{
	for (int c = 0; c < 3; c++)
		pl[c] = (uint16_t *)(void *)((uint8_t *)(void *)band[c] +
					     (size_t)(y - ys0) * stride);
}

void lumen_sharpen_slice_begin(struct lumen_sharpen_slice *sl, uint16_t *rows,
			       int w, int h, int s0, float amount)
{
	const size_t n = (size_t)w + 2;

	sl->w = w;
	sl->h = h;
	sl->s0 = s0;
	sl->a = lumen_sharpen_strength(amount);
	for (int k = 0; k < 3; k++)
		sl->yl[k] = rows + (size_t)k * n + 1;
	sl->tmp = rows + 3 * n;
}

/*
 * Luma row y lives in yl[y % 3]. Rows s0 - 1 and s0 (and 1 when s0 = 0)
 * are computed when the slice's first band comes, every later one by the
 * kernel call of the row above it, before that row changes (so every luma
 * is of demosaicked, unsharpened values, as in lumen_sharpen_apply()).
 */
void lumen_sharpen_slice_rows(const struct lumen_isp_dsp *dsp,
			      struct lumen_sharpen_slice *sl,
			      uint16_t *const band[3], size_t stride, int ys0,
			      int y0, int y1)
{
	const int h = sl->h, s0 = sl->s0;
	/* the last row whose luma is computed up front */
	const int pre = s0 == 0 ? (h > 1 ? 1 : 0) : s0;
	uint16_t **yl = sl->yl;
	uint16_t *pl[3], *nx[3];

	if (y0 == s0)
		for (int y = s0 > 0 ? s0 - 1 : 0; y <= pre; y++) {
			band_planes_at(band, stride, ys0, y, pl);
			lumen_sharpen_luma_c((const uint16_t *const *)pl, yl[y % 3], sl->w);
		}
	for (int y = y0; y < y1; y++) {
		const uint16_t *u = y == 0 ? yl[h > 1 ? 1 : 0] : yl[(y + 2) % 3];
		const uint16_t *d = y + 1 < h ? yl[(y + 1) % 3] :
				    y > 0 ? yl[(y + 2) % 3] : yl[0];
		const bool next = y + 1 < h && y + 1 > pre;

		if (next)
			band_planes_at(band, stride, ys0, y + 1, nx);
		band_planes_at(band, stride, ys0, y, pl);
		dsp->sharpen_row(pl, u, yl[y % 3], d, sl->tmp, sl->w, sl->a,
				 next ? (const uint16_t *const *)nx : NULL,
				 yl[(y + 1) % 3]);
	}
}

int lumen_sharpen_apply(struct lumen_frame *rgb, float amount, uint16_t *rows)
{
	const int w = rgb->width, h = rgb->height;
	const int a = lumen_sharpen_strength(amount);
	const size_t n = (size_t)w + 2;
	uint16_t *yl[3], *tmp = rows + 3 * n, *pl[3];
	struct lumen_isp_dsp dsp;

	if (w < 1 || h < 1 || rgb->fmt != LUMEN_PIX_RGB16P)
		return -EINVAL;
	if (a <= 0)
		return 0;
	lumen_isp_dsp_init(&dsp);
	for (int k = 0; k < 3; k++)
		yl[k] = rows + (size_t)k * n + 1;
	planes_at(rgb, 0, pl);
	lumen_sharpen_luma_c((const uint16_t *const *)pl, yl[0], w);
	if (h > 1) {
		planes_at(rgb, 1, pl);
		lumen_sharpen_luma_c((const uint16_t *const *)pl, yl[1], w);
	}
	for (int y = 0; y < h; y++) {
		const uint16_t *u = yl[(y + 2) % 3], *m = yl[y % 3], *d = yl[(y + 1) % 3];
		uint16_t *nx[3];
		const bool next = y + 1 < h && y > 0;

		if (y == 0)
			u = h > 1 ? yl[1] : yl[0];	/* mirrored */
		if (y + 1 >= h)
			d = y > 0 ? yl[(y + 2) % 3] : yl[0];
		/* row y + 1's luma (into d) before row y changes */
		if (next)
			planes_at(rgb, y + 1, nx);
		planes_at(rgb, y, pl);
		dsp.sharpen_row(pl, u, m, d, tmp, w, a,
				next ? (const uint16_t *const *)nx : NULL, yl[(y + 1) % 3]);
	}
	return 0;
}

static int sharpen_run(struct lumen_isp *isp, const struct lumen_isp_params *p)
{
	if (!(p->sharpen > 0.0f))
		return 0;
	return lumen_sharpen_apply(&isp->rgb, p->sharpen, isp->stage_rows);
}

const struct lumen_isp_stage lumen_isp_sharpen = {
	.name = "sharpen",
	.run = sharpen_run,
};
