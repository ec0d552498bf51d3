/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The AVX-512 (F + BW) tone and colour-matrix steps shared by the kernels
 * that run them: x86/tone_avx512.c (tone, ccm + tone) and
 * x86/demosaic_fast_avx512.c (demosaic + ccm + tone). Static inline, built
 * into each with its own flags; the arithmetic is isp_dsp.h's.
 */
#ifndef LUMEN_ISP_X86_TONE_AVX512_H
#define LUMEN_ISP_X86_TONE_AVX512_H

#include <immintrin.h>
#include <stdbool.h>

#include "isp/isp_dsp.h"

struct tone_regs {
	__m512 k[LUMEN_TONE_COEFS];
};

static inline void tone_regs_load(struct tone_regs *r, const struct lumen_tone *t)
{
	for (int i = 0; i < LUMEN_TONE_COEFS; i++)
		r->k[i] = _mm512_loadu_ps(t->k[i]);
}

/* the quadratics at 16 values v + 128 (32-bit lanes), rounded, not clipped */
static inline __attribute__((always_inline)) __m512i
tone_y(__m512i v, const struct tone_regs *r)
{
	const __m512 f = _mm512_cvtepi32_ps(v);
	const __m512i j = _mm512_srli_epi32(_mm512_castps_si512(f), 22);
	__m512 y = _mm512_fmadd_ps(_mm512_permutexvar_ps(j, r->k[2]), f,
				   _mm512_permutexvar_ps(j, r->k[1]));

	return _mm512_cvtps_epi32(_mm512_fmadd_ps(y, f, _mm512_permutexvar_ps(j, r->k[0])));
}

/* the pair (a, b) in every 32-bit lane, a in the low half */
static inline __m512i ccm_pair(int32_t a, int32_t b)
{
	return _mm512_set1_epi32((int)((uint32_t)(uint16_t)a | (uint32_t)(uint16_t)b << 16));
}

struct ccm_tone_regs {
	__m512i k_rg[3], k_b1[3];
	struct tone_regs tone;
};

/* The registers of ccm_tone32(); false (and nothing loaded) when an
 * entry of @q does not fit int16, which the pairs below need. */
static inline bool ccm_tone_regs_load(struct ccm_tone_regs *r, const int32_t q[3][3],
				      const struct lumen_tone *t)
{
	if (!lumen_ccm_q_fits_int16(q))
		return false;
	for (int i = 0; i < 3; i++) {
		r->k_rg[i] = ccm_pair(q[i][0], q[i][1]);
		r->k_b1[i] = ccm_pair(q[i][2], 2048);
	}
	tone_regs_load(&r->tone, t);
	return true;
}

/*
 * The fused colour matrix and tone of 32 pixels (rr, gg, bb at most
 * LUMEN_WORK_MAX) into dst[i] + x. As the AVX2 ccm row, R and G are
 * interleaved into pairs and B with a constant, and vpmaddwd gives exact
 * 32-bit sums. The constant is 257 against the pair's 2048, so the sum
 * carries 2048 + 128 x 4096: the shift then gives the matrixed value plus
 * 128, clipped to 128 .. LUMEN_WORK_MAX + 128, which is exactly what the
 * tone quadratics take. vpackusdw after the two halves puts the pixels
 * back in order (vpunpck and vpack work within 128-bit lanes alike).
 */
static inline __attribute__((always_inline)) void
ccm_tone32(uint8_t *const dst[3], int x, __m512i rr, __m512i gg, __m512i bb,
	   const struct ccm_tone_regs *r)
{
	const __m512i c257 = _mm512_set1_epi16(257);
	const __m512i lo_v = _mm512_set1_epi32(128);
	const __m512i hi_v = _mm512_set1_epi32(LUMEN_WORK_MAX + 128);
	const __m512i rg_lo = _mm512_unpacklo_epi16(rr, gg);
	const __m512i rg_hi = _mm512_unpackhi_epi16(rr, gg);
	const __m512i b1_lo = _mm512_unpacklo_epi16(bb, c257);
	const __m512i b1_hi = _mm512_unpackhi_epi16(bb, c257);

	for (int i = 0; i < 3; i++) {
		__m512i lo = _mm512_add_epi32(_mm512_madd_epi16(rg_lo, r->k_rg[i]),
					      _mm512_madd_epi16(b1_lo, r->k_b1[i]));
		__m512i hi = _mm512_add_epi32(_mm512_madd_epi16(rg_hi, r->k_rg[i]),
					      _mm512_madd_epi16(b1_hi, r->k_b1[i]));

		lo = _mm512_min_epi32(_mm512_max_epi32(_mm512_srai_epi32(lo, 12), lo_v), hi_v);
		hi = _mm512_min_epi32(_mm512_max_epi32(_mm512_srai_epi32(hi, 12), lo_v), hi_v);
		_mm256_storeu_si256((__m256i *)(void *)(dst[i] + x),
				    _mm512_cvtusepi16_epi8(_mm512_packus_epi32(
					    tone_y(lo, &r->tone), tone_y(hi, &r->tone))));
	}
}

#endif
