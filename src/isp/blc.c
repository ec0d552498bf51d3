// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Black level: the first stage. It also unpacks MIPI RAW10/RAW12 and widens
 * 8-bit samples, so that every later stage sees one working format.
 */
#include <errno.h>

#include "core/pack.h"
#include "isp/stages.h"

int lumen_blc_apply(const struct lumen_frame *in, struct lumen_frame *work)
{
	uint32_t scale[4];
	unsigned black[4];

	if (!lumen_pixfmt_is_bayer(in->fmt) || work->fmt != LUMEN_PIX_BAYER16 ||
	    in->width != work->width || in->height != work->height)
		return -EINVAL;
	for (int c = 0; c < 4; c++) {
		black[c] = in->black[c];
		if (in->white <= black[c])
			return -EINVAL;
		/* Q16: (white - black) * scale == WORK_MAX << 16 */
		scale[c] = (uint32_t)(((uint64_t)LUMEN_WORK_MAX << 16) /
				      (in->white - black[c]));
	}

	for (int y = 0; y < in->height; y++) {
		const uint8_t *src = in->data[0] + (size_t)y * in->stride[0];
		uint16_t *dst = (uint16_t *)(void *)(work->data[0] +
						     (size_t)y * work->stride[0]);
		const unsigned b0 = black[(y & 1) * 2], b1 = black[(y & 1) * 2 + 1];
		const uint32_t s0 = scale[(y & 1) * 2], s1 = scale[(y & 1) * 2 + 1];

		/* packed and 8-bit rows are widened in place first */
		if (in->fmt == LUMEN_PIX_BAYER10P)
			lumen_unpack_raw10(src, dst, (size_t)in->width);
		else if (in->fmt == LUMEN_PIX_BAYER12P)
			lumen_unpack_raw12(src, dst, (size_t)in->width);
		else if (in->fmt == LUMEN_PIX_BAYER8)
			for (int x = in->width - 1; x >= 0; x--)
				dst[x] = src[x];
		else
			for (int x = 0; x < in->width; x++)
				dst[x] = ((const uint16_t *)(const void *)src)[x];

		for (int x = 0; x < in->width; x++) {
			unsigned b = (x & 1) ? b1 : b0;
			uint32_t s = (x & 1) ? s1 : s0;
			unsigned v = dst[x] > b ? dst[x] - b : 0;
			uint64_t w = ((uint64_t)v * s + 0x8000) >> 16;

			dst[x] = (uint16_t)(w > LUMEN_WORK_MAX ? LUMEN_WORK_MAX : w);
		}
	}
	work->bayer = in->bayer;
	work->bits = LUMEN_WORK_BITS;
	work->white = LUMEN_WORK_MAX;
	for (int c = 0; c < 4; c++)
		work->black[c] = 0;
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
