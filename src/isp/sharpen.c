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

/*
 * Row @y's new luma minus its old, from the luma rows above (@u), at (@m)
 * and below (@d), each readable at -1 .. w: column sums and extremes
 * first (vs, vlo, vhi, also -1 .. w), then across. Branch-free loops over
 * 16-bit arrays, which compilers vectorise.
 */
static void sharpen_row(int16_t *dy, const uint16_t *u, const uint16_t *m,
			const uint16_t *d, uint16_t *vs, uint16_t *vlo, uint16_t *vhi,
			int w, int a)
{
	for (int x = -1; x <= w; x++) {
		const int p = u[x], q = m[x], r = d[x];
		const int lo = p < q ? p : q, hi = p > q ? p : q;

		vs[x] = (uint16_t)(p + 2 * q + r);
		vlo[x] = (uint16_t)(lo < r ? lo : r);
		vhi[x] = (uint16_t)(hi > r ? hi : r);
	}
	for (int x = 0; x < w; x++) {
		const int v = m[x];
		const int blur = (vs[x - 1] + 2 * vs[x] + vs[x + 1] + 8) >> 4;
		int lo = vlo[x - 1] < vlo[x] ? vlo[x - 1] : vlo[x];
		int hi = vhi[x - 1] > vhi[x] ? vhi[x - 1] : vhi[x];
		int yn = v + (((v - blur) * a + 128) >> 8);

		lo = lo < vlo[x + 1] ? lo : vlo[x + 1];
		hi = hi > vhi[x + 1] ? hi : vhi[x + 1];
		yn = yn < lo ? lo : yn > hi ? hi : yn;
		dy[x] = (int16_t)(yn - v);
	}
}

int lumen_sharpen_apply(struct lumen_frame *rgb, float amount, uint16_t *rows)
{
	const int w = rgb->width, h = rgb->height;
	const int a = (int)(amount * 256.0f + 0.5f);
	const size_t n = (size_t)w + 2;
	uint16_t *yl[3], *vs = rows + 3 * n + 1, *vlo = vs + n, *vhi = vlo + n;
	int16_t *dy = (int16_t *)(void *)(vhi + n);

	if (w < 1 || h < 1 || rgb->fmt != LUMEN_PIX_RGB16P)
		return -EINVAL;
	if (a <= 0)
		return 0;
	for (int k = 0; k < 3; k++)
		yl[k] = rows + (size_t)k * n + 1;
	luma_row(rgb, 0, yl[0]);
	if (h > 1)
		luma_row(rgb, 1, yl[1]);
	for (int y = 0; y < h; y++) {
		const uint16_t *u = yl[(y + 2) % 3], *m = yl[y % 3], *d = yl[(y + 1) % 3];

		if (y == 0)
			u = h > 1 ? yl[1] : yl[0];	/* mirrored */
		/* row y + 1's luma before row y changes (it is not written yet) */
		if (y + 1 < h && y > 0)
			luma_row(rgb, y + 1, yl[(y + 1) % 3]);
		if (y + 1 >= h)
			d = y > 0 ? yl[(y + 2) % 3] : yl[0];
		sharpen_row(dy, u, m, d, vs, vlo, vhi, w, a);
		for (int c = 0; c < 3; c++) {
			uint16_t *pl = (uint16_t *)(void *)(rgb->data[c] + (size_t)y * rgb->stride[c]);

			for (int x = 0; x < w; x++) {
				const int v = pl[x] + dy[x];

				pl[x] = (uint16_t)(v < 0 ? 0 : v > LUMEN_WORK_MAX ? LUMEN_WORK_MAX : v);
			}
		}
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
