// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * AVX-512 (F + BW) statistics kernels; exact with their C references
 * (isp_dsp.h). The AVX2 kernels' methods (x86/stats_avx2.c) on 512-bit
 * vectors: the span takes 16 cells per step (32-bit lanes, one cell each;
 * the clip test a mask), the grid's vertical passes 32 samples (16-bit
 * lanes, widened to 32 bits for the column sums). The rest through C.
 */
#include <immintrin.h>

#include "isp/isp_dsp.h"

#define LD(p) _mm512_loadu_si512((const void *)(p))

LUMEN_STATS_SPAN_FN(lumen_stats_span_avx512)
{
	const __m512i lo16 = _mm512_set1_epi32(0xffff);
	const __m512i clip_below = _mm512_set1_epi32(LUMEN_STATS_CLIP - 1);
	const __m512i last_bin = _mm512_set1_epi32(LUMEN_STATS_HIST_BINS - 1);
	const __m512i one = _mm512_set1_epi32(1);
	__m512i acc[4], nclip = _mm512_setzero_si512();
	uint8_t bins[16];
	int i = 0;

	for (int k = 0; k < 4; k++)
		acc[k] = _mm512_setzero_si512();
	for (; i + 16 <= cells; i += 16) {
		const __m512i a = LD(r0 + 2 * i), b = LD(r1 + 2 * i);
		const __m512i p0 = _mm512_and_si512(a, lo16), p1 = _mm512_srli_epi32(a, 16);
		const __m512i p2 = _mm512_and_si512(b, lo16), p3 = _mm512_srli_epi32(b, 16);
		const __m512i mx = _mm512_max_epi32(_mm512_max_epi32(p0, p1),
						    _mm512_max_epi32(p2, p3));

		acc[0] = _mm512_add_epi32(acc[0], p0);
		acc[1] = _mm512_add_epi32(acc[1], p1);
		acc[2] = _mm512_add_epi32(acc[2], p2);
		acc[3] = _mm512_add_epi32(acc[3], p3);
		nclip = _mm512_mask_add_epi32(nclip, _mm512_cmpgt_epi32_mask(mx, clip_below),
					      nclip, one);
		if (!hist)
			continue;
		/* bins fit a byte: 16 of them in one store */
		_mm_storeu_si128((__m128i *)(void *)bins, _mm512_cvtepi32_epi8(_mm512_min_epi32(
			_mm512_srli_epi32(_mm512_add_epi32(_mm512_add_epi32(p0, p1),
							   _mm512_add_epi32(p2, p3)), 8),
			last_bin)));
		/* cells first, first + 2, ... of the span: i is even */
		hist[0][bins[first]]++;
		hist[1][bins[first + 2]]++;
		hist[2][bins[first + 4]]++;
		hist[3][bins[first + 6]]++;
		hist[0][bins[first + 8]]++;
		hist[1][bins[first + 10]]++;
		hist[2][bins[first + 12]]++;
		hist[3][bins[first + 14]]++;
	}
	for (int k = 0; k < 4; k++)
		sum[k] += (uint32_t)_mm512_reduce_add_epi32(acc[k]);
	*clipped += (uint32_t)_mm512_reduce_add_epi32(nclip);
	if (i < cells)
		lumen_stats_span_c(r0 + 2 * i, r1 + 2 * i, cells - i, sum, clipped,
				   hist, first);
}

/* dst[0..31] += the 32 16-bit lanes of @v16, widened */
static inline void add_wide(uint32_t *dst, __m512i v16)
{
	const __m512i lo = _mm512_cvtepu16_epi32(_mm512_castsi512_si256(v16));
	const __m512i hi = _mm512_cvtepu16_epi32(_mm512_extracti64x4_epi64(v16, 1));

	_mm512_storeu_si512((void *)dst, _mm512_add_epi32(LD(dst), lo));
	_mm512_storeu_si512((void *)(dst + 16), _mm512_add_epi32(LD(dst + 16), hi));
}

static inline __m512i absdiff16(__m512i a, __m512i b)
{
	return _mm512_or_si512(_mm512_subs_epu16(a, b), _mm512_subs_epu16(b, a));
}

LUMEN_STATS_GRID_ROWS_FN(lumen_stats_grid_rows_avx512)
{
	int i = 0;

	for (; i + 32 <= n; i += 32) {
		const __m512i v = LD(row + i);
		const __m512i e = _mm512_add_epi16(absdiff16(v, LD(right + i)),
						   absdiff16(v, LD(below + i)));

		_mm512_storeu_si512((void *)(mx + i), _mm512_max_epu16(LD(mx + i), v));
		add_wide(acc + i, v);
		add_wide(edge + i, e);
	}
	if (i < n)
		lumen_stats_grid_rows_c(row + i, right + i, below + i, n - i,
					acc + i, edge + i, mx + i);
}

LUMEN_STATS_GRID_ROWS2_FN(lumen_stats_grid_rows2_avx512)
{
	int i = 0;

	for (; i + 32 <= n; i += 32) {
		const __m512i u = LD(a + i), v = LD(c + i);
		const __m512i e = _mm512_add_epi16(
			_mm512_add_epi16(absdiff16(u, LD(a + i + 2)), absdiff16(u, v)),
			_mm512_add_epi16(absdiff16(v, LD(c + i + 2)), absdiff16(v, LD(d + i))));

		_mm512_storeu_si512((void *)(mx + i),
				    _mm512_max_epu16(LD(mx + i), _mm512_max_epu16(u, v)));
		add_wide(acc + i, _mm512_add_epi16(u, v));
		add_wide(edge + i, e);
	}
	if (i < n)
		lumen_stats_grid_rows2_c(a + i, c + i, d + i, n - i, acc + i, edge + i,
					 mx + i);
}
