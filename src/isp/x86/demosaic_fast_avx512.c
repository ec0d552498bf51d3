// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * AVX-512 (F + BW + VNNI) row kernel of the fast demosaic; bit-exact with
 * lumen_demosaic_row_c (see demosaic_dsp.h for the arithmetic).
 *
 * The AVX2 kernel's scheme (x86/demosaic_fast_avx2.c: terms in 16-bit
 * lanes, interleaved two by two, multiplied and added in pairs into exact
 * 32-bit sums, both CFA phases in one coefficient vector) on 32 samples
 * per step, with two savings:
 *
 * - Dn and Ds always carry the same coefficient, so they are one term
 *   D = Dn + Ds. That sum of four samples (up to 4 LUMEN_WORK_MAX) does not
 *   fit int16, so the kernel uses D - 32768 (the top bit flipped, exact
 *   for 0 <= D < 65536) and adds coef_D x 32768 back through the
 *   accumulator's starting value, which also holds the rounding constant
 *   8. Six terms are three pairs instead of four.
 * - vpdpwssd multiplies a pair and adds it to the accumulator in one
 *   instruction: three per 16 outputs of a channel, no separate adds.
 *
 * - Of the three outputs of a sample, one is the sample itself (green at
 *   green samples, the row's colour at its own), so two sums per sample
 *   are computed, not three (struct dm_coefs), and masked blends put the
 *   copies in.
 *
 * srai, packus (clamp below) and min (clamp above) finish as in AVX2. The
 * steps are aligned to the centre row's cache lines (see the row
 * function); a ragged end is one more step on the last 32 samples; rows
 * under 32 go to the AVX2 kernel.
 */
#include <immintrin.h>
#include <stdint.h>

#include "isp/demosaic_dsp.h"
#include "isp/isp.h"
#include "isp/isp_dsp.h"
#include "isp/x86/tone_avx512.h"

#define DM_D 5	/* the coefficient of Dn, which Ds shares */

/* Coefficient pair (a, b) for kernels k0 (even samples), k1 (odd). */
static inline __m512i dm_pair(int k0, int k1, int a, int b)
{
	const uint32_t e = (uint16_t)lumen_demosaic_coef[k0][a] |
			   (uint32_t)(uint16_t)lumen_demosaic_coef[k0][b] << 16;
	const uint32_t o = (uint16_t)lumen_demosaic_coef[k1][a] |
			   (uint32_t)(uint16_t)lumen_demosaic_coef[k1][b] << 16;

	return _mm512_mask_blend_epi32(0xaaaa, _mm512_set1_epi32((int)e),
				       _mm512_set1_epi32((int)o));
}

/* The accumulator's start: rounding plus the bias of D's term. */
static inline __m512i dm_start(int k0, int k1)
{
	return _mm512_mask_blend_epi32(
		0xaaaa, _mm512_set1_epi32(8 + 32768 * lumen_demosaic_coef[k0][DM_D]),
		_mm512_set1_epi32(8 + 32768 * lumen_demosaic_coef[k1][DM_D]));
}

/*
 * Every output of the row is a copy (PASS) in one phase: green at green
 * samples, the row's own colour at its own samples; the other colour never
 * is. So two sums per sample are enough: x, green's kernel where green is
 * computed and the own colour's where that is, and y, the other colour's.
 */
struct dm_coefs {
	__m512i kx[3], ky[3];	/* pairs (c, V1), (H1, V2), (H2, D) */
	__m512i sx, sy;		/* accumulators' start */
	__mmask32 g_copy;	/* 16-bit lanes where green is the sample */
	int own;		/* the row's colour: LUMEN_CH_R or LUMEN_CH_B */
};

/* For a row seeing @order at its first sample, phases swapped if @swap. */
static void dm_coefs(struct dm_coefs *k, enum lumen_bayer order, int swap)
{
	const int own = ((int)order >> 1) & 1 ? LUMEN_CH_B : LUMEN_CH_R;
	const int other = own == LUMEN_CH_B ? LUMEN_CH_R : LUMEN_CH_B;
	int kx[2], ky[2];

	k->g_copy = 0;
	for (int par = 0; par < 2; par++) {
		const int kg = lumen_demosaic_kernel_for(order, LUMEN_CH_G, par ^ swap);

		kx[par] = kg != LUMEN_DM_PASS ? kg :
			  lumen_demosaic_kernel_for(order, own, par ^ swap);
		ky[par] = lumen_demosaic_kernel_for(order, other, par ^ swap);
		if (kg == LUMEN_DM_PASS)
			k->g_copy |= par ? 0xaaaaaaaau : 0x55555555u;
	}
	k->kx[0] = dm_pair(kx[0], kx[1], 0, 1);
	k->kx[1] = dm_pair(kx[0], kx[1], 2, 3);
	k->kx[2] = dm_pair(kx[0], kx[1], 4, DM_D);
	k->sx = dm_start(kx[0], kx[1]);
	k->ky[0] = dm_pair(ky[0], ky[1], 0, 1);
	k->ky[1] = dm_pair(ky[0], ky[1], 2, 3);
	k->ky[2] = dm_pair(ky[0], ky[1], 4, DM_D);
	k->sy = dm_start(ky[0], ky[1]);
	k->own = own;
}

/* 32 sums from the interleaved pairs p[2i] (lo), p[2i+1] (hi), clipped. */
static inline __attribute__((always_inline)) __m512i
dm_sum(const __m512i p[6], const __m512i k[3], __m512i start, __m512i maxv)
{
	__m512i lo = _mm512_dpwssd_epi32(start, p[0], k[0]);
	__m512i hi = _mm512_dpwssd_epi32(start, p[1], k[0]);

	lo = _mm512_dpwssd_epi32(lo, p[2], k[1]);
	hi = _mm512_dpwssd_epi32(hi, p[3], k[1]);
	lo = _mm512_dpwssd_epi32(lo, p[4], k[2]);
	hi = _mm512_dpwssd_epi32(hi, p[5], k[2]);
	lo = _mm512_srai_epi32(lo, 4);
	hi = _mm512_srai_epi32(hi, 4);
	return _mm512_min_epu16(_mm512_packus_epi32(lo, hi), maxv);
}

#define LD(p) _mm512_loadu_si512((const void *)(p))

/* Samples x .. x+31 of the row into the row's own colour, green and the
 * other colour; k holds the phase of sample x. */
static inline __attribute__((always_inline)) void
dm_sums(__m512i out[3], const uint16_t *const src[5], int x,
	const struct dm_coefs *k, __m512i maxv)
{
	const uint16_t *s0 = src[0] + x, *s1 = src[1] + x, *s2 = src[2] + x;
	const uint16_t *s3 = src[3] + x, *s4 = src[4] + x;
	const __m512i c = LD(s2);
	const __m512i v1 = _mm512_add_epi16(LD(s1), LD(s3));
	const __m512i v2 = _mm512_add_epi16(LD(s0), LD(s4));
	const __m512i h1 = _mm512_add_epi16(LD(s2 - 1), LD(s2 + 1));
	const __m512i h2 = _mm512_add_epi16(LD(s2 - 2), LD(s2 + 2));
	const __m512i d = _mm512_xor_si512(
		_mm512_add_epi16(_mm512_add_epi16(LD(s1 - 1), LD(s1 + 1)),
				 _mm512_add_epi16(LD(s3 - 1), LD(s3 + 1))),
		_mm512_set1_epi16(-32768));
	const __m512i p[6] = {
		_mm512_unpacklo_epi16(c, v1), _mm512_unpackhi_epi16(c, v1),
		_mm512_unpacklo_epi16(h1, v2), _mm512_unpackhi_epi16(h1, v2),
		_mm512_unpacklo_epi16(h2, d), _mm512_unpackhi_epi16(h2, d),
	};
	const __m512i sx = dm_sum(p, k->kx, k->sx, maxv);

	out[0] = _mm512_mask_blend_epi16(~k->g_copy, sx, c);
	out[1] = _mm512_mask_blend_epi16(k->g_copy, sx, c);
	out[2] = dm_sum(p, k->ky, k->sy, maxv);
}

static inline __attribute__((always_inline)) void
dm_step(uint16_t *dst_own, uint16_t *dst_g, uint16_t *dst_other,
	const uint16_t *const src[5], int x, const struct dm_coefs *k, __m512i maxv)
{
	__m512i v[3];

	dm_sums(v, src, x, k, maxv);
	_mm512_storeu_si512(dst_own + x, v[0]);
	_mm512_storeu_si512(dst_g + x, v[1]);
	_mm512_storeu_si512(dst_other + x, v[2]);
}

LUMEN_DEMOSAIC_ROW_FN(lumen_demosaic_row_avx512)
{
	const __m512i maxv = _mm512_set1_epi16(LUMEN_WORK_MAX);
	struct dm_coefs k;
	uint16_t *own, *other;
	int x = 0;

	if (width < 32) {
		lumen_demosaic_row_avx2(dst_r, dst_g, dst_b, src, width, order);
		return;
	}
	dm_coefs(&k, order, 0);
	own = k.own == LUMEN_CH_B ? dst_b : dst_r;
	other = k.own == LUMEN_CH_B ? dst_r : dst_b;
	/* one step where the row starts, then on from the first column
	 * whose centre row is 64-byte aligned (the ISP's rows start two
	 * columns in: without this, every load and store would straddle two
	 * cache lines), overlapping: same values */
	dm_step(own, dst_g, other, src, 0, &k, maxv);
	x = (int)((32 - (((uintptr_t)src[2] >> 1) & 31)) & 31);
	x = x ? x : 32;
	if (x & 1)
		dm_coefs(&k, order, 1);
	for (; x + 32 <= width; x += 32)
		dm_step(own, dst_g, other, src, x, &k, maxv);
	if (x < width) {
		/* the last 32 samples again, overlapping: same values */
		x = width - 32;
		dm_coefs(&k, order, x & 1);
		dm_step(own, dst_g, other, src, x, &k, maxv);
	}
}

/*
 * The same step straight into the colour matrix and the tone curve
 * (ccm_tone32(), x86/tone_avx512.h), 8-bit R, G, B into dst[] + x. The
 * row kernel's clip above is kept: the matrix takes its output as is.
 */
static inline __attribute__((always_inline)) void
dmt_step(uint8_t *const dst[3], const uint16_t *const src[5], int x,
	 const struct dm_coefs *k, __m512i maxv, const struct ccm_tone_regs *r)
{
	__m512i v[3];

	dm_sums(v, src, x, k, maxv);
	if (k->own == LUMEN_CH_R)
		ccm_tone32(dst, x, v[0], v[1], v[2], r);
	else
		ccm_tone32(dst, x, v[2], v[1], v[0], r);
}

LUMEN_DEMOSAIC_TONE_ROW_FN(lumen_demosaic_tone_row_avx512)
{
	const __m512i maxv = _mm512_set1_epi16(LUMEN_WORK_MAX);
	struct ccm_tone_regs r;
	struct dm_coefs k;
	int x;

	if (width < 32 || !ccm_tone_regs_load(&r, q, t)) {
		/* the definition, in steps of 32 */
		for (x = 0; x < width; x += 32) {
			uint16_t lin[3][32];
			uint16_t *l[3] = { lin[0], lin[1], lin[2] };
			uint8_t *d[3] = { dst[0] + x, dst[1] + x, dst[2] + x };
			const uint16_t *in[5] = { src[0] + x, src[1] + x, src[2] + x,
						  src[3] + x, src[4] + x };
			const int n = width - x < 32 ? width - x : 32;

			lumen_demosaic_row_c(l[0], l[1], l[2], in, n,
					     lumen_bayer_shift(order, x, 0));
			lumen_ccm_row_c(l, (const uint16_t *const *)l, n, q);
			lumen_tone_row_c(d, (const uint16_t *const *)l, n, t);
		}
		return;
	}
	/* the steps of the row kernel above */
	dm_coefs(&k, order, 0);
	dmt_step(dst, src, 0, &k, maxv, &r);
	x = (int)((32 - (((uintptr_t)src[2] >> 1) & 31)) & 31);
	x = x ? x : 32;
	if (x & 1)
		dm_coefs(&k, order, 1);
	for (; x + 32 <= width; x += 32)
		dmt_step(dst, src, x, &k, maxv, &r);
	if (x < width) {
		x = width - 32;
		dm_coefs(&k, order, x & 1);
		dmt_step(dst, src, x, &k, maxv, &r);
	}
}
