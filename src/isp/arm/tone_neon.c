// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * NEON tone row (ARMv7 NEON with VFPv4, and AArch64): the cubics of struct
 * lumen_tone computed, not looked up; exact with lumen_tone_row_c
 * (isp_dsp.h).
 *
 * 16 samples per step, four floats at a time: clamped, plus 128, to float;
 * the piece (the exponent's low three bits) picks each coefficient with a
 * byte table lookup from the eight floats (vqtbl2q on AArch64, two vtbl4
 * on ARMv7); Horner with vfmaq (fused, as fmaf); rounding to nearest even
 * by adding and taking apart 1.5 x 2^23 (ARMv7 has no vcvtn; exact for
 * |y| < 2^22, which the cubics' values are far inside), then saturating
 * narrows clip to 0..255. The last width % 16 samples go through C.
 */
#include <arm_neon.h>

#include "isp/isp_dsp.h"

#define ROUND_MAGIC 12582912.0f	/* 1.5 x 2^23 */

struct tone_tbl {
#if defined(__aarch64__)
	uint8x16x2_t q[4];
#else
	uint8x8x4_t d[4];
#endif
};

static inline float32x4_t coef(const struct tone_tbl *t, int k, uint8x16_t idx)
{
#if defined(__aarch64__)
	return vreinterpretq_f32_u8(vqtbl2q_u8(t->q[k], idx));
#else
	return vreinterpretq_f32_u8(vcombine_u8(vtbl4_u8(t->d[k], vget_low_u8(idx)),
						vtbl4_u8(t->d[k], vget_high_u8(idx))));
#endif
}

static inline int32x4_t tone4(uint32x4_t v, const struct tone_tbl *t)
{
	const uint32x4_t bits = vreinterpretq_u32_f32(
		vcvtq_f32_u32(vaddq_u32(v, vdupq_n_u32(128))));
	const uint32x4_t j = vandq_u32(vshrq_n_u32(bits, 23), vdupq_n_u32(7));
	/* bytes 4j .. 4j + 3 of the table */
	const uint8x16_t idx = vreinterpretq_u8_u32(
		vmlaq_n_u32(vdupq_n_u32(0x03020100u), j, 0x04040404u));
	const float32x4_t m = vreinterpretq_f32_u32(
		vorrq_u32(vandq_u32(bits, vdupq_n_u32(0x7fffff)),
			  vdupq_n_u32(0x3f800000)));
	float32x4_t y = coef(t, 3, idx);

	y = vfmaq_f32(coef(t, 2, idx), y, m);
	y = vfmaq_f32(coef(t, 1, idx), y, m);
	y = vfmaq_f32(coef(t, 0, idx), y, m);
	y = vaddq_f32(y, vdupq_n_f32(ROUND_MAGIC));
	return vsubq_s32(vreinterpretq_s32_f32(y),
			 vreinterpretq_s32_f32(vdupq_n_f32(ROUND_MAGIC)));
}

LUMEN_TONE_ROW_FN(lumen_tone_row_neon)
{
	const uint16x8_t maxv = vdupq_n_u16(LUMEN_WORK_MAX);
	struct tone_tbl tb;
	int x = 0;

	for (int k = 0; k < 4; k++) {
		const uint8_t *b = (const uint8_t *)(const void *)t->k[k];
#if defined(__aarch64__)
		tb.q[k].val[0] = vld1q_u8(b);
		tb.q[k].val[1] = vld1q_u8(b + 16);
#else
		for (int i = 0; i < 4; i++)
			tb.d[k].val[i] = vld1_u8(b + 8 * i);
#endif
	}
	for (int c = 0; c < 3; c++) {
		const uint16_t *s = src[c];
		uint8_t *d = dst[c];

		for (x = 0; x + 16 <= width; x += 16) {
			const uint16x8_t a = vminq_u16(vld1q_u16(s + x), maxv);
			const uint16x8_t b = vminq_u16(vld1q_u16(s + x + 8), maxv);
			const uint16x8_t lo = vcombine_u16(
				vqmovun_s32(tone4(vmovl_u16(vget_low_u16(a)), &tb)),
				vqmovun_s32(tone4(vmovl_u16(vget_high_u16(a)), &tb)));
			const uint16x8_t hi = vcombine_u16(
				vqmovun_s32(tone4(vmovl_u16(vget_low_u16(b)), &tb)),
				vqmovun_s32(tone4(vmovl_u16(vget_high_u16(b)), &tb)));

			vst1q_u8(d + x, vcombine_u8(vqmovn_u16(lo), vqmovn_u16(hi)));
		}
	}
	if (x < width) {
		const uint16_t *s[3] = { src[0] + x, src[1] + x, src[2] + x };
		uint8_t *d[3] = { dst[0] + x, dst[1] + x, dst[2] + x };

		lumen_tone_row_c(d, s, width - x, t);
	}
}
