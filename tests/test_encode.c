// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Encoders through the lumen interface and a stream ring.
 * x264: Annex-B output, SPS + PPS + IDR in the first AU and at every GOP
 * start, nothing but slices in between, request_keyframe and a too-large
 * AU both force the next IDR, the SPS codes the right size (exp-Golomb
 * parse, cropping included) and profile, pts/capture time/sequence follow
 * each AU (also with frame threads delaying output), CBR lands near the
 * bitrate, drops leave a pts gap, config errors name the field.
 * JPEG: decodes with TurboJPEG to the right size and 4:2:0, flat colours
 * come back within +-2 per plane from NV12 (split chroma) and I420 with
 * padded strides, a too-small buffer is a counted error.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <turbojpeg.h>

#include "core/frame.h"
#include "encode/encoder.h"
#include "encode/stream_ring.h"
#include "testutil.h"

#define W 320
#define H 180	/* not a multiple of 16: the SPS must crop */

/* ---- Annex-B and SPS parsing ---- */

/* NAL unit types of an AU in order; returns the count (<= max). Fails if
 * the AU does not start with a 4-byte start code. */
static int nal_types(const uint8_t *p, size_t n, int *types, int max,
		     const uint8_t **sps, size_t *sps_len)
{
	int count = 0;

	assert_true(n > 4);
	assert_memory_equal(p, "\0\0\0\1", 4);
	for (size_t i = 0; i + 3 <= n; i++) {
		if (p[i] || p[i + 1] || p[i + 2] != 1)
			continue;
		i += 3;
		if (i < n && count < max) {
			types[count++] = p[i] & 0x1f;
			if ((p[i] & 0x1f) == 7 && sps) {
				size_t e = i;

				while (e + 3 <= n && !(p[e] == 0 && p[e + 1] == 0 &&
						       (p[e + 2] == 1 || p[e + 2] == 0)))
					e++;
				*sps = p + i;
				*sps_len = (e + 3 <= n ? e : n) - i;
			}
		}
	}
	return count;
}

static int has_type(const int *t, int n, int type)
{
	for (int i = 0; i < n; i++)
		if (t[i] == type)
			return 1;
	return 0;
}

struct bits {
	uint8_t buf[256];
	size_t len, pos;	/* pos in bits */
};

static unsigned u(struct bits *b, int n)
{
	unsigned v = 0;

	for (int i = 0; i < n; i++, b->pos++) {
		assert_true(b->pos / 8 < b->len);
		v = v << 1 | ((b->buf[b->pos / 8] >> (7 - b->pos % 8)) & 1);
	}
	return v;
}

static unsigned ue(struct bits *b)
{
	int zeros = 0;

	while (u(b, 1) == 0)
		assert_true(++zeros < 32);
	return (1u << zeros) - 1 + u(b, zeros);
}

/* Parses an SPS NAL (header byte included): size after cropping, profile. */
static void parse_sps(const uint8_t *p, size_t n, int *w, int *h, int *profile)
{
	struct bits b = { .len = 0, .pos = 0 };
	unsigned frame_mbs_only, wmb, hmap, crop[4] = { 0, 0, 0, 0 };

	for (size_t i = 1; i < n && b.len < sizeof(b.buf); i++) {
		if (i >= 3 && p[i] == 3 && p[i - 1] == 0 && p[i - 2] == 0)
			continue;	/* emulation prevention byte */
		b.buf[b.len++] = p[i];
	}
	*profile = (int)u(&b, 8);
	u(&b, 8);	/* constraint flags */
	u(&b, 8);	/* level */
	ue(&b);		/* sps id */
	if (*profile == 100 || *profile == 110 || *profile == 122 || *profile == 244) {
		assert_int_equal(ue(&b), 1);	/* chroma_format_idc 4:2:0 */
		ue(&b);
		ue(&b);		/* bit depths */
		u(&b, 1);
		assert_int_equal(u(&b, 1), 0);	/* no scaling matrices */
	}
	ue(&b);		/* log2_max_frame_num - 4 */
	{
		unsigned poc = ue(&b);

		assert_true(poc != 1);
		if (poc == 0)
			ue(&b);
	}
	ue(&b);		/* max refs */
	u(&b, 1);	/* gaps allowed */
	wmb = ue(&b) + 1;
	hmap = ue(&b) + 1;
	frame_mbs_only = u(&b, 1);
	if (!frame_mbs_only)
		u(&b, 1);
	u(&b, 1);	/* direct_8x8_inference */
	if (u(&b, 1))
		for (int i = 0; i < 4; i++)
			crop[i] = ue(&b);
	*w = (int)(wmb * 16 - 2 * (crop[0] + crop[1]));
	*h = (int)((2 - frame_mbs_only) * hmap * 16 -
		   2 * (2 - frame_mbs_only) * (crop[2] + crop[3]));
}

/* ---- frames ---- */

static void frame_make(struct lumen_frame *f, enum lumen_pixfmt fmt, int w,
		       int h, int pad)
{
	memset(f, 0, sizeof(*f));
	f->fmt = fmt;
	f->width = w;
	f->height = h;
	for (int p = 0; p < (fmt == LUMEN_PIX_NV12 ? 2 : 3); p++) {
		int pw = p == 0 || fmt == LUMEN_PIX_NV12 ? w : w / 2;
		int ph = p == 0 ? h : h / 2;

		f->stride[p] = (size_t)(pw + pad);
		f->data[p] = calloc(f->stride[p], (size_t)ph);
		assert_non_null(f->data[p]);
	}
}

static void frame_free(struct lumen_frame *f)
{
	for (int p = 0; p < LUMEN_MAX_PLANES; p++)
		free(f->data[p]);
}

/* Frame @t of a moving scene with detail (so P frames carry data). */
static void frame_scene(struct lumen_frame *f, int t)
{
	unsigned seed = 77;

	for (int y = 0; y < f->height; y++)
		for (int x = 0; x < f->width; x++) {
			int v = ((x + 3 * t) / 8 + y / 8) & 1 ? 200 : 40;

			f->data[0][(size_t)y * f->stride[0] + (size_t)x] =
				(uint8_t)(v + (int)(lumen_test_rand(&seed) % 16));
		}
	for (int y = 0; y < f->height / 2; y++)
		for (int x = 0; x < f->width / 2; x++) {
			uint8_t cb = (uint8_t)(100 + (x + t) % 50), cr = 150;

			if (f->fmt == LUMEN_PIX_NV12) {
				f->data[1][(size_t)y * f->stride[1] + 2 * (size_t)x] = cb;
				f->data[1][(size_t)y * f->stride[1] + 2 * (size_t)x + 1] = cr;
			} else {
				f->data[1][(size_t)y * f->stride[1] + (size_t)x] = cb;
				f->data[2][(size_t)y * f->stride[2] + (size_t)x] = cr;
			}
		}
	f->sequence = 1000 + (uint64_t)t;
	f->timestamp_ns = 5000000000LL + (int64_t)t * 33333333;
}

static void h264_cfg(struct lumen_encoder_config *c, enum lumen_pixfmt fmt)
{
	lumen_encoder_config_default(c);
	c->width = W;
	c->height = H;
	c->fmt = fmt;
	c->gop = 5;
	c->bitrate_kbps = 300;
}

static struct lumen_encoder *open_enc(const struct lumen_encoder_ops *ops,
				      const struct lumen_encoder_config *c)
{
	struct lumen_encoder *e;
	char err[256] = "";

	if (lumen_encoder_create(&e, ops, c, err, sizeof(err)))
		fail_msg("create %s: %s", ops->name, err);
	return e;
}

/* Takes the next AU (must exist) and checks its NAL types. */
static void take_au(struct lumen_stream_ring *r, uint64_t *next, int idr,
		    struct lumen_stream_buf **out)
{
	int t[32], n;

	assert_int_equal(lumen_stream_acquire(r, next, 0, out), 0);
	n = nal_types((*out)->data, (*out)->len, t, 32, NULL, NULL);
	assert_int_equal(has_type(t, n, 7), idr);	/* SPS */
	assert_int_equal(has_type(t, n, 8), idr);	/* PPS */
	assert_int_equal(has_type(t, n, 5), idr);	/* IDR slice */
	assert_int_equal(has_type(t, n, 1), !idr);	/* non-IDR slice */
	assert_int_equal((*out)->keyframe, idr);
}

static void test_x264_gop_and_keyframes(void **state)
{
	struct lumen_encoder_config c;
	struct lumen_encoder *e;
	struct lumen_encoder_counters ctr;
	struct lumen_stream_ring ring;
	struct lumen_frame f;
	uint64_t next = 1;

	(void)state;
	h264_cfg(&c, LUMEN_PIX_NV12);
	e = open_enc(&lumen_encoder_x264, &c);
	assert_int_equal(lumen_stream_ring_init(&ring, 16,
		lumen_encoder_au_capacity(&lumen_encoder_x264, &c)), 0);
	frame_make(&f, LUMEN_PIX_NV12, W, H, 32);
	for (int t = 0; t < 13; t++) {
		/* IDRs: GOP starts 0 and 5, the request at 7, then 7 + 5 */
		static const int idr[13] = { 1, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 1 };
		struct lumen_stream_buf *b;

		if (t == 7)	/* mid-GOP request */
			assert_int_equal(lumen_encoder_request_keyframe(e), 0);
		frame_scene(&f, t);
		assert_int_equal(lumen_encoder_encode(e, &f, &ring), 0);
		take_au(&ring, &next, idr[t], &b);
		assert_int_equal(b->pts, (int64_t)t * 3000);
		assert_int_equal(b->frame_sequence, 1000 + (uint64_t)t);
		assert_int_equal(b->capture_ns, f.timestamp_ns);
		if (t == 0) {
			const uint8_t *sps;
			size_t sl;
			int types[16], w, h, prof;

			nal_types(b->data, b->len, types, 16, &sps, &sl);
			parse_sps(sps, sl, &w, &h, &prof);
			assert_int_equal(w, W);
			assert_int_equal(h, H);
			/* ultrafast uses no Main tools: baseline */
			assert_int_equal(prof, 66);
		}
		lumen_stream_release(&ring, b);
	}
	lumen_encoder_read_counters(e, &ctr);
	assert_int_equal(ctr.frames_in, 13);
	assert_int_equal(ctr.frames_out, 13);
	assert_int_equal(ctr.keyframes, 4);
	assert_int_equal(ctr.keyframe_requests, 1);
	frame_free(&f);
	lumen_stream_ring_destroy(&ring);
	lumen_encoder_destroy(e);
}

static void test_x264_profiles_i420(void **state)
{
	/* superfast uses CABAC and the 8x8 transform where allowed */
	static const struct { enum lumen_h264_profile p; int idc; } profs[] = {
		{ LUMEN_H264_BASELINE, 66 }, { LUMEN_H264_MAIN, 77 },
		{ LUMEN_H264_HIGH, 100 },
	};

	(void)state;
	for (size_t i = 0; i < 3; i++) {
		struct lumen_encoder_config c;
		struct lumen_encoder *e;
		struct lumen_stream_ring ring;
		struct lumen_stream_buf *b;
		struct lumen_frame f;
		const uint8_t *sps = NULL;
		size_t sl = 0;
		uint64_t next = 1;
		int types[16], w, h, prof;

		h264_cfg(&c, LUMEN_PIX_I420);
		c.width = 176;
		c.height = 144;
		c.profile = profs[i].p;
		c.preset = "superfast";
		c.rc = i ? LUMEN_RC_VBR : LUMEN_RC_CBR;
		e = open_enc(&lumen_encoder_x264, &c);
		assert_int_equal(lumen_stream_ring_init(&ring, 4, 200000), 0);
		frame_make(&f, LUMEN_PIX_I420, 176, 144, 0);
		frame_scene(&f, 0);
		assert_int_equal(lumen_encoder_encode(e, &f, &ring), 0);
		assert_int_equal(lumen_stream_acquire(&ring, &next, 0, &b), 0);
		nal_types(b->data, b->len, types, 16, &sps, &sl);
		assert_non_null(sps);
		parse_sps(sps, sl, &w, &h, &prof);
		assert_int_equal(w, 176);
		assert_int_equal(h, 144);
		assert_int_equal(prof, profs[i].idc);
		lumen_stream_release(&ring, b);
		frame_free(&f);
		lumen_stream_ring_destroy(&ring);
		lumen_encoder_destroy(e);
	}
}

static void test_x264_too_large_and_drop(void **state)
{
	struct lumen_encoder_config c;
	struct lumen_encoder *e;
	struct lumen_encoder_counters ctr;
	struct lumen_stream_ring big, tiny;
	struct lumen_stream_buf *b, *held[2];
	struct lumen_stream_counters rc;
	struct lumen_frame f;
	uint64_t next = 1, tn = 1;

	(void)state;
	h264_cfg(&c, LUMEN_PIX_NV12);
	c.gop = 100;
	e = open_enc(&lumen_encoder_x264, &c);
	assert_int_equal(lumen_stream_ring_init(&big, 2, 200000), 0);
	assert_int_equal(lumen_stream_ring_init(&tiny, 2, 64), 0);
	frame_make(&f, LUMEN_PIX_NV12, W, H, 0);

	frame_scene(&f, 0);
	assert_int_equal(lumen_encoder_encode(e, &f, &big), 0);
	take_au(&big, &next, 1, &b);
	lumen_stream_release(&big, b);
	frame_scene(&f, 1);
	assert_int_equal(lumen_encoder_encode(e, &f, &tiny), -EMSGSIZE);
	lumen_stream_read_counters(&tiny, &rc);
	assert_int_equal(rc.too_large, 1);
	assert_int_equal(lumen_stream_acquire(&tiny, &tn, 0, &b), -EAGAIN);
	/* the lost AU broke the reference chain: the next one is an IDR */
	frame_scene(&f, 2);
	assert_int_equal(lumen_encoder_encode(e, &f, &big), 0);
	take_au(&big, &next, 1, &b);
	lumen_stream_release(&big, b);
	frame_scene(&f, 3);
	assert_int_equal(lumen_encoder_encode(e, &f, &big), 0);
	take_au(&big, &next, 0, &held[0]);

	/* both buffers held by slow consumers: frame 4 is dropped before
	 * encoding, so frame 5 can be a plain P frame with a pts gap */
	tn = 1;
	assert_int_equal(lumen_stream_acquire(&big, &tn, 0, &held[1]), 0);
	frame_scene(&f, 4);
	assert_int_equal(lumen_encoder_encode(e, &f, &big), -ENOBUFS);
	lumen_stream_release(&big, held[0]);
	lumen_stream_release(&big, held[1]);
	frame_scene(&f, 5);
	assert_int_equal(lumen_encoder_encode(e, &f, &big), 0);
	take_au(&big, &next, 0, &b);
	assert_int_equal(b->pts, 5 * 3000);
	assert_int_equal(b->frame_sequence, 1005);
	lumen_stream_release(&big, b);
	lumen_encoder_read_counters(e, &ctr);
	assert_int_equal(ctr.frames_in, 6);
	assert_int_equal(ctr.frames_out, 4);
	assert_int_equal(ctr.too_large, 1);
	assert_int_equal(ctr.dropped, 1);
	assert_int_equal(ctr.keyframes, 2);
	frame_free(&f);
	lumen_stream_ring_destroy(&big);
	lumen_stream_ring_destroy(&tiny);
	lumen_encoder_destroy(e);
}

/* Two seconds at 30 fps in CBR: the bytes land near the bitrate (a
 * kbit/bit or bit/byte slip would be off by 8x or 1000x). */
static void test_x264_cbr_rate(void **state)
{
	struct lumen_encoder_config c;
	struct lumen_encoder *e;
	struct lumen_encoder_counters ctr;
	struct lumen_stream_ring ring;
	struct lumen_frame f;
	double kbps;

	(void)state;
	h264_cfg(&c, LUMEN_PIX_NV12);
	c.gop = 30;
	c.bitrate_kbps = 400;
	e = open_enc(&lumen_encoder_x264, &c);
	assert_int_equal(lumen_stream_ring_init(&ring, 4,
		lumen_encoder_au_capacity(&lumen_encoder_x264, &c)), 0);
	frame_make(&f, LUMEN_PIX_NV12, W, H, 0);
	for (int t = 0; t < 60; t++) {
		frame_scene(&f, t);
		/* noise changes every frame: the encoder has work to do */
		for (int i = 0; i < W * H; i += 7)
			f.data[0][i] ^= (uint8_t)(t * 13 + i);
		assert_int_equal(lumen_encoder_encode(e, &f, &ring), 0);
	}
	lumen_encoder_read_counters(e, &ctr);
	kbps = (double)ctr.bytes_out * 8 / 2.0 / 1000.0;
	print_message("CBR 400 kbit/s target: %.0f kbit/s\n", kbps);
	assert_true(kbps > 400 * 0.5 && kbps < 400 * 1.6);
	assert_true(ctr.ns_total > 0);
	frame_free(&f);
	lumen_stream_ring_destroy(&ring);
	lumen_encoder_destroy(e);
}

/* Frame threads delay output: every AU still carries its own frame's
 * sequence, capture time and pts, and nothing is lost in between. */
static void test_x264_threads_delay(void **state)
{
	struct lumen_encoder_config c;
	struct lumen_encoder *e;
	struct lumen_encoder_counters ctr;
	struct lumen_stream_ring ring;
	struct lumen_stream_buf *b;
	struct lumen_frame f;
	uint64_t next = 1, expect = 1000;

	(void)state;
	h264_cfg(&c, LUMEN_PIX_NV12);
	c.threads = 3;
	e = open_enc(&lumen_encoder_x264, &c);
	assert_int_equal(lumen_stream_ring_init(&ring, 8, 200000), 0);
	frame_make(&f, LUMEN_PIX_NV12, W, H, 0);
	for (int t = 0; t < 12; t++) {
		int r;

		frame_scene(&f, t);
		r = lumen_encoder_encode(e, &f, &ring);
		assert_true(r == 0 || r == 1);
		while (lumen_stream_acquire(&ring, &next, 0, &b) == 0) {
			assert_int_equal(b->frame_sequence, expect);
			assert_int_equal(b->pts, (int64_t)(expect - 1000) * 3000);
			assert_int_equal(b->capture_ns, 5000000000LL +
					 (int64_t)(expect - 1000) * 33333333);
			expect++;
			lumen_stream_release(&ring, b);
		}
	}
	lumen_encoder_read_counters(e, &ctr);
	assert_int_equal(ctr.frames_out + ctr.delayed, 12);
	assert_int_equal(expect - 1000, ctr.frames_out);
	frame_free(&f);
	lumen_stream_ring_destroy(&ring);
	lumen_encoder_destroy(e);
}

static void test_config_errors(void **state)
{
	struct lumen_encoder_config c;
	struct lumen_encoder *e;
	struct lumen_stream_ring ring;
	struct lumen_frame f;
	char err[256];

	(void)state;
	h264_cfg(&c, LUMEN_PIX_NV12);
	c.width = 321;
	assert_int_equal(lumen_encoder_create(&e, &lumen_encoder_x264, &c, err,
					      sizeof(err)), -EINVAL);
	assert_null(e);
	assert_non_null(strstr(err, "width"));
	h264_cfg(&c, LUMEN_PIX_NV12);
	c.preset = "warpspeed";
	assert_int_equal(lumen_encoder_create(&e, &lumen_encoder_x264, &c, err,
					      sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "warpspeed"));
	h264_cfg(&c, LUMEN_PIX_NV12);
	c.gop = 0;
	assert_int_equal(lumen_encoder_create(&e, &lumen_encoder_x264, &c, err,
					      sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "gop"));
	h264_cfg(&c, LUMEN_PIX_NV12);
	c.bitrate_kbps = 0;
	assert_int_equal(lumen_encoder_create(&e, &lumen_encoder_x264, &c, err,
					      sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "bitrate"));
	h264_cfg(&c, LUMEN_PIX_NV12);
	c.fmt = LUMEN_PIX_RGB24;
	assert_int_equal(lumen_encoder_create(&e, &lumen_encoder_jpeg, &c, err,
					      sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "fmt"));
	assert_ptr_equal(lumen_encoder_find("x264"), &lumen_encoder_x264);
	assert_ptr_equal(lumen_encoder_find("jpeg"), &lumen_encoder_jpeg);
	assert_null(lumen_encoder_find("vp8"));

	/* live changes: rate yes, size no; a wrong frame is refused */
	h264_cfg(&c, LUMEN_PIX_NV12);
	e = open_enc(&lumen_encoder_x264, &c);
	c.bitrate_kbps = 800;
	assert_int_equal(lumen_encoder_configure(e, &c, err, sizeof(err)), 0);
	assert_int_equal(e->cfg.bitrate_kbps, 800);
	c.rc = LUMEN_RC_VBR;
	assert_int_equal(lumen_encoder_configure(e, &c, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "rc mode"));
	c.rc = LUMEN_RC_CBR;
	c.width = 640;
	assert_int_equal(lumen_encoder_configure(e, &c, err, sizeof(err)), -EINVAL);
	assert_int_equal(lumen_stream_ring_init(&ring, 2, 100000), 0);
	frame_make(&f, LUMEN_PIX_I420, W, H, 0);
	assert_int_equal(lumen_encoder_encode(e, &f, &ring), -EINVAL);
	assert_int_equal(e->ctr.errors, 1);
	frame_free(&f);
	lumen_stream_ring_destroy(&ring);
	lumen_encoder_destroy(e);
}

/* ---- JPEG ---- */

/* Encodes a flat (y, cb, cr) frame; checks the header and every decoded
 * plane's samples against the input, within +-2. */
static void jpeg_flat(enum lumen_pixfmt fmt, int pad, uint8_t y, uint8_t cb,
		      uint8_t cr)
{
	struct lumen_encoder_config c;
	struct lumen_encoder *e;
	struct lumen_stream_ring ring;
	struct lumen_stream_buf *b;
	struct lumen_frame f;
	tjhandle tj = tjInitDecompress();
	int w, h, sub, cs, strides[3] = { W, W / 2, W / 2 };
	unsigned char *planes[3];
	const uint8_t want[3] = { y, cb, cr };
	uint64_t next = 1;

	lumen_encoder_config_default(&c);
	c.width = W;
	c.height = H;
	c.fmt = fmt;
	c.quality = 90;
	e = open_enc(&lumen_encoder_jpeg, &c);
	assert_int_equal(lumen_encoder_request_keyframe(e), -EOPNOTSUPP);
	assert_int_equal(lumen_stream_ring_init(&ring, 2,
		lumen_encoder_au_capacity(&lumen_encoder_jpeg, &c)), 0);
	frame_make(&f, fmt, W, H, pad);
	memset(f.data[0], y, f.stride[0] * H);
	if (fmt == LUMEN_PIX_NV12) {
		for (size_t i = 0; i < f.stride[1] * (H / 2); i += 2) {
			f.data[1][i] = cb;
			f.data[1][i + 1] = cr;
		}
	} else {
		memset(f.data[1], cb, f.stride[1] * (H / 2));
		memset(f.data[2], cr, f.stride[2] * (H / 2));
	}
	f.sequence = 9;
	assert_int_equal(lumen_encoder_encode(e, &f, &ring), 0);
	assert_int_equal(lumen_stream_acquire(&ring, &next, 0, &b), 0);
	assert_true(b->keyframe);
	assert_int_equal(b->frame_sequence, 9);
	assert_int_equal(b->data[0], 0xff);
	assert_int_equal(b->data[1], 0xd8);
	assert_int_equal(tjDecompressHeader3(tj, b->data, b->len, &w, &h, &sub,
					     &cs), 0);
	assert_int_equal(w, W);
	assert_int_equal(h, H);
	assert_int_equal(sub, TJSAMP_420);
	planes[0] = malloc(W * H);
	planes[1] = malloc(W * H / 4);
	planes[2] = malloc(W * H / 4);
	assert_int_equal(tjDecompressToYUVPlanes(tj, b->data, b->len, planes, W,
						 strides, H, 0), 0);
	for (int p = 0; p < 3; p++)
		for (int i = 0; i < (p ? W * H / 4 : W * H); i++)
			if (abs((int)planes[p][i] - want[p]) > 2)
				fail_msg("%s plane %d sample %d: %d, want %d",
					 lumen_pixfmt_name(fmt), p, i, planes[p][i],
					 want[p]);
	for (int p = 0; p < 3; p++)
		free(planes[p]);
	lumen_stream_release(&ring, b);
	tjDestroy(tj);
	frame_free(&f);
	lumen_stream_ring_destroy(&ring);
	lumen_encoder_destroy(e);
}

static void test_jpeg(void **state)
{
	(void)state;
	jpeg_flat(LUMEN_PIX_NV12, 0, 128, 128, 128);
	jpeg_flat(LUMEN_PIX_NV12, 24, 100, 90, 170);	/* Cb/Cr order */
	jpeg_flat(LUMEN_PIX_I420, 24, 60, 200, 30);
}

static void test_jpeg_too_large(void **state)
{
	struct lumen_encoder_config c;
	struct lumen_encoder *e;
	struct lumen_encoder_counters ctr;
	struct lumen_stream_ring ring;
	struct lumen_frame f;
	unsigned seed = 3;
	char err[128];

	(void)state;
	lumen_encoder_config_default(&c);
	c.width = W;
	c.height = H;
	c.quality = 101;
	assert_int_equal(lumen_encoder_create(&e, &lumen_encoder_jpeg, &c, err,
					      sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "quality"));
	c.quality = 95;
	e = open_enc(&lumen_encoder_jpeg, &c);
	assert_int_equal(lumen_stream_ring_init(&ring, 2, 2000), 0);
	frame_make(&f, LUMEN_PIX_NV12, W, H, 0);
	for (size_t i = 0; i < (size_t)W * H; i++)	/* noise: big JPEG */
		f.data[0][i] = (uint8_t)lumen_test_rand(&seed);
	assert_int_equal(lumen_encoder_encode(e, &f, &ring), -EMSGSIZE);
	lumen_encoder_read_counters(e, &ctr);
	assert_int_equal(ctr.too_large, 1);
	assert_int_equal(ctr.keyframe_requests, 0);
	frame_free(&f);
	lumen_stream_ring_destroy(&ring);
	lumen_encoder_destroy(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_x264_gop_and_keyframes),
		cmocka_unit_test(test_x264_profiles_i420),
		cmocka_unit_test(test_x264_too_large_and_drop),
		cmocka_unit_test(test_x264_cbr_rate),
		cmocka_unit_test(test_x264_threads_delay),
		cmocka_unit_test(test_config_errors),
		cmocka_unit_test(test_jpeg),
		cmocka_unit_test(test_jpeg_too_large),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
