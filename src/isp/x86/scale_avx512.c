// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * AVX-512 (F + BW) black level / gain row (blc of 16-bit input, and wb);
 * exact with lumen_scale_row_c (isp_dsp.h). The arithmetic of the AVX2 row
 * (x86/scale_avx2.c, which says why it is exact) on 32 samples per step.
 * The row may be in place, so the last width % 32 samples go through the
 * AVX2 row rather than an overlapping step.
 */
#include <immintrin.h>

#include "isp/isp_dsp.h"

static inline __m512i alt(uint32_t even, uint32_t odd)
{
	return _mm512_set1_epi32((int)((even & 0xffff) | (odd & 0xffff) << 16));
}

LUMEN_SCALE_ROW_FN(lumen_scale_row_avx512)
{
	const __m512i black = alt(p->black[0], p->black[1]);
	const __m512i vmax = alt(p->vmax[0], p->vmax[1]);
	const __m512i sh = alt(p->scale[0] >> 16, p->scale[1] >> 16);
	const __m512i sl = alt(p->scale[0], p->scale[1]);
	const __m512i maxv = _mm512_set1_epi16(LUMEN_WORK_MAX);
	int x = 0;

	for (; x + 32 <= width; x += 32) {
		__m512i v = _mm512_loadu_si512((const void *)(src + x)), r;

		v = _mm512_min_epu16(_mm512_subs_epu16(v, black), vmax);
		r = _mm512_add_epi16(_mm512_mullo_epi16(v, sh), _mm512_mulhi_epu16(v, sl));
		r = _mm512_add_epi16(r, _mm512_srli_epi16(_mm512_mullo_epi16(v, sl), 15));
		_mm512_storeu_si512((void *)(dst + x), _mm512_min_epu16(r, maxv));
	}
	if (x < width)
		lumen_scale_row_avx2(dst + x, src + x, width - x, p);
}
