// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ColorChecker Classic: reference values, raw patch sampling, detection.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "calib/colorchecker.h"
#include "core/linsolve.h"
#include "core/mat3.h"

/*
 * X-Rite, "New color specifications for ColorChecker SG and Classic
 * charts" (ColorChecker Classic produced after November 2014), CIELAB D50,
 * 2 degree observer, measured M0. The same table is published as
 * "ColorChecker24 - After November 2014" in colour-science.
 */
const struct lumen_cc_ref lumen_cc_ref[LUMEN_CC_PATCHES] = {
	{ "dark skin",     { 37.54,  14.37,  14.92 } },
	{ "light skin",    { 64.66,  19.27,  17.50 } },
	{ "blue sky",      { 49.32,  -3.82, -22.54 } },
	{ "foliage",       { 43.46, -12.74,  22.72 } },
	{ "blue flower",   { 54.94,   9.61, -24.79 } },
	{ "bluish green",  { 70.48, -32.26,  -0.37 } },
	{ "orange",        { 62.73,  35.83,  56.50 } },
	{ "purplish blue", { 39.43,  10.75, -45.17 } },
	{ "moderate red",  { 50.57,  48.64,  16.67 } },
	{ "purple",        { 30.10,  22.54, -20.87 } },
	{ "yellow green",  { 71.77, -24.13,  58.19 } },
	{ "orange yellow", { 71.51,  18.24,  67.37 } },
	{ "blue",          { 28.37,  15.42, -49.80 } },
	{ "green",         { 54.38, -39.72,  32.27 } },
	{ "red",           { 42.43,  51.05,  28.62 } },
	{ "yellow",        { 81.80,   2.67,  80.41 } },
	{ "magenta",       { 50.63,  51.28, -14.12 } },
	{ "cyan",          { 49.57, -29.71, -28.32 } },
	{ "white 9.5",     { 95.19,  -1.03,   2.93 } },
	{ "neutral 8",     { 81.29,  -0.57,   0.44 } },
	{ "neutral 6.5",   { 66.89,  -0.75,  -0.06 } },
	{ "neutral 5",     { 50.76,  -0.13,   0.14 } },
	{ "neutral 3.5",   { 35.63,  -0.46,  -0.48 } },
	{ "black 2",       { 20.64,   0.07,  -0.46 } },
};

/* ---------------------------------------------------------------------- */
/* Perspective maps                                                        */

/* Homogeneous 3x3: (x, y, w) = H (u, v, 1). */
struct homography {
	double m[3][3];
};

/*
 * Unit square (0,0),(1,0),(1,1),(0,1) -> quadrilateral q[0..3], by the
 * closed form of P. Heckbert, "Fundamentals of Texture Mapping and Image
 * Warping" (1989), section 2.2.3.
 */
static int square_to_quad(const double q[8], struct homography *h)
{
	double x0 = q[0], y0 = q[1], x1 = q[2], y1 = q[3];
	double x2 = q[4], y2 = q[5], x3 = q[6], y3 = q[7];
	double sx = x0 - x1 + x2 - x3, sy = y0 - y1 + y2 - y3;
	double g = 0, hh = 0;

	if (fabs(sx) > 1e-9 || fabs(sy) > 1e-9) {
		double dx1 = x1 - x2, dx2 = x3 - x2;
		double dy1 = y1 - y2, dy2 = y3 - y2;
		double den = dx1 * dy2 - dx2 * dy1;

		if (fabs(den) < 1e-12)
			return -EINVAL;
		g = (sx * dy2 - dx2 * sy) / den;
		hh = (dx1 * sy - sx * dy1) / den;
	}
	h->m[0][0] = x1 - x0 + g * x1;
	h->m[0][1] = x3 - x0 + hh * x3;
	h->m[0][2] = x0;
	h->m[1][0] = y1 - y0 + g * y1;
	h->m[1][1] = y3 - y0 + hh * y3;
	h->m[1][2] = y0;
	h->m[2][0] = g;
	h->m[2][1] = hh;
	h->m[2][2] = 1;
	return 0;
}

static int homography_invert(const struct homography *h,
			     struct homography *inv)
{
	return lumen_mat3_invert(h->m, inv->m) ? -EINVAL : 0;
}

/* Returns false when the point maps to infinity (behind the horizon). */
static bool homography_apply(const struct homography *h, double u, double v,
			     double *x, double *y)
{
	double w = h->m[2][0] * u + h->m[2][1] * v + h->m[2][2];

	if (fabs(w) < 1e-12)
		return false;
	*x = (h->m[0][0] * u + h->m[0][1] * v + h->m[0][2]) / w;
	*y = (h->m[1][0] * u + h->m[1][1] * v + h->m[1][2]) / w;
	return true;
}

/* The four corners must form a convex quadrilateral of some size. */
static bool quad_ok(const double q[8])
{
	int sign = 0;
	double area = 0;

	for (int i = 0; i < 4; i++) {
		int j = (i + 1) & 3, k = (i + 2) & 3;
		double ax = q[2 * j] - q[2 * i], ay = q[2 * j + 1] - q[2 * i + 1];
		double bx = q[2 * k] - q[2 * j], by = q[2 * k + 1] - q[2 * j + 1];
		double cr = ax * by - ay * bx;

		if (!isfinite(q[2 * i]) || !isfinite(q[2 * i + 1]))
			return false;
		if (fabs(cr) < 1e-9)
			return false;
		if (sign && (cr > 0) != (sign > 0))
			return false;
		sign = cr > 0 ? 1 : -1;
		area += q[2 * i] * q[2 * j + 1] - q[2 * j] * q[2 * i + 1];
	}
	return fabs(area) / 2 >= 24 * 16;	/* at least 4x4 px a patch */
}

/* ---------------------------------------------------------------------- */
/* Sampling                                                                */

static bool frame_ok(const struct lumen_frame *f)
{
	if (!f || (f->fmt != LUMEN_PIX_BAYER8 && f->fmt != LUMEN_PIX_BAYER16))
		return false;
	if (f->width < 2 || f->height < 2 || !f->data[0])
		return false;
	for (int i = 0; i < 4; i++)
		if (f->black[i] >= f->white)
			return false;
	return true;
}

/* Patch @p's window, in unit-square chart coordinates. */
static void patch_window(int p, double frac, double *u0, double *v0,
			 double *u1, double *v1)
{
	const double s = LUMEN_CC_PATCH_FRAC;
	const double wu = (LUMEN_CC_COLS - 1) + s, wv = (LUMEN_CC_ROWS - 1) + s;
	int r = p / LUMEN_CC_COLS, c = p % LUMEN_CC_COLS;
	double cu = (c + s / 2) / wu, cv = (r + s / 2) / wv;

	*u0 = cu - frac * s / 2 / wu;
	*u1 = cu + frac * s / 2 / wu;
	*v0 = cv - frac * s / 2 / wv;
	*v1 = cv + frac * s / 2 / wv;
}

static int sample_patch(const struct lumen_frame *f,
			const struct homography *h,
			const struct homography *inv, int p,
			struct lumen_cc_sample *out)
{
	double u0, v0, u1, v1, minx = 1e300, miny = 1e300, maxx = -1e300,
	       maxy = -1e300;
	double sum[3] = { 0 }, sq[3] = { 0 }, range[4];
	unsigned clip[4];
	int cx0, cx1, cy0, cy1, n = 0, nclip = 0;

	patch_window(p, 0.5, &u0, &v0, &u1, &v1);
	for (int k = 0; k < 4; k++) {
		double x, y;

		if (!homography_apply(h, k & 1 ? u1 : u0, k & 2 ? v1 : v0,
				      &x, &y))
			return -EINVAL;
		minx = fmin(minx, x);
		maxx = fmax(maxx, x);
		miny = fmin(miny, y);
		maxy = fmax(maxy, y);
	}
	if (minx < 0 || miny < 0 || maxx > f->width || maxy > f->height)
		return -ERANGE;
	for (int i = 0; i < 4; i++) {
		range[i] = (double)f->white - f->black[i];
		clip[i] = f->black[i] +
			  (unsigned)ceil(LUMEN_CC_CLIP_FRAC * range[i]);
	}
	cx0 = (int)floor(minx / 2);
	cx1 = (int)ceil(maxx / 2);
	cy0 = (int)floor(miny / 2);
	cy1 = (int)ceil(maxy / 2);
	for (int cy = cy0; cy <= cy1; cy++) {
		for (int cx = cx0; cx <= cx1; cx++) {
			double u, v, val[3] = { 0 }, ng = 0;
			bool clipped = false;

			if (2 * cx + 1 >= f->width || 2 * cy + 1 >= f->height)
				continue;
			if (!homography_apply(inv, 2 * cx + 1, 2 * cy + 1, &u,
					      &v))
				continue;
			if (u < u0 || u > u1 || v < v0 || v > v1)
				continue;
			for (int k = 0; k < 4; k++) {
				int x = 2 * cx + (k & 1), y = 2 * cy + (k >> 1);
				unsigned raw = lumen_frame_raw_at(f, x, y);
				enum lumen_channel ch =
					lumen_bayer_at(f->bayer, x, y);
				double d = ((double)raw - f->black[k]) /
					   range[k];

				if (raw >= clip[k])
					clipped = true;
				val[ch] += d;
				if (ch == LUMEN_CH_G)
					ng++;
			}
			if (clipped) {
				nclip++;
				continue;
			}
			val[LUMEN_CH_G] /= ng;
			for (int c = 0; c < 3; c++) {
				sum[c] += val[c];
				sq[c] += val[c] * val[c];
			}
			n++;
		}
	}
	memset(out, 0, sizeof(*out));
	out->cells = n;
	out->clipped = nclip;
	for (int c = 0; c < 3; c++) {
		if (n) {
			double m = sum[c] / n;

			out->rgb[c] = m;
			out->sd[c] = sqrt(fmax(0, sq[c] / n - m * m));
		} else {
			out->rgb[c] = nclip ? 1.0 : 0.0;
		}
	}
	/* A few clipped cells bias the mean of the rest: allow noise only. */
	out->valid = n >= 4 && nclip * 50 <= n + nclip;
	return 0;
}

int lumen_cc_sample(const struct lumen_frame *f, const double corners[8],
		    struct lumen_cc_sample out[LUMEN_CC_PATCHES])
{
	struct homography h, inv;
	struct lumen_cc_sample tmp[LUMEN_CC_PATCHES];
	int ret;

	if (!frame_ok(f) || !corners || !out || !quad_ok(corners))
		return -EINVAL;
	if (square_to_quad(corners, &h) || homography_invert(&h, &inv))
		return -EINVAL;
	for (int p = 0; p < LUMEN_CC_PATCHES; p++) {
		ret = sample_patch(f, &h, &inv, p, &tmp[p]);
		if (ret)
			return ret;
	}
	memcpy(out, tmp, sizeof(tmp));
	return 0;
}

/* ---------------------------------------------------------------------- */
/* Orientation                                                             */

static double safe_log(double v)
{
	return log(fmax(v, 1e-6));
}

/*
 * How little the bottom row looks like the neutral row: the spread of its
 * chromaticity (log R/G, log B/G over white..neutral 3.5) plus a penalty
 * for every step from white to black that does not get darker. Lower is
 * more neutral-row-like; the top row of a chart upside down scores high on
 * both counts.
 */
static double neutral_row_score(const struct lumen_cc_sample s[])
{
	double mr = 0, mb = 0, vr = 0, vb = 0, pen = 0;
	const int n = 5, p0 = LUMEN_CC_FIRST_NEUTRAL;

	for (int k = p0; k < p0 + n; k++) {
		mr += safe_log(s[k].rgb[0] / s[k].rgb[1]) / n;
		mb += safe_log(s[k].rgb[2] / s[k].rgb[1]) / n;
	}
	for (int k = p0; k < p0 + n; k++) {
		double dr = safe_log(s[k].rgb[0] / s[k].rgb[1]) - mr;
		double db = safe_log(s[k].rgb[2] / s[k].rgb[1]) - mb;

		vr += dr * dr / n;
		vb += db * db / n;
	}
	for (int k = p0; k < p0 + 5; k++) {
		double step = safe_log(s[k + 1].rgb[1]) - safe_log(s[k].rgb[1]);

		pen += fmax(0, step + 0.15);
	}
	return vr + vb + pen;
}

int lumen_cc_sample_oriented(const struct lumen_frame *f, double corners[8],
			     struct lumen_cc_sample out[LUMEN_CC_PATCHES])
{
	/* corner permutations: as given, rotated 180, mirrored LR, TB */
	static const int perm[4][4] = {
		{ 0, 1, 2, 3 }, { 2, 3, 0, 1 }, { 1, 0, 3, 2 }, { 3, 2, 1, 0 },
	};
	struct lumen_cc_sample s[LUMEN_CC_PATCHES], bests[LUMEN_CC_PATCHES];
	double best = INFINITY, q[8], bestq[8];
	int ret = -ENOENT, err = 0;

	if (!corners)
		return -EINVAL;
	for (int o = 0; o < 4; o++) {
		double score;
		int r;

		for (int k = 0; k < 4; k++) {
			q[2 * k] = corners[2 * perm[o][k]];
			q[2 * k + 1] = corners[2 * perm[o][k] + 1];
		}
		r = lumen_cc_sample(f, q, s);
		if (r) {
			err = r;
			continue;
		}
		score = neutral_row_score(s);
		if (score < best) {
			best = score;
			memcpy(bestq, q, sizeof(q));
			memcpy(bests, s, sizeof(s));
			ret = 0;
		}
	}
	if (ret)
		return err ? err : ret;
	/* A grey row has a chromaticity spread well under 0.1 and gets
	 * darker at every step; anything far off that is not a chart. */
	if (best > 0.5)
		return -ENOENT;
	memcpy(corners, bestq, sizeof(bestq));
	memcpy(out, bests, sizeof(bests));
	return 0;
}

/* ---------------------------------------------------------------------- */
/* Detection                                                               */

struct blob {
	double n, sx, sy;		/* area and centroid sums (half-res) */
	int x0, y0, x1, y1;		/* bounding box, inclusive */
};

struct lattice_pt {
	int i, j;
	double x, y;
};

/* Half resolution, one RGB pixel per 2x2 cell, perceptual (square root of
 * the black-subtracted linear value, normalised to the frame's range). */
static float *half_image(const struct lumen_frame *f, int *w2, int *h2)
{
	int w = f->width / 2, h = f->height / 2;
	float *img = malloc((size_t)w * h * 3 * sizeof(*img));

	if (!img)
		return NULL;
	for (int y = 0; y < h; y++) {
		for (int x = 0; x < w; x++) {
			double v[3] = { 0 }, ng = 0;

			for (int k = 0; k < 4; k++) {
				int px = 2 * x + (k & 1), py = 2 * y + (k >> 1);
				enum lumen_channel ch =
					lumen_bayer_at(f->bayer, px, py);
				double d = ((double)lumen_frame_raw_at(f, px, py) -
					    f->black[k]) /
					   ((double)f->white - f->black[k]);

				v[ch] += d;
				ng += ch == LUMEN_CH_G;
			}
			v[1] /= ng;
			for (int c = 0; c < 3; c++)
				img[((size_t)y * w + x) * 3 + c] =
					(float)sqrt(fmax(0, v[c]));
		}
	}
	*w2 = w;
	*h2 = h;
	return img;
}

/* 3x3 box blur, edges clamped. */
static void box3(const float *in, float *out, float *tmp, int w, int h)
{
	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++)
			for (int c = 0; c < 3; c++) {
				int xl = x ? x - 1 : x, xr = x < w - 1 ? x + 1 : x;
				const float *r = in + (size_t)y * w * 3;

				tmp[((size_t)y * w + x) * 3 + c] =
					(r[xl * 3 + c] + r[x * 3 + c] +
					 r[xr * 3 + c]) / 3;
			}
	for (int y = 0; y < h; y++) {
		int yu = y ? y - 1 : y, yd = y < h - 1 ? y + 1 : y;

		for (int x = 0; x < w; x++)
			for (int c = 0; c < 3; c++)
				out[((size_t)y * w + x) * 3 + c] =
					(tmp[((size_t)yu * w + x) * 3 + c] +
					 tmp[((size_t)y * w + x) * 3 + c] +
					 tmp[((size_t)yd * w + x) * 3 + c]) / 3;
	}
}

/*
 * Labels 4-connected flat regions (local gradient under @thr in every
 * channel) and returns their statistics; *nblobs is set. NULL on ENOMEM.
 */
static struct blob *flat_blobs(const float *img, int w, int h, float thr,
			       int *nblobs)
{
	size_t npx = (size_t)w * h;
	uint8_t *flat = calloc(npx, 1);
	int32_t *stack = malloc(npx * sizeof(*stack));
	struct blob *b = NULL;
	int nb = 0, cap = 0;

	if (!flat || !stack)
		goto out;
	for (int y = 1; y < h - 1; y++) {
		for (int x = 1; x < w - 1; x++) {
			const float *p = img + ((size_t)y * w + x) * 3;
			float g = 0;

			for (int c = 0; c < 3; c++) {
				float gx = fabsf(p[3 + c] - p[-3 + c]);
				float gy = fabsf(p[(size_t)w * 3 + c] -
						 p[-(ptrdiff_t)w * 3 + c]);

				g = fmaxf(g, gx + gy);
			}
			flat[(size_t)y * w + x] = g < thr;
		}
	}
	for (size_t s = 0; s < npx; s++) {
		int top = 0;
		struct blob cur = { 0, 0, 0, w, h, -1, -1 };

		if (flat[s] != 1)
			continue;
		flat[s] = 2;
		stack[top++] = (int32_t)s;
		while (top) {
			int32_t q = stack[--top];
			int x = q % w, y = q / w;
			int32_t nb4[4] = { q - 1, q + 1, q - w, q + w };
			bool ok4[4] = { x > 0, x < w - 1, y > 0, y < h - 1 };

			cur.n++;
			cur.sx += x;
			cur.sy += y;
			cur.x0 = x < cur.x0 ? x : cur.x0;
			cur.x1 = x > cur.x1 ? x : cur.x1;
			cur.y0 = y < cur.y0 ? y : cur.y0;
			cur.y1 = y > cur.y1 ? y : cur.y1;
			for (int k = 0; k < 4; k++) {
				if (ok4[k] && flat[nb4[k]] == 1) {
					flat[nb4[k]] = 2;
					stack[top++] = nb4[k];
				}
			}
		}
		if (cur.n < 12)
			continue;
		if (nb == cap) {
			int ncap = cap ? 2 * cap : 256;
			struct blob *nbp = realloc(b, ncap * sizeof(*b));

			if (!nbp) {
				free(b);
				b = NULL;
				goto out;
			}
			b = nbp;
			cap = ncap;
		}
		b[nb++] = cur;
	}
	if (!b)
		b = malloc(sizeof(*b));	/* empty but non-NULL */
out:
	free(flat);
	free(stack);
	*nblobs = nb;
	return b;
}

/* Squares of a plausible patch size. */
static bool blob_is_square(const struct blob *b, int w, int h)
{
	double bw = b->x1 - b->x0 + 1, bh = b->y1 - b->y0 + 1;

	if (bw < 3 || bh < 3)
		return false;
	if (b->n > (double)w * h / 40)
		return false;
	if (fmax(bw, bh) / fmin(bw, bh) > 1.6)
		return false;
	return b->n / (bw * bh) >= 0.6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n & 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/*
 * Least-squares homography (h33 = 1) from lattice (i, j) to image (x, y)
 * over @n >= 4 points, by the linear DLT equations.
 */
static int fit_homography(const struct lattice_pt *p, int n,
			  struct homography *h)
{
	double ata[64] = { 0 }, atb[8] = { 0 };

	for (int k = 0; k < n; k++) {
		double u = p[k].i, v = p[k].j, x = p[k].x, y = p[k].y;
		double r1[8] = { u, v, 1, 0, 0, 0, -u * x, -v * x };
		double r2[8] = { 0, 0, 0, u, v, 1, -u * y, -v * y };

		for (int a = 0; a < 8; a++) {
			for (int b = 0; b < 8; b++)
				ata[a * 8 + b] += r1[a] * r1[b] + r2[a] * r2[b];
			atb[a] += r1[a] * x + r2[a] * y;
		}
	}
	if (lumen_solve_spd(8, ata, atb))
		return -EDOM;
	h->m[0][0] = atb[0];
	h->m[0][1] = atb[1];
	h->m[0][2] = atb[2];
	h->m[1][0] = atb[3];
	h->m[1][1] = atb[4];
	h->m[1][2] = atb[5];
	h->m[2][0] = atb[6];
	h->m[2][1] = atb[7];
	h->m[2][2] = 1;
	return 0;
}

#define LAT_R 10	/* lattice search radius around a seed, in patches */

struct grid_result {
	int count;		/* squares on the chart's lattice positions */
	double corners[8];	/* half-resolution coordinates */
};

/*
 * Tries blob @seed as one patch of a chart: gathers similar squares near
 * it, estimates the two lattice vectors, snaps every square to the lattice
 * and finds the 6x4 (or 4x6) window holding the most of them.
 */
static void try_seed(const struct blob *b, const int *cand, int ncand,
		     int seed, struct lattice_pt *pts, double *tmp,
		     struct grid_result *res)
{
	const struct blob *s = &b[cand[seed]];
	double side = sqrt(s->n), sxc = s->sx / s->n, syc = s->sy / s->n;
	double ax, ay, bx, by, det, hx[2];
	int nm = 0, nh = 0, nv = 0, best = 0, bi = 0, bj = 0, bw = 0, bh = 0;
	static const int shapes[2][2] = { { 6, 4 }, { 4, 6 } };
	uint8_t occ[2 * LAT_R + 1][2 * LAT_R + 1];
	int *mem = (int *)(void *)(tmp + 4 * (size_t)ncand);

	res->count = 0;
	for (int k = 0; k < ncand; k++) {
		const struct blob *o = &b[cand[k]];
		double r = o->n / s->n;
		double dx = o->sx / o->n - sxc, dy = o->sy / o->n - syc;

		if (r < 0.5 || r > 2 || hypot(dx, dy) > 9 * side)
			continue;
		mem[nm++] = cand[k];
	}
	if (nm < 12)
		return;
	/* nearest right and down neighbours of every member */
	for (int k = 0; k < nm; k++) {
		const struct blob *o = &b[mem[k]];
		double ox = o->sx / o->n, oy = o->sy / o->n, os = sqrt(o->n);
		double dh = INFINITY, dv = INFINITY, vh[2] = { 0 }, vv[2] = { 0 };

		for (int l = 0; l < nm; l++) {
			const struct blob *q = &b[mem[l]];
			double dx = q->sx / q->n - ox, dy = q->sy / q->n - oy;
			double d = hypot(dx, dy);

			if (l == k || d > 2.2 * os || d < 0.8 * os)
				continue;
			if (dx > 0 && fabs(dy) < dx && d < dh) {
				dh = d;
				vh[0] = dx;
				vh[1] = dy;
			}
			if (dy > 0 && fabs(dx) < dy && d < dv) {
				dv = d;
				vv[0] = dx;
				vv[1] = dy;
			}
		}
		if (isfinite(dh)) {
			tmp[nh] = vh[0];
			tmp[ncand + nh++] = vh[1];
		}
		if (isfinite(dv)) {
			tmp[2 * ncand + nv] = vv[0];
			tmp[3 * ncand + nv++] = vv[1];
		}
	}
	if (nh < 4 || nv < 4)
		return;
	ax = median(tmp, nh);
	ay = median(tmp + ncand, nh);
	bx = median(tmp + 2 * ncand, nv);
	by = median(tmp + 3 * ncand, nv);
	det = ax * by - ay * bx;
	if (fabs(det) < 1e-6)
		return;
	memset(occ, 0, sizeof(occ));
	int np = 0;

	for (int k = 0; k < nm; k++) {
		const struct blob *o = &b[mem[k]];
		double dx = o->sx / o->n - sxc, dy = o->sy / o->n - syc;
		double fi = (dx * by - dy * bx) / det;
		double fj = (ax * dy - ay * dx) / det;
		int i = (int)lround(fi), j = (int)lround(fj);

		if (fabs(fi - i) > 0.3 || fabs(fj - j) > 0.3)
			continue;
		if (abs(i) > LAT_R || abs(j) > LAT_R ||
		    occ[j + LAT_R][i + LAT_R])
			continue;
		occ[j + LAT_R][i + LAT_R] = 1;
		pts[np].i = i;
		pts[np].j = j;
		/* centroid of pixel centres, in continuous coordinates */
		pts[np].x = o->sx / o->n + 0.5;
		pts[np].y = o->sy / o->n + 0.5;
		np++;
	}
	for (int sh = 0; sh < 2; sh++) {
		int cw = shapes[sh][0], ch = shapes[sh][1];

		for (int j0 = 0; j0 + ch <= 2 * LAT_R + 1; j0++)
			for (int i0 = 0; i0 + cw <= 2 * LAT_R + 1; i0++) {
				int c = 0;

				for (int j = j0; j < j0 + ch; j++)
					for (int i = i0; i < i0 + cw; i++)
						c += occ[j][i];
				if (c > best) {
					best = c;
					bi = i0 - LAT_R;
					bj = j0 - LAT_R;
					bw = cw;
					bh = ch;
				}
			}
	}
	if (best < 12)
		return;
	/* keep the points inside the window; fit the lattice */
	int nin = 0;

	for (int k = 0; k < np; k++)
		if (pts[k].i >= bi && pts[k].i < bi + bw && pts[k].j >= bj &&
		    pts[k].j < bj + bh)
			pts[nin++] = pts[k];
	struct homography h;

	if (fit_homography(pts, nin, &h))
		return;
	/* outer grid corners: half a patch side beyond the outer centres */
	hx[0] = LUMEN_CC_PATCH_FRAC / 2;
	hx[1] = LUMEN_CC_PATCH_FRAC / 2;
	double li[4], lj[4];

	if (bw == 6) {	/* TL, TR, BR, BL with rows along i */
		li[0] = bi - hx[0];          lj[0] = bj - hx[1];
		li[1] = bi + 5 + hx[0];      lj[1] = bj - hx[1];
		li[2] = bi + 5 + hx[0];      lj[2] = bj + 3 + hx[1];
		li[3] = bi - hx[0];          lj[3] = bj + 3 + hx[1];
	} else {	/* rows of the chart run along j */
		li[0] = bi - hx[0];          lj[0] = bj - hx[1];
		li[1] = bi - hx[0];          lj[1] = bj + 5 + hx[1];
		li[2] = bi + 3 + hx[0];      lj[2] = bj + 5 + hx[1];
		li[3] = bi + 3 + hx[0];      lj[3] = bj - hx[1];
	}
	for (int k = 0; k < 4; k++)
		if (!homography_apply(&h, li[k], lj[k], &res->corners[2 * k],
				      &res->corners[2 * k + 1]))
			return;
	res->count = best;
}

int lumen_cc_detect(const struct lumen_frame *f, double corners[8])
{
	static const float thresholds[] = { 0.03f, 0.05f, 0.02f, 0.08f };
	struct grid_result best = { 0 }, res;
	float *img, *blur = NULL, *tmpi = NULL;
	struct blob *b = NULL;
	int w = 0, h = 0, nb, ret = -ENOENT;

	if (!frame_ok(f) || !corners || f->width < 64 || f->height < 64)
		return -EINVAL;
	img = half_image(f, &w, &h);
	blur = malloc((size_t)w * h * 3 * sizeof(float));
	tmpi = malloc((size_t)w * h * 3 * sizeof(float));
	if (!img || !blur || !tmpi) {
		ret = -ENOMEM;
		goto out;
	}
	box3(img, blur, tmpi, w, h);

	for (size_t t = 0; t < sizeof(thresholds) / sizeof(thresholds[0]);
	     t++) {
		int *cand, nc = 0;
		struct lattice_pt *pts;
		double *tmp;

		b = flat_blobs(blur, w, h, thresholds[t], &nb);
		if (!b) {
			ret = -ENOMEM;
			goto out;
		}
		cand = malloc((size_t)(nb + 1) * sizeof(*cand));
		pts = malloc((size_t)(nb + 1) * sizeof(*pts));
		tmp = malloc((size_t)(nb + 1) * 6 * sizeof(*tmp));
		if (!cand || !pts || !tmp) {
			free(cand);
			free(pts);
			free(tmp);
			ret = -ENOMEM;
			goto out;
		}
		for (int k = 0; k < nb; k++)
			if (blob_is_square(&b[k], w, h))
				cand[nc++] = k;
		for (int k = 0; k < nc; k++) {
			try_seed(b, cand, nc, k, pts, tmp, &res);
			if (res.count > best.count)
				best = res;
		}
		free(cand);
		free(pts);
		free(tmp);
		free(b);
		b = NULL;
		if (best.count >= 20)
			break;
	}
	if (best.count >= 12) {
		for (int k = 0; k < 8; k++)
			corners[k] = 2 * best.corners[k];
		ret = 0;
	}
out:
	free(b);
	free(img);
	free(blur);
	free(tmpi);
	return ret;
}
