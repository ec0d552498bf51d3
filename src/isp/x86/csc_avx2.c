// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * AVX2 4:2:0 colour conversion from planar 8-bit rows; exact with
 * lumen_csc420_c (isp_dsp.h).
 *
 * 16 pixels of both rows per step, widened to 16 bits. Luma: (R, G) and
 * (B, 1) pairs through vpmaddwd with (y0, y1) and (y2, 8192): exact 32-bit
 * sums, floor-shifted, packed back in order (the in-lane unpack and pack
 * cancel), offset, and packus clamps to 0..255. Chroma: the two rows are
 * added, then vpmaddwd with ones adds horizontal pairs into one 32-bit
 * lane per 2x2 group (in order); (sumR, sumG) and (sumB, 2) pairs meet
 * (cb0, cb1) and (cb2, 16384), which puts the rounding constant 32768 in
 * the same exact sum. The last width % 16 pixels go through the C kernel.
 */
#include <immintrin.h>

#include "isp/isp_dsp.h"

static inline __m256i load16(const uint8_t *p)
{
	return _mm256_cvtepu8_epi16(_mm_loadu_si128((const __m128i *)(const void *)p));
}

static inline __m256i pair(int a, int b)
{
	return _mm256_set1_epi32((int)((uint32_t)(uint16_t)a |
				       (uint32_t)(uint16_t)b << 16));
}

/* 16 luma bytes of one row, in order, in the low 128 bits */
static inline __attribute__((always_inline)) __m128i
luma16(__m256i r, __m256i g, __m256i b, __m256i k_rg, __m256i k_b1,
       __m256i off)
{
	const __m256i one = _mm256_set1_epi16(1);
	__m256i lo = _mm256_add_epi32(
		_mm256_madd_epi16(_mm256_unpacklo_epi16(r, g), k_rg),
		_mm256_madd_epi16(_mm256_unpacklo_epi16(b, one), k_b1));
	__m256i hi = _mm256_add_epi32(
		_mm256_madd_epi16(_mm256_unpackhi_epi16(r, g), k_rg),
		_mm256_madd_epi16(_mm256_unpackhi_epi16(b, one), k_b1));
	__m256i y = _mm256_add_epi16(_mm256_packs_epi32(_mm256_srai_epi32(lo, 14),
							_mm256_srai_epi32(hi, 14)),
				     off);

	y = _mm256_packus_epi16(y, y);
	return _mm256_castsi256_si128(_mm256_permute4x64_epi64(y, 0x08));
}

/* Cb or Cr of 8 groups as clamped 32-bit lanes */
static inline __attribute__((always_inline)) __m256i
chroma8(__m256i rg, __m256i b2, __m256i k_rg, __m256i k_b2)
{
	__m256i v = _mm256_add_epi32(_mm256_madd_epi16(rg, k_rg),
				     _mm256_madd_epi16(b2, k_b2));

	v = _mm256_add_epi32(_mm256_srai_epi32(v, 16), _mm256_set1_epi32(128));
	return _mm256_min_epi32(_mm256_max_epi32(v, _mm256_setzero_si256()),
				_mm256_set1_epi32(255));
}

LUMEN_CSC420_FN(lumen_csc420_avx2)
{
	const __m256i ky_rg = pair(c->y[0], c->y[1]), ky_b1 = pair(c->y[2], 8192);
	const __m256i kb_rg = pair(c->cb[0], c->cb[1]), kb_b2 = pair(c->cb[2], 16384);
	const __m256i kr_rg = pair(c->cr[0], c->cr[1]), kr_b2 = pair(c->cr[2], 16384);
	const __m256i off = _mm256_set1_epi16(c->y_off);
	const __m256i ones = _mm256_set1_epi16(1);
	const __m256i two_hi = _mm256_set1_epi32(2 << 16);
	int x = 0;

	for (; x + 16 <= width; x += 16) {
		__m256i r0 = load16(src[0] + x), g0 = load16(src[1] + x);
		__m256i b0 = load16(src[2] + x), r1 = load16(src[3] + x);
		__m256i g1 = load16(src[4] + x), b1 = load16(src[5] + x);
		__m256i sr, sg, sb, rg, b2, cb, cr;

		_mm_storeu_si128((__m128i *)(void *)(y0 + x),
				 luma16(r0, g0, b0, ky_rg, ky_b1, off));
		_mm_storeu_si128((__m128i *)(void *)(y1 + x),
				 luma16(r1, g1, b1, ky_rg, ky_b1, off));

		/* 2x2 sums (<= 1020) in 32-bit lanes, then the pairs */
		sr = _mm256_madd_epi16(_mm256_add_epi16(r0, r1), ones);
		sg = _mm256_madd_epi16(_mm256_add_epi16(g0, g1), ones);
		sb = _mm256_madd_epi16(_mm256_add_epi16(b0, b1), ones);
		rg = _mm256_or_si256(sr, _mm256_slli_epi32(sg, 16));
		b2 = _mm256_or_si256(sb, two_hi);
		cb = chroma8(rg, b2, kb_rg, kb_b2);
		cr = chroma8(rg, b2, kr_rg, kr_b2);
		if (v) {
			/* 8 bytes each: pack to 16 then 8 bits, then put
			 * the 32-bit groups in order */
			__m256i t = _mm256_packus_epi16(_mm256_packs_epi32(cb, cr),
							_mm256_setzero_si256());

			/* t: lane 0 = cb0-3 cr0-3, lane 1 = cb4-7 cr4-7 (bytes) */
			t = _mm256_permutevar8x32_epi32(t, _mm256_setr_epi32(0, 4, 1, 5,
									     0, 0, 0, 0));
			_mm_storel_epi64((__m128i *)(void *)(u + x / 2),
					 _mm256_castsi256_si128(t));
			_mm_storel_epi64((__m128i *)(void *)(v + x / 2),
					 _mm_srli_si128(_mm256_castsi256_si128(t), 8));
		} else {
			__m256i t = _mm256_or_si256(cb, _mm256_slli_epi32(cr, 16));

			t = _mm256_packus_epi16(t, t);
			_mm_storeu_si128((__m128i *)(void *)(u + x),
					 _mm256_castsi256_si128(
						 _mm256_permute4x64_epi64(t, 0x08)));
		}
	}
	if (x < width) {
		const uint8_t *s[6] = { src[0] + x, src[1] + x, src[2] + x,
					src[3] + x, src[4] + x, src[5] + x };

		lumen_csc420_c(y0 + x, y1 + x, v ? u + x / 2 : u + x,
			       v ? v + x / 2 : NULL, s, width - x, c);
	}
}
