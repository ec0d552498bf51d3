// SPDX-License-Identifier: GPL-2.0-or-later
#include "algo/develop.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "isp/stages.h"

void lumen_develop_settings_default(struct lumen_develop_settings *s)
{
	memset(s, 0, sizeof(*s));
	s->demosaic = LUMEN_DEMOSAIC_QUALITY;
	s->auto_wb = true;
	s->awb_method = LUMEN_AWB_COMBINED;
	s->wb[0] = s->wb[1] = s->wb[2] = 1.0f;
	for (int i = 0; i < 3; i++)
		s->ccm[i][i] = 1.0f;
	s->contrast = 0.25f;
	s->dpc = true;
}

int lumen_develop_frame(struct lumen_isp *isp, const struct lumen_frame *raw,
			const struct lumen_develop_settings *s,
			struct lumen_frame *out, struct lumen_develop_report *rep)
{
	struct lumen_isp_params p;
	struct lumen_isp_stats *st;
	int ret;

	memset(rep, 0, sizeof(*rep));
	if (raw->width > isp->max_width || raw->height > isp->max_height ||
	    !lumen_pixfmt_is_bayer(raw->fmt))
		return -EINVAL;
	st = calloc(1, sizeof(*st));
	if (!st)
		return -ENOMEM;

	/* pass 1: what the ISP's first stages would see */
	isp->raw.width = raw->width;
	isp->raw.height = raw->height;
	ret = lumen_blc_apply(raw, &isp->raw);
	if (ret)
		goto free_stats;
	if (s->dpc)
		lumen_dpc_apply(&isp->raw, 0);
	st->zones_x = st->zones_y = 32;
	lumen_stats_collect(&isp->raw, st);

	lumen_isp_params_default(&p);
	p.dpc = s->dpc;
	p.demosaic = s->demosaic;
	p.contrast = s->contrast;
	p.yuv_matrix = s->yuv_matrix;
	p.yuv_full_range = s->yuv_full_range;
	memcpy(p.ccm, s->ccm, sizeof(p.ccm));
	memcpy(p.wb, s->wb, sizeof(p.wb));
	if (s->auto_wb) {
		struct lumen_awb_result awb;

		lumen_awb_estimate(st, &isp->raw, s->awb_method, &awb);
		memcpy(p.wb, awb.gain, sizeof(p.wb));
		rep->awb_valid = awb.valid;
	}
	if (s->exposure > 0) {
		p.exposure = s->exposure;
	} else {
		lumen_ae_normalise(st, p.wb, 0.18f, &rep->ae);
		p.exposure = rep->ae.gain;
	}
	memcpy(rep->wb, p.wb, sizeof(rep->wb));
	rep->exposure = p.exposure;

	/* pass 2: the ISP proper */
	ret = lumen_isp_process(isp, raw, &p, out);
free_stats:
	free(st);
	return ret;
}
