// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fast demosaic: the C reference against the published 5x5 kernels, every
 * SIMD row kernel the CPU allows against the C one (checkasm style, on
 * hostile inputs), flat and ramp reproduction, clipping, argument checks.
 * Honours LUMEN_CPU_MASK, so the same binary also runs C-only.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/cpu.h"
#include "core/frame.h"
#include "isp/demosaic.h"
#include "isp/demosaic_dsp.h"
#include "isp/isp.h"
#include "isp/isp_dsp.h"
#include "isp/stages.h"
#include "testutil.h"
#include "bayer_testutil.h"

#define MAXV LUMEN_WORK_MAX

static unsigned cpu_all;	/* flags at start, after LUMEN_CPU_MASK */

/* CPU masks to try, lowest first; each kernel is tested once. */
static const unsigned cpu_levels[] = {
	LUMEN_CPU_AVX2, LUMEN_CPU_AVX2 | LUMEN_CPU_AVX512,
	LUMEN_CPU_AVX2 | LUMEN_CPU_AVX512 | LUMEN_CPU_AVX512VNNI, LUMEN_CPU_NEON,
};
#define N_LEVELS (sizeof(cpu_levels) / sizeof(cpu_levels[0]))

static const int widths[] = { 2, 3, 5, 7, 15, 16, 17, 31, 33, 63, 65, 1001 };
#define N_WIDTHS (sizeof(widths) / sizeof(widths[0]))


static void raw_fill(struct lumen_frame *f, enum pattern p, unsigned seed)
{
	for (int y = 0; y < f->height; y++)
		for (int x = 0; x < f->width; x++)
			*raw_px(f, x, y) = pattern_at(p, x, y, &seed);
}

static void assert_rgb_equal(const struct lumen_frame *a,
			     const struct lumen_frame *b, int order,
			     const char *what)
{
	for (int ch = 0; ch < 3; ch++)
		for (int y = 0; y < a->height; y++)
			for (int x = 0; x < a->width; x++)
				if (rgb_px(a, ch, x, y) != rgb_px(b, ch, x, y)) {
					fail_msg("%s: %dx%d order %d: ch %d at (%d,%d): "
						 "%u != %u", what, a->width, a->height,
						 order, ch, x, y, rgb_px(a, ch, x, y),
						 rgb_px(b, ch, x, y));
				}
}

/* ---- the published kernels, x16, applied the slow way ---- */

static const int k_g[5][5] = {	/* G at R or B */
	{ 0, 0, -2, 0, 0 }, { 0, 0, 4, 0, 0 }, { -2, 4, 8, 4, -2 },
	{ 0, 0, 4, 0, 0 }, { 0, 0, -2, 0, 0 },
};
static const int k_h[5][5] = {	/* at G, colour of the left/right neighbours */
	{ 0, 0, 1, 0, 0 }, { 0, -2, 0, -2, 0 }, { -2, 8, 10, 8, -2 },
	{ 0, -2, 0, -2, 0 }, { 0, 0, 1, 0, 0 },
};
static const int k_d[5][5] = {	/* R at B, B at R */
	{ 0, 0, -3, 0, 0 }, { 0, 4, 0, 4, 0 }, { -3, 0, 12, 0, -3 },
	{ 0, 4, 0, 4, 0 }, { 0, 0, -3, 0, 0 },
};

static int mirror(int i, int n)
{
	while (i < 0 || i >= n)
		i = i < 0 ? -i : 2 * (n - 1) - i;
	return i;
}

/* Unclipped x16 sum of kernel k at (x, y); transpose for the vertical one. */
static int apply5(const struct lumen_frame *f, const int k[5][5], int t,
		  int x, int y)
{
	int s = 0;

	for (int dy = -2; dy <= 2; dy++)
		for (int dx = -2; dx <= 2; dx++) {
			int c = t ? k[dx + 2][dy + 2] : k[dy + 2][dx + 2];

			s += c * (int)*raw_px(f, mirror(x + dx, f->width),
					      mirror(y + dy, f->height));
		}
	return s;
}

/* x16 value of channel ch at (x, y), before rounding and clipping. */
static int naive16(const struct lumen_frame *f, int ch, int x, int y)
{
	enum lumen_channel here = lumen_bayer_at(f->bayer, x, y);

	if ((int)here == ch)
		return 16 * (int)*raw_px(f, x, y);
	if (ch == LUMEN_CH_G)
		return apply5(f, k_g, 0, x, y);
	if (here != LUMEN_CH_G)
		return apply5(f, k_d, 0, x, y);
	/* green: is ch the colour of the horizontal neighbours? */
	return apply5(f, k_h, (int)lumen_bayer_at(f->bayer, x ^ 1, y) != ch, x, y);
}

static int round_clip(int k)
{
	int v = k < 0 ? 0 : (k + 8) / 16;

	return v > MAXV ? MAXV : v;
}

/* ---- tests ---- */

static void c_matches_published_kernels(void **state)
{
	(void)state;
	lumen_cpu_set_mask(0);
	for (unsigned wi = 0; wi < N_WIDTHS; wi++)
		for (int h = 2; h <= 9; h++)
			for (int o = 0; o < 4; o++)
				for (int p = 0; p < PAT_COUNT; p++) {
					struct lumen_frame raw, rgb;
					int w = widths[wi];

					if (w > 100 && (p != PAT_RANDOM || h > 5))
						continue;	/* keep it quick */
					raw_alloc(&raw, w, h, (enum lumen_bayer)o);
					raw_fill(&raw, (enum pattern)p, 1234u + (unsigned)(w * h));
					rgb_alloc(&rgb, w, h);
					assert_int_equal(lumen_demosaic_fast(&raw, &rgb), 0);
					for (int ch = 0; ch < 3; ch++)
						for (int y = 0; y < h; y++)
							for (int x = 0; x < w; x++)
								if (rgb_px(&rgb, ch, x, y) !=
								    round_clip(naive16(&raw, ch, x, y)))
									fail_msg("%dx%d o%d p%d ch%d (%d,%d): %u != %d",
										 w, h, o, p, ch, x, y,
										 rgb_px(&rgb, ch, x, y),
										 round_clip(naive16(&raw, ch, x, y)));
					free(raw.data[0]);
					lumen_frame_free(&rgb);
				}
	lumen_cpu_set_mask(cpu_all);
}

#define GUARD 32
#define ROW_MAX 1100
#define ROW_IN (ROW_MAX + 4 + 2 * GUARD)

/* Five input rows of pattern @p, src[i] at column 0 (guards around). */
static void rows_fill(uint16_t in[5][ROW_IN], const uint16_t *src[5],
		      enum pattern p, unsigned *seed)
{
	for (int i = 0; i < 5; i++) {
		for (int x = 0; x < ROW_IN; x++)
			in[i][x] = pattern_at(p, x, i, seed);
		src[i] = in[i] + GUARD + 2;
	}
}

/* checkasm: each installed row kernel against the C one, with guards. */
static void simd_row_kernels_match_c(void **state)
{
	static uint16_t in[5][ROW_IN];
	static uint16_t out[2][3][ROW_MAX + 2 * GUARD];
	int tested = 0;

	(void)state;
	for (unsigned l = 0; l < N_LEVELS; l++) {
		struct lumen_demosaic_dsp dsp;
		unsigned seed = 99;

		if ((cpu_levels[l] & cpu_all) != cpu_levels[l])
			continue;
		lumen_cpu_set_mask(cpu_levels[l]);
		lumen_demosaic_dsp_init(&dsp);
		if (dsp.row == lumen_demosaic_row_c)
			continue;
		tested++;
		for (int w = 1; w <= ROW_MAX; w += (w < 80 ? 1 : 97))
			for (int o = 0; o < 4; o++)
				for (int p = 0; p < PAT_COUNT; p++) {
					const uint16_t *src[5];
					uint16_t *dst[2][3];

					rows_fill(in, src, (enum pattern)p, &seed);
					for (int k = 0; k < 2; k++)
						for (int ch = 0; ch < 3; ch++) {
							for (int x = 0; x < ROW_MAX + 2 * GUARD; x++)
								out[k][ch][x] = 0xdead & 0xffff;
							dst[k][ch] = out[k][ch] + GUARD;
						}
					lumen_demosaic_row_c(dst[0][0], dst[0][1], dst[0][2], src, w,
							     (enum lumen_bayer)o);
					dsp.row(dst[1][0], dst[1][1], dst[1][2], src, w,
						(enum lumen_bayer)o);
					for (int ch = 0; ch < 3; ch++)
						for (int x = 0; x < w + 2 * GUARD; x++)
							if (out[0][ch][x] != out[1][ch][x])
								fail_msg("level %#x w %d o %d p %d ch %d x %d: "
									 "c %u simd %u", cpu_levels[l], w, o, p,
									 ch, x - GUARD, out[0][ch][x],
									 out[1][ch][x]);
				}
	}
	lumen_cpu_set_mask(cpu_all);
	print_message("SIMD row kernels tested: %d\n", tested);
}

/*
 * The fused demosaic + matrix + tone row kernels against the row kernel,
 * matrix and tone in C one after the other, with guards: every order and
 * pattern, widths 1 .. 1100, a matrix that fits int16, the identity, and
 * one past int16 (the kernel's own fallback).
 */
static void simd_tone_row_kernels_match_c(void **state)
{
	static const float ccm[3][3] = {
		{ 1.72f, -0.55f, -0.17f }, { -0.21f, 1.46f, -0.25f }, { 0.05f, -0.62f, 1.57f },
	};
	static const float eye[3][3] = { { 1, 0, 0 }, { 0, 1, 0 }, { 0, 0, 1 } };
	static uint16_t in[5][ROW_IN];
	static uint16_t lin[3][ROW_MAX];
	static uint8_t out[2][3][ROW_MAX + 2 * GUARD];
	static struct lumen_tone tone;
	int32_t q[3][3][3];
	int tested = 0;

	(void)state;
	lumen_tone_build(&tone, 0.3f);
	lumen_ccm_quantise(ccm, 1.0f, q[0]);
	lumen_ccm_quantise(eye, 1.0f, q[1]);
	lumen_ccm_quantise(ccm, 9.0f, q[2]);	/* 1.72 x 9 x 4096 > 32767 */
	for (unsigned l = 0; l < N_LEVELS; l++) {
		struct lumen_demosaic_dsp dsp;
		unsigned seed = 7;

		if ((cpu_levels[l] & cpu_all) != cpu_levels[l])
			continue;
		lumen_cpu_set_mask(cpu_levels[l]);
		lumen_demosaic_dsp_init(&dsp);
		if (!dsp.tone_row)
			continue;
		tested++;
		for (int w = 1; w <= ROW_MAX; w += (w < 80 ? 1 : 97))
			for (int o = 0; o < 4; o++)
				for (int p = 0; p < PAT_COUNT; p++)
					for (int m = 0; m < 3; m++) {
						const uint16_t *src[5];
						uint16_t *lp[3] = { lin[0], lin[1], lin[2] };
						uint8_t *dst[2][3];

						rows_fill(in, src, (enum pattern)p, &seed);
						for (int k = 0; k < 2; k++)
							for (int ch = 0; ch < 3; ch++) {
								memset(out[k][ch], 0xa5, sizeof(out[k][ch]));
								dst[k][ch] = out[k][ch] + GUARD;
							}
						lumen_demosaic_row_c(lp[0], lp[1], lp[2], src, w,
								     (enum lumen_bayer)o);
						lumen_ccm_row_c(lp, (const uint16_t *const *)lp, w, q[m]);
						lumen_tone_row_c(dst[0], (const uint16_t *const *)lp, w, &tone);
						dsp.tone_row(dst[1], src, w, (enum lumen_bayer)o, q[m], &tone);
						for (int ch = 0; ch < 3; ch++)
							for (int x = 0; x < w + 2 * GUARD; x++)
								if (out[0][ch][x] != out[1][ch][x])
									fail_msg("level %#x w %d o %d p %d m %d ch %d x %d: "
										 "c %u simd %u", cpu_levels[l], w, o, p, m,
										 ch, x - GUARD, out[0][ch][x],
										 out[1][ch][x]);
					}
	}
	lumen_cpu_set_mask(cpu_all);
	print_message("SIMD demosaic + tone row kernels tested: %d\n", tested);
}

/* Whole frames, SIMD interior plus C borders, against the C-only path. */
static void simd_frames_match_c(void **state)
{
	(void)state;
	for (unsigned l = 0; l < N_LEVELS; l++) {
		struct lumen_demosaic_dsp dsp;

		if ((cpu_levels[l] & cpu_all) != cpu_levels[l])
			continue;
		lumen_cpu_set_mask(cpu_levels[l]);
		lumen_demosaic_dsp_init(&dsp);
		if (dsp.row == lumen_demosaic_row_c)
			continue;
		for (unsigned wi = 0; wi < N_WIDTHS; wi++)
			for (int h = 2; h <= 9; h++)
				for (int o = 0; o < 4; o++)
					for (int p = 0; p < PAT_COUNT; p++) {
						struct lumen_frame raw, ref, got;
						int w = widths[wi];

						raw_alloc(&raw, w, h, (enum lumen_bayer)o);
						raw_fill(&raw, (enum pattern)p, 777u + (unsigned)h);
						rgb_alloc(&ref, w, h);
						rgb_alloc(&got, w, h);
						lumen_cpu_set_mask(0);
						assert_int_equal(lumen_demosaic_fast(&raw, &ref), 0);
						lumen_cpu_set_mask(cpu_levels[l]);
						assert_int_equal(lumen_demosaic_fast(&raw, &got), 0);
						assert_rgb_equal(&ref, &got, o, "simd frame");
						free(raw.data[0]);
						lumen_frame_free(&ref);
						lumen_frame_free(&got);
					}
	}
	lumen_cpu_set_mask(cpu_all);
}

static void flat_grey_is_exact(void **state)
{
	static const uint16_t greys[] = { 0, 1, 1000, 8191, MAXV - 1, MAXV };

	(void)state;
	for (unsigned g = 0; g < sizeof(greys) / sizeof(greys[0]); g++)
		for (int o = 0; o < 4; o++) {
			struct lumen_frame raw, rgb;

			raw_alloc(&raw, 37, 7, (enum lumen_bayer)o);
			for (int y = 0; y < 7; y++)
				for (int x = 0; x < 37; x++)
					*raw_px(&raw, x, y) = greys[g];
			rgb_alloc(&rgb, 37, 7);
			assert_int_equal(lumen_demosaic_fast(&raw, &rgb), 0);
			for (int ch = 0; ch < 3; ch++)
				for (int y = 0; y < 7; y++)
					for (int x = 0; x < 37; x++)
						assert_int_equal(rgb_px(&rgb, ch, x, y), greys[g]);
			free(raw.data[0]);
			lumen_frame_free(&rgb);
		}
}

static void ramps_are_reproduced(void **state)
{
	(void)state;
	for (int vertical = 0; vertical < 2; vertical++)
		for (int o = 0; o < 4; o++) {
			struct lumen_frame raw, rgb;
			int w = vertical ? 21 : 203, h = vertical ? 203 : 9;
			int n = vertical ? h : w;

			raw_alloc(&raw, w, h, (enum lumen_bayer)o);
			for (int y = 0; y < h; y++)
				for (int x = 0; x < w; x++)
					*raw_px(&raw, x, y) = (uint16_t)(((vertical ? y : x) *
									  MAXV + n / 2) / (n - 1));
			rgb_alloc(&rgb, w, h);
			assert_int_equal(lumen_demosaic_fast(&raw, &rgb), 0);
			for (int ch = 0; ch < 3; ch++)
				for (int y = 2; y < h - 2; y++)
					for (int x = 2; x < w - 2; x++) {
						int want = *raw_px(&raw, x, y);
						int got = rgb_px(&rgb, ch, x, y);

						if (abs(got - want) > 1)
							fail_msg("ramp v%d o%d ch%d (%d,%d): %d vs %d",
								 vertical, o, ch, x, y, got, want);
					}
			free(raw.data[0]);
			lumen_frame_free(&rgb);
		}
}

static void extremes_are_clipped(void **state)
{
	int over = 0, under = 0;

	(void)state;
	for (int p = PAT_CHECKER; p < PAT_COUNT; p++)
		for (int o = 0; o < 4; o++) {
			struct lumen_frame raw, rgb;

			raw_alloc(&raw, 33, 9, (enum lumen_bayer)o);
			raw_fill(&raw, (enum pattern)p, 5);
			rgb_alloc(&rgb, 33, 9);
			assert_int_equal(lumen_demosaic_fast(&raw, &rgb), 0);
			for (int ch = 0; ch < 3; ch++)
				for (int y = 0; y < 9; y++)
					for (int x = 0; x < 33; x++) {
						int k = naive16(&raw, ch, x, y);

						assert_true(rgb_px(&rgb, ch, x, y) <= MAXV);
						over += k > 16 * MAXV;
						under += k < 0;
					}
			free(raw.data[0]);
			lumen_frame_free(&rgb);
		}
	/* the patterns do overshoot both ways, so the clip was exercised */
	assert_true(over > 0);
	assert_true(under > 0);
}

static void bad_arguments_are_refused(void **state)
{
	struct lumen_frame raw, rgb, small, rgb48;

	(void)state;
	raw_alloc(&raw, 8, 6, LUMEN_BAYER_RGGB);
	rgb_alloc(&rgb, 8, 6);
	rgb_alloc(&small, 8, 5);
	assert_int_equal(lumen_frame_alloc(&rgb48, LUMEN_PIX_RGB48, 8, 6), 0);

	assert_int_equal(lumen_demosaic_fast(&raw, &rgb), 0);
	assert_int_equal(lumen_demosaic_fast(&raw, &small), -EINVAL);
	assert_int_equal(lumen_demosaic_fast(&raw, &rgb48), -EINVAL);
	assert_int_equal(lumen_demosaic_fast(NULL, &rgb), -EINVAL);
	assert_int_equal(lumen_demosaic_fast(&raw, NULL), -EINVAL);
	assert_int_equal(lumen_demosaic_fast(&rgb, &rgb), -EINVAL);

	raw.fmt = LUMEN_PIX_BAYER8;
	assert_int_equal(lumen_demosaic_fast(&raw, &rgb), -EINVAL);
	raw.fmt = LUMEN_PIX_BAYER10P;
	assert_int_equal(lumen_demosaic_fast(&raw, &rgb), -EINVAL);
	raw.fmt = LUMEN_PIX_BAYER16;
	raw.stride[0] = 15;	/* shorter than a row */
	assert_int_equal(lumen_demosaic_fast(&raw, &rgb), -EINVAL);
	raw.stride[0] = 8 * 2 + 38;	/* as raw_alloc() for even heights */
	raw.bayer = (enum lumen_bayer)7;
	assert_int_equal(lumen_demosaic_fast(&raw, &rgb), -EINVAL);
	raw.bayer = LUMEN_BAYER_RGGB;
	raw.width = 1;	/* below 2x2 */
	rgb.width = 1;
	assert_int_equal(lumen_demosaic_fast(&raw, &rgb), -EINVAL);
	raw.width = rgb.width = 8;

	/* the dispatcher */
	assert_int_equal(lumen_demosaic_scratch_size(LUMEN_DEMOSAIC_FAST, 8, 6), 0);
	assert_int_equal(lumen_demosaic(LUMEN_DEMOSAIC_FAST, &raw, &rgb, NULL, 0), 0);
	assert_int_equal(lumen_demosaic(LUMEN_DEMOSAIC_FAST, &raw, &small, NULL, 0),
			 -EINVAL);
	assert_int_equal(lumen_demosaic((enum lumen_demosaic_method)9, &raw, &rgb,
					NULL, 0), -EINVAL);

	free(raw.data[0]);
	lumen_frame_free(&rgb);
	lumen_frame_free(&small);
	lumen_frame_free(&rgb48);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(c_matches_published_kernels),
		cmocka_unit_test(simd_row_kernels_match_c),
		cmocka_unit_test(simd_tone_row_kernels_match_c),
		cmocka_unit_test(simd_frames_match_c),
		cmocka_unit_test(flat_grey_is_exact),
		cmocka_unit_test(ramps_are_reproduced),
		cmocka_unit_test(extremes_are_clipped),
		cmocka_unit_test(bad_arguments_are_refused),
	};

	cpu_all = lumen_cpu_flags();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
