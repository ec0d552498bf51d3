// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fast demosaic: Malvar, He and Cutler, "High-quality linear interpolation
 * for demosaicing of Bayer-patterned color images" (ICASSP 2004), i.e.
 * bilinear interpolation corrected by the Laplacian of the known colour,
 * with the published 5x5 kernels. See demosaic_dsp.h for the integer form.
 *
 * The frame is developed row by row. Rows above and below the frame are
 * mirrored about the edge row (row -1 is row 1, -2 is 2), which keeps the
 * CFA phase; the interior of each row goes through the dispatched row
 * kernel reading the frame directly, and the two columns at each side go
 * through the C kernel on a tiny mirrored copy on the stack. Nothing is
 * allocated.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#include "core/cpu.h"
#include "isp/demosaic.h"
#include "isp/demosaic_dsp.h"
#include "isp/isp_dsp.h"

const int16_t lumen_demosaic_coef[LUMEN_DM_NKERNELS][LUMEN_DM_NTERMS] = {
	/*                 c  V1  H1  V2  H2  Dn  Ds */
	[LUMEN_DM_PASS] = { 16,  0,  0,  0,  0,  0,  0 },
	[LUMEN_DM_KG]   = {  8,  4,  4, -2, -2,  0,  0 },
	[LUMEN_DM_KH]   = { 10,  0,  8,  1, -2, -2, -2 },
	[LUMEN_DM_KV]   = { 10,  8,  0, -2,  1, -2, -2 },
	[LUMEN_DM_KD]   = { 12,  0,  0, -3, -3,  4,  4 },
};

/* (k + 8) >> 4 as a floor division, clipped to the working range. */
static inline uint16_t dm_out(int k)
{
	int v;

	k = k < 0 ? 0 : k;	/* written to become selects, not branches */
	v = (k + 8) >> 4;
	return (uint16_t)(v > LUMEN_WORK_MAX ? LUMEN_WORK_MAX : v);
}

/* Red or blue sample at x: copy it, G from Kg, the other colour from Kd. */
static inline void dm_colour_px(uint16_t *own, uint16_t *g, uint16_t *other,
				const uint16_t *s0, const uint16_t *s1,
				const uint16_t *s2, const uint16_t *s3,
				const uint16_t *s4, int x)
{
	int c = s2[x];
	int vh = s1[x] + s3[x] + s2[x - 1] + s2[x + 1];
	int far = s0[x] + s4[x] + s2[x - 2] + s2[x + 2];
	int d = s1[x - 1] + s1[x + 1] + s3[x - 1] + s3[x + 1];

	own[x] = (uint16_t)c;
	g[x] = dm_out(8 * c + 4 * vh - 2 * far);
	other[x] = dm_out(12 * c + 4 * d - 3 * far);
}

/* Green sample at x: "own" colour from Kh (it is left/right), "other"
 * colour from Kv (above/below). */
static inline void dm_green_px(uint16_t *own, uint16_t *g, uint16_t *other,
			       const uint16_t *s0, const uint16_t *s1,
			       const uint16_t *s2, const uint16_t *s3,
			       const uint16_t *s4, int x)
{
	int c = s2[x];
	int v1 = s1[x] + s3[x], v2 = s0[x] + s4[x];
	int h1 = s2[x - 1] + s2[x + 1], h2 = s2[x - 2] + s2[x + 2];
	int base = 10 * c - 2 * (s1[x - 1] + s1[x + 1] + s3[x - 1] + s3[x + 1]);

	g[x] = (uint16_t)c;
	own[x] = dm_out(base + 8 * h1 + v2 - 2 * h2);
	other[x] = dm_out(base + 8 * v1 + h2 - 2 * v2);
}

LUMEN_DEMOSAIC_ROW_FN(lumen_demosaic_row_c)
{
	const uint16_t *s0 = src[0], *s1 = src[1], *s2 = src[2];
	const uint16_t *s3 = src[3], *s4 = src[4];
	int blue_row = ((int)order >> 1) & 1;
	/* "own" is the colour sampled on this row, "other" the one above */
	uint16_t *own = blue_row ? dst_b : dst_r;
	uint16_t *other = blue_row ? dst_r : dst_b;
	int x = 0;

	/* the row alternates: make x even-aligned to a red/blue sample */
	if (((int)order & 1) ^ blue_row) {
		dm_green_px(own, dst_g, other, s0, s1, s2, s3, s4, 0);
		x = 1;
	}
	for (; x + 2 <= width; x += 2) {
		dm_colour_px(own, dst_g, other, s0, s1, s2, s3, s4, x);
		dm_green_px(own, dst_g, other, s0, s1, s2, s3, s4, x + 1);
	}
	if (x < width)
		dm_colour_px(own, dst_g, other, s0, s1, s2, s3, s4, x);
}

void lumen_demosaic_dsp_init(struct lumen_demosaic_dsp *dsp)
{
	dsp->row = lumen_demosaic_row_c;
	dsp->ri_tile = lumen_demosaic_ri_tile_c;
	dsp->tone_row = NULL;
#if defined(LUMEN_HAVE_AVX2)
	lumen_demosaic_dsp_init_x86(dsp);
#elif defined(LUMEN_HAVE_NEON)
	lumen_demosaic_dsp_init_arm(dsp);
#endif
}

/* Mirror index i into 0..n-1 about the edge samples (n >= 2, |i| small). */
static inline int dm_reflect(int i, int n)
{
	while (i < 0 || i >= n) {
		if (i < 0)
			i = -i;
		if (i >= n)
			i = 2 * (n - 1) - i;
	}
	return i;
}

/* Rows y - 2 .. y + 2 of @raw, mirrored at its top and bottom. */
static void dm_rows(const struct lumen_frame *raw, int y, const uint16_t *rows[5])
{
	for (int i = 0; i < 5; i++)
		rows[i] = (const uint16_t *)(const void *)
			(raw->data[0] +
			 (size_t)dm_reflect(y - 2 + i, raw->height) * raw->stride[0]);
}

#define DM_CHUNK_MAX 4	/* border chunks are 2 columns, whole rows of w <= 4 */

/*
 * Columns x0..x1-1 of one row through the C kernel on a mirrored copy of
 * columns x0-2 .. x1+1 (x1 - x0 <= DM_CHUNK_MAX), into dst[p][0 ..].
 */
static void dm_chunk_mirrored(uint16_t *const dst[3],
			      const uint16_t *const rows[5], int w, int x0,
			      int x1, enum lumen_bayer order)
{
	uint16_t buf[5][DM_CHUNK_MAX + 4];
	const uint16_t *src[5];
	int n = x1 - x0;

	for (int i = 0; i < 5; i++) {
		for (int j = 0; j < n + 4; j++)
			buf[i][j] = rows[i][dm_reflect(x0 - 2 + j, w)];
		src[i] = buf[i] + 2;
	}
	lumen_demosaic_row_c(dst[0], dst[1], dst[2], src, n,
			     lumen_bayer_shift(order, x0, 0));
}

static int dm_check(const struct lumen_frame *raw,
		    const struct lumen_frame *rgb)
{
	if (!raw || !rgb || raw->fmt != LUMEN_PIX_BAYER16 ||
	    rgb->fmt != LUMEN_PIX_RGB16P)
		return -EINVAL;
	if (raw->width < 2 || raw->height < 2 || raw->width > LUMEN_MAX_DIM ||
	    raw->height > LUMEN_MAX_DIM || rgb->width != raw->width ||
	    rgb->height != raw->height)
		return -EINVAL;
	if ((unsigned)raw->bayer > LUMEN_BAYER_BGGR)
		return -EINVAL;
	/* 16-bit samples need even strides and at least a row's worth */
	if (!raw->data[0] || raw->stride[0] < (size_t)raw->width * 2 ||
	    (raw->stride[0] & 1) || ((uintptr_t)raw->data[0] & 1))
		return -EINVAL;
	for (int p = 0; p < 3; p++)
		if (!rgb->data[p] || rgb->stride[p] < (size_t)rgb->width * 2 ||
		    (rgb->stride[p] & 1) || ((uintptr_t)rgb->data[p] & 1))
			return -EINVAL;
	return 0;
}

int lumen_demosaic_fast_rows(const struct lumen_demosaic_dsp *dsp,
			     const struct lumen_frame *raw,
			     uint16_t *const band[3], const size_t band_stride[3],
			     int y0, int y1)
{
	const int w = raw->width;

	for (int y = y0; y < y1; y++) {
		const uint16_t *rows[5];
		uint16_t *dst[3];
		enum lumen_bayer order = lumen_bayer_shift(raw->bayer, 0, y);

		dm_rows(raw, y, rows);
		for (int p = 0; p < 3; p++)
			dst[p] = (uint16_t *)(void *)((uint8_t *)(void *)band[p] +
						      (size_t)(y - y0) * band_stride[p]);

		if (w <= DM_CHUNK_MAX) {
			dm_chunk_mirrored(dst, rows, w, 0, w, order);
			continue;
		}
		dm_chunk_mirrored(dst, rows, w, 0, 2, order);
		{
			const uint16_t *in[5];

			for (int i = 0; i < 5; i++)
				in[i] = rows[i] + 2;
			dsp->row(dst[0] + 2, dst[1] + 2, dst[2] + 2, in, w - 4,
				 lumen_bayer_shift(order, 2, 0));
		}
		{
			uint16_t *const at[3] = { dst[0] + w - 2, dst[1] + w - 2,
						  dst[2] + w - 2 };

			dm_chunk_mirrored(at, rows, w, w - 2, w, order);
		}
	}
	return 0;
}

/* Columns x0..x1-1 (x1 - x0 <= DM_CHUNK_MAX) of one row, demosaicked
 * through the C kernel on a mirrored copy, matrixed and toned, into
 * dst[p][x0 ..]. */
static void dm_tone_chunk(uint8_t *const dst[3], const uint16_t *const rows[5],
			  int w, int x0, int x1, enum lumen_bayer order,
			  const int32_t q[3][3], const struct lumen_tone *t)
{
	uint16_t lin[3][DM_CHUNK_MAX];
	uint16_t *l[3] = { lin[0], lin[1], lin[2] };
	uint8_t *d[3] = { dst[0] + x0, dst[1] + x0, dst[2] + x0 };

	dm_chunk_mirrored(l, rows, w, x0, x1, order);
	lumen_ccm_row_c(l, (const uint16_t *const *)l, x1 - x0, q);
	lumen_tone_row_c(d, (const uint16_t *const *)l, x1 - x0, t);
}

int lumen_demosaic_tone_rows(const struct lumen_demosaic_dsp *dsp,
			     const struct lumen_frame *raw, const int32_t q[3][3],
			     const struct lumen_tone *t, uint8_t *const dst[3],
			     size_t stride, int y0, int y1)
{
	const int w = raw->width;

	for (int y = y0; y < y1; y++) {
		const uint16_t *rows[5];
		uint8_t *d[3];
		enum lumen_bayer order = lumen_bayer_shift(raw->bayer, 0, y);

		dm_rows(raw, y, rows);
		for (int p = 0; p < 3; p++)
			d[p] = dst[p] + (size_t)(y - y0) * stride;
		if (w <= DM_CHUNK_MAX) {
			dm_tone_chunk(d, rows, w, 0, w, order, q, t);
			continue;
		}
		dm_tone_chunk(d, rows, w, 0, 2, order, q, t);
		{
			const uint16_t *in[5];
			uint8_t *const at[3] = { d[0] + 2, d[1] + 2, d[2] + 2 };

			for (int i = 0; i < 5; i++)
				in[i] = rows[i] + 2;
			dsp->tone_row(at, in, w - 4, lumen_bayer_shift(order, 2, 0), q, t);
		}
		dm_tone_chunk(d, rows, w, w - 2, w, order, q, t);
	}
	return 0;
}

int lumen_demosaic_fast(const struct lumen_frame *raw, struct lumen_frame *rgb)
{
	struct lumen_demosaic_dsp dsp;
	uint16_t *band[3];
	int ret;

	ret = dm_check(raw, rgb);
	if (ret)
		return ret;
	lumen_demosaic_dsp_init(&dsp);
	for (int p = 0; p < 3; p++)
		band[p] = (uint16_t *)(void *)rgb->data[p];
	return lumen_demosaic_fast_rows(&dsp, raw, band, rgb->stride, 0,
					raw->height);
}
