/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Encoders: one interface for software (libx264, TurboJPEG) and, later,
 * V4L2 M2M hardware encoders. Each implementation is one file exporting
 * one const struct lumen_encoder_ops; a NULL op means "not supported" and
 * the lumen_encoder_*() wrappers turn it into -EOPNOTSUPP.
 *
 * Data path: lumen_encoder_encode() takes a free buffer from the stream
 * ring (never waiting: when every buffer is held, the frame is dropped
 * before encoding and counted, so the stream stays decodable), lets the
 * implementation write one access unit into it, fills in the metadata and
 * publishes it. An AU larger than the buffer is a counted error; for a
 * codec with inter frames the next frame is then forced to be a keyframe.
 *
 * Threading: one encoder is driven by one thread (its encode thread);
 * lumen_encoder_request_keyframe() and lumen_encoder_read_counters() may
 * be called from any thread.
 */
#ifndef LUMEN_ENCODE_ENCODER_H
#define LUMEN_ENCODE_ENCODER_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "core/frame.h"
#include "encode/stream_ring.h"

enum lumen_codec { LUMEN_CODEC_H264, LUMEN_CODEC_JPEG };

enum lumen_rc_mode {
	LUMEN_RC_CBR = 0,	/* average bitrate with a VBV of one second */
	LUMEN_RC_VBR,		/* constant quality (CRF) capped by the VBV */
};

enum lumen_h264_profile {
	LUMEN_H264_BASELINE = 0,
	LUMEN_H264_MAIN,
	LUMEN_H264_HIGH,
};

struct lumen_encoder_config {
	int width, height;		/* even, 16..LUMEN_MAX_DIM */
	enum lumen_pixfmt fmt;		/* LUMEN_PIX_NV12 or LUMEN_PIX_I420 */
	int fps_num, fps_den;		/* nominal frame rate, e.g. 30/1 */
	/* H.264 */
	int bitrate_kbps;		/* CBR target / VBR cap */
	int gop;			/* frames from one IDR to the next */
	enum lumen_h264_profile profile;
	enum lumen_rc_mode rc;
	int crf;			/* VBR quality, 0..51 (0 = default 23) */
	const char *preset;		/* NULL = "ultrafast" */
	int threads;			/* 0 = 1 (embedded default) */
	/* JPEG */
	int quality;			/* 1..100 (0 = default 85) */
};

struct lumen_encoder_counters {
	uint64_t frames_in;	/* frames given to lumen_encoder_encode() */
	uint64_t frames_out;	/* AUs published */
	uint64_t bytes_out;
	uint64_t keyframes;
	uint64_t dropped;	/* no free stream buffer: frame not encoded */
	uint64_t too_large;	/* AU larger than the stream buffer */
	uint64_t errors;	/* the encoder failed on a frame */
	uint64_t delayed;	/* a frame went in and no AU came out (yet) */
	uint64_t keyframe_requests;
	uint64_t ns_last;	/* CLOCK_MONOTONIC time of the last encode */
	uint64_t ns_total;
};

struct lumen_encoder;

/* What the implementation reports about one encoded AU. */
struct lumen_encoded {
	size_t len;		/* bytes written at the buffer's data */
	int64_t pts;		/* in 1/90000 s */
	int64_t capture_ns;	/* of the frame this AU came from */
	uint64_t frame_sequence;
	int keyframe;
};

struct lumen_encoder_ops {
	const char *name;		/* "x264", "jpeg", "v4l2-m2m", ... */
	enum lumen_codec codec;
	/* Validates @cfg and allocates enc->priv. Returns 0 or a negative
	 * errno with a message naming the bad field in @err. */
	int (*create)(struct lumen_encoder *enc, const struct lumen_encoder_config *cfg,
		      char *err, size_t errlen);
	/* Live change (bitrate, rate control, quality); the size and format
	 * cannot change. NULL: recreate the encoder instead. */
	int (*configure)(struct lumen_encoder *enc,
			 const struct lumen_encoder_config *cfg,
			 char *err, size_t errlen);
	/*
	 * Encodes @frame (already checked against the config) into
	 * out[0..cap). Returns 0 with *res filled (res->len may be 0 when the
	 * encoder delays output), -EMSGSIZE when the AU did not fit, or
	 * another negative errno. enc->ctr.frames_in already counts this
	 * frame (dropped frames too), a gapless clock for pts.
	 */
	int (*encode)(struct lumen_encoder *enc, const struct lumen_frame *frame,
		      uint8_t *out, size_t cap, struct lumen_encoded *res);
	/* Makes the next encoded frame a keyframe. Called on the encode
	 * thread, just before that frame's encode (the wrapper takes requests
	 * from any thread). */
	void (*request_keyframe)(struct lumen_encoder *enc);
	/* Worst-case / sensible AU size for @cfg, for sizing stream rings. */
	size_t (*au_capacity)(const struct lumen_encoder_config *cfg);
	void (*destroy)(struct lumen_encoder *enc);
};

struct lumen_encoder {
	const struct lumen_encoder_ops *ops;
	struct lumen_encoder_config cfg;
	void *priv;			/* the implementation's */
	struct lumen_encoder_counters ctr;	/* written by the encode thread */
	/* what lumen_encoder_read_counters() returns to other threads: a copy
	 * of ctr published at the end of every lumen_encoder_encode() */
	pthread_mutex_t shown_lock;
	struct lumen_encoder_counters shown;
	atomic_int keyframe_pending;	/* set from any thread */
	atomic_uint keyframe_requests;
};

extern const struct lumen_encoder_ops lumen_encoder_x264;
extern const struct lumen_encoder_ops lumen_encoder_jpeg;

/* Finds a built-in implementation by name ("x264", "jpeg"), or NULL. */
const struct lumen_encoder_ops *lumen_encoder_find(const char *name);

/* Fills @cfg with the defaults (1920x1080 NV12, 30 fps, 2048 kbit/s CBR,
 * gop 60, main profile, ultrafast, 1 thread, quality 85). */
void lumen_encoder_config_default(struct lumen_encoder_config *cfg);

/*
 * Creates an encoder. Returns 0 and *out, or a negative errno with a
 * one-line message in @err (-EINVAL naming the bad field, -ENOMEM, or the
 * library's failure); on error *out is NULL.
 */
int lumen_encoder_create(struct lumen_encoder **out,
			 const struct lumen_encoder_ops *ops,
			 const struct lumen_encoder_config *cfg,
			 char *err, size_t errlen);
void lumen_encoder_destroy(struct lumen_encoder *enc);

/* Live reconfiguration; -EOPNOTSUPP when the implementation has none. */
int lumen_encoder_configure(struct lumen_encoder *enc,
			    const struct lumen_encoder_config *cfg,
			    char *err, size_t errlen);

/*
 * Encodes one frame into @ring. Returns 0 when an AU was published, 1 when
 * the encoder took the frame but published nothing yet (delayed), or
 * -EINVAL (frame does not match the config), -ENOBUFS (every stream buffer
 * held: dropped), -EMSGSIZE (AU too large: dropped, keyframe forced), or
 * the implementation's error. Every outcome is counted.
 */
int lumen_encoder_encode(struct lumen_encoder *enc,
			 const struct lumen_frame *frame,
			 struct lumen_stream_ring *ring);

/* Forces a keyframe on the next frame; -EOPNOTSUPP when unsupported. Any
 * thread. */
int lumen_encoder_request_keyframe(struct lumen_encoder *enc);

/* Stream buffer size for this config (the implementation's estimate, else
 * one raw 4:2:0 frame). */
size_t lumen_encoder_au_capacity(const struct lumen_encoder_ops *ops,
				 const struct lumen_encoder_config *cfg);

/* Copy of the counters; from the encode thread, or any thread accepting
 * a snapshot that may be one frame old. */
void lumen_encoder_read_counters(struct lumen_encoder *enc,
				 struct lumen_encoder_counters *out);

#endif
