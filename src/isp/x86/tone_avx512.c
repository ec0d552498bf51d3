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
#include "isp/x86/tone_avx512.h"

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

/*
 * The fused colour matrix and tone, 32 pixels per step (ccm_tone32(),
 * x86/tone_avx512.h); matrices with an entry beyond int16, and the last
 * width % 32 pixels, go through the C matrix and the tone row in chunks.
 */
LUMEN_CCM_TONE_ROW_FN(lumen_ccm_tone_row_avx512)
{
	const __m512i maxv = _mm512_set1_epi16(LUMEN_WORK_MAX);
	struct ccm_tone_regs r;
	int x = 0;

	if (!ccm_tone_regs_load(&r, q, t))
		goto rest;
	for (; x + 32 <= width; x += 32) {
		const __m512i rr = _mm512_min_epu16(_mm512_loadu_si512(src[0] + x), maxv);
		const __m512i gg = _mm512_min_epu16(_mm512_loadu_si512(src[1] + x), maxv);
		const __m512i bb = _mm512_min_epu16(_mm512_loadu_si512(src[2] + x), maxv);

		ccm_tone32(dst, x, rr, gg, bb, &r);
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
