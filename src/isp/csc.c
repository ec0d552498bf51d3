// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Colour-space conversion: 8-bit R'G'B' to Y'CbCr (BT.601 or BT.709, full
 * or limited range) in NV12, I420 or YUYV. Chroma is the mean of the
 * converted samples of each 2x2 (4:2:0) or 2x1 (4:2:2) group.
 *
 * In the ISP this stage runs the ccm, tone and csc arithmetic as one pass
 * (lumen_isp_finish()): rows of the linear RGB16P frame go through the
 * matrix and the tone curve into small buffers on the stack and from there
 * straight into the output, so neither a matrixed RGB16P frame nor an RGB24
 * frame is ever written. Its counter therefore covers all three; the ccm
 * and tone stages only prepare their tables.
 */
#include <errno.h>
#include <math.h>
#include <string.h>

#include "isp/isp_band.h"
#include "isp/isp_dsp.h"
#include "isp/stages.h"

void lumen_csc_coeffs_make(enum lumen_yuv_matrix m, bool full,
			   struct lumen_csc_coeffs *c)
{
	/* Kr and Kb from ITU-R BT.601 and BT.709 */
	const double kr = m == LUMEN_YUV_BT709 ? 0.2126 : 0.299;
	const double kb = m == LUMEN_YUV_BT709 ? 0.0722 : 0.114;
	const double kg = 1 - kr - kb;
	const double ys = full ? 1.0 : 219.0 / 255.0;
	const double cs = full ? 1.0 : 224.0 / 255.0;
	const double q = 16384.0;

	/* every value is below 0.6 * 2^14 in magnitude: int16 */
	c->y[0] = (int16_t)lrint(kr * ys * q);
	c->y[1] = (int16_t)lrint(kg * ys * q);
	c->y[2] = (int16_t)lrint(kb * ys * q);
	c->cb[0] = (int16_t)lrint(-kr / (2 * (1 - kb)) * cs * q);
	c->cb[1] = (int16_t)lrint(-kg / (2 * (1 - kb)) * cs * q);
	c->cb[2] = (int16_t)lrint(0.5 * cs * q);
	c->cr[0] = (int16_t)lrint(0.5 * cs * q);
	c->cr[1] = (int16_t)lrint(-kg / (2 * (1 - kr)) * cs * q);
	c->cr[2] = (int16_t)lrint(-kb / (2 * (1 - kr)) * cs * q);
	c->y_off = full ? 0 : 16;
}

static inline uint8_t clamp8(int32_t v)
{
	return (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
}

static inline uint8_t luma(const struct lumen_csc_coeffs *c, int32_t r,
			   int32_t g, int32_t b)
{
	return clamp8(((c->y[0] * r + c->y[1] * g + c->y[2] * b + 8192) >> 14) +
		      c->y_off);
}

LUMEN_CSC420_FN(lumen_csc420_c)
{
	const uint8_t *restrict r0 = src[0], *restrict g0 = src[1];
	const uint8_t *restrict b0 = src[2], *restrict r1 = src[3];
	const uint8_t *restrict g1 = src[4], *restrict b1 = src[5];

	for (int x = 0; x < width; x++) {
		y0[x] = luma(c, r0[x], g0[x], b0[x]);
		y1[x] = luma(c, r1[x], g1[x], b1[x]);
	}
	for (int x = 0; x < width; x += 2) {
		/* sums of the 2x2: the matrix is linear */
		const int32_t r = r0[x] + r0[x + 1] + r1[x] + r1[x + 1];
		const int32_t g = g0[x] + g0[x + 1] + g1[x] + g1[x + 1];
		const int32_t b = b0[x] + b0[x + 1] + b1[x] + b1[x + 1];
		const uint8_t cb = clamp8(((c->cb[0] * r + c->cb[1] * g +
					    c->cb[2] * b + 32768) >> 16) + 128);
		const uint8_t cr = clamp8(((c->cr[0] * r + c->cr[1] * g +
					    c->cr[2] * b + 32768) >> 16) + 128);

		if (v) {
			u[x / 2] = cb;
			v[x / 2] = cr;
		} else {
			u[x] = cb;
			u[x + 1] = cr;
		}
	}
}

LUMEN_CSC422_FN(lumen_csc422_c)
{
	const uint8_t *restrict r = src[0], *restrict g = src[1];
	const uint8_t *restrict b = src[2];

	for (int x = 0; x < width; x += 2) {
		const int32_t rs = r[x] + r[x + 1], gs = g[x] + g[x + 1];
		const int32_t bs = b[x] + b[x + 1];

		d[2 * x] = luma(c, r[x], g[x], b[x]);
		d[2 * x + 1] = clamp8(((c->cb[0] * rs + c->cb[1] * gs +
					c->cb[2] * bs + 16384) >> 15) + 128);
		d[2 * x + 2] = luma(c, r[x + 1], g[x + 1], b[x + 1]);
		d[2 * x + 3] = clamp8(((c->cr[0] * rs + c->cr[1] * gs +
					c->cr[2] * bs + 16384) >> 15) + 128);
	}
}

/* columns per step of the row passes below: their buffers live on the
 * stack and stay in L1 (15 kB at most); even, so that 4:2:x groups never
 * straddle steps; wide, as each step calls each kernel once per row, and
 * at 256 those calls' setup took 7 % of the fused pass */
#define CSC_CHUNK 1280

/* The 4:2:x output rows of a frame, for rows y (and y + 1). */
struct csc_dst {
	uint8_t *y0, *y1, *u, *v;
};

static struct csc_dst csc_rows(struct lumen_frame *out, int y, int x)
{
	struct csc_dst d = { 0 };

	switch (out->fmt) {
	case LUMEN_PIX_NV12:
	case LUMEN_PIX_I420:
		d.y0 = out->data[0] + (size_t)y * out->stride[0] + x;
		d.y1 = d.y0 + out->stride[0];
		if (out->fmt == LUMEN_PIX_NV12) {
			d.u = out->data[1] + (size_t)(y / 2) * out->stride[1] + x;
		} else {
			d.u = out->data[1] + (size_t)(y / 2) * out->stride[1] + x / 2;
			d.v = out->data[2] + (size_t)(y / 2) * out->stride[2] + x / 2;
		}
		break;
	default:	/* YUYV and RGB24 */
		d.y0 = out->data[0] + (size_t)y * out->stride[0] +
		       (out->fmt == LUMEN_PIX_YUYV ? 2 : 3) * (size_t)x;
		break;
	}
	return d;
}

/* Planar 8-bit rows (one, or two for 4:2:0) of n columns into @out at
 * (x, y), through the dispatched kernels. */
static void csc_emit(const struct lumen_isp_dsp *dsp, struct lumen_frame *out,
		     const uint8_t *const px[6], int x, int y, int n,
		     const struct lumen_csc_coeffs *c)
{
	struct csc_dst d = csc_rows(out, y, x);

	switch (out->fmt) {
	case LUMEN_PIX_NV12:
	case LUMEN_PIX_I420:
		dsp->csc420(d.y0, d.y1, d.u, d.v, px, n, c);
		break;
	case LUMEN_PIX_YUYV:
		dsp->csc422(d.y0, px, n, c);
		break;
	default:
		for (int i = 0; i < n; i++) {
			d.y0[3 * i] = px[0][i];
			d.y0[3 * i + 1] = px[1][i];
			d.y0[3 * i + 2] = px[2][i];
		}
		break;
	}
}

void lumen_isp_csc_rows(const struct lumen_isp_dsp *dsp, struct lumen_frame *out,
			const uint8_t *const px[6], int y, int width,
			const struct lumen_csc_coeffs *c)
{
	csc_emit(dsp, out, px, 0, y, width, c);
}

static int csc_check_out(const struct lumen_frame *out, int w, int h)
{
	if (out->width != w || out->height != h)
		return -EINVAL;
	switch (out->fmt) {
	case LUMEN_PIX_NV12:
	case LUMEN_PIX_I420:
		return (w | h) & 1 ? -EINVAL : 0;
	case LUMEN_PIX_YUYV:
		return w & 1 ? -EINVAL : 0;
	case LUMEN_PIX_RGB24:
		return 0;
	default:
		return -EINVAL;
	}
}

int lumen_csc_apply(const struct lumen_frame *rgb8, struct lumen_frame *out,
		    enum lumen_yuv_matrix matrix, bool full_range)
{
	const int w = rgb8->width, h = rgb8->height;
	const int rows = out->fmt == LUMEN_PIX_NV12 ||
			 out->fmt == LUMEN_PIX_I420 ? 2 : 1;
	struct lumen_isp_dsp dsp;
	struct lumen_csc_coeffs c;
	uint8_t buf[6][CSC_CHUNK];
	const uint8_t *px[6] = { buf[0], buf[1], buf[2], buf[3], buf[4], buf[5] };
	int err;

	if (rgb8->fmt != LUMEN_PIX_RGB24)
		return -EINVAL;
	err = csc_check_out(out, w, h);
	if (err)
		return err;
	if (out->fmt == LUMEN_PIX_RGB24) {
		for (int y = 0; y < h && out->data[0] != rgb8->data[0]; y++)
			memcpy(out->data[0] + (size_t)y * out->stride[0],
			       rgb8->data[0] + (size_t)y * rgb8->stride[0], 3 * (size_t)w);
		return 0;
	}
	lumen_csc_coeffs_make(matrix, full_range, &c);
	lumen_isp_dsp_init(&dsp);

	for (int y = 0; y < h; y += rows)
		for (int x = 0; x < w; x += CSC_CHUNK) {
			const int n = w - x < CSC_CHUNK ? w - x : CSC_CHUNK;

			/* de-interleave into planes, then the planar kernels */
			for (int k = 0; k < rows; k++) {
				const uint8_t *s = rgb8->data[0] +
					(size_t)(y + k) * rgb8->stride[0] + 3 * (size_t)x;

				for (int i = 0; i < n; i++) {
					buf[3 * k][i] = s[3 * i];
					buf[3 * k + 1][i] = s[3 * i + 1];
					buf[3 * k + 2][i] = s[3 * i + 2];
				}
			}
			csc_emit(&dsp, out, px, x, y, n, &c);
		}
	return 0;
}

void lumen_isp_finish_rows(const struct lumen_isp_dsp *dsp,
			   const uint16_t *const band[3],
			   const size_t band_stride[3], int width,
			   const int32_t q[3][3],
			   const struct lumen_tone *tone,
			   const struct lumen_csc_coeffs *c,
			   struct lumen_frame *out, int y0, int y1)
{
	const int w = width;
	const int rows = out->fmt == LUMEN_PIX_NV12 ||
			 out->fmt == LUMEN_PIX_I420 ? 2 : 1;
	uint16_t lin[3][CSC_CHUNK];
	_Alignas(64) uint8_t buf[6][CSC_CHUNK];	/* whole cache lines */
	const uint8_t *px[6] = { buf[0], buf[1], buf[2], buf[3], buf[4], buf[5] };

	for (int y = y0; y < y1; y += rows)
		for (int x = 0; x < w; x += CSC_CHUNK) {
			const int n = w - x < CSC_CHUNK ? w - x : CSC_CHUNK;

			for (int k = 0; k < rows; k++) {
				const uint16_t *s[3];
				uint16_t *l[3] = { lin[0], lin[1], lin[2] };
				uint8_t *d[3] = { buf[3 * k], buf[3 * k + 1],
						  buf[3 * k + 2] };

				for (int ch = 0; ch < 3; ch++)
					s[ch] = (const uint16_t *)(const void *)
						((const uint8_t *)(const void *)band[ch] +
						 (size_t)(y + k - y0) * band_stride[ch]) + x;
				if (dsp->ccm_tone_row) {
					dsp->ccm_tone_row(d, s, n, q, tone);
				} else {
					dsp->ccm_row(l, s, n, q);
					dsp->tone_row(d, (const uint16_t *const *)l, n, tone);
				}
			}
			csc_emit(dsp, out, px, x, y, n, c);
		}
}

int lumen_isp_finish(const struct lumen_frame *rgb, const int32_t q[3][3],
		     const struct lumen_tone *tone,
		     enum lumen_yuv_matrix matrix, bool full_range,
		     struct lumen_frame *out)
{
	const uint16_t *band[3];
	struct lumen_isp_dsp dsp;
	struct lumen_csc_coeffs c;
	int err;

	if (rgb->fmt != LUMEN_PIX_RGB16P)
		return -EINVAL;
	err = csc_check_out(out, rgb->width, rgb->height);
	if (err)
		return err;
	lumen_csc_coeffs_make(matrix, full_range, &c);
	lumen_isp_dsp_init(&dsp);
	for (int p = 0; p < 3; p++)
		band[p] = (const uint16_t *)(const void *)rgb->data[p];
	lumen_isp_finish_rows(&dsp, band, rgb->stride, rgb->width, q, tone, &c,
			      out, 0, rgb->height);
	return 0;
}

static int csc_run(struct lumen_isp *isp, const struct lumen_isp_params *p)
{
	return lumen_isp_finish(&isp->rgb, isp->ccm_q, &isp->tone,
				p->yuv_matrix, p->yuv_full_range, isp->output);
}

const struct lumen_isp_stage lumen_isp_csc = {
	.name = "csc",
	.run = csc_run,
};
