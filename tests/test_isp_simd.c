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
#include "isp/isp.h"
#include "isp/isp_dsp.h"
#include "isp/stages.h"
#include "testutil.h"

#define MAXV LUMEN_WORK_MAX

static unsigned cpu_all;	/* flags at start, after LUMEN_CPU_MASK */

/* CPU masks to try (0 = C only); each is run when the CPU has it. */
static const unsigned cpu_levels[] = {
	0, LUMEN_CPU_AVX2, LUMEN_CPU_AVX2 | LUMEN_CPU_AVX512, LUMEN_CPU_NEON,
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
	PAT_CHECKER, PAT_RANDOM_EXTREME, PAT_NOISY_FLAT, PAT_SPIKES, PAT_COUNT
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
/* dpc: the code this stage replaced, verbatim but for the names       */

static const int ref_nb_dx[8] = { -2, 2, 0, 0, -2, 2, 2, -2 };
static const int ref_nb_dy[8] = { 0, 0, -2, 2, -2, 2, -2, 2 };
/* pairs facing each other: h, v, diagonal, anti-diagonal */
static const int ref_pair_a[4] = { 0, 2, 4, 6 };
static const int ref_pair_b[4] = { 1, 3, 5, 7 };

/* Mirror an index into 0..n-1 keeping its parity (the CFA phase). */
static inline int ref_mirror(int i, int n)
{
	if (i < 0)
		return -i;
	if (i >= n)
		return 2 * (n - 1) - i;
	return i;
}

/* Median of eight (mean of the middle two); only for candidates. */
static unsigned ref_median8(const unsigned n[8])
{
	unsigned s[8];

	for (int i = 0; i < 8; i++) {
		int j = i;

		while (j > 0 && s[j - 1] > n[i]) {
			s[j] = s[j - 1];
			j--;
		}
		s[j] = n[i];
	}
	return (s[3] + s[4] + 1) / 2;
}

static long ref_dpc_apply(struct lumen_frame *work, unsigned threshold)
{
	const int w = work->width, h = work->height;
	long corrected = 0;

	if (w < 5 || h < 5)
		return 0;
	if (!threshold)
		threshold = LUMEN_WORK_MAX / 64;

	for (int y = 0; y < h; y++) {
		uint16_t *row = (uint16_t *)(void *)(work->data[0] +
						     (size_t)y * work->stride[0]);
		const bool edge_row = y < 2 || y >= h - 2;
		const uint16_t *up = edge_row ? row : (const uint16_t *)(const void *)
			((const uint8_t *)row - 2 * work->stride[0]);
		const uint16_t *dn = edge_row ? row : (const uint16_t *)(const void *)
			((const uint8_t *)row + 2 * work->stride[0]);

		for (int x = 0; x < w; x++) {
			/*
			 * Interior fast path: a pixel can only be defective when
			 * at least six of its neighbours lie beyond the margin
			 * (the third-extreme test below); counting that is
			 * branch-free and rejects almost every pixel.
			 */
			if (!edge_row && x >= 2 && x < w - 2) {
				const unsigned v0 = row[x];
				const unsigned nb[8] = { row[x - 2], row[x + 2], up[x], dn[x],
							 up[x - 2], dn[x + 2], up[x + 2], dn[x - 2] };
				unsigned below = 0, above = 0;

				for (int k = 0; k < 8; k++) {
					below += nb[k] + threshold + nb[k] / 8 < v0;
					above += v0 + threshold + nb[k] / 8 < nb[k];
				}
				if (below < 6 && above < 6)
					continue;
			}
			/* hi[0] >= hi[1] >= hi[2] are the three largest
			 * neighbours, lo[] the three smallest */
			unsigned n[8], hi[3] = { 0, 0, 0 }, lo[3] = { ~0u, ~0u, ~0u };
			unsigned v = row[x], med, far, est, best = ~0u;
			unsigned rlo, rhi;
			const bool edge = edge_row || x < 2 || x >= w - 2;

			for (int k = 0; k < 8; k++) {
				int nx = x + ref_nb_dx[k], ny = y + ref_nb_dy[k];
				unsigned t;

				if (edge) {
					nx = ref_mirror(nx, w);
					ny = ref_mirror(ny, h);
				}
				t = n[k] = ((const uint16_t *)(const void *)
					    (work->data[0] + (size_t)ny * work->stride[0]))[nx];
				if (t > hi[2]) {
					hi[2] = t;
					if (hi[2] > hi[1]) { t = hi[1]; hi[1] = hi[2]; hi[2] = t; }
					if (hi[1] > hi[0]) { t = hi[0]; hi[0] = hi[1]; hi[1] = t; }
				}
				t = n[k];
				if (t < lo[2]) {
					lo[2] = t;
					if (lo[2] < lo[1]) { t = lo[1]; lo[1] = lo[2]; lo[2] = t; }
					if (lo[1] < lo[0]) { t = lo[0]; lo[0] = lo[1]; lo[1] = t; }
				}
			}
			/* cheap rejection: within the third extremes plus margin */
			if (v <= hi[2] + threshold + hi[2] / 8 &&
			    v + threshold + lo[2] / 8 >= lo[2])
				continue;

			/*
			 * Rule 1, isolated defects and pairs: beyond the second
			 * extreme. Rule 2, columns and clusters (up to two bad
			 * neighbours): beyond the third extreme and far from
			 * the median, further than optics and an anti-alias
			 * filter let a real detail stand out.
			 */
			med = ref_median8(n);
			far = 8 * threshold;
			if (v > hi[1] + threshold + hi[1] / 8 ||
			    (lo[1] > threshold + lo[1] / 8 &&
			     v < lo[1] - threshold - lo[1] / 8)) {
				rlo = lo[1];
				rhi = hi[1];
			} else if (v > med + far || v + far < med) {
				rlo = lo[2];
				rhi = hi[2];
			} else {
				continue;
			}

			/* interpolate along the smoothest direction whose two
			 * ends are not defective themselves */
			est = med;
			for (int d = 0; d < 4; d++) {
				unsigned a = n[ref_pair_a[d]], b = n[ref_pair_b[d]];
				unsigned g = a > b ? a - b : b - a;

				if (a > med + far || b > med + far ||
				    a + far < med || b + far < med)
					continue;
				if (g < best) {
					best = g;
					est = (a + b + 1) / 2;
				}
			}
			if (est > rhi)
				est = rhi;
			if (est < rlo)
				est = rlo;
			row[x] = (uint16_t)est;
			corrected++;
		}
	}
	return corrected;
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

/* whole frames, every level (C included) against the replaced code */
static void dpc_matches_replaced_code(void **state)
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
					int w = frame_sizes[s][0], h = frame_sizes[s][1];
					unsigned thr = o == 3 ? 40 : 0;
					long na, nb;

					raw_make(&a, w, h, (enum lumen_bayer)o,
						 (enum pattern)p, 100u + s, o & 1);
					raw_copy(&b, &a);
					na = ref_dpc_apply(&a, thr);
					nb = lumen_dpc_apply(&b, thr);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(dpc_screen_matches_c),
		cmocka_unit_test(dpc_matches_replaced_code),
	};

	cpu_all = lumen_cpu_flags();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
