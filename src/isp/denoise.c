// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Noise reduction on the working raw (Bayer domain), after the statistics
 * and before white balance, so that the noise model of the raw applies:
 * variance = A v + B at level v, with A = noise[0] gain and B = noise[1]
 * gain^2 (lumen_isp_params.dpc_noise and dpc_gain: the DNG NoiseProfile,
 * or the tuning's profile times the analogue gain), or, when the params
 * give none, B from the frame itself (lumen_dpc_noise_estimate()).
 *
 * Two methods (lumen_isp_params.denoise):
 *
 * FAST, for live frames: a sigma filter over each sample's eight
 * same-colour neighbours (2 samples away), one pass in raster order with
 * three rows kept aside. A neighbour within t = k sigma(v) of the centre
 * v (k = LUMEN_DENOISE_K x strength) adds its difference, the others add
 * nothing, and the sum over nine goes onto the centre (isp_dsp.h,
 * lumen_denoise_row_fn, C here and AVX2 beside). On a flat area the noise
 * falls to about a third; across an edge higher than t nothing mixes.
 *
 * QUALITY, for files: non-local means over 2x2 cells (the four samples of
 * a cell together, so every colour votes on which cells are alike) in a
 * variance-stabilised domain (the generalised Anscombe transform of the
 * model, unit noise everywhere), 3x3-cell patches in a 7x7-cell search
 * window, weights exp(-max(d2 - 2, 0) / h^2) with d2 the mean squared
 * patch difference, the centre weighted 1; back
 * through the asymptotically unbiased inverse; strength scales h. Allocates its planes
 * (about 8 bytes per pixel, and a strip's sums) per frame: it is for files, not streams.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "isp/isp_band.h"
#include "isp/isp_dsp.h"
#include "isp/stages.h"

/* sigma filter threshold, in noise sigmas of the centre's level */
#define LUMEN_DENOISE_K 3.0f
/* largest threshold (working units): keeps the kernel's sums in 16 bits */
#define DENOISE_T_MAX 4000.0f
/* non-local means: search radius and patch radius in cells, and h */
#define NLM_R 3
#define NLM_P 1
#define NLM_H 1.2f
#define NLM_LUT 1024
#define NLM_LUT_MAX 8.0f	/* exp(-8) ~ 0: arguments beyond it give 0 */
#define NLM_STRIP 8	/* cell rows per strip: its planes stay in L1/L2 */

static inline int mirror(int i, int n)
{
	if (i < 0)
		return -i < n ? -i : (n - 1) & ~1;	/* tiny frames */
	if (i >= n)
		return 2 * (n - 1) - i >= 0 ? 2 * (n - 1) - i : 0;
	return i;
}

void lumen_denoise_model(const struct lumen_isp_params *p,
			 const struct lumen_frame *work, float model[2])
{
	const double g = p->dpc_gain > 0.0f ? p->dpc_gain : 1.0;

	model[0] = (float)(p->dpc_noise[0] > 0.0f ? p->dpc_noise[0] * g : 0.0);
	model[1] = (float)(p->dpc_noise[1] > 0.0f ? p->dpc_noise[1] * g * g : 0.0);
	if (model[0] <= 0.0f && model[1] <= 0.0f && work) {
		/* texture and grain count as noise in the estimate: take a
		 * fraction, so a clean frame is left nearly alone */
		lumen_dpc_noise_estimate(work, model);
		model[1] *= LUMEN_DENOISE_ESTIMATE_SHARE;
	}
}

/* k sigma at level @v, in IEEE single precision, clipped to the largest
 * threshold: the curve the tables below follow. */
static int thr_exact(double v, float a, float b)
{
	float x = (float)v * a + b;

	x = x > 0.0f ? sqrtf(x) : 0.0f;
	return (int)(x < DENOISE_T_MAX ? x : DENOISE_T_MAX);
}

void lumen_denoise_coef_make(struct lumen_denoise_coef *c, const float model[2],
			     float strength)
{
	const float k = LUMEN_DENOISE_K * strength;
	/* a negative model term counts as none: the curve never falls */
	const float a = model[0] > 0.0f ? k * k * model[0] : 0.0f;
	const float b = model[1] > 0.0f ? k * k * model[1] : 0.0f;

	/* sqrt is concave: the segments are finer where it bends most (the
	 * darkest 1024 levels in 16 of 64), linear between their ends */
	for (int i = 0; i < 16; i++) {
		c->lo_base[i] = (uint16_t)thr_exact(64.0 * i, a, b);
		c->lo_step[i] = (uint16_t)(thr_exact(64.0 * (i + 1), a, b) - c->lo_base[i]);
		c->hi_base[i] = (uint16_t)thr_exact(1024.0 * i, a, b);
		c->hi_step[i] = (uint16_t)(thr_exact(1024.0 * (i + 1), a, b) - c->hi_base[i]);
	}
}

/* The threshold of level @v (isp_dsp.h): exactly the kernels' arithmetic. */
static inline int thr(unsigned v, const struct lumen_denoise_coef *c)
{
	if (v < 1024)
		return c->lo_base[v >> 6] + ((c->lo_step[v >> 6] * (v & 63)) >> 6);
	return c->hi_base[v >> 10] + ((c->hi_step[v >> 10] * (v & 1023)) >> 10);
}

/* One output sample (the kernel's formula) from its centre and the eight
 * neighbours' values. */
static inline uint16_t sigma9(int v, const int nb[8], const struct lumen_denoise_coef *c)
{
	const int t = thr((unsigned)v, c);
	int s = 0, q;

	for (int k = 0; k < 8; k++) {
		const int d = nb[k] - v;

		s += d <= t && d >= -t ? d : 0;
	}
	q = (s * 3641 + 16384) >> 15;	/* s / 9, as vpmulhrsw rounds */
	v += q;
	return (uint16_t)(v < 0 ? 0 : v > LUMEN_WORK_MAX ? LUMEN_WORK_MAX : v);
}

LUMEN_DENOISE_ROW_FN(lumen_denoise_row_c)
{
	for (int i = 0; i < n; i++) {
		const int nb[8] = { up[i - 2], up[i], up[i + 2], row[i - 2],
				    row[i + 2], dn[i - 2], dn[i], dn[i + 2] };

		dst[i] = sigma9(row[i], nb, c);
	}
}

/* Columns of row @y at the edges (x < 2, x >= w - 2), mirrored. */
static void edge_cols(uint16_t *dst, const uint16_t *up, const uint16_t *row,
		      const uint16_t *dn, int w, const struct lumen_denoise_coef *c)
{
	for (int x = 0; x < w; x++) {
		if (x == 2 && w > 4)
			x = w - 2;
		const int l = mirror(x - 2, w), r = mirror(x + 2, w);
		const int nb[8] = { up[l], up[x], up[r], row[l], row[r], dn[l], dn[x], dn[r] };

		dst[x] = sigma9(row[x], nb, c);
	}
}

void lumen_denoise_slice_begin(const struct lumen_frame *work, uint16_t *keep,
			       uint16_t *below, int y0, int y1)
{
	const int w = work->width, h = work->height;

	for (int y = y0 - 2; y < y0; y++)
		if (y >= 0)
			memcpy(keep + (size_t)(y % 3) * w,
			       work->data[0] + (size_t)y * work->stride[0], 2 * (size_t)w);
	for (int y = y1; y < y1 + 2 && y < h; y++)
		memcpy(below + (size_t)(y - y1) * w,
		       work->data[0] + (size_t)y * work->stride[0], 2 * (size_t)w);
}

/* Row @yy as it was before any denoise write, for row @y of rows
 * [y0, y1) (lumen_denoise_fast_rows()); @yy is within y - 2 .. y + 2. */
static const uint16_t *row_before(const struct lumen_frame *work, const uint16_t *keep,
				  const uint16_t *below, int y, int y1, int yy)
{
	const int w = work->width;

	if (yy <= y)		/* written or being written: its kept copy */
		return keep + (size_t)(yy % 3) * w;
	if (yy >= y1 && below)	/* another worker's, copied before */
		return below + (size_t)(yy - y1) * w;
	return (const uint16_t *)(const void *)(work->data[0] + (size_t)yy * work->stride[0]);
}

void lumen_denoise_fast_rows(const struct lumen_isp_dsp *dsp, struct lumen_frame *work,
			     const struct lumen_denoise_coef *c, uint16_t *keep,
			     const uint16_t *below, int y0, int y1)
{
	const int w = work->width, h = work->height;

	/* keep + (y % 3) w: row y as it was, until row y + 2 is done */
	for (int y = y0; y < y1; y++) {
		uint16_t *r = (uint16_t *)(void *)(work->data[0] + (size_t)y * work->stride[0]);
		uint16_t *kept = keep + (size_t)(y % 3) * w;
		const uint16_t *up, *dn;

		memcpy(kept, r, 2 * (size_t)w);
		up = row_before(work, keep, below, y, y1, mirror(y - 2, h));
		dn = row_before(work, keep, below, y, y1, mirror(y + 2, h));
		edge_cols(r, up, kept, dn, w, c);
		if (w > 4)
			dsp->denoise_row(r + 2, up + 2, kept + 2, dn + 2, w - 4, c);
	}
}

int lumen_denoise_fast_apply(struct lumen_frame *work, const struct lumen_denoise_coef *c,
			     uint16_t *rows)
{
	struct lumen_isp_dsp dsp;

	if (work->width < 1 || work->height < 1)
		return -EINVAL;
	lumen_isp_dsp_init(&dsp);
	lumen_denoise_fast_rows(&dsp, work, c, rows, NULL, 0, work->height);
	return 0;
}

/* ---- the quality method: non-local means over cells ---- */

struct vst {
	float a, b;	/* model: variance = a v + b */
	float off;	/* 3/8 + b / a^2, or 1 / sqrt(b) when a = 0 */
};

static inline float vst_fwd(const struct vst *t, float v)
{
	float z;

	if (t->a <= 0.0f)
		return v * t->off;
	z = v / t->a + t->off;
	return 2.0f * sqrtf(z > 0.0f ? z : 0.0f);
}

static inline float vst_inv(const struct vst *t, float f)
{
	float z;

	if (t->a <= 0.0f)
		return f / t->off;
	/* asymptotically unbiased: f^2 / 4 - 1/8 for a Poisson variable */
	z = 0.25f * f * f - 0.125f - (t->off - 0.375f);
	return z * t->a;
}

/*
 * One strip of rows [y0, y1) of the padded cell grid (inside the padding)
 * through the whole search window: the weighted sums of the cells of the
 * strip into @acc (four planes) and @wsum, @sr = y1 - y0 rows of @pw each,
 * zeroed here. @d and @box take sr + 2 rows (the patch rows above and
 * below). Small strips keep every plane the window touches in cache; each
 * cell's sums run over the offsets in the same order as a whole-frame pass
 * would, so the result does not depend on the strip height.
 */
/* a += w p for the four planes of a row, and ws += w */
static void nlm_accumulate(float *restrict a0, float *restrict a1,
			   float *restrict a2, float *restrict a3,
			   float *restrict ws, const float *restrict p0,
			   const float *restrict p1, const float *restrict p2,
			   const float *restrict p3, const float *restrict w, int n)
{
	for (int x = 0; x < n; x++) {
		a0[x] += w[x] * p0[x];
		a1[x] += w[x] * p1[x];
		a2[x] += w[x] * p2[x];
		a3[x] += w[x] * p3[x];
		ws[x] += w[x];
	}
}

/* GCC if-converts the clamps below into min/max only without trapping
 * math (results are the same); clang does anyway */
#if defined(__GNUC__) && !defined(__clang__)
__attribute__((optimize("no-trapping-math")))
#endif
static void nlm_strip(float *const pl[4], int pw, int y0, int y1,
		      float *const acc[4], float *wsum, float *d, float *box,
		      float *restrict wrow, const float *restrict lut, float scale)
{
	const int pad = NLM_R + NLM_P, sr = y1 - y0, x0 = pad, n = pw - 2 * pad;
	const float inv_n = 1.0f / (4.0f * (2 * NLM_P + 1) * (2 * NLM_P + 1));
	const float *restrict p0 = pl[0], *restrict p1 = pl[1];
	const float *restrict p2 = pl[2], *restrict p3 = pl[3];

	for (int k = 0; k < 4; k++)
		memset(acc[k], 0, (size_t)sr * pw * sizeof(float));
	memset(wsum, 0, (size_t)sr * pw * sizeof(float));
	for (int dy = -NLM_R; dy <= NLM_R; dy++) {
		for (int dx = -NLM_R; dx <= NLM_R; dx++) {
			if (!dx && !dy)
				continue;
			/* d: squared cell differences over the rows and
			 * columns that the strip's patches reach; box: their
			 * horizontal sums */
			for (int y = y0 - NLM_P; y < y1 + NLM_P; y++) {
				const size_t o = (size_t)y * pw + x0 - NLM_P;
				const size_t s = o + (ptrdiff_t)dy * pw + dx;
				float *restrict dr = d + (size_t)(y - y0 + NLM_P) * pw + x0 - NLM_P;
				float *restrict b = box + (size_t)(y - y0 + NLM_P) * pw + x0;

				for (int x = 0; x < n + 2 * NLM_P; x++) {
					const float q0 = p0[o + x] - p0[s + x];
					const float q1 = p1[o + x] - p1[s + x];
					const float q2 = p2[o + x] - p2[s + x];
					const float q3 = p3[o + x] - p3[s + x];

					dr[x] = ((q0 * q0 + q1 * q1) + q2 * q2) + q3 * q3;
				}
				for (int x = 0; x < n; x++)
					b[x] = dr[x] + dr[x + 1] + dr[x + 2];
			}
			/* vertical sums to the weight (a table of exp), then
			 * the weighted sums */
			for (int y = y0; y < y1; y++) {
				const size_t s = (size_t)y * pw + (ptrdiff_t)dy * pw + dx + x0;
				const size_t lo = (size_t)(y - y0) * pw + x0;
				const float *restrict b1 = box + (size_t)(y - y0 + NLM_P) * pw + x0;
				const float *restrict b0 = b1 - pw, *restrict b2 = b1 + pw;
				float *restrict a0 = acc[0] + lo, *restrict a1 = acc[1] + lo;
				float *restrict a2 = acc[2] + lo, *restrict a3 = acc[3] + lo;
				float *restrict ws = wsum + lo;

				for (int x = 0; x < n; x++) {
					float a = (b0[x] + b1[x] + b2[x]) * inv_n - 2.0f;

					a = a > 0.0f ? a * scale : 0.0f;
					wrow[x] = a < (float)NLM_LUT ? a : (float)NLM_LUT;
				}
				for (int x = 0; x < n; x++)
					wrow[x] = lut[(int)wrow[x]];
				nlm_accumulate(a0, a1, a2, a3, ws, p0 + s, p1 + s,
					       p2 + s, p3 + s, wrow, n);
			}
		}
	}
}

int lumen_denoise_quality_apply(struct lumen_frame *work, const float model[2],
				float strength)
{
	const int w2 = work->width / 2, h2 = work->height / 2, pad = NLM_R + NLM_P;
	const int pw = w2 + 2 * pad, ph = h2 + 2 * pad;
	const size_t np = (size_t)pw * ph, ns = (size_t)NLM_STRIP * pw;
	const float h = NLM_H * strength;
	struct vst t = { model[0], model[1], 0.0f };
	float *mem, *pl[4], *acc[4], *wsum, *d, *box, *wrow;
	float lut[NLM_LUT + 1];

	if (w2 < 1 || h2 < 1 || h <= 0.0f)
		return 0;
	if (t.a > 0.0f)
		t.off = 0.375f + t.b / (t.a * t.a);
	else if (t.b > 0.0f)
		t.off = 1.0f / sqrtf(t.b);
	else
		return 0;	/* no noise */
	/* the planes, then a strip's sums and its two row buffers */
	mem = malloc((np * 4 + ns * 5 + (ns + 2 * NLM_P * (size_t)pw) * 2 + pw) *
		     sizeof(float));
	if (!mem)
		return -ENOMEM;
	for (int k = 0; k < 4; k++) {
		pl[k] = mem + np * k;
		acc[k] = mem + np * 4 + ns * k;
	}
	wsum = mem + np * 4 + ns * 4;
	d = wsum + ns;
	box = d + ns + 2 * NLM_P * (size_t)pw;
	wrow = box + ns + 2 * NLM_P * (size_t)pw;
	for (int i = 0; i <= NLM_LUT; i++)
		lut[i] = expf(-(float)i * NLM_LUT_MAX / NLM_LUT);

	/* the cells' four samples, stabilised, mirrored into the padding */
	for (int y = 0; y < ph; y++) {
		const int cy = mirror(y - pad, h2);

		for (int k = 0; k < 4; k++) {
			const uint16_t *r = (const uint16_t *)(const void *)
				(work->data[0] + (size_t)(2 * cy + (k >> 1)) * work->stride[0]);
			float *o = pl[k] + (size_t)y * pw;

			for (int x = 0; x < pw; x++)
				o[x] = vst_fwd(&t, r[2 * mirror(x - pad, w2) + (k & 1)]);
		}
	}

	const float scale = NLM_LUT / NLM_LUT_MAX / (h * h);

	for (int y0 = pad; y0 < ph - pad; y0 += NLM_STRIP) {
		const int y1 = y0 + NLM_STRIP < ph - pad ? y0 + NLM_STRIP : ph - pad;

		nlm_strip(pl, pw, y0, y1, acc, wsum, d, box, wrow, lut, scale);
		/* the centre with weight 1, as a patch identical to itself;
		 * rows of the strip are no longer read by later strips (they
		 * read the planes, not the frame) */
		for (int y = y0; y < y1; y++) {
			for (int k = 0; k < 4; k++) {
				uint16_t *r = (uint16_t *)(void *)(work->data[0] +
					(size_t)(2 * (y - pad) + (k >> 1)) * work->stride[0]);
				const float *a = acc[k] + (size_t)(y - y0) * pw;
				const float *ws = wsum + (size_t)(y - y0) * pw;
				const float *c = pl[k] + (size_t)y * pw;

				for (int x = pad; x < pw - pad; x++) {
					float f = (a[x] + c[x]) / (ws[x] + 1.0f);
					float v = vst_inv(&t, f) + 0.5f;

					v = v < 0.0f ? 0.0f : v > LUMEN_WORK_MAX ? LUMEN_WORK_MAX : v;
					r[2 * (x - pad) + (k & 1)] = (uint16_t)v;
				}
			}
		}
	}
	free(mem);
	return 0;
}

static int denoise_run(struct lumen_isp *isp, const struct lumen_isp_params *p)
{
	float model[2];
	struct lumen_denoise_coef c;

	if (p->denoise == LUMEN_DENOISE_OFF || !(p->denoise_strength > 0.0f))
		return 0;
	lumen_denoise_model(p, &isp->raw, model);
	if (p->denoise == LUMEN_DENOISE_QUALITY)
		return lumen_denoise_quality_apply(&isp->raw, model, p->denoise_strength);
	lumen_denoise_coef_make(&c, model, p->denoise_strength);
	return lumen_denoise_fast_apply(&isp->raw, &c, isp->stage_rows);
}

const struct lumen_isp_stage lumen_isp_denoise = {
	.name = "denoise",
	.run = denoise_run,
};
