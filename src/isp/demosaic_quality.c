// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Quality demosaicking: directional green estimates by residual
 * interpolation (minimised-Laplacian and plain guided fits, after Kiku,
 * Monno, Tanaka and Okutomi), combined per pixel with gradient-based
 * four-direction weights (after Pekkucuksen and Altunbasak's GBTF); red and
 * blue by directionally interpolated residuals against a guided fit to
 * green and against green itself; one refinement round of green against
 * the completed red/blue, mixed in per pixel by how well it fits; a
 * non-local refit of red/blue; then a self-supervised correction fitted
 * on the frame itself (step 7: the result is mosaicked again through
 * shifted CFA phases and demosaicked, and per-class linear filters learn
 * that error). See docs/demosaic.md.
 *
 * Passes: steps 1-6 over the frame into the output; step 7's simulations
 * on up to SS_MAX_BANDS bands (two shifts, three rounds, each round but
 * the last applying its correction to the output in place); steps 1-6
 * again with the last round's correction, into the output. Runs on the
 * caller's thread, allocates nothing; the output depends on the whole
 * frame, not on the scratch size.
 *
 * Memory: the frame is processed in horizontal strips, as tall as the
 * caller's scratch allows (at least STRIP rows, or the whole frame). Each
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

#include "core/linsolve.h"
#include "isp/demosaic.h"

/* output rows per strip in the scratch size asked for; even. The output
 * does not depend on it (tests/test_demosaic_quality.c compares strips of
 * this height with one whole-frame strip). */
#ifndef STRIP
#define STRIP 96
#endif
#define MARGIN 56		/* rows/columns of context; even, >= support */
#define FINAL_REAL 32.0f	/* last red/blue pass: fill_residual() @real */
#define FINAL_KRI 2.5f		/* ... and colour_plane() @kri */
#define FINAL_PULL 1e-4f	/* ... colour_plane() @pull (slope candidate) */
#define FINAL_CROSS 0.3f	/* cross_step() @k */

enum plane {
	P_MOS,			/* mosaic, 0..1 */
	P_MG, P_MC, P_MR, P_MB, /* 1 where the CFA has G / not G / R / B */
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
	float *vsum;		/* one row (w floats): box()'s vertical sums */
};

/* strip height asked for: STRIP rows, fewer for a shorter frame (even) */
static int min_strip(int height)
{
	int rows = (height + 1) & ~1;

	return rows < STRIP ? rows : STRIP;
}

static size_t row_bytes(int width)
{
	return (size_t)(width + 2 * MARGIN) * P_COUNT * sizeof(float);
}

/* step 7 (below): its normal equations and filters, kept in the scratch
 * after the planes */
#define SS_ORIENTS 8		/* orientation classes over 180 degrees */
#define SS_HUES 4		/* colourful pixels: signs of R - G, B - G */
#define SS_CLASSES (SS_ORIENTS * (1 + SS_HUES))
#define SS_TAPS 75		/* R, G, B x 5 x 5 */
#define SS_PACKED (SS_TAPS * (SS_TAPS + 1) / 2)	/* upper triangle */
#define SS_BASIS 9		/* per plane: mean, x slope, y slope */
#define SS_TAIL 3		/* rows of support of ss_apply() */

struct ss_state {
	/* [site][class]: sum of x x^T (upper triangle, row by row), of
	 * x e_k, count */
	double xx[4][SS_CLASSES][SS_PACKED];
	double xe[4][SS_CLASSES][2][SS_TAPS];
	long long n[4][SS_CLASSES];
	/* the filters of the last ss_solve() */
	float wt[4][SS_CLASSES][2][SS_TAPS];
	/* ss_solve()'s work: the system it factors (m), the projected normal
	 * matrix P A P (l), the orthonormal basis u of what P removes, A u
	 * and u (u^T A u) */
	double m[SS_TAPS * SS_TAPS], l[SS_TAPS * SS_TAPS];
	double u[SS_TAPS][SS_BASIS], au[SS_TAPS][SS_BASIS], uc[SS_TAPS][SS_BASIS];
};

/* the column map (ints), box()'s row of vertical sums, step 7's state and
 * the rows ss_apply_frame() keeps, plus alignment */
static size_t fixed_bytes(int width)
{
	return (size_t)(width + 2 * MARGIN) * (sizeof(int) + sizeof(float)) +
	       sizeof(struct ss_state) + 2 * 3 * SS_TAIL * (size_t)width * sizeof(uint16_t) + 192;
}

/*
 * Strips of @strip_rows rows, rounded up to even: lumen_demosaic_quality()
 * given this much scratch for a frame @width wide uses strips of that
 * height (one strip when the frame is no taller), the same output as any
 * other strip height. It refuses less than the minimum below.
 */
size_t lumen_demosaic_quality_scratch_size_for_rows(int width, int strip_rows)
{
	if (width < 2 || width > LUMEN_MAX_DIM || strip_rows < 1 ||
	    strip_rows > LUMEN_MAX_DIM)
		return 0;
	return row_bytes(width) * (size_t)(((strip_rows + 1) & ~1) + 2 * MARGIN) +
	       fixed_bytes(width);
}

/*
 * The scratch for strips of STRIP rows, whatever the frame's height:
 * 16.7 KB per column plus 5.9 MB (step 7's state, 4 MB, and the side
 * margins): 48.6 MB at 2560 wide, about 19 KB per column. Given more,
 * lumen_demosaic_quality() uses taller strips: less overlap work (each
 * strip recomputes 2 x MARGIN rows of context), the same output.
 */
size_t lumen_demosaic_quality_scratch_size(int width, int height)
{
	if (height < 2 || height > LUMEN_MAX_DIM)
		return 0;
	return lumen_demosaic_quality_scratch_size_for_rows(width, min_strip(height));
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
	/* one row of vertical sums, still in cache for the horizontal pass */
	float *vsum = t->vsum, *dst = t->p[out];

	for (int y = ey; y < h - ey; y++) {
		sum_taps(vsum, src + (size_t)(y - ey) * w, (size_t)sy * w, 2 * ry + 1, w);
		sum_taps(dst + (size_t)y * w + ex, vsum, (size_t)sx, 2 * rx + 1, w - 2 * ex);
	}
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
			for (int y = sr + pr; y < h - sr - pr; y++) {
				const size_t row = (size_t)y * w;
				/* the masks at q = i + o along this row: a Bayer row
				 * holds red or blue samples, never both, every other
				 * column; only those q add to the sums */
				const float *mrq = mr + row + o, *mbq = mb + row + o;
				const int x0 = sr + pr, x1 = w - sr - pr;
				int xs = first_site(mrq, x0, 1.0f);
				float *sw = rw, *sc = rc, *sg = rg, *scg = rcg, *sgg = rgg;

				if (mrq[xs] == 0.0f) {
					xs = first_site(mbq, x0, 1.0f);
					if (mbq[xs] == 0.0f)
						continue;
					sw = bw, sc = bc, sg = bg, scg = bcg, sgg = bgg;
				}
				for (int x = xs; x < x1; x += 2) {
					size_t i = row + (size_t)x, q = i + o;
					/* (1 - x/8)^8, clipped: exp(-x) */
					float wt = 1.0f - dist[i] * inv * 0.125f;

					wt = wt > 0.0f ? wt : 0.0f;
					wt *= wt;
					wt *= wt;
					wt *= wt;
					float c = mos[q], g = G[q];

					sw[i] += wt;
					sc[i] += wt * c;
					sg[i] += wt * g;
					scg[i] += wt * c * g;
					sgg[i] += wt * g * g;
				}
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
	/* patch-weighted refit of red/blue: 3x3 search, 3x3 patches,
	 * h 0.07, pull of beta toward 1 1e-4, local estimate worth 0.5
	 * samples (chosen on the sets; the 5x5 search read Kodak +0.05,
	 * McMaster -0.07 at 2.8x the refit's work) */
	nl_refine(t, 1, 1, 0.07f, 1e-4f, 0.5f);
}

/*
 * Step 7, self-supervised correction (docs/demosaic.md). The frame's own
 * result E of steps 1-6 is mosaicked again through the three shifted CFA
 * phases and demosaicked by steps 1-6; where E is known, E - E2 is the
 * error steps 1-6 make on a picture with this frame's own statistics. Per
 * site type (red, green in a red row, green in a blue row, blue) and per
 * class (orientation of the local green structure; grey-ish, or colourful
 * and of which hue), a linear filter on the 5x5 RGB patch is fitted to
 * predict that error (ridge least squares, each plane's mean and x/y slope
 * projected out so flat areas and ramps are left exact), then applied to
 * E itself. The first round simulates from E, each later one from the
 * previous round's picture with that round's filters applied to it (in
 * place, so the corrections accumulate), closer to the true picture; the
 * last round's filters, applied to E, make the result.
 */
#define SS_RIDGE 6e-3		/* x mean diagonal of the normal matrix */
/* a pixel is colourful where the 5x5 sum of |R - G| + |B - G| exceeds
 * this share of the 5x5 sum of R + G + B */
#define SS_CHROMA_SPLIT 0.15f
#define SS_MIN_SAMPLES 300	/* fewer: that class is left uncorrected */
#define SS_ROUNDS 3		/* 2: McMaster -0.05 dB, 4: -0.08 */

/* The simulation runs on bands of SS_BAND rows (their own tiles, so the
 * same rows whatever the strip height), at most SS_MAX_BANDS of them spread
 * over a taller frame: a few hundred rows give the fit enough samples. */
#define SS_BAND 96
#define SS_MAX_BANDS 6
#define SS_MIN_SIDE 32		/* a narrower or shorter frame skips step 7 */

/* first row (even) of band @j of @bands over @height rows */
static int ss_band_start(int j, int bands, int height)
{
	if ((long)bands * SS_BAND >= height)
		return j * SS_BAND;
	return (int)((long)j * (height - SS_BAND) / (bands - 1)) & ~1;
}

/* CFA phase shifts of the simulation: (1, 0) and (0, 1) */
static const int ss_shift[2][2] = { { 1, 0 }, { 0, 1 } };

/* plane of the k-th missing colour of each site type */
static const enum plane ss_out[4][2] = {
	{ P_G, P_B }, { P_R, P_B }, { P_R, P_B }, { P_R, P_G },
};

/* The class features of the tile's R, G, B: 5x5 sums of gx^2, gx gy,
 * gy^2 of P_G into P_LAPG, P_LAPP, P_TENT, of |R - G| + |B - G| into
 * P_GUIDE, of R + G + B into P_S3, of R - G into P_DH2 and of B - G into
 * P_DV2. */
static void ss_features(struct tile *t)
{
	const int w = t->w, h = t->h;
	const float *R = t->p[P_R], *G = t->p[P_G], *B = t->p[P_B];
	float *xx = t->p[P_S0], *xy = t->p[P_S1], *yy = t->p[P_S2];

	for (int y = 1; y < h - 1; y++)
		for (int x = 1; x < w - 1; x++) {
			size_t i = (size_t)y * w + x;
			float gx = 0.5f * (G[i + 1] - G[i - 1]);
			float gy = 0.5f * (G[i + w] - G[i - w]);

			xx[i] = gx * gx;
			xy[i] = gx * gy;
			yy[i] = gy * gy;
		}
	box(t, P_S0, P_LAPG, 2, 1, 2, 1);
	box(t, P_S1, P_LAPP, 2, 1, 2, 1);
	box(t, P_S2, P_TENT, 2, 1, 2, 1);
	for (size_t i = 0; i < (size_t)w * (size_t)h; i++) {
		xx[i] = fabsf(R[i] - G[i]) + fabsf(B[i] - G[i]);
		xy[i] = R[i] + G[i] + B[i];
	}
	box(t, P_S0, P_GUIDE, 2, 1, 2, 1);
	box(t, P_S1, P_S3, 2, 1, 2, 1);
	for (size_t i = 0; i < (size_t)w * (size_t)h; i++) {
		xx[i] = R[i] - G[i];
		xy[i] = B[i] - G[i];
	}
	box(t, P_S0, P_DH2, 2, 1, 2, 1);
	box(t, P_S1, P_DV2, 2, 1, 2, 1);
}

/* class at @i after ss_features(): the orientation (the angle of
 * (a - d, 2b) is twice the dominant gradient's; bins of 45 degrees of it,
 * bin 0 centred on a horizontal gradient), + SS_ORIENTS x (1 + hue) where
 * colourful, hue 0..3 from the signs of the sums of R - G and B - G:
 * saturated colours of different hues relate red, green and blue
 * differently (+0.03 dB McMaster over one colourful class) */
static inline int ss_class(const struct tile *t, size_t i)
{
	const float c = 0.92387953f, s = 0.38268343f;	/* cos, sin 22.5 deg */
	float u0 = t->p[P_LAPG][i] - t->p[P_TENT][i], v0 = 2.0f * t->p[P_LAPP][i];
	float u = c * u0 - s * v0, v = s * u0 + c * v0;
	int colourful = t->p[P_GUIDE][i] >= SS_CHROMA_SPLIT * (t->p[P_S3][i] + 1e-4f);
	int o;

	if (v >= 0.0f)
		o = u >= 0.0f ? (v < u ? 0 : 1) : (v >= -u ? 2 : 3);
	else
		o = u < 0.0f ? (-v <= -u ? 4 : 5) : (-v >= u ? 6 : 7);
	if (!colourful)
		return o;
	return o + SS_ORIENTS * (1 + 2 * (t->p[P_DH2][i] >= 0.0f) +
				 (t->p[P_DV2][i] >= 0.0f));
}

static inline int ss_site(const struct tile *t, size_t i)
{
	if (t->p[P_MR][i] != 0.0f)
		return 0;
	if (t->p[P_MB][i] != 0.0f)
		return 3;
	return t->p[P_MR][i + 1] != 0.0f || t->p[P_MR][i - 1] != 0.0f ? 1 : 2;
}

/* site type of each CFA phase of the tile, [y & 1][x & 1] in tile
 * coordinates: the masks repeat every two rows and columns */
static void ss_sites(const struct tile *t, int site[2][2])
{
	for (int py = 0; py < 2; py++)
		for (int px = 0; px < 2; px++)
			site[py][px] = ss_site(t, (size_t)(MARGIN + py) * t->w +
						  (size_t)(MARGIN + px));
}

static inline void ss_patch(const struct tile *t, size_t i, float f[SS_TAPS])
{
	static const enum plane pl[3] = { P_R, P_G, P_B };
	const size_t w = (size_t)t->w;

	for (int c = 0; c < 3; c++) {
		const float *p = t->p[pl[c]] + i - 2 * w - 2;

		for (int dy = 0; dy < 5; dy++)
			for (int dx = 0; dx < 5; dx++)
				f[c * 25 + dy * 5 + dx] = p[(size_t)dy * w + (size_t)dx];
	}
}

/*
 * Adds the strip's pixels (tile rows MARGIN.., frame rows y0..y0+rows-1)
 * to the normal equations: the tile holds E2 (a shifted mosaic of E run
 * through steps 1-6), @rgb holds E. Every pixel counts: with 16 classes
 * per site type a 500x500 frame gives each a few thousand samples, and a
 * quarter of them fits noisier filters (-0.06 dB McMaster).
 */
static void ss_accumulate(struct ss_state *ss, struct tile *t,
			  const struct lumen_frame *rgb, int y0, int rows)
{
	static const enum plane pl[3] = { P_R, P_G, P_B };
	const float scale = 1.0f / (float)LUMEN_WORK_MAX;
	int sites[2][2];

	ss_features(t);
	ss_sites(t, sites);
	/* in row-major order, whatever the strip height */
	for (int y = 0; y < rows; y++) {
		for (int x = 0; x < rgb->width; x++) {
			size_t i = (size_t)(y + MARGIN) * t->w + (size_t)(x + MARGIN);
			int site = sites[y & 1][x & 1], cls;
			float f[SS_TAPS];
			double e[2];

			cls = ss_class(t, i);
			ss_patch(t, i, f);
			for (int k = 0; k < 2; k++) {
				enum plane op = ss_out[site][k];
				int c = op == P_R ? 0 : op == P_G ? 1 : 2;
				const uint16_t *row = (const uint16_t *)(const void *)
					(rgb->data[c] + (size_t)(y0 + y) * rgb->stride[c]);

				e[k] = (double)((float)row[x] * scale - t->p[pl[c]][i]);
			}
			double *xx = ss->xx[site][cls], *xe0 = ss->xe[site][cls][0],
			       *xe1 = ss->xe[site][cls][1];

			for (int u = 0; u < SS_TAPS; u++) {
				const double fu = f[u];
				/* row u of the upper triangle, from column u */
				double *row = xx + u * SS_TAPS - u * (u - 1) / 2 - u;

				for (int v = u; v < SS_TAPS; v++)
					row[v] += fu * f[v];
				xe0[u] += fu * e[0];
				xe1[u] += fu * e[1];
			}
			ss->n[site][cls]++;
		}
	}
}

/* The filters from the normal equations: w = (P A P + r I)^-1 P y with
 * P = I - u u^T the projector that removes each plane's mean and x/y
 * slope (u: 9 orthonormal columns, 3 per plane), so w has no component
 * along them. P A P = A - u (A u)^T - (A u) u^T + u (u^T A u) u^T costs
 * a few MACs per entry instead of two 75x75 products. Classes with too
 * few samples get w = 0. */
static void ss_solve(struct ss_state *ss)
{
	const int n = SS_TAPS;
	double *m = ss->m, *l = ss->l;

	memset(ss->u, 0, sizeof(ss->u));
	for (int c = 0; c < 3; c++)
		for (int i = 0; i < 25; i++) {
			/* 1/5, dx/sqrt(50), dy/sqrt(50) on plane c */
			ss->u[c * 25 + i][c * 3] = 0.2;
			ss->u[c * 25 + i][c * 3 + 1] = (i % 5 - 2) / sqrt(50.0);
			ss->u[c * 25 + i][c * 3 + 2] = (i / 5 - 2) / sqrt(50.0);
		}
	for (int s = 0; s < 4; s++)
		for (int cl = 0; cl < SS_CLASSES; cl++) {
			const double *a = ss->xx[s][cl];
			double cc[SS_BASIS][SS_BASIS], trace = 0.0;

			memset(ss->wt[s][cl], 0, sizeof(ss->wt[s][cl]));
			if (ss->n[s][cl] < SS_MIN_SAMPLES)
				continue;
			/* m = A, from the packed upper triangle */
			for (int i = 0, k = 0; i < n; i++)
				for (int j = i; j < n; j++, k++)
					m[i * n + j] = m[j * n + i] = a[k];
			/* au = A u; u is zero off its plane's 25 taps */
			for (int i = 0; i < n; i++)
				for (int q = 0; q < SS_BASIS; q++) {
					double acc = 0.0;

					for (int k = q / 3 * 25; k < q / 3 * 25 + 25; k++)
						acc += m[i * n + k] * ss->u[k][q];
					ss->au[i][q] = acc;
				}
			for (int q = 0; q < SS_BASIS; q++)
				for (int r = 0; r < SS_BASIS; r++) {
					double acc = 0.0;

					for (int k = q / 3 * 25; k < q / 3 * 25 + 25; k++)
						acc += ss->u[k][q] * ss->au[k][r];
					cc[q][r] = acc;
				}
			for (int i = 0; i < n; i++)
				for (int r = 0; r < SS_BASIS; r++) {
					double acc = 0.0;

					for (int q = i / 25 * 3; q < i / 25 * 3 + 3; q++)
						acc += ss->u[i][q] * cc[q][r];
					ss->uc[i][r] = acc;
				}
			for (int i = 0; i < n; i++)
				for (int j = 0; j < n; j++) {
					double v = m[i * n + j];

					for (int q = j / 25 * 3; q < j / 25 * 3 + 3; q++)
						v += (ss->uc[i][q] - ss->au[i][q]) * ss->u[j][q];
					for (int q = i / 25 * 3; q < i / 25 * 3 + 3; q++)
						v -= ss->u[i][q] * ss->au[j][q];
					l[i * n + j] = v;
				}
			for (int i = 0; i < n; i++)
				trace += l[i * n + i];
			for (int k = 0; k < 2; k++) {
				const double *y = ss->xe[s][cl][k];
				double b[SS_TAPS], uy[SS_BASIS];

				/* b = P y */
				for (int q = 0; q < SS_BASIS; q++) {
					uy[q] = 0.0;
					for (int i = q / 3 * 25; i < q / 3 * 25 + 25; i++)
						uy[q] += ss->u[i][q] * y[i];
				}
				for (int i = 0; i < n; i++) {
					b[i] = y[i];
					for (int q = i / 25 * 3; q < i / 25 * 3 + 3; q++)
						b[i] -= ss->u[i][q] * uy[q];
				}
				memcpy(m, l, sizeof(ss->m));
				for (int i = 0; i < n; i++)
					m[i * n + i] += SS_RIDGE * trace / n + 1e-30;
				if (lumen_solve_spd(n, m, b))
					continue;
				for (int i = 0; i < n; i++)
					ss->wt[s][cl][k][i] = (float)b[i];
			}
		}
}

/* Adds the filters' corrections to the missing colours of the strip's
 * own rows (tile rows MARGIN..MARGIN+rows-1); the tile holds E. */
static void ss_apply(const struct ss_state *ss, struct tile *t, int rows,
		     int width)
{
	float *c0 = t->p[P_DH], *c1 = t->p[P_DV];
	int sites[2][2];

	ss_features(t);
	ss_sites(t, sites);
	for (int y = MARGIN; y < MARGIN + rows; y++)
		for (int x = MARGIN; x < MARGIN + width; x++) {
			size_t i = (size_t)y * t->w + (size_t)x;
			const float(*f)[SS_TAPS] = ss->wt[sites[y & 1][x & 1]][ss_class(t, i)];
			float patch[SS_TAPS], e0 = 0.0f, e1 = 0.0f;

			ss_patch(t, i, patch);
			for (int k = 0; k < SS_TAPS; k++) {
				e0 += f[0][k] * patch[k];
				e1 += f[1][k] * patch[k];
			}
			c0[i] = e0;
			c1[i] = e1;
		}
	for (int y = MARGIN; y < MARGIN + rows; y++)
		for (int x = MARGIN; x < MARGIN + width; x++) {
			size_t i = (size_t)y * t->w + (size_t)x;
			int site = sites[y & 1][x & 1];

			t->p[ss_out[site][0]][i] += c0[i];
			t->p[ss_out[site][1]][i] += c1[i];
		}
}

static inline uint16_t to_work(float v)
{
	v = v * (float)LUMEN_WORK_MAX + 0.5f;
	if (!(v > 0.0f))	/* also catches NaN */
		return 0;
	return v >= (float)LUMEN_WORK_MAX ? LUMEN_WORK_MAX : (uint16_t)v;
}

/*
 * Loads frame rows y0 - MARGIN .. y0 + rows + MARGIN - 1 (mirrored) into
 * the tile as a mosaic with the CFA of @raw shifted by (@dx, @dy): from
 * @src = @raw itself (no shift), or from an RGB16P @src, sampled through
 * the shifted CFA (step 7's second pass).
 */
static void load_tile(struct tile *t, const struct lumen_frame *raw,
		      const struct lumen_frame *src, int y0, int rows,
		      const int *colmap, int dx, int dy)
{
	const float scale = 1.0f / (float)LUMEN_WORK_MAX;
	const int tw = t->w = raw->width + 2 * MARGIN;
	const bool mosaic = src->fmt == LUMEN_PIX_BAYER16;

	t->h = rows + 2 * MARGIN;
	/* MARGIN and y0 are even: the tile has the frame's CFA phase */
	for (int ty = 0; ty < t->h; ty++) {
		int sy = lumen_demosaic_mirror(y0 - MARGIN + ty, raw->height);
		int c0 = lumen_bayer_at(raw->bayer, dx, ty + dy);
		int c1 = lumen_bayer_at(raw->bayer, 1 + dx, ty + dy);
		const uint16_t *s0 = (const uint16_t *)(const void *)
			(src->data[mosaic ? 0 : c0] + (size_t)sy * src->stride[mosaic ? 0 : c0]);
		const uint16_t *s1 = (const uint16_t *)(const void *)
			(src->data[mosaic ? 0 : c1] + (size_t)sy * src->stride[mosaic ? 0 : c1]);
		size_t r = (size_t)ty * tw;

		for (int x = 0; x < tw; x++) {
			int c = x & 1 ? c1 : c0;

			t->p[P_MOS][r + x] = (float)(x & 1 ? s1 : s0)[colmap[x]] * scale;
			t->p[P_MG][r + x] = c == LUMEN_CH_G;
			t->p[P_MC][r + x] = c != LUMEN_CH_G;
			t->p[P_MR][r + x] = c == LUMEN_CH_R;
			t->p[P_MB][r + x] = c == LUMEN_CH_B;
		}
	}
}

/* Writes the strip's own rows of P_R/P_G/P_B into @rgb, rounded. */
static void store_tile(const struct tile *t, struct lumen_frame *rgb, int y0,
		       int rows)
{
	static const enum plane src[3] = { P_R, P_G, P_B };

	for (int y = 0; y < rows; y++) {
		size_t r = (size_t)(y + MARGIN) * t->w + MARGIN;

		for (int c = 0; c < 3; c++) {
			const float *s = t->p[src[c]] + r;
			uint16_t *d = (uint16_t *)(void *)(rgb->data[c] +
				(size_t)(y0 + y) * rgb->stride[c]);

			for (int x = 0; x < rgb->width; x++)
				d[x] = to_work(s[x]);
		}
	}
}

/*
 * Loads frame rows y0 - MARGIN .. y0 + rows + MARGIN - 1 (mirrored) of the
 * RGB16P @rgb into P_R/P_G/P_B, the masks for the CFA of @raw. Rows
 * y0 - SS_TAIL .. y0 - 1 come from @tail (their values before the previous
 * strip was written back), the rows further up are not read by ss_apply().
 */
static void load_rgb_tile(struct tile *t, const struct lumen_frame *raw,
			  const struct lumen_frame *rgb, int y0, int rows,
			  const int *colmap, const uint16_t *tail)
{
	static const enum plane pl[3] = { P_R, P_G, P_B };
	const float scale = 1.0f / (float)LUMEN_WORK_MAX;
	const int tw = t->w = raw->width + 2 * MARGIN, width = raw->width;

	t->h = rows + 2 * MARGIN;
	for (int ty = 0; ty < t->h; ty++) {
		int sy = lumen_demosaic_mirror(y0 - MARGIN + ty, raw->height);
		int c0 = lumen_bayer_at(raw->bayer, 0, ty);
		int c1 = lumen_bayer_at(raw->bayer, 1, ty);
		size_t r = (size_t)ty * tw;

		for (int c = 0; c < 3; c++) {
			const uint16_t *s = sy < y0 && sy >= y0 - SS_TAIL ?
				tail + ((size_t)c * SS_TAIL + (size_t)(sy - y0 + SS_TAIL)) * width :
				(const uint16_t *)(const void *)(rgb->data[c] +
					(size_t)sy * rgb->stride[c]);
			float *d = t->p[pl[c]] + r;

			for (int x = 0; x < tw; x++)
				d[x] = (float)s[colmap[x]] * scale;
		}
		for (int x = 0; x < tw; x++) {
			int c = x & 1 ? c1 : c0;

			t->p[P_MR][r + x] = c == LUMEN_CH_R;
			t->p[P_MB][r + x] = c == LUMEN_CH_B;
		}
	}
}

/*
 * @rgb += the last solved filters' corrections, in place, strip by strip.
 * Each strip reads SS_TAIL rows above it: the previous strip keeps their
 * values from before its write-back in @tail (two buffers of 3 planes x
 * SS_TAIL rows x width), so the result is the same for any strip height.
 */
static void ss_apply_frame(const struct ss_state *ss, struct tile *t,
			   const struct lumen_frame *raw, struct lumen_frame *rgb,
			   const int *colmap, int strip, uint16_t *tail)
{
	const int width = raw->width, height = raw->height;
	const size_t tail_len = 3 * SS_TAIL * (size_t)width;
	uint16_t *cur = tail, *next = tail + tail_len;

	for (int y0 = 0; y0 < height; y0 += strip) {
		int rows = height - y0 < strip ? height - y0 : strip;

		load_rgb_tile(t, raw, rgb, y0, rows, colmap, cur);
		ss_apply(ss, t, rows, width);
		/* the next strip's rows above, as they are before this write */
		for (int c = 0; c < 3; c++)
			for (int k = 0; k < SS_TAIL; k++) {
				int r = y0 + rows - SS_TAIL + k;
				uint16_t *d = next + ((size_t)c * SS_TAIL + (size_t)k) * width;

				if (r < 0)
					continue;
				memcpy(d, r >= y0 ? (const uint16_t *)(const void *)
					(rgb->data[c] + (size_t)r * rgb->stride[c]) :
					cur + ((size_t)c * SS_TAIL + (size_t)(r - y0 + SS_TAIL)) * width,
				       (size_t)width * sizeof(uint16_t));
			}
		store_tile(t, rgb, y0, rows);
		uint16_t *swap = cur;

		cur = next;
		next = swap;
	}
}

int lumen_demosaic_quality(const struct lumen_frame *raw,
			   struct lumen_frame *rgb, void *scratch,
			   size_t scratch_size)
{
	int width, height, tw, strip, bands;
	size_t plane, tile_rows;
	struct tile t;
	struct ss_state *ss;
	uint16_t *tail;
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
	/* as tall as the scratch allows, even, at most the (even) frame */
	tile_rows = (scratch_size - fixed_bytes(width)) / row_bytes(width);
	if (tile_rows >= (size_t)height + 1 + 2 * MARGIN)
		strip = (height + 1) & ~1;
	else
		strip = ((int)tile_rows - 2 * MARGIN) & ~1;

	tw = width + 2 * MARGIN;
	plane = (size_t)tw * (size_t)(strip + 2 * MARGIN);
	base = (uint8_t *)(((uintptr_t)scratch + 63) & ~(uintptr_t)63);
	for (int p = 0; p < P_COUNT; p++)
		t.p[p] = (float *)(void *)base + (size_t)p * plane;
	colmap = (int *)(void *)(base + P_COUNT * plane * sizeof(float));
	t.vsum = (float *)(void *)(colmap + tw);
	for (int x = 0; x < tw; x++)
		colmap[x] = lumen_demosaic_mirror(x - MARGIN, width);
	/* stale values near tile edges must at least be finite */
	memset(base, 0, P_COUNT * plane * sizeof(float));

	ss = (struct ss_state *)(void *)(((uintptr_t)(t.vsum + tw) + 63) & ~(uintptr_t)63);
	memset(ss, 0, sizeof(*ss));
	tail = (uint16_t *)(void *)(ss + 1);

	/* pass 1: steps 1-6 into @rgb (E) */
	for (int y0 = 0; y0 < height; y0 += strip) {
		int rows = height - y0 < strip ? height - y0 : strip;

		load_tile(&t, raw, raw, y0, rows, colmap, 0, 0);
		process_tile(&t);
		store_tile(&t, rgb, y0, rows);
	}
	if (width < SS_MIN_SIDE || height < SS_MIN_SIDE)
		return 0;	/* too few samples to fit step 7's filters */
	/* step 7, SS_ROUNDS rounds: E (then the previous round's picture
	 * with its filters applied) through the shifted CFA phases and
	 * steps 1-6 again,
	 * into the normal equations (row-major order whatever the strip
	 * height, so the sums are the same bits), solved for the filters */
	bands = (height + SS_BAND - 1) / SS_BAND;
	bands = bands > SS_MAX_BANDS ? SS_MAX_BANDS : bands;
	for (int round = 0; round < SS_ROUNDS; round++) {
		memset(ss->xx, 0, sizeof(ss->xx));
		memset(ss->xe, 0, sizeof(ss->xe));
		memset(ss->n, 0, sizeof(ss->n));
		for (int k = 0; k < 2; k++)
			for (int j = 0; j < bands; j++) {
				int y0 = ss_band_start(j, bands, height);
				int rows = height - y0 < SS_BAND ? height - y0 : SS_BAND;

				load_tile(&t, raw, rgb, y0, rows, colmap,
					  ss_shift[k][0], ss_shift[k][1]);
				process_tile(&t);
				ss_accumulate(ss, &t, rgb, y0, rows);
			}
		ss_solve(ss);
		if (round + 1 < SS_ROUNDS)
			ss_apply_frame(ss, &t, raw, rgb, colmap, strip, tail);
	}
	/* last pass: steps 1-6 once more (E, unrounded), the last round's
	 * filters applied to it: the result */
	for (int y0 = 0; y0 < height; y0 += strip) {
		int rows = height - y0 < strip ? height - y0 : strip;

		load_tile(&t, raw, raw, y0, rows, colmap, 0, 0);
		process_tile(&t);
		ss_apply(ss, &t, rows, width);
		store_tile(&t, rgb, y0, rows);
	}
	return 0;
}
