// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * AVX2 black level / gain row (blc and wb); exact with lumen_scale_row_c
 * (isp_dsp.h).
 *
 * 16 samples per step in unsigned 16-bit lanes whose constants alternate
 * between the two CFA phases. The Q16 scale s is split into 16-bit halves
 * sh and sl, and
 *   (v s + 0x8000) >> 16 = v sh + hi16(v sl) + (lo16(v sl) >> 15),
 * exactly, because v sh has no low bits and the rounding constant only
 * carries when bit 15 of v sl is set. With v clamped to vmax the true
 * result is at most 2 * LUMEN_WORK_MAX, so the 16-bit sums cannot wrap.
 * The row may be in place, so the last width % 16 samples go through C
 * rather than an overlapping step.
 */
#include <immintrin.h>

#include "isp/isp_dsp.h"

static inline __m256i alt(uint32_t even, uint32_t odd)
{
	return _mm256_set1_epi32((int)((even & 0xffff) | (odd & 0xffff) << 16));
}

LUMEN_SCALE_ROW_FN(lumen_scale_row_avx2)
{
	const __m256i black = alt(p->black[0], p->black[1]);
	const __m256i vmax = alt(p->vmax[0], p->vmax[1]);
	const __m256i sh = alt(p->scale[0] >> 16, p->scale[1] >> 16);
	const __m256i sl = alt(p->scale[0], p->scale[1]);
	const __m256i maxv = _mm256_set1_epi16(LUMEN_WORK_MAX);
	int x = 0;

	for (; x + 16 <= width; x += 16) {
		__m256i v = _mm256_loadu_si256((const __m256i *)(const void *)(src + x));
		__m256i r;

		v = _mm256_min_epu16(_mm256_subs_epu16(v, black), vmax);
		r = _mm256_add_epi16(_mm256_mullo_epi16(v, sh), _mm256_mulhi_epu16(v, sl));
		r = _mm256_add_epi16(r, _mm256_srli_epi16(_mm256_mullo_epi16(v, sl), 15));
		_mm256_storeu_si256((__m256i *)(void *)(dst + x), _mm256_min_epu16(r, maxv));
	}
	if (x < width)
		lumen_scale_row_c(dst + x, src + x, width - x, p);
}
