// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Defective-pixel correction on the working raw, in place, before anything
 * spreads a defect into its neighbours (shading, demosaic).
 */
#include "isp/isp_band.h"
#include "isp/isp_dsp.h"
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

/*
 * The full test of one pixel against its eight same-colour neighbours
 * (mirrored at the frame edges when @edge); corrects it in place and
 * returns 1 when it is defective, else 0. Runs only on pixels the
 * pre-screen passed (interior) or on the two-pixel border.
 */
static int dpc_pixel(struct lumen_frame *work, uint16_t *row, int x, int y,
		     bool edge, unsigned threshold)
{
	const int w = work->width, h = work->height;
	/* hi[0] >= hi[1] >= hi[2] are the three largest neighbours, lo[] the
	 * three smallest */
	unsigned n[8], hi[3] = { 0, 0, 0 }, lo[3] = { ~0u, ~0u, ~0u };
	unsigned v = row[x], med, far, est, best = ~0u;
	unsigned rlo, rhi;

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
		return 0;

	/*
	 * Rule 1, isolated defects and pairs: beyond the second extreme.
	 * Rule 2, columns and clusters (up to two bad neighbours): beyond the
	 * third extreme and far from the median, further than optics and an
	 * anti-alias filter let a real detail stand out.
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
		return 0;
	}

	/* interpolate along the smoothest direction whose two ends are not
	 * defective themselves */
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
	return 1;
}

/* 1 when the pixel at x passes the pre-screen (LUMEN_DPC_SCREEN_FN);
 * branch-free so that a loop of it vectorises. */
static inline unsigned dpc_screen_px(const uint16_t *up, const uint16_t *row,
				     const uint16_t *dn, int x,
				     unsigned threshold)
{
	const unsigned v0 = row[x];
	const unsigned nb[8] = { row[x - 2], row[x + 2], up[x], dn[x],
				 up[x - 2], dn[x + 2], up[x + 2], dn[x - 2] };
	unsigned below = 0, above = 0;

	for (int k = 0; k < 8; k++) {
		below += nb[k] + threshold + nb[k] / 8 < v0;
		above += v0 + threshold + nb[k] / 8 < nb[k];
	}
	return (below >= 6) | (above >= 6);
}

#define DPC_SCREEN_CHUNK 16

LUMEN_DPC_SCREEN_FN(lumen_dpc_screen_c)
{
	int x = 0;

	/* whole chunks first: a fixed trip count without exits, which
	 * compilers vectorise; then the first flagged pixel, if any */
	for (; x + DPC_SCREEN_CHUNK <= n; x += DPC_SCREEN_CHUNK) {
		uint8_t flag[DPC_SCREEN_CHUNK];
		unsigned any = 0;

		/* six of eight beyond the margin means one of any three, and
		 * nb + nb/8 and nb - nb/8 grow with nb: when no pixel of the
		 * chunk has the nearest or the furthest of row[x-2], row[x+2],
		 * up[x] beyond the margin, none passes */
		for (int i = 0; i < DPC_SCREEN_CHUNK; i++) {
			const unsigned v0 = row[x + i], a = row[x + i - 2];
			const unsigned b = row[x + i + 2], c = up[x + i];
			unsigned lo = a < b ? a : b, hi = a < b ? b : a;

			lo = lo < c ? lo : c;
			hi = hi > c ? hi : c;
			any |= (v0 > lo + lo / 8 + threshold) |
			       (v0 + threshold < hi - hi / 8);
		}
		if (!any)
			continue;
		for (int i = 0; i < DPC_SCREEN_CHUNK; i++) {
			flag[i] = (uint8_t)dpc_screen_px(up, row, dn, x + i, threshold);
			any |= flag[i];
		}
		if (!any)
			continue;
		for (int i = 0; i < DPC_SCREEN_CHUNK; i++)
			if (flag[i])
				return x + i;
	}
	for (; x < n; x++)
		if (dpc_screen_px(up, row, dn, x, threshold))
			return x;
	return n;
}

unsigned lumen_dpc_threshold(unsigned threshold)
{
	if (!threshold)
		threshold = LUMEN_WORK_MAX / 64;
	/* a margin beyond the sample range rejects everything either way;
	 * clamping keeps the sums below from wrapping */
	return threshold > 65535 ? 65535 : threshold;
}

long lumen_dpc_rows(const struct lumen_isp_dsp *dsp, struct lumen_frame *work,
		    unsigned threshold, int y0, int y1)
{
	const int w = work->width, h = work->height;
	long corrected = 0;

	if (w < 5 || h < 5)
		return 0;
	/*
	 * In raster order, in place: a corrected pixel is what its later
	 * neighbours see. A pixel can only be defective when at least six
	 * neighbours lie beyond the margin: with three or more inside it,
	 * the third extremes are inside too, and dpc_pixel() rejects it. The
	 * screen finds the next such pixel of columns 2 .. w-3, which gets
	 * the full test, and screening resumes after it, so the result is
	 * the same as testing every pixel in turn. The two columns at each
	 * side (whose neighbours are mirrored) get the full test directly.
	 */
	for (int y = y0; y < y1; y++) {
		uint16_t *row = (uint16_t *)(void *)(work->data[0] +
						     (size_t)y * work->stride[0]);
		/* rows two above and below, mirrored at the frame edges as
		 * dpc_pixel() mirrors them */
		const uint16_t *up = (const uint16_t *)(const void *)
			(work->data[0] + (size_t)mirror(y - 2, h) * work->stride[0]);
		const uint16_t *dn = (const uint16_t *)(const void *)
			(work->data[0] + (size_t)mirror(y + 2, h) * work->stride[0]);
		const bool edge_row = y < 2 || y >= h - 2;

		corrected += dpc_pixel(work, row, 0, y, true, threshold);
		corrected += dpc_pixel(work, row, 1, y, true, threshold);
		for (int x = 2; x < w - 2; x++) {
			x += dsp->dpc_screen(up + x, row + x, dn + x, w - 2 - x,
					     threshold);
			if (x >= w - 2)
				break;
			corrected += dpc_pixel(work, row, x, y, edge_row, threshold);
		}
		corrected += dpc_pixel(work, row, w - 2, y, true, threshold);
		corrected += dpc_pixel(work, row, w - 1, y, true, threshold);
	}
	return corrected;
}

long lumen_dpc_apply(struct lumen_frame *work, unsigned threshold)
{
	struct lumen_isp_dsp dsp;

	lumen_isp_dsp_init(&dsp);
	return lumen_dpc_rows(&dsp, work, lumen_dpc_threshold(threshold), 0,
			      work->height);
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
