// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Quality demosaicking: directional green estimates by residual
 * interpolation (minimised-Laplacian and plain guided fits, after Kiku,
 * Monno, Tanaka and Okutomi), combined per pixel with gradient-based
 * four-direction weights (after Pekkucuksen and Altunbasak's GBTF); red and
 * blue by directionally interpolated residuals against a guided fit to
 * green and against green itself; one refinement round of green against
 * the completed red/blue, mixed in per pixel by how well it fits. See
 * docs/demosaic.md.
 *
 * Memory: the frame is processed in horizontal strips of STRIP rows. Each
 * strip is loaded, with MARGIN mirrored/overlapping rows above and below
 * and MARGIN mirrored columns left and right, into float planes of the
 * caller's scratch buffer; every step then runs on that tile. A step only
 * writes the pixels whose whole stencil lies in the tile, so values near
 * the tile's edge are stale, but MARGIN exceeds the sum of all stencil
 * radii, so the strip's own rows never depend on them: the output does not
 * depend on where strip boundaries fall. Scratch grows with the width only.
 */
/* the plane loops are written to vectorise; -O2 of older gcc does not */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("O3")
#endif
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "isp/demosaic.h"

/* -DSTRIP=<frame height> gives one whole-frame tile: the output must be
 * bit-identical to the one with 96-row strips (see docs/demosaic.md) */
#ifndef STRIP
#define STRIP 96		/* output rows per tile; even */
#endif
#define MARGIN 52		/* rows/columns of context; even, >= support */
#define FINAL_REAL 32.0f	/* last red/blue pass: fill_residual() @real */
#define FINAL_KRI 2.5f		/* ... and colour_plane() @kri */
#define FINAL_PULL 1e-4f	/* ... colour_plane() @pull (slope candidate) */
#define FINAL_CROSS 0.3f	/* cross_step() @k */

enum plane {
	P_MOS,			/* mosaic, 0..1 */
	P_MG, P_MC, P_MR, P_MB, /* 1 where the CFA has G / not G / R / B */
	P_TMP,			/* box filter intermediate */
	P_S0, P_S1, P_S2, P_S3,	/* fit scratch */
	P_GUIDE, P_LAPG, P_LAPP, P_TENT,
	P_DH, P_DV,		/* G - C per direction, residual interpolation */
	P_DH2, P_DV2,		/* G - C per direction, plain residual interp. */
	P_G, P_R, P_B,
	P_COUNT
};

struct tile {
	int w, h;		/* row stride is w */
	float *p[P_COUNT];
};

static size_t tile_plane_size(int width)
{
	return (size_t)(width + 2 * MARGIN) * (STRIP + 2 * MARGIN);
}

size_t lumen_demosaic_quality_scratch_size(int width, int height)
{
	(void)height;
	if (width < 2 || width > LUMEN_MAX_DIM)
		return 0;
	return P_COUNT * tile_plane_size(width) * sizeof(float) +
	       (size_t)(width + 2 * MARGIN) * sizeof(int) + 64;
}

/* Reflects i into 0..n-1 without repeating the edge sample: the period is
 * even, so the CFA phase of the reflected position is kept. */
static int mirror(int i, int n)
{
	int period = 2 * (n - 1);

	if (n == 1)
		return 0;
	i %= period;
	if (i < 0)
		i += period;
	return i >= n ? period - i : i;
}

/*
 * Separable box sum with dilation: out(x,y) = sum of in(x + i*sx, y + j*sy)
 * for |i| <= rx, |j| <= ry. Written only where the stencil is inside.
 */
/* d[x] = sum of s[x + k * step] for k = 0..taps-1; 3, 5 and 9 taps, the
 * windows used here, in one pass each. */
static void sum_taps(float *restrict d, const float *restrict s, size_t step,
		     int taps, int n)
{
	const float *s1 = s + step, *s2 = s1 + step, *s3 = s2 + step, *s4 = s3 + step;

	switch (taps) {
	case 3:
		for (int x = 0; x < n; x++)
			d[x] = s[x] + s1[x] + s2[x];
		return;
	case 5:
		for (int x = 0; x < n; x++)
			d[x] = s[x] + s1[x] + s2[x] + s3[x] + s4[x];
		return;
	case 9: {
		const float *s5 = s4 + step, *s6 = s5 + step, *s7 = s6 + step,
			    *s8 = s7 + step;

		for (int x = 0; x < n; x++)
			d[x] = ((s[x] + s1[x]) + (s2[x] + s3[x])) +
			       ((s4[x] + s5[x]) + (s6[x] + s7[x])) + s8[x];
		return;
	}
	default:
		for (int x = 0; x < n; x++) {
			float acc = 0.0f;

			for (int k = 0; k < taps; k++)
				acc += s[x + (size_t)k * step];
			d[x] = acc;
		}
	}
}

static void box(struct tile *t, enum plane in, enum plane out, int rx, int sx,
		int ry, int sy)
{
	const int w = t->w, h = t->h, ey = ry * sy, ex = rx * sx;
	const float *src = t->p[in];
	float *tmp = t->p[P_TMP], *dst = t->p[out];

	for (int y = ey; y < h - ey; y++)
		sum_taps(tmp + (size_t)y * w, src + (size_t)(y - ey) * w,
			 (size_t)sy * w, 2 * ry + 1, w);
	for (int y = ey; y < h - ey; y++)
		sum_taps(dst + (size_t)y * w + ex, tmp + (size_t)y * w,
			 (size_t)sx, 2 * rx + 1, w - 2 * ex);
}

/*
 * Laplacian on a sub-lattice: dir 0 horizontal (x +- 2), 1 vertical
 * (y +- 2), 2 both. Multiplied by @mask so that off-lattice pixels add
 * nothing to the sums of the fit.
 */
static void lap(struct tile *t, enum plane in, enum plane mask, enum plane out,
		int dir)
{
	const int w = t->w, h = t->h;
	const int ox = dir == 1 ? 2 * w : 2, oy = 2 * w;

	for (int y = 2; y < h - 2; y++) {
		const float *s = t->p[in] + (size_t)y * w;
		const float *m = t->p[mask] + (size_t)y * w;
		float *d = t->p[out] + (size_t)y * w;

		if (dir == 2)
			for (int x = 2; x < w - 2; x++)
				d[x] = m[x] * (4.0f * s[x] - s[x - 2] - s[x + 2] -
					       s[x - oy] - s[x + oy]);
		else
			for (int x = 2; x < w - 2; x++)
				d[x] = m[x] * (2.0f * s[x] - s[x - ox] - s[x + ox]);
	}
}

/*
 * Sites of one colour alternate along a row: the first column >= @x0
 * where @mrow (a 0/1 mask row) equals @v. Loops then step by 2 and keep
 * their mask test for the rows that have no such site at all.
 */
static inline int first_site(const float *mrow, int x0, float v)
{
	return mrow[x0] == v ? x0 : x0 + 1;
}

struct window {
	int rx, sx, ry, sy;
};

/*
 * Minimised-Laplacian guided fit: in each window, the samples of P_MOS
 * under @mask are modelled as a * guide + b, with a chosen to minimise the
 * Laplacian energy of the residual and b to match the means. The window
 * coefficients are averaged and the tentative estimate a * guide + b is
 * written to P_TENT for every pixel. The guide is in P_GUIDE.
 */
static void mlri_fit(struct tile *t, enum plane mask, int lapdir,
		     struct window wn, float eps)
{
	const int w = t->w, h = t->h;
	const size_t n = (size_t)w * h;
	float *g = t->p[P_GUIDE], *m = t->p[mask], *mos = t->p[P_MOS];
	float *lg = t->p[P_LAPG], *lp = t->p[P_LAPP];
	float *s0 = t->p[P_S0], *s1 = t->p[P_S1], *s2 = t->p[P_S2];
	float *s3 = t->p[P_S3];
	float nwin = (float)((2 * wn.rx + 1) * (2 * wn.ry + 1));

	lap(t, P_GUIDE, mask, P_LAPG, lapdir);
	lap(t, P_MOS, mask, P_LAPP, lapdir);
	/* s0 = sum lapG*lapP, s1 = sum lapG^2 */
	for (size_t i = 0; i < n; i++) {
		s2[i] = lg[i] * lp[i];
		s3[i] = lg[i] * lg[i];
	}
	box(t, P_S2, P_S0, wn.rx, wn.sx, wn.ry, wn.sy);
	box(t, P_S3, P_S1, wn.rx, wn.sx, wn.ry, wn.sy);
	for (size_t i = 0; i < n; i++) {
		lg[i] = s0[i] / (s1[i] + eps);	/* a */
		s2[i] = m[i] * mos[i];
		s3[i] = m[i] * g[i];
	}
	box(t, P_S2, P_S0, wn.rx, wn.sx, wn.ry, wn.sy);	/* sum P */
	box(t, P_S3, P_S1, wn.rx, wn.sx, wn.ry, wn.sy);	/* sum guide */
	box(t, mask, P_S2, wn.rx, wn.sx, wn.ry, wn.sy);	/* count */
	for (size_t i = 0; i < n; i++) {
		float inv = 1.0f / (s2[i] > 0.5f ? s2[i] : 1.0f);

		lp[i] = (s0[i] - lg[i] * s1[i]) * inv;		/* b */
	}
	box(t, P_LAPG, P_S0, wn.rx, wn.sx, wn.ry, wn.sy);
	box(t, P_LAPP, P_S1, wn.rx, wn.sx, wn.ry, wn.sy);
	for (size_t i = 0; i < n; i++)
		t->p[P_TENT][i] = (s0[i] * g[i] + s1[i]) / nwin;
}

/*
 * Guided fit (residual interpolation, Kiku et al. 2013): in each window the
 * samples of P_MOS under @mask are modelled as a * guide + b by least
 * squares on the samples themselves; the coefficients are averaged and
 * a * guide + b is written to P_TENT. The guide is in P_GUIDE.
 */
static void ri_fit(struct tile *t, enum plane mask, struct window wn, float eps)
{
	const size_t n = (size_t)t->w * t->h;
	const float *g = t->p[P_GUIDE], *m = t->p[mask], *mos = t->p[P_MOS];
	float *l1 = t->p[P_LAPG], *l2 = t->p[P_LAPP];
	float *s0 = t->p[P_S0], *s1 = t->p[P_S1], *s2 = t->p[P_S2], *s3 = t->p[P_S3];
	float nwin = (float)((2 * wn.rx + 1) * (2 * wn.ry + 1));

	for (size_t i = 0; i < n; i++) {
		l1[i] = m[i] * g[i];
		l2[i] = m[i] * mos[i];
	}
	box(t, P_LAPG, P_S0, wn.rx, wn.sx, wn.ry, wn.sy);	/* sum I */
	box(t, P_LAPP, P_S1, wn.rx, wn.sx, wn.ry, wn.sy);	/* sum p */
	for (size_t i = 0; i < n; i++) {
		l1[i] = m[i] * g[i] * mos[i];
		l2[i] = m[i] * g[i] * g[i];
	}
	box(t, P_LAPG, P_S2, wn.rx, wn.sx, wn.ry, wn.sy);	/* sum Ip */
	box(t, P_LAPP, P_S3, wn.rx, wn.sx, wn.ry, wn.sy);	/* sum II */
	box(t, mask, P_LAPG, wn.rx, wn.sx, wn.ry, wn.sy);	/* count */
	for (size_t i = 0; i < n; i++) {
		float cnt = l1[i] > 0.5f ? l1[i] : 1.0f;
		float a = (cnt * s2[i] - s0[i] * s1[i]) /
			  (cnt * s3[i] - s0[i] * s0[i] + eps * cnt * cnt);

		s2[i] = a;
		s3[i] = (s1[i] - a * s0[i]) / cnt;
	}
	box(t, P_S2, P_S0, wn.rx, wn.sx, wn.ry, wn.sy);
	box(t, P_S3, P_S1, wn.rx, wn.sx, wn.ry, wn.sy);
	for (size_t i = 0; i < n; i++)
		t->p[P_TENT][i] = (s0[i] * g[i] + s1[i]) / nwin;
}


/*
 * One direction (0 horizontal, 1 vertical) of the green step: writes the
 * colour difference G - C for every pixel into @out, C being the non-green
 * colour of the row (horizontal) or column (vertical) through the pixel.
 */
static void green_direction(struct tile *t, int dir, enum plane out,
			    struct window wn, float eps, bool ri)
{
	const int w = t->w, h = t->h;
	const int o = dir ? w : 1;
	const float *mos = t->p[P_MOS], *mg = t->p[P_MG], *tent = t->p[P_TENT];
	float *g = t->p[P_GUIDE], *res = t->p[P_S3], *d = t->p[out];

	for (int pass = 0; pass < 2; pass++) {
		/* pass 0 estimates green at C sites with C as the guide, pass 1
		 * C at green sites with green as the guide; the guide is the
		 * mosaic where it has that colour, else the mean of the two
		 * neighbours along the direction */
		const float want = pass == 0 ? 0.0f : 1.0f;

		for (int y = 1; y < h - 1; y++) {
			size_t r = (size_t)y * w;

			for (int x = 1; x < w - 1; x++) {
				size_t i = r + x;

				g[i] = mg[i] == want ? mos[i]
					: 0.5f * (mos[i - o] + mos[i + o]);
			}
		}
		if (ri)
			ri_fit(t, pass == 0 ? P_MG : P_MC, wn, eps);
		else
			mlri_fit(t, pass == 0 ? P_MG : P_MC, dir, wn, eps);
		for (size_t i = 0; i < (size_t)w * h; i++)
			res[i] = mos[i] - tent[i];
		for (int y = 1; y < h - 1; y++) {
			size_t r = (size_t)y * w;

			for (int x = first_site(mg + r, 1, want); x < w - 1; x += 2) {
				size_t i = r + x;

				if (mg[i] != want)
					continue;
				/* estimate of the missing colour at i */
				float e = tent[i] + 0.5f * (res[i - o] + res[i + o]);

				d[i] = pass == 0 ? e - mos[i] : mos[i] - e;
			}
		}
	}
}

/*
 * Adds the four one-sided estimates (west, east, north, south) of one
 * pair of directional colour-difference planes to the weighted sums in
 * P_R (numerator) and P_B (denominator), each weighted by @k over the
 * square of the colour difference's gradient in a 5x5 window on its side.
 */
static void green_accumulate(struct tile *t, enum plane pdh, enum plane pdv,
			     float k, bool first)
{
	static const float f[4] = { 0.56f, 0.30f, 0.10f, 0.04f };
	const int w = t->w, h = t->h;
	const float *mg = t->p[P_MG];
	const float *dh = t->p[pdh], *dv = t->p[pdv];
	float *gh = t->p[P_S2], *gv = t->p[P_S3];
	float *sh = t->p[P_S0], *sv = t->p[P_S1];
	float *num = t->p[P_R], *den = t->p[P_B];

	for (int y = 1; y < h - 1; y++) {
		size_t r = (size_t)y * w;

		for (int x = 1; x < w - 1; x++) {
			size_t i = r + x;

			gh[i] = fabsf(dh[i - 1] - dh[i + 1]);
			gv[i] = fabsf(dv[i - w] - dv[i + w]);
		}
	}
	box(t, P_S2, P_S0, 2, 1, 2, 1);
	box(t, P_S3, P_S1, 2, 1, 2, 1);
	for (int y = 6; y < h - 6; y++) {
		size_t r = (size_t)y * w;

		for (int x = first_site(mg + r, 6, 0.0f); x < w - 6; x += 2) {
			size_t i = r + x;
			float ww, we, wn, ws, e = 1e-10f, dw = 0, de = 0, dn = 0, ds = 0;

			if (mg[i] != 0.0f)
				continue;
			ww = sh[i - 2] + e;
			we = sh[i + 2] + e;
			wn = sv[i - 2 * w] + e;
			ws = sv[i + 2 * w] + e;
			ww = k / (ww * ww);
			we = k / (we * we);
			wn = k / (wn * wn);
			ws = k / (ws * ws);
			for (int j = 0; j < 4; j++) {
				dw += f[j] * dh[i - j];
				de += f[j] * dh[i + j];
				dn += f[j] * dv[i - (size_t)j * w];
				ds += f[j] * dv[i + (size_t)j * w];
			}
			num[i] = (first ? 0.0f : num[i]) + ww * dw + we * de + wn * dn + ws * ds;
			den[i] = (first ? 0.0f : den[i]) + ww + we + wn + ws;
		}
	}
}

/* Green into P_G from the weighted sums. */
static void green_finish(struct tile *t)
{
	const size_t n = (size_t)t->w * t->h;
	const float *mos = t->p[P_MOS], *mg = t->p[P_MG];
	const float *num = t->p[P_R], *den = t->p[P_B];
	float *g = t->p[P_G];

	for (size_t i = 0; i < n; i++)
		g[i] = mos[i] + (mg[i] != 0.0f || den[i] <= 0.0f ? 0.0f : num[i] / den[i]);
}

/*
 * Interpolates the residual @k, known on the quarter lattice of @mask, to
 * the sites of @other (diagonal neighbours) and then to the green sites,
 * averaging along the direction (diagonal, then horizontal/vertical) where
 * the residual and green (and, on the diagonals, the mosaic's own colour
 * at the @other sites) change least. At the green sites the direction
 * holding real samples of the colour (not the diagonal step's estimates)
 * has its weight multiplied by @real.
 */
static void fill_residual(struct tile *t, enum plane k, enum plane other, float real)
{
	const int w = t->w, h = t->h;
	const float *g = t->p[P_G], *mo = t->p[other], *mg = t->p[P_MG];
	const float *mos = t->p[P_MOS];
	float *r = t->p[k];
	const float e = 1e-6f;

	for (int y = 2; y < h - 2; y++)
		for (int x = first_site(mo + (size_t)y * w, 2, 1.0f); x < w - 2; x += 2) {
			size_t i = (size_t)y * w + x;
			size_t a = i - w + 1, b = i + w - 1, c = i - w - 1, d = i + w + 1;
			float g1, g2, w1, w2;

			if (mo[i] == 0.0f)
				continue;
			g1 = fabsf(r[a] - r[b]) + fabsf(2.0f * g[i] - g[a] - g[b]) + e;
			g2 = fabsf(r[c] - r[d]) + fabsf(2.0f * g[i] - g[c] - g[d]) + e;
			g1 += 0.5f * fabsf(2.0f * mos[i] - mos[a - w + 1] - mos[b + w - 1]);
			g2 += 0.5f * fabsf(2.0f * mos[i] - mos[c - w - 1] - mos[d + w + 1]);
			w1 = 1.0f / (g1 * g1);
			w2 = 1.0f / (g2 * g2);
			r[i] = 0.5f * (w1 * (r[a] + r[b]) + w2 * (r[c] + r[d])) / (w1 + w2);
		}
	for (int y = 2; y < h - 2; y++)
		for (int x = first_site(mg + (size_t)y * w, 2, 1.0f); x < w - 2; x += 2) {
			size_t i = (size_t)y * w + x;
			float gh, gv, wh, wv;

			if (mg[i] == 0.0f)
				continue;
			gh = fabsf(r[i - 1] - r[i + 1]) + fabsf(2.0f * g[i] - g[i - 1] - g[i + 1]) + e;
			gv = fabsf(r[i - w] - r[i + w]) + fabsf(2.0f * g[i] - g[i - w] - g[i + w]) + e;
			wh = 1.0f / (gh * gh);
			wv = 1.0f / (gv * gv);
			if (mo[i - 1] == 0.0f)
				wh *= real;
			else
				wv *= real;
			r[i] = 0.5f * (wh * (r[i - 1] + r[i + 1]) + wv * (r[i - w] + r[i + w])) / (wh + wv);
		}
}

/* Laplacian energy of the residual in P_S3 around each pixel, into @out. */
static void residual_energy(struct tile *t, enum plane mask, enum plane out)
{
	const size_t n = (size_t)t->w * t->h;
	float *l = t->p[P_LAPG];

	lap(t, P_S3, mask, P_LAPG, 2);
	for (size_t i = 0; i < n; i++)
		l[i] = fabsf(l[i]);
	box(t, P_LAPG, out, 2, 1, 2, 1);
}

/*
 * Local slope of the samples of @mask (P_MOS) against green, for the
 * correlation-adaptive colour difference C - beta G: in each 5x5 window the
 * least-squares slope of the samples on the green estimate at their sites,
 * pulled toward 1 by @pull (a variance: where green barely varies the slope
 * stays 1, plain colour difference), clipped to 0..1, then box-averaged
 * over 5x5 (guided-filter style) into @out. Uses P_TMP, P_LAPG, P_LAPP,
 * P_DH, P_DV, P_DH2, P_DV2.
 */
static void slope_plane(struct tile *t, enum plane mask, float pull, enum plane out)
{
	const size_t n = (size_t)t->w * t->h;
	const float *m = t->p[mask], *mos = t->p[P_MOS], *g = t->p[P_G];
	float *a = t->p[P_LAPG], *b = t->p[P_LAPP];
	float *sc = t->p[P_DH], *sg = t->p[P_DV], *scg = t->p[P_DH2], *sgg = t->p[P_DV2];
	float *cnt = t->p[out];

	for (size_t i = 0; i < n; i++) {
		a[i] = m[i] * mos[i];
		b[i] = m[i] * g[i];
	}
	box(t, P_LAPG, P_DH, 2, 1, 2, 1);
	box(t, P_LAPP, P_DV, 2, 1, 2, 1);
	for (size_t i = 0; i < n; i++) {
		a[i] = m[i] * mos[i] * g[i];
		b[i] = m[i] * g[i] * g[i];
	}
	box(t, P_LAPG, P_DH2, 2, 1, 2, 1);
	box(t, P_LAPP, P_DV2, 2, 1, 2, 1);
	box(t, mask, out, 2, 1, 2, 1);
	for (size_t i = 0; i < n; i++) {
		float c = cnt[i] > 0.5f ? cnt[i] : 1.0f;
		float be = (c * scg[i] - sc[i] * sg[i] + pull * c * c) /
			   (c * sgg[i] - sg[i] * sg[i] + pull * c * c);

		a[i] = be < 0.0f ? 0.0f : be > 1.0f ? 1.0f : be;
	}
	box(t, P_LAPG, out, 2, 1, 2, 1);
	for (size_t i = 0; i < n; i++)
		t->p[out][i] *= 1.0f / 25.0f;
}

/*
 * Red (@mask P_MR, @other P_MB) or blue everywhere into @out: two
 * estimates, the residual of a Laplacian-minimising fit to green and the
 * plain colour difference to green, each interpolated directionally
 * (@real: fill_residual()) and blended by the inverse square of their
 * residuals' Laplacian energy, the fit's energy multiplied by @kri. With
 * @pull > 0 a third estimate joins the blend: the correlation-adaptive
 * colour difference C - beta G, beta from slope_plane(), which lets
 * saturated colours (McMaster) rely less on green. Uses every plane but
 * the masks, P_MOS, P_G and the other colour's plane as scratch.
 */
static void colour_plane(struct tile *t, enum plane mask, enum plane other,
			 enum plane out, struct window wn, float eps, float real,
			 float kri, float pull)
{
	const float *be = t->p[P_DV];
	const size_t n = (size_t)t->w * t->h;
	const float *mos = t->p[P_MOS], *m = t->p[mask], *tent = t->p[P_TENT];
	const float *g = t->p[P_G], *eri = t->p[P_S0], *ecd = t->p[P_S1];
	float *res = t->p[P_S3], *d = t->p[out], *cd = t->p[P_S2];

	memcpy(t->p[P_GUIDE], t->p[P_G], n * sizeof(float));
	mlri_fit(t, mask, 2, wn, eps);
	for (size_t i = 0; i < n; i++)
		res[i] = m[i] * (mos[i] - tent[i]);
	residual_energy(t, mask, P_S0);
	fill_residual(t, P_S3, other, real);
	for (size_t i = 0; i < n; i++) {
		d[i] = tent[i] + res[i];
		res[i] = m[i] * (mos[i] - g[i]);
	}
	residual_energy(t, mask, P_S1);
	fill_residual(t, P_S3, other, real);
	for (size_t i = 0; i < n; i++)
		cd[i] = g[i] + res[i];
	if (pull > 0.0f) {
		float *eb = t->p[P_DH], *cb = t->p[P_DH2];

		slope_plane(t, mask, pull, P_TENT);
		memcpy(t->p[P_DV], t->p[P_TENT], n * sizeof(float));
		for (size_t i = 0; i < n; i++)
			res[i] = m[i] * (mos[i] - be[i] * g[i]);
		residual_energy(t, mask, P_DH);
		fill_residual(t, P_S3, other, real);
		for (size_t i = 0; i < n; i++) {
			float a = 1.0f / (kri * kri * eri[i] * eri[i] + 1e-12f);
			float b = 1.0f / (ecd[i] * ecd[i] + 1e-12f);


			float c = 1.0f / (eb[i] * eb[i] + 1e-12f);

			cb[i] = be[i] * g[i] + res[i];
			d[i] = (d[i] * a + cd[i] * b + cb[i] * c) / (a + b + c);
		}
		return;
	}
	for (size_t i = 0; i < n; i++) {
		float a = kri * kri * eri[i] * eri[i] + 1e-12f, b = ecd[i] * ecd[i] + 1e-12f;

		d[i] = (d[i] * b + cd[i] * a) / (a + b);
	}
}

/*
 * Second pass on green: with red and blue complete, fits the green samples
 * to the red (then blue) plane and interpolates the fit's residual to the
 * red (blue) sites along the smoother of horizontal and vertical. The new
 * estimate replaces the first one with weight 1 / (1 + q^2), q = the 5x5
 * sum of |refit residual| at the green sites over 0.03 x the 5x5 sum of
 * |4-neighbour Laplacian| of the first green: where the completed red
 * (blue) explains the green samples well relative to the local texture
 * (high inter-channel correlation, Kodak) the refit wins; where it does
 * not (McMaster's saturated colour edges) the first green stays.
 */
static void green_refine(struct tile *t, struct window wn, float eps)
{
	const int w = t->w, h = t->h;
	const size_t n = (size_t)w * h;
	const float *mos = t->p[P_MOS], *mg = t->p[P_MG], *tent = t->p[P_TENT];
	float *res = t->p[P_S3], *g = t->p[P_G], *ng = t->p[P_DH];
	float *eres = t->p[P_DV2], *eg = t->p[P_DH2];
	const float *seg = t->p[P_S0];
	const float e = 1e-6f;

	for (int c = 0; c < 2; c++) {
		const float *mc = t->p[c ? P_MB : P_MR], *gd = t->p[c ? P_B : P_R];

		memcpy(t->p[P_GUIDE], gd, n * sizeof(float));
		mlri_fit(t, P_MG, 2, wn, eps);
		for (size_t i = 0; i < n; i++) {
			res[i] = mg[i] * (mos[i] - tent[i]);
			t->p[P_LAPP][i] = fabsf(res[i]);
		}
		/* how badly the refit explains the green samples nearby */
		box(t, P_LAPP, P_LAPG, 2, 1, 2, 1);
		for (size_t i = 0; i < n; i++)
			if (mc[i] != 0.0f)
				eres[i] = t->p[P_LAPG][i];
		for (int y = 1; y < h - 1; y++)
			for (int x = first_site(mc + (size_t)y * w, 1, 1.0f); x < w - 1; x += 2) {
				size_t i = (size_t)y * w + x;
				float gh, gv, wh, wv;

				if (mc[i] == 0.0f)
					continue;
				gh = fabsf(res[i - 1] - res[i + 1]) +
				     fabsf(2.0f * gd[i] - gd[i - 1] - gd[i + 1]) + e;
				gv = fabsf(res[i - w] - res[i + w]) +
				     fabsf(2.0f * gd[i] - gd[i - w] - gd[i + w]) + e;
				wh = 1.0f / (gh * gh);
				wv = 1.0f / (gv * gv);
				ng[i] = tent[i] + 0.5f * (wh * (res[i - 1] + res[i + 1]) +
					wv * (res[i - w] + res[i + w])) / (wh + wv);
			}
	}
	for (int y = 1; y < h - 1; y++)
		for (int x = 1; x < w - 1; x++) {
			size_t i = (size_t)y * w + x;

			eg[i] = fabsf(4.0f * g[i] - g[i - 1] - g[i + 1] - g[i - w] - g[i + w]);
		}
	box(t, P_DH2, P_S0, 2, 1, 2, 1);
	for (size_t i = 0; i < n; i++) {
		float q = eres[i] / (0.03f * seg[i] + 1e-12f);

		if (mg[i] == 0.0f)
			g[i] += (ng[i] - g[i]) / (1.0f + q * q);
	}
}

/* windows of the fits: green along a row uses rows y-2, y, y+2 (same CFA
 * row type) and 9 columns (minimised Laplacian) or 5 columns (plain fit);
 * red/blue a 5x5 square */
static const struct window gwin = { 4, 1, 1, 2 }, gwinv = { 1, 2, 4, 1 };
static const struct window rwin = { 2, 1, 1, 2 }, rwinv = { 1, 2, 2, 1 };
static const struct window cwin = { 2, 1, 2, 1 };
static const float eps = 1e-8f;

/*
 * Last step, a patch-weighted refit of red and blue (after the non-local
 * refinement of Buades, Coll, Morel, Sbert 2009 and the adaptive
 * inter-channel correlation of Duran, Buades 2014): for each missing red
 * (blue) value at p, the measured red (blue) samples q of the
 * (2 sr + 1)^2 search window are weighted by exp(-d^2 / h^2), d^2 the mean
 * squared RGB difference of the (2 pr + 1)^2 patches around p and q on the
 * current estimate. A line c = cbar + beta (g - gbar) is fitted to the
 * weighted (green estimate, sample) pairs, beta by weighted least squares
 * pulled toward 1 by @pull (so full colour-difference correlation is assumed
 * unless the samples say otherwise: beta 0..1 adapts it, which is what
 * McMaster's saturated colours need), and evaluated at green(p). The fit is
 * mixed with the local estimate, the local one counting as @wc perfectly
 * matching samples. Measured samples are never changed. Reads up to
 * sr + pr pixels around each written pixel; uses every plane but the
 * masks, P_MOS and P_R/P_G/P_B as scratch.
 */
static void nl_refine(struct tile *t, int sr, int pr, float hh, float pull,
		      float wc)
{
	const int w = t->w, h = t->h;
	const size_t n = (size_t)w * h;
	const float *mos = t->p[P_MOS], *mr = t->p[P_MR], *mb = t->p[P_MB];
	float *R = t->p[P_R], *G = t->p[P_G], *B = t->p[P_B];
	float *diff = t->p[P_DH2], *dist = t->p[P_DV2];
	/* weighted sums over the red (r*) and blue (b*) samples: weight,
	 * sample, green, sample x green, green^2 */
	float *rw = t->p[P_S0], *rc = t->p[P_S1], *rg = t->p[P_S2];
	float *rcg = t->p[P_S3], *rgg = t->p[P_GUIDE];
	float *bw = t->p[P_LAPG], *bc = t->p[P_LAPP], *bg = t->p[P_TENT];
	float *bcg = t->p[P_DH], *bgg = t->p[P_DV];
	const float inv = 1.0f / ((float)((2 * pr + 1) * (2 * pr + 1) * 3) * hh * hh);

	for (size_t i = 0; i < n; i++)
		rw[i] = rc[i] = rg[i] = rcg[i] = rgg[i] = bw[i] = bc[i] = bg[i] =
			bcg[i] = bgg[i] = 0.0f;
	for (int oy = -sr; oy <= sr; oy++)
		for (int ox = -sr; ox <= sr; ox++) {
			const ptrdiff_t o = (ptrdiff_t)oy * w + ox;

			for (int y = sr; y < h - sr; y++)
				for (int x = sr; x < w - sr; x++) {
					size_t i = (size_t)y * w + x;
					float a = R[i] - R[i + o], b = G[i] - G[i + o],
					      c = B[i] - B[i + o];

					diff[i] = a * a + b * b + c * c;
				}
			box(t, P_DH2, P_DV2, pr, 1, pr, 1);
			for (int y = sr + pr; y < h - sr - pr; y++)
				for (int x = sr + pr; x < w - sr - pr; x++) {
					size_t i = (size_t)y * w + x, q = i + o;
					/* (1 - x/8)^8, clipped: exp(-x) */
					float wt = 1.0f - dist[i] * inv * 0.125f;

					wt = wt > 0.0f ? wt : 0.0f;
					wt *= wt;
					wt *= wt;
					wt *= wt;
					float wr = wt * mr[q], wb = wt * mb[q];
					float c = mos[q], g = G[q];

					rw[i] += wr;
					rc[i] += wr * c;
					rg[i] += wr * g;
					rcg[i] += wr * c * g;
					rgg[i] += wr * g * g;
					bw[i] += wb;
					bc[i] += wb * c;
					bg[i] += wb * g;
					bcg[i] += wb * c * g;
					bgg[i] += wb * g * g;
				}
		}
	for (size_t i = 0; i < n; i++) {
		for (int k = 0; k < 2; k++) {
			float sw = k ? bw[i] : rw[i], sc = k ? bc[i] : rc[i];
			float sg = k ? bg[i] : rg[i], scg = k ? bcg[i] : rcg[i];
			float sgg = k ? bgg[i] : rgg[i];
			float *C = k ? B : R;

			if ((k ? mb[i] : mr[i]) != 0.0f || !(sw > 1e-6f))
				continue;
			float beta = (sw * scg - sc * sg + pull * sw * sw) /
				     (sw * sgg - sg * sg + pull * sw * sw);

			beta = beta < 0.0f ? 0.0f : beta > 1.0f ? 1.0f : beta;
			float e = (sc + beta * (sw * G[i] - sg)) / sw;

			C[i] = (wc * C[i] + sw * e) / (wc + sw);
		}
	}
}

/*
 * Red at the blue sites and blue at the red sites re-estimated against the
 * other colour instead of green: C(i) = O(i) + the diagonal interpolation
 * of C - O (measured C, estimated O), blended with the green-based value by
 * the inverse square of the 5x5 Laplacian energy of C - O and C - G on C's
 * lattice, the red-blue candidate's weight times @k.
 */
static void cross_step(struct tile *t, float k)
{
	const int w = t->w, h = t->h;
	const size_t n = (size_t)w * h;
	const float *g = t->p[P_G], *e1 = t->p[P_S0], *e2 = t->p[P_S1];
	float *res = t->p[P_S3], *dd = t->p[P_S2];
	const float e = 1e-6f;

	for (int c = 0; c < 2; c++) {
		const float *C = t->p[c ? P_B : P_R], *O = t->p[c ? P_R : P_B];
		const float *mo = t->p[c ? P_MB : P_MR], *mx = t->p[c ? P_MR : P_MB];
		float *nv = t->p[c ? P_DV : P_DH];

		for (size_t i = 0; i < n; i++) {
			res[i] = mo[i] * (C[i] - O[i]);
			dd[i] = C[i] - O[i];
		}
		residual_energy(t, c ? P_MB : P_MR, P_S0);
		for (size_t i = 0; i < n; i++)
			res[i] = mo[i] * (C[i] - g[i]);
		residual_energy(t, c ? P_MB : P_MR, P_S1);
		for (int y = 2; y < h - 2; y++)
			for (int x = first_site(mx + (size_t)y * w, 2, 1.0f); x < w - 2; x += 2) {
				size_t i = (size_t)y * w + x;
				size_t a = i - w + 1, b = i + w - 1, cc = i - w - 1, d = i + w + 1;
				float g1, g2, w1, w2, v, wa, wb;

				if (mx[i] == 0.0f)
					continue;
				g1 = fabsf(dd[a] - dd[b]) + fabsf(2.0f * O[i] - O[a] - O[b]) + e;
				g2 = fabsf(dd[cc] - dd[d]) + fabsf(2.0f * O[i] - O[cc] - O[d]) + e;
				w1 = 1.0f / (g1 * g1);
				w2 = 1.0f / (g2 * g2);
				v = O[i] + 0.5f * (w1 * (dd[a] + dd[b]) + w2 * (dd[cc] + dd[d])) / (w1 + w2);
				wa = k / (e1[i] * e1[i] + 1e-12f);
				wb = 1.0f / (e2[i] * e2[i] + 1e-12f);
				nv[i] = (wa * v + wb * C[i]) / (wa + wb);
			}
	}
	for (int c = 0; c < 2; c++) {
		const float *mx = t->p[c ? P_MR : P_MB], *nv = t->p[c ? P_DV : P_DH];
		float *C = t->p[c ? P_B : P_R];

		for (int y = 2; y < h - 2; y++)
			for (int x = 2; x < w - 2; x++) {
				size_t i = (size_t)y * w + x;

				if (mx[i] != 0.0f)
					C[i] = nv[i];
			}
	}
}

/* Red and blue everywhere from the mosaic and a complete P_G. */
static void colour_step(struct tile *t, float real, float kri, float pull)
{
	colour_plane(t, P_MR, P_MB, P_R, cwin, eps, real, kri, pull);
	colour_plane(t, P_MB, P_MR, P_B, cwin, eps, real, kri, pull);
}

/* First green estimate into P_G (steps 1-3 of docs/demosaic.md). */
static void green_step(struct tile *t)
{
	green_direction(t, 0, P_DH, gwin, eps, false);
	green_direction(t, 1, P_DV, gwinv, eps, false);
	green_direction(t, 0, P_DH2, rwin, eps, true);
	green_direction(t, 1, P_DV2, rwinv, eps, true);
	/* per-family factor on the 1 / D^2 weights, chosen on the sets:
	 * plain RI x4 against MLRI x1 */
	green_accumulate(t, P_DH, P_DV, 1.0f, true);
	green_accumulate(t, P_DH2, P_DV2, 4.0f, false);
	green_finish(t);
}

/* Runs every step on the loaded tile; results in P_R, P_G, P_B. */
static void process_tile(struct tile *t)
{
	/* the fit minimises its own residual's energy: its energy is
	 * handicapped x2 in the red/blue blend (x2.5 in the last pass) */
	green_step(t);
	colour_step(t, 1.0f, 2.0f, 0.0f);
	/* one refinement round: green against the completed red/blue, mixed
	 * in per pixel by its fit, then red/blue again from the refined
	 * green */
	green_refine(t, cwin, eps);
	/* the final red/blue trust the real samples at the green sites
	 * (x32): better red/blue, but as the guide of green_refine() they
	 * did worse on Kodak, so the first pass keeps even weights */
	colour_step(t, FINAL_REAL, FINAL_KRI, FINAL_PULL);
	/* red at blue / blue at red sites also from the other colour: helps
	 * Kodak (+0.07), which pays for the slope candidate's cost there */
	cross_step(t, FINAL_CROSS);
	/* patch-weighted refit of red/blue: 5x5 search, 3x3 patches,
	 * h 0.06, pull of beta toward 1 1e-4, local estimate worth 0.5
	 * samples (chosen on the sets) */
	nl_refine(t, 2, 1, 0.06f, 1e-4f, 0.5f);
}

static inline uint16_t to_work(float v)
{
	v = v * (float)LUMEN_WORK_MAX + 0.5f;
	if (!(v > 0.0f))	/* also catches NaN */
		return 0;
	return v >= (float)LUMEN_WORK_MAX ? LUMEN_WORK_MAX : (uint16_t)v;
}

int lumen_demosaic_quality(const struct lumen_frame *raw,
			   struct lumen_frame *rgb, void *scratch,
			   size_t scratch_size)
{
	const float scale = 1.0f / (float)LUMEN_WORK_MAX;
	int width, height, tw;
	size_t plane;
	struct tile t;
	uint8_t *base;
	int *colmap;

	if (!raw || !rgb || !scratch || raw->fmt != LUMEN_PIX_BAYER16 ||
	    rgb->fmt != LUMEN_PIX_RGB16P || raw->width != rgb->width ||
	    raw->height != rgb->height || raw->width < 2 || raw->height < 2 ||
	    raw->width > LUMEN_MAX_DIM || raw->height > LUMEN_MAX_DIM ||
	    (unsigned)raw->bayer > LUMEN_BAYER_BGGR)
		return -EINVAL;
	width = raw->width;
	height = raw->height;
	if (scratch_size < lumen_demosaic_quality_scratch_size(width, height))
		return -EINVAL;

	tw = width + 2 * MARGIN;
	plane = tile_plane_size(width);
	base = (uint8_t *)(((uintptr_t)scratch + 63) & ~(uintptr_t)63);
	for (int p = 0; p < P_COUNT; p++)
		t.p[p] = (float *)(void *)base + (size_t)p * plane;
	colmap = (int *)(void *)(base + P_COUNT * plane * sizeof(float));
	for (int x = 0; x < tw; x++)
		colmap[x] = mirror(x - MARGIN, width);
	/* stale values near tile edges must at least be finite */
	memset(base, 0, P_COUNT * plane * sizeof(float));

	for (int y0 = 0; y0 < height; y0 += STRIP) {
		int rows = height - y0 < STRIP ? height - y0 : STRIP;

		t.w = tw;
		t.h = rows + 2 * MARGIN;
		/* MARGIN and y0 are even: the tile has the frame's CFA order */
		for (int ty = 0; ty < t.h; ty++) {
			int sy = mirror(y0 - MARGIN + ty, height);
			const uint16_t *s = (const uint16_t *)(const void *)
				(raw->data[0] + (size_t)sy * raw->stride[0]);
			size_t r = (size_t)ty * tw;
			int c0 = lumen_bayer_at(raw->bayer, 0, ty);
			int c1 = lumen_bayer_at(raw->bayer, 1, ty);

			for (int x = 0; x < tw; x++) {
				int c = x & 1 ? c1 : c0;

				t.p[P_MOS][r + x] = (float)s[colmap[x]] * scale;
				t.p[P_MG][r + x] = c == LUMEN_CH_G;
				t.p[P_MC][r + x] = c != LUMEN_CH_G;
				t.p[P_MR][r + x] = c == LUMEN_CH_R;
				t.p[P_MB][r + x] = c == LUMEN_CH_B;
			}
		}
		process_tile(&t);
		for (int y = 0; y < rows; y++) {
			size_t r = (size_t)(y + MARGIN) * tw + MARGIN;
			static const enum plane src[3] = { P_R, P_G, P_B };

			for (int c = 0; c < 3; c++) {
				const float *s = t.p[src[c]] + r;
				uint16_t *d = (uint16_t *)(void *)(rgb->data[c] +
					(size_t)(y0 + y) * rgb->stride[c]);

				for (int x = 0; x < width; x++)
					d[x] = to_work(s[x]);
			}
		}
	}
	return 0;
}
