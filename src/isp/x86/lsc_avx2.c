// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * AVX2 lens-shading row; exact with lumen_lsc_row_c (isp_dsp.h).
 *
 * 16 samples per step in 16-bit lanes. A step's samples lie in one or two
 * grid cells when the cells are at least 16 samples wide (160 at 2560 with
 * 17 nodes): the node pairs of the first sample's cell and the next are
 * broadcast (one 32-bit load each: even lanes phase 0, odd phase 1), the
 * gain interpolated with vpmulhrsw, which is the C's (d t + 2^14) >> 15
 * exactly (t < 2^15, so no saturation), and picked per lane by cell. A
 * step whose samples spread over more cells goes through C, and so do the
 * last width % 16 samples (the row may be in place).
 *
 * The Q12 product s g (at most 31 bits) comes as its 16-bit halves hi, lo:
 *   (s g + 2048) >> 12 = 16 hi + ((lo >> 11) + 1) >> 1
 * (the second term by vpavgw against 0), and with hi clamped to 1024 first
 * (any larger hi already gives more than LUMEN_WORK_MAX) the sum fits 16
 * bits before the final clamp.
 */
#include <immintrin.h>
#include <string.h>

#include "isp/isp_dsp.h"

#define LD(p) _mm256_loadu_si256((const __m256i *)(const void *)(p))

/* the 32-bit pair of phase gains at index 2 i of @tab, in every lane pair */
static inline __m256i pair(const int16_t *tab, int i)
{
	int32_t v;

	memcpy(&v, tab + 2 * i, sizeof(v));
	return _mm256_set1_epi32(v);
}

/* src * g in Q12, rounded, clamped to LUMEN_WORK_MAX */
static inline __attribute__((always_inline)) __m256i
apply16(__m256i s, __m256i g)
{
	__m256i hi = _mm256_min_epu16(_mm256_mulhi_epu16(s, g), _mm256_set1_epi16(1024));
	__m256i lo = _mm256_srli_epi16(_mm256_mullo_epi16(s, g), 11);
	__m256i r = _mm256_add_epi16(_mm256_slli_epi16(hi, 4),
				     _mm256_avg_epu16(lo, _mm256_setzero_si256()));

	return _mm256_min_epu16(r, _mm256_set1_epi16(LUMEN_WORK_MAX));
}

LUMEN_LSC_ROW_FN(lumen_lsc_row_avx2)
{
	const int16_t *gx = cols->gx, *tq = cols->t;
	int x = 0;

	for (; x + 16 <= width; x += 16) {
		const int i0 = gx[x];
		const __m256i dg = _mm256_sub_epi16(LD(gx + x), _mm256_set1_epi16((short)i0));
		const __m256i t = LD(tq + x);
		__m256i g;

		g = _mm256_add_epi16(pair(rg->a, i0), _mm256_mulhrs_epi16(pair(rg->d, i0), t));
		if (!_mm256_testz_si256(dg, dg)) {
			/* as unsigned, anything outside 0..1 is above 1 */
			if (!_mm256_testz_si256(dg, _mm256_set1_epi16(~1))) {
				const struct lumen_lsc_cols c = { gx + x, tq + x };

				lumen_lsc_row_c(dst + x, src + x, 16, rg, &c);
				continue;
			}
			g = _mm256_blendv_epi8(g, _mm256_add_epi16(pair(rg->a, i0 + 1),
					       _mm256_mulhrs_epi16(pair(rg->d, i0 + 1), t)),
					       _mm256_cmpeq_epi16(dg, _mm256_set1_epi16(1)));
		}
		_mm256_storeu_si256((__m256i *)(void *)(dst + x), apply16(LD(src + x), g));
	}
	if (x < width) {
		const struct lumen_lsc_cols c = { gx + x, tq + x };

		lumen_lsc_row_c(dst + x, src + x, width - x, rg, &c);
	}
}
