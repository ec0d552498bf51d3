// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Defective-pixel correction on the working raw, in place, before anything
 * spreads a defect into its neighbours (shading, demosaic).
 */
#include "isp/stages.h"

/* Row-major offsets of the eight same-colour neighbours at distance two,
 * ordered so that k and k + 4 face each other. */
static const int nb_dx[8] = { -2, 2, 0, 0, -2, 2, 2, -2 };
static const int nb_dy[8] = { 0, 0, -2, 2, -2, 2, -2, 2 };
/* pairs facing each other: h, v, diagonal, anti-diagonal */
static const int pair_a[4] = { 0, 2, 4, 6 };
static const int pair_b[4] = { 1, 3, 5, 7 };

/* Mirror an index into 0..n-1 keeping its parity (the CFA phase). */
static inline int mirror(int i, int n)
{
	if (i < 0)
		return -i;
	if (i >= n)
		return 2 * (n - 1) - i;
	return i;
}

long lumen_dpc_apply(struct lumen_frame *work, unsigned threshold)
{
	const int w = work->width, h = work->height;
	long corrected = 0;

	if (w < 5 || h < 5)
		return 0;
	if (!threshold)
		threshold = LUMEN_WORK_MAX / 32;

	for (int y = 0; y < h; y++) {
		uint16_t *row = (uint16_t *)(void *)(work->data[0] +
						     (size_t)y * work->stride[0]);
		const bool edge_row = y < 2 || y >= h - 2;

		for (int x = 0; x < w; x++) {
			unsigned n[8], max1 = 0, max2 = 0, min1 = ~0u, min2 = ~0u;
			unsigned v = row[x], hot_limit, cold_limit;
			const bool edge = edge_row || x < 2 || x >= w - 2;

			for (int k = 0; k < 8; k++) {
				int nx = x + nb_dx[k], ny = y + nb_dy[k];
				const uint16_t *r;

				if (edge) {
					nx = mirror(nx, w);
					ny = mirror(ny, h);
				}
				r = (const uint16_t *)(const void *)(work->data[0] +
					(size_t)ny * work->stride[0]);
				n[k] = r[nx];
				if (n[k] > max1) {
					max2 = max1;
					max1 = n[k];
				} else if (n[k] > max2) {
					max2 = n[k];
				}
				if (n[k] < min1) {
					min2 = min1;
					min1 = n[k];
				} else if (n[k] < min2) {
					min2 = n[k];
				}
			}
			hot_limit = max2 + threshold + max2 / 8;
			cold_limit = min2 > threshold + min2 / 8 ?
				     min2 - threshold - min2 / 8 : 0;
			if (v <= hot_limit && v >= cold_limit)
				continue;

			/* interpolate along the smoothest direction, kept
			 * inside the neighbours' robust range */
			{
				unsigned best = ~0u, est = 0;

				for (int d = 0; d < 4; d++) {
					unsigned a = n[pair_a[d]], b = n[pair_b[d]];
					unsigned g = a > b ? a - b : b - a;

					if (g < best) {
						best = g;
						est = (a + b + 1) / 2;
					}
				}
				if (est > max2)
					est = max2;
				if (est < min2)
					est = min2;
				row[x] = (uint16_t)est;
				corrected++;
			}
		}
	}
	return corrected;
}

static int dpc_run(struct lumen_isp *isp, const struct lumen_isp_params *p)
{
	if (!p->dpc)
		return 0;
	lumen_dpc_apply(&isp->raw, p->dpc_threshold);
	return 0;
}

const struct lumen_isp_stage lumen_isp_dpc = {
	.name = "dpc",
	.run = dpc_run,
};
