// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * AVX2 row kernel of the fast demosaic; bit-exact with lumen_demosaic_row_c
 * (see demosaic_dsp.h for the arithmetic it must reproduce).
 *
 * 16 samples per step. The seven neighbourhood terms are formed in 16-bit
 * lanes (each is at most 2 * LUMEN_WORK_MAX, so fits int16), interleaved
 * two by two with unpacklo/hi, and vpmaddwd multiplies each pair by a
 * per-lane coefficient pair and adds them into exact 32-bit sums. Because
 * interleaving puts even and odd samples in alternate 32-bit lanes, one
 * coefficient vector holds both CFA phases: no blend, no branch. The fourth
 * pair is (Ds, 1) so that the rounding constant rides along. packus_epi32
 * undoes the in-lane interleave and clamps below 0; min clamps the top.
 * A ragged end is done by one more step on the last 16 samples, which
 * rewrites some outputs with the same values; rows under 16 go to C.
 */
#include <immintrin.h>

#include "isp/demosaic_dsp.h"
#include "isp/isp.h"

/* Coefficient vector of term pair (a, b) for kernels k0 (even samples)
 * and k1 (odd samples); b == LUMEN_DM_NTERMS means the constant 1, whose
 * coefficient is the rounding constant 8. */
static inline __m256i dm_pair(int k0, int k1, int a, int b)
{
	uint16_t e0 = (uint16_t)lumen_demosaic_coef[k0][a];
	uint16_t o0 = (uint16_t)lumen_demosaic_coef[k1][a];
	uint16_t e1 = b < LUMEN_DM_NTERMS ? (uint16_t)lumen_demosaic_coef[k0][b] : 8;
	uint16_t o1 = b < LUMEN_DM_NTERMS ? (uint16_t)lumen_demosaic_coef[k1][b] : 8;
	__m256i even = _mm256_set1_epi32((int)((uint32_t)e1 << 16 | e0));
	__m256i odd = _mm256_set1_epi32((int)((uint32_t)o1 << 16 | o0));

	return _mm256_blend_epi32(even, odd, 0xaa);
}

/* The four pair vectors of each channel for a row seeing @order at its
 * first sample, with the phases swapped when @swap. */
static inline void dm_coefs(__m256i k[3][4], enum lumen_bayer order, int swap)
{
	for (int ch = 0; ch < 3; ch++) {
		int k0 = lumen_demosaic_kernel_for(order, ch, swap);
		int k1 = lumen_demosaic_kernel_for(order, ch, !swap);

		k[ch][0] = dm_pair(k0, k1, 0, 1);	/* c, V1 */
		k[ch][1] = dm_pair(k0, k1, 2, 3);	/* H1, V2 */
		k[ch][2] = dm_pair(k0, k1, 4, 5);	/* H2, Dn */
		k[ch][3] = dm_pair(k0, k1, 6, LUMEN_DM_NTERMS);	/* Ds, 1 */
	}
}

/* p[2i] / p[2i+1]: unpacklo / unpackhi of term pair i. */
static inline __attribute__((always_inline)) void
dm_channel(uint16_t *dst, const __m256i p[8], const __m256i k[4], __m256i maxv)
{
	__m256i lo = _mm256_add_epi32(
		_mm256_add_epi32(_mm256_madd_epi16(p[0], k[0]),
				 _mm256_madd_epi16(p[2], k[1])),
		_mm256_add_epi32(_mm256_madd_epi16(p[4], k[2]),
				 _mm256_madd_epi16(p[6], k[3])));
	__m256i hi = _mm256_add_epi32(
		_mm256_add_epi32(_mm256_madd_epi16(p[1], k[0]),
				 _mm256_madd_epi16(p[3], k[1])),
		_mm256_add_epi32(_mm256_madd_epi16(p[5], k[2]),
				 _mm256_madd_epi16(p[7], k[3])));
	__m256i v;

	lo = _mm256_srai_epi32(lo, 4);
	hi = _mm256_srai_epi32(hi, 4);
	v = _mm256_min_epu16(_mm256_packus_epi32(lo, hi), maxv);
	_mm256_storeu_si256((__m256i *)(void *)dst, v);
}

#define LD(p) _mm256_loadu_si256((const __m256i *)(const void *)(p))

/* Samples x .. x+15 of the row; k holds the phase of sample x. */
static inline __attribute__((always_inline)) void
dm_step(uint16_t *dst_r, uint16_t *dst_g, uint16_t *dst_b,
	const uint16_t *const src[5], int x, __m256i k[3][4], __m256i maxv)
{
	const uint16_t *s0 = src[0] + x, *s1 = src[1] + x, *s2 = src[2] + x;
	const uint16_t *s3 = src[3] + x, *s4 = src[4] + x;
	__m256i c = LD(s2);
	__m256i v1 = _mm256_add_epi16(LD(s1), LD(s3));
	__m256i v2 = _mm256_add_epi16(LD(s0), LD(s4));
	__m256i h1 = _mm256_add_epi16(LD(s2 - 1), LD(s2 + 1));
	__m256i h2 = _mm256_add_epi16(LD(s2 - 2), LD(s2 + 2));
	__m256i dn = _mm256_add_epi16(LD(s1 - 1), LD(s1 + 1));
	__m256i ds = _mm256_add_epi16(LD(s3 - 1), LD(s3 + 1));
	__m256i one = _mm256_set1_epi16(1);
	__m256i p[8] = {
		_mm256_unpacklo_epi16(c, v1), _mm256_unpackhi_epi16(c, v1),
		_mm256_unpacklo_epi16(h1, v2), _mm256_unpackhi_epi16(h1, v2),
		_mm256_unpacklo_epi16(h2, dn), _mm256_unpackhi_epi16(h2, dn),
		_mm256_unpacklo_epi16(ds, one), _mm256_unpackhi_epi16(ds, one),
	};

	dm_channel(dst_r + x, p, k[0], maxv);
	dm_channel(dst_g + x, p, k[1], maxv);
	dm_channel(dst_b + x, p, k[2], maxv);
}

LUMEN_DEMOSAIC_ROW_FN(lumen_demosaic_row_avx2)
{
	const __m256i maxv = _mm256_set1_epi16(LUMEN_WORK_MAX);
	__m256i k[3][4];
	int x = 0;

	if (width < 16) {
		lumen_demosaic_row_c(dst_r, dst_g, dst_b, src, width, order);
		return;
	}
	dm_coefs(k, order, 0);
	for (; x + 16 <= width; x += 16)
		dm_step(dst_r, dst_g, dst_b, src, x, k, maxv);
	if (x < width) {
		/* the last 16 samples again, overlapping: same values */
		x = width - 16;
		if (x & 1)
			dm_coefs(k, order, 1);
		dm_step(dst_r, dst_g, dst_b, src, x, k, maxv);
	}
}
