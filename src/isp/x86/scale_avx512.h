/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The black level / gain map of isp_dsp.h on 32 16-bit lanes, shared by
 * the AVX-512 scale row (x86/scale_avx512.c) and the RAW10 blc row
 * (x86/blc_avx512.c): the AVX2 kernel's split-product form
 * (x86/scale_avx2.c says why it is exact). Include only from files built
 * with AVX-512 F + BW.
 */
#ifndef LUMEN_ISP_X86_SCALE_AVX512_H
#define LUMEN_ISP_X86_SCALE_AVX512_H

#include <immintrin.h>

#include "isp/isp_dsp.h"

/* The phase constants, even CFA phase in the low word of every dword. */
struct scale512 {
	__m512i black, vmax, sh, sl, maxv;
};

static inline __m512i scale512_alt(uint32_t even, uint32_t odd)
{
	return _mm512_set1_epi32((int)((even & 0xffff) | (odd & 0xffff) << 16));
}

static inline void scale512_init(struct scale512 *k, const struct lumen_scale_phase *p)
{
	k->black = scale512_alt(p->black[0], p->black[1]);
	k->vmax = scale512_alt(p->vmax[0], p->vmax[1]);
	k->sh = scale512_alt(p->scale[0] >> 16, p->scale[1] >> 16);
	k->sl = scale512_alt(p->scale[0], p->scale[1]);
	k->maxv = _mm512_set1_epi16(LUMEN_WORK_MAX);
}

/* The map on 32 samples. */
static inline __attribute__((always_inline)) __m512i
scale512(__m512i v, const struct scale512 *k)
{
	__m512i r;

	v = _mm512_min_epu16(_mm512_subs_epu16(v, k->black), k->vmax);
	r = _mm512_add_epi16(_mm512_mullo_epi16(v, k->sh), _mm512_mulhi_epu16(v, k->sl));
	r = _mm512_add_epi16(r, _mm512_srli_epi16(_mm512_mullo_epi16(v, k->sl), 15));
	return _mm512_min_epu16(r, k->maxv);
}

#endif
