// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Scaler: every SIMD kernel against the C one (checkasm style, hostile
 * inputs, ragged widths, guard words), whole frames bit-exact between CPU
 * levels with padded strides, identity scaling, anti-aliasing (a 1-pixel
 * checkerboard and fine sinusoids) against point sampling, gradients
 * against their analytic value, chroma planes kept apart, errors.
 * Honours LUMEN_CPU_MASK, so the same binary also runs C-only.
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
#include "core/frame.h"
#include "scale/scale.h"
#include "testutil.h"

static unsigned cpu_all;

static const unsigned cpu_levels[] = { LUMEN_CPU_AVX2, LUMEN_CPU_NEON };
#define N_LEVELS (sizeof(cpu_levels) / sizeof(cpu_levels[0]))

/* Kernels installed at @mask, or 0 when that level adds nothing here. */
static int dsp_at(unsigned mask, struct lumen_scale_dsp *d)
{
	struct lumen_scale_dsp c;

	lumen_cpu_set_mask(0);
	lumen_scale_dsp_init(&c);
	lumen_cpu_set_mask(mask & cpu_all);
	lumen_scale_dsp_init(d);
	lumen_cpu_set_mask(cpu_all);
	return d->v != c.v || d->h != c.h;
}

static uint8_t pat8(int p, int x, int y, unsigned *seed)
{
	switch (p) {
	case 0: return (uint8_t)lumen_test_rand(seed);
	case 1: return ((x + y) & 1) ? 255 : 0;
	case 2: return 255;
	case 3: return 0;
	case 4: return (x & 1) ? 0 : 255;
	default: return (lumen_test_rand(seed) & 1) ? 255 : 0;
	}
}

#define GUARD 16

static void test_v_kernels(void **state)
{
	static const int widths[] = { 1, 2, 7, 15, 16, 17, 31, 32, 33, 63, 65, 641, 1001 };
	int tested = 0;

	(void)state;
	for (size_t l = 0; l < N_LEVELS; l++) {
		struct lumen_scale_dsp d;

		if (!dsp_at(cpu_levels[l], &d))
			continue;
		for (int taps = 1; taps <= 15; taps++)
			for (size_t wi = 0; wi < sizeof(widths) / sizeof(widths[0]); wi++)
				for (int p = 0; p < 6; p++) {
					int w = widths[wi];
					unsigned seed = 1234u + (unsigned)(taps * 77 + p);
					uint8_t *src = malloc((size_t)taps * (size_t)w);
					const uint8_t *rows[16];
					int16_t coef[16], *a, *b;

					a = malloc((size_t)(w + 2 * GUARD) * sizeof(int16_t));
					b = malloc((size_t)(w + 2 * GUARD) * sizeof(int16_t));
					assert_non_null(src);
					for (int k = 0; k < taps; k++) {
						/* tight rows: ASan sees any over-read */
						rows[k] = src + (size_t)k * (size_t)w;
						for (int x = 0; x < w; x++)
							src[k * w + x] = pat8(p, x, k, &seed);
						/* extreme Q8 taps, negative ones too, within
						 * the contract: the sum fits int16 */
						coef[k] = (int16_t)((int)(lumen_test_rand(&seed) %
							(unsigned)(768 / taps + 1)) - 256 / taps);
					}
					for (int i = 0; i < w + 2 * GUARD; i++)
						a[i] = b[i] = 0x5a5a;
					lumen_scale_v_c(a + GUARD, rows, coef, taps, w);
					d.v(b + GUARD, rows, coef, taps, w);
					assert_memory_equal(a, b, (size_t)(w + 2 * GUARD) * 2);
					free(src);
					free(a);
					free(b);
					tested++;
				}
	}
	if (!tested)
		print_message("no SIMD vertical kernel at this CPU level\n");
}

static void test_h_kernels(void **state)
{
	static const int lens[][2] = {
		{ 2560, 640 }, { 1920, 640 }, { 4208, 1280 }, { 1280, 320 },
		{ 37, 11 }, { 33, 33 }, { 17, 5 }, { 7, 3 }, { 3, 1 }, { 1, 1 },
		{ 640, 2560 }, { 15, 31 }, { 1001, 77 }, { 100, 99 },
	};
	int tested = 0;

	(void)state;
	for (size_t l = 0; l < N_LEVELS; l++) {
		struct lumen_scale_dsp d;

		if (!dsp_at(cpu_levels[l], &d))
			continue;
		for (size_t li = 0; li < sizeof(lens) / sizeof(lens[0]); li++)
			for (int f = 0; f <= LUMEN_SCALE_LANCZOS2; f++)
				for (int p = 0; p < 3; p++) {
					struct lumen_scale_axis ax;
					unsigned seed = 99u + (unsigned)(li * 7 + (size_t)f);
					int n, span;
					int16_t *src;
					uint8_t *a, *b;

					assert_int_equal(lumen_scale_axis_plan(&ax, lens[li][0],
						lens[li][1], (enum lumen_scale_filter)f, 1), 0);
					assert_true(ax.taps == 4 || ax.taps % 8 == 0);
					n = ax.dst_len;
					span = ax.src_len > ax.taps ? ax.src_len : ax.taps;
					src = malloc((size_t)span * sizeof(int16_t));
					a = malloc((size_t)n + 2 * GUARD);
					b = malloc((size_t)n + 2 * GUARD);
					for (int i = 0; i < span; i++)	/* Q6, with overshoot */
						src[i] = p == 0 ? (int16_t)((int)(lumen_test_rand(&seed) % 26000) - 4000)
							: p == 1 ? (int16_t)((i & 1) ? 255 * 64 : 0)
							: (int16_t)(255 * 64);
					memset(a, 0xa5, (size_t)n + 2 * GUARD);
					memset(b, 0xa5, (size_t)n + 2 * GUARD);
					lumen_scale_h_c(a + GUARD, src, &ax);
					d.h(b + GUARD, src, &ax);
					assert_memory_equal(a, b, (size_t)n + 2 * GUARD);
					free(src);
					free(a);
					free(b);
					lumen_scale_axis_free(&ax);
					tested++;
				}
	}
	if (!tested)
		print_message("no SIMD horizontal kernel at this CPU level\n");
}

/* Axis plans: every output has unit gain and reads inside the plane. */
static void test_plan_invariants(void **state)
{
	(void)state;
	for (int f = 0; f <= LUMEN_SCALE_LANCZOS2; f++)
		for (int s = 1; s < 300; s += 7)
			for (int dlen = 1; dlen < 200; dlen += 13)
				for (int pad = 0; pad < 2; pad++) {
					struct lumen_scale_axis ax;
					int span;

					assert_int_equal(lumen_scale_axis_plan(&ax, s, dlen,
						(enum lumen_scale_filter)f, pad), 0);
					span = s > ax.taps ? s : ax.taps;
					for (int i = 0; i < dlen; i++) {
						int sum = 0;

						assert_true(ax.start[i] >= 0);
						assert_true(ax.start[i] + ax.taps <= span);
						for (int k = 0; k < ax.taps; k++) {
							int16_t c = ax.coef[i * ax.taps + k];

							sum += c;
							if (ax.start[i] + k >= s)
								assert_int_equal(c, 0);
						}
						assert_int_equal(sum, 256);
					}
					lumen_scale_axis_free(&ax);
				}
}

/* ---- whole frames ---- */

/* A frame with @pad bytes of 0xee after every row (and a tight last row
 * when pad is 0), allocated plane by plane. */
static void frame_new(struct lumen_frame *f, enum lumen_pixfmt fmt, int w,
		      int h, int pad)
{
	int planes = fmt == LUMEN_PIX_GRAY8 ? 1 : fmt == LUMEN_PIX_NV12 ? 2 : 3;

	memset(f, 0, sizeof(*f));
	f->fmt = fmt;
	f->width = w;
	f->height = h;
	for (int p = 0; p < planes; p++) {
		int pw = p == 0 ? w : fmt == LUMEN_PIX_NV12 ? w : w / 2;
		int ph = p == 0 ? h : h / 2;

		f->stride[p] = (size_t)pw + (size_t)pad;
		f->data[p] = malloc(f->stride[p] * (size_t)ph);
		assert_non_null(f->data[p]);
		memset(f->data[p], 0xee, f->stride[p] * (size_t)ph);
	}
}

static void frame_del(struct lumen_frame *f)
{
	for (int p = 0; p < LUMEN_MAX_PLANES; p++)
		free(f->data[p]);
	memset(f, 0, sizeof(*f));
}

static int plane_w(const struct lumen_frame *f, int p)
{
	return p == 0 ? f->width : f->fmt == LUMEN_PIX_NV12 ? f->width : f->width / 2;
}

static int plane_h(const struct lumen_frame *f, int p)
{
	return p == 0 ? f->height : f->height / 2;
}

static int nplanes(const struct lumen_frame *f)
{
	return f->fmt == LUMEN_PIX_GRAY8 ? 1 : f->fmt == LUMEN_PIX_NV12 ? 2 : 3;
}

static uint8_t *px(const struct lumen_frame *f, int p, int x, int y)
{
	return f->data[p] + (size_t)y * f->stride[p] + (size_t)x;
}

/* Chroma sample (c = 0 Cb, 1 Cr) at chroma coordinates. */
static uint8_t *cpx(const struct lumen_frame *f, int c, int x, int y)
{
	if (f->fmt == LUMEN_PIX_NV12)
		return px(f, 1, 2 * x + c, y);
	return px(f, 1 + c, x, y);
}

static void fill(struct lumen_frame *f, int p_kind, unsigned seed)
{
	for (int p = 0; p < nplanes(f); p++)
		for (int y = 0; y < plane_h(f, p); y++)
			for (int x = 0; x < plane_w(f, p); x++)
				*px(f, p, x, y) = pat8(p_kind, x, y, &seed);
}

static void assert_frames_equal(const struct lumen_frame *a,
				const struct lumen_frame *b, const char *what)
{
	for (int p = 0; p < nplanes(a); p++)
		for (int y = 0; y < plane_h(a, p); y++)
			if (memcmp(px(a, p, 0, y), px(b, p, 0, y),
				   (size_t)plane_w(a, p)))
				fail_msg("%s: plane %d row %d differs", what, p, y);
}

/* Row padding of @f is still 0xee (nothing wrote past a row). */
static void assert_padding(const struct lumen_frame *f)
{
	for (int p = 0; p < nplanes(f); p++)
		for (int y = 0; y < plane_h(f, p); y++)
			for (size_t x = (size_t)plane_w(f, p); x < f->stride[p]; x++)
				if (*px(f, p, (int)x, y) != 0xee)
					fail_msg("plane %d row %d: wrote padding at %zu",
						 p, y, x);
}

static struct lumen_scaler *make(enum lumen_pixfmt sf, int sw, int sh,
				 enum lumen_pixfmt df, int dw, int dh,
				 enum lumen_scale_filter filt)
{
	struct lumen_scaler_config c = {
		.src_fmt = sf, .dst_fmt = df, .src_width = sw, .src_height = sh,
		.dst_width = dw, .dst_height = dh, .filter = filt,
	};
	struct lumen_scaler *s;
	char err[256] = "";

	if (lumen_scaler_create(&s, &c, err, sizeof(err)))
		fail_msg("create %dx%d -> %dx%d: %s", sw, sh, dw, dh, err);
	return s;
}

static void test_frames_bitexact(void **state)
{
	static const struct { enum lumen_pixfmt sf, df; int sw, sh, dw, dh; } cases[] = {
		{ LUMEN_PIX_NV12, LUMEN_PIX_NV12, 2560, 1440, 640, 360 },
		{ LUMEN_PIX_I420, LUMEN_PIX_I420, 1920, 1080, 640, 360 },
		{ LUMEN_PIX_NV12, LUMEN_PIX_I420, 1052, 780, 320, 180 },	/* 4208x3120 -> 1280x720 ratios */
		{ LUMEN_PIX_I420, LUMEN_PIX_NV12, 338, 190, 98, 54 },
		{ LUMEN_PIX_NV12, LUMEN_PIX_NV12, 30, 18, 62, 34 },
		{ LUMEN_PIX_GRAY8, LUMEN_PIX_GRAY8, 1001, 77, 333, 25 },
		{ LUMEN_PIX_GRAY8, LUMEN_PIX_GRAY8, 15, 9, 7, 3 },
		{ LUMEN_PIX_GRAY8, LUMEN_PIX_GRAY8, 3, 3, 1, 1 },
	};
	int levels = 0;

	(void)state;
	for (size_t l = 0; l < N_LEVELS; l++) {
		struct lumen_scale_dsp d;

		if (!dsp_at(cpu_levels[l], &d))
			continue;
		levels++;
		for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
			for (int f = 0; f <= LUMEN_SCALE_LANCZOS2; f++) {
				struct lumen_scaler *s = make(cases[i].sf, cases[i].sw,
					cases[i].sh, cases[i].df, cases[i].dw, cases[i].dh,
					(enum lumen_scale_filter)f);
				struct lumen_frame src, a, b;
				int pat = (int)(i + (size_t)f) % 6;

				frame_new(&src, cases[i].sf, cases[i].sw, cases[i].sh,
					  i & 1 ? 0 : 40);
				frame_new(&a, cases[i].df, cases[i].dw, cases[i].dh, 24);
				frame_new(&b, cases[i].df, cases[i].dw, cases[i].dh, 24);
				fill(&src, pat, 7u + (unsigned)i);
				lumen_cpu_set_mask(0);
				assert_int_equal(lumen_scaler_run(s, &src, &a), 0);
				lumen_cpu_set_mask(cpu_levels[l] & cpu_all);
				assert_int_equal(lumen_scaler_run(s, &src, &b), 0);
				lumen_cpu_set_mask(cpu_all);
				assert_frames_equal(&a, &b, "C vs SIMD frame");
				assert_padding(&b);
				frame_del(&src);
				frame_del(&a);
				frame_del(&b);
				lumen_scaler_destroy(s);
			}
	}
	if (!levels)
		print_message("C only: nothing to compare\n");
}

static void test_identity(void **state)
{
	struct lumen_scaler *s = make(LUMEN_PIX_NV12, 98, 34, LUMEN_PIX_I420,
				      98, 34, LUMEN_SCALE_AREA);
	struct lumen_frame src, dst;

	(void)state;
	frame_new(&src, LUMEN_PIX_NV12, 98, 34, 8);
	frame_new(&dst, LUMEN_PIX_I420, 98, 34, 8);
	fill(&src, 0, 5);
	assert_int_equal(lumen_scaler_run(s, &src, &dst), 0);
	for (int y = 0; y < 34; y++)
		assert_memory_equal(px(&src, 0, 0, y), px(&dst, 0, 0, y), 98);
	for (int c = 0; c < 2; c++)	/* NV12 -> I420 is a plain split */
		for (int y = 0; y < 17; y++)
			for (int x = 0; x < 49; x++)
				assert_int_equal(*cpx(&src, c, x, y), *cpx(&dst, c, x, y));
	assert_padding(&dst);
	frame_del(&src);
	frame_del(&dst);
	lumen_scaler_destroy(s);
}

/* Luma: 1-pixel checkerboard. Cb: checkerboard too; Cr: flat 200, so a
 * Cb/Cr mix-up shows. Returns the largest |Y - 128|; *cb_dev the largest
 * |Cb - 128|; fails on any Cr != 200. Outputs within @m of the border are
 * left out (kernels wider than the box fold at the edges). */
static int checker_dev(enum lumen_pixfmt fmt, int sw, int sh, int dw, int dh,
		       enum lumen_scale_filter filt, int m, int *cb_dev)
{
	struct lumen_scaler *s = make(fmt, sw, sh, fmt, dw, dh, filt);
	struct lumen_frame src, dst;
	int dev = 0;

	frame_new(&src, fmt, sw, sh, 0);
	frame_new(&dst, fmt, dw, dh, 0);
	for (int y = 0; y < sh; y++)
		for (int x = 0; x < sw; x++)
			*px(&src, 0, x, y) = ((x + y) & 1) ? 255 : 0;
	for (int y = 0; y < sh / 2; y++)
		for (int x = 0; x < sw / 2; x++) {
			*cpx(&src, 0, x, y) = ((x + y) & 1) ? 255 : 0;
			*cpx(&src, 1, x, y) = 200;
		}
	assert_int_equal(lumen_scaler_run(s, &src, &dst), 0);
	for (int y = m; y < dh - m; y++)
		for (int x = m; x < dw - m; x++) {
			int d = abs((int)*px(&dst, 0, x, y) - 128);

			dev = d > dev ? d : dev;
		}
	*cb_dev = 0;
	for (int y = m; y < dh / 2 - m; y++)
		for (int x = m; x < dw / 2 - m; x++) {
			int d = abs((int)*cpx(&dst, 0, x, y) - 128);

			*cb_dev = d > *cb_dev ? d : *cb_dev;
			assert_int_equal(*cpx(&dst, 1, x, y), 200);
		}
	frame_del(&src);
	frame_del(&dst);
	lumen_scaler_destroy(s);
	return dev;
}

static void test_checkerboard(void **state)
{
	int cb, dev;

	(void)state;
	/* 4x: every output box holds 8 black and 8 white samples. Point
	 * sampling (every 4th sample) would give only 0 or 255. */
	dev = checker_dev(LUMEN_PIX_NV12, 2560, 1440, 640, 360, LUMEN_SCALE_AREA, 0, &cb);
	assert_in_range(dev, 0, 2);
	assert_in_range(cb, 0, 2);
	dev = checker_dev(LUMEN_PIX_I420, 2560, 1440, 640, 360, LUMEN_SCALE_BILINEAR, 1, &cb);
	assert_in_range(dev, 0, 2);
	dev = checker_dev(LUMEN_PIX_I420, 2560, 1440, 640, 360, LUMEN_SCALE_LANCZOS2, 1, &cb);
	assert_in_range(dev, 0, 2);
	/* 3x: a 3x3 box holds 4 or 5 whites: 255/18 = 14 is the box filter's
	 * own residue; the others do better. */
	dev = checker_dev(LUMEN_PIX_NV12, 1920, 1080, 640, 360, LUMEN_SCALE_AREA, 0, &cb);
	assert_in_range(dev, 0, 15);
	dev = checker_dev(LUMEN_PIX_NV12, 1920, 1080, 640, 360, LUMEN_SCALE_LANCZOS2, 1, &cb);
	assert_in_range(dev, 0, 6);
	/* 3.29 x 4.33: box residue <= 255 / (2 * 3.29 * 4.33) = 9 */
	dev = checker_dev(LUMEN_PIX_NV12, 4208, 3120, 1280, 720, LUMEN_SCALE_AREA, 0, &cb);
	assert_in_range(dev, 0, 11);
}

/*
 * A vertical sinusoid of amplitude 100 at @f cycles per source sample,
 * above the output's Nyquist limit, downscaled 4x: what survives is
 * aliasing. A 4-sample box passes |sin(4 pi f) / (4 sin(pi f))| <= 0.27 of
 * it for f in 0.3..0.5 (measured: up to 27); the stretched tent and
 * Lanczos-2 up to 3 and 1. Point sampling would pass all of it.
 */
static int sine_alias(double f, enum lumen_scale_filter filt)
{
	struct lumen_scaler *s = make(LUMEN_PIX_GRAY8, 1024, 64, LUMEN_PIX_GRAY8,
				      256, 16, filt);
	struct lumen_frame src, dst;
	int dev = 0, point = 0;

	frame_new(&src, LUMEN_PIX_GRAY8, 1024, 64, 0);
	frame_new(&dst, LUMEN_PIX_GRAY8, 256, 16, 0);
	for (int y = 0; y < 64; y++)
		for (int x = 0; x < 1024; x++)
			*px(&src, 0, x, y) = (uint8_t)lround(128 + 100 * sin(2 * M_PI * f * x + M_PI / 4));
	assert_int_equal(lumen_scaler_run(s, &src, &dst), 0);
	for (int x = 8; x < 248; x++) {	/* away from the edges */
		int d = abs((int)*px(&dst, 0, x, 8) - 128);
		int p = abs((int)*px(&src, 0, 4 * x + 1, 33) - 128);

		dev = d > dev ? d : dev;
		point = p > point ? p : point;
	}
	assert_true(point > 60);	/* what point sampling would keep */
	frame_del(&src);
	frame_del(&dst);
	lumen_scaler_destroy(s);
	return dev;
}

static void test_sweep(void **state)
{
	(void)state;
	for (double f = 0.3; f <= 0.5; f += 0.05) {
		assert_in_range(sine_alias(f, LUMEN_SCALE_AREA), 0, 28);
		assert_in_range(sine_alias(f, LUMEN_SCALE_BILINEAR), 0, 5);
		assert_in_range(sine_alias(f, LUMEN_SCALE_LANCZOS2), 0, 5);
	}
}

/* g(x, y) = a*x + b*y sampled at sample centres; the box average of a
 * linear function is its value at the box centre. */
static void gradient_case(enum lumen_pixfmt fmt, int sw, int sh, int dw,
			  int dh, enum lumen_scale_filter filt, int margin)
{
	struct lumen_scaler *s = make(fmt, sw, sh, fmt, dw, dh, filt);
	struct lumen_frame src, dst;
	double a = 180.0 / sw, b = 70.0 / sh;
	double rx = (double)sw / dw, ry = (double)sh / dh;

	frame_new(&src, fmt, sw, sh, 16);
	frame_new(&dst, fmt, dw, dh, 16);
	for (int y = 0; y < sh; y++)
		for (int x = 0; x < sw; x++)
			*px(&src, 0, x, y) = (uint8_t)lround(a * x + b * y);
	for (int y = 0; y < sh / 2; y++)	/* Cr: the same ramp at half size */
		for (int x = 0; x < sw / 2; x++) {
			*cpx(&src, 0, x, y) = 128;
			*cpx(&src, 1, x, y) = (uint8_t)lround(2 * a * x + 2 * b * y);
		}
	assert_int_equal(lumen_scaler_run(s, &src, &dst), 0);
	for (int y = margin; y < dh - margin; y++)
		for (int x = margin; x < dw - margin; x++) {
			double cx = (x + 0.5) * rx - 0.5, cy = (y + 0.5) * ry - 0.5;
			double want = a * cx + b * cy;
			int got = *px(&dst, 0, x, y);

			if (fabs(got - want) > 1.0)
				fail_msg("%dx%d -> %dx%d %s: Y(%d,%d) = %d, analytic %.2f",
					 sw, sh, dw, dh, lumen_scale_filter_name(filt),
					 x, y, got, want);
		}
	for (int y = margin; y < dh / 2 - margin; y++)
		for (int x = margin; x < dw / 2 - margin; x++) {
			double cx = (x + 0.5) * rx - 0.5, cy = (y + 0.5) * ry - 0.5;
			double want = 2 * a * cx + 2 * b * cy;

			assert_int_equal(*cpx(&dst, 0, x, y), 128);
			if (fabs(*cpx(&dst, 1, x, y) - want) > 1.0)
				fail_msg("Cr(%d,%d) = %d, analytic %.2f", x, y,
					 *cpx(&dst, 1, x, y), want);
		}
	assert_padding(&dst);
	frame_del(&src);
	frame_del(&dst);
	lumen_scaler_destroy(s);
}

static void test_gradient(void **state)
{
	(void)state;
	/* the box never leaves the plane: exact to the edges */
	gradient_case(LUMEN_PIX_NV12, 2560, 1440, 640, 360, LUMEN_SCALE_AREA, 0);
	gradient_case(LUMEN_PIX_I420, 1920, 1080, 640, 360, LUMEN_SCALE_AREA, 0);
	gradient_case(LUMEN_PIX_NV12, 4208, 3120, 1280, 720, LUMEN_SCALE_AREA, 0);
	/* wider kernels fold at the edges: interior only */
	gradient_case(LUMEN_PIX_I420, 1920, 1080, 640, 360, LUMEN_SCALE_BILINEAR, 3);
	gradient_case(LUMEN_PIX_NV12, 2560, 1440, 640, 360, LUMEN_SCALE_LANCZOS2, 3);
	gradient_case(LUMEN_PIX_NV12, 640, 360, 1280, 720, LUMEN_SCALE_AREA, 2);
}

static void test_errors(void **state)
{
	struct lumen_scaler_config c = {
		.src_fmt = LUMEN_PIX_NV12, .dst_fmt = LUMEN_PIX_RGB24,
		.src_width = 64, .src_height = 64, .dst_width = 32, .dst_height = 32,
	};
	struct lumen_scaler *s;
	struct lumen_scaler_counters ctr;
	struct lumen_frame src, dst;
	enum lumen_scale_filter f;
	char err[256] = "";

	(void)state;
	assert_int_equal(lumen_scaler_create(&s, &c, err, sizeof(err)), -EINVAL);
	assert_null(s);
	assert_non_null(strstr(err, "rgb24"));
	c.dst_fmt = LUMEN_PIX_I420;
	c.dst_width = 33;	/* odd 4:2:0 */
	assert_int_equal(lumen_scaler_create(&s, &c, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "33x32"));
	c.dst_width = 32;
	c.filter = (enum lumen_scale_filter)7;
	assert_int_equal(lumen_scaler_create(&s, &c, err, sizeof(err)), -EINVAL);
	c.filter = LUMEN_SCALE_AREA;
	assert_int_equal(lumen_scaler_create(&s, &c, err, sizeof(err)), 0);

	frame_new(&src, LUMEN_PIX_NV12, 64, 64, 0);
	frame_new(&dst, LUMEN_PIX_NV12, 32, 32, 0);	/* plan says i420 */
	assert_int_equal(lumen_scaler_run(s, &src, &dst), -EINVAL);
	frame_del(&dst);
	frame_new(&dst, LUMEN_PIX_I420, 32, 32, 0);
	src.sequence = 42;
	src.timestamp_ns = 1234;
	assert_int_equal(lumen_scaler_run(s, &src, &dst), 0);
	assert_int_equal(dst.sequence, 42);
	assert_int_equal(dst.timestamp_ns, 1234);
	lumen_scaler_read_counters(s, &ctr);
	assert_int_equal(ctr.frames, 1);
	assert_int_equal(ctr.errors, 1);
	frame_del(&src);
	frame_del(&dst);
	lumen_scaler_destroy(s);

	assert_int_equal(lumen_scale_filter_parse("Lanczos2", &f), 0);
	assert_int_equal(f, LUMEN_SCALE_LANCZOS2);
	assert_int_equal(lumen_scale_filter_parse("cubic", &f), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v_kernels),
		cmocka_unit_test(test_h_kernels),
		cmocka_unit_test(test_plan_invariants),
		cmocka_unit_test(test_frames_bitexact),
		cmocka_unit_test(test_identity),
		cmocka_unit_test(test_checkerboard),
		cmocka_unit_test(test_sweep),
		cmocka_unit_test(test_gradient),
		cmocka_unit_test(test_errors),
	};

	cpu_all = lumen_cpu_flags();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
