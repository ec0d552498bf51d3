// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Noise reduction (isp/denoise.c) and sharpening (isp/sharpen.c): the
 * noise on a flat noisy patch falls by the expected factor while a step
 * edge keeps its height, the strength follows the noise model, the SIMD
 * row kernel equals the C one on hostile rows, and sharpening steepens an
 * edge without overshoot. Small frames: well under a second natively.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/cpu.h"
#include "isp/isp_dsp.h"
#include "isp/stages.h"
#include "testutil.h"

#define W 96
#define H 64
#define EDGE 48			/* step at this column */
#define LO 2000
#define HI 6000

static uint16_t *px(const struct lumen_frame *f, int x, int y)
{
	return (uint16_t *)(void *)(f->data[0] + (size_t)y * f->stride[0]) + x;
}

/* Gaussian from two uniforms of the test generator */
static double gauss(unsigned *seed)
{
	double u1 = (lumen_test_rand(seed) + 1.0) / 4294967297.0;
	double u2 = (lumen_test_rand(seed) + 1.0) / 4294967297.0;

	return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

/* A step from LO to HI at column EDGE, noise of variance a v + b. */
static void noisy_step(struct lumen_frame *f, double a, double b, unsigned seed)
{
	f->bayer = LUMEN_BAYER_RGGB;
	for (int y = 0; y < H; y++)
		for (int x = 0; x < W; x++) {
			const double v = x < EDGE ? LO : HI;
			double n = v + sqrt(a * v + b) * gauss(&seed);

			*px(f, x, y) = (uint16_t)(n < 0 ? 0 : n > LUMEN_WORK_MAX ? LUMEN_WORK_MAX : lrint(n));
		}
}

/* Standard deviation about the true level over columns [x0, x1) of the
 * inner rows. */
static double rms_error(const struct lumen_frame *f, int x0, int x1, double level)
{
	double se = 0.0;
	int n = 0;

	for (int y = 4; y < H - 4; y++)
		for (int x = x0; x < x1; x++) {
			const double e = *px(f, x, y) - level;

			se += e * e;
			n++;
		}
	return sqrt(se / n);
}

/* Mean over columns [x0, x1) of the inner rows. */
static double mean_cols(const struct lumen_frame *f, int x0, int x1)
{
	double s = 0.0;
	int n = 0;

	for (int y = 4; y < H - 4; y++)
		for (int x = x0; x < x1; x++) {
			s += *px(f, x, y);
			n++;
		}
	return s / n;
}

enum method { FAST, QUALITY };

static void run(enum method m, struct lumen_frame *f, const float model[2],
		float strength)
{
	if (m == FAST) {
		struct lumen_denoise_coef c;
		uint16_t rows[3 * W];

		lumen_denoise_coef_make(&c, model, strength);
		assert_int_equal(lumen_denoise_fast_apply(f, &c, rows), 0);
	} else {
		assert_int_equal(lumen_denoise_quality_apply(f, model, strength), 0);
	}
}

/* Flat areas lose at least @factor of their noise; the step keeps its
 * height right at the edge (the columns either side of it). */
static void check_flat_and_edge(enum method m, double factor)
{
	const float model[2] = { 2.0f, 900.0f };	/* shot and read noise */
	struct lumen_frame f;
	double before_lo, before_hi, after_lo, after_hi, step;

	assert_int_equal(lumen_frame_alloc(&f, LUMEN_PIX_BAYER16, W, H), 0);
	noisy_step(&f, model[0], model[1], 7);
	before_lo = rms_error(&f, 4, EDGE - 6, LO);
	before_hi = rms_error(&f, EDGE + 6, W - 4, HI);
	run(m, &f, model, 1.0f);
	after_lo = rms_error(&f, 4, EDGE - 6, LO);
	after_hi = rms_error(&f, EDGE + 6, W - 4, HI);
	if (after_lo * factor > before_lo || after_hi * factor > before_hi)
		fail_msg("noise %.1f -> %.1f (low side), %.1f -> %.1f (high side): "
			 "less than %.1fx", before_lo, after_lo, before_hi, after_hi, factor);
	/* the two columns next to the edge on each side keep their levels */
	step = mean_cols(&f, EDGE, EDGE + 2) - mean_cols(&f, EDGE - 2, EDGE);
	if (step < 0.95 * (HI - LO))
		fail_msg("edge %.0f of %d kept", step, HI - LO);
	/* and no level moved (no bias from the transforms) */
	assert_true(fabs(mean_cols(&f, 4, EDGE - 6) - LO) < 15.0);
	assert_true(fabs(mean_cols(&f, EDGE + 6, W - 4) - HI) < 25.0);
	lumen_frame_free(&f);
}

static void fast_reduces_noise_keeps_edge(void **state)
{
	(void)state;
	check_flat_and_edge(FAST, 1.8);
}

static void quality_reduces_noise_keeps_edge(void **state)
{
	(void)state;
	check_flat_and_edge(QUALITY, 3.0);
}

/* The same noisy frame, told the noise is 16x smaller in variance, is
 * changed much less: the strength follows the model, not the picture. */
static void strength_follows_model(enum method m)
{
	const float model[2] = { 2.0f, 900.0f }, small[2] = { 0.125f, 56.25f };
	struct lumen_frame f, g;
	double base, full, weak;

	assert_int_equal(lumen_frame_alloc(&f, LUMEN_PIX_BAYER16, W, H), 0);
	assert_int_equal(lumen_frame_alloc(&g, LUMEN_PIX_BAYER16, W, H), 0);
	noisy_step(&f, model[0], model[1], 11);
	noisy_step(&g, model[0], model[1], 11);
	base = rms_error(&f, 4, EDGE - 6, LO);
	run(m, &f, model, 1.0f);
	run(m, &g, small, 1.0f);
	full = rms_error(&f, 4, EDGE - 6, LO);
	weak = rms_error(&g, 4, EDGE - 6, LO);
	if (!(weak > 0.8 * base && full < 0.6 * weak))
		fail_msg("noise %.1f: %.1f with the true model, %.1f with a 4x smaller "
			 "sigma", base, full, weak);
	/* strength 0 is off */
	noisy_step(&g, model[0], model[1], 11);
	run(m, &g, model, 0.0f);
	assert_true(rms_error(&g, 4, EDGE - 6, LO) == base);
	lumen_frame_free(&g);
	lumen_frame_free(&f);
}

static void fast_strength_follows_model(void **state)
{
	(void)state;
	strength_follows_model(FAST);
}

static void quality_strength_follows_model(void **state)
{
	(void)state;
	strength_follows_model(QUALITY);
}

/* With no model, the frame's own estimate is used. */
static void model_from_params_or_frame(void **state)
{
	struct lumen_isp_params p;
	struct lumen_frame f;
	float m[2];

	(void)state;
	assert_int_equal(lumen_frame_alloc(&f, LUMEN_PIX_BAYER16, W, H), 0);
	noisy_step(&f, 0.0, 400.0, 3);
	lumen_isp_params_default(&p);
	p.dpc_noise[0] = 2.0f;
	p.dpc_noise[1] = 100.0f;
	p.dpc_gain = 4.0f;
	lumen_denoise_model(&p, &f, m);
	assert_true(m[0] == 8.0f && m[1] == 1600.0f);
	p.dpc_noise[0] = p.dpc_noise[1] = 0.0f;
	lumen_denoise_model(&p, &f, m);
	/* sigma 20 measured from the frame itself, within 25 %, of which
	 * the set share is taken */
	if (!(m[0] == 0.0f && m[1] > 225.0f * LUMEN_DENOISE_ESTIMATE_SHARE &&
	      m[1] < 625.0f * LUMEN_DENOISE_ESTIMATE_SHARE))
		fail_msg("estimated model %g %g for sigma 20", m[0], m[1]);
	lumen_frame_free(&f);
}

/* The row kernels of every level the CPU has against C, on hostile rows:
 * random, extremes, odd lengths, thresholds from none to the largest. */
static void simd_equals_c(void **state)
{
	const unsigned all = lumen_cpu_flags();
	enum { N = 203, PAD = 8 };
	uint16_t up[N + 2 * PAD], row[N + 2 * PAD], dn[N + 2 * PAD];
	uint16_t ref[N + 2], out[N + 2];
	unsigned seed = 5;

	(void)state;
	for (int it = 0; it < 400; it++) {
		const float models[4][2] = { { 0, 0 }, { 2.0f, 900.0f }, { 40.0f, 2e4f },
					     { 1e4f, 1e8f } };
		struct lumen_denoise_coef c;
		const int n = 1 + (int)(lumen_test_rand(&seed) % N);
		const int pat = it % 4;

		lumen_denoise_coef_make(&c, models[it / 4 % 4],
					0.25f + (float)(lumen_test_rand(&seed) % 16) / 4.0f);
		for (int i = 0; i < N + 2 * PAD; i++) {
			uint16_t *r[3] = { &up[i], &row[i], &dn[i] };

			for (int k = 0; k < 3; k++) {
				unsigned v = lumen_test_rand(&seed);

				*r[k] = (uint16_t)(pat == 0 ? v % (LUMEN_WORK_MAX + 1) :
					pat == 1 ? (v & 1 ? LUMEN_WORK_MAX : 0) :
					pat == 2 ? 3000 + v % 200 :
					(v % 7 ? 8000 : v % (LUMEN_WORK_MAX + 1)));
			}
		}
		lumen_cpu_set_mask(0);
		{
			struct lumen_isp_dsp d;

			lumen_isp_dsp_init(&d);
			ref[n] = ref[n + 1] = 0xbeef;
			d.denoise_row(ref, up + PAD, row + PAD, dn + PAD, n, &c);
		}
		for (unsigned lv = 1; lv <= 3; lv++) {
			const unsigned mask = lv == 1 ? LUMEN_CPU_AVX2 :
					      lv == 2 ? LUMEN_CPU_AVX2 | LUMEN_CPU_AVX512 :
					      LUMEN_CPU_NEON;
			struct lumen_isp_dsp d;

			if ((all & mask) != mask)
				continue;
			lumen_cpu_set_mask(mask);
			lumen_isp_dsp_init(&d);
			out[n] = out[n + 1] = 0xbeef;
			d.denoise_row(out, up + PAD, row + PAD, dn + PAD, n, &c);
			assert_memory_equal(ref, out, sizeof(uint16_t) * (size_t)(n + 2));
		}
	}
	lumen_cpu_set_mask(all);
}

/* The sharpen row kernels of every level against C: random and extreme
 * luma rows, odd widths, amounts from the least to the most. */
static void sharpen_simd_equals_c(void **state)
{
	const unsigned all = lumen_cpu_flags();
	enum { N = 157 };
	uint16_t luma[3][N + 2], planes[3][3][N + 1], tmp[4 * (N + 2)], nl[2][N + 2];
	unsigned seed = 9;

	(void)state;
	for (int it = 0; it < 300; it++) {
		const int w = 1 + (int)(lumen_test_rand(&seed) % N);
		const int a = it % 5 == 0 ? LUMEN_SHARPEN_A_MAX :
			      1 + (int)(lumen_test_rand(&seed) % LUMEN_SHARPEN_A_MAX);
		struct lumen_isp_dsp d;
		uint16_t *pl[3];

		memset(nl, 0, sizeof(nl));
		for (int k = 0; k < 3; k++)
			for (int x = 0; x < N + 2; x++) {
				unsigned v = lumen_test_rand(&seed);

				luma[k][x] = (uint16_t)(it & 1 ? (v & 1 ? LUMEN_WORK_MAX : 0) :
							v % (LUMEN_WORK_MAX + 1));
			}
		for (int c = 0; c < 3; c++)
			for (int x = 0; x <= N; x++)
				planes[0][c][x] = planes[2][c][x] =
					(uint16_t)(lumen_test_rand(&seed) % (LUMEN_WORK_MAX + 1));
		lumen_cpu_set_mask(0);
		lumen_isp_dsp_init(&d);
		for (int c = 0; c < 3; c++)
			pl[c] = planes[0][c];
		d.sharpen_row(pl, luma[0] + 1, luma[1] + 1, luma[2] + 1, tmp, w, a, NULL, NULL);
		lumen_isp_dsp_init(&d);
		d.sharpen_row(pl, luma[0] + 1, luma[1] + 1, luma[2] + 1, tmp, w, a,
			      (const uint16_t *const *)pl, nl[0] + 1);
		for (unsigned lv = 1; lv <= 3; lv++) {
			const unsigned mask = lv == 1 ? LUMEN_CPU_AVX2 :
					      lv == 2 ? LUMEN_CPU_AVX2 | LUMEN_CPU_AVX512 :
					      LUMEN_CPU_NEON;

			if ((all & mask) != mask)
				continue;
			memcpy(planes[1], planes[2], sizeof(planes[1]));
			nl[1][0] = 0;
			lumen_cpu_set_mask(mask);
			lumen_isp_dsp_init(&d);
			for (int c = 0; c < 3; c++)
				pl[c] = planes[1][c];
			d.sharpen_row(pl, luma[0] + 1, luma[1] + 1, luma[2] + 1, tmp, w, a,
				      NULL, NULL);
			d.sharpen_row(pl, luma[0] + 1, luma[1] + 1, luma[2] + 1, tmp, w, a,
				      (const uint16_t *const *)pl, nl[1] + 1);
			assert_memory_equal(nl[0], nl[1], sizeof(nl[0]));
			/* the same, and nothing written past w */
			assert_memory_equal(planes[0], planes[1], sizeof(planes[0]));
		}
	}
	lumen_cpu_set_mask(all);
}

/* Sharpening steepens a soft edge in luma only, never beyond the levels
 * around it, and leaves flat areas alone. */
static void sharpen_steepens_without_halo(void **state)
{
	struct lumen_frame f;
	uint16_t rows[LUMEN_ISP_STAGE_ROWS * (W + 2)];
	const int ramp[6] = { 2000, 2000, 3000, 5000, 6000, 6000 };

	(void)state;
	assert_int_equal(lumen_frame_alloc(&f, LUMEN_PIX_RGB16P, W, 8), 0);
	for (int y = 0; y < 8; y++)
		for (int c = 0; c < 3; c++) {
			uint16_t *r = (uint16_t *)(void *)(f.data[c] + (size_t)y * f.stride[c]);

			for (int x = 0; x < W; x++) {
				const int v = x < 45 ? 2000 : x >= 51 ? 6000 : ramp[x - 45];

				r[x] = (uint16_t)(v + 100 * c);	/* a colour offset */
			}
		}
	assert_int_equal(lumen_sharpen_apply(&f, 1.0f, rows), 0);
	for (int y = 0; y < 8; y++) {
		const uint16_t *r = (const uint16_t *)(const void *)(f.data[0] + (size_t)y * f.stride[0]);
		const uint16_t *b = (const uint16_t *)(const void *)(f.data[2] + (size_t)y * f.stride[2]);

		/* steeper: the lower middle sample falls, the upper one rises */
		assert_true(r[47] < 3000 && r[48] > 5000);
		/* no halo: nothing beyond the levels of the two sides */
		for (int x = 0; x < W; x++) {
			assert_true(r[x] >= 2000 && r[x] <= 6000);
			assert_int_equal(b[x] - r[x], 200);	/* luma only */
		}
		assert_int_equal(r[10], 2000);
		assert_int_equal(r[80], 6000);
	}
	lumen_frame_free(&f);
}

/* The quality method works through strips of cell rows: a cell's result
 * does not depend on where the strips cut. The same noisy texture shifted
 * down by an odd number of cells (other content above) gives the same
 * samples, bit for bit, wherever the mirrored borders are not reached. */
static void quality_independent_of_strips(void **state)
{
	const float model[2] = { 2.0f, 900.0f };
	const int w = 38, h = 58, shift = 6;	/* 3 cells: strips cut elsewhere */
	struct lumen_frame f, g;
	unsigned seed = 5;

	(void)state;
	assert_int_equal(lumen_frame_alloc(&f, LUMEN_PIX_BAYER16, w, h), 0);
	assert_int_equal(lumen_frame_alloc(&g, LUMEN_PIX_BAYER16, w, h + shift), 0);
	f.bayer = g.bayer = LUMEN_BAYER_GRBG;
	for (int y = 0; y < h + shift; y++)
		for (int x = 0; x < w; x++) {
			double v = 3000 + 2000 * sin(0.4 * x + 0.23 * y) +
				   60 * gauss(&seed);

			*px(&g, x, y) = (uint16_t)lrint(v < 0 ? 0 : v);
			if (y >= shift)
				*px(&f, x, y - shift) = *px(&g, x, y);
		}
	run(QUALITY, &f, model, 1.0f);
	run(QUALITY, &g, model, 1.0f);
	/* the borders' mirror reaches 4 cells (search 3 + patch 1) in */
	for (int y = 8; y < h - 8; y++)
		for (int x = 0; x < w; x++)
			if (*px(&f, x, y) != *px(&g, x, y + shift))
				fail_msg("(%d, %d): %u here, %u shifted", x, y,
					 *px(&f, x, y), *px(&g, x, y + shift));
	lumen_frame_free(&g);
	lumen_frame_free(&f);
}

/* Tiny and odd frames: every method runs in bounds (the sanitizer builds
 * check that) and keeps a flat frame flat. */
static void tiny_frames(void **state)
{
	static const int sizes[][2] = { { 1, 1 }, { 2, 2 }, { 3, 5 }, { 5, 3 }, { 7, 7 },
					{ 6, 1 }, { 1, 6 } };
	const float model[2] = { 2.0f, 900.0f };

	(void)state;
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		const int w = sizes[i][0], h = sizes[i][1];
		struct lumen_frame f, rgb;
		struct lumen_denoise_coef c;
		uint16_t rows[LUMEN_ISP_STAGE_ROWS * (7 + 2)];

		assert_int_equal(lumen_frame_alloc(&f, LUMEN_PIX_BAYER16, w, h), 0);
		assert_int_equal(lumen_frame_alloc(&rgb, LUMEN_PIX_RGB16P, w, h), 0);
		for (int y = 0; y < h; y++)
			for (int x = 0; x < w; x++)
				*px(&f, x, y) = 5000;
		for (int c3 = 0; c3 < 3; c3++)
			for (int y = 0; y < h; y++)
				for (int x = 0; x < w; x++)
					((uint16_t *)(void *)(rgb.data[c3] +
						(size_t)y * rgb.stride[c3]))[x] = 5000;
		lumen_denoise_coef_make(&c, model, 1.0f);
		assert_int_equal(lumen_denoise_fast_apply(&f, &c, rows), 0);
		assert_int_equal(lumen_denoise_quality_apply(&f, model, 1.0f), 0);
		assert_int_equal(lumen_sharpen_apply(&rgb, 2.0f, rows), 0);
		for (int y = 0; y < h; y++)
			for (int x = 0; x < w; x++) {
				assert_int_equal(*px(&f, x, y), 5000);
				assert_int_equal(((uint16_t *)(void *)(rgb.data[1] +
					(size_t)y * rgb.stride[1]))[x], 5000);
			}
		lumen_frame_free(&rgb);
		lumen_frame_free(&f);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fast_reduces_noise_keeps_edge),
		cmocka_unit_test(quality_reduces_noise_keeps_edge),
		cmocka_unit_test(fast_strength_follows_model),
		cmocka_unit_test(quality_strength_follows_model),
		cmocka_unit_test(model_from_params_or_frame),
		cmocka_unit_test(simd_equals_c),
		cmocka_unit_test(sharpen_steepens_without_halo),
		cmocka_unit_test(sharpen_simd_equals_c),
		cmocka_unit_test(quality_independent_of_strips),
		cmocka_unit_test(tiny_frames),
	};

	return lumen_test_run_group(tests, NULL, NULL);
}
