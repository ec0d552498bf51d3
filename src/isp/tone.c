// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Tone: linear working values to 8-bit display values: the sRGB transfer
 * curve, then an optional S-curve for contrast that keeps black, mid-grey
 * and white where they are (lumen_tone_exact()).
 *
 * The ISP does not evaluate that curve per pixel: it is approximated, once
 * per contrast, by sixteen quadratics over the half octaves of v + 128
 * (struct lumen_tone), which SIMD kernels evaluate in a few vector
 * operations (the piece from the float's bits, its coefficients from
 * in-register tables) and the C kernel reads from a table of the same
 * values. Before, three table lookups per pixel were most of the fused
 * pass's time; eight cubics over whole octaves came next, one permute and
 * one multiply-add more per value and further from the curve.
 *
 * In the ISP the stage only keeps the curve current; the pixels go through
 * it in the csc stage's single pass. lumen_tone_apply() is the same
 * into RGB24, for tests and callers outside the ISP.
 */
#include <math.h>
#include <string.h>

#include "calib/colour.h"
#include "isp/isp_dsp.h"
#include "isp/stages.h"

/* the pieces are the half octaves of v + 128 from 2^7 to 2^15 (biased
 * exponents 134 to 141, whose low three bits are all different, and the
 * first mantissa bit) */
_Static_assert(LUMEN_WORK_MAX + 128 < 1 << 15, "tone pieces cover 2^7..2^15");
_Static_assert(LUMEN_TONE_PIECES == 16 && LUMEN_TONE_COEFS == 3,
	       "sixteen quadratics");
#define TONE_OFFSET 128
#define TONE_E0 7

/* piece of the float @bits (of v + 128) */
static inline int tone_piece(uint32_t bits)
{
	return (int)(bits >> 22) & (LUMEN_TONE_PIECES - 1);
}

double lumen_tone_exact(double v, float contrast)
{
	const double x = v / LUMEN_WORK_MAX, c = contrast < 0 ? 0 : contrast > 1 ? 1 : contrast;
	const double y = lumen_linear_to_srgb(x);
	/* smoothstep bends around 0.5 with the ends fixed */
	const double s = y * y * (3 - 2 * y);

	return 255.0 * (y + c * (s - y));
}

/* Solves the 3x3 system a x = b in place (partial pivoting). */
static void solve3(double a[3][3], double b[3])
{
	for (int i = 0; i < 3; i++) {
		int p = i;

		for (int r = i + 1; r < 3; r++)
			if (fabs(a[r][i]) > fabs(a[p][i]))
				p = r;
		for (int k = 0; k < 3; k++) {
			const double t = a[i][k];

			a[i][k] = a[p][k];
			a[p][k] = t;
		}
		const double t = b[i];

		b[i] = b[p];
		b[p] = t;
		for (int r = i + 1; r < 3; r++) {
			const double f = a[r][i] / a[i][i];

			for (int k = i; k < 3; k++)
				a[r][k] -= f * a[i][k];
			b[r] -= f * b[i];
		}
	}
	for (int i = 2; i >= 0; i--) {
		for (int k = i + 1; k < 3; k++)
			b[i] -= a[i][k] * b[k];
		b[i] /= a[i][i];
	}
}

float lumen_tone_fit(const struct lumen_tone *t, unsigned v)
{
	const float f = (float)((v > LUMEN_WORK_MAX ? LUMEN_WORK_MAX : v) + TONE_OFFSET);
	uint32_t bits;
	int j;

	memcpy(&bits, &f, sizeof(bits));
	j = tone_piece(bits);
	return fmaf(fmaf(t->k[2][j], f, t->k[1][j]), f, t->k[0][j]);
}

uint8_t lumen_tone_eval(const struct lumen_tone *t, unsigned v)
{
	const long q = lrintf(lumen_tone_fit(t, v));

	return (uint8_t)(q < 0 ? 0 : q > 255 ? 255 : q);
}

/*
 * Each piece interpolates lumen_tone_exact() at the three Chebyshev nodes
 * of the working values it covers: a near-minimax quadratic in the
 * mantissa m = f / 2^e, in [1, 2). Its coefficients are rounded to float
 * in that form and then scaled by 2^-ej into coefficients of f^j: a power
 * of two, so exactly, and the float Horner steps in f round exactly as
 * they would in m (every intermediate is the one in m times a power of
 * two). Over every working value and contrast in 0..1 the quadratics stay
 * within 0.075 code values of the exact curve, and so their rounded
 * values within one code value of the exact curve's (tests/test_isp_simd.c
 * measures both).
 */
void lumen_tone_build(struct lumen_tone *t, float contrast)
{
	for (int e = TONE_E0; e < TONE_E0 + LUMEN_TONE_PIECES / 2; e++)
		for (int half = 0; half < 2; half++) {
			const double scale = (double)(1 << e);
			/* f in [2^e (1 + half / 2), 2^e (1 + (half + 1) / 2)) */
			const int f0 = (2 + half) << (e - 1), f1 = ((3 + half) << (e - 1)) - 1;
			const int lo = f0 - TONE_OFFSET < 0 ? 0 : f0 - TONE_OFFSET;
			const int hi = f1 - TONE_OFFSET > LUMEN_WORK_MAX ?
				       LUMEN_WORK_MAX : f1 - TONE_OFFSET;
			const double m0 = (lo + TONE_OFFSET) / scale;
			const double m1 = (hi + TONE_OFFSET) / scale;
			const int j = ((e + 127) & 7) << 1 | half;
			double a[3][3], b[3];

			if (lo > hi) {	/* past the working range: never read */
				for (int k = 0; k < LUMEN_TONE_COEFS; k++)
					t->k[k][j] = k ? 0.0f : 255.0f;
				continue;
			}
			for (int i = 0; i < 3; i++) {
				const double m = (m0 + m1) / 2 +
						 (m1 - m0) / 2 * cos(M_PI * (2 * i + 1) / 6.0);

				a[i][0] = 1;
				for (int k = 1; k < 3; k++)
					a[i][k] = a[i][k - 1] * m;
				b[i] = lumen_tone_exact(m * scale - TONE_OFFSET, contrast);
			}
			solve3(a, b);
			for (int k = 0; k < LUMEN_TONE_COEFS; k++)
				t->k[k][j] = ldexpf((float)b[k], -e * k);
		}
	for (unsigned v = 0; v <= LUMEN_WORK_MAX; v++)
		t->lut[v] = lumen_tone_eval(t, v);
}

/*
 * Scalar lookups of the table (the SIMD kernels compute the quadratics
 * instead; an AVX2 gather from the table measured slower). Indices are
 * clamped, which costs a compare and a move; on little-endian hosts the
 * eight bytes of eight lookups leave in one 64-bit store.
 */
#define TONE_AT(x) ((uint64_t)lut[s[x] < LUMEN_WORK_MAX ? s[x] : LUMEN_WORK_MAX])
LUMEN_TONE_ROW_FN(lumen_tone_row_c)
{
	const uint8_t *restrict lut = t->lut;

	for (int c = 0; c < 3; c++) {
		const uint16_t *restrict s = src[c];
		uint8_t *restrict d = dst[c];
		int x = 0;

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
		for (; x + 8 <= width; x += 8) {
			const uint64_t o = TONE_AT(x) | TONE_AT(x + 1) << 8 |
					   TONE_AT(x + 2) << 16 | TONE_AT(x + 3) << 24 |
					   TONE_AT(x + 4) << 32 | TONE_AT(x + 5) << 40 |
					   TONE_AT(x + 6) << 48 | TONE_AT(x + 7) << 56;

			memcpy(d + x, &o, 8);
		}
#endif
		for (; x < width; x++)
			d[x] = (uint8_t)TONE_AT(x);
	}
}
#undef TONE_AT

void lumen_tone_apply(const struct lumen_frame *rgb, struct lumen_frame *out,
		      const struct lumen_tone *t)
{
	const uint8_t *lut = t->lut;

	for (int y = 0; y < rgb->height; y++) {
		const uint16_t *r = (const uint16_t *)(const void *)(rgb->data[0] + (size_t)y * rgb->stride[0]);
		const uint16_t *g = (const uint16_t *)(const void *)(rgb->data[1] + (size_t)y * rgb->stride[1]);
		const uint16_t *b = (const uint16_t *)(const void *)(rgb->data[2] + (size_t)y * rgb->stride[2]);
		uint8_t *d = out->data[0] + (size_t)y * out->stride[0];

		/* working values never exceed LUMEN_WORK_MAX (stage contract);
		 * the clamp keeps a broken upstream from reading out of bounds,
		 * with the SIMD kernels' meaning of larger values */
		for (int x = 0; x < rgb->width; x++) {
			d[3 * x] = lut[r[x] > LUMEN_WORK_MAX ? LUMEN_WORK_MAX : r[x]];
			d[3 * x + 1] = lut[g[x] > LUMEN_WORK_MAX ? LUMEN_WORK_MAX : g[x]];
			d[3 * x + 2] = lut[b[x] > LUMEN_WORK_MAX ? LUMEN_WORK_MAX : b[x]];
		}
	}
}

/*
 * Only (re)builds the curve: the pixels go through it in the csc stage's
 * single pass (lumen_isp_finish()).
 */
static int tone_run(struct lumen_isp *isp, const struct lumen_isp_params *p)
{
	if (!isp->tone_valid || isp->tone_contrast != p->contrast) {
		lumen_tone_build(&isp->tone, p->contrast);
		isp->tone_contrast = p->contrast;
		isp->tone_valid = true;
	}
	return 0;
}

const struct lumen_isp_stage lumen_isp_tone = {
	.name = "tone",
	.run = tone_run,
};
