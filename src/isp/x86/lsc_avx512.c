// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * AVX-512 (F + BW) lens-shading row; exact with lumen_lsc_row_c
 * (isp_dsp.h). The AVX2 kernel's method (x86/lsc_avx2.c) on 32 samples
 * per step: a step lies in at most two grid cells when the cells are at
 * least 32 samples wide (160 at 2560 with 17 nodes), the second cell's
 * gains are picked by mask, wider spreads and the last width % 32 samples
 * go through C.
 */
#include <immintrin.h>
#include <string.h>

#include "isp/isp_dsp.h"

#define LD(p) _mm512_loadu_si512((const void *)(p))

static inline __m512i pair(const int16_t *tab, int i)
{
	int32_t v;

	memcpy(&v, tab + 2 * i, sizeof(v));
	return _mm512_set1_epi32(v);
}

LUMEN_LSC_ROW_FN(lumen_lsc_row_avx512)
{
	const int16_t *gx = cols->gx, *tq = cols->t;
	const __m512i one_k = _mm512_set1_epi16(1024);
	const __m512i maxv = _mm512_set1_epi16(LUMEN_WORK_MAX);
	int x = 0;

	for (; x + 32 <= width; x += 32) {
		const int i0 = gx[x];
		const __m512i dg = _mm512_sub_epi16(LD(gx + x), _mm512_set1_epi16((short)i0));
		const __m512i t = LD(tq + x);
		const __mmask32 next = _mm512_test_epi16_mask(dg, dg);
		__m512i g, s, hi, lo, r;

		g = _mm512_add_epi16(pair(rg->a, i0), _mm512_mulhrs_epi16(pair(rg->d, i0), t));
		if (next) {
			if (_mm512_test_epi16_mask(dg, _mm512_set1_epi16(~1))) {
				const struct lumen_lsc_cols c = { gx + x, tq + x };

				lumen_lsc_row_c(dst + x, src + x, 32, rg, &c);
				continue;
			}
			g = _mm512_mask_mov_epi16(g, next, _mm512_add_epi16(
				pair(rg->a, i0 + 1), _mm512_mulhrs_epi16(pair(rg->d, i0 + 1), t)));
		}
		s = LD(src + x);
		hi = _mm512_min_epu16(_mm512_mulhi_epu16(s, g), one_k);
		lo = _mm512_srli_epi16(_mm512_mullo_epi16(s, g), 11);
		r = _mm512_add_epi16(_mm512_slli_epi16(hi, 4),
				     _mm512_avg_epu16(lo, _mm512_setzero_si512()));
		_mm512_storeu_si512((void *)(dst + x), _mm512_min_epu16(r, maxv));
	}
	if (x < width) {
		const struct lumen_lsc_cols c = { gx + x, tq + x };

		lumen_lsc_row_c(dst + x, src + x, width - x, rg, &c);
	}
}
