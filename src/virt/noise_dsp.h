/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The per-frame half of the scene model (scene.c): noise on a cached mean.
 *
 * A scene is rendered in full only when what it looks like changes (scene,
 * light, illuminant, exposure, gains, flip, window, pan step): that render
 * stores the noiseless mean of every photosite as a code in fixed point,
 * M = mean code + black + 0.5 in units of 2^-F codes (uint16, clamped to
 * 65535), and a table of noise scales by level of M. Each frame then only
 * adds noise to that plane, one row at a time, through the kernel below.
 *
 * Arithmetic, exactly (every version gives these bits):
 *
 *   x   = ctr + i                            (uint32, wraps)
 *   h   = hash(x, key):  x ^= x >> 16; x *= 0x7feb352d; x ^= key;
 *                        x ^= x >> 15; x *= 0x846ca68b; x ^= x >> 16
 *   d   = byte0(h) + byte1(h) + byte2(h) + byte3(h) - 510
 *         (Irwin-Hall of four uniforms on 0..255: mean 0, variance
 *         4 (256^2 - 1) / 12 exactly, |d| <= 510)
 *   k   = t->k[mean[i] >> LUMEN_NOISE_LEVEL_SHIFT]
 *   v   = mean[i] + ((k * d) >> 12)          (int32, arithmetic shift)
 *   v   = min(v, t->upper); v = max(v, 0)
 *   dst = min(v >> t->frac, t->maxcode)
 *
 * k is the noise scale of the level in Q12 per unit of d (at most
 * LUMEN_NOISE_K_MAX, so k * d fits int32); 0 where the level is certainly
 * clipped. upper is the full-well clip in M's units. The noise is floored,
 * not rounded, on purpose: it takes 1/2 unit of M off on average, which
 * makes the final floor (a grid of 2^-F codes) as unbiased as flooring a
 * continuous value would be (mean code = mean + black exactly).
 *
 * Kernels never allocate, write dst[0..n-1], read mean[0..n-1] and the
 * table, and run on the caller's thread; dst and mean must not overlap.
 */
#ifndef LUMEN_VIRT_NOISE_DSP_H
#define LUMEN_VIRT_NOISE_DSP_H

#include <stdint.h>

#define LUMEN_NOISE_LEVEL_SHIFT 4
#define LUMEN_NOISE_LEVELS (65536 >> LUMEN_NOISE_LEVEL_SHIFT)
#define LUMEN_NOISE_K_MAX (INT32_MAX / 512)

struct lumen_noise_tab {
	int32_t k[LUMEN_NOISE_LEVELS];	/* Q12 scale of d by level of M */
	int32_t upper;			/* clip of v, in M's units */
	int32_t frac;			/* F: fraction bits of M */
	int32_t maxcode;		/* 2^bits - 1 */
};

#define LUMEN_NOISE_ROW_FN(name) void name(uint16_t *restrict dst,	\
	const uint16_t *restrict mean, int n, uint32_t ctr, uint32_t key,	\
	const struct lumen_noise_tab *t)
typedef LUMEN_NOISE_ROW_FN(lumen_noise_row_fn);

struct lumen_noise_dsp {
	lumen_noise_row_fn *row;
};

LUMEN_NOISE_ROW_FN(lumen_noise_row_c);
LUMEN_NOISE_ROW_FN(lumen_noise_row_avx2);
LUMEN_NOISE_ROW_FN(lumen_noise_row_neon);

/* The C kernel, then the fastest lumen_cpu_flags() allows. Cheap: call it
 * per frame, so a LUMEN_CPU_MASK change applies on the next frame. */
void lumen_noise_dsp_init(struct lumen_noise_dsp *dsp);
void lumen_noise_dsp_init_x86(struct lumen_noise_dsp *dsp);
void lumen_noise_dsp_init_arm(struct lumen_noise_dsp *dsp);

/* The generator's 32-bit hash, for tests and the scalar tails. */
static inline uint32_t lumen_noise_hash(uint32_t x, uint32_t key)
{
	x ^= x >> 16;
	x *= 0x7feb352du;
	x ^= key;
	x ^= x >> 15;
	x *= 0x846ca68bu;
	x ^= x >> 16;
	return x;
}

/* One sample of the arithmetic above (the scalar tails of SIMD kernels). */
static inline uint16_t lumen_noise_sample(uint16_t mean, uint32_t x, uint32_t key,
					  const struct lumen_noise_tab *t)
{
	uint32_t h = lumen_noise_hash(x, key);
	int32_t d = (int32_t)((h & 0xff) + (h >> 8 & 0xff) + (h >> 16 & 0xff) +
			      (h >> 24)) - 510;
	int32_t v = (int32_t)mean +
		((t->k[mean >> LUMEN_NOISE_LEVEL_SHIFT] * d) >> 12);

	if (v > t->upper)
		v = t->upper;
	if (v < 0)
		v = 0;
	v >>= t->frac;
	return (uint16_t)(v > t->maxcode ? t->maxcode : v);
}

#endif
