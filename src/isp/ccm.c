// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Colour matrix: white-balanced camera RGB to linear sRGB, with the
 * exposure gain folded into the matrix so it costs nothing extra.
 *
 * In the ISP the stage only quantises the matrix for the frame; the pixels
 * go through it in the csc stage's single pass (lumen_isp_finish()), so no
 * full frame is written back here. lumen_ccm_apply() is the same
 * arithmetic in place, for tests and callers outside the ISP.
 */
#include <math.h>
#include <stdlib.h>

#include "isp/isp_dsp.h"
#include "isp/stages.h"

void lumen_ccm_quantise(const float m[3][3], float gain, int32_t q[3][3])
{
	for (int i = 0; i < 3; i++)
		for (int j = 0; j < 3; j++) {
			float v = m[i][j] * gain * 4096.0f;

			v = v > 2.0e6f ? 2.0e6f : v < -2.0e6f ? -2.0e6f : v;
			q[i][j] = (int32_t)lrintf(v);
		}
}

/* One output channel in 32 bits; callers check that it cannot overflow. */
static inline uint16_t ccm_px32(const int32_t qi[3], int32_t c0, int32_t c1,
				int32_t c2)
{
	int32_t v = (qi[0] * c0 + qi[1] * c1 + qi[2] * c2 + 2048) >> 12;

	return (uint16_t)(v < 0 ? 0 : v > LUMEN_WORK_MAX ? LUMEN_WORK_MAX : v);
}

static inline uint16_t ccm_px64(const int32_t qi[3], int64_t c0, int64_t c1,
				int64_t c2)
{
	int64_t v = (qi[0] * c0 + qi[1] * c1 + qi[2] * c2 + 2048) >> 12;

	return (uint16_t)(v < 0 ? 0 : v > LUMEN_WORK_MAX ? LUMEN_WORK_MAX : v);
}

static inline int32_t clamp_in(uint16_t v)
{
	return v > LUMEN_WORK_MAX ? LUMEN_WORK_MAX : v;
}

LUMEN_CCM_ROW_FN(lumen_ccm_row_c)
{
	const uint16_t *r = src[0], *g = src[1], *b = src[2];
	uint16_t *dr = dst[0], *dg = dst[1], *db = dst[2];
	int64_t worst = 0;

	/* 32-bit sums are exact when sum |q| * WORK_MAX + 2048 < 2^31, which
	 * covers every matrix times an exposure gain below about 32 */
	for (int i = 0; i < 3; i++) {
		int64_t s = 0;

		for (int j = 0; j < 3; j++)
			s += llabs((long long)q[i][j]);
		worst = s > worst ? s : worst;
	}
	if (worst * LUMEN_WORK_MAX + 2048 < INT32_MAX) {
		for (int x = 0; x < width; x++) {
			const int32_t c0 = clamp_in(r[x]), c1 = clamp_in(g[x]);
			const int32_t c2 = clamp_in(b[x]);

			dr[x] = ccm_px32(q[0], c0, c1, c2);
			dg[x] = ccm_px32(q[1], c0, c1, c2);
			db[x] = ccm_px32(q[2], c0, c1, c2);
		}
		return;
	}
	for (int x = 0; x < width; x++) {
		const int32_t c0 = clamp_in(r[x]), c1 = clamp_in(g[x]);
		const int32_t c2 = clamp_in(b[x]);

		dr[x] = ccm_px64(q[0], c0, c1, c2);
		dg[x] = ccm_px64(q[1], c0, c1, c2);
		db[x] = ccm_px64(q[2], c0, c1, c2);
	}
}

void lumen_ccm_apply(struct lumen_frame *rgb, const float m[3][3], float gain)
{
	struct lumen_isp_dsp dsp;
	int32_t q[3][3];

	lumen_ccm_quantise(m, gain, q);
	lumen_isp_dsp_init(&dsp);
	for (int y = 0; y < rgb->height; y++) {
		uint16_t *row[3];

		for (int c = 0; c < 3; c++)
			row[c] = (uint16_t *)(void *)(rgb->data[c] +
						      (size_t)y * rgb->stride[c]);
		dsp.ccm_row(row, (const uint16_t *const *)row, rgb->width, q);
	}
}

static int ccm_run(struct lumen_isp *isp, const struct lumen_isp_params *p)
{
	lumen_ccm_quantise(p->ccm, p->exposure > 0 ? p->exposure : 1.0f,
			   isp->ccm_q);
	return 0;
}

const struct lumen_isp_stage lumen_isp_ccm = {
	.name = "ccm",
	.run = ccm_run,
};
