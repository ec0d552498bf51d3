// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ISP stage kernels (isp/isp_dsp.h): every SIMD kernel the CPU allows
 * against its C reference, checkasm style, on hostile inputs (odd and
 * ragged widths, padded strides, 0 / LUMEN_WORK_MAX / 65535 samples, all
 * four CFA orders, guard words around outputs); and the rewritten C stages
 * against verbatim copies of the code they replaced, so that "the same
 * result, only faster" is checked rather than assumed. Honours
 * LUMEN_CPU_MASK, so the same binary also runs C-only.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/cpu.h"
#include "core/frame.h"
#include "core/pack.h"
#include "isp/isp.h"
#include "isp/isp_band.h"
#include "isp/isp_dsp.h"
#include "isp/stages.h"
#include "testutil.h"

#define MAXV LUMEN_WORK_MAX

static unsigned cpu_all;	/* flags at start, after LUMEN_CPU_MASK */

/* CPU masks to try (0 = C only); each is run when the CPU has it. */
static const unsigned cpu_levels[] = {
	0, LUMEN_CPU_AVX2, LUMEN_CPU_AVX2 | LUMEN_CPU_AVX512,
	LUMEN_CPU_AVX2 | LUMEN_CPU_AVX512 | LUMEN_CPU_AVX512VNNI, LUMEN_CPU_NEON,
};
#define N_LEVELS (sizeof(cpu_levels) / sizeof(cpu_levels[0]))

/* Installs level l's kernels; false when the CPU lacks the level. */
static bool level_init(unsigned l, struct lumen_isp_dsp *dsp)
{
	if ((cpu_levels[l] & cpu_all) != cpu_levels[l])
		return false;
	lumen_cpu_set_mask(cpu_levels[l]);
	lumen_isp_dsp_init(dsp);
	return true;
}

enum pattern {
	PAT_RANDOM16, PAT_RANDOM_WORK, PAT_ZERO, PAT_WORK_MAX, PAT_U16_MAX,
	PAT_CHECKER, PAT_RANDOM_EXTREME, PAT_NOISY_FLAT, PAT_NEAR_CLIP, PAT_SPIKES,
	PAT_COUNT
};

static uint16_t pattern_at(enum pattern p, int x, int y, unsigned *seed)
{
	unsigned r = lumen_test_rand(seed);

	switch (p) {
	case PAT_RANDOM16: return (uint16_t)r;
	case PAT_RANDOM_WORK: return (uint16_t)(r % (MAXV + 1));
	case PAT_ZERO: return 0;
	case PAT_WORK_MAX: return MAXV;
	case PAT_U16_MAX: return 0xffff;
	case PAT_CHECKER: return ((x + y) & 1) ? MAXV : 0;
	case PAT_RANDOM_EXTREME: return (r & 1) ? MAXV : (r & 2) ? 0 : 0xffff;
	case PAT_NOISY_FLAT: return (uint16_t)(3000 + r % 200);
	case PAT_NEAR_CLIP: return (uint16_t)(LUMEN_STATS_CLIP - 1 + r % 3);
	case PAT_SPIKES:
	default:
		/* noisy ramp with hot and dead pixels, pairs and runs */
		if (r % 37 == 0)
			return (r >> 8) & 1 ? MAXV : 0;
		return (uint16_t)(1000 + 13 * x + 7 * y + (r >> 20) % 64);
	}
}

/* A BAYER16 frame with a padded stride (or tight when @tight), filled. */
static void raw_make(struct lumen_frame *f, int w, int h, enum lumen_bayer o,
		     enum pattern p, unsigned seed, bool tight)
{
	memset(f, 0, sizeof(*f));
	f->fmt = LUMEN_PIX_BAYER16;
	f->width = w;
	f->height = h;
	f->stride[0] = (size_t)w * 2 + (tight ? 0 : 2 * 19);
	f->data[0] = malloc(f->stride[0] * (size_t)h);
	assert_non_null(f->data[0]);
	memset(f->data[0], 0x5a, f->stride[0] * (size_t)h);
	f->bayer = o;
	f->bits = LUMEN_WORK_BITS;
	f->white = MAXV;
	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++)
			((uint16_t *)(void *)(f->data[0] + (size_t)y * f->stride[0]))[x] =
				pattern_at(p, x, y, &seed);
}

static void raw_copy(struct lumen_frame *dst, const struct lumen_frame *src)
{
	*dst = *src;
	dst->data[0] = malloc(src->stride[0] * (size_t)src->height);
	assert_non_null(dst->data[0]);
	memcpy(dst->data[0], src->data[0], src->stride[0] * (size_t)src->height);
}

static uint16_t px16(const struct lumen_frame *f, int x, int y)
{
	return ((const uint16_t *)(const void *)(f->data[0] +
						 (size_t)y * f->stride[0]))[x];
}

/* Whole buffers equal, padding included (kernels must not write there). */
static void assert_raw_equal(const struct lumen_frame *a,
			     const struct lumen_frame *b, const char *what)
{
	for (int y = 0; y < a->height; y++)
		for (size_t i = 0; i < a->stride[0]; i++) {
			const uint8_t *ra = a->data[0] + (size_t)y * a->stride[0];
			const uint8_t *rb = b->data[0] + (size_t)y * b->stride[0];

			if (ra[i] != rb[i])
				fail_msg("%s: %dx%d: byte %zu of row %d: %u != %u",
					 what, a->width, a->height, i, y, ra[i], rb[i]);
		}
}

/* Frame sizes for whole-stage comparisons: tiny, odd, ragged around the
 * vector widths, and one bigger. */
static const int frame_sizes[][2] = {
	{ 5, 5 }, { 6, 7 }, { 7, 6 }, { 17, 9 }, { 31, 12 }, { 33, 8 },
	{ 64, 48 }, { 65, 11 }, { 129, 10 }, { 333, 17 },
};
#define N_SIZES (sizeof(frame_sizes) / sizeof(frame_sizes[0]))

/* ------------------------------------------------------------------ */
/* dpc: the definition is the full test of every pixel in raster order;
 * the screen only skips pixels that cannot pass it */

static LUMEN_DPC_SCREEN_FN(screen_everything)
{
	(void)up;
	(void)row;
	(void)dn;
	(void)n;
	(void)threshold;
	return 0;
}

static long ref_dpc_apply(struct lumen_frame *work, unsigned threshold,
			  const struct lumen_dpc_map *map)
{
	struct lumen_isp_dsp dsp;
	struct lumen_dpc_setup s = { .threshold = threshold, .map = map };

	lumen_isp_dsp_init(&dsp);
	dsp.dpc_screen = screen_everything;
	return lumen_dpc_rows(&dsp, work, &s, 0, work->height);
}


/* the pre-screen, each level against C, returned index by index */
static void dpc_screen_matches_c(void **state)
{
	static const unsigned thresholds[] = { 0, 1, 255, 4000, 65535, 70000 };
	int tested = 0;

	(void)state;
	for (unsigned l = 1; l < N_LEVELS; l++) {
		struct lumen_isp_dsp dsp;
		unsigned seed = 7;

		if (!level_init(l, &dsp) || dsp.dpc_screen == lumen_dpc_screen_c)
			continue;
		tested++;
		for (int n = 0; n <= 1100; n += n < 80 ? 1 : 151)
			for (int p = 0; p < PAT_COUNT; p++)
				for (unsigned t = 0; t < 6; t++) {
					/* exactly the columns the kernel may read,
					 * so that ASan sees any read outside */
					uint16_t *rows[3];

					for (int i = 0; i < 3; i++) {
						rows[i] = malloc(((size_t)n + 4) * 2);
						assert_non_null(rows[i]);
						for (int x = 0; x < n + 4; x++)
							rows[i][x] = pattern_at((enum pattern)p,
										x, i, &seed);
					}
					int want = lumen_dpc_screen_c(rows[0] + 2, rows[1] + 2,
								      rows[2] + 2, n,
								      thresholds[t]);
					int got = dsp.dpc_screen(rows[0] + 2, rows[1] + 2,
								 rows[2] + 2, n, thresholds[t]);

					if (want != got)
						fail_msg("level %#x n %d p %d thr %u: c %d simd %d",
							 cpu_levels[l], n, p, thresholds[t], want, got);
					for (int i = 0; i < 3; i++)
						free(rows[i]);
				}
	}
	lumen_cpu_set_mask(cpu_all);
	print_message("dpc screens tested: %d\n", tested);
}

/* whole frames, every level (C included) against the definition, with
 * and without a static map */
static void dpc_matches_definition(void **state)
{
	(void)state;
	for (unsigned l = 0; l < N_LEVELS; l++) {
		struct lumen_isp_dsp dsp;

		if (!level_init(l, &dsp))
			continue;
		for (unsigned s = 0; s < N_SIZES; s++)
			for (int p = 0; p < PAT_COUNT; p++)
				for (int o = 0; o < 4; o++) {
					struct lumen_frame a, b;
					struct lumen_isp_params prm;
					struct lumen_dpc_map map;
					uint32_t pos[6];
					int w = frame_sizes[s][0], h = frame_sizes[s][1];
					unsigned thr = o == 3 ? 40 : o == 2 ? 1 : 300;
					long na, nb;

					/* the map: corners, an edge, the middle, a
					 * same-colour pair; sorted */
					pos[0] = 0;
					pos[1] = (uint32_t)(w - 1);
					pos[2] = (uint32_t)(h / 2) << 16 | (uint32_t)(w / 2);
					pos[3] = (uint32_t)(h / 2) << 16 | (uint32_t)(w / 2 + 2);
					pos[4] = (uint32_t)(h - 1) << 16 | 1u;
					pos[5] = (uint32_t)(h - 1) << 16 | (uint32_t)(w - 1);
					map.pos = pos;
					map.count = o & 1 ? 6 : 0;
					lumen_isp_params_default(&prm);
					prm.dpc_threshold = (uint16_t)thr;
					prm.dpc_map = &map;
					raw_make(&a, w, h, (enum lumen_bayer)o,
						 (enum pattern)p, 100u + s, o & 1);
					raw_copy(&b, &a);
					na = ref_dpc_apply(&a, thr, &map);
					nb = lumen_dpc_apply(&b, &prm);
					if (na != nb)
						fail_msg("level %#x %dx%d p %d: %ld != %ld corrected",
							 cpu_levels[l], w, h, p, na, nb);
					assert_raw_equal(&a, &b, "dpc");
					free(a.data[0]);
					free(b.data[0]);
				}
	}
	lumen_cpu_set_mask(cpu_all);
}

/* ------------------------------------------------------------------ */
/* ccm and csc: the code these stages replaced, verbatim but for names */

static void ref_ccm_apply(struct lumen_frame *rgb, const float m[3][3], float gain)
{
	int32_t q[3][3];	/* Q12 */

	for (int i = 0; i < 3; i++)
		for (int j = 0; j < 3; j++) {
			float v = m[i][j] * gain * 4096.0f;

			v = v > 2.0e6f ? 2.0e6f : v < -2.0e6f ? -2.0e6f : v;
			q[i][j] = (int32_t)lrintf(v);
		}

	for (int y = 0; y < rgb->height; y++) {
		uint16_t *r = (uint16_t *)(void *)(rgb->data[0] + (size_t)y * rgb->stride[0]);
		uint16_t *g = (uint16_t *)(void *)(rgb->data[1] + (size_t)y * rgb->stride[1]);
		uint16_t *b = (uint16_t *)(void *)(rgb->data[2] + (size_t)y * rgb->stride[2]);

		for (int x = 0; x < rgb->width; x++) {
			int64_t in[3] = { r[x], g[x], b[x] };
			int64_t out[3];

			for (int i = 0; i < 3; i++) {
				int64_t v = (q[i][0] * in[0] + q[i][1] * in[1] +
					     q[i][2] * in[2] + 2048) >> 12;

				out[i] = v < 0 ? 0 : v > LUMEN_WORK_MAX ? LUMEN_WORK_MAX : v;
			}
			r[x] = (uint16_t)out[0];
			g[x] = (uint16_t)out[1];
			b[x] = (uint16_t)out[2];
		}
	}
}

struct ref_csc_coeffs {
	int32_t y[3], cb[3], cr[3];	/* Q14 */
	int32_t y_off, y_scale_q14;
};

static void ref_coeffs(enum lumen_yuv_matrix m, bool full, struct ref_csc_coeffs *c)
{
	/* Kr and Kb from ITU-R BT.601 and BT.709 */
	const double kr = m == LUMEN_YUV_BT709 ? 0.2126 : 0.299;
	const double kb = m == LUMEN_YUV_BT709 ? 0.0722 : 0.114;
	const double kg = 1 - kr - kb;
	const double ys = full ? 1.0 : 219.0 / 255.0;
	const double cs = full ? 1.0 : 224.0 / 255.0;
	const double q = 16384.0;

	c->y[0] = (int32_t)lrint(kr * ys * q);
	c->y[1] = (int32_t)lrint(kg * ys * q);
	c->y[2] = (int32_t)lrint(kb * ys * q);
	c->cb[0] = (int32_t)lrint(-kr / (2 * (1 - kb)) * cs * q);
	c->cb[1] = (int32_t)lrint(-kg / (2 * (1 - kb)) * cs * q);
	c->cb[2] = (int32_t)lrint(0.5 * cs * q);
	c->cr[0] = (int32_t)lrint(0.5 * cs * q);
	c->cr[1] = (int32_t)lrint(-kg / (2 * (1 - kr)) * cs * q);
	c->cr[2] = (int32_t)lrint(-kb / (2 * (1 - kr)) * cs * q);
	c->y_off = full ? 0 : 16;
}

static inline uint8_t ref_clamp8(int32_t v)
{
	return (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
}

static inline uint8_t ref_luma(const struct ref_csc_coeffs *c, const uint8_t *p)
{
	return ref_clamp8(((c->y[0] * p[0] + c->y[1] * p[1] + c->y[2] * p[2] +
			8192) >> 14) + c->y_off);
}

/* Sums of Cb and Cr (Q14, offset-free) of one pixel. */
static inline void ref_chroma(const struct ref_csc_coeffs *c, const uint8_t *p,
			  int32_t *cb, int32_t *cr)
{
	*cb += c->cb[0] * p[0] + c->cb[1] * p[1] + c->cb[2] * p[2];
	*cr += c->cr[0] * p[0] + c->cr[1] * p[1] + c->cr[2] * p[2];
}

static int ref_csc_apply(const struct lumen_frame *rgb8, struct lumen_frame *out,
		    enum lumen_yuv_matrix matrix, bool full_range)
{
	struct ref_csc_coeffs c;
	const int w = rgb8->width, h = rgb8->height;

	if (rgb8->fmt != LUMEN_PIX_RGB24 || out->width != w || out->height != h)
		return -EINVAL;
	if (out->fmt == LUMEN_PIX_RGB24) {
		for (int y = 0; y < h && out->data[0] != rgb8->data[0]; y++)
			memcpy(out->data[0] + (size_t)y * out->stride[0],
			       rgb8->data[0] + (size_t)y * rgb8->stride[0], 3 * (size_t)w);
		return 0;
	}
	ref_coeffs(matrix, full_range, &c);

	switch (out->fmt) {
	case LUMEN_PIX_NV12:
	case LUMEN_PIX_I420:
		if ((w | h) & 1)
			return -EINVAL;
		for (int y = 0; y < h; y += 2) {
			const uint8_t *s0 = rgb8->data[0] + (size_t)y * rgb8->stride[0];
			const uint8_t *s1 = s0 + rgb8->stride[0];
			uint8_t *y0 = out->data[0] + (size_t)y * out->stride[0];
			uint8_t *y1 = y0 + out->stride[0];
			uint8_t *u = out->data[1] + (size_t)(y / 2) * out->stride[1];
			uint8_t *v = out->fmt == LUMEN_PIX_I420 ?
				     out->data[2] + (size_t)(y / 2) * out->stride[2] : NULL;

			for (int x = 0; x < w; x += 2) {
				int32_t cb = 0, cr = 0;

				y0[x] = ref_luma(&c, s0 + 3 * x);
				y0[x + 1] = ref_luma(&c, s0 + 3 * x + 3);
				y1[x] = ref_luma(&c, s1 + 3 * x);
				y1[x + 1] = ref_luma(&c, s1 + 3 * x + 3);
				ref_chroma(&c, s0 + 3 * x, &cb, &cr);
				ref_chroma(&c, s0 + 3 * x + 3, &cb, &cr);
				ref_chroma(&c, s1 + 3 * x, &cb, &cr);
				ref_chroma(&c, s1 + 3 * x + 3, &cb, &cr);
				cb = ref_clamp8(((cb + 32768) >> 16) + 128);
				cr = ref_clamp8(((cr + 32768) >> 16) + 128);
				if (v) {
					u[x / 2] = (uint8_t)cb;
					v[x / 2] = (uint8_t)cr;
				} else {
					u[x] = (uint8_t)cb;
					u[x + 1] = (uint8_t)cr;
				}
			}
		}
		return 0;
	case LUMEN_PIX_YUYV:
		if (w & 1)
			return -EINVAL;
		for (int y = 0; y < h; y++) {
			const uint8_t *s = rgb8->data[0] + (size_t)y * rgb8->stride[0];
			uint8_t *d = out->data[0] + (size_t)y * out->stride[0];

			for (int x = 0; x < w; x += 2) {
				int32_t cb = 0, cr = 0;

				ref_chroma(&c, s + 3 * x, &cb, &cr);
				ref_chroma(&c, s + 3 * x + 3, &cb, &cr);
				d[2 * x] = ref_luma(&c, s + 3 * x);
				d[2 * x + 1] = ref_clamp8(((cb + 16384) >> 15) + 128);
				d[2 * x + 2] = ref_luma(&c, s + 3 * x + 3);
				d[2 * x + 3] = ref_clamp8(((cr + 16384) >> 15) + 128);
			}
		}
		return 0;
	default:
		return -EINVAL;
	}
}


/* rows of plane p of a frame lumen_frame_alloc() made */
static int plane_rows(const struct lumen_frame *f, int p)
{
	if (p > 0 && (f->fmt == LUMEN_PIX_NV12 || f->fmt == LUMEN_PIX_I420))
		return f->height / 2;
	return f->height;
}

static int plane_count(const struct lumen_frame *f)
{
	return f->fmt == LUMEN_PIX_RGB16P || f->fmt == LUMEN_PIX_I420 ? 3 :
	       f->fmt == LUMEN_PIX_NV12 ? 2 : 1;
}

/* allocated and poisoned, so that unwritten samples and writes into the
 * row padding show */
static void frame_make(struct lumen_frame *f, enum lumen_pixfmt fmt, int w, int h)
{
	assert_int_equal(lumen_frame_alloc(f, fmt, w, h), 0);
	for (int p = 0; p < plane_count(f); p++)
		memset(f->data[p], 0xa5, f->stride[p] * (size_t)plane_rows(f, p));
}

static void assert_frames_equal(const struct lumen_frame *a,
				const struct lumen_frame *b, const char *what)
{
	for (int p = 0; p < plane_count(a); p++)
		for (int y = 0; y < plane_rows(a, p); y++)
			for (size_t i = 0; i < a->stride[p]; i++) {
				uint8_t va = a->data[p][(size_t)y * a->stride[p] + i];
				uint8_t vb = b->data[p][(size_t)y * b->stride[p] + i];

				if (va != vb)
					fail_msg("%s: %s %dx%d plane %d row %d byte %zu: "
						 "%u != %u", what, lumen_pixfmt_name(a->fmt),
						 a->width, a->height, p, y, i, va, vb);
			}
}

static uint16_t *plane16(const struct lumen_frame *f, int p, int y)
{
	return (uint16_t *)(void *)(f->data[p] + (size_t)y * f->stride[p]);
}

/* matrices (as Q12) from plain to hostile: identity, a real CCM times an
 * exposure, the int16 edge, beyond it (the SIMD fallback), and huge */
static void test_matrix(int k, unsigned *seed, int32_t q[3][3])
{
	static const float ccm[3][3] = {
		{ 1.72f, -0.55f, -0.17f }, { -0.21f, 1.46f, -0.25f },
		{ 0.05f, -0.62f, 1.57f },
	};
	static const float gains[] = { 1.0f, 2.5f, 4.7f, 7.99f, 20.0f, 900.0f };

	if (k == 0) {
		float id[3][3] = { { 1, 0, 0 }, { 0, 1, 0 }, { 0, 0, 1 } };

		lumen_ccm_quantise(id, 1.0f, q);
		return;
	}
	if (k <= 6) {
		lumen_ccm_quantise(ccm, gains[k - 1], q);
		return;
	}
	for (int i = 0; i < 3; i++)
		for (int j = 0; j < 3; j++) {
			unsigned r = lumen_test_rand(seed);

			switch (k) {
			case 7:	/* every coefficient at the int16 edge */
				q[i][j] = (r & 1) ? 32767 : -32767;
				break;
			case 8:	/* one beyond */
				q[i][j] = i == j ? 32768 : -(int32_t)(r % 4096);
				break;
			default:	/* anything quantise() can give */
				q[i][j] = (int32_t)(r % 4000001) - 2000000;
				break;
			}
		}
}
#define N_MATRICES 11

static void ccm_rows_match_c(void **state)
{
	static uint16_t in[3][1100], out[2][3][1100 + 64];
	int tested = 0;

	(void)state;
	for (unsigned l = 1; l < N_LEVELS; l++) {
		struct lumen_isp_dsp dsp;
		unsigned seed = 17;

		if (!level_init(l, &dsp) || dsp.ccm_row == lumen_ccm_row_c)
			continue;
		tested++;
		for (int w = 1; w <= 1100; w += w < 70 ? 1 : 173)
			for (int p = 0; p < PAT_COUNT; p++)
				for (int k = 0; k < N_MATRICES; k++) {
					int32_t q[3][3];
					const uint16_t *src[3] = { in[0], in[1], in[2] };

					test_matrix(k, &seed, q);
					for (int c = 0; c < 3; c++)
						for (int x = 0; x < w; x++)
							in[c][x] = pattern_at((enum pattern)p, x, c, &seed);
					for (int v = 0; v < 2; v++) {
						uint16_t *dst[3];

						for (int c = 0; c < 3; c++) {
							for (int x = 0; x < 1100 + 64; x++)
								out[v][c][x] = 0xdead;
							dst[c] = out[v][c] + 32;
						}
						if (v)
							dsp.ccm_row(dst, src, w, q);
						else
							lumen_ccm_row_c(dst, src, w, q);
					}
					if (memcmp(out[0], out[1], sizeof(out[0])))
						fail_msg("ccm level %#x w %d p %d matrix %d",
							 cpu_levels[l], w, p, k);
					/* in place gives the same */
					{
						uint16_t *io[3] = { in[0], in[1], in[2] };

						dsp.ccm_row(io, src, w, q);
						for (int c = 0; c < 3; c++)
							if (memcmp(in[c], out[0][c] + 32, 2 * (size_t)w))
								fail_msg("ccm in place level %#x w %d p %d "
									 "matrix %d", cpu_levels[l], w, p, k);
					}
				}
	}
	lumen_cpu_set_mask(cpu_all);
	print_message("ccm rows tested: %d\n", tested);
}

/* The fused ccm and tone kernels against the C ccm row and then the C
 * tone row: every pattern (values past LUMEN_WORK_MAX too), every test
 * matrix (those past int16 included), widths around the steps, three
 * curves; nothing written past the width. */
static void ccm_tone_rows_match_c(void **state)
{
	static uint16_t in[3][700], lin[3][700];
	static uint8_t out[2][3][700 + 64];
	static struct lumen_tone tone;
	int tested = 0;

	(void)state;
	for (unsigned l = 1; l < N_LEVELS; l++) {
		struct lumen_isp_dsp dsp;
		unsigned seed = 23;

		if (!level_init(l, &dsp) || !dsp.ccm_tone_row)
			continue;
		tested++;
		for (int w = 1; w <= 700; w += w < 70 ? 1 : 157)
			for (int p = 0; p < PAT_COUNT; p++)
				for (int k = 0; k < N_MATRICES; k++) {
					const uint16_t *src[3] = { in[0], in[1], in[2] };
					uint16_t *l16[3] = { lin[0], lin[1], lin[2] };
					int32_t q[3][3];

					if ((w + p + k) % 3 == 0)
						lumen_tone_build(&tone, 0.2f * (float)((w + p) % 6));
					test_matrix(k, &seed, q);
					for (int c = 0; c < 3; c++)
						for (int x = 0; x < w; x++)
							in[c][x] = pattern_at((enum pattern)p, x, c, &seed);
					for (int v = 0; v < 2; v++) {
						uint8_t *dst[3];

						for (int c = 0; c < 3; c++) {
							memset(out[v][c], 0xee, sizeof(out[v][c]));
							dst[c] = out[v][c] + 32;
						}
						if (v) {
							dsp.ccm_tone_row(dst, src, w, q, &tone);
						} else {
							lumen_ccm_row_c(l16, src, w, q);
							lumen_tone_row_c(dst, (const uint16_t *const *)l16,
									 w, &tone);
						}
					}
					if (memcmp(out[0], out[1], sizeof(out[0])))
						fail_msg("ccm+tone level %#x w %d p %d matrix %d",
							 cpu_levels[l], w, p, k);
				}
	}
	lumen_cpu_set_mask(cpu_all);
	print_message("ccm+tone rows tested: %d\n", tested);
}

/* C ccm against the replaced int64 code on working values; above
 * LUMEN_WORK_MAX the new code clamps the input first (documented) */
static void ccm_matches_replaced_code(void **state)
{
	static const float ccm[3][3] = {
		{ 1.72f, -0.55f, -0.17f }, { -0.21f, 1.46f, -0.25f },
		{ 0.05f, -0.62f, 1.57f },
	};
	static const float gains[] = { 1.0f, 0.3f, 7.0f, 40.0f, 2000.0f };

	(void)state;
	for (unsigned l = 0; l < N_LEVELS; l++) {
		struct lumen_isp_dsp dsp;

		if (!level_init(l, &dsp))
			continue;
		for (unsigned g = 0; g < 5; g++)
			for (int p = PAT_RANDOM_WORK; p <= PAT_WORK_MAX; p++) {
				struct lumen_frame a, b;
				unsigned seed = 5 + g;

				frame_make(&a, LUMEN_PIX_RGB16P, 37, 5);
				for (int c = 0; c < 3; c++)
					for (int y = 0; y < 5; y++)
						for (int x = 0; x < 37; x++)
							plane16(&a, c, y)[x] = pattern_at(
								(enum pattern)p, x, y, &seed);
				frame_make(&b, LUMEN_PIX_RGB16P, 37, 5);
				for (int c = 0; c < 3; c++)
					memcpy(b.data[c], a.data[c], a.stride[c] * 5);
				ref_ccm_apply(&a, ccm, gains[g]);
				lumen_ccm_apply(&b, ccm, gains[g]);
				assert_frames_equal(&a, &b, "ccm vs replaced");
				lumen_frame_free(&a);
				lumen_frame_free(&b);
			}
	}
	lumen_cpu_set_mask(cpu_all);
}

static void csc420_rows_match_c(void **state)
{
	static uint8_t in[6][1100], out[2][4][1100 + 64];
	int tested = 0;

	(void)state;
	for (unsigned l = 1; l < N_LEVELS; l++) {
		struct lumen_isp_dsp dsp;
		unsigned seed = 23;

		if (!level_init(l, &dsp) || dsp.csc420 == lumen_csc420_c)
			continue;
		tested++;
		for (int w = 2; w <= 1100; w += w < 70 ? 2 : 174)
			for (int p = 0; p < 5; p++)
				for (int m = 0; m < 4; m++)
					for (int i420 = 0; i420 < 2; i420++) {
						struct lumen_csc_coeffs c;
						const uint8_t *src[6];

						lumen_csc_coeffs_make((enum lumen_yuv_matrix)(m & 1),
								      m >> 1, &c);
						for (int k = 0; k < 6; k++) {
							for (int x = 0; x < w; x++) {
								unsigned r = lumen_test_rand(&seed);

								in[k][x] = (uint8_t)(p == 0 ? r :
									p == 1 ? 0 : p == 2 ? 255 :
									p == 3 ? ((r & 1) ? 255 : 0) :
									(k % 3 == x % 3 ? 255 : 0));
							}
							src[k] = in[k];
						}
						for (int v = 0; v < 2; v++) {
							uint8_t *o[4];

							memset(out[v], 0x5a, sizeof(out[v]));
							for (int k = 0; k < 4; k++)
								o[k] = out[v][k] + 32;
							(v ? dsp.csc420 : lumen_csc420_c)(
								o[0], o[1], o[2], i420 ? o[3] : NULL,
								src, w, &c);
						}
						if (memcmp(out[0], out[1], sizeof(out[0])))
							fail_msg("csc420 level %#x w %d p %d m %d i420 %d",
								 cpu_levels[l], w, p, m, i420);
					}
	}
	lumen_cpu_set_mask(cpu_all);
	print_message("csc420 kernels tested: %d\n", tested);
}

static const enum lumen_pixfmt out_fmts[] = {
	LUMEN_PIX_RGB24, LUMEN_PIX_NV12, LUMEN_PIX_I420, LUMEN_PIX_YUYV,
};

static bool size_ok(enum lumen_pixfmt fmt, int w, int h)
{
	if (fmt == LUMEN_PIX_NV12 || fmt == LUMEN_PIX_I420)
		return !((w | h) & 1);
	return fmt != LUMEN_PIX_YUYV || !(w & 1);
}

/* csc on RGB24, every level, against the replaced code */
static void csc_matches_replaced_code(void **state)
{
	static const int sizes[][2] = { { 2, 2 }, { 6, 4 }, { 17, 3 }, { 34, 6 },
					{ 258, 4 }, { 300, 2 }, { 515, 3 } };

	(void)state;
	for (unsigned l = 0; l < N_LEVELS; l++) {
		struct lumen_isp_dsp dsp;

		if (!level_init(l, &dsp))
			continue;
		for (unsigned s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++)
			for (unsigned f = 0; f < 4; f++)
				for (int m = 0; m < 4; m++) {
					const int w = sizes[s][0], h = sizes[s][1];
					struct lumen_frame rgb8, a, b;
					unsigned seed = 31 + s;

					if (!size_ok(out_fmts[f], w, h)) {
						frame_make(&rgb8, LUMEN_PIX_RGB24, w, h);
						frame_make(&a, LUMEN_PIX_YUYV, w + 1, h);
						a.width = w;
						a.fmt = out_fmts[f];
						assert_int_equal(lumen_csc_apply(&rgb8, &a,
							LUMEN_YUV_BT601, false), -EINVAL);
						lumen_frame_free(&rgb8);
						lumen_frame_free(&a);
						continue;
					}
					frame_make(&rgb8, LUMEN_PIX_RGB24, w, h);
					for (int y = 0; y < h; y++)
						for (int x = 0; x < 3 * w; x++) {
							unsigned r = lumen_test_rand(&seed);

							rgb8.data[0][(size_t)y * rgb8.stride[0] + x] =
								(uint8_t)(m == 3 ? ((r & 1) ? 255 : 0) : r);
						}
					frame_make(&a, out_fmts[f], w, h);
					frame_make(&b, out_fmts[f], w, h);
					assert_int_equal(ref_csc_apply(&rgb8, &a,
						(enum lumen_yuv_matrix)(m & 1), m >> 1), 0);
					assert_int_equal(lumen_csc_apply(&rgb8, &b,
						(enum lumen_yuv_matrix)(m & 1), m >> 1), 0);
					assert_frames_equal(&a, &b, "csc vs replaced");
					lumen_frame_free(&rgb8);
					lumen_frame_free(&a);
					lumen_frame_free(&b);
				}
	}
	lumen_cpu_set_mask(cpu_all);
}

/*
 * Every tone kernel against its definition (isp_dsp.h: the table, i.e.
 * lumen_tone_eval()), on the curves of several contrasts and on random
 * quadratics whose values run below 0 and above 255 (the saturating clip) and
 * differ from piece to piece (a wrong piece or lane cannot pass by
 * chance): every working value, values above LUMEN_WORK_MAX (clamped),
 * every width up to 70 (steps and tail), nothing past
 * the width written.
 */
static void tone_rows_match_definition(void **state)
{
	static struct lumen_tone tone;
	uint16_t src[3][72];
	uint8_t dst[3][72];
	unsigned seed = 17;

	(void)state;
	for (int curve = 0; curve < 6; curve++) {
		if (curve < 3) {
			lumen_tone_build(&tone, 0.5f * (float)curve);
		} else {
			/* random in the mantissa m = f / 2^e of each piece's
			 * f, scaled into coefficients of f^k */
			for (int k = 0; k < LUMEN_TONE_COEFS; k++)
				for (int j = 0; j < LUMEN_TONE_PIECES; j++) {
					const int e = 7 + (((j >> 1) - (134 & 7)) & 7);

					tone.k[k][j] = ldexpf((float)((int)(lumen_test_rand(&seed) % 2001) -
								      1000) / (k ? 4.0f : 1.0f), -e * k);
				}
			for (unsigned v = 0; v <= MAXV; v++)
				tone.lut[v] = lumen_tone_eval(&tone, v);
		}
		for (unsigned l = 0; l < N_LEVELS; l++) {
			struct lumen_isp_dsp dsp;
			const uint16_t *s[3] = { src[0], src[1], src[2] };
			uint8_t *d[3] = { dst[0], dst[1], dst[2] };

			if (!level_init(l, &dsp))
				continue;
			/* every working value, 64 at a time in each channel */
			for (unsigned v0 = 0; v0 <= MAXV; v0 += 3 * 64) {
				for (int c = 0; c < 3; c++)
					for (int x = 0; x < 64; x++)
						src[c][x] = (uint16_t)((v0 + 64 * c + x) % (MAXV + 1));
				dsp.tone_row(d, s, 64, &tone);
				for (int c = 0; c < 3; c++)
					for (int x = 0; x < 64; x++)
						assert_int_equal(dst[c][x], tone.lut[src[c][x]]);
			}
			for (int w = 0; w <= 70; w++)
				for (int rep = 0; rep < 4; rep++) {
					const bool over = rep == 3;

					for (int c = 0; c < 3; c++)
						for (int x = 0; x < 72; x++) {
							unsigned r = lumen_test_rand(&seed);

							src[c][x] = (uint16_t)(over ? r & 0xffff :
									       rep & 1 ? (r & 1 ? MAXV : 0) :
									       r % (MAXV + 1));
							dst[c][x] = 0xee;
						}
					dsp.tone_row(d, s, w, &tone);
					for (int c = 0; c < 3; c++) {
						for (int x = 0; x < w; x++)
							assert_int_equal(dst[c][x],
									 lumen_tone_eval(&tone, src[c][x]));
						for (int x = w; x < 72; x++)
							assert_int_equal(dst[c][x], 0xee);
					}
				}
		}
	}
	lumen_cpu_set_mask(cpu_all);
}

/*
 * The tolerance of the quadratics against the exact curve, over every
 * working value and contrasts 0 to 1: within 0.1 code values (tone.c
 * states 0.075) and so the rounded value within one code value of the
 * exact curve rounded, with the exact ends, 0 and 255.
 */
static void tone_fit_within_one_code(void **state)
{
	static struct lumen_tone tone;
	double worst = 0;
	int off = 0;

	(void)state;
	for (int ci = 0; ci <= 20; ci++) {
		const float contrast = (float)ci / 20;

		lumen_tone_build(&tone, contrast);
		assert_int_equal(tone.lut[0], 0);
		assert_int_equal(tone.lut[MAXV], 255);
		for (unsigned v = 0; v <= MAXV; v++) {
			const double e = lumen_tone_exact(v, contrast);
			const double y = lumen_tone_fit(&tone, v);

			worst = fabs(y - e) > worst ? fabs(y - e) : worst;
			assert_in_range(tone.lut[v], lrint(e) > 0 ? lrint(e) - 1 : 0,
					lrint(e) + 1);
			off += tone.lut[v] != lrint(e);
		}
	}
	print_message("tone: quadratics within %.3f code values of the exact curve, "
		      "%d of %d rounded values one off\n", worst, off, 21 * (MAXV + 1));
	assert_true(worst < 0.1);
}

/* the fused pass against ccm, tone and csc run one after the other */
static void finish_matches_stage_by_stage(void **state)
{
	static const int sizes[][2] = { { 2, 2 }, { 3, 5 }, { 18, 4 }, { 33, 7 },
					{ 256, 2 }, { 260, 4 }, { 513, 3 }, { 1282, 2 } };
	static struct lumen_tone tone;

	(void)state;
	lumen_tone_build(&tone, 0.3f);
	for (unsigned l = 0; l < N_LEVELS; l++) {
		struct lumen_isp_dsp dsp;

		if (!level_init(l, &dsp))
			continue;
		for (unsigned s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++)
			for (unsigned f = 0; f < 4; f++)
				for (int k = 0; k < 7; k++) {
					const int w = sizes[s][0], h = sizes[s][1];
					static const float ccm[3][3] = {
						{ 1.72f, -0.55f, -0.17f }, { -0.21f, 1.46f, -0.25f },
						{ 0.05f, -0.62f, 1.57f },
					};
					static const float gains[] = { 1, 0.5f, 3, 7.9f, 9, 50, 1 };
					struct lumen_frame rgb, work, rgb8, a, b;
					enum pattern p = k == 6 ? PAT_RANDOM_EXTREME : PAT_RANDOM_WORK;
					unsigned seed = 41 + s;
					int32_t q[3][3];

					if (!size_ok(out_fmts[f], w, h))
						continue;
					frame_make(&rgb, LUMEN_PIX_RGB16P, w, h);
					frame_make(&work, LUMEN_PIX_RGB16P, w, h);
					for (int c = 0; c < 3; c++)
						for (int y = 0; y < h; y++)
							for (int x = 0; x < w; x++) {
								uint16_t v = pattern_at(p, x, y, &seed);

								/* demosaic output never passes MAX */
								plane16(&rgb, c, y)[x] = v > MAXV ? MAXV : v;
								plane16(&work, c, y)[x] = plane16(&rgb, c, y)[x];
							}
					lumen_ccm_quantise(ccm, gains[k], q);
					frame_make(&rgb8, LUMEN_PIX_RGB24, w, h);
					frame_make(&a, out_fmts[f], w, h);
					frame_make(&b, out_fmts[f], w, h);
					lumen_ccm_apply(&work, ccm, gains[k]);
					lumen_tone_apply(&work, &rgb8, &tone);
					assert_int_equal(lumen_csc_apply(&rgb8, &a, LUMEN_YUV_BT709,
									 k & 1), 0);
					assert_int_equal(lumen_isp_finish(&rgb, q, &tone, LUMEN_YUV_BT709,
									  k & 1, &b), 0);
					assert_frames_equal(&a, &b, "fused vs stage by stage");
					lumen_frame_free(&rgb);
					lumen_frame_free(&work);
					lumen_frame_free(&rgb8);
					lumen_frame_free(&a);
					lumen_frame_free(&b);
				}
	}
	lumen_cpu_set_mask(cpu_all);
}

/* The whole ISP at every level against C only: all CFA orders, input
 * strides with padding, odd sizes where the output allows them. */
static void isp_levels_agree(void **state)
{
	static const int sizes[][2] = { { 6, 6 }, { 7, 5 }, { 34, 10 },
					{ 67, 9 }, { 130, 12 }, { 301, 7 } };

	(void)state;
	for (unsigned l = 1; l < N_LEVELS; l++) {
		struct lumen_isp_dsp dsp;

		if (!level_init(l, &dsp))
			continue;
		for (unsigned s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++)
			for (int o = 0; o < 4; o++)
				for (unsigned f = 0; f < 4; f++) {
					const int w = sizes[s][0], h = sizes[s][1];
					struct lumen_frame raw, a, b;
					struct lumen_isp_params prm;
					struct lumen_isp *isp;

					if (!size_ok(out_fmts[f], w, h))
						continue;
					raw_make(&raw, w, h, (enum lumen_bayer)o,
						 o == 2 ? PAT_RANDOM16 : PAT_SPIKES, 9u + s, s & 1);
					raw.bits = 12;
					raw.white = 4000;
					for (int c = 0; c < 4; c++)
						raw.black[c] = (uint16_t)(200 + 10 * c);
					frame_make(&a, out_fmts[f], w, h);
					frame_make(&b, out_fmts[f], w, h);
					lumen_isp_params_default(&prm);
					prm.wb[0] = 1.9f;
					prm.wb[2] = 1.4f;
					prm.contrast = 0.25f;
					prm.exposure = o == 1 ? 12.0f : 1.3f;
					prm.yuv_matrix = (enum lumen_yuv_matrix)(o & 1);
					prm.yuv_full_range = o >> 1;
					assert_int_equal(lumen_isp_create(&isp, w, h), 0);
					lumen_cpu_set_mask(0);
					assert_int_equal(lumen_isp_process(isp, &raw, &prm, &a), 0);
					lumen_cpu_set_mask(cpu_levels[l]);
					assert_int_equal(lumen_isp_process(isp, &raw, &prm, &b), 0);
					assert_frames_equal(&a, &b, "isp level vs C");
					lumen_isp_destroy(isp);
					free(raw.data[0]);
					lumen_frame_free(&a);
					lumen_frame_free(&b);
				}
	}
	lumen_cpu_set_mask(cpu_all);
}


/* Stage by stage: one call per stage, which never fuses (isp.h). */
static int isp_staged(struct lumen_isp *isp, const struct lumen_frame *raw,
		      const struct lumen_isp_params *prm, struct lumen_frame *out)
{
	for (int i = 0; i < lumen_isp_stage_count; i++) {
		int err = lumen_isp_process_stages(isp, raw, prm, out, i, i + 1);

		if (err)
			return err;
	}
	return 0;
}

/* The band-fused ISP against the stages one after the other: sizes around
 * the band height, every output format, raw formats, DPC, LSC, WB, the
 * fast denoise and sharpening (in the band loop, slices cutting its rows)
 * on and off, the front and back runs called apart (as the pipeline calls
 * them) and together, on 1, 3 and 5 threads; outputs, working raw and
 * statistics all equal. */
static void bands_match_staged(void **state)
{
	static const int sizes[][2] = { { 6, 6 }, { 8, 18 }, { 34, 16 }, { 40, 17 },
					{ 66, 34 }, { 130, 36 }, { 98, 50 },
					/* stats grid blocks of 2x2 cells */
					{ 332, 44 } };
	static float gain[4][5 * 4];
	struct lumen_lsc_map map = { 5, 4, { gain[0], gain[1], gain[2], gain[3] } };
	unsigned seed = 5;

	(void)state;
	for (int c = 0; c < 4; c++)
		for (int i = 0; i < 5 * 4; i++)
			gain[c][i] = 1.0f + (float)(lumen_test_rand(&seed) % 1000) / 700.0f;
	for (unsigned s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++)
		for (unsigned f = 0; f < 4; f++)
			for (int k = 0; k < 6; k++) {
				const int w = sizes[s][0], h = sizes[s][1];
				const int stats_end = lumen_isp_stage_index("stats") + 1;
				struct lumen_frame raw16, raw, a, b;
				struct lumen_isp_params prm;
				struct lumen_isp *ia, *ib;

				if (!size_ok(out_fmts[f], w, h))
					continue;
				raw_make(&raw16, w, h, (enum lumen_bayer)(k & 3),
					 k == 5 ? PAT_RANDOM16 : PAT_SPIKES, 3u + s, true);
				raw = raw16;
				/* RAW10 rows are whole groups of four here */
				const bool packed = (k & 1) && !(w & 3);

				if (packed) {
					/* as RAW10 from the link, 10-bit values */
					assert_int_equal(lumen_frame_alloc(&raw, LUMEN_PIX_BAYER10P,
									   w, h), 0);
					raw.bayer = raw16.bayer;
					for (int y = 0; y < h; y++) {
						uint16_t *r = (uint16_t *)(void *)(raw16.data[0] +
									   (size_t)y * raw16.stride[0]);

						for (int x = 0; x < w; x++)
							r[x] &= 1023;
						lumen_pack_raw10(r, raw.data[0] + (size_t)y * raw.stride[0],
								 (size_t)w);
					}
					raw.white = 1023;
				} else {
					raw.white = k == 4 ? 65535 : 16000;
				}
				for (int c = 0; c < 4; c++)
					raw.black[c] = (uint16_t)(k == 2 ? 0 : 16 + 4 * c);
				frame_make(&a, out_fmts[f], w, h);
				frame_make(&b, out_fmts[f], w, h);
				lumen_isp_params_default(&prm);
				prm.dpc = k != 3;
				prm.lsc = k == 2 ? NULL : &map;
				prm.wb[0] = k == 4 ? 1.0f : 1.9f;
				prm.wb[2] = k == 4 ? 1.0f : 1.4f;
				prm.contrast = 0.25f;
				prm.exposure = k == 1 ? 9.0f : 1.2f;
				prm.yuv_matrix = (enum lumen_yuv_matrix)(k & 1);
				if (k >= 2 && k != 4) {
					/* the fast denoise from the params' model:
					 * in the front run (k 2, 3), or after it */
					prm.denoise = LUMEN_DENOISE_FAST;
					prm.dpc_noise[0] = 2.0f;
					prm.dpc_noise[1] = k == 3 ? 4e4f : 900.0f;
					prm.dpc_gain = 1.5f;
				}
				/* sharpening in the band loop: off, on, strong */
				prm.sharpen = (k + (int)s) % 3 == 0 ? 0.0f : k == 4 ? 3.0f : 0.5f;
				assert_int_equal(lumen_isp_create(&ia, w, h), 0);
				assert_int_equal(lumen_isp_create(&ib, w, h), 0);
				/* slices: one thread, two, and more than the rows of
				 * some frames' slices hold */
				assert_int_equal(lumen_isp_set_threads(ib, 1 + (k + (int)s) % 3 * 2), 0);
				assert_int_equal(isp_staged(ia, &raw, &prm, &a), 0);
				if (k & 2) {
					assert_int_equal(lumen_isp_process(ib, &raw, &prm, &b), 0);
				} else {
					assert_int_equal(lumen_isp_process_stages(ib, &raw, &prm, &b,
						0, stats_end), 0);
					assert_int_equal(lumen_isp_process_stages(ib, &raw, &prm, &b,
						stats_end, lumen_isp_stage_count), 0);
				}
				assert_frames_equal(&a, &b, "bands vs staged");
				for (int y = 0; y < h; y++)
					assert_memory_equal(ia->raw.data[0] + (size_t)y * ia->raw.stride[0],
							    ib->raw.data[0] + (size_t)y * ib->raw.stride[0],
							    (size_t)w * 2);
				assert_memory_equal(&ia->stats, &ib->stats, sizeof(ia->stats));
				lumen_isp_destroy(ia);
				lumen_isp_destroy(ib);
				if (packed)
					lumen_frame_free(&raw);
				free(raw16.data[0]);
				lumen_frame_free(&a);
				lumen_frame_free(&b);
			}
}

/*
 * The statistics taken in the front run (over bands on one thread, in
 * slices on more) against the stats stage on its own, on frames whose
 * grid blocks are several cells high (3 at 704x330, 5 at 1000x998), so
 * that bands and slice edges cut block rows: 1 to 5 threads, zone sums,
 * histogram and grid all equal.
 */
static void stats_slices_match_staged(void **state)
{
	static const int sizes[][2] = { { 704, 330 }, { 1000, 998 } };
	const int stats_end = lumen_isp_stage_index("stats") + 1;

	/* under emulation the smaller frame alone (block rows cut the same) */
	const unsigned n_sizes = lumen_test_emulated() ? 1 : sizeof(sizes) / sizeof(sizes[0]);

	(void)state;
	for (unsigned s = 0; s < n_sizes; s++) {
		const int w = sizes[s][0], h = sizes[s][1];
		struct lumen_frame raw, out;
		struct lumen_isp_params prm;
		struct lumen_isp *ia, *ib;

		raw_make(&raw, w, h, (enum lumen_bayer)s, PAT_SPIKES, 11u + s, false);
		frame_make(&out, LUMEN_PIX_NV12, w, h);
		lumen_isp_params_default(&prm);
		assert_int_equal(lumen_isp_create(&ia, w, h), 0);
		assert_int_equal(lumen_isp_create(&ib, w, h), 0);
		ia->stats.zones_x = ib->stats.zones_x = 7;
		ia->stats.zones_y = ib->stats.zones_y = 5;
		assert_int_equal(isp_staged(ia, &raw, &prm, &out), 0);
		assert_true(ia->stats.grid_block >= 3);
		for (int n = 1; n <= 5; n++) {
			assert_int_equal(lumen_isp_set_threads(ib, n), 0);
			memset(&ib->stats, 0, sizeof(ib->stats));
			ib->stats.zones_x = 7;
			ib->stats.zones_y = 5;
			assert_int_equal(lumen_isp_process_stages(ib, &raw, &prm, &out,
								  0, stats_end), 0);
			assert_memory_equal(&ia->stats, &ib->stats, sizeof(ia->stats));
		}
		lumen_isp_destroy(ia);
		lumen_isp_destroy(ib);
		free(raw.data[0]);
		lumen_frame_free(&out);
	}
}

/* ------------------------------------------------------------------ */
/* stats: the code this stage replaced, verbatim but for names and the  */
/* histogram's sampling                                                  */

#define REF_CLIP_LEVEL (LUMEN_WORK_MAX - LUMEN_WORK_MAX / 64)

static void ref_stats_collect(const struct lumen_frame *work,
			 struct lumen_isp_stats *st)
{
	const int cw = work->width / 2, ch = work->height / 2;
	int zx = st->zones_x, zy = st->zones_y;
	/* which channel sits at each cell position */
	int chan[4];

	if (zx <= 0 || zy <= 0 || zx * zy > LUMEN_STATS_MAX_ZONES)
		zx = zy = 16;
	if (zx > cw)
		zx = cw > 0 ? cw : 1;
	if (zy > ch)
		zy = ch > 0 ? ch : 1;
	memset(st, 0, sizeof(*st));
	st->zones_x = zx;
	st->zones_y = zy;
	for (int i = 0; i < 4; i++)
		chan[i] = lumen_bayer_at(work->bayer, i & 1, i >> 1);

	for (int cy = 0; cy < ch; cy++) {
		const uint16_t *r0 = (const uint16_t *)(const void *)
			(work->data[0] + (size_t)(2 * cy) * work->stride[0]);
		const uint16_t *r1 = (const uint16_t *)(const void *)
			((const uint8_t *)r0 + work->stride[0]);
		const int zrow = (int)((long long)cy * zy / ch) * zx;

		for (int cx = 0; cx < cw; cx++) {
			const int z = zrow + (int)((long long)cx * zx / cw);
			unsigned v[4] = { r0[2 * cx], r0[2 * cx + 1],
					  r1[2 * cx], r1[2 * cx + 1] };
			unsigned rgb[3] = { 0, 0, 0 }, clipped = 0, luma;

			for (int i = 0; i < 4; i++) {
				rgb[chan[i]] += v[i];
				clipped |= v[i] >= REF_CLIP_LEVEL;
			}
			for (int c = 0; c < 3; c++) {
				st->sum[c][z] += rgb[c];
				st->count[c][z] += c == 1 ? 2 : 1;
			}
			st->clipped[z] += clipped;
			luma = (rgb[0] + rgb[1] + rgb[2]) / 4;
			/* now the histogram takes the cells whose column and
			 * row are even */
			if ((cx | cy) & 1)
				continue;
			st->hist[luma * LUMEN_STATS_HIST_BINS / (LUMEN_WORK_MAX + 1)]++;
			st->cells++;
		}
	}
}

static void stats_spans_match_c(void **state)
{
	static uint16_t in[2][2 * 1100];
	int tested = 0;

	(void)state;
	for (unsigned l = 1; l < N_LEVELS; l++) {
		struct lumen_isp_dsp dsp;
		unsigned seed = 29;

		if (!level_init(l, &dsp) || dsp.stats_span == lumen_stats_span_c)
			continue;
		tested++;
		for (int n = 0; n <= 1100; n += n < 70 ? 1 : 157)
			for (int p = 0; p < PAT_COUNT; p++) {
				uint32_t sum[2][4] = { { 1, 2, 3, 4 }, { 1, 2, 3, 4 } };
				uint32_t clip[2] = { 5, 5 };
				static uint32_t hist[2][4][LUMEN_STATS_HIST_BINS];

				for (int r = 0; r < 2; r++)
					for (int x = 0; x < 2 * n; x++)
						in[r][x] = pattern_at((enum pattern)p, x, r, &seed);
				/* no histogram, or either half of the cells */
				const int first = (n + p) % 3 - 1;

				memset(hist, 0, sizeof(hist));
				lumen_stats_span_c(in[0], in[1], n, sum[0], &clip[0],
						   first < 0 ? NULL : hist[0], first);
				dsp.stats_span(in[0], in[1], n, sum[1], &clip[1],
					       first < 0 ? NULL : hist[1], first);
				if (memcmp(sum[0], sum[1], sizeof(sum[0])) || clip[0] != clip[1])
					fail_msg("stats level %#x n %d p %d: sums or clip differ",
						 cpu_levels[l], n, p);
				for (int b = 0; b < LUMEN_STATS_HIST_BINS; b++) {
					uint32_t ha = 0, hb = 0;

					for (int j = 0; j < 4; j++) {
						ha += hist[0][j][b];
						hb += hist[1][j][b];
					}
					if (ha != hb)
						fail_msg("stats level %#x n %d p %d bin %d: %u != %u",
							 cpu_levels[l], n, p, b, ha, hb);
				}
			}
	}
	lumen_cpu_set_mask(cpu_all);
	print_message("stats spans tested: %d\n", tested);
}

/*
 * The grid's vertical pass (one row and two rows at once): each SIMD
 * kernel against the C one, every
 * length up to a few vectors and some long ones, hostile working values
 * (the contract is samples <= LUMEN_WORK_MAX; larger ones are clamped),
 * @right and @below overlapping @row as the stats stage passes them,
 * accumulators that start non-zero, and nothing written past n.
 */
static void stats_grid_rows_match_c(void **state)
{
	enum { N = 1100, PAD = 8 };
	static uint16_t in[3 * N + 4], mx[2][N + PAD];
	static uint32_t acc[2][N + PAD], edge[2][N + PAD];
	int tested = 0;

	(void)state;
	for (unsigned l = 1; l < N_LEVELS; l++) {
		struct lumen_isp_dsp dsp;
		unsigned seed = 41;

		if (!level_init(l, &dsp) || dsp.stats_grid_rows == lumen_stats_grid_rows_c)
			continue;
		tested++;
		for (int n = 0; n <= N; n += n < 70 ? 1 : 131)
			for (int p = 0; p < PAT_COUNT; p++) {
				for (int x = 0; x < 3 * N + 4; x++) {
					uint16_t v = pattern_at((enum pattern)p, x, x / N, &seed);

					in[x] = v > MAXV ? MAXV : v;
				}
				for (int k = 0; k < 2; k++)
					for (int x = 0; x < N + PAD; x++) {
						acc[k][x] = 1000u * (unsigned)x + 7;
						edge[k][x] = 3u * (unsigned)x + 1;
						mx[k][x] = (uint16_t)((x * 37) % (MAXV + 1));
					}
				/* row at 0, right at +2, below a "row" further on */
				lumen_stats_grid_rows_c(in, in + 2, in + N + 2, n, acc[0],
							edge[0], mx[0]);
				dsp.stats_grid_rows(in, in + 2, in + N + 2, n, acc[1],
						    edge[1], mx[1]);
				if (memcmp(acc[0], acc[1], sizeof(acc[0])) ||
				    memcmp(edge[0], edge[1], sizeof(edge[0])) ||
				    memcmp(mx[0], mx[1], sizeof(mx[0])))
					fail_msg("grid rows level %#x n %d p %d differ",
						 cpu_levels[l], n, p);
				/* two rows at once: the kernel against C, and C
				 * against the one-row C kernel twice */
				lumen_stats_grid_rows2_c(in, in + N + 2, in + 2 * N + 2, n,
							 acc[0], edge[0], mx[0]);
				dsp.stats_grid_rows2(in, in + N + 2, in + 2 * N + 2, n,
						     acc[1], edge[1], mx[1]);
				if (memcmp(acc[0], acc[1], sizeof(acc[0])) ||
				    memcmp(edge[0], edge[1], sizeof(edge[0])) ||
				    memcmp(mx[0], mx[1], sizeof(mx[0])))
					fail_msg("grid rows2 level %#x n %d p %d differ",
						 cpu_levels[l], n, p);
				lumen_stats_grid_rows_c(in, in + 2, in + N + 2, n, acc[1],
							edge[1], mx[1]);
				lumen_stats_grid_rows_c(in + N + 2, in + N + 4, in + 2 * N + 2,
							n, acc[1], edge[1], mx[1]);
				lumen_stats_grid_rows2_c(in, in + N + 2, in + 2 * N + 2, n,
							 acc[0], edge[0], mx[0]);
				if (memcmp(acc[0], acc[1], sizeof(acc[0])) ||
				    memcmp(edge[0], edge[1], sizeof(edge[0])) ||
				    memcmp(mx[0], mx[1], sizeof(mx[0])))
					fail_msg("grid rows2 C n %d p %d: not two rows",
						 n, p);
			}
	}
	lumen_cpu_set_mask(cpu_all);
	print_message("grid row kernels tested: %d\n", tested);
}

/* whole statistics, every level, against the replaced code (on working
 * values: that code indexed its histogram out of bounds above them) */
static void stats_match_replaced_code(void **state)
{
	static const int zones[][2] = { { 0, 0 }, { 16, 16 }, { 32, 32 },
					{ 7, 5 }, { 1, 1 }, { 200, 3 }, { 64, 64 } };
	static const enum pattern pats[] = { PAT_RANDOM_WORK, PAT_ZERO,
		PAT_WORK_MAX, PAT_CHECKER, PAT_NOISY_FLAT, PAT_SPIKES };
	struct lumen_isp_stats *a = malloc(sizeof(*a)), *b = malloc(sizeof(*b));

	(void)state;
	assert_non_null(a);
	assert_non_null(b);
	for (unsigned l = 0; l < N_LEVELS; l++) {
		struct lumen_isp_dsp dsp;

		if (!level_init(l, &dsp))
			continue;
		for (unsigned s = 0; s < N_SIZES; s++)
			for (unsigned z = 0; z < sizeof(zones) / sizeof(zones[0]); z++)
				for (unsigned p = 0; p < sizeof(pats) / sizeof(pats[0]); p++) {
					struct lumen_frame f;
					int o = (int)(s + z) & 3;

					raw_make(&f, frame_sizes[s][0], frame_sizes[s][1],
						 (enum lumen_bayer)o, pats[p], 3u + z, z & 1);
					memset(a, 0x11, sizeof(*a));
					memset(b, 0x22, sizeof(*b));
					a->zones_x = b->zones_x = zones[z][0];
					a->zones_y = b->zones_y = zones[z][1];
					ref_stats_collect(&f, a);
					lumen_stats_collect(&f, b);
					/* the zone part; the block grid is new
					 * (stats_grid_matches_definition) */
					if (memcmp(a, b, offsetof(struct lumen_isp_stats,
								  grid_w)))
						fail_msg("stats level %#x %dx%d zones %dx%d p %u o %d",
							 cpu_levels[l], f.width, f.height,
							 zones[z][0], zones[z][1], p, o);
					free(f.data[0]);
				}
	}
	lumen_cpu_set_mask(cpu_all);
	free(a);
	free(b);
}


/*
 * The block grid against its definition (isp.h), sample by sample: sums,
 * edge sums (same-channel neighbours right and below, none past the last
 * two columns or rows) and clip flags of every block, on the hostile
 * patterns, at sizes that give one block per cell, several strips, a grid
 * ending on the frame's edge, and leftover cells.
 */
static void ref_grid(const struct lumen_frame *f, int b, int gw, int gh,
		     uint64_t sum[3], uint64_t edge[3], bool *clip, int bx, int by)
{
	(void)gw;
	(void)gh;
	sum[0] = sum[1] = sum[2] = edge[0] = edge[1] = edge[2] = 0;
	*clip = false;
	for (int y = 2 * b * by; y < 2 * b * (by + 1); y++)
		for (int x = 2 * b * bx; x < 2 * b * (bx + 1); x++) {
			const int c = lumen_bayer_at(f->bayer, x, y);
			const unsigned v = *(const uint16_t *)(const void *)
				(f->data[0] + (size_t)y * f->stride[0] + 2 * (size_t)x);

			sum[c] += v;
			if (x + 2 < f->width) {
				unsigned r = *(const uint16_t *)(const void *)
					(f->data[0] + (size_t)y * f->stride[0] + 2 * (size_t)(x + 2));

				edge[c] += v > r ? v - r : r - v;
			}
			if (y + 2 < f->height) {
				unsigned d = *(const uint16_t *)(const void *)
					(f->data[0] + (size_t)(y + 2) * f->stride[0] + 2 * (size_t)x);

				edge[c] += v > d ? v - d : d - v;
			}
			*clip |= v >= LUMEN_STATS_CLIP;
		}
}

static void stats_grid_matches_definition(void **state)
{
	static const int sizes[][2] = {
		{ 5, 5 }, { 4, 4 }, { 33, 8 }, { 333, 17 }, { 322, 242 },
		{ 2240, 140 }, { 1925, 243 },
	};
	static const enum pattern pats[] = { PAT_RANDOM_WORK, PAT_ZERO,
		PAT_WORK_MAX, PAT_CHECKER, PAT_NEAR_CLIP, PAT_SPIKES };
	struct lumen_isp_stats *st = malloc(sizeof(*st));

	(void)state;
	assert_non_null(st);
	for (unsigned l = 0; l < N_LEVELS; l++) {
		struct lumen_isp_dsp dsp;

		if (!level_init(l, &dsp))
			continue;
		for (unsigned s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++)
			for (unsigned p = 0; p < sizeof(pats) / sizeof(pats[0]); p++) {
				const int cw = sizes[s][0] / 2, ch = sizes[s][1] / 2;
				int b = (cw + LUMEN_STATS_GRID_MAX_W - 1) / LUMEN_STATS_GRID_MAX_W;
				struct lumen_frame f;

				if ((ch + LUMEN_STATS_GRID_MAX_H - 1) / LUMEN_STATS_GRID_MAX_H > b)
					b = (ch + LUMEN_STATS_GRID_MAX_H - 1) / LUMEN_STATS_GRID_MAX_H;
				b = b < 1 ? 1 : b;
				raw_make(&f, sizes[s][0], sizes[s][1], (enum lumen_bayer)((s + p) & 3),
					 pats[p], 5u + s, p & 1);
				/* a working frame: samples within LUMEN_WORK_MAX */
				for (int y = 0; y < f.height; y++)
					for (int x = 0; x < f.width; x++) {
						uint16_t *v = (uint16_t *)(void *)(f.data[0] +
							(size_t)y * f.stride[0]) + x;

						*v = *v > MAXV ? MAXV : *v;
					}
				memset(st, 0x33, sizeof(*st));
				st->zones_x = st->zones_y = 16;
				lumen_stats_collect(&f, st);
				assert_int_equal(st->grid_block, b);
				assert_int_equal(st->grid_w, cw / b);
				assert_int_equal(st->grid_h, ch / b);
				assert_true(st->grid_w <= LUMEN_STATS_GRID_MAX_W &&
					    st->grid_h <= LUMEN_STATS_GRID_MAX_H);
				for (int by = 0; by < st->grid_h; by++)
					for (int bx = 0; bx < st->grid_w; bx++) {
						const int z = by * st->grid_w + bx;
						uint64_t sum[3], edge[3];
						bool clip;

						ref_grid(&f, b, st->grid_w, st->grid_h, sum, edge,
							 &clip, bx, by);
						for (int c = 0; c < 3; c++)
							if (st->grid_sum[c][z] != sum[c] ||
							    st->grid_edge[c][z] != edge[c])
								fail_msg("grid %dx%d p %u block %d,%d c %d: "
									 "sum %u/%llu edge %u/%llu",
									 f.width, f.height, p, bx, by, c,
									 st->grid_sum[c][z],
									 (unsigned long long)sum[c],
									 st->grid_edge[c][z],
									 (unsigned long long)edge[c]);
						if (!st->grid_clipped[z] != !clip)
							fail_msg("grid %dx%d p %u block %d,%d: clip",
								 f.width, f.height, p, bx, by);
					}
				free(f.data[0]);
			}
	}
	lumen_cpu_set_mask(cpu_all);
	free(st);
}

/* ------------------------------------------------------------------ */
/* blc and wb: the code these stages replaced, verbatim but for names  */

static int ref_blc_apply(const struct lumen_frame *in, struct lumen_frame *work)
{
	uint32_t scale[4];
	unsigned black[4];

	if (!lumen_pixfmt_is_bayer(in->fmt) || work->fmt != LUMEN_PIX_BAYER16 ||
	    in->width != work->width || in->height != work->height)
		return -EINVAL;
	for (int c = 0; c < 4; c++) {
		black[c] = in->black[c];
		if (in->white <= black[c])
			return -EINVAL;
		/* Q16: (white - black) * scale == WORK_MAX << 16 */
		scale[c] = (uint32_t)(((uint64_t)LUMEN_WORK_MAX << 16) /
				      (in->white - black[c]));
	}

	for (int y = 0; y < in->height; y++) {
		const uint8_t *src = in->data[0] + (size_t)y * in->stride[0];
		uint16_t *dst = (uint16_t *)(void *)(work->data[0] +
						     (size_t)y * work->stride[0]);
		const unsigned b0 = black[(y & 1) * 2], b1 = black[(y & 1) * 2 + 1];
		const uint32_t s0 = scale[(y & 1) * 2], s1 = scale[(y & 1) * 2 + 1];

		/* packed and 8-bit rows are widened in place first */
		if (in->fmt == LUMEN_PIX_BAYER10P)
			lumen_unpack_raw10(src, dst, (size_t)in->width);
		else if (in->fmt == LUMEN_PIX_BAYER12P)
			lumen_unpack_raw12(src, dst, (size_t)in->width);
		else if (in->fmt == LUMEN_PIX_BAYER8)
			for (int x = in->width - 1; x >= 0; x--)
				dst[x] = src[x];
		else
			for (int x = 0; x < in->width; x++)
				dst[x] = ((const uint16_t *)(const void *)src)[x];

		for (int x = 0; x < in->width; x++) {
			unsigned b = (x & 1) ? b1 : b0;
			uint32_t s = (x & 1) ? s1 : s0;
			unsigned v = dst[x] > b ? dst[x] - b : 0;
			uint64_t w = ((uint64_t)v * s + 0x8000) >> 16;

			dst[x] = (uint16_t)(w > LUMEN_WORK_MAX ? LUMEN_WORK_MAX : w);
		}
	}
	work->bayer = in->bayer;
	work->bits = LUMEN_WORK_BITS;
	work->white = LUMEN_WORK_MAX;
	for (int c = 0; c < 4; c++)
		work->black[c] = 0;
	return 0;
}

static void ref_wb_apply(struct lumen_frame *work, const float gain[3])
{
	uint32_t q[4];	/* Q12 gain per cell position */

	for (int i = 0; i < 4; i++) {
		float g = gain[lumen_bayer_at(work->bayer, i & 1, i >> 1)];

		if (!(g > 0))
			g = 0;
		if (g > 64)
			g = 64;
		q[i] = (uint32_t)(g * 4096.0f + 0.5f);
	}
	for (int y = 0; y < work->height; y++) {
		uint16_t *row = (uint16_t *)(void *)(work->data[0] +
						     (size_t)y * work->stride[0]);
		const uint32_t q0 = q[(y & 1) * 2], q1 = q[(y & 1) * 2 + 1];

		for (int x = 0; x < work->width; x++) {
			uint32_t v = (row[x] * ((x & 1) ? q1 : q0) + 2048) >> 12;

			row[x] = (uint16_t)(v > LUMEN_WORK_MAX ? LUMEN_WORK_MAX : v);
		}
	}
}

/* phase parameters as blc (ranges) and wb (gains) make them, and hostile */
static void test_phase(int k, unsigned *seed, struct lumen_scale_phase *p)
{
	static const unsigned ranges[] = { 1, 2, 3, 255, 959, 4095, 16383,
					   16384, 40000, 65535 };
	static const float gains[] = { 0, 0.001f, 1, 1.0001f, 1.8f, 7.5f, 64 };

	for (int c = 0; c < 2; c++) {
		unsigned r = lumen_test_rand(seed);

		if (k < 10) {		/* blc: black + range */
			unsigned range = ranges[(k + c) % 10];
			unsigned black = r % (65536 - range);

			lumen_scale_phase_set(p, c, black, (uint32_t)(
				((uint64_t)LUMEN_WORK_MAX << 16) / range));
		} else if (k < 17) {	/* wb */
			uint32_t q = (uint32_t)(gains[(k - 10 + c) % 7] * 4096.0f + 0.5f);

			lumen_scale_phase_set(p, c, 0, q << 4);
		} else {		/* anything */
			lumen_scale_phase_set(p, c, r & 0xffff, lumen_test_rand(seed));
		}
	}
}
#define N_PHASES 22

static void scale_rows_match_c(void **state)
{
	static uint16_t in[1100], out[2][1100 + 64];
	int tested = 0;

	(void)state;
	for (unsigned l = 1; l < N_LEVELS; l++) {
		struct lumen_isp_dsp dsp;
		unsigned seed = 37;

		if (!level_init(l, &dsp) || dsp.scale_row == lumen_scale_row_c)
			continue;
		tested++;
		for (int w = 1; w <= 1100; w += w < 70 ? 1 : 173)
			for (int p = 0; p < PAT_COUNT; p++)
				for (int k = 0; k < N_PHASES; k++) {
					struct lumen_scale_phase ph;

					test_phase(k, &seed, &ph);
					for (int x = 0; x < w; x++)
						in[x] = pattern_at((enum pattern)p, x, k, &seed);
					for (int v = 0; v < 2; v++) {
						for (int x = 0; x < 1100 + 64; x++)
							out[v][x] = 0xdead;
						(v ? dsp.scale_row : lumen_scale_row_c)(
							out[v] + 32, in, w, &ph);
					}
					if (memcmp(out[0], out[1], sizeof(out[0])))
						fail_msg("scale level %#x w %d p %d phase %d",
							 cpu_levels[l], w, p, k);
					dsp.scale_row(in, in, w, &ph);	/* in place */
					if (memcmp(in, out[0] + 32, 2 * (size_t)w))
						fail_msg("scale in place level %#x w %d p %d phase %d",
							 cpu_levels[l], w, p, k);
				}
	}
	lumen_cpu_set_mask(cpu_all);
	print_message("scale rows tested: %d\n", tested);
}

/* Every sample value through the C map against the replaced blc and wb
 * arithmetic (64-bit, and Q12 on working values). */
/* blc from RAW10: every level against C on random packed bytes, every
 * width around the 16-sample step and the 26-byte read margin, exactly
 * the row's bytes allocated (a read past them faults under ASan and is
 * caught by the guard compare otherwise), and guard words after dst. */
static void blc10_rows_match_c(void **state)
{
	unsigned seed = 1234;

	(void)state;
	for (unsigned l = 1; l < N_LEVELS; l++) {
		struct lumen_isp_dsp dsp, ref;

		if (!level_init(l, &dsp))
			continue;
		lumen_cpu_set_mask(0);
		lumen_isp_dsp_init(&ref);
		for (int w = 1; w <= 140; w++)
			for (int k = 0; k < 20; k++) {
				const size_t n = lumen_raw10_bytes((size_t)w);
				uint8_t *src = malloc(n);
				uint16_t a[140 + 8], b[140 + 8];
				struct lumen_scale_phase ph;

				assert_non_null(src);
				for (size_t i = 0; i < n; i++)
					src[i] = (uint8_t)(k == 18 ? 0xff : k == 19 ? 0 :
							   lumen_test_rand(&seed));
				test_phase(k, &seed, &ph);
				memset(a, 0x5a, sizeof(a));
				memset(b, 0x5a, sizeof(b));
				ref.blc10_row(a, src, w, &ph);
				dsp.blc10_row(b, src, w, &ph);
				if (memcmp(a, b, sizeof(a)))
					fail_msg("blc10 row: level %u width %d kind %d", l, w, k);
				free(src);
			}
	}
	lumen_cpu_set_mask(cpu_all);
}

static void scale_c_matches_replaced_arithmetic(void **state)
{
	static const unsigned blacks[] = { 0, 4, 64, 200, 4000, 60000 };
	static const unsigned whites[] = { 255, 1023, 4095, 16383, 65535, 60001 };
	static const float gains[] = { 0, 0.5f, 1, 1.23f, 3.3f, 63.9f, 64, 80 };
	static uint16_t in[65536], out[65536];

	(void)state;
	for (int v = 0; v < 65536; v++)
		in[v] = (uint16_t)v;
	for (unsigned b = 0; b < 6; b++)
		for (unsigned wi = 0; wi < 6; wi++) {
			struct lumen_scale_phase ph;
			uint32_t s;

			if (whites[wi] <= blacks[b])
				continue;
			s = (uint32_t)(((uint64_t)LUMEN_WORK_MAX << 16) /
				       (whites[wi] - blacks[b]));
			lumen_scale_phase_set(&ph, 0, blacks[b], s);
			lumen_scale_phase_set(&ph, 1, blacks[b], s);
			lumen_scale_row_c(out, in, 65536, &ph);
			for (unsigned v = 0; v < 65536; v++) {
				unsigned d = v > blacks[b] ? v - blacks[b] : 0;
				uint64_t want = ((uint64_t)d * s + 0x8000) >> 16;

				want = want > MAXV ? MAXV : want;
				if (out[v] != want)
					fail_msg("blc black %u white %u v %u: %u != %u",
						 blacks[b], whites[wi], v, out[v], (unsigned)want);
			}
		}
	for (unsigned g = 0; g < 8; g++) {
		struct lumen_scale_phase ph;
		float gg = gains[g] > 64 ? 64 : gains[g];
		uint32_t q = (uint32_t)(gg * 4096.0f + 0.5f);

		lumen_scale_phase_set(&ph, 0, 0, q << 4);
		lumen_scale_phase_set(&ph, 1, 0, q << 4);
		lumen_scale_row_c(out, in, MAXV + 1, &ph);
		for (unsigned v = 0; v <= MAXV; v++) {
			uint32_t want = (v * q + 2048) >> 12;

			want = want > MAXV ? MAXV : want;
			if (out[v] != want)
				fail_msg("wb gain %g v %u: %u != %u", gains[g], v, out[v], want);
		}
	}
}

/* blc from every raw format, every level, against the replaced code */
static void blc_matches_replaced_code(void **state)
{
	static const enum lumen_pixfmt fmts[] = { LUMEN_PIX_BAYER16,
		LUMEN_PIX_BAYER8, LUMEN_PIX_BAYER10P, LUMEN_PIX_BAYER12P };
	static const int sizes[][2] = { { 4, 2 }, { 5, 3 }, { 20, 4 }, { 36, 3 },
					{ 132, 5 }, { 1001, 2 } };

	(void)state;
	for (unsigned l = 0; l < N_LEVELS; l++) {
		struct lumen_isp_dsp dsp;

		if (!level_init(l, &dsp))
			continue;
		for (unsigned f = 0; f < 4; f++)
			for (unsigned s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++)
				for (int o = 0; o < 4; o++) {
					const int w = sizes[s][0], h = sizes[s][1];
					const int bits = fmts[f] == LUMEN_PIX_BAYER8 ? 8 :
						fmts[f] == LUMEN_PIX_BAYER10P ? 10 :
						fmts[f] == LUMEN_PIX_BAYER12P ? 12 : 16;
					struct lumen_frame in, a, b;
					unsigned seed = 51 + s;

					if (lumen_frame_layout(&in, fmts[f], w, h, 0) < 0)
						continue;	/* width not a packing group */
					frame_make(&in, fmts[f], w, h);
					for (int y = 0; y < h; y++)
						for (size_t i = 0; i < in.stride[0]; i++)
							in.data[0][(size_t)y * in.stride[0] + i] =
								(uint8_t)lumen_test_rand(&seed);
					in.bayer = (enum lumen_bayer)o;
					in.bits = bits;
					in.white = (uint16_t)((1u << bits) - 1 - (o == 1 ? 3 : 0));
					for (int c = 0; c < 4; c++)
						in.black[c] = (uint16_t)(o == 3 ? 0 :
							(lumen_test_rand(&seed) % (in.white / 4)));
					frame_make(&a, LUMEN_PIX_BAYER16, w, h);
					frame_make(&b, LUMEN_PIX_BAYER16, w, h);
					assert_int_equal(ref_blc_apply(&in, &a), 0);
					assert_int_equal(lumen_blc_apply(&in, &b), 0);
					assert_frames_equal(&a, &b, "blc vs replaced");
					in.black[2] = in.white;
					assert_int_equal(lumen_blc_apply(&in, &b), -EINVAL);
					lumen_frame_free(&in);
					lumen_frame_free(&a);
					lumen_frame_free(&b);
				}
	}
	lumen_cpu_set_mask(cpu_all);
}

static void wb_matches_replaced_code(void **state)
{
	static const float gains[][3] = { { 1, 1, 1 }, { 1.8f, 1, 1.5f },
		{ 0, 2, 64 }, { -1, 0.25f, 100 }, { 3.3f, 0.999f, 1.001f } };

	(void)state;
	for (unsigned l = 0; l < N_LEVELS; l++) {
		struct lumen_isp_dsp dsp;

		if (!level_init(l, &dsp))
			continue;
		for (unsigned s = 0; s < N_SIZES; s++)
			for (unsigned g = 0; g < 5; g++)
				for (int p = PAT_RANDOM_WORK; p <= PAT_WORK_MAX; p++) {
					struct lumen_frame a, b;

					raw_make(&a, frame_sizes[s][0], frame_sizes[s][1],
						 (enum lumen_bayer)((s + g) & 3), (enum pattern)p,
						 61u + g, g & 1);
					raw_copy(&b, &a);
					ref_wb_apply(&a, gains[g]);
					lumen_wb_apply(&b, gains[g]);
					assert_raw_equal(&a, &b, "wb vs replaced");
					free(a.data[0]);
					free(b.data[0]);
				}
	}
	lumen_cpu_set_mask(cpu_all);
}

/* ------------------------------------------------------------------ */
/* lsc: the code this stage replaced, verbatim but for the names       */

static int ref_lsc_apply(struct lumen_frame *work, const struct lumen_lsc_map *map)
{
	const int w = work->width, h = work->height, gw = map->grid_w;
	float rowgain[2][64];

	if (gw < 2 || map->grid_h < 2 || gw > 64 ||
	    map->grid_h > 64 || w < 2 || h < 2)
		return -EINVAL;
	for (int c = 0; c < 4; c++)
		if (!map->gain[c])
			return -EINVAL;

	for (int y = 0; y < h; y++) {
		uint16_t *row = (uint16_t *)(void *)(work->data[0] +
						     (size_t)y * work->stride[0]);
		float fy = (float)y * (float)(map->grid_h - 1) / (float)(h - 1);
		int gy = (int)fy;
		float ty, fx_step = (float)(gw - 1) / (float)(w - 1);

		if (gy >= map->grid_h - 1)
			gy = map->grid_h - 2;
		ty = fy - (float)gy;
		for (int cx = 0; cx < 2; cx++) {
			const float *g = map->gain[(y & 1) * 2 + cx];

			for (int i = 0; i < gw; i++)
				rowgain[cx][i] = g[gy * gw + i] * (1 - ty) +
						 g[(gy + 1) * gw + i] * ty;
		}
		for (int x = 0; x < w; x++) {
			float fx = (float)x * fx_step;
			int gx = (int)fx;
			float tx, gain, v;

			if (gx >= gw - 1)
				gx = gw - 2;
			tx = fx - (float)gx;
			gain = rowgain[x & 1][gx] * (1 - tx) +
			       rowgain[x & 1][gx + 1] * tx;
			v = (float)row[x] * gain + 0.5f;
			row[x] = (uint16_t)(v > LUMEN_WORK_MAX ? LUMEN_WORK_MAX :
					    v < 0 ? 0 : v);
		}
	}
	return 0;
}

/* Gains of map kind @k: smooth lens falls, flat, wild, extremes. */
static float test_gain(int k, int i, int j, int c, unsigned *seed)
{
	unsigned r = lumen_test_rand(seed);

	switch (k) {
	case 0: return 1.0f + 0.02f * (float)((i - 5) * (i - 5) + (j - 3) * (j - 3)) +
		       0.01f * (float)c;
	case 1: return 1.0f;
	case 2: return (float)(r % 100000) / 10000.0f;	/* 0 .. 10 */
	case 3: return (r & 3) == 0 ? 0.0f : (r & 3) == 1 ? 64.0f :
		       (r & 3) == 2 ? 1e-3f : 3.999f;
	default: return 0.25f + (float)(r % 1000) / 500.0f;
	}
}

/* Every level's row kernel against C: tables of every frame and grid
 * width, plus random in-range ones; hostile samples and gains (huge, 0,
 * tiny, NaN and infinite map entries through lumen_lsc_row_gains). */
static void lsc_rows_match_c(void **state)
{
	static const int widths[] = { 1, 2, 7, 8, 15, 16, 17, 31, 33, 64, 100, 257 };
	static const int grids[] = { 2, 3, 9, 17, 33, 64 };
	static const float odd_gains[] = { 0, 1e-30f, 1e-45f, -1, 1, 70000.0f,
					   INFINITY, -INFINITY, NAN, 0x1p-61f };
	enum { GW = 64, GH = 3 };
	static float gain[4][GW * GH];
	struct lumen_lsc_map map = { 0, GH, { gain[0], gain[1], gain[2], gain[3] } };
	unsigned seed = 99;

	(void)state;
	for (unsigned l = 1; l < N_LEVELS; l++) {
		struct lumen_isp_dsp dsp, ref;

		if (!level_init(l, &dsp))
			continue;
		lumen_cpu_set_mask(0);
		lumen_isp_dsp_init(&ref);
		for (unsigned wi = 0; wi < sizeof(widths) / sizeof(widths[0]); wi++)
			for (unsigned gi = 0; gi < sizeof(grids) / sizeof(grids[0]); gi++)
				for (int k = 0; k < 6; k++)
					for (int p = 0; p < PAT_COUNT; p++) {
					const int w = widths[wi], gw = grids[gi];
					int16_t gx[260], t[260];
					struct lumen_lsc_gains rg;
					const struct lumen_lsc_cols cols = { gx, t };
					uint16_t src[260 + 8], a[260 + 8], b[260 + 8];

					map.grid_w = gw;
					for (int c = 0; c < 4; c++)
						for (int j = 0; j < GH; j++)
							for (int i = 0; i < gw; i++)
								gain[c][j * gw + i] = k < 5 ?
									test_gain(k, i, j, c, &seed) :
									odd_gains[lumen_test_rand(&seed) % 10];
					lumen_lsc_row_gains(&map, (int)(lumen_test_rand(&seed) % 7), 7, &rg);
					if (k == 4) {
						/* random tables: any node, any position */
						for (int x = 0; x < w; x++) {
							gx[x] = (int16_t)(lumen_test_rand(&seed) %
									  (unsigned)gw);
							t[x] = (int16_t)(lumen_test_rand(&seed) % 32768);
						}
					} else {
						lumen_lsc_cols_make(gx, t, w < 2 ? 2 : w, gw, 0, w);
					}
					for (int x = 0; x < w + 8; x++)
						src[x] = pattern_at((enum pattern)p, x, 0, &seed);
					memcpy(a, src, sizeof(src));
					memcpy(b, src, sizeof(src));
					ref.lsc_row(a, src, w, &rg, &cols);
					dsp.lsc_row(b, src, w, &rg, &cols);
					if (memcmp(a, b, sizeof(a)))
						fail_msg("lsc row: level %u width %d grid %d kind %d "
							 "pattern %d", l, w, gw, k, p);
					/* in place */
					memcpy(b, src, sizeof(src));
					dsp.lsc_row(b, b, w, &rg, &cols);
					if (memcmp(a, b, sizeof(a)))
						fail_msg("lsc row in place: level %u width %d", l, w);
				}
	}
	lumen_cpu_set_mask(cpu_all);
}

/*
 * lumen_lsc_apply against the float code it replaced, every level, finite
 * maps (the replaced code was undefined for NaN) with gains below the Q12
 * top (7.99; the fixed-point gain clamps there): every result within
 * src * 1.5 / 4096 + 1 of the float one (isp_dsp.h).
 */
static void lsc_within_float_gain(void **state)
{
	static const int grids[][2] = { { 2, 2 }, { 3, 5 }, { 17, 13 }, { 64, 64 } };
	enum { GMAX = 64 * 64 };
	static float gain[4][GMAX];
	struct lumen_lsc_map map = { 0, 0, { gain[0], gain[1], gain[2], gain[3] } };
	unsigned seed = 7;
	int worst = 0;

	(void)state;
	for (unsigned l = 0; l < N_LEVELS; l++) {
		struct lumen_isp_dsp dsp;

		if (!level_init(l, &dsp))
			continue;
		for (unsigned s = 0; s < N_SIZES; s++)
			for (unsigned g = 0; g < sizeof(grids) / sizeof(grids[0]); g++)
				for (int k = 0; k < 5; k++) {
					const int w = frame_sizes[s][0], h = frame_sizes[s][1];
					enum pattern p = (enum pattern)((s + g + k) % PAT_COUNT);
					struct lumen_frame f, a, b;

					map.grid_w = grids[g][0];
					map.grid_h = grids[g][1];
					for (int c = 0; c < 4; c++)
						for (int j = 0; j < map.grid_h; j++)
							for (int i = 0; i < map.grid_w; i++)
								gain[c][j * map.grid_w + i] =
									fminf(test_gain(k, i, j, c, &seed), 7.99f);
					raw_make(&f, w, h, LUMEN_BAYER_RGGB, p, seed, s & 1);
					raw_copy(&a, &f);
					raw_copy(&b, &f);
					assert_int_equal(ref_lsc_apply(&a, &map), 0);
					assert_int_equal(lumen_lsc_apply(&b, &map), 0);
					for (int y = 0; y < h; y++)
						for (int x = 0; x < w; x++) {
							const int v = px16(&f, x, y);
							const int d = abs((int)px16(&a, x, y) -
									  (int)px16(&b, x, y));

							if (v <= LUMEN_WORK_MAX && d > worst)
								worst = d;
							if (d > v * 3 / 8192 + 1)
								fail_msg("lsc vs float: level %u size %d grid %d "
									 "kind %d at %d,%d: %d from %d",
									 l, (int)s, (int)g, k, x, y, d, v);
						}
					lumen_frame_free(&f);
					lumen_frame_free(&a);
					lumen_frame_free(&b);
				}
	}
	printf("lsc: Q12 gain within %d units of the float one on working samples\n", worst);
	lumen_cpu_set_mask(cpu_all);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(scale_rows_match_c),
		cmocka_unit_test(blc10_rows_match_c),
		cmocka_unit_test(lsc_rows_match_c),
		cmocka_unit_test(lsc_within_float_gain),
		cmocka_unit_test(bands_match_staged),
		cmocka_unit_test(stats_slices_match_staged),
		cmocka_unit_test(scale_c_matches_replaced_arithmetic),
		cmocka_unit_test(blc_matches_replaced_code),
		cmocka_unit_test(wb_matches_replaced_code),
		cmocka_unit_test(dpc_screen_matches_c),
		cmocka_unit_test(dpc_matches_definition),
		cmocka_unit_test(ccm_rows_match_c),
		cmocka_unit_test(ccm_tone_rows_match_c),
		cmocka_unit_test(ccm_matches_replaced_code),
		cmocka_unit_test(csc420_rows_match_c),
		cmocka_unit_test(csc_matches_replaced_code),
		cmocka_unit_test(tone_rows_match_definition),
		cmocka_unit_test(tone_fit_within_one_code),
		cmocka_unit_test(finish_matches_stage_by_stage),
		cmocka_unit_test(stats_spans_match_c),
		cmocka_unit_test(stats_grid_rows_match_c),
		cmocka_unit_test(stats_grid_matches_definition),
		cmocka_unit_test(stats_match_replaced_code),
		cmocka_unit_test(isp_levels_agree),
	};

	cpu_all = lumen_cpu_flags();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
