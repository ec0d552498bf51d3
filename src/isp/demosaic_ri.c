// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The ri demosaic: directional residual interpolation for green, combined
 * GBTF-style, then red and blue from a minimised-Laplacian fit to green
 * and the colour difference, each filled directionally (docs/demosaic.md,
 * "The ri method"). Steps 1-4 of the quality method streamlined: plain
 * guided fits only for green, one pass, whole-plane loops the compiler
 * vectorises, small tiles that stay in cache.
 *
 * The frame is developed in tiles of RI_TILE_W x RI_TILE_H output pixels
 * (fewer at the right and bottom edges), each loaded with LUMEN_RI_MARGIN
 * pixels of context, mirrored outside the frame without repeating the edge
 * sample (period 2 (n - 1), even, so the CFA phase is kept). The kernel is
 * exact beyond the margin, so the result does not depend on the tiling.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "isp/demosaic.h"
#include "isp/demosaic_dsp.h"
#include "isp/demosaic_ri.h"

#define RI_TILE_FN lumen_demosaic_ri_tile_c
#include "isp/demosaic_ri_tile.h"

#define RI_TILE_W 192		/* output pixels of a tile: square, */
#define RI_TILE_H 192		/* less margin per pixel than 512 x 64 */
#define RI_ALIGN 64

size_t lumen_demosaic_ri_scratch_size_for_tile(int tile_w, int tile_h)
{
	size_t pw, ph;

	if (tile_w < 2 || tile_h < 2 || tile_w > LUMEN_MAX_DIM ||
	    tile_h > LUMEN_MAX_DIM)
		return 0;
	pw = (size_t)tile_w + 2 * LUMEN_RI_MARGIN;
	ph = (size_t)tile_h + 2 * LUMEN_RI_MARGIN;
	/* planes, the column map, alignment slack */
	return LUMEN_RI_PLANES * pw * ph * sizeof(float) + pw * sizeof(int) +
	       RI_ALIGN;
}

/* The tile of a frame: RI_TILE_W x RI_TILE_H, or the (even) frame if
 * smaller, so that small frames take small scratch. */
static int ri_tile_side(int side, int max)
{
	side = (side + 1) & ~1;
	return side < max ? side : max;
}

size_t lumen_demosaic_ri_scratch_size(int width, int height)
{
	return lumen_demosaic_ri_scratch_size_for_tile(ri_tile_side(width, RI_TILE_W),
						       ri_tile_side(height, RI_TILE_H));
}

/* The 0/1 site masks of a tile of the frame's CFA phase (every tile's
 * origin is even); they depend only on the tile's size. */
static void ri_masks(struct lumen_ri_tile *t, enum lumen_bayer bayer)
{
	for (int ty = 0; ty < t->h; ty++) {
		int c0 = lumen_bayer_at(bayer, 0, ty);
		int c1 = lumen_bayer_at(bayer, 1, ty);
		size_t r = (size_t)ty * t->w;
		float *mg = t->p[LUMEN_RI_MG] + r, *mr = t->p[LUMEN_RI_MR] + r;
		float *mb = t->p[LUMEN_RI_MB] + r;

		for (int x = 0; x < t->w; x++) {
			int c = x & 1 ? c1 : c0;

			mg[x] = c == LUMEN_CH_G;
			mr[x] = c == LUMEN_CH_R;
			mb[x] = c == LUMEN_CH_B;
		}
	}
}

/* Loads the frame region (x0, y0, cols x rows) and its margins into the
 * mosaic plane; the site masks when the tile's size differs from the last
 * (@mask_w x @mask_h, updated). */
static void ri_load(struct lumen_ri_tile *t, const struct lumen_frame *raw,
		    int x0, int y0, int cols, int rows, int *colmap,
		    int *mask_w, int *mask_h)
{
	const float scale = 1.0f / (float)LUMEN_WORK_MAX;
	const int w = t->w = cols + 2 * LUMEN_RI_MARGIN;
	int xa = 0, xb;

	t->h = rows + 2 * LUMEN_RI_MARGIN;
	if (*mask_w != t->w || *mask_h != t->h) {
		ri_masks(t, raw->bayer);
		*mask_w = t->w;
		*mask_h = t->h;
	}
	for (int x = 0; x < w; x++)
		colmap[x] = lumen_demosaic_mirror(x0 - LUMEN_RI_MARGIN + x, raw->width);
	/* [xa, xb): the columns inside the frame, read straight */
	while (xa < w && x0 - LUMEN_RI_MARGIN + xa < 0)
		xa++;
	xb = raw->width - (x0 - LUMEN_RI_MARGIN);
	xb = xb < w ? xb : w;
	xb = xb > xa ? xb : xa;
	for (int ty = 0; ty < t->h; ty++) {
		int sy = lumen_demosaic_mirror(y0 - LUMEN_RI_MARGIN + ty, raw->height);
		const uint16_t *s = (const uint16_t *)(const void *)
			(raw->data[0] + (size_t)sy * raw->stride[0]);
		const uint16_t *sa = s + (x0 - LUMEN_RI_MARGIN);
		float *mos = t->p[LUMEN_RI_MOS] + (size_t)ty * w;

		for (int x = 0; x < xa; x++)
			mos[x] = (float)s[colmap[x]] * scale;
		for (int x = xa; x < xb; x++)
			mos[x] = (float)sa[x] * scale;
		for (int x = xb; x < w; x++)
			mos[x] = (float)s[colmap[x]] * scale;
	}
}

static inline uint16_t ri_to_work(float v)
{
	v = v * (float)LUMEN_WORK_MAX + 0.5f;
	v = v > 0.0f ? v : 0.0f;	/* also catches NaN */
	v = v < (float)LUMEN_WORK_MAX ? v : (float)LUMEN_WORK_MAX;
	return (uint16_t)(int)v;
}

/* Writes the tile's own region of RED/GREEN/BLUE into @rgb, rounded. */
static void ri_store(const struct lumen_ri_tile *t, struct lumen_frame *rgb,
		     int x0, int y0, int cols, int rows)
{
	static const enum lumen_ri_plane src[3] = {
		LUMEN_RI_RED, LUMEN_RI_GREEN, LUMEN_RI_BLUE
	};

	for (int y = 0; y < rows; y++) {
		size_t r = (size_t)(y + LUMEN_RI_MARGIN) * t->w + LUMEN_RI_MARGIN;

		for (int c = 0; c < 3; c++) {
			const float *restrict s = t->p[src[c]] + r;
			uint16_t *restrict d = (uint16_t *)(void *)(rgb->data[c] +
				(size_t)(y0 + y) * rgb->stride[c]) + x0;

			for (int x = 0; x < cols; x++)
				d[x] = ri_to_work(s[x]);
		}
	}
}

int lumen_demosaic_ri_tiled(const struct lumen_demosaic_dsp *dsp,
			    int tile_w, int tile_h,
			    const struct lumen_frame *raw, struct lumen_frame *rgb,
			    void *scratch, size_t scratch_size)
{
	struct lumen_ri_tile t;
	int mask_w = 0, mask_h = 0;
	size_t plane;
	uint8_t *base;
	int *colmap;

	if (!dsp || !raw || !rgb || !scratch || raw->fmt != LUMEN_PIX_BAYER16 ||
	    rgb->fmt != LUMEN_PIX_RGB16P || raw->width != rgb->width ||
	    raw->height != rgb->height || raw->width < 2 || raw->height < 2 ||
	    raw->width > LUMEN_MAX_DIM || raw->height > LUMEN_MAX_DIM ||
	    (unsigned)raw->bayer > LUMEN_BAYER_BGGR || !raw->data[0] ||
	    raw->stride[0] < (size_t)raw->width * 2)
		return -EINVAL;
	for (int p = 0; p < 3; p++)
		if (!rgb->data[p] || rgb->stride[p] < (size_t)rgb->width * 2)
			return -EINVAL;
	/* even tiles keep every tile's origin on the CFA phase */
	tile_w &= ~1;
	tile_h &= ~1;
	if (tile_w < 2 || tile_h < 2 ||
	    scratch_size < lumen_demosaic_ri_scratch_size_for_tile(tile_w, tile_h))
		return -EINVAL;
	plane = ((size_t)tile_w + 2 * LUMEN_RI_MARGIN) *
		((size_t)tile_h + 2 * LUMEN_RI_MARGIN);
	base = (uint8_t *)(((uintptr_t)scratch + RI_ALIGN - 1) &
			   ~(uintptr_t)(RI_ALIGN - 1));
	for (int p = 0; p < LUMEN_RI_PLANES; p++)
		t.p[p] = (float *)(void *)base + (size_t)p * plane;
	colmap = (int *)(void *)(base + LUMEN_RI_PLANES * plane * sizeof(float));
	/* the kernel reads past what it wrote near the tile's edges: let
	 * those reads see initialised memory */
	memset(base, 0, LUMEN_RI_PLANES * plane * sizeof(float));

	for (int y0 = 0; y0 < raw->height; y0 += tile_h) {
		int rows = raw->height - y0 < tile_h ? raw->height - y0 : tile_h;

		for (int x0 = 0; x0 < raw->width; x0 += tile_w) {
			int cols = raw->width - x0 < tile_w ? raw->width - x0 : tile_w;

			ri_load(&t, raw, x0, y0, cols, rows, colmap, &mask_w, &mask_h);
			dsp->ri_tile(&t);
			ri_store(&t, rgb, x0, y0, cols, rows);
		}
	}
	return 0;
}

int lumen_demosaic_ri(const struct lumen_frame *raw, struct lumen_frame *rgb,
		      void *scratch, size_t scratch_size)
{
	struct lumen_demosaic_dsp dsp;

	lumen_demosaic_dsp_init(&dsp);
	if (!raw)
		return -EINVAL;
	return lumen_demosaic_ri_tiled(&dsp, ri_tile_side(raw->width, RI_TILE_W),
				       ri_tile_side(raw->height, RI_TILE_H),
				       raw, rgb, scratch, scratch_size);
}
