/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Developing one raw frame with 3A for files: statistics of the
 * black-corrected raw, auto white balance and exposure normalisation where
 * not given, then the ISP. Used by `lumen develop` and its tests.
 */
#ifndef LUMEN_ALGO_DEVELOP_H
#define LUMEN_ALGO_DEVELOP_H

#include "algo/ae.h"
#include "algo/awb.h"
#include "isp/isp.h"

struct lumen_develop_settings {
	enum lumen_demosaic_method demosaic;
	bool demosaic_perceptual;	/* lumen_isp_params.demosaic_perceptual */
	bool auto_wb;			/* else wb[] is used */
	enum lumen_awb_method awb_method;
	float wb[3];
	float ccm[3][3];
	float exposure;			/* 0 = automatic */
	float contrast;
	bool dpc;
	float dpc_noise[2];		/* lumen_isp_params.dpc_noise */
	const struct lumen_dpc_map *dpc_map;	/* NULL = none */
	enum lumen_denoise_method denoise;	/* strength from dpc_noise */
	float denoise_strength;
	float sharpen;				/* lumen_isp_params.sharpen */
	const struct lumen_lsc_map *lsc;	/* NULL = no shading correction */
	enum lumen_yuv_matrix yuv_matrix;
	bool yuv_full_range;
};

struct lumen_develop_report {
	float wb[3];			/* gains used */
	bool awb_valid;			/* auto wb found enough signal */
	float exposure;			/* gain used */
	struct lumen_ae_result ae;	/* when automatic */
};

/* Auto everything, the ri demosaic on sRGB-encoded samples, the quality
 * denoise, no sharpening, identity CCM, light contrast. */
void lumen_develop_settings_default(struct lumen_develop_settings *s);

/*
 * Develops @raw into @out (RGB24/NV12/I420/YUYV of the same size) with an
 * ISP created for at least that size: the stages up to white balance, 3A on
 * their statistics (32x32 zones), then the rest. Returns 0 or a negative
 * errno from the ISP (-EINVAL for a white level not above black, sizes,
 * formats).
 */
int lumen_develop_frame(struct lumen_isp *isp, const struct lumen_frame *raw,
			const struct lumen_develop_settings *s,
			struct lumen_frame *out, struct lumen_develop_report *rep);

#endif
