// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Black level: the first stage. It also unpacks MIPI RAW10/RAW12 and widens
 * 8-bit samples, so that every later stage sees one working format.
 * The per-sample map (also used by wb.c) is lumen_scale_row_c and its
 * dispatched versions (isp/isp_dsp.h).
 */
#include <errno.h>

#include "core/pack.h"
#include "isp/isp_band.h"
#include "isp/isp_dsp.h"
#include "isp/stages.h"

void lumen_scale_phase_set(struct lumen_scale_phase *p, int k, unsigned black,
			   uint32_t scale)
{
	const uint32_t top = (uint32_t)LUMEN_WORK_MAX << 16;
	uint32_t vmax = 65535;

	if (scale > top)
		scale = top;
	/* smallest v with v * scale + 0x8000 >= WORK_MAX << 16 */
	if (scale && (top - 0x8000 + scale - 1) / scale < vmax)
		vmax = (top - 0x8000 + scale - 1) / scale;
	p->black[k] = (uint16_t)(black > 65535 ? 65535 : black);
	p->vmax[k] = (uint16_t)vmax;
	p->scale[k] = scale;
}

static inline uint16_t scale_px(uint32_t s, uint32_t black, uint32_t vmax,
				uint32_t scale)
{
	uint32_t v = s > black ? s - black : 0;

	v = v < vmax ? v : vmax;
	v = (v * scale + 0x8000) >> 16;
	return (uint16_t)(v < LUMEN_WORK_MAX ? v : LUMEN_WORK_MAX);
}

LUMEN_SCALE_ROW_FN(lumen_scale_row_c)
{
	const uint32_t b0 = p->black[0], b1 = p->black[1];
	const uint32_t m0 = p->vmax[0], m1 = p->vmax[1];
	const uint32_t s0 = p->scale[0], s1 = p->scale[1];
	int x = 0;

	/* two columns at a time: the CFA phase is the position in the pair */
	for (; x + 2 <= width; x += 2) {
		const uint32_t v0 = src[x], v1 = src[x + 1];

		dst[x] = scale_px(v0, b0, m0, s0);
		dst[x + 1] = scale_px(v1, b1, m1, s1);
	}
	if (x < width)
		dst[x] = scale_px(src[x], b0, m0, s0);
}

LUMEN_BLC10_ROW_FN(lumen_blc10_row_c)
{
	lumen_unpack_raw10(src, dst, (size_t)width);
	lumen_scale_row_c(dst, dst, width, p);
}

int lumen_blc_phases(const struct lumen_frame *in, struct lumen_scale_phase ph[2])
{
	for (int c = 0; c < 4; c++) {
		if (in->white <= in->black[c])
			return -EINVAL;
		/* Q16: (white - black) * scale == WORK_MAX << 16 */
		lumen_scale_phase_set(&ph[c >> 1], c & 1, in->black[c],
				      (uint32_t)(((uint64_t)LUMEN_WORK_MAX << 16) /
						 (in->white - in->black[c])));
	}
	return 0;
}

void lumen_blc_rows(const struct lumen_isp_dsp *dsp,
		    const struct lumen_scale_phase ph[2],
		    const struct lumen_frame *in, struct lumen_frame *work,
		    int y0, int y1)
{
	for (int y = y0; y < y1; y++) {
		const uint8_t *src = in->data[0] + (size_t)y * in->stride[0];
		uint16_t *dst = (uint16_t *)(void *)(work->data[0] +
						     (size_t)y * work->stride[0]);

		/* packed and 8-bit rows are widened in place first */
		if (in->fmt == LUMEN_PIX_BAYER16) {
			dsp->scale_row(dst, (const uint16_t *)(const void *)src,
				       in->width, &ph[y & 1]);
			continue;
		}
		if (in->fmt == LUMEN_PIX_BAYER10P) {
			dsp->blc10_row(dst, src, in->width, &ph[y & 1]);
			continue;
		}
		if (in->fmt == LUMEN_PIX_BAYER12P)
			lumen_unpack_raw12(src, dst, (size_t)in->width);
		else
			for (int x = 0; x < in->width; x++)
				dst[x] = src[x];
		dsp->scale_row(dst, dst, in->width, &ph[y & 1]);
	}
}

void lumen_blc_finish(const struct lumen_frame *in, struct lumen_frame *work)
{
	work->bayer = in->bayer;
	work->bits = LUMEN_WORK_BITS;
	work->white = LUMEN_WORK_MAX;
	for (int c = 0; c < 4; c++)
		work->black[c] = 0;
}

int lumen_blc_apply(const struct lumen_frame *in, struct lumen_frame *work)
{
	struct lumen_scale_phase ph[2];
	struct lumen_isp_dsp dsp;

	if (!lumen_pixfmt_is_bayer(in->fmt) || work->fmt != LUMEN_PIX_BAYER16 ||
	    in->width != work->width || in->height != work->height)
		return -EINVAL;
	if (lumen_blc_phases(in, ph))
		return -EINVAL;
	lumen_isp_dsp_init(&dsp);
	lumen_blc_rows(&dsp, ph, in, work, 0, in->height);
	lumen_blc_finish(in, work);
	return 0;
}

static int blc_run(struct lumen_isp *isp, const struct lumen_isp_params *p)
{
	(void)p;
	return lumen_blc_apply(isp->input, &isp->raw);
}

const struct lumen_isp_stage lumen_isp_blc = {
	.name = "blc",
	.run = blc_run,
};
