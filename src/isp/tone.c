// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Tone: linear working values to 8-bit display values through one table:
 * the sRGB transfer curve, then an optional S-curve for contrast that keeps
 * black, mid-grey and white where they are.
 *
 * In the ISP the stage only keeps the table current; the pixels go through
 * it in the csc stage's single pass. lumen_tone_apply() is the same lookup
 * into RGB24, for tests and callers outside the ISP.
 */
#include <math.h>
#include <string.h>

#include "isp/isp_dsp.h"
#include "isp/stages.h"

static float srgb_encode(float x)
{
	return x <= 0.0031308f ? 12.92f * x : 1.055f * powf(x, 1 / 2.4f) - 0.055f;
}

void lumen_tone_build(uint8_t lut[LUMEN_WORK_MAX + 1], float contrast)
{
	if (contrast < 0)
		contrast = 0;
	if (contrast > 1)
		contrast = 1;
	for (int i = 0; i <= LUMEN_WORK_MAX; i++) {
		float y = srgb_encode((float)i / LUMEN_WORK_MAX);
		/* smoothstep bends around 0.5 with the ends fixed */
		float s = y * y * (3 - 2 * y);

		y = y + contrast * (s - y);
		lut[i] = (uint8_t)lrintf(y * 255.0f);
	}
}

/*
 * Scalar lookups (an AVX2 gather measured slower, isp_dsp.h). Every index
 * is at most LUMEN_WORK_MAX (the kernel's precondition), so none is
 * masked and each is one widening load; on little-endian hosts the eight
 * bytes of eight lookups leave in one 64-bit store. The bytes are those of
 * one lookup at a time. On the reference machine's Zen 3 the fused
 * ccm/tone/csc pass went from 4.65 to 3.7 ms per 2560x1440 frame against
 * masked indices taken apart from 64-bit loads (docs/isp.md).
 */
LUMEN_TONE_ROW_FN(lumen_tone_row_c)
{
	for (int c = 0; c < 3; c++) {
		const uint16_t *restrict s = src[c];
		uint8_t *restrict d = dst[c];
		int x = 0;

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
		for (; x + 8 <= width; x += 8) {
			const uint64_t o =
				(uint64_t)lut[s[x]] | (uint64_t)lut[s[x + 1]] << 8 |
				(uint64_t)lut[s[x + 2]] << 16 |
				(uint64_t)lut[s[x + 3]] << 24 |
				(uint64_t)lut[s[x + 4]] << 32 |
				(uint64_t)lut[s[x + 5]] << 40 |
				(uint64_t)lut[s[x + 6]] << 48 |
				(uint64_t)lut[s[x + 7]] << 56;

			memcpy(d + x, &o, 8);
		}
#endif
		for (; x < width; x++)
			d[x] = lut[s[x]];
	}
}

void lumen_tone_apply(const struct lumen_frame *rgb, struct lumen_frame *out,
		      const uint8_t lut[LUMEN_WORK_MAX + 1])
{
	for (int y = 0; y < rgb->height; y++) {
		const uint16_t *r = (const uint16_t *)(const void *)(rgb->data[0] + (size_t)y * rgb->stride[0]);
		const uint16_t *g = (const uint16_t *)(const void *)(rgb->data[1] + (size_t)y * rgb->stride[1]);
		const uint16_t *b = (const uint16_t *)(const void *)(rgb->data[2] + (size_t)y * rgb->stride[2]);
		uint8_t *d = out->data[0] + (size_t)y * out->stride[0];

		/* working values never exceed LUMEN_WORK_MAX (stage contract);
		 * the mask keeps a broken upstream from reading out of bounds */
		for (int x = 0; x < rgb->width; x++) {
			d[3 * x] = lut[r[x] & LUMEN_WORK_MAX];
			d[3 * x + 1] = lut[g[x] & LUMEN_WORK_MAX];
			d[3 * x + 2] = lut[b[x] & LUMEN_WORK_MAX];
		}
	}
}

/*
 * Only (re)builds the table: the pixels go through it in the csc stage's
 * single pass (lumen_isp_finish()).
 */
static int tone_run(struct lumen_isp *isp, const struct lumen_isp_params *p)
{
	if (!isp->tone_valid || isp->tone_contrast != p->contrast) {
		lumen_tone_build(isp->tone_lut, p->contrast);
		isp->tone_contrast = p->contrast;
		isp->tone_valid = true;
	}
	return 0;
}

const struct lumen_isp_stage lumen_isp_tone = {
	.name = "tone",
	.run = tone_run,
};
