// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/frame.h"
#include "io/rgb_read.h"
#include "isp/demosaic.h"
#include "testutil.h"

typedef unsigned (*scene_fn)(int x, int y, int c, void *ctx);

static uint16_t *px(const struct lumen_frame *f, int p, int x, int y)
{
	return (uint16_t *)(void *)(f->data[p] + (size_t)y * f->stride[p]) + x;
}

/* Bayer frame sampling @scene through @order. */
static void make_raw(struct lumen_frame *raw, int w, int h,
		     enum lumen_bayer order, scene_fn scene, void *ctx)
{
	assert_int_equal(lumen_frame_alloc(raw, LUMEN_PIX_BAYER16, w, h), 0);
	raw->bayer = order;
	raw->bits = LUMEN_WORK_BITS;
	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++)
			*px(raw, 0, x, y) = (uint16_t)scene(x, y, lumen_bayer_at(order, x, y), ctx);
}

/* Demosaics @raw into a new RGB16P frame; asserts success. */
static void run(const struct lumen_frame *raw, struct lumen_frame *rgb)
{
	size_t n = lumen_demosaic_quality_scratch_size(raw->width, raw->height);
	void *scratch = malloc(n);

	assert_non_null(scratch);
	assert_int_equal(lumen_frame_alloc(rgb, LUMEN_PIX_RGB16P, raw->width, raw->height), 0);
	assert_int_equal(lumen_demosaic_quality(raw, rgb, scratch, n), 0);
	free(scratch);
}

/* Largest |out - scene| over the frame, @border pixels excluded. */
static unsigned max_error(const struct lumen_frame *rgb, scene_fn scene,
			  void *ctx, int border)
{
	unsigned worst = 0;

	for (int y = border; y < rgb->height - border; y++)
		for (int x = border; x < rgb->width - border; x++)
			for (int c = 0; c < 3; c++) {
				int d = (int)*px(rgb, c, x, y) - (int)scene(x, y, c, ctx);
				unsigned e = (unsigned)abs(d);

				worst = e > worst ? e : worst;
			}
	return worst;
}

static unsigned flat(int x, int y, int c, void *ctx)
{
	(void)x; (void)y; (void)ctx;
	return c == 0 ? 3000 : c == 1 ? 9000 : 1500;
}

static unsigned gradient(int x, int y, int c, void *ctx)
{
	(void)ctx;
	return (unsigned)(2000 + 20 * x + 13 * y + 1000 * c);
}

static void flat_and_gradient_exact(void **state)
{
	(void)state;
	for (int o = 0; o < 4; o++) {
		struct lumen_frame raw, rgb;

		make_raw(&raw, 64, 48, (enum lumen_bayer)o, flat, NULL);
		run(&raw, &rgb);
		assert_true(max_error(&rgb, flat, NULL, 0) <= 1);
		lumen_frame_free(&rgb);
		lumen_frame_free(&raw);

		make_raw(&raw, 100, 96, (enum lumen_bayer)o, gradient, NULL);
		run(&raw, &rgb);
		/* a linear ramp is reproduced, borders included (mirroring
		 * turns the ramp into a tent, so allow a little there) */
		assert_true(max_error(&rgb, gradient, NULL, 4) <= 2);
		assert_true(max_error(&rgb, gradient, NULL, 0) <= 200);
		lumen_frame_free(&rgb);
		lumen_frame_free(&raw);
	}
}

static unsigned hostile(int x, int y, int c, void *ctx)
{
	unsigned kind = *(unsigned *)ctx;

	(void)c;
	switch (kind) {
	case 0: return 0;
	case 1: return LUMEN_WORK_MAX;
	case 2: return ((x ^ y) & 1) ? LUMEN_WORK_MAX : 0;
	case 3: return ((x >> 1 ^ y >> 2) & 1) ? LUMEN_WORK_MAX : 0;
	default: {
		unsigned s = (unsigned)(x * 7919 + y * 104729 + 1);

		return lumen_test_rand(&s) % (LUMEN_WORK_MAX + 1);
	}
	}
}

static void odd_sizes_and_extremes(void **state)
{
	/* the last one is large enough for step 7 (at least 32 x 32) */
	static const int sizes[][2] = { { 2, 2 }, { 3, 5 }, { 5, 3 }, { 301, 7 },
					{ 7, 301 }, { 2, 130 }, { 33, 35 } };

	/* under qemu-user, one CFA order per size and kind, turning, so that
	 * each size still meets all four orders and all five kinds */
	const int emulated = lumen_test_emulated();

	(void)state;
	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++)
		for (unsigned kind = 0; kind < 5; kind++)
			for (int o = 0; o < 4; o++) {
				struct lumen_frame raw, rgb;

				if (emulated && o != (int)((s + kind) % 4))
					continue;

				make_raw(&raw, sizes[s][0], sizes[s][1],
					 (enum lumen_bayer)o, hostile, &kind);
				run(&raw, &rgb);
				for (int y = 0; y < rgb.height; y++)
					for (int x = 0; x < rgb.width; x++)
						for (int c = 0; c < 3; c++) {
							unsigned v = *px(&rgb, c, x, y);

							assert_true(v <= LUMEN_WORK_MAX);
							if (kind < 2)
								assert_int_equal(v, hostile(x, y, c, &kind));
						}
				lumen_frame_free(&rgb);
				lumen_frame_free(&raw);
			}
}

static unsigned texture(int x, int y, int c, void *ctx)
{
	(void)ctx;
	double v = 8000 + 3000 * sin(x * 0.31 + c) * cos(y * 0.17) +
		   2000 * sin((x + 2 * y) * 0.05 * (c + 1));

	return (unsigned)v;
}

/*
 * A crop at an odd offset shifts rows against the strip grid and the CFA
 * phase: pixels far enough from the crop's edges must come out the same.
 * Step 7 fits its filters to the whole frame, so the crop's filters differ
 * a little from the full frame's: a mean under 12 codes out of 16383 and at
 * most 400 anywhere are allowed (a wrong CFA phase or a stale tile row
 * costs thousands).
 */
static void strips_do_not_show(void **state)
{
	struct lumen_frame raw, rgb, view, rgb2;
	const int cx = 3, cy = 37, cw = 230, ch = 270, far = 60;
	int worst = 0;
	double sum = 0.0;
	long n = 0;

	(void)state;
	make_raw(&raw, 240, 320, LUMEN_BAYER_GRBG, texture, NULL);
	run(&raw, &rgb);
	assert_int_equal(lumen_frame_crop(&raw, cx, cy, cw, ch, &view), 0);
	run(&view, &rgb2);
	for (int y = far; y < ch - far; y++)
		for (int x = far; x < cw - far; x++)
			for (int c = 0; c < 3; c++) {
				int d = abs((int)*px(&rgb2, c, x, y) -
					    (int)*px(&rgb, c, x + cx, y + cy));

				worst = d > worst ? d : worst;
				sum += d;
				n++;
			}
	print_message("crop against full frame: difference mean %.2f, largest %d\n",
		      sum / (double)n, worst);
	assert_true(sum / (double)n < 12.0);
	assert_true(worst <= 400);
	lumen_frame_free(&rgb2);
	lumen_frame_free(&rgb);
	lumen_frame_free(&raw);
}

static void bad_arguments(void **state)
{
	struct lumen_frame raw, rgb, small;
	size_t n;
	void *scratch;

	(void)state;
	make_raw(&raw, 40, 20, LUMEN_BAYER_RGGB, flat, NULL);
	assert_int_equal(lumen_frame_alloc(&rgb, LUMEN_PIX_RGB16P, 40, 20), 0);
	assert_int_equal(lumen_frame_alloc(&small, LUMEN_PIX_RGB16P, 38, 20), 0);
	n = lumen_demosaic_quality_scratch_size(40, 20);
	scratch = malloc(n);
	assert_non_null(scratch);
	assert_int_equal(lumen_demosaic_quality(&raw, &rgb, scratch, n - 1), -EINVAL);
	assert_int_equal(lumen_demosaic_quality(&raw, &small, scratch, n), -EINVAL);
	assert_int_equal(lumen_demosaic_quality(&raw, &rgb, NULL, n), -EINVAL);
	raw.fmt = LUMEN_PIX_BAYER8;
	assert_int_equal(lumen_demosaic_quality(&raw, &rgb, scratch, n), -EINVAL);
	assert_int_equal(lumen_demosaic_quality_scratch_size(1, 20), 0);
	free(scratch);
	lumen_frame_free(&small);
	lumen_frame_free(&rgb);
	lumen_frame_free(&raw);
}

static unsigned texture_noise(int x, int y, int c, void *ctx)
{
	unsigned s = (unsigned)(x * 7919 + y * 104729 + c * 31 + 1);

	return texture(x, y, c, ctx) + lumen_test_rand(&s) % 2000u;
}

/* Demosaics @raw with the minimum scratch and with @sizes[k]; asserts the
 * same bits. */
static void same_for_any_strip(const struct lumen_frame *raw, const size_t sizes[2])
{
	struct lumen_frame ref;

	run(raw, &ref);
	for (int k = 0; k < 2; k++) {
		struct lumen_frame rgb;
		void *scratch = malloc(sizes[k]);
		long differ = 0;

		assert_non_null(scratch);
		assert_int_equal(lumen_frame_alloc(&rgb, LUMEN_PIX_RGB16P, raw->width,
						   raw->height), 0);
		assert_int_equal(lumen_demosaic_quality(raw, &rgb, scratch, sizes[k]), 0);
		for (int y = 0; y < raw->height; y++)
			for (int x = 0; x < raw->width; x++)
				for (int c = 0; c < 3; c++)
					differ += *px(&rgb, c, x, y) != *px(&ref, c, x, y);
		print_message("%dx%d, scratch %zu bytes: %ld values differ\n", raw->width,
			      raw->height, sizes[k], differ);
		assert_int_equal(differ, 0);
		free(scratch);
		lumen_frame_free(&rgb);
	}
	lumen_frame_free(&ref);
}

/* scratch sizes for a 132-row strip (one byte short of 134 rows: the
 * call rounds the strip height down) and for one strip holding a w x h
 * frame */
static void larger_scratch(int w, int h, size_t sizes[2])
{
	size_t n = lumen_demosaic_quality_scratch_size(w, h);

	sizes[0] = lumen_demosaic_quality_scratch_size_for_rows(w, 134) - 1;
	sizes[1] = lumen_demosaic_quality_scratch_size_for_rows(w, h);
	assert_true(sizes[0] > n && sizes[1] > sizes[0]);
}

/* The minimum scratch is that of 96-row strips, or of one strip for a
 * shorter frame; strip heights round up to even; bad sizes give 0. */
static void scratch_sizes(void **state)
{
	(void)state;
	assert_int_equal(lumen_demosaic_quality_scratch_size(640, 480),
			 lumen_demosaic_quality_scratch_size_for_rows(640, 96));
	assert_int_equal(lumen_demosaic_quality_scratch_size(640, 41),
			 lumen_demosaic_quality_scratch_size_for_rows(640, 42));
	assert_int_equal(lumen_demosaic_quality_scratch_size_for_rows(640, 41),
			 lumen_demosaic_quality_scratch_size_for_rows(640, 42));
	assert_true(lumen_demosaic_quality_scratch_size_for_rows(640, 44) >
		    lumen_demosaic_quality_scratch_size_for_rows(640, 42));
	assert_int_equal(lumen_demosaic_quality_scratch_size_for_rows(1, 96), 0);
	assert_int_equal(lumen_demosaic_quality_scratch_size_for_rows(640, 0), 0);
	assert_int_equal(lumen_demosaic_quality_scratch_size_for_rows(640,
								      LUMEN_MAX_DIM + 1), 0);
}

/*
 * The strip height follows the scratch given; the output must not: strips
 * of the minimum height, of an odd-sized larger scratch and one strip for
 * the whole frame give the same bits. Catches a stencil that outgrew
 * MARGIN: the strip's own rows would read stale context.
 */
static void strip_height_does_not_matter(void **state)
{
	struct lumen_frame raw;
	size_t sizes[2];
	/* the strips are rows: under qemu-user a narrower frame (still wide
	 * enough for step 7) proves the same in a third of the time */
	const int w = lumen_test_emulated() ? 64 : 150;

	(void)state;
	larger_scratch(w, 300, sizes);
	make_raw(&raw, w, 300, LUMEN_BAYER_GBRG, texture_noise, NULL);
	same_for_any_strip(&raw, sizes);
	lumen_frame_free(&raw);
}

static unsigned from_image(int x, int y, int c, void *ctx);

/* The same on McMaster 1 (real-data suite): a real picture found a
 * support one row beyond MARGIN that the synthetic frame did not. */
static void strip_height_real_picture(void **state)
{
	const char *path = lumen_test_data("mcmaster/1.tif");
	struct lumen_frame raw, img;
	size_t sizes[2];

	(void)state;
	if (!path)
		skip();
	assert_int_equal(lumen_rgb_read(path, &img), 0);
	larger_scratch(img.width, img.height, sizes);
	make_raw(&raw, img.width, img.height, LUMEN_BAYER_RGGB, from_image, &img);
	same_for_any_strip(&raw, sizes);
	lumen_frame_free(&raw);
	lumen_frame_free(&img);
}

static unsigned from_image(int x, int y, int c, void *ctx)
{
	const struct lumen_frame *img = ctx;
	unsigned v = img->data[0][(size_t)y * img->stride[0] + 3 * (size_t)x + c];

	return (v * LUMEN_WORK_MAX + 127) / 255;
}

/* CPSNR floors on two Kodak images, all orders: catches regressions. */
static void kodak_floor(void **state)
{
	static const struct { const char *file; double floor; } imgs[] = {
		{ "kodak/kodim05.png", 37.5 }, { "kodak/kodim19.png", 39.5 },
	};


	(void)state;
	for (size_t k = 0; k < 2; k++) {
		const char *path = lumen_test_data(imgs[k].file);
		struct lumen_frame img, raw, rgb;

		if (!path)
			skip();
		assert_int_equal(lumen_rgb_read(path, &img), 0);
		assert_int_equal(img.fmt, LUMEN_PIX_RGB24);
		for (int o = 0; o < 4; o++) {
			double se = 0.0;
			long long n = 0, psnr_x100;

			make_raw(&raw, img.width, img.height, (enum lumen_bayer)o,
				 from_image, &img);
			run(&raw, &rgb);
			for (int y = 10; y < img.height - 10; y++)
				for (int x = 10; x < img.width - 10; x++)
					for (int c = 0; c < 3; c++) {
						int v = (int)((*px(&rgb, c, x, y) * 255u + LUMEN_WORK_MAX / 2) / LUMEN_WORK_MAX);
						int e = v - img.data[0][(size_t)y * img.stride[0] + 3 * (size_t)x + c];

						se += e * e;
						n++;
					}
			psnr_x100 = (long long)(100.0 * 10.0 * log10(255.0 * 255.0 * (double)n / se));
			print_message("%s order %d: %.2f dB\n", imgs[k].file, o, psnr_x100 / 100.0);
			assert_true(psnr_x100 >= (long long)(imgs[k].floor * 100));
			lumen_frame_free(&rgb);
			lumen_frame_free(&raw);
		}
		lumen_frame_free(&img);
	}
}

static void rgb_read_errors(void **state)
{
	struct lumen_frame f;
	const char *path;

	(void)state;
	assert_int_equal(lumen_rgb_read("/nonexistent/x.png", &f), -ENOENT);
	assert_int_equal(lumen_rgb_read("/dev/null", &f), -ENOTSUP);
	path = lumen_test_data("mcmaster/1.tif");
	if (!path)
		skip();
	assert_int_equal(lumen_rgb_read(path, &f), 0);
	assert_int_equal(f.width, 500);
	assert_int_equal(f.height, 500);
	assert_int_equal(f.fmt, LUMEN_PIX_RGB24);
	lumen_frame_free(&f);
}

/*
 * No argument: the unit tests (also run under qemu-user and the
 * sanitizers). "real-data": the full-size pictures of the test data
 * (suites 'heavy' and 'native': the native gcc build only).
 */
int main(int argc, char **argv)
{
	const struct CMUnitTest unit[] = {
		cmocka_unit_test(flat_and_gradient_exact),
		cmocka_unit_test(odd_sizes_and_extremes),
		cmocka_unit_test(strips_do_not_show),
		cmocka_unit_test(scratch_sizes),
		cmocka_unit_test(strip_height_does_not_matter),
		cmocka_unit_test(bad_arguments),
		cmocka_unit_test(rgb_read_errors),
	};
	const struct CMUnitTest real_data[] = {
		cmocka_unit_test(strip_height_real_picture),
		cmocka_unit_test(kodak_floor),
	};

	if (argc > 1 && !strcmp(argv[1], "real-data"))
		return lumen_test_run_group(real_data, NULL, NULL);
	return lumen_test_run_group(unit, NULL, NULL);
}
