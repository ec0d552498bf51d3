// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Colour matrix: white-balanced camera RGB to linear sRGB, with the
 * exposure gain folded into the matrix so it costs nothing extra.
 */
#include <math.h>

#include "isp/stages.h"

void lumen_ccm_apply(struct lumen_frame *rgb, const float m[3][3], float gain)
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

static int ccm_run(struct lumen_isp *isp, const struct lumen_isp_params *p)
{
	lumen_ccm_apply(&isp->rgb, p->ccm, p->exposure > 0 ? p->exposure : 1.0f);
	return 0;
}

const struct lumen_isp_stage lumen_isp_ccm = {
	.name = "ccm",
	.run = ccm_run,
};
