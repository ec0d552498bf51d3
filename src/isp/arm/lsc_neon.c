// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * NEON lens-shading row (ARMv7 NEON and AArch64); exact with
 * lumen_lsc_row_c (isp_dsp.h).
 *
 * 8 samples per step in 16-bit lanes, as x86/lsc_avx2.c: the samples of a
 * step lie in one or two grid cells (cells at least 8 samples wide), whose
 * node pairs are duplicated from one 32-bit load each (even lanes phase 0,
 * odd phase 1) and picked per lane; vqrdmulhq_s16 is the C's
 * (d t + 2^14) >> 15 exactly (t < 2^15: no saturation). The product is
 * widened to 32 bits and vqrshrn_n_u32 rounds, shifts and saturates it in
 * one, as the C does. A step over more cells goes through C, and so do
 * the last width % 8 samples (the row may be in place).
 */
#include <arm_neon.h>
#include <string.h>

#include "isp/isp_dsp.h"

static inline int16x8_t pair(const int16_t *tab, int i)
{
	uint32_t v;

	memcpy(&v, tab + 2 * i, sizeof(v));
	return vreinterpretq_s16_u32(vdupq_n_u32(v));
}

/* whether any lane of @m is nonzero */
static inline int any16(uint16x8_t m)
{
	const uint16x4_t o = vorr_u16(vget_low_u16(m), vget_high_u16(m));

	return vget_lane_u64(vreinterpret_u64_u16(o), 0) != 0;
}

LUMEN_LSC_ROW_FN(lumen_lsc_row_neon)
{
	const int16_t *gx = cols->gx, *tq = cols->t;
	int x = 0;

	for (; x + 8 <= width; x += 8) {
		const int i0 = gx[x];
		const uint16x8_t dg = vreinterpretq_u16_s16(
			vsubq_s16(vld1q_s16(gx + x), vdupq_n_s16((int16_t)i0)));
		const int16x8_t t = vld1q_s16(tq + x);
		uint16x8_t g, s;
		uint32x4_t plo, phi;

		g = vreinterpretq_u16_s16(vaddq_s16(pair(rg->a, i0),
						    vqrdmulhq_s16(pair(rg->d, i0), t)));
		if (any16(dg)) {
			/* as unsigned, anything outside 0..1 is above 1 */
			if (any16(vcgtq_u16(dg, vdupq_n_u16(1)))) {
				const struct lumen_lsc_cols c = { gx + x, tq + x };

				lumen_lsc_row_c(dst + x, src + x, 8, rg, &c);
				continue;
			}
			g = vbslq_u16(vceqq_u16(dg, vdupq_n_u16(1)),
				      vreinterpretq_u16_s16(vaddq_s16(pair(rg->a, i0 + 1),
						vqrdmulhq_s16(pair(rg->d, i0 + 1), t))),
				      g);
		}
		s = vld1q_u16(src + x);
		plo = vmull_u16(vget_low_u16(s), vget_low_u16(g));
		phi = vmull_u16(vget_high_u16(s), vget_high_u16(g));
		vst1q_u16(dst + x, vminq_u16(vcombine_u16(
			vqrshrn_n_u32(plo, LUMEN_LSC_GAIN_BITS),
			vqrshrn_n_u32(phi, LUMEN_LSC_GAIN_BITS)),
			vdupq_n_u16(LUMEN_WORK_MAX)));
	}
	if (x < width) {
		const struct lumen_lsc_cols c = { gx + x, tq + x };

		lumen_lsc_row_c(dst + x, src + x, width - x, rg, &c);
	}
}
