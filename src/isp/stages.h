/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The stage descriptors, one per file, and the few kernels other code
 * (tests, benchmarks, 3A) calls directly. All kernels work on the ISP's
 * working frames described in isp/isp.h and never allocate.
 */
#ifndef LUMEN_ISP_STAGES_H
#define LUMEN_ISP_STAGES_H

#include "isp/isp.h"

extern const struct lumen_isp_stage lumen_isp_blc;
extern const struct lumen_isp_stage lumen_isp_dpc;
extern const struct lumen_isp_stage lumen_isp_lsc;
extern const struct lumen_isp_stage lumen_isp_stats_stage;
extern const struct lumen_isp_stage lumen_isp_denoise;
extern const struct lumen_isp_stage lumen_isp_wb;
extern const struct lumen_isp_stage lumen_isp_demosaic;
extern const struct lumen_isp_stage lumen_isp_sharpen;
extern const struct lumen_isp_stage lumen_isp_ccm;
extern const struct lumen_isp_stage lumen_isp_tone;
extern const struct lumen_isp_stage lumen_isp_csc;

/*
 * Black level and normalisation: any Bayer @in (packed or not) into the
 * BAYER16 working frame @work (same size): (v - black[cell]) scaled so that
 * white maps to LUMEN_WORK_MAX, clipped to 0..LUMEN_WORK_MAX.
 * Returns -EINVAL when white <= black for some cell or sizes differ.
 */
int lumen_blc_apply(const struct lumen_frame *in, struct lumen_frame *work);

/*
 * Defective-pixel correction in place on a working frame, with the
 * settings of @p (dpc_threshold, dpc_noise, dpc_map; @p->dpc is not
 * looked at): the pixels of the map, and the isolated defects and
 * same-colour pairs the dynamic detector finds (dpc.c, docs/isp.md) are
 * replaced along their most consistent direction. Returns pixels changed.
 */
long lumen_dpc_apply(struct lumen_frame *work, const struct lumen_isp_params *p);

/*
 * Noise of a working frame from the frame itself: a low quantile of the
 * same-colour second differences along rows (of every 8th row from 256
 * rows up), as variance = noise[0] * level + noise[1] with noise[0] = 0.
 * Returns 0, -EINVAL for a frame under 5 columns, -ENOMEM.
 */
int lumen_dpc_noise_estimate(const struct lumen_frame *work, float noise[2]);

/*
 * The denoiser's noise model of @work for @p (denoise.c): variance =
 * model[0] * level + model[1] in working units, from @p's model times
 * its gain, or, when @p has none, LUMEN_DENOISE_ESTIMATE_SHARE of the
 * variance lumen_dpc_noise_estimate() measures on @work (model[0] = 0):
 * grain and fine texture count as noise there, so a clean frame would
 * lose detail at full strength (0.25 dB on Kodak, docs/develop.md).
 */
#define LUMEN_DENOISE_ESTIMATE_SHARE 0.1f
void lumen_denoise_model(const struct lumen_isp_params *p,
			 const struct lumen_frame *work, float model[2]);

struct lumen_denoise_coef;
/* The fast method's kernel constants for @model at @strength. */
void lumen_denoise_coef_make(struct lumen_denoise_coef *c, const float model[2],
			     float strength);

/* The fast method on a working frame in place; @rows: 3 x width samples
 * of scratch. Returns 0 or -EINVAL for an empty frame. */
int lumen_denoise_fast_apply(struct lumen_frame *work,
			     const struct lumen_denoise_coef *c, uint16_t *rows);

/* The quality method in place; allocates its planes for the call.
 * Returns 0 (also when the model has no noise) or -ENOMEM. */
int lumen_denoise_quality_apply(struct lumen_frame *work, const float model[2],
				float strength);

/*
 * Luma sharpening of an RGB16P working frame in place (sharpen.c), by
 * @amount (see lumen_isp_params.sharpen); @rows: LUMEN_ISP_STAGE_ROWS x
 * (width + 2) samples of scratch. Returns 0 or -EINVAL.
 */
int lumen_sharpen_apply(struct lumen_frame *rgb, float amount, uint16_t *rows);

/* White-balance gains per colour on a working frame, clipping at max. */
void lumen_wb_apply(struct lumen_frame *work, const float gain[3]);

/* Lens shading gains (see struct lumen_lsc_map) in place. */
int lumen_lsc_apply(struct lumen_frame *work, const struct lumen_lsc_map *map);

/* Zone statistics and histogram of a working frame (see lumen_isp_stats);
 * zones_x/zones_y of @st select the grid (0 = 16x16). */
void lumen_stats_collect(const struct lumen_frame *work,
			 struct lumen_isp_stats *st);

/* 3x3 matrix times @gain on an RGB16P working frame in place. */
void lumen_ccm_apply(struct lumen_frame *rgb, const float m[3][3], float gain);

/* The display curve from working linear to 8-bit sRGB with an S-curve of
 * strength @contrast (0..1, clamped): exactly, in code values (0..255, not
 * rounded), at any working value @v; as the context's quadratics and
 * table (struct lumen_tone); the fitted curve's value at @v and that value
 * rounded and clipped (what every tone kernel gives for @v; values above
 * LUMEN_WORK_MAX taken as LUMEN_WORK_MAX); and RGB16P -> RGB24 through
 * them. */
double lumen_tone_exact(double v, float contrast);
void lumen_tone_build(struct lumen_tone *t, float contrast);
float lumen_tone_fit(const struct lumen_tone *t, unsigned v);
uint8_t lumen_tone_eval(const struct lumen_tone *t, unsigned v);
void lumen_tone_apply(const struct lumen_frame *rgb, struct lumen_frame *out,
		      const struct lumen_tone *t);

/* RGB24 -> NV12, I420 or YUYV (or a copy into RGB24). */
int lumen_csc_apply(const struct lumen_frame *rgb8, struct lumen_frame *out,
		    enum lumen_yuv_matrix matrix, bool full_range);

#endif
