// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * NEON fast-denoise row (ARMv7 NEON and AArch64, isp_dsp.h); exact with
 * lumen_denoise_row_c.
 *
 * 8 samples per step in 16-bit lanes, as in the AVX2 kernel. The
 * thresholds are made by the scalar code of the C kernel (ARMv7 NEON has
 * no square root and flushes subnormals; the VFP unit does neither, so a
 * scalar sqrtf is the C one on both architectures), the rest is vector:
 * vqrdmulhq_s16 by 3641 is (s * 3641 + 16384) >> 15 (it saturates only
 * for -32768 * -32768, which s * 3641 cannot be). The last n % 8 samples
 * go through the C kernel.
 */
#include <arm_neon.h>
#include <math.h>

#include "isp/isp_dsp.h"

static inline int16x8_t keep(int16x8_t s, const uint16_t *p, int16x8_t v, int16x8_t t)
{
	const int16x8_t d = vsubq_s16(vreinterpretq_s16_u16(vld1q_u16(p)), v);
	const uint16x8_t out = vcgtq_s16(vabsq_s16(d), t);

	return vaddq_s16(s, vbicq_s16(d, vreinterpretq_s16_u16(out)));
}

LUMEN_DENOISE_ROW_FN(lumen_denoise_row_neon)
{
	const int16x8_t k9 = vdupq_n_s16(3641);
	int i = 0;

	for (; i + 8 <= n; i += 8) {
		const int16x8_t v = vreinterpretq_s16_u16(vld1q_u16(row + i));
		int16_t tl[8];
		int16x8_t t, s = vdupq_n_s16(0);

		/* the C kernel's threshold, operation for operation */
		for (int k = 0; k < 8; k++) {
			float x = (float)row[i + k] * c->a;

			x = x + c->b;
			x = x > 0.0f ? x : 0.0f;
			x = sqrtf(x);
			x = x < c->tmax ? x : c->tmax;
			tl[k] = (int16_t)(int)x;
		}
		t = vld1q_s16(tl);
		s = keep(s, up + i - 2, v, t);
		s = keep(s, up + i, v, t);
		s = keep(s, up + i + 2, v, t);
		s = keep(s, row + i - 2, v, t);
		s = keep(s, row + i + 2, v, t);
		s = keep(s, dn + i - 2, v, t);
		s = keep(s, dn + i, v, t);
		s = keep(s, dn + i + 2, v, t);
		s = vaddq_s16(v, vqrdmulhq_s16(s, k9));
		s = vminq_s16(vmaxq_s16(s, vdupq_n_s16(0)), vdupq_n_s16(LUMEN_WORK_MAX));
		vst1q_u16(dst + i, vreinterpretq_u16_s16(s));
	}
	if (i < n)
		lumen_denoise_row_c(dst + i, up + i, row + i, dn + i, n - i, c);
}
