// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * NEON row kernel of the fast demosaic (ARMv7 NEON and AArch64); bit-exact
 * with lumen_demosaic_row_c (see demosaic_dsp.h for the arithmetic).
 *
 * 8 samples per step. The seven neighbourhood terms are formed in 16-bit
 * lanes (each at most 2 * LUMEN_WORK_MAX, so they fit int16), then vmlal
 * accumulates term * coefficient into exact 32-bit sums that start at the
 * rounding constant. Each coefficient vector alternates the two CFA
 * phases lane by lane, so no blend is needed. vqshrun narrows with the
 * floor shift and clamps below 0; vmin clamps the top. The last width % 8
 * samples go through the C kernel.
 */
#include <arm_neon.h>

#include "isp/demosaic_dsp.h"
#include "isp/isp.h"

#define LD(p) vreinterpretq_s16_u16(vld1q_u16(p))

_Static_assert(LUMEN_DM_NTERMS == 7, "dm_channel() spells out seven terms");

/* acc + term * coefficient on both halves; written out term by term so
 * that compilers keep everything in registers. */
#define DM_MLA(j) do { \
		lo = vmlal_s16(lo, vget_low_s16(t[j]), k[j]); \
		hi = vmlal_s16(hi, vget_high_s16(t[j]), k[j]); \
	} while (0)

static inline __attribute__((always_inline)) void
dm_channel(uint16_t *dst, const int16x8_t t[LUMEN_DM_NTERMS],
	   const int16x4_t k[LUMEN_DM_NTERMS], uint16x8_t maxv)
{
	int32x4_t lo = vdupq_n_s32(8), hi = vdupq_n_s32(8);

	DM_MLA(0); DM_MLA(1); DM_MLA(2); DM_MLA(3);
	DM_MLA(4); DM_MLA(5); DM_MLA(6);
	vst1q_u16(dst, vminq_u16(vcombine_u16(vqshrun_n_s32(lo, 4),
					      vqshrun_n_s32(hi, 4)), maxv));
}

LUMEN_DEMOSAIC_ROW_FN(lumen_demosaic_row_neon)
{
	const uint16_t *s0 = src[0], *s1 = src[1], *s2 = src[2];
	const uint16_t *s3 = src[3], *s4 = src[4];
	const uint16x8_t maxv = vdupq_n_u16(LUMEN_WORK_MAX);
	int16x4_t k[3][LUMEN_DM_NTERMS];
	int x = 0;

	for (int ch = 0; ch < 3; ch++) {
		int k0 = lumen_demosaic_kernel_for(order, ch, 0);
		int k1 = lumen_demosaic_kernel_for(order, ch, 1);

		for (int j = 0; j < LUMEN_DM_NTERMS; j++) {
			int16_t lanes[4] = {
				lumen_demosaic_coef[k0][j], lumen_demosaic_coef[k1][j],
				lumen_demosaic_coef[k0][j], lumen_demosaic_coef[k1][j],
			};

			k[ch][j] = vld1_s16(lanes);
		}
	}

	for (; x + 8 <= width; x += 8) {
		/* same term order as lumen_demosaic_coef */
		int16x8_t t[LUMEN_DM_NTERMS] = {
			LD(s2 + x),					/* c */
			vaddq_s16(LD(s1 + x), LD(s3 + x)),		/* V1 */
			vaddq_s16(LD(s2 + x - 1), LD(s2 + x + 1)),	/* H1 */
			vaddq_s16(LD(s0 + x), LD(s4 + x)),		/* V2 */
			vaddq_s16(LD(s2 + x - 2), LD(s2 + x + 2)),	/* H2 */
			vaddq_s16(LD(s1 + x - 1), LD(s1 + x + 1)),	/* Dn */
			vaddq_s16(LD(s3 + x - 1), LD(s3 + x + 1)),	/* Ds */
		};

		dm_channel(dst_r + x, t, k[0], maxv);
		dm_channel(dst_g + x, t, k[1], maxv);
		dm_channel(dst_b + x, t, k[2], maxv);
	}

	if (x < width) {
		const uint16_t *rest[5] = { s0 + x, s1 + x, s2 + x, s3 + x, s4 + x };

		lumen_demosaic_row_c(dst_r + x, dst_g + x, dst_b + x, rest,
				     width - x, lumen_bayer_shift(order, x, 0));
	}
}
