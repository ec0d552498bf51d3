// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The scene model: what the emulated sensors render must be the chart's
 * published colours through the sensor matrix, with the noise, gain,
 * clipping and CFA phase a real sensor has.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "calib/colorchecker.h"
#include "calib/colour.h"
#include "core/cpu.h"
#include "core/mat3.h"
#include "io/image_write.h"
#include "virt/noise_dsp.h"
#include "virt/scene.h"
#include "testutil.h"

#define W 640
#define H 360

/* Rows deliberately unlike each other and non-symmetric: a transposed
 * matrix or a swapped channel gives different numbers. All entries >= 0,
 * so every real colour has a positive response. */
static const struct lumen_sensor_model model = {
	.cam_from_xyz = { { 0.60, 0.50, 0.05 },
			  { 0.10, 0.90, 0.10 },
			  { 0.00, 0.20, 0.80 } },
	.electrons_per_unit = 100000,
	.full_well_e = 10000,
	.read_noise_e = 3,
	.bits = 12,
	.black = 240,
};

static struct lumen_scene *chart(double light)
{
	struct lumen_scene_config cfg = {
		.kind = LUMEN_SCENE_CHART, .width = W, .height = H, .light = light,
	};
	struct lumen_scene *sc = NULL;
	char err[256] = "";

	assert_int_equal(lumen_scene_create(&cfg, &sc, err, sizeof(err)), 0);
	return sc;
}

static struct lumen_render_params params(enum lumen_bayer bayer)
{
	struct lumen_render_params p = {
		.exposure_s = 0.045,	/* white ~ 5000 e-, half the full well */
		.analog_gain = 1, .digital_gain = 1, .bayer = bayer,
		.frame_index = 7,
	};
	return p;
}

static void alloc_frame(struct lumen_frame *f)
{
	assert_int_equal(lumen_frame_alloc(f, LUMEN_PIX_BAYER16, W, H), 0);
}

/* Mean and variance of each CFA colour in a rectangle, black subtracted. */
static void rect_stats(const struct lumen_frame *f, int x0, int y0, int w, int h,
		       double mean[3], double var[3])
{
	double s[3] = { 0 }, s2[3] = { 0 };
	int n[3] = { 0 };

	for (int y = y0; y < y0 + h; y++)
		for (int x = x0; x < x0 + w; x++) {
			int c = lumen_bayer_at(f->bayer, x, y);
			double v = (double)lumen_frame_raw_at(f, x, y) - f->black[0];

			s[c] += v;
			s2[c] += v * v;
			n[c]++;
		}
	for (int c = 0; c < 3; c++) {
		mean[c] = s[c] / n[c];
		if (var)
			var[c] = s2[c] / n[c] - mean[c] * mean[c];
	}
}

/* The inner half (by side) of patch @p. */
static void inner(const int r[4], int *x, int *y, int *w, int *h)
{
	*x = r[0] + r[2] / 4;
	*y = r[1] + r[3] / 4;
	*w = r[2] / 2;
	*h = r[3] / 2;
}

static double code_per_e(const struct lumen_render_params *p)
{
	return ((1 << model.bits) - 1 - model.black) / model.full_well_e *
	       p->analog_gain * p->digital_gain;
}

/* Patch means, inverted through the sensor matrix, give the chart's XYZ:
 * catches a transposed matrix, a wrong CFA phase, a wrong scale. */
static void chart_colours_recovered(void **state)
{
	struct lumen_scene *sc = chart(1.0);
	struct lumen_render_params p = params(LUMEN_BAYER_GRBG);
	double truth[24][3], xyz_from_cam[3][3], worst = 0;
	int rects[24][4];
	struct lumen_frame f;

	(void)state;
	alloc_frame(&f);
	assert_int_equal(lumen_scene_render(sc, &model, &p, &f), 0);
	assert_int_equal(f.bayer, LUMEN_BAYER_GRBG);
	assert_int_equal(f.bits, 12);
	assert_int_equal(f.white, 4095);
	assert_int_equal(f.black[3], 240);
	lumen_scene_chart_truth(truth);
	lumen_scene_chart_layout(W, H, rects);
	assert_int_equal(lumen_mat3_invert(model.cam_from_xyz, xyz_from_cam), 0);

	for (int i = 0; i < 24; i++) {
		double mean[3], cam[3], xyz[3], ref[3];
		int x, y, w, h;

		inner(rects[i], &x, &y, &w, &h);
		rect_stats(&f, x, y, w, h, mean, NULL);
		for (int c = 0; c < 3; c++)
			cam[c] = mean[c] / code_per_e(&p) /
				 (p.exposure_s * model.electrons_per_unit);
		for (int c = 0; c < 3; c++)
			xyz[c] = xyz_from_cam[c][0] * cam[0] + xyz_from_cam[c][1] * cam[1] +
				 xyz_from_cam[c][2] * cam[2];
		lumen_linsrgb_to_xyz(truth[i], ref);
		for (int c = 0; c < 3; c++) {
			double e = fabs(xyz[c] - ref[c]) / (ref[c] + 0.02);

			if (e > worst)
				worst = e;
			if (e > 0.04)
				fail_msg("patch %d XYZ[%d]: %.4f, truth %.4f", i, c, xyz[c], ref[c]);
		}
	}
	printf("scene: worst patch XYZ error %.2f %%\n", 100 * worst);
	lumen_frame_free(&f);
	lumen_scene_destroy(sc);
}

/* Under another light a neutral surface answers A * white(light). */
static void illuminant_changes_neutral(void **state)
{
	const double illum_a[3] = { 1.09850, 1.0, 0.35585 };	/* CIE A */
	struct lumen_scene *sc = chart(1.0);
	struct lumen_render_params p = params(LUMEN_BAYER_RGGB);
	struct lumen_frame f;
	double mean[3];

	(void)state;
	p.noiseless = true;
	alloc_frame(&f);
	lumen_scene_set_illuminant(sc, illum_a);
	assert_int_equal(lumen_scene_render(sc, &model, &p, &f), 0);
	rect_stats(&f, 0, 0, W, 8, mean, NULL);	/* grey surround strip */
	for (int c = 0; c < 3; c++) {
		double want = 0.18 * (model.cam_from_xyz[c][0] * illum_a[0] +
				      model.cam_from_xyz[c][1] * illum_a[1] +
				      model.cam_from_xyz[c][2] * illum_a[2]) *
			      p.exposure_s * model.electrons_per_unit * code_per_e(&p);

		assert_true(fabs(mean[c] - want) < 0.01 * want + 0.5);
	}
	lumen_frame_free(&f);
	lumen_scene_destroy(sc);
}

/* A flat area's variance is shot + read noise (+ quantisation). */
static void noise_matches_model(void **state)
{
	struct lumen_scene *sc = chart(1.0);
	struct lumen_render_params p = params(LUMEN_BAYER_BGGR);
	struct lumen_frame f;
	double mean[3], var[3];
	int rects[24][4];

	(void)state;
	p.analog_gain = 4;	/* codes per e- above 1: quantisation stays small */
	alloc_frame(&f);
	lumen_scene_chart_layout(W, H, rects);
	assert_int_equal(lumen_scene_render(sc, &model, &p, &f), 0);
	rect_stats(&f, 0, 0, W, rects[0][1] - 1, mean, var);
	for (int c = 0; c < 3; c++) {
		double cpe = code_per_e(&p), e = mean[c] / cpe;
		double want = (e + model.read_noise_e * model.read_noise_e) * cpe * cpe +
			      1.0 / 12;

		printf("scene: noise ch %d: mean %.1f e-, var %.2f, model %.2f\n", c, e,
		       var[c], want);
		assert_true(e > 200);
		assert_true(fabs(var[c] - want) < 0.1 * want);
	}
	/* another frame index gives other noise, the same index the same */
	{
		struct lumen_frame g;

		alloc_frame(&g);
		assert_int_equal(lumen_scene_render(sc, &model, &p, &g), 0);
		assert_memory_equal(f.data[0], g.data[0], (size_t)H * f.stride[0]);
		p.frame_index++;
		assert_int_equal(lumen_scene_render(sc, &model, &p, &g), 0);
		assert_memory_not_equal(f.data[0], g.data[0], (size_t)H * f.stride[0]);
		lumen_frame_free(&g);
	}
	lumen_frame_free(&f);
	lumen_scene_destroy(sc);
}

/* Mirror/flip read the scene backwards; with the CFA order the caller
 * derives through lumen_bayer_flip() each photosite sees the same colour
 * of the same scene point as before. */
static void flip_mirrors_scene_and_phase(void **state)
{
	struct lumen_scene *sc = chart(1.0);
	struct lumen_render_params p = params(LUMEN_BAYER_BGGR);
	struct lumen_frame a, b;

	(void)state;
	p.noiseless = true;
	alloc_frame(&a);
	alloc_frame(&b);
	assert_int_equal(lumen_scene_render(sc, &model, &p, &a), 0);
	for (int fl = 1; fl <= 3; fl++) {
		bool hf = fl & 1, vf = fl & 2;

		p.hflip = hf;
		p.vflip = vf;
		p.bayer = lumen_bayer_flip(LUMEN_BAYER_BGGR, hf, vf, W, H);
		assert_int_equal(lumen_scene_render(sc, &model, &p, &b), 0);
		assert_int_equal(b.bayer, p.bayer);
		/* BGGR mirrored is GBRG, flipped GRBG, both RGGB: never B */
		assert_int_not_equal(lumen_bayer_at(b.bayer, 0, 0),
				     lumen_bayer_at(a.bayer, 0, 0));
		for (int y = 0; y < H; y++)
			for (int x = 0; x < W; x++) {
				int mx = hf ? W - 1 - x : x, my = vf ? H - 1 - y : y;

				if (lumen_frame_raw_at(&b, x, y) != lumen_frame_raw_at(&a, mx, my))
					fail_msg("flip %d: (%d,%d) %u != (%d,%d) %u", fl, x, y,
						 lumen_frame_raw_at(&b, x, y), mx, my,
						 lumen_frame_raw_at(&a, mx, my));
			}
	}
	lumen_frame_free(&a);
	lumen_frame_free(&b);
	lumen_scene_destroy(sc);
}

static void light_scales_and_clips(void **state)
{
	struct lumen_scene *sc = chart(1.0);
	struct lumen_render_params p = params(LUMEN_BAYER_RGGB);
	struct lumen_frame f;
	double m1[3], m2[3];
	int rects[24][4], x, y, w, h;

	(void)state;
	alloc_frame(&f);
	lumen_scene_chart_layout(W, H, rects);
	inner(rects[21], &x, &y, &w, &h);	/* neutral 3.5 */
	assert_int_equal(lumen_scene_render(sc, &model, &p, &f), 0);
	rect_stats(&f, x, y, w, h, m1, NULL);
	lumen_scene_set_light(sc, 2.0);
	assert_true(lumen_scene_get_light(sc) == 2.0);
	assert_int_equal(lumen_scene_render(sc, &model, &p, &f), 0);
	rect_stats(&f, x, y, w, h, m2, NULL);
	for (int c = 0; c < 3; c++)
		assert_true(fabs(m2[c] / m1[c] - 2) < 0.02);

	/* far over the full well: every photosite is at white, noise or not */
	lumen_scene_set_light(sc, 100.0);
	assert_int_equal(lumen_scene_render(sc, &model, &p, &f), 0);
	for (int yy = 0; yy < H; yy++)
		for (int xx = 0; xx < W; xx++)
			if (lumen_frame_raw_at(&f, xx, yy) != 4095 &&
			    /* only the chart's black patch may stay below */
			    !(xx >= rects[23][0] && xx < rects[23][0] + rects[23][2] &&
			      yy >= rects[23][1] && yy < rects[23][1] + rects[23][3]))
				fail_msg("(%d,%d) = %u, not clipped", xx, yy,
					 lumen_frame_raw_at(&f, xx, yy));
	/* no light: black level with read noise around it */
	lumen_scene_set_light(sc, 0.0);
	assert_int_equal(lumen_scene_render(sc, &model, &p, &f), 0);
	rect_stats(&f, 0, 0, W, H, m1, NULL);
	for (int c = 0; c < 3; c++)
		assert_true(fabs(m1[c]) < 0.1);
	lumen_frame_free(&f);
	lumen_scene_destroy(sc);
}

static void test_patterns_deterministic(void **state)
{
	struct lumen_scene *sc = chart(1.0);
	struct lumen_render_params p = params(LUMEN_BAYER_RGGB);
	struct lumen_frame a, b;

	(void)state;
	alloc_frame(&a);
	alloc_frame(&b);
	p.test_pattern = 1;
	assert_int_equal(lumen_scene_render(sc, &model, &p, &a), 0);
	p.frame_index = 99;
	assert_int_equal(lumen_scene_render(sc, &model, &p, &b), 0);
	assert_memory_equal(a.data[0], b.data[0], (size_t)H * a.stride[0]);
	/* bar 0 white, bar 1 yellow (no blue), last bar black */
	for (int x = 0; x < 2; x++)
		for (int y = 0; y < 2; y++)
			assert_int_equal(lumen_frame_raw_at(&a, x, y), 4095);
	assert_int_equal(lumen_frame_raw_at(&a, W / 8 + 1, 1), 240);	/* B site */
	assert_int_equal(lumen_frame_raw_at(&a, W / 8, 0), 4095);	/* R site */
	assert_int_equal(lumen_frame_raw_at(&a, W - 1, H - 1), 240);

	p.test_pattern = 2;
	assert_int_equal(lumen_scene_render(sc, &model, &p, &a), 0);
	assert_int_equal(lumen_frame_raw_at(&a, 0, 5), 240);
	assert_int_equal(lumen_frame_raw_at(&a, W - 1, 5), 4095);
	for (int x = 1; x < W; x++)
		assert_true(lumen_frame_raw_at(&a, x, 3) >= lumen_frame_raw_at(&a, x - 1, 3));
	lumen_frame_free(&a);
	lumen_frame_free(&b);
	lumen_scene_destroy(sc);
}

static void bad_input_refused(void **state)
{
	struct lumen_scene_config cfg = { .kind = LUMEN_SCENE_CHART, .width = 0,
					  .height = 480, .light = 1 };
	struct lumen_scene *sc = NULL;
	struct lumen_render_params p = params(LUMEN_BAYER_RGGB);
	struct lumen_sensor_model bad = model;
	struct lumen_frame f, big;
	char err[256] = "";

	(void)state;
	assert_int_equal(lumen_scene_create(&cfg, &sc, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "0x480"));
	assert_null(sc);

	cfg.kind = LUMEN_SCENE_IMAGE;
	cfg.width = 64;
	cfg.image_path = "/nonexistent/scene.png";
	assert_int_equal(lumen_scene_create(&cfg, &sc, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "/nonexistent/scene.png"));

	sc = chart(1.0);
	assert_int_equal(lumen_frame_alloc(&big, LUMEN_PIX_BAYER16, W + 2, H), 0);
	assert_int_equal(lumen_scene_render(sc, &model, &p, &big), -EINVAL);
	lumen_frame_free(&big);
	assert_int_equal(lumen_frame_alloc(&f, LUMEN_PIX_BAYER8, W, H), 0);
	assert_int_equal(lumen_scene_render(sc, &model, &p, &f), -EINVAL);
	lumen_frame_free(&f);
	alloc_frame(&f);
	bad.bits = 20;
	assert_int_equal(lumen_scene_render(sc, &bad, &p, &f), -EINVAL);
	p.exposure_s = -1;
	assert_int_equal(lumen_scene_render(sc, &model, &p, &f), -EINVAL);
	/* a centred smaller window is fine */
	f.width = W / 2;
	p.exposure_s = 0.01;
	assert_int_equal(lumen_scene_render(sc, &model, &p, &f), 0);
	lumen_frame_free(&f);
	lumen_scene_destroy(sc);
}

/* An sRGB image: a flat 50 % grey file gives linear 0.214 through the
 * matrix; panning moves a feature by an even step per frame. */
static void image_scene_linear_and_pans(void **state)
{
	char path[] = "/tmp/lumen_scene_XXXXXX.png";
	struct lumen_scene_config cfg = { .kind = LUMEN_SCENE_IMAGE, .image_path = path,
					  .width = W, .height = H, .light = 1 };
	struct lumen_render_params p = params(LUMEN_BAYER_RGGB);
	struct lumen_scene *sc = NULL;
	struct lumen_frame img, f;
	char err[256] = "";
	double mean[3], lin = lumen_srgb_to_linear(128 / 255.0);
	int fd, xs[2];

	(void)state;
	fd = mkstemps(path, 4);
	assert_true(fd >= 0);
	close(fd);
	/* 320x180, grey 128 with a white 2-pixel-wide vertical line at 100 */
	assert_int_equal(lumen_frame_alloc(&img, LUMEN_PIX_RGB24, 320, 180), 0);
	for (int y = 0; y < 180; y++)
		for (int x = 0; x < 320; x++)
			memset(img.data[0] + y * img.stride[0] + 3 * x,
			       x == 100 || x == 101 ? 255 : 128, 3);
	assert_int_equal(lumen_image_write(path, &img, 0, err, sizeof(err)), 0);
	lumen_frame_free(&img);

	assert_int_equal(lumen_scene_create(&cfg, &sc, err, sizeof(err)), 0);
	alloc_frame(&f);
	p.noiseless = true;
	assert_int_equal(lumen_scene_render(sc, &model, &p, &f), 0);
	rect_stats(&f, 0, 0, 64, 64, mean, NULL);
	for (int c = 0; c < 3; c++) {
		double want = lin * (model.cam_from_xyz[c][0] * lumen_white_d65[0] +
				     model.cam_from_xyz[c][1] * lumen_white_d65[1] +
				     model.cam_from_xyz[c][2] * lumen_white_d65[2]) *
			      p.exposure_s * model.electrons_per_unit * code_per_e(&p);

		assert_true(fabs(mean[c] - want) < 0.01 * want + 0.5);
	}
	lumen_scene_destroy(sc);

	/* panning 3 px/frame: frame 0 and frame 10 differ by 30 px (even) */
	cfg.pan_px_per_frame = 3;
	assert_int_equal(lumen_scene_create(&cfg, &sc, err, sizeof(err)), 0);
	for (int k = 0; k < 2; k++) {
		p.frame_index = (uint64_t)k * 10;
		assert_int_equal(lumen_scene_render(sc, &model, &p, &f), 0);
		xs[k] = -1;
		for (int x = 0; x < W && xs[k] < 0; x++)
			if (lumen_frame_raw_at(&f, x, 101) > 1000)
				xs[k] = x;
		assert_true(xs[k] >= 0);
	}
	assert_int_equal(xs[0] - xs[1], 30);
	lumen_frame_free(&f);
	lumen_scene_destroy(sc);
	unlink(path);
}

/* The chart is where the layout says, in the geometry the calibration's
 * detector and sampler expect. */
static void chart_detected_where_laid_out(void **state)
{
	struct lumen_scene *sc = chart(1.0);
	struct lumen_render_params p = params(LUMEN_BAYER_BGGR);
	struct lumen_cc_sample smp[LUMEN_CC_PATCHES];
	struct lumen_frame f;
	double corners[8], want[8];
	int rects[24][4];

	(void)state;
	alloc_frame(&f);
	assert_int_equal(lumen_scene_render(sc, &model, &p, &f), 0);
	lumen_scene_chart_layout(W, H, rects);
	want[0] = rects[0][0];				want[1] = rects[0][1];
	want[2] = rects[5][0] + rects[5][2];		want[3] = rects[5][1];
	want[4] = rects[23][0] + rects[23][2];		want[5] = rects[23][1] + rects[23][3];
	want[6] = rects[18][0];				want[7] = rects[18][1] + rects[18][3];
	assert_int_equal(lumen_cc_detect(&f, corners), 0);
	assert_int_equal(lumen_cc_sample_oriented(&f, corners, smp), 0);
	for (int i = 0; i < 8; i++)
		if (fabs(corners[i] - want[i]) > 3)
			fail_msg("corner %d.%d at %.1f, laid out at %.0f", i / 2, i % 2,
				 corners[i], want[i]);
	lumen_frame_free(&f);
	lumen_scene_destroy(sc);
}

/* A flat field at levels from read-noise bound to near the clip, 10- and
 * 12-bit: the mean of a patch is the model's mean and its variance, over
 * space and over frames at one photosite, is shot + read noise
 * (+ quantisation). The per-frame noise is fresh every frame. */
static void flat_noise_statistics(void **state)
{
	static const struct { int bits; double exposure, gain; } cases[] = {
		{ 10, 0.0, 8 },		/* no light: read noise only */
		{ 10, 0.0005, 4 },	/* ~40 e-: read noise matters */
		{ 10, 0.01, 1 },	/* ~800 e- */
		{ 12, 0.05, 1 },	/* ~4000 e-, 12-bit */
		{ 12, 0.1, 1 },		/* ~8000 e-, near the full well */
	};
	struct lumen_scene_config cfg = {
		.kind = LUMEN_SCENE_FLAT, .width = W, .height = H, .light = 1,
	};
	struct lumen_scene *sc;
	struct lumen_frame f;
	char err[256];

	(void)state;
	assert_int_equal(lumen_scene_create(&cfg, &sc, err, sizeof(err)), 0);
	alloc_frame(&f);
	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		struct lumen_sensor_model m = model;
		struct lumen_render_params p = params(LUMEN_BAYER_RGGB);
		struct lumen_frame mf;
		double mean[3], var[3], want_mean[3], cpe;
		double ts[64] = { 0 }, ts2[64] = { 0 }, tvar = 0, tmean = 0;
		const int frames = 16;

		m.bits = cases[k].bits;
		m.black = (uint16_t)(cases[k].bits == 10 ? 64 : 240);
		p.exposure_s = cases[k].exposure;
		p.analog_gain = cases[k].gain;
		cpe = ((1 << m.bits) - 1 - m.black) / m.full_well_e * p.analog_gain;

		/* the noiseless mean, then the noisy frame's statistics */
		alloc_frame(&mf);
		p.noiseless = true;
		assert_int_equal(lumen_scene_render(sc, &m, &p, &mf), 0);
		rect_stats(&mf, W / 4, H / 4, W / 2, H / 2, want_mean, NULL);
		lumen_frame_free(&mf);
		p.noiseless = false;
		for (int fr = 0; fr < frames; fr++) {
			p.frame_index = 1000 + (uint64_t)fr;
			assert_int_equal(lumen_scene_render(sc, &m, &p, &f), 0);
			if (fr == 0)
				rect_stats(&f, W / 4, H / 4, W / 2, H / 2, mean, var);
			/* 64 photosites of one colour, each over the frames */
			for (int i = 0; i < 64; i++) {
				double v = lumen_frame_raw_at(&f, 2 * (i % 8) + W / 2,
							      2 * (i / 8) + H / 2);

				ts[i] += v;
				ts2[i] += v * v;
			}
		}
		for (int i = 0; i < 64; i++) {
			double mu = ts[i] / frames;

			tmean += mu / 64;
			/* unbiased over the frames */
			tvar += (ts2[i] - frames * mu * mu) / (frames - 1) / 64;
		}
		for (int c = 0; c < 3; c++) {
			double e = want_mean[c] / cpe;
			double want = (e + m.read_noise_e * m.read_noise_e) * cpe * cpe +
				      1.0 / 12;

			printf("scene: flat %d-bit exp %g gain %g ch %d: mean %.2f (%.2f), "
			       "var %.3f, model %.3f\n", m.bits, p.exposure_s,
			       p.analog_gain, c, mean[c], want_mean[c], var[c], want);
			/* the noiseless mean is rounded to codes: +-0.5 */
			assert_true(fabs(mean[c] - want_mean[c]) < 0.5 + 0.01 * want_mean[c]);
			assert_true(fabs(var[c] - want) < 0.05 * want);
		}
		/* over time at one photosite (R sites): 64 x 15 degrees of
		 * freedom, so +-20 % is over 4 standard errors */
		{
			double e = want_mean[0] / cpe;
			double want = (e + m.read_noise_e * m.read_noise_e) * cpe * cpe +
				      1.0 / 12;

			printf("scene: temporal mean %.2f, var %.3f, model %.3f\n",
			       tmean - m.black, tvar, want);
			assert_true(fabs(tvar - want) < 0.2 * want);
		}
	}
	lumen_frame_free(&f);
	lumen_scene_destroy(sc);
}

/* The cached mean follows every change: exposure A, B, then A again with
 * the same frame index gives A's frame again, and B's noisy mean is the
 * noiseless B. */
static void cached_mean_follows_changes(void **state)
{
	struct lumen_scene *sc = chart(1.0);
	struct lumen_render_params p = params(LUMEN_BAYER_GBRG);
	struct lumen_frame a, b, c;
	int rects[24][4], x, y, w, h;
	double mb[3], mc[3];

	(void)state;
	alloc_frame(&a);
	alloc_frame(&b);
	alloc_frame(&c);
	assert_int_equal(lumen_scene_render(sc, &model, &p, &a), 0);
	p.exposure_s *= 0.5;
	assert_int_equal(lumen_scene_render(sc, &model, &p, &b), 0);
	p.noiseless = true;
	assert_int_equal(lumen_scene_render(sc, &model, &p, &c), 0);
	lumen_scene_chart_layout(W, H, rects);
	inner(rects[19], &x, &y, &w, &h);	/* white */
	rect_stats(&b, x, y, w, h, mb, NULL);
	rect_stats(&c, x, y, w, h, mc, NULL);
	for (int k = 0; k < 3; k++)
		assert_true(fabs(mb[k] - mc[k]) < 0.01 * mc[k] + 0.5);
	p.noiseless = false;
	p.exposure_s *= 2;
	assert_int_equal(lumen_scene_render(sc, &model, &p, &b), 0);
	assert_memory_equal(a.data[0], b.data[0], (size_t)H * a.stride[0]);
	/* the illuminant and the flip are part of it too */
	p.hflip = true;
	assert_int_equal(lumen_scene_render(sc, &model, &p, &b), 0);
	assert_memory_not_equal(a.data[0], b.data[0], (size_t)H * a.stride[0]);
	p.hflip = false;
	lumen_scene_set_illuminant(sc, (const double[3]){ 1.0985, 1.0, 0.3558 });
	assert_int_equal(lumen_scene_render(sc, &model, &p, &b), 0);
	assert_memory_not_equal(a.data[0], b.data[0], (size_t)H * a.stride[0]);
	lumen_scene_set_illuminant(sc, NULL);
	assert_int_equal(lumen_scene_render(sc, &model, &p, &b), 0);
	assert_memory_equal(a.data[0], b.data[0], (size_t)H * a.stride[0]);
	lumen_frame_free(&a);
	lumen_frame_free(&b);
	lumen_frame_free(&c);
	lumen_scene_destroy(sc);
}

/* The noise kernels of every SIMD level give the C kernel's bits: means at
 * 0, at 65535, around the clip and random; tables with zero, largest and
 * random scales; counters that wrap; odd widths. */
static void noise_simd_matches_c(void **state)
{
	static const unsigned levels[] = { LUMEN_CPU_AVX2, LUMEN_CPU_NEON };
	static const int widths[] = { 1, 3, 4, 7, 8, 15, 16, 17, 31, 33, 100, 641 };
	static struct lumen_noise_tab t;
	static uint16_t mean[641], out_c[641 + 8], out_s[641 + 8];
	unsigned all = lumen_cpu_flags(), seed = 5;
	int tested = 0;

	(void)state;
	for (size_t l = 0; l < sizeof(levels) / sizeof(levels[0]); l++) {
		struct lumen_noise_dsp dsp;

		if ((levels[l] & all) != levels[l])
			continue;
		lumen_cpu_set_mask(levels[l]);
		lumen_noise_dsp_init(&dsp);
		lumen_cpu_set_mask(all);
		if (dsp.row == lumen_noise_row_c)
			continue;
		tested++;
		for (int tk = 0; tk < 4; tk++) {
			for (int i = 0; i < LUMEN_NOISE_LEVELS; i++)
				t.k[i] = tk == 0 ? 0 : tk == 1 ? LUMEN_NOISE_K_MAX :
					(int32_t)(lumen_test_rand(&seed) %
						  (unsigned)(tk == 2 ? 4096 * 40 : LUMEN_NOISE_K_MAX));
			t.frac = tk;
			t.maxcode = tk == 3 ? 65535 : (1 << (14 - tk)) - 1;
			t.upper = tk == 1 ? INT32_MAX / 2 : (int32_t)(lumen_test_rand(&seed) % 70000);
			for (size_t wi = 0; wi < sizeof(widths) / sizeof(widths[0]); wi++)
				for (int pat = 0; pat < 4; pat++) {
					int w = widths[wi];
					uint32_t ctr = pat == 3 ? 0xFFFFFFF0u : lumen_test_rand(&seed);
					uint32_t key = lumen_test_rand(&seed);

					for (int i = 0; i < w; i++)
						mean[i] = pat == 0 ? 0 : pat == 1 ? 65535 :
							pat == 2 ? (uint16_t)(t.upper + (int)(i % 64) - 32) :
							(uint16_t)lumen_test_rand(&seed);
					for (int i = 0; i < w + 8; i++)
						out_c[i] = out_s[i] = 0xbeef;
					lumen_noise_row_c(out_c, mean, w, ctr, key, &t);
					dsp.row(out_s, mean, w, ctr, key, &t);
					if (memcmp(out_c, out_s, (size_t)(w + 8) * 2))
						fail_msg("level %#x table %d width %d pattern %d: differs",
							 levels[l], tk, w, pat);
				}
		}
	}
	printf("scene: noise kernels of %d SIMD level(s) match C\n", tested);
}

/* The virtual sensor renders a frame band by band: the rows must be the
 * bits of the whole-frame render, noisy (mean plane cached or rebuilt in
 * the first band), noiseless and test pattern, with odd band heights, a
 * window smaller than the scene, and a flip. Catches a row offset, a CFA
 * phase taken from the band instead of the frame, noise keyed per band. */
static void bands_equal_whole_frame(void **state)
{
	struct lumen_scene *sc = chart(1.0);
	struct lumen_render_params p = params(LUMEN_BAYER_GBRG), other;
	const int ww = W - 64, wh = H - 38;	/* a centred window */
	struct lumen_frame whole, band, view;

	(void)state;
	assert_int_equal(lumen_frame_alloc(&whole, LUMEN_PIX_BAYER16, ww, wh), 0);
	assert_int_equal(lumen_frame_alloc(&band, LUMEN_PIX_BAYER16, ww, 7), 0);
	for (int c = 0; c < 4; c++) {
		p.noiseless = c == 1;
		p.test_pattern = c == 2 ? 1 : 0;
		p.vflip = c == 3;
		p.frame_index = 11 + (uint64_t)c;
		assert_int_equal(lumen_scene_render(sc, &model, &p, &whole), 0);
		if (c == 3) {
			/* the cached mean is another exposure's: the first
			 * band must rebuild it */
			other = p;
			other.exposure_s *= 0.5;
			assert_int_equal(lumen_scene_render_rows(sc, &model, &other,
				ww, wh, 0, &band), 0);
		}
		for (int y = 0; y < wh; y += band.height) {
			int rows = wh - y < band.height ? wh - y : band.height;

			assert_int_equal(lumen_frame_crop(&band, 0, 0, ww, rows, &view), 0);
			assert_int_equal(lumen_scene_render_rows(sc, &model, &p, ww, wh,
								 y, &view), 0);
			for (int r = 0; r < rows; r++)
				assert_memory_equal(view.data[0] + (size_t)r * view.stride[0],
						    whole.data[0] + (size_t)(y + r) * whole.stride[0],
						    (size_t)ww * 2);
		}
	}
	/* rows outside the frame, a band of another width */
	assert_int_equal(lumen_frame_crop(&band, 0, 0, ww, 7, &view), 0);
	assert_int_equal(lumen_scene_render_rows(sc, &model, &p, ww, wh, wh - 6,
						 &view), -EINVAL);
	assert_int_equal(lumen_scene_render_rows(sc, &model, &p, ww, wh, -1,
						 &view), -EINVAL);
	assert_int_equal(lumen_scene_render_rows(sc, &model, &p, ww - 2, wh, 0,
						 &view), -EINVAL);
	lumen_frame_free(&band);
	lumen_frame_free(&whole);
	lumen_scene_destroy(sc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(chart_colours_recovered),
		cmocka_unit_test(illuminant_changes_neutral),
		cmocka_unit_test(noise_matches_model),
		cmocka_unit_test(flip_mirrors_scene_and_phase),
		cmocka_unit_test(light_scales_and_clips),
		cmocka_unit_test(test_patterns_deterministic),
		cmocka_unit_test(bad_input_refused),
		cmocka_unit_test(image_scene_linear_and_pans),
		cmocka_unit_test(chart_detected_where_laid_out),
		cmocka_unit_test(flat_noise_statistics),
		cmocka_unit_test(cached_mean_follows_changes),
		cmocka_unit_test(noise_simd_matches_c),
		cmocka_unit_test(bands_equal_whole_frame),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
