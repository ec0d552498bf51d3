// SPDX-License-Identifier: GPL-2.0-or-later
#include "algo/develop.h"

#include <string.h>

/* the default sharpening of files (lumen_isp_params.sharpen) */
#define LUMEN_DEVELOP_SHARPEN 0.0f

void lumen_develop_settings_default(struct lumen_develop_settings *s)
{
	memset(s, 0, sizeof(*s));
	s->demosaic = LUMEN_DEMOSAIC_RI;
	s->demosaic_perceptual = true;
	s->auto_wb = true;
	s->awb_method = LUMEN_AWB_COMBINED;
	s->wb[0] = s->wb[1] = s->wb[2] = 1.0f;
	for (int i = 0; i < 3; i++)
		s->ccm[i][i] = 1.0f;
	s->contrast = 0.25f;
	s->dpc = true;
	s->denoise = LUMEN_DENOISE_QUALITY;
	s->denoise_strength = 1.0f;
	s->sharpen = LUMEN_DEVELOP_SHARPEN;
}

int lumen_develop_frame(struct lumen_isp *isp, const struct lumen_frame *raw,
			const struct lumen_develop_settings *s,
			struct lumen_frame *out, struct lumen_develop_report *rep)
{
	const int wb_stage = lumen_isp_stage_index("wb");
	struct lumen_isp_params p;
	int ret;

	memset(rep, 0, sizeof(*rep));
	if (wb_stage < 0)
		return wb_stage;

	lumen_isp_params_default(&p);
	p.dpc = s->dpc;
	p.dpc_noise[0] = s->dpc_noise[0];
	p.dpc_noise[1] = s->dpc_noise[1];
	p.dpc_map = s->dpc_map;
	p.denoise = s->denoise;
	p.denoise_strength = s->denoise_strength;
	p.sharpen = s->sharpen;
	p.lsc = s->lsc;
	p.demosaic = s->demosaic;
	p.demosaic_perceptual = s->demosaic_perceptual;
	p.contrast = s->contrast;
	p.yuv_matrix = s->yuv_matrix;
	p.yuv_full_range = s->yuv_full_range;
	memcpy(p.ccm, s->ccm, sizeof(p.ccm));
	memcpy(p.wb, s->wb, sizeof(p.wb));
	p.stats = true;

	/* the ISP up to its statistics; 3A reads them and nothing else (the
	 * same path as live 3A) */
	isp->stats.zones_x = isp->stats.zones_y = 32;
	ret = lumen_isp_process_stages(isp, raw, &p, out, 0, wb_stage);
	if (ret)
		return ret;
	if (s->auto_wb) {
		struct lumen_awb_result awb;

		lumen_awb_estimate(&isp->stats, s->awb_method, &awb);
		memcpy(p.wb, awb.gain, sizeof(p.wb));
		rep->awb_valid = awb.valid;
	}
	if (s->exposure > 0) {
		p.exposure = s->exposure;
	} else {
		lumen_ae_normalise(&isp->stats, p.wb, 0.18f, &rep->ae);
		p.exposure = rep->ae.gain;
	}
	memcpy(rep->wb, p.wb, sizeof(rep->wb));
	rep->exposure = p.exposure;

	/* the rest with the gains chosen */
	return lumen_isp_process_stages(isp, raw, &p, out, wb_stage,
					lumen_isp_stage_count);
}
