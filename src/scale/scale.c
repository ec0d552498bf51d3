// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Scaler: the create-time plan (filter tables), the C reference kernels and
 * the per-frame driver. See scale.h for the arithmetic every kernel keeps.
 */
#include "scale/scale.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/clock.h"
#include "core/cpu.h"
#include "core/errmsg.h"

static const char *const filter_names[] = {
	[LUMEN_SCALE_AREA] = "area",
	[LUMEN_SCALE_BILINEAR] = "bilinear",
	[LUMEN_SCALE_LANCZOS2] = "lanczos2",
};
#define N_FILTERS (int)(sizeof(filter_names) / sizeof(filter_names[0]))

const char *lumen_scale_filter_name(enum lumen_scale_filter f)
{
	return (int)f >= 0 && (int)f < N_FILTERS ? filter_names[f] : "?";
}

int lumen_scale_filter_parse(const char *s, enum lumen_scale_filter *out)
{
	for (int i = 0; s && i < N_FILTERS; i++)
		if (!strcasecmp(s, filter_names[i])) {
			*out = (enum lumen_scale_filter)i;
			return 0;
		}
	return -EINVAL;
}

/* ---- C reference kernels ---- */

/*
 * The shifts below are of signed ints: lumen relies on them being
 * arithmetic (floor), as GCC and clang define them on every target.
 */
LUMEN_SCALE_V_FN(lumen_scale_v_c)
{
	for (int x = 0; x < width; x++) {
		int32_t sum = 2;

		for (int k = 0; k < taps; k++)
			sum += (int32_t)coef[k] * rows[k][x];
		dst[x] = (int16_t)(sum >> 2);
	}
}

LUMEN_SCALE_H_FN(lumen_scale_h_c)
{
	const int taps = a->taps;

	for (int i = 0; i < a->dst_len; i++) {
		const int16_t *s = src + a->start[i];
		const int16_t *c = a->coef + (size_t)i * (size_t)taps;
		int32_t sum = 8192;

		for (int k = 0; k < taps; k++)
			sum += (int32_t)c[k] * s[k];
		sum >>= 14;
		dst[i] = (uint8_t)(sum < 0 ? 0 : sum > 255 ? 255 : sum);
	}
}

void lumen_scale_dsp_init(struct lumen_scale_dsp *dsp)
{
	dsp->v = lumen_scale_v_c;
	dsp->h = lumen_scale_h_c;
#if defined(LUMEN_HAVE_AVX2)
	lumen_scale_dsp_init_x86(dsp);
#elif defined(LUMEN_HAVE_NEON)
	lumen_scale_dsp_init_arm(dsp);
#endif
}

/* ---- planning ---- */

static double sinc(double x)
{
	if (fabs(x) < 1e-9)
		return 1.0;
	x *= M_PI;
	return sin(x) / x;
}

/*
 * Unclamped window [*k0, *k1] of output @i and the weight of source sample
 * k in it (before normalisation).
 */
struct axis_geom {
	enum lumen_scale_filter f;
	double r;	/* source samples per output sample */
	double s;	/* kernel stretch: max(r, 1) */
	double radius;	/* kernel support, in source samples */
};

static void window_of(const struct axis_geom *g, int i, int *k0, int *k1)
{
	if (g->f == LUMEN_SCALE_AREA && g->r >= 1.0) {
		*k0 = (int)floor(i * g->r);
		*k1 = (int)ceil((i + 1) * g->r) - 1;
	} else {
		double c = (i + 0.5) * g->r - 0.5;

		*k0 = (int)floor(c - g->radius);
		*k1 = (int)ceil(c + g->radius);
	}
}

static double weight_of(const struct axis_geom *g, int i, int k)
{
	double c = (i + 0.5) * g->r - 0.5, t;

	if (g->f == LUMEN_SCALE_AREA && g->r >= 1.0) {
		double lo = fmax(k, i * g->r), hi = fmin(k + 1, (i + 1) * g->r);

		return hi > lo ? hi - lo : 0.0;
	}
	t = fabs((k - c) / g->s);
	if (g->f == LUMEN_SCALE_LANCZOS2)
		return t < 2.0 ? sinc(t) * sinc(t / 2.0) : 0.0;
	return t < 1.0 ? 1.0 - t : 0.0;	/* tent (and AREA upscaling) */
}

static int clampi(int v, int lo, int hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/*
 * Q8 weights of output @i over clamped source samples *lo .. *lo + *n - 1
 * into q[] (room for the window), zero taps at both ends trimmed.
 */
static void quantise(const struct axis_geom *g, int src_len, int i,
		     double *w, int16_t *q, int *lo, int *n)
{
	int k0, k1, a, b, best = 0, sum = 0;
	double total = 0.0;

	window_of(g, i, &k0, &k1);
	a = clampi(k0, 0, src_len - 1);
	b = clampi(k1, 0, src_len - 1);
	for (int j = 0; j <= b - a; j++)
		w[j] = 0.0;
	for (int k = k0; k <= k1; k++) {	/* fold outside taps onto edges */
		double wk = weight_of(g, i, k);

		w[clampi(k, 0, src_len - 1) - a] += wk;
		total += wk;
	}
	if (total <= 0.0) {	/* cannot happen for these kernels; be safe */
		w[0] = total = 1.0;
	}
	for (int j = 0; j <= b - a; j++) {
		q[j] = (int16_t)lround(w[j] / total * 256.0);
		sum += q[j];
		if (abs(q[j]) > abs(q[best]))
			best = j;
	}
	q[best] = (int16_t)(q[best] + 256 - sum);	/* exact unit gain */
	while (b > a && q[b - a] == 0)
		b--;
	while (a < b && q[0] == 0) {
		memmove(q, q + 1, (size_t)(b - a) * sizeof(*q));
		a++;
	}
	*lo = a;
	*n = b - a + 1;
}

void lumen_scale_axis_free(struct lumen_scale_axis *a)
{
	free(a->start);
	free(a->coef);
	memset(a, 0, sizeof(*a));
}

int lumen_scale_axis_plan(struct lumen_scale_axis *a, int src_len,
			  int dst_len, enum lumen_scale_filter f, int pad_h)
{
	struct axis_geom g;
	double *w = NULL;
	int16_t *q = NULL;
	int wmax, taps = 1, span, err = -ENOMEM;

	memset(a, 0, sizeof(*a));
	if (src_len <= 0 || dst_len <= 0 || src_len > LUMEN_MAX_DIM ||
	    dst_len > LUMEN_MAX_DIM || (int)f < 0 || (int)f >= N_FILTERS)
		return -EINVAL;
	g.f = f;
	g.r = (double)src_len / dst_len;
	g.s = g.r > 1.0 ? g.r : 1.0;
	g.radius = (f == LUMEN_SCALE_LANCZOS2 ? 2.0 : 1.0) * g.s;
	wmax = (int)ceil(2.0 * g.radius) + 4;

	w = malloc((size_t)wmax * sizeof(*w));
	q = malloc((size_t)wmax * sizeof(*q));
	if (!w || !q)
		goto free_scratch;
	for (int i = 0; i < dst_len; i++) {	/* widest window */
		int lo, n;

		quantise(&g, src_len, i, w, q, &lo, &n);
		if (n > taps)
			taps = n;
	}
	if (pad_h)
		taps = taps <= 4 ? 4 : (taps + 7) & ~7;
	span = src_len > taps ? src_len : taps;

	a->start = malloc((size_t)dst_len * sizeof(*a->start));
	a->coef = calloc((size_t)dst_len * (size_t)taps, sizeof(*a->coef));
	if (!a->start || !a->coef)
		goto free_axis;
	for (int i = 0; i < dst_len; i++) {
		int16_t *c = a->coef + (size_t)i * (size_t)taps;
		int lo, n, st;

		quantise(&g, src_len, i, w, q, &lo, &n);
		st = lo + taps > span ? span - taps : lo;
		a->start[i] = st;
		for (int j = 0; j < n; j++)
			c[lo - st + j] = q[j];
	}
	a->src_len = src_len;
	a->dst_len = dst_len;
	a->taps = taps;
	err = 0;
	goto free_scratch;

free_axis:
	lumen_scale_axis_free(a);
free_scratch:
	free(w);
	free(q);
	return err;
}

/* ---- the scaler ---- */

static int is_yuv420(enum lumen_pixfmt f)
{
	return f == LUMEN_PIX_NV12 || f == LUMEN_PIX_I420;
}

void lumen_scaler_destroy(struct lumen_scaler *s)
{
	if (!s)
		return;
	for (int p = 0; p < 2; p++) {
		lumen_scale_axis_free(&s->h[p]);
		lumen_scale_axis_free(&s->v[p]);
	}
	free(s->tmp);
	free(s->tmp_cb);
	free(s->tmp_cr);
	free(s->row_cb);
	free(s->row_cr);
	free(s->rows);
	free(s);
}

int lumen_scaler_create(struct lumen_scaler **out,
			const struct lumen_scaler_config *cfg,
			char *err, size_t errlen)
{
	struct lumen_scaler *s;
	struct lumen_frame probe;
	int planes, e, vtaps, ctmp;
	size_t luma_tmp;

	*out = NULL;
	if (!(is_yuv420(cfg->src_fmt) && is_yuv420(cfg->dst_fmt)) &&
	    !(cfg->src_fmt == LUMEN_PIX_GRAY8 && cfg->dst_fmt == LUMEN_PIX_GRAY8))
		return lumen_fail(-EINVAL, err, errlen, "scaler: cannot scale %s to %s "
			    "(nv12/i420 to nv12/i420, or gray8 to gray8)",
			    lumen_pixfmt_name(cfg->src_fmt),
			    lumen_pixfmt_name(cfg->dst_fmt));
	if (lumen_frame_layout(&probe, cfg->src_fmt, cfg->src_width,
			       cfg->src_height, 0) < 0)
		return lumen_fail(-EINVAL, err, errlen, "scaler: bad source size %dx%d "
			    "for %s", cfg->src_width, cfg->src_height,
			    lumen_pixfmt_name(cfg->src_fmt));
	if (lumen_frame_layout(&probe, cfg->dst_fmt, cfg->dst_width,
			       cfg->dst_height, 0) < 0)
		return lumen_fail(-EINVAL, err, errlen, "scaler: bad output size %dx%d "
			    "for %s", cfg->dst_width, cfg->dst_height,
			    lumen_pixfmt_name(cfg->dst_fmt));
	if ((int)cfg->filter < 0 || (int)cfg->filter >= N_FILTERS)
		return lumen_fail(-EINVAL, err, errlen, "scaler: unknown filter %d",
			    (int)cfg->filter);

	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->cfg = *cfg;
	planes = is_yuv420(cfg->src_fmt) ? 2 : 1;
	for (int p = 0; p < planes; p++) {
		int sh = p ? 1 : 0;

		e = lumen_scale_axis_plan(&s->h[p], cfg->src_width >> sh,
					  cfg->dst_width >> sh, cfg->filter, 1);
		if (!e)
			e = lumen_scale_axis_plan(&s->v[p], cfg->src_height >> sh,
						  cfg->dst_height >> sh,
						  cfg->filter, 0);
		if (e)
			goto destroy;
	}
	e = -ENOMEM;
	/* the luma buffer also takes the interleaved NV12 chroma rows */
	luma_tmp = (size_t)(cfg->src_width > s->h[0].taps ?
			    cfg->src_width : s->h[0].taps) + 16;
	s->tmp = calloc(luma_tmp, sizeof(int16_t));
	vtaps = s->v[0].taps > s->v[1].taps ? s->v[0].taps : s->v[1].taps;
	s->rows = calloc((size_t)vtaps, sizeof(*s->rows));
	if (!s->tmp || !s->rows)
		goto destroy;
	if (planes == 2) {
		ctmp = (cfg->src_width / 2 > s->h[1].taps ?
			cfg->src_width / 2 : s->h[1].taps) + 16;
		s->tmp_cb = calloc((size_t)ctmp, sizeof(int16_t));
		s->tmp_cr = calloc((size_t)ctmp, sizeof(int16_t));
		s->row_cb = malloc((size_t)cfg->dst_width / 2 + 1);
		s->row_cr = malloc((size_t)cfg->dst_width / 2 + 1);
		if (!s->tmp_cb || !s->tmp_cr || !s->row_cb || !s->row_cr)
			goto destroy;
	}
	*out = s;
	return 0;

destroy:
	lumen_scaler_destroy(s);
	if (e == -ENOMEM)
		return lumen_fail(e, err, errlen, "scaler: out of memory");
	return lumen_fail(e, err, errlen, "scaler: cannot plan %dx%d -> %dx%d",
		    cfg->src_width, cfg->src_height, cfg->dst_width,
		    cfg->dst_height);
}

/* Row pointers of the vertical window of output row @y (clamped: taps past
 * the plane have coefficient 0, see struct lumen_scale_axis). */
static const int16_t *vwindow(struct lumen_scaler *s,
			      const struct lumen_scale_axis *v, int y,
			      const uint8_t *plane, size_t stride)
{
	for (int k = 0; k < v->taps; k++) {
		int r = v->start[y] + k;

		if (r >= v->src_len)
			r = v->src_len - 1;
		s->rows[k] = plane + (size_t)r * stride;
	}
	return v->coef + (size_t)y * (size_t)v->taps;
}

static void scale_luma(struct lumen_scaler *s, const struct lumen_scale_dsp *d,
		       const struct lumen_frame *src, struct lumen_frame *dst)
{
	const struct lumen_scale_axis *v = &s->v[0], *h = &s->h[0];

	for (int y = 0; y < v->dst_len; y++) {
		const int16_t *c = vwindow(s, v, y, src->data[0], src->stride[0]);

		d->v(s->tmp, s->rows, c, v->taps, h->src_len);
		d->h(dst->data[0] + (size_t)y * dst->stride[0], s->tmp, h);
	}
}

static void scale_chroma(struct lumen_scaler *s,
			 const struct lumen_scale_dsp *d,
			 const struct lumen_frame *src, struct lumen_frame *dst)
{
	const struct lumen_scale_axis *v = &s->v[1], *h = &s->h[1];
	const int cw = h->src_len, ow = h->dst_len;

	for (int y = 0; y < v->dst_len; y++) {
		const int16_t *c;

		if (src->fmt == LUMEN_PIX_NV12) {
			c = vwindow(s, v, y, src->data[1], src->stride[1]);
			d->v(s->tmp, s->rows, c, v->taps, 2 * cw);
			for (int x = 0; x < cw; x++) {
				s->tmp_cb[x] = s->tmp[2 * x];
				s->tmp_cr[x] = s->tmp[2 * x + 1];
			}
		} else {
			c = vwindow(s, v, y, src->data[1], src->stride[1]);
			d->v(s->tmp_cb, s->rows, c, v->taps, cw);
			c = vwindow(s, v, y, src->data[2], src->stride[2]);
			d->v(s->tmp_cr, s->rows, c, v->taps, cw);
		}
		if (dst->fmt == LUMEN_PIX_NV12) {
			uint8_t *o = dst->data[1] + (size_t)y * dst->stride[1];

			d->h(s->row_cb, s->tmp_cb, h);
			d->h(s->row_cr, s->tmp_cr, h);
			for (int x = 0; x < ow; x++) {
				o[2 * x] = s->row_cb[x];
				o[2 * x + 1] = s->row_cr[x];
			}
		} else {
			d->h(dst->data[1] + (size_t)y * dst->stride[1], s->tmp_cb, h);
			d->h(dst->data[2] + (size_t)y * dst->stride[2], s->tmp_cr, h);
		}
	}
}

int lumen_scaler_run(struct lumen_scaler *s, const struct lumen_frame *src,
		     struct lumen_frame *dst)
{
	const struct lumen_scaler_config *c = &s->cfg;
	struct lumen_scale_dsp dsp;
	uint64_t t0;

	if (!src || !dst || src->fmt != c->src_fmt || dst->fmt != c->dst_fmt ||
	    src->width != c->src_width || src->height != c->src_height ||
	    dst->width != c->dst_width || dst->height != c->dst_height) {
		s->ctr.errors++;
		return -EINVAL;
	}
	t0 = lumen_now_ns();
	lumen_scale_dsp_init(&dsp);
	scale_luma(s, &dsp, src, dst);
	if (is_yuv420(c->src_fmt))
		scale_chroma(s, &dsp, src, dst);
	dst->sequence = src->sequence;
	dst->timestamp_ns = src->timestamp_ns;
	s->ctr.ns_last = lumen_now_ns() - t0;
	s->ctr.ns_total += s->ctr.ns_last;
	s->ctr.frames++;
	return 0;
}

void lumen_scaler_read_counters(const struct lumen_scaler *s,
				struct lumen_scaler_counters *out)
{
	*out = s->ctr;
}
