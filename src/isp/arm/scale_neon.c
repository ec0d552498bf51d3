// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * NEON black level / gain row (blc and wb; ARMv7 NEON and AArch64); exact
 * with lumen_scale_row_c (isp_dsp.h).
 *
 * 8 samples per step, constants alternating between the CFA phases lane
 * by lane. With the Q16 scale split into 16-bit halves sh and sl,
 *   (v s + 0x8000) >> 16 = v sh + ((v sl + 0x8000) >> 16)
 * exactly; vrshrn gives the second term from the 32-bit product, and with
 * v clamped to vmax the sum stays below 2 * LUMEN_WORK_MAX. The last
 * width % 8 samples (the row may be in place) go through C.
 */
#include <arm_neon.h>

#include "core/pack.h"
#include "isp/isp_dsp.h"

static inline uint16x8_t alt(uint32_t even, uint32_t odd)
{
	const uint16_t lanes[8] = {
		(uint16_t)even, (uint16_t)odd, (uint16_t)even, (uint16_t)odd,
		(uint16_t)even, (uint16_t)odd, (uint16_t)even, (uint16_t)odd,
	};

	return vld1q_u16(lanes);
}

LUMEN_SCALE_ROW_FN(lumen_scale_row_neon)
{
	const uint16x8_t black = alt(p->black[0], p->black[1]);
	const uint16x8_t vmax = alt(p->vmax[0], p->vmax[1]);
	const uint16x8_t sh = alt(p->scale[0] >> 16, p->scale[1] >> 16);
	const uint16x8_t sl = alt(p->scale[0] & 0xffff, p->scale[1] & 0xffff);
	const uint16x8_t maxv = vdupq_n_u16(LUMEN_WORK_MAX);
	int x = 0;

	for (; x + 8 <= width; x += 8) {
		uint16x8_t v = vminq_u16(vqsubq_u16(vld1q_u16(src + x), black), vmax);
		uint16x4_t lo = vrshrn_n_u32(vmull_u16(vget_low_u16(v),
						       vget_low_u16(sl)), 16);
		uint16x4_t hi = vrshrn_n_u32(vmull_u16(vget_high_u16(v),
						       vget_high_u16(sl)), 16);
		uint16x8_t r = vaddq_u16(vmulq_u16(v, sh), vcombine_u16(lo, hi));

		vst1q_u16(dst + x, vminq_u16(r, maxv));
	}
	if (x < width)
		lumen_scale_row_c(dst + x, src + x, width - x, p);
}

/* RAW10 in: the C unpacking (RAW10's five-byte groups have no NEON
 * de-interleave), then the row above in place; exact by construction. */
LUMEN_BLC10_ROW_FN(lumen_blc10_row_neon)
{
	lumen_unpack_raw10(src, dst, (size_t)width);
	lumen_scale_row_neon(dst, dst, width, p);
}
