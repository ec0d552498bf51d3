// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Defective-pixel correction on the working raw, in place, before anything
 * spreads a defect into its neighbours (shading, demosaic). docs/isp.md,
 * "Defective pixels", has the design and the figures.
 *
 * Two sources of defects:
 * - the static map (struct lumen_dpc_map, from `lumen calibrate --dark`):
 *   those pixels are always replaced, by the median of their same-colour
 *   neighbours that are not mapped themselves;
 * - the dynamic detector, for isolated pixels and same-colour pairs
 *   (dpc_window(): four tests, all on the 5x5 window): beyond the second
 *   extreme of the eight same-colour neighbours by the margin; beyond the
 *   spread of the others too, in the samples or in the colour differences
 *   (sample minus the other colours around it: texture is in every
 *   channel, a defect in one sample); the other colours next to it do
 *   not rise with it (every channel sees a real detail); and no
 *   directional prediction explains it. A pixel those tests excuse is
 *   still taken when the evidence of a lone sample is strong in every
 *   form at once (the second form: the estimate, the colour differences
 *   and the other colours), unless a direction explains it along a line.
 *   The estimate blends the directional predictions and a
 *   colour-difference one; the replacement stops short of it by the
 *   colour differences' spread, so that real detail taken for a defect
 *   where colour varies keeps part of itself.
 *
 * The margin is t + u / 16 (u: the neighbour it is compared with), t from
 * the noise model (lumen_dpc_setup()). A vectorised screen finds the
 * pixels that pass the first test (isp_dsp.h); only those get the full
 * test, in raster order, so a corrected pixel is what its later
 * neighbours see, exactly as if every pixel were tested.
 *
 * Reads rows y - 2 .. y + 2 and columns x - 2 .. x + 2 of a pixel
 * (mirrored at the frame edges, keeping the CFA phase).
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>

#include "isp/dpc_eval.h"
#include "isp/isp_band.h"
#include "isp/isp_dsp.h"
#include "isp/stages.h"

/* the margin's multiple of the noise of a difference of two samples, and
 * its floor in working units (quantisation of 8..10-bit sensors) */
#define DPC_K_NOISE 3.0
#define DPC_T_MIN 48u
/* test (2): the excess over the second extreme must pass the margin plus
 * 1.5 x the spread of the other neighbours (in halves: 3) */
#define DPC_SPREAD2 3
/* test (3): a rise of the other colours of a sixth of the pixel's own
 * (in these units) makes it a real detail; a quarter when the colour
 * differences single the pixel out (test (2), second form) */
#define DPC_PEAK_RATIO 6
#define DPC_PEAK_RATIO_CD 4
/* the second form (dpc_window()): the colour difference's miss must pass
 * twice the margin plus this many times the neighbours' spread of theirs,
 * and the other colours' rise stay under 1 / DPC_STRONG_PEAK of its own */
#define DPC_STRONG_CD 3
#define DPC_STRONG_PEAK 4

enum dpc_mode { DPC_TEST, DPC_ORACLE, DPC_ORACLE_NO_STOP };

/* Mirror an index into 0..n-1 keeping its parity (the CFA phase). */
static inline int mirror(int i, int n)
{
	if (i < 0)
		return -i;
	if (i >= n)
		return 2 * (n - 1) - i;
	return i;
}

static inline int iabs(int v)
{
	return v < 0 ? -v : v;
}

static inline unsigned margin(unsigned t, unsigned u)
{
	return t + u / 16;
}

/* The two highest and two lowest of @n values. */
static void extremes(const int *v, int n, int *hi0, int *hi1, int *lo0, int *lo1)
{
	*hi0 = *hi1 = INT_MIN;
	*lo0 = *lo1 = INT_MAX;
	for (int k = 0; k < n; k++) {
		const int u = v[k];

		if (u > *hi0) {
			*hi1 = *hi0;
			*hi0 = u;
		} else if (u > *hi1) {
			*hi1 = u;
		}
		if (u < *lo0) {
			*lo1 = *lo0;
			*lo0 = u;
		} else if (u < *lo1) {
			*lo1 = u;
		}
	}
}

/*
 * The full test of one pixel and its replacement. @p is its 5x5 window,
 * @green whether it is a green sample, @t the margin. Returns the new
 * value, or -1 when the pixel is not defective. @mode DPC_TEST is the
 * DPC; the others (lumen_dpc_estimate(), measuring the estimate alone)
 * take the pixel as defective without a test, hot when above the mean of
 * its eight same-colour neighbours, and DPC_ORACLE_NO_STOP replaces it by
 * the estimate itself (clipped to the neighbours' range) without the stop
 * short.
 */
static int dpc_window(const int p[5][5], bool green, unsigned t,
		      enum dpc_mode mode)
{
	const bool oracle = mode != DPC_TEST;
	/* the other colour's sample between the pixel and each end */
	static const int mid[4][2][2] = {
		{ { 2, 1 }, { 2, 3 } }, { { 1, 2 }, { 3, 2 } },
		{ { 1, 1 }, { 3, 3 } }, { { 1, 3 }, { 3, 1 } },
	};
	const int v = p[2][2];
	/* same-colour neighbours at distance two */
	const int n[8] = { p[2][0], p[2][4], p[0][2], p[4][2],
			   p[0][0], p[4][4], p[0][4], p[4][0] };
	/* the other colours around each of them, and around the pixel:
	 * the mean of the other-colour samples next to it within the five
	 * rows, weighted so that for green both other colours count half */
	const int other[8] = {
		(2 * p[2][1] + p[1][0] + p[3][0]) / 4,
		(2 * p[2][3] + p[1][4] + p[3][4]) / 4,
		(2 * p[1][2] + p[0][1] + p[0][3]) / 4,
		(2 * p[3][2] + p[4][1] + p[4][3]) / 4,
		(p[0][1] + p[1][0]) / 2, (p[4][3] + p[3][4]) / 2,
		(p[0][3] + p[1][4]) / 2, (p[4][1] + p[3][0]) / 2,
	};
	const int dv = v - (p[1][2] + p[3][2] + p[2][1] + p[2][3]) / 4;
	int hi0, hi1, lo0, lo1, dhi0, dhi1, dlo0, dlo1, cd[8];
	int pred[4], cost[4], end_a[4], end_b[4], corr[2];
	bool usable[4], hot, cd_out = false, explained = false;
	double sw = 0.0, sv = 0.0;
	int est, allow, cd_pred, oh, ov, po, e;

	extremes(n, 8, &hi0, &hi1, &lo0, &lo1);
	/* colour differences: each neighbour minus the other colours
	 * around it */
	for (int k = 0; k < 8; k++)
		cd[k] = n[k] - other[k];
	extremes(cd, 8, &dhi0, &dhi1, &dlo0, &dlo1);

	/*
	 * Directional predictions: horizontal and vertical, the two ends
	 * plus the other colour's curvature across the pixel (rows y +- 1
	 * for horizontal, columns x +- 1 for vertical; exact on quadratic
	 * ramps); diagonals, the two nearest same-colour samples. cost: how
	 * much the direction disagrees with itself.
	 */
	{
		const int oh_c = p[1][2] + p[3][2];
		const int oh_l = p[1][0] + p[3][0], oh_r = p[1][4] + p[3][4];
		const int ov_c = p[2][1] + p[2][3];
		const int ov_u = p[0][1] + p[0][3], ov_d = p[4][1] + p[4][3];

		end_a[0] = p[2][0];
		end_b[0] = p[2][4];
		end_a[1] = p[0][2];
		end_b[1] = p[4][2];
		end_a[2] = green ? p[1][1] : p[0][0];
		end_b[2] = green ? p[3][3] : p[4][4];
		end_a[3] = green ? p[1][3] : p[0][4];
		end_b[3] = green ? p[3][1] : p[4][0];
		corr[0] = (2 * oh_c - oh_l - oh_r) / 4;
		corr[1] = (2 * ov_c - ov_u - ov_d) / 4;
		cost[0] = iabs(end_a[0] - end_b[0]) + iabs(oh_l - oh_r) / 2;
		cost[1] = iabs(end_a[1] - end_b[1]) + iabs(ov_u - ov_d) / 2;
		for (int d = 0; d < 4; d++) {
			pred[d] = (end_a[d] + end_b[d] + 1) / 2 + (d < 2 ? corr[d] : 0);
			if (d >= 2)
				cost[d] = iabs(end_a[d] - end_b[d]);
		}
		/* and the other colours' step across the pixel along d: a
		 * direction that crosses a line or an edge of theirs (one
		 * the same-colour ends jump over) is not one to trust */
		cost[0] += iabs(p[2][1] - p[2][3]);
		cost[1] += iabs(p[1][2] - p[3][2]);
		cost[2] += green ? iabs(p[0][0] - p[4][4]) / 2 : iabs(p[1][1] - p[3][3]);
		cost[3] += green ? iabs(p[0][4] - p[4][0]) / 2 : iabs(p[1][3] - p[3][1]);
	}

	{
		int ref, m0, exc, dexc;

		/* (1) beyond the second extreme by the margin */
		if (oracle)
			hot = 8 * v > n[0] + n[1] + n[2] + n[3] + n[4] + n[5] + n[6] + n[7];
		else if (v > hi1 + (int)margin(t, (unsigned)hi1))
			hot = true;
		else if (v + (int)margin(t, (unsigned)lo1) < lo1)
			hot = false;
		else
			return -1;
		ref = hot ? hi1 : lo1;
		m0 = (int)margin(t, (unsigned)ref);
		exc = hot ? v - ref : ref - v;

		/* (2) and beyond the spread of the other neighbours: an edge
		 * or texture in the plane needs a larger step; or its colour
		 * difference beyond the spread of theirs (texture in every
		 * channel keeps the colour differences close, a defect is in
		 * one sample) */
		dexc = hot ? dv - dhi1 : dlo1 - dv;
		cd_out = 2 * dexc > 2 * (int)t + DPC_SPREAD2 * (dhi1 - dlo1);
		if (!cd_out && 2 * exc <= 2 * (int)t + DPC_SPREAD2 * (hi1 - lo1))
			explained = true;

		/* (3) the other colours next to it (distance one) do not peak
		 * with it, as every channel sees a real detail: 4 x the rise
		 * of each facing pair over its far neighbours (po), against
		 * 2 x the pixel's rise over the middle of its own neighbours
		 * (e) */
		oh = 2 * (p[2][1] + p[2][3]) - (p[0][1] + p[0][3] + p[4][1] + p[4][3]);
		ov = 2 * (p[1][2] + p[3][2]) - (p[1][0] + p[1][4] + p[3][0] + p[3][4]);
		po = hot ? (oh > ov ? oh : ov) : -(oh < ov ? oh : ov);
		e = hot ? 2 * v - hi1 - lo1 : hi1 + lo1 - 2 * v;
		{
			const int ratio = cd_out ? DPC_PEAK_RATIO_CD : DPC_PEAK_RATIO;

			if (po > 0 && e <= 2 * (int)t + ratio * po / 2)
				explained = true;
			if (po <= 0 && e <= 2 * (int)t)
				explained = true;
		}

		/* (4) no direction explains it: each prediction missed by
		 * more than the margin, half the direction's disagreement and
		 * twice the other colour's own curvature across the pixel */
		for (int d = 0; d < 4; d++) {
			const int miss = hot ? v - pred[d] : pred[d] - v;
			const bool bad_a = hot ? end_a[d] > ref + m0 : end_a[d] + m0 < ref;
			const bool bad_b = hot ? end_b[d] > ref + m0 : end_b[d] + m0 < ref;
			int m = m0 + cost[d] / 2;

			if (d < 2) {
				const int co = hot ? corr[d] : -corr[d];

				if (co > 0)
					m += 2 * co;
			}
			if (bad_a != bad_b) {
				/* one end beyond the margin too: a pair's other
				 * half, unless the other colour between them
				 * rises with them (a real structure along d);
				 * both ends: a line along d */
				const int base = d >= 2 ?
					(p[1][1] + p[3][3] + p[1][3] + p[3][1]) / 4 :
					!green ? (p[2][1] + p[2][3] + p[1][2] + p[3][2]) / 4 :
					d == 0 ? (p[2][1] + p[2][3]) / 2 : (p[1][2] + p[3][2]) / 2;
				const int side = bad_a ? 0 : 1;
				const int mv = p[mid[d][side][0]][mid[d][side][1]];
				const int rise = hot ? mv - base : base - mv;
				/* green diagonals: the same-colour sample
				 * beyond that end, beyond the margin too, makes
				 * three in a row: a line, not a pair */
				static const int beyond[2][2][2] = {
					{ { 0, 0 }, { 4, 4 } }, { { 0, 4 }, { 4, 0 } },
				};
				const int cv = green && d >= 2 ?
					p[beyond[d - 2][side][0]][beyond[d - 2][side][1]] : 0;
				const bool line = green && d >= 2 &&
					(hot ? cv > ref + m0 : cv + m0 < ref);

				if ((green && d >= 2 && !line) ||
				    (!(green && d >= 2) && 4 * rise < exc))
					continue;
			}
			if (miss <= m) {
				/* along a line or a structure it stays */
				if ((bad_a || bad_b) && !oracle)
					return -1;
				explained = true;
			}
		}
	}
	if (oracle)
		explained = false;

	/*
	 * The estimate: the predictions of the directions none of whose ends
	 * lies beyond the second extreme on the pixel's side (a pair's other
	 * half; for the green diagonals at distance one, an end beyond the
	 * margin and more than half way from the second extreme to the
	 * pixel), and the colour-difference prediction (the other colours
	 * around the pixel plus the mean colour difference of its neighbours
	 * but the highest and the lowest; its disagreement, their spread),
	 * weighted by the inverse square of their disagreement.
	 */
	for (int d = 0; d < 4; d++) {
		const int ea = hot ? end_a[d] - hi1 : lo1 - end_a[d];
		const int eb = hot ? end_b[d] - hi1 : lo1 - end_b[d];
		const int ex = hot ? v - hi1 : lo1 - v;

		if (green && d >= 2)
			usable[d] = !(ea > (int)t && 2 * ea > ex) &&
				    !(eb > (int)t && 2 * eb > ex);
		else
			usable[d] = ea <= 0 && eb <= 0;
	}
	{
		int cdsum = 0;

		for (int k = 0; k < 8; k++)
			cdsum += cd[k];
		cd_pred = v - dv + (cdsum - dhi0 - dlo0) / 6;
	}
	for (int d = 0; d < 5; d++) {
		const int c = d < 4 ? cost[d] : dhi1 - dlo1;
		const double wgt = 1.0 / ((c + 64.0) * (c + 64.0));

		if (d < 4 && !usable[d])
			continue;
		sw += wgt;
		sv += wgt * (d < 4 ? pred[d] : cd_pred);
	}
	est = (int)(sv / sw + 0.5);

	/*
	 * The second form, for a pixel one of tests (2)-(4) explained: the
	 * evidence is strong enough when the estimate misses it by more than
	 * twice the margin plus half the least disagreement of the usable
	 * directions (counting twice the other colour's curvature towards the
	 * pixel, as in (4)), its colour difference misses the neighbours' by
	 * more than twice the margin plus DPC_STRONG_CD times their spread,
	 * and the other colours rise with it by less than 1/DPC_STRONG_PEAK
	 * of its own rise: a large, lone step in one sample that test (2)'s
	 * spread, test (3)'s ratio or one direction of test (4) excused.
	 */
	if (explained) {
		const int sgn = hot ? 1 : -1;
		const int m2 = 2 * (int)margin(t, (unsigned)(est > 0 ? est : 0));
		int least = INT_MAX;

		for (int d = 0; d < 4; d++) {
			int c = cost[d];

			if (d < 2 && sgn * corr[d] > 0)
				c += 2 * sgn * corr[d];
			if (usable[d] && c < least)
				least = c;
		}
		if (least == INT_MAX ||
		    2 * sgn * (v - est) <= 2 * m2 + least ||
		    sgn * (v - cd_pred) <= m2 + DPC_STRONG_CD * (dhi1 - dlo1) ||
		    (po > 0 && e <= 2 * m2 + DPC_STRONG_PEAK * po / 2))
			return -1;
	}

	/*
	 * The pixel moves towards the estimate, but stops short of it by
	 * half the margin plus the spread of the neighbours' colour
	 * differences: where colour varies, a real detail taken for a
	 * defect keeps part of itself; a defect in uniform colour goes.
	 */
	allow = mode == DPC_ORACLE_NO_STOP ? 0 : (int)t / 2 + (dhi1 - dlo1);
	if (hot)
		est = est + allow < v ? est + allow : v;
	else
		est = est - allow > v ? est - allow : v;
	/* within the neighbours' range */
	if (est > hi0)
		est = hi0;
	if (est < lo0)
		est = lo0;
	return est < 0 ? 0 : est;
}

/* Loads the 5x5 window of (x, y) into @p, mirrored when @edge. */
static void load_window(const struct lumen_frame *work, int x, int y,
			bool edge, int p[5][5])
{
	const int w = work->width, h = work->height;

	for (int j = 0; j < 5; j++) {
		const int yy = edge ? mirror(y + j - 2, h) : y + j - 2;
		const uint16_t *r = (const uint16_t *)(const void *)
			(work->data[0] + (size_t)yy * work->stride[0]);

		for (int i = 0; i < 5; i++)
			p[j][i] = r[edge ? mirror(x + i - 2, w) : x + i - 2];
	}
}

/* Whether (x, y) is in @m (binary search). */
static bool in_map(const struct lumen_dpc_map *m, int x, int y)
{
	const uint32_t key = (uint32_t)y << 16 | (uint32_t)x;
	int lo = 0, hi = m->count;

	while (lo < hi) {
		const int mid = lo + (hi - lo) / 2;

		if (m->pos[mid] == key)
			return true;
		if (m->pos[mid] < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/*
 * A mapped pixel's replacement: the median of its eight same-colour
 * neighbours that are not mapped themselves (mapped defects come as
 * clusters and columns), of all eight when every one is.
 */
static int dpc_mapped(const struct lumen_frame *work, const struct lumen_dpc_map *m,
		      int x, int y)
{
	static const int dx[8] = { -2, 2, 0, 0, -2, 2, 2, -2 };
	static const int dy[8] = { 0, 0, -2, 2, -2, 2, -2, 2 };
	int v[8], n = 0;

	for (int pass = 0; pass < 2 && !n; pass++)
		for (int k = 0; k < 8; k++) {
			const int nx = mirror(x + dx[k], work->width);
			const int ny = mirror(y + dy[k], work->height);
			int u, j;

			if (!pass && in_map(m, nx, ny))
				continue;
			u = ((const uint16_t *)(const void *)
			     (work->data[0] + (size_t)ny * work->stride[0]))[nx];
			for (j = n; j > 0 && v[j - 1] > u; j--)
				v[j] = v[j - 1];
			v[j] = u;
			n++;
		}
	return (v[(n - 1) / 2] + v[n / 2] + 1) / 2;
}

/* Tests pixel (x, y) (or, when @forced, the map it is in, replaces it)
 * in place; 1 if changed. */
static int dpc_pixel(struct lumen_frame *work, uint16_t *row, int x, int y,
		     bool edge, unsigned t, const struct lumen_dpc_map *forced)
{
	const int rx = (int)work->bayer & 1, ry = ((int)work->bayer >> 1) & 1;
	const bool green = ((x ^ y ^ rx ^ ry) & 1) != 0;
	int p[5][5], est;

	if (forced) {
		est = dpc_mapped(work, forced, x, y);
	} else {
		load_window(work, x, y, edge, p);
		est = dpc_window((const int (*)[5])p, green, t, DPC_TEST);
	}

	if (est < 0 || est == row[x])
		return 0;
	row[x] = (uint16_t)est;
	return 1;
}

int lumen_dpc_estimate(const struct lumen_frame *work, int x, int y,
		       unsigned threshold, bool stop_short)
{
	const int rx = (int)work->bayer & 1, ry = ((int)work->bayer >> 1) & 1;
	int p[5][5];

	load_window(work, x, y, true, p);
	return dpc_window((const int (*)[5])p, ((x ^ y ^ rx ^ ry) & 1) != 0,
			  threshold, stop_short ? DPC_ORACLE : DPC_ORACLE_NO_STOP);
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
		below += nb[k] + threshold + nb[k] / 16 < v0;
		above += v0 + threshold + nb[k] / 16 < nb[k];
	}
	return (below >= 7) | (above >= 7);
}

/* The screen of a pixel in the two columns at either side, its
 * neighbours' columns mirrored (@up, @dn: the mirrored rows). */
static bool border_screen(const uint16_t *row, const uint16_t *up,
			  const uint16_t *dn, int x, int w, unsigned t)
{
	const int l = mirror(x - 2, w), r = mirror(x + 2, w);
	const unsigned v0 = row[x];
	const unsigned nb[8] = { row[l], row[r], up[x], dn[x],
				 up[l], dn[r], up[r], dn[l] };
	unsigned below = 0, above = 0;

	for (int k = 0; k < 8; k++) {
		below += nb[k] + t + nb[k] / 16 < v0;
		above += v0 + t + nb[k] / 16 < nb[k];
	}
	return below >= 7 || above >= 7;
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

		/* seven of eight beyond the margin means two of any three,
		 * and nb + nb/16 and nb - nb/16 grow with nb: when no pixel
		 * of the chunk has the median of row[x-2], row[x+2], up[x]
		 * beyond the margin, none passes */
		for (int i = 0; i < DPC_SCREEN_CHUNK; i++) {
			const unsigned v0 = row[x + i], a = row[x + i - 2];
			const unsigned b = row[x + i + 2], c = up[x + i];
			const unsigned lo = a < b ? a : b, hi = a < b ? b : a;
			const unsigned m = hi < c ? hi : c;
			const unsigned med = lo > m ? lo : m;

			any |= (v0 > med + med / 16 + threshold) |
			       (v0 + threshold < med - med / 16);
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

int lumen_dpc_noise_estimate(const struct lumen_frame *work, float noise[2])
{
	/*
	 * Blocks of 32 samples along every 8th row: the mean of
	 * |2 s - left - right| over a block's same-colour triples. Texture
	 * only adds to it, so the flattest blocks measure the noise: the
	 * 5th percentile of the block means, in a histogram.
	 */
	enum { BINS = 4096, BLOCK = 32 };
	uint32_t *hist;
	uint64_t total = 0, acc = 0;
	const int w = work->width, h = work->height;
	const int step = h >= 256 ? 8 : 1;
	double q = 0.0, sigma;

	noise[0] = noise[1] = 0.0f;
	if (w < BLOCK + 4 || h < 1)
		return -EINVAL;
	hist = calloc(BINS, sizeof(*hist));
	if (!hist)
		return -ENOMEM;
	for (int y = 0; y < h; y += step) {
		const uint16_t *r = (const uint16_t *)(const void *)
			(work->data[0] + (size_t)y * work->stride[0]);

		for (int x0 = 2; x0 + BLOCK <= w - 2; x0 += BLOCK) {
			unsigned sum = 0;

			for (int x = x0; x < x0 + BLOCK; x++)
				sum += (unsigned)iabs(2 * r[x] - r[x - 2] - r[x + 2]);
			sum /= BLOCK / 4;	/* 4 x the mean */
			hist[sum < BINS ? sum : BINS - 1]++;
			total++;
		}
	}
	for (int i = 0; i < BINS; i++) {
		acc += hist[i];
		if (20 * acc >= total) {
			q = (i + 0.5) / 4.0;
			break;
		}
	}
	free(hist);
	/* d = 2 s - l - r has variance 6 sigma^2; E|d| = sqrt(2 / pi) sd */
	sigma = q / sqrt(2.0 / M_PI) / sqrt(6.0);
	noise[1] = (float)(sigma * sigma);
	return 0;
}

void lumen_dpc_setup(struct lumen_dpc_setup *s, const struct lumen_isp_params *p,
		     const struct lumen_frame *work)
{
	const double g = p->dpc_gain > 0.0f ? p->dpc_gain : 1.0;
	float nz[2] = { (float)(p->dpc_noise[0] * g),
			(float)(p->dpc_noise[1] * g * g) };
	double t;

	s->map = p->dpc_map;
	if (p->dpc_threshold) {
		s->threshold = p->dpc_threshold;
		return;
	}
	if (nz[0] <= 0.0f && nz[1] <= 0.0f && work)
		lumen_dpc_noise_estimate(work, nz);
	/*
	 * The margin t + u/16 must exceed K sigma of a difference of two
	 * samples at level u, sigma^2 = 2 (a u + b): sqrt(2 a u) <=
	 * c/2 + a u / c for any c > 0; with K a / c = 1/16 the slope is the
	 * margin's own u/16, leaving t = K sqrt(2 b) + 16 K^2 a.
	 */
	t = DPC_K_NOISE * sqrt(2.0 * (nz[1] > 0 ? nz[1] : 0.0)) +
	    16.0 * DPC_K_NOISE * DPC_K_NOISE * (nz[0] > 0 ? nz[0] : 0.0);
	if (t < DPC_T_MIN)
		t = DPC_T_MIN;
	s->threshold = t > 65535.0 ? 65535u : (unsigned)t;
}

/* The column of the next map entry of row @y at or after column @x
 * (entries before it, duplicates, are skipped), or @w. */
static inline int map_next(const struct lumen_dpc_map *m, int *mi, int y,
			   int x, int w)
{
	while (m && *mi < m->count && (int)(m->pos[*mi] >> 16) == y) {
		const int mx = (int)(m->pos[*mi] & 0xffff);

		if (mx >= x)
			return mx < w ? mx : w;
		(*mi)++;
	}
	return w;
}

/* The first map entry at or after row @y. */
static int map_first_row(const struct lumen_dpc_map *m, int y)
{
	int lo = 0, hi = m->count;
	const uint32_t key = (uint32_t)y << 16;

	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;

		if (m->pos[mid] < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

long lumen_dpc_rows(const struct lumen_isp_dsp *dsp, struct lumen_frame *work,
		    const struct lumen_dpc_setup *s, int y0, int y1)
{
	const int w = work->width, h = work->height;
	const unsigned t = s->threshold;
	const struct lumen_dpc_map *map = s->map && s->map->count ? s->map : NULL;
	int mi = map ? map_first_row(map, y0) : 0;
	long corrected = 0;

	if (w < 5 || h < 5)
		return 0;
	/*
	 * In raster order, in place. The screen finds the next pixel of
	 * columns 2 .. w-3 with seven neighbours beyond the margin, which gets
	 * the full test; screening resumes after it. Mapped pixels are
	 * replaced when reached. The two columns at each side (whose
	 * neighbours are mirrored) get the full test directly.
	 */
	for (int y = y0; y < y1; y++) {
		uint16_t *row = (uint16_t *)(void *)(work->data[0] +
						     (size_t)y * work->stride[0]);
		const uint16_t *up = (const uint16_t *)(const void *)
			(work->data[0] + (size_t)mirror(y - 2, h) * work->stride[0]);
		const uint16_t *dn = (const uint16_t *)(const void *)
			(work->data[0] + (size_t)mirror(y + 2, h) * work->stride[0]);
		const bool edge_row = y < 2 || y >= h - 2;
		int next_map;

		next_map = map_next(map, &mi, y, 0, w);

		for (int x = 0; x < w;) {
			int stop = next_map;

			if (x < 2 || x >= w - 2) {
				/* border columns: the full test directly */
				if (x == next_map) {
					corrected += dpc_pixel(work, row, x, y, true, t, map);
					mi++;
					next_map = map_next(map, &mi, y, x + 1, w);
				} else if (border_screen(row, up, dn, x, w, t)) {
					corrected += dpc_pixel(work, row, x, y, true, t, NULL);
				}
				x++;
				continue;
			}
			if (stop > w - 2)
				stop = w - 2;
			if (x < stop) {
				int c = x + dsp->dpc_screen(up + x, row + x, dn + x,
							    stop - x, t);

				if (c < stop) {
					corrected += dpc_pixel(work, row, c, y,
							       edge_row, t, NULL);
					x = c + 1;
					continue;
				}
				x = stop;
				continue;
			}
			/* x == next_map */
			corrected += dpc_pixel(work, row, x, y, edge_row, t, map);
			mi++;
			next_map = map_next(map, &mi, y, x + 1, w);
			x++;
		}
		/* skip entries left on this row (duplicates) */
		while (map && mi < map->count && (int)(map->pos[mi] >> 16) == y)
			mi++;
	}
	return corrected;
}

long lumen_dpc_apply(struct lumen_frame *work, const struct lumen_isp_params *p)
{
	struct lumen_isp_dsp dsp;
	struct lumen_dpc_setup s;

	lumen_isp_dsp_init(&dsp);
	lumen_dpc_setup(&s, p, work);
	return lumen_dpc_rows(&dsp, work, &s, 0, work->height);
}

static int dpc_run(struct lumen_isp *isp, const struct lumen_isp_params *p)
{
	if (!p->dpc)
		return 0;
	lumen_dpc_apply(&isp->raw, p);
	return 0;
}

const struct lumen_isp_stage lumen_isp_dpc = {
	.name = "dpc",
	.run = dpc_run,
};
