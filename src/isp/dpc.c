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

/* Median of eight (mean of the middle two); only for candidates. */
static unsigned median8(const unsigned n[8])
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

long lumen_dpc_apply(struct lumen_frame *work, unsigned threshold)
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
				int nx = x + nb_dx[k], ny = y + nb_dy[k];
				unsigned t;

				if (edge) {
					nx = mirror(nx, w);
					ny = mirror(ny, h);
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
			med = median8(n);
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
				unsigned a = n[pair_a[d]], b = n[pair_b[d]];
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
