// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Lens-shading calibration (`lumen calibrate --flat`): a synthetic flat
 * field with cos^4 falloff (off-centre optical axis, stronger in red) is
 * measured, the grid goes through a tuning file and back, and the flat
 * developed with it is flat within 2% in every channel, where without it
 * the corners are ~50% darker.
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

#include "algo/develop.h"
#include "calib/colour.h"
#include "calib/lsc_fit.h"
#include "io/tuning.h"
#include "testutil.h"

#define W 640
#define H 480
#define BLACK 64
#define WHITE 4095

/* Falloff of CFA cell colour @col (0 R, 1 G, 2 B) at (x, y). */
static double falloff(int col, double x, double y)
{
	const double ox = W / 2.0 + 23, oy = H / 2.0 - 11;	/* optical axis */
	const double f = hypot(W / 2.0, H / 2.0) / tan(35 * M_PI / 180);
	double c = cos(atan(hypot(x - ox, y - oy) / f));

	/* colour shading: red falls off a little faster */
	return pow(c, col == 0 ? 4.6 : 4.0);
}

static void make_flat(struct lumen_frame *f, unsigned seed)
{
	static const double level[3] = { 0.55, 0.7, 0.45 };

	assert_int_equal(lumen_frame_alloc(f, LUMEN_PIX_BAYER16, W, H), 0);
	f->bayer = LUMEN_BAYER_BGGR;
	f->bits = 12;
	f->white = WHITE;
	for (int c = 0; c < 4; c++)
		f->black[c] = BLACK;
	for (int y = 0; y < H; y++) {
		uint16_t *row = (uint16_t *)(void *)(f->data[0] + (size_t)y * f->stride[0]);

		for (int x = 0; x < W; x++) {
			int col = lumen_bayer_at(f->bayer, x, y);
			double v = BLACK + (WHITE - BLACK) * level[col] * falloff(col, x, y) +
				   (double)(lumen_test_rand(&seed) % 33) - 16;

			row[x] = (uint16_t)lrint(v);
		}
	}
}

/* Mean linear R, G, B of the 32x32 block at (bx, by). */
static void block_mean(const struct lumen_frame *rgb, const double table[256],
		       int bx, int by, double m[3])
{
	m[0] = m[1] = m[2] = 0;
	for (int y = by; y < by + 32; y++)
		for (int x = bx; x < bx + 32; x++)
			for (int c = 0; c < 3; c++)
				m[c] += table[rgb->data[0][(size_t)y * rgb->stride[0] +
							   3 * (size_t)x + c]] / 1024;
}

/* Worst deviation of a 32x32 block mean from the centre block, per
 * channel, over the whole developed picture (linear). */
static double worst_deviation(const struct lumen_frame *rgb)
{
	double table[256], centre[3], m[3], worst = 0;

	for (int i = 0; i < 256; i++)
		table[i] = lumen_srgb_to_linear(i / 255.0);
	block_mean(rgb, table, W / 2 - 16, H / 2 - 16, centre);
	for (int by = 0; by + 32 <= H; by += 32)
		for (int bx = 0; bx + 32 <= W; bx += 32) {
			block_mean(rgb, table, bx, by, m);
			for (int c = 0; c < 3; c++)
				if (fabs(m[c] / centre[c] - 1) > worst)
					worst = fabs(m[c] / centre[c] - 1);
		}
	return worst;
}

static double develop_and_measure(const struct lumen_frame *flat,
				  const struct lumen_lsc_map *map)
{
	struct lumen_develop_settings s;
	struct lumen_develop_report rep;
	struct lumen_isp *isp;
	struct lumen_frame out;
	double worst;

	lumen_develop_settings_default(&s);
	/* the fast demosaic: both are exact on a flat field, and the quality
	 * one (tested on its own) took minutes of this test under qemu-user */
	s.demosaic = LUMEN_DEMOSAIC_FAST;
	s.auto_wb = false;
	s.exposure = 0.7f;
	s.contrast = 0;
	s.lsc = map;
	assert_int_equal(lumen_isp_create(&isp, W, H), 0);
	assert_int_equal(lumen_frame_alloc(&out, LUMEN_PIX_RGB24, W, H), 0);
	assert_int_equal(lumen_develop_frame(isp, flat, &s, &out, &rep), 0);
	worst = worst_deviation(&out);
	lumen_frame_free(&out);
	lumen_isp_destroy(isp);
	return worst;
}

static void flat_field_round_trip(void **state)
{
	static struct lumen_tuning t, back;
	struct lumen_frame flat;
	struct lumen_lsc_map map;
	char path[] = "/tmp/lumen-lsc-XXXXXX", err[256];
	float *gain[4];
	double before, after;
	int gw, gh, fd;

	(void)state;
	make_flat(&flat, 5);
	lumen_lsc_fit_grid(W, H, &gw, &gh);
	assert_int_equal(gw, 17);
	assert_int_equal(gh, 13);
	lumen_tuning_init(&t);
	for (int c = 0; c < 4; c++)
		gain[c] = t.lsc_gain[c];
	assert_int_equal(lumen_lsc_fit(&flat, gw, gh, gain, NULL, NULL), 0);
	t.lsc_w = gw;
	t.lsc_h = gh;

	/* gains are the inverse falloff relative to the centre, within 2% */
	for (int c = 0; c < 4; c++) {
		int col = lumen_bayer_at(flat.bayer, c & 1, c >> 1);

		for (int j = 0; j < gh; j++)
			for (int i = 0; i < gw; i++) {
				double x = i * (W - 1.0) / (gw - 1), y = j * (H - 1.0) / (gh - 1);
				double want = falloff(col, (W - 1) / 2.0, (H - 1) / 2.0) /
					      falloff(col, x, y);

				assert_true(fabs(gain[c][j * gw + i] / want - 1) < 0.02);
			}
	}
	/* the corners need about 2x */
	assert_true(gain[0][0] > 1.8f);

	/* through a tuning file and back */
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(lumen_tuning_save(path, &t, err, sizeof(err)), 0);
	lumen_tuning_init(&back);
	assert_int_equal(lumen_tuning_load(path, &back, err, sizeof(err)), 0);
	unlink(path);
	assert_int_equal(back.lsc_w, gw);
	assert_int_equal(back.lsc_h, gh);
	for (int c = 0; c < 4; c++)
		for (int i = 0; i < gw * gh; i++)
			assert_true(fabsf(back.lsc_gain[c][i] / t.lsc_gain[c][i] - 1) < 1e-4f);

	assert_true(lumen_tuning_lsc_map(&back, &map));
	assert_int_equal(map.grid_w, gw);
	assert_true(map.gain[3] == back.lsc_gain[3]);
	before = develop_and_measure(&flat, NULL);
	after = develop_and_measure(&flat, &map);
	printf("lsc.flat.worst_block_deviation: before %.1f%% after %.2f%%\n",
	       100 * before, 100 * after);
	assert_true(before > 0.3);
	assert_true(after <= 0.02);
	lumen_frame_free(&flat);
}

static void not_a_flat_field(void **state)
{
	struct lumen_frame f;
	float g[4][17 * 13], *gain[4] = { g[0], g[1], g[2], g[3] };
	int bx = 0, by = 0;

	(void)state;
	make_flat(&f, 9);
	/* black in the corner: a vignette deeper than 16x */
	for (int y = 0; y < 40; y++)
		for (int x = 0; x < 40; x++)
			((uint16_t *)(void *)(f.data[0] + (size_t)y * f.stride[0]))[x] = BLACK;
	assert_int_equal(lumen_lsc_fit(&f, 17, 13, gain, &bx, &by), -ERANGE);
	assert_int_equal(bx, 0);
	assert_int_equal(by, 0);
	/* clipped everywhere */
	for (int y = 0; y < H; y++)
		for (int x = 0; x < W; x++)
			((uint16_t *)(void *)(f.data[0] + (size_t)y * f.stride[0]))[x] = WHITE;
	assert_int_equal(lumen_lsc_fit(&f, 17, 13, gain, &bx, &by), -ERANGE);
	assert_int_equal(bx, -1);
	/* grids the ISP cannot read */
	assert_int_equal(lumen_lsc_fit(&f, 1, 13, gain, NULL, NULL), -EINVAL);
	assert_int_equal(lumen_lsc_fit(&f, 65, 13, gain, NULL, NULL), -EINVAL);
	lumen_frame_free(&f);
}

static void tuning_rejects_bad_grids(void **state)
{
	static const char *const bad[] = {
		"lsc:\n  grid: [2, 2]\n  gain: [[1, 1, 1, 1], [1, 1, 1, 1], [1, 1, 1, 1]]\n",
		"lsc:\n  grid: [2, 2]\n  gain: [[1, 1, 1], [1, 1, 1, 1], [1, 1, 1, 1], [1, 1, 1, 1]]\n",
		"lsc:\n  grid: [1, 2]\n  gain: [[1, 1], [1, 1], [1, 1], [1, 1]]\n",
		"lsc:\n  grid: [2.5, 2]\n  gain: [[1, 1], [1, 1], [1, 1], [1, 1]]\n",
		"lsc:\n  gain: [[1, 1, 1, 1], [1, 1, 1, 1], [1, 1, 1, 1], [1, 1, 1, 1]]\n",
		"lsc:\n  grid: [2, 2]\n  gain: [[1, 1, 1, 0], [1, 1, 1, 1], [1, 1, 1, 1], [1, 1, 1, 1]]\n",
		"lsc:\n  grid: [40, 40]\n  gain: []\n",
	};
	static struct lumen_tuning t;
	char path[] = "/tmp/lumen-lsc-XXXXXX", err[256];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int fd = mkstemp(path);
		FILE *fp = fdopen(fd, "w");

		assert_non_null(fp);
		fputs(bad[i], fp);
		fclose(fp);
		err[0] = 0;
		assert_int_equal(lumen_tuning_load(path, &t, err, sizeof(err)), -EINVAL);
		assert_non_null(strstr(err, path));
		assert_non_null(strstr(err, "key '"));
		unlink(path);
		strcpy(path, "/tmp/lumen-lsc-XXXXXX");
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(flat_field_round_trip),
		cmocka_unit_test(not_a_flat_field),
		cmocka_unit_test(tuning_rejects_bad_grids),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
