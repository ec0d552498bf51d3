// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * NEON colour matrix row (ARMv7 NEON and AArch64); exact with
 * lumen_ccm_row_c (isp_dsp.h). 8 pixels per step: inputs clamped to
 * LUMEN_WORK_MAX fit int16, vmlal_n_s16 accumulates q * c into 32-bit
 * sums that start at the rounding constant (exact while |q| <= 32767; other
 * matrices go to C), an arithmetic shift floors, vqmovun clamps below 0
 * and vmin above. The last width % 8 pixels (rows may be in place) in C.
 */
#include <arm_neon.h>

#include "isp/isp_dsp.h"

static inline uint16x4_t ccm4(int16x4_t r, int16x4_t g, int16x4_t b,
			      const int16_t k[3])
{
	int32x4_t acc = vdupq_n_s32(2048);

	acc = vmlal_n_s16(acc, r, k[0]);
	acc = vmlal_n_s16(acc, g, k[1]);
	acc = vmlal_n_s16(acc, b, k[2]);
	return vqmovun_s32(vshrq_n_s32(acc, 12));
}

LUMEN_CCM_ROW_FN(lumen_ccm_row_neon)
{
	const uint16x8_t maxv = vdupq_n_u16(LUMEN_WORK_MAX);
	int16_t k[3][3];
	int x = 0;

	if (!lumen_ccm_q_fits_int16(q)) {
		lumen_ccm_row_c(dst, src, width, q);
		return;
	}
	for (int i = 0; i < 3; i++)
		for (int j = 0; j < 3; j++)
			k[i][j] = (int16_t)q[i][j];
	for (; x + 8 <= width; x += 8) {
		int16x8_t r = vreinterpretq_s16_u16(vminq_u16(vld1q_u16(src[0] + x), maxv));
		int16x8_t g = vreinterpretq_s16_u16(vminq_u16(vld1q_u16(src[1] + x), maxv));
		int16x8_t b = vreinterpretq_s16_u16(vminq_u16(vld1q_u16(src[2] + x), maxv));

		for (int i = 0; i < 3; i++) {
			uint16x8_t o = vcombine_u16(
				ccm4(vget_low_s16(r), vget_low_s16(g), vget_low_s16(b), k[i]),
				ccm4(vget_high_s16(r), vget_high_s16(g), vget_high_s16(b), k[i]));

			vst1q_u16(dst[i] + x, vminq_u16(o, maxv));
		}
	}
	if (x < width) {
		const uint16_t *s[3] = { src[0] + x, src[1] + x, src[2] + x };
		uint16_t *d[3] = { dst[0] + x, dst[1] + x, dst[2] + x };

		lumen_ccm_row_c(d, s, width - x, q);
	}
}
