// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * NEON pre-screen of the defective-pixel correction (ARMv7 NEON and
 * AArch64); exact with lumen_dpc_screen_c (isp_dsp.h). The same scheme as
 * the AVX2 one (x86/dpc_avx2.c): saturating 16-bit sums, which never change
 * an answer; the median-of-three test first; then per lane the count of
 * neighbours failing each test (a candidate: at most one fails). 8 pixels per step, the rest in C.
 */
#include <arm_neon.h>

#include "isp/isp_dsp.h"

static inline int any_set(uint16x8_t m)
{
	uint64x2_t w = vreinterpretq_u64_u16(m);

	return (vgetq_lane_u64(w, 0) | vgetq_lane_u64(w, 1)) != 0;
}

LUMEN_DPC_SCREEN_FN(lumen_dpc_screen_neon)
{
	const uint16x8_t thr = vdupq_n_u16((uint16_t)(threshold > 65535 ? 65535 :
						      threshold));
	const int16x8_t limit = vdupq_n_s16(-2);
	int x = 0;

	for (; x + 8 <= n; x += 8) {
		const uint16x8_t v0 = vld1q_u16(row + x);
		const uint16x8_t v0t = vqaddq_u16(v0, thr);
		const uint16x8_t a = vld1q_u16(row + x - 2), b = vld1q_u16(row + x + 2);
		const uint16x8_t c = vld1q_u16(up + x);
		/* the median of three: two of any three must be beyond */
		const uint16x8_t med = vmaxq_u16(vminq_u16(a, b),
						 vminq_u16(vmaxq_u16(a, b), c));
		const uint16x8_t near = vqaddq_u16(vqaddq_u16(med, vshrq_n_u16(med, 4)), thr);
		const uint16x8_t far = vsubq_u16(med, vshrq_n_u16(med, 4));
		if (!any_set(vorrq_u16(vqsubq_u16(v0, near), vqsubq_u16(far, v0t))))
			continue;

		const uint16x8_t nb[8] = {
			a, b, c, vld1q_u16(dn + x),
			vld1q_u16(up + x - 2), vld1q_u16(dn + x + 2),
			vld1q_u16(up + x + 2), vld1q_u16(dn + x - 2),
		};
		int16x8_t not_below = vdupq_n_s16(0), not_above = vdupq_n_s16(0);
		uint16x8_t cand;

		for (int k = 0; k < 8; k++) {
			uint16x8_t q = vshrq_n_u16(nb[k], 4);
			uint16x8_t lo = vqaddq_u16(vqaddq_u16(nb[k], q), thr);
			uint16x8_t hi = vqaddq_u16(v0t, q);

			/* a compare gives all ones (-1) per failing lane */
			not_below = vaddq_s16(not_below, vreinterpretq_s16_u16(
				vceqq_u16(vqsubq_u16(v0, lo), vdupq_n_u16(0))));
			not_above = vaddq_s16(not_above, vreinterpretq_s16_u16(
				vceqq_u16(vqsubq_u16(nb[k], hi), vdupq_n_u16(0))));
		}
		cand = vorrq_u16(vcgtq_s16(not_below, limit), vcgtq_s16(not_above, limit));
		if (any_set(cand)) {
			uint16_t lanes[8];

			vst1q_u16(lanes, cand);
			for (int i = 0; i < 8; i++)
				if (lanes[i])
					return x + i;
		}
	}
	return x + lumen_dpc_screen_c(up + x, row + x, dn + x, n - x, threshold);
}
