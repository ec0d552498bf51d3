// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Sensor drivers against their emulators on a virtual bus: probe (right and
 * wrong chip), init and stream, exposure clamp, gain round-trip, VTS and
 * frame period, flip and CFA phase, frame delays, group hold, power/MCLK,
 * soft reset, test pattern, and exposure reaching the rendered frame.
 */
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
#include "i2c/i2c.h"
#include "sensor/sensor.h"
#include "virt/emu_sensor.h"
#include "virt/scene.h"

struct rig {
	struct lumen_i2c_bus *bus;
	struct lumen_emu_sensor *emu;
	struct lumen_scene *scene;
	struct lumen_sensor s;
	struct lumen_frame f;
	const struct lumen_sensor_mode *mode;
};

static const char *const models[] = { "sc4336p", "sc2336", "imx258" };

/* The last mode of each driver (the smallest: IMX258 1048x780) keeps the
 * rendering cheap. @emu_model may differ from @driver (wrong-chip test). */
static void rig_up(struct rig *r, const char *driver, const char *emu_model,
		   bool with_scene)
{
	const struct lumen_sensor_info *info = lumen_sensor_find(driver);
	const struct lumen_sensor_info *einfo = lumen_sensor_find(emu_model);

	memset(r, 0, sizeof(*r));
	assert_non_null(info);
	assert_non_null(einfo);
	r->mode = &info->modes[info->nmodes - 1];
	if (with_scene) {
		struct lumen_scene_config cfg = {
			.kind = LUMEN_SCENE_CHART, .width = r->mode->width,
			.height = r->mode->height, .light = 0.5,
		};
		char err[256];

		assert_int_equal(lumen_scene_create(&cfg, &r->scene, err, sizeof(err)), 0);
		assert_int_equal(lumen_frame_alloc(&r->f, LUMEN_PIX_BAYER16,
						   r->mode->width, r->mode->height), 0);
	}
	assert_int_equal(lumen_i2c_virtual_create(0, &r->bus), 0);
	assert_int_equal(lumen_emu_sensor_create(emu_model, r->scene, &r->emu), 0);
	assert_int_equal(lumen_i2c_virtual_attach(r->bus, einfo->i2c_addr,
						  &lumen_emu_sensor_i2c_ops, r->emu), 0);
	lumen_emu_sensor_set_power(r->emu, true, einfo->mclk_hz);
	lumen_sensor_bind(&r->s, info, r->bus, info->i2c_addr);
}

static void rig_stream(struct rig *r)
{
	assert_int_equal(lumen_sensor_probe(&r->s), 0);
	assert_int_equal(lumen_sensor_init(&r->s, r->mode), 0);
	assert_int_equal(lumen_sensor_stream(&r->s, true), 0);
}

static void rig_down(struct rig *r)
{
	lumen_i2c_close(r->bus);
	lumen_emu_sensor_destroy(r->emu);
	lumen_scene_destroy(r->scene);
	if (r->f.data[0])
		lumen_frame_free(&r->f);
}

static struct lumen_emu_output out_of(struct rig *r)
{
	struct lumen_emu_output o;

	lumen_emu_sensor_output(r->emu, &o);
	return o;
}

static void probe_each_driver(void **state)
{
	(void)state;
	for (size_t i = 0; i < 3; i++) {
		struct rig r;

		rig_up(&r, models[i], models[i], false);
		assert_int_equal(lumen_sensor_probe(&r.s), 0);
		assert_ptr_equal(lumen_sensor_find_by_id(r.s.info->chip_id), r.s.info);
		rig_down(&r);
	}
	assert_null(lumen_sensor_find("ov5640"));
	assert_null(lumen_sensor_find_by_id(0x1234));
}

static void wrong_chip_refused(void **state)
{
	struct rig r;

	(void)state;
	rig_up(&r, "sc2336", "sc4336p", false);
	assert_int_equal(lumen_sensor_probe(&r.s), -ENODEV);
	assert_string_equal(r.s.bus->last_error,
			    "i2c-0 addr 0x30 reg 0x3107: chip id 0x9c42, expected 0xcb3a (sc2336)");
	rig_down(&r);
}

static void no_mclk_no_answer(void **state)
{
	struct rig r;
	uint32_t v;

	(void)state;
	rig_up(&r, "sc4336p", "sc4336p", true);
	rig_stream(&r);
	lumen_emu_sensor_set_power(r.emu, true, 0);	/* MCLK stopped */
	assert_int_equal(lumen_sensor_read(&r.s, 0x3107, &v), -ENXIO);
	assert_non_null(strstr(r.bus->last_error, "addr 0x30 reg 0x3107: read failed"));
	assert_int_equal(lumen_emu_sensor_next_frame(r.emu, &r.f), -EAGAIN);
	assert_false(out_of(&r).streaming);
	/* MCLK back: registers kept, still streaming */
	lumen_emu_sensor_set_power(r.emu, true, 27000000);
	assert_true(out_of(&r).streaming);
	/* power cut: registers lost */
	lumen_emu_sensor_set_power(r.emu, false, 27000000);
	assert_int_equal(lumen_sensor_probe(&r.s), -ENXIO);
	lumen_emu_sensor_set_power(r.emu, true, 27000000);
	assert_false(out_of(&r).streaming);
	assert_int_equal(lumen_sensor_probe(&r.s), 0);
	rig_down(&r);
}

static void init_and_stream(void **state)
{
	(void)state;
	for (size_t i = 0; i < 3; i++) {
		struct rig r;
		struct lumen_emu_output o;

		rig_up(&r, models[i], models[i], true);
		assert_int_equal(lumen_sensor_probe(&r.s), 0);
		assert_int_equal(lumen_sensor_init(&r.s, r.mode), 0);
		assert_false(out_of(&r).streaming);
		assert_int_equal(lumen_emu_sensor_next_frame(r.emu, &r.f), -EAGAIN);
		assert_int_equal(lumen_sensor_stream(&r.s, true), 0);
		o = out_of(&r);
		assert_true(o.streaming);
		assert_int_equal(o.width, r.mode->width);
		assert_int_equal(o.height, r.mode->height);
		assert_int_equal(o.lanes, r.mode->lanes);
		assert_int_equal(o.bits, r.mode->bits);
		assert_int_equal(o.dt, r.mode->csi_dt);
		assert_int_equal(o.bayer, r.mode->bayer);
		assert_true(fabs(o.frame_period_s - lumen_sensor_frame_time(&r.s)) < 1e-6);
		assert_int_equal(lumen_emu_sensor_next_frame(r.emu, &r.f), 0);
		assert_int_equal(r.f.bits, 10);
		assert_int_equal(r.f.black[0], r.s.info->black_level);
		assert_int_equal(lumen_sensor_stream(&r.s, false), 0);
		assert_int_equal(lumen_emu_sensor_next_frame(r.emu, &r.f), -EAGAIN);
		rig_down(&r);
	}
}

/* Frames until the last write is in effect (the larger delay). */
static void settle(struct rig *r)
{
	int n = r->s.info->exposure_delay > r->s.info->gain_delay ?
		r->s.info->exposure_delay : r->s.info->gain_delay;

	for (int k = 0; k < n; k++)
		assert_int_equal(lumen_emu_sensor_next_frame(r->emu, &r->f), 0);
}

static void exposure_clamped(void **state)
{
	(void)state;
	for (size_t i = 0; i < 3; i++) {
		struct rig r;
		uint32_t max;

		rig_up(&r, models[i], models[i], true);
		rig_stream(&r);
		max = r.s.vts - r.s.info->exposure_margin;
		assert_int_equal(lumen_sensor_set_exposure(&r.s, 1000000), 0);
		assert_int_equal(r.s.exposure, max);
		settle(&r);
		assert_int_equal(out_of(&r).exposure_lines, max);
		assert_int_equal(lumen_sensor_set_exposure(&r.s, 0), 0);
		assert_int_equal(r.s.exposure, r.s.info->exposure_min);
		/* a shorter frame re-clamps the exposure */
		assert_int_equal(lumen_sensor_set_exposure(&r.s, max), 0);
		assert_int_equal(lumen_sensor_set_vts(&r.s, r.mode->vts), 0);
		assert_int_equal(r.s.exposure, r.mode->vts - r.s.info->exposure_margin);
		rig_down(&r);
	}
}

static void emulator_clamps_itself(void **state)
{
	struct rig r;

	(void)state;
	rig_up(&r, "sc4336p", "sc4336p", false);
	rig_stream(&r);
	/* 4000 lines straight into the registers, past VTS 1500 */
	assert_int_equal(lumen_sensor_write(&r.s, 0x3e00, (4000 << 4) >> 16), 0);
	assert_int_equal(lumen_sensor_write(&r.s, 0x3e01, ((4000 << 4) >> 8) & 0xff), 0);
	assert_int_equal(lumen_sensor_write(&r.s, 0x3e02, (4000 << 4) & 0xf0), 0);
	assert_int_equal(out_of(&r).exposure_lines, 1500 - 4);
	rig_down(&r);
}

static void gain_round_trip(void **state)
{
	static const double want[] = { 1.0, 1.3, 2.0, 3.3, 5.7, 7.9, 12.5, 31.0, 60.0 };

	(void)state;
	for (size_t i = 0; i < 3; i++) {
		struct rig r;

		rig_up(&r, models[i], models[i], true);
		rig_stream(&r);
		for (size_t k = 0; k < sizeof(want) / sizeof(want[0]); k++) {
			uint32_t q8 = (uint32_t)lround(want[k] * 256);
			double target = q8 > r.s.info->gain_max_q8 ?
					r.s.info->gain_max_q8 / 256.0 : want[k];
			struct lumen_emu_output o;

			assert_int_equal(lumen_sensor_set_gain(&r.s, q8), 0);
			/* SmartSens fine step 1/128, IMX258 digital 1/256 */
			assert_true(fabs(r.s.gain_q8 / 256.0 - target) <= target / 128 + 1e-9);
			settle(&r);
			o = out_of(&r);
			assert_true(fabs(o.analog_gain * o.digital_gain -
					 r.s.gain_q8 / 256.0) < 2e-3 * target);
			assert_true(o.analog_gain >= 1 && o.digital_gain >= 1);
		}
		rig_down(&r);
	}
}

static void vts_sets_frame_period(void **state)
{
	(void)state;
	for (size_t i = 0; i < 3; i++) {
		struct rig r;
		double t0, t1;

		rig_up(&r, models[i], models[i], false);
		rig_stream(&r);
		t0 = out_of(&r).frame_period_s;
		assert_true(fabs(t0 - (double)r.mode->hts * r.mode->vts /
				 (double)r.mode->pclk_hz) < 1e-9);
		assert_int_equal(lumen_sensor_set_vts(&r.s, r.mode->vts * 2), 0);
		t1 = out_of(&r).frame_period_s;
		assert_true(fabs(t1 - 2 * t0) < 1e-9);
		assert_true(fabs(lumen_sensor_frame_time(&r.s) - t1) < 1e-9);
		assert_int_equal(lumen_sensor_set_vts(&r.s, 10), -ERANGE);
		rig_down(&r);
	}
}

static void flip_changes_cfa(void **state)
{
	(void)state;
	for (size_t i = 0; i < 3; i++) {
		struct rig r;

		rig_up(&r, models[i], models[i], false);
		rig_stream(&r);
		for (int h = 0; h < 2; h++)
			for (int v = 0; v < 2; v++) {
				enum lumen_bayer b;

				assert_int_equal(lumen_sensor_set_flip(&r.s, h, v), 0);
				b = out_of(&r).bayer;
				assert_int_equal(b, lumen_bayer_flip(r.mode->bayer, h, v,
								     r.mode->width,
								     r.mode->height));
				if (h || v)
					assert_int_not_equal(b, r.mode->bayer);
			}
		rig_down(&r);
	}
	/* the IMX258 phases the Linux driver's format table lists */
	{
		struct rig r;

		rig_up(&r, "imx258", "imx258", false);
		rig_stream(&r);
		assert_int_equal(lumen_sensor_set_flip(&r.s, true, false), 0);
		assert_int_equal(out_of(&r).bayer, LUMEN_BAYER_GRBG);
		assert_int_equal(lumen_sensor_set_flip(&r.s, false, true), 0);
		assert_int_equal(out_of(&r).bayer, LUMEN_BAYER_GBRG);
		assert_int_equal(lumen_sensor_set_flip(&r.s, true, true), 0);
		assert_int_equal(out_of(&r).bayer, LUMEN_BAYER_BGGR);
		rig_down(&r);
	}
}

static void delays(void **state)
{
	(void)state;
	for (size_t i = 0; i < 3; i++) {
		struct rig r;
		int ed, gd;
		uint32_t e0 = 100, e1 = 300;
		double g0, g1;

		rig_up(&r, models[i], models[i], true);
		ed = r.s.info->exposure_delay;
		gd = r.s.info->gain_delay;
		rig_stream(&r);
		assert_int_equal(lumen_sensor_set_exposure(&r.s, e0), 0);
		assert_int_equal(lumen_sensor_set_gain(&r.s, 256), 0);
		g0 = r.s.gain_q8 / 256.0;
		for (int k = 0; k < 4; k++)
			assert_int_equal(lumen_emu_sensor_next_frame(r.emu, &r.f), 0);

		/* written at frame k: in effect from frame k + delay */
		assert_int_equal(lumen_sensor_set_exposure(&r.s, e1), 0);
		assert_int_equal(lumen_sensor_set_gain(&r.s, 4 * 256), 0);
		g1 = r.s.gain_q8 / 256.0;
		for (int k = 0; k <= 3; k++) {
			struct lumen_emu_output o = out_of(&r);

			assert_int_equal(o.exposure_lines, k < ed ? e0 : e1);
			assert_true(fabs(o.analog_gain * o.digital_gain -
					 (k < gd ? g0 : g1)) < 1e-6);
			assert_int_equal(lumen_emu_sensor_next_frame(r.emu, &r.f), 0);
		}
		rig_down(&r);
	}
}

static void group_hold_latches(void **state)
{
	struct rig r;

	(void)state;
	rig_up(&r, "sc4336p", "sc4336p", true);
	rig_stream(&r);
	assert_int_equal(lumen_sensor_set_exposure(&r.s, 200), 0);
	settle(&r);
	assert_int_equal(out_of(&r).exposure_lines, 200);
	/* hold, write 400 lines, frames pass: nothing changes */
	assert_int_equal(lumen_sensor_write(&r.s, 0x3812, 0x00), 0);
	assert_int_equal(lumen_sensor_write(&r.s, 0x3e01, (400 << 4) >> 8), 0);
	assert_int_equal(lumen_sensor_write(&r.s, 0x3e02, (400 << 4) & 0xf0), 0);
	settle(&r);
	settle(&r);
	assert_int_equal(out_of(&r).exposure_lines, 200);
	/* release: latched, then the usual delay */
	assert_int_equal(lumen_sensor_write(&r.s, 0x3812, 0x30), 0);
	assert_int_equal(out_of(&r).exposure_lines, 200);
	settle(&r);
	assert_int_equal(out_of(&r).exposure_lines, 400);
	rig_down(&r);
}

static void soft_reset_clears_stream(void **state)
{
	(void)state;
	for (size_t i = 0; i < 3; i++) {
		struct rig r;
		struct lumen_emu_output o;
		double t_def;

		rig_up(&r, models[i], models[i], false);
		rig_stream(&r);
		t_def = out_of(&r).frame_period_s;
		assert_int_equal(lumen_sensor_set_vts(&r.s, r.mode->vts + 100), 0);
		assert_true(out_of(&r).streaming);
		assert_int_equal(lumen_sensor_write(&r.s, 0x0103, 0x01), 0);
		o = out_of(&r);
		assert_false(o.streaming);
		if (i < 2)	/* power-on VTS of the SmartSens parts is the mode's */
			assert_true(fabs(o.frame_period_s - t_def) < 1e-9);
		/* the chip ID survives, writes to it do not stick */
		assert_int_equal(lumen_sensor_write(&r.s, r.s.info->chip_id_reg[0], 0), 0);
		assert_int_equal(lumen_sensor_probe(&r.s), 0);
		rig_down(&r);
	}
}

static double mean_region(const struct lumen_frame *f)
{
	double sum = 0;
	int n = 0;

	for (int y = f->height / 4; y < f->height * 3 / 4; y += 3)
		for (int x = f->width / 4; x < f->width * 3 / 4; x += 3, n++)
			sum += lumen_frame_raw_at(f, x, y);
	return sum / n;
}

static void exposure_reaches_frame(void **state)
{
	struct rig r;
	double m1, m2;

	(void)state;
	rig_up(&r, "sc2336", "sc2336", true);
	rig_stream(&r);
	assert_int_equal(lumen_sensor_set_gain(&r.s, 256), 0);
	assert_int_equal(lumen_sensor_set_exposure(&r.s, 60), 0);
	settle(&r);
	assert_int_equal(lumen_emu_sensor_next_frame(r.emu, &r.f), 0);
	m1 = mean_region(&r.f) - 64;
	assert_int_equal(lumen_sensor_set_exposure(&r.s, 120), 0);
	settle(&r);
	assert_int_equal(lumen_emu_sensor_next_frame(r.emu, &r.f), 0);
	m2 = mean_region(&r.f) - 64;
	assert_true(m1 > 5);
	assert_true(fabs(m2 / m1 - 2) < 0.1);
	assert_true(r.f.timestamp_ns > 0);

	/* colour bars: first bar white, last black */
	assert_int_equal(lumen_sensor_set_test_pattern(&r.s, 1), 0);
	assert_int_equal(lumen_emu_sensor_next_frame(r.emu, &r.f), 0);
	assert_int_equal(lumen_frame_raw_at(&r.f, 0, 0), 1023);
	assert_int_equal(lumen_frame_raw_at(&r.f, r.f.width - 1, 0), 64);
	assert_int_equal(lumen_sensor_set_test_pattern(&r.s, 2), -EINVAL);
	rig_down(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(probe_each_driver),
		cmocka_unit_test(wrong_chip_refused),
		cmocka_unit_test(no_mclk_no_answer),
		cmocka_unit_test(init_and_stream),
		cmocka_unit_test(exposure_clamped),
		cmocka_unit_test(emulator_clamps_itself),
		cmocka_unit_test(gain_round_trip),
		cmocka_unit_test(vts_sets_frame_period),
		cmocka_unit_test(flip_changes_cfa),
		cmocka_unit_test(delays),
		cmocka_unit_test(group_hold_latches),
		cmocka_unit_test(soft_reset_clears_stream),
		cmocka_unit_test(exposure_reaches_frame),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
