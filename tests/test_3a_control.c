// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Live 3A controllers in closed loop.
 *
 * AE: a simulated linear sensor (value = reflectance x light x exposure x
 * gain, clipped at white) whose settings take effect two frames after they
 * are requested, feeding statistics built the way the ISP's stats stage
 * lays them out. Deterministic: frame counts are asserted.
 *
 * AWB: the real chain — scene model (an image mostly of foliage, which
 * breaks grey world) -> ISP up to its statistics -> controller — through a
 * change of light from D65 to CIE A.
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
#include <unistd.h>
#include <cmocka.h>

#include "algo/ae_control.h"
#include "algo/awb_control.h"
#include "calib/colour.h"
#include "io/image_write.h"
#include "isp/isp.h"
#include "virt/scene.h"
#include "testutil.h"

/* ---- AE ----------------------------------------------------------------- */

#define ZX 8
#define ZY 8
#define NZ (ZX * ZY)
#define DELAY 2
#define CELLS_PER_ZONE 1000
#define SENSITIVITY 100.0	/* value of reflectance 1, light 1, 1 s, 1x */

/* SC4336P-like mode: HTS 2800 at 126 MHz, VTS 1500, margin 4 */
static const struct lumen_ae_limits limits = {
	.exposure_min_lines = 1, .exposure_max_lines = 1496,
	.gain_min_q8 = 256, .gain_max_q8 = 256 * 31 / 2,
	.line_time_s = 2800 / 126e6,
};

struct sim {
	double refl[NZ];
	double light;
	struct lumen_ae_exposure pending[DELAY + 1];	/* [0] = in effect */
};

static void sim_init(struct sim *s, const struct lumen_ae_exposure *start)
{
	/* log-uniform reflectances 0.05..0.6: log-average 0.17, the brightest
	 * 3.5x above it, so the 99th percentile does not bind at target */
	for (int z = 0; z < NZ; z++)
		s->refl[z] = 0.05 * pow(12.0, (double)((z * 37) % NZ) / (NZ - 1));
	s->light = 1;
	for (int i = 0; i <= DELAY; i++)
		s->pending[i] = *start;
}

static double value(const struct sim *s, int z, const struct lumen_ae_exposure *e)
{
	double v = s->refl[z] * s->light * SENSITIVITY * e->lines *
		   limits.line_time_s * e->gain_q8 / 256.0;

	return v > 1 ? 1 : v;
}

/* Captures one frame with the settings in effect; returns the true
 * log-average brightness and fills @st and @cap. */
static double sim_frame(const struct sim *s, struct lumen_isp_stats *st,
			struct lumen_ae_exposure *cap)
{
	double logsum = 0;

	memset(st, 0, sizeof(*st));
	st->zones_x = ZX;
	st->zones_y = ZY;
	*cap = s->pending[0];
	for (int z = 0; z < NZ; z++) {
		double v = value(s, z, cap);
		int bin = (int)(v * LUMEN_STATS_HIST_BINS);

		for (int c = 0; c < 3; c++) {
			st->sum[c][z] = (uint64_t)llrint(v * LUMEN_WORK_MAX * CELLS_PER_ZONE);
			st->count[c][z] = CELLS_PER_ZONE;
		}
		st->clipped[z] = v >= 1 ? CELLS_PER_ZONE : 0;
		st->hist[bin >= LUMEN_STATS_HIST_BINS ? LUMEN_STATS_HIST_BINS - 1 : bin] +=
			CELLS_PER_ZONE;
		st->cells += CELLS_PER_ZONE;
		logsum += log(v + 1e-6);
	}
	return exp(logsum / NZ);
}

/* The request made after frame n is in effect from frame n + DELAY. */
static void sim_request(struct sim *s, const struct lumen_ae_exposure *next)
{
	memmove(&s->pending[0], &s->pending[1], DELAY * sizeof(s->pending[0]));
	s->pending[DELAY - 1] = *next;
	s->pending[DELAY] = *next;
}

/* Runs up to @max frames; returns the first frame from which the true
 * brightness stays within 10 % of @target to the end, and checks every
 * request against the limits (and, without flicker, exposure before gain). */
static int run(struct lumen_ae_ctl *ae, struct sim *s, int max, double target,
	       bool check_gain_order)
{
	static struct lumen_isp_stats st;
	int settled = -1;

	for (int f = 0; f < max; f++) {
		struct lumen_ae_exposure cap, next;
		double b = sim_frame(s, &st, &cap);

		if (fabs(b / target - 1) <= 0.10) {
			if (settled < 0)
				settled = f;
		} else {
			settled = -1;
		}
		assert_int_equal(lumen_ae_ctl_process(ae, &st, NULL, &cap, &next), 0);
		assert_true(next.lines >= limits.exposure_min_lines &&
			    next.lines <= limits.exposure_max_lines);
		assert_true(next.gain_q8 >= limits.gain_min_q8 &&
			    next.gain_q8 <= limits.gain_max_q8);
		if (check_gain_order && next.lines < limits.exposure_max_lines)
			assert_int_equal(next.gain_q8, 256);
		sim_request(s, &next);
	}
	return settled;
}

static void ae_recovers_from_4_stop_steps(void **state)
{
	const struct lumen_ae_exposure start = { 100, 256 };
	struct lumen_ae_config cfg = { .target = 0.18f };
	struct lumen_ae_ctl ae;
	struct sim s;
	int f;

	(void)state;
	assert_int_equal(lumen_ae_ctl_init(&ae, &cfg, &limits, &start), 0);
	sim_init(&s, &start);
	f = run(&ae, &s, 30, 0.18, true);
	assert_true(f >= 0);
	assert_true(ae.st.converged);
	assert_true(fabsf(ae.st.error) <= 0.1f);
	assert_int_equal(ae.st.gain_limited, true);	/* at 1x, its minimum */

	/* lights down 4 stops: exposure to the frame's limit, then gain */
	s.light /= 16;
	f = run(&ae, &s, 25, 0.18, true);
	printf("ae: 4 stops darker: within 10 %% after %d frames "
	       "(exposure %.1f ms, gain %.2fx)\n", f, ae.st.exposure_s * 1e3, ae.st.gain);
	assert_true(f >= 0 && f <= 10);
	assert_int_equal(ae.st.request.lines, limits.exposure_max_lines);
	assert_true(ae.st.gain > 1.5f);
	assert_true(ae.st.converged);

	/* and 4 stops up again, through a clipped frame */
	s.light *= 16;
	f = run(&ae, &s, 25, 0.18, true);
	printf("ae: 4 stops brighter: within 10 %% after %d frames "
	       "(exposure %.1f ms, gain %.2fx)\n", f, ae.st.exposure_s * 1e3, ae.st.gain);
	assert_true(f >= 0 && f <= 10);
	assert_int_equal(ae.st.request.gain_q8, 256);

	/* steady: no hunting once there */
	{
		struct lumen_ae_exposure before = ae.st.request;

		run(&ae, &s, 10, 0.18, true);
		assert_int_equal(ae.st.request.lines, before.lines);
		assert_int_equal(ae.st.request.gain_q8, before.gain_q8);
	}
}

static bool on_half_periods(const struct lumen_ae_exposure *e, double period)
{
	double t = e->lines * limits.line_time_s, k = floor(t / period + 0.5);

	return k >= 1 && fabs(t - k * period) <= limits.line_time_s + 1e-12 &&
	       t <= k * period + 1e-12;
}

static void ae_anti_flicker(void **state)
{
	const struct lumen_ae_exposure start = { 300, 256 };
	struct lumen_ae_config cfg = { .flicker_hz = 50 };
	const double lights[] = { 0.3, 0.7, 1.3, 0.05 };
	struct lumen_ae_ctl ae;
	struct lumen_ae_exposure e;
	struct sim s;

	(void)state;
	assert_int_equal(lumen_ae_ctl_init(&ae, &cfg, &limits, &start), 0);
	sim_init(&s, &start);
	for (size_t i = 0; i < sizeof(lights) / sizeof(lights[0]); i++) {
		s.light = lights[i];
		assert_true(run(&ae, &s, 30, 0.18, false) >= 0);
		printf("ae: 50 Hz, light %.2f: %.3f ms x %.2f\n", lights[i],
		       ae.st.exposure_s * 1e3, ae.st.gain);
		if (ae.st.exposure_s >= 0.010 - limits.line_time_s)
			assert_true(on_half_periods(&ae.st.request, 0.010));
	}
	/* the split alone: 25 ms at 1x becomes 20 ms x 1.25; 60 Hz: 25 ms ->
	 * 3 x 8.33 ms; below a half-period nothing is rounded */
	lumen_ae_split(&limits, 50, 0.025, &e);
	assert_true(on_half_periods(&e, 0.010));
	assert_true(fabs(e.lines * limits.line_time_s - 0.020) < limits.line_time_s);
	assert_int_equal(e.gain_q8, 320);
	lumen_ae_split(&limits, 60, 0.025, &e);
	assert_true(on_half_periods(&e, 1 / 120.0));
	lumen_ae_split(&limits, 50, 0.004, &e);
	assert_int_equal(e.lines, (uint32_t)ceil(0.004 / limits.line_time_s - 1e-6));
	assert_int_equal(e.gain_q8, 256);
}

static void ae_clamps_to_limits(void **state)
{
	const struct lumen_ae_exposure start = { 5000, 99999 };
	struct lumen_ae_limits bad = limits;
	struct lumen_ae_config cfg = { .flicker_hz = 55 };
	struct lumen_ae_ctl ae;
	struct lumen_isp_stats *st = calloc(1, sizeof(*st));
	struct lumen_ae_exposure next;
	struct sim s;

	(void)state;
	assert_int_equal(lumen_ae_ctl_init(&ae, &cfg, &limits, NULL), -EINVAL);
	bad.exposure_min_lines = 2000;
	assert_int_equal(lumen_ae_ctl_init(&ae, NULL, &bad, NULL), -EINVAL);

	assert_int_equal(lumen_ae_ctl_init(&ae, NULL, &limits, &start), 0);
	assert_int_equal(ae.st.request.lines, limits.exposure_max_lines);
	assert_int_equal(ae.st.request.gain_q8, limits.gain_max_q8);
	sim_init(&s, &ae.st.request);
	s.light = 1e-5;		/* night: everything at maximum */
	run(&ae, &s, 15, 0.18, true);
	assert_int_equal(ae.st.request.lines, limits.exposure_max_lines);
	assert_int_equal(ae.st.request.gain_q8, limits.gain_max_q8);
	assert_true(ae.st.exposure_limited && ae.st.gain_limited);
	assert_false(ae.st.converged);
	s.light = 1e5;		/* sun in the lens: everything at minimum */
	run(&ae, &s, 15, 0.18, true);
	assert_int_equal(ae.st.request.lines, limits.exposure_min_lines);
	assert_int_equal(ae.st.request.gain_q8, limits.gain_min_q8);

	/* a shorter frame (VTS down) pulls the request in */
	bad = limits;
	bad.exposure_max_lines = 500;
	s.light = 1e-5;
	run(&ae, &s, 15, 0.18, true);
	assert_int_equal(lumen_ae_ctl_set_limits(&ae, &bad), 0);
	assert_int_equal(ae.st.request.lines, 500);

	/* empty statistics: refused, the request held */
	assert_int_equal(lumen_ae_ctl_process(&ae, st, NULL, &start, &next), -EINVAL);
	assert_int_equal(next.lines, 500);
	free(st);
}

/* ---- AWB ---------------------------------------------------------------- */

#define W 640
#define H 360

static const struct lumen_sensor_model model = {
	.cam_from_xyz = { { 0.60, 0.50, 0.05 }, { 0.10, 0.90, 0.10 },
			  { 0.00, 0.20, 0.80 } },
	.electrons_per_unit = 100000, .full_well_e = 10000, .read_noise_e = 3,
	.bits = 12, .black = 240,
};

/* Gains that neutralise white under @illum: G / R and G / B of the
 * camera's response to it. */
static void true_gains(const double illum[3], double rb[2])
{
	double cam[3];

	for (int c = 0; c < 3; c++)
		cam[c] = model.cam_from_xyz[c][0] * illum[0] +
			 model.cam_from_xyz[c][1] * illum[1] +
			 model.cam_from_xyz[c][2] * illum[2];
	rb[0] = cam[1] / cam[0];
	rb[1] = cam[1] / cam[2];
}

/* 320x180: foliage greens over two thirds, textured greys on the rest. */
static void write_scene(const char *path)
{
	struct lumen_frame img;
	char err[256];
	unsigned seed = 7;

	assert_int_equal(lumen_frame_alloc(&img, LUMEN_PIX_RGB24, 320, 180), 0);
	for (int y = 0; y < 180; y++)
		for (int x = 0; x < 320; x++) {
			uint8_t *px = img.data[0] + y * img.stride[0] + 3 * x;
			int v = 40 + (int)(((x / 8) * 7 + (y / 8) * 13) % 11) * 16;

			if (x < 213) {		/* foliage, bright and dark leaves */
				px[0] = (uint8_t)(v * 45 / 100);
				px[1] = (uint8_t)(v * 75 / 100);
				px[2] = (uint8_t)(v * 25 / 100);
			} else {
				memset(px, v, 3);
			}
			(void)lumen_test_rand(&seed);
		}
	assert_int_equal(lumen_image_write(path, &img, 0, err, sizeof(err)), 0);
	lumen_frame_free(&img);
}

static void awb_settles_after_light_change(void **state)
{
	const double illum_a[3] = { 1.09850, 1.0, 0.35585 };
	char path[] = "/tmp/lumen_3a_XXXXXX.png", err[256] = "";
	struct lumen_scene_config cfg = { .kind = LUMEN_SCENE_IMAGE, .image_path = path,
					  .width = W, .height = H, .light = 1 };
	struct lumen_render_params rp = { .exposure_s = 0.04, .analog_gain = 1,
					  .digital_gain = 1, .bayer = LUMEN_BAYER_GRBG };
	struct lumen_awb_config acfg = { .method = LUMEN_AWB_COMBINED };
	struct lumen_awb_ctl awb;
	struct lumen_scene *sc;
	struct lumen_isp *isp;
	struct lumen_isp_params p;
	struct lumen_frame raw, out;
	double rb_d65[2], rb_a[2];
	int wb_stage = lumen_isp_stage_index("wb"), settled = -1, fd;
	float gain[3];

	(void)state;
	fd = mkstemps(path, 4);
	assert_true(fd >= 0);
	close(fd);
	write_scene(path);
	assert_int_equal(lumen_scene_create(&cfg, &sc, err, sizeof(err)), 0);
	assert_int_equal(lumen_isp_create(&isp, W, H), 0);
	assert_int_equal(lumen_frame_alloc(&raw, LUMEN_PIX_BAYER16, W, H), 0);
	assert_int_equal(lumen_frame_alloc(&out, LUMEN_PIX_RGB24, W, H), 0);
	assert_true(wb_stage > 0);
	lumen_isp_params_default(&p);
	p.stats = true;
	assert_int_equal(lumen_awb_ctl_init(&awb, &acfg, NULL), 0);
	true_gains(lumen_white_d65, rb_d65);
	true_gains(illum_a, rb_a);

	for (int f = 0; f < 30; f++) {
		if (f == 10)
			lumen_scene_set_illuminant(sc, illum_a);
		rp.frame_index = (uint64_t)f;
		assert_int_equal(lumen_scene_render(sc, &model, &rp, &raw), 0);
		isp->stats.zones_x = isp->stats.zones_y = 32;
		assert_int_equal(lumen_isp_process_stages(isp, &raw, &p, &out, 0,
							  wb_stage), 0);
		assert_int_equal(lumen_awb_ctl_process(&awb, &isp->stats, gain), 0);
		if (f == 9) {
			printf("awb: D65: R %.3f B %.3f (truth %.3f %.3f)\n", awb.st.r_gain,
			       awb.st.b_gain, rb_d65[0], rb_d65[1]);
			assert_true(awb.st.converged);
		}
		printf("awb: frame %d: R %.3f B %.3f est %.3f %.3f %.3f err %.3f conv %d\n", f, awb.st.r_gain, awb.st.b_gain, awb.st.estimate[0], awb.st.estimate[1], awb.st.estimate[2], awb.st.error, awb.st.converged);
		if (f >= 10 && settled < 0 && awb.st.converged)
			settled = f - 10;
		if (f >= 10 && settled >= 0)
			assert_true(awb.st.converged);	/* and it stays so */
	}
	printf("awb: D65 -> A settled after %d frames: R %.3f B %.3f (truth %.3f %.3f)\n",
	       settled, awb.st.r_gain, awb.st.b_gain, rb_a[0], rb_a[1]);
	assert_true(settled >= 0 && settled <= 10);
	/* it followed the light: B gain about doubled, nearer A than D65 */
	assert_true(fabs(log(awb.st.b_gain / rb_a[1])) < fabs(log(awb.st.b_gain / rb_d65[1])));
	assert_true(fabs(awb.st.b_gain / rb_a[1] - 1) < 0.15);
	assert_true(fabs(awb.st.r_gain / rb_a[0] - 1) < 0.15);
	assert_true(fabsf(gain[0] - awb.st.gain[0]) < 1e-6f);

	lumen_frame_free(&out);
	lumen_frame_free(&raw);
	lumen_isp_destroy(isp);
	lumen_scene_destroy(sc);
	unlink(path);
}

static void awb_holds_without_data(void **state)
{
	struct lumen_isp_stats *st = calloc(1, sizeof(*st));
	struct lumen_awb_config cfg = { .method = LUMEN_AWB_GREY_WORLD };
	const float start[3] = { 2.0f, 1.0f, 1.5f };
	struct lumen_awb_ctl awb;
	float gain[3];

	(void)state;
	cfg.speed = 2;
	assert_int_equal(lumen_awb_ctl_init(&awb, &cfg, NULL), -EINVAL);
	cfg.speed = 0;
	assert_int_equal(lumen_awb_ctl_init(&awb, &cfg, start), 0);
	st->zones_x = st->zones_y = 4;	/* all zones empty: no estimate */
	assert_int_equal(lumen_awb_ctl_process(&awb, st, gain), 0);
	assert_true(fabsf(gain[0] - 2.0f) < 1e-5f && fabsf(gain[2] - 1.5f) < 1e-5f);
	assert_int_equal(awb.st.invalid_frames, 1);
	assert_false(awb.st.converged);
	/* the grid-based methods: no grid, no estimate, gains held */
	cfg.method = LUMEN_AWB_COMBINED;
	assert_int_equal(lumen_awb_ctl_init(&awb, &cfg, start), 0);
	assert_int_equal(lumen_awb_ctl_process(&awb, st, gain), 0);
	assert_true(fabsf(gain[0] - 2.0f) < 1e-5f && fabsf(gain[2] - 1.5f) < 1e-5f);
	assert_int_equal(awb.st.invalid_frames, 1);
	/* no statistics at all: refused, gains held */
	assert_int_equal(lumen_awb_ctl_process(&awb, NULL, gain), -EINVAL);
	assert_true(fabsf(gain[0] - 2.0f) < 1e-5f && fabsf(gain[2] - 1.5f) < 1e-5f);
	free(st);
}

/* Uniform statistics whose grey-world answer is R:G:B = @r:1:@b. */
static void flat_stats(struct lumen_isp_stats *st, double r, double b)
{
	memset(st, 0, sizeof(*st));
	st->zones_x = st->zones_y = 4;
	for (int z = 0; z < 16; z++) {
		const double m[3] = { r, 1, b };

		for (int c = 0; c < 3; c++) {
			st->count[c][z] = 100;
			st->sum[c][z] = (uint64_t)(m[c] * 4000 * 100);
		}
	}
	st->cells = 1600;
}

/* interval 3: estimates on frames 0, 3, 6; between them the gains only
 * move towards the last estimate. */
static void awb_estimates_every_nth_frame(void **state)
{
	struct lumen_isp_stats *st = calloc(1, sizeof(*st));
	struct lumen_awb_config cfg = { .method = LUMEN_AWB_GREY_WORLD, .interval = 3 };
	struct lumen_awb_ctl awb;
	float gain[3];

	(void)state;
	assert_int_equal(lumen_awb_ctl_init(&awb, &cfg, NULL), 0);
	flat_stats(st, 0.5, 0.5);
	assert_int_equal(lumen_awb_ctl_process(&awb, st, gain), 0);
	assert_true(fabsf(awb.st.r_gain - 2.0f) < 0.01f);	/* first: taken as is */
	flat_stats(st, 0.25, 0.5);	/* the light changes */
	for (int f = 1; f < 3; f++) {
		assert_int_equal(lumen_awb_ctl_process(&awb, st, gain), 0);
		assert_true(fabsf(awb.st.r_gain - 2.0f) < 0.01f);
	}
	assert_int_equal(lumen_awb_ctl_process(&awb, st, gain), 0);
	assert_true(awb.st.r_gain > 2.5f && awb.st.r_gain < 3.5f);	/* half-way in log */
	free(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ae_recovers_from_4_stop_steps),
		cmocka_unit_test(ae_anti_flicker),
		cmocka_unit_test(ae_clamps_to_limits),
		cmocka_unit_test(awb_settles_after_light_change),
		cmocka_unit_test(awb_holds_without_data),
		cmocka_unit_test(awb_estimates_every_nth_frame),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
