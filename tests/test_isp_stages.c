// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests of the ISP stages other than demosaic. */
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

#include "algo/ae.h"
#include "algo/ae_control.h"
#include "algo/awb.h"
#include "algo/awb_control.h"
#include "core/pack.h"
#include "calib/dark.h"
#include "io/raw_read.h"
#include "isp/stages.h"
#include "pipeline/pipeline.h"
#include "testutil.h"

/*
 * 3A reads statistics only, and the contract is in the types: every AE and
 * AWB entry point, and the pipeline's 3A hook, takes the statistics struct
 * and no frame. Adding a frame (or any pixel pointer) to one of them fails
 * this build; awb_ae_read_statistics_only checks the same at run time.
 */
#define HAS_TYPE(fn, T) _Generic(&(fn), T: 1, default: 0)
_Static_assert(HAS_TYPE(lumen_awb_estimate,
	int (*)(const struct lumen_isp_stats *, enum lumen_awb_method,
		struct lumen_awb_result *)), "AWB estimates from statistics only");
_Static_assert(HAS_TYPE(lumen_awb_ctl_process,
	int (*)(struct lumen_awb_ctl *, const struct lumen_isp_stats *, float *)),
	"live AWB runs on statistics only");
_Static_assert(HAS_TYPE(lumen_ae_normalise,
	void (*)(const struct lumen_isp_stats *, const float *, float,
		 struct lumen_ae_result *)), "AE measures statistics only");
_Static_assert(HAS_TYPE(lumen_ae_ctl_process,
	int (*)(struct lumen_ae_ctl *, const struct lumen_isp_stats *, const float *,
		const struct lumen_ae_exposure *, struct lumen_ae_exposure *)),
	"live AE runs on statistics only");
_Static_assert(_Generic((lumen_pipeline_3a_fn)0,
	void (*)(void *, struct lumen_pipeline *, const struct lumen_isp_stats *,
		 const struct lumen_capture_info *, struct lumen_isp_params *,
		 struct lumen_frame_info *): 1, default: 0),
	"the pipeline's 3A hook gets statistics, not the working frame");

static uint16_t *px16(const struct lumen_frame *f, int x, int y)
{
	return (uint16_t *)(void *)(f->data[0] + (size_t)y * f->stride[0]) + x;
}

static void blc_scales_each_cell_and_unpacks(void **state)
{
	struct lumen_frame in16, in10, work;
	const uint16_t black[4] = { 64, 60, 70, 66 };

	(void)state;
	assert_int_equal(lumen_frame_alloc(&in16, LUMEN_PIX_BAYER16, 8, 4), 0);
	assert_int_equal(lumen_frame_alloc(&in10, LUMEN_PIX_BAYER10P, 8, 4), 0);
	assert_int_equal(lumen_frame_alloc(&work, LUMEN_PIX_BAYER16, 8, 4), 0);
	in16.bayer = LUMEN_BAYER_GRBG;
	in16.bits = 10;
	in16.white = 1023;
	memcpy(in16.black, black, sizeof(black));
	for (int y = 0; y < 4; y++)
		for (int x = 0; x < 8; x++)
			*px16(&in16, x, y) = (uint16_t)(x == 0 ? 0 : x == 1 ? 1023 :
				black[(y & 1) * 2 + (x & 1)] + 100 * x);

	assert_int_equal(lumen_blc_apply(&in16, &work), 0);
	for (int y = 0; y < 4; y++) {
		assert_int_equal(*px16(&work, 0, y), 0);		/* below black */
		assert_int_equal(*px16(&work, 1, y), LUMEN_WORK_MAX);	/* white */
		for (int x = 2; x < 8; x++) {
			double b = black[(y & 1) * 2 + (x & 1)];
			double want = 100.0 * x * LUMEN_WORK_MAX / (1023 - b);

			assert_true(fabs(*px16(&work, x, y) - want) <= 1.0);
		}
	}
	assert_int_equal(work.bayer, LUMEN_BAYER_GRBG);

	/* the same samples MIPI-packed give the same working frame */
	for (int y = 0; y < 4; y++)
		lumen_pack_raw10(px16(&in16, 0, y), in10.data[0] + y * in10.stride[0], 8);
	in10.bayer = in16.bayer;
	in10.white = 1023;
	memcpy(in10.black, black, sizeof(black));
	{
		struct lumen_frame work2;

		assert_int_equal(lumen_frame_alloc(&work2, LUMEN_PIX_BAYER16, 8, 4), 0);
		assert_int_equal(lumen_blc_apply(&in10, &work2), 0);
		for (int y = 0; y < 4; y++)
			assert_memory_equal(px16(&work, 0, y), px16(&work2, 0, y), 16);
		lumen_frame_free(&work2);
	}

	in16.white = 60;	/* white below black: refused */
	assert_int_equal(lumen_blc_apply(&in16, &work), -EINVAL);
	lumen_frame_free(&in16);
	lumen_frame_free(&in10);
	lumen_frame_free(&work);
}

static void dpc_removes_isolated_and_paired_defects(void **state)
{
	struct lumen_frame f;
	struct lumen_isp_params prm;
	unsigned seed = 3;
	long n;

	(void)state;
	lumen_isp_params_default(&prm);
	assert_int_equal(lumen_frame_alloc(&f, LUMEN_PIX_BAYER16, 64, 48), 0);
	f.bayer = LUMEN_BAYER_RGGB;
	/* a gentle ramp with noise: nothing here is a defect */
	for (int y = 0; y < 48; y++)
		for (int x = 0; x < 64; x++)
			*px16(&f, x, y) = (uint16_t)(2000 + 40 * x + 20 * y +
						     (lumen_test_rand(&seed) % 64));
	n = lumen_dpc_apply(&f, &prm);
	assert_int_equal(n, 0);

	*px16(&f, 10, 10) = LUMEN_WORK_MAX;	/* hot */
	*px16(&f, 30, 20) = 0;			/* dead */
	*px16(&f, 40, 30) = 15000;		/* a same-colour pair */
	*px16(&f, 42, 30) = 15000;
	*px16(&f, 0, 0) = LUMEN_WORK_MAX;	/* in the corner */
	*px16(&f, 63, 47) = LUMEN_WORK_MAX;
	n = lumen_dpc_apply(&f, &prm);
	assert_int_equal(n, 6);
	assert_true(*px16(&f, 10, 10) < 3500);
	assert_true(*px16(&f, 30, 20) > 2500);
	assert_true(*px16(&f, 40, 30) < 5000 && *px16(&f, 42, 30) < 5000);
	assert_true(*px16(&f, 0, 0) < 2500);
	assert_true(*px16(&f, 63, 47) < 6000);
	lumen_frame_free(&f);
}

/*
 * The Infinite-ISP dark frame: 755 pixels above 1024 DN at 12 bits, all in
 * the last column (a column defect: the same-colour neighbours above and
 * below are hot too, so the dynamic detector, made for isolated pixels
 * and pairs, leaves it). `lumen calibrate --dark` maps it
 * (lumen_dark_defects()); with that map the DPC removes every one.
 */
static void dpc_clears_real_dark_frame(void **state)
{
	const char *path = lumen_test_data("raw/infinite_isp/BlackImage_1920x1080_12bits_BGGR.raw");
	struct lumen_frame raw, work, dyn;
	static uint32_t pos[4096];
	struct lumen_dpc_map map = { 0, pos };
	struct lumen_isp_params prm;
	struct lumen_raw_format fmt;
	char err[256];
	long hot_before = 0, hot_after = 0, hot_left = 0, dyn_left = 0, n;
	double sigma;
	unsigned level;

	(void)state;
	if (!path)
		skip();
	assert_int_equal(lumen_frame_alloc(&work, LUMEN_PIX_BAYER16, 1920, 1080), 0);
	assert_int_equal(lumen_frame_alloc(&dyn, LUMEN_PIX_BAYER16, 1920, 1080), 0);
	/* 12 bits in 16-bit words, black 4 (the data set's README) */
	lumen_raw_format_init(&fmt);
	fmt.width = 1920;
	fmt.height = 1080;
	fmt.bits = 12;
	fmt.container = LUMEN_PIX_BAYER16;
	fmt.bayer = LUMEN_BAYER_BGGR;
	fmt.has_black = true;
	for (int c = 0; c < 4; c++)
		fmt.black[c] = 4;
	assert_int_equal(lumen_raw_read(path, &fmt, &raw, err, sizeof(err)), 0);
	for (int y = 0; y < 1080; y++)
		for (int x = 0; x < 1920; x++)
			hot_before += *px16(&raw, x, y) > 1024;
	assert_int_equal(lumen_blc_apply(&raw, &work), 0);
	assert_int_equal(lumen_blc_apply(&raw, &dyn), 0);
	assert_int_equal(lumen_dark_defects(&work, pos, 4096, &map.count, &sigma,
					    &level), 0);
	lumen_isp_params_default(&prm);
	lumen_dpc_apply(&dyn, &prm);
	prm.dpc_map = &map;
	n = lumen_dpc_apply(&work, &prm);
	/* after: every hot pixel is back near the floor (noise std ~2.2 DN,
	 * work = 4 x DN here), and nothing anywhere is above 128 DN */
	for (int y = 0; y < 1080; y++)
		for (int x = 0; x < 1920; x++) {
			hot_after += *px16(&work, x, y) > 128 * 4;
			hot_left += *px16(&raw, x, y) > 1024 &&
				    *px16(&work, x, y) > 32 * 4;
			dyn_left += *px16(&raw, x, y) > 1024 &&
				    *px16(&dyn, x, y) > 32 * 4;
		}
	printf("dark frame: %ld hot pixels > 1024 DN before; map of %d pixels "
	       "(level %u working units); %ld changed, %ld above 128 DN after, "
	       "%ld hot ones above 32 DN (dynamic detector alone: %ld)\n",
	       hot_before, map.count, level, n, hot_after, hot_left, dyn_left);
	assert_true(hot_before > 700);
	assert_int_equal(hot_after, 0);
	assert_int_equal(hot_left, 0);
	/* the map is the defects, not the noise floor */
	assert_true(map.count < hot_before * 3);
	lumen_frame_free(&raw);
	lumen_frame_free(&work);
	lumen_frame_free(&dyn);
}

static void wb_and_lsc_gains(void **state)
{
	struct lumen_frame f;
	const float gains[3] = { 2.0f, 1.0f, 1.5f };
	float flat[4] = { 1, 1, 1, 1 }, ramp[4] = { 1, 2, 1, 2 };
	struct lumen_lsc_map map = { 2, 2, { flat, flat, ramp, flat } };

	(void)state;
	assert_int_equal(lumen_frame_alloc(&f, LUMEN_PIX_BAYER16, 6, 4), 0);
	f.bayer = LUMEN_BAYER_BGGR;
	for (int y = 0; y < 4; y++)
		for (int x = 0; x < 6; x++)
			*px16(&f, x, y) = 10000;
	lumen_wb_apply(&f, gains);
	assert_int_equal(*px16(&f, 0, 0), 15000);		/* B */
	assert_int_equal(*px16(&f, 1, 0), 10000);		/* G */
	assert_int_equal(*px16(&f, 1, 1), LUMEN_WORK_MAX);	/* R clips */

	for (int y = 0; y < 4; y++)
		for (int x = 0; x < 6; x++)
			*px16(&f, x, y) = 1000;
	assert_int_equal(lumen_lsc_apply(&f, &map), 0);
	/* cell (0,1) (G on the B row... here row 1 col 0) ramps 1 -> 2 */
	assert_int_equal(*px16(&f, 0, 1), 1000);
	assert_int_equal(*px16(&f, 4, 3), 1800);
	assert_int_equal(*px16(&f, 1, 1), 1000);
	map.grid_w = 1;
	assert_int_equal(lumen_lsc_apply(&f, &map), -EINVAL);
	lumen_frame_free(&f);
}

static void ccm_tone_csc_chain(void **state)
{
	struct lumen_frame rgb, rgb8, nv12, i420, yuyv;
	const float ident[3][3] = { { 1, 0, 0 }, { 0, 1, 0 }, { 0, 0, 1 } };
	const float swap[3][3] = { { 0, 1, 0 }, { 1, 0, 0 }, { 0, 0, 1 } };
	static struct lumen_tone tone, tone_c;
	const uint8_t *lut = tone.lut, *lut_c = tone_c.lut;

	(void)state;
	assert_int_equal(lumen_frame_alloc(&rgb, LUMEN_PIX_RGB16P, 4, 2), 0);
	assert_int_equal(lumen_frame_alloc(&rgb8, LUMEN_PIX_RGB24, 4, 2), 0);
	for (int y = 0; y < 2; y++)
		for (int x = 0; x < 4; x++) {
			((uint16_t *)(void *)(rgb.data[0] + y * rgb.stride[0]))[x] = 16000;
			((uint16_t *)(void *)(rgb.data[1] + y * rgb.stride[1]))[x] = 4000;
			((uint16_t *)(void *)(rgb.data[2] + y * rgb.stride[2]))[x] = 0;
		}
	lumen_ccm_apply(&rgb, swap, 1.0f);
	assert_int_equal(((uint16_t *)(void *)rgb.data[0])[0], 4000);
	assert_int_equal(((uint16_t *)(void *)rgb.data[1])[0], 16000);
	lumen_ccm_apply(&rgb, ident, 2.0f);	/* exposure, clipping */
	assert_int_equal(((uint16_t *)(void *)rgb.data[0])[0], 8000);
	assert_int_equal(((uint16_t *)(void *)rgb.data[1])[0], LUMEN_WORK_MAX);

	lumen_tone_build(&tone, 0);
	lumen_tone_build(&tone_c, 0.5f);
	assert_int_equal(lut[0], 0);
	assert_int_equal(lut[LUMEN_WORK_MAX], 255);
	/* 18% grey is sRGB 118 */
	assert_in_range(lut[(int)(0.18 * LUMEN_WORK_MAX)], 117, 119);
	for (int i = 1; i <= LUMEN_WORK_MAX; i++) {
		assert_true(lut[i] >= lut[i - 1]);
		assert_true(lut_c[i] >= lut_c[i - 1]);
	}
	/* contrast darkens shadows and lifts highlights, ends fixed */
	assert_true(lut_c[LUMEN_WORK_MAX / 50] < lut[LUMEN_WORK_MAX / 50]);
	assert_true(lut_c[LUMEN_WORK_MAX * 3 / 4] > lut[LUMEN_WORK_MAX * 3 / 4]);
	assert_int_equal(lut_c[LUMEN_WORK_MAX], 255);

	/* white, black, and pure primaries through BT.601 limited range */
	lumen_tone_apply(&rgb, &rgb8, &tone);
	{
		const uint8_t px[8][3] = { { 255, 255, 255 }, { 0, 0, 0 },
			{ 255, 0, 0 }, { 0, 255, 0 }, { 255, 255, 255 },
			{ 0, 0, 0 }, { 255, 0, 0 }, { 0, 255, 0 } };

		for (int i = 0; i < 8; i++)
			memcpy(rgb8.data[0] + (i / 4) * rgb8.stride[0] + 3 * (i % 4), px[i], 3);
	}
	assert_int_equal(lumen_frame_alloc(&nv12, LUMEN_PIX_NV12, 4, 2), 0);
	assert_int_equal(lumen_frame_alloc(&i420, LUMEN_PIX_I420, 4, 2), 0);
	assert_int_equal(lumen_frame_alloc(&yuyv, LUMEN_PIX_YUYV, 4, 2), 0);
	assert_int_equal(lumen_csc_apply(&rgb8, &nv12, LUMEN_YUV_BT601, false), 0);
	assert_int_equal(nv12.data[0][0], 235);
	assert_int_equal(nv12.data[0][1], 16);
	assert_int_equal(nv12.data[0][2], 81);	/* red: 16 + 219 * 0.299 */
	assert_int_equal(nv12.data[0][3], 145);	/* green: 16 + 219 * 0.587 */
	/* a 2x2 of white and black is neutral */
	assert_int_equal(nv12.data[1][0], 128);
	assert_int_equal(nv12.data[1][1], 128);
	/* red + green: Cb = 128 + 224 * (-0.169 - 0.331) / 2 */
	assert_in_range(nv12.data[1][2], 71, 73);
	assert_int_equal(lumen_csc_apply(&rgb8, &i420, LUMEN_YUV_BT709, true), 0);
	assert_int_equal(i420.data[0][0], 255);
	assert_int_equal(i420.data[0][2], 54);	/* 255 * 0.2126 */
	assert_int_equal(lumen_csc_apply(&rgb8, &yuyv, LUMEN_YUV_BT601, false), 0);
	assert_int_equal(yuyv.data[0][0], 235);
	assert_int_equal(yuyv.data[0][2], 16);
	assert_int_equal(yuyv.data[0][1], 128);
	lumen_frame_free(&rgb);
	lumen_frame_free(&rgb8);
	lumen_frame_free(&nv12);
	lumen_frame_free(&i420);
	lumen_frame_free(&yuyv);
}

/*
 * A synthetic scene under a coloured light: greys plus primaries and
 * secondaries whose average is grey (the premise grey world rests on).
 */
static void render_scene(struct lumen_frame *f, const float light[3], unsigned seed)
{
	static const float refl[9][3] = {
		{ 0.18f, 0.18f, 0.18f }, { 0.4f, 0.1f, 0.1f }, { 0.1f, 0.4f, 0.1f },
		{ 0.1f, 0.1f, 0.4f }, { 0.6f, 0.6f, 0.6f }, { 0.1f, 0.4f, 0.4f },
		{ 0.4f, 0.1f, 0.4f }, { 0.4f, 0.4f, 0.1f }, { 0.3f, 0.3f, 0.3f },
	};
	for (int y = 0; y < f->height; y++)
		for (int x = 0; x < f->width; x++) {
			int patch = ((x / 16) + (y / 16) * 4) % 9;
			int c = lumen_bayer_at(f->bayer, x, y);
			float v = refl[patch][c] * light[c] * LUMEN_WORK_MAX * 0.8f;

			v += (float)(lumen_test_rand(&seed) % 41) - 20.0f;
			*px16(f, x, y) = (uint16_t)(v < 0 ? 0 : v);
		}
}

static void awb_finds_the_light(void **state)
{
	struct lumen_frame f;
	struct lumen_isp_stats *st = calloc(1, sizeof(*st));
	const float light[3] = { 1.0f, 0.8f, 0.45f };
	const enum lumen_awb_method methods[] = { LUMEN_AWB_GREY_WORLD,
		LUMEN_AWB_WHITE_PATCH, LUMEN_AWB_GREY_EDGE, LUMEN_AWB_COMBINED };
	struct lumen_awb_result r;

	(void)state;
	assert_int_equal(lumen_frame_alloc(&f, LUMEN_PIX_BAYER16, 192, 128), 0);
	f.bayer = LUMEN_BAYER_GBRG;
	render_scene(&f, light, 11);
	lumen_stats_collect(&f, st);
	/* the histogram's cells: even column and row */
	assert_int_equal(st->cells, 48 * 32);
	for (size_t m = 0; m < sizeof(methods) / sizeof(methods[0]); m++) {
		assert_int_equal(lumen_awb_estimate(st, methods[m], &r), 0);
		assert_true(r.valid);
		/* illuminant R/G and B/G within 15% (the scene is only roughly
		 * grey on average under this light; a wrong channel or CFA
		 * mapping is off by far more) */
		const float tol = 0.15f;

		printf("awb method %zu: R/G %.3f (true %.3f) B/G %.3f (true %.3f)\n",
		       m, r.illuminant[0], light[0] / light[1], r.illuminant[2],
		       light[2] / light[1]);
		assert_true(fabsf(r.illuminant[0] / (light[0] / light[1]) - 1) < tol);
		assert_true(fabsf(r.illuminant[2] / (light[2] / light[1]) - 1) < tol);
		/* smallest gain is 1 */
		assert_true(fabsf(fminf(r.gain[0], fminf(r.gain[1], r.gain[2])) - 1) < 1e-5f);
	}
	assert_int_equal(lumen_awb_estimate(NULL, LUMEN_AWB_GREY_EDGE, &r), -EINVAL);
	free(st);
	lumen_frame_free(&f);
}

/*
 * Every AWB method and AE on statistics whose frame is gone: the frame is
 * freed (a read of it is a use after free under the sanitizers) after a
 * first estimate on a copy of the statistics, and each answer must equal
 * the first, bit for bit.
 */
static void awb_ae_read_statistics_only(void **state)
{
	struct lumen_isp_stats *st = calloc(1, sizeof(*st));
	const float light[3] = { 0.9f, 0.8f, 0.5f }, unit[3] = { 1, 1, 1 };
	struct lumen_awb_result before[5], after;
	struct lumen_ae_result ae_before, ae_after;
	struct lumen_frame f;

	(void)state;
	assert_non_null(st);
	assert_int_equal(lumen_frame_alloc(&f, LUMEN_PIX_BAYER16, 320, 240), 0);
	f.bayer = LUMEN_BAYER_GRBG;
	render_scene(&f, light, 23);
	st->zones_x = st->zones_y = 16;
	lumen_stats_collect(&f, st);
	assert_true(st->grid_w > 8 && st->grid_h > 8);
	for (int m = 0; m <= LUMEN_AWB_GREY_PIXEL; m++)
		assert_int_equal(lumen_awb_estimate(st, (enum lumen_awb_method)m,
						    &before[m]), 0);
	lumen_ae_normalise(st, unit, 0.18f, &ae_before);
	memset(f.data[0], 0xa5, f.stride[0] * (size_t)f.height);
	lumen_frame_free(&f);
	for (int m = 0; m <= LUMEN_AWB_GREY_PIXEL; m++) {
		assert_int_equal(lumen_awb_estimate(st, (enum lumen_awb_method)m,
						    &after), 0);
		assert_true(before[m].valid);
		assert_memory_equal(&before[m], &after, sizeof(after));
	}
	lumen_ae_normalise(st, unit, 0.18f, &ae_after);
	assert_memory_equal(&ae_before, &ae_after, sizeof(ae_after));
	free(st);
}

static void ae_brings_scene_to_mid_grey(void **state)
{
	struct lumen_frame f;
	struct lumen_isp_stats *st = calloc(1, sizeof(*st));
	const float grey_light[3] = { 0.1f, 0.1f, 0.1f };
	const float unit[3] = { 1, 1, 1 };
	struct lumen_ae_result ae;

	(void)state;
	assert_int_equal(lumen_frame_alloc(&f, LUMEN_PIX_BAYER16, 96, 96), 0);
	f.bayer = LUMEN_BAYER_RGGB;
	render_scene(&f, grey_light, 5);	/* underexposed: ~2-5% */
	lumen_stats_collect(&f, st);
	lumen_ae_normalise(st, unit, 0.18f, &ae);
	assert_true(ae.gain > 3.0f);
	assert_true(ae.gain * ae.p99_before <= 1.0001f);
	free(st);
	lumen_frame_free(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(blc_scales_each_cell_and_unpacks),
		cmocka_unit_test(dpc_removes_isolated_and_paired_defects),
		cmocka_unit_test(dpc_clears_real_dark_frame),
		cmocka_unit_test(wb_and_lsc_gains),
		cmocka_unit_test(ccm_tone_csc_chain),
		cmocka_unit_test(awb_finds_the_light),
		cmocka_unit_test(awb_ae_read_statistics_only),
		cmocka_unit_test(ae_brings_scene_to_mid_grey),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
