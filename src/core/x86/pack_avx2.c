// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * RAW10 packing in AVX2 (pack_dsp.h): 16 samples per step, 8 in each
 * 128-bit lane, i.e. two 5-byte groups per lane: the lane's 10 packed bytes
 * are gathered with vpshufb. The whole-vector loop stops 8 samples early so
 * that its 16-byte loads and stores of a lane's 10 bytes stay inside the
 * row (the next step or the C tail rewrites the 6 extra bytes); the rest
 * of the row goes to the C kernel, which starts on a group boundary.
 */
#include <immintrin.h>

#include "core/pack_dsp.h"

LUMEN_RAW10_UNPACK_FN(lumen_unpack_raw10_avx2)
{
	/* per lane: word j = low-bits byte of its group | high byte << 8 */
	const __m256i shuf = _mm256_broadcastsi128_si256(_mm_setr_epi8(
		4, 0, 4, 1, 4, 2, 4, 3, 9, 5, 9, 6, 9, 7, 9, 8));
	/* moves bits 2j, 2j+1 of the low byte to bits 6, 7 */
	const __m256i mul = _mm256_setr_epi16(64, 16, 4, 1, 64, 16, 4, 1,
					      64, 16, 4, 1, 64, 16, 4, 1);
	const __m256i hi_mask = _mm256_set1_epi16(0x3FC), lo_mask = _mm256_set1_epi16(3);
	size_t i = 0;

	for (; i + 24 <= n; i += 16, src += 20) {
		__m256i b = _mm256_inserti128_si256(
			_mm256_castsi128_si256(_mm_loadu_si128((const __m128i *)src)),
			_mm_loadu_si128((const __m128i *)(src + 10)), 1);
		__m256i w = _mm256_shuffle_epi8(b, shuf);
		__m256i hi = _mm256_and_si256(_mm256_srli_epi16(w, 6), hi_mask);
		__m256i lo = _mm256_and_si256(_mm256_srli_epi16(
			_mm256_mullo_epi16(w, mul), 6), lo_mask);

		_mm256_storeu_si256((__m256i *)(dst + i), _mm256_or_si256(hi, lo));
	}
	lumen_unpack_raw10_c(src, dst + i, n - i);
}

LUMEN_RAW10_PACK_FN(lumen_pack_raw10_avx2)
{
	const __m256i mul = _mm256_setr_epi16(1, 4, 16, 64, 1, 4, 16, 64,
					      1, 4, 16, 64, 1, 4, 16, 64);
	const __m256i ff = _mm256_set1_epi16(0xFF), three = _mm256_set1_epi16(3);
	/* hi bytes 0..7, the group sums at bytes 8 and 12 */
	const __m256i shuf = _mm256_broadcastsi128_si256(_mm_setr_epi8(
		0, 1, 2, 3, 8, 4, 5, 6, 7, 12, -1, -1, -1, -1, -1, -1));
	size_t i = 0;

	for (; i + 24 <= n; i += 16, dst += 20) {
		__m256i p = _mm256_loadu_si256((const __m256i *)(src + i));
		__m256i hi = _mm256_and_si256(_mm256_srli_epi16(p, 2), ff);
		__m256i lo = _mm256_mullo_epi16(_mm256_and_si256(p, three), mul);
		__m256i v;

		lo = _mm256_madd_epi16(lo, _mm256_set1_epi16(1));
		lo = _mm256_add_epi32(lo, _mm256_srli_epi64(lo, 32));
		v = _mm256_shuffle_epi8(_mm256_packus_epi16(hi, lo), shuf);
		_mm_storeu_si128((__m128i *)dst, _mm256_castsi256_si128(v));
		_mm_storeu_si128((__m128i *)(dst + 10), _mm256_extracti128_si256(v, 1));
	}
	lumen_pack_raw10_c(src + i, dst, n - i);
}
