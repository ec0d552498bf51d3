/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Tile kernel of the residual-interpolation demosaic (demosaic_ri.c,
 * docs/demosaic.md "The ri method"). This body is compiled once per
 * instruction set: by demosaic_ri.c as the C reference, and by the AVX2 and
 * NEON files with their ISA flags, each defining RI_TILE_FN to its kernel's
 * name before including it. Every loop is a straight pass over whole planes
 * (flattened: index i, neighbours at i +- 1 and i +- w), with no branches
 * on the CFA (masks are 0/1 planes), so the compiler vectorises them;
 * nothing is contracted into FMA (GCC with -std=c11, clang by the pragma
 * below) and the operations run in the same order in every build: the kernels give the
 * same bits (tests/test_demosaic_ri.c checks it).
 *
 * Values near the tile's edges are wrong (each pass reads up to its radius
 * past the region it trusts); LUMEN_RI_MARGIN exceeds the sum of the
 * radii, so the tile's central region is exact.
 */
#include <math.h>
#include <stddef.h>

#include "isp/demosaic_ri.h"

#ifndef RI_TILE_FN
#error "define RI_TILE_FN before including demosaic_ri_tile.h"
#endif

/* GCC vectorises loops of unknown trip count (with an epilogue and alias
 * checks) only from -O3; clang does at -O2 */
#if defined(__clang__)
/* clang contracts a * b + c into FMA by default even with -std=c11 (the
 * AVX2 build has -mfma): off, so every build gives the C reference's bits */
#pragma STDC FP_CONTRACT OFF
#elif defined(__GNUC__)
#pragma GCC optimize("O3", "no-trapping-math")
#endif

/* The helpers are static: each instruction set gets its own copies. */

/* d = sum of s[i + k * step], k = -r .. r, over i in [lo, hi). */
static void ri_sum(float *restrict d, const float *restrict s, ptrdiff_t step,
		   int r, ptrdiff_t lo, ptrdiff_t hi)
{
	if (r == 1) {
		for (ptrdiff_t i = lo; i < hi; i++)
			d[i] = s[i - step] + s[i] + s[i + step];
	} else {
		for (ptrdiff_t i = lo; i < hi; i++)
			d[i] = ((s[i - 2 * step] + s[i - step]) + s[i]) +
			       (s[i + step] + s[i + 2 * step]);
	}
}

/*
 * Box sum: out = sum of in over |dx| <= rx (step sx), |dy| <= ry (step sy),
 * radii 1 or 2, row by row: the vertical sums of a row go to a row buffer
 * (still in cache for the horizontal pass). Columns within rx * sx of the
 * tile's sides are not written.
 */
static void ri_box(struct lumen_ri_tile *t, const float *in, float *out,
		   int rx, int sx, int ry, int sy)
{
	const ptrdiff_t w = t->w, h = t->h;
	const ptrdiff_t ey = (ptrdiff_t)ry * sy, ex = (ptrdiff_t)rx * sx;
	float *v = t->p[LUMEN_RI_TMP];

	for (ptrdiff_t y = ey; y < h - ey; y++) {
		ri_sum(v, in + y * w, (ptrdiff_t)sy * w, ry, 0, w);
		ri_sum(out + y * w, v, sx, rx, ex, w - ex);
	}
}

/*
 * The line of ri_fit() from the window sums: slope into @a, offset @b.
 * The samples in a window: the green step's windows are 5 along the
 * direction x 3 rows (columns) of the same CFA type, where a site of the
 * colour of @m sees 3 of it per row and another site 2.
 */
static void ri_fit_coef(float *restrict a, float *restrict b,
			const float *restrict si, const float *restrict sp,
			const float *restrict sip, const float *restrict sii,
			const float *restrict m, ptrdiff_t n)
{
	const float eps = 1e-8f;

	for (ptrdiff_t i = 0; i < n; i++) {
		float c = m[i] != 0.0f ? 9.0f : 6.0f;
		float k = (c * sip[i] - si[i] * sp[i]) /
			  (c * sii[i] - si[i] * si[i] + eps * c * c);

		a[i] = k;
		b[i] = (sp[i] - k * si[i]) / c;
	}
}

/*
 * Guided fit (residual interpolation, Kiku et al. 2013) of the mosaic's
 * samples under @m against @guide: in each window (rx, sx, ry, sy: one of
 * the green step's, see ri_fit_coef()) the
 * least-squares line p = a I + b over the samples, eps a regulariser on
 * the slope; a and b box-averaged over the same window; the tentative
 * estimate a I + b into LUMEN_RI_TENT.
 */
static void ri_fit(struct lumen_ri_tile *t, const float *restrict guide,
		   const float *restrict m, int rx, int sx, int ry, int sy)
{
	const ptrdiff_t n = (ptrdiff_t)t->w * t->h;
	const float *restrict mos = t->p[LUMEN_RI_MOS];
	float *restrict q0 = t->p[LUMEN_RI_Q0], *restrict q1 = t->p[LUMEN_RI_Q1];
	float *restrict q2 = t->p[LUMEN_RI_Q2], *restrict q3 = t->p[LUMEN_RI_Q3];
	float *restrict s0 = t->p[LUMEN_RI_S0], *restrict s1 = t->p[LUMEN_RI_S1];
	float *restrict s2 = t->p[LUMEN_RI_S2], *restrict s3 = t->p[LUMEN_RI_S3];
	float *restrict tent = t->p[LUMEN_RI_TENT];
	const float inv = 1.0f / (float)((2 * rx + 1) * (2 * ry + 1));

	for (ptrdiff_t i = 0; i < n; i++) {
		float gi = m[i] * guide[i], pi = m[i] * mos[i];

		q0[i] = gi;
		q1[i] = pi;
		q2[i] = gi * mos[i];
		q3[i] = gi * guide[i];
	}
	ri_box(t, q0, s0, rx, sx, ry, sy);
	ri_box(t, q1, s1, rx, sx, ry, sy);
	ri_box(t, q2, s2, rx, sx, ry, sy);
	ri_box(t, q3, s3, rx, sx, ry, sy);
	ri_fit_coef(q0, q1, s0, s1, s2, s3, m, n);
	ri_box(t, q0, s0, rx, sx, ry, sy);
	ri_box(t, q1, s1, rx, sx, ry, sy);
	for (ptrdiff_t i = 0; i < n; i++)
		tent[i] = (s0[i] * guide[i] + s1[i]) * inv;
}

/*
 * The slope of ri_mlri_fit() from the Laplacian sums into @a, and the
 * samples and guide under @m into @mp, @mi. (Loops that follow a box
 * filter are in functions of their own with restrict arguments: GCC 12
 * left them scalar inside the caller.)
 */
static void ri_mlri_slope(float *restrict a, float *restrict mp,
			  float *restrict mi, const float *restrict slp,
			  const float *restrict sll, const float *restrict m,
			  const float *restrict mos, const float *restrict guide,
			  ptrdiff_t n)
{
	const float eps = 1e-8f;

	for (ptrdiff_t i = 0; i < n; i++) {
		a[i] = slp[i] / (sll[i] + eps);
		mp[i] = m[i] * mos[i];
		mi[i] = m[i] * guide[i];
	}
}

/*
 * Minimised-Laplacian guided fit (MLRI, Kiku et al. 2014) of the samples
 * under @m against @guide in 5x5 windows: a minimises the energy of the
 * residual's Laplacian on the samples' lattice (x +- 2, y +- 2), b matches
 * the means; both box-averaged; a I + b into LUMEN_RI_TENT.
 */
static void ri_mlri_fit(struct lumen_ri_tile *t, const float *restrict guide,
			const float *restrict m)
{
	const ptrdiff_t w = t->w, n = (ptrdiff_t)t->w * t->h;
	const float *restrict mos = t->p[LUMEN_RI_MOS];
	float *restrict q0 = t->p[LUMEN_RI_Q0], *restrict q1 = t->p[LUMEN_RI_Q1];
	float *restrict q2 = t->p[LUMEN_RI_Q2], *restrict q3 = t->p[LUMEN_RI_Q3];
	float *restrict s0 = t->p[LUMEN_RI_S0], *restrict s1 = t->p[LUMEN_RI_S1];
	float *restrict cnt = t->p[LUMEN_RI_S4];
	float *restrict tent = t->p[LUMEN_RI_TENT];

	for (ptrdiff_t i = 2 * w; i < n - 2 * w; i++) {
		float lg = m[i] * (4.0f * guide[i] - guide[i - 2] - guide[i + 2] -
				   guide[i - 2 * w] - guide[i + 2 * w]);
		float lp = m[i] * (4.0f * mos[i] - mos[i - 2] - mos[i + 2] -
				   mos[i - 2 * w] - mos[i + 2 * w]);

		q0[i] = lg * lp;
		q1[i] = lg * lg;
	}
	ri_box(t, q0, s0, 2, 1, 2, 1);
	ri_box(t, q1, s1, 2, 1, 2, 1);
	ri_mlri_slope(q2, q0, q1, s0, s1, m, mos, guide, n);
	ri_box(t, q0, s0, 2, 1, 2, 1);
	ri_box(t, q1, s1, 2, 1, 2, 1);
	/* the samples of a quarter lattice in a 5x5 window: 3 or 2 rows
	 * (whether this row holds the colour) x 3 or 2 columns */
	for (ptrdiff_t i = w; i < n - w; i++) {
		float r = m[i - 1] + m[i] + m[i + 1], c = m[i - w] + m[i] + m[i + w];

		cnt[i] = (r > 0.0f ? 3.0f : 2.0f) * (c > 0.0f ? 3.0f : 2.0f);
	}
	for (ptrdiff_t i = 0; i < n; i++) {
		float c = cnt[i] > 0.5f ? cnt[i] : 1.0f;

		q3[i] = (s0[i] - q2[i] * s1[i]) / c;	/* b */
	}
	ri_box(t, q2, s0, 2, 1, 2, 1);
	ri_box(t, q3, s1, 2, 1, 2, 1);
	for (ptrdiff_t i = 0; i < n; i++)
		tent[i] = (s0[i] * guide[i] + s1[i]) * (1.0f / 25.0f);
}

/*
 * One direction of the green step (o = 1 horizontal, o = w vertical):
 * the colour difference G - C at every pixel into @d, C the non-green
 * colour along the direction. Green at the C sites from a fit of the green
 * samples to C (linearly interpolated at the green sites), C at the green
 * sites from a fit of the C samples to green; each fit's residual,
 * interpolated from the two neighbours along the direction, added back.
 * Window: 5 samples along the direction x 3 rows (columns) of the same
 * CFA type.
 */
static void ri_green_direction(struct lumen_ri_tile *t, ptrdiff_t o, float *d)
{
	const ptrdiff_t n = (ptrdiff_t)t->w * t->h;
	const int horiz = o == 1;
	const int rx = horiz ? 2 : 1, sx = horiz ? 1 : 2;
	const int ry = horiz ? 1 : 2, sy = horiz ? 2 : 1;
	const float *restrict mos = t->p[LUMEN_RI_MOS], *restrict mg = t->p[LUMEN_RI_MG];
	/* written by the fits called below: not restrict */
	const float *tent = t->p[LUMEN_RI_TENT];
	float *restrict guide = t->p[LUMEN_RI_GUIDE], *restrict mc = t->p[LUMEN_RI_T0];
	float *restrict res = t->p[LUMEN_RI_T1];

	for (ptrdiff_t i = 0; i < n; i++)
		mc[i] = 1.0f - mg[i];
	/* green at the C sites: C as the guide */
	for (ptrdiff_t i = o; i < n - o; i++)
		guide[i] = mg[i] != 0.0f ? 0.5f * (mos[i - o] + mos[i + o]) : mos[i];
	ri_fit(t, guide, mg, rx, sx, ry, sy);
	for (ptrdiff_t i = 0; i < n; i++)
		res[i] = mg[i] * (mos[i] - tent[i]);
	for (ptrdiff_t i = o; i < n - o; i++)
		d[i] = tent[i] + 0.5f * (res[i - o] + res[i + o]) - mos[i];
	/* C at the green sites: green as the guide */
	for (ptrdiff_t i = o; i < n - o; i++)
		guide[i] = mg[i] != 0.0f ? mos[i] : 0.5f * (mos[i - o] + mos[i + o]);
	ri_fit(t, guide, mc, rx, sx, ry, sy);
	for (ptrdiff_t i = 0; i < n; i++)
		res[i] = mc[i] * (mos[i] - tent[i]);
	for (ptrdiff_t i = o; i < n - o; i++) {
		float c = tent[i] + 0.5f * (res[i - o] + res[i + o]);

		d[i] = mg[i] != 0.0f ? mos[i] - c : d[i];
	}
}

/* The weighted combination of ri_green() into @g. */
static void ri_green_combine(float *restrict g, const float *restrict mos,
			     const float *restrict mg, const float *restrict dh,
			     const float *restrict dv, const float *restrict sh,
			     const float *restrict sv, ptrdiff_t w, ptrdiff_t n)
{
	const float e = 1e-10f;

	for (ptrdiff_t i = 3 * w; i < n - 3 * w; i++) {
		float ww = sh[i - 2] + e, we = sh[i + 2] + e;
		float wn = sv[i - 2 * w] + e, ws = sv[i + 2 * w] + e;
		float dw = 0.56f * dh[i] + 0.30f * dh[i - 1] + 0.10f * dh[i - 2] +
			   0.04f * dh[i - 3];
		float de = 0.56f * dh[i] + 0.30f * dh[i + 1] + 0.10f * dh[i + 2] +
			   0.04f * dh[i + 3];
		float dn = 0.56f * dv[i] + 0.30f * dv[i - w] + 0.10f * dv[i - 2 * w] +
			   0.04f * dv[i - 3 * w];
		float ds = 0.56f * dv[i] + 0.30f * dv[i + w] + 0.10f * dv[i + 2 * w] +
			   0.04f * dv[i + 3 * w];
		float num, den;

		ww = 1.0f / (ww * ww);
		we = 1.0f / (we * we);
		wn = 1.0f / (wn * wn);
		ws = 1.0f / (ws * ws);
		num = ww * dw + we * de + wn * dn + ws * ds;
		den = ww + we + wn + ws;
		g[i] = mos[i] + (mg[i] != 0.0f ? 0.0f : num / den);
	}
}

/*
 * Green everywhere (GBTF-style combination, Pekkucuksen and Altunbasak
 * 2010): at each C site the four one-sided means (west, east, north,
 * south; taps 0.56 0.30 0.10 0.04) of the directional colour differences,
 * each weighted by 1 / D^2, D the 5x5 sum of that difference's gradient
 * centred two pixels away on its side.
 */
static void ri_green(struct lumen_ri_tile *t)
{
	const ptrdiff_t w = t->w, n = (ptrdiff_t)t->w * t->h;

	ri_green_direction(t, 1, t->p[LUMEN_RI_DH]);
	ri_green_direction(t, w, t->p[LUMEN_RI_DV]);

	const float *restrict mos = t->p[LUMEN_RI_MOS], *restrict mg = t->p[LUMEN_RI_MG];
	const float *restrict dh = t->p[LUMEN_RI_DH], *restrict dv = t->p[LUMEN_RI_DV];
	float *restrict gh = t->p[LUMEN_RI_Q0], *restrict gv = t->p[LUMEN_RI_Q1];
	float *restrict sh = t->p[LUMEN_RI_S0], *restrict sv = t->p[LUMEN_RI_S1];
	float *restrict g = t->p[LUMEN_RI_GREEN];
	for (ptrdiff_t i = w; i < n - w; i++) {
		gh[i] = fabsf(dh[i - 1] - dh[i + 1]);
		gv[i] = fabsf(dv[i - w] - dv[i + w]);
	}
	ri_box(t, gh, sh, 2, 1, 2, 1);
	ri_box(t, gv, sv, 2, 1, 2, 1);
	ri_green_combine(g, mos, mg, dh, dv, sh, sv, w, n);
}

/*
 * Fills the residual @r, known under @m (one colour's quarter lattice),
 * at the sites of @mo (the other colour) from the two diagonals into @r1,
 * then at the green sites from the two axes into @r2, each pair averaged
 * with weights 1 / (|residual difference| + |green second difference| +
 * half the second difference of the mosaic along the diagonal)^2.
 */
static void ri_fill(struct lumen_ri_tile *t, const float *restrict r,
		    const float *restrict mo, float *restrict r1,
		    float *restrict r2)
{
	const ptrdiff_t w = t->w, n = (ptrdiff_t)t->w * t->h;
	const float *restrict g = t->p[LUMEN_RI_GREEN], *restrict mg = t->p[LUMEN_RI_MG];
	const float *restrict mos = t->p[LUMEN_RI_MOS];
	const float e = 1e-6f;

	for (ptrdiff_t i = 2 * w + 2; i < n - 2 * w - 2; i++) {
		ptrdiff_t a = i - w + 1, b = i + w - 1, c = i - w - 1, d = i + w + 1;
		float g1 = fabsf(r[a] - r[b]) + fabsf(2.0f * g[i] - g[a] - g[b]) + e;
		float g2 = fabsf(r[c] - r[d]) + fabsf(2.0f * g[i] - g[c] - g[d]) + e;
		float q1, q2, v;

		g1 += 0.5f * fabsf(2.0f * mos[i] - mos[a - w + 1] - mos[b + w - 1]);
		g2 += 0.5f * fabsf(2.0f * mos[i] - mos[c - w - 1] - mos[d + w + 1]);
		/* weights 1 / g1^2 and 1 / g2^2, multiplied through by both
		 * squares: one division */
		q1 = g1 * g1;
		q2 = g2 * g2;
		v = 0.5f * (q2 * (r[a] + r[b]) + q1 * (r[c] + r[d])) / (q1 + q2);
		r1[i] = mo[i] != 0.0f ? v : r[i];
	}
	for (ptrdiff_t i = 3 * w; i < n - 3 * w; i++) {
		float gh = fabsf(r1[i - 1] - r1[i + 1]) +
			   fabsf(2.0f * g[i] - g[i - 1] - g[i + 1]) + e;
		float gv = fabsf(r1[i - w] - r1[i + w]) +
			   fabsf(2.0f * g[i] - g[i - w] - g[i + w]) + e;
		float qh = gh * gh, qv = gv * gv;
		float v = 0.5f * (qv * (r1[i - 1] + r1[i + 1]) +
				  qh * (r1[i - w] + r1[i + w])) / (qh + qv);

		r2[i] = mg[i] != 0.0f ? v : r1[i];
	}
}

/*
 * Laplacian energy of the residual @r (known under @m) around each pixel:
 * the 5x5 sum of |4 r - r(x +- 2) - r(y +- 2)| at the samples, into @out.
 */
static void ri_energy(struct lumen_ri_tile *t, const float *restrict r,
		      const float *restrict m, float *restrict out)
{
	const ptrdiff_t w = t->w, n = (ptrdiff_t)t->w * t->h;
	float *restrict l = t->p[LUMEN_RI_Q3];

	for (ptrdiff_t i = 2 * w; i < n - 2 * w; i++)
		l[i] = fabsf(m[i] * (4.0f * r[i] - r[i - 2] - r[i + 2] -
				     r[i - 2 * w] - r[i + 2 * w]));
	ri_box(t, l, out, 2, 1, 2, 1);
}

/*
 * Red (@m = LUMEN_RI_MR, @mo = LUMEN_RI_MB) or blue everywhere into @out,
 * from two residuals known at C's samples, each filled by ri_fill() and
 * added back: against a minimised-Laplacian fit to green, and the plain
 * colour difference C - G. They are blended per pixel by the inverse
 * square of their residual's Laplacian energy, the fit's counted three
 * times (it minimises that energy in-sample).
 */
static void ri_colour(struct lumen_ri_tile *t, const float *restrict m,
		      const float *restrict mo, float *restrict out)
{
	const ptrdiff_t n = (ptrdiff_t)t->w * t->h;
	const float *restrict mos = t->p[LUMEN_RI_MOS], *restrict g = t->p[LUMEN_RI_GREEN];
	/* written by the fits called below: not restrict */
	const float *tent = t->p[LUMEN_RI_TENT];
	float *restrict r = t->p[LUMEN_RI_DH], *restrict r1 = t->p[LUMEN_RI_T0];
	float *restrict r2 = t->p[LUMEN_RI_T1], *restrict efit = t->p[LUMEN_RI_DV];
	float *restrict ecd = t->p[LUMEN_RI_GUIDE];

	ri_mlri_fit(t, g, m);
	for (ptrdiff_t i = 0; i < n; i++)
		r[i] = m[i] * (mos[i] - tent[i]);
	ri_energy(t, r, m, efit);
	ri_fill(t, r, mo, r1, r2);
	for (ptrdiff_t i = 0; i < n; i++) {
		out[i] = tent[i] + r2[i];
		r[i] = m[i] * (mos[i] - g[i]);
	}
	ri_energy(t, r, m, ecd);
	ri_fill(t, r, mo, r1, r2);
	for (ptrdiff_t i = 0; i < n; i++) {
		/* the fit's energy x3 (squared: 9); x2 read Kodak / McMaster
		 * 39.83 / 36.55, x3 39.91 / 36.50, x4 39.95 / 36.43 */
		float a = 9.0f * efit[i] * efit[i] + 1e-12f;
		float b = ecd[i] * ecd[i] + 1e-12f;

		out[i] = (out[i] * b + (g[i] + r2[i]) * a) / (a + b);
	}
}

void RI_TILE_FN(struct lumen_ri_tile *t)
{
	ri_green(t);
	ri_colour(t, t->p[LUMEN_RI_MR], t->p[LUMEN_RI_MB], t->p[LUMEN_RI_RED]);
	ri_colour(t, t->p[LUMEN_RI_MB], t->p[LUMEN_RI_MR], t->p[LUMEN_RI_BLUE]);
}
