// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The noise kernel in NEON (noise_dsp.h gives the exact arithmetic): four
 * 32-bit lanes per step, the byte sums with pairwise widening adds, the
 * level's scale read lane by lane (NEON has no gather); the tail in C.
 */
#include <arm_neon.h>

#include "virt/noise_dsp.h"

LUMEN_NOISE_ROW_FN(lumen_noise_row_neon)
{
	const uint32x4_t c1 = vdupq_n_u32(0x7feb352du), c2 = vdupq_n_u32(0x846ca68bu);
	const uint32x4_t key4 = vdupq_n_u32(key);
	const int32x4_t upper = vdupq_n_s32(t->upper), zero = vdupq_n_s32(0);
	const int32x4_t maxcode = vdupq_n_s32(t->maxcode);
	const int32x4_t shr = vdupq_n_s32(-t->frac);
	const uint32_t start[4] = { 0, 1, 2, 3 };
	uint32x4_t x = vaddq_u32(vdupq_n_u32(ctr), vld1q_u32(start));
	int i = 0;

	for (; i + 4 <= n; i += 4) {
		uint16x4_t m16 = vld1_u16(mean + i);
		int32x4_t m = vreinterpretq_s32_u32(vmovl_u16(m16)), d, k, v;
		uint32x4_t h = x;
		int32_t kk[4];

		h = veorq_u32(h, vshrq_n_u32(h, 16));
		h = vmulq_u32(h, c1);
		h = veorq_u32(h, key4);
		h = veorq_u32(h, vshrq_n_u32(h, 15));
		h = vmulq_u32(h, c2);
		h = veorq_u32(h, vshrq_n_u32(h, 16));
		d = vreinterpretq_s32_u32(vpaddlq_u16(vpaddlq_u8(vreinterpretq_u8_u32(h))));
		d = vsubq_s32(d, vdupq_n_s32(510));
		for (int j = 0; j < 4; j++)
			kk[j] = t->k[mean[i + j] >> LUMEN_NOISE_LEVEL_SHIFT];
		k = vld1q_s32(kk);
		v = vshrq_n_s32(vmulq_s32(k, d), 12);
		v = vaddq_s32(m, v);
		v = vmaxq_s32(vminq_s32(v, upper), zero);
		v = vminq_s32(vshlq_s32(v, shr), maxcode);
		vst1_u16(dst + i, vmovn_u32(vreinterpretq_u32_s32(v)));
		x = vaddq_u32(x, vdupq_n_u32(4));
	}
	for (; i < n; i++)
		dst[i] = lumen_noise_sample(mean[i], ctr + (uint32_t)i, key, t);
}
