// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * AVX2 colour matrix row; exact with lumen_ccm_row_c (isp_dsp.h).
 *
 * 16 pixels per step. Inputs are clamped to LUMEN_WORK_MAX, so they fit
 * int16; R and G are interleaved into pairs, B with the constant 1, and
 * vpmaddwd with (q0, q1) and (q2, 2048) gives exact 32-bit sums when every
 * coefficient fits int16 (|q| <= 32767, a matrix times gain below 8):
 * 3 * 16383 * 32767 + 2048 < 2^31. Larger matrices, and the last
 * width % 16 pixels (the row may be in place, so no overlapping step), go
 * through the C kernel.
 */
#include <immintrin.h>

#include "isp/isp_dsp.h"

#define LD(p) _mm256_loadu_si256((const __m256i *)(const void *)(p))
#define ST(p, v) _mm256_storeu_si256((__m256i *)(void *)(p), v)

static inline __m256i pair(int32_t a, int32_t b)
{
	return _mm256_set1_epi32((int)((uint32_t)(uint16_t)a |
				       (uint32_t)(uint16_t)b << 16));
}

static inline __attribute__((always_inline)) __m256i
ccm_channel(__m256i rg_lo, __m256i rg_hi, __m256i b1_lo, __m256i b1_hi,
	    __m256i k_rg, __m256i k_b1, __m256i maxv)
{
	__m256i lo = _mm256_add_epi32(_mm256_madd_epi16(rg_lo, k_rg),
				      _mm256_madd_epi16(b1_lo, k_b1));
	__m256i hi = _mm256_add_epi32(_mm256_madd_epi16(rg_hi, k_rg),
				      _mm256_madd_epi16(b1_hi, k_b1));

	/* packs saturates to int16, then 0..WORK_MAX */
	return _mm256_min_epi16(_mm256_max_epi16(
		_mm256_packs_epi32(_mm256_srai_epi32(lo, 12),
				   _mm256_srai_epi32(hi, 12)),
		_mm256_setzero_si256()), maxv);
}

LUMEN_CCM_ROW_FN(lumen_ccm_row_avx2)
{
	const __m256i maxv = _mm256_set1_epi16(LUMEN_WORK_MAX);
	const __m256i one = _mm256_set1_epi16(1);
	__m256i k_rg[3], k_b1[3];
	int x = 0;

	if (!lumen_ccm_q_fits_int16(q)) {
		lumen_ccm_row_c(dst, src, width, q);
		return;
	}
	for (int i = 0; i < 3; i++) {
		k_rg[i] = pair(q[i][0], q[i][1]);
		k_b1[i] = pair(q[i][2], 2048);
	}
	for (; x + 16 <= width; x += 16) {
		__m256i r = _mm256_min_epu16(LD(src[0] + x), maxv);
		__m256i g = _mm256_min_epu16(LD(src[1] + x), maxv);
		__m256i b = _mm256_min_epu16(LD(src[2] + x), maxv);
		__m256i rg_lo = _mm256_unpacklo_epi16(r, g);
		__m256i rg_hi = _mm256_unpackhi_epi16(r, g);
		__m256i b1_lo = _mm256_unpacklo_epi16(b, one);
		__m256i b1_hi = _mm256_unpackhi_epi16(b, one);

		ST(dst[0] + x, ccm_channel(rg_lo, rg_hi, b1_lo, b1_hi, k_rg[0],
					   k_b1[0], maxv));
		ST(dst[1] + x, ccm_channel(rg_lo, rg_hi, b1_lo, b1_hi, k_rg[1],
					   k_b1[1], maxv));
		ST(dst[2] + x, ccm_channel(rg_lo, rg_hi, b1_lo, b1_hi, k_rg[2],
					   k_b1[2], maxv));
	}
	if (x < width) {
		const uint16_t *s[3] = { src[0] + x, src[1] + x, src[2] + x };
		uint16_t *d[3] = { dst[0] + x, dst[1] + x, dst[2] + x };

		lumen_ccm_row_c(d, s, width - x, q);
	}
}
