// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * JPEG (4:2:0, baseline) through TurboJPEG's tjCompressFromYUVPlanes,
 * straight from the frame's planes: I420 as it is; NV12 after splitting
 * its CbCr plane into two chroma planes allocated once at create.
 *
 * Output: with TJFLAG_NOREALLOC TurboJPEG assumes the buffer holds
 * tjBufSize() bytes (the worst case, about 3 bytes per pixel), far more
 * than a stream buffer needs for real pictures. So when the stream buffer
 * is that large the JPEG is written into it directly; otherwise it is
 * written into one scratch buffer of tjBufSize() (allocated at create)
 * and copied if it fits, else the frame is -EMSGSIZE.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <turbojpeg.h>

#include "encode/encoder.h"

struct jpeg_priv {
	tjhandle tj;
	int quality;
	uint8_t *cb, *cr;	/* NV12 only: split chroma, (w/2) x (h/2) */
	unsigned char *scratch;
	unsigned long scratch_size;
};

static int quality_of(const struct lumen_encoder_config *cfg, char *err,
		      size_t errlen)
{
	if (cfg->quality < 0 || cfg->quality > 100) {
		if (err && errlen)
			snprintf(err, errlen, "jpeg: bad quality in config (1..100)");
		return -EINVAL;
	}
	return cfg->quality ? cfg->quality : 85;
}

static void jpeg_destroy(struct lumen_encoder *enc)
{
	struct jpeg_priv *j = enc->priv;

	if (!j)
		return;
	if (j->tj)
		tjDestroy(j->tj);
	tjFree(j->scratch);
	free(j->cb);
	free(j->cr);
	free(j);
	enc->priv = NULL;
}

static int jpeg_create(struct lumen_encoder *enc,
		       const struct lumen_encoder_config *cfg,
		       char *err, size_t errlen)
{
	struct jpeg_priv *j;
	size_t csize = (size_t)(cfg->width / 2) * (size_t)(cfg->height / 2);
	int q = quality_of(cfg, err, errlen);

	if (q < 0)
		return q;
	j = calloc(1, sizeof(*j));
	if (!j)
		return -ENOMEM;
	enc->priv = j;
	j->quality = q;
	j->tj = tjInitCompress();
	if (!j->tj) {
		if (err && errlen)
			snprintf(err, errlen, "jpeg: tjInitCompress: %s",
				 tjGetErrorStr2(NULL));
		jpeg_destroy(enc);
		return -ENOMEM;
	}
	j->scratch_size = tjBufSize(cfg->width, cfg->height, TJSAMP_420);
	j->scratch = tjAlloc((int)j->scratch_size);
	if (cfg->fmt == LUMEN_PIX_NV12) {
		j->cb = malloc(csize);
		j->cr = malloc(csize);
	}
	if (!j->scratch || (cfg->fmt == LUMEN_PIX_NV12 && (!j->cb || !j->cr))) {
		if (err && errlen)
			snprintf(err, errlen, "jpeg: out of memory");
		jpeg_destroy(enc);
		return -ENOMEM;
	}
	return 0;
}

static int jpeg_configure(struct lumen_encoder *enc,
			  const struct lumen_encoder_config *cfg,
			  char *err, size_t errlen)
{
	struct jpeg_priv *j = enc->priv;
	int q = quality_of(cfg, err, errlen);

	if (q < 0)
		return q;
	j->quality = q;
	return 0;
}

static void split_cbcr(const struct lumen_frame *f, uint8_t *cb, uint8_t *cr)
{
	const int cw = f->width / 2, ch = f->height / 2;

	for (int y = 0; y < ch; y++) {
		const uint8_t *s = f->data[1] + (size_t)y * f->stride[1];
		uint8_t *b = cb + (size_t)y * (size_t)cw;
		uint8_t *r = cr + (size_t)y * (size_t)cw;

		for (int x = 0; x < cw; x++) {
			b[x] = s[2 * x];
			r[x] = s[2 * x + 1];
		}
	}
}

static int jpeg_encode(struct lumen_encoder *enc,
		       const struct lumen_frame *frame,
		       uint8_t *out, size_t cap, struct lumen_encoded *res)
{
	struct jpeg_priv *j = enc->priv;
	const unsigned char *planes[3];
	int strides[3];
	int direct = cap >= j->scratch_size;
	unsigned char *dst = direct ? out : j->scratch;
	unsigned long size = direct ? (unsigned long)cap : j->scratch_size;

	planes[0] = frame->data[0];
	strides[0] = (int)frame->stride[0];
	if (frame->fmt == LUMEN_PIX_NV12) {
		split_cbcr(frame, j->cb, j->cr);
		planes[1] = j->cb;
		planes[2] = j->cr;
		strides[1] = strides[2] = frame->width / 2;
	} else {
		for (int p = 1; p < 3; p++) {
			planes[p] = frame->data[p];
			strides[p] = (int)frame->stride[p];
		}
	}
	if (tjCompressFromYUVPlanes(j->tj, planes, frame->width, strides,
				    frame->height, TJSAMP_420, &dst, &size,
				    j->quality, TJFLAG_NOREALLOC) < 0)
		return -EIO;
	if (!direct) {
		if (size > cap)
			return -EMSGSIZE;
		memcpy(out, j->scratch, size);
	}
	res->len = size;
	res->pts = frame->timestamp_ns / 100000 * 9 +
		   frame->timestamp_ns % 100000 * 9 / 100000;	/* 90 kHz */
	res->capture_ns = frame->timestamp_ns;
	res->frame_sequence = frame->sequence;
	res->keyframe = 1;
	return 0;
}

/* Half a byte per pixel holds a 4:2:0 JPEG of a real scene at quality
 * <= 90 with room to spare; noise at high quality can exceed it and is
 * then a counted too_large. */
static size_t jpeg_au_capacity(const struct lumen_encoder_config *cfg)
{
	size_t px = (size_t)cfg->width * (size_t)cfg->height;

	return (cfg->quality > 90 ? px : px / 2) + 4096;
}

const struct lumen_encoder_ops lumen_encoder_jpeg = {
	.name = "jpeg",
	.codec = LUMEN_CODEC_JPEG,
	.create = jpeg_create,
	.configure = jpeg_configure,
	.encode = jpeg_encode,
	.request_keyframe = NULL,	/* every JPEG is one */
	.au_capacity = jpeg_au_capacity,
	.destroy = jpeg_destroy,
};
