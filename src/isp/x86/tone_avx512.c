// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * AVX-512 (F + BW) tone row: the quadratics of struct lumen_tone
 * computed, not looked up; exact with lumen_tone_row_c (isp_dsp.h).
 *
 * 32 samples per step, 16 per vector: clamped to LUMEN_WORK_MAX, plus 128,
 * widened to 32 bits, to float f; the piece is the low four bits of the
 * float's bits >> 22, which vpermps takes as its index directly (the
 * sixteen pieces are one register per coefficient), so each coefficient
 * is one permute; Horner in f with two vfmadd, then vcvtps2dq (round to
 * nearest even, lrintf's mode), a clip below at 0 and vpmovusdb
 * (saturating, the clip at 255). The last width % 32 samples go through
 * the C kernel.
 *
 * There is no AVX2 version: with eight lanes the same arithmetic took as
 * long as the C kernel's table lookups (2.35 against 2.16 ms per
 * 2560x1440 frame on the reference machine, docs/isp.md), and AVX2
 * gathers from the table were slower still.
 */
#include <immintrin.h>

#include "isp/isp_dsp.h"

struct tone_regs {
	__m512 k[LUMEN_TONE_COEFS];
};

static void tone_regs_load(struct tone_regs *r, const struct lumen_tone *t)
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

/* the same at 16 16-bit values v + 128, clipped to 0..255 */
static inline __attribute__((always_inline)) __m128i
tone16(__m256i v, const struct tone_regs *r)
{
	return _mm512_cvtusepi32_epi8(_mm512_max_epi32(
		tone_y(_mm512_cvtepu16_epi32(v), r), _mm512_setzero_si512()));
}

LUMEN_TONE_ROW_FN(lumen_tone_row_avx512)
{
	const __m512i maxv = _mm512_set1_epi16(LUMEN_WORK_MAX);
	const __m512i off = _mm512_set1_epi16(128);
	struct tone_regs r;
	int x = 0;

	tone_regs_load(&r, t);
	for (int c = 0; c < 3; c++) {
		const uint16_t *s = src[c];
		uint8_t *d = dst[c];

		for (x = 0; x + 32 <= width; x += 32) {
			/* at most LUMEN_WORK_MAX + 128: no wrap */
			const __m512i a = _mm512_add_epi16(
				_mm512_min_epu16(_mm512_loadu_si512(s + x), maxv), off);
			const __m128i lo = tone16(_mm512_castsi512_si256(a), &r);
			const __m128i hi = tone16(_mm512_extracti64x4_epi64(a, 1), &r);

			_mm256_storeu_si256((__m256i *)(void *)(d + x),
					    _mm256_set_m128i(hi, lo));
		}
	}
	if (x < width) {
		const uint16_t *s[3] = { src[0] + x, src[1] + x, src[2] + x };
		uint8_t *d[3] = { dst[0] + x, dst[1] + x, dst[2] + x };

		lumen_tone_row_c(d, s, width - x, t);
	}
}

/* the pair (a, b) in every 32-bit lane, a in the low half */
static inline __m512i pair(int32_t a, int32_t b)
{
	return _mm512_set1_epi32((int)((uint32_t)(uint16_t)a | (uint32_t)(uint16_t)b << 16));
}

/*
 * The fused colour matrix and tone: 32 pixels per step. As the AVX2 ccm
 * row, R and G are interleaved into pairs and B with a constant, and
 * vpmaddwd gives exact 32-bit sums while every coefficient fits int16 (other
 * matrices, and the last width % 32 pixels, go through the two C-backed
 * steps in chunks). The constant is 257 against the pair's 2048, so the
 * sum carries 2048 + 128 x 4096: the shift then gives the matrixed value
 * plus 128, clipped to 128 .. LUMEN_WORK_MAX + 128, which is exactly what
 * the tone quadratics take. vpackusdw after the two halves puts the pixels
 * back in order (vpunpck and vpack work within 128-bit lanes alike).
 */
LUMEN_CCM_TONE_ROW_FN(lumen_ccm_tone_row_avx512)
{
	const __m512i maxv = _mm512_set1_epi16(LUMEN_WORK_MAX);
	const __m512i c257 = _mm512_set1_epi16(257);
	const __m512i lo_v = _mm512_set1_epi32(128);
	const __m512i hi_v = _mm512_set1_epi32(LUMEN_WORK_MAX + 128);
	__m512i k_rg[3], k_b1[3];
	struct tone_regs r;
	int x = 0;

	for (int i = 0; i < 3; i++)
		for (int j = 0; j < 3; j++)
			if (q[i][j] > 32767 || q[i][j] < -32767)
				goto rest;
	for (int i = 0; i < 3; i++) {
		k_rg[i] = pair(q[i][0], q[i][1]);
		k_b1[i] = pair(q[i][2], 2048);
	}
	tone_regs_load(&r, t);
	for (; x + 32 <= width; x += 32) {
		const __m512i rr = _mm512_min_epu16(_mm512_loadu_si512(src[0] + x), maxv);
		const __m512i gg = _mm512_min_epu16(_mm512_loadu_si512(src[1] + x), maxv);
		const __m512i bb = _mm512_min_epu16(_mm512_loadu_si512(src[2] + x), maxv);
		const __m512i rg_lo = _mm512_unpacklo_epi16(rr, gg);
		const __m512i rg_hi = _mm512_unpackhi_epi16(rr, gg);
		const __m512i b1_lo = _mm512_unpacklo_epi16(bb, c257);
		const __m512i b1_hi = _mm512_unpackhi_epi16(bb, c257);

		for (int i = 0; i < 3; i++) {
			__m512i lo = _mm512_add_epi32(_mm512_madd_epi16(rg_lo, k_rg[i]),
						      _mm512_madd_epi16(b1_lo, k_b1[i]));
			__m512i hi = _mm512_add_epi32(_mm512_madd_epi16(rg_hi, k_rg[i]),
						      _mm512_madd_epi16(b1_hi, k_b1[i]));

			lo = _mm512_min_epi32(_mm512_max_epi32(_mm512_srai_epi32(lo, 12), lo_v), hi_v);
			hi = _mm512_min_epi32(_mm512_max_epi32(_mm512_srai_epi32(hi, 12), lo_v), hi_v);
			_mm256_storeu_si256((__m256i *)(void *)(dst[i] + x),
					    _mm512_cvtusepi16_epi8(_mm512_packus_epi32(
						    tone_y(lo, &r), tone_y(hi, &r))));
		}
	}
rest:
	while (x < width) {
		uint16_t lin[3][256];
		uint16_t *l[3] = { lin[0], lin[1], lin[2] };
		const uint16_t *s[3] = { src[0] + x, src[1] + x, src[2] + x };
		uint8_t *d[3] = { dst[0] + x, dst[1] + x, dst[2] + x };
		const int n = width - x < 256 ? width - x : 256;

		lumen_ccm_row_c(l, s, n, q);
		lumen_tone_row_avx512(d, (const uint16_t *const *)l, n, t);
		x += n;
	}
}
