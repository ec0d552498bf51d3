// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * NEON statistics span (ARMv7 NEON and AArch64); exact with
 * lumen_stats_span_c (isp_dsp.h). 8 cells per step: vld2 splits each row
 * into even and odd columns, position sums accumulate pairwise into 32-bit
 * lanes, the cell sum and bin are formed in 32 bits, and the bins of every
 * other cell are counted with scalar increments. The rest in C.
 */
#include <arm_neon.h>

#include "isp/isp_dsp.h"

static inline uint32_t hsum(uint32x4_t v)
{
	uint64x2_t w = vpaddlq_u32(v);

	return (uint32_t)(vgetq_lane_u64(w, 0) + vgetq_lane_u64(w, 1));
}

/* bins of 4 cells from their four samples, each 4 x 16 bits */
static inline uint32x4_t bins4(uint16x4_t a, uint16x4_t b, uint16x4_t c,
			       uint16x4_t d)
{
	uint32x4_t s = vaddq_u32(vaddl_u16(a, b), vaddl_u16(c, d));

	return vminq_u32(vshrq_n_u32(s, 8), vdupq_n_u32(LUMEN_STATS_HIST_BINS - 1));
}

LUMEN_STATS_SPAN_FN(lumen_stats_span_neon)
{
	uint32x4_t acc[4], nclip = vdupq_n_u32(0);
	const uint16x8_t clip = vdupq_n_u16(LUMEN_STATS_CLIP);
	uint32_t bins[8];
	int i = 0;

	for (int k = 0; k < 4; k++)
		acc[k] = vdupq_n_u32(0);
	for (; i + 8 <= cells; i += 8) {
		uint16x8x2_t t = vld2q_u16(r0 + 2 * i), u = vld2q_u16(r1 + 2 * i);
		uint16x8_t mx = vmaxq_u16(vmaxq_u16(t.val[0], t.val[1]),
					  vmaxq_u16(u.val[0], u.val[1]));
		uint16x8_t cl = vcgeq_u16(mx, clip);

		acc[0] = vpadalq_u16(acc[0], t.val[0]);
		acc[1] = vpadalq_u16(acc[1], t.val[1]);
		acc[2] = vpadalq_u16(acc[2], u.val[0]);
		acc[3] = vpadalq_u16(acc[3], u.val[1]);
		/* all-ones lanes are 0xffff: count them as 1 each */
		nclip = vpadalq_u16(nclip, vshrq_n_u16(cl, 15));
		if (!hist)
			continue;
		vst1q_u32(bins, bins4(vget_low_u16(t.val[0]), vget_low_u16(t.val[1]),
				      vget_low_u16(u.val[0]), vget_low_u16(u.val[1])));
		vst1q_u32(bins + 4, bins4(vget_high_u16(t.val[0]),
					  vget_high_u16(t.val[1]),
					  vget_high_u16(u.val[0]),
					  vget_high_u16(u.val[1])));
		/* cells first, first + 2, ... of the span: i is even */
		hist[0][bins[first]]++;
		hist[1][bins[first + 2]]++;
		hist[2][bins[first + 4]]++;
		hist[3][bins[first + 6]]++;
	}
	for (int k = 0; k < 4; k++)
		sum[k] += hsum(acc[k]);
	*clipped += hsum(nclip);
	if (i < cells)
		lumen_stats_span_c(r0 + 2 * i, r1 + 2 * i, cells - i, sum, clipped,
				   hist, first);
}

/*
 * The block grid's vertical pass; exact with lumen_stats_grid_rows_c
 * (isp_dsp.h). 8 samples per step: vabd for the absolute differences (their
 * sum fits 16 bits: samples are 14-bit), vmax, and widening adds (vaddw)
 * into the 32-bit column sums. The rest through the C kernel.
 */
LUMEN_STATS_GRID_ROWS_FN(lumen_stats_grid_rows_neon)
{
	int i = 0;

	for (; i + 8 <= n; i += 8) {
		const uint16x8_t v = vld1q_u16(row + i);
		const uint16x8_t e = vaddq_u16(vabdq_u16(v, vld1q_u16(right + i)),
					       vabdq_u16(v, vld1q_u16(below + i)));

		vst1q_u16(mx + i, vmaxq_u16(vld1q_u16(mx + i), v));
		vst1q_u32(acc + i, vaddw_u16(vld1q_u32(acc + i), vget_low_u16(v)));
		vst1q_u32(acc + i + 4, vaddw_u16(vld1q_u32(acc + i + 4), vget_high_u16(v)));
		vst1q_u32(edge + i, vaddw_u16(vld1q_u32(edge + i), vget_low_u16(e)));
		vst1q_u32(edge + i + 4, vaddw_u16(vld1q_u32(edge + i + 4), vget_high_u16(e)));
	}
	if (i < n)
		lumen_stats_grid_rows_c(row + i, right + i, below + i, n - i,
					acc + i, edge + i, mx + i);
}

/* The two-row pass; exact with lumen_stats_grid_rows2_c (isp_dsp.h): the
 * two rows' samples and four edge terms summed in 16 bits, then widened
 * once. */
LUMEN_STATS_GRID_ROWS2_FN(lumen_stats_grid_rows2_neon)
{
	int i = 0;

	for (; i + 8 <= n; i += 8) {
		const uint16x8_t u = vld1q_u16(a + i), v = vld1q_u16(c + i);
		const uint16x8_t e = vaddq_u16(
			vaddq_u16(vabdq_u16(u, vld1q_u16(a + i + 2)), vabdq_u16(u, v)),
			vaddq_u16(vabdq_u16(v, vld1q_u16(c + i + 2)),
				  vabdq_u16(v, vld1q_u16(d + i))));
		const uint16x8_t s = vaddq_u16(u, v);

		vst1q_u16(mx + i, vmaxq_u16(vld1q_u16(mx + i), vmaxq_u16(u, v)));
		vst1q_u32(acc + i, vaddw_u16(vld1q_u32(acc + i), vget_low_u16(s)));
		vst1q_u32(acc + i + 4, vaddw_u16(vld1q_u32(acc + i + 4), vget_high_u16(s)));
		vst1q_u32(edge + i, vaddw_u16(vld1q_u32(edge + i), vget_low_u16(e)));
		vst1q_u32(edge + i + 4, vaddw_u16(vld1q_u32(edge + i + 4), vget_high_u16(e)));
	}
	if (i < n)
		lumen_stats_grid_rows2_c(a + i, c + i, d + i, n - i, acc + i, edge + i,
					 mx + i);
}
