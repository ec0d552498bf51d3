// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * AVX2 scaler kernels; bit-exact with lumen_scale_v_c / lumen_scale_h_c
 * (scale.h states the arithmetic).
 *
 * Vertical: 16 columns per step. Each source row is widened to 16-bit,
 * rows are interleaved two by two (unpacklo/hi) and vpmaddwd multiplies
 * each pair by its coefficient pair into exact 32-bit sums; an odd last
 * tap pairs with a zero row. A ragged end is one more step on the last 16
 * columns (rewriting equal values); rows under 16 columns go to C.
 *
 * Horizontal: 8 outputs per step. Each output's window (4 taps, or 8 per
 * chunk) is loaded from the intermediate row at its own start, multiplied
 * by its coefficient row with vpmaddwd, and the partial sums of the 8
 * outputs are reduced with vphaddd and put back in order with one
 * permute. The last dst_len % 8 outputs go to C.
 */
#include <immintrin.h>

#include "scale/scale.h"

#define V_MAX_PAIRS 64

LUMEN_SCALE_V_FN(lumen_scale_v_avx2)
{
	__m256i cp[V_MAX_PAIRS];
	const int pairs = (taps + 1) / 2;
	const __m256i rnd = _mm256_set1_epi32(2);
	const __m256i zero = _mm256_setzero_si256();

	if (width < 16 || pairs > V_MAX_PAIRS) {
		lumen_scale_v_c(dst, rows, coef, taps, width);
		return;
	}
	for (int p = 0; p < pairs; p++) {
		uint32_t c0 = (uint16_t)coef[2 * p];
		uint32_t c1 = 2 * p + 1 < taps ? (uint16_t)coef[2 * p + 1] : 0;

		cp[p] = _mm256_set1_epi32((int)(c1 << 16 | c0));
	}
	for (int x = 0;; x += 16) {
		__m256i lo = rnd, hi = rnd;

		if (x + 16 > width)
			x = width - 16;
		for (int p = 0; p < pairs; p++) {
			__m256i a = _mm256_cvtepu8_epi16(_mm_loadu_si128(
				(const __m128i *)(const void *)(rows[2 * p] + x)));
			__m256i b = 2 * p + 1 < taps ?
				_mm256_cvtepu8_epi16(_mm_loadu_si128(
					(const __m128i *)(const void *)
					(rows[2 * p + 1] + x))) : zero;

			lo = _mm256_add_epi32(lo, _mm256_madd_epi16(
				_mm256_unpacklo_epi16(a, b), cp[p]));
			hi = _mm256_add_epi32(hi, _mm256_madd_epi16(
				_mm256_unpackhi_epi16(a, b), cp[p]));
		}
		lo = _mm256_srai_epi32(lo, 2);
		hi = _mm256_srai_epi32(hi, 2);
		_mm256_storeu_si256((__m256i *)(void *)(dst + x),
				    _mm256_packs_epi32(lo, hi));
		if (x + 16 >= width)
			break;
	}
}

static inline __m128i load64(const int16_t *p)
{
	return _mm_loadl_epi64((const __m128i *)(const void *)p);
}

static inline __m128i load128(const int16_t *p)
{
	return _mm_loadu_si128((const __m128i *)(const void *)p);
}

/* Rounds, shifts, clips and stores 8 outputs whose sums are in order. */
static inline void h_store8(uint8_t *dst, __m256i sum)
{
	__m256i v = _mm256_srai_epi32(
		_mm256_add_epi32(sum, _mm256_set1_epi32(8192)), 14);
	__m128i w = _mm_packs_epi32(_mm256_castsi256_si128(v),
				    _mm256_extracti128_si256(v, 1));

	_mm_storel_epi64((__m128i *)(void *)dst, _mm_packus_epi16(w, w));
}

/* Sums of outputs i, i+1 (lane 0, lane 1), 4 partials each, over taps. */
static inline __m256i h_pair(const int16_t *src, const struct lumen_scale_axis *a,
			     int i)
{
	const int taps = a->taps;
	const int16_t *s0 = src + a->start[i], *s1 = src + a->start[i + 1];
	const int16_t *c0 = a->coef + (size_t)i * (size_t)taps;
	const int16_t *c1 = c0 + taps;
	__m256i acc = _mm256_setzero_si256();

	for (int k = 0; k < taps; k += 8) {
		__m256i v = _mm256_inserti128_si256(
			_mm256_castsi128_si256(load128(s0 + k)), load128(s1 + k), 1);
		__m256i c = _mm256_inserti128_si256(
			_mm256_castsi128_si256(load128(c0 + k)), load128(c1 + k), 1);

		acc = _mm256_add_epi32(acc, _mm256_madd_epi16(v, c));
	}
	return acc;
}

/* Products of outputs i..i+3 of a 4-tap axis: 2 partials each, in order. */
static inline __m256i h_quad4(const int16_t *src,
			      const struct lumen_scale_axis *a, int i)
{
	const int32_t *st = a->start + i;
	__m128i p01 = _mm_unpacklo_epi64(load64(src + st[0]), load64(src + st[1]));
	__m128i p23 = _mm_unpacklo_epi64(load64(src + st[2]), load64(src + st[3]));
	__m256i v = _mm256_inserti128_si256(_mm256_castsi128_si256(p01), p23, 1);
	__m256i c = _mm256_loadu_si256((const __m256i *)(const void *)
				       (a->coef + (size_t)i * 4));

	return _mm256_madd_epi16(v, c);
}

LUMEN_SCALE_H_FN(lumen_scale_h_avx2)
{
	const int n = a->dst_len;
	int i = 0;

	if (a->taps == 4) {
		for (; i + 8 <= n; i += 8) {
			__m256i s = _mm256_hadd_epi32(h_quad4(src, a, i),
						      h_quad4(src, a, i + 4));

			/* [0 1 4 5 | 2 3 6 7] -> [0 1 2 3 | 4 5 6 7] */
			h_store8(dst + i, _mm256_permute4x64_epi64(s, 0xd8));
		}
	} else if (a->taps % 8 == 0) {
		const __m256i order = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);

		for (; i + 8 <= n; i += 8) {
			__m256i h1 = _mm256_hadd_epi32(h_pair(src, a, i),
						       h_pair(src, a, i + 2));
			__m256i h2 = _mm256_hadd_epi32(h_pair(src, a, i + 4),
						       h_pair(src, a, i + 6));
			/* [0 2 4 6 | 1 3 5 7] -> in order */
			__m256i s = _mm256_hadd_epi32(h1, h2);

			h_store8(dst + i, _mm256_permutevar8x32_epi32(s, order));
		}
	}
	if (i < n) {
		struct lumen_scale_axis rest = *a;

		rest.start += i;
		rest.coef += (size_t)i * (size_t)a->taps;
		rest.dst_len = n - i;
		lumen_scale_h_c(dst + i, src, &rest);
	}
}
