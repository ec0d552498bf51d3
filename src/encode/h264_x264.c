// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * H.264 through libx264, set up for live streaming:
 * - preset from the config ("ultrafast" by default), tune zerolatency,
 *   no B-frames, no lookahead, frame threads only (sliced threads off);
 * - Annex-B output with SPS/PPS repeated before every IDR, so a client can
 *   join at any keyframe;
 * - an IDR exactly every @gop frames (scene-cut detection off, closed GOP),
 *   or on request;
 * - CBR: ABR with a VBV of one second (maxrate = bufsize = bitrate);
 *   VBR: CRF capped by the same VBV. Bitrate and CRF change live, the
 *   method does not (x264_encoder_reconfig keeps it);
 * - the profile is a ceiling: x264 signals the lowest profile the tools
 *   in use need, so "ultrafast" (no CABAC, no 8x8 transform) always gives
 *   Constrained Baseline, "superfast" Main or High.
 * With threads > 1 x264 delays output by up to threads - 1 frames; the
 * capture time and sequence of each AU follow it through a small table
 * indexed by the picture's pts.
 */
#include <errno.h>
#include <stdint.h>	/* before x264.h, which needs it */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <x264.h>

#include "encode/encoder.h"

#define META_SLOTS 64	/* > any frame-thread delay x264 allows */

struct h264_priv {
	x264_t *h;
	x264_param_t param;
	x264_picture_t pic;
	int force_idr;
	struct { int64_t capture_ns; uint64_t sequence; } meta[META_SLOTS];
};

static const char *const profile_names[] = {
	[LUMEN_H264_BASELINE] = "baseline",
	[LUMEN_H264_MAIN] = "main",
	[LUMEN_H264_HIGH] = "high",
};

static int fail(char *err, size_t errlen, const char *what)
{
	if (err && errlen)
		snprintf(err, errlen, "x264: %s", what);
	return -EINVAL;
}

/* Rate control part of the parameters, shared by create and configure. */
static int apply_rc(x264_param_t *p, const struct lumen_encoder_config *cfg,
		    char *err, size_t errlen)
{
	if (cfg->bitrate_kbps <= 0 || cfg->bitrate_kbps > 1000000)
		return fail(err, errlen, "bad bitrate_kbps in config (1..1000000)");
	if (cfg->crf < 0 || cfg->crf > 51)
		return fail(err, errlen, "bad crf in config (0..51)");
	p->rc.i_vbv_max_bitrate = cfg->bitrate_kbps;
	p->rc.i_vbv_buffer_size = cfg->bitrate_kbps;
	if (cfg->rc == LUMEN_RC_CBR) {
		p->rc.i_rc_method = X264_RC_ABR;
		p->rc.i_bitrate = cfg->bitrate_kbps;
	} else if (cfg->rc == LUMEN_RC_VBR) {
		p->rc.i_rc_method = X264_RC_CRF;
		p->rc.f_rf_constant = cfg->crf ? (float)cfg->crf : 23.0f;
		p->rc.i_bitrate = 0;
	} else {
		return fail(err, errlen, "bad rc mode in config (cbr or vbr)");
	}
	return 0;
}

static int h264_create(struct lumen_encoder *enc,
		       const struct lumen_encoder_config *cfg,
		       char *err, size_t errlen)
{
	const char *preset = cfg->preset ? cfg->preset : "ultrafast";
	struct h264_priv *x;
	x264_param_t *p;
	int e = -EINVAL;

	if (cfg->gop < 1 || cfg->gop > 100000)
		return fail(err, errlen, "bad gop in config (1..100000)");
	if ((int)cfg->profile < 0 || (int)cfg->profile > LUMEN_H264_HIGH)
		return fail(err, errlen, "bad profile in config "
			    "(baseline, main or high)");
	if (cfg->threads < 0 || cfg->threads > 64)
		return fail(err, errlen, "bad threads in config (0..64)");
	x = calloc(1, sizeof(*x));
	if (!x)
		return -ENOMEM;
	p = &x->param;
	if (x264_param_default_preset(p, preset, "zerolatency") < 0) {
		if (err && errlen)
			snprintf(err, errlen, "x264: unknown preset '%s' in config",
				 preset);
		goto free_priv;
	}
	p->i_log_level = X264_LOG_ERROR;
	p->i_width = cfg->width;
	p->i_height = cfg->height;
	p->i_csp = cfg->fmt == LUMEN_PIX_NV12 ? X264_CSP_NV12 : X264_CSP_I420;
	p->i_fps_num = (uint32_t)cfg->fps_num;
	p->i_fps_den = (uint32_t)cfg->fps_den;
	p->i_timebase_num = (uint32_t)cfg->fps_den;	/* pts counts frames */
	p->i_timebase_den = (uint32_t)cfg->fps_num;
	p->b_vfr_input = 0;
	p->i_threads = cfg->threads ? cfg->threads : 1;
	p->b_sliced_threads = 0;
	p->i_bframe = 0;
	p->b_repeat_headers = 1;
	p->b_annexb = 1;
	p->i_keyint_max = cfg->gop;
	p->i_keyint_min = cfg->gop;	/* x264 clamps to keyint / 2 + 1 */
	p->i_scenecut_threshold = 0;
	p->b_open_gop = 0;
	p->b_intra_refresh = 0;
	e = apply_rc(p, cfg, err, errlen);
	if (e)
		goto free_priv;
	e = -EINVAL;
	if (x264_param_apply_profile(p, profile_names[cfg->profile]) < 0) {
		fail(err, errlen, "profile does not fit the other settings");
		goto free_priv;
	}
	x->h = x264_encoder_open(p);
	if (!x->h) {
		fail(err, errlen, "x264_encoder_open refused the settings");
		goto free_priv;
	}
	x264_picture_init(&x->pic);
	x->pic.img.i_csp = p->i_csp;
	x->pic.img.i_plane = cfg->fmt == LUMEN_PIX_NV12 ? 2 : 3;
	enc->priv = x;
	return 0;

free_priv:
	free(x);
	return e;
}

static int h264_configure(struct lumen_encoder *enc,
			  const struct lumen_encoder_config *cfg,
			  char *err, size_t errlen)
{
	struct h264_priv *x = enc->priv;
	x264_param_t p = x->param;
	int e;

	if (cfg->rc != enc->cfg.rc)	/* x264 keeps its rate control method */
		return fail(err, errlen, "rc mode cannot change live");
	e = apply_rc(&p, cfg, err, errlen);
	if (e)
		return e;
	if (x264_encoder_reconfig(x->h, &p) < 0)
		return fail(err, errlen, "x264_encoder_reconfig refused the "
			    "rate control settings");
	x->param = p;
	return 0;
}

static int h264_encode(struct lumen_encoder *enc,
			     const struct lumen_frame *frame,
			     uint8_t *out, size_t cap, struct lumen_encoded *res)
{
	struct h264_priv *x = enc->priv;
	x264_picture_t pic_out;
	x264_nal_t *nal;
	int nnal, size, slot;

	for (int i = 0; i < x->pic.img.i_plane; i++) {
		x->pic.img.plane[i] = frame->data[i];
		x->pic.img.i_stride[i] = (int)frame->stride[i];
	}
	/* frames offered so far, dropped ones included: a drop leaves a gap
	 * in pts, so the timing stays true */
	x->pic.i_pts = (int64_t)enc->ctr.frames_in - 1;
	x->pic.i_type = x->force_idr ? X264_TYPE_IDR : X264_TYPE_AUTO;
	x->force_idr = 0;
	slot = (int)(x->pic.i_pts % META_SLOTS);
	x->meta[slot].capture_ns = frame->timestamp_ns;
	x->meta[slot].sequence = frame->sequence;

	size = x264_encoder_encode(x->h, &nal, &nnal, &x->pic, &pic_out);
	if (size < 0)
		return -EIO;
	if (size == 0 || nnal == 0)
		return 0;	/* delayed by frame threads */
	if ((size_t)size > cap)
		return -EMSGSIZE;
	/* x264 keeps the payloads of one call contiguous */
	memcpy(out, nal[0].p_payload, (size_t)size);
	slot = (int)(pic_out.i_pts % META_SLOTS);
	res->len = (size_t)size;
	res->pts = pic_out.i_pts * 90000 * enc->cfg.fps_den / enc->cfg.fps_num;
	res->capture_ns = x->meta[slot].capture_ns;
	res->frame_sequence = x->meta[slot].sequence;
	res->keyframe = pic_out.b_keyframe;
	return 0;
}

static void h264_request_keyframe(struct lumen_encoder *enc)
{
	struct h264_priv *x = enc->priv;

	x->force_idr = 1;
}

/* One second of the VBV (no single AU should exceed it), at least a
 * quarter of a raw frame (an IDR of a detailed scene), plus headers. */
static size_t h264_au_capacity(const struct lumen_encoder_config *cfg)
{
	size_t raw = (size_t)cfg->width * (size_t)cfg->height * 3 / 2;
	size_t vbv = (size_t)(cfg->bitrate_kbps > 0 ? cfg->bitrate_kbps : 0) *
		     1000 / 8;

	return (vbv > raw / 4 ? vbv : raw / 4) + 4096;
}

static void h264_destroy(struct lumen_encoder *enc)
{
	struct h264_priv *x = enc->priv;

	if (!x)
		return;
	x264_encoder_close(x->h);
	free(x);
	enc->priv = NULL;
}

const struct lumen_encoder_ops lumen_encoder_x264 = {
	.name = "x264",
	.codec = LUMEN_CODEC_H264,
	.create = h264_create,
	.configure = h264_configure,
	.encode = h264_encode,
	.request_keyframe = h264_request_keyframe,
	.au_capacity = h264_au_capacity,
	.destroy = h264_destroy,
};
