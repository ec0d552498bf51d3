// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The noise kernel in AVX2 (noise_dsp.h gives the exact arithmetic): 16
 * samples per step as two vectors of eight 32-bit lanes; the hash with
 * vpmulld, the byte sums with vpmaddubsw + vpmaddwd, the level's scale
 * with a gather from the 16 KiB table; the tail in C.
 */
#include <immintrin.h>

#include "virt/noise_dsp.h"

static inline __m256i eight(__m256i x, __m256i key, __m128i mean8,
			    const struct lumen_noise_tab *t, __m128i frac)
{
	const __m256i c1 = _mm256_set1_epi32(0x7feb352d);
	const __m256i c2 = _mm256_set1_epi32((int)0x846ca68bu);
	__m256i d, m, k, v;

	x = _mm256_xor_si256(x, _mm256_srli_epi32(x, 16));
	x = _mm256_mullo_epi32(x, c1);
	x = _mm256_xor_si256(x, key);
	x = _mm256_xor_si256(x, _mm256_srli_epi32(x, 15));
	x = _mm256_mullo_epi32(x, c2);
	x = _mm256_xor_si256(x, _mm256_srli_epi32(x, 16));
	d = _mm256_maddubs_epi16(x, _mm256_set1_epi8(1));
	d = _mm256_madd_epi16(d, _mm256_set1_epi16(1));
	d = _mm256_sub_epi32(d, _mm256_set1_epi32(510));

	m = _mm256_cvtepu16_epi32(mean8);
	k = _mm256_i32gather_epi32((const int *)t->k,
				   _mm256_srli_epi32(m, LUMEN_NOISE_LEVEL_SHIFT), 4);
	v = _mm256_mullo_epi32(k, d);
	v = _mm256_srai_epi32(v, 12);
	v = _mm256_add_epi32(m, v);
	v = _mm256_min_epi32(v, _mm256_set1_epi32(t->upper));
	v = _mm256_max_epi32(v, _mm256_setzero_si256());
	v = _mm256_srl_epi32(v, frac);
	return _mm256_min_epi32(v, _mm256_set1_epi32(t->maxcode));
}

LUMEN_NOISE_ROW_FN(lumen_noise_row_avx2)
{
	const __m256i key8 = _mm256_set1_epi32((int)key);
	const __m128i frac = _mm_cvtsi32_si128(t->frac);
	__m256i x = _mm256_add_epi32(_mm256_set1_epi32((int)ctr),
				     _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
	int i = 0;

	for (; i + 16 <= n; i += 16) {
		__m256i a = eight(x, key8, _mm_loadu_si128((const __m128i *)(mean + i)),
				  t, frac);
		__m256i b = eight(_mm256_add_epi32(x, _mm256_set1_epi32(8)), key8,
				  _mm_loadu_si128((const __m128i *)(mean + i + 8)),
				  t, frac);

		/* values <= 65535: packus is exact; fix its lane order */
		_mm256_storeu_si256((__m256i *)(dst + i),
				    _mm256_permute4x64_epi64(_mm256_packus_epi32(a, b),
							     0xD8));
		x = _mm256_add_epi32(x, _mm256_set1_epi32(16));
	}
	for (; i < n; i++)
		dst[i] = lumen_noise_sample(mean[i], ctr + (uint32_t)i, key, t);
}
