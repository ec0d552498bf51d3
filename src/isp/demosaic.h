/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Demosaicking: a working BAYER16 frame (samples 0..LUMEN_WORK_MAX, any
 * CFA order, any size >= 2x2) into an RGB16P frame of the same size, every
 * output sample clipped to 0..LUMEN_WORK_MAX. Borders are handled (mirrored
 * with the CFA phase kept), so every output pixel is defined.
 *
 * All methods run on the caller's thread and never allocate: the quality
 * method works in horizontal strips inside a scratch buffer sized by
 * lumen_demosaic_scratch_size(), so its memory grows with the width only.
 * Return 0, or -EINVAL for mismatched sizes/formats or too little scratch.
 */
#ifndef LUMEN_ISP_DEMOSAIC_H
#define LUMEN_ISP_DEMOSAIC_H

#include <stddef.h>

#include "core/frame.h"
#include "isp/isp.h"

/*
 * Index @i mirrored into 0..n-1 about the edge samples without repeating
 * them, period 2 (n - 1): even, so the CFA phase of the reflected position
 * is kept. For the methods' tile loaders.
 */
static inline int lumen_demosaic_mirror(int i, int n)
{
	int period = 2 * (n - 1);

	if (n == 1)
		return 0;
	i %= period;
	if (i < 0)
		i += period;
	return i >= n ? period - i : i;
}

size_t lumen_demosaic_scratch_size(enum lumen_demosaic_method method,
				   int width, int height);

int lumen_demosaic(enum lumen_demosaic_method method,
		   const struct lumen_frame *raw, struct lumen_frame *rgb,
		   void *scratch, size_t scratch_size);

/* The two methods, for tests and benchmarks. */
int lumen_demosaic_fast(const struct lumen_frame *raw, struct lumen_frame *rgb);
/*
 * Rows [@y0, @y1) of the fast method into a band: row y of each plane
 * goes to band[p] + (y - y0) * band_stride[p] bytes. For the ISP's band
 * loop; @raw must have passed the checks of lumen_demosaic_fast() (it
 * reads raw rows y0 - 2 .. y1 + 1, mirrored at the frame edges). Returns 0.
 */
struct lumen_demosaic_dsp;
int lumen_demosaic_fast_rows(const struct lumen_demosaic_dsp *dsp,
			     const struct lumen_frame *raw,
			     uint16_t *const band[3], const size_t band_stride[3],
			     int y0, int y1);
/*
 * The same rows demosaicked, through the colour matrix @q and the tone
 * curve @t in one (dsp->tone_row, which must be set; every entry of @q
 * within -32767..32767) into 8-bit R, G, B rows: row y of plane p at
 * dst[p] + (y - y0) * stride bytes. Exactly lumen_demosaic_fast_rows()
 * and then lumen_ccm_row_c() and lumen_tone_row_c(). Returns 0.
 */
struct lumen_tone;
int lumen_demosaic_tone_rows(const struct lumen_demosaic_dsp *dsp,
			     const struct lumen_frame *raw, const int32_t q[3][3],
			     const struct lumen_tone *t, uint8_t *const dst[3],
			     size_t stride, int y0, int y1);
size_t lumen_demosaic_quality_scratch_size(int width, int height);
/*
 * For callers that trade memory for speed (benchmarks, tests): the scratch
 * with which lumen_demosaic_quality() processes a frame @width wide in
 * strips of @strip_rows output rows (rounded up to even), or in one strip
 * when the frame has at most that many rows. Each strip recomputes 112 rows
 * of context, so taller strips do less work; the output is the same bits
 * for any strip height. lumen_demosaic_quality_scratch_size(w, h) is this
 * for 96 rows (the frame's height if smaller), the least the call accepts.
 * 0 when @width or @strip_rows is out of 1..LUMEN_MAX_DIM (width >= 2).
 */
size_t lumen_demosaic_quality_scratch_size_for_rows(int width, int strip_rows);
int lumen_demosaic_quality(const struct lumen_frame *raw,
			   struct lumen_frame *rgb, void *scratch,
			   size_t scratch_size);
/*
 * The ri method (demosaic_ri.c): tiles of 192 x 192 pixels (or the frame,
 * if smaller) in a scratch of lumen_demosaic_ri_scratch_size() bytes
 * (5.1 MB for any frame at least that large).
 * lumen_demosaic_ri_tiled() takes the kernels and the tile size (rounded
 * down to even, >= 2; scratch from ..._for_tile()), for tests and
 * benchmarks: the output is the same bits for any tile size and kernel set.
 */
size_t lumen_demosaic_ri_scratch_size(int width, int height);
size_t lumen_demosaic_ri_scratch_size_for_tile(int tile_w, int tile_h);
int lumen_demosaic_ri(const struct lumen_frame *raw, struct lumen_frame *rgb,
		      void *scratch, size_t scratch_size);
int lumen_demosaic_ri_tiled(const struct lumen_demosaic_dsp *dsp,
			    int tile_w, int tile_h,
			    const struct lumen_frame *raw, struct lumen_frame *rgb,
			    void *scratch, size_t scratch_size);

#endif
