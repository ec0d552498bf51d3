// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * NEON tone row (ARMv7 NEON with VFPv4, and AArch64): the quadratics of
 * struct lumen_tone computed, not looked up; exact with lumen_tone_row_c
 * (isp_dsp.h).
 *
 * 16 samples per step, four floats at a time: clamped, plus 128, to float
 * f; the piece (the low four bits of f's bits >> 22) picks each
 * coefficient with a byte table lookup from the sixteen floats (vqtbl4q on
 * AArch64; vtbl4 and vtbx4 over the two halves on ARMv7); Horner in f with
 * vfmaq (fused, as fmaf); rounding to nearest even by adding and taking
 * apart 1.5 x 2^23 (ARMv7 has no vcvtn; exact for |y| < 2^22, which the
 * quadratics' values are far inside), then saturating narrows clip to
 * 0..255. The last width % 16 samples go through C.
 */
#include <arm_neon.h>

#include "isp/isp_dsp.h"

#define ROUND_MAGIC 12582912.0f	/* 1.5 x 2^23 */

struct tone_tbl {
#if defined(__aarch64__)
	uint8x16x4_t q[LUMEN_TONE_COEFS];
#else
	uint8x8x4_t d[LUMEN_TONE_COEFS][2];	/* bytes 0..31, 32..63 */
#endif
};

static inline float32x4_t coef(const struct tone_tbl *t, int k, uint8x16_t idx)
{
#if defined(__aarch64__)
	return vreinterpretq_f32_u8(vqtbl4q_u8(t->q[k], idx));
#else
	/* vtbl4 gives 0 for indices past 31, vtbx4 fills those from the
	 * second half (and keeps what it does not cover) */
	const uint8x16_t up = vsubq_u8(idx, vdupq_n_u8(32));
	const uint8x8_t lo = vtbx4_u8(vtbl4_u8(t->d[k][0], vget_low_u8(idx)),
				      t->d[k][1], vget_low_u8(up));
	const uint8x8_t hi = vtbx4_u8(vtbl4_u8(t->d[k][0], vget_high_u8(idx)),
				      t->d[k][1], vget_high_u8(up));

	return vreinterpretq_f32_u8(vcombine_u8(lo, hi));
#endif
}

static inline int32x4_t tone4(uint32x4_t v, const struct tone_tbl *t)
{
	const float32x4_t f = vcvtq_f32_u32(vaddq_u32(v, vdupq_n_u32(128)));
	const uint32x4_t j = vandq_u32(vshrq_n_u32(vreinterpretq_u32_f32(f), 22),
				       vdupq_n_u32(LUMEN_TONE_PIECES - 1));
	/* bytes 4j .. 4j + 3 of the table */
	const uint8x16_t idx = vreinterpretq_u8_u32(
		vmlaq_n_u32(vdupq_n_u32(0x03020100u), j, 0x04040404u));
	float32x4_t y = vfmaq_f32(coef(t, 1, idx), coef(t, 2, idx), f);

	y = vfmaq_f32(coef(t, 0, idx), y, f);
	y = vaddq_f32(y, vdupq_n_f32(ROUND_MAGIC));
	return vsubq_s32(vreinterpretq_s32_f32(y),
			 vreinterpretq_s32_f32(vdupq_n_f32(ROUND_MAGIC)));
}

LUMEN_TONE_ROW_FN(lumen_tone_row_neon)
{
	const uint16x8_t maxv = vdupq_n_u16(LUMEN_WORK_MAX);
	struct tone_tbl tb;
	int x = 0;

	for (int k = 0; k < LUMEN_TONE_COEFS; k++) {
		const uint8_t *b = (const uint8_t *)(const void *)t->k[k];
#if defined(__aarch64__)
		for (int i = 0; i < 4; i++)
			tb.q[k].val[i] = vld1q_u8(b + 16 * i);
#else
		for (int i = 0; i < 8; i++)
			tb.d[k][i / 4].val[i % 4] = vld1_u8(b + 8 * i);
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
