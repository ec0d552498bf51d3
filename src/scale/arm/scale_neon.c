// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * NEON scaler kernels (armv7 with NEON, aarch64); bit-exact with
 * lumen_scale_v_c / lumen_scale_h_c (scale.h states the arithmetic).
 *
 * Vertical: 8 columns per step, widened to 16-bit and accumulated with
 * vmlal_n_s16 into exact 32-bit sums; a ragged end is one more step on the
 * last 8 columns, rows under 8 columns go to C.
 * Horizontal: one output at a time, its window in chunks of 4 taps with
 * vmlal_s16, then a pairwise reduction (only intrinsics armv7 also has).
 */
#include <arm_neon.h>

#include "scale/scale.h"

LUMEN_SCALE_V_FN(lumen_scale_v_neon)
{
	if (width < 8) {
		lumen_scale_v_c(dst, rows, coef, taps, width);
		return;
	}
	for (int x = 0;; x += 8) {
		int32x4_t lo = vdupq_n_s32(2), hi = vdupq_n_s32(2);

		if (x + 8 > width)
			x = width - 8;
		for (int k = 0; k < taps; k++) {
			int16x8_t a = vreinterpretq_s16_u16(vmovl_u8(vld1_u8(rows[k] + x)));

			lo = vmlal_n_s16(lo, vget_low_s16(a), coef[k]);
			hi = vmlal_n_s16(hi, vget_high_s16(a), coef[k]);
		}
		vst1q_s16(dst + x, vcombine_s16(vmovn_s32(vshrq_n_s32(lo, 2)),
						vmovn_s32(vshrq_n_s32(hi, 2))));
		if (x + 8 >= width)
			break;
	}
}

LUMEN_SCALE_H_FN(lumen_scale_h_neon)
{
	const int taps = a->taps;

	for (int i = 0; i < a->dst_len; i++) {
		const int16_t *s = src + a->start[i];
		const int16_t *c = a->coef + (size_t)i * (size_t)taps;
		int32x4_t acc = vdupq_n_s32(0);
		int32x2_t r;
		int32_t sum;

		for (int k = 0; k < taps; k += 4)
			acc = vmlal_s16(acc, vld1_s16(s + k), vld1_s16(c + k));
		r = vadd_s32(vget_low_s32(acc), vget_high_s32(acc));
		r = vpadd_s32(r, r);
		sum = (vget_lane_s32(r, 0) + 8192) >> 14;
		dst[i] = (uint8_t)(sum < 0 ? 0 : sum > 255 ? 255 : sum);
	}
}
