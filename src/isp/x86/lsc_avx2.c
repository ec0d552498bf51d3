// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * AVX2 lens-shading row; exact with lumen_lsc_row_c (isp_dsp.h).
 *
 * 16 samples per step, as two groups of 8 in float lanes. The grid columns
 * of 8 neighbouring samples lie within 8 of the first one's when the
 * table advances by at most one per column (true for any grid no wider
 * than the frame; checked per group), so one unaligned load of 8 gains at
 * that column and one at the next, each put in place with vpermps, replace
 * the gather: once per cell, even lanes from rg[0] and odd from rg[1].
 * Multiplies and adds are separate instructions in the C order (no FMA),
 * so every rounding is the C one; cvttps truncates like the C cast. A
 * group whose columns spread further goes through the C kernel, and so do
 * the last width % 16 samples (the row may be in place).
 *
 * Most groups lie within one grid cell (a cell is frame width / (grid
 * width - 1) samples wide, 160 at 2560 with 17 nodes): their gains are
 * the same two pairs for the whole group, so they are made once per cell
 * (broadcasts, kept in registers while the cell lasts) instead of four
 * loads and four permutes per 8 samples. The values are the ones the
 * permutes would pick (index 0 everywhere), so the results are too.
 */
#include <immintrin.h>
#include <stdbool.h>

#include "isp/isp_dsp.h"

/* Grid columns of 8 samples less the first one's; false when one lies
 * outside 0..7 of it (then the permutes below cannot reach its gains). */
static inline __attribute__((always_inline)) bool
lsc_idx(const int32_t *gx, __m256i *idx)
{
	*idx = _mm256_sub_epi32(_mm256_loadu_si256((const __m256i *)(const void *)gx),
				_mm256_set1_epi32(gx[0]));
	/* as unsigned, anything outside 0..7 is above 7 */
	return _mm256_testz_si256(*idx, _mm256_set1_epi32(~7));
}

/* 8 samples from their cells' gains a (left node) and b (right node) */
static inline __attribute__((always_inline)) __m256i
lsc8_ab(const uint16_t *src, __m256 a, __m256 b, const float *w0,
	const float *w1)
{
	__m256 gain = _mm256_add_ps(_mm256_mul_ps(a, _mm256_loadu_ps(w0)),
				    _mm256_mul_ps(b, _mm256_loadu_ps(w1)));
	__m256 v = _mm256_cvtepi32_ps(_mm256_cvtepu16_epi32(
		_mm_loadu_si128((const __m128i *)(const void *)src)));

	v = _mm256_add_ps(_mm256_mul_ps(v, gain), _mm256_set1_ps(0.5f));
	/* v is never NaN: the gains are finite and below 2^16 */
	v = _mm256_max_ps(_mm256_min_ps(v, _mm256_set1_ps((float)LUMEN_WORK_MAX)),
			  _mm256_setzero_ps());
	return _mm256_cvttps_epi32(v);
}

static inline __attribute__((always_inline)) __m256i
lsc8(const uint16_t *src, const float *const rg[2], int base, __m256i idx,
     const float *w0, const float *w1)
{
	__m256 a = _mm256_blend_ps(
		_mm256_permutevar8x32_ps(_mm256_loadu_ps(rg[0] + base), idx),
		_mm256_permutevar8x32_ps(_mm256_loadu_ps(rg[1] + base), idx), 0xaa);
	__m256 b = _mm256_blend_ps(
		_mm256_permutevar8x32_ps(_mm256_loadu_ps(rg[0] + base + 1), idx),
		_mm256_permutevar8x32_ps(_mm256_loadu_ps(rg[1] + base + 1), idx), 0xaa);

	return lsc8_ab(src, a, b, w0, w1);
}

/* The gains of cell g for 8 samples from an even column: rg[0] in even
 * lanes, rg[1] in odd ones. */
static inline __attribute__((always_inline)) __m256
cell_gains(const float *const rg[2], int g)
{
	return _mm256_blend_ps(_mm256_set1_ps(rg[0][g]), _mm256_set1_ps(rg[1][g]),
			       0xaa);
}

LUMEN_LSC_ROW_FN(lumen_lsc_row_avx2)
{
	const int32_t *gx = cols->gx;
	__m256 ca = _mm256_setzero_ps(), cb = _mm256_setzero_ps();
	int x = 0, cell = -1;

	for (; x + 16 <= width; x += 16) {
		const float *w0 = cols->w0 + x, *w1 = cols->w1 + x;
		const __m256i g = _mm256_set1_epi32(gx[x]);
		__m256i ilo, ihi, lo, hi;

		/* all 16 in the cell of the first: that cell's gains */
		if (_mm256_testc_si256(_mm256_and_si256(
			    _mm256_cmpeq_epi32(_mm256_loadu_si256((const __m256i *)(const void *)(gx + x)), g),
			    _mm256_cmpeq_epi32(_mm256_loadu_si256((const __m256i *)(const void *)(gx + x + 8)), g)),
			    _mm256_set1_epi32(-1))) {
			if (gx[x] != cell) {
				cell = gx[x];
				ca = cell_gains(rg, cell);
				cb = cell_gains(rg, cell + 1);
			}
			lo = lsc8_ab(src + x, ca, cb, w0, w1);
			hi = lsc8_ab(src + x + 8, ca, cb, w0 + 8, w1 + 8);
			_mm256_storeu_si256((__m256i *)(void *)(dst + x),
					    _mm256_permute4x64_epi64(
						    _mm256_packus_epi32(lo, hi), 0xd8));
			continue;
		}
		if (!lsc_idx(gx + x, &ilo) || !lsc_idx(gx + x + 8, &ihi)) {
			const struct lumen_lsc_cols c = { gx + x, w0, w1 };

			lumen_lsc_row_c(dst + x, src + x, 16, rg, &c);
			continue;
		}
		lo = lsc8(src + x, rg, gx[x], ilo, w0, w1);
		hi = lsc8(src + x + 8, rg, gx[x + 8], ihi, w0 + 8, w1 + 8);

		/* packus works within 128-bit lanes: put the quarters back */
		_mm256_storeu_si256((__m256i *)(void *)(dst + x),
				    _mm256_permute4x64_epi64(_mm256_packus_epi32(lo, hi),
							     0xd8));
	}
	if (x < width) {
		const struct lumen_lsc_cols c = { gx + x, cols->w0 + x, cols->w1 + x };

		lumen_lsc_row_c(dst + x, src + x, width - x, rg, &c);
	}
}
