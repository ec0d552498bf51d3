// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * AVX-512 (F + BW) 4:2:0 colour conversion from planar 8-bit rows; exact
 * with lumen_csc420_c (isp_dsp.h). The arithmetic of the AVX2 kernel
 * (x86/csc_avx2.c) on 32 pixels of both rows per step; the narrowing
 * moves (vpmovuswb, vpmovwb, vpmovdb) take the place of its packs and
 * permutes, so every result is in order without crossing lanes. The last
 * width % 32 pixels go through the AVX2 kernel.
 */
#include <immintrin.h>

#include "isp/isp_dsp.h"

static inline __m512i load32(const uint8_t *p)
{
	return _mm512_cvtepu8_epi16(_mm256_loadu_si256((const __m256i *)(const void *)p));
}

static inline __m512i pair(int a, int b)
{
	return _mm512_set1_epi32((int)((uint32_t)(uint16_t)a | (uint32_t)(uint16_t)b << 16));
}

/* 32 luma bytes of one row, in order */
static inline __attribute__((always_inline)) __m256i
luma32(__m512i r, __m512i g, __m512i b, __m512i k_rg, __m512i k_b1, __m512i off)
{
	const __m512i one = _mm512_set1_epi16(1);
	const __m512i lo = _mm512_add_epi32(
		_mm512_madd_epi16(_mm512_unpacklo_epi16(r, g), k_rg),
		_mm512_madd_epi16(_mm512_unpacklo_epi16(b, one), k_b1));
	const __m512i hi = _mm512_add_epi32(
		_mm512_madd_epi16(_mm512_unpackhi_epi16(r, g), k_rg),
		_mm512_madd_epi16(_mm512_unpackhi_epi16(b, one), k_b1));
	const __m512i y = _mm512_add_epi16(_mm512_packs_epi32(_mm512_srai_epi32(lo, 14),
							      _mm512_srai_epi32(hi, 14)),
					   off);

	return _mm512_cvtusepi16_epi8(_mm512_max_epi16(y, _mm512_setzero_si512()));
}

/* Cb or Cr of 16 groups as clamped 32-bit lanes */
static inline __attribute__((always_inline)) __m512i
chroma16(__m512i rg, __m512i b2, __m512i k_rg, __m512i k_b2)
{
	__m512i v = _mm512_add_epi32(_mm512_madd_epi16(rg, k_rg),
				     _mm512_madd_epi16(b2, k_b2));

	v = _mm512_add_epi32(_mm512_srai_epi32(v, 16), _mm512_set1_epi32(128));
	return _mm512_min_epi32(_mm512_max_epi32(v, _mm512_setzero_si512()),
				_mm512_set1_epi32(255));
}

LUMEN_CSC420_FN(lumen_csc420_avx512)
{
	const __m512i ky_rg = pair(c->y[0], c->y[1]), ky_b1 = pair(c->y[2], 8192);
	const __m512i kb_rg = pair(c->cb[0], c->cb[1]), kb_b2 = pair(c->cb[2], 16384);
	const __m512i kr_rg = pair(c->cr[0], c->cr[1]), kr_b2 = pair(c->cr[2], 16384);
	const __m512i off = _mm512_set1_epi16(c->y_off);
	const __m512i ones = _mm512_set1_epi16(1);
	const __m512i two_hi = _mm512_set1_epi32(2 << 16);
	int x = 0;

	for (; x + 32 <= width; x += 32) {
		const __m512i r0 = load32(src[0] + x), g0 = load32(src[1] + x);
		const __m512i b0 = load32(src[2] + x), r1 = load32(src[3] + x);
		const __m512i g1 = load32(src[4] + x), b1 = load32(src[5] + x);
		/* 2x2 sums (<= 1020) in 32-bit lanes, in order, then the pairs */
		const __m512i sr = _mm512_madd_epi16(_mm512_add_epi16(r0, r1), ones);
		const __m512i sg = _mm512_madd_epi16(_mm512_add_epi16(g0, g1), ones);
		const __m512i sb = _mm512_madd_epi16(_mm512_add_epi16(b0, b1), ones);
		const __m512i rg = _mm512_or_si512(sr, _mm512_slli_epi32(sg, 16));
		const __m512i b2 = _mm512_or_si512(sb, two_hi);
		const __m512i cb = chroma16(rg, b2, kb_rg, kb_b2);
		const __m512i cr = chroma16(rg, b2, kr_rg, kr_b2);

		_mm256_storeu_si256((__m256i *)(void *)(y0 + x),
				    luma32(r0, g0, b0, ky_rg, ky_b1, off));
		_mm256_storeu_si256((__m256i *)(void *)(y1 + x),
				    luma32(r1, g1, b1, ky_rg, ky_b1, off));
		if (v) {
			_mm_storeu_si128((__m128i *)(void *)(u + x / 2), _mm512_cvtepi32_epi8(cb));
			_mm_storeu_si128((__m128i *)(void *)(v + x / 2), _mm512_cvtepi32_epi8(cr));
		} else {
			_mm256_storeu_si256((__m256i *)(void *)(u + x), _mm512_cvtepi16_epi8(
				_mm512_or_si512(cb, _mm512_slli_epi32(cr, 16))));
		}
	}
	if (x < width) {
		const uint8_t *s[6] = { src[0] + x, src[1] + x, src[2] + x,
					src[3] + x, src[4] + x, src[5] + x };

		lumen_csc420_avx2(y0 + x, y1 + x, v ? u + x / 2 : u + x,
				  v ? v + x / 2 : NULL, s, width - x, c);
	}
}
