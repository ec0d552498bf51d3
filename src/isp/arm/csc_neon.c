// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * NEON 4:2:0 colour conversion from planar 8-bit rows (ARMv7 NEON and
 * AArch64); exact with lumen_csc420_c (isp_dsp.h). 16 pixels of both rows
 * per step. Luma: unsigned 32-bit sums of y . p + 8192 (every y
 * coefficient is positive), shifted, offset, narrowed with saturation.
 * Chroma: vpaddl adds horizontal pairs, the two rows are added (sums of a
 * 2x2 <= 1020), signed 32-bit sums with the rounding constant, arithmetic
 * shift, +128, saturating narrows clamp to 0..255; vst2 interleaves NV12.
 * The last width % 16 pixels in C.
 */
#include <arm_neon.h>

#include "isp/isp_dsp.h"

static inline uint8x8_t luma8(uint8x8_t r, uint8x8_t g, uint8x8_t b,
			      const struct lumen_csc_coeffs *c)
{
	uint16x8_t r16 = vmovl_u8(r), g16 = vmovl_u8(g), b16 = vmovl_u8(b);
	uint32x4_t lo = vdupq_n_u32(8192), hi = vdupq_n_u32(8192);
	uint16x8_t y;

	lo = vmlal_n_u16(lo, vget_low_u16(r16), (uint16_t)c->y[0]);
	lo = vmlal_n_u16(lo, vget_low_u16(g16), (uint16_t)c->y[1]);
	lo = vmlal_n_u16(lo, vget_low_u16(b16), (uint16_t)c->y[2]);
	hi = vmlal_n_u16(hi, vget_high_u16(r16), (uint16_t)c->y[0]);
	hi = vmlal_n_u16(hi, vget_high_u16(g16), (uint16_t)c->y[1]);
	hi = vmlal_n_u16(hi, vget_high_u16(b16), (uint16_t)c->y[2]);
	y = vcombine_u16(vshrn_n_u32(lo, 14), vshrn_n_u32(hi, 14));
	return vqmovn_u16(vaddq_u16(y, vdupq_n_u16((uint16_t)c->y_off)));
}

static inline uint8x8_t chroma8(int16x8_t r, int16x8_t g, int16x8_t b,
				const int16_t k[3])
{
	int32x4_t lo = vdupq_n_s32(32768), hi = vdupq_n_s32(32768);
	const int32x4_t mid = vdupq_n_s32(128);

	lo = vmlal_n_s16(lo, vget_low_s16(r), k[0]);
	lo = vmlal_n_s16(lo, vget_low_s16(g), k[1]);
	lo = vmlal_n_s16(lo, vget_low_s16(b), k[2]);
	hi = vmlal_n_s16(hi, vget_high_s16(r), k[0]);
	hi = vmlal_n_s16(hi, vget_high_s16(g), k[1]);
	hi = vmlal_n_s16(hi, vget_high_s16(b), k[2]);
	lo = vaddq_s32(vshrq_n_s32(lo, 16), mid);
	hi = vaddq_s32(vshrq_n_s32(hi, 16), mid);
	return vqmovn_u16(vcombine_u16(vqmovun_s32(lo), vqmovun_s32(hi)));
}

/* 2x2 sums of 16 columns of two rows: 8 values */
static inline int16x8_t sum2x2(uint8x16_t a, uint8x16_t b)
{
	return vreinterpretq_s16_u16(vaddq_u16(vpaddlq_u8(a), vpaddlq_u8(b)));
}

LUMEN_CSC420_FN(lumen_csc420_neon)
{
	int x = 0;

	for (; x + 16 <= width; x += 16) {
		uint8x16_t r0 = vld1q_u8(src[0] + x), g0 = vld1q_u8(src[1] + x);
		uint8x16_t b0 = vld1q_u8(src[2] + x), r1 = vld1q_u8(src[3] + x);
		uint8x16_t g1 = vld1q_u8(src[4] + x), b1 = vld1q_u8(src[5] + x);
		int16x8_t sr = sum2x2(r0, r1), sg = sum2x2(g0, g1), sb = sum2x2(b0, b1);
		uint8x8_t cb = chroma8(sr, sg, sb, c->cb);
		uint8x8_t cr = chroma8(sr, sg, sb, c->cr);

		vst1_u8(y0 + x, luma8(vget_low_u8(r0), vget_low_u8(g0),
				      vget_low_u8(b0), c));
		vst1_u8(y0 + x + 8, luma8(vget_high_u8(r0), vget_high_u8(g0),
					  vget_high_u8(b0), c));
		vst1_u8(y1 + x, luma8(vget_low_u8(r1), vget_low_u8(g1),
				      vget_low_u8(b1), c));
		vst1_u8(y1 + x + 8, luma8(vget_high_u8(r1), vget_high_u8(g1),
					  vget_high_u8(b1), c));
		if (v) {
			vst1_u8(u + x / 2, cb);
			vst1_u8(v + x / 2, cr);
		} else {
			uint8x8x2_t cbcr = { { cb, cr } };

			vst2_u8(u + x, cbcr);
		}
	}
	if (x < width) {
		const uint8_t *s[6] = { src[0] + x, src[1] + x, src[2] + x,
					src[3] + x, src[4] + x, src[5] + x };

		lumen_csc420_c(y0 + x, y1 + x, v ? u + x / 2 : u + x,
			       v ? v + x / 2 : NULL, s, width - x, c);
	}
}
