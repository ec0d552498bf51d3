// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * AVX2 statistics span; exact with lumen_stats_span_c (isp_dsp.h).
 *
 * 8 cells per step: a 256-bit load of each row holds 8 cells' samples in
 * 32-bit lanes, even column in the low half, odd in the high, so masking
 * and shifting give the four positions as exact 32-bit values (no lane
 * crossing: lane k is cell k). Sums, the clip test and the bin are lane
 * arithmetic; the bins of every other cell are then counted with scalar
 * increments (the histogram scatter has no fast AVX2 form). The last
 * cells % 8 go through the C kernel.
 */
#include <immintrin.h>

#include "isp/isp_dsp.h"

#define LD(p) _mm256_loadu_si256((const __m256i *)(const void *)(p))

static inline uint32_t hsum(__m256i v)
{
	__m128i s = _mm_add_epi32(_mm256_castsi256_si128(v),
				  _mm256_extracti128_si256(v, 1));

	s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4e));
	s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xb1));
	return (uint32_t)_mm_cvtsi128_si32(s);
}

LUMEN_STATS_SPAN_FN(lumen_stats_span_avx2)
{
	const __m256i lo16 = _mm256_set1_epi32(0xffff);
	const __m256i clip_below = _mm256_set1_epi32(LUMEN_STATS_CLIP - 1);
	const __m256i last_bin = _mm256_set1_epi32(LUMEN_STATS_HIST_BINS - 1);
	__m256i acc[4], nclip = _mm256_setzero_si256();
	uint32_t bins[8];
	int i = 0;

	for (int k = 0; k < 4; k++)
		acc[k] = _mm256_setzero_si256();
	for (; i + 8 <= cells; i += 8) {
		__m256i a = LD(r0 + 2 * i), b = LD(r1 + 2 * i);
		__m256i p0 = _mm256_and_si256(a, lo16), p1 = _mm256_srli_epi32(a, 16);
		__m256i p2 = _mm256_and_si256(b, lo16), p3 = _mm256_srli_epi32(b, 16);
		__m256i mx = _mm256_max_epi32(_mm256_max_epi32(p0, p1),
					      _mm256_max_epi32(p2, p3));

		acc[0] = _mm256_add_epi32(acc[0], p0);
		acc[1] = _mm256_add_epi32(acc[1], p1);
		acc[2] = _mm256_add_epi32(acc[2], p2);
		acc[3] = _mm256_add_epi32(acc[3], p3);
		/* the compare gives -1 per clipped cell */
		nclip = _mm256_add_epi32(nclip, _mm256_cmpgt_epi32(mx, clip_below));
		if (!hist)
			continue;
		_mm256_storeu_si256((__m256i *)(void *)bins, _mm256_min_epi32(
			_mm256_srli_epi32(_mm256_add_epi32(_mm256_add_epi32(p0, p1),
							   _mm256_add_epi32(p2, p3)), 8),
			last_bin));
		/* cells first, first + 2, ... of the span: i is even */
		hist[0][bins[first]]++;
		hist[1][bins[first + 2]]++;
		hist[2][bins[first + 4]]++;
		hist[3][bins[first + 6]]++;
	}
	for (int k = 0; k < 4; k++)
		sum[k] += hsum(acc[k]);
	*clipped += 0u - hsum(nclip);
	if (i < cells)
		lumen_stats_span_c(r0 + 2 * i, r1 + 2 * i, cells - i, sum, clipped,
				   hist, first);
}

/*
 * The block grid's vertical pass; exact with lumen_stats_grid_rows_c
 * (isp_dsp.h). 16 samples per step: absolute differences as the OR of two
 * saturating subtractions, their sum still in 16 bits (samples are 14-bit),
 * the maximum in 16 bits, then samples and edges widened to 32 bits for the
 * column sums. The rest through the C kernel.
 */
static inline void add_wide(uint32_t *dst, __m256i v16)
{
	__m256i lo = _mm256_cvtepu16_epi32(_mm256_castsi256_si128(v16));
	__m256i hi = _mm256_cvtepu16_epi32(_mm256_extracti128_si256(v16, 1));

	_mm256_storeu_si256((__m256i *)(void *)dst, _mm256_add_epi32(LD(dst), lo));
	_mm256_storeu_si256((__m256i *)(void *)(dst + 8),
			    _mm256_add_epi32(LD(dst + 8), hi));
}

static inline __m256i absdiff16(__m256i a, __m256i b)
{
	return _mm256_or_si256(_mm256_subs_epu16(a, b), _mm256_subs_epu16(b, a));
}

LUMEN_STATS_GRID_ROWS_FN(lumen_stats_grid_rows_avx2)
{
	int i = 0;

	for (; i + 16 <= n; i += 16) {
		const __m256i v = LD(row + i);
		const __m256i e = _mm256_add_epi16(absdiff16(v, LD(right + i)),
						   absdiff16(v, LD(below + i)));

		_mm256_storeu_si256((__m256i *)(void *)(mx + i),
				    _mm256_max_epu16(LD(mx + i), v));
		add_wide(acc + i, v);
		add_wide(edge + i, e);
	}
	if (i < n)
		lumen_stats_grid_rows_c(row + i, right + i, below + i, n - i,
					acc + i, edge + i, mx + i);
}

/* The two-row pass; exact with lumen_stats_grid_rows2_c (isp_dsp.h): the
 * two rows' samples and four edge terms summed in 16 bits, then widened
 * once. */
LUMEN_STATS_GRID_ROWS2_FN(lumen_stats_grid_rows2_avx2)
{
	int i = 0;

	for (; i + 16 <= n; i += 16) {
		const __m256i u = LD(a + i), v = LD(c + i);
		const __m256i e = _mm256_add_epi16(
			_mm256_add_epi16(absdiff16(u, LD(a + i + 2)), absdiff16(u, v)),
			_mm256_add_epi16(absdiff16(v, LD(c + i + 2)), absdiff16(v, LD(d + i))));

		_mm256_storeu_si256((__m256i *)(void *)(mx + i),
				    _mm256_max_epu16(LD(mx + i), _mm256_max_epu16(u, v)));
		add_wide(acc + i, _mm256_add_epi16(u, v));
		add_wide(edge + i, e);
	}
	if (i < n)
		lumen_stats_grid_rows2_c(a + i, c + i, d + i, n - i, acc + i, edge + i,
					 mx + i);
}
