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
#include <stdbool.h>
#include <string.h>

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

int lumen_sharpen_apply(struct lumen_frame *rgb, float amount, uint16_t *rows)
{
	const int w = rgb->width, h = rgb->height;
	int a = amount < 16.0f ? (int)(amount * 256.0f + 0.5f) : LUMEN_SHARPEN_A_MAX;
	const size_t n = (size_t)w + 2;
	uint16_t *yl[3], *tmp = rows + 3 * n, *pl[3];
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
