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
 */
#include <errno.h>
#include <string.h>

#include "isp/isp_dsp.h"
#include "isp/sharpen_row.h"
#include "isp/stages.h"

/* luma of row @y into yl[0 .. w-1], mirrored into yl[-1] and yl[w] */
static void luma_row(const struct lumen_frame *rgb, int y, uint16_t *yl)
{
	const uint16_t *r = (const uint16_t *)(const void *)(rgb->data[0] + (size_t)y * rgb->stride[0]);
	const uint16_t *g = (const uint16_t *)(const void *)(rgb->data[1] + (size_t)y * rgb->stride[1]);
	const uint16_t *b = (const uint16_t *)(const void *)(rgb->data[2] + (size_t)y * rgb->stride[2]);
	const int w = rgb->width;

	for (int x = 0; x < w; x++)
		yl[x] = (uint16_t)((r[x] + 2 * g[x] + b[x] + 2) >> 2);
	yl[-1] = yl[w > 1 ? 1 : 0];
	yl[w] = yl[w > 1 ? w - 2 : 0];
}

LUMEN_SHARPEN_ROW_FN(lumen_sharpen_row_c)
{
	lumen_sharpen_row_body(pl, u, m, d, tmp, w, a);
}

int lumen_sharpen_apply(struct lumen_frame *rgb, float amount, uint16_t *rows)
{
	const int w = rgb->width, h = rgb->height;
	int a = amount < 16.0f ? (int)(amount * 256.0f + 0.5f) : LUMEN_SHARPEN_A_MAX;
	const size_t n = (size_t)w + 2;
	uint16_t *yl[3], *tmp = rows + 3 * n;
	struct lumen_isp_dsp dsp;

	if (w < 1 || h < 1 || rgb->fmt != LUMEN_PIX_RGB16P)
		return -EINVAL;
	if (a <= 0)
		return 0;
	if (a > LUMEN_SHARPEN_A_MAX)
		a = LUMEN_SHARPEN_A_MAX;
	lumen_isp_dsp_init(&dsp);
	for (int k = 0; k < 3; k++)
		yl[k] = rows + (size_t)k * n + 1;
	luma_row(rgb, 0, yl[0]);
	if (h > 1)
		luma_row(rgb, 1, yl[1]);
	for (int y = 0; y < h; y++) {
		const uint16_t *u = yl[(y + 2) % 3], *m = yl[y % 3], *d = yl[(y + 1) % 3];
		uint16_t *pl[3];

		if (y == 0)
			u = h > 1 ? yl[1] : yl[0];	/* mirrored */
		/* row y + 1's luma before row y changes (it is not written yet) */
		if (y + 1 < h && y > 0)
			luma_row(rgb, y + 1, yl[(y + 1) % 3]);
		if (y + 1 >= h)
			d = y > 0 ? yl[(y + 2) % 3] : yl[0];
		for (int c = 0; c < 3; c++)
			pl[c] = (uint16_t *)(void *)(rgb->data[c] + (size_t)y * rgb->stride[c]);
		dsp.sharpen_row(pl, u, m, d, tmp, w, a);
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
