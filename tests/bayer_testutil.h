/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Frames for the demosaic tests (test_demosaic_fast.c, test_demosaic_ri.c):
 * a BAYER16 frame with a tight or padded stride, an RGB16P frame poisoned
 * so that every sample must be written, and their pixel accessors.
 * Include after cmocka.h.
 */
#ifndef LUMEN_TESTS_BAYER_TESTUTIL_H
#define LUMEN_TESTS_BAYER_TESTUTIL_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/frame.h"
#include "isp/isp.h"
#include "testutil.h"

/* Hostile inputs for the kernels: noise, flat extremes, patterns at the
 * CFA's period and twice it. */
enum pattern {
	PAT_RANDOM, PAT_ZERO, PAT_MAX, PAT_CHECKER, PAT_CHECKER2, PAT_VSTRIPE,
	PAT_HSTRIPE, PAT_VSTRIPE2, PAT_RANDOM_EXTREME, PAT_COUNT
};

static inline uint16_t pattern_at(enum pattern p, int x, int y, unsigned *seed)
{
	switch (p) {
	case PAT_RANDOM: return (uint16_t)(lumen_test_rand(seed) % (LUMEN_WORK_MAX + 1));
	case PAT_ZERO: return 0;
	case PAT_MAX: return LUMEN_WORK_MAX;
	case PAT_CHECKER: return ((x + y) & 1) ? LUMEN_WORK_MAX : 0;
	case PAT_CHECKER2: return (((x >> 1) + (y >> 1)) & 1) ? LUMEN_WORK_MAX : 0;
	case PAT_VSTRIPE: return (x & 1) ? LUMEN_WORK_MAX : 0;
	case PAT_HSTRIPE: return (y & 1) ? 0 : LUMEN_WORK_MAX;
	case PAT_VSTRIPE2: return ((x >> 1) & 1) ? 0 : LUMEN_WORK_MAX;
	case PAT_RANDOM_EXTREME:
	default: return (lumen_test_rand(seed) & 1) ? LUMEN_WORK_MAX : 0;
	}
}

/* A zeroed BAYER16 frame; odd heights get the tight stride (so that ASan
 * sees any read past the last sample), even ones a padded one. */
static inline void raw_alloc(struct lumen_frame *f, int w, int h,
			     enum lumen_bayer o)
{
	memset(f, 0, sizeof(*f));
	f->fmt = LUMEN_PIX_BAYER16;
	f->width = w;
	f->height = h;
	f->stride[0] = (size_t)w * 2 + (h & 1 ? 0 : 38);
	f->data[0] = calloc(1, f->stride[0] * (size_t)h);
	assert_non_null(f->data[0]);
	f->bayer = o;
	f->bits = LUMEN_WORK_BITS;
	f->white = LUMEN_WORK_MAX;
}

static inline uint16_t *raw_px(const struct lumen_frame *f, int x, int y)
{
	return (uint16_t *)(void *)(f->data[0] + (size_t)y * f->stride[0]) + x;
}

static inline void rgb_alloc(struct lumen_frame *f, int w, int h)
{
	assert_int_equal(lumen_frame_alloc(f, LUMEN_PIX_RGB16P, w, h), 0);
	for (int p = 0; p < 3; p++)	/* poison: every sample must be written */
		memset(f->data[p], 0xa5, f->stride[p] * (size_t)h);
}

static inline uint16_t rgb_px(const struct lumen_frame *f, int ch, int x, int y)
{
	return ((const uint16_t *)(const void *)(f->data[ch] +
						 (size_t)y * f->stride[ch]))[x];
}

#endif
