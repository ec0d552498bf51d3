// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Lane split and merge in AVX2 (csi2_dsp.h): 32 packet bytes per step,
 * a byte shuffle within 128-bit halves and a cross-half permute; the tail
 * in C. 4 lanes is a 4x4 byte transpose per 16 bytes.
 */
#include <immintrin.h>

#include "link/csi2_dsp.h"

LUMEN_LANE_SPLIT_FN(lumen_lane_split2_avx2)
{
	const __m256i even_odd = _mm256_broadcastsi128_si256(_mm_setr_epi8(
		0, 2, 4, 6, 8, 10, 12, 14, 1, 3, 5, 7, 9, 11, 13, 15));
	uint8_t *a = lane[0], *b = lane[1];
	size_t j = 0;

	for (; j + 16 <= count; j += 16) {
		__m256i v = _mm256_loadu_si256((const __m256i *)(src + 2 * j));

		v = _mm256_permute4x64_epi64(_mm256_shuffle_epi8(v, even_odd), 0xD8);
		_mm_storeu_si128((__m128i *)(a + j), _mm256_castsi256_si128(v));
		_mm_storeu_si128((__m128i *)(b + j), _mm256_extracti128_si256(v, 1));
	}
	for (; j < count; j++) {
		a[j] = src[2 * j];
		b[j] = src[2 * j + 1];
	}
}

LUMEN_LANE_MERGE_FN(lumen_lane_merge2_avx2)
{
	const uint8_t *a = lane[0], *b = lane[1];
	size_t j = 0;

	for (; j + 16 <= count; j += 16) {
		__m128i x = _mm_loadu_si128((const __m128i *)(a + j));
		__m128i y = _mm_loadu_si128((const __m128i *)(b + j));

		_mm_storeu_si128((__m128i *)(dst + 2 * j), _mm_unpacklo_epi8(x, y));
		_mm_storeu_si128((__m128i *)(dst + 2 * j + 16), _mm_unpackhi_epi8(x, y));
	}
	for (; j < count; j++) {
		dst[2 * j] = a[j];
		dst[2 * j + 1] = b[j];
	}
}

/* bytes 4g + l -> l-major within 16 (a 4x4 transpose, its own inverse) */
#define TRANSPOSE4 _mm256_broadcastsi128_si256(_mm_setr_epi8(		\
	0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15))

LUMEN_LANE_SPLIT_FN(lumen_lane_split4_avx2)
{
	const __m256i tr = TRANSPOSE4;
	const __m256i perm = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
	size_t j = 0;

	for (; j + 8 <= count; j += 8) {
		__m256i v = _mm256_loadu_si256((const __m256i *)(src + 4 * j));
		__m128i lo, hi;

		v = _mm256_permutevar8x32_epi32(_mm256_shuffle_epi8(v, tr), perm);
		lo = _mm256_castsi256_si128(v);
		hi = _mm256_extracti128_si256(v, 1);
		_mm_storel_epi64((__m128i *)(lane[0] + j), lo);
		_mm_storel_epi64((__m128i *)(lane[1] + j), _mm_unpackhi_epi64(lo, lo));
		_mm_storel_epi64((__m128i *)(lane[2] + j), hi);
		_mm_storel_epi64((__m128i *)(lane[3] + j), _mm_unpackhi_epi64(hi, hi));
	}
	for (; j < count; j++)
		for (int l = 0; l < 4; l++)
			lane[l][j] = src[4 * j + (size_t)l];
}

LUMEN_LANE_MERGE_FN(lumen_lane_merge4_avx2)
{
	const __m256i tr = TRANSPOSE4;
	const __m256i perm = _mm256_setr_epi32(0, 2, 4, 6, 1, 3, 5, 7);
	size_t j = 0;

	for (; j + 8 <= count; j += 8) {
		__m128i ab = _mm_unpacklo_epi64(
			_mm_loadl_epi64((const __m128i *)(lane[0] + j)),
			_mm_loadl_epi64((const __m128i *)(lane[1] + j)));
		__m128i cd = _mm_unpacklo_epi64(
			_mm_loadl_epi64((const __m128i *)(lane[2] + j)),
			_mm_loadl_epi64((const __m128i *)(lane[3] + j)));
		__m256i v = _mm256_inserti128_si256(_mm256_castsi128_si256(ab), cd, 1);

		v = _mm256_shuffle_epi8(_mm256_permutevar8x32_epi32(v, perm), tr);
		_mm256_storeu_si256((__m256i *)(dst + 4 * j), v);
	}
	for (; j < count; j++)
		for (int l = 0; l < 4; l++)
			dst[4 * j + (size_t)l] = lane[l][j];
}
