// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Colour-space conversion: 8-bit R'G'B' to Y'CbCr (BT.601 or BT.709, full
 * or limited range) in NV12, I420 or YUYV. Chroma is the mean of the
 * converted samples of each 2x2 (4:2:0) or 2x1 (4:2:2) group.
 */
#include <errno.h>
#include <math.h>
#include <string.h>

#include "isp/stages.h"

struct csc_coeffs {
	int32_t y[3], cb[3], cr[3];	/* Q14 */
	int32_t y_off, y_scale_q14;
};

static void coeffs(enum lumen_yuv_matrix m, bool full, struct csc_coeffs *c)
{
	/* Kr and Kb from ITU-R BT.601 and BT.709 */
	const double kr = m == LUMEN_YUV_BT709 ? 0.2126 : 0.299;
	const double kb = m == LUMEN_YUV_BT709 ? 0.0722 : 0.114;
	const double kg = 1 - kr - kb;
	const double ys = full ? 1.0 : 219.0 / 255.0;
	const double cs = full ? 1.0 : 224.0 / 255.0;
	const double q = 16384.0;

	c->y[0] = (int32_t)lrint(kr * ys * q);
	c->y[1] = (int32_t)lrint(kg * ys * q);
	c->y[2] = (int32_t)lrint(kb * ys * q);
	c->cb[0] = (int32_t)lrint(-kr / (2 * (1 - kb)) * cs * q);
	c->cb[1] = (int32_t)lrint(-kg / (2 * (1 - kb)) * cs * q);
	c->cb[2] = (int32_t)lrint(0.5 * cs * q);
	c->cr[0] = (int32_t)lrint(0.5 * cs * q);
	c->cr[1] = (int32_t)lrint(-kg / (2 * (1 - kr)) * cs * q);
	c->cr[2] = (int32_t)lrint(-kb / (2 * (1 - kr)) * cs * q);
	c->y_off = full ? 0 : 16;
}

static inline uint8_t clamp8(int32_t v)
{
	return (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
}

static inline uint8_t luma(const struct csc_coeffs *c, const uint8_t *p)
{
	return clamp8(((c->y[0] * p[0] + c->y[1] * p[1] + c->y[2] * p[2] +
			8192) >> 14) + c->y_off);
}

/* Sums of Cb and Cr (Q14, offset-free) of one pixel. */
static inline void chroma(const struct csc_coeffs *c, const uint8_t *p,
			  int32_t *cb, int32_t *cr)
{
	*cb += c->cb[0] * p[0] + c->cb[1] * p[1] + c->cb[2] * p[2];
	*cr += c->cr[0] * p[0] + c->cr[1] * p[1] + c->cr[2] * p[2];
}

int lumen_csc_apply(const struct lumen_frame *rgb8, struct lumen_frame *out,
		    enum lumen_yuv_matrix matrix, bool full_range)
{
	struct csc_coeffs c;
	const int w = rgb8->width, h = rgb8->height;

	if (rgb8->fmt != LUMEN_PIX_RGB24 || out->width != w || out->height != h)
		return -EINVAL;
	if (out->fmt == LUMEN_PIX_RGB24) {
		for (int y = 0; y < h && out->data[0] != rgb8->data[0]; y++)
			memcpy(out->data[0] + (size_t)y * out->stride[0],
			       rgb8->data[0] + (size_t)y * rgb8->stride[0], 3 * (size_t)w);
		return 0;
	}
	coeffs(matrix, full_range, &c);

	switch (out->fmt) {
	case LUMEN_PIX_NV12:
	case LUMEN_PIX_I420:
		if ((w | h) & 1)
			return -EINVAL;
		for (int y = 0; y < h; y += 2) {
			const uint8_t *s0 = rgb8->data[0] + (size_t)y * rgb8->stride[0];
			const uint8_t *s1 = s0 + rgb8->stride[0];
			uint8_t *y0 = out->data[0] + (size_t)y * out->stride[0];
			uint8_t *y1 = y0 + out->stride[0];
			uint8_t *u = out->data[1] + (size_t)(y / 2) * out->stride[1];
			uint8_t *v = out->fmt == LUMEN_PIX_I420 ?
				     out->data[2] + (size_t)(y / 2) * out->stride[2] : NULL;

			for (int x = 0; x < w; x += 2) {
				int32_t cb = 0, cr = 0;

				y0[x] = luma(&c, s0 + 3 * x);
				y0[x + 1] = luma(&c, s0 + 3 * x + 3);
				y1[x] = luma(&c, s1 + 3 * x);
				y1[x + 1] = luma(&c, s1 + 3 * x + 3);
				chroma(&c, s0 + 3 * x, &cb, &cr);
				chroma(&c, s0 + 3 * x + 3, &cb, &cr);
				chroma(&c, s1 + 3 * x, &cb, &cr);
				chroma(&c, s1 + 3 * x + 3, &cb, &cr);
				cb = clamp8(((cb + 32768) >> 16) + 128);
				cr = clamp8(((cr + 32768) >> 16) + 128);
				if (v) {
					u[x / 2] = (uint8_t)cb;
					v[x / 2] = (uint8_t)cr;
				} else {
					u[x] = (uint8_t)cb;
					u[x + 1] = (uint8_t)cr;
				}
			}
		}
		return 0;
	case LUMEN_PIX_YUYV:
		if (w & 1)
			return -EINVAL;
		for (int y = 0; y < h; y++) {
			const uint8_t *s = rgb8->data[0] + (size_t)y * rgb8->stride[0];
			uint8_t *d = out->data[0] + (size_t)y * out->stride[0];

			for (int x = 0; x < w; x += 2) {
				int32_t cb = 0, cr = 0;

				chroma(&c, s + 3 * x, &cb, &cr);
				chroma(&c, s + 3 * x + 3, &cb, &cr);
				d[2 * x] = luma(&c, s + 3 * x);
				d[2 * x + 1] = clamp8(((cb + 16384) >> 15) + 128);
				d[2 * x + 2] = luma(&c, s + 3 * x + 3);
				d[2 * x + 3] = clamp8(((cr + 16384) >> 15) + 128);
			}
		}
		return 0;
	default:
		return -EINVAL;
	}
}

static int csc_run(struct lumen_isp *isp, const struct lumen_isp_params *p)
{
	if (isp->output->fmt == LUMEN_PIX_RGB24)
		return 0;	/* tone wrote the output directly */
	return lumen_csc_apply(&isp->rgb8, isp->output, p->yuv_matrix,
			       p->yuv_full_range);
}

const struct lumen_isp_stage lumen_isp_csc = {
	.name = "csc",
	.run = csc_run,
};
