// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The encoder wrapper: argument checks, the stream ring hand-over and the
 * counters, so that implementations only turn a frame into bytes.
 */
#include "encode/encoder.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"

static const struct lumen_encoder_ops *const builtin[] = {
	&lumen_encoder_x264,
	&lumen_encoder_jpeg,
};

const struct lumen_encoder_ops *lumen_encoder_find(const char *name)
{
	for (size_t i = 0; name && i < sizeof(builtin) / sizeof(builtin[0]); i++)
		if (!strcmp(builtin[i]->name, name))
			return builtin[i];
	return NULL;
}

void lumen_encoder_config_default(struct lumen_encoder_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->width = 1920;
	cfg->height = 1080;
	cfg->fmt = LUMEN_PIX_NV12;
	cfg->fps_num = 30;
	cfg->fps_den = 1;
	cfg->bitrate_kbps = 2048;
	cfg->gop = 60;
	cfg->profile = LUMEN_H264_MAIN;
	cfg->rc = LUMEN_RC_CBR;
	cfg->threads = 1;
	cfg->quality = 85;
}

static int common_check(const struct lumen_encoder_config *cfg, char *err,
			size_t errlen)
{
	const char *what = NULL;

	if (cfg->fmt != LUMEN_PIX_NV12 && cfg->fmt != LUMEN_PIX_I420)
		what = "fmt (nv12 or i420)";
	else if (cfg->width < 16 || cfg->height < 16 ||
		 cfg->width > LUMEN_MAX_DIM || cfg->height > LUMEN_MAX_DIM ||
		 (cfg->width | cfg->height) & 1)
		what = "width/height (even, 16..32768)";
	else if (cfg->fps_num <= 0 || cfg->fps_den <= 0)
		what = "fps (positive num/den)";
	if (!what)
		return 0;
	if (err && errlen)
		snprintf(err, errlen, "encoder: bad %s in config", what);
	return -EINVAL;
}

int lumen_encoder_create(struct lumen_encoder **out,
			 const struct lumen_encoder_ops *ops,
			 const struct lumen_encoder_config *cfg,
			 char *err, size_t errlen)
{
	struct lumen_encoder *enc;
	int e;

	*out = NULL;
	if (!ops || !ops->create || !ops->encode) {
		if (err && errlen)
			snprintf(err, errlen, "encoder: no such implementation");
		return -EOPNOTSUPP;
	}
	e = common_check(cfg, err, errlen);
	if (e)
		return e;
	enc = calloc(1, sizeof(*enc));
	if (!enc)
		return -ENOMEM;
	enc->ops = ops;
	enc->cfg = *cfg;
	enc->cfg.preset = NULL;	/* not kept: the caller owns the string */
	atomic_init(&enc->keyframe_pending, 0);
	atomic_init(&enc->keyframe_requests, 0);
	e = -pthread_mutex_init(&enc->shown_lock, NULL);
	if (e)
		goto free_enc;
	e = ops->create(enc, cfg, err, errlen);
	if (e)
		goto destroy_lock;
	*out = enc;
	return 0;
destroy_lock:
	pthread_mutex_destroy(&enc->shown_lock);
free_enc:
	free(enc);
	return e;
}

void lumen_encoder_destroy(struct lumen_encoder *enc)
{
	if (!enc)
		return;
	if (enc->ops->destroy)
		enc->ops->destroy(enc);
	pthread_mutex_destroy(&enc->shown_lock);
	free(enc);
}

int lumen_encoder_configure(struct lumen_encoder *enc,
			    const struct lumen_encoder_config *cfg,
			    char *err, size_t errlen)
{
	int e;

	if (!enc->ops->configure) {
		if (err && errlen)
			snprintf(err, errlen, "encoder %s: no live reconfiguration",
				 enc->ops->name);
		return -EOPNOTSUPP;
	}
	if (cfg->width != enc->cfg.width || cfg->height != enc->cfg.height ||
	    cfg->fmt != enc->cfg.fmt) {
		if (err && errlen)
			snprintf(err, errlen, "encoder %s: size and format cannot "
				 "change live", enc->ops->name);
		return -EINVAL;
	}
	e = enc->ops->configure(enc, cfg, err, errlen);
	if (!e) {
		enc->cfg = *cfg;
		enc->cfg.preset = NULL;
	}
	return e;
}

int lumen_encoder_request_keyframe(struct lumen_encoder *enc)
{
	if (!enc->ops->request_keyframe)
		return -EOPNOTSUPP;
	atomic_store(&enc->keyframe_pending, 1);
	atomic_fetch_add(&enc->keyframe_requests, 1);
	return 0;
}

size_t lumen_encoder_au_capacity(const struct lumen_encoder_ops *ops,
				 const struct lumen_encoder_config *cfg)
{
	if (ops && ops->au_capacity)
		return ops->au_capacity(cfg);
	return (size_t)cfg->width * (size_t)cfg->height * 3 / 2 + 4096;
}

static int encode_once(struct lumen_encoder *enc, const struct lumen_frame *frame,
		       struct lumen_stream_ring *ring)
{
	struct lumen_encoded res;
	struct lumen_stream_buf *buf;
	uint64_t t0;
	int e;

	enc->ctr.frames_in++;
	if (!frame || frame->fmt != enc->cfg.fmt ||
	    frame->width != enc->cfg.width || frame->height != enc->cfg.height) {
		enc->ctr.errors++;
		return -EINVAL;
	}
	buf = lumen_stream_dequeue(ring);
	if (!buf) {	/* before encoding: the stream stays decodable */
		enc->ctr.dropped++;
		return -ENOBUFS;
	}
	if (atomic_exchange(&enc->keyframe_pending, 0))
		enc->ops->request_keyframe(enc);

	memset(&res, 0, sizeof(res));
	t0 = lumen_now_ns();
	e = enc->ops->encode(enc, frame, buf->data, buf->capacity, &res);
	enc->ctr.ns_last = lumen_now_ns() - t0;
	enc->ctr.ns_total += enc->ctr.ns_last;
	if (e == -EMSGSIZE || (!e && res.len > buf->capacity)) {
		lumen_stream_cancel(ring, buf, -EMSGSIZE);
		enc->ctr.too_large++;
		/* consumers lost a reference frame: restart the chain */
		if (enc->ops->codec != LUMEN_CODEC_JPEG && enc->ops->request_keyframe)
			enc->ops->request_keyframe(enc);
		return -EMSGSIZE;
	}
	if (e) {
		lumen_stream_cancel(ring, buf, e);
		enc->ctr.errors++;
		return e;
	}
	if (!res.len) {
		lumen_stream_cancel(ring, buf, 0);
		enc->ctr.delayed++;
		return 1;
	}
	buf->len = res.len;
	buf->pts = res.pts;
	buf->capture_ns = res.capture_ns;
	buf->frame_sequence = res.frame_sequence;
	buf->keyframe = res.keyframe != 0;
	e = lumen_stream_queue(ring, buf);
	if (e) {
		enc->ctr.errors++;
		return e;
	}
	enc->ctr.frames_out++;
	enc->ctr.bytes_out += res.len;
	enc->ctr.keyframes += buf->keyframe;
	return 0;
}

int lumen_encoder_encode(struct lumen_encoder *enc,
			 const struct lumen_frame *frame,
			 struct lumen_stream_ring *ring)
{
	int e = encode_once(enc, frame, ring);

	pthread_mutex_lock(&enc->shown_lock);
	enc->shown = enc->ctr;
	pthread_mutex_unlock(&enc->shown_lock);
	return e;
}

void lumen_encoder_read_counters(struct lumen_encoder *enc,
				 struct lumen_encoder_counters *out)
{
	pthread_mutex_lock(&enc->shown_lock);
	*out = enc->shown;
	pthread_mutex_unlock(&enc->shown_lock);
	out->keyframe_requests = atomic_load(&enc->keyframe_requests);
}
