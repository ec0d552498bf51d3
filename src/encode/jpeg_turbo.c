// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * JPEG (4:2:0, baseline) through libjpeg-turbo's raw-data interface:
 * libjpeg takes the frame's planes one MCU row (16 luma rows, 8 chroma
 * rows) at a time. I420 rows are handed over as they are; NV12's CbCr
 * rows are split into two chroma strips of 8 rows, so no chroma plane of
 * the frame's size is ever held (at 2560x1440 that was 1.8 MB, resident
 * for the life of the daemon). Rows narrower than libjpeg reads (whole
 * 8-sample blocks) are copied into padded rows, the last sample repeated;
 * rows past the bottom repeat the last row. The settings are TurboJPEG's
 * for tjCompressFromYUVPlanes (defaults, YCbCr, the quality's tables,
 * the fast integer DCT below quality 96, JFIF), so the bytes are the ones
 * it wrote for the default sizes (2560x1440 and 640x360, compared byte
 * for byte); where the width is not a multiple of 16 the padding of the
 * right-hand blocks differs (here the last sample repeated).
 *
 * Output goes straight into the caller's buffer through a destination
 * that never grows it: a JPEG that does not fit is written on into a
 * small spill area, discarded, and the frame is -EMSGSIZE. libjpeg's
 * errors return here through longjmp (-EIO); nothing it holds leaks, as
 * one compressor is kept for the encoder's life.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>

#include "encode/encoder.h"

#define MCU_ROWS 16	/* luma rows per iMCU row of 4:2:0 */

struct jpeg_err {
	struct jpeg_error_mgr pub;
	jmp_buf back;
};

/* A destination of a fixed buffer; overflow is noted, not grown. */
struct jpeg_cap_dest {
	struct jpeg_destination_mgr pub;
	uint8_t *buf;
	size_t cap;
	bool overflow;
	JOCTET spill[4096];
};

struct jpeg_priv {
	struct jpeg_compress_struct cinfo;
	struct jpeg_err err;
	struct jpeg_cap_dest dest;
	bool ready;		/* cinfo created */
	int quality;
	int width, height;
	/* padded rows: MCU_ROWS luma rows of wpad, 8 of each chroma of cpad */
	int wpad, cpad;
	uint8_t *luma, *cb, *cr;
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

static void jpeg_enc_destroy(struct lumen_encoder *enc)
{
	struct jpeg_priv *j = enc->priv;

	if (!j)
		return;
	if (j->ready)
		jpeg_destroy_compress(&j->cinfo);
	free(j->luma);
	free(j->cb);
	free(j->cr);
	free(j);
	enc->priv = NULL;
}

static void err_exit(j_common_ptr c)
{
	longjmp(((struct jpeg_err *)(void *)c->err)->back, 1);
}

static void err_silent(j_common_ptr c)
{
	(void)c;	/* warnings: none expected from raw YCbCr input */
}

static void dest_init(j_compress_ptr c)
{
	struct jpeg_cap_dest *d = (struct jpeg_cap_dest *)(void *)c->dest;

	d->pub.next_output_byte = d->buf;
	d->pub.free_in_buffer = d->cap;
	d->overflow = false;
}

static boolean dest_full(j_compress_ptr c)
{
	struct jpeg_cap_dest *d = (struct jpeg_cap_dest *)(void *)c->dest;

	d->overflow = true;
	d->pub.next_output_byte = d->spill;
	d->pub.free_in_buffer = sizeof(d->spill);
	return TRUE;
}

static void dest_term(j_compress_ptr c)
{
	(void)c;
}

static int jpeg_enc_create(struct lumen_encoder *enc,
		       const struct lumen_encoder_config *cfg,
		       char *err, size_t errlen)
{
	struct jpeg_priv *j;
	int q = quality_of(cfg, err, errlen);

	if (q < 0)
		return q;
	if (cfg->width < 2 || cfg->height < 2) {
		if (err && errlen)
			snprintf(err, errlen, "jpeg: bad size %dx%d", cfg->width,
				 cfg->height);
		return -EINVAL;
	}
	j = calloc(1, sizeof(*j));
	if (!j)
		return -ENOMEM;
	enc->priv = j;
	j->quality = q;
	j->width = cfg->width;
	j->height = cfg->height;
	j->wpad = (cfg->width + 15) & ~15;
	j->cpad = ((cfg->width + 1) / 2 + 7) & ~7;
	j->luma = malloc((size_t)MCU_ROWS * (size_t)j->wpad);
	j->cb = malloc((size_t)MCU_ROWS / 2 * (size_t)j->cpad);
	j->cr = malloc((size_t)MCU_ROWS / 2 * (size_t)j->cpad);
	if (!j->luma || !j->cb || !j->cr)
		goto no_memory;
	j->cinfo.err = jpeg_std_error(&j->err.pub);
	j->err.pub.error_exit = err_exit;
	j->err.pub.output_message = err_silent;
	if (setjmp(j->err.back))
		goto no_memory;		/* libjpeg's only failure here */
	jpeg_create_compress(&j->cinfo);
	j->ready = true;
	j->dest.pub.init_destination = dest_init;
	j->dest.pub.empty_output_buffer = dest_full;
	j->dest.pub.term_destination = dest_term;
	j->cinfo.dest = &j->dest.pub;
	return 0;

no_memory:
	if (err && errlen)
		snprintf(err, errlen, "jpeg: out of memory");
	jpeg_enc_destroy(enc);
	return -ENOMEM;
}

static int jpeg_enc_configure(struct lumen_encoder *enc,
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

/* Row @y (clamped to @h rows) of a plane, readable to @pad samples: the
 * frame's row when its stride covers that, else a copy in @tmp with the
 * last of its @w samples repeated. */
static const uint8_t *plane_row(const uint8_t *base, size_t stride, int w, int h,
				int y, int pad, uint8_t *tmp)
{
	const uint8_t *r = base + (size_t)(y < h ? y : h - 1) * stride;

	if (stride >= (size_t)pad)
		return r;
	memcpy(tmp, r, (size_t)w);
	memset(tmp + w, r[w - 1], (size_t)(pad - w));
	return tmp;
}

/* Chroma row @y (clamped) of an NV12 frame split into @cb and @cr, each
 * @pad samples, the last of @w repeated. */
static void split_row(const struct lumen_frame *f, int w, int h, int y, int pad,
		      uint8_t *cb, uint8_t *cr)
{
	const uint8_t *s = f->data[1] + (size_t)(y < h ? y : h - 1) * f->stride[1];

	for (int x = 0; x < w; x++) {
		cb[x] = s[2 * x];
		cr[x] = s[2 * x + 1];
	}
	memset(cb + w, cb[w - 1], (size_t)(pad - w));
	memset(cr + w, cr[w - 1], (size_t)(pad - w));
}

static int jpeg_enc_encode(struct lumen_encoder *enc,
		       const struct lumen_frame *frame,
		       uint8_t *out, size_t cap, struct lumen_encoded *res)
{
	struct jpeg_priv *j = enc->priv;
	struct jpeg_compress_struct *c = &j->cinfo;
	const int w = frame->width, h = frame->height;
	const int cw = (w + 1) / 2, ch = (h + 1) / 2;
	JSAMPROW rows_y[MCU_ROWS], rows_cb[MCU_ROWS / 2], rows_cr[MCU_ROWS / 2];
	JSAMPARRAY planes[3] = { rows_y, rows_cb, rows_cr };

	if (w != j->width || h != j->height ||
	    (frame->fmt != LUMEN_PIX_NV12 && frame->fmt != LUMEN_PIX_I420))
		return -EINVAL;
	j->dest.buf = out;
	j->dest.cap = cap;
	if (setjmp(j->err.back)) {
		jpeg_abort_compress(c);
		return -EIO;
	}
	c->image_width = (JDIMENSION)w;
	c->image_height = (JDIMENSION)h;
	c->input_components = 3;
	c->in_color_space = JCS_YCbCr;
	jpeg_set_defaults(c);
	jpeg_set_colorspace(c, JCS_YCbCr);
	jpeg_set_quality(c, j->quality, TRUE);
	c->raw_data_in = TRUE;
	/* TurboJPEG's choice: the fast integer DCT below quality 96 */
	c->dct_method = j->quality >= 96 ? JDCT_ISLOW : JDCT_IFAST;
	c->comp_info[0].h_samp_factor = c->comp_info[0].v_samp_factor = 2;
	for (int k = 1; k < 3; k++)
		c->comp_info[k].h_samp_factor = c->comp_info[k].v_samp_factor = 1;
	jpeg_start_compress(c, TRUE);
	for (int y = 0; y < h; y += MCU_ROWS) {
		for (int r = 0; r < MCU_ROWS; r++)
			rows_y[r] = (JSAMPROW)plane_row(frame->data[0], frame->stride[0],
				w, h, y + r, j->wpad, j->luma + (size_t)r * j->wpad);
		for (int r = 0; r < MCU_ROWS / 2; r++) {
			uint8_t *b = j->cb + (size_t)r * j->cpad;
			uint8_t *q = j->cr + (size_t)r * j->cpad;

			if (frame->fmt == LUMEN_PIX_NV12) {
				split_row(frame, cw, ch, y / 2 + r, j->cpad, b, q);
				rows_cb[r] = b;
				rows_cr[r] = q;
			} else {
				rows_cb[r] = (JSAMPROW)plane_row(frame->data[1],
					frame->stride[1], cw, ch, y / 2 + r, j->cpad, b);
				rows_cr[r] = (JSAMPROW)plane_row(frame->data[2],
					frame->stride[2], cw, ch, y / 2 + r, j->cpad, q);
			}
		}
		jpeg_write_raw_data(c, planes, MCU_ROWS);
	}
	jpeg_finish_compress(c);
	if (j->dest.overflow)
		return -EMSGSIZE;
	res->len = cap - j->dest.pub.free_in_buffer;
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
	.create = jpeg_enc_create,
	.configure = jpeg_enc_configure,
	.encode = jpeg_enc_encode,
	.request_keyframe = NULL,	/* every JPEG is one */
	.au_capacity = jpeg_au_capacity,
	.destroy = jpeg_enc_destroy,
};
