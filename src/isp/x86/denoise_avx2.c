// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * AVX2 fast-denoise row (isp_dsp.h); exact with lumen_denoise_row_c.
 *
 * 16 samples per step in 16-bit lanes: the differences to the eight
 * neighbours fit (samples are at most LUMEN_WORK_MAX), and so does their
 * sum (thresholds at most 4000). The threshold goes through float lanes
 * with the C operations in the C order (mul, add, max, sqrt, min, then
 * cvttps truncating like the C cast; sqrt is correctly rounded in both).
 * vpmulhrsw by 3641 is the C (s * 3641 + 16384) >> 15. The last n % 16
 * samples go through the C kernel.
 */
#include <immintrin.h>

#include "isp/isp_dsp.h"

static inline __attribute__((always_inline)) __m256
thr8(__m128i v16, __m256 a, __m256 b, __m256 tmax)
{
	__m256 x = _mm256_cvtepi32_ps(_mm256_cvtepu16_epi32(v16));

	x = _mm256_add_ps(_mm256_mul_ps(x, a), b);
	x = _mm256_max_ps(x, _mm256_setzero_ps());
	x = _mm256_sqrt_ps(x);
	return _mm256_min_ps(x, tmax);
}

static inline __attribute__((always_inline)) __m256i
keep(__m256i s, const uint16_t *p, __m256i v, __m256i t)
{
	const __m256i d = _mm256_sub_epi16(_mm256_loadu_si256((const __m256i *)(const void *)p), v);
	const __m256i out = _mm256_cmpgt_epi16(_mm256_abs_epi16(d), t);

	return _mm256_add_epi16(s, _mm256_andnot_si256(out, d));
}

LUMEN_DENOISE_ROW_FN(lumen_denoise_row_avx2)
{
	const __m256 a = _mm256_set1_ps(c->a), b = _mm256_set1_ps(c->b);
	const __m256 tmax = _mm256_set1_ps(c->tmax);
	const __m256i k9 = _mm256_set1_epi16(3641), vmax = _mm256_set1_epi16(LUMEN_WORK_MAX);
	int i = 0;

	for (; i + 16 <= n; i += 16) {
		const __m256i v = _mm256_loadu_si256((const __m256i *)(const void *)(row + i));
		const __m256i lo = _mm256_cvttps_epi32(thr8(_mm256_castsi256_si128(v), a, b, tmax));
		const __m256i hi = _mm256_cvttps_epi32(thr8(_mm256_extracti128_si256(v, 1), a, b, tmax));
		/* packs works per 128-bit lane: put the quarters back in order */
		const __m256i t = _mm256_permute4x64_epi64(_mm256_packs_epi32(lo, hi), 0xd8);
		__m256i s = _mm256_setzero_si256();

		s = keep(s, up + i - 2, v, t);
		s = keep(s, up + i, v, t);
		s = keep(s, up + i + 2, v, t);
		s = keep(s, row + i - 2, v, t);
		s = keep(s, row + i + 2, v, t);
		s = keep(s, dn + i - 2, v, t);
		s = keep(s, dn + i, v, t);
		s = keep(s, dn + i + 2, v, t);
		s = _mm256_add_epi16(v, _mm256_mulhrs_epi16(s, k9));
		s = _mm256_min_epi16(_mm256_max_epi16(s, _mm256_setzero_si256()), vmax);
		_mm256_storeu_si256((__m256i *)(void *)(dst + i), s);
	}
	if (i < n)
		lumen_denoise_row_c(dst + i, up + i, row + i, dn + i, n - i, c);
}
